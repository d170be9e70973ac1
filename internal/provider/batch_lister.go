package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// batchLister turns the jobs the list resource found (newest first) into
// list results, at most the request's limit.
//
// Without include_resource a result is the job's identity and display name,
// read from the sub-jobs alone. With it, each job is imported (importBatch,
// the import's own code), and a job is left out, with the reason in a
// warning, when its import would not give a batch of its own: when its
// import is refused (the zone of job times is unknown, or its snapshots
// cannot be told from another job's), when none of the snapshots it made
// exists any more (its first refresh would drop it), or when another listed
// job's import would take one of its snapshots too. An import takes only
// what is provably its job's (workspace.ResolveCreatedSnapshots), so the
// last should not happen; if it does, neither job is listed: no two
// generated batches may hold, and on destroy delete, the same snapshot,
// and none is picked as "the better fit". A job's group (the jobs sharing
// desktops with it) is settled whole before the job is listed or left out,
// so the limit cannot decide which of two contenders is listed.
type batchLister struct {
	client *workspace.Client
	req    list.ListRequest
	left   []string // each job left out, and why
	// Jobs left out as the zone of job times is unknown: one warning says
	// what to set, rather than one refusal per job.
	zoneLeft []string

	owner map[string]*listedBatch // snapshot ID -> the batch holding it
}

// listedBatch is one job's result while the list is being built.
type listedBatch struct {
	job       *listedJob
	result    list.ListResult
	snapshots map[string]string // snapshot ID -> desktop ID
	left      string            // why it is left out, "" while it is not
	zoneLeft  bool              // left out because the zone of job times is unknown
}

// results lists the jobs; an error result, if any, comes last.
//
// Contests are settled among jobs over shared desktops only (a job's import
// takes snapshots of its own desktops), so the jobs fall into groups joined
// by shared desktops, each settled on its own. A job's group is settled
// whole before the job is listed or left out: a job past the limit may
// still take a snapshot back from a listed one.
func (l *batchLister) results(ctx context.Context, jobs []*listedJob) []list.ListResult {
	l.owner = map[string]*listedBatch{}
	group := desktopGroups(jobs)
	settled := map[int]bool{}
	batches := make([]*listedBatch, len(jobs))
	var out []list.ListResult
	examined := 0 // jobs[:examined] are listed or left out
	defer func() {
		// Jobs left out past the cut would not have been listed anyway.
		for _, b := range batches[:examined] {
			switch {
			case b.zoneLeft:
				l.zoneLeft = append(l.zoneLeft, b.job.id)
			case b.left != "":
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
// contests it has with the jobs of its group examined before it.
func (l *batchLister) examine(ctx context.Context, job *listedJob) *listedBatch {
	b := &listedBatch{job: job, result: l.req.NewListResult(ctx)}
	b.result.DisplayName = job.displayName()
	b.result.Diagnostics.Append(setJobsIdentity(ctx, b.result.Identity, l.client, []string{job.id})...)
	if l.req.IncludeResource && !b.result.Diagnostics.HasError() && l.include(ctx, b) {
		l.settle(b)
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
	m, diags, refused := importBatch(ctx, l.client, b.job.id)
	if len(refused.reasons) > 0 {
		b.left = "its import is refused: " + strings.Join(refused.reasons, "; ")
		b.zoneLeft = refused.zoneUnknown
		return false
	}
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
	b.snapshots = framework.StringMapOf(ctx, m.SnapshotDesktopIDs)
	if len(b.snapshots) == 0 {
		b.left = "none of the snapshots it made exists any more"
		return false
	}
	b.result.Diagnostics.Append(b.result.Resource.Set(ctx, m.stateForm())...)
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

// settle leaves out b and every batch examined before it that holds one of
// b's snapshots (see the comment at the top); otherwise b holds them.
func (l *batchLister) settle(b *listedBatch) {
	if b.snapshots == nil {
		return
	}
	for _, id := range framework.SortedStrings(slices.Collect(maps.Keys(b.snapshots))) {
		other := l.owner[id]
		if other == nil {
			continue
		}
		if other.left == "" {
			other.left = fmt.Sprintf("job %s's import would take snapshot %s too", b.job.id, id)
		}
		if b.left == "" {
			b.left = fmt.Sprintf("job %s's import would take snapshot %s too", other.job.id, id)
		}
	}
	for id := range b.snapshots {
		if l.owner[id] == nil {
			l.owner[id] = b
		}
	}
}
