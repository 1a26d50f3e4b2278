//! IAM's and STS's domain errors, and the one place they become AWS wire errors.
//!
//! Operations return what went wrong in IAM's terms (`NoSuchEntity { kind, name }`,
//! `LimitExceeded { quota }`, …); [`IamError::to_api`] renders AWS's code, HTTP status and
//! message at the edge. A store failure or a corrupt record is the server's fault: it renders as
//! `ServiceFailure` (500), never as a client error.

use std::fmt;

use iamd_certs::CertError;
use iamd_store::StoreError;
use iamd_wire::ApiError;

use crate::entities::Kind;

/// What kind of thing an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Account,
    AccountAlias,
    User,
    Group,
    Role,
    InstanceProfile,
    LoginProfile,
    AccessKey,
    /// A managed policy, named by ARN.
    ManagedPolicy,
    /// A managed policy's version, named by version ID.
    PolicyVersion,
    /// A managed policy attached to a user, group or role, named by the policy's ARN.
    PolicyAttachment,
    /// An inline policy of a user, group or role, named by policy name.
    InlinePolicy(Kind),
    /// A user as a member of a group, named by user name.
    GroupMember,
    /// A role in an instance profile, named by role name.
    InstanceProfileRole,
    MfaDevice,
    SigningCertificate,
    SshPublicKey,
    ServerCertificate,
    OidcProvider,
    /// The account's password policy, named by account ID.
    PasswordPolicy,
    /// A principal named by ARN (the policy simulator's `PolicySourceArn`).
    Principal,
    /// A report job (access advisor, Organizations access report), named by job ID.
    AccessReport,
    ServiceSpecificCredential,
    SamlProvider,
    DelegationRequest,
    /// A service-linked role's deletion task, named by task ID.
    DeletionTask,
}

/// Why an entity cannot be deleted yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    AccessKeys,
    /// The user is still in groups.
    GroupMemberships,
    /// The group still has members.
    GroupMembers,
    InlinePolicies,
    AttachedPolicies,
    MfaDevices,
    LoginProfile,
    SigningCertificates,
    SshPublicKeys,
    /// A role still in an instance profile, or an instance profile still holding a role.
    InstanceProfileRoles,
    /// A managed policy still attached to entities or used as a boundary.
    PolicyInUse,
    /// A managed policy with versions besides its default.
    PolicyVersions,
    /// The default version of a managed policy.
    DefaultVersion,
    /// A virtual MFA device still enabled for a user.
    MfaDeviceInUse,
    ServiceSpecificCredentials,
}

/// AWS's quotas, by the names its `LimitExceeded` messages use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quota {
    UsersPerAccount,
    GroupsPerAccount,
    GroupsPerUser,
    RolesPerAccount,
    InstanceProfilesPerAccount,
    /// Roles per instance profile (`InstanceSessionsPerInstanceProfile`).
    RolesPerInstanceProfile,
    CustomerManagedPolicies,
    VersionsPerPolicy,
    AttachedPoliciesPer(Kind),
    TagsPerResource,
    AccessKeysPerUser,
    SigningCertificatesPerUser,
    SshPublicKeysPerUser,
    ServerCertificatesPerAccount,
    MfaDevicesPerUser,
    ThumbprintsPerOidcProvider,
    ClientIdsPerOidcProvider,
    ServiceSpecificCredentialsPerUserPerService,
    SamlProvidersPerAccount,
    PrivateKeysPerSamlProvider,
    /// A managed policy's size (`PolicySize`).
    ManagedPolicySize,
    /// A role's trust policy size (`ACLSizePerRole`).
    TrustPolicySize,
    /// The total size of one entity's inline policies.
    InlinePolicySize {
        owner: Kind,
        entity: String,
    },
}

