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
	FailedDesktops types.Map      `tfsdk:"failed_desktops"`
}

// restoreTimeouts are the operations the restore's timeouts block sets.
var restoreTimeouts = timeouts.Opts{Create: true}

func (m *snapshotRestoreModel) setJobIDs(ids []string) { m.JobIDs, m.ID = jobIDState(ids) }

// startPending is the state a restore writes before its first job.
func (m *snapshotRestoreModel) startPending() {
	m.Status = types.StringValue(batchStatusPending)
	m.FailedDesktops = stringMapValue(nil)
}

// applyResults records the failed desktops and the overall status. The
// status of every desktop is not kept: at 1000 desktops that map was a
// third of a restore's state, which every later plan, refresh and destroy
// paid for, and SUCCESS in status says the same of each.
func (m *snapshotRestoreModel) applyResults(run *jobRun) {
	m.setJobIDs(run.jobIDs)
	failed := map[string]string{}
	for _, id := range run.jobIDs {
		res := run.results[id]
		if res == nil {
			continue
		}
		for _, o := range res.Outcomes {
			if !o.Succeeded() {
				failed[o.DesktopID] = describeFailure(o)
			}
		}
	}
	m.FailedDesktops = stringMapValue(failed)
	m.Status = types.StringValue(run.status())
}
