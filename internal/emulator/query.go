package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
)

// pageParams reads offset and limit; limitMin is 0 or 1 depending on the API.
func pageParams(q url.Values, maxOffset, limitMin int) (offset, limit int, err error) {
	offset, err = intParam(q, "offset", 0, 0, maxOffset)
	if err != nil {
		return 0, 0, err
	}
	limit, err = intParam(q, "limit", 1000, limitMin, 1000)
	return offset, limit, err
}

// intParam reads an integer query parameter within [lo, hi].
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	raw, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(raw[0])
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: must be an integer from %d to %d, got %q", name, lo, hi, raw[0])
	}
	return n, nil
}

// enumParam reads a query parameter that must be one of allowed when given.
func enumParam(q url.Values, name string, allowed []string) (string, error) {
	v := q.Get(name)
	if _, ok := q[name]; ok && !slices.Contains(allowed, v) {
		return "", fmt.Errorf("%s: must be one of %v, got %q", name, allowed, v)
	}
	return v, nil
}

// page cuts items to [offset, offset+limit).
func page[T any](items []T, offset, limit int) []T {
	if offset >= len(items) {
		return []T{}
	}
	return items[offset:min(len(items), offset+limit)]
}

// set is a membership filter; a nil set matches everything.
type set map[string]bool

func setOf(values []string) set {
	if len(values) == 0 {
		return nil
	}
	s := set{}
	for _, v := range values {
		s[v] = true
	}
	return s
}

func (s set) allows(v string) bool { return s == nil || s[v] }
