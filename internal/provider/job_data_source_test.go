package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

func jobConfig(env *testAccEnv, jobID string) string {
	return env.ProviderConfig + fmt.Sprintf(`
data "workspace_job" "test" {
  job_id = %q
}
`, jobID)
}

const jobAddr = "data.workspace_job.test"

var (
	jobTimePattern = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`)
	uuidPattern    = regexp.MustCompile(`^[0-9a-f-]{36}$`)
)

// wireSubJobChecks expects the data source's sub-jobs, sorted by desktop ID,
// to carry exactly what the service's own answer holds for the job, read as
// raw JSON: a wrong field name in our client's models fails here, where
// expectations built through the same models would agree with it.
func wireSubJobChecks(t *testing.T, env *testAccEnv, jobID string) []statecheck.StateCheck {
	t.Helper()
	var job struct {
		SubJobs []map[string]any `json:"sub_jobs"`
	}
	wireGet(t, env, "/workspace-jobs/"+jobID, &job)
	if len(job.SubJobs) == 0 {
		t.Fatalf("job %s has no sub-jobs in the emulator's answer", jobID)
	}
	field := func(m map[string]any, key string) string {
		v, _ := m[key].(string)
		return v
	}
	entities := func(m map[string]any) map[string]any {
		e, _ := m["entities"].(map[string]any)
		return e
	}
	sort.Slice(job.SubJobs, func(i, j int) bool {
		return field(entities(job.SubJobs[i]), "desktop_id") < field(entities(job.SubJobs[j]), "desktop_id")
	})
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("sub_jobs"), knownvalue.ListSizeExact(len(job.SubJobs))),
	}
	for i, sj := range job.SubJobs {
		checks = append(checks, statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("sub_jobs").AtSliceIndex(i),
			knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id":           knownvalue.StringExact(field(sj, "id")),
				"status":       knownvalue.StringExact(field(sj, "status")),
				"desktop_id":   knownvalue.StringExact(field(entities(sj), "desktop_id")),
				"desktop_name": knownvalue.StringExact(field(entities(sj), "desktop_name")),
				"error_code":   knownvalue.StringExact(field(sj, "error_code")),
				"fail_reason":  knownvalue.StringExact(field(sj, "fail_reason")),
				"begin_time":   knownvalue.StringExact(field(sj, "begin_time")),
				"end_time":     knownvalue.StringExact(field(sj, "end_time")),
				"entity":       knownvalue.StringExact(field(sj, "entity")),
			})))
	}
	return checks
}

// finishedJob snapshots the desktops in one job and returns its result,
// failed sub-jobs included.
func finishedJob(t *testing.T, env *testAccEnv, ids []string) *workspace.JobResult {
	t.Helper()
	ctx := context.Background()
	jobIDs := snapshotDesktops(t, env, ids, workspace.DiskTypeSystem, "job")
	res, err := env.Client.WaitForJob(ctx, jobIDs[0], workspace.WaitOptions{})
	var failed *workspace.JobFailedError
	if res == nil || (err != nil && !errors.As(err, &failed)) {
		t.Fatalf("job %s did not finish: %v", jobIDs[0], err)
	}
	return res
}

func TestAccJobDataSource_success(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, Seed: 11, AuthToken: wireToken})
	env.SkipIfReal(t, "would leave snapshots behind on the real desktops")
	res := finishedJob(t, env, env.DesktopIDs[:3])
	if !res.Succeeded {
		t.Fatalf("job %s ended %s, want a success", res.JobID, res.Status)
	}
	checks := append(wireSubJobChecks(t, env, res.JobID),
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("id"), knownvalue.StringExact(res.JobID)),
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("job_type"), knownvalue.StringExact(workspace.JobTypeCreateSnapshot)),
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact(workspace.JobStatusSuccess)),
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("begin_time"), knownvalue.StringRegexp(jobTimePattern)),
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("end_time"), knownvalue.StringRegexp(jobTimePattern)),
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("job_error_code"), knownvalue.StringExact("")),
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("fail_reason"), knownvalue.StringExact("")),
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("sub_jobs_total"), knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("sub_jobs").AtSliceIndex(0).AtMapKey("id"), knownvalue.StringRegexp(uuidPattern)),
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: jobConfig(env, res.JobID), ConfigStateChecks: checks}},
	})
}

func TestAccJobDataSource_partialFailure(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 8, Seed: 11, AuthToken: wireToken, Faults: emulator.Faults{SubJobFailureRate: 0.5}})
	env.SkipIfReal(t, "injects sub-job failures")
	failing := finishedJob(t, env, env.DesktopIDs[:4])
	// The same kind of job, but the parent reports COMPLETE over its failures.
	env.Emulator.SetFaults(emulator.Faults{SubJobFailureRate: 0.5, CompleteWithFailedSubJobs: true})
	complete := finishedJob(t, env, env.DesktopIDs[4:])
	for _, res := range []*workspace.JobResult{failing, complete} {
		if n := len(res.Failed()); n == 0 || n == len(res.Outcomes) {
			t.Fatalf("job %s: %d of %d sub-jobs failed; this test needs a partial failure, pick another Seed",
				res.JobID, n, len(res.Outcomes))
		}
	}
	failedCode := failing.Failed()[0].ErrorCode
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: jobConfig(env, failing.JobID),
				ConfigStateChecks: append(wireSubJobChecks(t, env, failing.JobID),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact(workspace.JobStatusFail)),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("job_error_code"), knownvalue.StringExact(failedCode)),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("fail_reason"),
						knownvalue.StringExact(fmt.Sprintf("%d of 4 sub-jobs failed", len(failing.Failed())))),
				),
			},
			{
				// COMPLETE hides the failures at the top; the sub-jobs still show them.
				Config: jobConfig(env, complete.JobID),
				ConfigStateChecks: append(wireSubJobChecks(t, env, complete.JobID),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("status"), knownvalue.StringExact(workspace.JobStatusComplete)),
					statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("job_error_code"), knownvalue.StringExact("")),
				),
			},
		},
	})
}

func TestAccJobDataSource_unknownJob(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 11})
	const missing = "00000000-0000-4000-8000-000000000000"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: jobConfig(env, missing),
			ExpectError: regexp.MustCompile(`(?s)Unable to read job ` + missing + `.*HTTP 404.*Error code: WKS\.0004` +
				`.*Request ID: [0-9a-f]{32}`),
		}},
	})
}

func TestAccJobDataSource_malformedJobID(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 11})
	steps := []resource.TestStep{}
	for _, id := range []string{"job id with spaces", "", "0123456789-0123456789-0123456789-0123456789"} {
		steps = append(steps, resource.TestStep{
			Config:      jobConfig(env, id),
			ExpectError: regexp.MustCompile(spacesMayWrap(`Attribute job_id must be a job ID: 1 to 36 letters, digits or hyphens`)),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

// TestAccJobDataSource_pagesSubJobsShowJobLeftOut: for a large job ShowJob
// may list fewer sub-jobs than sub_jobs_total; the data source then reads
// them all through ListItaSubJobs. The proxy drops ShowJob's list entirely.
func TestAccJobDataSource_pagesSubJobsShowJobLeftOut(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 3)
	res := finishedJob(t, env, env.DesktopIDs)
	proxy.set(nil, func(r *http.Request, _ []byte, code int, body []byte) ([]byte, bool) {
		if !showJobPath.MatchString(r.URL.Path) || code != http.StatusOK {
			return nil, false
		}
		var job map[string]any
		if err := json.Unmarshal(body, &job); err != nil {
			t.Errorf("proxy: ShowJob answer is not JSON: %v", err)
			return nil, false
		}
		delete(job, "sub_jobs")
		out, _ := json.Marshal(job)
		proxy.hit("truncated", "")
		return out, true
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: jobConfig(pe, res.JobID),
			ConfigStateChecks: append(wireSubJobChecks(t, env, res.JobID),
				statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("sub_jobs_total"), knownvalue.Int64Exact(3))),
			Check: func(*terraform.State) error {
				if proxy.hitCount("truncated") == 0 {
					return fmt.Errorf("the proxy never truncated a ShowJob answer")
				}
				return nil
			},
		}},
	})
}
