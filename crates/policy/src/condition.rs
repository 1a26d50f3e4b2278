//! Condition operators: parsing, compilation and evaluation.
//!
//! Rules implemented (IAM User Guide, "Condition operators" and "Creating a
//! condition with multiple keys or values"):
//! - several values for one key are ORed; several keys, and several
//!   operators, are ANDed;
//! - a key missing from the context makes a condition false, except for the
//!   negated operators (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, ...)
//!   where it is true; `...IfExists` makes a missing key true; `Null` tests
//!   presence;
//! - `ForAllValues:` is true when every request value matches some policy
//!   value, and also when the key is missing or its set is empty;
//!   `ForAnyValue:` is true when at least one request value matches, false
//!   when the key is missing or empty;
//! - with a negated operator the negation applies to each request value
//!   ("matches none of the policy values");
//! - policy variables are substituted in string and ARN operators; a value
//!   whose variable cannot be resolved makes the condition not match.

use crate::context::{Context, Scalar};
use crate::values::{self, Cidr};
use crate::wildcard::{self, Matcher, Template};

/// Base operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum OpKind {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const OPS: &[(&str, OpKind)] = &[
    ("StringEquals", OpKind::StringEquals),
    ("StringNotEquals", OpKind::StringNotEquals),
    ("StringEqualsIgnoreCase", OpKind::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        OpKind::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", OpKind::StringLike),
    ("StringNotLike", OpKind::StringNotLike),
    ("NumericEquals", OpKind::NumericEquals),
    ("NumericNotEquals", OpKind::NumericNotEquals),
    ("NumericLessThan", OpKind::NumericLessThan),
    ("NumericLessThanEquals", OpKind::NumericLessThanEquals),
    ("NumericGreaterThan", OpKind::NumericGreaterThan),
    ("NumericGreaterThanEquals", OpKind::NumericGreaterThanEquals),
    ("DateEquals", OpKind::DateEquals),
    ("DateNotEquals", OpKind::DateNotEquals),
    ("DateLessThan", OpKind::DateLessThan),
    ("DateLessThanEquals", OpKind::DateLessThanEquals),
    ("DateGreaterThan", OpKind::DateGreaterThan),
    ("DateGreaterThanEquals", OpKind::DateGreaterThanEquals),
    ("Bool", OpKind::Bool),
    ("BinaryEquals", OpKind::BinaryEquals),
    ("IpAddress", OpKind::IpAddress),
    ("NotIpAddress", OpKind::NotIpAddress),
    ("ArnEquals", OpKind::ArnEquals),
    ("ArnLike", OpKind::ArnLike),
    ("ArnNotEquals", OpKind::ArnNotEquals),
    ("ArnNotLike", OpKind::ArnNotLike),
    ("Null", OpKind::Null),
];

impl OpKind {
    /// True for the operators that require the key *not* to match.
    pub fn negated(self) -> bool {
        matches!(
            self,
            OpKind::StringNotEquals
                | OpKind::StringNotEqualsIgnoreCase
                | OpKind::StringNotLike
                | OpKind::NumericNotEquals
                | OpKind::DateNotEquals
                | OpKind::NotIpAddress
                | OpKind::ArnNotEquals
                | OpKind::ArnNotLike
        )
    }

    /// The positive operator a negated one is the negation of.
    fn positive(self) -> OpKind {
        match self {
            OpKind::StringNotEquals => OpKind::StringEquals,
            OpKind::StringNotEqualsIgnoreCase => OpKind::StringEqualsIgnoreCase,
            OpKind::StringNotLike => OpKind::StringLike,
            OpKind::NumericNotEquals => OpKind::NumericEquals,
            OpKind::DateNotEquals => OpKind::DateEquals,
            OpKind::NotIpAddress => OpKind::IpAddress,
            OpKind::ArnNotEquals => OpKind::ArnEquals,
            OpKind::ArnNotLike => OpKind::ArnLike,
            k => k,
        }
    }
}

