package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// The job-run core: every resource, action and destroy that starts
// Workspace jobs does it through runJobs, so they submit, record, wait and
// report the same way (compare terraform-provider-aws's actionwait). Callers
// differ only in their hooks (a resource writes each job ID to state, an
// action announces it) and in the sentence their errors end with (what was
// kept of an unfinished run).

// jobOperation names one of the batch APIs in logs, progress and errors.
type jobOperation struct {
	api     string // "batch-create"
	idNoun  string // what the submitted IDs are, singular: "desktop" or "snapshot"
	summary string // the summary of its error diagnostics
}

var (
	createOperation  = jobOperation{api: "batch-create", idNoun: "desktop", summary: "Unable to create desktop snapshots"}
	restoreOperation = jobOperation{api: "batch-restore", idNoun: "snapshot", summary: "Unable to restore desktop snapshots"}
	deleteOperation  = jobOperation{api: "batch-delete", idNoun: "snapshot", summary: "Unable to delete desktop snapshots"}
)

// submitter sends one operation's chunks, calling the hooks as it goes.
type submitter func(context.Context, workspace.SubmitHooks) []workspace.ChunkSubmission

// jobRunHooks are how a caller follows a run; each may be nil. They are
// called one at a time.
type jobRunHooks struct {
	// submitted gets each job ID the moment it is known: resources keep it
	// in their model, actions announce it.
	submitted func(workspace.ChunkSubmission)
	// recorded is called once the submission ends, before anything waits,
	// if it started a job, even when the run was cut short: resources write
	// their jobs to state then. Terraform gets a resource's state only when
	// the call returns, so one write here keeps all that a write per job
	// would, without converting the whole state once per chunk (which
	// grows with the square of a batch's size).
	recorded func()
	// busy is told each time the service refuses a chunk because its
	// desktops are busy with another job, and how long the client keeps trying.
	busy func(workspace.BusyNotice)
	// waiting is called once every chunk is submitted, before the wait.
	waiting func(run *jobRun)
	// polled sees every poll of every job.
	polled func(*workspace.ShowJobResponse)
}

// jobRun is the outcome of one run: what was submitted, what failed to be,
// what the jobs did, and whether the run was stopped before they ended.
type jobRun struct {
	op           jobOperation
	credentials  string                          // where the client's credentials came from, for 401/403 errors
	jobIDs       []string                        // in the order they became known
	submittedIDs int                             // IDs that went into jobIDs
	failedChunks []workspace.ChunkSubmission     // chunks with no job
	results      map[string]*workspace.JobResult // jobs that ended
	waitErr      error                           // joined errors of the wait
	stopped      error                           // context.Canceled or DeadlineExceeded when the run was cut short
}

// runJobs submits an operation and waits for its jobs within ctx.
func runJobs(ctx context.Context, client *workspace.Client, op jobOperation, submit submitter, hooks jobRunHooks) *jobRun {
	run := &jobRun{op: op, credentials: client.CredentialSource()}
	submissions := submit(ctx, workspace.SubmitHooks{
		OnJob: func(sub workspace.ChunkSubmission) {
			run.jobIDs = append(run.jobIDs, sub.JobID)
			run.submittedIDs += len(sub.IDs)
			if hooks.submitted != nil {
				hooks.submitted(sub)
			}
		},
		OnBusy: hooks.busy,
	})
	for _, sub := range submissions {
		if sub.Err != nil {
			run.failedChunks = append(run.failedChunks, sub)
		}
	}
	if len(run.jobIDs) > 0 && hooks.recorded != nil {
		hooks.recorded()
	}
	if len(run.jobIDs) > 0 && ctx.Err() == nil {
		if hooks.waiting != nil {
			hooks.waiting(run)
		}
		run.wait(ctx, client, workspace.WaitOptions{OnPoll: hooks.polled})
	}
	run.stopped = ctx.Err()
	return run
}

// jobIDsHolder is a resource model that keeps job IDs (job_ids and id).
type jobIDsHolder interface {
	setJobIDs(ids []string)
}

// resourceRunHooks are the hooks of a resource's run: its job IDs go to the
// model as they become known, and to state and to the resource's identity
// once the submission ends, before the wait, so an interrupted or failed
// apply leaves state, and an identity naming the same jobs, that the next
// one reconciles; busy desktops are logged.
func resourceRunHooks(ctx context.Context, op jobOperation, client *workspace.Client, model jobIDsHolder, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) jobRunHooks {
	var jobIDs []string
	return jobRunHooks{
		submitted: func(sub workspace.ChunkSubmission) {
			jobIDs = append(jobIDs, sub.JobID)
			model.setJobIDs(jobIDs)
			tflog.Debug(ctx, "job submitted", map[string]any{"api": op.api, "job_id": sub.JobID, op.idNoun + "s": len(sub.IDs)})
		},
		recorded: func() {
			diags.Append(state.Set(ctx, stateFormOf(model))...)
			diags.Append(setJobsIdentity(ctx, identity, client, jobIDs)...)
		},
		busy: func(n workspace.BusyNotice) { logBusy(ctx, op, n) },
	}
}

