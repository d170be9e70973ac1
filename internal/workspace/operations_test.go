package workspace

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

func requests(srv *emulator.Server, op string) int { return srv.Stats().RequestsByOperation[op] }

func createAndWait(t *testing.T, c *Client, req BatchCreateDesktopSnapshotReq) *JobResult {
	t.Helper()
	resp, err := c.BatchCreateDesktopSnapshot(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.WaitForJob(context.Background(), resp.JobId, WaitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestEveryOperationAgainstEmulator(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 4, Seed: 7})
	cfg := emulatorConfig(srv)
	cfg.ProjectID = "" // found through IAM
	c := newTestClient(t, cfg)
	ctx := context.Background()

	projectID, err := c.ResolveProjectID(ctx)
	if err != nil || projectID != emulator.DefaultProjectID || c.ProjectID() != projectID {
		t.Fatalf("ResolveProjectID = %q, %v", projectID, err)
	}
	desktops, err := c.ListAllDesktops(ctx, ListDesktopsRequest{})
	if err != nil || len(desktops) != 4 {
		t.Fatalf("ListAllDesktops = %d desktops, %v", len(desktops), err)
	}
	one, err := c.ListDesktops(ctx, ListDesktopsRequest{ComputerName: desktops[2].ComputerName})
	if err != nil || one.TotalCount != 1 || one.Desktops[0].DesktopId != desktops[2].DesktopId {
		t.Fatalf("ListDesktops by computer name = %+v, %v", one, err)
	}

	ids := srv.DesktopIDs()[:2]
	created := createAndWait(t, c, BatchCreateDesktopSnapshotReq{DesktopIds: ids, DiskType: DiskTypeSystem,
		SystemDiskSnapshot: &DiskSnapshotInfo{Name: "nightly", Description: "before patch"}})
	if created.JobType != JobTypeCreateSnapshot || len(created.Outcomes) != 2 {
		t.Fatalf("create job %+v", created)
	}
	page, err := c.ListDesktopSnapshot(ctx, ListDesktopSnapshotRequest{DesktopIds: ids, SnapshotName: "nightly",
		DiskType: DiskTypeSystem, CreateType: CreateTypeManually, Status: SnapshotStatusCreateSuccess,
		SortField: "create_time", SortType: "DESC", Limit: 10})
	if err != nil || page.TotalCount != 2 || len(page.DesktopSnapshots) != 2 {
		t.Fatalf("ListDesktopSnapshot = %+v, %v", page, err)
	}
	snapIDs := []string{page.DesktopSnapshots[0].SnapshotId, page.DesktopSnapshots[1].SnapshotId}

	sub, err := c.ListItaSubJobs(ctx, ListItaSubJobsRequest{JobId: created.JobID})
	if err != nil || sub.TotalCount != 2 {
		t.Fatalf("ListItaSubJobs = %+v, %v", sub, err)
	}

	restore, err := c.BatchRestoreDesktopSnapshot(ctx, BatchRestoreSnapshotReq{SnapshotIds: snapIDs})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := c.WaitForJob(ctx, restore.JobId, WaitOptions{}); err != nil || res.JobType != JobTypeRestoreSnapshot {
		t.Fatalf("restore job %+v, %v", res, err)
	}
	restored, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{Status: SnapshotStatusRestoreSuccess})
	if err != nil || len(restored) != 2 {
		t.Fatalf("restored records %+v, %v", restored, err)
	}

	del, err := c.BatchDeleteDesktopSnapshot(ctx, BatchDeleteDesktopSnapshotReq{SnapshotIds: snapIDs})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForJob(ctx, del.JobId, WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	if left, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{}); err != nil || len(left) != 0 {
		t.Fatalf("after delete: %d records, %v", len(left), err)
	}
}

