package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Membership: desktops join and leave a batch in place. A desktop added to
// desktop_ids is snapshotted by the update (its jobs recorded in state
// before the wait, as a create records them, and resolved under the same
// ownership rules); a desktop removed has its snapshots deleted (kept with
// retain_on_destroy); the others are not touched. The batch's id and
// identity stay the jobs it was created (or imported) with; job_ids grows.

// membershipChange is how desktop_ids changes: added in the plan's order,
// removed in the state's.
func membershipChange(before, after []string) (added, removed []string) {
	had := make(map[string]bool, len(before))
	for _, id := range before {
		had[id] = true
	}
	has := make(map[string]bool, len(after))
	for _, id := range workspace.Dedupe(after) {
		has[id] = true
		if !had[id] {
			added = append(added, id)
		}
	}
	for _, id := range workspace.Dedupe(before) {
		if !has[id] {
			removed = append(removed, id)
		}
	}
	return added, removed
}

// planMembership plans what an in-place membership change recomputes, as
// exactly as can be known (so the plan shows only what changes: a removed
// desktop's entries go, an added desktop's system disk snapshot is known
// after apply; the snapshots added desktops get are new keys, so then
// snapshot_desktop_ids as a whole is), and says what the apply will do.
func planMembership(ctx context.Context, state snapshotBatchModel, planned types.List, added, removed []string, resp *resource.ModifyPlanResponse) {
	m := state
	held := batchSnapshotsOf(ctx, &m)
	leaving := held.of(removed).len()
	held.drop(removed)
	held.setOn(&m)
	failed := framework.StringMapOf(ctx, m.FailedDesktops)
	for _, d := range removed {
		delete(failed, d)
	}
	m.FailedDesktops, m.DesktopIDs = framework.StringMapValue(failed), planned
	next := map[string]any{
		"snapshot_desktop_ids": m.SnapshotDesktopIDs,
		"failed_desktops":      m.FailedDesktops,
		"job_ids":              m.JobIDs,
		"status":               types.StringValue(statusOf(ctx, &m)),
	}
	if len(added) > 0 || state.Status.ValueString() == jobrun.StatusPending {
		next["snapshot_desktop_ids"] = types.MapUnknown(types.StringType)
		next["failed_desktops"] = types.MapUnknown(types.StringType)
		next["job_ids"] = types.ListUnknown(types.StringType)
		next["status"] = types.StringUnknown()
	}
	system := map[string]attr.Value{}
	for d, id := range held.system {
		system[d] = types.StringValue(id)
	}
	if m.DiskType.ValueString() != workspace.DiskTypeData {
		for _, d := range added {
			system[d] = types.StringUnknown()
		}
	}
	next["system_disk_snapshot_ids"] = types.MapValueMust(types.StringType, system)
	if state.Status.ValueString() == jobrun.StatusPending {
		// The update first settles the earlier jobs, which may add records.
		next["system_disk_snapshot_ids"] = types.MapUnknown(types.StringType)
	}
	for name, v := range next {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
	}

	resp.Diagnostics.AddAttributeWarning(path.Root("desktop_ids"), "Desktops join or leave the batch in place",
		"The batch is updated, not replaced: "+membershipSummary(added, removed, leaving, state.RetainOnDestroy.ValueBool())+
			". The other desktops' snapshots are not touched.")
}

// membershipSummary says what a membership change does: how many desktops
// are snapshotted, and how many snapshots of leaving desktops go.
func membershipSummary(added, removed []string, leaving int, retain bool) string {
	var parts []string
	if len(added) > 0 {
		parts = append(parts, fmt.Sprintf("%s to snapshot (%s)", framework.CountOf(len(added), "desktop"), framework.AbbreviateIDs(added, framework.MaxNamedIDs)))
	}
	if len(removed) > 0 {
		fate := "to delete"
		if retain {
			fate = "to keep in the service (retain_on_destroy) and forget"
		}
		parts = append(parts, fmt.Sprintf("%s of %s %s (%s)", framework.CountOf(leaving, "snapshot"), framework.CountOf(len(removed), "leaving desktop"),
			fate, framework.AbbreviateIDs(removed, framework.MaxNamedIDs)))
	}
	return joinParts(parts)
}

func joinParts(parts []string) string {
	switch len(parts) {
	case 0:
		return "nothing changes"
	case 1:
		return parts[0]
	default:
		return parts[0] + "; " + parts[1]
	}
}

