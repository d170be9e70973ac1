package provider

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// recordsByDesktop lists the service's records of the desktops, by desktop.
func recordsByDesktop(t *testing.T, env *testAccEnv, ids []string) map[string][]string {
	t.Helper()
	recs, err := env.Client.ListAllDesktopSnapshots(t.Context(), workspace.ListDesktopSnapshotRequest{DesktopIds: ids})
	if err != nil {
		t.Fatalf("listing snapshots: %v", err)
	}
	out := map[string][]string{}
	for _, r := range recs {
		out[r.DesktopId] = append(out[r.DesktopId], r.SnapshotId)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// writes counts the emulator's batch POSTs by operation.
func writes(env *testAccEnv) (creates, deletes, restores int) {
	ops := env.Emulator.Stats().RequestsByOperation
	return ops["BatchCreateDesktopSnapshot"], ops["BatchDeleteDesktopSnapshot"], ops["BatchRestoreDesktopSnapshot"]
}

// recordWatch checks a step's batch writes and which desktops' records
// changed, against what it saw before the step (snapshot, in PreConfig).
type recordWatch struct {
	t                          *testing.T
	env                        *testAccEnv
	desktops                   []string
	before                     map[string][]string
	creates, deletes, restores int
}

func (w *recordWatch) snapshot() {
	w.before = recordsByDesktop(w.t, w.env, w.desktops)
	w.creates, w.deletes, w.restores = writes(w.env)
}

// expect says what is wrong, if anything: the writes since the snapshot
// must be creates batch-creates and deletes batch-deletes, no restore; the
// snapshotted desktops must have 2 new records, the deleted none, and the
// others the same.
func (w *recordWatch) expect(creates, deletes int, snapshotted, deleted []string) error {
	c, del, r := writes(w.env)
	if c-w.creates != creates || del-w.deletes != deletes || r != w.restores {
		return fmt.Errorf("writes: %d batch-create, %d batch-delete, %d restore; want %d, %d, 0",
			c-w.creates, del-w.deletes, r-w.restores, creates, deletes)
	}
	after := recordsByDesktop(w.t, w.env, w.desktops)
	for _, desktop := range w.desktops {
		switch {
		case slices.Contains(snapshotted, desktop):
			if len(after[desktop]) != len(w.before[desktop])+2 {
				return fmt.Errorf("desktop %s: %d records, want 2 new beside %d", desktop, len(after[desktop]), len(w.before[desktop]))
			}
		case slices.Contains(deleted, desktop):
			if len(after[desktop]) != 0 {
				return fmt.Errorf("desktop %s left the batch but keeps records %v", desktop, after[desktop])
			}
		case !slices.Equal(after[desktop], w.before[desktop]):
			return fmt.Errorf("desktop %s was touched: records %v, were %v", desktop, after[desktop], w.before[desktop])
		}
	}
	return nil
}

// Desktops join and leave a batch in place, and only they are touched:
// checked through the emulator's own records (which desktops got a new
// snapshot, which records were deleted) and its write calls.
func TestAccSnapshotBatch_membershipChangesInPlace(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 5, JobDuration: 300 * time.Millisecond, Seed: 12})
	env.SkipIfReal(t, "counts the emulator's write calls")
	d := env.DesktopIDs
	all := d
	watch := &recordWatch{t: t, env: env, desktops: all}
	snapshotBefore := watch.snapshot
	var firstID string
	// expect checks the step's writes and which desktops' records changed.
	expect := func(creates, deletes int, snapshotted, deleted []string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			if err := watch.expect(creates, deletes, snapshotted, deleted); err != nil {
				return err
			}
			attrs := s.RootModule().Resources[batchAddr].Primary.Attributes
			if attrs["id"] != firstID {
				return fmt.Errorf("the batch's id changed from %s to %s", firstID, attrs["id"])
			}
			return nil
		}
	}
	held := func(n int) resource.TestCheckFunc {
		return resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", fmt.Sprint(2*n)),
			resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"))
	}
	inPlace := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate)}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, all),
		Steps: []resource.TestStep{
			{
				Config: batchConfig(env, d[:3], ""),
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources[batchAddr].Primary.Attributes["id"]
					return nil
				},
			},
			{ // one joins
				PreConfig:        snapshotBefore,
				Config:           batchConfig(env, d[:4], ""),
				ConfigPlanChecks: inPlace,
				Check: resource.ComposeAggregateTestCheckFunc(expect(1, 0, d[3:4], nil), held(4),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "2")),
			},
			{ // one leaves
				PreConfig:        snapshotBefore,
				Config:           batchConfig(env, []string{d[0], d[2], d[3]}, ""),
				ConfigPlanChecks: inPlace,
				Check:            resource.ComposeAggregateTestCheckFunc(expect(0, 1, nil, d[1:2]), held(3)),
			},
			{ // reordered: no call
				PreConfig:        snapshotBefore,
				Config:           batchConfig(env, []string{d[3], d[0], d[2]}, ""),
				ConfigPlanChecks: inPlace,
				Check:            resource.ComposeAggregateTestCheckFunc(expect(0, 0, nil, nil), held(3)),
			},
			{ // one joins, one leaves
				PreConfig:        snapshotBefore,
				Config:           batchConfig(env, []string{d[3], d[4], d[2]}, ""),
				ConfigPlanChecks: inPlace,
				Check: resource.ComposeAggregateTestCheckFunc(expect(1, 1, d[4:5], d[:1]), held(3),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "3")),
			},
		},
	})
}