/// An operation's failure.
#[derive(Debug)]
pub enum IamError {
    /// AWS words not-found messages per operation, so the message travels with the typed kind
    /// and name.
    NoSuchEntity {
        kind: EntityKind,
        name: String,
        message: String,
    },
    /// As `NoSuchEntity`, the message is AWS's wording for the operation.
    EntityAlreadyExists {
        kind: EntityKind,
        name: String,
        message: String,
    },
    DeleteConflict {
        kind: EntityKind,
        name: String,
        reason: Conflict,
    },
    /// `limit` is the quota's value in this deployment.
    LimitExceeded {
        quota: Quota,
        limit: usize,
    },
    MalformedPolicyDocument {
        message: String,
    },
    /// `ValidationError`.
    Validation {
        message: String,
    },
    InvalidInput {
        message: String,
    },
    InvalidParameterValue {
        message: String,
    },
    AccessDenied {
        message: String,
    },
    PasswordPolicyViolation {
        message: String,
    },
    /// `ChangePassword` by someone who is not an IAM user.
    InvalidUserType,
    UnmodifiableEntity {
        message: String,
    },
    /// An MFA code that does not verify (enabling or resyncing a device).
    InvalidAuthenticationCode,
    CredentialReportNotPresent,
    CredentialReportExpired,
    /// A signing certificate already associated with a user of the account.
    DuplicateCertificate,
    DuplicateSshPublicKey,
    /// A certificate, private key or SSH public key that `iamd-certs` refuses.
    Certificate(CertError),
    InvalidAuthorizationMessage,
    /// An error of AWS's that belongs to one feature (`OrganizationNotFoundException`,
    /// `NotSupportedService`, `FeatureDisabled`, …): its code, HTTP status and message.
    Service {
        code: &'static str,
        status: u16,
        message: String,
    },
    /// STS: session policies and tags over the packed size limit.
    PackedPolicyTooLarge {
        percent: usize,
    },
    Store(StoreError),
    /// A corrupt record or a state that cannot happen. The text is for logs; the caller sees a
    /// 500 that says nothing of it.
    Internal(String),
    /// An AWS error built by a front end (the server's authorization). Domain code must not
    /// use it: it returns one of the variants above.
    Wire(ApiError),
}

const SERVICE_FAILURE: &str =
    "The request processing has failed because of an unknown error, exception or failure.";

impl Conflict {
    fn message(self) -> &'static str {
        match self {
            Conflict::AccessKeys => "Cannot delete entity, must delete access keys first.",
            Conflict::GroupMemberships => {
                "Cannot delete entity, must remove user from all groups first."
            }
            Conflict::GroupMembers => "Cannot delete entity, must remove users from group first.",
            Conflict::InlinePolicies => "Cannot delete entity, must delete policies first.",
            Conflict::AttachedPolicies => "Cannot delete entity, must detach all policies first.",
            Conflict::MfaDevices => "Cannot delete entity, must delete MFA device first.",
            Conflict::LoginProfile => "Cannot delete entity, must delete login profile first.",
            Conflict::SigningCertificates => {
                "Cannot delete entity, must delete signing certificates first."
            }
            Conflict::SshPublicKeys => "Cannot delete entity, must delete SSH public keys first.",
            Conflict::InstanceProfileRoles => {
                "Cannot delete entity, must remove roles from instance profile first."
            }
            Conflict::PolicyInUse => "Cannot delete a policy attached to entities.",
            Conflict::PolicyVersions => {
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."
            }
            Conflict::DefaultVersion => "Cannot delete the default version of a policy.",
            Conflict::MfaDeviceInUse => "MFA VirtualDevice in use. Must deactivate first.",
            Conflict::ServiceSpecificCredentials => {
                "Cannot delete entity, must remove service specific credentials first."
            }
        }
    }
}

