package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Ownership as an operator meets it: the same desktops snapshotted on a
// schedule under one name, names that start alike, imports of older jobs,
// on a stepped emulator clock. A batch holds exactly the records its own
// job made, told by the emulator's own records (which job made which), and
// never another job's; where it cannot tell, it holds none and says so.

// scheduleEnv is an emulator whose clock the test steps, in the given
// dialect, with desktops sorted as an import records them.
func scheduleEnv(t *testing.T, desktops int, dialect emulator.Dialect) (*testAccEnv, *steppedClock, []string) {
	t.Helper()
	return scheduleEnvWith(t, emulator.Config{Desktops: desktops, JobDuration: 300 * time.Millisecond, Dialect: dialect})
}

// scheduleEnvWith is scheduleEnv with more of the emulator's configuration.
func scheduleEnvWith(t *testing.T, cfg emulator.Config) (*testAccEnv, *steppedClock, []string) {
	t.Helper()
	clock := &steppedClock{}
	cfg.Seed, cfg.Now, cfg.MaxClockSkew = 11, clock.now, 48*time.Hour
	env := newTestAccEnv(t, cfg)
	env.SkipIfReal(t, "plays a schedule on the emulator's clock")
	return env, clock, framework.SortedStrings(env.DesktopIDs)
}

// twoNightlies records yesterday's and today's run of a nightly SYSTEM_DISK
// schedule over the desktops, 25 and 1 hours ago, each two minutes long,
// and returns when yesterday's began.
func twoNightlies(t *testing.T, env *testAccEnv, clock *steppedClock, ids []string, name string) (first time.Time, jobs []string) {
	t.Helper()
	env.StateJobTimeZone(t) // an import needs the zone of job times
	first = clock.now().Add(-25 * time.Hour).UTC().Truncate(time.Second)
	jobs = addHistory(t, env, emulator.History{DesktopIDs: ids, DiskType: workspace.DiskTypeSystem,
		SystemDiskName: name, First: first, Every: 24 * time.Hour, Count: 2, Duration: 2 * time.Minute})
	return first, jobs
}

// addHistory records past jobs on the emulator and returns their IDs.
func addHistory(t *testing.T, env *testAccEnv, h emulator.History) []string {
	t.Helper()
	jobs, err := env.Emulator.AddHistory(h)
	if err != nil {
		t.Fatalf("adding history: %v", err)
	}
	return jobs
}

// recordsMadeBetween lists the desktops' records whose create_time lies in
// [from, to): the emulator's truth of which job made them.
func recordsMadeBetween(t *testing.T, env *testAccEnv, ids []string, from, to time.Time) []string {
	t.Helper()
	recs, err := env.Client.ListAllDesktopSnapshots(context.Background(), workspace.ListDesktopSnapshotRequest{DesktopIds: ids})
	if err != nil {
		t.Fatalf("listing snapshots: %v", err)
	}
	var out []string
	for _, r := range recs {
		created, err := time.Parse(time.RFC3339, r.CreateTime)
		if err != nil {
			t.Fatalf("record %s: create_time %q: %v", r.SnapshotId, r.CreateTime, err)
		}
		if !created.Before(from) && created.Before(to) {
			out = append(out, r.SnapshotId)
		}
	}
	sort.Strings(out)
	return out
}

// recordsNamed lists the desktops' records whose name matches pattern.
func recordsNamed(t *testing.T, env *testAccEnv, ids []string, pattern string) []string {
	t.Helper()
	recs, err := env.Client.ListAllDesktopSnapshots(context.Background(), workspace.ListDesktopSnapshotRequest{DesktopIds: ids})
	if err != nil {
		t.Fatalf("listing snapshots: %v", err)
	}
	re := regexp.MustCompile(pattern)
	var out []string
	for _, r := range recs {
		if re.MatchString(r.SnapshotName) {
			out = append(out, r.SnapshotId)
		}
	}
	sort.Strings(out)
	return out
}

// checkHolds requires the batch at addr to hold exactly want.
func checkHolds(addr string, want *[]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs := s.RootModule().Resources[addr]
		if rs == nil {
			return fmt.Errorf("%s is not in state", addr)
		}
		var got []string
		for key := range rs.Primary.Attributes {
			if id, ok := strings.CutPrefix(key, "snapshot_desktop_ids."); ok && id != "%" {
				got = append(got, id)
			}
		}
		sort.Strings(got)
		if !slices.Equal(got, *want) {
			return fmt.Errorf("%s holds %v, want exactly %v", addr, got, *want)
		}
		return nil
	}
}

