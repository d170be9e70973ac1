package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

const restoreAction = "workspace_desktop_snapshot_restore"

func restoreAttrs(snapshotIDs []string) map[string]tftypes.Value {
	return map[string]tftypes.Value{"snapshot_ids": tfStringList(snapshotIDs...)}
}

func TestActionSnapshotRestore_success(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:3]
	snapshots := snapshotted(t, env, ids, workspace.DiskTypeAll)
	h := newActionHarness(t, env, 0)
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)

	inv := h.invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("restore failed:\n%s", diagText(inv.Diagnostics))
	}
	jobs := mark.started()
	if len(jobs) != 1 {
		t.Fatalf("6 snapshots of 3 desktops fit one batch-restore; the service started %v", jobs)
	}
	if first, want := inv.Progress[0], msgWaiting(jobrun.Restore, jobs, 6); first != want {
		t.Errorf("first progress message %q, want %q", first, want)
	}
	if last, want := inv.Progress[len(inv.Progress)-1], msgFinished(jobrun.Restore, 1, 3, 0); last != want {
		t.Errorf("last progress message %q, want %q", last, want)
	}
	job, err := env.Client.ShowJob(context.Background(), jobs[0])
	if err != nil || job.JobType != workspace.JobTypeRestoreSnapshot || !workspace.JobDone(job.Status) {
		t.Errorf("announced job %s: %+v, %v; want a finished %s job", jobs[0], job, err, workspace.JobTypeRestoreSnapshot)
	}
	if got := restoreCalls(env); got != 1 {
		t.Errorf("%d batch-restore calls, want 1", got)
	}
}

func TestActionSnapshotRestore_moreThan100Snapshots(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 120, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.SkipIfReal(t, "needs 120 desktops")
	ids := env.DesktopIDs
	snapshots := snapshotted(t, env, ids, workspace.DiskTypeAll) // 240: a system and a data disk each
	h := newActionHarness(t, env, 0)
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)

	inv := h.invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("restore failed:\n%s", diagText(inv.Diagnostics))
	}
	jobs := mark.started()
	// 240 IDs in chunks of at most 100 that keep a desktop's two snapshots together.
	if len(jobs) != 3 || restoreCalls(env) != 3 {
		t.Fatalf("%d jobs after %d batch-restore calls, want 3 and 3", len(jobs), restoreCalls(env))
	}
	if !slices.Contains(inv.Progress, msgWaiting(jobrun.Restore, jobs, 240)) {
		t.Errorf("no progress message announced the 3 jobs; got:\n%s", strings.Join(inv.Progress, "\n"))
	}
	seen := desktopsOfJobs(t, env, jobs)
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("desktop %s restored %d times, want once", id, seen[id])
		}
	}
}

func TestActionSnapshotRestore_partialFailureNamesEachDesktop(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 6, JobDuration: 200 * time.Millisecond, Seed: 7})
	env.SkipIfReal(t, "injects failed sub-jobs")
	ids := env.DesktopIDs
	snapshots := snapshotted(t, env, ids, workspace.DiskTypeSystem)
	env.Emulator.SetFaults(emulator.Faults{SubJobFailureRate: 0.5})
	h := newActionHarness(t, env, 0)
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)

	inv := h.invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	jobs := mark.started()
	results, _ := env.Client.WaitForJobs(context.Background(), jobs, workspace.WaitOptions{FirstPoll: time.Millisecond})
	var failed []workspace.DesktopOutcome
	for _, res := range results {
		failed = append(failed, res.Failed()...)
	}
	if len(failed) == 0 || len(failed) == len(ids) {
		t.Fatalf("seed 7 should fail some but not all of 6 desktops; %d failed", len(failed))
	}
	errs := 0
	for _, d := range inv.Diagnostics {
		if d.Summary == "Unable to restore desktop snapshots" {
			errs++
		}
	}
	if errs != len(failed) {
		t.Errorf("%d error diagnostics for %d failed desktops, want one each:\n%s", errs, len(failed), diagText(inv.Diagnostics))
	}
	for _, f := range failed {
		expectDetail(t, inv.Diagnostics, "Unable to restore desktop snapshots", jobrun.DescribeFailedDesktop(results[jobs[0]], f))
	}
	last := inv.Progress[len(inv.Progress)-1]
	if want := msgFinished(jobrun.Restore, 1, len(ids)-len(failed), len(failed)); last != want {
		t.Errorf("last progress message %q, want %q", last, want)
	}
}

