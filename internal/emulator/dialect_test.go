package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// rawJSON decodes an answer into generic JSON, so tests see the wire as a
// client does (absent keys stay absent).
func rawJSON(t *testing.T, res response) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(res.body, &m); err != nil {
		t.Fatalf("decode %s: %v", res.body, err)
	}
	return m
}

// Job times are zone-less strings at UTC+offset; the composed snapshot name
// carries the same wall clock; create_time stays UTC in every dialect.
func TestDialectJobTimeOffset(t *testing.T) {
	t.Parallel()
	// The fake clock starts at 2026-03-01 12:00:00 UTC; jobs take 100s.
	for _, tc := range []struct {
		offset          time.Duration
		begin, end, tag string
	}{
		{0, "2026-03-01 12:00:00", "2026-03-01 12:01:40", "20260301120000"},
		{8 * time.Hour, "2026-03-01 20:00:00", "2026-03-01 20:01:40", "20260301200000"},
		{-(5*time.Hour + 30*time.Minute), "2026-03-01 06:30:00", "2026-03-01 06:31:40", "20260301063000"},
		{14 * time.Hour, "2026-03-02 02:00:00", "2026-03-02 02:01:40", "20260302020000"},
		{-12 * time.Hour, "2026-03-01 00:00:00", "2026-03-01 00:01:40", "20260301000000"},
	} {
		t.Run(tc.offset.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{Desktops: 2, JobDuration: 100 * time.Second, Dialect: Dialect{JobTimeOffset: tc.offset}})
			jobID := h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs(), "system_disk_snapshot": map[string]any{"name": "-nightly-"}})
			h.clock.Advance(100 * time.Second)
			j := h.job(jobID)
			if j.BeginTime != tc.begin || j.EndTime != tc.end {
				t.Errorf("ShowJob begin %q end %q, want %q and %q", j.BeginTime, j.EndTime, tc.begin, tc.end)
			}
			var subs subJobsBody
			h.mustDo("GET", "~/workspace-sub-jobs?job_id="+jobID, nil, &subs)
			for _, sj := range append(j.SubJobs, subs.Jobs...) {
				if sj.BeginTime != tc.begin || sj.EndTime <= tc.begin || sj.EndTime > tc.end {
					t.Errorf("sub-job times %q..%q, want begin %q and an end up to %q", sj.BeginTime, sj.EndTime, tc.begin, tc.end)
				}
			}
			recs := h.snapshots(url.Values{"desktop_name": {"wks-desktop-0001"}, "disk_type": {diskTypeSystem}}).DesktopSnapshots
			if len(recs) != 1 {
				t.Fatalf("%d system-disk records of desktop 1, want 1", len(recs))
			}
			if want := "wks-desktop-0001-nightly-" + tc.tag; recs[0].SnapshotName != want {
				t.Errorf("snapshot_name %q, want %q", recs[0].SnapshotName, want)
			}
			if recs[0].CreateTime != "2026-03-01T12:00:00Z" {
				t.Errorf("create_time %q, want UTC 2026-03-01T12:00:00Z in every dialect", recs[0].CreateTime)
			}
		})
	}
}

// The dialect is applied when an answer is written: a job begun under one
// dialect is shown in the one in force.
func TestDialectAppliesToExistingJobs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 1})
	jobID := h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()})
	if err := h.srv.SetDialect(Dialect{JobTimeOffset: 8 * time.Hour, SubJobEntity: SubJobEntityEmpty}); err != nil {
		t.Fatal(err)
	}
	j := h.job(jobID)
	if j.BeginTime != "2026-03-01 20:00:00" || j.SubJobs[0].Entity != "" {
		t.Errorf("after SetDialect: begin %q entity %q", j.BeginTime, j.SubJobs[0].Entity)
	}
}

