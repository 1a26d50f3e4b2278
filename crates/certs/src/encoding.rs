//! The small encoders and decoders every parser here shares: PEM armor, a DER reader and writer
//! (single-byte tags only, definite lengths only: all that keys and certificates need), and
//! base64.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

/// Standard alphabet; padding optional on input (some tools drop it), always written on output.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes base64 after dropping ASCII whitespace (PEM wraps lines; pasted keys wrap anywhere).
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    LENIENT.decode(compact.as_bytes()).ok()
}

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// One `-----BEGIN LABEL----- … -----END LABEL-----` block.
#[derive(Debug)]
pub(crate) struct PemBlock {
    pub(crate) label: String,
    /// RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, …) were present: an encrypted legacy key.
    pub(crate) has_headers: bool,
    pub(crate) der: Vec<u8>,
}

/// Why PEM text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PemError {
    /// No `-----BEGIN` marker at all.
    NoBlock,
    /// A block that does not close, has a broken marker, or whose body is not base64.
    Broken,
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Every PEM block in `text`, in order. Text outside the blocks is ignored, as OpenSSL does
/// (`openssl x509 -text` output puts a description before the block).
pub(crate) fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, PemError> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after_begin = &rest[start + BEGIN.len()..];
        let label_end = after_begin.find(DASHES).ok_or(PemError::Broken)?;
        let label = &after_begin[..label_end];
        if label.is_empty() || label.contains(['\n', '\r', '-']) || label.trim() != label {
            return Err(PemError::Broken);
        }
        let body_and_rest = &after_begin[label_end + DASHES.len()..];
        let end_marker = format!("-----END {label}-----");
        let body_end = body_and_rest.find(&end_marker).ok_or(PemError::Broken)?;
        let body = &body_and_rest[..body_end];
        if body.contains(DASHES) {
            return Err(PemError::Broken);
        }
        let (has_headers, payload) = split_headers(body);
        let der = base64_decode(payload).ok_or(PemError::Broken)?;
        blocks.push(PemBlock {
            label: label.to_owned(),
            has_headers,
            der,
        });
        rest = &body_and_rest[body_end + end_marker.len()..];
    }
    if blocks.is_empty() {
        return Err(PemError::NoBlock);
    }
    Ok(blocks)
}

/// Splits RFC 1421 headers (lines with a colon, ended by a blank line) from the base64 payload.
fn split_headers(body: &str) -> (bool, &str) {
    if !body.contains(':') {
        return (false, body);
    }
    let normalized_end = body
        .find("\n\n")
        .map(|i| i + 2)
        .or_else(|| body.find("\r\n\r\n").map(|i| i + 4));
    match normalized_end {
        Some(i) => (true, &body[i..]),
        None => (true, ""),
    }
}

/// Wraps DER in PEM armor with 64-character lines and a final newline.
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    // base64 output is ASCII, so byte chunks are char boundaries.
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
pub(crate) const TAG_CONTEXT_0: u8 = 0xa0;
pub(crate) const TAG_CONTEXT_1: u8 = 0xa1;

/// A cursor over DER elements.
pub(crate) struct DerReader<'a> {
    rest: &'a [u8],
}

impl<'a> DerReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        DerReader { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element's tag and contents.
    pub(crate) fn any(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, after_tag) = self.rest.split_first()?;
        if tag & 0x1f == 0x1f {
            return None; // multi-byte tags: never used by the structures read here
        }
        let (&first, after_len) = after_tag.split_first()?;
        let (len, after_len) = if first < 0x80 {
            (usize::from(first), after_len)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || after_len.len() < n {
                return None; // indefinite length (BER) or absurd
            }
            let len = after_len[..n]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, &after_len[n..])
        };
        if after_len.len() < len {
            return None;
        }
        let (contents, rest) = after_len.split_at(len);
        self.rest = rest;
        Some((tag, contents))
    }

    /// The next element's contents, if it has tag `tag`.
    pub(crate) fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.any()? {
            (t, contents) if t == tag => Some(contents),
            _ => None,
        }
    }

    /// The next element's contents if it has tag `tag`; nothing consumed otherwise.
    pub(crate) fn optional(&mut self, tag: u8) -> Option<&'a [u8]> {
        if self.peek_tag() == Some(tag) {
            self.expect(tag)
        } else {
            None
        }
    }

    /// An INTEGER that must be non-negative, as its magnitude without leading zeros.
    pub(crate) fn unsigned(&mut self) -> Option<&'a [u8]> {
        let contents = self.expect(TAG_INTEGER)?;
        if contents.first().is_none_or(|&b| b & 0x80 != 0) {
            return None;
        }
        Some(strip_leading_zeros(contents))
    }

    /// A BIT STRING with no unused bits, as its bytes.
    pub(crate) fn bit_string_bytes(&mut self) -> Option<&'a [u8]> {
        match self.expect(TAG_BIT_STRING)?.split_first()? {
            (0, bytes) => Some(bytes),
            _ => None,
        }
    }
}

