//! Decoding a Query request's parameters into an operation's input shape, validated against
//! the model's constraints with AWS's `ValidationError` messages.

use std::borrow::Cow;

use base64::Engine;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::{Model, Operation, Service, Shape, ShapeKind};
use crate::{ApiError, Params, QueryParams, Value, iso8601};

/// Most list members a request may carry; far above any IAM quota, it bounds the work a
/// hostile request can cause.
const MAX_LIST_LEN: usize = 10_000;

struct Decoder<'a> {
    model: &'a Model,
    params: &'a QueryParams,
    errors: Vec<String>,
    /// Whether messages quote the offending value (`Value 'x' at …`). IAM no longer does
    /// (`Value at 'roleName' …`, AWS's answer in 2024: aws/eks-hybrid#113; LocalStack's
    /// AWS-validated IAM provider); STS still does (aws-actions/configure-aws-credentials#1306,
    /// 2025). Sensitive members are never quoted.
    show_values: bool,
}

/// Where a value is read from: a Query parameter's key, or a node of a typed tree (JSON, a
/// form, code). Both are validated by the same walk, with the same rules and messages.
#[derive(Clone, Copy)]
enum Node<'v> {
    Query(&'v str),
    Typed(&'v Value),
}

/// Where a member sits, as AWS names it in messages (`tags.1.member.key`); written out only
/// when a violation names it.
#[derive(Clone, Copy)]
enum At<'p> {
    Root,
    Member(&'p At<'p>, &'p str),
    /// A list's item (`member`) or a map entry's `key` or `value`, 1-based.
    Item(&'p At<'p>, usize, &'static str),
}

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            At::Root => Ok(()),
            At::Member(At::Root, name) => f.write_str(name),
            At::Member(parent, name) => write!(f, "{parent}.{name}"),
            At::Item(parent, i, part) => write!(f, "{parent}.{i}.{part}"),
        }
    }
}

/// Decodes and validates `params` for `op`. Every constraint violation is reported at once, as
/// AWS does: `2 validation errors detected: Value … at 'userName' failed to satisfy …; …`.
pub fn decode_input(
    model: &Model,
    op: &Operation,
    params: &QueryParams,
) -> Result<Params, ApiError> {
    decode(model, op, params, Node::Query(""))
}

/// Validates a typed input for `op` as [`decode_input`] validates its Query form: the same
/// rules, messages and order (a test holds the two equal).
pub(crate) fn decode_value(
    model: &Model,
    op: &Operation,
    input: &Value,
) -> Result<Params, ApiError> {
    decode(model, op, &QueryParams::default(), Node::Typed(input))
}

fn decode(
    model: &Model,
    op: &Operation,
    params: &QueryParams,
    top: Node<'_>,
) -> Result<Params, ApiError> {
    let Some(input) = op.input else {
        return Ok(Params::empty());
    };
    let mut d = Decoder {
        model,
        params,
        errors: Vec::new(),
        show_values: op.service != Service::Iam,
    };
    let value = d.structure(input, top, &At::Root)?;
    if d.errors.is_empty() {
        return Ok(Params(value));
    }
    let n = d.errors.len();
    let plural = if n == 1 { "error" } else { "errors" };
    Err(ApiError::validation(format!(
        "{n} validation {plural} detected: {}",
        d.errors.join("; ")
    )))
}

/// Whether a typed value writes anything in its Query form: what the Query form cannot tell
/// apart from an absent member (an empty object, a value of the wrong kind) is absent here too.
fn present(model: &Model, shape: usize, v: &Value) -> bool {
    match (&model.shape(shape).kind, v) {
        (ShapeKind::Structure { members, .. }, Value::Struct(f) | Value::Map(f)) => {
            members.iter().any(|(name, ms)| {
                f.iter()
                    .find(|(n, _)| n == name)
                    .is_some_and(|(_, fv)| present(model, *ms, fv))
            })
        }
        (ShapeKind::List { member, .. }, Value::List(items)) => {
            items.is_empty() || items.iter().any(|i| present(model, *member, i))
        }
        (ShapeKind::Map { .. }, Value::Map(e) | Value::Struct(e)) => !e.is_empty(),
        (ShapeKind::Timestamp, Value::Int(secs)) => {
            OffsetDateTime::from_unix_timestamp(*secs).is_ok()
        }
        (ShapeKind::Timestamp, Value::Double(secs)) => {
            OffsetDateTime::from_unix_timestamp_nanos((*secs * 1e9) as i128).is_ok()
        }
        (
            _,
            Value::Str(_)
            | Value::Int(_)
            | Value::Double(_)
            | Value::Bool(_)
            | Value::Time(_)
            | Value::Blob(_),
        ) => true,
        _ => false,
    }
}

