//! Encoded authorization messages: a denial's details (who, what, on what, which statements,
//! which context), sealed under the master key so only this deployment can read them back with
//! `DecodeAuthorizationMessage`, and only for the same account.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value as J, json};

use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::secrets::MasterKey;
use crate::users::required;
use crate::{Ctx, IamError};

const CONTEXT: &str = "iamd-authorization-message";

/// What a denial says about itself, in the shape AWS's decoded messages have.
pub struct Denial<'a> {
    pub account: &'a str,
    pub principal_arn: &'a str,
    pub principal_id: &'a str,
    pub action: &'a str,
    pub resource: &'a str,
    pub explicit_deny: bool,
    /// (policy ID, policy type, statement Sid, effect).
    pub matched: Vec<(String, String, Option<String>, String)>,
    /// Condition keys and their values.
    pub conditions: Vec<(String, Vec<String>)>,
}

/// Seals a denial into an encoded message.
pub fn encode(master: &MasterKey, d: &Denial) -> Option<String> {
    let doc = json!({
        "account": d.account,
        "allowed": false,
        "explicitDeny": d.explicit_deny,
        "matchedStatements": {"items": d.matched.iter().map(|(id, ty, sid, effect)| json!({
            "statementId": sid.clone().unwrap_or_default(),
            "effect": effect,
            "sourcePolicyId": id,
            "sourcePolicyType": ty,
        })).collect::<Vec<_>>()},
        "failures": {"items": []},
        "context": {
            "principal": {"id": d.principal_id, "arn": d.principal_arn},
            "action": d.action,
            "resource": d.resource,
            "conditions": {"items": d.conditions.iter().map(|(k, vs)| json!({
                "key": k,
                "values": {"items": vs.iter().map(|v| json!({"value": v})).collect::<Vec<_>>()},
            })).collect::<Vec<_>>()},
        },
    });
    let sealed = master.seal(&doc.to_string(), CONTEXT).ok()?;
    Some(STANDARD.encode(sealed))
}

/// `DecodeAuthorizationMessage`.
pub fn decode_authorization_message(
    _tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let encoded = required(p, "EncodedMessage")?;
    let sealed = STANDARD
        .decode(encoded.trim())
        .map_err(|_| IamError::InvalidAuthorizationMessage)?;
    let text = String::from_utf8(sealed).map_err(|_| IamError::InvalidAuthorizationMessage)?;
    let json = ctx
        .master
        .open(&text, CONTEXT)
        .ok_or(IamError::InvalidAuthorizationMessage)?;
    // It opened, so we sealed it: a document that does not parse is our fault.
    let mut doc: J = serde_json::from_str(&json).map_err(|e| {
        IamError::internal(format!(
            "a sealed authorization message does not parse: {e}"
        ))
    })?;
    if doc.get("account").and_then(J::as_str) != Some(ctx.account) {
        return Err(IamError::InvalidAuthorizationMessage);
    }
    if let Some(o) = doc.as_object_mut() {
        o.remove("account");
    }
    Ok(Value::object().with("DecodedMessage", doc.to_string()))
}
