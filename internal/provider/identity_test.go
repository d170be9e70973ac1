package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/framework"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

// Both resources are kept by their job IDs, so that is their identity, with
// the project and region the jobs ran in. Tests at the protocol level run
// under any CLI; the TestAcc…Identity… ones need Terraform 1.12 and run
// under make testacc-latest.

func TestIdentity_schemasCanBeWrittenByHand(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 1})
	h := newActionHarness(t, env, 0)
	resp, err := h.server.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || hasErrors(resp.Diagnostics) {
		t.Fatal(err, diagText(resp.Diagnostics))
	}
	for _, typeName := range []string{batchType, restoreType} {
		got := map[string]string{}
		for _, a := range resp.IdentitySchemas[typeName].IdentityAttributes {
			kind := "optional"
			if a.RequiredForImport {
				kind = "required"
			}
			got[a.Name] = kind + " " + a.Type.String()
		}
		want := map[string]string{
			"job_ids": "required tftypes.List[tftypes.String]", "project_id": "optional tftypes.String", "region": "optional tftypes.String",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s identity: %v, want %v", typeName, got, want)
		}
	}
}

// An import block's identity takes the import path an ID takes: the same
// state, and the identity names the job in the provider's project and
// region, whether the identity gave them or not. Refreshes keep it.
func TestIdentity_batchImportByIdentityIsImportByID(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 200 * time.Millisecond, Seed: 1})
	env.StateJobTimeZone(t)
	job := snapshotDesktops(t, env, env.DesktopIDs, workspace.DiskTypeAll, testAccName("identity"))[0]
	h := newActionHarness(t, env, 0)
	want := jobsIdentity{JobIDs: []string{job}, ProjectID: env.Client.ProjectID(), Region: env.Client.Region()}

	byID := h.imported(h.importResource(batchType, job, nil))
	for name, identity := range map[string]map[string]tftypes.Value{
		"job_ids only": {"job_ids": tfStringList(job)},
		"all three":    {"job_ids": tfStringList(job), "project_id": tfString(want.ProjectID), "region": tfString(want.Region)},
	} {
		got := h.imported(h.importResource(batchType, "", h.identityData(batchType, identity)))
		if !h.stateValue(batchType, got.State).Equal(h.stateValue(batchType, byID.State)) {
			t.Errorf("%s: the import by identity gave another state than the import by ID", name)
		}
		if id := h.decodeIdentity(batchType, got.Identity); !reflectEqual(id, want) {
			t.Errorf("%s: identity %+v, want %+v", name, id, want)
		}
	}
	if id := h.decodeIdentity(batchType, byID.Identity); !reflectEqual(id, want) {
		t.Errorf("import by ID: identity %+v, want %+v", id, want)
	}

	// Refreshes keep the identity, also one stored by a Terraform that keeps
	// none (before 1.12): the read fills it in.
	state, identity := byID.State, byID.Identity
	for i := range 2 {
		read := h.readResource(batchType, state, identity)
		if hasErrors(read.Diagnostics) {
			t.Fatalf("read %d: %s", i, diagText(read.Diagnostics))
		}
		if id := h.decodeIdentity(batchType, read.NewIdentity); !reflectEqual(id, want) {
			t.Errorf("read %d: identity %+v, want %+v", i, id, want)
		}
		state, identity = read.NewState, read.NewIdentity
	}
	if read := h.readResource(batchType, state, nil); !reflectEqual(h.decodeIdentity(batchType, read.NewIdentity), want) {
		t.Errorf("a read without a stored identity set %+v, want %+v\n%s", h.decodeIdentity(batchType, read.NewIdentity), want, diagText(read.Diagnostics))
	}
}

func reflectEqual(a, b jobsIdentity) bool {
	return slices.Equal(a.JobIDs, b.JobIDs) && a.ProjectID == b.ProjectID && a.Region == b.Region
}

// An identity for another project or region is refused by name: its jobs
// would be looked for where they are not. So is one without usable job IDs.
func TestIdentity_importRefusesAnotherProjectOrRegion(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 1, Seed: 1})
	h := newActionHarness(t, env, 0)
	job := "1792d3eb-35c6-4e99-8381-abfc8e02126b"
	for _, tc := range []struct {
		identity map[string]tftypes.Value
		want     string
	}{
		{map[string]tftypes.Value{"job_ids": tfStringList(job), "project_id": tfString("ffffffffffffffffffffffffffffffff")},
			`Import identity for another project: The identity names project ffffffffffffffffffffffffffffffff, region ` +
				emulator.DefaultRegion + `, but the provider is configured for project ` + env.Client.ProjectID()},
		{map[string]tftypes.Value{"job_ids": tfStringList(job), "region": tfString("cn-east-3")},
			`Import identity for another region: .*provider = workspace.<alias> in the import block`},
		{map[string]tftypes.Value{"job_ids": tfStringList(job), "project_id": tfString("x"), "region": tfString("cn-east-3")},
			`Import identity for another project and region`},
		{map[string]tftypes.Value{"job_ids": tfStringList()}, `Invalid import identity: job_ids must hold one or more batch-create job IDs`},
		{map[string]tftypes.Value{"job_ids": tfStringList(job, "not a job")}, `Invalid import identity`},
		// Each element is one ID: no comma joins two, no space pads one.
		{map[string]tftypes.Value{"job_ids": tfStringList(job + "," + job)}, `Invalid import identity`},
		{map[string]tftypes.Value{"job_ids": tfStringList(" " + job)}, `Invalid import identity`},
	} {
		resp := h.importResource(batchType, "", h.identityData(batchType, tc.identity))
		expectDiagnostic(t, resp.Diagnostics, "", tc.want)
	}
	// The restore refuses the same way.
	resp := h.importResource(restoreType, "", h.identityData(restoreType, map[string]tftypes.Value{
		"job_ids": tfStringList(job), "region": tfString("cn-east-3"),
	}))
	expectDiagnostic(t, resp.Diagnostics, "", `Import identity for another region`)
}

