package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// The list resource at the protocol level (Terraform 1.14 sends ListResource
// for terraform query; the machines' CLI is 1.11.4), and through the 1.14+
// CLI: query, -generate-config-out, then plan and apply what it wrote.

// listed is one result a ListResource streamed.
type listed struct {
	JobIDs      []string
	DisplayName string
	Resource    *tfprotov6.DynamicValue
	Diagnostics []*tfprotov6.Diagnostic
}

// list sends ListResource with the given list block arguments.
func (h *actionHarness) list(attrs map[string]tftypes.Value, includeResource bool, limit int64) []listed {
	h.t.Helper()
	ctx := context.Background()
	server, ok := h.server.(tfprotov6.ProviderServerWithListResource) //nolint:staticcheck // plugin-go v0.31 serves list resources only through it
	if !ok {
		h.t.Fatal("the provider server does not serve list resources")
	}
	schemaResp, err := h.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		h.t.Fatal(err)
	}
	stream, err := server.ListResource(ctx, &tfprotov6.ListResourceRequest{
		TypeName: batchType, Config: dynamicValue(h.t, schemaResp.ListResourceSchemas[batchType], attrs),
		IncludeResource: includeResource, Limit: limit,
	})
	if err != nil {
		h.t.Fatalf("ListResource: %v", err)
	}
	var out []listed
	for r := range stream.Results {
		l := listed{DisplayName: r.DisplayName, Resource: r.Resource, Diagnostics: r.Diagnostics}
		if r.Identity != nil {
			l.JobIDs = h.decodeIdentity(batchType, r.Identity).JobIDs
		}
		out = append(out, l)
	}
	return out
}

// validateList sends ValidateListResourceConfig.
func (h *actionHarness) validateList(attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	h.t.Helper()
	ctx := context.Background()
	server, ok := h.server.(tfprotov6.ProviderServerWithListResource) //nolint:staticcheck // as above
	if !ok {
		h.t.Fatal("the provider server does not serve list resources")
	}
	schemaResp, err := h.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := server.ValidateListResourceConfig(ctx, &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: batchType, Config: dynamicValue(h.t, schemaResp.ListResourceSchemas[batchType], attrs),
	})
	if err != nil {
		h.t.Fatalf("ValidateListResourceConfig: %v", err)
	}
	return resp.Diagnostics
}

// jobsOf lists the results' job IDs, one per result, and fails on errors.
func jobsOf(t *testing.T, results []listed) []string {
	t.Helper()
	var jobs []string
	for _, r := range results {
		if hasErrors(r.Diagnostics) {
			t.Fatalf("a list result has errors:\n%s", diagText(r.Diagnostics))
		}
		if len(r.JobIDs) == 1 {
			jobs = append(jobs, r.JobIDs[0])
		}
	}
	return jobs
}

// warningsOf joins the warnings the results carry.
func warningsOf(results []listed) string {
	var b strings.Builder
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityWarning {
				b.WriteString(d.Summary + ": " + d.Detail + "\n")
			}
		}
	}
	return b.String()
}

