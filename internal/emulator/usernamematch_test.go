package emulator

import (
	"net/url"
	"testing"
)

// ListDesktops' user_name filter is exact by default and under "exact";
// under "fuzzy" (SDK v0.1.207, reference §9) it takes every desktop whose
// user name contains the value, ignoring case either side.
func TestDialectUserNameMatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 12})
	if _, err := h.srv.AddDesktops(NewDesktop{ComputerName: "PC-ALICE", UserName: "Alice.Smith"}); err != nil {
		t.Fatal(err)
	}
	count := func(user string) int {
		t.Helper()
		var out desktopsBody
		h.mustDo("GET", "~/desktops?"+url.Values{"user_name": {user}}.Encode(), nil, &out)
		for _, d := range out.Desktops {
			if d.UserName == "" {
				t.Errorf("user_name=%s listed a desktop without a user", user)
			}
		}
		return out.TotalCount
	}
	for _, tc := range []struct {
		user         string
		exact, fuzzy int
	}{
		{"user0003", 1, 1},
		{"user000", 0, 9}, // user0001..user0009
		{"user", 0, 12},
		{"USER0012", 0, 1},
		{"alice", 0, 1},
		{"SMITH", 0, 1},
		{"Alice.Smith", 1, 1},
		{"nobody", 0, 0},
	} {
		for mode, want := range map[string]int{"": tc.exact, UserNameMatchExact: tc.exact, UserNameMatchFuzzy: tc.fuzzy} {
			if err := h.srv.SetDialect(Dialect{UserNameMatch: mode}); err != nil {
				t.Fatal(err)
			}
			if got := count(tc.user); got != want {
				t.Errorf("user_name_match %q, user_name=%s: %d desktops, want %d", mode, tc.user, got, want)
			}
		}
	}
	// The other filters still combine with it.
	if err := h.srv.SetDialect(Dialect{UserNameMatch: UserNameMatchFuzzy}); err != nil {
		t.Fatal(err)
	}
	var out desktopsBody
	h.mustDo("GET", "~/desktops?user_name=user&computer_name=WKSPC0004", nil, &out)
	if out.TotalCount != 1 || out.Desktops[0].UserName != "user0004" {
		t.Errorf("fuzzy user_name with computer_name: %+v", out)
	}
}