// checkRecordsExist requires every one of ids to be in the service still.
func checkRecordsExist(t *testing.T, env *testAccEnv, desktops []string, ids *[]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		exists := map[string]bool{}
		for _, id := range snapshotIDsOf(t, env, desktops) {
			exists[id] = true
		}
		for _, id := range *ids {
			if !exists[id] {
				return fmt.Errorf("snapshot %s, another job's, was deleted", id)
			}
		}
		return nil
	}
}

// namedBatch is a SYSTEM_DISK batch of the desktops under name.
func namedBatch(label string, ids []string, name, extra string) string {
	return fmt.Sprintf(`
resource "workspace_desktop_snapshot_batch" %q {
  desktop_ids          = %s
  disk_type            = "SYSTEM_DISK"
  system_disk_snapshot = { name = %q }
%s
}
`, label, hclStrings(ids), name, extra)
}

// importedBatch imports job into a SYSTEM_DISK batch of the desktops, as
// a user writes it: no names, which a job does not give back.
func importedBatch(label string, ids []string, job string) string {
	return fmt.Sprintf(`
import {
  to = workspace_desktop_snapshot_batch.%s
  id = %q
}

resource "workspace_desktop_snapshot_batch" %q {
  desktop_ids = %s
  disk_type   = "SYSTEM_DISK"
}
`, label, job, label, hclStrings(ids))
}

// Case 1: yesterday's nightly job and today's, same desktops, same name, same
// time of day. Importing each gives each its own snapshots; destroying the
// imported yesterday's batch deletes only yesterday's, and today's batch
// plans no change.
func TestAccOwnership_importYesterdaysNightlyLeavesTodaysSnapshots(t *testing.T) {
	parallelUnlessReal(t)
	env, clock, ids := scheduleEnv(t, 2, emulator.Dialect{JobTimeOffset: 8 * time.Hour})
	first, jobs := twoNightlies(t, env, clock, ids, testAccName("nightly"))
	yesterdays := recordsMadeBetween(t, env, ids, first, first.Add(time.Hour))
	todays := recordsMadeBetween(t, env, ids, first.Add(24*time.Hour), first.Add(25*time.Hour))
	if len(yesterdays) != 2 || len(todays) != 2 {
		t.Fatalf("the history made %v yesterday and %v today, want 2 each", yesterdays, todays)
	}
	both := env.ProviderConfig + importedBatch("yesterday", ids, jobs[0]) + importedBatch("today", ids, jobs[1])
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				Config: both,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkHolds("workspace_desktop_snapshot_batch.yesterday", &yesterdays),
					checkHolds("workspace_desktop_snapshot_batch.today", &todays),
				),
			},
			{
				// Yesterday's batch destroyed; today's keeps its snapshots,
				// so its refresh keeps it and the plan after is empty.
				Config: env.ProviderConfig + importedBatch("today", ids, jobs[1]),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkHolds("workspace_desktop_snapshot_batch.today", &todays),
					checkRecordsExist(t, env, ids, &todays),
				),
			},
		},
	})
}

// Case 1, its own snapshots deleted: importing a job whose records are gone
// takes none of the desktop's other snapshots, neither a manual one of
// another name made an hour later nor the same schedule's next run, and a
// warning names the desktop.
func TestOwnership_importOfAJobWhoseSnapshotsWereDeletedTakesNothing(t *testing.T) {
	parallelUnlessReal(t)
	env, clock, ids := scheduleEnv(t, 1, emulator.Dialect{JobTimeOffset: 8 * time.Hour})
	first, jobs := twoNightlies(t, env, clock, ids, "nightly")
	deleteOutOfBand(t, env, recordsMadeBetween(t, env, ids, first, first.Add(time.Hour)))
	addHistory(t, env, emulator.History{DesktopIDs: ids, DiskType: workspace.DiskTypeSystem,
		SystemDiskName: "manual", First: first.Add(time.Hour), Count: 1, Duration: time.Minute})
	if n := len(snapshotIDsOf(t, env, ids)); n != 2 {
		t.Fatalf("%d records on the desktop, want today's nightly and the manual one", n)
	}

	h := newActionHarness(t, env, 0)
	resp := h.importResource(batchType, jobs[0], nil)
	imported := h.imported(resp)
	if held := snapshotKeysOf(t, h.stateValue(batchType, imported.State)); len(held) != 0 {
		t.Errorf("the import of a job whose snapshots were deleted holds %v", held)
	}
	want := `Snapshots of an imported job not found: Job ` + jobs[0] + ` succeeded for 1 desktop, ` +
		`but no snapshot among their manual snapshots is provably the job's`
	if warnings := warningsOf([]listed{{Diagnostics: resp.Diagnostics}}); !strings.Contains(warnings, want) || hasErrors(resp.Diagnostics) {
		t.Errorf("the import warns %q, want it to say %q, with no error:\n%s", warnings, want, diagText(resp.Diagnostics))
	}
}

