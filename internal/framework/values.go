package framework

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Converting between Go strings and Terraform values.

// StringCollection is a list or set of strings.
type StringCollection interface {
	ElementsAs(context.Context, any, bool) diag.Diagnostics
	IsNull() bool
	IsUnknown() bool
}

// StringsOf reads a list or set of strings; unknown or null (the zero
// value too) gives nil.
func StringsOf(ctx context.Context, v StringCollection) []string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var out []string
	v.ElementsAs(ctx, &out, false)
	return out
}

// StringListValue builds a list of strings, in the given order.
func StringListValue(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// SortedStrings returns a sorted copy.
func SortedStrings(v []string) []string {
	out := append([]string(nil), v...)
	sort.Strings(out)
	return out
}

// StringMapOf reads a map of strings; unknown or null gives nil.
func StringMapOf(ctx context.Context, v types.Map) map[string]string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var out map[string]string
	v.ElementsAs(ctx, &out, false)
	return out
}

// StringMapValue builds a map of strings.
func StringMapValue(values map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(values))
	for k, v := range values {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}