// Jobs are listed newest first, each with its own identity, and the list
// block's arguments narrow them; begin times are widened by the zones a job
// time may be in (12 hours one way, 14 the other).
func TestListBatches_newestFirstAndFiltered(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env := newTestAccEnv(t, emulator.Config{Desktops: 6, Seed: 1, Now: clock.now, MaxClockSkew: 48 * time.Hour})
	env.SkipIfReal(t, "moves the emulator's clock")
	ids := env.DesktopIDs
	var jobs []string
	var begins []time.Time
	for i, diskType := range []string{workspace.DiskTypeAll, workspace.DiskTypeAll, workspace.DiskTypeSystem} {
		begins = append(begins, clock.now().UTC().Truncate(time.Second))
		jobs = append(jobs, snapshotDesktops(t, env, ids[2*i:2*i+2], diskType, testAccName("list"))[0])
		clock.step(time.Hour)
	}
	a, b, c := jobs[0], jobs[1], jobs[2]
	h := newActionHarness(t, env, 0)
	rfc := func(t time.Time) tftypes.Value { return tfString(t.Format(time.RFC3339)) }
	for name, tc := range map[string]struct {
		attrs map[string]tftypes.Value
		limit int64
		want  []string
	}{
		"all":                          {nil, 100, []string{c, b, a}},
		"limit":                        {nil, 2, []string{c, b}},
		"desktop_ids":                  {map[string]tftypes.Value{"desktop_ids": tfStringList(ids[3], "0a1b2c3d")}, 100, []string{b}},
		"no desktop_ids":               {map[string]tftypes.Value{"desktop_ids": tfStringList()}, 100, nil},
		"desktop_name":                 {map[string]tftypes.Value{"desktop_name": tfString("DESKTOP-0001")}, 100, []string{a}},
		"after, at the zone's edge":    {map[string]tftypes.Value{"began_after": rfc(begins[2].Add(12 * time.Hour))}, 100, []string{c}},
		"after, past the zone's edge":  {map[string]tftypes.Value{"began_after": rfc(begins[2].Add(12*time.Hour + time.Second))}, 100, nil},
		"before, at the zone's edge":   {map[string]tftypes.Value{"began_before": rfc(begins[0].Add(-14 * time.Hour))}, 100, []string{a}},
		"before, past the zone's edge": {map[string]tftypes.Value{"began_before": rfc(begins[0].Add(-14*time.Hour - time.Second))}, 100, nil},
		"range": {map[string]tftypes.Value{
			"began_after": rfc(begins[0].Add(12*time.Hour + time.Second)), "began_before": rfc(begins[2].Add(time.Hour)),
		}, 100, []string{c, b}},
	} {
		if got := jobsOf(t, h.list(tc.attrs, false, tc.limit)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: listed %v, want %v", name, got, tc.want)
		}
	}
	got := h.list(nil, false, 100)
	want := fmt.Sprintf("%s: 2 desktops (wks-desktop-0005, wks-desktop-0006), SUCCESS", begins[2].Format("2006-01-02 15:04:05"))
	if got[0].DisplayName != want || got[0].Resource != nil {
		t.Errorf("display name %q, want %q; a resource without include_resource: %v", got[0].DisplayName, want, got[0].Resource != nil)
	}
}

// Whatever zone the service writes job times in, a job that began in the
// range is listed; the range is widened by 12 hours plus the zone's offset
// from UTC before began_after, and by 14 hours less it after began_before
// (at most 26 hours either way), as the documentation says.
func TestListBatches_timeFilterInTheServicesZone(t *testing.T) {
	parallelUnlessReal(t)
	for _, zone := range []time.Duration{8 * time.Hour, -5*time.Hour - 30*time.Minute} {
		t.Run(zone.String(), func(t *testing.T) {
			parallelUnlessReal(t)
			env := newTestAccEnv(t, emulator.Config{Desktops: 2, Seed: 1, Dialect: emulator.Dialect{JobTimeOffset: zone}})
			env.SkipIfReal(t, "sets the zone of the emulator's job times")
			job := snapshotDesktops(t, env, env.DesktopIDs, workspace.DiskTypeSystem, testAccName("list"))[0]
			listing, err := env.Client.ListSubJobsByJob(context.Background(), workspace.JobTypeCreateSnapshot)
			if err != nil || len(listing.Jobs) != 1 || listing.Jobs[0].Begin.IsZero() {
				t.Fatalf("listing the job: %+v, %v", listing, err)
			}
			began := listing.Jobs[0].Begin.Add(-zone) // the instant, in UTC
			h := newActionHarness(t, env, 0)
			rfc := func(t time.Time) tftypes.Value { return tfString(t.Format(time.RFC3339)) }
			for name, tc := range map[string]struct {
				attrs map[string]tftypes.Value
				want  []string
			}{
				"the instant it began":    {map[string]tftypes.Value{"began_after": rfc(began), "began_before": rfc(began)}, []string{job}},
				"in the service's zone":   {map[string]tftypes.Value{"began_after": tfString(began.In(time.FixedZone("", int(zone.Seconds()))).Format(time.RFC3339)), "began_before": rfc(began.Add(time.Second))}, []string{job}},
				"after, at the widening":  {map[string]tftypes.Value{"began_after": rfc(began.Add(12*time.Hour + zone))}, []string{job}},
				"after, past it":          {map[string]tftypes.Value{"began_after": rfc(began.Add(12*time.Hour + zone + time.Second))}, nil},
				"before, at the widening": {map[string]tftypes.Value{"began_before": rfc(began.Add(-14*time.Hour + zone))}, []string{job}},
				"before, past it":         {map[string]tftypes.Value{"began_before": rfc(began.Add(-14*time.Hour + zone - time.Second))}, nil},
				"a range that misses it":  {map[string]tftypes.Value{"began_after": rfc(began.Add(27 * time.Hour)), "began_before": rfc(began.Add(28 * time.Hour))}, nil},
			} {
				if got := jobsOf(t, h.list(tc.attrs, false, 100)); !slices.Equal(got, tc.want) {
					t.Errorf("%s: listed %v, want %v", name, got, tc.want)
				}
			}
		})
	}
}

