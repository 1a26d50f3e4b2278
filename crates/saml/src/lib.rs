//! SAML 2.0 for iamd: identity provider metadata, and the verification of a SAML response for
//! `AssumeRoleWithSAML`.
//!
//! # Why a narrow implementation of our own
//! The general tools are `xmlsec1` (C, through bindgen) and `samael`, which is work in progress
//! and needs libxml2/xmlsec1 at build time. iamd needs one profile of XML Signature, the one
//! SAML identity providers use: an enveloped signature over the `Response` or the `Assertion`,
//! exclusive c14n, SHA-256, RSA-SHA256. That narrow subset is small enough to write and test
//! here ([`c14n`], [`signature`]) with `roxmltree` (a read-only tree, DTDs refused, so no entity
//! expansion attacks) and `aws-lc-rs` for the digest and the RSA check. Encrypted assertions
//! ([`decrypt`]) are the same kind of narrow subset: RSA-OAEP key transport, AES-GCM content.
//! Anything outside the subsets is refused, not guessed at.
//!
//! # Signature wrapping
//! The checks that make wrapping attacks fail: IDs must be unique in the document; a signature
//! must be a direct child of the element it references; the document must hold exactly one
//! `Assertion`, a direct child of the `Response`; and the assertion whose claims are used is
//! that node — the one signed, or the one inside the signed `Response` — never one found by
//! searching for an ID.

pub mod c14n;
pub mod decrypt;
pub mod metadata;
pub mod response;
pub mod signature;

pub use metadata::{Metadata, parse_metadata};
pub use response::{Expected, Verified, verify_response};

pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// Why a metadata document or a SAML response is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamlError {
    #[error("the XML does not parse: {0}")]
    Xml(String),
    #[error("the metadata is not valid: {0}")]
    Metadata(String),
    #[error("the response is not valid: {0}")]
    Invalid(String),
    #[error("the signature is not valid: {0}")]
    Signature(String),
    #[error("the assertion has expired")]
    Expired,
    #[error("the assertion is not valid yet")]
    NotYetValid,
}

pub(crate) fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, SamlError> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 100_000,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, opts).map_err(|e| SamlError::Xml(e.to_string()))
}

pub(crate) fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339).ok()
}
