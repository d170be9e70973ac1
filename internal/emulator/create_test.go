package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestBatchCreateRejections(t *testing.T) {
	h := newHarness(t, Config{Desktops: 2})
	ids := h.srv.DesktopIDs()
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("d%03d", i)
	}
	cases := []struct {
		name, body, want string
	}{
		{"malformed JSON", `{"desktop_ids": [`, "not valid JSON"},
		{"empty body", ``, "request body is empty"},
		{"trailing data", `{"desktop_ids":["` + ids[0] + `"]} {}`, "data after the JSON object"},
		{"wrong type", `{"desktop_ids":"` + ids[0] + `"}`, "desktop_ids: must be of JSON type array of strings"},
		{"no desktop_ids", `{"disk_type":"ALL"}`, "desktop_ids: is required"},
		{"null desktop_ids", `{"desktop_ids":null}`, "desktop_ids: is required"},
		{"empty desktop_ids", `{"desktop_ids":[]}`, "desktop_ids: must hold 1 to 100 desktop IDs, got 0"},
		{"101 desktop_ids", jsonIDs(many), "desktop_ids: must hold 1 to 100 desktop IDs, got 101"},
		{"duplicate IDs", jsonIDs([]string{ids[0], ids[1], ids[0]}), "desktop_ids[2]: desktop ID [" + ids[0] + "] appears more than once"},
		{"ID too long", jsonIDs([]string{strings.Repeat("a", 37)}), "desktop_ids[0]: a desktop ID must be 1 to 36 characters, got 37"},
		{"empty ID", jsonIDs([]string{""}), "desktop_ids[0]: a desktop ID must be 1 to 36 characters, got 0"},
		{"bad disk_type", `{"desktop_ids":["` + ids[0] + `"],"disk_type":"SYSTEM"}`, `disk_type: must be one of [SYSTEM_DISK DATA_DISKS ALL], got "SYSTEM"`},
		{"name too long", `{"desktop_ids":["` + ids[0] + `"],"system_disk_snapshot":{"name":"` + strings.Repeat("n", 65) + `"}}`, "system_disk_snapshot.name: must be at most 64 characters, got 65"},
		{"description too long", `{"desktop_ids":["` + ids[0] + `"],"data_disk_snapshot":{"description":"` + strings.Repeat("d", 256) + `"}}`, "data_disk_snapshot.description: must be at most 255 characters, got 256"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectError(t, h.do("POST", "~/snapshots/batch-create", tc.body), http.StatusBadRequest, codeBadRequest, tc.want)
		})
	}
	expectError(t, h.do("POST", "~/snapshots/batch-create", jsonIDs([]string{ids[0], "nope-1", "nope-2"})),
		http.StatusNotFound, codeNotFound, "desktops not found: [nope-1, nope-2]")
	if st := h.srv.Stats(); st.Snapshots != 0 || st.Jobs != 0 {
		t.Errorf("rejected requests changed state: %d snapshots, %d jobs", st.Snapshots, st.Jobs)
	}
	// 64 multi-byte characters are within the limit: it counts characters.
	h.create(`{"desktop_ids":["` + ids[0] + `"],"system_disk_snapshot":{"name":"` + strings.Repeat("é", 64) + `"}}`)
}

func jsonIDs(ids []string) string {
	return `{"desktop_ids":["` + strings.Join(ids, `","`) + `"]}`
}

