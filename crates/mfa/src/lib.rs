//! MFA building blocks for iamd's virtual MFA devices.
