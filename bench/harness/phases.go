package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The emulator's default credentials (internal/emulator); the harness talks
// to the command, not the package, as a user would.
const (
	emulatorAccessKey = "EMULATORACCESSKEY0001"
	emulatorSecretKey = "emulator-secret-key-0000000000000000000000"
	emulatorProjectID = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
	emulatorRegion    = "cn-north-4"
)

const benchConfig = `terraform {
  required_providers {
    workspace = {
      source = "cloud-desktop/workspace"
    }
  }
}

variable "restore" {
  type    = bool
  default = false
}

# The batch holds the first N of the emulator's N + 1 desktops; the join
# and leave phases add the last one and take it out again.
variable "members" {
  type    = number
  default = %[6]d
}

provider "workspace" {
  region       = %[1]q
  project_id   = %[2]q
  access_key   = %[3]q
  secret_key   = %[4]q
  endpoint     = %[5]q
  iam_endpoint = %[5]q
}
%[7]s%[8]s`

// desktopsDataSource is where the plain and fleet forms take their desktop
// IDs from; the matching form has none (the provider finds the desktops).
const desktopsDataSource = `
# Only the IDs: the batches need nothing else (the large fleets guide, docs/guides/large-fleets.md).
data "workspace_desktops" "all" {
  ids_only = true
}
`

// The batch and restore of each form, after the desktops data source; %%s
// is what the form's batches take their desktops from. The plain form is
// one batch; the fleet form (the large fleets guide,
// docs/guides/large-fleets.md) is eight batches, by the first hex digit of
// the desktop ID, so a desktop joining or leaving
// touches its own batch only and no batch carries more than about N/8. The
// matching form is one batch by desktops_matching: every desktop of the
// project but except_ids, so the configuration holds no ID list; %[1]d is N
// and %[2]q the last desktop's ID, left out until the join phase.
const (
	plainForm = `
resource "workspace_desktop_snapshot_batch" "bench" {
  desktop_ids          = slice(%s, 0, var.members)
  disk_type            = "ALL"
  system_disk_snapshot = { name = "bench" }
  data_disk_snapshot   = { name = "bench" }
}

resource "workspace_desktop_snapshot_restore" "bench" {
  count        = var.restore ? 1 : 0
  snapshot_ids = keys(workspace_desktop_snapshot_batch.bench.snapshot_desktop_ids)
}
`
	fleetForm = `
locals {
  # Eight batches, by the desktop ID's first hex digit: Terraform runs ten
  # operations at once by default, so all eight wait on their jobs together.
  shards = { for id in slice(%s, 0, var.members) : tostring(parseint(substr(id, 0, 1), 16) %% 8) => id... }
}

resource "workspace_desktop_snapshot_batch" "bench" {
  for_each             = local.shards
  desktop_ids          = each.value
  disk_type            = "ALL"
  system_disk_snapshot = { name = "bench" }
  data_disk_snapshot   = { name = "bench" }
}

resource "workspace_desktop_snapshot_restore" "bench" {
  for_each     = var.restore ? workspace_desktop_snapshot_batch.bench : {}
  snapshot_ids = keys(each.value.snapshot_desktop_ids)
}
`
	matchingForm = `
resource "workspace_desktop_snapshot_batch" "bench" {
  desktops_matching = {
    except_ids = var.members > %[1]d ? [] : [%[2]q]
  }
  disk_type            = "ALL"
  system_disk_snapshot = { name = "bench" }
  data_disk_snapshot   = { name = "bench" }
}

resource "workspace_desktop_snapshot_restore" "bench" {
  count             = var.restore ? 1 : 0
  snapshot_ids_json = workspace_desktop_snapshot_batch.bench.desktops_matching.snapshot_desktop_ids_json
}
`
	// The floor's matching batch makes up the project's %[1]d = N + 1
	// desktops itself; except counts what except_ids lists, at the same cost.
	floorMatchingForm = `
resource "floor_matching_batch" "bench" {
  members = %[1]d
  except  = var.members > %[2]d ? 0 : 1
}

resource "floor_restore" "bench" {
  count             = var.restore ? 1 : 0
  snapshot_ids_json = floor_matching_batch.bench.snapshot_desktop_ids_json
}
`
)

