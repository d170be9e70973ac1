package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// parseFlags reads the command line into an emulator configuration and the
// listen address; a bad value is a *usageError naming the flag.
func parseFlags(args []string, stderr io.Writer) (emulator.Config, string, error) {
	var cfg emulator.Config
	fl := flag.NewFlagSet("workspace-emulator", flag.ContinueOnError)
	fl.SetOutput(stderr)
	listen := fl.String("listen", "127.0.0.1:8080", "address to listen on; port 0 picks a free port")
	fl.StringVar(&cfg.AccessKey, "access-key", emulator.DefaultAccessKey, "access key (AK) signed requests must use")
	fl.StringVar(&cfg.SecretKey, "secret-key", emulator.DefaultSecretKey, "secret key (SK) signatures are checked with")
	fl.StringVar(&cfg.ProjectID, "project-id", emulator.DefaultProjectID, "the one project ID the emulator serves")
	fl.StringVar(&cfg.Region, "region", emulator.DefaultRegion, "region name, also the IAM project name")
	fl.StringVar(&cfg.AuthToken, "auth-token", "", "accept X-Auth-Token equal to this instead of a signature (empty: tokens refused)")
	fl.IntVar(&cfg.Desktops, "desktops", 10, "number of desktops to seed (ignored when -state exists)")
	fl.DurationVar(&cfg.JobDuration, "job-duration", 5*time.Second, "how long a job takes from WAITING to its end")
	fl.StringVar(&cfg.StateFile, "state", "", "JSON state file: loaded at start if it exists, written at shutdown")
	fl.Float64Var(&cfg.Faults.Fault5xxRate, "fault-5xx-rate", 0, "share of API requests answered 5xx without acting, 0..1")
	fl.Float64Var(&cfg.Faults.FaultResetRate, "fault-reset-rate", 0, "share of API requests acted on, then reset, 0..1")
	fl.Float64Var(&cfg.Faults.ThrottleRPS, "throttle-rps", 0, "answer 429 APIGW.0308 above this many requests a second (0: off)")
	fl.DurationVar(&cfg.Faults.Latency, "latency", 0, "delay added to every API answer")
	fl.Float64Var(&cfg.Faults.SubJobFailureRate, "subjob-failure-rate", 0, "share of sub-jobs that end FAILED, 0..1")
	fl.Int64Var(&cfg.Seed, "seed", 0, "seed of every generated ID and fault decision")
	// The dialect: which plausible answer to give where the reference is silent.
	fl.DurationVar(&cfg.Dialect.JobTimeOffset, "job-time-offset", 0, "zone of job and sub-job begin_time/end_time as an offset from UTC, e.g. 8h or -5h30m (multiples of 15m, -12h..14h)")
	fl.StringVar(&cfg.Dialect.SubJobEntity, "subjob-entity", "", `sub-job entity: "" (create: the desktop ID; restore, delete: its snapshot IDs comma-joined), "desktop" (the desktop ID) or "empty" (omitted)`)
	fl.StringVar(&cfg.Dialect.NotFound, "not-found", emulator.NotFound404, `unknown desktop, snapshot or job: "404" (404 WKS.0004) or "400" (400 WKS.0001)`)
	fl.StringVar(&cfg.Dialect.SubJobOrder, "subjob-order", emulator.SubJobOrderNewest, `ListItaSubJobs order: "newest" or "oldest" first`)
	fl.StringVar(&cfg.Dialect.RestoreJobType, "restore-job-type", "restoreDesktopBySnapshot", "job_type of batch-restore jobs, e.g. restoreWksSnapshot")
	fl.BoolVar(&cfg.Dialect.NoRetryAfter, "no-retry-after", false, "429 answers carry no Retry-After header")
	fl.DurationVar(&cfg.Dialect.ListLag, "list-lag", 0, "ListDesktopSnapshot answers as of this long ago (new records, changes and deletes show that late; jobs do not lag), 0..1h")
	fl.BoolVar(&cfg.Dialect.ConcurrentJobs, "concurrent-jobs", false, "accept batch-create, -restore and -delete over desktops under another running job and run them alongside (default: 409 WKS.00010032)")
	fl.StringVar(&cfg.Dialect.UserNameMatch, "user-name-match", emulator.UserNameMatchExact, `ListDesktops user_name filter: "exact" or "fuzzy" (the user name contains it, ignoring case)`)
	fl.IntVar(&cfg.Dialect.ListPageCap, "list-page-cap", 0, "pages of ListDesktops, ListDesktopSnapshot and ListItaSubJobs hold at most this many items whatever limit asks; total_count still counts every match (0: no cap), 0..1000")
	fl.StringVar(&cfg.Dialect.SubJobEntities, "subjob-entities", "", `sub-job entities.desktop_id: "" (in every sub-job) or "create_only" (left out of restore and delete sub-jobs)`)
	fl.IntVar(&cfg.Dialect.ShowJobSubJobsCap, "show-job-sub-jobs-cap", 0, "ShowJob lists at most this many sub_jobs, the rest only through ListItaSubJobs (0: all), 0..100")
	fl.BoolVar(&cfg.Dialect.ShowJobOmitTotal, "show-job-omit-total", false, "ShowJob leaves sub_jobs_total out")
	if err := fl.Parse(args); err != nil {
		return cfg, "", &usageError{err: err, printed: true} // the flag package printed it
	}
	if fl.NArg() > 0 {
		return cfg, "", &usageError{err: fmt.Errorf("unexpected arguments %q; every setting is a flag", fl.Args())}
	}
	if err := checkFlags(cfg, *listen); err != nil {
		return cfg, "", &usageError{err: err}
	}
	return cfg, *listen, nil
}

