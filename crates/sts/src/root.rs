//! `AssumeRoot`: a privileged root session on a *member account* of an organization, for the
//! management account or the delegated administrator of centralized root access. iamd has no
//! Organizations, so no account is a member of the caller's organization: after the caller's
//! `sts:AssumeRoot` permission is evaluated (the engine does that first), the request is refused
//! as AWS refuses a target outside the caller's organization: `AccessDenied`.

use iamd_iam::{Ctx, IamError};
use iamd_store::Tx;
use iamd_wire::{Params, Value};

/// The task policies AWS allows for a root session (`arn:aws:iam::aws:policy/root-task/…`).
pub const ROOT_TASK_POLICIES: &[&str] = &[
    "IAMAuditRootUserCredentials",
    "IAMCreateRootUserPassword",
    "IAMDeleteRootUserCredentials",
    "S3UnlockBucketPolicy",
    "SQSUnlockQueuePolicy",
];

pub fn assume_root(_tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let target = p.str("TargetPrincipal").unwrap_or_default();
    let task = p
        .get("TaskPolicyArn")
        .and_then(|v| v.get("arn"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let known_task = task
        .strip_prefix("arn:aws:iam::aws:policy/root-task/")
        .is_some_and(|n| ROOT_TASK_POLICIES.contains(&n));
    if !known_task {
        return Err(IamError::validation(format!(
            "The TaskPolicyArn {task} is not a supported root task policy."
        )));
    }
    if !(target.len() == 12 && target.bytes().all(|b| b.is_ascii_digit())) {
        return Err(IamError::validation(format!(
            "The TargetPrincipal {target} is not a valid account ID."
        )));
    }
    Err(IamError::access_denied(format!(
        "User: {} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::{target}:root because no organization is associated with the account",
        ctx.caller.arn
    )))
}
