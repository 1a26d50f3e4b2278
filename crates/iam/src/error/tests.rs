//! Every variant, rendered: AWS's code, HTTP status, message and fault side.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use super::*;

const FAILURE: &str =
    "The request processing has failed because of an unknown error, exception or failure.";

/// (error, code, status, message); a status under 500 is the sender's fault.
fn cases() -> Vec<(IamError, &'static str, u16, String)> {
    let cert = iamd_certs::SshPublicKey::parse("not a key").unwrap_err();
    let cert_code = cert.code();
    let cert_message = cert.message().to_string();
    vec![
        (
            IamError::no_such_entity(
                EntityKind::User,
                "bob",
                "The user with name bob cannot be found.",
            ),
            "NoSuchEntity",
            404,
            "The user with name bob cannot be found.".into(),
        ),
        (
            IamError::already_exists(
                EntityKind::Group,
                "eng",
                "Group with name eng already exists.",
            ),
            "EntityAlreadyExists",
            409,
            "Group with name eng already exists.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::User, "bob", Conflict::AccessKeys),
            "DeleteConflict",
            409,
            "Cannot delete entity, must delete access keys first.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::User, "bob", Conflict::GroupMemberships),
            "DeleteConflict",
            409,
            "Cannot delete entity, must remove user from all groups first.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::Group, "eng", Conflict::GroupMembers),
            "DeleteConflict",
            409,
            "Cannot delete entity, must remove users from group first.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::Role, "r", Conflict::InlinePolicies),
            "DeleteConflict",
            409,
            "Cannot delete entity, must delete policies first.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::Role, "r", Conflict::AttachedPolicies),
            "DeleteConflict",
            409,
            "Cannot delete entity, must detach all policies first.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::User, "bob", Conflict::MfaDevices),
            "DeleteConflict",
            409,
            "Cannot delete entity, must delete MFA device first.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::User, "bob", Conflict::LoginProfile),
            "DeleteConflict",
            409,
            "Cannot delete entity, must delete login profile first.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::User, "bob", Conflict::SigningCertificates),
            "DeleteConflict",
            409,
            "Cannot delete entity, must delete signing certificates first.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::User, "bob", Conflict::SshPublicKeys),
            "DeleteConflict",
            409,
            "Cannot delete entity, must delete SSH public keys first.".into(),
        ),
        (
            IamError::delete_conflict(
                EntityKind::InstanceProfile,
                "p",
                Conflict::InstanceProfileRoles,
            ),
            "DeleteConflict",
            409,
            "Cannot delete entity, must remove roles from instance profile first.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::ManagedPolicy, "arn", Conflict::PolicyInUse),
            "DeleteConflict",
            409,
            "Cannot delete a policy attached to entities.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::ManagedPolicy, "arn", Conflict::PolicyVersions),
            "DeleteConflict",
            409,
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::PolicyVersion, "v1", Conflict::DefaultVersion),
            "DeleteConflict",
            409,
            "Cannot delete the default version of a policy.".into(),
        ),
        (
            IamError::delete_conflict(EntityKind::MfaDevice, "arn", Conflict::MfaDeviceInUse),
            "DeleteConflict",
            409,
            "MFA VirtualDevice in use. Must deactivate first.".into(),
        ),
        (
            IamError::limit_exceeded(Quota::UsersPerAccount, 5000),
            "LimitExceeded",
            409,
            "Cannot exceed quota for UsersPerAccount: 5000".into(),
        ),
        (
            IamError::limit_exceeded(Quota::GroupsPerAccount, 300),
            "LimitExceeded",
            409,
            "Cannot exceed quota for GroupsPerAccount: 300".into(),
        ),
        (
            IamError::limit_exceeded(Quota::GroupsPerUser, 10),
            "LimitExceeded",
            409,
            "Cannot exceed quota for GroupsPerUser: 10".into(),
        ),
        (
            IamError::limit_exceeded(Quota::RolesPerAccount, 1000),
            "LimitExceeded",
            409,
            "Cannot exceed quota for RolesPerAccount: 1000".into(),
        ),
        (
            IamError::limit_exceeded(Quota::InstanceProfilesPerAccount, 1000),
            "LimitExceeded",
            409,
            "Cannot exceed quota for InstanceProfilesPerAccount: 1000".into(),
        ),
        (
            IamError::limit_exceeded(Quota::RolesPerInstanceProfile, 1),
            "LimitExceeded",
            409,
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1".into(),
        ),
        (
            IamError::limit_exceeded(Quota::CustomerManagedPolicies, 1500),
            "LimitExceeded",
            409,
            "Cannot exceed quota for CustomerManagedPolicies: 1500".into(),
        ),
        (
            IamError::limit_exceeded(Quota::VersionsPerPolicy, 5),
            "LimitExceeded",
            409,
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.".into(),
        ),
        (
            IamError::limit_exceeded(Quota::AttachedPoliciesPer(Kind::User), 10),
            "LimitExceeded",
            409,
            "Cannot exceed quota for PoliciesPerUser: 10".into(),
        ),
        (
            IamError::limit_exceeded(Quota::AttachedPoliciesPer(Kind::Role), 10),
            "LimitExceeded",
            409,
            "Cannot exceed quota for PoliciesPerRole: 10".into(),
        ),
        (
            IamError::limit_exceeded(Quota::TagsPerResource, 50),
            "LimitExceeded",
            409,
            "Cannot exceed quota for TagsPerResource: 50".into(),
        ),
        (
            IamError::limit_exceeded(Quota::AccessKeysPerUser, 2),
            "LimitExceeded",
            409,
            "Cannot exceed quota for AccessKeysPerUser: 2".into(),
        ),
        (
            IamError::limit_exceeded(Quota::SigningCertificatesPerUser, 2),
            "LimitExceeded",
            409,
            "Cannot exceed quota for SigningCertificatesPerUser: 2".into(),
        ),
        (
            IamError::limit_exceeded(Quota::SshPublicKeysPerUser, 5),
            "LimitExceeded",
            409,
            "Cannot exceed quota for SSHPublicKeysPerUser: 5".into(),
        ),
        (
            IamError::limit_exceeded(Quota::ServerCertificatesPerAccount, 20),
            "LimitExceeded",
            409,
            "Cannot exceed quota for ServerCertificatesPerAccount: 20".into(),
        ),
        (
            IamError::limit_exceeded(Quota::MfaDevicesPerUser, 8),
            "LimitExceeded",
            409,
            "Cannot exceed quota for MFADevicesPerUser: 8".into(),
        ),
        (
            IamError::limit_exceeded(Quota::ThumbprintsPerOidcProvider, 5),
            "LimitExceeded",
            409,
            "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5".into(),
        ),
        (
            IamError::limit_exceeded(Quota::ClientIdsPerOidcProvider, 100),
            "LimitExceeded",
            409,
            "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100".into(),
        ),
        (
            IamError::limit_exceeded(Quota::ManagedPolicySize, 6144),
            "LimitExceeded",
            409,
            "Cannot exceed quota for PolicySize: 6144".into(),
        ),
        (
            IamError::limit_exceeded(Quota::TrustPolicySize, 2048),
            "LimitExceeded",
            409,
            "Cannot exceed quota for ACLSizePerRole: 2048".into(),
        ),
        (
            IamError::limit_exceeded(
                Quota::InlinePolicySize {
                    owner: Kind::Group,
                    entity: "eng".into(),
                },
                5120,
            ),
            "LimitExceeded",
            409,
            "Maximum policy size of 5120 bytes exceeded for group eng".into(),
        ),
        (
            IamError::malformed_policy("Syntax errors in policy."),
            "MalformedPolicyDocument",
            400,
            "Syntax errors in policy.".into(),
        ),
        (
            IamError::validation("Invalid Marker."),
            "ValidationError",
            400,
            "Invalid Marker.".into(),
        ),
        (
            IamError::invalid_input("ARN x is not valid."),
            "InvalidInput",
            400,
            "ARN x is not valid.".into(),
        ),
        (
            IamError::invalid_parameter_value("The access key A is not known to this server."),
            "InvalidParameterValue",
            400,
            "The access key A is not known to this server.".into(),
        ),
        (
            IamError::access_denied("The old password is incorrect."),
            "AccessDenied",
            403,
            "The old password is incorrect.".into(),
        ),
        (
            IamError::PasswordPolicyViolation {
                message: "Password should have at least one number".into(),
            },
            "PasswordPolicyViolation",
            400,
            "Password should have at least one number".into(),
        ),
        (
            IamError::InvalidUserType,
            "InvalidUserType",
            400,
            "Only IAM users can change their password with ChangePassword.".into(),
        ),
        (
            IamError::UnmodifiableEntity {
                message: "Cannot modify AWS managed policy arn.".into(),
            },
            "UnmodifiableEntity",
            400,
            "Cannot modify AWS managed policy arn.".into(),
        ),
        (
            IamError::InvalidAuthenticationCode,
            "InvalidAuthenticationCode",
            403,
            "Authentication code for device is not valid.".into(),
        ),
        (
            IamError::CredentialReportNotPresent,
            "ReportNotPresent",
            410,
            String::new(),
        ),
        (
            IamError::CredentialReportExpired,
            "ReportExpired",
            410,
            "The credential report is expired. To generate a new credential report, use GenerateCredentialReport.".into(),
        ),
        (
            IamError::DuplicateCertificate,
            "DuplicateCertificate",
            409,
            "The request was rejected because the same certificate is associated with an IAM user in the account.".into(),
        ),
        (
            IamError::DuplicateSshPublicKey,
            "DuplicateSSHPublicKey",
            400,
            "The request was rejected because the SSH public key is already associated with the specified IAM user.".into(),
        ),
        (IamError::Certificate(cert), cert_code, 400, cert_message),
        (
            IamError::InvalidAuthorizationMessage,
            "InvalidAuthorizationMessageException",
            400,
            "The encoded authorization message is invalid.".into(),
        ),
        (
            IamError::service(
                "NotSupportedService",
                404,
                "Service s3.amazonaws.com is not supported.",
            ),
            "NotSupportedService",
            404,
            "Service s3.amazonaws.com is not supported.".into(),
        ),
        (
            IamError::delete_conflict(
                EntityKind::User,
                "bob",
                Conflict::ServiceSpecificCredentials,
            ),
            "DeleteConflict",
            409,
            "Cannot delete entity, must remove service specific credentials first.".into(),
        ),
        (
            IamError::limit_exceeded(Quota::ServiceSpecificCredentialsPerUserPerService, 2),
            "LimitExceeded",
            409,
            "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2".into(),
        ),
        (
            IamError::PackedPolicyTooLarge { percent: 112 },
            "PackedPolicyTooLarge",
            400,
            "Packed policy consumes 112% of allotted space, please use smaller policy for role."
                .into(),
        ),
        (
            IamError::Store(StoreError::Backend("disk full".into())),
            "ServiceFailure",
            500,
            FAILURE.into(),
        ),
        (
            IamError::Store(StoreError::Corrupt("bad json".into())),
            "ServiceFailure",
            500,
            FAILURE.into(),
        ),
        (
            IamError::internal("a seed that does not open"),
            "ServiceFailure",
            500,
            FAILURE.into(),
        ),
        (
            IamError::from(ApiError::access_denied("denied by the front end")),
            "AccessDenied",
            403,
            "denied by the front end".into(),
        ),
        (
            IamError::from(ApiError::new("ServiceFailure", 500, FAILURE)),
            "ServiceFailure",
            500,
            FAILURE.into(),
        ),
    ]
}

