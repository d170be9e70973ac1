package workspace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Batch submission.
//
// The batch POSTs start jobs, so a blind retry can snapshot, restore or
// delete twice. submitChunk therefore retries a POST only where the request
// certainly never reached the service (dial/DNS failures, nothing written)
// or was throttled (429); the transport does that. After an ambiguous
// failure (5xx, reset or timeout once sent) the job may exist, so before
// anything is sent again a create or restore chunk is reconciled
// (reconcile.go): the service's sub-job list is searched for a job over
// exactly this chunk that began after the first send. Only when none exists
// is the POST sent again. A delete chunk needs no job: what of it still
// exists is listed, and only that is sent again. A busy desktop (409
// WKS.00010032) is retried with backoff for BusyRetryTimeout, and reconciled
// first too if an earlier attempt was ambiguous, since the desktop may be
// busy with our own job.
//
// Each chunk's job comes with when it was sent and answered on the
// service's clock (ChunkSubmission.Sent, Answered): no record created
// before the send is the job's (resolve.go), and reconciliation sees a
// job's work in records made since.
//
// "Does not exist" is decided by listing, not by a status code (reference
// §9 item 4: 404 or 400 WKS.0001): a 4xx answer to a delete or restore
// (other than busy, throttled or refused credentials) lists the chunk's
// snapshots before it is an error.

// SubmitHooks let a caller follow a submission as it goes. Both are called
// serialised, from the submitting goroutines; either may be nil.
type SubmitHooks struct {
	// OnJob is called as soon as a chunk has a job ID, so the caller can
	// record it (in state, or in a progress event) before the rest finish.
	OnJob func(ChunkSubmission)
	// OnBusy is called each time the service refuses a chunk because its
	// desktops are busy with another job, before the client waits to retry.
	OnBusy func(BusyNotice)
}

// BusyNotice says that a chunk was refused with 409 WKS.00010032 and will be
// tried again: no job exists for it yet.
type BusyNotice struct {
	Operation string
	Chunk     int      // index of the chunk
	IDs       []string // the chunk's IDs
	Attempts  int      // refusals so far
	RetryIn   time.Duration
	GiveUpIn  time.Duration // how much longer the client keeps trying
	Last      error         // the 409 answer (*APIError)
}

// ErrNotSubmitted marks a chunk that was never sent: the run was cancelled
// or timed out while it waited for its turn, so no job exists for it.
var ErrNotSubmitted = errors.New("not submitted")

// DesktopsBusyError is returned for a chunk the service refused on every
// attempt because its desktops were busy with another job: no job was
// started for it. Cause is the context's error when the run was cancelled or
// timed out during the wait; nil when BusyRetryTimeout ran out.
type DesktopsBusyError struct {
	Operation string
	Attempts  int
	Waited    time.Duration
	Last      error // the last 409 answer
	Cause     error
}

func (e *DesktopsBusyError) Error() string {
	how := "gave up"
	if e.Cause != nil {
		how = "stopped (" + e.Cause.Error() + ")"
	}
	return fmt.Sprintf("%s: the desktops were busy with another job on all %d attempts; %s after %s: %v",
		e.Operation, e.Attempts, how, e.Waited.Round(time.Second), e.Last)
}

// Unwrap exposes the last 409 answer and the context's error.
func (e *DesktopsBusyError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Last}
	}
	return []error{e.Last, e.Cause}
}

// inFlightGrace is how long a batch POST already sent may take to answer
// after the caller was interrupted.
const inFlightGrace = 30 * time.Second

// ChunkSubmission is the outcome of submitting one chunk of at most 100 IDs.
// Exactly one of JobID and Err is set, except for a delete whose IDs were
// all already gone (then both are empty and Gone lists them). Reconciled is
// true when the job was found through ListItaSubJobs after an ambiguous
// failure instead of from the POST's answer.
type ChunkSubmission struct {
	Index      int
	Chunks     int      // how many chunks the submission has
	IDs        []string // the IDs that went into JobID
	JobID      string
	Err        error
	Reconciled bool
	// Refused: the service answered this chunk with an error and no attempt
	// of it may have acted, so no job runs for these IDs.
	Refused bool
	Gone    []string // delete only: IDs no longer listed, so already deleted
	// Sent is when (service time) the request that started JobID was sent:
	// for a reconciled job, the first attempt that may have reached the
	// service. Answered is when its answer was read; zero when reconciled.
	Sent, Answered time.Time
}

