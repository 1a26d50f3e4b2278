//! One call's event in CloudTrail's record shape (`eventVersion` 1.09), built as the call runs
//! and finished with its outcome.

use std::sync::{Arc, Mutex};

use serde_json::value::RawValue;
use serde_json::{Map, Value as J, json};
use time::OffsetDateTime;

use iamd_iam::{IamError, Principal, PrincipalKind};
use iamd_wire::{Model, Operation, Params, Service, ShapeKind, Value};

use super::redact::redact;
use crate::RequestFacts;
use crate::authorize::Verdict;
use crate::table::Entry;

/// The record as written; member order follows CloudTrail's.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    event_version: &'static str,
    user_identity: &'a RawValue,
    event_time: String,
    event_source: &'static str,
    event_name: &'static str,
    aws_region: &'a str,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: String,
    user_agent: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
    request_parameters: Option<&'a J>,
    response_elements: Option<&'a J>,
    #[serde(rename = "requestID")]
    request_id: &'a str,
    #[serde(rename = "eventID")]
    event_id: &'a str,
    read_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<J>,
    event_type: &'static str,
    management_event: bool,
    recipient_account_id: &'a str,
    event_category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<J>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject_identity: Option<&'a RawValue>,
    iamd_front_end: &'static str,
}

/// An event in the making.
pub struct Draft {
    pub event_id: String,
    pub time: OffsetDateTime,
    service: Service,
    name: &'static str,
    read_only: bool,
    account: String,
    user_identity: Arc<RawValue>,
    facts: RequestFacts,
    default_region: String,
    request_parameters: Option<J>,
    /// `Authorize`: the principal the decision was about.
    subject: Option<Arc<RawValue>>,
    /// Set by authorization; behind a lock so it can be set while the write transaction holds
    /// the draft.
    decision: Mutex<Option<Verdict>>,
}

/// `UserName` → `userName`, as CloudTrail spells request parameters.
fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut c = name.chars();
    if let Some(f) = c.next() {
        out.extend(f.to_lowercase());
        out.push_str(c.as_str());
    }
    out
}

fn session_context(p: &Principal) -> Option<J> {
    let s = p.session.as_ref()?;
    let created = OffsetDateTime::from_unix_timestamp(s.issued_at)
        .map(iamd_wire::iso8601)
        .unwrap_or_default();
    let issuer = match &p.kind {
        PrincipalKind::AssumedRole {
            role_name,
            role_path,
            role_id,
            ..
        } => json!({
            "type": "Role",
            "principalId": role_id,
            "arn": format!("arn:aws:iam::{}:role{role_path}{role_name}", p.account),
            "accountId": p.account,
            "userName": role_name,
        }),
        PrincipalKind::FederatedUser { issuer_name, .. } => json!({
            "type": "IAMUser",
            "arn": format!("arn:aws:iam::{}:user/{issuer_name}", p.account),
            "accountId": p.account,
            "userName": issuer_name,
        }),
        _ => json!({}),
    };
    Some(json!({
        "sessionIssuer": issuer,
        "attributes": {
            "creationDate": created,
            "mfaAuthenticated": s.mfa_authenticated.to_string(),
        },
    }))
}

/// CloudTrail's `userIdentity` of a principal.
pub fn user_identity(p: &Principal) -> J {
    let kind = match p.kind {
        PrincipalKind::Root => "Root",
        PrincipalKind::User { .. } => "IAMUser",
        PrincipalKind::AssumedRole { .. } => "AssumedRole",
        PrincipalKind::FederatedUser { .. } => "FederatedUser",
    };
    let mut m = Map::new();
    m.insert("type".into(), kind.into());
    m.insert("principalId".into(), p.user_id.clone().into());
    m.insert("arn".into(), p.arn.clone().into());
    m.insert("accountId".into(), p.account.clone().into());
    if let Some(k) = &p.access_key_id {
        m.insert("accessKeyId".into(), k.clone().into());
    }
    if let PrincipalKind::User { name, .. } = &p.kind {
        m.insert("userName".into(), name.clone().into());
    }
    if let Some(sc) = session_context(p) {
        m.insert("sessionContext".into(), sc);
    }
    J::Object(m)
}

/// [`user_identity`] as JSON text, built once per principal (clones share it).
fn identity_text(p: &Principal) -> Arc<RawValue> {
    p.audit_identity
        .get_or_init(|| raw(&user_identity(p)))
        .clone()
}

