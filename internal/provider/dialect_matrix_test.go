package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

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

// serviceDialects are the readings of what the API reference leaves open
// (§6, §9) that the emulator can play (internal/emulator/doc.go, "Dialects"):
// the provider must be right under each, and under all of them at once.
var serviceDialects = []struct {
	name    string
	dialect emulator.Dialect
}{
	{"documented guesses", emulator.Dialect{}},
	{"job times UTC+8", emulator.Dialect{JobTimeOffset: 8 * time.Hour}},
	{"job times UTC-5:30", emulator.Dialect{JobTimeOffset: -5*time.Hour - 30*time.Minute}},
	{"entity is the desktop", emulator.Dialect{SubJobEntity: emulator.SubJobEntityDesktop}},
	{"entity empty", emulator.Dialect{SubJobEntity: emulator.SubJobEntityEmpty}},
	{"not found is 400 WKS.0001", emulator.Dialect{NotFound: emulator.NotFound400}},
	{"sub-jobs oldest first", emulator.Dialect{SubJobOrder: emulator.SubJobOrderOldest}},
	{"restore job type restoreWksSnapshot", emulator.Dialect{RestoreJobType: "restoreWksSnapshot"}},
	{"429 without Retry-After", emulator.Dialect{NoRetryAfter: true}},
	{"user_name fuzzy", emulator.Dialect{UserNameMatch: emulator.UserNameMatchFuzzy}},
	{"pages capped at 7", emulator.Dialect{ListPageCap: 7}},
	{"restore and delete sub-jobs without desktop_id", emulator.Dialect{SubJobEntities: emulator.SubJobEntitiesCreateOnly}},
	{"ShowJob lists 3 sub-jobs, sub_jobs_total says so", emulator.Dialect{ShowJobSubJobsCap: 3}},
	{"ShowJob lists 3 sub-jobs, no sub_jobs_total", emulator.Dialect{ShowJobSubJobsCap: 3, ShowJobOmitTotal: true}},
	{"all of them", emulator.Dialect{JobTimeOffset: 8 * time.Hour, SubJobEntity: emulator.SubJobEntityDesktop,
		NotFound: emulator.NotFound400, SubJobOrder: emulator.SubJobOrderOldest, RestoreJobType: "restoreWksSnapshot", NoRetryAfter: true,
		UserNameMatch: emulator.UserNameMatchFuzzy, ListPageCap: 7, SubJobEntities: emulator.SubJobEntitiesCreateOnly,
		ShowJobSubJobsCap: 3, ShowJobOmitTotal: true}},
}

// loseAnswer makes the service act on the next request of op and close the
// connection without answering.
func loseAnswer(env *testAccEnv, op string) {
	env.Emulator.SetFaults(emulator.Faults{Scripted: map[string][]string{op: {emulator.ScriptedDrop}}})
}

// loseAnswerAndThrottle is loseAnswer, and the next list and job reads are
// throttled once each (429, with or without Retry-After as the dialect says).
func loseAnswerAndThrottle(env *testAccEnv, op string) {
	env.Emulator.SetFaults(emulator.Faults{Scripted: map[string][]string{
		op:                    {emulator.ScriptedDrop},
		"ListDesktopSnapshot": {emulator.ScriptedThrottle},
		"ShowJob":             {emulator.ScriptedThrottle},
	}})
}

// answersLost counts the answers loseAnswer made the emulator lose for op.
func answersLost(env *testAccEnv, op string) int {
	return env.Emulator.Stats().InjectedFaultsByOperation[op]["drop"]
}

// checkJobCount checks how many jobs of a type the emulator holds.
func checkJobCount(env *testAccEnv, jobType string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(env.Emulator.JobIDs(jobType)); got != want {
			return fmt.Errorf("%d %s jobs, want %d", got, jobType, want)
		}
		return nil
	}
}

