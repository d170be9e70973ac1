package provider

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ resource.Resource                   = (*snapshotBatchResource)(nil)
	_ resource.ResourceWithConfigure      = (*snapshotBatchResource)(nil)
	_ resource.ResourceWithImportState    = (*snapshotBatchResource)(nil)
	_ resource.ResourceWithIdentity       = (*snapshotBatchResource)(nil)
	_ resource.ResourceWithValidateConfig = (*snapshotBatchResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*snapshotBatchResource)(nil)
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

func (r *snapshotBatchResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Snapshots a set of Workspace desktops as one declared unit. Creating it calls " +
			"`batch-create` in chunks of at most 100 desktops, records each job ID in state before waiting, waits for " +
			"the jobs and keeps the snapshot records they made. Destroying it deletes exactly those snapshots " +
			"(unless `retain_on_destroy` is set). Desktops added to or removed from `desktop_ids` " +
			"are snapshotted or have their snapshots deleted in place, the others untouched; changing `disk_type`, the " +
			"names or `triggers` replaces the batch, so it snapshots every desktop again. Unknown desktop IDs fail " +
			"the plan, named at `desktop_ids`.\n\n" +
			"A record is the batch's only when its time, disk and name prove its job made it; where two could be, " +
			"the batch takes neither, says so and stays `PENDING` ([ownership guide](../guides/ownership.md)). " +
			"Import and `terraform query` need the provider's `job_time_zone` " +
			"([import and query guide](../guides/import-and-query.md)); past a few thousand desktops, select them " +
			"with `desktops_matching` ([large fleets guide](../guides/large-fleets.md)).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The job IDs the batch was created (or imported) with, comma separated. It stays when " +
					"desktops join later; their jobs are in `job_ids`.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"desktop_ids": schema.ListAttribute{
				MarkdownDescription: "IDs of the desktops to snapshot. At least one; any number (they are submitted in chunks " +
					"of 100). Order and repeats do not matter: reordering the list updates the resource in place, with no API call. " +
					"Desktops added or removed are too: an added desktop is snapshotted, a removed one's snapshots are deleted " +
					"(kept with `retain_on_destroy`), and the others are not touched; the plan says which. Past a few " +
					"thousand desktops, select them with `desktops_matching` instead: Terraform then carries no list of " +
					"them (see the guide on large fleets). Exactly one of `desktop_ids` and `desktops_matching`. " +
					framework.IDFormatRule,
				ElementType: types.StringType,
				Optional:    true,
				Validators: append(framework.IDListValidators("desktop"),
					listvalidator.ExactlyOneOf(path.MatchRoot("desktops_matching"))),
			},
			"desktops_matching": desktopsMatchingAttribute(),
			"disk_type": schema.StringAttribute{
				MarkdownDescription: diskTypeDescription,
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(workspace.DiskTypeAll),
				Validators:          []validator.String{stringvalidator.OneOf(workspace.DiskTypes...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"system_disk_snapshot": diskSnapshotResourceAttribute("system disk"),
			"data_disk_snapshot":   diskSnapshotResourceAttribute("data disk"),
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
			"timeouts": timeoutsAttribute(ctx, batchTimeouts, "snapshotting the desktops"),
			"job_ids": schema.ListAttribute{
				MarkdownDescription: "One `batch-create` job ID per chunk of at most 100 desktops: the create's, then those " +
					"of desktops that joined later.",
				ElementType:   types.StringType,
				Computed:      true,
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`SUCCESS`, `PARTIAL_FAILURE` (some desktops failed), `FAILED` (all failed) or `PENDING` " +
					"(interrupted before the jobs ended; the next refresh reconciles it).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"system_disk_snapshot_ids": schema.MapAttribute{
				MarkdownDescription: "The system disk snapshot each desktop got, by desktop ID. Null with `desktops_matching` " +
					"(see its `system_disk_snapshot_ids_json`).",
				ElementType:   types.StringType,
				Computed:      true,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
			},
			"snapshot_desktop_ids": schema.MapAttribute{
				MarkdownDescription: "Every snapshot the jobs made, with its desktop: desktop ID by snapshot ID. " +
					"`keys(…)` lists the snapshot IDs, sorted, as `workspace_desktop_snapshot_restore` takes them; the data " +
					"disk snapshots are those not in `system_disk_snapshot_ids` " +
					"(`setsubtract(keys(…snapshot_desktop_ids), values(…system_disk_snapshot_ids))`). A map rather than a " +
					"list, since Terraform's plan compares long lists element against element. Names, status " +
					"and times of the records are in the `workspace_desktop_snapshots` data source. Null with `desktops_matching` " +
					"(see its `snapshot_desktop_ids_json`).",
				ElementType:   types.StringType,
				Computed:      true,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
			},
			"failed_desktops": failedDesktopsAttribute("snapshot"),
		},
	}
}

