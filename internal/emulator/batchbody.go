package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"
)

// Limits of the batch bodies (OAS).
const (
	maxBatchIDs     = 100
	maxIDLength     = 36
	maxSnapshotName = 64
	maxSnapshotDesc = 255
)

// Disk types; batch-create without one snapshots both disks.
const (
	diskTypeSystem  = "SYSTEM_DISK"
	diskTypeData    = "DATA_DISKS"
	diskTypeAll     = "ALL"
	defaultDiskType = diskTypeAll
)

var diskTypes = []string{diskTypeSystem, diskTypeData, diskTypeAll}

// createBody is the decoded batch-create body. Pointers tell absent from empty.
type createBody struct {
	DesktopIDs         *[]string `json:"desktop_ids"`
	DiskType           *string   `json:"disk_type"`
	SystemDiskSnapshot *diskInfo `json:"system_disk_snapshot"`
	DataDiskSnapshot   *diskInfo `json:"data_disk_snapshot"`
}

type diskInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// snapshotIDsBody is the batch-restore and batch-delete body.
type snapshotIDsBody struct {
	SnapshotIDs *[]string `json:"snapshot_ids"`
}

// createRequest is a validated batch-create body.
type createRequest struct {
	desktopIDs []string
	diskType   string
	system     diskInfo
	data       diskInfo
}

// decodeJSON decodes exactly one JSON object; unknown fields are ignored as
// the service does.
func decodeJSON(body []byte, into any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("the request body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(into); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return fmt.Errorf("%s: must be of JSON type %s, got %s", typeErr.Field, jsonTypeName(typeErr.Type.String()), typeErr.Value)
		}
		return fmt.Errorf("the request body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("the request body holds data after the JSON object")
	}
	return nil
}

func jsonTypeName(goType string) string {
	switch goType {
	case "string":
		return "string"
	case "[]string":
		return "array of strings"
	default:
		return "object"
	}
}

// decodeCreate validates a batch-create body; the error names the field.
func decodeCreate(body []byte) (createRequest, error) {
	var b createBody
	if err := decodeJSON(body, &b); err != nil {
		return createRequest{}, err
	}
	var req createRequest
	ids, err := checkIDs("desktop_ids", "desktop", b.DesktopIDs)
	if err != nil {
		return req, err
	}
	req.desktopIDs = ids
	req.diskType = defaultDiskType
	if b.DiskType != nil {
		if !slices.Contains(diskTypes, *b.DiskType) {
			return req, fmt.Errorf("disk_type: must be one of %v, got %q", diskTypes, *b.DiskType)
		}
		req.diskType = *b.DiskType
	}
	for _, d := range []struct {
		field string
		in    *diskInfo
		out   *diskInfo
	}{
		{"system_disk_snapshot", b.SystemDiskSnapshot, &req.system},
		{"data_disk_snapshot", b.DataDiskSnapshot, &req.data},
	} {
		if d.in == nil {
			continue
		}
		if err := checkLength(d.field+".name", d.in.Name, maxSnapshotName); err != nil {
			return req, err
		}
		if err := checkLength(d.field+".description", d.in.Description, maxSnapshotDesc); err != nil {
			return req, err
		}
		*d.out = *d.in
	}
	return req, nil
}

// checkLength refuses a name or description over limit characters (not
// bytes: the limits count characters).
func checkLength(field, v string, limit int) error {
	if n := utf8.RuneCountInString(v); n > limit {
		return fmt.Errorf("%s: must be at most %d characters, got %d", field, limit, n)
	}
	return nil
}

// decodeSnapshotIDs validates a batch-restore or batch-delete body.
func decodeSnapshotIDs(body []byte) ([]string, error) {
	var b snapshotIDsBody
	if err := decodeJSON(body, &b); err != nil {
		return nil, err
	}
	return checkIDs("snapshot_ids", "snapshot", b.SnapshotIDs)
}

// checkIDs enforces 1..100 distinct IDs of 1..36 characters.
func checkIDs(field, kind string, ids *[]string) ([]string, error) {
	if ids == nil {
		return nil, fmt.Errorf("%s: is required (1 to %d %s IDs)", field, maxBatchIDs, kind)
	}
	if n := len(*ids); n < 1 || n > maxBatchIDs {
		return nil, fmt.Errorf("%s: must hold 1 to %d %s IDs, got %d", field, maxBatchIDs, kind, n)
	}
	seen := map[string]bool{}
	for i, id := range *ids {
		if n := utf8.RuneCountInString(id); n < 1 || n > maxIDLength {
			return nil, fmt.Errorf("%s[%d]: a %s ID must be 1 to %d characters, got %d", field, i, kind, maxIDLength, n)
		}
		if seen[id] {
			return nil, fmt.Errorf("%s[%d]: %s ID [%s] appears more than once", field, i, kind, id)
		}
		seen[id] = true
	}
	return *ids, nil
}
