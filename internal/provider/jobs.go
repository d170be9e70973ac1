package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Job IDs in state, and importing resources by their job IDs.

// jobIDState renders job IDs as the job_ids list and the id that joins them.
func jobIDState(ids []string) (types.List, types.String) {
	return framework.StringListValue(ids), types.StringValue(strings.Join(ids, ","))
}

// failedDesktopsAttribute is failed_desktops of a resource whose jobs do
// what (a "snapshot" or "restore").
func failedDesktopsAttribute(what string) schema.MapAttribute {
	return schema.MapAttribute{
		MarkdownDescription: "Desktops whose " + what + " sub-job failed, by desktop ID: the service's error code and reason, " +
			"as `CODE: reason`.",
		ElementType:   types.StringType,
		Computed:      true,
		PlanModifiers: []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
	}
}

// parseJobIDs reads an import ID: one or more job IDs separated by commas.
func parseJobIDs(id string) ([]string, bool) {
	var ids []string
	for _, part := range strings.Split(id, ",") {
		part = strings.TrimSpace(part)
		if !framework.ResourceIDPattern.MatchString(part) {
			return nil, false
		}
		ids = append(ids, part)
	}
	return ids, len(ids) > 0
}

// importJobs reads the finished jobs an import ID names and checks that each
// is of a type this import takes (jobTypes says which, for the error). A job
// that ended with failed desktops still imports: its outcome is part of the
// record.
func importJobs(ctx context.Context, client *workspace.Client, importID string, op jobrun.Operation, accepts func(jobType string) bool, jobTypes, summary string) (*jobrun.Run, diag.Diagnostics) {
	var diags diag.Diagnostics
	jobIDs, ok := parseJobIDs(importID)
	if !ok {
		diags.AddError("Invalid import ID", fmt.Sprintf(
			"Expected one or more %s job IDs separated by commas, e.g. %q; got %q.", op.API, "job-1,job-2", importID))
		return nil, diags
	}
	run := &jobrun.Run{Op: op, Credentials: client.CredentialSource(), JobIDs: jobIDs}
	run.Wait(ctx, client, workspace.WaitOptions{FirstPoll: jobrun.FirstPollForFinishedJobs})
	for _, e := range framework.Unjoin(run.WaitErr) {
		var failed *workspace.JobFailedError
		if !errors.As(e, &failed) {
			diags.Append(framework.ErrorDiagnostic(summary, e, run.Credentials))
		}
	}
	if diags.HasError() {
		return nil, diags
	}
	for _, id := range jobIDs {
		res := run.Results[id]
		switch {
		case res == nil:
			diags.AddError(summary, fmt.Sprintf("Job %s did not end.", id))
		case !accepts(res.JobType):
			diags.AddError(summary, fmt.Sprintf("Job %s is a %q job; import takes %s job IDs (%s).", id, res.JobType, op.API, jobTypes))
		}
	}
	if diags.HasError() {
		return nil, diags
	}
	return run, diags
}
