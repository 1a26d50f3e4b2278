//! Opening arbitrary strings as session tokens: always refused, never a panic.
#![no_main]

use iamd_token::{KeyRing, open};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(ring) = KeyRing::generate(1_700_000_000) {
            assert!(open(text, &ring, 1_700_000_000).is_err());
        }
    }
});
