//! One call's event in CloudTrail's record shape (`eventVersion` 1.09), built as the call runs
//! and finished with its outcome.

use std::sync::{Arc, Mutex};

use serde_json::value::RawValue;
use serde_json::{Map, Value as J, json};
use time::OffsetDateTime;

use iamd_iam::{IamError, Principal, PrincipalKind};
use iamd_wire::{Model, Operation, Params, Service, Value};

use super::json_out::JsonOut;
use super::params::{Written, lower_camel, request_parameters};
use super::redact::redact;
use crate::RequestFacts;
use crate::authorize::Verdict;
use crate::table::Entry;

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
    request_parameters: Option<Written>,
    /// `Authorize`: the principal the decision was about.
    subject: Option<Arc<RawValue>>,
    /// Set by authorization; behind a lock so it can be set while the write transaction holds
    /// the draft.
    decision: Mutex<Option<Verdict>>,
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

/// The resources an event names, for `LookupEvents`: those its parameters name, and a created
/// access key (named in the response).
fn resources(params: Option<&Written>, response: Option<&J>) -> Vec<(&'static str, String)> {
    let mut out = params.map(|p| p.resources.clone()).unwrap_or_default();
    if let Some(id) = response
        .and_then(|r| r.get("accessKey"))
        .and_then(|k| k.get("accessKeyId"))
        .and_then(J::as_str)
        && !out
            .iter()
            .any(|(t, n)| *t == "AWS::IAM::AccessKey" && n == id)
    {
        out.push(("AWS::IAM::AccessKey", id.to_string()));
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
        self.request_parameters = request_parameters(Some(model), op.input, &params.0);
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
        let params = self.request_parameters.as_ref();
        let mut o = JsonOut::with_capacity(
            1024 + params.map_or(0, |p| p.json.len()) + self.user_identity.get().len(),
        );
        o.byte(b'{');
        o.key("eventVersion");
        o.str("1.09");
        o.key("userIdentity");
        o.raw(self.user_identity.get());
        o.key("eventTime");
        o.str(&iamd_wire::iso8601(self.time));
        o.key("eventSource");
        o.str(self.service.event_source());
        o.key("eventName");
        o.str(self.name);
        o.key("awsRegion");
        o.str(f.region.as_deref().unwrap_or(&self.default_region));
        o.key("sourceIPAddress");
        o.str(&f.source_ip.map(|i| i.to_string()).unwrap_or_default());
        o.key("userAgent");
        o.str(f.user_agent.as_deref().unwrap_or_default());
        if let (Some(code), Some(message)) = (&error_code, &error_message) {
            o.key("errorCode");
            o.str(code);
            o.key("errorMessage");
            o.str(message);
        }
        o.key("requestParameters");
        o.raw(params.map_or("null", |p| p.json.as_str()));
        o.key("responseElements");
        match &response {
            Some(r) => o.value(r),
            None => o.raw("null"),
        }
        o.key("requestID");
        o.str(&f.request_id);
        o.key("eventID");
        o.str(&self.event_id);
        o.key("readOnly");
        o.bool(self.read_only);
        let resources = resources(params, response.as_ref());
        if !resources.is_empty() {
            o.key("resources");
            o.byte(b'[');
            for (ty, name) in &resources {
                o.sep();
                o.byte(b'{');
                o.key("type");
                o.str(ty);
                o.key("name");
                o.str(name);
                o.byte(b'}');
            }
            o.byte(b']');
        }
        o.key("eventType");
        o.str("AwsApiCall");
        o.key("managementEvent");
        o.bool(true);
        o.key("recipientAccountId");
        o.str(&self.account);
        o.key("eventCategory");
        o.str("Management");
        if let Some(v) = self
            .decision
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            o.key("decision");
            o.byte(b'{');
            o.key("result");
            o.str(v.decision);
            o.key("statements");
            o.byte(b'[');
            for st in &v.statements {
                o.sep();
                o.str(st);
            }
            o.byte(b']');
            o.byte(b'}');
        }
        if let Some(subject) = &self.subject {
            o.key("subjectIdentity");
            o.raw(subject.get());
        }
        o.key("iamdFrontEnd");
        o.str(f.front_end.as_str());
        o.byte(b'}');
        let text = o.into_string();
        (self.account.clone(), text)
    }
}
