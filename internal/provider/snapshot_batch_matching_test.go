package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
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
		desktopOf, err := mergedRuns(attrs, "snapshot_desktop_ids_json")
		if err != nil {
			return err
		}
		system, err := mergedRuns(attrs, "system_disk_snapshot_ids_json")
		if err != nil {
			return err
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

// mergedRuns is one of a matching batch's maps of runs, from flatmap state
// attributes, merged into one map; an error when a run is not a JSON object
// of strings or the two maps' runs differ.
func mergedRuns(attrs map[string]string, name string) (map[string]string, error) {
	prefix := "desktops_matching." + name + "."
	out := map[string]string{}
	runs := 0
	for k, v := range attrs {
		if !strings.HasPrefix(k, prefix) || k == prefix+"%" {
			continue
		}
		runs++
		var run map[string]string
		if err := json.Unmarshal([]byte(v), &run); err != nil {
			return nil, fmt.Errorf("%s%s: %v", prefix, strings.TrimPrefix(k, prefix), err)
		}
		maps.Copy(out, run)
	}
	if n := attrs[prefix+"%"]; n != strconv.Itoa(runs) {
		return nil, fmt.Errorf("%s%% = %q, but %d runs", prefix, n, runs)
	}
	return out, nil
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
	// A join adds a run to the snapshot maps and leaves the first as it was,
	// so its plan shows one value known after apply, not every snapshot.
	run := func(name, key string) tfjsonpath.Path {
		return tfjsonpath.New("desktops_matching").AtMapKey(name).AtMapKey(key)
	}
	firstRun := statecheck.CompareValue(compare.ValuesSame())
	firstRunSystem := statecheck.CompareValue(compare.ValuesSame())
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
				ConfigStateChecks: []statecheck.StateCheck{
					firstRun.AddStateValue(batchAddr, run("snapshot_desktop_ids_json", "1")),
					firstRunSystem.AddStateValue(batchAddr, run("system_disk_snapshot_ids_json", "1")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(expect(0, 0, nil, nil), checkPacked(d[:3])),
			},
			{ // d[3] starts to match: it alone is snapshotted, in a run of its own
				PreConfig: snapshotBefore,
				Config:    matchingConfig(env, d[4:], ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(batchAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(batchAddr, run("snapshot_desktop_ids_json", "1"), knownvalue.NotNull()),
					plancheck.ExpectKnownValue(batchAddr, run("system_disk_snapshot_ids_json", "1"), knownvalue.NotNull()),
					plancheck.ExpectUnknownValue(batchAddr, run("snapshot_desktop_ids_json", "2")),
					plancheck.ExpectUnknownValue(batchAddr, run("system_disk_snapshot_ids_json", "2")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					firstRun.AddStateValue(batchAddr, run("snapshot_desktop_ids_json", "1")),
					firstRunSystem.AddStateValue(batchAddr, run("system_disk_snapshot_ids_json", "1")),
					statecheck.ExpectKnownValue(batchAddr, run("system_disk_snapshot_ids_json", "2"),
						knownvalue.StringRegexp(regexp.MustCompile(`^\{"`+regexp.QuoteMeta(d[3])+`":"[^"]+"\}$`))),
				},
				Check: resource.ComposeAggregateTestCheckFunc(expect(1, 0, d[3:4], nil), checkPacked(d[:4]),
					resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "2"),
					resource.TestCheckResourceAttr(batchAddr, "desktops_matching.snapshot_desktop_ids_json.%", "2")),
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
					checkFormer([]string{d[1], d[3]}), resource.TestCheckResourceAttr(batchAddr, "job_ids.#", "3"),
					// d[3]'s run is empty now and goes; d[4]'s is the third
					resource.TestCheckNoResourceAttr(batchAddr, "desktops_matching.snapshot_desktop_ids_json.2"),
					resource.TestCheckResourceAttrSet(batchAddr, "desktops_matching.snapshot_desktop_ids_json.3")),
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

// Snapshots stay in the run they were made in; new ones go to one new run;
// a run left empty goes; an apply whose plan showed a new run writes it even
// when it made nothing; unpacking gives back the maps and the places.
func TestSnapshotRunsPack(t *testing.T) {
	runs := snapshotRuns{of: map[string]string{"s1": "1", "s2": "1", "s3": "2", "s4": "2"}, next: "3"}
	system := map[string]string{"d1": "s1", "d2": "s3", "d5": "s5"}
	desktopOf := map[string]string{"s1": "d1", "s2": "d1", "s3": "d2", "s5": "d5", "s6": "d5"} // s4 gone
	sys, dof := runs.pack(system, desktopOf)
	want := map[string]string{"1": `{"s1":"d1","s2":"d1"}`, "2": `{"s3":"d2"}`, "3": `{"s5":"d5","s6":"d5"}`}
	if got := plainMap(dof); !maps.Equal(got, want) {
		t.Errorf("snapshot runs = %v, want %v", got, want)
	}
	wantSys := map[string]string{"1": `{"d1":"s1"}`, "2": `{"d2":"s3"}`, "3": `{"d5":"s5"}`}
	if got := plainMap(sys); !maps.Equal(got, wantSys) {
		t.Errorf("system disk runs = %v, want %v", got, wantSys)
	}

	// d2 leaves: run 2 goes; nothing new, so no run 3.
	delete(system, "d2")
	delete(desktopOf, "s3")
	delete(desktopOf, "s5")
	delete(desktopOf, "s6")
	delete(system, "d5")
	_, dof = runs.pack(system, desktopOf)
	if got := plainMap(dof); !maps.Equal(got, map[string]string{"1": `{"s1":"d1","s2":"d1"}`}) {
		t.Errorf("after the leave: %v", got)
	}
	runs.open = true
	sys, dof = runs.pack(system, desktopOf)
	if got := plainMap(dof); got["3"] != `{}` || plainMap(sys)["3"] != `{}` || len(got) != 2 {
		t.Errorf("an open run that made nothing: %v / %v, want run 3 empty in both", got, plainMap(sys))
	}

	planned := runs.withNewRunUnknown(types.MapValueMust(types.StringType, map[string]attr.Value{"1": types.StringValue(`{}`)}))
	if !planned.Elements()["3"].IsUnknown() || planned.Elements()["1"].IsUnknown() {
		t.Errorf("withNewRunUnknown = %v, want run 3 unknown and run 1 as it was", planned)
	}

	sys, dof = snapshotRuns{}.pack(map[string]string{"d1": "s1"}, map[string]string{"s1": "d1"})
	sel := desktopsMatchingModel{SystemDiskSnapshotIDsJSON: sys, SnapshotDesktopIDsJSON: dof}
	gotSys, gotDof, back, ok, diags := unpackRuns(sel)
	if !ok || diags.HasError() || gotSys["d1"] != "s1" || gotDof["s1"] != "d1" || back.of["s1"] != "1" || back.newRun() != "2" {
		t.Errorf("a create's run: unpacked %v, %v, %+v, %t, %v", gotSys, gotDof, back, ok, diags)
	}
}
