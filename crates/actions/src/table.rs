//! The table: one entry per IAM and STS operation, sorted by operation name.
//!
//! Sources, in order of authority:
//! - AWS Service Authorization Reference, "Actions, resources, and condition keys for AWS
//!   Identity and Access Management (IAM)" (service prefix `iam`) and "... for AWS Security Token
//!   Service" (prefix `sts`): each action's resource types, condition keys and dependent
//!   actions, and the "API operations" table mapping operations to actions
//!   (`AddRoleToInstanceProfile` → `iam:PassRole` with `iam:PassedToService` =
//!   `ec2.amazonaws.com`). The reference's resource ARN formats are in [`ResourceKind::arn`].
//! - IAM User Guide: "Permissions for GetSessionToken" (no permission needed), the
//!   `GetCallerIdentity` API reference (cannot be denied), "Tagging IAM resources" (creating an
//!   entity with tags also needs its `Tag*` action), "Passing session tags in AWS STS"
//!   (`sts:TagSession`), "Monitor and control actions taken with assumed roles"
//!   (`sts:SetSourceIdentity`), and the API reference of `UpdateUser`, `UpdateGroup` and
//!   `UpdateServerCertificate` (a rename needs permission on both the old and the new name).
//! - [`Basis::Inferred`] marks what no page states outright (see each entry).
//!
//! Key sets list every condition key the reference documents for the action, so
//! [`crate::context_keys_for_action`] can answer from the same table; a key iamd cannot fill
//! has [`Source::Unavailable`].

use crate::{
    ActionCheck, Basis, Enforcement, KeySource, OpAuth, ResourceKind as K, ResourceRef as R,
    Source as S, When,
};

// ---- condition keys --------------------------------------------------------------------------

const fn key(key: &'static str, from: S) -> KeySource {
    KeySource { key, from }
}

const RES_TAG: KeySource = key("aws:ResourceTag/${TagKey}", S::ResourceTags);
const IAM_RES_TAG: KeySource = key("iam:ResourceTag/${TagKey}", S::ResourceTags);
const REQ_TAG: KeySource = key("aws:RequestTag/${TagKey}", S::TagValues("Tags"));
const TAG_KEYS: KeySource = key("aws:TagKeys", S::TagKeysOf("Tags"));
const UNTAG_KEYS: KeySource = key("aws:TagKeys", S::ParamList("TagKeys"));
const BOUNDARY_PARAM: KeySource = key("iam:PermissionsBoundary", S::Param("PermissionsBoundary"));
const BOUNDARY_NOW: KeySource = key("iam:PermissionsBoundary", S::ResourceBoundary);
const POLICY_ARN: KeySource = key("iam:PolicyARN", S::Param("PolicyArn"));
const ROLE_TEMPLATE: KeySource = key("iam:RoleTemplateARN", S::Unavailable);
const DR_OWNER: KeySource = key("iam:DelegationRequestOwner", S::Stored);
const SSC_SERVICE: KeySource = key("iam:ServiceSpecificCredentialServiceName", S::Stored);

/// Tagged resources other than users and roles.
const TAGGED: &[KeySource] = &[RES_TAG];
/// Users and roles: both tag keys.
const PRINCIPAL: &[KeySource] = &[RES_TAG, IAM_RES_TAG];
const PRINCIPAL_BOUNDARY: &[KeySource] = &[RES_TAG, BOUNDARY_NOW, IAM_RES_TAG];
const ROLE_BOUNDARY_TEMPLATE: &[KeySource] = &[RES_TAG, BOUNDARY_NOW, IAM_RES_TAG, ROLE_TEMPLATE];
const CREATE_TAGGED: &[KeySource] = &[REQ_TAG, RES_TAG, TAG_KEYS];
const TAG_TAGGED: &[KeySource] = &[REQ_TAG, RES_TAG, TAG_KEYS];
const TAG_PRINCIPAL: &[KeySource] = &[REQ_TAG, RES_TAG, TAG_KEYS, IAM_RES_TAG];
const UNTAG_TAGGED: &[KeySource] = &[RES_TAG, UNTAG_KEYS];
const UNTAG_PRINCIPAL: &[KeySource] = &[RES_TAG, UNTAG_KEYS, IAM_RES_TAG];
const NONE: &[KeySource] = &[];
const DELEGATION: &[KeySource] = &[DR_OWNER];
const SSC: &[KeySource] = &[RES_TAG, IAM_RES_TAG, SSC_SERVICE];

/// `sts:TagSession` on a role, as `AssumeRole` passes them (request parameters).
const TAG_SESSION_REQUEST: &[KeySource] = &[
    REQ_TAG,
    RES_TAG,
    TAG_KEYS,
    IAM_RES_TAG,
    key("saml:aud", S::Unavailable),
    key("sts:TransitiveTagKeys", S::ParamList("TransitiveTagKeys")),
];
/// `sts:TagSession` for a federated user's session (no transitive tags there).
const TAG_SESSION_FEDERATION: &[KeySource] = &[
    REQ_TAG,
    RES_TAG,
    TAG_KEYS,
    IAM_RES_TAG,
    key("saml:aud", S::Unavailable),
    key("sts:TransitiveTagKeys", S::Unavailable),
];
/// `sts:TagSession` when the tags come from a SAML assertion or a web identity token.
const TAG_SESSION_CREDENTIAL: &[KeySource] = &[
    key("aws:RequestTag/${TagKey}", S::Credential),
    RES_TAG,
    key("aws:TagKeys", S::Credential),
    IAM_RES_TAG,
    key("saml:aud", S::Credential),
    key("sts:TransitiveTagKeys", S::Credential),
];
const SET_SOURCE_IDENTITY_REQUEST: &[KeySource] = &[
    RES_TAG,
    IAM_RES_TAG,
    key("sts:SourceIdentity", S::Param("SourceIdentity")),
];
const SET_SOURCE_IDENTITY_CREDENTIAL: &[KeySource] = &[
    RES_TAG,
    IAM_RES_TAG,
    key("sts:SourceIdentity", S::Credential),
];

