package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Operation names as the emulator counts them, in the order the table shows them.
var operationOrder = []string{
	"BatchCreateDesktopSnapshot", "BatchRestoreDesktopSnapshot", "BatchDeleteDesktopSnapshot",
	"ShowJob", "ListDesktopSnapshot", "ListDesktops", "ListItaSubJobs", "KeystoneListProjects",
}

var operationShort = map[string]string{
	"BatchCreateDesktopSnapshot":  "create",
	"BatchRestoreDesktopSnapshot": "restore",
	"BatchDeleteDesktopSnapshot":  "delete",
	"ShowJob":                     "ShowJob",
	"ListDesktopSnapshot":         "list-snap",
	"ListDesktops":                "list-desk",
	"ListItaSubJobs":              "sub-jobs",
	"KeystoneListProjects":        "iam",
}

func renderReport(opts options, tf string, results []sizeResult, now time.Time) string {
	var b strings.Builder
	b.WriteString("# Performance\n\n")
	b.WriteString("Measured by `make bench` (bench/harness): the real terraform CLI drives the provider against the\n")
	b.WriteString("local emulator. Generated file: re-run `make bench` to refresh it; notes below the table are kept in\n")
	b.WriteString("bench/notes.md.\n\n")
	fmt.Fprintf(&b, "- Date: %s\n", now.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %s\n", machine())
	fmt.Fprintf(&b, "- Go: %s; Terraform: %s\n", runtime.Version(), firstLine(tf, "version"))
	fmt.Fprintf(&b, "- Command: `make bench BENCH_SIZES=%s BENCH_JOB_DURATION=%s BENCH_FORM=%s BENCH_OUT=%s` (that is `go run ./bench/harness -sizes %s -job-duration %s -form %s -out %s`)\n",
		joinInts(opts.sizes), opts.jobDuration, opts.form, opts.out, joinInts(opts.sizes), opts.jobDuration, opts.form, opts.out)
	token := ""
	if opts.form == formMatching {
		token = " -auth-token " + emulatorToken
	}
	fmt.Fprintf(&b, "- Emulator: `workspace-emulator -listen 127.0.0.1:0 -desktops N+1 -job-duration %s -seed 1%s`, no faults\n", opts.jobDuration, token)
	ids := "the desktop IDs written in the\nconfiguration"
	switch opts.form {
	case formMatching:
		b.WriteString("- Configuration, matching form: one `workspace_desktop_snapshot_batch` by `desktops_matching`, every\n")
		b.WriteString("  desktop of the project but the last (`except_ids`, its ID asked of the emulator's ListDesktops\n")
		b.WriteString("  with the token above before the first phase; no ID list in the configuration and no desktops data source;\n")
		b.WriteString("  `disk_type = \"ALL\"`, so 2 records per desktop); the last desktop then joins (`except_ids = []`) and\n")
		b.WriteString("  leaves again (in place); then a `workspace_desktop_snapshot_restore` of `desktops_matching.snapshot_desktop_ids_json`.\n\n")
		ids = "the floor makes up the\ndesktop IDs itself, as no ID list is written in the configuration"
	case formFleet:
		b.WriteString("- Configuration, fleet form (the large fleets guide, docs/guides/large-fleets.md): the first N desktops in one\n")
		b.WriteString("  of eight `workspace_desktop_snapshot_batch`es, by the first hex digit of the desktop ID (`for_each`,\n")
		b.WriteString("  about N/8 each; `disk_type = \"ALL\"`, so 2 records per desktop); the last desktop then joins its batch and\n")
		b.WriteString("  leaves it again (in place); then a `workspace_desktop_snapshot_restore` per batch of all its snapshots.\n\n")
	default:
		b.WriteString("- Configuration: one `workspace_desktop_snapshot_batch` over the first N desktops (`disk_type = \"ALL\"`,\n")
		b.WriteString("  so 2 records per desktop); the last desktop then joins the batch and leaves it again (in place);\n")
		b.WriteString("  then a `workspace_desktop_snapshot_restore` of all the batch's snapshots.\n\n")
	}
	b.WriteString("Overhead is wall time minus the job duration J for phases that wait on a job. API calls are counted by the\n")
	b.WriteString("emulator per operation; ShowJob/job is ShowJob calls divided by jobs the phase started. Provider CPU is\n")
	b.WriteString("the user plus system CPU time of the provider processes Terraform started in the phase, summed (it can\n")
	b.WriteString("exceed the wall, as the provider may use more than one core): set against the overhead, or the refresh\n")
	b.WriteString("plan's wall, it shows the provider's share; most of the rest is Terraform core. In brackets, the Go\n")
	b.WriteString("garbage collector's share of it (the runtime's gctrace). Peak RSS is the largest\n")
	b.WriteString("of those processes' peaks. Floor is the same phase's wall against bench/floor's provider, which\n")
	fmt.Fprintf(&b, "does nothing but hold the same values in state (no API call, no job; %s), run right after with the same terraform; × floor is the phase's overhead (its wall,\n", ids)
	b.WriteString("for the refresh plan) over that: what the provider adds to what Terraform takes for that state anyway.\n\n")
	b.WriteString("| N | phase | wall | overhead | provider CPU | API calls | ShowJob/job | provider peak RSS | floor | × floor |\n")
	b.WriteString("|---:|---|---:|---:|---:|---|---:|---:|---:|---:|\n")
	for _, r := range results {
		for _, p := range r.phases {
			overhead := "–"
			if p.hasJob {
				overhead = seconds(p.overhead)
			}
			perJob := "–"
			if p.jobs > 0 {
				perJob = fmt.Sprintf("%.1f", float64(p.calls["ShowJob"])/float64(p.jobs))
			}
			floor, ratio := "–", "–"
			if f, ok := r.floor[p.name]; ok && f > 0 {
				own := p.wall
				if p.hasJob {
					own = p.overhead
				}
				floor, ratio = seconds(f), fmt.Sprintf("%.2f", float64(own)/float64(f))
			}
			cpu := seconds(p.cpu)
			if p.gc > 0 && p.cpu > 0 {
				cpu += fmt.Sprintf(" (GC %.0f%%)", 100*float64(p.gc)/float64(p.cpu))
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %.1f MiB | %s | %s |\n",
				r.desktops, p.name, seconds(p.wall), overhead, cpu, formatCalls(p.calls), perJob,
				float64(p.peakRSSKB)/1024, floor, ratio)
		}
	}
	b.WriteString("\n## Targets\n\n")
	b.WriteString(renderTargets(opts, results))
	if notes, err := os.ReadFile("bench/notes.md"); err == nil {
		b.WriteString("\n")
		b.Write(notes)
	}
	return b.String()
}

func formatCalls(calls map[string]int) string {
	var parts []string
	for _, op := range operationOrder {
		if n := calls[op]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", operationShort[op], n))
		}
	}
	var other []string
	for op, n := range calls {
		if _, known := operationShort[op]; !known {
			other = append(other, fmt.Sprintf("%s %d", op, n))
		}
	}
	sort.Strings(other)
	return strings.Join(append(parts, other...), ", ")
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ",")
}

func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(strings.SplitN(string(data), "\n", 2)[0], "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/1024/1024)
		}
	}
	return fmt.Sprintf("%d CPUs (%s)%s, %s/%s", runtime.NumCPU(), cpu, mem, runtime.GOOS, runtime.GOARCH)
}

func firstLine(bin string, args ...string) string {
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}
