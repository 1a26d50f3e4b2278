//! Request timestamps: `X-Amz-Date` (ISO 8601 basic, `20250101T000000Z`) and the HTTP `Date`
//! header (IMF-fixdate / RFC 1123, also the `-0000`/`+0000` zone botocore writes). Times are
//! whole seconds since the Unix epoch (`i64`), UTC.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Seconds since the epoch of a `SystemTime`, negative before 1970 (sub-seconds truncated).
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            // -1.5 s is second -2 when truncating toward negative infinity.
            if d.subsec_nanos() > 0 {
                secs.saturating_neg().saturating_sub(1)
            } else {
                secs.saturating_neg()
            }
        }
    }
}

/// The `SystemTime` of whole seconds since the epoch.
pub(crate) fn system_time(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

fn digits<const N: usize>(b: &[u8]) -> Option<u32> {
    if b.len() != N {
        return None;
    }
    let mut v: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn to_unix(year: u32, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<i64> {
    let year = i32::try_from(year).ok()?;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
    let time = Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(s).ok()?,
    )
    .ok()?;
    Some(
        PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// Parses `YYYYMMDDTHHMMSSZ`.
pub(crate) fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    to_unix(
        digits::<4>(b.get(0..4)?)?,
        digits::<2>(b.get(4..6)?)?,
        digits::<2>(b.get(6..8)?)?,
        digits::<2>(b.get(9..11)?)?,
        digits::<2>(b.get(11..13)?)?,
        digits::<2>(b.get(13..15)?)?,
    )
}

/// Parses `YYYYMMDD` (a credential scope date) to the unix time of its midnight.
pub(crate) fn parse_scope_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    to_unix(
        digits::<4>(b.get(0..4)?)?,
        digits::<2>(b.get(4..6)?)?,
        digits::<2>(b.get(6..8)?)?,
        0,
        0,
        0,
    )
    .filter(|_| b.len() == 8)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Parses an HTTP date: `Wed, 01 Jan 2025 00:00:00 GMT` (IMF-fixdate). The weekday is optional
/// and not checked against the date; the day may have one digit; the zone may be `GMT`, `UT`,
/// `UTC`, `Z` or a numeric offset `±HHMM` (botocore sends `-0000`).
pub(crate) fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let rest = match s.split_once(',') {
        Some((dow, rest)) => {
            if dow.len() != 3 || !dow.bytes().all(|c| c.is_ascii_alphabetic()) {
                return None;
            }
            rest
        }
        None => s,
    };
    let mut it = rest.split_ascii_whitespace();
    let day = it.next()?;
    let month = it.next()?;
    let year = it.next()?;
    let hms = it.next()?;
    let zone = it.next()?;
    if it.next().is_some() {
        return None;
    }
    let day = match day.len() {
        1 => digits::<1>(day.as_bytes())?,
        2 => digits::<2>(day.as_bytes())?,
        _ => return None,
    };
    let month_index = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))?;
    let month = u32::try_from(month_index).ok()? + 1;
    let year = digits::<4>(year.as_bytes())?;
    let hb = hms.as_bytes();
    if hb.len() != 8 || hb.get(2) != Some(&b':') || hb.get(5) != Some(&b':') {
        return None;
    }
    let base = to_unix(
        year,
        month,
        day,
        digits::<2>(hb.get(0..2)?)?,
        digits::<2>(hb.get(3..5)?)?,
        digits::<2>(hb.get(6..8)?)?,
    )?;
    let offset: i64 = match zone {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        z => {
            let zb = z.as_bytes();
            let sign = match zb.first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let hh = i64::from(digits::<2>(zb.get(1..3)?)?);
            let mm = i64::from(digits::<2>(zb.get(3..5)?)?);
            if zb.len() != 5 || mm >= 60 {
                return None;
            }
            sign * (hh * 3600 + mm * 60)
        }
    };
    // Local time = UTC + offset, so UTC = local - offset.
    Some(base - offset)
}

