package provider

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Actions need Terraform 1.14, newer than the CLI on our machines, so they
// are tested at the protocol level: the same RPCs Terraform would send
// (GetProviderSchema, ConfigureProvider, ValidateActionConfig,
// InvokeAction), against a fresh in-process emulator.

// actionHarness is a configured provider server speaking protocol 6.
type actionHarness struct {
	t       testing.TB
	env     *testAccEnv
	server  tfprotov6.ProviderServerWithActions
	schemas map[string]*tfprotov6.ActionSchema
}

func newActionHarness(t testing.TB, env *testAccEnv, progressInterval time.Duration) *actionHarness {
	t.Helper()
	ctx := context.Background()
	p := &workspaceProvider{version: "test", progressInterval: progressInterval}
	server, ok := providerserver.NewProtocol6(p)().(tfprotov6.ProviderServerWithActions)
	if !ok {
		t.Fatal("the provider server does not serve actions")
	}
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(schemaResp.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %s", err, diagText(schemaResp.Diagnostics))
	}
	h := &actionHarness{t: t, env: env, server: server, schemas: schemaResp.ActionSchemas}

	settings := map[string]tftypes.Value{} // against the real cloud: all from HW_* variables
	if !env.Real {
		for name, v := range map[string]string{
			"region": emulator.DefaultRegion, "access_key": emulator.DefaultAccessKey, "secret_key": emulator.DefaultSecretKey,
			"endpoint": env.Emulator.URL(), "iam_endpoint": env.Emulator.URL(),
		} {
			settings[name] = tftypes.NewValue(tftypes.String, v)
		}
	}
	configResp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0", Config: dynamicValue(t, schemaResp.Provider, settings),
	})
	if err != nil || hasErrors(configResp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %s", err, diagText(configResp.Diagnostics))
	}
	return h
}

// dynamicValue encodes a configuration: the given attributes, every other null.
func dynamicValue(t testing.TB, schema *tfprotov6.Schema, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	typ := schema.ValueType().(tftypes.Object)
	values := map[string]tftypes.Value{}
	for name, attrType := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	for name, v := range attrs {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Fatalf("the schema has no attribute %q", name)
		}
		values[name] = v
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		t.Fatalf("encoding configuration: %v", err)
	}
	return &dv
}

func (h *actionHarness) config(actionType string, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	h.t.Helper()
	schema, ok := h.schemas[actionType]
	if !ok {
		h.t.Fatalf("the provider has no action %q", actionType)
	}
	return dynamicValue(h.t, schema.Schema, attrs)
}

// validate sends ValidateActionConfig, as Terraform does at plan time.
func (h *actionHarness) validate(actionType string, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	h.t.Helper()
	resp, err := h.server.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
		ActionType: actionType, Config: h.config(actionType, attrs),
	})
	if err != nil {
		h.t.Fatalf("ValidateActionConfig: %v", err)
	}
	return resp.Diagnostics
}

// invocation is what one InvokeAction streamed back.
type invocation struct {
	Progress    []string
	Diagnostics []*tfprotov6.Diagnostic
	Completed   bool
}

// invoke runs the action; onProgress (optional) sees each progress message
// as it arrives, e.g. to cancel ctx mid-run.
func (h *actionHarness) invoke(ctx context.Context, actionType string, attrs map[string]tftypes.Value, onProgress func(string)) invocation {
	h.t.Helper()
	stream, err := h.server.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: actionType, Config: h.config(actionType, attrs)})
	if err != nil {
		h.t.Fatalf("InvokeAction: %v", err)
	}
	var inv invocation
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			inv.Progress = append(inv.Progress, e.Message)
			if onProgress != nil {
				onProgress(e.Message)
			}
		case tfprotov6.CompletedInvokeActionEventType:
			inv.Completed = true
			inv.Diagnostics = e.Diagnostics
		}
	}
	if !inv.Completed {
		h.t.Fatal("the action's event stream ended without a completed event")
	}
	return inv
}

func hasErrors(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}

// expectDiagnostic asserts an error diagnostic whose text matches, on a path
// containing attribute (e.g. `AttributeName("timeout")`) unless that is empty.
func expectDiagnostic(t *testing.T, diags []*tfprotov6.Diagnostic, attribute string, pattern string) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for _, d := range diags {
		if d.Severity != tfprotov6.DiagnosticSeverityError || !re.MatchString(d.Summary+": "+d.Detail) {
			continue
		}
		if attribute == "" || (d.Attribute != nil && strings.Contains(d.Attribute.String(), attribute)) {
			return
		}
	}
	t.Errorf("no error diagnostic on %q matching %q; got:\n%s", attribute, pattern, diagText(diags))
}

func tfString(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func tfStringSet(values ...string) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for i, v := range values {
		elems[i] = tfString(v)
	}
	return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
}

// jobIDsIn finds the job IDs the action announced in its progress.
var announcedJobs = regexp.MustCompile(`^Submitted \d+ batch-\w+ job\(s\) for \d+ \w+: (.*)\. Waiting`)

func jobIDsIn(t *testing.T, progress []string) []string {
	t.Helper()
	for _, msg := range progress {
		if m := announcedJobs.FindStringSubmatch(msg); m != nil {
			return strings.Split(m[1], ", ")
		}
	}
	t.Fatalf("no progress message announced the submitted jobs; got %q", progress)
	return nil
}

// snapshotIDsOf lists every snapshot record ID of the desktops.
func snapshotIDsOf(t *testing.T, env *testAccEnv, desktopIDs []string) []string {
	t.Helper()
	recs, err := env.Client.ListAllDesktopSnapshots(context.Background(), workspace.ListDesktopSnapshotRequest{DesktopIds: desktopIDs})
	if err != nil {
		t.Fatalf("listing snapshots: %v", err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.SnapshotId
	}
	return ids
}

// desktopsOfJobs reads the finished jobs and counts each desktop's sub-jobs.
func desktopsOfJobs(t *testing.T, env *testAccEnv, jobIDs []string) map[string]int {
	t.Helper()
	results, err := env.Client.WaitForJobs(context.Background(), jobIDs, workspace.WaitOptions{FirstPoll: time.Millisecond})
	if len(results) != len(jobIDs) {
		t.Fatalf("reading jobs %v: %v", jobIDs, err)
	}
	seen := map[string]int{}
	for _, res := range results {
		for _, o := range res.Outcomes {
			seen[o.DesktopID]++
		}
	}
	return seen
}

func TestProgressReporter_throttlesUpdatesButNotMilestones(t *testing.T) {
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
		for name, kind := range want {
			if documented[name] != kind {
				t.Errorf("%s: argument %s is %s in the schema; the page says %q", page, name, kind, documented[name])
			}
		}
		for name := range documented {
			if _, ok := want[name]; !ok {
				t.Errorf("%s documents %s, which the schema does not have", page, name)
			}
		}
	}
}
