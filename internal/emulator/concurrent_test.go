package emulator

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func (h *harness) post(path string, body any) string {
	h.t.Helper()
	var out jobIDBody
	h.mustDo("POST", path, body, &out)
	return out.JobID
}

// busyCount is how many running sub-jobs hold the desktop, read under the lock.
func (h *harness) busyCount(desktopID string) int {
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	return h.srv.st.busy[desktopID]
}

// longJob starts, directly, a job of its own duration: live jobs all run
// Config.JobDuration, so only this way does a later job end first.
func (h *harness) longJob(jobType string, d time.Duration, desktopID string, snapshotIDs ...string) string {
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	now := h.clock.Now()
	h.srv.advance(now)
	recs := make([]*snapshot, len(snapshotIDs))
	for i, id := range snapshotIDs {
		recs[i] = h.srv.st.snapshots[id]
	}
	plans := []subJobPlan{{desktopID: desktopID, entity: desktopID}}
	if len(recs) > 0 {
		plans = plansByDesktop(recs)
	}
	return h.srv.newJob(jobSpec{typ: jobType, begin: now, duration: d}, now, plans).ID
}

// Under Dialect.ConcurrentJobs every batch POST over a busy desktop is
// accepted and its job runs alongside the others; the desktop stays held
// until the last of them ends.
func TestDialectConcurrentJobs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 2, JobDuration: 100 * time.Second, Dialect: Dialect{ConcurrentJobs: true}})
	ids := h.srv.DesktopIDs()
	recs := h.createdRecords(ids[:1]) // system, then data disk of desktop 1
	sys, data := recs[0].SnapshotID, recs[1].SnapshotID

	create1 := h.create(map[string]any{"desktop_ids": ids[:1]})
	h.clock.Advance(time.Second)
	create2 := h.create(map[string]any{"desktop_ids": ids[:1]}) // 409 in the default dialect
	restore := h.post("~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{sys}})
	del := h.post("~/snapshots/batch-delete", map[string]any{"snapshot_ids": []string{data}})
	if n := h.busyCount(ids[0]); n != 4 {
		t.Errorf("desktop 1 is held by %d running sub-jobs, want 4", n)
	}
	for _, id := range []string{create1, create2, restore, del} {
		if j := h.job(id); j.Status != jobWaiting && j.Status != jobRunning {
			t.Errorf("job %s (%s) is %s right after it began", id, j.JobType, j.Status)
		}
	}
	if got := h.snapshots(url.Values{"desktop_id": {ids[0]}, "status": {statusCreating}}).TotalCount; got != 4 {
		t.Errorf("%d creating records while two create jobs run, want 4", got)
	}
	// Back to the default dialect while they run: the desktop is busy.
	if err := h.srv.SetDialect(Dialect{}); err != nil {
		t.Fatal(err)
	}
	expectError(t, h.do("POST", "~/snapshots/batch-create", map[string]any{"desktop_ids": ids[:1]}),
		http.StatusConflict, codeBusy, "resource id ["+ids[0]+"]")
	h.clock.Advance(100 * time.Second)
	for _, id := range []string{create1, create2, restore, del} {
		if j := h.job(id); j.Status != jobSuccess {
			t.Errorf("job %s (%s) is %s after its duration", id, j.JobType, j.Status)
		}
	}
	if n := h.busyCount(ids[0]); n != 0 {
		t.Errorf("desktop 1 is still held by %d sub-jobs after every job ended", n)
	}
	list := h.snapshots(url.Values{"desktop_id": {ids[0]}})
	byID := map[string]snapshotInfo{}
	for _, rec := range list.DesktopSnapshots {
		byID[rec.SnapshotID] = rec
	}
	if list.TotalCount != 5 || byID[sys].Status != statusRestoreSuccess || byID[sys].Process != nil {
		t.Errorf("after the jobs: %d records, the restored one %+v; want 5 (4 made, 1 deleted) and restore_success", list.TotalCount, byID[sys])
	}
	if _, ok := byID[data]; ok {
		t.Errorf("deleted record %s still listed", data)
	}
	h.create(map[string]any{"desktop_ids": ids[:1]}) // free again
}

// A desktop held by two jobs is busy until the later-ending one ends, even
// when the job that began last ends first; a record two jobs work on shows
// the progress of the one still running.
func TestConcurrentJobsBookkeeping(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 1, JobDuration: 100 * time.Second, Dialect: Dialect{ConcurrentJobs: true}})
	id := h.srv.DesktopIDs()[0]
	rec := h.createdRecords([]string{id})[0]

	long := h.longJob(jobTypeDelete, 1000*time.Second, id, rec.SnapshotID)
	h.clock.Advance(time.Second)
	h.post("~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{rec.SnapshotID}})
	h.clock.Advance(150 * time.Second) // the restore has ended, the delete has not
	got := h.snapshots(url.Values{"desktop_id": {id}, "disk_type": {diskTypeSystem}}).DesktopSnapshots
	if len(got) != 1 || got[0].Status != statusRestoreSuccess || got[0].Process == nil || *got[0].Process >= 100 {
		t.Errorf("record after its restore, under a running delete: %+v; want restore_success with the delete's progress", got)
	}
	if n := h.busyCount(id); n != 1 {
		t.Errorf("desktop held by %d sub-jobs, want 1 (the delete)", n)
	}
	if err := h.srv.SetDialect(Dialect{}); err != nil {
		t.Fatal(err)
	}
	expectError(t, h.do("POST", "~/snapshots/batch-create", map[string]any{"desktop_ids": []string{id}}),
		http.StatusConflict, codeBusy, "status is [deleting_snapshot] and deny operation [createWksSnapshot]")
	h.clock.Advance(1000 * time.Second)
	if j := h.job(long); j.Status != jobSuccess {
		t.Fatalf("long delete %s", j.Status)
	}
	if n := h.snapshots(url.Values{"desktop_id": {id}, "disk_type": {diskTypeSystem}}).TotalCount; n != 0 {
		t.Errorf("%d system-disk records after the delete ended, want 0", n)
	}
	h.create(map[string]any{"desktop_ids": []string{id}}) // free again
}
