package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloud-desktop/terraform-provider-workspace/bench/floor/floorprovider"
)

// The floor under a batch's refresh and plan: plugin-framework's own cost
// for a resource whose state holds exactly the values of a batch of n
// desktops, served by bench/floor's provider, which does nothing (no API
// call, validator or plan modifier; Read returns the state it got). Set
// against BenchmarkSnapshotBatchRead and BenchmarkSnapshotBatchPlanNoChange,
// it shows how much of those is ours (bench/reports/performance.md).
func BenchmarkFrameworkFloorRead(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("desktops=%d", n), func(b *testing.B) {
			server, state := newFloorBatch(b, n)
			ctx := context.Background()
			for b.Loop() {
				resp, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "floor_batch", CurrentState: state})
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
			server, state := newFloorBatch(b, n)
			ctx := context.Background()
			for b.Loop() {
				resp, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
					TypeName: "floor_batch", PriorState: state, ProposedNewState: state, Config: state,
				})
				if err != nil || hasErrors(resp.Diagnostics) {
					b.Fatal(err, diagText(resp.Diagnostics))
				}
			}
		})
	}
}

// newFloorBatch creates a floor_batch of n desktops through the protocol and
// returns the server and its state.
func newFloorBatch(b *testing.B, n int) (tfprotov6.ProviderServer, *tfprotov6.DynamicValue) {
	b.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(floorprovider.New())()
	if err != nil {
		b.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	objectType := schemas.ResourceSchemas["floor_batch"].ValueType().(tftypes.Object) //nolint:forcetypeassert // a resource schema is an object
	desktops := make([]tftypes.Value, n)
	for i := range desktops {
		desktops[i] = tftypes.NewValue(tftypes.String, fmt.Sprintf("%08x-1512-4386-81fb-20604fe60000", i))
	}
	// The config sets desktop_ids only; the plan leaves the rest unknown.
	object := func(rest any) *tfprotov6.DynamicValue {
		values := map[string]tftypes.Value{}
		for name, t := range objectType.AttributeTypes {
			values[name] = tftypes.NewValue(t, rest)
		}
		values["desktop_ids"] = tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, desktops)
		dv, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, values))
		if err != nil {
			b.Fatal(err)
		}
		return &dv
	}
	null, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, nil))
	if err != nil {
		b.Fatal(err)
	}
	resp, err := server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "floor_batch", PriorState: &null, PlannedState: object(tftypes.UnknownValue), Config: object(nil),
	})
	if err != nil || hasErrors(resp.Diagnostics) {
		b.Fatal(err, diagText(resp.Diagnostics))
	}
	return server, resp.NewState
}