fn raw(j: &J) -> Arc<RawValue> {
    // Serializing a `Value` cannot fail; `null` stands in if it ever did.
    serde_json::value::to_raw_value(j)
        .unwrap_or_default()
        .into()
}

fn unknown_identity() -> Arc<RawValue> {
    static UNKNOWN: std::sync::OnceLock<Arc<RawValue>> = std::sync::OnceLock::new();
    UNKNOWN
        .get_or_init(|| raw(&json!({"type": "Unknown"})))
        .clone()
}

/// A value as an event shows it: members in lowerCamelCase, timestamps ISO 8601.
fn event_json(v: &Value) -> J {
    match v {
        Value::Struct(m) => J::Object(
            m.iter()
                .map(|(k, v)| (lower_camel(k), event_json(v)))
                .collect(),
        ),
        Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), event_json(v))).collect()),
        Value::List(l) => J::Array(l.iter().map(event_json).collect()),
        other => other.to_json(),
    }
}

/// The shape of a forwarded request's headers (`Authorize`, iamd's model).
const FORWARDED_HEADERS: &str = "HeaderMap";

/// The validated input as an event records it, in one walk over the value and its shape:
/// members in lowerCamelCase, timestamps ISO 8601, and members the model marks sensitive
/// hidden, whatever their names.
fn request_json(model: &Model, shape: Option<usize>, v: &Value) -> J {
    let s = shape.map(|i| model.shape(i));
    if s.is_some_and(|s| s.sensitive) {
        return J::String(super::redact::HIDDEN.into());
    }
    let kind = s.map(|s| &s.kind);
    match v {
        Value::Struct(m) => J::Object(
            m.iter()
                .map(|(k, fv)| {
                    let ms = match kind {
                        Some(ShapeKind::Structure { members, .. }) => {
                            members.iter().find(|(n, _)| n == k).map(|(_, ms)| *ms)
                        }
                        _ => None,
                    };
                    (lower_camel(k), request_json(model, ms, fv))
                })
                .collect(),
        ),
        Value::Map(m) => {
            let vs = match kind {
                Some(ShapeKind::Map { value, .. }) => Some(*value),
                _ => None,
            };
            // A forwarded request (`Authorize`) is recorded by what it asked, not by how it was
            // signed: of its headers only `host`.
            let forwarded = s.is_some_and(|s| s.name == FORWARDED_HEADERS);
            J::Object(
                m.iter()
                    .filter(|(k, _)| !forwarded || k.eq_ignore_ascii_case("host"))
                    .map(|(k, fv)| (k.clone(), request_json(model, vs, fv)))
                    .collect(),
            )
        }
        Value::List(l) => {
            let ms = match kind {
                Some(ShapeKind::List { member, .. }) => Some(*member),
                _ => None,
            };
            J::Array(l.iter().map(|i| request_json(model, ms, i)).collect())
        }
        other => other.to_json(),
    }
}

/// The resources an event names, for `LookupEvents`: (type, name).
const RESOURCE_MEMBERS: &[(&str, &str)] = &[
    ("userName", "AWS::IAM::User"),
    ("groupName", "AWS::IAM::Group"),
    ("roleName", "AWS::IAM::Role"),
    ("roleArn", "AWS::IAM::Role"),
    ("policyArn", "AWS::IAM::Policy"),
    ("policyName", "AWS::IAM::Policy"),
    ("instanceProfileName", "AWS::IAM::InstanceProfile"),
    ("accessKeyId", "AWS::IAM::AccessKey"),
    ("serialNumber", "AWS::IAM::MFADevice"),
    ("openIDConnectProviderArn", "AWS::IAM::OIDCProvider"),
    ("serverCertificateName", "AWS::IAM::ServerCertificate"),
];

fn resources(params: Option<&J>, response: Option<&J>) -> Vec<J> {
    let mut out: Vec<J> = Vec::new();
    let mut add = |ty: &str, name: &str| {
        let r = json!({"type": ty, "name": name});
        if !out.contains(&r) {
            out.push(r);
        }
    };
    if let Some(J::Object(p)) = params {
        for (member, ty) in RESOURCE_MEMBERS {
            if let Some(J::String(v)) = p.get(*member) {
                add(ty, v);
            }
        }
    }
    // A created access key is named in the response.
    if let Some(id) = response
        .and_then(|r| r.get("accessKey"))
        .and_then(|k| k.get("accessKeyId"))
        .and_then(J::as_str)
    {
        add("AWS::IAM::AccessKey", id);
    }
    out
}

