//! The errors IAM's certificate and SSH key operations return, with AWS's codes.

use std::fmt;

/// Which AWS error a rejected input maps to. [`ErrorKind::code`] is the `<Code>` of the error
/// response; every one of these is a client fault with HTTP status 400.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A certificate (body or chain) or a private key that does not parse, or an expired
    /// certificate.
    MalformedCertificate,
    /// The private key is not the one whose public half the certificate carries.
    KeyPairMismatch,
    /// An SSH public key in a recognized encoding that is malformed or too weak.
    InvalidPublicKey,
    /// An SSH public key whose encoding or key type is not one IAM accepts.
    UnrecognizedPublicKeyEncoding,
}

impl ErrorKind {
    /// AWS's error code, e.g. `MalformedCertificate`.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::MalformedCertificate => "MalformedCertificate",
            ErrorKind::KeyPairMismatch => "KeyPairMismatch",
            ErrorKind::InvalidPublicKey => "InvalidPublicKey",
            ErrorKind::UnrecognizedPublicKeyEncoding => "UnrecognizedPublicKeyEncoding",
        }
    }
}

/// A rejected certificate, private key or SSH public key: an AWS error code and a message that
/// is safe to return to the caller (it never contains key material).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertError {
    kind: ErrorKind,
    message: &'static str,
}

impl CertError {
    pub(crate) const fn new(kind: ErrorKind, message: &'static str) -> Self {
        CertError { kind, message }
    }

    /// Which error this is.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// AWS's error code, e.g. `MalformedCertificate`.
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The message for the error response.
    pub const fn message(&self) -> &'static str {
        self.message
    }
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)
    }
}

impl std::error::Error for CertError {}

pub(crate) const MALFORMED_CERTIFICATE: CertError = CertError::new(
    ErrorKind::MalformedCertificate,
    "Unable to parse certificate. Please ensure the certificate is in PEM format.",
);
pub(crate) const MALFORMED_CHAIN: CertError = CertError::new(
    ErrorKind::MalformedCertificate,
    "Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.",
);
pub(crate) const MALFORMED_PRIVATE_KEY: CertError = CertError::new(
    ErrorKind::MalformedCertificate,
    "Unable to parse private key. Please ensure the private key is an unencrypted RSA or EC key in PEM format.",
);
pub(crate) const UNSUPPORTED_CERTIFICATE_KEY: CertError = CertError::new(
    ErrorKind::MalformedCertificate,
    "Unsupported public key algorithm in certificate. Only RSA and EC keys are supported.",
);
pub(crate) const EXPIRED_CERTIFICATE: CertError =
    CertError::new(ErrorKind::MalformedCertificate, "Certificate is expired.");
pub(crate) const KEY_PAIR_MISMATCH: CertError = CertError::new(
    ErrorKind::KeyPairMismatch,
    "The public key certificate and the private key do not match.",
);
pub(crate) const INVALID_PUBLIC_KEY: CertError = CertError::new(
    ErrorKind::InvalidPublicKey,
    "The public key is malformed or otherwise invalid.",
);
pub(crate) const PUBLIC_KEY_TOO_SHORT: CertError = CertError::new(
    ErrorKind::InvalidPublicKey,
    "The public key is too short. The minimum bit-length of the public key is 2048 bits.",
);
pub(crate) const UNRECOGNIZED_ENCODING: CertError = CertError::new(
    ErrorKind::UnrecognizedPublicKeyEncoding,
    "The public key encoding format is unsupported or unrecognized. The public key must be encoded in ssh-rsa format or PEM format.",
);
