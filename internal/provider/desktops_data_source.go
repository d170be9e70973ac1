package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ datasource.DataSource              = (*desktopsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*desktopsDataSource)(nil)
	_ validator.String                   = regexSyntaxValidator{}
)

type desktopsDataSource struct {
	client *workspace.Client
}

// newDesktopsDataSource returns the workspace_desktops data source.
func newDesktopsDataSource() datasource.DataSource { return &desktopsDataSource{} }

type desktopsModel struct {
	ID           types.String `tfsdk:"id"`
	UserName     types.String `tfsdk:"user_name"`
	ComputerName types.String `tfsdk:"computer_name"`
	DesktopIP    types.String `tfsdk:"desktop_ip"`
	NameRegex    types.String `tfsdk:"name_regex"`
	IDsOnly      types.Bool   `tfsdk:"ids_only"`
	IDs          types.List   `tfsdk:"ids"`
	Desktops     types.List   `tfsdk:"desktops"`
}

type desktopModel struct {
	DesktopID    types.String `tfsdk:"desktop_id"`
	ComputerName types.String `tfsdk:"computer_name"`
	Created      types.String `tfsdk:"created"`
	IPAddress    types.String `tfsdk:"ip_address"`
	UserName     types.String `tfsdk:"user_name"`
	UserGroup    types.String `tfsdk:"user_group"`
	SID          types.String `tfsdk:"sid"`
	OUName       types.String `tfsdk:"ou_name"`
}

var desktopType = framework.ObjectTypeOf[desktopModel]()

func (d *desktopsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktops"
}

func (d *desktopsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (d *desktopsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Workspace desktops of the project, across all pages, optionally filtered. " +
			"Its `ids` feed a `workspace_desktop_snapshot_batch`'s `desktop_ids`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier of this query, derived from its filters.",
				Computed:            true,
			},
			"user_name": schema.StringAttribute{
				MarkdownDescription: "Only desktops assigned to this user (exact match, done by the service).",
				Optional:            true,
			},
			"computer_name": schema.StringAttribute{
				MarkdownDescription: "Only the desktop with this computer name (exact match, done by the service).",
				Optional:            true,
			},
			"desktop_ip": schema.StringAttribute{
				MarkdownDescription: "Only the desktop with this IP address (exact match, done by the service).",
				Optional:            true,
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only desktops whose computer name matches this regular expression " +
					"([RE2 syntax](https://github.com/google/re2/wiki/Syntax), unanchored), applied by the provider.",
				Optional:   true,
				Validators: []validator.String{regexSyntaxValidator{}},
			},
			"ids_only": schema.BoolAttribute{
				MarkdownDescription: "Only `ids`, with `desktops` left null (default `false`). For fleets of " +
					"thousands of desktops whose configuration needs only their IDs: Terraform then carries one " +
					"value per desktop instead of nine, which at 20000 desktops is much of what a plan costs.",
				Optional: true,
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "IDs of the matching desktops, in the order of `desktops` (sorted by computer name, " +
					"then desktop ID).",
				Computed:    true,
				ElementType: types.StringType,
			},
			"desktops": schema.ListNestedAttribute{
				MarkdownDescription: "The matching desktops, sorted by computer name, then desktop ID.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"desktop_id":    computedString("Desktop ID."),
					"computer_name": computedString("Computer name of the desktop."),
					"created":       computedString("When the desktop was created, as the service reports it."),
					"ip_address":    computedString("IP address of the desktop."),
					"user_name":     computedString("User the desktop is assigned to."),
					"user_group":    computedString("Group of that user."),
					"sid":           computedString("Security identifier of the desktop in its domain."),
					"ou_name":       computedString("Organizational unit the desktop belongs to."),
				}},
			},
		},
	}
}

