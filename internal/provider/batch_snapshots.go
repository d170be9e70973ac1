package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// batchSnapshots is what a batch keeps of the snapshots its jobs made: their
// IDs by desktop and disk, nothing more. State stays linear in the number of
// desktops, as flat string maps and a list (a nested object per record made
// plugin-framework's plan walk and Terraform core quadratic: see
// bench/reports/performance.md); names, status and times come from the
// workspace_desktop_snapshots data source.
type batchSnapshots struct {
	system map[string]string   // desktop ID -> its system disk snapshot
	data   map[string][]string // desktop ID -> its data disks' snapshots
}

func newBatchSnapshots() batchSnapshots {
	return batchSnapshots{system: map[string]string{}, data: map[string][]string{}}
}

// add records one snapshot record of a desktop.
func (b batchSnapshots) add(desktopID, snapshotID string, systemDisk bool) {
	if systemDisk {
		b.system[desktopID] = snapshotID
		return
	}
	b.data[desktopID] = append(b.data[desktopID], snapshotID)
}

func (b batchSnapshots) addRecord(r workspace.DesktopSnapshotDetailInfo) {
	b.add(r.DesktopId, r.SnapshotId, r.IsSystemDisk != nil && *r.IsSystemDisk)
}

// len counts the snapshots.
func (b batchSnapshots) len() int {
	n := len(b.system)
	for _, ids := range b.data {
		n += len(ids)
	}
	return n
}

// desktopOf maps each snapshot ID to its desktop, as batch-delete's chunking
// needs (a desktop's snapshots go in one chunk).
func (b batchSnapshots) desktopOf() map[string]string {
	out := make(map[string]string, b.len())
	for desktop, id := range b.system {
		out[id] = desktop
	}
	for desktop, ids := range b.data {
		for _, id := range ids {
			out[id] = desktop
		}
	}
	return out
}

// of returns the snapshots of the given desktops.
func (b batchSnapshots) of(desktops []string) batchSnapshots {
	out := newBatchSnapshots()
	for _, d := range desktops {
		if id, ok := b.system[d]; ok {
			out.system[d] = id
		}
		if ids, ok := b.data[d]; ok {
			out.data[d] = ids
		}
	}
	return out
}

// drop forgets the snapshots of the given desktops.
func (b batchSnapshots) drop(desktops []string) {
	for _, d := range desktops {
		delete(b.system, d)
		delete(b.data, d)
	}
}

// keep returns the snapshots that exist still.
func (b batchSnapshots) keep(exists map[string]bool) batchSnapshots {
	kept := newBatchSnapshots()
	for desktop, id := range b.system {
		if exists[id] {
			kept.system[desktop] = id
		}
	}
	for desktop, ids := range b.data {
		for _, id := range ids {
			if exists[id] {
				kept.data[desktop] = append(kept.data[desktop], id)
			}
		}
	}
	return kept
}

// hasSystem and hasData say which disk kinds the batch holds (import infers
// disk_type from them).
func (b batchSnapshots) hasSystem() bool { return len(b.system) > 0 }
func (b batchSnapshots) hasData() bool   { return len(b.data) > 0 }

// setOn writes the snapshots to the model: the system disk snapshot by
// desktop, and every snapshot's desktop. Data disk snapshots are those of
// the second map not in the first; a map of them too cost every plan, refresh
// and destroy a thousand more values per thousand desktops (a fifth of a
// batch's state) for what HCL's setsubtract gives.
func (b batchSnapshots) setOn(m *snapshotBatchModel) {
	system := make(map[string]attr.Value, len(b.system))
	for d, id := range b.system {
		system[d] = types.StringValue(id)
	}
	m.SystemDiskSnapshotIDs = types.MapValueMust(types.StringType, system)
	m.SnapshotDesktopIDs = framework.StringMapValue(b.desktopOf())
}

// batchSnapshotsOf reads the snapshots back from the model.
func batchSnapshotsOf(ctx context.Context, m *snapshotBatchModel) batchSnapshots {
	b := newBatchSnapshots()
	systemIDs := map[string]bool{}
	for d, id := range framework.StringMapOf(ctx, m.SystemDiskSnapshotIDs) {
		b.system[d] = id
		systemIDs[id] = true
	}
	for id, d := range framework.StringMapOf(ctx, m.SnapshotDesktopIDs) {
		if !systemIDs[id] {
			b.data[d] = append(b.data[d], id)
		}
	}
	return b
}