func TestPagingThroughThousandsOfRecords(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 2500, Seed: 3})
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()

	desktops, err := c.ListAllDesktops(ctx, ListDesktopsRequest{})
	if err != nil || len(desktops) != 2500 || uniqueCount(desktops, func(d SimpleDesktopInfo) string { return d.DesktopId }) != 2500 {
		t.Fatalf("ListAllDesktops: %d desktops, %v", len(desktops), err)
	}
	if got := requests(srv, "ListDesktops"); got != 3 {
		t.Fatalf("%d ListDesktops requests, want 3 pages of 1000", got)
	}

	ids := srv.DesktopIDs()[:1250]
	for _, sub := range c.SubmitBatchCreate(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: ids, DiskType: DiskTypeAll}, SubmitHooks{}) {
		if sub.Err != nil {
			t.Fatal(sub.Err)
		}
	}
	// Nothing is listed before sending: a job's window, not a list of the
	// records before it, tells its records apart.
	if got := requests(srv, "ListDesktopSnapshot"); got != 0 {
		t.Fatalf("%d snapshot listings while submitting 13 chunks, want none", got)
	}
	all, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{})
	if err != nil || len(all) != 2500 || uniqueCount(all, snapshotID) != 2500 {
		t.Fatalf("ListAllDesktopSnapshots: %d records, %v", len(all), err)
	}
	if got := requests(srv, "ListDesktopSnapshot"); got != 3 {
		t.Fatalf("%d ListDesktopSnapshot requests, want 3 pages", got)
	}
	byDesktop, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopIds: ids})
	if err != nil || len(byDesktop) != 2500 {
		t.Fatalf("by desktop IDs: %d records, %v", len(byDesktop), err)
	}
	if got := requests(srv, "ListDesktopSnapshot") - 3; got != 13 {
		t.Fatalf("%d queries for 1250 desktop IDs, want 13 of at most 100 IDs", got)
	}
}

func snapshotID(r DesktopSnapshotDetailInfo) string { return r.SnapshotId }

func uniqueCount[T any](items []T, key func(T) string) int {
	seen := map[string]bool{}
	for _, it := range items {
		seen[key(it)] = true
	}
	return len(seen)
}

func TestQueryEncodingIsSignedAndFilteredExactly(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 2, Seed: 5})
	c := newTestClient(t, emulatorConfig(srv))
	ctx := context.Background()
	name := "a b+c&d=é/%"
	createAndWait(t, c, BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem,
		SystemDiskSnapshot: &DiskSnapshotInfo{Name: name}})
	all, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{SnapshotName: name})
	if err != nil || len(all) != 2 {
		t.Fatalf("substring filter with awkward characters: %d records, %v", len(all), err)
	}
	exact, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{SnapshotNames: []string{all[0].SnapshotName, "no such name"},
		DesktopIds: srv.DesktopIDs()})
	if err != nil || len(exact) != 1 || exact[0].SnapshotId != all[0].SnapshotId {
		t.Fatalf("repeated snapshot_names: %+v, %v", exact, err)
	}
}