// batchKind is one of the three batch POSTs.
type batchKind struct {
	op     string
	suffix string
	body   func(ids []string) any
	// desktops: the IDs are desktop IDs (create), not snapshot IDs.
	desktops bool
	// reconciled: an ambiguous send is searched for among the jobs (create,
	// restore); a delete lists what is left instead.
	reconciled bool
	// listJobType filters the reconciliation's sub-job listing; "" lists
	// every type (restore's is not documented).
	listJobType string
	// desktopOf maps snapshot IDs to desktops when the caller knows them,
	// so listings can filter by desktop.
	desktopOf map[string]string
	// create is the create request, whose names tell its records.
	create BatchCreateDesktopSnapshotReq
}

// requestedName is the name a create asked for a disk kind's snapshots.
func (k batchKind) requestedName(system bool) string {
	info := k.create.DataDiskSnapshot
	if system {
		info = k.create.SystemDiskSnapshot
	}
	if info == nil {
		return ""
	}
	return info.Name
}

// acceptsJobType reports whether a job of this type may be this kind's (a
// sub-job without job_type was listed by the type filter, if any).
func (k batchKind) acceptsJobType(jobType string) bool {
	if k.listJobType != "" {
		return jobType == "" || jobType == k.listJobType
	}
	return IsRestoreJobType(jobType)
}

func createKind(req BatchCreateDesktopSnapshotReq) batchKind {
	return batchKind{
		op: "BatchCreateDesktopSnapshot", suffix: "/snapshots/batch-create", desktops: true,
		reconciled: true, listJobType: JobTypeCreateSnapshot, create: req,
		body: func(ids []string) any { r := req; r.DesktopIds = ids; return r },
	}
}

var (
	restoreKind = batchKind{
		op: "BatchRestoreDesktopSnapshot", suffix: "/snapshots/batch-restore", reconciled: true,
		body: func(ids []string) any { return BatchRestoreSnapshotReq{SnapshotIds: ids} },
	}
	deleteKind = batchKind{
		op: "BatchDeleteDesktopSnapshot", suffix: "/snapshots/batch-delete",
		body: func(ids []string) any { return BatchDeleteDesktopSnapshotReq{SnapshotIds: ids} },
	}
)

// jobRegistry holds the job IDs one submission already owns, so
// reconciliation never adopts the same job for two chunks.
type jobRegistry struct {
	mu    sync.Mutex
	known map[string]bool
}

func newJobRegistry() *jobRegistry { return &jobRegistry{known: map[string]bool{}} }

func (r *jobRegistry) add(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.known[id] = true
}

func (r *jobRegistry) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.known[id]
}

// SubmitBatchCreate splits req.DesktopIds (duplicates dropped, order kept)
// into chunks of at most 100 and submits them concurrently (bounded by
// MaxConcurrentSubmits). onJob, if set, is called (serialised) as soon as
// each chunk has a job ID, so callers can persist it before the rest
// finish; hooks.OnBusy while desktops are busy. Results are in chunk order.
func (c *Client) SubmitBatchCreate(ctx context.Context, req BatchCreateDesktopSnapshotReq, hooks SubmitHooks) []ChunkSubmission {
	if err := validateCreate(req, false); err != nil {
		return []ChunkSubmission{{IDs: req.DesktopIds, Err: fmt.Errorf("BatchCreateDesktopSnapshot: %w", err)}}
	}
	return c.submitBatch(ctx, createKind(req), chunkIDs(Dedupe(req.DesktopIds)), hooks)
}

// SubmitBatchRestore does the same for batch-restore.
func (c *Client) SubmitBatchRestore(ctx context.Context, snapshotIDs []string, hooks SubmitHooks) []ChunkSubmission {
	if err := validateSnapshotIDs(snapshotIDs, false); err != nil {
		return []ChunkSubmission{{IDs: snapshotIDs, Err: fmt.Errorf("BatchRestoreDesktopSnapshot: %w", err)}}
	}
	return c.submitBatch(ctx, restoreKind, c.snapshotChunks(ctx, snapshotIDs), hooks)
}

// SubmitBatchDelete does the same for batch-delete. IDs the service reports as
// already gone are not an error: they are listed in Gone.
func (c *Client) SubmitBatchDelete(ctx context.Context, snapshotIDs []string, hooks SubmitHooks) []ChunkSubmission {
	if err := validateSnapshotIDs(snapshotIDs, false); err != nil {
		return []ChunkSubmission{{IDs: snapshotIDs, Err: fmt.Errorf("BatchDeleteDesktopSnapshot: %w", err)}}
	}
	return c.submitBatch(ctx, deleteKind, c.snapshotChunks(ctx, snapshotIDs), hooks)
}

