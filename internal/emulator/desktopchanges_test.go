package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// listedDesktops is what ListDesktops answers with q.
func (h *harness) listedDesktops(q url.Values) desktopsBody {
	h.t.Helper()
	var out desktopsBody
	h.mustDo("GET", "~/desktops?"+q.Encode(), nil, &out)
	return out
}

// postDesktops posts body to /_emulator/desktops.
func (h *harness) postDesktops(body string) response {
	return h.serve(h.newRequest("POST", "/_emulator/desktops", []byte(body)))
}

// Added desktops come at the end of the listing, numbered after the others:
// ID, desktop name, IP, SID and MAC as the seeded desktop of that number
// would have, created at the emulator's clock, and usable at once.
func TestAddDesktops(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 2, Seed: 7})
	seeded := h.srv.DesktopIDs()
	added, err := h.srv.AddDesktops(NewDesktop{ComputerName: "PC-NEW", UserName: "alice"}, NewDesktop{})
	if err != nil {
		t.Fatal(err)
	}
	fourSeeded := newHarness(t, Config{Desktops: 4, Seed: 7}).srv.DesktopIDs()
	want := []Desktop{
		{DesktopID: fourSeeded[2], DesktopName: "wks-desktop-0003", ComputerName: "PC-NEW", UserName: "alice", UserGroup: "users",
			IPAddress: "10.0.0.4", SID: "S-1-5-21-3623811015-3361044348-30300820-1003", OUName: "workspace.example.com", Created: "2026-03-01T12:00:00Z"},
		{DesktopID: fourSeeded[3], DesktopName: "wks-desktop-0004", ComputerName: "WKSPC0004", UserName: "", UserGroup: "",
			IPAddress: "10.0.0.5", SID: "S-1-5-21-3623811015-3361044348-30300820-1004", OUName: "workspace.example.com", Created: "2026-03-01T12:00:00Z"},
	}
	if !reflect.DeepEqual(added, want) {
		t.Errorf("added %+v,\nwant %+v", added, want)
	}
	if got := h.srv.DesktopIDs(); !slices.Equal(got, append(seeded, want[0].DesktopID, want[1].DesktopID)) {
		t.Errorf("DesktopIDs %v: want the seeded ones, then the added in order", got)
	}
	list := h.listedDesktops(nil)
	if list.TotalCount != 4 || list.Desktops[2].ComputerName != "PC-NEW" || list.Desktops[3].UserName != "" || list.Desktops[3].Created != "2026-03-01T12:00:00Z" {
		t.Errorf("ListDesktops %+v", list)
	}
	if got := h.listedDesktops(url.Values{"desktop_id": {want[1].DesktopID, want[0].DesktopID, seeded[0]}}); got.TotalCount != 3 || got.Desktops[2].DesktopID != want[1].DesktopID {
		t.Errorf("desktop_id filter: %+v, want the added ones after the seeded", got)
	}
	jobID := h.create(map[string]any{"desktop_ids": []string{want[1].DesktopID}})
	if sj := h.job(jobID).SubJobs[0]; sj.MACAddress != "fa:16:3e:00:00:04" || sj.DesktopName != "wks-desktop-0004" {
		t.Errorf("sub-job on the added desktop: mac %q, desktop_name %q", sj.MACAddress, sj.DesktopName)
	}
	if n := h.srv.Stats().Desktops; n != 4 {
		t.Errorf("stats: %d desktops, want 4", n)
	}
}

