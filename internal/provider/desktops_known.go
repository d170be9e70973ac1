package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// checkDesktopsExist fails the plan when the service does not know some of
// ids, naming them at the attribute: a chunk holding one unknown ID is
// refused whole at apply time. One ListDesktops call per 100 IDs. Refused
// credentials fail the plan; another failed lookup (a role without
// workspace:desktops:list, say) only warns: the apply still tells.
func checkDesktopsExist(ctx context.Context, client *workspace.Client, at path.Path, ids []string) diag.Diagnostics {
	var diags diag.Diagnostics
	if client == nil || len(ids) == 0 {
		return diags
	}
	unknown, err := client.UnknownDesktops(ctx, ids)
	var apiErr *workspace.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatus == http.StatusUnauthorized {
		// Credentials the service refuses: the apply could do nothing either.
		diags.Append(framework.ErrorDiagnostic("Unable to check the desktop IDs", err, client.CredentialSource()))
		return diags
	}
	if err != nil {
		diags.AddAttributeWarning(at, "Unable to check the desktop IDs",
			fmt.Sprintf("The plan could not look the desktops up, so IDs the service does not know are found only at apply "+
				"time (the service then refuses each request of up to 100 desktops that holds one).\n\n%s", framework.DescribeError(err, client.CredentialSource())))
		return diags
	}
	if len(unknown) > 0 {
		diags.AddAttributeError(at, "Unknown desktop IDs",
			fmt.Sprintf("The service knows no desktop %s in this project and region (%s). Remove %s from %s, or check the "+
				"provider's region and project: the service refuses each request of up to 100 desktops that holds one.",
				framework.AbbreviateIDs(unknown, framework.MaxFailureDiagnostics), framework.CountOf(len(unknown), "ID"), pronounFor(len(unknown)), at))
	}
	return diags
}

func pronounFor(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
