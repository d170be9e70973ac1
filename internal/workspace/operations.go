package workspace

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// projectPath returns /v2/{project_id} + suffix, resolving the project
// through IAM first when none was configured.
func (c *Client) projectPath(ctx context.Context, suffix string) (string, error) {
	id, err := c.ResolveProjectID(ctx)
	if err != nil {
		return "", err
	}
	return "/v2/" + url.PathEscape(id) + suffix, nil
}

// post sends one batch POST: retried only where it certainly did not reach
// the service or was throttled; see batch.go for busy retries and
// reconciliation.
func (c *Client) post(ctx context.Context, op, suffix string, in, out any) error {
	path, err := c.projectPath(ctx, suffix)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return c.do(ctx, apiCall{op: op, method: http.MethodPost, path: path, in: in, out: out, mode: retryUnsent})
}

// get sends one retried GET under the project.
func (c *Client) get(ctx context.Context, op, suffix string, query url.Values, out any) error {
	path, err := c.projectPath(ctx, suffix)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return c.do(ctx, apiCall{op: op, method: http.MethodGet, path: path, query: query, out: out})
}

// BatchCreateDesktopSnapshot submits one batch-create of at most 100
// desktops. A desktop that is busy (409 WKS.00010032) is retried for up to
// BusyRetryTimeout; after an ambiguous failure the job is looked up before
// anything is resubmitted, so one call never makes two jobs.
func (c *Client) BatchCreateDesktopSnapshot(ctx context.Context, req BatchCreateDesktopSnapshotReq) (*BatchCreateDesktopSnapshotResponse, error) {
	jobID, err := c.submitOne(ctx, createKind(req), req.DesktopIds, validateCreate(req, true))
	if err != nil {
		return nil, err
	}
	return &BatchCreateDesktopSnapshotResponse{JobId: jobID}, nil
}

// BatchRestoreDesktopSnapshot submits one batch-restore of at most 100
// snapshot records, with the same guarantees as BatchCreateDesktopSnapshot.
func (c *Client) BatchRestoreDesktopSnapshot(ctx context.Context, req BatchRestoreSnapshotReq) (*BatchRestoreDesktopSnapshotResponse, error) {
	jobID, err := c.submitOne(ctx, restoreKind, req.SnapshotIds, validateSnapshotIDs(req.SnapshotIds, true))
	if err != nil {
		return nil, err
	}
	return &BatchRestoreDesktopSnapshotResponse{JobId: jobID}, nil
}

// BatchDeleteDesktopSnapshot submits one batch-delete of at most 100
// snapshot records, with the same guarantees as BatchCreateDesktopSnapshot.
// Snapshots already gone are left out; when all are, JobId is empty and the
// error nil.
func (c *Client) BatchDeleteDesktopSnapshot(ctx context.Context, req BatchDeleteDesktopSnapshotReq) (*BatchDeleteDesktopSnapshotResponse, error) {
	jobID, err := c.submitOne(ctx, deleteKind, req.SnapshotIds, validateSnapshotIDs(req.SnapshotIds, true))
	if err != nil {
		return nil, err
	}
	return &BatchDeleteDesktopSnapshotResponse{JobId: jobID}, nil
}

// submitOne submits ids as one chunk once invalid is nil.
func (c *Client) submitOne(ctx context.Context, kind batchKind, ids []string, invalid error) (string, error) {
	if invalid != nil {
		return "", fmt.Errorf("%s: %w", kind.op, invalid)
	}
	res := c.submitChunk(ctx, kind, ids, newJobRegistry(), func(BusyNotice) {})
	return res.jobID, res.err
}

