package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	opts, err := parseFlags([]string{"-sizes", "1, 100", "-job-duration", "2s"})
	if err != nil || len(opts.sizes) != 2 || opts.sizes[1] != 100 || opts.jobDuration != 2*time.Second {
		t.Fatalf("parseFlags = %+v, %v", opts, err)
	}
	// Sizes are not capped: 10000 is a valid run, with no targets of its own.
	if opts, err := parseFlags([]string{"-sizes", "10000"}); err != nil || len(opts.sizes) != 1 || opts.sizes[0] != 10000 {
		t.Fatalf("parseFlags(-sizes 10000) = %+v, %v", opts, err)
	}
	if opts, err := parseFlags(nil); err != nil || joinInts(opts.sizes) != "1,100,1000,5000" {
		t.Fatalf("default sizes = %v, %v", opts.sizes, err)
	}
	for _, bad := range [][]string{{"-sizes", "0"}, {"-sizes", "ten"}, {"-job-duration", "-1s"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) accepted bad input", bad)
		}
	}
}

func TestCallsSince(t *testing.T) {
	before := emulatorStats{RequestsByOperation: map[string]int{"ShowJob": 3, "ListDesktops": 1}}
	after := emulatorStats{RequestsByOperation: map[string]int{"ShowJob": 10, "ListDesktops": 1, "BatchCreateDesktopSnapshot": 2}}
	got := after.callsSince(before)
	if len(got) != 2 || got["ShowJob"] != 7 || got["BatchCreateDesktopSnapshot"] != 2 {
		t.Fatalf("callsSince = %v", got)
	}
}

// run1000 is an N=1000 result; change tweaks it before the targets are checked.
func run1000(change func(*sizeResult)) sizeResult {
	r := sizeResult{desktops: 1000, snapshots: 2000, phases: []phaseResult{
		{name: "apply", hasJob: true, overhead: time.Second, jobs: 10,
			calls: map[string]int{"BatchCreateDesktopSnapshot": 10, "ShowJob": 60}},
		{name: "plan (refresh)", wall: time.Second, calls: map[string]int{"ListDesktopSnapshot": 10}},
		{name: "destroy", hasJob: true, overhead: time.Second, jobs: 20,
			calls: map[string]int{"BatchDeleteDesktopSnapshot": 20, "ShowJob": 120}},
	}}
	if change != nil {
		change(&r)
	}
	return r
}

func TestRenderTargets(t *testing.T) {
	opts := options{jobDuration: 5 * time.Second}
	if out := renderTargets(opts, []sizeResult{run1000(nil)}); strings.Contains(out, "missed") {
		t.Fatalf("all targets met, but the report says:\n%s", out)
	}
	cases := map[string]func(*sizeResult){
		"apply overhead":  func(r *sizeResult) { r.phases[0].overhead = 3 * time.Second },
		"create calls":    func(r *sizeResult) { r.phases[0].calls["BatchCreateDesktopSnapshot"] = 11 },
		"polls per job":   func(r *sizeResult) { r.phases[2].calls["ShowJob"] = 200 },
		"refresh calls":   func(r *sizeResult) { r.phases[1].calls["ListDesktopSnapshot"] = 11 },
		"refresh wall":    func(r *sizeResult) { r.phases[1].wall = 2 * time.Second },
		"delete calls":    func(r *sizeResult) { r.phases[2].calls["BatchDeleteDesktopSnapshot"] = 19 },
		"destroy overrun": func(r *sizeResult) { r.phases[2].overhead = 2*time.Second + time.Millisecond },
	}
	for name, change := range cases {
		out := renderTargets(opts, []sizeResult{run1000(change)})
		if strings.Count(out, "**missed**") != 1 {
			t.Errorf("%s: want exactly one missed target, got:\n%s", name, out)
		}
	}
	mem := sizeResult{desktops: 5000, phases: []phaseResult{{name: "apply", peakRSSKB: 151 * 1024}}}
	if out := renderTargets(opts, []sizeResult{mem}); !strings.Contains(out, "**missed** (measured: 151.0 MiB)") {
		t.Errorf("memory target over 150 MiB not reported as missed:\n%s", out)
	}
}

