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
