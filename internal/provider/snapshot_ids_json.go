package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// snapshot_ids_json names a restore's snapshots in one string: at 10000 and
// more snapshots, Terraform core compares a list element by element at every
// plan, and a string at once. It takes what a batch's
// desktops_matching.snapshot_desktop_ids_json holds (an object keyed by snapshot ID) or a plain
// array of IDs.

// snapshotIDsJSONRule says what snapshot_ids_json accepts, in errors.
const snapshotIDsJSONRule = "must be a JSON array of snapshot ID strings, or a JSON object whose keys are snapshot IDs " +
	"(such as a batch's desktops_matching.snapshot_desktop_ids_json), naming at least one; each ID is " + idFormat

// decodeSnapshotIDsJSON reads the snapshot IDs of a JSON array or of an
// object's keys, distinct and sorted. The error says what was wrong, to
// follow "got ". Raw messages keep the decoding from building a value per
// element before it is checked.
func decodeSnapshotIDsJSON(s string) ([]string, error) {
	data := []byte(s)
	var ids []string
	switch first := firstJSONByte(data); first {
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(data, &elems); err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		if len(elems) == 0 {
			return nil, fmt.Errorf("an empty array")
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
			if !resourceIDPattern.MatchString(id) {
				return nil, fmt.Errorf("element [%d], %q, which is not a snapshot ID", i, id)
			}
			ids = append(ids, id)
		}
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		if len(obj) == 0 {
			return nil, fmt.Errorf("an empty object")
		}
		ids = make([]string, 0, len(obj))
		for id := range obj {
			ids = append(ids, id)
		}
		slices.Sort(ids) // so the first bad key reported is the same every plan
		for _, id := range ids {
			if !resourceIDPattern.MatchString(id) {
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

// snapshotIDsJSONValidator checks snapshot_ids_json once it is known; an
// unknown value is checked when Terraform validates again with it known.
type snapshotIDsJSONValidator struct{}

var _ validator.String = snapshotIDsJSONValidator{}

func (snapshotIDsJSONValidator) Description(context.Context) string { return snapshotIDsJSONRule }

func (v snapshotIDsJSONValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v snapshotIDsJSONValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := decodeSnapshotIDsJSON(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.Append(snapshotIDsJSONError(req.Path, err))
	}
}

// snapshotIDsJSONError reports a value decodeSnapshotIDsJSON refused.
func snapshotIDsJSONError(p path.Path, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid snapshot IDs JSON",
		fmt.Sprintf("Attribute %s %s; got %v.", p, snapshotIDsJSONRule, err))
}
