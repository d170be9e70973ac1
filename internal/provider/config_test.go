package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

func nullModel() providerModel {
	return providerModel{
		Region: types.StringNull(), ProjectID: types.StringNull(), AccessKey: types.StringNull(),
		SecretKey: types.StringNull(), SecurityToken: types.StringNull(), AuthToken: types.StringNull(),
		Endpoint: types.StringNull(), IAMEndpoint: types.StringNull(), Insecure: types.BoolNull(),
		MaxRetries: types.Int64Null(),
	}
}

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestResolveSettings_attributeBeatsEnvironment(t *testing.T) {
	parallelUnlessReal(t)
	m := nullModel()
	m.Region = types.StringValue("cn-east-3")
	m.AccessKey = types.StringValue("AK-ATTR")
	r, diags := resolveSettings(m, envOf(map[string]string{
		"HW_REGION_NAME": "cn-north-4", "HW_ACCESS_KEY": "AK-ENV", "HW_SECRET_KEY": "SK-ENV", "HW_MAX_RETRIES": "2",
	}))
	if diags.HasError() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	if r.cfg.Region != "cn-east-3" || r.cfg.AccessKey != "AK-ATTR" || r.cfg.SecretKey != "SK-ENV" || r.cfg.MaxRetries != 2 {
		t.Fatalf("wrong precedence: %+v", r.cfg)
	}
	if want := "the access key from the access_key attribute and the secret key from the HW_SECRET_KEY environment variable"; r.credentialSource != want {
		t.Fatalf("credential source = %q, want %q", r.credentialSource, want)
	}
}

func TestResolveSettings_errorsNameAttributeAndVariable(t *testing.T) {
	parallelUnlessReal(t)
	cases := map[string]struct {
		env  map[string]string
		want string
	}{
		"no region":       {map[string]string{"HW_ACCESS_KEY": "a", "HW_SECRET_KEY": "b"}, "HW_REGION_NAME"},
		"ak without sk":   {map[string]string{"HW_REGION_NAME": "r", "HW_ACCESS_KEY": "a"}, `"secret_key" (or HW_SECRET_KEY)`},
		"sk without ak":   {map[string]string{"HW_REGION_NAME": "r", "HW_SECRET_KEY": "b"}, `"access_key" (or HW_ACCESS_KEY)`},
		"token and ak/sk": {map[string]string{"HW_REGION_NAME": "r", "HW_ACCESS_KEY": "a", "HW_SECRET_KEY": "b", "HW_AUTH_TOKEN": "t"}, "HW_AUTH_TOKEN"},
		"no credentials":  {map[string]string{"HW_REGION_NAME": "r"}, "HW_ACCESS_KEY and HW_SECRET_KEY"},
		"bad retries":     {map[string]string{"HW_REGION_NAME": "r", "HW_AUTH_TOKEN": "t", "HW_MAX_RETRIES": "many"}, `HW_MAX_RETRIES must be a whole number`},
		"bad endpoint":    {map[string]string{"HW_REGION_NAME": "r", "HW_AUTH_TOKEN": "t", "HW_WORKSPACE_ENDPOINT": "workspace.example"}, `"endpoint" (or HW_WORKSPACE_ENDPOINT) must be an absolute http(s) URL`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, diags := resolveSettings(nullModel(), envOf(c.env))
			if !diags.HasError() {
				t.Fatal("want an error")
			}
			var text strings.Builder
			for _, d := range diags.Errors() {
				text.WriteString(d.Summary() + ": " + d.Detail() + "\n")
			}
			if !strings.Contains(text.String(), c.want) {
				t.Fatalf("error %q does not mention %q", text.String(), c.want)
			}
		})
	}
}

func TestResolveSettings_explicitZeroRetriesMeansNone(t *testing.T) {
	parallelUnlessReal(t)
	m := nullModel()
	m.MaxRetries = types.Int64Value(0)
	r, diags := resolveSettings(m, envOf(map[string]string{"HW_REGION_NAME": "r", "HW_AUTH_TOKEN": "t"}))
	if diags.HasError() || r.cfg.MaxRetries != -1 {
		t.Fatalf("max_retries = 0 must disable retries (client -1), got %d (%v)", r.cfg.MaxRetries, diags)
	}
}

func TestAccProvider_conflictingSettings(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	env.SkipIfReal(t, "provider blocks are written for the emulator")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "workspace" {
  region     = "cn-north-4"
  access_key = "AK"
  secret_key = "SK"
  auth_token = "token"
  endpoint   = "` + env.Emulator.URL() + `"
}
resource "workspace_desktop_snapshot_batch" "test" { desktop_ids = ["` + env.DesktopIDs[0] + `"] }
`,
			ExpectError: regexp.MustCompile(spacesMayWrap(regexp.QuoteMeta(`auth_token (from the auth_token attribute) cannot be combined with access_key/secret_key`))),
		}},
	})
}

func TestAccProvider_wrongSecretKeyNamesItsSource(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	env.SkipIfReal(t, "counts 401 answers")
	t.Setenv("HW_SECRET_KEY", "not-the-secret")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "workspace" {
  region       = "` + emulator.DefaultRegion + `"
  access_key   = "` + emulator.DefaultAccessKey + `"
  endpoint     = "` + env.Emulator.URL() + `"
  iam_endpoint = "` + env.Emulator.URL() + `"
}
resource "workspace_desktop_snapshot_batch" "test" { desktop_ids = ["` + env.DesktopIDs[0] + `"] }
`,
			ExpectError: regexp.MustCompile(spacesMayWrap(`(?s)HTTP 401.*APIGW.0301.*the secret key from the HW_SECRET_KEY environment variable`)),
		}},
	})
	// Exactly one request was refused, and nothing else was asked after it.
	st := env.Emulator.Stats()
	if n, all := st.RequestsByStatus["401"], total(st.RequestsByOperation); n != 1 || all != 1 {
		t.Fatalf("a rejected credential must not be retried: %d of %d requests were answered 401, want 1 of 1 (%v)", n, all, st.RequestsByOperation)
	}
}