impl Draft {
    pub fn new(
        entry: &Entry,
        caller: Option<&Principal>,
        facts: &RequestFacts,
        default_region: &str,
    ) -> Draft {
        let model = iamd_wire::Model::get();
        let service = model
            .operation(crate::table::model_operation(entry.name))
            .map_or(Service::Iam, |o| o.service);
        Draft {
            event_id: crate::ids::unique_id(),
            time: OffsetDateTime::now_utc(),
            service,
            name: entry.name,
            read_only: entry.read_only(),
            account: caller.map(|c| c.account.clone()).unwrap_or_default(),
            user_identity: caller.map_or_else(unknown_identity, identity_text),
            facts: facts.clone(),
            default_region: default_region.to_string(),
            request_parameters: None,
            subject: None,
            decision: Mutex::new(None),
        }
    }

    /// Records the validated input (secrets hidden).
    pub fn set_params(&mut self, params: &Params, model: &Model, op: &Operation) {
        let mut j = request_json(model, op.input, &params.0);
        redact(&mut j);
        let empty = j.as_object().is_some_and(Map::is_empty);
        self.request_parameters = (!empty).then_some(j);
    }

    /// The account an unsigned call acts in (the role's).
    pub fn set_account(&mut self, account: &str) {
        self.account = account.to_string();
    }

    /// An unsigned web-identity caller.
    pub fn set_web_identity(&mut self, provider: &str, subject: &str, audience: &str) {
        self.user_identity = raw(&json!({
            "type": "WebIdentityUser",
            "principalId": format!("{provider}:{audience}:{subject}"),
            "userName": subject,
            "identityProvider": provider,
        }));
    }

    /// `AssumeRoleWithSAML`: CloudTrail's `SAMLUser` identity.
    pub fn set_saml_identity(&mut self, provider_arn: &str, subject: &str) {
        self.user_identity = raw(&json!({
            "type": "SAMLUser",
            "principalId": format!("{provider_arn}:{subject}"),
            "userName": subject,
            "identityProvider": provider_arn,
        }));
    }

    /// `Authorize`: the principal the decision is about.
    pub fn set_subject(&mut self, p: &Principal) {
        self.subject = Some(identity_text(p));
    }

    /// `Authorize` about an unsigned request: CloudTrail's identity of an anonymous caller.
    pub fn set_anonymous_subject(&mut self) {
        self.subject = Some(raw(&json!({
            "type": "AWSAccount",
            "principalId": "",
            "accountId": "anonymous",
        })));
    }

    pub fn set_decision(&self, v: Verdict) {
        *self.decision.lock().unwrap_or_else(|p| p.into_inner()) = Some(v);
    }

    /// The decision, moved out (once the event is recorded).
    pub fn take_decision(&self) -> Option<Verdict> {
        self.decision
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    pub fn decision(&self) -> Option<Verdict> {
        self.decision
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The finished event: (account, CloudTrail record as JSON text).
    pub fn finish(&self, result: Result<&Value, &IamError>) -> (String, String) {
        let f = &self.facts;
        let response = match result {
            Ok(v) if !self.read_only => {
                let mut j = event_json(v);
                redact(&mut j);
                Some(j)
            }
            _ => None,
        };
        let (error_code, error_message) = match result {
            Err(err) => {
                let api = err.to_api();
                (Some(api.code), Some(api.message))
            }
            Ok(_) => (None, None),
        };
        let record = Record {
            event_version: "1.09",
            user_identity: &self.user_identity,
            event_time: iamd_wire::iso8601(self.time),
            event_source: self.service.event_source(),
            event_name: self.name,
            aws_region: f.region.as_deref().unwrap_or(&self.default_region),
            source_ip_address: f.source_ip.map(|i| i.to_string()).unwrap_or_default(),
            user_agent: f.user_agent.as_deref().unwrap_or_default(),
            error_code,
            error_message,
            request_parameters: self.request_parameters.as_ref(),
            response_elements: response.as_ref(),
            request_id: &f.request_id,
            event_id: &self.event_id,
            read_only: self.read_only,
            resources: resources(self.request_parameters.as_ref(), response.as_ref()),
            event_type: "AwsApiCall",
            management_event: true,
            recipient_account_id: &self.account,
            event_category: "Management",
            decision: self
                .decision
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .map(|v| json!({"result": v.decision, "statements": v.statements})),
            subject_identity: self.subject.as_deref(),
            iamd_front_end: f.front_end.as_str(),
        };
        let text = serde_json::to_string(&record).unwrap_or_default();
        (self.account.clone(), text)
    }
}
