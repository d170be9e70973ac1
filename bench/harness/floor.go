package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The floor beside each phase: bench/floor's provider, which does nothing
// but hold the same values in state (floor_batch or floor_matching_batch,
// and floor_restore), driven
// through the same phases with the same terraform, right after the real
// run of the same size. A real phase's time past J set against the floor's
// wall is what the provider adds to what Terraform core and plugin-framework
// take for that much state anyway.

const floorConfig = `terraform {
  required_providers {
    floor = {
      source = "bench/floor"
    }
  }
}

variable "restore" {
  type    = bool
  default = false
}

variable "members" {
  type    = number
  default = %[1]d
}
%[2]s%[3]s`

// floorIDs holds the desktop IDs for the plain and fleet forms; the matching
// form's configuration has no ID list, as the real run's has none.
const floorIDs = `
locals {
  # Written out, as the real run's data source state holds them, so
  # Terraform evaluates no data source to make them.
  ids = %s
}
`

// benchFloor runs the phases of n desktops against the floor provider and
// returns each phase's wall.
func benchFloor(tf, floorBin, dir string, n int, form string) (map[string]time.Duration, error) {
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		return nil, err
	}
	if err := os.Symlink(floorBin, filepath.Join(dir, "bin", "terraform-provider-floor")); err != nil {
		return nil, err
	}
	rc := filepath.Join(dir, "terraformrc")
	body := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/bench/floor\" = %q\n  }\n  direct {}\n}\n",
		filepath.Join(dir, "bin"))
	if err := os.WriteFile(rc, []byte(body), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(floorConfigOf(form, n)), 0o644); err != nil {
		return nil, err
	}
	walls := map[string]time.Duration{}
	for _, p := range phases(n) {
		start := time.Now()
		out, err := terraform(tf, dir, rc, "", "", p.args...)
		if err != nil {
			return nil, fmt.Errorf("floor %s: %w\n%s", p.name, err, tail(out, 40))
		}
		walls[p.name] = time.Since(start)
	}
	return walls, nil
}

// floorConfigOf is the floor's main.tf for a run of n desktops.
func floorConfigOf(form string, n int) string {
	idsBlock, src := "", desktopSource{n: n}
	if form != formMatching {
		ids := make([]string, n+1)
		for i := range ids {
			// The first hex digit varies as a UUID's does, so the fleet form
			// shards the floor's desktops as it shards the emulator's.
			ids[i] = fmt.Sprintf("%q", fmt.Sprintf("%x%07x-1512-4386-81fb-20604fe6%04x", i%16, i, i%0x10000))
		}
		idsBlock, src = fmt.Sprintf(floorIDs, "["+strings.Join(ids, ", ")+"]"), desktopSource{ids: "local.ids"}
	}
	return fmt.Sprintf(floorConfig, n, idsBlock, resourcesOf(form, "floor", src))
}