// A refresh through a provider now configured for another project says so,
// rather than reading the batch as gone and planning to create it again.
func TestIdentity_readThroughAnotherProjectFails(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 200 * time.Millisecond, Seed: 1})
	env.StateJobTimeZone(t)
	job := snapshotDesktops(t, env, env.DesktopIDs, workspace.DiskTypeSystem, testAccName("identity"))[0]
	h := newActionHarness(t, env, 0)
	byID := h.imported(h.importResource(batchType, job, nil))
	elsewhere := h.identityData(batchType, map[string]tftypes.Value{
		"job_ids": tfStringList(job), "project_id": tfString("ffffffffffffffffffffffffffffffff"), "region": tfString(emulator.DefaultRegion),
	})
	read := h.readResource(batchType, byID.State, elsewhere)
	expectDiagnostic(t, read.Diagnostics, "", `Provider configured for another project: This resource's jobs ran in project `+
		`ffffffffffffffffffffffffffffffff, region cn-north-4, but its provider is now configured for project `+env.Client.ProjectID())
}

func TestIdentity_restoreImportByIdentityIsImportByID(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 200 * time.Millisecond, Seed: 1})
	env.StateJobTimeZone(t)
	snapshots := snapshotted(t, env, env.DesktopIDs, workspace.DiskTypeSystem)
	job := restoreOutOfBand(t, env, snapshots)
	h := newActionHarness(t, env, 0)
	want := jobsIdentity{JobIDs: []string{job}, ProjectID: env.Client.ProjectID(), Region: env.Client.Region()}
	byID := h.imported(h.importResource(restoreType, job, nil))
	byIdentity := h.imported(h.importResource(restoreType, "", h.identityData(restoreType, map[string]tftypes.Value{"job_ids": tfStringList(job)})))
	if !h.stateValue(restoreType, byIdentity.State).Equal(h.stateValue(restoreType, byID.State)) {
		t.Error("the import by identity gave another state than the import by ID")
	}
	for name, got := range map[string]*tfprotov6.ImportedResource{"by ID": byID, "by identity": byIdentity} {
		if id := h.decodeIdentity(restoreType, got.Identity); !reflectEqual(id, want) {
			t.Errorf("%s: identity %+v, want %+v", name, id, want)
		}
	}
	// A finished restore's read makes no API call, yet sets the identity.
	read := h.readResource(restoreType, byID.State, nil)
	if id := h.decodeIdentity(restoreType, read.NewIdentity); !reflectEqual(id, want) || hasErrors(read.Diagnostics) {
		t.Errorf("read: identity %+v, want %+v\n%s", id, want, diagText(read.Diagnostics))
	}
}

// restoreOutOfBand restores the snapshots through the API and waits.
func restoreOutOfBand(t *testing.T, env *testAccEnv, snapshots []string) string {
	t.Helper()
	subs := env.Client.SubmitBatchRestore(context.Background(), snapshots, workspace.SubmitHooks{})
	if len(subs) != 1 || subs[0].JobID == "" {
		t.Fatalf("restoring %v: %+v", snapshots, subs)
	}
	if _, err := env.Client.WaitForJob(context.Background(), subs[0].JobID, workspace.WaitOptions{}); err != nil {
		t.Fatalf("restore job %s: %v", subs[0].JobID, err)
	}
	return subs[0].JobID
}

