# The newest system and data disk snapshot of each desktop.
data "workspace_desktop_snapshots" "latest" {
  desktop_ids             = ["xxxx3bc6-1512-4386-81fb-20604fe6xxxx"]
  status                  = "create_success"
  most_recent_per_desktop = true
}
