package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ resource.Resource                   = (*snapshotBatchResource)(nil)
	_ resource.ResourceWithConfigure      = (*snapshotBatchResource)(nil)
	_ resource.ResourceWithImportState    = (*snapshotBatchResource)(nil)
	_ resource.ResourceWithValidateConfig = (*snapshotBatchResource)(nil)
)

// Batch statuses kept in state.
const (
	batchStatusPending        = "PENDING"
	batchStatusSuccess        = "SUCCESS"
	batchStatusPartialFailure = "PARTIAL_FAILURE"
	batchStatusFailed         = "FAILED"
)

const defaultBatchTimeout = 30 * time.Minute

type snapshotBatchResource struct {
	client *workspace.Client
}

func newSnapshotBatchResource() resource.Resource { return &snapshotBatchResource{} }

func (r *snapshotBatchResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_snapshot_batch"
}

func (r *snapshotBatchResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func diskSnapshotAttribute(disk string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: diskSnapshotDescription(disk),
		Optional:            true,
		PlanModifiers:       []planmodifier.Object{objectplanmodifier.RequiresReplace()},
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: snapshotNameDescription(disk),
				Optional:            true,
				Validators:          snapshotNameValidators(),
			},
			"description": schema.StringAttribute{
				MarkdownDescription: snapshotDescriptionDescription(disk),
				Optional:            true,
				Validators:          snapshotDescriptionValidators(),
			},
		},
	}
}

// Texts and checks of the disk snapshot settings, shared with the create action.

func diskSnapshotDescription(disk string) string {
	return fmt.Sprintf("Name and description of the %s snapshots. The service names each snapshot "+
		"desktop name + `name` + a timestamp.", disk)
}

func snapshotNameDescription(disk string) string {
	return fmt.Sprintf("Name given to the %s snapshots, at most %d characters.", disk, workspace.MaxSnapshotNameLength)
}

func snapshotDescriptionDescription(disk string) string {
	return fmt.Sprintf("Description of the %s snapshots, at most %d characters.", disk, workspace.MaxSnapshotDescriptionLength)
}

func snapshotNameValidators() []validator.String {
	return []validator.String{stringvalidator.LengthAtMost(workspace.MaxSnapshotNameLength)}
}

func snapshotDescriptionValidators() []validator.String {
	return []validator.String{stringvalidator.LengthAtMost(workspace.MaxSnapshotDescriptionLength)}
}

const diskTypeDescription = "Which disks to snapshot: `SYSTEM_DISK`, `DATA_DISKS` or `ALL` (the default)."

func (r *snapshotBatchResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Snapshots a set of Workspace desktops as one declared unit. Creating it calls " +
			"`batch-create` in chunks of at most 100 desktops, records each job ID in state before waiting, waits for " +
			"the jobs and keeps the snapshot records they made. Destroying it deletes exactly those snapshots " +
			"(unless `retain_on_destroy` is set). Changing any argument except `retain_on_destroy` and `timeouts` " +
			"replaces it, so it snapshots again.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The job IDs of the batch, comma separated.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"desktop_ids": schema.SetAttribute{
				MarkdownDescription: "IDs of the desktops to snapshot. At least one; any number (they are submitted in chunks of 100).",
				ElementType:         types.StringType,
				CustomType:          newIDSetType(),
				Required:            true,
				Validators:          idSetValidators("desktop"),
				PlanModifiers:       []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"disk_type": schema.StringAttribute{
				MarkdownDescription: diskTypeDescription,
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(workspace.DiskTypeAll),
				Validators:          []validator.String{stringvalidator.OneOf(workspace.DiskTypes...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"system_disk_snapshot": diskSnapshotAttribute("system disk"),
			"data_disk_snapshot":   diskSnapshotAttribute("data disk"),
			"triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; changing any of them replaces the resource, which snapshots the desktops again.",
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"retain_on_destroy": schema.BoolAttribute{
				MarkdownDescription: "Keep the snapshots when the resource is destroyed (it is only removed from state). Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Delete: true}),
			"job_ids": schema.ListAttribute{
				MarkdownDescription: "One `batch-create` job ID per chunk of at most 100 desktops.",
				ElementType:         types.StringType,
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`SUCCESS`, `PARTIAL_FAILURE` (some desktops failed), `FAILED` (all failed) or `PENDING` " +
					"(interrupted before the jobs ended; the next refresh reconciles it).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"snapshots": schema.ListNestedAttribute{
				MarkdownDescription: "The snapshot records the jobs made, one per desktop and disk, sorted by desktop ID, system disk first.",
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject:        schema.NestedAttributeObject{Attributes: snapshotRecordAttributes()},
			},
			"failed_desktops": schema.ListNestedAttribute{
				MarkdownDescription: "Desktops whose snapshot sub-job failed, with the service's error code and reason.",
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"desktop_id":  schema.StringAttribute{MarkdownDescription: "Desktop ID.", Computed: true},
					"error_code":  schema.StringAttribute{MarkdownDescription: "Error code of the failed sub-job.", Computed: true},
					"fail_reason": schema.StringAttribute{MarkdownDescription: "Why the sub-job failed.", Computed: true},
				}},
			},
		},
	}
}

func snapshotRecordAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"snapshot_id":    schema.StringAttribute{MarkdownDescription: "Snapshot record ID (what restore and delete take).", Computed: true},
		"snapshot_name":  schema.StringAttribute{MarkdownDescription: "Name the service gave the snapshot.", Computed: true},
		"desktop_id":     schema.StringAttribute{MarkdownDescription: "Desktop ID.", Computed: true},
		"desktop_name":   schema.StringAttribute{MarkdownDescription: "Desktop name.", Computed: true},
		"is_system_disk": schema.BoolAttribute{MarkdownDescription: "Whether this is the system disk's snapshot.", Computed: true},
		"status":         schema.StringAttribute{MarkdownDescription: "Record status, e.g. `create_success`.", Computed: true},
		"create_time":    schema.StringAttribute{MarkdownDescription: "Creation time (UTC, RFC 3339).", Computed: true},
	}
}

func (r *snapshotBatchResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m snapshotBatchModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.DiskType.IsUnknown() {
		return
	}
	checkDiskSettings(m.DiskType.ValueString(), !m.SystemDiskSnapshot.IsNull(), !m.DataDiskSnapshot.IsNull(), &resp.Diagnostics)
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

func (r *snapshotBatchResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan snapshotBatchModel
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

	apiReq, diags := plan.createRequest(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Status = types.StringValue(batchStatusPending)
	plan.Snapshots = emptySnapshotList()
	plan.FailedDesktops = emptyFailedList()

	// Every job ID goes to state the moment it is known, so an interrupted
	// or failed apply leaves state the next apply can reconcile.
	var jobIDs []string
	recordJob := func(sub workspace.ChunkSubmission) {
		jobIDs = append(jobIDs, sub.JobID)
		plan.JobIDs, plan.ID = jobIDState(jobIDs)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		tflog.Debug(ctx, "snapshot batch job submitted", map[string]any{"job_id": sub.JobID, "desktops": len(sub.IDs)})
	}
	submissions := client.SubmitBatchCreate(ctx, apiReq, recordJob)
	var submitErrs []error
	for _, s := range submissions {
		if s.Err != nil {
			submitErrs = append(submitErrs, fmt.Errorf("desktops %s: %w", strings.Join(s.IDs, ", "), s.Err))
		}
	}
	if len(jobIDs) == 0 {
		resp.Diagnostics.Append(errorDiagnostic("Unable to create desktop snapshots", errors.Join(submitErrs...), r.client.CredentialSource()))
		return
	}

	results, waitErr := client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{})
	if ctx.Err() != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(errorDiagnostic("Unable to create desktop snapshots", waitErr, r.client.CredentialSource()))
		return
	}
	resp.Diagnostics.Append(plan.applyJobResults(ctx, client, jobIDs, results)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if len(submitErrs) > 0 {
		resp.Diagnostics.Append(errorDiagnostic("Unable to create desktop snapshots", errors.Join(submitErrs...), r.client.CredentialSource()))
	}
	if waitErr != nil {
		resp.Diagnostics.Append(errorDiagnostic("Unable to create desktop snapshots", waitErr, r.client.CredentialSource()))
	}
}

func (r *snapshotBatchResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotBatchModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.Status.ValueString() == batchStatusPending {
		// An interrupted create: adopt what its jobs made once they ended.
		jobIDs := listStrings(ctx, state.JobIDs)
		done, err := jobsFinished(ctx, client, jobIDs)
		if err != nil {
			resp.Diagnostics.Append(errorDiagnostic("Unable to read desktop snapshots", err, r.client.CredentialSource()))
			return
		}
		if done {
			results, _ := client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{FirstPoll: firstPollForFinishedJobs})
			resp.Diagnostics.Append(state.applyJobResults(ctx, client, jobIDs, results)...)
		}
	}
	records, err := client.ListAllDesktopSnapshots(ctx, workspace.ListDesktopSnapshotRequest{DesktopIds: listStrings(ctx, state.DesktopIDs)})
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("Unable to read desktop snapshots", err, r.client.CredentialSource()))
		return
	}
	kept := refreshRecords(state.snapshotRecords(ctx), records)
	if len(kept) == 0 && state.Status.ValueString() != batchStatusPending {
		tflog.Info(ctx, "every snapshot of the batch is gone; removing it from state so the next plan re-creates it")
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(state.setSnapshots(ctx, kept)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *snapshotBatchResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Only retain_on_destroy and timeouts change in place.
	var plan snapshotBatchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *snapshotBatchResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state snapshotBatchModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.RetainOnDestroy.ValueBool() {
		return
	}
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultBatchTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if state.Status.ValueString() == batchStatusPending {
		// The create was interrupted: let its jobs end, then delete what they made.
		jobIDs := listStrings(ctx, state.JobIDs)
		results, err := client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{})
		if ctx.Err() != nil {
			resp.Diagnostics.Append(errorDiagnostic("Unable to delete desktop snapshots", err, r.client.CredentialSource()))
			return
		}
		resp.Diagnostics.Append(state.applyJobResults(ctx, client, jobIDs, results)...)
	}
	var ids []string
	for _, s := range state.snapshotRecords(ctx) {
		ids = append(ids, s.SnapshotID.ValueString())
	}
	if err := deleteSnapshots(ctx, client, ids); err != nil {
		resp.Diagnostics.Append(errorDiagnostic("Unable to delete desktop snapshots", err, r.client.CredentialSource()))
	}
}

