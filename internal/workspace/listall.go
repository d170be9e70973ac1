package workspace

import (
	"context"
	"sync"
)

// ListAllDesktopSnapshots pages through every record matching req (req.Offset
// and req.Limit are managed; DesktopIds longer than 100 are split into queries
// of at most 100, run up to MaxConcurrentSubmits at a time, and the results
// merged in query order without duplicates).
func (c *Client) ListAllDesktopSnapshots(ctx context.Context, req ListDesktopSnapshotRequest) ([]DesktopSnapshotDetailInfo, error) {
	if len(req.DesktopIds) == 0 {
		all, err := c.listAllSnapshotPages(ctx, req)
		return uniqueSnapshots(all), err
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

// SnapshotIDsOf is the set of snapshot IDs the desktops' records hold, read
// as ListAllDesktopSnapshots reads them (queries of at most 100 desktops, up
// to MaxConcurrentSubmits at a time) but keeping no record: a refresh of
// thousands of desktops needs only which snapshots still exist, and holding
// every record beside the state plugin-framework decoded made the
// provider's heap larger by about half.
func (c *Client) SnapshotIDsOf(ctx context.Context, desktopIDs []string) (map[string]bool, error) {
	groups := chunkIDs(Dedupe(desktopIDs))
	var mu sync.Mutex
	ids := map[string]bool{}
	err := c.eachGroup(ctx, groups, func(ctx context.Context, i int) error {
		return c.scanSnapshotPages(ctx, ListDesktopSnapshotRequest{DesktopIds: groups[i]}, func(page []DesktopSnapshotDetailInfo) bool {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range page {
				ids[r.SnapshotId] = true
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
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
	return listAll(ctx, c.snapshotPage(ctx, req))
}

// scanSnapshotPages reads one query's pages in order, handing each to visit,
// until the last page or until visit returns false; no page is kept.
func (c *Client) scanSnapshotPages(ctx context.Context, req ListDesktopSnapshotRequest, visit func([]DesktopSnapshotDetailInfo) bool) error {
	return scanAll(ctx, c.snapshotPage(ctx, req), visit)
}

// snapshotPage reads the page of req at an offset.
func (c *Client) snapshotPage(ctx context.Context, req ListDesktopSnapshotRequest) func(offset int32) ([]DesktopSnapshotDetailInfo, int32, error) {
	return func(offset int32) ([]DesktopSnapshotDetailInfo, int32, error) {
		req.Offset, req.Limit = offset, MaxListLimit
		page, err := c.ListDesktopSnapshot(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		return page.DesktopSnapshots, page.TotalCount, nil
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
