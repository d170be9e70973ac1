package workspace

import (
	"context"
	"errors"
	"slices"
	"strings"
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

// sameWindow gives every desktop of job the window [from, to] (RFC 3339).
func sameWindow(job *JobResult, from, to string) map[string]window {
	f, _ := parseJobTime(from)
	u, _ := parseJobTime(to)
	out := map[string]window{}
	for _, o := range job.Outcomes {
		out[o.DesktopID] = window{f, u}
	}
	return out
}

func TestSelectCreatedKeepsExactlyTheJobsRecords(t *testing.T) {
	const m = CreateTypeManually
	job := &JobResult{JobID: "j",
		Outcomes: []DesktopOutcome{{DesktopID: "d1", Status: JobStatusSuccess}, {DesktopID: "d2", Status: JobStatusFailed},
			{DesktopID: "d3", Status: JobStatusSuccess}}}
	rec := func(id, desktop string, system bool, created, name, createType, status string) DesktopSnapshotDetailInfo {
		r := record(id, desktop, system, created, name, createType, status)
		r.DesktopName = "PC-" + desktop
		r.SnapshotName = r.DesktopName + name + "20260301120010"
		return r
	}
	records := []DesktopSnapshotDetailInfo{
		rec("old-sys", "d1", true, "2026-03-01T11:00:05Z", "sys", m, "create_success"), // before the send
		rec("old-data", "d1", false, "2026-03-01T11:00:05Z", "data", m, "create_success"),
		rec("auto", "d1", true, "2026-03-01T12:00:10Z", "sys", "AUTO", "create_success"), // scheduled, not ours
		rec("d1-sys", "d1", true, "2026-03-01T12:00:10Z", "sys", m, "create_success"),
		rec("d1-data-b", "d1", false, "2026-03-01T12:00:10Z", "data", m, "create_success"),
		rec("d1-data-a", "d1", false, "2026-03-01T12:00:11Z", "data", m, "create_success"), // a second later: same moment
		rec("d1-late", "d1", true, "2026-03-01T12:09:00Z", "sys", m, "create_success"),     // after the job ended
		rec("d2-sys", "d2", true, "2026-03-01T12:00:10Z", "sys", m, "create_failed"),
		rec("d2-other-name", "d2", false, "2026-03-01T12:00:10Z", "other", m, "create_success"),
		rec("stranger", "d9", true, "2026-03-01T12:00:10Z", "sys", m, "create_success"),
	}
	bounds := sameWindow(job, "2026-03-01T12:00:05Z", "2026-03-01T12:05:00Z")
	opts := ResolveOptions{SystemDiskName: "sys", DataDiskName: "data"}
	got, proven := selectCreated(records, job, opts, bounds, "")
	if want := []string{"d1-sys", "d1-data-a", "d1-data-b", "d2-sys"}; !slices.Equal(ids(got.Records), want) {
		t.Fatalf("selected %v, want %v", ids(got.Records), want)
	}
	if proven != "99999999999999" {
		t.Fatalf("proven shape %q, want the timestamp's", proven)
	}
	// d3 succeeded and has no record: reported, not dropped in silence.
	if !slices.Equal(got.Unattributed, []string{"d3"}) || len(got.Ambiguous) != 0 {
		t.Fatalf("unattributed %v, ambiguous %v; want [d3] and none", got.Unattributed, got.Ambiguous)
	}
	opts.DiskType = DiskTypeData
	got, _ = selectCreated(records, job, opts, bounds, "")
	if want := []string{"d1-data-a", "d1-data-b"}; !slices.Equal(ids(got.Records), want) {
		t.Fatalf("data disks only: %v, want %v", ids(got.Records), want)
	}
}

// Two batches over the same desktops at once, named nightly and nightly-2:
// the service composes desktop name + name + timestamp, so a nightly-2
// record starts like a nightly one. Neither takes the other's.
func TestSelectCreatedTellsNightlyFromNightly2(t *testing.T) {
	job := &JobResult{JobID: "j", Outcomes: []DesktopOutcome{{DesktopID: "d1", Status: JobStatusSuccess}, {DesktopID: "d2", Status: JobStatusSuccess}}}
	named := func(id, desktop, name, stamp string) DesktopSnapshotDetailInfo {
		r := record(id, desktop, true, "2026-03-01T12:00:10Z", "", CreateTypeManually, "create_success")
		r.DesktopName = "PC" + desktop
		r.SnapshotName = r.DesktopName + name + stamp
		return r
	}
	records := []DesktopSnapshotDetailInfo{
		named("d1-n", "d1", "nightly", "20260301200010"), named("d1-n2", "d1", "nightly-2", "20260301200011"),
		named("d2-n", "d2", "nightly", "20260301200010"), named("d2-n2", "d2", "nightly-2", "20260301200009"),
	}
	bounds := sameWindow(job, "2026-03-01T12:00:00Z", "2026-03-01T12:01:00Z")
	for name, want := range map[string][]string{"nightly": {"d1-n", "d2-n"}, "nightly-2": {"d1-n2", "d2-n2"}} {
		got, _ := selectCreated(records, job, ResolveOptions{DiskType: DiskTypeSystem, SystemDiskName: name}, bounds, "")
		if !slices.Equal(ids(got.Records), want) || len(got.Ambiguous) != 0 || len(got.Unattributed) != 0 {
			t.Fatalf("%s: selected %v (ambiguous %v, unattributed %v), want %v", name, ids(got.Records), got.Ambiguous, got.Unattributed, want)
		}
	}
	// Where the appended part could have either shape (a batch "nightly-"
	// beside "nightly-2": "nightly-2" + "0260301…" ends like a timestamp
	// too), nothing is taken and the candidates are named.
	records = []DesktopSnapshotDetailInfo{named("mine", "d1", "nightly-2", "20260301200010"), named("theirs", "d1", "nightly-", "20260301200011")}
	got, proven := selectCreated(records, job, ResolveOptions{DiskType: DiskTypeSystem, SystemDiskName: "nightly-2"}, bounds, "")
	if len(got.Records) != 0 || len(got.Ambiguous) != 1 || !slices.Equal(got.Ambiguous[0].Candidates, []string{"mine", "theirs"}) || proven != "" {
		t.Fatalf("selected %v, ambiguous %+v, proven %q; want nothing taken, both named", ids(got.Records), got.Ambiguous, proven)
	}
	// A shape proven before decides it.
	got, _ = selectCreated(records, job, ResolveOptions{DiskType: DiskTypeSystem, SystemDiskName: "nightly-2"}, bounds, "99999999999999")
	if !slices.Equal(ids(got.Records), []string{"mine"}) || len(got.Ambiguous) != 0 {
		t.Fatalf("with the learned shape: %v, ambiguous %+v; want [mine]", ids(got.Records), got.Ambiguous)
	}
}

// Two records of the same name in the window (two batches of one name at
// once, or a window that spans two scheduled jobs): neither is taken, the
// desktop is reported with both, and its data disks are not taken either.
func TestSelectCreatedRefusesTwoCandidates(t *testing.T) {
	job := &JobResult{JobID: "j", Outcomes: []DesktopOutcome{{DesktopID: "d1", Status: JobStatusSuccess}, {DesktopID: "d2", Status: JobStatusSuccess}}}
	named := func(id, desktop string, system bool, created string) DesktopSnapshotDetailInfo {
		r := record(id, desktop, system, created, "", CreateTypeManually, "create_success")
		r.DesktopName, r.SnapshotName = desktop, desktop+"nightly"+strings.NewReplacer("-", "", ":", "", "T", "", "Z", "").Replace(created)
		return r
	}
	records := []DesktopSnapshotDetailInfo{
		named("a-sys", "d1", true, "2026-03-01T12:00:10Z"), named("a-data", "d1", false, "2026-03-01T12:00:10Z"),
		named("b-sys", "d1", true, "2026-03-01T12:00:40Z"), named("b-data", "d1", false, "2026-03-01T12:00:40Z"),
		named("d2-sys", "d2", true, "2026-03-01T12:00:10Z"), named("d2-data", "d2", false, "2026-03-01T12:00:10Z"),
	}
	bounds := sameWindow(job, "2026-03-01T12:00:00Z", "2026-03-01T12:01:00Z")
	got, proven := selectCreated(records, job, ResolveOptions{DiskType: DiskTypeAll, SystemDiskName: "nightly", DataDiskName: "nightly"}, bounds, "")
	if !slices.Equal(ids(got.Records), []string{"d2-sys", "d2-data"}) || len(got.Unattributed) != 0 || proven != "" {
		t.Fatalf("selected %v, unattributed %v, proven %q; want only d2's", ids(got.Records), got.Unattributed, proven)
	}
	if len(got.Ambiguous) != 2 || got.Ambiguous[0].DesktopID != "d1" || !got.Ambiguous[0].SystemDisk ||
		!slices.Equal(got.Ambiguous[0].Candidates, []string{"a-sys", "b-sys"}) {
		t.Fatalf("ambiguous %+v; want d1's system disk with both candidates, then its data disks", got.Ambiguous)
	}
}

func TestResolveBackToBackZeroLengthJobs(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 3, Seed: 17})
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()
	req := BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeAll,
		SystemDiskSnapshot: &DiskSnapshotInfo{Name: "nightly"}, DataDiskSnapshot: &DiskSnapshotInfo{Name: "nightly"}}
	opts := ResolveOptions{DiskType: DiskTypeAll, SystemDiskName: "nightly", DataDiskName: "nightly"}

	sent := c.svc.toService(c.clock.Now())
	first := createAndWait(t, c, req)
	opts.Window = &JobWindow{Sent: sent}
	first6, err := c.ResolveCreatedSnapshots(ctx, first, opts)
	if err != nil || len(first6.Records) != 6 {
		t.Fatalf("first job: %+v, %v", first6, err)
	}
	firstSnaps := first6.Records
	clockSecond := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(clockSecond)) // a new second: create_time tells the jobs apart
	sent = c.svc.toService(c.clock.Now()).Add(ownershipSlack)
	second := createAndWait(t, c, req)
	opts.Window = &JobWindow{Sent: sent}
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
	created, err := c.ResolveCreatedSnapshots(ctx, res, ResolveOptions{DiskType: DiskTypeSystem, Window: &JobWindow{Sent: res.SeenEnded.Add(-time.Minute)}})
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

