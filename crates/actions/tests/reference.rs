//! Spot checks against the Service Authorization Reference, and request-derived condition keys
//! computed from really decoded requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iamd_actions::{
    Basis, Enforcement, ResourceKind, ResourceRef, Source, When, authorization,
    context_keys_for_action, request_condition_keys,
};
use iamd_wire::{Model, Params, decode_input, parse_query};

fn decode(op: &str, query: &str) -> Params {
    let model = Model::get();
    let operation = model.operation(op).expect("operation in the model");
    let params = parse_query(query.as_bytes()).expect("query");
    decode_input(&model, operation, &params).expect("valid input")
}

fn keys(op: &str, query: &str) -> Vec<(String, Vec<String>)> {
    request_condition_keys(op, &decode(op, query))
}

fn values<'a>(keys: &'a [(String, Vec<String>)], name: &str) -> Option<&'a [String]> {
    keys.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_slice())
}

/// (operation, its own action, resource kind or None for `*`, resource parameter if any)
const SPOT: &[(&str, &str, Option<ResourceKind>, Option<&str>)] = &[
    (
        "AddUserToGroup",
        "iam:AddUserToGroup",
        Some(ResourceKind::Group),
        Some("GroupName"),
    ),
    (
        "AttachRolePolicy",
        "iam:AttachRolePolicy",
        Some(ResourceKind::Role),
        Some("RoleName"),
    ),
    (
        "AttachUserPolicy",
        "iam:AttachUserPolicy",
        Some(ResourceKind::User),
        Some("UserName"),
    ),
    (
        "ChangePassword",
        "iam:ChangePassword",
        Some(ResourceKind::User),
        None,
    ),
    (
        "CreateAccessKey",
        "iam:CreateAccessKey",
        Some(ResourceKind::User),
        Some("UserName"),
    ),
    ("CreateAccountAlias", "iam:CreateAccountAlias", None, None),
    (
        "CreateGroup",
        "iam:CreateGroup",
        Some(ResourceKind::Group),
        Some("GroupName"),
    ),
    (
        "CreatePolicy",
        "iam:CreatePolicy",
        Some(ResourceKind::Policy),
        Some("PolicyName"),
    ),
    (
        "CreateRole",
        "iam:CreateRole",
        Some(ResourceKind::Role),
        Some("RoleName"),
    ),
    (
        "CreateSAMLProvider",
        "iam:CreateSAMLProvider",
        Some(ResourceKind::SamlProvider),
        Some("Name"),
    ),
    (
        "CreateUser",
        "iam:CreateUser",
        Some(ResourceKind::User),
        Some("UserName"),
    ),
    (
        "CreateVirtualMFADevice",
        "iam:CreateVirtualMFADevice",
        Some(ResourceKind::Mfa),
        Some("VirtualMFADeviceName"),
    ),
    (
        "DeleteInstanceProfile",
        "iam:DeleteInstanceProfile",
        Some(ResourceKind::InstanceProfile),
        Some("InstanceProfileName"),
    ),
    (
        "DeleteServerCertificate",
        "iam:DeleteServerCertificate",
        Some(ResourceKind::ServerCertificate),
        Some("ServerCertificateName"),
    ),
    (
        "GenerateCredentialReport",
        "iam:GenerateCredentialReport",
        None,
        None,
    ),
    (
        "GenerateOrganizationsAccessReport",
        "iam:GenerateOrganizationsAccessReport",
        Some(ResourceKind::AccessReport),
        Some("EntityPath"),
    ),
    (
        "GetAccessKeyLastUsed",
        "iam:GetAccessKeyLastUsed",
        Some(ResourceKind::User),
        Some("AccessKeyId"),
    ),
    (
        "GetAccountAuthorizationDetails",
        "iam:GetAccountAuthorizationDetails",
        None,
        None,
    ),
    ("GetAccountSummary", "iam:GetAccountSummary", None, None),
    (
        "GetContextKeysForCustomPolicy",
        "iam:GetContextKeysForCustomPolicy",
        None,
        None,
    ),
    (
        "GetGroup",
        "iam:GetGroup",
        Some(ResourceKind::Group),
        Some("GroupName"),
    ),
    (
        "GetRole",
        "iam:GetRole",
        Some(ResourceKind::Role),
        Some("RoleName"),
    ),
    (
        "GetUser",
        "iam:GetUser",
        Some(ResourceKind::User),
        Some("UserName"),
    ),
    (
        "ListAccessKeys",
        "iam:ListAccessKeys",
        Some(ResourceKind::User),
        Some("UserName"),
    ),
    ("ListAccountAliases", "iam:ListAccountAliases", None, None),
    (
        "ListAttachedGroupPolicies",
        "iam:ListAttachedGroupPolicies",
        Some(ResourceKind::Group),
        Some("GroupName"),
    ),
    ("ListGroups", "iam:ListGroups", None, None),
    ("ListPolicies", "iam:ListPolicies", None, None),
    ("ListRoles", "iam:ListRoles", None, None),
    ("ListUsers", "iam:ListUsers", None, None),
    (
        "ListVirtualMFADevices",
        "iam:ListVirtualMFADevices",
        None,
        None,
    ),
    (
        "PutGroupPolicy",
        "iam:PutGroupPolicy",
        Some(ResourceKind::Group),
        Some("GroupName"),
    ),
    (
        "PutUserPermissionsBoundary",
        "iam:PutUserPermissionsBoundary",
        Some(ResourceKind::User),
        Some("UserName"),
    ),
    (
        "RemoveRoleFromInstanceProfile",
        "iam:RemoveRoleFromInstanceProfile",
        Some(ResourceKind::InstanceProfile),
        Some("InstanceProfileName"),
    ),
    (
        "SimulateCustomPolicy",
        "iam:SimulateCustomPolicy",
        None,
        None,
    ),
    (
        "TagRole",
        "iam:TagRole",
        Some(ResourceKind::Role),
        Some("RoleName"),
    ),
    (
        "UntagUser",
        "iam:UntagUser",
        Some(ResourceKind::User),
        Some("UserName"),
    ),
    (
        "UpdateAccountPasswordPolicy",
        "iam:UpdateAccountPasswordPolicy",
        None,
        None,
    ),
    (
        "UploadSSHPublicKey",
        "iam:UploadSSHPublicKey",
        Some(ResourceKind::User),
        Some("UserName"),
    ),
    (
        "UploadServerCertificate",
        "iam:UploadServerCertificate",
        Some(ResourceKind::ServerCertificate),
        Some("ServerCertificateName"),
    ),
    (
        "DecodeAuthorizationMessage",
        "sts:DecodeAuthorizationMessage",
        None,
        None,
    ),
    ("GetAccessKeyInfo", "sts:GetAccessKeyInfo", None, None),
    ("GetCallerIdentity", "sts:GetCallerIdentity", None, None),
    (
        "GetFederationToken",
        "sts:GetFederationToken",
        Some(ResourceKind::FederatedUser),
        Some("Name"),
    ),
    ("GetSessionToken", "sts:GetSessionToken", None, None),
    (
        "AssumeRoot",
        "sts:AssumeRoot",
        Some(ResourceKind::Root),
        Some("TargetPrincipal"),
    ),
];

