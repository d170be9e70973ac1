package provider

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"workspace": providerserver.NewProtocol6WithError(New("test")()),
}

// testAccEnv is where an acceptance test runs: a fresh in-process emulator,
// or the real cloud when WORKSPACE_ACC_REAL=1.
type testAccEnv struct {
	Emulator       *emulator.Server // nil against the real cloud
	ProviderConfig string
	DesktopIDs     []string
	Client         *workspace.Client // for out-of-band checks through the API
	Real           bool
}

func newTestAccEnv(t testing.TB, cfg emulator.Config) *testAccEnv {
	t.Helper()
	if os.Getenv("WORKSPACE_ACC_REAL") == "1" {
		return newRealTestAccEnv(t)
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client, err := workspace.NewClient(workspace.Config{
		Region: emulator.DefaultRegion, ProjectID: srv.ProjectID(),
		AccessKey: emulator.DefaultAccessKey, SecretKey: emulator.DefaultSecretKey,
		Endpoint: srv.URL(), IAMEndpoint: srv.URL(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testAccEnv{
		Emulator:       srv,
		ProviderConfig: emulatorProviderConfig(srv.URL(), ""),
		DesktopIDs:     srv.DesktopIDs(),
		Client:         client,
	}
}

// emulatorProviderConfig is a provider block with the emulator's default
// credentials and endpoint (the emulator's URL, or a proxy's in front of
// it), plus any extra settings.
func emulatorProviderConfig(endpoint, extra string) string {
	return fmt.Sprintf(`
provider "workspace" {
  region       = %q
  access_key   = %q
  secret_key   = %q
  endpoint     = %q
  iam_endpoint = %q
%s}
`, emulator.DefaultRegion, emulator.DefaultAccessKey, emulator.DefaultSecretKey, endpoint, endpoint, extra)
}

func newRealTestAccEnv(t testing.TB) *testAccEnv {
	t.Helper()
	for _, v := range []string{"HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_REGION_NAME", "HW_WORKSPACE_DESKTOP_IDS"} {
		if os.Getenv(v) == "" {
			t.Fatalf("WORKSPACE_ACC_REAL=1 needs %s (see README: acceptance tests against the real cloud)", v)
		}
	}
	client, err := workspace.NewClient(workspace.Config{
		Region: os.Getenv("HW_REGION_NAME"), ProjectID: os.Getenv("HW_PROJECT_ID"),
		AccessKey: os.Getenv("HW_ACCESS_KEY"), SecretKey: os.Getenv("HW_SECRET_KEY"),
		SecurityToken: os.Getenv("HW_SECURITY_TOKEN"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testAccEnv{
		ProviderConfig: `provider "workspace" {}`,
		DesktopIDs:     strings.Split(os.Getenv("HW_WORKSPACE_DESKTOP_IDS"), ","),
		Client:         client,
		Real:           true,
	}
}

// SkipIfReal skips emulator-only checks (call counts, fault injection).
func (e *testAccEnv) SkipIfReal(t testing.TB, why string) {
	t.Helper()
	if e.Real {
		t.Skipf("emulator only: %s", why)
	}
}

// hclStrings renders IDs as an HCL list.
func hclStrings(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// spacesMayWrap lets an expected-error pattern match across the line breaks
// Terraform inserts into long diagnostics.
func spacesMayWrap(pattern string) string { return strings.ReplaceAll(pattern, " ", `\s+`) }
