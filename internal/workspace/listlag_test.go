package workspace

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// Lists that lag their jobs (the emulator's list_lag dialect, 2 s here):
// the client lists again, for the propagation window, before it takes a
// list as the truth.

const testListLag = 2 * time.Second

func laggingEmulator(t *testing.T) (*emulator.Server, *Client) {
	t.Helper()
	srv := startEmulator(t, emulator.Config{Desktops: 2, Seed: 5, Dialect: emulator.Dialect{ListLag: testListLag}})
	cfg := emulatorConfig(srv)
	cfg.JobTimeZone = "UTC"
	return srv, newTestClient(t, cfg)
}

// snapshotsOf waits out the lag, then lists the desktops' records.
func snapshotsOf(t *testing.T, c *Client, desktops []string) []DesktopSnapshotDetailInfo {
	t.Helper()
	time.Sleep(testListLag + 500*time.Millisecond)
	recs, err := c.ListAllDesktopSnapshots(context.Background(), ListDesktopSnapshotRequest{DesktopIds: desktops})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// A delete that names a snapshot deleted a moment ago (refused: it does
// not exist) while the list still shows it: the list is read again until
// it shows the snapshot gone, then the rest is deleted, and the chunk does
// not fail.
func TestDeleteOfASnapshotGoneWhileTheListStillShowsIt(t *testing.T) {
	srv, c := laggingEmulator(t)
	ctx := context.Background()
	createAndWait(t, c, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem})
	recs := snapshotsOf(t, c, srv.DesktopIDs())
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	desktopOf := map[string]string{recs[0].SnapshotId: recs[0].DesktopId, recs[1].SnapshotId: recs[1].DesktopId}
	first := c.SubmitBatchDeleteOf(ctx, map[string]string{recs[0].SnapshotId: recs[0].DesktopId}, SubmitHooks{})
	if _, err := c.WaitForJobs(ctx, []string{first[0].JobID}, WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	subs := c.SubmitBatchDeleteOf(ctx, desktopOf, SubmitHooks{})
	if len(subs) != 1 || subs[0].Err != nil || !slices.Equal(subs[0].Gone, []string{recs[0].SnapshotId}) || subs[0].JobID == "" {
		t.Fatalf("delete while the list lags: %+v; want %s gone and a job for the other", subs, recs[0].SnapshotId)
	}
}

// A restore imported right after it ended: the records show it only after
// the lag, and resolution waits for them rather than call the desktops
// unresolved.
func TestRestoreResolvedWhileTheListLags(t *testing.T) {
	srv, c := laggingEmulator(t)
	ctx := context.Background()
	createAndWait(t, c, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem})
	var snapshots []string
	for _, r := range snapshotsOf(t, c, srv.DesktopIDs()) {
		snapshots = append(snapshots, r.SnapshotId)
	}
	slices.Sort(snapshots)
	subs := c.SubmitBatchRestore(ctx, snapshots, SubmitHooks{})
	if len(subs) != 1 || subs[0].JobID == "" {
		t.Fatalf("restore: %+v", subs)
	}
	results, err := c.WaitForJobs(ctx, []string{subs[0].JobID}, WaitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ResolveRestoredSnapshots(ctx, results[subs[0].JobID])
	if err != nil || !slices.Equal(got.SnapshotIDs, snapshots) || len(got.Unresolved) != 0 {
		t.Fatalf("resolved %+v, %v; want %v", got, err, snapshots)
	}
}