impl Quota {
    /// The name in `Cannot exceed quota for NAME: N`.
    fn aws_name(&self) -> String {
        match self {
            Quota::UsersPerAccount => "UsersPerAccount".into(),
            Quota::GroupsPerAccount => "GroupsPerAccount".into(),
            Quota::GroupsPerUser => "GroupsPerUser".into(),
            Quota::RolesPerAccount => "RolesPerAccount".into(),
            Quota::InstanceProfilesPerAccount => "InstanceProfilesPerAccount".into(),
            Quota::RolesPerInstanceProfile => "InstanceSessionsPerInstanceProfile".into(),
            Quota::CustomerManagedPolicies => "CustomerManagedPolicies".into(),
            Quota::VersionsPerPolicy => "VersionsPerPolicy".into(),
            Quota::AttachedPoliciesPer(k) => format!("PoliciesPer{}", k.title()),
            Quota::TagsPerResource => "TagsPerResource".into(),
            Quota::AccessKeysPerUser => "AccessKeysPerUser".into(),
            Quota::SigningCertificatesPerUser => "SigningCertificatesPerUser".into(),
            Quota::SshPublicKeysPerUser => "SSHPublicKeysPerUser".into(),
            Quota::ServerCertificatesPerAccount => "ServerCertificatesPerAccount".into(),
            Quota::MfaDevicesPerUser => "MFADevicesPerUser".into(),
            Quota::ThumbprintsPerOidcProvider => "ThumbprintsPerOpenIdConnectProvider".into(),
            Quota::ClientIdsPerOidcProvider => "ClientIdsPerOpenIdConnectProvider".into(),
            Quota::ServiceSpecificCredentialsPerUserPerService => {
                "ServiceSpecificCredentialsPerUserPerService".into()
            }
            Quota::SamlProvidersPerAccount => "SAMLProvidersPerAccount".into(),
            Quota::PrivateKeysPerSamlProvider => "PrivateKeysPerSAMLProvider".into(),
            Quota::ManagedPolicySize => "PolicySize".into(),
            Quota::TrustPolicySize => "ACLSizePerRole".into(),
            Quota::InlinePolicySize { owner, .. } => format!("{}PolicySize", owner.title()),
        }
    }

    fn message(&self, limit: usize) -> String {
        match self {
            Quota::VersionsPerPolicy => format!(
                "A managed policy can have up to {limit} versions. Before you create a new version, you must delete an existing version."
            ),
            Quota::InlinePolicySize { owner, entity } => format!(
                "Maximum policy size of {limit} bytes exceeded for {} {entity}",
                owner.as_str()
            ),
            q => format!("Cannot exceed quota for {}: {limit}", q.aws_name()),
        }
    }
}

impl IamError {
    pub fn no_such_entity(
        kind: EntityKind,
        name: impl Into<String>,
        message: impl Into<String>,
    ) -> IamError {
        IamError::NoSuchEntity {
            kind,
            name: name.into(),
            message: message.into(),
        }
    }

    pub fn already_exists(
        kind: EntityKind,
        name: impl Into<String>,
        message: impl Into<String>,
    ) -> IamError {
        IamError::EntityAlreadyExists {
            kind,
            name: name.into(),
            message: message.into(),
        }
    }

    pub fn delete_conflict(
        kind: EntityKind,
        name: impl Into<String>,
        reason: Conflict,
    ) -> IamError {
        IamError::DeleteConflict {
            kind,
            name: name.into(),
            reason,
        }
    }

    pub fn limit_exceeded(quota: Quota, limit: usize) -> IamError {
        IamError::LimitExceeded { quota, limit }
    }

    pub fn malformed_policy(message: impl Into<String>) -> IamError {
        IamError::MalformedPolicyDocument {
            message: message.into(),
        }
    }

