package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// snapshotBatchModel is workspace_desktop_snapshot_batch's state.
type snapshotBatchModel struct {
	ID                    types.String   `tfsdk:"id"`
	DesktopIDs            types.List     `tfsdk:"desktop_ids"`
	DesktopsMatching      types.Object   `tfsdk:"desktops_matching"`
	DiskType              types.String   `tfsdk:"disk_type"`
	SystemDiskSnapshot    types.Object   `tfsdk:"system_disk_snapshot"`
	DataDiskSnapshot      types.Object   `tfsdk:"data_disk_snapshot"`
	Triggers              types.Map      `tfsdk:"triggers"`
	RetainOnDestroy       types.Bool     `tfsdk:"retain_on_destroy"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
	JobIDs                types.List     `tfsdk:"job_ids"`
	Status                types.String   `tfsdk:"status"`
	SystemDiskSnapshotIDs types.Map      `tfsdk:"system_disk_snapshot_ids"`
	SnapshotDesktopIDs    types.Map      `tfsdk:"snapshot_desktop_ids"`
	FailedDesktops        types.Map      `tfsdk:"failed_desktops"`

	// FormerSnapshots are the snapshots of desktops that left a matching
	// batch (snapshot ID -> desktop ID), unpacked from
	// desktops_matching.former_snapshot_desktop_ids_json by getBatch.
	FormerSnapshots map[string]string `tfsdk:"-"`
	// Runs says where a matching batch's state keeps each snapshot, as
	// getBatch read it, so that stateForm leaves each where it was.
	Runs snapshotRuns `tfsdk:"-"`
}

var diskSnapshotType = framework.ObjectTypeOf[diskSnapshotModel]()

// batchTimeouts are the operations the batch's timeouts block sets.
var batchTimeouts = timeouts.Opts{Create: true, Update: true, Delete: true}

func (m *snapshotBatchModel) setJobIDs(ids []string) { m.JobIDs, m.ID = jobIDState(ids) }

func (m *snapshotBatchModel) createRequest(ctx context.Context) (workspace.BatchCreateDesktopSnapshotReq, diag.Diagnostics) {
	return batchCreateRequest(ctx, m.DesktopIDs, m.DiskType.ValueString(), m.SystemDiskSnapshot, m.DataDiskSnapshot)
}

// startPending is the state a create writes before its first job: no
// snapshots yet, status PENDING.
func (m *snapshotBatchModel) startPending() {
	m.Status = types.StringValue(jobrun.StatusPending)
	newBatchSnapshots().setOn(m)
	m.FailedDesktops = framework.StringMapValue(nil)
}

// applyJobResults adds what the run's ended jobs made to the batch: their
// snapshots, failed desktops and the job IDs, then sets the status. The
// batch keeps what it held (a membership update adds jobs to a batch; a
// refresh resolves only the jobs still unresolved). windows holds when each
// job's request was sent (nil for an import, which then needs the zone of
// job times; see workspace.ResolveCreatedSnapshots); a job resolved here is
// dropped from it. While a job has not ended, or what it made cannot be
// told apart or found yet, the status stays PENDING and an error names the
// desktops, the job and the candidates; an import refuses what it cannot
// tell apart and only warns of what it cannot find. Snapshots of desktops no
// longer in desktop_ids are not taken.
//
// refused says, for each job whose snapshots could not be told (the zone
// of job times unknown, or records that cannot be told apart), why.
func (m *snapshotBatchModel) applyJobResults(ctx context.Context, client *workspace.Client, run *jobrun.Run, windows jobWindows, importing bool) (diags diag.Diagnostics, refused importRefusal) {
	m.addJobIDs(ctx, run.JobIDs)
	req, reqDiags := m.createRequest(ctx)
	diags.Append(reqDiags...)
	member := make(map[string]bool, len(req.DesktopIds))
	for _, d := range req.DesktopIds {
		member[d] = true
	}
	made := batchSnapshotsOf(ctx, m)
	failed := framework.StringMapOf(ctx, m.FailedDesktops)
	if failed == nil {
		failed = map[string]string{}
	}
	maps.Copy(failed, refusedDesktops(run))
	unresolved := false
	var zoneJobs []string // jobs an import cannot resolve without the zone of job times
	for _, id := range run.JobIDs {
		res := run.Results[id]
		if res == nil {
			continue
		}
		opts := workspace.ResolveOptions{DiskType: req.DiskType}
		if req.SystemDiskSnapshot != nil {
			opts.SystemDiskName = req.SystemDiskSnapshot.Name
		}
		if req.DataDiskSnapshot != nil {
			opts.DataDiskName = req.DataDiskSnapshot.Name
		}
		if w := windows[id]; w != nil {
			opts.Window = w
		}
		created, err := client.ResolveCreatedSnapshots(ctx, res, opts)
		var zoneErr *workspace.ZoneUnknownError
		switch {
		case errors.As(err, &zoneErr) && importing:
			zoneJobs = append(zoneJobs, id)
			refused.reasons = append(refused.reasons, err.Error())
			continue
		case err != nil:
			diags.Append(framework.ErrorDiagnostic("Unable to read the snapshots a job made", err, run.Credentials))
			unresolved = true
			if zoneErr != nil {
				refused.reasons = append(refused.reasons, err.Error())
			}
			continue
		}
		settled := true
		for _, r := range created.Records {
			if member[r.DesktopId] {
				made.addRecord(r)
				delete(failed, r.DesktopId)
			}
		}
		if len(created.Ambiguous) > 0 {
			diags.Append(ambiguousDiagnostic(id, created.Ambiguous, importing))
			settled = false
			refused.reasons = append(refused.reasons, fmt.Sprintf("more than one snapshot may be its, for %s (desktop %s first)",
				framework.CountOf(len(created.Ambiguous), "disk"), created.Ambiguous[0].DesktopID))
		}
		if len(created.Unattributed) > 0 {
			diags.Append(unattributedDiagnostic(id, created.Unattributed, importing))
			settled = settled && importing
		}
		for _, f := range res.Failed() {
			if member[f.DesktopID] {
				failed[f.DesktopID] = describeFailure(f)
			}
		}
		if settled {
			delete(windows, id)
		} else {
			unresolved = true
		}
	}
	if len(zoneJobs) > 0 {
		diags.Append(zoneUnknownDiagnostic(zoneJobs))
		refused.zoneUnknown = true
	}
	made.setOn(m)
	m.FailedDesktops = framework.StringMapValue(failed)
	m.Status = types.StringValue(jobrun.StatusOf(run.Pending() || unresolved, len(member)-len(failed), len(failed)))
	return append(diags, zoneContradiction(client)...), refused
}

// importRefusal is why an import would not give a batch: a reason per job
// whose snapshots could not be told, and whether the zone of job times,
// which a setting supplies, is what it lacks.
type importRefusal struct {
	reasons     []string
	zoneUnknown bool
}

// setJobTimeZone says what to set when an import lacks the zone of job
// times, and zoneUnknownWhy why, for the import's error and the list's
// warning alike.
const (
	setJobTimeZone = "Set the provider's job_time_zone (or HW_JOB_TIME_ZONE), e.g. job_time_zone = \"+08:00\", to " +
		"the zone of begin_time in the service's job answers (the workspace_job data source shows it)"
	zoneUnknownWhy = "an import has no send time of its own, Huawei does not document the zone, and this provider " +
		"learns it only from a job it starts"
)

// zoneUnknownDiagnostic is an import refused for the zone of job times:
// what to set comes first, in one line, then why, once for all the jobs.
func zoneUnknownDiagnostic(jobIDs []string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unable to import desktop snapshots: set job_time_zone",
		setJobTimeZone+", and import again.\n\nTelling which snapshots "+framework.CountOf(len(jobIDs), "job")+
			" made ("+framework.AbbreviateIDs(jobIDs, framework.MaxNamedIDs)+") depends on that zone: "+zoneUnknownWhy+".")
}

// identityJobIDs are the jobs of the batch's identity: those it was created
// or imported with, which id lists. Jobs of desktops that joined later are
// in job_ids only, so the identity never changes once made.
func (m *snapshotBatchModel) identityJobIDs() []string {
	if m.ID.ValueString() == "" {
		return nil
	}
	return strings.Split(m.ID.ValueString(), ",")
}

// addJobIDs adds jobs to job_ids. The id is the jobs the batch was created
// or imported with, and stays: a membership update's jobs are in job_ids.
func (m *snapshotBatchModel) addJobIDs(ctx context.Context, ids []string) {
	all := workspace.Dedupe(append(framework.StringsOf(ctx, m.JobIDs), ids...))
	m.JobIDs = framework.StringListValue(all)
	if m.ID.IsNull() || m.ID.IsUnknown() || m.ID.ValueString() == "" {
		_, m.ID = jobIDState(all)
	}
}

// refusedDesktops are the desktops of the chunks the service refused (no
// job started for them), each with the service's code and message.
func refusedDesktops(run *jobrun.Run) map[string]string {
	failed := map[string]string{}
	for _, sub := range run.RefusedChunks() {
		reason := "refused: " + sub.Err.Error()
		if e := (*workspace.APIError)(nil); errors.As(sub.Err, &e) {
			reason = framework.OrNone(e.ErrorCode) + ": " + framework.OrNone(e.ErrorMsg)
		}
		for _, d := range sub.IDs {
			failed[d] = reason
		}
	}
	return failed
}

// maxNamedCandidates bounds the disks an ambiguity diagnostic names.
const maxNamedCandidates = 10

// ambiguousDiagnostic names the disks whose records could not be told
// apart, with their candidates, and how the user settles it.
func ambiguousDiagnostic(jobID string, disks []workspace.AmbiguousDisk, importing bool) diag.Diagnostic {
	var b strings.Builder
	for i, d := range disks {
		if i == maxNamedCandidates {
			fmt.Fprintf(&b, "\n- and %d more", len(disks)-i)
			break
		}
		fmt.Fprintf(&b, "\n- desktop %s, %s: %s", d.DesktopID, diskKind(d.SystemDisk), strings.Join(d.Candidates, ", "))
	}
	what := fmt.Sprintf("More than one snapshot may be what job %s made, for %s, so none of them is taken "+
		"(another job over the same desktops made snapshots of the same name at the same time):%s",
		jobID, framework.CountOf(len(disks), "disk"), b.String())
	if importing {
		return diag.NewErrorDiagnostic("Unable to import desktop snapshots", what+
			"\n\nTo import the job, first delete the snapshots that are not its (workspace_desktop_snapshots lists them with their names and times).")
	}
	return diag.NewErrorDiagnostic("Unable to tell which snapshots a job made", what+
		"\n\nThe batch stays PENDING and holds none of them; the next refresh looks again. To settle it, delete the snapshots "+
		"that are not this batch's (workspace_desktop_snapshots lists them with their names and times), give batches over "+
		"the same desktops names that do not start alike, or set retain_on_destroy = true and terraform state rm the batch.")
}

func diskKind(system bool) string {
	if system {
		return "system disk"
	}
	return "data disks"
}

// unattributedDiagnostic names desktops whose sub-job succeeded but whose
// new snapshot could not be found.
func unattributedDiagnostic(jobID string, desktops []string, importing bool) diag.Diagnostic {
	what := fmt.Sprintf("Job %s succeeded for %s, but no snapshot among their manual snapshots is provably the job's "+
		"(made between the job's request and its end, of the requested disk kinds and names): %s.",
		jobID, framework.CountOf(len(desktops), "desktop"), framework.AbbreviateIDs(desktops, framework.MaxFailureDiagnostics))
	if importing {
		return diag.NewWarningDiagnostic("Snapshots of an imported job not found",
			what+"\n\nThey were probably deleted since; the imported batch does not hold them.")
	}
	return diag.NewErrorDiagnostic("Unable to find the snapshots a job made", what+
		"\n\nThe service's lists may lag its jobs; they were looked for again for a while. The job IDs stay in state with status "+
		"PENDING, and the next refresh or destroy looks again. If those snapshots were deleted outside Terraform, set "+
		"retain_on_destroy = true or run terraform state rm to forget the batch.")
}

// describeFailure is a failed desktop's value in failed_desktops.
func describeFailure(o workspace.DesktopOutcome) string {
	return framework.OrNone(o.ErrorCode) + ": " + framework.OrNone(o.FailReason)
}

// inferDiskType is what an imported batch's disk_type must have been.
func inferDiskType(b batchSnapshots) string {
	switch {
	case b.hasSystem() && !b.hasData():
		return workspace.DiskTypeSystem
	case b.hasData() && !b.hasSystem():
		return workspace.DiskTypeData
	default:
		return workspace.DiskTypeAll
	}
}
