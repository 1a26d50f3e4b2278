//! The trimmed botocore service models, loaded once.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use regex::Regex;
use serde::Deserialize;

/// Which service an operation belongs to. IAM and STS speak the Query protocol; of CloudTrail,
/// iamd answers `LookupEvents` (JSON 1.1 protocol) over its own audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Iam,
    Sts,
    CloudTrail,
    /// iamd's own API for other services (`POST /_iamd/authorize`, JSON).
    Iamd,
}

impl Service {
    /// The SigV4 scope and ARN service name.
    pub fn name(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::Sts => "sts",
            Service::CloudTrail => "cloudtrail",
            Service::Iamd => "iamd",
        }
    }
    pub fn version(self) -> &'static str {
        match self {
            Service::Iam => "2010-05-08",
            Service::Sts => "2011-06-15",
            Service::CloudTrail => "2013-11-01",
            Service::Iamd => "2026-12-01",
        }
    }
    pub fn namespace(self) -> &'static str {
        match self {
            Service::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Service::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
            Service::CloudTrail => "http://cloudtrail.amazonaws.com/doc/2013-11-01/",
            Service::Iamd => "https://iamd.dev/doc/2026-12-01/",
        }
    }
    /// The `eventSource` of the service's events in an audit trail.
    pub fn event_source(self) -> &'static str {
        match self {
            Service::Iam => "iam.amazonaws.com",
            Service::Sts => "sts.amazonaws.com",
            Service::CloudTrail => "cloudtrail.amazonaws.com",
            Service::Iamd => "iamd",
        }
    }
    /// Whether the service speaks the Query protocol (`Action=…&Version=…`).
    pub fn is_query(self) -> bool {
        !matches!(self, Service::CloudTrail | Service::Iamd)
    }
}

#[derive(Debug, Deserialize)]
struct RawModel {
    operations: HashMap<String, RawOperation>,
    shapes: HashMap<String, RawShape>,
}

#[derive(Debug, Deserialize)]
struct RawOperation {
    input: Option<RawRef>,
    output: Option<RawOutputRef>,
}

#[derive(Debug, Deserialize)]
struct RawRef {
    shape: String,
}

#[derive(Debug, Deserialize)]
struct RawOutputRef {
    shape: String,
    #[serde(rename = "resultWrapper")]
    result_wrapper: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawShape {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    members: indexmap::IndexMap<String, RawRef>,
    #[serde(default)]
    required: Vec<String>,
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<String>,
    #[serde(rename = "enum")]
    enumeration: Option<Vec<String>>,
    member: Option<RawRef>,
    key: Option<RawRef>,
    value: Option<RawRef>,
    #[serde(default)]
    flattened: bool,
    #[serde(default)]
    sensitive: bool,
}

/// A shape's type, with its children resolved to indexes into [`Model::shapes`].
#[derive(Debug, Clone, PartialEq)]
pub enum ShapeKind {
    Structure {
        /// Member names in the model's order (which is the XML element order).
        members: Vec<(String, usize)>,
        required: Vec<String>,
    },
    List {
        member: usize,
        flattened: bool,
    },
    Map {
        key: usize,
        value: usize,
    },
    String,
    Integer,
    Long,
    Boolean,
    Timestamp,
    Blob,
    Double,
}

/// One shape of the model.
#[derive(Debug)]
pub struct Shape {
    pub name: String,
    pub kind: ShapeKind,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub pattern: Option<String>,
    pub enumeration: Option<Vec<String>>,
    /// Passwords, secrets: never echoed in error messages.
    pub sensitive: bool,
    regex: OnceLock<Option<Regex>>,
    /// A structure's members in the order AWS lists their violations, with their lowerCamel
    /// names (built on first use).
    listing: OnceLock<Vec<(usize, String)>>,
}

impl Shape {
    /// The compiled `pattern`, anchored as Java's `matches()` anchors it, or `None` when the
    /// shape has none or Rust's regex cannot express it (look-arounds); such shapes are
    /// validated by the operation itself.
    pub fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| {
                let p = self.pattern.as_deref()?;
                Regex::new(&format!("^(?:{})$", java_to_rust_pattern(p))).ok()
            })
            .as_ref()
    }

    /// A structure's members as (index into `members`, lowerCamel name), in the order AWS
    /// lists their violations (see `violation_order`); empty for other shapes.
    pub(crate) fn listing(&self) -> &[(usize, String)] {
        self.listing.get_or_init(|| {
            let ShapeKind::Structure { members, .. } = &self.kind else {
                return Vec::new();
            };
            let names: Vec<String> = members.iter().map(|(n, _)| lower_camel(n)).collect();
            crate::violation_order::listing_order(&names)
                .into_iter()
                .filter_map(|i| Some((i, names.get(i)?.clone())))
                .collect()
        })
    }
}

