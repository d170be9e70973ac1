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
}

// stringsOf reads a list or set of strings; unknown or null gives nil.
func stringsOf(ctx context.Context, v stringCollection) []string {
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

// stringSetValue builds a set of strings.
func stringSetValue(values []string) types.Set {
	elems := make([]attr.Value, 0, len(values))
	for _, s := range sortedStrings(values) {
		elems = append(elems, types.StringValue(s))
	}
	return types.SetValueMust(types.StringType, elems)
}

// sortedStrings returns a sorted copy.
func sortedStrings(v []string) []string {
	out := append([]string(nil), v...)
	sort.Strings(out)
	return out
}
