package workspace

// CONTRACT FILE — the public API of the client package, fixed so the provider
// can be written against it while the client is implemented. The client
// implementer moves each declaration into its proper file (client.go,
// signer.go, errors.go, operations.go, batch.go, wait.go, resolve.go) with a
// real body and deletes this file. Signatures may gain fields/options but must
// not change shape without updating every caller.

import (
	"context"
	"net/http"
	"time"
)

// Config configures a Client. Zero values mean the documented defaults.
type Config struct {
	Region        string
	ProjectID     string // empty: looked up through IAM by ResolveProjectID
	AccessKey     string
	SecretKey     string // never logged
	SecurityToken string // never logged; sent as X-Security-Token with AK/SK
	AuthToken     string // never logged; sent as X-Auth-Token instead of signing
	Endpoint      string // default https://workspace.{region}.myhuaweicloud.com
	IAMEndpoint   string // default https://iam.{region}.myhuaweicloud.com
	Insecure      bool   // skip TLS verification
	MaxRetries    int    // retries after the first attempt; default 5; negative = none
	UserAgent     string

	HTTPClient *http.Client // optional; its Transport is wrapped for logging

	// Tunables; tests shrink them.
	RetryMinBackoff      time.Duration // default 500ms
	RetryMaxBackoff      time.Duration // default 30s
	BusyRetryTimeout     time.Duration // how long 409 WKS.00010032 is retried; default 2m
	MaxConcurrentSubmits int           // concurrent chunk submissions; default 4
	Clock                Clock         // nil = real time
}

// Clock abstracts time so waits can be tested without sleeping.
type Clock interface {
	Now() time.Time
	// After behaves like time.After.
	After(d time.Duration) <-chan time.Time
}

// Client talks to one project of the Workspace API. Safe for concurrent use.
type Client struct{ cfg Config }

// NewClient validates cfg (region required; AK without SK, or a token together
// with AK/SK, is an error) and builds a client. It does no I/O.
func NewClient(cfg Config) (*Client, error) { panic("not implemented") }

// ProjectID returns the configured or resolved project ID.
func (c *Client) ProjectID() string { panic("not implemented") }

// ResolveProjectID looks the project up through IAM by region name when no
// project ID was configured (exactly one match or an error), stores it and
// returns it.
func (c *Client) ResolveProjectID(ctx context.Context) (string, error) { panic("not implemented") }

// APIError is every non-2xx answer of the service or its gateway. Error()
// reads well in a Terraform diagnostic: status, code, message, detail, request ID.
type APIError struct {
	Operation                   string // SDK operation name, e.g. BatchCreateDesktopSnapshot
	HTTPStatus                  int
	ErrorCode                   string
	ErrorMsg                    string
	ErrorDetail                 string
	EncodedAuthorizationMessage string
	RequestID                   string
}

func (e *APIError) Error() string { panic("not implemented") }

// --- single API calls (GETs retried; POSTs never duplicated) ---

func (c *Client) BatchCreateDesktopSnapshot(ctx context.Context, req BatchCreateDesktopSnapshotReq) (*BatchCreateDesktopSnapshotResponse, error) {
	panic("not implemented")
}
func (c *Client) BatchRestoreDesktopSnapshot(ctx context.Context, req BatchRestoreSnapshotReq) (*BatchRestoreDesktopSnapshotResponse, error) {
	panic("not implemented")
}
func (c *Client) BatchDeleteDesktopSnapshot(ctx context.Context, req BatchDeleteDesktopSnapshotReq) (*BatchDeleteDesktopSnapshotResponse, error) {
	panic("not implemented")
}
func (c *Client) ListDesktopSnapshot(ctx context.Context, req ListDesktopSnapshotRequest) (*ListDesktopSnapshotResponse, error) {
	panic("not implemented")
}

// ListAllDesktopSnapshots pages through every record matching req (req.Offset
// and req.Limit are managed; DesktopIds longer than 100 are split into queries
// of at most 100 and the results merged without duplicates).
func (c *Client) ListAllDesktopSnapshots(ctx context.Context, req ListDesktopSnapshotRequest) ([]DesktopSnapshotDetailInfo, error) {
	panic("not implemented")
}
func (c *Client) ShowJob(ctx context.Context, jobID string) (*ShowJobResponse, error) {
	panic("not implemented")
}
func (c *Client) ListItaSubJobs(ctx context.Context, req ListItaSubJobsRequest) (*ListItaSubJobsResponse, error) {
	panic("not implemented")
}
func (c *Client) ListDesktops(ctx context.Context, req ListDesktopsRequest) (*ListDesktopsResponse, error) {
	panic("not implemented")
}
func (c *Client) ListAllDesktops(ctx context.Context, req ListDesktopsRequest) ([]SimpleDesktopInfo, error) {
	panic("not implemented")
}
func (c *Client) KeystoneListProjects(ctx context.Context, name string) (*KeystoneListProjectsResponse, error) {
	panic("not implemented")
}

