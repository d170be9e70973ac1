package framework

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// ErrorDiagnostic turns a client error into a diagnostic whose detail keeps
// what a user needs to act: the API's code, message, detail and request ID,
// per-desktop failures, or what a timeout or interruption left behind.
// An error of the project lookup says so in its summary: the operation named
// there never reached Workspace.
func ErrorDiagnostic(summary string, err error, credentials string) diag.Diagnostic {
	if workspace.FromIAM(err) {
		summary += ": the project lookup through IAM failed"
	}
	return diag.NewErrorDiagnostic(summary, DescribeError(err, credentials))
}

func DescribeError(err error, credentials string) string {
	var apiErr *workspace.APIError
	var failed *workspace.JobFailedError
	var timeout *workspace.JobTimeoutError
	switch {
	case errors.As(err, &failed):
		return DescribeFailedJob(failed.Result)
	case errors.As(err, &timeout):
		return timeout.Error() + "."
	case errors.As(err, &apiErr):
		var b strings.Builder
		service := apiErr.Service()
		if service == "Workspace" {
			service = "The Workspace API"
		}
		fmt.Fprintf(&b, "%s answered HTTP %d to %s", service, apiErr.HTTPStatus, apiErr.Operation)
		// IAM is asked only for the project lookup, which says the region it
		// looked up and how to skip it.
		if context, wrapped := strings.CutSuffix(err.Error(), ": "+apiErr.Error()); wrapped && apiErr.Service() == "IAM" {
			if i := strings.LastIndex(context, ": "); i >= 0 {
				context = context[i+2:]
			}
			fmt.Fprintf(&b, ", %s", context)
		}
		b.WriteString(".\n\n")
		fmt.Fprintf(&b, "Error code: %s\nMessage: %s\n", OrNone(apiErr.ErrorCode), OrNone(apiErr.ErrorMsg))
		if apiErr.ErrorDetail != "" {
			fmt.Fprintf(&b, "Detail: %s\n", apiErr.ErrorDetail)
		}
		if apiErr.EncodedAuthorizationMessage != "" {
			fmt.Fprintf(&b, "Encoded authorization message: %s (decode it with the STS decode-authorization-message API)\n",
				apiErr.EncodedAuthorizationMessage)
		}
		fmt.Fprintf(&b, "Request ID: %s", OrNone(apiErr.RequestID))
		if workspace.IsUnauthorized(err) && credentials != "" {
			fmt.Fprintf(&b, "\n\n%s rejected %s. Check that they are valid, not expired, and allowed to call %s.",
				apiErr.Service(), credentials, apiErr.Service())
		}
		return b.String()
	case errors.Is(err, context.Canceled):
		return "The operation was interrupted before it finished."
	case errors.Is(err, context.DeadlineExceeded):
		return "The operation did not finish within its timeout."
	default:
		return err.Error()
	}
}

// DescribeFailedJob lists the desktops whose sub-job did not succeed (runs
// report them one diagnostic each; this serves a failed job met elsewhere).
func DescribeFailedJob(r *workspace.JobResult) string {
	failed := r.Failed()
	sort.Slice(failed, func(i, j int) bool { return failed[i].DesktopID < failed[j].DesktopID })
	var b strings.Builder
	fmt.Fprintf(&b, "Job %s (%s) ended with status %s; %d of %d desktops failed:\n",
		r.JobID, r.JobType, r.Status, len(failed), len(r.Outcomes))
	for i, f := range failed {
		if i == MaxFailureDiagnostics {
			fmt.Fprintf(&b, "  and %d more\n", len(failed)-i)
			break
		}
		fmt.Fprintf(&b, "  - desktop %s", f.DesktopID)
		if f.DesktopName != "" {
			fmt.Fprintf(&b, " (%s)", f.DesktopName)
		}
		fmt.Fprintf(&b, ": %s %s: %s\n", f.Status, OrNone(f.ErrorCode), OrNone(f.FailReason))
	}
	return strings.TrimRight(b.String(), "\n")
}

// WarningsOnly turns errors into warnings with the same texts, for checks a
// refresh reports without failing the plan.
func WarningsOnly(diags diag.Diagnostics) diag.Diagnostics {
	out := make(diag.Diagnostics, 0, len(diags))
	for _, d := range diags {
		if d.Severity() == diag.SeverityError {
			d = diag.NewWarningDiagnostic(d.Summary(), d.Detail())
		}
		out = append(out, d)
	}
	return out
}
