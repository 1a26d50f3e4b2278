//! Signing certificates, SSH public keys and server certificates. Parsing and validation are
//! `iamd-certs`'; here are IAM's records, quotas and answers. A server certificate's private key
//! is validated against the certificate and then dropped: it is never stored or returned.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use iamd_certs::{SshEncoding, SshPublicKey};
use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::pagination::page;
use crate::records::{self, Tag};
use crate::users::{self, required};
use crate::{Ctx, EntityKind, IamError, PrincipalKind, Quota, ids, keys, tags};

pub const SIGNING_CERTIFICATES_PER_USER: usize = 2;
pub const SSH_KEYS_PER_USER: usize = 5;
pub const SERVER_CERTIFICATES_PER_ACCOUNT: usize = 20;

/// A stored expiration as a date; out of range only in a corrupt record.
fn unix(t: i64) -> Result<OffsetDateTime, IamError> {
    OffsetDateTime::from_unix_timestamp(t)
        .map_err(|e| IamError::internal(format!("a stored certificate expiration: {e}")))
}

/// Whose credentials: `UserName`, else the calling user, else (root) the root user.
struct Owner {
    key: String,
    user_name: Option<String>,
}

fn owner(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Owner, IamError> {
    let name = match (p.str("UserName"), &ctx.caller.kind) {
        (Some(n), _) => n.to_string(),
        (None, PrincipalKind::User { name, .. }) => name.clone(),
        (None, PrincipalKind::Root) => {
            return Ok(Owner {
                key: "root".to_string(),
                user_name: None,
            });
        }
        (None, _) => return Err(users::non_user_credentials()),
    };
    let u = users::find(tx, ctx.account, &name)?;
    Ok(Owner {
        key: u.id,
        user_name: Some(u.name),
    })
}

// Signing certificates.

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SigningCertificate {
    id: String,
    body: String,
    status: String,
    #[serde(with = "time::serde::rfc3339")]
    uploaded: OffsetDateTime,
}

fn signing_key(account: &str, owner: &str, id: &str) -> Vec<u8> {
    format!("signcert/{account}/{owner}/{id}").into_bytes()
}
fn signing_keys(account: &str, owner: &str) -> Vec<u8> {
    format!("signcert/{account}/{owner}/").into_bytes()
}
fn signing_index(account: &str, id: &str) -> Vec<u8> {
    format!("signcertid/{account}/{id}").into_bytes()
}
/// Whether a user still has signing certificates (DeleteUser's conflict).
pub fn user_has_signing_certificates(
    tx: &mut dyn Tx,
    account: &str,
    user_id: &str,
) -> Result<bool, IamError> {
    Ok(!tx
        .scan(&signing_keys(account, user_id), None, 1)?
        .is_empty())
}

fn signing_value(o: &Owner, c: &SigningCertificate) -> Value {
    Value::object()
        .with_opt("UserName", o.user_name.as_deref())
        .with("CertificateId", c.id.as_str())
        .with("CertificateBody", c.body.as_str())
        .with("Status", c.status.as_str())
        .with("UploadDate", c.uploaded)
}

pub fn upload_signing_certificate(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let o = owner(tx, ctx, p)?;
    let body = required(p, "CertificateBody")?;
    let cert = iamd_certs::parse_signing_certificate(body, ctx.now.unix_timestamp())?;
    let id = cert.certificate_id().to_string();
    if tx.get(&signing_index(ctx.account, &id))?.is_some() {
        return Err(IamError::DuplicateCertificate);
    }
    if tx
        .scan(
            &signing_keys(ctx.account, &o.key),
            None,
            SIGNING_CERTIFICATES_PER_USER + 1,
        )?
        .len()
        >= SIGNING_CERTIFICATES_PER_USER
    {
        return Err(IamError::limit_exceeded(
            Quota::SigningCertificatesPerUser,
            SIGNING_CERTIFICATES_PER_USER,
        ));
    }
    let c = SigningCertificate {
        id: id.clone(),
        // Byte for byte, trailing newline included: AWS returns the body as uploaded, and the
        // Terraform provider compares `certificate_body` with what ListSigningCertificates
        // returns (terraform-provider-aws internal/service/iam/signing_certificate.go).
        body: body.to_string(),
        status: "Active".to_string(),
        uploaded: ctx.now,
    };
    records::put(tx, &signing_key(ctx.account, &o.key, &id), &c)?;
    tx.put(&signing_index(ctx.account, &id), o.key.as_bytes())?;
    Ok(Value::object().with("Certificate", signing_value(&o, &c)))
}

pub fn list_signing_certificates(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let o = owner(tx, ctx, p)?;
    let pg = page(
        tx,
        &signing_keys(ctx.account, &o.key),
        p.str("Marker"),
        p.int("MaxItems"),
        |_, _, v| {
            let c: SigningCertificate =
                serde_json::from_slice(v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(Some(signing_value(&o, &c)))
        },
    )?;
    Ok(pg.finish(Value::object().with("Certificates", Value::List(pg.items.clone()))))
}

fn find_signing(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    o: &Owner,
    id: &str,
) -> Result<SigningCertificate, IamError> {
    records::get(tx, &signing_key(ctx.account, &o.key, id))?.ok_or_else(|| {
        IamError::no_such_entity(
            EntityKind::SigningCertificate,
            id,
            format!("The Certificate with id {id} cannot be found."),
        )
    })
}

pub fn update_signing_certificate(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let o = owner(tx, ctx, p)?;
    let id = required(p, "CertificateId")?;
    let mut c = find_signing(tx, ctx, &o, id)?;
    c.status = required(p, "Status")?.to_string();
    records::put(tx, &signing_key(ctx.account, &o.key, id), &c)?;
    Ok(Value::object())
}

pub fn delete_signing_certificate(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let o = owner(tx, ctx, p)?;
    let id = required(p, "CertificateId")?;
    find_signing(tx, ctx, &o, id)?;
    tx.delete(&signing_key(ctx.account, &o.key, id))?;
    tx.delete(&signing_index(ctx.account, id))?;
    Ok(Value::object())
}

// SSH public keys.

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SshKeyRecord {
    id: String,
    body: String,
    fingerprint: String,
    status: String,
    #[serde(with = "time::serde::rfc3339")]
    uploaded: OffsetDateTime,
}

fn ssh_key(account: &str, user_id: &str, id: &str) -> Vec<u8> {
    format!("sshkey/{account}/{user_id}/{id}").into_bytes()
}
fn ssh_keys(account: &str, user_id: &str) -> Vec<u8> {
    format!("sshkey/{account}/{user_id}/").into_bytes()
}
/// Whether a user still has SSH public keys (DeleteUser's conflict).
pub fn user_has_ssh_keys(tx: &mut dyn Tx, account: &str, user_id: &str) -> Result<bool, IamError> {
    Ok(!tx.scan(&ssh_keys(account, user_id), None, 1)?.is_empty())
}

fn all_ssh(tx: &mut dyn Tx, account: &str, user_id: &str) -> Result<Vec<SshKeyRecord>, IamError> {
    let mut out = Vec::new();
    for (_, v) in tx.scan(&ssh_keys(account, user_id), None, usize::MAX)? {
        out.push(serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?);
    }
    Ok(out)
}

fn ssh_value(user: &str, k: &SshKeyRecord, body: Option<String>) -> Value {
    let v = Value::object()
        .with("UserName", user)
        .with("SSHPublicKeyId", k.id.as_str());
    let v = match body {
        Some(b) => v
            .with("Fingerprint", k.fingerprint.as_str())
            .with("SSHPublicKeyBody", b),
        None => v,
    };
    v.with("Status", k.status.as_str())
        .with("UploadDate", k.uploaded)
}

pub fn upload_ssh_public_key(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    let body = required(p, "SSHPublicKeyBody")?;
    let key = SshPublicKey::parse(body)?;
    let fingerprint = key.fingerprint_md5();
    let existing = all_ssh(tx, ctx.account, &user.id)?;
    if existing.iter().any(|k| k.fingerprint == fingerprint) {
        return Err(IamError::DuplicateSshPublicKey);
    }
    if existing.len() >= SSH_KEYS_PER_USER {
        return Err(IamError::limit_exceeded(
            Quota::SshPublicKeysPerUser,
            SSH_KEYS_PER_USER,
        ));
    }
    let rec = SshKeyRecord {
        // APKA + 16 characters, as AWS (they double as CodeCommit SSH user names).
        id: ids::access_key_id("APKA")?,
        body: body.trim().to_string(),
        fingerprint,
        status: "Active".to_string(),
        uploaded: ctx.now,
    };
    records::put(tx, &ssh_key(ctx.account, &user.id, &rec.id), &rec)?;
    Ok(Value::object().with(
        "SSHPublicKey",
        ssh_value(&user.name, &rec, Some(rec.body.clone())),
    ))
}

fn find_ssh(tx: &mut dyn Tx, ctx: &Ctx, user_id: &str, id: &str) -> Result<SshKeyRecord, IamError> {
    records::get(tx, &ssh_key(ctx.account, user_id, id))?.ok_or_else(|| {
        IamError::no_such_entity(
            EntityKind::SshPublicKey,
            id,
            format!("The Public Key with id {id} cannot be found."),
        )
    })
}

pub fn get_ssh_public_key(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    let rec = find_ssh(tx, ctx, &user.id, required(p, "SSHPublicKeyId")?)?;
    let encoding = SshEncoding::from_param(required(p, "Encoding")?)
        .ok_or_else(|| IamError::validation("Encoding must be SSH or PEM."))?;
    let body = ssh_body(&rec, encoding)?;
    Ok(Value::object().with("SSHPublicKey", ssh_value(&user.name, &rec, Some(body))))
}

/// `GetSSHPublicKey`'s body in `encoding`:
/// - `SSH`: the one-line `ssh-rsa AAAA…` form, without the comment (AWS strips comments:
///   hashicorp/terraform-provider-aws#6727, whose resource compares keys with comments removed);
/// - `PEM`: the body as uploaded when it was uploaded in the one-line or a PEM form (observed
///   against AWS in hashicorp/terraform-provider-aws#2522: "both [encodings] return the exact
///   same thing" for an `ssh-rsa` upload, so `encoding = "PEM"` with an `ssh-rsa` key plans no
///   change; the provider's PEM acceptance test uploads a `BEGIN PUBLIC KEY` body and expects it
///   back), else (RFC 4716) the SubjectPublicKeyInfo PEM.
fn ssh_body(rec: &SshKeyRecord, encoding: SshEncoding) -> Result<String, IamError> {
    // The body was parsed when it was uploaded: failing now means a corrupt record.
    let key = SshPublicKey::parse(&rec.body)
        .map_err(|e| IamError::internal(format!("stored SSH public key {}: {e}", rec.id)))?;
    let stored = rec.body.trim();
    Ok(match encoding {
        SshEncoding::Ssh => key.encode(SshEncoding::Ssh),
        SshEncoding::Pem if !stored.starts_with("---- BEGIN SSH2") => stored.to_string(),
        SshEncoding::Pem => key.encode(SshEncoding::Pem),
    })
}

pub fn list_ssh_public_keys(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = match (p.str("UserName"), &ctx.caller.kind) {
        (Some(n), _) => users::find(tx, ctx.account, n)?,
        (None, PrincipalKind::User { name, .. }) => users::find(tx, ctx.account, name)?,
        _ => return Err(users::non_user_credentials()),
    };
    let pg = page(
        tx,
        &ssh_keys(ctx.account, &user.id),
        p.str("Marker"),
        p.int("MaxItems"),
        |_, _, v| {
            let k: SshKeyRecord =
                serde_json::from_slice(v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(Some(ssh_value(&user.name, &k, None)))
        },
    )?;
    Ok(pg.finish(Value::object().with("SSHPublicKeys", Value::List(pg.items.clone()))))
}

pub fn update_ssh_public_key(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    let id = required(p, "SSHPublicKeyId")?;
    let mut rec = find_ssh(tx, ctx, &user.id, id)?;
    rec.status = required(p, "Status")?.to_string();
    records::put(tx, &ssh_key(ctx.account, &user.id, id), &rec)?;
    Ok(Value::object())
}

pub fn delete_ssh_public_key(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    let id = required(p, "SSHPublicKeyId")?;
    find_ssh(tx, ctx, &user.id, id)?;
    tx.delete(&ssh_key(ctx.account, &user.id, id))?;
    Ok(Value::object())
}

// Server certificates.

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ServerCert {
    id: String,
    name: String,
    path: String,
    body: String,
    chain: Option<String>,
    expiration: i64,
    #[serde(with = "time::serde::rfc3339")]
    uploaded: OffsetDateTime,
    #[serde(default)]
    tags: Vec<Tag>,
}

fn server_key(account: &str, name: &str) -> Vec<u8> {
    format!("servercert/{account}/{}", keys::lower(name)).into_bytes()
}
fn server_keys(account: &str) -> Vec<u8> {
    format!("servercert/{account}/").into_bytes()
}

pub fn server_certificate_count(tx: &mut dyn Tx, account: &str) -> Result<usize, IamError> {
    Ok(tx.scan(&server_keys(account), None, usize::MAX)?.len())
}

fn server_metadata(account: &str, c: &ServerCert) -> Result<Value, IamError> {
    Ok(Value::object()
        .with("Path", c.path.as_str())
        .with("ServerCertificateName", c.name.as_str())
        .with("ServerCertificateId", c.id.as_str())
        .with(
            "Arn",
            format!(
                "arn:aws:iam::{account}:server-certificate{}{}",
                c.path, c.name
            ),
        )
        .with("UploadDate", c.uploaded)
        .with("Expiration", unix(c.expiration)?))
}

fn find_server(tx: &mut dyn Tx, account: &str, name: &str) -> Result<ServerCert, IamError> {
    records::get(tx, &server_key(account, name))?.ok_or_else(|| {
        IamError::no_such_entity(
            EntityKind::ServerCertificate,
            name,
            format!("The Server Certificate with name {name} cannot be found."),
        )
    })
}

fn server_exists(name: &str) -> IamError {
    IamError::already_exists(
        EntityKind::ServerCertificate,
        name,
        format!("The Server Certificate with name {name} already exists."),
    )
}

pub fn upload_server_certificate(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let name = required(p, "ServerCertificateName")?;
    if tx.get(&server_key(ctx.account, name))?.is_some() {
        return Err(server_exists(name));
    }
    if server_certificate_count(tx, ctx.account)? >= SERVER_CERTIFICATES_PER_ACCOUNT {
        return Err(IamError::limit_exceeded(
            Quota::ServerCertificatesPerAccount,
            SERVER_CERTIFICATES_PER_ACCOUNT,
        ));
    }
    let body = required(p, "CertificateBody")?;
    let chain = p.str("CertificateChain");
    let validated = iamd_certs::validate_server_certificate(
        body,
        chain,
        required(p, "PrivateKey")?,
        ctx.now.unix_timestamp(),
    )?;
    let mut new_tags = Vec::new();
    tags::merge(
        &mut new_tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    let c = ServerCert {
        id: ids::unique_id("ASCA")?,
        name: name.to_string(),
        path: p.str("Path").unwrap_or("/").to_string(),
        body: body.trim().to_string(),
        chain: chain.map(|c| c.trim().to_string()),
        expiration: validated.expiration(),
        uploaded: ctx.now,
        tags: new_tags,
    };
    records::put(tx, &server_key(ctx.account, name), &c)?;
    let mut out = Value::object().with(
        "ServerCertificateMetadata",
        server_metadata(ctx.account, &c)?,
    );
    if !c.tags.is_empty() {
        out = out.with("Tags", tags::to_value(&c.tags));
    }
    Ok(out)
}

pub fn get_server_certificate(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let c = find_server(tx, ctx.account, required(p, "ServerCertificateName")?)?;
    let mut v = Value::object()
        .with(
            "ServerCertificateMetadata",
            server_metadata(ctx.account, &c)?,
        )
        .with("CertificateBody", c.body.as_str())
        .with_opt("CertificateChain", c.chain.as_deref());
    if !c.tags.is_empty() {
        v = v.with("Tags", tags::to_value(&c.tags));
    }
    Ok(Value::object().with("ServerCertificate", v))
}

pub fn list_server_certificates(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let prefix = p.str("PathPrefix").unwrap_or("/");
    let pg = page(
        tx,
        &server_keys(ctx.account),
        p.str("Marker"),
        p.int("MaxItems"),
        |_, _, v| {
            let c: ServerCert =
                serde_json::from_slice(v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if !c.path.starts_with(prefix) {
                return Ok(None);
            }
            server_metadata(ctx.account, &c).map(Some)
        },
    )?;
    Ok(pg.finish(Value::object().with(
        "ServerCertificateMetadataList",
        Value::List(pg.items.clone()),
    )))
}

pub fn update_server_certificate(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let name = required(p, "ServerCertificateName")?;
    let mut c = find_server(tx, ctx.account, name)?;
    if let Some(path) = p.str("NewPath") {
        c.path = path.to_string();
    }
    if let Some(new) = p.str("NewServerCertificateName") {
        if keys::lower(new) != keys::lower(name) && tx.get(&server_key(ctx.account, new))?.is_some()
        {
            return Err(server_exists(new));
        }
        tx.delete(&server_key(ctx.account, name))?;
        c.name = new.to_string();
    }
    records::put(tx, &server_key(ctx.account, &c.name), &c)?;
    Ok(Value::object())
}

pub fn delete_server_certificate(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let name = required(p, "ServerCertificateName")?;
    find_server(tx, ctx.account, name)?;
    tx.delete(&server_key(ctx.account, name))?;
    Ok(Value::object())
}

pub fn tag_server_certificate(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "ServerCertificateName")?;
    let mut c = find_server(tx, ctx.account, name)?;
    tags::merge(
        &mut c.tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    records::put(tx, &server_key(ctx.account, name), &c)?;
    Ok(Value::object())
}

pub fn untag_server_certificate(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "ServerCertificateName")?;
    let mut c = find_server(tx, ctx.account, name)?;
    tags::remove(&mut c.tags, p);
    records::put(tx, &server_key(ctx.account, name), &c)?;
    Ok(Value::object())
}

pub fn list_server_certificate_tags(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let c = find_server(tx, ctx.account, required(p, "ServerCertificateName")?)?;
    tags::list(&c.tags, p)
}

/// Signing certificates of every user (for the credential report): user ID → (active, date).
pub fn signing_certificates_of(
    tx: &mut dyn Tx,
    account: &str,
    owner_key: &str,
) -> Result<Vec<(bool, OffsetDateTime)>, IamError> {
    let mut out = Vec::new();
    for (_, v) in tx.scan(&signing_keys(account, owner_key), None, usize::MAX)? {
        let c: SigningCertificate =
            serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        out.push((c.status == "Active", c.uploaded));
    }
    Ok(out)
}
