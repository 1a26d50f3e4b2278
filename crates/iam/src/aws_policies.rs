//! AWS managed policies that users expect to attach, shipped as data. They live under
//! `arn:aws:iam::aws:policy/…`, are the same in every account and are read-only to everyone.
//!
//! `ReadOnlyAccess` here grants the read actions of IAM and STS and the `Get*`/`List*`/
//! `Describe*` actions of the common services; AWS's own version enumerates every service.

use time::OffsetDateTime;
use time::macros::datetime;

pub struct AwsPolicy {
    pub name: &'static str,
    pub path: &'static str,
    pub id: &'static str,
    pub description: &'static str,
    pub version: &'static str,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    pub document: &'static str,
}

impl AwsPolicy {
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{}{}", self.path, self.name)
    }
}

pub const AWS_ACCOUNT: &str = "aws";

pub static POLICIES: &[AwsPolicy] = &[
    AwsPolicy {
        name: "AdministratorAccess",
        path: "/",
        id: "ANPAIWMBCKSKIEE64ZLYK",
        description: "Provides full access to AWS services and resources.",
        version: "v1",
        created: datetime!(2015-02-06 18:39:46 UTC),
        updated: datetime!(2015-02-06 18:39:46 UTC),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    },
    AwsPolicy {
        name: "PowerUserAccess",
        path: "/",
        id: "ANPAJYRXTHIB4FOVS3ZXS",
        description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
        version: "v5",
        created: datetime!(2015-02-06 18:39:47 UTC),
        updated: datetime!(2023-07-06 22:04:00 UTC),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]}"#,
    },
    AwsPolicy {
        name: "IAMFullAccess",
        path: "/",
        id: "ANPAI7XKCFMBPM3QQRRVQ",
        description: "Provides full access to IAM via the AWS Management Console.",
        version: "v2",
        created: datetime!(2015-02-06 18:40:38 UTC),
        updated: datetime!(2019-06-21 19:40:00 UTC),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}"#,
    },
    AwsPolicy {
        name: "IAMReadOnlyAccess",
        path: "/",
        id: "ANPAJKSO7NDY4T57MWDSQ",
        description: "Provides read only access to IAM via the AWS Management Console.",
        version: "v4",
        created: datetime!(2015-02-06 18:40:39 UTC),
        updated: datetime!(2018-01-25 19:11:27 UTC),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}"#,
    },
    AwsPolicy {
        name: "IAMUserChangePassword",
        path: "/",
        id: "ANPAJ4L4MM2A7QIEB56MS",
        description: "Provides the ability for an IAM user to change their own password.",
        version: "v2",
        created: datetime!(2016-11-15 00:25:16 UTC),
        updated: datetime!(2016-11-15 23:18:55 UTC),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:aws:iam::*:user/${aws:username}"]},{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}"#,
    },
    AwsPolicy {
        name: "IAMSelfManageServiceSpecificCredentials",
        path: "/",
        id: "ANPAI4VT74EMXK2PMQJM2",
        description: "Allows an IAM user to manage their own Service Specific Credentials.",
        version: "v1",
        created: datetime!(2016-12-22 17:25:18 UTC),
        updated: datetime!(2016-12-22 17:25:18 UTC),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateServiceSpecificCredential","iam:ListServiceSpecificCredentials","iam:UpdateServiceSpecificCredential","iam:DeleteServiceSpecificCredential","iam:ResetServiceSpecificCredential"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#,
    },
    AwsPolicy {
        name: "ReadOnlyAccess",
        path: "/",
        id: "ANPAILL3HVNFSB6DCOWYQ",
        description: "Provides read-only access to AWS services and resources.",
        version: "v1",
        created: datetime!(2015-02-06 18:39:48 UTC),
        updated: datetime!(2015-02-06 18:39:48 UTC),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy","sts:GetAccessKeyInfo","sts:GetCallerIdentity","sts:GetSessionToken","ec2:Describe*","ec2:Get*","s3:Get*","s3:List*","s3:Describe*","lambda:Get*","lambda:List*","dynamodb:Describe*","dynamodb:Get*","dynamodb:List*","dynamodb:Query","dynamodb:Scan","sqs:Get*","sqs:List*","sns:Get*","sns:List*","cloudwatch:Describe*","cloudwatch:Get*","cloudwatch:List*","logs:Describe*","logs:Get*","logs:FilterLogEvents","kms:Describe*","kms:Get*","kms:List*","rds:Describe*","rds:List*","cloudformation:Describe*","cloudformation:Get*","cloudformation:List*","ecr:Describe*","ecr:Get*","ecr:List*","ecs:Describe*","ecs:List*","eks:Describe*","eks:List*","secretsmanager:Describe*","secretsmanager:List*","ssm:Describe*","ssm:Get*","ssm:List*","organizations:Describe*","organizations:List*"],"Resource":"*"}]}"#,
    },
    AwsPolicy {
        name: "AmazonS3FullAccess",
        path: "/",
        id: "ANPAIFIR6V6BVTRAHWINE",
        description: "Provides full access to all buckets via the AWS Management Console.",
        version: "v2",
        created: datetime!(2015-02-06 18:40:58 UTC),
        updated: datetime!(2021-09-27 20:16:37 UTC),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"#,
    },
    AwsPolicy {
        name: "AmazonS3ReadOnlyAccess",
        path: "/",
        id: "ANPAIZTJ4DXE7G6AGAE6M",
        description: "Provides read only access to all buckets via the AWS Management Console.",
        version: "v3",
        created: datetime!(2015-02-06 18:40:59 UTC),
        updated: datetime!(2023-08-10 21:31:39 UTC),
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"#,
    },
];

/// The AWS managed policy with this ARN.
pub fn by_arn(arn: &str) -> Option<&'static AwsPolicy> {
    let rest = arn.strip_prefix("arn:aws:iam::aws:policy")?;
    POLICIES
        .iter()
        .find(|p| rest.strip_prefix(p.path) == Some(p.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_aws_policy_is_a_valid_identity_policy() {
        for p in POLICIES {
            iamd_policy::parse(p.document, iamd_policy::DocumentKind::Identity)
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert_eq!(p.id.len(), 21);
            assert!(by_arn(&p.arn()).is_some());
        }
        assert!(by_arn("arn:aws:iam::aws:policy/Nope").is_none());
    }
}
