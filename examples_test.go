package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestExamples proves that every folder under examples/ initialises and
// validates on its own, as a newcomer would use it: `terraform init` then
// `terraform validate` (with -query where there are .tfquery.hcl files) in a
// copy of the folder. The provider is built from this tree and installed
// from a filesystem mirror, the only installation method the CLI
// configuration names, so init reaches no registry.
//
// Folders and files that need a newer CLI than the one on PATH (actions,
// list resources, imports by identity) are validated with the CLI that
// TF_ACC_TERRAFORM_LATEST names, and skipped without it. A resource's two
// import examples are alternatives (Terraform refuses two import blocks for
// one address): each is validated with the rest of its folder, not together.
func TestExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to validate the examples with the terraform CLI (make testacc does)")
	}
	clis := examplesCLIs(t)
	mirror := buildProviderMirror(t)
	cliConfig := filepath.Join(t.TempDir(), "terraformrc")
	writeFile(t, cliConfig, fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror))

	// Controls: the harness must fail a folder that is broken.
	t.Run("control/unknown argument fails validate", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "main.tf"), exampleRequiredProviders+
			"resource \"workspace_desktop_snapshot_batch\" \"x\" {\n  desktop_ids = [\"d1\"]\n  no_such_argument = 1\n}\n")
		out, err := runExampleCLI(clis[0], cliConfig, dir, false)
		if err == nil || !strings.Contains(out, `An argument named "no_such_argument" is not expected here`) {
			t.Fatalf("validate accepted an unknown argument (err %v):\n%s", err, out)
		}
	})
	t.Run("control/no required_providers fails init", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "main.tf"), "data \"workspace_desktops\" \"all\" {}\n")
		out, err := runExampleCLI(clis[0], cliConfig, dir, false)
		if err == nil || !strings.Contains(out, "hashicorp/workspace") {
			t.Fatalf("init found a provider for hashicorp/workspace (err %v):\n%s", err, out)
		}
	})

	folders := exampleFolders(t)
	if len(folders) < 10 {
		t.Fatalf("found %d example folders, want every folder of examples/: %v", len(folders), folders)
	}
	for _, folder := range folders {
		for _, v := range exampleVariants(t, folder) {
			ran := false
			for _, cli := range clis {
				if !cli.supports(v.needs) {
					continue
				}
				ran = true
				t.Run(fmt.Sprintf("%s/%s/%s", folder, v.name, cli.name), func(t *testing.T) {
					t.Parallel()
					dir := t.TempDir()
					for _, f := range v.files {
						data, err := os.ReadFile(filepath.Join(folder, f))
						if err != nil {
							t.Fatal(err)
						}
						writeFile(t, filepath.Join(dir, f), string(data))
					}
					if out, err := runExampleCLI(cli, cliConfig, dir, v.query); err != nil {
						t.Fatalf("%s (%s) with %s: %v\n%s", folder, strings.Join(v.files, ", "), cli.name, err, out)
					}
				})
			}
			if !ran {
				t.Run(fmt.Sprintf("%s/%s", folder, v.name), func(t *testing.T) {
					t.Skipf("needs %s: set TF_ACC_TERRAFORM_LATEST to such a CLI", v.needs)
				})
			}
		}
	}
}

const exampleRequiredProviders = `terraform {
  required_providers {
    workspace = { source = "cloud-desktop/workspace" }
  }
}
`

// What a configuration needs of the CLI beyond Terraform 1.11.
type cliFeature string

const (
	featureBase     cliFeature = "Terraform 1.11 or OpenTofu"
	featureIdentity cliFeature = "Terraform 1.12+ (import by identity)"
	featureActions  cliFeature = "Terraform 1.14+ (actions, list resources)"
)

type exampleCLI struct {
	name, path   string
	tofu         bool
	major, minor int
}

func (c exampleCLI) supports(f cliFeature) bool {
	switch f {
	case featureIdentity:
		return !c.tofu && (c.major > 1 || c.minor >= 12)
	case featureActions:
		return !c.tofu && (c.major > 1 || c.minor >= 14)
	default:
		return true
	}
}

var cliVersionLine = regexp.MustCompile(`^(Terraform|OpenTofu) v(\d+)\.(\d+)\.`)

