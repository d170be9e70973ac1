package workspace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

func TestChunkingKeepsWhichIDsWentToWhichJob(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 250, Seed: 21})
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()
	ids := srv.DesktopIDs()
	withDuplicates := append(slices.Clone(ids), ids[:30]...)

	var inside, calls atomic.Int32
	subs := c.SubmitBatchCreate(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: withDuplicates, DiskType: DiskTypeSystem},
		SubmitHooks{OnJob: func(s ChunkSubmission) {
			if inside.Add(1) != 1 {
				t.Error("onJob called concurrently")
			}
			time.Sleep(time.Millisecond) // widen the window a concurrent call would need
			calls.Add(1)
			inside.Add(-1)
		}})
	if got := requests(srv, "BatchCreateDesktopSnapshot"); got != 3 || len(subs) != 3 || calls.Load() != 3 {
		t.Fatalf("%d POSTs, %d results, %d onJob calls; want 3 each", got, len(subs), calls.Load())
	}
	for i, sub := range subs {
		want := ids[i*100 : min(len(ids), (i+1)*100)]
		if sub.Err != nil || sub.Index != i || !slices.Equal(sub.IDs, want) || sub.Reconciled {
			t.Fatalf("chunk %d: %+v", i, sub)
		}
		job, err := c.ShowJob(ctx, sub.JobID)
		if err != nil {
			t.Fatal(err)
		}
		var desktops []string
		for _, sj := range job.SubJobs {
			desktops = append(desktops, sj.Entities.DesktopId)
		}
		if !slices.Equal(desktops, want) {
			t.Fatalf("job %s of chunk %d works on %d other desktops", sub.JobID, i, len(desktops))
		}
	}
}

func TestSubmitRejectsBadInputBeforeSending(t *testing.T) {
	c := newTestClient(t, fakeConfig("http://127.0.0.1:1", newFakeClock()))
	subs := c.SubmitBatchRestore(context.Background(), nil, SubmitHooks{})
	if len(subs) != 1 || subs[0].Err == nil || !strings.Contains(subs[0].Err.Error(), "snapshot_ids: at least one ID") {
		t.Fatalf("%+v", subs)
	}
	subs = c.SubmitBatchCreate(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: []string{"d"}, DiskType: "BOTH"}, SubmitHooks{})
	if len(subs) != 1 || subs[0].Err == nil || !strings.Contains(subs[0].Err.Error(), "disk_type: must be one of") {
		t.Fatalf("%+v", subs)
	}
}

// countRecords maps desktop ID and disk kind to how many records exist.
func countRecords(t *testing.T, c *Client) map[string]int {
	t.Helper()
	recs, err := c.ListAllDesktopSnapshots(context.Background(), ListDesktopSnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, r := range recs {
		counts[fmt.Sprintf("%s/%v", r.DesktopId, *r.IsSystemDisk)]++
	}
	return counts
}

func TestAmbiguousCreateIsReconciledNotDuplicated(t *testing.T) {
	// Scripted, so that POSTs get the faults whatever else is requested:
	// resets act and lose the answer, 5xx do not act.
	srv := startEmulator(t, emulator.Config{Desktops: 250, Seed: 33, Faults: emulator.Faults{FaultResetRate: 0.2, Fault5xxRate: 0.1,
		Scripted: map[string][]string{"BatchCreateDesktopSnapshot": {"reset", "5xx", "reset", "", "reset"}}}})
	cfg := emulatorConfig(srv)
	cfg.MaxRetries = 30
	c := newTestClient(t, cfg)
	ctx := context.Background()
	subs := c.SubmitBatchCreate(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeAll}, SubmitHooks{})
	reconciled := 0
	var jobs []string
	for _, sub := range subs {
		if sub.Err != nil {
			t.Fatalf("chunk %d: %v", sub.Index, sub.Err)
		}
		if sub.Reconciled {
			reconciled++
		}
		jobs = append(jobs, sub.JobID)
	}
	if reconciled == 0 {
		t.Fatalf("no chunk needed reconciling; faults %v", srv.Stats().InjectedFaults)
	}
	srv.SetFaults(emulator.Faults{})
	if _, err := c.WaitForJobs(ctx, jobs, WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	st := srv.Stats()
	if st.Jobs != 3 {
		t.Fatalf("%d jobs exist, want exactly 3 (one per chunk)", st.Jobs)
	}
	counts := countRecords(t, c)
	if len(counts) != 500 {
		t.Fatalf("records for %d desktop disks, want 500", len(counts))
	}
	for key, n := range counts {
		if n != 1 {
			t.Fatalf("%s has %d snapshots, want exactly 1", key, n)
		}
	}
}

// TestAmbiguousRestoreIsReconciledAndDeleteRelisted: a restore whose answer
// was lost is found among the jobs; a delete whose answer was lost is not
// sent again for what it already deleted. Either way one job per chunk.
func TestAmbiguousRestoreIsReconciledAndDeleteRelisted(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 120, Seed: 8})
	cfg := emulatorConfig(srv)
	cfg.MaxRetries = 30
	c := newTestClient(t, cfg)
	ctx := context.Background()
	for _, sub := range c.SubmitBatchCreate(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem}, SubmitHooks{}) {
		if sub.Err != nil {
			t.Fatal(sub.Err)
		}
	}
	recs, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.SnapshotId)
	}
	for _, step := range []struct {
		name   string
		op     string
		submit func([]string) []ChunkSubmission
	}{
		{"restore", "BatchRestoreDesktopSnapshot", func(ids []string) []ChunkSubmission { return c.SubmitBatchRestore(ctx, ids, SubmitHooks{}) }},
		{"delete", "BatchDeleteDesktopSnapshot", func(ids []string) []ChunkSubmission { return c.SubmitBatchDelete(ctx, ids, SubmitHooks{}) }},
	} {
		jobsBefore := srv.Stats().Jobs
		srv.SetFaults(emulator.Faults{Scripted: map[string][]string{step.op: {"reset", "reset"}}})
		subs := step.submit(ids)
		srv.SetFaults(emulator.Faults{})
		reconciled, gone := 0, 0
		for _, sub := range subs {
			if sub.Err != nil {
				t.Fatalf("%s chunk %d: %+v", step.name, sub.Index, sub)
			}
			if sub.Reconciled {
				reconciled++
			}
			gone += len(sub.Gone)
		}
		if got := srv.Stats().Jobs - jobsBefore; got != 2 {
			t.Fatalf("%s: %d new jobs, want 2 (one per chunk)", step.name, got)
		}
		switch {
		case step.name == "restore" && reconciled != 2:
			t.Fatalf("restore: %d chunks reconciled, want both", reconciled)
		case step.name == "delete" && gone != len(ids):
			t.Fatalf("delete: %d snapshots found gone after the lost answers, want all %d", gone, len(ids))
		}
	}
	if left := countRecords(t, c); len(left) != 0 {
		t.Fatalf("%d records left after delete", len(left))
	}
}

