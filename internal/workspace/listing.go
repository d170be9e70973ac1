package workspace

import (
	"context"
	"fmt"
	"hash/maphash"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Paged listings and when one counts as complete.
//
// The list APIs page by offset, and the list may change between pages: a
// desktop created or deleted meanwhile shifts every later offset, so one
// record is skipped or listed twice, and a service may also answer a page
// empty before the end or count differently on one page. Nothing tells the
// client so but the counts. A listing is taken as complete only when it
// paged until the offset reached total_count with no empty page before that,
// every page reported the same total_count, and the distinct IDs it held
// equal that total_count. Anything else is listed again from the start, up
// to maxListingAttempts in all, and then fails with *IncompleteListingError:
// callers decide from listings what exists, and an incomplete one would
// make a snapshot or a desktop look gone. (A create and a delete that
// balance out between two pages can still skip an item with every count
// right: counts cannot tell that.)

// maxListingAttempts is how many times a listing is read from the start
// before it is reported incomplete.
const maxListingAttempts = 3

// pager is one paged listing.
type pager[T any] struct {
	operation string // the list API, e.g. ListDesktops
	items     string // what it lists, plural, e.g. "desktops"
	page      func(offset int32) (items []T, totalCount int32, err error)
	id        func(T) string
	// maxOffset is the largest offset the API accepts; 0 means no limit. A
	// listing that this limit cuts short is reported (listingReach), not
	// failed: what is past it cannot be read at all.
	maxOffset int32
}

// listingReach is how far a listing read.
type listingReach struct {
	Total     int  // the service's total_count
	Read      int  // the offset the pages reached
	Truncated bool // maxOffset stopped the paging before Total
}

// scanPass is one read of a listing from the start.
type scanPass struct {
	listingReach
	seen      int    // distinct IDs
	stopped   bool   // the visitor stopped it
	incorrect string // why it is not complete; "" when it is
}

// listAll reads every item of p, complete as described at the top, without
// duplicates (the first of each ID is kept).
func listAll[T any](ctx context.Context, c *Client, p pager[T]) ([]T, error) {
	var all []T
	var kept map[string]bool
	reset := func() { all, kept = nil, map[string]bool{} }
	reset()
	err := scanAll(ctx, c, p, reset, func(items []T) bool {
		for _, item := range items {
			if id := p.id(item); id == "" || !kept[id] {
				kept[id] = true
				all = append(all, item)
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// scanAll hands each page of p to visit, keeping none, until the listing is
// complete or visit returns false (a visitor that stops early claims no
// completeness, so nothing is checked). Before each relist reset is called
// (when not nil), so that the visitor starts over rather than count the
// first pass's items twice or keep items that have gone since.
func scanAll[T any](ctx context.Context, c *Client, p pager[T], reset func(), visit func([]T) bool) error {
	_, err := scanReachable(ctx, c, p, reset, visit)
	return err
}

// scanReachable is scanAll that also tells how far the listing read: for a
// pager with maxOffset, the listing may end Truncated without error.
func scanReachable[T any](ctx context.Context, c *Client, p pager[T], reset func(), visit func([]T) bool) (listingReach, error) {
	for attempt := 1; ; attempt++ {
		if attempt > 1 && reset != nil {
			reset()
		}
		pass, err := scanOnce(ctx, p, visit)
		if err != nil {
			return listingReach{}, err
		}
		if pass.stopped || pass.incorrect == "" {
			return pass.listingReach, nil
		}
		if attempt >= maxListingAttempts {
			return listingReach{}, &IncompleteListingError{Operation: p.operation, Items: p.items,
				Total: pass.Total, Seen: pass.seen, Attempts: attempt, Reason: pass.incorrect}
		}
		tflog.SubsystemWarn(c.logContext(ctx), logSubsystem, "a listing came back incomplete; listing again from the start",
			map[string]any{"operation": p.operation, "attempt": attempt, "reason": pass.incorrect})
		// The list was likely changing: give it a moment to settle.
		if err := c.sleep(ctx, c.backoff(attempt)); err != nil {
			return listingReach{}, err
		}
	}
}

// scanOnce reads p from offset 0 once, judging it as described at the top.
func scanOnce[T any](ctx context.Context, p pager[T], visit func([]T) bool) (scanPass, error) {
	var pass scanPass
	ids := newIDSet()
	var total int32 // the first page's total_count
	for offset := int32(0); ; {
		items, pageTotal, err := p.page(offset)
		if err != nil {
			return scanPass{}, err
		}
		if offset == 0 {
			total = pageTotal
		}
		for _, item := range items {
			ids.add(p.id(item))
		}
		read := offset + int32(len(items))
		pass.Total, pass.Read, pass.seen = int(total), int(read), ids.len()
		if !visit(items) {
			pass.stopped = true
			return pass, nil
		}
		switch {
		case pageTotal != total:
			pass.incorrect = fmt.Sprintf("total_count was %d on the first page but %d on the page at offset %d", total, pageTotal, offset)
		case read >= total && pass.seen < pass.Total:
			pass.incorrect = fmt.Sprintf("the pages held %d %s but only %d distinct ones: the list moved between pages, so some were skipped",
				read, p.items, pass.seen)
		case read >= total && pass.seen > pass.Total:
			pass.incorrect = fmt.Sprintf("the pages held more distinct %s than total_count", p.items)
		case read >= total:
			return pass, nil
		case len(items) == 0:
			pass.incorrect = fmt.Sprintf("a page came back empty at offset %d", offset)
		case p.maxOffset > 0 && read > p.maxOffset:
			pass.Truncated = true
			return pass, nil
		}
		if pass.incorrect != "" {
			return pass, nil
		}
		if err := ctx.Err(); err != nil {
			return scanPass{}, context.Cause(ctx)
		}
		offset = read
	}
}

// IncompleteListingError is a listing that did not come back complete (see
// the top of listing.go) however often it was read: nothing is decided from
// it, since what it lacks would look gone.
type IncompleteListingError struct {
	Operation string // the list API, e.g. ListDesktops
	Items     string // what it lists, e.g. "desktops"
	Total     int    // total_count of the last attempt's first page
	Seen      int    // distinct IDs the last attempt held
	Attempts  int
	Reason    string // what was wrong with the last attempt
}

func (e *IncompleteListingError) Error() string {
	attempts := "1 attempt"
	if e.Attempts != 1 {
		attempts = fmt.Sprintf("%d attempts", e.Attempts)
	}
	return fmt.Sprintf("%s listed %d distinct %s of a total_count of %d in %s: %s. An incomplete listing could make "+
		"existing resources look gone, so nothing was decided from it; the list may have been changing while it was "+
		"read: try again", e.Operation, e.Seen, e.Items, e.Total, attempts, e.Reason)
}

// idSet counts distinct IDs by a 64-bit hash of each rather than the ID
// itself, so a scan of a project's whole list holds 8 bytes an item (the
// scans exist to keep no records). A collision only makes the count short,
// which fails the pass, never passes it; each pass has its own seed. An
// empty ID cannot be told from another and counts every time.
type idSet struct {
	seed      maphash.Seed
	hashes    map[uint64]struct{}
	anonymous int
}

func newIDSet() *idSet {
	return &idSet{seed: maphash.MakeSeed(), hashes: map[uint64]struct{}{}}
}

func (s *idSet) add(id string) {
	if id == "" {
		s.anonymous++
		return
	}
	s.hashes[maphash.String(s.seed, id)] = struct{}{}
}

func (s *idSet) len() int { return len(s.hashes) + s.anonymous }