/// The contents of `bytes` when it is exactly one element with tag `tag`.
pub(crate) fn der_single(bytes: &[u8], tag: u8) -> Option<&[u8]> {
    let mut r = DerReader::new(bytes);
    let contents = r.expect(tag)?;
    r.is_empty().then_some(contents)
}

pub(crate) fn strip_leading_zeros(mut bytes: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = bytes {
        bytes = rest;
    }
    bytes
}

/// A DER element.
pub(crate) fn der_tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 6);
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
    out
}

/// A DER INTEGER holding the non-negative number whose big-endian magnitude is `magnitude`.
pub(crate) fn der_unsigned(magnitude: &[u8]) -> Vec<u8> {
    der_tlv(TAG_INTEGER, &twos_complement_positive(magnitude))
}

/// The minimal two's-complement form of a non-negative magnitude (shared by DER INTEGER and SSH
/// `mpint`, except that SSH writes zero as no bytes).
pub(crate) fn twos_complement_positive(magnitude: &[u8]) -> Vec<u8> {
    let m = strip_leading_zeros(magnitude);
    let mut out = Vec::with_capacity(m.len() + 1);
    if m.first().is_none_or(|&b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(m);
    out
}

/// A DER BIT STRING with no unused bits.
pub(crate) fn der_bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut contents = Vec::with_capacity(bytes.len() + 1);
    contents.push(0);
    contents.extend_from_slice(bytes);
    der_tlv(TAG_BIT_STRING, &contents)
}

/// Concatenated DER elements wrapped in a SEQUENCE.
pub(crate) fn der_sequence(parts: &[&[u8]]) -> Vec<u8> {
    der_tlv(TAG_SEQUENCE, &parts.concat())
}

/// Object identifiers, as the contents of their DER encoding.
pub(crate) mod oid {
    /// 1.2.840.113549.1.1.1
    pub(crate) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// 1.2.840.10045.2.1
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// 1.3.101.112
    pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_round_trip_long_lengths() {
        let contents = vec![7u8; 300];
        let tlv = der_tlv(TAG_OCTET_STRING, &contents);
        assert_eq!(&tlv[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(der_single(&tlv, TAG_OCTET_STRING), Some(&contents[..]));
        assert_eq!(der_single(&tlv[..tlv.len() - 1], TAG_OCTET_STRING), None);
    }

    #[test]
    fn unsigned_integers() {
        assert_eq!(der_unsigned(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(der_unsigned(&[0, 0, 0x01]), vec![0x02, 0x01, 0x01]);
        assert_eq!(der_unsigned(&[]), vec![0x02, 0x01, 0x00]);
        let mut r = DerReader::new(&[0x02, 0x01, 0xff]);
        assert_eq!(r.unsigned(), None, "negative");
    }

    #[test]
    fn pem_blocks_with_surrounding_text_and_headers() {
        let der = der_sequence(&[&der_unsigned(&[5])]);
        let pem = pem_encode("THING", &der);
        let text = format!("Certificate:\n  blah: 1\n{pem}trailing words\n");
        let blocks = pem_blocks(&text).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "THING");
        assert!(!blocks[0].has_headers);
        assert_eq!(blocks[0].der, der);

        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAMCAQU=\n-----END RSA PRIVATE KEY-----\n";
        let blocks = pem_blocks(legacy).unwrap();
        assert!(blocks[0].has_headers);
    }

    #[test]
    fn pem_failures() {
        assert_eq!(pem_blocks("hello").unwrap_err(), PemError::NoBlock);
        assert_eq!(
            pem_blocks("-----BEGIN X-----\nMAMCAQU=\n").unwrap_err(),
            PemError::Broken,
            "unterminated"
        );
        assert_eq!(
            pem_blocks("-----BEGIN X-----\nMAMCAQU=\n-----END Y-----\n").unwrap_err(),
            PemError::Broken,
            "mismatched end label"
        );
        assert_eq!(
            pem_blocks("-----BEGIN X-----\n!!!!\n-----END X-----\n").unwrap_err(),
            PemError::Broken,
            "not base64"
        );
        assert_eq!(
            pem_blocks("-----BEGIN X-----\n\n-----END X-----\n").unwrap_err(),
            PemError::Broken,
            "empty"
        );
    }
}
