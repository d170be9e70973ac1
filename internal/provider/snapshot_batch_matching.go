package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// A batch can select its desktops with desktops_matching instead of listing
// them in desktop_ids: the provider resolves the selection at each plan and
// apply, and keeps the desktops and snapshots in state as three JSON strings
// rather than a list and two maps. At 5000 to 20000 desktops a list or map
// of that size is most of what a plan costs Terraform core and
// plugin-framework (each compares and converts it element by element);
// one string each costs them almost nothing (README, "Large fleets").
//
// Inside the provider the batch is the same either way: getBatch unpacks the
// strings into desktop_ids and the maps, and the batch's state writers pack
// them again (snapshotBatchModel.stateForm).

// desktopsMatchingModel is desktops_matching: the selection, and what it
// selected. The JSON strings are inside it, not beside it: plugin-framework
// copies the schema's map of top-level attributes once per list or map
// element it walks, so each top-level attribute more made a listed batch of
// 20000 desktops allocate a tenth more per plan.
type desktopsMatchingModel struct {
	UserName                  types.String `tfsdk:"user_name"`
	NameRegex                 types.String `tfsdk:"name_regex"`
	ExceptIDs                 types.List   `tfsdk:"except_ids"`
	DesktopIDsJSON            types.String `tfsdk:"desktop_ids_json"`
	SystemDiskSnapshotIDsJSON types.String `tfsdk:"system_disk_snapshot_ids_json"`
	SnapshotDesktopIDsJSON    types.String `tfsdk:"snapshot_desktop_ids_json"`
}

// desktopsMatchingType is written out: objectTypeOf cannot tell a list's
// element type from its Go type.
var desktopsMatchingType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"user_name":                     types.StringType,
	"name_regex":                    types.StringType,
	"except_ids":                    types.ListType{ElemType: types.StringType},
	"desktop_ids_json":              types.StringType,
	"system_disk_snapshot_ids_json": types.StringType,
	"snapshot_desktop_ids_json":     types.StringType,
}}

// The JSON strings' paths, for plans that make them unknown.
var packedPaths = []path.Path{
	path.Root("desktops_matching").AtName("desktop_ids_json"),
	path.Root("desktops_matching").AtName("system_disk_snapshot_ids_json"),
	path.Root("desktops_matching").AtName("snapshot_desktop_ids_json"),
}

func desktopsMatchingAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: "Instead of `desktop_ids`: every desktop of the project that matches, as the provider lists them " +
			"at each plan and apply (`{}` selects them all). A desktop that starts to match joins the batch in place and " +
			"is snapshotted; one that stops matching (or is deleted) leaves it and its snapshots are deleted; the plan " +
			"warns how many, as the service lists them then. The desktops and snapshots are kept here, in " +
			"`desktop_ids_json`, `system_disk_snapshot_ids_json` and `snapshot_desktop_ids_json`, one string each, " +
			"and `desktop_ids`, `system_disk_snapshot_ids` and `snapshot_desktop_ids` stay null: for fleets of thousands of " +
			"desktops, whose lists and maps are most of what a plan costs Terraform. A selection that matches no desktop " +
			"fails the plan rather than deleting every snapshot.",
		Optional: true,
		Attributes: map[string]schema.Attribute{
			"user_name": schema.StringAttribute{
				MarkdownDescription: "Only desktops assigned to this user (exact match, done by the service).",
				Optional:            true,
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only desktops whose computer name matches this regular expression " +
					"([RE2 syntax](https://github.com/google/re2/wiki/Syntax), unanchored).",
				Optional:   true,
				Validators: []validator.String{regexSyntaxValidator{}},
			},
			"except_ids": schema.ListAttribute{
				MarkdownDescription: "Desktops left out even when they match (for example, one under maintenance). " + idFormatRule,
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.List{listvalidator.ValueStringsAre(idValidators("desktop")...)},
			},
			"desktop_ids_json": packedAttribute("The desktops the batch holds, as a JSON array of IDs, sorted " +
				"(`jsondecode(…)` gives the list)."),
			"system_disk_snapshot_ids_json": packedAttribute("The system disk snapshot each desktop got, by desktop ID, " +
				"as one JSON object: the batch's `system_disk_snapshot_ids`."),
			"snapshot_desktop_ids_json": packedAttribute("Every snapshot the jobs made, with its desktop (desktop ID by " +
				"snapshot ID), as one JSON object: the batch's `snapshot_desktop_ids`. `workspace_desktop_snapshot_restore` " +
				"takes it whole as `snapshot_ids_json`."),
		},
	}
}

