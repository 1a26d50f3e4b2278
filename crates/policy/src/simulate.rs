//! `SimulateCustomPolicy`: request and response shapes (field names as in the
//! IAM API model) and [`simulate`], shared by `iamd policy simulate` and the
//! server's `SimulateCustomPolicy`.

use crate::compiled::CompiledPolicy;
use crate::context::{Context, ContextValue, Scalar};
use crate::document::{self, DocumentKind, ErrorCode, Location, PolicyError, Position, messages};
use crate::eval::{self, Decision, Outcome, PolicySet, PolicyType, Principal, Request};
use crate::values;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One `ContextEntry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ContextEntry {
    /// `ContextKeyName`, e.g. `aws:SourceIp`.
    pub context_key_name: String,
    /// `ContextKeyValues`.
    #[serde(default)]
    pub context_key_values: Vec<String>,
    /// `ContextKeyType`: `string`, `stringList`, `numeric`, `numericList`,
    /// `boolean`, `booleanList`, `ip`, `ipList`, `binary`, `binaryList`,
    /// `date`, `dateList`.
    pub context_key_type: String,
}

/// The input of `SimulateCustomPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct SimulateRequest {
    /// Identity-based policies to simulate.
    #[serde(default)]
    pub policy_input_list: Vec<String>,
    /// At most one permissions boundary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions_boundary_policy_input_list: Vec<String>,
    /// Actions, e.g. `iam:CreateUser`.
    #[serde(default)]
    pub action_names: Vec<String>,
    /// Resources; none means `*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_arns: Vec<String>,
    /// A resource-based policy attached to every simulated resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<String>,
    /// The resources' owner: an account ARN (`arn:aws:iam::123456789012:root`) or account ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_owner: Option<String>,
    /// The caller (an IAM user ARN); required with a resource policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_arn: Option<String>,
    /// Condition keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context_entries: Vec<ContextEntry>,
    /// EC2 scenario (accepted, not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_handling_option: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Pagination marker from a previous response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// One matched statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SimStatement {
    /// `PolicyInputList.1`, `PermissionsBoundaryPolicyInputList.1`, `ResourcePolicy`.
    pub source_policy_id: String,
    /// `none` for input policies, `resource` for the resource policy.
    pub source_policy_type: String,
    /// Start of the statement in its policy (1-based line and column).
    pub start_position: Position,
    /// Just after its end.
    pub end_position: Position,
}

/// `PermissionsBoundaryDecisionDetail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionsBoundaryDecisionDetail {
    /// True when the boundary allows the action.
    pub allowed_by_permissions_boundary: bool,
}

/// `OrganizationsDecisionDetail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrganizationsDecisionDetail {
    /// True when SCPs allow the action.
    pub allowed_by_organizations: bool,
}

/// `ResourceSpecificResult`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceSpecificResult {
    /// The resource.
    pub eval_resource_name: String,
    /// Decision for it.
    pub eval_resource_decision: String,
    /// Statements that decided.
    #[serde(default)]
    pub matched_statements: Vec<SimStatement>,
    /// Missing context keys.
    #[serde(default)]
    pub missing_context_values: Vec<String>,
    /// Per policy type decisions (cross-account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval_decision_details: Option<BTreeMap<String, String>>,
    /// Boundary detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_decision_detail: Option<PermissionsBoundaryDecisionDetail>,
}

/// One `EvaluationResult`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationResult {
    /// The action.
    pub eval_action_name: String,
    /// The resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval_resource_name: Option<String>,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub eval_decision: String,
    /// Statements that decided.
    #[serde(default)]
    pub matched_statements: Vec<SimStatement>,
    /// Context keys used by applicable statements but not supplied.
    #[serde(default)]
    pub missing_context_values: Vec<String>,
    /// SCP detail (never set: iamd has no organizations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizations_decision_detail: Option<OrganizationsDecisionDetail>,
    /// Present when a permissions boundary was simulated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_decision_detail: Option<PermissionsBoundaryDecisionDetail>,
    /// Cross-account: decision per policy type; same account with a specific
    /// resource: empty; with `*`: absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval_decision_details: Option<BTreeMap<String, String>>,
    /// Per-resource results when several resources were simulated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_specific_results: Vec<ResourceSpecificResult>,
}

/// The output of `SimulateCustomPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SimulateResponse {
    /// One result per action and resource.
    pub evaluation_results: Vec<EvaluationResult>,
    /// True when more results follow.
    pub is_truncated: bool,
    /// Marker for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

