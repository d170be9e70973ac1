package workspace

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Resolving which snapshots a finished restore job restored (for import).
//
// Sub-jobs name their desktop (entities.desktop_id) but not the snapshots;
// the free-text entity's format is not documented (reference §9 item 2). So
// the snapshots are found from documented fields: per desktop of the job and
// per disk, the record that was restored (status restoring, restore_success
// or restore_failed) whose last_restore_time (UTC) fits the end of the
// desktop's sub-job best, in the learned zone of job times or modulo a
// quarter hour while it is unknown, and within restoreFit of it. This
// assumes the job was the last restore of each of those snapshots.

// restoreFit bounds how far a record's last_restore_time may be from its
// sub-job's end.
const restoreFit = 2 * time.Minute

// RestoredSnapshots is what a restore job restored.
type RestoredSnapshots struct {
	SnapshotIDs []string // sorted
	// Unresolved lists the desktops of the job for which no restored
	// snapshot fits, sorted.
	Unresolved []string
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
	records, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopIds: desktops})
	if err != nil {
		return nil, fmt.Errorf("resolving the snapshots of job %s: %w", job.JobID, err)
	}
	return selectRestored(records, job, c.svc.offsetScore), nil
}

// selectRestored is the choosing half of ResolveRestoredSnapshots.
func selectRestored(records []DesktopSnapshotDetailInfo, job *JobResult, score func(jobTime, utc time.Time) time.Duration) *RestoredSnapshots {
	type best struct {
		id       string
		fit      time.Duration
		restored time.Time
	}
	ends := map[string]time.Time{}
	for _, o := range job.Outcomes {
		end := o.EndTime
		if end.IsZero() {
			end = job.EndTime
		}
		ends[o.DesktopID] = end
	}
	chosen := map[string]*[2]*best{} // per desktop: system, data
	for _, rec := range records {
		end, inJob := ends[rec.DesktopId]
		restored, ok := parseJobTime(rec.LastRestoreTime)
		switch {
		case !inJob || !ok || end.IsZero() || rec.IsSystemDisk == nil:
			continue
		case rec.Status != SnapshotStatusRestoring && rec.Status != SnapshotStatusRestoreSuccess && rec.Status != SnapshotStatusRestoreFailed:
			continue
		}
		fit := score(end, restored)
		if fit > restoreFit {
			continue
		}
		k := 1
		if *rec.IsSystemDisk {
			k = 0
		}
		disks := chosen[rec.DesktopId]
		if disks == nil {
			disks = &[2]*best{}
			chosen[rec.DesktopId] = disks
		}
		if b := disks[k]; b == nil || fit < b.fit || (fit == b.fit && restored.After(b.restored)) {
			disks[k] = &best{id: rec.SnapshotId, fit: fit, restored: restored}
		}
	}
	out := &RestoredSnapshots{}
	for _, d := range Dedupe(desktopsOfOutcomes(job)) { // each desktop once, in the job's order
		disks := chosen[d]
		if disks == nil {
			out.Unresolved = append(out.Unresolved, d)
			continue
		}
		for _, b := range disks {
			if b != nil {
				out.SnapshotIDs = append(out.SnapshotIDs, b.id)
			}
		}
	}
	sort.Strings(out.SnapshotIDs)
	sort.Strings(out.Unresolved)
	return out
}
