package jobrun

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/acctest"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator/emulatortest"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// newEmulatorClient starts an emulator and a client of it.
func newEmulatorClient(t *testing.T, cfg emulator.Config) (*emulator.Server, *workspace.Client) {
	t.Helper()
	srv := emulatortest.Start(t, cfg)
	return srv, acctest.EmulatorClient(t, srv, srv.URL())
}

// Start records every job once, after the submission and before the first
// poll, so a run cut short during the wait has already recorded its jobs;
// Job sees each chunk as its job becomes known, before Record.
func TestStart_recordsEveryJobBeforeTheWait(t *testing.T) {
	t.Parallel()
	srv, client := newEmulatorClient(t, emulator.Config{Desktops: 250, JobDuration: 300 * time.Millisecond, Seed: 1})
	var chunks []string
	var recorded [][]string
	polledBeforeRecord := -1
	rec := RecordFuncs{
		OnJob: func(sub workspace.ChunkSubmission) {
			if recorded != nil {
				t.Errorf("chunk of job %s seen after Record", sub.JobID)
			}
			chunks = append(chunks, sub.JobID)
		},
		OnRecord: func(jobIDs []string) {
			recorded = append(recorded, jobIDs)
			polledBeforeRecord = srv.Stats().RequestsByOperation["ShowJob"]
		},
	}
	submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
		return client.SubmitBatchCreate(ctx, workspace.BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs(),
			DiskType: workspace.DiskTypeSystem}, hooks)
	}
	run := Start(context.Background(), client, Create, submit, rec, Hooks{})
	if len(run.JobIDs) != 3 || !slices.Equal(chunks, run.JobIDs) {
		t.Fatalf("jobs %v, chunks seen %v; want 3 jobs (250 desktops), each seen once", run.JobIDs, chunks)
	}
	if len(recorded) != 1 || !slices.Equal(recorded[0], run.JobIDs) {
		t.Fatalf("Record got %v, want one call with %v", recorded, run.JobIDs)
	}
	if polledBeforeRecord != 0 {
		t.Errorf("%d ShowJob calls before Record, want none: the jobs must be recorded before the wait", polledBeforeRecord)
	}
	if run.Pending() || run.Status() != StatusSuccess || run.Stopped != nil {
		t.Errorf("pending %v, status %s, stopped %v; want every job ended and SUCCESS", run.Pending(), run.Status(), run.Stopped)
	}
}

// A run whose context ends during the wait has recorded its jobs and stays
// PENDING; a run that started no job records nothing.
func TestStart_cutShortOrNoJob(t *testing.T) {
	t.Parallel()
	srv, client := newEmulatorClient(t, emulator.Config{Desktops: 2, JobDuration: time.Hour, Seed: 1})
	var recorded []string
	rec := RecordFuncs{OnRecord: func(jobIDs []string) { recorded = jobIDs }}
	submit := func(ctx context.Context, hooks workspace.SubmitHooks) []workspace.ChunkSubmission {
		return client.SubmitBatchCreate(ctx, workspace.BatchCreateDesktopSnapshotReq{DesktopIds: srv.DesktopIDs()}, hooks)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	run := Start(ctx, client, Create, submit, rec, Hooks{})
	if len(recorded) != 1 || !slices.Equal(recorded, run.JobIDs) {
		t.Fatalf("recorded %v, want the run's one job %v", recorded, run.JobIDs)
	}
	if run.Stopped == nil || !run.Pending() || run.Status() != StatusPending {
		t.Errorf("stopped %v, pending %v, status %s; want the run cut short and PENDING", run.Stopped, run.Pending(), run.Status())
	}

	called := false
	none := func(context.Context, workspace.SubmitHooks) []workspace.ChunkSubmission {
		return []workspace.ChunkSubmission{{IDs: []string{"d-1"}, Err: workspace.ErrNotSubmitted, Chunks: 1}}
	}
	run = Start(context.Background(), client, Create, none, RecordFuncs{OnRecord: func([]string) { called = true }}, Hooks{})
	if called || len(run.JobIDs) != 0 || len(run.FailedChunks) != 1 {
		t.Errorf("no job: Record called %v, jobs %v, failed chunks %d; want no Record and the chunk failed", called, run.JobIDs, len(run.FailedChunks))
	}
}
