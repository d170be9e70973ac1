package workspace

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

func TestPackGroupsNeverSplitsADesktop(t *testing.T) {
	groups := [][]string{{"a1", "a2"}, {"b1", "b2"}, {"c1"}, {"d1", "d2", "d3", "d4", "d5"}}
	got := packGroups(groups, 4)
	want := [][]string{{"a1", "a2", "b1", "b2"}, {"c1"}, {"d1", "d2", "d3", "d4"}, {"d5"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("packGroups = %v, want %v", got, want)
	}
}

func TestGroupByDesktopPutsUnknownLast(t *testing.T) {
	got := groupByDesktop([]string{"s1", "x", "s2", "s3"}, map[string]string{"s1": "d1", "s2": "d2", "s3": "d1"})
	want := [][]string{{"s1", "s3"}, {"s2"}, {"x"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("groupByDesktop = %v, want %v", got, want)
	}
}

// A restore of both disks of 100 desktops (200 snapshots, given in an order
// that interleaves desktops across any 100-ID cut) must take two calls with no
// busy answers: each desktop's snapshots go in one chunk.
func TestRestoreChunksKeepEachDesktopTogether(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 100, Seed: 1, JobDuration: time.Second})
	c, err := NewClient(Config{Region: emulator.DefaultRegion, ProjectID: srv.ProjectID(),
		AccessKey: emulator.DefaultAccessKey, SecretKey: emulator.DefaultSecretKey, Endpoint: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sub := c.SubmitBatchCreate(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeAll}, SubmitHooks{})
	if _, err := c.WaitForJob(ctx, sub[0].JobID, WaitOptions{FirstPoll: 10 * time.Millisecond, MinInterval: 50 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	records, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{SortField: "snapshot_name"})
	if err != nil {
		t.Fatal(err)
	}
	var systemFirst, dataLast []string
	for _, r := range records {
		if *r.IsSystemDisk {
			systemFirst = append(systemFirst, r.SnapshotId)
		} else {
			dataLast = append(dataLast, r.SnapshotId)
		}
	}
	results := c.SubmitBatchRestore(ctx, append(systemFirst, dataLast...), SubmitHooks{})
	if len(results) != 2 {
		t.Fatalf("want 2 chunks, got %d", len(results))
	}
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("chunk %d: %v", r.Index, r.Err)
		}
	}
	stats := srv.Stats()
	if n := stats.RequestsByOperation["BatchRestoreDesktopSnapshot"]; n != 2 {
		t.Fatalf("want exactly 2 batch-restore calls (no busy retries), got %d: %v", n, stats.RequestsByOperationStatus)
	}
}

// Grouping reads the project's list only until every ID is found: a restore
// of the first page's snapshots reads one page of the several the project
// has, and still never splits a desktop.
func TestRestoreChunksStopReadingOnceEverySnapshotIsFound(t *testing.T) {
	srv, c := snapshottedEmulator(t, emulator.Config{Desktops: 1200, Seed: 1, JobDuration: 50 * time.Millisecond})
	ctx := context.Background()
	first, err := c.ListDesktopSnapshot(ctx, ListDesktopSnapshotRequest{Limit: MaxListLimit})
	if err != nil {
		t.Fatal(err)
	}
	if first.TotalCount < 2*MaxListLimit {
		t.Fatalf("the project has %d records; the test needs several pages", first.TotalCount)
	}
	var ids []string
	desktopOf := map[string]string{}
	for _, r := range first.DesktopSnapshots[:300] {
		ids = append(ids, r.SnapshotId)
		desktopOf[r.SnapshotId] = r.DesktopId
	}
	before := srv.Stats().RequestsByOperation["ListDesktopSnapshot"]
	chunks := c.snapshotChunks(ctx, ids)
	if n := srv.Stats().RequestsByOperation["ListDesktopSnapshot"] - before; n != 1 {
		t.Errorf("grouping read %d pages, want 1: every ID is on the first", n)
	}
	chunkOf := map[string]int{}
	for i, chunk := range chunks {
		for _, id := range chunk {
			if j, seen := chunkOf[desktopOf[id]]; seen && j != i {
				t.Errorf("desktop %s is split across chunks %d and %d", desktopOf[id], j, i)
			}
			chunkOf[desktopOf[id]] = i
		}
	}
}
