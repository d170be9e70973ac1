package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

func TestAccDesktopSnapshotsDataSource_pagingAndFilters(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 600, Seed: 3})
	env.SkipIfReal(t, "snapshots 600 desktops")
	// 600 desktops x (system + data) = 1200 records: two pages of 1000.
	snapshotDesktops(t, env, env.DesktopIDs, workspace.DiskTypeAll, "night")
	two := framework.SortedStrings(env.DesktopIDs[:2])
	byDisk := snapshotIDsByDisk(t, env, two, "night")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig + fmt.Sprintf(`
data "workspace_desktop_snapshots" "all" {}

data "workspace_desktop_snapshots" "system" {
  disk_type = "SYSTEM_DISK"
}

data "workspace_desktop_snapshots" "two" {
  desktop_ids = %s
}

data "workspace_desktop_snapshots" "succeeded" {
  status      = "create_success"
  create_type = "MANUALLY"
}

data "workspace_desktop_snapshots" "auto" {
  create_type = "AUTO"
}

data "workspace_desktop_snapshots" "restoring" {
  status = "restoring"
}
`, hclStrings(two)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(1200)),
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.all", tfjsonpath.New("snapshots"), knownvalue.ListSizeExact(1200)),
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.system", tfjsonpath.New("ids"), knownvalue.ListSizeExact(600)),
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.succeeded", tfjsonpath.New("ids"), knownvalue.ListSizeExact(1200)),
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.auto", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.restoring", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
				// Sorted by desktop ID, system disk first.
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.two", tfjsonpath.New("ids"), exactStrings(
					byDisk[two[0]+"/system"], byDisk[two[0]+"/data"], byDisk[two[1]+"/system"], byDisk[two[1]+"/data"])),
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.two", tfjsonpath.New("snapshots").AtSliceIndex(1),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"snapshot_id":         knownvalue.StringExact(byDisk[two[0]+"/data"]),
						"snapshot_name":       knownvalue.StringRegexp(regexp.MustCompile(`^wks-desktop-\d{4}night\d{14}$`)),
						"desktop_id":          knownvalue.StringExact(two[0]),
						"desktop_name":        knownvalue.StringRegexp(regexp.MustCompile(`^wks-desktop-\d{4}$`)),
						"is_system_disk":      knownvalue.Bool(false),
						"status":              knownvalue.StringExact(workspace.SnapshotStatusCreateSuccess),
						"process":             knownvalue.Null(),
						"description":         knownvalue.StringExact("data source test"),
						"create_time":         knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
						"create_type":         knownvalue.StringExact(workspace.CreateTypeManually),
						"last_restore_time":   knownvalue.StringExact(""),
						"restore_fail_reason": knownvalue.StringExact(""),
					})),
			},
		}},
	})
}

func TestAccDesktopSnapshotsDataSource_mostRecentPerDesktop(t *testing.T) {
	parallelUnlessReal(t)
	clock := &steppedClock{}
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, Seed: 5, Now: clock.now})
	env.SkipIfReal(t, "moves the service's clock")
	ids := framework.SortedStrings(env.DesktopIDs[:3])
	// Round 1 snapshots every disk of the three desktops; a minute later
	// round 2 snapshots the first two again, and a third round only the
	// first desktop's system disk.
	snapshotDesktops(t, env, ids, workspace.DiskTypeAll, "r1")
	clock.step(time.Minute)
	snapshotDesktops(t, env, ids[:2], workspace.DiskTypeAll, "r2")
	clock.step(time.Minute)
	snapshotDesktops(t, env, ids[:1], workspace.DiskTypeSystem, "r3")
	r1, r2, r3 := snapshotIDsByDisk(t, env, ids, "r1"), snapshotIDsByDisk(t, env, ids, "r2"), snapshotIDsByDisk(t, env, ids, "r3")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig + fmt.Sprintf(`
data "workspace_desktop_snapshots" "latest" {
  desktop_ids             = %[1]s
  most_recent_per_desktop = true
}

data "workspace_desktop_snapshots" "latest_system" {
  desktop_ids             = %[1]s
  disk_type               = "SYSTEM_DISK"
  most_recent_per_desktop = true
}

data "workspace_desktop_snapshots" "history" {
  desktop_ids = %[1]s
}

data "workspace_desktop_snapshots" "history_reordered" {
  desktop_ids = %[2]s
}
`, hclStrings(ids), hclStrings([]string{ids[2], ids[0], ids[1]})),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.latest", tfjsonpath.New("ids"), exactStrings(
					r3[ids[0]+"/system"], r2[ids[0]+"/data"],
					r2[ids[1]+"/system"], r2[ids[1]+"/data"],
					r1[ids[2]+"/system"], r1[ids[2]+"/data"])),
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.latest_system", tfjsonpath.New("ids"), exactStrings(
					r3[ids[0]+"/system"], r2[ids[1]+"/system"], r1[ids[2]+"/system"])),
				// Without the filter: every record, newest first within a disk.
				statecheck.ExpectKnownValue("data.workspace_desktop_snapshots.history", tfjsonpath.New("ids"), exactStrings(
					r3[ids[0]+"/system"], r2[ids[0]+"/system"], r1[ids[0]+"/system"], r2[ids[0]+"/data"], r1[ids[0]+"/data"],
					r2[ids[1]+"/system"], r1[ids[1]+"/system"], r2[ids[1]+"/data"], r1[ids[1]+"/data"],
					r1[ids[2]+"/system"], r1[ids[2]+"/data"])),
				// The same set in another order is the same query, with the same ID.
				statecheck.CompareValuePairs("data.workspace_desktop_snapshots.history", tfjsonpath.New("id"),
					"data.workspace_desktop_snapshots.history_reordered", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.CompareValuePairs("data.workspace_desktop_snapshots.history", tfjsonpath.New("id"),
					"data.workspace_desktop_snapshots.latest", tfjsonpath.New("id"), compare.ValuesDiffer()),
			},
		}},
	})
}

