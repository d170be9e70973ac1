package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Converting between Go strings and Terraform values.

// stringCollection is a list or set of strings.
type stringCollection interface {
	ElementsAs(context.Context, any, bool) diag.Diagnostics
	IsNull() bool
	IsUnknown() bool
}

// stringsOf reads a list or set of strings; unknown or null (the zero
// value too) gives nil.
func stringsOf(ctx context.Context, v stringCollection) []string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var out []string
	v.ElementsAs(ctx, &out, false)
	return out
}

// stringListValue builds a list of strings, in the given order.
func stringListValue(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// sortedStrings returns a sorted copy.
func sortedStrings(v []string) []string {
	out := append([]string(nil), v...)
	sort.Strings(out)
	return out
}

// stringMapOf reads a map of strings; unknown or null gives nil.
func stringMapOf(ctx context.Context, v types.Map) map[string]string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var out map[string]string
	v.ElementsAs(ctx, &out, false)
	return out
}

// stringMapValue builds a map of strings.
func stringMapValue(values map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(values))
	for k, v := range values {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}
