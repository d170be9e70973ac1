package provider

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// Resource identity at the protocol level (Terraform 1.12+ sends identities;
// the machines' CLI is 1.11.4): the RPCs that carry one, against the
// provider server the action harness configures.

const (
	batchType   = "workspace_desktop_snapshot_batch"
	restoreType = "workspace_desktop_snapshot_restore"
)

// jobsIdentity is a decoded identity of the batch or the restore.
type jobsIdentity struct {
	JobIDs    []string
	ProjectID string
	Region    string
}

func (h *actionHarness) identityType(typeName string) tftypes.Type {
	h.t.Helper()
	resp, err := h.server.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || hasErrors(resp.Diagnostics) {
		h.t.Fatalf("GetResourceIdentitySchemas: %v %s", err, diagText(resp.Diagnostics))
	}
	schema, ok := resp.IdentitySchemas[typeName]
	if !ok {
		h.t.Fatalf("%s has no identity schema", typeName)
	}
	return schema.ValueType()
}

// identityData encodes an identity as Terraform sends it from an import
// block: the given attributes, the others null.
func (h *actionHarness) identityData(typeName string, attrs map[string]tftypes.Value) *tfprotov6.ResourceIdentityData {
	h.t.Helper()
	typ := h.identityType(typeName)
	objType, ok := typ.(tftypes.Object)
	if !ok {
		h.t.Fatalf("identity type %s is not an object", typ)
	}
	values := map[string]tftypes.Value{}
	for name, attrType := range objType.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	for name, v := range attrs {
		values[name] = v
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		h.t.Fatal(err)
	}
	return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
}

// decodeIdentity reads an identity a response carried.
func (h *actionHarness) decodeIdentity(typeName string, data *tfprotov6.ResourceIdentityData) jobsIdentity {
	h.t.Helper()
	if data == nil || data.IdentityData == nil {
		h.t.Fatalf("%s: no identity in the response", typeName)
		return jobsIdentity{}
	}
	v, err := data.IdentityData.Unmarshal(h.identityType(typeName))
	if err != nil {
		h.t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		h.t.Fatalf("identity %s: %v", v, err)
	}
	var id jobsIdentity
	var jobs []tftypes.Value
	_ = attrs["job_ids"].As(&jobs)
	for _, j := range jobs {
		var s string
		_ = j.As(&s)
		id.JobIDs = append(id.JobIDs, s)
	}
	_ = attrs["project_id"].As(&id.ProjectID)
	_ = attrs["region"].As(&id.Region)
	return id
}

// importResource sends ImportResourceState with an ID (terraform import,
// or an import block's id) or an identity (an import block's identity).
func (h *actionHarness) importResource(typeName, id string, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ImportResourceStateResponse {
	h.t.Helper()
	resp, err := h.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
		TypeName: typeName, ID: id, Identity: identity,
	})
	if err != nil {
		h.t.Fatalf("ImportResourceState: %v", err)
	}
	return resp
}

// imported is the one resource an import without errors returned.
func (h *actionHarness) imported(resp *tfprotov6.ImportResourceStateResponse) *tfprotov6.ImportedResource {
	h.t.Helper()
	if hasErrors(resp.Diagnostics) || len(resp.ImportedResources) != 1 {
		h.t.Fatalf("import: %d resources\n%s", len(resp.ImportedResources), diagText(resp.Diagnostics))
	}
	return resp.ImportedResources[0]
}

// readResource sends ReadResource, as a refresh does.
func (h *actionHarness) readResource(typeName string, state *tfprotov6.DynamicValue, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ReadResourceResponse {
	h.t.Helper()
	resp, err := h.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName: typeName, CurrentState: state, CurrentIdentity: identity,
	})
	if err != nil {
		h.t.Fatalf("ReadResource: %v", err)
	}
	return resp
}

// stateValue decodes a resource state for comparison.
func (h *actionHarness) stateValue(typeName string, state *tfprotov6.DynamicValue) tftypes.Value {
	h.t.Helper()
	schemaResp, err := h.server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		h.t.Fatal(err)
	}
	v, err := state.Unmarshal(schemaResp.ResourceSchemas[typeName].ValueType())
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

// identityUnchanged asserts that a resource's identity stays what it was
// the first time the check ran (use one value across steps).
type identityUnchanged struct {
	addr  string
	first *map[string]any
}

func newIdentityUnchanged(addr string) identityUnchanged {
	return identityUnchanged{addr: addr, first: new(map[string]any)}
}

func (c identityUnchanged) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil {
		resp.Error = fmt.Errorf("no state")
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != c.addr {
			continue
		}
		switch {
		case len(r.IdentityValues) == 0:
			resp.Error = fmt.Errorf("%s has no identity in state", c.addr)
		case *c.first == nil:
			*c.first = r.IdentityValues
		case !reflect.DeepEqual(*c.first, r.IdentityValues):
			resp.Error = fmt.Errorf("%s's identity changed from %v to %v", c.addr, *c.first, r.IdentityValues)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in state", c.addr)
}
