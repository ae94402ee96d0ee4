# A least-privilege review of one IAM role in plain Terraform, with the accessadvisor provider of
# cdktf-access-advisor (install it once: `npx access-advisor provider install`).
#
#   terraform init && terraform plan
#
# The report runs during `terraform plan` (the role's ARN is known then). The gate fails the plan while the role may
# use services it did not use within 90 days; `attach_tightened_policy = true` plans the tightened policy instead of
# the current one, and the gate then judges what the role will hold, so the plan passes.

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

variable "policy_name" {
  description = "The role's customer managed policy to tighten."
  type        = string
  default     = "app-deployer-policy"
}

variable "attach_tightened_policy" {
  description = "Plan the tightened policy as the role's policy (and judge that instead of the current one)."
  type        = bool
  default     = false
}

locals {
  # Exceptions are explicit and carry their reason.
  exceptions = [
    { permission = "ec2", reason = "AMI lookups for the twice-yearly base image rotation" },
  ]
}

data "aws_iam_role" "app" {
  name = var.role_name
}

# Which services (and, at ACTION_LEVEL, which actions) the role may use, and when it last used each.
data "accessadvisor_service_last_accessed" "app" {
  arn         = data.aws_iam_role.app.arn
  granularity = "ACTION_LEVEL"
}

data "aws_iam_policy" "current" {
  # The account comes from the role's ARN: arn:aws:iam::ACCOUNT:role/NAME.
  arn = "arn:aws:iam::${split(":", data.aws_iam_role.app.arn)[4]}:policy/${var.policy_name}"
}

# The current policy without what the evidence proves unused; a tightening that fails its proof is an error.
# At the default granularity (ACTION_LEVEL, sent explicitly; IAM's own default is SERVICE_LEVEL) unused services go
# and a wildcard such as s3:* of a used service stays as written, a Deny statement listing its unused tracked actions;
# split_wildcards = true gives the smaller allow-list form (lossy for actions newer than the action catalog).
data "accessadvisor_tightened_policy" "app" {
  arn               = data.aws_iam_role.app.arn
  policy            = data.aws_iam_policy.current.policy
  unused_after_days = 90
  exceptions        = local.exceptions
}

# The gate: fails `terraform plan` with a readable table while the role may use what it did not use.
data "accessadvisor_unused_permissions" "gate" {
  arn               = data.aws_iam_role.app.arn
  unused_after_days = 90
  exceptions        = local.exceptions
  # Judge the policies the role will hold (list every one it keeps): once the tightened policy replaces the current
  # one, what it removed is no longer granted, so not a violation.
  policies = var.attach_tightened_policy ? [data.accessadvisor_tightened_policy.app.json] : null

  lifecycle {
    postcondition {
      condition     = self.passed
      error_message = "${self.summary}\n${self.table}"
    }
  }
}

resource "aws_iam_policy" "tightened" {
  count  = var.attach_tightened_policy ? 1 : 0
  name   = "${var.policy_name}-tightened"
  policy = data.accessadvisor_tightened_policy.app.json
}

output "report_job_id" {
  value = data.accessadvisor_service_last_accessed.app.job_id
}

output "services_never_used" {
  value = [for s in data.accessadvisor_service_last_accessed.app.services : s.service_namespace if s.last_authenticated == null]
}

output "removed_services" {
  value = data.accessadvisor_tightened_policy.app.removed_services
}

output "gate" {
  value = data.accessadvisor_unused_permissions.gate.summary
}