func TestDeleteTreatsGoneSnapshotsAsDone(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 3, Seed: 12})
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()
	createAndWait(t, c, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem})
	recs, _ := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{})
	ids := []string{recs[0].SnapshotId, recs[1].SnapshotId}
	first := c.SubmitBatchDelete(ctx, ids[:1], SubmitHooks{})
	if first[0].Err != nil {
		t.Fatal(first[0].Err)
	}
	if _, err := c.WaitForJob(ctx, first[0].JobID, WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	again := c.SubmitBatchDelete(ctx, ids, SubmitHooks{})
	if again[0].Err != nil || again[0].JobID == "" || !slices.Equal(again[0].Gone, ids[:1]) || !slices.Equal(again[0].IDs, ids[1:]) {
		t.Fatalf("partly gone: %+v", again[0])
	}
	allGone := c.SubmitBatchDelete(ctx, ids[:1], SubmitHooks{})
	if allGone[0].Err != nil || allGone[0].JobID != "" || !slices.Equal(allGone[0].Gone, ids[:1]) {
		t.Fatalf("all gone: %+v", allGone[0])
	}
}

func TestBusyDesktopsAreRetriedUntilFree(t *testing.T) {
	clock := newFakeClock()
	srv := startEmulator(t, emulator.Config{Desktops: 2, Seed: 13, JobDuration: 10 * time.Second, Now: clock.Now})
	cfg := emulatorConfig(srv)
	cfg.Clock, cfg.RetryMinBackoff, cfg.RetryMaxBackoff, cfg.BusyRetryTimeout = clock, time.Second, 4*time.Second, time.Minute
	c := newTestClient(t, cfg)
	ctx := context.Background()
	req := BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem}
	first, err := c.BatchCreateDesktopSnapshot(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.BatchCreateDesktopSnapshot(ctx, req)
	if err != nil || second.JobId == first.JobId {
		t.Fatalf("second create: %+v, %v", second, err)
	}
	if got := srv.Stats().RequestsByOperationStatus["BatchCreateDesktopSnapshot"]["409"]; got == 0 {
		t.Fatal("the second create was never refused as busy; the test proves nothing")
	}

	cfg.BusyRetryTimeout = 3 * time.Second
	c = newTestClient(t, cfg)
	_, err = c.BatchCreateDesktopSnapshot(ctx, req)
	var busy *DesktopsBusyError
	if !IsBusy(err) || !errors.As(err, &busy) || busy.Cause != nil || busy.Waited < 3*time.Second || busy.Attempts < 2 {
		t.Fatalf("err = %#v, want a DesktopsBusyError that gave up after 3s of attempts", err)
	}
}