// stateFormOf is model as state holds it: a batch that selects its desktops
// keeps them packed (snapshotBatchModel.stateForm).
func stateFormOf(model any) any {
	if f, ok := model.(interface{ stateForm() any }); ok {
		return f.stateForm()
	}
	return model
}

// logBusy is the log line every caller writes while desktops are busy.
func logBusy(ctx context.Context, op jobOperation, n workspace.BusyNotice) {
	tflog.Info(ctx, "desktops busy with another job; trying again", map[string]any{
		"api": op.api, "chunk": n.Chunk, op.idNoun + "s": len(n.IDs), "attempt": n.Attempts,
		"retry_in": n.RetryIn.String(), "gives_up_in": n.GiveUpIn.String(),
	})
}

// waitForJobs is the wait alone, for jobs an earlier run started (a destroy
// first lets an interrupted create's jobs end).
func waitForJobs(ctx context.Context, client *workspace.Client, op jobOperation, jobIDs []string) *jobRun {
	run := &jobRun{op: op, credentials: client.CredentialSource(), jobIDs: jobIDs}
	run.wait(ctx, client, workspace.WaitOptions{})
	run.stopped = ctx.Err()
	return run
}

func (r *jobRun) wait(ctx context.Context, client *workspace.Client, opts workspace.WaitOptions) {
	r.results, r.waitErr = client.WaitForJobs(ctx, r.jobIDs, opts)
}

// pending reports whether some job has not ended (or its end was not read).
func (r *jobRun) pending() bool {
	for _, id := range r.jobIDs {
		if r.results[id] == nil {
			return true
		}
	}
	return false
}

// outcomes counts the desktops of the jobs that ended.
func (r *jobRun) outcomes() (succeeded, failed int) {
	for _, id := range r.jobIDs {
		if res := r.results[id]; res != nil {
			f := len(res.Failed())
			failed += f
			succeeded += len(res.Outcomes) - f
		}
	}
	return succeeded, failed
}

// firstPollForFinishedJobs: when the jobs are expected to have ended already
// (import), the first poll need not wait.
const firstPollForFinishedJobs = time.Millisecond

// refreshJobs reads, without waiting, the outcome of jobs an interrupted run
// left PENDING: results only once every job has ended. A job the service no
// longer knows, or whose outcome cannot be read, leaves the run pending with
// a warning, so the last recorded state is kept and the next refresh tries
// again; only an API failure is an error.
func refreshJobs(ctx context.Context, client *workspace.Client, op jobOperation, jobIDs []string) (*jobRun, diag.Diagnostics) {
	var diags diag.Diagnostics
	run := &jobRun{op: op, credentials: client.CredentialSource(), jobIDs: jobIDs}
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
			diags.Append(errorDiagnostic("Unable to read the jobs of an interrupted "+op.api, err, run.credentials))
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
			countOf(len(gone), op.api+" job"), abbreviateIDs(gone, maxNamedIDs)))
	}
	if running || len(gone) > 0 {
		return run, diags
	}
	// Every job has ended: its outcome comes from the answer just read.
	run.results = make(map[string]*workspace.JobResult, len(ended))
	var errs []error
	for _, job := range ended {
		res, err := client.EndedJobResult(ctx, job)
		if res != nil {
			run.results[job.Id] = res
		}
		errs = append(errs, err)
	}
	run.waitErr = errors.Join(errs...)
	diags.Append(run.unreadOutcomes("The job stays PENDING in state; the next refresh reads it again.")...)
	return run, diags
}

// unreadOutcomes warns of jobs whose outcome could not be read (a job that
// ended with failed desktops was read: its outcome is the failures).
func (r *jobRun) unreadOutcomes(consequence string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, e := range unjoin(r.waitErr) {
		var failed *workspace.JobFailedError
		if !errors.As(e, &failed) {
			diags.AddWarning("Unable to read a job's outcome", describeError(e, r.credentials)+"\n\n"+consequence)
		}
	}
	return diags
}

// Batch statuses kept in state.
const (
	batchStatusPending        = "PENDING"
	batchStatusSuccess        = "SUCCESS"
	batchStatusPartialFailure = "PARTIAL_FAILURE"
	batchStatusFailed         = "FAILED"
)

// status sums the run up as the status kept in state.
func (r *jobRun) status() string {
	succeeded, failed := r.outcomes()
	for _, sub := range r.refusedChunks() {
		failed += len(sub.IDs)
	}
	return batchStatusOf(r.pending(), succeeded, failed)
}

// refusedChunks are the chunks the service answered with an error, so no
// job runs for them (not a chunk never sent, of which the service said
// nothing, nor one that may have acted, whose job was not found).
func (r *jobRun) refusedChunks() []workspace.ChunkSubmission {
	var refused []workspace.ChunkSubmission
	for _, sub := range r.failedChunks {
		if sub.Refused {
			refused = append(refused, sub)
		}
	}
	return refused
}

// batchStatusOf is the status kept in state of jobs, pending or not, whose
// ended desktops succeeded and failed as counted.
func batchStatusOf(pending bool, succeeded, failed int) string {
	switch {
	case pending:
		return batchStatusPending
	case failed == 0:
		return batchStatusSuccess
	case succeeded == 0:
		return batchStatusFailed
	default:
		return batchStatusPartialFailure
	}
}
