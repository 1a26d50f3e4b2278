//! S3's additional checksums (`x-amz-checksum-crc32`, `-crc32c`, `-crc64nvme`, `-sha1`,
//! `-sha256`) as sent in an upload's trailer: computed over the decoded body as it streams and
//! compared with the trailer's base64 value before the last bytes go upstream.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crc::{CRC_32_ISCSI, CRC_32_ISO_HDLC, CRC_64_NVME, Crc, Digest as CrcDigest};
use sha1::Sha1;
use sha2::{Digest, Sha256};

static CRC32: Crc<u32> = Crc::<u32>::new(&CRC_32_ISO_HDLC);
static CRC32C: Crc<u32> = Crc::<u32>::new(&CRC_32_ISCSI);
static CRC64NVME: Crc<u64> = Crc::<u64>::new(&CRC_64_NVME);

/// A running checksum of one of S3's algorithms.
pub enum Checksum {
    Crc32(CrcDigest<'static, u32>),
    Crc32c(CrcDigest<'static, u32>),
    Crc64Nvme(CrcDigest<'static, u64>),
    Sha1(Sha1),
    Sha256(Sha256),
}

impl Checksum {
    /// The checksum a header names (`x-amz-checksum-crc32`, any case); `None` for other headers.
    pub fn for_header(name: &str) -> Option<Checksum> {
        let algorithm = name
            .to_ascii_lowercase()
            .strip_prefix("x-amz-checksum-")?
            .to_string();
        Some(match algorithm.as_str() {
            "crc32" => Checksum::Crc32(CRC32.digest()),
            "crc32c" => Checksum::Crc32c(CRC32C.digest()),
            "crc64nvme" => Checksum::Crc64Nvme(CRC64NVME.digest()),
            "sha1" => Checksum::Sha1(Sha1::new()),
            "sha256" => Checksum::Sha256(Sha256::new()),
            _ => return None,
        })
    }

    /// The algorithm's name as S3 writes it in messages (`CRC32`, `SHA256`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Checksum::Crc32(_) => "CRC32",
            Checksum::Crc32c(_) => "CRC32C",
            Checksum::Crc64Nvme(_) => "CRC64NVME",
            Checksum::Sha1(_) => "SHA1",
            Checksum::Sha256(_) => "SHA256",
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Checksum::Crc32(d) | Checksum::Crc32c(d) => d.update(data),
            Checksum::Crc64Nvme(d) => d.update(data),
            Checksum::Sha1(d) => d.update(data),
            Checksum::Sha256(d) => d.update(data),
        }
    }

    /// The value as S3 carries it: base64 of the big-endian digest.
    pub fn finish_base64(self) -> String {
        match self {
            Checksum::Crc32(d) | Checksum::Crc32c(d) => STANDARD.encode(d.finalize().to_be_bytes()),
            Checksum::Crc64Nvme(d) => STANDARD.encode(d.finalize().to_be_bytes()),
            Checksum::Sha1(d) => STANDARD.encode(d.finalize()),
            Checksum::Sha256(d) => STANDARD.encode(d.finalize()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(header: &str, data: &[u8]) -> String {
        let mut c = Checksum::for_header(header).unwrap();
        for piece in data.chunks(7) {
            c.update(piece);
        }
        c.finish_base64()
    }

    /// The check values of each CRC's catalogue entry ("123456789"), and the SHA digests of
    /// "abc" (FIPS 180), written the way S3 writes them.
    #[test]
    fn known_values() {
        let check = b"123456789";
        assert_eq!(
            of("x-amz-checksum-crc32", check),
            STANDARD.encode(0xCBF4_3926u32.to_be_bytes())
        );
        assert_eq!(
            of("X-Amz-Checksum-CRC32C", check),
            STANDARD.encode(0xE306_9283u32.to_be_bytes())
        );
        assert_eq!(
            of("x-amz-checksum-crc64nvme", check),
            STANDARD.encode(0xAE8B_1486_0A79_9888u64.to_be_bytes())
        );
        assert_eq!(
            of("x-amz-checksum-sha1", b"abc"),
            STANDARD.encode(hex::decode("a9993e364706816aba3e25717850c26c9cd0d89d").unwrap())
        );
        assert_eq!(
            of("x-amz-checksum-sha256", b"abc"),
            STANDARD.encode(
                hex::decode("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
                    .unwrap()
            )
        );
        // The empty body's CRC32 (botocore sends AAAAAA== for it).
        assert_eq!(of("x-amz-checksum-crc32", b""), "AAAAAA==");
    }

    #[test]
    fn other_headers_are_not_checksums() {
        for h in [
            "x-amz-checksum-md5",
            "x-amz-checksum-",
            "content-md5",
            "x-amz-meta-a",
        ] {
            assert!(Checksum::for_header(h).is_none(), "{h}");
        }
    }
}
