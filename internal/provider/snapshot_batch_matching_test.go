package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// matchingConfig is a batch that selects every desktop but those in except;
// selection goes in desktops_matching, extra in the resource.
func matchingConfig(env *testAccEnv, except []string, selection string, extra ...string) string {
	return env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_batch" "test" {
  desktops_matching = {
    except_ids = %s
    %s
  }
  system_disk_snapshot = {
    name        = %q
    description = "acceptance test"
  }
  data_disk_snapshot = { name = %q }
  %s
}
`, hclStrings(except), selection, testAccName("acc"), testAccName("acc"), strings.Join(extra, "\n"))
}

// checkPacked checks a matching batch's state: desktop_ids and the maps
// null, the desktops and, per desktop, two snapshots in the JSON strings.
func checkPacked(desktops []string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[batchAddr].Primary.Attributes
		for _, name := range []string{"desktop_ids.#", "snapshot_desktop_ids.%", "system_disk_snapshot_ids.%"} {
			if v, ok := attrs[name]; ok {
				return fmt.Errorf("%s = %s in a matching batch's state, want null", name, v)
			}
		}
		var set map[string]bool
		if err := json.Unmarshal([]byte(attrs["desktops_matching.desktop_ids_json"]), &set); err != nil {
			return fmt.Errorf("desktops_matching.desktop_ids_json: %v", err)
		}
		members := slices.Sorted(maps.Keys(set))
		want := slices.Clone(desktops)
		sort.Strings(want)
		if !slices.Equal(members, want) {
			return fmt.Errorf("desktops_matching.desktop_ids_json = %v, want %v", members, want)
		}
		var desktopOf, system map[string]string
		if err := json.Unmarshal([]byte(attrs["desktops_matching.snapshot_desktop_ids_json"]), &desktopOf); err != nil {
			return fmt.Errorf("snapshot_desktop_ids_json: %v", err)
		}
		if err := json.Unmarshal([]byte(attrs["desktops_matching.system_disk_snapshot_ids_json"]), &system); err != nil {
			return fmt.Errorf("system_disk_snapshot_ids_json: %v", err)
		}
		perDesktop := map[string]int{}
		for _, d := range desktopOf {
			perDesktop[d]++
		}
		for _, d := range desktops {
			if perDesktop[d] != 2 || desktopOf[system[d]] != d {
				return fmt.Errorf("desktop %s: %d snapshots, system disk snapshot %q; want 2 and one of them", d, perDesktop[d], system[d])
			}
		}
		if len(desktopOf) != 2*len(desktops) {
			return fmt.Errorf("snapshot_desktop_ids_json holds %d snapshots, want %d", len(desktopOf), 2*len(desktops))
		}
		return nil
	}
}

// A batch that selects its desktops: desktops that start to match join in
// place, only they touched (the emulator's records and write calls say so);
// one that stops matching leaves with its snapshots kept (former), none
// deleted until the batch is destroyed; the same desktops plan no change
// (plugin-testing plans again after each step); a batch moves between
// desktops_matching and desktop_ids in place with no call, but not while it
// holds former members' snapshots that desktop_ids has no place for.
func TestAccSnapshotBatch_matchingJoinsAndLeavesInPlace(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 5, JobDuration: 300 * time.Millisecond, Seed: 31})
	env.SkipIfReal(t, "selects every desktop of the project and counts the emulator's write calls")
	d := env.DesktopIDs
	watch := &recordWatch{t: t, env: env, desktops: d}
	snapshotBefore := watch.snapshot
	expect := func(creates, deletes int, snapshotted, deleted []string) resource.TestCheckFunc {
		return func(*terraform.State) error { return watch.expect(creates, deletes, snapshotted, deleted) }
	}
	inPlace := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate)}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, d),
		Steps: []resource.TestStep{
			{
				Config: matchingConfig(env, d[3:], ""),
				Check: resource.ComposeAggregateTestCheckFunc(checkPacked(d[:3]), checkFormer(nil),
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS")),
			},
			{ // the same desktops, listed: no call, the maps back
				PreConfig:        snapshotBefore,
				Config:           batchConfig(env, []string{d[2], d[0], d[1]}, `disk_type = "ALL"`),
				ConfigPlanChecks: inPlace,
				Check: resource.ComposeAggregateTestCheckFunc(expect(0, 0, nil, nil),
					resource.TestCheckResourceAttr(batchAddr, "snapshot_desktop_ids.%", "6"),
					resource.TestCheckNoResourceAttr(batchAddr, "desktops_matching.snapshot_desktop_ids_json")),
			},
			{ // and selected again: no call
				PreConfig:        snapshotBefore,
				Config:           matchingConfig(env, d[3:], ""),
				ConfigPlanChecks: inPlace,
				Check:            resource.ComposeAggregateTestCheckFunc(expect(0, 0, nil, nil), checkPacked(d[:3])),
			},
			{ // d[3] starts to match: it alone is snapshotted
				PreConfig:        snapshotBefore,
				Config:           matchingConfig(env, d[4:], ""),
				ConfigPlanChecks: inPlace,
				Check: resource.ComposeAggregateTestCheckFunc(expect(1, 0, d[3:4], nil), checkPacked(d[:4]),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "2")),
			},
			{ // d[1] stops matching: it leaves, and its snapshots stay with the batch; the plan knows every value
				PreConfig: snapshotBefore,
				Config:    matchingConfig(env, []string{d[1], d[4]}, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(batchAddr, tfjsonpath.New("desktops_matching").AtMapKey("snapshot_desktop_ids_json"), knownvalue.NotNull()),
					plancheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(expect(0, 0, nil, nil), checkPacked([]string{d[0], d[2], d[3]}),
					checkFormer(d[1:2])),
			},
			{ // the former members' snapshots have no place in desktop_ids: refused at plan time
				Config:      batchConfig(env, []string{d[0], d[2], d[3]}, `disk_type = "ALL"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Unable to list the batch's desktops in desktop_ids.*2 snapshots`),
			},
			{ // one starts to match as another stops, in one apply: one create, no delete
				PreConfig:        snapshotBefore,
				Config:           matchingConfig(env, []string{d[1], d[3]}, ""),
				ConfigPlanChecks: inPlace,
				Check: resource.ComposeAggregateTestCheckFunc(expect(1, 0, d[4:5], nil), checkPacked([]string{d[0], d[2], d[4]}),
					checkFormer([]string{d[1], d[3]}), resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "3")),
			},
			{ // another in-place change: every value stays known in the plan; no call
				PreConfig: snapshotBefore,
				Config:    matchingConfig(env, []string{d[1], d[3]}, "", `timeouts = { update = "20m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(batchAddr, tfjsonpath.New("desktops_matching").AtMapKey("snapshot_desktop_ids_json"), knownvalue.NotNull()),
					plancheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(3)),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(expect(0, 0, nil, nil), checkPacked([]string{d[0], d[2], d[4]})),
			},
			{ // a selection of no desktop fails the plan; nothing is deleted
				Config:      matchingConfig(env, nil, `name_regex = "^no-such-desktop$"`),
				ExpectError: regexp.MustCompile(`(?s)No desktop matches.*desktops_matching selects no desktop`),
			},
		},
	})
}

// checkFormer checks that a matching batch holds, as former members'
// snapshots, exactly the two snapshots of each of desktops.
func checkFormer(desktops []string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		raw, ok := s.RootModule().Resources[batchAddr].Primary.Attributes["desktops_matching.former_snapshot_desktop_ids_json"]
		former := map[string]string{}
		if ok && raw != "" {
			if err := json.Unmarshal([]byte(raw), &former); err != nil {
				return fmt.Errorf("former_snapshot_desktop_ids_json: %v", err)
			}
		}
		perDesktop := map[string]int{}
		for _, d := range former {
			perDesktop[d]++
		}
		for _, d := range desktops {
			if perDesktop[d] != 2 {
				return fmt.Errorf("former_snapshot_desktop_ids_json holds %d snapshots of %s, want 2", perDesktop[d], d)
			}
		}
		if len(former) != 2*len(desktops) {
			return fmt.Errorf("former_snapshot_desktop_ids_json holds %d snapshots, want %d (of %v)", len(former), 2*len(desktops), desktops)
		}
		return nil
	}
}

// Exactly one of desktop_ids and desktops_matching, at plan time.
func TestAccSnapshotBatch_matchingOrListed(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, Seed: 32})
	both := strings.Replace(matchingConfig(env, nil, ""), "desktops_matching", fmt.Sprintf("desktop_ids = %s\n  desktops_matching", hclStrings(env.DesktopIDs[:1])), 1)
	neither := env.ProviderConfig + `
resource "workspace_desktop_snapshot_batch" "test" {
  disk_type = "SYSTEM_DISK"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: both, PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*desktop_ids.*desktops_matching`)},
			{Config: neither, PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*desktops_matching`)},
			{Config: matchingConfig(env, nil, `name_regex = "(["`), PlanOnly: true, ExpectError: regexp.MustCompile(`name_regex`)},
		},
	})
}

