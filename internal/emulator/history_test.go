package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A week of nightly creates, made after a live one: each job and record is
// as batch-create would have made it then, and they sort before the live
// ones everywhere.
func TestAddHistoryCreate(t *testing.T) {
	t.Parallel()
	for _, offset := range []time.Duration{0, 8 * time.Hour} {
		t.Run("offset="+offset.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{Desktops: 3, JobDuration: 10 * time.Second, Dialect: Dialect{JobTimeOffset: offset}})
			ids := h.srv.DesktopIDs()
			live := h.create(map[string]any{"desktop_ids": ids[:1], "disk_type": diskTypeSystem})
			first := time.Date(2026, 2, 22, 14, 0, 0, 0, time.UTC) // the clock is at 2026-03-01 12:00 UTC
			jobs, err := h.srv.AddHistory(History{
				DesktopIDs: ids[:2], DiskType: diskTypeSystem, SystemDiskName: "-nightly-", SystemDiskDescription: "cron",
				First: first, Every: 24 * time.Hour, Count: 7, Duration: 30 * time.Minute,
			})
			if err != nil || len(jobs) != 7 {
				t.Fatalf("AddHistory: %v, %v", jobs, err)
			}
			zone := time.FixedZone("", int(offset/time.Second))
			var records []string // expected names, oldest first
			for k, id := range jobs {
				begin := first.Add(time.Duration(k) * 24 * time.Hour)
				j := h.job(id)
				if j.JobType != jobTypeCreate || j.Status != jobSuccess || j.SubJobsTotal != 2 ||
					j.BeginTime != begin.In(zone).Format(jobTimeLayout) || j.EndTime != begin.Add(30*time.Minute).In(zone).Format(jobTimeLayout) {
					t.Errorf("history job %d: %+v", k, j)
				}
				for i, sj := range j.SubJobs {
					if sj.Status != jobSuccess || sj.Entity != ids[i] || sj.BeginTime != j.BeginTime || sj.EndTime == "" || sj.EndTime > j.EndTime {
						t.Errorf("history job %d sub-job %d: %+v", k, i, sj)
					}
				}
				stamp := begin.In(zone).Format(nameTimeLayout)
				records = append(records, "wks-desktop-0001-nightly-"+stamp, "wks-desktop-0002-nightly-"+stamp)
			}
			records = append(records, "wks-desktop-0001"+h.clock.Now().In(zone).Format(nameTimeLayout))

			list := h.snapshots(nil)
			if got := names(list); !slices.Equal(got, records) {
				t.Errorf("list in creation order:\n%v\nwant\n%v", got, records)
			}
			for _, rec := range list.DesktopSnapshots[:14] {
				if rec.Status != statusCreateSuccess || rec.CreateType != createTypeManual || rec.Description != "cron" || rec.Process != nil ||
					!strings.HasPrefix(rec.CreateTime, "2026-02-2") || !strings.HasSuffix(rec.CreateTime, "T14:00:00Z") {
					t.Errorf("history record %+v", rec)
				}
			}
			desc := h.snapshots(url.Values{"sort_field": {"create_time"}, "sort_type": {"DESC"}})
			if desc.DesktopSnapshots[0].SnapshotName != records[14] || desc.DesktopSnapshots[14].SnapshotName != records[0] {
				t.Errorf("create_time DESC: %v", names(desc))
			}
			if got, want := h.srv.JobIDs(jobTypeCreate), append(slices.Clone(jobs), live); !slices.Equal(got, want) {
				t.Errorf("JobIDs %v, want the history by begin, then the live job %v", got, want)
			}
			for _, order := range []string{SubJobOrderNewest, SubJobOrderOldest} {
				if err := h.srv.SetDialect(Dialect{JobTimeOffset: offset, SubJobOrder: order}); err != nil {
					t.Fatal(err)
				}
				page := h.subJobPage(url.Values{"job_type": {jobTypeCreate}})
				var got []string
				for _, id := range jobIDsOf(page) {
					if len(got) == 0 || got[len(got)-1] != id {
						got = append(got, id)
					}
				}
				want := append(slices.Clone(jobs), live)
				if order == SubJobOrderNewest {
					slices.Reverse(want)
				}
				if page.TotalCount != 15 || !slices.Equal(got, want) {
					t.Errorf("ListItaSubJobs %s first: %d sub-jobs of jobs %v, want 15 of %v", order, page.TotalCount, got, want)
				}
			}
			// A live job made after the history sorts last.
			h.clock.Advance(time.Minute)
			later := h.create(map[string]any{"desktop_ids": ids[2:]})
			if got := h.srv.JobIDs(""); got[len(got)-1] != later || len(got) != 9 {
				t.Errorf("JobIDs after a live create: %v", got)
			}
			if n := h.srv.Stats(); n.Jobs != 9 || n.Snapshots != 17 {
				t.Errorf("stats: %d jobs, %d snapshots; want 9 and 17", n.Jobs, n.Snapshots)
			}
		})
	}
}

