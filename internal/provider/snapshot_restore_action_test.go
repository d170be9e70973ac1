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

const restoreAction = "workspace_desktop_snapshot_restore"

func restoreAttrs(snapshotIDs []string) map[string]tftypes.Value {
	return map[string]tftypes.Value{"snapshot_ids": tfStringSet(snapshotIDs...)}
}

// snapshotted snapshots the desktops out of band and returns the records' IDs.
func snapshotted(t *testing.T, env *testAccEnv, desktopIDs []string, diskType string) []string {
	t.Helper()
	snapshotDesktops(t, env, desktopIDs, diskType, "before")
	return snapshotIDsOf(t, env, desktopIDs)
}

func TestActionSnapshotRestore_success(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:3]
	snapshots := snapshotted(t, env, ids, workspace.DiskTypeAll)
	h := newActionHarness(t, env, 0)

	inv := h.invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("restore failed:\n%s", diagText(inv.Diagnostics))
	}
	jobs := jobIDsIn(t, inv.Progress)
	if len(jobs) != 1 {
		t.Fatalf("6 snapshots of 3 desktops fit one batch-restore; announced jobs %v", jobs)
	}
	last := inv.Progress[len(inv.Progress)-1]
	if want := "Finished 1 batch-restore job(s): 3 desktops succeeded, 0 failed."; last != want {
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
	env := newTestAccEnv(t, emulator.Config{Desktops: 120, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.SkipIfReal(t, "needs 120 desktops")
	ids := env.DesktopIDs
	snapshots := snapshotted(t, env, ids, workspace.DiskTypeAll) // 240: a system and a data disk each
	h := newActionHarness(t, env, 0)

	inv := h.invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("restore failed:\n%s", diagText(inv.Diagnostics))
	}
	jobs := jobIDsIn(t, inv.Progress)
	// 240 IDs in chunks of at most 100 that keep a desktop's two snapshots together.
	if len(jobs) != 3 || restoreCalls(env) != 3 {
		t.Errorf("announced %d jobs after %d batch-restore calls, want 3 and 3", len(jobs), restoreCalls(env))
	}
	seen := desktopsOfJobs(t, env, jobs)
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("desktop %s restored %d times, want once", id, seen[id])
		}
	}
}

func TestActionSnapshotRestore_partialFailureNamesEachDesktop(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 6, JobDuration: 200 * time.Millisecond, Seed: 7})
	env.SkipIfReal(t, "injects failed sub-jobs")
	ids := env.DesktopIDs
	snapshots := snapshotted(t, env, ids, workspace.DiskTypeSystem)
	env.Emulator.SetFaults(emulator.Faults{SubJobFailureRate: 0.5})
	h := newActionHarness(t, env, 0)

	inv := h.invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	jobs := jobIDsIn(t, inv.Progress)
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
		expectDiagnostic(t, inv.Diagnostics, "", fmt.Sprintf(`(?s)Desktop %s .*failed in job %s.*Error code: %s\nReason: %s`,
			regexp.QuoteMeta(f.DesktopID), jobs[0], regexp.QuoteMeta(f.ErrorCode), regexp.QuoteMeta(f.FailReason)))
	}
	last := inv.Progress[len(inv.Progress)-1]
	if want := fmt.Sprintf("Finished 1 batch-restore job(s): %d desktops succeeded, %d failed.", len(ids)-len(failed), len(failed)); last != want {
		t.Errorf("last progress message %q, want %q", last, want)
	}
}

