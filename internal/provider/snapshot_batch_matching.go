package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// A batch can select its desktops with desktops_matching instead of listing
// them in desktop_ids: the provider resolves the selection at each plan and
// keeps the desktops and snapshots in state as JSON strings rather than a
// list and two maps. At 5000 to 20000 desktops a list or map
// of that size is most of what a plan costs Terraform core and
// plugin-framework (each compares and converts it element by element);
// one string each costs them almost nothing (the large fleets guide,
// docs/guides/large-fleets.md).
//
// Inside the provider the batch is the same either way: getBatch unpacks the
// strings into desktop_ids and the maps, and the batch's state writers pack
// them again (snapshotBatchModel.stateForm).
//
// The snapshots are kept as one JSON string per apply that made them (a
// "run"), in a map keyed by the run's number, not one string in all: a join
// then adds a key the plan shows as known after apply, while the others
// stay known and Terraform hides them. Terraform prints a string turning
// unknown in full, so one string in all printed every snapshot of the batch
// for a one-desktop join; a list would print its neighbours too.

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
	SystemDiskSnapshotIDsJSON types.Map    `tfsdk:"system_disk_snapshot_ids_json"`
	SnapshotDesktopIDsJSON    types.Map    `tfsdk:"snapshot_desktop_ids_json"`
	FormerSnapshotsJSON       types.String `tfsdk:"former_snapshot_desktop_ids_json"`
}

// desktopsMatchingType is written out: framework.ObjectTypeOf cannot tell a list's
// element type from its Go type.
var desktopsMatchingType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"user_name":                        types.StringType,
	"name_regex":                       types.StringType,
	"except_ids":                       types.ListType{ElemType: types.StringType},
	"desktop_ids_json":                 types.StringType,
	"system_disk_snapshot_ids_json":    types.MapType{ElemType: types.StringType},
	"snapshot_desktop_ids_json":        types.MapType{ElemType: types.StringType},
	"former_snapshot_desktop_ids_json": types.StringType,
}}

// membersPath is where a matching batch keeps its desktops.
var membersPath = path.Root("desktops_matching").AtName("desktop_ids_json")

func desktopsMatchingAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: "Instead of `desktop_ids`: every desktop of the project that matches (`{}` selects them all). " +
			"Which desktops join or leave is decided when Terraform plans, and the plan shows them in `desktop_ids_json`; " +
			"the apply does that and nothing else. A desktop that starts to match joins in place and is snapshotted. One " +
			"that stops matching, is put in `except_ids` or is deleted leaves the batch, but **its snapshots are not " +
			"deleted**: they move to `former_snapshot_desktop_ids_json` and stay with the batch until it is replaced or " +
			"destroyed (kept with `retain_on_destroy`). A desktop missing from the service's listing leaves only once a " +
			"lookup by its ID confirms it is gone or no longer matches. A selection that matches no desktop fails the plan. " +
			"The desktops and snapshots are kept as JSON strings, and `desktop_ids`, `system_disk_snapshot_ids` and " +
			"`snapshot_desktop_ids` stay null: see the guide on large fleets.",
		Optional: true,
		Attributes: map[string]schema.Attribute{
			"user_name": schema.StringAttribute{
				MarkdownDescription: "Only desktops assigned to this user, exactly: the service's filter is fuzzy " +
					"(`alice` also finds `alice2`), so the provider keeps only exact matches of what it returns.",
				Optional: true,
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only desktops whose computer name matches this regular expression " +
					"([RE2 syntax](https://github.com/google/re2/wiki/Syntax), unanchored).",
				Optional:   true,
				Validators: []validator.String{regexSyntaxValidator{}},
			},
			"except_ids": schema.ListAttribute{
				MarkdownDescription: "Desktops left out even when they match. A member put here leaves the batch: it is not " +
					"snapshotted again, and the snapshots it has stay with the batch (in `former_snapshot_desktop_ids_json`) " +
					"until the batch is replaced or destroyed. " + framework.IDFormatRule,
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.List{listvalidator.ValueStringsAre(framework.IDValidators("desktop")...)},
			},
			"desktop_ids_json": packedAttribute("The desktops the batch holds, as a JSON object keyed by desktop ID " +
				"(each value `true`): `keys(jsondecode(…))` gives the sorted list, and `for_each` takes `jsondecode(…)` as it is. " +
				"An object rather than an array, because Terraform shows a change to an object by its keys, quickly, and " +
				"to an array by aligning its elements, which takes it seconds at thousands of desktops."),
			"system_disk_snapshot_ids_json": packedRunsAttribute("The system disk snapshot each desktop got, by desktop " +
				"ID: the batch's `system_disk_snapshot_ids`, as one JSON object per apply that made snapshots, keyed as in " +
				"`snapshot_desktop_ids_json`. `merge([for s in values(…) : jsondecode(s)]...)` gives the whole map."),
			"snapshot_desktop_ids_json": packedRunsAttribute("Every snapshot the jobs made, with its desktop (desktop ID " +
				"by snapshot ID): the batch's `snapshot_desktop_ids`, as one JSON object per apply that made snapshots, " +
				"keyed by the apply's number (`\"1\"` for the create). A join adds a key and leaves the others as they were, " +
				"so its plan shows one value known after apply rather than every snapshot. `workspace_desktop_snapshot_restore` " +
				"takes the map as it is as `snapshot_ids_json`."),
			"former_snapshot_desktop_ids_json": packedAttribute("The snapshots of desktops that left the batch (stopped " +
				"matching, put in `except_ids`, or deleted), desktop ID by snapshot ID, as one JSON object. The batch keeps " +
				"them until it is replaced or destroyed, and deletes them then with the rest (unless `retain_on_destroy`); " +
				"a restore of `snapshot_desktop_ids_json` does not name them."),
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

// packedRunsAttribute is one of the maps of JSON strings, one per run, in
// which a matching batch keeps its snapshots.
func packedRunsAttribute(description string) schema.MapAttribute {
	return schema.MapAttribute{
		MarkdownDescription: description,
		ElementType:         types.StringType,
		Computed:            true,
		PlanModifiers:       []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
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
// batch keeps as JSON into desktop_ids, the snapshot maps and
// FormerSnapshots (desktop_ids unknown when the plan left the desktops to
// the apply).
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
	if ids, ok, d := unpackMembers(sel.DesktopIDsJSON); ok {
		m.DesktopIDs = framework.StringListValue(ids)
		diags.Append(d...)
	} else if sel.DesktopIDsJSON.IsUnknown() {
		m.DesktopIDs = types.ListUnknown(types.StringType)
	}
	if system, desktopOf, runs, ok, d := unpackRuns(sel); ok {
		diags.Append(d...)
		m.SystemDiskSnapshotIDs, m.SnapshotDesktopIDs, m.Runs = framework.StringMapValue(system), framework.StringMapValue(desktopOf), runs
	}
	m.FormerSnapshots = map[string]string{}
	unpack(sel.FormerSnapshotsJSON, &m.FormerSnapshots, "former_snapshot_desktop_ids_json")
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
	if m.SystemDiskSnapshotIDs.IsUnknown() || m.SnapshotDesktopIDs.IsUnknown() {
		attrs["system_disk_snapshot_ids_json"] = types.MapUnknown(types.StringType)
		attrs["snapshot_desktop_ids_json"] = types.MapUnknown(types.StringType)
	} else {
		system, desktopOf := m.Runs.pack(plainMap(m.SystemDiskSnapshotIDs), plainMap(m.SnapshotDesktopIDs))
		attrs["system_disk_snapshot_ids_json"], attrs["snapshot_desktop_ids_json"] = system, desktopOf
	}
	attrs["former_snapshot_desktop_ids_json"] = packedFormer(m.FormerSnapshots)
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
		return state.SetAttribute(ctx, membersPath, packedMembers(m.DesktopIDs))
	}
	return state.SetAttribute(ctx, path.Root("desktop_ids"), m.DesktopIDs)
}

// packedMembers is desktop IDs as desktop_ids_json holds them.
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
	return membersJSON(out)
}

// membersJSON is desktop IDs as a JSON object keyed by them (encoding/json
// sorts the keys), so the same desktops are the same string whatever
// order they joined in.
func membersJSON(ids []string) types.String {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return jsonString(set)
}

