package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// TestMain lets the test binary act as the command, so the signal path of
// main() is tested on a real process without building anything.
func TestMain(m *testing.M) {
	if os.Getenv("WORKSPACE_EMULATOR_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRunServesAndSavesState(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-desktops", "3", "-state", state, "-seed", "4"}, w, io.Discard)
		w.Close()
	}()
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatalf("no first line: %v", <-done)
	}
	url, ok := strings.CutPrefix(lines.Text(), "listening on http://127.0.0.1:")
	if !ok {
		t.Fatalf("first line %q", lines.Text())
	}
	url = "http://127.0.0.1:" + url
	go func() { _, _ = io.Copy(io.Discard, out) }()

	res, err := http.Get(url + "/_emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	var stats struct{ Desktops int }
	_ = json.NewDecoder(res.Body).Decode(&stats)
	res.Body.Close()
	if stats.Desktops != 3 {
		t.Errorf("stats report %d desktops, want 3", stats.Desktops)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
	var saved struct{ Desktops []struct{ Name string } }
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatalf("state file not written: %v", err)
	}
	if err := json.Unmarshal(data, &saved); err != nil || len(saved.Desktops) != 3 || saved.Desktops[0].Name != "wks-desktop-0001" {
		t.Errorf("state file holds %+v (%v)", saved, err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for args, want := range map[string]string{
		"-fault-5xx-rate 1.5":                 "-fault-5xx-rate must be between 0 and 1, got 1.5",
		"-fault-reset-rate -0.1":              "-fault-reset-rate must be between 0 and 1",
		"-subjob-failure-rate 2":              "-subjob-failure-rate must be between 0 and 1",
		"-throttle-rps -1":                    "-throttle-rps must be 0 (off) or positive",
		"-latency -1s":                        "-latency must not be negative",
		"-job-duration -5s":                   "-job-duration must not be negative",
		"-desktops -1":                        "-desktops must be 0 or more",
		"-job-time-offset 7m":                 "-job-time-offset must be a multiple of 15m from -12h to +14h",
		"-job-time-offset 15h":                "-job-time-offset must be a multiple of 15m from -12h to +14h (UTC-12:00 to UTC+14:00), got 15h0m0s",
		"-job-time-offset -13h":               "-job-time-offset must be a multiple of 15m",
		"-job-time-offset 8":                  "invalid value",
		"-subjob-entity ids":                  `-subjob-entity must be "", "desktop" or "empty", got "ids"`,
		"-not-found 410":                      `-not-found must be "", "404" or "400", got "410"`,
		"-subjob-order random":                `-subjob-order must be "", "newest" or "oldest", got "random"`,
		"-restore-job-type createWksSnapshot": "-restore-job-type must not be the type of another snapshot job",
		"-no-retry-after=maybe":               "invalid boolean value",
		"-concurrent-jobs=often":              "invalid boolean value",
		"-list-lag -1s":                       "-list-lag must be from 0 to 1h0m0s, got -1s",
		"-list-lag 2h":                        "-list-lag must be from 0 to 1h0m0s, got 2h0m0s",
		"-not-found 1 -subjob-order 2":        `-subjob-order must be "", "newest" or "oldest", got "2"`,
		"-user-name-match prefix":             `-user-name-match must be "", "exact" or "fuzzy", got "prefix"`,
		"-list-page-cap -1":                   "-list-page-cap must be from 0 (no cap) to 1000, got -1",
		"-list-page-cap 1001":                 "-list-page-cap must be from 0 (no cap) to 1000, got 1001",
		"-list-page-cap many":                 "invalid value",
		"-subjob-entities none":               `-subjob-entities must be "" or "create_only", got "none"`,
		"-show-job-sub-jobs-cap 101":          "-show-job-sub-jobs-cap must be from 0 (all) to 100",
		"-show-job-sub-jobs-cap -2":           "-show-job-sub-jobs-cap must be from 0 (all) to 100 (a job has at most 100 sub-jobs), got -2",
		"-show-job-omit-total=perhaps":        "invalid boolean value",
		"-access-key=":                        "-access-key must not be empty",
		"-state /no/such/dir/s":               "directory /no/such/dir does not exist",
		"-desktops ten":                       "invalid value",
		"-bogus":                              "flag provided but not defined",
		"extra":                               "unexpected arguments",
	} {
		err := run(context.Background(), strings.Fields(args), io.Discard, io.Discard)
		var usage *usageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a usage error mentioning %q", args, err, want)
		}
	}
}

func TestDialectFlags(t *testing.T) {
	for _, tc := range []struct {
		args string
		want emulator.Dialect
	}{
		{"", emulator.Dialect{NotFound: "404", SubJobOrder: "newest", RestoreJobType: "restoreDesktopBySnapshot", UserNameMatch: "exact"}},
		{"-job-time-offset 8h -subjob-entity desktop -not-found 400 -subjob-order oldest -restore-job-type restoreWksSnapshot -no-retry-after -concurrent-jobs -list-lag 10s",
			emulator.Dialect{JobTimeOffset: 8 * time.Hour, SubJobEntity: "desktop", NotFound: "400", SubJobOrder: "oldest", RestoreJobType: "restoreWksSnapshot", NoRetryAfter: true, ConcurrentJobs: true, ListLag: 10 * time.Second, UserNameMatch: "exact"}},
		{"-job-time-offset -5h30m -subjob-entity empty -restore-job-type= -user-name-match=",
			emulator.Dialect{JobTimeOffset: -(5*time.Hour + 30*time.Minute), SubJobEntity: "empty", NotFound: "404", SubJobOrder: "newest"}},
		{"-user-name-match fuzzy -list-page-cap 50 -subjob-entities create_only -show-job-sub-jobs-cap 3 -show-job-omit-total",
			emulator.Dialect{NotFound: "404", SubJobOrder: "newest", RestoreJobType: "restoreDesktopBySnapshot",
				UserNameMatch: "fuzzy", ListPageCap: 50, SubJobEntities: "create_only", ShowJobSubJobsCap: 3, ShowJobOmitTotal: true}},
	} {
		cfg, _, err := parseFlags(strings.Fields(tc.args), io.Discard)
		if err != nil || cfg.Dialect != tc.want {
			t.Errorf("%q: dialect %+v, %v; want %+v", tc.args, cfg.Dialect, err, tc.want)
		}
	}
	// Both bad dialect flags are named at once.
	err := run(context.Background(), []string{"-not-found", "x", "-subjob-entity", "y"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-not-found must be") || !strings.Contains(err.Error(), "-subjob-entity must be") {
		t.Errorf("two bad dialect flags: %v", err)
	}
}

func TestProcessExitsCleanlyOnSIGTERM(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(os.Args[0], "-listen", "127.0.0.1:0", "-desktops", "1", "-state", state)
	cmd.Env = append(os.Environ(), "WORKSPACE_EMULATOR_RUN_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(first, "listening on http://127.0.0.1:") {
		_ = cmd.Process.Kill()
		t.Fatalf("first line %q, %v", first, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
		_ = cmd.Process.Kill()
		t.Fatal("no exit after SIGTERM")
	}
	if _, err := os.Stat(state); err != nil {
		t.Errorf("state file after SIGTERM: %v", err)
	}
}

func TestProcessExitStatusForBadFlags(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-fault-5xx-rate", "3")
	cmd.Env = append(os.Environ(), "WORKSPACE_EMULATOR_RUN_MAIN=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "-fault-5xx-rate must be between 0 and 1") {
		t.Errorf("exit %v, output %q; want status 2 and the reason", err, out)
	}
}