// examplesCLIs are the CLI the acceptance tests use (TF_ACC_TERRAFORM_PATH,
// else terraform on PATH) and, when set, TF_ACC_TERRAFORM_LATEST.
func examplesCLIs(t *testing.T) []exampleCLI {
	t.Helper()
	main := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if main == "" {
		var err error
		if main, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("no terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
	}
	paths := []string{main}
	if latest := os.Getenv("TF_ACC_TERRAFORM_LATEST"); latest != "" && latest != main {
		paths = append(paths, latest)
	}
	var clis []exampleCLI
	for _, p := range paths {
		cmd := exec.Command(p, "version")
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
		out, err := cmd.Output()
		m := cliVersionLine.FindStringSubmatch(string(out))
		if err != nil || m == nil {
			t.Fatalf("%s version: %v: %q", p, err, out)
		}
		major, _ := strconv.Atoi(m[2])
		minor, _ := strconv.Atoi(m[3])
		clis = append(clis, exampleCLI{
			name: fmt.Sprintf("%s-%d.%d", strings.ToLower(m[1]), major, minor), path: p,
			tofu: m[1] == "OpenTofu", major: major, minor: minor,
		})
	}
	return clis
}

// buildProviderMirror builds the provider into an unpacked filesystem mirror
// under both registries' host names (terraform and tofu read bare
// "cloud-desktop/workspace" as theirs), and returns the mirror's path.
func buildProviderMirror(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go on PATH to build the provider")
	}
	mirror := t.TempDir()
	platform := runtime.GOOS + "_" + runtime.GOARCH
	var first string
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		dir := filepath.Join(mirror, host, "cloud-desktop", "workspace", "0.0.1", platform)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(dir, "terraform-provider-workspace")
		if first == "" {
			first = bin
			if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
				t.Fatalf("building the provider: %v\n%s", err, out)
			}
		} else if err := os.Symlink(first, bin); err != nil {
			t.Fatal(err)
		}
	}
	return mirror
}

// exampleFolders lists every folder under examples/ that holds a
// configuration, relative to the repository root.
func exampleFolders(t *testing.T) []string {
	t.Helper()
	var folders []string
	err := filepath.WalkDir("examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if isConfigFile(d.Name()) {
			if dir := filepath.Dir(p); !slices.Contains(folders, dir) {
				folders = append(folders, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return folders
}

func isConfigFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tfquery.hcl")
}

type exampleVariant struct {
	name  string
	files []string
	needs cliFeature
	query bool // validate -query: the folder has .tfquery.hcl files
}

// exampleVariants is what to validate of a folder: all of it, except that a
// resource's import-by-string-id.tf and import-by-identity.tf are validated
// one at a time with the rest.
func exampleVariants(t *testing.T, folder string) []exampleVariant {
	t.Helper()
	entries, err := os.ReadDir(folder)
	if err != nil {
		t.Fatal(err)
	}
	base := exampleVariant{name: "all", needs: featureBase}
	slash := filepath.ToSlash(folder)
	if strings.HasPrefix(slash, "examples/actions/") || strings.HasPrefix(slash, "examples/list-resources/") {
		base.needs = featureActions
	}
	var byID, byIdentity bool
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "import-by-string-id.tf":
			byID = true
		case name == "import-by-identity.tf":
			byIdentity = true
		case isConfigFile(name):
			base.files = append(base.files, name)
			base.query = base.query || strings.HasSuffix(name, ".tfquery.hcl")
		}
	}
	if !byID && !byIdentity {
		return []exampleVariant{base}
	}
	var variants []exampleVariant
	if byID {
		v := base
		v.name, v.files = "import-by-string-id", append(slices.Clone(base.files), "import-by-string-id.tf")
		variants = append(variants, v)
	}
	if byIdentity {
		v := base
		v.name, v.files, v.needs = "import-by-identity", append(slices.Clone(base.files), "import-by-identity.tf"), featureIdentity
		variants = append(variants, v)
	}
	return variants
}

// runExampleCLI runs init and validate in dir with only the mirror to
// install from, and returns their output.
func runExampleCLI(cli exampleCLI, cliConfig, dir string, query bool) (string, error) {
	env := []string{"TF_CLI_CONFIG_FILE=" + cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "TF_") {
			env = append(env, kv)
		}
	}
	var all strings.Builder
	validate := []string{"validate", "-no-color"}
	if query {
		validate = append(validate, "-query")
	}
	for _, args := range [][]string{{"init", "-input=false", "-no-color"}, validate} {
		cmd := exec.Command(cli.path, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		fmt.Fprintf(&all, "$ %s %s\n%s", filepath.Base(cli.path), strings.Join(args, " "), out)
		if err != nil {
			return all.String(), fmt.Errorf("%s %s: %w", cli.name, args[0], err)
		}
	}
	return all.String(), nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
