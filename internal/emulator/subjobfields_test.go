package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ShowJob and ListItaSubJobs sub-jobs carry desktop_name and mac_address at
// the top level (§9). The MAC is derived from the desktop's seeding index, so
// it is the same after a state-file reload and the file does not hold it.
func TestSubJobDesktopNameAndMAC(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := Config{Desktops: 300, StateFile: path}
	h := newHarness(t, cfg)
	ids := h.srv.DesktopIDs()
	pick := []string{ids[0], ids[255], ids[299]}
	want := map[string][2]string{
		ids[0]:   {"wks-desktop-0001", "fa:16:3e:00:00:01"},
		ids[255]: {"wks-desktop-0256", "fa:16:3e:00:01:00"},
		ids[299]: {"wks-desktop-0300", "fa:16:3e:00:01:2c"},
	}
	jobID := h.create(map[string]any{"desktop_ids": pick})
	type subJobFields struct {
		Entities struct {
			DesktopID string `json:"desktop_id"`
		} `json:"entities"`
		DesktopName string `json:"desktop_name"`
		MacAddress  string `json:"mac_address"`
	}
	check := func(h *harness, when string) {
		t.Helper()
		var show struct {
			SubJobs []subJobFields `json:"sub_jobs"`
		}
		var list struct {
			Jobs []subJobFields `json:"jobs"`
		}
		h.do("GET", "~/workspace-jobs/"+jobID, nil).decode(t, &show)
		h.do("GET", "~/workspace-sub-jobs?job_id="+jobID, nil).decode(t, &list)
		if len(show.SubJobs) != 3 || len(list.Jobs) != 3 {
			t.Fatalf("%s: %d and %d sub-jobs, want 3", when, len(show.SubJobs), len(list.Jobs))
		}
		for _, sj := range append(show.SubJobs, list.Jobs...) {
			id := sj.Entities.DesktopID
			if got := [2]string{sj.DesktopName, sj.MacAddress}; got != want[id] {
				t.Errorf("%s: desktop %s sub-job has desktop_name, mac_address %v, want %v", when, id, got, want[id])
			}
		}
	}
	check(h, "before reload")
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "fa:16:3e") || strings.Contains(string(data), "mac") || strings.Contains(string(data), `"index"`) {
		t.Error("the state file stores the derived MAC or index")
	}
	check(newHarness(t, cfg), "after reload")
}
