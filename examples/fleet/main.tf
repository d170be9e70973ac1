# A fleet of thousands of desktops (the guide "Large fleets",
# docs/guides/large-fleets.md): one batch that selects every desktop of the
# project with desktops_matching. The provider
# lists the desktops itself, so the configuration holds no list of IDs, and
# the batch keeps its desktops and snapshots as JSON strings: Terraform
# then carries a few strings instead of tens of thousands of values, which is
# most of what a plan of that many desktops would cost. A desktop created in
# the project joins the batch at the next apply and is snapshotted; one
# deleted, renamed out of the selection or left out leaves it, but its
# snapshots stay with the batch until the batch is replaced or destroyed. The
# plan names who joins and leaves, and the apply does that and nothing else.
#
# Each night replaces the batch create-first: the new snapshots are made
# before the old batch is destroyed, so a night whose create fails leaves
# the fleet with last night's snapshots, not with none.
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

variable "maintenance" {
  description = "IDs of desktops to leave out of tonight's snapshots (they leave the batch; the snapshots they have stay with it until it is replaced or destroyed)."
  type        = list(string)
  default     = []
}

variable "restore" {
  description = "Restore every desktop of the fleet to its snapshots."
  type        = bool
  default     = false
}

resource "workspace_desktop_snapshot_batch" "fleet" {
  desktops_matching = {
    except_ids = var.maintenance
  }
  disk_type = "ALL"
  system_disk_snapshot = {
    name = "nightly"
  }
  data_disk_snapshot = {
    name = "nightly"
  }
  triggers = {
    night = var.night
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "workspace_desktop_snapshot_restore" "fleet" {
  count = var.restore ? 1 : 0

  # The batch's snapshots as a few strings, not a list of tens of thousands.
  snapshot_ids_json = workspace_desktop_snapshot_batch.fleet.desktops_matching.snapshot_desktop_ids_json
}

output "desktop_count" {
  value = length(jsondecode(workspace_desktop_snapshot_batch.fleet.desktops_matching.desktop_ids_json))
}

# One JSON object per apply that made snapshots: a join adds one and leaves
# the others known, so the plan of a one-desktop join stays a few lines.
output "snapshot_count" {
  value = sum(concat([0], [for s in values(workspace_desktop_snapshot_batch.fleet.desktops_matching.snapshot_desktop_ids_json) : length(jsondecode(s))]))
}
