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

// The limit rises with the live heap (a fixed limit under it makes the
// collector run back to back), and past squeezeCeiling there is none: with
// 160 MiB live, a collection lifts it.
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
		if got := debug.SetMemoryLimit(-1); got == math.MaxInt64 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("with 160 MiB live the limit stayed at %d MiB, want none", debug.SetMemoryLimit(-1)>>20)
		}
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(live)
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{10 << 20, baseMemoryLimit}, // the base
		{60 << 20, 90 << 20},        // half as much again
		{66 << 20, 99 << 20},        // still under the ceiling
		{70 << 20, math.MaxInt64},   // past it: none
		{200 << 20, math.MaxInt64},
	} {
		if got := memoryLimitFor(c.live); got != c.want {
			t.Errorf("memoryLimitFor(%d MiB) = %d MiB, want %d MiB", c.live>>20, got>>20, c.want>>20)
		}
	}
}
