package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// How a run's outcome reaches the user: one diagnostic per chunk that got
// no job, one for jobs still running when the run was stopped, one per
// failed desktop (up to maxFailureDiagnostics), and one per other error.

// maxFailureDiagnostics bounds the per-desktop diagnostics of one run; the
// rest are counted in one more.
const maxFailureDiagnostics = 50

// maxNamedIDs is how many IDs a message names before "and N more".
const maxNamedIDs = 5

// runReport is what the caller says about its run in diagnostics.
type runReport struct {
	idsPath     path.Path // the attribute the submitted IDs came from, if any
	interrupted string    // e.g. "The action was interrupted"
	timedOut    string    // e.g. "The action's timeout passed"
	// kept says what was kept of jobs still running and what to do next:
	// resources keep their IDs in state, actions only name them.
	kept string
}

// diagnostics reports everything that went wrong in the run.
func (r *jobRun) diagnostics(rep runReport) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, sub := range r.failedChunks {
		detail := fmt.Sprintf("Submitting %s for %s (%s) failed.\n\n%s",
			r.op.api, countOf(len(sub.IDs), r.op.idNoun), abbreviateIDs(sub.IDs, maxNamedIDs), r.describeSubmitError(sub.Err, rep))
		if rep.idsPath.Equal(path.Empty()) {
			diags.AddError(r.op.summary, detail)
		} else {
			diags.AddAttributeError(rep.idsPath, r.op.summary, detail)
		}
	}
	if r.stopped != nil && r.pending() {
		diags.AddError(r.op.summary, r.describeStopped(rep))
	}
	r.addFailedDesktops(&diags)
	for _, e := range unjoin(r.waitErr) {
		var failed *workspace.JobFailedError
		switch {
		case errors.As(e, &failed) && len(failed.Result.Failed()) > 0:
			// Reported desktop by desktop above.
		case r.stopped != nil && (errors.Is(e, context.Canceled) || errors.Is(e, context.DeadlineExceeded)):
			// Reported with the jobs still running, above.
		default:
			diags.AddError(r.op.summary, describeError(e, r.credentials))
		}
	}
	return diags
}

// describeSubmitError says what became of a chunk that got no job: whether
// a job may exist for it matters more than the error's wording.
func (r *jobRun) describeSubmitError(err error, rep runReport) string {
	var busy *workspace.DesktopsBusyError
	switch {
	case errors.As(err, &busy):
		why := fmt.Sprintf("The provider stopped trying after %s.", busy.Waited.Round(1e9))
		if busy.Cause != nil {
			why = r.stopPhrase(busy.Cause, rep) + " while waiting to try again."
		}
		return fmt.Sprintf("The service refused all %d attempts because the desktops are busy with another job "+
			"(409 %s), so no job was started for them. %s\n\nThe last answer:\n%s",
			busy.Attempts, workspace.CodeDesktopBusy, why, describeError(busy.Last, r.credentials))
	case errors.Is(err, workspace.ErrNotSubmitted):
		return r.stopPhrase(err, rep) + " before this chunk was sent, so no job was started for it."
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s before the job for them was known (%v). The request may have reached the service: "+
			"check the %ss' snapshots and jobs before trying again.", r.stopPhrase(err, rep), err, r.op.idNoun)
	default:
		return describeError(err, r.credentials)
	}
}

func (r *jobRun) stopPhrase(err error, rep runReport) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return rep.timedOut
	}
	return rep.interrupted
}

// describeStopped names the jobs still running when the run was stopped,
// each with the last status read and why its polls failed, if they did.
func (r *jobRun) describeStopped(rep runReport) string {
	timedOut := map[string]*workspace.JobTimeoutError{}
	for _, e := range unjoin(r.waitErr) {
		var timeout *workspace.JobTimeoutError
		if errors.As(e, &timeout) {
			timedOut[timeout.JobID] = timeout
		}
	}
	var running []string
	for _, id := range r.jobIDs {
		if r.results[id] != nil {
			continue
		}
		entry := id
		if t := timedOut[id]; t != nil {
			last := t.LastStatus
			if last == "" {
				last = "not read yet"
			}
			if t.LastError != nil {
				last += "; the last poll failed: " + t.LastError.Error()
			}
			entry += " (last status: " + last + ")"
		}
		running = append(running, entry)
	}
	return fmt.Sprintf("%s while waiting for %d of %s. They were submitted and keep running in the service: %s.\n\n%s",
		r.stopPhrase(r.stopped, rep), len(running), countOf(len(r.jobIDs), r.op.api+" job"), strings.Join(running, ", "), rep.kept)
}

// addFailedDesktops adds one error per desktop whose sub-job failed.
func (r *jobRun) addFailedDesktops(diags *diag.Diagnostics) {
	var failures []string
	for _, id := range r.jobIDs {
		res := r.results[id]
		if res == nil {
			continue
		}
		for _, o := range res.Failed() {
			failures = append(failures, describeFailedDesktop(res, o))
		}
	}
	sort.Strings(failures)
	for i, f := range failures {
		if i == maxFailureDiagnostics {
			diags.AddError(r.op.summary, fmt.Sprintf("%d more desktops failed; the jobs' sub-jobs list them all "+
				"(data source workspace_job): %s.", len(failures)-i, strings.Join(r.jobIDs, ", ")))
			return
		}
		diags.AddError(r.op.summary, f)
	}
}

// describeFailedDesktop is the detail of one failed desktop's diagnostic.
func describeFailedDesktop(res *workspace.JobResult, o workspace.DesktopOutcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Desktop %s", orNone(o.DesktopID))
	if o.DesktopName != "" {
		fmt.Fprintf(&b, " (%s)", o.DesktopName)
	}
	fmt.Fprintf(&b, " failed in job %s with status %s (the job ended %s).\n\nError code: %s\nReason: %s",
		res.JobID, orNone(o.Status), res.Status, orNone(o.ErrorCode), orNone(o.FailReason))
	if o.Entity != "" && o.Entity != o.DesktopID {
		fmt.Fprintf(&b, "\nEntity: %s", o.Entity) // free text, shown as the service wrote it
	}
	return b.String()
}