// ---- resources -------------------------------------------------------------------------------

const USER: R = R::Named {
    kind: K::User,
    param: "UserName",
};
const USER_OR_CALLER: R = R::NamedOrCaller {
    kind: K::User,
    param: "UserName",
};
const GROUP: R = R::Named {
    kind: K::Group,
    param: "GroupName",
};
const ROLE: R = R::Named {
    kind: K::Role,
    param: "RoleName",
};
const POLICY: R = R::Arn("PolicyArn");
const PROFILE: R = R::Named {
    kind: K::InstanceProfile,
    param: "InstanceProfileName",
};
const OIDC: R = R::Arn("OpenIDConnectProviderArn");
const SAML: R = R::Arn("SAMLProviderArn");
const CERT: R = R::Named {
    kind: K::ServerCertificate,
    param: "ServerCertificateName",
};
const MFA: R = R::Arn("SerialNumber");
const DR: R = R::Named {
    kind: K::DelegationRequest,
    param: "DelegationRequestId",
};
const ANY: R = R::Any;

const fn created(kind: K, name: &'static str, path: Option<&'static str>) -> R {
    R::Created { kind, name, path }
}

// ---- checks and operations -------------------------------------------------------------------

/// The operation's own action, always checked.
const fn on(action: &'static str, resource: R, keys: &'static [KeySource]) -> ActionCheck {
    ActionCheck {
        action,
        resource,
        keys,
        when: When::Always,
        basis: Basis::Reference,
    }
}

/// A further action, checked when `when` holds.
const fn also(
    action: &'static str,
    resource: R,
    keys: &'static [KeySource],
    when: When,
    basis: Basis,
) -> ActionCheck {
    ActionCheck {
        action,
        resource,
        keys,
        when,
        basis,
    }
}

/// Creating an entity with tags also needs the entity's `Tag*` action (User Guide).
const fn tag_on_create(action: &'static str, resource: R) -> ActionCheck {
    also(
        action,
        resource,
        TAG_TAGGED,
        When::Present("Tags"),
        Basis::UserGuide,
    )
}

const fn iam(operation: &'static str, checks: &'static [ActionCheck]) -> OpAuth {
    OpAuth {
        operation,
        service: "iam",
        enforcement: Enforcement::Identity,
        checks,
    }
}

const fn sts(
    operation: &'static str,
    enforcement: Enforcement,
    checks: &'static [ActionCheck],
) -> OpAuth {
    OpAuth {
        operation,
        service: "sts",
        enforcement,
        checks,
    }
}

const RENAME_USER: R = R::Renamed {
    kind: K::User,
    param: "UserName",
    new_name: "NewUserName",
    new_path: "NewPath",
};
const RENAME_GROUP: R = R::Renamed {
    kind: K::Group,
    param: "GroupName",
    new_name: "NewGroupName",
    new_path: "NewPath",
};
const RENAME_CERT: R = R::Renamed {
    kind: K::ServerCertificate,
    param: "ServerCertificateName",
    new_name: "NewServerCertificateName",
    new_path: "NewPath",
};

const ROLE_ARN: R = R::Arn("RoleArn");

