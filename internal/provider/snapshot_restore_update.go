package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// A restore runs only when asked: on create, on a triggers change (a
// replacement), or for snapshots new to it, which an in-place update
// restores, only those. A restore overwrites a desktop's disk, so what the
// plan shows is all an apply may restore.
//
// Terraform plans each resource again at apply, with the values learned by
// then, and hands the provider the same configuration, state and private
// state whether the IDs were known at plan or only now: the provider cannot
// tell the two apart. What it can do is keep job_ids known in every plan
// that shows no restore. A plan that knew of new IDs marks job_ids unknown
// and the apply restores them; one that did not keeps job_ids known, so if
// the IDs turn out new, the apply-time plan's unknown job_ids contradicts
// it and Terraform stops before calling Update ("Provider produced
// inconsistent final plan"): nothing is restored, and the next plan shows
// them. IDs that are the same snapshots plan no restore and pass.

// restorePrivateKey holds a restorePrivate in the restore's private state.
const restorePrivateKey = "restore"

// restorePrivate is what a restore keeps between runs beside its state.
type restorePrivate struct {
	// Owed are snapshots the configuration names, and state therefore too,
	// that no job restored yet: an update whose chunk got no job, or whose
	// plan did not show them. The next plan restores those still named.
	Owed []string `json:"owed,omitempty"`
	// Unresolved are jobs whose outcome failed_desktops and status do not
	// include yet (an update cut short); without them, while PENDING, all
	// of job_ids are (a create cut short).
	Unresolved []string `json:"unresolved,omitempty"`
	// Settled is the status of the jobs already recorded, "" when none is.
	Settled string `json:"settled,omitempty"`
}

// restorePrivateKeys is the private state of a request or response.
type restorePrivateKeys interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func readRestorePrivate(ctx context.Context, p restorePrivateKeys) (restorePrivate, diag.Diagnostics) {
	var out restorePrivate
	if p == nil {
		return out, nil
	}
	raw, diags := p.GetKey(ctx, restorePrivateKey)
	if diags.HasError() || len(raw) == 0 {
		return out, diags
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		diags.AddError("Unable to read the restore's private state",
			fmt.Sprintf("Private state key %q is not the JSON object the provider writes: %v.", restorePrivateKey, err))
	}
	return out, diags
}

// writeRestorePrivate keeps what is set and drops the key when nothing is.
func writeRestorePrivate(ctx context.Context, p restorePrivateKeys, v restorePrivate) diag.Diagnostics {
	if len(v.Owed)+len(v.Unresolved) == 0 && v.Settled == "" {
		return p.SetKey(ctx, restorePrivateKey, nil)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to write the restore's private state", err.Error())
		return diags
	}
	return p.SetKey(ctx, restorePrivateKey, raw)
}

// unresolvedJobs are the jobs whose outcome is not recorded yet, and the
// status of those that are ("" when none is).
func (p restorePrivate) unresolvedJobs(ctx context.Context, m *snapshotRestoreModel) ([]string, string) {
	switch {
	case m.Status.ValueString() != jobrun.StatusPending:
		return nil, m.Status.ValueString()
	case len(p.Unresolved) > 0:
		return p.Unresolved, p.Settled
	default:
		return framework.StringsOf(ctx, m.JobIDs), ""
	}
}

// restoreTimeoutsAttribute is the timeouts attribute, its update described
// for a restore.
func restoreTimeoutsAttribute(ctx context.Context) schema.SingleNestedAttribute {
	attr := timeoutsAttribute(ctx, restoreTimeouts, "restoring the desktops")
	if update, ok := attr.Attributes["update"].(schema.StringAttribute); ok {
		update.MarkdownDescription = fmt.Sprintf("How long an update that restores snapshots newly named may take, until "+
			"its last job has ended. Defaults to `%q`. When it passes, the jobs keep running in the service: their IDs "+
			"stay in state with status `PENDING`, and the next refresh records their outcome.", defaultTimeoutText())
		attr.Attributes["update"] = update
	}
	return attr
}

