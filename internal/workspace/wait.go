package workspace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Defaults of WaitOptions.
const (
	DefaultFirstPoll    = 200 * time.Millisecond
	DefaultMinInterval  = time.Second
	DefaultMaxInterval  = 60 * time.Second
	DefaultPollFraction = 0.1
)

// maxPollFailures is how many polls in a row may fail transiently (each
// already retried) before the wait gives up; the context usually ends it
// first.
const maxPollFailures = 8

// WaitOptions tunes the adaptive poll. Zero values mean the defaults, which
// satisfy: the wait returns within max(1s, 10% of the job's running time)
// after the job finishes, and polls grow with log(duration).
type WaitOptions struct {
	FirstPoll   time.Duration              // default 200ms
	MinInterval time.Duration              // default 1s
	MaxInterval time.Duration              // default 60s
	Fraction    float64                    // interval = Fraction * elapsed; default 0.1
	OnPoll      func(job *ShowJobResponse) // optional progress callback
}

func (o WaitOptions) withDefaults() WaitOptions {
	if o.FirstPoll <= 0 {
		o.FirstPoll = DefaultFirstPoll
	}
	if o.MinInterval <= 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultMaxInterval
	}
	o.MaxInterval = max(o.MaxInterval, o.MinInterval)
	if o.Fraction <= 0 {
		o.Fraction = DefaultPollFraction
	}
	return o
}

// interval is Fraction of the time waited so far, within [Min, Max]: a job
// that ran for T is noticed within max(Min, Fraction*T), and a wait of T
// polls about T/Min + log(T)/log(1+Fraction) times.
func (o WaitOptions) interval(elapsed time.Duration) time.Duration {
	return min(max(time.Duration(o.Fraction*float64(elapsed)), o.MinInterval), o.MaxInterval)
}

// JobTimeoutError is returned when ctx's deadline passes before the job ends.
type JobTimeoutError struct {
	JobID      string
	LastStatus string
	Waited     time.Duration
	LastError  error // why the polls since the last status read failed, if they did
}

func (e *JobTimeoutError) Error() string {
	last := e.LastStatus
	if last == "" {
		last = "not read yet"
	}
	if e.LastError != nil {
		last += "; the last poll failed: " + e.LastError.Error()
	}
	return fmt.Sprintf("timed out after %s waiting for job %s (last status: %s); the job may still finish: its ID is kept",
		e.Waited.Round(time.Second), e.JobID, last)
}

// Unwrap lets errors.Is(err, context.DeadlineExceeded) match.
func (e *JobTimeoutError) Unwrap() error { return context.DeadlineExceeded }

// WaitForJob polls ShowJob until the job is terminal. Cancelling ctx returns
// at once (context.Canceled wrapped); its deadline yields *JobTimeoutError.
// A terminal but not fully successful job returns (result, *JobFailedError).
func (c *Client) WaitForJob(ctx context.Context, jobID string, opts WaitOptions) (*JobResult, error) {
	if jobID == "" {
		return nil, errors.New("waiting for a job: job ID must not be empty")
	}
	opts = opts.withDefaults()
	start := c.clock.Now()
	lastStatus := ""
	var lastErr error // the failed polls since lastStatus was read
	stopped := func(err error) error {
		if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			return &JobTimeoutError{JobID: jobID, LastStatus: lastStatus, Waited: c.clock.Now().Sub(start), LastError: lastErr}
		}
		return fmt.Errorf("waiting for job %s: %w", jobID, err)
	}
	next, polls, failures, subJobFailures := opts.FirstPoll, 0, 0, 0
	for {
		if err := c.sleep(ctx, next); err != nil {
			return nil, stopped(err)
		}
		job, err := c.ShowJob(ctx, jobID)
		polls++
		switch {
		case ctx.Err() != nil:
			return nil, stopped(context.Cause(ctx))
		case err != nil && permanent(err):
			return nil, fmt.Errorf("waiting for job %s: %w", jobID, err)
		case err != nil:
			failures++
			lastErr = err
			if failures >= maxPollFailures {
				return nil, fmt.Errorf("waiting for job %s: %d polls in a row failed: %w", jobID, failures, err)
			}
			tflog.SubsystemWarn(c.logContext(ctx), logSubsystem, "polling job failed; polling on", map[string]any{"job_id": jobID, "error": err.Error()})
			next = min(opts.MinInterval<<min(failures, 16), opts.MaxInterval)
			continue
		}
		failures, lastErr = 0, nil
		lastStatus = job.Status
		if opts.OnPoll != nil {
			opts.OnPoll(job)
		}
		if classifyStatus(job.Status) != jobPending {
			res, err := c.finishedJob(ctx, job, polls)
			var failed *JobFailedError
			if err == nil || errors.As(err, &failed) || permanent(err) || ctx.Err() != nil {
				return res, err
			}
			// The job ended but its sub-jobs could not be read (each page
			// already retried): try again later, as for a failed poll.
			// Counted apart, since the ShowJob that precedes each try works.
			subJobFailures++
			lastErr = err
			if subJobFailures >= maxPollFailures {
				return nil, fmt.Errorf("waiting for job %s: reading its sub-jobs failed %d times: %w", jobID, subJobFailures, err)
			}
			tflog.SubsystemWarn(c.logContext(ctx), logSubsystem, "reading a finished job's sub-jobs failed; trying again", map[string]any{"job_id": jobID, "error": err.Error()})
			next = min(opts.MinInterval<<min(subJobFailures, 16), opts.MaxInterval)
			continue
		}
		next = opts.interval(c.clock.Now().Sub(start))
	}
}

