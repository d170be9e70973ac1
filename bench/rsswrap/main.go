// Command rsswrap stands in for the provider binary during benchmarks: it runs
// the real provider (WORKSPACE_BENCH_PROVIDER) with the same arguments and
// standard streams, and when it exits appends one line to
// WORKSPACE_BENCH_RSS_FILE: its peak resident set size in KiB and the CPU time
// it used (user plus system) in milliseconds, "maxrss_kib cpu_ms". Terraform
// starts a provider several times per command, so per phase the harness takes
// the largest RSS and the sum of the CPU times it finds.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
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
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		return 2
	}
	// Terraform stops plugins over gRPC; forward signals too so an
	// interrupted benchmark does not leave the provider behind.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// Linux reports ru_maxrss in KiB.
		cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
		record(usage.Maxrss, cpu.Milliseconds())
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

func record(maxRSSKiB, cpuMS int64) {
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
	fmt.Fprintf(f, "%d %d\n", maxRSSKiB, cpuMS)
}
