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
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

const batchAddr = "workspace_desktop_snapshot_batch.test"

// batchConfig names the snapshots of every disk it takes with
// testAccNamePrefix, so a sweep finds what an interrupted real-cloud run left.
func batchConfig(env *testAccEnv, ids []string, extra string) string {
	dataDisk := fmt.Sprintf("data_disk_snapshot = { name = %q }", testAccName("acc"))
	if strings.Contains(extra, `"SYSTEM_DISK"`) { // takes no data disk settings
		dataDisk = ""
	}
	return env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_batch" "test" {
  desktop_ids = %s
  system_disk_snapshot = {
    name        = %q
    description = "acceptance test"
  }
  %s
%s
}
`, hclStrings(ids), testAccName("acc"), dataDisk, extra)
}

func TestAccSnapshotBatch_basic(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 500 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:3]
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				Config: batchConfig(env, ids, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("disk_type"), knownvalue.StringExact("ALL")),
					// ALL: one system and one data disk record per desktop.
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(6)),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("system_disk_snapshot_ids"), knownvalue.MapSizeExact(3)),
					// What state holds is what the service made: each desktop's records, by disk.
					checkSnapshotsMatchService(env, ids),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("failed_desktops"), knownvalue.MapSizeExact(0)),
				},
			},
			{
				Config:           batchConfig(env, ids, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Order and repeats do not matter: an update in place, no new job.
				Config: batchConfig(env, []string{ids[2], ids[0], ids[1], ids[0]}, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
					checkSnapshotsMatchService(env, ids),
				},
				Check: func(*terraform.State) error {
					if env.Real {
						return nil
					}
					if n := createCalls(env); n != 1 {
						return fmt.Errorf("%d batch-create calls, want the first one only", n)
					}
					return nil
				},
			},
			{
				// A desktop leaves: its snapshots go, in place; the others stay.
				Config: batchConfig(env, ids[:2], ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{checkSnapshotsMatchService(env, ids[:2])},
				Check:             checkSnapshotsGone(t, env, ids[2:]),
			},
		},
	})
}

func TestAccSnapshotBatch_triggersReplace(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:2]
	jobIDs := statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				Config:            batchConfig(env, ids, `triggers = { night = "1" }`),
				ConfigStateChecks: []statecheck.StateCheck{jobIDs.AddStateValue(batchAddr, tfjsonpath.New("id"))},
			},
			{
				Config: batchConfig(env, ids, `triggers = { night = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					jobIDs.AddStateValue(batchAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(4)),
				},
				// The replaced batch's snapshots were deleted: only the new ones remain.
				Check: checkSnapshotCount(t, env, ids, 4, "want 4 snapshot records after replacement, found %d"),
			},
		},
	})
}

func TestAccSnapshotBatch_outOfBandDeletionRecreates(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:2]
	deleteAll := func() {
		ctx := context.Background()
		recs, err := env.Client.ListAllDesktopSnapshots(ctx, workspace.ListDesktopSnapshotRequest{DesktopIds: ids})
		if err != nil {
			t.Fatal(err)
		}
		var snapIDs []string
		for _, r := range recs {
			snapIDs = append(snapIDs, r.SnapshotId)
		}
		for _, s := range env.Client.SubmitBatchDelete(ctx, snapIDs, workspace.SubmitHooks{}) {
			if s.Err != nil {
				t.Fatal(s.Err)
			}
			if _, err := env.Client.WaitForJob(ctx, s.JobID, workspace.WaitOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: batchConfig(env, ids, "")},
			{
				PreConfig: deleteAll,
				Config:    batchConfig(env, ids, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(4)),
				},
			},
		},
	})
}