// snapshotKeysOf reads snapshot_desktop_ids' keys from a batch's state.
func snapshotKeysOf(t *testing.T, state tftypes.Value) []string {
	t.Helper()
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var held map[string]tftypes.Value
	if err := attrs["snapshot_desktop_ids"].As(&held); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(held))
	for k := range held {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Case 1, PENDING: a batch whose create timed out is resolved by a later
// refresh, in a new provider process, after a "nightly-2" job made its
// snapshots of the same desktops exactly 15 minutes after the batch's
// began: the batch takes only its own.
func TestAccOwnership_pendingBatchLeavesANightly2Made15MinutesLater(t *testing.T) {
	parallelUnlessReal(t)
	env, clock, ids := scheduleEnvWith(t, emulator.Config{Desktops: 2, JobDuration: 2 * time.Minute,
		Dialect: emulator.Dialect{JobTimeOffset: 8 * time.Hour}})
	name := testAccName("nightly")
	var own, others []string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkRecordsExist(t, env, ids, &others),
		Steps: []resource.TestStep{
			{
				Config:      env.ProviderConfig + namedBatch("test", ids, name, `timeouts = { create = "2s" }`),
				ExpectError: regexp.MustCompile(spacesMayWrap(`The create timeout passed`)),
			},
			{
				PreConfig: func() {
					begun := clock.now().UTC()
					clock.step(15 * time.Minute)
					addHistory(t, env, emulator.History{DesktopIDs: ids, DiskType: workspace.DiskTypeSystem,
						SystemDiskName: name + "-2", First: begun.Add(15 * time.Minute).Add(-2 * time.Second), Count: 1, Duration: time.Minute})
					clock.step(10 * time.Minute)
					own = recordsNamed(t, env, ids, regexp.QuoteMeta(name)+`\d{14}$`)
					others = recordsNamed(t, env, ids, regexp.QuoteMeta(name+"-2"))
					if len(own) != 2 || len(others) != 2 {
						t.Fatalf("records: %v of the batch's job, %v of nightly-2; want 2 each", own, others)
					}
					runClockFast(t, clock) // the destroy's two-minute delete job
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // the timed-out create left the batch tainted
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					checkHolds(batchAddr, &own),
				),
			},
		},
	})
}

// Case 2: batches named nightly and nightly-2 over the same desktops in one
// apply, their jobs running at once: each holds its own snapshots, and
// destroying both leaves none. nightly-2's request goes out a moment after
// nightly's, so its records are the newer and are listed after nightly's:
// neither time nor order is proof. Played with the clock running (jobs of
// 300 ms, the records a fraction of a second apart) and standing still
// (jobs that end at once, records of the same create_time).
func TestAccOwnership_nightlyAndNightly2InOneApply(t *testing.T) {
	frozen := time.Now()
	for name, cfg := range map[string]emulator.Config{
		"clock running":        {JobDuration: 300 * time.Millisecond},
		"clock standing still": {Now: func() time.Time { return frozen }},
	} {
		t.Run(name, func(t *testing.T) {
			parallelUnlessReal(t)
			cfg.Desktops, cfg.Seed, cfg.AuthToken, cfg.Dialect = 3, 11, wireToken, emulator.Dialect{ConcurrentJobs: true}
			testNightlyAndNightly2(t, cfg)
		})
	}
}

