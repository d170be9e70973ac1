package emulator

import (
	"fmt"
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

// newJob records a job that begins now; sub-jobs end staggered within the
// second half of the running phase. Every draw is made whatever the fault
// rates, so IDs stay the same for a seed when only faults change.
func (s *Server) newJob(jobType string, now time.Time, plans []subJobPlan) *job {
	st := s.st
	j := &job{
		ID:                 st.newUUID(),
		Type:               jobType,
		Begin:              now,
		Duration:           s.cfg.JobDuration,
		CompleteWithFailed: s.faults.CompleteWithFailedSubJobs,
		Seq:                st.nextSeq(),
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
		if st.rng.Float64() < s.faults.SubJobFailureRate {
			f := subJobFailure[jobType]
			sj.Failed = true
			sj.ErrorCode = f.code
			sj.FailReason = fmt.Sprintf(f.reason, st.desktopByID[p.desktopID].Name)
		}
		j.SubJobs = append(j.SubJobs, sj)
		st.busy[p.desktopID] = j.ID
		for _, id := range p.snapshotIDs {
			st.snapshots[id].TaskJob = j.ID
		}
	}
	st.jobs[j.ID] = j
	st.jobOrder = append(st.jobOrder, j)
	st.pending = append(st.pending, j)
	s.advance(now)
	return j
}

// advance applies the effects of every sub-job that has ended by now. Jobs
// are computed lazily: nothing runs in the background.
func (s *Server) advance(now time.Time) {
	st := s.st
	kept := st.pending[:0]
	for _, j := range st.pending {
		open := false
		for _, sj := range j.SubJobs {
			if sj.Applied {
				continue
			}
			if now.Sub(j.Begin) >= sj.EndOffset {
				s.applySubJob(j, sj)
			} else {
				open = true
			}
		}
		if open {
			kept = append(kept, j)
		}
	}
	clear(st.pending[len(kept):])
	st.pending = kept
}

func (s *Server) applySubJob(j *job, sj *subJob) {
	st := s.st
	sj.Applied = true
	if st.busy[sj.DesktopID] == j.ID {
		delete(st.busy, sj.DesktopID)
	}
	for _, id := range sj.SnapshotIDs {
		rec := st.snapshots[id]
		if rec == nil {
			continue
		}
		rec.TaskJob = ""
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
				rec.LastRestoreTime = j.Begin.Add(sj.EndOffset)
			}
		case jobTypeDelete:
			if !sj.Failed {
				st.removeSnapshot(rec)
			}
		}
	}
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
