package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"
)

// Under SubJobEntities "create_only" the sub-jobs of restore and delete
// jobs carry entities without desktop_id (desktop_name stays), in ShowJob
// and ListItaSubJobs alike; create jobs' keep it. By default all do.
func TestDialectSubJobEntities(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"", SubJobEntitiesCreateOnly} {
		t.Run("subjob_entities="+mode, func(t *testing.T) {
			t.Parallel()
			h, _, raw := entityJobs(t, Dialect{SubJobEntities: mode})
			var list []any
			if m := rawJSON(t, h.do("GET", "~/workspace-sub-jobs", nil)); m != nil {
				list, _ = m["jobs"].([]any)
			}
			if len(list) != 6 {
				t.Fatalf("ListItaSubJobs: %d sub-jobs, want 6", len(list))
			}
			subJobs := map[string][]any{}
			for jobType, res := range raw {
				subJobs["ShowJob "+jobType], _ = rawJSON(t, res)["sub_jobs"].([]any)
			}
			for _, sj := range list {
				jobType := as[string](t, as[map[string]any](t, sj)["job_type"])
				subJobs["ListItaSubJobs "+jobType] = append(subJobs["ListItaSubJobs "+jobType], sj)
			}
			for where, sjs := range subJobs {
				if len(sjs) != 2 {
					t.Fatalf("%s: %d sub-jobs, want 2", where, len(sjs))
				}
				wantID := mode == "" || where == "ShowJob "+jobTypeCreate || where == "ListItaSubJobs "+jobTypeCreate
				for i, sj := range sjs {
					entities := as[map[string]any](t, as[map[string]any](t, sj)["entities"])
					id, has := entities["desktop_id"]
					if has != wantID || has && id == "" {
						t.Errorf("%s sub-job %d: entities.desktop_id %v (present %v), want present %v", where, i, id, has, wantID)
					}
					if name, _ := entities["desktop_name"].(string); name == "" {
						t.Errorf("%s sub-job %d: entities without desktop_name: %v", where, i, entities)
					}
				}
			}
		})
	}
}

// ShowJobSubJobsCap lists only the first sub-jobs (request order) in
// ShowJob, with sub_jobs_total still counting all unless ShowJobOmitTotal
// leaves it out; ListItaSubJobs lists them all, and the parent's failure
// counts every sub-job.
func TestDialectShowJobSubJobs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cap       int
		omitTotal bool
		shown     int
	}{
		{0, false, 5},
		{2, false, 2},
		{2, true, 2},
		{0, true, 5},
		{5, false, 5},
		{100, false, 5},
	} {
		t.Run(fmt.Sprintf("cap=%d,omit_total=%v", tc.cap, tc.omitTotal), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{Desktops: 5, JobDuration: time.Second, Faults: Faults{SubJobFailureRate: 1},
				Dialect: Dialect{ShowJobSubJobsCap: tc.cap, ShowJobOmitTotal: tc.omitTotal}})
			ids := h.srv.DesktopIDs()
			order := []string{ids[3], ids[0], ids[4], ids[1], ids[2]}
			jobID := h.create(map[string]any{"desktop_ids": order})
			h.clock.Advance(time.Second)
			res := h.do("GET", "~/workspace-jobs/"+jobID, nil)
			raw := rawJSON(t, res)
			total, hasTotal := raw["sub_jobs_total"]
			if hasTotal == tc.omitTotal || !tc.omitTotal && total != float64(5) {
				t.Errorf("sub_jobs_total %v (present %v), want 5 unless omitted (omit %v)", total, hasTotal, tc.omitTotal)
			}
			j := h.job(jobID)
			var shown []string
			for _, sj := range j.SubJobs {
				shown = append(shown, sj.Entities.DesktopID)
			}
			if !slices.Equal(shown, order[:tc.shown]) {
				t.Errorf("ShowJob sub_jobs of desktops %v, want the first %d in request order %v", shown, tc.shown, order[:tc.shown])
			}
			if j.Status != jobFail || j.FailReason != "5 of 5 sub-jobs failed" || j.JobErrorCode == "" {
				t.Errorf("parent %s %q %q, want FAIL counting all 5 sub-jobs", j.Status, j.FailReason, j.JobErrorCode)
			}
			var list subJobsBody
			h.mustDo("GET", "~/workspace-sub-jobs?"+url.Values{"job_id": {jobID}}.Encode(), nil, &list)
			if list.TotalCount != 5 || len(list.Jobs) != 5 {
				t.Errorf("ListItaSubJobs of the job: %d of total %d, want all 5", len(list.Jobs), list.TotalCount)
			}
		})
	}
}
