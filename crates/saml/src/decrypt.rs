//! XML Encryption of assertions (`saml:EncryptedAssertion`), narrowed as the signatures are: the
//! content key wrapped with RSA-OAEP (`xmlenc#rsa-oaep-mgf1p`, SHA-1; or `xmlenc11#rsa-oaep`
//! with SHA-256 and MGF1-SHA-256) to one of the provider's private keys, and the assertion
//! encrypted with AES-GCM (`xmlenc11#aes128-gcm`, `#aes256-gcm`). CBC modes are refused (their
//! padding oracles are why XML Encryption 1.1 added GCM).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use roxmltree::Node;

use crate::SamlError;

pub const XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
const XENC11: &str = "http://www.w3.org/2009/xmlenc11#";
const DSIG_MORE_SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

fn bad(m: impl Into<String>) -> SamlError {
    SamlError::Invalid(format!("encrypted assertion: {}", m.into()))
}

fn find<'a, 'i>(n: Node<'a, 'i>, ns: &str, name: &str) -> Vec<Node<'a, 'i>> {
    n.descendants()
        .filter(|c| {
            c.is_element() && c.tag_name().namespace() == Some(ns) && c.tag_name().name() == name
        })
        .collect()
}

fn method(n: Node) -> Result<(String, Option<String>), SamlError> {
    let m = n
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "EncryptionMethod")
        .ok_or_else(|| bad("no EncryptionMethod"))?;
    let digest = m
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "DigestMethod")
        .and_then(|d| d.attribute("Algorithm"))
        .map(str::to_string);
    Ok((m.attribute("Algorithm").unwrap_or("").to_string(), digest))
}

fn cipher_value(n: Node) -> Result<Vec<u8>, SamlError> {
    let v = n
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "CipherData")
        .and_then(|cd| {
            cd.children()
                .find(|c| c.is_element() && c.tag_name().name() == "CipherValue")
        })
        .ok_or_else(|| bad("no CipherValue"))?;
    let b64: String = v
        .text()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD
        .decode(b64)
        .map_err(|_| bad("CipherValue is not base64"))
}

fn unwrap_key(ek: Node, keys: &[Vec<u8>]) -> Result<Vec<u8>, SamlError> {
    let (alg, digest) = method(ek)?;
    let oaep = match (alg.as_str(), digest.as_deref()) {
        (a, None | Some("http://www.w3.org/2000/09/xmldsig#sha1"))
            if a == format!("{XENC}rsa-oaep-mgf1p") =>
        {
            &aws_lc_rs::rsa::OAEP_SHA1_MGF1SHA1
        }
        (a, Some(DSIG_MORE_SHA256)) if a == format!("{XENC11}rsa-oaep") => {
            &aws_lc_rs::rsa::OAEP_SHA256_MGF1SHA256
        }
        _ => return Err(bad(format!("unsupported key transport {alg}"))),
    };
    let wrapped = cipher_value(ek)?;
    for der in keys {
        let Ok(k) = aws_lc_rs::rsa::PrivateDecryptingKey::from_pkcs8(der) else {
            continue;
        };
        let Ok(k) = aws_lc_rs::rsa::OaepPrivateDecryptingKey::new(k) else {
            continue;
        };
        let mut out = vec![0u8; k.min_output_size()];
        if let Ok(plain) = k.decrypt(oaep, &wrapped, &mut out, None) {
            return Ok(plain.to_vec());
        }
    }
    Err(bad("no private key of the provider opens the content key"))
}

/// The decrypted assertion's XML text. `keys` are PKCS#8 DER RSA private keys.
pub fn decrypt_assertion(enc: Node, keys: &[Vec<u8>]) -> Result<String, SamlError> {
    if keys.is_empty() {
        return Err(bad("the provider has no private key to decrypt it"));
    }
    let data = match find(enc, XENC, "EncryptedData").as_slice() {
        [d] => *d,
        _ => return Err(bad("expected exactly one EncryptedData")),
    };
    let eks = find(enc, XENC, "EncryptedKey");
    let ek = match eks.as_slice() {
        [k] => *k,
        _ => return Err(bad("expected exactly one EncryptedKey")),
    };
    let content_key = unwrap_key(ek, keys)?;
    let (alg, _) = method(data)?;
    let aead = match alg.as_str() {
        a if a == format!("{XENC11}aes128-gcm") && content_key.len() == 16 => {
            &aws_lc_rs::aead::AES_128_GCM
        }
        a if a == format!("{XENC11}aes256-gcm") && content_key.len() == 32 => {
            &aws_lc_rs::aead::AES_256_GCM
        }
        _ => return Err(bad(format!("unsupported content encryption {alg}"))),
    };
    let blob = cipher_value(data)?;
    if blob.len() < 12 + 16 {
        return Err(bad("the ciphertext is too short"));
    }
    let (iv, rest) = blob.split_at(12);
    let key = aws_lc_rs::aead::LessSafeKey::new(
        aws_lc_rs::aead::UnboundKey::new(aead, &content_key).map_err(|_| bad("content key"))?,
    );
    let nonce = aws_lc_rs::aead::Nonce::try_assume_unique_for_key(iv).map_err(|_| bad("IV"))?;
    let mut in_out = rest.to_vec();
    let plain = key
        .open_in_place(nonce, aws_lc_rs::aead::Aad::empty(), &mut in_out)
        .map_err(|_| bad("the ciphertext does not decrypt (altered, or another key)"))?;
    String::from_utf8(plain.to_vec()).map_err(|_| bad("the plaintext is not UTF-8"))
}