func TestSnapshotQueryEncodesLikeTheSDK(t *testing.T) {
	q, err := snapshotQuery(ListDesktopSnapshotRequest{DesktopIds: []string{"b", "a"}, SnapshotName: "x y+z", Offset: 1000, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := "desktop_ids=b&desktop_ids=a&limit=1000&offset=1000&snapshot_name=x%20y%2Bz"
	if got := encodeQuery(q); got != want {
		t.Fatalf("query %q, want %q", got, want)
	}
}

func TestInvalidRequestsNameTheField(t *testing.T) {
	c := newTestClient(t, fakeConfig("http://127.0.0.1:1", newFakeClock()))
	ctx := context.Background()
	long := strings.Repeat("n", 65)
	cases := map[string]error{
		"disk_type: must be one of SYSTEM_DISK, DATA_DISKS, ALL": second(c.ListDesktopSnapshot(ctx, ListDesktopSnapshotRequest{DiskType: "SYSTEM"})),
		"limit: must be between 0":                               second(c.ListDesktopSnapshot(ctx, ListDesktopSnapshotRequest{Limit: 1001})),
		"sort_type: must be one of ASC, DESC":                    second(c.ListDesktopSnapshot(ctx, ListDesktopSnapshotRequest{SortType: "asc"})),
		"desktop_ids: at least one ID":                           second(c.BatchCreateDesktopSnapshot(ctx, BatchCreateDesktopSnapshotReq{})),
		"desktop_ids: at most 100 IDs per call":                  second(c.BatchCreateDesktopSnapshot(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: make([]string, 101)})),
		"system_disk_snapshot.name: must be at most 64":          second(c.BatchCreateDesktopSnapshot(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: []string{"d"}, SystemDiskSnapshot: &DiskSnapshotInfo{Name: long}})),
		"snapshot_ids[1]: must be 1 to 36 characters":            second(c.BatchDeleteDesktopSnapshot(ctx, BatchDeleteDesktopSnapshotReq{SnapshotIds: []string{"s", ""}})),
		"status: must be one of SUCCESS":                         second(c.ListItaSubJobs(ctx, ListItaSubJobsRequest{Status: "DONE"})),
		"ShowJob: job_id: must not be empty":                     second(c.ShowJob(ctx, "")),
	}
	for want, err := range cases {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to mention %q", err, want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestNewClientValidatesConfig(t *testing.T) {
	base := Config{Region: "cn-north-4", AccessKey: "ak", SecretKey: "sk"}
	cases := map[string]func(*Config){
		"region: must be a region ID":                  func(c *Config) { c.Region = "" },
		"access_key/secret_key: both must be set":      func(c *Config) { c.SecretKey = "" },
		"set either an auth token or access_key":       func(c *Config) { c.AuthToken = "tok" },
		"credentials: set access_key and secret_key":   func(c *Config) { c.AccessKey, c.SecretKey = "", "" },
		"endpoint: must be an absolute http:// or":     func(c *Config) { c.Endpoint = "workspace.example.com" },
		"iam_endpoint: must be an absolute http:// or": func(c *Config) { c.IAMEndpoint = "ftp://iam.example.com" },
		"project_id: must not contain '/', '?', '#', ": func(c *Config) { c.ProjectID = "../admin" },
	}
	for want, mutate := range cases {
		cfg := base
		mutate(&cfg)
		if _, err := NewClient(cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to mention %q", err, want)
		}
	}
	c, err := NewClient(base)
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.Endpoint != "https://workspace.cn-north-4.myhuaweicloud.com" || c.cfg.IAMEndpoint != "https://iam.cn-north-4.myhuaweicloud.com" {
		t.Fatalf("default endpoints %q, %q", c.cfg.Endpoint, c.cfg.IAMEndpoint)
	}
	tr, ok := c.http.Transport.(*http.Transport)
	if !ok || tr.Proxy == nil || (tr.TLSClientConfig != nil && tr.TLSClientConfig.InsecureSkipVerify) {
		t.Fatalf("transport should honour proxies from the environment and verify TLS: %#v", c.http.Transport)
	}
	insecure := base
	insecure.Insecure = true
	c, _ = NewClient(insecure)
	if tr, ok := c.http.Transport.(*http.Transport); !ok || !tr.TLSClientConfig.InsecureSkipVerify {
		t.Fatal("insecure = true did not turn TLS verification off")
	}
}

func TestErrorClassesFromEmulator(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 2, Seed: 11, JobDuration: time.Hour})
	ctx := context.Background()
	cfg := emulatorConfig(srv)
	cfg.BusyRetryTimeout = time.Millisecond
	c := newTestClient(t, cfg)

	if _, err := c.ShowJob(ctx, "no-such-job"); !hasStatus(err, 404) {
		t.Errorf("unknown job: %v", err)
	} else if gone, listErr := c.JobGone(ctx, "no-such-job", err); !gone || listErr != nil {
		t.Errorf("unknown job not called gone: %v, %v", gone, listErr)
	}
	wrongKey := emulatorConfig(srv)
	wrongKey.SecretKey = "not-the-secret"
	_, err := newTestClient(t, wrongKey).ListDesktops(ctx, ListDesktopsRequest{})
	if e, ok := asAPIError(err); !ok || !IsUnauthorized(err) || e.HTTPStatus != 401 || e.ErrorCode != "APIGW.0301" || e.RequestID == "" {
		t.Errorf("wrong secret key: %v", err)
	}
	if got := srv.Stats().RequestsByOperationStatus["ListDesktops"]["401"]; got != 1 {
		t.Errorf("401 was sent %d times, want once (never retried)", got)
	}
	wrongProject := emulatorConfig(srv)
	wrongProject.ProjectID = "someoneelse"
	if _, err := newTestClient(t, wrongProject).ListDesktops(ctx, ListDesktopsRequest{}); !hasStatus(err, 403) || !IsUnauthorized(err) {
		t.Errorf("wrong project: %v", err)
	}

	ids := srv.DesktopIDs()
	if _, err := c.BatchCreateDesktopSnapshot(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: ids[:1]}); err != nil {
		t.Fatal(err)
	}
	_, err = c.BatchCreateDesktopSnapshot(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: ids[:1]})
	if !IsBusy(err) || !IsConflict(err) || !strings.Contains(err.Error(), "WKS.00010032") {
		t.Errorf("busy desktop: %v", err)
	}
	if _, err := c.BatchCreateDesktopSnapshot(ctx, BatchCreateDesktopSnapshotReq{DesktopIds: []string{"unknown-desktop"}}); !hasStatus(err, 404) {
		t.Errorf("unknown desktop: %v", err)
	}
	if e, ok := asAPIError(badRestore(t)); !ok || e.HTTPStatus != 400 || e.ErrorCode == "" || e.ErrorMsg == "" {
		t.Errorf("restoring two snapshots of one disk: %v", e)
	}

	srv.SetFaults(emulator.Faults{Fault5xxRate: 1})
	_, err = c.ListDesktops(ctx, ListDesktopsRequest{})
	if e, ok := asAPIError(err); !ok || e.HTTPStatus < 500 || e.RequestID == "" {
		t.Errorf("5xx: %v", err)
	}
	if got := srv.Stats().InjectedFaults["5xx"]; got != 1+DefaultMaxRetries {
		t.Errorf("%d 5xx answers, want 1 + %d retries", got, DefaultMaxRetries)
	}
}

