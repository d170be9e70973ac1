package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ resource.Resource                = (*snapshotRestoreResource)(nil)
	_ resource.ResourceWithConfigure   = (*snapshotRestoreResource)(nil)
	_ resource.ResourceWithImportState = (*snapshotRestoreResource)(nil)
	_ resource.ResourceWithIdentity    = (*snapshotRestoreResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*snapshotRestoreResource)(nil)
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
		MarkdownDescription: "Restores desktops to snapshots, as an action-style resource. **A restore runs only when asked**: " +
			"creating the resource restores every snapshot it names, a change of `triggers` replaces it and restores them all " +
			"again, and snapshots newly named in `snapshot_ids` or `snapshot_ids_json` are restored by an in-place update, " +
			"only those; removed ones cause no API call, since a restore cannot be undone. Each restore calls `batch-restore` " +
			"in chunks of at most 100 snapshots and waits for the jobs. The plan says, in a warning, how many snapshots the " +
			"apply restores and which, and the apply restores no others ([ownership guide](../guides/ownership.md)). " +
			"**Destroying it makes no API call**: the desktops stay as they are. On Terraform 1.14 and later, the " +
			"`workspace_desktop_snapshot_restore` action restores without keeping a resource; an import reads which " +
			"snapshots its job restored from the snapshots themselves ([import and query guide](../guides/import-and-query.md)).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The IDs of the jobs the restore was created (or imported) with, comma separated; an update's " +
					"jobs are in `job_ids` only.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"snapshot_ids": schema.ListAttribute{
				MarkdownDescription: "Snapshot record IDs to restore (for example `keys()` of a batch's `snapshot_desktop_ids`, or the " +
					"`workspace_desktop_snapshots` data source's `ids`). At least one; any number. At most one per desktop " +
					"and disk. Order and repeats do not matter: reordering the list updates the resource in place, with no API call. " +
					"A change never replaces the resource: IDs added (not in its state) are restored by an in-place update, only " +
					"those; IDs removed cause no API call. " +
					framework.IDFormatRule + " Exactly one of `snapshot_ids` and `snapshot_ids_json` is set.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: append(framework.IDListValidators("snapshot"),
					listvalidator.ExactlyOneOf(path.MatchRoot("snapshot_ids_json"))),
			},
			"snapshot_ids_json": schema.MapAttribute{
				MarkdownDescription: "The snapshots to restore as a few JSON strings, for large batches: Terraform compares " +
					"a string at once at each plan instead of a list element by element. Each value is a JSON array of " +
					"snapshot IDs or a JSON object whose keys are snapshot IDs (its values are ignored); the keys are labels, " +
					"and the restore names the snapshots of all the values, at least one. A batch's " +
					"`desktops_matching.snapshot_desktop_ids_json` is such a map: `snapshot_ids_json = " +
					"workspace_desktop_snapshot_batch.fleet.desktops_matching.snapshot_desktop_ids_json`; or " +
					"`{ all = jsonencode(workspace_desktop_snapshot_batch.fleet.snapshot_desktop_ids) }`. Otherwise the same " +
					"as `snapshot_ids`: at most one per desktop and disk, order and repeats do not matter. " +
					framework.IDFormatRule + " Naming the same snapshots otherwise (an array for an object, in other strings or keys, " +
					"or `snapshot_ids`) updates the resource in place, with no API call. A change never replaces the " +
					"resource: IDs added are restored by an in-place update, only those, and IDs removed cause no API call. " +
					"A value known only at apply restores none of the snapshots in that apply; the next plan shows them ([ownership guide](../guides/ownership.md)). Exactly one of " +
					"`snapshot_ids` and `snapshot_ids_json` is set.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: []validator.Map{
					mapvalidator.ExactlyOneOf(path.MatchRoot("snapshot_ids")),
					snapshotIDsJSONValidator{},
				},
			},
			"triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; changing any of them replaces the resource, which restores again.",
				ElementType:         types.StringType,
				Optional:            true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"timeouts": restoreTimeoutsAttribute(ctx),
			"job_ids": schema.ListAttribute{
				MarkdownDescription: "One `batch-restore` job ID per chunk of at most 100 snapshots: the create's jobs (which `id` " +
					"and the resource identity keep), then each update's, in the order they ran.",
				ElementType:   types.StringType,
				Computed:      true,
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
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
	resp.IdentitySchema = jobsIdentitySchema(jobrun.Restore)
}

