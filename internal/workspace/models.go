package workspace

// Wire models for the Workspace v2 snapshot, job and desktop APIs and the IAM
// project lookup. Type and field names mirror the official Huawei Cloud Go SDK
// (services/workspace/v2/model, v0.1.207) so the mapping stays obvious; unlike
// the SDK, optional scalars are plain values with omitempty except where the
// service distinguishes null from zero (process, is_system_disk).

// Disk types accepted by batch-create and the list filter.
const (
	DiskTypeSystem = "SYSTEM_DISK"
	DiskTypeData   = "DATA_DISKS"
	DiskTypeAll    = "ALL"
)

// DiskTypes lists every accepted disk_type value, in documentation order.
var DiskTypes = []string{DiskTypeSystem, DiskTypeData, DiskTypeAll}

// Snapshot record statuses (DesktopSnapshotDetailInfo.status).
const (
	SnapshotStatusCreating       = "creating"
	SnapshotStatusRestoring      = "restoring"
	SnapshotStatusCreateSuccess  = "create_success"
	SnapshotStatusCreateFailed   = "create_failed"
	SnapshotStatusRestoreSuccess = "restore_success"
	SnapshotStatusRestoreFailed  = "restore_failed"
)

// SnapshotStatuses lists every documented snapshot record status.
var SnapshotStatuses = []string{
	SnapshotStatusCreating, SnapshotStatusRestoring, SnapshotStatusCreateSuccess,
	SnapshotStatusCreateFailed, SnapshotStatusRestoreSuccess, SnapshotStatusRestoreFailed,
}

// Snapshot create types (list filter and record field).
const (
	CreateTypeAuto     = "AUTO"
	CreateTypeManually = "MANUALLY"
)

// Job types of the snapshot jobs (ListItaSubJobs job_type). The SDK documents
// the create and delete types; which type batch-restore produces is not
// documented (reference §2.4, §9 item 3): JobTypeRestoreSnapshot is only the
// likeliest name, so nothing relies on it (see IsRestoreJobType).
const (
	JobTypeCreateSnapshot  = "createWksSnapshot"
	JobTypeDeleteSnapshot  = "deleteWksSnapshot"
	JobTypeRestoreSnapshot = "restoreDesktopBySnapshot"
	// The older disk (EVS-style) snapshot jobs.
	JobTypeCreateDiskSnapshot = "createSnapshot"
	JobTypeDeleteDiskSnapshot = "deleteSnapshot"
)

// IsRestoreJobType reports whether a job of this type may be a batch-restore
// job: any type other than the documented snapshot create and delete types.
func IsRestoreJobType(jobType string) bool {
	switch jobType {
	case JobTypeCreateSnapshot, JobTypeDeleteSnapshot, JobTypeCreateDiskSnapshot, JobTypeDeleteDiskSnapshot:
		return false
	}
	return true
}

// Job statuses. Sub-jobs use WAITING, RUNNING, SUCCESS and FAILED; parent jobs
// have no documented enum, and the official provider also sees COMPLETE and
// FAIL. SUCCESS/COMPLETE and FAIL/FAILED are terminal; anything else pending.
const (
	JobStatusWaiting  = "WAITING"
	JobStatusRunning  = "RUNNING"
	JobStatusSuccess  = "SUCCESS"
	JobStatusComplete = "COMPLETE"
	JobStatusFail     = "FAIL"
	JobStatusFailed   = "FAILED"
)

// MaxBatchIDs is the most desktop or snapshot IDs one batch call accepts.
const MaxBatchIDs = 100

// MaxListLimit is the largest page the list APIs return.
const MaxListLimit = 1000

// Name and description limits of DiskSnapshotInfo.
const (
	MaxSnapshotNameLength        = 64
	MaxSnapshotDescriptionLength = 255
)

