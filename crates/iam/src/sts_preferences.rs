//! `SetSecurityTokenServicePreferences`: which session tokens the global STS endpoint issues
//! (`v1Token`, valid only in Regions enabled by default; `v2Token`, valid in all Regions).
//! iamd's tokens are the same either way; the preference is kept per account and reported as
//! `GlobalEndpointTokenVersion` (1 or 2) in `GetAccountSummary`, as AWS does.

use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::users::required;
use crate::{Ctx, IamError};

fn key(account: &str) -> Vec<u8> {
    format!("stsprefs/{account}").into_bytes()
}

/// The account's global endpoint token version: 1 unless set to `v2Token`.
pub fn global_endpoint_token_version(tx: &mut dyn Tx, account: &str) -> Result<i64, IamError> {
    Ok(match tx.get(&key(account))? {
        Some(v) if v == b"v2Token" => 2,
        _ => 1,
    })
}

pub fn set_security_token_service_preferences(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let version = required(p, "GlobalEndpointTokenVersion")?;
    if version != "v1Token" && version != "v2Token" {
        return Err(IamError::validation(
            "1 validation error detected: Value at 'globalEndpointTokenVersion' failed to satisfy constraint: Member must satisfy enum value set: [v1Token, v2Token]",
        ));
    }
    tx.put(&key(ctx.account), version.as_bytes())?;
    Ok(Value::object())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests
    use super::*;
    use crate::testing::World;

    fn summary_version(w: &World) -> i64 {
        let s = w.call(crate::account::get_account_summary, &[]).unwrap();
        match s.get("SummaryMap") {
            Some(Value::Map(m)) => m
                .iter()
                .find(|(k, _)| k == "GlobalEndpointTokenVersion")
                .and_then(|(_, v)| v.as_int())
                .unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_preference_shows_in_the_summary() {
        let w = World::new();
        assert_eq!(summary_version(&w), 1);
        let set = |v| {
            w.call(
                set_security_token_service_preferences,
                &[("GlobalEndpointTokenVersion", v)],
            )
        };
        set("v2Token").unwrap();
        assert_eq!(summary_version(&w), 2);
        set("v1Token").unwrap();
        assert_eq!(summary_version(&w), 1);
        assert!(set("v3Token").is_err());
    }
}
