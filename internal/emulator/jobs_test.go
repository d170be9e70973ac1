package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestJobProgression(t *testing.T) {
	h := newHarness(t, Config{Desktops: 4, JobDuration: 100 * time.Second})
	jobID := h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()})

	j := h.job(jobID)
	if j.Status != jobWaiting || j.EndTime != "" || j.BeginTime != "2026-03-01 12:00:00" || j.JobType != jobTypeCreate {
		t.Fatalf("new job %+v", j)
	}
	for _, sj := range j.SubJobs {
		if sj.Status != jobWaiting || sj.Process != 0 || sj.JobID != jobID || sj.Entities.DesktopID == "" || sj.Entities.DesktopName == "" {
			t.Errorf("waiting sub-job %+v", sj)
		}
	}
	h.clock.Advance(10 * time.Second)
	if j = h.job(jobID); j.Status != jobRunning {
		t.Fatalf("at 10%%: %s, want RUNNING", j.Status)
	}
	h.clock.Advance(40 * time.Second)
	for _, sj := range h.job(jobID).SubJobs {
		if sj.Status != jobRunning || sj.Process <= 0 || sj.Process >= 100 {
			t.Errorf("sub-job at 50%%: %s process %d", sj.Status, sj.Process)
		}
	}
	h.clock.Advance(50*time.Second - time.Nanosecond)
	if j = h.job(jobID); j.Status != jobRunning {
		t.Fatalf("just before the end: %s", j.Status)
	}
	h.clock.Advance(time.Nanosecond)
	j = h.job(jobID)
	if j.Status != jobSuccess || j.EndTime != "2026-03-01 12:01:40" || j.JobErrorCode != "" {
		t.Fatalf("ended job %+v", j)
	}
	ends := map[string]bool{}
	for _, sj := range j.SubJobs {
		if sj.Status != jobSuccess || sj.Process != 100 || sj.EndTime == "" || sj.EndTime > j.EndTime {
			t.Errorf("ended sub-job %+v", sj)
		}
		ends[sj.EndTime] = true
	}
	if len(ends) < 2 {
		t.Errorf("sub-jobs all ended at the same second %v; they should be staggered", ends)
	}
}

func TestJobFailAndComplete(t *testing.T) {
	for _, tc := range []struct {
		complete bool
		want     string
	}{{false, jobFail}, {true, jobComplete}} {
		h := newHarness(t, Config{Desktops: 2, Faults: Faults{SubJobFailureRate: 1, CompleteWithFailedSubJobs: tc.complete}})
		j := h.job(h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()}))
		if j.Status != tc.want {
			t.Errorf("complete=%v: parent %s, want %s", tc.complete, j.Status, tc.want)
		}
		for _, sj := range j.SubJobs {
			if sj.Status != jobFailed || sj.ErrorCode != "WKS.00010306" || sj.FailReason == "" {
				t.Errorf("failed sub-job %+v", sj)
			}
		}
		if tc.complete && (j.JobErrorCode != "" || j.FailReason != "") {
			t.Errorf("COMPLETE parent reports its failure: %+v", j)
		}
		if !tc.complete && (j.JobErrorCode != "WKS.00010306" || j.FailReason != "2 of 2 sub-jobs failed") {
			t.Errorf("FAIL parent %q %q", j.JobErrorCode, j.FailReason)
		}
		if n := h.snapshots(url.Values{"status": {statusCreateFailed}}).TotalCount; n != 4 {
			t.Errorf("%d create_failed records, want 4", n)
		}
	}
}

// The failure draw comes from the seeded generator: same seed, same failures.
func TestSubJobFailureRateDeterministic(t *testing.T) {
	outcome := func(seed int64) []string {
		h := newHarness(t, Config{Desktops: 40, Seed: seed, Faults: Faults{SubJobFailureRate: 0.5}})
		var out []string
		for _, sj := range h.job(h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()})).SubJobs {
			out = append(out, sj.ID+sj.Status)
		}
		return out
	}
	a, b, c := outcome(7), outcome(7), outcome(8)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different sub-jobs")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds gave the same sub-jobs")
	}
	failed := 0
	for _, s := range a {
		if s[36:] == jobFailed {
			failed++
		}
	}
	if failed < 10 || failed > 30 {
		t.Errorf("%d of 40 sub-jobs failed at rate 0.5", failed)
	}
}