// BatchCreateDesktopSnapshotReq is the body of POST /v2/{project_id}/snapshots/batch-create.
type BatchCreateDesktopSnapshotReq struct {
	DesktopIds         []string          `json:"desktop_ids,omitempty"`
	DiskType           string            `json:"disk_type,omitempty"`
	SystemDiskSnapshot *DiskSnapshotInfo `json:"system_disk_snapshot,omitempty"`
	DataDiskSnapshot   *DiskSnapshotInfo `json:"data_disk_snapshot,omitempty"`
}

// DiskSnapshotInfo names and describes the snapshots of one kind of disk. The
// service composes the final name as desktop name + Name + a timestamp.
type DiskSnapshotInfo struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// BatchCreateDesktopSnapshotResponse is the 200 answer of batch-create.
type BatchCreateDesktopSnapshotResponse struct {
	JobId string `json:"job_id"`
}

// BatchRestoreSnapshotReq is the body of POST /v2/{project_id}/snapshots/batch-restore.
type BatchRestoreSnapshotReq struct {
	SnapshotIds []string `json:"snapshot_ids,omitempty"`
}

// BatchRestoreDesktopSnapshotResponse is the 200 answer of batch-restore.
type BatchRestoreDesktopSnapshotResponse struct {
	JobId string `json:"job_id"`
}

// BatchDeleteDesktopSnapshotReq is the body of POST /v2/{project_id}/snapshots/batch-delete.
type BatchDeleteDesktopSnapshotReq struct {
	SnapshotIds []string `json:"snapshot_ids,omitempty"`
}

// BatchDeleteDesktopSnapshotResponse is the 200 answer of batch-delete.
type BatchDeleteDesktopSnapshotResponse struct {
	JobId string `json:"job_id"`
}

// ListDesktopSnapshotRequest holds the query of GET /v2/{project_id}/snapshots.
// Array filters go on the wire as repeated keys. A zero Limit means the
// service default (1000).
type ListDesktopSnapshotRequest struct {
	DesktopId     string
	DesktopIds    []string
	DesktopName   string
	DesktopNames  []string
	SnapshotName  string
	SnapshotNames []string
	DiskType      string
	CreateType    string
	Status        string
	SortField     string // create_time | snapshot_name
	SortType      string // ASC | DESC
	Offset        int32
	Limit         int32
}

// ListDesktopSnapshotResponse is one page of snapshot records.
type ListDesktopSnapshotResponse struct {
	DesktopSnapshots []DesktopSnapshotDetailInfo `json:"desktop_snapshots"`
	TotalCount       int32                       `json:"total_count"`
}

// DesktopSnapshotDetailInfo is one disk snapshot record.
type DesktopSnapshotDetailInfo struct {
	SnapshotId        string `json:"snapshot_id,omitempty"`
	SnapshotName      string `json:"snapshot_name,omitempty"`
	DesktopId         string `json:"desktop_id,omitempty"`
	DesktopName       string `json:"desktop_name,omitempty"`
	DesktopSid        string `json:"desktop_sid,omitempty"`
	DesktopPoolId     string `json:"desktop_pool_id,omitempty"`
	IsSystemDisk      *bool  `json:"is_system_disk,omitempty"`
	Status            string `json:"status,omitempty"`
	Process           *int32 `json:"process,omitempty"`
	Description       string `json:"description,omitempty"`
	CreateTime        string `json:"create_time,omitempty"`
	CreateType        string `json:"create_type,omitempty"`
	LastRestoreTime   string `json:"last_restore_time,omitempty"`
	RestoreFailReason string `json:"restore_fail_reason,omitempty"`
}

// ShowJobResponse is the answer of GET /v2/{project_id}/workspace-jobs/{job_id}.
type ShowJobResponse struct {
	Id           string          `json:"id,omitempty"`
	JobType      string          `json:"job_type,omitempty"`
	BeginTime    string          `json:"begin_time,omitempty"`
	EndTime      string          `json:"end_time,omitempty"`
	Status       string          `json:"status,omitempty"`
	JobErrorCode string          `json:"job_error_code,omitempty"`
	FailReason   string          `json:"fail_reason,omitempty"`
	SubJobsTotal int32           `json:"sub_jobs_total,omitempty"`
	SubJobs      []JobDetailInfo `json:"sub_jobs,omitempty"`
}

