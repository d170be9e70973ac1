package emulator

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Run with: go test -run '^$' -bench . -benchmem ./internal/emulator

// benchHarness has n desktops with a system and a data snapshot each.
func benchHarness(b *testing.B, n int) *harness {
	return benchHarnessWith(b, Config{Desktops: n})
}

func benchHarnessWith(b *testing.B, cfg Config) *harness {
	n := cfg.Desktops
	h := newHarness(b, cfg)
	ids := h.srv.DesktopIDs()
	for i := 0; i < n; i += 100 {
		h.create(map[string]any{"desktop_ids": ids[i:min(n, i+100)]})
	}
	return h
}

func BenchmarkVerifySignature(b *testing.B) {
	body := []byte(`{"desktop_ids":["610b2d32-bc31-49fa-9744-213443802b05"],"disk_type":"ALL"}` + "\n")
	r := httptest.NewRequest("POST", "http://127.0.0.1:8080/v2/"+DefaultProjectID+"/snapshots/batch-create", strings.NewReader(string(body)))
	r.Header.Set("X-Project-Id", DefaultProjectID)
	r.Header.Set("User-Agent", "bench")
	testSign(r, body, DefaultAccessKey, DefaultSecretKey, newFakeClock().Now())
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := verifySignature(r, body, a, DefaultSecretKey); err != nil {
			b.Fatal(err)
		}
	}
}

// One page of the records of 100 desktops out of 5000 (10000 records): the
// query a provider makes to resolve one batch.
func BenchmarkListSnapshots100Of5000Desktops(b *testing.B) {
	h := benchHarness(b, 5000)
	q := url.Values{"desktop_ids": h.srv.DesktopIDs()[2400:2500]}
	path := "~/snapshots?" + q.Encode()
	b.ResetTimer()
	for b.Loop() {
		if res := h.do("GET", path, nil); res.status != 200 {
			b.Fatalf("HTTP %d", res.status)
		}
	}
}

// The same under Dialect.ListLag with every record made within the lag, so
// that each has versions: the worst case.
func BenchmarkListSnapshots100Of5000DesktopsListLag(b *testing.B) {
	h := benchHarnessWith(b, Config{Desktops: 5000, Dialect: Dialect{ListLag: time.Hour}})
	h.clock.Advance(time.Hour)
	q := url.Values{"desktop_ids": h.srv.DesktopIDs()[2400:2500]}
	path := "~/snapshots?" + q.Encode()
	b.ResetTimer()
	for b.Loop() {
		if res := h.do("GET", path, nil); res.status != 200 || !strings.Contains(string(res.body), `"total_count":200`) {
			b.Fatalf("HTTP %d", res.status)
		}
	}
}

// The first page of every record of 20000 desktops (40000 records): the
// query of a list without filters, which sorts them all.
func BenchmarkListSnapshotsFirstPageOf20000Desktops(b *testing.B) {
	h := benchHarness(b, 20000)
	b.ResetTimer()
	for b.Loop() {
		if res := h.do("GET", "~/snapshots?limit=1000", nil); res.status != 200 {
			b.Fatalf("HTTP %d", res.status)
		}
	}
}

// ShowJob of a 100-desktop job, the most frequent call while waiting.
func BenchmarkShowJob100SubJobs(b *testing.B) {
	h := newHarness(b, Config{Desktops: 100})
	path := "~/workspace-jobs/" + h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()})
	b.ResetTimer()
	for b.Loop() {
		if res := h.do("GET", path, nil); res.status != 200 {
			b.Fatalf("HTTP %d", res.status)
		}
	}
}

// A batch-create of 100 desktops (jobs end at once, so desktops stay free).
func BenchmarkBatchCreate100(b *testing.B) {
	h := newHarness(b, Config{Desktops: 100})
	body := map[string]any{"desktop_ids": h.srv.DesktopIDs()}
	b.ResetTimer()
	for b.Loop() {
		if res := h.do("POST", "~/snapshots/batch-create", body); res.status != 200 {
			b.Fatalf("HTTP %d %s", res.status, res.body)
		}
	}
}

// The same ShowJob with job times written at UTC+8 (Dialect.JobTimeOffset),
// the job finished so every sub-job has an end_time too.
func BenchmarkShowJob100SubJobsOffset8h(b *testing.B) {
	h := newHarness(b, Config{Desktops: 100, Dialect: Dialect{JobTimeOffset: 8 * time.Hour}})
	path := "~/workspace-jobs/" + h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()})
	b.ResetTimer()
	for b.Loop() {
		if res := h.do("GET", path, nil); res.status != 200 {
			b.Fatalf("HTTP %d", res.status)
		}
	}
}
