// Package framework holds what the provider's resources, data sources and
// actions share on the terraform-plugin-framework side: diagnostics that
// carry the API's error code, message, detail and request ID, and their
// wording; conversions between Go and Terraform values; and the validators
// of IDs, durations and times.
package framework

import (
	"fmt"
	"strings"
)

// Wording shared by diagnostics, progress and logs.

// MaxFailureDiagnostics bounds the per-desktop diagnostics of one run; the
// rest are counted in one more.
const MaxFailureDiagnostics = 50

// MaxNamedIDs is how many IDs a message names before "and N more".
const MaxNamedIDs = 5

// CountOf says "1 desktop" or "3 desktops".
func CountOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// AbbreviateIDs names at most limit IDs: "a, b, c and 245 more".
func AbbreviateIDs(ids []string, limit int) string {
	if len(ids) <= limit {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:limit], ", "), len(ids)-limit)
}

func OrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Unjoin lists the errors inside an errors.Join (or err alone).
func Unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}