// A restore's snapshots are found by last_restore_time (UTC) within the
// desktop's sub-job, once the zone of job times is known; a snapshot
// restored again since, or never, is not the job's, nor is one restored a
// day later at the same time; two in the window are ambiguous.
func TestSelectRestoredReadsJobTimesInTheKnownZone(t *testing.T) {
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
		restored("d1-next-day", "d1", true, "2026-03-02T12:00:07Z", SnapshotStatusRestoreSuccess), // same time, a day later
		restored("d2-again", "d2", true, "2026-03-01T12:05:40Z", SnapshotStatusRestoreSuccess),    // restored again since
		restored("d3-a", "d3", true, "2026-03-01T12:00:05Z", SnapshotStatusRestoreSuccess),
		restored("d3-b", "d3", true, "2026-03-01T12:00:06Z", SnapshotStatusRestoreSuccess),
	}
	for _, zone := range []time.Duration{0, 8 * time.Hour, -5*time.Hour - 30*time.Minute} {
		begin := time.Date(2026, 3, 1, 12, 0, 4, 0, time.UTC).Add(zone) // read as if UTC
		end := begin.Add(4 * time.Second)
		var outcomes []DesktopOutcome
		for _, d := range []string{"d1", "d2", "d3"} {
			outcomes = append(outcomes, DesktopOutcome{DesktopID: d, Status: JobStatusSuccess, BeginTime: begin, EndTime: end})
		}
		job := &JobResult{JobID: "r", Outcomes: outcomes}
		c := &Client{}
		if _, err := c.jobWindows(job, nil, "Telling"); !errors.As(err, new(*ZoneUnknownError)) {
			t.Fatalf("zone %s unknown: %v, want a ZoneUnknownError", zone, err)
		}
		c.svc.state(zone)
		bounds, err := c.jobWindows(job, nil, "Telling")
		if err != nil {
			t.Fatal(err)
		}
		got := selectRestored(records, job, bounds)
		if !slices.Equal(got.SnapshotIDs, []string{"d1-data", "d1-sys"}) || !slices.Equal(got.Unresolved, []string{"d2"}) ||
			len(got.Ambiguous) != 1 || got.Ambiguous[0].DesktopID != "d3" {
			t.Fatalf("zone %s: restored %v, unresolved %v, ambiguous %+v; want [d1-data d1-sys], [d2] and d3", zone, got.SnapshotIDs, got.Unresolved, got.Ambiguous)
		}
	}
}

