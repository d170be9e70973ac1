package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// binaries are the programs a benchmark run needs.
type binaries struct {
	provider     string // the real provider
	overridesDir string // holds rsswrap under the provider's name, for dev_overrides
	emulator     string
	floor        string // bench/floor, the provider that does nothing
}

func findTerraform(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	path, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("terraform not found on PATH (the harness never downloads it): %w", err)
	}
	return path, nil
}

func buildBinaries(work string) (binaries, error) {
	b := binaries{
		provider:     filepath.Join(work, "bin", "terraform-provider-workspace"),
		overridesDir: filepath.Join(work, "overrides"),
		emulator:     filepath.Join(work, "bin", "workspace-emulator"),
		floor:        filepath.Join(work, "bin", "floor"),
	}
	steps := [][]string{
		{"go", "build", "-o", b.provider, "."},
		{"go", "build", "-o", b.emulator, "./cmd/workspace-emulator"},
		{"go", "build", "-o", filepath.Join(b.overridesDir, "terraform-provider-workspace"), "./bench/rsswrap"},
		{"go", "build", "-o", b.floor, "./bench/floor"},
	}
	for _, args := range steps {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return b, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
	}
	return b, nil
}

// writeCLIConfig points Terraform at the wrapped provider, so no registry is
// contacted and `terraform init` is not needed.
func writeCLIConfig(dir, overridesDir string) (string, error) {
	path := filepath.Join(dir, "terraformrc")
	body := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/cloud-desktop/workspace" = %q
  }
  direct {}
}
`, overridesDir)
	return path, os.WriteFile(path, []byte(body), 0o644)
}
