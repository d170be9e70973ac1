package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ resource.Resource                = (*snapshotRestoreResource)(nil)
	_ resource.ResourceWithConfigure   = (*snapshotRestoreResource)(nil)
	_ resource.ResourceWithImportState = (*snapshotRestoreResource)(nil)
)

type snapshotRestoreResource struct {
	client *workspace.Client
}

func newSnapshotRestoreResource() resource.Resource { return &snapshotRestoreResource{} }

func (r *snapshotRestoreResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_snapshot_restore"
}

func (r *snapshotRestoreResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (r *snapshotRestoreResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Restores desktops to snapshots, as an action-style resource: creating it, and every " +
			"replacement (a change of `snapshot_ids` or `triggers`), calls `batch-restore` in chunks of at most 100 " +
			"snapshots and waits for the jobs. **Destroying it makes no API call**: it only removes the record of " +
			"the restore from state; the desktops stay as they are. On Terraform 1.14 and later, the " +
			"`workspace_desktop_snapshot_restore` action restores without keeping a resource.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The restore job IDs, comma separated.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"snapshot_ids": schema.SetAttribute{
				MarkdownDescription: "Snapshot record IDs to restore (for example from the `workspace_desktop_snapshots` data " +
					"source). At least one; any number. At most one per desktop and disk.",
				ElementType:   types.StringType,
				CustomType:    newIDSetType(),
				Required:      true,
				Validators:    idSetValidators("snapshot"),
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; changing any of them replaces the resource, which restores again.",
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true}),
			"job_ids": schema.ListAttribute{
				MarkdownDescription: "One `batch-restore` job ID per chunk of at most 100 snapshots.",
				ElementType:         types.StringType,
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`SUCCESS`, `PARTIAL_FAILURE`, `FAILED` or `PENDING` (interrupted; refreshed from the jobs).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"results": schema.ListNestedAttribute{
				MarkdownDescription: "Outcome per desktop, sorted by desktop ID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"desktop_id":  schema.StringAttribute{MarkdownDescription: "Desktop ID.", Computed: true},
					"snapshot_id": schema.StringAttribute{MarkdownDescription: "Snapshot ID(s) restored on the desktop, comma separated.", Computed: true},
					"status":      schema.StringAttribute{MarkdownDescription: "Sub-job status: `SUCCESS`, `FAILED`, or a pending status.", Computed: true},
					"error_code":  schema.StringAttribute{MarkdownDescription: "Error code of a failed sub-job.", Computed: true},
					"fail_reason": schema.StringAttribute{MarkdownDescription: "Why the sub-job failed.", Computed: true},
				}},
			},
		},
	}
}

func (r *snapshotRestoreResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan snapshotRestoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultBatchTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var snapshotIDs []string
	resp.Diagnostics.Append(plan.SnapshotIDs.ElementsAs(ctx, &snapshotIDs, false)...)
	plan.Status = types.StringValue(batchStatusPending)
	plan.Results = types.ListValueMust(restoreResultType, nil)

	var jobIDs []string
	recordJob := func(sub workspace.ChunkSubmission) {
		jobIDs = append(jobIDs, sub.JobID)
		plan.JobIDs, plan.ID = jobIDState(jobIDs)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		tflog.Debug(ctx, "snapshot restore job submitted", map[string]any{"job_id": sub.JobID, "snapshots": len(sub.IDs)})
	}
	var submitErrs []error
	for _, s := range client.SubmitBatchRestore(ctx, sortedStrings(snapshotIDs), recordJob) {
		if s.Err != nil {
			submitErrs = append(submitErrs, fmt.Errorf("snapshots %s: %w", strings.Join(s.IDs, ", "), s.Err))
		}
	}
	if len(jobIDs) == 0 {
		resp.Diagnostics.Append(errorDiagnostic("Unable to restore desktop snapshots", errors.Join(submitErrs...), r.client.CredentialSource()))
		return
	}
	results, waitErr := client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{})
	resp.Diagnostics.Append(plan.applyResults(ctx, jobIDs, results)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if len(submitErrs) > 0 {
		resp.Diagnostics.Append(errorDiagnostic("Unable to restore desktop snapshots", errors.Join(submitErrs...), r.client.CredentialSource()))
	}
	if waitErr != nil {
		resp.Diagnostics.Append(errorDiagnostic("Unable to restore desktop snapshots", waitErr, r.client.CredentialSource()))
	}
}

