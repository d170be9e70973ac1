package provider

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// fleetConfig is the eight-batch form of the large fleets guide
// (docs/guides/large-fleets.md): a batch per desktop ID's first hex digit
// modulo 8.
func fleetConfig(env *testAccEnv, ids []string) string {
	return cliProviderBlock(env) + fmt.Sprintf(`
locals {
  shards = { for id in %s : tostring(parseint(substr(id, 0, 1), 16) %% 8) => id... }
}

resource "workspace_desktop_snapshot_batch" "fleet" {
  for_each             = local.shards
  desktop_ids          = each.value
  disk_type            = "ALL"
  system_disk_snapshot = { name = %[2]q }
  data_disk_snapshot   = { name = %[2]q }
}
`, hclStrings(ids), testAccName("fleet"))
}

// fleetShard is the shard fleetConfig puts a desktop in.
func fleetShard(t *testing.T, desktopID string) string {
	t.Helper()
	digit, err := strconv.ParseUint(desktopID[:1], 16, 8)
	if err != nil {
		t.Fatalf("desktop ID %q does not start with a hex digit", desktopID)
	}
	return strconv.FormatUint(digit%8, 10)
}

// In the fleet form a desktop joining or leaving touches its own batch only:
// the plan updates (or creates) that batch and no other, one batch-create
// or batch-delete is made, and no other desktop's records change. Through
// the CLI harness: plugin-testing's steps cannot hold for_each instances
// (its legacy state, read before the destroy, has none).
func TestAccSnapshotBatch_fleetFormTouchesOnlyTheJoinersBatch(t *testing.T) {
	parallelUnlessReal(t)
	h := newCLIHarness(t, 1, 11)
	env := newTestAccEnv(t, emulator.Config{Desktops: 12, JobDuration: 300 * time.Millisecond, Seed: 17})
	env.SkipIfReal(t, "counts the emulator's write calls")
	all, joiner := env.DesktopIDs[:12], env.DesktopIDs[11]
	members := all[:11]
	shards := map[string]int{}
	for _, d := range members {
		shards[fleetShard(t, d)]++
	}
	joinerShard := fleetShard(t, joiner)
	if len(shards) < 3 {
		t.Fatalf("the members fall in %d shards; the test needs several", len(shards))
	}
	before := recordsByDesktop(t, env, all)
	c0, del0, _ := writes(env)
	// apply applies a membership and checks the plan's summary line, the
	// writes it made and that no member's records changed.
	apply := func(ids []string, summary string, creates, deletes, joinerRecords int) {
		t.Helper()
		h.write("main.tf", fleetConfig(env, ids))
		out := h.mustRun("apply", "-no-color", "-auto-approve")
		if !strings.Contains(out, summary) {
			t.Fatalf("apply did not say %q:\n%s", summary, out)
		}
		c, del, r := writes(env)
		if c-c0 != creates || del-del0 != deletes || r != 0 {
			t.Fatalf("writes: %d batch-create, %d batch-delete, %d restore; want %d, %d, 0", c-c0, del-del0, r, creates, deletes)
		}
		after := recordsByDesktop(t, env, all)
		for _, d := range members {
			if !slices.Equal(after[d], before[d]) {
				t.Errorf("desktop %s (shard %s) was touched: records %v, were %v", d, fleetShard(t, d), after[d], before[d])
			}
		}
		if len(after[joiner]) != joinerRecords {
			t.Errorf("the joiner %s has %d records, want %d", joiner, len(after[joiner]), joinerRecords)
		}
		c0, del0 = c, del
	}
	h.mustRun("init", "-no-color")
	h.write("main.tf", fleetConfig(env, members))
	h.mustRun("apply", "-no-color", "-auto-approve")
	before = recordsByDesktop(t, env, all)
	c0, del0, _ = writes(env)

	// Only the joiner's batch moves; it is new when no member shares its shard.
	if shards[joinerShard] > 0 {
		apply(all, "0 added, 1 changed, 0 destroyed", 1, 0, 2)
		apply(members, "0 added, 1 changed, 0 destroyed", 0, 1, 0)
	} else {
		apply(all, "1 added, 0 changed, 0 destroyed", 1, 0, 2)
		apply(members, "0 added, 0 changed, 1 destroyed", 0, 1, 0)
	}
	if out, code := h.run("plan", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Errorf("the plan after the leave exited %d, want no changes:\n%s", code, out)
	}
	h.mustRun("destroy", "-no-color", "-auto-approve")
	if left := recordsByDesktop(t, env, all); len(left) != 0 {
		t.Errorf("destroying the fleet left records: %v", left)
	}
}
