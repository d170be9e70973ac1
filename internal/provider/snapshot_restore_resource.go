package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ resource.Resource                = (*snapshotRestoreResource)(nil)
	_ resource.ResourceWithConfigure   = (*snapshotRestoreResource)(nil)
	_ resource.ResourceWithImportState = (*snapshotRestoreResource)(nil)
	_ resource.ResourceWithIdentity    = (*snapshotRestoreResource)(nil)
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
			"replacement (other snapshots named in `snapshot_ids` or `snapshot_ids_json`, or a change of `triggers`), " +
			"calls `batch-restore` in chunks of at most 100 snapshots and waits for the jobs. **Destroying it makes no API call**: it only removes the record of " +
			"the restore from state; the desktops stay as they are. On Terraform 1.14 and later, the " +
			"`workspace_desktop_snapshot_restore` action restores without keeping a resource.\n\n" +
			"An import reads which snapshots were restored from the snapshots themselves, since the job's sub-jobs name " +
			"only desktops: per desktop and disk, the snapshot whose last restore time matches the end of the " +
			"desktop's part of the job. So it assumes the job was the last restore of each of those snapshots; one " +
			"restored again since is left out, with a warning. Any job type but the snapshot create and delete ones " +
			"imports, since Huawei does not document the restore job's type. An imported restore names its snapshots in " +
			"`snapshot_ids`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The restore job IDs, comma separated.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"snapshot_ids": schema.ListAttribute{
				MarkdownDescription: "Snapshot record IDs to restore (for example `keys()` of a batch's `snapshot_desktop_ids`, or the " +
					"`workspace_desktop_snapshots` data source's `ids`). At least one; any number. At most one per desktop " +
					"and disk. Order and repeats do not matter: reordering the list updates the resource in place, with no API call. " +
					idFormatRule + " Exactly one of `snapshot_ids` and `snapshot_ids_json` is set.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: append(idListValidators("snapshot"),
					listvalidator.ExactlyOneOf(path.MatchRoot("snapshot_ids_json"))),
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplaceIf(
					func(ctx context.Context, req planmodifier.ListRequest, resp *listplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = otherSnapshotsNamed(ctx, req.State, req.Plan)
					}, replaceIfOtherSnapshots, replaceIfOtherSnapshots)},
			},
			"snapshot_ids_json": schema.StringAttribute{
				MarkdownDescription: "The snapshots to restore as one JSON string, for large batches: Terraform compares one " +
					"string at each plan instead of a list element by element. A JSON array of snapshot IDs, or a JSON object " +
					"whose keys are snapshot IDs (its values are ignored), such as a batch's `desktops_matching.snapshot_desktop_ids_json`: " +
					"`snapshot_ids_json = workspace_desktop_snapshot_batch.fleet.desktops_matching.snapshot_desktop_ids_json`, or " +
					"`jsonencode(workspace_desktop_snapshot_batch.fleet.snapshot_desktop_ids)`. Otherwise the same as " +
					"`snapshot_ids`: at least one ID, at most one per desktop and disk, order and repeats do not matter. " +
					idFormatRule + " Naming the same snapshots otherwise (an array for an object, or `snapshot_ids`) updates " +
					"the resource in place, with no API call; other snapshots replace it. Exactly one of `snapshot_ids` and " +
					"`snapshot_ids_json` is set.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.ExactlyOneOf(path.MatchRoot("snapshot_ids")),
					snapshotIDsJSONValidator{},
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = otherSnapshotsNamed(ctx, req.State, req.Plan)
					}, replaceIfOtherSnapshots, replaceIfOtherSnapshots)},
			},
			"triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; changing any of them replaces the resource, which restores again.",
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"timeouts": timeoutsAttribute(ctx, restoreTimeouts, "restoring the desktops"),
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
			"failed_desktops": failedDesktopsAttribute("restore"),
		},
	}
}

func (r *snapshotRestoreResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = jobsIdentitySchema(restoreOperation)
}

// restoreReport is what the restore's errors say of a run cut short; the
// IDs came from idsPath.
func restoreReport(idsPath path.Path) runReport {
	return runReport{
		idsPath:     idsPath,
		interrupted: "The apply was interrupted",
		timedOut:    "The create timeout passed",
		kept:        "Their job IDs are kept in state with status PENDING; the next refresh records their outcome.",
	}
}

const replaceIfOtherSnapshots = "Replaces the resource when other snapshot IDs are named, in either `snapshot_ids` or " +
	"`snapshot_ids_json`; order, repeats, which of the two names them and the JSON object's values do not matter."

