package provider

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ datasource.DataSource              = (*desktopSnapshotsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*desktopSnapshotsDataSource)(nil)
)

type desktopSnapshotsDataSource struct {
	client *workspace.Client
}

// newDesktopSnapshotsDataSource returns the workspace_desktop_snapshots data source.
func newDesktopSnapshotsDataSource() datasource.DataSource { return &desktopSnapshotsDataSource{} }

type desktopSnapshotsModel struct {
	ID                   types.String `tfsdk:"id"`
	DesktopIDs           types.List   `tfsdk:"desktop_ids"`
	DesktopName          types.String `tfsdk:"desktop_name"`
	SnapshotName         types.String `tfsdk:"snapshot_name"`
	DiskType             types.String `tfsdk:"disk_type"`
	CreateType           types.String `tfsdk:"create_type"`
	Status               types.String `tfsdk:"status"`
	MostRecentPerDesktop types.Bool   `tfsdk:"most_recent_per_desktop"`
	IDs                  types.List   `tfsdk:"ids"`
	Snapshots            types.List   `tfsdk:"snapshots"`
}

type snapshotDetailModel struct {
	SnapshotID        types.String `tfsdk:"snapshot_id"`
	SnapshotName      types.String `tfsdk:"snapshot_name"`
	DesktopID         types.String `tfsdk:"desktop_id"`
	DesktopName       types.String `tfsdk:"desktop_name"`
	IsSystemDisk      types.Bool   `tfsdk:"is_system_disk"`
	Status            types.String `tfsdk:"status"`
	Process           types.Int64  `tfsdk:"process"`
	Description       types.String `tfsdk:"description"`
	CreateTime        types.String `tfsdk:"create_time"`
	CreateType        types.String `tfsdk:"create_type"`
	LastRestoreTime   types.String `tfsdk:"last_restore_time"`
	RestoreFailReason types.String `tfsdk:"restore_fail_reason"`
}

var snapshotDetailType = framework.ObjectTypeOf[snapshotDetailModel]()

var snapshotCreateTypes = []string{workspace.CreateTypeAuto, workspace.CreateTypeManually}

func (d *desktopSnapshotsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_snapshots"
}

func (d *desktopSnapshotsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (d *desktopSnapshotsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists desktop snapshot records (one per disk snapshot) across all pages, filtered by the " +
			"service. Its `ids` feed a `workspace_desktop_snapshot_restore`'s `snapshot_ids`.",
		Attributes: map[string]schema.Attribute{
			"id": computedString("Identifier of this query, derived from its filters."),
			"desktop_ids": schema.ListAttribute{
				MarkdownDescription: "Only records of these desktops (at least one ID when set; order and repeats do not matter). " + framework.IDFormatRule,
				Optional:            true,
				ElementType:         types.StringType,
				Validators:          framework.IDListValidators("desktop"),
			},
			"desktop_name": schema.StringAttribute{
				MarkdownDescription: "Only records of the desktop with this name (matched by the service).",
				Optional:            true,
			},
			"snapshot_name": schema.StringAttribute{
				MarkdownDescription: "Only records with this snapshot name (matched by the service).",
				Optional:            true,
			},
			"disk_type": enumFilter("Only records of this kind of disk", workspace.DiskTypes),
			"create_type": enumFilter("Only records created this way (`AUTO` by a scheduled policy, `MANUALLY` "+
				"by an API call)", snapshotCreateTypes),
			"status": enumFilter("Only records in this status", workspace.SnapshotStatuses),
			"most_recent_per_desktop": schema.BoolAttribute{
				MarkdownDescription: "Keep only the newest record per desktop and disk (system disk and data disks " +
					"separately), by `create_time`; ties go to the greater `snapshot_id`. Applied after the other filters.",
				Optional: true,
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "Snapshot IDs of the matching records, in the order of `snapshots`.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"snapshots": schema.ListNestedAttribute{
				MarkdownDescription: "The matching records, sorted by desktop ID, system disk first, then newest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"snapshot_id":   computedString("Snapshot ID (one disk's snapshot)."),
					"snapshot_name": computedString("Snapshot name: desktop name + the name asked for + a timestamp."),
					"desktop_id":    computedString("Desktop the snapshot belongs to."),
					"desktop_name":  computedString("Name of that desktop."),
					"is_system_disk": schema.BoolAttribute{
						MarkdownDescription: "Whether this is the system disk's snapshot (else a data disk's).",
						Computed:            true,
					},
					"status": computedString("Record status: " + backtickList(workspace.SnapshotStatuses) + "."),
					"process": schema.Int64Attribute{
						MarkdownDescription: "Progress (0-100) of the record's running task; null when none runs.",
						Computed:            true,
					},
					"description":         computedString("Description given at creation."),
					"create_time":         computedString("Creation time, UTC (RFC 3339)."),
					"create_type":         computedString("`AUTO` or `MANUALLY`."),
					"last_restore_time":   computedString("When a desktop was last restored to this snapshot, if ever."),
					"restore_fail_reason": computedString("Why the last restore failed, if it did."),
				}},
			},
		},
	}
}

