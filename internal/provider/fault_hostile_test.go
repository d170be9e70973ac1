package provider

// Hostile answers: a reverse proxy in front of a fresh emulator rewrites
// chosen answers (a huge body, invalid JSON, an unknown job status, a job
// that never finishes). Memory must stay bounded, errors must say what went
// wrong, and the create timeout must be honoured. No assertion here depends
// on wall-clock durations.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

const (
	// clientBodyLimit is the client's maxResponseBody (internal/workspace/transport.go):
	// it reads at most this many bytes plus one of any answer.
	clientBodyLimit = 8 << 20
	// hugeBodySize is what the proxy offers to stream: far more than the
	// client may read, so a client that read it all fails the byte bound.
	hugeBodySize = 512 << 20
	// maxStreamed bounds what the proxy may write of one huge answer before
	// the client stops reading: half of what it offers. What the proxy wrote
	// is what the client read plus whatever the kernel's socket buffers held,
	// and those vary by machine (tens of MiB at most), so the bound proves
	// the client stopped early without depending on them; the exact 8 MiB
	// read limit is pinned by the client's own test (retry_test.go).
	maxStreamed = hugeBodySize / 2
)

// hostileTimeouts bounds the create (the timeout under test) and the
// delete, so a destroy after a failed step cannot hang on a rule left on.
const hostileTimeouts = `timeouts = { create = "4s", delete = "20s" }`

var (
	showJobPath       = regexp.MustCompile(`^/v2/[^/]+/workspace-jobs/([^/]+)$`)
	batchCreatePath   = regexp.MustCompile(`^/v2/[^/]+/snapshots/batch-create$`)
	subJobsPath       = regexp.MustCompile(`^/v2/[^/]+/workspace-sub-jobs$`)
	listSnapshotsPath = regexp.MustCompile(`^/v2/[^/]+/snapshots$`)
)

// answerFunc answers a request instead of the emulator when it returns true.
// reqBody is the request's body (also still readable from r for forwarding).
type answerFunc func(w http.ResponseWriter, r *http.Request, reqBody []byte) bool

// rewriteFunc may replace the body of the emulator's answer to r (whose
// body was reqBody); it returns the new body and true, or false to pass the
// answer through.
type rewriteFunc func(r *http.Request, reqBody []byte, status int, body []byte) ([]byte, bool)

// reqBodyKey carries the request body to modifyResponse.
type reqBodyKey struct{}

// hostileProxy is an httptest reverse proxy in front of an emulator. It
// keeps the Host header, so the client's signature (over the proxy's host)
// verifies at the emulator.
type hostileProxy struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	answer  answerFunc
	rewrite rewriteFunc
	hits    map[string]int      // rule name -> how many answers it replaced
	jobs    map[string][]string // rule name -> job IDs it touched, in order

	streaming atomic.Int64 // huge-body handlers still writing
	streams   []int64      // bytes each finished huge-body handler wrote
}

func newHostileProxy(t *testing.T, upstream string) *hostileProxy {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &hostileProxy{t: t, hits: map[string]int{}, jobs: map[string][]string{}}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // signed by the client
		},
		ModifyResponse: p.modifyResponse,
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody []byte
		if r.Body != nil {
			reqBody, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		p.mu.Lock()
		answer := p.answer
		p.mu.Unlock()
		if answer != nil && answer(w, r, reqBody) {
			return
		}
		rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), reqBodyKey{}, reqBody)))
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *hostileProxy) URL() string { return p.srv.URL }

// set replaces the rules in force (nil: none).
func (p *hostileProxy) set(answer answerFunc, rewrite rewriteFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answer, p.rewrite = answer, rewrite
}

func (p *hostileProxy) clear() { p.set(nil, nil) }

// hit counts an answer replaced by rule, touching jobID if not empty.
func (p *hostileProxy) hit(rule, jobID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hits[rule]++
	if jobID != "" && !slices.Contains(p.jobs[rule], jobID) {
		p.jobs[rule] = append(p.jobs[rule], jobID)
	}
}

func (p *hostileProxy) hitCount(rule string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[rule]
}

func (p *hostileProxy) jobsOf(rule string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.jobs[rule]...)
}