func (r *snapshotBatchResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = jobsIdentitySchema(jobrun.Create)
}

func (r *snapshotBatchResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m snapshotBatchModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.DiskType.IsUnknown() {
		return
	}
	checkDiskSettings(m.DiskType.ValueString(), !m.SystemDiskSnapshot.IsNull(), !m.DataDiskSnapshot.IsNull(), &resp.Diagnostics)
}

// createReport and deleteReport are what the batch's errors say of a run
// that was cut short.
var (
	createReport = jobrun.Report{
		IDsPath:     path.Root("desktop_ids"),
		Interrupted: "The apply was interrupted",
		TimedOut:    "The create timeout passed",
		Kept: "Their job IDs are kept in state with status PENDING; the next refresh records the snapshots " +
			"they made, and a destroy deletes them.",
	}
	deleteReport = jobrun.Report{
		IDsPath:     path.Empty(),
		Interrupted: "The destroy was interrupted",
		TimedOut:    "The delete timeout passed",
		Kept:        "The batch stays in state; the next destroy deletes what is left.",
	}
)

// ModifyPlan looks up the desktops a create, a replacement or a membership
// change adds: an ID the service does not know fails the plan, named at
// desktop_ids, rather than having its whole chunk of 100 refused at apply.
// Plans that keep the desktops make no call. A membership change is then
// planned in place (planMembership).
func (r *snapshotBatchResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var selection types.Object
	var planned types.List
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("desktops_matching"), &selection)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("desktop_ids"), &planned)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !selection.IsNull() {
		planMatching(ctx, r.client, req, resp)
		return
	}
	if planned.IsUnknown() && !req.State.Raw.IsNull() && len(resp.RequiresReplace) == 0 {
		// The snapshots stay planned as they are, so an apply at which the
		// list turns out to add or remove desktops cannot delete what this
		// plan did not show: Terraform stops it instead.
		resp.Diagnostics.AddAttributeWarning(path.Root("desktop_ids"), "Desktops known only at apply",
			"desktop_ids is known only when the apply runs, so this plan shows no desktop joining or leaving the batch. "+
				"If the list then adds or removes desktops, Terraform stops the apply of this batch (\"inconsistent final "+
				"plan\") with nothing snapshotted or deleted; apply again, and that plan shows which.")
	}
	if planned.IsUnknown() || planned.IsNull() {
		return
	}
	// Only the desktops, unless the batch was matching: converting the whole
	// state cost every plan of a large batch for what a plan without a
	// membership change never reads.
	var current types.List
	var wasSelection types.Object
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("desktop_ids"), &current)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("desktops_matching"), &wasSelection)...)
	}
	wasMatching := !wasSelection.IsNull()
	var state snapshotBatchModel
	if wasMatching && !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(getBatch(ctx, req.State.Get, &state)...)
		current = state.DesktopIDs
	}
	added, removed := membershipChange(framework.StringsOf(ctx, current), framework.StringsOf(ctx, planned))
	resp.Diagnostics.Append(checkDesktopsExist(ctx, r.client, path.Root("desktop_ids"), added)...)
	if req.State.Raw.IsNull() || len(resp.RequiresReplace) > 0 || resp.Diagnostics.HasError() {
		return // a create or a replacement: nothing more to plan
	}
	if len(added)+len(removed) > 0 && !wasMatching {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if wasMatching && len(state.FormerSnapshots) > 0 {
		resp.Diagnostics.AddAttributeError(path.Root("desktop_ids"), "Unable to list the batch's desktops in desktop_ids",
			fmt.Sprintf("The batch holds %s of desktops that left desktops_matching (former_snapshot_desktop_ids_json), "+
				"and desktop_ids has no place for them, so they would be lost to Terraform. Keep desktops_matching, or replace "+
				"the batch (terraform apply -replace=…), which deletes them with the rest.", framework.CountOf(len(state.FormerSnapshots), "snapshot")))
		return
	}
	if wasMatching {
		// From desktops_matching to desktop_ids: the desktops and snapshots
		// go back to a list and maps (the JSON strings went with
		// desktops_matching).
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("system_disk_snapshot_ids"), state.SystemDiskSnapshotIDs)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("snapshot_desktop_ids"), state.SnapshotDesktopIDs)...)
	}
	if len(added)+len(removed) > 0 {
		planMembership(ctx, state, planned, added, removed, resp)
	}
}

