//! An identity provider's SAML metadata (`md:EntityDescriptor`): its entity ID, the
//! certificates it signs with (`IDPSSODescriptor/KeyDescriptor` for signing, or without a
//! `use`), and `validUntil`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::{DSIG, MD, SamlError, parse_time, parse_xml};

const RSA_OID: &str = "1.2.840.113549.1.1.1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub entity_id: String,
    pub valid_until: Option<OffsetDateTime>,
    /// Each signing certificate's RSA public key (DER PKCS#1).
    pub signing_keys: Vec<Vec<u8>>,
}

fn bad(m: impl Into<String>) -> SamlError {
    SamlError::Metadata(m.into())
}

/// The RSA public key of a certificate (DER).
pub fn rsa_key_of(der: &[u8]) -> Result<Vec<u8>, SamlError> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|_| bad("a signing certificate does not parse"))?;
    let spki = cert.public_key();
    if spki.algorithm.algorithm.to_id_string() != RSA_OID {
        return Err(bad("only RSA signing certificates are supported"));
    }
    Ok(spki.subject_public_key.data.to_vec())
}

pub fn parse_metadata(text: &str) -> Result<Metadata, SamlError> {
    let doc = parse_xml(text)?;
    let root = doc.root_element();
    if root.tag_name().namespace() != Some(MD) || root.tag_name().name() != "EntityDescriptor" {
        return Err(bad("the root element must be md:EntityDescriptor"));
    }
    let entity_id = root
        .attribute("entityID")
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| bad("the EntityDescriptor has no entityID"))?
        .to_string();
    let valid_until = match root.attribute("validUntil") {
        None => None,
        Some(v) => Some(parse_time(v).ok_or_else(|| bad("validUntil is not a date"))?),
    };
    let idp = root
        .children()
        .find(|c| c.tag_name().namespace() == Some(MD) && c.tag_name().name() == "IDPSSODescriptor")
        .ok_or_else(|| bad("the metadata has no IDPSSODescriptor"))?;
    let mut signing_keys = Vec::new();
    for kd in idp
        .children()
        .filter(|c| c.tag_name().namespace() == Some(MD) && c.tag_name().name() == "KeyDescriptor")
    {
        if kd.attribute("use").is_some_and(|u| u != "signing") {
            continue;
        }
        for cert in kd.descendants().filter(|c| {
            c.tag_name().namespace() == Some(DSIG) && c.tag_name().name() == "X509Certificate"
        }) {
            let b64: String = cert
                .text()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let der = STANDARD
                .decode(b64)
                .map_err(|_| bad("a certificate is not base64"))?;
            signing_keys.push(rsa_key_of(&der)?);
        }
    }
    if signing_keys.is_empty() {
        return Err(bad("the IDPSSODescriptor has no signing certificate"));
    }
    Ok(Metadata {
        entity_id,
        valid_until,
        signing_keys,
    })
}

/// A private key given for decrypting assertions (`AddPrivateKey`) as PKCS#8 DER: one
/// unencrypted PEM RSA key, PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
pub fn private_key_pkcs8(pem: &str) -> Result<Vec<u8>, SamlError> {
    use aws_lc_rs::encoding::AsDer;
    let bad = || SamlError::Metadata("the private key is not an unencrypted PEM RSA key".into());
    let text = pem.trim();
    let (label, rest) = text
        .strip_prefix("-----BEGIN ")
        .and_then(|r| r.split_once("-----"))
        .ok_or_else(bad)?;
    let end = format!("-----END {label}-----");
    let body = rest.trim().strip_suffix(end.as_str()).ok_or_else(bad)?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD.decode(b64).map_err(|_| bad())?;
    let key = match label {
        "PRIVATE KEY" => aws_lc_rs::rsa::KeyPair::from_pkcs8(&der),
        "RSA PRIVATE KEY" => aws_lc_rs::rsa::KeyPair::from_der(&der),
        _ => return Err(bad()),
    }
    .map_err(|_| bad())?;
    Ok(key.as_der().map_err(|_| bad())?.as_ref().to_vec())
}

/// Checks a private key given for decrypting assertions ([`private_key_pkcs8`]).
pub fn check_private_key(pem: &str) -> Result<(), SamlError> {
    private_key_pkcs8(pem).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_without_what_is_needed_is_refused() {
        let e = parse_metadata(r#"<x xmlns="urn:x"/>"#).unwrap_err();
        assert!(matches!(e, SamlError::Metadata(_)));
        let no_idp = format!(r#"<md:EntityDescriptor xmlns:md="{MD}" entityID="https://idp"/>"#);
        assert!(parse_metadata(&no_idp).is_err());
        let no_cert = format!(
            r#"<md:EntityDescriptor xmlns:md="{MD}" entityID="https://idp"><md:IDPSSODescriptor/></md:EntityDescriptor>"#
        );
        assert_eq!(
            parse_metadata(&no_cert).unwrap_err(),
            SamlError::Metadata("the IDPSSODescriptor has no signing certificate".into())
        );
        assert!(
            check_private_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .is_err()
        );
    }
}