// readNamed reads the attributes that say what the restore names, cheaply:
// a plan that restores nothing never converts the whole restore.
func readNamed(ctx context.Context, get func(context.Context, path.Path, any) diag.Diagnostics) (snapshotRestoreModel, diag.Diagnostics) {
	var m snapshotRestoreModel
	var diags diag.Diagnostics
	diags.Append(get(ctx, path.Root("snapshot_ids"), &m.SnapshotIDs)...)
	diags.Append(get(ctx, path.Root("snapshot_ids_json"), &m.SnapshotIDsJSON)...)
	diags.Append(get(ctx, path.Root("triggers"), &m.Triggers)...)
	return m, diags
}

// snapshotsToRestore are the snapshots an update restores, sorted: those
// named that the state does not name, and those owed (named, but not
// restored by an earlier apply) that are still named. Of the owed, the
// second result says which are among them.
func snapshotsToRestore(before, after, owed []string) (restore, stillOwed []string) {
	had := make(map[string]bool, len(before))
	for _, id := range before {
		had[id] = true
	}
	named := make(map[string]bool, len(after))
	for _, id := range after {
		named[id] = true
		if !had[id] {
			restore = append(restore, id)
		}
	}
	for _, id := range owed {
		if named[id] && had[id] {
			stillOwed = append(stillOwed, id)
		}
	}
	return framework.DistinctIDs(append(restore, stillOwed...)), framework.DistinctIDs(stillOwed)
}

// ModifyPlan plans what an in-place update restores, and says so. A
// create, a replacement (triggers) or a destroy plans as before.
func (r *snapshotRestoreResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	before, diags := readNamed(ctx, req.State.GetAttribute)
	after, more := readNamed(ctx, req.Plan.GetAttribute)
	diags.Append(more...)
	if diags.HasError() {
		resp.Diagnostics.Append(diags...)
		return
	}
	if !after.Triggers.Equal(before.Triggers) {
		return // replaced: the create restores everything named
	}
	idsPath := after.idsPath()
	if !after.snapshotIDsKnown() {
		// job_ids stays known (the state's): if the IDs name snapshots not
		// restored yet, the apply-time plan marks it unknown and Terraform
		// stops before the update. status and failed_desktops may change, so
		// that job_ids is the one attribute Terraform then names.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("failed_desktops"), types.MapUnknown(types.StringType))...)
		resp.Diagnostics.AddAttributeWarning(idsPath, "Snapshots to restore known only at apply", fmt.Sprintf(
			"The restore is updated in place, not replaced, and the apply restores none of the snapshots that %s names "+
				"only then: if they are the snapshots already restored it makes no API call, and if they name others, "+
				"Terraform stops this resource's apply with \"Provider produced inconsistent final plan\" for job_ids, "+
				"before any call, and a later plan shows them.", idsPath))
		return
	}
	private, diags := readRestorePrivate(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	was, wasDiags := before.snapshotIDs(ctx)
	now, nowDiags := after.snapshotIDs(ctx)
	if diags.HasError() || wasDiags.HasError() || nowDiags.HasError() {
		return // the validators report a bad value
	}
	restore, owed := snapshotsToRestore(was, now, private.Owed)
	if len(restore) == 0 {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("job_ids"), types.ListUnknown(types.StringType))...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("failed_desktops"), types.MapUnknown(types.StringType))...)
	earlier := ""
	if len(owed) > 0 {
		earlier = fmt.Sprintf("; %d of them named before, but not restored by an earlier apply", len(owed))
	}
	resp.Diagnostics.AddAttributeWarning(idsPath, "Snapshots to restore in place", fmt.Sprintf(
		"The restore is updated, not replaced: the apply restores %s that it has not restored (%s%s), and none of the "+
			"snapshots it restored before.", framework.CountOf(len(restore), "snapshot"), framework.AbbreviateIDs(restore, framework.MaxNamedIDs), earlier))
}