// otherSnapshotsNamed reports whether the plan names other snapshots than
// the state, whichever attribute each names them in: moving the same IDs
// from one attribute to the other, or between a JSON array and object, must
// not restore the desktops again. Unknown or undecodable IDs replace (the
// validators report bad values).
func otherSnapshotsNamed(ctx context.Context, state tfsdk.State, plan tfsdk.Plan) bool {
	var before, after snapshotRestoreModel
	var diags diag.Diagnostics
	diags.Append(state.GetAttribute(ctx, path.Root("snapshot_ids"), &before.SnapshotIDs)...)
	diags.Append(state.GetAttribute(ctx, path.Root("snapshot_ids_json"), &before.SnapshotIDsJSON)...)
	diags.Append(plan.GetAttribute(ctx, path.Root("snapshot_ids"), &after.SnapshotIDs)...)
	diags.Append(plan.GetAttribute(ctx, path.Root("snapshot_ids_json"), &after.SnapshotIDsJSON)...)
	if diags.HasError() || !after.snapshotIDsKnown() {
		return true
	}
	a, diags := before.snapshotIDs(ctx)
	b, more := after.snapshotIDs(ctx)
	return diags.HasError() || more.HasError() || !slices.Equal(a, b)
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
	snapshotIDs, diags := plan.snapshotIDs(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.startPending()

	submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
		return client.SubmitBatchRestore(ctx, snapshotIDs, hooks)
	}
	run := runJobs(ctx, client, restoreOperation, submit, resourceRunHooks(ctx, restoreOperation, client, &plan, &resp.State, resp.Identity, &resp.Diagnostics))
	// As for the batch, a run cut short stays PENDING for the refresh.
	if len(run.jobIDs) > 0 && run.stopped == nil {
		plan.applyResults(run)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
	resp.Diagnostics.Append(run.diagnostics(restoreReport(plan.idsPath()))...)
}

func (r *snapshotRestoreResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotRestoreModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(refreshJobsIdentity(ctx, req.Identity, resp.Identity, client, stringsOf(ctx, state.JobIDs))...)
	if resp.Diagnostics.HasError() || state.Status.ValueString() != batchStatusPending {
		return // a finished restore's record does not change
	}
	run, diags := refreshJobs(ctx, client, restoreOperation, stringsOf(ctx, state.JobIDs))
	resp.Diagnostics.Append(diags...)
	if diags.HasError() || run.pending() {
		return
	}
	state.applyResults(run)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *snapshotRestoreResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan snapshotRestoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setJobsIdentity(ctx, resp.Identity, client, stringsOf(ctx, plan.JobIDs))...)
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
	importID, diags := importIDOf(ctx, req.ID, req.Identity, client, restoreOperation)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	run, diags := importJobs(ctx, client, importID, restoreOperation, workspace.IsRestoreJobType,
		"any type but the snapshot create and delete ones, since the restore job type is not documented",
		"Unable to import the desktop snapshot restore")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Which snapshots were restored is read from the records, not from the
	// sub-jobs' free-text entity (see ResolveRestoredSnapshots).
	var snapshots []string
	for _, id := range run.jobIDs {
		restored, err := client.ResolveRestoredSnapshots(ctx, run.results[id])
		if err != nil {
			resp.Diagnostics.Append(errorDiagnostic("Unable to import the desktop snapshot restore", err, run.credentials))
			return
		}
		if len(restored.Ambiguous) > 0 {
			resp.Diagnostics.Append(ambiguousRestoreDiagnostic(id, restored.Ambiguous))
			return
		}
		snapshots = append(snapshots, restored.SnapshotIDs...)
		if len(restored.Unresolved) > 0 {
			resp.Diagnostics.AddWarning("Restored snapshots not found", fmt.Sprintf(
				"No snapshot of %s in job %s shows a restore at the time the job restored it (%s): they were restored again "+
					"or deleted since, so snapshot_ids leaves them out.",
				countOf(len(restored.Unresolved), "desktop"), id, abbreviateIDs(restored.Unresolved, maxNamedIDs)))
		}
	}
	m := snapshotRestoreModel{
		SnapshotIDs:     stringListValue(distinctIDs(snapshots)),
		SnapshotIDsJSON: types.StringNull(),
		Triggers:        types.MapNull(types.StringType),
		Timeouts:        nullTimeouts(ctx, restoreTimeouts),
	}
	m.applyResults(run)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setJobsIdentity(ctx, resp.Identity, client, run.jobIDs)...)
}

// ambiguousRestoreDiagnostic refuses the import of a restore job during
// which a disk was restored from more than one snapshot: which was the
// job's cannot be told.
func ambiguousRestoreDiagnostic(jobID string, disks []workspace.AmbiguousDisk) diag.Diagnostic {
	var names []string
	for _, d := range disks {
		names = append(names, fmt.Sprintf("desktop %s, %s: %s", d.DesktopID, diskKind(d.SystemDisk), strings.Join(d.Candidates, ", ")))
	}
	return diag.NewErrorDiagnostic("Unable to import the desktop snapshot restore", fmt.Sprintf(
		"While job %s ran, more than one snapshot of a disk was restored, so which one the job restored cannot be told: %s. "+
			"Import a restore whose job is the only one over its desktops at that time, or declare the restore with its snapshot_ids.",
		jobID, abbreviateIDs(names, maxNamedCandidates)))
}
