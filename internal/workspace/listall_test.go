package workspace

import (
	"context"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// ExistingSnapshots finds every snapshot a full listing of the desktops
// holds, in one query per 100 desktops, and looks a snapshot that listing
// lacks up in its own desktop's list (one query more) before calling it
// absent.
func TestExistingSnapshotsMatchesTheFullListing(t *testing.T) {
	srv, c := snapshottedEmulator(t, emulator.Config{Desktops: 160, Seed: 3, JobDuration: 50 * time.Millisecond})
	ctx := context.Background()
	desktops := srv.DesktopIDs()[:150]
	records, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopIds: desktops})
	if err != nil {
		t.Fatal(err)
	}
	desktopOf := map[string]string{"s-none": desktops[0]}
	for _, r := range records {
		desktopOf[r.SnapshotId] = r.DesktopId
	}
	before := srv.Stats().RequestsByOperation["ListDesktopSnapshot"]
	got, err := c.ExistingSnapshots(ctx, desktopOf)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Stats().RequestsByOperation["ListDesktopSnapshot"] - before; n != 3 {
		t.Errorf("%d list calls for 150 desktops and one missing snapshot, want 2 and 1 lookup", n)
	}
	existing := 0
	for id, ok := range got {
		if ok {
			existing++
		} else if id != "s-none" {
			t.Errorf("%s reported absent", id)
		}
	}
	if len(records) != 300 || existing != 300 || len(got) != 301 || got["s-none"] {
		t.Errorf("%d of %d snapshots exist (s-none: %v); want the 300 listed and s-none absent", existing, len(got), got["s-none"])
	}
}