/// Set qualifier for multivalued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetOp {
    /// `ForAllValues:`
    ForAllValues,
    /// `ForAnyValue:`
    ForAnyValue,
}

/// A full operator: qualifier, base operator, `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operator {
    /// `ForAllValues:` / `ForAnyValue:`.
    pub set: Option<SetOp>,
    /// The base operator.
    pub kind: OpKind,
    /// `...IfExists`.
    pub if_exists: bool,
}

impl Operator {
    /// Parses e.g. `ForAnyValue:StringLikeIfExists`. Names are case-sensitive.
    pub fn parse(s: &str) -> Option<Operator> {
        let (set, rest) = if let Some(r) = s.strip_prefix("ForAllValues:") {
            (Some(SetOp::ForAllValues), r)
        } else if let Some(r) = s.strip_prefix("ForAnyValue:") {
            (Some(SetOp::ForAnyValue), r)
        } else {
            (None, s)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        let kind = OPS.iter().find(|(n, _)| *n == base)?.1;
        Some(Operator {
            set,
            kind,
            if_exists,
        })
    }
}

/// A compiled policy value for one operator family.
#[derive(Debug, Clone)]
enum PVal {
    /// String operators (template may hold variables; matcher precompiled when plain).
    Str(Template, Option<Matcher>),
    Num(Option<f64>),
    Date(Option<i128>),
    Bool(Option<bool>),
    Bin(Option<Vec<u8>>),
    Ip(Option<Cidr>),
    /// ARN operators: six templates, one per ARN part, and their matchers
    /// when none holds a variable.
    Arn(Option<Box<[Template; 6]>>, Option<Box<[Matcher; 6]>>),
    Null(Option<bool>),
}

/// One compiled `operator: { key: values }` entry.
#[derive(Debug, Clone)]
pub(crate) struct CondEntry {
    pub op: Operator,
    pub key_lower: Box<str>,
    pub key: Box<str>,
    values: Vec<PVal>,
    has_vars: bool,
}

impl CondEntry {
    pub(crate) fn compile(op: Operator, key: &str, raw: &[String], vars: bool) -> CondEntry {
        let pos = op.kind.positive();
        let values = raw
            .iter()
            .map(|v| match pos {
                OpKind::StringEquals | OpKind::StringEqualsIgnoreCase | OpKind::StringLike => {
                    let t = Template::parse(v, vars);
                    let m = match (pos, t.plain()) {
                        (OpKind::StringLike, Some(p)) => Some(Matcher::new(p)),
                        _ => None,
                    };
                    PVal::Str(t, m)
                }
                OpKind::NumericEquals
                | OpKind::NumericLessThan
                | OpKind::NumericLessThanEquals
                | OpKind::NumericGreaterThan
                | OpKind::NumericGreaterThanEquals => PVal::Num(values::parse_number(v)),
                OpKind::DateEquals
                | OpKind::DateLessThan
                | OpKind::DateLessThanEquals
                | OpKind::DateGreaterThan
                | OpKind::DateGreaterThanEquals => PVal::Date(values::parse_date(v)),
                OpKind::Bool => PVal::Bool(values::parse_bool(v)),
                OpKind::BinaryEquals => PVal::Bin(values::b64::decode(v)),
                OpKind::IpAddress => PVal::Ip(Cidr::parse(v)),
                OpKind::ArnEquals | OpKind::ArnLike => {
                    let parts = wildcard::arn_parts(v);
                    if v.matches(':').count() < 5 {
                        PVal::Arn(None, None)
                    } else {
                        let ts = parts.map(|p| Template::parse(p, vars));
                        let ms = if ts.iter().all(|t| !t.has_vars()) {
                            Some(Box::new(parts.map(Matcher::new)))
                        } else {
                            None
                        };
                        PVal::Arn(Some(Box::new(ts)), ms)
                    }
                }
                OpKind::Null => PVal::Null(values::parse_bool(v)),
                _ => PVal::Null(None),
            })
            .collect::<Vec<_>>();
        let has_vars = values.iter().any(|v| match v {
            PVal::Str(t, _) => t.has_vars(),
            PVal::Arn(Some(_), None) => true,
            _ => false,
        });
        CondEntry {
            op,
            key_lower: key.to_ascii_lowercase().into(),
            key: key.into(),
            values,
            has_vars,
        }
    }

