package workspace

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// SnapshotIDsOf holds the same IDs a full listing of the desktops does, in
// one query per 100 desktops, and none of other desktops.
func TestSnapshotIDsOfMatchesTheFullListing(t *testing.T) {
	srv, c := snapshottedEmulator(t, emulator.Config{Desktops: 160, Seed: 3, JobDuration: 50 * time.Millisecond})
	ctx := context.Background()
	desktops := srv.DesktopIDs()[:150]
	records, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopIds: desktops})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, r := range records {
		want[r.SnapshotId] = true
	}
	before := srv.Stats().RequestsByOperation["ListDesktopSnapshot"]
	got, err := c.SnapshotIDsOf(ctx, append(desktops, desktops[0]))
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Stats().RequestsByOperation["ListDesktopSnapshot"] - before; n != 2 {
		t.Errorf("%d list calls for 150 desktops, want 2", n)
	}
	if len(want) != 300 || !maps.Equal(got, want) {
		t.Errorf("SnapshotIDsOf holds %d IDs, the full listing %d (want 300, the same)", len(got), len(want))
	}
}
