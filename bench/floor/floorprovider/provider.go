// Package floorprovider is a provider that does nothing, with the workspace
// provider's shapes: floor_batch and floor_restore hold the same values in
// state as workspace_desktop_snapshot_batch and _restore, and no provider
// logic runs (no API call, validator or plan modifier; Read returns what it
// got). bench/floor times the terraform CLI against it, and
// internal/provider's BenchmarkFrameworkFloor* the protocol calls.
package floorprovider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// New returns the provider.
func New() provider.Provider { return floorProvider{} }

type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "floor"
}
func (floorProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return batchResource{} },
		func() resource.Resource { return restoreResource{} },
	}
}

// batchResource is workspace_desktop_snapshot_batch's state: the desktop
// IDs, a system disk snapshot per desktop, every snapshot's desktop.
type batchResource struct{ noWork }

func (batchResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "floor_batch"
}

func (batchResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"desktop_ids":              schema.ListAttribute{ElementType: types.StringType, Required: true},
		"job_ids":                  schema.ListAttribute{ElementType: types.StringType, Computed: true},
		"status":                   schema.StringAttribute{Computed: true},
		"system_disk_snapshot_ids": schema.MapAttribute{ElementType: types.StringType, Computed: true},
		"snapshot_desktop_ids":     schema.MapAttribute{ElementType: types.StringType, Computed: true},
		"failed_desktops":          schema.MapAttribute{ElementType: types.StringType, Computed: true},
	}}
}

func (batchResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var desktops types.List
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, pathOf("desktop_ids"), &desktops)...)
	system, pairs := map[string]attr.Value{}, map[string]attr.Value{}
	jobs := []attr.Value{}
	var ids []string
	resp.Diagnostics.Append(desktops.ElementsAs(ctx, &ids, false)...)
	for i, d := range ids {
		system[d] = types.StringValue(fmt.Sprintf("%08x-2ee8-4ac8-9bf9-1e5ba8230000", i))
		pairs[fmt.Sprintf("%08x-2ee8-4ac8-9bf9-1e5ba8230000", i)] = types.StringValue(d)
		pairs[fmt.Sprintf("%08x-2ee8-4ac8-9bf9-1e5ba8231111", i)] = types.StringValue(d)
		if i%100 == 0 {
			jobs = append(jobs, types.StringValue(fmt.Sprintf("job-%08x", i)))
		}
	}
	resp.Diagnostics.Append(setBatch(ctx, &resp.State, desktops, jobs, system, pairs,
		types.MapValueMust(types.StringType, map[string]attr.Value{}))...)
}

// Update is a membership change, as the workspace batch makes one in place:
// the state's values, less the desktops that left, plus made-up snapshots
// for those that joined, and the plan's desktop_ids.
func (batchResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var before, after []string
	var desktops types.List
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, pathOf("desktop_ids"), &desktops)...)
	resp.Diagnostics.Append(desktops.ElementsAs(ctx, &after, false)...)
	var current types.List
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, pathOf("desktop_ids"), &current)...)
	resp.Diagnostics.Append(current.ElementsAs(ctx, &before, false)...)
	var jobs types.List
	var system, pairs, failed types.Map
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, pathOf("job_ids"), &jobs)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, pathOf("system_disk_snapshot_ids"), &system)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, pathOf("snapshot_desktop_ids"), &pairs)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, pathOf("failed_desktops"), &failed)...)
	if resp.Diagnostics.HasError() {
		return
	}
	systemOf, desktopOf := copyMap(system.Elements()), copyMap(pairs.Elements())
	stays := map[string]bool{}
	for _, d := range after {
		stays[d] = true
	}
	for snapshot, d := range desktopOf {
		if s, ok := d.(types.String); !ok || !stays[s.ValueString()] {
			delete(desktopOf, snapshot)
		}
	}
	had := map[string]bool{}
	for _, d := range before {
		had[d] = true
		if !stays[d] {
			delete(systemOf, d)
		}
	}
	jobIDs := append([]attr.Value{}, jobs.Elements()...)
	for i, d := range after {
		if had[d] {
			continue
		}
		snapshot := fmt.Sprintf("%08x-2ee8-4ac8-9bf9-1e5ba823%04x", i, len(jobIDs)%0x10000)
		systemOf[d] = types.StringValue(snapshot)
		desktopOf[snapshot] = types.StringValue(d)
		desktopOf[snapshot+"-data"] = types.StringValue(d)
		jobIDs = append(jobIDs, types.StringValue(fmt.Sprintf("job-update-%08x", i)))
	}
	resp.Diagnostics.Append(setBatch(ctx, &resp.State, desktops, jobIDs, systemOf, desktopOf, failed)...)
}

// setBatch writes a floor_batch's state, as Create and Update make it.
func setBatch(ctx context.Context, state *tfsdk.State, desktops types.List, jobs []attr.Value,
	system, pairs map[string]attr.Value, failed types.Map) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(state.SetAttribute(ctx, pathOf("desktop_ids"), desktops)...)
	diags.Append(state.SetAttribute(ctx, pathOf("job_ids"), types.ListValueMust(types.StringType, jobs))...)
	diags.Append(state.SetAttribute(ctx, pathOf("status"), types.StringValue("SUCCESS"))...)
	diags.Append(state.SetAttribute(ctx, pathOf("system_disk_snapshot_ids"), types.MapValueMust(types.StringType, system))...)
	diags.Append(state.SetAttribute(ctx, pathOf("snapshot_desktop_ids"), types.MapValueMust(types.StringType, pairs))...)
	diags.Append(state.SetAttribute(ctx, pathOf("failed_desktops"), failed)...)
	return diags
}

func copyMap(m map[string]attr.Value) map[string]attr.Value {
	out := make(map[string]attr.Value, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// restoreResource is workspace_desktop_snapshot_restore's state.
type restoreResource struct{ noWork }

func (restoreResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "floor_restore"
}

func (restoreResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"snapshot_ids":    schema.ListAttribute{ElementType: types.StringType, Required: true},
		"job_ids":         schema.ListAttribute{ElementType: types.StringType, Computed: true},
		"status":          schema.StringAttribute{Computed: true},
		"failed_desktops": schema.MapAttribute{ElementType: types.StringType, Computed: true},
	}}
}

func (restoreResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var snapshots types.List
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, pathOf("snapshot_ids"), &snapshots)...)
	jobs := []attr.Value{}
	for i := 0; i < len(snapshots.Elements()); i += 100 {
		jobs = append(jobs, types.StringValue(fmt.Sprintf("job-%08x", i)))
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathOf("snapshot_ids"), snapshots)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathOf("job_ids"), types.ListValueMust(types.StringType, jobs))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathOf("status"), types.StringValue("SUCCESS"))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathOf("failed_desktops"), types.MapValueMust(types.StringType, map[string]attr.Value{}))...)
}

func pathOf(name string) path.Path { return path.Root(name) }

// noWork is what both resources do besides create: nothing. Read returns
// the state it got, as the framework prefills it.
type noWork struct{}

func (noWork) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (noWork) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (noWork) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
