package workspace

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Resolving what a create job made.
//
// batch-create answers only with a job ID and the service composes the
// snapshot names, so the records are found by listing the job's desktops
// and keeping those that fit the job: created within [begin-1s, end+1s]
// (times have second precision), MANUALLY, of the requested disk kinds and
// names. Back-to-back jobs on the same desktops can fall in one window, so
// per desktop only the newest generation is kept: the newest system-disk
// record, and as many of the newest data-disk records as one generation
// holds (data records per system record, or the records sharing the newest
// create_time when no system disk was snapshotted). "Newest" orders by
// create_time, then by list position (the service lists in creation order).

// resolveSlack widens the job window for second-precision times.
const resolveSlack = time.Second

// ResolveOptions narrows snapshot resolution. Empty fields match anything
// (import knows only the job).
type ResolveOptions struct {
	DiskType        string
	SystemDiskName  string
	DataDiskName    string
	ExcludeSnapshot map[string]bool // IDs known to predate the job
}

// ResolveCreatedSnapshots returns exactly the snapshot records a finished
// create job produced, per desktop and disk (including create_failed
// records of failed sub-jobs, so they can be cleaned up), sorted by desktop
// ID, system disk first, then snapshot ID.
func (c *Client) ResolveCreatedSnapshots(ctx context.Context, job *JobResult, opts ResolveOptions) ([]DesktopSnapshotDetailInfo, error) {
	if job == nil {
		return nil, errors.New("resolving created snapshots: no job given")
	}
	if err := checkEnum("disk_type", opts.DiskType, DiskTypes); err != nil {
		return nil, fmt.Errorf("resolving the snapshots of job %s: %w", job.JobID, err)
	}
	var desktops []string
	for _, o := range job.Outcomes {
		if o.DesktopID != "" {
			desktops = append(desktops, o.DesktopID)
		}
	}
	if len(desktops) == 0 {
		return nil, nil
	}
	records, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopIds: desktops, CreateType: CreateTypeManually})
	if err != nil {
		return nil, fmt.Errorf("resolving the snapshots of job %s: %w", job.JobID, err)
	}
	return selectCreated(records, job, opts), nil
}

// selectCreated is the filtering half of ResolveCreatedSnapshots.
func selectCreated(records []DesktopSnapshotDetailInfo, job *JobResult, opts ResolveOptions) []DesktopSnapshotDetailInfo {
	inJob := make(map[string]bool, len(job.Outcomes))
	for _, o := range job.Outcomes {
		inJob[o.DesktopID] = true
	}
	from, to := job.BeginTime.Add(-resolveSlack), job.EndTime.Add(resolveSlack)
	type candidate struct {
		rec     DesktopSnapshotDetailInfo
		created time.Time
		pos     int
	}
	perDesktop := map[string]*[2][]candidate{} // [0] system, [1] data
	for pos, rec := range records {
		created, ok := parseJobTime(rec.CreateTime)
		system := rec.IsSystemDisk != nil && *rec.IsSystemDisk
		switch {
		case !inJob[rec.DesktopId], opts.ExcludeSnapshot[rec.SnapshotId], rec.IsSystemDisk == nil:
			continue
		case rec.CreateType != "" && rec.CreateType != CreateTypeManually:
			continue
		case !ok, !job.BeginTime.IsZero() && created.Before(from), !job.EndTime.IsZero() && created.After(to):
			continue
		case !diskWanted(opts, system, rec.SnapshotName):
			continue
		}
		kinds := perDesktop[rec.DesktopId]
		if kinds == nil {
			kinds = &[2][]candidate{}
			perDesktop[rec.DesktopId] = kinds
		}
		k := 1
		if system {
			k = 0
		}
		kinds[k] = append(kinds[k], candidate{rec, created, pos})
	}
	var out []DesktopSnapshotDetailInfo
	for _, kinds := range perDesktop {
		for _, list := range kinds {
			sort.Slice(list, func(i, j int) bool { // newest first
				if !list[i].created.Equal(list[j].created) {
					return list[i].created.After(list[j].created)
				}
				return list[i].pos > list[j].pos
			})
		}
		system, data := kinds[0], kinds[1]
		if len(system) > 0 {
			out = append(out, system[0].rec)
		}
		keep := len(data)
		switch {
		case len(system) > 0 && len(data)%len(system) == 0:
			keep = len(data) / len(system)
		case len(data) > 0:
			keep = 1
			for keep < len(data) && data[keep].created.Equal(data[0].created) {
				keep++
			}
		}
		for _, cand := range data[:keep] {
			out = append(out, cand.rec)
		}
	}
	sortSnapshots(out)
	return out
}

// diskWanted applies DiskType and the requested names to one record.
func diskWanted(opts ResolveOptions, system bool, name string) bool {
	switch {
	case system && opts.DiskType == DiskTypeData, !system && opts.DiskType == DiskTypeSystem:
		return false
	case system:
		return strings.Contains(name, opts.SystemDiskName)
	default:
		return strings.Contains(name, opts.DataDiskName)
	}
}

// sortSnapshots orders by desktop ID, system disk first, then snapshot ID.
func sortSnapshots(records []DesktopSnapshotDetailInfo) {
	sort.Slice(records, func(i, j int) bool {
		a, b := records[i], records[j]
		if a.DesktopId != b.DesktopId {
			return a.DesktopId < b.DesktopId
		}
		as, bs := a.IsSystemDisk != nil && *a.IsSystemDisk, b.IsSystemDisk != nil && *b.IsSystemDisk
		if as != bs {
			return as
		}
		return a.SnapshotId < b.SnapshotId
	})
}