// SubmitBatchDeleteOf is SubmitBatchDelete for callers that already know each
// snapshot's desktop (snapshot ID -> desktop ID): the chunks keep each
// desktop's snapshots together without listing the project's records.
func (c *Client) SubmitBatchDeleteOf(ctx context.Context, desktopOf map[string]string, hooks SubmitHooks) []ChunkSubmission {
	ids := make([]string, 0, len(desktopOf))
	for id := range desktopOf {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if err := validateSnapshotIDs(ids, false); err != nil {
		return []ChunkSubmission{{IDs: ids, Err: fmt.Errorf("BatchDeleteDesktopSnapshot: %w", err)}}
	}
	kind := deleteKind
	kind.desktopOf = desktopOf
	return c.submitBatch(ctx, kind, packGroups(groupByDesktop(ids, desktopOf), MaxBatchIDs), hooks)
}

func (c *Client) submitBatch(ctx context.Context, kind batchKind, chunks [][]string, hooks SubmitHooks) []ChunkSubmission {
	results := make([]ChunkSubmission, len(chunks))
	reg := newJobRegistry()
	sem := make(chan struct{}, c.cfg.MaxConcurrentSubmits)
	var hookMu sync.Mutex
	serialised := func(call func()) {
		hookMu.Lock()
		defer hookMu.Unlock()
		call()
	}
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		wg.Go(func() {
			results[i] = ChunkSubmission{Index: i, Chunks: len(chunks), IDs: chunk}
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				results[i].Err = fmt.Errorf("%s: chunk %d %w: %w", kind.op, i, ErrNotSubmitted, context.Cause(ctx))
				return
			}
			onBusy := func(n BusyNotice) {
				if hooks.OnBusy != nil {
					n.Chunk = i
					serialised(func() { hooks.OnBusy(n) })
				}
			}
			res := c.submitChunk(ctx, kind, chunk, reg, onBusy)
			results[i] = ChunkSubmission{Index: i, Chunks: len(chunks), IDs: res.ids, JobID: res.jobID, Err: res.err,
				Reconciled: res.reconciled, Refused: res.refused, Gone: res.gone, Sent: res.sent, Answered: res.answered}
			if res.jobID != "" && hooks.OnJob != nil {
				serialised(func() { hooks.OnJob(results[i]) })
			}
		})
	}
	wg.Wait()
	return results
}

// chunkResult is what submitChunk made of one chunk.
type chunkResult struct {
	ids        []string
	jobID      string
	err        error
	reconciled bool
	refused    bool
	gone       []string
	sent       time.Time // service time
	answered   time.Time // service time
}

