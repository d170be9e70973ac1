package workspace

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Reconciliation after an ambiguous batch-create or batch-restore POST.
//
// The service takes no idempotency key, so the only way to know whether a
// POST that failed after sending started a job is to look. It rests on
// documented fields only (reference §2.1, §2.2): the sub-job list, grouped by
// parent job, and each sub-job's job_type, entities.desktop_id and
// begin_time; never the free-text entity, whose format is not documented. A
// candidate is a job
//   - of the kind's type: createWksSnapshot for create (documented); for
//     restore, whose job type is not documented, any type that is not one of
//     the documented snapshot create or delete types;
//   - over exactly the chunk's desktops (for restore, the desktops the
//     chunk's snapshots belong to), not already owned by this submission.
// It is this request's job only if it began no earlier than the first
// ambiguous send on the service's clock, and no later than now:
//   - in the known zone of job times, exactly one candidate must have; two
//     cannot be told apart, none means the service never acted;
//   - while the zone is unknown, every zone in use is a hypothesis, bounded
//     below by the newest listed job (none began in the future). The
//     candidate is adopted only when every hypothesis under which some
//     candidate began in time names the same one, and the records show a
//     job's work since the send (a create made manual snapshots of the
//     chunk's desktops, a restore marked the chunk's snapshots restoring or
//     restored them since: last_restore_time is documented UTC), which rules
//     out "the service never acted". No candidate under any hypothesis
//     means the service never acted, and the caller sends again.
// Anything else cannot be told (ProvenanceError): the job is neither
// adopted nor is the request sent again. A listing the API's offset limit
// cut short is an error too, since the order of sub-jobs is not documented
// and the job may be past the cut. Deletes are not reconciled: what still
// exists is listed and deleted again (batch.go).

type reconciler struct {
	c    *Client
	kind batchKind
	// records maps, for restore, every listed snapshot ID to its record,
	// listed once per reconciliation.
	records map[string]DesktopSnapshotDetailInfo
	// desktopsNamed maps each desktop name the records carry to the
	// desktops that carry it, for telling desktops apart by name.
	desktopsNamed map[string]map[string]bool
}

// jobCandidate is one parent job assembled from its sub-jobs.
type jobCandidate struct {
	id       string
	jobType  string
	begin    time.Time
	beginOK  bool
	desktops map[string]bool
	// names are the sub-jobs' desktop names, for a service whose restore
	// sub-jobs carry no entities.desktop_id (reference §9 documents no
	// more); unnamed counts sub-jobs with neither.
	names   map[string]bool
	unnamed int
}

// ProvenanceError is a request that may have started a job, where the
// service's answers do not tell whether it did: neither is a job adopted
// nor the request sent again.
type ProvenanceError struct {
	Operation  string
	Candidates []string // the jobs that might be the request's, sorted
	Reason     string
}

func (e *ProvenanceError) Error() string {
	return fmt.Sprintf("%s: whether the request that may have reached the service started %s cannot be told: %s. "+
		"It is neither taken as this request's job nor sent again, so nothing is made twice; look the job up "+
		"(the workspace_job data source) and, if it is this request's, import it",
		e.Operation, describeCandidates(e.Candidates), e.Reason)
}

func describeCandidates(ids []string) string {
	if len(ids) == 1 {
		return "job " + ids[0]
	}
	return "one of the jobs " + strings.Join(ids, ", ")
}

