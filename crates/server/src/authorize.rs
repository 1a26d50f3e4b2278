//! The authorize step. Until the policy engine is wired in, the rule is AWS's default: the root
//! user may do anything in its own account, and every other principal is implicitly denied.

use iamd_iam::{Principal, PrincipalKind};
use iamd_wire::{ApiError, Operation, Params, Service};

/// Operations AWS lets any authenticated caller perform, whatever its policies say.
fn always_allowed(op: &Operation) -> bool {
    op.service == Service::Sts && op.name == "GetCallerIdentity"
}

/// The resource an operation acts on, as AWS names it in authorization and in AccessDenied.
fn resource_arn(op: &Operation, params: &Params, caller: &Principal) -> String {
    let acct = &caller.account;
    if op.service == Service::Sts {
        return "*".to_string();
    }
    if let Some(g) = params.str("GroupName") {
        return format!("arn:aws:iam::{acct}:group/{g}");
    }
    match (params.str("UserName"), &caller.kind) {
        (Some(u), _) => format!("arn:aws:iam::{acct}:user/{u}"),
        (None, PrincipalKind::User { .. }) if op.name.contains("User") => caller.arn.clone(),
        _ => format!("arn:aws:iam::{acct}:user/"),
    }
}

/// Allows or refuses the request with AWS's `AccessDenied`.
pub fn authorize(
    caller: &Principal,
    op: &Operation,
    params: &Params,
    account: &str,
) -> Result<(), ApiError> {
    if always_allowed(op) || (caller.is_root() && caller.account == account) {
        return Ok(());
    }
    let action = format!("{}:{}", op.service.name(), op.name);
    Err(ApiError::access_denied(format!(
        "User: {} is not authorized to perform: {action} on resource: {} because no identity-based policy allows the {action} action",
        caller.arn,
        resource_arn(op, params, caller),
    )))
}
