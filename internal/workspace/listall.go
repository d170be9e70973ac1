package workspace

import (
	"context"
	"maps"
	"slices"
	"sync"
)

// ListAllDesktopSnapshots pages through every record matching req (req.Offset
// and req.Limit are managed; DesktopIds longer than 100 are split into queries
// of at most 100, run up to MaxConcurrentSubmits at a time, and the results
// merged in query order without duplicates). Each query's listing is
// complete as listing.go describes, or the call fails.
func (c *Client) ListAllDesktopSnapshots(ctx context.Context, req ListDesktopSnapshotRequest) ([]DesktopSnapshotDetailInfo, error) {
	if len(req.DesktopIds) == 0 {
		return c.listAllSnapshotPages(ctx, req) // listAll keeps each ID once
	}
	groups := chunkIDs(Dedupe(req.DesktopIds))
	pages := make([][]DesktopSnapshotDetailInfo, len(groups))
	err := c.eachGroup(ctx, groups, func(ctx context.Context, i int) (err error) {
		q := req
		q.DesktopIds = groups[i]
		pages[i], err = c.listAllSnapshotPages(ctx, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	var all []DesktopSnapshotDetailInfo
	for _, page := range pages {
		all = append(all, page...)
	}
	return uniqueSnapshots(all), nil
}

// snapshotIDsOf is the set of snapshot IDs the desktops' records hold that
// keep accepts, read as ListAllDesktopSnapshots reads them (queries of at
// most 100 desktops, up to MaxConcurrentSubmits at a time, each complete)
// but keeping no record: a refresh of thousands of desktops needs only
// which snapshots still exist, and holding every record beside the state
// plugin-framework decoded made the provider's heap larger by about half.
func (c *Client) snapshotIDsOf(ctx context.Context, desktopIDs []string, keep func(snapshotID string) bool) (map[string]bool, error) {
	groups := chunkIDs(Dedupe(desktopIDs))
	var mu sync.Mutex
	ids := map[string]bool{}
	err := c.eachGroup(ctx, groups, func(ctx context.Context, i int) error {
		// A group's IDs join the rest only once its listing is complete, so
		// a relist starts from none and keeps no snapshot deleted meanwhile.
		group := map[string]bool{}
		err := c.scanSnapshotPages(ctx, ListDesktopSnapshotRequest{DesktopIds: groups[i]}, func() { clear(group) },
			func(page []DesktopSnapshotDetailInfo) bool {
				for _, r := range page {
					if keep(r.SnapshotId) {
						group[r.SnapshotId] = true
					}
				}
				return true
			})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		maps.Copy(ids, group)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// ExistingSnapshots tells which of the given snapshots (snapshot ID -> its
// desktop ID) exist: every given ID is a key, true when it exists. The
// desktops' snapshots are listed (snapshotIDsOf), and each
// snapshot missing from that listing is looked for again among its own
// desktop's snapshots (the single desktop_id filter, paged until it is found
// or the listing is complete) before it is reported absent: a snapshot
// called gone is dropped from state, so both listings must agree. A
// snapshot of no known desktop ("") is looked for in the project's whole
// list. Only IDs are kept.
func (c *Client) ExistingSnapshots(ctx context.Context, desktopOf map[string]string) (map[string]bool, error) {
	var desktops []string
	for _, desktop := range desktopOf {
		if desktop != "" {
			desktops = append(desktops, desktop)
		}
	}
	slices.Sort(desktops)
	listed, err := c.snapshotIDsOf(ctx, slices.Compact(desktops), func(id string) bool {
		_, asked := desktopOf[id]
		return asked
	})
	if err != nil {
		return nil, err
	}
	missingOf := map[string]map[string]bool{} // desktop -> its snapshots not listed
	for id, desktop := range desktopOf {
		if !listed[id] {
			if missingOf[desktop] == nil {
				missingOf[desktop] = map[string]bool{}
			}
			missingOf[desktop][id] = true
		}
	}
	var groups [][]string
	for _, desktop := range sortedKeys(missingOf) {
		groups = append(groups, []string{desktop})
	}
	found := make([]map[string]bool, len(groups))
	err = c.eachGroup(ctx, groups, func(ctx context.Context, i int) error {
		desktop := groups[i][0]
		missing, got := missingOf[desktop], map[string]bool{}
		found[i] = got
		return c.scanSnapshotPages(ctx, ListDesktopSnapshotRequest{DesktopId: desktop}, func() { clear(got) },
			func(page []DesktopSnapshotDetailInfo) bool {
				for _, r := range page {
					if missing[r.SnapshotId] {
						got[r.SnapshotId] = true
					}
				}
				return len(got) < len(missing) // all found: the rest proves nothing more
			})
	})
	if err != nil {
		return nil, err
	}
	exists := make(map[string]bool, len(desktopOf))
	for id := range desktopOf {
		exists[id] = listed[id]
	}
	for _, got := range found {
		for id := range got {
			exists[id] = true
		}
	}
	return exists, nil
}

// eachGroup runs query for every group, up to MaxConcurrentSubmits at a
// time; the first error stops the rest and is returned.
func (c *Client) eachGroup(ctx context.Context, groups [][]string, query func(ctx context.Context, i int) error) error {
	errs := make([]error, len(groups))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, c.cfg.MaxConcurrentSubmits)
	var wg sync.WaitGroup
	for i := range groups {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				errs[i] = context.Cause(ctx)
				return
			}
			if errs[i] = query(ctx, i); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// listAllSnapshotPages pages through one query.
func (c *Client) listAllSnapshotPages(ctx context.Context, req ListDesktopSnapshotRequest) ([]DesktopSnapshotDetailInfo, error) {
	return listAll(ctx, c, c.snapshotPager(ctx, req))
}

// scanSnapshotPages reads one query's pages in order, handing each to visit,
// until the listing is complete or visit returns false; no page is kept.
// reset is called before each relist (scanAll).
func (c *Client) scanSnapshotPages(ctx context.Context, req ListDesktopSnapshotRequest, reset func(), visit func([]DesktopSnapshotDetailInfo) bool) error {
	return scanAll(ctx, c, c.snapshotPager(ctx, req), reset, visit)
}

// snapshotPager pages through req's records.
func (c *Client) snapshotPager(ctx context.Context, req ListDesktopSnapshotRequest) pager[DesktopSnapshotDetailInfo] {
	return pager[DesktopSnapshotDetailInfo]{
		operation: "ListDesktopSnapshot",
		items:     "snapshot records",
		page: func(offset int32) ([]DesktopSnapshotDetailInfo, int32, error) {
			req.Offset, req.Limit = offset, MaxListLimit
			page, err := c.ListDesktopSnapshot(ctx, req)
			if err != nil {
				return nil, 0, err
			}
			return page.DesktopSnapshots, page.TotalCount, nil
		},
		id: func(r DesktopSnapshotDetailInfo) string { return r.SnapshotId },
	}
}

// uniqueSnapshots keeps the first record of each snapshot ID (offset paging
// repeats a record when the list moves between pages).
func uniqueSnapshots(records []DesktopSnapshotDetailInfo) []DesktopSnapshotDetailInfo {
	seen := make(map[string]bool, len(records))
	out := records[:0]
	for _, rec := range records {
		if !seen[rec.SnapshotId] {
			seen[rec.SnapshotId] = true
			out = append(out, rec)
		}
	}
	return out
}