// restoreReport is what the restore's errors say of a run cut short; the
// IDs came from idsPath, and the run was the operation's ("create" or
// "update"), whose timeout applied.
func restoreReport(idsPath path.Path, operation string) jobrun.Report {
	return jobrun.Report{
		IDsPath:     idsPath,
		Interrupted: "The apply was interrupted",
		TimedOut:    "The " + operation + " timeout passed",
		Kept:        "Their job IDs are kept in state with status PENDING; the next refresh records their outcome.",
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
	snapshotIDs, diags := plan.snapshotIDs(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.startPending()

	submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
		return client.SubmitBatchRestore(ctx, snapshotIDs, hooks)
	}
	run := jobrun.Start(ctx, client, jobrun.Restore, submit,
		resourceRecorder{ctx: ctx, client: client, model: &plan, state: &resp.State, identity: resp.Identity, diags: &resp.Diagnostics},
		jobrun.Hooks{})
	// As for the batch, a run cut short stays PENDING for the refresh.
	if len(run.JobIDs) > 0 && run.Stopped == nil {
		plan.applyResults(run)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
	resp.Diagnostics.Append(run.Diagnostics(restoreReport(plan.idsPath(), "create"))...)
}

func (r *snapshotRestoreResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotRestoreModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(refreshJobsIdentity(ctx, req.Identity, resp.Identity, client, state.identityJobIDs(ctx))...)
	if resp.Diagnostics.HasError() || state.Status.ValueString() != jobrun.StatusPending {
		return // a finished restore's record does not change
	}
	private, diags := readRestorePrivate(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	unresolved, settled := private.unresolvedJobs(ctx, &state)
	run, diags := jobrun.Refresh(ctx, client, jobrun.Restore, unresolved)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() || run.Pending() {
		return
	}
	if len(private.Unresolved) == 0 {
		state.applyResults(run) // the create's jobs, all of them
	} else {
		// An update's jobs, after jobs already recorded: merged with them.
		state.mergeFailures(ctx, run)
		state.Status = types.StringValue(mergedStatus(settled, run.Status()))
		private.Unresolved, private.Settled = nil, ""
		resp.Diagnostics.Append(writeRestorePrivate(ctx, resp.Private, private)...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
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
	importID, diags := importIDOf(ctx, req.ID, req.Identity, client, jobrun.Restore)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	run, diags := importJobs(ctx, client, importID, jobrun.Restore, workspace.IsRestoreJobType,
		"any type but the snapshot create and delete ones, since the restore job type is not documented",
		"Unable to import the desktop snapshot restore")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Which snapshots were restored is read from the records, not from the
	// sub-jobs' free-text entity (see ResolveRestoredSnapshots).
	var snapshots []string
	for _, id := range run.JobIDs {
		restored, err := client.ResolveRestoredSnapshots(ctx, run.Results[id])
		if err != nil {
			resp.Diagnostics.Append(framework.ErrorDiagnostic("Unable to import the desktop snapshot restore", err, run.Credentials))
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
				framework.CountOf(len(restored.Unresolved), "desktop"), id, framework.AbbreviateIDs(restored.Unresolved, framework.MaxNamedIDs)))
		}
	}
	m := snapshotRestoreModel{
		SnapshotIDs:     framework.StringListValue(framework.DistinctIDs(snapshots)),
		SnapshotIDsJSON: types.MapNull(types.StringType),
		Triggers:        types.MapNull(types.StringType),
		Timeouts:        framework.NullTimeouts(ctx, restoreTimeouts),
	}
	m.applyResults(run)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setJobsIdentity(ctx, resp.Identity, client, run.JobIDs)...)
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
		jobID, framework.AbbreviateIDs(names, maxNamedCandidates)))
}
