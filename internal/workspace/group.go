package workspace

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// snapshotChunks splits snapshot IDs for restore or delete into chunks of at
// most 100 that never split one desktop's snapshots. The service answers 409
// (desktop busy) to a call touching a desktop whose earlier job still runs,
// so a desktop split across chunks would hold whole chunks back until the
// first chunk's job ended. The snapshot-to-desktop map comes from the
// project's records (1000 a page; the list has no snapshot ID filter), read
// page by page until every ID is found, keeping only those IDs' desktops:
// restores of a fleet's eight batches at once each read the project's list,
// and holding every record made them peak at a quarter of a GiB. IDs it
// does not find (already gone) are packed after the rest.
func (c *Client) snapshotChunks(ctx context.Context, ids []string) [][]string {
	ids = Dedupe(ids)
	if len(ids) <= MaxBatchIDs {
		return chunkIDs(ids)
	}
	desktopOf := make(map[string]string, len(ids))
	wanted := make(map[string]bool, len(ids))
	for _, id := range ids {
		wanted[id] = true
	}
	err := c.scanSnapshotPages(ctx, ListDesktopSnapshotRequest{}, func() { clear(desktopOf) }, func(page []DesktopSnapshotDetailInfo) bool {
		for _, r := range page {
			if wanted[r.SnapshotId] {
				desktopOf[r.SnapshotId] = r.DesktopId
			}
		}
		return len(desktopOf) < len(ids)
	})
	if err != nil {
		tflog.SubsystemWarn(c.logContext(ctx), logSubsystem, "could not group snapshots by desktop; chunking in the given order",
			map[string]any{"error": err.Error()})
		return chunkIDs(ids)
	}
	return packGroups(groupByDesktop(ids, desktopOf), MaxBatchIDs)
}

// groupByDesktop orders IDs into one group per desktop, in order of first
// appearance; IDs of no known desktop form one-element groups at the end.
func groupByDesktop(ids []string, desktopOf map[string]string) [][]string {
	index := map[string]int{}
	var groups, unknown [][]string
	for _, id := range ids {
		desktop, ok := desktopOf[id]
		if !ok {
			unknown = append(unknown, []string{id})
			continue
		}
		i, seen := index[desktop]
		if !seen {
			i = len(groups)
			index[desktop] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], id)
	}
	return append(groups, unknown...)
}

// packGroups fills chunks of at most size IDs with whole groups; only a group
// larger than a chunk is split.
func packGroups(groups [][]string, size int) [][]string {
	var chunks [][]string
	var current []string
	for _, g := range groups {
		if len(current)+len(g) > size && len(current) > 0 {
			chunks = append(chunks, current)
			current = nil
		}
		for len(g) > size {
			chunks = append(chunks, g[:size:size])
			g = g[size:]
		}
		current = append(current, g...)
	}
	if len(current) > 0 {
		chunks = append(chunks, current)
	}
	return chunks
}