func TestAccSnapshotBatch_retainOnDestroy(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:1]
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := countSnapshots(t, env, ids); n != 2 {
				return fmt.Errorf("retain_on_destroy: want the 2 snapshot records kept, found %d", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: batchConfig(env, ids, "")},
			{
				// Switching retain_on_destroy on is an in-place update, not a new snapshot.
				Config: batchConfig(env, ids, "retain_on_destroy = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

func TestAccSnapshotBatch_chunksAbove100(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 250, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.SkipIfReal(t, "counts API calls")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, env.DesktopIDs),
		Steps: []resource.TestStep{{
			Config: batchConfig(env, env.DesktopIDs, `disk_type = "SYSTEM_DISK"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(250)),
			},
			Check: func(*terraform.State) error {
				if n := env.Emulator.Stats().RequestsByOperation["BatchCreateDesktopSnapshot"]; n != 3 {
					return fmt.Errorf("250 desktops: want exactly 3 batch-create calls, got %d", n)
				}
				return nil
			},
		}},
	})
}

// Exactly 100 desktops are one batch-create; a 101st joins in place with a
// batch-create of its own, and the first 100 keep their snapshots.
func TestAccSnapshotBatch_exactly100Then101Desktops(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 101, JobDuration: 300 * time.Millisecond, Seed: 2})
	env.SkipIfReal(t, "needs 101 desktops and counts API calls")
	ids := env.DesktopIDs
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				Config: batchConfig(env, ids[:100], `disk_type = "SYSTEM_DISK"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
					checkSnapshotsMatchService(env, ids),
				},
				Check: func(*terraform.State) error {
					if n := createCalls(env); n != 1 {
						return fmt.Errorf("100 desktops: %d batch-create calls, want 1", n)
					}
					return nil
				},
			},
			{
				// The 101st desktop joins: one more job, for it alone.
				Config: batchConfig(env, ids, `disk_type = "SYSTEM_DISK"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(101)),
					checkSnapshotsMatchService(env, ids),
				},
				Check: func(*terraform.State) error {
					if n := createCalls(env); n != 2 {
						return fmt.Errorf("101 desktops: %d batch-create calls in all, want 1 + 1", n)
					}
					return nil
				},
			},
		},
	})
}

// retain_on_destroy holds during a replacement too: the replaced batch's
// snapshots stay in the service, and the new batch tracks only its own.
// The replacement runs an hour later, as replacements do: two jobs of one
// name over one desktop within the same few seconds cannot be told apart by
// time (one-second create_time), and the batch would rather stay PENDING.
func TestAccSnapshotBatch_retainOnDestroyDuringReplacement(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, JobDuration: 300 * time.Millisecond, Seed: 1, Now: clock.now, MaxClockSkew: 24 * time.Hour})
	env.SkipIfReal(t, "leaves snapshots behind on purpose")
	ids := env.DesktopIDs[:1]
	config := func(run string) string {
		return batchConfig(env, ids, fmt.Sprintf("retain_on_destroy = true\ntriggers = { run = %q }", run))
	}
	var first map[string]string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := countSnapshots(t, env, ids); n != 4 {
				return fmt.Errorf("both batches retained: want 4 records, found %d", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config("1"),
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[batchAddr].Primary.Attributes
					return nil
				},
			},
			{
				PreConfig: func() { clock.step(time.Hour) },
				Config:    config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(2)),
				},
				Check: func(s *terraform.State) error {
					if n := countSnapshots(t, env, ids); n != 4 {
						return fmt.Errorf("after the replacement: want the old 2 records kept and 2 new, found %d", n)
					}
					now := s.RootModule().Resources[batchAddr].Primary.Attributes
					for k, v := range first {
						if strings.HasPrefix(k, "snapshot_desktop_ids.") && k != "snapshot_desktop_ids.%" && now[k] == v {
							return fmt.Errorf("the new batch tracks the replaced batch's snapshot %s", strings.TrimPrefix(k, "snapshot_desktop_ids."))
						}
					}
					return nil
				},
			},
		},
	})
}

func TestAccSnapshotBatch_partialFailureTaints(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 10, JobDuration: 300 * time.Millisecond, Seed: 3,
		Faults: emulator.Faults{SubJobFailureRate: 0.3}})
	env.SkipIfReal(t, "injects sub-job failures")
	ids := env.DesktopIDs
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				Config:      batchConfig(env, ids, ""),
				ExpectError: regexp.MustCompile(`(?s)Unable to create desktop snapshots.*Desktop [0-9a-f-]{36}.*` + spacesMayWrap(`failed in job`) + `.*Error code: WKS\.`),
			},
			{
				// The failed apply left a tainted resource holding its job and every record made.
				PreConfig:    func() { env.Emulator.SetFaults(emulator.Faults{}) },
				RefreshState: true,
				// A tainted resource plans a replacement.
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTainted(batchAddr),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "1"),
					resource.TestCheckResourceAttr(batchAddr, "status", "PARTIAL_FAILURE"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "20"),
					resource.TestMatchResourceAttr(batchAddr, "failed_desktops.%", regexp.MustCompile(`^[1-9]\d*$`)),
				),
			},
			{
				Config: batchConfig(env, ids, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				},
				// No leftovers from the failed attempt: exactly 2 good records per desktop.
				Check: func(*terraform.State) error {
					recs, err := env.Client.ListAllDesktopSnapshots(context.Background(), workspace.ListDesktopSnapshotRequest{DesktopIds: ids})
					if err != nil {
						return err
					}
					for _, r := range recs {
						if r.Status != workspace.SnapshotStatusCreateSuccess {
							return fmt.Errorf("leftover record %s with status %s", r.SnapshotId, r.Status)
						}
					}
					if len(recs) != 20 {
						return fmt.Errorf("want 20 records after the replacement, found %d", len(recs))
					}
					return nil
				},
			},
		},
	})
}

func TestAccSnapshotBatch_completeParentWithFailedSubJobsFails(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 10, JobDuration: 300 * time.Millisecond, Seed: 3,
		Faults: emulator.Faults{SubJobFailureRate: 0.3, CompleteWithFailedSubJobs: true}})
	env.SkipIfReal(t, "injects sub-job failures")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      batchConfig(env, env.DesktopIDs, ""),
				ExpectError: regexp.MustCompile(`(?s)` + spacesMayWrap(`failed in job [0-9a-f-]{36} with status \w+ \(the job ended COMPLETE\)`)),
			},
			{
				// Never recorded as a success: the batch is tainted and replaced.
				PreConfig: func() { env.Emulator.SetFaults(emulator.Faults{}) },
				Config:    batchConfig(env, env.DesktopIDs, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

// A create cut short by its timeout keeps its job in state as PENDING; while
// the job runs a refresh keeps it so, and the first refresh after it ended
// records what it made. Driven by the emulator's clock, not by sleeps.
func TestAccSnapshotBatch_timeoutKeepsJobs(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	// The clock runs far ahead of the client's once it runs fast: accept
	// any signing time.
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: time.Minute, Seed: 1, Now: clock.now, MaxClockSkew: 24 * time.Hour})
	env.SkipIfReal(t, "moves the emulator's clock")
	ids := env.DesktopIDs
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				Config:      batchConfig(env, ids, `timeouts = { create = "2s" }`),
				ExpectError: regexp.MustCompile(spacesMayWrap(`The create timeout passed while waiting for 1 of 1 batch-create job.`)),
			},
			{
				// The job still runs: the batch stays PENDING with its job ID.
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // tainted: a replacement is planned
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTainted(batchAddr),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "1"),
					resource.TestCheckResourceAttr(batchAddr, "status", "PENDING"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "0"),
				),
			},
			{
				// The job has ended: this refresh records its snapshots.
				PreConfig:          func() { runClockFast(t, clock) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "4"),
				),
			},
			{
				// The next apply replaces the tainted batch; its destroy deletes what the first job made.
				Config: batchConfig(env, ids, `timeouts = { create = "1m" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					checkSnapshotsMatchService(env, ids),
				},
			},
		},
	})
}

// runClockFast moves the emulator's clock a minute ahead, then on by ten
// seconds every 20 ms until the test ends, so its minute-long jobs end
// within a fraction of a second of real time. The emulator must accept the
// skew this makes (MaxClockSkew).
func runClockFast(t *testing.T, clock *steppedClock) {
	clock.step(time.Minute)
	stepClockEvery(t, clock, 20*time.Millisecond, 10*time.Second)
}

// stepClockEvery moves the emulator's clock on by step every tick of real
// time until the test ends.
func stepClockEvery(t *testing.T, clock *steppedClock, tick, step time.Duration) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		ticker := time.NewTicker(tick)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				clock.step(step)
			}
		}
	}()
}