// A credential IAM refuses during the project lookup is reported as IAM's
// answer, under a summary that says the lookup failed; with project_id set,
// the same credential is refused by Workspace, and the words say that.
func TestAccProvider_refusedCredentialNamesTheServiceThatAnswered(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	env.SkipIfReal(t, "needs a credential the service refuses")
	config := func(projectID string) string {
		return fmt.Sprintf(`
provider "workspace" {
  region       = %q
  project_id   = %q
  access_key   = %q
  secret_key   = "not-the-secret"
  endpoint     = %q
  iam_endpoint = %q
}
data "workspace_desktops" "all" {}
`, emulator.DefaultRegion, projectID, emulator.DefaultAccessKey, env.Emulator.URL(), env.Emulator.URL())
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: strings.Replace(config(""), `project_id   = ""`, "", 1),
			ExpectError: regexp.MustCompile(spacesMayWrap(`(?s)Error: Unable to list desktops: the project lookup through IAM failed.*` +
				`IAM answered HTTP 401 to KeystoneListProjects, looking up the project of region ` + emulator.DefaultRegion + ` \(set project_id to skip this\)\..*` +
				`IAM rejected the access key from the access_key attribute and the secret key from the secret_key attribute\. ` +
				`Check that they are valid, not expired, and allowed to call IAM\.`)),
		}, {
			Config: config(env.Emulator.ProjectID()),
			ExpectError: regexp.MustCompile(spacesMayWrap(`(?s)Error: Unable to list desktops\s+.*` +
				`The Workspace API answered HTTP 401 to ListDesktops\..*` +
				`Workspace rejected the access key from the access_key attribute`)),
		}},
	})
	if calls := env.Emulator.Stats().RequestsByOperation; calls["KeystoneListProjects"] != 1 || calls["ListDesktops"] != 1 {
		t.Errorf("want one refused IAM lookup, then (with project_id) one refused Workspace call; calls %v", calls)
	}
}

// Provider settings that come from another resource are unknown at plan
// time: planning must still work, and apply configures the client then.
func TestAccProvider_settingsUnknownAtPlanTime(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.SkipIfReal(t, "provider blocks are written for the emulator")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, env.DesktopIDs),
		Steps: []resource.TestStep{{
			Config: `
resource "terraform_data" "endpoint" {
  input = "` + env.Emulator.URL() + `"
}
provider "workspace" {
  region       = "` + emulator.DefaultRegion + `"
  access_key   = "` + emulator.DefaultAccessKey + `"
  secret_key   = "` + emulator.DefaultSecretKey + `"
  endpoint     = terraform_data.endpoint.output
  iam_endpoint = terraform_data.endpoint.output
}
resource "workspace_desktop_snapshot_batch" "test" {
  desktop_ids = ["` + env.DesktopIDs[0] + `"]
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
			},
		}},
	})
}

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// An IAM token the service refuses fails with the API's answer and says the
// token came from the auth_token attribute; it is asked once.
func TestAccProvider_refusedTokenNamesItsSource(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1, AuthToken: "the-good-token"})
	env.SkipIfReal(t, "counts 401 answers")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "workspace" {
  region       = "` + emulator.DefaultRegion + `"
  project_id   = "` + env.Emulator.ProjectID() + `"
  auth_token   = "an-expired-token"
  endpoint     = "` + env.Emulator.URL() + `"
  iam_endpoint = "` + env.Emulator.URL() + `"
}
resource "workspace_desktop_snapshot_batch" "test" { desktop_ids = ["` + env.DesktopIDs[0] + `"] }
`,
			ExpectError: regexp.MustCompile(spacesMayWrap(`(?s)HTTP 401.*APIGW.0301.*X-Auth-Token is invalid.*the auth token from the auth_token attribute`)),
		}},
	})
	st := env.Emulator.Stats()
	if n, all := st.RequestsByStatus["401"], total(st.RequestsByOperation); n != 1 || all != 1 {
		t.Fatalf("a refused token must not be retried: %d of %d requests were answered 401, want 1 of 1 (%v)", n, all, st.RequestsByOperation)
	}
}

// A region IAM has no project for fails the first call with what to set,
// and makes no Workspace call.
func TestAccProvider_projectLookupFindsNoProject(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	env.SkipIfReal(t, "needs a region the emulator's IAM does not know")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "workspace" {
  region       = "cn-south-1"
  access_key   = %q
  secret_key   = %q
  endpoint     = %q
  iam_endpoint = %q
}
resource "workspace_desktop_snapshot_batch" "test" { desktop_ids = [%q] }
`, emulator.DefaultAccessKey, emulator.DefaultSecretKey, env.Emulator.URL(), env.Emulator.URL(), env.DesktopIDs[0]),
			ExpectError: regexp.MustCompile(spacesMayWrap(`looking up the project of region cn-south-1: IAM returned 0 projects named "cn-south-1", need exactly one; set project_id`)),
		}},
	})
	if calls := env.Emulator.Stats().RequestsByOperation; calls["BatchCreateDesktopSnapshot"] != 0 || calls["KeystoneListProjects"] == 0 {
		t.Errorf("want the IAM lookup and no batch-create; calls %v", calls)
	}
}