// Restore history: the snapshots end restore_success with the last job's
// end as last_restore_time; it must come after what the records say.
func TestAddHistoryRestore(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 1, JobDuration: 10 * time.Second, Dialect: Dialect{RestoreJobType: "restoreWksSnapshot"}})
	id := h.srv.DesktopIDs()[0]
	recs := h.createdRecords([]string{id}) // made at 12:00, the clock now at 13:00
	sys := recs[0].SnapshotID
	made := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := h.srv.AddHistory(History{RestoreSnapshotIDs: []string{sys}, First: made, Count: 1}); err == nil ||
		!strings.Contains(err.Error(), "restore_snapshot_ids: snapshot ["+sys+"] was made or changed by a job until 2026-03-01T12:00:") {
		t.Errorf("restore history during the record's creation: %v", err)
	}
	jobs, err := h.srv.AddHistory(History{RestoreSnapshotIDs: []string{sys}, First: made.Add(10 * time.Minute), Every: 10 * time.Minute, Count: 3, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var last jobBody
	for k, jobID := range jobs {
		last = h.job(jobID)
		if last.JobType != "restoreWksSnapshot" || last.Status != jobSuccess || last.SubJobs[0].Entity != sys ||
			last.BeginTime != made.Add(time.Duration(k+1)*10*time.Minute).Format(jobTimeLayout) {
			t.Errorf("restore history job %d: %+v", k, last)
		}
	}
	end, _ := time.Parse(jobTimeLayout, last.SubJobs[0].EndTime)
	got := h.snapshots(url.Values{"disk_type": {diskTypeSystem}}).DesktopSnapshots[0]
	if got.Status != statusRestoreSuccess || got.LastRestoreTime != end.Format(recordTimeLayout) {
		t.Errorf("record after restore history: %+v, want restore_success at %s", got, end.Format(recordTimeLayout))
	}
	// Now the record was changed until the last restore's end.
	if _, err := h.srv.AddHistory(History{RestoreSnapshotIDs: []string{sys}, First: made.Add(25 * time.Minute), Count: 1}); err == nil ||
		!strings.Contains(err.Error(), "restore history must come after") {
		t.Errorf("restore history before the last one ended: %v", err)
	}
	if got := h.srv.JobIDs("restoreWksSnapshot"); !slices.Equal(got, jobs) {
		t.Errorf("JobIDs(restore) %v, want %v", got, jobs)
	}
}

// A history is refused whole, with a message naming what is wrong.
func TestAddHistoryRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 12, JobDuration: 10 * time.Second})
	ids := h.srv.DesktopIDs()
	now := h.clock.Now()
	h.create(map[string]any{"desktop_ids": ids[:1]}) // running until about now+10s
	rec := h.snapshots(nil).DesktopSnapshots[0].SnapshotID
	day := now.Add(-24 * time.Hour)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("d%03d", i)
	}
	for _, tc := range []struct {
		h    History
		want string
	}{
		{History{DesktopIDs: ids[1:2], First: day}, "count must be from 1 to 10000, got 0"},
		{History{DesktopIDs: ids[1:2], First: day, Count: 10001, Every: time.Second}, "count must be from 1 to 10000, got 10001"},
		{History{DesktopIDs: ids[1:2], Count: 1}, "first is required"},
		{History{DesktopIDs: ids[1:2], First: now.Add(time.Nanosecond), Count: 1}, "is after now"},
		{History{DesktopIDs: ids[1:2], First: day, Count: 2}, "every must be positive when count is more than 1"},
		{History{DesktopIDs: ids[1:2], First: day, Count: 2, Every: -time.Hour}, "must not be negative"},
		{History{DesktopIDs: ids[1:2], First: day, Count: 1, Duration: -time.Hour}, "must not be negative"},
		{History{DesktopIDs: ids[1:2], First: day, Count: 3, Every: 12*time.Hour + time.Nanosecond}, "the last of 3 jobs 12h0m0.000000001s apart from first 2026-02-28T12:00:00Z would begin after now (2026-03-01T12:00:00Z)"},
		{History{DesktopIDs: ids[1:2], First: day, Count: 3, Every: time.Minute, Duration: time.Hour}, "every (1m0s) is shorter than duration (1h0m0s)"},
		{History{DesktopIDs: ids[1:2], First: day, Count: 3, Every: 5 * time.Second}, "every (5s) is shorter than duration (10s)"}, // Config.JobDuration
		{History{First: day, Count: 1}, "desktop_ids (create jobs) or restore_snapshot_ids (restore jobs) is required"},
		{History{DesktopIDs: ids[1:2], RestoreSnapshotIDs: []string{rec}, First: day, Count: 1}, "exclude each other"},
		{History{DesktopIDs: []string{ids[1], "nope"}, First: day, Count: 1}, "desktop_ids: desktops not found: [nope]"},
		{History{DesktopIDs: many, First: day, Count: 1}, "desktop_ids: must hold 1 to 100 desktop IDs, got 101"},
		{History{DesktopIDs: []string{ids[1], ids[1]}, First: day, Count: 1}, "desktop_ids[1]: desktop ID [" + ids[1] + "] appears more than once"},
		{History{DesktopIDs: ids[1:2], DiskType: "SYSTEM", First: day, Count: 1}, `disk_type: must be one of [SYSTEM_DISK DATA_DISKS ALL], got "SYSTEM"`},
		{History{DesktopIDs: ids[1:2], DataDiskName: strings.Repeat("é", 65), First: day, Count: 1}, "data_disk_name: must be at most 64 characters, got 65"},
		{History{DesktopIDs: ids[1:2], SystemDiskDescription: strings.Repeat("d", 256), First: day, Count: 1}, "system_disk_description: must be at most 255 characters, got 256"},
		{History{DesktopIDs: ids[1:12], First: now.Add(-10000 * time.Hour), Every: time.Hour, Count: 10000}, "count 10000 of 11 desktops makes 110000 sub-jobs; at most 100000"},
		{History{RestoreSnapshotIDs: []string{rec}, DiskType: diskTypeAll, First: day, Count: 1}, "are for create history (desktop_ids)"},
		{History{RestoreSnapshotIDs: []string{"nope"}, First: day, Count: 1}, "restore_snapshot_ids: snapshots not found: [nope]"},
		{History{RestoreSnapshotIDs: []string{rec}, First: day, Count: 1}, "restore_snapshot_ids: snapshot [" + rec + "] is in status [creating]"},
		// The live job holds desktop 1 from now for about 10s.
		{History{DesktopIDs: ids[:2], First: now.Add(-5 * time.Second), Count: 1}, "desktop [" + ids[0] + "] was under job ["},
		{History{DesktopIDs: ids[:1], First: now.Add(-time.Hour - 5*time.Second), Every: time.Hour, Count: 2}, "when job 2 of the history (begun 2026-03-01T11:59:55Z)"},
	} {
		before := h.srv.Stats()
		if jobs, err := h.srv.AddHistory(tc.h); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("AddHistory(%+v) = %v, %v; want an error saying %q", tc.h, jobs, err, tc.want)
		}
		if after := h.srv.Stats(); after.Jobs != before.Jobs || after.Snapshots != before.Snapshots {
			t.Errorf("refused %+v changed the state", tc.h)
		}
	}
	// Ending as another job begins is fine, and so are jobs back to back.
	for _, ok := range []History{
		{DesktopIDs: ids[:1], First: now.Add(-10 * time.Second), Count: 1},
		{DesktopIDs: ids[1:2], First: now.Add(-time.Hour), Every: 30 * time.Minute, Count: 2, Duration: 30 * time.Minute},
	} {
		if _, err := h.srv.AddHistory(ok); err != nil {
			t.Errorf("AddHistory(%+v): %v", ok, err)
		}
	}
}

