package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Finding the project's batch-create jobs for the list resource, from the
// sub-jobs API (ListItaSubJobs): the only API that lists jobs. It rests on
// documented sub-job fields only: job_id, job_type, status,
// entities.desktop_id and desktop_name, and begin_time, whose zone is not
// documented (reference §9 item 1).

// The sub-job list pages by offset, at most 10000, and limit, at most 1000
// (reference §2.2): at most 11000 sub-jobs can be read, one per desktop of
// each job.
const (
	maxSubJobListOffset = 10000
	maxListedSubJobs    = maxSubJobListOffset + workspace.MaxListLimit
)

// Job times carry no zone; the zones in use run from UTC-12 to UTC+14, so a
// job time read as if UTC may be up to 14 hours ahead of the instant it
// marks, or 12 hours behind.
const (
	jobTimeAheadAtMost  = 14 * time.Hour
	jobTimeBehindAtMost = 12 * time.Hour
)

// listedJob is one batch-create job, assembled from its sub-jobs.
type listedJob struct {
	id        string
	beginText string    // the earliest sub-job begin_time, as the service wrote it
	begin     time.Time // beginText read as if UTC; zero if it could not be read
	desktops  []string  // desktop IDs in listing order, each once
	names     []string  // their names, where the sub-jobs give them
	seen      map[string]bool
	succeeded int
	failed    int
	running   int
}

// createJobListing is what the sub-job pages held.
type createJobListing struct {
	jobs []*listedJob // newest first, then by job ID
	// total is the service's count of createWksSnapshot sub-jobs and read
	// how many of them the pages reached; read < total when there are more
	// than the paging can reach (maxListedSubJobs).
	total, read int
}

// listCreateJobs pages through every createWksSnapshot sub-job the service
// lets be read and groups them by job.
func listCreateJobs(ctx context.Context, client *workspace.Client) (*createJobListing, error) {
	byID := map[string]*listedJob{}
	out := &createJobListing{}
	for offset := int32(0); offset <= maxSubJobListOffset; {
		page, err := client.ListItaSubJobs(ctx, workspace.ListItaSubJobsRequest{
			JobType: workspace.JobTypeCreateSnapshot, Offset: offset, Limit: workspace.MaxListLimit,
		})
		if err != nil {
			return nil, err
		}
		for _, sj := range page.Jobs {
			addListedSubJob(byID, sj)
		}
		out.total = int(page.TotalCount)
		offset += int32(len(page.Jobs))
		out.read = int(offset)
		if len(page.Jobs) == 0 || offset >= page.TotalCount {
			break
		}
	}
	for _, j := range byID {
		out.jobs = append(out.jobs, j)
	}
	slices.SortFunc(out.jobs, func(a, b *listedJob) int {
		if c := b.begin.Compare(a.begin); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return out, nil
}

func addListedSubJob(byID map[string]*listedJob, sj workspace.JobDetailInfo) {
	// The type filter is the service's; a sub-job of another type that
	// slipped through (or has none) is not a batch's.
	if sj.JobId == "" || sj.JobType != workspace.JobTypeCreateSnapshot {
		return
	}
	j := byID[sj.JobId]
	if j == nil {
		j = &listedJob{id: sj.JobId, seen: map[string]bool{}}
		byID[sj.JobId] = j
	}
	if t, ok := workspace.ParseJobTime(sj.BeginTime); ok && (j.begin.IsZero() || t.Before(j.begin)) {
		j.begin, j.beginText = t, sj.BeginTime
	}
	desktop, name := "", sj.DesktopName
	if sj.Entities != nil {
		desktop, name = sj.Entities.DesktopId, cmp.Or(sj.Entities.DesktopName, name)
	}
	if desktop == "" || j.seen[desktop] {
		return // offset paging may show a sub-job twice when the list moves
	}
	j.seen[desktop] = true
	j.desktops = append(j.desktops, desktop)
	if name != "" {
		j.names = append(j.names, name)
	}
	switch {
	case !workspace.JobDone(sj.Status):
		j.running++
	case strings.EqualFold(strings.TrimSpace(sj.Status), workspace.JobStatusSuccess):
		j.succeeded++
	default:
		j.failed++
	}
}

// batchListFilter is what the list block asks for; zero fields match all.
type batchListFilter struct {
	desktops    map[string]bool
	desktopName string // lower case
	after       time.Time
	before      time.Time
}

// matches reports whether a job may be one the filter asks for. A job
// still running is not listed: what it made is not known yet.
func (f batchListFilter) matches(j *listedJob) bool {
	if j.running > 0 || len(j.desktops) == 0 {
		return false
	}
	return f.touchesDesktops(j) && f.touchesName(j) && f.mayHaveBegun(j)
}

func (f batchListFilter) touchesDesktops(j *listedJob) bool {
	if f.desktops == nil {
		return true
	}
	for _, d := range j.desktops {
		if f.desktops[d] {
			return true
		}
	}
	return false
}

func (f batchListFilter) touchesName(j *listedJob) bool {
	if f.desktopName == "" {
		return true
	}
	for _, n := range j.names {
		if strings.Contains(strings.ToLower(n), f.desktopName) {
			return true
		}
	}
	return false
}

// mayHaveBegun reports whether the job may have begun within the range in
// some zone from UTC-12 to UTC+14: its begin_time's zone is not documented,
// so the range is widened rather than a job missed. A job whose begin_time
// cannot be read is kept.
func (f batchListFilter) mayHaveBegun(j *listedJob) bool {
	if j.begin.IsZero() {
		return true
	}
	earliest, latest := j.begin.Add(-jobTimeAheadAtMost), j.begin.Add(jobTimeBehindAtMost)
	return (f.after.IsZero() || !latest.Before(f.after)) && (f.before.IsZero() || !earliest.After(f.before))
}

// status sums the job up as the batch's status words do.
func (j *listedJob) status() string {
	switch {
	case j.failed == 0:
		return batchStatusSuccess
	case j.succeeded == 0:
		return batchStatusFailed
	default:
		return batchStatusPartialFailure
	}
}

// maxDisplayedNames bounds the desktop names in a result's display name.
const maxDisplayedNames = 3

// displayName is how `terraform query` shows the job: when it began (in
// the service's own, undocumented, zone), its desktops and its outcome.
func (j *listedJob) displayName() string {
	names := j.names
	if len(names) != len(j.desktops) {
		names = j.desktops // some sub-jobs name no desktop: IDs say the same for all
	}
	return fmt.Sprintf("%s: %s (%s), %s", orNone(j.beginText), countOf(len(j.desktops), "desktop"),
		abbreviateIDs(sortedStrings(names), maxDisplayedNames), j.status())
}