// find returns the job this chunk already started, or "" when there is none.
func (r *reconciler) find(ctx context.Context, ids []string, sentAt time.Time, reg *jobRegistry) (string, error) {
	r.c.learnZone(ctx)
	since := r.c.svc.toService(sentAt)
	listed, complete, err := r.candidates(ctx)
	if err != nil {
		return "", err
	}
	now := r.c.svc.toService(r.c.clock.Now())
	r.records = nil
	var newest time.Time
	var cands, blind []*jobCandidate
	for _, cand := range sortedCandidates(listed) {
		if cand.beginOK && cand.begin.After(newest) {
			newest = cand.begin
		}
		if reg.has(cand.id) || !cand.beginOK || !r.kind.acceptsJobType(cand.jobType) {
			continue
		}
		if !r.kind.desktops && cand.unidentified() {
			blind = append(blind, cand)
			continue
		}
		covers, err := r.covers(ctx, cand, ids)
		if err != nil {
			return "", err
		}
		if covers {
			cands = append(cands, cand)
		}
	}
	inTime := func(cand *jobCandidate, zone time.Duration) bool {
		began := cand.begin.Add(-zone)
		return !began.Before(since.Add(-ownershipSlack)) && !began.After(now.Add(ownershipSlack))
	}
	for _, cand := range blind {
		for _, zone := range zonesInUse() {
			if inTime(cand, zone) {
				return "", &ProvenanceError{Operation: r.kind.op, Candidates: []string{cand.id}, Reason: "a job that began " +
					"since the request was sent names no desktop in its sub-jobs, so whether it is this request's cannot be told"}
			}
		}
	}
	var began []string
	if zone, known := r.c.svc.zoneOffset(); known {
		for _, cand := range cands {
			if inTime(cand, zone) {
				began = append(began, cand.id)
			}
		}
		switch {
		case len(began) == 1:
			return began[0], nil
		case len(began) > 1:
			return "", &ProvenanceError{Operation: r.kind.op, Candidates: began,
				Reason: "more than one job over exactly these desktops began since the request was sent"}
		case !complete:
			return "", errListingTruncated
		}
		return "", nil
	}
	named := map[string]bool{}
	undecided := false
	lowest := newest.Sub(now) - ownershipSlack // no job began in the future
	for _, zone := range zonesInUse() {
		if zone < lowest.Truncate(quarterHour)-quarterHour {
			continue
		}
		var fit []string
		for _, cand := range cands {
			if inTime(cand, zone) {
				fit = append(fit, cand.id)
			}
		}
		undecided = undecided || len(fit) > 1
		for _, id := range fit {
			named[id] = true
		}
	}
	began = sortedKeys(named)
	switch {
	case len(began) == 0 && !complete:
		return "", errListingTruncated
	case len(began) == 0:
		return "", nil
	case undecided || len(began) > 1:
		return "", &ProvenanceError{Operation: r.kind.op, Candidates: began, Reason: "while the zone of job times is unknown, " +
			"their begin times fit the send in different zones (set the provider's job_time_zone to tell)"}
	}
	seen, err := r.workSeen(ctx, ids, since)
	if err != nil {
		return "", err
	}
	if !seen {
		return "", &ProvenanceError{Operation: r.kind.op, Candidates: began, Reason: "while the zone of job times is unknown, " +
			"its begin time fits the send in some zone but the snapshot records show no work since the send yet " +
			"(set the provider's job_time_zone to tell)"}
	}
	return began[0], nil
}

