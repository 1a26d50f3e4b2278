//! One request's way through: decode → authenticate → authorize → operate → encode.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::response::Response;
use time::OffsetDateTime;

use iamd_iam::{Ctx, Principal};
use iamd_sigv4::RequestParts;
use iamd_wire::{
    ApiError, Params, QueryParams, Service, Value, decode_input, encode_result, parse_query,
};

use crate::authenticate::authenticate;
use crate::authorize::{Authz, RequestFacts, authorize};
use crate::operations::{ANONYMOUS, Handler, handler};
use crate::{AppState, respond};

pub async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    respond_to(state, request, false).await
}

/// `POST /_iamd/ec2-credentials`: AssumeRole's parameters, answered as EC2 answers an instance
/// for its instance profile's role (see `ec2_credentials`).
pub async fn handle_ec2(State(state): State<Arc<AppState>>, request: Request) -> Response {
    respond_to(state, request, true).await
}

async fn respond_to(state: Arc<AppState>, request: Request, ec2: bool) -> Response {
    let started = Instant::now();
    let request_id = respond::new_request_id();
    let (parts, body) = request.into_parts();
    let facts = RequestFacts {
        source_ip: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip()),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        secure_transport: false,
        region: None,
    };
    let (service, action, outcome) = run(&state, &parts, body, &request_id, facts, ec2).await;
    let response = match &outcome {
        Ok(xml) => respond::xml(200, xml.clone(), &request_id),
        Err(e) => respond::error(service, e, &request_id),
    };
    match &outcome {
        Ok(_) => tracing::info!(
            request_id,
            action,
            status = 200,
            micros = started.elapsed().as_micros() as u64,
            "request"
        ),
        Err(e) if e.status >= 500 => {
            tracing::error!(request_id, action, status = e.status, code = %e.code, "request failed")
        }
        Err(e) => {
            tracing::info!(request_id, action, status = e.status, code = %e.code, micros = started.elapsed().as_micros() as u64, "request")
        }
    }
    response
}

fn invalid_action(action: &str, version: &str) -> ApiError {
    ApiError::new(
        "InvalidAction",
        400,
        format!("Could not find operation {action} for version {version}"),
    )
}

async fn run(
    state: &Arc<AppState>,
    http: &axum::http::request::Parts,
    body: Body,
    request_id: &str,
    mut facts: RequestFacts,
    ec2: bool,
) -> (Service, String, Result<String, ApiError>) {
    let (method, uri, headers) = (&http.method, &http.uri, &http.headers);
    let body = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            let e = ApiError::new(
                "RequestEntityTooLarge",
                413,
                format!(
                    "Request body must not exceed {} bytes.",
                    state.config.max_body_bytes
                ),
            );
            return (Service::Iam, String::new(), Err(e));
        }
    };
    // Decode.
    let raw_query = uri.query().unwrap_or("");
    let params = match decode_params(method, raw_query, &body) {
        Ok(p) => p,
        Err(e) => return (Service::Iam, String::new(), Err(e)),
    };
    let action = params.get("Action").unwrap_or("").to_string();
    let version = params.get("Version");
    if action.is_empty() {
        let e = ApiError::new("MissingAction", 400, "Missing Action");
        return (Service::Iam, action, Err(e));
    }
    let Some(op) = state.model.operation(&action).cloned() else {
        let e = invalid_action(&action, version.unwrap_or(""));
        return (service_of_version(version), action, Err(e));
    };
    if let Some(v) = version
        && v != op.service.version()
    {
        return (
            service_of_version(Some(v)),
            action.clone(),
            Err(invalid_action(&action, v)),
        );
    }
    let service = op.service;

    // Authenticate.
    let header_list: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let parts = RequestParts {
        method: method.as_str(),
        path: uri.path(),
        query: raw_query,
        headers: &header_list,
        body: &body,
    };
    let now = SystemTime::now();
    let anonymous_ok = ANONYMOUS.contains(&op.name.as_str());
    let caller = match authenticate(state, &parts, service, anonymous_ok, now).await {
        Ok(c) => c,
        Err(e) => return (service, action, Err(e)),
    };
    facts.region = iamd_sigv4::parse(&parts)
        .ok()
        .map(|a| a.region().to_string());

    // Validate the input against the model.
    let input = match decode_input(&state.model, &op, &params) {
        Ok(i) => i,
        Err(e) => return (service, action, Err(e)),
    };

    let Some(caller) = caller else {
        // Only the operations AWS accepts unsigned get here.
        let result = match op.name.as_str() {
            "AssumeRoleWithWebIdentity" => {
                crate::web_identity::assume_role_with_web_identity(state, input).await
            }
            _ => Err(not_implemented(&action)),
        };
        return (
            service,
            action,
            result.map(|v| encode_result(&state.model, &op, &v, request_id)),
        );
    };

    if ec2 {
        if op.name != "AssumeRole" {
            return (
                service,
                action.clone(),
                Err(invalid_action(&action, op.service.version())),
            );
        }
        let result = ec2_credentials(state, caller, op.clone(), input, facts).await;
        return (
            service,
            action,
            result.map(|v| encode_result(&state.model, &op, &v, request_id)),
        );
    }

    // Authorize, then operate, in one transaction.
    let result = match handler(&op.name) {
        None => operate(state, caller, op.clone(), input, facts, None, false)
            .await
            .and_then(|_| Err(not_implemented(&action))),
        Some(Handler::Caller(f)) => {
            operate(state, caller.clone(), op.clone(), input, facts, None, false)
                .await
                .map(|_| f(&caller))
        }
        Some(Handler::Read(f)) => {
            operate(state, caller, op.clone(), input, facts, Some(f), false).await
        }
        Some(Handler::Write(f)) => {
            operate(state, caller, op.clone(), input, facts, Some(f), true).await
        }
    };

    // Encode.
    let encoded = result.map(|v| encode_result(&state.model, &op, &v, request_id));
    (service, action, encoded)
}

