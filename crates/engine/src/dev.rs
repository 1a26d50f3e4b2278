//! Local testing mode (`--dev`): accounts on demand, and the reset between tests.

use std::sync::Arc;

use time::OffsetDateTime;

use iamd_iam::{IamError, accounts};
use iamd_wire::ApiError;

use crate::Engine;

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

impl Engine {
    /// The account an unknown access key acts as root of in dev mode: the 12-digit account it
    /// names (created on first use), or the default account.
    pub async fn account_for_unknown_key(
        self: &Arc<Engine>,
        key_id: &str,
    ) -> Result<String, IamError> {
        if !is_account_id(key_id) || key_id == self.config.default_account {
            return Ok(self.config.default_account.clone());
        }
        let engine = self.clone();
        let id = key_id.to_string();
        tokio::task::spawn_blocking(move || {
            let exists = iamd_store::read(engine.store.as_ref(), |tx| {
                Ok::<_, IamError>(tx.get(&iamd_iam::keys::account(&id))?.is_some())
            })?;
            if !exists {
                iamd_store::write(engine.store.as_ref(), |tx| {
                    accounts::ensure(tx, &id, OffsetDateTime::now_utc())
                })?;
            }
            Ok::<_, IamError>(id)
        })
        .await
        .map_err(|_| IamError::from(ApiError::service_failure()))?
    }

    /// Every account back to the state of a first start, with the same default account ID and
    /// root key (dev mode's `/_iamd/reset`). Blocking.
    pub fn reset(&self) -> Result<(), String> {
        self.audit.flush();
        self.store.wipe().map_err(|e| e.to_string())?;
        let root = self
            .config
            .dev_root_key
            .as_ref()
            .map(|(i, s)| (i.as_str(), s.as_str()));
        accounts::bootstrap_with(
            self.store.as_ref(),
            &self.master,
            Some(&self.config.default_account),
            root,
            OffsetDateTime::now_utc(),
        )
        .map(|_| ())
        .map_err(|e| e.to_string())?;
        self.reload_ring().map(|_| ())
    }
}