// ListDesktopSnapshot returns one page of snapshot records.
func (c *Client) ListDesktopSnapshot(ctx context.Context, req ListDesktopSnapshotRequest) (*ListDesktopSnapshotResponse, error) {
	q, err := snapshotQuery(req)
	if err != nil {
		return nil, fmt.Errorf("ListDesktopSnapshot: %w", err)
	}
	var out ListDesktopSnapshotResponse
	if err := c.get(ctx, "ListDesktopSnapshot", "/snapshots", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ShowJob returns a job with its sub-jobs.
func (c *Client) ShowJob(ctx context.Context, jobID string) (*ShowJobResponse, error) {
	if jobID == "" {
		return nil, fmt.Errorf("ShowJob: job_id: must not be empty")
	}
	var out ShowJobResponse
	if err := c.get(ctx, "ShowJob", "/workspace-jobs/"+url.PathEscape(jobID), nil, &out); err != nil {
		return nil, err
	}
	// The ID asked for is the one the caller holds: results and sub-job
	// paging use it, whatever the answer's id says.
	out.Id = jobID
	c.svc.learnFromJob(jobID, out.BeginTime)
	return &out, nil
}

// ListItaSubJobs returns one page of sub-jobs.
func (c *Client) ListItaSubJobs(ctx context.Context, req ListItaSubJobsRequest) (*ListItaSubJobsResponse, error) {
	q, err := subJobQuery(req)
	if err != nil {
		return nil, fmt.Errorf("ListItaSubJobs: %w", err)
	}
	var out ListItaSubJobsResponse
	if err := c.get(ctx, "ListItaSubJobs", "/workspace-sub-jobs", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListDesktops returns one page of desktops.
func (c *Client) ListDesktops(ctx context.Context, req ListDesktopsRequest) (*ListDesktopsResponse, error) {
	if err := checkPage(req.Offset, req.Limit); err != nil {
		return nil, fmt.Errorf("ListDesktops: %w", err)
	}
	q := url.Values{}
	setIfNotEmpty(q, "user_name", req.UserName)
	setIfNotEmpty(q, "computer_name", req.ComputerName)
	setIfNotEmpty(q, "desktop_ip", req.DesktopIp)
	if len(req.DesktopId) > MaxBatchIDs {
		return nil, fmt.Errorf("ListDesktops: desktop_id takes at most %d IDs, got %d", MaxBatchIDs, len(req.DesktopId))
	}
	for _, id := range req.DesktopId {
		q.Add("desktop_id", id)
	}
	setPage(q, req.Offset, req.Limit)
	var out ListDesktopsResponse
	if err := c.get(ctx, "ListDesktops", "/desktops", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAllDesktops pages through every desktop matching req (req.Offset and
// req.Limit are managed), complete as listing.go describes. With
// req.UserName it keeps only the desktops of exactly that user.
func (c *Client) ListAllDesktops(ctx context.Context, req ListDesktopsRequest) ([]SimpleDesktopInfo, error) {
	all, err := listAll(ctx, c, c.desktopPager(ctx, req, MaxListLimit))
	if err != nil || req.UserName == "" {
		return all, err
	}
	// The service matches user_name fuzzily (SDK v0.1.207, reference §9):
	// asked for alice it also answers alice2's desktops, which a
	// configuration selecting alice's must not get.
	exact := all[:0]
	for _, d := range all {
		if d.UserName == req.UserName {
			exact = append(exact, d)
		}
	}
	return exact, nil
}

// desktopPager pages through req's desktops, limit a page.
func (c *Client) desktopPager(ctx context.Context, req ListDesktopsRequest, limit int32) pager[SimpleDesktopInfo] {
	return pager[SimpleDesktopInfo]{
		operation: "ListDesktops",
		items:     "desktops",
		page: func(offset int32) ([]SimpleDesktopInfo, int32, error) {
			req.Offset, req.Limit = offset, limit
			page, err := c.ListDesktops(ctx, req)
			if err != nil {
				return nil, 0, err
			}
			return page.Desktops, page.TotalCount, nil
		},
		id: func(d SimpleDesktopInfo) string { return d.DesktopId },
	}
}

// KeystoneListProjects lists the IAM projects named name (all when empty).
// It is signed with the same credentials but carries no project header.
func (c *Client) KeystoneListProjects(ctx context.Context, name string) (*KeystoneListProjectsResponse, error) {
	q := url.Values{}
	setIfNotEmpty(q, "name", name)
	var out KeystoneListProjectsResponse
	err := c.do(ctx, apiCall{op: "KeystoneListProjects", method: http.MethodGet, iam: true, path: "/v3/projects", query: q, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func setIfNotEmpty(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

func setPage(q url.Values, offset, limit int32) {
	if offset > 0 {
		q.Set("offset", strconv.Itoa(int(offset)))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(int(limit)))
	}
}
