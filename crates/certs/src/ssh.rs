//! SSH public keys for `UploadSSHPublicKey` and `GetSSHPublicKey`.
//!
//! IAM documents the body as "encoded in ssh-rsa format or PEM format", with a minimum of 2048
//! bits. Accepted here, with [`SshKeyPolicy::default`] (IAM's rules):
//! - OpenSSH one-line: `ssh-rsa AAAA… [comment]`;
//! - PEM: `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo, as `ssh-keygen -e -m PKCS8` and
//!   `openssl rsa -pubout` write) and `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1, `-m PEM`);
//! - RFC 4716: `---- BEGIN SSH2 PUBLIC KEY ----` (`ssh-keygen -e`'s default).
//!
//! `ssh-ed25519` keys parse too, but IAM's documentation names ssh-rsa only (CodeCommit, the one
//! consumer, takes RSA), so the default policy refuses them with `UnrecognizedPublicKeyEncoding`;
//! [`SshKeyPolicy::allow_ed25519`] lets them in. ECDSA, DSA and security-key types are refused.

use md5::Md5;
use sha2::{Digest as _, Sha256};

use crate::encoding::{
    DerReader, TAG_NULL, TAG_OID, TAG_SEQUENCE, base64_decode, base64_encode, der_bit_string,
    der_sequence, der_single, der_tlv, der_unsigned, oid, pem_blocks, pem_encode,
    twos_complement_positive,
};
use crate::error::{CertError, INVALID_PUBLIC_KEY, PUBLIC_KEY_TOO_SHORT, UNRECOGNIZED_ENCODING};
use crate::x509::{bit_length, rsa_public_from_pkcs1};

const SSH_RSA: &str = "ssh-rsa";
const SSH_ED25519: &str = "ssh-ed25519";
/// OpenSSH refuses larger RSA moduli; so do we.
const MAX_RSA_BITS: usize = 16384;

/// `GetSSHPublicKey`'s `Encoding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SshEncoding {
    /// `SSH`: the OpenSSH one-line form, `ssh-rsa AAAA…`.
    Ssh,
    /// `PEM`: `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo).
    Pem,
}

impl SshEncoding {
    /// Parses the `Encoding` parameter (`SSH` or `PEM`, exactly as AWS spells them).
    pub fn from_param(value: &str) -> Option<SshEncoding> {
        match value {
            "SSH" => Some(SshEncoding::Ssh),
            "PEM" => Some(SshEncoding::Pem),
            _ => None,
        }
    }

    /// The parameter value, `SSH` or `PEM`.
    pub const fn as_param(self) -> &'static str {
        match self {
            SshEncoding::Ssh => "SSH",
            SshEncoding::Pem => "PEM",
        }
    }
}

/// Which keys are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SshKeyPolicy {
    /// Smallest RSA modulus accepted, in bits (IAM: 2048).
    pub min_rsa_bits: usize,
    /// Whether `ssh-ed25519` keys are accepted (IAM documents ssh-rsa only: `false`).
    pub allow_ed25519: bool,
}

impl Default for SshKeyPolicy {
    fn default() -> Self {
        SshKeyPolicy {
            min_rsa_bits: 2048,
            allow_ed25519: false,
        }
    }
}

/// The key algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SshKeyAlgorithm {
    /// `ssh-rsa`.
    Rsa,
    /// `ssh-ed25519`.
    Ed25519,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum KeyMaterial {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ed25519([u8; 32]),
}

/// A validated SSH public key, held in canonical form whatever encoding it arrived in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshPublicKey {
    material: KeyMaterial,
    /// The SSH wire encoding (RFC 4253 §6.6), canonical: what fingerprints are taken over.
    blob: Vec<u8>,
    comment: Option<String>,
}

impl SshPublicKey {
    /// Parses an `SSHPublicKeyBody` under IAM's rules ([`SshKeyPolicy::default`]).
    pub fn parse(body: &str) -> Result<SshPublicKey, CertError> {
        SshPublicKey::parse_with(body, SshKeyPolicy::default())
    }

