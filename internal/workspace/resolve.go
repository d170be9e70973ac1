package workspace

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Resolving what a create job made.
//
// batch-create answers only with a job ID and the service composes the
// snapshot names, so the records are found by listing the job's desktops. A
// record is the job's only if it was not there before the job was sent (the
// baseline the submission listed, ChunkSubmission.Baseline), is MANUALLY
// created, of the requested disk kinds and carries the requested names.
// Job times are not trusted to bound the search (their zone is not
// documented, reference §9 item 1); they only break a tie, when a desktop
// has records of more than one generation (a later job over the same
// desktops, or an import, which has no baseline): the generation whose
// create_time (documented UTC) best fits the job's begin_time in the
// learned zone, or, while the zone is unknown, the one that fits it modulo a
// quarter hour; then the newest. A desktop whose sub-job succeeded but whose
// record cannot be found is reported, never dropped in silence.

// ResolveOptions narrows snapshot resolution. Empty fields match anything
// (import knows only the job).
type ResolveOptions struct {
	DiskType       string
	SystemDiskName string
	DataDiskName   string
	// Baseline holds the IDs of the snapshots the job's desktops had before
	// it was sent; nil when unknown (import).
	Baseline map[string]bool
}

// CreatedSnapshots is what a create job made.
type CreatedSnapshots struct {
	// Records per desktop and disk (including create_failed records of
	// failed sub-jobs, so they can be cleaned up), sorted by desktop ID,
	// system disk first, then snapshot ID.
	Records []DesktopSnapshotDetailInfo
	// Unattributed lists the desktops whose sub-job succeeded but for which
	// no record of the requested kind was found, sorted.
	Unattributed []string
}

// ResolveCreatedSnapshots returns exactly the snapshot records a finished
// create job produced.
func (c *Client) ResolveCreatedSnapshots(ctx context.Context, job *JobResult, opts ResolveOptions) (*CreatedSnapshots, error) {
	if job == nil {
		return nil, errors.New("resolving created snapshots: no job given")
	}
	if err := checkEnum("disk_type", opts.DiskType, DiskTypes); err != nil {
		return nil, fmt.Errorf("resolving the snapshots of job %s: %w", job.JobID, err)
	}
	desktops := desktopsOfOutcomes(job)
	if len(desktops) == 0 {
		return &CreatedSnapshots{}, nil
	}
	records, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopIds: desktops, CreateType: CreateTypeManually})
	if err != nil {
		return nil, fmt.Errorf("resolving the snapshots of job %s: %w", job.JobID, err)
	}
	return selectCreated(records, job, opts, c.svc.offsetScore), nil
}

// selectCreated is the filtering half of ResolveCreatedSnapshots; score
// rates how well a job time and a UTC time mark the same moment (lower is
// better).
func selectCreated(records []DesktopSnapshotDetailInfo, job *JobResult, opts ResolveOptions, score func(jobTime, utc time.Time) time.Duration) *CreatedSnapshots {
	inJob := make(map[string]bool, len(job.Outcomes))
	for _, o := range job.Outcomes {
		inJob[o.DesktopID] = true
	}
	perDesktop := map[string]*[2][]candidate{} // [0] system, [1] data
	for pos, rec := range records {
		system := rec.IsSystemDisk != nil && *rec.IsSystemDisk
		switch {
		case !inJob[rec.DesktopId], opts.Baseline[rec.SnapshotId], rec.IsSystemDisk == nil:
			continue
		case rec.CreateType != "" && rec.CreateType != CreateTypeManually:
			continue
		case !diskWanted(opts, system, rec.SnapshotName):
			continue
		}
		created, ok := parseJobTime(rec.CreateTime)
		cand := candidate{rec: rec, created: created, pos: pos, fit: time.Duration(math.MaxInt64)}
		if ok && !job.BeginTime.IsZero() {
			cand.fit = score(job.BeginTime, created)
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
		kinds[k] = append(kinds[k], cand)
	}
	out := &CreatedSnapshots{}
	for _, kinds := range perDesktop {
		system, data := kinds[0], kinds[1]
		var reference *candidate
		if len(system) > 0 {
			reference = bestFit(system)
			out.Records = append(out.Records, reference.rec)
		}
		if len(data) > 0 {
			if reference == nil {
				reference = bestFit(data)
			}
			out.Records = append(out.Records, sameGeneration(data, system, reference)...)
		}
	}
	sortSnapshots(out.Records)
	found := map[string][2]bool{}
	for _, r := range out.Records {
		f := found[r.DesktopId]
		if *r.IsSystemDisk {
			f[0] = true
		} else {
			f[1] = true
		}
		found[r.DesktopId] = f
	}
	for _, o := range job.Outcomes {
		if o.DesktopID != "" && o.Succeeded() && !expectedFound(opts.DiskType, found[o.DesktopID]) {
			out.Unattributed = append(out.Unattributed, o.DesktopID)
		}
	}
	sort.Strings(out.Unattributed)
	return out
}

// candidate is a record that may be the job's.
type candidate struct {
	rec     DesktopSnapshotDetailInfo
	created time.Time
	pos     int
	fit     time.Duration // how well create_time fits the job's begin; lower is better
}

// bestFit is the candidate that best fits the job's time, then the newest,
// then the last listed (the service lists in creation order).
func bestFit(cands []candidate) *candidate {
	best := &cands[0]
	for i := range cands[1:] {
		c := &cands[i+1]
		switch {
		case c.fit != best.fit:
			if c.fit < best.fit {
				best = c
			}
		case !c.created.Equal(best.created):
			if c.created.After(best.created) {
				best = c
			}
		case c.pos > best.pos:
			best = c
		}
	}
	return best
}

// sameGeneration returns the data disk records made with the reference
// record: those created within a second or two of it (a desktop may have
// several data disks). When several system records share that moment (jobs
// back to back within a second, with no baseline to tell them apart), each
// generation holds an equal share, and the last listed share is the newest.
// If no data record is near the reference, the data record fitting best and
// the ones created with it.
func sameGeneration(data, system []candidate, reference *candidate) []DesktopSnapshotDetailInfo {
	near := func(c candidate) bool {
		d := c.created.Sub(reference.created)
		return d >= -timePrecision && d <= timePrecision
	}
	var out []candidate
	for _, c := range data {
		if near(c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		best := bestFit(data)
		for _, c := range data {
			if c.created.Equal(best.created) {
				out = append(out, c)
			}
		}
	}
	generations := 0
	for _, c := range system {
		if near(c) {
			generations++
		}
	}
	if generations > 1 && len(out)%generations == 0 {
		sort.Slice(out, func(i, j int) bool { return out[i].pos < out[j].pos })
		out = out[len(out)-len(out)/generations:]
	}
	records := make([]DesktopSnapshotDetailInfo, len(out))
	for i, c := range out {
		records[i] = c.rec
	}
	return records
}

// expectedFound reports whether a succeeded desktop has the records its
// disk type promises: a system disk snapshot for ALL and SYSTEM_DISK (every
// desktop has a system disk), a data disk one for DATA_DISKS, any when the
// type is not known.
func expectedFound(diskType string, found [2]bool) bool {
	switch diskType {
	case DiskTypeAll, DiskTypeSystem:
		return found[0]
	case DiskTypeData:
		return found[1]
	default:
		return found[0] || found[1]
	}
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

// desktopsOfOutcomes lists the desktops a job's sub-jobs name.
func desktopsOfOutcomes(job *JobResult) []string {
	var desktops []string
	for _, o := range job.Outcomes {
		if o.DesktopID != "" {
			desktops = append(desktops, o.DesktopID)
		}
	}
	return desktops
}
