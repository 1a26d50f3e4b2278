//! The key layout of IAM's records in the ordered store. Names are unique per account
//! case-insensitively, so name keys use the lower-cased name; the record keeps the case.
//! Relations (group membership, a user's keys) are keyed by unique ID so renames don't move them.
//! Separators are `/`, which no IAM name, ID or account ID can contain.

pub fn lower(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// The server's bookkeeping (the default account, …).
pub fn meta(name: &str) -> Vec<u8> {
    format!("meta/{name}").into_bytes()
}

pub fn account(account: &str) -> Vec<u8> {
    format!("acct/{account}").into_bytes()
}

pub fn user(account: &str, name: &str) -> Vec<u8> {
    format!("user/{account}/{}", lower(name)).into_bytes()
}
pub fn users(account: &str) -> Vec<u8> {
    format!("user/{account}/").into_bytes()
}
/// Unique user ID → the user's lower-cased name.
pub fn user_id(id: &str) -> Vec<u8> {
    format!("userid/{id}").into_bytes()
}

pub fn group(account: &str, name: &str) -> Vec<u8> {
    format!("group/{account}/{}", lower(name)).into_bytes()
}
pub fn groups(account: &str) -> Vec<u8> {
    format!("group/{account}/").into_bytes()
}
/// Unique group ID → the group's lower-cased name.
pub fn group_id(id: &str) -> Vec<u8> {
    format!("groupid/{id}").into_bytes()
}

/// Membership, both ways.
pub fn member(account: &str, group_id: &str, user_id: &str) -> Vec<u8> {
    format!("member/{account}/{group_id}/{user_id}").into_bytes()
}
pub fn members(account: &str, group_id: &str) -> Vec<u8> {
    format!("member/{account}/{group_id}/").into_bytes()
}
pub fn user_group(account: &str, user_id: &str, group_id: &str) -> Vec<u8> {
    format!("usergroup/{account}/{user_id}/{group_id}").into_bytes()
}
pub fn user_groups(account: &str, user_id: &str) -> Vec<u8> {
    format!("usergroup/{account}/{user_id}/").into_bytes()
}

/// Access keys by ID (authentication's lookup), and a user's keys (listing, conflicts).
pub fn access_key(id: &str) -> Vec<u8> {
    format!("akey/{id}").into_bytes()
}
/// `owner` is a user ID, or `root`.
pub fn owner_key(account: &str, owner: &str, key_id: &str) -> Vec<u8> {
    format!("ownerkey/{account}/{owner}/{key_id}").into_bytes()
}
pub fn owner_keys(account: &str, owner: &str) -> Vec<u8> {
    format!("ownerkey/{account}/{owner}/").into_bytes()
}

/// The last `/`-separated segment of a key (a name or an ID).
pub fn last_segment(key: &[u8]) -> &str {
    let s = std::str::from_utf8(key).unwrap_or("");
    s.rsplit('/').next().unwrap_or("")
}

pub fn role(account: &str, name: &str) -> Vec<u8> {
    format!("role/{account}/{}", lower(name)).into_bytes()
}
pub fn roles(account: &str) -> Vec<u8> {
    format!("role/{account}/").into_bytes()
}
pub fn role_id(id: &str) -> Vec<u8> {
    format!("roleid/{id}").into_bytes()
}

pub fn instance_profile(account: &str, name: &str) -> Vec<u8> {
    format!("iprof/{account}/{}", lower(name)).into_bytes()
}
pub fn instance_profiles(account: &str) -> Vec<u8> {
    format!("iprof/{account}/").into_bytes()
}
/// A role's instance profiles (role ID → profile name).
pub fn role_profile(account: &str, role_id: &str, profile: &str) -> Vec<u8> {
    format!("roleprof/{account}/{role_id}/{}", lower(profile)).into_bytes()
}
pub fn role_profiles(account: &str, role_id: &str) -> Vec<u8> {
    format!("roleprof/{account}/{role_id}/").into_bytes()
}

/// Inline policies of an entity (`kind` is `user`, `group` or `role`; keyed by unique ID).
pub fn inline(account: &str, kind: &str, entity_id: &str, policy: &str) -> Vec<u8> {
    format!("inline/{account}/{kind}/{entity_id}/{}", lower(policy)).into_bytes()
}
pub fn inlines(account: &str, kind: &str, entity_id: &str) -> Vec<u8> {
    format!("inline/{account}/{kind}/{entity_id}/").into_bytes()
}

/// Customer managed policies, unique by name in an account.
pub fn policy(account: &str, name: &str) -> Vec<u8> {
    format!("policy/{account}/{}", lower(name)).into_bytes()
}
pub fn policies(account: &str) -> Vec<u8> {
    format!("policy/{account}/").into_bytes()
}
/// Versions are keyed by a zero-padded number so they list in order.
pub fn policy_version(account: &str, policy_id: &str, n: u32) -> Vec<u8> {
    format!("policyver/{account}/{policy_id}/{n:06}").into_bytes()
}
pub fn policy_versions(account: &str, policy_id: &str) -> Vec<u8> {
    format!("policyver/{account}/{policy_id}/").into_bytes()
}

/// Attachments, both ways: an entity's managed policies (by ARN), and a policy's entities.
/// ARNs contain `/`, so they are the last part of the first key and are escaped in the second.
pub fn attached(account: &str, kind: &str, entity_id: &str, arn: &str) -> Vec<u8> {
    format!("attached/{account}/{kind}/{entity_id}/{arn}").into_bytes()
}
pub fn attached_all(account: &str, kind: &str, entity_id: &str) -> Vec<u8> {
    format!("attached/{account}/{kind}/{entity_id}/").into_bytes()
}
pub fn attachment(account: &str, arn: &str, kind: &str, entity_id: &str) -> Vec<u8> {
    format!(
        "attachment/{account}/{}/{kind}/{entity_id}",
        arn.replace('/', "|")
    )
    .into_bytes()
}
pub fn attachments(account: &str, arn: &str) -> Vec<u8> {
    format!("attachment/{account}/{}/", arn.replace('/', "|")).into_bytes()
}
/// Every attachment of any managed policy in `account` (`attachments` of each policy).
pub fn attachments_in(account: &str) -> Vec<u8> {
    format!("attachment/{account}/").into_bytes()
}
/// Entities using a managed policy as their permissions boundary.
pub fn boundary_use(account: &str, arn: &str, kind: &str, entity_id: &str) -> Vec<u8> {
    format!(
        "boundary/{account}/{}/{kind}/{entity_id}",
        arn.replace('/', "|")
    )
    .into_bytes()
}
pub fn boundary_uses(account: &str, arn: &str) -> Vec<u8> {
    format!("boundary/{account}/{}/", arn.replace('/', "|")).into_bytes()
}

/// Every boundary use of any managed policy in `account` (`boundary_uses` of each policy).
pub fn boundary_uses_in(account: &str) -> Vec<u8> {
    format!("boundary/{account}/").into_bytes()
}

/// The part of a key after `prefix`, as text.
pub fn suffix<'k>(key: &'k [u8], prefix: &[u8]) -> &'k str {
    std::str::from_utf8(key.get(prefix.len()..).unwrap_or_default()).unwrap_or("")
}