    /// Parses an `SSHPublicKeyBody` under `policy`.
    ///
    /// Errors: `UnrecognizedPublicKeyEncoding` when the text is in no encoding accepted here or
    /// names a key type the policy refuses; `InvalidPublicKey` when it is in a recognized
    /// encoding but broken (bad base64, truncated or inconsistent key data) or an RSA key is
    /// shorter than the policy's minimum.
    pub fn parse_with(body: &str, policy: SshKeyPolicy) -> Result<SshPublicKey, CertError> {
        let text = body.trim();
        let (material, comment) = if text.starts_with("---- BEGIN SSH2 PUBLIC KEY ----") {
            (parse_rfc4716(text)?, None)
        } else if text.starts_with("-----BEGIN ") {
            (parse_pem(text)?, None)
        } else {
            parse_openssh(text)?
        };
        let key = SshPublicKey::from_material(material, comment);
        match &key.material {
            KeyMaterial::Rsa { .. } => {
                let bits = key.bits();
                if bits < policy.min_rsa_bits {
                    return Err(PUBLIC_KEY_TOO_SHORT);
                }
                if bits > MAX_RSA_BITS {
                    return Err(INVALID_PUBLIC_KEY);
                }
            }
            KeyMaterial::Ed25519(_) => {
                if !policy.allow_ed25519 {
                    return Err(UNRECOGNIZED_ENCODING);
                }
            }
        }
        Ok(key)
    }

    fn from_material(material: KeyMaterial, comment: Option<String>) -> SshPublicKey {
        let mut blob = Vec::new();
        match &material {
            KeyMaterial::Rsa { n, e } => {
                put_string(&mut blob, SSH_RSA.as_bytes());
                put_mpint(&mut blob, e);
                put_mpint(&mut blob, n);
            }
            KeyMaterial::Ed25519(pk) => {
                put_string(&mut blob, SSH_ED25519.as_bytes());
                put_string(&mut blob, pk);
            }
        }
        SshPublicKey {
            material,
            blob,
            comment,
        }
    }

    /// The key algorithm.
    pub fn algorithm(&self) -> SshKeyAlgorithm {
        match self.material {
            KeyMaterial::Rsa { .. } => SshKeyAlgorithm::Rsa,
            KeyMaterial::Ed25519(_) => SshKeyAlgorithm::Ed25519,
        }
    }

    /// Key size in bits: the RSA modulus length, or 256 for Ed25519.
    pub fn bits(&self) -> usize {
        match &self.material {
            KeyMaterial::Rsa { n, .. } => bit_length(n),
            KeyMaterial::Ed25519(_) => 256,
        }
    }

    /// The comment after the key in the OpenSSH form, if there was one.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }

    /// The SSH wire encoding of the key (the base64-decoded middle of the OpenSSH form).
    pub fn blob(&self) -> &[u8] {
        &self.blob
    }

    /// IAM's `Fingerprint`: MD5 of the key blob as 16 colon-separated lowercase hex pairs, the
    /// same digits `ssh-keygen -l -E md5` prints after `MD5:`.
    pub fn fingerprint_md5(&self) -> String {
        let digest = Md5::digest(&self.blob);
        let mut s = String::with_capacity(47);
        for (i, b) in digest.iter().enumerate() {
            if i > 0 {
                s.push(':');
            }
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    /// OpenSSH's modern fingerprint, `SHA256:` and unpadded base64 of SHA-256 of the blob.
    pub fn fingerprint_sha256(&self) -> String {
        let digest = Sha256::digest(&self.blob);
        let b64 = base64_encode(&digest);
        format!("SHA256:{}", b64.trim_end_matches('='))
    }

    /// The OpenSSH one-line form without comment: `ssh-rsa AAAA…`.
    pub fn to_openssh(&self) -> String {
        let name = match self.material {
            KeyMaterial::Rsa { .. } => SSH_RSA,
            KeyMaterial::Ed25519(_) => SSH_ED25519,
        };
        format!("{name} {}", base64_encode(&self.blob))
    }

    /// The PEM form: `-----BEGIN PUBLIC KEY-----` holding a SubjectPublicKeyInfo, 64-column
    /// lines, final newline.
    pub fn to_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.spki_der())
    }

