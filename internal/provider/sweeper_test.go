package provider

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator/emulatortest"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// The sweeper deletes what an interrupted acceptance run against the real
// cloud left behind (`make sweep`, or go test -sweep=REGION; TestMain is in
// main_test.go): the manual snapshots whose given name starts with
// testAccNamePrefix, in the project the provider's environment variables
// name, and nothing else.

// testAccNamePrefix starts the name every acceptance test that may run
// against the real cloud gives the snapshots it makes, on every disk (a disk
// left unnamed gets no prefix and no sweep). The service names a snapshot
// desktop name + given name + timestamp.
const testAccNamePrefix = "tfacc-"

// testAccName is a snapshot name for an acceptance test.
func testAccName(name string) string { return testAccNamePrefix + name }

// sweepOptIn is the variable that lets the sweeper delete anywhere but on a
// local emulator: the same one that points the acceptance tests at the
// real cloud.
const sweepOptIn = "WORKSPACE_ACC_REAL"

const (
	sweepTimeout = 45 * time.Minute // under `make sweep`'s go test -timeout 60m
	sweepListMax = 20               // snapshots left alone named one by one in the log
)

func init() {
	resource.AddTestSweepers("workspace_desktop_snapshot", &resource.Sweeper{
		Name: "workspace_desktop_snapshot",
		F: func(region string) error {
			ctx, cancel := context.WithTimeout(context.Background(), sweepTimeout)
			defer cancel()
			_, err := sweepRegion(ctx, region, lookupEnv, log.Printf)
			return err
		},
	})
}

// sweepRegion builds a client from the environment as the provider does and
// sweeps its project.
func sweepRegion(ctx context.Context, region string, env func(string) string, logf func(string, ...any)) (sweepResult, error) {
	client, err := sweeperClient(region, env)
	if err != nil {
		return sweepResult{}, err
	}
	return sweepSnapshots(ctx, client, logf)
}

// sweeperClient resolves the provider's settings from the environment, with
// the region the sweep was asked for, and refuses any endpoint but a local
// emulator's unless WORKSPACE_ACC_REAL=1.
func sweeperClient(region string, env func(string) string) (*workspace.Client, error) {
	if fromEnv := env(settingRegion.env); region != "" && fromEnv != "" && fromEnv != region {
		return nil, fmt.Errorf("sweep: asked to sweep region %s, but HW_REGION_NAME is %s: sweep the region the acceptance run used", region, fromEnv)
	}
	var m providerModel
	if region != "" {
		m.Region = types.StringValue(region)
	}
	settings, diags := resolveSettings(m, env)
	if diags.HasError() {
		var msgs []string
		for _, d := range diags.Errors() {
			msgs = append(msgs, d.Summary()+": "+d.Detail())
		}
		return nil, fmt.Errorf("sweep: %s", strings.Join(msgs, "; "))
	}
	if endpoint := settings.cfg.Endpoint; !isLoopbackEndpoint(endpoint) && env(sweepOptIn) != "1" {
		where := endpoint
		if where == "" {
			where = "the Workspace endpoint of region " + settings.cfg.Region + " (HW_WORKSPACE_ENDPOINT is not set)"
		}
		return nil, fmt.Errorf("sweep: refusing to delete snapshots through %s: that is the real cloud, not a local emulator. "+
			"Set %s=1, as for the acceptance run, to delete the snapshots named with %q there", where, sweepOptIn, testAccNamePrefix)
	}
	return settings.newClient("sweeper")
}

