# Terraform 1.14 or later.
data "workspace_desktops" "finance" {
  name_regex = "^fin-"
}

# On demand:
#   terraform apply -invoke=action.workspace_desktop_snapshot_create.before_patch
action "workspace_desktop_snapshot_create" "before_patch" {
  config {
    desktop_ids = data.workspace_desktops.finance.ids
    disk_type   = "SYSTEM_DISK"
    system_disk_snapshot = {
      name        = "prepatch"
      description = "taken before patch night"
    }
    timeout = "1h"
  }
}

# Or before every change of the patch release a resource rolls out.
variable "patch_release" {
  type = string
}

resource "terraform_data" "patch_release" {
  input = var.patch_release

  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.workspace_desktop_snapshot_create.before_patch]
    }
  }
}
