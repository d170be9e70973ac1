package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
)

// listFixture makes desktop 1 with "alpha" records (create_success), desktop
// 2 with "beta" records and desktop 3 with a system-only "gamma" record still
// creating, each a minute apart.
func listFixture(t *testing.T) (*harness, []string) {
	h := newHarness(t, Config{Desktops: 3, JobDuration: 10 * time.Second})
	ids := h.srv.DesktopIDs()
	h.create(map[string]any{"desktop_ids": ids[:1], "system_disk_snapshot": map[string]string{"name": "alpha"}, "data_disk_snapshot": map[string]string{"name": "alpha"}})
	h.clock.Advance(time.Minute)
	h.create(map[string]any{"desktop_ids": ids[1:2], "system_disk_snapshot": map[string]string{"name": "beta"}, "data_disk_snapshot": map[string]string{"name": "beta"}})
	h.clock.Advance(time.Minute)
	h.create(map[string]any{"desktop_ids": ids[2:], "disk_type": "SYSTEM_DISK", "system_disk_snapshot": map[string]string{"name": "gamma"}})
	return h, ids
}

func names(list listSnapshotsBody) []string {
	var out []string
	for _, s := range list.DesktopSnapshots {
		out = append(out, s.SnapshotName)
	}
	return out
}

func TestListSnapshotFilters(t *testing.T) {
	h, ids := listFixture(t)
	a1 := "wks-desktop-0001alpha20260301120000"
	b2 := "wks-desktop-0002beta20260301120100"
	g3 := "wks-desktop-0003gamma20260301120200"
	cases := []struct {
		query url.Values
		want  []string
	}{
		{nil, []string{a1, a1, b2, b2, g3}},
		{url.Values{"desktop_id": {ids[1]}}, []string{b2, b2}},
		{url.Values{"desktop_ids": {ids[0], ids[2]}}, []string{a1, a1, g3}},
		{url.Values{"desktop_id": {ids[0]}, "desktop_ids": {ids[1]}}, nil},
		{url.Values{"desktop_name": {"0002"}}, []string{b2, b2}},
		{url.Values{"desktop_names": {"wks-desktop-0003", "wks-desktop-0001"}}, []string{a1, a1, g3}},
		{url.Values{"desktop_names": {"0003"}}, nil},
		{url.Values{"snapshot_name": {"beta"}}, []string{b2, b2}},
		{url.Values{"snapshot_names": {g3, a1}}, []string{a1, a1, g3}},
		{url.Values{"snapshot_names": {"gamma"}}, nil},
		{url.Values{"disk_type": {"SYSTEM_DISK"}}, []string{a1, b2, g3}},
		{url.Values{"disk_type": {"DATA_DISKS"}}, []string{a1, b2}},
		{url.Values{"disk_type": {"ALL"}}, []string{a1, a1, b2, b2, g3}},
		{url.Values{"create_type": {"AUTO"}}, nil},
		{url.Values{"create_type": {"MANUALLY"}, "status": {statusCreating}}, []string{g3}},
		{url.Values{"status": {statusCreateSuccess}}, []string{a1, a1, b2, b2}},
		{url.Values{"sort_field": {"snapshot_name"}, "sort_type": {"DESC"}}, []string{g3, b2, b2, a1, a1}},
		{url.Values{"sort_field": {"create_time"}, "sort_type": {"DESC"}, "disk_type": {"SYSTEM_DISK"}}, []string{g3, b2, a1}},
		{url.Values{"sort_field": {"create_time"}, "sort_type": {"ASC"}, "disk_type": {"SYSTEM_DISK"}}, []string{a1, b2, g3}},
	}
	for _, tc := range cases {
		got := h.snapshots(tc.query)
		if !slices.Equal(names(got), tc.want) || got.TotalCount != len(tc.want) {
			t.Errorf("?%s: %v (total %d), want %v", tc.query.Encode(), names(got), got.TotalCount, tc.want)
		}
	}
}

func TestListSnapshotPaging(t *testing.T) {
	h, _ := listFixture(t)
	all := names(h.snapshots(nil))
	var paged []string
	for offset := 0; offset < 7; offset += 2 {
		got := h.snapshots(url.Values{"offset": {strconv.Itoa(offset)}, "limit": {"2"}})
		if got.TotalCount != 5 {
			t.Errorf("offset %d: total_count %d, want the total before paging (5)", offset, got.TotalCount)
		}
		paged = append(paged, names(got)...)
	}
	if !slices.Equal(paged, all) {
		t.Errorf("pages %v, want %v", paged, all)
	}
	if got := h.snapshots(url.Values{"offset": {"100"}}); len(got.DesktopSnapshots) != 0 || got.DesktopSnapshots == nil {
		t.Errorf("offset past the end: %+v, want an empty array", got)
	}
}

func TestListSnapshotDefaultLimit(t *testing.T) {
	h := newHarness(t, Config{Desktops: 501})
	ids := h.srv.DesktopIDs()
	for i := 0; i < len(ids); i += 100 {
		h.create(map[string]any{"desktop_ids": ids[i:min(len(ids), i+100)]})
	}
	if got := h.snapshots(nil); got.TotalCount != 1002 || len(got.DesktopSnapshots) != 1000 {
		t.Errorf("no limit: %d records of %d, want 1000 of 1002", len(got.DesktopSnapshots), got.TotalCount)
	}
	if got := h.snapshots(url.Values{"offset": {"1000"}, "limit": {"1000"}}); len(got.DesktopSnapshots) != 2 {
		t.Errorf("last page: %d records, want 2", len(got.DesktopSnapshots))
	}
}

func TestListSnapshotBadQuery(t *testing.T) {
	h, _ := listFixture(t)
	for query, want := range map[string]string{
		"limit=0":            `limit: must be an integer from 1 to 1000, got "0"`,
		"limit=1001":         `limit: must be an integer from 1 to 1000, got "1001"`,
		"limit=ten":          `limit: must be an integer`,
		"offset=-1":          `offset: must be an integer from 0`,
		"disk_type=SYSTEM":   `disk_type: must be one of [SYSTEM_DISK DATA_DISKS ALL], got "SYSTEM"`,
		"create_type=manual": `create_type: must be one of [AUTO MANUALLY]`,
		"status=success":     `status: must be one of [creating restoring create_success create_failed restore_success restore_failed]`,
		"sort_field=name":    `sort_field: must be one of [create_time snapshot_name]`,
		"sort_type=desc":     `sort_type: must be one of [ASC DESC]`,
	} {
		expectError(t, h.do("GET", "~/snapshots?"+query, nil), http.StatusBadRequest, codeBadRequest, want)
	}
}
