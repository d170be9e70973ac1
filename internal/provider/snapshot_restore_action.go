package provider

import (
	"context"
	"time"

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
	_ action.Action               = (*snapshotRestoreAction)(nil)
	_ action.ActionWithConfigure  = (*snapshotRestoreAction)(nil)
	_ action.ActionWithModifyPlan = (*snapshotRestoreAction)(nil)
)

// snapshotRestoreAction is the Terraform 1.14+ action twin of the
// workspace_desktop_snapshot_restore resource.
type snapshotRestoreAction struct {
	client           *workspace.Client
	progressInterval time.Duration
}

type snapshotRestoreActionModel struct {
	SnapshotIDs types.List   `tfsdk:"snapshot_ids"`
	Timeout     types.String `tfsdk:"timeout"`
}

func newSnapshotRestoreAction(progressInterval time.Duration) action.Action {
	return &snapshotRestoreAction{progressInterval: progressInterval}
}

func (a *snapshotRestoreAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_snapshot_restore"
}

func (a *snapshotRestoreAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (a *snapshotRestoreAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Restores desktops to snapshots (Terraform 1.14 and later). Each invocation calls " +
			"`batch-restore` in chunks of at most 100 snapshots, keeping each desktop's snapshots in one chunk, and " +
			"waits for the jobs. It reports the job IDs as soon as they are submitted, progress while they run " +
			"(including while the service says desktops are busy with another job), and each desktop that failed " +
			"as its own error. On Terraform 1.11 to 1.13 use the `workspace_desktop_snapshot_restore` resource instead.",
		Attributes: map[string]schema.Attribute{
			"snapshot_ids": schema.ListAttribute{
				MarkdownDescription: "Snapshot record IDs to restore (for example from the `workspace_desktop_snapshots` " +
					"data source). At least one; any number. At most one per desktop and disk. Order and repeats do not matter.",
				ElementType: types.StringType,
				Required:    true,
				Validators:  framework.IDListValidators("snapshot"),
			},
			"timeout": actionTimeoutAttribute(),
		},
	}
}

// actionTimeoutAttribute bounds the whole invocation, submission and wait.
func actionTimeoutAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "How long the action may take, submission and wait together, as a duration such as " +
			"`\"45m\"`. Defaults to `\"30m\"`. When it passes, the jobs keep running in the service and the error names them.",
		Optional:   true,
		Validators: []validator.String{framework.DurationValidator{}},
	}
}

// ModifyPlan checks the snapshot IDs once they are known (see the create action).
func (a *snapshotRestoreAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var m snapshotRestoreActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	framework.CheckKnownIDList(ctx, path.Root("snapshot_ids"), "snapshot", m.SnapshotIDs, &resp.Diagnostics)
}

func (a *snapshotRestoreAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var config snapshotRestoreActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	client := clientFrom(a.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	snapshotIDs := framework.DistinctIDs(framework.StringsOf(ctx, config.SnapshotIDs))
	submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
		return client.SubmitBatchRestore(ctx, snapshotIDs, hooks)
	}
	resp.Diagnostics.Append(runAction(ctx, client, jobrun.Restore, path.Root("snapshot_ids"), config.Timeout,
		newProgressReporter(resp.SendProgress, a.progressInterval), submit)...)
}
