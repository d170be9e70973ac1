package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// jobIDsHolder is a resource model that keeps job IDs (job_ids and id).
type jobIDsHolder interface {
	setJobIDs(ids []string)
}

// resourceRunHooks are the hooks of a resource's run: its job IDs go to the
// model as they become known, and to state and to the resource's identity
// once the submission ends, before the wait, so an interrupted or failed
// apply leaves state, and an identity naming the same jobs, that the next
// one reconciles; busy desktops are logged.
func resourceRunHooks(ctx context.Context, op jobrun.Operation, client *workspace.Client, model jobIDsHolder, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) jobrun.Hooks {
	var jobIDs []string
	return jobrun.Hooks{
		Submitted: func(sub workspace.ChunkSubmission) {
			jobIDs = append(jobIDs, sub.JobID)
			model.setJobIDs(jobIDs)
			tflog.Debug(ctx, "job submitted", map[string]any{"api": op.API, "job_id": sub.JobID, op.IDNoun + "s": len(sub.IDs)})
		},
		Recorded: func() {
			diags.Append(state.Set(ctx, stateFormOf(model))...)
			diags.Append(setJobsIdentity(ctx, identity, client, jobIDs)...)
		},
		Busy: func(n workspace.BusyNotice) { jobrun.LogBusy(ctx, op, n) },
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
