//! Access advisor (IAM's "last accessed" information) from iamd's own audit trail:
//! `GenerateServiceLastAccessedDetails`, `GetServiceLastAccessedDetails`,
//! `GetServiceLastAccessedDetailsWithEntities` and `ListPoliciesGrantingServiceAccess`.
//!
//! A report is about a user, group, role or managed policy. Its services are those the
//! entity's policies allow (an `Allow` statement naming `SERVICE:…`; `*` or `NotAction` allow
//! every service, reported as the services iamd serves plus any seen in the trail). Its tracked
//! entities are the user, the role, the group's members, or whoever the policy is attached to;
//! an attempt by one of them (successful or not, as AWS counts) on a service is read from the
//! trail: an IAM user's own calls, and a role's by its sessions. iamd computes the report when
//! asked, so the job is `COMPLETED` at once; it is kept for the Get operations.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value as J;
use time::OffsetDateTime;

use iamd_iam::entities::{self, Entity, Kind};
use iamd_iam::{Ctx, EntityKind, IamError, inline, keys, policies, records};
use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::audit::chain::{self, events_prefix};

/// Events read per report at most (the newest ones).
const MAX_EVENTS: usize = 200_000;

/// Services iamd itself answers: always in the report of an entity allowed `*`.
const SERVED: &[&str] = &["iam", "sts"];

/// AWS's service names for the namespaces most often seen; others are named by namespace.
fn service_name(ns: &str) -> String {
    match ns {
        "iam" => "AWS Identity and Access Management",
        "sts" => "AWS Security Token Service",
        "s3" => "Amazon S3",
        "ec2" => "Amazon EC2",
        "lambda" => "AWS Lambda",
        "dynamodb" => "Amazon DynamoDB",
        "sqs" => "Amazon SQS",
        "sns" => "Amazon SNS",
        "kms" => "AWS Key Management Service",
        "logs" => "Amazon CloudWatch Logs",
        "cloudwatch" => "Amazon CloudWatch",
        "cloudtrail" => "AWS CloudTrail",
        "secretsmanager" => "AWS Secrets Manager",
        "ssm" => "AWS Systems Manager",
        other => other,
    }
    .to_string()
}

