package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework/jobrun"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// BenchmarkSnapshotBatchRead measures one refresh (ReadResource) of a batch
// of 1000 desktops (2000 snapshot records) through the protocol, without the
// terraform CLI: the provider's and the framework's share of a refresh.
// Against the emulator's in-process HTTP server, so the API calls are included.
// batchBenchState is a created 1000-desktop batch as the protocol carries it.
type batchBenchState struct {
	h      *actionHarness
	state  tfprotov6.DynamicValue
	config tfprotov6.DynamicValue
}

func newBatchBenchState(b testing.TB, n int) batchBenchState {
	b.Helper()
	ctx := context.Background()
	env := newTestAccEnv(b, emulator.Config{Desktops: n, Seed: 1})
	env.SkipIfReal(b, "snapshots many desktops")
	var jobIDs []string
	windows := jobWindows{}
	for _, sub := range env.Client.SubmitBatchCreate(ctx, workspace.BatchCreateDesktopSnapshotReq{DesktopIds: env.DesktopIDs, DiskType: workspace.DiskTypeAll}, workspace.SubmitHooks{}) {
		if sub.Err != nil {
			b.Fatal(sub.Err)
		}
		jobIDs = append(jobIDs, sub.JobID)
		windows.add(sub)
	}
	results, err := env.Client.WaitForJobs(ctx, jobIDs, workspace.WaitOptions{FirstPoll: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}

	h := newActionHarness(b, env, 0)
	schemaResp, _ := h.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	valueType := schemaResp.ResourceSchemas["workspace_desktop_snapshot_batch"].ValueType()
	var sr resource.SchemaResponse
	newSnapshotBatchResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	encode := func(m *snapshotBatchModel) tfprotov6.DynamicValue {
		state := tfsdk.State{Schema: sr.Schema}
		if diags := state.Set(ctx, m); diags.HasError() {
			b.Fatal(diags)
		}
		dv, err := tfprotov6.NewDynamicValue(valueType, state.Raw)
		if err != nil {
			b.Fatal(err)
		}
		return dv
	}

	m := snapshotBatchModel{
		DesktopIDs: framework.StringListValue(env.DesktopIDs), DesktopsMatching: types.ObjectNull(desktopsMatchingType.AttrTypes), DiskType: types.StringValue(workspace.DiskTypeAll),
		SystemDiskSnapshot: types.ObjectNull(diskSnapshotType.AttrTypes), DataDiskSnapshot: types.ObjectNull(diskSnapshotType.AttrTypes),
		Triggers: types.MapNull(types.StringType), RetainOnDestroy: types.BoolValue(false),
		Timeouts: framework.NullTimeouts(ctx, batchTimeouts),
	}
	config := m
	config.ID, config.JobIDs, config.Status = types.StringNull(), types.ListNull(types.StringType), types.StringNull()
	config.SystemDiskSnapshotIDs = types.MapNull(types.StringType)
	config.SnapshotDesktopIDs, config.FailedDesktops = types.MapNull(types.StringType), types.MapNull(types.StringType)
	if diags, _ := m.applyJobResults(ctx, env.Client, &jobrun.Run{Op: jobrun.Create, JobIDs: jobIDs, Results: results}, windows, false); diags.HasError() {
		b.Fatal(diags)
	}
	return batchBenchState{h: h, state: encode(&m), config: encode(&config)}
}

// BenchmarkSnapshotBatchRead measures one refresh (ReadResource) of a batch
// of 1000 desktops (2000 snapshot records) through the protocol, without the
// terraform CLI: the provider's and the framework's share of a refresh,
// including the list calls to the in-process emulator.
func BenchmarkSnapshotBatchRead(b *testing.B) {
	for _, n := range benchSizesOr(1000, 5000) {
		b.Run(fmt.Sprintf("desktops=%d", n), func(b *testing.B) { benchmarkSnapshotBatchRead(b, n) })
	}
}

func benchmarkSnapshotBatchRead(b *testing.B, n int) {
	s := newBatchBenchState(b, n)
	ctx := context.Background()
	for b.Loop() {
		resp, err := s.h.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "workspace_desktop_snapshot_batch", CurrentState: &s.state})
		if err != nil || hasErrors(resp.Diagnostics) {
			b.Fatal(err, diagText(resp.Diagnostics))
		}
	}
}

// BenchmarkSnapshotBatchPlanNoChange measures the plan of an unchanged
// 1000-desktop batch (PlanResourceChange), the other provider RPC of a
// refresh plan.
func BenchmarkSnapshotBatchPlanNoChange(b *testing.B) {
	for _, n := range benchSizesOr(1000, 5000) {
		b.Run(fmt.Sprintf("desktops=%d", n), func(b *testing.B) { benchmarkSnapshotBatchPlanNoChange(b, n) })
	}
}