func (p *hostileProxy) modifyResponse(resp *http.Response) error {
	p.mu.Lock()
	rewrite := p.rewrite
	p.mu.Unlock()
	if rewrite == nil {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	reqBody, _ := resp.Request.Context().Value(reqBodyKey{}).([]byte)
	if nb, ok := rewrite(resp.Request, reqBody, resp.StatusCode, body); ok {
		body = nb
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
	return nil
}

// streamHuge answers 200 with a JSON object that opens a string and never
// closes it, offering hugeBodySize bytes; it stops when the client goes away.
func (p *hostileProxy) streamHuge(w http.ResponseWriter, r *http.Request, jobID string) {
	p.streaming.Add(1)
	defer p.streaming.Add(-1)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "hostile-huge-body")
	w.WriteHeader(http.StatusOK)
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	n, err := io.WriteString(w, fmt.Sprintf(`{"id":%q,"status":"RUNNING","fail_reason":"`, jobID))
	written := int64(n)
	for err == nil && written < hugeBodySize && r.Context().Err() == nil {
		n, err = w.Write(chunk)
		written += int64(n)
	}
	p.mu.Lock()
	p.streams = append(p.streams, written)
	p.mu.Unlock()
}

// checkStreamsBounded waits until no huge-body handler is writing (they stop
// when the client closes the connection) and requires each to have written
// at most what the client may read plus socket buffers: a client that read
// the whole body would have taken hugeBodySize bytes.
func (p *hostileProxy) checkStreamsBounded() error {
	for i := 0; p.streaming.Load() > 0; i++ {
		if i == 600 {
			return fmt.Errorf("%d huge-body answers are still being written after the client was done: the client did not close them", p.streaming.Load())
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.streams) == 0 {
		return fmt.Errorf("the proxy never streamed a huge body: the rule did not fire")
	}
	p.t.Logf("huge-body answers: bytes written per answer before the client closed: %v", p.streams)
	for _, n := range p.streams {
		if n > maxStreamed {
			return fmt.Errorf("the proxy wrote %d bytes of one huge answer of %d before the client stopped reading; want at most %d: the client reads on past its %d-byte limit",
				n, hugeBodySize, maxStreamed, clientBodyLimit)
		}
	}
	return nil
}

// proxiedEnv is env with a provider configuration whose endpoint and
// iam_endpoint are the proxy (env.Client still talks to the emulator directly,
// for checks out of band).
func proxiedEnv(env *testAccEnv, proxyURL string) *testAccEnv {
	pe := *env
	pe.ProviderConfig = emulatorProviderConfig(proxyURL, "")
	return &pe
}

// newHostileEnv starts a fresh emulator with a proxy in front of it.
func newHostileEnv(t *testing.T, desktops int) (*testAccEnv, *testAccEnv, *hostileProxy) {
	t.Helper()
	return newHostileEnvWith(t, emulator.Config{Desktops: desktops, JobDuration: 300 * time.Millisecond, Seed: 5, AuthToken: wireToken})
}

func newHostileEnvWith(t *testing.T, cfg emulator.Config) (*testAccEnv, *testAccEnv, *hostileProxy) {
	t.Helper()
	env := newTestAccEnv(t, cfg)
	env.SkipIfReal(t, "rewrites the emulator's answers through a proxy")
	proxy := newHostileProxy(t, env.Emulator.URL())
	return env, proxiedEnv(env, proxy.URL()), proxy
}

// rewriteJobStatus rewrites every ShowJob answer's status to status (and
// drops end_time, as a running job has none), counting under rule.
func (p *hostileProxy) rewriteJobStatus(rule, status string) rewriteFunc {
	return func(r *http.Request, _ []byte, code int, body []byte) ([]byte, bool) {
		m := showJobPath.FindStringSubmatch(r.URL.Path)
		if m == nil || code != http.StatusOK {
			return nil, false
		}
		var job map[string]any
		if err := json.Unmarshal(body, &job); err != nil {
			p.t.Errorf("proxy: ShowJob answer is not JSON: %v", err)
			return nil, false
		}
		job["status"] = status
		delete(job, "end_time")
		out, err := json.Marshal(job)
		if err != nil {
			p.t.Errorf("proxy: %v", err)
			return nil, false
		}
		p.hit(rule, m[1])
		return out, true
	}
}

// checkJobIDsAre requires the state's job_ids to be exactly the jobs the
// proxy touched under rule, except those in other (jobs of other steps).
func checkJobIDsAre(p *hostileProxy, rule string, other ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var want []string
		for _, id := range p.jobsOf(rule) {
			if !slices.Contains(other, id) {
				want = append(want, id)
			}
		}
		if len(want) == 0 {
			return fmt.Errorf("proxy rule %q touched no job", rule)
		}
		checks := []resource.TestCheckFunc{resource.TestCheckResourceAttr(batchAddr, "job_ids.#", fmt.Sprint(len(want)))}
		sort.Strings(want)
		for _, id := range want {
			checks = append(checks, resource.TestCheckTypeSetElemAttr(batchAddr, "job_ids.*", id))
		}
		return resource.ComposeAggregateTestCheckFunc(checks...)(s)
	}
}

// TestAccFaultHostile_hugeBody: ShowJob answers 200 with a body of hundreds
// of MB that never closes its JSON. The job data source fails at once naming
// the operation and the size limit; the batch resource keeps polling until
// its create timeout and its error names the job, the timeout and the
// oversized answer. Each streamed answer stopped within the client's limit
// plus socket buffers, so memory stayed bounded.
func TestAccFaultHostile_hugeBody(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 2)
	ids := env.DesktopIDs
	huge := func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		m := showJobPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			return false
		}
		proxy.hit("huge", m[1])
		proxy.streamHuge(w, r, m[1])
		return true
	}
	jobID := submitJob(t, env, ids[:1])
	tooLarge := fmt.Sprintf(`ShowJob: .*answer larger than %d bytes`, clientBodyLimit)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids[1:]),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { proxy.set(huge, nil) },
				Config:      jobConfig(pe, jobID),
				ExpectError: regexp.MustCompile(`(?s)Unable to read job ` + jobID + `.*` + spacesMayWrap(tooLarge)),
			},
			{
				Config: batchConfig(pe, ids[1:], hostileTimeouts),
				ExpectError: regexp.MustCompile(`(?s)` + spacesMayWrap(`keep running in the service: [0-9a-f-]{36} \(last status: `) +
					`.*` + spacesMayWrap(`the last poll failed: `) + `.*` + spacesMayWrap(tooLarge)),
			},
			{
				// Without the rule, a refresh adopts the timed-out job; every
				// huge answer was cut off by the client near its read limit.
				PreConfig:          proxy.clear,
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return proxy.checkStreamsBounded() },
					checkTainted(batchAddr),
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					checkJobIDsAre(proxy, "huge", jobID),
				),
			},
		},
	})
}

