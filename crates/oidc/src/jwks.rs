//! JSON Web Key Sets: parsing (`{"keys":[...]}`), skipping keys we cannot use, and choosing the
//! keys that may have signed a token.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::OidcError;

/// At most this many keys are tried for one token (a JWKS without `kid`s).
const MAX_CANDIDATES: usize = 8;

/// One usable public key of a JWKS.
#[derive(Clone)]
pub struct JwkKey {
    kid: Option<String>,
    kind: KeyKind,
    alg: Option<String>,
    key: DecodingKey,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    EcP256,
    EcP384,
    Ed25519,
}

impl JwkKey {
    /// The key's `kid`, if it has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    pub(crate) fn decoding_key(&self) -> &DecodingKey {
        &self.key
    }

    /// Whether this key may verify a signature made with `alg`.
    pub(crate) fn fits(&self, alg: Algorithm) -> bool {
        let family_ok = match self.kind {
            KeyKind::Rsa => matches!(
                alg,
                Algorithm::RS256
                    | Algorithm::RS384
                    | Algorithm::RS512
                    | Algorithm::PS256
                    | Algorithm::PS384
                    | Algorithm::PS512
            ),
            KeyKind::EcP256 => alg == Algorithm::ES256,
            KeyKind::EcP384 => alg == Algorithm::ES384,
            KeyKind::Ed25519 => alg == Algorithm::EdDSA,
        };
        let alg_ok = match &self.alg {
            None => true,
            Some(a) => *a == format!("{alg:?}"),
        };
        family_ok && alg_ok
    }
}

impl std::fmt::Debug for JwkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwkKey")
            .field("kid", &self.kid)
            .field("kind", &self.kind)
            .field("alg", &self.alg)
            .finish()
    }
}

/// A parsed JWKS: the signature-verification keys it holds (RSA, EC P-256/P-384, Ed25519).
/// Symmetric keys, encryption keys and unknown key types are skipped.
#[derive(Clone, Debug, Default)]
pub struct Jwks {
    keys: Vec<JwkKey>,
}

impl Jwks {
    /// Parses `{"keys":[...]}`. A document that is not such an object is an error; keys that
    /// are unusable are skipped (a set may end up empty).
    pub fn from_json(text: &str) -> Result<Jwks, OidcError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| OidcError::KeyRetrieval(format!("JWKS is not JSON: {e}")))?;
        Jwks::from_value(&value)
    }

    /// Parses an already-decoded JWKS document.
    pub fn from_value(value: &serde_json::Value) -> Result<Jwks, OidcError> {
        let keys = value
            .get("keys")
            .and_then(|k| k.as_array())
            .ok_or_else(|| OidcError::KeyRetrieval("JWKS has no \"keys\" array".to_owned()))?;
        Ok(Jwks {
            keys: keys.iter().filter_map(usable_key).collect(),
        })
    }

    /// The usable keys.
    pub fn keys(&self) -> &[JwkKey] {
        &self.keys
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is usable.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether some key has this `kid`.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    /// The keys that may have signed a token with this `alg` and `kid`: with a `kid`, the keys
    /// that carry it (or, failing those, keys without any `kid`, as a one-key JWKS often is);
    /// without one, every key that fits the algorithm.
    pub(crate) fn candidates(&self, alg: Algorithm, kid: Option<&str>) -> Vec<&JwkKey> {
        let fitting = self.keys.iter().filter(|k| k.fits(alg));
        let chosen: Vec<&JwkKey> = match kid {
            Some(kid) => {
                let named: Vec<&JwkKey> = fitting
                    .clone()
                    .filter(|k| k.kid.as_deref() == Some(kid))
                    .collect();
                if named.is_empty() {
                    fitting.filter(|k| k.kid.is_none()).collect()
                } else {
                    named
                }
            }
            None => fitting.collect(),
        };
        chosen.into_iter().take(MAX_CANDIDATES).collect()
    }
}

fn usable_key(value: &serde_json::Value) -> Option<JwkKey> {
    let jwk: Jwk = serde_json::from_value(value.clone()).ok()?;
    if let Some(usage) = &jwk.common.public_key_use
        && *usage != PublicKeyUse::Signature
    {
        return None;
    }
    if let Some(ops) = &jwk.common.key_operations
        && !ops.contains(&KeyOperations::Verify)
    {
        return None;
    }
    let kind = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => KeyKind::Rsa,
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => KeyKind::EcP256,
            EllipticCurve::P384 => KeyKind::EcP384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(p) => match p.curve {
            EllipticCurve::Ed25519 => KeyKind::Ed25519,
            _ => return None,
        },
        // Symmetric keys never verify ID tokens here; anything else is unknown.
        _ => return None,
    };
    // The JWK's own `alg`, when given, as a string ("RS256"); unknown ones make the key unusable.
    let alg = match value.get("alg") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(a)) => {
            parse_signing_alg(a)?;
            Some(a.clone())
        }
        Some(_) => return None,
    };
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some(JwkKey {
        kid: jwk.common.key_id.clone(),
        kind,
        alg,
        key,
    })
}

/// The asymmetric signature algorithms accepted for ID tokens. `none` and the HMAC family are
/// refused: a provider's public key must never be usable as a shared secret.
pub(crate) fn parse_signing_alg(name: &str) -> Option<Algorithm> {
    Some(match name {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        _ => return None,
    })
}
