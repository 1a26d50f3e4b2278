//! Policy documents at the API's edge: validation with the policy engine, IAM's size quotas, and
//! the URL encoding AWS applies to documents in responses.

use iamd_policy::PolicyKind;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{IamError, Quota};

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded, which is
/// what AWS returns and what botocore's `unquote` undoes.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn url_encode(document: &str) -> String {
    utf8_percent_encode(document, ENCODE).to_string()
}

/// Validates `document` as AWS does a policy of `kind` when it is written: the first rule it
/// breaks gives AWS's `MalformedPolicyDocument` message.
pub fn validate(document: &str, kind: PolicyKind) -> Result<iamd_policy::PolicyDocument, IamError> {
    iamd_policy::validate(document, kind).map_err(|e| IamError::malformed_policy(e.message))
}

/// Refuses a document longer than `limit` characters as IAM counts them (white space excluded).
pub fn check_size(document: &str, limit: usize, quota: Quota) -> Result<(), IamError> {
    let size = iamd_policy::policy_size(document);
    if size > limit {
        return Err(IamError::limit_exceeded(quota, limit));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