// Under concurrent_jobs a history may overlap other jobs and itself, and
// a job still running at now holds its desktops like a live one.
func TestAddHistoryConcurrentRunsOn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 1, JobDuration: 10 * time.Second, Dialect: Dialect{ConcurrentJobs: true}})
	id := h.srv.DesktopIDs()[0]
	h.create(map[string]any{"desktop_ids": []string{id}})
	now := h.clock.Now()
	jobs, err := h.srv.AddHistory(History{DesktopIDs: []string{id}, First: now.Add(-time.Minute), Every: 30 * time.Second, Count: 3, Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if n := h.busyCount(id); n != 4 {
		t.Errorf("desktop held by %d sub-jobs, want 4 (3 history jobs of an hour, the live one)", n)
	}
	if j := h.job(jobs[2]); j.Status != jobWaiting {
		t.Errorf("history job begun at now, an hour long: %s, want WAITING", j.Status)
	}
	if err := h.srv.SetDialect(Dialect{}); err != nil {
		t.Fatal(err)
	}
	expectError(t, h.do("POST", "~/snapshots/batch-create", map[string]any{"desktop_ids": []string{id}}), http.StatusConflict, codeBusy, id)
	h.clock.Advance(time.Hour)
	if j := h.job(jobs[2]); j.Status != jobSuccess {
		t.Errorf("after an hour the last history job is %s", j.Status)
	}
	if n := h.busyCount(id); n != 0 {
		t.Errorf("after an hour the desktop is held by %d sub-jobs", n)
	}
	if n := h.snapshots(url.Values{"status": {statusCreateSuccess}}).TotalCount; n != 8 {
		t.Errorf("%d create_success records, want 8", n)
	}
}

// POST /_emulator/history: the History JSON, durations as strings or
// nanoseconds; no auth, not counted; bad input is 400 naming the problem.
func TestPostHistory(t *testing.T) {
	t.Parallel()
	// History jobs never fail, whatever the faults.
	h := newHarness(t, Config{Desktops: 2, JobDuration: time.Minute, Faults: Faults{SubJobFailureRate: 1}})
	ids := h.srv.DesktopIDs()
	post := func(body string) response {
		return h.serve(h.newRequest("POST", "/_emulator/history", []byte(body)))
	}
	res := post(`{"desktop_ids":["` + ids[0] + `","` + ids[1] + `"],"disk_type":"DATA_DISKS","data_disk_name":"-hourly-",` +
		`"first":"2026-03-01T14:00:00+08:00","every":"1h","count":6,"duration":600000000000}`)
	if res.status != http.StatusOK {
		t.Fatalf("POST history: %d %s", res.status, res.body)
	}
	var out historyBody
	res.decode(t, &out)
	if len(out.JobIDs) != 6 || !slices.Equal(out.JobIDs, h.srv.JobIDs("")) {
		t.Fatalf("answer %s, jobs %v", res.body, h.srv.JobIDs(""))
	}
	if j := h.job(out.JobIDs[5]); j.Status != jobSuccess || j.BeginTime != "2026-03-01 11:00:00" || j.EndTime != "2026-03-01 11:10:00" {
		t.Errorf("last hourly job %s %s..%s, want SUCCESS 11:00:00..11:10:00 UTC", j.Status, j.BeginTime, j.EndTime)
	}
	if got := names(h.snapshots(url.Values{"limit": {"1"}})); len(got) != 1 || got[0] != "wks-desktop-0001-hourly-20260301060000" {
		t.Errorf("oldest record %v", got)
	}
	for body, msg := range map[string]string{
		`{"desktop_ids":["` + ids[0] + `"],"first":"2026-03-01T00:00:00Z","count":1,"every":"daily"}`:      "history: every:",
		`{"desktop_ids":["` + ids[0] + `"],"first":"2026-03-01T00:00:00Z","count":1,"duration":true}`:      "history: duration:",
		`{"desktop_ids":["` + ids[0] + `"],"first":"yesterday","count":1}`:                                 "history: parsing time",
		`{"desktop_ids":["` + ids[0] + `"],"first":"2026-03-01T00:00:00Z","count":1,"schedule":"nightly"}`: `unknown field "schedule"`,
		`{"desktop_ids":["` + ids[0] + `"],"first":"2026-03-01T00:00:00Z","count":3,"every":"10h"}`:        "history: the last of 3 jobs",
		`{"restore_snapshot_ids":["nope"],"first":"2026-03-01T00:00:00Z","count":1}`:                       "history: restore_snapshot_ids: snapshots not found: [nope]",
		`not json`: "history:",
	} {
		expectError(t, post(body), http.StatusBadRequest, codeBadRequest, msg)
	}
	if res := h.serve(h.newRequest("GET", "/_emulator/history", nil)); res.status != http.StatusNotFound || !strings.Contains(res.errorBody(t).ErrorMsg, "POST /_emulator/history") {
		t.Errorf("GET history: %d %s", res.status, res.body)
	}
	if st := h.srv.Stats(); len(st.RequestsByOperation) != 2 || st.RequestsByStatus["200"] != 2 || st.Jobs != 6 || st.Snapshots != 12 {
		t.Errorf("stats %+v: history routes must not count, only the test's own API calls", st)
	}
}

// History jobs are jobs and records like the others: the state file keeps
// them, in their order.
func TestAddHistoryStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	clock := newFakeClock()
	cfg := Config{Desktops: 2, JobDuration: 10 * time.Second, StateFile: path, Now: clock.Now, Seed: 7}
	h := newHarness(t, cfg)
	ids := h.srv.DesktopIDs()
	h.create(map[string]any{"desktop_ids": ids})
	if _, err := h.srv.AddHistory(History{DesktopIDs: ids[1:], First: clock.Now().Add(-48 * time.Hour), Every: 24 * time.Hour, Count: 2}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	before, beforeJobs := h.snapshots(nil), h.subJobPage(nil)
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, cfg)
	h2.clock = clock
	if a, b := mustJSON(t, before), mustJSON(t, h2.snapshots(nil)); a != b {
		t.Errorf("records differ after reload:\n%s\n%s", a, b)
	}
	if a, b := mustJSON(t, beforeJobs), mustJSON(t, h2.subJobPage(nil)); a != b {
		t.Errorf("sub-jobs differ after reload:\n%s\n%s", a, b)
	}
	if a, b := h.srv.JobIDs(""), h2.srv.JobIDs(""); !slices.Equal(a, b) {
		t.Errorf("JobIDs %v after reload, want %v", b, a)
	}
}

