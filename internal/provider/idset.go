package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// idSet is a set of strings (desktop or snapshot IDs) whose comparisons and
// duplicate check take a map instead of comparing every pair of elements.
//
// A batch may name thousands of desktops, and plugin-framework v1.19 is
// quadratic in set size in three places: the refresh's semantic-equality
// walk, SetType.Validate and SetValue.Equal (hashicorp/terraform-plugin-
// framework#1314 and #1322, open). At 1000 desktops these took about 2 s of
// every refresh. Implementing SetSemanticEquals lets the framework skip its
// element walk whenever the set did not change.
type idSetType struct{ basetypes.SetType }

type idSetValue struct{ basetypes.SetValue }

var (
	_ basetypes.SetTypable                    = idSetType{}
	_ basetypes.SetValuableWithSemanticEquals = idSetValue{}
)

func newIDSetType() idSetType { return idSetType{basetypes.SetType{ElemType: types.StringType}} }

func (t idSetType) Equal(o attr.Type) bool {
	other, ok := o.(idSetType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t idSetType) String() string { return "idSetType" }

func (t idSetType) ValueType(context.Context) attr.Value { return idSetValue{} }

func (t idSetType) ValueFromSet(_ context.Context, set basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return idSetValue{set}, nil
}

func (t idSetType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	set, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return idSetValue{set}, nil
}

// Validate reports duplicate elements, as SetType.Validate does, in one pass.
func (t idSetType) Validate(_ context.Context, in tftypes.Value, p path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if in.Type() == nil || !in.IsKnown() || in.IsNull() {
		return diags
	}
	var elems []tftypes.Value
	if err := in.As(&elems); err != nil {
		diags.AddAttributeError(p, "Set Type Validation Error", "Unable to read the set's elements: "+err.Error())
		return diags
	}
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		if !e.IsKnown() || e.IsNull() {
			continue
		}
		var s string
		if err := e.As(&s); err != nil {
			diags.AddAttributeError(p, "Set Type Validation Error", "Unable to read a set element: "+err.Error())
			return diags
		}
		if seen[s] {
			diags.AddAttributeError(p, "Duplicate Set Element", fmt.Sprintf("This attribute contains duplicate values of: %q", s))
		}
		seen[s] = true
	}
	return diags
}

func (v idSetValue) Type(context.Context) attr.Type { return newIDSetType() }

// Equal compares as SetValue.Equal does (same elements, in any order) in
// linear time. Elements that are not known strings fall back to it.
func (v idSetValue) Equal(o attr.Value) bool {
	other, ok := o.(idSetValue)
	if !ok {
		return false
	}
	if v.IsNull() || v.IsUnknown() || other.IsNull() || other.IsUnknown() {
		return v.SetValue.Equal(other.SetValue)
	}
	a, aOK := knownStrings(v.Elements())
	b, bOK := knownStrings(other.Elements())
	if !aOK || !bOK {
		return v.SetValue.Equal(other.SetValue)
	}
	if len(a) != len(b) {
		return false
	}
	for s := range a {
		if !b[s] {
			return false
		}
	}
	return true
}

// SetSemanticEquals: an unchanged set keeps its prior value and the
// framework's element-by-element walk is skipped.
func (v idSetValue) SetSemanticEquals(_ context.Context, prior basetypes.SetValuable) (bool, diag.Diagnostics) {
	p, ok := prior.(idSetValue)
	return ok && v.Equal(p), nil
}

// knownStrings indexes elements that are all known, non-null strings.
func knownStrings(elems []attr.Value) (map[string]bool, bool) {
	out := make(map[string]bool, len(elems))
	for _, e := range elems {
		s, ok := e.(basetypes.StringValue)
		if !ok || s.IsNull() || s.IsUnknown() {
			return nil, false
		}
		out[s.ValueString()] = true
	}
	return out, true
}

// idSetOf builds an idSet of the strings.
func idSetOf(values []string) idSetValue { return idSetValue{stringSetValue(values)} }
