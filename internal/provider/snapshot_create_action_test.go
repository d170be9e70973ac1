package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

const createAction = "workspace_desktop_snapshot_create"

// diskSnapshotValue is a system_disk_snapshot or data_disk_snapshot value.
func (h *actionHarness) diskSnapshotValue(name, description string) tftypes.Value {
	object, ok := h.schemas[createAction].Schema.ValueType().(tftypes.Object)
	if !ok {
		h.t.Fatalf("the action's schema is %T, not an object", h.schemas[createAction].Schema.ValueType())
	}
	typ := object.AttributeTypes["system_disk_snapshot"]
	return tftypes.NewValue(typ, map[string]tftypes.Value{"name": tfString(name), "description": tfString(description)})
}

func TestActionSnapshotCreate_success(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:3]
	h := newActionHarness(t, env, 0)
	mark := markJobs(t, env, workspace.JobTypeCreateSnapshot)

	inv := h.invoke(context.Background(), createAction, map[string]tftypes.Value{
		"desktop_ids":          tfStringList(ids...),
		"disk_type":            tfString(workspace.DiskTypeSystem),
		"system_disk_snapshot": h.diskSnapshotValue("prepatch", "before patch night"),
	}, nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("create failed:\n%s", diagText(inv.Diagnostics))
	}
	jobs := mark.started()
	if len(jobs) != 1 {
		t.Fatalf("3 desktops fit one batch-create; the service started %v", jobs)
	}
	// One chunk: the announcement comes first (no per-chunk line repeats
	// it), the summary last.
	if first, want := inv.Progress[0], msgWaiting(jobrun.Create, jobs, 3); first != want {
		t.Errorf("first progress message %q, want %q", first, want)
	}
	if last, want := inv.Progress[len(inv.Progress)-1], msgFinished(jobrun.Create, 1, 3, 0); last != want {
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
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 250, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.SkipIfReal(t, "needs 250 desktops")
	h := newActionHarness(t, env, 0)
	mark := markJobs(t, env, workspace.JobTypeCreateSnapshot)

	inv := h.invoke(context.Background(), createAction, map[string]tftypes.Value{"desktop_ids": tfStringList(env.DesktopIDs...)}, nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("create failed:\n%s", diagText(inv.Diagnostics))
	}
	jobs := mark.started()
	if len(jobs) != 3 || createCalls(env) != 3 {
		t.Fatalf("%d jobs after %d batch-create calls, want 3 and 3", len(jobs), createCalls(env))
	}
	if !slices.Contains(inv.Progress, msgWaiting(jobrun.Create, jobs, 250)) {
		t.Errorf("no progress message announced the 3 jobs; got:\n%s", strings.Join(inv.Progress, "\n"))
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
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 8, JobDuration: 200 * time.Millisecond, Seed: 3,
		Faults: emulator.Faults{SubJobFailureRate: 0.4}})
	env.SkipIfReal(t, "injects failed sub-jobs")
	h := newActionHarness(t, env, 0)
	mark := markJobs(t, env, workspace.JobTypeCreateSnapshot)

	inv := h.invoke(context.Background(), createAction, map[string]tftypes.Value{"desktop_ids": tfStringList(env.DesktopIDs...)}, nil)
	jobs := mark.started()
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
		expectDetail(t, inv.Diagnostics, "Unable to create desktop snapshots", jobrun.DescribeFailedDesktop(results[jobs[0]], f))
	}
	if last, want := inv.Progress[len(inv.Progress)-1], msgFinished(jobrun.Create, 1, 8-len(failed), len(failed)); last != want {
		t.Errorf("last progress message %q, want %q", last, want)
	}
}

