//! Service-linked roles: roles an AWS service defines (name, trust, permissions) and IAM
//! creates on request, under the path `/aws-service-role/SERVICE/`. The table of services is
//! data (`data/service_linked_roles.tsv`, checked by `tools/service_linked_roles.py`).
//!
//! Such a role is protected: its trust policy, permissions and boundary cannot be changed and it
//! cannot be deleted with `DeleteRole` (AWS's `UnmodifiableEntity`), only its description and
//! tags. `DeleteServiceLinkedRole` starts a deletion task; iamd runs no service that could still
//! use the role, so the task succeeds at once and `GetServiceLinkedRoleDeletionStatus` reports
//! `SUCCEEDED`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::entities::{Entity, Kind};
use crate::records::{self, Role};
use crate::users::required;
use crate::{Ctx, EntityKind, IamError, Quota, accounts, ids, keys, roles};

const TABLE: &str = include_str!("../data/service_linked_roles.tsv");

/// The path prefix of every service-linked role.
pub const PATH_PREFIX: &str = "/aws-service-role/";

/// One service's role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRole {
    pub service: &'static str,
    pub role_name: &'static str,
    pub policy: &'static str,
    pub custom_suffix: bool,
    /// What the role is for, as the service documents it.
    pub description: &'static str,
}

impl ServiceRole {
    pub fn policy_arn(&self) -> String {
        format!("arn:aws:iam::aws:policy/aws-service-role/{}", self.policy)
    }
    pub fn path(&self) -> String {
        format!("{PATH_PREFIX}{}/", self.service)
    }
}

/// Every service in the table.
pub fn services() -> impl Iterator<Item = ServiceRole> {
    TABLE
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut c = l.split('\t');
            Some(ServiceRole {
                service: c.next()?,
                role_name: c.next()?,
                policy: c.next()?,
                custom_suffix: c.next()? == "yes",
                description: c.next()?,
            })
        })
}

pub fn service(name: &str) -> Option<ServiceRole> {
    services().find(|s| s.service == name)
}

/// The ARN of the role `CreateServiceLinkedRole` would create (for authorization), when the
/// service is known.
pub fn role_arn_for(account: &str, service_name: &str, suffix: Option<&str>) -> Option<String> {
    let s = service(service_name)?;
    let name = match suffix {
        Some(x) => format!("{}_{x}", s.role_name),
        None => s.role_name.to_string(),
    };
    Some(roles::role_arn(account, &s.path(), &name))
}

/// The ARN of the role a deletion task ID names
/// (`task/aws-service-role/SERVICE/ROLE/UUID`).
pub fn role_arn_of_task(account: &str, task: &str) -> Option<String> {
    let rest = task.strip_prefix("task/aws-service-role/")?;
    let mut parts = rest.split('/');
    let (service, role) = (parts.next()?, parts.next()?);
    Some(roles::role_arn(
        account,
        &format!("{PATH_PREFIX}{service}/"),
        role,
    ))
}

/// Whether a role is service-linked (its path is reserved for them).
pub fn is_service_linked(path: &str) -> bool {
    path.starts_with(PATH_PREFIX)
}

fn protected(name: &str) -> IamError {
    IamError::UnmodifiableEntity {
        message: format!(
            "Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS"
        ),
    }
}

/// Refuses changing or deleting a service-linked role through the ordinary operations.
pub fn ensure_modifiable(e: &Entity) -> Result<(), IamError> {
    if e.kind == Kind::Role && is_service_linked(&e.path) {
        return Err(protected(&e.name));
    }
    Ok(())
}

/// As [`ensure_modifiable`], for a role record.
pub fn ensure_role_modifiable(r: &Role) -> Result<(), IamError> {
    if is_service_linked(&r.path) {
        return Err(protected(&r.name));
    }
    Ok(())
}

/// CreateRole may not use the reserved path.
pub fn ensure_path_not_reserved(path: &str) -> Result<(), IamError> {
    if is_service_linked(path) {
        return Err(IamError::invalid_input(format!(
            "The path {PATH_PREFIX} is reserved for service-linked roles; use CreateServiceLinkedRole."
        )));
    }
    Ok(())
}

fn trust_policy(service: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": [service]},
            "Action": ["sts:AssumeRole"],
        }],
    })
    .to_string()
}

