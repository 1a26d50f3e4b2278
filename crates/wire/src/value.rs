//! Decoded inputs and to-be-encoded outputs: a small typed tree shaped by the model.

use time::OffsetDateTime;

/// One value of a model shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Double(f64),
    Bool(bool),
    Time(OffsetDateTime),
    Blob(Vec<u8>),
    List(Vec<Value>),
    /// A map shape: entries in order.
    Map(Vec<(String, Value)>),
    /// A structure: members in any order (the encoder follows the model's order).
    Struct(Vec<(String, Value)>),
}

impl Value {
    /// An empty structure, to build results with [`Value::with`].
    pub fn object() -> Value {
        Value::Struct(Vec::new())
    }

    /// Adds a member to a structure (builder style). Ignored on other kinds.
    #[must_use]
    pub fn with(mut self, name: &str, v: impl Into<Value>) -> Value {
        if let Value::Struct(m) = &mut self {
            m.push((name.to_string(), v.into()));
        }
        self
    }

    /// Adds a member when `v` is `Some`.
    #[must_use]
    pub fn with_opt(self, name: &str, v: Option<impl Into<Value>>) -> Value {
        match v {
            Some(v) => self.with(name, v),
            None => self,
        }
    }

    /// A structure's member.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Str(s.clone())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<u32> for Value {
    fn from(i: u32) -> Self {
        Value::Int(i64::from(i))
    }
}
impl From<OffsetDateTime> for Value {
    fn from(t: OffsetDateTime) -> Self {
        Value::Time(t)
    }
}
impl From<Vec<Value>> for Value {
    fn from(l: Vec<Value>) -> Self {
        Value::List(l)
    }
}

/// An operation's decoded and validated input: accessors by member name.
#[derive(Debug, Clone, PartialEq)]
pub struct Params(pub Value);

impl Params {
    pub fn empty() -> Params {
        Params(Value::object())
    }
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_int)
    }
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }
    pub fn list(&self, name: &str) -> Option<&[Value]> {
        self.get(name).and_then(Value::as_list)
    }
}
