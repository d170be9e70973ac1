package jobrun

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// The report of a run: what a caller says it kept ends the stopped-run
// error, a busy chunk says no job exists, and IDs are abbreviated.
func TestJobRunDiagnostics_wording(t *testing.T) {
	t.Parallel()
	ids := make([]string, 12)
	for i := range ids {
		ids[i] = fmt.Sprintf("d-%02d", i)
	}
	busyAnswer := &workspace.APIError{HTTPStatus: http.StatusConflict, Operation: "BatchCreateDesktopSnapshot",
		ErrorCode: workspace.CodeDesktopBusy, ErrorMsg: "Operation conflict.", RequestID: "req-1"}
	run := &Run{
		Op:     Create,
		JobIDs: []string{"job-1", "job-2"},
		FailedChunks: []workspace.ChunkSubmission{
			{IDs: ids, Err: &workspace.DesktopsBusyError{Operation: "BatchCreateDesktopSnapshot", Attempts: 4,
				Waited: 7 * time.Second, Last: busyAnswer, Cause: context.DeadlineExceeded}},
			{IDs: ids[:2], Err: fmt.Errorf("BatchCreateDesktopSnapshot: chunk 2 %w: %w", workspace.ErrNotSubmitted, context.Canceled)},
		},
		Results: map[string]*workspace.JobResult{"job-1": {JobID: "job-1", Status: "SUCCESS"}},
		WaitErr: errors.Join(&workspace.JobTimeoutError{JobID: "job-2", LastStatus: "RUNNING", Waited: 3 * time.Second}),
		Stopped: context.DeadlineExceeded,
	}
	rep := Report{IDsPath: path.Root("desktop_ids"), Interrupted: "It was interrupted", TimedOut: "Its timeout passed", Kept: "KEPT."}
	diags := run.Diagnostics(rep)
	want := []string{
		"Submitting batch-create for 12 desktops (d-00, d-01, d-02, d-03, d-04 and 7 more) failed.\n\n" +
			"The service refused all 4 attempts because the desktops are busy with another job (409 WKS.00010032), " +
			"so no job was started for them. Its timeout passed while waiting to try again.\n\nThe last answer:\n" +
			framework.DescribeError(busyAnswer, ""),
		"Submitting batch-create for 2 desktops (d-00, d-01) failed.\n\n" +
			"It was interrupted before this chunk was sent, so no job was started for it.",
		"Its timeout passed while waiting for 1 of 2 batch-create jobs. They were submitted and keep running in " +
			"the service: job-2 (last status: RUNNING).\n\nKEPT.",
	}
	if len(diags) != len(want) {
		t.Fatalf("%d diagnostics, want %d:\n%v", len(diags), len(want), diags)
	}
	for i, d := range diags {
		if d.Severity() != diag.SeverityError || d.Summary() != Create.Summary || d.Detail() != want[i] {
			t.Errorf("diagnostic %d:\n%s\nwant:\n%s", i, d.Detail(), want[i])
		}
	}
	if withPath, ok := diags[0].(diag.DiagnosticWithPath); !ok || !withPath.Path().Equal(path.Root("desktop_ids")) {
		t.Errorf("the chunk's error is not on desktop_ids: %#v", diags[0])
	}
}
