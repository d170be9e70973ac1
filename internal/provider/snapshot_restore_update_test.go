package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// A restore runs only when asked (issue 23): a change of the snapshots it
// names updates it in place, restoring only the snapshots new to it, and
// only those the plan showed.

// restoreUpdateEnv is an emulator whose desktops each have one system-disk
// snapshot, made out of band; the snapshots come back sorted.
func restoreUpdateEnv(t *testing.T, desktops int) (*testAccEnv, []string) {
	t.Helper()
	env := newTestAccEnv(t, emulator.Config{Desktops: desktops, JobDuration: 300 * time.Millisecond, Seed: 23, AuthToken: wireToken})
	env.SkipIfReal(t, "counts the emulator's batch-restore calls and reads its jobs")
	snapshots := framework.SortedStrings(snapshotted(t, env, env.DesktopIDs, workspace.DiskTypeSystem))
	if len(snapshots) != desktops {
		t.Fatalf("%d snapshots of %d desktops, want one each", len(snapshots), desktops)
	}
	return env, snapshots
}

// restoreListConfig restores the snapshots, listed in snapshot_ids.
func restoreListConfig(env *testAccEnv, snapshots []string) string {
	return env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids = %s
}
`, hclStrings(snapshots))
}

// restoreLateConfig restores the snapshots through a terraform_data whose
// output is unknown at plan whenever run or the snapshots change, as a
// batch's strings are when its desktops change.
func restoreLateConfig(env *testAccEnv, snapshots []string, run string) string {
	return env.ProviderConfig + fmt.Sprintf(`
resource "terraform_data" "ids" {
  input            = %s
  triggers_replace = [%q]
}

resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids_json = { ids = jsonencode(terraform_data.ids.output) }
}
`, hclStrings(snapshots), run)
}

// checkRestoreCalls asserts how many batch-restore calls the emulator has answered.
func checkRestoreCalls(env *testAccEnv, want int, what string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := restoreCalls(env); n != want {
			return fmt.Errorf("%s: %d batch-restore calls, want %d", what, n, want)
		}
		return nil
	}
}

// checkRestoredSince asserts that the restore jobs started since the mark,
// other than those in seen, restored exactly want, each once (from their
// sub-jobs, as the emulator records them); it adds them to seen.
func checkRestoredSince(t *testing.T, env *testAccEnv, mark jobMark, seen *[]string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var fresh []string
		for _, j := range mark.started() {
			if !slices.Contains(*seen, j) {
				fresh = append(fresh, j)
			}
		}
		*seen = append(*seen, fresh...)
		if len(fresh) == 0 {
			return fmt.Errorf("no new restore job, want one restoring %v", want)
		}
		got := restoredByJobs(t, env, fresh)
		if len(got) != len(want) {
			return fmt.Errorf("jobs %v restored %v, want exactly %v", fresh, got, want)
		}
		for _, id := range want {
			if got[id] != 1 {
				return fmt.Errorf("jobs %v restored %v, want each of %v once", fresh, got, want)
			}
		}
		return nil
	}
}

// Case 1: IDs unknown at plan that name the same snapshots. The plan shows
// an in-place update (today's code replaced the restore, and restored every
// desktop again); the apply makes no call.
func TestAccSnapshotRestore_unknownSameSnapshotsNoCall(t *testing.T) {
	parallelUnlessReal(t)
	env, s := restoreUpdateEnv(t, 2)
	jobs := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            restoreLateConfig(env, s, "1"),
				ConfigStateChecks: []statecheck.StateCheck{jobs.AddStateValue(restoreAddr, tfjsonpath.New("job_ids"))},
				Check:             checkRestoreCalls(env, 1, "the create"),
			},
			{
				// terraform_data is replaced: its output, and so the JSON, is
				// unknown at plan. The same snapshots, in the other order.
				Config: restoreLateConfig(env, []string{s[1], s[0]}, "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("terraform_data.ids", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("snapshot_ids_json").AtMapKey("ids")),
					// No restore planned: the jobs stay the create's.
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					jobs.AddStateValue(restoreAddr, tfjsonpath.New("job_ids")),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("snapshot_ids_json").AtMapKey("ids"), knownvalue.StringExact(fmt.Sprintf(`[%q,%q]`, s[1], s[0]))),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				},
				Check: checkRestoreCalls(env, 1, "naming the same snapshots, unknown at plan"),
			},
			{
				Config:           restoreLateConfig(env, []string{s[1], s[0]}, "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Case 2: new IDs known at plan. Only the new snapshots are restored, in
// place, by the create's job path: job_ids grows, id and the create's job
// stay.
func TestAccSnapshotRestore_newSnapshotsRestoredInPlace(t *testing.T) {
	parallelUnlessReal(t)
	env, s := restoreUpdateEnv(t, 4)
	env.StateJobTimeZone(t) // for the import step
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)
	var seen []string
	id := statecheck.CompareValue(compare.ValuesSame())
	var createJob string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            restoreListConfig(env, s[:2]),
				ConfigStateChecks: []statecheck.StateCheck{id.AddStateValue(restoreAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRestoreCalls(env, 1, "the create"),
					checkRestoredSince(t, env, mark, &seen, s[0], s[1]),
					func(st *terraform.State) error {
						createJob = st.RootModule().Resources[restoreAddr].Primary.Attributes["job_ids.0"]
						return nil
					},
				),
			},
			{
				Config: restoreListConfig(env, []string{s[3], s[0], s[2], s[1]}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("job_ids")),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					id.AddStateValue(restoreAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("failed_desktops"), knownvalue.MapSizeExact(0)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRestoreCalls(env, 2, "adding two snapshots"),
					checkRestoredSince(t, env, mark, &seen, s[2], s[3]),
					func(st *terraform.State) error {
						a := st.RootModule().Resources[restoreAddr].Primary.Attributes
						if a["job_ids.0"] != createJob || a["id"] != createJob || a["job_ids.1"] == createJob {
							return fmt.Errorf("id %q, job_ids [%q %q]: want the create's job %q first and as id, then the update's",
								a["id"], a["job_ids.0"], a["job_ids.1"], createJob)
						}
						return nil
					},
				),
			},
			{
				Config:           restoreListConfig(env, []string{s[3], s[0], s[2], s[1]}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The import by the create's job still names its snapshots.
				ResourceName: restoreAddr,
				ImportState:  true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return createJob, nil
				},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["snapshot_ids.#"] != "2" {
						return fmt.Errorf("imported %v, want the create's 2 snapshots", states)
					}
					return nil
				},
			},
		},
	})
}

// Case 3: new IDs unknown at plan. That apply restores none of them:
// Terraform stops the restore before any call, since the plan kept job_ids
// known; the next plan shows the update, and its apply restores exactly
// the new snapshot.
func TestAccSnapshotRestore_newSnapshotsUnknownAtPlanWaitForNextPlan(t *testing.T) {
	parallelUnlessReal(t)
	env, s := restoreUpdateEnv(t, 3)
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)
	var seen []string
	later := restoreLateConfig(env, s, "1") // input changed: output unknown at plan
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: restoreLateConfig(env, s[:2], "1"),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRestoreCalls(env, 1, "the create"),
					checkRestoredSince(t, env, mark, &seen, s[0], s[1]),
				),
			},
			{
				Config: later,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("snapshot_ids_json").AtMapKey("ids")),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
				}},
				ExpectError: regexp.MustCompile(`(?s)Provider produced inconsistent final plan.*` +
					regexp.QuoteMeta(restoreAddr) + `.*\.job_ids`),
			},
			{
				// Nothing was called; the restore keeps its state, so the plan
				// now knows the new snapshot and shows it.
				PreConfig: func() {
					if n := restoreCalls(env); n != 1 {
						t.Errorf("the apply with IDs unknown at plan made %d batch-restore calls in all, want the create's 1", n)
					}
				},
				Config: later,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("terraform_data.ids", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("snapshot_ids_json"), knownvalue.NotNull()),
					plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("job_ids")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRestoreCalls(env, 2, "the plan that showed the new snapshot"),
					checkRestoredSince(t, env, mark, &seen, s[2]),
				),
			},
			{
				Config:           later,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Case 4: IDs removed update in place with no call (a restore cannot be
// undone); today's code replaced the restore and restored the rest again.
func TestAccSnapshotRestore_removedSnapshotsNoCall(t *testing.T) {
	parallelUnlessReal(t)
	env, s := restoreUpdateEnv(t, 3)
	jobs := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            restoreListConfig(env, s),
				ConfigStateChecks: []statecheck.StateCheck{jobs.AddStateValue(restoreAddr, tfjsonpath.New("job_ids"))},
				Check:             checkRestoreCalls(env, 1, "the create"),
			},
			{
				Config: restoreListConfig(env, s[1:2]),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					jobs.AddStateValue(restoreAddr, tfjsonpath.New("job_ids")),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("snapshot_ids"), exactStrings(s[1])),
				},
				Check: checkRestoreCalls(env, 1, "removing snapshots"),
			},
			{
				Config:           restoreListConfig(env, s[1:2]),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// restoreRPC drives the restore through the protocol, as Terraform does.
type restoreRPC struct {
	t      *testing.T
	h      *actionHarness
	schema *tfprotov6.Schema
}

func newRestoreRPC(t *testing.T, env *testAccEnv) restoreRPC {
	t.Helper()
	h := newActionHarness(t, env, 0)
	resp, err := h.server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return restoreRPC{t: t, h: h, schema: resp.ResourceSchemas[restoreType]}
}

// config is a configuration naming the snapshots in snapshot_ids (an
// unknown list when ids is nil).
func (r restoreRPC) config(ids []string) *tfprotov6.DynamicValue {
	list := tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, tftypes.UnknownValue)
	if ids != nil {
		list = tfStringList(ids...)
	}
	return dynamicValue(r.t, r.schema, map[string]tftypes.Value{"snapshot_ids": list})
}

func (r restoreRPC) null() *tfprotov6.DynamicValue {
	typ := r.schema.ValueType()
	v, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		r.t.Fatal(err)
	}
	return &v
}

// plan is PlanResourceChange with the configuration as proposed state.
func (r restoreRPC) plan(prior *tfprotov6.DynamicValue, private []byte, config *tfprotov6.DynamicValue) *tfprotov6.PlanResourceChangeResponse {
	r.t.Helper()
	proposed := config
	if prior != nil {
		// The proposed state keeps the prior computed values, as Terraform's does.
		p := r.h.stateValue(restoreType, prior)
		c := r.h.stateValue(restoreType, config)
		var pa, ca map[string]tftypes.Value
		_ = p.As(&pa)
		_ = c.As(&ca)
		for _, name := range []string{"id", "job_ids", "status", "failed_desktops"} {
			ca[name] = pa[name]
		}
		dv, err := tfprotov6.NewDynamicValue(r.schema.ValueType(), tftypes.NewValue(r.schema.ValueType(), ca))
		if err != nil {
			r.t.Fatal(err)
		}
		proposed = &dv
	} else {
		prior = r.null()
	}
	resp, err := r.h.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: restoreType, PriorState: prior, ProposedNewState: proposed, Config: config, PriorPrivate: private,
	})
	if err != nil || hasErrors(resp.Diagnostics) {
		r.t.Fatalf("PlanResourceChange: %v %s", err, diagText(resp.Diagnostics))
	}
	return resp
}

func (r restoreRPC) apply(prior *tfprotov6.DynamicValue, plan *tfprotov6.PlanResourceChangeResponse, config *tfprotov6.DynamicValue) *tfprotov6.ApplyResourceChangeResponse {
	r.t.Helper()
	if prior == nil {
		prior = r.null()
	}
	resp, err := r.h.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: restoreType, PriorState: prior, PlannedState: plan.PlannedState, Config: config, PlannedPrivate: plan.PlannedPrivate,
	})
	if err != nil || hasErrors(resp.Diagnostics) {
		r.t.Fatalf("ApplyResourceChange: %v %s", err, diagText(resp.Diagnostics))
	}
	return resp
}

// attr reads one attribute of a state or plan.
func (r restoreRPC) attr(v *tfprotov6.DynamicValue, name string) tftypes.Value {
	var attrs map[string]tftypes.Value
	if err := r.h.stateValue(restoreType, v).As(&attrs); err != nil {
		r.t.Fatal(err)
	}
	return attrs[name]
}

// warnings are the summaries and details of the warnings.
func warnings(diags []*tfprotov6.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return out
}

// The plan says what the apply restores, in a warning: how many snapshots
// and which when the IDs are known, that it restores none of them when they
// are known only at apply, nothing when nothing is restored. And an apply
// whose plan showed no restore (Terraform stops one first; the provider
// holds to the plan should it not) restores none, keeps them in private
// state, and the next plan shows them.
func TestSnapshotRestoreUpdate_planSaysWhatIsRestored(t *testing.T) {
	parallelUnlessReal(t)
	env, s := restoreUpdateEnv(t, 3)
	r := newRestoreRPC(t, env)

	created := r.apply(nil, r.plan(nil, nil, r.config(s[:1])), r.config(s[:1]))
	state := created.NewState
	if n := restoreCalls(env); n != 1 {
		t.Fatalf("the create made %d batch-restore calls, want 1", n)
	}

	// New IDs known: restored, named in the warning; job_ids unknown.
	added := r.plan(state, created.Private, r.config([]string{s[2], s[0], s[1]}))
	want := fmt.Sprintf("Snapshots to restore in place: The restore is updated, not replaced: the apply restores 2 snapshots "+
		"that it has not restored (%s, %s), and none of the snapshots it restored before.", s[1], s[2])
	if got := warnings(added.Diagnostics); !slices.Equal(got, []string{want}) {
		t.Errorf("warnings %q, want %q", got, want)
	}
	if r.attr(added.PlannedState, "job_ids").IsKnown() {
		t.Error("job_ids known in a plan that restores: Terraform would not let the apply add jobs")
	}

	// IDs unknown: the apply restores none of them; job_ids stays known.
	unknown := r.plan(state, created.Private, r.config(nil))
	if got := warnings(unknown.Diagnostics); len(got) != 1 ||
		!strings.HasPrefix(got[0], "Snapshots to restore known only at apply: The restore is updated in place, not replaced, "+
			"and the apply restores none of the snapshots that snapshot_ids names only then") {
		t.Errorf("warnings %q, want one that the apply restores none of the snapshots known only then", got)
	}
	if !r.attr(unknown.PlannedState, "job_ids").IsFullyKnown() {
		t.Error("job_ids unknown in a plan with unknown IDs: the apply could restore what the plan did not show")
	}

	// Nothing to restore (the same snapshot, repeated): no warning.
	if got := warnings(r.plan(state, created.Private, r.config([]string{s[0], s[0]})).Diagnostics); len(got) != 0 {
		t.Errorf("warnings %q for a plan that restores nothing", got)
	}

	// An apply of a plan that showed no restore, with new IDs: no call, the
	// configuration in state, the IDs kept as owed, a warning.
	noRestore := r.plan(state, created.Private, r.config([]string{s[0], s[0]}))
	noRestore.PlannedState = r.with(noRestore.PlannedState, "snapshot_ids", tfStringList(s[0], s[1]))
	config := r.config([]string{s[0], s[1]})
	held := r.apply(state, noRestore, config)
	if n := restoreCalls(env); n != 1 {
		t.Errorf("an apply whose plan showed no restore made %d batch-restore calls in all, want the create's 1", n)
	}
	wantHeld := fmt.Sprintf("Snapshots not restored: The plan did not show them, so the apply restored none of the 1 snapshot "+
		"new to this restore (%s); the next plan shows them, and its apply restores them.", s[1])
	if got := warnings(held.Diagnostics); !slices.Equal(got, []string{wantHeld}) {
		t.Errorf("warnings %q, want %q", got, wantHeld)
	}
	if got := r.attr(held.NewState, "snapshot_ids"); !got.Equal(tfStringList(s[0], s[1])) {
		t.Errorf("snapshot_ids %s in state, want the configuration's", got)
	}

	// The next plan shows them, and its apply restores exactly them.
	owed := r.plan(held.NewState, held.Private, config)
	wantOwed := fmt.Sprintf("Snapshots to restore in place: The restore is updated, not replaced: the apply restores 1 snapshot "+
		"that it has not restored (%s; 1 of them named before, but not restored by an earlier apply), and none of the "+
		"snapshots it restored before.", s[1])
	if got := warnings(owed.Diagnostics); !slices.Equal(got, []string{wantOwed}) {
		t.Errorf("warnings %q, want %q", got, wantOwed)
	}
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)
	restored := r.apply(held.NewState, owed, config)
	if n := restoreCalls(env); n != 2 {
		t.Errorf("%d batch-restore calls in all, want 2", n)
	}
	if got := restoredByJobs(t, env, mark.started()); len(got) != 1 || got[s[1]] != 1 {
		t.Errorf("the update restored %v, want %s once", got, s[1])
	}
	if got := r.attr(restored.NewState, "job_ids"); !got.IsKnown() || len(r.listOf(got)) != 2 {
		t.Errorf("job_ids %s, want the create's job and the update's", got)
	}
	// Owed no more: the plan after restores nothing.
	if got := warnings(r.plan(restored.NewState, restored.Private, config).Diagnostics); len(got) != 0 {
		t.Errorf("warnings %q after the owed snapshot was restored", got)
	}
}

// with is v with one attribute replaced.
func (r restoreRPC) with(v *tfprotov6.DynamicValue, name string, value tftypes.Value) *tfprotov6.DynamicValue {
	var attrs map[string]tftypes.Value
	if err := r.h.stateValue(restoreType, v).As(&attrs); err != nil {
		r.t.Fatal(err)
	}
	attrs[name] = value
	dv, err := tfprotov6.NewDynamicValue(r.schema.ValueType(), tftypes.NewValue(r.schema.ValueType(), attrs))
	if err != nil {
		r.t.Fatal(err)
	}
	return &dv
}

func (r restoreRPC) listOf(v tftypes.Value) []tftypes.Value {
	var out []tftypes.Value
	_ = v.As(&out)
	return out
}

// finishNextRestoreJob moves the emulator's clock past its jobs once the
// next restore job has started, so a run waiting for it sees it end.
func finishNextRestoreJob(env *testAccEnv, clock *steppedClock) {
	before := len(env.Emulator.JobIDs(workspace.JobTypeRestoreSnapshot))
	go func() {
		deadline := time.Now().Add(time.Minute)
		for len(env.Emulator.JobIDs(workspace.JobTypeRestoreSnapshot)) == before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		clock.step(time.Minute)
	}()
}

// An update cut short by its timeout keeps its job in state (job_ids grown,
// PENDING) and the refresh records its outcome merged with the create's;
// an update whose desktops fail merges their failures with the create's
// success as PARTIAL_FAILURE.
func TestAccSnapshotRestore_updateTimeoutAndFailuresMerge(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 30 * time.Second, Seed: 23, Now: clock.now, AuthToken: wireToken})
	env.SkipIfReal(t, "moves the emulator's clock and injects failures")
	for _, sub := range env.Client.SubmitBatchCreate(context.Background(), workspace.BatchCreateDesktopSnapshotReq{
		DesktopIds: env.DesktopIDs, DiskType: workspace.DiskTypeSystem}, workspace.SubmitHooks{}) {
		if sub.Err != nil {
			t.Fatal(sub.Err)
		}
		clock.step(time.Minute)
		if _, err := env.Client.WaitForJob(context.Background(), sub.JobID, workspace.WaitOptions{FirstPoll: time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	s := framework.SortedStrings(snapshotIDsOf(t, env, env.DesktopIDs))
	config := func(ids ...string) string {
		return env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids = %s
  timeouts     = { update = "2s" }
}
`, hclStrings(ids))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { finishNextRestoreJob(env, clock) },
				Config:    config(s[0]),
				Check:     resource.TestCheckResourceAttr(restoreAddr, "status", "SUCCESS"),
			},
			{
				Config:      config(s[0], s[1]),
				ExpectError: regexp.MustCompile(spacesMayWrap(`The update timeout passed while waiting for 1 of 1 batch-restore job.`)),
			},
			{
				// The update's job is in state, PENDING; not tainted, and owed nothing.
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(restoreAddr, "status", "PENDING"),
					resource.TestCheckResourceAttr(restoreAddr, "job_ids.#", "2"),
					checkRestoreCalls(env, 2, "the create and the update"),
				),
			},
			{
				PreConfig:    func() { clock.step(time.Minute) },
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(restoreAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(restoreAddr, "job_ids.#", "2"),
					resource.TestCheckResourceAttr(restoreAddr, "failed_desktops.%", "0"),
				),
			},
			{
				PreConfig: func() {
					env.Emulator.SetFaults(emulator.Faults{SubJobFailureRate: 1})
					finishNextRestoreJob(env, clock)
				},
				Config:      config(s[0], s[1], s[2]),
				ExpectError: regexp.MustCompile(`(?s)Unable to restore desktop snapshots.*Desktop [0-9a-f-]{36}.*` + spacesMayWrap(`failed in job`)),
			},
			{
				PreConfig:    func() { env.Emulator.SetFaults(emulator.Faults{}) },
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRestoreCalls(env, 3, "three runs"),
					resource.TestCheckResourceAttr(restoreAddr, "status", "PARTIAL_FAILURE"),
					resource.TestCheckResourceAttr(restoreAddr, "job_ids.#", "3"),
					resource.TestCheckResourceAttr(restoreAddr, "failed_desktops.%", "1"),
				),
			},
		},
	})
}

