package emulator

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Job types of the snapshot jobs.
const (
	jobTypeCreate  = "createWksSnapshot"
	jobTypeRestore = "restoreDesktopBySnapshot"
	jobTypeDelete  = "deleteWksSnapshot"
)

// Job and sub-job statuses.
const (
	jobWaiting  = "WAITING"
	jobRunning  = "RUNNING"
	jobSuccess  = "SUCCESS"
	jobFailed   = "FAILED"   // sub-jobs
	jobFail     = "FAIL"     // parent with a failed sub-job
	jobComplete = "COMPLETE" // parent hiding failed sub-jobs (fault)
)

var subJobStatuses = []string{jobSuccess, jobRunning, jobFailed, jobWaiting}

type job struct {
	ID       string        `json:"id"`
	Type     string        `json:"type"`
	Begin    time.Time     `json:"begin"`
	Duration time.Duration `json:"duration"`
	// CompleteWithFailed is Faults.CompleteWithFailedSubJobs when the job began.
	CompleteWithFailed bool      `json:"complete_with_failed,omitempty"`
	SubJobs            []*subJob `json:"sub_jobs"`
	Seq                int64     `json:"seq"`
	// open counts the sub-jobs whose effects are not applied yet; derived,
	// so not saved.
	open int
}

type subJob struct {
	ID          string        `json:"id"`
	DesktopID   string        `json:"desktop_id"`
	SnapshotIDs []string      `json:"snapshot_ids"`
	Entity      string        `json:"entity"`
	EndOffset   time.Duration `json:"end_offset"` // from the job's begin
	Failed      bool          `json:"failed,omitempty"`
	ErrorCode   string        `json:"error_code,omitempty"`
	FailReason  string        `json:"fail_reason,omitempty"`
	Applied     bool          `json:"applied,omitempty"` // effects on records done
	Seq         int64         `json:"seq"`
}

// startOffset ends the WAITING phase: the first tenth of the duration.
func (j *job) startOffset() time.Duration { return j.Duration / 10 }

func (j *job) end() time.Time { return j.Begin.Add(j.Duration) }

// phase is WAITING or RUNNING for a job or sub-job ending at end (an offset
// from the job's begin), or "" once it has ended.
func (j *job) phase(now time.Time, end time.Duration) string {
	switch elapsed := now.Sub(j.Begin); {
	case elapsed >= end:
		return ""
	case elapsed < j.startOffset():
		return jobWaiting
	default:
		return jobRunning
	}
}

func (j *job) status(now time.Time) string {
	if p := j.phase(now, j.Duration); p != "" {
		return p
	}
	for _, sj := range j.SubJobs {
		if sj.Failed {
			if j.CompleteWithFailed {
				return jobComplete
			}
			return jobFail
		}
	}
	return jobSuccess
}

func (j *job) subJobStatus(sj *subJob, now time.Time) string {
	if p := j.phase(now, sj.EndOffset); p != "" {
		return p
	}
	if sj.Failed {
		return jobFailed
	}
	return jobSuccess
}

// subJobProcess is 0 while waiting, grows while running, 100 at the end.
func (j *job) subJobProcess(sj *subJob, now time.Time) int32 {
	elapsed := now.Sub(j.Begin)
	start := j.startOffset()
	switch {
	case elapsed >= sj.EndOffset:
		return 100
	case elapsed < start:
		return 0
	}
	p := int32(100 * (elapsed - start) / (sj.EndOffset - start))
	return min(p, 99)
}

// subJobPlan is what a handler asks newJob to run on one desktop.
type subJobPlan struct {
	desktopID   string
	snapshotIDs []string
	entity      string
}

// Per job type: the job-level error code of a failed sub-job and its reason.
var subJobFailure = map[string]struct{ code, reason string }{
	jobTypeCreate:  {"WKS.00010306", "create snapshot of desktop %s failed: the disk snapshot task ended in error"},
	jobTypeRestore: {"WKS.00010315", "restore desktop %s by snapshot failed: the disk rollback task ended in error"},
	jobTypeDelete:  {"WKS.00010321", "delete snapshot of desktop %s failed: the disk snapshot could not be removed"},
}

// jobSpec is a job to record: live jobs begin at the request and run
// Config.JobDuration; history jobs (AddHistory) are given both and never
// fail.
type jobSpec struct {
	typ      string
	begin    time.Time
	duration time.Duration
	history  bool
}

// liveJob is the spec of a job a batch POST starts now.
func (s *Server) liveJob(jobType string, now time.Time) jobSpec {
	return jobSpec{typ: jobType, begin: now, duration: s.cfg.JobDuration}
}

