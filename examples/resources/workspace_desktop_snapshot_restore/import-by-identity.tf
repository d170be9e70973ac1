# Adopt a restore made outside Terraform by its batch-restore job IDs
# (Terraform 1.12 and later); project_id and region default to the provider's.
# An import block with `id` does the same: a configuration has one of the two.
# An import needs the zone of job times: set job_time_zone in the provider
# block (or HW_JOB_TIME_ZONE), e.g. "+08:00".
import {
  to = workspace_desktop_snapshot_restore.rollback
  identity = {
    job_ids = ["1792d3eb-35c6-4e99-8381-abfc8e02126b"]
  }
}