func sortedCandidates(byJob map[string]*jobCandidate) []*jobCandidate {
	out := make([]*jobCandidate, 0, len(byJob))
	for _, id := range sortedKeys(byJob) {
		out = append(out, byJob[id])
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// errListingTruncated is a search that could not see every sub-job.
var errListingTruncated = fmt.Errorf("the service lists more than the %d sub-jobs of this type that ListItaSubJobs can page through, "+
	"so whether the request started a job cannot be told; it is not sent again", maxSubJobOffset+MaxListLimit)

// maxReconcileAttempts bounds how often one search for a chunk's job is
// tried when the sub-job listing keeps failing (each page is retried too).
const maxReconcileAttempts = 4

// findPatiently is find, tried again after transient failures: giving up
// fails the chunk although its job may exist, and resubmitting blindly
// could snapshot or restore twice.
func (r *reconciler) findPatiently(ctx context.Context, ids []string, sentAt time.Time, reg *jobRegistry) (string, error) {
	for attempt := 1; ; attempt++ {
		jobID, err := r.find(ctx, ids, sentAt, reg)
		if err == nil || permanent(err) || errors.Is(err, errListingTruncated) || ctx.Err() != nil || attempt >= maxReconcileAttempts {
			// A ProvenanceError is tried again too: the job's work may show later.
			return jobID, err
		}
		if err := r.c.sleep(ctx, r.c.backoff(attempt)); err != nil {
			return "", err
		}
	}
}

// candidates pages through the sub-jobs (of this job type, when it is
// documented), grouped by parent job, read as listing.go describes;
// complete is false when the API's offset limit stopped the paging before
// the end.
func (r *reconciler) candidates(ctx context.Context) (byJob map[string]*jobCandidate, complete bool, err error) {
	byJob = map[string]*jobCandidate{}
	reach, err := scanReachable(ctx, r.c, r.c.subJobPager(ctx, ListItaSubJobsRequest{JobType: r.kind.listJobType}, maxSubJobOffset),
		func() { clear(byJob) },
		func(page []JobDetailInfo) bool {
			for _, sj := range page {
				addSubJob(byJob, sj)
			}
			return true
		})
	if err != nil {
		return nil, false, err
	}
	return byJob, !reach.Truncated, nil
}

func addSubJob(byJob map[string]*jobCandidate, sj JobDetailInfo) {
	if sj.JobId == "" {
		return
	}
	cand := byJob[sj.JobId]
	if cand == nil {
		cand = &jobCandidate{id: sj.JobId, jobType: sj.JobType, desktops: map[string]bool{}, names: map[string]bool{}}
		byJob[sj.JobId] = cand
	}
	var name string
	if sj.Entities != nil {
		name = sj.Entities.DesktopName
		if sj.Entities.DesktopId != "" {
			cand.desktops[sj.Entities.DesktopId] = true
		}
	}
	switch name = firstNonEmpty(name, sj.DesktopName); {
	case name != "":
		cand.names[name] = true
	case sj.Entities == nil || sj.Entities.DesktopId == "":
		cand.unnamed++
	}
	if t, ok := parseJobTime(sj.BeginTime); ok && (!cand.beginOK || t.Before(cand.begin)) {
		cand.begin, cand.beginOK = t, true
	}
}

// covers reports whether the candidate's desktops are exactly the chunk's.
func (r *reconciler) covers(ctx context.Context, cand *jobCandidate, ids []string) (bool, error) {
	if r.kind.desktops {
		return sameSet(cand.desktops, ids), nil
	}
	if err := r.listRecords(ctx); err != nil {
		return false, err
	}
	byName := len(cand.desktops) == 0 // sub-jobs without desktop IDs: compare the desktops' names, which records carry too
	desktopOf := make(map[string]string, len(ids))
	for _, id := range ids {
		if rec, ok := r.records[id]; ok {
			desktopOf[id] = rec.DesktopId
			if byName {
				desktopOf[id] = rec.DesktopName
			}
		}
	}
	if !byName {
		return desktopsMatch(cand.desktops, ids, desktopOf), nil
	}
	if !desktopsMatch(cand.names, ids, desktopOf) {
		return false, nil
	}
	for _, name := range desktopOf {
		if len(r.desktopsNamed[name]) > 1 {
			return false, &ProvenanceError{Operation: r.kind.op, Candidates: []string{cand.id}, Reason: fmt.Sprintf(
				"its sub-jobs name their desktops only by name, and the snapshot records give the name %q to more than one desktop", name)}
		}
	}
	return true, nil
}

// unidentified reports whether a candidate's sub-jobs name no desktop at
// all: whether it is the request's job cannot be told, and sending again
// could run the work twice.
func (cand *jobCandidate) unidentified() bool {
	return len(cand.desktops) == 0 && len(cand.names) == 0 && cand.unnamed > 0
}

// workSeen reports whether the records show that a job of this kind worked
// on the chunk since the send (see the comment at the top).
func (r *reconciler) workSeen(ctx context.Context, ids []string, since time.Time) (bool, error) {
	if r.kind.desktops {
		records, err := r.c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopIds: ids, CreateType: CreateTypeManually})
		if err != nil {
			return false, fmt.Errorf("listing the desktops' snapshots: %w", err)
		}
		for _, rec := range records {
			created, ok := parseJobTime(rec.CreateTime)
			if !ok || created.Before(since.Add(-ownershipSlack)) || rec.IsSystemDisk == nil {
				continue
			}
			// Work of this request carries its names; another job's records
			// on these desktops since the send prove nothing of it.
			if _, named := appendedPart(rec.SnapshotName, rec.DesktopName, r.kind.requestedName(*rec.IsSystemDisk)); named {
				return true, nil
			}
		}
		return false, nil
	}
	if err := r.listRecords(ctx); err != nil {
		return false, err
	}
	for _, id := range ids {
		rec, ok := r.records[id]
		if !ok {
			continue
		}
		restored, timeOK := parseJobTime(rec.LastRestoreTime)
		if rec.Status == SnapshotStatusRestoring || (timeOK && !restored.Before(since.Add(-ownershipSlack))) {
			return true, nil
		}
	}
	return false, nil
}

// listRecords lists the project's snapshot records once per search, to map
// snapshots to desktops (the list filters by desktop, not by snapshot).
func (r *reconciler) listRecords(ctx context.Context) error {
	if r.records != nil {
		return nil
	}
	records, err := r.c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{})
	if err != nil {
		return fmt.Errorf("mapping snapshots to desktops: %w", err)
	}
	r.records = make(map[string]DesktopSnapshotDetailInfo, len(records))
	r.desktopsNamed = map[string]map[string]bool{}
	for _, rec := range records {
		r.records[rec.SnapshotId] = rec
		if r.desktopsNamed[rec.DesktopName] == nil {
			r.desktopsNamed[rec.DesktopName] = map[string]bool{}
		}
		r.desktopsNamed[rec.DesktopName][rec.DesktopId] = true
	}
	return nil
}

// learnZone learns the zone of job times, when it is not known yet, from a
// job whose POST answer was read (one ShowJob).
func (c *Client) learnZone(ctx context.Context) {
	if jobID, ok := c.svc.unlearnedJob(); ok {
		_, _ = c.ShowJob(ctx, jobID) // ShowJob learns the zone from its answer
	}
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