func TestActionSnapshotCreate_invalidConfig(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	desktops := tfStringList("d-1")
	cases := []struct {
		name      string
		attrs     map[string]tftypes.Value
		attribute string
		pattern   string
	}{
		{"no desktops", map[string]tftypes.Value{"desktop_ids": tfStringList()},
			`AttributeName("desktop_ids")`, `must name at least one desktop ID, got an empty list`},
		{"malformed desktop ID", map[string]tftypes.Value{"desktop_ids": tfStringList("desk top")},
			`AttributeName("desktop_ids")`, `must be a desktop ID: 1 to 36 letters, digits or hyphens`},
		{"unknown disk type", map[string]tftypes.Value{"desktop_ids": desktops, "disk_type": tfString("BOTH")},
			`AttributeName("disk_type")`, `value must be one of: \["SYSTEM_DISK" "DATA_DISKS" "ALL"\], got: "BOTH"`},
		{"name too long", map[string]tftypes.Value{"desktop_ids": desktops,
			"system_disk_snapshot": h.diskSnapshotValue(strings.Repeat("n", 65), "")},
			`AttributeName("system_disk_snapshot").AttributeName("name")`, `must be at most 64 characters, got 65`},
		{"description too long", map[string]tftypes.Value{"desktop_ids": desktops,
			"data_disk_snapshot": h.diskSnapshotValue("n", strings.Repeat("d", 256))},
			`AttributeName("data_disk_snapshot").AttributeName("description")`, `must be at most 255 characters, got 256`},
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
	// Limits count characters, as the service does: 64 Chinese characters are a valid name.
	if diags := h.validate(createAction, map[string]tftypes.Value{"desktop_ids": desktops,
		"system_disk_snapshot": h.diskSnapshotValue(strings.Repeat("快", 64), strings.Repeat("说", 255))}); hasErrors(diags) {
		t.Errorf("a 64-character Chinese name was refused:\n%s", diagText(diags))
	}
	// disk_type left out means ALL, which takes both disks' settings.
	if diags := h.validate(createAction, map[string]tftypes.Value{"desktop_ids": desktops,
		"system_disk_snapshot": h.diskSnapshotValue("n", ""), "data_disk_snapshot": h.diskSnapshotValue("n", "")}); hasErrors(diags) {
		t.Errorf("a valid configuration was refused:\n%s", diagText(diags))
	}
}

func TestActionSnapshotCreate_cancelledWhileWaitingLosesNothing(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 2 * time.Second, Seed: 1})
	ids := env.DesktopIDs[:2]
	h := newActionHarness(t, env, 0)
	mark := markJobs(t, env, workspace.JobTypeCreateSnapshot)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel as Terraform does on Ctrl-C, once the job is announced (with
	// one chunk, the first message).
	inv := h.invoke(ctx, createAction, map[string]tftypes.Value{"desktop_ids": tfStringList(ids...)}, func(string) { cancel() })
	jobs := mark.started()
	if len(jobs) != 1 || inv.Progress[0] != msgWaiting(jobrun.Create, jobs, 2) {
		t.Fatalf("jobs %v, progress %q: want one job, announced", jobs, inv.Progress)
	}
	expectDetail(t, inv.Diagnostics, "Unable to create desktop snapshots", fmt.Sprintf(
		"The action was interrupted while waiting for 1 of 1 batch-create job. They were submitted and keep "+
			"running in the service: %s.\n\nRead their outcome with the workspace_job data source before invoking the action again.", jobs[0]))
	// The job still makes its snapshots, once: read it by the announced ID.
	if _, err := env.Client.WaitForJob(context.Background(), jobs[0], workspace.WaitOptions{FirstPoll: time.Millisecond}); err != nil {
		t.Fatalf("the interrupted action's job %s: %v", jobs[0], err)
	}
	if n := countSnapshots(t, env, ids); n != 4 {
		t.Errorf("%d snapshot records after the interrupted action's job ended, want 4", n)
	}
}

