package workspace

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Resolving what a create job made: ownership that fails closed.
//
// batch-create answers only with a job ID and the service composes the
// snapshot names, so the records are found by listing the job's desktops. A
// record is the job's only if all of these documented facts say so:
//   - it is a MANUALLY created record of a desktop of the job, of a disk kind
//     the job asked for;
//   - its create_time (documented UTC) lies in the job's window: for a job
//     this provider started, from the send of its request to when the job was
//     first read as ended, on the service's clock (HTTP Date headers); once
//     the zone of job times is known, also within the desktop's sub-job
//     begin_time and end_time in that zone. Each bound is widened by
//     ownershipSlack for second-precision times. An import has no send, so it
//     needs the zone (ZoneUnknownError otherwise);
//   - its name is the desktop's name, then the requested name, then what the
//     service appends (documented as a timestamp, format undocumented). What
//     it appends is judged by its shape (digits and letters as classes): a
//     shape is possible when every candidate's name ends in it, and the
//     records of that shape are the job's. "nightly-2…" is then never a
//     record of "nightly": no shape both ends "nightly2026…" and makes
//     "-22026…" all appended. A shape proven on a job this provider started
//     is kept for later resolutions.
// Where more than one record of a desktop's system disk (or of its data
// disks, spread beyond one moment) remains, or the possible shapes
// disagree, nothing of that desktop is taken: it is reported as ambiguous
// with its candidates. A desktop whose sub-job succeeded but shows no record
// is looked for again for the propagation window (lists lag jobs), then
// reported; never dropped in silence.

// ownershipSlack widens each bound of a job's window: create_time, job
// times and Date headers have one-second precision, and the Date header
// reaches us a network trip late.
const ownershipSlack = 3 * time.Second

// ResolveOptions says what the job asked for and when it ran.
type ResolveOptions struct {
	DiskType       string
	SystemDiskName string
	DataDiskName   string
	// Window is, for a job this provider started, when its request was
	// sent and answered (service time); nil for an import, which then
	// needs the zone of job times.
	Window *JobWindow
	// Propagation overrides Config.PropagationWindow when positive; a
	// negative value looks once.
	Propagation time.Duration
}

// JobWindow is when a job this provider started began to be possible and
// (if known) when it was first seen ended, on the service's clock.
type JobWindow struct {
	Sent     time.Time
	Answered time.Time // zero when the job was reconciled
	Ended    time.Time // zero: the JobResult's SeenEnded
}

// CreatedSnapshots is what a create job made.
type CreatedSnapshots struct {
	// Records per desktop and disk (including create_failed records of
	// failed sub-jobs, so they can be cleaned up), sorted by desktop ID,
	// system disk first, then snapshot ID.
	Records []DesktopSnapshotDetailInfo
	// Unattributed lists the desktops whose sub-job succeeded but show no
	// record that is the job's, sorted.
	Unattributed []string
	// Ambiguous lists the disks with more than one record that may be the
	// job's: none of them is taken.
	Ambiguous []AmbiguousDisk
}

// AmbiguousDisk is a desktop's disk kind whose records cannot be told apart.
type AmbiguousDisk struct {
	DesktopID  string
	SystemDisk bool
	Candidates []string // snapshot IDs, sorted
}

// ResolveCreatedSnapshots returns exactly the snapshot records a finished
// create job provably produced.
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
	bounds, err := c.jobWindows(job, opts.Window, "Telling which snapshots job "+job.JobID+" made")
	if err != nil {
		return nil, err
	}
	propagation := c.cfg.PropagationWindow
	if opts.Propagation != 0 {
		propagation = opts.Propagation
	}
	deadline := c.propagationDeadline(job, propagation)
	for attempt := 1; ; attempt++ {
		records, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopIds: desktops, CreateType: CreateTypeManually})
		if err != nil {
			return nil, fmt.Errorf("resolving the snapshots of job %s: %w", job.JobID, err)
		}
		learned := ""
		if opts.Window != nil {
			learned = c.names.get()
		}
		out, proven := selectCreated(records, job, opts, bounds, learned)
		left := deadline.Sub(c.clock.Now())
		if len(out.Unattributed) == 0 || left <= 0 {
			if opts.Window != nil && proven != "" && len(out.Unattributed) == 0 {
				c.names.set(proven)
			}
			return out, nil
		}
		// The list may lag the job: look again.
		if err := c.sleep(ctx, min(c.backoff(attempt), left)); err != nil {
			return out, nil //nolint:nilerr // out of time to wait for the list: what it shows stands, and the rest is reported
		}
	}
}

// propagationDeadline is when lists stop being given time to catch up
// with a job: the propagation window counts from the job's end, so a
// refresh long after the job looks once rather than waiting again.
func (c *Client) propagationDeadline(job *JobResult, propagation time.Duration) time.Time {
	now := c.clock.Now()
	ended, ok := c.svc.utcOf(job.EndTime)
	if !ok {
		ended = job.SeenEnded
	}
	if ended.IsZero() {
		return now.Add(propagation)
	}
	since := c.svc.toService(now).Sub(ended)
	return now.Add(propagation - max(since, 0))
}

