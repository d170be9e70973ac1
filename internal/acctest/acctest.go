// Package acctest holds what tests of the provider's packages share to
// reach the emulator through the API client. It is imported by tests only.
package acctest

import (
	"testing"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// EmulatorClient is a client of srv's project with the emulator's default
// credentials, sending to endpoint: srv's URL, or a proxy's in front of it.
func EmulatorClient(t testing.TB, srv *emulator.Server, endpoint string) *workspace.Client {
	t.Helper()
	client, err := workspace.NewClient(workspace.Config{
		Region: emulator.DefaultRegion, ProjectID: srv.ProjectID(),
		AccessKey: emulator.DefaultAccessKey, SecretKey: emulator.DefaultSecretKey,
		Endpoint: endpoint, IAMEndpoint: endpoint,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}
