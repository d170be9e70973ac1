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
