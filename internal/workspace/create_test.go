package workspace

import (
	"context"
	"testing"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

func TestCreateWaitResolveAgainstEmulator(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 3, Seed: 1})
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()
	ids := srv.DesktopIDs()
	resp, err := c.BatchCreateDesktopSnapshot(ctx, BatchCreateDesktopSnapshotReq{
		DesktopIds: ids, DiskType: DiskTypeAll,
		SystemDiskSnapshot: &DiskSnapshotInfo{Name: "sys"}, DataDiskSnapshot: &DiskSnapshotInfo{Name: "data"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.WaitForJob(ctx, resp.JobId, WaitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Succeeded || len(res.Outcomes) != len(ids) {
		t.Fatalf("result %+v", res)
	}
	snaps, err := c.ResolveCreatedSnapshots(ctx, res, ResolveOptions{DiskType: DiskTypeAll, SystemDiskName: "sys", DataDiskName: "data"})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps.Records) != 2*len(ids) || len(snaps.Unattributed) != 0 {
		t.Fatalf("resolved %d snapshots, want %d: %+v", len(snaps.Records), 2*len(ids), snaps)
	}
}
