package emulator

import (
	"net/http"
	"strings"
	"time"
)

// SDK operation names: the keys of Stats.RequestsByOperation.
const (
	opBatchCreate   = "BatchCreateDesktopSnapshot"
	opBatchRestore  = "BatchRestoreDesktopSnapshot"
	opBatchDelete   = "BatchDeleteDesktopSnapshot"
	opListSnapshots = "ListDesktopSnapshot"
	opShowJob       = "ShowJob"
	opListSubJobs   = "ListItaSubJobs"
	opListDesktops  = "ListDesktops"
	opListProjects  = "KeystoneListProjects"
	opUnknown       = "Unknown"
)

// call is one authenticated API request handed to an operation.
type call struct {
	r      *http.Request
	body   []byte
	now    time.Time
	params routeParams
	// listFault is the scripted list fault (ScriptedShort, ...) the page
	// of this list request gets; "" for none.
	listFault string
}

type routeParams struct {
	projectID string
	jobID     string
}

type route struct {
	method  string
	pattern []string // "{project_id}" and "{job_id}" match one segment
	op      string
	handle  func(*Server, *call) reply
}

var routes = []route{
	{http.MethodPost, split("/v2/{project_id}/snapshots/batch-create"), opBatchCreate, (*Server).batchCreate},
	{http.MethodPost, split("/v2/{project_id}/snapshots/batch-restore"), opBatchRestore, (*Server).batchRestore},
	{http.MethodPost, split("/v2/{project_id}/snapshots/batch-delete"), opBatchDelete, (*Server).batchDelete},
	{http.MethodGet, split("/v2/{project_id}/snapshots"), opListSnapshots, (*Server).listSnapshots},
	{http.MethodGet, split("/v2/{project_id}/workspace-jobs/{job_id}"), opShowJob, (*Server).showJob},
	{http.MethodGet, split("/v2/{project_id}/workspace-sub-jobs"), opListSubJobs, (*Server).listSubJobs},
	{http.MethodGet, split("/v2/{project_id}/desktops"), opListDesktops, (*Server).listDesktops},
	{http.MethodGet, split("/v3/projects"), opListProjects, (*Server).listProjects},
}

func split(path string) []string { return strings.Split(strings.Trim(path, "/"), "/") }

// matchRoute finds the route of method and path; nil when there is none.
func matchRoute(method, path string) (*route, routeParams) {
	segs := split(path)
	for i := range routes {
		rt := &routes[i]
		if rt.method != method || len(rt.pattern) != len(segs) || strings.HasSuffix(path, "/") {
			continue
		}
		var p routeParams
		ok := true
		for k, want := range rt.pattern {
			switch {
			case want == "{project_id}" && segs[k] != "":
				p.projectID = segs[k]
			case want == "{job_id}" && segs[k] != "":
				p.jobID = segs[k]
			case want != segs[k]:
				ok = false
			}
		}
		if ok {
			return rt, p
		}
	}
	return nil, routeParams{}
}
