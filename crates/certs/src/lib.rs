//! Parsing and validation of what IAM's certificate and SSH public key operations accept.
//!
//! - [`parse_signing_certificate`] for `UploadSigningCertificate`: one PEM X.509 certificate,
//!   with a stable [`Certificate::certificate_id`] for `DuplicateCertificate` detection.
//! - [`validate_server_certificate`] for `UploadServerCertificate`: body, optional chain and a
//!   private key that must belong to the certificate (`KeyPairMismatch`). The key is never kept.
//! - [`SshPublicKey`] for `UploadSSHPublicKey` / `GetSSHPublicKey`: OpenSSH one-line and PEM
//!   input, both encodings out, and the MD5 `Fingerprint` IAM shows.
//!
//! Everything is a pure function of its inputs; where a date matters, "now" is a parameter
//! (Unix seconds). Errors carry AWS's error code and a message safe to return.
//!
//! ```
//! use iamd_certs::{SshEncoding, SshPublicKey, parse_signing_certificate};
//!
//! let err = parse_signing_certificate("not a certificate", 1_800_000_000).unwrap_err();
//! assert_eq!(err.code(), "MalformedCertificate");
//!
//! let err = SshPublicKey::parse("ssh-rsa AAAAB3NzaC1yc2E= me@host").unwrap_err();
//! assert_eq!(err.code(), "InvalidPublicKey");
//! assert_eq!(SshEncoding::from_param("PEM"), Some(SshEncoding::Pem));
//! ```

mod encoding;
mod error;
mod ssh;
mod x509;

#[cfg(test)]
mod no_panic_tests;

pub use error::{CertError, ErrorKind};
pub use ssh::{SshEncoding, SshKeyAlgorithm, SshKeyPolicy, SshPublicKey};
pub use x509::{
    Certificate, CertificateKey, PrivateKeyKind, ServerCertificate, parse_certificate,
    parse_certificate_chain, parse_signing_certificate, validate_server_certificate,
};
