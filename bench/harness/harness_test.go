package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	opts, err := parseFlags([]string{"-sizes", "1, 100", "-job-duration", "2s"})
	if err != nil || len(opts.sizes) != 2 || opts.sizes[1] != 100 || opts.jobDuration != 2*time.Second {
		t.Fatalf("parseFlags = %+v, %v", opts, err)
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
