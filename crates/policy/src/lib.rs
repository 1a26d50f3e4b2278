//! iamd policy crate.