// unpackMembers reads desktop_ids_json, sorted; false when it is null or
// unknown. A JSON array, as builds before the object wrote it, reads too.
func unpackMembers(s types.String) ([]string, bool, diag.Diagnostics) {
	var set map[string]bool
	ok, diags := unpackJSON(s, &set, "desktop_ids_json")
	if !ok {
		return nil, false, nil
	}
	if diags.HasError() {
		var ids []string
		if json.Unmarshal([]byte(s.ValueString()), &ids) == nil {
			return framework.DistinctIDs(ids), true, nil
		}
		return nil, true, diags
	}
	return framework.SortedStrings(slices.Collect(maps.Keys(set))), true, nil
}

// plainMap is a known string map in plain Go.
func plainMap(m types.Map) map[string]string {
	out := make(map[string]string, len(m.Elements()))
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok {
			out[k] = s.ValueString()
		}
	}
	return out
}

// snapshotRuns says under which key of a matching batch's snapshot maps
// each snapshot is: one key per apply (run) that made snapshots, its number.
type snapshotRuns struct {
	of   map[string]string // snapshot ID -> its run's key, as read from state
	next string            // the key a new run gets: one more than the highest in state
	// open makes pack add the new run even when no snapshot is new: an
	// apply whose plan showed one (a join) must write one.
	open bool
}

// newRun is the key of the run an apply adds.
func (r snapshotRuns) newRun() string {
	if r.next == "" {
		return "1"
	}
	return r.next
}

