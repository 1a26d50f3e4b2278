//! TOTP per RFC 6238 with the parameters AWS virtual MFA devices and Google Authenticator use:
//! HMAC-SHA1, 30-second time steps counted from the Unix epoch, 6 decimal digits.
//!
//! Every function here is pure: the current time is an argument (Unix seconds), and a "time
//! step" is `unix_seconds / 30`. The verification functions return the *matched time step* so
//! that the caller can store it as the device's "last used step"; passing that back to
//! [`verify_after`] refuses the same code (and every earlier one) from then on.
//!
//! Codes are compared in constant time ([`subtle`]), and the whole window is always scanned, so
//! the time taken does not reveal which step (if any) matched.

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// Length of a time step in seconds (RFC 6238's default `X`, and AWS's).
pub const STEP_SECONDS: u64 = 30;

/// Number of decimal digits in a code.
pub const DIGITS: usize = 6;

/// Steps accepted on either side of the current one by [`verify`], [`verify_after`] and
/// [`verify_consecutive`]: ±1 step, i.e. a code is good from 30 s before its step begins to
/// 30 s after it ends (RFC 6238 §5.2 recommends at most one step of network delay).
pub const VERIFY_WINDOW_STEPS: u64 = 1;

/// Steps accepted on either side of the current one by [`resync`]: ±20 steps, i.e. a device
/// whose clock is up to 10 minutes fast or slow can be resynchronized.
pub const RESYNC_WINDOW_STEPS: u64 = 20;

type HmacSha1 = Hmac<Sha1>;

/// SHA-1's block size: HMAC keys longer than this are hashed first (RFC 2104 §2).
const SHA1_BLOCK: usize = 64;

/// A code as its six ASCII digits.
type Code = [u8; DIGITS];

/// The time step containing `now_unix`: `now_unix / 30`.
pub fn time_step(now_unix: u64) -> u64 {
    now_unix / STEP_SECONDS
}

/// The code for time step `step` (RFC 4226 HOTP with the step as counter), as six digits with
/// leading zeros kept.
pub fn code_at_step(secret: &[u8], step: u64) -> String {
    hotp(secret, step).iter().map(|&d| char::from(d)).collect()
}

/// The code a device shows at `now_unix` (Unix seconds).
pub fn code_at(secret: &[u8], now_unix: u64) -> String {
    code_at_step(secret, time_step(now_unix))
}

/// Verifies `code` against the steps `time_step(now_unix) ± 1`.
///
/// Returns the matched step (the earliest, in the one-in-a-million case that the code matches
/// two steps of the window), or `None` when it matches none. Any `code` that is not exactly six
/// ASCII digits is refused. This alone does not prevent reuse: see [`verify_after`].
pub fn verify(secret: &[u8], code: &str, now_unix: u64) -> Option<u64> {
    let code = parse_code(code)?;
    find_step(
        secret,
        &code,
        time_step(now_unix),
        VERIFY_WINDOW_STEPS,
        None,
    )
}

/// Like [`verify`], but accepts only steps strictly greater than `last_used_step`, so a code
/// once used (and any older one) is refused: the caller stores the returned step as the
/// device's new last used step.
///
/// A device that has never verified a code can pass `0` (step 0 is 1970-01-01T00:00:00Z).
pub fn verify_after(secret: &[u8], code: &str, now_unix: u64, last_used_step: u64) -> Option<u64> {
    verify_after_with_drift(secret, code, now_unix, last_used_step, 0)
}

/// Like [`verify_after`], for a device whose clock runs `drift_steps` steps ahead (negative:
/// behind) of ours, as measured by [`resync`]: the ±1 window is centred on
/// `time_step(now_unix) + drift_steps`. Returns the device's step that matched.
pub fn verify_after_with_drift(
    secret: &[u8],
    code: &str,
    now_unix: u64,
    last_used_step: u64,
    drift_steps: i64,
) -> Option<u64> {
    let code = parse_code(code)?;
    let center = time_step(now_unix).checked_add_signed(drift_steps)?;
    find_step(
        secret,
        &code,
        center,
        VERIFY_WINDOW_STEPS,
        Some(last_used_step),
    )
}

