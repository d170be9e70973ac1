package provider

import (
	"fmt"
	"strings"
)

// Wording shared by diagnostics, progress and logs.

// countOf says "1 desktop" or "3 desktops".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// abbreviateIDs names at most limit IDs: "a, b, c and 245 more".
func abbreviateIDs(ids []string, limit int) string {
	if len(ids) <= limit {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:limit], ", "), len(ids)-limit)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// unjoin lists the errors inside an errors.Join (or err alone).
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}