// TestAccFaultHostile_invalidJSONShowJob: ShowJob answers 200 with a body
// that is not JSON. The data source fails naming ShowJob and the decode
// error; the batch resource times out naming its job and the last poll's
// decode error, and keeps the job ID (tainted) for the next refresh, which
// adopts the job's records once the answers are sane again.
func TestAccFaultHostile_invalidJSONShowJob(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 2)
	ids := env.DesktopIDs
	garbage := func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		m := showJobPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			return false
		}
		proxy.hit("garbage", m[1])
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"id": "`+m[1]+`", "status": RUNNING, <html>`)
		return true
	}
	jobID := submitJob(t, env, ids[:1])
	notJSON := `ShowJob: the service answered with a body that is not valid JSON for this operation: invalid character`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids[1:]),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { proxy.set(garbage, nil) },
				Config:      jobConfig(pe, jobID),
				ExpectError: regexp.MustCompile(`(?s)Unable to read job ` + jobID + `.*` + spacesMayWrap(notJSON)),
			},
			{
				Config:      batchConfig(pe, ids[1:], hostileTimeouts),
				ExpectError: regexp.MustCompile(`(?s)` + spacesMayWrap(`keep running in the service: [0-9a-f-]{36} \(last status: not read yet; the last poll failed: `+notJSON)),
			},
			{
				PreConfig:          proxy.clear,
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTainted(batchAddr),
					checkJobIDsAre(proxy, "garbage", jobID),
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "2"),
				),
			},
		},
	})
}

// garbageJSON is a 200 body that is not JSON.
const garbageJSON = `{"job_id": "<html>502 Bad Gateway</html>`

// TestAccFaultHostile_invalidJSONBatchCreateReconciled: batch-create acts
// (the emulator starts the job) but its answer is not JSON. The client must
// not resubmit blindly: it looks the job up through ListItaSubJobs and adopts
// it, so the apply succeeds with exactly the one job, one batch-create call
// and one set of records (no desktop snapshotted twice).
func TestAccFaultHostile_invalidJSONBatchCreateReconciled(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 2)
	ids := env.DesktopIDs
	proxy.set(nil, func(r *http.Request, _ []byte, code int, body []byte) ([]byte, bool) {
		if r.Method != http.MethodPost || !batchCreatePath.MatchString(r.URL.Path) || code != http.StatusOK {
			return nil, false
		}
		var out struct {
			JobID string `json:"job_id"`
		}
		if err := json.Unmarshal(body, &out); err != nil || out.JobID == "" {
			t.Errorf("proxy: the emulator's batch-create answer has no job_id: %s", body)
		}
		proxy.hit("create-garbage", out.JobID)
		return []byte(garbageJSON), true
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{{
			Config: batchConfig(pe, ids, hostileTimeouts),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(4)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkJobIDsAre(proxy, "create-garbage"),
				func(*terraform.State) error {
					if n := proxy.hitCount("create-garbage"); n != 1 {
						return fmt.Errorf("want exactly 1 batch-create answered with invalid JSON, got %d", n)
					}
					if n := env.Emulator.Stats().RequestsByOperation["BatchCreateDesktopSnapshot"]; n != 1 {
						return fmt.Errorf("want exactly 1 batch-create call (adopted, not resubmitted), got %d", n)
					}
					return nil
				},
				checkSnapshotCount(t, env, ids, 4, "want 4 records (one job, no resubmission), found %d"),
			),
		}},
	})
}

