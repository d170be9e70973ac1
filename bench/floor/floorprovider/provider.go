// Package floorprovider is a provider that does nothing, with the workspace
// provider's shapes: floor_batch, floor_matching_batch and floor_restore hold
// the same values in state as workspace_desktop_snapshot_batch (by desktop_ids
// and by desktops_matching) and _restore, and no provider
// logic runs (no API call, validator or plan modifier; Read returns what it
// got). bench/floor times the terraform CLI against it, and
// internal/provider's BenchmarkFrameworkFloor* the protocol calls.
package floorprovider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

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
		func() resource.Resource { return matchingBatchResource{} },
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

// matchingBatchResource is workspace_desktop_snapshot_batch's state by
// desktops_matching: the provider finds the desktops, so the configuration
// holds no ID list, and the state holds JSON strings instead of the
// lists and maps. members is how many desktops the project holds (what
// desktops_matching selects from, N + 1 in the harness) and except how many
// of the last of them are left out (except_ids' length); the floor makes up
// IDs for them, as no configuration lists any.
type matchingBatchResource struct{ noWork }

func (matchingBatchResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "floor_matching_batch"
}

func (matchingBatchResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"members":                       schema.Int64Attribute{Required: true},
		"except":                        schema.Int64Attribute{Optional: true},
		"job_ids":                       schema.ListAttribute{ElementType: types.StringType, Computed: true},
		"status":                        schema.StringAttribute{Computed: true},
		"matched_desktop_ids_json":      schema.StringAttribute{Computed: true},
		"system_disk_snapshot_ids_json": schema.MapAttribute{ElementType: types.StringType, Computed: true},
		"snapshot_desktop_ids_json":     schema.MapAttribute{ElementType: types.StringType, Computed: true},
		"failed_desktops":               schema.MapAttribute{ElementType: types.StringType, Computed: true},
	}}
}

func (matchingBatchResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	n := matchedCount(ctx, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	jobs := []attr.Value{}
	for i := 0; i < n; i += 100 {
		jobs = append(jobs, types.StringValue(fmt.Sprintf("job-%08x", i)))
	}
	resp.Diagnostics.Append(setMatchingBatch(ctx, req.Plan, &resp.State, n, jobs,
		types.MapValueMust(types.StringType, map[string]attr.Value{}))...)
}

// Update is a desktop joining or leaving, in place as the workspace batch
// makes it: the strings made again for the new members, and one more job.
func (matchingBatchResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	n := matchedCount(ctx, req.Plan, &resp.Diagnostics)
	var jobs types.List
	var failed types.Map
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, pathOf("job_ids"), &jobs)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, pathOf("failed_desktops"), &failed)...)
	if resp.Diagnostics.HasError() {
		return
	}
	jobIDs := append(append([]attr.Value{}, jobs.Elements()...), types.StringValue(fmt.Sprintf("job-update-%08x", n)))
	resp.Diagnostics.Append(setMatchingBatch(ctx, req.Plan, &resp.State, n, jobIDs, failed)...)
}

// matchedCount is how many desktops a floor_matching_batch's plan selects.
func matchedCount(ctx context.Context, plan tfsdk.Plan, diags *diag.Diagnostics) int {
	var members, except types.Int64
	diags.Append(plan.GetAttribute(ctx, pathOf("members"), &members)...)
	diags.Append(plan.GetAttribute(ctx, pathOf("except"), &except)...)
	return max(0, int(members.ValueInt64()-except.ValueInt64()))
}

// setMatchingBatch writes a floor_matching_batch's state for its first n
// desktops: the inputs as planned, and the JSON strings.
func setMatchingBatch(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, n int, jobs []attr.Value, failed types.Map) diag.Diagnostics {
	var diags diag.Diagnostics
	var members, except types.Int64
	diags.Append(plan.GetAttribute(ctx, pathOf("members"), &members)...)
	diags.Append(plan.GetAttribute(ctx, pathOf("except"), &except)...)
	matched, system, pairs, err := MatchingJSON(n)
	if err != nil {
		diags.AddError("Cannot encode the matched desktops", err.Error())
		return diags
	}
	diags.Append(state.SetAttribute(ctx, pathOf("members"), members)...)
	diags.Append(state.SetAttribute(ctx, pathOf("except"), except)...)
	diags.Append(state.SetAttribute(ctx, pathOf("job_ids"), types.ListValueMust(types.StringType, jobs))...)
	diags.Append(state.SetAttribute(ctx, pathOf("status"), types.StringValue("SUCCESS"))...)
	diags.Append(state.SetAttribute(ctx, pathOf("matched_desktop_ids_json"), types.StringValue(matched))...)
	diags.Append(state.SetAttribute(ctx, pathOf("system_disk_snapshot_ids_json"), oneRun(system))...)
	diags.Append(state.SetAttribute(ctx, pathOf("snapshot_desktop_ids_json"), oneRun(pairs))...)
	diags.Append(state.SetAttribute(ctx, pathOf("failed_desktops"), failed)...)
	return diags
}

