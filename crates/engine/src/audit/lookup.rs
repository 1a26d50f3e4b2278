//! CloudTrail's `LookupEvents` over the caller's account's trail: newest first, one lookup
//! attribute, a time range, and paging with `NextToken`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value as J;
use time::OffsetDateTime;

use iamd_iam::{Ctx, IamError};
use iamd_store::{StoreError, Tx};
use iamd_wire::{ApiError, Params, Value};

use super::chain::{self, events_prefix};

/// Events examined per call at most, so a filter that matches little cannot scan forever; the
/// answer then carries a `NextToken` to continue.
const MAX_SCANNED: usize = 10_000;

fn invalid(code: &str, message: impl Into<String>) -> IamError {
    ApiError::new(code, 400, message).into()
}

struct Filter {
    key: String,
    value: String,
}

impl Filter {
    fn matches(&self, e: &J) -> bool {
        let s = |v: Option<&J>| v.and_then(J::as_str).map(str::to_string);
        match self.key.as_str() {
            "EventId" => s(e.get("eventID")).as_deref() == Some(&self.value),
            "EventName" => s(e.get("eventName")).as_deref() == Some(&self.value),
            "EventSource" => s(e.get("eventSource")).as_deref() == Some(&self.value),
            "ReadOnly" => e
                .get("readOnly")
                .and_then(J::as_bool)
                .is_some_and(|b| b.to_string() == self.value),
            "Username" => username(e).as_deref() == Some(&self.value),
            "AccessKeyId" => {
                s(e.pointer("/userIdentity/accessKeyId")).as_deref() == Some(&self.value)
            }
            "ResourceName" => resources(e).iter().any(|(_, n)| *n == self.value),
            "ResourceType" => resources(e).iter().any(|(t, _)| *t == self.value),
            _ => false,
        }
    }
}

/// The `Username` CloudTrail shows for an event.
fn username(e: &J) -> Option<String> {
    let id = e.get("userIdentity")?;
    match id.get("type").and_then(J::as_str) {
        Some("Root") => Some("root".to_string()),
        Some("AssumedRole") | Some("FederatedUser") => id
            .get("arn")
            .and_then(J::as_str)
            .and_then(|a| a.rsplit('/').next())
            .map(str::to_string),
        _ => id.get("userName").and_then(J::as_str).map(str::to_string),
    }
}

fn resources(e: &J) -> Vec<(String, String)> {
    e.get("resources")
        .and_then(J::as_array)
        .map(|rs| {
            rs.iter()
                .filter_map(|r| {
                    Some((
                        r.get("type")?.as_str()?.to_string(),
                        r.get("name")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn time_of(p: &Params, name: &str) -> Option<OffsetDateTime> {
    match p.get(name) {
        Some(Value::Time(t)) => Some(*t),
        _ => None,
    }
}

fn token_for(account: &str, seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{account}:{seq}"))
}

fn seq_from_token(account: &str, token: &str) -> Option<u64> {
    let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (a, seq) = text.split_once(':')?;
    (a == account).then(|| seq.parse().ok()).flatten()
}

pub fn lookup_events(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let account = ctx.account;
    let attrs = p.list("LookupAttributes").unwrap_or_default();
    if attrs.len() > 1 {
        return Err(invalid(
            "InvalidLookupAttributesException",
            "You cannot specify more than one lookup attribute.",
        ));
    }
    let filter = attrs.first().map(|a| Filter {
        key: a
            .get("AttributeKey")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        value: a
            .get("AttributeValue")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    });
    let start = time_of(p, "StartTime");
    let end = time_of(p, "EndTime");
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(invalid(
            "InvalidTimeRangeException",
            "Start time must be before end time.",
        ));
    }
    if p.str("EventCategory") == Some("insight") {
        // iamd records management events only; it has no Insights events.
        return Ok(Value::object().with("Events", Value::List(Vec::new())));
    }
    let max = p.int("MaxResults").unwrap_or(50).clamp(1, 50) as usize;
    // Events strictly older than the token's sequence number.
    let bound = match p.str("NextToken") {
        Some(t) => Some(
            seq_from_token(account, t)
                .ok_or_else(|| invalid("InvalidNextTokenException", "Invalid NextToken."))?,
        ),
        None => None,
    };
    let prefix = events_prefix(account);
    let mut out: Vec<Value> = Vec::new();
    let mut cursor = bound.map(|seq| chain::event_key(account, seq));
    let mut scanned = 0usize;
    let mut next_token = None;
    'scan: loop {
        // The value holding the bound itself may hold older events too (a segment): values
        // are keyed by their first event, so scanning before the bound's key finds it.
        let page = tx.scan_rev(&prefix, cursor.as_deref(), 200)?;
        if page.is_empty() {
            break;
        }
        for (k, v) in &page {
            cursor = Some(k.clone());
            for r in chain::records(v)?.into_iter().rev() {
                if bound.is_some_and(|b| r.seq >= b) {
                    continue;
                }
                scanned += 1;
                let Ok(e) = serde_json::from_str::<J>(&r.event) else {
                    continue;
                };
                let t = chain::event_time(&r.event);
                if let (Some(s), Some(t)) = (start, t)
                    && t < s
                {
                    // Newest first: every later event is older still.
                    break 'scan;
                }
                let in_range = end.is_none_or(|e| t.is_none_or(|t| t <= e));
                if in_range && filter.as_ref().is_none_or(|f| f.matches(&e)) {
                    out.push(summary(&e, &r.event, t));
                    if out.len() == max {
                        next_token = Some(token_for(account, r.seq));
                        break 'scan;
                    }
                }
                if scanned >= MAX_SCANNED {
                    next_token = Some(token_for(account, r.seq));
                    break 'scan;
                }
            }
        }
    }
    // A token is given only when more events may follow.
    if let Some(t) = &next_token
        && let Some(seq) = seq_from_token(account, t)
        && !older_exists(tx, account, seq)?
    {
        next_token = None;
    }
    Ok(Value::object()
        .with("Events", Value::List(out))
        .with_opt("NextToken", next_token))
}

/// Whether `account` has an event older than `seq`.
fn older_exists(tx: &mut dyn Tx, account: &str, seq: u64) -> Result<bool, StoreError> {
    let prefix = events_prefix(account);
    let older = tx.scan_rev(&prefix, Some(&chain::event_key(account, seq)), 1)?;
    Ok(match older.first() {
        None => false,
        Some((_, v)) => chain::records(v)?.first().is_some_and(|r| r.seq < seq),
    })
}

fn summary(e: &J, raw: &str, t: Option<OffsetDateTime>) -> Value {
    let s = |name: &str| e.get(name).and_then(J::as_str).map(str::to_string);
    let resources: Vec<Value> = resources(e)
        .into_iter()
        .map(|(ty, name)| {
            Value::object()
                .with("ResourceType", ty)
                .with("ResourceName", name)
        })
        .collect();
    Value::object()
        .with_opt("EventId", s("eventID"))
        .with_opt("EventName", s("eventName"))
        .with_opt(
            "ReadOnly",
            e.get("readOnly")
                .and_then(J::as_bool)
                .map(|b| b.to_string()),
        )
        .with_opt(
            "AccessKeyId",
            e.pointer("/userIdentity/accessKeyId")
                .and_then(J::as_str)
                .map(str::to_string),
        )
        .with_opt("EventTime", t)
        .with_opt("EventSource", s("eventSource"))
        .with_opt("Username", username(e))
        .with("Resources", Value::List(resources))
        .with("CloudTrailEvent", raw)
}
