package workspace

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scriptedServer answers request n with answers[n] (the last one repeats)
// and counts requests per method.
type scriptedServer struct {
	*httptest.Server
	mu      sync.Mutex
	hits    map[string]int
	answers []func(w http.ResponseWriter, r *http.Request)
	n       int
}

func newScriptedServer(t *testing.T, answers ...func(w http.ResponseWriter, r *http.Request)) *scriptedServer {
	s := &scriptedServer{hits: map[string]int{}, answers: answers}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.Method]++
		answer := s.answers[min(s.n, len(s.answers)-1)]
		s.n++
		s.mu.Unlock()
		// No Date header: the client's clock is a fake, and the service's
		// clock would otherwise seem months away from it.
		w.Header()["Date"] = nil
		answer(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scriptedServer) count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[method]
}

func status(code int, body string, headers ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

// hangUp closes the connection after reading the request, with no answer.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		panic("the test server cannot hijack connections")
	}
	conn, _, err := hijacker.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// recordingClock is a fakeClock that also records every wait.
type recordingClock struct {
	fakeClock
	mu    sync.Mutex
	waits []time.Duration
}

func (c *recordingClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	return c.fakeClock.After(d)
}

func fakeConfig(endpoint string, clock Clock) Config {
	return Config{Region: "cn-north-4", ProjectID: "p1", AccessKey: "AK", SecretKey: "SK-secret",
		Endpoint: endpoint, IAMEndpoint: endpoint, MaxRetries: 3, Clock: clock,
		RetryMinBackoff: time.Second, RetryMaxBackoff: 8 * time.Second}
}

const okJob = `{"id":"j1","status":"RUNNING"}`

func TestGetRetriesServerErrorsThenSucceeds(t *testing.T) {
	srv := newScriptedServer(t, status(500, `{"error_code":"WKS.0999"}`), status(503, `{"code":"APIGW.0201"}`), status(200, okJob))
	clock := &recordingClock{fakeClock: *newFakeClock()}
	c := newTestClient(t, fakeConfig(srv.URL, clock))
	job, err := c.ShowJob(context.Background(), "j1")
	if err != nil || job.Status != "RUNNING" {
		t.Fatalf("ShowJob = %+v, %v", job, err)
	}
	if got := srv.count("GET"); got != 3 {
		t.Fatalf("%d GETs, want 3", got)
	}
	for i, w := range clock.waits {
		if ceiling := time.Second << i; w < 0 || w > ceiling {
			t.Fatalf("backoff %d = %s, want within [0, %s] (full jitter)", i, w, ceiling)
		}
	}
}

func TestGetGivesUpAfterMaxRetries(t *testing.T) {
	srv := newScriptedServer(t, status(500, `{"error_code":"WKS.0999","error_msg":"boom"}`, "X-Request-Id", "r9"))
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	_, err := c.ShowJob(context.Background(), "j1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 500 || apiErr.RequestID != "r9" {
		t.Fatalf("err = %v, want the last APIError", err)
	}
	if got := srv.count("GET"); got != 4 {
		t.Fatalf("%d GETs, want 1 + MaxRetries(3)", got)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"http date", newFakeClock().Now().Add(12 * time.Second).Format(http.TimeFormat), 12 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScriptedServer(t, status(429, `{"error_code":"APIGW.0308","error_msg":"throttled"}`, "Retry-After", tc.value), status(200, okJob))
			clock := &recordingClock{fakeClock: *newFakeClock()}
			c := newTestClient(t, fakeConfig(srv.URL, clock))
			if _, err := c.ShowJob(context.Background(), "j1"); err != nil {
				t.Fatal(err)
			}
			// At least Retry-After, plus at most the first backoff
			// (RetryMinBackoff) of jitter.
			if len(clock.waits) != 1 || clock.waits[0] < tc.want || clock.waits[0] > tc.want+time.Second {
				t.Fatalf("waits %v, want one in [%s, %s]", clock.waits, tc.want, tc.want+time.Second)
			}
		})
	}
}

// TestThrottledRetriesSpreadOut: callers throttled together must not all
// come back together after Retry-After (a token bucket would admit a few and
// throttle the rest again until the retries run out): every wait is
// Retry-After plus a jittered backoff that grows with the attempt.
func TestThrottledRetriesSpreadOut(t *testing.T) {
	throttled := status(429, `{"error_code":"APIGW.0308","error_msg":"throttled"}`, "Retry-After", "1")
	srv := newScriptedServer(t, throttled, throttled, throttled, status(200, okJob))
	clock := &recordingClock{fakeClock: *newFakeClock()}
	c := newTestClient(t, fakeConfig(srv.URL, clock))
	if _, err := c.ShowJob(context.Background(), "j1"); err != nil {
		t.Fatal(err)
	}
	if len(clock.waits) != 3 {
		t.Fatalf("waits %v, want 3", clock.waits)
	}
	distinct := map[time.Duration]bool{}
	for i, w := range clock.waits {
		ceiling := time.Second << i // RetryMinBackoff doubled per attempt
		if w < time.Second || w > time.Second+ceiling {
			t.Fatalf("wait %d = %s, want within [1s, %s]", i+1, w, time.Second+ceiling)
		}
		distinct[w] = true
	}
	if len(distinct) == 1 {
		t.Fatalf("waits %v: all equal, no jitter", clock.waits)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := newFakeClock().Now()
	for value, want := range map[string]time.Duration{
		"": 0, "0": 0, "-3": 0, "soon": 0, "2": 2 * time.Second, "999999": maxRetryAfter,
		now.Add(-time.Minute).Format(http.TimeFormat): 0,
	} {
		if got := parseRetryAfter(value, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", value, got, want)
		}
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 409} {
		srv := newScriptedServer(t, status(code, `{"error_code":"X","error_msg":"no"}`))
		c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
		if _, err := c.ShowJob(context.Background(), "j1"); !hasStatus(err, code) {
			t.Fatalf("HTTP %d: err = %v", code, err)
		}
		if got := srv.count("GET"); got != 1 {
			t.Fatalf("HTTP %d: %d GETs, want 1", code, got)
		}
	}
}

func TestPostIsNotRetriedAfterServerError(t *testing.T) {
	// After a 5xx the POST may have acted: the client looks for the job
	// (ListItaSubJobs) before it posts again, and posts at most 1+MaxRetries times.
	srv := newScriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			status(500, `{"error_code":"WKS.0999"}`)(w, r)
			return
		}
		status(200, `{"total_count":0,"jobs":[]}`)(w, r)
	})
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	_, err := c.BatchCreateDesktopSnapshot(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: []string{"d1"}})
	if !hasStatus(err, 500) || !strings.Contains(err.Error(), "no job for them was found") {
		t.Fatalf("err = %v", err)
	}
	if posts, gets := srv.count("POST"), srv.count("GET"); posts != 4 || gets != 4 {
		t.Fatalf("%d POSTs and %d sub-job lookups, want 4 and 4 (one lookup before each resubmission and a last one)", posts, gets)
	}
}

func TestPostRetriedWhenNeverSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens: every dial is refused
	clock := &recordingClock{fakeClock: *newFakeClock()}
	c := newTestClient(t, fakeConfig("http://"+addr, clock))
	_, err = c.BatchCreateDesktopSnapshot(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: []string{"d1"}})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Attempts != 4 || reqErr.Operation != "BatchCreateDesktopSnapshot" {
		t.Fatalf("err = %#v, want a RequestError after 4 attempts", err)
	}
	if strings.Contains(err.Error(), `Post "http`) || !strings.Contains(err.Error(), "BatchCreateDesktopSnapshot: POST /v2/p1/snapshots/batch-create") {
		t.Fatalf("message %q should name the operation and path, not quote *url.Error", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) || opErr.Op != "dial" {
		t.Fatalf("err does not unwrap to the dial error: %v", err)
	}
}

func TestResetAfterSendingIsAmbiguous(t *testing.T) {
	var lookups atomic.Int32
	srv := newScriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			hangUp(w, r)
			return
		}
		lookups.Add(1)
		status(200, `{"total_count":0,"jobs":[]}`)(w, r)
	})
	cfg := fakeConfig(srv.URL, newFakeClock())
	cfg.MaxRetries = -1 // none: one POST, one lookup, then the error
	c := newTestClient(t, cfg)
	_, err := c.BatchCreateDesktopSnapshot(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: []string{"d1"}})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || lookups.Load() != 1 || srv.count("POST") != 1 {
		t.Fatalf("err = %v after %d POSTs and %d lookups, want a RequestError after 1 POST and 1 lookup", err, srv.count("POST"), lookups.Load())
	}
}

func TestInvalidJSONInSuccessIsADecodeError(t *testing.T) {
	srv := newScriptedServer(t, status(200, `{"id": [`, "X-Request-Id", "r5"))
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	_, err := c.ShowJob(context.Background(), "j1")
	var decErr *DecodeError
	if !errors.As(err, &decErr) || decErr.Operation != "ShowJob" || decErr.RequestID != "r5" {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "ShowJob: ") {
		t.Fatalf("message %q does not name the operation", err)
	}
}

func TestHugeBodyIsCutOff(t *testing.T) {
	srv := newScriptedServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(200)
		chunk := []byte(strings.Repeat(" ", 1<<20))
		for range 20 { // 20 MiB of whitespace, more than maxResponseBody
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
	_, err := c.ShowJob(context.Background(), "j1")
	var decErr *DecodeError
	if !errors.As(err, &decErr) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want a DecodeError about the size", err)
	}
}

func TestUnreadableAcceptedPostIsReconciled(t *testing.T) {
	for name, answer := range map[string]string{"invalid JSON": `{"job_id": `, "no job_id": `{}`} {
		t.Run(name, func(t *testing.T) {
			now := newFakeClock().Now().Format("2006-01-02 15:04:05")
			var posted atomic.Bool
			srv := newScriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodPost:
					posted.Store(true)
					status(200, answer)(w, r)
				case strings.HasSuffix(r.URL.Path, "/snapshots"): // the job's record, made since the send
					status(200, `{"total_count":1,"desktop_snapshots":[{"snapshot_id":"s-new","desktop_id":"d1","desktop_name":"PC1",`+
						`"snapshot_name":"PC120260301120010","is_system_disk":true,"create_time":"`+
						newFakeClock().Now().Format(time.RFC3339)+`"}]}`)(w, r)
				default:
					status(200, subJobsPage(subJob("job-made", "d1", "d1", now)))(w, r)
				}
			})
			c := newTestClient(t, fakeConfig(srv.URL, newFakeClock()))
			subs := c.SubmitBatchCreate(context.Background(), BatchCreateDesktopSnapshotReq{DesktopIds: []string{"d1"}}, SubmitHooks{})
			if subs[0].Err != nil || subs[0].JobID != "job-made" || !subs[0].Reconciled || srv.count("POST") != 1 {
				t.Fatalf("%+v after %d POSTs; want job-made adopted after one POST", subs[0], srv.count("POST"))
			}
		})
	}
}