func TestAccSnapshotCreateAction_invokedBeforeUpdate(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:2]
	config := func(release string) string {
		return env.ProviderConfig + fmt.Sprintf(`
action "workspace_desktop_snapshot_create" "before_patch" {
  config {
    desktop_ids = %s
    disk_type   = "SYSTEM_DISK"
    system_disk_snapshot = {
      name = %q
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
`, hclStrings(ids), testAccName("prepatch"), release)
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

// While the service refuses the desktops as busy, the action says so in its
// progress, and a timeout in that wait says that no job was started, naming
// a handful of each chunk's desktops, once.
func TestActionSnapshotCreate_busyDesktopsAreReported(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 120, JobDuration: 10 * time.Minute, Seed: 1})
	ids := framework.SortedStrings(env.DesktopIDs)
	// Another job keeps every desktop busy for ten minutes.
	if subs := env.Client.SubmitBatchCreate(context.Background(), workspace.BatchCreateDesktopSnapshotReq{
		DesktopIds: ids, DiskType: workspace.DiskTypeSystem, SystemDiskSnapshot: &workspace.DiskSnapshotInfo{Name: testAccName("busy")},
	}, workspace.SubmitHooks{}); subs[0].Err != nil {
		t.Fatal(subs[0].Err)
	}
	mark := markJobs(t, env, workspace.JobTypeCreateSnapshot)
	h := newActionHarness(t, env, 0)

	inv := h.invoke(context.Background(), createAction, map[string]tftypes.Value{
		"desktop_ids": tfStringList(ids...), "timeout": tfString("3s"),
	}, nil)
	if jobs := mark.started(); len(jobs) != 0 {
		t.Fatalf("the service started %v for busy desktops", jobs)
	}
	busy := map[string]int{}
	for _, msg := range inv.Progress {
		for _, n := range []int{100, 20} {
			if strings.HasPrefix(msg, msgBusyHeadline(jobrun.Create, n)) {
				busy[msgBusyHeadline(jobrun.Create, n)]++
			}
		}
	}
	if len(busy) != 2 {
		t.Errorf("want busy progress for both chunks (100 and 20 desktops); got:\n%s", strings.Join(inv.Progress, "\n"))
	}
	errs := errorsOf(inv.Diagnostics)
	if len(errs) != 2 {
		t.Fatalf("%d errors, want one per chunk:\n%s", len(errs), diagText(inv.Diagnostics))
	}
	for i, chunk := range [][]string{ids[:100], ids[100:]} {
		d := errs[i]
		head := fmt.Sprintf("Submitting batch-create for %s (%s) failed.\n\nThe service refused all ",
			framework.CountOf(len(chunk), "desktop"), framework.AbbreviateIDs(chunk, framework.MaxNamedIDs))
		if !strings.HasPrefix(d.Detail, head) || !strings.Contains(d.Detail, "so no job was started for them. The action's timeout passed while waiting to try again.") ||
			d.Attribute == nil || !strings.Contains(d.Attribute.String(), "desktop_ids") {
			t.Errorf("chunk %d: want an error on desktop_ids starting %q and saying the timeout passed while busy; got %s:\n%s", i, head, d.Attribute, d.Detail)
		}
		named := 0
		for _, id := range ids {
			if strings.Contains(d.Detail, id) {
				named++
			}
		}
		if named > framework.MaxNamedIDs+1 { // the service's own message may name one more
			t.Errorf("chunk %d: the error names %d desktops, want at most %d:\n%s", i, named, framework.MaxNamedIDs+1, d.Detail)
		}
	}
}

// An ID list that is known only at plan time (from a data source) is checked
// then: an empty one fails the plan rather than the invocation.
func TestActionSnapshotCreate_emptyDesktopIDsFailThePlan(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	unknown := tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, tftypes.UnknownValue)
	if diags := h.validate(createAction, map[string]tftypes.Value{"desktop_ids": unknown}); hasErrors(diags) {
		t.Fatalf("validation refused an unknown desktop_ids:\n%s", diagText(diags))
	}
	if diags := h.planAction(createAction, map[string]tftypes.Value{"desktop_ids": unknown}); hasErrors(diags) {
		t.Errorf("the plan refused desktop_ids still unknown at plan time:\n%s", diagText(diags))
	}
	expectDiagnostic(t, h.planAction(createAction, map[string]tftypes.Value{"desktop_ids": tfStringList()}),
		`AttributeName("desktop_ids")`, `must name at least one desktop ID, got an empty list`)
	expectDiagnostic(t, h.planAction(createAction, map[string]tftypes.Value{"desktop_ids": tfStringList("desk top")}),
		`AttributeName("desktop_ids")`, `must be a desktop ID`)
	expectDiagnostic(t, h.planAction(createAction, map[string]tftypes.Value{"desktop_ids": tfStringList("d-1"),
		"disk_type": tfString(workspace.DiskTypeSystem), "data_disk_snapshot": h.diskSnapshotValue("n", "")}),
		`AttributeName("data_disk_snapshot")`, `data_disk_snapshot is set but disk_type is "SYSTEM_DISK"`)
	if diags := h.planAction(createAction, map[string]tftypes.Value{"desktop_ids": tfStringList("d-1")}); hasErrors(diags) {
		t.Errorf("the plan refused a valid configuration:\n%s", diagText(diags))
	}
}

// The same through Terraform: a data source that finds no desktops.
func TestAccSnapshotCreateAction_emptyDataSourceFailsThePlan(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, Seed: 1})
	env.SkipIfReal(t, "counts batch-create calls")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig + `
data "workspace_desktops" "none" {
  name_regex = "^no-such-desktop$"
}

action "workspace_desktop_snapshot_create" "none" {
  config {
    desktop_ids = data.workspace_desktops.none.ids
  }
}

resource "terraform_data" "patch_night" {
  input = "2026-11-22"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.workspace_desktop_snapshot_create.none]
    }
  }
}
`,
			ExpectError: regexp.MustCompile(spacesMayWrap(`must name at least one desktop ID, got an empty list`)),
		}},
		CheckDestroy: func(*terraform.State) error {
			if n := createCalls(env); n != 0 {
				return fmt.Errorf("%d batch-create calls, want none: the plan should have failed", n)
			}
			return nil
		},
	})
}
