//! An event's `requestParameters`: the validated input written as JSON text in one walk over
//! the value and its shape. Members are in lowerCamelCase and timestamps in ISO 8601, as
//! CloudTrail spells them; members the model marks sensitive, and members whose names carry a
//! secret (`redact`), are hidden whatever their shapes; a forwarded request (`Authorize`) keeps
//! only its `host` header, and a presigned query its parameters but not their secrets.

use iamd_wire::{Model, ShapeKind, Value};

use super::json_out::JsonOut;
use super::redact::{HIDDEN, is_secret, redact_query};

/// The shape of a forwarded request's headers (`Authorize`, iamd's model).
const FORWARDED_HEADERS: &str = "HeaderMap";

/// The members that name an event's resources, for `LookupEvents`: (member, resource type).
pub const RESOURCE_MEMBERS: &[(&str, &str)] = &[
    ("userName", "AWS::IAM::User"),
    ("groupName", "AWS::IAM::Group"),
    ("roleName", "AWS::IAM::Role"),
    ("roleArn", "AWS::IAM::Role"),
    ("policyArn", "AWS::IAM::Policy"),
    ("policyName", "AWS::IAM::Policy"),
    ("instanceProfileName", "AWS::IAM::InstanceProfile"),
    ("accessKeyId", "AWS::IAM::AccessKey"),
    ("serialNumber", "AWS::IAM::MFADevice"),
    ("openIDConnectProviderArn", "AWS::IAM::OIDCProvider"),
    ("serverCertificateName", "AWS::IAM::ServerCertificate"),
];

/// The written parameters and the resources their top-level members name.
pub struct Written {
    pub json: String,
    pub resources: Vec<(&'static str, String)>,
}

/// `UserName` → `userName`.
pub fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut c = name.chars();
    if let Some(f) = c.next() {
        out.extend(f.to_lowercase());
        out.push_str(c.as_str());
    }
    out
}

/// The input `v` of shape `shape` as `requestParameters`; `None` when it has no members.
pub fn request_parameters(
    model: Option<&Model>,
    shape: Option<usize>,
    v: &Value,
) -> Option<Written> {
    let mut w = Walk {
        model,
        out: JsonOut::with_capacity(256),
        resources: Vec::new(),
    };
    w.value(shape, v, true);
    if w.out.is_empty_object() {
        return None;
    }
    // In the table's order, whatever the input's.
    w.resources.sort_by_key(|(i, _)| *i);
    Some(Written {
        json: w.out.into_string(),
        resources: w
            .resources
            .into_iter()
            .map(|(i, name)| (RESOURCE_MEMBERS[i].1, name))
            .collect(),
    })
}

struct Walk<'m> {
    model: Option<&'m Model>,
    out: JsonOut,
    /// (index in [`RESOURCE_MEMBERS`], name).
    resources: Vec<(usize, String)>,
}