// TestAccFaultHostile_invalidJSONBatchCreateLost: 101 desktops go out as a
// chunk of 100 and a chunk of 1. The chunk of 1 is answered with invalid
// JSON and the reconciliation lookup (ListItaSubJobs by job type) too, so its
// job cannot be found. The apply fails naming BatchCreateDesktopSnapshot,
// the decode error and that the request may have acted; the other chunk's
// job ID, recorded before, stays in state (tainted, its records adopted),
// and the lost chunk is never resubmitted blindly. The lost job's record is
// not tracked by the resource (it cannot be); the test removes it.
func TestAccFaultHostile_invalidJSONBatchCreateLost(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 101)
	ids := env.DesktopIDs
	lose := func(r *http.Request, reqBody []byte, code int, body []byte) ([]byte, bool) {
		switch {
		case r.Method == http.MethodPost && batchCreatePath.MatchString(r.URL.Path) && code == http.StatusOK:
			var in struct {
				DesktopIDs []string `json:"desktop_ids"`
			}
			if err := json.Unmarshal(reqBody, &in); err != nil {
				t.Errorf("proxy: reading the batch-create request: %v", err)
			}
			if len(in.DesktopIDs) != 1 {
				return nil, false
			}
			var out struct {
				JobID string `json:"job_id"`
			}
			_ = json.Unmarshal(body, &out)
			proxy.hit("lost-create", out.JobID)
			return []byte(garbageJSON), true
		case subJobsPath.MatchString(r.URL.Path) && r.URL.Query().Get("job_type") != "":
			proxy.hit("lost-lookup", "")
			return []byte(garbageJSON), true
		}
		return nil, false
	}
	var keptJob string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Only the lost job's record is left: the resource never knew its job.
			recs, err := env.Client.ListAllDesktopSnapshots(context.Background(), workspace.ListDesktopSnapshotRequest{DesktopIds: ids})
			if err != nil {
				return err
			}
			lost := proxy.jobsOf("lost-create")
			if len(recs) != 1 || len(lost) != 1 {
				return fmt.Errorf("after destroy want only the lost job's 1 record, found %d records (lost jobs %v)", len(recs), lost)
			}
			if diags := deleteSnapshots(context.Background(), env.Client, map[string]string{recs[0].SnapshotId: recs[0].DesktopId}); diags.HasError() {
				return fmt.Errorf("deleting the lost job's record: %v", diags)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() { proxy.set(nil, lose) },
				Config:    batchConfig(pe, ids, `disk_type = "SYSTEM_DISK"`+"\n"+hostileTimeouts),
				ExpectError: regexp.MustCompile(`(?s)Unable to create desktop snapshots.*` + spacesMayWrap(
					`BatchCreateDesktopSnapshot: the request may have reached the service \(BatchCreateDesktopSnapshot: the service answered with a body that is not valid JSON for this operation`) +
					`.*` + spacesMayWrap(`and looking for its job failed: ListItaSubJobs: the service answered with a body that is not valid JSON`)),
			},
			{
				PreConfig:          proxy.clear,
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTainted(batchAddr),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "1"),
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "100"),
					func(s *terraform.State) error {
						keptJob = s.RootModule().Resources[batchAddr].Primary.Attributes["job_ids.0"]
						lost := proxy.jobsOf("lost-create")
						if len(lost) != 1 || lost[0] == "" || lost[0] == keptJob {
							return fmt.Errorf("want one lost job distinct from the kept %s, got %v", keptJob, lost)
						}
						if proxy.hitCount("lost-lookup") == 0 {
							return fmt.Errorf("the client never tried to look the lost job up")
						}
						// Two chunks, each posted once: the ambiguous one was not resubmitted.
						if n := env.Emulator.Stats().RequestsByOperation["BatchCreateDesktopSnapshot"]; n != 2 {
							return fmt.Errorf("want 2 batch-create calls (the lost chunk not resubmitted), got %d", n)
						}
						return checkSnapshotCount(t, env, ids, 101, "want 100 records in state + 1 of the lost job, found %d")(s)
					},
				),
			},
			{
				// The next apply replaces the tainted batch: it deletes the 100 records it knows.
				Config: batchConfig(pe, ids, `disk_type = "SYSTEM_DISK"`+"\n"+hostileTimeouts),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(101)),
				},
				Check: checkSnapshotCount(t, env, ids, 102, "want 101 new records + 1 of the lost job, found %d"),
			},
		},
	})
}

