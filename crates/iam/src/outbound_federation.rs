//! Outbound web identity federation: an account's principals get JSON Web Tokens from
//! `sts:GetWebIdentityToken` that outside services verify with any OpenID Connect library.
//!
//! Enabling it gives the account an issuer identifier in AWS's form
//! (`https://UUID.tokens.sts.global.api.aws`) and two signing keys, RSA-2048 (`RS256`) and
//! P-384 (`ES384`), generated here and kept sealed under the master key like every other
//! secret of the store. The public halves are published by the server as the issuer's
//! discovery document and JWKS (`/_iamd/outbound/UUID/.well-known/…`). Disabling keeps the
//! issuer and keys (tokens already issued stay verifiable until they expire) and stops new
//! tokens.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::KeyPair as _;
use iamd_store::{Store, Tx};
use iamd_wire::{Params, Value};

use crate::secrets::MasterKey;
use crate::{Ctx, IamError, records};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningKey {
    pub kid: String,
    /// `RS256` or `ES384`.
    pub alg: String,
    /// PKCS#8 DER, base64, sealed under the master key with the `kid`.
    pub sealed: String,
    /// The public JWK.
    pub jwk: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outbound {
    pub enabled: bool,
    /// The UUID part of the issuer.
    pub id: String,
    pub issuer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub keys: Vec<SigningKey>,
}

fn key(account: &str) -> Vec<u8> {
    format!("outbound/{account}").into_bytes()
}

/// Issuer ID → account, for publishing its keys without knowing the account.
fn index_key(id: &str) -> Vec<u8> {
    format!("outboundid/{id}").into_bytes()
}

fn disabled() -> IamError {
    IamError::service(
        "FeatureDisabled",
        404,
        "Outbound web identity federation is disabled for this account.",
    )
}

pub fn find(tx: &mut dyn Tx, account: &str) -> Result<Option<Outbound>, IamError> {
    records::get(tx, &key(account))
}

fn b64url(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

fn uuid() -> Result<String, IamError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| IamError::internal(format!("random source: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

fn crypto(what: &str) -> IamError {
    IamError::internal(format!("outbound federation keys: {what}"))
}

fn new_keys(master: &MasterKey) -> Result<Vec<SigningKey>, IamError> {
    let rsa = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|_| crypto("RSA key generation"))?;
    let rsa_der = rsa.as_der().map_err(|_| crypto("RSA PKCS#8"))?;
    let pk = rsa.public_key();
    let rsa_kid = uuid()?;
    let rsa_jwk = json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": rsa_kid,
        "n": b64url(pk.modulus().big_endian_without_leading_zero()),
        "e": b64url(pk.exponent().big_endian_without_leading_zero()),
    });
    let ec = aws_lc_rs::signature::EcdsaKeyPair::generate(
        &aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
    )
    .map_err(|_| crypto("EC key generation"))?;
    let ec_der = ec.to_pkcs8v1().map_err(|_| crypto("EC PKCS#8"))?;
    let point = ec.public_key().as_ref();
    // Uncompressed point: 0x04 || x || y, 48 bytes each for P-384.
    let (x, y) = point
        .get(1..)
        .filter(|p| p.len() == 96)
        .map(|p| p.split_at(48))
        .ok_or_else(|| crypto("EC public point"))?;
    let ec_kid = uuid()?;
    let ec_jwk = json!({
        "kty": "EC", "use": "sig", "alg": "ES384", "kid": ec_kid, "crv": "P-384",
        "x": b64url(x), "y": b64url(y),
    });
    Ok(vec![
        SigningKey {
            sealed: master.seal(&STANDARD.encode(rsa_der.as_ref()), &rsa_kid)?,
            kid: rsa_kid,
            alg: "RS256".into(),
            jwk: rsa_jwk,
        },
        SigningKey {
            sealed: master.seal(&STANDARD.encode(ec_der.as_ref()), &ec_kid)?,
            kid: ec_kid,
            alg: "ES384".into(),
            jwk: ec_jwk,
        },
    ])
}

pub fn enable_outbound_web_identity_federation(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    let mut o = match find(tx, ctx.account)? {
        Some(o) if o.enabled => {
            return Err(IamError::service(
                "FeatureEnabled",
                409,
                "Outbound web identity federation is already enabled for this account.",
            ));
        }
        Some(o) => o,
        None => {
            let id = uuid()?;
            tx.put(&index_key(&id), ctx.account.as_bytes())?;
            Outbound {
                enabled: false,
                issuer: format!("https://{id}.tokens.sts.global.api.aws"),
                id,
                created: ctx.now,
                keys: new_keys(ctx.master)?,
            }
        }
    };
    o.enabled = true;
    records::put(tx, &key(ctx.account), &o)?;
    Ok(Value::object().with("IssuerIdentifier", o.issuer))
}

pub fn disable_outbound_web_identity_federation(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    let mut o = find(tx, ctx.account)?
        .filter(|o| o.enabled)
        .ok_or_else(disabled)?;
    o.enabled = false;
    records::put(tx, &key(ctx.account), &o)?;
    Ok(Value::object())
}

pub fn get_outbound_web_identity_federation_info(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    let o = find(tx, ctx.account)?.ok_or_else(disabled)?;
    Ok(Value::object()
        .with("IssuerIdentifier", o.issuer)
        .with("JwtVendingEnabled", o.enabled))
}

/// Signs `claims` as a compact JWS with the account's key for `alg`.
pub fn sign(
    master: &MasterKey,
    o: &Outbound,
    alg: &str,
    claims: &serde_json::Value,
) -> Result<String, IamError> {
    let k = o
        .keys
        .iter()
        .find(|k| k.alg == alg)
        .ok_or_else(|| crypto("no key for the algorithm"))?;
    let der = master
        .open(&k.sealed, &k.kid)
        .and_then(|b| STANDARD.decode(b).ok())
        .ok_or_else(|| crypto("a signing key does not open with this master key"))?;
    let header = json!({"alg": alg, "typ": "JWT", "kid": k.kid});
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let sig = match alg {
        "RS256" => {
            let kp = aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).map_err(|_| crypto("RSA key"))?;
            let mut sig = vec![0u8; kp.public_modulus_len()];
            kp.sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &rng,
                input.as_bytes(),
                &mut sig,
            )
            .map_err(|_| crypto("RSA signing"))?;
            sig
        }
        "ES384" => {
            let kp = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
                &aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                &der,
            )
            .map_err(|_| crypto("EC key"))?;
            kp.sign(&rng, input.as_bytes())
                .map_err(|_| crypto("EC signing"))?
                .as_ref()
                .to_vec()
        }
        _ => return Err(crypto("unknown algorithm")),
    };
    Ok(format!("{input}.{}", b64url(&sig)))
}

/// The issuer's discovery document and JWKS, by issuer ID, for the server to publish:
/// `None` when no account has that issuer. `jwks_uri` is where the server serves the JWKS.
pub fn published(
    store: &dyn Store,
    id: &str,
    jwks_uri: &str,
) -> Result<Option<(serde_json::Value, serde_json::Value)>, IamError> {
    iamd_store::read(store, |tx| {
        let Some(account) = tx.get(&index_key(id))? else {
            return Ok(None);
        };
        let account = String::from_utf8_lossy(&account).into_owned();
        let Some(o) = find(tx, &account)? else {
            return Ok(None);
        };
        let discovery = json!({
            "issuer": o.issuer,
            "jwks_uri": jwks_uri,
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES384"],
        });
        let jwks = json!({"keys": o.keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()});
        Ok(Some((discovery, jwks)))
    })
}