func (r *snapshotRestoreResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state snapshotRestoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client := clientFrom(r.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	private, diags := readRestorePrivate(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	was, diags := state.snapshotIDs(ctx)
	resp.Diagnostics.Append(diags...)
	now, diags := plan.snapshotIDs(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The restore as in state, with the configuration's arguments: the jobs
	// and their outcome change only by what this update runs.
	m := state
	m.SnapshotIDs, m.SnapshotIDsJSON, m.Triggers, m.Timeouts = plan.SnapshotIDs, plan.SnapshotIDsJSON, plan.Triggers, plan.Timeouts
	// Every owed snapshot still named is in restore; the others are dropped.
	restore, _ := snapshotsToRestore(was, now, private.Owed)
	private.Owed = nil
	save := func() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		resp.Diagnostics.Append(writeRestorePrivate(ctx, resp.Private, private)...)
	}
	resp.Diagnostics.Append(setJobsIdentity(ctx, resp.Identity, client, m.identityJobIDs(ctx))...)
	if len(restore) == 0 {
		save()
		return
	}
	if !plan.JobIDs.IsUnknown() {
		// The plan showed no restore (Terraform stops such an apply first, as
		// the apply-time plan marks job_ids unknown; this holds to the plan
		// should it not): restore none, and let the next plan show them.
		private.Owed = framework.DistinctIDs(append(private.Owed, restore...))
		save()
		resp.Diagnostics.AddAttributeWarning(plan.idsPath(), "Snapshots not restored", fmt.Sprintf(
			"The plan did not show them, so the apply restored none of the %s new to this restore (%s); the next plan "+
				"shows them, and its apply restores them.", framework.CountOf(len(restore), "snapshot"), framework.AbbreviateIDs(restore, framework.MaxNamedIDs)))
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultBatchTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	updateRestore(ctx, client, &m, &private, restore, framework.StringsOf(ctx, state.JobIDs), resp)
	save()
}

// updateRestore restores the snapshots through the create's job-run path:
// each job ID is recorded in state (job_ids grows) and private state before
// the wait, so an interrupted update leaves jobs the next refresh records;
// their outcome is merged with the jobs recorded before. m is the restore
// as it is to be saved.
func updateRestore(ctx context.Context, client *workspace.Client, m *snapshotRestoreModel, private *restorePrivate,
	restore, oldJobs []string, resp *resource.UpdateResponse) {
	unresolved, settled := private.unresolvedJobs(ctx, m)
	status := m.Status
	var sent []string
	submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
		return client.SubmitBatchRestore(ctx, restore, hooks)
	}
	run := jobrun.Start(ctx, client, jobrun.Restore, submit, jobrun.RecordFuncs{
		OnJob: func(sub workspace.ChunkSubmission) { sent = append(sent, sub.IDs...) },
		OnRecord: func(jobIDs []string) {
			m.JobIDs = framework.StringListValue(append(slices.Clone(oldJobs), jobIDs...))
			m.Status = types.StringValue(jobrun.StatusPending)
			p := *private
			p.Owed = framework.DistinctIDs(append(slices.Clone(p.Owed), withoutIDs(restore, sent)...))
			p.Unresolved, p.Settled = append(slices.Clone(unresolved), jobIDs...), settled
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
			resp.Diagnostics.Append(writeRestorePrivate(ctx, resp.Private, p)...)
		},
	}, jobrun.Hooks{})
	// Snapshots whose chunk got no job are owed: the next plan shows them.
	unsent := withoutIDs(restore, sent)
	private.Owed = framework.DistinctIDs(append(private.Owed, unsent...))
	switch {
	case len(run.JobIDs) == 0:
		m.Status = status // nothing ran
	case run.Stopped != nil || run.Pending():
		// Cut short, or an outcome not read: the refresh records the jobs.
		m.Status = types.StringValue(jobrun.StatusPending)
		private.Unresolved, private.Settled = append(unresolved, run.JobIDs...), settled
	default:
		m.mergeFailures(ctx, run)
		latest := mergedStatus(settled, run.Status())
		if len(unresolved) > 0 {
			// Earlier jobs are still unresolved: the refresh records them.
			m.Status = types.StringValue(jobrun.StatusPending)
			private.Unresolved, private.Settled = unresolved, latest
		} else {
			m.Status = types.StringValue(latest)
			private.Unresolved, private.Settled = nil, ""
		}
	}
	resp.Diagnostics.Append(run.Diagnostics(restoreReport(m.idsPath(), "update"))...)
	if len(unsent) > 0 {
		resp.Diagnostics.AddAttributeWarning(m.idsPath(), "Snapshots left to restore", fmt.Sprintf(
			"No job was started for %s (%s); the next plan shows them, and its apply restores them.",
			framework.CountOf(len(unsent), "snapshot"), framework.AbbreviateIDs(unsent, framework.MaxNamedIDs)))
	}
}
