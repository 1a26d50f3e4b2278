//! Validating a typed input (from JSON, an HTML form, code) against the model with exactly the
//! rules and messages of the Query decoder: the tree is written out as Query parameters
//! (`Tags.member.1.Key=…`) and decoded. One validator for every front end.

use base64::Engine as _;

use crate::model::{Model, Operation, ShapeKind};
use crate::{ApiError, Params, QueryParams, Value, decode_input, iso8601};

/// Decodes and validates a typed input for `op`, with the Query decoder's rules and messages.
/// Timestamps may be given as epoch seconds (the JSON protocols' form).
pub fn decode_typed(model: &Model, op: &Operation, input: &Params) -> Result<Params, ApiError> {
    let mut q = QueryParams::default();
    if let Some(shape) = op.input {
        flatten(model, shape, &input.0, "", &mut q);
    }
    decode_input(model, op, &q)
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn flatten(model: &Model, shape: usize, v: &Value, key: &str, out: &mut QueryParams) {
    let s = model.shape(shape);
    match (&s.kind, v) {
        (ShapeKind::Structure { members, .. }, Value::Struct(fields) | Value::Map(fields)) => {
            for (name, member_shape) in members {
                if let Some((_, fv)) = fields.iter().find(|(n, _)| n == name) {
                    flatten(model, *member_shape, fv, &join(key, name), out);
                }
            }
        }
        (ShapeKind::List { member, flattened }, Value::List(items)) => {
            if items.is_empty() {
                out.insert(key, "");
            }
            let item_prefix = if *flattened {
                key.to_string()
            } else {
                format!("{key}.member")
            };
            for (i, item) in items.iter().enumerate() {
                flatten(
                    model,
                    *member,
                    item,
                    &format!("{item_prefix}.{}", i + 1),
                    out,
                );
            }
        }
        (ShapeKind::Map { key: k, value: vs }, Value::Map(entries) | Value::Struct(entries)) => {
            for (i, (ek, ev)) in entries.iter().enumerate() {
                let entry = format!("{key}.entry.{}", i + 1);
                flatten(
                    model,
                    *k,
                    &Value::Str(ek.clone()),
                    &join(&entry, "key"),
                    out,
                );
                flatten(model, *vs, ev, &join(&entry, "value"), out);
            }
        }
        (ShapeKind::Timestamp, Value::Int(secs)) => {
            if let Ok(t) = time::OffsetDateTime::from_unix_timestamp(*secs) {
                out.insert(key, iso8601(t));
            }
        }
        (ShapeKind::Timestamp, Value::Double(secs)) => {
            let nanos = (*secs * 1e9) as i128;
            if let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
                out.insert(key, iso8601(t));
            }
        }
        (_, Value::Str(text)) => out.insert(key, text.clone()),
        (_, Value::Int(i)) => out.insert(key, i.to_string()),
        (_, Value::Double(d)) => out.insert(key, d.to_string()),
        (_, Value::Bool(b)) => out.insert(key, b.to_string()),
        (_, Value::Time(t)) => out.insert(key, iso8601(*t)),
        (_, Value::Blob(b)) => out.insert(key, base64::engine::general_purpose::STANDARD.encode(b)),
        // A value of the wrong kind (a list where a string belongs): written as nothing, so the
        // decoder reports the member as missing or leaves it out.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(name: &str) -> Operation {
        Model::get().operation(name).unwrap().clone()
    }

    #[test]
    fn a_typed_input_validates_like_a_query() {
        let model = Model::get();
        let input = Params(Value::object().with("UserName", "alice").with(
            "Tags",
            Value::List(vec![Value::object().with("Key", "team").with("Value", "a")]),
        ));
        let p = decode_typed(&model, &op("CreateUser"), &input).unwrap();
        assert_eq!(p.str("UserName"), Some("alice"));
        assert_eq!(p.list("Tags").map(|t| t.len()), Some(1));
    }

    #[test]
    fn typed_errors_read_as_query_errors() {
        let model = Model::get();
        let bad = Params(Value::object().with("UserName", "a b"));
        let e = decode_typed(&model, &op("CreateUser"), &bad).unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert!(
            e.message
                .contains("at 'userName' failed to satisfy constraint"),
            "{}",
            e.message
        );
        let missing = decode_typed(&model, &op("CreateUser"), &Params::empty()).unwrap_err();
        assert!(
            missing.message.contains("Member must not be null"),
            "{}",
            missing.message
        );
    }

    #[test]
    fn json_timestamps_and_numbers_are_accepted() {
        let model = Model::get();
        let j = serde_json::json!({"StartTime": 1700000000, "MaxResults": 5});
        let p = decode_typed(&model, &op("LookupEvents"), &Params(Value::from_json(&j))).unwrap();
        assert_eq!(p.int("MaxResults"), Some(5));
        assert!(matches!(p.get("StartTime"), Some(Value::Time(_))));
    }
}
