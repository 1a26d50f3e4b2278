//! X.509 certificates for `UploadSigningCertificate` and `UploadServerCertificate`, and the
//! private keys uploaded with server certificates.

use sha2::{Digest as _, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::num_bigint::BigUint;
use x509_parser::prelude::FromDer as _;

use crate::encoding::{
    DerReader, PemBlock, TAG_CONTEXT_0, TAG_CONTEXT_1, TAG_INTEGER, TAG_OCTET_STRING, TAG_OID,
    TAG_SEQUENCE, der_single, oid, pem_blocks, pem_encode, strip_leading_zeros,
};
use crate::error::{
    CertError, EXPIRED_CERTIFICATE, KEY_PAIR_MISMATCH, MALFORMED_CERTIFICATE, MALFORMED_CHAIN,
    MALFORMED_PRIVATE_KEY, UNSUPPORTED_CERTIFICATE_KEY,
};

const CERTIFICATE_LABEL: &str = "CERTIFICATE";

/// The public key a certificate carries, as far as key matching needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateKey {
    /// RSA, with the modulus size in bits.
    Rsa {
        /// Bit length of the modulus.
        bits: usize,
    },
    /// Elliptic curve (`id-ecPublicKey`), with the curve's name when it is one of the NIST
    /// curves, or its dotted OID.
    Ec {
        /// `P-256`, `P-384`, `P-521` or the curve's dotted OID.
        curve: String,
    },
    /// Any other algorithm, by dotted OID (accepted for signing certificates only).
    Other {
        /// The SubjectPublicKeyInfo algorithm OID, dotted.
        algorithm: String,
    },
}

/// A parsed, validated X.509 certificate: what IAM stores and returns about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    certificate_id: String,
    pem: String,
    der: Vec<u8>,
    not_before: i64,
    not_after: i64,
    subject: String,
    issuer: String,
    key: CertificateKey,
    /// Public key material for matching a private key: RSA (n, e) or EC (curve OID, point).
    public: PublicMaterial,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PublicMaterial {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ec { curve_oid: Vec<u8>, point: Vec<u8> },
    Other,
}

impl Certificate {
    /// A stable ID derived from the certificate alone: the first 16 bytes of SHA-256 over its
    /// DER encoding, as 32 uppercase hex digits. The same certificate always gets the same ID,
    /// so a repeated upload (`DuplicateCertificate`) is found by ID.
    pub fn certificate_id(&self) -> &str {
        &self.certificate_id
    }

    /// The certificate re-encoded as PEM: one `CERTIFICATE` block, 64-column base64, final
    /// newline. Text around the block in the upload is dropped.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// NotBefore, in Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// NotAfter (IAM's `Expiration`), in Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// Whether NotAfter lies before `now_unix`.
    pub fn is_expired_at(&self, now_unix: i64) -> bool {
        self.not_after < now_unix
    }

    /// The subject distinguished name, RFC 4514-like (`CN=example.com, O=…`).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The issuer distinguished name.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The certificate's public key algorithm.
    pub fn key(&self) -> &CertificateKey {
        &self.key
    }

    fn from_der(der: Vec<u8>) -> Option<Certificate> {
        let (rest, cert) = X509Certificate::from_der(&der).ok()?;
        if !rest.is_empty() {
            return None;
        }
        let validity = cert.validity();
        let not_before = validity.not_before.timestamp();
        let not_after = validity.not_after.timestamp();
        let subject = cert.subject().to_string();
        let issuer = cert.issuer().to_string();
        let spki = cert.public_key();
        let alg_oid = spki.algorithm.algorithm.as_bytes();
        let (key, public) = if alg_oid == oid::RSA_ENCRYPTION {
            let (n, e) = rsa_public_from_pkcs1(&spki.subject_public_key.data)?;
            let bits = bit_length(&n);
            (CertificateKey::Rsa { bits }, PublicMaterial::Rsa { n, e })
        } else if alg_oid == oid::EC_PUBLIC_KEY {
            let params = spki.algorithm.parameters.as_ref()?;
            let curve_oid = params.clone().oid().ok()?;
            let point = spki.subject_public_key.data.to_vec();
            let curve = curve_name(curve_oid.as_bytes())
                .map(str::to_owned)
                .unwrap_or_else(|| curve_oid.to_id_string());
            (
                CertificateKey::Ec { curve },
                PublicMaterial::Ec {
                    curve_oid: curve_oid.as_bytes().to_vec(),
                    point,
                },
            )
        } else {
            (
                CertificateKey::Other {
                    algorithm: spki.algorithm.algorithm.to_id_string(),
                },
                PublicMaterial::Other,
            )
        };
        drop(cert);
        let digest = Sha256::digest(&der);
        let certificate_id = upper_hex(&digest[..16]);
        let pem = pem_encode(CERTIFICATE_LABEL, &der);
        Some(Certificate {
            certificate_id,
            pem,
            der,
            not_before,
            not_after,
            subject,
            issuer,
            key,
            public,
        })
    }
}