fn resource_param(r: &ResourceRef) -> Option<&'static str> {
    match *r {
        ResourceRef::Named { param, .. }
        | ResourceRef::NamedOrCaller { param, .. }
        | ResourceRef::Renamed { param, .. } => Some(param),
        ResourceRef::Created { name, .. } => Some(name),
        ResourceRef::Arn(p)
        | ResourceRef::AccessKeyOwner(p)
        | ResourceRef::OidcProviderForUrl(p)
        | ResourceRef::ServiceLinkedRole(p)
        | ResourceRef::DeletionTaskRole(p)
        | ResourceRef::AccountRoot(p) => Some(p),
        ResourceRef::Any | ResourceRef::Caller(_) | ResourceRef::NewDelegationRequest => None,
    }
}

#[test]
fn spot_checks_against_the_reference() {
    assert!(SPOT.len() >= 30);
    for &(op, action, kind, param) in SPOT {
        let auth = authorization(op).unwrap_or_else(|| panic!("{op}"));
        assert_eq!(auth.action(), action, "{op}");
        let first = &auth.checks[0];
        assert_eq!(first.when, When::Always, "{op}");
        assert_eq!(first.resource.kind(), kind, "{op}");
        assert_eq!(resource_param(&first.resource), param, "{op}");
        if kind.is_none() {
            assert_eq!(first.resource, ResourceRef::Any, "{op}");
        }
    }
}

