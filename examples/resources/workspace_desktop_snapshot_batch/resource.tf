data "workspace_desktops" "finance" {
  name_regex = "^fin-"
}

# Snapshot every finance desktop before the patch night; bump the trigger to
# snapshot again (the old snapshots are deleted when the batch is replaced).
resource "workspace_desktop_snapshot_batch" "before_patch" {
  desktop_ids = toset(data.workspace_desktops.finance.ids)
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