// batchImportConfig is a batch as an import records it: its desktops
// sorted, no snapshot names (a job does not tell them), every disk.
func batchImportConfig(env *testAccEnv, desktops []string) string {
	return env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_batch" "test" {
  desktop_ids = %s
}
`, hclStrings(framework.SortedStrings(desktops)))
}

func identityChecks(addr string, env *testAccEnv, jobIDs knownvalue.Check) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
			"job_ids":    jobIDs,
			"project_id": knownvalue.StringExact(env.Client.ProjectID()),
			"region":     knownvalue.StringExact(env.Client.Region()),
		}),
		statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New("job_ids")),
	}
}

// Terraform 1.12+: a batch Terraform created has an identity naming its
// job, stable across a refresh and a plan, and both kinds of import block
// (by identity, as plugin-testing writes it from state, and by ID) import
// it with no change and the same identity.
func TestAccSnapshotBatch_Identity(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.StateJobTimeZone(t) // the import steps run in provider processes that did not start the jobs
	ids := env.DesktopIDs
	unchanged := newIdentityUnchanged(batchAddr)
	checks := append(identityChecks(batchAddr, env, knownvalue.ListSizeExact(1)), unchanged)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{Config: batchConfig(env, ids, ""), ConfigStateChecks: checks},
			{RefreshState: true},
			{
				Config:            batchConfig(env, ids, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: checks,
			},
			{
				ResourceName: batchAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config: batchImportConfig(env, ids),
			},
			{
				ResourceName: batchAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				Config: batchImportConfig(env, ids),
			},
		},
	})
}

// Terraform 1.12+: batches made outside Terraform are adopted with import
// blocks written by hand, by job_ids alone or with project and region; the
// plan after the import is empty, and a destroy deletes their snapshots.
// An identity for another project fails by name.
func TestAccSnapshotBatch_IdentityImportBlockByHand(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.StateJobTimeZone(t) // the import steps run in provider processes that did not start the jobs
	first, second := env.DesktopIDs[:2], env.DesktopIDs[2:]
	jobA := snapshotDesktops(t, env, first, workspace.DiskTypeAll, testAccName("byhand"))[0]
	jobB := snapshotDesktops(t, env, second, workspace.DiskTypeSystem, testAccName("byhand"))[0]
	config := func(importBlocks string) string {
		return env.ProviderConfig + importBlocks + fmt.Sprintf(`
resource "workspace_desktop_snapshot_batch" "a" {
  desktop_ids = %s
}

resource "workspace_desktop_snapshot_batch" "b" {
  desktop_ids = %s
  disk_type   = "SYSTEM_DISK"
}
`, hclStrings(framework.SortedStrings(first)), hclStrings(second))
	}
	imports := fmt.Sprintf(`
import {
  to       = workspace_desktop_snapshot_batch.a
  identity = { job_ids = [%q] }
}

import {
  to = workspace_desktop_snapshot_batch.b
  identity = {
    job_ids    = [%q]
    project_id = %q
    region     = %q
  }
}
`, jobA, jobB, env.Client.ProjectID(), env.Client.Region())
	elsewhere := fmt.Sprintf(`
import {
  to       = workspace_desktop_snapshot_batch.c
  identity = { job_ids = [%q], project_id = "ffffffffffffffffffffffffffffffff" }
}

resource "workspace_desktop_snapshot_batch" "c" {
  desktop_ids = %s
}
`, jobA, hclStrings(framework.SortedStrings(first)))
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, env.DesktopIDs),
		Steps: []resource.TestStep{
			{
				Config: config(imports),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("workspace_desktop_snapshot_batch.a", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("workspace_desktop_snapshot_batch.b", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: append(append(
					identityChecks("workspace_desktop_snapshot_batch.a", env, exactStrings(jobA)),
					identityChecks("workspace_desktop_snapshot_batch.b", env, exactStrings(jobB))...),
					statecheck.ExpectKnownValue("workspace_desktop_snapshot_batch.a", tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(4)),
					statecheck.ExpectKnownValue("workspace_desktop_snapshot_batch.b", tfjsonpath.New("snapshot_desktop_ids"), knownvalue.MapSizeExact(1)),
				),
			},
			{
				Config:           config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config:      config(elsewhere),
				ExpectError: regexp.MustCompile(spacesMayWrap(`Import identity for another project`)),
			},
		},
	})
}

// Terraform 1.12+: a restore made outside Terraform is adopted with an
// import block's identity; its identity stays across a refresh.
func TestAccSnapshotRestore_IdentityImportBlockByHand(t *testing.T) {
	parallelUnlessReal(t)
	env := newTestAccEnv(t, emulator.Config{Desktops: 2, JobDuration: 300 * time.Millisecond, Seed: 1})
	env.StateJobTimeZone(t) // the import steps run in provider processes that did not start the jobs
	snapshots := snapshotted(t, env, env.DesktopIDs, workspace.DiskTypeSystem)
	job := restoreOutOfBand(t, env, snapshots)
	config := func(importBlock string) string {
		return env.ProviderConfig + importBlock + fmt.Sprintf(`
resource "workspace_desktop_snapshot_restore" "test" {
  snapshot_ids = %s
}
`, hclStrings(framework.SortedStrings(snapshots)))
	}
	unchanged := newIdentityUnchanged(restoreAddr)
	checks := append(identityChecks(restoreAddr, env, exactStrings(job)), unchanged)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(fmt.Sprintf(`
import {
  to       = workspace_desktop_snapshot_restore.test
  identity = { job_ids = [%q] }
}
`, job)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: checks,
			},
			{RefreshState: true},
			{
				Config:            config(""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: checks,
			},
		},
	})
}
