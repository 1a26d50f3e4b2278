//! Evaluation of a request against the set of policies that applies to it,
//! following the IAM User Guide's "Policy evaluation logic" and
//! "Cross-account policy evaluation logic":
//!
//! 1. an explicit Deny in any policy (identity, resource, boundary, session) wins;
//! 2. same account: a resource-based policy that names the IAM user ARN, the
//!    role-session ARN or the federated-user ARN grants on its own (an implicit
//!    deny in a boundary or session policy does not limit it); a resource-based
//!    policy naming the role, a wildcard, a service, ... grants when the
//!    permissions boundary and session policies (if any) also allow; otherwise
//!    an identity-based Allow is needed, and the boundary and session policies
//!    (if any) must allow too; a resource policy naming only the account
//!    delegates to identity-based policies;
//! 3. cross-account: the identity side (identity ∧ boundary ∧ session) and the
//!    resource-based policy must both allow.

use crate::compiled::{CompiledPolicy, PrincipalMatch, Service, ServiceKey, StmtMatch};
use crate::context::{Context, ContextValue, Scalar};
use crate::document::{Effect, Position};
use std::sync::Arc;

/// The kind of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// The account's root user.
    Root,
    /// An IAM user.
    User,
    /// A role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    AssumedRole,
    /// A federated user session (GetFederationToken).
    FederatedUser,
    /// A web-identity or SAML caller (matched by `Federated` principals).
    Federated,
    /// An AWS service.
    Service,
    /// An unauthenticated caller.
    Anonymous,
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The caller's ARN (user ARN, session ARN, ...).
    pub arn: String,
    /// The caller's account ID.
    pub account: String,
    /// The caller's kind.
    pub principal_type: PrincipalType,
    /// For role sessions: the role's ARN with its path (what `"AWS": ROLE_ARN` names).
    pub role_arn: Option<String>,
    /// The user's or role's unique ID (AIDA..., AROA...).
    pub unique_id: Option<String>,
    /// For service principals: `ec2.amazonaws.com`, ...
    pub service: Option<String>,
    /// For federated callers: the provider (`accounts.google.com`, a SAML provider ARN, ...).
    pub federated_provider: Option<String>,
    /// Canonical user ID, if any.
    pub canonical_user: Option<String>,
}

fn account_from_arn(arn: &str) -> String {
    crate::wildcard::arn_parts(arn)[4].to_string()
}

impl Principal {
    fn base(arn: &str, t: PrincipalType) -> Principal {
        Principal {
            arn: arn.to_string(),
            account: account_from_arn(arn),
            principal_type: t,
            role_arn: None,
            unique_id: None,
            service: None,
            federated_provider: None,
            canonical_user: None,
        }
    }
    /// An IAM user, from its ARN.
    pub fn user(arn: &str) -> Principal {
        Principal::base(arn, PrincipalType::User)
    }
    /// A role session: the session ARN and the role ARN (with path).
    pub fn assumed_role(session_arn: &str, role_arn: &str) -> Principal {
        let mut p = Principal::base(session_arn, PrincipalType::AssumedRole);
        p.role_arn = Some(role_arn.to_string());
        p
    }
    /// A federated-user session.
    pub fn federated_user(arn: &str) -> Principal {
        Principal::base(arn, PrincipalType::FederatedUser)
    }
    /// The root user of an account.
    pub fn root(account: &str) -> Principal {
        Principal::base(&format!("arn:aws:iam::{account}:root"), PrincipalType::Root)
    }
    /// An AWS service principal.
    pub fn service(name: &str) -> Principal {
        let mut p = Principal::base(name, PrincipalType::Service);
        p.account = String::new();
        p.service = Some(name.to_string());
        p
    }
    /// A web-identity or SAML caller of `provider`, for trust policies.
    pub fn federated(provider: &str, account: &str) -> Principal {
        let mut p = Principal::base(provider, PrincipalType::Federated);
        p.account = account.to_string();
        p.federated_provider = Some(provider.to_string());
        p
    }
    /// An anonymous caller.
    pub fn anonymous() -> Principal {
        let mut p = Principal::base("*", PrincipalType::Anonymous);
        p.account = String::new();
        p
    }
    /// Best-effort principal from an ARN (users, role sessions, federated
    /// users, root; for a role session the role ARN is derived without path).
    pub fn from_arn(arn: &str) -> Principal {
        let parts = crate::wildcard::arn_parts(arn);
        let res = parts[5];
        if parts[2] == "sts" {
            if let Some(rest) = res.strip_prefix("assumed-role/") {
                let role = rest.split('/').next().unwrap_or("");
                let role_arn = format!("arn:{}:iam::{}:role/{}", parts[1], parts[4], role);
                return Principal::assumed_role(arn, &role_arn);
            }
            if res.starts_with("federated-user/") {
                return Principal::federated_user(arn);
            }
        }
        if parts[2] == "iam" && res == "root" {
            return Principal::base(arn, PrincipalType::Root);
        }
        if parts[2] == "iam" && res.starts_with("role/") {
            // A role ARN used as caller: treat as a session of that role.
            return Principal::assumed_role(arn, arn);
        }
        Principal::user(arn)
    }
}

