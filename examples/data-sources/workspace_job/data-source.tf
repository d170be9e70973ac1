data "workspace_job" "last_batch" {
  job_id = "1792d3eb-35c6-4e99-8381-abfc8e02126b"
}

output "failed_desktops" {
  value = [for s in data.workspace_job.last_batch.sub_jobs : s.desktop_id if s.status == "FAILED"]
}