// updateMembership snapshots the added desktops and deletes the removed
// ones' snapshots, evolving m (the batch as in state, with the plan's
// settings) and keeping resp.State in step, so that an interrupted update
// leaves every job it started in state. planned is the plan's desktop_ids.
// On success m.DesktopIDs is the plan's; on failure it names the desktops
// the batch holds or has jobs for, so the next plan shows what is left.
func updateMembership(ctx context.Context, client *workspace.Client, m *snapshotBatchModel, planned types.List,
	added, removed []string, windows jobWindows, resp *resource.UpdateResponse) {
	diags := &resp.Diagnostics
	save := func() {
		diags.Append(setBatchState(ctx, &resp.State, m)...)
		diags.Append(writeJobWindows(ctx, resp.Private, windows, m.Status.ValueString() == jobrun.StatusPending)...)
	}
	desktops := framework.StringsOf(ctx, m.DesktopIDs)

	if m.Status.ValueString() == jobrun.StatusPending {
		// Settle the earlier jobs first: a desktop must not leave while a job
		// that may have snapshotted it is unresolved.
		run := jobrun.Await(ctx, client, jobrun.Create, windows.unresolved(framework.StringsOf(ctx, m.JobIDs)))
		if run.Stopped == nil {
			d, _ := m.applyJobResults(ctx, client, run, windows, false)
			diags.Append(d...)
		} else {
			diags.Append(run.Diagnostics(updateReport)...)
		}
		if m.Status.ValueString() == jobrun.StatusPending {
			save()
			diags.AddAttributeError(path.Root("desktop_ids"), "Unable to change the batch's desktops",
				"The batch's earlier jobs are not resolved yet (status PENDING), so no desktop joined or left. Apply again once they are.")
			return
		}
	}

	if len(added) > 0 {
		req, d := m.createRequest(ctx)
		diags.Append(d...)
		if diags.HasError() {
			save()
			return
		}
		req.DesktopIds = added
		m.Status = types.StringValue(jobrun.StatusPending)
		save()
		submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
			return client.SubmitBatchCreate(ctx, req, hooks)
		}
		run := jobrun.Start(ctx, client, jobrun.Create, submit, jobrun.RecordFuncs{
			OnJob: func(sub workspace.ChunkSubmission) {
				windows.add(sub)
				desktops = append(desktops, sub.IDs...)
			},
			OnRecord: func(jobIDs []string) {
				// The jobs and their desktops go to state before the wait: a
				// run cut short still has them, and the next refresh resolves
				// them. Only the two attributes that change: the whole batch
				// was saved before the run, and converting it again costs a
				// large batch.
				m.DesktopIDs = framework.StringListValue(desktops)
				m.addJobIDs(ctx, jobIDs)
				diags.Append(writeJobWindows(ctx, resp.Private, windows, true)...)
				diags.Append(setMembersState(ctx, &resp.State, m)...)
				diags.Append(resp.State.SetAttribute(ctx, path.Root("job_ids"), m.JobIDs)...)
			},
		}, jobrun.Hooks{})
		if len(run.JobIDs) > 0 && run.Stopped == nil {
			// Errors, not warnings as a create has them: what cannot be told
			// yet leaves the batch PENDING and short of the plan, and an
			// update, unlike a create, taints nothing.
			d, _ := m.applyJobResults(ctx, client, run, windows, false)
			diags.Append(d...)
		} else if len(run.JobIDs) == 0 {
			m.Status = types.StringValue(statusOf(ctx, m))
		}
		diags.Append(run.Diagnostics(updateReport)...)
		// A desktop whose snapshot failed leaves desktop_ids (failed_desktops
		// says why), so the next apply tries it again.
		desktops = withoutIDs(desktops, failedAmong(ctx, m, added))
		m.DesktopIDs = framework.StringListValue(desktops)
		if ctx.Err() != nil || diags.HasError() {
			save()
		}
	}

	if len(removed) > 0 && ctx.Err() == nil {
		// A desktop that leaves a matching batch left without the user naming
		// it: its snapshots stay with the batch (former) until it is replaced
		// or destroyed. One removed from desktop_ids was named, and the plan
		// showed its snapshots go.
		implicit := m.matching()
		b := membershipOf(ctx, m)
		leaving := b.leave(removed, implicit)
		if !implicit && !m.RetainOnDestroy.ValueBool() {
			d := deleteSnapshots(ctx, client, leaving)
			diags.Append(d...)
			if d.HasError() {
				save()
				return
			}
		}
		m.setMembership(b)
		desktops = withoutIDs(desktops, removed)
		m.DesktopIDs = framework.StringListValue(desktops)
		if m.Status.ValueString() != jobrun.StatusPending {
			m.Status = types.StringValue(statusOf(ctx, m))
		}
	}
	if !diags.HasError() {
		m.DesktopIDs = planned // the plan's order; the same desktops
	}
	save()
}