// deleteSnapshots deletes the snapshots in batches and waits; ones already gone are fine.
func deleteSnapshots(ctx context.Context, client *workspace.Client, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var jobIDs []string
	var errs []error
	for _, s := range client.SubmitBatchDelete(ctx, ids, nil) {
		switch {
		case s.Err != nil:
			errs = append(errs, s.Err)
		case s.JobID != "":
			jobIDs = append(jobIDs, s.JobID)
		}
	}
	if len(jobIDs) > 0 {
		if _, err := client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *snapshotBatchResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	jobIDs, results, diags := importJobs(ctx, client, req.ID, workspace.JobTypeCreateSnapshot,
		"Unable to import desktop snapshots", "batch-create")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var desktops []string
	for _, id := range jobIDs {
		for _, o := range results[id].Outcomes {
			desktops = append(desktops, o.DesktopID)
		}
	}
	m := snapshotBatchModel{
		DesktopIDs:         idSetOf(desktops),
		SystemDiskSnapshot: types.ObjectNull(diskSnapshotAttrTypes),
		DataDiskSnapshot:   types.ObjectNull(diskSnapshotAttrTypes),
		Triggers:           types.MapNull(types.StringType),
		RetainOnDestroy:    types.BoolValue(false),
		Timeouts:           timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes(ctx))},
	}
	resp.Diagnostics.Append(m.applyJobResults(ctx, client, jobIDs, results)...)
	m.DiskType = types.StringValue(inferDiskType(m.snapshotRecords(ctx)))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
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

func sortedStrings(v []string) []string {
	out := append([]string(nil), v...)
	sort.Strings(out)
	return out
}

func setOfStrings(v []string) types.Set {
	elems := make([]attr.Value, 0, len(v))
	for _, s := range sortedStrings(v) {
		elems = append(elems, types.StringValue(s))
	}
	return types.SetValueMust(types.StringType, elems)
}
