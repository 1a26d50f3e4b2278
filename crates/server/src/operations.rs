//! Which function answers which operation. An operation of the model that is not listed here
//! answers `NotImplemented` (501): iamd says so rather than pretending.

use iamd_iam::{
    Ctx, IamError, Principal, access_keys, explain, groups, inline, policies, roles, users,
};
use iamd_store::Tx;
use iamd_wire::{Params, Value};

pub type StoreOp = fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>;

pub enum Handler {
    /// Runs in a read-only transaction.
    Read(StoreOp),
    /// Runs in one read-write transaction: all of its writes, or none.
    Write(StoreOp),
    /// Needs only the authenticated caller.
    Caller(fn(&Principal) -> Value),
}

/// STS operations that AWS accepts without a signature (the caller proves itself with a token).
pub const ANONYMOUS: &[&str] = &["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"];

pub fn handler(name: &str) -> Option<Handler> {
    use Handler::{Caller, Read, Write};
    Some(match name {
        "GetCallerIdentity" => Caller(iamd_sts::get_caller_identity),
        "CreateUser" => Write(users::create_user),
        "GetUser" => Read(users::get_user),
        "ListUsers" => Read(users::list_users),
        "UpdateUser" => Write(users::update_user),
        "DeleteUser" => Write(users::delete_user),
        "TagUser" => Write(users::tag_user),
        "UntagUser" => Write(users::untag_user),
        "ListUserTags" => Read(users::list_user_tags),
        "CreateGroup" => Write(groups::create_group),
        "GetGroup" => Read(groups::get_group),
        "ListGroups" => Read(groups::list_groups),
        "UpdateGroup" => Write(groups::update_group),
        "DeleteGroup" => Write(groups::delete_group),
        "AddUserToGroup" => Write(groups::add_user_to_group),
        "RemoveUserFromGroup" => Write(groups::remove_user_from_group),
        "ListGroupsForUser" => Read(groups::list_groups_for_user),
        "CreateAccessKey" => Write(access_keys::create_access_key),
        "ListAccessKeys" => Read(access_keys::list_access_keys),
        "UpdateAccessKey" => Write(access_keys::update_access_key),
        "DeleteAccessKey" => Write(access_keys::delete_access_key),
        "CreateRole" => Write(roles::create_role),
        "GetRole" => Read(roles::get_role),
        "ListRoles" => Read(roles::list_roles),
        "UpdateRole" => Write(roles::update_role),
        "UpdateRoleDescription" => Write(roles::update_role_description),
        "UpdateAssumeRolePolicy" => Write(roles::update_assume_role_policy),
        "DeleteRole" => Write(roles::delete_role),
        "TagRole" => Write(roles::tag_role),
        "UntagRole" => Write(roles::untag_role),
        "ListRoleTags" => Read(roles::list_role_tags),
        "PutRolePermissionsBoundary" => Write(roles::put_role_permissions_boundary),
        "DeleteRolePermissionsBoundary" => Write(roles::delete_role_permissions_boundary),
        "CreateInstanceProfile" => Write(roles::create_instance_profile),
        "GetInstanceProfile" => Read(roles::get_instance_profile),
        "ListInstanceProfiles" => Read(roles::list_instance_profiles),
        "DeleteInstanceProfile" => Write(roles::delete_instance_profile),
        "AddRoleToInstanceProfile" => Write(roles::add_role_to_instance_profile),
        "RemoveRoleFromInstanceProfile" => Write(roles::remove_role_from_instance_profile),
        "ListInstanceProfilesForRole" => Read(roles::list_instance_profiles_for_role),
        "TagInstanceProfile" => Write(roles::tag_instance_profile),
        "UntagInstanceProfile" => Write(roles::untag_instance_profile),
        "ListInstanceProfileTags" => Read(roles::list_instance_profile_tags),
        "PutUserPolicy" => Write(inline::put_user_policy),
        "PutGroupPolicy" => Write(inline::put_group_policy),
        "PutRolePolicy" => Write(inline::put_role_policy),
        "GetUserPolicy" => Read(inline::get_user_policy),
        "GetGroupPolicy" => Read(inline::get_group_policy),
        "GetRolePolicy" => Read(inline::get_role_policy),
        "DeleteUserPolicy" => Write(inline::delete_user_policy),
        "DeleteGroupPolicy" => Write(inline::delete_group_policy),
        "DeleteRolePolicy" => Write(inline::delete_role_policy),
        "ListUserPolicies" => Read(inline::list_user_policies),
        "ListGroupPolicies" => Read(inline::list_group_policies),
        "ListRolePolicies" => Read(inline::list_role_policies),
        "CreatePolicy" => Write(policies::create_policy),
        "GetPolicy" => Read(policies::get_policy),
        "ListPolicies" => Read(policies::list_policies),
        "DeletePolicy" => Write(policies::delete_policy),
        "CreatePolicyVersion" => Write(policies::create_policy_version),
        "GetPolicyVersion" => Read(policies::get_policy_version),
        "ListPolicyVersions" => Read(policies::list_policy_versions),
        "DeletePolicyVersion" => Write(policies::delete_policy_version),
        "SetDefaultPolicyVersion" => Write(policies::set_default_policy_version),
        "TagPolicy" => Write(policies::tag_policy),
        "UntagPolicy" => Write(policies::untag_policy),
        "ListPolicyTags" => Read(policies::list_policy_tags),
        "AttachUserPolicy" => Write(policies::attach_user_policy),
        "AttachGroupPolicy" => Write(policies::attach_group_policy),
        "AttachRolePolicy" => Write(policies::attach_role_policy),
        "DetachUserPolicy" => Write(policies::detach_user_policy),
        "DetachGroupPolicy" => Write(policies::detach_group_policy),
        "DetachRolePolicy" => Write(policies::detach_role_policy),
        "ListAttachedUserPolicies" => Read(policies::list_attached_user_policies),
        "ListAttachedGroupPolicies" => Read(policies::list_attached_group_policies),
        "ListAttachedRolePolicies" => Read(policies::list_attached_role_policies),
        "ListEntitiesForPolicy" => Read(policies::list_entities_for_policy),
        "SimulateCustomPolicy" => Read(explain::simulate_custom_policy),
        "SimulatePrincipalPolicy" => Read(explain::simulate_principal_policy),
        "GetContextKeysForCustomPolicy" => Read(explain::get_context_keys_for_custom_policy),
        "GetContextKeysForPrincipalPolicy" => Read(explain::get_context_keys_for_principal_policy),
        "GetAccountAuthorizationDetails" => Read(explain::get_account_authorization_details),
        "PutUserPermissionsBoundary" => Write(policies::put_user_permissions_boundary),
        "DeleteUserPermissionsBoundary" => Write(policies::delete_user_permissions_boundary),
        _ => return None,
    })
}