fn upper_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

pub(crate) fn bit_length(magnitude: &[u8]) -> usize {
    let m = strip_leading_zeros(magnitude);
    match m.first() {
        None => 0,
        Some(&top) => (m.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}

fn curve_name(curve_oid: &[u8]) -> Option<&'static str> {
    match curve_oid {
        // 1.2.840.10045.3.1.7
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07] => Some("P-256"),
        // 1.3.132.0.34
        [0x2b, 0x81, 0x04, 0x00, 0x22] => Some("P-384"),
        // 1.3.132.0.35
        [0x2b, 0x81, 0x04, 0x00, 0x23] => Some("P-521"),
        _ => None,
    }
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` as (n, e) magnitudes.
pub(crate) fn rsa_public_from_pkcs1(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut seq = DerReader::new(der_single(der, TAG_SEQUENCE)?);
    let n = seq.unsigned()?.to_vec();
    let e = seq.unsigned()?.to_vec();
    if !seq.is_empty() || n.is_empty() || e.is_empty() {
        return None;
    }
    Some((n, e))
}

/// Exactly one certificate from PEM text (text around the block is ignored).
fn one_certificate(text: &str, error: CertError) -> Result<Certificate, CertError> {
    let blocks = pem_blocks(text).map_err(|_| error.clone())?;
    match blocks.as_slice() {
        [block] if block.label == CERTIFICATE_LABEL && !block.has_headers => {
            Certificate::from_der(block.der.clone()).ok_or(error)
        }
        _ => Err(error),
    }
}

/// Parses a PEM certificate without checking its dates: exactly one `CERTIFICATE` block,
/// a complete, well-formed X.509 structure.
pub fn parse_certificate(pem: &str) -> Result<Certificate, CertError> {
    one_certificate(pem, MALFORMED_CERTIFICATE)
}

/// Validates an `UploadSigningCertificate` body: [`parse_certificate`], then refuses a
/// certificate whose NotAfter is before `now_unix` (`MalformedCertificate`).
pub fn parse_signing_certificate(body: &str, now_unix: i64) -> Result<Certificate, CertError> {
    let cert = parse_certificate(body)?;
    if cert.is_expired_at(now_unix) {
        return Err(EXPIRED_CERTIFICATE);
    }
    Ok(cert)
}

/// Parses a `CertificateChain`: one or more concatenated PEM certificates, nothing else.
pub fn parse_certificate_chain(chain: &str) -> Result<Vec<Certificate>, CertError> {
    let blocks = pem_blocks(chain).map_err(|_| MALFORMED_CHAIN)?;
    blocks
        .into_iter()
        .map(|block| match block {
            PemBlock {
                label,
                has_headers: false,
                der,
            } if label == CERTIFICATE_LABEL => Certificate::from_der(der).ok_or(MALFORMED_CHAIN),
            _ => Err(MALFORMED_CHAIN),
        })
        .collect()
}

/// The key algorithm of a validated server certificate's private key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivateKeyKind {
    /// `BEGIN RSA PRIVATE KEY` (PKCS#1).
    RsaPkcs1,
    /// `BEGIN PRIVATE KEY` holding an RSA key (PKCS#8).
    RsaPkcs8,
    /// `BEGIN EC PRIVATE KEY` (SEC1).
    EcSec1,
    /// `BEGIN PRIVATE KEY` holding an EC key (PKCS#8).
    EcPkcs8,
}

/// What `UploadServerCertificate` keeps: the certificate, its chain and what the key was. The
/// private key itself is checked and dropped; nothing here holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerCertificate {
    /// The certificate body.
    pub certificate: Certificate,
    /// The chain's certificates, in upload order (empty when none was given).
    pub chain: Vec<Certificate>,
    /// The chain re-encoded as concatenated PEM blocks, when a chain was given.
    pub chain_pem: Option<String>,
    /// The private key's format and algorithm.
    pub private_key_kind: PrivateKeyKind,
}

impl ServerCertificate {
    /// `ServerCertificateMetadata.Expiration`: the body's NotAfter, in Unix seconds.
    pub fn expiration(&self) -> i64 {
        self.certificate.not_after()
    }
}

/// Validates `UploadServerCertificate`'s inputs: the body (one PEM certificate, RSA or EC key,
/// not expired at `now_unix`), the optional chain (one or more PEM certificates) and the private
/// key (unencrypted PEM: PKCS#1, PKCS#8 or SEC1), which must be the certificate's key.
///
/// Errors: `MalformedCertificate` for anything that does not parse (body, chain or key) or an
/// expired body; `KeyPairMismatch` for a well-formed key that is not the certificate's.
pub fn validate_server_certificate(
    body: &str,
    chain: Option<&str>,
    private_key: &str,
    now_unix: i64,
) -> Result<ServerCertificate, CertError> {
    let certificate = parse_certificate(body)?;
    if matches!(certificate.public, PublicMaterial::Other) {
        return Err(UNSUPPORTED_CERTIFICATE_KEY);
    }
    if certificate.is_expired_at(now_unix) {
        return Err(EXPIRED_CERTIFICATE);
    }
    let chain = match chain {
        Some(text) if !text.trim().is_empty() => parse_certificate_chain(text)?,
        _ => Vec::new(),
    };
    let chain_pem = (!chain.is_empty()).then(|| chain.iter().map(Certificate::pem).collect());
    let (private_key_kind, key) = parse_private_key(private_key)?;
    if !key.matches(&certificate.public) {
        return Err(KEY_PAIR_MISMATCH);
    }
    Ok(ServerCertificate {
        certificate,
        chain,
        chain_pem,
        private_key_kind,
    })
}

/// The public half of a private key, or enough to compare it with a certificate's.
enum PrivateKeyPublic {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ec { curve_oid: Vec<u8>, point: Vec<u8> },
}

impl PrivateKeyPublic {
    fn matches(&self, public: &PublicMaterial) -> bool {
        match (self, public) {
            (PrivateKeyPublic::Rsa { n, e }, PublicMaterial::Rsa { n: cn, e: ce }) => {
                n == cn && e == ce
            }
            (
                PrivateKeyPublic::Ec { curve_oid, point },
                PublicMaterial::Ec {
                    curve_oid: c_oid,
                    point: c_point,
                },
            ) => curve_oid == c_oid && point == c_point,
            _ => false,
        }
    }
}

/// Parses an unencrypted PEM private key. `EC PARAMETERS` blocks (as `openssl ecparam -genkey`
/// writes) are skipped; there must be exactly one key block.
fn parse_private_key(text: &str) -> Result<(PrivateKeyKind, PrivateKeyPublic), CertError> {
    let blocks = pem_blocks(text).map_err(|_| MALFORMED_PRIVATE_KEY)?;
    let mut keys = blocks.iter().filter(|b| b.label != "EC PARAMETERS");
    let (Some(block), None) = (keys.next(), keys.next()) else {
        return Err(MALFORMED_PRIVATE_KEY);
    };
    if block.has_headers {
        return Err(MALFORMED_PRIVATE_KEY); // a legacy encrypted key
    }
    let parsed = match block.label.as_str() {
        "RSA PRIVATE KEY" => rsa_pkcs1_private(&block.der).map(|k| (PrivateKeyKind::RsaPkcs1, k)),
        "EC PRIVATE KEY" => ec_sec1_private(&block.der, None).map(|k| (PrivateKeyKind::EcSec1, k)),
        "PRIVATE KEY" => pkcs8_private(&block.der),
        _ => None,
    };
    parsed.ok_or(MALFORMED_PRIVATE_KEY)
}

/// PKCS#1 `RSAPrivateKey`, checked for internal consistency: n = p·q and e·d ≡ 1 modulo p−1
/// and q−1, so a key whose public half was pasted onto other private numbers is refused.
fn rsa_pkcs1_private(der: &[u8]) -> Option<PrivateKeyPublic> {
    let mut seq = DerReader::new(der_single(der, TAG_SEQUENCE)?);
    let version = seq.unsigned()?;
    if !version.is_empty() {
        return None; // two-prime keys only (version 0)
    }
    let n = seq.unsigned()?;
    let e = seq.unsigned()?;
    let d = seq.unsigned()?;
    let p = seq.unsigned()?;
    let q = seq.unsigned()?;
    for _ in 0..3 {
        seq.unsigned()?; // dP, dQ, qInv: not needed to prove the pair
    }
    if !seq.is_empty() {
        return None;
    }
    let one = BigUint::from(1u8);
    let [n_i, e_i, d_i, p_i, q_i] = [n, e, d, p, q].map(BigUint::from_bytes_be);
    if p_i <= one || q_i <= one || n_i != &p_i * &q_i {
        return None;
    }
    let ed = &e_i * &d_i;
    if &ed % (&p_i - &one) != one || &ed % (&q_i - &one) != one {
        return None;
    }
    Some(PrivateKeyPublic::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
    })
}

/// SEC1 `ECPrivateKey`. The curve comes from its own parameters or, inside PKCS#8, from the
/// algorithm identifier (both must agree when both are present). The embedded public key is
/// what is compared with the certificate, as OpenSSL's key check does; a key without one is
/// refused, since deriving it would need curve arithmetic this crate does not carry.
fn ec_sec1_private(der: &[u8], outer_curve: Option<&[u8]>) -> Option<PrivateKeyPublic> {
    let mut seq = DerReader::new(der_single(der, TAG_SEQUENCE)?);
    if seq.unsigned()? != [1] {
        return None;
    }
    let scalar = seq.expect(TAG_OCTET_STRING)?;
    if strip_leading_zeros(scalar).is_empty() {
        return None;
    }
    let inner_curve = match seq.optional(TAG_CONTEXT_0) {
        Some(explicit) => Some(der_single(explicit, TAG_OID)?),
        None => None,
    };
    let point = match seq.optional(TAG_CONTEXT_1) {
        Some(explicit) => {
            let mut r = DerReader::new(explicit);
            let bits = r.bit_string_bytes()?;
            if !r.is_empty() {
                return None;
            }
            bits.to_vec()
        }
        None => return None,
    };
    if !seq.is_empty() {
        return None;
    }
    let curve_oid = match (inner_curve, outer_curve) {
        (Some(a), Some(b)) if a != b => return None,
        (Some(c), _) | (None, Some(c)) => c.to_vec(),
        (None, None) => return None,
    };
    Some(PrivateKeyPublic::Ec { curve_oid, point })
}

/// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` holding an RSA or EC key.
fn pkcs8_private(der: &[u8]) -> Option<(PrivateKeyKind, PrivateKeyPublic)> {
    let mut seq = DerReader::new(der_single(der, TAG_SEQUENCE)?);
    let version = seq.expect(TAG_INTEGER)?;
    if version != [0] && version != [1] {
        return None;
    }
    let mut alg = DerReader::new(seq.expect(TAG_SEQUENCE)?);
    let alg_oid = alg.expect(TAG_OID)?;
    let inner = seq.expect(TAG_OCTET_STRING)?;
    // Optional attributes [0] and public key [1] may follow; neither is needed.
    if alg_oid == oid::RSA_ENCRYPTION {
        // Parameters: NULL or absent.
        if !alg.is_empty() {
            alg.expect(crate::encoding::TAG_NULL)?;
        }
        Some((PrivateKeyKind::RsaPkcs8, rsa_pkcs1_private(inner)?))
    } else if alg_oid == oid::EC_PUBLIC_KEY {
        let curve = alg.expect(TAG_OID)?;
        Some((
            PrivateKeyKind::EcPkcs8,
            ec_sec1_private(inner, Some(curve))?,
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const RSA_CRT: &str = include_str!("../testdata/rsa2048.crt");
    const RSA_KEY_PKCS8: &str = include_str!("../testdata/rsa2048.key");
    const RSA_KEY_PKCS1: &str = include_str!("../testdata/rsa2048.pkcs1.key");
    const OTHER_CRT: &str = include_str!("../testdata/other.crt");
    const OTHER_KEY: &str = include_str!("../testdata/other.key");
    const EC256_CRT: &str = include_str!("../testdata/ec256.crt");
    const EC256_SEC1: &str = include_str!("../testdata/ec256.sec1.key");
    const EC256_PKCS8: &str = include_str!("../testdata/ec256.pkcs8.key");
    const EC384_CRT: &str = include_str!("../testdata/ec384.crt");
    const EC384_KEY: &str = include_str!("../testdata/ec384.key");
    const LEAF_CRT: &str = include_str!("../testdata/leaf.crt");
    const LEAF_KEY: &str = include_str!("../testdata/leaf.key");
    const CHAIN: &str = include_str!("../testdata/chain.pem");
    const CA_CRT: &str = include_str!("../testdata/ca.crt");
    const INTER_CRT: &str = include_str!("../testdata/inter.crt");
    const ENCRYPTED_KEY: &str = include_str!("../testdata/encrypted.key");

    /// 2027-01-01T00:00:00Z: inside every fixture's validity.
    const NOW: i64 = 1_798_761_600;

    fn kind<T: std::fmt::Debug>(r: Result<T, CertError>) -> ErrorKind {
        r.unwrap_err().kind()
    }

    #[test]
    fn signing_certificate_fields() {
        let cert = parse_signing_certificate(RSA_CRT, NOW).unwrap();
        let id = cert.certificate_id();
        assert_eq!(id.len(), 32);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        );
        assert_eq!(cert.subject(), "CN=iamd test rsa");
        assert_eq!(cert.issuer(), "CN=iamd test rsa");
        assert_eq!(cert.key(), &CertificateKey::Rsa { bits: 2048 });
        assert!(cert.not_before() < NOW && NOW < cert.not_after());
        // 3650 days of validity, as generated.
        assert_eq!(cert.not_after() - cert.not_before(), 3650 * 86_400);
        // The fixture is already normalized PEM, so the round trip is exact.
        assert_eq!(cert.pem(), RSA_CRT);
    }

    #[test]
    fn certificate_id_is_stable_and_distinct() {
        let a = parse_certificate(RSA_CRT).unwrap();
        let reformatted = format!(
            "some text\r\n{}\n\n",
            RSA_CRT
                .replace('\n', "\r\n")
                .replace("\r\n-----END", "-----END")
        );
        let b = parse_certificate(&reformatted).unwrap();
        assert_eq!(a.certificate_id(), b.certificate_id());
        assert_eq!(a.pem(), b.pem());
        let other = parse_certificate(OTHER_CRT).unwrap();
        assert_ne!(a.certificate_id(), other.certificate_id());
    }

    #[test]
    fn matches_openssl_dates() {
        // `openssl x509 -noout -dates`: notBefore=Nov 23 03:20:49 2026 GMT,
        // notAfter=Feb 25 03:20:49 2029 GMT.
        let leaf = parse_certificate(LEAF_CRT).unwrap();
        assert_eq!(leaf.not_before(), 1_795_404_049);
        assert_eq!(leaf.not_after() - leaf.not_before(), 825 * 86_400);
        assert_eq!(leaf.subject(), "CN=www.example.test");
        assert_eq!(leaf.issuer(), "CN=iamd test intermediate");
    }

    #[test]
    fn expired_signing_certificate_refused() {
        let cert = parse_certificate(RSA_CRT).unwrap();
        let after = cert.not_after() + 1;
        let err = parse_signing_certificate(RSA_CRT, after).unwrap_err();
        assert_eq!(err.code(), "MalformedCertificate");
        assert_eq!(err, EXPIRED_CERTIFICATE);
        assert!(parse_signing_certificate(RSA_CRT, cert.not_after()).is_ok());
    }

    #[test]
    fn garbage_certificates_refused() {
        let truncated = &RSA_CRT[..RSA_CRT.len() / 2];
        let cut_inside = {
            // Remove a base64 line from the middle: still valid base64, truncated DER.
            let mut lines: Vec<&str> = RSA_CRT.lines().collect();
            lines.remove(5);
            lines.join("\n")
        };
        let wrong_label = RSA_CRT.replace("CERTIFICATE", "X509 CRL");
        let two = format!("{RSA_CRT}{OTHER_CRT}");
        let key_as_cert = RSA_KEY_PKCS8;
        for bad in [
            "",
            "hello",
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----\n",
            truncated,
            &cut_inside,
            &wrong_label,
            &two,
            key_as_cert,
        ] {
            let err = parse_certificate(bad).unwrap_err();
            assert_eq!(err, MALFORMED_CERTIFICATE, "{bad:?}");
            assert_eq!(
                err.message(),
                "Unable to parse certificate. Please ensure the certificate is in PEM format."
            );
        }
    }

    #[test]
    fn server_certificate_rsa_all_key_formats() {
        for key in [RSA_KEY_PKCS8, RSA_KEY_PKCS1] {
            let sc = validate_server_certificate(RSA_CRT, None, key, NOW).unwrap();
            assert_eq!(sc.expiration(), sc.certificate.not_after());
            assert!(sc.chain.is_empty());
            assert_eq!(sc.chain_pem, None);
        }
        let k = |key| {
            validate_server_certificate(RSA_CRT, Some("  \n"), key, NOW)
                .unwrap()
                .private_key_kind
        };
        assert_eq!(k(RSA_KEY_PKCS8), PrivateKeyKind::RsaPkcs8);
        assert_eq!(k(RSA_KEY_PKCS1), PrivateKeyKind::RsaPkcs1);
    }

    #[test]
    fn server_certificate_ec() {
        let sc = validate_server_certificate(EC256_CRT, None, EC256_SEC1, NOW).unwrap();
        assert_eq!(sc.private_key_kind, PrivateKeyKind::EcSec1);
        assert_eq!(
            sc.certificate.key(),
            &CertificateKey::Ec {
                curve: "P-256".into()
            }
        );
        let sc = validate_server_certificate(EC256_CRT, None, EC256_PKCS8, NOW).unwrap();
        assert_eq!(sc.private_key_kind, PrivateKeyKind::EcPkcs8);
        let sc = validate_server_certificate(EC384_CRT, None, EC384_KEY, NOW).unwrap();
        assert_eq!(
            sc.certificate.key(),
            &CertificateKey::Ec {
                curve: "P-384".into()
            }
        );
    }

    #[test]
    fn server_certificate_with_chain() {
        let sc = validate_server_certificate(LEAF_CRT, Some(CHAIN), LEAF_KEY, NOW).unwrap();
        assert_eq!(sc.chain.len(), 2);
        assert_eq!(sc.chain[0].subject(), "CN=iamd test intermediate");
        assert_eq!(sc.chain[1].subject(), "CN=iamd test root");
        assert_eq!(
            sc.chain_pem.as_deref(),
            Some(&*format!("{INTER_CRT}{CA_CRT}"))
        );
    }

    #[test]
    fn key_pair_mismatch() {
        let cases = [
            (RSA_CRT, OTHER_KEY),
            (OTHER_CRT, RSA_KEY_PKCS1),
            (RSA_CRT, EC256_SEC1),
            (EC256_CRT, RSA_KEY_PKCS8),
            (EC256_CRT, EC384_KEY),
            (EC384_CRT, EC256_PKCS8),
            (LEAF_CRT, RSA_KEY_PKCS8),
        ];
        for (cert, key) in cases {
            let err = validate_server_certificate(cert, None, key, NOW).unwrap_err();
            assert_eq!(err.code(), "KeyPairMismatch");
            assert_eq!(
                err.message(),
                "The public key certificate and the private key do not match."
            );
        }
    }

    #[test]
    fn malformed_private_keys() {
        let truncated = &RSA_KEY_PKCS1[..RSA_KEY_PKCS1.len() - 40];
        let relabelled = RSA_KEY_PKCS8.replace("PRIVATE KEY", "RSA PRIVATE KEY");
        let two = format!("{RSA_KEY_PKCS8}{OTHER_KEY}");
        let legacy_encrypted = RSA_KEY_PKCS1.replacen(
            "-----\n",
            "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\n",
            1,
        );
        for bad in [
            "",
            "not a key",
            truncated,
            &relabelled,
            &two,
            ENCRYPTED_KEY,
            &legacy_encrypted,
            RSA_CRT,
        ] {
            assert_eq!(
                validate_server_certificate(RSA_CRT, None, bad, NOW).unwrap_err(),
                MALFORMED_PRIVATE_KEY,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rsa_key_with_swapped_modulus_is_refused() {
        // Graft OTHER's modulus into RSA's private numbers: the public half would "match"
        // OTHER's certificate, but the key is not consistent, so it does not parse.
        let rsa = pem_blocks(RSA_KEY_PKCS1).unwrap().remove(0).der;
        let other_pkcs8 = pem_blocks(OTHER_KEY).unwrap().remove(0).der;
        let other_pkcs1 = {
            let mut seq = DerReader::new(der_single(&other_pkcs8, TAG_SEQUENCE).unwrap());
            seq.expect(TAG_INTEGER).unwrap();
            seq.expect(TAG_SEQUENCE).unwrap();
            seq.expect(TAG_OCTET_STRING).unwrap().to_vec()
        };
        let fields = |der: &[u8]| -> Vec<Vec<u8>> {
            let mut seq = DerReader::new(der_single(der, TAG_SEQUENCE).unwrap());
            let mut out = Vec::new();
            while !seq.is_empty() {
                out.push(crate::encoding::der_tlv(
                    TAG_INTEGER,
                    seq.expect(TAG_INTEGER).unwrap(),
                ));
            }
            out
        };
        let mut mine = fields(&rsa);
        let theirs = fields(&other_pkcs1);
        mine[1] = theirs[1].clone();
        let parts: Vec<&[u8]> = mine.iter().map(Vec::as_slice).collect();
        let forged = pem_encode("RSA PRIVATE KEY", &crate::encoding::der_sequence(&parts));
        assert_eq!(
            kind(validate_server_certificate(OTHER_CRT, None, &forged, NOW)),
            ErrorKind::MalformedCertificate
        );
    }

    #[test]
    fn server_certificate_body_and_chain_errors() {
        assert_eq!(
            validate_server_certificate("junk", None, RSA_KEY_PKCS8, NOW).unwrap_err(),
            MALFORMED_CERTIFICATE
        );
        assert_eq!(
            validate_server_certificate(RSA_CRT, Some("junk"), RSA_KEY_PKCS8, NOW).unwrap_err(),
            MALFORMED_CHAIN
        );
        let chain_with_key = format!("{INTER_CRT}{RSA_KEY_PKCS8}");
        assert_eq!(
            validate_server_certificate(RSA_CRT, Some(&chain_with_key), RSA_KEY_PKCS8, NOW)
                .unwrap_err(),
            MALFORMED_CHAIN
        );
        let expired_at = parse_certificate(RSA_CRT).unwrap().not_after() + 10;
        assert_eq!(
            validate_server_certificate(RSA_CRT, None, RSA_KEY_PKCS8, expired_at).unwrap_err(),
            EXPIRED_CERTIFICATE
        );
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 1]), 1);
        assert_eq!(bit_length(&[0x80, 0]), 16);
        assert_eq!(bit_length(&[0, 0x7f, 0]), 15);
    }
}