#[test]
fn every_variant_renders_as_aws_answers() {
    for (e, code, status, message) in cases() {
        let api = e.to_api();
        assert_eq!(api.code, code, "{e:?}");
        assert_eq!(api.status, status, "{e:?}");
        assert_eq!(api.message, message, "{e:?}");
        assert_eq!(api.sender, status < 500, "fault side of {e:?}");
        assert_eq!(
            e.is_server_fault(),
            status >= 500,
            "is_server_fault of {e:?}"
        );
    }
}

#[test]
fn server_faults_say_nothing_of_their_cause_on_the_wire() {
    let e = IamError::Store(StoreError::Backend("disk /var/lib/iamd full".into()));
    assert!(!e.to_api().message.contains("disk"));
    assert!(e.to_string().contains("disk"), "the log keeps the cause");
    let e = IamError::internal("seed of arn:aws:iam::1:mfa/x does not open");
    assert!(!e.to_api().message.contains("seed"));
    assert!(e.to_string().contains("seed"));
}

#[test]
fn not_found_is_matched_by_kind() {
    let e = IamError::no_such_entity(
        EntityKind::Role,
        "r",
        "The role with name r cannot be found.",
    );
    assert!(e.is_not_found(EntityKind::Role));
    assert!(!e.is_not_found(EntityKind::User));
    assert!(!IamError::Store(StoreError::Conflict).is_not_found(EntityKind::Role));
}

