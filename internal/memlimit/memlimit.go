// Package memlimit sets the provider process's soft memory limit.
package memlimit

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The Go runtime's soft memory limit, unless GOMEMLIMIT sets one. A refresh
// of a batch of thousands of desktops makes garbage many times its live data
// (plugin-framework walks every list element several times); with no limit
// the heap grows to twice the live size between collections. For a mid-size
// batch a limit saves memory for free: at 5000 listed desktops the provider
// peaked at 84-87 MiB under 80 MiB instead of 105 MiB, at the same walls.
// A fixed limit is no answer: once the live heap passes it the collector
// runs back to back (a ReadResource of 20000 desktops took 11.6 s under an
// 80 MiB limit, 2.3 s without). Nor is one that keeps squeezing a large
// heap: at half as much again as the live heap, one listed batch of 20000
// desktops cost the provider 40.3 s of CPU for a desktop joining, against
// 17.9 s with no limit (peak RSS 204 against 286 MiB; `make bench`). So the
// limit follows the live heap, never under baseMemoryLimit and at least
// half as much again as what the last collection left, until that would
// pass squeezeCeiling; past it there is no limit and the runtime's own
// pacing (GOGC) keeps the collector's share of the work what it is for a
// small heap. GOMEMLIMIT (any value, "off" too) leaves the runtime as the
// user set it.
const (
	baseMemoryLimit = 80 << 20
	// liveHeadroom: the limit is live × (1 + 1/liveHeadroom) at least.
	liveHeadroom = 2
	// squeezeCeiling: a limit this high would cost more CPU than the memory
	// it saves is worth; past it, none.
	squeezeCeiling = 100 << 20
)

// CapUnlessSet sets the limit unless GOMEMLIMIT is set.
func CapUnlessSet() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	debug.SetMemoryLimit(baseMemoryLimit)
	followLiveHeap()
}

// followLiveHeap re-sets the limit after every collection, from a finalizer
// that re-arms itself: the runtime runs it once per cycle that found its
// sentinel unreachable.
func followLiveHeap() {
	sentinel := new([16]byte)
	runtime.SetFinalizer(sentinel, func(*[16]byte) {
		debug.SetMemoryLimit(memoryLimitFor(liveHeapBytes()))
		followLiveHeap()
	})
}

// memoryLimitFor is the soft limit for a live heap of live bytes.
func memoryLimitFor(live uint64) int64 {
	limit := max(int64(baseMemoryLimit), int64(live+live/liveHeadroom))
	if limit > squeezeCeiling {
		return math.MaxInt64 // no limit
	}
	return limit
}

var liveHeapMetric = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// liveHeapBytes is the heap the last collection found live. Only the
// finalizer goroutine reads it, so the sample slice is not shared.
func liveHeapBytes() uint64 {
	metrics.Read(liveHeapMetric)
	if liveHeapMetric[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return liveHeapMetric[0].Value.Uint64()
}
