package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ datasource.DataSource              = (*jobDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*jobDataSource)(nil)
)

type jobDataSource struct {
	client *workspace.Client
}

// newJobDataSource returns the workspace_job data source.
func newJobDataSource() datasource.DataSource { return &jobDataSource{} }

type jobModel struct {
	ID           types.String `tfsdk:"id"`
	JobID        types.String `tfsdk:"job_id"`
	JobType      types.String `tfsdk:"job_type"`
	Status       types.String `tfsdk:"status"`
	BeginTime    types.String `tfsdk:"begin_time"`
	EndTime      types.String `tfsdk:"end_time"`
	JobErrorCode types.String `tfsdk:"job_error_code"`
	FailReason   types.String `tfsdk:"fail_reason"`
	SubJobsTotal types.Int64  `tfsdk:"sub_jobs_total"`
	SubJobs      types.List   `tfsdk:"sub_jobs"`
}

type subJobModel struct {
	ID          types.String `tfsdk:"id"`
	Status      types.String `tfsdk:"status"`
	DesktopID   types.String `tfsdk:"desktop_id"`
	DesktopName types.String `tfsdk:"desktop_name"`
	ErrorCode   types.String `tfsdk:"error_code"`
	FailReason  types.String `tfsdk:"fail_reason"`
	BeginTime   types.String `tfsdk:"begin_time"`
	EndTime     types.String `tfsdk:"end_time"`
	Entity      types.String `tfsdk:"entity"`
}

var subJobType = framework.ObjectTypeOf[subJobModel]()

func (d *jobDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_job"
}

func (d *jobDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (d *jobDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one Workspace job (a snapshot batch-create, batch-restore or batch-delete, for " +
			"example) with its sub-jobs, one per desktop. A job that finished `SUCCESS` or `COMPLETE` can still have " +
			"failed sub-jobs: check `sub_jobs[*].status`.",
		Attributes: map[string]schema.Attribute{
			"job_id": schema.StringAttribute{
				MarkdownDescription: "ID of the job, as a batch call returned it: " + framework.IDFormat + ".",
				Required:            true,
				Validators:          framework.IDValidators("job"),
			},
			"id":       computedString("Same as `job_id`."),
			"job_type": computedString("Job type, e.g. `createWksSnapshot`, `restoreDesktopBySnapshot` or `deleteWksSnapshot`."),
			"status": computedString("Job status as the service reports it: `WAITING` or `RUNNING` while pending; " +
				"`SUCCESS`, `COMPLETE`, `FAIL` or `FAILED` once finished."),
			"begin_time": computedString("When the job began, exactly as the service writes it: a time with no zone, " +
				"such as `2026-11-21 02:00:04`, in the service's own time zone, which Huawei does not document (UTC and " +
				"UTC+8 are both plausible). It is not converted: do not read it as UTC. When you know the zone, " +
				"state it in the provider setting `job_time_zone` (or `HW_JOB_TIME_ZONE`), e.g. `+08:00`; this value stays as written."),
			"end_time":       computedString("When the job ended, written as `begin_time` is; empty while it runs."),
			"job_error_code": computedString("Error code of a failed job; empty otherwise."),
			"fail_reason":    computedString("Why the job failed; empty otherwise."),
			"sub_jobs_total": schema.Int64Attribute{
				MarkdownDescription: "Number of sub-jobs the service reports.",
				Computed:            true,
			},
			"sub_jobs": schema.ListNestedAttribute{
				MarkdownDescription: "The sub-jobs, one per desktop, sorted by desktop ID then sub-job ID.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           computedString("Sub-job ID."),
					"status":       computedString("`WAITING`, `RUNNING`, `SUCCESS` or `FAILED`."),
					"desktop_id":   computedString("Desktop the sub-job works on."),
					"desktop_name": computedString("Name of that desktop."),
					"error_code":   computedString("Error code of a failed sub-job; empty otherwise."),
					"fail_reason":  computedString("Why the sub-job failed; empty otherwise."),
					"begin_time":   computedString("When the sub-job began, written as the job's `begin_time` is (no zone, the service's own)."),
					"end_time":     computedString("When the sub-job ended, written the same way; empty while it runs."),
					"entity":       computedString("Object the sub-job works on, as the service names it."),
				}},
			},
		},
	}
}

func (d *jobDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m jobModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client := clientFrom(d.client, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	jobID := m.JobID.ValueString()
	job, err := client.ShowJob(ctx, jobID)
	if err != nil {
		resp.Diagnostics.Append(framework.ErrorDiagnostic("Unable to read job "+jobID, err, client.CredentialSource()))
		return
	}
	m.ID = m.JobID
	m.JobType = types.StringValue(job.JobType)
	m.Status = types.StringValue(job.Status)
	m.BeginTime = types.StringValue(job.BeginTime)
	m.EndTime = types.StringValue(job.EndTime)
	m.JobErrorCode = types.StringValue(job.JobErrorCode)
	m.FailReason = types.StringValue(job.FailReason)
	// ShowJob may list only some sub-jobs of a large job.
	all, err := client.AllSubJobs(ctx, job)
	if err != nil {
		resp.Diagnostics.Append(framework.ErrorDiagnostic("Unable to read job "+jobID, err, client.CredentialSource()))
		return
	}
	m.SubJobsTotal = types.Int64Value(int64(max(int(job.SubJobsTotal), len(all))))
	subJobs := make([]subJobModel, len(all))
	for i, s := range all {
		subJobs[i] = newSubJobModel(s)
	}
	sort.Slice(subJobs, func(i, j int) bool {
		a, b := subJobs[i], subJobs[j]
		if a.DesktopID != b.DesktopID {
			return a.DesktopID.ValueString() < b.DesktopID.ValueString()
		}
		return a.ID.ValueString() < b.ID.ValueString()
	})
	list := framework.ListOfObjects(subJobType, subJobs)
	m.SubJobs = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func newSubJobModel(s workspace.JobDetailInfo) subJobModel {
	var desktopID, desktopName string
	if s.Entities != nil {
		desktopID, desktopName = s.Entities.DesktopId, s.Entities.DesktopName
	}
	return subJobModel{
		ID:          types.StringValue(s.Id),
		Status:      types.StringValue(s.Status),
		DesktopID:   types.StringValue(desktopID),
		DesktopName: types.StringValue(desktopName),
		ErrorCode:   types.StringValue(s.ErrorCode),
		FailReason:  types.StringValue(s.FailReason),
		BeginTime:   types.StringValue(s.BeginTime),
		EndTime:     types.StringValue(s.EndTime),
		Entity:      types.StringValue(s.Entity),
	}
}