func TestAccDesktopSnapshotsDataSource_invalidFilters(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 3})
	cases := []struct{ attr, value, want string }{
		{"disk_type", `"BOTH"`, `Attribute disk_type value must be one of: \["SYSTEM_DISK" "DATA_DISKS" "ALL"\], got: "BOTH"`},
		{"create_type", `"manual"`, `Attribute create_type value must be one of: \["AUTO" "MANUALLY"\], got: "manual"`},
		{"status", `"done"`, `Attribute status value must be one of: \["creating" "restoring" "create_success"`},
		{"desktop_ids", `["not a desktop!"]`, `desktop_ids\[0\] must be a desktop ID`},
		{"desktop_ids", `[]`, `Attribute desktop_ids must name at least one desktop ID, got an empty list.`},
	}
	steps := make([]resource.TestStep, len(cases))
	for i, c := range cases {
		steps[i] = resource.TestStep{
			Config:      env.ProviderConfig + fmt.Sprintf("data \"workspace_desktop_snapshots\" \"bad\" {\n  %s = %s\n}\n", c.attr, c.value),
			ExpectError: regexp.MustCompile(spacesMayWrap(c.want)),
		}
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

func TestNewestPerDesktopDisk_tiesGoToGreaterSnapshotID(t *testing.T) {
	parallelUnlessReal(t)
	yes, no := true, false
	rec := func(id, desktop string, system *bool, created string) workspace.DesktopSnapshotDetailInfo {
		return workspace.DesktopSnapshotDetailInfo{SnapshotId: id, DesktopId: desktop, IsSystemDisk: system, CreateTime: created}
	}
	records := []workspace.DesktopSnapshotDetailInfo{
		rec("a1", "d1", &yes, "2026-03-01T12:00:00Z"),
		rec("a3", "d1", &yes, "2026-03-01T12:00:00Z"), // same second as a1: the greater ID wins
		rec("a2", "d1", &yes, "2026-03-01T11:59:59Z"),
		rec("b1", "d1", &no, "2026-03-01T13:00:00+01:00"), // 12:00Z, older than b2 despite the text
		rec("b2", "d1", &no, "2026-03-01T12:30:00Z"),
		rec("c1", "d0", nil, "2026-03-01T12:00:00Z"), // no is_system_disk: a data disk
	}
	sortSnapshotRecords(records)
	var order []string
	for _, r := range records {
		order = append(order, r.SnapshotId)
	}
	if got, want := fmt.Sprint(order), "[c1 a3 a1 a2 b2 b1]"; got != want {
		t.Fatalf("sorted order %s, want %s", got, want)
	}
	var newest []string
	for _, r := range newestPerDesktopDisk(records) {
		newest = append(newest, r.SnapshotId)
	}
	if got, want := fmt.Sprint(newest), "[c1 a3 b2]"; got != want {
		t.Fatalf("newest per desktop and disk %s, want %s", got, want)
	}
}
