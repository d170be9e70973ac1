package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

func BenchmarkSign(b *testing.B) {
	body := []byte(`{"desktop_ids":["3f2c1a9e-0b7d-4c55-9e61-2a8f4d1c7b90"],"disk_type":"ALL"}`)
	now := time.Now()
	for b.Loop() {
		r, _ := http.NewRequest(http.MethodPost, "https://workspace.cn-north-4.myhuaweicloud.com/v2/0a1b2c3d4e5f40718293a4b5c6d7e8f9/snapshots/batch-create", nil)
		r.Header.Set("X-Project-Id", "0a1b2c3d4e5f40718293a4b5c6d7e8f9")
		signRequest(r, body, "AK", "SK", now, []string{"host", "x-project-id"})
	}
}

func BenchmarkDecodeListResponse(b *testing.B) {
	page := ListDesktopSnapshotResponse{TotalCount: 1000}
	for i := range 1000 {
		page.DesktopSnapshots = append(page.DesktopSnapshots, DesktopSnapshotDetailInfo{
			SnapshotId: fmt.Sprintf("snap-%032d", i), SnapshotName: "wks-desktop-0001nightly20260301120000",
			DesktopId: fmt.Sprintf("desk-%032d", i/2), DesktopName: "wks-desktop-0001", IsSystemDisk: boolPtr(i%2 == 0),
			Status: SnapshotStatusCreateSuccess, CreateTime: "2026-03-01T12:00:00Z", CreateType: CreateTypeManually,
			Description: "before patch"})
	}
	body, _ := json.Marshal(page)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var out ListDesktopSnapshotResponse
		if err := decodeBody("ListDesktopSnapshot", "", body, &out); err != nil || len(out.DesktopSnapshots) != 1000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolve5000 resolves the snapshots of a 5000-desktop batch (50
// create jobs, ALL disks: 10000 records) against the emulator.
func BenchmarkResolve5000(b *testing.B) {
	srv := startEmulator(b, emulator.Config{Desktops: 5000, Seed: 1})
	cfg := emulatorConfig(srv)
	cfg.MaxConcurrentSubmits = 8
	c := newTestClient(b, cfg)
	ctx := context.Background()
	var jobIDs []string
	for _, sub := range c.SubmitBatchCreate(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeAll,
		SystemDiskSnapshot: &DiskSnapshotInfo{Name: "bench"}, DataDiskSnapshot: &DiskSnapshotInfo{Name: "bench"}}, SubmitHooks{}) {
		if sub.Err != nil {
			b.Fatal(sub.Err)
		}
		jobIDs = append(jobIDs, sub.JobID)
	}
	results, err := c.WaitForJobs(ctx, jobIDs, WaitOptions{FirstPoll: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	opts := ResolveOptions{DiskType: DiskTypeAll, SystemDiskName: "bench", DataDiskName: "bench"}
	for b.Loop() {
		total := 0
		for _, res := range results {
			snaps, err := c.ResolveCreatedSnapshots(ctx, res, opts)
			if err != nil {
				b.Fatal(err)
			}
			total += len(snaps.Records)
		}
		if total != 10000 {
			b.Fatalf("resolved %d records, want 10000", total)
		}
	}
}

// BenchmarkCreateAndWaitZeroJob is one batch-create of one desktop plus the
// wait, against the emulator with zero-length jobs: with the default first
// poll (200ms) and with a 1ms first poll (the client's own cost).
func BenchmarkCreateAndWaitZeroJob(b *testing.B) {
	for _, firstPoll := range []time.Duration{0, time.Millisecond} {
		name := "default-first-poll"
		if firstPoll > 0 {
			name = "first-poll-" + strings.TrimSuffix(firstPoll.String(), "0s")
		}
		b.Run(name, func(b *testing.B) {
			srv := startEmulator(b, emulator.Config{Desktops: 1, Seed: 1})
			c := newTestClient(b, emulatorConfig(srv))
			ctx := context.Background()
			req := BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem}
			for b.Loop() {
				resp, err := c.BatchCreateDesktopSnapshot(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.WaitForJob(ctx, resp.JobId, WaitOptions{FirstPoll: firstPoll}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
