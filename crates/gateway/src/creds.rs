//! Credentials: the gateway's own iamd identity from the usual AWS environment variables or
//! shared credentials file, and the upstream's from `IAMD_UPSTREAM_*`.

use std::path::PathBuf;

#[derive(Clone)]
pub struct Identity {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, else the profile
/// (`AWS_PROFILE`, `default`) of `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
pub fn own_identity() -> Result<Identity, String> {
    if let (Some(k), Some(s)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        return Ok(Identity {
            access_key_id: k,
            secret_access_key: s,
            session_token: env("AWS_SESSION_TOKEN"),
        });
    }
    let path = env("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".aws/credentials")))
        .ok_or("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")?;
    let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".to_string());
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("no AWS credentials: {}: {e}", path.display()))?;
    from_ini(&text, &profile)
        .ok_or_else(|| format!("profile {profile} of {} has no keys", path.display()))
}

/// The keys of `[profile]` in an AWS credentials file.
pub fn from_ini(text: &str, profile: &str) -> Option<Identity> {
    let mut in_profile = false;
    let (mut k, mut s, mut t) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') && line.ends_with(']') {
            in_profile = line[1..line.len() - 1].trim() == profile;
            continue;
        }
        if !in_profile {
            continue;
        }
        if let Some((name, value)) = line.split_once('=') {
            let value = Some(value.trim().to_string());
            match name.trim() {
                "aws_access_key_id" => k = value,
                "aws_secret_access_key" => s = value,
                "aws_session_token" => t = value,
                _ => {}
            }
        }
    }
    Some(Identity {
        access_key_id: k?,
        secret_access_key: s?,
        session_token: t,
    })
}

/// `IAMD_UPSTREAM_ACCESS_KEY_ID` and `IAMD_UPSTREAM_SECRET_ACCESS_KEY`.
pub fn upstream_identity() -> Result<Identity, String> {
    match (
        env("IAMD_UPSTREAM_ACCESS_KEY_ID"),
        env("IAMD_UPSTREAM_SECRET_ACCESS_KEY"),
    ) {
        (Some(k), Some(s)) => Ok(Identity {
            access_key_id: k,
            secret_access_key: s,
            session_token: env("IAMD_UPSTREAM_SESSION_TOKEN"),
        }),
        _ => Err(
            "set IAMD_UPSTREAM_ACCESS_KEY_ID and IAMD_UPSTREAM_SECRET_ACCESS_KEY (the upstream's keys)"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_profile() {
        let text = "[default]\naws_access_key_id = A\naws_secret_access_key = S\n\n[gw]\naws_access_key_id=B\naws_secret_access_key=T\naws_session_token=X\n";
        let d = from_ini(text, "default").unwrap();
        assert_eq!((d.access_key_id.as_str(), d.session_token), ("A", None));
        let g = from_ini(text, "gw").unwrap();
        assert_eq!(
            (g.secret_access_key.as_str(), g.session_token.as_deref()),
            ("T", Some("X"))
        );
        assert!(from_ini(text, "none").is_none());
    }
}
