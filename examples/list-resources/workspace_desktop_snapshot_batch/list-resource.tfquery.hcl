# Every snapshot batch made in the project, newest first. Run it with
# `terraform query`; `terraform query -generate-config-out=batches.tf` writes
# a resource block and an import block for each, ready to plan and apply.
list "workspace_desktop_snapshot_batch" "all" {
  provider         = workspace
  include_resource = true
}

# The November batches of the finance desktops. Job times carry no time zone,
# so the range is widened by the span of time zones: a batch begun up to 12
# hours before began_after, or 14 hours after began_before, may be listed too.
list "workspace_desktop_snapshot_batch" "finance_november" {
  provider = workspace
  limit    = 50

  config {
    desktop_name = "fin-"
    began_after  = "2026-11-01T00:00:00+08:00"
    began_before = "2026-12-01T00:00:00+08:00"
  }
}