// TestAccFaultHostile_unknownJobStatus: ShowJob reports "EXPLODING". The
// client reads an unknown status as not terminal (classifyStatus): the job
// data source passes it through verbatim, the batch resource waits until its
// create timeout and names the job and the unknown status, and a refresh does
// not take the job as ended. Once the status is known again, the refresh
// adopts the job's records.
func TestAccFaultHostile_unknownJobStatus(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 2)
	ids := env.DesktopIDs
	jobID := submitJob(t, env, ids[:1])
	if _, err := env.Client.WaitForJob(context.Background(), jobID, workspace.WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	exploding := proxy.rewriteJobStatus("exploding", "EXPLODING")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids[1:]),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { proxy.set(nil, exploding) },
				Config:    jobConfig(pe, jobID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact("EXPLODING")),
				},
			},
			{
				Config: batchConfig(pe, ids[1:], hostileTimeouts),
				ExpectError: regexp.MustCompile(`(?s)Unable to create desktop snapshots.*` +
					spacesMayWrap(`keep running in the service: [0-9a-f-]{36} \(last status: EXPLODING\)`)),
			},
			{
				// Still EXPLODING: the refresh keeps the batch pending.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTainted(batchAddr),
					checkJobIDsAre(proxy, "exploding", jobID),
					resource.TestCheckResourceAttr(batchAddr, "status", "PENDING"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "0"),
				),
			},
			{
				PreConfig:          proxy.clear,
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTainted(batchAddr),
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "2"),
				),
			},
		},
	})
}

