package workspace

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

func record(id, desktop string, system bool, created, name, createType, status string) DesktopSnapshotDetailInfo {
	return DesktopSnapshotDetailInfo{SnapshotId: id, DesktopId: desktop, IsSystemDisk: boolPtr(system), CreateTime: created,
		SnapshotName: name, CreateType: createType, Status: status}
}

func ids(records []DesktopSnapshotDetailInfo) []string {
	var out []string
	for _, r := range records {
		out = append(out, r.SnapshotId)
	}
	return out
}

func TestSelectCreatedKeepsExactlyTheJobsRecords(t *testing.T) {
	const m = CreateTypeManually
	job := &JobResult{JobID: "j", BeginTime: time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC), EndTime: time.Date(2026, 3, 1, 12, 0, 20, 0, time.UTC),
		Outcomes: []DesktopOutcome{{DesktopID: "d1"}, {DesktopID: "d2"}, {DesktopID: "d3"}}}
	records := []DesktopSnapshotDetailInfo{
		record("old-sys", "d1", true, "2026-03-01T12:00:05Z", "d1-sys", m, "create_success"),   // before the window
		record("auto", "d1", true, "2026-03-01T12:00:12Z", "d1-sys", "AUTO", "create_success"), // scheduled, not ours
		record("prev-sys", "d1", true, "2026-03-01T12:00:11Z", "d1-sys", m, "create_success"),  // earlier job in the window
		record("prev-data", "d1", false, "2026-03-01T12:00:11Z", "d1-data", m, "create_success"),
		record("prev-data2", "d1", false, "2026-03-01T12:00:11Z", "d1-data", m, "create_success"),
		record("d1-sys", "d1", true, "2026-03-01T12:00:19Z", "d1-sys", m, "create_success"),
		record("d1-data-b", "d1", false, "2026-03-01T12:00:19Z", "d1-data", m, "create_success"),
		record("d1-data-a", "d1", false, "2026-03-01T12:00:19Z", "d1-data", m, "create_success"),
		record("d2-sys", "d2", true, "2026-03-01T12:00:21Z", "d2-sys", m, "create_failed"), // within the 1s slack, failed
		record("d2-late", "d2", true, "2026-03-01T12:00:22Z", "d2-sys", m, "create_success"),
		record("d2-other-name", "d2", false, "2026-03-01T12:00:15Z", "d2-other", m, "create_success"),
		record("excluded", "d3", true, "2026-03-01T12:00:15Z", "d3-sys", m, "create_success"),
		record("stranger", "d9", true, "2026-03-01T12:00:15Z", "d9-sys", m, "create_success"),
	}
	got := selectCreated(records, job, ResolveOptions{SystemDiskName: "sys", DataDiskName: "data", ExcludeSnapshot: map[string]bool{"excluded": true}})
	want := []string{"d1-sys", "d1-data-a", "d1-data-b", "d2-sys"}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("selected %v, want %v", ids(got), want)
	}
	got = selectCreated(records, job, ResolveOptions{DiskType: DiskTypeData, DataDiskName: "data"})
	if want := []string{"d1-data-a", "d1-data-b"}; !slices.Equal(ids(got), want) {
		t.Fatalf("data disks only: %v, want %v", ids(got), want)
	}
}

func TestSelectCreatedBreaksSameSecondTiesByListOrder(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	job := &JobResult{BeginTime: at, EndTime: at, Outcomes: []DesktopOutcome{{DesktopID: "d1"}}}
	records := []DesktopSnapshotDetailInfo{
		record("first-sys", "d1", true, "2026-03-01T12:00:00Z", "x", "", ""),
		record("first-data", "d1", false, "2026-03-01T12:00:00Z", "x", "", ""),
		record("second-sys", "d1", true, "2026-03-01T12:00:00Z", "x", "", ""),
		record("second-data", "d1", false, "2026-03-01T12:00:00Z", "x", "", ""),
	}
	if got := ids(selectCreated(records, job, ResolveOptions{})); !slices.Equal(got, []string{"second-sys", "second-data"}) {
		t.Fatalf("selected %v, want the second generation", got)
	}
}

func TestResolveBackToBackZeroLengthJobs(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 3, Seed: 17})
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()
	req := BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeAll,
		SystemDiskSnapshot: &DiskSnapshotInfo{Name: "nightly"}, DataDiskSnapshot: &DiskSnapshotInfo{Name: "nightly"}}
	opts := ResolveOptions{DiskType: DiskTypeAll, SystemDiskName: "nightly", DataDiskName: "nightly"}

	first := createAndWait(t, c, req)
	firstSnaps, err := c.ResolveCreatedSnapshots(ctx, first, opts)
	if err != nil || len(firstSnaps) != 6 {
		t.Fatalf("first job: %d snapshots, %v", len(firstSnaps), err)
	}
	second := createAndWait(t, c, req)
	secondSnaps, err := c.ResolveCreatedSnapshots(ctx, second, opts)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{})
	newer := without(ids(all), ids(firstSnaps))
	slices.Sort(newer)
	got := ids(secondSnaps)
	slices.Sort(got)
	if !slices.Equal(got, newer) || len(got) != 6 {
		t.Fatalf("second job resolved %v, want exactly the 6 records it made %v", got, newer)
	}
	for i := 1; i < len(secondSnaps); i++ {
		a, b := secondSnaps[i-1], secondSnaps[i]
		if a.DesktopId > b.DesktopId || (a.DesktopId == b.DesktopId && !*a.IsSystemDisk && *b.IsSystemDisk) {
			t.Fatalf("not sorted by desktop, system disk first: %v", ids(secondSnaps))
		}
	}
}

func TestResolveIncludesFailedRecords(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 4, Seed: 19, Faults: emulator.Faults{SubJobFailureRate: 1}})
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()
	resp, err := c.BatchCreateDesktopSnapshot(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.WaitForJob(ctx, resp.JobId, WaitOptions{})
	if !errors.As(err, new(*JobFailedError)) || len(res.Failed()) != 4 {
		t.Fatalf("err = %v", err)
	}
	snaps, err := c.ResolveCreatedSnapshots(ctx, res, ResolveOptions{DiskType: DiskTypeSystem})
	if err != nil || len(snaps) != 4 {
		t.Fatalf("%d snapshots, %v", len(snaps), err)
	}
	for _, s := range snaps {
		if s.Status != SnapshotStatusCreateFailed {
			t.Fatalf("record %s is %s, want create_failed", s.SnapshotId, s.Status)
		}
	}
}

func TestCompleteParentWithFailedSubJobsFromEmulator(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 5, Seed: 23,
		Faults: emulator.Faults{SubJobFailureRate: 0.5, CompleteWithFailedSubJobs: true}})
	c := newTestClient(t, emulatorConfig(srv))
	resp, err := c.BatchCreateDesktopSnapshot(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.WaitForJob(context.Background(), resp.JobId, WaitOptions{})
	var failed *JobFailedError
	if !errors.As(err, &failed) || res.Status != JobStatusComplete || res.Succeeded || len(res.Failed()) == 0 {
		t.Fatalf("status %s, err %v; want COMPLETE reported as a JobFailedError", res.Status, err)
	}
	for _, o := range res.Failed() {
		if o.DesktopID == "" || o.ErrorCode == "" || o.FailReason == "" {
			t.Fatalf("failed outcome without details: %+v", o)
		}
	}
}
