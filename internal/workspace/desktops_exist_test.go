package workspace

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// UnknownDesktops names the IDs the service does not know, with one call per
// 100 IDs.
func TestUnknownDesktopsNamesTheOnesNotThere(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 250, Seed: 3})
	c := newTestClient(t, emulatorConfig(srv))
	missing := []string{"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"}
	ids := append(slices.Clone(srv.DesktopIDs()[:150]), missing[0])
	ids = append(ids, srv.DesktopIDs()[150:]...)
	ids = append(ids, missing[1])
	got, err := c.UnknownDesktops(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, missing) {
		t.Errorf("unknown %v, want %v", got, missing)
	}
	if n := srv.Stats().RequestsByOperation["ListDesktops"]; n != 3 {
		t.Errorf("%d ListDesktops calls for 252 IDs, want 3", n)
	}
}

// A service that ignores the desktop_id filter answers with desktops not
// asked for: that proves nothing about the ones missing, so none is called
// unknown.
func TestUnknownDesktopsTrustsOnlyAFilteredAnswer(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Desktops: 5, Seed: 3})
	// The service's whole list, as if desktop_id were not there.
	all, err := newTestClient(t, emulatorConfig(srv)).ListDesktops(context.Background(), ListDesktopsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer front.Close()
	cfg := emulatorConfig(srv)
	cfg.Endpoint = front.URL
	got, err := newTestClient(t, cfg).UnknownDesktops(context.Background(), []string{srv.DesktopIDs()[0], srv.DesktopIDs()[4], "00000000-0000-4000-8000-000000000001"})
	if err != nil || len(got) != 0 {
		t.Errorf("UnknownDesktops through a filter-ignoring service = %v, %v; want none", got, err)
	}
}
