package workspace

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// Resolving which snapshots a finished restore job restored (for import).
//
// Sub-jobs name their desktop (entities.desktop_id) but not the snapshots;
// the free-text entity's format is not documented (reference §9 item 2). So
// the snapshots are found from documented fields: per desktop of the job and
// per disk, the record that was restored (status restoring, restore_success
// or restore_failed) whose last_restore_time (UTC) lies within the
// desktop's sub-job, in the known zone of job times (ZoneUnknownError
// otherwise). Two such records of one disk are ambiguous and neither is
// taken; a snapshot restored again since no longer shows this job's time,
// and its desktop is unresolved.

// RestoredSnapshots is what a restore job restored.
type RestoredSnapshots struct {
	SnapshotIDs []string // sorted
	// Unresolved lists the desktops of the job for which no restored
	// snapshot fits, sorted.
	Unresolved []string
	// Ambiguous lists the disks restored, within the job's time, from more
	// than one snapshot.
	Ambiguous []AmbiguousDisk
}

// ResolveRestoredSnapshots finds the snapshots a finished restore job
// restored.
func (c *Client) ResolveRestoredSnapshots(ctx context.Context, job *JobResult) (*RestoredSnapshots, error) {
	if job == nil {
		return nil, errors.New("resolving restored snapshots: no job given")
	}
	desktops := desktopsOfOutcomes(job)
	if len(desktops) == 0 {
		return &RestoredSnapshots{}, nil
	}
	bounds, err := c.jobWindows(job, nil, "Telling which snapshots job "+job.JobID+" restored")
	if err != nil {
		return nil, err
	}
	// Lists may lag the job: a job that ended a moment ago is looked at
	// again for what is left of the propagation window.
	deadline := c.propagationDeadline(job, c.cfg.PropagationWindow)
	for attempt := 1; ; attempt++ {
		records, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopIds: desktops})
		if err != nil {
			return nil, fmt.Errorf("resolving the snapshots of job %s: %w", job.JobID, err)
		}
		out := selectRestored(records, job, bounds)
		left := deadline.Sub(c.clock.Now())
		if len(out.Unresolved) == 0 || left <= 0 {
			return out, nil
		}
		if err := c.sleep(ctx, min(c.backoff(attempt), left)); err != nil {
			return out, nil //nolint:nilerr // out of time to wait for the list: what it shows stands, and the rest is reported
		}
	}
}

// selectRestored is the choosing half of ResolveRestoredSnapshots.
func selectRestored(records []DesktopSnapshotDetailInfo, job *JobResult, bounds map[string]window) *RestoredSnapshots {
	chosen := map[diskKey][]string{}
	for _, rec := range records {
		win, inJob := bounds[rec.DesktopId]
		restored, ok := parseJobTime(rec.LastRestoreTime)
		switch {
		case !inJob || !ok || rec.IsSystemDisk == nil || !win.holds(restored):
			continue
		case rec.Status != SnapshotStatusRestoring && rec.Status != SnapshotStatusRestoreSuccess && rec.Status != SnapshotStatusRestoreFailed:
			continue
		}
		k := diskKey{rec.DesktopId, *rec.IsSystemDisk}
		chosen[k] = append(chosen[k], rec.SnapshotId)
	}
	out := &RestoredSnapshots{}
	for _, d := range Dedupe(desktopsOfOutcomes(job)) { // each desktop once, in the job's order
		found := false
		for _, system := range []bool{true, false} {
			ids := chosen[diskKey{d, system}]
			switch {
			case len(ids) == 1:
				out.SnapshotIDs = append(out.SnapshotIDs, ids[0])
				found = true
			case len(ids) > 1:
				sort.Strings(ids)
				out.Ambiguous = append(out.Ambiguous, AmbiguousDisk{DesktopID: d, SystemDisk: system, Candidates: ids})
				found = true
			}
		}
		if !found {
			out.Unresolved = append(out.Unresolved, d)
		}
	}
	sort.Strings(out.SnapshotIDs)
	sort.Strings(out.Unresolved)
	return out
}