// A change that cannot be made is refused whole: nothing is added, deleted
// or renamed.
func TestDesktopChangesRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 3, JobDuration: 10 * time.Second})
	ids := h.srv.DesktopIDs()
	name := func(s string) *string { return &s }
	for _, tc := range []struct {
		name string
		do   func() error
		kind error
		want string
	}{
		{"a computer name taken, in another case", func() error { _, err := h.srv.AddDesktops(NewDesktop{ComputerName: "wkspc0002"}); return err },
			ErrInvalidDesktop, `add[0].computer_name: "wkspc0002" is already the computer name of desktop [` + ids[1] + `]`},
		{"a computer name twice", func() error {
			_, err := h.srv.AddDesktops(NewDesktop{ComputerName: "PC-1"}, NewDesktop{ComputerName: "pc-1"})
			return err
		}, ErrInvalidDesktop, `add[1].computer_name: "pc-1" is already the computer name of add[0]`},
		{"a computer name too long", func() error { _, err := h.srv.AddDesktops(NewDesktop{ComputerName: "PC-0123456789ABC"}); return err },
			ErrInvalidDesktop, "add[0].computer_name: must be 1 to 15 characters"},
		{"a computer name with a dot", func() error { _, err := h.srv.AddDesktops(NewDesktop{ComputerName: "pc.1"}); return err },
			ErrInvalidDesktop, "add[0].computer_name: must hold only ASCII letters, digits and hyphens"},
		{"a user name with a space", func() error { _, err := h.srv.AddDesktops(NewDesktop{UserName: "a b"}); return err },
			ErrInvalidDesktop, "add[0].user_name: must have no spaces or control characters"},
		{"a rename to a name taken", func() error {
			_, err := h.srv.UpdateDesktop(ids[0], DesktopUpdate{ComputerName: name("WKSPC0003")})
			return err
		},
			ErrInvalidDesktop, `update[0].computer_name: "WKSPC0003" is already the computer name of desktop [` + ids[2] + `]`},
		{"a rename to nothing", func() error { _, err := h.srv.UpdateDesktop(ids[0], DesktopUpdate{ComputerName: name("")}); return err },
			ErrInvalidDesktop, "update[0].computer_name: must be 1 to 15 characters"},
		{"an update of an unknown desktop", func() error { _, err := h.srv.UpdateDesktop("nope", DesktopUpdate{UserName: name("bob")}); return err },
			ErrDesktopNotFound, "update[0]: desktop [nope] not found"},
		{"a delete of an unknown desktop among known ones", func() error { _, err := h.srv.DeleteDesktops(ids[0], "nope", ids[1]); return err },
			ErrDesktopNotFound, "delete: desktops not found: [nope]"},
		{"a delete of one desktop twice", func() error { _, err := h.srv.DeleteDesktops(ids[0], ids[0]); return err },
			ErrInvalidDesktop, "delete[1]: desktop [" + ids[0] + "] is listed twice"},
	} {
		err := tc.do()
		if !errors.Is(err, tc.kind) || err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %v saying %s", tc.name, err, tc.kind, tc.want)
		}
	}
	// A desktop under a running job is not deleted, whatever the dialect.
	h.create(map[string]any{"desktop_ids": ids[2:]})
	for _, concurrent := range []bool{false, true} {
		if err := h.srv.SetDialect(Dialect{ConcurrentJobs: concurrent}); err != nil {
			t.Fatal(err)
		}
		_, err := h.srv.DeleteDesktops(ids[0], ids[2])
		want := "Operation conflict. The desktop current instance status is [snapshotting] and deny operation [deleteDesktop], resource id [" + ids[2] + "]"
		if !errors.Is(err, ErrDesktopBusy) || err.Error() != want {
			t.Errorf("concurrent_jobs %v: delete of a busy desktop: %v, want %s", concurrent, err, want)
		}
	}
	if got := h.listedDesktops(nil); got.TotalCount != 3 || got.Desktops[0].ComputerName != "WKSPC0001" || got.Desktops[0].UserName != "user0001" {
		t.Errorf("refused changes changed the desktops: %+v", got)
	}
	// Once its job has ended it is.
	h.clock.Advance(10 * time.Second)
	if _, err := h.srv.DeleteDesktops(ids[2]); err != nil {
		t.Errorf("delete after the job ended: %v", err)
	}
}

