package workspace

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// maxIDLength is the longest desktop or snapshot ID the service accepts.
const maxIDLength = 36

// validateCreate checks a batch-create body; single means one POST, so at
// most MaxBatchIDs desktops.
func validateCreate(req BatchCreateDesktopSnapshotReq, single bool) error {
	errs := []error{
		checkIDs("desktop_ids", req.DesktopIds, single),
		checkEnum("disk_type", req.DiskType, DiskTypes),
	}
	for _, d := range []struct {
		attr string
		info *DiskSnapshotInfo
	}{{"system_disk_snapshot", req.SystemDiskSnapshot}, {"data_disk_snapshot", req.DataDiskSnapshot}} {
		if d.info == nil {
			continue
		}
		if n := utf8.RuneCountInString(d.info.Name); n > MaxSnapshotNameLength {
			errs = append(errs, fmt.Errorf("%s.name: must be at most %d characters, got %d", d.attr, MaxSnapshotNameLength, n))
		}
		if n := utf8.RuneCountInString(d.info.Description); n > MaxSnapshotDescriptionLength {
			errs = append(errs, fmt.Errorf("%s.description: must be at most %d characters, got %d", d.attr, MaxSnapshotDescriptionLength, n))
		}
	}
	return errors.Join(errs...)
}

func validateSnapshotIDs(ids []string, single bool) error {
	return checkIDs("snapshot_ids", ids, single)
}

func checkIDs(attr string, ids []string, single bool) error {
	if len(ids) == 0 {
		return fmt.Errorf("%s: at least one ID is required", attr)
	}
	if single && len(ids) > MaxBatchIDs {
		return fmt.Errorf("%s: at most %d IDs per call, got %d (the Submit* methods split larger sets)", attr, MaxBatchIDs, len(ids))
	}
	for i, id := range ids {
		if n := utf8.RuneCountInString(id); n == 0 || n > maxIDLength {
			return fmt.Errorf("%s[%d]: must be 1 to %d characters, got %q", attr, i, maxIDLength, id)
		}
	}
	return nil
}
