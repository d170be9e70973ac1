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

// emulatorToken is the X-Auth-Token the emulator accepts when started with
// it (its -auth-token flag), so the harness can ask it for a desktop ID
// without signing requests; the provider still signs with the AK/SK.
const emulatorToken = "bench-harness-token"

// startEmulator starts the command; withToken adds -auth-token, for
// lastDesktopID.
func startEmulator(bin string, desktops int, jobDuration time.Duration, withToken bool) (*emulatorProcess, error) {
	args := []string{
		"-listen", "127.0.0.1:0",
		"-desktops", fmt.Sprint(desktops),
		"-job-duration", jobDuration.String(),
		"-seed", "1",
	}
	if withToken {
		args = append(args, "-auth-token", emulatorToken)
	}
	cmd := exec.Command(bin, args...)
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

// lastDesktopID is the ID of the emulator's last desktop in its own order
// (seeding order, which ListDesktops keeps), asked for by the documented
// ListDesktops at offset total-1 with the emulator's X-Auth-Token. total is
// how many desktops it was started with; a different total_count is an error,
// as the ID would not be the one the phases expect to join.
func (e *emulatorProcess) lastDesktopID(total int) (string, error) {
	url := fmt.Sprintf("%s/v2/%s/desktops?offset=%d&limit=1", e.url, emulatorProjectID, total-1)
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Auth-Token", emulatorToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return "", fmt.Errorf("ListDesktops: HTTP %d: %s", resp.StatusCode, body)
	}
	var page struct {
		TotalCount int `json:"total_count"`
		Desktops   []struct {
			DesktopID string `json:"desktop_id"`
		} `json:"desktops"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return "", fmt.Errorf("ListDesktops: %w", err)
	}
	if page.TotalCount != total || len(page.Desktops) != 1 || page.Desktops[0].DesktopID == "" {
		return "", fmt.Errorf("ListDesktops: the emulator holds %d desktops (%d on the page at offset %d), want %d",
			page.TotalCount, len(page.Desktops), total-1, total)
	}
	return page.Desktops[0].DesktopID, nil
}