// TestBusyWaitIsAnnouncedAndItsInterruptionNamed: each refusal reaches
// OnBusy with how long the client keeps trying, and a run cancelled while
// waiting says the desktops were busy (no job exists), not that the job
// might be unknown.
func TestBusyWaitIsAnnouncedAndItsInterruptionNamed(t *testing.T) {
	clock := newFakeClock()
	srv := startEmulator(t, emulator.Config{Desktops: 2, Seed: 13, JobDuration: time.Hour, Now: clock.Now})
	cfg := emulatorConfig(srv)
	cfg.Clock, cfg.RetryMinBackoff, cfg.RetryMaxBackoff, cfg.BusyRetryTimeout = clock, time.Second, 4*time.Second, time.Minute
	c := newTestClient(t, cfg)
	req := BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem}
	if _, err := c.BatchCreateDesktopSnapshot(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var notices []BusyNotice
	subs := c.SubmitBatchCreate(ctx, req, SubmitHooks{
		OnJob: func(s ChunkSubmission) { t.Errorf("a job %s was started for busy desktops", s.JobID) },
		OnBusy: func(n BusyNotice) {
			notices = append(notices, n)
			if len(notices) == 3 {
				cancel()
			}
		},
	})
	if len(notices) != 3 {
		t.Fatalf("%d busy notices before the cancel, want 3", len(notices))
	}
	for i, n := range notices {
		if n.Attempts != i+1 || n.Operation != "BatchCreateDesktopSnapshot" || len(n.IDs) != 2 || !IsBusy(n.Last) ||
			n.GiveUpIn <= 0 || n.GiveUpIn > time.Minute || n.RetryIn <= 0 {
			t.Errorf("notice %d: %+v", i, n)
		}
	}
	var busy *DesktopsBusyError
	if len(subs) != 1 || !errors.As(subs[0].Err, &busy) || !errors.Is(subs[0].Err, context.Canceled) || busy.Attempts != 3 {
		t.Fatalf("submission %+v: want a DesktopsBusyError after 3 attempts, caused by the cancel", subs)
	}
	if got := srv.Stats().Jobs; got != 1 {
		t.Errorf("%d jobs in the emulator, want only the first", got)
	}
}

func subJobsPage(jobs ...string) string {
	return fmt.Sprintf(`{"total_count":%d,"jobs":[%s]}`, len(jobs), strings.Join(jobs, ","))
}

func subJob(jobID, desktop, entity, begin string) string {
	return fmt.Sprintf(`{"id":"s-%s-%s","job_id":%q,"status":"RUNNING","entities":{"desktop_id":%q},"entity":%q,"begin_time":%q}`,
		jobID, desktop, jobID, desktop, entity, begin)
}

// fakeReconcileService answers ListItaSubJobs with the given sub-jobs and
// ListDesktopSnapshot with the given records.
func fakeReconcileService(t *testing.T, subJobs []string, records string) *scriptedServer {
	return newScriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/snapshots") {
			status(200, records)(w, r)
			return
		}
		status(200, subJobsPage(subJobs...))(w, r)
	})
}

// TestReconcilerAdoptsOnlyAJobBegunSinceTheSend: the job over exactly the
// chunk's desktops that began after the first send, and never one that
// began before it, whatever zone job times are in and whether the client
// has learned it.
func TestReconcilerAdoptsOnlyAJobBegunSinceTheSend(t *testing.T) {
	sentAt := newFakeClock().Now() // 2026-03-01 12:00:00 UTC
	jobs := func(zone time.Duration) []string {
		at := func(d time.Duration) string { return sentAt.Add(zone + d).Format("2006-01-02 15:04:05") }
		return []string{
			subJob("long-ago", "d1", "", at(-16*time.Minute)), // a whole quarter hour and more before
			subJob("long-ago", "d2", "", at(-16*time.Minute)),
			subJob("minutes-before", "d1", "", at(-3*time.Minute)),
			subJob("minutes-before", "d2", "", at(-3*time.Minute)),
			subJob("other", "d1", "", at(time.Second)), // other desktops
			subJob("known", "d1", "", at(time.Second)), // already ours
			subJob("known", "d2", "", at(time.Second)),
			subJob("ours", "d2", "", at(time.Second)),
			subJob("ours", "d1", "", at(time.Second)),
		}
	}
	made := func(d time.Duration) string {
		return fmt.Sprintf(`{"total_count":1,"desktop_snapshots":[{"snapshot_id":"s-new","desktop_id":"d1","desktop_name":"PC1",`+
			`"snapshot_name":"PC120260301120010","is_system_disk":true,"create_time":%q}]}`, sentAt.Add(d).Format(time.RFC3339))
	}
	newRecord := made(time.Second)
	for _, tc := range []struct {
		name      string
		zone      time.Duration
		zoneKnown bool
	}{
		{"UTC, zone learned", 0, true},
		{"UTC+8, zone learned", 8 * time.Hour, true},
		{"UTC, zone unknown", 0, false},
		{"UTC+8, zone unknown", 8 * time.Hour, false},
		{"UTC-5:30, zone unknown", -5*time.Hour - 30*time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeReconcileService(t, jobs(tc.zone), newRecord)
			c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
			c.svc.zone, c.svc.zoneKnown = tc.zone, tc.zoneKnown
			reg := newJobRegistry()
			reg.add("known")
			rec := &reconciler{c: c, kind: createKind(BatchCreateDesktopSnapshotReq{})}
			if got, err := rec.find(context.Background(), []string{"d1", "d2"}, sentAt, reg); err != nil || got != "ours" {
				t.Fatalf("find = %q, %v; want ours", got, err)
			}
			if got, _ := rec.find(context.Background(), []string{"d1", "d3"}, sentAt, reg); got != "" {
				t.Fatalf("find for other desktops = %q, want none", got)
			}
			// Sent after every job: nothing is ours, the earlier jobs least of all.
			if got, _ := rec.find(context.Background(), []string{"d1", "d2"}, sentAt.Add(time.Minute), reg); got != "" {
				t.Fatalf("find for a later send = %q, want none", got)
			}
		})
	}
	// While the zone is unknown, a job is adopted only once the records
	// show its work: a record made since the send. Until then it is neither
	// adopted nor taken as absent (which would send the request again).
	srv := fakeReconcileService(t, jobs(0), made(-time.Hour))
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	rec := &reconciler{c: c, kind: createKind(BatchCreateDesktopSnapshotReq{})}
	reg := newJobRegistry()
	reg.add("known")
	got, err := rec.find(context.Background(), []string{"d1", "d2"}, sentAt, reg)
	var provenance *ProvenanceError
	if !errors.As(err, &provenance) || got != "" || !slices.Equal(provenance.Candidates, []string{"ours"}) {
		t.Fatalf("find with no record since the send = %q, %v; want a ProvenanceError naming ours", got, err)
	}
}

