//! Audit events: the account's trail through CloudTrail's `LookupEvents` (authorized as
//! `cloudtrail:LookupEvents`), newest first, with the console's sign-ins among them.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use maud::html;

use iamd_engine::Input;
use iamd_wire::{Params, Value};

use super::{failed, ls, open, page, st};
use crate::Console;

pub async fn show(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut input = Value::object().with("MaxResults", 50i64);
    let user = req.query("user").unwrap_or_default();
    let name = req.query("event").unwrap_or_default();
    let (key, value) = if !user.is_empty() {
        ("Username", user.as_str())
    } else {
        ("EventName", name.as_str())
    };
    if !value.is_empty() {
        input = input.with(
            "LookupAttributes",
            Value::List(vec![
                Value::object()
                    .with("AttributeKey", key)
                    .with("AttributeValue", value),
            ]),
        );
    }
    let events = match c
        .call_input(
            &req,
            &s.principal,
            "LookupEvents",
            Input::Typed(Params(input)),
        )
        .await
    {
        Ok(v) => v,
        Err(e) => return failed(&s, "Audit events", &e),
    };
    page(
        &s,
        "Audit events",
        html! {
            form method="get" action="/console/audit" {
                input type="text" name="user" value=(user) placeholder="User name"; " "
                input type="text" name="event" value=(name) placeholder="Event name (e.g. ConsoleLogin)"; " "
                button.secondary type="submit" { "Filter" }
            }
            table #events {
                tr { th { "Time" } th { "Event" } th { "User" } th { "Source" } th { "Outcome" } }
                @for e in ls(&events, "Events") {
                    @let record: serde_json::Value = serde_json::from_str(st(e, "CloudTrailEvent")).unwrap_or_default();
                    tr { td { (record["eventTime"].as_str().unwrap_or_default()) }
                         td.event-name { (st(e, "EventName")) }
                         td { (st(e, "Username")) }
                         td { (record["eventSource"].as_str().unwrap_or_default()) " · " (record["iamdFrontEnd"].as_str().unwrap_or_default()) }
                         td { @if let Some(code) = record["errorCode"].as_str() { (code) }
                              @else if let Some(r) = record["responseElements"]["ConsoleLogin"].as_str() { (r) }
                              @else { "OK" } } }
                }
            }
        },
    )
}
