package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// jobIDBody is the answer of the three batch operations.
type jobIDBody struct {
	JobID string `json:"job_id"`
}

// nameTimeLayout is the timestamp the service appends to snapshot names.
const nameTimeLayout = "20060102150405"

// batchCreate: one sub-job per desktop; records appear at once as creating.
func (s *Server) batchCreate(c *call) reply {
	req, err := decodeCreate(c.body)
	if err != nil {
		return badRequest("%v", err)
	}
	if rep, ok := s.checkDesktops(req.desktopIDs, jobTypeCreate); !ok {
		return rep
	}
	return okReply(jobIDBody{JobID: s.startCreate(req, s.liveJob(jobTypeCreate, c.now), c.now).ID})
}

// startCreate makes the records and the job of a batch-create that began at
// spec.begin: now for a live one, earlier for history.
func (s *Server) startCreate(req createRequest, spec jobSpec, now time.Time) *job {
	st := s.st
	plans := make([]subJobPlan, 0, len(req.desktopIDs))
	// The name's timestamp is written in the zone job times are written in
	// (Dialect.JobTimeOffset); create_time stays UTC, as documented.
	stamp := spec.begin.In(s.dialect.jobZone()).Format(nameTimeLayout)
	for _, id := range req.desktopIDs {
		d := st.desktopByID[id]
		var recIDs []string
		for _, disk := range []struct {
			system bool
			info   diskInfo
		}{{true, req.system}, {false, req.data}} {
			if !diskSelected(req.diskType, disk.system) {
				continue
			}
			rec := &snapshot{
				ID:          st.newUUID(),
				Name:        d.Name + disk.info.Name + stamp,
				DesktopID:   id,
				SystemDisk:  disk.system,
				Status:      statusCreating,
				Description: disk.info.Description,
				CreateTime:  spec.begin.UTC().Truncate(time.Second),
				CreateType:  createTypeManual,
				Seq:         st.nextSeq(),
			}
			st.addSnapshot(rec)
			recIDs = append(recIDs, rec.ID)
		}
		plans = append(plans, subJobPlan{desktopID: id, snapshotIDs: recIDs, entity: id})
	}
	return s.newJob(spec, now, plans)
}

func diskSelected(diskType string, system bool) bool {
	switch diskType {
	case diskTypeSystem:
		return system
	case diskTypeData:
		return !system
	default:
		return true
	}
}

