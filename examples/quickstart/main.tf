# Quickstart: snapshot every desktop, find the newest snapshots, restore them.
# Provider settings come from the environment (HW_REGION_NAME, HW_ACCESS_KEY,
# HW_SECRET_KEY, and HW_WORKSPACE_ENDPOINT / HW_IAM_ENDPOINT for the emulator),
# so the same configuration runs against the local emulator and the cloud.
terraform {
  required_providers {
    workspace = {
      source = "cloud-desktop/workspace"
    }
  }
}

provider "workspace" {}

variable "name_regex" {
  description = "Only desktops whose computer name matches this regular expression."
  type        = string
  default     = ".*"
}

data "workspace_desktops" "selected" {
  name_regex = var.name_regex
}

resource "workspace_desktop_snapshot_batch" "before_patch" {
  desktop_ids = data.workspace_desktops.selected.ids
  disk_type   = "ALL"

  system_disk_snapshot = {
    name        = "before-patch"
    description = "Taken by Terraform before the patch night"
  }
  data_disk_snapshot = {
    name = "before-patch"
  }
}

# The newest snapshot of each desktop's disks, as the list API reports them.
data "workspace_desktop_snapshots" "latest" {
  desktop_ids             = workspace_desktop_snapshot_batch.before_patch.desktop_ids
  most_recent_per_desktop = true
}

# Restoring is an action-style resource: it restores when created or when its
# triggers change, and snapshots newly named in place, only those; destroying
# it makes no API call.
resource "workspace_desktop_snapshot_restore" "rollback" {
  snapshot_ids = data.workspace_desktop_snapshots.latest.ids
  triggers = {
    batch = workspace_desktop_snapshot_batch.before_patch.id
  }
}

output "desktops" {
  description = "How many desktops the batch snapshotted."
  value       = length(workspace_desktop_snapshot_batch.before_patch.desktop_ids)
}

output "job_ids" {
  description = "The batch-create jobs, one per 100 desktops."
  value       = workspace_desktop_snapshot_batch.before_patch.job_ids
}

output "snapshots" {
  description = "How many snapshots the batch made: one per disk of each desktop."
  value       = length(workspace_desktop_snapshot_batch.before_patch.snapshot_desktop_ids)
}

output "system_disk_snapshots" {
  description = "How many of them are of system disks (the rest are of data disks)."
  value       = length(workspace_desktop_snapshot_batch.before_patch.system_disk_snapshot_ids)
}

output "restore_job_ids" {
  description = "The batch-restore jobs."
  value       = workspace_desktop_snapshot_restore.rollback.job_ids
}

output "restore_status" {
  value = workspace_desktop_snapshot_restore.rollback.status
}