pub fn create_service_linked_role(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let name = required(p, "AWSServiceName")?;
    let s = service(name).ok_or_else(|| {
        IamError::invalid_input(format!(
            "Service {name} is not supported for service-linked roles."
        ))
    })?;
    let role_name = match p.str("CustomSuffix") {
        None => s.role_name.to_string(),
        Some(_) if !s.custom_suffix => {
            return Err(IamError::invalid_input(format!(
                "Custom suffix is not allowed for {name}"
            )));
        }
        Some(suffix) => format!("{}_{suffix}", s.role_name),
    };
    if role_name.len() > 64 {
        return Err(IamError::invalid_input(format!(
            "The role name {role_name} is longer than 64 characters."
        )));
    }
    if tx.get(&keys::role(ctx.account, &role_name))?.is_some() {
        return Err(IamError::invalid_input(format!(
            "Service role name {role_name} has been taken in this account, please try a different suffix."
        )));
    }
    let mut account = accounts::get(tx, ctx.account)?;
    if account.roles >= roles::ROLES_PER_ACCOUNT {
        return Err(IamError::limit_exceeded(
            Quota::RolesPerAccount,
            roles::ROLES_PER_ACCOUNT as usize,
        ));
    }
    let role = Role {
        id: ids::unique_id("AROA")?,
        name: role_name.clone(),
        path: s.path(),
        created: ctx.now,
        assume_role_policy: trust_policy(s.service),
        // AWS sets a description only when the request gives one (Terraform plans against
        // that); the table's text is the service's documentation of the role.
        description: p.str("Description").map(str::to_string),
        max_session_duration: 3600,
        permissions_boundary: None,
        tags: Vec::new(),
        last_used: None,
    };
    records::put(tx, &keys::role(ctx.account, &role.name), &role)?;
    tx.put(&keys::role_id(&role.id), keys::lower(&role.name).as_bytes())?;
    let arn = s.policy_arn();
    tx.put(&keys::attached(ctx.account, "role", &role.id, &arn), b"")?;
    tx.put(&keys::attachment(ctx.account, &arn, "role", &role.id), b"")?;
    account.roles += 1;
    accounts::put(tx, &account)?;
    let mut v = roles::to_value(ctx.account, &role, false);
    if let Value::Struct(m) = &mut v {
        m.retain(|(k, _)| k != "MaxSessionDuration");
    }
    Ok(Value::object().with("Role", v))
}

/// A deletion task, kept so its status can be asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DeletionTask {
    id: String,
    role: String,
    status: String,
    #[serde(with = "time::serde::rfc3339")]
    created: OffsetDateTime,
}