// entityJobs runs one job of each type on two desktops and returns each
// job's answer, raw.
func entityJobs(t *testing.T, d Dialect) (h *harness, recs []snapshotInfo, raw map[string]response) {
	t.Helper()
	h = newHarness(t, Config{Desktops: 2, Dialect: d})
	ids := h.srv.DesktopIDs()
	raw = map[string]response{}
	jobID := h.create(map[string]any{"desktop_ids": ids})
	raw[jobTypeCreate] = h.do("GET", "~/workspace-jobs/"+jobID, nil)
	recs = h.snapshots(url.Values{"desktop_ids": ids}).DesktopSnapshots
	var out jobIDBody
	h.mustDo("POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{recs[0].SnapshotID, recs[1].SnapshotID, recs[2].SnapshotID}}, &out)
	raw[jobTypeRestore] = h.do("GET", "~/workspace-jobs/"+out.JobID, nil)
	h.mustDo("POST", "~/snapshots/batch-delete", map[string]any{"snapshot_ids": []string{recs[3].SnapshotID, recs[0].SnapshotID}}, &out)
	raw[jobTypeDelete] = h.do("GET", "~/workspace-jobs/"+out.JobID, nil)
	return h, recs, raw
}

func TestDialectSubJobEntity(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"", SubJobEntityDesktop, SubJobEntityEmpty} {
		t.Run("entity="+mode, func(t *testing.T) {
			t.Parallel()
			h, recs, raw := entityJobs(t, Dialect{SubJobEntity: mode})
			ids := h.srv.DesktopIDs()
			// What each job's two sub-jobs say, by dialect. Restore is of
			// both records of desktop 1 and the system disk of desktop 2;
			// delete of desktop 2's data disk, then desktop 1's system disk.
			want := map[string][2]string{
				jobTypeCreate:  {ids[0], ids[1]},
				jobTypeRestore: {recs[0].SnapshotID + "," + recs[1].SnapshotID, recs[2].SnapshotID},
				jobTypeDelete:  {recs[3].SnapshotID, recs[0].SnapshotID},
			}
			if mode == SubJobEntityDesktop {
				want[jobTypeRestore] = [2]string{ids[0], ids[1]}
				want[jobTypeDelete] = [2]string{ids[1], ids[0]}
			}
			for jobType, res := range raw {
				subs, _ := rawJSON(t, res)["sub_jobs"].([]any)
				if len(subs) != 2 {
					t.Fatalf("%s: %d sub-jobs: %s", jobType, len(subs), res.body)
				}
				for i, sj := range subs {
					got, present := sj.(map[string]any)["entity"]
					if mode == SubJobEntityEmpty {
						if present {
							t.Errorf("%s sub-job %d: entity %v present, want it omitted", jobType, i, got)
						}
						continue
					}
					if got != want[jobType][i] {
						t.Errorf("%s sub-job %d: entity %v, want %q", jobType, i, got, want[jobType][i])
					}
				}
			}
		})
	}
}

func TestDialectNotFound(t *testing.T) {
	t.Parallel()
	requests := []struct {
		name, method, path string
		body               any
		msg                string
	}{
		{"ShowJob", "GET", "~/workspace-jobs/no-such-job", nil, "job [no-such-job] not found"},
		{"batch-create", "POST", "~/snapshots/batch-create", map[string]any{"desktop_ids": []string{"nope-1"}}, "desktops not found: [nope-1]"},
		{"batch-restore", "POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{"gone-1"}}, "snapshots not found: [gone-1]"},
		{"batch-delete", "POST", "~/snapshots/batch-delete", map[string]any{"snapshot_ids": []string{"gone-2"}}, "snapshots not found: [gone-2]"},
	}
	for _, tc := range []struct {
		mode   string
		status int
		code   string
	}{
		{"", http.StatusNotFound, "WKS.0004"},
		{NotFound404, http.StatusNotFound, "WKS.0004"},
		{NotFound400, http.StatusBadRequest, "WKS.0001"},
	} {
		t.Run("not_found="+tc.mode, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{Desktops: 1, JobDuration: 10 * time.Second, Dialect: Dialect{NotFound: tc.mode}})
			for _, r := range requests {
				t.Run(r.name, func(t *testing.T) {
					expectError(t, h.do(r.method, r.path, r.body), tc.status, tc.code, r.msg)
				})
			}
			// Other errors keep their own answer: a busy desktop is still 409.
			h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()})
			expectError(t, h.do("POST", "~/snapshots/batch-create", map[string]any{"desktop_ids": h.srv.DesktopIDs()}),
				http.StatusConflict, codeBusy, "Operation conflict")
		})
	}
}

