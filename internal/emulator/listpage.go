package emulator

// listPage is the page a list request (ListDesktops, ListDesktopSnapshot,
// ListItaSubJobs) answers: which of the matches, in list order, it holds
// and what total_count it claims, under Dialect.ListPageCap and the
// request's scripted list fault (call.listFault).
type listPage struct {
	from, size int    // the page holds the matches from..from+size-1 that exist
	offset     int    // as asked
	fault      string // "" or one of listFaultKinds
}

// listPage is the page of a request for offset and limit.
func (s *Server) listPage(c *call, offset, limit int) listPage {
	p := listPage{from: offset, size: s.dialect.pageLimit(limit), offset: offset, fault: c.listFault}
	switch p.fault {
	case ScriptedSkip:
		p.from = offset + 1 // an item before it went: the list moved up by one
	case ScriptedRepeat:
		p.from = max(0, offset-1) // an item came before it: the list moved down by one
	}
	return p
}

// holds reports whether the match at position n (from 0) is on the page,
// before the fault's cut (finishPage).
func (p listPage) holds(n int) bool { return n >= p.from && n-p.from < p.size }

// pageOf cuts the page out of all the matches.
func pageOf[T any](p listPage, all []T) []T { return page(all, p.from, p.size) }

// finishPage applies the fault's cut to the page's items and its change to
// total, the count of every match.
func finishPage[T any](p listPage, items []T, total int) ([]T, int) {
	switch p.fault {
	case ScriptedShort:
		items = items[:len(items)/2]
	case ScriptedEmpty:
		items = items[:0]
	case ScriptedLowTotal:
		total = min(total, p.offset+len(items))
	case ScriptedSkip:
		total = max(0, total-1)
	case ScriptedRepeat:
		total++
	}
	return items, total
}