func TestActionSnapshotRestore_invalidConfig(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	cases := []struct {
		name      string
		attrs     map[string]tftypes.Value
		attribute string
		pattern   string
	}{
		{"no snapshots", restoreAttrs(nil), `AttributeName("snapshot_ids")`, `must name at least one snapshot ID, got an empty list`},
		{"malformed ID", restoreAttrs([]string{"not a snapshot"}), `AttributeName("snapshot_ids")`, `must be a snapshot ID: 1 to 36 letters, digits or hyphens`},
		{"unparsable timeout", map[string]tftypes.Value{"snapshot_ids": tfStringList("s-1"), "timeout": tfString("soon")},
			`AttributeName("timeout")`, `must be a positive duration such as "90s", "30m" or "1h30m", got "soon"`},
		{"negative timeout", map[string]tftypes.Value{"snapshot_ids": tfStringList("s-1"), "timeout": tfString("-5m")},
			`AttributeName("timeout")`, `must be a positive duration`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := h.validate(restoreAction, c.attrs)
			if !hasErrors(diags) {
				t.Fatalf("ValidateActionConfig accepted %s", c.name)
			}
			expectDiagnostic(t, diags, c.attribute, c.pattern)
		})
	}
	if diags := h.validate(restoreAction, map[string]tftypes.Value{"snapshot_ids": tfStringList("s-1"), "timeout": tfString("1h30m")}); hasErrors(diags) {
		t.Errorf("a valid configuration was refused:\n%s", diagText(diags))
	}
}

func TestActionSnapshotRestore_cancelledWhileWaiting(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 2 * time.Second, Seed: 1})
	ids := env.DesktopIDs[:2]
	snapshots := snapshotted(t, env, ids, workspace.DiskTypeSystem)
	h := newActionHarness(t, env, 0)
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)

	// Cancel as Terraform does on Ctrl-C, once the job is announced.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inv := h.invoke(ctx, restoreAction, restoreAttrs(snapshots), func(string) { cancel() })
	jobs := mark.started()
	if len(jobs) != 1 || inv.Progress[0] != msgWaiting(jobrun.Restore, jobs, 2) {
		t.Fatalf("jobs %v, progress %q: want one job, announced", jobs, inv.Progress)
	}
	expectDetail(t, inv.Diagnostics, "Unable to restore desktop snapshots", fmt.Sprintf(
		"The action was interrupted while waiting for 1 of 1 batch-restore job. They were submitted and keep "+
			"running in the service: %s.\n\nRead their outcome with the workspace_job data source before invoking the action again.", jobs[0]))
	// Nothing was lost: the job the action started still ends, once.
	res, err := env.Client.WaitForJob(context.Background(), jobs[0], workspace.WaitOptions{FirstPoll: time.Millisecond})
	if err != nil || !res.Succeeded {
		t.Errorf("the interrupted action's job %s: %v", jobs[0], err)
	}
	if got := restoreCalls(env); got != 1 {
		t.Errorf("%d batch-restore calls, want 1", got)
	}
}

func TestActionSnapshotRestore_timeoutNamesRunningJobs(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	// Ten minutes: the emulator's clock may run ahead of the client's by
	// less than the 15 minutes signatures allow.
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, JobDuration: 10 * time.Minute, Seed: 1, Now: clock.now})
	env.SkipIfReal(t, "needs a job that outlasts the timeout")
	ctx := context.Background()
	// Snapshot first, moving the emulator's clock past the job.
	subs := env.Client.SubmitBatchCreate(ctx, workspace.BatchCreateDesktopSnapshotReq{DesktopIds: env.DesktopIDs, DiskType: workspace.DiskTypeSystem}, workspace.SubmitHooks{})
	if subs[0].Err != nil {
		t.Fatal(subs[0].Err)
	}
	clock.step(10 * time.Minute)
	if _, err := env.Client.WaitForJob(ctx, subs[0].JobID, workspace.WaitOptions{FirstPoll: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	snapshots := snapshotIDsOf(t, env, env.DesktopIDs)

	h := newActionHarness(t, env, 0)
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)
	inv := h.invoke(ctx, restoreAction,
		map[string]tftypes.Value{"snapshot_ids": tfStringList(snapshots...), "timeout": tfString("2s")}, nil)
	jobs := mark.started()
	if len(jobs) != 1 {
		t.Fatalf("the service started %v, want one job", jobs)
	}
	job, err := env.Client.ShowJob(ctx, jobs[0]) // still in its first minute: the status the action last read
	if err != nil {
		t.Fatal(err)
	}
	expectDetail(t, inv.Diagnostics, "Unable to restore desktop snapshots", fmt.Sprintf(
		"The action's timeout passed while waiting for 1 of 1 batch-restore job. They were submitted and keep "+
			"running in the service: %s (last status: %s).\n\nRead their outcome with the workspace_job data source "+
			"before invoking the action again.", jobs[0], job.Status))
}

