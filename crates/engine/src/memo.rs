//! Decisions remembered per principal.
//!
//! An identity-only decision (no resource-based policy) depends on the principal's policies, the
//! action, the resource and the values of the condition keys those policies reference, nothing
//! else. A principal's compiled set carries a memo keyed on exactly those, so a repeated request
//! skips evaluation. The memo lives and dies with the compiled set: whatever drops the set (a
//! policy, attachment, membership or tag change) drops its decisions too.
//!
//! Sets whose policies read the clock (`aws:CurrentTime`, `aws:EpochTime`,
//! `aws:MultiFactorAuthAge`) are not memoized: their keys would differ on every request. Nor are
//! sets that name a condition key through a policy variable, whose value the key can't name.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use iamd_policy::{CompiledPolicy, Context, Decision, PolicySet, Scalar};

/// Most decisions kept per principal; past it the memo starts over.
const CAPACITY: usize = 1024;

/// Keys whose values change from one request to the next by themselves.
const CLOCK_KEYS: [&str; 3] = ["aws:currenttime", "aws:epochtime", "aws:multifactorauthage"];

/// A remembered decision.
#[derive(Clone)]
pub struct Memoized {
    pub decision: Decision,
    pub statements: Arc<[String]>,
}

pub struct DecisionMemo {
    /// Referenced condition keys, lowercase; `None` when the set is not memoized.
    keys: Option<Vec<Box<str>>>,
    entries: Mutex<HashMap<String, Memoized>>,
}

impl DecisionMemo {
    /// The memo for `set`'s identity policies, boundary and session policies.
    pub fn for_set(set: &PolicySet) -> DecisionMemo {
        let policies: Vec<&Arc<CompiledPolicy>> = set
            .identity
            .iter()
            .chain(set.permissions_boundary.iter())
            .chain(set.session.iter().flatten())
            .collect();
        let mut keys: Vec<Box<str>> = Vec::new();
        let mut memoizable = true;
        for k in policies.iter().flat_map(|p| p.context_keys()) {
            let lower = k.to_ascii_lowercase();
            if lower.contains('$') || CLOCK_KEYS.contains(&lower.as_str()) {
                memoizable = false;
            }
            if !keys.iter().any(|o| **o == *lower) {
                keys.push(lower.into());
            }
        }
        DecisionMemo {
            keys: memoizable.then_some(keys),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The memo key of a request, or `None` when this set is not memoized.
    pub fn key(&self, action: &str, resource: &str, context: &Context) -> Option<String> {
        let keys = self.keys.as_ref()?;
        let mut k = String::with_capacity(action.len() + resource.len() + 16 * keys.len() + 2);
        k.push_str(action);
        k.push('\0');
        k.push_str(resource);
        for name in keys {
            // Length-prefixed, typed values: no two different contexts share a key.
            match context.get(name) {
                None => k.push_str("\0-"),
                Some(v) => {
                    k.push_str(if v.multi { "\0m" } else { "\0s" });
                    for s in &v.values {
                        let text = s.as_text();
                        let _ = write!(k, "{}{}:{text}", type_tag(s), text.len());
                    }
                }
            }
        }
        Some(k)
    }

    pub fn get(&self, key: &str) -> Option<Memoized> {
        self.lock().get(key).cloned()
    }

    pub fn insert(&self, key: String, decision: Decision, statements: Vec<String>) {
        let mut m = self.lock();
        if m.len() >= CAPACITY {
            m.clear();
        }
        m.insert(
            key,
            Memoized {
                decision,
                statements: statements.into(),
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Memoized>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn type_tag(s: &Scalar) -> char {
    match s {
        Scalar::String(_) => 's',
        Scalar::Number(_) => 'n',
        Scalar::Bool(_) => 'b',
        Scalar::Date(_) => 'd',
        Scalar::Ip(_) => 'i',
        Scalar::Binary(_) => 'x',
        Scalar::Arn(_) => 'a',
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamd_policy::DocumentKind;

    fn set(doc: &str) -> PolicySet {
        PolicySet {
            identity: vec![Arc::new(
                CompiledPolicy::from_text(doc, DocumentKind::Identity, "p").unwrap(),
            )],
            ..PolicySet::default()
        }
    }

    #[test]
    fn keys_cover_action_resource_and_referenced_values_only() {
        let memo = DecisionMemo::for_set(&set(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
            "Resource":"arn:aws:s3:::b/${aws:username}/*",
            "Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}"#,
        ));
        let mut a = Context::new();
        a.insert_str("aws:username", "alice")
            .insert_str("aws:RequestedRegion", "us-east-1")
            .insert_str("aws:UserAgent", "one");
        let mut b = a.clone();
        b.insert_str("aws:UserAgent", "two");
        let ka = memo
            .key("s3:GetObject", "arn:aws:s3:::b/alice/x", &a)
            .unwrap();
        assert_eq!(
            Some(&ka),
            memo.key("s3:GetObject", "arn:aws:s3:::b/alice/x", &b)
                .as_ref()
        );
        b.insert_str("aws:username", "bob");
        assert_ne!(
            Some(&ka),
            memo.key("s3:GetObject", "arn:aws:s3:::b/alice/x", &b)
                .as_ref()
        );
        let mut c = a.clone();
        c.insert_strs("aws:RequestedRegion", &["us-east-1"]);
        assert_ne!(
            Some(&ka),
            memo.key("s3:GetObject", "arn:aws:s3:::b/alice/x", &c)
                .as_ref()
        );
        assert_ne!(
            Some(ka),
            memo.key("s3:PutObject", "arn:aws:s3:::b/alice/x", &a)
        );
    }

    #[test]
    fn sets_that_read_the_clock_are_not_memoized() {
        let memo = DecisionMemo::for_set(&set(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}]}"#,
        ));
        assert!(memo.key("s3:GetObject", "*", &Context::new()).is_none());
    }

    #[test]
    fn the_memo_starts_over_when_full() {
        let memo = DecisionMemo::for_set(&set(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        ));
        for i in 0..=CAPACITY {
            memo.insert(format!("k{i}"), Decision::Allowed, vec![]);
        }
        assert!(memo.get("k0").is_none());
        assert!(memo.get(&format!("k{CAPACITY}")).is_some());
    }
}
