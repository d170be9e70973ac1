package workspace

import (
	"strings"
	"time"
)

// jobTimeLayouts are the time formats seen in job and snapshot objects:
// jobs use "2006-01-02 15:04:05" (UTC, no zone), snapshots RFC 3339.
var jobTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
}

// parseJobTime reads a job or snapshot time; times without a zone are UTC.
func parseJobTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range jobTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