// A deleted desktop takes its snapshot records with it and is not listed,
// found or snapshotted any more; the jobs that ran on it still show it, and
// its number is not given again.
func TestDeleteDesktops(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 3, JobDuration: time.Second, Seed: 2})
	ids := h.srv.DesktopIDs()
	jobID := h.create(map[string]any{"desktop_ids": ids})
	h.clock.Advance(time.Second)
	mine := h.snapshots(url.Values{"desktop_id": {ids[1]}}).DesktopSnapshots
	before := h.job(jobID)
	gone, err := h.srv.DeleteDesktops(ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 2 || !slices.Equal(gone, []string{mine[0].SnapshotID, mine[1].SnapshotID}) {
		t.Errorf("deleted snapshots %v, want the desktop's %+v", gone, mine)
	}
	if got := h.srv.DesktopIDs(); !slices.Equal(got, []string{ids[0], ids[2]}) {
		t.Errorf("DesktopIDs after the delete %v", got)
	}
	if got := h.listedDesktops(url.Values{"desktop_id": {ids[1]}}); got.TotalCount != 0 {
		t.Errorf("the deleted desktop is still found by desktop_id: %+v", got)
	}
	if got := h.snapshots(nil); got.TotalCount != 4 || slices.ContainsFunc(got.DesktopSnapshots, func(r snapshotInfo) bool { return r.DesktopID == ids[1] }) {
		t.Errorf("records after the delete: %+v, want the other desktops' 4", got)
	}
	if got := h.snapshots(url.Values{"desktop_ids": {ids[1]}}); got.TotalCount != 0 {
		t.Errorf("records of the deleted desktop by desktop_ids: %+v", got)
	}
	expectError(t, h.do("POST", "~/snapshots/batch-create", map[string]any{"desktop_ids": ids[1:2]}), http.StatusNotFound, codeNotFound, "desktops not found: ["+ids[1]+"]")
	expectError(t, h.do("POST", "~/snapshots/batch-restore", map[string]any{"snapshot_ids": gone[:1]}), http.StatusNotFound, codeNotFound, "snapshots not found")
	if a, b := mustJSON(t, before), mustJSON(t, h.job(jobID)); a != b {
		t.Errorf("the job on the deleted desktop changed:\n%s\n%s", a, b)
	}
	var subs subJobsBody
	h.mustDo("GET", "~/workspace-sub-jobs?job_id="+jobID, nil, &subs)
	if subs.TotalCount != 3 || !slices.ContainsFunc(subs.Jobs, func(sj subJobBody) bool {
		return sj.Entities.DesktopID == ids[1] && sj.DesktopName == "wks-desktop-0002" && sj.MACAddress == "fa:16:3e:00:00:02"
	}) {
		t.Errorf("ListItaSubJobs after the delete: %+v", subs)
	}
	added, err := h.srv.AddDesktops(NewDesktop{})
	if err != nil {
		t.Fatal(err)
	}
	if want := newHarness(t, Config{Desktops: 4, Seed: 2}).srv.DesktopIDs()[3]; added[0].DesktopID != want || added[0].DesktopName != "wks-desktop-0004" {
		t.Errorf("the desktop added after a delete is %+v, want number 4 (%s)", added[0], want)
	}
	if n := h.srv.Stats(); n.Desktops != 3 || n.Snapshots != 4 {
		t.Errorf("stats: %d desktops, %d snapshots; want 3 and 4", n.Desktops, n.Snapshots)
	}
}

// Under ListLag the records of a deleted desktop go from the list ListLag
// late, as records a job deleted do, still with the desktop's name.
func TestDeleteDesktopUnderListLag(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 2, Dialect: Dialect{ListLag: 10 * time.Second}})
	ids := h.srv.DesktopIDs()
	h.create(map[string]any{"desktop_ids": ids})
	h.clock.Advance(10 * time.Second)
	if _, err := h.srv.DeleteDesktops(ids[0]); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(9 * time.Second)
	for _, q := range []url.Values{nil, {"desktop_ids": {ids[0]}}, {"desktop_name": {"wks-desktop-0001"}}} {
		n := 0
		for _, rec := range h.snapshots(q).DesktopSnapshots {
			if rec.DesktopID == ids[0] && rec.DesktopName == "wks-desktop-0001" {
				n++
			}
		}
		if n != 2 {
			t.Errorf("?%s 9s after the delete: %d records of the deleted desktop listed, want its 2", q.Encode(), n)
		}
	}
	h.clock.Advance(time.Second)
	if got := h.snapshots(nil); got.TotalCount != 2 || got.DesktopSnapshots[0].DesktopID != ids[1] {
		t.Errorf("10s after the delete: %+v, want only the other desktop's records", got)
	}
}