// The fleet form (examples/fleet): a matching batch and a restore of its
// snapshot maps. A desktop that joins adds a key to the maps, unknown at
// plan: that apply snapshots the joiner and stops the restore before any
// call; the next plan restores the joiner's snapshots and no other desktop's.
// Before the maps, a join replaced the restore and restored every desktop.
func TestAccSnapshotRestore_fleetJoinRestoresOnlyTheJoiner(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond, Seed: 41})
	env.SkipIfReal(t, "adds a desktop to the project and counts the emulator's batch-restore calls")
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)
	var seen []string
	config := matchingConfig(env, nil, "") + `
resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids_json = workspace_desktop_snapshot_batch.test.desktops_matching.snapshot_desktop_ids_json
}
`
	// The snapshots of desktops, read when the check runs.
	restoredOf := func(desktops func() []string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			return checkRestoredSince(t, env, mark, &seen, snapshotIDsOf(t, env, desktops())...)(s)
		}
	}
	var joiner string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRestoreCalls(env, 1, "the create"),
					restoredOf(func() []string { return env.DesktopIDs }),
				),
			},
			{
				PreConfig: func() {
					added, err := env.Emulator.AddDesktops(emulator.NewDesktop{})
					if err != nil {
						t.Fatal(err)
					}
					joiner = added[0].DesktopID
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("snapshot_ids_json").AtMapKey("1"), knownvalue.NotNull()),
					plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("snapshot_ids_json").AtMapKey("2")),
					plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
				}},
				ExpectError: regexp.MustCompile(`(?s)Provider produced inconsistent final plan.*` +
					regexp.QuoteMeta(restoreAddr) + `.*\.job_ids`),
			},
			{
				PreConfig: func() {
					if n := restoreCalls(env); n != 1 {
						t.Errorf("the apply of the join made %d batch-restore calls in all, want the create's 1", n)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRestoreCalls(env, 2, "the plan that showed the joiner's snapshots"),
					restoredOf(func() []string { return []string{joiner} }),
				),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
