package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// How the actions run a batch operation: submit in chunks of at most 100,
// announce the job IDs, wait while sending throttled progress, and report
// each failed desktop as its own diagnostic. Actions keep no state, so the
// job IDs travel in the first progress event and in every error instead.

// defaultProgressInterval is the least time between two progress updates.
// The announcement of the submitted jobs and the final summary always go out.
const defaultProgressInterval = 5 * time.Second

// defaultActionTimeout bounds an action that sets no timeout.
const defaultActionTimeout = 30 * time.Minute

// maxFailureDiagnostics bounds the per-desktop diagnostics of one action;
// the rest are counted in one more.
const maxFailureDiagnostics = 50

// progressReporter sends action progress events, at most one update per
// interval; milestones are never held back.
type progressReporter struct {
	mu       sync.Mutex
	send     func(action.InvokeProgressEvent)
	interval time.Duration
	last     time.Time
}

func newProgressReporter(send func(action.InvokeProgressEvent), interval time.Duration) *progressReporter {
	return &progressReporter{send: send, interval: interval}
}

// update sends msg unless an event went out less than interval ago.
func (p *progressReporter) update(msg string) { p.emit(msg, false) }

// milestone always sends msg.
func (p *progressReporter) milestone(msg string) { p.emit(msg, true) }

func (p *progressReporter) emit(msg string, always bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if !always && !p.last.IsZero() && now.Sub(p.last) < p.interval {
		return
	}
	p.last = now
	if p.send != nil {
		p.send(action.InvokeProgressEvent{Message: msg})
	}
}

// jobProgress tracks the sub-jobs of running jobs from their polls.
type jobProgress struct {
	jobs          []string
	doneByJob     map[string]int
	totalByJob    map[string]int
	finishedByJob map[string]bool
}

func newJobProgress(jobIDs []string) *jobProgress {
	return &jobProgress{jobs: jobIDs, doneByJob: map[string]int{}, totalByJob: map[string]int{}, finishedByJob: map[string]bool{}}
}

func (p *jobProgress) observe(job *workspace.ShowJobResponse) {
	done := 0
	for _, sj := range job.SubJobs {
		if workspace.JobDone(sj.Status) {
			done++
		}
	}
	p.doneByJob[job.Id] = done
	p.totalByJob[job.Id] = max(int(job.SubJobsTotal), len(job.SubJobs))
	p.finishedByJob[job.Id] = workspace.JobDone(job.Status)
}

func (p *jobProgress) String() string {
	finished, done, total := 0, 0, 0
	for _, id := range p.jobs {
		if p.finishedByJob[id] {
			finished++
		}
		done += p.doneByJob[id]
		total += p.totalByJob[id]
	}
	return fmt.Sprintf("%d of %d jobs finished; %d of %d desktops done", finished, len(p.jobs), done, total)
}

// actionJobs is one run of a batch operation on behalf of an action.
type actionJobs struct {
	client   *workspace.Client
	summary  string // diagnostic summary, e.g. "Unable to restore desktop snapshots"
	apiName  string // e.g. "batch-restore"
	idNoun   string // what the submitted IDs are: "desktops" or "snapshots"
	idsPath  path.Path
	progress *progressReporter
}

type submitFunc func(ctx context.Context, onJob func(workspace.ChunkSubmission)) []workspace.ChunkSubmission

// run submits and waits, within the action's timeout, and returns the diagnostics.
func (a actionJobs) run(ctx context.Context, timeout types.String, submit submitFunc) diag.Diagnostics {
	ctx, cancel := actionContext(ctx, timeout)
	defer cancel()
	var diags diag.Diagnostics
	var jobIDs []string
	submittedIDs := 0
	onJob := func(sub workspace.ChunkSubmission) {
		jobIDs = append(jobIDs, sub.JobID)
		submittedIDs += len(sub.IDs)
		tflog.Info(ctx, "action job submitted", map[string]any{"api": a.apiName, "job_id": sub.JobID, a.idNoun: len(sub.IDs)})
		a.progress.update(fmt.Sprintf("Submitted %s job %s for %d %s (%d job(s) so far).",
			a.apiName, sub.JobID, len(sub.IDs), a.idNoun, len(jobIDs)))
	}
	submissions := submit(ctx, onJob)
	sort.Strings(jobIDs)
	for _, s := range submissions {
		if s.Err == nil {
			continue
		}
		detail := describeError(s.Err, a.client.CredentialSource())
		if ctx.Err() != nil {
			// describeError speaks of state, which actions do not have.
			detail = fmt.Sprintf("The action was interrupted or timed out before the job for them was known (%v). "+
				"Check the desktops' snapshots and jobs before invoking the action again.", s.Err)
		}
		diags.Append(diag.NewAttributeErrorDiagnostic(a.idsPath, a.summary, fmt.Sprintf(
			"Submitting %s for %d %s (%s) failed.\n\n%s", a.apiName, len(s.IDs), a.idNoun, strings.Join(s.IDs, ", "), detail)))
	}
	if len(jobIDs) == 0 {
		return diags
	}
	a.progress.milestone(fmt.Sprintf("Submitted %d %s job(s) for %d %s: %s. Waiting for them to finish.",
		len(jobIDs), a.apiName, submittedIDs, a.idNoun, strings.Join(jobIDs, ", ")))

	tracker := newJobProgress(jobIDs)
	results, waitErr := a.client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{
		OnPoll: func(job *workspace.ShowJobResponse) { // serialised by WaitForJobs
			tracker.observe(job)
			a.progress.update(tracker.String() + ".")
		},
	})
	if ctx.Err() != nil {
		diags.Append(a.interrupted(ctx, jobIDs, results))
		return diags
	}
	succeeded, failed := a.outcomes(jobIDs, results, &diags)
	diags.Append(a.otherWaitErrors(waitErr)...)
	a.progress.milestone(fmt.Sprintf("Finished %d %s job(s): %d desktops succeeded, %d failed.",
		len(jobIDs), a.apiName, succeeded, failed))
	return diags
}

