package emulator

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// snapshotInfo is DesktopSnapshotDetailInfo on the wire.
type snapshotInfo struct {
	SnapshotID        string `json:"snapshot_id"`
	SnapshotName      string `json:"snapshot_name"`
	DesktopID         string `json:"desktop_id"`
	DesktopName       string `json:"desktop_name"`
	DesktopSID        string `json:"desktop_sid,omitempty"`
	IsSystemDisk      bool   `json:"is_system_disk"`
	Status            string `json:"status"`
	Process           *int32 `json:"process"`
	Description       string `json:"description"`
	CreateTime        string `json:"create_time"`
	CreateType        string `json:"create_type"`
	LastRestoreTime   string `json:"last_restore_time,omitempty"`
	RestoreFailReason string `json:"restore_fail_reason,omitempty"`
}

type listSnapshotsBody struct {
	DesktopSnapshots []snapshotInfo `json:"desktop_snapshots"`
	TotalCount       int            `json:"total_count"`
}

const recordTimeLayout = "2006-01-02T15:04:05Z"

var (
	createTypes = []string{createTypeAuto, createTypeManual}
	sortFields  = []string{"create_time", "snapshot_name"}
	sortTypes   = []string{"ASC", "DESC"}
)

// snapshotFilter is the parsed query of ListDesktopSnapshot. Single-value
// name filters match a substring; the *_names arrays match exactly.
type snapshotFilter struct {
	desktopID, desktopName, snapshotName string
	desktopIDs, desktopNames, names      set
	diskType, createType, status         string
}

func (f *snapshotFilter) matches(rec *snapshot, d *desktop) bool {
	return (f.desktopID == "" || rec.DesktopID == f.desktopID) &&
		f.desktopIDs.allows(rec.DesktopID) &&
		strings.Contains(d.Name, f.desktopName) &&
		f.desktopNames.allows(d.Name) &&
		strings.Contains(rec.Name, f.snapshotName) &&
		f.names.allows(rec.Name) &&
		diskSelected(f.diskType, rec.SystemDisk) &&
		(f.createType == "" || rec.CreateType == f.createType) &&
		(f.status == "" || rec.Status == f.status)
}

func (s *Server) listSnapshots(c *call) reply {
	q := c.r.URL.Query()
	f := snapshotFilter{
		desktopID:    q.Get("desktop_id"),
		desktopName:  q.Get("desktop_name"),
		snapshotName: q.Get("snapshot_name"),
		desktopIDs:   setOf(q["desktop_ids"]),
		desktopNames: setOf(q["desktop_names"]),
		names:        setOf(q["snapshot_names"]),
	}
	var errs []error
	collect := func(v string, err error) string {
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	f.diskType = collect(enumParam(q, "disk_type", diskTypes))
	f.createType = collect(enumParam(q, "create_type", createTypes))
	f.status = collect(enumParam(q, "status", snapshotStatuses))
	sortField := collect(enumParam(q, "sort_field", sortFields))
	sortType := collect(enumParam(q, "sort_type", sortTypes))
	offset, limit, err := pageParams(q, 1<<31-1, 1)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return badRequest("%v", errs[0])
	}
	// Under Dialect.ListLag the list answers as of that long ago (see
	// listlag.go), process included.
	asOf := c.now
	var recs []*snapshot
	if lag := s.dialect.ListLag; lag > 0 {
		asOf = c.now.Add(-lag)
		recs = s.listedAt(asOf, f)
	} else {
		for _, rec := range s.candidates(f) {
			if f.matches(rec, s.st.desktopOf(rec.DesktopID)) {
				recs = append(recs, rec)
			}
		}
	}
	sortSnapshots(recs, sortField, sortType == "DESC")
	p := s.listPage(c, offset, limit)
	onPage, total := finishPage(p, pageOf(p, recs), len(recs))
	out := listSnapshotsBody{TotalCount: total, DesktopSnapshots: []snapshotInfo{}}
	for _, rec := range onPage {
		out.DesktopSnapshots = append(out.DesktopSnapshots, s.snapshotView(rec, asOf))
	}
	return okReply(out)
}

// candidates narrows the records to scan through the per-desktop index when
// the query names desktops by ID.
func (s *Server) candidates(f snapshotFilter) []*snapshot {
	if f.desktopID == "" && f.desktopIDs == nil {
		return slices.Collect(maps.Values(s.st.snapshots))
	}
	ids := slices.Collect(maps.Keys(f.desktopIDs))
	if f.desktopID != "" {
		ids = []string{f.desktopID} // matches still applies desktop_ids
	}
	var out []*snapshot
	for _, id := range ids {
		for _, rec := range s.st.byDesktop[id] {
			out = append(out, rec)
		}
	}
	return out
}

// sortSnapshots orders by the field (creation order when none), ties broken
// by creation order so paging is stable.
func sortSnapshots(recs []*snapshot, field string, desc bool) {
	if field != "snapshot_name" {
		sortMade(recs, desc)
		return
	}
	slices.SortFunc(recs, func(a, b *snapshot) int {
		c := strings.Compare(a.Name, b.Name)
		if c == 0 {
			c = madeOrder(a, b)
		}
		if desc {
			return -c
		}
		return c
	})
}

// madeOrder is creation order: by create_time, then in the order records
// were made. Records of history jobs (AddHistory) are made after others
// but sort by when their job began; within one second the order made
// decides.
func madeOrder(a, b *snapshot) int {
	if c := cmp.Compare(a.created, b.created); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// madeKey is a record's place in creation order, copied out of the record
// so that sorting tens of thousands compares integers next to each other
// rather than chasing a pointer per comparison.
type madeKey struct {
	created, seq int64
	rec          *snapshot
}

// sortMade sorts recs in creation order (or its reverse); a few hundred
// are not worth the copy.
func sortMade(recs []*snapshot, desc bool) {
	if len(recs) <= 512 {
		slices.SortFunc(recs, func(a, b *snapshot) int {
			if desc {
				return madeOrder(b, a)
			}
			return madeOrder(a, b)
		})
		return
	}
	keys := make([]madeKey, len(recs))
	for i, rec := range recs {
		keys[i] = madeKey{rec.created, rec.Seq, rec}
	}
	slices.SortFunc(keys, func(a, b madeKey) int {
		c := cmp.Compare(a.created, b.created)
		if c == 0 {
			c = cmp.Compare(a.seq, b.seq)
		}
		if desc {
			return -c
		}
		return c
	})
	for i, k := range keys {
		recs[i] = k.rec
	}
}

func (s *Server) snapshotView(rec *snapshot, now time.Time) snapshotInfo {
	d := s.st.desktopOf(rec.DesktopID) // under ListLag, possibly deleted
	v := snapshotInfo{
		SnapshotID:        rec.ID,
		SnapshotName:      rec.Name,
		DesktopID:         rec.DesktopID,
		DesktopName:       d.Name,
		DesktopSID:        d.SID,
		IsSystemDisk:      rec.SystemDisk,
		Status:            rec.Status,
		Process:           s.recordProcess(rec, now),
		Description:       rec.Description,
		CreateTime:        rec.CreateTime.UTC().Format(recordTimeLayout),
		CreateType:        rec.CreateType,
		RestoreFailReason: rec.RestoreFailReason,
	}
	if !rec.LastRestoreTime.IsZero() {
		v.LastRestoreTime = rec.LastRestoreTime.UTC().Format(recordTimeLayout)
	}
	return v
}