func TestShowJobUnknown(t *testing.T) {
	h := newHarness(t, Config{})
	expectError(t, h.do("GET", "~/workspace-jobs/no-such-job", nil), http.StatusNotFound, codeNotFound, "job [no-such-job] not found")
}

func TestListItaSubJobs(t *testing.T) {
	h := newHarness(t, Config{Desktops: 3, JobDuration: 10 * time.Second})
	ids := h.srv.DesktopIDs()
	first := h.create(map[string]any{"desktop_ids": ids[:2]})
	h.clock.Advance(10 * time.Second)
	second := h.create(map[string]any{"desktop_ids": ids[2:]})
	recs := h.snapshots(url.Values{"desktop_id": {ids[0]}}).DesktopSnapshots
	third := ""
	var out jobIDBody
	h.mustDo("POST", "~/snapshots/batch-delete", map[string]any{"snapshot_ids": []string{recs[0].SnapshotID}}, &out)
	third = out.JobID

	list := func(q url.Values) subJobsBody {
		var out subJobsBody
		h.mustDo("GET", "~/workspace-sub-jobs?"+q.Encode(), nil, &out)
		return out
	}
	all := list(nil)
	var order []string
	for _, sj := range all.Jobs {
		order = append(order, sj.JobID)
	}
	if want := []string{third, second, first, first}; !slices.Equal(order, want) || all.TotalCount != 4 {
		t.Fatalf("sub-jobs newest first: %v (total %d), want %v", order, all.TotalCount, want)
	}
	if all.Jobs[2].Entities.DesktopID != ids[1] {
		t.Errorf("within a job the later sub-job comes first: %+v", all.Jobs[2].Entities)
	}
	for q, want := range map[string]int{
		"job_id=" + first:               2,
		"job_type=deleteWksSnapshot":    1,
		"job_type=createWksSnapshot":    3,
		"status=SUCCESS":                2,
		"status=WAITING":                2,
		"status=FAILED":                 0,
		"desktop_pool_id=pool-1":        0,
		"offset=1&limit=2":              2,
		"offset=3":                      1,
		"limit=0":                       0,
		"job_id=" + first + "&offset=5": 0,
	} {
		v, _ := url.ParseQuery(q)
		if got := list(v); len(got.Jobs) != want {
			t.Errorf("?%s: %d sub-jobs, want %d", q, len(got.Jobs), want)
		}
	}
	if got := list(url.Values{"limit": {"0"}}); got.TotalCount != 4 || got.Jobs == nil {
		t.Errorf("limit=0 answers total_count %d and jobs %v, want 4 and []", got.TotalCount, got.Jobs)
	}
	for q, want := range map[string]string{
		"status=DONE":  "status: must be one of [SUCCESS RUNNING FAILED WAITING]",
		"offset=10001": "offset: must be an integer from 0 to 10000",
		"limit=1001":   "limit: must be an integer from 0 to 1000",
	} {
		expectError(t, h.do("GET", "~/workspace-sub-jobs?"+q, nil), http.StatusBadRequest, codeBadRequest, want)
	}
}

func TestJobIDsListsJobsOfATypeInOrder(t *testing.T) {
	h := newHarness(t, Config{Desktops: 3})
	var created []string
	for _, d := range h.srv.DesktopIDs() {
		created = append(created, h.create(map[string]any{"desktop_ids": []string{d}}))
	}
	if got := h.srv.JobIDs(jobTypeCreate); !slices.Equal(got, created) {
		t.Errorf("JobIDs(create) = %v, want %v in start order", got, created)
	}
	if got := h.srv.JobIDs(jobTypeRestore); len(got) != 0 {
		t.Errorf("JobIDs(restore) = %v before any restore", got)
	}
	if got := h.srv.JobIDs(""); !slices.Equal(got, created) {
		t.Errorf("JobIDs(\"\") = %v, want every job", got)
	}
}
