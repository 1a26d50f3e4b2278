//! Tags on IAM entities: parsing from a request, merging, removing, listing.
//!
//! On users and roles AWS treats tag keys case-insensitively and keeps their case: `Dept` and
//! `dept` are one key, and a request naming both is refused.

use iamd_wire::{Params, Value};

use crate::pagination::page_slice;
use crate::records::Tag;
use crate::{IamError, Quota};

fn same_key(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// The `Tags` member of a request (already validated against the model's patterns).
pub fn from_params(params: &Params) -> Result<Vec<Tag>, IamError> {
    let mut tags: Vec<Tag> = Vec::new();
    for t in params.list("Tags").unwrap_or_default() {
        let key = t.get("Key").and_then(Value::as_str).unwrap_or_default();
        let value = t.get("Value").and_then(Value::as_str).unwrap_or_default();
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(IamError::invalid_input(
                "Tag keys starting with 'aws:' are reserved for use by AWS.",
            ));
        }
        if tags.iter().any(|t| same_key(&t.key, key)) {
            return Err(IamError::invalid_input(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        tags.push(Tag {
            key: key.to_string(),
            value: value.to_string(),
        });
    }
    Ok(tags)
}

/// Adds or overwrites `new` tags on `tags`, within the per-resource quota.
pub fn merge(tags: &mut Vec<Tag>, new: Vec<Tag>, limit: usize) -> Result<(), IamError> {
    let mut merged = tags.clone();
    for t in new {
        match merged.iter_mut().find(|e| same_key(&e.key, &t.key)) {
            Some(existing) => existing.value = t.value,
            None => merged.push(t),
        }
    }
    if merged.len() > limit {
        return Err(IamError::limit_exceeded(Quota::TagsPerResource, limit));
    }
    *tags = merged;
    Ok(())
}

/// Removes the tags named by `TagKeys` (missing keys are ignored, as AWS does).
pub fn remove(tags: &mut Vec<Tag>, params: &Params) {
    let keys: Vec<&str> = params
        .list("TagKeys")
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    tags.retain(|t| !keys.iter().any(|k| same_key(k, &t.key)));
}

pub fn to_value(tags: &[Tag]) -> Value {
    Value::List(
        tags.iter()
            .map(|t| {
                Value::object()
                    .with("Key", t.key.as_str())
                    .with("Value", t.value.as_str())
            })
            .collect(),
    )
}

/// `ListXxxTags`: `Tags`, `IsTruncated`, `Marker`.
pub fn list(tags: &[Tag], params: &Params) -> Result<Value, IamError> {
    let page = page_slice(tags, params.str("Marker"), params.int("MaxItems"))?;
    Ok(page.finish(Value::object().with("Tags", to_value(&page.items))))
}

/// Adds `Tags` as an empty list to a structure that has none: for answers where AWS always sends
/// the member, e.g. GetPolicy's and GetInstanceProfile's `<Tags/>` for an entity without tags
/// (GetPolicy: customer or AWS managed,
/// (observed in LocalStack's AWS-recorded snapshots,
/// tests/aws/services/iam/test_iam_policies.snapshot.json `get-policy-response` and
/// test_iam_managed_policies.snapshot.json `get-policy`).
pub fn always(v: Value) -> Value {
    if v.get("Tags").is_some() {
        v
    } else {
        v.with("Tags", Value::List(Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(k: &str, v: &str) -> Tag {
        Tag {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn merge_overwrites_case_insensitively_and_enforces_quota() {
        let mut tags = vec![t("Dept", "a")];
        merge(&mut tags, vec![t("dept", "b"), t("Team", "x")], 50).unwrap();
        assert_eq!(tags, vec![t("Dept", "b"), t("Team", "x")]);
        let e = merge(&mut tags, vec![t("c", "1")], 2).unwrap_err();
        assert!(matches!(
            e,
            IamError::LimitExceeded {
                quota: Quota::TagsPerResource,
                limit: 2
            }
        ));
        assert_eq!(e.to_api().code, "LimitExceeded");
        assert_eq!(tags.len(), 2, "a refused merge changes nothing");
    }
}
