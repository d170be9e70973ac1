package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// snapshotBatchModel is workspace_desktop_snapshot_batch's state.
type snapshotBatchModel struct {
	ID                    types.String   `tfsdk:"id"`
	DesktopIDs            types.List     `tfsdk:"desktop_ids"`
	DiskType              types.String   `tfsdk:"disk_type"`
	SystemDiskSnapshot    types.Object   `tfsdk:"system_disk_snapshot"`
	DataDiskSnapshot      types.Object   `tfsdk:"data_disk_snapshot"`
	Triggers              types.Map      `tfsdk:"triggers"`
	RetainOnDestroy       types.Bool     `tfsdk:"retain_on_destroy"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
	JobIDs                types.List     `tfsdk:"job_ids"`
	Status                types.String   `tfsdk:"status"`
	SystemDiskSnapshotIDs types.Map      `tfsdk:"system_disk_snapshot_ids"`
	SnapshotDesktopIDs    types.Map      `tfsdk:"snapshot_desktop_ids"`
	FailedDesktops        types.Map      `tfsdk:"failed_desktops"`
}

var diskSnapshotType = objectTypeOf[diskSnapshotModel]()

// batchTimeouts are the operations the batch's timeouts block sets.
var batchTimeouts = timeouts.Opts{Create: true, Delete: true}

func (m *snapshotBatchModel) setJobIDs(ids []string) { m.JobIDs, m.ID = jobIDState(ids) }

func (m *snapshotBatchModel) createRequest(ctx context.Context) (workspace.BatchCreateDesktopSnapshotReq, diag.Diagnostics) {
	return batchCreateRequest(ctx, m.DesktopIDs, m.DiskType.ValueString(), m.SystemDiskSnapshot, m.DataDiskSnapshot)
}

// startPending is the state a create writes before its first job: no
// snapshots yet, status PENDING.
func (m *snapshotBatchModel) startPending() {
	m.Status = types.StringValue(batchStatusPending)
	newBatchSnapshots().setOn(m)
	m.FailedDesktops = stringMapValue(nil)
}

// applyJobResults records what the run's jobs made: their snapshots,
// failed desktops and the overall status. A record is a job's only if it is
// not in baseline (nil for an import, which has no "before"). While a job
// has not ended, or what it made cannot be told apart, the status stays
// PENDING and the error names the desktops and the job; an import only
// warns of them.
func (m *snapshotBatchModel) applyJobResults(ctx context.Context, client *workspace.Client, run *jobRun, baseline map[string]bool, importing bool) diag.Diagnostics {
	var diags diag.Diagnostics
	m.setJobIDs(run.jobIDs)
	req, reqDiags := m.createRequest(ctx)
	diags.Append(reqDiags...)
	opts := workspace.ResolveOptions{DiskType: req.DiskType, Baseline: baseline}
	if req.SystemDiskSnapshot != nil {
		opts.SystemDiskName = req.SystemDiskSnapshot.Name
	}
	if req.DataDiskSnapshot != nil {
		opts.DataDiskName = req.DataDiskSnapshot.Name
	}
	made := newBatchSnapshots()
	failed := map[string]string{}
	unresolved := false
	for _, id := range run.jobIDs {
		res := run.results[id]
		if res == nil {
			continue
		}
		created, err := client.ResolveCreatedSnapshots(ctx, res, opts)
		if err != nil {
			diags.Append(errorDiagnostic("Unable to read the snapshots a job made", err, run.credentials))
			unresolved = true
			continue
		}
		for _, r := range created.Records {
			made.addRecord(r)
		}
		if len(created.Unattributed) > 0 {
			diags.Append(unattributedDiagnostic(id, created.Unattributed, importing))
			unresolved = unresolved || !importing
		}
		for _, f := range res.Failed() {
			failed[f.DesktopID] = describeFailure(f)
		}
	}
	made.setOn(m)
	m.FailedDesktops = stringMapValue(failed)
	m.Status = types.StringValue(run.status())
	if unresolved {
		m.Status = types.StringValue(batchStatusPending)
	}
	return diags
}

// unattributedDiagnostic names desktops whose sub-job succeeded but whose
// new snapshot could not be found.
func unattributedDiagnostic(jobID string, desktops []string, importing bool) diag.Diagnostic {
	what := fmt.Sprintf("Job %s succeeded for %s, but no snapshot among their manual snapshots could be told to be the job's "+
		"(created by it, of the requested disk kinds and names, and not there before it was sent): %s.",
		jobID, countOf(len(desktops), "desktop"), abbreviateIDs(desktops, maxFailureDiagnostics))
	if importing {
		return diag.NewWarningDiagnostic("Snapshots of an imported job not found",
			what+"\n\nThey were probably deleted since; the imported batch does not hold them.")
	}
	return diag.NewErrorDiagnostic("Unable to find the snapshots a job made", what+
		"\n\nThe job IDs stay in state with status PENDING, and the next refresh or destroy looks again. "+
		"If those snapshots were deleted outside Terraform, set retain_on_destroy = true or run terraform state rm to forget the batch.")
}

// describeFailure is a failed desktop's value in failed_desktops.
func describeFailure(o workspace.DesktopOutcome) string {
	return orNone(o.ErrorCode) + ": " + orNone(o.FailReason)
}

// inferDiskType is what an imported batch's disk_type must have been.
func inferDiskType(b batchSnapshots) string {
	switch {
	case b.hasSystem() && !b.hasData():
		return workspace.DiskTypeSystem
	case b.hasData() && !b.hasSystem():
		return workspace.DiskTypeData
	default:
		return workspace.DiskTypeAll
	}
}
