package jobrun

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// The job-run core: every resource, action and destroy that starts
// Workspace jobs does it through Start, so they submit, record, wait and
// report the same way (compare terraform-provider-aws's actionwait). Callers
// differ only in their hooks (a resource writes each job ID to state, an
// action announces it) and in the sentence their errors end with (what was
// kept of an unfinished run).

// Operation names one of the batch APIs in logs, progress and errors.
type Operation struct {
	API     string // "batch-create"
	IDNoun  string // what the submitted IDs are, singular: "desktop" or "snapshot"
	Summary string // the summary of its error diagnostics
}

var (
	Create  = Operation{API: "batch-create", IDNoun: "desktop", Summary: "Unable to create desktop snapshots"}
	Restore = Operation{API: "batch-restore", IDNoun: "snapshot", Summary: "Unable to restore desktop snapshots"}
	Delete  = Operation{API: "batch-delete", IDNoun: "snapshot", Summary: "Unable to delete desktop snapshots"}
)

// Submitter sends one operation's chunks, calling the hooks as it goes.
type Submitter func(context.Context, workspace.SubmitHooks) []workspace.ChunkSubmission

// Recorder keeps a run's jobs where whoever comes next finds them: a
// resource writes them to its state before the wait, so that a run cut
// short, failed or interrupted leaves state the next apply reconciles; an
// action announces them. Every caller that starts jobs hands Start one.
type Recorder interface {
	// Job gets each chunk the moment its job ID is known.
	Job(sub workspace.ChunkSubmission)
	// Record gets every job ID once the submission ends, before anything
	// waits, if it started a job, even when the run was cut short.
	// Terraform gets a resource's state only when the call returns, so one
	// write here keeps all that a write per job would, without converting
	// the whole state once per chunk (which grows with the square of a
	// batch's size).
	Record(jobIDs []string)
}

// RecordFuncs is a Recorder of two functions, either of which may be nil,
// for a caller whose recording is its own (an update that writes only what
// changes, an action that announces).
type RecordFuncs struct {
	OnJob    func(sub workspace.ChunkSubmission)
	OnRecord func(jobIDs []string)
}

var _ Recorder = RecordFuncs{}

func (f RecordFuncs) Job(sub workspace.ChunkSubmission) {
	if f.OnJob != nil {
		f.OnJob(sub)
	}
}

func (f RecordFuncs) Record(jobIDs []string) {
	if f.OnRecord != nil {
		f.OnRecord(jobIDs)
	}
}

// Hooks are how a caller follows a run besides recording it; each may be
// nil. They are called one at a time.
type Hooks struct {
	// Busy is told each time the service refuses a chunk because its
	// desktops are busy with another job, and how long the client keeps
	// trying (Start logs it too).
	Busy func(workspace.BusyNotice)
	// Waiting is called once every chunk is submitted, before the wait.
	Waiting func(run *Run)
	// Polled sees every poll of every job.
	Polled func(*workspace.ShowJobResponse)
}

// Run is the outcome of one run: what was submitted, what failed to be,
// what the jobs did, and whether the run was stopped before they ended.
type Run struct {
	Op           Operation
	Credentials  string                          // where the client's credentials came from, for 401/403 errors
	JobIDs       []string                        // in the order they became known
	SubmittedIDs int                             // IDs that went into jobIDs
	FailedChunks []workspace.ChunkSubmission     // chunks with no job
	Results      map[string]*workspace.JobResult // jobs that ended
	WaitErr      error                           // joined errors of the wait
	Stopped      error                           // context.Canceled or DeadlineExceeded when the run was cut short
}

// Start submits an operation and waits for its jobs within ctx. rec, if
// not nil, records the jobs; submitted jobs and busy desktops are logged.
func Start(ctx context.Context, client *workspace.Client, op Operation, submit Submitter, rec Recorder, hooks Hooks) *Run {
	run := &Run{Op: op, Credentials: client.CredentialSource()}
	submissions := submit(ctx, workspace.SubmitHooks{
		OnJob: func(sub workspace.ChunkSubmission) {
			run.JobIDs = append(run.JobIDs, sub.JobID)
			run.SubmittedIDs += len(sub.IDs)
			tflog.Debug(ctx, "job submitted", map[string]any{"api": op.API, "job_id": sub.JobID, op.IDNoun + "s": len(sub.IDs)})
			if rec != nil {
				rec.Job(sub)
			}
		},
		OnBusy: func(n workspace.BusyNotice) {
			logBusy(ctx, op, n)
			if hooks.Busy != nil {
				hooks.Busy(n)
			}
		},
	})
	for _, sub := range submissions {
		if sub.Err != nil {
			run.FailedChunks = append(run.FailedChunks, sub)
		}
	}
	if len(run.JobIDs) > 0 && rec != nil {
		rec.Record(slices.Clone(run.JobIDs))
	}
	if len(run.JobIDs) > 0 && ctx.Err() == nil {
		if hooks.Waiting != nil {
			hooks.Waiting(run)
		}
		run.Wait(ctx, client, workspace.WaitOptions{OnPoll: hooks.Polled})
	}
	run.Stopped = ctx.Err()
	return run
}

// logBusy is the log line written while desktops are busy.
func logBusy(ctx context.Context, op Operation, n workspace.BusyNotice) {
	tflog.Info(ctx, "desktops busy with another job; trying again", map[string]any{
		"api": op.API, "chunk": n.Chunk, op.IDNoun + "s": len(n.IDs), "attempt": n.Attempts,
		"retry_in": n.RetryIn.String(), "gives_up_in": n.GiveUpIn.String(),
	})
}

