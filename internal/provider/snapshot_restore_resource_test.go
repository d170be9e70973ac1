package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

const restoreAddr = "workspace_desktop_snapshot_restore.test"

// restoreConfig snapshots the desktops' system disks and restores them.
func restoreConfig(env *testAccEnv, ids []string, triggers string) string {
	return batchConfig(env, ids, `disk_type = "SYSTEM_DISK"`) + fmt.Sprintf(`
resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids = keys(workspace_desktop_snapshot_batch.test.snapshot_desktop_ids)
  triggers     = { run = %q }
}
`, triggers)
}

func TestAccSnapshotRestore_basic(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond, Seed: 1, AuthToken: wireToken})
	env.StateJobTimeZone(t)
	ids := env.DesktopIDs
	jobs := statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: restoreConfig(env, ids, "1"),
				ConfigStateChecks: []statecheck.StateCheck{
					jobs.AddStateValue(restoreAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("failed_desktops"), knownvalue.MapSizeExact(0)),
				},
				// The service's own records, read as raw JSON: each restored.
				Check: func(*terraform.State) error {
					if env.Real {
						return nil
					}
					records := restoreRecords(t, env, ids)
					if len(records) != len(ids) {
						return fmt.Errorf("the service lists %d records of the desktops, want %d", len(records), len(ids))
					}
					for _, r := range records {
						if r.Status != "restore_success" || r.LastRestoreTime == "" {
							return fmt.Errorf("record %s is %q, last restored %q: want restore_success with a time", r.ID, r.Status, r.LastRestoreTime)
						}
					}
					return nil
				},
			},
			{
				Config:           restoreConfig(env, ids, "1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A new trigger restores again; the snapshots stay.
				Config: restoreConfig(env, ids, "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{jobs.AddStateValue(restoreAddr, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					if env.Real {
						return nil
					}
					if n := restoreCalls(env); n != 2 {
						return fmt.Errorf("want 2 batch-restore calls after the trigger changed, got %d", n)
					}
					return nil
				},
			},
			{
				ResourceName:            restoreAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"triggers", "timeouts"},
			},
			{
				// A batch-create job is not a restore.
				ResourceName: restoreAddr,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[batchAddr].Primary.Attributes["job_ids.0"], nil
				},
				ExpectError: regexp.MustCompile(spacesMayWrap(`is a "createWksSnapshot" job; import takes batch-restore job IDs \(any type but the snapshot create and delete ones`)),
			},
			{
				// Several restore jobs import as one restore of all their snapshots.
				ResourceName: restoreAddr,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					ids := s.RootModule().Resources[restoreAddr].Primary.Attributes["id"]
					var snapshots []string
					for k, v := range s.RootModule().Resources[batchAddr].Primary.Attributes {
						if id, ok := strings.CutPrefix(k, "snapshot_desktop_ids."); ok && id != "%" && v != "" {
							snapshots = append(snapshots, id)
						}
					}
					second := env.Client.SubmitBatchRestore(context.Background(), snapshots[:1], workspace.SubmitHooks{})
					if len(second) != 1 || second[0].JobID == "" {
						return "", fmt.Errorf("could not start a second restore job: %+v", second)
					}
					return ids + "," + second[0].JobID, nil
				},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("%d imported instances, want 1", len(states))
					}
					if got := states[0].Attributes["job_ids.#"]; got != "2" {
						return fmt.Errorf("job_ids.# = %s, want 2", got)
					}
					if got := states[0].Attributes["snapshot_ids.#"]; got != "3" {
						return fmt.Errorf("snapshot_ids.# = %s, want the 3 snapshots once each", got)
					}
					return nil
				},
			},
			{
				// Destroying the restore makes no API call; then the batch deletes its snapshots.
				Config: batchConfig(env, ids, `disk_type = "SYSTEM_DISK"`),
				Check: func(*terraform.State) error {
					if env.Real {
						return nil
					}
					// Two by the resource, one by the import step above.
					if n := restoreCalls(env); n != 3 {
						return fmt.Errorf("destroying the restore called batch-restore: %d calls", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSnapshotRestore_partialFailure(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 8, JobDuration: 300 * time.Millisecond, Seed: 5})
	env.SkipIfReal(t, "injects sub-job failures")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: batchConfig(env, env.DesktopIDs, `disk_type = "SYSTEM_DISK"`)},
			{
				PreConfig:   func() { env.Emulator.SetFaults(emulator.Faults{SubJobFailureRate: 0.5}) },
				Config:      restoreConfig(env, env.DesktopIDs, "1"),
				ExpectError: regexp.MustCompile(`(?s)Unable to restore desktop snapshots.*Desktop [0-9a-f-]{36}.*` + spacesMayWrap(`failed in job`)),
			},
			{
				PreConfig:          func() { env.Emulator.SetFaults(emulator.Faults{}) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTainted(restoreAddr),
					resource.TestCheckResourceAttr(restoreAddr, "job_ids.#", "1"),
					resource.TestMatchResourceAttr(restoreAddr, "status", regexp.MustCompile(`^(PARTIAL_FAILURE|FAILED)$`)),
					resource.TestMatchResourceAttr(restoreAddr, "failed_desktops.%", regexp.MustCompile(`^[1-8]$`)),
				),
			},
		},
	})
}

