package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Ownership of jobs and records under faults: an ambiguous POST next to an
// hourly schedule, a restore imported after a later restore, a chunk the
// service refuses whole, a listing that lags the job.

// hourlyJobBeforeTheSend makes the proxy answer the first batch-create
// like a gateway that never passed it on (503: the service did not act),
// after recording, over the same desktops, the hourly job that began an
// hour before this send; with lost, the request reaches the service and
// only its answer is lost.
func hourlyJobBeforeTheSend(t *testing.T, env *testAccEnv, clock *steppedClock, proxy *hostileProxy, lost bool) *[]string {
	hourly := new([]string)
	var sent bool
	proxy.set(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		if r.Method != http.MethodPost || !batchCreatePath.MatchString(r.URL.Path) || sent {
			return false
		}
		sent = true
		var req workspace.BatchCreateDesktopSnapshotReq
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("proxy: %v", err)
			return false
		}
		*hourly = addHistory(t, env, emulator.History{DesktopIDs: req.DesktopIds, DiskType: req.DiskType,
			SystemDiskName: testAccName("acc"), DataDiskName: testAccName("acc"),
			First: clock.now().Add(-time.Hour).UTC(), Count: 1, Duration: time.Minute})
		if lost {
			loseAnswer(env, "BatchCreateDesktopSnapshot")
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error_code":"APIGW.0208","error_msg":"The backend service is unavailable."}`))
		return true
	}, nil)
	return hourly
}

// Case 3: a batch-create whose answer is a 503 (the service did not act),
// sent an hour after an hourly job over the same desktops. While the zone
// of job times is unknown, which zone the job's begin_time is in decides
// whether it began at the send or an hour before: the provider neither
// adopts it nor sends again, and says so, naming the setting. With
// job_time_zone stated, it began before the send: a job of its own is
// started and the batch holds only its snapshots.
func TestAccOwnership_ambiguousCreateNeverAdoptsTheHourlyJobBeforeIt(t *testing.T) {
	for _, stated := range []bool{false, true} {
		t.Run(fmt.Sprintf("job_time_zone stated %v", stated), func(t *testing.T) {
			parallelUnlessReal(t)
			clock := &steppedClock{}
			env, pe, proxy := newHostileEnvWith(t, emulator.Config{Desktops: 2, Seed: 6, JobDuration: 300 * time.Millisecond,
				AuthToken: wireToken, Now: clock.now, MaxClockSkew: 48 * time.Hour, Dialect: emulator.Dialect{JobTimeOffset: 8 * time.Hour}})
			ids := env.DesktopIDs
			if stated {
				pe.ProviderConfig = emulatorProviderConfig(proxy.URL(), `  job_time_zone = "+08:00"`+"\n")
			}
			var hourly *[]string
			before := func() { hourly = hourlyJobBeforeTheSend(t, env, clock, proxy, false) }
			notAdopted := func(s *terraform.State) error {
				if jobs := env.Emulator.JobIDs(workspace.JobTypeCreateSnapshot); len(jobs) != 2 {
					return fmt.Errorf("%d create jobs, want the hourly one and the batch's own", len(jobs))
				}
				if got := s.RootModule().Resources[batchAddr].Primary.Attributes["job_ids.0"]; got == (*hourly)[0] {
					return fmt.Errorf("the batch adopted %s, the hourly job that began an hour before the send", got)
				}
				return nil
			}
			step := resource.TestStep{PreConfig: before, Config: batchConfig(pe, ids, "")}
			if stated {
				step.Check = resource.ComposeAggregateTestCheckFunc(notAdopted,
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "4"))
			} else {
				step.ExpectError = regexp.MustCompile(spacesMayWrap(`cannot be told: while the zone of job times is unknown`) + `(?s).*` +
					spacesMayWrap(`It is neither taken as this request's job nor sent again`))
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{step, {
					// Nothing was sent twice, nor adopted.
					PreConfig:          proxy.clear,
					RefreshState:       true,
					ExpectNonEmptyPlan: !stated,
					Check: func(*terraform.State) error {
						if jobs := env.Emulator.JobIDs(workspace.JobTypeCreateSnapshot); len(jobs) != 1+btoi(stated) {
							return fmt.Errorf("%d create jobs, want %d", len(jobs), 1+btoi(stated))
						}
						return nil
					},
				}},
			})
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Case 3, answer lost: the request reached the service and only its answer
// was lost; the new job is the newest the service lists, so no zone puts
// the hourly job at the send and the batch adopts its own job, zone unknown.
func TestAccOwnership_lostCreateAnswerAdoptsItsOwnJobNotTheHourlyOne(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env, pe, proxy := newHostileEnvWith(t, emulator.Config{Desktops: 2, Seed: 6, JobDuration: 300 * time.Millisecond,
		AuthToken: wireToken, Now: clock.now, MaxClockSkew: 48 * time.Hour, Dialect: emulator.Dialect{JobTimeOffset: -5*time.Hour - 30*time.Minute}})
	var hourly *[]string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// The batch's four are gone; the hourly job's four are not its.
			if n := countSnapshots(t, env, env.DesktopIDs); n != 4 {
				return fmt.Errorf("%d records after the destroy, want the hourly job's 4", n)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			PreConfig: func() { hourly = hourlyJobBeforeTheSend(t, env, clock, proxy, true) },
			Config:    batchConfig(pe, env.DesktopIDs, ""),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
				resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "4"),
				func(s *terraform.State) error {
					if answersLost(env, "BatchCreateDesktopSnapshot") != 1 {
						return fmt.Errorf("no answer was lost: the test proves nothing")
					}
					jobs := env.Emulator.JobIDs(workspace.JobTypeCreateSnapshot)
					got := s.RootModule().Resources[batchAddr].Primary.Attributes["job_ids.0"]
					if len(jobs) != 2 || got == (*hourly)[0] || !slices.Contains(jobs, got) {
						return fmt.Errorf("the batch holds job %s; jobs %v, the hourly one %s", got, jobs, (*hourly)[0])
					}
					return nil
				},
			),
		}},
	})
}

