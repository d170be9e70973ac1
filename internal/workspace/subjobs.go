package workspace

import (
	"context"
	"time"
)

// Listing jobs through their sub-jobs: ListItaSubJobs is the only API that
// lists jobs. It pages by offset, at most MaxSubJobOffset, and limit, at
// most MaxListLimit (reference §2.2), so at most MaxListedSubJobs sub-jobs
// can be read.

// MaxSubJobOffset is the largest offset ListItaSubJobs accepts.
const MaxSubJobOffset = maxSubJobOffset

// MaxListedSubJobs is how many sub-jobs ListItaSubJobs's paging reaches.
const MaxListedSubJobs = maxSubJobOffset + MaxListLimit

// SubJobGroup is one parent job, assembled from its sub-jobs.
type SubJobGroup struct {
	JobID   string
	JobType string // the first sub-job's
	// BeginTime is the earliest sub-job begin_time the service wrote (its
	// zone is not documented), Begin that time read as if UTC; both are
	// zero when no sub-job's begin_time can be read.
	BeginTime string
	Begin     time.Time
	// Outcomes holds the sub-jobs, read as a finished job's are
	// (JobResult.Outcomes), in listing order; a sub-job listed twice
	// (offset paging while the list moves) counts once.
	Outcomes []DesktopOutcome
}

// Desktops lists the desktop IDs of the group's sub-jobs, each once, in
// listing order.
func (g SubJobGroup) Desktops() []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range g.Outcomes {
		if o.DesktopID != "" && !seen[o.DesktopID] {
			seen[o.DesktopID] = true
			out = append(out, o.DesktopID)
		}
	}
	return out
}

// Running reports whether some sub-job has not ended.
func (g SubJobGroup) Running() bool {
	for _, o := range g.Outcomes {
		if !JobDone(o.Status) {
			return true
		}
	}
	return false
}

// SubJobListing is what ListSubJobsByJob read.
type SubJobListing struct {
	Jobs []SubJobGroup // in the order each job's first sub-job was listed
	// Total is the service's count of the sub-jobs and Read how many of them
	// the pages reached; Read < Total when there are more than
	// MaxListedSubJobs.
	Total, Read int
}

// ListSubJobsByJob pages through every sub-job of jobType (all types when
// empty) that the service lets be read and groups them by parent job. A
// sub-job of another type that the service's filter let through is not
// grouped. What the pages reach is read as listing.go describes (listed
// again when it moved, an error when it never settles); only the offset
// limit may leave it short, and then Read < Total says so.
func (c *Client) ListSubJobsByJob(ctx context.Context, jobType string) (SubJobListing, error) {
	var subJobs []JobDetailInfo
	reach, err := scanReachable(ctx, c, c.subJobPager(ctx, ListItaSubJobsRequest{JobType: jobType}, maxSubJobOffset),
		func() { subJobs = nil },
		func(page []JobDetailInfo) bool {
			subJobs = append(subJobs, page...)
			return true
		})
	if err != nil {
		return SubJobListing{}, err
	}
	return SubJobListing{Jobs: GroupSubJobs(subJobs, jobType), Total: reach.Total, Read: reach.Read}, nil
}

// subJobPager pages through req's sub-jobs, up to maxOffset (0: no limit).
func (c *Client) subJobPager(ctx context.Context, req ListItaSubJobsRequest, maxOffset int32) pager[JobDetailInfo] {
	return pager[JobDetailInfo]{
		operation: "ListItaSubJobs",
		items:     "sub-jobs",
		page: func(offset int32) ([]JobDetailInfo, int32, error) {
			req.Offset, req.Limit = offset, MaxListLimit
			page, err := c.ListItaSubJobs(ctx, req)
			if err != nil {
				return nil, 0, err
			}
			return page.Jobs, page.TotalCount, nil
		},
		id:        subJobKey,
		maxOffset: maxOffset,
	}
}

// subJobKey tells sub-jobs apart: by ID, or, in an answer without one, by
// parent job and desktop.
func subJobKey(sj JobDetailInfo) string {
	if sj.Id != "" {
		return sj.Id
	}
	if sj.Entities != nil && sj.Entities.DesktopId != "" {
		return "job " + sj.JobId + " desktop " + sj.Entities.DesktopId
	}
	return ""
}

// GroupSubJobs groups sub-jobs of jobType (all types when empty) by parent
// job, as ListSubJobsByJob does.
func GroupSubJobs(subJobs []JobDetailInfo, jobType string) []SubJobGroup {
	var order []string
	byJob := map[string][]JobDetailInfo{}
	for _, sj := range subJobs {
		if sj.JobId == "" || (jobType != "" && sj.JobType != jobType) {
			continue
		}
		if _, ok := byJob[sj.JobId]; !ok {
			order = append(order, sj.JobId)
		}
		byJob[sj.JobId] = append(byJob[sj.JobId], sj)
	}
	groups := make([]SubJobGroup, 0, len(order))
	for _, id := range order {
		sjs := byJob[id]
		g := SubJobGroup{JobID: id, JobType: sjs[0].JobType}
		for _, sj := range sjs {
			if t, ok := parseJobTime(sj.BeginTime); ok && (g.Begin.IsZero() || t.Before(g.Begin)) {
				g.Begin, g.BeginTime = t, sj.BeginTime
			}
		}
		seen := map[string]bool{}
		for _, o := range newJobResult(&ShowJobResponse{Id: id, JobType: g.JobType}, sjs, 0).Outcomes {
			key := "desktop " + o.DesktopID
			if o.SubJobID != "" {
				key = "sub-job " + o.SubJobID
			}
			if o.SubJobID == "" && o.DesktopID == "" {
				key = "" // nothing tells it from another: kept
			}
			if key != "" && seen[key] {
				continue
			}
			seen[key] = true
			g.Outcomes = append(g.Outcomes, o)
		}
		groups = append(groups, g)
	}
	return groups
}
