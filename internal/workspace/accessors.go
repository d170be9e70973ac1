package workspace

// Region returns the region the client was configured for; with ProjectID
// it says where the jobs and snapshots the client sees live (a resource's
// identity records both, since a provider alias may point elsewhere).
func (c *Client) Region() string { return c.cfg.Region }
