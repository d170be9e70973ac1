package provider

import (
	"context"
	"fmt"

	actionschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// The snapshot settings that workspace_desktop_snapshot_batch and the
// workspace_desktop_snapshot_create action share: disk_type, the name and
// description of each disk kind's snapshots, and the batch-create body they
// make.

// diskSnapshotModel is system_disk_snapshot or data_disk_snapshot.
type diskSnapshotModel struct {
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
}

const diskTypeDescription = "Which disks to snapshot: `SYSTEM_DISK`, `DATA_DISKS` or `ALL` (the default)."

func diskSnapshotDescription(disk string) string {
	// The disk_type that takes no snapshot of this disk (checkDiskSettings).
	excluded := workspace.DiskTypeData
	if disk == "data disk" {
		excluded = workspace.DiskTypeSystem
	}
	return fmt.Sprintf("Name and description of the %s snapshots. The service names each snapshot "+
		"desktop name + `name` + a timestamp. Not allowed with `disk_type = %q`, which takes no %s snapshot.",
		disk, excluded, disk)
}

func snapshotNameDescription(disk string) string {
	return fmt.Sprintf("Name given to the %s snapshots, at most %d characters (Unicode characters, not bytes).",
		disk, workspace.MaxSnapshotNameLength)
}

func snapshotDescriptionDescription(disk string) string {
	return fmt.Sprintf("Description of the %s snapshots, at most %d characters (Unicode characters, not bytes).",
		disk, workspace.MaxSnapshotDescriptionLength)
}

func snapshotNameValidators() []validator.String {
	return []validator.String{framework.MaxCharacters(workspace.MaxSnapshotNameLength)}
}

func snapshotDescriptionValidators() []validator.String {
	return []validator.String{framework.MaxCharacters(workspace.MaxSnapshotDescriptionLength)}
}

// topLevelValidators reports what vs find at the top-level attribute:
// resources run on Terraform 1.11, which cannot place a nested attribute's
// error (framework.AtTopLevel). Actions need 1.14, which can.
func topLevelValidators(vs []validator.String) []validator.String {
	out := make([]validator.String, len(vs))
	for i, v := range vs {
		out[i] = framework.AtTopLevel{String: v}
	}
	return out
}

// diskSnapshotResourceAttribute is the resource's form: changing it replaces the batch.
func diskSnapshotResourceAttribute(disk string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: diskSnapshotDescription(disk),
		Optional:            true,
		PlanModifiers:       []planmodifier.Object{objectplanmodifier.RequiresReplace()},
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: snapshotNameDescription(disk),
				Optional:            true,
				Validators:          topLevelValidators(snapshotNameValidators()),
			},
			"description": schema.StringAttribute{
				MarkdownDescription: snapshotDescriptionDescription(disk),
				Optional:            true,
				Validators:          topLevelValidators(snapshotDescriptionValidators()),
			},
		},
	}
}

// diskSnapshotActionAttribute is the action's form of the same settings.
func diskSnapshotActionAttribute(disk string) actionschema.SingleNestedAttribute {
	return actionschema.SingleNestedAttribute{
		MarkdownDescription: diskSnapshotDescription(disk),
		Optional:            true,
		Attributes: map[string]actionschema.Attribute{
			"name": actionschema.StringAttribute{
				MarkdownDescription: snapshotNameDescription(disk),
				Optional:            true,
				Validators:          snapshotNameValidators(),
			},
			"description": actionschema.StringAttribute{
				MarkdownDescription: snapshotDescriptionDescription(disk),
				Optional:            true,
				Validators:          snapshotDescriptionValidators(),
			},
		},
	}
}

// checkDiskSettings rejects naming snapshots of a disk kind that is not snapshotted.
func checkDiskSettings(diskType string, hasSystem, hasData bool, diags *diag.Diagnostics) {
	if diskType == workspace.DiskTypeData && hasSystem {
		diags.AddAttributeError(path.Root("system_disk_snapshot"), "Conflicting disk settings",
			`system_disk_snapshot is set but disk_type is "DATA_DISKS", which takes no system disk snapshot: `+
				`remove system_disk_snapshot or set disk_type to "SYSTEM_DISK" or "ALL".`)
	}
	if diskType == workspace.DiskTypeSystem && hasData {
		diags.AddAttributeError(path.Root("data_disk_snapshot"), "Conflicting disk settings",
			`data_disk_snapshot is set but disk_type is "SYSTEM_DISK", which takes no data disk snapshots: `+
				`remove data_disk_snapshot or set disk_type to "DATA_DISKS" or "ALL".`)
	}
}

// batchCreateRequest builds the batch-create body from the shared arguments.
func batchCreateRequest(ctx context.Context, desktopIDs framework.StringCollection, diskType string, system, data types.Object) (workspace.BatchCreateDesktopSnapshotReq, diag.Diagnostics) {
	req := workspace.BatchCreateDesktopSnapshotReq{
		DesktopIds: framework.DistinctIDs(framework.StringsOf(ctx, desktopIDs)),
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
