package workspace

import "time"

// Region returns the region the client was configured for; with ProjectID
// it says where the jobs and snapshots the client sees live (a resource's
// identity records both, since a provider alias may point elsewhere).
func (c *Client) Region() string { return c.cfg.Region }

// ParseJobTime reads a job or sub-job begin_time or end_time as the client
// does: a zone-less time is read as if UTC, although its zone is not
// documented (see servicetime.go), so only job times compare with each other.
func ParseJobTime(s string) (time.Time, bool) { return parseJobTime(s) }

// JobTimeFit rates how well a job time (begin_time, read by ParseJobTime)
// and a snapshot's create_time (UTC) mark the same moment, as the import of
// a job does: lower is better. While the zone of job times is not learned,
// the distance is taken modulo a quarter hour (every zone in use is a whole
// number of quarter hours).
func (c *Client) JobTimeFit(jobTime, createTime time.Time) time.Duration {
	return c.svc.offsetScore(jobTime, createTime)
}
