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
	job := &JobResult{JobID: "j", BeginTime: time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC),
		Outcomes: []DesktopOutcome{{DesktopID: "d1", Status: JobStatusSuccess}, {DesktopID: "d2", Status: JobStatusFailed},
			{DesktopID: "d3", Status: JobStatusSuccess}}}
	records := []DesktopSnapshotDetailInfo{
		record("old-sys", "d1", true, "2026-03-01T11:00:05Z", "d1-sys", m, "create_success"), // in the baseline
		record("old-data", "d1", false, "2026-03-01T11:00:05Z", "d1-data", m, "create_success"),
		record("auto", "d1", true, "2026-03-01T12:00:10Z", "d1-sys", "AUTO", "create_success"), // scheduled, not ours
		record("d1-sys", "d1", true, "2026-03-01T12:00:10Z", "d1-sys", m, "create_success"),
		record("d1-data-b", "d1", false, "2026-03-01T12:00:10Z", "d1-data", m, "create_success"),
		record("d1-data-a", "d1", false, "2026-03-01T12:00:11Z", "d1-data", m, "create_success"), // a second later: same generation
		record("d2-sys", "d2", true, "2026-03-01T12:00:10Z", "d2-sys", m, "create_failed"),
		record("d2-other-name", "d2", false, "2026-03-01T12:00:10Z", "d2-other", m, "create_success"),
		record("stranger", "d9", true, "2026-03-01T12:00:10Z", "d9-sys", m, "create_success"),
	}
	opts := ResolveOptions{SystemDiskName: "sys", DataDiskName: "data", Baseline: map[string]bool{"old-sys": true, "old-data": true}}
	got := selectCreated(records, job, opts, (&serviceClock{}).offsetScore)
	if want := []string{"d1-sys", "d1-data-a", "d1-data-b", "d2-sys"}; !slices.Equal(ids(got.Records), want) {
		t.Fatalf("selected %v, want %v", ids(got.Records), want)
	}
	// d3 succeeded and has no record: reported, not dropped in silence.
	if !slices.Equal(got.Unattributed, []string{"d3"}) {
		t.Fatalf("unattributed %v, want [d3]", got.Unattributed)
	}
	opts.DiskType = DiskTypeData
	got = selectCreated(records, job, opts, (&serviceClock{}).offsetScore)
	if want := []string{"d1-data-a", "d1-data-b"}; !slices.Equal(ids(got.Records), want) {
		t.Fatalf("data disks only: %v, want %v", ids(got.Records), want)
	}
	// Without the baseline, the earlier generation is told apart by time.
	opts = ResolveOptions{DiskType: DiskTypeAll, SystemDiskName: "sys", DataDiskName: "data"}
	got = selectCreated(records, job, opts, (&serviceClock{}).offsetScore)
	if want := []string{"d1-sys", "d1-data-a", "d1-data-b", "d2-sys"}; !slices.Equal(ids(got.Records), want) {
		t.Fatalf("without a baseline: %v, want %v", ids(got.Records), want)
	}
}