// A rename and a reassignment show in ListDesktops and its filters and in
// the sub-jobs of the desktop's jobs; the snapshot records keep the
// desktop name they were made with.
func TestUpdateDesktop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 2, JobDuration: time.Second})
	ids := h.srv.DesktopIDs()
	jobID := h.create(map[string]any{"desktop_ids": ids[:1]})
	h.clock.Advance(time.Second)
	name, user := "PC-RENAMED", "carol"
	got, err := h.srv.UpdateDesktop(ids[0], DesktopUpdate{ComputerName: &name, UserName: &user})
	if err != nil {
		t.Fatal(err)
	}
	if got.ComputerName != name || got.UserName != user || got.UserGroup != "users" || got.DesktopName != "wks-desktop-0001" {
		t.Errorf("updated %+v", got)
	}
	for q, want := range map[string]int{
		"computer_name=PC-RENAMED": 1, "computer_name=WKSPC0001": 0, "user_name=carol": 1, "user_name=user0001": 0,
	} {
		v, _ := url.ParseQuery(q)
		if n := h.listedDesktops(v).TotalCount; n != want {
			t.Errorf("?%s after the update: %d desktops, want %d", q, n, want)
		}
	}
	if sj := h.job(jobID).SubJobs[0]; sj.Entities.UserName != user || sj.AttachUser != user {
		t.Errorf("sub-job user %q / attach_user %q, want the desktop's user now, %q", sj.Entities.UserName, sj.AttachUser, user)
	}
	if recs := h.snapshots(url.Values{"desktop_name": {"wks-desktop-0001"}}); recs.TotalCount != 2 {
		t.Errorf("records by desktop_name after the rename: %d, want 2", recs.TotalCount)
	}
	// Only the fields given change; "" unassigns the user; a desktop may
	// take its own name in another case.
	none, lower := "", "pc-renamed"
	got, err = h.srv.UpdateDesktop(ids[0], DesktopUpdate{UserName: &none})
	if err != nil || got.ComputerName != name || got.UserName != "" || got.UserGroup != "" {
		t.Errorf("unassign: %+v, %v", got, err)
	}
	if got, err = h.srv.UpdateDesktop(ids[0], DesktopUpdate{ComputerName: &lower}); err != nil || got.ComputerName != lower {
		t.Errorf("rename in another case: %+v, %v", got, err)
	}
	if d := h.listedDesktops(nil).Desktops[1]; d.ComputerName != "WKSPC0002" || d.UserName != "user0002" {
		t.Errorf("the other desktop changed: %+v", d)
	}
}

