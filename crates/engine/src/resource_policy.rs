//! Resource policies other services keep in iamd (the S3 gateway's bucket policies): one record
//! per resource ARN with its owning account and, optionally, its resource-based policy. The
//! service decides who may change a policy (it asks `Authorize` for `s3:PutBucketPolicy` …);
//! these operations only store, and need `iamd:PutResourcePolicy`, `iamd:GetResourcePolicy`,
//! `iamd:DeleteResourcePolicy`.

use serde::{Deserialize, Serialize};

use iamd_iam::{Ctx, EntityKind, IamError};
use iamd_policy::{CompiledPolicy, DocumentKind};
use iamd_store::{StoreError, Tx};
use iamd_wire::{ApiError, Params, Value};

/// Resource ARNs are global (a bucket name is unique across accounts), so is this key space.
fn key(arn: &str) -> Vec<u8> {
    format!("resource-policy/{arn}").into_bytes()
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    policy: Option<String>,
}

fn value(arn: &str, r: &Record) -> Value {
    Value::object().with(
        "Resource",
        Value::object()
            .with("ResourceArn", arn)
            .with("ResourceOwner", r.owner.as_str())
            .with_opt("Policy", r.policy.clone()),
    )
}

fn arn_of(p: &Params) -> Result<&str, IamError> {
    p.str("ResourceArn")
        .ok_or_else(|| ApiError::invalid_input("Give a ResourceArn.").into())
}

fn read(tx: &mut dyn Tx, arn: &str) -> Result<Option<Record>, IamError> {
    match tx.get(&key(arn))? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| StoreError::Corrupt("resource policy".into()).into()),
    }
}

/// `PutResourcePolicy`: sets the owner and the policy (none: the resource has no policy);
/// with `CreateOnly`, only for a resource without a record.
pub fn put(tx: &mut dyn Tx, _ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = arn_of(p)?;
    let owner = p.str("ResourceOwner").unwrap_or_default().to_string();
    let policy = p.str("Policy").map(str::to_string);
    if let Some(doc) = &policy {
        CompiledPolicy::from_text(doc, DocumentKind::Resource, "resource-policy").map_err(|e| {
            IamError::from(ApiError::new("MalformedPolicyDocument", 400, e.message))
        })?;
    }
    if matches!(p.get("CreateOnly"), Some(Value::Bool(true))) && read(tx, arn)?.is_some() {
        // Two creators racing for one bucket name: the first record wins.
        return Err(IamError::already_exists(
            EntityKind::ManagedPolicy,
            arn,
            format!("{arn} already has an owner."),
        ));
    }
    let r = Record { owner, policy };
    let bytes = serde_json::to_vec(&r).map_err(|e| IamError::Internal(e.to_string()))?;
    tx.put(&key(arn), &bytes)?;
    Ok(value(arn, &r))
}

/// `GetResourcePolicy`: the record, or `NoSuchEntity`.
pub fn get(tx: &mut dyn Tx, _ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = arn_of(p)?;
    match read(tx, arn)? {
        Some(r) => Ok(value(arn, &r)),
        None => Err(IamError::no_such_entity(
            EntityKind::ManagedPolicy,
            arn,
            format!("No resource policy record for {arn}."),
        )),
    }
}

/// `DeleteResourcePolicy`: forgets the resource (its owner and policy).
pub fn delete(tx: &mut dyn Tx, _ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = arn_of(p)?;
    tx.delete(&key(arn))?;
    Ok(Value::object())
}
