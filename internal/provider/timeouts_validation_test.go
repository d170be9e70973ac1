package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// Each timeout must be a positive duration, and a wrong one is reported at
// the timeouts attribute with a text naming the nested one.
func TestTimeoutsAttribute_positiveDurationsAtTheTimeoutsAttribute(t *testing.T) {
	parallelUnlessReal(t)
	attr := timeoutsAttribute(context.Background(), batchTimeouts, "snapshotting the desktops")
	if len(attr.Attributes) != 3 {
		t.Fatalf("batch timeouts %v, want create, update and delete", attr.Attributes)
	}
	create, ok := attr.Attributes["create"].(schema.StringAttribute)
	if !ok {
		t.Fatalf("timeouts.create is %T", attr.Attributes["create"])
	}
	for _, want := range []string{"Defaults to `\"30m\"`", "snapshotting the desktops"} {
		if !strings.Contains(create.MarkdownDescription, want) {
			t.Errorf("timeouts.create description %q lacks %q", create.MarkdownDescription, want)
		}
	}
	if !strings.Contains(attr.MarkdownDescription, "`s`, `m` or `h`") {
		t.Errorf("timeouts description %q does not state the units", attr.MarkdownDescription)
	}
	cases := []struct {
		value string
		ok    bool
	}{
		{"90s", true}, {"45m", true}, {"1h30m", true},
		{"-1h", false}, {"0s", false}, {"0", false}, {"abc", false}, {"30", false}, {"", false},
	}
	for _, c := range cases {
		resp := &validator.StringResponse{}
		for _, v := range create.Validators {
			v.ValidateString(context.Background(), validator.StringRequest{
				Path: path.Root("timeouts").AtName("create"), ConfigValue: types.StringValue(c.value),
			}, resp)
		}
		if got := !resp.Diagnostics.HasError(); got != c.ok {
			t.Errorf("timeouts.create = %q: accepted %v, want %v (%v)", c.value, got, c.ok, resp.Diagnostics)
			continue
		}
		if c.ok {
			continue
		}
		d, ok := resp.Diagnostics[0].(interface{ Path() path.Path })
		if !ok || !d.Path().Equal(path.Root("timeouts")) {
			t.Errorf("timeouts.create = %q: error at %v, want at timeouts", c.value, d)
		}
		if want := fmt.Sprintf(`Attribute timeouts.create must be a positive duration such as "90s", "30m" or "1h30m", got %q.`, c.value); resp.Diagnostics[0].Detail() != want {
			t.Errorf("timeouts.create = %q: detail %q, want %q", c.value, resp.Diagnostics[0].Detail(), want)
		}
	}
}

// Through the CLI: a timeout that is not a positive duration fails the plan,
// with the timeouts attribute in the snippet Terraform shows, before any API
// call; a snapshot name too long shows the attribute that holds it rather
// than the resource's first line (Terraform 1.11 places no nested path).
func TestAccTimeouts_refusedAtPlanTime(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	env.SkipIfReal(t, "counts API calls")
	batch := func(body string) string {
		return env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_batch" "test" {
  desktop_ids = [%q]
%s
}
`, env.DesktopIDs[0], body)
	}
	restore := func(body string) string {
		return env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids = ["0a1b2c3d-0000-4000-8000-000000000001"]
%s
}
`, body)
	}
	// The snippet Terraform prints: the timeouts attribute's lines.
	shown := func(nested, value string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)Error: Invalid duration.*\d+:\s+timeouts = \{\s*\n\s*\d+:\s+` + nested + ` = "` + regexp.QuoteMeta(value) + `".*` +
			`Attribute timeouts\.` + nested + `\s+must\s+be\s+a\s+positive\s+duration`)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: batch("  timeouts = {\n    create = \"-1h\"\n  }"), ExpectError: shown("create", "-1h")},
			{Config: batch("  timeouts = {\n    delete = \"0s\"\n  }"), ExpectError: shown("delete", "0s")},
			{Config: batch("  timeouts = {\n    create = \"30\"\n  }"), ExpectError: shown("create", "30")},
			{Config: restore("  timeouts = {\n    create = \"-5m\"\n  }"), ExpectError: shown("create", "-5m")},
			{
				Config: batch("  system_disk_snapshot = {\n    name = \"" + strings.Repeat("n", 65) + "\"\n  }"),
				ExpectError: regexp.MustCompile(`(?s)Error: Value too long.*\d+:\s+system_disk_snapshot = \{\s*\n\s*\d+:\s+name = "n{65}".*` +
					`Attribute system_disk_snapshot\.name\s+must\s+be\s+at\s+most\s+64\s+characters,\s+got\s+65`),
			},
		},
	})
	if calls := env.Emulator.Stats().RequestsByOperation; len(calls) != 0 {
		t.Errorf("a configuration refused at plan time made API calls: %v", calls)
	}
}