// TestReconcilerNeverAdoptsTheHourBeforeTheSend is the hourly schedule: a
// job over the same desktops began exactly an hour before the send. While
// the zone of job times is unknown that job fits the send at UTC-1, but the
// job the send started (listed too) rules that zone out: none began in the
// future. So the send's own job is adopted, and with no such job listed
// nothing is, whichever zone job times are in.
func TestReconcilerNeverAdoptsTheHourBeforeTheSend(t *testing.T) {
	sentAt := newFakeClock().Now()
	for _, zone := range []time.Duration{0, 8 * time.Hour, -5*time.Hour - 30*time.Minute} {
		at := func(d time.Duration) string { return sentAt.Add(zone + d).Format("2006-01-02 15:04:05") }
		hourBefore := []string{subJob("hour-before", "d1", "", at(-time.Hour)), subJob("hour-before", "d2", "", at(-time.Hour))}
		records := fmt.Sprintf(`{"total_count":1,"desktop_snapshots":[{"snapshot_id":"s","desktop_id":"d1","desktop_name":"PC1",`+
			`"snapshot_name":"PC1nightly20260301120010","is_system_disk":true,"create_time":%q}]}`, sentAt.Add(time.Second).Format(time.RFC3339))
		// Another job's record on d1 since the send, of another name.
		otherJobs := fmt.Sprintf(`{"total_count":1,"desktop_snapshots":[{"snapshot_id":"o","desktop_id":"d1","desktop_name":"PC1",`+
			`"snapshot_name":"PC1manual20260301120010","is_system_disk":true,"create_time":%q}]}`, sentAt.Add(time.Second).Format(time.RFC3339))
		nightly := BatchCreateDesktopSnapshotReq{SystemDiskSnapshot: &DiskSnapshotInfo{Name: "nightly"}}
		for _, known := range []bool{false, true} {
			name := fmt.Sprintf("zone %s known %v", zone, known)
			srv := fakeReconcileService(t, append([]string{subJob("sent", "d1", "", at(time.Second)), subJob("sent", "d2", "", at(time.Second))}, hourBefore...), records)
			c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
			c.svc.zone, c.svc.zoneKnown = zone, known
			rec := &reconciler{c: c, kind: createKind(nightly)}
			if got, err := rec.find(context.Background(), []string{"d1", "d2"}, sentAt, newJobRegistry()); err != nil || got != "sent" {
				t.Fatalf("%s: find = %q, %v; want the job the send started", name, got, err)
			}
			// The send never acted: only the hour-old job is listed. In the
			// known zone it began before the send, so the request is sent
			// again. While the zone is unknown it began exactly at the send
			// in UTC-1 (newest of all), and no record shows work since: it
			// is neither adopted nor the request sent again.
			srv = fakeReconcileService(t, hourBefore, `{"total_count":0,"desktop_snapshots":[]}`)
			c = newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
			c.svc.zone, c.svc.zoneKnown = zone, known
			rec = &reconciler{c: c, kind: createKind(BatchCreateDesktopSnapshotReq{})}
			got, err := rec.find(context.Background(), []string{"d1", "d2"}, sentAt, newJobRegistry())
			var provenance *ProvenanceError
			switch {
			case known && (err != nil || got != ""):
				t.Fatalf("%s, send never acted: find = %q, %v; want none (send again)", name, got, err)
			case !known && (got != "" || !errors.As(err, &provenance) || !slices.Equal(provenance.Candidates, []string{"hour-before"})):
				t.Fatalf("%s, send never acted: find = %q, %v; want a ProvenanceError naming hour-before", name, got, err)
			}
			// Nor when another job (another name) snapshotted d1 since the
			// send: that is no work of this request.
			srv = fakeReconcileService(t, hourBefore, otherJobs)
			c = newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
			c.svc.zone, c.svc.zoneKnown = zone, known
			rec = &reconciler{c: c, kind: createKind(nightly)}
			got, err = rec.find(context.Background(), []string{"d1", "d2"}, sentAt, newJobRegistry())
			if !known && (got != "" || !errors.As(err, &provenance)) {
				t.Fatalf("%s, send never acted, another job's record since: find = %q, %v; want a ProvenanceError", name, got, err)
			}
		}
	}
}

