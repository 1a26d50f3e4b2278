//! ISO 8601 timestamps as IMDS and STS write them.

use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `2025-01-01T00:00:00Z`: whole seconds, UTC, as IMDS writes `LastUpdated` and `Expiration`
/// (botocore parses exactly `%Y-%m-%dT%H:%M:%SZ`).
pub fn format_iso8601(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Parses an RFC 3339 timestamp (`2025-01-01T00:00:00Z`, `2025-01-01T00:00:00.123Z`,
/// `…+00:00`), as STS returns `Expiration`.
pub fn parse_iso8601(s: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339)
        .ok()
        .map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn round_trip() {
        let t = UNIX_EPOCH + Duration::from_secs(1_735_689_600);
        assert_eq!(format_iso8601(t), "2025-01-01T00:00:00Z");
        assert_eq!(parse_iso8601("2025-01-01T00:00:00Z"), Some(t));
        assert_eq!(parse_iso8601("2025-01-01T00:00:00.000Z"), Some(t));
        assert_eq!(parse_iso8601("2025-01-01T01:00:00+01:00"), Some(t));
        assert_eq!(parse_iso8601("yesterday"), None);
        let sub = t + Duration::from_millis(999);
        assert_eq!(format_iso8601(sub), "2025-01-01T00:00:00Z");
    }
}