// isLoopbackEndpoint: an emulator on this machine (localhost, 127.0.0.0/8,
// ::1). Anything else may be the real cloud, or a proxy to it.
func isLoopbackEndpoint(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sweepable reports whether a record is one the acceptance tests made: a
// manual snapshot whose given name starts with testAccNamePrefix. How the
// service composes the name (desktop name + given name + timestamp) is
// documented only by example (reference §6 item 7), so the desktop's name is
// cut off the front and separators after it are skipped. A desktop named
// "tfacc-…" does not make its other snapshots sweepable; a snapshot whose name
// does not start with its desktop's current name (renamed since, or no name
// listed) is never swept: a leftover is better than a user's deleted snapshot.
func sweepable(r workspace.DesktopSnapshotDetailInfo) bool {
	if r.CreateType != workspace.CreateTypeManually || r.DesktopName == "" {
		return false
	}
	given, ok := strings.CutPrefix(r.SnapshotName, r.DesktopName)
	return ok && strings.HasPrefix(strings.TrimLeft(given, "-_. "), testAccNamePrefix)
}

// sweepResult is what a sweep did, each list sorted by snapshot ID.
type sweepResult struct {
	ProjectID string
	Deleted   []workspace.DesktopSnapshotDetailInfo // named with the prefix, gone now
	Failed    []workspace.DesktopSnapshotDetailInfo // named with the prefix, still listed
	Left      []workspace.DesktopSnapshotDetailInfo // not the tests': never touched
}

// sweepSnapshots deletes the project's sweepable snapshots in batch-delete
// jobs, waits for them, then lists again: what is still listed was not
// deleted, whatever the jobs said.
func sweepSnapshots(ctx context.Context, c *workspace.Client, logf func(string, ...any)) (sweepResult, error) {
	var res sweepResult
	project, err := c.ResolveProjectID(ctx)
	if err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	res.ProjectID = project
	recs, err := c.ListAllDesktopSnapshots(ctx, workspace.ListDesktopSnapshotRequest{CreateType: workspace.CreateTypeManually})
	if err != nil {
		return res, fmt.Errorf("sweep: listing the manual snapshots of project %s: %w", project, err)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].SnapshotId < recs[j].SnapshotId })
	var doomed []workspace.DesktopSnapshotDetailInfo
	desktopOf := map[string]string{}
	for _, r := range recs {
		if sweepable(r) {
			doomed = append(doomed, r)
			desktopOf[r.SnapshotId] = r.DesktopId
		} else {
			res.Left = append(res.Left, r)
		}
	}
	logf("[INFO] sweep: project %s: %d manual snapshots, %d named with %q to delete, %d left alone",
		project, len(recs), len(doomed), testAccNamePrefix, len(res.Left))
	for i, r := range res.Left {
		if i == sweepListMax {
			logf("[INFO] sweep: left alone: %d more", len(res.Left)-sweepListMax)
			break
		}
		logf("[INFO] sweep: left alone: %s", describeRecord(r))
	}
	if len(doomed) == 0 {
		return res, nil
	}

	var errs []error
	var jobIDs []string
	for _, sub := range c.SubmitBatchDeleteOf(ctx, desktopOf, workspace.SubmitHooks{}) {
		if sub.Err != nil {
			errs = append(errs, sub.Err)
		}
		if sub.JobID != "" {
			jobIDs = append(jobIDs, sub.JobID)
		}
	}
	if len(jobIDs) > 0 {
		logf("[INFO] sweep: waiting for batch-delete job(s) %s", strings.Join(jobIDs, ", "))
		if _, err := c.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{}); err != nil {
			errs = append(errs, err)
		}
	}

	desktops := make([]string, 0, len(doomed))
	for _, r := range doomed {
		desktops = append(desktops, r.DesktopId)
	}
	still, err := c.ListAllDesktopSnapshots(ctx, workspace.ListDesktopSnapshotRequest{DesktopIds: desktops, CreateType: workspace.CreateTypeManually})
	if err != nil {
		errs = append(errs, fmt.Errorf("listing what is left: %w", err))
		return res, fmt.Errorf("sweep: project %s: %w", project, errors.Join(errs...))
	}
	listed := make(map[string]bool, len(still))
	for _, r := range still {
		listed[r.SnapshotId] = true
	}
	for _, r := range doomed {
		if listed[r.SnapshotId] {
			res.Failed = append(res.Failed, r)
			logf("[WARN] sweep: not deleted: %s", describeRecord(r))
		} else {
			res.Deleted = append(res.Deleted, r)
			logf("[INFO] sweep: deleted: %s", describeRecord(r))
		}
	}
	logf("[INFO] sweep: project %s: %d deleted, %d not deleted, %d left alone", project, len(res.Deleted), len(res.Failed), len(res.Left))
	if len(res.Failed) > 0 {
		ids := make([]string, len(res.Failed))
		for i, r := range res.Failed {
			ids[i] = r.SnapshotId
		}
		errs = append(errs, fmt.Errorf("%d snapshot(s) named with %q are still there: %s", len(ids), testAccNamePrefix, strings.Join(ids, ", ")))
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("sweep: project %s: %w", project, errors.Join(errs...))
	}
	return res, nil
}

