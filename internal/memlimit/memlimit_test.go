package memlimit

import (
	"bytes"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestCapMemoryUnlessSet(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOMEMLIMIT", "")
	_ = os.Unsetenv("GOMEMLIMIT")
	debug.SetMemoryLimit(math.MaxInt64)
	CapUnlessSet()
	if got := debug.SetMemoryLimit(-1); got < baseMemoryLimit || got == math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT unset the limit is %d, want at least %d", got, baseMemoryLimit)
	}
	t.Setenv("GOMEMLIMIT", "off")
	debug.SetMemoryLimit(math.MaxInt64)
	CapUnlessSet()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set the provider changed the limit to %d", got)
	}
}

// With more live than the base limit, the limit rises to half as much again
// after a collection: a fixed limit under the live heap makes the collector
// run back to back.
func TestMemoryLimitFollowsTheLiveHeap(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOMEMLIMIT", "")
	_ = os.Unsetenv("GOMEMLIMIT")
	CapUnlessSet()
	live := make([][]byte, 0, 160)
	for range 160 { // 160 MiB, twice the base limit
		live = append(live, bytes.Repeat([]byte{1}, 1<<20))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		if got := debug.SetMemoryLimit(-1); got >= 240<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("with 160 MiB live the limit stayed at %d MiB, want at least 240 MiB", debug.SetMemoryLimit(-1)>>20)
		}
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(live)
	if got, want := memoryLimitFor(10<<20), int64(baseMemoryLimit); got != want {
		t.Errorf("memoryLimitFor(10 MiB) = %d, want the base %d", got, want)
	}
	if got, want := memoryLimitFor(200<<20), int64(300<<20); got != want {
		t.Errorf("memoryLimitFor(200 MiB) = %d, want %d", got, want)
	}
}