// The forms -form accepts.
const (
	formPlain    = "plain"
	formFleet    = "fleet"
	formMatching = "matching"
)

var forms = []string{formPlain, formFleet, formMatching}

// desktopSource is what a form's batches take their desktops from.
type desktopSource struct {
	ids    string // plain and fleet forms: an expression for the N + 1 desktop IDs
	n      int    // matching form: N, how many the batch holds but in the join phase
	lastID string // matching form: the desktop it leaves out but in the join phase
}

// resourcesOf is the batch and restore blocks of a form, with the provider's
// resource type names replaced by prefix's (the floor's are floor_batch,
// floor_matching_batch and floor_restore) and the desktops taken from src.
func resourcesOf(form, prefix string, src desktopSource) string {
	if form == formMatching {
		if prefix != "workspace" {
			return fmt.Sprintf(floorMatchingForm, src.n+1, src.n)
		}
		return fmt.Sprintf(matchingForm, src.n, src.lastID)
	}
	body := plainForm
	if form == formFleet {
		body = fleetForm
	}
	body = fmt.Sprintf(body, src.ids)
	if prefix != "workspace" {
		body = strings.NewReplacer("workspace_desktop_snapshot_batch", prefix+"_batch",
			"workspace_desktop_snapshot_restore", prefix+"_restore",
			"  disk_type            = \"ALL\"\n", "",
			"  system_disk_snapshot = { name = \"bench\" }\n", "",
			"  data_disk_snapshot   = { name = \"bench\" }\n", "").Replace(body)
	}
	return body
}

// workspaceConfig is the main.tf of a run of n desktops against the emulator
// at url; lastID, the emulator's last desktop, is read by the matching form only.
func workspaceConfig(form, url string, n int, lastID string) string {
	dataSource, src := desktopsDataSource, desktopSource{ids: "data.workspace_desktops.all.ids"}
	if form == formMatching {
		dataSource, src = "", desktopSource{n: n, lastID: lastID}
	}
	return fmt.Sprintf(benchConfig, emulatorRegion, emulatorProjectID, emulatorAccessKey, emulatorSecretKey, url, n,
		dataSource, resourcesOf(form, "workspace", src))
}

// phase is one terraform command of a benchmark run.
type phase struct {
	name       string
	args       []string
	waitsOnJob bool // its wall time includes one job duration
}

// Phase names the targets read.
const (
	phaseApply   = "apply"
	phaseRefresh = "plan (refresh)"
	phaseJoin    = "one joins"
	phaseLeave   = "one leaves"
	phaseRestore = "restore apply"
	phaseDestroy = "destroy"
)

// phases of a run of n desktops (the emulator holds n + 1).
func phases(n int) []phase {
	return []phase{
		{name: phaseApply, args: []string{"apply", "-auto-approve", "-input=false"}, waitsOnJob: true},
		// -detailed-exitcode: 0 means no changes, which is what a refresh must find.
		{name: phaseRefresh, args: []string{"plan", "-input=false", "-detailed-exitcode"}},
		// Membership in place: one desktop snapshotted, then its snapshots deleted.
		{name: phaseJoin, args: []string{"apply", "-auto-approve", "-input=false", "-var", fmt.Sprintf("members=%d", n+1)}, waitsOnJob: true},
		{name: phaseLeave, args: []string{"apply", "-auto-approve", "-input=false"}, waitsOnJob: true},
		{name: phaseRestore, args: []string{"apply", "-auto-approve", "-input=false", "-var", "restore=true"}, waitsOnJob: true},
		{name: phaseDestroy, args: []string{"destroy", "-auto-approve", "-input=false", "-var", "restore=true"}, waitsOnJob: true},
	}
}

type phaseResult struct {
	name      string
	wall      time.Duration
	overhead  time.Duration // wall minus the job duration, for phases that wait on a job
	hasJob    bool
	calls     map[string]int
	jobs      int
	peakRSSKB int64         // the largest peak RSS of the phase's provider processes
	cpu       time.Duration // CPU time of the phase's provider processes, summed
	gc        time.Duration // of it, the garbage collector's
}

