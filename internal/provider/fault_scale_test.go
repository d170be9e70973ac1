package provider

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// scaleFaults are the faults the 500-desktop run rides out: a fifth of the
// authenticated requests answered 5xx without acting, a tenth acted on and
// then the connection reset (for a batch POST: a job exists but its ID never
// arrived), and a request rate far below what the run would use unthrottled.
var scaleFaults = emulator.Faults{
	Fault5xxRate:   0.2,
	FaultResetRate: 0.1,
	ThrottleRPS:    6,
}

// scaleMaxRetries is the client's retry budget for this run. With the
// default of 5 (6 attempts) a read fails outright with probability
// 0.28^6 ≈ 5e-4 from the 5xx and reset faults alone (0.2 + 0.8*0.1 per
// attempt), more with throttling on top (a 429 spends the same budget);
// the run makes about a hundred reads and any one exhausted read fails the
// apply or destroy. With the default budget (and before 429 waits were
// jittered) 4 of 12 runs failed in destroy: ListItaSubJobs, paged while
// reconciling an ambiguous batch-delete, ran out of attempts (429, 503 or
// reset each time). 10 retries bring the 5xx/reset part to 0.28^11 ≈ 1e-6
// per read.
const scaleMaxRetries = 10

// TestAccFault_500DesktopsUnderFaults snapshots 500 desktops (5 chunks of
// 100) while the emulator injects 5xx answers, connection resets after the
// request was acted on, and throttling. The apply must converge with exactly
// one job per chunk and one record per desktop and disk (a retried or
// reconciled batch-create must never snapshot a desktop twice), and destroy
// must remove every record.
func TestAccFault_500DesktopsUnderFaults(t *testing.T) {
	parallelUnlessReal(t)
	resets := &resetCounter{byOp: map[string]int{}}
	env := newTestAccEnv(t, emulator.Config{Desktops: 500, JobDuration: 500 * time.Millisecond, Seed: 7, Faults: scaleFaults, Log: resets,
		AuthToken: wireToken})
	env.SkipIfReal(t, "injects faults")
	env.ProviderConfig = emulatorProviderConfig(env.Emulator.URL(), fmt.Sprintf("  max_retries  = %d\n", scaleMaxRetries))
	ids := env.DesktopIDs
	if len(ids) != 500 {
		t.Fatalf("emulator seeded %d desktops, want 500", len(ids))
	}
	withoutFaults := func(f func() error) error {
		env.Emulator.SetFaults(emulator.Faults{})
		defer env.Emulator.SetFaults(scaleFaults)
		return f()
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Counted without faults; nothing runs after this.
			env.Emulator.SetFaults(emulator.Faults{})
			logScaleStats(t, env)
			t.Logf("connection resets by operation: %v", resets.counts())
			if n := env.Emulator.Stats().Snapshots; n != 0 {
				return fmt.Errorf("the emulator holds %d snapshot records after destroy, want none", n)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: batchConfig(env, ids, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(5)),
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(1000)),
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("failed_desktops"), knownvalue.MapSizeExact(0)),
			},
			Check: func(s *terraform.State) error {
				logScaleStats(t, env)
				t.Logf("connection resets by operation: %v", resets.counts())
				if err := checkFaultsFired(env.Emulator.Stats()); err != nil {
					return err
				}
				// The post-apply plan and the destroy run under the faults again.
				return withoutFaults(func() error { return checkOneRecordPerDesktopDisk(t, env, ids, s) })
			},
		}},
	})
}

