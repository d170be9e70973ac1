package workspace

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestNewAPIErrorReadsEveryBodyShape(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   APIError
	}{
		{"service", 409, http.Header{"X-Request-Id": {"req-1"}},
			`{"error_code":"WKS.00010032","error_msg":"Operation conflict.","error_detail":"desktop d1 is snapshotting","encoded_authorization_message":"enc"}`,
			APIError{HTTPStatus: 409, ErrorCode: "WKS.00010032", ErrorMsg: "Operation conflict.", ErrorDetail: "desktop d1 is snapshotting", EncodedAuthorizationMessage: "enc", RequestID: "req-1"}},
		{"gateway with body request id", 429, http.Header{},
			`{"error_msg":"The throttling threshold has been reached","error_code":"APIGW.0308","request_id":"d4e8"}`,
			APIError{HTTPStatus: 429, ErrorCode: "APIGW.0308", ErrorMsg: "The throttling threshold has been reached", RequestID: "d4e8"}},
		{"header request id wins", 503, http.Header{"X-Request-Id": {"hdr"}},
			`{"code":"APIGW.0201","message":"Backend unavailable","request_id":"body"}`,
			APIError{HTTPStatus: 503, ErrorCode: "APIGW.0201", ErrorMsg: "Backend unavailable", RequestID: "hdr"}},
		{"keystone nested numeric code", 401, http.Header{},
			`{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`,
			APIError{HTTPStatus: 401, ErrorCode: "401", ErrorMsg: "The request you have made requires authentication."}},
		{"plain text", 502, http.Header{}, "  Bad Gateway from proxy \n",
			APIError{HTTPStatus: 502, ErrorMsg: "Bad Gateway from proxy"}},
		{"empty", 500, http.Header{}, "", APIError{HTTPStatus: 500}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := newAPIError("ShowJob", tc.status, tc.header, []byte(tc.body))
			tc.want.Operation = "ShowJob"
			if *got != tc.want {
				t.Fatalf("got %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestNewAPIErrorShortensLongText(t *testing.T) {
	got := newAPIError("ListDesktops", 500, http.Header{}, []byte(strings.Repeat("x", 10000)))
	if len(got.ErrorMsg) > maxErrorText+len("…") {
		t.Fatalf("message of %d bytes, want at most %d", len(got.ErrorMsg), maxErrorText)
	}
}

func TestAPIErrorMessageReadsWell(t *testing.T) {
	e := &APIError{Operation: "BatchCreateDesktopSnapshot", HTTPStatus: 409, ErrorCode: "WKS.00010032",
		ErrorMsg: "Operation conflict.", ErrorDetail: "busy", RequestID: "r1"}
	want := "BatchCreateDesktopSnapshot: HTTP 409 WKS.00010032: Operation conflict. (detail: busy; request ID: r1)"
	if e.Error() != want {
		t.Fatalf("got %q\nwant %q", e.Error(), want)
	}
	bare := &APIError{Operation: "ShowJob", HTTPStatus: 502}
	if got := bare.Error(); got != "ShowJob: HTTP 502: Bad Gateway" {
		t.Fatalf("got %q", got)
	}
}

func TestErrorClassHelpers(t *testing.T) {
	wrap := func(status int, code string) error {
		return errors.Join(errors.New("context"), &APIError{Operation: "op", HTTPStatus: status, ErrorCode: code})
	}
	cases := []struct {
		name                                            string
		err                                             error
		mayBeGone, conflict, busy, throttled, unauthzed bool
	}{
		{"404", wrap(404, "WKS.0004"), true, false, false, false, false},
		{"409 busy", wrap(409, CodeDesktopBusy), false, true, true, false, false},
		{"400 WKS.0001", wrap(400, "WKS.0001"), true, false, false, false, false},
		{"409 other", wrap(409, "WKS.1"), true, true, false, false, false},
		{"429", wrap(429, CodeThrottled), false, false, false, true, false},
		{"APIGW.0308 on another status", wrap(403, CodeThrottled), false, false, false, true, true},
		{"401", wrap(401, "APIGW.0301"), false, false, false, false, true},
		{"403", wrap(403, "APIGW.0302"), false, false, false, false, true},
		{"not an API error", errors.New("x"), false, false, false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := [5]bool{mayMeanGone(tc.err), IsConflict(tc.err), IsBusy(tc.err), IsThrottled(tc.err), IsUnauthorized(tc.err)}
			want := [5]bool{tc.mayBeGone, tc.conflict, tc.busy, tc.throttled, tc.unauthzed}
			if got != want {
				t.Fatalf("mayMeanGone/Conflict/Busy/Throttled/Unauthorized = %v, want %v", got, want)
			}
		})
	}
}

// Errors of the project lookup name IAM, whether it answered or not, however
// they are wrapped; every other operation is Workspace's.
func TestFromIAM(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("looking up the project of region cn-north-4: %w", err) }
	cases := []struct {
		name string
		err  error
		iam  bool
	}{
		{"IAM answered 401", wrap(&APIError{Operation: "KeystoneListProjects", HTTPStatus: 401}), true},
		{"IAM did not answer", wrap(&RequestError{Operation: "KeystoneListProjects", Err: errors.New("connection refused")}), true},
		{"Workspace answered 401", wrap(&APIError{Operation: "ListDesktopsDetail", HTTPStatus: 401}), false},
		{"Workspace did not answer", &RequestError{Operation: "ShowJob", Err: errors.New("reset")}, false},
		{"no call", errors.New("x"), false},
	}
	for _, tc := range cases {
		if got := FromIAM(tc.err); got != tc.iam {
			t.Errorf("%s: FromIAM = %v, want %v", tc.name, got, tc.iam)
		}
	}
	if got := (&APIError{Operation: "KeystoneListProjects"}).Service(); got != "IAM" {
		t.Errorf("KeystoneListProjects is answered by %q, want IAM", got)
	}
	if got := (&APIError{Operation: "BatchCreateDesktopSnapshot"}).Service(); got != "Workspace" {
		t.Errorf("BatchCreateDesktopSnapshot is answered by %q, want Workspace", got)
	}
}
