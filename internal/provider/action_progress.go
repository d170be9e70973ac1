package provider

import (
	"context"
	"fmt"
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

// How the actions run the job-run core: an action keeps no state, so the
// job IDs travel in progress events and in every error instead.

// defaultProgressInterval is the least time between two progress updates.
// The announcement of the submitted jobs and the final summary always go out.
const defaultProgressInterval = 5 * time.Second

// defaultActionTimeout bounds an action that sets no timeout.
const defaultActionTimeout = 30 * time.Minute

// runAction runs op for an action within its timeout, reporting progress,
// and returns the diagnostics.
func runAction(ctx context.Context, client *workspace.Client, op jobOperation, idsPath path.Path, timeout types.String,
	progress *progressReporter, submit submitter) diag.Diagnostics {
	ctx, cancel := actionContext(ctx, timeout)
	defer cancel()
	tracker := newJobProgress()
	run := runJobs(ctx, client, op, submit, jobRunHooks{
		submitted: func(sub workspace.ChunkSubmission) {
			tflog.Info(ctx, "action job submitted", map[string]any{"api": op.api, "job_id": sub.JobID, op.idNoun + "s": len(sub.IDs)})
			if sub.Chunks > 1 { // with one chunk the announcement below says it all
				progress.update(msgChunkSubmitted(op, sub))
			}
		},
		busy: func(n workspace.BusyNotice) {
			logBusy(ctx, op, n)
			progress.update(msgBusy(op, n))
		},
		waiting: func(run *jobRun) {
			tracker.jobs = run.jobIDs
			progress.milestone(msgWaiting(op, run.jobIDs, run.submittedIDs))
		},
		polled: func(job *workspace.ShowJobResponse) {
			tracker.observe(job)
			progress.update(tracker.String())
		},
	})
	if len(run.jobIDs) > 0 && run.stopped == nil {
		succeeded, failed := run.outcomes()
		progress.milestone(msgFinished(op, len(run.jobIDs), succeeded, failed))
	}
	return run.diagnostics(runReport{
		idsPath:     idsPath,
		interrupted: "The action was interrupted",
		timedOut:    "The action's timeout passed",
		kept:        "Read their outcome with the workspace_job data source before invoking the action again.",
	})
}

// Progress messages, one function each so tests compare them whole.

func msgChunkSubmitted(op jobOperation, sub workspace.ChunkSubmission) string {
	return fmt.Sprintf("Submitted %s job %s for %s (chunk %d of %d).",
		op.api, sub.JobID, countOf(len(sub.IDs), op.idNoun), sub.Index+1, sub.Chunks)
}

func msgBusy(op jobOperation, n workspace.BusyNotice) string {
	return fmt.Sprintf("%s Trying again in %s, for up to %s more.",
		msgBusyHeadline(op, len(n.IDs)), n.RetryIn.Round(100*time.Millisecond), n.GiveUpIn.Round(time.Second))
}

// msgBusyHeadline is the part of msgBusy that does not depend on timing.
func msgBusyHeadline(op jobOperation, ids int) string {
	return fmt.Sprintf("The service says the desktops of %s are busy with another job (%s); no job was started for them yet.",
		countOf(ids, op.idNoun), workspace.CodeDesktopBusy)
}

func msgWaiting(op jobOperation, jobIDs []string, ids int) string {
	them := "them"
	if len(jobIDs) == 1 {
		them = "it"
	}
	return fmt.Sprintf("Submitted %s for %s: %s. Waiting for %s to finish.",
		countOf(len(jobIDs), op.api+" job"), countOf(ids, op.idNoun), strings.Join(sortedStrings(jobIDs), ", "), them)
}

func msgFinished(op jobOperation, jobs, succeeded, failed int) string {
	return fmt.Sprintf("Finished %s: %s succeeded, %d failed.", countOf(jobs, op.api+" job"), countOf(succeeded, "desktop"), failed)
}

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

func newJobProgress() *jobProgress {
	return &jobProgress{doneByJob: map[string]int{}, totalByJob: map[string]int{}, finishedByJob: map[string]bool{}}
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
	return fmt.Sprintf("%d of %d jobs finished; %d of %d desktops done.", finished, len(p.jobs), done, total)
}

// actionContext applies the action's timeout (validated by the schema).
func actionContext(ctx context.Context, timeout types.String) (context.Context, context.CancelFunc) {
	d := defaultActionTimeout
	if parsed, err := time.ParseDuration(timeout.ValueString()); err == nil && parsed > 0 {
		d = parsed
	}
	return context.WithTimeout(ctx, d)
}
