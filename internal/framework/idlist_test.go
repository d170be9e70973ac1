package framework

import "testing"

func TestSameIDs_ignoresOrderAndRepeatsOnly(t *testing.T) {
	t.Parallel()
	base := []string{"d-1", "d-2", "d-3"}
	cases := []struct {
		name  string
		other []string
		want  bool
	}{
		{"same order", []string{"d-1", "d-2", "d-3"}, true},
		{"other order", []string{"d-3", "d-1", "d-2"}, true},
		{"a repeat", []string{"d-1", "d-2", "d-3", "d-1"}, true},
		{"one differs", []string{"d-1", "d-2", "d-4"}, false},
		{"one fewer", []string{"d-1", "d-2"}, false},
		{"one more", []string{"d-1", "d-2", "d-3", "d-4"}, false},
		{"fewer, with a repeat to make up the length", []string{"d-1", "d-2", "d-2"}, false},
		{"empty", nil, false},
	}
	for _, c := range cases {
		if got := SameIDs(base, c.other); got != c.want {
			t.Errorf("%s: SameIDs = %v, want %v", c.name, got, c.want)
		}
		if got := SameIDs(c.other, base); got != c.want {
			t.Errorf("%s, swapped: SameIDs = %v, want %v", c.name, got, c.want)
		}
	}
	if got := DistinctIDs([]string{"b", "a", "b"}); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("DistinctIDs = %v, want [a b]", got)
	}
}
