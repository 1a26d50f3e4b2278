//! Validating a typed input (from JSON, an HTML form, code) against the model with exactly the
//! rules and messages of the Query decoder: the same walk reads the tree directly. Its
//! reference is the tree written out as Query parameters (`Tags.member.1.Key=…`) and decoded;
//! a property test holds the two equal. One validator for every front end.

use crate::decode::decode_value;
use crate::model::{Model, Operation};
use crate::{ApiError, Params};
#[cfg(test)]
use crate::{QueryParams, Value, decode_input, iso8601, model::ShapeKind};
#[cfg(test)]
use base64::Engine as _;

/// Decodes and validates a typed input for `op`, with the Query decoder's rules and messages.
/// Timestamps may be given as epoch seconds (the JSON protocols' form).
pub fn decode_typed(model: &Model, op: &Operation, input: &Params) -> Result<Params, ApiError> {
    decode_value(model, op, &input.0)
}

/// The reference: the tree written out as Query parameters, then decoded.
#[cfg(test)]
fn decode_typed_via_query(
    model: &Model,
    op: &Operation,
    input: &Params,
) -> Result<Params, ApiError> {
    let mut q = QueryParams::default();
    if let Some(shape) = op.input {
        flatten(model, shape, &input.0, "", &mut q);
    }
    decode_input(model, op, &q)
}

#[cfg(test)]
fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

#[cfg(test)]
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

    /// A small deterministic generator of typed inputs shaped by the model, with the oddities
    /// a front end may send: missing members, empty objects and lists, values of the wrong
    /// kind, strings that break patterns and lengths, numbers out of range, epoch timestamps.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
        fn string(&mut self) -> String {
            const PARTS: &[&str] = &[
                "a",
                "Z",
                "0",
                "/",
                " ",
                "-",
                "_",
                ":",
                "*",
                "é",
                "arn:aws:iam::123456789012:user/x",
                "2026-12-03T00:00:00Z",
                "true",
                "12",
                "{}",
            ];
            let n = self.below(6) as usize;
            (0..n)
                .map(|_| PARTS[self.below(PARTS.len() as u64) as usize])
                .collect::<String>()
                .repeat(if self.below(8) == 0 { 60 } else { 1 })
        }
        fn value(&mut self, model: &Model, shape: usize, depth: u32) -> Value {
            if self.below(12) == 0 || depth > 6 {
                // The wrong kind, or an empty container.
                return match self.below(4) {
                    0 => Value::Str(self.string()),
                    1 => Value::List(Vec::new()),
                    2 => Value::object(),
                    _ => Value::Int(self.below(5) as i64 - 2),
                };
            }
            match &model.shape(shape).kind {
                ShapeKind::Structure { members, .. } => {
                    let mut fields = Vec::new();
                    for (n, m) in members {
                        if self.below(3) != 0 {
                            fields.push((n.clone(), self.value(model, *m, depth + 1)));
                        }
                    }
                    Value::Struct(fields)
                }
                ShapeKind::List { member, .. } => {
                    let n = self.below(4);
                    Value::List(
                        (0..n)
                            .map(|_| self.value(model, *member, depth + 1))
                            .collect(),
                    )
                }
                ShapeKind::Map { value, .. } => {
                    let n = self.below(3);
                    Value::Map(
                        (0..n)
                            .map(|_| (self.string(), self.value(model, *value, depth + 1)))
                            .collect(),
                    )
                }
                ShapeKind::Integer | ShapeKind::Long => Value::Int(match self.below(3) {
                    0 => self.below(50_000) as i64 - 10,
                    _ => self.below(200) as i64,
                }),
                ShapeKind::Double => Value::Double(self.below(1000) as f64 / 7.0),
                ShapeKind::Boolean => Value::Bool(self.below(2) == 0),
                ShapeKind::Timestamp => match self.below(3) {
                    0 => Value::Int(1_790_000_000 + self.below(1000) as i64),
                    1 => Value::Double(1_790_000_000.5),
                    _ => Value::Str(self.string()),
                },
                ShapeKind::Blob => Value::Blob(vec![1, 2, 3]),
                ShapeKind::String => {
                    let model_shape = model.shape(shape);
                    match (&model_shape.enumeration, self.below(3)) {
                        (Some(e), 0 | 1) if !e.is_empty() => {
                            Value::Str(e[self.below(e.len() as u64) as usize].clone())
                        }
                        _ => Value::Str(self.string()),
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The direct walk answers exactly as the Query form of the same tree does: the same
        /// decoded input, or the same error and message.
        #[test]
        fn the_direct_walk_equals_the_query_form(seed in 1u64..u64::MAX) {
            let model = Model::get();
            let mut ops: Vec<&Operation> = model.operations().collect();
            ops.sort_by(|a, b| a.name.cmp(&b.name));
            let mut g = Gen(seed);
            let op = ops[g.below(ops.len() as u64) as usize];
            let Some(shape) = op.input else { return Ok(()) };
            let input = Params(g.value(&model, shape, 0));
            let direct = decode_typed(&model, op, &input);
            let reference = decode_typed_via_query(&model, op, &input);
            match (direct, reference) {
                (Ok(a), Ok(b)) => proptest::prop_assert_eq!(a.0, b.0, "{}", op.name),
                (Err(a), Err(b)) => {
                    proptest::prop_assert_eq!(a.code, b.code);
                    proptest::prop_assert_eq!(a.message, b.message, "{}", op.name);
                }
                (a, b) => proptest::prop_assert!(false, "{}: {a:?} against {b:?} for {input:?}", op.name),
            }
        }
    }
}