// POST /_emulator/desktops deletes, updates and adds in one change, all or
// none, and answers it; refusals have the service's shapes, not found in
// the dialect's.
func TestDesktopsRoute(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Desktops: 3, JobDuration: time.Second})
	ids := h.srv.DesktopIDs()
	h.create(map[string]any{"desktop_ids": ids[:1], "disk_type": diskTypeSystem})
	h.clock.Advance(time.Second)
	rec := h.snapshots(nil).DesktopSnapshots[0].SnapshotID
	// WKSPC0001 is freed by the delete and WKSPC0002 by the rename, so
	// the desktops added may take them.
	res := h.postDesktops(`{"delete":["` + ids[0] + `"],
		"update":[{"desktop_id":"` + ids[1] + `","computer_name":"PC-2"},{"desktop_id":"` + ids[2] + `","user_name":"dave"}],
		"add":[{"computer_name":"WKSPC0001","user_name":"erin"},{"computer_name":"wkspc0002"}]}`)
	if res.status != http.StatusOK {
		t.Fatalf("POST: %d %s", res.status, res.body)
	}
	var out desktopChangesBody
	res.decode(t, &out)
	if !slices.Equal(out.Deleted, ids[:1]) || !slices.Equal(out.DeletedSnapshotIDs, []string{rec}) ||
		len(out.Updated) != 2 || out.Updated[0].ComputerName != "PC-2" || out.Updated[1].UserName != "dave" ||
		len(out.Added) != 2 || out.Added[0].UserName != "erin" || out.Added[1].DesktopName != "wks-desktop-0005" {
		t.Errorf("answer %s", res.body)
	}
	list := h.listedDesktops(nil)
	var names []string
	for _, d := range list.Desktops {
		names = append(names, d.ComputerName+"/"+d.UserName)
	}
	if want := []string{"PC-2/user0002", "WKSPC0003/dave", "WKSPC0001/erin", "wkspc0002/"}; !slices.Equal(names, want) {
		t.Errorf("listed %v, want %v", names, want)
	}
	if res := h.postDesktops(`{}`); res.status != http.StatusOK || !strings.Contains(string(res.body), `"added":[]`) {
		t.Errorf("an empty change: %d %s", res.status, res.body)
	}
	for body, want := range map[string]struct {
		status int
		code   string
		msg    string
	}{
		`{"delete":["nope"]}`:                            {http.StatusNotFound, codeNotFound, "delete: desktops not found: [nope]"},
		`{"update":[{"desktop_id":"nope"}]}`:             {http.StatusNotFound, codeNotFound, "update[0]: desktop [nope] not found"},
		`{"update":[{"user_name":"x"}]}`:                 {http.StatusBadRequest, codeBadRequest, "update[0].desktop_id: missing"},
		`{"add":[{"computer_name":"PC-2"}]}`:             {http.StatusBadRequest, codeBadRequest, `add[0].computer_name: "PC-2" is already the computer name of desktop`},
		`{"add":[{"name":"x"}]}`:                         {http.StatusBadRequest, codeBadRequest, "desktops: json: unknown field"},
		`{"remove":["x"]}`:                               {http.StatusBadRequest, codeBadRequest, "unknown field"},
		`{"delete":"x"}`:                                 {http.StatusBadRequest, codeBadRequest, "desktops:"},
		`{"delete":["` + ids[1] + `"],"add":[{}],"x":1}`: {http.StatusBadRequest, codeBadRequest, "unknown field"},
		`{"delete":["` + ids[1] + `"],"update":[{"desktop_id":"` + ids[1] + `","user_name":"x"}]}`: {http.StatusBadRequest, codeBadRequest, "is deleted by the same change"},
	} {
		expectError(t, h.postDesktops(body), want.status, want.code, want.msg)
	}
	if got := h.listedDesktops(nil); !reflect.DeepEqual(got, list) {
		t.Errorf("refused POSTs changed the desktops: %+v", got)
	}
	if err := h.srv.SetDialect(Dialect{NotFound: NotFound400}); err != nil {
		t.Fatal(err)
	}
	expectError(t, h.postDesktops(`{"delete":["nope"]}`), http.StatusBadRequest, codeBadRequest, "delete: desktops not found: [nope]")
	h.create(map[string]any{"desktop_ids": ids[1:2]})
	expectError(t, h.postDesktops(`{"delete":["`+ids[1]+`"]}`), http.StatusConflict, codeBusy, "deny operation [deleteDesktop]")

	res = h.serve(h.newRequest("GET", "/_emulator/desktops", nil))
	if res.status != http.StatusNotFound || !strings.Contains(res.errorBody(t).ErrorMsg, "POST /_emulator/desktops") {
		t.Errorf("unknown route answer %d %s should list the desktops route", res.status, res.body)
	}
	if n := h.srv.Stats().RequestsByOperation; n[opUnknown] != 0 || len(n) != 3 {
		t.Errorf("the desktops route was counted: %v", n)
	}
}

