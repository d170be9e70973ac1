package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// batchLister turns the jobs the list resource found (newest first) into
// list results, at most the request's limit.
//
// Without include_resource a result is the job's identity and display name,
// read from the sub-jobs alone. With it, each job is imported (importBatch,
// the import's own code), and a job is left out when its import would not
// give a batch of its own: when none of the snapshots it made exists any
// more (its first refresh would drop it), or when it would take a snapshot
// another listed job made. An import matches snapshots to a job by how well
// their create_time fits the job's begin_time, modulo a quarter hour while
// the zone of job times is unknown, then the newest; so a job whose own
// snapshots are gone takes those of another job over the same desktops. A
// contested snapshot goes to the job it fits best, the newer on a tie (as
// the import would choose), and the other job is left out, so no two
// generated batches hold, and on destroy delete, the same snapshot.
type batchLister struct {
	client *workspace.Client
	req    list.ListRequest
	left   []string // each job left out, and why

	owner   map[string]*listedBatch         // snapshot ID -> the batch holding it
	created map[string]map[string]time.Time // desktop ID -> its manual snapshots' create_time
}

// listedBatch is one job's result while the list is being built.
type listedBatch struct {
	job       *listedJob
	result    list.ListResult
	snapshots map[string]string // snapshot ID -> desktop ID
	left      string            // why it is left out, "" while it is not
}

// results lists the jobs; an error result, if any, comes last.
//
// Contests are settled among jobs over shared desktops only (a job's import
// takes snapshots of its own desktops), so the jobs fall into groups joined
// by shared desktops, each settled on its own. A job's group is settled
// whole before the job is listed or left out: a job past the limit may
// still take a snapshot back from a listed one.
func (l *batchLister) results(ctx context.Context, jobs []*listedJob) []list.ListResult {
	l.owner, l.created = map[string]*listedBatch{}, map[string]map[string]time.Time{}
	group := desktopGroups(jobs)
	settled := map[int]bool{}
	batches := make([]*listedBatch, len(jobs))
	var out []list.ListResult
	examined := 0 // jobs[:examined] are listed or left out
	defer func() {
		// Jobs left out past the cut would not have been listed anyway.
		for _, b := range batches[:examined] {
			if b.left != "" {
				l.left = append(l.left, b.job.id+": "+b.left)
			}
		}
	}()
	for i := range jobs {
		if l.req.Limit > 0 && int64(len(out)) >= l.req.Limit {
			break
		}
		if !l.req.IncludeResource {
			batches[i] = l.examine(ctx, jobs[i]) // nothing to contest
		} else if !settled[group[i]] {
			settled[group[i]] = true
			for k := i; k < len(jobs); k++ {
				if group[k] != group[i] {
					continue
				}
				batches[k] = l.examine(ctx, jobs[k])
				if batches[k].result.Diagnostics.HasError() {
					return append(out, batches[k].result) // the API failed: what is listed so far, then the error
				}
			}
		}
		examined = i + 1
		if b := batches[i]; b.left == "" {
			out = append(out, b.result)
			if b.result.Diagnostics.HasError() {
				break
			}
		}
	}
	return out
}

// examine builds the job's result and, with include_resource, settles the
// contests it has with the jobs of its group examined before it (newer).
func (l *batchLister) examine(ctx context.Context, job *listedJob) *listedBatch {
	b := &listedBatch{job: job, result: l.req.NewListResult(ctx)}
	b.result.DisplayName = job.displayName()
	b.result.Diagnostics.Append(setJobsIdentity(ctx, b.result.Identity, l.client, []string{job.id})...)
	if l.req.IncludeResource && !b.result.Diagnostics.HasError() && l.include(ctx, b) {
		l.settle(ctx, b)
	}
	return b
}

// desktopGroups numbers the groups of jobs joined by shared desktops: jobs
// i and k share a number when a chain of jobs, each sharing a desktop with
// the next, leads from one to the other.
func desktopGroups(jobs []*listedJob) []int {
	parent := make([]int, len(jobs))
	root := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	first := map[string]int{} // desktop ID -> the first job over it
	for i, job := range jobs {
		parent[i] = i
		for _, d := range job.desktops {
			if k, ok := first[d]; ok {
				parent[root(i)] = root(k)
			} else {
				first[d] = i
			}
		}
	}
	group := make([]int, len(jobs))
	for i := range jobs {
		group[i] = root(i)
	}
	return group
}

