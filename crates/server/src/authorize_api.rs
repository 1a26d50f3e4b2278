//! `POST /_iamd/authorize`: the authorization API for other services (JSON in and out; the
//! shapes are iamd's `Authorize` operation in `crates/wire/model/iamd.json`).
//!
//! The calling service signs with its own iamd credentials (any SigV4 service name) and needs
//! `iamd:Authorize`. It forwards the request it received (method, path, query, headers, and the
//! payload hash when the body is not sent), whose signature is verified here exactly as iamd
//! verifies its own requests (header or presigned, session tokens, expiry and skew); or it names
//! a principal by ARN. The engine then decides every check and records one audit event.
//!
//! `WantSigningKey: true` asks for the derived signing key (kSigning) of the forwarded request's
//! scope, which a front end needs to check the chunk signatures of an S3
//! `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` upload (as S3's own front end does). It is given only for
//! a header-signed forwarded request whose signature verified with a stored secret, that declares
//! a streaming payload, and whose decision is `Allow`; it is valid for that key's date, region
//! and service only, never reveals the secret, and is not recorded in the audit trail.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::response::Response;

use iamd_engine::{Call, FrontEnd, Input};
use iamd_sigv4::{AuthForm, RequestParts, VerifyOptions};
use iamd_wire::{Params, Value};

use crate::AppState;
use crate::authenticate::authenticate_with;
use crate::json_api::{self, error_response, output_response};

/// The forwarded request's parts, owned.
struct Forwarded {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
}

fn forwarded(j: &Value) -> Option<Forwarded> {
    let r = j.get("Request")?;
    let s = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
    let mut headers: Vec<(String, String)> = match r.get("Headers") {
        Some(Value::Struct(m)) => m
            .iter()
            .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.to_string())))
            .collect(),
        _ => Vec::new(),
    };
    // A service that does not forward the body gives its hash, as a declared content hash.
    if let Some(h) = s("PayloadHash")
        && !headers.iter().any(|(k, _)| k == "x-amz-content-sha256")
    {
        headers.push(("x-amz-content-sha256".to_string(), h));
    }
    Some(Forwarded {
        method: s("Method").unwrap_or_default(),
        path: s("Path").unwrap_or_default(),
        query: s("Query").unwrap_or_default(),
        headers,
    })
}

pub async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let any_service = VerifyOptions {
        services: &[],
        ..VerifyOptions::IAM_STS
    };
    let r = match json_api::read(&state, request, &any_service, FrontEnd::Authorize).await {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let want_key = r
        .json
        .get("WantSigningKey")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut signing_key = None;
    // The principal the decision is about: whoever signed the forwarded request.
    let subject = match forwarded(&r.json) {
        None => None,
        Some(f) => {
            let hs: Vec<(&str, &[u8])> = f
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_bytes()))
                .collect();
            let fparts = RequestParts {
                method: &f.method,
                path: &f.path,
                query: &f.query,
                headers: &hs,
                body: &[],
            };
            let forwarded_opts = VerifyOptions {
                services: &[],
                trust_declared_payload_hash: true,
                ..VerifyOptions::IAM_STS
            };
            match authenticate_with(&state, &fparts, &forwarded_opts, false, SystemTime::now())
                .await
            {
                Ok(signer) => {
                    let p = signer.principal;
                    if want_key && let Some(principal) = &p {
                        signing_key = streaming_signing_key(&state, &fparts, principal).await;
                    }
                    p
                }
                Err(e) => return error_response(&e, &r.request_id),
            }
        }
    };
    let call = Call {
        caller: r.caller,
        operation: "Authorize".to_string(),
        subject,
        input: Input::Typed(Params(r.json)),
        facts: r.facts,
    };
    let answer = state.engine.call_detailed(call).await;
    match answer.result {
        Ok(mut out) => {
            if let Value::Struct(m) = &mut out {
                if let Some(id) = answer.event_id {
                    m.push(("EventId".into(), Value::Str(id)));
                }
                let allowed = m
                    .iter()
                    .any(|(k, v)| k == "Decision" && matches!(v, Value::Str(d) if d == "Allow"));
                if let (true, Some((key, scope))) = (allowed, signing_key) {
                    let key = Value::object().with("Key", key).with("Scope", scope);
                    m.push(("SigningKey".into(), key));
                }
            }
            output_response(&out, &r.request_id)
        }
        Err(e) => error_response(&e.to_api(), &r.request_id),
    }
}

/// The forwarded request's signing key (hex) and scope, when it may be given (see the module
/// note): header form, a streaming payload declared, a verified stored secret.
async fn streaming_signing_key(
    state: &Arc<AppState>,
    req: &RequestParts<'_>,
    principal: &iamd_engine::Principal,
) -> Option<(String, String)> {
    let auth = iamd_sigv4::parse(req).ok()?;
    let streaming = auth
        .content_sha256()
        .is_some_and(|h| iamd_sigv4::STREAMING_PAYLOADS.contains(&h));
    if principal.dev_unverified || auth.form() != AuthForm::Header || !streaming {
        return None;
    }
    let secret = match &principal.session {
        Some(s) => s.secret_access_key.clone(),
        None => state
            .engine
            .credential(auth.access_key_id())
            .await
            .ok()??
            .secret
            .clone(),
    };
    let key = iamd_sigv4::SigningKey::derive_bytes(
        &secret,
        auth.scope_date(),
        auth.region(),
        auth.service(),
    );
    Some((hex_lower(&key), auth.credential_scope()))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
