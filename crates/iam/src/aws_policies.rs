//! AWS managed policies (`arn:aws:iam::aws:policy/…`): the same in every account and read-only
//! to everyone. The data (1,582 policies, with AWS's default version documents) lives in the
//! `iamd-managed-policies` crate as static tables; this module adds what IAM needs on top of it.
//!
//! Nothing here is parsed at start-up: a document is a `&'static str` slice, parsed (by the
//! engine's compiler) only when a principal that uses it is authorized.

use time::OffsetDateTime;

pub use iamd_managed_policies::{AWS_ACCOUNT, ManagedPolicy as AwsPolicy, all, by_arn, by_name};

/// A unix time from the data as a timestamp (the data holds valid times; the epoch otherwise).
fn time(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// When AWS created the policy.
pub fn created(p: &AwsPolicy) -> OffsetDateTime {
    time(p.create_date)
}

/// When the policy's default version was set (also that version's `CreateDate`).
pub fn updated(p: &AwsPolicy) -> OffsetDateTime {
    time(p.update_date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamd_policy::{CompiledPolicy, DocumentKind, PolicyKind};

    /// Every AWS managed policy compiles as an identity policy (what the engine does with it
    /// when it is attached) and passes AWS's own validation of a managed policy. Documents with
    /// condition keys such as `kms:EncryptionContext:aws:s3:arn` are among them.
    #[test]
    fn every_aws_policy_compiles_and_validates() {
        let mut failures = Vec::new();
        for p in all() {
            let arn = p.arn();
            if let Err(e) =
                CompiledPolicy::from_text(p.document(), DocumentKind::Identity, arn.as_str())
            {
                failures.push(format!("{arn}: compile: {e}"));
            }
            if let Err(e) = iamd_policy::validate(p.document(), PolicyKind::Managed) {
                failures.push(format!("{arn}: validate: {e}"));
            }
            assert_eq!(p.policy_id().len(), 21, "{arn}");
            assert!(by_arn(&arn).is_some(), "{arn}");
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(all().len() > 1_500);
        assert!(by_arn("arn:aws:iam::aws:policy/Nope").is_none());
    }

    #[test]
    fn dates_are_unix_seconds() {
        let p = by_name("AdministratorAccess").expect("AdministratorAccess");
        assert_eq!(created(p).year(), 2015);
        assert!(updated(p) >= created(p));
    }
}
