# Lets this folder initialise and validate on its own (terraform init &&
# terraform validate); the provider is not on registry.terraform.io/hashicorp.
terraform {
  required_providers {
    workspace = {
      source = "cloud-desktop/workspace"
    }
  }
}