// A membership update cut short (its timeout passes while the new job runs)
// loses no job: the job is in state, PENDING; the next refresh records what
// it made, and the next apply changes nothing and starts no job.
func TestAccSnapshotBatch_interruptedMembershipUpdateConverges(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 3)
	d := env.DesktopIDs
	running := proxy.rewriteJobStatus("running", "RUNNING")
	config := batchConfig(pe, d, `timeouts = { update = "3s" }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, d),
		Steps: []resource.TestStep{
			{Config: batchConfig(pe, d[:2], `timeouts = { update = "3s" }`)},
			{
				PreConfig:   func() { proxy.set(nil, running) },
				Config:      config,
				ExpectError: regexp.MustCompile(spacesMayWrap(`The update timeout passed`)),
			},
			{
				PreConfig:    proxy.clear,
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "2"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "6"),
					resource.TestCheckResourceAttr(batchAddr, "desktop_ids.#", "3"),
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionNoop),
				}},
				Check: func(*terraform.State) error {
					if c, _, _ := writes(env); c != 2 {
						return fmt.Errorf("%d batch-create calls, want 2: the interrupted update's job was started again", c)
					}
					return nil
				},
			},
		},
	})
}

// The plan of a membership change shows only what changes, and says what
// the apply will do.
func TestPlanMembership(t *testing.T) {
	ctx := t.Context()
	var sr fwresource.SchemaResponse
	newSnapshotBatchResource().Schema(ctx, fwresource.SchemaRequest{}, &sr)
	state := snapshotBatchModel{
		ID: types.StringValue("job-1"), JobIDs: framework.StringListValue([]string{"job-1"}), Status: types.StringValue(jobrun.StatusSuccess),
		DesktopIDs: framework.StringListValue([]string{"d1", "d2"}), DesktopsMatching: types.ObjectNull(desktopsMatchingType.AttrTypes), DiskType: types.StringValue(workspace.DiskTypeAll),
		SystemDiskSnapshot: types.ObjectNull(diskSnapshotType.AttrTypes), DataDiskSnapshot: types.ObjectNull(diskSnapshotType.AttrTypes),
		Triggers: types.MapNull(types.StringType), RetainOnDestroy: types.BoolValue(false), Timeouts: framework.NullTimeouts(ctx, batchTimeouts),
		FailedDesktops: framework.StringMapValue(nil),
	}
	held := newBatchSnapshots()
	held.add("d1", "s1", true)
	held.add("d1", "s1d", false)
	held.add("d2", "s2", true)
	held.add("d2", "s2d", false)
	held.setOn(&state)
	plan := func(desktops ...string) (*fwresource.ModifyPlanResponse, snapshotBatchModel) {
		t.Helper()
		resp := &fwresource.ModifyPlanResponse{Plan: tfsdk.Plan{Schema: sr.Schema}}
		if diags := resp.Plan.Set(ctx, &state); diags.HasError() {
			t.Fatal(diags)
		}
		planned := framework.StringListValue(desktops)
		added, removed := membershipChange(framework.StringsOf(ctx, state.DesktopIDs), desktops)
		planMembership(ctx, state, planned, added, removed, resp)
		var m snapshotBatchModel
		if diags := resp.Plan.Get(ctx, &m); diags.HasError() {
			t.Fatal(diags)
		}
		return resp, m
	}

	resp, m := plan("d1")
	if got := framework.StringMapOf(ctx, m.SnapshotDesktopIDs); len(got) != 2 || got["s1"] != "d1" || got["s1d"] != "d1" {
		t.Errorf("one leaves: snapshot_desktop_ids planned %v, want d1's two", got)
	}
	if m.Status.ValueString() != jobrun.StatusSuccess || len(framework.StringsOf(ctx, m.JobIDs)) != 1 {
		t.Errorf("one leaves: status %s, job_ids %s: want both as they were", m.Status, m.JobIDs)
	}
	if want := "2 snapshots of 1 leaving desktop to delete (d2)"; !strings.Contains(diagsText(resp.Diagnostics), want) {
		t.Errorf("one leaves: the plan says %q, want %q", diagsText(resp.Diagnostics), want)
	}

	resp, m = plan("d1", "d2", "d3")
	if !m.SnapshotDesktopIDs.IsUnknown() || !m.JobIDs.IsUnknown() || !m.Status.IsUnknown() {
		t.Errorf("one joins: snapshot_desktop_ids, job_ids and status must be known after apply")
	}
	system := m.SystemDiskSnapshotIDs.Elements()
	if len(system) != 3 || !system["d3"].IsUnknown() || system["d1"].Equal(types.StringValue("s1")) == false {
		t.Errorf("one joins: system_disk_snapshot_ids planned %v, want d1's and d2's as they were and d3's unknown", system)
	}
	if want := "1 desktop to snapshot (d3)"; !strings.Contains(diagsText(resp.Diagnostics), want) {
		t.Errorf("one joins: the plan says %q, want %q", diagsText(resp.Diagnostics), want)
	}
}

func diagsText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}

// Terraform 1.12+: the identity stays the creating job when a desktop joins
// and leaves, across the updates and a refresh (Terraform refuses an
// identity that changes), and the plan after is empty.
func TestAccSnapshotBatch_IdentityStaysThroughMembership(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond, Seed: 13})
	env.SkipIfReal(t, "changes which desktops a batch holds")
	d := env.DesktopIDs
	unchanged := newIdentityUnchanged(batchAddr)
	checks := []statecheck.StateCheck{unchanged}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, d),
		Steps: []resource.TestStep{
			{Config: batchConfig(env, d[:2], ""), ConfigStateChecks: checks},
			{Config: batchConfig(env, d, ""), ConfigStateChecks: checks,
				Check: resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "2")},
			{ // a refresh and an empty plan keep it
				Config:            batchConfig(env, d, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: checks,
			},
			{Config: batchConfig(env, d[1:], ""), ConfigStateChecks: checks},
			{
				Config:           batchConfig(env, d[1:], ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// With retain_on_destroy, a desktop that leaves keeps its snapshots in the
// service; the batch forgets them and deletes nothing.
func TestAccSnapshotBatch_leavingDesktopKeepsItsSnapshotsWithRetainOnDestroy(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 14})
	env.SkipIfReal(t, "leaves snapshots behind on purpose")
	d := env.DesktopIDs
	var kept []string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := countSnapshots(t, env, d); n != 4 {
				return fmt.Errorf("want all 4 records retained, found %d", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: batchConfig(env, d, "retain_on_destroy = true"),
				Check: func(*terraform.State) error {
					kept = recordsByDesktop(t, env, d)[d[1]]
					return nil
				},
			},
			{
				Config: batchConfig(env, d[:1], "retain_on_destroy = true"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "2"),
					resource.TestCheckResourceAttr(batchAddr, "system_disk_snapshot_ids.%", "1"),
					func(*terraform.State) error {
						if _, deletes, _ := writes(env); deletes != 0 {
							return fmt.Errorf("%d batch-delete calls, want none", deletes)
						}
						if got := recordsByDesktop(t, env, d)[d[1]]; !slices.Equal(got, kept) {
							return fmt.Errorf("the leaving desktop's records are %v, were %v", got, kept)
						}
						return nil
					},
				),
			},
		},
	})
}
