package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

func TestSeededDesktops(t *testing.T) {
	a := newHarness(t, Config{Desktops: 300, Seed: 5}).srv.DesktopIDs()
	b := newHarness(t, Config{Desktops: 300, Seed: 5}).srv.DesktopIDs()
	c := newHarness(t, Config{Desktops: 300, Seed: 6}).srv.DesktopIDs()
	seen := map[string]bool{}
	for i := range a {
		if a[i] != b[i] || a[i] == c[i] || len(a[i]) != 36 || seen[a[i]] {
			t.Fatalf("desktop %d: IDs %s %s %s are not unique, deterministic UUIDs", i, a[i], b[i], c[i])
		}
		seen[a[i]] = true
	}
	h := newHarness(t, Config{Desktops: 300})
	var out desktopsBody
	h.mustDo("GET", "~/desktops?offset=250&limit=1", nil, &out)
	want := desktopBody{
		DesktopID: h.srv.DesktopIDs()[250], ComputerName: "WKSPC0251", Created: seededDesktopCreated,
		IPAddress: "10.0.1.2", UserName: "user0251", UserGroup: "users",
		SID: "S-1-5-21-3623811015-3361044348-30300820-1251", OUName: "workspace.example.com",
	}
	if out.TotalCount != 300 || len(out.Desktops) != 1 || out.Desktops[0] != want {
		t.Errorf("desktop 251: %+v, want %+v", out, want)
	}
}

func TestListDesktopsFilters(t *testing.T) {
	h := newHarness(t, Config{Desktops: 12})
	count := func(q string) (int, int) {
		var out desktopsBody
		h.mustDo("GET", "~/desktops?"+q, nil, &out)
		return out.TotalCount, len(out.Desktops)
	}
	for q, want := range map[string][2]int{
		"":                                       {12, 12},
		"user_name=user0003":                     {1, 1},
		"user_name=user":                         {0, 0},
		"computer_name=WKSPC0012":                {1, 1},
		"desktop_ip=10.0.0.5":                    {1, 1},
		"desktop_ip=10.0.0.5&user_name=user0001": {0, 0},
		"offset=10":                              {12, 2},
		"limit=5":                                {12, 5},
		"limit=0":                                {12, 0},
	} {
		if total, n := count(q); total != want[0] || n != want[1] {
			t.Errorf("?%s: total %d, %d desktops; want %v", q, total, n, want)
		}
	}
	expectError(t, h.do("GET", "~/desktops?limit=1001", nil), http.StatusBadRequest, codeBadRequest, "limit: must be an integer from 0 to 1000")
}

func TestKeystoneListProjects(t *testing.T) {
	h := newHarness(t, Config{Region: "ap-southeast-3", DomainID: "dom-1"})
	for name, want := range map[string]int{"ap-southeast-3": 1, "cn-north-4": 0, "": 1} {
		q := url.Values{}
		if name != "" {
			q.Set("name", name)
		}
		var out projectsBody
		h.mustDo("GET", "/v3/projects?"+q.Encode(), nil, &out)
		if len(out.Projects) != want {
			t.Fatalf("name=%q: %d projects, want %d", name, len(out.Projects), want)
		}
		if want == 1 {
			p := out.Projects[0]
			if p.ID != DefaultProjectID || p.Name != "ap-southeast-3" || p.DomainID != "dom-1" || !p.Enabled {
				t.Errorf("project %+v", p)
			}
		}
	}
}

// desktop_id is a repeated key of up to 100 exact IDs (SDK v0.1.207,
// reference §9); the answer keeps seeding order, whatever the query's.
func TestListDesktopsByDesktopID(t *testing.T) {
	h := newHarness(t, Config{Desktops: 150})
	ids := h.srv.DesktopIDs()
	list := func(q url.Values) (int, []string) {
		t.Helper()
		var out desktopsBody
		h.mustDo("GET", "~/desktops?"+q.Encode(), nil, &out)
		got := make([]string, len(out.Desktops))
		for i, d := range out.Desktops {
			got[i] = d.DesktopID
		}
		return out.TotalCount, got
	}
	unknown := "00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		name  string
		q     url.Values
		total int
		want  []string
	}{
		{"two, asked in reverse", url.Values{"desktop_id": {ids[7], ids[3]}}, 2, []string{ids[3], ids[7]}},
		{"unknown IDs are left out", url.Values{"desktop_id": {unknown, ids[149], "x"}}, 1, []string{ids[149]}},
		{"only unknown", url.Values{"desktop_id": {unknown}}, 0, []string{}},
		{"a prefix is not a match", url.Values{"desktop_id": {ids[0][:8]}}, 0, []string{}},
		{"a repeated ID once", url.Values{"desktop_id": {ids[5], ids[5]}}, 1, []string{ids[5]}},
		{"with another filter", url.Values{"desktop_id": {ids[1], ids[2]}, "user_name": {"user0003"}}, 1, []string{ids[2]}},
		{"paged", url.Values{"desktop_id": {ids[9], ids[8], ids[10]}, "offset": {"1"}, "limit": {"1"}}, 3, []string{ids[9]}},
		{"a hundred", url.Values{"desktop_id": ids[50:]}, 100, ids[50:]},
	} {
		if total, got := list(tc.q); total != tc.total || !slices.Equal(got, tc.want) {
			t.Errorf("%s: total %d, %v; want %d, %v", tc.name, total, got, tc.total, tc.want)
		}
	}
	expectError(t, h.do("GET", "~/desktops?"+url.Values{"desktop_id": ids[:101]}.Encode(), nil),
		http.StatusBadRequest, codeBadRequest, "desktop_id: must hold at most 100 desktop IDs, got 101")
}
