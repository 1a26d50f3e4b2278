//! XML Signature verification, narrowed to what SAML identity providers send: an enveloped
//! `ds:Signature` that is a direct child of the element it signs, one `Reference` to that
//! element's `ID`, the enveloped-signature and exclusive-c14n transforms, SHA-256 digests and
//! RSA-SHA256 signatures (RSA-SHA1 and SHA-1 digests are refused), checked against the keys of
//! the provider's metadata, never a key from the message.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use roxmltree::Node;

use crate::c14n::{Options, canonicalize};
use crate::{DSIG, SamlError};

const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

fn child<'a, 'i>(n: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| {
        c.is_element() && c.tag_name().namespace() == Some(ns) && c.tag_name().name() == name
    })
}

fn only_child<'a, 'i>(n: Node<'a, 'i>, ns: &str, name: &str) -> Result<Node<'a, 'i>, SamlError> {
    let mut it = n.children().filter(|c| {
        c.is_element() && c.tag_name().namespace() == Some(ns) && c.tag_name().name() == name
    });
    match (it.next(), it.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(SamlError::Signature(format!("expected exactly one {name}"))),
    }
}

fn algorithm<'a>(n: Node<'a, '_>) -> &'a str {
    n.attribute("Algorithm").unwrap_or("")
}

/// `InclusiveNamespaces/@PrefixList` under a transform or canonicalization method.
fn prefix_list(n: Node) -> Vec<String> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == "InclusiveNamespaces")
        .and_then(|c| c.attribute("PrefixList"))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn b64(text: &str) -> Result<Vec<u8>, SamlError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD
        .decode(compact)
        .map_err(|_| SamlError::Signature("a base64 value does not decode".into()))
}

/// Verifies the enveloped signature that is a direct child of `signed` against `keys` (DER
/// PKCS#1 RSA public keys). `Ok(false)` when `signed` carries no signature.
pub fn verify_enveloped(signed: Node, keys: &[Vec<u8>]) -> Result<bool, SamlError> {
    let sigs: Vec<Node> = signed
        .children()
        .filter(|c| {
            c.is_element()
                && c.tag_name().namespace() == Some(DSIG)
                && c.tag_name().name() == "Signature"
        })
        .collect();
    let sig = match sigs.as_slice() {
        [] => return Ok(false),
        [s] => *s,
        _ => return Err(SamlError::Signature("more than one Signature".into())),
    };
    let id = signed
        .attribute("ID")
        .ok_or_else(|| SamlError::Signature("the signed element has no ID".into()))?;
    let info = only_child(sig, DSIG, "SignedInfo")?;
    let c14n_method = only_child(info, DSIG, "CanonicalizationMethod")?;
    if algorithm(c14n_method) != EXC_C14N {
        return Err(SamlError::Signature(format!(
            "unsupported canonicalization {}",
            algorithm(c14n_method)
        )));
    }
    let method = only_child(info, DSIG, "SignatureMethod")?;
    if algorithm(method) != RSA_SHA256 {
        return Err(SamlError::Signature(format!(
            "unsupported signature method {}",
            algorithm(method)
        )));
    }
    let reference = only_child(info, DSIG, "Reference")?;
    if reference.attribute("URI") != Some(&format!("#{id}")) {
        return Err(SamlError::Signature(
            "the Reference does not point at the signed element".into(),
        ));
    }
    // Transforms: enveloped-signature, then exclusive c14n (which is also the default).
    let mut inclusive = Vec::new();
    if let Some(ts) = child(reference, DSIG, "Transforms") {
        for t in ts.children().filter(|c| c.is_element()) {
            match algorithm(t) {
                ENVELOPED => {}
                EXC_C14N => inclusive = prefix_list(t),
                other => {
                    return Err(SamlError::Signature(format!(
                        "unsupported transform {other}"
                    )));
                }
            }
        }
    }
    let digest_method = only_child(reference, DSIG, "DigestMethod")?;
    if algorithm(digest_method) != SHA256 {
        return Err(SamlError::Signature(format!(
            "unsupported digest {}",
            algorithm(digest_method)
        )));
    }
    let expected = b64(only_child(reference, DSIG, "DigestValue")?
        .text()
        .unwrap_or(""))?;
    let content = canonicalize(
        signed,
        &Options {
            exclude: Some(sig.id()),
            inclusive_prefixes: &inclusive,
        },
    );
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, content.as_bytes());
    if aws_lc_rs::constant_time::verify_slices_are_equal(digest.as_ref(), &expected).is_err() {
        return Err(SamlError::Signature(
            "the digest does not match: the content was altered".into(),
        ));
    }
    let info_c14n = canonicalize(
        info,
        &Options {
            exclude: None,
            inclusive_prefixes: &prefix_list(c14n_method),
        },
    );
    let value = b64(only_child(sig, DSIG, "SignatureValue")?
        .text()
        .unwrap_or(""))?;
    let ok = keys.iter().any(|k| {
        aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            k,
        )
        .verify(info_c14n.as_bytes(), &value)
        .is_ok()
    });
    if !ok {
        return Err(SamlError::Signature(
            "the signature does not verify with the provider's certificates".into(),
        ));
    }
    Ok(true)
}
