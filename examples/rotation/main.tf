# Nightly snapshot rotation: each night's run makes a new batch before the
# previous one is destroyed, so there is always at least one good set.
# Run it from a nightly pipeline with -var "night=$(date +%F)".
terraform {
  required_providers {
    workspace = {
      source = "cloud-desktop/workspace"
    }
  }
}

provider "workspace" {}

variable "night" {
  description = "The night this run belongs to, e.g. 2026-11-22. A new value takes a new set of snapshots."
  type        = string
}

data "workspace_desktops" "all" {}

resource "workspace_desktop_snapshot_batch" "nightly" {
  desktop_ids = data.workspace_desktops.all.ids
  disk_type   = "ALL"

  system_disk_snapshot = {
    name        = "nightly"
    description = "Nightly snapshot of ${var.night}"
  }
  data_disk_snapshot = {
    name = "nightly"
  }

  # A new night replaces the batch: the new snapshots are taken first, then
  # the previous night's are deleted.
  triggers = {
    night = var.night
  }

  lifecycle {
    create_before_destroy = true
  }
}

output "snapshot_count" {
  value = length(workspace_desktop_snapshot_batch.nightly.snapshot_desktop_ids)
}
