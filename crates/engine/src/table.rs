//! The operation table: one entry per operation of the models, saying which function answers
//! it, whether it reads or writes, whether AWS accepts it unsigned, and how it is authorized
//! (`iamd-actions`). A test proves every operation of the models has an entry; an operation
//! iamd does not answer yet says so with an explicit [`Handler::NotImplemented`].

use std::collections::HashMap;
use std::sync::OnceLock;

use iamd_actions::OpAuth;
use iamd_iam::{
    Ctx, IamError, Principal, access_keys, account, certificates, delegation, explain, groups,
    inline, mfa, oidc, organizations, outbound_federation, passwords, policies, roles,
    saml_providers, service_credentials, service_linked_roles, sts_preferences, users,
};
use iamd_store::Tx;
use iamd_wire::{Params, Value};

pub type StoreOp = fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>;

/// How an operation is answered.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Runs in a read-only transaction.
    Read(StoreOp),
    /// Runs in one read-write transaction with its audit event: all of it, or none.
    Write(StoreOp),
    /// Needs only the authenticated caller.
    Caller(fn(&Principal) -> Value),
    /// `AssumeRoleWithWebIdentity`: the token is verified (which may fetch the issuer's keys)
    /// before the write transaction.
    WebIdentity,
    /// `AssumeRoleWithSAML`: the SAML response is verified against its provider's metadata
    /// before the write transaction that checks replays and issues the session.
    Saml,
    /// Role credentials for a metadata agent (`iam:PassRole` to EC2 and the role's trust).
    InstanceCredentials,
    /// Another service asks for a decision about a principal (`iamd:Authorize`).
    Authorize,
    /// Not answered yet: `NotImplemented` (501), after validation, and audited.
    NotImplemented,
}

impl Handler {
    /// Whether the handler runs on a blocking thread (it uses the store).
    pub fn needs_store(&self) -> bool {
        !matches!(self, Handler::Caller(_) | Handler::NotImplemented)
    }
    /// Whether a successful call changes state (its event then commits with the change).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Handler::Write(_) | Handler::WebIdentity | Handler::Saml | Handler::InstanceCredentials
        )
    }
}

/// One operation.
pub struct Entry {
    pub name: &'static str,
    pub handler: Handler,
    /// AWS accepts the operation without a signature.
    pub unsigned: bool,
    /// What AWS authorizes for it (`None` only for iamd's own operations).
    pub authorization: Option<&'static OpAuth>,
}

impl Entry {
    /// CloudTrail's `readOnly`.
    pub fn read_only(&self) -> bool {
        match self.handler {
            Handler::NotImplemented => is_read_name(self.name),
            h => !h.writes(),
        }
    }
}