/// Verifies two codes from consecutive time steps, as `EnableMFADevice` requires
/// (`AuthenticationCode1`, then `AuthenticationCode2` from the next step).
///
/// `code1` must be the code of some step `t` and `code2` that of `t + 1`, with both steps in
/// the window `time_step(now_unix) ± 1`. Returns `t + 1`, the step the caller stores as the
/// device's last used step (if several pairs match, the latest).
pub fn verify_consecutive(secret: &[u8], code1: &str, code2: &str, now_unix: u64) -> Option<u64> {
    let code1 = parse_code(code1)?;
    let code2 = parse_code(code2)?;
    find_pair(
        secret,
        &code1,
        &code2,
        time_step(now_unix),
        VERIFY_WINDOW_STEPS,
        None,
    )
}

/// The outcome of a successful [`resync`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resync {
    /// The step of the second code: store it as the device's last used step.
    pub step: u64,
    /// How many steps the device's clock is ahead of ours (negative: behind): store it and pass
    /// it to [`verify_after_with_drift`].
    pub drift_steps: i64,
}

/// Resynchronizes a device (`ResyncMFADevice`) from two codes of consecutive steps `t`, `t + 1`.
///
/// Unlike [`verify_consecutive`], the window is wide, `time_step(now_unix) ± 20` steps
/// (±10 minutes, [`RESYNC_WINDOW_STEPS`]), so that a device whose clock drifted can be
/// recovered: both codes' steps must lie in that window, so the drift returned is between
/// -19 and +20 steps. The window is centred on our clock, not on any previously stored drift.
/// Both steps must be strictly greater than `last_used_step`, so codes already used (for
/// example the two that enabled the device) cannot be replayed to move the drift. Returns the step of `code2` and the
/// drift, `(t + 1) - time_step(now_unix)`.
pub fn resync(
    secret: &[u8],
    code1: &str,
    code2: &str,
    now_unix: u64,
    last_used_step: u64,
) -> Option<Resync> {
    let code1 = parse_code(code1)?;
    let code2 = parse_code(code2)?;
    let now_step = time_step(now_unix);
    let step = find_pair(
        secret,
        &code1,
        &code2,
        now_step,
        RESYNC_WINDOW_STEPS,
        Some(last_used_step),
    )?;
    let drift_steps = i64::try_from(i128::from(step) - i128::from(now_step)).ok()?;
    Some(Resync { step, drift_steps })
}

/// Accepts exactly [`DIGITS`] ASCII digits.
fn parse_code(code: &str) -> Option<Code> {
    let bytes: Code = code.as_bytes().try_into().ok()?;
    bytes.iter().all(u8::is_ascii_digit).then_some(bytes)
}

/// Inclusive bounds of the window `center ± radius`, clamped to `0..=u64::MAX`.
fn window(center: u64, radius: u64) -> (u64, u64) {
    (center.saturating_sub(radius), center.saturating_add(radius))
}