/// One request to authorize.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Who.
    pub principal: &'a Principal,
    /// `service:Action`, e.g. `iam:CreateUser` (case-insensitive).
    pub action: &'a str,
    /// The resource ARN (or `*`).
    pub resource: &'a str,
    /// Condition keys.
    pub context: &'a Context,
}

/// The policies that apply to a request.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// Identity-based policies (user, its groups, or the role), inline and managed.
    pub identity: Vec<Arc<CompiledPolicy>>,
    /// The permissions boundary, if the user or role has one.
    pub permissions_boundary: Option<Arc<CompiledPolicy>>,
    /// Session policies of a role or federated-user session (`Some(vec![])`
    /// means a session whose policies grant nothing).
    pub session: Option<Vec<Arc<CompiledPolicy>>>,
    /// The resource-based policy (bucket policy, trust policy, ...).
    pub resource: Option<Arc<CompiledPolicy>>,
    /// The account owning the resource; `None` means the caller's account.
    pub resource_owner: Option<String>,
}

/// The kind of policy a statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// Identity-based policy.
    Identity,
    /// Resource-based policy.
    Resource,
    /// Permissions boundary.
    PermissionsBoundary,
    /// Session policy.
    Session,
}

impl PolicyType {
    /// How AWS names it in AccessDenied messages.
    pub fn phrase(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity-based policy",
            PolicyType::Resource => "resource-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session policy",
        }
    }
}

/// The final decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Allowed.
    Allowed,
    /// Denied by a Deny statement.
    ExplicitDeny,
    /// Denied because nothing (or not every required policy type) allowed it.
    ImplicitDeny,
}

impl Decision {
    /// AWS's name (`allowed`, `explicitDeny`, `implicitDeny`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::ImplicitDeny => "implicitDeny",
        }
    }
}

/// A statement that took part in the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedStatement {
    /// Which kind of policy.
    pub policy_type: PolicyType,
    /// The policy's id.
    pub policy_id: Arc<str>,
    /// Statement index in the policy, from 0.
    pub statement_index: usize,
    /// Its Sid.
    pub sid: Option<Arc<str>>,
    /// Its Effect.
    pub effect: Effect,
    /// Where it starts in the policy text.
    pub start: Position,
    /// Just after its end.
    pub end: Position,
}

/// What one policy type said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Outcome {
    /// No policy of this type applies.
    #[default]
    Absent,
    /// Policies exist but none matched.
    NoMatch,
    /// An Allow matched (and no Deny).
    Allow,
    /// A Deny matched.
    Deny,
}

/// The outcome of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalResult {
    /// The decision.
    pub decision: Decision,
    /// The statements that decided: the Deny statements for an explicit
    /// deny, the Allow statements that granted for an allow, none for an
    /// implicit deny.
    pub matched: Vec<MatchedStatement>,
    /// For an implicit deny: the policy type that did not allow.
    pub denied_by: Option<PolicyType>,
    /// Context keys referenced by applicable statements but absent.
    pub missing_context_keys: Vec<String>,
    /// True when the resource belongs to another account.
    pub cross_account: bool,
    /// Identity-based policies' outcome.
    pub identity: Outcome,
    /// Resource-based policy's outcome.
    pub resource: Outcome,
    /// Permissions boundary's outcome.
    pub boundary: Outcome,
    /// Session policies' outcome.
    pub session: Outcome,
}

impl EvalResult {
    /// True when allowed.
    pub fn is_allowed(&self) -> bool {
        self.decision == Decision::Allowed
    }

