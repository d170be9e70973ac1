package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// listOf is one of the three list operations: how to ask for a page of it
// and read the item IDs and total_count out of the answer.
type listOf struct {
	op, path string
	query    url.Values // besides offset and limit
	ids      func(t testing.TB, res response) (ids []string, total int)
}

// listFixtures are ten items in each list: ten desktops; ten records (two
// per desktop of five); ten sub-jobs, all ended SUCCESS, read with a
// status filter too, which takes the other path through ListItaSubJobs.
func listFixtures(t *testing.T, cfg Config) (*harness, []listOf) {
	t.Helper()
	cfg.Desktops, cfg.JobDuration = 10, time.Second
	h := newHarness(t, cfg)
	ids := h.srv.DesktopIDs()
	h.create(map[string]any{"desktop_ids": ids[:5]})
	h.create(map[string]any{"desktop_ids": ids[5:], "disk_type": diskTypeSystem})
	h.clock.Advance(time.Second)
	desktops := func(t testing.TB, res response) ([]string, int) {
		var out desktopsBody
		res.decode(t, &out)
		got := []string{}
		for _, d := range out.Desktops {
			got = append(got, d.DesktopID)
		}
		return got, out.TotalCount
	}
	snapshots := func(t testing.TB, res response) ([]string, int) {
		var out listSnapshotsBody
		res.decode(t, &out)
		got := []string{}
		for _, r := range out.DesktopSnapshots {
			got = append(got, r.SnapshotID)
		}
		return got, out.TotalCount
	}
	subJobs := func(t testing.TB, res response) ([]string, int) {
		var out subJobsBody
		res.decode(t, &out)
		got := []string{}
		for _, sj := range out.Jobs {
			got = append(got, sj.ID)
		}
		return got, out.TotalCount
	}
	return h, []listOf{
		{opListDesktops, "~/desktops", nil, desktops},
		{opListSnapshots, "~/snapshots", url.Values{"disk_type": {diskTypeSystem}}, snapshots},
		{opListSubJobs, "~/workspace-sub-jobs", nil, subJobs},
		{opListSubJobs, "~/workspace-sub-jobs", url.Values{"status": {jobSuccess}}, subJobs},
	}
}

// get asks for one page; offset or limit < 0 leaves the parameter out.
func (l listOf) get(h *harness, offset, limit int) (ids []string, total int) {
	h.t.Helper()
	q := url.Values{}
	for k, v := range l.query {
		q[k] = v
	}
	if offset >= 0 {
		q.Set("offset", fmt.Sprint(offset))
	}
	if limit >= 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	res := h.do("GET", l.path+"?"+q.Encode(), nil)
	if res.status != http.StatusOK {
		h.t.Fatalf("%s ?%s: HTTP %d %s", l.op, q.Encode(), res.status, res.body)
	}
	return l.ids(h.t, res)
}

func (l listOf) String() string { return l.op + "?" + l.query.Encode() }

// Under ListPageCap every page of the three lists holds at most the cap,
// whatever limit asks (or its default), total_count still counts every
// match, and paging by what was received still reaches every item once.
func TestDialectListPageCap(t *testing.T) {
	t.Parallel()
	h, lists := listFixtures(t, Config{})
	for _, l := range lists {
		all, total := l.get(h, 0, 1000)
		if len(all) != 10 || total != 10 {
			t.Fatalf("%s without a cap: %d items, total %d; the fixture wants 10", l, len(all), total)
		}
		if err := h.srv.SetDialect(Dialect{ListPageCap: 3}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			offset, limit int
			want          []string
		}{
			{0, 1000, all[:3]},
			{0, -1, all[:3]}, // the default limit is capped too
			{2, 10, all[2:5]},
			{0, 2, all[:2]}, // a smaller limit stands
			{8, 10, all[8:]},
		} {
			got, total := l.get(h, tc.offset, tc.limit)
			if !slices.Equal(got, tc.want) || total != 10 {
				t.Errorf("%s cap 3, offset %d limit %d: %d items (total %d), want %d of total 10", l, tc.offset, tc.limit, len(got), total, len(tc.want))
			}
		}
		var paged []string
		for offset := 0; offset < 10; {
			got, _ := l.get(h, offset, 1000)
			if len(got) == 0 {
				t.Fatalf("%s cap 3: empty page at offset %d", l, offset)
			}
			paged = append(paged, got...)
			offset += len(got)
		}
		if !slices.Equal(paged, all) {
			t.Errorf("%s cap 3: paging gave %v, want %v", l, paged, all)
		}
		if err := h.srv.SetDialect(Dialect{}); err != nil {
			t.Fatal(err)
		}
	}
}

// Each list fault gives the scripted request the wrong page (or total) and
// an answer otherwise as usual; the next request is right again.
func TestScriptedListFaults(t *testing.T) {
	t.Parallel()
	h, lists := listFixtures(t, Config{})
	for _, l := range lists {
		all, _ := l.get(h, 0, 1000)
		for _, tc := range []struct {
			kind          string
			offset, limit int
			want          []string
			total         int
		}{
			{ScriptedNone, 4, 4, all[4:8], 10},
			{ScriptedShort, 4, 4, all[4:6], 10},
			{ScriptedShort, 7, 4, all[7:8], 10}, // 3 items: half rounded down
			{ScriptedShort, 9, 4, all[9:9], 10}, // 1 item: none
			{ScriptedEmpty, 4, 4, all[4:4], 10},
			{ScriptedLowTotal, 4, 4, all[4:8], 8},
			{ScriptedLowTotal, 8, 4, all[8:], 10}, // the last page already ends the list
			{ScriptedSkip, 4, 4, all[5:9], 9},
			{ScriptedSkip, 0, 4, all[1:5], 9},
			{ScriptedSkip, 8, 4, all[9:], 9},
			{ScriptedRepeat, 4, 4, all[3:7], 11},
			{ScriptedRepeat, 0, 4, all[0:4], 11}, // nothing comes before the first item
		} {
			h.srv.SetFaults(Faults{Scripted: map[string][]string{l.op: {tc.kind}}})
			got, total := l.get(h, tc.offset, tc.limit)
			if !slices.Equal(got, tc.want) || total != tc.total {
				t.Errorf("%s %q at offset %d limit %d: %v total %d; want %v total %d", l, tc.kind, tc.offset, tc.limit, got, total, tc.want, tc.total)
			}
			right := all[tc.offset:min(len(all), tc.offset+tc.limit)]
			if got, total := l.get(h, tc.offset, tc.limit); !slices.Equal(got, right) || total != 10 {
				t.Errorf("%s: the request after a %q got %v total %d, want %v total 10", l, tc.kind, got, total, right)
			}
		}
	}
}

