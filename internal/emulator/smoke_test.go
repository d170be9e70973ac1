package emulator

import (
	"net/url"
	"testing"
	"time"
)

func TestCreateThenListThenDelete(t *testing.T) {
	h := newHarness(t, Config{Desktops: 3, JobDuration: 10 * time.Second})
	ids := h.srv.DesktopIDs()
	jobID := h.create(map[string]any{"desktop_ids": ids[:2], "system_disk_snapshot": map[string]string{"name": "pre"}})
	if j := h.job(jobID); j.Status != jobWaiting || j.SubJobsTotal != 2 {
		t.Fatalf("job right after create: %+v", j)
	}
	list := h.snapshots(url.Values{"desktop_ids": ids[:2]})
	if list.TotalCount != 4 {
		t.Fatalf("want 4 records (system+data for 2 desktops), got %d", list.TotalCount)
	}
	h.clock.Advance(10 * time.Second)
	if j := h.job(jobID); j.Status != jobSuccess {
		t.Fatalf("job after duration: %+v", j)
	}
	list = h.snapshots(url.Values{"status": {statusCreateSuccess}})
	if list.TotalCount != 4 || list.DesktopSnapshots[0].SnapshotName != "wks-desktop-0001pre20260301120000" {
		t.Fatalf("after job: %+v", list)
	}
}
