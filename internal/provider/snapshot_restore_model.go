package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// snapshotRestoreModel is workspace_desktop_snapshot_restore's state.
type snapshotRestoreModel struct {
	ID             types.String   `tfsdk:"id"`
	SnapshotIDs    types.List     `tfsdk:"snapshot_ids"`
	Triggers       types.Map      `tfsdk:"triggers"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
	JobIDs         types.List     `tfsdk:"job_ids"`
	Status         types.String   `tfsdk:"status"`
	DesktopStatus  types.Map      `tfsdk:"desktop_status"`
	FailedDesktops types.Map      `tfsdk:"failed_desktops"`
}

// restoreTimeouts are the operations the restore's timeouts block sets.
var restoreTimeouts = timeouts.Opts{Create: true}

func (m *snapshotRestoreModel) setJobIDs(ids []string) { m.JobIDs, m.ID = jobIDState(ids) }

// startPending is the state a restore writes before its first job.
func (m *snapshotRestoreModel) startPending() {
	m.Status = types.StringValue(batchStatusPending)
	m.DesktopStatus = stringMapValue(nil)
	m.FailedDesktops = stringMapValue(nil)
}

// applyResults records the outcome per desktop and the overall status.
func (m *snapshotRestoreModel) applyResults(run *jobRun) {
	m.setJobIDs(run.jobIDs)
	status := map[string]string{}
	failed := map[string]string{}
	for _, id := range run.jobIDs {
		res := run.results[id]
		if res == nil {
			continue
		}
		for _, o := range res.Outcomes {
			status[o.DesktopID] = o.Status
			if !o.Succeeded() {
				failed[o.DesktopID] = describeFailure(o)
			}
		}
	}
	m.DesktopStatus = stringMapValue(status)
	m.FailedDesktops = stringMapValue(failed)
	m.Status = types.StringValue(run.status())
}
