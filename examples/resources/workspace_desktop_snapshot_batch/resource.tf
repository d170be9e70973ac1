data "workspace_desktops" "finance" {
  name_regex = "^fin-"
}

# Snapshot every finance desktop before the patch night; bump the trigger to
# snapshot again (the old snapshots are deleted when the batch is replaced).
resource "workspace_desktop_snapshot_batch" "before_patch" {
  desktop_ids = data.workspace_desktops.finance.ids
  disk_type   = "ALL"

  system_disk_snapshot = {
    name        = "before-patch"
    description = "Before the November patch night"
  }
  data_disk_snapshot = {
    name = "before-patch"
  }

  triggers = {
    patch_night = "2026-11"
  }

  timeouts = {
    create = "45m"
  }
}

# The batch keeps snapshot IDs only (by desktop and disk, and all of them with
# their desktop in snapshot_desktop_ids); names, status and times come from
# the records themselves.
data "workspace_desktop_snapshots" "before_patch" {
  desktop_ids = workspace_desktop_snapshot_batch.before_patch.desktop_ids
}

locals {
  batch_snapshots = workspace_desktop_snapshot_batch.before_patch.snapshot_desktop_ids
  batch_records = {
    for s in data.workspace_desktop_snapshots.before_patch.snapshots :
    s.snapshot_id => s if lookup(local.batch_snapshots, s.snapshot_id, null) != null
  }
}

output "system_disk_snapshot_of_each_desktop" {
  value = workspace_desktop_snapshot_batch.before_patch.system_disk_snapshot_ids
}

output "batch_snapshot_status" {
  value = { for id, s in local.batch_records : id => s.status }
}

# A fleet of thousands of desktops: the provider finds the desktops itself
# (here every one whose computer name starts with "call-", but one under
# maintenance), so the configuration holds no list of IDs and state keeps the
# desktops and snapshots as JSON strings (the guide "Large fleets"). A
# desktop that starts to match joins the batch in place; one that stops
# matching leaves it, and its snapshots stay with the batch until it is
# replaced or destroyed.
resource "workspace_desktop_snapshot_batch" "call_center" {
  desktops_matching = {
    name_regex = "^call-"
    except_ids = ["xxxx3bc6-1512-4386-81fb-20604fe6xxxx"]
  }
  disk_type = "SYSTEM_DISK"

  system_disk_snapshot = {
    name = "nightly"
  }

  triggers = {
    night = "2026-11-22"
  }
}

output "call_center_snapshot_count" {
  # One JSON object per apply that made snapshots.
  value = sum(concat([0], [for s in values(workspace_desktop_snapshot_batch.call_center.desktops_matching.snapshot_desktop_ids_json) : length(jsondecode(s))]))
}
