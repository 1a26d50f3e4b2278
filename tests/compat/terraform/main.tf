# Users, groups, roles, instance profiles, inline and managed policies, attachments and an access
# key, created by the hashicorp/aws provider against iamd. Driven by tests/compat/test_terraform.py:
# apply, plan (must show no changes), destroy.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" {
  type = string
}

variable "access_key" {
  type = string
}

variable "secret_key" {
  type      = string
  sensitive = true
}

variable "prefix" {
  type    = string
  default = "tf"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = var.access_key
  secret_key                  = var.secret_key
  skip_credentials_validation = true
  skip_requesting_account_id  = false
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1

  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

data "aws_caller_identity" "current" {}

# ---- users and groups ----------------------------------------------------------------------

resource "aws_iam_user" "alice" {
  name = "${var.prefix}-alice"
  path = "/eng/"
  tags = {
    team = "core"
    env  = "test"
  }
}

resource "aws_iam_user" "bob" {
  name = "${var.prefix}-bob"
}

resource "aws_iam_group" "devs" {
  name = "${var.prefix}-devs"
  path = "/eng/"
}

resource "aws_iam_group" "ops" {
  name = "${var.prefix}-ops"
}

resource "aws_iam_group_membership" "devs" {
  name  = "${var.prefix}-devs-membership"
  group = aws_iam_group.devs.name
  users = [aws_iam_user.alice.name, aws_iam_user.bob.name]
}

resource "aws_iam_user_group_membership" "bob_ops" {
  user   = aws_iam_user.bob.name
  groups = [aws_iam_group.ops.name]
}

resource "aws_iam_access_key" "alice" {
  user = aws_iam_user.alice.name
}

# ---- roles and instance profiles ------------------------------------------------------------

resource "aws_iam_role" "app" {
  name                 = "${var.prefix}-app"
  path                 = "/svc/"
  description          = "application role"
  max_session_duration = 7200
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = {
    team = "core"
  }
}

resource "aws_iam_role" "cross_account" {
  name = "${var.prefix}-cross"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_instance_profile" "app" {
  name = "${var.prefix}-app-profile"
  path = "/svc/"
  role = aws_iam_role.app.name
}

# ---- inline policies --------------------------------------------------------------------------

resource "aws_iam_user_policy" "alice_own_keys" {
  name = "own-keys"
  user = aws_iam_user.alice.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:GetUser"]
      Resource = "arn:aws:iam::*:user/eng/$${aws:username}"
    }]
  })
}

resource "aws_iam_role_policy" "app" {
  name = "app-inline"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]
    }]
  })
}

resource "aws_iam_group_policy" "devs" {
  name  = "devs-inline"
  group = aws_iam_group.devs.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "iam:List*"
      Resource  = "*"
      Condition = { IpAddress = { "aws:SourceIp" = "127.0.0.1/32" } }
    }]
  })
}

# ---- managed policies and attachments -----------------------------------------------------------

resource "aws_iam_policy" "read_users" {
  name        = "${var.prefix}-read-users"
  path        = "/team/"
  description = "read users"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "Read"
      Effect   = "Allow"
      Action   = ["iam:GetUser", "iam:ListUsers"]
      Resource = "*"
    }]
  })
  tags = {
    team = "core"
  }
}

resource "aws_iam_user_policy_attachment" "alice_read" {
  user       = aws_iam_user.alice.name
  policy_arn = aws_iam_policy.read_users.arn
}

resource "aws_iam_user_policy_attachment" "bob_readonly" {
  user       = aws_iam_user.bob.name
  policy_arn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
}

resource "aws_iam_role_policy_attachment" "app_read" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.read_users.arn
}

resource "aws_iam_role_policy_attachment" "cross_readonly" {
  role       = aws_iam_role.cross_account.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# AWS managed policies by ARN (under a path) and by name (the provider pages ListPolicies
# through all of them to find it).
data "aws_iam_policy" "lambda_basic" {
  arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

data "aws_iam_policy" "lambda_execute" {
  name = "AWSLambdaExecute"
}

resource "aws_iam_role_policy_attachment" "app_lambda_basic" {
  role       = aws_iam_role.app.name
  policy_arn = data.aws_iam_policy.lambda_basic.arn
}

resource "aws_iam_role_policy_attachment" "app_lambda_execute" {
  role       = aws_iam_role.app.name
  policy_arn = data.aws_iam_policy.lambda_execute.arn
}

resource "aws_iam_group_policy_attachment" "ops_read" {
  group      = aws_iam_group.ops.name
  policy_arn = aws_iam_policy.read_users.arn
}

# ---- outputs the test checks --------------------------------------------------------------------

output "account_id" {
  value = data.aws_caller_identity.current.account_id
}

output "alice_arn" {
  value = aws_iam_user.alice.arn
}

output "alice_key_id" {
  value = aws_iam_access_key.alice.id
}

output "alice_secret" {
  value     = aws_iam_access_key.alice.secret
  sensitive = true
}

output "role_arn" {
  value = aws_iam_role.app.arn
}

output "profile_arn" {
  value = aws_iam_instance_profile.app.arn
}

output "policy_arn" {
  value = aws_iam_policy.read_users.arn
}

output "lambda_basic" {
  value = {
    arn       = data.aws_iam_policy.lambda_basic.arn
    path      = data.aws_iam_policy.lambda_basic.path
    policy_id = data.aws_iam_policy.lambda_basic.policy_id
    policy    = data.aws_iam_policy.lambda_basic.policy
  }
}

output "lambda_execute_arn" {
  value = data.aws_iam_policy.lambda_execute.arn
}