// pack splits a batch's snapshots (system: desktop ID -> its system disk
// snapshot; desktopOf: snapshot ID -> desktop ID) into the two maps of JSON
// objects state keeps. A snapshot stays under the key it was under, new
// ones go under the new run's, and a run left empty goes, so a plan that
// computes the same membership computes the same maps.
func (r snapshotRuns) pack(system, desktopOf map[string]string) (systemRuns, desktopRuns types.Map) {
	sys, dof := map[string]map[string]string{}, map[string]map[string]string{}
	runOf := func(snapshotID string) string {
		if k, ok := r.of[snapshotID]; ok {
			return k
		}
		return r.newRun()
	}
	add := func(into map[string]map[string]string, run, k, v string) {
		if into[run] == nil {
			into[run] = map[string]string{}
		}
		into[run][k] = v
	}
	for id, d := range desktopOf {
		add(dof, runOf(id), id, d)
	}
	for d, id := range system {
		add(sys, runOf(id), d, id)
	}
	if r.open && dof[r.newRun()] == nil {
		dof[r.newRun()] = map[string]string{}
	}
	sysOut, dofOut := map[string]attr.Value{}, map[string]attr.Value{}
	for run := range dof {
		sysOut[run], dofOut[run] = jsonString(nonNil(sys[run])), jsonString(dof[run])
	}
	for run := range sys {
		if _, ok := sysOut[run]; !ok {
			sysOut[run], dofOut[run] = jsonString(sys[run]), jsonString(map[string]string{})
		}
	}
	return types.MapValueMust(types.StringType, sysOut), types.MapValueMust(types.StringType, dofOut)
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// withNewRunUnknown is a packed map with the new run's key unknown: what a
// plan shows of an apply that snapshots joiners.
func (r snapshotRuns) withNewRunUnknown(m types.Map) types.Map {
	elems := maps.Clone(m.Elements())
	elems[r.newRun()] = types.StringUnknown()
	return types.MapValueMust(types.StringType, elems)
}

// unpackRuns reads a matching batch's snapshot maps into one map each and
// where each snapshot is; false when they are null or unknown.
func unpackRuns(sel desktopsMatchingModel) (system, desktopOf map[string]string, runs snapshotRuns, ok bool, diags diag.Diagnostics) {
	system, desktopOf, runs.of = map[string]string{}, map[string]string{}, map[string]string{}
	for _, m := range []types.Map{sel.SnapshotDesktopIDsJSON, sel.SystemDiskSnapshotIDsJSON} {
		if m.IsNull() || m.IsUnknown() {
			return system, desktopOf, runs, false, diags
		}
	}
	highest := 0
	for run, v := range sel.SnapshotDesktopIDsJSON.Elements() {
		if n, err := strconv.Atoi(run); err == nil && n > highest {
			highest = n
		}
		into := map[string]string{}
		if s, isString := v.(types.String); isString {
			diags.Append(unpackElement(s, &into, "snapshot_desktop_ids_json", run)...)
		}
		for id, d := range into {
			desktopOf[id], runs.of[id] = d, run
		}
	}
	for run, v := range sel.SystemDiskSnapshotIDsJSON.Elements() {
		into := map[string]string{}
		if s, isString := v.(types.String); isString {
			diags.Append(unpackElement(s, &into, "system_disk_snapshot_ids_json", run)...)
		}
		maps.Copy(system, into)
	}
	runs.next = strconv.Itoa(highest + 1)
	return system, desktopOf, runs, true, diags
}

// unpackElement decodes one run's string of desktops_matching's maps.
func unpackElement(s types.String, into any, name, run string) diag.Diagnostics {
	var diags diag.Diagnostics
	if s.IsNull() || s.IsUnknown() {
		return diags
	}
	if err := json.Unmarshal([]byte(s.ValueString()), into); err != nil {
		diags.AddAttributeError(path.Root("desktops_matching").AtName(name).AtMapKey(run), "Unable to read the batch's state",
			fmt.Sprintf("Run %q of desktops_matching.%s holds no JSON the provider wrote: %s.", run, name, err))
	}
	return diags
}

func jsonString(v any) types.String {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return types.StringValue(string(b))
}

// resolveDesktops sets desktop_ids to what desktops_matching selects now.
// It lists at apply only when the plan could not (its selection was
// unknown then); neither a join nor an implicit leave deletes anything.
func (m *snapshotBatchModel) resolveDesktops(ctx context.Context, client *workspace.Client, members []string) diag.Diagnostics {
	sel, diags := m.selection(ctx)
	if diags.HasError() {
		return diags
	}
	ids, d := matchingDesktops(ctx, client, sel, members)
	m.DesktopIDs = framework.StringListValue(ids)
	return append(diags, d...)
}

// matchingDesktops resolves desktops_matching: the IDs of the project's
// desktops that match (as the workspace_desktops data source matches them),
// less except_ids, sorted. members are the desktops the batch holds: one
// missing from the listing stays unless a lookup by its ID shows it gone or
// no longer matching, so a listing that comes back short moves no desktop
// out of the batch.
func matchingDesktops(ctx context.Context, client *workspace.Client, sel desktopsMatchingModel, members []string) ([]string, diag.Diagnostics) {
	selection, diags := newDesktopSelection(workspace.ListDesktopsRequest{UserName: sel.UserName.ValueString()},
		sel.NameRegex.ValueString(), path.Root("desktops_matching").AtName("name_regex"))
	if diags.HasError() {
		return nil, diags
	}
	desktops, diags := selection.list(ctx, client)
	if diags.HasError() {
		return nil, diags
	}
	except := map[string]bool{}
	for _, id := range framework.StringsOf(ctx, sel.ExceptIDs) {
		except[id] = true
	}
	listed := make(map[string]bool, len(desktops))
	ids := make([]string, 0, len(desktops))
	for _, d := range desktops {
		listed[d.DesktopId] = true
		if !except[d.DesktopId] {
			ids = append(ids, d.DesktopId)
		}
	}
	var missing []string
	for _, id := range members {
		if !listed[id] && !except[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		lookup, err := client.LookupDesktops(ctx, missing)
		if err != nil {
			diags.Append(framework.ErrorDiagnostic("Unable to list desktops", err, client.CredentialSource()))
			return nil, diags
		}
		for _, id := range missing {
			d, found := lookup.Found[id]
			switch {
			case !lookup.Filtered:
				ids = append(ids, id) // the service ignored the ID filter: absence is not proven
			case found && selection.selects(d):
				ids = append(ids, id) // the listing missed it
			}
		}
	}
	ids = framework.DistinctIDs(ids)
	if len(ids) == 0 {
		diags.AddAttributeError(path.Root("desktops_matching"), "No desktop matches",
			"desktops_matching selects no desktop of this project and region. A batch holds at least one; "+
				"a selection that matches none is refused rather than taken to mean \"delete every snapshot\". "+
				"Widen the selection, or destroy the batch to delete its snapshots.")
	}
	return ids, diags
}

// planMatching plans a batch that selects its desktops. Who joins and
// leaves is decided here, from the service's listing now, and planned as
// known values: desktop_ids_json, and every string and status a change
// without joiners leaves as it computes them. Terraform plans again at apply
// time and refuses an apply whose values differ from the plan the user
// approved, so the apply can do nothing the plan did not show: when the
// desktops change between plan and apply, it stops, and the next plan shows
// the change.
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
	creating := req.State.Raw.IsNull() || len(resp.RequiresReplace) > 0
	// Only what the plan needs of the state, decoded straight from the JSON:
	// converting the whole batch to framework values cost this plan, made
	// twice per apply, most of its time at 5000 desktops.
	var before beforeMembership
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(before.read(ctx, req.State)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if client == nil || !selectionKnown(sel) {
		if !creating {
			// Nothing to decide on: the apply lists, and neither a join nor
			// an implicit leave deletes a snapshot.
			resp.Diagnostics.Append(planSnapshotsUnknown(ctx, resp, true)...)
		}
		return
	}
	ids, diags := matchingDesktops(ctx, client, sel, before.desktops)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if creating {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, membersPath, membersJSON(ids))...)
		return
	}
	added, removed := membershipChange(before.desktops, ids)
	if len(added)+len(removed) == 0 && before.matching {
		return // the plan holds the state's strings and status: they do not change
	}
	after, runs, diags := before.membership(ctx, req.State)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	leaving := after.leave(removed, true)
	after.desktops = ids
	attrs := maps.Clone(plan.DesktopsMatching.Attributes())
	attrs["desktop_ids_json"] = membersJSON(ids)
	if before.status == jobrun.StatusPending {
		// The apply first settles the earlier jobs, which may add records to
		// any of the strings.
		attrs["system_disk_snapshot_ids_json"] = types.MapUnknown(types.StringType)
		attrs["snapshot_desktop_ids_json"] = types.MapUnknown(types.StringType)
		attrs["former_snapshot_desktop_ids_json"] = types.StringUnknown()
		resp.Diagnostics.Append(planSnapshotsUnknown(ctx, resp, false)...)
	} else {
		attrs["former_snapshot_desktop_ids_json"] = packedFormer(after.former)
		system, desktopOf := runs.pack(after.system, after.desktopOf)
		if len(added) > 0 {
			// The joiners' snapshots are known after apply, under a new key;
			// the others do not change.
			system, desktopOf = runs.withNewRunUnknown(system), runs.withNewRunUnknown(desktopOf)
			resp.Diagnostics.Append(planSnapshotsUnknown(ctx, resp, false)...)
		} else {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("failed_desktops"), framework.StringMapValue(after.failed))...)
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringValue(after.status()))...)
		}
		attrs["system_disk_snapshot_ids_json"], attrs["snapshot_desktop_ids_json"] = system, desktopOf
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("desktops_matching"),
		types.ObjectValueMust(desktopsMatchingType.AttrTypes, attrs))...)
	for _, name := range []string{"system_disk_snapshot_ids", "snapshot_desktop_ids"} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.MapNull(types.StringType))...)
	}
	if len(added)+len(removed) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("desktops_matching"), "Desktops join or leave the batch in place",
			"The batch is updated, not replaced: "+matchingSummary(added, removed, len(leaving))+
				". The other desktops' snapshots are not touched. This is what the apply does: if the desktops "+
				"change before it runs, Terraform stops the apply of this batch (\"inconsistent final plan\") and "+
				"nothing is snapshotted or moved; plan again.")
	}
}