// include imports the job into b's result; false when it is left out.
func (l *batchLister) include(ctx context.Context, b *listedBatch) bool {
	m, diags := importBatch(ctx, l.client, b.job.id)
	if diags.HasError() && l.gone(ctx, b.job.id) {
		b.left = "the service no longer knows it"
		return false
	}
	if diags.HasError() {
		for _, d := range diags {
			if d.Severity() == diag.SeverityError {
				d = diag.NewErrorDiagnostic(d.Summary(), "Importing job "+b.job.id+": "+d.Detail())
			}
			b.result.Diagnostics.Append(d)
		}
		return true
	}
	b.result.Diagnostics.Append(diags...)
	b.snapshots = stringMapOf(ctx, m.SnapshotDesktopIDs)
	if len(b.snapshots) == 0 {
		b.left = "none of the snapshots it made exists any more"
		return false
	}
	b.result.Diagnostics.Append(b.result.Resource.Set(ctx, &m)...)
	return true
}

// gone reports whether a job whose import failed is one the service no
// longer knows (deleted since the sub-jobs were listed): ShowJob refuses it
// and the sub-job list holds nothing for it, as a refresh decides.
func (l *batchLister) gone(ctx context.Context, jobID string) bool {
	_, err := l.client.ShowJob(ctx, jobID)
	if err == nil {
		return false
	}
	gone, listErr := l.client.JobGone(ctx, jobID, err)
	return gone && listErr == nil
}

// settle settles the snapshots b shares with batches examined before it
// (newer ones): each goes to the job it fits best. If b loses one, b is
// left out (and nothing else changes); otherwise every batch b took one
// from is, and b holds all its snapshots.
func (l *batchLister) settle(ctx context.Context, b *listedBatch) {
	if b.snapshots == nil {
		return
	}
	contested := map[string]bool{}
	for id, desktop := range b.snapshots {
		if other := l.owner[id]; other != nil {
			contested[desktop] = true
		}
	}
	if err := l.readCreateTimes(ctx, contested); err != nil {
		b.result.Diagnostics.Append(errorDiagnostic("Unable to list snapshot batches", err, l.client.CredentialSource()))
		return
	}
	var losers []*listedBatch
	for _, id := range sortedStrings(slices.Collect(maps.Keys(b.snapshots))) {
		desktop, other := b.snapshots[id], l.owner[id]
		if other == nil {
			continue
		}
		if !l.fitsBetter(b.job, other.job, l.created[desktop][id]) {
			b.left = fmt.Sprintf("its import would take snapshot %s, which job %s made", id, other.job.id)
			return
		}
		losers = append(losers, other)
	}
	for _, other := range losers {
		if other.left != "" {
			continue // lost another snapshot already
		}
		for id, o := range l.owner {
			if o == other {
				delete(l.owner, id)
			}
		}
		other.left = fmt.Sprintf("its import would take snapshots that job %s made", b.job.id)
	}
	for id := range b.snapshots {
		l.owner[id] = b
	}
}

// fitsBetter reports whether a snapshot created at created fits the older
// job strictly better than the newer one (a tie goes to the newer).
func (l *batchLister) fitsBetter(older, newer *listedJob, created time.Time) bool {
	if created.IsZero() || older.begin.IsZero() || newer.begin.IsZero() {
		return false
	}
	return l.client.JobTimeFit(older.begin, created) < l.client.JobTimeFit(newer.begin, created)
}

// readCreateTimes lists the manual snapshots of the desktops not read yet.
func (l *batchLister) readCreateTimes(ctx context.Context, desktops map[string]bool) error {
	var missing []string
	for d := range desktops {
		if l.created[d] == nil {
			missing = append(missing, d)
			l.created[d] = map[string]time.Time{}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	records, err := l.client.ListAllDesktopSnapshots(ctx, workspace.ListDesktopSnapshotRequest{
		DesktopIds: missing, CreateType: workspace.CreateTypeManually,
	})
	if err != nil {
		return err
	}
	for _, rec := range records {
		if t, ok := workspace.ParseJobTime(rec.CreateTime); ok && l.created[rec.DesktopId] != nil {
			l.created[rec.DesktopId][rec.SnapshotId] = t
		}
	}
	return nil
}