// submitChunk posts one chunk, never starting two jobs for it (see the
// comment at the top of this file).
func (c *Client) submitChunk(ctx context.Context, kind batchKind, ids []string, reg *jobRegistry, onBusy func(BusyNotice)) chunkResult {
	ids = Dedupe(ids)
	res := chunkResult{ids: ids}
	var (
		ambiguousSince time.Time // send time of the first attempt that may have acted
		ambiguous      int
		lastAmbiguous  error
		busySince      time.Time
		busy           int
		rec            = &reconciler{c: c, kind: kind}
	)
	for {
		if !ambiguousSince.IsZero() && !kind.reconciled {
			// A delete that may have acted: send again only what is left.
			gone, err := c.goneSnapshots(ctx, kind, res.ids)
			if err != nil {
				res.err = fmt.Errorf("%s: the request may have reached the service (%v), and listing what is left failed: %w", kind.op, lastAmbiguous, err)
				return res
			}
			res.gone = append(res.gone, gone...)
			if res.ids = without(res.ids, gone); len(res.ids) == 0 {
				return res
			}
			if ambiguous > c.cfg.MaxRetries {
				res.err = fmt.Errorf("%s: gave up after %d attempts that may have reached the service, with %s still listed: %w",
					kind.op, ambiguous, countIDs(len(res.ids), "snapshot"), lastAmbiguous)
				return res
			}
		}
		if !ambiguousSince.IsZero() && kind.reconciled {
			jobID, err := rec.findPatiently(ctx, res.ids, ambiguousSince, reg)
			if err != nil {
				res.err = fmt.Errorf("%s: the request may have reached the service (%v), and looking for its job failed: %w", kind.op, lastAmbiguous, err)
				return res
			}
			if jobID != "" {
				reg.add(jobID)
				res.jobID, res.reconciled, res.sent = jobID, true, c.svc.toService(ambiguousSince)
				return res
			}
			if ambiguous > c.cfg.MaxRetries {
				res.err = fmt.Errorf("%s: gave up after %d attempts that may have reached the service and no job for them was found: %w", kind.op, ambiguous, lastAmbiguous)
				return res
			}
		}
		var out struct {
			JobId string `json:"job_id"`
		}
		if err := ctx.Err(); err != nil {
			// Stopped before this attempt was sent: nothing can exist for it.
			if ambiguousSince.IsZero() {
				res.err = fmt.Errorf("%s: %w: %w", kind.op, ErrNotSubmitted, context.Cause(ctx))
			} else {
				res.err = fmt.Errorf("%s: stopped before the job of an earlier attempt that may have reached the service was found (%v): %w",
					kind.op, lastAmbiguous, context.Cause(ctx))
			}
			return res
		}
		// Once sent, the answer is read even if the caller is interrupted
		// meanwhile (Ctrl-C): the job it names must reach the caller's state,
		// or it would run with no record of it. inFlightGrace bounds the wait.
		postCtx, cancelPost := context.WithTimeout(context.WithoutCancel(ctx), inFlightGrace)
		sentAt := c.svc.toService(c.clock.Now())
		err := c.post(postCtx, kind.op, kind.suffix, kind.body(res.ids), &out)
		cancelPost()
		if err == nil && out.JobId == "" {
			// Accepted but unreadable: the job may exist, so look before resubmitting.
			err = &ambiguousError{err: &DecodeError{Operation: kind.op, Err: errors.New("the answer has no job_id")}, sentAt: c.clock.Now()}
		}
		var amb *ambiguousError
		switch {
		case err == nil:
			reg.add(out.JobId)
			answered := c.clock.Now()
			c.svc.jobAnswered(out.JobId, answered)
			res.jobID, res.sent, res.answered = out.JobId, sentAt, c.svc.toService(answered)
			return res
		case ctx.Err() != nil:
			res.err = fmt.Errorf("%s: interrupted after an attempt that may have reached the service (%v): %w", kind.op, err, context.Cause(ctx))
			return res
		case errors.As(err, &amb):
			if ambiguousSince.IsZero() {
				ambiguousSince = amb.sentAt
			}
			ambiguous++
			lastAmbiguous = amb.err
			if ambiguous > c.cfg.MaxRetries {
				continue // one last reconciliation, then give up
			}
			err = c.sleep(ctx, c.backoff(ambiguous))
		case IsBusy(err):
			if busySince.IsZero() {
				busySince = c.clock.Now()
			}
			busy++
			waited := c.clock.Now().Sub(busySince)
			busyErr := &DesktopsBusyError{Operation: kind.op, Attempts: busy, Waited: waited, Last: err}
			left := c.cfg.BusyRetryTimeout - waited
			if left <= 0 {
				res.err, res.refused = busyErr, ambiguous == 0
				return res
			}
			wait := min(c.backoff(busy), left)
			onBusy(BusyNotice{Operation: kind.op, IDs: res.ids, Attempts: busy, RetryIn: wait, GiveUpIn: left, Last: err})
			if sleepErr := c.sleep(ctx, wait); sleepErr != nil {
				busyErr.Waited, busyErr.Cause = c.clock.Now().Sub(busySince), sleepErr
				res.err = busyErr
				return res
			}
			continue
		case !kind.desktops && mayMeanGone(err):
			gone, goneErr := c.goneSnapshotsSettled(ctx, kind, res.ids)
			switch {
			case goneErr != nil:
				res.err = fmt.Errorf("%w (and listing which snapshots still exist failed: %w)", err, goneErr)
				return res
			case len(gone) == 0:
				res.err, res.refused = err, ambiguous == 0
				return res
			case kind.reconciled:
				res.err, res.refused = &SnapshotsGoneError{Operation: kind.op, IDs: gone, Answer: err}, ambiguous == 0
				return res
			}
			res.gone = append(res.gone, gone...)
			if res.ids = without(res.ids, gone); len(res.ids) == 0 {
				return res
			}
			continue
		default:
			res.err, res.refused = err, ambiguous == 0
			return res
		}
		if err != nil {
			res.err = fmt.Errorf("%s: %w", kind.op, err)
			return res
		}
	}
}