func TestActionSnapshotRestore_progressIsThrottled(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 120, JobDuration: 1500 * time.Millisecond, Seed: 1})
	snapshots := snapshotted(t, env, env.DesktopIDs, workspace.DiskTypeAll)

	// No interval: every submitted chunk and every poll is reported.
	mark := markJobs(t, env, workspace.JobTypeRestoreSnapshot)
	inv := newActionHarness(t, env, 0).invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("restore failed:\n%s", diagText(inv.Diagnostics))
	}
	jobs := mark.started()
	chunkMsgs := chunkMessages(t, env, jobrun.Restore, jobs)
	waiting, finished := msgWaiting(jobrun.Restore, jobs, 240), msgFinished(jobrun.Restore, 3, 120, 0)
	chunks, polls := 0, 0
	for _, msg := range inv.Progress {
		switch {
		case chunkMsgs[msg]:
			chunks++
		case msg != waiting && msg != finished:
			polls++
		}
	}
	if chunks != 3 || polls < 3 || !slices.Contains(inv.Progress, waiting) || inv.Progress[len(inv.Progress)-1] != finished {
		t.Errorf("with no interval: %d chunk and %d poll updates, want 3 and at least 3, and both milestones:\n%s",
			chunks, polls, strings.Join(inv.Progress, "\n"))
	}

	// An hour's interval: the first update, then only the two milestones.
	mark = markJobs(t, env, workspace.JobTypeRestoreSnapshot)
	inv = newActionHarness(t, env, time.Hour).invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	jobs = mark.started()
	chunkMsgs = chunkMessages(t, env, jobrun.Restore, jobs)
	if len(inv.Progress) != 3 || !chunkMsgs[inv.Progress[0]] || inv.Progress[1] != msgWaiting(jobrun.Restore, jobs, 240) ||
		inv.Progress[2] != msgFinished(jobrun.Restore, 3, 120, 0) {
		t.Errorf("with an hour's interval, want the first update and two milestones; got:\n%s", strings.Join(inv.Progress, "\n"))
	}
}

// chunkMessages is every message msgChunkSubmitted can make for the jobs:
// each job's ID count is read from the service, its chunk index may be any.
func chunkMessages(t *testing.T, env *testAccEnv, op jobrun.Operation, jobs []string) map[string]bool {
	t.Helper()
	results, err := env.Client.WaitForJobs(context.Background(), jobs, workspace.WaitOptions{FirstPoll: time.Millisecond})
	if len(results) != len(jobs) {
		t.Fatalf("reading jobs %v: %v", jobs, err)
	}
	msgs := map[string]bool{}
	for _, id := range jobs {
		n := 0
		for _, o := range results[id].Outcomes {
			if op == jobrun.Restore {
				n += len(splitEntity(o.Entity))
			} else {
				n++
			}
		}
		for i := range jobs {
			msgs[msgChunkSubmitted(op, workspace.ChunkSubmission{JobID: id, IDs: make([]string, n), Index: i, Chunks: len(jobs)})] = true
		}
	}
	return msgs
}

func TestAccSnapshotRestoreAction_triggeredAfterCreate(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:2]
	snapshots := snapshotted(t, env, ids, workspace.DiskTypeSystem)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig + fmt.Sprintf(`
action "workspace_desktop_snapshot_restore" "test" {
  config {
    snapshot_ids = %s
  }
}

resource "terraform_data" "patch_night" {
  input = "2026-11-22"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.workspace_desktop_snapshot_restore.test]
    }
  }
}
`, hclStrings(snapshots)),
			Check: func(*terraform.State) error {
				if env.Real {
					return nil
				}
				if got := restoreCalls(env); got != 1 {
					return fmt.Errorf("%d batch-restore calls after the trigger, want 1", got)
				}
				return nil
			},
		}},
	})
}

func TestActionSnapshotRestore_apiErrorKeepsCodeAndRequestID(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	unknown := "0a0b0c0d-0000-4000-8000-000000000000"
	inv := h.invoke(context.Background(), restoreAction, restoreAttrs([]string{unknown}), nil)
	expectDiagnostic(t, inv.Diagnostics, `AttributeName("snapshot_ids")`, `(?s)Submitting batch-restore for 1 snapshot \(`+unknown+`\) failed\.`+
		`.*The Workspace API answered HTTP 4\d\d.*Error code: WKS\.\d+\nMessage: .+\n.*Request ID: \w+`)
	if len(inv.Progress) != 0 {
		t.Errorf("no job was started, yet the action reported %q", inv.Progress)
	}
}

func TestActionSnapshotRestore_emptySnapshotIDsFailThePlan(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	unknown := tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, tftypes.UnknownValue)
	if diags := h.planAction(restoreAction, map[string]tftypes.Value{"snapshot_ids": unknown}); hasErrors(diags) {
		t.Errorf("the plan refused snapshot_ids still unknown at plan time:\n%s", diagText(diags))
	}
	expectDiagnostic(t, h.planAction(restoreAction, restoreAttrs(nil)),
		`AttributeName("snapshot_ids")`, `must name at least one snapshot ID, got an empty list`)
	if diags := h.planAction(restoreAction, restoreAttrs([]string{"s-1"})); hasErrors(diags) {
		t.Errorf("the plan refused a valid configuration:\n%s", diagText(diags))
	}
}

// splitEntity reads the snapshot IDs the emulator's restore sub-jobs name in
// their entity (its default dialect).
func splitEntity(entity string) []string {
	var ids []string
	for _, p := range strings.Split(entity, ",") {
		if p = strings.TrimSpace(p); p != "" {
			ids = append(ids, p)
		}
	}
	return ids
}