/// Formats as `YYYYMMDDTHHMMSSZ` (16 bytes). Out-of-range times clamp to the epoch.
pub(crate) fn format_amz_date(secs: i64) -> [u8; 16] {
    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let mut out = [0u8; 16];
    let year = u32::try_from(t.year()).unwrap_or(0) % 10000;
    let fields = [
        (year, 4usize),
        (u32::from(u8::from(t.month())), 2),
        (u32::from(t.day()), 2),
    ];
    let mut i = 0;
    for (v, width) in fields {
        put_digits(&mut out, &mut i, v, width);
    }
    if let Some(c) = out.get_mut(i) {
        *c = b'T';
    }
    i += 1;
    for v in [t.hour(), t.minute(), t.second()] {
        put_digits(&mut out, &mut i, u32::from(v), 2);
    }
    if let Some(c) = out.get_mut(i) {
        *c = b'Z';
    }
    out
}

fn put_digits(out: &mut [u8], i: &mut usize, mut v: u32, width: usize) {
    for k in (0..width).rev() {
        if let Some(c) = out.get_mut(*i + k) {
            // `v % 10` is below 10, so the cast cannot truncate.
            *c = b'0' + u8::try_from(v % 10).unwrap_or(0);
        }
        v /= 10;
    }
    *i += width;
}

/// `format_amz_date` as a `String`.
pub(crate) fn amz_date_string(secs: i64) -> String {
    String::from_utf8_lossy(&format_amz_date(secs)).into_owned()
}

/// Formats as an IMF-fixdate, `Wed, 01 Jan 2025 00:00:00 GMT`.
pub(crate) fn format_http_date(secs: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let dow = match t.weekday() {
        time::Weekday::Monday => "Mon",
        time::Weekday::Tuesday => "Tue",
        time::Weekday::Wednesday => "Wed",
        time::Weekday::Thursday => "Thu",
        time::Weekday::Friday => "Fri",
        time::Weekday::Saturday => "Sat",
        time::Weekday::Sunday => "Sun",
    };
    let month = MONTHS
        .get(usize::from(u8::from(t.month())).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{dow}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        t.day(),
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_date_round_trip() {
        let t = parse_amz_date("20250101T002500Z").unwrap();
        assert_eq!(t, 1_735_691_100);
        assert_eq!(&format_amz_date(t), b"20250101T002500Z");
        assert_eq!(amz_date_string(0), "19700101T000000Z");
    }

    #[test]
    fn amz_date_rejects_garbage() {
        for s in [
            "",
            "20250101T002500",
            "20250101 002500Z",
            "2025010lT002500Z",
            "20251301T002500Z",
            "20250230T002500Z",
            "20250101T246000Z",
            "+0250101T002500Z",
            "20250101T002500z",
        ] {
            assert_eq!(parse_amz_date(s), None, "{s}");
        }
    }

    #[test]
    fn http_dates() {
        let want = parse_amz_date("20250101T002500Z");
        for s in [
            "Wed, 01 Jan 2025 00:25:00 GMT",
            "Wed, 01 Jan 2025 00:25:00 -0000",
            "Wed, 01 Jan 2025 00:25:00 +0000",
            "Wed, 1 Jan 2025 00:25:00 UTC",
            "01 Jan 2025 00:25:00 GMT",
            "Wed, 01 Jan 2025 01:25:00 +0100",
        ] {
            assert_eq!(parse_http_date(s), want, "{s}");
        }
        for s in [
            "Wed, 01 Jan 2025 00:25:00",
            "Wed, 01 Foo 2025 00:25:00 GMT",
            "Wed, 01 Jan 2025 0:25:00 GMT",
            "Wednesday, 01 Jan 2025 00:25:00 GMT",
            "Wed, 01 Jan 2025 00:25:00 GMT extra",
        ] {
            assert_eq!(parse_http_date(s), None, "{s}");
        }
        assert_eq!(
            format_http_date(want.unwrap()),
            "Wed, 01 Jan 2025 00:25:00 GMT"
        );
    }

    #[test]
    fn scope_dates() {
        assert_eq!(parse_scope_date("20250101"), Some(1_735_689_600));
        assert_eq!(parse_scope_date("2025011"), None);
        assert_eq!(parse_scope_date("202501011"), None);
        assert_eq!(parse_scope_date("20250132"), None);
    }

    #[test]
    fn system_time_round_trip() {
        for s in [0, 1, -1, 1_735_691_100, -86_400] {
            assert_eq!(unix_seconds(system_time(s)), s);
        }
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(unix_seconds(before), -2);
    }
}
