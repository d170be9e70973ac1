package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/acctest"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator/emulatortest"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Helpers shared by the acceptance and protocol tests: the test environment
// (a fresh emulator per test, or the real cloud), out-of-band checks through
// the API, and small HCL and state helpers. The action harness is in
// action_harness_test.go.

var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"workspace": providerserver.NewProtocol6WithError(New("test")()),
}

// providerFactoriesWithPropagation serve a provider that gives lists only
// the given time to catch up with a job: tests of records that never show
// need not wait the default two minutes at every read.
func providerFactoriesWithPropagation(window time.Duration) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"workspace": providerserver.NewProtocol6WithError(&workspaceProvider{
			version: "test", progressInterval: defaultProgressInterval, propagationWindow: window,
		}),
	}
}

// testAccEnv is where an acceptance test runs: a fresh in-process emulator,
// or the real cloud when WORKSPACE_ACC_REAL=1.
type testAccEnv struct {
	Emulator       *emulator.Server // nil against the real cloud
	ProviderConfig string
	DesktopIDs     []string
	Client         *workspace.Client // for out-of-band checks through the API
	Real           bool
	JobTimeZone    string // the provider's job_time_zone, once StateJobTimeZone set it
}

func newTestAccEnv(t testing.TB, cfg emulator.Config) *testAccEnv {
	t.Helper()
	if os.Getenv("WORKSPACE_ACC_REAL") == "1" {
		return newRealTestAccEnv(t)
	}
	srv := emulatortest.Start(t, cfg)
	client := acctest.EmulatorClient(t, srv, srv.URL())
	return &testAccEnv{
		Emulator:       srv,
		ProviderConfig: emulatorProviderConfig(srv.URL(), ""),
		DesktopIDs:     srv.DesktopIDs(),
		Client:         client,
	}
}

// StateJobTimeZone puts the emulator's job-time zone in the provider
// block, as a user who imports jobs states it (job_time_zone): telling
// which records an earlier job made depends on that zone, and a provider
// process that did not start the job cannot learn it.
func (e *testAccEnv) StateJobTimeZone(t testing.TB) {
	t.Helper()
	if e.Real {
		if zone := os.Getenv("HW_JOB_TIME_ZONE"); zone == "" {
			t.Skip("imports an earlier job: needs HW_JOB_TIME_ZONE against the real cloud")
		}
		return // the provider reads HW_JOB_TIME_ZONE itself
	}
	e.JobTimeZone = workspace.FormatJobTimeZone(e.Emulator.Dialect().JobTimeOffset)
	e.ProviderConfig = emulatorProviderConfig(e.Emulator.URL(), fmt.Sprintf("  job_time_zone = %q\n", e.JobTimeZone))
}

// emulatorProviderConfig is a provider block with the emulator's default
// credentials and endpoint (the emulator's URL, or a proxy's in front of
// it), plus any extra settings.
func emulatorProviderConfig(endpoint, extra string) string {
	return fmt.Sprintf(`
provider "workspace" {
  region       = %q
  access_key   = %q
  secret_key   = %q
  endpoint     = %q
  iam_endpoint = %q
%s}
`, emulator.DefaultRegion, emulator.DefaultAccessKey, emulator.DefaultSecretKey, endpoint, endpoint, extra)
}

