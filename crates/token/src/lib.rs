//! Sealed session tokens for temporary credentials.
//!
//! A session token is an AES-256-GCM blob carrying the whole [`Session`] (the secret, the
//! principal, session policies, MFA state, tags, times, issuer), sealed under a [`KeyRing`]
//! key whose id is in the token. Any server holding the ring authorizes a request signed with
//! temporary credentials without a database read, and issuing credentials writes nothing.
//!
//! Pure: no I/O, no clock. Time is always an argument (unix seconds); the operating system's
//! random generator is used only to mint keys, secrets and nonces.
//!
//! ```
//! use iamd_token::*;
//! let ring = KeyRing::generate(1_700_000_000).unwrap();
//! let creds = mint_credentials().unwrap();
//! let session = Session {
//!     version: SESSION_VERSION,
//!     access_key_id: creds.access_key_id.clone(),
//!     secret_access_key: creds.secret_access_key,
//!     account: "123456789012".into(),
//!     principal: SessionPrincipal::SessionOf(SessionOwner::Root),
//!     arn: "arn:aws:iam::123456789012:root".into(),
//!     user_id: "123456789012".into(),
//!     policy: None,
//!     policy_arns: vec![],
//!     mfa_authenticated: false,
//!     mfa_auth_time: None,
//!     tags: vec![],
//!     transitive_tag_keys: vec![],
//!     source_identity: None,
//!     issued_at: 1_700_000_000,
//!     expires_at: 1_700_003_600,
//!     issuer: "arn:aws:iam::123456789012:root".into(),
//!     chain_depth: 0,
//!     key_id: 0,
//! };
//! let token = seal(&session, &ring).unwrap();
//! let opened = open_for(&token, &creds.access_key_id, &ring, 1_700_000_100).unwrap();
//! assert_eq!(opened.arn, session.arn);
//! assert_eq!(open(&token, &ring, 1_700_003_600), Err(TokenError::Expired));
//! ```

mod creds;
mod error;
mod ring;
mod seal;
mod session;

pub use creds::{Credentials, SESSION_KEY_PREFIX, is_session_access_key_id, mint_credentials};
pub use error::{EXPIRED_TOKEN_MESSAGE, INVALID_TOKEN_MESSAGE, TokenError};
pub use ring::{KeyRing, MAX_SESSION_SECS, RingKey};
pub use seal::{
    MAX_TOKEN_CHARS, TOKEN_VERSION, open, open_for, open_unexpired_or_not, peek_key_id, seal,
    seal_with,
};
pub use session::{
    CHAINED_MAX_DURATION_SECS, SESSION_VERSION, Session, SessionOwner, SessionPrincipal,
    SessionTag, assumed_role_arn, assumed_role_user_id, federated_user_arn, federated_user_id,
};

#[cfg(test)]
mod tests;
