package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// desktopIDsByComputerName maps the emulator's computer names to desktop
// IDs, read through the API rather than assumed.
func desktopIDsByComputerName(t *testing.T, env *testAccEnv) map[string]string {
	t.Helper()
	desktops, err := env.Client.ListAllDesktops(context.Background(), workspace.ListDesktopsRequest{})
	if err != nil {
		t.Fatalf("listing desktops: %v", err)
	}
	byName := make(map[string]string, len(desktops))
	for _, d := range desktops {
		byName[d.ComputerName] = d.DesktopId
	}
	return byName
}

func TestAccDesktopsDataSource_filters(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1100, Seed: 7})
	env.SkipIfReal(t, "counts and names of the seeded desktops")
	byName := desktopIDsByComputerName(t, env)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	config := env.ProviderConfig + `
data "workspace_desktops" "all" {}

data "workspace_desktops" "by_user" {
  user_name = "user0002"
}

data "workspace_desktops" "by_computer_and_ip" {
  computer_name = "WKSPC0003"
  desktop_ip    = "10.0.0.4"
}

data "workspace_desktops" "by_regex" {
  name_regex = "^WKSPC00(04|11)$"
}

data "workspace_desktops" "by_regex_ids_only" {
  name_regex = "^WKSPC00(04|11)$"
  ids_only   = true
}

data "workspace_desktops" "mismatch" {
  computer_name = "WKSPC0003"
  desktop_ip    = "10.0.0.9"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					// 1100 desktops take two pages of 1000.
					statecheck.ExpectKnownValue("data.workspace_desktops.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(1100)),
					statecheck.ExpectKnownValue("data.workspace_desktops.all", tfjsonpath.New("desktops").AtSliceIndex(0),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"desktop_id":    knownvalue.StringExact(byName["WKSPC0001"]),
							"computer_name": knownvalue.StringExact("WKSPC0001"),
							"created":       knownvalue.StringExact("2025-01-06T08:00:00Z"),
							"ip_address":    knownvalue.StringExact("10.0.0.2"),
							"user_name":     knownvalue.StringExact("user0001"),
							"user_group":    knownvalue.StringExact("users"),
							"sid":           knownvalue.StringExact("S-1-5-21-3623811015-3361044348-30300820-1001"),
							"ou_name":       knownvalue.StringExact("workspace.example.com"),
						})),
					statecheck.ExpectKnownValue("data.workspace_desktops.all", tfjsonpath.New("desktops").AtSliceIndex(1099).AtMapKey("computer_name"),
						knownvalue.StringExact("WKSPC1100")),
					statecheck.ExpectKnownValue("data.workspace_desktops.by_user", tfjsonpath.New("ids"), exactStrings(byName["WKSPC0002"])),
					statecheck.ExpectKnownValue("data.workspace_desktops.by_computer_and_ip", tfjsonpath.New("ids"), exactStrings(byName["WKSPC0003"])),
					statecheck.ExpectKnownValue("data.workspace_desktops.by_regex", tfjsonpath.New("ids"),
						exactStrings(byName["WKSPC0004"], byName["WKSPC0011"])),
					statecheck.ExpectKnownValue("data.workspace_desktops.by_regex", tfjsonpath.New("desktops").AtSliceIndex(1).AtMapKey("computer_name"),
						knownvalue.StringExact("WKSPC0011")),
					// ids_only: the same IDs in the same order, no desktops, the same query ID.
					statecheck.ExpectKnownValue("data.workspace_desktops.by_regex_ids_only", tfjsonpath.New("ids"),
						exactStrings(byName["WKSPC0004"], byName["WKSPC0011"])),
					statecheck.ExpectKnownValue("data.workspace_desktops.by_regex_ids_only", tfjsonpath.New("desktops"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.workspace_desktops.by_regex", tfjsonpath.New("ids_only"), knownvalue.Null()),
					statecheck.CompareValuePairs("data.workspace_desktops.by_regex", tfjsonpath.New("id"),
						"data.workspace_desktops.by_regex_ids_only", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.workspace_desktops.mismatch", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
					statecheck.CompareValuePairs("data.workspace_desktops.all", tfjsonpath.New("id"),
						"data.workspace_desktops.by_user", tfjsonpath.New("id"), compare.ValuesDiffer()),
					sameID.AddStateValue("data.workspace_desktops.by_regex", tfjsonpath.New("id")),
				},
			},
			{
				// The same filters give the same ID on a later run.
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue("data.workspace_desktops.by_regex", tfjsonpath.New("id"))},
			},
		},
	})
}

func TestAccDesktopsDataSource_invalidRegex(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 7})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig + `
data "workspace_desktops" "bad" {
  name_regex = "WKSPC(00"
}
`,
			ExpectError: regexp.MustCompile(spacesMayWrap(`Attribute name_regex must be a valid RE2 regular expression: missing closing \)`)),
		}},
	})
}

func TestFilterHash_distinguishesFilters(t *testing.T) {
	parallelUnlessReal(t)
	pairs := [][2]string{{"ab", ""}, {"a", "b"}}
	seen := map[string]string{}
	for _, p := range pairs {
		got := filterHash("desktops", types.StringValue(p[0]), types.StringValue(p[1]))
		key := fmt.Sprintf("%q", p)
		if other, dup := seen[got]; dup {
			t.Fatalf("filters %s and %s share the ID %s", key, other, got)
		}
		seen[got] = key
		if again := filterHash("desktops", types.StringValue(p[0]), types.StringValue(p[1])); again != got {
			t.Fatalf("filters %s hashed to %s then %s", key, got, again)
		}
	}
}
