//! Role credentials for a metadata agent: the signer must be allowed `iam:PassRole` on the role
//! for `ec2.amazonaws.com` (as when launching an instance with a profile), and the role must
//! trust `ec2.amazonaws.com` and belong to an instance profile.

use time::OffsetDateTime;

use iamd_iam::{IamError, Principal};
use iamd_wire::{Operation, Params, Value};

use crate::audit::Draft;
use crate::authorize::{Authz, pass_role};
use crate::{Engine, RequestFacts, table};

pub fn credentials(
    engine: &Engine,
    caller: &Principal,
    op: &Operation,
    input: &Params,
    facts: &RequestFacts,
    draft: &Draft,
    now: OffsetDateTime,
) -> Result<Value, IamError> {
    let ring = engine.sealing_ring();
    let role_arn = input.str("RoleArn").unwrap_or_default().to_string();
    let entry = table::entry("AssumeRoleForInstance")
        .ok_or_else(|| IamError::from(iamd_wire::ApiError::service_failure()))?;
    let epochs = (engine.policies.epoch(), engine.resources.epoch());
    let r = engine.transact_write(draft, &mut |tx| {
        let a = Authz {
            caller,
            entry,
            op,
            params: input,
            facts,
            now,
            policy_epoch: epochs.0,
            resource_epoch: epochs.1,
        };
        let v = pass_role(engine, tx, &a, &role_arn, "ec2.amazonaws.com")?;
        draft.set_decision(v.clone());
        if let Some(e) = v.error {
            return Err(e.into());
        }
        iamd_sts::assume_role_for_instance(tx, &ring, now, input, &caller.arn)
    });
    if r.is_ok() {
        engine.metrics.token_issued();
    }
    r
}
