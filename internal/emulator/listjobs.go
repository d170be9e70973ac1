package emulator

import (
	"fmt"
	"iter"
	"time"
)

// Times in job answers: space separated, no zone; the zone they are in is
// Dialect.JobTimeOffset (UTC by default).
const jobTimeLayout = "2006-01-02 15:04:05"

// emulatorHost is the "server that ran the job" every sub-job reports.
const emulatorHost = "127.0.0.1"

type jobBody struct {
	ID           string       `json:"id"`
	JobType      string       `json:"job_type"`
	BeginTime    string       `json:"begin_time"`
	EndTime      string       `json:"end_time,omitempty"`
	Status       string       `json:"status"`
	JobErrorCode string       `json:"job_error_code,omitempty"`
	FailReason   string       `json:"fail_reason,omitempty"`
	SubJobsTotal int          `json:"sub_jobs_total,omitempty"` // every job has a sub-job: 0 only under Dialect.ShowJobOmitTotal
	SubJobs      []subJobBody `json:"sub_jobs"`
}

type subJobBody struct {
	ID          string       `json:"id"`
	JobID       string       `json:"job_id"`
	JobType     string       `json:"job_type"`
	Entities    entitiesBody `json:"entities"`
	BeginTime   string       `json:"begin_time"`
	EndTime     string       `json:"end_time,omitempty"`
	Status      string       `json:"status"`
	ErrorCode   string       `json:"error_code,omitempty"`
	FailReason  string       `json:"fail_reason,omitempty"`
	Message     string       `json:"message,omitempty"`
	Host        string       `json:"host"`
	ProjectID   string       `json:"project_id"`
	Process     int32        `json:"process"`
	AttachUser  string       `json:"attach_user,omitempty"`
	Entity      string       `json:"entity,omitempty"`
	IPAddress   string       `json:"ip_address,omitempty"`
	DesktopName string       `json:"desktop_name,omitempty"` // also at the top level, as in the OAS ShowJob definition (§9)
	MACAddress  string       `json:"mac_address,omitempty"`  // derived from the desktop's index (macAddress)
}

type entitiesBody struct {
	DesktopID   string `json:"desktop_id,omitempty"` // always there but under Dialect.SubJobEntities
	DesktopName string `json:"desktop_name"`
	UserName    string `json:"user_name,omitempty"`
	IPAddress   string `json:"ip_address,omitempty"`
}

type subJobsBody struct {
	TotalCount int          `json:"total_count"`
	Jobs       []subJobBody `json:"jobs"`
}

func (s *Server) showJob(c *call) reply {
	j := s.st.jobs[c.params.jobID]
	if j == nil {
		return s.notFound("job [%s] not found", c.params.jobID)
	}
	status := j.status(c.now)
	begin := s.dialect.formatJobTime(j.Begin)
	shown := len(j.SubJobs)
	if n := s.dialect.ShowJobSubJobsCap; n > 0 {
		shown = min(shown, n)
	}
	out := jobBody{
		ID:           j.ID,
		JobType:      s.dialect.wireJobType(j.Type),
		BeginTime:    begin,
		Status:       status,
		SubJobsTotal: len(j.SubJobs),
		SubJobs:      make([]subJobBody, 0, shown),
	}
	if s.dialect.ShowJobOmitTotal {
		out.SubJobsTotal = 0 // omitted
	}
	// The parent's error fields count every sub-job, those left out of
	// sub_jobs by ShowJobSubJobsCap too.
	failed := 0
	for k, sj := range j.SubJobs {
		var st string
		if k < shown {
			v := s.subJobView(j, sj, c.now, begin)
			out.SubJobs = append(out.SubJobs, v)
			st = v.Status
		} else {
			st = j.subJobStatus(sj, c.now)
		}
		if st == jobFailed {
			failed++
			if out.JobErrorCode == "" {
				out.JobErrorCode = sj.ErrorCode
			}
		}
	}
	if status == jobSuccess || status == jobFail || status == jobComplete {
		out.EndTime = s.dialect.formatJobTime(j.end())
	}
	if status == jobFail {
		out.FailReason = fmt.Sprintf("%d of %d sub-jobs failed", failed, len(j.SubJobs))
	} else {
		out.JobErrorCode = "" // a COMPLETE parent hides its failed sub-jobs
	}
	return okReply(out)
}