// outcomes adds one diagnostic per failed desktop (up to a bound) and counts.
func (a actionJobs) outcomes(jobIDs []string, results map[string]*workspace.JobResult, diags *diag.Diagnostics) (succeeded, failed int) {
	var failures []string
	for _, id := range jobIDs {
		res := results[id]
		if res == nil {
			continue
		}
		for _, o := range res.Outcomes {
			if o.Succeeded() {
				succeeded++
				continue
			}
			failed++
			failures = append(failures, describeFailedDesktop(res, o))
		}
	}
	sort.Strings(failures)
	for i, f := range failures {
		if i == maxFailureDiagnostics {
			diags.AddError(a.summary, fmt.Sprintf("%d more desktops failed; the jobs' sub-jobs list them all "+
				"(data source workspace_job): %s.", len(failures)-i, strings.Join(jobIDs, ", ")))
			break
		}
		diags.AddError(a.summary, f)
	}
	return succeeded, failed
}

func describeFailedDesktop(res *workspace.JobResult, o workspace.DesktopOutcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Desktop %s", orNone(o.DesktopID))
	if o.DesktopName != "" {
		fmt.Fprintf(&b, " (%s)", o.DesktopName)
	}
	fmt.Fprintf(&b, " failed in job %s with status %s.\n\nError code: %s\nReason: %s",
		res.JobID, orNone(o.Status), orNone(o.ErrorCode), orNone(o.FailReason))
	if res.JobType == workspace.JobTypeRestoreSnapshot && o.Entity != "" {
		fmt.Fprintf(&b, "\nSnapshots: %s", o.Entity)
	}
	return b.String()
}

// otherWaitErrors reports what went wrong beyond failed desktops (already
// reported one by one): jobs that could not be read, or a job that failed
// without naming any desktop.
func (a actionJobs) otherWaitErrors(err error) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, e := range unjoin(err) {
		var failed *workspace.JobFailedError
		if errors.As(e, &failed) && len(failed.Result.Failed()) > 0 {
			continue
		}
		diags.AddError(a.summary, describeError(e, a.client.CredentialSource()))
	}
	return diags
}

// interrupted explains a cancelled or timed-out wait: the jobs keep running
// in the service, and since an action keeps no state, their IDs are the record.
func (a actionJobs) interrupted(ctx context.Context, jobIDs []string, results map[string]*workspace.JobResult) diag.Diagnostic {
	var running []string
	for _, id := range jobIDs {
		if results[id] == nil {
			running = append(running, id)
		}
	}
	why := "The action was interrupted"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		why = "The action's timeout passed"
	}
	return diag.NewErrorDiagnostic(a.summary, fmt.Sprintf(
		"%s while waiting for %d of %d %s job(s). They were submitted and keep running in the service: %s.\n\n"+
			"Read their outcome with the workspace_job data source before invoking the action again.",
		why, len(running), len(jobIDs), a.apiName, strings.Join(running, ", ")))
}

// actionContext applies the action's timeout (validated by the schema).
func actionContext(ctx context.Context, timeout types.String) (context.Context, context.CancelFunc) {
	d := defaultActionTimeout
	if parsed, err := time.ParseDuration(timeout.ValueString()); err == nil && parsed > 0 {
		d = parsed
	}
	return context.WithTimeout(ctx, d)
}

// unjoin lists the errors inside an errors.Join (or err alone).
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}
