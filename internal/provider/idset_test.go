package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestIDSet_equalIgnoresOrderOnly(t *testing.T) {
	parallelUnlessReal(t)
	ctx := context.Background()
	a := idSetOf([]string{"d-1", "d-2", "d-3"})
	cases := []struct {
		name  string
		other idSetValue
		equal bool
	}{
		{"same elements, other order", idSetValue{types.SetValueMust(types.StringType, []attr.Value{types.StringValue("d-3"), types.StringValue("d-1"), types.StringValue("d-2")})}, true},
		{"one element differs", idSetOf([]string{"d-1", "d-2", "d-4"}), false},
		{"one element fewer", idSetOf([]string{"d-1", "d-2"}), false},
		{"null", idSetValue{types.SetNull(types.StringType)}, false},
		{"unknown", idSetValue{types.SetUnknown(types.StringType)}, false},
	}
	for _, c := range cases {
		if got := a.Equal(c.other); got != c.equal {
			t.Errorf("%s: Equal = %v, want %v", c.name, got, c.equal)
		}
		if got := a.Equal(c.other); got != a.SetValue.Equal(c.other.SetValue) {
			t.Errorf("%s: Equal disagrees with the framework's SetValue.Equal", c.name)
		}
		semantic, _ := c.other.SetSemanticEquals(ctx, a)
		if semantic != c.equal {
			t.Errorf("%s: SetSemanticEquals = %v, want %v", c.name, semantic, c.equal)
		}
	}
	if a.Equal(stringSetValue([]string{"d-1", "d-2", "d-3"})) {
		t.Error("an idSet equals a plain set: the framework would see two types as one")
	}
}

func TestIDSet_validateReportsDuplicates(t *testing.T) {
	parallelUnlessReal(t)
	typ := tftypes.Set{ElementType: tftypes.String}
	value := func(elems ...string) tftypes.Value {
		vals := make([]tftypes.Value, len(elems))
		for i, e := range elems {
			vals[i] = tftypes.NewValue(tftypes.String, e)
		}
		return tftypes.NewValue(typ, vals)
	}
	diags := newIDSetType().Validate(context.Background(), value("d-1", "d-2", "d-1"), path.Root("desktop_ids"))
	if diags.ErrorsCount() != 1 || !strings.Contains(diags[0].Detail(), `"d-1"`) {
		t.Errorf("want one duplicate error naming d-1, got %v", diags)
	}
	if diags := newIDSetType().Validate(context.Background(), value("d-1", "d-2"), path.Root("desktop_ids")); diags.HasError() {
		t.Errorf("distinct elements refused: %v", diags)
	}
}
