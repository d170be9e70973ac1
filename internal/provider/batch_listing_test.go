package provider

import (
	"slices"
	"testing"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Sub-jobs are grouped by job: a sub-job listed twice (offset paging while
// the list moves) counts once, other job types are not a batch's, the job
// began with its earliest sub-job, a sub-job without entities.desktop_id is
// on the desktop its entity names (as a finished job's are read), and a job
// with a running sub-job is not listed. Names stand for desktops only when
// every sub-job gives one.
func TestListedJobs_groupedByJob(t *testing.T) {
	sub := func(job, desktop, name, begin, status string) workspace.JobDetailInfo {
		return workspace.JobDetailInfo{JobId: job, JobType: workspace.JobTypeCreateSnapshot, BeginTime: begin, Status: status,
			Entities: &workspace.JobEntities{DesktopId: desktop, DesktopName: name}}
	}
	byID := map[string]*listedJob{}
	for _, g := range workspace.GroupSubJobs([]workspace.JobDetailInfo{
		sub("a", "d1", "one", "2026-03-01 12:00:05", "SUCCESS"),
		sub("a", "d2", "two", "2026-03-01 12:00:03", "FAILED"),
		sub("a", "d2", "two", "2026-03-01 12:00:03", "FAILED"),
		sub("b", "d3", "", "2026-03-01 13:00:00", "RUNNING"),
		sub("c", "d4", "four", "", "SUCCESS"),
		{JobId: "d", JobType: workspace.JobTypeDeleteSnapshot, Status: "SUCCESS", Entities: &workspace.JobEntities{DesktopId: "d5"}},
		// No entities.desktop_id: a create sub-job's entity is its desktop.
		{JobId: "e", JobType: workspace.JobTypeCreateSnapshot, Status: "SUCCESS", Entity: "d6", BeginTime: "2026-03-01 14:00:00"},
	}, workspace.JobTypeCreateSnapshot) {
		byID[g.JobID] = newListedJob(g)
	}
	a := byID["a"]
	var all batchListFilter
	if e := byID["e"]; e == nil || !slices.Equal(e.desktops, []string{"d6"}) || !all.matches(e) {
		t.Errorf("a sub-job without entities.desktop_id: job %+v, want desktop d6 (its entity), listed", e)
	}
	if len(byID) != 4 || len(a.desktops) != 2 || a.beginText != "2026-03-01 12:00:03" || a.status() != jobrun.StatusPartialFailure {
		t.Fatalf("jobs %v; a = %+v", byID, a)
	}
	if got, want := a.displayName(), "2026-03-01 12:00:03: 2 desktops (one, two), PARTIAL_FAILURE"; got != want {
		t.Errorf("display name %q, want %q", got, want)
	}
	if !all.matches(a) || all.matches(byID["b"]) || !all.matches(byID["c"]) {
		t.Errorf("matches: a %v (ended), b %v (running), c %v (begin time unread: kept)", all.matches(a), all.matches(byID["b"]), all.matches(byID["c"]))
	}
	b := &listedJob{desktops: []string{"d3"}, beginText: "2026-03-01 13:00:00"}
	if got, want := b.displayName(), "2026-03-01 13:00:00: 1 desktop (d3), SUCCESS"; got != want {
		t.Errorf("display name without desktop names %q, want %q", got, want)
	}
}