func (r *snapshotRestoreResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotRestoreModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || state.Status.ValueString() != batchStatusPending {
		return // a finished restore's record does not change
	}
	jobIDs := listStrings(ctx, state.JobIDs)
	done, err := jobsFinished(ctx, client, jobIDs)
	switch {
	case workspace.IsNotFound(err):
		return // the job records are gone; keep the last known outcome
	case err != nil:
		resp.Diagnostics.Append(errorDiagnostic("Unable to read the desktop snapshot restore", err, r.client.CredentialSource()))
		return
	case done:
		results, _ := client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{FirstPoll: firstPollForFinishedJobs})
		resp.Diagnostics.Append(state.applyResults(ctx, jobIDs, results)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}

func (r *snapshotRestoreResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan snapshotRestoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete makes no API call: a restore cannot be undone, so destroying the
// resource only forgets the record.
func (r *snapshotRestoreResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

func (r *snapshotRestoreResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	jobIDs, results, diags := importJobs(ctx, client, req.ID, workspace.JobTypeRestoreSnapshot,
		"Unable to import the desktop snapshot restore", "batch-restore")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var snapshots []string
	for _, id := range jobIDs {
		for _, o := range results[id].Outcomes {
			snapshots = append(snapshots, splitEntity(o.Entity)...)
		}
	}
	m := snapshotRestoreModel{
		SnapshotIDs: idSetOf(snapshots),
		Triggers:    types.MapNull(types.StringType),
		Timeouts:    timeouts.Value{Object: types.ObjectNull(restoreTimeoutsAttrTypes(ctx))},
	}
	resp.Diagnostics.Append(m.applyResults(ctx, jobIDs, results)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

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

var restoreResultType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"desktop_id": types.StringType, "snapshot_id": types.StringType, "status": types.StringType,
	"error_code": types.StringType, "fail_reason": types.StringType,
}}

func restoreTimeoutsAttrTypes(ctx context.Context) map[string]attr.Type {
	return timeouts.Attributes(ctx, timeouts.Opts{Create: true}).GetType().(timeouts.Type).AttrTypes
}

func (m *snapshotRestoreModel) applyResults(ctx context.Context, jobIDs []string, results map[string]*workspace.JobResult) diag.Diagnostics {
	m.JobIDs, m.ID = jobIDState(jobIDs)
	var rows []restoreResultModel
	total, failures, pending := 0, 0, false
	for _, id := range jobIDs {
		res := results[id]
		if res == nil {
			pending = true
			continue
		}
		for _, o := range res.Outcomes {
			total++
			if !o.Succeeded() {
				failures++
			}
			rows = append(rows, restoreResultModel{
				DesktopID: types.StringValue(o.DesktopID), SnapshotID: types.StringValue(o.Entity),
				Status: types.StringValue(o.Status), ErrorCode: types.StringValue(o.ErrorCode),
				FailReason: types.StringValue(o.FailReason),
			})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].DesktopID.ValueString() < rows[j].DesktopID.ValueString() })
	if rows == nil {
		rows = []restoreResultModel{}
	}
	list, diags := types.ListValueFrom(ctx, restoreResultType, rows)
	m.Results = list
	m.Status = types.StringValue(overallStatus(pending, failures, total))
	return diags
}

func overallStatus(pending bool, failures, total int) string {
	switch {
	case pending:
		return batchStatusPending
	case failures == 0:
		return batchStatusSuccess
	case failures == total:
		return batchStatusFailed
	default:
		return batchStatusPartialFailure
	}
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
