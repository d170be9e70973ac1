package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

const createAction = "workspace_desktop_snapshot_create"

func createCalls(env *testAccEnv) int {
	return env.Emulator.Stats().RequestsByOperation["BatchCreateDesktopSnapshot"]
}

// diskSnapshotValue is a system_disk_snapshot or data_disk_snapshot value.
func (h *actionHarness) diskSnapshotValue(name, description string) tftypes.Value {
	typ := h.schemas[createAction].Schema.ValueType().(tftypes.Object).AttributeTypes["system_disk_snapshot"]
	return tftypes.NewValue(typ, map[string]tftypes.Value{"name": tfString(name), "description": tfString(description)})
}

func TestActionSnapshotCreate_success(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:3]
	h := newActionHarness(t, env, 0)

	inv := h.invoke(context.Background(), createAction, map[string]tftypes.Value{
		"desktop_ids":          tfStringSet(ids...),
		"disk_type":            tfString(workspace.DiskTypeSystem),
		"system_disk_snapshot": h.diskSnapshotValue("prepatch", "before patch night"),
	}, nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("create failed:\n%s", diagText(inv.Diagnostics))
	}
	if jobs := jobIDsIn(t, inv.Progress); len(jobs) != 1 {
		t.Errorf("3 desktops fit one batch-create; announced jobs %v", jobs)
	}
	if last, want := inv.Progress[len(inv.Progress)-1], "Finished 1 batch-create job(s): 3 desktops succeeded, 0 failed."; last != want {
		t.Errorf("last progress message %q, want %q", last, want)
	}
	// One system disk snapshot per desktop, named as configured.
	byDisk := snapshotIDsByDisk(t, env, ids, "prepatch")
	for _, id := range ids {
		if byDisk[id+"/system"] == "" || byDisk[id+"/data"] != "" {
			t.Errorf("desktop %s: snapshots %v, want exactly one system disk snapshot named prepatch", id, byDisk)
		}
	}
	if n := countSnapshots(t, env, ids); n != 3 {
		t.Errorf("%d snapshot records, want 3", n)
	}
}

func TestActionSnapshotCreate_moreThan100Desktops(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 250, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.SkipIfReal(t, "needs 250 desktops")
	h := newActionHarness(t, env, 0)

	inv := h.invoke(context.Background(), createAction, map[string]tftypes.Value{"desktop_ids": tfStringSet(env.DesktopIDs...)}, nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("create failed:\n%s", diagText(inv.Diagnostics))
	}
	jobs := jobIDsIn(t, inv.Progress)
	if len(jobs) != 3 || createCalls(env) != 3 {
		t.Errorf("announced %d jobs after %d batch-create calls, want 3 and 3", len(jobs), createCalls(env))
	}
	seen := desktopsOfJobs(t, env, jobs)
	for _, id := range env.DesktopIDs {
		if seen[id] != 1 {
			t.Errorf("desktop %s in %d jobs, want 1", id, seen[id])
		}
	}
	// The default disk_type is ALL: a system and a data disk snapshot each.
	if n := countSnapshots(t, env, env.DesktopIDs); n != 500 {
		t.Errorf("%d snapshot records, want 500", n)
	}
}

func TestActionSnapshotCreate_partialFailureNamesEachDesktop(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 8, JobDuration: 200 * time.Millisecond, Seed: 3,
		Faults: emulator.Faults{SubJobFailureRate: 0.4}})
	env.SkipIfReal(t, "injects failed sub-jobs")
	h := newActionHarness(t, env, 0)

	inv := h.invoke(context.Background(), createAction, map[string]tftypes.Value{"desktop_ids": tfStringSet(env.DesktopIDs...)}, nil)
	jobs := jobIDsIn(t, inv.Progress)
	results, _ := env.Client.WaitForJobs(context.Background(), jobs, workspace.WaitOptions{FirstPoll: time.Millisecond})
	failed := results[jobs[0]].Failed()
	if len(failed) == 0 || len(failed) == len(env.DesktopIDs) {
		t.Fatalf("seed 3 should fail some but not all of 8 desktops; %d failed", len(failed))
	}
	var errs int
	for _, d := range inv.Diagnostics {
		if d.Summary == "Unable to create desktop snapshots" {
			errs++
		}
	}
	if errs != len(failed) {
		t.Errorf("%d error diagnostics for %d failed desktops, want one each:\n%s", errs, len(failed), diagText(inv.Diagnostics))
	}
	for _, f := range failed {
		expectDiagnostic(t, inv.Diagnostics, "", fmt.Sprintf(`(?s)Desktop %s .*failed in job %s with status %s\..*Error code: %s\nReason: %s`,
			regexp.QuoteMeta(f.DesktopID), jobs[0], f.Status, regexp.QuoteMeta(f.ErrorCode), regexp.QuoteMeta(f.FailReason)))
	}
}