// restoreRecord is what a restore test reads of a snapshot record, from
// the wire as the service sends it.
type restoreRecord struct {
	ID              string `json:"snapshot_id"`
	Status          string `json:"status"`
	LastRestoreTime string `json:"last_restore_time"`
}

// restoreRecords lists the desktops' snapshot records as raw JSON.
func restoreRecords(t *testing.T, env *testAccEnv, desktopIDs []string) []restoreRecord {
	t.Helper()
	var page struct {
		Snapshots []restoreRecord `json:"desktop_snapshots"`
	}
	wireGet(t, env, "/snapshots?limit=1000&desktop_ids="+strings.Join(desktopIDs, "&desktop_ids="), &page)
	return page.Snapshots
}

func TestAccSnapshotRestore_badInput(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	const rule = `Attribute snapshot_ids_json\["all"\] must be a JSON array of snapshot ID strings, or a JSON object whose keys are snapshot IDs`
	for name, c := range map[string]struct{ body, want string }{
		"empty list":        {`snapshot_ids = []`, `snapshot_ids must name at least one snapshot ID, got an empty list`},
		"malformed id":      {`snapshot_ids = ["bad id"]`, `snapshot_ids.*must be a snapshot ID`},
		"invalid JSON":      {`snapshot_ids_json = { all = "[\"s-1\"," }`, rule + `.*got invalid JSON: unexpected end of JSON input`},
		"number":            {`snapshot_ids_json = { all = "42" }`, rule + `.*got a number\.`},
		"number element":    {`snapshot_ids_json = { all = jsonencode(["s-1", 7]) }`, rule + `.*got element \[1\], which is a number, not a string`},
		"nested array":      {`snapshot_ids_json = { all = jsonencode([["s-1"]]) }`, rule + `.*got element \[0\], which is an array, not a string`},
		"empty array":       {`snapshot_ids_json = { all = jsonencode([]) }`, `snapshot_ids_json must name at least one snapshot ID.*got 1 value, naming none`},
		"empty object":      {`snapshot_ids_json = { a = jsonencode({}), b = "[]" }`, `snapshot_ids_json must name at least one snapshot ID.*got 2 values, naming none`},
		"empty map":         {`snapshot_ids_json = {}`, `snapshot_ids_json must name at least one snapshot ID.*got 0 values, naming none`},
		"malformed json id": {`snapshot_ids_json = { all = jsonencode(["s-1", "bad id"]) }`, rule + `.*got element \[1\], "bad id", which is not a snapshot ID`},
		"malformed key":     {`snapshot_ids_json = { all = jsonencode({ "bad id" = "d-1" }) }`, rule + `.*got the key "bad id", which is not a snapshot ID`},
		"both": {
			"snapshot_ids = [\"s-1\"]\nsnapshot_ids_json = { all = jsonencode([\"s-1\"]) }",
			`2 attributes specified when one \(and only one\) of \[snapshot_ids_json\] is required`,
		},
		"neither": {`triggers = { run = "1" }`, `No attribute specified when one \(and only one\) of \[snapshot_ids_json\] is required`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      env.ProviderConfig + "resource \"workspace_desktop_snapshot_restore\" \"test\" {\n" + c.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile("(?s)" + spacesMayWrap(c.want)),
				}},
			})
		})
	}
}