func TestAccSnapshotBatch_import(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.StateJobTimeZone(t)
	// Import records desktop_ids sorted; a configuration in that order plans no change.
	ids := framework.SortedStrings(env.DesktopIDs[:2])
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: batchConfig(env, ids, "")},
			{
				ResourceName:      batchAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Names and descriptions are not recoverable from a job.
				ImportStateVerifyIgnore: []string{"system_disk_snapshot", "data_disk_snapshot", "timeouts"},
			},
			{
				ResourceName:  batchAddr,
				ImportState:   true,
				ImportStateId: "not a job id",
				ExpectError:   regexp.MustCompile(spacesMayWrap(`Expected one or more batch-create job IDs separated by commas`)),
			},
			{
				// A restore job is not a batch-create job.
				ResourceName: batchAddr,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					var snapshot string
					for k := range s.RootModule().Resources[batchAddr].Primary.Attributes {
						if id, ok := strings.CutPrefix(k, "snapshot_desktop_ids."); ok && id != "%" {
							snapshot = id
						}
					}
					subs := env.Client.SubmitBatchRestore(context.Background(), []string{snapshot}, workspace.SubmitHooks{})
					if len(subs) != 1 || subs[0].JobID == "" {
						return "", fmt.Errorf("could not start a restore job: %+v", subs)
					}
					return subs[0].JobID, nil
				},
				ExpectError: regexp.MustCompile(spacesMayWrap(`is a "restoreDesktopBySnapshot" job; import takes batch-create job IDs \(createWksSnapshot\)`)),
			},
		},
	})
}