func describeRecord(r workspace.DesktopSnapshotDetailInfo) string {
	return fmt.Sprintf("snapshot %s %q of desktop %s (%s), %s", r.SnapshotId, r.SnapshotName, r.DesktopId, r.DesktopName, r.Status)
}

// The sweeper against a seeded emulator: exactly the snapshots named with
// the prefix go, in the configured project only; a second sweep finds
// nothing to do.
func TestSweeper_deletesOnlyTheTestsSnapshots(t *testing.T) {
	t.Parallel()
	srv := emulatortest.Start(t, emulator.Config{Desktops: 3, JobDuration: 200 * time.Millisecond, Seed: 1})
	env := map[string]string{
		"HW_REGION_NAME": emulator.DefaultRegion, "HW_PROJECT_ID": srv.ProjectID(),
		"HW_ACCESS_KEY": emulator.DefaultAccessKey, "HW_SECRET_KEY": emulator.DefaultSecretKey,
		"HW_WORKSPACE_ENDPOINT": srv.URL(), "HW_IAM_ENDPOINT": srv.URL(),
	}
	getenv := func(name string) string { return env[name] }
	client, err := sweeperClient(emulator.DefaultRegion, getenv)
	if err != nil {
		t.Fatal(err)
	}
	ids := srv.DesktopIDs()
	seed := func(desktops []string, diskType string, system, data *workspace.DiskSnapshotInfo) {
		t.Helper()
		subs := client.SubmitBatchCreate(t.Context(), workspace.BatchCreateDesktopSnapshotReq{
			DesktopIds: desktops, DiskType: diskType, SystemDiskSnapshot: system, DataDiskSnapshot: data,
		}, workspace.SubmitHooks{})
		if len(subs) != 1 || subs[0].Err != nil {
			t.Fatalf("seeding snapshots: %+v", subs)
		}
		if _, err := client.WaitForJob(t.Context(), subs[0].JobID, workspace.WaitOptions{FirstPoll: 10 * time.Millisecond}); err != nil {
			t.Fatalf("seeding snapshots: %v", err)
		}
	}
	tests := &workspace.DiskSnapshotInfo{Name: testAccName("acc")}
	seed(ids, workspace.DiskTypeAll, tests, tests)                                                                  // 6 of the tests'
	seed(ids[:2], workspace.DiskTypeAll, &workspace.DiskSnapshotInfo{Name: "nightly"}, nil)                         // 4 not: one named, one unnamed disk each
	seed(ids[2:], workspace.DiskTypeSystem, &workspace.DiskSnapshotInfo{Name: "tfacc_nightly"}, nil)                // 1 not: a near miss
	seed(ids[:1], workspace.DiskTypeSystem, &workspace.DiskSnapshotInfo{Name: "nightly-" + testAccNamePrefix}, nil) // 1 not: prefix inside the name
	all, err := client.ListAllDesktopSnapshots(t.Context(), workspace.ListDesktopSnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var wantDeleted, wantLeft []string
	for _, r := range all {
		if strings.Contains(r.SnapshotName, testAccName("acc")) {
			wantDeleted = append(wantDeleted, r.SnapshotId)
		} else {
			wantLeft = append(wantLeft, r.SnapshotId)
		}
	}
	if len(wantDeleted) != 6 || len(wantLeft) != 6 {
		t.Fatalf("seeded %d snapshots of the tests and %d others, want 6 and 6", len(wantDeleted), len(wantLeft))
	}

	// Another project than the emulator's: refused by the service, nothing deleted.
	other := maps.Clone(env)
	other["HW_PROJECT_ID"] = "ffffffffffffffffffffffffffffffff"
	if _, err := sweepRegion(t.Context(), emulator.DefaultRegion, func(name string) string { return other[name] }, t.Logf); err == nil ||
		!strings.Contains(err.Error(), "project "+other["HW_PROJECT_ID"]) {
		t.Errorf("a sweep of a project the emulator does not serve: error %v, want one naming the project", err)
	}
	if n := len(listedIDs(t, client)); n != 12 {
		t.Fatalf("after the sweep of another project, %d snapshots remain, want all 12", n)
	}

	var logged []string
	logf := func(format string, args ...any) {
		logged = append(logged, fmt.Sprintf(format, args...))
		t.Logf(format, args...)
	}
	res, err := sweepRegion(t.Context(), emulator.DefaultRegion, getenv, logf)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if res.ProjectID != srv.ProjectID() {
		t.Errorf("swept project %s, want the configured %s", res.ProjectID, srv.ProjectID())
	}
	if got := recordIDs(res.Deleted); !slices.Equal(got, framework.SortedStrings(wantDeleted)) {
		t.Errorf("deleted %v, want the tests' %v", got, framework.SortedStrings(wantDeleted))
	}
	if got := recordIDs(res.Left); !slices.Equal(got, framework.SortedStrings(wantLeft)) {
		t.Errorf("left alone %v, want %v", got, framework.SortedStrings(wantLeft))
	}
	if len(res.Failed) != 0 {
		t.Errorf("not deleted: %v", recordIDs(res.Failed))
	}
	if got := listedIDs(t, client); !slices.Equal(got, framework.SortedStrings(wantLeft)) {
		t.Errorf("the service lists %v after the sweep, want exactly the others %v", got, framework.SortedStrings(wantLeft))
	}
	for _, want := range []struct {
		verb string
		ids  []string
	}{{"deleted: snapshot ", wantDeleted}, {"left alone: snapshot ", wantLeft}} {
		for _, id := range want.ids {
			if !slices.ContainsFunc(logged, func(line string) bool { return strings.Contains(line, want.verb+id) }) {
				t.Errorf("no log line says %q of %s", want.verb, id)
			}
		}
	}
	deletes := srv.Stats().RequestsByOperation["BatchDeleteDesktopSnapshot"]

	// Nothing of the tests' is left: a second sweep deletes nothing.
	res, err = sweepRegion(t.Context(), emulator.DefaultRegion, getenv, t.Logf)
	if err != nil || len(res.Deleted)+len(res.Failed) != 0 || len(res.Left) != 6 {
		t.Errorf("second sweep: deleted %v, failed %v, left %d, error %v; want nothing to do", recordIDs(res.Deleted), recordIDs(res.Failed), len(res.Left), err)
	}
	if n := srv.Stats().RequestsByOperation["BatchDeleteDesktopSnapshot"]; n != deletes {
		t.Errorf("the second sweep sent %d batch-delete requests", n-deletes)
	}
}

func listedIDs(t *testing.T, client *workspace.Client) []string {
	t.Helper()
	recs, err := client.ListAllDesktopSnapshots(t.Context(), workspace.ListDesktopSnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return framework.SortedStrings(recordIDs(recs))
}

func recordIDs(recs []workspace.DesktopSnapshotDetailInfo) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.SnapshotId
	}
	return ids
}

