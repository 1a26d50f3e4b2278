//! A JSON request body read straight into a [`Value`], without a `serde_json::Value` tree in
//! between. The result is the one [`Value::from_json`] gives for the same text: objects become
//! structures with their members sorted by name, a repeated member keeps its last value, `null`
//! members are left out, and a `null` elsewhere is an empty structure.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::Value;

impl Value {
    /// Parses one JSON document (nothing but whitespace after it).
    pub fn parse_json(text: &[u8]) -> Result<Value, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_slice(text);
        let v = ValueSeed.deserialize(&mut d)?;
        d.end()?;
        Ok(v.unwrap_or_else(Value::object))
    }
}

/// Reads one value; `None` for `null`.
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Value>, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Option<Value>, E> {
        Ok(Some(Value::Bool(b)))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Option<Value>, E> {
        Ok(Some(Value::Int(i)))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Option<Value>, E> {
        Ok(Some(match i64::try_from(u) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Double(u as f64),
        }))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Option<Value>, E> {
        Ok(Some(Value::Double(f)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<Value>, E> {
        Ok(Some(Value::Str(s.to_string())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Option<Value>, E> {
        Ok(Some(Value::Str(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Value>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(v) = seq.next_element_seed(ValueSeed)? {
            items.push(v.unwrap_or_else(Value::object));
        }
        Ok(Some(Value::List(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        let mut members: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(ValueSeed)?;
            let at = members.iter().position(|(k, _)| *k == key);
            match (at, value) {
                (Some(i), Some(v)) => members[i].1 = v,
                (Some(i), None) => {
                    members.remove(i);
                }
                (None, Some(v)) => members.push((key, v)),
                (None, None) => {}
            }
        }
        members.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Some(Value::Struct(members)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(text: &str) {
        let tree: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            Value::parse_json(text.as_bytes()).unwrap(),
            Value::from_json(&tree),
            "{text}"
        );
    }

    #[test]
    fn matches_the_tree_on_the_edges() {
        same(r#"{"b":1,"a":{"z":null,"y":[null,1.0,-3,18446744073709551615]}}"#);
        same(r#"{"a":1,"a":"last"}"#);
        same(r#"{"a":1,"a":null}"#);
        same(r#"{"a":null,"a":2}"#);
        same(r#"null"#);
        same(r#"[{"k":"\u00e9\n"}, true, false, 1e300]"#);
        assert!(Value::parse_json(b"{} x").is_err());
        assert!(Value::parse_json(b"{\"a\":").is_err());
        assert!(Value::parse_json(b"").is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(
            Value::parse_json(deep.as_bytes()).is_err(),
            "depth is limited"
        );
    }

    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            (-1e12f64..1e12).prop_map(serde_json::Value::from),
            "[a-c\\\\\"é\n]{0,6}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::vec(("[a-d]{0,2}", inner), 0..6)
                    .prop_map(|kv| { serde_json::Value::Object(kv.into_iter().collect()) }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn matches_the_tree(v in json()) {
            let text = serde_json::to_string(&v).unwrap();
            // Against the tree read from the same text: serde_json's float reading does not
            // round-trip every f64.
            let tree: serde_json::Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(Value::parse_json(text.as_bytes()).unwrap(), Value::from_json(&tree));
        }

        /// Objects written with repeated and `null` members, which no map can hold.
        #[test]
        fn matches_the_tree_with_repeated_members(
            members in prop::collection::vec(("[a-c]", prop::option::of(0i64..5)), 0..8)
        ) {
            let body: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("\"{k}\":{}", v.map_or("null".to_string(), |i| i.to_string())))
                .collect();
            same(&format!("{{{}}}", body.join(",")));
        }
    }
}
