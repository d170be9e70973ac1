package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

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

type diskSnapshotModel struct {
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
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
	diskSnapshotAttrTypes = map[string]attr.Type{"name": types.StringType, "description": types.StringType}
	snapshotRecordType    = types.ObjectType{AttrTypes: map[string]attr.Type{
		"snapshot_id": types.StringType, "snapshot_name": types.StringType, "desktop_id": types.StringType,
		"desktop_name": types.StringType, "is_system_disk": types.BoolType, "status": types.StringType,
		"create_time": types.StringType,
	}}
	failedDesktopType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"desktop_id": types.StringType, "error_code": types.StringType, "fail_reason": types.StringType,
	}}
)

func timeoutsAttrTypes(ctx context.Context) map[string]attr.Type {
	return timeouts.Attributes(ctx, timeouts.Opts{Create: true, Delete: true}).GetType().(timeouts.Type).AttrTypes
}

func emptySnapshotList() types.List { return types.ListValueMust(snapshotRecordType, nil) }
func emptyFailedList() types.List   { return types.ListValueMust(failedDesktopType, nil) }

func (m *snapshotBatchModel) createRequest(ctx context.Context) (workspace.BatchCreateDesktopSnapshotReq, diag.Diagnostics) {
	return batchCreateRequest(ctx, m.DesktopIDs, m.DiskType.ValueString(), m.SystemDiskSnapshot, m.DataDiskSnapshot)
}

// batchCreateRequest builds the batch-create body from the arguments the
// resource and the create action share.
func batchCreateRequest(ctx context.Context, desktopIDs stringElements, diskType string, system, data types.Object) (workspace.BatchCreateDesktopSnapshotReq, diag.Diagnostics) {
	req := workspace.BatchCreateDesktopSnapshotReq{
		DesktopIds: sortedStrings(listStrings(ctx, desktopIDs)),
		DiskType:   diskType,
	}
	var diags diag.Diagnostics
	for _, d := range []struct {
		obj  types.Object
		dest **workspace.DiskSnapshotInfo
	}{{system, &req.SystemDiskSnapshot}, {data, &req.DataDiskSnapshot}} {
		if d.obj.IsNull() || d.obj.IsUnknown() {
			continue
		}
		var info diskSnapshotModel
		diags.Append(d.obj.As(ctx, &info, basetypes.ObjectAsOptions{})...)
		*d.dest = &workspace.DiskSnapshotInfo{Name: info.Name.ValueString(), Description: info.Description.ValueString()}
	}
	return req, diags
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

// applyJobResults records what finished jobs made: their snapshots, failed
// desktops and the overall status. Jobs without a result keep it PENDING.
func (m *snapshotBatchModel) applyJobResults(ctx context.Context, client *workspace.Client, jobIDs []string, results map[string]*workspace.JobResult) diag.Diagnostics {
	var diags diag.Diagnostics
	m.JobIDs, m.ID = jobIDState(jobIDs)
	var records []snapshotRecordModel
	var failed []failedDesktopModel
	total, failures, pending := 0, 0, false
	for _, id := range jobIDs {
		res := results[id]
		if res == nil {
			pending = true
			continue
		}
		made, err := client.ResolveCreatedSnapshots(ctx, res, workspace.ResolveOptions{})
		if err != nil {
			diags.Append(errorDiagnostic("Unable to read the snapshots a job made", err, ""))
			pending = true
		}
		for _, s := range made {
			records = append(records, recordModel(s))
		}
		total += len(res.Outcomes)
		for _, f := range res.Failed() {
			failures++
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
	m.Status = types.StringValue(overallStatus(pending, failures, total))
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
