# Terraform 1.14 or later.
data "workspace_desktops" "finance" {
  name_regex = "^fin-"
}

data "workspace_desktop_snapshots" "latest" {
  desktop_ids             = data.workspace_desktops.finance.ids
  status                  = "create_success"
  most_recent_per_desktop = true
}

# On demand, leaving every resource alone:
#   terraform apply -invoke=action.workspace_desktop_snapshot_restore.rollback
action "workspace_desktop_snapshot_restore" "rollback" {
  config {
    snapshot_ids = data.workspace_desktop_snapshots.latest.ids
    timeout      = "45m"
  }
}

# Or fired by a resource's lifecycle: here, whenever the incident number
# changes, the desktops go back to their latest snapshots.
variable "incident" {
  type = string
}

resource "terraform_data" "incident" {
  input = var.incident

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.workspace_desktop_snapshot_restore.rollback]
    }
  }
}
