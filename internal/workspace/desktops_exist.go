package workspace

import (
	"context"
	"fmt"
	"slices"
)

// UnknownDesktops returns the IDs among ids that the service does not know,
// in their order, with one ListDesktops call per 100 IDs (its desktop_id
// filter, SDK v0.1.207; reference §9). A service that ignores the filter
// (an answer holding a desktop not asked for) cannot tell: then nothing is
// reported unknown, and the create finds out.
func (c *Client) UnknownDesktops(ctx context.Context, ids []string) ([]string, error) {
	groups := chunkIDs(Dedupe(ids))
	known := make([]map[string]bool, len(groups))
	filtered := make([]bool, len(groups))
	err := c.eachGroup(ctx, groups, func(ctx context.Context, i int) error {
		page, err := c.ListDesktops(ctx, ListDesktopsRequest{DesktopId: groups[i], Limit: MaxBatchIDs})
		if err != nil {
			return fmt.Errorf("looking up desktops: %w", err)
		}
		known[i], filtered[i] = map[string]bool{}, true
		for _, d := range page.Desktops {
			if !slices.Contains(groups[i], d.DesktopId) {
				filtered[i] = false // the filter was not applied
			}
			known[i][d.DesktopId] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var unknown []string
	for i, group := range groups {
		if !filtered[i] {
			continue
		}
		for _, id := range group {
			if !known[i][id] {
				unknown = append(unknown, id)
			}
		}
	}
	return unknown, nil
}
