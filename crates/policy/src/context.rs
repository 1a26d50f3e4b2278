//! Request context: condition keys (case-insensitive names) with typed values.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

/// One typed context value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A string.
    String(String),
    /// A number (integers and decimals).
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A date-time as Unix time in nanoseconds.
    Date(i128),
    /// An IP address.
    Ip(IpAddr),
    /// Raw bytes (compared with BinaryEquals against base64 policy values).
    Binary(Vec<u8>),
    /// An ARN.
    Arn(String),
}

impl Scalar {
    /// The value as text, as string operators see it.
    pub fn as_text(&self) -> Cow<'_, str> {
        match self {
            Scalar::String(s) | Scalar::Arn(s) => Cow::Borrowed(s),
            Scalar::Number(n) => Cow::Owned(format_number(*n)),
            Scalar::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Scalar::Date(d) => Cow::Owned(format_date(*d)),
            Scalar::Ip(ip) => Cow::Owned(ip.to_string()),
            Scalar::Binary(b) => Cow::Owned(crate::values::b64::encode(b)),
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

pub(crate) fn format_date(nanos: i128) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A context key's value: one value, or a list (multivalued key).
#[derive(Debug, Clone, PartialEq)]
pub struct ContextValue {
    /// The values (one for a single-valued key).
    pub values: Vec<Scalar>,
    /// True for a multivalued key (`stringList`, `aws:TagKeys`, ...).
    pub multi: bool,
}

impl ContextValue {
    /// A single value.
    pub fn single(v: Scalar) -> ContextValue {
        ContextValue {
            values: vec![v],
            multi: false,
        }
    }
    /// A multivalued key.
    pub fn list(values: Vec<Scalar>) -> ContextValue {
        ContextValue {
            values,
            multi: true,
        }
    }
}

/// Condition keys of one request. Key names are compared case-insensitively.
///
/// A context may sit over a shared parent ([`Context::over`]): its own keys hide the parent's
/// keys of the same name. A caller's keys are then built once and shared by its requests, and a
/// request's keys by its checks, instead of being copied for each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// (lowercase name, name as given, value)
    entries: Vec<(Box<str>, Box<str>, ContextValue)>,
    parent: Option<Arc<Context>>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// An empty context over `parent`: lookups fall through to it; inserts stay here.
    pub fn over(parent: Arc<Context>) -> Context {
        Context {
            entries: Vec::new(),
            parent: Some(parent),
        }
    }

    /// Sets a key (replacing any value under the same case-insensitive name).
    pub fn insert(&mut self, name: &str, value: ContextValue) -> &mut Self {
        let lower = name.to_ascii_lowercase();
        if let Some(e) = self.entries.iter_mut().find(|e| *e.0 == *lower) {
            e.1 = name.into();
            e.2 = value;
        } else {
            self.entries.push((lower.into(), name.into(), value));
        }
        self
    }

    /// Sets a single string value.
    pub fn insert_str(&mut self, name: &str, value: &str) -> &mut Self {
        self.insert(name, ContextValue::single(Scalar::String(value.into())))
    }

    /// Sets a list of strings (multivalued key).
    pub fn insert_strs(&mut self, name: &str, values: &[&str]) -> &mut Self {
        self.insert(
            name,
            ContextValue::list(values.iter().map(|v| Scalar::String((*v).into())).collect()),
        )
    }

    /// Looks a key up (any case).
    pub fn get(&self, name: &str) -> Option<&ContextValue> {
        match self.entries.iter().find(|e| e.0.eq_ignore_ascii_case(name)) {
            Some(e) => Some(&e.2),
            None => self.parent.as_deref()?.get(name),
        }
    }

    /// Looks up a key already in lowercase.
    pub(crate) fn get_lower(&self, lower: &str) -> Option<&ContextValue> {
        match self.entries.iter().find(|e| *e.0 == *lower) {
            Some(e) => Some(&e.2),
            None => self.parent.as_deref()?.get_lower(lower),
        }
    }

    /// True when the key exists with at least one value.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !v.values.is_empty())
    }

    /// Iterates (name as given, value), this context's keys first, then each parent's keys
    /// that no nearer context hides.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        let mut layers = vec![self];
        while let Some(p) = layers.last().and_then(|c| c.parent.as_deref()) {
            layers.push(p);
        }
        let all = layers.clone();
        layers.into_iter().enumerate().flat_map(move |(i, layer)| {
            let nearer = all[..i].to_vec();
            layer.entries.iter().filter_map(move |e| {
                let hidden = nearer.iter().any(|c| c.entries.iter().any(|n| n.0 == e.0));
                (!hidden).then_some((&*e.1, &e.2))
            })
        })
    }

    /// The string form of a single-valued key, for policy variables.
    /// Multivalued keys and empty values do not resolve.
    pub(crate) fn single_string(&self, lower: &str) -> Option<Cow<'_, str>> {
        let v = self.get_lower(lower)?;
        if v.multi {
            return None;
        }
        match v.values.as_slice() {
            [one] => Some(one.as_text()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_over_a_parent_sees_through_it_and_hides_what_it_sets() {
        let mut base = Context::new();
        base.insert_str("aws:username", "alice")
            .insert_str("aws:SourceIp", "10.0.0.1");
        let base = Arc::new(base);
        let mut child = Context::over(base.clone());
        child.insert_str("AWS:SourceIP", "192.0.2.1");
        child.insert_str("iam:PassedToService", "ec2.amazonaws.com");

        let text = |c: &Context, k: &str| c.get(k).map(|v| v.values[0].as_text().into_owned());
        assert_eq!(text(&child, "aws:UserName").as_deref(), Some("alice"));
        assert_eq!(text(&child, "aws:sourceip").as_deref(), Some("192.0.2.1"));
        assert_eq!(text(&base, "aws:sourceip").as_deref(), Some("10.0.0.1"));
        assert!(child.get_lower("aws:username").is_some());
        assert!(!child.contains("aws:userid"));

        let names: Vec<&str> = child.iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            ["AWS:SourceIP", "iam:PassedToService", "aws:username"],
            "each key once, the nearest value"
        );
    }
}
