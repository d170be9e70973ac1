package emulator

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// recordIDs are the IDs of a desktop's records as they are, read under the
// lock: what a client could only learn from the list, which lags.
func (h *harness) recordIDs(desktopID string) map[string]bool {
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	out := map[string]bool{}
	for id := range h.srv.st.byDesktop[desktopID] {
		out[id] = true
	}
	return out
}

// listed is the desktop's records as the list shows them now, by ID.
func (h *harness) listed(desktopID string) map[string]snapshotInfo {
	h.t.Helper()
	out := map[string]snapshotInfo{}
	for _, rec := range h.snapshots(url.Values{"desktop_id": {desktopID}}).DesktopSnapshots {
		out[rec.SnapshotID] = rec
	}
	return out
}

// subJobEnd is when the job's only sub-job ended, from ShowJob (UTC).
func (h *harness) subJobEnd(jobID string) time.Time {
	h.t.Helper()
	j := h.job(jobID)
	if len(j.SubJobs) != 1 {
		h.t.Fatalf("job %s has %d sub-jobs, want 1", jobID, len(j.SubJobs))
	}
	end, err := time.Parse(jobTimeLayout, j.SubJobs[0].EndTime)
	if err != nil {
		h.t.Fatalf("job %s: sub-job end_time %q: %v", jobID, j.SubJobs[0].EndTime, err)
	}
	return end
}

// clockTo sets the fake clock to t, which must not be in its past.
func (h *harness) clockTo(t time.Time) {
	h.t.Helper()
	d := t.Sub(h.clock.Now())
	if d < 0 {
		h.t.Fatalf("clock at %s cannot go back to %s", h.clock.Now(), t)
	}
	h.clock.Advance(d)
}

