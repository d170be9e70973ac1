package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunRecordsUsage wraps a shell that burns a little CPU and checks the
// line rsswrap appends: "maxrss_kib cpu_ms", one per process.
func TestRunRecordsUsage(t *testing.T) {
	sh := "/bin/sh"
	if _, err := os.Stat(sh); err != nil {
		t.Skip("no /bin/sh")
	}
	file := filepath.Join(t.TempDir(), "usage")
	t.Setenv("WORKSPACE_BENCH_PROVIDER", sh)
	t.Setenv("WORKSPACE_BENCH_RSS_FILE", file)
	args := os.Args
	t.Cleanup(func() { os.Args = args })
	os.Args = []string{"rsswrap", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exit 3"}
	for range 2 {
		if code := run(); code != 3 {
			t.Fatalf("run() = %d, want the wrapped process's exit code 3", code)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per process, got %q", data)
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("line %q: want \"maxrss_kib cpu_ms gc_ms\"", line)
		}
		rss, err1 := strconv.ParseInt(fields[0], 10, 64)
		cpu, err2 := strconv.ParseInt(fields[1], 10, 64)
		if err1 != nil || err2 != nil || rss <= 0 || cpu <= 0 {
			t.Errorf("line %q: want a positive RSS and CPU time", line)
		}
	}
}

func TestRecordWithoutFile(t *testing.T) {
	t.Setenv("WORKSPACE_BENCH_RSS_FILE", "")
	record(1, 2, 3) // must not panic or write anywhere
}

// The GC trace's lines are kept off the provider's stderr and summed; the
// rest passes through.
func TestFilterGCTrace(t *testing.T) {
	in := "provider log line\n" +
		"gc 1 @0.004s 3%: 0.017+0.49+0.004 ms clock, 0.034+0.10/0.38/0.18+0.008 ms cpu, 3->3->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"gc 2 @0.010s 4%: 0.01+1.0+0.01 ms clock, 0.5+1.5/2.0/0.5+0.5 ms cpu, 4->4->1 MB, 6 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)\n" +
		"another line\n"
	var out strings.Builder
	got := filterGCTrace(strings.NewReader(in), &out)
	// 0.034+0.10+0.38+0.18+0.008 = 0.702 ms, and 0.5+1.5+2.0+0.5+0.5 = 5 ms.
	if want := 5702 * time.Microsecond; got != want {
		t.Errorf("GC CPU %s, want %s", got, want)
	}
	if out.String() != "provider log line\nanother line\n" {
		t.Errorf("passed through %q", out.String())
	}
}
