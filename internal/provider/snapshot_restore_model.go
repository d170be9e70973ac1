package provider

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// snapshotRestoreModel is workspace_desktop_snapshot_restore's state.
type snapshotRestoreModel struct {
	ID          types.String   `tfsdk:"id"`
	SnapshotIDs idSetValue     `tfsdk:"snapshot_ids"`
	Triggers    types.Map      `tfsdk:"triggers"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
	JobIDs      types.List     `tfsdk:"job_ids"`
	Status      types.String   `tfsdk:"status"`
	Results     types.List     `tfsdk:"results"`
}

type restoreResultModel struct {
	DesktopID  types.String `tfsdk:"desktop_id"`
	SnapshotID types.String `tfsdk:"snapshot_id"`
	Status     types.String `tfsdk:"status"`
	ErrorCode  types.String `tfsdk:"error_code"`
	FailReason types.String `tfsdk:"fail_reason"`
}

var restoreResultType = objectTypeOf[restoreResultModel]()

// restoreTimeouts are the operations the restore's timeouts block sets.
var restoreTimeouts = timeouts.Opts{Create: true}

func (m *snapshotRestoreModel) setJobIDs(ids []string) { m.JobIDs, m.ID = jobIDState(ids) }

// applyResults records the outcome per desktop and the overall status.
func (m *snapshotRestoreModel) applyResults(ctx context.Context, run *jobRun) diag.Diagnostics {
	m.setJobIDs(run.jobIDs)
	rows := []restoreResultModel{}
	for _, id := range run.jobIDs {
		res := run.results[id]
		if res == nil {
			continue
		}
		for _, o := range res.Outcomes {
			rows = append(rows, restoreResultModel{
				DesktopID: types.StringValue(o.DesktopID), SnapshotID: types.StringValue(o.Entity),
				Status: types.StringValue(o.Status), ErrorCode: types.StringValue(o.ErrorCode),
				FailReason: types.StringValue(o.FailReason),
			})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].DesktopID.ValueString() < rows[j].DesktopID.ValueString() })
	list, diags := types.ListValueFrom(ctx, restoreResultType, rows)
	m.Results = list
	m.Status = types.StringValue(run.status())
	return diags
}

func splitEntity(entity string) []string {
	var ids []string
	for _, p := range strings.Split(entity, ",") {
		if p = strings.TrimSpace(p); p != "" {
			ids = append(ids, p)
		}
	}
	return ids
}
