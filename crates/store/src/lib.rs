//! iamd store crate.
