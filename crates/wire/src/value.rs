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

impl Value {
    /// The value as JSON (structures and maps become objects, timestamps ISO-8601 strings,
    /// blobs base64), for handing a request to a serde type.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Str(s) => J::String(s.clone()),
            Value::Int(i) => J::from(*i),
            Value::Double(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Bool(b) => J::Bool(*b),
            Value::Time(t) => J::String(crate::iso8601(*t)),
            Value::Blob(b) => {
                use base64::Engine;
                J::String(base64::engine::general_purpose::STANDARD.encode(b))
            }
            Value::List(l) => J::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) | Value::Struct(m) => {
                J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// A JSON document as a value (objects become structures), for encoding a serde type's
    /// output with the model.
    pub fn from_json(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Struct(Vec::new()),
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Double(n.as_f64().unwrap_or_default()),
            },
            J::String(s) => Value::Str(s.clone()),
            J::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            J::Object(o) => Value::Struct(
                o.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}
