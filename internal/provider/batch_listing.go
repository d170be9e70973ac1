package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Finding the project's batch-create jobs for the list resource, from the
// sub-jobs API (workspace.Client.ListSubJobsByJob). It rests on documented
// sub-job fields only: job_id, job_type, status, entities.desktop_id and
// desktop_name, and begin_time, whose zone is not documented (reference §9
// item 1).

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
	outcomes  []workspace.DesktopOutcome
	running   bool // some sub-job has not ended
}

func newListedJob(g workspace.SubJobGroup) *listedJob {
	j := &listedJob{id: g.JobID, beginText: g.BeginTime, begin: g.Begin, desktops: g.Desktops(), outcomes: g.Outcomes, running: g.Running()}
	named := map[string]bool{}
	for _, o := range g.Outcomes {
		if o.DesktopID != "" && o.DesktopName != "" && !named[o.DesktopID] {
			named[o.DesktopID] = true
			j.names = append(j.names, o.DesktopName)
		}
	}
	return j
}

// createJobListing is what the sub-job pages held.
type createJobListing struct {
	jobs []*listedJob // newest first, then by job ID
	// total is the service's count of createWksSnapshot sub-jobs and read
	// how many of them the pages reached; read < total when there are more
	// than the paging can reach (workspace.MaxListedSubJobs).
	total, read int
}

// listCreateJobs reads every createWksSnapshot sub-job the service lets be
// read, grouped by job.
func listCreateJobs(ctx context.Context, client *workspace.Client) (*createJobListing, error) {
	listing, err := client.ListSubJobsByJob(ctx, workspace.JobTypeCreateSnapshot)
	if err != nil {
		return nil, err
	}
	out := &createJobListing{total: listing.Total, read: listing.Read}
	for _, g := range listing.Jobs {
		out.jobs = append(out.jobs, newListedJob(g))
	}
	slices.SortFunc(out.jobs, func(a, b *listedJob) int {
		if c := b.begin.Compare(a.begin); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return out, nil
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
	if j.running || len(j.desktops) == 0 {
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
	failed := 0
	for _, o := range j.outcomes {
		if !o.Succeeded() {
			failed++
		}
	}
	return jobrun.StatusOf(j.running, len(j.outcomes)-failed, failed)
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
	return fmt.Sprintf("%s: %s (%s), %s", framework.OrNone(j.beginText), framework.CountOf(len(j.desktops), "desktop"),
		framework.AbbreviateIDs(framework.SortedStrings(names), maxDisplayedNames), j.status())
}
