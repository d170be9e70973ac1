package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// emulatorProcess is a running workspace-emulator command.
type emulatorProcess struct {
	cmd *exec.Cmd
	url string
}

func startEmulator(bin string, desktops int, jobDuration time.Duration) (*emulatorProcess, error) {
	cmd := exec.Command(bin,
		"-listen", "127.0.0.1:0",
		"-desktops", fmt.Sprint(desktops),
		"-job-duration", jobDuration.String(),
		"-seed", "1",
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := bufio.NewReader(stdout)
	first, err := lines.ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("emulator did not report its address: %w", err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(first), "listening on ")
	if !ok {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("unexpected first emulator line %q", first)
	}
	// The request log must keep draining or the emulator blocks on stdout.
	go func() { _, _ = io.Copy(io.Discard, lines) }()
	return &emulatorProcess{cmd: cmd, url: url}, nil
}

func (e *emulatorProcess) stop() error {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- e.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		return fmt.Errorf("emulator did not stop within 10s of SIGTERM")
	}
}

// emulatorStats is the part of GET /_emulator/stats the report uses.
type emulatorStats struct {
	RequestsByOperation map[string]int `json:"requests_by_operation"`
	Desktops            int            `json:"desktops"`
	Snapshots           int            `json:"snapshots"`
	Jobs                int            `json:"jobs"`
}

func (e *emulatorProcess) stats() (emulatorStats, error) {
	var s emulatorStats
	resp, err := http.Get(e.url + "/_emulator/stats")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("GET /_emulator/stats: HTTP %d", resp.StatusCode)
	}
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// callsSince returns the requests made per operation since before.
func (s emulatorStats) callsSince(before emulatorStats) map[string]int {
	diff := map[string]int{}
	for op, n := range s.RequestsByOperation {
		if d := n - before.RequestsByOperation[op]; d > 0 {
			diff[op] = d
		}
	}
	return diff
}
