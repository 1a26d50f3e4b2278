//! Base32 per RFC 4648 §6 (alphabet `A–Z2–7`), written without padding, as AWS's
//! `Base32StringSeed` and authenticator apps' `secret=` parameter use it.

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Encodes `bytes` as Base32 (RFC 4648 alphabet, upper case, no `=` padding).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 0x1f) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(
            ALPHABET[((buffer << (5 - bits)) & 0x1f) as usize],
        ));
    }
    out
}

/// Decodes Base32 text leniently, as authenticator apps accept it: case-insensitive,
/// spaces and hyphens ignored, trailing `=` padding optional. Returns `None` for any other
/// character, for padding in the middle, or for a length no encoding can produce
/// (1, 3 or 6 symbols in the last group), or for non-zero unused trailing bits.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(trimmed.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    let mut symbols: usize = 0;
    for ch in trimmed.bytes() {
        let value = match ch {
            b'A'..=b'Z' => ch - b'A',
            b'a'..=b'z' => ch - b'a',
            b'2'..=b'7' => ch - b'2' + 26,
            b' ' | b'-' => continue,
            _ => return None,
        };
        symbols += 1;
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // Valid final groups carry 2, 4, 5 or 7 symbols (8 bits → 2 symbols, 16 → 4, ...).
    if matches!(symbols % 8, 1 | 3 | 6) {
        return None;
    }
    if buffer != 0 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10 test vectors, padding removed.
    const VECTORS: &[(&str, &str)] = &[
        ("", ""),
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foo", "MZXW6"),
        ("foob", "MZXW6YQ"),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ];

    #[test]
    fn rfc4648_vectors_encode() {
        for (plain, encoded) in VECTORS {
            assert_eq!(encode(plain.as_bytes()), *encoded, "{plain:?}");
        }
    }

    #[test]
    fn rfc4648_vectors_decode_with_and_without_padding() {
        for (plain, encoded) in VECTORS {
            assert_eq!(decode(encoded).as_deref(), Some(plain.as_bytes()));
            let padded = format!("{encoded}{}", "=".repeat((8 - encoded.len() % 8) % 8));
            assert_eq!(decode(&padded).as_deref(), Some(plain.as_bytes()));
        }
    }

    #[test]
    fn decode_is_lenient_about_case_and_separators() {
        assert_eq!(decode("mzxw 6ytb-oi").as_deref(), Some(&b"foobar"[..]));
    }

    #[test]
    fn decode_refuses_bad_input() {
        assert_eq!(decode("MZXW1"), None); // '1' is not in the alphabet
        assert_eq!(decode("M"), None); // impossible length
        assert_eq!(decode("MZX"), None); // impossible length
        assert_eq!(decode("MZXW6Y"), None); // impossible length
        assert_eq!(decode("MZ"), None); // non-zero trailing bits ("MY" is canonical)
        assert_eq!(decode("MY=Y"), None); // padding in the middle
        assert_eq!(decode("é"), None);
    }

    #[test]
    fn twenty_bytes_are_thirty_two_symbols() {
        assert_eq!(encode(&[0xff; 20]).len(), 32);
    }

    proptest::proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let text = encode(&bytes);
            proptest::prop_assert!(!text.contains('='));
            proptest::prop_assert_eq!(decode(&text), Some(bytes));
        }
    }
}