func TestListBatches_invalidConfig(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 1})
	h := newActionHarness(t, env, 0)
	expectDiagnostic(t, h.validateList(map[string]tftypes.Value{"began_after": tfString("2026-11-01 00:00:00")}),
		"began_after", `Invalid time: Attribute began_after must be an RFC 3339 time`)
	expectDiagnostic(t, h.validateList(map[string]tftypes.Value{
		"began_after": tfString("2026-11-02T00:00:00Z"), "began_before": tfString("2026-11-01T00:00:00Z"),
	}), "began_before", `Empty time range: began_before \(2026-11-01T00:00:00Z\) is earlier than began_after`)
	expectDiagnostic(t, h.validateList(map[string]tftypes.Value{"desktop_ids": tfStringList("not a desktop")}),
		"desktop_ids", `must be a desktop ID`)
}

// With include_resource, each result is the batch its import gives.
func TestListBatches_includeResourceIsTheImport(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 4, JobDuration: 200 * time.Millisecond, Seed: 1})
	env.StateJobTimeZone(t)
	env.SkipIfReal(t, "expects the project to hold this test's batches only")
	ids := env.DesktopIDs
	snapshotDesktops(t, env, ids[:2], workspace.DiskTypeAll, testAccName("list"))
	snapshotDesktops(t, env, ids[2:], workspace.DiskTypeSystem, testAccName("list"))
	h := newActionHarness(t, env, 0)
	results := h.list(nil, true, 100)
	if len(jobsOf(t, results)) != 2 {
		t.Fatalf("%d results, want 2:\n%s", len(results), warningsOf(results))
	}
	for _, r := range results {
		if r.Resource == nil {
			t.Fatalf("job %v: no resource with include_resource", r.JobIDs)
		}
		imported := h.imported(h.importResource(batchType, r.JobIDs[0], nil))
		if !h.stateValue(batchType, r.Resource).Equal(h.stateValue(batchType, imported.State)) {
			t.Errorf("job %v: the listed batch is not the one its import gives", r.JobIDs)
		}
	}
}

// With include_resource and the zone of job times neither stated nor
// learned (a terraform query starts no job), no import can be proven, so
// no job is listed; one warning says what to set and names the jobs,
// rather than one refusal per job. Without include_resource they are
// listed as ever, and with the zone stated they are imported.
func TestListBatches_includeResourceWithoutZoneSaysWhatToSet(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 200 * time.Millisecond, Seed: 1})
	env.SkipIfReal(t, "expects the project to hold this test's batches only, and the zone unstated")
	jobs := snapshotEachDesktop(t, env, testAccName("zone"))
	h := newActionHarness(t, env, 0)
	if got := jobsOf(t, h.list(nil, false, 100)); len(got) != len(jobs) {
		t.Fatalf("without include_resource: listed %v, want every job %v", got, jobs)
	}
	results := h.list(nil, true, 100)
	if got := jobsOf(t, results); len(got) != 0 {
		t.Fatalf("with include_resource and no zone: listed %v, want none", got)
	}
	warnings := warningsOf(results)
	if want := "Set job_time_zone to list batches with include_resource: "; !strings.HasPrefix(warnings, want) {
		t.Errorf("the warning does not start %q:\n%s", want, warnings)
	}
	if got := strings.Count(warnings, "HW_JOB_TIME_ZONE"); got != 1 {
		t.Errorf("the setting is named %d times, want once:\n%s", got, warnings)
	}
	if strings.Contains(warnings, "Batches left out") {
		t.Errorf("the jobs are also reported one by one:\n%s", warnings)
	}
	for _, job := range jobs {
		if !strings.Contains(warnings, job) {
			t.Errorf("the warning does not name job %s:\n%s", job, warnings)
		}
	}

	env.StateJobTimeZone(t)
	h = newActionHarness(t, env, 0)
	if got := jobsOf(t, h.list(nil, true, 100)); len(got) != len(jobs) {
		t.Errorf("with the zone stated: listed %v, want every job %v", got, jobs)
	}
}

