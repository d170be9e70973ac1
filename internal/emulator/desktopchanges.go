package emulator

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NewDesktop is a desktop for AddDesktops to make (POST /_emulator/desktops
// takes it under "add"). Its ID, desktop name, IP and SID are made as a
// seeded desktop's, from the seed and its number.
type NewDesktop struct {
	ComputerName string `json:"computer_name,omitempty"` // "" = WKSPC and the desktop's number (WKSPC0011), as seeded
	UserName     string `json:"user_name,omitempty"`     // "" = no user assigned (user_name and user_group empty)
}

// DesktopUpdate renames or reassigns a desktop; a nil field keeps its
// value. POST /_emulator/desktops takes it under "update", with the
// desktop's "desktop_id".
type DesktopUpdate struct {
	ComputerName *string `json:"computer_name,omitempty"` // the new computer name; not empty
	UserName     *string `json:"user_name,omitempty"`     // the new user; "" = none
}

// Desktop is a desktop as the emulator holds it: the ListDesktops fields,
// and desktop_name, the name snapshots and sub-jobs show (it is not the
// computer name, and renaming does not change it).
type Desktop struct {
	DesktopID    string `json:"desktop_id"`
	DesktopName  string `json:"desktop_name"`
	ComputerName string `json:"computer_name"`
	UserName     string `json:"user_name"`
	UserGroup    string `json:"user_group"`
	IPAddress    string `json:"ip_address"`
	SID          string `json:"sid"`
	OUName       string `json:"ou_name"`
	Created      string `json:"created"`
}

// Errors of AddDesktops, DeleteDesktops and UpdateDesktop, for errors.Is;
// POST /_emulator/desktops answers them as the service answers its own:
// not found in the shape of Dialect.NotFound, busy 409 WKS.00010032,
// invalid 400 WKS.0001.
var (
	ErrDesktopNotFound = errors.New("desktop not found")
	ErrDesktopBusy     = errors.New("desktop under a running job")
	ErrInvalidDesktop  = errors.New("invalid desktop change")
)

// desktopChangeError is a refused change: kind is one of the errors above,
// msg what is wrong.
type desktopChangeError struct {
	kind error
	msg  string
}

func (e *desktopChangeError) Error() string { return e.msg }
func (e *desktopChangeError) Unwrap() error { return e.kind }

func changeErr(kind error, format string, args ...any) error {
	return &desktopChangeError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Bounds of desktop changes.
const (
	maxComputerName = 15 // a Windows (NetBIOS) computer name
	maxUserName     = 64
	// maxDesktopNumber bounds the numbers desktops are made with: MACs
	// and IPs derived from them stay distinct and well formed.
	maxDesktopNumber = 250 * 256 * 256
	// deleteDesktopOperation is the operation named in the 409 for
	// deleting a desktop under a running job.
	deleteDesktopOperation = "deleteDesktop"
)

// desktopChanges is the body of POST /_emulator/desktops: the desktops to
// delete, to update and to add, done in that order, all or none.
type desktopChanges struct {
	Delete []string        `json:"delete,omitempty"`
	Update []desktopChange `json:"update,omitempty"`
	Add    []NewDesktop    `json:"add,omitempty"`
}

type desktopChange struct {
	DesktopID string `json:"desktop_id"`
	DesktopUpdate
}

// desktopChangesBody is the answer of POST /_emulator/desktops.
type desktopChangesBody struct {
	Deleted            []string  `json:"deleted"`              // the desktops deleted
	DeletedSnapshotIDs []string  `json:"deleted_snapshot_ids"` // their snapshot records, deleted with them
	Updated            []Desktop `json:"updated"`              // as they are now, in the order given
	Added              []Desktop `json:"added"`                // in the order given
}

// AddDesktops makes desktops at the end of the listing order and returns
// them in the order given. Each takes the next number (after every desktop
// seeded or added before, deleted ones too), from which its ID is derived
// as a seeded one's, so the same seed and the same calls give the same
// IDs; created is the emulator's clock. A computer name must be 1 to 15
// letters, digits and hyphens, unlike any other desktop's (ignoring case);
// a user name at most 64 characters without spaces. Nothing is added when
// one is refused (ErrInvalidDesktop).
func (s *Server) AddDesktops(desktops ...NewDesktop) ([]Desktop, error) {
	out, err := s.changeDesktops(desktopChanges{Add: desktops})
	return out.Added, err
}

// DeleteDesktops deletes desktops and, with them, their snapshot records
// (a desktop's disks and their snapshots go with it), and returns the IDs
// of those records in the order they were made. The jobs that ran on the
// desktops still show them, as they were. Refused, with nothing deleted: an
// unknown or repeated ID (ErrDesktopNotFound, ErrInvalidDesktop), or a
// desktop under a running job (ErrDesktopBusy).
func (s *Server) DeleteDesktops(ids ...string) (deletedSnapshotIDs []string, err error) {
	out, err := s.changeDesktops(desktopChanges{Delete: ids})
	return out.DeletedSnapshotIDs, err
}

// UpdateDesktop renames a desktop (its computer name) or reassigns it (its
// user name), as ListDesktops, its filters and the sub-jobs of its jobs
// then show; the desktop name its snapshots carry does not change.
func (s *Server) UpdateDesktop(id string, u DesktopUpdate) (Desktop, error) {
	out, err := s.changeDesktops(desktopChanges{Update: []desktopChange{{DesktopID: id, DesktopUpdate: u}}})
	if err != nil {
		return Desktop{}, err
	}
	return out.Updated[0], nil
}

// changeDesktops checks every change, then makes them all.
func (s *Server) changeDesktops(ch desktopChanges) (desktopChangesBody, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	s.advance(now) // a desktop whose sub-job has ended is free
	if err := s.checkDesktopChanges(ch); err != nil {
		return desktopChangesBody{}, err
	}
	st := s.st
	out := desktopChangesBody{Deleted: []string{}, DeletedSnapshotIDs: []string{}, Updated: []Desktop{}, Added: []Desktop{}}
	for _, id := range ch.Delete {
		d := st.desktopByID[id]
		recs := make([]*snapshot, 0, len(st.byDesktop[id]))
		for _, rec := range st.byDesktop[id] {
			recs = append(recs, rec)
		}
		slices.SortFunc(recs, func(a, b *snapshot) int { return cmp.Compare(a.Seq, b.Seq) })
		for _, rec := range recs {
			// Under Dialect.ListLag the list shows them ListLag longer, as
			// it shows records deleted by a job.
			s.keepListed(rec)
			st.removeSnapshot(rec)
			s.noteRemoved(rec, now, now)
			out.DeletedSnapshotIDs = append(out.DeletedSnapshotIDs, rec.ID)
		}
		st.removeDesktop(d)
		out.Deleted = append(out.Deleted, id)
	}
	for _, u := range ch.Update {
		d := st.desktopByID[u.DesktopID]
		if u.ComputerName != nil {
			d.ComputerName = *u.ComputerName
		}
		if u.UserName != nil {
			d.assign(*u.UserName)
		}
		out.Updated = append(out.Updated, d.public())
	}
	created := now.UTC().Format(recordTimeLayout)
	for _, a := range ch.Add {
		d := numberedDesktop(s.cfg.Seed, len(st.desktops)+1, created)
		if a.ComputerName != "" {
			d.ComputerName = a.ComputerName
		}
		d.assign(a.UserName)
		st.addDesktop(d)
		out.Added = append(out.Added, d.public())
	}
	return out, nil
}

// checkDesktopChanges refuses changes that cannot all be made.
func (s *Server) checkDesktopChanges(ch desktopChanges) error {
	st := s.st
	deleted := map[string]bool{}
	var missing []string
	for i, id := range ch.Delete {
		if deleted[id] {
			return changeErr(ErrInvalidDesktop, "delete[%d]: desktop [%s] is listed twice", i, id)
		}
		deleted[id] = true
		if st.desktopByID[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return changeErr(ErrDesktopNotFound, "delete: desktops not found: [%s]", strings.Join(missing, ", "))
	}
	for _, id := range ch.Delete {
		// Even under Dialect.ConcurrentJobs: that lets snapshot jobs
		// overlap, not a job run on a desktop that is gone.
		if j := st.holder(id); j != nil {
			return changeErr(ErrDesktopBusy, "Operation conflict. The desktop current instance status is [%s] and deny operation [%s], resource id [%s]",
				busyTaskStatus[j.Type], deleteDesktopOperation, id)
		}
	}
	renamed := map[string]string{} // desktop ID -> its new computer name
	updated := map[string]bool{}
	for i, u := range ch.Update {
		field := fmt.Sprintf("update[%d]", i)
		switch {
		case u.DesktopID == "":
			return changeErr(ErrInvalidDesktop, "%s.desktop_id: missing", field)
		case st.desktopByID[u.DesktopID] == nil:
			return changeErr(ErrDesktopNotFound, "%s: desktop [%s] not found", field, u.DesktopID)
		case deleted[u.DesktopID]:
			return changeErr(ErrInvalidDesktop, "%s: desktop [%s] is deleted by the same change", field, u.DesktopID)
		case updated[u.DesktopID]:
			return changeErr(ErrInvalidDesktop, "%s: desktop [%s] is updated twice", field, u.DesktopID)
		}
		updated[u.DesktopID] = true
		if u.ComputerName != nil {
			if err := checkComputerName(field+".computer_name", *u.ComputerName); err != nil {
				return err
			}
			renamed[u.DesktopID] = *u.ComputerName
		}
		if u.UserName != nil {
			if err := checkUserName(field+".user_name", *u.UserName); err != nil {
				return err
			}
		}
	}
	if n := len(st.desktopByID) - len(ch.Delete) + len(ch.Add); n > maxDesktops {
		return changeErr(ErrInvalidDesktop, "add: the emulator holds at most %d desktops; this change would leave %d", maxDesktops, n)
	}
	if len(st.desktops)+len(ch.Add) > maxDesktopNumber {
		return changeErr(ErrInvalidDesktop, "add: the emulator makes at most %d desktops in all, %d made so far", maxDesktopNumber, len(st.desktops))
	}
	// Computer names stay unique, ignoring case as Windows does: those
	// kept first, then the new ones in the order given.
	owner := map[string]string{}
	for _, d := range st.desktops {
		if _, moved := renamed[d.ID]; !moved && !deleted[d.ID] && !d.Deleted {
			owner[strings.ToLower(d.ComputerName)] = "desktop [" + d.ID + "]"
		}
	}
	claim := func(field, name, who string) error {
		if other, taken := owner[strings.ToLower(name)]; taken {
			return changeErr(ErrInvalidDesktop, "%s: %q is already the computer name of %s", field, name, other)
		}
		owner[strings.ToLower(name)] = who
		return nil
	}
	for i, u := range ch.Update {
		if u.ComputerName != nil {
			if err := claim(fmt.Sprintf("update[%d].computer_name", i), *u.ComputerName, "desktop ["+u.DesktopID+"]"); err != nil {
				return err
			}
		}
	}
	for i, a := range ch.Add {
		field := fmt.Sprintf("add[%d]", i)
		name := a.ComputerName
		if name == "" {
			name = numberedDesktop(s.cfg.Seed, len(st.desktops)+1+i, "").ComputerName
		} else if err := checkComputerName(field+".computer_name", name); err != nil {
			return err
		}
		if err := checkUserName(field+".user_name", a.UserName); err != nil {
			return err
		}
		if err := claim(field+".computer_name", name, field); err != nil {
			return err
		}
	}
	return nil
}

// checkComputerName refuses what cannot be a Windows computer name: 1 to
// 15 letters, digits and hyphens.
func checkComputerName(field, name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > maxComputerName {
		return changeErr(ErrInvalidDesktop, "%s: must be 1 to %d characters, got %q", field, maxComputerName, name)
	}
	for _, r := range name {
		if r >= utf8.RuneSelf || (!unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-') {
			return changeErr(ErrInvalidDesktop, "%s: must hold only ASCII letters, digits and hyphens, got %q", field, name)
		}
	}
	return nil
}

// checkUserName refuses a user name over 64 characters or with spaces or
// control characters; "" (no user) is allowed.
func checkUserName(field, name string) error {
	if utf8.RuneCountInString(name) > maxUserName {
		return changeErr(ErrInvalidDesktop, "%s: must be at most %d characters, got %q", field, maxUserName, name)
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return changeErr(ErrInvalidDesktop, "%s: must have no spaces or control characters, got %q", field, name)
	}
	return nil
}

// assign gives the desktop a user, or none ("").
func (d *desktop) assign(userName string) {
	d.UserName, d.UserGroup = userName, ""
	if userName != "" {
		d.UserGroup = "users"
	}
}

// public is the desktop as AddDesktops and the control route show it.
func (d *desktop) public() Desktop {
	return Desktop{
		DesktopID: d.ID, DesktopName: d.Name, ComputerName: d.ComputerName, UserName: d.UserName, UserGroup: d.UserGroup,
		IPAddress: d.IP, SID: d.SID, OUName: d.OUName, Created: d.Created,
	}
}

// desktopChangeReply is a refused change as the control route answers it.
func (s *Server) desktopChangeReply(err error) reply {
	var ce *desktopChangeError
	if !errors.As(err, &ce) {
		return badRequest("desktops: %v", err)
	}
	switch ce.kind {
	case ErrDesktopNotFound:
		s.mu.Lock() // the dialect in force decides the shape
		defer s.mu.Unlock()
		return s.notFound("%s", ce.msg)
	case ErrDesktopBusy:
		return serviceError(http.StatusConflict, codeBusy, "%s", ce.msg)
	}
	return badRequest("%s", ce.msg)
}