// subJobView is a sub-job as the API shows it; begin is its job's begin_time,
// written once for all of the job's sub-jobs.
func (s *Server) subJobView(j *job, sj *subJob, now time.Time, begin string) subJobBody {
	d := s.st.desktopOf(sj.DesktopID) // as it is now, or was when deleted
	v := subJobBody{
		ID:          sj.ID,
		JobID:       j.ID,
		JobType:     s.dialect.wireJobType(j.Type),
		Entities:    entitiesBody{DesktopID: s.dialect.entitiesDesktopID(j.Type, d.ID), DesktopName: d.Name, UserName: d.UserName, IPAddress: d.IP},
		BeginTime:   begin,
		Status:      j.subJobStatus(sj, now),
		Host:        emulatorHost,
		ProjectID:   s.cfg.ProjectID,
		Process:     j.subJobProcess(sj, now),
		AttachUser:  d.UserName,
		Entity:      s.dialect.entity(sj),
		IPAddress:   d.IP,
		DesktopName: d.Name,
		MACAddress:  d.mac,
	}
	if v.Status == jobSuccess || v.Status == jobFailed {
		v.EndTime = s.dialect.formatJobTime(j.Begin.Add(sj.EndOffset))
	}
	if v.Status == jobFailed {
		v.ErrorCode, v.FailReason, v.Message = sj.ErrorCode, sj.FailReason, sj.FailReason
	}
	return v
}

// listSubJobs answers ListItaSubJobs, newest sub-job first or, under
// Dialect.SubJobOrder "oldest", in creation order. job_type matches the
// job_type the answer shows. Only the requested page is rendered, and a
// job_id is looked up rather than searched for, so paging through
// thousands of jobs costs each call one walk over the jobs, not a view of
// every sub-job.
func (s *Server) listSubJobs(c *call) reply {
	q := c.r.URL.Query()
	status, err := enumParam(q, "status", subJobStatuses)
	if err != nil {
		return badRequest("%v", err)
	}
	offset, limit, err := pageParams(q, 10000, 0)
	if err != nil {
		return badRequest("%v", err)
	}
	jobID, jobType := q.Get("job_id"), q.Get("job_type")
	out := subJobsBody{Jobs: []subJobBody{}}
	p := s.listPage(c, offset, limit)
	jobs := s.st.jobOrder
	switch {
	case q.Get("desktop_pool_id") != "":
		jobs = nil // no emulated desktop belongs to a pool
	case jobID != "":
		jobs = nil
		if j := s.st.jobs[jobID]; j != nil {
			jobs = []*job{j}
		}
	}
	for j := range inOrder(jobs, s.dialect.SubJobOrder) {
		if jobType != "" && s.dialect.wireJobType(j.Type) != jobType {
			continue
		}
		if status == "" && (out.TotalCount >= p.from+p.size || out.TotalCount+len(j.SubJobs) <= p.from) {
			// Every sub-job counts and none is on the page.
			out.TotalCount += len(j.SubJobs)
			continue
		}
		begin := "" // written for the job's first sub-job on the page
		for sj := range inOrder(j.SubJobs, s.dialect.SubJobOrder) {
			if status != "" && j.subJobStatus(sj, c.now) != status {
				continue
			}
			if p.holds(out.TotalCount) {
				if begin == "" {
					begin = s.dialect.formatJobTime(j.Begin)
				}
				out.Jobs = append(out.Jobs, s.subJobView(j, sj, c.now, begin))
			}
			out.TotalCount++
		}
	}
	out.Jobs, out.TotalCount = finishPage(p, out.Jobs, out.TotalCount)
	return okReply(out)
}

// inOrder walks items (kept in creation order) in the order of
// Dialect.SubJobOrder: backwards unless it is "oldest".
func inOrder[T any](items []T, order string) iter.Seq[T] {
	return func(yield func(T) bool) {
		for k := range items {
			if order != SubJobOrderOldest {
				k = len(items) - 1 - k
			}
			if !yield(items[k]) {
				return
			}
		}
	}
}