func TestDialectSubJobOrder(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"", SubJobOrderNewest, SubJobOrderOldest} {
		t.Run("order="+mode, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{Desktops: 4, Dialect: Dialect{SubJobOrder: mode}})
			ids := h.srv.DesktopIDs()
			first := h.create(map[string]any{"desktop_ids": ids[:2]})
			second := h.create(map[string]any{"desktop_ids": ids[2:]})
			type key struct{ job, desktop string }
			want := []key{{first, ids[0]}, {first, ids[1]}, {second, ids[2]}, {second, ids[3]}}
			if mode != SubJobOrderOldest {
				slices.Reverse(want)
			}
			for _, q := range []string{"", "limit=2", "offset=2"} {
				var out subJobsBody
				h.mustDo("GET", "~/workspace-sub-jobs?"+q, nil, &out)
				var got []key
				for _, sj := range out.Jobs {
					got = append(got, key{sj.JobID, sj.Entities.DesktopID})
				}
				w := want
				switch q {
				case "limit=2":
					w = want[:2]
				case "offset=2":
					w = want[2:]
				}
				if !slices.Equal(got, w) || out.TotalCount != 4 {
					t.Errorf("?%s: %v (total %d), want %v", q, got, out.TotalCount, w)
				}
			}
		})
	}
}

func TestDialectRestoreJobType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ setting, want, other string }{
		{"", jobTypeRestore, "restoreWksSnapshot"},
		{"restoreWksSnapshot", "restoreWksSnapshot", jobTypeRestore},
	} {
		t.Run("restore_job_type="+tc.setting, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{Desktops: 2, JobDuration: 10 * time.Second, Dialect: Dialect{RestoreJobType: tc.setting}})
			ids := h.srv.DesktopIDs()
			recs := h.createdRecords(ids)
			var out jobIDBody
			h.mustDo("POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{recs[0].SnapshotID, recs[2].SnapshotID}}, &out)
			if j := h.job(out.JobID); j.JobType != tc.want || j.SubJobs[0].JobType != tc.want {
				t.Errorf("ShowJob job_type %q, sub-job %q, want %q", j.JobType, j.SubJobs[0].JobType, tc.want)
			}
			count := func(jobType string) int {
				var subs subJobsBody
				h.mustDo("GET", "~/workspace-sub-jobs?job_type="+jobType, nil, &subs)
				for _, sj := range subs.Jobs {
					if sj.JobType != jobType || sj.JobID != out.JobID {
						t.Errorf("job_type=%s listed %s of job %s", jobType, sj.JobType, sj.JobID)
					}
				}
				return subs.TotalCount
			}
			if n := count(tc.want); n != 2 {
				t.Errorf("job_type=%s: %d sub-jobs, want the restore's 2", tc.want, n)
			}
			if n := count(tc.other); n != 0 {
				t.Errorf("job_type=%s: %d sub-jobs, want 0", tc.other, n)
			}
			if got := h.srv.JobIDs(tc.want); !slices.Equal(got, []string{out.JobID}) {
				t.Errorf("JobIDs(%s) = %v, want [%s]", tc.want, got, out.JobID)
			}
			expectError(t, h.do("POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": []string{recs[1].SnapshotID}}),
				http.StatusConflict, codeBusy, "status is [restoring] and deny operation ["+tc.want+"]")
			// Whatever its name, the job still restores.
			h.clock.Advance(10 * time.Second)
			if n := h.snapshots(url.Values{"status": {statusRestoreSuccess}}).TotalCount; n != 2 {
				t.Errorf("%d restore_success records, want 2", n)
			}
		})
	}
}