func benchmarkSnapshotBatchPlanNoChange(b *testing.B, n int) {
	s := newBatchBenchState(b, n)
	ctx := context.Background()
	for b.Loop() {
		resp, err := s.h.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: "workspace_desktop_snapshot_batch", PriorState: &s.state, ProposedNewState: &s.state, Config: &s.config,
		})
		if err != nil || hasErrors(resp.Diagnostics) {
			b.Fatal(err, diagText(resp.Diagnostics))
		}
		if len(resp.RequiresReplace) > 0 {
			b.Fatalf("an unchanged batch plans a replacement: %v", resp.RequiresReplace)
		}
	}
}

// BenchmarkSnapshotBatchCreate measures the create of a batch of 1000 and
// 5000 desktops (ApplyResourceChange) with zero-length jobs: submitting the
// chunks, writing each job ID to state, waiting, resolving the records and
// returning the state, without the terraform CLI.
func BenchmarkSnapshotBatchCreate(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("desktops=%d", n), func(b *testing.B) { benchmarkSnapshotBatchCreate(b, n) })
	}
}

func benchmarkSnapshotBatchCreate(b *testing.B, n int) {
	s := newBatchBenchState(b, n)
	ctx := context.Background()
	schemaResp, _ := s.h.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	valueType := schemaResp.ResourceSchemas["workspace_desktop_snapshot_batch"].ValueType()
	null, err := tfprotov6.NewDynamicValue(valueType, tftypes.NewValue(valueType, nil))
	if err != nil {
		b.Fatal(err)
	}
	plan, err := s.h.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "workspace_desktop_snapshot_batch", PriorState: &null, ProposedNewState: &s.config, Config: &s.config,
	})
	if err != nil || hasErrors(plan.Diagnostics) {
		b.Fatal(err, diagText(plan.Diagnostics))
	}
	for b.Loop() {
		resp, err := s.h.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
			TypeName: "workspace_desktop_snapshot_batch", PriorState: &null, PlannedState: plan.PlannedState, Config: &s.config,
		})
		if err != nil || hasErrors(resp.Diagnostics) {
			b.Fatal(err, diagText(resp.Diagnostics))
		}
	}
}

// BenchmarkSnapshotBatchDelete measures the destroy of a 1000-desktop batch
// (ApplyResourceChange to null) with zero-length jobs: 20 batch-delete
// chunks and their waits, without the terraform CLI. Each iteration first
// creates a batch, untimed.
func BenchmarkSnapshotBatchDelete(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := newBatchBenchState(b, 1000)
		schemaResp, _ := s.h.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		valueType := schemaResp.ResourceSchemas["workspace_desktop_snapshot_batch"].ValueType()
		null, err := tfprotov6.NewDynamicValue(valueType, tftypes.NewValue(valueType, nil))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		resp, err := s.h.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
			TypeName: "workspace_desktop_snapshot_batch", PriorState: &s.state, PlannedState: &null, Config: &null,
		})
		if err != nil || hasErrors(resp.Diagnostics) {
			b.Fatal(err, diagText(resp.Diagnostics))
		}
	}
}

// BenchmarkDesktopsDataSourceRead measures reading workspace_desktops
// (ReadDataSource) over 1000 and 5000 desktops, which a refresh of a batch
// fed by it pays every time.
func BenchmarkDesktopsDataSourceRead(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("desktops=%d", n), func(b *testing.B) {
			ctx := context.Background()
			env := newTestAccEnv(b, emulator.Config{Desktops: n, Seed: 1})
			env.SkipIfReal(b, "lists many desktops")
			h := newActionHarness(b, env, 0)
			schemaResp, _ := h.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
			config := dynamicValue(b, schemaResp.DataSourceSchemas["workspace_desktops"], nil)
			for b.Loop() {
				resp, err := h.server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "workspace_desktops", Config: config})
				if err != nil || hasErrors(resp.Diagnostics) {
					b.Fatal(err, diagText(resp.Diagnostics))
				}
			}
		})
	}
}

// benchSizesOr is the desktop counts of the in-process benchmarks:
// BENCH_DESKTOPS (comma separated, e.g. 20000) or else sizes.
func benchSizesOr(sizes ...int) []int {
	v := os.Getenv("BENCH_DESKTOPS")
	if v == "" {
		return sizes
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			panic(fmt.Sprintf("BENCH_DESKTOPS: %q is not a positive number", f))
		}
		out = append(out, n)
	}
	return out
}
