package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// refreshJobs is the one refresh path of interrupted runs: a running job
// leaves the run pending, a job the service no longer knows warns and
// leaves it pending, and only once every job has ended are outcomes read.
func TestRefreshJobs_pendingGoneAndEnded(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: time.Minute, Seed: 1, Now: clock.now})
	env.SkipIfReal(t, "moves the emulator's clock and hides jobs through a proxy")
	ctx := context.Background()
	job := submitJob(t, env, env.DesktopIDs)

	run, diags := refreshJobs(ctx, env.Client, createOperation, []string{job})
	if diags.HasError() || len(diags) != 0 || !run.pending() || run.status() != batchStatusPending {
		t.Fatalf("running job: pending %v, status %s, diags %v; want PENDING and no diagnostics", run.pending(), run.status(), diags)
	}

	// "Gone" is decided by listing the job's sub-jobs, whichever refusal
	// ShowJob gave (reference §9 item 4): a refusal alone is an error.
	proxy := newHostileProxy(t, env.Emulator.URL())
	proxied, err := workspace.NewClient(workspace.Config{
		Region: emulator.DefaultRegion, ProjectID: env.Emulator.ProjectID(),
		AccessKey: emulator.DefaultAccessKey, SecretKey: emulator.DefaultSecretKey,
		Endpoint: proxy.URL(), IAMEndpoint: proxy.URL(),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, refusal := range []struct {
		status     int
		body       string
		listedGone bool
	}{
		{http.StatusNotFound, `{"error_code":"WKS.0004","error_msg":"The job does not exist."}`, true},
		{http.StatusBadRequest, `{"error_code":"WKS.0001","error_msg":"The job does not exist."}`, true},
		{http.StatusNotFound, `{"error_code":"WKS.0004","error_msg":"The job does not exist."}`, false},
	} {
		proxy.set(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
			if refusal.listedGone && answerNoSubJobsOfAJob(w, r) {
				return true
			}
			if showJobPath.MatchString(r.URL.Path) {
				w.WriteHeader(refusal.status)
				_, _ = w.Write([]byte(refusal.body))
				return true
			}
			return false
		}, nil)
		run, diags = refreshJobs(ctx, proxied, createOperation, []string{job})
		switch {
		case refusal.listedGone && (diags.HasError() || diags.WarningsCount() != 1 || !run.pending() ||
			!strings.Contains(diags[0].Detail(), "The service no longer knows 1 batch-create job that an interrupted run started ("+job+")")):
			t.Fatalf("gone job (HTTP %d): pending %v, diags %v; want one warning naming the job and the run still pending", refusal.status, run.pending(), diags)
		case !refusal.listedGone && !diags.HasError():
			t.Fatalf("a 404 for a job its sub-jobs still list: diags %v; want an error, not a job called gone", diags)
		}
	}

	clock.step(2 * time.Minute)
	polls := env.Emulator.Stats().RequestsByOperation["ShowJob"]
	run, diags = refreshJobs(ctx, env.Client, createOperation, []string{job})
	if len(diags) != 0 || run.pending() || run.status() != batchStatusSuccess || run.results[job] == nil {
		t.Fatalf("ended job: pending %v, status %s, diags %v; want its outcome read", run.pending(), run.status(), diags)
	}
	if n := env.Emulator.Stats().RequestsByOperation["ShowJob"] - polls; n != 1 {
		t.Errorf("the refresh read the ended job %d times, want once", n)
	}
}

// The report of a run: what a caller says it kept ends the stopped-run
// error, a busy chunk says no job exists, and IDs are abbreviated.
func TestJobRunDiagnostics_wording(t *testing.T) {
	parallelUnlessReal(t)
	ids := make([]string, 12)
	for i := range ids {
		ids[i] = fmt.Sprintf("d-%02d", i)
	}
	busyAnswer := &workspace.APIError{HTTPStatus: http.StatusConflict, Operation: "BatchCreateDesktopSnapshot",
		ErrorCode: workspace.CodeDesktopBusy, ErrorMsg: "Operation conflict.", RequestID: "req-1"}
	run := &jobRun{
		op:     createOperation,
		jobIDs: []string{"job-1", "job-2"},
		failedChunks: []workspace.ChunkSubmission{
			{IDs: ids, Err: &workspace.DesktopsBusyError{Operation: "BatchCreateDesktopSnapshot", Attempts: 4,
				Waited: 7 * time.Second, Last: busyAnswer, Cause: context.DeadlineExceeded}},
			{IDs: ids[:2], Err: fmt.Errorf("BatchCreateDesktopSnapshot: chunk 2 %w: %w", workspace.ErrNotSubmitted, context.Canceled)},
		},
		results: map[string]*workspace.JobResult{"job-1": {JobID: "job-1", Status: "SUCCESS"}},
		waitErr: errors.Join(&workspace.JobTimeoutError{JobID: "job-2", LastStatus: "RUNNING", Waited: 3 * time.Second}),
		stopped: context.DeadlineExceeded,
	}
	rep := runReport{idsPath: path.Root("desktop_ids"), interrupted: "It was interrupted", timedOut: "Its timeout passed", kept: "KEPT."}
	diags := run.diagnostics(rep)
	want := []string{
		"Submitting batch-create for 12 desktops (d-00, d-01, d-02, d-03, d-04 and 7 more) failed.\n\n" +
			"The service refused all 4 attempts because the desktops are busy with another job (409 WKS.00010032), " +
			"so no job was started for them. Its timeout passed while waiting to try again.\n\nThe last answer:\n" +
			describeError(busyAnswer, ""),
		"Submitting batch-create for 2 desktops (d-00, d-01) failed.\n\n" +
			"It was interrupted before this chunk was sent, so no job was started for it.",
		"Its timeout passed while waiting for 1 of 2 batch-create jobs. They were submitted and keep running in " +
			"the service: job-2 (last status: RUNNING).\n\nKEPT.",
	}
	if len(diags) != len(want) {
		t.Fatalf("%d diagnostics, want %d:\n%v", len(diags), len(want), diags)
	}
	for i, d := range diags {
		if d.Severity() != diag.SeverityError || d.Summary() != createOperation.summary || d.Detail() != want[i] {
			t.Errorf("diagnostic %d:\n%s\nwant:\n%s", i, d.Detail(), want[i])
		}
	}
	if withPath, ok := diags[0].(diag.DiagnosticWithPath); !ok || !withPath.Path().Equal(path.Root("desktop_ids")) {
		t.Errorf("the chunk's error is not on desktop_ids: %#v", diags[0])
	}
}
