# Adopt a batch made outside Terraform by the IDs of its batch-create jobs,
# comma separated (Terraform 1.5 and later).
# An import needs the zone of job times: set job_time_zone in the provider
# block (or HW_JOB_TIME_ZONE), e.g. "+08:00".
import {
  to = workspace_desktop_snapshot_batch.before_patch
  id = "1792d3eb-35c6-4e99-8381-abfc8e02126b,2a0c5d4e-1f2b-4c3d-9e8f-0a1b2c3d4e5f"
}
