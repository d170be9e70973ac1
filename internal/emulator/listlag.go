package emulator

import (
	"slices"
	"time"
)

// Dialect.ListLag: ListDesktopSnapshot answers as the records were ListLag
// ago, as an eventually consistent list does, while the batch POSTs and the
// jobs see the truth (st.snapshots) at once. listHistory keeps, for each
// record changed within the lag, how it was listed since. A change is noted
// at the time it happened on the emulator's clock (a sub-job's end, not the
// request that happened to apply it), so the list's past does not depend
// on when the emulator was asked.

// recordVersion is a record as listed from `from` on; rec is nil once the
// record is deleted.
type recordVersion struct {
	from time.Time
	rec  *snapshot
}

// listHistory holds the versions of the records changed within the lag,
// oldest first. A record without an entry is listed as it is now.
type listHistory struct {
	versions map[string][]recordVersion
	removed  map[string]bool // the records with versions that are deleted, which the list must walk
	sweepAt  int             // entries that trigger a prune of every entry
}

// minSweep is the fewest entries worth pruning all at once.
const minSweep = 1024

// keepListed remembers how rec is listed, before a change to it: the entry
// of an unchanged record was dropped (it was the truth), and the list must
// go on showing that until the change is ListLag old.
func (s *Server) keepListed(rec *snapshot) {
	h := &s.st.lag
	if s.dialect.ListLag <= 0 || h.versions[rec.ID] != nil {
		return
	}
	c := *rec
	h.add(rec.ID, recordVersion{rec: &c}) // from the zero time: always
}

// noteListed records rec as changed (or made) at `at`.
func (s *Server) noteListed(rec *snapshot, at, now time.Time) {
	if s.dialect.ListLag > 0 {
		c := *rec
		s.st.lag.note(rec.ID, recordVersion{from: at, rec: &c}, now.Add(-s.dialect.ListLag))
	}
}

// noteRemoved records rec as deleted at `at`.
func (s *Server) noteRemoved(rec *snapshot, at, now time.Time) {
	if s.dialect.ListLag > 0 {
		h := &s.st.lag
		if h.removed == nil {
			h.removed = map[string]bool{}
		}
		h.removed[rec.ID] = true
		h.note(rec.ID, recordVersion{from: at}, now.Add(-s.dialect.ListLag))
	}
}

// note adds a version and forgets what no list can show any more: no list
// looks further back than cutoff (now - ListLag), and the emulator's clock
// does not go back.
func (h *listHistory) note(id string, v recordVersion, cutoff time.Time) {
	h.add(id, v)
	h.prune(id, cutoff)
	if len(h.versions) >= h.sweepAt {
		// Entries of records no longer changed (deleted ones above all)
		// would otherwise stay: memory is bounded by the changes of the
		// last ListLag, twice over.
		for id := range h.versions {
			h.prune(id, cutoff)
		}
		h.sweepAt = max(minSweep, 2*len(h.versions))
	}
}

// add inserts v in time order; changes come in that order, bar history
// jobs (AddHistory) noted after later ones.
func (h *listHistory) add(id string, v recordVersion) {
	if h.versions == nil {
		h.versions = map[string][]recordVersion{}
	}
	vs := h.versions[id]
	i := len(vs)
	for i > 0 && vs[i-1].from.After(v.from) {
		i--
	}
	h.versions[id] = slices.Insert(vs, i, v)
}

// prune drops the versions before the one in force at cutoff, and the
// whole entry when that one is the last: the record is then listed as it is
// (or, deleted, not at all).
func (h *listHistory) prune(id string, cutoff time.Time) {
	vs := h.versions[id]
	k := -1 // the version in force at cutoff
	for k+1 < len(vs) && !vs[k+1].from.After(cutoff) {
		k++
	}
	switch {
	case k == len(vs)-1:
		delete(h.versions, id)
		delete(h.removed, id)
	case k > 0:
		h.versions[id] = slices.Clone(vs[k:]) // lets the old array go
	}
}

// at is record id as listed at asOf, nil when not listed then; cur is the
// record now (nil once deleted).
func (h *listHistory) at(id string, cur *snapshot, asOf time.Time) *snapshot {
	vs, ok := h.versions[id]
	if !ok {
		return cur
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if !vs[i].from.After(asOf) {
			return vs[i].rec
		}
	}
	return nil // made after asOf
}

// listedAt is what ListDesktopSnapshot shows at asOf of the records f
// matches: each in its version then in force, deleted ones included while
// the lag lasts. The deleted ones are pruned as they are walked.
func (s *Server) listedAt(asOf time.Time, f snapshotFilter) []*snapshot {
	h := &s.st.lag
	var out []*snapshot
	keep := func(rec *snapshot) {
		if rec != nil && f.matches(rec, s.st.desktopOf(rec.DesktopID)) {
			out = append(out, rec)
		}
	}
	for _, rec := range s.candidates(f) {
		keep(h.at(rec.ID, rec, asOf))
	}
	for id := range h.removed {
		h.prune(id, asOf)
		keep(h.at(id, nil, asOf))
	}
	return out
}
