//! Accounts, and the first start's bootstrap of the default account and its root key.

use time::OffsetDateTime;

use iamd_store::{Store, Tx};

use crate::records::{self, AccessKey, Account, KeyOwner};
use crate::secrets::MasterKey;
use crate::{EntityKind, IamError, ids, keys};

pub fn get(tx: &mut dyn Tx, id: &str) -> Result<Account, IamError> {
    records::get(tx, &keys::account(id))?.ok_or_else(|| {
        IamError::no_such_entity(
            EntityKind::Account,
            id,
            format!("The account {id} does not exist."),
        )
    })
}

pub fn put(tx: &mut dyn Tx, account: &Account) -> Result<(), IamError> {
    records::put(tx, &keys::account(&account.id), account)
}

/// Creates an empty account; fails if it exists.
pub fn create(tx: &mut dyn Tx, id: &str, now: OffsetDateTime) -> Result<Account, IamError> {
    if tx.get(&keys::account(id))?.is_some() {
        return Err(IamError::already_exists(
            EntityKind::Account,
            id,
            format!("Account {id} already exists."),
        ));
    }
    let account = Account {
        id: id.to_string(),
        alias: None,
        created: now,
        users: 0,
        groups: 0,
        roles: 0,
        instance_profiles: 0,
        policies: 0,
    };
    put(tx, &account)?;
    Ok(account)
}

/// Creates an access key for the account's root user; returns its ID and secret (the only time
/// the secret is seen in the clear).
pub fn create_root_key(
    tx: &mut dyn Tx,
    master: &MasterKey,
    account: &str,
    now: OffsetDateTime,
) -> Result<(String, String), IamError> {
    let id = ids::access_key_id("AKIA")?;
    let secret = ids::secret_access_key()?;
    put_root_key(tx, master, account, &id, &secret, now)?;
    Ok((id, secret))
}

/// Stores a given root access key (local testing's reset restores the first start's key).
pub fn put_root_key(
    tx: &mut dyn Tx,
    master: &MasterKey,
    account: &str,
    id: &str,
    secret: &str,
    now: OffsetDateTime,
) -> Result<(), IamError> {
    let key = AccessKey {
        id: id.to_string(),
        account: account.to_string(),
        owner: KeyOwner::Root,
        secret: master.seal(secret, id)?,
        status: "Active".to_string(),
        created: now,
    };
    records::put(tx, &keys::access_key(id), &key)?;
    tx.put(&keys::owner_key(account, "root", id), b"")?;
    Ok(())
}

/// The account's first root access key and its secret, if it has one.
pub fn root_key(
    tx: &mut dyn Tx,
    master: &MasterKey,
    account: &str,
) -> Result<Option<(String, String)>, IamError> {
    let Some((k, _)) = tx
        .scan(&keys::owner_keys(account, "root"), None, 1)?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let id = keys::last_segment(&k).to_string();
    let Some(key) = records::get::<AccessKey>(tx, &keys::access_key(&id))? else {
        return Ok(None);
    };
    let secret = master.open(&key.secret, &id).ok_or_else(|| {
        IamError::internal(format!(
            "the secret of root access key {id} does not open with this master key"
        ))
    })?;
    Ok(Some((id, secret)))
}

/// Creates the account if it does not exist yet (local testing's accounts on demand).
pub fn ensure(tx: &mut dyn Tx, id: &str, now: OffsetDateTime) -> Result<(), IamError> {
    if tx.get(&keys::account(id))?.is_none() {
        create(tx, id, now)?;
    }
    Ok(())
}

/// The default account, and the root key made for it when this start created it.
#[derive(Debug)]
pub struct Bootstrap {
    pub account_id: String,
    /// `(access key ID, secret)` on the first start only.
    pub new_root_key: Option<(String, String)>,
}

/// On an empty store, creates the default account (`requested` ID, or a random one) and one
/// root access key; on later starts, returns the existing default account.
pub fn bootstrap(
    store: &dyn Store,
    master: &MasterKey,
    requested: Option<&str>,
    now: OffsetDateTime,
) -> Result<Bootstrap, IamError> {
    bootstrap_with(store, master, requested, None, now)
}

/// As [`bootstrap`]; on an empty store, `root_key` (ID, secret) is used instead of a new key.
pub fn bootstrap_with(
    store: &dyn Store,
    master: &MasterKey,
    requested: Option<&str>,
    root_key: Option<(&str, &str)>,
    now: OffsetDateTime,
) -> Result<Bootstrap, IamError> {
    iamd_store::write(store, |tx| {
        if let Some(existing) = tx.get(&keys::meta("default-account"))? {
            let account_id = String::from_utf8_lossy(&existing).into_owned();
            if let Some(r) = requested
                && r != account_id
            {
                return Err(IamError::invalid_input(format!(
                    "this data already holds account {account_id}, not {r}"
                )));
            }
            return Ok(Bootstrap {
                account_id,
                new_root_key: None,
            });
        }
        let account_id = match requested {
            Some(r) => r.to_string(),
            None => ids::account_id()?,
        };
        create(tx, &account_id, now)?;
        let key = match root_key {
            Some((id, secret)) => {
                put_root_key(tx, master, &account_id, id, secret, now)?;
                (id.to_string(), secret.to_string())
            }
            None => create_root_key(tx, master, &account_id, now)?,
        };
        tx.put(&keys::meta("default-account"), account_id.as_bytes())?;
        Ok(Bootstrap {
            account_id,
            new_root_key: Some(key),
        })
    })
}