// A restore cut short by its timeout keeps its job in state as PENDING (as
// the batch does), and the next refresh records the job's outcome.
func TestAccSnapshotRestore_timeoutKeepsJobThenRefreshRecordsIt(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 30 * time.Second, Seed: 1, Now: clock.now})
	env.SkipIfReal(t, "moves the emulator's clock")
	ids := env.DesktopIDs
	// Snapshot out of band, moving the emulator's clock past the job.
	var snapshots []string
	for _, sub := range env.Client.SubmitBatchCreate(context.Background(), workspace.BatchCreateDesktopSnapshotReq{
		DesktopIds: ids, DiskType: workspace.DiskTypeSystem}, workspace.SubmitHooks{}) {
		if sub.Err != nil {
			t.Fatal(sub.Err)
		}
		clock.step(time.Minute)
		if _, err := env.Client.WaitForJob(context.Background(), sub.JobID, workspace.WaitOptions{FirstPoll: time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	snapshots = snapshotIDsOf(t, env, ids)
	config := env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids = %s
  timeouts     = { create = "2s" }
}
`, hclStrings(snapshots))
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(spacesMayWrap(`The create timeout passed while waiting for 1 of 1 batch-restore job.`)),
			},
			{
				// Still running: the refresh keeps it PENDING with its job.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(restoreAddr, "status", "PENDING"),
					resource.TestCheckResourceAttr(restoreAddr, "job_ids.#", "1"),
					resource.TestCheckResourceAttr(restoreAddr, "failed_desktops.%", "0"),
				),
			},
			{
				// The job ends; the next refresh records its outcome, no new job.
				PreConfig:          func() { clock.step(time.Minute) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // the failed apply left it tainted
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(restoreAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(restoreAddr, "failed_desktops.%", "0"),
					func(*terraform.State) error {
						if jobs := mark.started(); len(jobs) != 1 {
							return fmt.Errorf("the service started restore jobs %v, want exactly one", jobs)
						}
						return nil
					},
				),
			},
		},
	})
}

// restoreJSONConfig snapshots the desktops (both disks) and restores with
// the given argument, which may use local.snapshots, the batch's
// snapshot_desktop_ids.
func restoreJSONConfig(env *testAccEnv, ids []string, argument string) string {
	return batchConfig(env, ids, "") + fmt.Sprintf(`
locals {
  snapshots = workspace_desktop_snapshot_batch.test.snapshot_desktop_ids
}

resource "workspace_desktop_snapshot_restore" "test" {
  %s
}
`, argument)
}

// batchSnapshotDesktops reads the batch's snapshot_desktop_ids from state.
func batchSnapshotDesktops(s *terraform.State) map[string]string {
	out := map[string]string{}
	for k, v := range s.RootModule().Resources[batchAddr].Primary.Attributes {
		if id, ok := strings.CutPrefix(k, "snapshot_desktop_ids."); ok && id != "%" {
			out[id] = v
		}
	}
	return out
}

// restoredByJobs reads which snapshots the restore jobs restored from
// their sub-jobs' entity (the emulator's default dialect: the desktop's
// snapshot IDs, comma-joined), with a count per snapshot.
func restoredByJobs(t *testing.T, env *testAccEnv, jobIDs []string) map[string]int {
	t.Helper()
	return countOutcomes(t, env, jobIDs, func(o workspace.DesktopOutcome) []string { return strings.Split(o.Entity, ",") })
}

// snapshot_ids_json names the same snapshots as snapshot_ids: the restore
// restores exactly the keys of the batch's map, the state keeps the string
// as given, the same IDs in another form update in place with no API call,
// fewer IDs too, and IDs added are restored in place, only those.
func TestAccSnapshotRestore_snapshotIDsJSON(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 4, JobDuration: 300 * time.Millisecond, Seed: 1, AuthToken: wireToken})
	env.SkipIfReal(t, "reads the emulator's records and jobs")
	env.StateJobTimeZone(t) // for the import step
	ids := env.DesktopIDs[:3]
	// Snapshots the restore must leave alone: all four desktops', before the batch.
	snapshotDesktops(t, env, env.DesktopIDs, workspace.DiskTypeSystem, testAccName("before"))
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)
	var first []string // the first restore's jobs

	// exactlyRestored checks that the restore jobs started since the mark,
	// after skip of them, restored the snapshots want gives, each once.
	exactlyRestored := func(skip int, want func(map[string]string) map[string]string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			jobs := mark.started()
			if len(jobs) != skip+1 {
				return fmt.Errorf("the service started restore jobs %v, want %d", jobs, skip+1)
			}
			var fresh []string
			for _, j := range jobs {
				if !slices.Contains(first, j) {
					fresh = append(fresh, j)
				}
			}
			if skip == 0 {
				first = fresh
			}
			wantIDs := want(batchSnapshotDesktops(s))
			got := restoredByJobs(t, env, fresh)
			if len(got) != len(wantIDs) {
				return fmt.Errorf("job %v restored %v, want the %d snapshots %v", fresh, got, len(wantIDs), wantIDs)
			}
			for id := range wantIDs {
				if got[id] != 1 {
					return fmt.Errorf("job %v restored %v, want each of %v once", fresh, got, wantIDs)
				}
			}
			return nil
		}
	}
	all := func(m map[string]string) map[string]string { return m }
	jsonSet := statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("snapshot_ids"), knownvalue.Null())
	noNewRestore := func(*terraform.State) error {
		if n := restoreCalls(env); n != 1 {
			return fmt.Errorf("naming the same snapshots otherwise called batch-restore: %d calls, want 1", n)
		}
		return nil
	}
	objectConfig := restoreJSONConfig(env, ids, `snapshot_ids_json = { all = jsonencode(local.snapshots) }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: objectConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					jsonSet,
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("snapshot_ids_json").AtMapKey("all"), knownvalue.StringRegexp(regexp.MustCompile(`^\{"`))),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					exactlyRestored(0, all),
					// The service's records: the batch's restored, the earlier ones not.
					func(s *terraform.State) error {
						want := batchSnapshotDesktops(s)
						if len(want) < len(ids) {
							return fmt.Errorf("the batch holds %v, want a snapshot of each of %v at least", want, ids)
						}
						records := restoreRecords(t, env, env.DesktopIDs)
						if len(records) != len(want)+len(env.DesktopIDs) {
							return fmt.Errorf("the service lists %d records, want %d", len(records), len(want)+len(env.DesktopIDs))
						}
						for _, r := range records {
							_, inBatch := want[r.ID]
							if restored := r.Status == "restore_success" && r.LastRestoreTime != ""; restored != inBatch {
								return fmt.Errorf("record %s is %q, last restored %q; in the batch: %t", r.ID, r.Status, r.LastRestoreTime, inBatch)
							}
						}
						return nil
					},
				),
			},
			{
				Config:           objectConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The same IDs as an array: in place, no API call.
				Config: restoreJSONConfig(env, ids, `snapshot_ids_json = { all = jsonencode(reverse(keys(local.snapshots))) }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					jsonSet,
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("snapshot_ids_json").AtMapKey("all"), knownvalue.StringRegexp(regexp.MustCompile(`^\["`))),
				},
				Check: noNewRestore,
			},
			{
				// The same IDs in snapshot_ids: in place, no API call.
				Config: restoreJSONConfig(env, ids, `snapshot_ids = keys(local.snapshots)`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("snapshot_ids_json"), knownvalue.Null()),
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("snapshot_ids"), knownvalue.NotNull()),
				},
				Check: noNewRestore,
			},
			{
				// Fewer snapshots (the first desktop's left out): in place, no
				// API call, since a restore cannot be undone.
				Config: restoreJSONConfig(env, ids, fmt.Sprintf(
					`snapshot_ids_json = { all = jsonencode({ for id, desktop in local.snapshots : id => desktop if desktop != %q }) }`, ids[0])),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{jsonSet},
				Check:             noNewRestore,
			},
			{
				// The first desktop's snapshots named again are new to the
				// restore: an in-place update restores them, only them.
				Config: objectConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					jsonSet,
					statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(2)),
				},
				Check: exactlyRestored(1, func(m map[string]string) map[string]string {
					out := map[string]string{}
					for id, desktop := range m {
						if desktop == ids[0] {
							out[id] = desktop
						}
					}
					return out
				}),
			},
			{
				// An import names the snapshots in snapshot_ids.
				ResourceName: restoreAddr,
				ImportState:  true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("%d imported instances, want 1", len(states))
					}
					a := states[0].Attributes
					if a["snapshot_ids.#"] == "" || a["snapshot_ids.#"] == "0" || a["snapshot_ids_json.%"] != "" {
						return fmt.Errorf("imported snapshot_ids.# = %q, snapshot_ids_json = %q; want the list, no JSON", a["snapshot_ids.#"], a["snapshot_ids_json.%"])
					}
					return nil
				},
			},
		},
	})
}
