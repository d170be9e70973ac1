# A restore is imported by the IDs of its batch-restore jobs, comma separated.
# An import needs the zone of job times: set job_time_zone in the provider
# block (or HW_JOB_TIME_ZONE), e.g. "+08:00".
terraform import workspace_desktop_snapshot_restore.rollback 1792d3eb-35c6-4e99-8381-abfc8e02126b
