# A least-privilege review of one IAM role in plain Terraform, with the accessadvisor provider of
# cdktf-access-advisor (install it once: `npx access-advisor provider install`).
#
#   terraform init && terraform plan
#
# The report runs during `terraform plan` (the role's ARN is known then). The gate fails the plan while the role may
# use services it did not use within 90 days; `attach_tightened_policy = true` plans the tightened policies as the
# role's whole set (the exclusive resources below detach and delete every other policy at apply), and the gate then
# judges what the role will hold, so the plan passes.
#
# After that apply, tighten what the role holds: `tighten_applied_policies = true` and `deploy_logs_policy` (the
# output deploy_logs_policy). IAM's report lists only what the role's policies allow today, so it no longer says
# anything about what the apply removed: tightening the originals again keeps all of it, for lack of evidence, and the
# next apply would grant it back (the check "tightening_starts_from_what_the_role_holds" warns when a tightened policy
# allows services the report does not list). Tightening the applied policies again changes nothing.
#
# The gate's `policies` are EVERY policy the role will hold. The provider cannot see this configuration: it believes
# the list. The role is looked up, not managed here, so a policy attached to it today stays attached unless the
# configuration pins the whole set with aws_iam_role_policy_attachments_exclusive (policy_arns) and
# aws_iam_role_policies_exclusive (policy_names). Never list a tightened policy in `policies` without pinning both.

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

variable "tighten_applied_policies" {
  description = "Tighten the managed policy an earlier apply of this configuration attached (<policy_name>-tightened) instead of policy_name. Set it once that apply is done."
  type        = bool
  default     = false
}

variable "deploy_logs_policy" {
  description = "deploy-logs as the role holds it (JSON; the output deploy_logs_policy after an apply). Null: as it was before this configuration tightened it."
  type        = string
  default     = null
}

variable "attach_tightened_policy" {
  description = "Plan the tightened policies as the role's whole set of policies (and judge them instead of today's)."
  type        = bool
  default     = false
}

locals {
  # Exceptions are explicit and carry their reason.
  exceptions = [
    { permission = "ec2", reason = "AMI lookups for the twice-yearly base image rotation" },
  ]
  # The role's inline policy deploy-logs as it is today, written here: Terraform has no data source for an inline
  # policy, and the gate must see every document the role keeps.
  deploy_logs = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], Resource = "*" }]
  })
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
  arn = "arn:aws:iam::${split(":", data.aws_iam_role.app.arn)[4]}:policy/${var.tighten_applied_policies ? "${var.policy_name}-tightened" : var.policy_name}"
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

# deploy-logs without what the evidence proves unused.
data "accessadvisor_tightened_policy" "deploy_logs" {
  arn               = data.aws_iam_role.app.arn
  policy            = coalesce(var.deploy_logs_policy, local.deploy_logs)
  attach_as         = "inline" # held to the role's inline quota, not a managed policy's
  unused_after_days = 90
  exceptions        = local.exceptions
}

# A tightening can only judge what the role holds: warn (without failing the plan) when a policy being tightened
# allows services the role's report does not list, e.g. the originals tightened again after an apply removed them.
check "tightening_starts_from_what_the_role_holds" {
  assert {
    condition = length(concat(data.accessadvisor_tightened_policy.app.unreported_services, data.accessadvisor_tightened_policy.deploy_logs.unreported_services)) == 0
    error_message = join("", [
      "The policies being tightened allow ${join(", ", distinct(concat(data.accessadvisor_tightened_policy.app.unreported_services, data.accessadvisor_tightened_policy.deploy_logs.unreported_services)))}, ",
      "which the role's report does not list (the role holds no policy allowing them today): they are kept without evidence, and this plan grants them. ",
      "If an earlier apply removed them, tighten what the role holds: tighten_applied_policies = true and deploy_logs_policy.",
    ])
  }
}

# The gate: fails `terraform plan` with a readable table while the role may use what it did not use.
data "accessadvisor_unused_permissions" "gate" {
  arn               = data.aws_iam_role.app.arn
  unused_after_days = 90
  exceptions        = local.exceptions
  # Every policy the role will hold, or null to judge what IAM grants it today. Once the tightened policies are the
  # role's whole set (pinned below), what they removed is no longer granted, so not a violation. The provider takes
  # this list on trust: keep it equal to the pinned sets (policy_arns' documents plus policy_names' documents).
  policies = var.attach_tightened_policy ? [data.accessadvisor_tightened_policy.app.json, data.accessadvisor_tightened_policy.deploy_logs.json] : null

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

resource "aws_iam_role_policy" "deploy_logs" {
  count  = var.attach_tightened_policy ? 1 : 0
  role   = data.aws_iam_role.app.name
  name   = "deploy-logs"
  policy = data.accessadvisor_tightened_policy.deploy_logs.json
}

# The role's whole set after apply: exactly these managed policies (the current one is detached) ...
resource "aws_iam_role_policy_attachments_exclusive" "app" {
  count       = var.attach_tightened_policy ? 1 : 0
  role_name   = data.aws_iam_role.app.name
  policy_arns = [aws_iam_policy.tightened[0].arn]
}

# ... and exactly these inline policies (any other is deleted).
resource "aws_iam_role_policies_exclusive" "app" {
  count        = var.attach_tightened_policy ? 1 : 0
  role_name    = data.aws_iam_role.app.name
  policy_names = [aws_iam_role_policy.deploy_logs[0].name]
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

output "deploy_logs_policy" {
  description = "deploy-logs as this configuration writes it: pass it as deploy_logs_policy once applied."
  value       = data.accessadvisor_tightened_policy.deploy_logs.json
}