// TestAccDialectMatrix runs a batch's whole life under every dialect: a
// 40-desktop apply whose answer is lost (and whose reads are throttled)
// leaves exactly one job and one record per desktop and disk, in state and
// in the service; the next plan is empty; a restore whose answer is lost
// runs once; importing either gives the same state; snapshots deleted out
// of band drop out of state; and a destroy whose answer is lost leaves none.
func TestAccDialectMatrix(t *testing.T) {
	for _, tc := range serviceDialects {
		t.Run(tc.name, func(t *testing.T) {
			parallelUnlessReal(t)
			env := newTestAccEnv(t, emulator.Config{Desktops: 42, Seed: 8, JobDuration: 300 * time.Millisecond, Dialect: tc.dialect})
			env.SkipIfReal(t, "plays the emulator's dialects")
			env.StateJobTimeZone(t)                             // step 4 imports
			ids := framework.SortedStrings(env.DesktopIDs[:40]) // as an import records them
			restoreType := tc.dialect.RestoreJobType
			if restoreType == "" {
				restoreType = workspace.JobTypeRestoreSnapshot
			}
			withRestore := batchConfig(env, ids, "") + fmt.Sprintf(`
resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids = keys(%s.snapshot_desktop_ids)
}
`, batchAddr)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: resource.ComposeAggregateTestCheckFunc(
					checkSnapshotsGone(t, env, ids),
					func(*terraform.State) error {
						if n := answersLost(env, "BatchDeleteDesktopSnapshot"); n != 1 {
							return fmt.Errorf("the destroy lost %d answers, want 1: the test proves nothing", n)
						}
						return nil
					},
					// The out-of-band delete's job and the destroy's one: its lost
					// answer was not followed by a second delete of the same snapshots.
					checkJobCount(env, workspace.JobTypeDeleteSnapshot, 2),
				),
				Steps: []resource.TestStep{
					{
						PreConfig: func() { loseAnswerAndThrottle(env, "BatchCreateDesktopSnapshot") },
						Config:    batchConfig(env, ids, ""),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
							statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(80)),
							checkSnapshotsMatchService(env, ids),
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							checkJobCount(env, workspace.JobTypeCreateSnapshot, 1),
							checkSnapshotCount(t, env, ids, 80, "%d records, want one per desktop and disk"),
							func(*terraform.State) error {
								if n := answersLost(env, "BatchCreateDesktopSnapshot"); n != 1 {
									return fmt.Errorf("%d create answers lost, want 1", n)
								}
								if n := env.Emulator.Stats().InjectedFaults["throttle"]; n != 2 {
									return fmt.Errorf("%d requests throttled, want 2: the test proves nothing", n)
								}
								return nil
							},
						),
					},
					{
						Config:           batchConfig(env, ids, ""),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
					{
						PreConfig: func() { loseAnswer(env, "BatchRestoreDesktopSnapshot") },
						Config:    withRestore,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
							statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("failed_desktops"), knownvalue.MapSizeExact(0)),
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							checkJobCount(env, restoreType, 1),
							func(*terraform.State) error {
								if n := answersLost(env, "BatchRestoreDesktopSnapshot"); n != 1 {
									return fmt.Errorf("%d restore answers lost, want 1", n)
								}
								return nil
							},
						),
					},
					{
						// Import, which has no baseline and reads the restored
						// snapshots from the records, gives the same state.
						ResourceName:            batchAddr,
						ImportState:             true,
						ImportStateVerify:       true,
						ImportStateVerifyIgnore: []string{"system_disk_snapshot", "data_disk_snapshot", "timeouts"},
					},
					{
						ResourceName:            restoreAddr,
						ImportState:             true,
						ImportStateVerify:       true,
						ImportStateVerifyIgnore: []string{"triggers", "timeouts"},
					},
					{
						// Three desktops' snapshots deleted outside Terraform drop
						// out of the batch; the destroy's answer will be lost.
						PreConfig: func() {
							deleteOutOfBand(t, env, snapshotIDsOf(t, env, ids[:3]))
							loseAnswer(env, "BatchDeleteDesktopSnapshot")
						},
						Config: withRestore,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(74)),
							checkSnapshotsMatchService(env, ids),
						},
					},
				},
			})
		})
	}
}

// deleteOutOfBand deletes snapshots through the API and waits.
func deleteOutOfBand(t *testing.T, env *testAccEnv, snapshotIDs []string) {
	t.Helper()
	ctx := context.Background()
	var jobs []string
	for _, sub := range env.Client.SubmitBatchDelete(ctx, snapshotIDs, workspace.SubmitHooks{}) {
		if sub.Err != nil {
			t.Fatal(sub.Err)
		}
		jobs = append(jobs, sub.JobID)
	}
	if _, err := env.Client.WaitForJobs(ctx, jobs, workspace.WaitOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestAccAmbiguousCreateMinutesAfterAnotherJobStartsANewOne: a batch-create
// answered 5xx (the service did not act) three minutes after another job
// over the same desktops must start a job of its own, not adopt the earlier
// one, whatever the zone of job times and though the service's clock is
// ahead of ours (Date headers).
func TestAccAmbiguousCreateMinutesAfterAnotherJobStartsANewOne(t *testing.T) {
	for _, tc := range serviceDialects[:3] { // UTC, UTC+8 and UTC-5:30 job times
		t.Run(tc.name, func(t *testing.T) {
			parallelUnlessReal(t)
			clock := &steppedClock{}
			env := newTestAccEnv(t, emulator.Config{Desktops: 3, Seed: 4, Now: clock.now, Dialect: tc.dialect})
			env.SkipIfReal(t, "moves the emulator's clock and scripts a 5xx")
			ids := env.DesktopIDs
			earlier := submitJob(t, env, ids)
			before := map[string]bool{}
			for _, id := range snapshotIDsOf(t, env, ids) {
				before[id] = true
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					PreConfig: func() {
						clock.step(3 * time.Minute)
						env.Emulator.SetFaults(emulator.Faults{Scripted: map[string][]string{"BatchCreateDesktopSnapshot": {emulator.Scripted5xx}}})
					},
					Config: batchConfig(env, ids, ""),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(2*len(ids))),
					},
					Check: resource.ComposeAggregateTestCheckFunc(
						checkJobCount(env, workspace.JobTypeCreateSnapshot, 2),
						func(s *terraform.State) error {
							attrs := s.RootModule().Resources[batchAddr].Primary.Attributes
							if attrs["job_ids.0"] == earlier {
								return fmt.Errorf("the batch adopted %s, a job that began three minutes before it was sent", earlier)
							}
							for key := range attrs {
								if id, ok := strings.CutPrefix(key, "snapshot_desktop_ids."); ok && before[id] {
									return fmt.Errorf("the batch holds %s, a snapshot of the earlier job", id)
								}
							}
							return nil
						},
					),
				}},
			})
		})
	}
}
