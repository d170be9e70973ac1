# A restore is imported by the IDs of its batch-restore jobs, comma separated.
terraform import workspace_desktop_snapshot_restore.rollback 1792d3eb-35c6-4e99-8381-abfc8e02126b
