# Issue 14's resources, created by the hashicorp/aws provider against iamd: service-linked
# roles (with and without a custom suffix), service-specific credentials, the STS token
# preference and a force_destroy user. Driven by tests/compat/test_terraform_ops.py.

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

variable "saml_metadata_file" {
  type = string
}

resource "aws_iam_saml_provider" "corp" {
  name                   = "${var.prefix}-corp"
  saml_metadata_document = file(var.saml_metadata_file)
  tags = {
    team = "identity"
  }
}

resource "aws_iam_service_linked_role" "elb" {
  aws_service_name = "elasticloadbalancing.amazonaws.com"
}

resource "aws_iam_service_linked_role" "asg" {
  aws_service_name = "autoscaling.amazonaws.com"
  custom_suffix    = "${var.prefix}fleet"
  description      = "Auto Scaling for the ${var.prefix} fleet"
  tags = {
    team = "core"
  }
}

resource "aws_iam_user" "dev" {
  name          = "${var.prefix}-dev"
  force_destroy = true
}

resource "aws_iam_service_specific_credential" "git" {
  service_name = "codecommit.amazonaws.com"
  user_name    = aws_iam_user.dev.name
}

resource "aws_iam_service_specific_credential" "keyspaces" {
  service_name = "cassandra.amazonaws.com"
  user_name    = aws_iam_user.dev.name
  status       = "Inactive"
}

resource "aws_iam_security_token_service_preferences" "this" {
  global_endpoint_token_version = "v2Token"
}

# A user that will hold every kind of credential, added outside terraform: destroy must clear
# them (force_destroy).
resource "aws_iam_user" "holder" {
  name          = "${var.prefix}-holder"
  force_destroy = true
}

output "saml_arn" {
  value = aws_iam_saml_provider.corp.arn
}

output "saml_valid_until" {
  value = aws_iam_saml_provider.corp.valid_until
}

output "elb_role_arn" {
  value = aws_iam_service_linked_role.elb.arn
}

output "asg_role_name" {
  value = aws_iam_service_linked_role.asg.name
}

output "git_user_name" {
  value = aws_iam_service_specific_credential.git.service_user_name
}

output "git_password" {
  value     = aws_iam_service_specific_credential.git.service_password
  sensitive = true
}
