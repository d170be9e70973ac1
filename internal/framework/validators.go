package framework

import (
	"context"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ResourceIDPattern is what desktop, snapshot and job IDs look like: the
// service's IDs are UUIDs; the API allows 1-36 characters.
var ResourceIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,35}$`)

// IDValidators check one desktop, snapshot or job ID.
func IDValidators(kind string) []validator.String {
	return []validator.String{
		stringvalidator.RegexMatches(ResourceIDPattern,
			"must be a "+kind+" ID: 1 to 36 letters, digits or hyphens, such as a UUID"),
	}
}

// MaxCharacters accepts a string of at most n characters, counted as the
// service counts them (Unicode code points). stringvalidator.LengthAtMost
// counts bytes, which would refuse a valid 64-character Chinese name.
type MaxCharacters int

var _ validator.String = MaxCharacters(0)

func (n MaxCharacters) Description(context.Context) string {
	return fmt.Sprintf("must be at most %d characters", int(n))
}

func (n MaxCharacters) MarkdownDescription(ctx context.Context) string { return n.Description(ctx) }

func (n MaxCharacters) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if got := utf8.RuneCountInString(req.ConfigValue.ValueString()); got > int(n) {
		resp.Diagnostics.AddAttributeError(req.Path, "Value too long",
			fmt.Sprintf("Attribute %s %s, got %d.", req.Path, n.Description(ctx), got))
	}
}

// AtTopLevel runs a string validator on a nested attribute and reports what
// it finds at the top-level attribute that holds it (system_disk_snapshot for
// system_disk_snapshot.name), keeping the text, which names the whole path.
// Terraform 1.11 cannot place a nested attribute's path in the configuration
// and shows the resource's first line instead; a top-level attribute it shows
// with the lines of its value, the nested one among them (so does 1.15).
type AtTopLevel struct{ validator.String }

func (v AtTopLevel) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	inner := &validator.StringResponse{}
	v.String.ValidateString(ctx, req, inner)
	top := topLevelPath(req.Path)
	for _, d := range inner.Diagnostics {
		if withPath, ok := d.(diag.DiagnosticWithPath); ok && !withPath.Path().Equal(top) {
			if d.Severity() == diag.SeverityError {
				d = diag.NewAttributeErrorDiagnostic(top, d.Summary(), d.Detail())
			} else {
				d = diag.NewAttributeWarningDiagnostic(top, d.Summary(), d.Detail())
			}
		}
		resp.Diagnostics.Append(d)
	}
}

// topLevelPath is the first attribute of p (p itself when it has one step).
func topLevelPath(p path.Path) path.Path {
	steps := p.Steps()
	if len(steps) < 2 {
		return p
	}
	name, ok := steps[0].(path.PathStepAttributeName)
	if !ok {
		return p
	}
	return path.Root(string(name))
}

// DurationValidator accepts a positive Go duration such as "30m" or "1h30m",
// the format of the resources' timeouts.
type DurationValidator struct{}

var _ validator.String = DurationValidator{}

func (DurationValidator) Description(context.Context) string {
	return `must be a positive duration such as "90s", "30m" or "1h30m"`
}

func (v DurationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v DurationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("Attribute %s %s, got %q.", req.Path, v.Description(ctx), req.ConfigValue.ValueString()))
	}
}

// CheckKnownIDList runs IDListValidators on a list once it is known: actions
// call it from ModifyPlan, since validation skips values known only at plan
// time (a data source's output), and an empty list must fail the plan, not
// the invocation.
func CheckKnownIDList(ctx context.Context, p path.Path, kind string, list types.List, diags *diag.Diagnostics) {
	if list.IsUnknown() || list.IsNull() {
		return
	}
	for _, v := range IDListValidators(kind) {
		resp := &validator.ListResponse{}
		v.ValidateList(ctx, validator.ListRequest{Path: p, PathExpression: p.Expression(), ConfigValue: list}, resp)
		diags.Append(resp.Diagnostics...)
	}
}

// RFC3339Validator accepts a time such as "2026-11-01T00:00:00Z" or
// "2026-11-01T08:00:00+08:00".
type RFC3339Validator struct{}

var _ validator.String = RFC3339Validator{}

func (RFC3339Validator) Description(context.Context) string {
	return `must be an RFC 3339 time such as "2026-11-01T00:00:00Z"`
}

func (v RFC3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v RFC3339Validator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid time",
			fmt.Sprintf("Attribute %s %s, got %q.", req.Path, v.Description(ctx), req.ConfigValue.ValueString()))
	}
}