// TestReconcilerMatchesRestoresByDesktopsNotEntity: restore sub-jobs are
// matched by the desktops of the chunk's snapshots (entities.desktop_id),
// never by the free-text entity, and of any job type but the documented
// create and delete ones.
func TestReconcilerMatchesRestoresByDesktopsNotEntity(t *testing.T) {
	sentAt := newFakeClock().Now()
	begin := sentAt.Add(time.Second).Format("2006-01-02 15:04:05")
	withType := func(job, jobType string) string {
		return strings.Replace(job, `"status"`, fmt.Sprintf(`"job_type":%q,"status"`, jobType), 1)
	}
	records := `{"total_count":3,"desktop_snapshots":[
		{"snapshot_id":"s1","desktop_id":"d1","status":"restoring"},
		{"snapshot_id":"s2","desktop_id":"d2","status":"restoring"},
		{"snapshot_id":"s3","desktop_id":"d3"}]}`
	srv := fakeReconcileService(t, []string{
		withType(subJob("create", "d1", "s1,s2", begin), JobTypeCreateSnapshot), // a create over the same desktops
		withType(subJob("create", "d2", "s1,s2", begin), JobTypeCreateSnapshot),
		withType(subJob("j1", "d3", "s1,s2", begin), "restoreWksSnapshot"), // the entity lies
		withType(subJob("j2", "d1", "d1", begin), "restoreWksSnapshot"),
		withType(subJob("j2", "d2", "d2", begin), "restoreWksSnapshot"),
	}, records)
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	c.svc.zoneKnown = true
	rec := &reconciler{c: c, kind: restoreKind}
	if got, err := rec.find(context.Background(), []string{"s1", "s2"}, sentAt, newJobRegistry()); err != nil || got != "j2" {
		t.Fatalf("find = %q, %v; want j2", got, err)
	}
	// s9 is no longer listed (deleted): j2's second desktop may be its,
	// while j1 lacks s1's desktop.
	if got, _ := rec.find(context.Background(), []string{"s1", "s9"}, sentAt, newJobRegistry()); got != "j2" {
		t.Fatalf("find with a vanished snapshot = %q, want j2", got)
	}
	if got, _ := rec.find(context.Background(), []string{"s2"}, sentAt, newJobRegistry()); got != "" {
		t.Fatalf("find for s2 alone = %q, want none", got)
	}
}