// The state file keeps desktops added, changed and deleted: after a reload
// the same desktops are listed, the jobs on a deleted one still show it,
// and the next desktop added gets the number it would have had.
func TestDesktopChangesSurviveStateFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	clock := newFakeClock()
	cfg := Config{Desktops: 3, JobDuration: time.Second, StateFile: path, Now: clock.Now, Seed: 9}
	h := newHarness(t, cfg)
	ids := h.srv.DesktopIDs()
	added, err := h.srv.AddDesktops(NewDesktop{ComputerName: "PC-A", UserName: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	jobID := h.create(map[string]any{"desktop_ids": []string{ids[1], added[0].DesktopID}})
	clock.Advance(time.Second)
	if _, err := h.srv.DeleteDesktops(ids[1]); err != nil {
		t.Fatal(err)
	}
	user := "zed"
	if _, err := h.srv.UpdateDesktop(ids[2], DesktopUpdate{UserName: &user}); err != nil {
		t.Fatal(err)
	}
	beforeList, beforeJob, beforeRecs := h.listedDesktops(nil), h.job(jobID), h.snapshots(nil)
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}

	h2 := newHarness(t, cfg)
	if a, b := mustJSON(t, beforeList), mustJSON(t, h2.listedDesktops(nil)); a != b {
		t.Errorf("desktops differ after reload:\n%s\n%s", a, b)
	}
	if a, b := mustJSON(t, beforeJob), mustJSON(t, h2.job(jobID)); a != b {
		t.Errorf("the job on the deleted desktop differs after reload:\n%s\n%s", a, b)
	}
	if a, b := mustJSON(t, beforeRecs), mustJSON(t, h2.snapshots(nil)); a != b {
		t.Errorf("records differ after reload:\n%s\n%s", a, b)
	}
	next, err := h2.srv.AddDesktops(NewDesktop{})
	if err != nil {
		t.Fatal(err)
	}
	if want := newHarness(t, Config{Desktops: 5, Seed: 9}).srv.DesktopIDs()[4]; next[0].DesktopID != want || next[0].ComputerName != "WKSPC0005" {
		t.Errorf("the desktop added after the reload is %+v, want number 5 (%s)", next[0], want)
	}
	expectError(t, h2.do("POST", "~/snapshots/batch-create", map[string]any{"desktop_ids": ids[1:2]}), http.StatusNotFound, codeNotFound, "desktops not found")
}

// A state file written before desktops could change (no "deleted" flag)
// loads as before: desktops numbered by their place.
func TestStateFileWithoutDeletedDesktops(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := Config{Desktops: 2, StateFile: path}
	h := newHarness(t, cfg)
	jobID := h.create(map[string]any{"desktop_ids": h.srv.DesktopIDs()})
	f := closeAndReadState(t, h, path)
	for _, d := range as[[]any](t, f["desktops"]) {
		if _, has := as[map[string]any](t, d)["deleted"]; has {
			t.Errorf("a desktop there is saved with a deleted key: %v", d)
		}
	}
	h2 := newHarness(t, cfg)
	if sj := h2.job(jobID).SubJobs[1]; sj.MACAddress != "fa:16:3e:00:00:02" {
		t.Errorf("desktop 2's MAC after reload %q", sj.MACAddress)
	}
	if added, err := h2.srv.AddDesktops(NewDesktop{}); err != nil || added[0].DesktopName != "wks-desktop-0003" {
		t.Errorf("added after reload: %+v, %v", added, err)
	}
}

// A state file naming one desktop twice (say, once deleted) is refused:
// the jobs on it could not tell which it was.
func TestStateFileRefusesADesktopTwice(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, Config{Desktops: 2, StateFile: path})
	f := closeAndReadState(t, h, path)
	desktops := as[[]any](t, f["desktops"])
	twice := map[string]any{}
	for k, v := range as[map[string]any](t, desktops[0]) {
		twice[k] = v
	}
	twice["deleted"] = true
	f["desktops"] = append(desktops, twice)
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := "state file " + path + ": desktop " + as[string](t, twice["id"]) + " is listed twice"
	if _, err := New(Config{StateFile: path}); err == nil || err.Error() != want {
		t.Errorf("New: %v, want %s", err, want)
	}
}

// closeAndReadState closes the harness's server, which saves its state
// file, and returns the file as JSON.
func closeAndReadState(t *testing.T, h *harness, path string) map[string]any {
	t.Helper()
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}
