//! iamd iam crate.