// planSnapshotsUnknown plans as unknown what a membership change the plan
// cannot foresee recomputes; members too when the apply decides them.
func planSnapshotsUnknown(ctx context.Context, resp *resource.ModifyPlanResponse, members bool) diag.Diagnostics {
	var diags diag.Diagnostics
	unknown := map[string]attr.Value{
		"failed_desktops": types.MapUnknown(types.StringType),
		"job_ids":         types.ListUnknown(types.StringType),
		"status":          types.StringUnknown(),
	}
	for name, v := range unknown {
		diags.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
	}
	if members {
		for _, name := range []string{"desktop_ids_json", "former_snapshot_desktop_ids_json"} {
			diags.Append(resp.Plan.SetAttribute(ctx, path.Root("desktops_matching").AtName(name), types.StringUnknown())...)
		}
		for _, name := range []string{"system_disk_snapshot_ids_json", "snapshot_desktop_ids_json"} {
			diags.Append(resp.Plan.SetAttribute(ctx, path.Root("desktops_matching").AtName(name), types.MapUnknown(types.StringType))...)
		}
	}
	return diags
}

// matchingSummary says what a matching batch's membership change does.
func matchingSummary(added, removed []string, leaving int) string {
	var parts []string
	if len(added) > 0 {
		parts = append(parts, fmt.Sprintf("%s to snapshot (%s)", framework.CountOf(len(added), "desktop"), framework.AbbreviateIDs(added, framework.MaxNamedIDs)))
	}
	if len(removed) > 0 {
		parts = append(parts, fmt.Sprintf("%s leave%s the batch (%s); %s of %s kept, in "+
			"former_snapshot_desktop_ids_json, until the batch is replaced or destroyed: none is deleted now",
			framework.CountOf(len(removed), "desktop"), verbS(len(removed)), framework.AbbreviateIDs(removed, framework.MaxNamedIDs),
			framework.CountOf(leaving, "snapshot"), pronounFor(len(removed))))
	}
	return joinParts(parts)
}