// checkOneRecordPerDesktopDisk reads the emulator's records as raw JSON (not
// through our client) and requires, per desktop, exactly one system-disk and
// one data-disk record, all create_success, and exactly the records the
// state holds. It also requires exactly 5 create jobs in the emulator: a
// duplicate job would mean a batch-create was resubmitted after it had acted.
func checkOneRecordPerDesktopDisk(t *testing.T, env *testAccEnv, ids []string, s *terraform.State) error {
	type record struct {
		ID         string `json:"snapshot_id"`
		DesktopID  string `json:"desktop_id"`
		SystemDisk bool   `json:"is_system_disk"`
		Status     string `json:"status"`
	}
	var recs []record
	for offset := 0; ; offset += 1000 {
		var page struct {
			Snapshots []record `json:"desktop_snapshots"`
			Total     int      `json:"total_count"`
		}
		wireGet(t, env, fmt.Sprintf("/snapshots?limit=1000&offset=%d", offset), &page)
		recs = append(recs, page.Snapshots...)
		if len(page.Snapshots) == 0 || len(recs) >= page.Total {
			break
		}
	}
	type perDisk struct{ system, data []string }
	byDesktop := map[string]*perDisk{}
	for _, id := range ids {
		byDesktop[id] = &perDisk{}
	}
	listed := map[string]bool{}
	for _, r := range recs {
		d, ok := byDesktop[r.DesktopID]
		if !ok {
			return fmt.Errorf("record %s of desktop %s, which is not in the batch", r.ID, r.DesktopID)
		}
		if r.Status != workspace.SnapshotStatusCreateSuccess {
			return fmt.Errorf("record %s of desktop %s is %s, want %s", r.ID, r.DesktopID, r.Status, workspace.SnapshotStatusCreateSuccess)
		}
		if r.SystemDisk {
			d.system = append(d.system, r.ID)
		} else {
			d.data = append(d.data, r.ID)
		}
		listed[r.ID] = true
	}
	var bad []string
	for _, id := range ids {
		if d := byDesktop[id]; len(d.system) != 1 || len(d.data) != 1 {
			bad = append(bad, fmt.Sprintf("%s: %d system, %d data", id, len(d.system), len(d.data)))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("want one system and one data record per desktop; %d desktops differ: %s", len(bad), strings.Join(bad[:min(len(bad), 10)], "; "))
	}
	if len(recs) != 1000 {
		return fmt.Errorf("want 1000 records, listed %d", len(recs))
	}

	rs, ok := s.RootModule().Resources[batchAddr]
	if !ok {
		return fmt.Errorf("%s is not in state", batchAddr)
	}
	inState := map[string]bool{}
	for k, v := range rs.Primary.Attributes {
		if id, ok := strings.CutPrefix(k, "snapshot_desktop_ids."); ok && id != "%" {
			inState[id] = v != ""
		}
	}
	if len(inState) != len(listed) {
		return fmt.Errorf("state holds %d distinct snapshot IDs, the API lists %d", len(inState), len(listed))
	}
	for id := range listed {
		if !inState[id] {
			return fmt.Errorf("listed record %s is not in state", id)
		}
	}

	if jobs := env.Emulator.Stats().Jobs; jobs != 5 {
		return fmt.Errorf("the emulator holds %d jobs after the apply, want exactly 5 batch-create jobs", jobs)
	}
	return nil
}

// checkFaultsFired keeps the test from passing without its faults.
func checkFaultsFired(st emulator.Stats) error {
	for _, f := range []string{"5xx", "reset", "throttle"} {
		if st.InjectedFaults[f] == 0 {
			return fmt.Errorf("no %q fault was injected (injected: %v): the test did not exercise it", f, st.InjectedFaults)
		}
	}
	return nil
}

func logScaleStats(t *testing.T, env *testAccEnv) {
	t.Helper()
	st := env.Emulator.Stats()
	t.Logf("emulator stats: injected faults %v; requests by status %v; jobs %d, snapshots %d",
		st.InjectedFaults, st.RequestsByStatus, st.Jobs, st.Snapshots)
	ops := make([]string, 0, len(st.RequestsByOperationStatus))
	for op := range st.RequestsByOperationStatus {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		t.Logf("  %-30s %4d calls, by status %v", op, st.RequestsByOperation[op], st.RequestsByOperationStatus[op])
	}
}

// resetCounter reads the emulator's request log ("METHOD path status
// operation request_id=… (connection reset injected)") and counts the
// injected resets per operation, which Stats does not break down.
type resetCounter struct {
	mu   sync.Mutex
	byOp map[string]int
}

func (c *resetCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, line := range strings.Split(string(p), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && strings.HasSuffix(line, "(connection reset injected)") {
			c.byOp[f[3]]++
		}
	}
	return len(p), nil
}

func (c *resetCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.byOp))
	for k, v := range c.byOp {
		out[k] = v
	}
	return out
}

