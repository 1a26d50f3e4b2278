//! MFA building blocks for iamd's virtual MFA devices (`CreateVirtualMFADevice`,
//! `EnableMFADevice`, `ResyncMFADevice`, and STS's `SerialNumber`/`TokenCode`).
//!
//! - [`Seed`]: a random 20-byte secret, its Base32 text (`Base32StringSeed`) and its
//!   `otpauth://totp/...` key URI.
//! - [`qr_code_png`]: the URI as a real QR code PNG (`QRCodePNG`).
//! - [`totp`]: RFC 6238 codes (HMAC-SHA1, 30 s, 6 digits) and verification:
//!   [`verify_after`] for sign-in (±1 step, no reuse), [`verify_consecutive`] for enabling
//!   (two codes of consecutive steps), [`resync`] for drifted devices (±10 minutes).
//!
//! Everything is pure except [`Seed::generate`]: the current time is always an argument, in
//! Unix seconds.
//!
//! ```
//! use iamd_mfa::{Seed, code_at, verify_after, verify_consecutive};
//!
//! let seed = Seed::generate()?;
//! let uri = seed.aws_otpauth_uri("alice-phone", "123456789012");
//! assert!(uri.starts_with("otpauth://totp/Amazon%20Web%20Services:alice-phone@123456789012?"));
//! let png = iamd_mfa::qr_code_png(&uri)?;
//! assert!(png.starts_with(b"\x89PNG"));
//!
//! // Enabling: the user types the codes of two consecutive steps.
//! let now = 1_700_000_000;
//! let code1 = code_at(seed.as_bytes(), now - 30);
//! let code2 = code_at(seed.as_bytes(), now);
//! let last_used = verify_consecutive(seed.as_bytes(), &code1, &code2, now).ok_or("refused")?;
//!
//! // Signing in later: a fresh code is accepted once, then refused.
//! let later = now + 60;
//! let code = code_at(seed.as_bytes(), later);
//! let last_used = verify_after(seed.as_bytes(), &code, later, last_used).ok_or("refused")?;
//! assert_eq!(verify_after(seed.as_bytes(), &code, later, last_used), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod base32;
mod qr;
mod seed;
pub mod totp;

use std::fmt;

pub use qr::{QR_MODULE_PIXELS, QR_QUIET_ZONE_MODULES, qr_code_png};
pub use seed::{AWS_ISSUER, SEED_LEN, Seed};
pub use totp::{
    DIGITS, RESYNC_WINDOW_STEPS, Resync, STEP_SECONDS, VERIFY_WINDOW_STEPS, code_at, code_at_step,
    resync, time_step, verify, verify_after, verify_after_with_drift, verify_consecutive,
};

/// Failures of the few operations that can fail: none of them depends on user input other than
/// the length of the text put in a QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaError {
    /// The operating system's random number generator failed.
    Random(String),
    /// The text does not fit in a QR code.
    QrCode(String),
    /// PNG encoding failed.
    Png(String),
}

impl fmt::Display for MfaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Random(e) => write!(f, "random number generator failed: {e}"),
            Self::QrCode(e) => write!(f, "cannot make a QR code: {e}"),
            Self::Png(e) => write!(f, "cannot encode PNG: {e}"),
        }
    }
}

impl std::error::Error for MfaError {}
