package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

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
	ctx    context.Context
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
	out       bool              // left out after all
}

// results lists the jobs; an error result, if any, comes last.
func (l *batchLister) results(jobs []*listedJob) []list.ListResult {
	l.owner, l.created = map[string]*listedBatch{}, map[string]map[string]time.Time{}
	var batches []*listedBatch
	kept := 0
	for _, job := range jobs {
		if l.req.Limit > 0 && int64(kept) >= l.req.Limit {
			break
		}
		b := &listedBatch{job: job, result: l.req.NewListResult(l.ctx)}
		b.result.DisplayName = job.displayName()
		b.result.Diagnostics.Append(setJobsIdentity(l.ctx, b.result.Identity, l.client, []string{job.id})...)
		if l.req.IncludeResource && !b.result.Diagnostics.HasError() && !l.include(b) {
			continue
		}
		batches = append(batches, b)
		evicted := l.evicted(b)
		if b.result.Diagnostics.HasError() {
			break // the API failed: what is listed so far, then the error
		}
		if !b.out {
			kept += 1 - len(evicted)
		}
	}
	var out []list.ListResult
	for _, b := range batches {
		if !b.out {
			out = append(out, b.result)
		}
	}
	return out
}

// include imports the job into b's result; false when it is left out.
func (l *batchLister) include(b *listedBatch) bool {
	m, diags := importBatch(l.ctx, l.client, b.job.id)
	b.result.Diagnostics.Append(diags...)
	if diags.HasError() {
		return true
	}
	b.snapshots = batchSnapshotsOf(l.ctx, &m).desktopOf()
	if len(b.snapshots) == 0 && m.Status.ValueString() != batchStatusPending {
		l.leave(b.job, "none of the snapshots it made exists any more")
		return false
	}
	b.result.Diagnostics.Append(b.result.Resource.Set(l.ctx, &m)...)
	return true
}

// evicted settles the snapshots b shares with batches listed before it
// (newer ones): each goes to the job it fits best. If b loses one, b is
// left out (and nothing else changes); otherwise every batch b took one
// from is, and b holds all its snapshots.
func (l *batchLister) evicted(b *listedBatch) []*listedBatch {
	if b.snapshots == nil {
		return nil
	}
	contested := map[string]bool{}
	for id, desktop := range b.snapshots {
		if other := l.owner[id]; other != nil {
			contested[desktop] = true
		}
	}
	if err := l.readCreateTimes(contested); err != nil {
		b.result.Diagnostics.Append(errorDiagnostic("Unable to list snapshot batches", err, l.client.CredentialSource()))
		return nil
	}
	var losers []*listedBatch
	for _, id := range sortedStrings(slices.Collect(maps.Keys(b.snapshots))) {
		desktop, other := b.snapshots[id], l.owner[id]
		if other == nil {
			continue
		}
		if !l.fitsBetter(b.job, other.job, l.created[desktop][id]) {
			l.leave(b.job, fmt.Sprintf("its import would take snapshot %s, which job %s made", id, other.job.id))
			b.out = true
			return nil
		}
		losers = append(losers, other)
	}
	var evicted []*listedBatch
	for _, other := range losers {
		if other.out {
			continue // lost another snapshot already
		}
		for id, o := range l.owner {
			if o == other {
				delete(l.owner, id)
			}
		}
		l.leave(other.job, fmt.Sprintf("its import would take snapshots that job %s made", b.job.id))
		evicted = append(evicted, other)
		other.out = true
	}
	for id := range b.snapshots {
		l.owner[id] = b
	}
	return evicted
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
func (l *batchLister) readCreateTimes(desktops map[string]bool) error {
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
	records, err := l.client.ListAllDesktopSnapshots(l.ctx, workspace.ListDesktopSnapshotRequest{
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

func (l *batchLister) leave(job *listedJob, why string) {
	l.left = append(l.left, job.id+": "+why)
}
