//! `ConsoleLogin` events: the console's sign-ins, successful or not, in CloudTrail's shape
//! (`eventSource` `signin.amazonaws.com`, `eventType` `AwsConsoleSignIn`). They are chained like
//! every other event, in the transaction that counted the attempt.

use serde_json::{Value as J, json};
use time::OffsetDateTime;

use iamd_iam::Principal;
use iamd_store::Tx;

use crate::RequestFacts;

/// Who tried to sign in, as the event shows it.
pub enum Who<'a> {
    /// A known principal (the user or root whose password was checked).
    Known(&'a Principal),
    /// A user name the account does not know: hidden, as AWS hides it.
    Unknown,
}

/// The event's JSON text.
pub fn event(
    who: Who<'_>,
    account: &str,
    facts: &RequestFacts,
    region: &str,
    success: bool,
    mfa_used: bool,
    now: OffsetDateTime,
) -> String {
    let identity = match who {
        Who::Known(p) => super::event::user_identity(p),
        Who::Unknown => json!({
            "type": "IAMUser",
            "accountId": account,
            "accountType": "AWSAccount",
            "userName": super::redact::HIDDEN,
        }),
    };
    let mut record = json!({
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": iamd_wire::iso8601(now),
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": facts.region.as_deref().unwrap_or(region),
        "sourceIPAddress": facts.source_ip.map(|i| i.to_string()).unwrap_or_default(),
        "userAgent": facts.user_agent.as_deref().unwrap_or_default(),
        "requestParameters": J::Null,
        "responseElements": {"ConsoleLogin": if success { "Success" } else { "Failure" }},
        "additionalEventData": {
            "LoginTo": "/console",
            "MobileVersion": "No",
            "MFAUsed": if mfa_used { "Yes" } else { "No" },
        },
        "requestID": facts.request_id,
        "eventID": uuid::Uuid::new_v4().to_string(),
        "readOnly": false,
        "eventType": "AwsConsoleSignIn",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "iamdFrontEnd": facts.front_end.as_str(),
    });
    if !success && let Some(m) = record.as_object_mut() {
        m.insert("errorMessage".into(), "Failed authentication".into());
    }
    record.to_string()
}

/// The event of a console action that has no API operation (the root user's MFA device), in
/// the shape of the IAM call it stands for.
pub fn action_event(
    caller: &Principal,
    facts: &RequestFacts,
    region: &str,
    name: &str,
    serial: &str,
    error: Option<(&str, &str)>,
    now: OffsetDateTime,
) -> String {
    let mut record = json!({
        "eventVersion": "1.09",
        "userIdentity": super::event::user_identity(caller),
        "eventTime": iamd_wire::iso8601(now),
        "eventSource": "iam.amazonaws.com",
        "eventName": name,
        "awsRegion": facts.region.as_deref().unwrap_or(region),
        "sourceIPAddress": facts.source_ip.map(|i| i.to_string()).unwrap_or_default(),
        "userAgent": facts.user_agent.as_deref().unwrap_or_default(),
        "requestParameters": {"serialNumber": serial},
        "responseElements": J::Null,
        "requestID": facts.request_id,
        "eventID": uuid::Uuid::new_v4().to_string(),
        "readOnly": false,
        "resources": [{"type": "AWS::IAM::MFADevice", "name": serial}],
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": caller.account,
        "eventCategory": "Management",
        "iamdFrontEnd": facts.front_end.as_str(),
    });
    if let (Some((code, message)), Some(m)) = (error, record.as_object_mut()) {
        m.insert("errorCode".into(), code.into());
        m.insert("errorMessage".into(), message.into());
    }
    record.to_string()
}

/// Appends a `ConsoleLogin` event to the account's chain in `tx`.
pub fn append(
    tx: &mut dyn Tx,
    key: &super::ChainKey,
    account: &str,
    event: &str,
) -> Result<(), iamd_store::StoreError> {
    super::chain::append(tx, key, account, event).map(|_| ())
}
