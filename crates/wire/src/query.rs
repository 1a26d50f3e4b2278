//! Splitting a form body or query string into parameters, strictly: every byte sequence is
//! either decoded to UTF-8 parameters with distinct names, or refused with an AWS error.

use std::collections::BTreeMap;

use percent_encoding::percent_decode;

use crate::ApiError;

/// The request's parameters by name, sorted (so `Prefix.member.N` children are contiguous).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryParams {
    map: BTreeMap<String, String>,
}

impl QueryParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// Parameters whose names start with `prefix`, in name order.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.map
            .range(prefix.to_string()..)
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
    /// Sets one parameter (building parameters in code rather than parsing them).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.map.insert(name.into(), value.into());
    }
    pub fn contains_prefix(&self, prefix: &str) -> bool {
        self.with_prefix(prefix).next().is_some()
    }
    /// Adds parameters from another source (a POST's query string beside its body).
    pub fn merge(&mut self, other: QueryParams) -> Result<(), ApiError> {
        for (k, v) in other.map {
            if self.map.contains_key(&k) {
                return Err(duplicate(&k));
            }
            self.map.insert(k, v);
        }
        Ok(())
    }
}

fn duplicate(name: &str) -> ApiError {
    ApiError::validation(format!(
        "The parameter {name} was specified more than once."
    ))
}

fn malformed(message: &str) -> ApiError {
    ApiError::new("MalformedQueryString", 400, message)
}

fn decode_component(raw: &[u8]) -> Result<String, ApiError> {
    // `+` is a space in application/x-www-form-urlencoded.
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let bytes: Vec<u8> = percent_decode(&plus_as_space).collect();
    String::from_utf8(bytes).map_err(|_| malformed("The query string is not valid UTF-8."))
}

/// Parses `a=1&b=2` (a form body or a URL's query string).
pub fn parse_query(raw: &[u8]) -> Result<QueryParams, ApiError> {
    let mut map = BTreeMap::new();
    for pair in raw.split(|&b| b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let key = decode_component(k)?;
        if key.is_empty() {
            return Err(malformed(
                "The query string contains a parameter with no name.",
            ));
        }
        let value = decode_component(v)?;
        if map.insert(key.clone(), value).is_some() {
            return Err(duplicate(&key));
        }
    }
    Ok(QueryParams { map })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_form_encoding() {
        let q = parse_query(b"Action=CreateUser&UserName=a%2Bb+c&Empty=&Flag").unwrap();
        assert_eq!(q.get("Action"), Some("CreateUser"));
        assert_eq!(q.get("UserName"), Some("a+b c"));
        assert_eq!(q.get("Empty"), Some(""));
        assert_eq!(q.get("Flag"), Some(""));
    }

    #[test]
    fn refuses_duplicates_and_bad_utf8() {
        assert_eq!(parse_query(b"A=1&A=2").unwrap_err().code, "ValidationError");
        assert_eq!(
            parse_query(b"A=%FF").unwrap_err().code,
            "MalformedQueryString"
        );
        assert_eq!(parse_query(b"=x").unwrap_err().code, "MalformedQueryString");
    }

    #[test]
    fn prefix_scan_is_contiguous() {
        let q = parse_query(b"Tags.member.1.Key=a&Tags.member.2.Key=b&Tagz=1&Ta=0").unwrap();
        let keys: Vec<_> = q.with_prefix("Tags.").map(|(k, _)| k).collect();
        assert_eq!(keys, vec!["Tags.member.1.Key", "Tags.member.2.Key"]);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_query(&bytes);
        }

        #[test]
        fn round_trips_encoded_pairs(k in "[A-Za-z.]{1,10}", v in "\\PC{0,20}") {
            let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
            let raw = format!("{}={}", enc(&k), enc(&v));
            let q = parse_query(raw.as_bytes()).unwrap();
            prop_assert_eq!(q.get(&k), Some(v.as_str()));
        }
    }
}
