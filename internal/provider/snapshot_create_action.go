package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ action.Action                   = (*snapshotCreateAction)(nil)
	_ action.ActionWithConfigure      = (*snapshotCreateAction)(nil)
	_ action.ActionWithValidateConfig = (*snapshotCreateAction)(nil)
	_ action.ActionWithModifyPlan     = (*snapshotCreateAction)(nil)
)

// snapshotCreateAction snapshots desktops once per invocation (Terraform
// 1.14+). Unlike workspace_desktop_snapshot_batch, what it makes is not
// managed by Terraform: destroy deletes nothing.
type snapshotCreateAction struct {
	client           *workspace.Client
	progressInterval time.Duration
}

type snapshotCreateActionModel struct {
	DesktopIDs         types.List   `tfsdk:"desktop_ids"`
	DiskType           types.String `tfsdk:"disk_type"`
	SystemDiskSnapshot types.Object `tfsdk:"system_disk_snapshot"`
	DataDiskSnapshot   types.Object `tfsdk:"data_disk_snapshot"`
	Timeout            types.String `tfsdk:"timeout"`
}

func newSnapshotCreateAction(progressInterval time.Duration) action.Action {
	return &snapshotCreateAction{progressInterval: progressInterval}
}

func (a *snapshotCreateAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_snapshot_create"
}

func (a *snapshotCreateAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (a *snapshotCreateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Snapshots desktops once per invocation (Terraform 1.14 and later), for example before a " +
			"patch run. Each invocation calls `batch-create` in chunks of at most 100 desktops and waits for the jobs. " +
			"It reports the job IDs as soon as they are submitted, progress while they run (including while the " +
			"service says desktops are busy with another job), and each desktop that failed as its own error. The " +
			"snapshots it makes are not managed by Terraform; to create, track and delete snapshots as part of a " +
			"configuration use the `workspace_desktop_snapshot_batch` resource.",
		Attributes: map[string]schema.Attribute{
			"desktop_ids": schema.ListAttribute{
				MarkdownDescription: "IDs of the desktops to snapshot. At least one; any number (they are submitted in chunks of 100). Order and repeats do not matter.",
				ElementType:         types.StringType,
				Required:            true,
				Validators:          framework.IDListValidators("desktop"),
			},
			"disk_type": schema.StringAttribute{
				MarkdownDescription: diskTypeDescription,
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(workspace.DiskTypes...)},
			},
			"system_disk_snapshot": diskSnapshotActionAttribute("system disk"),
			"data_disk_snapshot":   diskSnapshotActionAttribute("data disk"),
			"timeout":              actionTimeoutAttribute(),
		},
	}
}

func (m snapshotCreateActionModel) diskType() string {
	if m.DiskType.IsNull() {
		return workspace.DiskTypeAll
	}
	return m.DiskType.ValueString()
}

func (a *snapshotCreateAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m snapshotCreateActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.DiskType.IsUnknown() {
		return
	}
	checkDiskSettings(m.diskType(), !m.SystemDiskSnapshot.IsNull(), !m.DataDiskSnapshot.IsNull(), &resp.Diagnostics)
}

// ModifyPlan checks again what validation had to skip because it was not
// known yet (an ID list from a data source, say), so it fails the plan
// rather than the invocation.
func (a *snapshotCreateAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var m snapshotCreateActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	framework.CheckKnownIDList(ctx, path.Root("desktop_ids"), "desktop", m.DesktopIDs, &resp.Diagnostics)
	if !m.DiskType.IsUnknown() && !m.SystemDiskSnapshot.IsUnknown() && !m.DataDiskSnapshot.IsUnknown() {
		checkDiskSettings(m.diskType(), !m.SystemDiskSnapshot.IsNull(), !m.DataDiskSnapshot.IsNull(), &resp.Diagnostics)
	}
}

func (a *snapshotCreateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var config snapshotCreateActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	client := clientFrom(a.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	apiReq, diags := batchCreateRequest(ctx, config.DesktopIDs, config.diskType(), config.SystemDiskSnapshot, config.DataDiskSnapshot)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
		return client.SubmitBatchCreate(ctx, apiReq, hooks)
	}
	resp.Diagnostics.Append(runAction(ctx, client, jobrun.Create, path.Root("desktop_ids"), config.Timeout,
		newProgressReporter(resp.SendProgress, a.progressInterval), submit)...)
}