// TestAccFaultHostile_jobNeverFinishes: the emulator's job ends, but the
// proxy reports it RUNNING forever. With create = "3s" the apply fails with
// the timeout error naming the job and its last status; state keeps that job
// ID (tainted, pending, no records adopted while it still looks running).
// With the proxy honest again, the next apply replaces the batch straight
// away: the destroy adopts and deletes the first job's records, the create
// snapshots anew, and nothing is left over.
func TestAccFaultHostile_jobNeverFinishes(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 2)
	ids := env.DesktopIDs
	const short = `timeouts = { create = "3s", delete = "20s" }`
	var firstJob string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { proxy.set(nil, proxy.rewriteJobStatus("running", "RUNNING")) },
				Config:    batchConfig(pe, ids, short),
				ExpectError: regexp.MustCompile(`(?s)Unable to create desktop snapshots.*` +
					spacesMayWrap(`The create timeout passed while waiting for 1 of 1 batch-create job. They were submitted and keep running in the service: [0-9a-f-]{36} \(last status: RUNNING\).`) +
					`\s+` + spacesMayWrap(`Their job IDs are kept in state with status PENDING`)),
			},
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTainted(batchAddr),
					checkJobIDsAre(proxy, "running"),
					resource.TestCheckResourceAttr(batchAddr, "status", "PENDING"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "0"),
					func(s *terraform.State) error {
						// The job really ended: only the proxy hid it.
						firstJob = s.RootModule().Resources[batchAddr].Primary.Attributes["job_ids.0"]
						res, err := env.Client.WaitForJob(context.Background(), firstJob, workspace.WaitOptions{})
						if err != nil || !res.Succeeded {
							return fmt.Errorf("job %s behind the proxy: %v", firstJob, err)
						}
						return nil
					},
				),
			},
			{
				PreConfig: proxy.clear,
				Config:    batchConfig(pe, ids, `timeouts = { create = "1m", delete = "20s" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(s *terraform.State) error {
						if now := s.RootModule().Resources[batchAddr].Primary.Attributes["job_ids.0"]; now == firstJob {
							return fmt.Errorf("the batch still holds the timed-out job %s; want a new one", firstJob)
						}
						return nil
					},
					checkSnapshotCount(t, env, ids, 4, "want 4 records (the timed-out job's deleted), found %d"),
				),
			},
		},
	})
}

// A refresh of a PENDING batch whose job the service no longer knows warns
// and keeps the batch as it was (it used to fail the refresh, while the
// restore kept its state silently); once the job is readable again, the next
// refresh records what it made.
func TestAccFaultHostile_pendingJobGoneKeepsState(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 2)
	ids := env.DesktopIDs
	jobGone := func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if answerNoSubJobsOfAJob(w, r) {
			return true
		}
		m := showJobPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			return false
		}
		proxy.hit("gone", m[1])
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "gone-request")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_code":"WKS.0004","error_msg":"The job does not exist."}`))
		return true
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { proxy.set(nil, proxy.rewriteJobStatus("running", "RUNNING")) },
				Config:      batchConfig(pe, ids, `timeouts = { create = "3s", delete = "20s" }`),
				ExpectError: regexp.MustCompile(spacesMayWrap(`The create timeout passed while waiting for 1 of 1 batch-create job.`)),
			},
			{
				PreConfig:          func() { proxy.set(jobGone, nil) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "status", "PENDING"),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "1"),
					func(*terraform.State) error {
						if proxy.hitCount("gone") == 0 {
							return fmt.Errorf("the refresh never asked for the job; the test proves nothing")
						}
						return nil
					},
				),
			},
			{
				PreConfig:          proxy.clear,
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "4"),
				),
			},
		},
	})
}