#[test]
fn policies_and_providers_are_named_by_their_arn() {
    for op in [
        "GetPolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "ListEntitiesForPolicy",
        "TagPolicy",
    ] {
        assert_eq!(
            authorization(op).unwrap().checks[0].resource,
            ResourceRef::Arn("PolicyArn"),
            "{op}"
        );
    }
    for op in [
        "GetOpenIDConnectProvider",
        "TagOpenIDConnectProvider",
        "AddClientIDToOpenIDConnectProvider",
    ] {
        assert_eq!(
            authorization(op).unwrap().checks[0].resource,
            ResourceRef::Arn("OpenIDConnectProviderArn"),
            "{op}"
        );
    }
    for op in [
        "GetSAMLProvider",
        "DeleteSAMLProvider",
        "UpdateSAMLProvider",
    ] {
        assert_eq!(
            authorization(op).unwrap().checks[0].resource,
            ResourceRef::Arn("SAMLProviderArn"),
            "{op}"
        );
    }
    for op in [
        "TagMFADevice",
        "UntagMFADevice",
        "ListMFADeviceTags",
        "DeleteVirtualMFADevice",
    ] {
        assert_eq!(
            authorization(op).unwrap().checks[0].resource,
            ResourceRef::Arn("SerialNumber"),
            "{op}"
        );
    }
    for op in [
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
    ] {
        assert_eq!(
            authorization(op).unwrap().checks[0].resource,
            ResourceRef::Arn("RoleArn"),
            "{op}"
        );
    }
}

#[test]
fn the_caller_when_user_name_is_absent() {
    for op in [
        "GetUser",
        "ListAccessKeys",
        "CreateAccessKey",
        "DeleteAccessKey",
        "UpdateAccessKey",
        "ListMFADevices",
        "ListSSHPublicKeys",
        "ListSigningCertificates",
        "UploadSigningCertificate",
        "GetLoginProfile",
        "DeactivateMFADevice",
    ] {
        let r = authorization(op).unwrap().checks[0].resource;
        assert_eq!(
            r,
            ResourceRef::NamedOrCaller {
                kind: ResourceKind::User,
                param: "UserName"
            },
            "{op}"
        );
    }
    assert_eq!(
        authorization("ChangePassword").unwrap().checks[0].resource,
        ResourceRef::Caller(ResourceKind::User)
    );
}

#[test]
fn enforcement_exceptions() {
    let e = |op: &str| authorization(op).unwrap().enforcement;
    assert_eq!(e("GetCallerIdentity"), Enforcement::NotAuthorized);
    assert_eq!(e("GetSessionToken"), Enforcement::NotAuthorized);
    assert_eq!(e("AssumeRoleWithSAML"), Enforcement::TrustPolicyOnly);
    assert_eq!(e("AssumeRoleWithWebIdentity"), Enforcement::TrustPolicyOnly);
    assert_eq!(e("AssumeRole"), Enforcement::IdentityAndTrust);
    assert_eq!(e("GetFederationToken"), Enforcement::Identity);
    assert_eq!(e("DecodeAuthorizationMessage"), Enforcement::Identity);
    assert_eq!(e("CreateUser"), Enforcement::Identity);
}

