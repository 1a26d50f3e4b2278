//! Service-specific credentials: a user name and password for one AWS service (CodeCommit's
//! HTTPS Git, Amazon Keyspaces' Cassandra drivers), or a long-term API key (Amazon Bedrock).
//! AWS allows two per service per user; each is `Active` or `Inactive` (a Bedrock key with an
//! age becomes `Expired`); the password or key is in the create and reset responses only; the
//! store keeps it sealed under the master key.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::pagination::page_slice;
use crate::users::{self, required};
use crate::{Ctx, EntityKind, IamError, PrincipalKind, Quota, ids, records};

/// AWS's quota: two credentials per service per user.
pub const PER_USER_PER_SERVICE: usize = 2;

/// The services that take service-specific credentials.
pub const SERVICES: &[&str] = &[
    "codecommit.amazonaws.com",
    "cassandra.amazonaws.com",
    "bedrock.amazonaws.com",
];

/// Bedrock's long-term API keys: an alias and a bearer secret instead of a user name and
/// password, and an optional age.
const BEDROCK: &str = "bedrock.amazonaws.com";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceCredential {
    pub id: String,
    pub user_id: String,
    pub service: String,
    /// `USER-at-ACCOUNT` (CodeCommit, Keyspaces) or the API key's alias (Bedrock).
    pub service_user_name: String,
    /// The password or API key, sealed under the master key with the credential ID.
    pub secret: String,
    /// `Active` or `Inactive`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires: Option<OffsetDateTime>,
}

fn key(account: &str, user_id: &str, id: &str) -> Vec<u8> {
    format!("ssc/{account}/{user_id}/{id}").into_bytes()
}

fn user_prefix(account: &str, user_id: &str) -> Vec<u8> {
    format!("ssc/{account}/{user_id}/").into_bytes()
}

/// Whether the user holds any service-specific credential (`DeleteUser`'s conflict).
pub fn user_has_credentials(
    tx: &mut dyn Tx,
    account: &str,
    user_id: &str,
) -> Result<bool, IamError> {
    Ok(!tx.scan(&user_prefix(account, user_id), None, 1)?.is_empty())
}

/// The service of a user's credential, for the `iam:ServiceSpecificCredentialServiceName`
/// condition key of the operations on an existing credential (`None` when there is none).
pub fn service_of(
    tx: &mut dyn Tx,
    account: &str,
    user_name: Option<&str>,
    id: Option<&str>,
) -> Result<Option<String>, IamError> {
    let (Some(name), Some(id)) = (user_name, id) else {
        return Ok(None);
    };
    let Some(user) = records::get::<records::User>(tx, &crate::keys::user(account, name))? else {
        return Ok(None);
    };
    Ok(records::get::<ServiceCredential>(tx, &key(account, &user.id, id))?.map(|c| c.service))
}

fn of_user(
    tx: &mut dyn Tx,
    account: &str,
    user_id: &str,
) -> Result<Vec<ServiceCredential>, IamError> {
    decode_all(tx.scan(&user_prefix(account, user_id), None, usize::MAX)?)
}

fn decode_all(pairs: Vec<(Vec<u8>, Vec<u8>)>) -> Result<Vec<ServiceCredential>, IamError> {
    pairs
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()).into())
        })
        .collect()
}

/// The user a request is about: `UserName`, or else the calling IAM user.
fn target_user(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<records::User, IamError> {
    let name = match (p.str("UserName"), &ctx.caller.kind) {
        (Some(n), _) => n.to_string(),
        (None, PrincipalKind::User { name, .. }) => name.clone(),
        (None, _) => return Err(users::non_user_credentials()),
    };
    users::find(tx, ctx.account, &name)
}

fn not_supported(service: &str) -> IamError {
    IamError::service(
        "NotSupportedService",
        404,
        format!("Service {service} is not supported for service specific credentials."),
    )
}

fn not_found(id: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::ServiceSpecificCredential,
        id,
        format!("No such credential {id} exists"),
    )
}