// A service whose restore sub-jobs carry no entities.desktop_id: the job is
// matched by its desktops' names, which the records carry too; a job whose
// sub-jobs name no desktop at all, or name one by a name another desktop
// carries too, cannot be told, and is neither adopted nor sent again (a
// ProvenanceError).
func TestReconcilerMatchesRestoresByDesktopNameWithoutIDs(t *testing.T) {
	sentAt := newFakeClock().Now()
	begin := sentAt.Add(time.Second).Format("2006-01-02 15:04:05")
	named := func(job, name string) string {
		return fmt.Sprintf(`{"id":"s-%s-%s","job_id":%q,"job_type":"restoreWksSnapshot","status":"RUNNING","entities":{"desktop_name":%q},"begin_time":%q}`,
			job, name, job, name, begin)
	}
	records := `{"total_count":3,"desktop_snapshots":[
		{"snapshot_id":"s1","desktop_id":"d1","desktop_name":"wks-1","status":"restoring"},
		{"snapshot_id":"s2","desktop_id":"d2","desktop_name":"wks-2","status":"restoring"},
		{"snapshot_id":"s3","desktop_id":"d3","desktop_name":"wks-3"}]}`
	srv := fakeReconcileService(t, []string{named("j1", "wks-3"), named("j2", "wks-1"), named("j2", "wks-2")}, records)
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	c.svc.zoneKnown = true
	rec := &reconciler{c: c, kind: restoreKind}
	if got, err := rec.find(context.Background(), []string{"s1", "s2"}, sentAt, newJobRegistry()); err != nil || got != "j2" {
		t.Fatalf("find = %q, %v; want j2", got, err)
	}

	// Another desktop's records carry wks-1 too (a desktop made after one of
	// that name was deleted, say): the name does not tell them apart.
	twice := strings.Replace(records, `"total_count":3`, `"total_count":4`, 1)
	twice = strings.Replace(twice, `{"snapshot_id":"s3"`, `{"snapshot_id":"s4","desktop_id":"d4","desktop_name":"wks-1"},
		{"snapshot_id":"s3"`, 1)
	srv = fakeReconcileService(t, []string{named("j2", "wks-1"), named("j2", "wks-2")}, twice)
	c = newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	c.svc.zoneKnown = true
	rec = &reconciler{c: c, kind: restoreKind}
	var prov *ProvenanceError
	if got, err := rec.find(context.Background(), []string{"s1", "s2"}, sentAt, newJobRegistry()); !errors.As(err, &prov) || got != "" {
		t.Fatalf("find by a name two desktops carry = %q, %v; want a ProvenanceError", got, err)
	}

	blind := fmt.Sprintf(`{"id":"s-j3","job_id":"j3","job_type":"restoreWksSnapshot","status":"RUNNING","entities":{},"begin_time":%q}`, begin)
	srv = fakeReconcileService(t, []string{blind}, records)
	c = newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	c.svc.zoneKnown = true
	rec = &reconciler{c: c, kind: restoreKind}
	if got, err := rec.find(context.Background(), []string{"s1", "s2"}, sentAt, newJobRegistry()); !errors.As(err, &prov) || got != "" {
		t.Fatalf("find over a job naming no desktop = %q, %v; want a ProvenanceError (neither adopted nor sent again)", got, err)
	}
}

// TestReconcilingRidesOutAFailingSubJobListing: batch-create acts but its
// answer is a 502; the first search for the job gets a 503. The search is
// tried again and finds the job, instead of failing the chunk (whose job
// exists) or resubmitting it.
func TestReconcilingRidesOutAFailingSubJobListing(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 3, Seed: 1})
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(target) // keeps Host: the signature still verifies
	var creates, listings atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/snapshots/batch-create"):
			creates.Add(1)
			rec := httptest.NewRecorder()
			proxy.ServeHTTP(rec, r)              // the service acts...
			w.WriteHeader(http.StatusBadGateway) // ...but its answer is lost
			return
		case strings.HasSuffix(r.URL.Path, "/workspace-sub-jobs"):
			if listings.Add(1) == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	cfg := emulatorConfig(srv)
	cfg.Endpoint, cfg.IAMEndpoint = front.URL, front.URL
	cfg.MaxRetries = -1 // no retries of single requests: every failure reaches the reconciler
	c := newTestClient(t, cfg)

	subs := c.SubmitBatchCreate(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem}, SubmitHooks{})
	if len(subs) != 1 || subs[0].Err != nil || !subs[0].Reconciled || subs[0].JobID == "" {
		t.Fatalf("submission %+v; want the job found by reconciliation", subs)
	}
	if creates.Load() != 1 || srv.Stats().Jobs != 1 || listings.Load() < 2 {
		t.Fatalf("%d batch-create calls, %d jobs, %d listings; want 1, 1 and a second listing", creates.Load(), srv.Stats().Jobs, listings.Load())
	}
}

// TestDeleteOfKnownDesktopsNeedsNoListing: when the caller knows each
// snapshot's desktop (as the batch resource's state does), delete chunks keep
// each desktop whole without listing the project's snapshot records.
func TestDeleteOfKnownDesktopsNeedsNoListing(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 150, Seed: 4})
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()
	for _, sub := range c.SubmitBatchCreate(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeAll}, SubmitHooks{}) {
		if sub.Err != nil {
			t.Fatal(sub.Err)
		}
	}
	recs, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	desktopOf := map[string]string{}
	for _, r := range recs {
		desktopOf[r.SnapshotId] = r.DesktopId
	}
	listsBefore := srv.Stats().RequestsByOperation["ListDesktopSnapshot"]
	subs := c.SubmitBatchDeleteOf(ctx, desktopOf, SubmitHooks{})
	if lists := srv.Stats().RequestsByOperation["ListDesktopSnapshot"] - listsBefore; lists != 0 {
		t.Errorf("%d list calls while deleting snapshots of known desktops, want 0", lists)
	}
	// 300 snapshots of 150 desktops: 3 chunks of 50 whole desktops.
	if len(subs) != 3 {
		t.Fatalf("%d chunks for 300 snapshots, want 3", len(subs))
	}
	chunkOf := map[string]int{}
	for i, sub := range subs {
		if sub.Err != nil || sub.JobID == "" {
			t.Fatalf("chunk %d: %+v", i, sub)
		}
		for _, id := range sub.IDs {
			d := desktopOf[id]
			if j, seen := chunkOf[d]; seen && j != i {
				t.Errorf("desktop %s split across chunks %d and %d", d, j, i)
			}
			chunkOf[d] = i
		}
	}
}