fn invalid(path: &str, message: String) -> PolicyError {
    PolicyError {
        code: ErrorCode::InvalidInput,
        message,
        detail: String::new(),
        location: Location {
            path: path.to_string(),
            ..Location::default()
        },
    }
}

fn in_input(mut e: PolicyError, path: &str) -> PolicyError {
    e.location.path = if e.location.path.is_empty() {
        path.to_string()
    } else {
        format!("{path}: {}", e.location.path)
    };
    e
}

/// Converts `ContextEntries` into a [`Context`].
pub fn context_from_entries(entries: &[ContextEntry]) -> Result<Context, PolicyError> {
    let mut ctx = Context::new();
    for (i, e) in entries.iter().enumerate() {
        let path = format!("ContextEntries.member.{}", i + 1);
        let (base, list) = match e.context_key_type.strip_suffix("List") {
            Some(b) => (b, true),
            None => (e.context_key_type.as_str(), false),
        };
        let mut vals = Vec::with_capacity(e.context_key_values.len());
        for v in &e.context_key_values {
            let bad = || {
                invalid(
                    &path,
                    format!(
                        "Invalid value {v} for context key {} of type {}",
                        e.context_key_name, e.context_key_type
                    ),
                )
            };
            let s = match base {
                "string" => Scalar::String(v.clone()),
                "numeric" => Scalar::Number(values::parse_number(v).ok_or_else(bad)?),
                "boolean" => Scalar::Bool(values::parse_bool(v).ok_or_else(bad)?),
                "ip" => Scalar::Ip(v.trim().parse().map_err(|_| bad())?),
                "binary" => Scalar::Binary(values::b64::decode(v).ok_or_else(bad)?),
                "date" => Scalar::Date(values::parse_date(v).ok_or_else(bad)?),
                _ => {
                    return Err(invalid(
                        &path,
                        format!("Invalid ContextKeyType {}", e.context_key_type),
                    ));
                }
            };
            vals.push(s);
        }
        if !list && vals.len() > 1 {
            return Err(invalid(
                &path,
                format!(
                    "Context key {} of type {} takes one value",
                    e.context_key_name, e.context_key_type
                ),
            ));
        }
        ctx.insert(
            &e.context_key_name,
            ContextValue {
                values: vals,
                multi: list,
            },
        );
    }
    Ok(ctx)
}

fn account_of(owner: &str) -> String {
    if owner.starts_with("arn:") {
        crate::wildcard::arn_parts(owner)[4].to_string()
    } else {
        owner.to_string()
    }
}

