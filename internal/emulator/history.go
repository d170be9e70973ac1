package emulator

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// History is a run of snapshot jobs in the past, as an operator's nightly
// or hourly schedule would have left them: Count jobs, the first beginning
// at First and each one Every after the one before, each running Duration.
// With DesktopIDs they are batch-creates of those desktops; with
// RestoreSnapshotIDs, batch-restores of those snapshots. Each job is made
// as the batch POST would have made it at its begin on the emulator's
// clock, except that no sub-job fails; a job that has not ended by now
// runs on like a live one. JSON keys are the ones POST /_emulator/history
// takes (every and duration as "24h" or nanoseconds, first in RFC 3339).
type History struct {
	DesktopIDs            []string `json:"desktop_ids,omitempty"`             // create jobs of these desktops: 1 to 100, existing
	DiskType              string   `json:"disk_type,omitempty"`               // of create jobs: SYSTEM_DISK, DATA_DISKS or ALL (""; the default)
	SystemDiskName        string   `json:"system_disk_name,omitempty"`        // the given name, as batch-create's system_disk_snapshot.name
	SystemDiskDescription string   `json:"system_disk_description,omitempty"` // as system_disk_snapshot.description
	DataDiskName          string   `json:"data_disk_name,omitempty"`          // as data_disk_snapshot.name
	DataDiskDescription   string   `json:"data_disk_description,omitempty"`   // as data_disk_snapshot.description

	RestoreSnapshotIDs []string `json:"restore_snapshot_ids,omitempty"` // restore jobs of these snapshots instead: 1 to 100, restorable now, at most one per disk, none changed after First

	First    time.Time     `json:"first"`    // when the first job began; not after now
	Every    time.Duration `json:"every"`    // from one job's begin to the next's; positive when Count > 1
	Count    int           `json:"count"`    // how many jobs, 1 to 10000; the last must begin no later than now
	Duration time.Duration `json:"duration"` // how long each job ran; 0 = Config.JobDuration
}

// Bounds of one History: memory, not realism.
const (
	maxHistoryJobs    = 10000
	maxHistorySubJobs = 100000
)

// AddHistory records the jobs of h, with their sub-jobs and records, and
// returns their IDs, first job first. They are listed as if made when they
// began: ListDesktopSnapshot and ListItaSubJobs put them before jobs and
// records made later, JobIDs among the others by begin. Unless
// Dialect.ConcurrentJobs, a history job may not hold a desktop while
// another job did (batch-create would have been refused with 409), the
// whole job's duration counting. Nothing is recorded when h is refused.
func (s *Server) AddHistory(h History) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	s.advance(now)
	duration := cmp.Or(h.Duration, s.cfg.JobDuration)
	if err := h.checkTimes(now, duration, s.dialect.ConcurrentJobs); err != nil {
		return nil, err
	}
	var (
		typ      string
		desktops []string
		start    func(spec jobSpec) *job
	)
	switch {
	case len(h.DesktopIDs) > 0 && len(h.RestoreSnapshotIDs) > 0:
		return nil, errors.New("desktop_ids (create jobs) and restore_snapshot_ids (restore jobs) exclude each other")
	case len(h.RestoreSnapshotIDs) > 0:
		recs, err := s.historyRestores(h)
		if err != nil {
			return nil, err
		}
		for _, p := range plansByDesktop(recs) {
			desktops = append(desktops, p.desktopID)
		}
		typ = jobTypeRestore
		start = func(spec jobSpec) *job { return s.startRestore(recs, spec, now) }
	default:
		req, err := s.historyCreates(h)
		if err != nil {
			return nil, err
		}
		desktops = req.desktopIDs
		typ = jobTypeCreate
		start = func(spec jobSpec) *job { return s.startCreate(req, spec, now) }
	}
	if n := h.Count * len(desktops); n > maxHistorySubJobs {
		return nil, fmt.Errorf("count %d of %d desktops makes %d sub-jobs; at most %d in one history", h.Count, len(desktops), n, maxHistorySubJobs)
	}
	if !s.dialect.ConcurrentJobs {
		if err := s.checkHistoryOverlap(h, duration, desktops); err != nil {
			return nil, err
		}
	}
	ids := make([]string, h.Count)
	for k := range h.Count {
		ids[k] = start(jobSpec{typ: typ, begin: h.begin(k), duration: duration, history: true}).ID
	}
	// Jobs are kept by begin; live ones come in that order, these do not.
	slices.SortStableFunc(s.st.jobOrder, func(a, b *job) int { return a.Begin.Compare(b.Begin) })
	return ids, nil
}

// begin is when job k (from 0) of the history began.
func (h History) begin(k int) time.Time { return h.First.Add(time.Duration(k) * h.Every) }