// badRestore asks to restore two snapshots of the same disk in one call,
// which the service refuses with 400.
func badRestore(t *testing.T) error {
	srv := startEmulator(t, emulator.Config{Desktops: 1, Seed: 4})
	c := newTestClient(t, emulatorConfig(srv))
	req := BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(), DiskType: DiskTypeSystem}
	createAndWait(t, c, req)
	createAndWait(t, c, req)
	recs, err := c.ListAllDesktopSnapshots(context.Background(), ListDesktopSnapshotRequest{})
	if err != nil || len(recs) != 2 {
		t.Fatalf("records %+v, %v", recs, err)
	}
	_, err = c.BatchRestoreDesktopSnapshot(context.Background(), BatchRestoreSnapshotReq{SnapshotIds: []string{recs[0].SnapshotId, recs[1].SnapshotId}})
	return err
}

func TestThrottlingIsRetriedOnTheSharedClock(t *testing.T) {
	clock := newFakeClock()
	srv := startEmulator(t, emulator.Config{Desktops: 3, Seed: 2, Now: clock.Now, Faults: emulator.Faults{ThrottleRPS: 1}})
	cfg := emulatorConfig(srv)
	cfg.Clock = clock
	c := newTestClient(t, cfg)
	for i := range 5 {
		if _, err := c.ListDesktops(context.Background(), ListDesktopsRequest{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	st := srv.Stats()
	if st.RequestsByOperationStatus["ListDesktops"]["429"] < 4 || st.RequestsByOperationStatus["ListDesktops"]["200"] != 5 {
		t.Fatalf("statuses %v: want every call throttled first, then served", st.RequestsByOperationStatus["ListDesktops"])
	}
	srv.SetFaults(emulator.Faults{ThrottleRPS: 1})
	noRetry := emulatorConfig(srv)
	noRetry.MaxRetries, noRetry.Clock = -1, clock
	c = newTestClient(t, noRetry)
	_, _ = c.ListDesktops(context.Background(), ListDesktopsRequest{})
	_, err := c.ListDesktops(context.Background(), ListDesktopsRequest{})
	if !IsThrottled(err) || !strings.Contains(err.Error(), "APIGW.0308") {
		t.Fatalf("throttled without retries: %v", err)
	}
}

func TestGetsSurviveFaults(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 20, Seed: 9,
		Faults: emulator.Faults{Fault5xxRate: 0.2, FaultResetRate: 0.2}})
	cfg := emulatorConfig(srv)
	cfg.MaxRetries = 20
	c := newTestClient(t, cfg)
	for i := range 30 {
		page, err := c.ListDesktops(context.Background(), ListDesktopsRequest{})
		if err != nil || page.TotalCount != 20 {
			t.Fatalf("call %d: %+v, %v", i, page, err)
		}
	}
	st := srv.Stats()
	if st.InjectedFaults["5xx"] == 0 || st.InjectedFaults["reset"] == 0 {
		t.Fatalf("no faults were injected: %v", st.InjectedFaults)
	}
	if got := st.RequestsByOperationStatus["ListDesktops"]["200"] - st.InjectedFaults["reset"]; got != 30 {
		t.Fatalf("%d answered calls, want 30 (stats %v)", got, st.RequestsByOperationStatus)
	}
}

func TestTokenAuthenticationModes(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 1, AuthToken: "auth-token-value", SecurityToken: "sts-token-value"})
	ctx := context.Background()
	withToken := emulatorConfig(srv)
	withToken.AccessKey, withToken.SecretKey, withToken.AuthToken = "", "", "auth-token-value"
	if _, err := newTestClient(t, withToken).ListDesktops(ctx, ListDesktopsRequest{}); err != nil {
		t.Fatalf("X-Auth-Token: %v", err)
	}
	temporary := emulatorConfig(srv)
	temporary.SecurityToken = "sts-token-value"
	if _, err := newTestClient(t, temporary).ListDesktops(ctx, ListDesktopsRequest{}); err != nil {
		t.Fatalf("AK/SK with X-Security-Token: %v", err)
	}
	temporary.SecurityToken = "stale-token"
	if _, err := newTestClient(t, temporary).ListDesktops(ctx, ListDesktopsRequest{}); !IsUnauthorized(err) {
		t.Fatalf("wrong security token: %v", err)
	}
}

