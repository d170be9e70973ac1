package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

var (
	_ list.ListResource                   = (*snapshotBatchListResource)(nil)
	_ list.ListResourceWithConfigure      = (*snapshotBatchListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*snapshotBatchListResource)(nil)
)

// snapshotBatchListResource finds the project's snapshot batches for
// `terraform query` (Terraform 1.14+): every ended batch-create job, as the
// workspace_desktop_snapshot_batch its import would give.
type snapshotBatchListResource struct {
	client *workspace.Client
}

func newSnapshotBatchListResource() list.ListResource { return &snapshotBatchListResource{} }

// snapshotBatchListModel is the list block's config.
type snapshotBatchListModel struct {
	DesktopIDs  types.List   `tfsdk:"desktop_ids"`
	DesktopName types.String `tfsdk:"desktop_name"`
	BeganAfter  types.String `tfsdk:"began_after"`
	BeganBefore types.String `tfsdk:"began_before"`
}

func (r *snapshotBatchListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_snapshot_batch"
}

func (r *snapshotBatchListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (r *snapshotBatchListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the project's snapshot batches (Terraform 1.14 and later, `terraform query`): every " +
			"`batch-create` job that has ended, newest first, each as the identity of one importable " +
			"`workspace_desktop_snapshot_batch` (`job_ids` = that job) and, with `include_resource`, the batch its import " +
			"gives. Arguments narrow the list; a job matches when it matches all of them. Jobs still running are not listed.\n\n" +
			"With `include_resource` (as `-generate-config-out` needs), a job whose import would not give a batch of its " +
			"own is left out, with a warning naming it: one none of whose snapshots exists any more, one whose import " +
			"is refused (the zone of job times unknown, or records that cannot be told apart), one that would share a " +
			"snapshot with another listed job, and one the service no longer knows (deleted since the sub-jobs were read). " +
			"Batches that a resource already manages are listed too: Terraform gives a list no state.\n\n" +
			"Jobs are found through the sub-job list, which the service pages up to offset 10000 with at most 1000 a " +
			"page: the list reads at most 11000 sub-jobs, one per desktop of each job (110 batches of 100 desktops), " +
			"and warns when the project holds more.",
		Attributes: map[string]schema.Attribute{
			"desktop_ids": schema.ListAttribute{
				MarkdownDescription: "Only jobs that snapshotted at least one of these desktops.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.List{listvalidator.ValueStringsAre(framework.IDValidators("desktop")...)},
			},
			"desktop_name": schema.StringAttribute{
				MarkdownDescription: "Only jobs that snapshotted a desktop whose name contains this text (case-insensitive).",
				Optional:            true,
			},
			"began_after": schema.StringAttribute{
				MarkdownDescription: "Only jobs that may have begun at or after this time (RFC 3339, e.g. `2026-11-01T00:00:00Z`). " +
					"Job times carry no time zone and Huawei does not document theirs, so a job counts if it began in the " +
					"range in any zone from UTC-12 to UTC+14: the list may also hold jobs that began before this time, by up to " +
					"12 hours plus the offset from UTC of the zone the service writes job times in (12 hours if it writes UTC, " +
					"20 if UTC+8; at most 26).",
				Optional:   true,
				Validators: []validator.String{framework.RFC3339Validator{}},
			},
			"began_before": schema.StringAttribute{
				MarkdownDescription: "Only jobs that may have begun at or before this time (RFC 3339). As for `began_after`, the " +
					"list may also hold jobs that began after it, by up to 14 hours less the offset from UTC of the service's " +
					"job times (14 hours if it writes UTC, 6 if UTC+8; at most 26).",
				Optional:   true,
				Validators: []validator.String{framework.RFC3339Validator{}},
			},
		},
	}
}

func (r *snapshotBatchListResource) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	var m snapshotBatchListModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	after, errA := time.Parse(time.RFC3339, m.BeganAfter.ValueString())
	before, errB := time.Parse(time.RFC3339, m.BeganBefore.ValueString())
	if errA == nil && errB == nil && after.After(before) {
		resp.Diagnostics.AddAttributeError(path.Root("began_before"), "Empty time range",
			fmt.Sprintf("began_before (%s) is earlier than began_after (%s).", m.BeganBefore.ValueString(), m.BeganAfter.ValueString()))
	}
}

func (r *snapshotBatchListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var m snapshotBatchListModel
	diags := req.Config.Get(ctx, &m)
	client := clientFrom(r.client, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	filter := m.filter(ctx)
	listing, err := listCreateJobs(ctx, client)
	if err != nil {
		diags.Append(framework.ErrorDiagnostic("Unable to list snapshot batches", err, client.CredentialSource()))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		if listing.read < listing.total {
			var warn diag.Diagnostics
			warn.AddWarning("Not every batch-create job could be read", fmt.Sprintf(
				"The service holds %d batch-create sub-jobs (one per desktop of each job), but its sub-job list can be read "+
					"only up to %d of them (offset at most %d, limit at most %d); the batches in the rest are not listed. "+
					"Which ones those are depends on the order the service lists them in, which Huawei does not document.",
				listing.total, workspace.MaxListedSubJobs, workspace.MaxSubJobOffset, workspace.MaxListLimit))
			if !push(list.ListResult{Diagnostics: warn}) {
				return
			}
		}
		var jobs []*listedJob
		for _, job := range listing.jobs {
			if filter.matches(job) {
				jobs = append(jobs, job)
			}
		}
		lister := &batchLister{client: client, req: req}
		for _, result := range lister.results(ctx, jobs) {
			if !push(result) {
				return
			}
		}
		if len(lister.zoneLeft) > 0 {
			var warn diag.Diagnostics
			warn.AddWarning("Set job_time_zone to list batches with include_resource",
				fmt.Sprintf("%s, and run terraform query again.\n\n%s cannot be listed with include_resource (%s): %s.",
					setJobTimeZone, framework.CountOf(len(lister.zoneLeft), "batch-create job"),
					framework.AbbreviateIDs(lister.zoneLeft, 10), zoneUnknownWhy))
			push(list.ListResult{Diagnostics: warn})
		}
		if len(lister.left) > 0 {
			var warn diag.Diagnostics
			warn.AddWarning("Batches left out", "These batch-create jobs are not listed, since importing them would not give a "+
				"batch of their own:\n  - "+strings.Join(lister.left, "\n  - "))
			push(list.ListResult{Diagnostics: warn})
		}
	}
}

// filter reads the list block (validated already).
func (m snapshotBatchListModel) filter(ctx context.Context) batchListFilter {
	f := batchListFilter{desktopName: strings.ToLower(m.DesktopName.ValueString())}
	if !m.DesktopIDs.IsNull() {
		// An empty list (a data source that found no desktop) matches no job.
		f.desktops = map[string]bool{}
		for _, id := range framework.StringsOf(ctx, m.DesktopIDs) {
			f.desktops[id] = true
		}
	}
	f.after, _ = time.Parse(time.RFC3339, m.BeganAfter.ValueString())
	f.before, _ = time.Parse(time.RFC3339, m.BeganBefore.ValueString())
	return f
}