// Case 3, the create action: the same 503 next to the hourly job, zone
// unknown, fails the action with the same words and starts nothing.
func TestOwnership_createActionNeverAdoptsTheHourlyJobBeforeIt(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env, _, proxy := newHostileEnvWith(t, emulator.Config{Desktops: 2, Seed: 6, JobDuration: 300 * time.Millisecond,
		AuthToken: wireToken, Now: clock.now, MaxClockSkew: 48 * time.Hour, Dialect: emulator.Dialect{JobTimeOffset: 8 * time.Hour}})
	h := newActionHarnessAt(t, env, proxy.URL(), 0)
	hourly := hourlyJobBeforeTheSend(t, env, clock, proxy, false)
	inv := h.invoke(context.Background(), "workspace_desktop_snapshot_create", map[string]tftypes.Value{
		"desktop_ids": tfStringList(env.DesktopIDs...), "disk_type": tfString(workspace.DiskTypeSystem),
	}, nil)
	expectDiagnostic(t, inv.Diagnostics, "", `cannot be told: while the zone of job times is unknown`)
	if jobs := env.Emulator.JobIDs(workspace.JobTypeCreateSnapshot); len(jobs) != 1 {
		t.Errorf("create jobs %v, want only the hourly one %v: nothing sent again", jobs, *hourly)
	}
	for _, p := range inv.Progress {
		if strings.Contains(p, (*hourly)[0]) {
			t.Errorf("the action reports the hourly job as its own: %q", p)
		}
	}
}

// Case 4: yesterday's restore of snapshot A and today's of snapshot B, same
// desktop, same time of day to the second. Importing yesterday's restore holds A; the plan
// after it is empty, so nothing is restored again.
func TestAccOwnership_importOfARestoreLeavesTheLaterRestore(t *testing.T) {
	parallelUnlessReal(t)
	env, clock, ids := scheduleEnv(t, 1, emulator.Dialect{JobTimeOffset: 8 * time.Hour})
	env.StateJobTimeZone(t)
	now := clock.now().UTC().Truncate(time.Second)
	addHistory(t, env, emulator.History{DesktopIDs: ids, DiskType: workspace.DiskTypeSystem, SystemDiskName: "nightly",
		First: now.Add(-26 * time.Hour), Every: 24 * time.Hour, Count: 2, Duration: time.Minute})
	a := recordsMadeBetween(t, env, ids, now.Add(-26*time.Hour), now.Add(-25*time.Hour))
	b := recordsMadeBetween(t, env, ids, now.Add(-2*time.Hour), now.Add(-time.Hour))
	if len(a) != 1 || len(b) != 1 {
		t.Fatalf("snapshots %v and %v, want one each", a, b)
	}
	// Sub-second restores exactly a day apart: their times of day are the same
	// to the second.
	yesterday := addHistory(t, env, emulator.History{RestoreSnapshotIDs: a, First: now.Add(-25 * time.Hour), Count: 1})[0]
	addHistory(t, env, emulator.History{RestoreSnapshotIDs: b, First: now.Add(-time.Hour), Count: 1})
	restoreJobs := func() int {
		return len(env.Emulator.JobIDs(workspace.JobTypeRestoreSnapshot))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig + fmt.Sprintf(`
import {
  to = workspace_desktop_snapshot_restore.test
  id = %q
}

resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids = [%q]
}
`, yesterday, a[0]),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("workspace_desktop_snapshot_restore.test", tfjsonpath.New("job_ids"), exactStrings(yesterday)),
				statecheck.ExpectKnownValue("workspace_desktop_snapshot_restore.test", tfjsonpath.New("snapshot_ids"), exactStrings(a[0])),
			},
			Check: func(*terraform.State) error {
				if n := restoreJobs(); n != 2 {
					return fmt.Errorf("%d restore jobs, want the two of the history: the import restored again", n)
				}
				return nil
			},
		}},
	})
}

