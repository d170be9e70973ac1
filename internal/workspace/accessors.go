package workspace

import "time"

// Region returns the region the client was configured for; with ProjectID
// it says where the jobs and snapshots the client sees live (a resource's
// identity records both, since a provider alias may point elsewhere).
func (c *Client) Region() string { return c.cfg.Region }

// ParseJobTime reads a job or sub-job begin_time or end_time as the client
// does: a zone-less time is read as if UTC, although its zone is not
// documented (see servicetime.go), so only job times compare with each other.
// JobTimeToUTC converts one once the zone is known.
func ParseJobTime(s string) (time.Time, bool) { return parseJobTime(s) }

// JobTimeToUTC converts a job time read by ParseJobTime to the instant it
// marks, when the zone of job times is known.
func (c *Client) JobTimeToUTC(jobTime time.Time) (time.Time, bool) { return c.svc.utcOf(jobTime) }
