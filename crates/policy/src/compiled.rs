//! Compiled policies: wildcards compiled, statements indexed by service prefix.

use crate::condition::{CondEntry, Operator};
use crate::context::Context;
use crate::document::{
    self, DocumentKind, Effect, PolicyDocument, PolicyError, Position, PrincipalClass,
    PrincipalElement, Version,
};
use crate::eval::{Principal, PrincipalType};
use crate::wildcard::{Matcher, Template};
use std::sync::Arc;

/// A service prefix packed into integers for quick equality tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServiceKey {
    a: u64,
    b: u64,
    len: usize,
}

impl ServiceKey {
    /// `s` must already be lowercase.
    pub(crate) fn new(s: &str) -> ServiceKey {
        let mut buf = [0u8; 16];
        let bytes = s.as_bytes();
        let n = bytes.len().min(16);
        buf[..n].copy_from_slice(&bytes[..n]);
        let (x, y) = buf.split_at(8);
        ServiceKey {
            a: u64::from_le_bytes(x.try_into().unwrap_or([0; 8])),
            b: u64::from_le_bytes(y.try_into().unwrap_or([0; 8])),
            len: bytes.len(),
        }
    }
    /// Equality of the services behind two keys (`sa`, `sb` the strings).
    #[inline]
    fn same(&self, sa: &str, other: &ServiceKey, sb: &str) -> bool {
        self == other && (self.len <= 16 || sa == sb)
    }
}

/// The request's service prefix, lowercase, with its key.
pub(crate) struct Service<'a> {
    pub name: &'a str,
    pub key: ServiceKey,
}

#[derive(Debug, Clone)]
enum ActionPat {
    Any,
    Split {
        service: Matcher,
        key: Option<(ServiceKey, Box<str>)>,
        name: Matcher,
    },
}

impl ActionPat {
    fn new(p: &str) -> ActionPat {
        match p.split_once(':') {
            _ if p == "*" => ActionPat::Any,
            Some((s, n)) => ActionPat::split(s, n),
            None => ActionPat::split(p, ""),
        }
    }
    fn split(s: &str, n: &str) -> ActionPat {
        let lower = s.to_ascii_lowercase();
        let service = Matcher::new(&lower);
        let key = match &service {
            Matcher::Exact(e) => Some((ServiceKey::new(e), e.clone())),
            _ => None,
        };
        ActionPat::Split {
            service,
            key,
            name: Matcher::new(n),
        }
    }
    fn matches(&self, service: &Service, name: &str) -> bool {
        match self {
            ActionPat::Any => true,
            ActionPat::Split {
                service: s,
                key,
                name: n,
            } => {
                let svc_ok = match key {
                    Some((k, e)) => k.same(e, &service.key, service.name),
                    None => s.matches(service.name, false),
                };
                svc_ok && n.matches(name, true)
            }
        }
    }
}

#[derive(Debug, Clone)]
enum ResPat {
    /// The whole ARN pattern (parts kept apart, see `arn_matcher`).
    Plain(Matcher),
    /// Variables in the resource part (after the fifth colon): the first five
    /// parts, the template, and the literal text that must start the resource
    /// part (checked before resolving).
    Vars(Matcher, Template, Box<str>),
}

impl ResPat {
    fn new(p: &str, vars: bool) -> ResPat {
        let parts: Vec<&str> = p.splitn(6, ':').collect();
        if parts.len() == 6 && vars {
            let t = Template::parse(parts[5], true);
            if t.has_vars() {
                let prefix: String = match t.pieces.first() {
                    Some(crate::wildcard::Piece::Text(x)) => {
                        x.chars().take_while(|c| *c != '*' && *c != '?').collect()
                    }
                    _ => String::new(),
                };
                let head = format!("{}:", parts[..5].join(":"));
                // Five parts and an empty sixth: stars stay inside their part.
                return ResPat::Vars(crate::wildcard::arn_matcher(&head), t, prefix.into());
            }
        }
        ResPat::Plain(crate::wildcard::arn_matcher(p))
    }

    /// `Err(key)` when a variable cannot be resolved. `strict`: resolve even
    /// when the literal prefix already rules the resource out (NotResource).
    fn matches<'a>(&'a self, res: &str, ctx: &Context, strict: bool) -> Result<bool, &'a str> {
        match self {
            ResPat::Plain(m) => Ok(m.matches(res, false)),
            ResPat::Vars(head, t, prefix) => {
                // Split after the fifth colon.
                let mut cut = None;
                let mut n = 0;
                for (i, b) in res.bytes().enumerate() {
                    if b == b':' {
                        n += 1;
                        if n == 5 {
                            cut = Some(i + 1);
                            break;
                        }
                    }
                }
                let Some(cut) = cut else { return Ok(false) };
                let (h, last) = res.split_at(cut);
                if !strict && (!last.starts_with(&**prefix) || !head.matches(h, false)) {
                    return Ok(false);
                }
                let r = t.resolve(ctx, true)?;
                Ok(head.matches(h, false) && r.glob(last, false))
            }
        }
    }
}

