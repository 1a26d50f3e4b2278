//! S3's `aws-chunked` upload bodies, decoded as they stream:
//! - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: each chunk's signature is checked against the previous
//!   one (the seed is the request's own signature), so a chunk changed, dropped, reordered or
//!   appended is refused;
//! - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: the same, then trailing headers (a checksum)
//!   signed by `x-amz-trailer-signature`, chained from the final chunk's signature;
//! - `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (the SDKs over TLS): chunks without signatures, then the
//!   checksum trailer.
//!
//! A trailer's checksum is compared with the decoded data's. Pure: bytes in, verified data out.
//!
//! A verified chunk is held until the next one verifies, and the last data is released only once
//! the end (final chunk, trailer signature, checksum) verified: the upstream, which expects the
//! decoded length, never receives a complete body that was not wholly checked.

use bytes::{Buf, Bytes, BytesMut};
use iamd_sigv4::SigningKey;
use sha2::{Digest, Sha256};

use crate::checksum::Checksum;

/// The largest chunk accepted (SDKs send 8 KiB to 1 MiB).
pub const MAX_CHUNK: usize = 16 << 20;
const MAX_HEADER: usize = 512;
/// The trailing headers' largest total size.
const MAX_TRAILER: usize = 4096;
/// SHA-256 of the empty string, hex.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const TRAILER_SIGNATURE: &str = "x-amz-trailer-signature";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkError {
    /// The body is not `aws-chunked` as S3 defines it.
    Malformed(&'static str),
    /// A chunk's or the trailer's signature does not match.
    Signature,
    /// The decoded length differs from `x-amz-decoded-content-length`.
    Length,
    /// The trailer's checksum differs from the data's (the algorithm's name, as S3 writes it).
    Checksum(&'static str),
}

/// What checks the chunk signatures: the request's scope and its signing key.
pub struct ChunkSigner {
    /// `None`: decode without checking (a `--dev` unverified key, whose secret nobody knows).
    pub key: Option<SigningKey>,
    pub amz_date: String,
    pub scope: String,
    /// The seed: the request's signature, hex.
    pub seed: String,
}

/// How the body is framed: signed chunks or not, and the trailer the request declared
/// (`x-amz-trailer`), whose checksum the data must match.
pub struct Framing {
    /// `None`: chunks carry no signature (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
    pub signer: Option<ChunkSigner>,
    /// The declared trailer's name (lowercase) and its running checksum.
    pub trailer: Option<(String, Checksum)>,
}

enum State {
    Header,
    Data {
        size: usize,
        signature: Option<String>,
    },
    DataEnd,
    FinalEnd,
    Trailer,
    Done,
}

pub struct Decoder {
    signer: Option<ChunkSigner>,
    trailer: Option<(String, Checksum)>,
    previous: String,
    buf: BytesMut,
    state: State,
    pending: Option<Bytes>,
    decoded: u64,
    expected: Option<u64>,
    /// Trailing header lines read so far (name lowercase, value trimmed).
    trailer_lines: Vec<(String, String)>,
    trailer_bytes: usize,
}

impl Framing {
    /// Signed chunks without a trailer (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`).
    pub fn signed(signer: ChunkSigner) -> Framing {
        Framing {
            signer: Some(signer),
            trailer: None,
        }
    }
}

impl Decoder {
    pub fn new(framing: Framing, expected: Option<u64>) -> Decoder {
        let previous = framing
            .signer
            .as_ref()
            .map(|s| s.seed.clone())
            .unwrap_or_default();
        Decoder {
            signer: framing.signer,
            trailer: framing.trailer,
            previous,
            buf: BytesMut::new(),
            state: State::Header,
            pending: None,
            decoded: 0,
            expected,
            trailer_lines: Vec::new(),
            trailer_bytes: 0,
        }
    }

    /// Feeds body bytes; returns data that is verified and may go upstream now.
    pub fn push(&mut self, input: &[u8]) -> Result<Vec<Bytes>, ChunkError> {
        if matches!(self.state, State::Done) && !input.is_empty() {
            return Err(ChunkError::Malformed("data after the final chunk"));
        }
        self.buf.extend_from_slice(input);
        let mut out = Vec::new();
        loop {
            match &self.state {
                State::Header => {
                    let Some(end) = find_crlf(&self.buf) else {
                        if self.buf.len() > MAX_HEADER {
                            return Err(ChunkError::Malformed("chunk header too long"));
                        }
                        return Ok(out);
                    };
                    let line = self.buf.split_to(end + 2);
                    let line = std::str::from_utf8(&line[..end])
                        .map_err(|_| ChunkError::Malformed("chunk header not text"))?;
                    let (size, signature) = parse_header(line, self.signer.is_some())?;
                    self.state = State::Data { size, signature };
                }
                State::Data { size, signature } => {
                    if self.buf.len() < *size {
                        return Ok(out);
                    }
                    let (size, signature) = (*size, signature.clone());
                    let data = self.buf.split_to(size).freeze();
                    if let Some(signature) = &signature {
                        self.verify(signature, &data)?;
                    }
                    if size == 0 {
                        // A trailer follows the final chunk's header directly.
                        self.state = if self.trailer.is_some() {
                            State::Trailer
                        } else {
                            State::FinalEnd
                        };
                        continue;
                    }
                    self.decoded += size as u64;
                    if let Some((_, c)) = &mut self.trailer {
                        c.update(&data);
                    }
                    if let Some(p) = self.pending.replace(data) {
                        out.push(p);
                    }
                    self.state = State::DataEnd;
                }
                State::DataEnd | State::FinalEnd => {
                    if self.buf.len() < 2 {
                        return Ok(out);
                    }
                    if &self.buf[..2] != b"\r\n" {
                        return Err(ChunkError::Malformed("chunk not followed by CRLF"));
                    }
                    self.buf.advance(2);
                    if matches!(self.state, State::FinalEnd) {
                        return self.end(out);
                    }
                    self.state = State::Header;
                }
                State::Trailer => {
                    let Some(end) = find_crlf(&self.buf) else {
                        if self.trailer_bytes + self.buf.len() > MAX_TRAILER {
                            return Err(ChunkError::Malformed("trailer too long"));
                        }
                        return Ok(out);
                    };
                    let line = self.buf.split_to(end + 2);
                    self.trailer_bytes += line.len();
                    if self.trailer_bytes > MAX_TRAILER {
                        return Err(ChunkError::Malformed("trailer too long"));
                    }
                    let line = std::str::from_utf8(&line[..end])
                        .map_err(|_| ChunkError::Malformed("trailer not text"))?;
                    if line.is_empty() {
                        // Tolerated before the first trailing header; after one, the end.
                        if self.trailer_lines.is_empty() {
                            continue;
                        }
                        self.check_trailer()?;
                        return self.end(out);
                    }
                    let (name, value) = line
                        .split_once(':')
                        .ok_or(ChunkError::Malformed("trailing header without a colon"))?;
                    self.trailer_lines
                        .push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
                }
                State::Done => return Ok(out),
            }
        }
    }

    /// The body ended: it must have ended with the final chunk (and its trailer).
    pub fn finish(&self) -> Result<(), ChunkError> {
        match self.state {
            State::Done => Ok(()),
            _ => Err(ChunkError::Malformed(
                "the body ended before the final chunk",
            )),
        }
    }

    /// The final chunk (and trailer) verified: the length is checked and the held data released.
    fn end(&mut self, mut out: Vec<Bytes>) -> Result<Vec<Bytes>, ChunkError> {
        if self.expected.is_some_and(|e| e != self.decoded) {
            return Err(ChunkError::Length);
        }
        out.extend(self.pending.take());
        self.state = State::Done;
        if !self.buf.is_empty() {
            return Err(ChunkError::Malformed("data after the final chunk"));
        }
        Ok(out)
    }

    /// The trailing headers: exactly the declared one (then, when signed, its signature), whose
    /// value is the data's checksum.
    fn check_trailer(&mut self) -> Result<(), ChunkError> {
        let mut lines = std::mem::take(&mut self.trailer_lines);
        if self.signer.is_some() {
            let Some((name, signature)) = lines.pop() else {
                return Err(ChunkError::Malformed("trailer without a signature"));
            };
            if name != TRAILER_SIGNATURE {
                return Err(ChunkError::Malformed("trailer without a signature"));
            }
            self.verify_trailer(&signature, &lines)?;
        }
        let Some((declared, checksum)) = self.trailer.take() else {
            return Err(ChunkError::Malformed("a trailer that was not declared"));
        };
        let [(name, value)] = lines.as_slice() else {
            return Err(ChunkError::Malformed(
                "the trailer must hold exactly the header x-amz-trailer declared",
            ));
        };
        if *name != declared {
            return Err(ChunkError::Malformed(
                "the trailer must hold exactly the header x-amz-trailer declared",
            ));
        }
        let algorithm = checksum.name();
        if !constant_time_eq(checksum.finish_base64().as_bytes(), value.as_bytes()) {
            return Err(ChunkError::Checksum(algorithm));
        }
        Ok(())
    }

    fn verify(&mut self, signature: &str, data: &[u8]) -> Result<(), ChunkError> {
        let payload_hash = hex::encode(Sha256::digest(data));
        self.check_signature(
            "AWS4-HMAC-SHA256-PAYLOAD",
            &format!("{EMPTY_SHA256}\n{payload_hash}"),
            signature,
        )
    }

    /// The trailer's signature: over the trailing headers written `name:value\n`, chained from
    /// the final chunk's signature.
    fn verify_trailer(
        &mut self,
        signature: &str,
        lines: &[(String, String)],
    ) -> Result<(), ChunkError> {
        let mut canonical = String::new();
        for (name, value) in lines {
            canonical.push_str(name);
            canonical.push(':');
            canonical.push_str(value);
            canonical.push('\n');
        }
        let hash = hex::encode(Sha256::digest(canonical.as_bytes()));
        self.check_signature("AWS4-HMAC-SHA256-TRAILER", &hash, signature)
    }

    fn check_signature(
        &mut self,
        algorithm: &str,
        tail: &str,
        signature: &str,
    ) -> Result<(), ChunkError> {
        let Some(signer) = &self.signer else {
            return Ok(());
        };
        let Some(key) = &signer.key else {
            self.previous = signature.to_string();
            return Ok(());
        };
        let string_to_sign = format!(
            "{algorithm}\n{}\n{}\n{}\n{tail}",
            signer.amz_date, signer.scope, self.previous
        );
        let expected = hex::encode(key.sign(string_to_sign.as_bytes()));
        if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
            return Err(ChunkError::Signature);
        }
        self.previous = expected;
        Ok(())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

/// `<hex size>;chunk-signature=<64 hex>` when signed, `<hex size>` when not.
fn parse_header(line: &str, signed: bool) -> Result<(usize, Option<String>), ChunkError> {
    let (size, ext) = match line.split_once(';') {
        Some((size, ext)) => (size, Some(ext)),
        None => (line, None),
    };
    let size = usize::from_str_radix(size.trim(), 16)
        .map_err(|_| ChunkError::Malformed("chunk size not hex"))?;
    if size > MAX_CHUNK {
        return Err(ChunkError::Malformed("chunk too large"));
    }
    if !signed {
        return match ext {
            None => Ok((size, None)),
            Some(_) => Err(ChunkError::Malformed(
                "a chunk of an unsigned payload carries no signature",
            )),
        };
    }
    let sig = ext
        .and_then(|e| e.trim().strip_prefix("chunk-signature="))
        .ok_or(ChunkError::Malformed("chunk header without a signature"))?;
    if sig.len() != 64 || !sig.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(ChunkError::Malformed("chunk signature not 64 hex digits"));
    }
    Ok((size, Some(sig.to_ascii_lowercase())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An aws-chunked body signed the way the SDKs sign it.
    fn encode(key: &SigningKey, date: &str, scope: &str, seed: &str, chunks: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut prev = seed.to_string();
        for c in chunks.iter().copied().chain(std::iter::once(&b""[..])) {
            let sts = format!(
                "AWS4-HMAC-SHA256-PAYLOAD\n{date}\n{scope}\n{prev}\n{EMPTY_SHA256}\n{}",
                hex::encode(Sha256::digest(c))
            );
            let sig = hex::encode(key.sign(sts.as_bytes()));
            out.extend_from_slice(format!("{:x};chunk-signature={sig}\r\n", c.len()).as_bytes());
            out.extend_from_slice(c);
            out.extend_from_slice(b"\r\n");
            prev = sig;
        }
        out
    }

    fn signer(key: &SigningKey) -> ChunkSigner {
        ChunkSigner {
            key: Some(key.clone()),
            amz_date: "20261203T120000Z".into(),
            scope: "20261203/us-east-1/s3/aws4_request".into(),
            seed: "ab".repeat(32),
        }
    }

    fn decode_all(d: &mut Decoder, body: &[u8], step: usize) -> Result<Vec<u8>, ChunkError> {
        let mut out = Vec::new();
        for piece in body.chunks(step) {
            for b in d.push(piece)? {
                out.extend_from_slice(&b);
            }
        }
        d.finish()?;
        Ok(out)
    }

    #[test]
    fn decodes_and_verifies_in_any_split() {
        let key = SigningKey::derive("secret", "20261203", "us-east-1", "s3");
        let s = signer(&key);
        let body = encode(&key, &s.amz_date, &s.scope, &s.seed, &[b"hello ", b"world"]);
        for step in [1, 3, 7, 64, 4096] {
            let mut d = Decoder::new(Framing::signed(signer(&key)), Some(11));
            assert_eq!(decode_all(&mut d, &body, step).unwrap(), b"hello world");
        }
    }

    /// AWS's documented example ("Transferring Payload in Multiple Chunks"): 64 KiB and 1 KiB
    /// of `a`, with the chunk signatures AWS lists.
    #[test]
    fn aws_documented_chunk_signatures() {
        let key = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "20130524",
            "us-east-1",
            "s3",
        );
        let signer = ChunkSigner {
            key: Some(key),
            amz_date: "20130524T000000Z".into(),
            scope: "20130524/us-east-1/s3/aws4_request".into(),
            seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9".into(),
        };
        let mut body = Vec::new();
        for (len, sig) in [
            (
                65536,
                "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
            ),
            (
                1024,
                "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
            ),
            (
                0,
                "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
            ),
        ] {
            body.extend_from_slice(format!("{len:x};chunk-signature={sig}\r\n").as_bytes());
            body.extend(std::iter::repeat_n(b'a', len));
            body.extend_from_slice(b"\r\n");
        }
        assert_eq!(body.len(), 66824);
        let mut d = Decoder::new(Framing::signed(signer), Some(66560));
        let out = decode_all(&mut d, &body, 8192).unwrap();
        assert_eq!(out.len(), 66560);
    }

    #[test]
    fn refuses_tampering() {
        let key = SigningKey::derive("secret", "20261203", "us-east-1", "s3");
        let s = signer(&key);
        let body = encode(&key, &s.amz_date, &s.scope, &s.seed, &[b"hello ", b"world"]);
        // A changed byte of data.
        let mut bad = body.clone();
        let i = bad.windows(5).position(|w| w == b"world").unwrap();
        bad[i] = b'W';
        let mut d = Decoder::new(Framing::signed(signer(&key)), None);
        assert_eq!(decode_all(&mut d, &bad, 4096), Err(ChunkError::Signature));
        // Another key.
        let other = SigningKey::derive("other", "20261203", "us-east-1", "s3");
        let mut d = Decoder::new(Framing::signed(signer(&other)), None);
        assert_eq!(decode_all(&mut d, &body, 4096), Err(ChunkError::Signature));
        // Truncated before the final chunk: nothing of the last chunk is released.
        let cut = &body[..body.len() - 86];
        let mut d = Decoder::new(Framing::signed(signer(&key)), None);
        let mut got = Vec::new();
        for b in d.push(cut).unwrap() {
            got.extend_from_slice(&b);
        }
        assert_eq!(got, b"hello ");
        assert!(d.finish().is_err());
        // The wrong declared length.
        let mut d = Decoder::new(Framing::signed(signer(&key)), Some(12));
        assert_eq!(decode_all(&mut d, &body, 4096), Err(ChunkError::Length));
    }

    /// Unsigned chunks with a CRC32 trailer.
    fn unsigned_crc32() -> Framing {
        Framing {
            signer: None,
            trailer: crc32_trailer(),
        }
    }

    /// Signed chunks with a signed CRC32 trailer.
    fn signed_crc32(key: &SigningKey) -> Framing {
        Framing {
            signer: Some(signer(key)),
            trailer: crc32_trailer(),
        }
    }

    fn crc32_trailer() -> Option<(String, Checksum)> {
        Some((
            "x-amz-checksum-crc32".to_string(),
            Checksum::for_header("x-amz-checksum-crc32").unwrap(),
        ))
    }

    /// An unsigned aws-chunked body as botocore writes it over TLS.
    fn unsigned_body(chunks: &[&[u8]], trailer: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for c in chunks {
            out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
            out.extend_from_slice(c);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("0\r\n{trailer}\r\n\r\n").as_bytes());
        out
    }

    /// CRC32("hello world") = 0x0d4a1185.
    const HELLO_CRC32: &str = "x-amz-checksum-crc32:DUoRhQ==";

    #[test]
    fn unsigned_payload_with_a_checksum_trailer() {
        let body = unsigned_body(&[b"hello ", b"world"], HELLO_CRC32);
        for step in [1, 5, 4096] {
            let framing = unsigned_crc32();
            let mut d = Decoder::new(framing, Some(11));
            assert_eq!(decode_all(&mut d, &body, step).unwrap(), b"hello world");
        }
        // A wrong checksum: refused, and the last chunk is never released.
        let bad = unsigned_body(&[b"hello ", b"world"], "x-amz-checksum-crc32:AAAAAA==");
        let mut d = Decoder::new(unsigned_crc32(), None);
        let mut got: Vec<u8> = Vec::new();
        let err = bad.chunks(8).try_for_each(|p| {
            d.push(p)
                .map(|o| o.iter().for_each(|b| got.extend_from_slice(b)))
        });
        assert_eq!(err, Err(ChunkError::Checksum("CRC32")));
        assert_eq!(got, b"hello ");
        // Another header than the declared one, or none at all.
        for trailer in ["x-amz-checksum-sha256:DUoRhQ==", ""] {
            let body = unsigned_body(&[b"hello world"], trailer);
            let mut d = Decoder::new(unsigned_crc32(), None);
            assert!(
                matches!(
                    decode_all(&mut d, &body, 4096),
                    Err(ChunkError::Malformed(_))
                ),
                "{trailer:?}"
            );
        }
        // A signature where none belongs.
        let mut d = Decoder::new(unsigned_crc32(), None);
        let signed_style = format!("1;chunk-signature={}\r\na\r\n", "0".repeat(64));
        assert!(matches!(
            d.push(signed_style.as_bytes()),
            Err(ChunkError::Malformed(_))
        ));
    }

    /// A signed body with a signed trailer, as the Java and .NET SDKs send it.
    fn signed_trailer_body(
        key: &SigningKey,
        s: &ChunkSigner,
        chunks: &[&[u8]],
        trailer: &str,
    ) -> Vec<u8> {
        let mut out = encode(key, &s.amz_date, &s.scope, &s.seed, chunks);
        // `encode` ends with the final chunk's CRLF; a trailer follows its header directly.
        out.truncate(out.len() - 2);
        let final_sig = {
            let text = std::str::from_utf8(&out).unwrap();
            text.rsplit("chunk-signature=").next().unwrap()[..64].to_string()
        };
        let sts = format!(
            "AWS4-HMAC-SHA256-TRAILER\n{}\n{}\n{final_sig}\n{}",
            s.amz_date,
            s.scope,
            hex::encode(Sha256::digest(format!("{trailer}\n").as_bytes()))
        );
        let sig = hex::encode(key.sign(sts.as_bytes()));
        out.extend_from_slice(
            format!("{trailer}\r\nx-amz-trailer-signature:{sig}\r\n\r\n").as_bytes(),
        );
        out
    }

    #[test]
    fn signed_payload_with_a_signed_trailer() {
        let key = SigningKey::derive("secret", "20261203", "us-east-1", "s3");
        let s = signer(&key);
        let body = signed_trailer_body(&key, &s, &[b"hello ", b"world"], HELLO_CRC32);
        for step in [1, 9, 4096] {
            let framing = signed_crc32(&key);
            let mut d = Decoder::new(framing, Some(11));
            assert_eq!(decode_all(&mut d, &body, step).unwrap(), b"hello world");
        }
        // The trailer's value changed after signing: its signature no longer matches.
        let text = String::from_utf8(body.clone()).unwrap();
        let tampered = text.replace("DUoRhQ==", "AAAAAA==");
        let mut d = Decoder::new(signed_crc32(&key), None);
        assert_eq!(
            decode_all(&mut d, tampered.as_bytes(), 4096),
            Err(ChunkError::Signature)
        );
        // Signed with the right chain but a wrong checksum: the checksum refuses it.
        let wrong = signed_trailer_body(
            &key,
            &s,
            &[b"hello ", b"world"],
            "x-amz-checksum-crc32:AAAAAA==",
        );
        let mut d = Decoder::new(signed_crc32(&key), None);
        assert_eq!(
            decode_all(&mut d, &wrong, 4096),
            Err(ChunkError::Checksum("CRC32"))
        );
        // The trailer signature left out.
        let cut = text
            .split("x-amz-trailer-signature")
            .next()
            .unwrap()
            .to_string()
            + "\r\n";
        let mut d = Decoder::new(signed_crc32(&key), None);
        assert!(matches!(
            decode_all(&mut d, cut.as_bytes(), 4096),
            Err(ChunkError::Malformed(_))
        ));
    }
}