func TestDialectRetryAfter(t *testing.T) {
	t.Parallel()
	for _, noRetryAfter := range []bool{false, true} {
		h := newHarness(t, Config{Desktops: 1, Dialect: Dialect{NoRetryAfter: noRetryAfter}})
		h.srv.SetFaults(Faults{Scripted: map[string][]string{opListDesktops: {ScriptedThrottle}}})
		scripted := h.do("GET", "~/desktops", nil)
		h.srv.SetFaults(Faults{ThrottleRPS: 1})
		h.do("GET", "~/desktops", nil)
		rated := h.do("GET", "~/desktops", nil)
		for name, res := range map[string]response{"scripted": scripted, "rate": rated} {
			expectError(t, res, http.StatusTooManyRequests, codeThrottled, "throttling threshold")
			_, has := res.header["Retry-After"]
			if has == noRetryAfter {
				t.Errorf("no_retry_after=%v, %s throttle: Retry-After present=%v (%v)", noRetryAfter, name, has, res.header)
			}
			if !noRetryAfter && res.header.Get("Retry-After") != "1" {
				t.Errorf("%s throttle: Retry-After %q, want 1", name, res.header.Get("Retry-After"))
			}
		}
	}
}

func TestDialectValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d     Dialect
		field string
		want  string
	}{
		{Dialect{JobTimeOffset: 7 * time.Minute}, "job_time_offset", "must be a multiple of 15m from -12h to +14h (UTC-12:00 to UTC+14:00), got 7m0s"},
		{Dialect{JobTimeOffset: 15 * time.Hour}, "job_time_offset", "got 15h0m0s"},
		{Dialect{JobTimeOffset: -12*time.Hour - 15*time.Minute}, "job_time_offset", "got -12h15m0s"},
		{Dialect{SubJobEntity: "snapshot"}, "subjob_entity", `must be "", "desktop" or "empty", got "snapshot"`},
		{Dialect{NotFound: "410"}, "not_found", `must be "", "404" or "400", got "410"`},
		{Dialect{SubJobOrder: "random"}, "subjob_order", `must be "", "newest" or "oldest", got "random"`},
		{Dialect{RestoreJobType: jobTypeCreate}, "restore_job_type", "must not be the type of another snapshot job"},
		{Dialect{RestoreJobType: jobTypeDelete}, "restore_job_type", "must not be the type of another snapshot job"},
		{Dialect{RestoreJobType: "restore snapshot"}, "restore_job_type", "without spaces or control characters"},
		{Dialect{ListLag: -time.Nanosecond}, "list_lag", "must be from 0 to 1h0m0s, got -1ns"},
		{Dialect{ListLag: time.Hour + time.Second}, "list_lag", "got 1h0m1s"},
		{Dialect{UserNameMatch: "prefix"}, "user_name_match", `must be "", "exact" or "fuzzy", got "prefix"`},
		{Dialect{UserNameMatch: "Fuzzy"}, "user_name_match", `got "Fuzzy"`},
		{Dialect{ListPageCap: -1}, "list_page_cap", "must be from 0 (no cap) to 1000, got -1"},
		{Dialect{ListPageCap: 1001}, "list_page_cap", "got 1001"},
		{Dialect{SubJobEntities: "none"}, "subjob_entities", `must be "" or "create_only", got "none"`},
		{Dialect{ShowJobSubJobsCap: -1}, "show_job_sub_jobs_cap", "must be from 0 (all) to 100 (a job has at most 100 sub-jobs), got -1"},
		{Dialect{ShowJobSubJobsCap: 101}, "show_job_sub_jobs_cap", "got 101"},
	} {
		err := tc.d.Validate()
		var de *DialectError
		if !errors.As(err, &de) || de.Field != tc.field || !strings.HasPrefix(err.Error(), tc.field+" ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: Validate() = %v, want a DialectError on %s saying %q", tc.d, err, tc.field, tc.want)
		}
		if _, err := New(Config{Dialect: tc.d}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New with %+v = %v, want %q", tc.d, err, tc.want)
		}
	}
	for _, ok := range []Dialect{{}, {JobTimeOffset: 14 * time.Hour}, {JobTimeOffset: -12 * time.Hour}, {JobTimeOffset: 5*time.Hour + 45*time.Minute},
		{SubJobEntity: SubJobEntityDesktop, NotFound: NotFound404, SubJobOrder: SubJobOrderNewest, RestoreJobType: "restoreWksSnapshot", NoRetryAfter: true},
		{ListLag: time.Hour, ConcurrentJobs: true},
		{UserNameMatch: UserNameMatchExact, ListPageCap: 1, SubJobEntities: SubJobEntitiesCreateOnly, ShowJobSubJobsCap: 1, ShowJobOmitTotal: true},
		{UserNameMatch: UserNameMatchFuzzy, ListPageCap: 1000, ShowJobSubJobsCap: 100}} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	// Every bad field is reported, not just the first.
	err := Dialect{SubJobEntity: "x", SubJobOrder: "y"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "subjob_entity") || !strings.Contains(err.Error(), "subjob_order") {
		t.Errorf("two bad fields: %v", err)
	}
	h := newHarness(t, Config{Dialect: Dialect{NotFound: NotFound400}})
	if err := h.srv.SetDialect(Dialect{SubJobOrder: "sideways"}); err == nil {
		t.Error("SetDialect accepted a bad dialect")
	}
	if got := h.srv.Dialect(); got != (Dialect{NotFound: NotFound400}) {
		t.Errorf("a refused SetDialect changed the dialect to %+v", got)
	}
}

func TestDialectRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Dialect: Dialect{NotFound: NotFound400}})
	post := func(body string) response {
		return h.serve(h.newRequest("POST", "/_emulator/dialect", []byte(body)))
	}
	get := func() Dialect {
		res := h.serve(h.newRequest("GET", "/_emulator/dialect", nil))
		if res.status != http.StatusOK {
			t.Fatalf("GET dialect: %d %s", res.status, res.body)
		}
		var d Dialect
		res.decode(t, &d)
		return d
	}
	if got := get(); got != (Dialect{NotFound: NotFound400}) {
		t.Errorf("GET at start: %+v", got)
	}
	steps := []struct {
		body string
		want Dialect
	}{
		{`{"job_time_offset":"8h","subjob_order":"oldest"}`, Dialect{NotFound: NotFound400, JobTimeOffset: 8 * time.Hour, SubJobOrder: SubJobOrderOldest}},
		{`{"job_time_offset":"-5h30m","restore_job_type":"restoreWksSnapshot"}`, Dialect{NotFound: NotFound400, JobTimeOffset: -(5*time.Hour + 30*time.Minute), SubJobOrder: SubJobOrderOldest, RestoreJobType: "restoreWksSnapshot"}},
		{`{"job_time_offset":3600000000000,"subjob_entity":"desktop","no_retry_after":true,"not_found":""}`, Dialect{JobTimeOffset: time.Hour, SubJobOrder: SubJobOrderOldest, RestoreJobType: "restoreWksSnapshot", SubJobEntity: SubJobEntityDesktop, NoRetryAfter: true}},
		{`{"concurrent_jobs":true}`, Dialect{JobTimeOffset: time.Hour, SubJobOrder: SubJobOrderOldest, RestoreJobType: "restoreWksSnapshot", SubJobEntity: SubJobEntityDesktop, NoRetryAfter: true, ConcurrentJobs: true}},
		{`{"list_lag":"10s"}`, Dialect{JobTimeOffset: time.Hour, SubJobOrder: SubJobOrderOldest, RestoreJobType: "restoreWksSnapshot", SubJobEntity: SubJobEntityDesktop, NoRetryAfter: true, ConcurrentJobs: true, ListLag: 10 * time.Second}},
		{`{"list_lag":2000000000}`, Dialect{JobTimeOffset: time.Hour, SubJobOrder: SubJobOrderOldest, RestoreJobType: "restoreWksSnapshot", SubJobEntity: SubJobEntityDesktop, NoRetryAfter: true, ConcurrentJobs: true, ListLag: 2 * time.Second}},
		{`{}`, Dialect{JobTimeOffset: time.Hour, SubJobOrder: SubJobOrderOldest, RestoreJobType: "restoreWksSnapshot", SubJobEntity: SubJobEntityDesktop, NoRetryAfter: true, ConcurrentJobs: true, ListLag: 2 * time.Second}},
		{`{"user_name_match":"fuzzy","list_page_cap":50,"subjob_entities":"create_only","show_job_sub_jobs_cap":3,"show_job_omit_total":true}`,
			Dialect{JobTimeOffset: time.Hour, SubJobOrder: SubJobOrderOldest, RestoreJobType: "restoreWksSnapshot", SubJobEntity: SubJobEntityDesktop, NoRetryAfter: true, ConcurrentJobs: true, ListLag: 2 * time.Second,
				UserNameMatch: UserNameMatchFuzzy, ListPageCap: 50, SubJobEntities: SubJobEntitiesCreateOnly, ShowJobSubJobsCap: 3, ShowJobOmitTotal: true}},
	}
	for _, st := range steps {
		res := post(st.body)
		if res.status != http.StatusOK {
			t.Fatalf("POST %s: %d %s", st.body, res.status, res.body)
		}
		var echoed Dialect
		res.decode(t, &echoed)
		if echoed != st.want || get() != st.want || h.srv.Dialect() != st.want {
			t.Errorf("after POST %s: answer %+v, GET %+v, want %+v", st.body, echoed, get(), st.want)
		}
	}
	// GET writes durations in nanoseconds, which POST reads back.
	if res := h.serve(h.newRequest("GET", "/_emulator/dialect", nil)); !bytes.Contains(res.body, []byte(`"job_time_offset":3600000000000`)) || !bytes.Contains(res.body, []byte(`"list_lag":2000000000`)) {
		t.Errorf("GET body %s", res.body)
	}
	kept := h.srv.Dialect()
	for body, msg := range map[string]string{
		`{"job_time_offset":"7m"}`:                 "job_time_offset must be a multiple of 15m",
		`{"job_time_offset":"15h"}`:                "job_time_offset must be a multiple of 15m from -12h to +14h (UTC-12:00 to UTC+14:00), got 15h0m0s",
		`{"job_time_offset":"soon"}`:               "job_time_offset:",
		`{"job_time_offset":true}`:                 "job_time_offset:",
		`{"subjob_entity":"snapshots"}`:            `subjob_entity must be "", "desktop" or "empty", got "snapshots"`,
		`{"not_found":"410"}`:                      `not_found must be "", "404" or "400", got "410"`,
		`{"not_found":404}`:                        "not_found",
		`{"subjob_order":"random"}`:                `subjob_order must be "", "newest" or "oldest", got "random"`,
		`{"restore_job_type":"createWksSnapshot"}`: "restore_job_type must not be the type of another snapshot job",
		`{"no_retry_after":"yes"}`:                 "no_retry_after",
		`{"concurrent_jobs":1}`:                    "concurrent_jobs",
		`{"list_lag":"-1s"}`:                       "list_lag must be from 0 to 1h0m0s, got -1s",
		`{"list_lag":"61m"}`:                       "list_lag must be from 0 to 1h0m0s, got 1h1m0s",
		`{"list_lag":"soon"}`:                      "list_lag:",
		`{"retry_after":false}`:                    "unknown field",
		`{"subjob_entity":"x","subjob_order":"y"}`: `subjob_entity must be "", "desktop" or "empty", got "x"; subjob_order must be`,
		`not json`: "dialect:",
		`{"subjob_order":"oldest","not_found":"x"}`:      "not_found must be",
		`{"restore_job_type":"a\tb","subjob_entity":""}`: "restore_job_type must be a name without spaces",
		`{"user_name_match":"prefix"}`:                   `user_name_match must be "", "exact" or "fuzzy", got "prefix"`,
		`{"list_page_cap":1001}`:                         "list_page_cap must be from 0 (no cap) to 1000, got 1001",
		`{"list_page_cap":"5"}`:                          "list_page_cap",
		`{"subjob_entities":"no_desktop_id"}`:            `subjob_entities must be "" or "create_only", got "no_desktop_id"`,
		`{"show_job_sub_jobs_cap":101}`:                  "show_job_sub_jobs_cap must be from 0 (all) to 100",
		`{"show_job_omit_total":"yes"}`:                  "show_job_omit_total",
	} {
		expectError(t, post(body), http.StatusBadRequest, codeBadRequest, msg)
	}
	if got := h.srv.Dialect(); got != kept {
		t.Errorf("refused POSTs changed the dialect from %+v to %+v", kept, got)
	}
	res := h.serve(h.newRequest("PUT", "/_emulator/dialect", nil))
	if res.status != http.StatusNotFound || !strings.Contains(res.errorBody(t).ErrorMsg, "GET|POST /_emulator/dialect") {
		t.Errorf("unknown route answer %d %s should list the dialect routes", res.status, res.body)
	}
	if n := h.srv.Stats().RequestsByOperation; len(n) != 0 {
		t.Errorf("dialect routes were counted: %v", n)
	}
	if !reflect.DeepEqual(h.srv.Faults(), Faults{}) {
		t.Errorf("dialect routes touched the faults: %+v", h.srv.Faults())
	}
}

