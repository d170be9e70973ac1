package emulator

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStateFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	clock := newFakeClock()
	cfg := Config{Desktops: 3, JobDuration: 10 * time.Second, StateFile: path, Now: clock.Now, Seed: 3}
	h := newHarness(t, cfg)
	ids := h.srv.DesktopIDs()
	h.create(map[string]any{"desktop_ids": ids[:1]}) // ends before the save
	clock.Advance(10 * time.Second)
	restored := h.snapshots(nil).DesktopSnapshots[0].SnapshotID
	h.mustDo("POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{restored}}, nil)
	clock.Advance(10 * time.Second)
	running := h.create(map[string]any{"desktop_ids": ids[1:]}) // still running at the save
	before := h.snapshots(nil)
	beforeJob := h.job(running)
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}

	cfg.Desktops = 50 // ignored: the state file wins
	h2 := newHarness(t, cfg)
	if got := h2.srv.DesktopIDs(); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatalf("desktops after reload %v, want %v", got, ids)
	}
	after := h2.snapshots(nil)
	if a, b := mustJSON(t, before), mustJSON(t, after); a != b {
		t.Errorf("snapshots differ after reload:\n%s\n%s", a, b)
	}
	if a, b := mustJSON(t, beforeJob), mustJSON(t, h2.job(running)); a != b {
		t.Errorf("running job differs after reload:\n%s\n%s", a, b)
	}
	// The running job still holds its desktops and finishes after the reload.
	expectError(t, h2.do("POST", "~/snapshots/batch-create", map[string]any{"desktop_ids": ids[2:]}), 409, codeBusy, ids[2])
	clock.Advance(10 * time.Second)
	if n := h2.snapshots(url.Values{"status": {statusCreateSuccess}}).TotalCount; n != 5 {
		t.Errorf("%d create_success records after the reloaded job ended, want 5", n)
	}
	// The generator continues where it stopped: the next ID is the one the
	// first server would have drawn.
	h3 := newHarness(t, cfg)
	h3.clock = clock
	if a, b := h2.create(map[string]any{"desktop_ids": ids[:1]}), h3.create(map[string]any{"desktop_ids": ids[:1]}); a != b {
		t.Errorf("job IDs after reloading the same state differ: %s %s", a, b)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not JSON":      "{",
		"other version": `{"version":99,"project_id":"` + DefaultProjectID + `"}`,
		"other project": `{"version":1,"project_id":"ffff"}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Config{StateFile: path}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: New returned %v, want an error naming the file", name, err)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Desktops: -1}, "desktops must be between 0 and 65000"},
		{Config{JobDuration: -time.Second}, "job duration must not be negative"},
		{Config{Faults: Faults{Fault5xxRate: 2}}, "fault_5xx_rate must be between 0 and 1"},
		{Config{Faults: Faults{ThrottleRPS: -1}}, "throttle_rps must be 0 (off) or positive"},
		{Config{Faults: Faults{Latency: -1}}, "latency must not be negative"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}