// --- batches of any size: chunked by 100, submitted concurrently, never duplicated ---

// ChunkSubmission is the outcome of submitting one chunk of at most 100 IDs.
// Exactly one of JobID and Err is set. Reconciled is true when the job was
// found through ListItaSubJobs after an ambiguous failure instead of from the
// POST's answer.
type ChunkSubmission struct {
	Index      int
	IDs        []string
	JobID      string
	Err        error
	Reconciled bool
}

// SubmitBatchCreate splits req.DesktopIds into chunks of at most 100 and
// submits them concurrently (bounded). onJob, if set, is called (serialised)
// as soon as each chunk has a job ID, so callers can persist it before the
// rest finish. Results are in chunk order.
func (c *Client) SubmitBatchCreate(ctx context.Context, req BatchCreateDesktopSnapshotReq, onJob func(ChunkSubmission)) []ChunkSubmission {
	panic("not implemented")
}

// SubmitBatchRestore does the same for batch-restore.
func (c *Client) SubmitBatchRestore(ctx context.Context, snapshotIDs []string, onJob func(ChunkSubmission)) []ChunkSubmission {
	panic("not implemented")
}

// SubmitBatchDelete does the same for batch-delete. IDs the service reports as
// already gone are not an error.
func (c *Client) SubmitBatchDelete(ctx context.Context, snapshotIDs []string, onJob func(ChunkSubmission)) []ChunkSubmission {
	panic("not implemented")
}

// --- waiting for jobs ---

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

// DesktopOutcome is one sub-job's result.
type DesktopOutcome struct {
	DesktopID   string
	DesktopName string
	SubJobID    string
	Entity      string
	Status      string
	ErrorCode   string
	FailReason  string
}

// JobResult is a finished (terminal) job.
type JobResult struct {
	JobID     string
	JobType   string
	Status    string // parent status as reported
	Succeeded bool   // parent SUCCESS/COMPLETE and every sub-job SUCCESS
	BeginTime time.Time
	EndTime   time.Time
	Outcomes  []DesktopOutcome
	Polls     int
	Job       *ShowJobResponse
}

// Failed returns the outcomes whose status is not SUCCESS.
func (r *JobResult) Failed() []DesktopOutcome { panic("not implemented") }

// JobFailedError is returned with a non-nil JobResult when the job ended but
// did not fully succeed (including a COMPLETE parent hiding FAILED sub-jobs).
type JobFailedError struct{ Result *JobResult }

func (e *JobFailedError) Error() string { panic("not implemented") }

// JobTimeoutError is returned when ctx's deadline passes before the job ends.
type JobTimeoutError struct {
	JobID      string
	LastStatus string
	Waited     time.Duration
}

func (e *JobTimeoutError) Error() string { panic("not implemented") }

// WaitForJob polls ShowJob until the job is terminal. Cancelling ctx returns
// at once (context.Canceled wrapped); its deadline yields *JobTimeoutError.
// A terminal but not fully successful job returns (result, *JobFailedError).
func (c *Client) WaitForJob(ctx context.Context, jobID string, opts WaitOptions) (*JobResult, error) {
	panic("not implemented")
}

// WaitForJobs waits for several jobs concurrently; the map holds every job
// that reached a terminal state, the error joins the failures.
func (c *Client) WaitForJobs(ctx context.Context, jobIDs []string, opts WaitOptions) (map[string]*JobResult, error) {
	panic("not implemented")
}

// --- what a create job made ---

// ResolveOptions narrows snapshot resolution. Empty fields match anything
// (import knows only the job).
type ResolveOptions struct {
	DiskType        string
	SystemDiskName  string
	DataDiskName    string
	ExcludeSnapshot map[string]bool // IDs known to predate the job
}

// ResolveCreatedSnapshots returns exactly the snapshot records a finished
// create job produced, per desktop and disk (including create_failed
// records of failed sub-jobs, so they can be cleaned up), sorted by desktop
// ID, system disk first, then snapshot ID.
func (c *Client) ResolveCreatedSnapshots(ctx context.Context, job *JobResult, opts ResolveOptions) ([]DesktopSnapshotDetailInfo, error) {
	panic("not implemented")
}
