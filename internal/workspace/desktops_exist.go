package workspace

import (
	"context"
	"fmt"
)

// DesktopLookup is what LookupDesktops found.
type DesktopLookup struct {
	Found map[string]SimpleDesktopInfo // the desktops asked for that the service knows, by ID
	// Filtered is false when the service answered with desktops not asked
	// for: it ignored the desktop_id filter, so a desktop missing from
	// Found may exist all the same.
	Filtered bool
}

// LookupDesktops looks the desktops ids up with ListDesktops's desktop_id
// filter (at most 100 IDs a query, SDK v0.1.207, reference §9), queries run
// up to MaxConcurrentSubmits at a time, each paged until its listing is
// complete (listing.go): a service that caps its pages below what was asked
// must not make the desktops past the cap look unknown.
func (c *Client) LookupDesktops(ctx context.Context, ids []string) (DesktopLookup, error) {
	groups := chunkIDs(Dedupe(ids))
	found := make([]map[string]SimpleDesktopInfo, len(groups))
	unfiltered := make([]bool, len(groups))
	err := c.eachGroup(ctx, groups, func(ctx context.Context, i int) error {
		asked := make(map[string]bool, len(groups[i]))
		for _, id := range groups[i] {
			asked[id] = true
		}
		got := map[string]SimpleDesktopInfo{}
		found[i] = got
		reset := func() { clear(got) }
		err := scanAll(ctx, c, c.desktopPager(ctx, ListDesktopsRequest{DesktopId: groups[i]}, MaxBatchIDs), reset,
			func(page []SimpleDesktopInfo) bool {
				for _, d := range page {
					if !asked[d.DesktopId] {
						// The filter was not applied: no listing of it can
						// tell absence, so the rest is not read.
						unfiltered[i] = true
						return false
					}
					got[d.DesktopId] = d
				}
				return true
			})
		if err != nil {
			return fmt.Errorf("looking up desktops: %w", err)
		}
		return nil
	})
	if err != nil {
		return DesktopLookup{}, err
	}
	out := DesktopLookup{Found: map[string]SimpleDesktopInfo{}, Filtered: true}
	for i := range groups {
		for id, d := range found[i] {
			out.Found[id] = d
		}
		out.Filtered = out.Filtered && !unfiltered[i]
	}
	return out, nil
}

// UnknownDesktops returns the IDs among ids that the service does not know,
// in their order, looked up as LookupDesktops does. A service that ignores
// the filter (an answer holding a desktop not asked for) cannot tell: then
// nothing is reported unknown, and the create finds out.
func (c *Client) UnknownDesktops(ctx context.Context, ids []string) ([]string, error) {
	lookup, err := c.LookupDesktops(ctx, ids)
	if err != nil || !lookup.Filtered {
		return nil, err
	}
	var unknown []string
	for _, id := range Dedupe(ids) {
		if _, ok := lookup.Found[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	return unknown, nil
}
