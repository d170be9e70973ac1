package workspace

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Allowed values of the list filters.
var (
	createTypes    = []string{CreateTypeAuto, CreateTypeManually}
	sortFields     = []string{"create_time", "snapshot_name"}
	sortTypes      = []string{"ASC", "DESC"}
	subJobStatuses = []string{JobStatusSuccess, JobStatusRunning, JobStatusFailed, JobStatusWaiting}
)

// maxSubJobOffset is the largest offset ListItaSubJobs accepts.
const maxSubJobOffset = 10000

// snapshotQuery validates req and builds its query; arrays become repeated keys.
func snapshotQuery(req ListDesktopSnapshotRequest) (url.Values, error) {
	checks := []error{
		checkEnum("disk_type", req.DiskType, DiskTypes),
		checkEnum("create_type", req.CreateType, createTypes),
		checkEnum("status", req.Status, SnapshotStatuses),
		checkEnum("sort_field", req.SortField, sortFields),
		checkEnum("sort_type", req.SortType, sortTypes),
		checkPage(req.Offset, req.Limit),
	}
	for _, err := range checks {
		if err != nil {
			return nil, err
		}
	}
	q := url.Values{}
	setIfNotEmpty(q, "desktop_id", req.DesktopId)
	setIfNotEmpty(q, "desktop_name", req.DesktopName)
	setIfNotEmpty(q, "snapshot_name", req.SnapshotName)
	setIfNotEmpty(q, "disk_type", req.DiskType)
	setIfNotEmpty(q, "create_type", req.CreateType)
	setIfNotEmpty(q, "status", req.Status)
	setIfNotEmpty(q, "sort_field", req.SortField)
	setIfNotEmpty(q, "sort_type", req.SortType)
	addAll(q, "desktop_ids", req.DesktopIds)
	addAll(q, "desktop_names", req.DesktopNames)
	addAll(q, "snapshot_names", req.SnapshotNames)
	setPage(q, req.Offset, req.Limit)
	return q, nil
}

func subJobQuery(req ListItaSubJobsRequest) (url.Values, error) {
	if err := checkEnum("status", req.Status, subJobStatuses); err != nil {
		return nil, err
	}
	if err := checkPage(req.Offset, req.Limit); err != nil {
		return nil, err
	}
	if req.Offset > maxSubJobOffset {
		return nil, fmt.Errorf("offset: must be at most %d, got %d", maxSubJobOffset, req.Offset)
	}
	q := url.Values{}
	setIfNotEmpty(q, "status", req.Status)
	setIfNotEmpty(q, "job_id", req.JobId)
	setIfNotEmpty(q, "job_type", req.JobType)
	setIfNotEmpty(q, "desktop_pool_id", req.DesktopPoolId)
	setPage(q, req.Offset, req.Limit)
	return q, nil
}

func addAll(q url.Values, key string, values []string) {
	for _, v := range values {
		q.Add(key, v)
	}
}

func checkEnum(field, value string, allowed []string) error {
	if value == "" || slices.Contains(allowed, value) {
		return nil
	}
	return fmt.Errorf("%s: must be one of %s, got %q", field, strings.Join(allowed, ", "), value)
}

func checkPage(offset, limit int32) error {
	if offset < 0 {
		return fmt.Errorf("offset: must not be negative, got %d", offset)
	}
	if limit < 0 || limit > MaxListLimit {
		return fmt.Errorf("limit: must be between 0 (service default) and %d, got %d", MaxListLimit, limit)
	}
	return nil
}
