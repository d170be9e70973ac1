package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// The floor under a batch's refresh and plan: plugin-framework's own cost
// for a resource whose state holds exactly the values of a batch of n
// desktops (n desktop IDs, n system disk snapshots, 2n snapshot-desktop
// pairs), with no provider logic at all: no API call, no validator or plan
// modifier, a Read that returns the state it got. Set against
// BenchmarkSnapshotBatchRead and BenchmarkSnapshotBatchPlanNoChange, it shows
// how much of those is ours (docs/performance.md).
func BenchmarkFrameworkFloorRead(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("desktops=%d", n), func(b *testing.B) {
			server, state := newFloorServer(b, n)
			ctx := context.Background()
			for b.Loop() {
				resp, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "floor_batch", CurrentState: &state})
				if err != nil || hasErrors(resp.Diagnostics) {
					b.Fatal(err, diagText(resp.Diagnostics))
				}
			}
		})
	}
}

func BenchmarkFrameworkFloorPlanNoChange(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("desktops=%d", n), func(b *testing.B) {
			server, state := newFloorServer(b, n)
			ctx := context.Background()
			for b.Loop() {
				resp, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
					TypeName: "floor_batch", PriorState: &state, ProposedNewState: &state, Config: &state,
				})
				if err != nil || hasErrors(resp.Diagnostics) {
					b.Fatal(err, diagText(resp.Diagnostics))
				}
			}
		})
	}
}

// floorModel has a batch's values, all computed-or-optional strings.
type floorModel struct {
	DesktopIDs         types.List `tfsdk:"desktop_ids"`
	SystemDiskSnapshot types.Map  `tfsdk:"system_disk_snapshot_ids"`
	SnapshotDesktopIDs types.Map  `tfsdk:"snapshot_desktop_ids"`
}

func newFloorServer(b *testing.B, n int) (tfprotov6.ProviderServer, tfprotov6.DynamicValue) {
	b.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(floorProvider{})()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		b.Fatal(err)
	}
	var sr resource.SchemaResponse
	floorResource{}.Schema(ctx, resource.SchemaRequest{}, &sr)
	desktops := make([]string, n)
	system := map[string]string{}
	pairs := map[string]string{}
	for i := range desktops {
		d := fmt.Sprintf("d%08d-0000-4000-8000-000000000000", i)
		desktops[i] = d
		system[d] = fmt.Sprintf("s%08d-0000-4000-8000-000000000000", i)
		pairs[system[d]] = d
		pairs[fmt.Sprintf("t%08d-0000-4000-8000-000000000000", i)] = d
	}
	m := floorModel{DesktopIDs: stringListValue(desktops), SystemDiskSnapshot: stringMapValue(system), SnapshotDesktopIDs: stringMapValue(pairs)}
	state := tfsdk.State{Schema: sr.Schema}
	if diags := state.Set(ctx, &m); diags.HasError() {
		b.Fatal(diags)
	}
	dv, err := tfprotov6.NewDynamicValue(sr.Schema.Type().TerraformType(ctx), state.Raw)
	if err != nil {
		b.Fatal(err)
	}
	return server, dv
}

type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "floor"
}
func (floorProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return floorResource{} }}
}

type floorResource struct{}

func (floorResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "floor_batch"
}

func (floorResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"desktop_ids":              schema.ListAttribute{ElementType: types.StringType, Required: true},
		"system_disk_snapshot_ids": schema.MapAttribute{ElementType: types.StringType, Computed: true},
		"snapshot_desktop_ids":     schema.MapAttribute{ElementType: types.StringType, Computed: true},
	}}
}

func (floorResource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (floorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (floorResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (floorResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