// checkDesktops answers not found (see Server.notFound) for unknown desktops
// and 409 for busy ones.
func (s *Server) checkDesktops(ids []string, jobType string) (reply, bool) {
	var missing []string
	for _, id := range ids {
		if s.st.desktopByID[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return s.notFound("desktop_ids: desktops not found: [%s]", strings.Join(missing, ", ")), false
	}
	for _, id := range ids {
		if rep, busy := s.busyConflict(id, jobType); busy {
			return rep, false
		}
	}
	return reply{}, true
}

// Desktop task status shown in the 409 message, by the job keeping it busy.
var busyTaskStatus = map[string]string{
	jobTypeCreate:  "snapshotting",
	jobTypeRestore: "restoring",
	jobTypeDelete:  "deleting_snapshot",
}

// busyConflict is the 409 for a desktop under a running job, unless the
// dialect lets jobs run alongside (Dialect.ConcurrentJobs).
func (s *Server) busyConflict(desktopID, jobType string) (reply, bool) {
	if s.dialect.ConcurrentJobs {
		return reply{}, false
	}
	running := s.st.holder(desktopID)
	if running == nil {
		return reply{}, false
	}
	return serviceError(http.StatusConflict, codeBusy,
		"Operation conflict. The desktop current instance status is [%s] and deny operation [%s], resource id [%s]",
		busyTaskStatus[running.Type], s.dialect.wireJobType(jobType), desktopID), true
}

// lookupSnapshots answers not found for unknown snapshot IDs and 409 for snapshots
// whose desktop is under a running job.
func (s *Server) lookupSnapshots(ids []string, jobType string) ([]*snapshot, reply, bool) {
	recs := make([]*snapshot, 0, len(ids))
	var missing []string
	for _, id := range ids {
		rec := s.st.snapshots[id]
		if rec == nil {
			missing = append(missing, id)
			continue
		}
		recs = append(recs, rec)
	}
	if len(missing) > 0 {
		return nil, s.notFound("snapshot_ids: snapshots not found: [%s]", strings.Join(missing, ", ")), false
	}
	for _, rec := range recs {
		if rep, busy := s.busyConflict(rec.DesktopID, jobType); busy {
			return nil, rep, false
		}
	}
	return recs, reply{}, true
}

// plansByDesktop groups records into one sub-job per desktop, in the order
// desktops first appear; entity lists the desktop's snapshot IDs.
func plansByDesktop(recs []*snapshot) []subJobPlan {
	index := map[string]int{}
	var plans []subJobPlan
	for _, rec := range recs {
		i, ok := index[rec.DesktopID]
		if !ok {
			i = len(plans)
			index[rec.DesktopID] = i
			plans = append(plans, subJobPlan{desktopID: rec.DesktopID})
		}
		plans[i].snapshotIDs = append(plans[i].snapshotIDs, rec.ID)
	}
	for i := range plans {
		plans[i].entity = strings.Join(plans[i].snapshotIDs, ",")
	}
	return plans
}

// restorable are the statuses a snapshot can be restored from.
var restorable = []string{statusCreateSuccess, statusRestoreSuccess, statusRestoreFailed}

// batchRestore: records go restoring, then restore_success or restore_failed.
func (s *Server) batchRestore(c *call) reply {
	ids, err := decodeSnapshotIDs(c.body)
	if err != nil {
		return badRequest("%v", err)
	}
	recs, rep, ok := s.lookupSnapshots(ids, jobTypeRestore)
	if !ok {
		return rep
	}
	if err := checkRestorable("snapshot_ids", recs); err != nil {
		return badRequest("%v", err)
	}
	return okReply(jobIDBody{JobID: s.startRestore(recs, s.liveJob(jobTypeRestore, c.now), c.now).ID})
}

// checkRestorable refuses records in a status restore does not take, and
// two records of one disk of a desktop; field names the ID list.
func checkRestorable(field string, recs []*snapshot) error {
	type diskKey struct {
		desktop string
		system  bool
	}
	seen := map[diskKey]string{}
	for _, rec := range recs {
		if !slices.Contains(restorable, rec.Status) {
			return fmt.Errorf("%s: snapshot [%s] is in status [%s]; only snapshots in status %v can be restored",
				field, rec.ID, rec.Status, restorable)
		}
		k := diskKey{rec.DesktopID, rec.SystemDisk}
		if other, dup := seen[k]; dup {
			return fmt.Errorf("%s: snapshots [%s] and [%s] are both of the %s of desktop [%s]; restore at most one snapshot per disk in one call",
				field, other, rec.ID, diskLabel(rec.SystemDisk), rec.DesktopID)
		}
		seen[k] = rec.ID
	}
	return nil
}

// startRestore starts the job of a batch-restore that began at spec.begin.
func (s *Server) startRestore(recs []*snapshot, spec jobSpec, now time.Time) *job {
	for _, rec := range recs {
		s.keepListed(rec)
		rec.Status = statusRestoring
	}
	return s.newJob(spec, now, plansByDesktop(recs))
}

func diskLabel(system bool) string {
	if system {
		return "system disk"
	}
	return "data disk"
}

// batchDelete: records stay as they are until their sub-job ends, then vanish.
func (s *Server) batchDelete(c *call) reply {
	ids, err := decodeSnapshotIDs(c.body)
	if err != nil {
		return badRequest("%v", err)
	}
	recs, rep, ok := s.lookupSnapshots(ids, jobTypeDelete)
	if !ok {
		return rep
	}
	return okReply(jobIDBody{JobID: s.newJob(s.liveJob(jobTypeDelete, c.now), c.now, plansByDesktop(recs)).ID})
}