// Rendering a ShowJob allocates, per sub-job, only its end_time: the job's
// begin_time is written once for the whole job and a desktop's MAC address
// once for the desktop, at every offset.
func TestShowJobRendersOnlyEndTimesPerSubJob(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector adds allocations")
	}
	for _, offset := range []time.Duration{0, 8 * time.Hour, -(5*time.Hour + 30*time.Minute)} {
		h := newHarness(t, Config{Desktops: 100, Dialect: Dialect{JobTimeOffset: offset}})
		id := h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()})
		c := &call{r: httptest.NewRequest("GET", "/", nil), now: h.clock.Now(), params: routeParams{jobID: id}}
		if body, ok := h.srv.showJob(c).body.(jobBody); !ok || body.SubJobs[99].EndTime == "" {
			t.Fatalf("offset %s: not the answer of an ended job: %+v", offset, body)
		}
		// 100 end_times, plus the job's own strings and slices.
		if n := testing.AllocsPerRun(20, func() { h.srv.showJob(c) }); n > 100+10 {
			t.Errorf("offset %s: ShowJob of 100 sub-jobs made %v allocations, want at most 110", offset, n)
		}
	}
}

// Job times are the UTC wall clock moved by the offset, as the time in a
// fixed zone of that offset reads.
func TestFormatJobTimeIsTheFixedZoneWallClock(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2024, 2, 28, 20, 15, 30, 0, time.FixedZone("x", -7*3600)),
		time.Now(), // with a monotonic reading
	}
	for o := minJobTimeOffset; o <= maxJobTimeOffset; o += jobTimeOffsetStep {
		d := Dialect{JobTimeOffset: o}
		zone := time.FixedZone("", int(o/time.Second))
		for _, tm := range times {
			if got, want := d.formatJobTime(tm), tm.In(zone).Format(jobTimeLayout); got != want {
				t.Errorf("offset %s, %s: %q, want %q", o, tm, got, want)
			}
		}
	}
}
