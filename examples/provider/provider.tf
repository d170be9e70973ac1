terraform {
  required_providers {
    workspace = {
      source = "cloud-desktop/workspace"
    }
  }
}

# Credentials usually come from the environment: HW_ACCESS_KEY and
# HW_SECRET_KEY (or HW_AUTH_TOKEN), HW_REGION_NAME, and optionally
# HW_PROJECT_ID, which is otherwise looked up through IAM.
provider "workspace" {
  region = "cn-north-4"
  # The zone the service writes job times in, which Huawei does not document.
  # Learned from the first job the provider starts; imports need it stated.
  # job_time_zone = "+08:00"
}
