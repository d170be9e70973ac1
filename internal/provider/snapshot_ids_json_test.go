package provider

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestDecodeSnapshotIDsJSON(t *testing.T) {
	for name, c := range map[string]struct {
		in   string
		want []string
	}{
		"array":                   {`["s-2","s-1"]`, []string{"s-1", "s-2"}},
		"array with repeats":      {` [ "s-1", "s-2", "s-1" ] `, []string{"s-1", "s-2"}},
		"object keys":             {`{"s-2":"d-1","s-1":"d-2"}`, []string{"s-1", "s-2"}},
		"object values ignored":   {`{"s-1":null,"s-2":[1,{"x":2}],"s-3":3}`, []string{"s-1", "s-2", "s-3"}},
		"object repeated key":     {`{"s-1":"a","s-1":"b"}`, []string{"s-1"}},
		"uuid":                    {`["0a1b2c3d-0000-4000-8000-000000000001"]`, []string{"0a1b2c3d-0000-4000-8000-000000000001"}},
		"escaped string in array": {`["s\u002d1"]`, []string{"s-1"}},
		"empty array":             {`[]`, []string{}},
		"empty object":            {`{ }`, []string{}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := decodeSnapshotIDsJSON(c.in)
			if err != nil || !slices.Equal(got, c.want) {
				t.Fatalf("decodeSnapshotIDsJSON(%s) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}

	for name, c := range map[string]struct{ in, want string }{
		"empty string":   {``, `an empty string`},
		"blank":          {"  \n", `an empty string`},
		"invalid":        {`["s-1",`, `invalid JSON: unexpected end of JSON input`},
		"invalid object": {`{"s-1"}`, `invalid JSON: invalid character '}' after object key`},
		"trailing data":  {`["s-1"] x`, `invalid JSON: invalid character 'x' after top-level value`},
		"bare string":    {`"s-1"`, `a string`},
		"number":         {`42`, `a number`},
		"null":           {`null`, `null`},
		"boolean":        {`true`, `a boolean`},
		"number element": {`["s-1", 7]`, `element [1], which is a number, not a string`},
		"nested array":   {`[["s-1"]]`, `element [0], which is an array, not a string`},
		"object element": {`[{"s-1":"d"}]`, `element [0], which is an object, not a string`},
		"malformed id":   {`["s-1","bad id"]`, `element [1], "bad id", which is not a snapshot ID`},
		"too long id":    {`["` + strings.Repeat("a", 37) + `"]`, `which is not a snapshot ID`},
		"empty id":       {`[""]`, `element [0], "", which is not a snapshot ID`},
		"malformed key":  {`{"s-1":"d","-s":"d","b d":"d"}`, `the key "-s", which is not a snapshot ID`},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := decodeSnapshotIDsJSON(c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("decodeSnapshotIDsJSON(%q) = %v, %v; want an error with %q", c.in, got, err, c.want)
			}
		})
	}
}

// Both attributes give the same IDs, and the diagnostics name the one set.
func TestSnapshotRestoreModelSnapshotIDs(t *testing.T) {
	ctx := context.Background()
	list := snapshotRestoreModel{SnapshotIDs: framework.StringListValue([]string{"s-2", "s-1", "s-2"}), SnapshotIDsJSON: types.MapNull(types.StringType)}
	object := snapshotRestoreModel{SnapshotIDs: types.ListNull(types.StringType), SnapshotIDsJSON: framework.StringMapValue(map[string]string{"1": `{"s-1":"d-1","s-2":"d-2"}`})}
	// A batch's runs: an empty one (its joiners failed) and a repeat.
	runs := snapshotRestoreModel{SnapshotIDs: types.ListNull(types.StringType),
		SnapshotIDsJSON: framework.StringMapValue(map[string]string{"1": `{"s-2":"d-2"}`, "2": `{}`, "3": `["s-1","s-2"]`})}
	for _, m := range []snapshotRestoreModel{list, object, runs} {
		got, diags := m.snapshotIDs(ctx)
		if diags.HasError() || !slices.Equal(got, []string{"s-1", "s-2"}) {
			t.Errorf("snapshotIDs of %v / %v = %v, %v; want [s-1 s-2]", m.SnapshotIDs, m.SnapshotIDsJSON, got, diags)
		}
	}
	if !list.idsPath().Equal(path.Root("snapshot_ids")) || !object.idsPath().Equal(path.Root("snapshot_ids_json")) {
		t.Errorf("idsPath = %s and %s", list.idsPath(), object.idsPath())
	}

	bad := snapshotRestoreModel{SnapshotIDs: types.ListNull(types.StringType), SnapshotIDsJSON: framework.StringMapValue(map[string]string{"a": `["s-1"]`, "b": `[1]`})}
	_, diags := bad.snapshotIDs(ctx)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), `Attribute snapshot_ids_json["b"] must be a JSON array of snapshot ID strings`) {
		t.Fatalf("snapshotIDs of [1]: %v", diags)
	}
	none := snapshotRestoreModel{SnapshotIDs: types.ListNull(types.StringType), SnapshotIDsJSON: framework.StringMapValue(map[string]string{"1": `{}`, "2": `[]`})}
	_, diags = none.snapshotIDs(ctx)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "must name at least one snapshot ID") {
		t.Fatalf("snapshotIDs of empty strings: %v", diags)
	}

	unknown := snapshotRestoreModel{SnapshotIDs: types.ListNull(types.StringType), SnapshotIDsJSON: types.MapUnknown(types.StringType)}
	unknownElem := snapshotRestoreModel{SnapshotIDs: types.ListValueMust(types.StringType, []attr.Value{types.StringUnknown()}), SnapshotIDsJSON: types.MapNull(types.StringType)}
	unknownRun := snapshotRestoreModel{SnapshotIDs: types.ListNull(types.StringType),
		SnapshotIDsJSON: types.MapValueMust(types.StringType, map[string]attr.Value{"1": types.StringValue(`["s-1"]`), "2": types.StringUnknown()})}
	if !list.snapshotIDsKnown() || !object.snapshotIDsKnown() || unknown.snapshotIDsKnown() || unknownElem.snapshotIDsKnown() ||
		unknownRun.snapshotIDsKnown() {
		t.Error("snapshotIDsKnown: want the known models known, the unknown value and elements unknown")
	}
}
