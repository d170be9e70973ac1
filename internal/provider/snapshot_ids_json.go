package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// snapshot_ids_json names a restore's snapshots in a few strings: at 10000
// and more snapshots, Terraform core compares a list element by element at
// every plan, and a string at once. It is a map so that it takes what a
// batch's desktops_matching.snapshot_desktop_ids_json holds as it is (JSON
// objects keyed by snapshot ID, one per apply that made snapshots, keyed by
// its number); plain arrays of IDs do too.

// snapshotIDsJSONRule says what each string of snapshot_ids_json holds, in errors.
const snapshotIDsJSONRule = "must be a JSON array of snapshot ID strings, or a JSON object whose keys are snapshot IDs " +
	"(such as an element of a batch's desktops_matching.snapshot_desktop_ids_json); each ID is " + framework.IDFormat

// decodeSnapshotIDsJSON reads the snapshot IDs of a JSON array or of an
// object's keys, distinct and sorted; an empty array or object names none.
// The error says what was wrong, to follow "got ". Raw messages keep the
// decoding from building a value per element before it is checked.
func decodeSnapshotIDsJSON(s string) ([]string, error) {
	data := []byte(s)
	var ids []string
	switch first := firstJSONByte(data); first {
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(data, &elems); err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		ids = make([]string, 0, len(elems))
		for i, e := range elems {
			if firstJSONByte(e) != '"' {
				return nil, fmt.Errorf("element [%d], which is %s, not a string", i, jsonKind(e))
			}
			var id string
			if err := json.Unmarshal(e, &id); err != nil {
				return nil, fmt.Errorf("invalid JSON: %v", err)
			}
			if !framework.ResourceIDPattern.MatchString(id) {
				return nil, fmt.Errorf("element [%d], %q, which is not a snapshot ID", i, id)
			}
			ids = append(ids, id)
		}
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		ids = make([]string, 0, len(obj))
		for id := range obj {
			ids = append(ids, id)
		}
		slices.Sort(ids) // so the first bad key reported is the same every plan
		for _, id := range ids {
			if !framework.ResourceIDPattern.MatchString(id) {
				return nil, fmt.Errorf("the key %q, which is not a snapshot ID", id)
			}
		}
		return ids, nil // keys are distinct
	default:
		if first == 0 {
			return nil, fmt.Errorf("an empty string")
		}
		var v json.RawMessage
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		return nil, fmt.Errorf("%s", jsonKind(v))
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// decodeSnapshotIDsJSONMap reads the snapshot IDs that snapshot_ids_json
// (at p) names, distinct and sorted: those of all its strings, at least one.
// A batch's map may hold an empty object (an apply whose joiners all
// failed), so only the whole must name a snapshot.
func decodeSnapshotIDsJSONMap(p path.Path, docs map[string]string) (ids []string, diags diag.Diagnostics) {
	for _, k := range slices.Sorted(maps.Keys(docs)) { // the same first error every plan
		more, err := decodeSnapshotIDsJSON(docs[k])
		if err != nil {
			diags.Append(snapshotIDsJSONError(p.AtMapKey(k), err))
			continue
		}
		ids = append(ids, more...)
	}
	if !diags.HasError() && len(ids) == 0 {
		diags.AddAttributeError(p, "Invalid snapshot IDs JSON", fmt.Sprintf("Attribute %s must name at least one "+
			"snapshot ID (a JSON array of them, or an object keyed by them, in one of its values); got %s, naming none.",
			p, framework.CountOf(len(docs), "value")))
	}
	if len(docs) == 1 {
		return ids, diags // one string's IDs are already distinct and sorted
	}
	slices.Sort(ids)
	return slices.Compact(ids), diags
}

// firstJSONByte is the first byte of a JSON value after white space, 0 if none.
func firstJSONByte(data []byte) byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// jsonKind names a valid JSON value's type, for errors.
func jsonKind(v json.RawMessage) string {
	switch firstJSONByte(v) {
	case '[':
		return "an array"
	case '{':
		return "an object"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// snapshotIDsJSONValidator checks snapshot_ids_json's known strings; the
// whole must name a snapshot once every string is known (Terraform
// validates again then).
type snapshotIDsJSONValidator struct{}

var _ validator.Map = snapshotIDsJSONValidator{}

func (snapshotIDsJSONValidator) Description(context.Context) string {
	return "each string " + snapshotIDsJSONRule + "; together they name at least one"
}

func (v snapshotIDsJSONValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v snapshotIDsJSONValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	docs, known := knownStrings(req.ConfigValue)
	if !known {
		for k, e := range req.ConfigValue.Elements() {
			if s, ok := e.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
				if _, err := decodeSnapshotIDsJSON(s.ValueString()); err != nil {
					resp.Diagnostics.Append(snapshotIDsJSONError(req.Path.AtMapKey(k), err))
				}
			}
		}
		return
	}
	_, diags := decodeSnapshotIDsJSONMap(req.Path, docs)
	resp.Diagnostics.Append(diags...)
}

// knownStrings is a map's strings; false when one is unknown.
func knownStrings(m types.Map) (map[string]string, bool) {
	out := make(map[string]string, len(m.Elements()))
	for k, e := range m.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			return nil, false
		}
		out[k] = s.ValueString()
	}
	return out, true
}

// snapshotIDsJSONError reports a string decodeSnapshotIDsJSON refused.
func snapshotIDsJSONError(p path.Path, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid snapshot IDs JSON",
		fmt.Sprintf("Attribute %s %s; got %v.", p, snapshotIDsJSONRule, err))
}
