data "workspace_desktop_snapshots" "latest" {
  desktop_ids             = ["xxxx3bc6-1512-4386-81fb-20604fe6xxxx"]
  most_recent_per_desktop = true
}

# Restores when created and whenever `triggers` change; snapshots newly named
# below are restored in place, only those (the plan says which), and ones
# removed cause no call. Destroying it makes no API call: it only forgets
# that the restore happened.
resource "workspace_desktop_snapshot_restore" "rollback" {
  # Or every snapshot a batch made:
  #   keys(workspace_desktop_snapshot_batch.before_patch.snapshot_desktop_ids)
  # or, for a batch by desktops_matching, as its few strings (instead of snapshot_ids):
  #   snapshot_ids_json = workspace_desktop_snapshot_batch.call_center.desktops_matching.snapshot_desktop_ids_json
  snapshot_ids = data.workspace_desktop_snapshots.latest.ids

  triggers = {
    incident = "INC-4711"
  }
}