func (r *snapshotBatchResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan snapshotBatchModel
	resp.Diagnostics.Append(getBatch(ctx, req.Plan.Get, &plan)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.matching() && plan.DesktopIDs.IsUnknown() {
		// The plan could not list: its selection was unknown then.
		resp.Diagnostics.Append(plan.resolveDesktops(ctx, client, nil)...)
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultBatchTimeout)
	resp.Diagnostics.Append(diags...)
	apiReq, diags := plan.createRequest(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	plan.startPending()

	submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
		return client.SubmitBatchCreate(ctx, apiReq, hooks)
	}
	windows := jobWindows{}
	rec := &batchCreateRecorder{
		resourceRecorder: resourceRecorder{ctx: ctx, client: client, model: &plan, state: &resp.State, identity: resp.Identity, diags: &resp.Diagnostics},
		windows:          windows,
		private:          resp.Private,
	}
	run := jobrun.Start(ctx, client, jobrun.Create, submit, rec, jobrun.Hooks{})
	// A run cut short stays PENDING: resolving what its ended jobs made
	// takes API calls the stopped context cannot make; the refresh does it,
	// with the job windows kept in private state. So does a run whose jobs
	// ended but whose snapshots cannot be told yet: that is a warning, so
	// the batch is not tainted (replacing it would snapshot every desktop
	// again) and the next refresh resolves it.
	if len(run.JobIDs) > 0 && run.Stopped == nil {
		diags, _ := plan.applyJobResults(ctx, client, run, windows, false)
		resp.Diagnostics.Append(framework.WarningsOnly(diags)...)
		resp.Diagnostics.Append(setBatchState(ctx, &resp.State, &plan)...)
	}
	if len(run.JobIDs) > 0 {
		resp.Diagnostics.Append(writeJobWindows(ctx, resp.Private, windows, plan.Status.ValueString() == jobrun.StatusPending)...)
	}
	resp.Diagnostics.Append(run.Diagnostics(createReport)...)
}

func (r *snapshotBatchResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotBatchModel
	resp.Diagnostics.Append(getBatch(ctx, req.State.Get, &state)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// The identity first: it must be set even when the read removes the batch.
	resp.Diagnostics.Append(refreshJobsIdentity(ctx, req.Identity, resp.Identity, client, state.identityJobIDs())...)
	if resp.Diagnostics.HasError() {
		return
	}
	wasPending := state.Status.ValueString() == jobrun.StatusPending
	if wasPending {
		windows, diags := readJobWindows(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
		windows.teach(client) // before any ShowJob: the zone is learned from the jobs
		// An interrupted or unresolved create: adopt what its jobs made once
		// they all ended. What cannot be told apart yet is a warning here,
		// so plans keep working; the batch stays PENDING.
		run, diags := jobrun.Refresh(ctx, client, jobrun.Create, windows.unresolved(framework.StringsOf(ctx, state.JobIDs)))
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			return
		}
		if !run.Pending() {
			diags, _ := state.applyJobResults(ctx, client, run, windows, false)
			resp.Diagnostics.Append(framework.WarningsOnly(diags)...)
			resp.Diagnostics.Append(writeJobWindows(ctx, resp.Private, windows, state.Status.ValueString() == jobrun.StatusPending)...)
		}
	}
	recorded := batchSnapshotsOf(ctx, &state)
	kept, formerKept := recorded, state.FormerSnapshots
	if !wasPending || state.Status.ValueString() == jobrun.StatusPending {
		// Drift: keep the snapshots that still exist. A snapshot missing from
		// the listing is gone only once its desktop's own listing agrees, so a
		// listing that comes back short once forgets nothing. A batch
		// resolved just now needs none: its snapshots come from a listing
		// made in this refresh.
		exists, err := client.ExistingSnapshots(ctx, state.heldSnapshots(ctx))
		if err != nil {
			resp.Diagnostics.Append(framework.ErrorDiagnostic("Unable to read desktop snapshots", err, r.client.CredentialSource()))
			return
		}
		kept = recorded.keep(exists)
		formerKept = maps.Clone(state.FormerSnapshots)
		maps.DeleteFunc(formerKept, func(id, _ string) bool { return !exists[id] })
	}
	if kept.len()+len(formerKept) == 0 && state.Status.ValueString() != jobrun.StatusPending {
		tflog.Info(ctx, "every snapshot of the batch is gone; removing it from state so the next plan re-creates it")
		resp.State.RemoveResource(ctx)
		return
	}
	if !wasPending && kept.len() == recorded.len() && len(formerKept) == len(state.FormerSnapshots) {
		// Nothing changed: the response already holds the state Terraform
		// sent, and converting the whole model back cost a refresh about a
		// fifth of its time in the provider.
		return
	}
	kept.setOn(&state)
	state.FormerSnapshots = formerKept
	resp.Diagnostics.Append(setBatchState(ctx, &resp.State, &state)...)
}

func (r *snapshotBatchResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// In place: retain_on_destroy, timeouts, and desktops joining or leaving
	// (see snapshot_batch_membership.go); the rest replaces.
	var plan, state snapshotBatchModel
	resp.Diagnostics.Append(getBatch(ctx, req.Plan.Get, &plan)...)
	resp.Diagnostics.Append(getBatch(ctx, req.State.Get, &state)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.matching() && plan.DesktopIDs.IsUnknown() {
		// The plan decided who joins and leaves (desktop_ids_json) unless its
		// selection was unknown then; only then does the apply list. Neither
		// a join nor an implicit leave deletes a snapshot.
		diags := plan.resolveDesktops(ctx, client, framework.StringsOf(ctx, state.DesktopIDs))
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			resp.Diagnostics.Append(setBatchState(ctx, &resp.State, &state)...) // nothing done: the batch as it was
			return
		}
	}
	// The batch as in state, with the plan's settings: what changes in place.
	m := state
	m.RetainOnDestroy, m.Timeouts, m.DesktopsMatching = plan.RetainOnDestroy, plan.Timeouts, plan.DesktopsMatching
	added, removed := membershipChange(framework.StringsOf(ctx, state.DesktopIDs), framework.StringsOf(ctx, plan.DesktopIDs))
	m.Runs.open = len(added) > 0 // the plan showed the joiners' snapshots as one element more
	if len(added)+len(removed) == 0 {
		m.DesktopIDs = plan.DesktopIDs // the plan's order; the same desktops
		resp.Diagnostics.Append(setBatchState(ctx, &resp.State, &m)...)
		resp.Diagnostics.Append(setJobsIdentity(ctx, resp.Identity, client, m.identityJobIDs())...)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultBatchTimeout)
	resp.Diagnostics.Append(diags...)
	windows, diags := readJobWindows(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(setBatchState(ctx, &resp.State, &state)...) // nothing done: the batch as it was
		return
	}
	if windows == nil {
		windows = jobWindows{}
	}
	windows.teach(client)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp.Diagnostics.Append(setJobsIdentity(ctx, resp.Identity, client, state.identityJobIDs())...)
	updateMembership(ctx, client, &m, plan.DesktopIDs, added, removed, windows, resp)
}

func (r *snapshotBatchResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state snapshotBatchModel
	resp.Diagnostics.Append(getBatch(ctx, req.State.Get, &state)...)
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
	if state.Status.ValueString() == jobrun.StatusPending {
		// The create was interrupted: let its jobs end, then delete what they
		// provably made; what cannot be told apart is an error, and the
		// batch stays in state.
		windows, diags := readJobWindows(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
		windows.teach(client)
		run := jobrun.Await(ctx, client, jobrun.Create, windows.unresolved(framework.StringsOf(ctx, state.JobIDs)))
		if run.Stopped != nil {
			resp.Diagnostics.Append(run.Diagnostics(deleteReport)...)
			return
		}
		resp.Diagnostics.Append(run.UnreadOutcomes("The snapshots that job made, if any, are not known to the batch and are not deleted.")...)
		diags, _ = state.applyJobResults(ctx, client, run, windows, false)
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			// Delete only what is proven the batch's: the rest stays in
			// state, with the errors saying what settles it.
			resp.Diagnostics.Append(deleteSnapshots(ctx, client, state.heldSnapshots(ctx))...)
			return
		}
	}
	resp.Diagnostics.Append(deleteSnapshots(ctx, client, state.heldSnapshots(ctx))...)
}

// heldSnapshots is every snapshot the batch holds, snapshot ID -> desktop
// ID: its members' and its former members'.
func (m *snapshotBatchModel) heldSnapshots(ctx context.Context) map[string]string {
	held := batchSnapshotsOf(ctx, m).desktopOf()
	maps.Copy(held, m.FormerSnapshots)
	return held
}

// batchCreateRecorder records a create's run as a resource does, and the
// job windows with the jobs: a run cut short still has them.
type batchCreateRecorder struct {
	resourceRecorder
	windows jobWindows
	private privateKeys
}

func (r *batchCreateRecorder) Job(sub workspace.ChunkSubmission) { r.windows.add(sub) }

func (r *batchCreateRecorder) Record(jobIDs []string) {
	r.diags.Append(writeJobWindows(r.ctx, r.private, r.windows, true)...)
	r.resourceRecorder.Record(jobIDs)
}

// deleteSnapshots deletes the snapshots (snapshot ID -> desktop ID, as state
// records them) in batches and waits; ones already gone are fine.
func deleteSnapshots(ctx context.Context, client *workspace.Client, desktopOf map[string]string) diag.Diagnostics {
	if len(desktopOf) == 0 {
		return nil
	}
	submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
		return client.SubmitBatchDeleteOf(ctx, desktopOf, hooks)
	}
	run := jobrun.Start(ctx, client, jobrun.Delete, submit, nil, jobrun.Hooks{})
	return run.Diagnostics(deleteReport)
}

func (r *snapshotBatchResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	importID, diags := importIDOf(ctx, req.ID, req.Identity, client, jobrun.Create)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, diags, _ := importBatch(ctx, client, importID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setBatchState(ctx, &resp.State, &m)...)
	resp.Diagnostics.Append(setJobsIdentity(ctx, resp.Identity, client, framework.StringsOf(ctx, m.JobIDs))...)
}

// importBatch builds the batch the batch-create jobs of importID (job IDs,
// comma separated) made. The import and the list resource both build
// batches through it, so a listed batch is the one its import gives.
// refused says why, when the import is refused because which snapshots the
// jobs made cannot be told (then diags holds the errors).
func importBatch(ctx context.Context, client *workspace.Client, importID string) (m snapshotBatchModel, diags diag.Diagnostics, refused importRefusal) {
	isCreate := func(jobType string) bool { return jobType == workspace.JobTypeCreateSnapshot }
	run, diags := importJobs(ctx, client, importID, jobrun.Create, isCreate, workspace.JobTypeCreateSnapshot,
		"Unable to import desktop snapshots")
	if diags.HasError() {
		return snapshotBatchModel{}, diags, importRefusal{}
	}
	var desktops []string
	for _, id := range run.JobIDs {
		for _, o := range run.Results[id].Outcomes {
			desktops = append(desktops, o.DesktopID)
		}
	}
	m = snapshotBatchModel{
		DesktopIDs:         framework.StringListValue(framework.DistinctIDs(desktops)),
		DesktopsMatching:   types.ObjectNull(desktopsMatchingType.AttrTypes),
		SystemDiskSnapshot: types.ObjectNull(diskSnapshotType.AttrTypes),
		DataDiskSnapshot:   types.ObjectNull(diskSnapshotType.AttrTypes),
		Triggers:           types.MapNull(types.StringType),
		RetainOnDestroy:    types.BoolValue(false),
		Timeouts:           framework.NullTimeouts(ctx, batchTimeouts),
	}
	applied, refused := m.applyJobResults(ctx, client, run, nil, true)
	diags.Append(applied...)
	m.DiskType = types.StringValue(inferDiskType(batchSnapshotsOf(ctx, &m)))
	return m, diags, refused
}