// snapshotEachDesktop snapshots each of env's desktops' system disk in a
// job of its own, out of band, and returns the jobs.
func snapshotEachDesktop(t *testing.T, env *testAccEnv, name string) []string {
	t.Helper()
	var jobs []string
	for _, id := range env.DesktopIDs {
		jobs = append(jobs, snapshotDesktops(t, env, []string{id}, workspace.DiskTypeSystem, name)...)
	}
	return jobs
}

// An import of jobs with the zone of job times unknown is refused in one
// error whose summary and first line say what to set, naming every job once;
// with the zone stated the same import succeeds.
func TestImportBatch_withoutZoneSaysWhatToSet(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 200 * time.Millisecond, Seed: 1})
	env.SkipIfReal(t, "needs the zone unstated")
	jobs := snapshotEachDesktop(t, env, testAccName("zone"))
	importID := strings.Join(jobs, ",")
	resp := newActionHarness(t, env, 0).importResource(batchType, importID, nil)
	errs := errorsOf(resp.Diagnostics)
	if len(errs) != 1 {
		t.Fatalf("%d errors, want one for both jobs:\n%s", len(errs), diagText(resp.Diagnostics))
	}
	if want := "Unable to import desktop snapshots: set job_time_zone"; errs[0].Summary != want {
		t.Errorf("summary %q, want %q", errs[0].Summary, want)
	}
	if first, _, _ := strings.Cut(errs[0].Detail, "\n"); !strings.HasPrefix(first, "Set the provider's job_time_zone (or HW_JOB_TIME_ZONE)") {
		t.Errorf("the first line does not say what to set: %q", first)
	}
	for _, job := range jobs {
		if strings.Count(errs[0].Detail, job) != 1 {
			t.Errorf("the error does not name job %s once:\n%s", job, errs[0].Detail)
		}
	}

	env.StateJobTimeZone(t)
	h := newActionHarness(t, env, 0)
	h.imported(h.importResource(batchType, importID, nil))
}