/// The earliest step of `center ± radius` (and `> after`, if given) whose code is `code`.
/// Scans the whole window whatever matches.
fn find_step(
    secret: &[u8],
    code: &Code,
    center: u64,
    radius: u64,
    after: Option<u64>,
) -> Option<u64> {
    let (lo, hi) = window(center, radius);
    let mut found = None;
    for step in lo..=hi {
        let matches = bool::from(hotp(secret, step).ct_eq(code));
        let fresh = after.is_none_or(|last| step > last);
        if matches && fresh && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// The latest `t + 1` with `t, t + 1` in `center ± radius` (and `t > after`, if given) such that
/// `code1` is the code of `t` and `code2` that of `t + 1`. Scans the whole window.
fn find_pair(
    secret: &[u8],
    code1: &Code,
    code2: &Code,
    center: u64,
    radius: u64,
    after: Option<u64>,
) -> Option<u64> {
    let (lo, hi) = window(center, radius);
    let mut found = None;
    let mut previous = hotp(secret, lo);
    for step in lo.saturating_add(1)..=hi {
        let current = hotp(secret, step);
        let first = bool::from(previous.ct_eq(code1));
        let second = bool::from(current.ct_eq(code2));
        let fresh = after.is_none_or(|last| step - 1 > last);
        if first && second && fresh {
            found = Some(step);
        }
        previous = current;
    }
    found
}

/// RFC 4226 HOTP with 6 digits: HMAC-SHA1 of the big-endian counter, dynamic truncation,
/// modulo 10^6, as ASCII digits.
fn hotp(secret: &[u8], counter: u64) -> Code {
    // HMAC pads keys up to the block size with zeros and hashes longer ones (RFC 2104), so the
    // padded block is the same key; building it ourselves makes construction infallible.
    let mut key = [0u8; SHA1_BLOCK];
    if secret.len() > SHA1_BLOCK {
        let digest = Sha1::digest(secret);
        key[..digest.len()].copy_from_slice(&digest);
    } else {
        key[..secret.len()].copy_from_slice(secret);
    }
    let mut mac = HmacSha1::new(&key.into());
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();

    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    let mut value = binary % 1_000_000;
    let mut code = [b'0'; DIGITS];
    for digit in code.iter_mut().rev() {
        // `value % 10` is below 10, so the cast cannot truncate.
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The SHA-1 seed of RFC 6238 Appendix B and RFC 4226 Appendix D.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc4226_hotp_vectors() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(code_at_step(RFC_SECRET, counter as u64), *code);
        }
    }

    /// RFC 6238 Appendix B, SHA-1 rows. The RFC prints 8 digits; 6-digit codes are the same
    /// value modulo 10^6, i.e. its last six digits.
    #[test]
    fn rfc6238_sha1_vectors() {
        let rows: [(u64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, eight) in rows {
            assert_eq!(code_at(RFC_SECRET, time), &eight[2..], "T = {time}");
            assert!(verify(RFC_SECRET, &eight[2..], time).is_some());
        }
        // Cross-checked with Python's hmac/hashlib (an independent HOTP in five lines).
        assert_eq!(code_at(RFC_SECRET, 1_700_000_000), "921300");
    }

    #[test]
    fn long_keys_are_hashed_as_hmac_requires() {
        // RFC 6238's SHA-512 seed is 64 bytes (no hashing); a 65-byte key must equal HMAC keyed
        // with its SHA-1 digest.
        let long = [7u8; 65];
        let hashed = Sha1::digest(long);
        for step in 0..5 {
            assert_eq!(code_at_step(&long, step), code_at_step(&hashed, step));
        }
        assert_ne!(code_at_step(&long, 1), code_at_step(&long[..64], 1));
    }

    #[test]
    fn window_is_plus_minus_one_step() {
        let now = 1_700_000_015; // step 56_666_667, 5 s into it
        let step = time_step(now);
        for (offset, accepted) in [(-2i64, false), (-1, true), (0, true), (1, true), (2, false)] {
            let s = step.checked_add_signed(offset).unwrap();
            let code = code_at_step(RFC_SECRET, s);
            let result = verify(RFC_SECRET, &code, now);
            if accepted {
                assert_eq!(result, Some(s), "offset {offset}");
            } else if result.is_some() {
                // Only possible if the code also happens to be the code of a step in the window.
                let r = result.unwrap();
                assert_eq!(code_at_step(RFC_SECRET, r), code);
                assert!(r.abs_diff(step) <= 1);
            }
        }
    }

    #[test]
    fn window_edges_in_seconds() {
        // The code of step 100 (seconds 3000..3030) is good from 2970 to 3059 inclusive.
        let code = code_at_step(RFC_SECRET, 100);
        assert_eq!(verify(RFC_SECRET, &code, 2969), None);
        assert_eq!(verify(RFC_SECRET, &code, 2970), Some(100));
        assert_eq!(verify(RFC_SECRET, &code, 3059), Some(100));
        assert_eq!(verify(RFC_SECRET, &code, 3060), None);
    }

    #[test]
    fn window_near_epoch_and_end_of_time_does_not_overflow() {
        assert_eq!(verify(RFC_SECRET, "755224", 0), Some(0));
        assert_eq!(verify(RFC_SECRET, "287082", 0), Some(1));
        let last = time_step(u64::MAX);
        let code = code_at_step(RFC_SECRET, last);
        assert_eq!(verify(RFC_SECRET, &code, u64::MAX), Some(last));
        assert!(verify_consecutive(RFC_SECRET, "755224", "287082", 0).is_some());
        assert_eq!(
            verify_after_with_drift(RFC_SECRET, &code, u64::MAX, 0, i64::MAX),
            None
        );
        assert_eq!(
            verify_after_with_drift(RFC_SECRET, "755224", 0, 0, i64::MIN),
            None
        );
    }

    #[test]
    fn replay_is_refused() {
        let now = 1_700_000_000;
        let code = code_at(RFC_SECRET, now);
        let used = verify_after(RFC_SECRET, &code, now, 0).unwrap();
        assert_eq!(used, time_step(now));
        assert_eq!(verify_after(RFC_SECRET, &code, now, used), None);
        assert_eq!(verify_after(RFC_SECRET, &code, now + 20, used), None);
        // An older code is refused too, even inside the window.
        let older = code_at_step(RFC_SECRET, used - 1);
        assert_eq!(verify_after(RFC_SECRET, &older, now, used), None);
        // The next step's code is accepted once.
        let next = code_at_step(RFC_SECRET, used + 1);
        assert_eq!(
            verify_after(RFC_SECRET, &next, now + 30, used),
            Some(used + 1)
        );
        assert_eq!(verify_after(RFC_SECRET, &next, now + 30, used + 1), None);
    }

    #[test]
    fn consecutive_codes_enable() {
        let now = 1_700_000_000;
        let t = time_step(now);
        let prev = code_at_step(RFC_SECRET, t - 1);
        let cur = code_at_step(RFC_SECRET, t);
        let next = code_at_step(RFC_SECRET, t + 1);
        assert_eq!(verify_consecutive(RFC_SECRET, &prev, &cur, now), Some(t));
        assert_eq!(
            verify_consecutive(RFC_SECRET, &cur, &next, now),
            Some(t + 1)
        );
        // Wrong order, same code twice, a gap, or outside the window: refused.
        assert_eq!(verify_consecutive(RFC_SECRET, &cur, &prev, now), None);
        assert_eq!(verify_consecutive(RFC_SECRET, &cur, &cur, now), None);
        assert_eq!(verify_consecutive(RFC_SECRET, &prev, &next, now), None);
        let old1 = code_at_step(RFC_SECRET, t - 2);
        assert_eq!(verify_consecutive(RFC_SECRET, &old1, &prev, now), None);
        let late = code_at_step(RFC_SECRET, t + 2);
        assert_eq!(verify_consecutive(RFC_SECRET, &next, &late, now), None);
        // The returned step then refuses both codes.
        let stored = verify_consecutive(RFC_SECRET, &prev, &cur, now).unwrap();
        assert_eq!(verify_after(RFC_SECRET, &cur, now, stored), None);
        assert_eq!(verify_after(RFC_SECRET, &prev, now, stored), None);
        assert_eq!(
            verify_after(RFC_SECRET, &next, now + 30, stored),
            Some(t + 1)
        );
    }

    #[test]
    fn resync_accepts_ten_minutes_of_drift_and_records_it() {
        let now = 1_700_000_000;
        let t = time_step(now);
        let last_used = t - 100;
        for drift in [-19i64, -7, 0, 5, 20] {
            let d2 = t.checked_add_signed(drift).unwrap();
            let c1 = code_at_step(RFC_SECRET, d2 - 1);
            let c2 = code_at_step(RFC_SECRET, d2);
            let r = resync(RFC_SECRET, &c1, &c2, now, last_used).unwrap();
            assert_eq!(
                r,
                Resync {
                    step: d2,
                    drift_steps: drift
                }
            );
            // Afterwards the drifted device's next code verifies with the drift, once.
            let later = now + 30;
            let next = code_at_step(RFC_SECRET, d2 + 1);
            assert_eq!(
                verify_after_with_drift(RFC_SECRET, &next, later, r.step, r.drift_steps),
                Some(d2 + 1)
            );
            assert_eq!(
                verify_after_with_drift(RFC_SECRET, &next, later, d2 + 1, r.drift_steps),
                None
            );
        }
        // One code 21 steps out (the pairs t-21, t-20 and t+20, t+21): refused.
        for first in [t - 21, t + 20] {
            let c1 = code_at_step(RFC_SECRET, first);
            let c2 = code_at_step(RFC_SECRET, first + 1);
            assert_eq!(resync(RFC_SECRET, &c1, &c2, now, last_used), None);
        }
        // Codes at or before the last used step: refused.
        let c1 = code_at_step(RFC_SECRET, t - 1);
        let c2 = code_at_step(RFC_SECRET, t);
        assert_eq!(resync(RFC_SECRET, &c1, &c2, now, t - 1), None);
        assert_eq!(
            resync(RFC_SECRET, &c1, &c2, now, t - 2).map(|r| r.step),
            Some(t)
        );
        // Non-consecutive: refused.
        let c3 = code_at_step(RFC_SECRET, t + 2);
        assert_eq!(resync(RFC_SECRET, &c1, &c3, now, last_used), None);
    }

    #[test]
    fn malformed_codes_are_refused_without_panicking() {
        let now = 59;
        assert_eq!(code_at(RFC_SECRET, now), "287082");
        for bad in [
            "",
            "28708",
            "2870820",
            "28708a",
            " 287082",
            "287082 ",
            "+28708",
            "-28708",
            "２８７０８２",
            "287\u{0}82",
            "28708\u{e9}",
            "0x1234",
            "ＸＸＸＸＸＸ",
        ] {
            assert_eq!(verify(RFC_SECRET, bad, now), None, "{bad:?}");
            assert_eq!(verify_after(RFC_SECRET, bad, now, 0), None, "{bad:?}");
            assert_eq!(verify_consecutive(RFC_SECRET, bad, "287082", now), None);
            assert_eq!(verify_consecutive(RFC_SECRET, "755224", bad, now), None);
            assert_eq!(resync(RFC_SECRET, bad, "287082", now, 0), None);
        }
    }

    #[test]
    fn empty_and_odd_secrets_work() {
        for secret in [&b""[..], &[0u8][..], &[0xffu8; 200][..]] {
            let code = code_at(secret, 1_000_000);
            assert_eq!(code.len(), DIGITS);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
            assert!(verify(secret, &code, 1_000_000).is_some());
        }
    }

    proptest! {
        #[test]
        fn generated_code_verifies_then_not_after_use(
            secret in proptest::collection::vec(any::<u8>(), 0..80),
            step in 2u64..2_000_000_000,
            second in 0u64..STEP_SECONDS,
            skew in -1i64..=1,
        ) {
            let code = code_at_step(&secret, step);
            // Skip the ~4-in-a-million case where a neighbouring step shares the code.
            prop_assume!(code != code_at_step(&secret, step - 2));
            prop_assume!(code != code_at_step(&secret, step - 1));
            prop_assume!(code != code_at_step(&secret, step + 1));
            prop_assume!(code != code_at_step(&secret, step + 2));
            let now = step.checked_add_signed(skew).unwrap() * STEP_SECONDS + second;
            prop_assert_eq!(verify(&secret, &code, now), Some(step));
            prop_assert_eq!(verify_after(&secret, &code, now, step - 1), Some(step));
            prop_assert_eq!(verify_after(&secret, &code, now, step), None);
            prop_assert_eq!(verify_after(&secret, &code, now + STEP_SECONDS, step), None);
            let next = code_at_step(&secret, step + 1);
            prop_assert_eq!(
                verify_consecutive(&secret, &code, &next, step * STEP_SECONDS + second),
                Some(step + 1)
            );
        }

        #[test]
        fn arbitrary_input_never_panics(
            secret in proptest::collection::vec(any::<u8>(), 0..100),
            code1 in ".{0,10}",
            code2 in "[0-9]{0,8}",
            now in any::<u64>(),
            last in any::<u64>(),
            drift in any::<i64>(),
        ) {
            let _ = verify(&secret, &code1, now);
            let _ = verify_after(&secret, &code2, now, last);
            let _ = verify_after_with_drift(&secret, &code2, now, last, drift);
            let _ = verify_consecutive(&secret, &code1, &code2, now);
            let _ = resync(&secret, &code2, &code1, now, last);
        }
    }
}