// signalTransport reports when a request is on its way.
type signalTransport struct {
	sent chan struct{}
	next http.RoundTripper
}

func (s signalTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.sent <- struct{}{}
	return s.next.RoundTrip(r)
}

func TestCancellingStopsARequestInFlight(t *testing.T) {
	// The server answers only when the client goes away.
	srv := newScriptedServer(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	cfg := fakeConfig(srv.URL, newFakeClock())
	sent := make(chan struct{}, 1)
	cfg.HTTPClient = &http.Client{Transport: signalTransport{sent: sent, next: http.DefaultTransport}}
	c := newTestClient(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-sent; cancel() }()
	_, err := c.ListDesktops(ctx, ListDesktopsRequest{})
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "ListDesktops: ") {
		t.Fatalf("err = %v, want ListDesktops: context canceled", err)
	}
}

func TestCancellingStopsARetryWait(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 1, Faults: emulator.Faults{Fault5xxRate: 1}})
	cfg := emulatorConfig(srv)
	clock := &blockingClock{started: make(chan struct{}, 1)}
	cfg.Clock = clock
	c := newTestClient(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-clock.started; cancel() }()
	_, err := c.ListDesktops(ctx, ListDesktopsRequest{})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "waiting to retry") {
		t.Fatalf("err = %v", err)
	}
	if got := srv.Stats().RequestsByOperation["ListDesktops"]; got != 1 {
		t.Fatalf("%d requests, want 1 (cancelled during the first retry wait)", got)
	}
}

// TestProxyFromTheEnvironment: requests go through HTTP(S)_PROXY as set when
// the client is made, and NO_PROXY exempts a host, as the authentication guide
// (docs/guides/authentication.md) promises.
func TestProxyFromTheEnvironment(t *testing.T) {
	var seen atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A forward proxy gets the absolute URL of the request it relays.
		if r.URL.Host != "workspace.example.test" || !strings.HasSuffix(r.URL.Path, "/workspace-jobs/j1") {
			http.Error(w, "unexpected "+r.URL.String(), http.StatusBadGateway)
			return
		}
		seen.Add(1)
		_, _ = w.Write([]byte(okJob))
	}))
	t.Cleanup(proxy.Close)
	cfg := fakeConfig("http://workspace.example.test", newFakeClock())
	cfg.MaxRetries = -1 // no retries: one request each

	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	job, err := newTestClient(t, cfg).ShowJob(context.Background(), "j1")
	if err != nil || job.Status != "RUNNING" || seen.Load() != 1 {
		t.Fatalf("through the proxy: job %+v, err %v, proxy saw %d requests; want the job, relayed once", job, err, seen.Load())
	}

	t.Setenv("NO_PROXY", "workspace.example.test")
	if _, err := newTestClient(t, cfg).ShowJob(context.Background(), "j1"); err == nil || seen.Load() != 1 {
		t.Fatalf("with NO_PROXY: err %v, proxy saw %d requests; want a direct attempt (which cannot resolve) and no relay", err, seen.Load())
	}
}