    pub fn validation(message: impl Into<String>) -> IamError {
        IamError::Validation {
            message: message.into(),
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> IamError {
        IamError::InvalidInput {
            message: message.into(),
        }
    }

    pub fn invalid_parameter_value(message: impl Into<String>) -> IamError {
        IamError::InvalidParameterValue {
            message: message.into(),
        }
    }

    pub fn access_denied(message: impl Into<String>) -> IamError {
        IamError::AccessDenied {
            message: message.into(),
        }
    }

    pub fn service(code: &'static str, status: u16, message: impl Into<String>) -> IamError {
        IamError::Service {
            code,
            status,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> IamError {
        IamError::Internal(message.into())
    }

    /// Whether this is a not-found of `kind`.
    pub fn is_not_found(&self, of: EntityKind) -> bool {
        matches!(self, IamError::NoSuchEntity { kind, .. } if *kind == of)
    }

    /// Whether the server, not the caller, is at fault (AWS's `Receiver` errors, HTTP 5xx).
    pub fn is_server_fault(&self) -> bool {
        match self {
            IamError::Store(_) | IamError::Internal(_) => true,
            IamError::Wire(e) => !e.sender,
            _ => false,
        }
    }

    /// The error as the caller sees it: AWS's code, HTTP status and message.
    pub fn to_api(&self) -> ApiError {
        match self {
            IamError::NoSuchEntity { message, .. } => ApiError::no_such_entity(message.as_str()),
            IamError::EntityAlreadyExists { message, .. } => {
                ApiError::already_exists(message.as_str())
            }
            IamError::DeleteConflict { reason, .. } => ApiError::delete_conflict(reason.message()),
            IamError::LimitExceeded { quota, limit } => {
                ApiError::limit_exceeded(quota.message(*limit))
            }
            IamError::MalformedPolicyDocument { message } => {
                ApiError::new("MalformedPolicyDocument", 400, message.as_str())
            }
            IamError::Validation { message } => ApiError::validation(message.as_str()),
            IamError::InvalidInput { message } => ApiError::invalid_input(message.as_str()),
            IamError::InvalidParameterValue { message } => {
                ApiError::invalid_parameter_value(message.as_str())
            }
            IamError::AccessDenied { message } => ApiError::access_denied(message.as_str()),
            IamError::PasswordPolicyViolation { message } => {
                ApiError::new("PasswordPolicyViolation", 400, message.as_str())
            }
            IamError::InvalidUserType => ApiError::new(
                "InvalidUserType",
                400,
                "Only IAM users can change their password with ChangePassword.",
            ),
            IamError::UnmodifiableEntity { message } => {
                ApiError::new("UnmodifiableEntity", 400, message.as_str())
            }
            IamError::InvalidAuthenticationCode => ApiError::new(
                "InvalidAuthenticationCode",
                403,
                "Authentication code for device is not valid.",
            ),
            // AWS answers without a message: botocore shows "Unknown" (prowler-cloud/prowler#272),
            // the Go SDK an empty one with status 410 (turbot/steampipe-plugin-aws#509).
            IamError::CredentialReportNotPresent => ApiError::new("ReportNotPresent", 410, ""),
            IamError::CredentialReportExpired => ApiError::new(
                "ReportExpired",
                410,
                "The credential report is expired. To generate a new credential report, use GenerateCredentialReport.",
            ),
            IamError::DuplicateCertificate => ApiError::new(
                "DuplicateCertificate",
                409,
                "The request was rejected because the same certificate is associated with an IAM user in the account.",
            ),
            IamError::DuplicateSshPublicKey => ApiError::new(
                "DuplicateSSHPublicKey",
                400,
                "The request was rejected because the SSH public key is already associated with the specified IAM user.",
            ),
            IamError::Certificate(e) => ApiError::new(e.code(), 400, e.message()),
            IamError::Service {
                code,
                status,
                message,
            } => ApiError::new(code, *status, message.as_str()),
            IamError::InvalidAuthorizationMessage => ApiError::new(
                "InvalidAuthorizationMessageException",
                400,
                "The encoded authorization message is invalid.",
            ),
            IamError::PackedPolicyTooLarge { percent } => ApiError::new(
                "PackedPolicyTooLarge",
                400,
                format!(
                    "Packed policy consumes {percent}% of allotted space, please use smaller policy for role."
                ),
            ),
            IamError::Store(_) | IamError::Internal(_) => {
                ApiError::new("ServiceFailure", 500, SERVICE_FAILURE)
            }
            IamError::Wire(e) => e.clone(),
        }
    }
}

impl fmt::Display for IamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IamError::Store(e) => write!(f, "{e}"),
            IamError::Internal(m) => write!(f, "internal error: {m}"),
            other => write!(f, "{}", other.to_api()),
        }
    }
}

impl std::error::Error for IamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IamError::Store(e) => Some(e),
            IamError::Certificate(e) => Some(e),
            IamError::Wire(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for IamError {
    fn from(e: StoreError) -> Self {
        IamError::Store(e)
    }
}

impl From<CertError> for IamError {
    fn from(e: CertError) -> Self {
        IamError::Certificate(e)
    }
}

/// For front ends only (see [`IamError::Wire`]).
impl From<ApiError> for IamError {
    fn from(e: ApiError) -> Self {
        IamError::Wire(e)
    }
}

#[cfg(test)]
mod tests;