#[test]
fn dependent_actions() {
    let actions = |op: &str, q: &str| -> Vec<&'static str> {
        let p = decode(op, q);
        authorization(op)
            .unwrap()
            .applicable(&p)
            .map(|c| c.action)
            .collect()
    };
    // Adding a role to an instance profile passes it to EC2.
    let a = authorization("AddRoleToInstanceProfile").unwrap();
    assert_eq!(a.checks[1].action, "iam:PassRole");
    assert_eq!(
        a.checks[1].resource,
        ResourceRef::Named {
            kind: ResourceKind::Role,
            param: "RoleName"
        }
    );
    let k = keys(
        "AddRoleToInstanceProfile",
        "InstanceProfileName=ip&RoleName=r",
    );
    assert_eq!(
        values(&k, "iam:PassedToService"),
        Some(&["ec2.amazonaws.com".to_string()][..])
    );

    assert_eq!(actions("CreateUser", "UserName=bob"), ["iam:CreateUser"]);
    assert_eq!(
        actions(
            "CreateUser",
            "UserName=bob&Tags.member.1.Key=team&Tags.member.1.Value=red"
        ),
        ["iam:CreateUser", "iam:TagUser"]
    );
    assert_eq!(
        actions(
            "CreateUser",
            "UserName=bob&PermissionsBoundary=arn:aws:iam::123456789012:policy/b"
        ),
        ["iam:CreateUser", "iam:PutUserPermissionsBoundary"]
    );
    assert_eq!(
        actions(
            "CreateRole",
            "RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=a&Tags.member.1.Value=b"
        ),
        ["iam:CreateRole", "iam:TagRole"]
    );
    assert_eq!(
        actions(
            "AssumeRole",
            "RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=sess"
        ),
        ["sts:AssumeRole"]
    );
    assert_eq!(
        actions(
            "AssumeRole",
            "RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=sess&Tags.member.1.Key=a&Tags.member.1.Value=b&SourceIdentity=alice"
        ),
        ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
    );
    assert_eq!(actions("UpdateUser", "UserName=bob"), ["iam:UpdateUser"]);
    assert_eq!(
        actions("UpdateUser", "UserName=bob&NewUserName=robert"),
        ["iam:UpdateUser", "iam:UpdateUser"]
    );
    assert_eq!(
        actions(
            "GetFederationToken",
            "Name=fed&Tags.member.1.Key=a&Tags.member.1.Value=b"
        ),
        ["sts:GetFederationToken", "sts:TagSession"]
    );
    // Session tags from a SAML assertion: the server decides, the table says so.
    let saml = authorization("AssumeRoleWithSAML").unwrap();
    assert_eq!(saml.checks[1].action, "sts:TagSession");
    assert_eq!(saml.checks[1].when, When::CredentialHasTags);
    assert_eq!(saml.checks[1].when.holds(&Params::empty()), None);
    assert_eq!(saml.checks[1].basis, Basis::UserGuide);
}

#[test]
fn request_tags_and_tag_keys() {
    let k = keys(
        "CreateUser",
        "UserName=bob&Tags.member.1.Key=team&Tags.member.1.Value=red&Tags.member.2.Key=cost&Tags.member.2.Value=42",
    );
    assert_eq!(
        values(&k, "aws:RequestTag/team"),
        Some(&["red".to_string()][..])
    );
    assert_eq!(
        values(&k, "aws:RequestTag/cost"),
        Some(&["42".to_string()][..])
    );
    assert_eq!(
        values(&k, "aws:TagKeys"),
        Some(&["team".to_string(), "cost".to_string()][..])
    );
    assert_eq!(values(&k, "iam:PermissionsBoundary"), None);

    let k = keys(
        "UntagRole",
        "RoleName=r&TagKeys.member.1=a&TagKeys.member.2=b",
    );
    assert_eq!(
        values(&k, "aws:TagKeys"),
        Some(&["a".to_string(), "b".to_string()][..])
    );

    // No tags: no tag keys at all (not an empty aws:TagKeys).
    assert!(keys("CreateUser", "UserName=bob").is_empty());
}

