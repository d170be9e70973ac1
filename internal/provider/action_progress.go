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

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
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
func runAction(ctx context.Context, client *workspace.Client, op jobrun.Operation, idsPath path.Path, timeout types.String,
	progress *progressReporter, submit jobrun.Submitter) diag.Diagnostics {
	ctx, cancel := actionContext(ctx, timeout)
	defer cancel()
	tracker := newJobProgress()
	// An action records its jobs by announcing them: it keeps no state.
	announce := jobrun.RecordFuncs{OnJob: func(sub workspace.ChunkSubmission) {
		tflog.Info(ctx, "action job submitted", map[string]any{"api": op.API, "job_id": sub.JobID, op.IDNoun + "s": len(sub.IDs)})
		if sub.Chunks > 1 { // with one chunk the announcement below says it all
			progress.update(msgChunkSubmitted(op, sub))
		}
	}}
	run := jobrun.Start(ctx, client, op, submit, announce, jobrun.Hooks{
		Busy: func(n workspace.BusyNotice) { progress.update(msgBusy(op, n)) },
		Waiting: func(run *jobrun.Run) {
			tracker.jobs = run.JobIDs
			progress.milestone(msgWaiting(op, run.JobIDs, run.SubmittedIDs))
		},
		Polled: func(job *workspace.ShowJobResponse) {
			tracker.observe(job)
			progress.update(tracker.String())
		},
	})
	if len(run.JobIDs) > 0 && run.Stopped == nil {
		succeeded, failed := run.Outcomes()
		progress.milestone(msgFinished(op, len(run.JobIDs), succeeded, failed))
	}
	return run.Diagnostics(jobrun.Report{
		IDsPath:     idsPath,
		Interrupted: "The action was interrupted",
		TimedOut:    "The action's timeout passed",
		Kept:        "Read their outcome with the workspace_job data source before invoking the action again.",
	})
}

// Progress messages, one function each so tests compare them whole.

func msgChunkSubmitted(op jobrun.Operation, sub workspace.ChunkSubmission) string {
	return fmt.Sprintf("Submitted %s job %s for %s (chunk %d of %d).",
		op.API, sub.JobID, framework.CountOf(len(sub.IDs), op.IDNoun), sub.Index+1, sub.Chunks)
}

func msgBusy(op jobrun.Operation, n workspace.BusyNotice) string {
	return fmt.Sprintf("%s Trying again in %s, for up to %s more.",
		msgBusyHeadline(op, len(n.IDs)), n.RetryIn.Round(100*time.Millisecond), n.GiveUpIn.Round(time.Second))
}

// msgBusyHeadline is the part of msgBusy that does not depend on timing.
func msgBusyHeadline(op jobrun.Operation, ids int) string {
	return fmt.Sprintf("The service says the desktops of %s are busy with another job (%s); no job was started for them yet.",
		framework.CountOf(ids, op.IDNoun), workspace.CodeDesktopBusy)
}

func msgWaiting(op jobrun.Operation, jobIDs []string, ids int) string {
	them := "them"
	if len(jobIDs) == 1 {
		them = "it"
	}
	return fmt.Sprintf("Submitted %s for %s: %s. Waiting for %s to finish.",
		framework.CountOf(len(jobIDs), op.API+" job"), framework.CountOf(ids, op.IDNoun), strings.Join(framework.SortedStrings(jobIDs), ", "), them)
}

func msgFinished(op jobrun.Operation, jobs, succeeded, failed int) string {
	return fmt.Sprintf("Finished %s: %s succeeded, %d failed.", framework.CountOf(jobs, op.API+" job"), framework.CountOf(succeeded, "desktop"), failed)
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
