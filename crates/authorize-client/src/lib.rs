//! A client for iamd's authorization API: a service forwards the request it received (or names
//! a principal) and asks whether the signer may perform actions on resources.
//!
//! ```no_run
//! use iamd_authorize_client::{Check, Client, Forwarded, Query};
//! let client = Client::new("http://127.0.0.1:8600", "AKIA…", "secret…");
//! let answer = client.authorize(&Query {
//!     request: Some(Forwarded {
//!         method: "GET".into(),
//!         path: "/corp/home/joe/a.txt".into(),
//!         query: String::new(),
//!         headers: vec![("authorization".into(), "AWS4-HMAC-SHA256 …".into())],
//!         payload_hash: Some("UNSIGNED-PAYLOAD".into()),
//!     }),
//!     checks: vec![Check::new("s3:GetObject", "arn:aws:s3:::corp/home/joe/a.txt")],
//!     ..Query::default()
//! })?;
//! assert!(answer.allowed());
//! # Ok::<(), iamd_authorize_client::Error>(())
//! ```

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use iamd_sigv4::{Credentials, RequestParts, SigningParams, sign};

/// The request a service received, as it received it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Forwarded {
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// Header names and values (names in any case).
    #[serde(serialize_with = "headers_as_map")]
    pub headers: Vec<(String, String)>,
    /// The body's SHA-256 (hex) when the body is not forwarded, or `UNSIGNED-PAYLOAD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload_hash: Option<String>,
}

fn headers_as_map<S: serde::Serializer>(h: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let m: BTreeMap<String, &str> = h
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
        .collect();
    m.serialize(s)
}

/// One action on one resource, with extra condition keys.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Check {
    pub action: String,
    pub resource: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Vec<String>>,
}

impl Check {
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Check {
        Check {
            action: action.into(),
            resource: resource.into(),
            context: BTreeMap::new(),
        }
    }
}

/// What to decide.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Query {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Forwarded>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_arn: Option<String>,
    pub checks: Vec<Check>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_owner: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Vec<String>>,
    /// Ask for the forwarded request's derived signing key, to check the chunk signatures of
    /// an S3 `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` upload (given only with an `Allow`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub want_signing_key: bool,
    /// Ask about an unauthenticated caller (an unsigned request) instead of `request` or
    /// `principal_arn`: only a resource policy granting access to everyone can allow it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub anonymous: bool,
}

/// The derived SigV4 signing key of the forwarded request's scope.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SigningKey {
    /// kSigning, hex.
    pub key: String,
    /// `date/region/service/aws4_request`.
    pub scope: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Principal {
    pub arn: String,
    pub account: String,
    pub user_id: String,
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(default)]
    pub access_key_id: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckResult {
    pub action: String,
    pub resource: String,
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: String,
    #[serde(default)]
    pub statements: Vec<String>,
}

/// iamd's answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answer {
    /// `Allow` only when every check is allowed.
    pub decision: String,
    pub principal: Principal,
    pub results: Vec<CheckResult>,
    /// The audit event that recorded the decision.
    #[serde(default)]
    pub event_id: Option<String>,
    /// When asked for (`want_signing_key`) and given.
    #[serde(default)]
    pub signing_key: Option<SigningKey>,
}

impl Answer {
    pub fn allowed(&self) -> bool {
        self.decision == "Allow"
    }
}

#[derive(Debug)]
pub enum Error {
    /// iamd answered with an error (`__type`, message, HTTP status): the forwarded signature
    /// was wrong, the caller lacks `iamd:Authorize`, the input was invalid, …
    Api {
        code: String,
        message: String,
        status: u16,
    },
    /// The request could not be made or the answer read.
    Transport(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Api {
                code,
                message,
                status,
            } => write!(f, "{code} ({status}): {message}"),
            Error::Transport(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

/// A client signing with the service's own iamd credentials.
pub struct Client {
    endpoint: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    agent: ureq::Agent,
}

impl Client {
    /// `endpoint` like `http://127.0.0.1:8600`.
    pub fn new(endpoint: &str, access_key_id: &str, secret_access_key: &str) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build();
        Client {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
            session_token: None,
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// Signs with temporary credentials.
    pub fn with_session_token(mut self, token: &str) -> Client {
        self.session_token = Some(token.to_string());
        self
    }

    pub fn authorize(&self, q: &Query) -> Result<Answer, Error> {
        let body = serde_json::to_vec(q).map_err(|e| Error::Transport(e.to_string()))?;
        let host = self
            .endpoint
            .split("://")
            .nth(1)
            .unwrap_or(&self.endpoint)
            .to_string();
        let base = [
            ("host", host.as_str()),
            ("content-type", "application/json"),
        ];
        let hs: Vec<(&str, &[u8])> = base.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
        let parts = RequestParts {
            method: "POST",
            path: "/_iamd/authorize",
            query: "",
            headers: &hs,
            body: &body,
        };
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: &self.access_key_id,
                secret_access_key: &self.secret_access_key,
                session_token: self.session_token.as_deref(),
            },
            region: "us-east-1",
            service: "iamd",
            time: SystemTime::now(),
            unsigned_payload: false,
        };
        let added = sign(&parts, &params).map_err(|e| Error::Transport(e.message()))?;
        let mut req = self
            .agent
            .post(format!("{}/_iamd/authorize", self.endpoint))
            .header("content-type", "application/json");
        for (n, v) in added {
            req = req.header(n, v);
        }
        let mut res = req
            .send(&body[..])
            .map_err(|e| Error::Transport(e.to_string()))?;
        let status = res.status().as_u16();
        let text = res
            .body_mut()
            .read_to_string()
            .map_err(|e| Error::Transport(e.to_string()))?;
        if status != 200 {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            return Err(Error::Api {
                code: v["__type"].as_str().unwrap_or_default().to_string(),
                message: v["message"].as_str().unwrap_or_default().to_string(),
                status,
            });
        }
        serde_json::from_str(&text).map_err(|e| Error::Transport(e.to_string()))
    }
}
