//! iamd sigv4 crate.