fn status_of(c: &ServiceCredential, now: OffsetDateTime) -> &str {
    match c.expires {
        Some(t) if t <= now => "Expired",
        _ => c.status.as_str(),
    }
}

/// A fresh password (CodeCommit, Keyspaces) or API key (Bedrock: `ABSK` and the base64 of
/// `ALIAS:SECRET`, the form Bedrock's bearer tokens take).
fn new_secret(service: &str, alias: &str) -> Result<String, IamError> {
    if service == BEDROCK {
        let raw = format!("{alias}:{}", ids::service_secret(44)?);
        Ok(format!("ABSK{}", STANDARD.encode(raw)))
    } else {
        Ok(ids::service_secret(44)?)
    }
}

/// The full structure (create and reset): with the password or API key.
fn full_value(c: &ServiceCredential, user: &str, secret: &str, now: OffsetDateTime) -> Value {
    let mut v = Value::object()
        .with("CreateDate", c.created)
        .with_opt("ExpirationDate", c.expires)
        .with("ServiceName", c.service.as_str());
    if c.service == BEDROCK {
        v = v
            .with("ServiceCredentialAlias", c.service_user_name.as_str())
            .with("ServiceCredentialSecret", secret);
    } else {
        v = v
            .with("ServiceUserName", c.service_user_name.as_str())
            .with("ServicePassword", secret);
    }
    v.with("ServiceSpecificCredentialId", c.id.as_str())
        .with("UserName", user)
        .with("Status", status_of(c, now))
}

fn metadata_value(c: &ServiceCredential, user: &str, now: OffsetDateTime) -> Value {
    let mut v = Value::object()
        .with("UserName", user)
        .with("Status", status_of(c, now));
    v = if c.service == BEDROCK {
        v.with("ServiceCredentialAlias", c.service_user_name.as_str())
    } else {
        v.with("ServiceUserName", c.service_user_name.as_str())
    };
    v.with("CreateDate", c.created)
        .with_opt("ExpirationDate", c.expires)
        .with("ServiceSpecificCredentialId", c.id.as_str())
        .with("ServiceName", c.service.as_str())
}

fn save(tx: &mut dyn Tx, ctx: &Ctx, c: &ServiceCredential) -> Result<(), IamError> {
    records::put(tx, &key(ctx.account, &c.user_id, &c.id), c)
}

fn find(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    user: &records::User,
    id: &str,
) -> Result<ServiceCredential, IamError> {
    records::get(tx, &key(ctx.account, &user.id, id))?.ok_or_else(|| not_found(id))
}

pub fn create_service_specific_credential(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let service = required(p, "ServiceName")?;
    if !SERVICES.contains(&service) {
        return Err(not_supported(service));
    }
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    let expires = match p.int("CredentialAgeDays") {
        None => None,
        Some(_) if service != BEDROCK => {
            return Err(IamError::invalid_input(format!(
                "CredentialAgeDays is not supported for service {service}."
            )));
        }
        Some(days) => Some(ctx.now + Duration::days(days)),
    };
    let same_service = of_user(tx, ctx.account, &user.id)?
        .into_iter()
        .filter(|c| c.service == service)
        .count();
    if same_service >= PER_USER_PER_SERVICE {
        return Err(IamError::limit_exceeded(
            Quota::ServiceSpecificCredentialsPerUserPerService,
            PER_USER_PER_SERVICE,
        ));
    }
    let id = ids::unique_id("ACCA")?;
    let service_user_name = if service == BEDROCK {
        let tag: String = ids::unique_id("")?.chars().take(4).collect();
        format!(
            "BedrockAPIKey-{}-at-{}",
            tag.to_ascii_lowercase(),
            ctx.account
        )
    } else {
        format!("{}-at-{}", user.name, ctx.account)
    };
    let secret = new_secret(service, &service_user_name)?;
    let c = ServiceCredential {
        id: id.clone(),
        user_id: user.id.clone(),
        service: service.to_string(),
        service_user_name,
        secret: ctx.master.seal(&secret, &id)?,
        status: "Active".into(),
        created: ctx.now,
        expires,
    };
    save(tx, ctx, &c)?;
    Ok(Value::object().with(
        "ServiceSpecificCredential",
        full_value(&c, &user.name, &secret, ctx.now),
    ))
}

