//! JSON text written straight into a buffer: an event is written once, as text, without
//! building a tree of values first.

/// A JSON document being written. Members and elements are separated by [`JsonOut::sep`],
/// which needs no state: a comma goes before anything that does not open its container.
#[derive(Default)]
pub struct JsonOut(Vec<u8>);

impl JsonOut {
    pub fn with_capacity(n: usize) -> JsonOut {
        JsonOut(Vec::with_capacity(n))
    }

    pub fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    /// A comma unless the last byte opened an object or an array.
    pub fn sep(&mut self) {
        if !matches!(self.0.last(), None | Some(b'{' | b'[' | b':')) {
            self.0.push(b',');
        }
    }

    /// A string, escaped.
    pub fn str(&mut self, s: &str) {
        iamd_wire::write_json_str(&mut self.0, s);
    }

    /// An object member's name and colon.
    pub fn key(&mut self, k: &str) {
        self.sep();
        self.str(k);
        self.0.push(b':');
    }

    /// Text that is already JSON.
    pub fn raw(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    pub fn int(&mut self, i: i64) {
        use std::io::Write;
        let _ = write!(self.0, "{i}");
    }

    /// A number as serde_json writes it (`null` when not finite).
    pub fn double(&mut self, f: f64) {
        let _ = serde_json::to_writer(&mut self.0, &f);
    }

    pub fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    /// Any serializable value (response elements, built as a tree).
    pub fn value(&mut self, v: &impl serde::Serialize) {
        if serde_json::to_writer(&mut self.0, v).is_err() {
            self.raw("null");
        }
    }

    pub fn is_empty_object(&self) -> bool {
        self.0 == b"{}"
    }

    pub fn into_string(self) -> String {
        // Only strings and JSON text are ever written.
        String::from_utf8(self.0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_escapes() {
        let mut o = JsonOut::default();
        o.byte(b'{');
        o.key("a\"b");
        o.byte(b'[');
        o.sep();
        o.int(-3);
        o.sep();
        o.double(f64::NAN);
        o.sep();
        o.byte(b'{');
        o.byte(b'}');
        o.sep();
        o.bool(true);
        o.byte(b']');
        o.key("c");
        o.str("line\nbreak");
        o.byte(b'}');
        assert_eq!(
            o.into_string(),
            r#"{"a\"b":[-3,null,{},true],"c":"line\nbreak"}"#
        );
    }
}