// JobDetailInfo is one sub-job: one desktop (or entity) of a parent job.
type JobDetailInfo struct {
	Id         string       `json:"id,omitempty"`
	JobId      string       `json:"job_id,omitempty"`
	JobType    string       `json:"job_type,omitempty"`
	Entities   *JobEntities `json:"entities,omitempty"`
	BeginTime  string       `json:"begin_time,omitempty"`
	EndTime    string       `json:"end_time,omitempty"`
	Status     string       `json:"status,omitempty"`
	ErrorCode  string       `json:"error_code,omitempty"`
	FailReason string       `json:"fail_reason,omitempty"`
	Message    string       `json:"message,omitempty"`
	Host       string       `json:"host,omitempty"`
	ProjectId  string       `json:"project_id,omitempty"`
	Process    *int32       `json:"process,omitempty"`
	AttachUser string       `json:"attach_user,omitempty"`
	Entity     string       `json:"entity,omitempty"`
	IpAddress  string       `json:"ip_address,omitempty"`
	// In ShowJob's sub-jobs (OAS), next to entities (reference §9).
	DesktopName string `json:"desktop_name,omitempty"`
	MacAddress  string `json:"mac_address,omitempty"`
}

// JobEntities names the object a sub-job works on.
type JobEntities struct {
	DesktopId   string `json:"desktop_id,omitempty"`
	ProductId   string `json:"product_id,omitempty"`
	UserName    string `json:"user_name,omitempty"`
	DesktopName string `json:"desktop_name,omitempty"`
	IpAddress   string `json:"ip_address,omitempty"`
}

// ListItaSubJobsRequest holds the query of GET /v2/{project_id}/workspace-sub-jobs.
type ListItaSubJobsRequest struct {
	Status        string
	JobId         string
	JobType       string
	DesktopPoolId string
	Offset        int32
	Limit         int32
}

// ListItaSubJobsResponse is one page of sub-jobs.
type ListItaSubJobsResponse struct {
	TotalCount int32           `json:"total_count"`
	Jobs       []JobDetailInfo `json:"jobs"`
}

// ListDesktopsRequest holds the query of GET /v2/{project_id}/desktops.
type ListDesktopsRequest struct {
	UserName     string
	ComputerName string
	DesktopIp    string
	// DesktopId filters on up to 100 exact IDs (a repeated desktop_id key;
	// SDK v0.1.207, reference §9).
	DesktopId []string
	Offset    int32
	Limit     int32
}

// ListDesktopsResponse is one page of desktops.
type ListDesktopsResponse struct {
	TotalCount int32               `json:"total_count"`
	Desktops   []SimpleDesktopInfo `json:"desktops"`
}

// SimpleDesktopInfo is one desktop of the list API.
type SimpleDesktopInfo struct {
	DesktopId    string `json:"desktop_id,omitempty"`
	ComputerName string `json:"computer_name,omitempty"`
	Created      string `json:"created,omitempty"`
	IpAddress    string `json:"ip_address,omitempty"`
	UserName     string `json:"user_name,omitempty"`
	UserGroup    string `json:"user_group,omitempty"`
	Sid          string `json:"sid,omitempty"`
	OuName       string `json:"ou_name,omitempty"`
}

// KeystoneListProjectsResponse is the answer of GET {iam}/v3/projects.
type KeystoneListProjectsResponse struct {
	Projects []ProjectResult `json:"projects"`
}

// ProjectResult is one IAM project.
type ProjectResult struct {
	Id       string `json:"id"`
	Name     string `json:"name"`
	DomainId string `json:"domain_id,omitempty"`
	Enabled  bool   `json:"enabled"`
}
