# A least-privilege review of one IAM role in plain Terraform, with the accessadvisor provider of
# cdktf-access-advisor (install it once: `npx access-advisor provider install`).
#
#   terraform init && terraform plan
#
# The report runs during `terraform plan` (the role's ARN is known then) and fails the plan while the role may use
# services it did not use recently; the tightened policy is what to attach instead.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    accessadvisor = {
      # local.invalid: a host that never resolves, so this address cannot be mistaken for a registry's.
      source = "local.invalid/cdktf-access-advisor/accessadvisor"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

# Credentials, region and profile come from the AWS SDK's default chain, as for the aws provider.
provider "accessadvisor" {}

variable "role_name" {
  description = "The role to review."
  type        = string
  default     = "app-deployer"
}

data "aws_iam_role" "app" {
  name = var.role_name
}

# Which services (and, at ACTION_LEVEL, which actions) the role may use, and when it last used each.
data "accessadvisor_service_last_accessed" "app" {
  arn         = data.aws_iam_role.app.arn
  granularity = "ACTION_LEVEL"
}

output "report_job_id" {
  value = data.accessadvisor_service_last_accessed.app.job_id
}

output "services_never_used" {
  value = [for s in data.accessadvisor_service_last_accessed.app.services : s.service_namespace if s.last_authenticated == null]
}
