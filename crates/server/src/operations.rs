//! Which function answers which operation. An operation of the model that is not listed here
//! answers `NotImplemented` (501): iamd says so rather than pretending.

use iamd_iam::{Ctx, IamError, Principal, groups, users};
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
        _ => return None,
    })
}