// With include_resource, a job is left out when its import would not give
// a batch of its own, and a warning says why. A job whose own snapshots
// were deleted is left out for that, even when a job over the same desktop
// and name made snapshots a minute, seven minutes or a day away: those are
// never its (they lie outside its sub-job's time), so it takes none.
func TestListBatches_leavesOutJobsWithoutABatchOfTheirOwn(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env := newTestAccEnv(t, emulator.Config{Desktops: 4, Seed: 1, Now: clock.now, MaxClockSkew: 48 * time.Hour})
	env.StateJobTimeZone(t)
	env.SkipIfReal(t, "moves the emulator's clock")
	ids := env.DesktopIDs
	snap := func(desktops []string) string {
		return snapshotDesktops(t, env, desktops, workspace.DiskTypeSystem, testAccName("list"))[0]
	}
	// A minute between jobs, so the list's order (newest first) is known.
	// gone (T): its only snapshot deleted; nothing else on its desktop.
	gone := snap(ids[:1])
	deleteOutOfBand(t, env, snapshotIDsOf(t, env, ids[:1]))
	clock.step(time.Minute)
	// older (T+1m) and newer (a day later) over one desktop, the older's
	// snapshot deleted.
	older := snap(ids[1:2])
	deleteOutOfBand(t, env, snapshotIDsOf(t, env, ids[1:2]))
	clock.step(time.Minute)
	// kept (T+2m) and taker (T+9m) over one desktop, the taker's snapshot
	// deleted.
	kept := snap(ids[2:3])
	clock.step(7 * time.Minute)
	recs := snapshotIDsOf(t, env, ids[2:3])
	taker := snap(ids[2:3])
	deleteOutOfBand(t, env, withoutIDs(snapshotIDsOf(t, env, ids[2:3]), recs))
	clock.step(24*time.Hour - 8*time.Minute)
	newer := snap(ids[1:2])
	clock.step(time.Minute)
	plain := snap(ids[3:])

	h := newActionHarness(t, env, 0)
	if got, want := jobsOf(t, h.list(nil, false, 100)), []string{plain, newer, taker, kept, older, gone}; !slices.Equal(got, want) {
		t.Fatalf("without include_resource: listed %v, want every job %v", got, want)
	}
	results := h.list(nil, true, 100)
	if got, want := jobsOf(t, results), []string{plain, newer, kept}; !slices.Equal(got, want) {
		t.Errorf("with include_resource: listed %v, want %v", got, want)
	}
	warnings := warningsOf(results)
	for _, job := range []string{gone, older, taker} {
		if want := job + ": none of the snapshots it made exists any more"; !strings.Contains(warnings, want) {
			t.Errorf("warnings do not say %q:\n%s", want, warnings)
		}
	}
	// The limit counts listed batches, not the jobs left out.
	if got, want := jobsOf(t, h.list(nil, true, 2)), []string{plain, newer}; !slices.Equal(got, want) {
		t.Errorf("limit 2: listed %v, want %v", got, want)
	}
	onKeptsDesktop := map[string]tftypes.Value{"desktop_ids": tfStringList(ids[2])}
	results = h.list(onKeptsDesktop, true, 1)
	if got, want := jobsOf(t, results), []string{kept}; !slices.Equal(got, want) {
		t.Errorf("limit 1, jobs on kept's desktop: listed %v, want %v", got, want)
	}
	if want := taker + ": none of the snapshots it made exists any more"; !strings.Contains(warningsOf(results), want) {
		t.Errorf("limit 1: warnings do not say %q:\n%s", want, warningsOf(results))
	}
}

