//! Authentication's view of access keys: who a key belongs to and its secret.

use iamd_store::Tx;

use crate::records::{self, AccessKey, KeyOwner};
use crate::secrets::MasterKey;
use crate::{IamError, Principal, keys, users};

/// A long-term access key, resolved for authentication.
#[derive(Debug, Clone)]
pub struct Credential {
    pub principal: Principal,
    /// The secret in the clear: kept only in memory, for verifying signatures.
    pub secret: String,
    pub active: bool,
}

/// Looks up an access key ID. `None` when the key, or its owner, does not exist. A secret that
/// does not open with this master key is a corrupt record: an error, not an unknown key.
pub fn lookup(
    tx: &mut dyn Tx,
    master: &MasterKey,
    access_key_id: &str,
) -> Result<Option<Credential>, IamError> {
    let Some(key) = records::get::<AccessKey>(tx, &keys::access_key(access_key_id))? else {
        return Ok(None);
    };
    let principal = match &key.owner {
        KeyOwner::Root => Principal::root(&key.account, Some(key.id.clone())),
        KeyOwner::User { id } => match users::find_by_id(tx, &key.account, id)? {
            Some(u) => Principal::user(&key.account, &u.name, &u.path, &u.id, Some(key.id.clone())),
            None => return Ok(None),
        },
    };
    let secret = master.open(&key.secret, &key.id).ok_or_else(|| {
        IamError::internal(format!(
            "the secret of access key {} does not open with this master key",
            key.id
        ))
    })?;
    Ok(Some(Credential {
        principal,
        secret,
        active: key.status == "Active",
    }))
}