/// A tracked entity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct Tracked {
    arn: String,
    name: String,
    /// `USER` or `ROLE`.
    ty: String,
    id: String,
    path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Access {
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    entity: String,
    region: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ServiceRow {
    namespace: String,
    last: Option<Access>,
    /// Per tracked entity (by ARN): its last access.
    by_entity: BTreeMap<String, Access>,
    /// Action-level (IAM only, as AWS tracks): action name → last access.
    actions: BTreeMap<String, Access>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Job {
    job_type: String,
    #[serde(with = "time::serde::rfc3339")]
    created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    completed: OffsetDateTime,
    entities: Vec<Tracked>,
    services: Vec<ServiceRow>,
}

fn job_key(account: &str, id: &str) -> Vec<u8> {
    format!("aajob/{account}/{id}").into_bytes()
}

fn invalid_arn(arn: &str) -> IamError {
    IamError::invalid_input(format!("ARN {arn} is not valid."))
}

/// A policy and the entity that holds it.
struct Held {
    name: String,
    /// `Some(arn)` for a managed policy.
    arn: Option<String>,
    /// The entity for an inline policy: (`USER`/`GROUP`/`ROLE`, name).
    owner: Option<(&'static str, String)>,
    document: String,
}

fn owner_type(k: Kind) -> &'static str {
    match k {
        Kind::User => "USER",
        Kind::Group => "GROUP",
        Kind::Role => "ROLE",
    }
}

fn held_by(
    tx: &mut dyn Tx,
    account: &str,
    e: &Entity,
    out: &mut Vec<Held>,
) -> Result<(), IamError> {
    for p in inline::all(tx, account, e.kind, &e.id)? {
        out.push(Held {
            name: p.name,
            arn: None,
            owner: Some((owner_type(e.kind), e.name.clone())),
            document: p.document,
        });
    }
    for arn in policies::attached_arns(tx, account, e.kind, &e.id)? {
        if let Some(m) = policies::resolve_existing(tx, account, &arn)? {
            out.push(Held {
                name: m.name().to_string(),
                document: m.document(tx, account)?,
                arn: Some(arn),
                owner: None,
            });
        }
    }
    Ok(())
}

fn tracked(e: &Entity, account: &str) -> Tracked {
    let ty = match e.kind {
        Kind::Role => "ROLE",
        _ => "USER",
    };
    Tracked {
        arn: format!(
            "arn:aws:iam::{account}:{}{}{}",
            e.kind.as_str(),
            e.path,
            e.name
        ),
        name: e.name.clone(),
        ty: ty.into(),
        id: e.id.clone(),
        path: e.path.clone(),
    }
}

fn group_members(tx: &mut dyn Tx, account: &str, group_id: &str) -> Result<Vec<Entity>, IamError> {
    let mut out = Vec::new();
    for (k, _) in tx.scan(&keys::members(account, group_id), None, usize::MAX)? {
        if let Some(u) = entities::by_id(tx, account, Kind::User, keys::last_segment(&k))? {
            out.push(u);
        }
    }
    Ok(out)
}

fn user_groups(tx: &mut dyn Tx, account: &str, user_id: &str) -> Result<Vec<Entity>, IamError> {
    let mut out = Vec::new();
    for (k, _) in tx.scan(&keys::user_groups(account, user_id), None, usize::MAX)? {
        if let Some(g) = entities::by_id(tx, account, Kind::Group, keys::last_segment(&k))? {
            out.push(g);
        }
    }
    Ok(out)
}

/// The entity an ARN names: its policies and the entities whose activity counts.
fn subject(
    tx: &mut dyn Tx,
    account: &str,
    arn: &str,
) -> Result<(Vec<Held>, Vec<Entity>), IamError> {
    let rest = arn
        .strip_prefix(&format!("arn:aws:iam::{account}:"))
        .or_else(|| {
            arn.strip_prefix("arn:aws:iam::aws:")
                .filter(|r| r.starts_with("policy/"))
        })
        .ok_or_else(|| invalid_arn(arn))?;
    let (ty, path_name) = rest.split_once('/').ok_or_else(|| invalid_arn(arn))?;
    let name = path_name.rsplit('/').next().unwrap_or(path_name);
    let mut held = Vec::new();
    let mut who = Vec::new();
    match ty {
        "user" | "role" | "group" => {
            let kind = Kind::parse(ty).ok_or_else(|| invalid_arn(arn))?;
            let e = entities::find(tx, account, kind, name)?;
            held_by(tx, account, &e, &mut held)?;
            match kind {
                Kind::User => {
                    for g in user_groups(tx, account, &e.id)? {
                        held_by(tx, account, &g, &mut held)?;
                    }
                    who.push(e);
                }
                Kind::Role => who.push(e),
                Kind::Group => who = group_members(tx, account, &e.id)?,
            }
        }
        "policy" => {
            let m = policies::resolve_existing(tx, account, arn)?.ok_or_else(|| {
                IamError::no_such_entity(
                    EntityKind::ManagedPolicy,
                    arn,
                    format!("Policy {arn} does not exist or is not attachable."),
                )
            })?;
            held.push(Held {
                name: m.name().to_string(),
                document: m.document(tx, account)?,
                arn: Some(arn.to_string()),
                owner: None,
            });
            let prefix = keys::attachments(account, arn);
            for (k, _) in tx.scan(&prefix, None, usize::MAX)? {
                let rest = keys::suffix(&k, &prefix).to_string();
                let Some((kind, id)) = rest
                    .split_once('/')
                    .and_then(|(k, i)| Some((Kind::parse(k)?, i)))
                else {
                    continue;
                };
                match (kind, entities::by_id(tx, account, kind, id)?) {
                    (Kind::Group, Some(g)) => who.extend(group_members(tx, account, &g.id)?),
                    (_, Some(e)) => who.push(e),
                    (_, None) => {}
                }
            }
        }
        _ => return Err(invalid_arn(arn)),
    }
    Ok((held, who))
}

/// What a policy document allows, by namespace; `None` in the set stands for every service.
fn allowed_namespaces(doc: &str) -> BTreeSet<Option<String>> {
    let mut out = BTreeSet::new();
    let Ok(j) = serde_json::from_str::<J>(doc) else {
        return out;
    };
    let statements = match j.get("Statement") {
        Some(J::Array(a)) => a.clone(),
        Some(s) => vec![s.clone()],
        None => Vec::new(),
    };
    for s in statements {
        if s.get("Effect").and_then(J::as_str) != Some("Allow") {
            continue;
        }
        if s.get("NotAction").is_some() {
            out.insert(None);
            continue;
        }
        let actions = match s.get("Action") {
            Some(J::String(a)) => vec![a.clone()],
            Some(J::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        for a in actions {
            match a.split_once(':') {
                Some((ns, _)) if !ns.contains(['*', '?']) => {
                    out.insert(Some(ns.to_ascii_lowercase()));
                }
                _ => {
                    out.insert(None);
                }
            }
        }
    }
    out
}

/// Who an event is attributed to: an IAM user's ARN, or the role of a role session.
fn actor(e: &J) -> Option<String> {
    let id = e.get("userIdentity")?;
    let s = |p: &str| id.pointer(p).and_then(J::as_str).map(str::to_string);
    match id.get("type").and_then(J::as_str)? {
        "IAMUser" => s("/arn"),
        "AssumedRole" => s("/sessionContext/sessionIssuer/arn"),
        _ => None,
    }
}

/// Reads the trail (newest first) for the tracked entities' accesses.
fn accesses(
    tx: &mut dyn Tx,
    account: &str,
    who: &BTreeSet<String>,
) -> Result<BTreeMap<String, ServiceRow>, IamError> {
    let mut rows: BTreeMap<String, ServiceRow> = BTreeMap::new();
    let prefix = events_prefix(account);
    let mut cursor: Option<Vec<u8>> = None;
    let mut seen = 0usize;
    while seen < MAX_EVENTS {
        let page = tx.scan_rev(&prefix, cursor.as_deref(), 500)?;
        if page.is_empty() {
            break;
        }
        for (k, v) in &page {
            cursor = Some(k.clone());
            for r in stored_events(v)? {
                seen += 1;
                let Ok(e) = serde_json::from_str::<J>(&r.event) else {
                    continue;
                };
                let Some(arn) = actor(&e).filter(|a| who.contains(a)) else {
                    continue;
                };
                let (Some(source), Some(at)) = (
                    e.get("eventSource").and_then(J::as_str),
                    chain::event_time(&r.event),
                ) else {
                    continue;
                };
                let ns = source.trim_end_matches(".amazonaws.com").to_string();
                let access = Access {
                    at,
                    entity: arn.clone(),
                    region: e
                        .get("awsRegion")
                        .and_then(J::as_str)
                        .unwrap_or_default()
                        .to_string(),
                };
                let row = rows.entry(ns.clone()).or_insert_with(|| ServiceRow {
                    namespace: ns.clone(),
                    last: None,
                    by_entity: BTreeMap::new(),
                    actions: BTreeMap::new(),
                });
                // Newest first: the first access seen of each kind is the last one.
                if row.last.is_none() {
                    row.last = Some(access.clone());
                }
                row.by_entity.entry(arn).or_insert_with(|| access.clone());
                if ns == "iam"
                    && let Some(name) = e.get("eventName").and_then(J::as_str)
                {
                    row.actions.entry(name.to_string()).or_insert(access);
                }
            }
        }
    }
    Ok(rows)
}

/// The events one stored trail value holds, newest first. (The trail's storage may group events
/// into segments; this is the one place that reads its values.)
fn stored_events(v: &[u8]) -> Result<Vec<chain::Record>, IamError> {
    Ok(chain::records(v)?.into_iter().rev().collect())
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn generate_service_last_accessed_details(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let arn = p.str("Arn").unwrap_or_default();
    let job_type = p.str("Granularity").unwrap_or("SERVICE_LEVEL").to_string();
    let (held, who) = subject(tx, ctx.account, arn)?;
    let mut namespaces = BTreeSet::new();
    let mut everything = false;
    for h in &held {
        for ns in allowed_namespaces(&h.document) {
            match ns {
                Some(ns) => {
                    namespaces.insert(ns);
                }
                None => everything = true,
            }
        }
    }
    let entities: Vec<Tracked> = who
        .iter()
        .map(|e| tracked(e, ctx.account))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let arns: BTreeSet<String> = entities.iter().map(|t| t.arn.clone()).collect();
    let mut found = accesses(tx, ctx.account, &arns)?;
    if everything {
        namespaces.extend(SERVED.iter().map(|s| s.to_string()));
        namespaces.extend(found.keys().cloned());
    }
    let services = namespaces
        .into_iter()
        .map(|ns| {
            found.remove(&ns).unwrap_or(ServiceRow {
                namespace: ns,
                last: None,
                by_entity: BTreeMap::new(),
                actions: BTreeMap::new(),
            })
        })
        .collect();
    let id = uuid();
    let job = Job {
        job_type,
        created: ctx.now,
        completed: ctx.now,
        entities,
        services,
    };
    records::put(tx, &job_key(ctx.account, &id), &job)?;
    Ok(Value::object().with("JobId", id))
}

fn find_job(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Job, IamError> {
    let id = p.str("JobId").unwrap_or_default();
    records::get(tx, &job_key(ctx.account, id))?.ok_or_else(|| {
        IamError::no_such_entity(
            EntityKind::AccessReport,
            id,
            format!("Job with id {id} not found."),
        )
    })
}

/// A page of `items` from the index in `Marker`, and the result's `IsTruncated`/`Marker`.
fn page(items: Vec<Value>, p: &Params) -> Result<(Vec<Value>, Option<String>), IamError> {
    let max = p.int("MaxItems").unwrap_or(100).clamp(1, 1000) as usize;
    let start = match p.str("Marker") {
        None => 0,
        Some(m) => match m.parse::<usize>() {
            Ok(i) if i > 0 && i <= items.len() && i.to_string() == m => i,
            _ => return Err(IamError::validation("Invalid Marker.")),
        },
    };
    let rest: Vec<Value> = items.into_iter().skip(start).collect();
    let more = rest.len() > max;
    let page = rest.into_iter().take(max).collect();
    Ok((page, more.then(|| (start + max).to_string())))
}

fn finish(v: Value, marker: Option<String>) -> Value {
    v.with("IsTruncated", marker.is_some())
        .with_opt("Marker", marker)
}

pub fn get_service_last_accessed_details(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let job = find_job(tx, ctx, p)?;
    let action_level = job.job_type == "ACTION_LEVEL";
    let rows = job
        .services
        .iter()
        .map(|s| {
            let mut v = Value::object()
                .with("ServiceName", service_name(&s.namespace))
                .with_opt("LastAuthenticated", s.last.as_ref().map(|a| a.at))
                .with("ServiceNamespace", s.namespace.as_str())
                .with_opt(
                    "LastAuthenticatedEntity",
                    s.last.as_ref().map(|a| a.entity.as_str()),
                )
                .with_opt(
                    "LastAuthenticatedRegion",
                    s.last.as_ref().map(|a| a.region.as_str()),
                )
                .with("TotalAuthenticatedEntities", s.by_entity.len() as i64);
            if action_level && s.namespace == "iam" {
                let actions = s
                    .actions
                    .iter()
                    .map(|(name, a)| {
                        Value::object()
                            .with("ActionName", name.as_str())
                            .with("LastAccessedEntity", a.entity.as_str())
                            .with("LastAccessedTime", a.at)
                            .with("LastAccessedRegion", a.region.as_str())
                    })
                    .collect();
                v = v.with("TrackedActionsLastAccessed", Value::List(actions));
            }
            v
        })
        .collect();
    let (items, marker) = page(rows, p)?;
    let v = Value::object()
        .with("JobStatus", "COMPLETED")
        .with("JobType", job.job_type.as_str())
        .with("JobCreationDate", job.created)
        .with("ServicesLastAccessed", Value::List(items))
        .with("JobCompletionDate", job.completed);
    Ok(finish(v, marker))
}

pub fn get_service_last_accessed_details_with_entities(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let job = find_job(tx, ctx, p)?;
    let ns = p.str("ServiceNamespace").unwrap_or_default();
    let row = job.services.iter().find(|s| s.namespace == ns);
    let rows = job
        .entities
        .iter()
        .map(|t| {
            let info = Value::object()
                .with("Arn", t.arn.as_str())
                .with("Name", t.name.as_str())
                .with("Type", t.ty.as_str())
                .with("Id", t.id.as_str())
                .with("Path", t.path.as_str());
            Value::object().with("EntityInfo", info).with_opt(
                "LastAuthenticated",
                row.and_then(|r| r.by_entity.get(&t.arn)).map(|a| a.at),
            )
        })
        .collect();
    let (items, marker) = page(rows, p)?;
    let v = Value::object()
        .with("JobStatus", "COMPLETED")
        .with("JobCreationDate", job.created)
        .with("JobCompletionDate", job.completed)
        .with("EntityDetailsList", Value::List(items));
    Ok(finish(v, marker))
}

pub fn list_policies_granting_service_access(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let arn = p.str("Arn").unwrap_or_default();
    // Users, groups and roles only (not policies).
    arn.strip_prefix(&format!("arn:aws:iam::{}:", ctx.account))
        .and_then(|r| r.split('/').next())
        .and_then(Kind::parse)
        .ok_or_else(|| invalid_arn(arn))?;
    let (held, _) = subject(tx, ctx.account, arn)?;
    let wanted: Vec<String> = p
        .list("ServiceNamespaces")
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_ascii_lowercase))
        .collect();
    let mut entries = Vec::new();
    for ns in &wanted {
        let policies: Vec<Value> = held
            .iter()
            .filter(|h| {
                allowed_namespaces(&h.document)
                    .iter()
                    .any(|a| a.as_deref().is_none_or(|a| a == ns))
            })
            .map(|h| {
                let mut v = Value::object()
                    .with("PolicyName", h.name.as_str())
                    .with(
                        "PolicyType",
                        if h.arn.is_some() { "MANAGED" } else { "INLINE" },
                    )
                    .with_opt("PolicyArn", h.arn.as_deref());
                if let Some((ty, name)) = &h.owner {
                    v = v.with("EntityType", *ty).with("EntityName", name.as_str());
                }
                v
            })
            .collect();
        entries.push(
            Value::object()
                .with("ServiceNamespace", ns.as_str())
                .with("Policies", Value::List(policies)),
        );
    }
    Ok(Value::object()
        .with("PoliciesGrantingServiceAccess", Value::List(entries))
        .with("IsTruncated", false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_of_a_policy() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:GetObject","IAM:List*"],"Resource":"*"},
            {"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}"#;
        let ns = allowed_namespaces(doc);
        assert_eq!(
            ns,
            [Some("iam".to_string()), Some("s3".to_string())]
                .into_iter()
                .collect()
        );
        let all = allowed_namespaces(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        );
        assert!(all.contains(&None));
    }
}
