//! JSON strings written into a byte buffer, as serde_json writes them.

/// Writes `s` as a JSON string (quoted, escaped exactly as `serde_json` escapes). Text that
/// needs no escape, the common case, is copied as it is.
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written(s: &str) -> String {
        let mut out = Vec::new();
        write_json_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn plain_and_escaped() {
        assert_eq!(
            written("arn:aws:iam::1:user/a b"),
            "\"arn:aws:iam::1:user/a b\""
        );
        assert_eq!(
            written("q\"b\\n\n\u{1}é\u{7f}"),
            serde_json::to_string("q\"b\\n\n\u{1}é\u{7f}").unwrap()
        );
    }

    proptest! {
        #[test]
        fn as_serde_json_writes(s in any::<String>()) {
            prop_assert_eq!(written(&s), serde_json::to_string(&s).unwrap());
        }
    }
}
