package emulator

import (
	"net/url"
	"slices"
	"strconv"
	"testing"
)

// Listing sub-jobs must stay cheap with thousands of jobs: a provider
// discovering batches (terraform query) pages through every createWksSnapshot
// sub-job, and waits and imports look jobs up by job_id.

// scaleHarness has n one-desktop create jobs that have all ended.
func scaleHarness(t testing.TB, n int, order string) (*harness, []string) {
	t.Helper()
	h := newHarness(t, Config{Desktops: 10, Dialect: Dialect{SubJobOrder: order}}) // jobs end at once
	ids := h.srv.DesktopIDs()
	jobs := make([]string, n)
	for i := range n {
		jobs[i] = h.create(map[string]any{"desktop_ids": ids[i%len(ids) : i%len(ids)+1], "disk_type": "SYSTEM_DISK"})
	}
	return h, jobs
}

func (h *harness) subJobPage(q url.Values) subJobsBody {
	h.t.Helper()
	var out subJobsBody
	h.mustDo("GET", "~/workspace-sub-jobs?"+q.Encode(), nil, &out)
	return out
}

func jobIDsOf(page subJobsBody) []string {
	ids := make([]string, len(page.Jobs))
	for i, sj := range page.Jobs {
		ids[i] = sj.JobID
	}
	return ids
}

func TestListItaSubJobsPagesThousandsOfJobs(t *testing.T) {
	t.Parallel()
	for _, order := range []string{SubJobOrderNewest, SubJobOrderOldest} {
		t.Run("order="+order, func(t *testing.T) {
			t.Parallel()
			h, jobs := scaleHarness(t, 3000, order)
			want := slices.Clone(jobs)
			if order == SubJobOrderNewest {
				slices.Reverse(want)
			}
			for _, filter := range []url.Values{
				{"job_type": {jobTypeCreate}},
				{"job_type": {jobTypeCreate}, "status": {jobSuccess}},
				{},
			} {
				var got []string
				for offset := 0; offset < 3000; offset += 1000 {
					q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {"1000"}}
					for k, v := range filter {
						q[k] = v
					}
					page := h.subJobPage(q)
					if page.TotalCount != 3000 {
						t.Fatalf("?%s: total_count %d, want 3000", q.Encode(), page.TotalCount)
					}
					got = append(got, jobIDsOf(page)...)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%v: the pages hold %d sub-jobs, not every job once in %s order", filter, len(got), order)
				}
			}
			// Small pages cut anywhere, also inside the status-filtered walk.
			for _, q := range []string{"offset=1234&limit=7", "offset=2999&limit=5", "offset=1999&limit=2&status=SUCCESS"} {
				v, _ := url.ParseQuery(q)
				offset, _ := strconv.Atoi(v.Get("offset"))
				limit, _ := strconv.Atoi(v.Get("limit"))
				if got := jobIDsOf(h.subJobPage(v)); !slices.Equal(got, want[offset:min(len(want), offset+limit)]) {
					t.Errorf("?%s: %v, want %v", q, got, want[offset:min(len(want), offset+limit)])
				}
			}
			if got := h.subJobPage(url.Values{"job_id": {jobs[1500]}}); got.TotalCount != 1 || got.Jobs[0].JobID != jobs[1500] {
				t.Errorf("job_id=%s: %+v", jobs[1500], got)
			}
		})
	}
}

// A page costs the same whatever the number of jobs around it: the
// emulator renders only the page's sub-jobs (rendering every sub-job per
// call made paging through n jobs cost n²/limit views). Not parallel:
// AllocsPerRun counts every goroutine's allocations.
func TestListItaSubJobsPageCostDoesNotGrowWithJobs(t *testing.T) {
	small, smallJobs := scaleHarness(t, 30, "")
	large, largeJobs := scaleHarness(t, 3000, "")
	for _, byJobID := range []bool{false, true} {
		allocs := func(h *harness, jobs []string) float64 {
			q := url.Values{"job_type": {jobTypeCreate}, "offset": {"10"}, "limit": {"10"}}
			if byJobID {
				q = url.Values{"job_id": {jobs[len(jobs)/2]}}
			}
			return testing.AllocsPerRun(20, func() { h.subJobPage(q) })
		}
		a30, a3000 := allocs(small, smallJobs), allocs(large, largeJobs)
		if a3000 > a30*1.1+10 {
			t.Errorf("by job_id %v: %.0f allocations per call among 3000 jobs, %.0f among 30: the answer's cost grows with the jobs", byJobID, a3000, a30)
		}
	}
}