/// Every variant's name; the match stops compiling when one is added, so the table grows too.
fn variant(e: &IamError) -> &'static str {
    match e {
        IamError::NoSuchEntity { .. } => "NoSuchEntity",
        IamError::EntityAlreadyExists { .. } => "EntityAlreadyExists",
        IamError::DeleteConflict { .. } => "DeleteConflict",
        IamError::LimitExceeded { .. } => "LimitExceeded",
        IamError::MalformedPolicyDocument { .. } => "MalformedPolicyDocument",
        IamError::Validation { .. } => "Validation",
        IamError::InvalidInput { .. } => "InvalidInput",
        IamError::InvalidParameterValue { .. } => "InvalidParameterValue",
        IamError::AccessDenied { .. } => "AccessDenied",
        IamError::PasswordPolicyViolation { .. } => "PasswordPolicyViolation",
        IamError::InvalidUserType => "InvalidUserType",
        IamError::UnmodifiableEntity { .. } => "UnmodifiableEntity",
        IamError::InvalidAuthenticationCode => "InvalidAuthenticationCode",
        IamError::CredentialReportNotPresent => "CredentialReportNotPresent",
        IamError::CredentialReportExpired => "CredentialReportExpired",
        IamError::DuplicateCertificate => "DuplicateCertificate",
        IamError::DuplicateSshPublicKey => "DuplicateSshPublicKey",
        IamError::Certificate(_) => "Certificate",
        IamError::InvalidAuthorizationMessage => "InvalidAuthorizationMessage",
        IamError::PackedPolicyTooLarge { .. } => "PackedPolicyTooLarge",
        IamError::Service { .. } => "Service",
        IamError::Store(_) => "Store",
        IamError::Internal(_) => "Internal",
        IamError::Wire(_) => "Wire",
    }
}

const VARIANTS: usize = 24;

#[test]
fn the_table_covers_every_variant() {
    let seen: std::collections::BTreeSet<&str> = cases().iter().map(|c| variant(&c.0)).collect();
    assert_eq!(seen.len(), VARIANTS, "{seen:?}");
}
