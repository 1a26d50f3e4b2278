//! S3's `aws-chunked` upload body (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`): decoded as it streams,
//! each chunk's signature checked against the previous one (the seed is the request's own
//! signature), so a chunk changed, dropped, reordered or appended is refused. Pure: bytes in,
//! verified data out.
//!
//! A verified chunk is held until the next one verifies, and the last data is released only
//! once the final (empty) chunk verified: the upstream, which expects the decoded length, never
//! receives a complete body that was not wholly signed.

use bytes::{Buf, Bytes, BytesMut};
use iamd_sigv4::SigningKey;
use sha2::{Digest, Sha256};

/// The largest chunk accepted (SDKs send 8 KiB to 1 MiB).
pub const MAX_CHUNK: usize = 16 << 20;
const MAX_HEADER: usize = 512;
/// SHA-256 of the empty string, hex.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkError {
    /// The body is not `aws-chunked` as S3 defines it.
    Malformed(&'static str),
    /// A chunk's signature does not match.
    Signature,
    /// The decoded length differs from `x-amz-decoded-content-length`.
    Length,
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

enum State {
    Header,
    Data { size: usize, signature: String },
    DataEnd,
    FinalEnd,
    Done,
}

pub struct Decoder {
    signer: ChunkSigner,
    previous: String,
    buf: BytesMut,
    state: State,
    pending: Option<Bytes>,
    decoded: u64,
    expected: Option<u64>,
}

impl Decoder {
    pub fn new(signer: ChunkSigner, expected: Option<u64>) -> Decoder {
        let previous = signer.seed.clone();
        Decoder {
            signer,
            previous,
            buf: BytesMut::new(),
            state: State::Header,
            pending: None,
            decoded: 0,
            expected,
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
                    let (size, signature) = parse_header(line)?;
                    self.state = State::Data { size, signature };
                }
                State::Data { size, signature } => {
                    if self.buf.len() < *size {
                        return Ok(out);
                    }
                    let (size, signature) = (*size, signature.clone());
                    let data = self.buf.split_to(size).freeze();
                    self.verify(&signature, &data)?;
                    if size == 0 {
                        self.state = State::FinalEnd;
                        continue;
                    }
                    self.decoded += size as u64;
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
                        if self.expected.is_some_and(|e| e != self.decoded) {
                            return Err(ChunkError::Length);
                        }
                        out.extend(self.pending.take());
                        self.state = State::Done;
                        if !self.buf.is_empty() {
                            return Err(ChunkError::Malformed("data after the final chunk"));
                        }
                        return Ok(out);
                    }
                    self.state = State::Header;
                }
                State::Done => return Ok(out),
            }
        }
    }

    /// The body ended: it must have ended with the final chunk.
    pub fn finish(&self) -> Result<(), ChunkError> {
        match self.state {
            State::Done => Ok(()),
            _ => Err(ChunkError::Malformed(
                "the body ended before the final chunk",
            )),
        }
    }

    fn verify(&mut self, signature: &str, data: &[u8]) -> Result<(), ChunkError> {
        let Some(key) = &self.signer.key else {
            self.previous = signature.to_string();
            return Ok(());
        };
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{EMPTY_SHA256}\n{}",
            self.signer.amz_date,
            self.signer.scope,
            self.previous,
            hex::encode(Sha256::digest(data))
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

/// `<hex size>;chunk-signature=<64 hex>`.
fn parse_header(line: &str) -> Result<(usize, String), ChunkError> {
    let (size, ext) = line
        .split_once(';')
        .ok_or(ChunkError::Malformed("chunk header without a signature"))?;
    let size = usize::from_str_radix(size.trim(), 16)
        .map_err(|_| ChunkError::Malformed("chunk size not hex"))?;
    if size > MAX_CHUNK {
        return Err(ChunkError::Malformed("chunk too large"));
    }
    let sig = ext
        .trim()
        .strip_prefix("chunk-signature=")
        .ok_or(ChunkError::Malformed("chunk header without a signature"))?;
    if sig.len() != 64 || !sig.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(ChunkError::Malformed("chunk signature not 64 hex digits"));
    }
    Ok((size, sig.to_ascii_lowercase()))
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
            let mut d = Decoder::new(signer(&key), Some(11));
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
        let mut d = Decoder::new(signer, Some(66560));
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
        let mut d = Decoder::new(signer(&key), None);
        assert_eq!(decode_all(&mut d, &bad, 4096), Err(ChunkError::Signature));
        // Another key.
        let other = SigningKey::derive("other", "20261203", "us-east-1", "s3");
        let mut d = Decoder::new(signer(&other), None);
        assert_eq!(decode_all(&mut d, &body, 4096), Err(ChunkError::Signature));
        // Truncated before the final chunk: nothing of the last chunk is released.
        let cut = &body[..body.len() - 86];
        let mut d = Decoder::new(signer(&key), None);
        let mut got = Vec::new();
        for b in d.push(cut).unwrap() {
            got.extend_from_slice(&b);
        }
        assert_eq!(got, b"hello ");
        assert!(d.finish().is_err());
        // The wrong declared length.
        let mut d = Decoder::new(signer(&key), Some(12));
        assert_eq!(decode_all(&mut d, &body, 4096), Err(ChunkError::Length));
    }
}