    /// Keys of policy variables used in the values.
    pub(crate) fn var_keys(&self) -> impl Iterator<Item = &str> {
        self.values.iter().flat_map(|v| {
            let it: Box<dyn Iterator<Item = &str>> = match v {
                PVal::Str(t, _) => Box::new(t.var_keys()),
                PVal::Arn(Some(parts), _) => Box::new(parts.iter().flat_map(|p| p.var_keys())),
                _ => Box::new(std::iter::empty()),
            };
            it
        })
    }

    /// Evaluates against the context. Missing keys (the condition key or a
    /// variable's key) are reported through `missing`.
    pub(crate) fn eval(&self, ctx: &Context, missing: &mut dyn FnMut(&str)) -> bool {
        let cv = ctx.get_lower(&self.key_lower);
        let present = cv.is_some_and(|v| !v.values.is_empty());
        if self.op.kind == OpKind::Null {
            if !present {
                missing(&self.key);
            }
            return self.values.iter().any(|v| match v {
                PVal::Null(Some(want_null)) => *want_null != present,
                _ => false,
            });
        }
        let Some(cv) = cv.filter(|_| present) else {
            missing(&self.key);
            if self.op.if_exists {
                return true;
            }
            return match self.op.set {
                Some(SetOp::ForAllValues) => true,
                Some(SetOp::ForAnyValue) => false,
                None => self.op.kind.negated(),
            };
        };
        let neg = self.op.kind.negated();
        let pos = self.op.kind.positive();
        let vals = &cv.values;
        if !self.has_vars {
            let m = |r: &Scalar| self.values.iter().any(|p| matches_plain(pos, p, r));
            return match self.op.set {
                None => vals.iter().any(m) != neg,
                Some(SetOp::ForAnyValue) => vals.iter().any(|r| m(r) != neg),
                Some(SetOp::ForAllValues) => vals.iter().all(|r| m(r) != neg),
            };
        }
        // Resolve variables once.
        let mut resolved: Vec<ResolvedVal> = Vec::with_capacity(self.values.len());
        let mut unresolved = false;
        for v in &self.values {
            match v {
                PVal::Str(t, m) => {
                    match t.resolve(ctx, self.op.kind.positive() == OpKind::StringLike) {
                        Ok(r) => resolved.push(ResolvedVal::Str(r, m.as_ref())),
                        Err(k) => {
                            missing(k);
                            unresolved = true;
                        }
                    }
                }
                PVal::Arn(Some(parts), _) => {
                    let mut rs = Vec::with_capacity(6);
                    for p in parts.iter() {
                        match p.resolve(ctx, true) {
                            Ok(r) => rs.push(r),
                            Err(k) => {
                                missing(k);
                                unresolved = true;
                            }
                        }
                    }
                    if rs.len() == 6 {
                        resolved.push(ResolvedVal::Arn(rs));
                    }
                }
                other => resolved.push(ResolvedVal::Other(other)),
            }
        }
        if unresolved {
            return false;
        }
        // m(r): the request value matches some policy value (positive operator).
        let m = |r: &Scalar| resolved.iter().any(|p| matches_one(pos, p, r));
        match self.op.set {
            None => vals.iter().any(m) != neg,
            Some(SetOp::ForAnyValue) => vals.iter().any(|r| m(r) != neg),
            Some(SetOp::ForAllValues) => vals.iter().all(|r| m(r) != neg),
        }
    }
}

enum ResolvedVal<'a> {
    Str(wildcard::Resolved<'a>, Option<&'a Matcher>),
    Arn(Vec<wildcard::Resolved<'a>>),
    Other(&'a PVal),
}

fn req_number(r: &Scalar) -> Option<f64> {
    match r {
        Scalar::Number(n) => Some(*n),
        Scalar::String(s) => values::parse_number(s),
        _ => None,
    }
}

fn req_date(r: &Scalar) -> Option<i128> {
    match r {
        Scalar::Date(d) => Some(*d),
        Scalar::Number(n) => Some((*n * 1e9) as i128),
        Scalar::String(s) => values::parse_date(s),
        _ => None,
    }
}

fn matches_plain(kind: OpKind, p: &PVal, r: &Scalar) -> bool {
    match p {
        PVal::Str(t, m) => {
            let pt = t.plain().unwrap_or("");
            let text = r.as_text();
            match kind {
                OpKind::StringEquals => pt == text,
                OpKind::StringEqualsIgnoreCase => {
                    pt.eq_ignore_ascii_case(&text) || pt.to_lowercase() == text.to_lowercase()
                }
                OpKind::StringLike => m.as_ref().is_some_and(|m| m.matches(&text, false)),
                _ => false,
            }
        }
        PVal::Arn(_, Some(ms)) => {
            let text = r.as_text();
            if text.matches(':').count() < 5 {
                return false;
            }
            let rp = wildcard::arn_parts(&text);
            ms.iter().zip(rp.iter()).all(|(m, r)| m.matches(r, false))
        }
        PVal::Arn(..) => false,
        other => matches_one(kind, &ResolvedVal::Other(other), r),
    }
}

fn matches_one(kind: OpKind, p: &ResolvedVal, r: &Scalar) -> bool {
    match p {
        ResolvedVal::Str(t, m) => {
            let text = r.as_text();
            match kind {
                OpKind::StringEquals => t.text() == text,
                OpKind::StringEqualsIgnoreCase => {
                    let pt = t.text();
                    pt.eq_ignore_ascii_case(&text) || pt.to_lowercase() == text.to_lowercase()
                }
                OpKind::StringLike => match m {
                    Some(m) => m.matches(&text, false),
                    None => t.glob(&text, false),
                },
                _ => false,
            }
        }
        ResolvedVal::Arn(parts) => {
            let text = r.as_text();
            if text.matches(':').count() < 5 {
                return false;
            }
            let rp = wildcard::arn_parts(&text);
            parts.iter().zip(rp.iter()).all(|(p, r)| p.glob(r, false))
        }
        ResolvedVal::Other(v) => match v {
            PVal::Num(Some(p)) => {
                let Some(x) = req_number(r) else { return false };
                match kind {
                    OpKind::NumericEquals => x == *p,
                    OpKind::NumericLessThan => x < *p,
                    OpKind::NumericLessThanEquals => x <= *p,
                    OpKind::NumericGreaterThan => x > *p,
                    OpKind::NumericGreaterThanEquals => x >= *p,
                    _ => false,
                }
            }
            PVal::Date(Some(p)) => {
                let Some(x) = req_date(r) else { return false };
                match kind {
                    OpKind::DateEquals => x == *p,
                    OpKind::DateLessThan => x < *p,
                    OpKind::DateLessThanEquals => x <= *p,
                    OpKind::DateGreaterThan => x > *p,
                    OpKind::DateGreaterThanEquals => x >= *p,
                    _ => false,
                }
            }
            PVal::Bool(Some(p)) => match r {
                Scalar::Bool(b) => b == p,
                Scalar::String(s) => values::parse_bool(s) == Some(*p),
                _ => false,
            },
            PVal::Bin(Some(p)) => match r {
                Scalar::Binary(b) => b == p,
                Scalar::String(s) => values::b64::decode(s).as_ref() == Some(p),
                _ => false,
            },
            PVal::Ip(Some(c)) => match r {
                Scalar::Ip(ip) => c.contains(ip),
                Scalar::String(s) => s.trim().parse().is_ok_and(|ip| c.contains(&ip)),
                _ => false,
            },
            _ => false,
        },
    }
}