#[test]
fn iam_service_keys_from_the_request() {
    let k = keys(
        "CreateUser",
        "UserName=bob&PermissionsBoundary=arn:aws:iam::123456789012:policy/b",
    );
    assert_eq!(
        values(&k, "iam:PermissionsBoundary"),
        Some(&["arn:aws:iam::123456789012:policy/b".to_string()][..])
    );
    let k = keys(
        "AttachRolePolicy",
        "RoleName=r&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess",
    );
    assert_eq!(
        values(&k, "iam:PolicyARN"),
        Some(&["arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()][..])
    );
    // DetachGroupPolicy too; AttachRolePolicy's boundary key is the role's, not the request's.
    let k = keys(
        "DetachGroupPolicy",
        "GroupName=g&PolicyArn=arn:aws:iam::123456789012:policy/p",
    );
    assert_eq!(values(&k, "iam:PolicyARN").map(<[String]>::len), Some(1));
    let k = keys(
        "CreateServiceLinkedRole",
        "AWSServiceName=elasticbeanstalk.amazonaws.com",
    );
    assert_eq!(
        values(&k, "iam:AWSServiceName"),
        Some(&["elasticbeanstalk.amazonaws.com".to_string()][..])
    );
    let k = keys(
        "GenerateOrganizationsAccessReport",
        "EntityPath=o-a1b2c3d4e5/r-f6g7h8i9j0example&OrganizationsPolicyId=p-1234abcd",
    );
    assert_eq!(
        values(&k, "iam:OrganizationsPolicyId"),
        Some(&["p-1234abcd".to_string()][..])
    );
    let k = keys(
        "CreateServiceSpecificCredential",
        "UserName=u&ServiceName=codecommit.amazonaws.com",
    );
    assert_eq!(
        values(&k, "iam:ServiceSpecificCredentialServiceName"),
        Some(&["codecommit.amazonaws.com".to_string()][..])
    );
}

#[test]
fn sts_keys_from_the_request() {
    let k = keys(
        "AssumeRole",
        "RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=sess&ExternalId=ext-1\
         &SourceIdentity=alice&DurationSeconds=900\
         &Tags.member.1.Key=project&Tags.member.1.Value=x&TransitiveTagKeys.member.1=project",
    );
    let one = |s: &str| Some(vec![s.to_string()]);
    assert_eq!(
        values(&k, "sts:RoleSessionName").map(<[String]>::to_vec),
        one("sess")
    );
    assert_eq!(
        values(&k, "sts:ExternalId").map(<[String]>::to_vec),
        one("ext-1")
    );
    assert_eq!(
        values(&k, "sts:SourceIdentity").map(<[String]>::to_vec),
        one("alice")
    );
    assert_eq!(
        values(&k, "sts:TransitiveTagKeys").map(<[String]>::to_vec),
        one("project")
    );
    assert_eq!(
        values(&k, "aws:RequestTag/project").map(<[String]>::to_vec),
        one("x")
    );
    assert_eq!(
        values(&k, "aws:TagKeys").map(<[String]>::to_vec),
        one("project")
    );
    // AWS documents sts:DurationSeconds for GetWebIdentityToken, not for AssumeRole.
    assert_eq!(values(&k, "sts:DurationSeconds"), None);

    let k = keys(
        "GetWebIdentityToken",
        "Audience.member.1=https://a.example&SigningAlgorithm=RS256&DurationSeconds=300",
    );
    assert_eq!(
        values(&k, "sts:DurationSeconds").map(<[String]>::to_vec),
        one("300")
    );
    assert_eq!(
        values(&k, "sts:SigningAlgorithm").map(<[String]>::to_vec),
        one("RS256")
    );
    assert_eq!(
        values(&k, "sts:IdentityTokenAudience").map(<[String]>::to_vec),
        one("https://a.example")
    );

    let k = keys(
        "AssumeRoot",
        "TargetPrincipal=111122223333&TaskPolicyArn.arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
    );
    assert_eq!(
        values(&k, "sts:TaskPolicyArn").map(<[String]>::to_vec),
        one("arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials")
    );

    let k = keys(
        "AssumeRoleWithWebIdentity",
        "RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=web&WebIdentityToken=abcdefgh",
    );
    assert_eq!(
        values(&k, "sts:RoleSessionName").map(<[String]>::to_vec),
        one("web")
    );
}

#[test]
fn resource_keys_are_left_to_the_server() {
    let auth = authorization("DeleteRole").unwrap();
    let sources: Vec<(&str, Source)> = auth.checks[0]
        .keys
        .iter()
        .map(|k| (k.key, k.from))
        .collect();
    assert_eq!(
        sources,
        [
            ("aws:ResourceTag/${TagKey}", Source::ResourceTags),
            ("iam:PermissionsBoundary", Source::ResourceBoundary),
            ("iam:ResourceTag/${TagKey}", Source::ResourceTags),
        ]
    );
    assert!(keys("DeleteRole", "RoleName=r").is_empty());
}

#[test]
fn context_keys() {
    assert_eq!(
        context_keys_for_action("iam:CreateUser"),
        [
            "aws:RequestTag/${TagKey}",
            "aws:ResourceTag/${TagKey}",
            "aws:TagKeys",
            "iam:PermissionsBoundary",
            "iam:ResourceTag/${TagKey}",
        ]
    );
    assert_eq!(
        context_keys_for_action("IAM:attachgrouppolicy"),
        ["iam:PolicyARN"]
    );
    assert!(context_keys_for_action("iam:ListUsers").is_empty());
    assert!(context_keys_for_action("iam:PassRole").contains(&"iam:PassedToService"));
    assert!(context_keys_for_action("sts:AssumeRole").contains(&"sts:ExternalId"));
    assert!(context_keys_for_action("sts:TagSession").contains(&"sts:TransitiveTagKeys"));
    assert!(context_keys_for_action("s3:GetObject").is_empty());
}

#[test]
fn arns() {
    assert_eq!(
        ResourceKind::User.arn("123456789012", "/division/", "alice"),
        "arn:aws:iam::123456789012:user/division/alice"
    );
    assert_eq!(
        ResourceKind::User.arn("123456789012", "/", "alice"),
        "arn:aws:iam::123456789012:user/alice"
    );
    assert_eq!(
        ResourceKind::Role.arn("123456789012", "a/b", "r"),
        "arn:aws:iam::123456789012:role/a/b/r"
    );
    assert_eq!(
        ResourceKind::OidcProvider.arn("123456789012", "/ignored/", "example.com/id"),
        "arn:aws:iam::123456789012:oidc-provider/example.com/id"
    );
    assert_eq!(
        ResourceKind::Mfa.arn("123456789012", "/", "phone"),
        "arn:aws:iam::123456789012:mfa/phone"
    );
    assert_eq!(
        ResourceKind::FederatedUser.arn("123456789012", "/", "fed"),
        "arn:aws:sts::123456789012:federated-user/fed"
    );
    assert_eq!(
        ResourceKind::Root.arn("123456789012", "/", "x"),
        "arn:aws:iam::123456789012:root"
    );

    assert_eq!(
        ResourceKind::of_arn("arn:aws:iam::123456789012:user/a/b"),
        Some(ResourceKind::User)
    );
    assert_eq!(
        ResourceKind::of_arn("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        Some(ResourceKind::Policy)
    );
    assert_eq!(
        ResourceKind::of_arn("arn:aws:iam::123456789012:root"),
        Some(ResourceKind::Root)
    );
    assert_eq!(
        ResourceKind::of_arn("arn:aws:sts::123456789012:federated-user/f"),
        Some(ResourceKind::FederatedUser)
    );
    assert_eq!(
        ResourceKind::of_arn("arn:aws:sts::123456789012:assumed-role/r/s"),
        None
    );
    assert_eq!(ResourceKind::of_arn("arn:aws:s3:::bucket"), None);
    assert_eq!(ResourceKind::of_arn("nonsense"), None);
    for kind in ResourceKind::ALL {
        assert_eq!(
            ResourceKind::of_arn(&kind.arn("123456789012", "/p/", "n")),
            Some(kind)
        );
    }
}

#[test]
fn arns_from_the_request_alone() {
    let acct = "123456789012";
    let arn = |op: &str, q: &str| {
        authorization(op).unwrap().checks[0]
            .resource
            .arn_from_request(acct, &decode(op, q))
    };
    assert_eq!(
        arn("CreateUser", "UserName=bob&Path=/eng/"),
        Some("arn:aws:iam::123456789012:user/eng/bob".into())
    );
    assert_eq!(
        arn("CreateGroup", "GroupName=devs"),
        Some("arn:aws:iam::123456789012:group/devs".into())
    );
    assert_eq!(arn("ListUsers", ""), Some("*".into()));
    assert_eq!(
        arn(
            "GetPolicy",
            "PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess"
        ),
        Some("arn:aws:iam::aws:policy/ReadOnlyAccess".into())
    );
    assert_eq!(
        arn(
            "CreateOpenIDConnectProvider",
            "Url=https://token.actions.githubusercontent.com"
        ),
        Some("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com".into())
    );
    assert_eq!(
        arn("GetFederationToken", "Name=fed"),
        Some("arn:aws:sts::123456789012:federated-user/fed".into())
    );
    assert_eq!(
        arn(
            "AssumeRoot",
            "TargetPrincipal=111122223333&TaskPolicyArn.arn=arn:aws:iam::aws:policy/root-task/X"
        ),
        Some("arn:aws:iam::111122223333:root".into())
    );
    // Existing entities need the store for their path.
    assert_eq!(arn("GetUser", "UserName=bob"), None);
    assert_eq!(arn("GetRole", "RoleName=r"), None);
    let p = decode(
        "GenerateServiceLastAccessedDetails",
        "Arn=arn:aws:iam::123456789012:role/x",
    );
    assert_eq!(
        authorization("GenerateServiceLastAccessedDetails")
            .unwrap()
            .checks[0]
            .resource
            .kind_in(&p),
        Some(ResourceKind::Role)
    );
}

#[test]
fn every_resource_parameter_exists_in_the_model() {
    let model = Model::get();
    for auth in iamd_actions::all() {
        let op = model.operation(auth.operation).unwrap();
        let members: Vec<&str> = match op.input.map(|i| &model.shape(i).kind) {
            Some(iamd_wire::ShapeKind::Structure { members, .. }) => {
                members.iter().map(|(n, _)| n.as_str()).collect()
            }
            _ => Vec::new(),
        };
        let has = |p: &str| members.contains(&p);
        for c in auth.checks {
            if let Some(p) = resource_param(&c.resource) {
                assert!(has(p), "{}: resource parameter {p}", auth.operation);
            }
            for k in c.keys {
                let p = match k.from {
                    Source::Param(p)
                    | Source::ParamList(p)
                    | Source::TagValues(p)
                    | Source::TagKeysOf(p) => p,
                    Source::Member { param, .. } | Source::ListMember { param, .. } => param,
                    _ => continue,
                };
                assert!(has(p), "{}: key {} from {p}", auth.operation, k.key);
            }
            match c.when {
                When::Present(p) => assert!(has(p), "{}: when {p}", auth.operation),
                When::AnyPresent(ps) => {
                    for p in ps {
                        assert!(has(p), "{}: when {p}", auth.operation);
                    }
                }
                _ => {}
            }
        }
    }
}
