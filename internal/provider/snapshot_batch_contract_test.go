package provider

// The plan is the contract: an apply deletes and snapshots only what its
// plan showed, a listing that comes back short once moves nothing, and a
// refresh forgets no snapshot on one listing. Each case arms an emulator
// fault between the saved plan and its apply (plugin-testing applies the
// plan file it made), where a provider that trusted the apply's listing
// acted on it.

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// armFaults is a plan check that sets the emulator's scripted faults once
// the plan is made, so that they hit the apply (and its second plan) only.
type armFaults struct {
	env    *testAccEnv
	script map[string][]string
}

func (a armFaults) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	a.env.Emulator.SetFaults(emulator.Faults{Scripted: a.script})
}

// newDialectEnv is a fresh emulator of n desktops (jobs of 200 ms)
// speaking dialect, for tests that script its answers.
func newDialectEnv(t *testing.T, n int, seed int64, dialect emulator.Dialect) *testAccEnv {
	t.Helper()
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: n, JobDuration: 200 * time.Millisecond, Seed: seed, Dialect: dialect})
	env.SkipIfReal(t, "plays and scripts the emulator's answers")
	return env
}

// pageFaults scripts kind on the nth request (from 1) of op.
func pageFaults(op string, n int, kind string) map[string][]string {
	script := make([]string, n)
	script[n-1] = kind
	return map[string][]string{op: script}
}

// expectNoDeletes fails when any batch-delete was called since the count
// was taken.
func expectNoDeletes(env *testAccEnv, before *int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, del, _ := writes(env); del != *before {
			return fmt.Errorf("%d batch-delete calls in the apply, want 0: the plan deleted nothing", del-*before)
		}
		return nil
	}
}

// A saved plan of a matching batch, then one short desktop listing at
// apply: the apply deletes nothing and moves no desktop the plan did not.
// Pages are capped at 2, so 6 desktops take 3 pages. Before the plan was
// the contract, the apply's own listing (its 5th ListDesktops request here)
// decided: an empty page 2 made 2 desktops "leave", and their 4 snapshots
// were deleted.
func TestAccSnapshotBatch_shortListingAtApplyDeletesNothing(t *testing.T) {
	env := newDialectEnv(t, 6, 61, emulator.Dialect{ListPageCap: 2})
	d := env.DesktopIDs
	deletes := 0
	count := func() { _, deletes, _ = writes(env) }
	step := func(except []string, members []string, fault map[string][]string, extra ...string) resource.TestStep {
		return resource.TestStep{
			PreConfig: count,
			Config:    matchingConfig(env, except, "", extra...),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
				armFaults{env: env, script: fault},
			}},
			Check: resource.ComposeAggregateTestCheckFunc(expectNoDeletes(env, &deletes), checkPacked(members)),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, d),
		Steps: []resource.TestStep{
			{Config: matchingConfig(env, d[5:], "")},
			// Only retain_on_destroy changes; page 2 of the old apply's listing came back empty.
			step(d[5:], d[:5], pageFaults("ListDesktops", 5, emulator.ScriptedEmpty), "retain_on_destroy = false\n  timeouts = { update = \"20m\" }"),
			// d[1] leaves; the second plan's first page says the list ends there: the members past
			// it are looked up by ID and stay.
			step([]string{d[1], d[5]}, []string{d[0], d[2], d[3], d[4]}, pageFaults("ListDesktops", 1, emulator.ScriptedLowTotal)),
			// d[5] joins; the second plan's page 2 comes back empty: listed again, the same desktops.
			step(d[1:2], []string{d[0], d[2], d[3], d[4], d[5]}, pageFaults("ListDesktops", 2, emulator.ScriptedEmpty)),
			// d[4] leaves; a desktop is deleted between the second plan's pages, so one is skipped.
			step([]string{d[1], d[4]}, []string{d[0], d[2], d[3], d[5]}, pageFaults("ListDesktops", 2, emulator.ScriptedSkip)),
		},
	})
}

