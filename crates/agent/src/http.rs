//! The IMDS HTTP surface.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::state::{AgentState, MAX_TOKEN_TTL_SECONDS};
use crate::timefmt::format_iso8601;

/// Header carrying an IMDSv2 token on `GET`s.
pub const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
/// Header carrying the requested (and granted) TTL on the token `PUT`.
pub const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";

/// How long a credentials request waits for the first fetch of credentials when the agent has
/// just started (botocore's IMDS timeout is one second).
const FIRST_FETCH_WAIT: Duration = Duration::from_millis(800);

/// The IMDS router: every path is answered by one handler, as IMDS's tree is small.
pub fn router(state: Arc<AgentState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

fn plain(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
        body,
    )
        .into_response()
}

fn html_error(status: StatusCode) -> Response {
    let title = format!(
        "{} - {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n <head>\n  <title>{title}</title>\n </head>\n <body>\n  <h1>{title}</h1>\n </body>\n</html>\n"
    );
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
        body,
    )
        .into_response()
}

fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_string_pretty(value) {
        Ok(body) => plain(StatusCode::OK, body),
        Err(_) => html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialsDoc<'a> {
    code: &'static str,
    last_updated: String,
    #[serde(rename = "Type")]
    kind: &'static str,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    token: &'a str,
    expiration: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct FailureDoc<'a> {
    code: &'a str,
    message: &'a str,
    last_updated: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InfoDoc<'a> {
    code: &'static str,
    last_updated: String,
    instance_profile_arn: &'a str,
    instance_profile_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IdentityDoc<'a> {
    account_id: &'a str,
    architecture: &'static str,
    availability_zone: String,
    image_id: Option<&'a str>,
    instance_id: &'a str,
    instance_type: Option<&'a str>,
    pending_time: String,
    private_ip: Option<&'a str>,
    region: &'a str,
    version: &'static str,
}

fn architecture() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "arm64",
        "x86" => "i386",
        _ => "x86_64",
    }
}

async fn handle(
    State(state): State<Arc<AgentState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    // One trailing slash is not significant (botocore asks for `placement/availability-zone/`).
    let key = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    if key == "/latest/api/token" {
        return if method == Method::PUT {
            put_token(&state, &headers)
        } else {
            html_error(StatusCode::METHOD_NOT_ALLOWED)
        };
    }
    if method != Method::GET && method != Method::HEAD {
        return html_error(StatusCode::METHOD_NOT_ALLOWED);
    }
    let authorized = match headers.get(TOKEN_HEADER) {
        Some(t) => t.to_str().is_ok_and(|t| state.token_valid(t)),
        None => !state.config.imdsv2_required,
    };
    if !authorized {
        return html_error(StatusCode::UNAUTHORIZED);
    }
    get(&state, key).await
}

fn put_token(state: &AgentState, headers: &HeaderMap) -> Response {
    if headers.contains_key("x-forwarded-for") {
        return html_error(StatusCode::FORBIDDEN);
    }
    let ttl = headers
        .get(TOKEN_TTL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|t| (1..=MAX_TOKEN_TTL_SECONDS).contains(t));
    let Some(ttl) = ttl else {
        return html_error(StatusCode::BAD_REQUEST);
    };
    match state.mint_token(ttl) {
        Ok(token) => {
            let mut resp = plain(StatusCode::OK, token);
            resp.headers_mut()
                .insert(TOKEN_TTL_HEADER, HeaderValue::from(ttl));
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "minting an IMDSv2 token failed");
            html_error(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

async fn get(state: &AgentState, key: &str) -> Response {
    let c = &state.config;
    let creds_prefix = "/latest/meta-data/iam/security-credentials";
    match key {
        "/" => plain(StatusCode::OK, "latest".to_owned()),
        "/latest" => plain(StatusCode::OK, "dynamic\nmeta-data".to_owned()),
        "/latest/meta-data" => plain(StatusCode::OK, "iam/\ninstance-id\nplacement/".to_owned()),
        "/latest/meta-data/instance-id" => plain(StatusCode::OK, c.instance_id.clone()),
        "/latest/meta-data/placement" => {
            plain(StatusCode::OK, "availability-zone\nregion".to_owned())
        }
        "/latest/meta-data/placement/region" => plain(StatusCode::OK, c.region.clone()),
        "/latest/meta-data/placement/availability-zone" => {
            plain(StatusCode::OK, format!("{}a", c.region))
        }
        "/latest/meta-data/iam" => plain(StatusCode::OK, "info\nsecurity-credentials/".to_owned()),
        "/latest/meta-data/iam/info" => {
            let last = state
                .slot()
                .current
                .map_or(state.started, |(_, obtained)| obtained);
            json(&InfoDoc {
                code: "Success",
                last_updated: format_iso8601(last),
                instance_profile_arn: &c.instance_profile_arn,
                instance_profile_id: &c.instance_profile_id,
            })
        }
        p if p == creds_prefix => plain(StatusCode::OK, c.role_name.clone()),
        p if p
            .strip_prefix(creds_prefix)
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(|role| role == c.role_name) =>
        {
            credentials(state).await
        }
        "/latest/dynamic" => plain(StatusCode::OK, "instance-identity/".to_owned()),
        "/latest/dynamic/instance-identity" => plain(StatusCode::OK, "document".to_owned()),
        "/latest/dynamic/instance-identity/document" => json(&IdentityDoc {
            account_id: c.account_id(),
            architecture: architecture(),
            availability_zone: format!("{}a", c.region),
            image_id: None,
            instance_id: &c.instance_id,
            instance_type: None,
            pending_time: format_iso8601(state.started),
            private_ip: None,
            region: &c.region,
            version: "2017-09-30",
        }),
        _ => html_error(StatusCode::NOT_FOUND),
    }
}

async fn credentials(state: &AgentState) -> Response {
    if state.slot().current.is_none() && state.slot().last_error.is_none() {
        // Just started: give the first fetch a moment rather than failing the SDK.
        let mut rx = state.subscribe();
        let _ = tokio::time::timeout(
            FIRST_FETCH_WAIT,
            rx.wait_for(|s| s.current.is_some() || s.last_error.is_some()),
        )
        .await;
    }
    if let Some((creds, obtained)) = state.valid_credentials() {
        return json(&CredentialsDoc {
            code: "Success",
            last_updated: format_iso8601(obtained),
            kind: "AWS-HMAC",
            access_key_id: &creds.access_key_id,
            secret_access_key: &creds.secret_access_key,
            token: &creds.token,
            expiration: format_iso8601(creds.expiration),
        });
    }
    // EC2 answers 200 with a failure document when it cannot get the role's credentials;
    // botocore then gives up on IMDS without retrying.
    let now = state.now();
    let slot = state.slot();
    let (code, message, at) = match &slot.last_error {
        Some((e, at)) => (e.code.as_str(), e.message.as_str(), *at),
        None if slot.current.is_some() => (
            "CredentialsExpired",
            "The role's credentials expired and have not been refreshed yet.",
            now,
        ),
        None => (
            "CredentialsUnavailable",
            "The role's credentials have not been obtained yet.",
            now,
        ),
    };
    json(&FailureDoc {
        code,
        message,
        last_updated: format_iso8601(at),
    })
}
