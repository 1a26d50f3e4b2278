//! STS operations. Temporary credentials are an `ASIA…` key, a secret and a sealed session
//! token (`iamd-token`) that any server opens without a database read; issuing one writes
//! nothing but bookkeeping (a role's last use, an MFA device's last code).

pub mod delegated;
mod issue;
pub mod root;
mod saml;
mod web_identity;
pub mod web_identity_token;

pub use issue::{assume_role, get_access_key_info, get_federation_token, get_session_token};
pub use saml::{SamlIdentity, assume_role_with_saml};
pub use web_identity::{WebIdentity, assume_role_for_instance, assume_role_with_web_identity};

use iamd_iam::Principal;
use iamd_wire::Value;

/// `GetCallerIdentity`: who signed the request. AWS requires no permission for it, and an
/// explicit deny does not stop it.
pub fn get_caller_identity(caller: &Principal) -> Value {
    Value::object()
        .with("UserId", caller.user_id.as_str())
        .with("Account", caller.account.as_str())
        .with("Arn", caller.arn.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_identity() {
        let p = Principal::root("123456789012", None);
        let v = get_caller_identity(&p);
        assert_eq!(
            v.get("UserId").and_then(Value::as_str),
            Some("123456789012")
        );
        assert_eq!(
            v.get("Arn").and_then(Value::as_str),
            Some("arn:aws:iam::123456789012:root")
        );
    }

    #[test]
    fn user_identity() {
        let p = Principal::user("123456789012", "bob", "/eng/", "AIDAEXAMPLE", None);
        let v = get_caller_identity(&p);
        assert_eq!(v.get("UserId").and_then(Value::as_str), Some("AIDAEXAMPLE"));
        assert_eq!(
            v.get("Arn").and_then(Value::as_str),
            Some("arn:aws:iam::123456789012:user/eng/bob")
        );
    }
}