fn not_implemented(action: &str) -> ApiError {
    ApiError::new(
        "NotImplemented",
        501,
        format!("iamd does not implement {action} yet."),
    )
}

fn service_of_version(version: Option<&str>) -> Service {
    if version == Some(Service::Sts.version()) {
        Service::Sts
    } else {
        Service::Iam
    }
}

fn decode_params(method: &Method, raw_query: &str, body: &[u8]) -> Result<QueryParams, ApiError> {
    let mut params = parse_query(raw_query.as_bytes())?;
    if *method == Method::POST {
        params.merge(parse_query(body)?)?;
    } else if *method != Method::GET {
        return Err(ApiError::new(
            "MethodNotAllowed",
            405,
            format!("The {method} method is not allowed; use GET or POST."),
        ));
    }
    Ok(params)
}

/// Authorizes the request and runs `f` (when given) in one transaction, off the async threads.
async fn operate(
    state: &Arc<AppState>,
    caller: Principal,
    op: iamd_wire::Operation,
    input: Params,
    facts: RequestFacts,
    f: Option<crate::operations::StoreOp>,
    writing: bool,
) -> Result<Value, ApiError> {
    // Nothing to authorize and nothing to run: no blocking thread, no transaction.
    let never_authorized = iamd_actions::authorization(&op.name)
        .is_some_and(|a| a.enforcement == iamd_actions::Enforcement::NotAuthorized);
    if f.is_none() && (never_authorized || (caller.is_root() && caller.session.is_none())) {
        return Ok(Value::object());
    }
    let st = state.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let now = OffsetDateTime::now_utc();
        let generation = st.store.generation();
        let account = caller.account.clone();
        let ring = st.sealing_ring();
        let ctx = Ctx {
            caller: &caller,
            account: &account,
            now,
            limits: &st.config.limits,
            master: &st.master,
            ring: &ring,
        };
        let store = st.store.as_ref();
        let mut body = |tx: &mut dyn iamd_store::Tx| -> Result<Value, iamd_iam::IamError> {
            let request = Authz {
                caller: &caller,
                op: &op,
                params: &input,
                facts: &facts,
                now,
                generation,
            };
            authorize(&st, tx, &request)?;
            match f {
                Some(f) => f(tx, &ctx, &input),
                None => Ok(Value::object()),
            }
        };
        if writing {
            iamd_store::write(store, &mut body)
        } else {
            iamd_store::read(store, &mut body)
        }
    })
    .await;
    match joined {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            if let iamd_iam::IamError::Store(se) = &e {
                tracing::error!(error = %se, "store failure");
            }
            Err(e.to_api())
        }
        Err(_) => Err(ApiError::service_failure()),
    }
}

/// Role credentials for a metadata agent: the signer must be allowed `iam:PassRole` on the role
/// for `ec2.amazonaws.com` (as when launching an instance with a profile), and the role must
/// trust `ec2.amazonaws.com` and belong to an instance profile.
async fn ec2_credentials(
    state: &Arc<AppState>,
    caller: Principal,
    op: iamd_wire::Operation,
    input: Params,
    facts: RequestFacts,
) -> Result<Value, ApiError> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let now = OffsetDateTime::now_utc();
        let generation = st.store.generation();
        let ring = st.sealing_ring();
        let role_arn = input.str("RoleArn").unwrap_or_default().to_string();
        iamd_store::write(st.store.as_ref(), |tx| {
            let a = Authz {
                caller: &caller,
                op: &op,
                params: &input,
                facts: &facts,
                now,
                generation,
            };
            crate::authorize::pass_role(&st, tx, &a, &role_arn, "ec2.amazonaws.com")?;
            iamd_sts::assume_role_for_instance(tx, &ring, now, &input, &caller.arn)
        })
        .map_err(|e: iamd_iam::IamError| e.to_api())
    })
    .await
    .map_err(|_| ApiError::service_failure())?
}
