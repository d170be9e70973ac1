// Command rsswrap stands in for the provider binary during benchmarks: it runs
// the real provider (WORKSPACE_BENCH_PROVIDER) with the same arguments and
// standard streams, and when it exits appends one line to
// WORKSPACE_BENCH_RSS_FILE: its peak resident set size in KiB, the CPU time
// it used (user plus system) in milliseconds and the CPU time of its garbage
// collector in milliseconds, "maxrss_kib cpu_ms gc_ms". Terraform starts a
// provider several times per command, so per phase the harness takes the
// largest RSS and the sums of the CPU times it finds. The collector's time
// is read from the Go runtime's own trace (GODEBUG=gctrace=1, which rsswrap
// sets for the provider and keeps off the provider's stderr).
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run())
}

func run() int {
	target := os.Getenv("WORKSPACE_BENCH_PROVIDER")
	if target == "" {
		fmt.Fprintln(os.Stderr, "rsswrap: WORKSPACE_BENCH_PROVIDER is not set")
		return 2
	}
	cmd := exec.Command(target, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout = os.Stdin, os.Stdout
	cmd.Env = append(os.Environ(), "GODEBUG="+withGCTrace(os.Getenv("GODEBUG")))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		return 2
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		return 2
	}
	gcDone := make(chan time.Duration, 1)
	go func() { gcDone <- filterGCTrace(stderr, os.Stderr) }()
	// Terraform stops plugins over gRPC; forward signals too so an
	// interrupted benchmark does not leave the provider behind.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	gc := <-gcDone // every read of the pipe before Wait
	err = cmd.Wait()
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// Linux reports ru_maxrss in KiB.
		cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
		record(usage.Maxrss, cpu.Milliseconds(), gc.Milliseconds())
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

// withGCTrace adds gctrace=1 to a GODEBUG value.
func withGCTrace(godebug string) string {
	if godebug == "" {
		return "gctrace=1"
	}
	return godebug + ",gctrace=1"
}

// gcLine is a line of the runtime's GC trace; its CPU part is
// "A+B/C/D+E ms cpu" (stop-the-world sweep termination, assist, background
// and idle marking, mark termination).
var gcLine = regexp.MustCompile(`^gc \d+ @[\d.]+s \d+%: .*?, ([\d.+/]+) ms cpu,`)

// filterGCTrace copies r to w but for the GC trace's lines, and returns the
// collector's CPU time they add up to.
func filterGCTrace(r io.Reader, w io.Writer) time.Duration {
	var total time.Duration
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for scanner.Scan() {
		line := scanner.Text()
		m := gcLine.FindStringSubmatch(line)
		if m == nil {
			fmt.Fprintln(w, line)
			continue
		}
		for _, part := range strings.FieldsFunc(m[1], func(r rune) bool { return r == '+' || r == '/' }) {
			if ms, err := strconv.ParseFloat(part, 64); err == nil {
				total += time.Duration(ms * float64(time.Millisecond))
			}
		}
	}
	_, _ = io.Copy(w, r) // what a too-long line left
	return total
}

func record(maxRSSKiB, cpuMS, gcMS int64) {
	path := os.Getenv("WORKSPACE_BENCH_RSS_FILE")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	// Fprintf writes the line in one write call, so with O_APPEND providers
	// that exit at the same time do not interleave their lines.
	fmt.Fprintf(f, "%d %d %d\n", maxRSSKiB, cpuMS, gcMS)
}