// goneSnapshots lists which of ids no longer exist: by their desktops when
// the caller knows them, else the project's whole list.
func (c *Client) goneSnapshots(ctx context.Context, kind batchKind, ids []string) ([]string, error) {
	var req ListDesktopSnapshotRequest
	if desktops, ok := desktopsOf(ids, kind.desktopOf); ok {
		req.DesktopIds = desktops
	}
	records, err := c.ListAllDesktopSnapshots(ctx, req)
	if err != nil {
		return nil, err
	}
	exists := make(map[string]bool, len(records))
	for _, r := range records {
		exists[r.SnapshotId] = true
	}
	var gone []string
	for _, id := range ids {
		if !exists[id] {
			gone = append(gone, id)
		}
	}
	return gone, nil
}

// goneSnapshotsSettled is goneSnapshots after the service refused ids. For a
// delete, while every one is still listed, the list may lag the delete
// that removed some, so it is read again with backoff for the propagation window before the
// refusal is taken as it stands.
func (c *Client) goneSnapshotsSettled(ctx context.Context, kind batchKind, ids []string) ([]string, error) {
	if kind.reconciled {
		// A restore refused for snapshots that do exist has another reason
		// (their status, say): no wait.
		return c.goneSnapshots(ctx, kind, ids)
	}
	deadline := c.clock.Now().Add(c.cfg.PropagationWindow)
	for attempt := 1; ; attempt++ {
		gone, err := c.goneSnapshots(ctx, kind, ids)
		left := deadline.Sub(c.clock.Now())
		if err != nil || len(gone) > 0 || left <= 0 {
			return gone, err
		}
		if err := c.sleep(ctx, min(c.backoff(attempt), left)); err != nil {
			return nil, err
		}
	}
}

// desktopsOf returns the desktops of ids, if desktopOf knows every one.
func desktopsOf(ids []string, desktopOf map[string]string) ([]string, bool) {
	var desktops []string
	for _, id := range ids {
		d, ok := desktopOf[id]
		if !ok || d == "" {
			return nil, false
		}
		desktops = append(desktops, d)
	}
	return Dedupe(desktops), len(desktops) > 0
}

// mayMeanGone reports a refusal that could mean some IDs no longer exist:
// any 4xx but busy, throttled or refused credentials.
func mayMeanGone(err error) bool {
	e, ok := asAPIError(err)
	if !ok || e.HTTPStatus < 400 || e.HTTPStatus >= 500 || IsBusy(err) {
		return false
	}
	switch e.HTTPStatus {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests:
		return false
	}
	return true
}

// SnapshotsGoneError is a restore refused because some of its snapshots no
// longer exist (they are not listed any more).
type SnapshotsGoneError struct {
	Operation string
	IDs       []string
	Answer    error // the service's refusal
}

func (e *SnapshotsGoneError) Error() string {
	return fmt.Sprintf("%s: %s no longer %s: %s (the service answered: %v)", e.Operation,
		countIDs(len(e.IDs), "snapshot"), pluralVerb(len(e.IDs), "exists", "exist"), strings.Join(e.IDs, ", "), e.Answer)
}

func (e *SnapshotsGoneError) Unwrap() error { return e.Answer }

func countIDs(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func pluralVerb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Dedupe drops repeated IDs, keeping the first occurrence's position.
func Dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// chunkIDs splits ids into chunks of at most MaxBatchIDs.
func chunkIDs(ids []string) [][]string {
	const size = MaxBatchIDs
	var chunks [][]string
	for len(ids) > size {
		chunks = append(chunks, ids[:size:size])
		ids = ids[size:]
	}
	if len(ids) > 0 {
		chunks = append(chunks, ids)
	}
	return chunks
}

func without(ids, drop []string) []string {
	skip := make(map[string]bool, len(drop))
	for _, id := range drop {
		skip[id] = true
	}
	var out []string
	for _, id := range ids {
		if !skip[id] {
			out = append(out, id)
		}
	}
	return out
}

// JobGone reports whether a job ShowJob refused with showErr no longer
// exists: the refusal must be one that can mean "does not exist" (404 or
// another 4xx, reference §9 item 4), and the sub-job list must hold nothing
// for the job. A listing that fails is returned as the error.
func (c *Client) JobGone(ctx context.Context, jobID string, showErr error) (bool, error) {
	if !mayMeanGone(showErr) {
		return false, nil
	}
	page, err := c.ListItaSubJobs(ctx, ListItaSubJobsRequest{JobId: jobID, Limit: 1})
	if err != nil {
		return false, err
	}
	return page.TotalCount == 0 && len(page.Jobs) == 0, nil
}