pub fn list_service_specific_credentials(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let service = p.str("ServiceName");
    if let Some(s) = service
        && !SERVICES.contains(&s)
    {
        return Err(not_supported(s));
    }
    let all_users = p.bool("AllUsers") == Some(true) && p.str("UserName").is_none();
    let creds = if all_users {
        decode_all(tx.scan(format!("ssc/{}/", ctx.account).as_bytes(), None, usize::MAX)?)?
    } else {
        let user = target_user(tx, ctx, p)?;
        of_user(tx, ctx.account, &user.id)?
    };
    let mut items = Vec::new();
    for c in creds
        .iter()
        .filter(|c| service.is_none_or(|s| c.service == s))
    {
        let Some(user) = users::find_by_id(tx, ctx.account, &c.user_id)? else {
            continue;
        };
        items.push(metadata_value(c, &user.name, ctx.now));
    }
    let pg = page_slice(&items, p.str("Marker"), p.int("MaxItems"))?;
    Ok(
        pg.finish(
            Value::object().with("ServiceSpecificCredentials", Value::List(pg.items.clone())),
        ),
    )
}

pub fn update_service_specific_credential(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let user = target_user(tx, ctx, p)?;
    let id = required(p, "ServiceSpecificCredentialId")?;
    let status = required(p, "Status")?;
    if status != "Active" && status != "Inactive" {
        return Err(IamError::validation(
            "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
        ));
    }
    let mut c = find(tx, ctx, &user, id)?;
    c.status = status.to_string();
    save(tx, ctx, &c)?;
    Ok(Value::object())
}

pub fn reset_service_specific_credential(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let user = target_user(tx, ctx, p)?;
    let id = required(p, "ServiceSpecificCredentialId")?;
    let mut c = find(tx, ctx, &user, id)?;
    let secret = new_secret(&c.service, &c.service_user_name)?;
    c.secret = ctx.master.seal(&secret, &c.id)?;
    save(tx, ctx, &c)?;
    Ok(Value::object().with(
        "ServiceSpecificCredential",
        full_value(&c, &user.name, &secret, ctx.now),
    ))
}