// With include_resource, a listed job the service no longer knows (ShowJob
// refuses it and the sub-job list holds nothing for it, as when it is
// deleted after the list was read) is left out with a warning naming it;
// the other jobs are listed. A refusal for a job whose sub-jobs are still
// listed is an error, as a refresh says.
func TestListBatches_leavesOutJobsTheServiceNoLongerKnows(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, Seed: 1})
	env.StateJobTimeZone(t)
	env.SkipIfReal(t, "hides a job through a proxy")
	kept := snapshotDesktops(t, env, env.DesktopIDs[:1], workspace.DiskTypeSystem, testAccName("list"))[0]
	gone := snapshotDesktops(t, env, env.DesktopIDs[1:], workspace.DiskTypeSystem, testAccName("list"))[0]
	proxy := newHostileProxy(t, env.Emulator.URL())
	h := newActionHarnessAt(t, env, proxy.URL(), 0)
	for _, listedGone := range []bool{true, false} {
		proxy.set(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
			if listedGone && r.URL.Query().Get("job_id") == gone && answerNoSubJobsOfAJob(w, r) {
				return true
			}
			if m := showJobPath.FindStringSubmatch(r.URL.Path); m != nil && m[1] == gone {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"error_code":"WKS.0004","error_msg":"The job does not exist."}`))
				return true
			}
			return false
		}, nil)
		results := h.list(nil, true, 100)
		if !listedGone {
			if last := results[len(results)-1]; !hasErrors(last.Diagnostics) || !strings.Contains(diagText(last.Diagnostics), gone) {
				t.Errorf("a 404 for a job its sub-jobs still list: last result %+v, want an error naming the job", last)
			}
			continue
		}
		if got, want := jobsOf(t, results), []string{kept}; !slices.Equal(got, want) {
			t.Errorf("listed %v, want %v", got, want)
		}
		if want := gone + ": the service no longer knows it"; !strings.Contains(warningsOf(results), want) {
			t.Errorf("warnings do not say %q:\n%s", want, warningsOf(results))
		}
	}
}

// wirePost sends a body to an API path (after /v2/{project_id}) with an
// X-Auth-Token, as wireGet reads one.
func wirePost(t *testing.T, env *testAccEnv, path string, body []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.Emulator.URL()+"/v2/"+env.Emulator.ProjectID()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", wireToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: HTTP %d %s", path, resp.StatusCode, msg)
	}
}

// A job still running is not listed: what it made is not known yet.
func TestListBatches_runningJobsAreNotListed(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: time.Hour, Seed: 1})
	env.SkipIfReal(t, "needs a job that runs for an hour")
	submitJob(t, env, env.DesktopIDs)
	h := newActionHarness(t, env, 0)
	if got := h.list(nil, false, 100); len(got) != 0 {
		t.Errorf("listed %+v while the only job runs", got)
	}
}

// The sub-job list can be read up to offset 10000 with pages of 1000:
// beyond 11000 sub-jobs the list says it could not read them all, and
// lists the jobs it read.
func TestListBatches_warnsBeyondTheSubJobsItCanRead(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 100, Seed: 1, AuthToken: wireToken}) // jobs end at once
	env.SkipIfReal(t, "makes 112 jobs of 100 desktops")
	// Straight to the API: the client would list the desktops' snapshots
	// before each job, thousands of them by the end.
	body, err := json.Marshal(map[string]any{"desktop_ids": env.DesktopIDs, "disk_type": workspace.DiskTypeSystem})
	if err != nil {
		t.Fatal(err)
	}
	for range 112 {
		wirePost(t, env, "/snapshots/batch-create", body)
	}
	h := newActionHarness(t, env, 0)
	results := h.list(nil, false, 1000)
	if n := len(jobsOf(t, results)); n != 110 {
		t.Errorf("listed %d jobs, want the 110 whose 11000 sub-jobs could be read", n)
	}
	want := regexp.MustCompile(`Not every batch-create job could be read: The service holds 11200 batch-create sub-jobs .* only up to 11000 of them \(offset at most 10000, limit at most 1000\)`)
	if !want.MatchString(warningsOf(results)) {
		t.Errorf("no warning matching %s:\n%s", want, warningsOf(results))
	}
}

// Terraform 1.14+: batches made outside Terraform (through the API) are
// found by terraform query, -generate-config-out writes configuration and
// import blocks that import them, the plan after the import is empty, and
// a destroy deletes their snapshots. A batch whose snapshots are gone is
// left out with a warning.
func TestAccSnapshotBatchList_queryGeneratesConfigThatImports(t *testing.T) {
	parallelUnlessReal(t)
	h := newCLIHarness(t, 1, 14)
	clock := &steppedClock{}
	env := newTestAccEnv(t, emulator.Config{Desktops: 6, JobDuration: 300 * time.Millisecond, Seed: 1, Now: clock.now, MaxClockSkew: time.Hour})
	env.StateJobTimeZone(t) // the import steps run in provider processes that did not start the jobs
	// In a real project the query would find, import and then destroy every
	// batch there is, not only this test's.
	env.SkipIfReal(t, "imports and destroys every batch the query finds")
	ids := env.DesktopIDs
	jobA := snapshotDesktops(t, env, ids[:3], workspace.DiskTypeAll, testAccName("query"))[0]
	jobB := snapshotDesktops(t, env, ids[3:5], workspace.DiskTypeSystem, testAccName("query"))[0]
	gone := snapshotDesktops(t, env, ids[5:], workspace.DiskTypeAll, testAccName("query"))[0]
	deleteOutOfBand(t, env, snapshotIDsOf(t, env, ids[5:]))
	// The jobs ended minutes ago: the list has had time to show their
	// records, so a missing one is gone, not late, and nothing waits for it.
	clock.step(5 * time.Minute)
	query := func(config string) string {
		return fmt.Sprintf(`
list "workspace_desktop_snapshot_batch" "found" {
  provider         = workspace
  include_resource = true
  config {
%s
  }
}
`, config)
	}
	h.write("main.tf", cliProviderBlock(env))
	h.mustRun("init", "-no-color")

	h.write("query.tfquery.hcl", query(`    desktop_name = "0004"`))
	if found, _ := queryJSON(t, h); !slices.Equal(found, []string{jobB}) {
		t.Errorf("desktop_name 0004: found %v, want [%s]", found, jobB)
	}
	h.write("query.tfquery.hcl", query(""))
	found, warnings := queryJSON(t, h)
	if want := []string{jobB, jobA}; !slices.Equal(framework.SortedStrings(found), framework.SortedStrings(want)) {
		t.Errorf("found %v, want %v", found, want)
	}
	if !strings.Contains(warnings, gone+": none of the snapshots it made exists any more") {
		t.Errorf("no warning names the batch whose snapshots are gone (%s):\n%s", gone, warnings)
	}

	h.mustRun("query", "-no-color", "-generate-config-out=generated.tf")
	generated := h.read("generated.tf")
	for _, job := range []string{jobA, jobB} {
		if !regexp.MustCompile(`(?s)import \{.*identity = \{\s+job_ids\s+= \["` + job + `"\]`).MatchString(generated) {
			t.Errorf("generated.tf has no import block with identity for job %s:\n%s", job, generated)
		}
	}
	h.write("query.tfquery.hcl", "") // a query file is not part of a plan; keep the directory plain
	if out, code := h.run("plan", "-no-color", "-detailed-exitcode"); code != 2 || !strings.Contains(out, "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan of the generated configuration exited %d, want 2 imports and nothing else:\n%s", code, out)
	}
	if out := h.mustRun("apply", "-no-color", "-auto-approve"); !strings.Contains(out, "2 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply:\n%s", out)
	}
	if out, code := h.run("plan", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("the plan after the import exited %d, want no changes:\n%s", code, out)
	}
	checkImportedState(t, h, env, map[string]int{jobA: 6, jobB: 2})
	h.mustRun("destroy", "-no-color", "-auto-approve")
	if n := countSnapshots(t, env, ids); n != 0 {
		t.Errorf("%d snapshots left after destroying the imported batches", n)
	}
}

// queryJSON runs terraform query -json: the job IDs found, and the
// warnings' text.
func queryJSON(t *testing.T, h *cliHarness) ([]string, string) {
	t.Helper()
	out := h.mustRun("query", "-json")
	var found []string
	var warnings strings.Builder
	for _, line := range strings.Split(out, "\n") {
		var msg struct {
			Type  string `json:"type"`
			Found *struct {
				Identity struct {
					JobIDs []string `json:"job_ids"`
				} `json:"identity"`
			} `json:"list_resource_found"`
			Diagnostic *struct {
				Severity, Summary, Detail string
			} `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil {
			continue
		}
		switch {
		case msg.Found != nil:
			found = append(found, msg.Found.Identity.JobIDs...)
		case msg.Diagnostic != nil && msg.Diagnostic.Severity == "warning":
			warnings.WriteString(msg.Diagnostic.Summary + ": " + msg.Diagnostic.Detail + "\n")
		}
	}
	return found, warnings.String()
}

// checkImportedState reads terraform show -json: one batch per job, its
// identity naming its job in the provider's project and region, holding
// as many snapshots as the service made for it.
func checkImportedState(t *testing.T, h *cliHarness, env *testAccEnv, snapshotsOf map[string]int) {
	t.Helper()
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address  string
					Identity jobsIdentityJSON `json:"identity"`
					Values   struct {
						JobIDs    []string          `json:"job_ids"`
						Snapshots map[string]string `json:"snapshot_desktop_ids"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(h.mustRun("show", "-json")), &state); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range state.Values.RootModule.Resources {
		want := jobsIdentityJSON{JobIDs: r.Values.JobIDs, ProjectID: env.Client.ProjectID(), Region: env.Client.Region()}
		if len(r.Values.JobIDs) != 1 || !slices.Equal(r.Identity.JobIDs, want.JobIDs) || r.Identity.ProjectID != want.ProjectID || r.Identity.Region != want.Region {
			t.Errorf("%s: identity %+v, want %+v", r.Address, r.Identity, want)
			continue
		}
		job := r.Values.JobIDs[0]
		seen[job] = true
		if n := len(r.Values.Snapshots); n != snapshotsOf[job] {
			t.Errorf("%s (job %s) holds %d snapshots, want %d", r.Address, job, n, snapshotsOf[job])
		}
	}
	if len(seen) != len(snapshotsOf) {
		t.Errorf("state holds batches of jobs %v, want %v", seen, snapshotsOf)
	}
}

type jobsIdentityJSON struct {
	JobIDs    []string `json:"job_ids"`
	ProjectID string   `json:"project_id"`
	Region    string   `json:"region"`
}