// scriptedFaults give chosen requests of every operation a fault, so each
// run exercises the same ambiguous, failed and throttled requests whatever
// the timing: a batch-create, -restore and -delete acted on and then reset
// (their jobs exist, their answers are lost), each answered 5xx and 429 once,
// and reads (polls, lists, the reconciling sub-job list) failed with each.
var scriptedFaults = map[string][]string{
	"BatchCreateDesktopSnapshot":  {emulator.ScriptedReset, emulator.Scripted5xx, emulator.ScriptedThrottle},
	"BatchRestoreDesktopSnapshot": {emulator.ScriptedReset, emulator.Scripted5xx, emulator.ScriptedThrottle},
	"BatchDeleteDesktopSnapshot":  {emulator.ScriptedReset, emulator.Scripted5xx, emulator.ScriptedThrottle},
	"ShowJob":                     {emulator.Scripted5xx, emulator.ScriptedReset, emulator.ScriptedThrottle},
	"ListDesktopSnapshot":         {emulator.ScriptedReset, emulator.Scripted5xx, emulator.ScriptedThrottle},
	"ListItaSubJobs":              {emulator.Scripted5xx, emulator.ScriptedThrottle},
}

// TestAccFault_scriptedFaultsOnEveryOperation: with the default retry
// budget, a batch of 250 desktops and a restore of its snapshots converge
// through a scripted fault on every operation, and the emulator's own
// records show no job twice and nothing left after destroy. Every scripted
// fault is asserted to have fired, so the test cannot pass without them.
func TestAccFault_scriptedFaultsOnEveryOperation(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 250, JobDuration: 300 * time.Millisecond, Seed: 9,
		Faults: emulator.Faults{Scripted: scriptedFaults}})
	env.SkipIfReal(t, "injects faults")
	ids := env.DesktopIDs
	config := batchConfig(env, ids, `disk_type = "SYSTEM_DISK"`) + `
resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids = keys(workspace_desktop_snapshot_batch.test.snapshot_desktop_ids)
}
`
	fired := func(ops ...string) error {
		st := env.Emulator.Stats()
		for _, op := range ops {
			want := map[string]int{}
			for _, k := range scriptedFaults[op] {
				want[k]++
			}
			if got := st.InjectedFaultsByOperation[op]; !maps.Equal(got, want) {
				return fmt.Errorf("%s: faults %v injected, the script has %v", op, got, want)
			}
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			st := env.Emulator.Stats()
			if st.Snapshots != 0 {
				return fmt.Errorf("the emulator holds %d snapshot records after destroy, want none", st.Snapshots)
			}
			if n := len(env.Emulator.JobIDs(workspace.JobTypeDeleteSnapshot)); n != 3 {
				return fmt.Errorf("%d batch-delete jobs for 250 records, want exactly 3 (a lost answer must not make a second job)", n)
			}
			return fired("BatchDeleteDesktopSnapshot")
		},
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				checkSnapshotsMatchService(env, ids),
			},
			Check: func(*terraform.State) error {
				st := env.Emulator.Stats()
				creates, restores := env.Emulator.JobIDs(workspace.JobTypeCreateSnapshot), env.Emulator.JobIDs(workspace.JobTypeRestoreSnapshot)
				switch {
				case len(creates) != 3:
					return fmt.Errorf("%d batch-create jobs for 250 desktops, want exactly 3", len(creates))
				case len(restores) != 3:
					return fmt.Errorf("%d batch-restore jobs for 250 snapshots, want exactly 3", len(restores))
				case st.Snapshots != 250:
					return fmt.Errorf("the emulator holds %d snapshot records, want one per desktop (250)", st.Snapshots)
				}
				return fired("BatchCreateDesktopSnapshot", "BatchRestoreDesktopSnapshot", "ShowJob", "ListDesktopSnapshot", "ListItaSubJobs")
			},
		}},
	})
}
