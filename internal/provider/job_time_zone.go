package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// jobTimeZoneValidator checks the provider's job_time_zone at plan time.
type jobTimeZoneValidator struct{}

var _ validator.String = jobTimeZoneValidator{}

func (jobTimeZoneValidator) Description(context.Context) string {
	return "must be UTC or an offset from UTC such as +08:00 or -05:30, a whole number of quarter hours from -12:00 to +14:00"
}

func (v jobTimeZoneValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (jobTimeZoneValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := workspace.ParseJobTimeZone(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid job_time_zone", "job_time_zone "+err.Error()+".")
	}
}

// zoneContradiction warns when a job the provider started proved the
// stated job_time_zone wrong: the proven zone is used.
func zoneContradiction(client *workspace.Client) diag.Diagnostics {
	var diags diag.Diagnostics
	if learned, contradicted := client.JobTimeZoneContradicted(); contradicted {
		diags.AddWarning("job_time_zone does not match the service", fmt.Sprintf(
			"A job this apply started shows that the service writes job times at %s, not at the provider's job_time_zone. "+
				"The provider used %s; set job_time_zone (or HW_JOB_TIME_ZONE) to %q.",
			workspace.FormatJobTimeZone(learned), workspace.FormatJobTimeZone(learned), workspace.FormatJobTimeZone(learned)))
	}
	return diags
}
