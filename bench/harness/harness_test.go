package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/bench/floor/floorprovider"
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
	for _, form := range forms {
		if opts, err := parseFlags([]string{"-form", form}); err != nil || opts.form != form {
			t.Errorf("parseFlags(-form %s) = %+v, %v", form, opts, err)
		}
	}
	for _, bad := range [][]string{{"-sizes", "0"}, {"-sizes", "ten"}, {"-job-duration", "-1s"}, {"-form", "match"}} {
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

// run1000 is an N=1000 result that meets every target.
func run1000() sizeResult {
	return sizeResult{desktops: 1000, snapshots: 2000, phases: []phaseResult{
		{name: "apply", hasJob: true, overhead: time.Second, jobs: 10,
			calls: map[string]int{"BatchCreateDesktopSnapshot": 10, "ShowJob": 60}},
		{name: "plan (refresh)", wall: time.Second, calls: map[string]int{"ListDesktopSnapshot": 10}},
		{name: "one joins", hasJob: true, overhead: time.Second, jobs: 1, calls: map[string]int{"BatchCreateDesktopSnapshot": 1, "ShowJob": 6}},
		{name: "one leaves", hasJob: true, overhead: time.Second, jobs: 1, calls: map[string]int{"BatchDeleteDesktopSnapshot": 1, "ShowJob": 6}},
		{name: "restore apply", hasJob: true, overhead: time.Second, jobs: 20,
			calls: map[string]int{"BatchRestoreDesktopSnapshot": 20, "ShowJob": 120}},
		{name: "destroy", hasJob: true, overhead: time.Second, jobs: 20,
			calls: map[string]int{"BatchDeleteDesktopSnapshot": 20, "ShowJob": 120}},
	}}
}

// run5000 is an N=5000 result that meets every target, and whose refresh
// plan costs as much per desktop as run1000's.
func run5000() sizeResult {
	return sizeResult{desktops: 5000, snapshots: 10000, phases: []phaseResult{
		{name: "apply", hasJob: true, overhead: 5 * time.Second, jobs: 50, peakRSSKB: 80 * 1024,
			calls: map[string]int{"BatchCreateDesktopSnapshot": 50, "ShowJob": 300}},
		{name: "plan (refresh)", wall: 5 * time.Second, peakRSSKB: 60 * 1024,
			calls: map[string]int{"ListDesktopSnapshot": 50}},
		{name: "one joins", hasJob: true, overhead: time.Second, jobs: 1, calls: map[string]int{"BatchCreateDesktopSnapshot": 1, "ShowJob": 6}},
		{name: "one leaves", hasJob: true, overhead: time.Second, jobs: 1, calls: map[string]int{"BatchDeleteDesktopSnapshot": 1, "ShowJob": 6}},
		{name: "restore apply", hasJob: true, overhead: 5 * time.Second, jobs: 100, peakRSSKB: 70 * 1024,
			calls: map[string]int{"BatchRestoreDesktopSnapshot": 100, "ShowJob": 600}},
		{name: "destroy", hasJob: true, overhead: 5 * time.Second, jobs: 100, peakRSSKB: 50 * 1024,
			calls: map[string]int{"BatchDeleteDesktopSnapshot": 100, "ShowJob": 600}},
	}}
}

// Phase indexes in run1000 and run5000.
const (
	applyPhase = iota
	refreshPhase
	joinPhase
	leavePhase
	restorePhase
	destroyPhase
)

const allTargetsMet = `- N=1000 apply ≤ J + 1.5 s: met (measured: 1.00 s past J)
- N=1000 refresh plan ≤ 1.5 s with ≤ ceil(1000/100) = 10 list calls: met (measured: 1.00 s, 10 ListDesktopSnapshot calls)
- N=1000 destroy ≤ J + 1.5 s with exactly ceil(2000/100) = 20 batch-delete calls: met (measured: 1.00 s past J, 20 BatchDeleteDesktopSnapshot calls)
- N=1000 restore apply ≤ J + 2 s: met (measured: 1.00 s past J)
- N=1000 exactly ceil(1000/100) = 10 batch-create calls: met (measured: 10)
- N=1000 ≤ 8 ShowJob polls per job: met (measured: 6.0 in the worst phase)
- N=5000 apply ≤ J + 8 s: met (measured: 5.00 s past J)
- N=5000 refresh plan ≤ 8 s: met (measured: 5.00 s)
- N=5000 destroy ≤ J + 8 s: met (measured: 5.00 s past J)
- N=5000 exactly ceil(5000/100) = 50 batch-create calls: met (measured: 50)
- N=5000 provider peak RSS ≤ 100 MB (95.4 MiB): met (measured: 80.0 MiB)
- N=5000 one desktop joining ≤ J + 2 s with exactly 1 batch-create call and no other write: met (measured: 1.00 s past J, 1 batch-create, 0 batch-delete, 0 batch-restore calls)
- N=5000 one desktop leaving: exactly 1 batch-delete call and no other write: met (measured: 0 batch-create, 1 batch-delete, 0 batch-restore calls)
- refresh plan wall per desktop at N=5000 ≤ 1.5 × that at N=1000: met (measured: 1.00× (5.00 s at N=5000, 1.00 s at N=1000))
`

func TestRenderTargets(t *testing.T) {
	opts := options{jobDuration: 5 * time.Second}
	both := func(change func(small, large *sizeResult)) []sizeResult {
		small, large := run1000(), run5000()
		if change != nil {
			change(&small, &large)
		}
		return []sizeResult{small, large}
	}
	if out := renderTargets(opts, both(nil)); out != allTargetsMet {
		t.Fatalf("all targets met, but the report says:\n%s\nwant:\n%s", out, allTargetsMet)
	}
	// Every limit is inclusive: a run exactly at each one meets them all.
	atLimits := func(small, large *sizeResult) {
		small.phases[applyPhase].overhead = 1500 * time.Millisecond
		small.phases[refreshPhase].wall = time.Second
		small.phases[restorePhase].overhead = 2 * time.Second
		small.phases[restorePhase].calls["ShowJob"] = 160
		small.phases[destroyPhase].overhead = 1500 * time.Millisecond
		large.phases[applyPhase].overhead = 8 * time.Second
		large.phases[refreshPhase].wall = 7500 * time.Millisecond // 1.5 × N=1000's per desktop
		large.phases[destroyPhase].overhead = 8 * time.Second
		large.phases[restorePhase].peakRSSKB = 97656 // 99,999,744 bytes
	}
	if out := renderTargets(opts, both(atLimits)); strings.Contains(out, "missed") || !strings.Contains(out, "1.50×") {
		t.Errorf("a run at the limits meets every target, but the report says:\n%s", out)
	}
	// The N=1000 refresh limit, which the ratio's limit above keeps clear of.
	small1500 := func(small, _ *sizeResult) { small.phases[refreshPhase].wall = 1500 * time.Millisecond }
	if out := renderTargets(opts, both(small1500)); strings.Contains(out, "missed") {
		t.Errorf("an N=1000 refresh plan of 1.5 s meets its target, but the report says:\n%s", out)
	}

	cases := []struct {
		name   string
		change func(small, large *sizeResult)
		missed string // the start of the one line that must say missed
	}{
		{"N=1000 apply overhead", func(s, _ *sizeResult) { s.phases[applyPhase].overhead = 1500*time.Millisecond + time.Millisecond },
			"- N=1000 apply ≤ J + 1.5 s: **missed** (measured: 1.50 s past J)"},
		{"N=1000 refresh wall", func(s, _ *sizeResult) { s.phases[refreshPhase].wall = 1500*time.Millisecond + time.Millisecond },
			"- N=1000 refresh plan ≤ 1.5 s with ≤ ceil(1000/100) = 10 list calls: **missed** (measured: 1.50 s, 10 "},
		{"N=1000 refresh list calls", func(s, _ *sizeResult) { s.phases[refreshPhase].calls["ListDesktopSnapshot"] = 11 },
			"- N=1000 refresh plan ≤ 1.5 s with ≤ ceil(1000/100) = 10 list calls: **missed** (measured: 1.00 s, 11 "},
		{"N=1000 destroy overhead", func(s, _ *sizeResult) { s.phases[destroyPhase].overhead = 1500*time.Millisecond + time.Millisecond },
			"- N=1000 destroy ≤ J + 1.5 s with exactly ceil(2000/100) = 20 batch-delete calls: **missed** (measured: 1.50 s past J, 20 "},
		{"N=1000 too few delete calls", func(s, _ *sizeResult) { s.phases[destroyPhase].calls["BatchDeleteDesktopSnapshot"] = 19 },
			"- N=1000 destroy ≤ J + 1.5 s with exactly ceil(2000/100) = 20 batch-delete calls: **missed** (measured: 1.00 s past J, 19 "},
		{"N=1000 too many delete calls", func(s, _ *sizeResult) { s.phases[destroyPhase].calls["BatchDeleteDesktopSnapshot"] = 21 },
			"- N=1000 destroy ≤ J + 1.5 s with exactly ceil(2000/100) = 20 batch-delete calls: **missed** (measured: 1.00 s past J, 21 "},
		{"N=1000 restore overhead", func(s, _ *sizeResult) { s.phases[restorePhase].overhead = 2*time.Second + time.Millisecond },
			"- N=1000 restore apply ≤ J + 2 s: **missed** (measured: 2.00 s past J)"},
		{"N=1000 too many create calls", func(s, _ *sizeResult) { s.phases[applyPhase].calls["BatchCreateDesktopSnapshot"] = 11 },
			"- N=1000 exactly ceil(1000/100) = 10 batch-create calls: **missed** (measured: 11)"},
		{"N=1000 too few create calls", func(s, _ *sizeResult) { s.phases[applyPhase].calls["BatchCreateDesktopSnapshot"] = 9 },
			"- N=1000 exactly ceil(1000/100) = 10 batch-create calls: **missed** (measured: 9)"},
		{"N=1000 polls per job", func(s, _ *sizeResult) { s.phases[restorePhase].calls["ShowJob"] = 161 },
			"- N=1000 ≤ 8 ShowJob polls per job: **missed** (measured: 8.1 in the worst phase)"},
		{"N=5000 apply overhead", func(_, l *sizeResult) { l.phases[applyPhase].overhead = 8*time.Second + time.Millisecond },
			"- N=5000 apply ≤ J + 8 s: **missed** (measured: 8.00 s past J)"},
		{"N=5000 refresh wall", func(s, l *sizeResult) {
			// N=1000's refresh is made slower too, keeping the ratio met.
			s.phases[refreshPhase].wall = 1500 * time.Millisecond
			l.phases[refreshPhase].wall = 8*time.Second + time.Millisecond
		}, "- N=5000 refresh plan ≤ 8 s: **missed** (measured: 8.00 s)"},
		{"N=5000 destroy overhead", func(_, l *sizeResult) { l.phases[destroyPhase].overhead = 8*time.Second + time.Millisecond },
			"- N=5000 destroy ≤ J + 8 s: **missed** (measured: 8.00 s past J)"},
		{"N=5000 create calls", func(_, l *sizeResult) { l.phases[applyPhase].calls["BatchCreateDesktopSnapshot"] = 49 },
			"- N=5000 exactly ceil(5000/100) = 50 batch-create calls: **missed** (measured: 49)"},
		// 97657 KiB is 100,000,768 bytes: over 100 MB, though it rounds to 95.4 MiB.
		{"N=5000 peak RSS", func(_, l *sizeResult) { l.phases[restorePhase].peakRSSKB = 97657 },
			"- N=5000 provider peak RSS ≤ 100 MB (95.4 MiB): **missed** (measured: 95.4 MiB)"},
		{"N=5000 join overhead", func(_, l *sizeResult) { l.phases[joinPhase].overhead = 2*time.Second + time.Millisecond },
			"- N=5000 one desktop joining ≤ J + 2 s with exactly 1 batch-create call and no other write: **missed** (measured: 2.00 s past J"},
		{"N=5000 join writes", func(_, l *sizeResult) { l.phases[joinPhase].calls["BatchDeleteDesktopSnapshot"] = 1 },
			"- N=5000 one desktop joining ≤ J + 2 s with exactly 1 batch-create call and no other write: **missed** (measured: 1.00 s past J, 1 batch-create, 1 batch-delete"},
		{"N=5000 join creates", func(_, l *sizeResult) { l.phases[joinPhase].calls["BatchCreateDesktopSnapshot"] = 2 },
			"- N=5000 one desktop joining ≤ J + 2 s with exactly 1 batch-create call and no other write: **missed** (measured: 1.00 s past J, 2 batch-create"},
		{"N=5000 leave writes", func(_, l *sizeResult) { l.phases[leavePhase].calls["BatchCreateDesktopSnapshot"] = 1 },
			"- N=5000 one desktop leaving: exactly 1 batch-delete call and no other write: **missed** (measured: 1 batch-create, 1 batch-delete"},
		{"refresh scaling", func(_, l *sizeResult) { l.phases[refreshPhase].wall = 7600 * time.Millisecond },
			"- refresh plan wall per desktop at N=5000 ≤ 1.5 × that at N=1000: **missed** (measured: 1.52× (7.60 s at N=5000, 1.00 s at N=1000))"},
	}
	for _, c := range cases {
		out := renderTargets(opts, both(c.change))
		if strings.Count(out, "**missed**") != 1 || !strings.Contains(out, c.missed) {
			t.Errorf("%s: want only %q missed, got:\n%s", c.name, c.missed, out)
		}
	}
}

func TestRenderTargetsPartialRuns(t *testing.T) {
	opts := options{jobDuration: 5 * time.Second}
	lines := strings.SplitAfter(allTargetsMet, "\n")
	// N=1000 alone: its own targets only, no ratio.
	if out, want := renderTargets(opts, []sizeResult{run1000()}), strings.Join(lines[:6], ""); out != want {
		t.Errorf("N=1000 alone:\n%s\nwant:\n%s", out, want)
	}
	// N=5000 alone: its own targets only, no ratio.
	if out, want := renderTargets(opts, []sizeResult{run5000()}), strings.Join(lines[6:13], ""); out != want {
		t.Errorf("N=5000 alone:\n%s\nwant:\n%s", out, want)
	}
	// Another J: the targets are still checked, under a notice.
	out := renderTargets(options{jobDuration: 2 * time.Second}, []sizeResult{run1000(), run5000()})
	if want := "Targets are defined for J = 5 s; this run used J = 2s.\n\n" + allTargetsMet; out != want {
		t.Errorf("J=2s:\n%s\nwant:\n%s", out, want)
	}
}

func TestRenderTargetsOtherSizes(t *testing.T) {
	huge := func(n int) sizeResult {
		return sizeResult{desktops: n, snapshots: 2 * n, phases: []phaseResult{
			{name: "apply", hasJob: true, overhead: time.Minute, peakRSSKB: 900 * 1024, jobs: 100,
				calls: map[string]int{"BatchCreateDesktopSnapshot": 100, "ShowJob": 2000}},
			{name: "plan (refresh)", wall: time.Minute},
		}}
	}
	for _, j := range []time.Duration{5 * time.Second, 2 * time.Second} {
		out := renderTargets(options{jobDuration: j}, []sizeResult{huge(10000), huge(100), huge(1)})
		if strings.Contains(out, "missed") || strings.Contains(out, " met ") ||
			!strings.Contains(out, "did not include N = 1000 or N = 5000") {
			t.Errorf("J=%s: sizes without targets must not be checked, got:\n%s", j, out)
		}
	}
	// Alongside N = 1000 and N = 5000, N = 10000 and N = 100 runs add no checks
	// of their own, and take no part in the ratio.
	opts := options{jobDuration: 5 * time.Second}
	if with := renderTargets(opts, []sizeResult{huge(100), run1000(), run5000(), huge(10000)}); with != allTargetsMet {
		t.Errorf("N=100 and N=10000 changed the targets:\n%s\nwant:\n%s", with, allTargetsMet)
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
		{"unreadable lines skipped", "garbage\n\n  \n1 2 3 4\n-5 10\n40000 x\n40000 -1\n40000 1 -1\n30000 200", 30000, 200 * time.Millisecond},
	}
	for _, c := range cases {
		got := parseProviderUsage(c.data)
		if got.peakRSSKB != c.rssKB || got.cpu != c.cpu {
			t.Errorf("%s: parseProviderUsage(%q) = %+v, want RSS %d KiB, CPU %s", c.name, c.data, got, c.rssKB, c.cpu)
		}
	}
	// With the collector's CPU time, summed like the rest.
	if got := parseProviderUsage("30000 120 20\n75000 2500 300\n41000 380\n"); got.cpu != 3000*time.Millisecond || got.gc != 320*time.Millisecond {
		t.Errorf("GC column: %+v, want CPU 3s and GC 320ms", got)
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
			cpu: 1234 * time.Millisecond, gc: 123 * time.Millisecond, jobs: 1, peakRSSKB: 31 * 1024,
			calls: map[string]int{"BatchCreateDesktopSnapshot": 1, "ShowJob": 6}},
		{name: "plan (refresh)", wall: 800 * time.Millisecond, cpu: 7 * time.Millisecond, peakRSSKB: 30 * 1024,
			calls: map[string]int{"ListDesktopSnapshot": 1}},
		{name: "destroy", wall: 2500 * time.Millisecond, overhead: 500 * time.Millisecond, hasJob: true},
	}, floor: map[string]time.Duration{"apply": 600 * time.Millisecond, "plan (refresh)": 400 * time.Millisecond}}}
	out := renderReport(opts, filepath.Join(t.TempDir(), "no-terraform"), results, time.Unix(0, 0))
	for _, want := range []string{
		"| N | phase | wall | overhead | provider CPU | API calls | ShowJob/job | provider peak RSS | floor | × floor |\n|---:|---|---:|---:|---:|---|---:|---:|---:|---:|\n",
		// A phase with a job: its overhead over the floor's wall.
		"| 100 | apply | 3.50 s | 1.50 s | 1.23 s (GC 10%) | create 1, ShowJob 6 | 6.0 | 31.0 MiB | 0.60 s | 2.50 |\n",
		// The refresh plan: its wall over the floor's.
		"| 100 | plan (refresh) | 0.80 s | – | 0.01 s | list-snap 1 | – | 30.0 MiB | 0.40 s | 2.00 |\n",
		// No floor measured for the phase.
		"| 100 | destroy | 2.50 s | 0.50 s | 0.00 s |  | – | 0.0 MiB | – | – |\n",
		"Provider CPU is\nthe user plus system CPU time",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// A phase that did not run is not a phase that took no time: its targets are
// reported missed, never met at 0 s.
func TestRenderTargetsMissingPhase(t *testing.T) {
	r := run1000()
	r.phases = r.phases[:destroyPhase] // no destroy
	out := renderTargets(options{jobDuration: 5 * time.Second}, []sizeResult{r})
	if want := "- N=1000 targets: **missed** (measured: phases not measured: destroy)\n"; out != want {
		t.Fatalf("report:\n%s\nwant:\n%s", out, want)
	}
}

// From 1000 to 20000 desktops: each phase's time and provider CPU per
// desktop, its ratio to the floor and the peak RSS, each against its limit.
func TestRenderGrowth(t *testing.T) {
	scaled := func(n int, timeBy, cpuBy, floorBy float64, peakMiB int64) sizeResult {
		r := run1000()
		r.desktops, r.floor = n, map[string]time.Duration{}
		for i := range r.phases {
			p := &r.phases[i]
			k := float64(n) / 1000
			p.overhead = time.Duration(float64(p.overhead) * k * timeBy)
			p.wall = time.Duration(float64(p.wall) * k * timeBy)
			p.cpu = time.Duration(float64(time.Second) * k * cpuBy)
			p.peakRSSKB = peakMiB * 1024
			r.floor[p.name] = time.Duration(float64(time.Second) * k * floorBy)
		}
		return r
	}
	small := scaled(1000, 1, 1, 1, 40)
	count := func(out, what string) int { return strings.Count(out, what) }
	var b strings.Builder
	check := checkInto(&b)
	plain := options{form: formPlain}
	renderGrowth(check, plain, small, scaled(20000, 1.3, 1.2, 1.3, 180))
	if out := b.String(); count(out, "**missed**") != 0 || count(out, ": met (") != 6*3+1 {
		t.Errorf("at the limits every check is met, one time, one CPU and one floor check per phase and the peak:\n%s", out)
	}
	b.Reset()
	renderGrowth(check, plain, small, scaled(20000, 1.4, 1.3, 1.3, 200))
	if out := b.String(); count(out, "**missed**") != 6*3+1 || !strings.Contains(out, "plain form, destroy: time per desktop at N=20000") {
		t.Errorf("past the limits every check is missed and named by form and phase:\n%s", out)
	}
	// The fleet and matching forms are not held to the floor's ratio.
	for _, form := range []string{formFleet, formMatching} {
		b.Reset()
		renderGrowth(check, options{form: form}, small, scaled(20000, 1.3, 1.2, 1, 180))
		if out := b.String(); count(out, "**missed**") != 0 || count(out, "floor") != 0 || count(out, ": met (") != 6*2+1 {
			t.Errorf("the %s form's checks are time, CPU and the peak:\n%s", form, out)
		}
		b.Reset()
		renderGrowth(check, options{form: form}, small, scaled(20000, 1.4, 1.3, 1, 201))
		if out := b.String(); count(out, "**missed**") != 6*2+1 || !strings.Contains(out, form+" form, one joins: time per desktop") {
			t.Errorf("the %s form past the limits misses each time, CPU and peak check:\n%s", form, out)
		}
	}
}

// The matching form is held to every N = 1000 and N = 5000 target the plain
// form is, the join (1 batch-create, no other write) included, but its
// leave makes no write: a desktop left out keeps its snapshots with the
// batch. It is held to the growth limits as the fleet form is.
func TestRenderTargetsMatchingForm(t *testing.T) {
	opts := options{jobDuration: 5 * time.Second, form: formMatching}
	matchingRun5000 := func() sizeResult {
		r := run5000()
		r.phases[leavePhase] = phaseResult{name: phaseLeave, calls: map[string]int{}}
		return r
	}
	matchingRun1000 := func() sizeResult {
		r := run1000()
		r.phases[destroyPhase].calls["BatchDeleteDesktopSnapshot"] = 21 // the leaver's 2 snapshots too
		return r
	}
	wantMet := strings.Replace(allTargetsMet,
		"- N=1000 destroy ≤ J + 1.5 s with exactly ceil(2000/100) = 20 batch-delete calls: met (measured: 1.00 s past J, 20 BatchDeleteDesktopSnapshot calls)",
		"- N=1000 destroy ≤ J + 1.5 s with exactly ceil(2002/100) = 21 batch-delete calls: met (measured: 1.00 s past J, 21 BatchDeleteDesktopSnapshot calls)", 1)
	wantMet = strings.Replace(wantMet,
		"- N=5000 one desktop leaving: exactly 1 batch-delete call and no other write: met (measured: 0 batch-create, 1 batch-delete, 0 batch-restore calls)",
		"- N=5000 one desktop leaving a matching batch: no write (its snapshots stay with the batch): met (measured: 0 batch-create, 0 batch-delete, 0 batch-restore calls)", 1)
	if out := renderTargets(opts, []sizeResult{matchingRun1000(), matchingRun5000()}); out != wantMet {
		t.Fatalf("matching form, all met:\n%s\nwant:\n%s", out, wantMet)
	}
	for name, change := range map[string]func(l *sizeResult){
		"- N=5000 one desktop joining ≤ J + 2 s with exactly 1 batch-create call and no other write: **missed**": func(l *sizeResult) {
			l.phases[joinPhase].calls["BatchRestoreDesktopSnapshot"] = 1
		},
		"- N=5000 one desktop leaving a matching batch: no write (its snapshots stay with the batch): **missed**": func(l *sizeResult) {
			l.phases[leavePhase].calls["BatchDeleteDesktopSnapshot"] = 1
		},
	} {
		large := matchingRun5000()
		change(&large)
		if out := renderTargets(opts, []sizeResult{matchingRun1000(), large}); strings.Count(out, "**missed**") != 1 || !strings.Contains(out, name) {
			t.Errorf("want only %q, got:\n%s", name, out)
		}
	}
	// With N = 20000 too: the growth checks, without the floor's ratio.
	small, grown := matchingRun1000(), run1000()
	grown.desktops = 20000
	for i := range grown.phases {
		small.phases[i].cpu = time.Second
		grown.phases[i].cpu = 20 * time.Second
		grown.phases[i].overhead *= 20
		grown.phases[i].wall *= 20
	}
	small.floor = map[string]time.Duration{phaseApply: time.Second}
	grown.floor = map[string]time.Duration{phaseApply: time.Second}
	out := renderTargets(opts, []sizeResult{small, matchingRun5000(), grown})
	if !strings.HasPrefix(out, wantMet) || !strings.Contains(out, "matching form, destroy: time per desktop at N=20000") ||
		strings.Contains(out, "× floor") || strings.Contains(out, "**missed**") {
		t.Errorf("matching form with N=20000:\n%s", out)
	}
}

// Both forms' blocks, for the workspace provider and for the floor's: the
// floor's name its own types and none of the batch's settings, and the
// fleet form shards with for_each where the plain one has one batch.
func TestResourcesOf(t *testing.T) {
	for _, form := range []string{formPlain, formFleet} {
		provider, floor := resourcesOf(form, "workspace", desktopSource{ids: "data.x.ids"}), resourcesOf(form, "floor", desktopSource{ids: "local.ids"})
		if !strings.Contains(provider, `resource "workspace_desktop_snapshot_batch" "bench"`) || !strings.Contains(provider, "data.x.ids") ||
			!strings.Contains(provider, `disk_type            = "ALL"`) {
			t.Errorf("%s form, workspace:\n%s", form, provider)
		}
		if strings.Contains(floor, "workspace_") || strings.Contains(floor, "disk_type") || !strings.Contains(floor, `resource "floor_batch" "bench"`) ||
			!strings.Contains(floor, "local.ids") {
			t.Errorf("%s form, floor:\n%s", form, floor)
		}
		if sharded := strings.Contains(provider, "for_each"); sharded != (form == formFleet) || strings.Contains(floor, "for_each") != sharded {
			t.Errorf("%s form: for_each %v, want %v", form, sharded, form == formFleet)
		}
	}
}

// The matching form: one batch by desktops_matching that leaves the last
// desktop out but in the join phase (members = N + 1), a restore of its
// snapshot_desktop_ids_json, and no ID list; the floor's the same by count.
func TestResourcesOfMatching(t *testing.T) {
	const last = "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f"
	provider := resourcesOf(formMatching, "workspace", desktopSource{n: 1000, lastID: last})
	for _, want := range []string{
		`resource "workspace_desktop_snapshot_batch" "bench" {` + "\n  desktops_matching = {\n" +
			`    except_ids = var.members > 1000 ? [] : ["` + last + `"]` + "\n  }\n",
		`disk_type            = "ALL"`,
		"  count             = var.restore ? 1 : 0\n  snapshot_ids_json = workspace_desktop_snapshot_batch.bench.desktops_matching.snapshot_desktop_ids_json\n",
	} {
		if !strings.Contains(provider, want) {
			t.Errorf("matching form, workspace, lacks %q:\n%s", want, provider)
		}
	}
	floor := resourcesOf(formMatching, "floor", desktopSource{n: 1000})
	for _, want := range []string{
		"resource \"floor_matching_batch\" \"bench\" {\n  members = 1001\n  except  = var.members > 1000 ? 0 : 1\n}\n",
		"  snapshot_ids_json = floor_matching_batch.bench.snapshot_desktop_ids_json\n",
	} {
		if !strings.Contains(floor, want) {
			t.Errorf("matching form, floor, lacks %q:\n%s", want, floor)
		}
	}
	for name, body := range map[string]string{"workspace": provider, "floor": floor} {
		for _, banned := range []string{"desktop_ids ", "snapshot_ids ", "slice(", "keys(", "data.", "local.", "for_each"} {
			if strings.Contains(body, banned) {
				t.Errorf("matching form, %s, holds %q:\n%s", name, banned, body)
			}
		}
	}
}

// The whole main.tf of each form: the desktops data source in the plain and
// fleet forms only, the floor's written-out IDs likewise.
func TestConfigsOfForms(t *testing.T) {
	const last = "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f"
	for _, form := range forms {
		config, floor := workspaceConfig(form, "http://127.0.0.1:1", 10, last), floorConfigOf(form, 10)
		listed := form != formMatching
		if got := strings.Contains(config, `data "workspace_desktops" "all"`); got != listed {
			t.Errorf("%s form: data source %v, want %v:\n%s", form, got, listed, config)
		}
		if got := strings.Contains(floor, "locals {") && strings.Contains(floor, "ids = ["); got != listed {
			t.Errorf("%s form: floor's ID list %v, want %v:\n%s", form, got, listed, floor)
		}
		if got := strings.Contains(config, last); got == listed {
			t.Errorf("%s form: last desktop's ID written %v, want %v", form, got, !listed)
		}
		if !strings.Contains(config, "variable \"members\" {\n  type    = number\n  default = 10\n}") ||
			!strings.Contains(config, `endpoint     = "http://127.0.0.1:1"`) || !strings.Contains(floor, "default = 10\n") {
			t.Errorf("%s form: members or endpoint missing:\n%s\n%s", form, config, floor)
		}
	}
}

// The floor's matching batch holds what the workspace one does: N sorted
// desktop IDs, one system disk snapshot each and two snapshots each, every
// ID 36 characters; a join keeps the others' IDs.
func TestFloorMatchingJSON(t *testing.T) {
	matched, system, pairs, err := floorprovider.MatchingJSON(300)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var systemOf, desktopOf map[string]string
	for _, e := range []error{json.Unmarshal([]byte(matched), &ids), json.Unmarshal([]byte(system), &systemOf), json.Unmarshal([]byte(pairs), &desktopOf)} {
		if e != nil {
			t.Fatal(e)
		}
	}
	if len(ids) != 300 || len(systemOf) != 300 || len(desktopOf) != 600 || !sort.StringsAreSorted(ids) {
		t.Fatalf("%d desktops (sorted %v), %d system snapshots, %d snapshots", len(ids), sort.StringsAreSorted(ids), len(systemOf), len(desktopOf))
	}
	perDesktop := map[string]int{}
	for snapshot, d := range desktopOf {
		perDesktop[d]++
		if len(snapshot) != 36 || len(d) != 36 {
			t.Fatalf("IDs %q, %q: want 36 characters", snapshot, d)
		}
	}
	for _, d := range ids {
		if s, ok := systemOf[d]; !ok || desktopOf[s] != d || perDesktop[d] != 2 {
			t.Fatalf("desktop %s: system snapshot %q, %d snapshots", d, s, perDesktop[d])
		}
	}
	joined, _, _, _ := floorprovider.MatchingJSON(301)
	var more []string
	_ = json.Unmarshal([]byte(joined), &more)
	if kept := len(ids) - len(slices.DeleteFunc(slices.Clone(ids), func(d string) bool { return slices.Contains(more, d) })); len(more) != 301 || kept != 300 {
		t.Errorf("a join: %d desktops, %d of the 300 kept", len(more), kept)
	}
}

// The matching form's report names the emulator's -auth-token and says
// the floor writes no ID list; the others' do not change.
func TestRenderReportMatching(t *testing.T) {
	tf := filepath.Join(t.TempDir(), "no-terraform")
	out := renderReport(options{sizes: []int{1000}, jobDuration: 5 * time.Second, form: formMatching}, tf, nil, time.Unix(0, 0))
	for _, want := range []string{"-seed 1 -auth-token " + emulatorToken + "`", "Configuration, matching form", "`desktops_matching`", "the floor makes up the\ndesktop IDs itself"} {
		if !strings.Contains(out, want) {
			t.Errorf("matching report lacks %q:\n%s", want, out)
		}
	}
	plain := renderReport(options{sizes: []int{1000}, jobDuration: 5 * time.Second, form: formPlain}, tf, nil, time.Unix(0, 0))
	if strings.Contains(plain, "auth-token") || !strings.Contains(plain, "no job; the desktop IDs written in the\nconfiguration), run right after") {
		t.Errorf("plain report:\n%s", plain)
	}
}

// lastDesktopID against the real emulator command: the token flag, the
// documented ListDesktops paging and the emulator's order, as a run uses
// them. It builds the command, so -short skips it.
func TestLastDesktopID(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/workspace-emulator")
	}
	bin := filepath.Join(t.TempDir(), "workspace-emulator")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/workspace-emulator").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	emu, err := startEmulator(bin, 12, time.Second, true)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = emu.stop() }()
	last, err := emu.lastDesktopID(12)
	if err != nil {
		t.Fatal(err)
	}
	// The last of the whole list, asked for the same way.
	req, _ := http.NewRequest(http.MethodGet, emu.url+"/v2/"+emulatorProjectID+"/desktops", nil)
	req.Header.Set("X-Auth-Token", emulatorToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var all struct {
		Desktops []struct {
			DesktopID    string `json:"desktop_id"`
			ComputerName string `json:"computer_name"`
		} `json:"desktops"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil || len(all.Desktops) != 12 {
		t.Fatalf("full list: %d desktops, %v", len(all.Desktops), err)
	}
	if want := all.Desktops[11]; last != want.DesktopID || want.ComputerName != "WKSPC0012" || len(last) != 36 {
		t.Errorf("lastDesktopID = %q, want %q (%s)", last, want.DesktopID, want.ComputerName)
	}
	// Started with another count than the emulator holds: an error, not some other desktop.
	if id, err := emu.lastDesktopID(13); err == nil || !strings.Contains(err.Error(), "holds 12 desktops") {
		t.Errorf("lastDesktopID(13) = %q, %v; want an error naming 12", id, err)
	}
	// Without -auth-token the emulator refuses the token.
	plain, err := startEmulator(bin, 2, time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = plain.stop() }()
	if _, err := plain.lastDesktopID(2); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("without -auth-token: %v, want HTTP 401", err)
	}
}
