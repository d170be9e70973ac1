package framework

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// A diagnostic names the service that answered: IAM for the project lookup
// (and then its summary says the lookup failed), Workspace otherwise.
func TestErrorDiagnostic_namesTheServiceThatAnswered(t *testing.T) {
	const creds = "the access key from the access_key attribute and the secret key from the HW_SECRET_KEY environment variable"
	iam := fmt.Errorf("ListDesktops: %w", fmt.Errorf("looking up the project of region cn-north-4 (set project_id to skip this): %w",
		&workspace.APIError{Operation: "KeystoneListProjects", HTTPStatus: 401, ErrorCode: "APIGW.0301", ErrorMsg: "bad signature", RequestID: "r1"}))
	d := ErrorDiagnostic("Unable to list desktops", iam, creds)
	if want := "Unable to list desktops: the project lookup through IAM failed"; d.Summary() != want {
		t.Errorf("summary %q, want %q", d.Summary(), want)
	}
	for _, want := range []string{
		"IAM answered HTTP 401 to KeystoneListProjects, looking up the project of region cn-north-4 (set project_id to skip this).\n\n",
		"Error code: APIGW.0301\nMessage: bad signature\nRequest ID: r1",
		"IAM rejected " + creds + ". Check that they are valid, not expired, and allowed to call IAM.",
	} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail %q\nlacks %q", d.Detail(), want)
		}
	}

	ws := fmt.Errorf("BatchCreateDesktopSnapshot: %w",
		&workspace.APIError{Operation: "BatchCreateDesktopSnapshot", HTTPStatus: 403, ErrorCode: "APIGW.0302", ErrorMsg: "denied"})
	d = ErrorDiagnostic("Unable to snapshot desktops", ws, creds)
	if d.Summary() != "Unable to snapshot desktops" {
		t.Errorf("summary %q names a project lookup that did not happen", d.Summary())
	}
	for _, want := range []string{
		"The Workspace API answered HTTP 403 to BatchCreateDesktopSnapshot.\n\n",
		"Workspace rejected " + creds + ". Check that they are valid, not expired, and allowed to call Workspace.",
	} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail %q\nlacks %q", d.Detail(), want)
		}
	}
	if strings.Contains(d.Detail(), "IAM") {
		t.Errorf("a Workspace answer mentions IAM: %q", d.Detail())
	}

	unanswered := fmt.Errorf("ListDesktops: %w", &workspace.RequestError{Operation: "KeystoneListProjects", Method: "GET", Path: "/v3/projects", Err: fmt.Errorf("connection refused")})
	if d := ErrorDiagnostic("Unable to list desktops", unanswered, creds); !strings.HasSuffix(d.Summary(), "the project lookup through IAM failed") {
		t.Errorf("an IAM call with no answer: summary %q", d.Summary())
	}
}