/// The IAM operations, sorted by name (byte order; a test checks it): [`crate::authorization`]
/// binary-searches them.
#[rustfmt::skip]
pub(crate) static IAM_OPS: &[OpAuth] = &[
    iam("AcceptDelegationRequest", &[on("iam:AcceptDelegationRequest", DR, DELEGATION)]),
    iam("AddClientIDToOpenIDConnectProvider", &[on("iam:AddClientIDToOpenIDConnectProvider", OIDC, TAGGED)]),
    iam("AddRoleToInstanceProfile", &[
        on("iam:AddRoleToInstanceProfile", PROFILE, TAGGED),
        // The reference's API-operations table: the role is passed to EC2.
        also("iam:PassRole", ROLE, &[
            RES_TAG,
            key("iam:AssociatedResourceArn", S::Unavailable),
            key("iam:PassedToService", S::Fixed("ec2.amazonaws.com")),
            IAM_RES_TAG,
        ], When::Always, Basis::Dependent),
    ]),
    iam("AddUserToGroup", &[on("iam:AddUserToGroup", GROUP, NONE)]),
    iam("AssociateDelegationRequest", &[on("iam:AssociateDelegationRequest", DR, DELEGATION)]),
    iam("AttachGroupPolicy", &[on("iam:AttachGroupPolicy", GROUP, &[POLICY_ARN])]),
    iam("AttachRolePolicy", &[on("iam:AttachRolePolicy", ROLE, &[RES_TAG, BOUNDARY_NOW, POLICY_ARN, IAM_RES_TAG, ROLE_TEMPLATE])]),
    iam("AttachUserPolicy", &[on("iam:AttachUserPolicy", USER, &[RES_TAG, BOUNDARY_NOW, POLICY_ARN, IAM_RES_TAG])]),
    iam("ChangePassword", &[on("iam:ChangePassword", R::Caller(K::User), PRINCIPAL)]),
    iam("CreateAccessKey", &[on("iam:CreateAccessKey", USER_OR_CALLER, PRINCIPAL)]),
    iam("CreateAccountAlias", &[on("iam:CreateAccountAlias", ANY, NONE)]),
    iam("CreateDelegationRequest", &[on("iam:CreateDelegationRequest", R::NewDelegationRequest, &[
        key("iam:DelegationDuration", S::Param("SessionDuration")),
        DR_OWNER,
        key("iam:NotificationChannel", S::Param("NotificationChannel")),
        key("iam:TemplateArn", S::Member { param: "Permissions", member: "PolicyTemplateArn" }),
    ])]),
    iam("CreateGroup", &[on("iam:CreateGroup", created(K::Group, "GroupName", Some("Path")), NONE)]),
    iam("CreateInstanceProfile", &[
        on("iam:CreateInstanceProfile", created(K::InstanceProfile, "InstanceProfileName", Some("Path")), CREATE_TAGGED),
        tag_on_create("iam:TagInstanceProfile", created(K::InstanceProfile, "InstanceProfileName", Some("Path"))),
    ]),
    iam("CreateLoginProfile", &[on("iam:CreateLoginProfile", USER_OR_CALLER, PRINCIPAL)]),
    iam("CreateOpenIDConnectProvider", &[
        on("iam:CreateOpenIDConnectProvider", R::OidcProviderForUrl("Url"), CREATE_TAGGED),
        tag_on_create("iam:TagOpenIDConnectProvider", R::OidcProviderForUrl("Url")),
    ]),
    iam("CreatePolicy", &[
        on("iam:CreatePolicy", created(K::Policy, "PolicyName", Some("Path")), CREATE_TAGGED),
        tag_on_create("iam:TagPolicy", created(K::Policy, "PolicyName", Some("Path"))),
    ]),
    iam("CreatePolicyVersion", &[on("iam:CreatePolicyVersion", POLICY, TAGGED)]),
    iam("CreateRole", &[
        on("iam:CreateRole", created(K::Role, "RoleName", Some("Path")), &[REQ_TAG, RES_TAG, TAG_KEYS, BOUNDARY_PARAM, IAM_RES_TAG, ROLE_TEMPLATE]),
        also("iam:TagRole", created(K::Role, "RoleName", Some("Path")), &[REQ_TAG, RES_TAG, TAG_KEYS, IAM_RES_TAG, ROLE_TEMPLATE], When::Present("Tags"), Basis::UserGuide),
        // Setting the boundary at creation is checked as setting it afterwards.
        also("iam:PutRolePermissionsBoundary", created(K::Role, "RoleName", Some("Path")), &[RES_TAG, BOUNDARY_PARAM, IAM_RES_TAG, ROLE_TEMPLATE], When::Present("PermissionsBoundary"), Basis::Inferred),
    ]),
    iam("CreateSAMLProvider", &[
        on("iam:CreateSAMLProvider", created(K::SamlProvider, "Name", None), CREATE_TAGGED),
        tag_on_create("iam:TagSAMLProvider", created(K::SamlProvider, "Name", None)),
    ]),
    iam("CreateServiceLinkedRole", &[on("iam:CreateServiceLinkedRole", R::ServiceLinkedRole("AWSServiceName"), &[
        RES_TAG,
        key("iam:AWSServiceName", S::Param("AWSServiceName")),
        IAM_RES_TAG,
    ])]),
    iam("CreateServiceSpecificCredential", &[on("iam:CreateServiceSpecificCredential", USER, &[
        RES_TAG,
        IAM_RES_TAG,
        key("iam:ServiceSpecificCredentialAgeDays", S::Param("CredentialAgeDays")),
        key("iam:ServiceSpecificCredentialServiceName", S::Param("ServiceName")),
    ])]),
    iam("CreateUser", &[
        on("iam:CreateUser", created(K::User, "UserName", Some("Path")), &[REQ_TAG, RES_TAG, TAG_KEYS, BOUNDARY_PARAM, IAM_RES_TAG]),
        also("iam:TagUser", created(K::User, "UserName", Some("Path")), TAG_PRINCIPAL, When::Present("Tags"), Basis::UserGuide),
        also("iam:PutUserPermissionsBoundary", created(K::User, "UserName", Some("Path")), &[RES_TAG, BOUNDARY_PARAM, IAM_RES_TAG], When::Present("PermissionsBoundary"), Basis::Inferred),
    ]),
    iam("CreateVirtualMFADevice", &[
        on("iam:CreateVirtualMFADevice", created(K::Mfa, "VirtualMFADeviceName", Some("Path")), CREATE_TAGGED),
        tag_on_create("iam:TagMFADevice", created(K::Mfa, "VirtualMFADeviceName", Some("Path"))),
    ]),
    iam("DeactivateMFADevice", &[on("iam:DeactivateMFADevice", USER_OR_CALLER, PRINCIPAL)]),
    iam("DeleteAccessKey", &[on("iam:DeleteAccessKey", USER_OR_CALLER, PRINCIPAL)]),
    iam("DeleteAccountAlias", &[on("iam:DeleteAccountAlias", ANY, NONE)]),
    iam("DeleteAccountPasswordPolicy", &[on("iam:DeleteAccountPasswordPolicy", ANY, NONE)]),
    iam("DeleteGroup", &[on("iam:DeleteGroup", GROUP, NONE)]),
    iam("DeleteGroupPolicy", &[on("iam:DeleteGroupPolicy", GROUP, NONE)]),
    iam("DeleteInstanceProfile", &[on("iam:DeleteInstanceProfile", PROFILE, TAGGED)]),
    iam("DeleteLoginProfile", &[on("iam:DeleteLoginProfile", USER_OR_CALLER, PRINCIPAL)]),
    iam("DeleteOpenIDConnectProvider", &[on("iam:DeleteOpenIDConnectProvider", OIDC, TAGGED)]),
    iam("DeletePolicy", &[on("iam:DeletePolicy", POLICY, TAGGED)]),
    iam("DeletePolicyVersion", &[on("iam:DeletePolicyVersion", POLICY, TAGGED)]),
    iam("DeleteRole", &[on("iam:DeleteRole", ROLE, PRINCIPAL_BOUNDARY)]),
    iam("DeleteRolePermissionsBoundary", &[on("iam:DeleteRolePermissionsBoundary", ROLE, PRINCIPAL_BOUNDARY)]),
    iam("DeleteRolePolicy", &[on("iam:DeleteRolePolicy", ROLE, PRINCIPAL_BOUNDARY)]),
    iam("DeleteSAMLProvider", &[on("iam:DeleteSAMLProvider", SAML, TAGGED)]),
    iam("DeleteSSHPublicKey", &[on("iam:DeleteSSHPublicKey", USER, PRINCIPAL)]),
    iam("DeleteServerCertificate", &[on("iam:DeleteServerCertificate", CERT, TAGGED)]),
    iam("DeleteServiceLinkedRole", &[on("iam:DeleteServiceLinkedRole", ROLE, PRINCIPAL)]),
    iam("DeleteServiceSpecificCredential", &[on("iam:DeleteServiceSpecificCredential", USER_OR_CALLER, SSC)]),
    iam("DeleteSigningCertificate", &[on("iam:DeleteSigningCertificate", USER_OR_CALLER, PRINCIPAL)]),
    iam("DeleteUser", &[on("iam:DeleteUser", USER, PRINCIPAL)]),
    iam("DeleteUserPermissionsBoundary", &[on("iam:DeleteUserPermissionsBoundary", USER, PRINCIPAL_BOUNDARY)]),
    iam("DeleteUserPolicy", &[on("iam:DeleteUserPolicy", USER, PRINCIPAL_BOUNDARY)]),
    // The reference lists `mfa` and `sms-mfa`; the serial number is the device's ARN.
    iam("DeleteVirtualMFADevice", &[on("iam:DeleteVirtualMFADevice", MFA, TAGGED)]),
    iam("DetachGroupPolicy", &[on("iam:DetachGroupPolicy", GROUP, &[POLICY_ARN])]),
    iam("DetachRolePolicy", &[on("iam:DetachRolePolicy", ROLE, &[RES_TAG, BOUNDARY_NOW, POLICY_ARN, IAM_RES_TAG])]),
    iam("DetachUserPolicy", &[on("iam:DetachUserPolicy", USER, &[RES_TAG, BOUNDARY_NOW, POLICY_ARN, IAM_RES_TAG])]),
    iam("DisableOrganizationsRootCredentialsManagement", &[on("iam:DisableOrganizationsRootCredentialsManagement", ANY, NONE)]),
    iam("DisableOrganizationsRootSessions", &[on("iam:DisableOrganizationsRootSessions", ANY, NONE)]),
    iam("DisableOutboundWebIdentityFederation", &[on("iam:DisableOutboundWebIdentityFederation", ANY, NONE)]),
    iam("EnableMFADevice", &[on("iam:EnableMFADevice", USER, &[
        RES_TAG,
        key("iam:FIDO-certification", S::Unavailable),
        key("iam:FIDO-FIPS-140-2-certification", S::Unavailable),
        key("iam:FIDO-FIPS-140-3-certification", S::Unavailable),
        key("iam:RegisterSecurityKey", S::Unavailable),
        IAM_RES_TAG,
    ])]),
    iam("EnableOrganizationsRootCredentialsManagement", &[on("iam:EnableOrganizationsRootCredentialsManagement", ANY, NONE)]),
    iam("EnableOrganizationsRootSessions", &[on("iam:EnableOrganizationsRootSessions", ANY, NONE)]),
    iam("EnableOutboundWebIdentityFederation", &[on("iam:EnableOutboundWebIdentityFederation", ANY, NONE)]),
    iam("GenerateCredentialReport", &[on("iam:GenerateCredentialReport", ANY, NONE)]),
    iam("GenerateOrganizationsAccessReport", &[on("iam:GenerateOrganizationsAccessReport",
        R::Named { kind: K::AccessReport, param: "EntityPath" },
        &[key("iam:OrganizationsPolicyId", S::Param("OrganizationsPolicyId"))])]),
    // The ARN of a user, group, role or policy.
    iam("GenerateServiceLastAccessedDetails", &[on("iam:GenerateServiceLastAccessedDetails", R::Arn("Arn"), PRINCIPAL)]),
    iam("GetAccessKeyLastUsed", &[on("iam:GetAccessKeyLastUsed", R::AccessKeyOwner("AccessKeyId"), PRINCIPAL)]),
    iam("GetAccountAuthorizationDetails", &[on("iam:GetAccountAuthorizationDetails", ANY, NONE)]),
    iam("GetAccountPasswordPolicy", &[on("iam:GetAccountPasswordPolicy", ANY, NONE)]),
    iam("GetAccountSummary", &[on("iam:GetAccountSummary", ANY, NONE)]),
    iam("GetContextKeysForCustomPolicy", &[on("iam:GetContextKeysForCustomPolicy", ANY, NONE)]),
    iam("GetContextKeysForPrincipalPolicy", &[on("iam:GetContextKeysForPrincipalPolicy", R::Arn("PolicySourceArn"), PRINCIPAL)]),
    iam("GetCredentialReport", &[on("iam:GetCredentialReport", ANY, NONE)]),
    iam("GetDelegationRequest", &[on("iam:GetDelegationRequest", DR, DELEGATION)]),
    iam("GetGroup", &[on("iam:GetGroup", GROUP, NONE)]),
    iam("GetGroupPolicy", &[on("iam:GetGroupPolicy", GROUP, NONE)]),
    // Only delegation requests are summarised: the entity ARN is one.
    iam("GetHumanReadableSummary", &[on("iam:GetHumanReadableSummary", R::Arn("EntityArn"), DELEGATION)]),
    iam("GetInstanceProfile", &[on("iam:GetInstanceProfile", PROFILE, TAGGED)]),
    iam("GetLoginProfile", &[on("iam:GetLoginProfile", USER_OR_CALLER, PRINCIPAL)]),
    iam("GetMFADevice", &[on("iam:GetMFADevice", USER_OR_CALLER, PRINCIPAL)]),
    iam("GetOpenIDConnectProvider", &[on("iam:GetOpenIDConnectProvider", OIDC, TAGGED)]),
    iam("GetOrganizationsAccessReport", &[on("iam:GetOrganizationsAccessReport", ANY, NONE)]),
    iam("GetOutboundWebIdentityFederationInfo", &[on("iam:GetOutboundWebIdentityFederationInfo", ANY, NONE)]),
    iam("GetPolicy", &[on("iam:GetPolicy", POLICY, TAGGED)]),
    iam("GetPolicyVersion", &[on("iam:GetPolicyVersion", POLICY, TAGGED)]),
    iam("GetRole", &[on("iam:GetRole", ROLE, ROLE_BOUNDARY_TEMPLATE)]),
    iam("GetRolePolicy", &[on("iam:GetRolePolicy", ROLE, PRINCIPAL)]),
    iam("GetSAMLProvider", &[on("iam:GetSAMLProvider", SAML, TAGGED)]),
    iam("GetSSHPublicKey", &[on("iam:GetSSHPublicKey", USER, PRINCIPAL)]),
    iam("GetServerCertificate", &[on("iam:GetServerCertificate", CERT, TAGGED)]),
    iam("GetServiceLastAccessedDetails", &[on("iam:GetServiceLastAccessedDetails", ANY, NONE)]),
    iam("GetServiceLastAccessedDetailsWithEntities", &[on("iam:GetServiceLastAccessedDetailsWithEntities", ANY, NONE)]),
    iam("GetServiceLinkedRoleDeletionStatus", &[on("iam:GetServiceLinkedRoleDeletionStatus", R::DeletionTaskRole("DeletionTaskId"), PRINCIPAL)]),
    iam("GetUser", &[on("iam:GetUser", USER_OR_CALLER, PRINCIPAL)]),
    iam("GetUserPolicy", &[on("iam:GetUserPolicy", USER, PRINCIPAL)]),
    iam("ListAccessKeys", &[on("iam:ListAccessKeys", USER_OR_CALLER, PRINCIPAL)]),
    iam("ListAccountAliases", &[on("iam:ListAccountAliases", ANY, NONE)]),
    iam("ListAttachedGroupPolicies", &[on("iam:ListAttachedGroupPolicies", GROUP, NONE)]),
    iam("ListAttachedRolePolicies", &[on("iam:ListAttachedRolePolicies", ROLE, PRINCIPAL)]),
    iam("ListAttachedUserPolicies", &[on("iam:ListAttachedUserPolicies", USER, PRINCIPAL)]),
    iam("ListDelegationRequests", &[on("iam:ListDelegationRequests", ANY, &[key("iam:DelegationRequestOwner", S::Param("OwnerId"))])]),
    iam("ListEntitiesForPolicy", &[on("iam:ListEntitiesForPolicy", POLICY, TAGGED)]),
    iam("ListGroupPolicies", &[on("iam:ListGroupPolicies", GROUP, NONE)]),
    iam("ListGroups", &[on("iam:ListGroups", ANY, NONE)]),
    iam("ListGroupsForUser", &[on("iam:ListGroupsForUser", USER, PRINCIPAL)]),
    iam("ListInstanceProfileTags", &[on("iam:ListInstanceProfileTags", PROFILE, TAGGED)]),
    iam("ListInstanceProfiles", &[on("iam:ListInstanceProfiles", ANY, NONE)]),
    iam("ListInstanceProfilesForRole", &[on("iam:ListInstanceProfilesForRole", ROLE, PRINCIPAL)]),
    iam("ListMFADeviceTags", &[on("iam:ListMFADeviceTags", MFA, TAGGED)]),
    iam("ListMFADevices", &[on("iam:ListMFADevices", USER_OR_CALLER, PRINCIPAL)]),
    iam("ListOpenIDConnectProviderTags", &[on("iam:ListOpenIDConnectProviderTags", OIDC, TAGGED)]),
    iam("ListOpenIDConnectProviders", &[on("iam:ListOpenIDConnectProviders", ANY, NONE)]),
    iam("ListOrganizationsFeatures", &[on("iam:ListOrganizationsFeatures", ANY, NONE)]),
    iam("ListPolicies", &[on("iam:ListPolicies", ANY, NONE)]),
    // The ARN of a user, group or role.
    iam("ListPoliciesGrantingServiceAccess", &[on("iam:ListPoliciesGrantingServiceAccess", R::Arn("Arn"), PRINCIPAL)]),
    iam("ListPolicyTags", &[on("iam:ListPolicyTags", POLICY, TAGGED)]),
    iam("ListPolicyVersions", &[on("iam:ListPolicyVersions", POLICY, TAGGED)]),
    iam("ListRolePolicies", &[on("iam:ListRolePolicies", ROLE, PRINCIPAL)]),
    iam("ListRoleTags", &[on("iam:ListRoleTags", ROLE, PRINCIPAL)]),
    iam("ListRoles", &[on("iam:ListRoles", ANY, NONE)]),
    iam("ListSAMLProviderTags", &[on("iam:ListSAMLProviderTags", SAML, TAGGED)]),
    iam("ListSAMLProviders", &[on("iam:ListSAMLProviders", ANY, NONE)]),
    iam("ListSSHPublicKeys", &[on("iam:ListSSHPublicKeys", USER_OR_CALLER, PRINCIPAL)]),
    iam("ListServerCertificateTags", &[on("iam:ListServerCertificateTags", CERT, TAGGED)]),
    iam("ListServerCertificates", &[on("iam:ListServerCertificates", ANY, NONE)]),
    iam("ListServiceSpecificCredentials", &[on("iam:ListServiceSpecificCredentials", USER_OR_CALLER, PRINCIPAL)]),
    iam("ListSigningCertificates", &[on("iam:ListSigningCertificates", USER_OR_CALLER, PRINCIPAL)]),
    iam("ListUserPolicies", &[on("iam:ListUserPolicies", USER, PRINCIPAL)]),
    iam("ListUserTags", &[on("iam:ListUserTags", USER, PRINCIPAL)]),
    iam("ListUsers", &[on("iam:ListUsers", ANY, NONE)]),
    iam("ListVirtualMFADevices", &[on("iam:ListVirtualMFADevices", ANY, NONE)]),
    iam("PutGroupPolicy", &[on("iam:PutGroupPolicy", GROUP, NONE)]),
    iam("PutRolePermissionsBoundary", &[on("iam:PutRolePermissionsBoundary", ROLE, &[RES_TAG, BOUNDARY_PARAM, IAM_RES_TAG, ROLE_TEMPLATE])]),
    iam("PutRolePolicy", &[on("iam:PutRolePolicy", ROLE, ROLE_BOUNDARY_TEMPLATE)]),
    iam("PutUserPermissionsBoundary", &[on("iam:PutUserPermissionsBoundary", USER, &[RES_TAG, BOUNDARY_PARAM, IAM_RES_TAG])]),
    iam("PutUserPolicy", &[on("iam:PutUserPolicy", USER, PRINCIPAL_BOUNDARY)]),
    iam("RejectDelegationRequest", &[on("iam:RejectDelegationRequest", DR, DELEGATION)]),
    iam("RemoveClientIDFromOpenIDConnectProvider", &[on("iam:RemoveClientIDFromOpenIDConnectProvider", OIDC, TAGGED)]),
    iam("RemoveRoleFromInstanceProfile", &[on("iam:RemoveRoleFromInstanceProfile", PROFILE, TAGGED)]),
    iam("RemoveUserFromGroup", &[on("iam:RemoveUserFromGroup", GROUP, NONE)]),
    iam("ResetServiceSpecificCredential", &[on("iam:ResetServiceSpecificCredential", USER_OR_CALLER, SSC)]),
    iam("ResyncMFADevice", &[on("iam:ResyncMFADevice", USER, PRINCIPAL)]),
    iam("SendDelegationToken", &[on("iam:SendDelegationToken", DR, DELEGATION)]),
    iam("SetDefaultPolicyVersion", &[on("iam:SetDefaultPolicyVersion", POLICY, TAGGED)]),
    iam("SetSecurityTokenServicePreferences", &[on("iam:SetSecurityTokenServicePreferences", ANY, NONE)]),
    iam("SimulateCustomPolicy", &[on("iam:SimulateCustomPolicy", ANY, NONE)]),
    // The ARN of a user, group or role.
    iam("SimulatePrincipalPolicy", &[on("iam:SimulatePrincipalPolicy", R::Arn("PolicySourceArn"), PRINCIPAL)]),
    iam("TagInstanceProfile", &[on("iam:TagInstanceProfile", PROFILE, TAG_TAGGED)]),
    iam("TagMFADevice", &[on("iam:TagMFADevice", MFA, TAG_TAGGED)]),
    iam("TagOpenIDConnectProvider", &[on("iam:TagOpenIDConnectProvider", OIDC, TAG_TAGGED)]),
    iam("TagPolicy", &[on("iam:TagPolicy", POLICY, TAG_TAGGED)]),
    iam("TagRole", &[on("iam:TagRole", ROLE, &[REQ_TAG, RES_TAG, TAG_KEYS, IAM_RES_TAG, ROLE_TEMPLATE])]),
    iam("TagSAMLProvider", &[on("iam:TagSAMLProvider", SAML, TAG_TAGGED)]),
    iam("TagServerCertificate", &[on("iam:TagServerCertificate", CERT, TAG_TAGGED)]),
    iam("TagUser", &[on("iam:TagUser", USER, TAG_PRINCIPAL)]),
    iam("UntagInstanceProfile", &[on("iam:UntagInstanceProfile", PROFILE, UNTAG_TAGGED)]),
    iam("UntagMFADevice", &[on("iam:UntagMFADevice", MFA, UNTAG_TAGGED)]),
    iam("UntagOpenIDConnectProvider", &[on("iam:UntagOpenIDConnectProvider", OIDC, UNTAG_TAGGED)]),
    iam("UntagPolicy", &[on("iam:UntagPolicy", POLICY, UNTAG_TAGGED)]),
    iam("UntagRole", &[on("iam:UntagRole", ROLE, UNTAG_PRINCIPAL)]),
    iam("UntagSAMLProvider", &[on("iam:UntagSAMLProvider", SAML, UNTAG_TAGGED)]),
    iam("UntagServerCertificate", &[on("iam:UntagServerCertificate", CERT, UNTAG_TAGGED)]),
    iam("UntagUser", &[on("iam:UntagUser", USER, UNTAG_PRINCIPAL)]),
    iam("UpdateAccessKey", &[on("iam:UpdateAccessKey", USER_OR_CALLER, PRINCIPAL)]),
    iam("UpdateAccountPasswordPolicy", &[on("iam:UpdateAccountPasswordPolicy", ANY, NONE)]),
    iam("UpdateAssumeRolePolicy", &[on("iam:UpdateAssumeRolePolicy", ROLE, PRINCIPAL_BOUNDARY)]),
    // Not in the reference's action list (newer than it): the same-named action on the request.
    iam("UpdateDelegationRequest", &[also("iam:UpdateDelegationRequest", DR, DELEGATION, When::Always, Basis::Inferred)]),
    iam("UpdateGroup", &[
        on("iam:UpdateGroup", GROUP, NONE),
        also("iam:UpdateGroup", RENAME_GROUP, NONE, When::AnyPresent(&["NewGroupName", "NewPath"]), Basis::UserGuide),
    ]),
    iam("UpdateLoginProfile", &[on("iam:UpdateLoginProfile", USER, PRINCIPAL)]),
    iam("UpdateOpenIDConnectProviderThumbprint", &[on("iam:UpdateOpenIDConnectProviderThumbprint", OIDC, TAGGED)]),
    iam("UpdateRole", &[on("iam:UpdateRole", ROLE, PRINCIPAL_BOUNDARY)]),
    iam("UpdateRoleDescription", &[on("iam:UpdateRoleDescription", ROLE, PRINCIPAL_BOUNDARY)]),
    iam("UpdateSAMLProvider", &[on("iam:UpdateSAMLProvider", SAML, TAGGED)]),
    iam("UpdateSSHPublicKey", &[on("iam:UpdateSSHPublicKey", USER, PRINCIPAL)]),
    iam("UpdateServerCertificate", &[
        on("iam:UpdateServerCertificate", CERT, TAGGED),
        also("iam:UpdateServerCertificate", RENAME_CERT, TAGGED, When::AnyPresent(&["NewServerCertificateName", "NewPath"]), Basis::UserGuide),
    ]),
    iam("UpdateServiceSpecificCredential", &[on("iam:UpdateServiceSpecificCredential", USER_OR_CALLER, SSC)]),
    iam("UpdateSigningCertificate", &[on("iam:UpdateSigningCertificate", USER_OR_CALLER, PRINCIPAL)]),
    iam("UpdateUser", &[
        on("iam:UpdateUser", USER, PRINCIPAL),
        also("iam:UpdateUser", RENAME_USER, PRINCIPAL, When::AnyPresent(&["NewUserName", "NewPath"]), Basis::UserGuide),
    ]),
    iam("UploadSSHPublicKey", &[on("iam:UploadSSHPublicKey", USER, PRINCIPAL)]),
    iam("UploadServerCertificate", &[
        on("iam:UploadServerCertificate", created(K::ServerCertificate, "ServerCertificateName", Some("Path")), CREATE_TAGGED),
        tag_on_create("iam:TagServerCertificate", created(K::ServerCertificate, "ServerCertificateName", Some("Path"))),
    ]),
    iam("UploadSigningCertificate", &[on("iam:UploadSigningCertificate", USER_OR_CALLER, PRINCIPAL)]),
];