// TestInterruptedSubmissionKeepsTheJobInFlight: a caller interrupted while a
// batch POST is on the wire still gets the job ID the service answers with,
// so it can record it; chunks not yet sent are not sent.
func TestInterruptedSubmissionKeepsTheJobInFlight(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 150, Seed: 6, JobDuration: time.Minute,
		Faults: emulator.Faults{Latency: 300 * time.Millisecond}})
	cfg := emulatorConfig(srv)
	cfg.MaxConcurrentSubmits = 1 // the second chunk waits for the first
	ctx, cancel := context.WithCancel(context.Background())
	// Interrupted the moment the first POST leaves, while it waits for its answer.
	cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost {
			cancel()
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := newTestClient(t, cfg)
	var recorded []string
	subs := c.SubmitBatchCreate(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem},
		SubmitHooks{OnJob: func(s ChunkSubmission) { recorded = append(recorded, s.JobID) }})
	started := srv.Stats().Jobs
	if started != 1 || len(recorded) != 1 {
		t.Fatalf("the service started %d jobs, the caller recorded %v: want the one in flight, recorded", started, recorded)
	}
	withJob, notSent := 0, 0
	for _, s := range subs {
		switch {
		case s.JobID == recorded[0] && s.Err == nil:
			withJob++
		case s.JobID == "" && errors.Is(s.Err, ErrNotSubmitted):
			notSent++
		}
	}
	if len(subs) != 2 || withJob != 1 || notSent != 1 {
		t.Fatalf("want one chunk with the recorded job and one never sent; got %d with the job, %d not sent of %d", withJob, notSent, len(subs))
	}
}

// "Gone" is decided by listing, whichever refusal says it (reference §9
// item 4): a delete of snapshots already deleted counts them as gone, and a
// restore of one names it, under 404 WKS.0004 and 400 WKS.0001 alike; a 400
// for another reason stays that error.
func TestGoneSnapshotsAreDecidedByListing(t *testing.T) {
	for _, notFound := range []string{emulator.NotFound404, emulator.NotFound400} {
		t.Run(notFound, func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{Desktops: 3, Seed: 12, Dialect: emulator.Dialect{NotFound: notFound}})
			c := newTestClient(t, emulatorConfig(srv))
			ctx := context.Background()
			createAndWait(t, c, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem})
			recs, _ := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{})
			ids := []string{recs[0].SnapshotId, recs[1].SnapshotId}
			first := c.SubmitBatchDelete(ctx, ids[:1], SubmitHooks{})
			if _, err := c.WaitForJob(ctx, first[0].JobID, WaitOptions{}); err != nil {
				t.Fatal(err)
			}
			again := c.SubmitBatchDelete(ctx, ids, SubmitHooks{})
			if again[0].Err != nil || again[0].JobID == "" || !slices.Equal(again[0].Gone, ids[:1]) || !slices.Equal(again[0].IDs, ids[1:]) {
				t.Fatalf("delete, partly gone: %+v", again[0])
			}
			restore := c.SubmitBatchRestore(ctx, []string{ids[0], recs[2].SnapshotId}, SubmitHooks{})
			var gone *SnapshotsGoneError
			if !errors.As(restore[0].Err, &gone) || !slices.Equal(gone.IDs, ids[:1]) || restore[0].JobID != "" ||
				!strings.Contains(restore[0].Err.Error(), "1 snapshot no longer exists: "+ids[0]) {
				t.Fatalf("restore of a deleted snapshot: %+v, want a SnapshotsGoneError naming %s", restore[0], ids[0])
			}
			// Two snapshots of one disk of one desktop: a 400 that is not "gone".
			createAndWait(t, c, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs()[2:], DiskType: DiskTypeSystem})
			both := snapshotIDsOfDesktop(t, c, srv.DesktopIDs()[2])
			restore = c.SubmitBatchRestore(ctx, both, SubmitHooks{})
			if restore[0].Err == nil || errors.As(restore[0].Err, &gone) || !hasStatus(restore[0].Err, http.StatusBadRequest) {
				t.Fatalf("restore of two snapshots of one disk: %+v, want the 400 itself", restore[0])
			}
		})
	}
}

func snapshotIDsOfDesktop(t *testing.T, c *Client, desktop string) []string {
	t.Helper()
	recs, err := c.ListAllDesktopSnapshots(context.Background(), ListDesktopSnapshotRequest{DesktopIds: []string{desktop}})
	if err != nil {
		t.Fatal(err)
	}
	return ids(recs)
}