// Under ListLag a history job is listed like a live one made then: at once
// when it began longer than the lag ago.
func TestAddHistoryListLag(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 1, Dialect: Dialect{ListLag: 10 * time.Second}})
	id := h.srv.DesktopIDs()[0]
	now := h.clock.Now()
	if _, err := h.srv.AddHistory(History{DesktopIDs: []string{id}, First: now.Add(-15 * time.Second), Every: 10 * time.Second, Count: 2, Duration: time.Second}); err != nil {
		t.Fatal(err)
	}
	if n := h.snapshots(nil).TotalCount; n != 2 {
		t.Errorf("%d records listed, want the 2 of the job begun 15s ago", n)
	}
	h.clock.Advance(5 * time.Second)
	if n := h.snapshots(url.Values{"status": {statusCreateSuccess}}).TotalCount; n != 2 {
		t.Errorf("%d create_success records listed 5s later, want 2 (the second job ended 4s ago)", n)
	}
	h.clock.Advance(time.Second)
	if n := h.snapshots(url.Values{"status": {statusCreateSuccess}}).TotalCount; n != 4 {
		t.Errorf("%d create_success records listed 6s later, want 4", n)
	}
}

// Large lists sort by copied keys, small ones in place: both are creation
// order, ascending or descending.
func TestSortMadeLargeAndSmall(t *testing.T) {
	t.Parallel()
	for _, n := range []int{10, 512, 513, 3000} {
		recs := make([]*snapshot, n)
		for i := range recs {
			// Seq follows making; created repeats and goes back, as
			// history records made later but older do.
			recs[i] = &snapshot{ID: fmt.Sprint(i), Seq: int64(i), created: int64((i * 7919) % 50)}
		}
		for _, desc := range []bool{false, true} {
			got := slices.Clone(recs)
			sortMade(got, desc)
			want := slices.Clone(recs)
			slices.SortFunc(want, madeOrder)
			if desc {
				slices.Reverse(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("n=%d desc=%v: not in creation order", n, desc)
			}
		}
	}
}