func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// packedFormer is FormerSnapshots as state holds it: null while there are
// none, so a batch written before the attribute existed plans no change.
func packedFormer(former map[string]string) types.String {
	if len(former) == 0 {
		return types.StringNull()
	}
	return jsonString(former)
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
// the batch holds, in either form, and its status.
type beforeMembership struct {
	matching bool
	desktops []string
	packed   desktopsMatchingModel
	status   string
}

func (b *beforeMembership) read(ctx context.Context, state tfsdk.State) diag.Diagnostics {
	var selection types.Object
	var listed types.List
	var status types.String
	var diags diag.Diagnostics
	diags.Append(state.GetAttribute(ctx, path.Root("desktops_matching"), &selection)...)
	diags.Append(state.GetAttribute(ctx, path.Root("status"), &status)...)
	if diags.HasError() {
		return diags
	}
	b.status, b.matching = status.ValueString(), !selection.IsNull()
	if !b.matching {
		diags.Append(state.GetAttribute(ctx, path.Root("desktop_ids"), &listed)...)
		b.desktops = framework.StringsOf(ctx, listed)
		return diags
	}
	diags.Append(selection.As(ctx, &b.packed, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	desktops, _, d := unpackMembers(b.packed.DesktopIDsJSON)
	b.desktops = desktops
	return append(diags, d...)
}

// membership is the rest of the state's batch in plain Go: its snapshots,
// former snapshots and failed desktops, from the JSON when it is matching,
// and where the JSON lists hold each snapshot.
func (b *beforeMembership) membership(ctx context.Context, state tfsdk.State) (*batchMembership, snapshotRuns, diag.Diagnostics) {
	out := &batchMembership{desktops: b.desktops, system: map[string]string{}, desktopOf: map[string]string{},
		former: map[string]string{}}
	var runs snapshotRuns
	var diags diag.Diagnostics
	var failed types.Map
	diags.Append(state.GetAttribute(ctx, path.Root("failed_desktops"), &failed)...)
	out.failed = framework.StringMapOf(ctx, failed)
	if out.failed == nil {
		out.failed = map[string]string{}
	}
	if b.matching {
		var d diag.Diagnostics
		out.system, out.desktopOf, runs, _, d = unpackRuns(b.packed)
		diags.Append(d...)
		_, d = unpackJSON(b.packed.FormerSnapshotsJSON, &out.former, "former_snapshot_desktop_ids_json")
		return out, runs, append(diags, d...)
	}
	var system, desktopOf types.Map
	diags.Append(state.GetAttribute(ctx, path.Root("system_disk_snapshot_ids"), &system)...)
	diags.Append(state.GetAttribute(ctx, path.Root("snapshot_desktop_ids"), &desktopOf)...)
	if m := framework.StringMapOf(ctx, system); m != nil {
		out.system = m
	}
	if m := framework.StringMapOf(ctx, desktopOf); m != nil {
		out.desktopOf = m
	}
	return out, runs, diags
}