func (d *desktopsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m desktopsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client := clientFrom(d.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	selection, diags := newDesktopSelection(workspace.ListDesktopsRequest{
		UserName: m.UserName.ValueString(), ComputerName: m.ComputerName.ValueString(), DesktopIp: m.DesktopIP.ValueString(),
	}, m.NameRegex.ValueString(), path.Root("name_regex"))
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	desktops, diags := selection.list(ctx, client)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	models := make([]desktopModel, 0, len(desktops))
	for _, dt := range desktops {
		models = append(models, newDesktopModel(dt))
	}
	sort.Slice(models, func(i, j int) bool {
		a, b := models[i], models[j]
		if a.ComputerName != b.ComputerName {
			return a.ComputerName.ValueString() < b.ComputerName.ValueString()
		}
		return a.DesktopID.ValueString() < b.DesktopID.ValueString()
	})
	ids := make([]string, len(models))
	for i, dm := range models {
		ids[i] = dm.DesktopID.ValueString()
	}
	m.ID = types.StringValue(filterHash("desktops", m.UserName, m.ComputerName, m.DesktopIP, m.NameRegex))
	m.IDs = framework.StringListValue(ids)
	m.Desktops = types.ListNull(desktopType)
	if !m.IDsOnly.ValueBool() {
		m.Desktops = framework.ListOfObjects(desktopType, models)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// desktopSelection is the one rule by which the desktops data source and a
// batch's desktops_matching select desktops: the service's filters in req,
// whose user_name the client re-checks exactly, and a computer name that
// matches nameRe (RE2, unanchored).
type desktopSelection struct {
	req    workspace.ListDesktopsRequest
	nameRe *regexp.Regexp
}

// newDesktopSelection compiles nameRegex; at is where an invalid one is
// reported (validated at plan time, compiled again because the caller has
// the raw config).
func newDesktopSelection(req workspace.ListDesktopsRequest, nameRegex string, at path.Path) (desktopSelection, diag.Diagnostics) {
	var diags diag.Diagnostics
	nameRe, err := regexp.Compile(nameRegex)
	if err != nil {
		diags.AddAttributeError(at, "Invalid regular expression",
			fmt.Sprintf("Attribute %s must be a valid RE2 regular expression: %s", at, err))
	}
	return desktopSelection{req: req, nameRe: nameRe}, diags
}

// selects reports whether a desktop the service returned (listed or looked
// up by ID) is one the selection takes.
func (s desktopSelection) selects(d workspace.SimpleDesktopInfo) bool {
	return (s.req.UserName == "" || d.UserName == s.req.UserName) && s.nameRe.MatchString(d.ComputerName)
}

// list lists the desktops the selection takes.
func (s desktopSelection) list(ctx context.Context, client *workspace.Client) ([]workspace.SimpleDesktopInfo, diag.Diagnostics) {
	var diags diag.Diagnostics
	desktops, err := client.ListAllDesktops(ctx, s.req)
	if err != nil {
		diags.Append(framework.ErrorDiagnostic("Unable to list desktops", err, client.CredentialSource()))
		return nil, diags
	}
	matched := desktops[:0]
	for _, d := range desktops {
		if s.selects(d) {
			matched = append(matched, d)
		}
	}
	return matched, diags
}

func newDesktopModel(d workspace.SimpleDesktopInfo) desktopModel {
	return desktopModel{
		DesktopID:    types.StringValue(d.DesktopId),
		ComputerName: types.StringValue(d.ComputerName),
		Created:      types.StringValue(d.Created),
		IPAddress:    types.StringValue(d.IpAddress),
		UserName:     types.StringValue(d.UserName),
		UserGroup:    types.StringValue(d.UserGroup),
		SID:          types.StringValue(d.Sid),
		OUName:       types.StringValue(d.OuName),
	}
}

func computedString(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Computed: true}
}

// filterHash gives a data source a stable ID: the same filters, the same ID.
// Each value is length-prefixed so ("ab","") and ("a","b") differ.
func filterHash(kind string, filters ...attr.Value) string {
	h := sha256.New()
	h.Write([]byte(kind))
	for _, f := range filters {
		s := f.String() // quoted for strings, "<null>" when unset
		fmt.Fprintf(h, "|%d:%s", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// regexSyntaxValidator rejects a regular expression Go cannot compile.
type regexSyntaxValidator struct{}

func (regexSyntaxValidator) Description(context.Context) string {
	return "must be a valid RE2 regular expression"
}

func (v regexSyntaxValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (regexSyntaxValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid regular expression",
			fmt.Sprintf("Attribute %s must be a valid RE2 regular expression: %s.", req.Path,
				strings.TrimPrefix(err.Error(), "error parsing regexp: ")))
	}
}