fn is_read_name(name: &str) -> bool {
    ["Get", "List", "Describe", "Lookup", "Simulate", "Decode"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// Operations iamd answers that are not in the models: (name, the model operation whose
/// input and output shapes it uses).
pub const OWN_OPERATIONS: &[(&str, &str)] = &[("AssumeRoleForInstance", "AssumeRole")];

fn lookup_events(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    crate::audit::lookup::lookup_events(tx, ctx, p)
}

static HANDLERS: &[(&str, Handler)] = {
    use Handler::{Caller, Read, Write};
    &[
        ("AssumeRoleWithWebIdentity", Handler::WebIdentity),
        ("AssumeRoleWithSAML", Handler::Saml),
        ("AssumeRoleForInstance", Handler::InstanceCredentials),
        ("LookupEvents", Read(lookup_events)),
        ("Authorize", Handler::Authorize),
        ("RevokeSessions", Write(crate::revocation::revoke_sessions)),
        ("PutResourcePolicy", Write(crate::resource_policy::put)),
        ("GetResourcePolicy", Read(crate::resource_policy::get)),
        (
            "DeleteResourcePolicy",
            Write(crate::resource_policy::delete),
        ),
        (
            "ListSessionRevocations",
            Read(crate::revocation::list_session_revocations),
        ),
        ("GetCallerIdentity", Caller(iamd_sts::get_caller_identity)),
        ("CreateUser", Write(users::create_user)),
        ("GetUser", Read(users::get_user)),
        ("ListUsers", Read(users::list_users)),
        ("UpdateUser", Write(users::update_user)),
        ("DeleteUser", Write(users::delete_user)),
        ("TagUser", Write(users::tag_user)),
        ("UntagUser", Write(users::untag_user)),
        ("ListUserTags", Read(users::list_user_tags)),
        ("CreateGroup", Write(groups::create_group)),
        ("GetGroup", Read(groups::get_group)),
        ("ListGroups", Read(groups::list_groups)),
        ("UpdateGroup", Write(groups::update_group)),
        ("DeleteGroup", Write(groups::delete_group)),
        ("AddUserToGroup", Write(groups::add_user_to_group)),
        ("RemoveUserFromGroup", Write(groups::remove_user_from_group)),
        ("ListGroupsForUser", Read(groups::list_groups_for_user)),
        ("CreateAccessKey", Write(access_keys::create_access_key)),
        ("ListAccessKeys", Read(access_keys::list_access_keys)),
        ("UpdateAccessKey", Write(access_keys::update_access_key)),
        ("DeleteAccessKey", Write(access_keys::delete_access_key)),
        ("CreateRole", Write(roles::create_role)),
        ("GetRole", Read(roles::get_role)),
        ("ListRoles", Read(roles::list_roles)),
        ("UpdateRole", Write(roles::update_role)),
        (
            "UpdateRoleDescription",
            Write(roles::update_role_description),
        ),
        (
            "UpdateAssumeRolePolicy",
            Write(roles::update_assume_role_policy),
        ),
        ("DeleteRole", Write(roles::delete_role)),
        ("TagRole", Write(roles::tag_role)),
        ("UntagRole", Write(roles::untag_role)),
        ("ListRoleTags", Read(roles::list_role_tags)),
        (
            "PutRolePermissionsBoundary",
            Write(roles::put_role_permissions_boundary),
        ),
        (
            "DeleteRolePermissionsBoundary",
            Write(roles::delete_role_permissions_boundary),
        ),
        (
            "CreateInstanceProfile",
            Write(roles::create_instance_profile),
        ),
        ("GetInstanceProfile", Read(roles::get_instance_profile)),
        ("ListInstanceProfiles", Read(roles::list_instance_profiles)),
        (
            "DeleteInstanceProfile",
            Write(roles::delete_instance_profile),
        ),
        (
            "AddRoleToInstanceProfile",
            Write(roles::add_role_to_instance_profile),
        ),
        (
            "RemoveRoleFromInstanceProfile",
            Write(roles::remove_role_from_instance_profile),
        ),
        (
            "ListInstanceProfilesForRole",
            Read(roles::list_instance_profiles_for_role),
        ),
        ("TagInstanceProfile", Write(roles::tag_instance_profile)),
        ("UntagInstanceProfile", Write(roles::untag_instance_profile)),
        (
            "ListInstanceProfileTags",
            Read(roles::list_instance_profile_tags),
        ),
        ("PutUserPolicy", Write(inline::put_user_policy)),
        ("PutGroupPolicy", Write(inline::put_group_policy)),
        ("PutRolePolicy", Write(inline::put_role_policy)),
        ("GetUserPolicy", Read(inline::get_user_policy)),
        ("GetGroupPolicy", Read(inline::get_group_policy)),
        ("GetRolePolicy", Read(inline::get_role_policy)),
        ("DeleteUserPolicy", Write(inline::delete_user_policy)),
        ("DeleteGroupPolicy", Write(inline::delete_group_policy)),
        ("DeleteRolePolicy", Write(inline::delete_role_policy)),
        ("ListUserPolicies", Read(inline::list_user_policies)),
        ("ListGroupPolicies", Read(inline::list_group_policies)),
        ("ListRolePolicies", Read(inline::list_role_policies)),
        ("CreatePolicy", Write(policies::create_policy)),
        ("GetPolicy", Read(policies::get_policy)),
        ("ListPolicies", Read(policies::list_policies)),
        ("DeletePolicy", Write(policies::delete_policy)),
        (
            "CreatePolicyVersion",
            Write(policies::create_policy_version),
        ),
        ("GetPolicyVersion", Read(policies::get_policy_version)),
        ("ListPolicyVersions", Read(policies::list_policy_versions)),
        (
            "DeletePolicyVersion",
            Write(policies::delete_policy_version),
        ),
        (
            "SetDefaultPolicyVersion",
            Write(policies::set_default_policy_version),
        ),
        ("TagPolicy", Write(policies::tag_policy)),
        ("UntagPolicy", Write(policies::untag_policy)),
        ("ListPolicyTags", Read(policies::list_policy_tags)),
        ("AttachUserPolicy", Write(policies::attach_user_policy)),
        ("AttachGroupPolicy", Write(policies::attach_group_policy)),
        ("AttachRolePolicy", Write(policies::attach_role_policy)),
        ("DetachUserPolicy", Write(policies::detach_user_policy)),
        ("DetachGroupPolicy", Write(policies::detach_group_policy)),
        ("DetachRolePolicy", Write(policies::detach_role_policy)),
        (
            "ListAttachedUserPolicies",
            Read(policies::list_attached_user_policies),
        ),
        (
            "ListAttachedGroupPolicies",
            Read(policies::list_attached_group_policies),
        ),
        (
            "ListAttachedRolePolicies",
            Read(policies::list_attached_role_policies),
        ),
        (
            "ListEntitiesForPolicy",
            Read(policies::list_entities_for_policy),
        ),
        (
            "SimulateCustomPolicy",
            Read(explain::simulate_custom_policy),
        ),
        (
            "SimulatePrincipalPolicy",
            Read(explain::simulate_principal_policy),
        ),
        (
            "GetContextKeysForCustomPolicy",
            Read(explain::get_context_keys_for_custom_policy),
        ),
        (
            "GetContextKeysForPrincipalPolicy",
            Read(explain::get_context_keys_for_principal_policy),
        ),
        (
            "GetAccountAuthorizationDetails",
            Read(explain::get_account_authorization_details),
        ),
        ("GetSessionToken", Write(iamd_sts::get_session_token)),
        ("GetAccessKeyInfo", Read(iamd_sts::get_access_key_info)),
        (
            "DecodeAuthorizationMessage",
            Read(iamd_iam::authz_message::decode_authorization_message),
        ),
        ("GetFederationToken", Read(iamd_sts::get_federation_token)),
        ("AssumeRole", Write(iamd_sts::assume_role)),
        (
            "CreateVirtualMFADevice",
            Write(mfa::create_virtual_mfa_device),
        ),
        ("EnableMFADevice", Write(mfa::enable_mfa_device)),
        ("ResyncMFADevice", Write(mfa::resync_mfa_device)),
        ("DeactivateMFADevice", Write(mfa::deactivate_mfa_device)),
        (
            "DeleteVirtualMFADevice",
            Write(mfa::delete_virtual_mfa_device),
        ),
        ("ListMFADevices", Read(mfa::list_mfa_devices)),
        ("ListVirtualMFADevices", Read(mfa::list_virtual_mfa_devices)),
        ("GetMFADevice", Read(mfa::get_mfa_device)),
        ("TagMFADevice", Write(mfa::tag_mfa_device)),
        ("UntagMFADevice", Write(mfa::untag_mfa_device)),
        ("ListMFADeviceTags", Read(mfa::list_mfa_device_tags)),
        ("CreateLoginProfile", Write(passwords::create_login_profile)),
        ("GetLoginProfile", Read(passwords::get_login_profile)),
        ("UpdateLoginProfile", Write(passwords::update_login_profile)),
        ("DeleteLoginProfile", Write(passwords::delete_login_profile)),
        ("ChangePassword", Write(passwords::change_password)),
        (
            "UpdateAccountPasswordPolicy",
            Write(passwords::update_account_password_policy),
        ),
        (
            "GetAccountPasswordPolicy",
            Read(passwords::get_account_password_policy),
        ),
        (
            "DeleteAccountPasswordPolicy",
            Write(passwords::delete_account_password_policy),
        ),
        ("CreateAccountAlias", Write(account::create_account_alias)),
        ("ListAccountAliases", Read(account::list_account_aliases)),
        ("DeleteAccountAlias", Write(account::delete_account_alias)),
        ("GetAccountSummary", Read(account::get_account_summary)),
        (
            "GenerateCredentialReport",
            Write(account::generate_credential_report),
        ),
        ("GetCredentialReport", Read(account::get_credential_report)),
        (
            "GetAccessKeyLastUsed",
            Read(account::get_access_key_last_used),
        ),
        (
            "UploadSigningCertificate",
            Write(certificates::upload_signing_certificate),
        ),
        (
            "ListSigningCertificates",
            Read(certificates::list_signing_certificates),
        ),
        (
            "UpdateSigningCertificate",
            Write(certificates::update_signing_certificate),
        ),
        (
            "DeleteSigningCertificate",
            Write(certificates::delete_signing_certificate),
        ),
        (
            "UploadSSHPublicKey",
            Write(certificates::upload_ssh_public_key),
        ),
        ("GetSSHPublicKey", Read(certificates::get_ssh_public_key)),
        (
            "ListSSHPublicKeys",
            Read(certificates::list_ssh_public_keys),
        ),
        (
            "UpdateSSHPublicKey",
            Write(certificates::update_ssh_public_key),
        ),
        (
            "DeleteSSHPublicKey",
            Write(certificates::delete_ssh_public_key),
        ),
        (
            "UploadServerCertificate",
            Write(certificates::upload_server_certificate),
        ),
        (
            "GetServerCertificate",
            Read(certificates::get_server_certificate),
        ),
        (
            "ListServerCertificates",
            Read(certificates::list_server_certificates),
        ),
        (
            "UpdateServerCertificate",
            Write(certificates::update_server_certificate),
        ),
        (
            "DeleteServerCertificate",
            Write(certificates::delete_server_certificate),
        ),
        (
            "TagServerCertificate",
            Write(certificates::tag_server_certificate),
        ),
        (
            "UntagServerCertificate",
            Write(certificates::untag_server_certificate),
        ),
        (
            "ListServerCertificateTags",
            Read(certificates::list_server_certificate_tags),
        ),
        (
            "CreateOpenIDConnectProvider",
            Write(oidc::create_open_id_connect_provider),
        ),
        (
            "GetOpenIDConnectProvider",
            Read(oidc::get_open_id_connect_provider),
        ),
        (
            "ListOpenIDConnectProviders",
            Read(oidc::list_open_id_connect_providers),
        ),
        (
            "DeleteOpenIDConnectProvider",
            Write(oidc::delete_open_id_connect_provider),
        ),
        (
            "AddClientIDToOpenIDConnectProvider",
            Write(oidc::add_client_id_to_open_id_connect_provider),
        ),
        (
            "RemoveClientIDFromOpenIDConnectProvider",
            Write(oidc::remove_client_id_from_open_id_connect_provider),
        ),
        (
            "UpdateOpenIDConnectProviderThumbprint",
            Write(oidc::update_open_id_connect_provider_thumbprint),
        ),
        (
            "TagOpenIDConnectProvider",
            Write(oidc::tag_open_id_connect_provider),
        ),
        (
            "UntagOpenIDConnectProvider",
            Write(oidc::untag_open_id_connect_provider),
        ),
        (
            "ListOpenIDConnectProviderTags",
            Read(oidc::list_open_id_connect_provider_tags),
        ),
        (
            "PutUserPermissionsBoundary",
            Write(policies::put_user_permissions_boundary),
        ),
        (
            "DeleteUserPermissionsBoundary",
            Write(policies::delete_user_permissions_boundary),
        ),
        // Organizations-only operations: iamd's accounts are standalone.
        (
            "ListOrganizationsFeatures",
            Read(organizations::list_organizations_features),
        ),
        (
            "EnableOrganizationsRootCredentialsManagement",
            Write(organizations::enable_organizations_root_credentials_management),
        ),
        (
            "DisableOrganizationsRootCredentialsManagement",
            Write(organizations::disable_organizations_root_credentials_management),
        ),
        (
            "EnableOrganizationsRootSessions",
            Write(organizations::enable_organizations_root_sessions),
        ),
        (
            "DisableOrganizationsRootSessions",
            Write(organizations::disable_organizations_root_sessions),
        ),
        (
            "GenerateOrganizationsAccessReport",
            Write(organizations::generate_organizations_access_report),
        ),
        (
            "GetOrganizationsAccessReport",
            Read(organizations::get_organizations_access_report),
        ),
        ("AssumeRoot", Write(iamd_sts::root::assume_root)),
        (
            "CreateServiceSpecificCredential",
            Write(service_credentials::create_service_specific_credential),
        ),
        (
            "ListServiceSpecificCredentials",
            Read(service_credentials::list_service_specific_credentials),
        ),
        (
            "UpdateServiceSpecificCredential",
            Write(service_credentials::update_service_specific_credential),
        ),
        (
            "ResetServiceSpecificCredential",
            Write(service_credentials::reset_service_specific_credential),
        ),
        (
            "DeleteServiceSpecificCredential",
            Write(service_credentials::delete_service_specific_credential),
        ),
        (
            "CreateServiceLinkedRole",
            Write(service_linked_roles::create_service_linked_role),
        ),
        (
            "DeleteServiceLinkedRole",
            Write(service_linked_roles::delete_service_linked_role),
        ),
        (
            "GetServiceLinkedRoleDeletionStatus",
            Read(service_linked_roles::get_service_linked_role_deletion_status),
        ),
        (
            "GenerateServiceLastAccessedDetails",
            Write(crate::access_advisor::generate_service_last_accessed_details),
        ),
        (
            "GetServiceLastAccessedDetails",
            Read(crate::access_advisor::get_service_last_accessed_details),
        ),
        (
            "GetServiceLastAccessedDetailsWithEntities",
            Read(crate::access_advisor::get_service_last_accessed_details_with_entities),
        ),
        (
            "ListPoliciesGrantingServiceAccess",
            Read(crate::access_advisor::list_policies_granting_service_access),
        ),
        (
            "CreateSAMLProvider",
            Write(saml_providers::create_saml_provider),
        ),
        ("GetSAMLProvider", Read(saml_providers::get_saml_provider)),
        (
            "ListSAMLProviders",
            Read(saml_providers::list_saml_providers),
        ),
        (
            "UpdateSAMLProvider",
            Write(saml_providers::update_saml_provider),
        ),
        (
            "DeleteSAMLProvider",
            Write(saml_providers::delete_saml_provider),
        ),
        ("TagSAMLProvider", Write(saml_providers::tag_saml_provider)),
        (
            "UntagSAMLProvider",
            Write(saml_providers::untag_saml_provider),
        ),
        (
            "ListSAMLProviderTags",
            Read(saml_providers::list_saml_provider_tags),
        ),
        (
            "EnableOutboundWebIdentityFederation",
            Write(outbound_federation::enable_outbound_web_identity_federation),
        ),
        (
            "DisableOutboundWebIdentityFederation",
            Write(outbound_federation::disable_outbound_web_identity_federation),
        ),
        (
            "GetOutboundWebIdentityFederationInfo",
            Read(outbound_federation::get_outbound_web_identity_federation_info),
        ),
        (
            "GetWebIdentityToken",
            Read(iamd_sts::web_identity_token::get_web_identity_token),
        ),
        // Temporary delegation: no onboarded partners, so no requests.
        (
            "CreateDelegationRequest",
            Write(delegation::create_delegation_request),
        ),
        (
            "GetDelegationRequest",
            Read(delegation::get_delegation_request),
        ),
        (
            "ListDelegationRequests",
            Read(delegation::list_delegation_requests),
        ),
        (
            "AcceptDelegationRequest",
            Write(delegation::accept_delegation_request),
        ),
        (
            "AssociateDelegationRequest",
            Write(delegation::associate_delegation_request),
        ),
        (
            "RejectDelegationRequest",
            Write(delegation::reject_delegation_request),
        ),
        (
            "UpdateDelegationRequest",
            Write(delegation::update_delegation_request),
        ),
        (
            "SendDelegationToken",
            Write(delegation::send_delegation_token),
        ),
        (
            "GetHumanReadableSummary",
            Read(delegation::get_human_readable_summary),
        ),
        (
            "GetDelegatedAccessToken",
            Write(iamd_sts::delegated::get_delegated_access_token),
        ),
        (
            "SetSecurityTokenServicePreferences",
            Write(sts_preferences::set_security_token_service_preferences),
        ),
    ]
};

/// The operations AWS accepts without a signature (the caller proves itself with a token).
const UNSIGNED: &[&str] = &["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"];

fn table() -> &'static HashMap<&'static str, Entry> {
    static TABLE: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let model = iamd_wire::Model::get();
        let mut t: HashMap<&'static str, Entry> = HashMap::new();
        let names = model
            .operations()
            .map(|o| o.name.clone())
            .chain(OWN_OPERATIONS.iter().map(|(n, _)| n.to_string()));
        for name in names {
            // Leaked once per operation at first use: the table lives as long as the process.
            let name: &'static str = match HANDLERS.iter().find(|(n, _)| *n == name) {
                Some((n, _)) => n,
                None => Box::leak(name.into_boxed_str()),
            };
            let handler = HANDLERS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(Handler::NotImplemented, |(_, h)| *h);
            let auth_name = OWN_OPERATIONS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(name, |(_, base)| base);
            t.insert(
                name,
                Entry {
                    name,
                    handler,
                    unsigned: UNSIGNED.contains(&name),
                    authorization: iamd_actions::authorization(auth_name),
                },
            );
        }
        t
    })
}

