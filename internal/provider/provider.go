// Package provider implements the workspace Terraform provider.
package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ provider.Provider                  = (*workspaceProvider)(nil)
	_ provider.ProviderWithActions       = (*workspaceProvider)(nil)
	_ provider.ProviderWithListResources = (*workspaceProvider)(nil)
)

type workspaceProvider struct {
	version string
	// progressInterval is the least time between two action progress
	// updates; tests shorten it.
	progressInterval time.Duration
	// propagationWindow is how long lists are given to catch up with a job
	// (0: the client's default); tests shorten it.
	propagationWindow time.Duration
}

// New returns the provider factory for the given build version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &workspaceProvider{version: version, progressInterval: defaultProgressInterval}
	}
}

func (p *workspaceProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "workspace"
	resp.Version = p.version
}

func (p *workspaceProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Huawei Cloud Workspace (cloud desktop) snapshots in batches.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				MarkdownDescription: "Region of the Workspace service, e.g. `cn-north-4`. Also `HW_REGION_NAME`.",
				Optional:            true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project ID. Looked up through IAM by region name when omitted. Also `HW_PROJECT_ID`.",
				Optional:            true,
			},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "Access key (AK) for SDK-HMAC-SHA256 signing. Also `HW_ACCESS_KEY`.",
				Optional:            true,
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "Secret key (SK) paired with `access_key`. Also `HW_SECRET_KEY`.",
				Optional:            true,
				Sensitive:           true,
			},
			"security_token": schema.StringAttribute{
				MarkdownDescription: "Security token of temporary AK/SK credentials. Also `HW_SECURITY_TOKEN`.",
				Optional:            true,
				Sensitive:           true,
			},
			"auth_token": schema.StringAttribute{
				MarkdownDescription: "IAM user token sent as `X-Auth-Token` instead of AK/SK signing. Also `HW_AUTH_TOKEN`.",
				Optional:            true,
				Sensitive:           true,
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Workspace API endpoint. Defaults to `https://workspace.{region}.myhuaweicloud.com`, the host the Huawei Cloud SDK uses in every region it lists (eu-west-101 included). Also `HW_WORKSPACE_ENDPOINT`.",
				Optional:            true,
			},
			"iam_endpoint": schema.StringAttribute{
				MarkdownDescription: "IAM endpoint for the project lookup. Defaults to the region's IAM host in the Huawei Cloud SDK: `https://iam.{region}.myhuaweicloud.com`, except `https://iam.eu-west-101.myhuaweicloud.eu` for eu-west-101 and the global `https://iam.myhuaweicloud.com` for cn-north-11 and af-north-1, which have no regional IAM. Also `HW_IAM_ENDPOINT`.",
				Optional:            true,
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip TLS certificate verification. Defaults to `false`.",
				Optional:            true,
			},
			"job_time_zone": schema.StringAttribute{
				MarkdownDescription: "The time zone the service writes job times (`begin_time`, `end_time`) in, as an offset from UTC " +
					"such as `+08:00` or `-05:30`, or `UTC`. Huawei does not document it. The provider learns it from the first job it " +
					"starts; it needs it, and refuses until it is set, to import a batch or restore, to list batches with " +
					"`include_resource`, and to tell its own job from an older one after an answer was lost. A zone proven by a job " +
					"the provider starts overrides this setting, with a warning. Also `HW_JOB_TIME_ZONE`.",
				Optional:   true,
				Validators: []validator.String{jobTimeZoneValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "Retries of a failed read or throttled request. Defaults to `5`. Raise it (e.g. to `10`) when the account is " +
					"throttled hard or the API answers many 5xx errors. Also `HW_MAX_RETRIES`.",
				Optional: true,
			},
		},
	}
}

func (p *workspaceProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if config.hasUnknown() {
		// Values coming from resources not yet created: resources ask for
		// the client only when they need it, and say why it is missing.
		tflog.Debug(ctx, "provider configuration not fully known yet; client deferred")
		return
	}
	settings, diags := resolveSettings(config, lookupEnv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings.cfg.PropagationWindow = p.propagationWindow
	client, err := settings.newClient(p.version)
	if err != nil {
		resp.Diagnostics.AddError("Invalid provider configuration", err.Error())
		return
	}
	resp.ResourceData = client
	resp.DataSourceData = client
	resp.ActionData = client
	resp.ListResourceData = client
}

func (p *workspaceProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newSnapshotBatchResource,
		newSnapshotRestoreResource,
	}
}

func (p *workspaceProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newDesktopsDataSource,
		newDesktopSnapshotsDataSource,
		newJobDataSource,
	}
}

// Actions need Terraform 1.14 or later; older Terraform ignores them.
func (p *workspaceProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		func() action.Action { return newSnapshotCreateAction(p.progressInterval) },
		func() action.Action { return newSnapshotRestoreAction(p.progressInterval) },
	}
}

// List resources, for `terraform query`, need Terraform 1.14 or later;
// older Terraform ignores them. Batches only: a restore is the record of
// an operation that manages nothing afterwards (destroying it makes no
// call), so adopting past restores gives nothing to manage, and listing
// them would rest on the restore job type, which Huawei does not document
// (any type but the snapshot create and delete ones may be it, desktop
// creation and every other job too).
func (p *workspaceProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		newSnapshotBatchListResource,
	}
}

// providerModel is the provider block.
type providerModel struct {
	Region        types.String `tfsdk:"region"`
	ProjectID     types.String `tfsdk:"project_id"`
	AccessKey     types.String `tfsdk:"access_key"`
	SecretKey     types.String `tfsdk:"secret_key"`
	SecurityToken types.String `tfsdk:"security_token"`
	AuthToken     types.String `tfsdk:"auth_token"`
	Endpoint      types.String `tfsdk:"endpoint"`
	IAMEndpoint   types.String `tfsdk:"iam_endpoint"`
	Insecure      types.Bool   `tfsdk:"insecure"`
	MaxRetries    types.Int64  `tfsdk:"max_retries"`
	JobTimeZone   types.String `tfsdk:"job_time_zone"`
}

func (m providerModel) hasUnknown() bool {
	for _, v := range []interface{ IsUnknown() bool }{
		m.Region, m.ProjectID, m.AccessKey, m.SecretKey, m.SecurityToken, m.AuthToken,
		m.Endpoint, m.IAMEndpoint, m.Insecure, m.MaxRetries, m.JobTimeZone,
	} {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}