// packedAttribute is one of the JSON strings a matching batch keeps.
func packedAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// matching reports whether the batch selects its desktops with desktops_matching.
func (m *snapshotBatchModel) matching() bool { return !m.DesktopsMatching.IsNull() }

// selection reads desktops_matching.
func (m *snapshotBatchModel) selection(ctx context.Context) (desktopsMatchingModel, diag.Diagnostics) {
	var sel desktopsMatchingModel
	diags := m.DesktopsMatching.As(ctx, &sel, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})
	return sel, diags
}

// getBatch reads a batch from a plan or state and unpacks what a matching
// batch keeps as JSON into desktop_ids and the snapshot maps.
func getBatch(ctx context.Context, get func(context.Context, any) diag.Diagnostics, m *snapshotBatchModel) diag.Diagnostics {
	diags := get(ctx, m)
	if diags.HasError() || !m.matching() || m.DesktopsMatching.IsUnknown() {
		return diags
	}
	sel, d := m.selection(ctx)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	unpack := func(s types.String, into any, name string) bool {
		ok, d := unpackJSON(s, into, name)
		diags.Append(d...)
		return ok
	}
	var ids []string
	if unpack(sel.DesktopIDsJSON, &ids, "desktop_ids_json") {
		m.DesktopIDs = stringListValue(ids)
	}
	system, desktopOf := map[string]string{}, map[string]string{}
	if unpack(sel.SnapshotDesktopIDsJSON, &desktopOf, "snapshot_desktop_ids_json") {
		unpack(sel.SystemDiskSnapshotIDsJSON, &system, "system_disk_snapshot_ids_json")
		m.SystemDiskSnapshotIDs, m.SnapshotDesktopIDs = stringMapValue(system), stringMapValue(desktopOf)
	}
	return diags
}

// unpackJSON decodes one of desktops_matching's strings (name) into into;
// false when it is null or unknown. What the provider wrote always decodes,
// so an error means a state edited by hand.
func unpackJSON(s types.String, into any, name string) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	if s.IsNull() || s.IsUnknown() {
		return false, diags
	}
	if err := json.Unmarshal([]byte(s.ValueString()), into); err != nil {
		diags.AddAttributeError(path.Root("desktops_matching").AtName(name), "Unable to read the batch's state",
			fmt.Sprintf("Attribute desktops_matching.%s holds no JSON the provider wrote: %s.", name, err))
	}
	return true, diags
}

// stateForm is the batch as state holds it: a matching batch's desktops and
// snapshots packed into desktops_matching's JSON strings, the list and maps
// null; a listing batch as it is.
func (m *snapshotBatchModel) stateForm() any {
	if !m.matching() {
		return m
	}
	out := *m
	attrs := maps.Clone(m.DesktopsMatching.Attributes())
	attrs["desktop_ids_json"] = packedMembers(m.DesktopIDs)
	attrs["system_disk_snapshot_ids_json"] = packedMap(m.SystemDiskSnapshotIDs)
	attrs["snapshot_desktop_ids_json"] = packedMap(m.SnapshotDesktopIDs)
	out.DesktopsMatching = types.ObjectValueMust(desktopsMatchingType.AttrTypes, attrs)
	out.DesktopIDs = types.ListNull(types.StringType)
	out.SystemDiskSnapshotIDs = types.MapNull(types.StringType)
	out.SnapshotDesktopIDs = types.MapNull(types.StringType)
	return &out
}

// setBatchState writes the batch to state in its state form.
func setBatchState(ctx context.Context, state *tfsdk.State, m *snapshotBatchModel) diag.Diagnostics {
	return state.Set(ctx, m.stateForm())
}

