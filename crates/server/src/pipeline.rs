//! One request's way through: decode → authenticate → authorize → operate → encode.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::response::Response;
use time::OffsetDateTime;

use iamd_iam::{Ctx, Principal};
use iamd_sigv4::RequestParts;
use iamd_wire::{
    ApiError, Params, QueryParams, Service, Value, decode_input, encode_result, parse_query,
};

use crate::authenticate::authenticate;
use crate::authorize::authorize;
use crate::operations::{ANONYMOUS, Handler, handler};
use crate::{AppState, respond};

pub async fn handle(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let request_id = respond::new_request_id();
    let (service, action, outcome) = run(&state, &method, &uri, &headers, body, &request_id).await;
    let mut response = match &outcome {
        Ok(xml) => respond::xml(200, xml.clone(), &request_id),
        Err(e) => respond::error(service, e, &request_id),
    };
    if state.config.dev {
        response
            .headers_mut()
            .insert("x-iamd-dev-mode", HeaderValue::from_static("true"));
    }
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
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
    request_id: &str,
) -> (Service, String, Result<String, ApiError>) {
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

    // Validate the input against the model.
    let input = match decode_input(&state.model, &op, &params) {
        Ok(i) => i,
        Err(e) => return (service, action, Err(e)),
    };

    let Some(caller) = caller else {
        // Only the anonymous STS operations get here, and none is implemented yet.
        return (service, action.clone(), Err(not_implemented(&action)));
    };

    // Authorize.
    let account = caller.account.clone();
    if let Err(e) = authorize(&caller, &op, &input, &account) {
        return (service, action, Err(e));
    }

    // Operate.
    let result = match handler(&op.name) {
        None => Err(not_implemented(&action)),
        Some(Handler::Caller(f)) => Ok(f(&caller)),
        Some(Handler::Read(f)) => operate(state, caller, account, input, f, false).await,
        Some(Handler::Write(f)) => operate(state, caller, account, input, f, true).await,
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

async fn operate(
    state: &Arc<AppState>,
    caller: Principal,
    account: String,
    input: Params,
    f: crate::operations::StoreOp,
    writing: bool,
) -> Result<Value, ApiError> {
    let st = state.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let ctx = Ctx {
            caller: &caller,
            account: &account,
            now: OffsetDateTime::now_utc(),
            limits: &st.config.limits,
        };
        let store = st.store.as_ref();
        if writing {
            iamd_store::write(store, |tx| f(tx, &ctx, &input))
        } else {
            iamd_store::read(store, |tx| f(tx, &ctx, &input))
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
