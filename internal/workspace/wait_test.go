package workspace

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func jobBody(status string, subStatuses ...string) string {
	var subs []string
	for i, s := range subStatuses {
		d := string(rune('a' + i))
		subs = append(subs, `{"id":"s`+d+`","job_id":"j1","status":"`+s+`","entities":{"desktop_id":"desk-`+d+`"},"error_code":"WKS.00010306","fail_reason":"disk error on desk-`+d+`"}`)
	}
	return `{"id":"j1","job_type":"createWksSnapshot","status":"` + status + `","begin_time":"2026-03-01 12:00:00","end_time":"2026-03-01 12:00:09","sub_jobs":[` + strings.Join(subs, ",") + `]}`
}

func noRetryClient(t *testing.T, endpoint string, clock Clock) *Client {
	cfg := fakeConfig(endpoint, clock)
	cfg.MaxRetries = -1
	return newTestClient(t, cfg)
}

func TestWaitTreatsUnknownStatusesAsPending(t *testing.T) {
	srv := newScriptedServer(t, status(200, jobBody("INIT")), status(200, jobBody("PAUSED")), status(200, jobBody("")),
		status(200, jobBody("success", "SUCCESS")))
	c := noRetryClient(t, srv.URL, newFakeClock())
	var seen []string
	res, err := c.WaitForJob(context.Background(), "j1", WaitOptions{OnPoll: func(j *ShowJobResponse) { seen = append(seen, j.Status) }})
	if err != nil || !res.Succeeded || res.Polls != 4 {
		t.Fatalf("result %+v, err %v; want success after 4 polls", res, err)
	}
	if strings.Join(seen, ",") != "INIT,PAUSED,,success" {
		t.Fatalf("OnPoll saw %v", seen)
	}
	want := time.Date(2026, 3, 1, 12, 0, 9, 0, time.UTC)
	if !res.EndTime.Equal(want) || len(res.Outcomes) != 1 || res.Outcomes[0].DesktopID != "desk-a" {
		t.Fatalf("end %s outcomes %+v", res.EndTime, res.Outcomes)
	}
}

func TestWaitReportsFailedSubJobsOfACompleteParent(t *testing.T) {
	srv := newScriptedServer(t, status(200, jobBody("COMPLETE", "SUCCESS", "FAILED", "FAILED")))
	c := noRetryClient(t, srv.URL, newFakeClock())
	res, err := c.WaitForJob(context.Background(), "j1", WaitOptions{})
	var failed *JobFailedError
	if !errors.As(err, &failed) || failed.Result != res || res.Succeeded {
		t.Fatalf("err = %v, result %+v; want a JobFailedError carrying the result", err, res)
	}
	if got := len(res.Failed()); got != 2 {
		t.Fatalf("%d failed outcomes, want 2", got)
	}
	msg := err.Error()
	for _, want := range []string{"j1", "COMPLETE", "2 of 3 desktops", "desk-b", "WKS.00010306", "disk error on desk-c"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("message %q lacks %q", msg, want)
		}
	}
}

func TestWaitFailParentIsAFailure(t *testing.T) {
	for _, status_ := range []string{"FAIL", "FAILED"} {
		srv := newScriptedServer(t, status(200, jobBody(status_)))
		c := noRetryClient(t, srv.URL, newFakeClock())
		if _, err := c.WaitForJob(context.Background(), "j1", WaitOptions{}); !errors.As(err, new(*JobFailedError)) {
			t.Fatalf("%s: err = %v", status_, err)
		}
	}
}

func TestWaitKeepsPollingThroughTransientErrors(t *testing.T) {
	srv := newScriptedServer(t, status(200, jobBody("RUNNING")), status(503, `{"code":"APIGW.0201"}`),
		status(502, "bad gateway"), status(429, `{"error_code":"APIGW.0308"}`), status(200, jobBody("SUCCESS", "SUCCESS")))
	c := noRetryClient(t, srv.URL, newFakeClock())
	res, err := c.WaitForJob(context.Background(), "j1", WaitOptions{})
	if err != nil || res.Polls != 5 {
		t.Fatalf("result %+v, err %v; want success on the 5th poll", res, err)
	}
}

func TestWaitGivesUpOnPermanentErrors(t *testing.T) {
	srv := newScriptedServer(t, status(200, jobBody("RUNNING")), status(404, `{"error_code":"WKS.0004","error_msg":"job [j1] not found"}`))
	c := noRetryClient(t, srv.URL, newFakeClock())
	_, err := c.WaitForJob(context.Background(), "j1", WaitOptions{})
	if !hasStatus(err, 404) || srv.count("GET") != 2 {
		t.Fatalf("err = %v after %d polls; want the 404 at once", err, srv.count("GET"))
	}
}

func TestWaitFetchesSubJobsShowJobLeftOut(t *testing.T) {
	srv := newScriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/workspace-sub-jobs") {
			if r.URL.Query().Get("job_id") != "j1" {
				t.Errorf("sub-jobs listed with query %q", r.URL.RawQuery)
			}
			status(200, `{"total_count":2,"jobs":[{"id":"s1","job_id":"j1","status":"SUCCESS","entities":{"desktop_id":"d1"}},{"id":"s2","job_id":"j1","status":"FAILED","entities":{"desktop_id":"d2"}}]}`)(w, r)
			return
		}
		status(200, `{"id":"j1","status":"SUCCESS","sub_jobs_total":2,"sub_jobs":[]}`)(w, r)
	})
	c := noRetryClient(t, srv.URL, newFakeClock())
	res, err := c.WaitForJob(context.Background(), "j1", WaitOptions{})
	if !errors.As(err, new(*JobFailedError)) || len(res.Outcomes) != 2 || res.Failed()[0].DesktopID != "d2" {
		t.Fatalf("result %+v, err %v", res, err)
	}
}

