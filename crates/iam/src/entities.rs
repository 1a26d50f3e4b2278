//! Users, groups and roles as holders of policies (inline, attached, boundary).

use iamd_store::Tx;
use iamd_wire::Params;

use crate::{Ctx, EntityKind, IamError, groups, roles, users};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
    Role,
}

impl Kind {
    /// The key segment for this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
        }
    }
    /// The request parameter naming the entity.
    pub fn param(self) -> &'static str {
        match self {
            Kind::User => "UserName",
            Kind::Group => "GroupName",
            Kind::Role => "RoleName",
        }
    }
    /// As errors name it.
    pub fn entity_kind(self) -> EntityKind {
        match self {
            Kind::User => EntityKind::User,
            Kind::Group => EntityKind::Group,
            Kind::Role => EntityKind::Role,
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
            Kind::Role => "Role",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "user" => Some(Kind::User),
            "group" => Some(Kind::Group),
            "role" => Some(Kind::Role),
            _ => None,
        }
    }
}

/// An entity found by name.
#[derive(Debug, Clone)]
pub struct Entity {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    pub path: String,
}

pub fn find(tx: &mut dyn Tx, account: &str, kind: Kind, name: &str) -> Result<Entity, IamError> {
    let (id, name, path) = match kind {
        Kind::User => {
            let u = users::find(tx, account, name)?;
            (u.id, u.name, u.path)
        }
        Kind::Group => {
            let g = groups::find(tx, account, name)?;
            (g.id, g.name, g.path)
        }
        Kind::Role => {
            let r = roles::find(tx, account, name)?;
            (r.id, r.name, r.path)
        }
    };
    Ok(Entity {
        kind,
        id,
        name,
        path,
    })
}

/// The entity named by the request's `UserName`/`GroupName`/`RoleName`.
pub fn from_params(tx: &mut dyn Tx, ctx: &Ctx, kind: Kind, p: &Params) -> Result<Entity, IamError> {
    let name = p.str(kind.param()).ok_or_else(|| {
        IamError::validation(format!(
            "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(kind.param())
        ))
    })?;
    find(tx, ctx.account, kind, name)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The entity with this unique ID, if it still exists.
pub fn by_id(
    tx: &mut dyn Tx,
    account: &str,
    kind: Kind,
    id: &str,
) -> Result<Option<Entity>, IamError> {
    let index = match kind {
        Kind::User => crate::keys::user_id(id),
        Kind::Group => crate::keys::group_id(id),
        Kind::Role => crate::keys::role_id(id),
    };
    let Some(lname) = tx.get(&index)? else {
        return Ok(None);
    };
    let lname = String::from_utf8_lossy(&lname).into_owned();
    match find(tx, account, kind, &lname) {
        Ok(e) => Ok(Some(e)),
        Err(e) if e.is_not_found(kind.entity_kind()) => Ok(None),
        Err(e) => Err(e),
    }
}
