package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// jobIDsHolder is a resource model that keeps job IDs (job_ids and id).
type jobIDsHolder interface {
	setJobIDs(ids []string)
}

// resourceRecorder records a resource's run: its job IDs go to the model,
// to state and to the resource's identity once the submission ends, before
// the wait, so an interrupted or failed apply leaves state, and an
// identity naming the same jobs, that the next one reconciles.
type resourceRecorder struct {
	ctx      context.Context // a recorder lives for one call
	client   *workspace.Client
	model    jobIDsHolder
	state    *tfsdk.State
	identity *tfsdk.ResourceIdentity
	diags    *diag.Diagnostics
}

var _ jobrun.Recorder = resourceRecorder{}

func (resourceRecorder) Job(workspace.ChunkSubmission) {}

func (r resourceRecorder) Record(jobIDs []string) {
	r.model.setJobIDs(jobIDs)
	r.diags.Append(r.state.Set(r.ctx, stateFormOf(r.model))...)
	r.diags.Append(setJobsIdentity(r.ctx, r.identity, r.client, jobIDs)...)
}

// stateFormOf is model as state holds it: a batch that selects its desktops
// keeps them packed (snapshotBatchModel.stateForm).
func stateFormOf(model any) any {
	if f, ok := model.(interface{ stateForm() any }); ok {
		return f.stateForm()
	}
	return model
}