impl Walk<'_> {
    fn sensitive(&self, shape: Option<usize>) -> bool {
        matches!((self.model, shape), (Some(m), Some(i)) if m.shape(i).sensitive)
    }

    fn kind(&self, shape: Option<usize>) -> Option<&ShapeKind> {
        Some(&self.model?.shape(shape?).kind)
    }

    fn member_shape(&self, shape: Option<usize>, name: &str) -> Option<usize> {
        match self.kind(shape)? {
            ShapeKind::Structure { members, .. } => {
                members.iter().find(|(n, _)| n == name).map(|(_, s)| *s)
            }
            _ => None,
        }
    }

    fn value(&mut self, shape: Option<usize>, v: &Value, top: bool) {
        self.out.sep();
        if self.sensitive(shape) {
            self.out.str(HIDDEN);
            return;
        }
        match v {
            Value::Struct(m) => {
                self.out.byte(b'{');
                for (k, fv) in m {
                    let ms = self.member_shape(shape, k);
                    self.member(&lower_camel(k), ms, fv, top);
                }
                self.out.byte(b'}');
            }
            Value::Map(m) => {
                let (vs, forwarded) = match (self.kind(shape), self.model, shape) {
                    (Some(ShapeKind::Map { value, .. }), Some(model), Some(i)) => {
                        (Some(*value), model.shape(i).name == FORWARDED_HEADERS)
                    }
                    _ => (None, false),
                };
                self.out.byte(b'{');
                // A forwarded request is recorded by what it asked, not by how it was signed.
                for (k, fv) in m {
                    if !forwarded || k.eq_ignore_ascii_case("host") {
                        self.member(k, vs, fv, false);
                    }
                }
                self.out.byte(b'}');
            }
            Value::List(l) => {
                let ms = match self.kind(shape) {
                    Some(ShapeKind::List { member, .. }) => Some(*member),
                    _ => None,
                };
                self.out.byte(b'[');
                for i in l {
                    self.value(ms, i, false);
                }
                self.out.byte(b']');
            }
            scalar => self.scalar(scalar),
        }
    }

    fn member(&mut self, name: &str, shape: Option<usize>, v: &Value, top: bool) {
        self.out.key(name);
        if self.sensitive(shape) {
            self.out.str(HIDDEN);
        } else if is_secret(name) {
            self.hidden(shape, v);
        } else if let (true, Value::Str(q)) = (name == "query", v) {
            self.out.str(&redact_query(q));
        } else {
            if let (true, Value::Str(s)) = (top, v)
                && let Some(i) = RESOURCE_MEMBERS.iter().position(|(m, _)| *m == name)
                && !self
                    .resources
                    .iter()
                    .any(|(j, n)| RESOURCE_MEMBERS[*j].1 == RESOURCE_MEMBERS[i].1 && n == s)
            {
                self.resources.push((i, s.clone()));
            }
            self.value(shape, v, false);
        }
    }

    /// A secret member: a structure keeps its shape (a credentials structure shows its key id
    /// and expiry), anything else is hidden whole.
    fn hidden(&mut self, shape: Option<usize>, v: &Value) {
        let (m, is_struct) = match v {
            Value::Struct(m) => (m, true),
            Value::Map(m) => (m, false),
            _ => {
                self.out.str(HIDDEN);
                return;
            }
        };
        let vs = match self.kind(shape) {
            Some(ShapeKind::Map { value, .. }) => Some(*value),
            _ => None,
        };
        self.out.byte(b'{');
        for (k, iv) in m {
            let (name, ms) = if is_struct {
                (lower_camel(k), self.member_shape(shape, k))
            } else {
                (k.clone(), vs)
            };
            if name == "accessKeyId" || name == "expiration" {
                self.member(&name, ms, iv, false);
            } else {
                self.out.key(&name);
                self.out.str(HIDDEN);
            }
        }
        self.out.byte(b'}');
    }

    fn scalar(&mut self, v: &Value) {
        match v {
            Value::Str(s) => self.out.str(s),
            Value::Int(i) => self.out.int(*i),
            Value::Double(f) => self.out.double(*f),
            Value::Bool(b) => self.out.bool(*b),
            Value::Time(t) => self.out.str(&iamd_wire::iso8601(*t)),
            Value::Blob(b) => {
                use base64::Engine;
                self.out
                    .str(&base64::engine::general_purpose::STANDARD.encode(b))
            }
            // Containers are written by `value`.
            Value::List(_) | Value::Map(_) | Value::Struct(_) => self.out.raw("null"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, Value as J, json};

    /// The reference: the input as a tree (members in lowerCamelCase), then `redact` over it;
    /// the walk must write the same document.
    fn reference(v: &Value) -> J {
        fn tree(v: &Value) -> J {
            match v {
                Value::Struct(m) => {
                    J::Object(m.iter().map(|(k, v)| (lower_camel(k), tree(v))).collect())
                }
                Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), tree(v))).collect()),
                Value::List(l) => J::Array(l.iter().map(tree).collect()),
                other => other.to_json(),
            }
        }
        let mut j = tree(v);
        super::super::redact::redact(&mut j);
        j
    }

    fn reference_resources(j: &J) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        for (member, ty) in RESOURCE_MEMBERS {
            if let Some(J::String(v)) = j.get(*member)
                && !out.iter().any(|(t, n)| t == ty && n == v)
            {
                out.push((ty, v.clone()));
            }
        }
        out
    }

    /// Names that exercise every rule: secrets, credentials, a query, resources, plain ones.
    const NAMES: &[&str] = &[
        "UserName",
        "RoleArn",
        "PolicyName",
        "AccessKeyId",
        "Expiration",
        "Password",
        "SecretAccessKey",
        "Credentials",
        "Query",
        "query",
        "Path",
        "Tags",
        "Key",
        "Value",
        "authorization",
        "host",
        "x-amz-security-token",
    ];

    fn value() -> impl Strategy<Value = Value> {
        let name = proptest::sample::select(NAMES).prop_map(str::to_string);
        let leaf = prop_oneof![
            "[a-zA-Z0-9=&:/\"\\\\ -]{0,12}".prop_map(Value::Str),
            any::<i64>().prop_map(Value::Int),
            any::<bool>().prop_map(Value::Bool),
        ];
        leaf.prop_recursive(4, 40, 5, move |inner| {
            let n = name.clone();
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
                proptest::collection::btree_map(n.clone(), inner.clone(), 0..5)
                    .prop_map(|m| Value::Struct(m.into_iter().collect())),
                proptest::collection::btree_map(n, inner, 0..5)
                    .prop_map(|m| Value::Map(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn the_walk_writes_what_the_tree_and_redact_give(
            members in proptest::collection::btree_map(
                proptest::sample::select(NAMES).prop_map(str::to_string), value(), 0..6)
        ) {
            let v = Value::Struct(members.into_iter().collect());
            let want = reference(&v);
            match request_parameters(None, None, &v) {
                None => prop_assert_eq!(&want, &J::Object(Map::new())),
                Some(w) => {
                    let got: J = serde_json::from_str(&w.json).unwrap();
                    prop_assert_eq!(&got, &want);
                    prop_assert_eq!(w.resources, reference_resources(&want));
                }
            }
        }
    }

    #[test]
    fn sensitive_members_and_forwarded_headers_follow_the_model() {
        let model = &*Model::get();
        let op = |name: &str| model.operation(name).unwrap().input;
        let v = Value::Struct(vec![
            ("UserName".into(), Value::Str("alice".into())),
            ("Password".into(), Value::Str("hunter2".into())),
        ]);
        let w = request_parameters(Some(model), op("CreateLoginProfile"), &v).unwrap();
        assert!(!w.json.contains("hunter2"), "{}", w.json);
        assert_eq!(w.resources, vec![("AWS::IAM::User", "alice".to_string())]);
        let forwarded = serde_json::from_value::<J>(json!({
            "Request": {"Method": "GET", "Path": "/b/k", "Query": "X-Amz-Signature=abc&a=1",
                        "Headers": {"host": "s3.test", "authorization": "sig", "x-amz-date": "d"}},
            "Checks": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k"}],
        }))
        .unwrap();
        let auth = model.operation("Authorize").unwrap();
        let v = iamd_wire::decode_typed(
            model,
            auth,
            &iamd_wire::Params(Value::from_json(&forwarded)),
        )
        .unwrap()
        .0;
        let w = request_parameters(Some(model), op("Authorize"), &v).unwrap();
        let j: J = serde_json::from_str(&w.json).unwrap();
        assert_eq!(j["request"]["headers"], json!({"host": "s3.test"}));
        assert!(!w.json.contains("abc"), "{}", w.json);
        assert_eq!(j["checks"][0]["action"], "s3:GetObject");
    }
}