func testNightlyAndNightly2(t *testing.T, cfg emulator.Config) {
	env, pe, proxy := newHostileEnvWith(t, cfg)
	ids := framework.SortedStrings(env.DesktopIDs)
	name := testAccName("nightly")
	proxy.set(func(_ http.ResponseWriter, r *http.Request, body []byte) bool {
		if r.Method == http.MethodPost && batchCreatePath.MatchString(r.URL.Path) && strings.Contains(string(body), name+"-2") {
			time.Sleep(150 * time.Millisecond)
		}
		return false
	}, nil)
	var own, twos []string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{{
			Config: pe.ProviderConfig + namedBatch("nightly", ids, name, "") + namedBatch("nightly2", ids, name+"-2", ""),
			Check: resource.ComposeAggregateTestCheckFunc(
				func(*terraform.State) error {
					own = recordsNamed(t, env, ids, regexp.QuoteMeta(name)+`\d{14}$`)
					twos = recordsNamed(t, env, ids, regexp.QuoteMeta(name+"-2"))
					if len(own) != 3 || len(twos) != 3 {
						return fmt.Errorf("records: %v named nightly, %v nightly-2; want 3 each", own, twos)
					}
					if !concurrent(t, env) {
						return fmt.Errorf("the two jobs did not overlap: the test proves less than it says")
					}
					return nil
				},
				checkHolds("workspace_desktop_snapshot_batch.nightly", &own),
				checkHolds("workspace_desktop_snapshot_batch.nightly2", &twos),
				resource.TestCheckResourceAttr("workspace_desktop_snapshot_batch.nightly", "status", "SUCCESS"),
				resource.TestCheckResourceAttr("workspace_desktop_snapshot_batch.nightly2", "status", "SUCCESS"),
			),
		}},
	})
}

// concurrent says whether the emulator's two create jobs ran at once.
func concurrent(t *testing.T, env *testAccEnv) bool {
	t.Helper()
	jobs := env.Emulator.JobIDs(workspace.JobTypeCreateSnapshot)
	if len(jobs) != 2 {
		t.Fatalf("%d create jobs, want 2", len(jobs))
	}
	results, err := env.Client.WaitForJobs(context.Background(), jobs, workspace.WaitOptions{FirstPoll: time.Millisecond})
	if err != nil || len(results) != 2 {
		t.Fatalf("reading the jobs: %v", err)
	}
	a, b := results[jobs[0]], results[jobs[1]]
	return !a.BeginTime.After(b.EndTime) && !b.BeginTime.After(a.EndTime)
}

// Case 5: the list resource gives each job its own snapshots. With
// began_before keeping only yesterday's job, it lists that job holding
// yesterday's snapshots, not today's; unfiltered, it lists both, each with
// its own.
func TestOwnership_listGivesEachNightlyJobItsOwn(t *testing.T) {
	parallelUnlessReal(t)
	env, clock, ids := scheduleEnv(t, 2, emulator.Dialect{JobTimeOffset: 8 * time.Hour})
	first, jobs := twoNightlies(t, env, clock, ids, testAccName("nightly"))
	want := map[string][]string{
		jobs[0]: recordsMadeBetween(t, env, ids, first, first.Add(time.Hour)),
		jobs[1]: recordsMadeBetween(t, env, ids, first.Add(24*time.Hour), first.Add(25*time.Hour)),
	}
	h := newActionHarness(t, env, 0)
	check := func(what string, results []listed, wantJobs ...string) {
		t.Helper()
		if got := jobsOf(t, results); !slices.Equal(got, wantJobs) {
			t.Fatalf("%s: listed %v, want %v\n%s", what, got, wantJobs, warningsOf(results))
		}
		for _, r := range results {
			if got := snapshotKeysOf(t, h.stateValue(batchType, r.Resource)); !slices.Equal(got, want[r.JobIDs[0]]) {
				t.Errorf("%s: job %s holds %v, want its own %v", what, r.JobIDs[0], got, want[r.JobIDs[0]])
			}
		}
	}
	// began_before is read in the zone-widened way job times are: 14 hours
	// past yesterday's job keeps it and leaves today's out.
	before := first.Add(time.Hour).Format(time.RFC3339)
	check("began_before yesterday", h.list(map[string]tftypes.Value{"began_before": tfString(before)}, true, 100), jobs[0])
	check("unfiltered", h.list(nil, true, 100), jobs[1], jobs[0])
}