// Case 6: 101 desktops, one of them unknown to the service. The plan fails,
// naming the ID at desktop_ids. Where the plan cannot tell (a service that
// ignores ListDesktops' desktop_id filter), the apply records what became of
// every desktop: the refused chunk's 100 in failed_desktops with the
// service's code, and a status that is not SUCCESS; the next plan, once the
// lookup can tell, names the ID again rather than replacing the batch.
func TestAccOwnership_unknownDesktopIsNamedAtPlanTime(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnvWith(t, emulator.Config{Desktops: 101, Seed: 7, JobDuration: 300 * time.Millisecond, AuthToken: wireToken})
	const unknown = "00000000-0000-4000-8000-0000000000ff"
	ids := append(slices.Clone(env.DesktopIDs[:50]), unknown)
	ids = append(ids, env.DesktopIDs[50:100]...)
	extra := env.DesktopIDs[100] // not in the batch
	ignoreFilter := func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/desktops") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"total_count":1,"desktops":[{"desktop_id":%q}]}`, extra)
		return true
	}
	config := batchConfig(pe, ids, `disk_type = "SYSTEM_DISK"`)
	unknownAtPlan := regexp.MustCompile(`(?s)Unknown desktop IDs.*` + unknown)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, env.DesktopIDs),
		Steps: []resource.TestStep{
			{Config: config, PlanOnly: true, ExpectError: unknownAtPlan},
			{
				PreConfig:   func() { proxy.set(ignoreFilter, nil) },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)` + unknown),
			},
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // the failed create left the batch tainted
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "status", "PARTIAL_FAILURE"),
					resource.TestCheckResourceAttr(batchAddr, "failed_desktops.%", "100"),
					resource.TestMatchResourceAttr(batchAddr, "failed_desktops."+unknown, regexp.MustCompile(`^WKS\.\d+: .+`)),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "1"),
				),
			},
			{PreConfig: proxy.clear, Config: config, PlanOnly: true, ExpectError: unknownAtPlan},
		},
	})
}

// Case 7: the snapshot list lags the job by 20 s (the job says SUCCESS, the
// records show later, as eventually consistent lists do). The apply waits
// for them and succeeds, untainted, holding every snapshot; the destroy
// deletes them all.
func TestAccOwnership_listThatLagsTheJob(t *testing.T) {
	parallelUnlessReal(t)
	env, clock, ids := scheduleEnvWith(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond,
		Dialect: emulator.Dialect{ListLag: 20 * time.Second}})
	stepClockEvery(t, clock, 50*time.Millisecond, 200*time.Millisecond) // five times fast: the lag passes in 4 s
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			clock.step(time.Minute) // past the lag: the list tells the truth
			return checkSnapshotsGone(t, env, ids)(nil)
		},
		Steps: []resource.TestStep{{
			Config: batchConfig(env, ids, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(2*len(ids))),
			},
			Check: func(s *terraform.State) error {
				if s.RootModule().Resources[batchAddr].Primary.Tainted {
					return fmt.Errorf("the batch is tainted: the next apply would snapshot every desktop again")
				}
				if n := env.Emulator.Stats().RequestsByOperation["ListDesktopSnapshot"]; n < 2 {
					return fmt.Errorf("%d ListDesktopSnapshot calls: the list was not read again, the lag proves nothing", n)
				}
				return nil
			},
		}},
	})
}