/// The entry of the operation named `name`.
pub fn entry(name: &str) -> Option<&'static Entry> {
    table().get(name)
}

/// Every entry.
pub fn entries() -> impl Iterator<Item = &'static Entry> {
    table().values()
}

/// The model operation whose shapes an operation uses.
pub fn model_operation(name: &str) -> &str {
    OWN_OPERATIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, base)| base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_operation_has_an_entry_with_its_authorization() {
        let model = iamd_wire::Model::get();
        let mut n = 0;
        for op in model.operations() {
            n += 1;
            let e = entry(&op.name).unwrap_or_else(|| panic!("{} has no entry", op.name));
            let auth = e
                .authorization
                .unwrap_or_else(|| panic!("{} has no authorization", op.name));
            assert_eq!(auth.service, op.service.name(), "{}", op.name);
        }
        assert_eq!(n, 194);
    }

    #[test]
    fn every_handler_names_a_known_operation() {
        // A typo in the handler list would leave the real operation unanswered.
        let model = iamd_wire::Model::get();
        for (name, _) in HANDLERS {
            let known =
                model.operation(name).is_some() || OWN_OPERATIONS.iter().any(|(n, _)| n == name);
            assert!(known, "{name} is neither in the models nor iamd's own");
        }
        let mut names: Vec<&str> = HANDLERS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "an operation is listed twice");
    }

    #[test]
    fn read_and_write_follow_the_operation() {
        let e = |n| entry(n).unwrap();
        assert!(e("GetUser").read_only());
        assert!(e("ListUsers").read_only());
        assert!(e("LookupEvents").read_only());
        assert!(!e("CreateUser").read_only());
        assert!(!e("AssumeRole").read_only());
        assert!(e("AssumeRoleWithWebIdentity").unsigned);
        assert!(!e("CreateUser").unsigned);
        assert!(matches!(
            e("AssumeRoleForInstance").handler,
            Handler::InstanceCredentials
        ));
    }

    #[test]
    fn unanswered_operations_are_listed_explicitly() {
        let mut missing: Vec<&str> = entries()
            .filter(|e| matches!(e.handler, Handler::NotImplemented))
            .map(|e| e.name)
            .collect();
        missing.sort_unstable();
        // Every operation of the models is answered: none is a 501.
        assert!(missing.is_empty(), "{missing:?}");
    }
}
