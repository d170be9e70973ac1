package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// createdRecords creates snapshots of every given desktop, waits for the job
// and returns the records, system disk first per desktop.
func (h *harness) createdRecords(ids []string) []snapshotInfo {
	h.t.Helper()
	h.create(map[string]any{"desktop_ids": ids})
	h.clock.Advance(time.Hour)
	return h.snapshots(url.Values{"desktop_ids": ids}).DesktopSnapshots
}

func TestBatchRestore(t *testing.T) {
	h := newHarness(t, Config{Desktops: 2, JobDuration: 10 * time.Second})
	ids := h.srv.DesktopIDs()
	recs := h.createdRecords(ids)
	sys0, data0, sys1 := recs[0], recs[1], recs[2]

	var out jobIDBody
	h.mustDo("POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{sys0.SnapshotID, data0.SnapshotID, sys1.SnapshotID}}, &out)
	j := h.job(out.JobID)
	if j.JobType != jobTypeRestore || j.SubJobsTotal != 2 {
		t.Fatalf("restore job %+v, want one restoreDesktopBySnapshot sub-job per desktop", j)
	}
	if e := j.SubJobs[0].Entity; e != sys0.SnapshotID+","+data0.SnapshotID {
		t.Errorf("sub-job entity %q, want the desktop's snapshot IDs comma separated", e)
	}
	for _, rec := range h.snapshots(url.Values{"desktop_ids": ids}).DesktopSnapshots {
		if rec.Status != statusRestoring && rec.SnapshotID != recs[3].SnapshotID {
			t.Errorf("record %s is %s during the restore", rec.SnapshotID, rec.Status)
		}
	}
	expectError(t, h.do("POST", "~/snapshots/batch-delete", map[string]any{"snapshot_ids": []string{recs[3].SnapshotID}}),
		http.StatusConflict, codeBusy, "status is [restoring] and deny operation [deleteWksSnapshot]")
	expectError(t, h.do("POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{sys1.SnapshotID}}),
		http.StatusConflict, codeBusy, "status is [restoring] and deny operation [restoreDesktopBySnapshot], resource id ["+ids[1]+"]")

	h.clock.Advance(10 * time.Second)
	got := h.snapshots(url.Values{"status": {statusRestoreSuccess}})
	if got.TotalCount != 3 {
		t.Fatalf("%d restore_success records, want 3", got.TotalCount)
	}
	if lr := got.DesktopSnapshots[0].LastRestoreTime; lr == "" || lr < "2026-03-01T12:00:00Z" {
		t.Errorf("last_restore_time %q not set", lr)
	}
}

func TestBatchRestoreRejections(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1, Faults: Faults{SubJobFailureRate: 1}})
	id := h.srv.DesktopIDs()[0]
	failed := h.createdRecords([]string{id})
	h.srv.SetFaults(Faults{})
	ok1 := h.createdRecords([]string{id})[2:]

	body := func(ids ...string) map[string]any { return map[string]any{"snapshot_ids": ids} }
	expectError(t, h.do("POST", "~/snapshots/batch-restore", body(ok1[0].SnapshotID, "missing-snap")),
		http.StatusNotFound, codeNotFound, "snapshots not found: [missing-snap]")
	expectError(t, h.do("POST", "~/snapshots/batch-restore", body(failed[0].SnapshotID)),
		http.StatusBadRequest, codeBadRequest, "is in status [create_failed]")
	expectError(t, h.do("POST", "~/snapshots/batch-restore", `{"snapshot_ids":[]}`),
		http.StatusBadRequest, codeBadRequest, "snapshot_ids: must hold 1 to 100 snapshot IDs, got 0")
	expectError(t, h.do("POST", "~/snapshots/batch-restore", body(ok1[0].SnapshotID, ok1[0].SnapshotID)),
		http.StatusBadRequest, codeBadRequest, "appears more than once")

	// Two snapshots of the same disk of one desktop cannot be restored together.
	ok2 := h.createdRecords([]string{id})[4:]
	expectError(t, h.do("POST", "~/snapshots/batch-restore", body(ok1[0].SnapshotID, ok2[0].SnapshotID)),
		http.StatusBadRequest, codeBadRequest, "are both of the system disk of desktop ["+id+"]")
}

func TestBatchRestoreFailure(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1})
	recs := h.createdRecords(h.srv.DesktopIDs())
	h.srv.SetFaults(Faults{SubJobFailureRate: 1})
	var out jobIDBody
	h.mustDo("POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{recs[0].SnapshotID}}, &out)
	rec := h.snapshots(url.Values{"status": {statusRestoreFailed}}).DesktopSnapshots
	if len(rec) != 1 || !strings.Contains(rec[0].RestoreFailReason, "restore desktop wks-desktop-0001 by snapshot failed") {
		t.Fatalf("restore_failed records %+v", rec)
	}
	if rec[0].LastRestoreTime != "" {
		t.Errorf("a failed restore set last_restore_time %q", rec[0].LastRestoreTime)
	}
}

func TestBatchDelete(t *testing.T) {
	h := newHarness(t, Config{Desktops: 2, JobDuration: 10 * time.Second})
	ids := h.srv.DesktopIDs()
	recs := h.createdRecords(ids)
	del := []string{recs[0].SnapshotID, recs[1].SnapshotID, recs[3].SnapshotID}

	expectError(t, h.do("POST", "~/snapshots/batch-delete", map[string]any{"snapshot_ids": []string{recs[0].SnapshotID, "gone-1"}}),
		http.StatusNotFound, codeNotFound, "snapshots not found: [gone-1]")
	expectError(t, h.do("POST", "~/snapshots/batch-delete", `{"snapshot_ids":["`+strings.Repeat("x", 37)+`"]}`),
		http.StatusBadRequest, codeBadRequest, "snapshot_ids[0]: a snapshot ID must be 1 to 36 characters")

	var out jobIDBody
	h.mustDo("POST", "~/snapshots/batch-delete", map[string]any{"snapshot_ids": del}, &out)
	j := h.job(out.JobID)
	if j.JobType != jobTypeDelete || j.SubJobsTotal != 2 || j.SubJobs[1].Entity != recs[3].SnapshotID {
		t.Fatalf("delete job %+v", j)
	}
	if n := h.snapshots(nil).TotalCount; n != 4 {
		t.Fatalf("records removed before the job ended: %d left", n)
	}
	h.clock.Advance(10 * time.Second)
	left := h.snapshots(nil).DesktopSnapshots
	if len(left) != 1 || left[0].SnapshotID != recs[2].SnapshotID {
		t.Fatalf("after delete: %+v, want only %s", left, recs[2].SnapshotID)
	}
	// A deleted ID is unknown from then on.
	expectError(t, h.do("POST", "~/snapshots/batch-delete", map[string]any{"snapshot_ids": del[:1]}),
		http.StatusNotFound, codeNotFound, del[0])
}

func TestBatchDeleteFailureKeepsRecords(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1})
	recs := h.createdRecords(h.srv.DesktopIDs())
	h.srv.SetFaults(Faults{SubJobFailureRate: 1})
	h.mustDo("POST", "~/snapshots/batch-delete", map[string]any{"snapshot_ids": []string{recs[0].SnapshotID}}, nil)
	left := h.snapshots(nil).DesktopSnapshots
	if len(left) != 2 || left[0].Status != statusCreateSuccess || left[0].Process != nil {
		t.Fatalf("after a failed delete: %+v", left)
	}
	if !slices.ContainsFunc(left, func(s snapshotInfo) bool { return s.SnapshotID == recs[0].SnapshotID }) {
		t.Error("the record of a failed delete disappeared")
	}
}