/// Runs a `SimulateCustomPolicy` request. `now` fills `aws:CurrentTime` and
/// `aws:EpochTime` unless the context entries give them.
pub fn simulate(
    req: &SimulateRequest,
    now: time::OffsetDateTime,
) -> Result<SimulateResponse, PolicyError> {
    if req.action_names.is_empty() {
        return Err(invalid(
            "ActionNames",
            "ActionNames must contain at least one action".into(),
        ));
    }
    if req.permissions_boundary_policy_input_list.len() > 1 {
        return Err(invalid(
            "PermissionsBoundaryPolicyInputList",
            "Only one permissions boundary policy can be simulated".into(),
        ));
    }
    let mut set = PolicySet::default();
    for (i, text) in req.policy_input_list.iter().enumerate() {
        let id = format!("PolicyInputList.{}", i + 1);
        let p = CompiledPolicy::from_text(text, DocumentKind::Identity, id.as_str())
            .map_err(|e| in_input(e, &id))?;
        set.identity.push(Arc::new(p));
    }
    for (i, text) in req
        .permissions_boundary_policy_input_list
        .iter()
        .enumerate()
    {
        let id = format!("PermissionsBoundaryPolicyInputList.{}", i + 1);
        let p = CompiledPolicy::from_text(text, DocumentKind::Identity, id.as_str())
            .map_err(|e| in_input(e, &id))?;
        set.permissions_boundary = Some(Arc::new(p));
    }
    if let Some(text) = &req.resource_policy {
        let id = "ResourcePolicy";
        let p = match document::parse(text, DocumentKind::Resource) {
            Ok(d) => CompiledPolicy::compile(&d, id),
            Err(e) if e.message == messages::MISSING_RESOURCES => {
                CompiledPolicy::from_text(text, DocumentKind::RoleTrust, id)
                    .map_err(|e| in_input(e, id))?
            }
            Err(e) => return Err(in_input(e, id)),
        };
        set.resource = Some(Arc::new(p));
        if req.caller_arn.is_none() {
            return Err(invalid(
                "CallerArn",
                "CallerArn is required when a ResourcePolicy is simulated".into(),
            ));
        }
    }
    let principal = match &req.caller_arn {
        Some(a) => Principal::from_arn(a),
        None => {
            let acct = req
                .resource_owner
                .as_deref()
                .map(account_of)
                .unwrap_or_default();
            Principal::user(&format!("arn:aws:iam::{acct}:user/SimulatedCaller"))
        }
    };
    if set.resource.is_some() {
        set.resource_owner = Some(
            req.resource_owner
                .as_deref()
                .map(account_of)
                .unwrap_or_else(|| principal.account.clone()),
        );
    }
    let mut ctx = context_from_entries(&req.context_entries)?;
    ctx.with_time(now);

    let star = ["*".to_string()];
    let resources: &[String] = if req.resource_arns.is_empty() {
        &star
    } else {
        &req.resource_arns
    };
    let several = resources.len() > 1;
    let mut results = Vec::new();
    for action in &req.action_names {
        for res in resources {
            let r = eval::evaluate(
                &Request {
                    principal: &principal,
                    action,
                    resource: res,
                    context: &ctx,
                },
                &set,
            );
            let matched: Vec<SimStatement> = r
                .matched
                .iter()
                .map(|m| SimStatement {
                    source_policy_id: m.policy_id.to_string(),
                    source_policy_type: if m.policy_type == PolicyType::Resource {
                        "resource".into()
                    } else {
                        "none".into()
                    },
                    start_position: m.start,
                    end_position: m.end,
                })
                .collect();
            let pb = set
                .permissions_boundary
                .as_ref()
                .map(|_| PermissionsBoundaryDecisionDetail {
                    allowed_by_permissions_boundary: r.boundary == Outcome::Allow,
                });
            let details = if r.cross_account {
                let d = |o: Outcome| {
                    match o {
                        Outcome::Allow => Decision::Allowed,
                        Outcome::Deny => Decision::ExplicitDeny,
                        _ => Decision::ImplicitDeny,
                    }
                    .as_str()
                    .to_string()
                };
                let mut m = BTreeMap::new();
                let id_side = if r.identity == Outcome::Deny || r.boundary == Outcome::Deny {
                    Outcome::Deny
                } else if r.identity == Outcome::Allow
                    && matches!(r.boundary, Outcome::Absent | Outcome::Allow)
                {
                    Outcome::Allow
                } else {
                    Outcome::NoMatch
                };
                m.insert("IAM Policy".to_string(), d(id_side));
                m.insert("Resource Policy".to_string(), d(r.resource));
                Some(m)
            } else if res != "*" {
                Some(BTreeMap::new())
            } else {
                None
            };
            let specific = if several {
                vec![ResourceSpecificResult {
                    eval_resource_name: res.clone(),
                    eval_resource_decision: r.decision.as_str().into(),
                    matched_statements: matched.clone(),
                    missing_context_values: r.missing_context_keys.clone(),
                    eval_decision_details: details.clone(),
                    permissions_boundary_decision_detail: pb,
                }]
            } else {
                Vec::new()
            };
            results.push(EvaluationResult {
                eval_action_name: action.clone(),
                eval_resource_name: Some(res.clone()),
                eval_decision: r.decision.as_str().into(),
                matched_statements: matched,
                missing_context_values: r.missing_context_keys,
                organizations_decision_detail: None,
                permissions_boundary_decision_detail: pb,
                eval_decision_details: details,
                resource_specific_results: specific,
            });
        }
    }
    // Pagination.
    let start = match &req.marker {
        Some(m) => m
            .parse::<usize>()
            .map_err(|_| invalid("Marker", "Invalid Marker".into()))?,
        None => 0,
    };
    let max = req.max_items.map(|m| m as usize).unwrap_or(usize::MAX);
    let total = results.len();
    let page: Vec<EvaluationResult> = results.into_iter().skip(start).take(max).collect();
    let next = start.saturating_add(page.len());
    Ok(SimulateResponse {
        evaluation_results: page,
        is_truncated: next < total,
        marker: (next < total).then(|| next.to_string()),
    })
}

/// Parses a request from JSON and runs it; the output is the response as JSON.
pub fn simulate_json(input: &str, now: time::OffsetDateTime) -> Result<String, PolicyError> {
    let req: SimulateRequest = serde_json::from_str(input)
        .map_err(|e| invalid("", format!("Invalid SimulateCustomPolicy input: {e}")))?;
    let resp = simulate(&req, now)?;
    serde_json::to_string_pretty(&resp).map_err(|e| invalid("", e.to_string()))
}
