# Users, groups, roles, instance profiles, inline and managed policies, attachments, an access
# key, a signing certificate and SSH public keys, created by the hashicorp/aws provider against
# iamd. Driven by tests/compat/test_terraform.py: apply, plan (must show no changes), destroy.

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

# ---- signing certificate and SSH public keys ------------------------------------------------
# The certificate body is read back from ListSigningCertificates and compared byte for byte
# (the heredoc's trailing newline included); the SSH keys are read back with GetSSHPublicKey in
# the resource's encoding.

resource "aws_iam_user" "carol" {
  name = "${var.prefix}-carol"
}

resource "aws_iam_signing_certificate" "carol" {
  user_name        = aws_iam_user.carol.name
  certificate_body = <<-EOT
    -----BEGIN CERTIFICATE-----
    MIIDETCCAfmgAwIBAgIUHdnu3MavhmFHwBMCC+ISo1B9HcUwDQYJKoZIhvcNAQEL
    BQAwGDEWMBQGA1UEAwwNaWFtZCB0ZXN0IHJzYTAeFw0yNjExMjMwMzIwNDlaFw0z
    NjExMjAwMzIwNDlaMBgxFjAUBgNVBAMMDWlhbWQgdGVzdCByc2EwggEiMA0GCSqG
    SIb3DQEBAQUAA4IBDwAwggEKAoIBAQDn0wjcLu7NpdEqJQenzK5C0GeEzk7L4Oc5
    F72RosANsDI8Cawr5ZsvDSzHETC85JRCKYlduTwnKJT8cfkL7tWpvOcUEZMylKpo
    KdKoX+YTVGryWAQU3y1nFyUyOdysKGWyo5fjjQRW1dAtaH8uyiy8DBjEGEwCdRKi
    PlGGLotFw5NdzJFYpIV7Rwb/FUfJA5jmdM2h4IzjoJKpZen3iorafZPWzJxR+HRq
    X45KsG4LaJnDBp1uWf5ZM8F+tiQ8wzIwMjepKSY8O2ZgLkOTAxB+wSu1sOE3p1QQ
    W+y/FhU+zKbETY0b1H0XujO0NSOJoGcc+Gikz3Ocjndy+stqD8qbAgMBAAGjUzBR
    MB0GA1UdDgQWBBTtHhuylKsKh4J5UjzIB5uX+IvlUDAfBgNVHSMEGDAWgBTtHhuy
    lKsKh4J5UjzIB5uX+IvlUDAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUA
    A4IBAQDK3ChXZTqZhu75kHLrmaTGv1bqHErVoMZEhMIATmUr9ef6TlNCnW46wulN
    QLCvWXccLAq8+HiEwo8P8Bg7+DF0RrBJaq73mhIBDhvJjCw+YhmqhX8KB0OcqkjN
    rf4G/A556IXa5Eeu/afnzIJIPVM60c93UP+UqNpbhc7o2IwsEiwBl5g2yo5X3zEs
    JxNyYRVSXy/yRqfvkj016uek6kHRuNnmpbbxZjQzs9yucQ2WcfeSXDo93ywbI90X
    yUeBDd/5BcuhA8nz5kQggymRSqu5Y/dm6NFvwcENHGsGQnIFhaUbXmo7BR32xvDN
    DrR0pTi2LkxJpi+XeXuGYWfhyaB5
    -----END CERTIFICATE-----
  EOT
}

resource "aws_iam_user_ssh_key" "carol_ssh" {
  username   = aws_iam_user.carol.name
  encoding   = "SSH"
  public_key = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1aqPTGOJsT7ZiNteWhnDRYFyMYiHzIsvtgkFWMzdmHKnvhLwwvRRmBuym/mTPS32m3wKewiy/e31iDAoeim2ntPQsmD7qd3zg2LcFsrepbc6avD36M1o2xXq4bfHy3R2w1taqEmWVj1HWSToTNmliT1FNu+ePuO0bQlHT0rD36yxN0841bOdvl/5cOvd1V8UZFZRHIXCUtWaqNFbPjVUHt2y+o2qMbEYfBdDjbEnnU/AXm3Erd6vqJTlxJy6nHrSydeB954TAOQOWPvNAR7G35BhjUcn4saLcS9i9MCuk3Dx/PljRfZo5u9zqQDZj4uKRYMtPLyyClt3E8bftMXJH tf-k1@example.com"
}

resource "aws_iam_user_ssh_key" "carol_pem" {
  username   = aws_iam_user.carol.name
  encoding   = "PEM"
  public_key = <<-EOT
    -----BEGIN PUBLIC KEY-----
    MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArCbhs0vZNdgbLoxne6QF
    T8j4PTDT8J7WzpsBHx8/c9lTbNERNDo2kReEBRcr01wXxm4MRU/FkXB70O1NevAT
    tBYPmlkzC9Z9SDnBX35kOBul3F056WY/eCs1TPb1RdLHc59PB1UAp3Dq1n96Qmmd
    XTXeIFZliQNjHTpEcWSXNTxkrS+t64PnJG+nLiDYDgatHPySTvclKBPLtstvYKIZ
    5rpMpT3SZk0vl9fYi05AFwZ3jRUOUlvfJ0X8OPsnxM+pPWG2+f2Ia2x5zlrw1Q1I
    ho0xHSmxKUAkBbZTi+KE00MPhWHhHQ4CZICHf7lu2WDRXjHEDplqnhd2unKtcOnJ
    nQIDAQAB
    -----END PUBLIC KEY-----
  EOT
}

# encoding = "PEM" with a one-line key, as the provider's documentation long showed it.
resource "aws_iam_user_ssh_key" "carol_pem_one_line" {
  username   = aws_iam_user.carol.name
  encoding   = "PEM"
  public_key = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCjepsXbpPV97r5+jAb2CghNzAw8b9hy855CpOw7/OD2szKN94cEVUWkaD0G5SSaKC+TUSUZWOMd37Cjfv76adkxqn6aZ0aYgXREUyl4MtUMp4FLdMKrYtuBJ84jbP32TYoF1cDZ2eRtkiSECjbS0OvB5pWxdXRlWTEPxTqw5IPjyCdM0fOrp0nUFttwaDnEDnfgtpd4Uh+dhv3TWBhnnRqe1cCc3jZAlprMdwNQQAq1HoJn+4vIDwVO1nz+VgVT/S231xQwbgP/VHIJony5LpOFr7GanTnpGRDA0Mor9DQDGX+ZJUkEub5NnpIXcQEO93+Ci+22ILXREBf0BVECoRd tf-k3@example.com"
  status     = "Inactive"
}

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