// The list faults act after ListPageCap: a short page is half the capped
// one.
func TestScriptedListFaultUnderPageCap(t *testing.T) {
	t.Parallel()
	h, lists := listFixtures(t, Config{Dialect: Dialect{ListPageCap: 4}})
	l := lists[0]
	all, _ := l.get(h, 0, 1000)
	h.srv.SetFaults(Faults{Scripted: map[string][]string{l.op: {ScriptedShort}}})
	if got, total := l.get(h, 0, 1000); !slices.Equal(got, all[:2]) || total != 10 {
		t.Errorf("short under cap 4: %v total %d, want %v total 10", got, total, all[:2])
	}
}

// List faults are counted as every scripted fault is, by kind and by
// operation; a request refused 400 had no page to alter and is not.
func TestScriptedListFaultsCounted(t *testing.T) {
	t.Parallel()
	h, _ := listFixtures(t, Config{})
	h.srv.SetFaults(Faults{Scripted: map[string][]string{
		opListDesktops:  {ScriptedShort, ScriptedSkip, ScriptedSkip},
		opListSnapshots: {ScriptedEmpty},
		opListSubJobs:   {ScriptedRepeat, ScriptedLowTotal},
	}})
	h.mustDo("GET", "~/desktops", nil, nil)
	h.mustDo("GET", "~/desktops", nil, nil)
	expectError(t, h.do("GET", "~/desktops?limit=5000", nil), http.StatusBadRequest, codeBadRequest, "limit")
	h.mustDo("GET", "~/snapshots", nil, nil)
	h.mustDo("GET", "~/workspace-sub-jobs", nil, nil)
	h.mustDo("GET", "~/workspace-sub-jobs", nil, nil)
	st := h.srv.Stats()
	wantByOp := map[string]map[string]int{
		opListDesktops:  {ScriptedShort: 1, ScriptedSkip: 1},
		opListSnapshots: {ScriptedEmpty: 1},
		opListSubJobs:   {ScriptedRepeat: 1, ScriptedLowTotal: 1},
	}
	want := map[string]int{ScriptedShort: 1, ScriptedSkip: 1, ScriptedEmpty: 1, ScriptedRepeat: 1, ScriptedLowTotal: 1}
	if !reflect.DeepEqual(st.InjectedFaultsByOperation, wantByOp) || !reflect.DeepEqual(st.InjectedFaults, want) {
		t.Errorf("faults %v, by operation %v; want %v and %v", st.InjectedFaults, st.InjectedFaultsByOperation, want, wantByOp)
	}
}

// A list fault for an operation that answers no list could never fire, so
// Validate, New and POST /_emulator/faults refuse it, naming the list
// operations; the list operations take every kind, and a bad kind for one
// is told the list kinds too.
func TestScriptedListFaultsOnlyForLists(t *testing.T) {
	t.Parallel()
	for _, op := range []string{opShowJob, opBatchCreate, opListProjects} {
		for _, kind := range listFaultKinds {
			f := Faults{Scripted: map[string][]string{op: {ScriptedNone, kind}}}
			want := fmt.Sprintf("scripted[%s][1]: %q alters a list page, so it applies only to the list operations (ListDesktops, ListDesktopSnapshot, ListItaSubJobs), not to %s", op, kind, op)
			if err := f.Validate(); err == nil || err.Error() != want {
				t.Errorf("Validate(%v) = %v, want %s", f.Scripted, err, want)
			}
			if _, err := New(Config{Faults: f}); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("New with %v: %v", f.Scripted, err)
			}
			h := newHarness(t, Config{})
			body, _ := json.Marshal(map[string]any{"scripted": f.Scripted})
			expectError(t, h.postFaults(string(body)), http.StatusBadRequest, codeBadRequest, want)
		}
	}
	for _, op := range listOps {
		f := Faults{Scripted: map[string][]string{op: append(slices.Clone(scriptedKinds), listFaultKinds...)}}
		if err := f.Validate(); err != nil {
			t.Errorf("every kind for %s: %v", op, err)
		}
		bad := Faults{Scripted: map[string][]string{op: {"shorter"}}}
		want := fmt.Sprintf(`scripted[%s][0] must be "", "5xx", "reset", "drop", "throttle", "short", "empty", "low_total", "skip" or "repeat", got "shorter"`, op)
		if err := bad.Validate(); err == nil || err.Error() != want {
			t.Errorf("Validate(%v) = %v, want %s", bad.Scripted, err, want)
		}
	}
	h := newHarness(t, Config{})
	if res := h.postFaults(`{"scripted":{"ListItaSubJobs":["skip","repeat"]}}`); res.status != http.StatusOK {
		t.Errorf("POST a list script: %d %s", res.status, res.body)
	}
}
