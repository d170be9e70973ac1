# Adopt a restore made outside Terraform by the IDs of its batch-restore jobs,
# comma separated (Terraform 1.5 and later).
import {
  to = workspace_desktop_snapshot_restore.rollback
  id = "1792d3eb-35c6-4e99-8381-abfc8e02126b"
}