// enumFilter is an optional string attribute that must be one of allowed.
func enumFilter(what string, allowed []string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: what + ": one of " + backtickList(allowed) + ".",
		Optional:            true,
		Validators:          []validator.String{stringvalidator.OneOf(allowed...)},
	}
}

func backtickList(values []string) string {
	return "`" + strings.Join(values, "`, `") + "`"
}

func (d *desktopSnapshotsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m desktopSnapshotsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client := clientFrom(d.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	var desktopIDs []string
	resp.Diagnostics.Append(m.DesktopIDs.ElementsAs(ctx, &desktopIDs, true)...)
	if resp.Diagnostics.HasError() {
		return
	}
	desktopIDs = framework.DistinctIDs(desktopIDs)
	records, err := client.ListAllDesktopSnapshots(ctx, workspace.ListDesktopSnapshotRequest{
		DesktopIds: desktopIDs, DesktopName: m.DesktopName.ValueString(), SnapshotName: m.SnapshotName.ValueString(),
		DiskType: m.DiskType.ValueString(), CreateType: m.CreateType.ValueString(), Status: m.Status.ValueString(),
	})
	if err != nil {
		resp.Diagnostics.Append(framework.ErrorDiagnostic("Unable to list desktop snapshots", err, client.CredentialSource()))
		return
	}
	sortSnapshotRecords(records)
	if m.MostRecentPerDesktop.ValueBool() {
		records = newestPerDesktopDisk(records)
	}
	rows := make([]snapshotDetailModel, len(records))
	ids := make([]string, len(records))
	for i, r := range records {
		rows[i] = newSnapshotDetailModel(r)
		ids[i] = r.SnapshotId
	}
	// Sorted IDs: the same set written in another order is the same query.
	m.ID = types.StringValue(filterHash("desktop_snapshots", types.StringValue(strings.Join(desktopIDs, ",")), m.DesktopName, m.SnapshotName,
		m.DiskType, m.CreateType, m.Status, m.MostRecentPerDesktop))
	m.IDs = framework.StringListValue(ids)
	list := framework.ListOfObjects(snapshotDetailType, rows)
	m.Snapshots = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func newSnapshotDetailModel(r workspace.DesktopSnapshotDetailInfo) snapshotDetailModel {
	process := types.Int64Null()
	if r.Process != nil {
		process = types.Int64Value(int64(*r.Process))
	}
	return snapshotDetailModel{
		SnapshotID:        types.StringValue(r.SnapshotId),
		SnapshotName:      types.StringValue(r.SnapshotName),
		DesktopID:         types.StringValue(r.DesktopId),
		DesktopName:       types.StringValue(r.DesktopName),
		IsSystemDisk:      types.BoolValue(isSystemDisk(r)),
		Status:            types.StringValue(r.Status),
		Process:           process,
		Description:       types.StringValue(r.Description),
		CreateTime:        types.StringValue(r.CreateTime),
		CreateType:        types.StringValue(r.CreateType),
		LastRestoreTime:   types.StringValue(r.LastRestoreTime),
		RestoreFailReason: types.StringValue(r.RestoreFailReason),
	}
}

func isSystemDisk(r workspace.DesktopSnapshotDetailInfo) bool {
	return r.IsSystemDisk != nil && *r.IsSystemDisk
}

// sortSnapshotRecords orders records by desktop ID, system disk first, then
// newest first with ties to the greater snapshot ID, so the list is the same
// on every refresh whatever order the pages came in.
func sortSnapshotRecords(records []workspace.DesktopSnapshotDetailInfo) {
	sort.Slice(records, func(i, j int) bool {
		a, b := records[i], records[j]
		if a.DesktopId != b.DesktopId {
			return a.DesktopId < b.DesktopId
		}
		if sa, sb := isSystemDisk(a), isSystemDisk(b); sa != sb {
			return sa
		}
		if c := compareCreateTime(a.CreateTime, b.CreateTime); c != 0 {
			return c > 0
		}
		return a.SnapshotId > b.SnapshotId
	})
}

// compareCreateTime compares two record times as instants when both parse
// (RFC 3339, as documented), else as text.
func compareCreateTime(a, b string) int {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA == nil && errB == nil {
		return ta.Compare(tb)
	}
	return strings.Compare(a, b)
}

// newestPerDesktopDisk keeps the first record of each desktop and disk kind
// from records ordered by sortSnapshotRecords, which is the newest.
func newestPerDesktopDisk(records []workspace.DesktopSnapshotDetailInfo) []workspace.DesktopSnapshotDetailInfo {
	type desktopDisk struct {
		desktopID string
		system    bool
	}
	seen := make(map[desktopDisk]bool)
	out := records[:0]
	for _, r := range records {
		k := desktopDisk{r.DesktopId, isSystemDisk(r)}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}