    /// The key in `encoding`, as `GetSSHPublicKey` returns it.
    pub fn encode(&self, encoding: SshEncoding) -> String {
        match encoding {
            SshEncoding::Ssh => self.to_openssh(),
            SshEncoding::Pem => self.to_pem(),
        }
    }

    fn spki_der(&self) -> Vec<u8> {
        match &self.material {
            KeyMaterial::Rsa { n, e } => {
                let algorithm = der_sequence(&[
                    &der_tlv(TAG_OID, oid::RSA_ENCRYPTION),
                    &der_tlv(TAG_NULL, &[]),
                ]);
                let rsa = der_sequence(&[&der_unsigned(n), &der_unsigned(e)]);
                der_sequence(&[&algorithm, &der_bit_string(&rsa)])
            }
            KeyMaterial::Ed25519(pk) => {
                let algorithm = der_sequence(&[&der_tlv(TAG_OID, oid::ED25519)]);
                der_sequence(&[&algorithm, &der_bit_string(pk)])
            }
        }
    }
}

/// `ssh-rsa AAAA… comment`.
fn parse_openssh(text: &str) -> Result<(KeyMaterial, Option<String>), CertError> {
    let (key_type, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if key_type != SSH_RSA && key_type != SSH_ED25519 {
        return Err(UNRECOGNIZED_ENCODING);
    }
    let rest = rest.trim_start();
    let (b64, comment) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if rest.contains(['\n', '\r']) {
        return Err(INVALID_PUBLIC_KEY); // more than one line: several keys, or a broken paste
    }
    let comment = comment.trim();
    let comment = (!comment.is_empty()).then(|| comment.to_owned());
    let blob = base64_decode(b64).ok_or(INVALID_PUBLIC_KEY)?;
    let material = parse_blob(&blob).ok_or(INVALID_PUBLIC_KEY)?;
    let blob_type = match material {
        KeyMaterial::Rsa { .. } => SSH_RSA,
        KeyMaterial::Ed25519(_) => SSH_ED25519,
    };
    if blob_type != key_type {
        return Err(INVALID_PUBLIC_KEY);
    }
    Ok((material, comment))
}

/// RFC 4716: header lines (`Tag: value`, with `\` continuations), then base64 of the blob.
fn parse_rfc4716(text: &str) -> Result<KeyMaterial, CertError> {
    let mut lines = text.lines().map(str::trim);
    lines.next(); // BEGIN
    let mut b64 = String::new();
    let mut continuing = false;
    let mut ended = false;
    for line in lines {
        if line == "---- END SSH2 PUBLIC KEY ----" {
            ended = true;
            break;
        }
        if continuing || line.contains(':') {
            continuing = line.ends_with('\\');
            continue;
        }
        b64.push_str(line);
    }
    if !ended {
        return Err(INVALID_PUBLIC_KEY);
    }
    let blob = base64_decode(&b64).ok_or(INVALID_PUBLIC_KEY)?;
    parse_blob(&blob).ok_or(INVALID_PUBLIC_KEY)
}

fn parse_pem(text: &str) -> Result<KeyMaterial, CertError> {
    let blocks = pem_blocks(text).map_err(|_| INVALID_PUBLIC_KEY)?;
    let [block] = blocks.as_slice() else {
        return Err(INVALID_PUBLIC_KEY);
    };
    match block.label.as_str() {
        "PUBLIC KEY" => parse_spki(&block.der),
        "RSA PUBLIC KEY" => {
            let (n, e) = rsa_public_from_pkcs1(&block.der).ok_or(INVALID_PUBLIC_KEY)?;
            rsa_material(n, e).ok_or(INVALID_PUBLIC_KEY)
        }
        _ => Err(UNRECOGNIZED_ENCODING),
    }
}

/// SubjectPublicKeyInfo holding an RSA or Ed25519 key.
fn parse_spki(der: &[u8]) -> Result<KeyMaterial, CertError> {
    let mut seq = DerReader::new(der_single(der, TAG_SEQUENCE).ok_or(INVALID_PUBLIC_KEY)?);
    let mut alg = DerReader::new(seq.expect(TAG_SEQUENCE).ok_or(INVALID_PUBLIC_KEY)?);
    let alg_oid = alg.expect(TAG_OID).ok_or(INVALID_PUBLIC_KEY)?;
    let key = seq.bit_string_bytes().ok_or(INVALID_PUBLIC_KEY)?;
    if !seq.is_empty() {
        return Err(INVALID_PUBLIC_KEY);
    }
    if alg_oid == oid::RSA_ENCRYPTION {
        if !alg.is_empty() && (alg.expect(TAG_NULL).is_none() || !alg.is_empty()) {
            return Err(INVALID_PUBLIC_KEY);
        }
        let (n, e) = rsa_public_from_pkcs1(key).ok_or(INVALID_PUBLIC_KEY)?;
        rsa_material(n, e).ok_or(INVALID_PUBLIC_KEY)
    } else if alg_oid == oid::ED25519 {
        if !alg.is_empty() {
            return Err(INVALID_PUBLIC_KEY);
        }
        let pk: [u8; 32] = key.try_into().map_err(|_| INVALID_PUBLIC_KEY)?;
        Ok(KeyMaterial::Ed25519(pk))
    } else {
        Err(UNRECOGNIZED_ENCODING)
    }
}

/// An RSA key from magnitudes, checked: odd modulus, odd exponent ≥ 3 and smaller than n.
fn rsa_material(n: Vec<u8>, e: Vec<u8>) -> Option<KeyMaterial> {
    let n_odd = n.last().is_some_and(|b| b & 1 == 1);
    let e_odd = e.last().is_some_and(|b| b & 1 == 1);
    let e_ok = e_odd && (e.len() > 1 || e.first().is_some_and(|&b| b >= 3)) && e.len() <= n.len();
    (n_odd && e_ok).then_some(KeyMaterial::Rsa { n, e })
}

/// A wire-format key blob: `string type`, then the type's fields, nothing after.
fn parse_blob(blob: &[u8]) -> Option<KeyMaterial> {
    let mut w = Wire(blob);
    let key_type = w.string()?;
    let material = match key_type {
        b"ssh-rsa" => {
            let e = w.mpint()?;
            let n = w.mpint()?;
            rsa_material(n.to_vec(), e.to_vec())?
        }
        b"ssh-ed25519" => KeyMaterial::Ed25519(w.string()?.try_into().ok()?),
        _ => return None,
    };
    w.0.is_empty().then_some(material)
}

struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn string(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.0.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
        if rest.len() < len {
            return None;
        }
        let (s, rest) = rest.split_at(len);
        self.0 = rest;
        Some(s)
    }

    /// A non-negative `mpint`, as its magnitude without leading zeros.
    fn mpint(&mut self) -> Option<&'a [u8]> {
        let raw = self.string()?;
        if raw.first().is_some_and(|&b| b & 0x80 != 0) {
            return None; // negative
        }
        Some(crate::encoding::strip_leading_zeros(raw))
    }
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn put_mpint(out: &mut Vec<u8>, magnitude: &[u8]) {
    if magnitude.is_empty() {
        put_string(out, &[]);
    } else {
        put_string(out, &twos_complement_positive(magnitude));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const RSA2048_PUB: &str = include_str!("../testdata/ssh_rsa2048.pub");
    const RSA2048_MD5: &str = include_str!("../testdata/ssh_rsa2048.md5");
    const RSA2048_SPKI: &str = include_str!("../testdata/ssh_rsa2048.spki.pem");
    const RSA2048_PKCS1: &str = include_str!("../testdata/ssh_rsa2048.pkcs1.pem");
    const RSA2048_RFC4716: &str = include_str!("../testdata/ssh_rsa2048.rfc4716");
    const RSA4096_PUB: &str = include_str!("../testdata/ssh_rsa4096.pub");
    const RSA4096_MD5: &str = include_str!("../testdata/ssh_rsa4096.md5");
    const RSA1024_PUB: &str = include_str!("../testdata/ssh_rsa1024.pub");
    const RSA1024_MD5: &str = include_str!("../testdata/ssh_rsa1024.md5");
    const ED25519_PUB: &str = include_str!("../testdata/ssh_ed25519.pub");
    const ED25519_MD5: &str = include_str!("../testdata/ssh_ed25519.md5");
    const ECDSA_PUB: &str = include_str!("../testdata/ssh_ecdsa.pub");

    /// The hex digits of `ssh-keygen -l -E md5` output: `2048 MD5:aa:bb:… comment (RSA)`.
    fn keygen_md5(line: &str) -> &str {
        line.split_whitespace()
            .nth(1)
            .and_then(|f| f.strip_prefix("MD5:"))
            .unwrap()
    }

    fn kind_of(line: &str) -> &str {
        line.split_whitespace().next().unwrap()
    }

    fn b64_of(line: &str) -> &str {
        line.split_whitespace().nth(1).unwrap()
    }

    fn lenient() -> SshKeyPolicy {
        SshKeyPolicy {
            min_rsa_bits: 1024,
            allow_ed25519: true,
        }
    }

    #[test]
    fn md5_fingerprints_match_ssh_keygen() {
        for (pub_key, md5, bits) in [
            (RSA2048_PUB, RSA2048_MD5, 2048),
            (RSA4096_PUB, RSA4096_MD5, 4096),
            (RSA1024_PUB, RSA1024_MD5, 1024),
            (ED25519_PUB, ED25519_MD5, 256),
        ] {
            let key = SshPublicKey::parse_with(pub_key, lenient()).unwrap();
            assert_eq!(key.fingerprint_md5(), keygen_md5(md5));
            assert_eq!(key.fingerprint_md5().len(), 47);
            assert_eq!(key.bits(), bits);
        }
    }

    #[test]
    fn openssh_round_trip_and_comment() {
        let key = SshPublicKey::parse(RSA2048_PUB).unwrap();
        assert_eq!(key.algorithm(), SshKeyAlgorithm::Rsa);
        assert_eq!(key.comment(), Some("alice@example"));
        let without_comment = RSA2048_PUB.trim().rsplit_once(' ').unwrap().0;
        assert_eq!(key.to_openssh(), without_comment);
        assert_eq!(key.encode(SshEncoding::Ssh), without_comment);
        let again = SshPublicKey::parse(&key.to_openssh()).unwrap();
        assert_eq!(again.blob(), key.blob());
        assert_eq!(again.comment(), None);
        assert_eq!(SshPublicKey::parse(RSA4096_PUB).unwrap().comment(), None);
        let spaced = format!(
            "  {}\t  {}   my  key \r\n",
            kind_of(RSA2048_PUB),
            b64_of(RSA2048_PUB)
        );
        let key2 = SshPublicKey::parse(&spaced).unwrap();
        assert_eq!(key2.blob(), key.blob());
        assert_eq!(key2.comment(), Some("my  key"));
    }

    #[test]
    fn pem_encodings_give_the_same_key() {
        let from_ssh = SshPublicKey::parse(RSA2048_PUB).unwrap();
        for pem in [RSA2048_SPKI, RSA2048_PKCS1, RSA2048_RFC4716] {
            let key = SshPublicKey::parse(pem).unwrap();
            assert_eq!(key.blob(), from_ssh.blob(), "{pem}");
            assert_eq!(key.fingerprint_md5(), from_ssh.fingerprint_md5());
        }
        // Our PEM output is exactly what `ssh-keygen -e -m PKCS8` wrote.
        assert_eq!(from_ssh.to_pem(), RSA2048_SPKI);
        assert_eq!(from_ssh.encode(SshEncoding::Pem), RSA2048_SPKI);
    }

    #[test]
    fn ed25519_under_each_policy() {
        let err = SshPublicKey::parse(ED25519_PUB).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnrecognizedPublicKeyEncoding);
        let key = SshPublicKey::parse_with(ED25519_PUB, lenient()).unwrap();
        assert_eq!(key.algorithm(), SshKeyAlgorithm::Ed25519);
        let pem = key.to_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
        let back = SshPublicKey::parse_with(&pem, lenient()).unwrap();
        assert_eq!(back.blob(), key.blob());
        assert_eq!(
            key.fingerprint_sha256().len(),
            "SHA256:".len() + 43,
            "unpadded base64 of 32 bytes"
        );
    }

    #[test]
    fn short_rsa_refused() {
        let err = SshPublicKey::parse(RSA1024_PUB).unwrap_err();
        assert_eq!(err.code(), "InvalidPublicKey");
        assert_eq!(
            err.message(),
            "The public key is too short. The minimum bit-length of the public key is 2048 bits."
        );
    }

    #[test]
    fn unrecognized_encodings() {
        for body in [
            ECDSA_PUB,
            "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
            "hello world",
            "",
            "AAAAB3NzaC1yc2EAAAADAQABAAABAQ",
            "-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----\n",
            "command=\"ls\" ssh-rsa AAAA",
        ] {
            let err = SshPublicKey::parse(body).unwrap_err();
            assert_eq!(err.code(), "UnrecognizedPublicKeyEncoding", "{body:?}");
        }
    }

    #[test]
    fn invalid_keys() {
        let (kind, rest) = RSA2048_PUB.split_once(' ').unwrap();
        let b64 = rest.split_once(' ').unwrap().0;
        let truncated_b64 = format!("{kind} {}", &b64[..b64.len() - 8]);
        let mut blob = base64_decode(b64).unwrap();
        blob.push(0);
        let trailing = format!("{kind} {}", base64_encode(&blob));
        let ed_b64 = ED25519_PUB.split(' ').nth(1).unwrap();
        let type_mismatch = format!("ssh-rsa {ed_b64}");
        let truncated_pem = &RSA2048_SPKI[..RSA2048_SPKI.len() - 30];
        let pem_garbage = "-----BEGIN PUBLIC KEY-----\nMAMCAQU=\n-----END PUBLIC KEY-----\n";
        for body in [
            "ssh-rsa",
            "ssh-rsa !!!notbase64",
            "ssh-rsa\nAAAA",
            &format!("{}\n{}", RSA2048_PUB.trim(), RSA2048_PUB.trim()),
            &format!("ssh-rsa {}\n{}", b64_of(RSA2048_PUB), RSA2048_PUB.trim()),
            &truncated_b64,
            &trailing,
            &type_mismatch,
            truncated_pem,
            pem_garbage,
        ] {
            let err = SshPublicKey::parse(body).unwrap_err();
            assert_eq!(err.code(), "InvalidPublicKey", "{body:?}");
        }
    }

    #[test]
    fn rsa_numbers_checked() {
        let mut n = vec![0xc5u8; 256];
        n[255] = 0x01;
        assert!(rsa_material(n.clone(), vec![1, 0, 1]).is_some());
        assert!(rsa_material(n.clone(), vec![1]).is_none(), "e = 1");
        assert!(rsa_material(n.clone(), vec![2]).is_none(), "even e");
        let mut even = n.clone();
        even[255] = 0x02;
        assert!(rsa_material(even, vec![3]).is_none(), "even n");
        // A key built from these numbers survives the wire and PEM round trips.
        let key = SshPublicKey::from_material(rsa_material(n, vec![1, 0, 1]).unwrap(), None);
        let again = SshPublicKey::parse(&key.to_pem()).unwrap();
        assert_eq!(again, key);
    }

    #[test]
    fn encoding_param() {
        assert_eq!(SshEncoding::from_param("SSH"), Some(SshEncoding::Ssh));
        assert_eq!(SshEncoding::from_param("PEM"), Some(SshEncoding::Pem));
        assert_eq!(SshEncoding::from_param("pem"), None);
        assert_eq!(SshEncoding::Pem.as_param(), "PEM");
    }
}
