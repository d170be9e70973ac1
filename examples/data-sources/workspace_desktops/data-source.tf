data "workspace_desktops" "finance" {
  name_regex = "^fin-"
}

output "finance_desktop_ids" {
  value = data.workspace_desktops.finance.ids
}
