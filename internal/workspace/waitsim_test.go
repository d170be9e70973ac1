package workspace

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// TestWaitSimulation runs jobs of 5 s and 10 min on a fake clock shared
// with the emulator and checks the default adaptive poll: it notices the
// end within max(1s, 10% of the running time) and polls O(log duration)
// times once past MinInterval/Fraction.
func TestWaitSimulation(t *testing.T) {
	for _, d := range []time.Duration{5 * time.Second, 10 * time.Minute} {
		t.Run(d.String(), func(t *testing.T) {
			clock := newFakeClock()
			srv := startEmulator(t, emulator.Config{Desktops: 2, Seed: 1, JobDuration: d, Now: clock.Now})
			cfg := emulatorConfig(srv)
			cfg.Clock = clock
			c := newTestClient(t, cfg)
			resp, err := c.BatchCreateDesktopSnapshot(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs()})
			if err != nil {
				t.Fatal(err)
			}
			submitted := clock.Now()
			res, err := c.WaitForJob(context.Background(), resp.JobId, WaitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			overshoot := clock.Now().Sub(submitted.Add(d))
			// Up to MinInterval/Fraction (10s) polls come every second; after
			// that each interval is 1.1 times the last.
			bound := 2 + 10 + int(math.Ceil(math.Log(max(1, d.Seconds()/10))/math.Log(1.1)))
			t.Logf("job of %s: %d polls, noticed %s after it ended", d, res.Polls, overshoot)
			if overshoot < 0 || overshoot > max(time.Second, d/10) {
				t.Fatalf("noticed %s after the end, want within max(1s, %s)", overshoot, d/10)
			}
			if res.Polls > bound {
				t.Fatalf("%d polls, want at most %d", res.Polls, bound)
			}
		})
	}
}
