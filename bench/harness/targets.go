package main

import (
	"fmt"
	"strings"
	"time"
)

// The targets, for N = 1000 and J = 5 s on a 2-core machine, except
// the memory target, which is for N = 5000. Other sizes (1, 100, 10000, ...)
// have no targets: their rows are reported, not checked.
const (
	targetN            = 1000
	targetMemN         = 5000
	maxApplyOverhead   = 2 * time.Second
	maxPollsPerJob     = 8
	maxRefreshPlanWall = 2 * time.Second
	maxPeakRSSKB       = 150 * 1024
)

func renderTargets(opts options, results []sizeResult) string {
	var b strings.Builder
	check := func(ok bool, what, measured string) {
		mark := "met"
		if !ok {
			mark = "**missed**"
		}
		fmt.Fprintf(&b, "- %s: %s (measured: %s)\n", what, mark, measured)
	}
	if opts.jobDuration != 5*time.Second {
		fmt.Fprintf(&b, "Targets are defined for J = 5 s; this run used J = %s.\n\n", opts.jobDuration)
	}
	checked := false
	for _, r := range results {
		switch r.desktops {
		case targetN:
			checked = true
			apply, refresh, destroy := r.phase("apply"), r.phase("plan (refresh)"), r.phase("destroy")
			chunks := ceilDiv(r.desktops, 100)
			check(apply.overhead <= maxApplyOverhead, "N=1000 apply overhead ≤ 2 s", seconds(apply.overhead))
			check(apply.calls["BatchCreateDesktopSnapshot"] == chunks, "exactly 10 batch-create calls",
				fmt.Sprint(apply.calls["BatchCreateDesktopSnapshot"]))
			worst := 0.0
			for _, p := range r.phases {
				if p.jobs > 0 {
					if v := float64(p.calls["ShowJob"]) / float64(p.jobs); v > worst {
						worst = v
					}
				}
			}
			check(worst <= maxPollsPerJob, "≤ 8 ShowJob polls per job", fmt.Sprintf("%.1f in the worst phase", worst))
			check(refresh.wall < maxRefreshPlanWall && refresh.calls["ListDesktopSnapshot"] <= chunks,
				"refresh plan < 2 s with ≤ ceil(N/100) list calls",
				fmt.Sprintf("%s, %d ListDesktopSnapshot calls", seconds(refresh.wall), refresh.calls["ListDesktopSnapshot"]))
			deletes := ceilDiv(r.snapshots, 100)
			check(destroy.overhead <= maxApplyOverhead && destroy.calls["BatchDeleteDesktopSnapshot"] == deletes,
				fmt.Sprintf("destroy overhead ≤ 2 s with ceil(%d/100) = %d batch-delete calls", r.snapshots, deletes),
				fmt.Sprintf("%s, %d calls", seconds(destroy.overhead), destroy.calls["BatchDeleteDesktopSnapshot"]))
		case targetMemN:
			checked = true
			var peak int64
			for _, p := range r.phases {
				peak = max(peak, p.peakRSSKB)
			}
			check(peak <= maxPeakRSSKB, "provider peak RSS ≤ 150 MB at N = 5000", fmt.Sprintf("%.1f MiB", float64(peak)/1024))
		}
	}
	if !checked {
		b.WriteString("This run did not include N = 1000 or N = 5000, where the targets are defined.\n")
	}
	return b.String()
}

func (r sizeResult) phase(name string) phaseResult {
	for _, p := range r.phases {
		if p.name == name {
			return p
		}
	}
	return phaseResult{}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
