//! What authorization needs from the store: the policies that apply to a principal, and the
//! resource a request acts on (its ARN, which contains its path, and its tags).

use iamd_store::Tx;

use crate::entities::Kind;
use crate::policies::{self, Managed};
use crate::records::{self, Group, Tag};
use crate::{IamError, Principal, PrincipalKind, inline, keys, roles, users};

/// A policy document and the ID it is reported under (a managed policy's ARN, or
/// `user/NAME/inline/POLICY`-like names for inline policies).
#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub document: String,
}

/// Every policy that applies to a principal, before compilation.
#[derive(Debug, Clone, Default)]
pub struct PolicySources {
    pub identity: Vec<Source>,
    pub boundary: Option<Source>,
    /// Session policies of a role or federated session (`Some(empty)` grants nothing).
    pub session: Option<Vec<Source>>,
    /// The principal's tags (`aws:PrincipalTag/…`).
    pub principal_tags: Vec<Tag>,
}

fn entity_policies(
    tx: &mut dyn Tx,
    account: &str,
    kind: Kind,
    id: &str,
    name: &str,
    out: &mut Vec<Source>,
) -> Result<(), IamError> {
    for p in inline::all(tx, account, kind, id)? {
        out.push(Source {
            id: format!("{}/{name}/{}", kind.as_str(), p.name),
            document: p.document,
        });
    }
    for arn in policies::attached_arns(tx, account, kind, id)? {
        if let Some(m) = policies::resolve_existing(tx, account, &arn)? {
            out.push(Source {
                document: m.document(tx, account)?,
                id: arn,
            });
        }
    }
    Ok(())
}

fn boundary(tx: &mut dyn Tx, account: &str, arn: Option<&str>) -> Result<Option<Source>, IamError> {
    let Some(arn) = arn else {
        return Ok(None);
    };
    match policies::resolve_existing(tx, account, arn)? {
        Some(m) => Ok(Some(Source {
            document: m.document(tx, account)?,
            id: arn.to_string(),
        })),
        // A boundary whose policy is gone allows nothing: an empty boundary document.
        None => Ok(Some(Source {
            id: arn.to_string(),
            document: r#"{"Version":"2012-10-17","Statement":[]}"#.to_string(),
        })),
    }
}

/// The policies of an IAM user: its own, its groups', and its boundary.
pub fn user_sources(
    tx: &mut dyn Tx,
    account: &str,
    user_name: &str,
) -> Result<PolicySources, IamError> {
    let user = users::find(tx, account, user_name)?;
    let mut identity = Vec::new();
    entity_policies(tx, account, Kind::User, &user.id, &user.name, &mut identity)?;
    let prefix = keys::user_groups(account, &user.id);
    for (k, _) in tx.scan(&prefix, None, usize::MAX)? {
        let gid = keys::last_segment(&k).to_string();
        let Some(lname) = tx.get(&keys::group_id(&gid))? else {
            continue;
        };
        let lname = String::from_utf8_lossy(&lname).into_owned();
        if let Some(g) = records::get::<Group>(tx, &keys::group(account, &lname))? {
            entity_policies(tx, account, Kind::Group, &g.id, &g.name, &mut identity)?;
        }
    }
    Ok(PolicySources {
        identity,
        boundary: boundary(tx, account, user.permissions_boundary.as_deref())?,
        session: None,
        principal_tags: user.tags,
    })
}

/// The policies of a role (for its sessions).
pub fn role_sources(
    tx: &mut dyn Tx,
    account: &str,
    role_name: &str,
) -> Result<PolicySources, IamError> {
    let role = roles::find(tx, account, role_name)?;
    let mut identity = Vec::new();
    entity_policies(tx, account, Kind::Role, &role.id, &role.name, &mut identity)?;
    Ok(PolicySources {
        identity,
        boundary: boundary(tx, account, role.permissions_boundary.as_deref())?,
        session: None,
        principal_tags: role.tags,
    })
}

