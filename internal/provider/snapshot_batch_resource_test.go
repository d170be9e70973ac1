package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cloud-desktop/terraform-provider-workspace/internal/emulator"
	"github.com/cloud-desktop/terraform-provider-workspace/internal/workspace"
)

const batchAddr = "workspace_desktop_snapshot_batch.test"

func batchConfig(env *testAccEnv, ids []string, extra string) string {
	return env.ProviderConfig + fmt.Sprintf(`
resource "workspace_desktop_snapshot_batch" "test" {
  desktop_ids = %s
  system_disk_snapshot = {
    name        = "acc"
    description = "acceptance test"
  }
%s
}
`, hclStrings(ids), extra)
}

// countSnapshots lists the desktops' snapshot records through the API.
func countSnapshots(t *testing.T, env *testAccEnv, ids []string) int {
	t.Helper()
	recs, err := env.Client.ListAllDesktopSnapshots(context.Background(), workspace.ListDesktopSnapshotRequest{DesktopIds: ids})
	if err != nil {
		t.Fatalf("listing snapshots: %v", err)
	}
	return len(recs)
}

func checkSnapshotsGone(t *testing.T, env *testAccEnv, ids []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := countSnapshots(t, env, ids); n != 0 {
			return fmt.Errorf("%d snapshot records of the batch's desktops remain after destroy", n)
		}
		return nil
	}
}

func TestAccSnapshotBatch_basic(t *testing.T) {
	env := newTestAccEnv(t, emulator.Config{Desktops: 3, JobDuration: 500 * time.Millisecond, Seed: 1})
	ids := env.DesktopIDs[:3]
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSnapshotsGone(t, env, ids),
		Steps: []resource.TestStep{
			{
				Config: batchConfig(env, ids, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("job_ids"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("disk_type"), knownvalue.StringExact("ALL")),
					// ALL: one system and one data disk record per desktop.
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshots"), knownvalue.ListSizeExact(6)),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshots").AtSliceIndex(0).AtMapKey("status"),
						knownvalue.StringExact("create_success")),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("snapshots").AtSliceIndex(0).AtMapKey("snapshot_name"),
						knownvalue.StringRegexp(regexp.MustCompile(`acc\d{14}$`))),
					statecheck.ExpectKnownValue(batchAddr, tfjsonpath.New("failed_desktops"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				Config:           batchConfig(env, ids, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
