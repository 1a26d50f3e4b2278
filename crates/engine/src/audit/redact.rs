//! Secrets never reach the audit trail. Members that carry a secret are replaced by the marker
//! CloudTrail itself uses, wherever they appear in request parameters or response elements.

use serde_json::Value as J;

/// CloudTrail's marker for a value it will not record.
pub const HIDDEN: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// Member names (lowerCamelCase, as events spell them) whose values are secrets.
const SECRET_MEMBERS: &[&str] = &[
    "password",
    "newPassword",
    "oldPassword",
    "secretAccessKey",
    "sessionToken",
    "privateKey",
    "base32StringSeed",
    "qRCodePNG",
    "authenticationCode1",
    "authenticationCode2",
    "tokenCode",
    "webIdentityToken",
    "sAMLAssertion",
    "serviceSpecificCredential",
    "servicePassword",
    "signinToken",
    "credentials",
    // A forwarded request's (the authorization API): its token and signature.
    "x-amz-security-token",
    "authorization",
];

/// Query parameters of a forwarded presigned request whose values are not recorded.
const SECRET_QUERY_PARAMS: &[&str] = &["X-Amz-Security-Token", "X-Amz-Signature"];

/// A query string with the values of secret parameters hidden.
pub(super) fn redact_query(q: &str) -> String {
    q.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _))
                if SECRET_QUERY_PARAMS
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(k)) =>
            {
                format!("{k}={HIDDEN}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether a member of this name holds a secret.
pub fn is_secret(member: &str) -> bool {
    SECRET_MEMBERS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(member))
}

/// Replaces every secret member of `v`, at any depth.
pub fn redact(v: &mut J) {
    match v {
        J::Object(map) => {
            for (k, child) in map.iter_mut() {
                if is_secret(k) {
                    if let J::Object(inner) = child {
                        // Keep the shape of a credentials structure, hide its secrets.
                        for (ik, iv) in inner.iter_mut() {
                            if ik != "accessKeyId" && ik != "expiration" {
                                *iv = J::String(HIDDEN.into());
                            } else {
                                redact(iv);
                            }
                        }
                    } else {
                        *child = J::String(HIDDEN.into());
                    }
                } else if k == "query"
                    && let J::String(q) = child
                {
                    *q = redact_query(q);
                } else {
                    redact(child);
                }
            }
        }
        J::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_hidden_at_any_depth() {
        let mut v = json!({
            "userName": "alice",
            "password": "hunter2",
            "accessKey": {"accessKeyId": "AKIA1", "secretAccessKey": "s3cr3t", "status": "Active"},
            "credentials": {"accessKeyId": "ASIA1", "secretAccessKey": "x", "sessionToken": "t", "expiration": "2026"},
            "list": [{"tokenCode": "123456"}],
        });
        redact(&mut v);
        let text = v.to_string();
        for secret in ["hunter2", "s3cr3t", "\"t\"", "123456", "\"x\""] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(v["userName"], "alice");
        assert_eq!(v["accessKey"]["accessKeyId"], "AKIA1");
        assert_eq!(v["credentials"]["accessKeyId"], "ASIA1");
        assert_eq!(v["credentials"]["expiration"], "2026");
    }

    #[test]
    fn forwarded_requests_keep_their_shape_not_their_secrets() {
        let mut v = json!({"request": {
            "headers": {"authorization": "AWS4-HMAC-SHA256 Credential=AKIA/…, Signature=abc",
                        "x-amz-security-token": "tok", "host": "h"},
            "query": "a=1&X-Amz-Security-Token=tok2&X-Amz-Signature=sig&b=2",
        }});
        redact(&mut v);
        let text = v.to_string();
        for secret in ["Signature=abc", "\"tok\"", "tok2", "=sig"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(v["request"]["headers"]["host"], "h");
        assert!(v["request"]["query"].as_str().unwrap().starts_with("a=1&"));
    }
}
