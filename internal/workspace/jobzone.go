package workspace

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The zone of job times as a user states it (Config.JobTimeZone): "UTC",
// "Z" or an offset such as "+08:00", "-05:30" or "+0545", a whole number of
// quarter hours from -12:00 to +14:00.

var zonePattern = regexp.MustCompile(`^([+-])(\d{2}):?(\d{2})$`)

// ParseJobTimeZone reads a stated zone of job times.
func ParseJobTimeZone(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "UTC") || s == "Z" {
		return 0, nil
	}
	m := zonePattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("must be UTC or an offset from UTC such as +08:00 or -05:30, got %q", s)
	}
	hours, _ := strconv.Atoi(m[2])
	minutes, _ := strconv.Atoi(m[3])
	if minutes >= 60 {
		return 0, fmt.Errorf("minutes must be below 60, got %q", s)
	}
	zone := time.Duration(hours)*time.Hour + time.Duration(minutes)*time.Minute
	if m[1] == "-" {
		zone = -zone
	}
	if zone%quarterHour != 0 || zone < westmostZone || zone > eastmostZone {
		return 0, fmt.Errorf("must be a whole number of quarter hours from -12:00 to +14:00, got %q", s)
	}
	return zone, nil
}

// FormatJobTimeZone writes a zone as ParseJobTimeZone reads it ("+08:00").
func FormatJobTimeZone(zone time.Duration) string {
	sign := "+"
	if zone < 0 {
		sign, zone = "-", -zone
	}
	return fmt.Sprintf("%s%02d:%02d", sign, int(zone/time.Hour), int(zone%time.Hour/time.Minute))
}

// JobTimeZone returns the zone of job times, when it is known: stated in
// Config.JobTimeZone or learned from a job this client started.
func (c *Client) JobTimeZone() (time.Duration, bool) { return c.svc.zoneOffset() }

// JobTimeZoneContradicted reports a stated zone that a job this client
// started proved wrong, and the zone it proved.
func (c *Client) JobTimeZoneContradicted() (learned time.Duration, contradicted bool) {
	return c.svc.contradiction()
}

// NoteJobAnswered tells the client when (service time) the POST that
// started jobID was answered, as an earlier process recorded it, so the
// zone of job times can be learned from the job.
func (c *Client) NoteJobAnswered(jobID string, answered time.Time) {
	c.svc.noteAnswered(jobID, answered)
}