// checkFlags reports every flag outside its range at once.
func checkFlags(cfg emulator.Config, listen string) error {
	var errs []error
	if listen == "" {
		errs = append(errs, errors.New("-listen must not be empty"))
	}
	for _, f := range []struct {
		name, value string
	}{{"-access-key", cfg.AccessKey}, {"-secret-key", cfg.SecretKey}, {"-project-id", cfg.ProjectID}, {"-region", cfg.Region}} {
		if f.value == "" {
			errs = append(errs, fmt.Errorf("%s must not be empty", f.name))
		}
	}
	if cfg.Desktops < 0 {
		errs = append(errs, fmt.Errorf("-desktops must be 0 or more, got %d", cfg.Desktops))
	}
	if cfg.JobDuration < 0 {
		errs = append(errs, fmt.Errorf("-job-duration must not be negative, got %s", cfg.JobDuration))
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"-fault-5xx-rate", cfg.Faults.Fault5xxRate}, {"-fault-reset-rate", cfg.Faults.FaultResetRate}, {"-subjob-failure-rate", cfg.Faults.SubJobFailureRate}} {
		if !(r.v >= 0 && r.v <= 1) {
			errs = append(errs, fmt.Errorf("%s must be between 0 and 1, got %v", r.name, r.v))
		}
	}
	if !(cfg.Faults.ThrottleRPS >= 0) {
		errs = append(errs, fmt.Errorf("-throttle-rps must be 0 (off) or positive, got %v", cfg.Faults.ThrottleRPS))
	}
	if cfg.Faults.Latency < 0 {
		errs = append(errs, fmt.Errorf("-latency must not be negative, got %s", cfg.Faults.Latency))
	}
	errs = append(errs, dialectFlagErrors(cfg.Dialect.Validate())...)
	if cfg.StateFile != "" {
		if _, err := os.Stat(filepath.Dir(cfg.StateFile)); errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("-state %s: directory %s does not exist", cfg.StateFile, filepath.Dir(cfg.StateFile)))
		}
	}
	return errors.Join(errs...)
}

// dialectFlagErrors renames the emulator's dialect errors after the flags:
// each names a JSON key, which is the flag's name with underscores.
func dialectFlagErrors(err error) []error {
	if err == nil {
		return nil
	}
	list := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		list = joined.Unwrap()
	}
	out := make([]error, 0, len(list))
	for _, e := range list {
		var de *emulator.DialectError
		if errors.As(e, &de) {
			e = fmt.Errorf("-%s %s", strings.ReplaceAll(de.Field, "_", "-"), de.Problem)
		}
		out = append(out, e)
	}
	return out
}

// lockedWriter serialises the address line and the request log.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