// permanent reports an error answer that polling again cannot change
// (4xx other than 429: the job is gone or the credentials are refused).
func permanent(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.HTTPStatus >= 400 && e.HTTPStatus < 500 && e.HTTPStatus != http.StatusTooManyRequests
}

// EndedJobResult is the result of a job that ShowJob already reported
// ended, built from that answer and its remaining sub-jobs, so a caller that
// read the job needs no second ShowJob. Like WaitForJob, a job that ended
// with failed desktops returns (result, *JobFailedError).
func (c *Client) EndedJobResult(ctx context.Context, job *ShowJobResponse) (*JobResult, error) {
	if !JobDone(job.Status) {
		return nil, fmt.Errorf("job %s has not ended (status %s)", job.Id, job.Status)
	}
	return c.finishedJob(ctx, job, 1)
}

// finishedJob builds the result of a terminal job with all its sub-jobs.
func (c *Client) finishedJob(ctx context.Context, job *ShowJobResponse, polls int) (*JobResult, error) {
	seen := c.svc.toService(c.clock.Now()) // the answer that said it ended was just read
	subJobs, err := c.AllSubJobs(ctx, job)
	if err != nil {
		return nil, fmt.Errorf("job %s ended with status %s; %w", job.Id, job.Status, err)
	}
	res := newJobResult(job, subJobs, polls)
	res.SeenEnded = seen
	if err := c.identifyOutcomes(ctx, res); err != nil {
		// Only failures are reported by desktop and an import looks the
		// desktops up: the job's outcome stands without them.
		tflog.SubsystemWarn(c.logContext(ctx), logSubsystem, "could not tell the desktops of sub-jobs that name none by ID",
			map[string]any{"job_id": job.Id, "error": err.Error()})
	}
	if !res.Succeeded {
		return res, &JobFailedError{Result: res}
	}
	return res, nil
}

// AllSubJobs returns every sub-job of a job ShowJob returned, paging them
// through ListItaSubJobs, complete as listing.go describes, when ShowJob
// listed fewer than sub_jobs_total.
func (c *Client) AllSubJobs(ctx context.Context, job *ShowJobResponse) ([]JobDetailInfo, error) {
	if job.SubJobsTotal > 0 && int(job.SubJobsTotal) <= len(job.SubJobs) {
		return job.SubJobs, nil
	}
	// No sub_jobs_total (or more than listed): ShowJob's list may be cut
	// short without saying so, so the sub-jobs come from ListItaSubJobs,
	// and any ShowJob listed that the listing lacks are kept.
	all, err := listAll(ctx, c, c.subJobPager(ctx, ListItaSubJobsRequest{JobId: job.Id}, 0))
	if err != nil {
		return nil, fmt.Errorf("reading its %d sub-jobs: %w", max(int(job.SubJobsTotal), len(job.SubJobs)), err)
	}
	listed := make(map[string]bool, len(all))
	for _, sj := range all {
		listed[sj.Id] = true
	}
	for _, sj := range job.SubJobs {
		if sj.Id == "" || !listed[sj.Id] {
			all = append(all, sj)
		}
	}
	return all, nil
}

// WaitForJobs waits for several jobs concurrently; the map holds every job
// that reached a terminal state, the error joins the failures.
func (c *Client) WaitForJobs(ctx context.Context, jobIDs []string, opts WaitOptions) (map[string]*JobResult, error) {
	jobIDs = Dedupe(jobIDs)
	results := make(map[string]*JobResult, len(jobIDs))
	errs := make([]error, len(jobIDs))
	var mu sync.Mutex
	if onPoll := opts.OnPoll; onPoll != nil {
		opts.OnPoll = func(job *ShowJobResponse) { // serialised for the caller
			mu.Lock()
			defer mu.Unlock()
			onPoll(job)
		}
	}
	var wg sync.WaitGroup
	for i, id := range jobIDs {
		wg.Go(func() {
			res, err := c.WaitForJob(ctx, id, opts)
			errs[i] = err
			if res != nil {
				mu.Lock()
				results[id] = res
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

// identifyOutcomes fills in the desktop ID of sub-jobs that name their
// desktop only by name, as a service whose restore and delete sub-jobs carry
// no entities.desktop_id would (reference §9 documents no other field): the
// snapshot records carry both. A name the records of more than one desktop
// carry is left unidentified.
func (c *Client) identifyOutcomes(ctx context.Context, res *JobResult) error {
	var names []string
	for _, o := range res.Outcomes {
		if o.DesktopID == "" && o.DesktopName != "" {
			names = append(names, o.DesktopName)
		}
	}
	if len(names) == 0 {
		return nil
	}
	idsOf := map[string]map[string]bool{}
	for _, group := range chunkIDs(Dedupe(names)) {
		records, err := c.ListAllDesktopSnapshots(ctx, ListDesktopSnapshotRequest{DesktopNames: group})
		if err != nil {
			return err
		}
		for _, rec := range records {
			if idsOf[rec.DesktopName] == nil {
				idsOf[rec.DesktopName] = map[string]bool{}
			}
			idsOf[rec.DesktopName][rec.DesktopId] = true
		}
	}
	for i := range res.Outcomes {
		o := &res.Outcomes[i]
		if ids := idsOf[o.DesktopName]; o.DesktopID == "" && len(ids) == 1 {
			for id := range ids {
				o.DesktopID = id
			}
		}
	}
	return nil
}
