package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// A batch's job windows: when (service time) each of its jobs' requests
// was sent and answered (workspace.JobWindow). No record created before the
// send is a job's, and from the send and the answer the zone of job times
// is learned again in a later process; so a batch that is still PENDING
// keeps them in private state (a few dozen bytes per job of 100 desktops),
// where the refresh or destroy that resolves its jobs finds them. Once
// resolved they are dropped.

// jobWindowsKey is the windows' private state key.
const jobWindowsKey = "job_windows"

// jobWindows maps a job ID to its window.
type jobWindows map[string]*workspace.JobWindow

type storedWindow struct {
	Sent     time.Time `json:"sent"`
	Answered time.Time `json:"answered,omitzero"`
}

// privateKeys is the private state of a request or response.
type privateKeys interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// add records the window of a submitted chunk's job.
func (w jobWindows) add(sub workspace.ChunkSubmission) {
	w[sub.JobID] = &workspace.JobWindow{Sent: sub.Sent, Answered: sub.Answered}
}

// unresolved are the jobs of jobIDs still to resolve: those with a window,
// or every one when none has (an import, or a batch left PENDING by a
// version that kept no windows).
func (w jobWindows) unresolved(jobIDs []string) []string {
	var out []string
	for _, id := range jobIDs {
		if w[id] != nil {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return jobIDs
	}
	return out
}

// teach tells the client when each job's request was answered, so it can
// learn the zone of job times from the jobs.
func (w jobWindows) teach(client *workspace.Client) {
	for id, win := range w {
		if !win.Answered.IsZero() {
			client.NoteJobAnswered(id, win.Answered)
		}
	}
}

// readJobWindows returns the stored windows; nil when none are stored (an
// import, or a batch a version that kept none left PENDING).
func readJobWindows(ctx context.Context, p privateKeys) (jobWindows, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, jobWindowsKey)
	if diags.HasError() || len(raw) == 0 {
		return nil, diags
	}
	var stored map[string]storedWindow
	if err := json.Unmarshal(raw, &stored); err != nil {
		diags.AddError("Unable to read the batch's private state",
			fmt.Sprintf("When its jobs were sent (private state key %q) is not a JSON object of job windows: %v.", jobWindowsKey, err))
		return nil, diags
	}
	out := make(jobWindows, len(stored))
	for id, s := range stored {
		out[id] = &workspace.JobWindow{Sent: s.Sent, Answered: s.Answered}
	}
	return out, diags
}

// writeJobWindows keeps the windows while the batch is PENDING and drops
// them once it is resolved (along with the baseline key earlier versions
// kept).
func writeJobWindows(ctx context.Context, p privateKeys, windows jobWindows, pending bool) diag.Diagnostics {
	diags := p.SetKey(ctx, "baseline", nil)
	if !pending || len(windows) == 0 {
		return append(diags, p.SetKey(ctx, jobWindowsKey, nil)...)
	}
	stored := make(map[string]storedWindow, len(windows))
	for id, w := range windows {
		stored[id] = storedWindow{Sent: w.Sent.UTC(), Answered: w.Answered.UTC()}
	}
	raw, err := json.Marshal(stored)
	if err != nil {
		diags.AddError("Unable to write the batch's private state", err.Error())
		return diags
	}
	return append(diags, p.SetKey(ctx, jobWindowsKey, raw)...)
}
