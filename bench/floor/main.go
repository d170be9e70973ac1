// Command floor measures what a terraform plan and destroy cost with a
// provider that does nothing: the same resources and the same values in
// state as the harness's benchmark (a batch of n desktops and a restore of
// all its snapshots; the desktop IDs are written in the configuration
// instead of read by a data source), served by plugin-framework from a provider with no API calls,
// validators or plan modifiers. Its destroy is a floor under the harness's
// (which also refreshes a desktops data source and waits for jobs): what
// Terraform core and plugin-framework take for that much state, whatever a
// provider does.
//
//	go run ./bench/floor -n 1000
//
// The binary is its own provider: Terraform starts it with
// TF_PLUGIN_MAGIC_COOKIE set, and then it serves.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cloud-desktop/terraform-provider-workspace/bench/floor/floorprovider"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/memlimit"
)

func main() {
	if os.Getenv("TF_PLUGIN_MAGIC_COOKIE") != "" {
		// Loggers off, as the workspace provider's main does when no TF_LOG*
		// variable is set: the floor must not pay for what it does not.
		for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
			_ = os.Setenv(name, "OFF")
		}
		// And the same soft memory limit as the workspace provider.
		memlimit.CapUnlessSet()
		if err := providerserver.Serve(context.Background(), floorprovider.New, providerserver.ServeOpts{
			Address: "registry.terraform.io/bench/floor",
		}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	n := flag.Int("n", 1000, "desktops")
	runs := flag.Int("runs", 3, "destroys to time (each after a fresh apply)")
	flag.Parse()
	if err := drive(*n, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

const config = `terraform {
  required_providers {
    floor = { source = "bench/floor" }
  }
}

resource "floor_batch" "bench" {
  desktop_ids = %s
}

resource "floor_restore" "bench" {
  snapshot_ids = keys(floor_batch.bench.snapshot_desktop_ids)
}
`

func drive(n, runs int) error {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "floor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(self, filepath.Join(bin, "terraform-provider-floor")); err != nil {
		return err
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/bench/floor\" = %q\n  }\n  direct {}\n}\n", bin)), 0o644); err != nil {
		return err
	}
	// The IDs are written out, as the harness's data source state holds them,
	// so Terraform evaluates no expression to make them.
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprintf("%08x-1512-4386-81fb-20604fe6%04x", i, i%0x10000))
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(fmt.Sprintf(config, "["+strings.Join(ids, ", ")+"]")), 0o644); err != nil {
		return err
	}
	run := func(args ...string) (time.Duration, error) {
		cmd := exec.Command(tf, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_LOG=")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		if err != nil {
			return 0, fmt.Errorf("terraform %v: %w\n%s", args, err, out.Bytes())
		}
		return time.Since(start), nil
	}
	var plans, destroys []time.Duration
	for range runs {
		if _, err := run("apply", "-auto-approve", "-input=false"); err != nil {
			return err
		}
		p, err := run("plan", "-input=false", "-detailed-exitcode")
		if err != nil {
			return err
		}
		d, err := run("destroy", "-auto-approve", "-input=false")
		if err != nil {
			return err
		}
		plans, destroys = append(plans, p), append(destroys, d)
	}
	fmt.Printf("n=%d: plan %s, destroy %s (each sorted, %d runs)\n", n, seconds(plans), seconds(destroys), runs)
	return nil
}

func seconds(ds []time.Duration) string {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	var b bytes.Buffer
	for i, d := range ds {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.2f s", d.Seconds())
	}
	return b.String()
}