/// AWS names members in messages in lowerCamelCase: `UserName` → `userName`.
pub(crate) fn lower_camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// botocore's patterns are Java regexes: `\w` and `\d` mean ASCII there, Unicode in Rust.
fn java_to_rust_pattern(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 16);
    let mut in_class = false;
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('w') if in_class => out.push_str("[:word:]"),
                Some('w') => out.push_str("[[:word:]]"),
                Some('d') if in_class => out.push_str("0-9"),
                Some('d') => out.push_str("[0-9]"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// One operation: its input shape and its output shape and result wrapper element.
#[derive(Debug, Clone)]
pub struct Operation {
    pub name: String,
    pub service: Service,
    pub input: Option<usize>,
    pub output: Option<usize>,
    pub result_wrapper: Option<String>,
}

/// Both services' models. Cheap to share (`Arc`); load once with [`Model::get`].
#[derive(Debug)]
pub struct Model {
    pub shapes: Vec<Shape>,
    operations: HashMap<String, Operation>,
}

const IAM_MODEL: &str = include_str!("../model/iam.json");
const STS_MODEL: &str = include_str!("../model/sts.json");
const CLOUDTRAIL_MODEL: &str = include_str!("../model/cloudtrail.json");
/// iamd's own operations, written in the botocore model format (not generated).
const IAMD_MODEL: &str = include_str!("../model/iamd.json");

impl Model {
    /// The process-wide model, parsed on first use.
    pub fn get() -> Arc<Model> {
        static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
        MODEL
            .get_or_init(|| match Model::load() {
                Ok(m) => Arc::new(m),
                // The models are compiled into the binary and checked by a test: this cannot
                // fail at run time unless the build itself is broken.
                Err(e) => unreachable_model(&e),
            })
            .clone()
    }

    fn load() -> Result<Model, String> {
        let mut model = Model {
            shapes: Vec::new(),
            operations: HashMap::new(),
        };
        for (service, text) in [
            (Service::Iam, IAM_MODEL),
            (Service::Sts, STS_MODEL),
            (Service::CloudTrail, CLOUDTRAIL_MODEL),
            (Service::Iamd, IAMD_MODEL),
        ] {
            model.add(service, text)?;
        }
        Ok(model)
    }

    fn add(&mut self, service: Service, text: &str) -> Result<(), String> {
        let raw: RawModel = serde_json::from_str(text).map_err(|e| e.to_string())?;
        // Shape names are per service: index them per service.
        let base = self.shapes.len();
        let mut names: Vec<&String> = raw.shapes.keys().collect();
        names.sort();
        let index: HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), base + i))
            .collect();
        let idx = |r: &RawRef| -> Result<usize, String> {
            index
                .get(r.shape.as_str())
                .copied()
                .ok_or_else(|| format!("unknown shape {}", r.shape))
        };
        for name in names {
            let s = &raw.shapes[name];
            let kind = match s.kind.as_str() {
                "structure" => ShapeKind::Structure {
                    members: s
                        .members
                        .iter()
                        .map(|(n, r)| Ok((n.clone(), idx(r)?)))
                        .collect::<Result<_, String>>()?,
                    required: s.required.clone(),
                },
                "list" => ShapeKind::List {
                    member: idx(s.member.as_ref().ok_or("list without member")?)?,
                    flattened: s.flattened,
                },
                "map" => ShapeKind::Map {
                    key: idx(s.key.as_ref().ok_or("map without key")?)?,
                    value: idx(s.value.as_ref().ok_or("map without value")?)?,
                },
                "string" => ShapeKind::String,
                "integer" => ShapeKind::Integer,
                "long" => ShapeKind::Long,
                "boolean" => ShapeKind::Boolean,
                "timestamp" => ShapeKind::Timestamp,
                "blob" => ShapeKind::Blob,
                "double" | "float" => ShapeKind::Double,
                other => return Err(format!("shape {name}: unsupported type {other}")),
            };
            self.shapes.push(Shape {
                name: name.clone(),
                kind,
                min: s.min,
                max: s.max,
                pattern: s.pattern.clone(),
                enumeration: s.enumeration.clone(),
                sensitive: s.sensitive,
                regex: OnceLock::new(),
                listing: OnceLock::new(),
            });
        }
        for (name, op) in raw.operations {
            let operation = Operation {
                name: name.clone(),
                service,
                input: op.input.as_ref().map(&idx).transpose()?,
                output: op
                    .output
                    .as_ref()
                    .map(|o| {
                        idx(&RawRef {
                            shape: o.shape.clone(),
                        })
                    })
                    .transpose()?,
                result_wrapper: op.output.and_then(|o| o.result_wrapper),
            };
            self.operations.insert(name, operation);
        }
        Ok(())
    }

    /// The operation named `action`, if either service has it.
    pub fn operation(&self, action: &str) -> Option<&Operation> {
        self.operations.get(action)
    }

    /// Every operation of both services.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.operations.values()
    }

    pub fn shape(&self, i: usize) -> &Shape {
        &self.shapes[i]
    }
}