type sizeResult struct {
	desktops  int
	snapshots int // records made by the apply
	phases    []phaseResult
	floor     map[string]time.Duration // bench/floor's wall of each phase; nil when not run
}

func benchSize(tf string, bins binaries, dir string, desktops int, jobDuration time.Duration, form string) (sizeResult, error) {
	result := sizeResult{desktops: desktops}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return result, err
	}
	emu, err := startEmulator(bins.emulator, desktops+1, jobDuration, form == formMatching)
	if err != nil {
		return result, err
	}
	defer func() { _ = emu.stop() }()
	cliConfig, err := writeCLIConfig(dir, bins.overridesDir)
	if err != nil {
		return result, err
	}
	lastID := ""
	if form == formMatching {
		// Asked before the first phase's stats, so no phase counts the call.
		if lastID, err = emu.lastDesktopID(desktops + 1); err != nil {
			return result, err
		}
	}
	config := workspaceConfig(form, emu.url, desktops, lastID)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		return result, err
	}
	for i, p := range phases(desktops) {
		usageFile := filepath.Join(dir, fmt.Sprintf("usage-%d", i))
		before, err := emu.stats()
		if err != nil {
			return result, err
		}
		start := time.Now()
		out, err := terraform(tf, dir, cliConfig, bins.provider, usageFile, p.args...)
		wall := time.Since(start)
		if err != nil {
			return result, fmt.Errorf("%s: %w\n%s", p.name, err, tail(out, 40))
		}
		after, err := emu.stats()
		if err != nil {
			return result, err
		}
		if p.name == phaseApply {
			result.snapshots = after.Snapshots - before.Snapshots
		}
		usage := readProviderUsage(usageFile)
		pr := phaseResult{
			name: p.name, wall: wall, calls: after.callsSince(before), jobs: after.Jobs - before.Jobs,
			peakRSSKB: usage.peakRSSKB, cpu: usage.cpu, gc: usage.gc,
		}
		// A phase that may wait on a job waited only if it started one: a
		// desktop leaving a matching batch starts none.
		pr.hasJob = p.waitsOnJob && pr.jobs > 0
		if pr.hasJob {
			pr.overhead = wall - jobDuration
		}
		result.phases = append(result.phases, pr)
	}
	return result, nil
}

func terraform(tf, dir, cliConfig, provider, usageFile string, args ...string) ([]byte, error) {
	cmd := exec.Command(tf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_LOG=",
		"WORKSPACE_BENCH_PROVIDER="+provider,
		"WORKSPACE_BENCH_RSS_FILE="+usageFile,
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() == 2 && args[0] == "plan" {
		return out.Bytes(), fmt.Errorf("the refresh plan found changes (exit 2); it must be empty")
	}
	return out.Bytes(), err
}

// providerUsage is what the provider processes of one phase used, as
// bench/rsswrap records it.
type providerUsage struct {
	peakRSSKB int64         // the largest peak RSS of any process
	cpu       time.Duration // user plus system CPU time, summed over the processes
	gc        time.Duration // of it, the garbage collector's, summed
}

// readProviderUsage reads the file bench/rsswrap appends to; a phase with no
// file (no provider process finished) used nothing.
func readProviderUsage(path string) providerUsage {
	data, err := os.ReadFile(path)
	if err != nil {
		return providerUsage{}
	}
	return parseProviderUsage(string(data))
}

// parseProviderUsage parses rsswrap's lines, one per provider process:
// "maxrss_kib cpu_ms gc_ms", or the first one or two fields alone from an
// older rsswrap. It skips lines it cannot read.
func parseProviderUsage(data string) providerUsage {
	var u providerUsage
	for _, line := range strings.Split(data, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || len(fields) > 3 {
			continue
		}
		values := make([]int64, 3)
		ok := true
		for i, f := range fields {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil || v < 0 {
				ok = false
				break
			}
			values[i] = v
		}
		if !ok {
			continue
		}
		u.peakRSSKB = max(u.peakRSSKB, values[0])
		u.cpu += time.Duration(values[1]) * time.Millisecond
		u.gc += time.Duration(values[2]) * time.Millisecond
	}
	return u
}

func tail(out []byte, lines int) string {
	all := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
