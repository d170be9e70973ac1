package workspace

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// A listing counts as complete only when it paged to total_count with no
// empty page before, one total_count on every page, and as many distinct
// IDs as that count; else it is read again, and then fails closed. These
// tests play each way a listing can fall short, on servers of their own.

// listed is one item of a fake list: a desktop, a snapshot record or a
// sub-job, by operation.
type listed struct{ id, desktop, user string }

func (it listed) json(op string) string {
	switch op {
	case "ListDesktops":
		return fmt.Sprintf(`{"desktop_id":%q,"user_name":%q}`, it.id, it.user)
	case "ListDesktopSnapshot":
		return fmt.Sprintf(`{"snapshot_id":%q,"desktop_id":%q}`, it.id, it.desktop)
	default:
		return fmt.Sprintf(`{"id":%q,"job_id":"j1","status":"SUCCESS","entities":{"desktop_id":%q}}`, it.id, it.desktop)
	}
}

func numbered(prefix string, n int) []listed {
	out := make([]listed, n)
	for i := range out {
		out[i] = listed{id: fmt.Sprintf("%s-%05d", prefix, i)}
	}
	return out
}

func idsOf(items []listed) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.id
	}
	return out
}

// pageAt is the page of all that q asks for, at most maxPage items (0: as
// many as asked), as the service pages.
func pageAt(all []listed, q url.Values, maxPage int) []listed {
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit := MaxListLimit
	if l, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = l
	}
	if maxPage > 0 {
		limit = min(limit, maxPage)
	}
	if offset >= len(all) {
		return nil
	}
	return all[offset:min(offset+limit, len(all))]
}

// listServer answers the three list APIs with what serve returns for the
// n-th request (from 0) of an operation, and records every query.
type listServer struct {
	*httptest.Server
	mu      sync.Mutex
	queries map[string][]url.Values
}