// updateReport is what a membership update's errors say of a run cut short.
var updateReport = jobrun.Report{
	IDsPath:     path.Root("desktop_ids"),
	Interrupted: "The apply was interrupted",
	TimedOut:    "The update timeout passed",
	Kept: "Their job IDs are kept in state with status PENDING; the next refresh records the snapshots " +
		"they made, and a destroy deletes them.",
}

// statusOf is the status of a batch that has no job running: its failed
// desktops against the rest.
func statusOf(ctx context.Context, m *snapshotBatchModel) string {
	failed := framework.StringMapOf(ctx, m.FailedDesktops)
	succeeded := 0
	for _, d := range framework.StringsOf(ctx, m.DesktopIDs) {
		if _, ok := failed[d]; !ok {
			succeeded++
		}
	}
	return jobrun.StatusOf(false, succeeded, len(failed))
}

// withoutIDs returns ids without those in drop, in order.
func withoutIDs(ids, drop []string) []string {
	gone := make(map[string]bool, len(drop))
	for _, id := range drop {
		gone[id] = true
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !gone[id] {
			out = append(out, id)
		}
	}
	return out
}

// failedAmong are the desktops of ids in failed_desktops.
func failedAmong(ctx context.Context, m *snapshotBatchModel, ids []string) []string {
	failed := framework.StringMapOf(ctx, m.FailedDesktops)
	var out []string
	for _, id := range ids {
		if _, ok := failed[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// batchMembership is a batch's desktops and what it holds of them, in plain
// Go: a plan of a membership change and its apply compute on it alike, so
// the values the plan shows are the ones the apply writes.
type batchMembership struct {
	desktops  []string
	system    map[string]string // desktop ID -> its system disk snapshot
	desktopOf map[string]string // snapshot ID -> desktop ID, of the members
	former    map[string]string // snapshot ID -> desktop ID, of desktops that left a matching batch
	failed    map[string]string // desktop ID -> why its snapshot failed
}

// leave takes desktops out of the batch and returns their snapshots
// (snapshot ID -> desktop ID). keep moves them to former, where the batch
// still holds them; otherwise the caller deletes or forgets them.
func (b *batchMembership) leave(removed []string, keep bool) map[string]string {
	gone := make(map[string]bool, len(removed))
	for _, d := range removed {
		gone[d] = true
	}
	leaving := map[string]string{}
	for id, d := range b.desktopOf {
		if gone[d] {
			leaving[id] = d
			delete(b.desktopOf, id)
			if keep {
				b.former[id] = d
			}
		}
	}
	for d := range gone {
		delete(b.system, d)
		delete(b.failed, d)
	}
	b.desktops = withoutIDs(b.desktops, removed)
	return leaving
}

// status is the status of a batch that has no job running (statusOf).
func (b *batchMembership) status() string {
	succeeded := 0
	for _, d := range b.desktops {
		if _, ok := b.failed[d]; !ok {
			succeeded++
		}
	}
	return jobrun.StatusOf(false, succeeded, len(b.failed))
}

// membershipOf reads a batch's membership from its model.
func membershipOf(ctx context.Context, m *snapshotBatchModel) *batchMembership {
	b := &batchMembership{
		desktops:  framework.StringsOf(ctx, m.DesktopIDs),
		system:    framework.StringMapOf(ctx, m.SystemDiskSnapshotIDs),
		desktopOf: framework.StringMapOf(ctx, m.SnapshotDesktopIDs),
		former:    maps.Clone(m.FormerSnapshots),
		failed:    framework.StringMapOf(ctx, m.FailedDesktops),
	}
	for _, mp := range []*map[string]string{&b.system, &b.desktopOf, &b.former, &b.failed} {
		if *mp == nil {
			*mp = map[string]string{}
		}
	}
	return b
}

// setMembership writes a membership's snapshots, former snapshots and
// failed desktops to the model (not its desktops: the caller keeps their
// order).
func (m *snapshotBatchModel) setMembership(b *batchMembership) {
	m.SystemDiskSnapshotIDs = framework.StringMapValue(b.system)
	m.SnapshotDesktopIDs = framework.StringMapValue(b.desktopOf)
	m.FormerSnapshots = b.former
	m.FailedDesktops = framework.StringMapValue(b.failed)
}
