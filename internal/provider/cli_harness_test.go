package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// cliHarness runs a Terraform CLI of its own against the provider, served
// in-process and reached through TF_REATTACH_PROVIDERS as plugin-testing
// does, for what plugin-testing's steps cannot do: its Query steps take no
// -generate-config-out, and the configuration that writes must then be
// planned and applied as a user would.
type cliHarness struct {
	t         *testing.T
	terraform string
	dir       string
	env       []string
}

// cliProviderAddress is the provider's source address in the harness's
// configurations.
const cliProviderAddress = "registry.terraform.io/cloud-desktop/workspace"

// newCLIHarness serves the provider and prepares an empty working
// directory; it skips the test without TF_ACC, like resource.Test, or when
// the CLI (TF_ACC_TERRAFORM_PATH, else terraform on PATH) is older than
// major.minor.
func newCLIHarness(t *testing.T, major, minor int) *cliHarness {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no terraform CLI: set TF_ACC_TERRAFORM_PATH")
		}
	}
	h := &cliHarness{t: t, terraform: bin, dir: t.TempDir()}
	cliConfig := filepath.Join(h.dir, ".terraformrc") // none of the user's settings, and no warning that it is missing
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h.env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_CLI_CONFIG_FILE="+cliConfig)
	if v := h.version(); v[0] < major || (v[0] == major && v[1] < minor) {
		t.Skipf("Terraform CLI %d.%d.%d is below %d.%d: skipping test", v[0], v[1], v[2], major, minor)
	}
	h.env = append(h.env, "TF_REATTACH_PROVIDERS="+h.serveProvider())
	return h
}

// version is the CLI's major, minor and patch version.
func (h *cliHarness) version() [3]int {
	h.t.Helper()
	var out struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(h.mustRun("version", "-json")), &out); err != nil {
		h.t.Fatalf("terraform version -json: %v", err)
	}
	var v [3]int
	for i, part := range strings.SplitN(strings.SplitN(out.Version, "-", 2)[0], ".", 3) {
		v[i], _ = strconv.Atoi(part)
	}
	return v
}

// serveProvider serves the provider for the test's lifetime and returns
// the TF_REATTACH_PROVIDERS value that points Terraform at it.
func (h *cliHarness) serveProvider() string {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- tf6server.Serve(cliProviderAddress, providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, reattach, closed), tf6server.WithoutLogStderrOverride(),
			// Logs as in plugin-testing: only where TF_ACC_LOG_PATH or TF_LOG asks.
			tf6server.WithLoggingSink(h.t), tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
	}()
	h.t.Cleanup(func() {
		cancel()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			h.t.Error("the provider server did not stop")
		}
	})
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattach:
	case err := <-served:
		h.t.Fatalf("serving the provider: %v", err)
	case <-time.After(30 * time.Second):
		h.t.Fatal("the provider server did not start")
	}
	type addr struct{ Network, String string }
	value, err := json.Marshal(map[string]any{cliProviderAddress: map[string]any{
		"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": rc.Test,
		"Addr": addr{rc.Addr.Network(), rc.Addr.String()},
	}})
	if err != nil {
		h.t.Fatal(err)
	}
	return string(value)
}

// write puts a file in the working directory.
func (h *cliHarness) write(name, content string) {
	h.t.Helper()
	if err := os.WriteFile(filepath.Join(h.dir, name), []byte(content), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// read returns a file of the working directory.
func (h *cliHarness) read(name string) string {
	h.t.Helper()
	data, err := os.ReadFile(filepath.Join(h.dir, name))
	if err != nil {
		h.t.Fatal(err)
	}
	return string(data)
}

// run runs terraform with args in the working directory and returns its
// output (stdout, then stderr) and exit code.
func (h *cliHarness) run(args ...string) (string, int) {
	h.t.Helper()
	cmd := exec.Command(h.terraform, args...)
	cmd.Dir, cmd.Env = h.dir, h.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return stdout.String() + stderr.String(), exit.ExitCode()
	case err != nil:
		h.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String() + stderr.String(), 0
}

// mustRun is run that fails the test unless terraform exits 0.
func (h *cliHarness) mustRun(args ...string) string {
	h.t.Helper()
	out, code := h.run(args...)
	if code != 0 {
		h.t.Fatalf("terraform %s exited %d:\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// providerBlock is the harness configuration's terraform and provider
// blocks, for the provider source the harness serves.
func cliProviderBlock(env *testAccEnv) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    workspace = { source = %q }
  }
}
`, strings.TrimPrefix(cliProviderAddress, "registry.terraform.io/")) + env.ProviderConfig
}