// The sweeper refuses, before any request, an endpoint that is not a local
// emulator unless WORKSPACE_ACC_REAL=1, and a region other than the run's.
func TestSweeper_refusesTheRealCloudWithoutOptIn(t *testing.T) {
	t.Parallel()
	base := map[string]string{"HW_REGION_NAME": "cn-north-4", "HW_ACCESS_KEY": "AK", "HW_SECRET_KEY": "SK", "HW_PROJECT_ID": "p"}
	cases := map[string]struct {
		region string
		env    map[string]string
		want   string // error pattern; "" = a client
	}{
		"default endpoint": {"cn-north-4", nil,
			`refusing to delete snapshots through the Workspace endpoint of region cn-north-4 \(HW_WORKSPACE_ENDPOINT is not set\): that is the real cloud.*Set WORKSPACE_ACC_REAL=1`},
		"real endpoint":             {"cn-north-4", map[string]string{"HW_WORKSPACE_ENDPOINT": "https://workspace.cn-north-4.myhuaweicloud.com"}, `refusing .* through https://workspace\.cn-north-4\.myhuaweicloud\.com`},
		"remote emulator or proxy":  {"cn-north-4", map[string]string{"HW_WORKSPACE_ENDPOINT": "http://10.1.2.3:8080"}, `refusing .* through http://10\.1\.2\.3:8080`},
		"opt-in not 1":              {"cn-north-4", map[string]string{"WORKSPACE_ACC_REAL": "true"}, `refusing`},
		"another region":            {"cn-east-3", map[string]string{"WORKSPACE_ACC_REAL": "1"}, `asked to sweep region cn-east-3, but HW_REGION_NAME is cn-north-4`},
		"no credentials":            {"cn-north-4", map[string]string{"HW_ACCESS_KEY": "", "HW_SECRET_KEY": "", "WORKSPACE_ACC_REAL": "1"}, `Missing credentials`},
		"real cloud, opted in":      {"cn-north-4", map[string]string{"WORKSPACE_ACC_REAL": "1"}, ""},
		"region from the flag only": {"cn-north-4", map[string]string{"HW_REGION_NAME": "", "WORKSPACE_ACC_REAL": "1"}, ""},
		"local emulator":            {"cn-north-4", map[string]string{"HW_WORKSPACE_ENDPOINT": "http://127.0.0.1:8080"}, ""},
		"local emulator by name":    {"cn-north-4", map[string]string{"HW_WORKSPACE_ENDPOINT": "http://localhost:8080"}, ""},
		"local emulator on IPv6":    {"cn-north-4", map[string]string{"HW_WORKSPACE_ENDPOINT": "http://[::1]:8080"}, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			env := maps.Clone(base)
			maps.Copy(env, c.env)
			getenv := func(name string) string { return env[name] }
			client, err := sweeperClient(c.region, getenv)
			if c.want == "" {
				if err != nil || client == nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !regexp.MustCompile(c.want).MatchString(err.Error()) {
				t.Fatalf("error %v, want one matching %q", err, c.want)
			}
			// The sweeper itself stops there too.
			if _, err := sweepRegion(t.Context(), c.region, getenv, t.Logf); err == nil {
				t.Fatal("the sweep ran")
			}
		})
	}
}

