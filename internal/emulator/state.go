package emulator

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"
)

// Record layouts. Exported fields so the state file can round-trip them.

type desktop struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ComputerName string `json:"computer_name"`
	IP           string `json:"ip"`
	UserName     string `json:"user_name"`
	UserGroup    string `json:"user_group"`
	SID          string `json:"sid"`
	OUName       string `json:"ou_name"`
	Created      string `json:"created"`
	// Deleted marks a desktop deleted (DeleteDesktops): it stays in
	// state.desktops, so that every desktop keeps its place there, and the
	// jobs that ran on it still show it.
	Deleted bool `json:"deleted,omitempty"`
	// index is the desktop's place in the order desktops were made, from
	// 1 (seeded ones, then those added, deleted ones counted), and mac its
	// MAC address (see macAddress), set by addDesktop. Neither is saved: the
	// state file keeps desktops in that order, so both are derived again on
	// load.
	index int
	mac   string
}

// macAddress is the MAC of the desktop of index i, derived under the
// OpenStack prefix fa:16:3e, as Huawei Cloud ports have. Only sub-jobs show
// it (§9: ShowJob sub-jobs carry mac_address).
func macAddress(i int) string {
	return fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff)
}

type snapshot struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	DesktopID         string    `json:"desktop_id"`
	SystemDisk        bool      `json:"system_disk"`
	Status            string    `json:"status"`
	Description       string    `json:"description"`
	CreateTime        time.Time `json:"create_time"`
	CreateType        string    `json:"create_type"`
	LastRestoreTime   time.Time `json:"last_restore_time,omitzero"`
	RestoreFailReason string    `json:"restore_fail_reason,omitempty"`
	// created is CreateTime in Unix seconds (it has no finer part), set by
	// addSnapshot: sorting tens of thousands of records in creation order
	// then compares two integers, side by side in memory.
	created int64
	Seq     int64 `json:"seq"`
	// TaskJob is the job working on the record; empty when none.
	TaskJob string `json:"task_job,omitempty"`
}

// Snapshot record statuses.
const (
	statusCreating       = "creating"
	statusRestoring      = "restoring"
	statusCreateSuccess  = "create_success"
	statusCreateFailed   = "create_failed"
	statusRestoreSuccess = "restore_success"
	statusRestoreFailed  = "restore_failed"
)

var snapshotStatuses = []string{statusCreating, statusRestoring, statusCreateSuccess, statusCreateFailed, statusRestoreSuccess, statusRestoreFailed}

const (
	createTypeManual = "MANUALLY"
	createTypeAuto   = "AUTO"
)

// state is everything the emulator remembers; guarded by Server.mu.
type state struct {
	desktops    []*desktop          // every desktop made, in that order (the listing order), deleted ones too
	desktopByID map[string]*desktop // the desktops there are (not deleted)
	deleted     map[string]*desktop // the desktops deleted, as they were, for the jobs and records that name them
	snapshots   map[string]*snapshot
	byDesktop   map[string]map[string]*snapshot // desktop ID -> its records
	jobs        map[string]*job
	jobOrder    []*job         // by begin time, then creation order
	pending     []*job         // jobs with sub-jobs whose effects are not applied yet, in creation order
	busy        map[string]int // desktop ID -> running sub-jobs on it (more than 1 only under Dialect.ConcurrentJobs)
	due         []endedSubJob  // advance's buffer, kept to spare an allocation per request
	lag         listHistory    // the list's past, under Dialect.ListLag
	seq         int64
	rng         *rand.Rand
	pcg         *rand.PCG
}

func newState(seed int64) *state {
	pcg := rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)
	return &state{
		desktopByID: map[string]*desktop{},
		deleted:     map[string]*desktop{},
		snapshots:   map[string]*snapshot{},
		byDesktop:   map[string]map[string]*snapshot{},
		jobs:        map[string]*job{},
		busy:        map[string]int{},
		rng:         rand.New(pcg),
		pcg:         pcg,
	}
}

func (st *state) nextSeq() int64 {
	st.seq++
	return st.seq
}

// newUUID draws a version-4 UUID from the seeded generator.
func (st *state) newUUID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], st.rng.Uint64())
	binary.LittleEndian.PutUint64(b[8:], st.rng.Uint64())
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// seededDesktopCreated is the creation time of every seeded desktop.
const seededDesktopCreated = "2025-01-06T08:00:00Z"

// seedDesktops adds n desktops whose IDs depend only on seed and index, so
// the same seed always yields the same desktops.
func (st *state) seedDesktops(seed int64, n int) {
	for i := 1; i <= n; i++ {
		st.addDesktop(numberedDesktop(seed, i, seededDesktopCreated))
	}
}

// numberedDesktop is desktop number i (its index) of seed, created at
// created: the ID, names, IP and SID are derived from the two, so a
// desktop added later (AddDesktops) looks like a seeded one and has the ID
// seeding one more would have given it.
func numberedDesktop(seed int64, i int, created string) *desktop {
	sum := sha256.Sum256(fmt.Appendf(nil, "desktop/%d/%d", seed, i))
	var id [16]byte
	copy(id[:], sum[:16])
	return &desktop{
		ID:           formatUUID(id),
		Name:         fmt.Sprintf("wks-desktop-%04d", i),
		ComputerName: fmt.Sprintf("WKSPC%04d", i),
		IP:           desktopIP(i),
		UserName:     fmt.Sprintf("user%04d", i),
		UserGroup:    "users",
		SID:          fmt.Sprintf("S-1-5-21-3623811015-3361044348-30300820-%d", 1000+i),
		OUName:       "workspace.example.com",
		Created:      created,
	}
}

// desktopIP is the IP of desktop number i: 250 hosts (.2 to .251) per /24,
// from 10.0.0.2; from desktop 64001 on, in 10.1.0.0/16 and up.
func desktopIP(i int) string {
	n := i - 1
	return fmt.Sprintf("10.%d.%d.%d", n/(250*256), n/250%256, n%250+2)
}

func (st *state) addSnapshot(rec *snapshot) {
	rec.created = rec.CreateTime.Unix()
	st.snapshots[rec.ID] = rec
	if st.byDesktop[rec.DesktopID] == nil {
		st.byDesktop[rec.DesktopID] = map[string]*snapshot{}
	}
	st.byDesktop[rec.DesktopID][rec.ID] = rec
}

func (st *state) removeSnapshot(rec *snapshot) {
	delete(st.snapshots, rec.ID)
	delete(st.byDesktop[rec.DesktopID], rec.ID)
}

// addDesktop adds d at the end of the order desktops were made, which is
// the listing order; a deleted d (from the state file) is only remembered.
func (st *state) addDesktop(d *desktop) {
	st.desktops = append(st.desktops, d)
	d.index = len(st.desktops)
	d.mac = macAddress(d.index)
	if d.Deleted {
		st.deleted[d.ID] = d
		return
	}
	st.desktopByID[d.ID] = d
}

// removeDesktop deletes d; the jobs and records that name it still find it
// (desktopOf). Its snapshots are the caller's to remove first.
func (st *state) removeDesktop(d *desktop) {
	d.Deleted = true
	delete(st.desktopByID, d.ID)
	delete(st.byDesktop, d.ID)
	st.deleted[d.ID] = d
}

// desktopOf is the desktop of id as jobs and records show it: the one
// there is, or the one deleted. Every ID a job or record holds is one.
func (st *state) desktopOf(id string) *desktop {
	if d := st.desktopByID[id]; d != nil {
		return d
	}
	return st.deleted[id]
}
