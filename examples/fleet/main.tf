# A fleet of thousands of desktops (README, "Large fleets"): eight batches,
# by the first hex digit of the desktop ID, instead of one. A desktop that
# joins or leaves the fleet touches its own batch only, and Terraform carries
# no value of more than about an eighth of the fleet; below a few thousand
# desktops, one batch (examples/rotation) is as fast.
terraform {
  required_providers {
    workspace = {
      source = "cloud-desktop/workspace"
    }
  }
}

provider "workspace" {}

variable "night" {
  description = "The night this run belongs to, e.g. 2026-11-22. A new value snapshots the whole fleet again."
  type        = string
}

variable "restore" {
  description = "Restore every desktop to the fleet's snapshots (each batch's, in one restore per batch)."
  type        = bool
  default     = false
}

# Only the IDs: Terraform carries one value per desktop instead of nine.
data "workspace_desktops" "all" {
  ids_only = true
}

locals {
  # Desktop IDs are UUIDs: their first hex digit, modulo 8, spreads them
  # evenly and never moves a desktop from one batch to another. Eight, not
  # sixteen: Terraform runs ten operations at once by default, so all the
  # batches' jobs run together.
  shards = {
    for id in data.workspace_desktops.all.ids :
    tostring(parseint(substr(id, 0, 1), 16) % 8) => id...
  }
}

resource "workspace_desktop_snapshot_batch" "fleet" {
  for_each = local.shards

  desktop_ids = each.value
  disk_type   = "ALL"
  system_disk_snapshot = {
    name = "nightly"
  }
  data_disk_snapshot = {
    name = "nightly"
  }
  triggers = {
    night = var.night
  }
}

resource "workspace_desktop_snapshot_restore" "fleet" {
  for_each = var.restore ? workspace_desktop_snapshot_batch.fleet : {}

  snapshot_ids = keys(each.value.snapshot_desktop_ids)
}

output "snapshot_count" {
  value = sum([for b in workspace_desktop_snapshot_batch.fleet : length(b.snapshot_desktop_ids)])
}