// answerNoSubJobsOfAJob answers a sub-job listing for one job with none, as
// the service would for a job it no longer knows; false for other requests.
func answerNoSubJobsOfAJob(w http.ResponseWriter, r *http.Request) bool {
	if !subJobsPath.MatchString(r.URL.Path) || r.URL.Query().Get("job_id") == "" {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"total_count":0,"jobs":[]}`))
	return true
}

// A desktop whose sub-job succeeded but whose snapshot cannot be found (the
// proxy hides its records) is never an empty batch: the apply warns, naming
// desktop and job, and the batch stays PENDING with its job and what it
// could prove, untainted (replacing it would snapshot every desktop again).
// Once the records can be read, the next refresh records them, using the
// job window the create kept in private state.
func TestAccFaultHostile_unattributedSnapshotLeavesTheBatchPending(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 2)
	ids := env.DesktopIDs
	hidden := ids[1]
	proxy.set(nil, func(r *http.Request, _ []byte, code int, body []byte) ([]byte, bool) {
		if r.Method != http.MethodGet || !listSnapshotsPath.MatchString(r.URL.Path) || code != http.StatusOK {
			return nil, false
		}
		var page struct {
			DesktopSnapshots []map[string]any `json:"desktop_snapshots"`
			TotalCount       int              `json:"total_count"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Errorf("proxy: %v", err)
			return nil, false
		}
		kept := page.DesktopSnapshots[:0]
		for _, rec := range page.DesktopSnapshots {
			if rec["desktop_id"] != hidden {
				kept = append(kept, rec)
			}
		}
		page.TotalCount -= len(page.DesktopSnapshots) - len(kept)
		page.DesktopSnapshots = kept
		out, _ := json.Marshal(page)
		return out, true
	})
	var jobID string
	var listsBefore int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactoriesWithPropagation(time.Second),
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				Config: batchConfig(pe, ids, hostileTimeouts),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("PENDING")),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
					// The visible desktop's two records, proven the job's.
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(2)),
				},
				Check: func(s *terraform.State) error {
					if tainted := s.RootModule().Resources[batchAddr].Primary.Tainted; tainted {
						return errors.New("the batch is tainted: the next apply would snapshot every desktop again")
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					jobID = env.Emulator.JobIDs(workspace.JobTypeCreateSnapshot)[0]
					listsBefore = env.Emulator.Stats().RequestsByOperation["ListDesktopSnapshot"]
					proxy.clear()
				},
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					func(s *terraform.State) error {
						return resource.TestCheckResourceAttr(batchAddr, "job_ids.0", jobID)(s)
					},
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "1"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "4"),
					resource.TestCheckResourceAttr(batchAddr, "system_disk_snapshot_ids.%", "2"),
					func(*terraform.State) error {
						// The refresh that resolves the batch lists the desktops'
						// snapshots once, with no drift listing on top.
						if n := env.Emulator.Stats().RequestsByOperation["ListDesktopSnapshot"] - listsBefore; n != 1 {
							return fmt.Errorf("%d ListDesktopSnapshot calls in the refresh that resolved the batch, want 1", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// A create cut short keeps its job window (when its request was sent and
// answered) in private state, and the refresh that resolves it uses it: the
// snapshots of the same name its desktops had from an hour before (listed
// last by the proxy, as if newest) are never taken, and a provider process
// that never saw the job learns the zone of job times from the window.
func TestAccFaultHostile_interruptedCreateResolvesWithItsJobWindow(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env, pe, proxy := newHostileEnvWith(t, emulator.Config{Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 5,
		AuthToken: wireToken, Now: clock.now, MaxClockSkew: 24 * time.Hour, Dialect: emulator.Dialect{JobTimeOffset: 8 * time.Hour}})
	ids := env.DesktopIDs
	snapshotDesktops(t, env, ids, workspace.DiskTypeAll, testAccName("acc"))
	clock.step(time.Hour)
	before := map[string]bool{}
	for _, id := range snapshotIDsOf(t, env, ids) {
		before[id] = true
	}
	olderLast := func(r *http.Request, _ []byte, code int, body []byte) ([]byte, bool) {
		if r.Method != http.MethodGet || !listSnapshotsPath.MatchString(r.URL.Path) || code != http.StatusOK {
			return nil, false
		}
		var page struct {
			DesktopSnapshots []map[string]any `json:"desktop_snapshots"`
			TotalCount       int              `json:"total_count"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Errorf("proxy: %v", err)
			return nil, false
		}
		slices.Reverse(page.DesktopSnapshots) // the service lists in creation order: the older ones now last
		out, _ := json.Marshal(page)
		return out, true
	}
	running := proxy.rewriteJobStatus("running", "RUNNING")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					proxy.set(nil, func(r *http.Request, b []byte, code int, body []byte) ([]byte, bool) {
						if out, ok := running(r, b, code, body); ok {
							return out, true
						}
						return olderLast(r, b, code, body)
					})
				},
				Config:      batchConfig(pe, ids, `timeouts = { create = "3s", delete = "20s" }`),
				ExpectError: regexp.MustCompile(spacesMayWrap(`The create timeout passed`)),
			},
			{
				PreConfig:          func() { proxy.set(nil, olderLast) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true, // the timed-out create left the batch tainted
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "4"),
					func(s *terraform.State) error {
						for key := range s.RootModule().Resources[batchAddr].Primary.Attributes {
							if id, ok := strings.CutPrefix(key, "snapshot_desktop_ids."); ok && before[id] {
								return fmt.Errorf("the batch took %s, a snapshot its desktops had before it was sent", id)
							}
						}
						return nil
					},
				),
			},
			{PreConfig: proxy.clear, RefreshState: true, ExpectNonEmptyPlan: true},
		},
	})
}
