//! SAML identity providers: the IAM side of SAML federation. The metadata document is kept as
//! given and validated with `iamd-saml` (entity ID, signing certificates, `validUntil`); the
//! private keys for encrypted assertions are kept sealed under the master key and only their
//! IDs are ever shown.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::records::{self, Tag};
use crate::users::required;
use crate::{Ctx, EntityKind, IamError, Quota, ids, tags};

/// AWS's quotas.
pub const PROVIDERS_PER_ACCOUNT: usize = 100;
pub const PRIVATE_KEYS_PER_PROVIDER: usize = 2;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrivateKey {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added: OffsetDateTime,
    /// The PEM key sealed under the master key with its ID.
    pub sealed: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlProvider {
    pub name: String,
    pub uuid: String,
    pub metadata: String,
    pub entity_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    #[serde(default)]
    pub encryption_mode: Option<String>,
    #[serde(default)]
    pub private_keys: Vec<PrivateKey>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl SamlProvider {
    /// The private keys for encrypted assertions (PKCS#8 DER), opened with the master key.
    pub fn decryption_keys(
        &self,
        master: &crate::secrets::MasterKey,
    ) -> Result<Vec<Vec<u8>>, IamError> {
        self.private_keys
            .iter()
            .map(|k| {
                let pem = master.open(&k.sealed, &k.id).ok_or_else(|| {
                    IamError::internal(format!("a private key of {} does not open", self.name))
                })?;
                iamd_saml::metadata::private_key_pkcs8(&pem)
                    .map_err(|e| IamError::internal(format!("a private key of {}: {e}", self.name)))
            })
            .collect()
    }

    /// Whether only encrypted assertions are accepted.
    pub fn requires_encryption(&self) -> bool {
        self.encryption_mode.as_deref() == Some("Required")
    }

    /// The provider's signing keys, from its metadata.
    pub fn metadata(&self) -> Result<iamd_saml::Metadata, IamError> {
        iamd_saml::parse_metadata(&self.metadata)
            .map_err(|e| IamError::internal(format!("stored SAML metadata of {}: {e}", self.name)))
    }
}

pub fn arn_of(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:saml-provider/{name}")
}

fn key(account: &str, name: &str) -> Vec<u8> {
    format!("saml/{account}/{}", name.to_ascii_lowercase()).into_bytes()
}

fn not_found(arn: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::SamlProvider,
        arn,
        format!("Manifest not found for arn {arn}"),
    )
}

/// The provider an ARN of `account` names.
pub fn by_arn(tx: &mut dyn Tx, account: &str, arn: &str) -> Result<SamlProvider, IamError> {
    let name = arn
        .strip_prefix(&format!("arn:aws:iam::{account}:saml-provider/"))
        .filter(|n| !n.is_empty() && !n.contains('/'))
        .ok_or_else(|| not_found(arn))?;
    records::get(tx, &key(account, name))?.ok_or_else(|| not_found(arn))
}

fn save(tx: &mut dyn Tx, ctx: &Ctx, p: &SamlProvider) -> Result<(), IamError> {
    records::put(tx, &key(ctx.account, &p.name), p)
}

fn parse(doc: &str) -> Result<iamd_saml::Metadata, IamError> {
    iamd_saml::parse_metadata(doc)
        .map_err(|e| IamError::invalid_input(format!("Could not parse metadata: {e}")))
}

fn valid_until(m: &iamd_saml::Metadata, now: OffsetDateTime) -> OffsetDateTime {
    // Without validUntil in the metadata, AWS's providers are valid for 100 years.
    m.valid_until.unwrap_or(now + Duration::days(36_525))
}

fn key_id() -> Result<String, IamError> {
    Ok(format!("{}{}", ids::unique_id("")?, ids::unique_id("")?))
}

fn add_key(ctx: &Ctx, p: &mut SamlProvider, pem: &str) -> Result<(), IamError> {
    iamd_saml::metadata::check_private_key(pem).map_err(|_| {
        IamError::invalid_input("The private key is not a valid unencrypted PEM RSA key.")
    })?;
    if p.private_keys.len() >= PRIVATE_KEYS_PER_PROVIDER {
        return Err(IamError::limit_exceeded(
            Quota::PrivateKeysPerSamlProvider,
            PRIVATE_KEYS_PER_PROVIDER,
        ));
    }
    let id = key_id()?;
    p.private_keys.push(PrivateKey {
        sealed: ctx.master.seal(pem, &id)?,
        id,
        added: ctx.now,
    });
    Ok(())
}

fn check_mode(p: &SamlProvider) -> Result<(), IamError> {
    if p.encryption_mode.as_deref() == Some("Required") && p.private_keys.is_empty() {
        return Err(IamError::invalid_input(
            "AssertionEncryptionMode Required needs a private key (AddPrivateKey).",
        ));
    }
    Ok(())
}

pub fn create_saml_provider(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "Name")?;
    let doc = required(p, "SAMLMetadataDocument")?;
    let m = parse(doc)?;
    if tx.get(&key(ctx.account, name))?.is_some() {
        return Err(IamError::already_exists(
            EntityKind::SamlProvider,
            name,
            format!("SAMLProvider {name} already exists"),
        ));
    }
    let existing = tx.scan(
        format!("saml/{}/", ctx.account).as_bytes(),
        None,
        PROVIDERS_PER_ACCOUNT + 1,
    )?;
    if existing.len() >= PROVIDERS_PER_ACCOUNT {
        return Err(IamError::limit_exceeded(
            Quota::SamlProvidersPerAccount,
            PROVIDERS_PER_ACCOUNT,
        ));
    }
    let mut new_tags = Vec::new();
    tags::merge(
        &mut new_tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    let mut provider = SamlProvider {
        name: name.to_string(),
        uuid: format!("{}{}", ids::unique_id("")?, ids::unique_id("")?),
        metadata: doc.to_string(),
        entity_id: m.entity_id.clone(),
        created: ctx.now,
        valid_until: valid_until(&m, ctx.now),
        encryption_mode: p.str("AssertionEncryptionMode").map(str::to_string),
        private_keys: Vec::new(),
        tags: new_tags,
    };
    if let Some(pem) = p.str("AddPrivateKey") {
        add_key(ctx, &mut provider, pem)?;
    }
    check_mode(&provider)?;
    save(tx, ctx, &provider)?;
    let mut out = Value::object().with("SAMLProviderArn", arn_of(ctx.account, name));
    if !provider.tags.is_empty() {
        out = out.with("Tags", tags::to_value(&provider.tags));
    }
    Ok(out)
}

pub fn get_saml_provider(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let provider = by_arn(tx, ctx.account, required(p, "SAMLProviderArn")?)?;
    let mut out = Value::object()
        .with("SAMLProviderUUID", provider.uuid.as_str())
        .with("SAMLMetadataDocument", provider.metadata.as_str())
        .with("CreateDate", provider.created)
        .with("ValidUntil", provider.valid_until);
    if !provider.tags.is_empty() {
        out = out.with("Tags", tags::to_value(&provider.tags));
    }
    out = out.with_opt(
        "AssertionEncryptionMode",
        provider.encryption_mode.as_deref(),
    );
    if !provider.private_keys.is_empty() {
        let keys = provider
            .private_keys
            .iter()
            .map(|k| {
                Value::object()
                    .with("KeyId", k.id.as_str())
                    .with("Timestamp", k.added)
            })
            .collect();
        out = out.with("PrivateKeyList", Value::List(keys));
    }
    Ok(out)
}

pub fn list_saml_providers(tx: &mut dyn Tx, ctx: &Ctx, _p: &Params) -> Result<Value, IamError> {
    let mut list = Vec::new();
    for (_, v) in tx.scan(
        format!("saml/{}/", ctx.account).as_bytes(),
        None,
        usize::MAX,
    )? {
        let p: SamlProvider =
            serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        list.push(
            Value::object()
                .with("Arn", arn_of(ctx.account, &p.name))
                .with("ValidUntil", p.valid_until)
                .with("CreateDate", p.created),
        );
    }
    Ok(Value::object().with("SAMLProviderList", Value::List(list)))
}

pub fn update_saml_provider(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = required(p, "SAMLProviderArn")?;
    let mut provider = by_arn(tx, ctx.account, arn)?;
    let doc = p.str("SAMLMetadataDocument");
    let mode = p.str("AssertionEncryptionMode");
    let add = p.str("AddPrivateKey");
    let remove = p.str("RemovePrivateKey");
    if doc.is_none() && mode.is_none() && add.is_none() && remove.is_none() {
        return Err(IamError::invalid_input(
            "Give at least one of SAMLMetadataDocument, AssertionEncryptionMode, AddPrivateKey and RemovePrivateKey.",
        ));
    }
    if let Some(doc) = doc {
        let m = parse(doc)?;
        provider.metadata = doc.to_string();
        provider.entity_id = m.entity_id.clone();
        provider.valid_until = valid_until(&m, ctx.now);
    }
    if let Some(mode) = mode {
        provider.encryption_mode = Some(mode.to_string());
    }
    if let Some(id) = remove {
        let before = provider.private_keys.len();
        provider.private_keys.retain(|k| k.id != id);
        if provider.private_keys.len() == before {
            return Err(IamError::invalid_input(format!(
                "The private key {id} is not one of the provider's."
            )));
        }
    }
    if let Some(pem) = add {
        add_key(ctx, &mut provider, pem)?;
    }
    check_mode(&provider)?;
    save(tx, ctx, &provider)?;
    Ok(Value::object().with("SAMLProviderArn", arn))
}

pub fn delete_saml_provider(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let provider = by_arn(tx, ctx.account, required(p, "SAMLProviderArn")?)?;
    tx.delete(&key(ctx.account, &provider.name))?;
    Ok(Value::object())
}

pub fn tag_saml_provider(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut provider = by_arn(tx, ctx.account, required(p, "SAMLProviderArn")?)?;
    tags::merge(
        &mut provider.tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    save(tx, ctx, &provider)?;
    Ok(Value::object())
}

pub fn untag_saml_provider(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut provider = by_arn(tx, ctx.account, required(p, "SAMLProviderArn")?)?;
    tags::remove(&mut provider.tags, p);
    save(tx, ctx, &provider)?;
    Ok(Value::object())
}

pub fn list_saml_provider_tags(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let provider = by_arn(tx, ctx.account, required(p, "SAMLProviderArn")?)?;
    tags::list(&provider.tags, p)
}
