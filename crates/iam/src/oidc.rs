//! OpenID Connect identity providers: the IAM side of web identity federation.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::records::{self, Tag};
use crate::users::required;
use crate::{Ctx, EntityKind, IamError, Quota, tags};

pub const CLIENT_IDS_PER_PROVIDER: usize = 100;
pub const THUMBPRINTS_PER_PROVIDER: usize = 5;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcProvider {
    /// As given, with its scheme (`https://token.example.com/path`).
    pub url: String,
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// The provider's IAM name: its URL without the scheme or a trailing `/`.
pub fn name_of(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    rest.trim_end_matches('/').to_string()
}

fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

pub fn arn_of(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:oidc-provider/{name}")
}

fn key(account: &str, name: &str) -> Vec<u8> {
    format!(
        "oidc/{account}/{}",
        name.to_ascii_lowercase().replace('/', "|")
    )
    .into_bytes()
}

fn not_found(arn: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::OidcProvider,
        arn,
        format!("OpenIDConnect Provider not found for arn {arn}"),
    )
}

/// The provider named by an ARN of `account`.
fn by_arn(tx: &mut dyn Tx, account: &str, arn: &str) -> Result<OidcProvider, IamError> {
    let name = arn
        .strip_prefix(&format!("arn:aws:iam::{account}:oidc-provider/"))
        .ok_or_else(|| not_found(arn))?;
    records::get(tx, &key(account, name))?.ok_or_else(|| not_found(arn))
}

/// The provider with this IAM name in `account` (for AssumeRoleWithWebIdentity).
pub fn find(tx: &mut dyn Tx, account: &str, name: &str) -> Result<Option<OidcProvider>, IamError> {
    records::get(tx, &key(account, name))
}

fn strings(p: &Params, name: &str) -> Vec<String> {
    p.list(name)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

pub fn create_open_id_connect_provider(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let url = required(p, "Url")?;
    if !url.starts_with("https://") && !is_loopback_http(url) {
        // AWS requires https; plain http is accepted only for loopback issuers (local
        // identity providers and tests on this host).
        return Err(IamError::invalid_input("The URL must begin with https://."));
    }
    let name = name_of(url);
    if tx.get(&key(ctx.account, &name))?.is_some() {
        return Err(IamError::already_exists(
            EntityKind::OidcProvider,
            url,
            format!("Provider with url {url} already exists."),
        ));
    }
    let mut client_ids = strings(p, "ClientIDList");
    client_ids.dedup();
    let thumbprints = strings(p, "ThumbprintList");
    if thumbprints.len() > THUMBPRINTS_PER_PROVIDER {
        return Err(IamError::limit_exceeded(
            Quota::ThumbprintsPerOidcProvider,
            THUMBPRINTS_PER_PROVIDER,
        ));
    }
    let mut new_tags = Vec::new();
    tags::merge(
        &mut new_tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    let provider = OidcProvider {
        url: url.to_string(),
        client_ids,
        thumbprints,
        created: ctx.now,
        tags: new_tags,
    };
    records::put(tx, &key(ctx.account, &name), &provider)?;
    let mut out = Value::object().with("OpenIDConnectProviderArn", arn_of(ctx.account, &name));
    if !provider.tags.is_empty() {
        out = out.with("Tags", tags::to_value(&provider.tags));
    }
    Ok(out)
}

fn save(tx: &mut dyn Tx, ctx: &Ctx, p: &OidcProvider) -> Result<(), IamError> {
    records::put(tx, &key(ctx.account, &name_of(&p.url)), p)
}

pub fn get_open_id_connect_provider(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let provider = by_arn(tx, ctx.account, required(p, "OpenIDConnectProviderArn")?)?;
    let list = |v: &[String]| Value::List(v.iter().map(|s| Value::Str(s.clone())).collect());
    let mut out = Value::object()
        .with("Url", name_of(&provider.url))
        .with("ClientIDList", list(&provider.client_ids))
        .with("ThumbprintList", list(&provider.thumbprints))
        .with("CreateDate", provider.created);
    if !provider.tags.is_empty() {
        out = out.with("Tags", tags::to_value(&provider.tags));
    }
    Ok(out)
}

pub fn list_open_id_connect_providers(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    let mut list = Vec::new();
    for (_, v) in tx.scan(
        format!("oidc/{}/", ctx.account).as_bytes(),
        None,
        usize::MAX,
    )? {
        let p: OidcProvider =
            serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        list.push(Value::object().with("Arn", arn_of(ctx.account, &name_of(&p.url))));
    }
    Ok(Value::object().with("OpenIDConnectProviderList", Value::List(list)))
}

pub fn delete_open_id_connect_provider(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let provider = by_arn(tx, ctx.account, required(p, "OpenIDConnectProviderArn")?)?;
    tx.delete(&key(ctx.account, &name_of(&provider.url)))?;
    Ok(Value::object())
}

pub fn add_client_id_to_open_id_connect_provider(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let mut provider = by_arn(tx, ctx.account, required(p, "OpenIDConnectProviderArn")?)?;
    let id = required(p, "ClientID")?;
    if !provider.client_ids.iter().any(|c| c == id) {
        if provider.client_ids.len() >= CLIENT_IDS_PER_PROVIDER {
            return Err(IamError::limit_exceeded(
                Quota::ClientIdsPerOidcProvider,
                CLIENT_IDS_PER_PROVIDER,
            ));
        }
        provider.client_ids.push(id.to_string());
        save(tx, ctx, &provider)?;
    }
    Ok(Value::object())
}

pub fn remove_client_id_from_open_id_connect_provider(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let mut provider = by_arn(tx, ctx.account, required(p, "OpenIDConnectProviderArn")?)?;
    let id = required(p, "ClientID")?;
    provider.client_ids.retain(|c| c != id);
    save(tx, ctx, &provider)?;
    Ok(Value::object())
}

pub fn update_open_id_connect_provider_thumbprint(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let mut provider = by_arn(tx, ctx.account, required(p, "OpenIDConnectProviderArn")?)?;
    provider.thumbprints = strings(p, "ThumbprintList");
    save(tx, ctx, &provider)?;
    Ok(Value::object())
}

pub fn tag_open_id_connect_provider(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let mut provider = by_arn(tx, ctx.account, required(p, "OpenIDConnectProviderArn")?)?;
    tags::merge(
        &mut provider.tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    save(tx, ctx, &provider)?;
    Ok(Value::object())
}

pub fn untag_open_id_connect_provider(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let mut provider = by_arn(tx, ctx.account, required(p, "OpenIDConnectProviderArn")?)?;
    tags::remove(&mut provider.tags, p);
    save(tx, ctx, &provider)?;
    Ok(Value::object())
}

pub fn list_open_id_connect_provider_tags(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let provider = by_arn(tx, ctx.account, required(p, "OpenIDConnectProviderArn")?)?;
    tags::list(&provider.tags, p)
}
