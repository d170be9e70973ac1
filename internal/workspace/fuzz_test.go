package workspace

import (
	"net/http"
	"testing"
)

// FuzzDecodeShowJob feeds arbitrary ShowJob answers through decoding and
// result building: never a panic, one outcome per sub-job, and success only
// when the parent and every sub-job say so.
func FuzzDecodeShowJob(f *testing.F) {
	f.Add([]byte(jobBody("SUCCESS", "SUCCESS", "FAILED")))
	f.Add([]byte(`{"id":"j","status":"COMPLETE","sub_jobs_total":3,"sub_jobs":[{"status":"SUCCESS","entities":null}]}`))
	f.Add([]byte(`{"status":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var job ShowJobResponse
		if err := decodeBody("ShowJob", "", body, &job); err != nil {
			return
		}
		res := newJobResult(&job, job.SubJobs, 1)
		if len(res.Outcomes) != len(job.SubJobs) {
			t.Fatalf("%d outcomes for %d sub-jobs", len(res.Outcomes), len(job.SubJobs))
		}
		if res.Succeeded && (classifyStatus(job.Status) != jobSucceeded || len(res.Failed()) > 0) {
			t.Fatalf("status %q with %d failed sub-jobs read as success", job.Status, len(res.Failed()))
		}
		if !res.Succeeded && (&JobFailedError{Result: res}).Error() == "" {
			t.Fatal("empty failure message")
		}
	})
}

// FuzzDecodeListResponse decodes arbitrary list pages and resolves them:
// never a panic, and only records of the job's desktops come out.
func FuzzDecodeListResponse(f *testing.F) {
	f.Add([]byte(`{"total_count":1,"desktop_snapshots":[{"snapshot_id":"s","desktop_id":"d1","is_system_disk":true,"create_time":"2026-03-01T12:00:00Z","create_type":"MANUALLY"}]}`))
	f.Add([]byte(`{"desktop_snapshots":[{"is_system_disk":null,"process":null,"create_time":"2026-03-01 12:00:00"}]}`))
	f.Add([]byte(`{"total_count":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var page ListDesktopSnapshotResponse
		if err := decodeBody("ListDesktopSnapshot", "", body, &page); err != nil {
			return
		}
		job := &JobResult{Outcomes: []DesktopOutcome{{DesktopID: "d1"}}}
		for _, rec := range selectCreatedRecords(page.DesktopSnapshots, job) {
			if rec.DesktopId != "d1" {
				t.Fatalf("record of desktop %q resolved for d1", rec.DesktopId)
			}
		}
	})
}

// FuzzDecodeErrorBody reads arbitrary error bodies: never a panic, the
// status always kept, and a message that names the operation.
func FuzzDecodeErrorBody(f *testing.F) {
	f.Add(409, []byte(`{"error_code":"WKS.00010032","error_msg":"Operation conflict","error_detail":"d"}`))
	f.Add(429, []byte(`{"error_msg":"throttled","error_code":"APIGW.0308","request_id":"r"}`))
	f.Add(401, []byte(`{"error":{"code":401,"message":"no","title":"Unauthorized"}}`))
	f.Add(502, []byte("<html>bad gateway</html>"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := newAPIError("ShowJob", status, http.Header{}, body)
		if e.HTTPStatus != status {
			t.Fatalf("status %d became %d", status, e.HTTPStatus)
		}
		for _, text := range []string{e.ErrorCode, e.ErrorMsg, e.ErrorDetail, e.EncodedAuthorizationMessage, e.RequestID} {
			if len(text) > maxErrorText+len("…") {
				t.Fatalf("unbounded error text of %d bytes", len(text))
			}
		}
		if msg := e.Error(); len(msg) < len("ShowJob: HTTP") || msg[:len("ShowJob: HTTP")] != "ShowJob: HTTP" {
			t.Fatalf("message %q", msg)
		}
	})
}

func selectCreatedRecords(records []DesktopSnapshotDetailInfo, job *JobResult) []DesktopSnapshotDetailInfo {
	out, _ := selectCreated(records, job, ResolveOptions{}, map[string]window{"d1": {}}, "")
	return out.Records
}
