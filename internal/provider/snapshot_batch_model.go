package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// snapshotBatchModel is workspace_desktop_snapshot_batch's state.
type snapshotBatchModel struct {
	ID                 types.String   `tfsdk:"id"`
	DesktopIDs         idSetValue     `tfsdk:"desktop_ids"`
	DiskType           types.String   `tfsdk:"disk_type"`
	SystemDiskSnapshot types.Object   `tfsdk:"system_disk_snapshot"`
	DataDiskSnapshot   types.Object   `tfsdk:"data_disk_snapshot"`
	Triggers           types.Map      `tfsdk:"triggers"`
	RetainOnDestroy    types.Bool     `tfsdk:"retain_on_destroy"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
	JobIDs             types.List     `tfsdk:"job_ids"`
	Status             types.String   `tfsdk:"status"`
	Snapshots          types.List     `tfsdk:"snapshots"`
	FailedDesktops     types.List     `tfsdk:"failed_desktops"`
}

type snapshotRecordModel struct {
	SnapshotID   types.String `tfsdk:"snapshot_id"`
	SnapshotName types.String `tfsdk:"snapshot_name"`
	DesktopID    types.String `tfsdk:"desktop_id"`
	DesktopName  types.String `tfsdk:"desktop_name"`
	IsSystemDisk types.Bool   `tfsdk:"is_system_disk"`
	Status       types.String `tfsdk:"status"`
	CreateTime   types.String `tfsdk:"create_time"`
}

type failedDesktopModel struct {
	DesktopID  types.String `tfsdk:"desktop_id"`
	ErrorCode  types.String `tfsdk:"error_code"`
	FailReason types.String `tfsdk:"fail_reason"`
}

var (
	diskSnapshotType   = objectTypeOf[diskSnapshotModel]()
	snapshotRecordType = objectTypeOf[snapshotRecordModel]()
	failedDesktopType  = objectTypeOf[failedDesktopModel]()
)

// batchTimeouts are the operations the batch's timeouts block sets.
var batchTimeouts = timeouts.Opts{Create: true, Delete: true}

func emptySnapshotList() types.List { return types.ListValueMust(snapshotRecordType, nil) }
func emptyFailedList() types.List   { return types.ListValueMust(failedDesktopType, nil) }

func (m *snapshotBatchModel) setJobIDs(ids []string) { m.JobIDs, m.ID = jobIDState(ids) }

func (m *snapshotBatchModel) createRequest(ctx context.Context) (workspace.BatchCreateDesktopSnapshotReq, diag.Diagnostics) {
	return batchCreateRequest(ctx, m.DesktopIDs, m.DiskType.ValueString(), m.SystemDiskSnapshot, m.DataDiskSnapshot)
}

func (m *snapshotBatchModel) snapshotRecords(ctx context.Context) []snapshotRecordModel {
	var recs []snapshotRecordModel
	if !m.Snapshots.IsNull() && !m.Snapshots.IsUnknown() {
		m.Snapshots.ElementsAs(ctx, &recs, false)
	}
	return recs
}

func (m *snapshotBatchModel) setSnapshots(ctx context.Context, recs []snapshotRecordModel) diag.Diagnostics {
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.DesktopID.ValueString() != b.DesktopID.ValueString() {
			return a.DesktopID.ValueString() < b.DesktopID.ValueString()
		}
		if a.IsSystemDisk.ValueBool() != b.IsSystemDisk.ValueBool() {
			return a.IsSystemDisk.ValueBool()
		}
		return a.SnapshotID.ValueString() < b.SnapshotID.ValueString()
	})
	if recs == nil {
		recs = []snapshotRecordModel{}
	}
	list, diags := types.ListValueFrom(ctx, snapshotRecordType, recs)
	m.Snapshots = list
	return diags
}

// applyJobResults records what the run's jobs made: their snapshots,
// failed desktops and the overall status. While a job has not ended, or what
// it made cannot be resolved, the status stays PENDING.
func (m *snapshotBatchModel) applyJobResults(ctx context.Context, client *workspace.Client, run *jobRun) diag.Diagnostics {
	var diags diag.Diagnostics
	m.setJobIDs(run.jobIDs)
	var records []snapshotRecordModel
	var failed []failedDesktopModel
	unresolved := false
	for _, id := range run.jobIDs {
		res := run.results[id]
		if res == nil {
			continue
		}
		made, err := client.ResolveCreatedSnapshots(ctx, res, workspace.ResolveOptions{})
		if err != nil {
			diags.Append(errorDiagnostic("Unable to read the snapshots a job made", err, run.credentials))
			unresolved = true
		}
		for _, s := range made {
			records = append(records, recordModel(s))
		}
		for _, f := range res.Failed() {
			failed = append(failed, failedDesktopModel{
				DesktopID: types.StringValue(f.DesktopID), ErrorCode: types.StringValue(f.ErrorCode),
				FailReason: types.StringValue(f.FailReason),
			})
		}
	}
	diags.Append(m.setSnapshots(ctx, records)...)
	sort.Slice(failed, func(i, j int) bool { return failed[i].DesktopID.ValueString() < failed[j].DesktopID.ValueString() })
	if failed == nil {
		failed = []failedDesktopModel{}
	}
	list, d := types.ListValueFrom(ctx, failedDesktopType, failed)
	diags.Append(d...)
	m.FailedDesktops = list
	m.Status = types.StringValue(run.status())
	if unresolved {
		m.Status = types.StringValue(batchStatusPending)
	}
	return diags
}

func recordModel(s workspace.DesktopSnapshotDetailInfo) snapshotRecordModel {
	return snapshotRecordModel{
		SnapshotID:   types.StringValue(s.SnapshotId),
		SnapshotName: types.StringValue(s.SnapshotName),
		DesktopID:    types.StringValue(s.DesktopId),
		DesktopName:  types.StringValue(s.DesktopName),
		IsSystemDisk: types.BoolValue(s.IsSystemDisk != nil && *s.IsSystemDisk),
		Status:       types.StringValue(s.Status),
		CreateTime:   types.StringValue(s.CreateTime),
	}
}

func inferDiskType(records []snapshotRecordModel) string {
	var system, data bool
	for _, r := range records {
		if r.IsSystemDisk.ValueBool() {
			system = true
		} else {
			data = true
		}
	}
	switch {
	case system && !data:
		return workspace.DiskTypeSystem
	case data && !system:
		return workspace.DiskTypeData
	default:
		return workspace.DiskTypeAll
	}
}

// refreshRecords keeps the state's records that still exist, with fresh values.
func refreshRecords(known []snapshotRecordModel, listed []workspace.DesktopSnapshotDetailInfo) []snapshotRecordModel {
	byID := make(map[string]workspace.DesktopSnapshotDetailInfo, len(listed))
	for _, l := range listed {
		byID[l.SnapshotId] = l
	}
	var kept []snapshotRecordModel
	for _, k := range known {
		if l, ok := byID[k.SnapshotID.ValueString()]; ok {
			kept = append(kept, recordModel(l))
		}
	}
	return kept
}