// newJob records a job; sub-jobs end staggered within the second half of
// the running phase. Every draw is made whatever the fault rates, so IDs
// stay the same for a seed when only faults change. now is the emulator's
// clock: what has ended by then is applied at once.
func (s *Server) newJob(spec jobSpec, now time.Time, plans []subJobPlan) *job {
	st := s.st
	j := &job{
		ID:                 st.newUUID(),
		Type:               spec.typ,
		Begin:              spec.begin,
		Duration:           spec.duration,
		CompleteWithFailed: s.faults.CompleteWithFailedSubJobs && !spec.history,
		Seq:                st.nextSeq(),
		open:               len(plans),
	}
	failureRate := s.faults.SubJobFailureRate
	if spec.history {
		failureRate = 0
	}
	start := j.startOffset()
	for _, p := range plans {
		sj := &subJob{
			ID:          st.newUUID(),
			DesktopID:   p.desktopID,
			SnapshotIDs: p.snapshotIDs,
			Entity:      p.entity,
			Seq:         st.nextSeq(),
		}
		frac := 0.5 + 0.5*st.rng.Float64()
		sj.EndOffset = start + time.Duration(frac*float64(j.Duration-start))
		if st.rng.Float64() < failureRate {
			f := subJobFailure[spec.typ]
			sj.Failed = true
			sj.ErrorCode = f.code
			sj.FailReason = fmt.Sprintf(f.reason, st.desktopByID[p.desktopID].Name)
		}
		j.SubJobs = append(j.SubJobs, sj)
		st.busy[p.desktopID]++
		for _, id := range p.snapshotIDs {
			rec := st.snapshots[id]
			if spec.typ != jobTypeCreate { // a create job's records are new
				s.keepListed(rec)
			}
			rec.TaskJob = j.ID
			s.noteListed(rec, j.Begin, now)
		}
	}
	st.jobs[j.ID] = j
	st.jobOrder = append(st.jobOrder, j)
	st.pending = append(st.pending, j)
	s.advance(now)
	return j
}

// endedSubJob is a sub-job advance is about to apply.
type endedSubJob struct {
	j  *job
	sj *subJob
}

func (e endedSubJob) end() time.Time { return e.j.Begin.Add(e.sj.EndOffset) }

// advance applies the effects of every sub-job that has ended by now. Jobs
// are computed lazily: nothing runs in the background. The effects are
// applied in the order the sub-jobs ended (ties in the order they were
// made), not job by job: two jobs can hold one record
// (Dialect.ConcurrentJobs), and the one that ended last must have the last
// word.
func (s *Server) advance(now time.Time) {
	st := s.st
	due := st.due[:0]
	for _, j := range st.pending {
		for _, sj := range j.SubJobs {
			if !sj.Applied && now.Sub(j.Begin) >= sj.EndOffset {
				due = append(due, endedSubJob{j, sj})
			}
		}
	}
	if len(due) == 0 {
		return
	}
	slices.SortFunc(due, func(a, b endedSubJob) int {
		if c := a.end().Compare(b.end()); c != 0 {
			return c
		}
		return cmp.Compare(a.sj.Seq, b.sj.Seq)
	})
	for _, e := range due {
		s.applySubJob(e.j, e.sj, now)
	}
	clear(due)
	st.due = due[:0]
	// Only now drop the finished jobs: applySubJob looks among the pending
	// ones for another job still working on a record.
	kept := st.pending[:0]
	for _, j := range st.pending {
		if j.open > 0 {
			kept = append(kept, j)
		}
	}
	clear(st.pending[len(kept):])
	st.pending = kept
}

func (s *Server) applySubJob(j *job, sj *subJob, now time.Time) {
	st := s.st
	sj.Applied = true
	j.open--
	st.release(sj.DesktopID)
	end := j.Begin.Add(sj.EndOffset)
	for _, id := range sj.SnapshotIDs {
		rec := st.snapshots[id]
		if rec == nil {
			continue // deleted by a job that ended first (Dialect.ConcurrentJobs)
		}
		s.keepListed(rec)
		if rec.TaskJob == j.ID {
			rec.TaskJob = st.otherJobOn(rec)
		}
		switch j.Type {
		case jobTypeCreate:
			rec.Status = statusCreateSuccess
			if sj.Failed {
				rec.Status = statusCreateFailed
			}
		case jobTypeRestore:
			if sj.Failed {
				rec.Status = statusRestoreFailed
				rec.RestoreFailReason = sj.FailReason
			} else {
				rec.Status = statusRestoreSuccess
				rec.RestoreFailReason = ""
				rec.LastRestoreTime = end
			}
		case jobTypeDelete:
			if !sj.Failed {
				st.removeSnapshot(rec)
				s.noteRemoved(rec, end, now)
				continue
			}
		}
		s.noteListed(rec, end, now)
	}
}

// release ends one job's hold on a desktop.
func (st *state) release(desktopID string) {
	if st.busy[desktopID] > 1 {
		st.busy[desktopID]--
		return
	}
	delete(st.busy, desktopID)
}

// otherJobOn is the latest pending job still working on rec, once the one
// named in rec.TaskJob has ended; "" when none. Only under
// Dialect.ConcurrentJobs can there be one, and only then is the desktop
// still busy, so the search is skipped otherwise.
func (st *state) otherJobOn(rec *snapshot) string {
	if st.busy[rec.DesktopID] == 0 {
		return ""
	}
	for k := len(st.pending) - 1; k >= 0; k-- {
		j := st.pending[k]
		for _, sj := range j.SubJobs {
			if !sj.Applied && sj.DesktopID == rec.DesktopID && slices.Contains(sj.SnapshotIDs, rec.ID) {
				return j.ID
			}
		}
	}
	return ""
}

// holder is a running job holding the desktop, for the 409 message; nil
// when it is free.
func (st *state) holder(desktopID string) *job {
	if st.busy[desktopID] == 0 {
		return nil
	}
	for _, j := range st.pending {
		for _, sj := range j.SubJobs {
			if !sj.Applied && sj.DesktopID == desktopID {
				return j
			}
		}
	}
	return nil
}

// recordProcess is the progress of the job working on rec, nil when none.
func (s *Server) recordProcess(rec *snapshot, now time.Time) *int32 {
	j := s.st.jobs[rec.TaskJob]
	if j == nil {
		return nil
	}
	for _, sj := range j.SubJobs {
		if sj.DesktopID == rec.DesktopID {
			p := j.subJobProcess(sj, now)
			return &p
		}
	}
	return nil
}