// setMembersState writes only the batch's desktops to state, in its state
// form: what a membership update records before it waits.
func setMembersState(ctx context.Context, state *tfsdk.State, m *snapshotBatchModel) diag.Diagnostics {
	if m.matching() {
		return state.SetAttribute(ctx, packedPaths[0], packedMembers(m.DesktopIDs))
	}
	return state.SetAttribute(ctx, path.Root("desktop_ids"), m.DesktopIDs)
}

// packedMembers is desktop IDs as a JSON array, sorted, so the same desktops
// are the same string whatever order they joined in.
func packedMembers(ids types.List) types.String {
	if ids.IsUnknown() {
		return types.StringUnknown()
	}
	out := make([]string, 0, len(ids.Elements()))
	for _, v := range ids.Elements() {
		if s, ok := v.(types.String); ok {
			out = append(out, s.ValueString())
		}
	}
	out = sortedStrings(workspace.Dedupe(out))
	return jsonString(out)
}

// packedMap is a string map as a JSON object (encoding/json sorts the keys).
func packedMap(m types.Map) types.String {
	if m.IsUnknown() {
		return types.StringUnknown()
	}
	out := make(map[string]string, len(m.Elements()))
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok {
			out[k] = s.ValueString()
		}
	}
	return jsonString(out)
}

func jsonString(v any) types.String {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return types.StringValue(string(b))
}

// resolveDesktops sets desktop_ids to what desktops_matching selects now.
func (m *snapshotBatchModel) resolveDesktops(ctx context.Context, client *workspace.Client) diag.Diagnostics {
	sel, diags := m.selection(ctx)
	if diags.HasError() {
		return diags
	}
	ids, d := matchingDesktops(ctx, client, sel)
	m.DesktopIDs = stringListValue(ids)
	return append(diags, d...)
}

// matchingDesktops resolves desktops_matching: the IDs of the project's
// desktops that match (as the workspace_desktops data source matches them),
// less except_ids, sorted.
func matchingDesktops(ctx context.Context, client *workspace.Client, sel desktopsMatchingModel) ([]string, diag.Diagnostics) {
	desktops, diags := listDesktopsMatching(ctx, client, workspace.ListDesktopsRequest{UserName: sel.UserName.ValueString()},
		sel.NameRegex.ValueString(), path.Root("desktops_matching").AtName("name_regex"))
	if diags.HasError() {
		return nil, diags
	}
	except := map[string]bool{}
	for _, id := range stringsOf(ctx, sel.ExceptIDs) {
		except[id] = true
	}
	ids := make([]string, 0, len(desktops))
	for _, d := range desktops {
		if !except[d.DesktopId] {
			ids = append(ids, d.DesktopId)
		}
	}
	ids = distinctIDs(ids)
	if len(ids) == 0 {
		diags.AddAttributeError(path.Root("desktops_matching"), "No desktop matches",
			"desktops_matching selects no desktop of this project and region. A batch holds at least one; "+
				"a selection that matches none is refused rather than taken to mean \"delete every snapshot\". "+
				"Widen the selection, or destroy the batch to delete its snapshots.")
	}
	return ids, diags
}

