package provider

import "testing"

func TestSameIDs_ignoresOrderAndRepeatsOnly(t *testing.T) {
	parallelUnlessReal(t)
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
		if got := sameIDs(base, c.other); got != c.want {
			t.Errorf("%s: sameIDs = %v, want %v", c.name, got, c.want)
		}
		if got := sameIDs(c.other, base); got != c.want {
			t.Errorf("%s, swapped: sameIDs = %v, want %v", c.name, got, c.want)
		}
	}
	if got := distinctIDs([]string{"b", "a", "b"}); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("distinctIDs = %v, want [a b]", got)
	}
}