// window bounds the create_time of a job's records (UTC, service clock);
// a zero bound is open.
type window struct{ from, to time.Time }

func (w window) holds(t time.Time) bool {
	return (w.from.IsZero() || !t.Before(w.from)) && (w.to.IsZero() || !t.After(w.to))
}

// jobWindows is each desktop's window: the job's send and end as this
// client saw them, narrowed to its sub-job's times in the known zone. With
// neither a window nor the zone, the decision is refused.
func (c *Client) jobWindows(job *JobResult, w *JobWindow, decision string) (map[string]window, error) {
	var base window
	if w != nil {
		base.from = w.Sent.Add(-ownershipSlack)
		end := w.Ended
		if end.IsZero() {
			end = job.SeenEnded
		}
		if !end.IsZero() {
			base.to = end.Add(ownershipSlack)
		}
	}
	_, zoneKnown := c.svc.zoneOffset()
	if !zoneKnown && (base.from.IsZero() || base.to.IsZero()) {
		return nil, &ZoneUnknownError{Decision: decision}
	}
	out := make(map[string]window, len(job.Outcomes))
	for _, o := range job.Outcomes {
		win := base
		if begin, ok := c.svc.utcOf(earliest(o.BeginTime, job.BeginTime)); ok {
			if from := begin.Add(-ownershipSlack); win.from.IsZero() || from.After(win.from) {
				win.from = from
			}
		}
		if end, ok := c.svc.utcOf(latest(o.EndTime, job.EndTime)); ok {
			if to := end.Add(ownershipSlack); win.to.IsZero() || to.Before(win.to) {
				win.to = to
			}
		}
		if win.from.IsZero() || win.to.IsZero() {
			return nil, fmt.Errorf("%s: job %s does not say when it ran (no readable begin_time and end_time)", decision, job.JobID)
		}
		out[o.DesktopID] = win
	}
	return out, nil
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.After(a)) {
		return b
	}
	return a
}

// candidate is a record that may be the job's.
type candidate struct {
	rec      DesktopSnapshotDetailInfo
	created  time.Time
	appended string // what follows the desktop's and the requested name
}

// diskKey is one desktop's system disk or data disks.
type diskKey struct {
	desktop string
	system  bool
}

// selectCreated is the choosing half of ResolveCreatedSnapshots. learned is
// a shape of what the service appends, proven before ("" = none); proven is
// the shape this selection proved, if any.
func selectCreated(records []DesktopSnapshotDetailInfo, job *JobResult, opts ResolveOptions, bounds map[string]window, learned string) (out *CreatedSnapshots, proven string) {
	cands := map[diskKey][]candidate{}
	subJobName := map[string]string{} // the desktop's name as its sub-job gives it
	for _, o := range job.Outcomes {
		if o.DesktopName != "" {
			subJobName[o.DesktopID] = o.DesktopName
		}
	}
	for _, rec := range records {
		win, inJob := bounds[rec.DesktopId]
		switch {
		case !inJob, rec.IsSystemDisk == nil:
			continue
		case rec.CreateType != "" && rec.CreateType != CreateTypeManually:
			continue
		}
		system := *rec.IsSystemDisk
		if (system && opts.DiskType == DiskTypeData) || (!system && opts.DiskType == DiskTypeSystem) {
			continue
		}
		created, ok := parseJobTime(rec.CreateTime)
		if !ok || !win.holds(created) {
			continue // a record that cannot be placed in the window is not provably the job's
		}
		name := opts.DataDiskName
		if system {
			name = opts.SystemDiskName
		}
		desktopName := rec.DesktopName
		if desktopName == "" {
			desktopName = subJobName[rec.DesktopId]
		}
		appended, ok := appendedPart(rec.SnapshotName, desktopName, name)
		if !ok {
			continue
		}
		k := diskKey{rec.DesktopId, system}
		cands[k] = append(cands[k], candidate{rec: rec, created: created, appended: appended})
	}
	out = &CreatedSnapshots{}
	chosen, ambiguous, proven := chooseByShape(cands, learned)
	for k, recs := range chosen {
		if ambiguous[k] || (!k.system && ambiguous[diskKey{k.desktop, true}]) {
			continue
		}
		out.Records = append(out.Records, recs...)
	}
	for k := range ambiguous {
		out.Ambiguous = append(out.Ambiguous, AmbiguousDisk{DesktopID: k.desktop, SystemDisk: k.system, Candidates: candidateIDs(cands[k])})
	}
	sort.Slice(out.Ambiguous, func(i, j int) bool {
		a, b := out.Ambiguous[i], out.Ambiguous[j]
		if a.DesktopID != b.DesktopID {
			return a.DesktopID < b.DesktopID
		}
		return a.SystemDisk && !b.SystemDisk
	})
	sortSnapshots(out.Records)
	found := map[string][2]bool{}
	undecided := map[string]bool{}
	for _, r := range out.Records {
		f := found[r.DesktopId]
		if *r.IsSystemDisk {
			f[0] = true
		} else {
			f[1] = true
		}
		found[r.DesktopId] = f
	}
	for _, a := range out.Ambiguous {
		undecided[a.DesktopID] = true
	}
	for _, o := range job.Outcomes {
		if o.DesktopID != "" && o.Succeeded() && !undecided[o.DesktopID] && !expectedFound(opts.DiskType, found[o.DesktopID]) {
			out.Unattributed = append(out.Unattributed, o.DesktopID)
		}
	}
	out.Unattributed = Dedupe(out.Unattributed)
	sort.Strings(out.Unattributed)
	return out, proven
}

