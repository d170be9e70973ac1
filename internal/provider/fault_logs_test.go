package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// Distinctive credentials, so a leak cannot hide behind a common string.
const (
	logTestSecurityToken = "sts-tok-FAULTLOGS-3e9b1c7a5d2f4e8096a1b2c3d4e5f607"
	logTestAuthToken     = "iam-tok-FAULTLOGS-8d7c6b5a49384756a1b2c3d4e5f60718"
)

// TestAccFault_traceLogsHoldNoSecrets applies and destroys a small batch
// with every log at TRACE and captured to files, once signing with AK/SK
// and a security token and once with an auth token, and then scans every
// log file: it must hold the client's request lines (so the scan is not
// vacuous) and none of the secret values.
//
// How the logs are captured (terraform-plugin-testing v1.16,
// terraform-plugin-log v0.11): TF_LOG_PATH_MASK (one file per test, %s the
// test name with "/" as "__") takes precedence over TF_ACC_LOG_PATH and
// TF_LOG_PATH for all three writers: the terraform CLI's own log
// (plugintest sets TF_LOG_PATH for terraform-exec; its level comes from
// TF_ACC_LOG, TRACE by default once a path is set), the tfsdklog sink that
// receives the in-process provider's tflog output (newTestSink; level from
// TF_LOG) and the Go standard library log (helper/logging.LogOutput).
func TestAccFault_traceLogsHoldNoSecrets(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{
		Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 11,
		SecurityToken: logTestSecurityToken, AuthToken: logTestAuthToken,
		// Retried 5xx answers add the client's retry and error lines to the log.
		Faults: emulator.Faults{Fault5xxRate: 0.3},
	})
	env.SkipIfReal(t, "needs the emulator's tokens")
	secrets := map[string]string{
		"secret_key":     emulator.DefaultSecretKey,
		"security_token": logTestSecurityToken,
		"auth_token":     logTestAuthToken,
	}
	url := env.Emulator.URL()
	// Each case captures the logs one of the two documented ways.
	cases := []struct{ name, logEnv, logFile, provider string }{
		{"secret_key_and_security_token", "TF_LOG_PATH_MASK", "%s.log", fmt.Sprintf(`
provider "workspace" {
  region         = %q
  access_key     = %q
  secret_key     = %q
  security_token = %q
  endpoint       = %q
  iam_endpoint   = %q
}
`, emulator.DefaultRegion, emulator.DefaultAccessKey, emulator.DefaultSecretKey, logTestSecurityToken, url, url)},
		{"auth_token", "TF_ACC_LOG_PATH", "acc.log", fmt.Sprintf(`
provider "workspace" {
  region       = %q
  auth_token   = %q
  endpoint     = %q
  iam_endpoint = %q
}
`, emulator.DefaultRegion, logTestAuthToken, url, url)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("TF_LOG", "TRACE")
			t.Setenv("TF_ACC_LOG", "TRACE")
			t.Setenv(c.logEnv, filepath.Join(dir, c.logFile))
			ids := env.DesktopIDs[i : i+1]
			cfgEnv := *env
			cfgEnv.ProviderConfig = c.provider
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             checkSnapshotsGone(t, env, ids),
				Steps: []resource.TestStep{{
					Config: batchConfig(&cfgEnv, ids, ""),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					},
				}},
			})
			scanLogsForSecrets(t, dir, secrets)
		})
	}
}

// Lines the scan requires, in hclog's text format. The in-process
// provider's root logger is named after the provider ("workspace"), so the
// client's subsystem appears as "workspace.workspace".
var (
	clientResponseLine = regexp.MustCompile(`\[DEBUG\] [\w-]+\.workspace: Workspace API response: .*operation=BatchCreateDesktopSnapshot`)
	clientRetryLine    = regexp.MustCompile(`\[DEBUG\] [\w-]+\.workspace: retrying Workspace API request: `)
	clientBodyLine     = regexp.MustCompile(`\[TRACE\] [\w-]+\.workspace: Workspace API request body: .*operation=BatchCreateDesktopSnapshot`)
	terraformCoreLine  = regexp.MustCompile(`\[INFO\]  (Terraform|OpenTofu) version: `) // the CLI's own first line
	logEntryStart      = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)
)

// harnessConfigEcho starts the one log entry that is allowed to hold the
// secrets: terraform-plugin-testing writes each test step's configuration
// (the HCL the test itself passed in, provider block included) to the log
// at TRACE (internal/plugintest/working_dir.go, WorkingDir.SetConfig,
// field test_terraform_configuration). It is the test harness echoing its
// input and does not exist outside acceptance tests.
const harnessConfigEcho = "sdk.helper_resource: Setting Terraform configuration:"

// scanLogsForSecrets reads every file under dir and fails the test if a
// secret value (or a request signature) appears in any log entry other
// than the harness's echo of the test configuration, naming the file, the
// line number and the line (the secret itself replaced). It also requires
// the logs to contain the client's request lines and Terraform core's, so
// a capture that silently failed cannot pass.
func scanLogsForSecrets(t *testing.T, dir string, secrets map[string]string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no log file was written to %s", dir)
	}
	forbidden := map[string]string{"request signature": "Signature="}
	for what, v := range secrets {
		forbidden[what] = v
	}
	var total, echoes, hits int
	var sawResponse, sawBody, sawRetry, sawCore bool
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		total += len(data)
		text := string(data)
		sawResponse = sawResponse || clientResponseLine.MatchString(text)
		sawBody = sawBody || clientBodyLine.MatchString(text)
		sawRetry = sawRetry || clientRetryLine.MatchString(text)
		sawCore = sawCore || terraformCoreLine.MatchString(text)
		inEcho := false
		for n, line := range strings.Split(text, "\n") {
			if logEntryStart.MatchString(line) {
				inEcho = strings.Contains(line, harnessConfigEcho)
				if inEcho {
					echoes++
				}
			}
			if inEcho {
				continue
			}
			for what, v := range forbidden {
				if strings.Contains(line, v) {
					if hits++; hits > 20 {
						continue
					}
					t.Errorf("%s: line %d holds the %s: %s", filepath.Base(f), n+1, what, redactLine(line, forbidden))
				}
			}
		}
	}
	if hits > 20 {
		t.Errorf("… and %d more such lines", hits-20)
	}
	if total == 0 {
		t.Fatalf("the log files in %s are empty", dir)
	}
	if !sawResponse || !sawBody || !sawRetry {
		t.Errorf("the logs lack the client's lines (DEBUG response summary of a batch-create: %v, TRACE request body: %v, DEBUG retry of an injected 5xx: %v)",
			sawResponse, sawBody, sawRetry)
	}
	if !sawCore {
		t.Errorf("the logs lack Terraform core's own lines")
	}
	t.Logf("scanned %d log file(s), %d bytes; skipped %d harness echoes of the test configuration", len(files), total, echoes)
}

// redactLine shortens a log line for a failure message, replacing every
// forbidden value.
func redactLine(line string, forbidden map[string]string) string {
	for what, v := range forbidden {
		line = strings.ReplaceAll(line, v, "<"+what+">")
	}
	if len(line) > 400 {
		line = line[:400] + "…"
	}
	return line
}
