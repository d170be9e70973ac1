// Package emulatortest starts the Workspace API emulator for a test, the
// one way every package's tests do. It imports the emulator alone, so the
// client's own tests may use it too.
package emulatortest

import (
	"testing"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// Start runs an emulator with cfg on loopback until the test ends.
func Start(t testing.TB, cfg emulator.Config) *emulator.Server {
	t.Helper()
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("closing the emulator: %v", err)
		}
	})
	return srv
}