func TestSweepable_onlyManualSnapshotsGivenTheTestsName(t *testing.T) {
	t.Parallel()
	rec := func(desktop, name, createType string) workspace.DesktopSnapshotDetailInfo {
		return workspace.DesktopSnapshotDetailInfo{DesktopName: desktop, SnapshotName: name, CreateType: createType}
	}
	manual, auto := workspace.CreateTypeManually, workspace.CreateTypeAuto
	cases := []struct {
		rec  workspace.DesktopSnapshotDetailInfo
		want bool
	}{
		{rec("wks-01", "wks-01tfacc-acc20260101120000", manual), true},
		{rec("wks-01", "wks-01nightly20260101120000", manual), false},
		{rec("wks-01", "wks-0120260101120000", manual), false},               // no name given
		{rec("wks-01", "wks-01tfacc_acc20260101120000", manual), false},      // a near miss
		{rec("wks-01", "wks-01nightly-tfacc-20260101120000", manual), false}, // given, but not first
		{rec("wks-01", "wks-01tfacc-acc20260101120000", auto), false},        // a policy's, never the tests'
		{rec("wks-01", "wks-01tfacc-acc20260101120000", ""), false},
		// A desktop named like the tests' snapshots: only its tests' snapshots.
		{rec("tfacc-box", "tfacc-boxnightly20260101120000", manual), false},
		{rec("tfacc-box", "tfacc-boxtfacc-acc20260101120000", manual), true},
		// A separator the service might put after the desktop's name.
		{rec("wks-01", "wks-01_tfacc-acc20260101120000", manual), true},
		{rec("wks-01", "wks-01-tfacc-acc-20260101120000", manual), true},
		// Renamed since, or no desktop name: never swept, a user's snapshot
		// with the prefix inside its name least of all.
		{rec("wks-02", "wks-01tfacc-acc20260101120000", manual), false},
		{rec("wks-02", "wks-01nightly-tfacc-20260101120000", manual), false},
		{rec("", "wks-01tfacc-acc20260101120000", manual), false},
	}
	for _, c := range cases {
		if got := sweepable(c.rec); got != c.want {
			t.Errorf("desktop %q, snapshot %q, %q: sweepable %v, want %v", c.rec.DesktopName, c.rec.SnapshotName, c.rec.CreateType, got, c.want)
		}
	}
}
