package emulator

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Concurrent clients over real connections each get their own job.
func TestConcurrentRequests(t *testing.T) {
	srv := startServer(t, Config{Desktops: 8})
	ids := srv.DesktopIDs()
	jobs := make([]string, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			res, err := signedPost(t, srv, "/snapshots/batch-create", map[string]any{"desktop_ids": []string{id}})
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			var out jobIDBody
			if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&out) != nil || res.Header.Get("X-Request-Id") == "" {
				t.Errorf("desktop %s: HTTP %d", id, res.StatusCode)
			}
			jobs[i] = out.JobID
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, j := range jobs {
		if j == "" || seen[j] {
			t.Fatalf("job IDs %v are not distinct", jobs)
		}
		seen[j] = true
	}
	if st := srv.Stats(); st.Jobs != 8 || st.Snapshots != 16 || st.RequestsByOperationStatus[opBatchCreate]["200"] != 8 {
		t.Errorf("stats after 8 concurrent creates: %+v", st)
	}
}

// Every answer's Date header is the emulator's clock, which tests move: the
// client judges job times against it (reference §9).
func TestDateHeaderIsTheEmulatorsClock(t *testing.T) {
	h := newHarness(t, Config{Desktops: 1})
	h.clock.Advance(90 * time.Minute)
	for _, path := range []string{"/_emulator/health", "~/snapshots"} {
		res := h.do(http.MethodGet, path, nil)
		if got, want := res.header.Get("Date"), h.clock.Now().Format(http.TimeFormat); got != want {
			t.Errorf("%s: Date %q, want the emulator's clock %q", path, got, want)
		}
	}
}
