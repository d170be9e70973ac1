# Adopt a batch made outside Terraform by its batch-create job IDs (Terraform
# 1.12 and later). project_id and region may be left out: they default to the
# provider's, and when given must be the provider's. An import block with
# `id` does the same: a configuration has one of the two.
# An import needs the zone of job times: set job_time_zone in the provider
# block (or HW_JOB_TIME_ZONE), e.g. "+08:00".
import {
  to = workspace_desktop_snapshot_batch.before_patch
  identity = {
    job_ids    = ["1792d3eb-35c6-4e99-8381-abfc8e02126b"]
    project_id = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
    region     = "cn-north-4"
  }
}