// ShowJob keeps the job ID it was asked for, and sub-jobs beyond those it
// lists are paged with that ID, whatever the answer's id says.
func TestShowJobPagesSubJobsByTheRequestedID(t *testing.T) {
	var pagedFor []string
	srv := newScriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/workspace-sub-jobs") {
			pagedFor = append(pagedFor, r.URL.Query().Get("job_id"))
			status(200, subJobsPage(subJob("asked", "d1", "", "2026-03-01 12:00:00"), subJob("asked", "d2", "", "2026-03-01 12:00:00")))(w, r)
			return
		}
		status(200, `{"id":"something-else","status":"SUCCESS","sub_jobs_total":2,"sub_jobs":[]}`)(w, r)
	})
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	res, err := c.WaitForJob(context.Background(), "asked", WaitOptions{})
	// The paged sub-jobs say RUNNING under a SUCCESS parent: a failed job.
	if !errors.As(err, new(*JobFailedError)) || res.JobID != "asked" || !slices.Equal(pagedFor, []string{"asked"}) || len(res.Outcomes) != 2 {
		t.Fatalf("result %+v, %v; sub-jobs paged for %v; want job asked, paged by its ID", res, err, pagedFor)
	}
}

// A sub-job listing cut short by the API's offset limit (10000) cannot tell
// that no job exists: sub-jobs may be listed oldest first (their order is
// not documented), putting this request's job past the cut. The chunk fails
// instead of being sent again.
func TestReconcilingStopsWhereTheListingIsCutShort(t *testing.T) {
	var offsets []string
	srv := newScriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			status(500, `{"error_code":"WKS.0999"}`)(w, r)
		case strings.HasSuffix(r.URL.Path, "/workspace-sub-jobs"):
			offsets = append(offsets, r.URL.Query().Get("offset"))
			jobs := make([]string, 1000)
			for i := range jobs {
				jobs[i] = subJob(fmt.Sprintf("old-%d", i), "d9", "", "2020-01-01 00:00:00")
			}
			w.Header()["Date"] = nil
			_, _ = fmt.Fprintf(w, `{"total_count":20000,"jobs":[%s]}`, strings.Join(jobs, ","))
		default:
			status(200, `{"total_count":0,"desktop_snapshots":[]}`)(w, r)
		}
	})
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	subs := c.SubmitBatchCreate(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: []string{"d1"}}, SubmitHooks{})
	if subs[0].Err == nil || !errors.Is(subs[0].Err, errListingTruncated) || srv.count("POST") != 1 {
		t.Fatalf("%+v after %d POSTs; want errListingTruncated after one POST", subs[0], srv.count("POST"))
	}
	if len(offsets) != 11 || offsets[10] != "10000" {
		t.Fatalf("paged at offsets %v; want 0 to 10000, once each", offsets)
	}
}

// A chunk the service refuses (an unknown desktop in it) says so: no job
// runs for its desktops. The other chunk goes on; neither is Refused when
// its answer was only lost.
func TestRefusedChunkIsToldFromALostAnswer(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 101, Seed: 21})
	c := newTestClient(t, emulatorConfig(srv))
	ids := append(slices.Clone(srv.DesktopIDs()[:99]), "00000000-0000-4000-8000-0000000000ff", srv.DesktopIDs()[99])
	subs := c.SubmitBatchCreate(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: ids, DiskType: DiskTypeSystem}, SubmitHooks{})
	if len(subs) != 2 || subs[0].Err == nil || !subs[0].Refused || subs[0].JobID != "" {
		t.Fatalf("the chunk with an unknown desktop: %+v", subs[0])
	}
	if subs[1].Err != nil || subs[1].Refused || subs[1].JobID == "" {
		t.Fatalf("the other chunk: %+v", subs[1])
	}

	srv.SetFaults(emulator.Faults{Scripted: map[string][]string{"BatchCreateDesktopSnapshot": {emulator.ScriptedDrop}}})
	lost := c.SubmitBatchCreate(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs()[100:], DiskType: DiskTypeSystem}, SubmitHooks{})
	if len(lost) != 1 || lost[0].Refused {
		t.Fatalf("a chunk whose answer was lost is not refused: %+v", lost)
	}
}

// Sub-jobs that name their desktop only by name get its ID from the
// records; a name the records give to two desktops is left without one.
func TestOutcomesIdentifiedByDesktopNameOnlyWhenOneDesktopCarriesIt(t *testing.T) {
	records := `{"total_count":3,"desktop_snapshots":[
		{"snapshot_id":"s1","desktop_id":"d1","desktop_name":"wks-1"},
		{"snapshot_id":"s2","desktop_id":"d2","desktop_name":"wks-2"},
		{"snapshot_id":"s3","desktop_id":"d3","desktop_name":"wks-2"}]}`
	srv := fakeReconcileService(t, nil, records)
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	res := &JobResult{Outcomes: []DesktopOutcome{{DesktopName: "wks-1"}, {DesktopName: "wks-2"}, {DesktopID: "d9", DesktopName: "wks-1"}}}
	if err := c.identifyOutcomes(context.Background(), res); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range res.Outcomes {
		got = append(got, o.DesktopID)
	}
	if want := []string{"d1", "", "d9"}; !slices.Equal(got, want) {
		t.Errorf("desktop IDs %q, want %q", got, want)
	}
}
