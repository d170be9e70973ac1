package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
)

// Actions need Terraform 1.14, newer than the CLI on our machines, so they
// are tested at the protocol level: the same RPCs Terraform would send
// (GetProviderSchema, ConfigureProvider, ValidateActionConfig,
// InvokeAction), against a fresh in-process emulator.

// actionHarness is a configured provider server speaking protocol 6.
type actionHarness struct {
	t       testing.TB
	env     *testAccEnv
	server  tfprotov6.ProviderServerWithActions //nolint:staticcheck // plugin-go v0.31 serves actions only through it
	schemas map[string]*tfprotov6.ActionSchema
}

func newActionHarness(t testing.TB, env *testAccEnv, progressInterval time.Duration) *actionHarness {
	t.Helper()
	return newActionHarnessAt(t, env, "", progressInterval)
}

// newActionHarnessAt is newActionHarness with the provider's endpoint and
// iam_endpoint at endpoint (a proxy in front of the emulator); "" is the
// emulator's.
func newActionHarnessAt(t testing.TB, env *testAccEnv, endpoint string, progressInterval time.Duration) *actionHarness {
	t.Helper()
	ctx := context.Background()
	p := &workspaceProvider{version: "test", progressInterval: progressInterval}
	server, ok := providerserver.NewProtocol6(p)().(tfprotov6.ProviderServerWithActions) //nolint:staticcheck // as above
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
		if endpoint == "" {
			endpoint = env.Emulator.URL()
		}
		for name, v := range map[string]string{
			"region": emulator.DefaultRegion, "access_key": emulator.DefaultAccessKey, "secret_key": emulator.DefaultSecretKey,
			"endpoint": endpoint, "iam_endpoint": endpoint,
		} {
			settings[name] = tftypes.NewValue(tftypes.String, v)
		}
		if env.JobTimeZone != "" {
			settings["job_time_zone"] = tftypes.NewValue(tftypes.String, env.JobTimeZone)
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
	typ, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("a schema's value type is %T, not an object", schema.ValueType())
	}
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

func hasErrors(diags []*tfprotov6.Diagnostic) bool { return len(errorsOf(diags)) > 0 }

// errorsOf is the errors among diags.
func errorsOf(diags []*tfprotov6.Diagnostic) []*tfprotov6.Diagnostic {
	var errs []*tfprotov6.Diagnostic
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d)
		}
	}
	return errs
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

func tfStringList(values ...string) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for i, v := range values {
		elems[i] = tfString(v)
	}
	return tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, elems)
}

// jobMark remembers how many jobs of a type the emulator had started, so a
// test reads what a run started from the service's own records rather than
// from the provider's messages.
type jobMark struct {
	env     *testAccEnv
	jobType string
	before  int
}

func markJobs(t *testing.T, env *testAccEnv, jobType string) jobMark {
	t.Helper()
	env.SkipIfReal(t, "reads the emulator's job records")
	return jobMark{env: env, jobType: jobType, before: len(env.Emulator.JobIDs(jobType))}
}

// started lists the jobs of the type started since the mark, sorted.
func (m jobMark) started() []string {
	return framework.SortedStrings(m.env.Emulator.JobIDs(m.jobType)[m.before:])
}

// planAction sends PlanAction, as Terraform does once the configuration's
// values are known (ModifyPlan).
func (h *actionHarness) planAction(actionType string, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	h.t.Helper()
	resp, err := h.server.PlanAction(context.Background(), &tfprotov6.PlanActionRequest{
		ActionType: actionType, Config: h.config(actionType, attrs),
	})
	if err != nil {
		h.t.Fatalf("PlanAction: %v", err)
	}
	return resp.Diagnostics
}

// expectDetail asserts an error diagnostic with exactly this summary and detail.
func expectDetail(t *testing.T, diags []*tfprotov6.Diagnostic, summary, detail string) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError && d.Summary == summary && d.Detail == detail {
			return
		}
	}
	t.Errorf("no error diagnostic %q with detail:\n%s\ngot:\n%s", summary, detail, diagText(diags))
}
