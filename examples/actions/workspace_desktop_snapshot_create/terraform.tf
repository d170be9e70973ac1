# Lets this folder initialise and validate on its own (terraform init &&
# terraform validate); the provider is not on registry.terraform.io/hashicorp.
# Actions and list resources need Terraform 1.14 or later.
terraform {
  required_version = ">= 1.14"
  required_providers {
    workspace = {
      source = "cloud-desktop/workspace"
    }
  }
}
