package provider

import (
	"context"
	"strings"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// snapshotRestoreModel is workspace_desktop_snapshot_restore's state.
type snapshotRestoreModel struct {
	ID              types.String   `tfsdk:"id"`
	SnapshotIDs     types.List     `tfsdk:"snapshot_ids"`
	SnapshotIDsJSON types.Map      `tfsdk:"snapshot_ids_json"`
	Triggers        types.Map      `tfsdk:"triggers"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
	JobIDs          types.List     `tfsdk:"job_ids"`
	Status          types.String   `tfsdk:"status"`
	FailedDesktops  types.Map      `tfsdk:"failed_desktops"`
}

// restoreTimeouts are the operations the restore's timeouts block sets: an
// update restores the snapshots newly named, so it waits for jobs too.
var restoreTimeouts = timeouts.Opts{Create: true, Update: true}

// snapshotIDs are the distinct snapshot IDs the restore names, sorted,
// from whichever of snapshot_ids and snapshot_ids_json is set: everything
// that acts on the snapshots reads them here, so both forms mean the same.
func (m *snapshotRestoreModel) snapshotIDs(ctx context.Context) ([]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	docs, known := knownStrings(m.SnapshotIDsJSON)
	if m.SnapshotIDsJSON.IsNull() || m.SnapshotIDsJSON.IsUnknown() || !known {
		return framework.DistinctIDs(framework.StringsOf(ctx, m.SnapshotIDs)), diags
	}
	return decodeSnapshotIDsJSONMap(path.Root("snapshot_ids_json"), docs)
}

// snapshotIDsKnown reports whether the restore's snapshot IDs are known
// (none of the attributes nor list elements is unknown).
func (m *snapshotRestoreModel) snapshotIDsKnown() bool {
	if m.SnapshotIDs.IsUnknown() || m.SnapshotIDsJSON.IsUnknown() {
		return false
	}
	for _, e := range m.SnapshotIDs.Elements() {
		if e.IsUnknown() {
			return false
		}
	}
	_, known := knownStrings(m.SnapshotIDsJSON)
	return known
}

// idsPath is the attribute that names the snapshots, for diagnostics.
func (m *snapshotRestoreModel) idsPath() path.Path {
	if !m.SnapshotIDsJSON.IsNull() {
		return path.Root("snapshot_ids_json")
	}
	return path.Root("snapshot_ids")
}

func (m *snapshotRestoreModel) setJobIDs(ids []string) { m.JobIDs, m.ID = jobIDState(ids) }

// identityJobIDs are the jobs of the restore's identity: those it was
// created (or imported) with, which id lists. An update's jobs are in
// job_ids only, so the identity never changes once made.
func (m *snapshotRestoreModel) identityJobIDs(ctx context.Context) []string {
	if m.ID.ValueString() == "" {
		return framework.StringsOf(ctx, m.JobIDs)
	}
	return strings.Split(m.ID.ValueString(), ",")
}

// startPending is the state a restore writes before its first job.
func (m *snapshotRestoreModel) startPending() {
	m.Status = types.StringValue(jobrun.StatusPending)
	m.FailedDesktops = framework.StringMapValue(nil)
}

// applyResults records the failed desktops and the overall status. The
// status of every desktop is not kept: at 1000 desktops that map was a
// third of a restore's state, which every later plan, refresh and destroy
// paid for, and SUCCESS in status says the same of each.
func (m *snapshotRestoreModel) applyResults(run *jobrun.Run) {
	m.setJobIDs(run.JobIDs)
	m.FailedDesktops = framework.StringMapValue(addFailures(map[string]string{}, run))
	m.Status = types.StringValue(run.Status())
}

// mergeFailures adds the failed desktops of the run's ended jobs to those
// already recorded; a desktop's latest failure wins. A success does not
// clear an earlier failure: it may be of another of the desktop's disks.
func (m *snapshotRestoreModel) mergeFailures(ctx context.Context, run *jobrun.Run) {
	failed := framework.StringMapOf(ctx, m.FailedDesktops)
	if failed == nil {
		failed = map[string]string{}
	}
	m.FailedDesktops = framework.StringMapValue(addFailures(failed, run))
}

// addFailures adds each failed desktop of the run's ended jobs to failed,
// with why, and returns it.
func addFailures(failed map[string]string, run *jobrun.Run) map[string]string {
	for _, id := range run.JobIDs {
		res := run.Results[id]
		if res == nil {
			continue
		}
		for _, o := range res.Outcomes {
			if !o.Succeeded() {
				failed[o.DesktopID] = describeFailure(o)
			}
		}
	}
	return failed
}

// mergedStatus is the status of a restore whose recorded jobs sum up as
// settled ("" when none is recorded) and whose latest ones as latest.
func mergedStatus(settled, latest string) string {
	switch {
	case settled == "" || settled == latest:
		return latest
	case settled == jobrun.StatusPending || latest == jobrun.StatusPending:
		return jobrun.StatusPending
	default:
		return jobrun.StatusPartialFailure
	}
}