// The three effects of Dialect.ListLag, each to the nanosecond: a new
// record is listed ListLag after it was made, a deleted one ListLag after
// its delete ended, and a restore's end shows ListLag late; jobs are not
// delayed, and the POSTs act on what is, listed or not.
func TestDialectListLag(t *testing.T) {
	t.Parallel()
	const lag = 10 * time.Second
	h := newHarness(t, Config{Desktops: 2, JobDuration: 20 * time.Second, Dialect: Dialect{ListLag: lag}})
	id := h.srv.DesktopIDs()[0]

	// (a) made at t0: not listed before t0+lag, then as it was at t0.
	t0 := h.clock.Now()
	create := h.create(map[string]any{"desktop_ids": []string{id}})
	h.clockTo(t0.Add(lag - time.Nanosecond))
	if got := h.snapshots(nil); got.TotalCount != 0 || len(got.DesktopSnapshots) != 0 {
		t.Errorf("%d records listed before the lag passed, want none", got.TotalCount)
	}
	if j := h.job(create); j.Status != jobRunning {
		t.Errorf("the create job is %s while the list lags; jobs must not lag", j.Status)
	}
	h.clock.Advance(time.Nanosecond)
	recs := h.listed(id)
	if len(recs) != 2 {
		t.Fatalf("%d records listed at the lag, want 2", len(recs))
	}
	for _, rec := range recs {
		if rec.Status != statusCreating || rec.Process == nil || *rec.Process != 0 || rec.CreateTime != "2026-03-01T12:00:00Z" {
			t.Errorf("record at the lag %+v, want creating with process 0, as at its creation", rec)
		}
	}
	h.clockTo(t0.Add(20 * time.Second)) // the job has ended
	end := h.subJobEnd(create)
	var subs subJobsBody
	h.mustDo("GET", "~/workspace-sub-jobs?job_id="+create, nil, &subs)
	if j := h.job(create); j.Status != jobSuccess || subs.Jobs[0].Status != jobSuccess {
		t.Fatalf("job %s, sub-job %s after its duration", j.Status, subs.Jobs[0].Status)
	}
	for _, rec := range h.listed(id) {
		if rec.Status != statusCreating {
			t.Errorf("record %s is %s while its end is not yet %s old", rec.SnapshotID, rec.Status, lag)
		}
	}
	h.clockTo(end.Add(lag + time.Second)) // end_time is whole seconds
	for _, rec := range h.listed(id) {
		if rec.Status != statusCreateSuccess || rec.Process != nil {
			t.Errorf("record %+v, want create_success once its end is %s old", rec, lag)
		}
	}
	var sys, data string
	for _, rec := range h.listed(id) {
		if rec.IsSystemDisk {
			sys = rec.SnapshotID
		} else {
			data = rec.SnapshotID
		}
	}

	// (c) restored: the list shows the record as before until its end is
	// lag old.
	t1 := h.clock.Now()
	restore := h.post("~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{sys}})
	if got := h.listed(id)[sys]; got.Status != statusCreateSuccess {
		t.Errorf("right after the restore POST: %s, want create_success", got.Status)
	}
	h.clockTo(t1.Add(lag))
	if got := h.listed(id)[sys]; got.Status != statusRestoring || got.Process == nil || *got.Process != 0 {
		t.Errorf("restore POST lag old: %+v, want restoring at process 0", got)
	}
	h.clockTo(t1.Add(20 * time.Second)) // the job has ended
	end = h.subJobEnd(restore)
	h.clockTo(end.Add(lag - time.Second)) // before the real end + lag, whatever its fraction
	if got := h.listed(id)[sys]; got.Status != statusRestoring || got.LastRestoreTime != "" {
		t.Errorf("restore ended less than the lag ago: %+v, want restoring, no last_restore_time", got)
	}
	if j := h.job(restore); j.Status != jobSuccess {
		t.Errorf("restore job %s; jobs must not lag", j.Status)
	}
	h.clockTo(end.Add(lag + time.Second))
	if got := h.listed(id)[sys]; got.Status != statusRestoreSuccess || got.LastRestoreTime != end.Format(recordTimeLayout) {
		t.Errorf("restore ended the lag ago: %+v, want restore_success at %s", got, end.Format(recordTimeLayout))
	}

	// (b) deleted: listed, as it was, until its delete is lag old.
	del := h.post("~/snapshots/batch-delete", map[string]any{"snapshot_ids": []string{data}})
	h.clock.Advance(20 * time.Second)
	end = h.subJobEnd(del)
	h.clockTo(end.Add(lag - time.Second))
	if h.job(del).Status != jobSuccess || h.recordIDs(id)[data] {
		t.Fatal("the delete has not ended")
	}
	if got, ok := h.listed(id)[data]; !ok || got.Status != statusCreateSuccess {
		t.Errorf("deleted less than the lag ago: %+v (listed %v), want still listed as create_success", got, ok)
	}
	// The POSTs act on what is: the record listed is gone...
	expectError(t, h.do("POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{data}}),
		http.StatusNotFound, codeNotFound, data)
	h.clockTo(end.Add(lag + time.Second))
	if got, ok := h.listed(id)[data]; ok {
		t.Errorf("deleted the lag ago, still listed: %+v", got)
	}

}

// The POSTs act on what is: a record made but not listed yet can be
// restored and deleted.
func TestListLagPostsActOnWhatIs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 1, Dialect: Dialect{ListLag: 10 * time.Second}}) // jobs end at once
	id := h.srv.DesktopIDs()[0]
	create := h.create(map[string]any{"desktop_ids": []string{id}})
	if n := len(h.listed(id)); n != 0 || h.job(create).Status != jobSuccess {
		t.Fatalf("%d records listed before the lag, job %s", n, h.job(create).Status)
	}
	var fresh []string
	for rid := range h.recordIDs(id) {
		fresh = append(fresh, rid)
	}
	restore := h.post("~/snapshots/batch-restore", map[string]any{"snapshot_ids": fresh[:1]})
	del := h.post("~/snapshots/batch-delete", map[string]any{"snapshot_ids": fresh})
	if h.job(restore).Status != jobSuccess || h.job(del).Status != jobSuccess || h.srv.Stats().Snapshots != 0 {
		t.Errorf("restore %s, delete %s, %d records left; want both SUCCESS and none", h.job(restore).Status, h.job(del).Status, h.srv.Stats().Snapshots)
	}
	h.clock.Advance(10 * time.Second)
	if n := len(h.listed(id)); n != 0 {
		t.Errorf("%d records listed: made and deleted at one instant, they are never listed", n)
	}
}