fn task_key(account: &str, id: &str) -> Vec<u8> {
    format!("slrtask/{account}/{}", id.replace('/', "|")).into_bytes()
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

pub fn delete_service_linked_role(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let name = required(p, "RoleName")?;
    let role = roles::find(tx, ctx.account, name)?;
    let Some(service) = role
        .path
        .strip_prefix(PATH_PREFIX)
        .map(|s| s.trim_end_matches('/').to_string())
    else {
        return Err(IamError::invalid_input(format!(
            "Role {name} is not a service-linked role."
        )));
    };
    // The role's attachments (its service's managed policy) go with it; it has no inline
    // policies, instance profiles or boundary (the ordinary operations refuse them).
    for arn in crate::policies::attached_arns(tx, ctx.account, Kind::Role, &role.id)? {
        tx.delete(&keys::attached(ctx.account, "role", &role.id, &arn))?;
        tx.delete(&keys::attachment(ctx.account, &arn, "role", &role.id))?;
    }
    tx.delete(&keys::role(ctx.account, &role.name))?;
    tx.delete(&keys::role_id(&role.id))?;
    let mut account = accounts::get(tx, ctx.account)?;
    account.roles = account.roles.saturating_sub(1);
    accounts::put(tx, &account)?;
    let id = format!("task/aws-service-role/{service}/{}/{}", role.name, uuid()?);
    let task = DeletionTask {
        id: id.clone(),
        role: role.name,
        status: "SUCCEEDED".into(),
        created: ctx.now,
    };
    records::put(tx, &task_key(ctx.account, &id), &task)?;
    Ok(Value::object().with("DeletionTaskId", id))
}

pub fn get_service_linked_role_deletion_status(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let id = required(p, "DeletionTaskId")?;
    if !id.starts_with("task/aws-service-role/") {
        return Err(IamError::invalid_input(format!(
            "Invalid deletion task id: {id}"
        )));
    }
    let task: DeletionTask = records::get(tx, &task_key(ctx.account, id))?.ok_or_else(|| {
        IamError::no_such_entity(
            EntityKind::DeletionTask,
            id,
            format!("Deletion task {id} cannot be found."),
        )
    })?;
    Ok(Value::object().with("Status", task.status))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests
    use super::*;
    use crate::testing::World;

    fn s<'v>(v: &'v Value, k: &str) -> &'v str {
        v.get(k).and_then(Value::as_str).unwrap_or_default()
    }

    #[test]
    fn the_table_names_managed_policies_that_exist() {
        let all: Vec<_> = services().collect();
        assert!(all.len() >= 40);
        for s in &all {
            let p = crate::aws_policies::by_arn(&s.policy_arn())
                .unwrap_or_else(|| panic!("{} has no policy {}", s.service, s.policy));
            assert_eq!(p.path, "/aws-service-role/", "{}", s.service);
            assert!(s.role_name.starts_with("AWSServiceRoleFor"));
        }
    }

    #[test]
    fn create_protect_delete() {
        let w = World::new();
        let r = w
            .call(
                create_service_linked_role,
                &[("AWSServiceName", "elasticloadbalancing.amazonaws.com")],
            )
            .unwrap();
        let r = r.get("Role").unwrap();
        assert_eq!(s(r, "RoleName"), "AWSServiceRoleForElasticLoadBalancing");
        assert_eq!(
            s(r, "Path"),
            "/aws-service-role/elasticloadbalancing.amazonaws.com/"
        );
        assert_eq!(
            s(r, "Arn"),
            "arn:aws:iam::123456789012:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
        );
        let attached = w
            .call(
                crate::policies::list_attached_role_policies,
                &[("RoleName", "AWSServiceRoleForElasticLoadBalancing")],
            )
            .unwrap();
        let list = attached.get("AttachedPolicies").unwrap().as_list().unwrap();
        assert_eq!(
            s(&list[0], "PolicyArn"),
            "arn:aws:iam::aws:policy/aws-service-role/AWSElasticLoadBalancingServiceRolePolicy"
        );
        // A second one, and a suffix the service does not allow, are refused.
        for extra in [vec![], vec![("CustomSuffix", "x")]] {
            let mut pairs = vec![("AWSServiceName", "elasticloadbalancing.amazonaws.com")];
            pairs.extend(extra);
            let e = w
                .call(create_service_linked_role, &pairs)
                .unwrap_err()
                .to_api();
            assert_eq!(e.code, "InvalidInput");
        }
        // Ordinary operations cannot touch it.
        let role = [("RoleName", "AWSServiceRoleForElasticLoadBalancing")];
        let e = w.call(roles::delete_role, &role).unwrap_err().to_api();
        assert_eq!(e.code, "UnmodifiableEntity");
        let e = w
            .call(
                crate::policies::detach_role_policy,
                &[
                    role[0],
                    (
                        "PolicyArn",
                        "arn:aws:iam::aws:policy/aws-service-role/AWSElasticLoadBalancingServiceRolePolicy",
                    ),
                ],
            )
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "UnmodifiableEntity");
        // Its description can be edited.
        w.call(
            roles::update_role_description,
            &[role[0], ("Description", "mine")],
        )
        .unwrap();
        let d = w.call(delete_service_linked_role, &role).unwrap();
        let id = s(&d, "DeletionTaskId");
        assert!(id.starts_with(
            "task/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing/"
        ));
        let st = w
            .call(
                get_service_linked_role_deletion_status,
                &[("DeletionTaskId", id)],
            )
            .unwrap();
        assert_eq!(s(&st, "Status"), "SUCCEEDED");
        assert!(w.call(roles::get_role, &role).is_err());
    }

    #[test]
    fn custom_suffixes_where_allowed() {
        let w = World::new();
        let r = w
            .call(
                create_service_linked_role,
                &[
                    ("AWSServiceName", "autoscaling.amazonaws.com"),
                    ("CustomSuffix", "fleet"),
                    ("Description", "for the fleet"),
                ],
            )
            .unwrap();
        let r = r.get("Role").unwrap();
        assert_eq!(s(r, "RoleName"), "AWSServiceRoleForAutoScaling_fleet");
        assert_eq!(s(r, "Description"), "for the fleet");
        w.call(
            create_service_linked_role,
            &[("AWSServiceName", "autoscaling.amazonaws.com")],
        )
        .unwrap();
        let e = w
            .call(
                create_service_linked_role,
                &[("AWSServiceName", "nothing.amazonaws.com")],
            )
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "InvalidInput");
        let e = w
            .call(
                roles::create_role,
                &[
                    ("RoleName", "sneaky"),
                    ("Path", "/aws-service-role/x/"),
                    (
                        "AssumeRolePolicyDocument",
                        &trust_policy("ec2.amazonaws.com"),
                    ),
                ],
            )
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "InvalidInput");
    }
}
