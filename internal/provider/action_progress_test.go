package provider

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
)

func TestProgressReporter_throttlesUpdatesButNotMilestones(t *testing.T) {
	parallelUnlessReal(t)
	var sent []string
	p := newProgressReporter(nil, time.Hour)
	p.send = func(e action.InvokeProgressEvent) { sent = append(sent, e.Message) }
	p.update("first update")  // nothing sent yet: goes out
	p.update("second update") // within the hour: held back
	p.milestone("milestone")  // always
	p.update("third update")  // held back
	p.milestone("done")
	want := []string{"first update", "milestone", "done"}
	if strings.Join(sent, "|") != strings.Join(want, "|") {
		t.Errorf("sent %q, want %q", sent, want)
	}

	sent = nil
	p = newProgressReporter(nil, 0)
	p.send = func(e action.InvokeProgressEvent) { sent = append(sent, e.Message) }
	p.update("a")
	p.update("b")
	if len(sent) != 2 {
		t.Errorf("with no interval every update goes out; sent %q", sent)
	}
}

// The action pages are hand-written (Terraform 1.11.4 cannot export action
// schemas for tfplugindocs), so check that each lists exactly the schema's
// arguments, nested ones included, and marks required ones as such.
func TestActionDocs_listEveryArgument(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	argument := regexp.MustCompile("(?m)^ *- `(\\w+)` \\([^,]+, (Required|Optional)\\)")
	for actionType, s := range h.schemas {
		page := "../../templates/actions/" + strings.TrimPrefix(actionType, "workspace_") + ".md.tmpl"
		raw, err := os.ReadFile(page)
		if err != nil {
			t.Errorf("action %s has no documentation page: %v", actionType, err)
			continue
		}
		documented := map[string]string{}
		for _, m := range argument.FindAllStringSubmatch(string(raw), -1) {
			documented[m[1]] = m[2]
		}
		want := map[string]string{}
		var collect func(attrs []*tfprotov6.SchemaAttribute)
		collect = func(attrs []*tfprotov6.SchemaAttribute) {
			for _, a := range attrs {
				want[a.Name] = map[bool]string{true: "Required", false: "Optional"}[a.Required]
				if a.NestedType != nil {
					collect(a.NestedType.Attributes)
				}
			}
		}
		collect(s.Schema.Block.Attributes)
		compareDocumented(t, page, documented, want)
	}
}