func TestRenderTargetsOtherSizes(t *testing.T) {
	huge := func(n int) sizeResult {
		return sizeResult{desktops: n, snapshots: 2 * n, phases: []phaseResult{
			{name: "apply", hasJob: true, overhead: time.Minute, peakRSSKB: 900 * 1024, jobs: 100,
				calls: map[string]int{"BatchCreateDesktopSnapshot": 100, "ShowJob": 2000}},
		}}
	}
	for _, j := range []time.Duration{5 * time.Second, 2 * time.Second} {
		out := renderTargets(options{jobDuration: j}, []sizeResult{huge(10000), huge(100)})
		if strings.Contains(out, "missed") || strings.Contains(out, " met ") ||
			!strings.Contains(out, "did not include N = 1000 or N = 5000") {
			t.Errorf("J=%s: sizes without targets must not be checked, got:\n%s", j, out)
		}
	}
	// Alongside N = 1000, an N = 10000 run adds no checks of its own.
	with := renderTargets(options{jobDuration: 5 * time.Second}, []sizeResult{run1000(nil), huge(10000)})
	if without := renderTargets(options{jobDuration: 5 * time.Second}, []sizeResult{run1000(nil)}); with != without {
		t.Errorf("N=10000 changed the targets:\n%s\nwant:\n%s", with, without)
	}
}

func TestParseProviderUsage(t *testing.T) {
	cases := []struct {
		name, data string
		rssKB      int64
		cpu        time.Duration
	}{
		{"empty", "", 0, 0},
		{"one process", "25600 1234\n", 25600, 1234 * time.Millisecond},
		// Terraform starts the provider several times per command: the
		// largest RSS, and the CPU times added up.
		{"several processes", "30000 120\n75000 2500\n41000 380\n", 75000, 3000 * time.Millisecond},
		// A line from an older rsswrap has the RSS alone.
		{"legacy line", "90000\n30000 150\n", 90000, 150 * time.Millisecond},
		{"only legacy lines", "20000\n21000\n", 21000, 0},
		{"unreadable lines skipped", "garbage\n\n  \n1 2 3\n-5 10\n40000 x\n40000 -1\n30000 200", 30000, 200 * time.Millisecond},
	}
	for _, c := range cases {
		got := parseProviderUsage(c.data)
		if got.peakRSSKB != c.rssKB || got.cpu != c.cpu {
			t.Errorf("%s: parseProviderUsage(%q) = %+v, want RSS %d KiB, CPU %s", c.name, c.data, got, c.rssKB, c.cpu)
		}
	}
}

func TestReadProviderUsage(t *testing.T) {
	dir := t.TempDir()
	if got := readProviderUsage(filepath.Join(dir, "missing")); got != (providerUsage{}) {
		t.Errorf("missing file: got %+v, want zero", got)
	}
	path := filepath.Join(dir, "usage-0")
	if err := os.WriteFile(path, []byte("1024 10\n2048 20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readProviderUsage(path); got.peakRSSKB != 2048 || got.cpu != 30*time.Millisecond {
		t.Errorf("readProviderUsage = %+v, want 2048 KiB and 30ms", got)
	}
}

func TestRenderReportColumns(t *testing.T) {
	opts := options{sizes: []int{100}, jobDuration: 2 * time.Second}
	results := []sizeResult{{desktops: 100, snapshots: 200, phases: []phaseResult{
		{name: "apply", wall: 3500 * time.Millisecond, overhead: 1500 * time.Millisecond, hasJob: true,
			cpu: 1234 * time.Millisecond, jobs: 1, peakRSSKB: 31 * 1024,
			calls: map[string]int{"BatchCreateDesktopSnapshot": 1, "ShowJob": 6}},
		{name: "plan (refresh)", wall: 800 * time.Millisecond, cpu: 7 * time.Millisecond, peakRSSKB: 30 * 1024,
			calls: map[string]int{"ListDesktopSnapshot": 1}},
	}}}
	out := renderReport(opts, filepath.Join(t.TempDir(), "no-terraform"), results, time.Unix(0, 0))
	for _, want := range []string{
		"| N | phase | wall | overhead | provider CPU | API calls | ShowJob/job | provider peak RSS |\n|---:|---|---:|---:|---:|---|---:|---:|\n",
		"| 100 | apply | 3.50 s | 1.50 s | 1.23 s | create 1, ShowJob 6 | 6.0 | 31.0 MiB |\n",
		"| 100 | plan (refresh) | 0.80 s | – | 0.01 s | list-snap 1 | – | 30.0 MiB |\n",
		"Provider CPU is\nthe user plus system CPU time",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