/// A typed scalar as its Query form writes it (epoch seconds become ISO 8601 timestamps).
fn scalar_text<'v>(kind: &ShapeKind, v: &'v Value) -> Option<Cow<'v, str>> {
    Some(match (kind, v) {
        (ShapeKind::Timestamp, Value::Int(secs)) => {
            Cow::Owned(iso8601(OffsetDateTime::from_unix_timestamp(*secs).ok()?))
        }
        (ShapeKind::Timestamp, Value::Double(secs)) => Cow::Owned(iso8601(
            OffsetDateTime::from_unix_timestamp_nanos((*secs * 1e9) as i128).ok()?,
        )),
        (_, Value::Str(t)) => Cow::Borrowed(t.as_str()),
        (_, Value::Int(i)) => Cow::Owned(i.to_string()),
        (_, Value::Double(d)) => Cow::Owned(d.to_string()),
        (_, Value::Bool(b)) => Cow::Owned(b.to_string()),
        (_, Value::Time(t)) => Cow::Owned(iso8601(*t)),
        (_, Value::Blob(b)) => Cow::Owned(base64::engine::general_purpose::STANDARD.encode(b)),
        _ => return None,
    })
}

fn is_scalar(s: &Shape) -> bool {
    !matches!(
        s.kind,
        ShapeKind::Structure { .. } | ShapeKind::List { .. } | ShapeKind::Map { .. }
    )
}