func TestActionSnapshotRestore_invalidConfig(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	cases := []struct {
		name      string
		attrs     map[string]tftypes.Value
		attribute string
		pattern   string
	}{
		{"no snapshots", restoreAttrs(nil), `AttributeName("snapshot_ids")`, `set must contain at least 1 elements`},
		{"malformed ID", restoreAttrs([]string{"not a snapshot"}), `AttributeName("snapshot_ids")`, `must be a snapshot ID: 1 to 36 letters, digits or hyphens`},
		{"unparsable timeout", map[string]tftypes.Value{"snapshot_ids": tfStringSet("s-1"), "timeout": tfString("soon")},
			`AttributeName("timeout")`, `must be a positive duration such as "90s", "30m" or "1h30m", got "soon"`},
		{"negative timeout", map[string]tftypes.Value{"snapshot_ids": tfStringSet("s-1"), "timeout": tfString("-5m")},
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
	if diags := h.validate(restoreAction, map[string]tftypes.Value{"snapshot_ids": tfStringSet("s-1"), "timeout": tfString("1h30m")}); hasErrors(diags) {
		t.Errorf("a valid configuration was refused:\n%s", diagText(diags))
	}
}

func TestActionSnapshotRestore_cancelledWhileWaiting(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 2 * time.Second, Seed: 1})
	ids := env.DesktopIDs[:2]
	snapshots := snapshotted(t, env, ids, workspace.DiskTypeSystem)
	h := newActionHarness(t, env, 0)

	// Cancel as Terraform does on Ctrl-C, once the jobs are announced.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inv := h.invoke(ctx, restoreAction, restoreAttrs(snapshots), func(msg string) {
		if announcedJobs.MatchString(msg) {
			cancel()
		}
	})
	jobs := jobIDsIn(t, inv.Progress)
	expectDiagnostic(t, inv.Diagnostics, "", `The action was interrupted while waiting for 1 of 1 batch-restore job\(s\)\. `+
		`They were submitted and keep running in the service: `+jobs[0])
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
	clock := &steppedClock{}
	// Ten minutes: the emulator's clock may run ahead of the client's by
	// less than the 15 minutes signatures allow.
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, JobDuration: 10 * time.Minute, Seed: 1, Now: clock.now})
	env.SkipIfReal(t, "needs a job that outlasts the timeout")
	ctx := context.Background()
	// Snapshot first, moving the emulator's clock past the job.
	subs := env.Client.SubmitBatchCreate(ctx, workspace.BatchCreateDesktopSnapshotReq{DesktopIds: env.DesktopIDs, DiskType: workspace.DiskTypeSystem}, nil)
	if subs[0].Err != nil {
		t.Fatal(subs[0].Err)
	}
	clock.step(10 * time.Minute)
	if _, err := env.Client.WaitForJob(ctx, subs[0].JobID, workspace.WaitOptions{FirstPoll: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	snapshots := snapshotIDsOf(t, env, env.DesktopIDs)

	h := newActionHarness(t, env, 0)
	inv := h.invoke(ctx, restoreAction,
		map[string]tftypes.Value{"snapshot_ids": tfStringSet(snapshots...), "timeout": tfString("2s")}, nil)
	jobs := jobIDsIn(t, inv.Progress)
	expectDiagnostic(t, inv.Diagnostics, "", `The action's timeout passed while waiting for 1 of 1 batch-restore job\(s\)\. `+
		`They were submitted and keep running in the service: `+jobs[0])
}

func TestActionSnapshotRestore_progressIsThrottled(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 120, JobDuration: 1500 * time.Millisecond, Seed: 1})
	env.SkipIfReal(t, "counts progress events of emulated jobs")
	snapshots := snapshotted(t, env, env.DesktopIDs, workspace.DiskTypeAll)

	// No interval: every submitted job and every poll is reported.
	inv := newActionHarness(t, env, 0).invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	if hasErrors(inv.Diagnostics) {
		t.Fatalf("restore failed:\n%s", diagText(inv.Diagnostics))
	}
	submitted, polled := 0, 0
	for _, msg := range inv.Progress {
		switch {
		case strings.HasPrefix(msg, "Submitted batch-restore job "):
			submitted++
		case strings.Contains(msg, " jobs finished; "):
			polled++
		}
	}
	if submitted != 3 || polled < 3 {
		t.Errorf("with no interval: %d per-job and %d poll updates, want 3 and at least 3:\n%s", submitted, polled, strings.Join(inv.Progress, "\n"))
	}

	// An hour's interval: the first update, then only the two milestones.
	inv = newActionHarness(t, env, time.Hour).invoke(context.Background(), restoreAction, restoreAttrs(snapshots), nil)
	if len(inv.Progress) != 3 || !strings.HasPrefix(inv.Progress[0], "Submitted batch-restore job ") ||
		!announcedJobs.MatchString(inv.Progress[1]) || !strings.HasPrefix(inv.Progress[2], "Finished 3 batch-restore job(s)") {
		t.Errorf("with an hour's interval, want the first update and two milestones; got:\n%s", strings.Join(inv.Progress, "\n"))
	}
}

func TestAccSnapshotRestoreAction_triggeredAfterCreate(t *testing.T) {
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
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	unknown := "0a0b0c0d-0000-4000-8000-000000000000"
	inv := h.invoke(context.Background(), restoreAction, restoreAttrs([]string{unknown}), nil)
	expectDiagnostic(t, inv.Diagnostics, `AttributeName("snapshot_ids")`, `(?s)Submitting batch-restore for 1 snapshots \(`+unknown+`\) failed\.`+
		`.*The Workspace API answered HTTP 4\d\d.*Error code: WKS\.\d+\nMessage: .+\n.*Request ID: \w+`)
	if len(inv.Progress) != 0 {
		t.Errorf("no job was started, yet the action reported %q", inv.Progress)
	}
}