// A matching batch's membership update cut short loses no job either: the
// joiner and its job are in state (packed), PENDING; the refresh records
// what it made, and the next apply starts no job.
func TestAccSnapshotBatch_matchingInterruptedUpdateConverges(t *testing.T) {
	parallelUnlessReal(t)
	env, pe, proxy := newHostileEnv(t, 3)
	d := env.DesktopIDs
	running := proxy.rewriteJobStatus("running", "RUNNING")
	const timeout = `timeouts = { update = "3s" }`
	all := matchingConfig(pe, nil, "", timeout)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, d),
		Steps: []resource.TestStep{
			{Config: matchingConfig(pe, d[2:], "", timeout)},
			{
				PreConfig:   func() { proxy.set(nil, running) },
				Config:      all,
				ExpectError: regexp.MustCompile(spacesMayWrap(`The update timeout passed`)),
			},
			{
				PreConfig:    proxy.clear,
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(batchAddr, "status", "SUCCESS"),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "2"),
					checkPacked(d),
				),
			},
			{
				Config: all,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionNoop),
				}},
				Check: func(*terraform.State) error {
					if c, _, _ := writes(env); c != 2 {
						return fmt.Errorf("%d batch-create calls, want 2: the interrupted update's job was started again", c)
					}
					return nil
				},
			},
		},
	})
}