// planMatching plans a batch that selects its desktops. Who joins and
// leaves is known only as the service lists the desktops now, and the apply
// lists them again, so an update leaves what it recomputes unknown, and a
// warning says what it would do now. Any update does, not only a membership
// change: Terraform plans again at apply time and refuses a value known in
// the plan that turns unknown then (a desktop created in between). A batch
// with the same desktops and nothing else changed plans no change.
func planMatching(ctx context.Context, client *workspace.Client, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan snapshotBatchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sel, diags := plan.selection(ctx)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	known := client != nil && selectionKnown(sel)
	var ids []string
	if known {
		ids, diags = matchingDesktops(ctx, client, sel)
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			return
		}
	}
	if req.State.Raw.IsNull() || len(resp.RequiresReplace) > 0 {
		return // a create or replacement: everything computed is known after apply
	}
	// Only what the plan needs of the state: its desktops (and, when some
	// leave, its snapshots, to count theirs), decoded straight from the JSON.
	// Converting the whole batch to framework values cost this plan, made
	// twice per apply, most of its time at 5000 desktops.
	var before beforeMembership
	resp.Diagnostics.Append(before.read(ctx, req.State)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var added, removed []string
	if known {
		added, removed = membershipChange(before.desktops, ids)
		if len(added)+len(removed) == 0 && before.matching && before.status != batchStatusPending &&
			req.Plan.Raw.Equal(req.State.Raw) {
			return
		}
	}
	unknown := map[string]attr.Value{
		"system_disk_snapshot_ids": types.MapNull(types.StringType),
		"snapshot_desktop_ids":     types.MapNull(types.StringType),
		"failed_desktops":          types.MapUnknown(types.StringType),
		"job_ids":                  types.ListUnknown(types.StringType),
		"status":                   types.StringUnknown(),
	}
	for name, v := range unknown {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
	}
	for _, p := range packedPaths {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, p, types.StringUnknown())...)
	}
	if len(added)+len(removed) > 0 {
		leaving, diags := before.snapshotsOf(ctx, req.State, removed)
		resp.Diagnostics.Append(diags...)
		resp.Diagnostics.AddAttributeWarning(path.Root("desktops_matching"), "Desktops join or leave the batch in place",
			"The batch is updated, not replaced: "+membershipSummary(added, removed, leaving, before.retain)+
				", as the service lists the desktops now (the apply lists them again). The other desktops' snapshots are not touched.")
	}
}

// selectionKnown reports whether the selection's own settings are known
// (not the strings it keeps, which a plan may leave unknown).
func selectionKnown(sel desktopsMatchingModel) bool {
	if sel.UserName.IsUnknown() || sel.NameRegex.IsUnknown() || sel.ExceptIDs.IsUnknown() {
		return false
	}
	for _, v := range sel.ExceptIDs.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// beforeMembership is what planMatching reads of the state: the desktops
// the batch holds, in either form, and what the plan's warning says.
type beforeMembership struct {
	matching bool
	desktops []string
	packed   desktopsMatchingModel
	status   string
	retain   bool
}

func (b *beforeMembership) read(ctx context.Context, state tfsdk.State) diag.Diagnostics {
	var selection types.Object
	var listed types.List
	var status types.String
	var retain types.Bool
	var diags diag.Diagnostics
	diags.Append(state.GetAttribute(ctx, path.Root("desktops_matching"), &selection)...)
	diags.Append(state.GetAttribute(ctx, path.Root("status"), &status)...)
	diags.Append(state.GetAttribute(ctx, path.Root("retain_on_destroy"), &retain)...)
	if diags.HasError() {
		return diags
	}
	b.status, b.retain, b.matching = status.ValueString(), retain.ValueBool(), !selection.IsNull()
	if !b.matching {
		diags.Append(state.GetAttribute(ctx, path.Root("desktop_ids"), &listed)...)
		b.desktops = stringsOf(ctx, listed)
		return diags
	}
	diags.Append(selection.As(ctx, &b.packed, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	_, d := unpackJSON(b.packed.DesktopIDsJSON, &b.desktops, "desktop_ids_json")
	return append(diags, d...)
}

// snapshotsOf counts the snapshots the batch holds of the given desktops.
func (b *beforeMembership) snapshotsOf(ctx context.Context, state tfsdk.State, desktops []string) (int, diag.Diagnostics) {
	var diags diag.Diagnostics
	desktopOf := map[string]string{}
	if b.matching {
		_, diags = unpackJSON(b.packed.SnapshotDesktopIDsJSON, &desktopOf, "snapshot_desktop_ids_json")
	} else {
		var m types.Map
		diags.Append(state.GetAttribute(ctx, path.Root("snapshot_desktop_ids"), &m)...)
		desktopOf = stringMapOf(ctx, m)
	}
	leaving := make(map[string]bool, len(desktops))
	for _, d := range desktops {
		leaving[d] = true
	}
	n := 0
	for _, d := range desktopOf {
		if leaving[d] {
			n++
		}
	}
	return n, diags
}