func TestAccSnapshotBatch_badInput(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	id := env.DesktopIDs[0]
	cases := map[string]struct {
		body string
		want string
	}{
		"empty list":   {`desktop_ids = []`, `desktop_ids must name at least one desktop ID, got an empty list`},
		"blank id":     {`desktop_ids = [""]`, `desktop_ids.*must be a desktop ID`},
		"malformed id": {`desktop_ids = ["not an id!"]`, `desktop_ids.*must be a desktop ID`},
		"too long id":  {`desktop_ids = ["` + strings.Repeat("a", 37) + `"]`, `desktop_ids.*must be a desktop ID`},
		"disk type":    {fmt.Sprintf(`desktop_ids = [%q]`+"\n"+`disk_type = "BOTH"`, id), `disk_type.*SYSTEM_DISK`},
		"long name":    {fmt.Sprintf(`desktop_ids = [%q]`+"\n"+`system_disk_snapshot = { name = %q }`, id, strings.Repeat("n", 65)), `name.*64`},
		"long desc":    {fmt.Sprintf(`desktop_ids = [%q]`+"\n"+`data_disk_snapshot = { description = %q }`, id, strings.Repeat("d", 256)), `description.*255`},
		"conflict":     {fmt.Sprintf(`desktop_ids = [%q]`+"\n"+`disk_type = "DATA_DISKS"`+"\n"+`system_disk_snapshot = { name = "x" }`, id), `system_disk_snapshot is set but disk_type is "DATA_DISKS"`},
		"bad timeout":  {fmt.Sprintf(`desktop_ids = [%q]`+"\n"+`timeouts = { create = "soon" }`, id), `timeouts.create must be a positive duration such as "90s", "30m" or "1h30m", got "soon"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:   env.ProviderConfig + "resource \"workspace_desktop_snapshot_batch\" \"test\" {\n" + c.body + "\n}\n",
					PlanOnly: true,
					// Terraform wraps long messages: any space may be a line break.
					ExpectError: regexp.MustCompile("(?s)" + spacesMayWrap(c.want)),
				}},
			})
		})
	}
}

// A name of 64 characters, 58 of them Chinese (180 bytes), is at the
// service's limit, which counts characters: plan, client and emulator all
// accept it.
func TestAccSnapshotBatch_multibyteNameAtTheLimit(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, JobDuration: 200 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:1]
	config := func(name string) string {
		return env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_batch" "test" {
  desktop_ids          = %s
  disk_type            = "SYSTEM_DISK"
  system_disk_snapshot = { name = %q }
}
`, hclStrings(ids), name)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				Config:      config(testAccName(strings.Repeat("快", 59))),
				ExpectError: regexp.MustCompile(spacesMayWrap(`must be at most 64 characters, got 65`)),
			},
			{
				Config: config(testAccName(strings.Repeat("快", 58))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("system_disk_snapshot_ids"), knownvalue.MapSizeExact(1)),
				},
			},
		},
	})
}

