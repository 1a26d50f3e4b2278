//! Sealing and opening tokens.
//!
//! Layout (before base64):
//!
//! ```text
//! offset  size  field
//! 0       1     layout version (TOKEN_VERSION = 1)
//! 1       4     ring key id, big-endian
//! 5       12    random 96-bit GCM nonce
//! 17      n     AES-256-GCM ciphertext of postcard(Session)
//! 17+n    16    GCM tag
//! ```
//!
//! The first five bytes (version and key id) are the associated data, so neither can be changed
//! without failing authentication. The whole is encoded as URL-safe base64 without padding
//! (`A–Z a–z 0–9 - _`): nothing in it needs escaping in a header, a query string or a form body,
//! and SigV4's canonical query string leaves it as it is.
//!
//! The payload is [`postcard`] rather than JSON: about half the size (no field names, varint
//! integers, policy text unescaped) and several times faster to decode, at the price of being
//! positional (see [`crate::SESSION_VERSION`]). Nonces are random, so a key should seal well
//! under 2^32 tokens before the ring is rotated (at issuing rates of thousands per second that is
//! still weeks; rotate routinely).

use aes_gcm::aead::AeadInOut;
use aes_gcm::aead::Tag;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::creds::is_session_access_key_id;
use crate::error::TokenError;
use crate::ring::{KeyRing, RingKey};
use crate::session::Session;

/// The token layout version written in the first byte.
pub const TOKEN_VERSION: u8 = 1;
/// Tokens longer than this (in characters) are refused before decoding.
pub const MAX_TOKEN_CHARS: usize = 16 * 1024;

const HEADER_LEN: usize = 5;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const PREFIX_LEN: usize = HEADER_LEN + NONCE_LEN;

/// Seals `session` with the ring's sealing key. `session.key_id` is ignored: the token records
/// the key actually used, and [`open`] reports it.
pub fn seal(session: &Session, ring: &KeyRing) -> Result<String, TokenError> {
    let key = ring.sealing_key().ok_or(TokenError::NoSealingKey)?;
    seal_with(session, key)
}

/// Seals `session` with a given ring key (retired or not).
pub fn seal_with(session: &Session, key: &RingKey) -> Result<String, TokenError> {
    if !is_session_access_key_id(&session.access_key_id) {
        return Err(TokenError::InvalidSession(
            "the access key id is not an ASIA key id",
        ));
    }
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| TokenError::Internal)?;

    let mut buf = Vec::with_capacity(512);
    buf.push(TOKEN_VERSION);
    buf.extend_from_slice(&key.id.to_be_bytes());
    buf.extend_from_slice(&nonce);
    let mut buf = postcard::to_extend(session, buf).map_err(|_| TokenError::Internal)?;

    let cipher = Aes256Gcm::new(&key.key.into());
    let (prefix, body) = buf.split_at_mut(PREFIX_LEN);
    let aad = &prefix[..HEADER_LEN];
    let n = Nonce::try_from(&prefix[HEADER_LEN..]).map_err(|_| TokenError::Internal)?;
    let tag = cipher
        .encrypt_inout_detached(&n, aad, body.into())
        .map_err(|_| TokenError::Internal)?;
    buf.extend_from_slice(tag.as_slice());
    Ok(URL_SAFE_NO_PAD.encode(&buf))
}

/// Opens `token` and checks that its session has not expired at `now_unix`.
pub fn open(token: &str, ring: &KeyRing, now_unix: i64) -> Result<Session, TokenError> {
    let session = open_unexpired_or_not(token, ring)?;
    if session.is_expired(now_unix) {
        return Err(TokenError::Expired);
    }
    Ok(session)
}

/// Opens `token` for a request whose SigV4 signature names `access_key_id`: the token must be
/// authentic, belong to that key, and not have expired (checked in that order, so a token of
/// another key is `InvalidClientTokenId` even when also expired).
pub fn open_for(
    token: &str,
    access_key_id: &str,
    ring: &KeyRing,
    now_unix: i64,
) -> Result<Session, TokenError> {
    let session = open_unexpired_or_not(token, ring)?;
    if session.access_key_id != access_key_id {
        return Err(TokenError::AccessKeyMismatch);
    }
    if session.is_expired(now_unix) {
        return Err(TokenError::Expired);
    }
    Ok(session)
}

/// Opens `token` without looking at its expiry (for diagnostics and tests; requests must use
/// [`open`] or [`open_for`]).
pub fn open_unexpired_or_not(token: &str, ring: &KeyRing) -> Result<Session, TokenError> {
    let mut buf = decode(token)?;
    let key_id = header_key_id(&buf)?;
    let key = ring.get(key_id).ok_or(TokenError::UnknownKey)?;

    let cipher = Aes256Gcm::new(&key.key.into());
    let body_end = buf.len() - TAG_LEN;
    let (prefix, rest) = buf.split_at_mut(PREFIX_LEN);
    let (body, tag) = rest.split_at_mut(body_end - PREFIX_LEN);
    let aad = &prefix[..HEADER_LEN];
    let n = Nonce::try_from(&prefix[HEADER_LEN..]).map_err(|_| TokenError::Malformed)?;
    let tag = Tag::<Aes256Gcm>::try_from(&*tag).map_err(|_| TokenError::Malformed)?;
    cipher
        .decrypt_inout_detached(&n, aad, body.into(), &tag)
        .map_err(|_| TokenError::Tampered)?;

    // Authentic: the payload is ours, so a decoding failure means a layout we no longer read.
    let (mut session, rest): (Session, &[u8]) =
        postcard::take_from_bytes(body).map_err(|_| TokenError::Malformed)?;
    if !rest.is_empty() {
        return Err(TokenError::Malformed);
    }
    session.key_id = key_id;
    Ok(session)
}

/// The ring key id a token names, read without opening it (it is not authenticated until the
/// token is opened).
pub fn peek_key_id(token: &str) -> Result<u32, TokenError> {
    header_key_id(&decode(token)?)
}

fn decode(token: &str) -> Result<Vec<u8>, TokenError> {
    if token.len() > MAX_TOKEN_CHARS {
        return Err(TokenError::Malformed);
    }
    let buf = URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .map_err(|_| TokenError::Malformed)?;
    if buf.len() < PREFIX_LEN + TAG_LEN {
        return Err(TokenError::Malformed);
    }
    Ok(buf)
}

/// The key id from a decoded token's header, after checking the layout version.
fn header_key_id(buf: &[u8]) -> Result<u32, TokenError> {
    match buf {
        [TOKEN_VERSION, a, b, c, d, ..] => Ok(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => Err(TokenError::Malformed),
    }
}
