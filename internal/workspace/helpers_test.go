package workspace

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator/emulatortest"
)

// fakeClock never sleeps: After moves the clock forward by d and fires at
// once, so waits and backoffs run instantly and deterministically. The
// emulator can share it (Config.Now) so jobs progress with it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// blockingClock's After never fires, so a test can cancel during a wait.
type blockingClock struct{ started chan struct{} }

func (c *blockingClock) Now() time.Time { return time.Now() }
func (c *blockingClock) After(time.Duration) <-chan time.Time {
	select {
	case c.started <- struct{}{}:
	default:
	}
	return make(chan time.Time)
}

// startEmulator runs an emulator on loopback for the test.
func startEmulator(t testing.TB, cfg emulator.Config) *emulator.Server {
	t.Helper()
	return emulatortest.Start(t, cfg)
}

// emulatorConfig is a client config for srv with fast retries.
func emulatorConfig(srv *emulator.Server) Config {
	return Config{
		Region:           emulator.DefaultRegion,
		ProjectID:        emulator.DefaultProjectID,
		AccessKey:        emulator.DefaultAccessKey,
		SecretKey:        emulator.DefaultSecretKey,
		Endpoint:         srv.URL(),
		IAMEndpoint:      srv.URL(),
		RetryMinBackoff:  time.Millisecond,
		RetryMaxBackoff:  5 * time.Millisecond,
		BusyRetryTimeout: time.Second,
	}
}

func newTestClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// snapshottedEmulator is an emulator of cfg whose every desktop has been
// snapshotted (both disks) and a client of it.
func snapshottedEmulator(t *testing.T, cfg emulator.Config) (*emulator.Server, *Client) {
	t.Helper()
	srv := startEmulator(t, cfg)
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()
	for _, sub := range c.SubmitBatchCreate(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeAll}, SubmitHooks{}) {
		if _, err := c.WaitForJob(ctx, sub.JobID, WaitOptions{FirstPoll: 10 * time.Millisecond, MinInterval: 20 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	return srv, c
}

func boolPtr(b bool) *bool { return &b }