/// How a resource-based policy statement's principal matched the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalMatch {
    /// Only the caller's account was named: the account's identity policies
    /// must still grant access.
    Account,
    /// A wildcard, the role behind a session, a service or federated principal,
    /// or a NotPrincipal.
    Indirect,
    /// The IAM user ARN, the role-session ARN or the federated-user ARN itself.
    Direct,
}

#[derive(Debug, Clone)]
struct CPrincipal {
    el: PrincipalElement,
}

fn account_of_arn(a: &str) -> Option<&str> {
    let p = crate::wildcard::arn_parts(a);
    (p[0] == "arn").then_some(p[4])
}

impl CPrincipal {
    fn entry_match(class: PrincipalClass, v: &str, p: &Principal) -> Option<PrincipalMatch> {
        use PrincipalMatch::*;
        match class {
            PrincipalClass::Aws => {
                if v == "*" {
                    return Some(Indirect);
                }
                if p.principal_type == PrincipalType::Anonymous
                    || p.principal_type == PrincipalType::Service
                {
                    return None;
                }
                if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
                    return (p.account == v).then_some(Account);
                }
                if !v.starts_with("arn:") {
                    // unique ID
                    return (p.unique_id.as_deref() == Some(v)).then_some(
                        if p.principal_type == PrincipalType::User {
                            Direct
                        } else {
                            Indirect
                        },
                    );
                }
                if v.ends_with(":root") && v.contains(":iam::") {
                    if p.principal_type == PrincipalType::Root && p.arn == v {
                        return Some(Direct);
                    }
                    return (account_of_arn(v) == Some(p.account.as_str())).then_some(Account);
                }
                if v == p.arn {
                    return Some(Direct);
                }
                if p.role_arn.as_deref() == Some(v) {
                    return Some(Indirect);
                }
                None
            }
            PrincipalClass::Service => p
                .service
                .as_deref()
                .is_some_and(|s| v == "*" || s.eq_ignore_ascii_case(v))
                .then_some(Indirect),
            PrincipalClass::Federated => p
                .federated_provider
                .as_deref()
                .is_some_and(|s| v == "*" || s == v)
                .then_some(Indirect),
            PrincipalClass::CanonicalUser => p
                .canonical_user
                .as_deref()
                .is_some_and(|s| v == "*" || s == v)
                .then_some(Indirect),
        }
    }

    fn matches(&self, p: &Principal) -> Option<PrincipalMatch> {
        let best = if self.el.any {
            Some(PrincipalMatch::Indirect)
        } else {
            self.el
                .entries
                .iter()
                .filter_map(|(c, v)| Self::entry_match(*c, v, p))
                .max()
        };
        if self.el.negated {
            match best {
                Some(_) => None,
                None => Some(PrincipalMatch::Indirect),
            }
        } else {
            best
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct CStatement {
    pub index: usize,
    pub sid: Option<Arc<str>>,
    pub effect: Effect,
    not_action: bool,
    actions: Box<[ActionPat]>,
    not_resource: bool,
    resources: Option<Box<[ResPat]>>,
    principal: Option<CPrincipal>,
    conditions: Box<[CondEntry]>,
    /// A condition uses an operator iamd does not know: AWS accepts the
    /// policy, and the condition (so the statement) never matches.
    unknown_operator: bool,
    pub start: Position,
    pub end: Position,
}

/// The result of matching one statement.
pub(crate) enum StmtMatch {
    No,
    Yes(Option<PrincipalMatch>),
}

impl CStatement {
    pub(crate) fn applies(
        &self,
        service: &Service,
        name: &str,
        resource: &str,
        principal: &Principal,
        ctx: &Context,
        missing: &mut dyn FnMut(&str),
    ) -> StmtMatch {
        if self.unknown_operator {
            return StmtMatch::No;
        }
        let am = self.actions.iter().any(|a| a.matches(service, name));
        if am == self.not_action {
            return StmtMatch::No;
        }
        if let Some(rs) = &self.resources {
            let mut any = false;
            for r in rs.iter() {
                match r.matches(resource, ctx, self.not_resource) {
                    Ok(true) => {
                        any = true;
                        break;
                    }
                    Ok(false) => {}
                    Err(k) => {
                        missing(k);
                        // An unresolvable variable: this Resource entry does
                        // not match; in NotResource the element does not match.
                        if self.not_resource {
                            return StmtMatch::No;
                        }
                    }
                }
            }
            if any == self.not_resource {
                return StmtMatch::No;
            }
        }
        let pm = match &self.principal {
            Some(p) => match p.matches(principal) {
                Some(m) => Some(m),
                None => return StmtMatch::No,
            },
            None => None,
        };
        let mut ok = true;
        for c in self.conditions.iter() {
            if !c.eval(ctx, missing) {
                ok = false;
            }
        }
        if ok {
            StmtMatch::Yes(pm)
        } else {
            StmtMatch::No
        }
    }
}

/// A policy ready for evaluation. Build it once per change and share it
/// (`Arc<CompiledPolicy>`); evaluation never mutates it.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    id: Arc<str>,
    kind: DocumentKind,
    version: Version,
    pub(crate) statements: Vec<CStatement>,
    /// (service key, lowercase service prefix, statement indices).
    index: Vec<(ServiceKey, Box<str>, Vec<u32>)>,
    /// Statements that may apply to any service (wildcard service, NotAction).
    always: Vec<u32>,
}

impl CompiledPolicy {
    /// Compiles a parsed document. `id` names the policy in results (a policy
    /// ARN, `user/NAME/inline/POLICY`, `PolicyInputList.1`, ...).
    pub fn compile(doc: &PolicyDocument, id: impl Into<Arc<str>>) -> CompiledPolicy {
        let vars = doc.version.has_variables();
        let mut statements = Vec::with_capacity(doc.statements.len());
        let mut index: Vec<(ServiceKey, Box<str>, Vec<u32>)> = Vec::new();
        let mut always = Vec::new();
        for (i, s) in doc.statements.iter().enumerate() {
            let actions: Box<[ActionPat]> =
                s.action.values.iter().map(|a| ActionPat::new(a)).collect();
            let mut services: Vec<Box<str>> = Vec::new();
            let mut wild = s.action.negated;
            for a in actions.iter() {
                match a {
                    ActionPat::Split {
                        key: Some((_, sv)), ..
                    } => {
                        if !services.contains(sv) {
                            services.push(sv.clone());
                        }
                    }
                    _ => wild = true,
                }
            }
            let idx = i as u32;
            if wild {
                always.push(idx);
            } else {
                for sv in services {
                    match index.iter_mut().find(|e| e.1 == sv) {
                        Some(e) => e.2.push(idx),
                        None => index.push((ServiceKey::new(&sv), sv, vec![idx])),
                    }
                }
            }
            let conditions = s
                .conditions
                .iter()
                .filter_map(|c| {
                    Operator::parse(&c.operator)
                        .map(|op| CondEntry::compile(op, &c.key, &c.values, vars))
                })
                .collect();
            statements.push(CStatement {
                index: i,
                sid: s.sid.as_deref().map(Arc::from),
                effect: s.effect,
                not_action: s.action.negated,
                actions,
                not_resource: s.resource.as_ref().is_some_and(|r| r.negated),
                resources: s
                    .resource
                    .as_ref()
                    .map(|r| r.values.iter().map(|v| ResPat::new(v, vars)).collect()),
                principal: s.principal.clone().map(|el| CPrincipal { el }),
                conditions,
                unknown_operator: s
                    .conditions
                    .iter()
                    .any(|c| Operator::parse(&c.operator).is_none()),
                start: s.start,
                end: s.end,
            });
        }
        index.sort_by(|a, b| a.1.cmp(&b.1));
        CompiledPolicy {
            id: id.into(),
            kind: doc.kind,
            version: doc.version,
            statements,
            index,
            always,
        }
    }

    /// Parses, validates and compiles in one step.
    pub fn from_text(
        text: &str,
        kind: DocumentKind,
        id: impl Into<Arc<str>>,
    ) -> Result<CompiledPolicy, PolicyError> {
        let doc = document::parse(text, kind)?;
        Ok(CompiledPolicy::compile(&doc, id))
    }

    /// The policy's identifier.
    pub fn id(&self) -> &Arc<str> {
        &self.id
    }

    /// The kind it was validated as.
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// Its Version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Number of statements.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    /// True when it has no statement.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Context keys referenced by conditions and policy variables (as written,
    /// deduplicated case-insensitively).
    pub fn context_keys(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |k: &str| {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(k)) {
                out.push(k.to_string());
            }
        };
        for s in &self.statements {
            for c in s.conditions.iter() {
                push(&c.key);
                for v in c.var_keys() {
                    push(v);
                }
            }
            for r in s.resources.iter().flat_map(|r| r.iter()) {
                if let ResPat::Vars(_, t, _) = r {
                    for v in t.var_keys() {
                        push(v);
                    }
                }
            }
        }
        out
    }

    /// Calls `f` for every statement that may apply to `service` (lowercase).
    pub(crate) fn candidates(&self, service: &Service, mut f: impl FnMut(&CStatement)) {
        if let Some((_, _, list)) = self
            .index
            .iter()
            .find(|e| e.0.same(&e.1, &service.key, service.name))
        {
            for &i in list {
                if let Some(s) = self.statements.get(i as usize) {
                    f(s);
                }
            }
        }
        for &i in &self.always {
            if let Some(s) = self.statements.get(i as usize) {
                f(s);
            }
        }
    }
}
