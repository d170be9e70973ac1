// Package memlimit sets the provider process's soft memory limit.
package memlimit

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The Go runtime's soft memory limit, unless GOMEMLIMIT sets one. A refresh
// of a batch of thousands of desktops makes garbage many times its live data
// (plugin-framework walks every list element several times); with no limit
// the heap grows to twice the live size between collections. A fixed limit
// is no answer either: once the live heap passes it the collector runs
// back to back (a ReadResource of 20000 desktops took 11.6 s under an
// 80 MiB limit, 2.3 s without). So the limit follows the live heap: never
// under baseMemoryLimit, and after each collection at least half as much
// again as what survived it, so a collection frees at least a third of the
// heap and its cost stays proportional to what the provider allocates.
// GOMEMLIMIT (any value, "off" too) leaves the runtime as the user set it.
const (
	baseMemoryLimit = 80 << 20
	// liveHeadroom: the limit is live × (1 + 1/liveHeadroom) at least.
	liveHeadroom = 2
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
	return max(int64(baseMemoryLimit), int64(live+live/liveHeadroom))
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