// chooseByShape decides, per disk, which candidates are the job's: those
// whose appended part has the shape of what the service appends. With a
// learned shape, that one; else every shape some candidate's appended part
// has and in which every candidate's name ends (else no shape filter at
// all). A disk is ambiguous when the possible shapes choose differently,
// or one chooses two system disk records, or data disk records of more
// than one moment. proven is the only possible shape, when it chose.
func chooseByShape(cands map[diskKey][]candidate, learned string) (chosen map[diskKey][]DesktopSnapshotDetailInfo, ambiguous map[diskKey]bool, proven string) {
	ambiguous = map[diskKey]bool{}
	if len(cands) == 0 {
		return nil, ambiguous, ""
	}
	shapes := []string{learned}
	if learned == "" {
		shapes = possibleShapes(cands)
	}
	var results []map[diskKey][]DesktopSnapshotDetailInfo
	for _, shape := range shapes {
		res := map[diskKey][]DesktopSnapshotDetailInfo{}
		for k, cs := range cands {
			var picked []candidate
			for _, c := range cs {
				if shape == "" || shapeOf(c.appended) == shape {
					picked = append(picked, c)
				}
			}
			if len(picked) == 0 {
				continue
			}
			if (k.system && len(picked) > 1) || (!k.system && !oneMoment(picked)) {
				ambiguous[k] = true
			}
			res[k] = recordsOf(picked)
		}
		results = append(results, res)
	}
	chosen = results[0]
	for _, res := range results[1:] {
		for k := range cands {
			if !sameIDs(chosen[k], res[k]) {
				ambiguous[k] = true
			}
		}
	}
	if len(shapes) == 1 && learned == "" && shapes[0] != "" && len(ambiguous) == 0 {
		proven = shapes[0]
	}
	return chosen, ambiguous, proven
}

// possibleShapes are the shapes of the candidates' appended parts in which
// every candidate's name ends, sorted; [""] (no filter) when there is none.
func possibleShapes(cands map[diskKey][]candidate) []string {
	seen := map[string]bool{}
	var shapes []string
	for _, cs := range cands {
		for _, c := range cs {
			shape := shapeOf(c.appended)
			if seen[shape] || shape == "" {
				continue
			}
			seen[shape] = true
			if allEndIn(cands, shape) {
				shapes = append(shapes, shape)
			}
		}
	}
	if len(shapes) == 0 {
		return []string{""}
	}
	sort.Strings(shapes)
	return shapes
}

func allEndIn(cands map[diskKey][]candidate, shape string) bool {
	n := len([]rune(shape))
	for _, cs := range cands {
		for _, c := range cs {
			name := []rune(c.rec.SnapshotName)
			if len(name) < n || shapeOf(string(name[len(name)-n:])) != shape {
				return false
			}
		}
	}
	return true
}

// shapeOf maps digits to 9 and letters to a, keeping other characters, so
// two timestamps of one format share a shape.
func shapeOf(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return '9'
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			return 'a'
		}
		return r
	}, s)
}

// appendedPart is what follows the desktop's name and the requested name
// in a record's name; false when the record does not carry them, or when
// no desktop name is known to anchor on (the record's desktop_name, else
// its sub-job's): the requested name found somewhere inside is no proof.
func appendedPart(snapshotName, desktopName, name string) (string, bool) {
	if desktopName == "" {
		return "", false
	}
	rest, ok := strings.CutPrefix(snapshotName, desktopName+name)
	return rest, ok
}

// oneMoment reports whether data disk records were made together (a
// desktop's several data disks), not by two jobs.
func oneMoment(cs []candidate) bool {
	first, last := cs[0].created, cs[0].created
	for _, c := range cs[1:] {
		first, last = earliest(first, c.created), latest(last, c.created)
	}
	return last.Sub(first) <= 2*ownershipSlack
}

func recordsOf(cs []candidate) []DesktopSnapshotDetailInfo {
	out := make([]DesktopSnapshotDetailInfo, len(cs))
	for i, c := range cs {
		out[i] = c.rec
	}
	return out
}

func candidateIDs(cs []candidate) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.rec.SnapshotId
	}
	sort.Strings(ids)
	return ids
}

func sameIDs(a, b []DesktopSnapshotDetailInfo) bool {
	ids := func(rs []DesktopSnapshotDetailInfo) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.SnapshotId
		}
		sort.Strings(out)
		return out
	}
	return slices.Equal(ids(a), ids(b))
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
