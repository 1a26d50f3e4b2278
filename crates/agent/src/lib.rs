//! iamd agent: an EC2-compatible instance metadata endpoint.