func newRealTestAccEnv(t testing.TB) *testAccEnv {
	t.Helper()
	for _, v := range []string{"HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_REGION_NAME", "HW_WORKSPACE_DESKTOP_IDS"} {
		if os.Getenv(v) == "" {
			t.Fatalf("WORKSPACE_ACC_REAL=1 needs %s (see CONTRIBUTING.md: acceptance tests against the real cloud)", v)
		}
	}
	client, err := workspace.NewClient(workspace.Config{
		Region: os.Getenv("HW_REGION_NAME"), ProjectID: os.Getenv("HW_PROJECT_ID"),
		AccessKey: os.Getenv("HW_ACCESS_KEY"), SecretKey: os.Getenv("HW_SECRET_KEY"),
		SecurityToken: os.Getenv("HW_SECURITY_TOKEN"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testAccEnv{
		ProviderConfig: `provider "workspace" {}`,
		DesktopIDs:     strings.Split(os.Getenv("HW_WORKSPACE_DESKTOP_IDS"), ","),
		Client:         client,
		Real:           true,
	}
}

// parallelUnlessReal runs the test alongside others: each has its own
// emulator. Against the real cloud tests stay sequential, since they share
// its desktops (and one's job would make the others' desktops busy).
func parallelUnlessReal(t *testing.T) {
	if os.Getenv("WORKSPACE_ACC_REAL") != "1" {
		t.Parallel()
	}
}

// SkipIfReal skips emulator-only checks (call counts, fault injection).
func (e *testAccEnv) SkipIfReal(t testing.TB, why string) {
	t.Helper()
	if e.Real {
		t.Skipf("emulator only: %s", why)
	}
}

// hclStrings renders IDs as an HCL list.
func hclStrings(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// spacesMayWrap lets an expected-error pattern match across the line breaks
// Terraform inserts into long diagnostics.
func spacesMayWrap(pattern string) string { return strings.ReplaceAll(pattern, " ", `\s+`) }

// snapshotIDsOf lists every snapshot record ID of the desktops.
func snapshotIDsOf(t *testing.T, env *testAccEnv, desktopIDs []string) []string {
	t.Helper()
	recs, err := env.Client.ListAllDesktopSnapshots(context.Background(), workspace.ListDesktopSnapshotRequest{DesktopIds: desktopIDs})
	if err != nil {
		t.Fatalf("listing snapshots: %v", err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.SnapshotId
	}
	return ids
}

// desktopsOfJobs reads the finished jobs and counts each desktop's sub-jobs.
func desktopsOfJobs(t *testing.T, env *testAccEnv, jobIDs []string) map[string]int {
	t.Helper()
	return countOutcomes(t, env, jobIDs, func(o workspace.DesktopOutcome) []string { return []string{o.DesktopID} })
}

// countOutcomes reads the finished jobs and counts what keys says each
// sub-job names.
func countOutcomes(t *testing.T, env *testAccEnv, jobIDs []string, keys func(workspace.DesktopOutcome) []string) map[string]int {
	t.Helper()
	results, err := env.Client.WaitForJobs(context.Background(), jobIDs, workspace.WaitOptions{FirstPoll: time.Millisecond})
	if len(results) != len(jobIDs) {
		t.Fatalf("reading jobs %v: %v", jobIDs, err)
	}
	seen := map[string]int{}
	for _, res := range results {
		for _, o := range res.Outcomes {
			for _, k := range keys(o) {
				seen[k]++
			}
		}
	}
	return seen
}

// snapshotDesktops snapshots the desktops out of band and waits for the
// jobs; failed sub-jobs are tolerated (the caller injects them on purpose).
func snapshotDesktops(t *testing.T, env *testAccEnv, ids []string, diskType, name string) []string {
	t.Helper()
	ctx := context.Background()
	info := &workspace.DiskSnapshotInfo{Name: name, Description: "data source test"}
	var jobIDs []string
	for _, sub := range env.Client.SubmitBatchCreate(ctx, workspace.BatchCreateDesktopSnapshotReq{
		DesktopIds: ids, DiskType: diskType, SystemDiskSnapshot: info, DataDiskSnapshot: info,
	}, workspace.SubmitHooks{}) {
		if sub.Err != nil {
			t.Fatalf("snapshotting desktops %v: %v", sub.IDs, sub.Err)
		}
		jobIDs = append(jobIDs, sub.JobID)
	}
	results, err := env.Client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{})
	if len(results) != len(jobIDs) {
		t.Fatalf("waiting for snapshot jobs %v: %v", jobIDs, err)
	}
	return jobIDs
}

// snapshotIDsByDisk lists the desktops' records named like name, keyed by
// desktop ID and disk ("system" or "data").
func snapshotIDsByDisk(t *testing.T, env *testAccEnv, ids []string, name string) map[string]string {
	t.Helper()
	recs, err := env.Client.ListAllDesktopSnapshots(context.Background(), workspace.ListDesktopSnapshotRequest{DesktopIds: ids})
	if err != nil {
		t.Fatalf("listing snapshots: %v", err)
	}
	out := map[string]string{}
	nameRe := regexp.MustCompile(regexp.QuoteMeta(name) + `\d{14}$`)
	for _, r := range recs {
		if nameRe.MatchString(r.SnapshotName) {
			out[r.DesktopId+"/"+diskLabel(isSystemDisk(r))] = r.SnapshotId
		}
	}
	return out
}

func diskLabel(system bool) string {
	if system {
		return "system"
	}
	return "data"
}

// steppedClock is the emulator's clock, moved forward between snapshot
// rounds so their create_time differ.
type steppedClock struct{ offset atomic.Int64 }

func (c *steppedClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *steppedClock) step(d time.Duration) { c.offset.Add(int64(d)) }

// exactStrings checks a list of strings, in order.
func exactStrings(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

// submitJob starts a batch-create job on the emulator directly and returns its ID.
func submitJob(t *testing.T, env *testAccEnv, ids []string) string {
	t.Helper()
	subs := env.Client.SubmitBatchCreate(context.Background(), workspace.BatchCreateDesktopSnapshotReq{DesktopIds: ids}, workspace.SubmitHooks{})
	if len(subs) != 1 || subs[0].JobID == "" {
		t.Fatalf("submitting a job: %+v", subs)
	}
	return subs[0].JobID
}

// countSnapshots lists the desktops' snapshot records through the API.
func countSnapshots(t *testing.T, env *testAccEnv, ids []string) int {
	t.Helper()
	recs, err := env.Client.ListAllDesktopSnapshots(context.Background(), workspace.ListDesktopSnapshotRequest{DesktopIds: ids})
	if err != nil {
		t.Fatalf("listing snapshots: %v", err)
	}
	return len(recs)
}

// checkSnapshotCount asserts how many records the desktops have, through the API.
func checkSnapshotCount(t *testing.T, env *testAccEnv, ids []string, want int, format string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := countSnapshots(t, env, ids); n != want {
			return fmt.Errorf(format, n)
		}
		return nil
	}
}

func checkSnapshotsGone(t *testing.T, env *testAccEnv, ids []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := countSnapshots(t, env, ids); n != 0 {
			return fmt.Errorf("%d snapshot records of the batch's desktops remain after destroy", n)
		}
		return nil
	}
}

// checkTainted asserts that a failed apply left the resource tainted.
func checkTainted(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in state", addr)
		}
		if !rs.Primary.Tainted {
			return fmt.Errorf("%s is in state but not tainted", addr)
		}
		return nil
	}
}

// createCalls counts the batch-create requests the emulator answered.
func createCalls(env *testAccEnv) int {
	return env.Emulator.Stats().RequestsByOperation["BatchCreateDesktopSnapshot"]
}

// snapshotted snapshots the desktops out of band and returns the records' IDs.
func snapshotted(t *testing.T, env *testAccEnv, desktopIDs []string, diskType string) []string {
	t.Helper()
	snapshotDesktops(t, env, desktopIDs, diskType, testAccName("before"))
	return snapshotIDsOf(t, env, desktopIDs)
}

// restoreCalls counts the batch-restore requests the emulator answered.
func restoreCalls(env *testAccEnv) int {
	return env.Emulator.Stats().RequestsByOperation["BatchRestoreDesktopSnapshot"]
}

// checkSnapshotsMatchService checks the batch's snapshot maps and list in
// state against every record the service holds for the desktops, each under
// its desktop and disk.
func checkSnapshotsMatchService(env *testAccEnv, ids []string) statecheck.StateCheck {
	return snapshotsMatchService{env: env, ids: ids}
}

type snapshotsMatchService struct {
	env *testAccEnv
	ids []string
}

func (c snapshotsMatchService) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	var attrs map[string]any
	if req.State != nil && req.State.Values != nil {
		for _, r := range req.State.Values.RootModule.Resources {
			if r.Address == batchAddr {
				attrs = r.AttributeValues
			}
		}
	}
	if attrs == nil {
		resp.Error = fmt.Errorf("%s is not in state", batchAddr)
		return
	}
	recs, err := c.env.Client.ListAllDesktopSnapshots(ctx, workspace.ListDesktopSnapshotRequest{DesktopIds: c.ids})
	if err != nil {
		resp.Error = err
		return
	}
	wantSystem, wantAll := map[string]any{}, map[string]string{}
	for _, r := range recs {
		wantAll[r.SnapshotId] = r.DesktopId
		if isSystemDisk(r) {
			wantSystem[r.DesktopId] = r.SnapshotId
		}
	}
	gotAll := map[string]string{}
	all, _ := attrs["snapshot_desktop_ids"].(map[string]any)
	for id, v := range all {
		gotAll[id], _ = v.(string)
	}
	switch {
	case !reflect.DeepEqual(attrs["system_disk_snapshot_ids"], wantSystem):
		resp.Error = fmt.Errorf("system_disk_snapshot_ids = %v, the service holds %v", attrs["system_disk_snapshot_ids"], wantSystem)
	case !maps.Equal(gotAll, wantAll):
		resp.Error = fmt.Errorf("snapshot_desktop_ids = %v, the service holds %v", gotAll, wantAll)
	}
}

// wireToken is the X-Auth-Token the emulators of some tests accept besides
// signatures, so a test can read an answer as the service sends it, as raw
// JSON, without our client and its models.
const wireToken = "wire-test-token"

// wireGet reads an API path (after /v2/{project_id}) from the emulator as raw JSON.
func wireGet(t *testing.T, env *testAccEnv, pathAndQuery string, into any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.Emulator.URL()+"/v2/"+env.Emulator.ProjectID()+pathAndQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", wireToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d", pathAndQuery, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %v", pathAndQuery, err)
	}
}
