package provider

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

// The identity sections of the resource pages and the list resource page
// are hand-written (Terraform 1.11.4 exports neither for tfplugindocs), so
// check that they list exactly the schemas' attributes, required ones as
// such.
func TestIdentityAndListDocs_listEveryAttribute(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	ctx := context.Background()
	identities, err := h.server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, typeName := range []string{batchType, restoreType} {
		page := readTemplate(t, "resources", typeName)
		section, _, _ := strings.Cut(page[strings.Index(page, "### Identity Schema"):], "\n## ")
		want := map[string]string{}
		for _, a := range identities.IdentitySchemas[typeName].IdentityAttributes {
			want[a.Name] = map[bool]string{true: "Required", false: "Optional"}[a.RequiredForImport]
		}
		compareDocumented(t, typeName+" identity", identitySectionAttributes(section), want)
	}

	schemaResp, err := h.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	argument := regexp.MustCompile("(?m)^ *- `(\\w+)` \\([^,]+, (Required|Optional)\\)")
	documented := map[string]string{}
	for _, m := range argument.FindAllStringSubmatch(readTemplate(t, "list-resources", batchType), -1) {
		documented[m[1]] = m[2]
	}
	want := map[string]string{}
	for _, a := range schemaResp.ListResourceSchemas[batchType].Block.Attributes {
		want[a.Name] = map[bool]string{true: "Required", false: "Optional"}[a.Required]
	}
	compareDocumented(t, batchType+" list resource", documented, want)
}

func readTemplate(t *testing.T, kind, typeName string) string {
	t.Helper()
	raw, err := os.ReadFile("../../templates/" + kind + "/" + strings.TrimPrefix(typeName, "workspace_") + ".md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// identitySectionAttributes reads "#### Required" / "#### Optional" lists.
func identitySectionAttributes(section string) map[string]string {
	out := map[string]string{}
	kind := ""
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "#### "):
			kind = strings.TrimPrefix(line, "#### ")
		case strings.HasPrefix(line, "- `"):
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "- `"), "`")
			out[name] = kind
		}
	}
	return out
}

func compareDocumented(t *testing.T, what string, documented, want map[string]string) {
	t.Helper()
	for name, kind := range want {
		if documented[name] != kind {
			t.Errorf("%s: %s is %s in the schema; the page says %q", what, name, kind, documented[name])
		}
	}
	for name := range documented {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: the page documents %s, which the schema does not have", what, name)
		}
	}
}
