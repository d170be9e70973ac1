package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Job bookkeeping shared by the resources and actions that start Workspace jobs.

// jobIDState renders job IDs as the job_ids list and the id that joins them.
func jobIDState(ids []string) (types.List, types.String) {
	return stringList(ids), types.StringValue(strings.Join(ids, ","))
}

// stringElements is a list or set of strings.
type stringElements interface {
	ElementsAs(context.Context, any, bool) diag.Diagnostics
}

// listStrings reads a list or set of strings; unknown or null gives nil.
func listStrings(ctx context.Context, v stringElements) []string {
	var out []string
	v.ElementsAs(ctx, &out, false)
	return out
}

// jobsFinished reports whether every job has reached a terminal status.
func jobsFinished(ctx context.Context, client *workspace.Client, jobIDs []string) (bool, error) {
	for _, id := range jobIDs {
		job, err := client.ShowJob(ctx, id)
		if err != nil {
			return false, err
		}
		if !workspace.JobDone(job.Status) {
			return false, nil
		}
	}
	return true, nil
}

// parseJobIDs reads an import ID: one or more job IDs separated by commas.
func parseJobIDs(id string) ([]string, bool) {
	var ids []string
	for _, part := range strings.Split(id, ",") {
		part = strings.TrimSpace(part)
		if !resourceIDPattern.MatchString(part) {
			return nil, false
		}
		ids = append(ids, part)
	}
	return ids, len(ids) > 0
}

// importJobs reads the finished jobs an import ID names and checks that each
// is of jobType. A job that ended with failed desktops still imports: its
// outcome is part of the record.
func importJobs(ctx context.Context, client *workspace.Client, importID, jobType, summary, example string) ([]string, map[string]*workspace.JobResult, diag.Diagnostics) {
	var diags diag.Diagnostics
	jobIDs, ok := parseJobIDs(importID)
	if !ok {
		diags.AddError("Invalid import ID", fmt.Sprintf(
			"Expected one or more %s job IDs separated by commas, e.g. %q; got %q.", example, "job-1,job-2", importID))
		return nil, nil, diags
	}
	results, err := client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{FirstPoll: firstPollForFinishedJobs})
	var failed *workspace.JobFailedError
	if err != nil && !errors.As(err, &failed) {
		diags.Append(errorDiagnostic(summary, err, client.CredentialSource()))
		return nil, nil, diags
	}
	for _, id := range jobIDs {
		res := results[id]
		switch {
		case res == nil:
			diags.AddError(summary, fmt.Sprintf("Job %s did not end.", id))
		case res.JobType != jobType:
			diags.AddError(summary, fmt.Sprintf("Job %s is a %q job; import takes %s (%s) job IDs.", id, res.JobType, example, jobType))
		}
	}
	if diags.HasError() {
		return nil, nil, diags
	}
	return jobIDs, results, diags
}

// firstPollForFinishedJobs: when the jobs are expected to have ended already
// (import, refresh of an interrupted create), the first poll need not wait.
const firstPollForFinishedJobs = time.Millisecond