    /// The end of AWS's AccessDenied message, e.g. `because no
    /// identity-based policy allows the iam:CreateUser action` or `with an
    /// explicit deny in a permissions boundary`. `None` when allowed.
    pub fn denial_reason(&self, action: &str) -> Option<String> {
        match self.decision {
            Decision::Allowed => None,
            Decision::ExplicitDeny => {
                let t = self
                    .matched
                    .first()
                    .map(|m| m.policy_type)
                    .unwrap_or(PolicyType::Identity);
                let article = if t == PolicyType::Identity { "an" } else { "a" };
                Some(format!("with an explicit deny in {article} {}", t.phrase()))
            }
            Decision::ImplicitDeny => {
                let t = self.denied_by.unwrap_or(PolicyType::Identity);
                Some(format!(
                    "because no {} allows the {action} action",
                    t.phrase()
                ))
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Hit<'p> {
    ptype: PolicyType,
    policy: &'p CompiledPolicy,
    stmt: usize,
    grant: Option<PrincipalMatch>,
}

struct Acc<'p> {
    hits: Vec<Hit<'p>>,
    missing: Vec<String>,
}

fn run<'p>(
    acc: &mut Acc<'p>,
    ptype: PolicyType,
    policy: &'p CompiledPolicy,
    service: &Service,
    name: &str,
    req: &Request,
) -> Outcome {
    let mut out = Outcome::NoMatch;
    let missing = &mut acc.missing;
    let hits = &mut acc.hits;
    let mut note = |k: &str| {
        if !missing.iter().any(|m| m.eq_ignore_ascii_case(k)) {
            missing.push(k.to_string());
        }
    };
    policy.candidates(service, |s| {
        if let StmtMatch::Yes(grant) = s.applies(
            service,
            name,
            req.resource,
            req.principal,
            req.context,
            &mut note,
        ) {
            hits.push(Hit {
                ptype,
                policy,
                stmt: s.index,
                grant,
            });
            match s.effect {
                Effect::Deny => out = Outcome::Deny,
                Effect::Allow => {
                    if out != Outcome::Deny {
                        out = Outcome::Allow;
                    }
                }
            }
        }
    });
    out
}

fn merge(a: Outcome, b: Outcome) -> Outcome {
    use Outcome::*;
    match (a, b) {
        (Deny, _) | (_, Deny) => Deny,
        (Allow, _) | (_, Allow) => Allow,
        (NoMatch, _) | (_, NoMatch) => NoMatch,
        _ => Absent,
    }
}

/// Evaluates a request against a policy set.
pub fn evaluate(req: &Request, set: &PolicySet) -> EvalResult {
    let (service_raw, name) = req.action.split_once(':').unwrap_or((req.action, ""));
    let mut buf = [0u8; 48];
    let lower_owned;
    let service: &str = if service_raw.len() <= buf.len() {
        let b = &mut buf[..service_raw.len()];
        b.copy_from_slice(service_raw.as_bytes());
        b.make_ascii_lowercase();
        std::str::from_utf8(b).unwrap_or("")
    } else {
        lower_owned = service_raw.to_ascii_lowercase();
        &lower_owned
    };
    let service = &Service {
        name: service,
        key: ServiceKey::new(service),
    };
    let mut acc = Acc {
        hits: Vec::new(),
        missing: Vec::new(),
    };
    let mut identity = Outcome::Absent;
    for p in &set.identity {
        let o = run(&mut acc, PolicyType::Identity, p, service, name, req);
        identity = merge(identity, o);
    }
    let boundary = match &set.permissions_boundary {
        Some(p) => run(
            &mut acc,
            PolicyType::PermissionsBoundary,
            p,
            service,
            name,
            req,
        ),
        None => Outcome::Absent,
    };
    let session = match &set.session {
        Some(list) => {
            let mut o = Outcome::NoMatch;
            for p in list {
                let r = run(&mut acc, PolicyType::Session, p, service, name, req);
                o = merge(o, r);
            }
            o
        }
        None => Outcome::Absent,
    };
    let resource = match &set.resource {
        Some(p) => run(&mut acc, PolicyType::Resource, p, service, name, req),
        None => Outcome::Absent,
    };
    // Services and anonymous callers have no identity side: only the
    // resource-based policy can grant them access.
    let has_identity_side = !matches!(
        req.principal.principal_type,
        PrincipalType::Service | PrincipalType::Anonymous
    );
    let cross_account = has_identity_side
        && set
            .resource_owner
            .as_deref()
            .is_some_and(|o| o != req.principal.account);

    let mut result = EvalResult {
        decision: Decision::ImplicitDeny,
        matched: Vec::new(),
        denied_by: None,
        missing_context_keys: std::mem::take(&mut acc.missing),
        cross_account,
        identity,
        resource,
        boundary,
        session,
    };
    let to_matched = |h: &Hit| {
        let s = h.policy.statements.get(h.stmt);
        MatchedStatement {
            policy_type: h.ptype,
            policy_id: h.policy.id().clone(),
            statement_index: h.stmt,
            sid: s.and_then(|s| s.sid.clone()),
            effect: s.map(|s| s.effect).unwrap_or(Effect::Allow),
            start: s.map(|s| s.start).unwrap_or_default(),
            end: s.map(|s| s.end).unwrap_or_default(),
        }
    };
    let effect_of = |h: &Hit| {
        h.policy
            .statements
            .get(h.stmt)
            .map(|s| s.effect)
            .unwrap_or(Effect::Deny)
    };

    // 1. Explicit deny anywhere.
    if [identity, boundary, session, resource].contains(&Outcome::Deny) {
        result.decision = Decision::ExplicitDeny;
        result.matched = acc
            .hits
            .iter()
            .filter(|h| effect_of(h) == Effect::Deny)
            .map(to_matched)
            .collect();
        return result;
    }
    let allows = |t: PolicyType, min: Option<PrincipalMatch>| {
        acc.hits.iter().filter(move |h| {
            h.ptype == t && effect_of(h) == Effect::Allow && (min.is_none() || h.grant >= min)
        })
    };
    let boundary_ok = boundary == Outcome::Absent || boundary == Outcome::Allow;
    let session_ok = session == Outcome::Absent || session == Outcome::Allow;
    let identity_ok = identity == Outcome::Allow && boundary_ok && session_ok;
    let first_missing = || {
        if identity != Outcome::Allow {
            PolicyType::Identity
        } else if !boundary_ok {
            PolicyType::PermissionsBoundary
        } else {
            PolicyType::Session
        }
    };
    let identity_side = || {
        allows(PolicyType::Identity, None)
            .chain(allows(PolicyType::PermissionsBoundary, None))
            .chain(allows(PolicyType::Session, None))
    };

    if cross_account {
        // 3. Both sides must allow.
        let res_ok = resource == Outcome::Allow;
        if identity_ok && res_ok {
            result.decision = Decision::Allowed;
            result.matched = identity_side()
                .chain(allows(PolicyType::Resource, None))
                .map(to_matched)
                .collect();
        } else {
            result.denied_by = Some(if identity_ok {
                PolicyType::Resource
            } else {
                first_missing()
            });
        }
        return result;
    }

    // 2. Same account.
    let direct = allows(PolicyType::Resource, Some(PrincipalMatch::Direct))
        .next()
        .is_some();
    let indirect = allows(PolicyType::Resource, Some(PrincipalMatch::Indirect))
        .next()
        .is_some();
    if direct {
        result.decision = Decision::Allowed;
        result.matched = allows(PolicyType::Resource, Some(PrincipalMatch::Direct))
            .map(to_matched)
            .collect();
    } else if identity_ok || (indirect && boundary_ok && session_ok) {
        result.decision = Decision::Allowed;
        let res_min = if identity_ok {
            Some(PrincipalMatch::Account)
        } else {
            Some(PrincipalMatch::Indirect)
        };
        let id_hits: Vec<MatchedStatement> = if identity_ok {
            allows(PolicyType::Identity, None).map(to_matched).collect()
        } else {
            Vec::new()
        };
        result.matched = id_hits
            .into_iter()
            .chain(
                allows(PolicyType::PermissionsBoundary, None)
                    .chain(allows(PolicyType::Session, None))
                    .chain(allows(PolicyType::Resource, res_min))
                    .map(to_matched),
            )
            .collect();
    } else {
        result.denied_by = Some(if indirect || identity == Outcome::Allow {
            if !boundary_ok {
                PolicyType::PermissionsBoundary
            } else {
                PolicyType::Session
            }
        } else {
            PolicyType::Identity
        });
    }
    result
}

impl Context {
    /// Adds `aws:CurrentTime` and `aws:EpochTime` from `now` unless present.
    pub fn with_time(&mut self, now: time::OffsetDateTime) -> &mut Self {
        let nanos = now.unix_timestamp_nanos();
        if !self.contains("aws:CurrentTime") {
            self.insert("aws:CurrentTime", ContextValue::single(Scalar::Date(nanos)));
        }
        if !self.contains("aws:EpochTime") {
            self.insert(
                "aws:EpochTime",
                ContextValue::single(Scalar::Number(now.unix_timestamp() as f64)),
            );
        }
        self
    }
}