// A record without desktop_name is anchored on the desktop name its sub-job
// gives; with neither, the requested name somewhere inside the record's
// name proves nothing, and the desktop is unattributed rather than guessed.
func TestSelectCreatedNeedsADesktopNameToAnchorOn(t *testing.T) {
	const m = CreateTypeManually
	rec := func(id, desktop, name string) DesktopSnapshotDetailInfo {
		return record(id, desktop, true, "2026-03-01T12:00:10Z", name, m, "create_success")
	}
	job := &JobResult{JobID: "j", Outcomes: []DesktopOutcome{
		{DesktopID: "d1", DesktopName: "PC-d1", Status: JobStatusSuccess},
		{DesktopID: "d2", Status: JobStatusSuccess}, // the sub-job names no desktop
	}}
	records := []DesktopSnapshotDetailInfo{
		rec("d1-own", "d1", "PC-d1nightly20260301120010"),
		rec("d1-other", "d1", "manual-nightly20260301120010"), // "nightly" inside, not after the desktop's name
		rec("d2-maybe", "d2", "PC-d2nightly20260301120010"),
	}
	out, _ := selectCreated(records, job, ResolveOptions{DiskType: DiskTypeSystem, SystemDiskName: "nightly"},
		sameWindow(job, "2026-03-01T12:00:00Z", "2026-03-01T12:05:00Z"), "")
	if got := ids(out.Records); !slices.Equal(got, []string{"d1-own"}) {
		t.Errorf("records %v, want only d1-own", got)
	}
	if !slices.Equal(out.Unattributed, []string{"d2"}) || len(out.Ambiguous) != 0 {
		t.Errorf("unattributed %v, ambiguous %v; want d2 unattributed, nothing ambiguous", out.Unattributed, out.Ambiguous)
	}
}
