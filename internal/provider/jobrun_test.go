package provider

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/acctest"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
)

// jobrun.Refresh is the one refresh path of interrupted runs: a running job
// leaves the run pending, a job the service no longer knows warns and
// leaves it pending, and only once every job has ended are outcomes read.
func TestRefreshJobs_pendingGoneAndEnded(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: time.Minute, Seed: 1, Now: clock.now})
	env.SkipIfReal(t, "moves the emulator's clock and hides jobs through a proxy")
	ctx := context.Background()
	job := submitJob(t, env, env.DesktopIDs)

	run, diags := jobrun.Refresh(ctx, env.Client, jobrun.Create, []string{job})
	if diags.HasError() || len(diags) != 0 || !run.Pending() || run.Status() != jobrun.StatusPending {
		t.Fatalf("running job: pending %v, status %s, diags %v; want PENDING and no diagnostics", run.Pending(), run.Status(), diags)
	}

	// "Gone" is decided by listing the job's sub-jobs, whichever refusal
	// ShowJob gave (reference §9 item 4): a refusal alone is an error.
	proxy := newHostileProxy(t, env.Emulator.URL())
	proxied := acctest.EmulatorClient(t, env.Emulator, proxy.URL())
	for _, refusal := range []struct {
		status     int
		body       string
		listedGone bool
	}{
		{http.StatusNotFound, `{"error_code":"WKS.0004","error_msg":"The job does not exist."}`, true},
		{http.StatusBadRequest, `{"error_code":"WKS.0001","error_msg":"The job does not exist."}`, true},
		{http.StatusNotFound, `{"error_code":"WKS.0004","error_msg":"The job does not exist."}`, false},
	} {
		proxy.set(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
			if refusal.listedGone && answerNoSubJobsOfAJob(w, r) {
				return true
			}
			if showJobPath.MatchString(r.URL.Path) {
				w.WriteHeader(refusal.status)
				_, _ = w.Write([]byte(refusal.body))
				return true
			}
			return false
		}, nil)
		run, diags = jobrun.Refresh(ctx, proxied, jobrun.Create, []string{job})
		switch {
		case refusal.listedGone && (diags.HasError() || diags.WarningsCount() != 1 || !run.Pending() ||
			!strings.Contains(diags[0].Detail(), "The service no longer knows 1 batch-create job that an interrupted run started ("+job+")")):
			t.Fatalf("gone job (HTTP %d): pending %v, diags %v; want one warning naming the job and the run still pending", refusal.status, run.Pending(), diags)
		case !refusal.listedGone && !diags.HasError():
			t.Fatalf("a 404 for a job its sub-jobs still list: diags %v; want an error, not a job called gone", diags)
		}
	}

	clock.step(2 * time.Minute)
	polls := env.Emulator.Stats().RequestsByOperation["ShowJob"]
	run, diags = jobrun.Refresh(ctx, env.Client, jobrun.Create, []string{job})
	if len(diags) != 0 || run.Pending() || run.Status() != jobrun.StatusSuccess || run.Results[job] == nil {
		t.Fatalf("ended job: pending %v, status %s, diags %v; want its outcome read", run.Pending(), run.Status(), diags)
	}
	if n := env.Emulator.Stats().RequestsByOperation["ShowJob"] - polls; n != 1 {
		t.Errorf("the refresh read the ended job %d times, want once", n)
	}
}
