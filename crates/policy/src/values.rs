//! Typed readings of condition values: numbers, dates, booleans, IP ranges,
//! base64.

use std::net::IpAddr;

/// Parses a policy or context number (integer or decimal, optional sign).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses a date as AWS accepts it in Date conditions: ISO 8601 (date, or
/// date and time with `Z` or an offset, optional fractional seconds, minutes
/// optional seconds) or Unix epoch seconds. Returns Unix time in nanoseconds.
pub(crate) fn parse_date(s: &str) -> Option<i128> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let n = parse_number(t)?;
        return Some((n * 1e9) as i128);
    }
    use time::format_description::well_known::{Iso8601, Rfc3339};
    if let Ok(d) = time::OffsetDateTime::parse(t, &Rfc3339) {
        return Some(d.unix_timestamp_nanos());
    }
    if let Ok(d) = time::OffsetDateTime::parse(t, &Iso8601::DEFAULT) {
        return Some(d.unix_timestamp_nanos());
    }
    if let Ok(d) = time::PrimitiveDateTime::parse(t, &Iso8601::DEFAULT) {
        return Some(d.assume_utc().unix_timestamp_nanos());
    }
    if let Ok(d) = time::Date::parse(t, &Iso8601::DEFAULT) {
        return Some(d.midnight().assume_utc().unix_timestamp_nanos());
    }
    None
}

/// `true` / `false`, any case.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    addr: IpAddr,
    bits: u8,
}

impl Cidr {
    /// `203.0.113.0/24`, `2001:db8::/32`, or a bare address (one host).
    pub(crate) fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (a, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        if bits > max {
            return None;
        }
        Some(Cidr { addr, bits })
    }

    pub(crate) fn contains(&self, ip: &IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - u32::from(self.bits))
                };
                (u32::from(n) & mask) == (u32::from(*a) & mask)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - u32::from(self.bits))
                };
                (u128::from(n) & mask) == (u128::from(*a) & mask)
            }
            _ => false,
        }
    }
}

/// Standard base64 (RFC 4648) with optional padding.
pub(crate) mod b64 {
    const ALPHA: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(crate) fn encode(data: &[u8]) -> String {
        let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
        for chunk in data.chunks(3) {
            let b = [
                chunk.first().copied().unwrap_or(0),
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for k in 0..4 {
                if k <= chunk.len() {
                    out.push(char::from(ALPHA[((n >> (18 - 6 * k)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
        let s = s.trim().trim_end_matches('=');
        let mut out = Vec::with_capacity(s.len() * 3 / 4);
        let mut acc = 0u32;
        let mut n = 0;
        for c in s.bytes() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' | b'-' => 62,
                b'/' | b'_' => 63,
                _ => return None,
            };
            acc = (acc << 6) | u32::from(v);
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push(((acc >> n) & 0xFF) as u8);
            }
        }
        if n >= 6 {
            return None;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = parse_date("2020-01-01T00:00:00Z").unwrap();
        assert_eq!(d, 1_577_836_800_000_000_000);
        assert_eq!(parse_date("2020-01-01"), Some(d));
        assert_eq!(parse_date("1577836800"), Some(d));
        assert_eq!(parse_date("2020-01-01T01:00:00+01:00"), Some(d));
        assert_eq!(parse_date("2020-01-01T00:00:00.000Z"), Some(d));
        assert!(parse_date("yesterday").is_none());
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(c.contains(&"203.0.113.9".parse().unwrap()));
        assert!(!c.contains(&"203.0.114.9".parse().unwrap()));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains(&"1.2.3.4".parse().unwrap())
        );
        let c6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(c6.contains(&"2001:db8::1".parse().unwrap()));
        assert!(!c6.contains(&"203.0.113.9".parse().unwrap()));
        assert!(Cidr::parse("1.2.3.4/33").is_none());
    }

    #[test]
    fn base64_roundtrip() {
        for s in [&b""[..], b"a", b"ab", b"abc", b"abcd", b"\x00\xff\x10"] {
            assert_eq!(b64::decode(&b64::encode(s)).unwrap(), s);
        }
        assert_eq!(b64::encode(b"QmluYXJ5"), "UW1sdVlYSjU=");
    }
}
