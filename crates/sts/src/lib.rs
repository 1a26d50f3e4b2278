//! iamd sts crate.
