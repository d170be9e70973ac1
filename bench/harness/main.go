// Command harness measures the provider end to end: for each desktop count it
// starts the emulator, drives the real terraform CLI through apply, a refresh
// plan, a restore apply and destroy of a workspace_desktop_snapshot_batch, and
// reports wall time, overhead above the job duration, the provider's CPU time,
// API calls by operation (from the emulator's /_emulator/stats), ShowJob polls
// per job and the provider's peak RSS. `make bench` runs it and writes
// bench/reports/performance.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

type options struct {
	sizes       []int
	jobDuration time.Duration
	out         string
	terraform   string
	keepWorkdir bool
	form        string // formPlain, formFleet or formMatching
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(2)
	}
	if err := run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	fs := flag.NewFlagSet("harness", flag.ContinueOnError)
	sizes := fs.String("sizes", "1,100,1000,5000", "comma-separated desktop counts")
	opts := options{}
	fs.DurationVar(&opts.jobDuration, "job-duration", 5*time.Second, "emulator job duration J")
	fs.StringVar(&opts.out, "out", "bench/reports/performance.md", "report file (empty: stdout only)")
	fs.StringVar(&opts.terraform, "terraform", "", "terraform binary (default: terraform on PATH)")
	fs.BoolVar(&opts.keepWorkdir, "keep", false, "keep the temporary working directory")
	fs.StringVar(&opts.form, "form", formPlain, "configuration: plain (one batch), fleet (eight batches, by the first hex digit of the desktop ID) "+
		"or matching (one batch by desktops_matching, all the project's desktops but the last; no ID list in the configuration)")
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if !slices.Contains(forms, opts.form) {
		return opts, fmt.Errorf("-form: %q is not one of %s", opts.form, strings.Join(forms, ", "))
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return opts, fmt.Errorf("-sizes: %q is not a positive desktop count", s)
		}
		opts.sizes = append(opts.sizes, n)
	}
	if opts.jobDuration < 0 {
		return opts, fmt.Errorf("-job-duration must not be negative")
	}
	return opts, nil
}

func run(opts options) error {
	tf, err := findTerraform(opts.terraform)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "workspace-bench-")
	if err != nil {
		return err
	}
	if opts.keepWorkdir {
		fmt.Fprintln(os.Stderr, "harness: working directory", work)
	} else {
		defer os.RemoveAll(work)
	}
	bins, err := buildBinaries(work)
	if err != nil {
		return err
	}
	var results []sizeResult
	for _, n := range opts.sizes {
		fmt.Fprintf(os.Stderr, "harness: N=%d J=%s\n", n, opts.jobDuration)
		r, err := benchSize(tf, bins, filepath.Join(work, fmt.Sprintf("n%d", n)), n, opts.jobDuration, opts.form)
		if err != nil {
			return fmt.Errorf("N=%d: %w", n, err) //nolint:staticcheck // N is the fleet size, as in the report
		}
		if r.floor, err = benchFloor(tf, bins.floor, filepath.Join(work, fmt.Sprintf("floor%d", n)), n, opts.form); err != nil {
			return fmt.Errorf("N=%d: %w", n, err) //nolint:staticcheck // as above
		}
		results = append(results, r)
	}
	report := renderReport(opts, tf, results, time.Now().UTC())
	fmt.Print(report)
	if opts.out != "" {
		return os.WriteFile(opts.out, []byte(report), 0o644)
	}
	return nil
}