// oneRun is a snapshot string as the workspace batch keeps it, in a map by
// the apply that made the snapshots; the floor keeps all under the first
// (the same bytes as a join's two keys, give or take one).
func oneRun(doc string) types.Map {
	return types.MapValueMust(types.StringType, map[string]attr.Value{"1": types.StringValue(doc)})
}

// MatchingJSON is what a floor_matching_batch of n desktops holds: the
// sorted JSON array of their IDs, the object of desktop ID -> system disk
// snapshot ID, and the object of snapshot ID -> desktop ID (two per desktop).
// Every ID is 36 characters, as a UUID is; a desktop's IDs depend on its
// index alone, so a join or leave keeps the others'.
func MatchingJSON(n int) (matched, system, pairs string, err error) {
	ids := make([]string, n)
	systemOf := make(map[string]string, n)
	desktopOf := make(map[string]string, 2*n)
	for i := range ids {
		// The first hex digit varies as a UUID's does (as in bench/harness's floor).
		d := fmt.Sprintf("%x%07x-1512-4386-81fb-20604fe6%04x", i%16, i, i%0x10000)
		ids[i] = d
		systemOf[d] = fmt.Sprintf("%08x-2ee8-4ac8-9bf9-1e5ba8230000", i)
		desktopOf[fmt.Sprintf("%08x-2ee8-4ac8-9bf9-1e5ba8230000", i)] = d
		desktopOf[fmt.Sprintf("%08x-2ee8-4ac8-9bf9-1e5ba8231111", i)] = d
	}
	sort.Strings(ids)
	var out [3][]byte
	for i, v := range []any{ids, systemOf, desktopOf} {
		if out[i], err = json.Marshal(v); err != nil { // maps: keys sorted
			return "", "", "", err
		}
	}
	return string(out[0]), string(out[1]), string(out[2]), nil
}

// restoreResource is workspace_desktop_snapshot_restore's state.
type restoreResource struct{ noWork }

func (restoreResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "floor_restore"
}

func (restoreResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		// One or the other, as the workspace restore takes snapshot_ids or
		// snapshot_ids_json; nothing checks that (no validators).
		"snapshot_ids":      schema.ListAttribute{ElementType: types.StringType, Optional: true},
		"snapshot_ids_json": schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"job_ids":           schema.ListAttribute{ElementType: types.StringType, Computed: true},
		"status":            schema.StringAttribute{Computed: true},
		"failed_desktops":   schema.MapAttribute{ElementType: types.StringType, Computed: true},
	}}
}

func (restoreResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var snapshots types.List
	var snapshotsJSON types.Map
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, pathOf("snapshot_ids"), &snapshots)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, pathOf("snapshot_ids_json"), &snapshotsJSON)...)
	count := len(snapshots.Elements())
	if !snapshotsJSON.IsNull() {
		// The JSON objects of snapshot ID -> desktop ID a floor_matching_batch
		// makes; decoding them is the least a restore of them must do.
		count = 0
		for k, doc := range snapshotsJSON.Elements() {
			var pairs map[string]string
			text, _ := doc.(types.String) // a map of strings holds nothing else
			if err := json.Unmarshal([]byte(text.ValueString()), &pairs); err != nil {
				resp.Diagnostics.AddAttributeError(pathOf("snapshot_ids_json").AtMapKey(k), "Not a JSON object of strings", err.Error())
				return
			}
			count += len(pairs)
		}
	}
	jobs := []attr.Value{}
	for i := 0; i < count; i += 100 {
		jobs = append(jobs, types.StringValue(fmt.Sprintf("job-%08x", i)))
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathOf("snapshot_ids"), snapshots)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathOf("snapshot_ids_json"), snapshotsJSON)...)
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