// A destroy cut short by its delete timeout says which delete job is still
// running and keeps the batch in state; the next destroy finishes the job's
// work without deleting anything twice.
func TestAccSnapshotBatch_deleteTimeoutThenDestroyAgain(t *testing.T) {
	parallelUnlessReal(t)
	// Jobs of 8 s: the create waits that long once, and the delete job is still
	// running (its snapshots still listed) when the next step plans.
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 8 * time.Second, Seed: 1})
	env.SkipIfReal(t, "needs a delete job that outlasts its timeout")
	ids := env.DesktopIDs
	config := batchConfig(env, ids, `timeouts = { delete = "1s" }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if err := checkSnapshotsGone(t, env, ids)(s); err != nil {
				return err
			}
			if n := len(env.Emulator.JobIDs(workspace.JobTypeDeleteSnapshot)); n != 1 {
				return fmt.Errorf("%d batch-delete jobs, want the first one only", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:  config,
				Destroy: true,
				ExpectError: regexp.MustCompile(spacesMayWrap(`The delete timeout passed while waiting for 1 of 1 batch-delete job.`) +
					`(?s).*` + spacesMayWrap(`The batch stays in state; the next destroy deletes what is left.`)),
			},
			{
				// A longer timeout is an in-place update; the final destroy then
				// waits out the first job (its snapshots are busy until it ends)
				// and finds them gone.
				Config: batchConfig(env, ids, `timeouts = { delete = "60s" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// Ctrl-C during a create, while chunks are still being submitted or waited
// on: every job the service started is in the state Terraform gets back
// (nothing lost), and in the identity with it, the batch is PENDING, and no
// chunk was submitted twice.
// At the protocol level, since the CLI cannot be interrupted from a test.
func TestSnapshotBatchCreate_interruptedLosesNoJob(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 250, JobDuration: time.Minute, Seed: 3})
	env.SkipIfReal(t, "reads the emulator's job records")
	h := newActionHarness(t, env, 0)
	ctx := context.Background()
	schemaResp, err := h.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s := schemaResp.ResourceSchemas["workspace_desktop_snapshot_batch"]
	valueType := s.ValueType()
	null, err := tfprotov6.NewDynamicValue(valueType, tftypes.NewValue(valueType, nil))
	if err != nil {
		t.Fatal(err)
	}
	config := dynamicValue(t, s, map[string]tftypes.Value{
		"desktop_ids": tfStringList(env.DesktopIDs...), "disk_type": tfString(workspace.DiskTypeSystem),
	})
	plan, err := h.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "workspace_desktop_snapshot_batch", PriorState: &null, ProposedNewState: config, Config: config,
	})
	if err != nil || hasErrors(plan.Diagnostics) {
		t.Fatal(err, diagText(plan.Diagnostics))
	}

	// Interrupt as soon as the service has started the first job.
	applyCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for applyCtx.Err() == nil && len(env.Emulator.JobIDs(workspace.JobTypeCreateSnapshot)) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	resp, err := h.server.ApplyResourceChange(applyCtx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "workspace_desktop_snapshot_batch", PriorState: &null, PlannedState: plan.PlannedState, Config: config,
		PlannedIdentity: plan.PlannedIdentity,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !hasErrors(resp.Diagnostics) {
		t.Fatal("an interrupted create reported no error")
	}
	state, err := resp.NewState.Unmarshal(valueType)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		t.Fatalf("the interrupted create returned no state: %v\n%s", err, diagText(resp.Diagnostics))
	}
	var status string
	if err := attrs["status"].As(&status); err != nil || status != jobrun.StatusPending {
		t.Errorf("status %q (%v), want PENDING", status, err)
	}
	var jobValues []tftypes.Value
	if err := attrs["job_ids"].As(&jobValues); err != nil {
		t.Fatal(err)
	}
	var inState []string
	for _, v := range jobValues {
		var id string
		_ = v.As(&id)
		inState = append(inState, id)
	}
	// Submissions already on the wire were answered before Create returned;
	// the rest were never sent.
	started := env.Emulator.JobIDs(workspace.JobTypeCreateSnapshot)
	if len(started) == 0 || len(started) > 3 || !framework.SameIDs(inState, started) || len(inState) != len(started) {
		t.Errorf("the service started jobs %v; state records %v: want the same, at most one per chunk of 3\n%s",
			started, inState, diagText(resp.Diagnostics))
	}
	if id := h.decodeIdentity(batchType, resp.NewIdentity); !slices.Equal(id.JobIDs, inState) || id.ProjectID != env.Client.ProjectID() {
		t.Errorf("the identity names %+v; state records jobs %v", id, inState)
	}
}
