package jobrun

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// How a run's outcome reaches the user: one diagnostic per chunk that got
// no job, one for jobs still running when the run was stopped, one per
// failed desktop (up to framework.MaxFailureDiagnostics), and one per other error.

// Report is what the caller says about its run in diagnostics.
type Report struct {
	IDsPath     path.Path // the attribute the submitted IDs came from, if any
	Interrupted string    // e.g. "The action was interrupted"
	TimedOut    string    // e.g. "The action's timeout passed"
	// kept says what was kept of jobs still running and what to do next:
	// resources keep their IDs in state, actions only name them.
	Kept string
}

// diagnostics reports everything that went wrong in the run.
func (r *Run) Diagnostics(rep Report) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, sub := range r.FailedChunks {
		detail := fmt.Sprintf("Submitting %s for %s (%s) failed.\n\n%s",
			r.Op.API, framework.CountOf(len(sub.IDs), r.Op.IDNoun), framework.AbbreviateIDs(sub.IDs, framework.MaxNamedIDs), r.describeSubmitError(sub.Err, rep))
		if rep.IDsPath.Equal(path.Empty()) {
			diags.AddError(r.Op.Summary, detail)
		} else {
			diags.AddAttributeError(rep.IDsPath, r.Op.Summary, detail)
		}
	}
	if r.Stopped != nil && r.Pending() {
		diags.AddError(r.Op.Summary, r.describeStopped(rep))
	}
	r.addFailedDesktops(&diags)
	for _, e := range framework.Unjoin(r.WaitErr) {
		var failed *workspace.JobFailedError
		switch {
		case errors.As(e, &failed) && len(failed.Result.Failed()) > 0:
			// Reported desktop by desktop above.
		case r.Stopped != nil && (errors.Is(e, context.Canceled) || errors.Is(e, context.DeadlineExceeded)):
			// Reported with the jobs still running, above.
		default:
			diags.AddError(r.Op.Summary, framework.DescribeError(e, r.Credentials))
		}
	}
	return diags
}

// describeSubmitError says what became of a chunk that got no job: whether
// a job may exist for it matters more than the error's wording.
func (r *Run) describeSubmitError(err error, rep Report) string {
	var busy *workspace.DesktopsBusyError
	switch {
	case errors.As(err, &busy):
		why := fmt.Sprintf("The provider stopped trying after %s.", busy.Waited.Round(1e9))
		if busy.Cause != nil {
			why = r.stopPhrase(busy.Cause, rep) + " while waiting to try again."
		}
		return fmt.Sprintf("The service refused all %d attempts because the desktops are busy with another job "+
			"(409 %s), so no job was started for them. %s\n\nThe last answer:\n%s",
			busy.Attempts, workspace.CodeDesktopBusy, why, framework.DescribeError(busy.Last, r.Credentials))
	case errors.Is(err, workspace.ErrNotSubmitted):
		return r.stopPhrase(err, rep) + " before this chunk was sent, so no job was started for it."
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s before the job for them was known (%v). The request may have reached the service: "+
			"check the %ss' snapshots and jobs before trying again.", r.stopPhrase(err, rep), err, r.Op.IDNoun)
	default:
		return framework.DescribeError(err, r.Credentials)
	}
}

func (r *Run) stopPhrase(err error, rep Report) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return rep.TimedOut
	}
	return rep.Interrupted
}

// describeStopped names the jobs still running when the run was stopped,
// each with the last status read and why its polls failed, if they did.
func (r *Run) describeStopped(rep Report) string {
	timedOut := map[string]*workspace.JobTimeoutError{}
	for _, e := range framework.Unjoin(r.WaitErr) {
		var timeout *workspace.JobTimeoutError
		if errors.As(e, &timeout) {
			timedOut[timeout.JobID] = timeout
		}
	}
	var running []string
	for _, id := range r.JobIDs {
		if r.Results[id] != nil {
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
		r.stopPhrase(r.Stopped, rep), len(running), framework.CountOf(len(r.JobIDs), r.Op.API+" job"), strings.Join(running, ", "), rep.Kept)
}

// addFailedDesktops adds one error per desktop whose sub-job failed.
func (r *Run) addFailedDesktops(diags *diag.Diagnostics) {
	var failures []string
	for _, id := range r.JobIDs {
		res := r.Results[id]
		if res == nil {
			continue
		}
		for _, o := range res.Failed() {
			failures = append(failures, DescribeFailedDesktop(res, o))
		}
	}
	sort.Strings(failures)
	for i, f := range failures {
		if i == framework.MaxFailureDiagnostics {
			diags.AddError(r.Op.Summary, fmt.Sprintf("%d more desktops failed; the jobs' sub-jobs list them all "+
				"(data source workspace_job): %s.", len(failures)-i, strings.Join(r.JobIDs, ", ")))
			return
		}
		diags.AddError(r.Op.Summary, f)
	}
}

// DescribeFailedDesktop is the detail of one failed desktop's diagnostic.
func DescribeFailedDesktop(res *workspace.JobResult, o workspace.DesktopOutcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Desktop %s", framework.OrNone(o.DesktopID))
	if o.DesktopName != "" {
		fmt.Fprintf(&b, " (%s)", o.DesktopName)
	}
	fmt.Fprintf(&b, " failed in job %s with status %s (the job ended %s).\n\nError code: %s\nReason: %s",
		res.JobID, framework.OrNone(o.Status), res.Status, framework.OrNone(o.ErrorCode), framework.OrNone(o.FailReason))
	if o.Entity != "" && o.Entity != o.DesktopID {
		fmt.Fprintf(&b, "\nEntity: %s", o.Entity) // free text, shown as the service wrote it
	}
	return b.String()
}