// checkTimes checks the schedule: every job begins by now, and, unless
// jobs may run alongside, one ends before the next begins.
func (h History) checkTimes(now time.Time, duration time.Duration, concurrent bool) error {
	switch {
	case h.Count < 1 || h.Count > maxHistoryJobs:
		return fmt.Errorf("count must be from 1 to %d, got %d", maxHistoryJobs, h.Count)
	case h.First.IsZero():
		return errors.New("first is required: when the first job began (RFC 3339)")
	case h.First.After(now):
		return fmt.Errorf("first %s is after now (%s)", h.First.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	case h.Every < 0 || h.Duration < 0:
		return fmt.Errorf("every and duration must not be negative, got %s and %s", h.Every, h.Duration)
	case h.Count > 1 && h.Every == 0:
		return errors.New("every must be positive when count is more than 1")
	case h.Count > 1 && h.Every > now.Sub(h.First)/time.Duration(h.Count-1):
		return fmt.Errorf("the last of %d jobs %s apart from first %s would begin after now (%s); it must begin no later",
			h.Count, h.Every, h.First.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	case h.Count > 1 && h.Every < duration && !concurrent:
		return fmt.Errorf("every (%s) is shorter than duration (%s): each job would begin while the one before held its desktops, which batch-create refuses with 409 unless the dialect has concurrent_jobs",
			h.Every, duration)
	}
	return nil
}

// historyCreates checks a create history as batch-create checks its body.
func (s *Server) historyCreates(h History) (createRequest, error) {
	ids, err := checkIDs("desktop_ids", "desktop", &h.DesktopIDs)
	if err != nil {
		if h.DesktopIDs == nil {
			err = errors.New("desktop_ids (create jobs) or restore_snapshot_ids (restore jobs) is required")
		}
		return createRequest{}, err
	}
	req := createRequest{
		desktopIDs: ids,
		diskType:   cmp.Or(h.DiskType, defaultDiskType),
		system:     diskInfo{Name: h.SystemDiskName, Description: h.SystemDiskDescription},
		data:       diskInfo{Name: h.DataDiskName, Description: h.DataDiskDescription},
	}
	if !slices.Contains(diskTypes, req.diskType) {
		return req, fmt.Errorf("disk_type: must be one of %v, got %q", diskTypes, h.DiskType)
	}
	for _, err := range []error{
		checkLength("system_disk_name", h.SystemDiskName, maxSnapshotName),
		checkLength("system_disk_description", h.SystemDiskDescription, maxSnapshotDesc),
		checkLength("data_disk_name", h.DataDiskName, maxSnapshotName),
		checkLength("data_disk_description", h.DataDiskDescription, maxSnapshotDesc),
	} {
		if err != nil {
			return req, err
		}
	}
	var missing []string
	for _, id := range ids {
		if s.st.desktopByID[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return req, fmt.Errorf("desktop_ids: desktops not found: [%s]", strings.Join(missing, ", "))
	}
	return req, nil
}

// historyRestores checks a restore history as batch-restore checks its
// body, and that the snapshots were not changed after First: a restore
// placed before a later change would rewrite what the records say.
func (s *Server) historyRestores(h History) ([]*snapshot, error) {
	if h.DiskType != "" || h.SystemDiskName != "" || h.SystemDiskDescription != "" || h.DataDiskName != "" || h.DataDiskDescription != "" {
		return nil, errors.New("disk_type and the disk names and descriptions are for create history (desktop_ids), not restore_snapshot_ids")
	}
	ids, err := checkIDs("restore_snapshot_ids", "snapshot", &h.RestoreSnapshotIDs)
	if err != nil {
		return nil, err
	}
	recs := make([]*snapshot, 0, len(ids))
	var missing []string
	for _, id := range ids {
		if rec := s.st.snapshots[id]; rec != nil {
			recs = append(recs, rec)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("restore_snapshot_ids: snapshots not found: [%s]", strings.Join(missing, ", "))
	}
	if err := checkRestorable("restore_snapshot_ids", recs); err != nil {
		return nil, err
	}
	last := map[string]time.Time{}
	for _, rec := range recs {
		last[rec.ID] = maxTime(rec.CreateTime, rec.LastRestoreTime)
	}
	for _, j := range s.st.jobOrder {
		for _, sj := range j.SubJobs {
			for _, id := range sj.SnapshotIDs {
				if t, ok := last[id]; ok {
					last[id] = maxTime(t, j.Begin.Add(sj.EndOffset))
				}
			}
		}
	}
	for _, rec := range recs {
		if t := last[rec.ID]; t.After(h.First) {
			return nil, fmt.Errorf("restore_snapshot_ids: snapshot [%s] was made or changed by a job until %s, after first (%s); restore history must come after",
				rec.ID, t.Format(time.RFC3339Nano), h.First.Format(time.RFC3339Nano))
		}
	}
	return recs, nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// checkHistoryOverlap refuses a history job that would have held a desktop
// while another job did, each job of the history taken as holding its
// desktops for its whole duration.
func (s *Server) checkHistoryOverlap(h History, duration time.Duration, desktops []string) error {
	if duration <= 0 {
		return nil // a job that ends as it begins holds nothing
	}
	wanted := map[string]bool{}
	for _, id := range desktops {
		wanted[id] = true
	}
	for _, j := range s.st.jobOrder {
		for _, sj := range j.SubJobs {
			if !wanted[sj.DesktopID] {
				continue
			}
			from, to := j.Begin, j.Begin.Add(sj.EndOffset)
			if k, ok := h.overlapping(from, to, duration); ok {
				return fmt.Errorf("desktop [%s] was under job [%s] from %s to %s, when job %d of the history (begun %s) would have held it; batch-create would have been refused with 409 unless the dialect has concurrent_jobs",
					sj.DesktopID, j.ID, from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano), k+1, h.begin(k).Format(time.RFC3339Nano))
			}
		}
	}
	return nil
}

// overlapping is the first job k of the history whose span [begin,
// begin+duration) meets [from, to), if any.
func (h History) overlapping(from, to time.Time, duration time.Duration) (int, bool) {
	if !from.Before(to) {
		return 0, false
	}
	// The first job that ends after from: begin(k) > from - duration.
	k := 0
	if after := from.Add(-duration); !h.First.After(after) && h.Every > 0 {
		k = int(after.Sub(h.First)/h.Every) + 1
	}
	if k < h.Count && h.begin(k).Before(to) && h.begin(k).Add(duration).After(from) {
		return k, true
	}
	return 0, false
}