// Records listed under a lag keep the list's order and paging, and the
// filters apply to the records as listed (a deleted record's status, a
// restoring one's).
func TestListLagFiltersAndOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 3, Dialect: Dialect{ListLag: time.Minute}}) // jobs end at once
	ids := h.srv.DesktopIDs()
	h.create(map[string]any{"desktop_ids": ids})
	h.clock.Advance(time.Minute)
	before := h.snapshots(nil)
	if before.TotalCount != 6 {
		t.Fatalf("%d records, want 6", before.TotalCount)
	}
	h.post("~/snapshots/batch-delete", map[string]any{"snapshot_ids": []string{before.DesktopSnapshots[2].SnapshotID}})
	h.create(map[string]any{"desktop_ids": ids[:1]})
	h.clock.Advance(time.Second)
	if got := h.snapshots(nil); mustJSON(t, got) != mustJSON(t, before) {
		t.Errorf("a second after a delete and a create the list changed:\n%s\nwant\n%s", mustJSON(t, got), mustJSON(t, before))
	}
	page := h.snapshots(url.Values{"offset": {"2"}, "limit": {"2"}, "status": {statusCreateSuccess}, "desktop_ids": {ids[1], ids[2]}})
	if page.TotalCount != 4 || len(page.DesktopSnapshots) != 2 || page.DesktopSnapshots[0].SnapshotID != before.DesktopSnapshots[4].SnapshotID {
		t.Errorf("filtered page %+v", page)
	}
	h.clock.Advance(time.Minute)
	if got := h.snapshots(nil); got.TotalCount != 7 {
		t.Errorf("%d records after the lag, want 7 (6 - 1 + 2)", got.TotalCount)
	}
}

// ListLag set or changed at run time applies to changes from then on: the
// list shows the records that were there before as they are. Back to 0, it
// shows everything at once.
func TestListLagSwitched(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 1})
	id := h.srv.DesktopIDs()[0]
	h.create(map[string]any{"desktop_ids": []string{id}})
	if res := h.serve(h.newRequest("POST", "/_emulator/dialect", []byte(`{"list_lag":"30s"}`))); res.status != http.StatusOK {
		t.Fatalf("POST dialect: %d %s", res.status, res.body)
	}
	if n := len(h.listed(id)); n != 2 {
		t.Errorf("%d records made before the lag was set are listed, want both", n)
	}
	h.create(map[string]any{"desktop_ids": []string{id}})
	if n := len(h.listed(id)); n != 2 {
		t.Errorf("%d records listed right after a create under the lag, want the 2 older", n)
	}
	if err := h.srv.SetDialect(Dialect{}); err != nil {
		t.Fatal(err)
	}
	if n := len(h.listed(id)); n != 4 {
		t.Errorf("%d records listed with the lag off, want 4", n)
	}
	h.mustDo("GET", "~/snapshots", nil, nil)
	if n := len(h.srv.st.lag.versions); n != 0 {
		t.Errorf("%d records' versions kept with the lag off", n)
	}
}

// With concurrent jobs, ends are noted in the order they happened though
// one request applies them: a failed delete that ended during a restore of
// the same record leaves it restoring in the list of that moment.
func TestListLagConcurrentEndsInTimeOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 1, JobDuration: 100 * time.Second, Dialect: Dialect{ListLag: time.Minute, ConcurrentJobs: true}})
	id := h.srv.DesktopIDs()[0]
	h.create(map[string]any{"desktop_ids": []string{id}})
	h.clock.Advance(200 * time.Second)
	var rec string
	for rid, r := range h.listed(id) {
		if r.IsSystemDisk {
			rec = rid
		}
	}
	h.post("~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{rec}}) // ends in 55..100s
	h.clock.Advance(time.Second)
	h.srv.SetFaults(Faults{SubJobFailureRate: 1})
	h.longJob(jobTypeDelete, 10*time.Second, id, rec) // fails in 6.5..11s
	h.srv.SetFaults(Faults{})
	h.clock.Advance(104 * time.Second) // the first request after both ended; as of 45s in
	got := h.listed(id)[rec]
	if got.Status != statusRestoring || got.Process == nil || *got.Process >= 100 {
		t.Errorf("as of 45s into a restore, after a failed delete of the record: %+v, want restoring in progress", got)
	}
}

// The versions kept do not outgrow the changes of the last ListLag, even
// when nothing lists.
func TestListLagMemoryIsBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 10, Dialect: Dialect{ListLag: 5 * time.Second}}) // jobs end at once
	ids := h.srv.DesktopIDs()
	for i := range 3000 {
		h.create(map[string]any{"desktop_ids": ids[i%10 : i%10+1]})
		var recs []string
		for rid := range h.recordIDs(ids[i%10]) {
			recs = append(recs, rid)
		}
		h.post("~/snapshots/batch-delete", map[string]any{"snapshot_ids": recs})
		h.clock.Advance(time.Second)
	}
	// 5 seconds hold 10 records' changes; sweeps run at 1024 entries.
	if n := len(h.srv.st.lag.versions); n > 2*minSweep {
		t.Errorf("%d records' versions kept after 6000 records made and deleted a second apart, lag 5s", n)
	}
	h.clock.Advance(5 * time.Second)
	h.snapshots(nil)
	if n := len(h.srv.st.lag.versions); n != 0 {
		t.Errorf("%d records' versions kept once every change is older than the lag", n)
	}
}