/// The STS operations, sorted by name.
#[rustfmt::skip]
pub(crate) static STS_OPS: &[OpAuth] = &[
    sts("AssumeRole", Enforcement::IdentityAndTrust, &[
        on("sts:AssumeRole", ROLE_ARN, &[
            REQ_TAG,
            RES_TAG,
            TAG_KEYS,
            IAM_RES_TAG,
            key("sts:ExternalId", S::Param("ExternalId")),
            key("sts:RoleSessionName", S::Param("RoleSessionName")),
            key("sts:SourceIdentity", S::Param("SourceIdentity")),
            key("sts:TransitiveTagKeys", S::ParamList("TransitiveTagKeys")),
        ]),
        also("sts:TagSession", ROLE_ARN, TAG_SESSION_REQUEST, When::AnyPresent(&["Tags", "TransitiveTagKeys"]), Basis::Dependent),
        also("sts:SetSourceIdentity", ROLE_ARN, SET_SOURCE_IDENTITY_REQUEST, When::Present("SourceIdentity"), Basis::Dependent),
        also("sts:SetContext", ROLE_ARN, &[
            RES_TAG,
            IAM_RES_TAG,
            key("sts:RequestContext/${ContextKey}", S::Stored),
            key("sts:RequestContextProviders", S::ListMember { param: "ProvidedContexts", member: "ProviderArn" }),
        ], When::Present("ProvidedContexts"), Basis::Dependent),
    ]),
    sts("AssumeRoleWithSAML", Enforcement::TrustPolicyOnly, &[
        on("sts:AssumeRoleWithSAML", ROLE_ARN, &[
            key("aws:RequestTag/${TagKey}", S::Credential),
            RES_TAG,
            key("aws:TagKeys", S::Credential),
            IAM_RES_TAG,
            key("saml:aud", S::Credential),
            key("saml:cn", S::Credential),
            key("saml:commonName", S::Credential),
            key("saml:doc", S::Credential),
            key("saml:eduorghomepageuri", S::Credential),
            key("saml:eduorgidentityauthnpolicyuri", S::Credential),
            key("saml:eduorglegalname", S::Credential),
            key("saml:eduorgsuperioruri", S::Credential),
            key("saml:eduorgwhitepagesuri", S::Credential),
            key("saml:edupersonaffiliation", S::Credential),
            key("saml:edupersonassurance", S::Credential),
            key("saml:edupersonentitlement", S::Credential),
            key("saml:edupersonnickname", S::Credential),
            key("saml:edupersonorgdn", S::Credential),
            key("saml:edupersonorgunitdn", S::Credential),
            key("saml:edupersonprimaryaffiliation", S::Credential),
            key("saml:edupersonprimaryorgunitdn", S::Credential),
            key("saml:edupersonprincipalname", S::Credential),
            key("saml:edupersonscopedaffiliation", S::Credential),
            key("saml:edupersontargetedid", S::Credential),
            key("saml:givenName", S::Credential),
            key("saml:iss", S::Credential),
            key("saml:mail", S::Credential),
            key("saml:name", S::Credential),
            key("saml:namequalifier", S::Credential),
            key("saml:organizationStatus", S::Credential),
            key("saml:primaryGroupSID", S::Credential),
            key("saml:sub", S::Credential),
            key("saml:sub_type", S::Credential),
            key("saml:surname", S::Credential),
            key("saml:uid", S::Credential),
            key("saml:x500UniqueIdentifier", S::Credential),
            key("sts:RoleSessionName", S::Credential),
            key("sts:SourceIdentity", S::Credential),
            key("sts:TransitiveTagKeys", S::Credential),
        ]),
        also("sts:TagSession", ROLE_ARN, TAG_SESSION_CREDENTIAL, When::CredentialHasTags, Basis::UserGuide),
        also("sts:SetSourceIdentity", ROLE_ARN, SET_SOURCE_IDENTITY_CREDENTIAL, When::CredentialHasSourceIdentity, Basis::UserGuide),
    ]),
    sts("AssumeRoleWithWebIdentity", Enforcement::TrustPolicyOnly, &[
        // The reference also lists each well-known provider's claims (`accounts.google.com:aud`,
        // `token.actions.githubusercontent.com:sub`, ...): they are `ISSUER-HOST:claim` keys
        // built from the verified token, generic here.
        on("sts:AssumeRoleWithWebIdentity", ROLE_ARN, &[
            key("accounts.google.com:aud", S::Credential),
            key("accounts.google.com:oaud", S::Credential),
            key("accounts.google.com:sub", S::Credential),
            key("aws:RequestTag/${TagKey}", S::Credential),
            RES_TAG,
            key("aws:TagKeys", S::Credential),
            key("cognito-identity.amazonaws.com:amr", S::Credential),
            key("cognito-identity.amazonaws.com:aud", S::Credential),
            key("cognito-identity.amazonaws.com:sub", S::Credential),
            key("graph.facebook.com:app_id", S::Credential),
            key("graph.facebook.com:id", S::Credential),
            IAM_RES_TAG,
            key("sts:RoleAuthorizedByIdp", S::Credential),
            key("sts:RoleSessionName", S::Param("RoleSessionName")),
            key("sts:SourceIdentity", S::Credential),
            key("sts:TransitiveTagKeys", S::Credential),
            key("www.amazon.com:app_id", S::Credential),
            key("www.amazon.com:user_id", S::Credential),
        ]),
        also("sts:TagSession", ROLE_ARN, TAG_SESSION_CREDENTIAL, When::CredentialHasTags, Basis::UserGuide),
        also("sts:SetSourceIdentity", ROLE_ARN, SET_SOURCE_IDENTITY_CREDENTIAL, When::CredentialHasSourceIdentity, Basis::UserGuide),
    ]),
    sts("AssumeRoot", Enforcement::Identity, &[on("sts:AssumeRoot", R::AccountRoot("TargetPrincipal"), &[
        key("sts:TaskPolicyArn", S::Member { param: "TaskPolicyArn", member: "arn" }),
    ])]),
    sts("DecodeAuthorizationMessage", Enforcement::Identity, &[on("sts:DecodeAuthorizationMessage", ANY, NONE)]),
    sts("GetAccessKeyInfo", Enforcement::Identity, &[on("sts:GetAccessKeyInfo", ANY, NONE)]),
    // "No permissions are required to perform this operation": an explicit deny does not stop it.
    sts("GetCallerIdentity", Enforcement::NotAuthorized, &[on("sts:GetCallerIdentity", ANY, NONE)]),
    sts("GetDelegatedAccessToken", Enforcement::Identity, &[on("sts:GetDelegatedAccessToken", ANY, NONE)]),
    sts("GetFederationToken", Enforcement::Identity, &[
        on("sts:GetFederationToken", created(K::FederatedUser, "Name", None), &[REQ_TAG, TAG_KEYS]),
        // Dependent action of GetFederationToken; the reference gives `sts:TagSession` only the
        // (optional) `role` resource type, so the resource here is our reading.
        also("sts:TagSession", created(K::FederatedUser, "Name", None), TAG_SESSION_FEDERATION, When::Present("Tags"), Basis::Dependent),
    ]),
    // "No permissions are required for a user to get a session token" (IAM User Guide).
    sts("GetSessionToken", Enforcement::NotAuthorized, &[on("sts:GetSessionToken", ANY, NONE)]),
    sts("GetWebIdentityToken", Enforcement::Identity, &[
        on("sts:GetWebIdentityToken", ANY, &[
            REQ_TAG,
            TAG_KEYS,
            key("sts:DurationSeconds", S::Param("DurationSeconds")),
            key("sts:IdentityTokenAudience", S::ParamList("Audience")),
            key("sts:SigningAlgorithm", S::Param("SigningAlgorithm")),
        ]),
        also("sts:TagGetWebIdentityToken", ANY, &[REQ_TAG, TAG_KEYS], When::Present("Tags"), Basis::Dependent),
    ]),
];

