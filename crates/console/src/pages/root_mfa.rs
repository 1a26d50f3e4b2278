//! The root user's MFA device: created with `CreateVirtualMFADevice` through the engine, then
//! enabled (two consecutive codes) or removed by the engine's console-only root operation (the
//! API's `EnableMFADevice` has no root form).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;

use iamd_wire::Value;

use super::{back, open_post};
use crate::Console;

pub async fn act(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = s.principal.clone();
    let serial = req.field("serial").unwrap_or_default().to_string();
    match req.field("action").unwrap_or_default() {
        "create" => {
            let name = format!(
                "root-account-mfa-device-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            );
            match c
                .call(
                    &req,
                    &p,
                    "CreateVirtualMFADevice",
                    &[("VirtualMFADeviceName", &name)],
                )
                .await
            {
                Ok(v) => {
                    let d = v
                        .get("VirtualMFADevice")
                        .cloned()
                        .unwrap_or(Value::object());
                    super::users::mfa_page(&s, "/console/root-mfa?enable=1", &d, None)
                }
                Err(e) => back("/console", Err(e)),
            }
        }
        _ if req.query("enable").is_some() || req.field("action") == Some("enable") => {
            let codes = (
                req.field("code1").unwrap_or_default().trim().to_string(),
                req.field("code2").unwrap_or_default().trim().to_string(),
            );
            let r = c
                .engine
                .console_root_mfa(p.clone(), serial.clone(), Some(codes), req.facts())
                .await;
            match r {
                Ok(()) => back(
                    "/console",
                    Ok("MFA device assigned to the root user.".into()),
                ),
                Err(e) => {
                    // Leave no unassigned device behind.
                    let _ = c
                        .call(
                            &req,
                            &p,
                            "DeleteVirtualMFADevice",
                            &[("SerialNumber", &serial)],
                        )
                        .await;
                    back("/console", Err(e.to_api()))
                }
            }
        }
        "remove" => {
            let r = c
                .engine
                .console_root_mfa(p.clone(), serial.clone(), None, req.facts())
                .await
                .map_err(|e| e.to_api());
            let r = match r {
                Ok(()) => c
                    .call(
                        &req,
                        &p,
                        "DeleteVirtualMFADevice",
                        &[("SerialNumber", &serial)],
                    )
                    .await
                    .map(|_| "MFA device removed from the root user.".to_string()),
                Err(e) => Err(e),
            };
            back("/console", r)
        }
        _ => crate::web::redirect("/console"),
    }
}
