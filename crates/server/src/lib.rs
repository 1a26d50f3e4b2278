//! iamd server crate.
