package workspace

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Reconciliation after an ambiguous batch POST.
//
// The service does not take idempotency keys, so the only way to know
// whether a POST that failed after sending started a job is to look: the
// sub-job list (ListItaSubJobs, filtered by job type) is paged through,
// grouped by parent job, and a job is adopted when
//   - it covers exactly this chunk: the same desktops for create; for
//     restore and delete the same snapshot IDs, read from the sub-jobs'
//     entity field (comma separated) when the service fills it, else the
//     same desktops as the chunk's snapshots map to;
//   - it began no earlier than the first ambiguous send minus the
//     15-minute signing window (a request cannot be accepted later than
//     that, and clocks may differ by up to that much);
//   - this submission does not already own it.
// Among several, the newest wins. Finding none means the service never
// acted, and the caller resubmits.

// signingWindow is how far the gateway accepts X-Sdk-Date from its clock.
const signingWindow = 15 * time.Minute

type reconciler struct {
	c    *Client
	kind batchKind

	// snapshot ID -> desktop ID, listed once when a job lacks entities.
	snapshotDesktops map[string]string
}

// jobCandidate is one parent job assembled from its sub-jobs.
type jobCandidate struct {
	id        string
	begin     time.Time
	beginOK   bool
	desktops  map[string]bool
	entities  map[string]bool
	noEntity  bool // some sub-job had no entity
	subJobCnt int
}

// find returns the job this chunk already started, or "" when there is none.
func (r *reconciler) find(ctx context.Context, ids []string, sentAt time.Time, reg *jobRegistry) (string, error) {
	candidates, err := r.candidates(ctx)
	if err != nil {
		return "", err
	}
	since := sentAt.Add(-signingWindow)
	var best *jobCandidate
	for _, cand := range candidates {
		if !cand.beginOK || cand.begin.Before(since) || reg.has(cand.id) {
			continue
		}
		ok, err := r.matches(ctx, cand, ids)
		if err != nil {
			return "", err
		}
		if ok && (best == nil || cand.begin.After(best.begin)) {
			best = cand
		}
	}
	if best == nil {
		return "", nil
	}
	return best.id, nil
}

// maxReconcileAttempts bounds how often one search for a chunk's job is
// tried when the sub-job listing keeps failing (each page is retried too).
const maxReconcileAttempts = 4

// findPatiently is find, tried again after transient failures: giving up
// fails the chunk although its job may exist, and resubmitting blindly
// could snapshot, restore or delete twice.
func (r *reconciler) findPatiently(ctx context.Context, ids []string, sentAt time.Time, reg *jobRegistry) (string, error) {
	for attempt := 1; ; attempt++ {
		jobID, err := r.find(ctx, ids, sentAt, reg)
		if err == nil || permanent(err) || ctx.Err() != nil || attempt >= maxReconcileAttempts {
			return jobID, err
		}
		if err := r.c.sleep(ctx, r.c.backoff(attempt)); err != nil {
			return "", err
		}
	}
}

// candidates pages through the sub-jobs of this job type, grouped by parent.
func (r *reconciler) candidates(ctx context.Context) (map[string]*jobCandidate, error) {
	byJob := map[string]*jobCandidate{}
	for offset := int32(0); offset <= maxSubJobOffset; {
		page, err := r.c.ListItaSubJobs(ctx, ListItaSubJobsRequest{JobType: r.kind.jobType, Offset: offset, Limit: MaxListLimit})
		if err != nil {
			return nil, err
		}
		for _, sj := range page.Jobs {
			addSubJob(byJob, sj)
		}
		offset += int32(len(page.Jobs))
		if len(page.Jobs) == 0 || offset >= page.TotalCount {
			break
		}
	}
	return byJob, nil
}

func addSubJob(byJob map[string]*jobCandidate, sj JobDetailInfo) {
	if sj.JobId == "" {
		return
	}
	cand := byJob[sj.JobId]
	if cand == nil {
		cand = &jobCandidate{id: sj.JobId, desktops: map[string]bool{}, entities: map[string]bool{}}
		byJob[sj.JobId] = cand
	}
	cand.subJobCnt++
	if sj.Entities != nil && sj.Entities.DesktopId != "" {
		cand.desktops[sj.Entities.DesktopId] = true
	}
	if sj.Entity == "" {
		cand.noEntity = true
	}
	for _, e := range strings.Split(sj.Entity, ",") {
		if e = strings.TrimSpace(e); e != "" {
			cand.entities[e] = true
		}
	}
	if t, ok := parseJobTime(sj.BeginTime); ok && (!cand.beginOK || t.Before(cand.begin)) {
		cand.begin, cand.beginOK = t, true
	}
}

func (r *reconciler) matches(ctx context.Context, cand *jobCandidate, ids []string) (bool, error) {
	switch {
	case r.kind.desktops:
		return sameSet(cand.desktops, ids) || (len(cand.desktops) == 0 && sameSet(cand.entities, ids)), nil
	case !cand.noEntity:
		return sameSet(cand.entities, ids), nil
	}
	if r.snapshotDesktops == nil {
		records, err := r.c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{})
		if err != nil {
			return false, fmt.Errorf("mapping snapshots to desktops: %w", err)
		}
		r.snapshotDesktops = make(map[string]string, len(records))
		for _, rec := range records {
			r.snapshotDesktops[rec.SnapshotId] = rec.DesktopId
		}
	}
	return desktopsMatch(cand.desktops, ids, r.snapshotDesktops), nil
}

// desktopsMatch compares a job's desktops with those of the chunk's
// snapshots. Snapshots no longer listed (a delete may have removed them)
// may account for desktops the mapped ones do not explain.
func desktopsMatch(jobDesktops map[string]bool, snapshotIDs []string, snapshotDesktop map[string]string) bool {
	mapped := map[string]bool{}
	unmapped := 0
	for _, id := range snapshotIDs {
		if d, ok := snapshotDesktop[id]; ok && d != "" {
			mapped[d] = true
		} else {
			unmapped++
		}
	}
	if len(mapped) == 0 {
		return false
	}
	for d := range mapped {
		if !jobDesktops[d] {
			return false
		}
	}
	return len(jobDesktops)-len(mapped) <= unmapped
}

func sameSet(set map[string]bool, ids []string) bool {
	if len(set) != len(ids) {
		return false
	}
	for _, id := range ids {
		if !set[id] {
			return false
		}
	}
	return true
}