pub fn delete_service_specific_credential(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let user = target_user(tx, ctx, p)?;
    let id = required(p, "ServiceSpecificCredentialId")?;
    find(tx, ctx, &user, id)?;
    tx.delete(&key(ctx.account, &user.id, id))?;
    Ok(Value::object())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests
    use super::*;
    use crate::testing::World;

    fn with_typed(pairs: &[(&str, &str)], typed: &[(&str, Value)]) -> Params {
        let mut p = crate::testing::params(pairs);
        for (k, v) in typed {
            p.0 = p.0.with(k, v.clone());
        }
        p
    }

    fn s<'v>(v: &'v Value, k: &str) -> &'v str {
        v.get(k).and_then(Value::as_str).unwrap_or_default()
    }

    #[test]
    fn create_shows_the_password_once_and_counts_per_service() {
        let w = World::new();
        w.call(users::create_user, &[("UserName", "dev")]).unwrap();
        let c = w
            .call(
                create_service_specific_credential,
                &[
                    ("UserName", "dev"),
                    ("ServiceName", "codecommit.amazonaws.com"),
                ],
            )
            .unwrap();
        let c = c.get("ServiceSpecificCredential").unwrap();
        assert_eq!(s(c, "ServiceUserName"), "dev-at-123456789012");
        assert_eq!(s(c, "ServicePassword").len(), 44);
        assert!(s(c, "ServiceSpecificCredentialId").starts_with("ACCA"));
        assert_eq!(s(c, "Status"), "Active");
        w.call(
            create_service_specific_credential,
            &[
                ("UserName", "dev"),
                ("ServiceName", "codecommit.amazonaws.com"),
            ],
        )
        .unwrap();
        let e = w
            .call(
                create_service_specific_credential,
                &[
                    ("UserName", "dev"),
                    ("ServiceName", "codecommit.amazonaws.com"),
                ],
            )
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "LimitExceeded");
        // Another service has its own two.
        w.call(
            create_service_specific_credential,
            &[
                ("UserName", "dev"),
                ("ServiceName", "cassandra.amazonaws.com"),
            ],
        )
        .unwrap();
        let l = w
            .call(list_service_specific_credentials, &[("UserName", "dev")])
            .unwrap();
        let items = l
            .get("ServiceSpecificCredentials")
            .unwrap()
            .as_list()
            .unwrap();
        assert_eq!(items.len(), 3);
        assert!(items.iter().all(|i| i.get("ServicePassword").is_none()));
        // DeleteUser refuses while they exist.
        let e = w
            .call(users::delete_user, &[("UserName", "dev")])
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "DeleteConflict");
    }

    #[test]
    fn unsupported_services_and_unknown_ids() {
        let w = World::new();
        w.call(users::create_user, &[("UserName", "dev")]).unwrap();
        let e = w
            .call(
                create_service_specific_credential,
                &[("UserName", "dev"), ("ServiceName", "s3.amazonaws.com")],
            )
            .unwrap_err()
            .to_api();
        assert_eq!((e.code.as_str(), e.status), ("NotSupportedService", 404));
        let e = w
            .call(
                delete_service_specific_credential,
                &[
                    ("UserName", "dev"),
                    ("ServiceSpecificCredentialId", "ACCAEXAMPLEEXAMPLE123"),
                ],
            )
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "NoSuchEntity");
    }

    #[test]
    fn bedrock_keys_expire_and_reset_changes_the_secret() {
        let w = World::new();
        w.call(users::create_user, &[("UserName", "dev")]).unwrap();
        let c = w
            .call_with(
                create_service_specific_credential,
                &with_typed(
                    &[
                        ("UserName", "dev"),
                        ("ServiceName", "bedrock.amazonaws.com"),
                    ],
                    &[("CredentialAgeDays", Value::Int(30))],
                ),
            )
            .unwrap();
        let c = c.get("ServiceSpecificCredential").unwrap();
        let alias = s(c, "ServiceCredentialAlias");
        assert!(alias.starts_with("BedrockAPIKey-") && alias.ends_with("-at-123456789012"));
        let key = s(c, "ServiceCredentialSecret");
        let decoded =
            String::from_utf8(STANDARD.decode(key.strip_prefix("ABSK").unwrap()).unwrap()).unwrap();
        assert!(decoded.starts_with(&format!("{alias}:")));
        assert!(c.get("ExpirationDate").is_some());
        let id = s(c, "ServiceSpecificCredentialId");
        let r = w
            .call(
                reset_service_specific_credential,
                &[("UserName", "dev"), ("ServiceSpecificCredentialId", id)],
            )
            .unwrap();
        let r = r.get("ServiceSpecificCredential").unwrap();
        assert_ne!(s(r, "ServiceCredentialSecret"), key);
        w.call(
            update_service_specific_credential,
            &[
                ("UserName", "dev"),
                ("ServiceSpecificCredentialId", id),
                ("Status", "Inactive"),
            ],
        )
        .unwrap();
        let l = w
            .call_with(
                list_service_specific_credentials,
                &with_typed(
                    &[("ServiceName", "bedrock.amazonaws.com")],
                    &[("AllUsers", Value::Bool(true))],
                ),
            )
            .unwrap();
        let items = l
            .get("ServiceSpecificCredentials")
            .unwrap()
            .as_list()
            .unwrap();
        assert_eq!(s(&items[0], "Status"), "Inactive");
        // CredentialAgeDays is Bedrock's only.
        let e = w
            .call_with(
                create_service_specific_credential,
                &with_typed(
                    &[
                        ("UserName", "dev"),
                        ("ServiceName", "codecommit.amazonaws.com"),
                    ],
                    &[("CredentialAgeDays", Value::Int(30))],
                ),
            )
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "InvalidInput");
    }
}