// A refresh forgets no snapshot after one short snapshot listing, and does
// not drop the batch after an empty one: a snapshot missing from the
// listing is looked up in its desktop's own list first.
func TestAccSnapshotBatch_refreshKeepsSnapshotsAfterShortListing(t *testing.T) {
	env := newDialectEnv(t, 4, 62, emulator.Dialect{ListPageCap: 4})
	d := env.DesktopIDs
	arm := func(kind string, n int) func() {
		return func() { env.Emulator.SetFaults(emulator.Faults{Scripted: pageFaults("ListDesktopSnapshot", n, kind)}) }
	}
	held := resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "8")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, d),
		Steps: []resource.TestStep{
			{Config: batchConfig(env, d, `disk_type = "ALL"`)},
			{PreConfig: arm(emulator.ScriptedShort, 1), RefreshState: true, Check: held},
			{PreConfig: arm(emulator.ScriptedEmpty, 1), RefreshState: true, Check: held},
			{PreConfig: arm(emulator.ScriptedLowTotal, 1), RefreshState: true, Check: held},
			{
				PreConfig: arm(emulator.ScriptedEmpty, 1),
				Config:    batchConfig(env, d, `disk_type = "ALL"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionNoop),
				}},
				Check: held,
			},
		},
	})
}

// The plan-time lookup of added desktops pages: a service that caps its
// pages below the 100 IDs asked for does not make the rest "unknown".
func TestAccSnapshotBatch_cappedLookupPages(t *testing.T) {
	env := newDialectEnv(t, 5, 63, emulator.Dialect{ListPageCap: 2})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: batchConfig(env, env.DesktopIDs, `disk_type = "SYSTEM_DISK"`), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}

// user_name is exact though the service matches it fuzzily: alice's batch
// does not take alice2's desktop.
func TestAccSnapshotBatch_userNameExactOnFuzzyService(t *testing.T) {
	env := newDialectEnv(t, 3, 64, emulator.Dialect{UserNameMatch: emulator.UserNameMatchFuzzy})
	d := env.DesktopIDs
	for i, user := range []string{"alice", "alice2", "bob"} {
		if _, err := env.Emulator.UpdateDesktop(d[i], emulator.DesktopUpdate{UserName: &user}); err != nil {
			t.Fatal(err)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, d),
		Steps: []resource.TestStep{
			{
				Config: matchingConfig(env, nil, `user_name = "alice"`),
				Check:  checkPacked(d[:1]),
			},
		},
	})
}

// A desktop that stops matching because it was renamed, reassigned or
// deleted leaves with its snapshots kept: only destroy deletes them. The
// batch's desktop list is known in the plan, so count over it works on
// the plan that changes it (count over it failed as "Invalid count argument"
// while an update planned the list unknown; for_each likewise).
func TestAccSnapshotBatch_implicitLeavesKeepSnapshots(t *testing.T) {
	env := newDialectEnv(t, 4, 65, emulator.Dialect{})
	d := env.DesktopIDs
	deletes := 0
	count := func() { _, deletes, _ = writes(env) }
	perDesktop := `
resource "terraform_data" "per_desktop" {
  count = length(jsondecode(workspace_desktop_snapshot_batch.test.desktops_matching.desktop_ids_json))
  input = keys(jsondecode(workspace_desktop_snapshot_batch.test.desktops_matching.desktop_ids_json))[count.index]
}
`
	config := matchingConfig(env, nil, `name_regex = "^WKSPC"`) + perDesktop
	renamed := "OTHER0001"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, d),
		Steps: []resource.TestStep{
			{Config: config, Check: checkPacked(d)},
			{
				PreConfig: func() {
					count()
					if _, err := env.Emulator.UpdateDesktop(d[3], emulator.DesktopUpdate{ComputerName: &renamed}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(expectNoDeletes(env, &deletes), checkPacked(d[:3]), checkFormer(d[3:4]),
					checkSnapshotCount(t, env, d[3:4], 2, "the renamed desktop keeps %d snapshots, want %d")),
			},
			{
				PreConfig: func() {
					count()
					if _, err := env.Emulator.DeleteDesktops(d[2]); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				Check:  resource.ComposeAggregateTestCheckFunc(expectNoDeletes(env, &deletes), checkPacked(d[:2])),
			},
			{ // no desktop matches: refused, nothing deleted
				Config:      matchingConfig(env, nil, `name_regex = "^none-"`) + perDesktop,
				ExpectError: regexp.MustCompile(`No desktop matches`),
			},
		},
	})
}

// addDesktopAfterPlan is a plan check that adds a desktop to the emulator
// once the plan is made, as one created between plan and apply.
type addDesktopAfterPlan struct{ env *testAccEnv }

func (a addDesktopAfterPlan) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if _, err := a.env.Emulator.AddDesktops(emulator.NewDesktop{}); err != nil {
		resp.Error = err
	}
}

// A desktop created between a saved plan and its apply is not snapshotted
// by that apply, which the plan did not show it in: Terraform stops the
// apply of the batch with nothing done, and the next plan shows it join.
func TestAccSnapshotBatch_desktopCreatedAfterPlanWaitsForNextPlan(t *testing.T) {
	env := newDialectEnv(t, 3, 66, emulator.Dialect{})
	d := env.DesktopIDs
	creates := 0
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			return checkSnapshotsGone(t, env, env.Emulator.DesktopIDs())(s)
		},
		Steps: []resource.TestStep{
			{Config: matchingConfig(env, d[2:], ""), Check: checkPacked(d[:2])},
			{ // d[2] joins in the plan; another desktop appears before the apply
				PreConfig: func() { creates, _, _ = writes(env) },
				Config:    matchingConfig(env, nil, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
					addDesktopAfterPlan{env: env},
				}},
				ExpectError: regexp.MustCompile(`inconsistent final plan`),
			},
			{ // nothing was snapshotted; this plan shows both joining
				PreConfig: func() {
					if c, _, _ := writes(env); c != creates {
						t.Errorf("%d batch-create calls in the stopped apply, want 0", c-creates)
					}
				},
				Config: matchingConfig(env, nil, ""),
				Check: func(s *terraform.State) error {
					return checkPacked(env.Emulator.DesktopIDs())(s)
				},
			},
		},
	})
}

// listedLateConfig is a listed batch whose desktop_ids come from a
// terraform_data that run replaces, so they are unknown when Terraform
// plans.
func listedLateConfig(env *testAccEnv, ids []string, run string) string {
	return env.ProviderConfig + fmt.Sprintf(`
resource "terraform_data" "ids" {
  input            = %s
  triggers_replace = [%q]
}

resource "workspace_desktop_snapshot_batch" "test" {
  desktop_ids = terraform_data.ids.output
  disk_type   = "SYSTEM_DISK"
}
`, hclStrings(ids), run)
}

// A listed batch whose desktop_ids are unknown at plan: the plan shows no
// snapshot going, so an apply at which the list turns out shorter deletes
// nothing (Terraform stops it), and the next plan, with the list known,
// shows the leaver.
func TestAccSnapshotBatch_desktopIDsUnknownAtPlanDeleteNothing(t *testing.T) {
	env := newDialectEnv(t, 3, 67, emulator.Dialect{})
	d := env.DesktopIDs
	deletes := 0
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, d),
		Steps: []resource.TestStep{
			{Config: listedLateConfig(env, d, "1"), Check: resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "3")},
			{
				PreConfig:   func() { _, deletes, _ = writes(env) },
				Config:      listedLateConfig(env, d[:2], "2"),
				ExpectError: regexp.MustCompile(`inconsistent final plan`),
			},
			{
				Config: listedLateConfig(env, d[:2], "2"),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						if _, del, _ := writes(env); del != deletes+1 {
							return fmt.Errorf("%d batch-delete calls since the stopped apply, want 1 (this plan's)", del-deletes)
						}
						return nil
					},
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "2")),
			},
		},
	})
}