func newListServer(t *testing.T, serve func(op string, n int, q url.Values) (page []listed, total int)) (*listServer, *Client) {
	s := &listServer{queries: map[string][]url.Values{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var op, key string
		switch {
		case strings.HasSuffix(r.URL.Path, "/desktops"):
			op, key = "ListDesktops", "desktops"
		case strings.HasSuffix(r.URL.Path, "/snapshots"):
			op, key = "ListDesktopSnapshot", "desktop_snapshots"
		case strings.HasSuffix(r.URL.Path, "/workspace-sub-jobs"):
			op, key = "ListItaSubJobs", "jobs"
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		n := len(s.queries[op])
		s.queries[op] = append(s.queries[op], r.URL.Query())
		s.mu.Unlock()
		page, total := serve(op, n, r.URL.Query())
		objects := make([]string, len(page))
		for i, it := range page {
			objects[i] = it.json(op)
		}
		w.Header()["Date"] = nil // the client's clock is a fake
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"total_count":%d,%q:[%s]}`, total, key, strings.Join(objects, ","))
	}))
	t.Cleanup(s.Close)
	return s, newTestClient(t, fakeConfig(s.URL, newFakeClock()))
}

func (s *listServer) requests(op string) []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries[op])
}

// wantIncomplete checks that err is an IncompleteListingError of op after
// every attempt, with these counts, whose message names op and says why.
func wantIncomplete(t *testing.T, err error, op string, total, seen int, reason string) {
	t.Helper()
	var incomplete *IncompleteListingError
	if !errors.As(err, &incomplete) {
		t.Fatalf("error %v; want an IncompleteListingError", err)
	}
	if incomplete.Operation != op || incomplete.Total != total || incomplete.Seen != seen || incomplete.Attempts != maxListingAttempts {
		t.Errorf("%+v; want %s with %d of %d after %d attempts", incomplete, op, seen, total, maxListingAttempts)
	}
	if msg := err.Error(); !strings.Contains(msg, op) || !strings.Contains(msg, reason) {
		t.Errorf("message %q; want it to name %s and say %q", msg, op, reason)
	}
}

func TestIncompleteListingErrorSaysWhatWasWrong(t *testing.T) {
	err := &IncompleteListingError{Operation: "ListDesktops", Items: "desktops", Total: 1500, Seen: 1499, Attempts: 3,
		Reason: "a page came back empty at offset 1000"}
	want := "ListDesktops listed 1499 distinct desktops of a total_count of 1500 in 3 attempts: a page came back empty at offset 1000. "
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("message %q; want it to begin %q", err.Error(), want)
	}
}

func TestListingWithAnEmptyPageBeforeTheTotalFails(t *testing.T) {
	all := numbered("d", 1500)
	srv, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		if q.Get("offset") == "1000" {
			return nil, len(all)
		}
		return pageAt(all, q, 0), len(all)
	})
	got, err := c.ListAllDesktops(context.Background(), ListDesktopsRequest{})
	if got != nil {
		t.Errorf("%d desktops returned with the error; want none", len(got))
	}
	wantIncomplete(t, err, "ListDesktops", 1500, 1000, "a page came back empty at offset 1000")
	if n := len(srv.requests("ListDesktops")); n != 2*maxListingAttempts {
		t.Errorf("%d requests; want %d attempts of 2 pages", n, maxListingAttempts)
	}
}

// A page shorter than asked is no end: the next offset is asked for. Only
// an empty page before total_count is.
func TestShortPagesArePagedOnUntilTheTotal(t *testing.T) {
	all := numbered("d", 120)
	srv, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		return pageAt(all, q, 50), len(all)
	})
	got, err := c.ListAllDesktops(context.Background(), ListDesktopsRequest{})
	if err != nil || len(got) != 120 {
		t.Fatalf("%d desktops, %v; want 120", len(got), err)
	}
	if n := len(srv.requests("ListDesktops")); n != 3 {
		t.Errorf("%d requests; want 3 pages of at most 50", n)
	}
}

func TestListingThatEndsOnAShortPageFails(t *testing.T) {
	all := numbered("s", 1500)
	_, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		return pageAt(all[:1499], q, 0), len(all) // one record is never served
	})
	_, err := c.ListAllDesktopSnapshots(context.Background(), ListDesktopSnapshotRequest{})
	wantIncomplete(t, err, "ListDesktopSnapshot", 1500, 1499, "a page came back empty at offset 1499")
}

// A total_count lowered on a later page must not end the paging there as
// if the list were shorter.
func TestListingWhoseTotalIsLoweredOnOnePageFails(t *testing.T) {
	all := numbered("d", 2500)
	_, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		if q.Get("offset") == "1000" {
			return pageAt(all, q, 0), 2000
		}
		return pageAt(all, q, 0), len(all)
	})
	_, err := c.ListAllDesktops(context.Background(), ListDesktopsRequest{})
	wantIncomplete(t, err, "ListDesktops", 2500, 2000, "total_count was 2500 on the first page but 2000 on the page at offset 1000")
}

func TestListingWhoseTotalsDifferBetweenPagesFails(t *testing.T) {
	all := numbered("d", 1500)
	_, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		if q.Get("offset") == "1000" {
			return pageAt(all, q, 0), 1600
		}
		return pageAt(all, q, 0), len(all)
	})
	_, err := c.ListAllDesktops(context.Background(), ListDesktopsRequest{})
	wantIncomplete(t, err, "ListDesktops", 1500, 1500, "total_count was 1500 on the first page but 1600 on the page at offset 1000")
}

// The list moved between pages with its count unchanged: the second page
// repeats the first's last item and so never reaches one item.
func TestListingThatSkipsAnItemBetweenPagesFails(t *testing.T) {
	all := numbered("d", 2000)
	_, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		if q.Get("offset") == "1000" {
			return all[999:1999], len(all)
		}
		return pageAt(all, q, 0), len(all)
	})
	_, err := c.ListAllDesktops(context.Background(), ListDesktopsRequest{})
	wantIncomplete(t, err, "ListDesktops", 2000, 1999, "the pages held 2000 desktops but only 1999 distinct ones")
}

// A desktop created at the front while another is deleted at the end,
// between the first attempt's pages: that attempt holds a repeat and misses
// the new desktop; the relist reads the list as it now stands, and nothing
// of the first attempt is counted twice or kept.
func TestListingShortOnceIsListedAgainAndSucceeds(t *testing.T) {
	before := numbered("d", 2000)
	after := append([]listed{{id: "d-new"}}, before[:1999]...)
	srv, c := newListServer(t, func(_ string, n int, q url.Values) ([]listed, int) {
		if n == 0 {
			return pageAt(before, q, 0), len(before)
		}
		return pageAt(after, q, 0), len(after)
	})
	got, err := c.ListAllDesktops(context.Background(), ListDesktopsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, d := range got {
		gotIDs = append(gotIDs, d.DesktopId)
	}
	if !slices.Equal(gotIDs, idsOf(after)) {
		t.Errorf("listed %d desktops (new one listed: %v, deleted one listed: %v); want exactly the %d of the list as it stands",
			len(gotIDs), slices.Contains(gotIDs, "d-new"), slices.Contains(gotIDs, before[1999].id), len(after))
	}
	if n := len(srv.requests("ListDesktops")); n != 4 {
		t.Errorf("%d requests; want 2 attempts of 2 pages", n)
	}
}

// ExistingSnapshots keeps no record, but its relist must not keep a
// snapshot the first attempt saw and that is gone since.
func TestExistingSnapshotsRelistKeepsNothingOfTheFirstAttempt(t *testing.T) {
	before := append([]listed{{id: "s-gone", desktop: "d1"}}, numbered("s", 1000)...)
	after := numbered("s", 1000)
	_, c := newListServer(t, func(_ string, n int, q url.Values) ([]listed, int) {
		if n == 0 { // s-gone is deleted after this page
			return pageAt(before, q, 0), len(before)
		}
		return pageAt(after, q, 0), len(after)
	})
	got, err := c.ExistingSnapshots(context.Background(), map[string]string{"s-gone": "d1", after[0].id: "d1"})
	if err != nil {
		t.Fatal(err)
	}
	if got["s-gone"] || !got[after[0].id] {
		t.Errorf("s-gone exists: %v, %s exists: %v; want false and true", got["s-gone"], after[0].id, got[after[0].id])
	}
}

// Every paged listing fails closed, naming its operation, when it never
// comes back complete.
func TestAlwaysShortListingsFailClosed(t *testing.T) {
	short := func(_ string, _ int, q url.Values) ([]listed, int) {
		return pageAt(numbered("x", 1000), q, 0), 1500 // 500 are never served
	}
	desktops := []string{"d1", "d2"}
	cases := []struct {
		op    string
		serve func(string, int, url.Values) ([]listed, int)
		list  func(c *Client) error
	}{
		{"ListDesktops", short, func(c *Client) error {
			_, err := c.ListAllDesktops(context.Background(), ListDesktopsRequest{})
			return err
		}},
		{"ListDesktops", func(_ string, _ int, q url.Values) ([]listed, int) {
			return pageAt([]listed{{id: "d1"}}, q, 0), 2 // d2 is counted but never served
		}, func(c *Client) error { _, err := c.UnknownDesktops(context.Background(), desktops); return err }},
		{"ListDesktopSnapshot", short, func(c *Client) error {
			_, err := c.ListAllDesktopSnapshots(context.Background(), ListDesktopSnapshotRequest{DesktopIds: desktops})
			return err
		}},
		{"ListDesktopSnapshot", short, func(c *Client) error {
			_, err := c.ExistingSnapshots(context.Background(), map[string]string{"x-00001": "d1"})
			return err
		}},
		{"ListItaSubJobs", short, func(c *Client) error {
			_, err := c.AllSubJobs(context.Background(), &ShowJobResponse{Id: "j1", SubJobsTotal: 1500})
			return err
		}},
		{"ListItaSubJobs", short, func(c *Client) error {
			_, err := c.ListSubJobsByJob(context.Background(), JobTypeCreateSnapshot)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			_, c := newListServer(t, tc.serve)
			err := tc.list(c)
			var incomplete *IncompleteListingError
			if !errors.As(err, &incomplete) || incomplete.Operation != tc.op || !strings.Contains(err.Error(), tc.op) {
				t.Fatalf("error %v; want an IncompleteListingError of %s", err, tc.op)
			}
		})
	}
}

// ListSubJobsByJob reads up to the API's offset limit and says how far it
// got; that limit is no error.
func TestSubJobListingCutByTheOffsetLimitIsNoError(t *testing.T) {
	_, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		offset, _ := strconv.Atoi(q.Get("offset"))
		page := numbered(fmt.Sprintf("sj-%d", offset), MaxListLimit)
		return page, 20000
	})
	listing, err := c.ListSubJobsByJob(context.Background(), JobTypeCreateSnapshot)
	if err != nil || listing.Total != 20000 || listing.Read != MaxListedSubJobs {
		t.Fatalf("listing read %d of %d, %v; want %d of 20000 and no error", listing.Read, listing.Total, err, MaxListedSubJobs)
	}
}

// desktopService filters on desktop_id exactly and caps its pages at
// maxPage, keeping the total: as a service that pages less than asked.
func desktopService(known []listed, maxPage int) func(string, int, url.Values) ([]listed, int) {
	return func(_ string, _ int, q url.Values) ([]listed, int) {
		var matched []listed
		for _, d := range known {
			if slices.Contains(q["desktop_id"], d.id) {
				matched = append(matched, d)
			}
		}
		return pageAt(matched, q, maxPage), len(matched)
	}
}

// 55 desktops asked for, pages of at most 50: the five past the cap are
// known too.
func TestUnknownDesktopsPagesPastACappedPage(t *testing.T) {
	known := numbered("d", 55)
	srv, c := newListServer(t, desktopService(known, 50))
	unknown, err := c.UnknownDesktops(context.Background(), idsOf(known))
	if err != nil || len(unknown) != 0 {
		t.Fatalf("unknown %v, %v; want none", unknown, err)
	}
	if n := len(srv.requests("ListDesktops")); n != 2 {
		t.Errorf("%d requests; want 2 pages", n)
	}

	asked := append(idsOf(known[:30]), "d-missing")
	asked = append(asked, idsOf(known[30:])...)
	unknown, err = c.UnknownDesktops(context.Background(), asked)
	if err != nil || !slices.Equal(unknown, []string{"d-missing"}) {
		t.Fatalf("unknown %v, %v; want [d-missing]", unknown, err)
	}
	lookup, err := c.LookupDesktops(context.Background(), asked)
	if err != nil || !lookup.Filtered || len(lookup.Found) != 55 || lookup.Found["d-00054"].DesktopId != "d-00054" {
		t.Fatalf("lookup found %d, filtered %v, %v; want the 55, filtered", len(lookup.Found), lookup.Filtered, err)
	}
}

// A service that ignores desktop_id cannot tell absence: LookupDesktops
// says so after the first page, reading no more.
func TestLookupDesktopsStopsAtAnUnfilteredAnswer(t *testing.T) {
	all := numbered("d", 2500)
	srv, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		return pageAt(all, q, 0), len(all)
	})
	lookup, err := c.LookupDesktops(context.Background(), []string{"d-00001", "d-99999"})
	if err != nil || lookup.Filtered {
		t.Fatalf("lookup filtered %v, %v; want not filtered", lookup.Filtered, err)
	}
	if n := len(srv.requests("ListDesktops")); n != 1 {
		t.Errorf("%d requests; want 1", n)
	}
	unknown, err := c.UnknownDesktops(context.Background(), []string{"d-00001", "d-99999"})
	if err != nil || len(unknown) != 0 {
		t.Errorf("unknown %v, %v; want none when absence cannot be told", unknown, err)
	}
}

// The group listing misses s2, which its desktop's own listing holds (it
// exists); s3 is in neither (absent). Only desktops with a missing snapshot
// are asked again, each alone; a snapshot of no known desktop is looked
// for in the whole list.
func TestExistingSnapshotsConfirmsAbsenceWithTheDesktopsOwnListing(t *testing.T) {
	records := []listed{{id: "s1", desktop: "d1"}, {id: "s2", desktop: "d2"}, {id: "s4", desktop: "d4"}, {id: "other", desktop: "d3"}}
	srv, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		var out []listed
		for _, r := range records {
			switch {
			case q.Has("desktop_ids"):
				if slices.Contains(q["desktop_ids"], r.desktop) && r.id != "s2" {
					out = append(out, r)
				}
			case q.Has("desktop_id"):
				if q.Get("desktop_id") == r.desktop {
					out = append(out, r)
				}
			default:
				out = append(out, r)
			}
		}
		return pageAt(out, q, 0), len(out)
	})
	got, err := c.ExistingSnapshots(context.Background(), map[string]string{"s1": "d1", "s2": "d2", "s3": "d3", "s4": ""})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"s1": true, "s2": true, "s3": false, "s4": true}
	if !maps.Equal(got, want) {
		t.Errorf("exists %v; want %v", got, want)
	}
	var confirmed []string
	for _, q := range srv.requests("ListDesktopSnapshot") {
		if !q.Has("desktop_ids") {
			confirmed = append(confirmed, q.Get("desktop_id"))
		}
	}
	slices.Sort(confirmed)
	if !slices.Equal(confirmed, []string{"", "d2", "d3"}) {
		t.Errorf("confirmed by the desktops %q; want the whole list, d2 and d3", confirmed)
	}
}

// The service matches user_name fuzzily; the client keeps only the user's
// own desktops.
func TestListAllDesktopsKeepsOnlyTheExactUser(t *testing.T) {
	all := []listed{{id: "d1", user: "alice"}, {id: "d2", user: "alice2"}, {id: "d3", user: "malice"}, {id: "d4", user: "alice"}}
	srv, c := newListServer(t, func(_ string, _ int, q url.Values) ([]listed, int) {
		var matched []listed
		for _, d := range all {
			if strings.Contains(d.user, q.Get("user_name")) {
				matched = append(matched, d)
			}
		}
		return pageAt(matched, q, 0), len(matched)
	})
	got, err := c.ListAllDesktops(context.Background(), ListDesktopsRequest{UserName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, d := range got {
		gotIDs = append(gotIDs, d.DesktopId)
	}
	if !slices.Equal(gotIDs, []string{"d1", "d4"}) {
		t.Errorf("desktops %v; want alice's, d1 and d4", gotIDs)
	}
	if q := srv.requests("ListDesktops"); len(q) != 1 || q[0].Get("user_name") != "alice" {
		t.Errorf("queries %v; want one, filtered on user_name=alice", q)
	}
}