func TestActionSnapshotCreate_invalidConfig(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	desktops := tfStringSet("d-1")
	cases := []struct {
		name      string
		attrs     map[string]tftypes.Value
		attribute string
		pattern   string
	}{
		{"no desktops", map[string]tftypes.Value{"desktop_ids": tfStringSet()},
			`AttributeName("desktop_ids")`, `set must contain at least 1 elements`},
		{"malformed desktop ID", map[string]tftypes.Value{"desktop_ids": tfStringSet("desk top")},
			`AttributeName("desktop_ids")`, `must be a desktop ID: 1 to 36 letters, digits or hyphens`},
		{"unknown disk type", map[string]tftypes.Value{"desktop_ids": desktops, "disk_type": tfString("BOTH")},
			`AttributeName("disk_type")`, `value must be one of: \["SYSTEM_DISK" "DATA_DISKS" "ALL"\], got: "BOTH"`},
		{"name too long", map[string]tftypes.Value{"desktop_ids": desktops,
			"system_disk_snapshot": h.diskSnapshotValue(strings.Repeat("n", 65), "")},
			`AttributeName("system_disk_snapshot").AttributeName("name")`, `string length must be at most 64, got: 65`},
		{"description too long", map[string]tftypes.Value{"desktop_ids": desktops,
			"data_disk_snapshot": h.diskSnapshotValue("n", strings.Repeat("d", 256))},
			`AttributeName("data_disk_snapshot").AttributeName("description")`, `string length must be at most 255, got: 256`},
		{"data disk settings without data disks", map[string]tftypes.Value{"desktop_ids": desktops,
			"disk_type": tfString(workspace.DiskTypeSystem), "data_disk_snapshot": h.diskSnapshotValue("n", "")},
			`AttributeName("data_disk_snapshot")`, `data_disk_snapshot is set but disk_type is "SYSTEM_DISK"`},
		{"system disk settings without the system disk", map[string]tftypes.Value{"desktop_ids": desktops,
			"disk_type": tfString(workspace.DiskTypeData), "system_disk_snapshot": h.diskSnapshotValue("n", "")},
			`AttributeName("system_disk_snapshot")`, `system_disk_snapshot is set but disk_type is "DATA_DISKS"`},
		{"zero timeout", map[string]tftypes.Value{"desktop_ids": desktops, "timeout": tfString("0s")},
			`AttributeName("timeout")`, `must be a positive duration`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := h.validate(createAction, c.attrs)
			if !hasErrors(diags) {
				t.Fatalf("ValidateActionConfig accepted %s", c.name)
			}
			expectDiagnostic(t, diags, c.attribute, c.pattern)
		})
	}
	// disk_type left out means ALL, which takes both disks' settings.
	if diags := h.validate(createAction, map[string]tftypes.Value{"desktop_ids": desktops,
		"system_disk_snapshot": h.diskSnapshotValue("n", ""), "data_disk_snapshot": h.diskSnapshotValue("n", "")}); hasErrors(diags) {
		t.Errorf("a valid configuration was refused:\n%s", diagText(diags))
	}
}

func TestActionSnapshotCreate_cancelledWhileWaitingLosesNothing(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 2 * time.Second, Seed: 1})
	ids := env.DesktopIDs[:2]
	h := newActionHarness(t, env, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inv := h.invoke(ctx, createAction, map[string]tftypes.Value{"desktop_ids": tfStringSet(ids...)}, func(msg string) {
		if announcedJobs.MatchString(msg) {
			cancel()
		}
	})
	jobs := jobIDsIn(t, inv.Progress)
	expectDiagnostic(t, inv.Diagnostics, "", `The action was interrupted while waiting for 1 of 1 batch-create job\(s\)\. `+
		`They were submitted and keep running in the service: `+jobs[0])
	// The job still makes its snapshots, once: read it by the announced ID.
	if _, err := env.Client.WaitForJob(context.Background(), jobs[0], workspace.WaitOptions{FirstPoll: time.Millisecond}); err != nil {
		t.Fatalf("the interrupted action's job %s: %v", jobs[0], err)
	}
	if n := countSnapshots(t, env, ids); n != 4 {
		t.Errorf("%d snapshot records after the interrupted action's job ended, want 4", n)
	}
}

func TestAccSnapshotCreateAction_invokedBeforeUpdate(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:2]
	config := func(release string) string {
		return env.ProviderConfig + fmt.Sprintf(`
action "workspace_desktop_snapshot_create" "before_patch" {
  config {
    desktop_ids = %s
    disk_type   = "SYSTEM_DISK"
    system_disk_snapshot = {
      name = "prepatch"
    }
  }
}

resource "terraform_data" "patch_release" {
  input = %q
  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.workspace_desktop_snapshot_create.before_patch]
    }
  }
}
`, hclStrings(ids), release)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("2026.11"), Check: checkSnapshotCount(t, env, ids, 0, "the action ran on create: %d records")},
			{Config: config("2026.12"), Check: func(s *terraform.State) error {
				return checkSnapshotCount(t, env, ids, len(ids), "want one snapshot per desktop before the update, found %d")(s)
			}},
		},
	})
}