#[allow(clippy::panic)]
fn unreachable_model(e: &str) -> ! {
    panic!("the embedded botocore model is invalid: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_models_load_with_every_operation() {
        let m = Model::get();
        let iam = m.operations().filter(|o| o.service == Service::Iam).count();
        let sts = m.operations().filter(|o| o.service == Service::Sts).count();
        assert_eq!(iam, 176);
        assert_eq!(sts, 11);
        let op = m.operation("CreateUser").unwrap();
        assert_eq!(op.result_wrapper.as_deref(), Some("CreateUserResult"));
    }

    #[test]
    fn every_pattern_compiles_except_lookarounds() {
        let m = Model::get();
        for s in &m.shapes {
            if let Some(p) = &s.pattern {
                if p.contains("(?!") {
                    assert!(s.regex().is_none());
                } else {
                    assert!(s.regex().is_some(), "{}: {p}", s.name);
                }
            }
        }
    }

    #[test]
    fn java_word_class_is_ascii() {
        let m = Model::get();
        let s = m.shapes.iter().find(|s| s.name == "userNameType").unwrap();
        let re = s.regex().unwrap();
        assert!(re.is_match("alice+bob=x,y.z@w-1_2"));
        assert!(!re.is_match("élodie"));
        assert!(!re.is_match("bad name"));
        assert!(!re.is_match(""));
    }

    #[test]
    fn path_pattern_is_anchored() {
        let m = Model::get();
        let s = m.shapes.iter().find(|s| s.name == "pathType").unwrap();
        let re = s.regex().unwrap();
        assert!(re.is_match("/"));
        assert!(re.is_match("/a/b/"));
        assert!(!re.is_match("/a"));
        assert!(!re.is_match("a/"));
    }
}