/// CloudTrail's `LookupEvents`, which iamd answers over its own audit trail ("Actions, resources,
/// and condition keys for AWS CloudTrail": `cloudtrail:LookupEvents`, no resource types).
pub(crate) static CLOUDTRAIL_OPS: &[OpAuth] = &[OpAuth {
    operation: "LookupEvents",
    service: "cloudtrail",
    enforcement: Enforcement::Identity,
    checks: &[on("cloudtrail:LookupEvents", ANY, NONE)],
}];

/// iamd's own `Authorize` (`POST /_iamd/authorize`): a service asking for a decision needs
/// `iamd:Authorize`, so a stolen request cannot be replayed through it.
/// `ListSessionRevocations` and `RevokeSessions` (iamd's early revocation of temporary
/// credentials) need `iamd:ListSessionRevocations` and `iamd:RevokeSessions`; the resource
/// policy records other services keep in iamd (the S3 gateway's bucket policies) need
/// `iamd:PutResourcePolicy`, `iamd:GetResourcePolicy` and `iamd:DeleteResourcePolicy`.
pub(crate) static IAMD_OPS: &[OpAuth] = &[
    OpAuth {
        operation: "Authorize",
        service: "iamd",
        enforcement: Enforcement::Identity,
        checks: &[on("iamd:Authorize", ANY, NONE)],
    },
    OpAuth {
        operation: "DeleteResourcePolicy",
        service: "iamd",
        enforcement: Enforcement::Identity,
        checks: &[on("iamd:DeleteResourcePolicy", ANY, NONE)],
    },
    OpAuth {
        operation: "GetResourcePolicy",
        service: "iamd",
        enforcement: Enforcement::Identity,
        checks: &[on("iamd:GetResourcePolicy", ANY, NONE)],
    },
    OpAuth {
        operation: "ListSessionRevocations",
        service: "iamd",
        enforcement: Enforcement::Identity,
        checks: &[on("iamd:ListSessionRevocations", ANY, NONE)],
    },
    OpAuth {
        operation: "PutResourcePolicy",
        service: "iamd",
        enforcement: Enforcement::Identity,
        checks: &[on("iamd:PutResourcePolicy", ANY, NONE)],
    },
    OpAuth {
        operation: "RevokeSessions",
        service: "iamd",
        enforcement: Enforcement::Identity,
        checks: &[on("iamd:RevokeSessions", ANY, NONE)],
    },
];
