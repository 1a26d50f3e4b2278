//! Device seeds and `otpauth://` key URIs.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{MfaError, base32, totp};

/// Length of a generated seed in bytes: 160 bits, RFC 4226 §4's recommended length and the
/// output size of HMAC-SHA1. Its Base32 form is 32 characters.
pub const SEED_LEN: usize = 20;

/// The issuer iamd puts in the `otpauth://` URIs of virtual MFA devices.
pub const AWS_ISSUER: &str = "Amazon Web Services";

/// Characters percent-encoded in a URI label or query value: everything except RFC 3986's
/// unreserved characters (`A–Z a–z 0–9 - . _ ~`) and `@`, which is legal in both a path and a
/// query and keeps `name@account` labels readable (as `pyotp` writes them). Spaces become `%20`,
/// never `+`; `:`, `&`, `=`, `?`, `/`, `#` and `%` are always encoded.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// A TOTP seed (the HMAC key shared with the authenticator).
///
/// `Debug` does not print the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Seed {
    bytes: Vec<u8>,
}

impl Seed {
    /// A new random [`SEED_LEN`]-byte seed from the operating system's generator.
    pub fn generate() -> Result<Self, MfaError> {
        let mut bytes = vec![0u8; SEED_LEN];
        getrandom::fill(&mut bytes).map_err(|e| MfaError::Random(e.to_string()))?;
        Ok(Self { bytes })
    }

    /// A seed from raw bytes (for example, as stored after decryption).
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: bytes.into(),
        }
    }

    /// A seed from its Base32 text (case-insensitive; spaces, hyphens and `=` padding
    /// tolerated). `None` if the text is not Base32 or is empty.
    pub fn from_base32(text: &str) -> Option<Self> {
        let bytes = base32::decode(text)?;
        (!bytes.is_empty()).then_some(Self { bytes })
    }

    /// The raw secret, to pass to the [`totp`](crate::totp) functions.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The secret in Base32 (RFC 4648, upper case, no padding): AWS's `Base32StringSeed` text
    /// and the `secret=` parameter of the key URI.
    ///
    /// On the wire, `Base32StringSeed` is a blob, so the Query protocol carries the *bytes of
    /// this text* base64-encoded; that is the response writer's job.
    pub fn to_base32(&self) -> String {
        base32::encode(&self.bytes)
    }

    /// The `otpauth://totp/...` key URI (Google Authenticator "Key Uri Format") for this seed:
    ///
    /// `otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`
    ///
    /// With `issuer` `None`, the label is just `ACCOUNT` and there is no `issuer=` parameter.
    /// Issuer and account are percent-encoded ([UTF-8], see `URI_COMPONENT` in the source);
    /// a `:` inside either is encoded as `%3A`, and only the separator between them is a
    /// literal `:`.
    ///
    /// [UTF-8]: https://www.rfc-editor.org/rfc/rfc3986#section-2.5
    pub fn otpauth_uri(&self, issuer: Option<&str>, account: &str) -> String {
        let account = utf8_percent_encode(account, URI_COMPONENT);
        let secret = self.to_base32();
        let tail = format!(
            "algorithm=SHA1&digits={}&period={}",
            totp::DIGITS,
            totp::STEP_SECONDS
        );
        match issuer {
            Some(issuer) => {
                let issuer = utf8_percent_encode(issuer, URI_COMPONENT);
                format!("otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&{tail}")
            }
            None => format!("otpauth://totp/{account}?secret={secret}&{tail}"),
        }
    }

    /// The key URI for an IAM virtual MFA device: issuer [`AWS_ISSUER`] and account
    /// `DEVICE_NAME@ACCOUNT_NAME`, the label AWS documents for `CreateVirtualMFADevice`'s
    /// `QRCodePNG` (`$virtualMFADeviceName@$AccountName`, where AccountName is the user name if
    /// set, otherwise the account ID), giving for example
    /// `otpauth://totp/Amazon%20Web%20Services:alice-phone@123456789012?secret=...&issuer=Amazon%20Web%20Services&...`.
    pub fn aws_otpauth_uri(&self, device_name: &str, account_name: &str) -> String {
        self.otpauth_uri(Some(AWS_ISSUER), &format!("{device_name}@{account_name}"))
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Seed({} bytes, redacted)", self.bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_seeds_are_20_random_bytes() {
        let a = Seed::generate().unwrap();
        let b = Seed::generate().unwrap();
        assert_eq!(a.as_bytes().len(), SEED_LEN);
        assert_ne!(a, b);
        assert_eq!(a.to_base32().len(), 32);
        assert!(
            a.to_base32()
                .bytes()
                .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c))
        );
        assert_eq!(Seed::from_base32(&a.to_base32()), Some(a));
    }

    #[test]
    fn base32_of_the_rfc_seed() {
        let seed = Seed::from_bytes(&b"12345678901234567890"[..]);
        assert_eq!(seed.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            Seed::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
            Some(seed)
        );
        assert_eq!(Seed::from_base32(""), None);
        assert_eq!(Seed::from_base32("not base32!"), None);
    }

    #[test]
    fn debug_hides_the_secret() {
        let seed = Seed::from_bytes(&b"12345678901234567890"[..]);
        let shown = format!("{seed:?}");
        assert!(!shown.contains("1234"));
        assert!(!shown.contains("GEZDG"));
    }

    #[test]
    fn aws_uri() {
        let seed = Seed::from_bytes(&b"12345678901234567890"[..]);
        assert_eq!(
            seed.aws_otpauth_uri("alice-phone", "123456789012"),
            "otpauth://totp/Amazon%20Web%20Services:alice-phone@123456789012\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Amazon%20Web%20Services\
             &algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn uri_components_are_percent_encoded() {
        let seed = Seed::from_bytes(&b"x"[..]);
        assert_eq!(
            seed.otpauth_uri(Some("A&B:C"), "j\u{f6}rg+x/y?z=1#%"),
            "otpauth://totp/A%26B%3AC:j%C3%B6rg%2Bx%2Fy%3Fz%3D1%23%25\
             ?secret=PA&issuer=A%26B%3AC&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(
            seed.otpauth_uri(None, "user.name_1~@acct"),
            "otpauth://totp/user.name_1~@acct?secret=PA&algorithm=SHA1&digits=6&period=30"
        );
    }
}