/// A list as Java writes it in AWS's messages: `[a, b]`.
fn list_text(items: &[Value]) -> String {
    let texts: Vec<String> = items
        .iter()
        .map(|v| match v {
            Value::Str(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    format!("[{}]", texts.join(", "))
}

/// Every constraint of a list's member shape, in the order AWS names them.
fn member_constraints(s: &Shape) -> Vec<String> {
    let mut out = Vec::new();
    let unit = match s.kind {
        ShapeKind::Integer | ShapeKind::Long => "value",
        _ => "length",
    };
    if let Some(max) = s.max {
        out.push(format!(
            "Member must have {unit} less than or equal to {max}"
        ));
    }
    if let Some(min) = s.min {
        out.push(format!(
            "Member must have {unit} greater than or equal to {min}"
        ));
    }
    if let Some(p) = &s.pattern {
        out.push(format!(
            "Member must satisfy regular expression pattern: {p}"
        ));
    }
    if let Some(values) = &s.enumeration {
        out.push(format!(
            "Member must satisfy enum value set: [{}]",
            values.join(", ")
        ));
    }
    out.push("Member must not be null".to_string());
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

impl Decoder<'_> {
    fn violation(&mut self, shown: Option<&str>, at: &At<'_>, constraint: &str) {
        let quoted = shown.filter(|_| self.show_values).map(|v| format!("'{v}'"));
        self.violation_raw(quoted.as_deref(), at, constraint);
    }

    /// `shown` is written as is: `'value'`, `null`, or nothing for a sensitive member.
    fn violation_raw(&mut self, shown: Option<&str>, at: &At<'_>, constraint: &str) {
        let value = match shown {
            Some(v) => format!("Value {v} at"),
            None => "Value at".to_string(),
        };
        self.errors.push(format!(
            "{value} '{at}' failed to satisfy constraint: {constraint}"
        ));
    }

    fn structure(&mut self, shape: usize, node: Node<'_>, at: &At<'_>) -> Result<Value, ApiError> {
        let model = self.model;
        let s = model.shape(shape);
        let ShapeKind::Structure { members, required } = &s.kind else {
            return Err(ApiError::service_failure());
        };
        let fields: &[(String, Value)] = match node {
            Node::Typed(Value::Struct(f) | Value::Map(f)) => f,
            _ => &[],
        };
        // Members are validated in the order AWS lists their violations; the decoded
        // structure keeps the model's order.
        let mut out = Vec::new();
        for (i, camel) in s.listing() {
            let Some((name, member_shape)) = members.get(*i) else {
                continue;
            };
            let member_at = At::Member(at, camel);
            let found = match node {
                Node::Query(prefix) => {
                    let key = join(prefix, name);
                    self.value(*member_shape, Node::Query(&key), &member_at)?
                }
                Node::Typed(_) => match fields.iter().find(|(n, _)| n == name) {
                    Some((_, fv)) if present(model, *member_shape, fv) => {
                        self.value(*member_shape, Node::Typed(fv), &member_at)?
                    }
                    _ => None,
                },
            };
            match found {
                Some(v) => out.push((*i, name.clone(), v)),
                None if required.contains(name) => {
                    // A sensitive member is named without its value, even a missing one; IAM
                    // names none ("Value at 'thumbprintList' … Member must not be null", verified
                    // against AWS by a public CloudFormation project, see the tests).
                    let shown = if model.shape(*member_shape).sensitive || !self.show_values {
                        None
                    } else {
                        Some("null")
                    };
                    self.violation_raw(shown, &member_at, "Member must not be null");
                }
                None => {}
            }
        }
        out.sort_by_key(|(i, _, _)| *i);
        let out = out.into_iter().map(|(_, n, v)| (n, v)).collect();
        Ok(Value::Struct(out))
    }

    /// The value at `node`, or `None` when the request does not carry it. A typed node is
    /// present (see [`present`]).
    fn value(
        &mut self,
        shape: usize,
        node: Node<'_>,
        at: &At<'_>,
    ) -> Result<Option<Value>, ApiError> {
        let model = self.model;
        let s = model.shape(shape);
        let key = match node {
            Node::Query(key) => key,
            Node::Typed(v) => return self.typed_value(shape, v, at),
        };
        match &s.kind {
            ShapeKind::Structure { .. } => {
                if !self.params.contains_prefix(&format!("{key}.")) {
                    return Ok(None);
                }
                self.structure(shape, node, at).map(Some)
            }
            ShapeKind::List { member, flattened } => {
                let item_prefix = if *flattened {
                    key.to_string()
                } else {
                    format!("{key}.member")
                };
                let indexes = self.indexes(&format!("{item_prefix}."))?;
                if indexes.is_empty() {
                    // botocore sends `Key=` for an empty list; it still has a length.
                    if self.params.get(key).is_none() {
                        return Ok(None);
                    }
                    return Ok(Some(self.empty_list(s, at)));
                }
                let mut items = Vec::with_capacity(indexes.len());
                let before = self.errors.len();
                for i in indexes {
                    let item_key = format!("{item_prefix}.{i}");
                    let item_at = At::Item(at, i, "member");
                    if let Some(v) = self.value(*member, Node::Query(&item_key), &item_at)? {
                        items.push(v);
                    }
                }
                Ok(Some(self.list(s, *member, items, before, at)))
            }
            ShapeKind::Map { key: k, value: v } => {
                let entry_prefix = format!("{key}.entry");
                let indexes = self.indexes(&format!("{entry_prefix}."))?;
                let mut entries = Vec::new();
                for i in indexes {
                    let ek = format!("{entry_prefix}.{i}.key");
                    let ev = format!("{entry_prefix}.{i}.value");
                    let kv = self.value(*k, Node::Query(&ek), &At::Item(at, i, "key"))?;
                    let vv = self.value(*v, Node::Query(&ev), &At::Item(at, i, "value"))?;
                    if let (Some(Value::Str(kk)), Some(vv)) = (kv, vv) {
                        entries.push((kk, vv));
                    }
                }
                if entries.is_empty() && self.params.get(key).is_none() {
                    return Ok(None);
                }
                Ok(Some(Value::Map(entries)))
            }
            _ => {
                let Some(raw) = self.params.get(key) else {
                    return Ok(None);
                };
                Ok(Some(self.present_scalar(shape, raw, at)))
            }
        }
    }

    /// [`Decoder::value`] of a typed node, mirroring what its Query form would decode to.
    fn typed_value(
        &mut self,
        shape: usize,
        v: &Value,
        at: &At<'_>,
    ) -> Result<Option<Value>, ApiError> {
        let model = self.model;
        let s = model.shape(shape);
        if !present(model, shape, v) {
            return Ok(None);
        }
        match &s.kind {
            ShapeKind::Structure { .. } => match v {
                Value::Struct(_) | Value::Map(_) => {
                    self.structure(shape, Node::Typed(v), at).map(Some)
                }
                // A scalar where a structure belongs has no members: absent.
                _ => Ok(None),
            },
            ShapeKind::List { member, .. } => {
                let Value::List(items) = v else {
                    // A scalar where a list belongs reads as an empty list, as `Key=` does.
                    return Ok(Some(self.empty_list(s, at)));
                };
                if items.is_empty() {
                    return Ok(Some(self.empty_list(s, at)));
                }
                if items.len() > MAX_LIST_LEN {
                    return Err(ApiError::validation(format!(
                        "The list {at} has more than {MAX_LIST_LEN} members."
                    )));
                }
                let mut out = Vec::with_capacity(items.len());
                let before = self.errors.len();
                for (i, item) in items.iter().enumerate() {
                    let item_at = At::Item(at, i + 1, "member");
                    if let Some(v) = self.typed_value(*member, item, &item_at)? {
                        out.push(v);
                    }
                }
                Ok(Some(self.list(s, *member, out, before, at)))
            }
            ShapeKind::Map { key: k, value: vs } => {
                let (Value::Map(entries) | Value::Struct(entries)) = v else {
                    return Ok(Some(Value::Map(Vec::new())));
                };
                let mut out = Vec::new();
                for (i, (ek, ev)) in entries.iter().enumerate() {
                    let n = i + 1;
                    let kv = self.present_scalar(*k, ek, &At::Item(at, n, "key"));
                    let vv = self.typed_value(*vs, ev, &At::Item(at, n, "value"))?;
                    if let (Value::Str(kk), Some(vv)) = (kv, vv) {
                        out.push((kk, vv));
                    }
                }
                if out.is_empty() {
                    return Ok(None);
                }
                Ok(Some(Value::Map(out)))
            }
            kind => {
                let Some(raw) = scalar_text(kind, v) else {
                    return Ok(None);
                };
                Ok(Some(self.present_scalar(shape, &raw, at)))
            }
        }
    }

    /// A scalar the request carries: validated, and kept even when invalid, so its violation
    /// is reported rather than a missing member.
    fn present_scalar(&mut self, shape: usize, raw: &str, at: &At<'_>) -> Value {
        self.scalar(shape, raw, at)
            .unwrap_or_else(|| Value::Str(raw.to_string()))
    }

    /// An empty list the request carries (botocore's `Key=`): it still has a length.
    fn empty_list(&mut self, s: &Shape, at: &At<'_>) -> Value {
        if let Some(min) = s.min
            && min > 0
        {
            self.violation(
                None,
                at,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        Value::List(Vec::new())
    }

    /// A list's items, decoded: the list's own constraints, and a list of scalars checked as a
    /// whole.
    fn list(
        &mut self,
        s: &Shape,
        member: usize,
        items: Vec<Value>,
        before: usize,
        at: &At<'_>,
    ) -> Value {
        let member_shape = self.model.shape(member);
        if self.errors.len() > before && is_scalar(member_shape) {
            // A list of scalars is checked as a whole: one violation at the list that
            // names every constraint of its members, whichever failed (AWS Lambda's
            // `Value '[…]' at 'layers' … Member must satisfy constraint: [Member must
            // have length less than or equal to 140, …]`; IAM's UntagUser in LocalStack's
            // AWS-validated provider: `Value at 'tagKeys' … [Member must have length
            // less than or equal to 128, Member must have length greater than or equal
            // to 1, Member must satisfy regular expression pattern: …, Member must not
            // be null]`).
            self.errors.truncate(before);
            let shown = (!member_shape.sensitive).then(|| list_text(&items));
            let constraints = member_constraints(member_shape).join(", ");
            self.violation(
                shown.as_deref(),
                at,
                &format!("Member must satisfy constraint: [{constraints}]"),
            );
        }
        if let Some(max) = s.max
            && items.len() as i64 > max
        {
            self.violation(
                None,
                at,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
        if let Some(min) = s.min
            && (items.len() as i64) < min
        {
            self.violation(
                None,
                at,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        Value::List(items)
    }

    /// The distinct 1-based indexes under `prefix` (`Tags.member.` → 1, 2, …), in order.
    fn indexes(&mut self, prefix: &str) -> Result<Vec<usize>, ApiError> {
        let mut out: Vec<usize> = Vec::new();
        for (name, _) in self.params.with_prefix(prefix) {
            let rest = &name[prefix.len()..];
            let digits = rest.split('.').next().unwrap_or("");
            let i: usize = match digits.parse() {
                Ok(i) if i >= 1 => i,
                _ => {
                    return Err(ApiError::validation(format!(
                        "The parameter {name} has an invalid list index."
                    )));
                }
            };
            if out.last() != Some(&i) && !out.contains(&i) {
                out.push(i);
            }
            if out.len() > MAX_LIST_LEN {
                return Err(ApiError::validation(format!(
                    "The list {prefix} has more than {MAX_LIST_LEN} members."
                )));
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    fn scalar(&mut self, shape: usize, raw: &str, at: &At<'_>) -> Option<Value> {
        let model = self.model;
        let s = model.shape(shape);
        let shown = if s.sensitive || !self.show_values {
            None
        } else {
            Some(raw)
        };
        match &s.kind {
            ShapeKind::String => {
                // One value may break several constraints; AWS lists each, the pattern before
                // the length.
                let before = self.errors.len();
                if let (Some(re), Some(p)) = (s.regex(), s.pattern.as_deref())
                    && !re.is_match(raw)
                {
                    self.violation(
                        shown,
                        at,
                        &format!("Member must satisfy regular expression pattern: {p}"),
                    );
                }
                let len = raw.chars().count() as i64;
                if let Some(max) = s.max
                    && len > max
                {
                    self.violation(
                        shown,
                        at,
                        &format!("Member must have length less than or equal to {max}"),
                    );
                }
                if let Some(min) = s.min
                    && len < min
                {
                    self.violation(
                        shown,
                        at,
                        &format!("Member must have length greater than or equal to {min}"),
                    );
                }
                if let Some(values) = &s.enumeration
                    && !values.iter().any(|v| v == raw)
                {
                    self.violation(
                        shown,
                        at,
                        &format!(
                            "Member must satisfy enum value set: [{}]",
                            values.join(", ")
                        ),
                    );
                }
                if self.errors.len() > before {
                    return None;
                }
                Some(Value::Str(raw.to_string()))
            }
            ShapeKind::Integer | ShapeKind::Long => {
                let Ok(n) = raw.trim().parse::<i64>() else {
                    self.violation(shown, at, "Member must be a number");
                    return None;
                };
                if let Some(max) = s.max
                    && n > max
                {
                    self.violation(
                        shown,
                        at,
                        &format!("Member must have value less than or equal to {max}"),
                    );
                    return None;
                }
                if let Some(min) = s.min
                    && n < min
                {
                    self.violation(
                        shown,
                        at,
                        &format!("Member must have value greater than or equal to {min}"),
                    );
                    return None;
                }
                Some(Value::Int(n))
            }
            ShapeKind::Double => match raw.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => Some(Value::Double(f)),
                _ => {
                    self.violation(shown, at, "Member must be a number");
                    None
                }
            },
            ShapeKind::Boolean => match raw.to_ascii_lowercase().as_str() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => {
                    self.violation(shown, at, "Member must be a boolean (true or false)");
                    None
                }
            },
            ShapeKind::Timestamp => match parse_timestamp(raw) {
                Some(t) => Some(Value::Time(t)),
                None => {
                    self.violation(shown, at, "Member must be an ISO 8601 timestamp");
                    None
                }
            },
            ShapeKind::Blob => match base64::engine::general_purpose::STANDARD.decode(raw) {
                Ok(b) => Some(Value::Blob(b)),
                Err(_) => {
                    self.violation(None, at, "Member must be base64-encoded binary data");
                    None
                }
            },
            ShapeKind::Structure { .. } | ShapeKind::List { .. } | ShapeKind::Map { .. } => None,
        }
    }
}

fn parse_timestamp(raw: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Some(t);
    }
    raw.parse::<i64>()
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_query;
    use proptest::prelude::*;

    fn decode(action: &str, q: &str) -> Result<Params, ApiError> {
        let m = Model::get();
        let op = m.operation(action).unwrap();
        decode_input(&m, op, &parse_query(q.as_bytes()).unwrap())
    }

    #[test]
    fn decodes_nested_lists_of_structures() {
        let p = decode(
            "CreateUser",
            "UserName=alice&Path=/eng/&Tags.member.1.Key=team&Tags.member.1.Value=core&Tags.member.2.Key=cc&Tags.member.2.Value=",
        )
        .unwrap();
        assert_eq!(p.str("UserName"), Some("alice"));
        assert_eq!(p.str("Path"), Some("/eng/"));
        let tags = p.list("Tags").unwrap();
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[1].get("Key").and_then(Value::as_str), Some("cc"));
        assert_eq!(tags[1].get("Value").and_then(Value::as_str), Some(""));
    }

    #[test]
    fn list_indexes_are_numeric_order() {
        let p = decode(
            "UntagUser",
            "UserName=a&TagKeys.member.10=j&TagKeys.member.2=b&TagKeys.member.1=a",
        )
        .unwrap();
        let keys: Vec<_> = p
            .list("TagKeys")
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(keys, ["a", "b", "j"]);
    }

    #[test]
    fn missing_required_member_is_aws_message() {
        let e = decode("CreateUser", "").unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert_eq!(
            e.message,
            "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must not be null"
        );
    }

    /// One row per rule of AWS's validation message: (action, query, the whole message).
    const MESSAGE_RULES: &[(&str, &str, &str)] = &[
        // Rule: IAM names the member without its value: "Value at 'roleName' failed to
        // satisfy constraint: Member must have length less than or equal to 64" (AWS's answer to
        // CreateRole, 2024: https://github.com/aws/eks-hybrid/pull/113; LocalStack's
        // AWS-validated IAM provider writes every IAM violation so). Until about 2022 IAM quoted
        // it ("Value 'charon-…' at 'roleName'", https://github.com/NixOS/nixops/issues/328).
        (
            "CreateRole",
            "RoleName=charon-31f85414-3f74-11e5-b275-f23c91ae92d9-DynamoReadOnlyPermission&AssumeRolePolicyDocument=%7B%7D",
            "1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64",
        ),
        // Rule: STS still quotes the value ("Value 'dependabot[bot]' at 'roleSessionName' …",
        // 2025: https://github.com/aws-actions/configure-aws-credentials/issues/1306).
        (
            "AssumeRole",
            "RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=dependabot%5Bbot%5D",
            "1 validation error detected: Value 'dependabot[bot]' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        ),
        // Rule: a value breaking several constraints is listed once per constraint, the
        // pattern before the length. Observed (AWS STS, AssumeRole with RoleArn=''):
        // https://github.com/newscorpaus/consigliere/issues/18; the same order in DynamoDB,
        // Cognito, CloudFormation, CloudFront and Firehose messages quoted on GitHub.
        (
            "AssumeRole",
            "RoleArn=&RoleSessionName=ab",
            "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+; Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
        ),
        (
            "CreateUser",
            "UserName=",
            "2 validation errors detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        (
            "CreateUser",
            "UserName=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%21",
            "2 validation errors detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64",
        ),
        // Rule: a member of a list of structures is addressed `tags.N.member.key`, N the
        // request's 1-based index (AWS, IAM CreateUser: "… at 'tags.6.member.value' …",
        // https://github.com/SWO-GS/auto-tag/issues/90; LocalStack's IAM provider).
        (
            "CreateUser",
            "UserName=a&Tags.member.1.Key=k&Tags.member.1.Value=%23",
            "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
        ),
        (
            "CreateUser",
            "UserName=a&Tags.member.1.Value=v",
            "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must not be null",
        ),
        // Rule: a list of scalars is checked as a whole: one violation at the list, naming
        // every constraint of its members (LocalStack's AWS-validated IAM provider, UntagUser;
        // AWS Lambda's "Value '[…]' at 'layers' … Member must satisfy constraint: […]").
        (
            "UntagUser",
            "UserName=a&TagKeys.member.1=ok&TagKeys.member.2=bad%23&TagKeys.member.3=bad%2A",
            "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]",
        ),
        (
            "AssumeRole",
            "RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=ab&TransitiveTagKeys.member.1=a&TransitiveTagKeys.member.2=b%23",
            "1 validation error detected: Value '[a, b#]' at 'transitiveTagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]",
        ),
        // Rule: a missing member is "Value null at" in STS, "Value at" in IAM: "Value at
        // 'thumbprintList' failed to satisfy constraint: Member must not be null", verified
        // against AWS by a CloudFormation project updating an OIDC provider (2026, found by
        // find_string "at 'thumbprintList' failed to satisfy").
        (
            "UpdateOpenIDConnectProviderThumbprint",
            "OpenIDConnectProviderArn=arn:aws:iam::123456789012:oidc-provider/example.com",
            "1 validation error detected: Value at 'thumbprintList' failed to satisfy constraint: Member must not be null",
        ),
        (
            "AssumeRole",
            "RoleSessionName=ab",
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
        ),
        // Rule: members are listed in AWS's order (see violation_order.rs), not the model's
        // (roleName, then assumeRolePolicyDocument) nor the request's.
        (
            "CreateRole",
            "",
            "2 validation errors detected: Value at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null; Value at 'roleName' failed to satisfy constraint: Member must not be null",
        ),
        (
            "CreateUser",
            "Path=nope&UserName=a%21",
            "2 validation errors detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        ),
        // Rule: a sensitive member is written without its value ("Value at"), also when it
        // is missing. Observed (AWS Cognito, a recorded response): "Value null at 'groupName'
        // …; Value at 'username' failed to satisfy constraint: Member must not be null".
        (
            "ChangePassword",
            "",
            "2 validation errors detected: Value at 'oldPassword' failed to satisfy constraint: Member must not be null; Value at 'newPassword' failed to satisfy constraint: Member must not be null",
        ),
        (
            "AssumeRoleWithWebIdentity",
            "RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=ab&WebIdentityToken=abc",
            "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
        ),
    ];

    #[test]
    fn validation_message_rules() {
        for (action, query, want) in MESSAGE_RULES {
            let e = decode(action, query).unwrap_err();
            assert_eq!(e.code, "ValidationError", "{action} {query}");
            assert_eq!(&e.message, want, "{action} {query}");
        }
    }

    #[test]
    fn integers_enums_and_booleans() {
        assert_eq!(
            decode("ListUsers", "MaxItems=5").unwrap().int("MaxItems"),
            Some(5)
        );
        let e = decode("ListUsers", "MaxItems=0").unwrap_err();
        assert!(
            e.message
                .contains("Member must have value greater than or equal to 1")
        );
        let e = decode("ListUsers", "MaxItems=x").unwrap_err();
        assert!(e.message.contains("Member must be a number"));
        let e = decode(
            "UpdateAccessKey",
            "AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=On",
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("Member must satisfy enum value set: [Active, Inactive, Expired]"),
            "{}",
            e.message
        );
    }

    #[test]
    fn empty_list_marker() {
        let p = decode("UntagUser", "UserName=a&TagKeys=").unwrap();
        assert_eq!(p.list("TagKeys").map(<[Value]>::len), Some(0));
    }

    #[test]
    fn bad_list_index_is_refused() {
        assert!(decode("UntagUser", "UserName=a&TagKeys.member.x=1").is_err());
        assert!(decode("UntagUser", "UserName=a&TagKeys.member.0=1").is_err());
    }

    proptest! {
        #[test]
        fn never_panics_on_any_parameters(
            pairs in proptest::collection::vec(("(UserName|Path|Tags|Tags\\.member\\.[0-9]{1,3}(\\.Key|\\.Value)?|MaxItems|Marker)", "\\PC{0,70}"), 0..12)
        ) {
            let q: String = pairs
                .iter()
                .map(|(k, v)| format!("{k}={}&", percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)))
                .collect();
            if let Ok(params) = parse_query(q.as_bytes()) {
                let m = Model::get();
                for action in ["CreateUser", "ListUsers", "TagUser"] {
                    let _ = decode_input(&m, m.operation(action).unwrap(), &params);
                }
            }
        }
    }
}