func TestBatchCreateRecords(t *testing.T) {
	h := newHarness(t, Config{Desktops: 3, JobDuration: 100 * time.Second})
	ids := h.srv.DesktopIDs()
	jobID := h.create(map[string]any{
		"desktop_ids":          ids[:2],
		"disk_type":            "ALL",
		"system_disk_snapshot": map[string]string{"name": "pre-upgrade", "description": "before patch"},
		"data_disk_snapshot":   map[string]string{"name": "-data", "description": "data before patch"},
	})
	list := h.snapshots(url.Values{"desktop_id": {ids[0]}})
	if list.TotalCount != 2 {
		t.Fatalf("desktop 1 has %d records, want system + data", list.TotalCount)
	}
	sys, data := list.DesktopSnapshots[0], list.DesktopSnapshots[1]
	if !sys.IsSystemDisk || data.IsSystemDisk {
		t.Fatalf("want the system disk record first: %+v", list.DesktopSnapshots)
	}
	want := snapshotInfo{
		SnapshotID: sys.SnapshotID, SnapshotName: "wks-desktop-0001pre-upgrade20260301120000",
		DesktopID: ids[0], DesktopName: "wks-desktop-0001", DesktopSID: sys.DesktopSID, IsSystemDisk: true,
		Status: statusCreating, Process: sys.Process, Description: "before patch",
		CreateTime: "2026-03-01T12:00:00Z", CreateType: "MANUALLY",
	}
	if sys != want {
		t.Errorf("system record\n%+v\nwant\n%+v", sys, want)
	}
	if data.SnapshotName != "wks-desktop-0001-data20260301120000" || data.Description != "data before patch" {
		t.Errorf("data record %+v", data)
	}
	if len(sys.SnapshotID) != 36 || sys.SnapshotID == data.SnapshotID {
		t.Errorf("snapshot IDs %q, %q are not distinct UUIDs", sys.SnapshotID, data.SnapshotID)
	}
	if sys.Process == nil || *sys.Process != 0 {
		t.Errorf("process while waiting = %v, want 0", sys.Process)
	}

	h.clock.Advance(30 * time.Second) // running, before any sub-job can end (50%+)
	list = h.snapshots(url.Values{"desktop_id": {ids[0]}})
	if p := list.DesktopSnapshots[0].Process; p == nil || *p <= 0 || *p >= 100 {
		t.Errorf("process while running = %v, want between 0 and 100", p)
	}
	// Busy: the desktop is under a running job.
	expectError(t, h.do("POST", "~/snapshots/batch-create", jsonIDs([]string{ids[2], ids[1]})),
		http.StatusConflict, codeBusy, "Operation conflict. The desktop current instance status is [snapshotting] and deny operation [createWksSnapshot], resource id ["+ids[1]+"]")

	h.clock.Advance(70 * time.Second)
	if j := h.job(jobID); j.Status != jobSuccess {
		t.Fatalf("job status %s after its duration", j.Status)
	}
	for _, rec := range h.snapshots(nil).DesktopSnapshots {
		if rec.Status != statusCreateSuccess || rec.Process != nil {
			t.Errorf("record after the job: status %s process %v, want create_success and null", rec.Status, rec.Process)
		}
	}
	h.create(jsonIDs([]string{ids[1]})) // no longer busy
}

func TestBatchCreateDiskTypes(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1})
	id := h.srv.DesktopIDs()[0]
	for _, tc := range []struct {
		diskType    string
		wantSystem  int
		wantData    int
		description string
	}{
		{"", 1, 1, "omitted means ALL"},
		{"ALL", 1, 1, "both disks"},
		{"SYSTEM_DISK", 1, 0, "system disk only"},
		{"DATA_DISKS", 0, 1, "data disk only"},
	} {
		body := map[string]any{"desktop_ids": []string{id}}
		if tc.diskType != "" {
			body["disk_type"] = tc.diskType
		}
		before := h.snapshots(nil).DesktopSnapshots
		h.create(body)
		h.clock.Advance(time.Second)
		after := h.snapshots(nil).DesktopSnapshots
		sys, data := 0, 0
		for _, rec := range after[len(before):] {
			if rec.IsSystemDisk {
				sys++
			} else {
				data++
			}
		}
		if sys != tc.wantSystem || data != tc.wantData {
			t.Errorf("%s: %d system and %d data records, want %d and %d", tc.description, sys, data, tc.wantSystem, tc.wantData)
		}
	}
}
