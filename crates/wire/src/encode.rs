//! AWS Query protocol responses: results and error documents as AWS's XML.

use std::fmt::Write as _;

use base64::Engine;
use quick_xml::escape::escape;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::model::{Model, Operation, ShapeKind};
use crate::{ApiError, Service, Value};

/// `<OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata>…</ResponseMetadata></OpResponse>`.
/// Members follow the model's order; members the model does not name are left out.
pub fn encode_result(model: &Model, op: &Operation, result: &Value, request_id: &str) -> String {
    let mut out = String::with_capacity(512);
    let name = &op.name;
    let _ = write!(out, "<{name}Response xmlns=\"{}\">", op.service.namespace());
    if let (Some(shape), Some(wrapper)) = (op.output, op.result_wrapper.as_deref()) {
        let _ = write!(out, "<{wrapper}>");
        write_members(model, shape, result, &mut out);
        let _ = write!(out, "</{wrapper}>");
    }
    let _ = write!(
        out,
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{name}Response>",
        escape(request_id)
    );
    out
}

/// `<ErrorResponse xmlns=…><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>
/// <RequestId>…</RequestId></ErrorResponse>`. An error without a message has no `Message`
/// element, as AWS writes some (`ReportNotPresent`: botocore then shows "Unknown").
pub fn encode_error(service: Service, error: &ApiError, request_id: &str) -> String {
    let message = if error.message.is_empty() {
        String::new()
    } else {
        format!("<Message>{}</Message>", escape(error.message.as_str()))
    };
    format!(
        "<ErrorResponse xmlns=\"{}\"><Error><Type>{}</Type><Code>{}</Code>{message}</Error><RequestId>{}</RequestId></ErrorResponse>",
        service.namespace(),
        if error.sender { "Sender" } else { "Receiver" },
        escape(error.code.as_str()),
        escape(request_id)
    )
}

fn write_members(model: &Model, shape: usize, value: &Value, out: &mut String) {
    let ShapeKind::Structure { members, .. } = &model.shape(shape).kind else {
        return;
    };
    for (name, member_shape) in members {
        if let Some(v) = value.get(name) {
            write_element(model, name, *member_shape, v, out);
        }
    }
}

fn write_element(model: &Model, name: &str, shape: usize, value: &Value, out: &mut String) {
    match (&model.shape(shape).kind, value) {
        (ShapeKind::List { member, flattened }, Value::List(items)) => {
            if *flattened {
                for item in items {
                    write_element(model, name, *member, item, out);
                }
            } else {
                let _ = write!(out, "<{name}>");
                for item in items {
                    write_element(model, "member", *member, item, out);
                }
                let _ = write!(out, "</{name}>");
            }
        }
        (ShapeKind::Map { key, value: vshape }, Value::Map(entries)) => {
            let _ = write!(out, "<{name}>");
            for (k, v) in entries {
                out.push_str("<entry>");
                write_element(model, "key", *key, &Value::Str(k.clone()), out);
                write_element(model, "value", *vshape, v, out);
                out.push_str("</entry>");
            }
            let _ = write!(out, "</{name}>");
        }
        (ShapeKind::Structure { .. }, v @ Value::Struct(_)) => {
            let _ = write!(out, "<{name}>");
            write_members(model, shape, v, out);
            let _ = write!(out, "</{name}>");
        }
        (_, v) => {
            let _ = write!(out, "<{name}>");
            write_scalar(v, out);
            let _ = write!(out, "</{name}>");
        }
    }
}

fn write_scalar(v: &Value, out: &mut String) {
    match v {
        Value::Str(s) => out.push_str(&escape(s.as_str())),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Double(f) => {
            let _ = write!(out, "{f}");
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Time(t) => out.push_str(&iso8601(*t)),
        Value::Blob(b) => out.push_str(&base64::engine::general_purpose::STANDARD.encode(b)),
        Value::List(_) | Value::Map(_) | Value::Struct(_) => {}
    }
}

/// AWS's timestamp form in IAM responses: `2024-05-01T12:34:56Z`.
pub fn iso8601(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    // Four-digit years (every real timestamp) by hand: `time`'s formatter reads a format
    // description on each call, and this runs for every event and every dated member.
    if (0..=9999).contains(&utc.year()) {
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        );
    }
    utc.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn iso8601_by_hand_matches_the_format_description(secs in -62_000_000_000i64..253_402_300_799) {
            let t = OffsetDateTime::from_unix_timestamp(secs).unwrap();
            let want = t
                .format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"))
                .unwrap();
            proptest::prop_assert_eq!(iso8601(t), want);
        }
    }

    #[test]
    fn result_document_follows_model_order_and_wrappers() {
        let m = Model::get();
        let op = m.operation("ListUsers").unwrap();
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let user = Value::object()
            .with("Arn", "arn:aws:iam::123456789012:user/a&b")
            .with("UserName", "a&b")
            .with("Path", "/")
            .with("UserId", "AIDAEXAMPLE")
            .with("CreateDate", t)
            .with("NotInModel", "x");
        let result = Value::object()
            .with("IsTruncated", false)
            .with("Users", vec![user]);
        let xml = encode_result(&m, op, &result, "rid-1");
        assert_eq!(
            xml,
            "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListUsersResult><Users><member><Path>/</Path><UserName>a&amp;b</UserName><UserId>AIDAEXAMPLE</UserId><Arn>arn:aws:iam::123456789012:user/a&amp;b</Arn><CreateDate>2023-11-14T22:13:20Z</CreateDate></member></Users><IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></ListUsersResponse>"
        );
    }

    #[test]
    fn error_without_message_has_no_message_element() {
        let e = ApiError::new("ReportNotPresent", 410, "");
        assert_eq!(
            encode_error(Service::Iam, &e, "r"),
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>ReportNotPresent</Code></Error><RequestId>r</RequestId></ErrorResponse>"
        );
        let e = ApiError::new("NoSuchEntity", 404, "a<b");
        assert!(encode_error(Service::Iam, &e, "r").contains("<Message>a&lt;b</Message>"));
    }

    #[test]
    fn operation_without_output_has_only_metadata() {
        let m = Model::get();
        let op = m.operation("DeleteUser").unwrap();
        let xml = encode_result(&m, op, &Value::object(), "r");
        assert_eq!(
            xml,
            "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>"
        );
    }

    #[test]
    fn error_document() {
        let e = ApiError::no_such_entity("The user with name <x> cannot be found.");
        assert_eq!(
            encode_error(Service::Sts, &e, "r"),
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name &lt;x&gt; cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        );
    }
}