// Job times in any zone only break a tie between generations; the one whose
// create_time (UTC) fits the job's begin best wins, newer or not.
func TestSelectCreatedTieBreakReadsJobTimesInAnyZone(t *testing.T) {
	records := []DesktopSnapshotDetailInfo{
		record("ours", "d1", true, "2026-03-01T12:00:10Z", "x", CreateTypeManually, ""),
		record("later", "d1", true, "2026-03-01T12:04:00Z", "x", CreateTypeManually, ""),
	}
	for _, tc := range []struct {
		name  string
		begin string // as the service renders it
		zone  time.Duration
		known bool
	}{
		{"UTC", "2026-03-01 12:00:10", 0, false},
		{"UTC+8, zone unknown", "2026-03-01 20:00:10", 0, false},
		{"UTC+8, zone learned", "2026-03-01 20:00:10", 8 * time.Hour, true},
		{"UTC-5:30, zone unknown", "2026-03-01 06:30:10", 0, false},
		{"UTC+5:45, zone learned", "2026-03-01 17:45:11", 5*time.Hour + 45*time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			begin, _ := parseJobTime(tc.begin)
			job := &JobResult{BeginTime: begin, Outcomes: []DesktopOutcome{{DesktopID: "d1", Status: JobStatusSuccess}}}
			clock := &serviceClock{zone: tc.zone, zoneKnown: tc.known}
			got := selectCreated(records, job, ResolveOptions{}, clock.offsetScore)
			if !slices.Equal(ids(got.Records), []string{"ours"}) {
				t.Fatalf("selected %v, want [ours]", ids(got.Records))
			}
		})
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
	if got := ids(selectCreated(records, job, ResolveOptions{}, (&serviceClock{}).offsetScore).Records); !slices.Equal(got, []string{"second-sys", "second-data"}) {
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
	first6, err := c.ResolveCreatedSnapshots(ctx, first, opts)
	if err != nil || len(first6.Records) != 6 {
		t.Fatalf("first job: %+v, %v", first6, err)
	}
	firstSnaps := first6.Records
	second := createAndWait(t, c, req)
	opts.Baseline = map[string]bool{}
	for _, id := range ids(firstSnaps) {
		opts.Baseline[id] = true
	}
	second6, err := c.ResolveCreatedSnapshots(ctx, second, opts)
	if err != nil {
		t.Fatal(err)
	}
	secondSnaps := second6.Records
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
	created, err := c.ResolveCreatedSnapshots(ctx, res, ResolveOptions{DiskType: DiskTypeSystem})
	if err != nil || len(created.Records) != 4 {
		t.Fatalf("%+v, %v", created, err)
	}
	for _, s := range created.Records {
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

// The baseline decides where times cannot: an earlier record of the same
// second, listed after the job's own, is the newest by every other measure.
func TestSelectCreatedBaselineDecidesWhereTimesCannot(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	job := &JobResult{BeginTime: at, Outcomes: []DesktopOutcome{{DesktopID: "d1", Status: JobStatusSuccess}}}
	records := []DesktopSnapshotDetailInfo{
		record("ours", "d1", true, "2026-03-01T12:00:00Z", "x", CreateTypeManually, ""),
		record("before", "d1", true, "2026-03-01T12:00:00Z", "x", CreateTypeManually, ""),
	}
	score := (&serviceClock{}).offsetScore
	if got := ids(selectCreated(records, job, ResolveOptions{}, score).Records); !slices.Equal(got, []string{"before"}) {
		t.Fatalf("without a baseline: %v; want the last listed, or the test proves nothing", got)
	}
	got := ids(selectCreated(records, job, ResolveOptions{Baseline: map[string]bool{"before": true}}, score).Records)
	if !slices.Equal(got, []string{"ours"}) {
		t.Fatalf("with the baseline: %v, want [ours]", got)
	}
}

// A restore's snapshots are found by last_restore_time (UTC) against the end
// of the desktop's sub-job, in whatever zone the service writes job times;
// a snapshot restored again since, or never, is not the job's.
func TestSelectRestoredReadsJobTimesInAnyZone(t *testing.T) {
	restored := func(id, desktop string, system bool, last, status string) DesktopSnapshotDetailInfo {
		r := record(id, desktop, system, "2026-03-01T11:00:00Z", "x", CreateTypeManually, status)
		r.LastRestoreTime = last
		return r
	}
	records := []DesktopSnapshotDetailInfo{
		restored("d1-sys", "d1", true, "2026-03-01T12:00:07Z", SnapshotStatusRestoreSuccess),
		restored("d1-data", "d1", false, "2026-03-01T12:00:08Z", SnapshotStatusRestoreSuccess),
		restored("d1-older", "d1", true, "2026-03-01T09:47:00Z", SnapshotStatusRestoreSuccess), // an earlier restore
		restored("d1-never", "d1", true, "", SnapshotStatusCreateSuccess),
		restored("d2-again", "d2", true, "2026-03-01T12:05:40Z", SnapshotStatusRestoreSuccess), // restored again since
	}
	for _, tc := range []struct {
		name  string
		zone  time.Duration // how far the service's job times run ahead of UTC
		known bool
	}{
		{"UTC", 0, false},
		{"UTC+8, zone unknown", 8 * time.Hour, false},
		{"UTC+8, zone learned", 8 * time.Hour, true},
		{"UTC-5:30, zone unknown", -5*time.Hour - 30*time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			end := time.Date(2026, 3, 1, 12, 0, 8, 0, time.UTC).Add(tc.zone) // read as if UTC
			job := &JobResult{Outcomes: []DesktopOutcome{
				{DesktopID: "d1", Status: JobStatusSuccess, EndTime: end},
				{DesktopID: "d2", Status: JobStatusSuccess, EndTime: end},
			}}
			clock := &serviceClock{zone: tc.zone, zoneKnown: tc.known}
			got := selectRestored(records, job, clock.offsetScore)
			if !slices.Equal(got.SnapshotIDs, []string{"d1-data", "d1-sys"}) || !slices.Equal(got.Unresolved, []string{"d2"}) {
				t.Fatalf("restored %v, unresolved %v; want [d1-data d1-sys] and [d2]", got.SnapshotIDs, got.Unresolved)
			}
		})
	}
}