/// The policies of whoever signed the request (root has none: it is never evaluated). A
/// session acts with its role's or its issuing user's *current* policies, so removing them
/// revokes the session at once, limited by the session's own policies.
pub fn sources_for(tx: &mut dyn Tx, principal: &Principal) -> Result<PolicySources, IamError> {
    let account = principal.account.as_str();
    let mut sources = match &principal.kind {
        PrincipalKind::User { name, .. } => user_sources(tx, account, name)?,
        PrincipalKind::AssumedRole { role_name, .. } => role_sources(tx, account, role_name)?,
        PrincipalKind::FederatedUser { issuer_name, .. } => user_sources(tx, account, issuer_name)?,
        PrincipalKind::Root => PolicySources::default(),
    };
    if let Some(s) = &principal.session {
        let restricted = matches!(principal.kind, PrincipalKind::FederatedUser { .. })
            || s.policy.is_some()
            || !s.policy_arns.is_empty();
        if restricted {
            let mut session = Vec::new();
            if let Some(doc) = &s.policy {
                session.push(Source {
                    id: "session-policy".to_string(),
                    document: doc.clone(),
                });
            }
            for arn in &s.policy_arns {
                if let Some(m) = policies::resolve_existing(tx, account, arn)? {
                    session.push(Source {
                        document: m.document(tx, account)?,
                        id: arn.clone(),
                    });
                }
            }
            sources.session = Some(session);
        }
        // Session tags override the role's tags of the same key.
        for t in &s.tags {
            sources
                .principal_tags
                .retain(|p| !p.key.eq_ignore_ascii_case(&t.key));
            sources.principal_tags.push(Tag {
                key: t.key.clone(),
                value: t.value.clone(),
            });
        }
    }
    Ok(sources)
}

/// A resource as authorization sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceInfo {
    pub path: String,
    pub tags: Vec<Tag>,
}

/// Looks up the entity of `kind` (`user`, `group`, `role`, `instance-profile`, `policy`) named
/// `name`, for its path and tags. `None` when it does not exist (the ARN is then formed with
/// the default path `/`, as AWS does for entities being created).
pub fn resource(
    tx: &mut dyn Tx,
    account: &str,
    kind: &str,
    name: &str,
) -> Result<Option<ResourceInfo>, IamError> {
    let info = match kind {
        "user" => {
            records::get::<records::User>(tx, &keys::user(account, name))?.map(|u| ResourceInfo {
                path: u.path,
                tags: u.tags,
            })
        }
        "group" => records::get::<Group>(tx, &keys::group(account, name))?.map(|g| ResourceInfo {
            path: g.path,
            tags: Vec::new(),
        }),
        "role" => {
            records::get::<records::Role>(tx, &keys::role(account, name))?.map(|r| ResourceInfo {
                path: r.path,
                tags: r.tags,
            })
        }
        "instance-profile" => {
            records::get::<records::InstanceProfile>(tx, &keys::instance_profile(account, name))?
                .map(|i| ResourceInfo {
                    path: i.path,
                    tags: i.tags,
                })
        }
        _ => None,
    };
    Ok(info)
}

/// The tags of a managed policy named by ARN (for `aws:ResourceTag` on policy actions).
pub fn policy_tags(tx: &mut dyn Tx, account: &str, arn: &str) -> Result<Vec<Tag>, IamError> {
    match policies::resolve_existing(tx, account, arn)? {
        Some(Managed::Local(p)) => Ok(p.tags),
        Some(Managed::Aws(_)) | None => Ok(Vec::new()),
    }
}

/// The name of the user owning access key `id` in `account`, if any.
pub fn access_key_owner(
    tx: &mut dyn Tx,
    account: &str,
    id: &str,
) -> Result<Option<String>, IamError> {
    let Some(key) = records::get::<records::AccessKey>(tx, &keys::access_key(id))? else {
        return Ok(None);
    };
    if key.account != account {
        return Ok(None);
    }
    match key.owner {
        records::KeyOwner::User { id } => Ok(users::find_by_id(tx, account, &id)?.map(|u| u.name)),
        records::KeyOwner::Root => Ok(None),
    }
}
