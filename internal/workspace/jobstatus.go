package workspace

import (
	"fmt"
	"strings"
	"time"
)

// jobState is how the client reads a job status string.
type jobState int

const (
	jobPending jobState = iota // anything not known to be terminal, unknown values too
	jobSucceeded
	jobFailed
)

func classifyStatus(status string) jobState {
	switch strings.ToUpper(strings.TrimSpace(status)) {
	case JobStatusSuccess, JobStatusComplete:
		return jobSucceeded
	case JobStatusFail, JobStatusFailed:
		return jobFailed
	}
	return jobPending
}

// DesktopOutcome is one sub-job's result.
type DesktopOutcome struct {
	DesktopID   string
	DesktopName string
	SubJobID    string
	Entity      string
	Status      string
	ErrorCode   string
	FailReason  string
	BeginTime   time.Time // as the service wrote it, read as if UTC (the zone is not documented); zero if absent
	EndTime     time.Time // likewise
}

// Succeeded reports a SUCCESS sub-job.
func (o DesktopOutcome) Succeeded() bool {
	return strings.EqualFold(strings.TrimSpace(o.Status), JobStatusSuccess)
}

// JobResult is a finished (terminal) job.
type JobResult struct {
	JobID     string
	JobType   string
	Status    string // parent status as reported
	Succeeded bool   // parent SUCCESS/COMPLETE and every sub-job SUCCESS
	BeginTime time.Time
	EndTime   time.Time
	Outcomes  []DesktopOutcome
	Polls     int
	Job       *ShowJobResponse
	// SeenEnded is when (service time, from the answer's Date header) this
	// client first read the job as ended: no record made after it is the
	// job's.
	SeenEnded time.Time
}

// Failed returns the outcomes whose status is not SUCCESS.
func (r *JobResult) Failed() []DesktopOutcome {
	var failed []DesktopOutcome
	for _, o := range r.Outcomes {
		if !o.Succeeded() {
			failed = append(failed, o)
		}
	}
	return failed
}

// newJobResult reads a terminal job with all its sub-jobs.
func newJobResult(job *ShowJobResponse, subJobs []JobDetailInfo, polls int) *JobResult {
	r := &JobResult{JobID: job.Id, JobType: job.JobType, Status: job.Status, Polls: polls, Job: job}
	r.BeginTime, _ = parseJobTime(job.BeginTime)
	r.EndTime, _ = parseJobTime(job.EndTime)
	for _, sj := range subJobs {
		o := DesktopOutcome{SubJobID: sj.Id, Entity: sj.Entity, Status: sj.Status, ErrorCode: sj.ErrorCode,
			FailReason: firstNonEmpty(sj.FailReason, sj.Message)}
		if sj.Entities != nil {
			o.DesktopID, o.DesktopName = sj.Entities.DesktopId, sj.Entities.DesktopName
		}
		o.DesktopName = firstNonEmpty(o.DesktopName, sj.DesktopName)
		o.BeginTime, _ = parseJobTime(sj.BeginTime)
		o.EndTime, _ = parseJobTime(sj.EndTime)
		if o.DesktopID == "" && job.JobType == JobTypeCreateSnapshot {
			o.DesktopID = sj.Entity // a create sub-job's entity is its desktop
		}
		r.Outcomes = append(r.Outcomes, o)
	}
	r.Succeeded = classifyStatus(job.Status) == jobSucceeded && len(r.Failed()) == 0
	return r
}

// maxListedFailures bounds the desktops one error message names.
const maxListedFailures = 10

// JobFailedError is returned with a non-nil JobResult when the job ended but
// did not fully succeed (including a COMPLETE parent hiding FAILED sub-jobs).
type JobFailedError struct{ Result *JobResult }

func (e *JobFailedError) Error() string {
	r := e.Result
	var b strings.Builder
	fmt.Fprintf(&b, "job %s", r.JobID)
	if r.JobType != "" {
		fmt.Fprintf(&b, " (%s)", r.JobType)
	}
	fmt.Fprintf(&b, " ended with status %s", r.Status)
	if job := r.Job; job != nil && (job.JobErrorCode != "" || job.FailReason != "") {
		fmt.Fprintf(&b, " (%s)", strings.TrimSpace(job.JobErrorCode+" "+job.FailReason))
	}
	failed := r.Failed()
	if len(failed) == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "; %d of %d desktops did not succeed: ", len(failed), len(r.Outcomes))
	for i, o := range failed {
		if i == maxListedFailures {
			fmt.Fprintf(&b, "; and %d more", len(failed)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(o.describe())
	}
	return b.String()
}

func (o DesktopOutcome) describe() string {
	s := "desktop " + firstNonEmpty(o.DesktopID, o.Entity, "(unknown)")
	if o.DesktopName != "" {
		s += " (" + o.DesktopName + ")"
	}
	s += " " + firstNonEmpty(o.Status, "(no status)")
	if detail := strings.TrimSpace(o.ErrorCode + " " + o.FailReason); detail != "" {
		s += ": " + detail
	}
	return s
}

// JobDone reports whether a job status is terminal (succeeded or failed).
// Unknown status strings count as still running, as the waiter treats them.
func JobDone(status string) bool { return classifyStatus(status) != jobPending }
