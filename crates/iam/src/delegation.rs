//! Temporary delegation (`CreateDelegationRequest` and the request's lifecycle): an AWS Partner
//! asks a customer's account for temporary access from an AWS-registered policy template, and
//! the delegation token travels to the partner through an SNS notification channel.
//!
//! AWS opens `CreateDelegationRequest` only to partners it has onboarded, with their policy
//! templates and SNS topics; iamd has no partner onboarding, no registered templates and no
//! SNS. So no delegation request can exist: creating one is refused as for a caller that is not
//! an onboarded partner, listing finds none, and every operation on a request ID finds no such
//! request — what AWS answers an account that never received one.

use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::users::required;
use crate::{Ctx, EntityKind, IamError};

fn no_such_request(id: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::DelegationRequest,
        id,
        format!("Delegation request {id} not found."),
    )
}

fn by_id(p: &Params) -> Result<Value, IamError> {
    Err(no_such_request(required(p, "DelegationRequestId")?))
}

pub fn create_delegation_request(
    _tx: &mut dyn Tx,
    ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    Err(IamError::access_denied(format!(
        "User: {} is not authorized to perform: iam:CreateDelegationRequest because the account is not onboarded as a temporary delegation partner",
        ctx.caller.arn
    )))
}

pub fn get_delegation_request(_tx: &mut dyn Tx, _ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    by_id(p)
}

pub fn accept_delegation_request(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    by_id(p)
}

pub fn associate_delegation_request(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    by_id(p)
}

pub fn reject_delegation_request(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    by_id(p)
}

pub fn update_delegation_request(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    by_id(p)
}

pub fn send_delegation_token(_tx: &mut dyn Tx, _ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    by_id(p)
}

pub fn list_delegation_requests(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    if p.str("Marker").is_some() {
        // No list was ever truncated, so no marker was ever handed out.
        return Err(IamError::validation("Invalid Marker."));
    }
    Ok(Value::object()
        .with("DelegationRequests", Value::List(Vec::new()))
        .with("isTruncated", false))
}

/// `GetHumanReadableSummary` describes a delegation request's permissions; there are none to
/// describe.
pub fn get_human_readable_summary(
    _tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let arn = required(p, "EntityArn")?;
    let prefix = format!("arn:aws:iam::{}:delegation-request/", ctx.account);
    match arn.strip_prefix(&prefix) {
        Some(id) if !id.is_empty() => Err(no_such_request(id)),
        _ => Err(IamError::invalid_input(format!(
            "EntityArn {arn} is not a delegation request of this account."
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testing::World;

    #[test]
    fn no_request_exists() {
        let w = World::new();
        let e = w
            .call(create_delegation_request, &[("Description", "d")])
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "AccessDenied");
        let id = [("DelegationRequestId", "dr-0123456789abcdef")];
        for op in [
            get_delegation_request as crate::testing::Op,
            accept_delegation_request,
            associate_delegation_request,
            reject_delegation_request,
            update_delegation_request,
            send_delegation_token,
        ] {
            assert_eq!(w.call(op, &id).unwrap_err().to_api().code, "NoSuchEntity");
        }
        let l = w.call(list_delegation_requests, &[]).unwrap();
        assert_eq!(
            l.get("DelegationRequests")
                .unwrap()
                .as_list()
                .unwrap()
                .len(),
            0
        );
        let e = w
            .call(
                get_human_readable_summary,
                &[(
                    "EntityArn",
                    "arn:aws:iam::123456789012:delegation-request/dr-1",
                )],
            )
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "NoSuchEntity");
    }
}