// Await is the wait alone, for jobs an earlier run started (a destroy
// first lets an interrupted create's jobs end).
func Await(ctx context.Context, client *workspace.Client, op Operation, jobIDs []string) *Run {
	run := &Run{Op: op, Credentials: client.CredentialSource(), JobIDs: jobIDs}
	run.Wait(ctx, client, workspace.WaitOptions{})
	run.Stopped = ctx.Err()
	return run
}

func (r *Run) Wait(ctx context.Context, client *workspace.Client, opts workspace.WaitOptions) {
	r.Results, r.WaitErr = client.WaitForJobs(ctx, r.JobIDs, opts)
}

// pending reports whether some job has not ended (or its end was not read).
func (r *Run) Pending() bool {
	for _, id := range r.JobIDs {
		if r.Results[id] == nil {
			return true
		}
	}
	return false
}

// outcomes counts the desktops of the jobs that ended.
func (r *Run) Outcomes() (succeeded, failed int) {
	for _, id := range r.JobIDs {
		if res := r.Results[id]; res != nil {
			f := len(res.Failed())
			failed += f
			succeeded += len(res.Outcomes) - f
		}
	}
	return succeeded, failed
}

// FirstPollForFinishedJobs: when the jobs are expected to have ended already
// (import), the first poll need not wait.
const FirstPollForFinishedJobs = time.Millisecond

// Refresh reads, without waiting, the outcome of jobs an interrupted run
// left PENDING: results only once every job has ended. A job the service no
// longer knows, or whose outcome cannot be read, leaves the run pending with
// a warning, so the last recorded state is kept and the next refresh tries
// again; only an API failure is an error.
func Refresh(ctx context.Context, client *workspace.Client, op Operation, jobIDs []string) (*Run, diag.Diagnostics) {
	var diags diag.Diagnostics
	run := &Run{Op: op, Credentials: client.CredentialSource(), JobIDs: jobIDs}
	var gone []string
	var ended []*workspace.ShowJobResponse
	running := false
	for _, id := range jobIDs {
		job, err := client.ShowJob(ctx, id)
		if err != nil {
			// "Gone" is decided by listing, whatever refusal said it.
			isGone, listErr := client.JobGone(ctx, id, err)
			if listErr != nil {
				err = fmt.Errorf("%w (and looking for its sub-jobs failed: %w)", err, listErr)
			}
			if isGone {
				gone = append(gone, id)
				continue
			}
		}
		switch {
		case err != nil:
			diags.Append(framework.ErrorDiagnostic("Unable to read the jobs of an interrupted "+op.API, err, run.Credentials))
			return run, diags
		case !workspace.JobDone(job.Status):
			running = true
		default:
			ended = append(ended, job)
		}
	}
	if len(gone) > 0 {
		diags.AddWarning("Jobs no longer known to the service", fmt.Sprintf(
			"The service no longer knows %s that an interrupted run started (%s), so their outcome cannot be read. "+
				"The resource keeps its last recorded state, with status PENDING.",
			framework.CountOf(len(gone), op.API+" job"), framework.AbbreviateIDs(gone, framework.MaxNamedIDs)))
	}
	if running || len(gone) > 0 {
		return run, diags
	}
	// Every job has ended: its outcome comes from the answer just read.
	run.Results = make(map[string]*workspace.JobResult, len(ended))
	var errs []error
	for _, job := range ended {
		res, err := client.EndedJobResult(ctx, job)
		if res != nil {
			run.Results[job.Id] = res
		}
		errs = append(errs, err)
	}
	run.WaitErr = errors.Join(errs...)
	diags.Append(run.UnreadOutcomes("The job stays PENDING in state; the next refresh reads it again.")...)
	return run, diags
}

// unreadOutcomes warns of jobs whose outcome could not be read (a job that
// ended with failed desktops was read: its outcome is the failures).
func (r *Run) UnreadOutcomes(consequence string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, e := range framework.Unjoin(r.WaitErr) {
		var failed *workspace.JobFailedError
		if !errors.As(e, &failed) {
			diags.AddWarning("Unable to read a job's outcome", framework.DescribeError(e, r.Credentials)+"\n\n"+consequence)
		}
	}
	return diags
}

// Batch statuses kept in state.
const (
	StatusPending        = "PENDING"
	StatusSuccess        = "SUCCESS"
	StatusPartialFailure = "PARTIAL_FAILURE"
	StatusFailed         = "FAILED"
)

// status sums the run up as the status kept in state.
func (r *Run) Status() string {
	succeeded, failed := r.Outcomes()
	for _, sub := range r.RefusedChunks() {
		failed += len(sub.IDs)
	}
	return StatusOf(r.Pending(), succeeded, failed)
}

// refusedChunks are the chunks the service answered with an error, so no
// job runs for them (not a chunk never sent, of which the service said
// nothing, nor one that may have acted, whose job was not found).
func (r *Run) RefusedChunks() []workspace.ChunkSubmission {
	var refused []workspace.ChunkSubmission
	for _, sub := range r.FailedChunks {
		if sub.Refused {
			refused = append(refused, sub)
		}
	}
	return refused
}

// StatusOf is the status kept in state of jobs, pending or not, whose
// ended desktops succeeded and failed as counted.
func StatusOf(pending bool, succeeded, failed int) string {
	switch {
	case pending:
		return StatusPending
	case failed == 0:
		return StatusSuccess
	case succeeded == 0:
		return StatusFailed
	default:
		return StatusPartialFailure
	}
}