func TestWaitStopsWhenCancelled(t *testing.T) {
	srv := newScriptedServer(t, status(200, jobBody("RUNNING")))
	clock := &blockingClock{started: make(chan struct{}, 1)}
	c := noRetryClient(t, srv.URL, clock)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-clock.started; cancel() }()
	_, err := c.WaitForJob(ctx, "j1", WaitOptions{})
	if !errors.Is(err, context.Canceled) || errors.As(err, new(*JobTimeoutError)) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestWaitDeadlineIsAJobTimeout(t *testing.T) {
	srv := newScriptedServer(t, status(200, jobBody("RUNNING")))
	c := noRetryClient(t, srv.URL, &blockingClock{started: make(chan struct{}, 1)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := c.WaitForJob(ctx, "j1", WaitOptions{})
	var timeout *JobTimeoutError
	if !errors.As(err, &timeout) || timeout.JobID != "j1" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a JobTimeoutError for j1", err)
	}
}

func TestPollIntervalIsAClampedFraction(t *testing.T) {
	o := WaitOptions{}.withDefaults()
	for elapsed, want := range map[time.Duration]time.Duration{
		0: time.Second, 5 * time.Second: time.Second, 30 * time.Second: 3 * time.Second,
		5 * time.Minute: 30 * time.Second, time.Hour: time.Minute,
	} {
		if got := o.interval(elapsed); got != want {
			t.Errorf("interval(%s) = %s, want %s", elapsed, got, want)
		}
	}
}

func TestParseJobTime(t *testing.T) {
	want := time.Date(2026, 3, 1, 12, 3, 10, 0, time.UTC)
	for _, s := range []string{"2026-03-01 12:03:10", "2026-03-01T12:03:10Z", "2026-03-01T20:03:10+08:00", " 2026-03-01 12:03:10.000 "} {
		got, ok := parseJobTime(s)
		if !ok || !got.Equal(want) {
			t.Errorf("parseJobTime(%q) = %s, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "yesterday", "2026-13-01 00:00:00"} {
		if _, ok := parseJobTime(s); ok {
			t.Errorf("parseJobTime(%q) accepted", s)
		}
	}
}

func TestWaitRetriesReadingAFinishedJobsSubJobs(t *testing.T) {
	var subJobCalls atomic.Int32
	srv := newScriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/workspace-sub-jobs") {
			if subJobCalls.Add(1) == 1 {
				status(503, `{"error_code":"WKS.00010500","error_msg":"busy"}`)(w, r)
				return
			}
			status(200, `{"total_count":1,"jobs":[{"id":"s1","job_id":"j1","status":"SUCCESS","entities":{"desktop_id":"d1"}}]}`)(w, r)
			return
		}
		status(200, `{"id":"j1","status":"SUCCESS","sub_jobs_total":1,"sub_jobs":[]}`)(w, r)
	})
	c := noRetryClient(t, srv.URL, newFakeClock())
	res, err := c.WaitForJob(context.Background(), "j1", WaitOptions{})
	if err != nil || !res.Succeeded || len(res.Outcomes) != 1 || subJobCalls.Load() != 2 {
		t.Fatalf("result %+v, err %v, %d sub-job reads; want success on the second read", res, err, subJobCalls.Load())
	}
}

func TestWaitGivesUpWhenSubJobsStayUnreadable(t *testing.T) {
	srv := newScriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/workspace-sub-jobs") {
			status(503, `{"error_code":"WKS.00010500","error_msg":"busy"}`)(w, r)
			return
		}
		status(200, `{"id":"j1","status":"SUCCESS","sub_jobs_total":1,"sub_jobs":[]}`)(w, r)
	})
	c := noRetryClient(t, srv.URL, newFakeClock())
	_, err := c.WaitForJob(context.Background(), "j1", WaitOptions{})
	if err == nil || !strings.Contains(err.Error(), "reading its sub-jobs failed 8 times") {
		t.Fatalf("err %v; want a bounded give-up naming the sub-job reads", err)
	}
}

func TestEndedJobResultNeedsAnEndedJob(t *testing.T) {
	c := newTestClient(t, fakeConfig("http://unused.example.test", newFakeClock()))
	if _, err := c.EndedJobResult(context.Background(), &ShowJobResponse{Id: "j1", Status: "RUNNING"}); err == nil {
		t.Fatal("a running job gave a result")
	}
	res, err := c.EndedJobResult(context.Background(), &ShowJobResponse{Id: "j1", Status: JobStatusSuccess, SubJobsTotal: 1,
		SubJobs: []JobDetailInfo{{Id: "s1", Status: JobStatusSuccess, Entities: &JobEntities{DesktopId: "d1"}}}})
	if err != nil || !res.Succeeded || len(res.Outcomes) != 1 || res.Outcomes[0].DesktopID != "d1" {
		t.Fatalf("ended job: %+v, %v", res, err)
	}
}
