//! What AWS authorizes for every IAM and STS operation.
//!
//! For each operation of the two services (the operations of `iamd-wire`'s botocore models) this
//! crate says which IAM action(s) AWS evaluates, against which resource, with which condition
//! keys, and where each key's value comes from. It is AWS's *Service Authorization Reference*
//! ("Actions, resources, and condition keys for AWS Identity and Access Management" and "... for
//! AWS Security Token Service") turned into data, plus the few rules the IAM User Guide adds on
//! top of it (tagging on create, `GetSessionToken` and `GetCallerIdentity` needing no
//! permission, renames checked on both names, federation decided by the trust policy alone).
//! The table itself (`src/table.rs`) cites its sources.
//!
//! Entity ARNs contain the entity's path (`arn:aws:iam::123456789012:user/division/alice`),
//! which only the store knows, so a resource is described as a [`ResourceRef`]: "the user named
//! by `UserName`", "the ARN in `PolicyArn`", "the caller". The server resolves it and formats
//! the ARN with [`ResourceKind::arn`]. Request-derived condition keys are computed here from the
//! decoded [`Params`]; keys that depend on stored state (the resource's tags, its permissions
//! boundary) are named with their [`Source`] for the server to fill.
//!
//! Pure: no I/O, no clock.

mod table;

use iamd_wire::{Params, Value};

/// The kind of resource an action is evaluated against (the "Resource types" of the reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    User,
    Group,
    Role,
    Policy,
    InstanceProfile,
    OidcProvider,
    SamlProvider,
    ServerCertificate,
    /// A virtual MFA device: `arn:aws:iam::ACCT:mfa/PATH/NAME`.
    Mfa,
    /// An SMS MFA device (legacy): `arn:aws:iam::ACCT:sms-mfa/NAME`.
    SmsMfa,
    /// An Organizations access report: `arn:aws:iam::ACCT:access-report/ENTITY-PATH`.
    AccessReport,
    DelegationRequest,
    /// `arn:aws:sts::ACCT:federated-user/NAME`.
    FederatedUser,
    /// An account's root user: `arn:aws:iam::ACCT:root`.
    Root,
}

impl ResourceKind {
    /// Every kind, for iteration in tests and tools.
    pub const ALL: [ResourceKind; 14] = [
        ResourceKind::User,
        ResourceKind::Group,
        ResourceKind::Role,
        ResourceKind::Policy,
        ResourceKind::InstanceProfile,
        ResourceKind::OidcProvider,
        ResourceKind::SamlProvider,
        ResourceKind::ServerCertificate,
        ResourceKind::Mfa,
        ResourceKind::SmsMfa,
        ResourceKind::AccessReport,
        ResourceKind::DelegationRequest,
        ResourceKind::FederatedUser,
        ResourceKind::Root,
    ];

    /// The resource type's name in the reference and in the ARN (`user`, `oidc-provider`, ...).
    pub fn resource_type(self) -> &'static str {
        match self {
            ResourceKind::User => "user",
            ResourceKind::Group => "group",
            ResourceKind::Role => "role",
            ResourceKind::Policy => "policy",
            ResourceKind::InstanceProfile => "instance-profile",
            ResourceKind::OidcProvider => "oidc-provider",
            ResourceKind::SamlProvider => "saml-provider",
            ResourceKind::ServerCertificate => "server-certificate",
            ResourceKind::Mfa => "mfa",
            ResourceKind::SmsMfa => "sms-mfa",
            ResourceKind::AccessReport => "access-report",
            ResourceKind::DelegationRequest => "delegation-request",
            ResourceKind::FederatedUser => "federated-user",
            ResourceKind::Root => "root",
        }
    }

    /// The ARN's service part: `sts` for federated users, `iam` for everything else.
    pub fn service(self) -> &'static str {
        match self {
            ResourceKind::FederatedUser => "sts",
            _ => "iam",
        }
    }

    /// Whether the entity has a path that appears in its ARN.
    pub fn has_path(self) -> bool {
        matches!(
            self,
            ResourceKind::User
                | ResourceKind::Group
                | ResourceKind::Role
                | ResourceKind::Policy
                | ResourceKind::InstanceProfile
                | ResourceKind::ServerCertificate
                | ResourceKind::Mfa
                | ResourceKind::SmsMfa
        )
    }

    /// Whether the entity carries tags, so that `aws:ResourceTag/${TagKey}` has values for it.
    pub fn carries_tags(self) -> bool {
        matches!(
            self,
            ResourceKind::User
                | ResourceKind::Role
                | ResourceKind::Policy
                | ResourceKind::InstanceProfile
                | ResourceKind::OidcProvider
                | ResourceKind::SamlProvider
                | ResourceKind::ServerCertificate
                | ResourceKind::Mfa
        )
    }

    /// Whether `iam:ResourceTag/${TagKey}` applies too (the reference defines it for users and
    /// roles only; its values are the same tags as `aws:ResourceTag`).
    pub fn has_iam_resource_tag(self) -> bool {
        matches!(self, ResourceKind::User | ResourceKind::Role)
    }

    /// Formats the ARN. `path` is the entity's path (`/` or `/a/b/`), ignored by kinds without
    /// paths; a path not starting or ending with `/` is completed. For [`ResourceKind::Root`]
    /// `name` is ignored.
    pub fn arn(self, account: &str, path: &str, name: &str) -> String {
        let service = self.service();
        let ty = self.resource_type();
        if self == ResourceKind::Root {
            return format!("arn:aws:iam::{account}:root");
        }
        if !self.has_path() || path.is_empty() || path == "/" {
            return format!("arn:aws:{service}::{account}:{ty}/{name}");
        }
        let lead = if path.starts_with('/') { "" } else { "/" };
        let trail = if path.ends_with('/') { "" } else { "/" };
        format!("arn:aws:{service}::{account}:{ty}{lead}{path}{trail}{name}")
    }

    /// The kind of the IAM or STS resource an ARN names (`arn:aws:iam::ACCT:user/...` → user).
    /// Roles' session ARNs (`assumed-role`) and unknown types give `None`.
    pub fn of_arn(arn: &str) -> Option<ResourceKind> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(_partition), Some(service), Some(_region), Some(_account)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let resource = parts.next()?;
        let ty = resource.split('/').next().unwrap_or(resource);
        ResourceKind::ALL
            .into_iter()
            .find(|k| k.service() == service && k.resource_type() == ty)
    }
}

/// Which resource an action is evaluated against, as far as the request says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceRef {
    /// `*`: the reference lists no resource type for the action.
    Any,
    /// An existing entity named by a request parameter; the store knows its path.
    Named {
        kind: ResourceKind,
        param: &'static str,
    },
    /// As [`ResourceRef::Named`], but the calling IAM user itself when the parameter is absent
    /// (AWS: "IAM determines the user name implicitly based on the access key signing the
    /// request").
    NamedOrCaller {
        kind: ResourceKind,
        param: &'static str,
    },
    /// The calling IAM user itself (`ChangePassword`).
    Caller(ResourceKind),
    /// The entity the request creates: its name from `name`, its path from `path` (default `/`).
    Created {
        kind: ResourceKind,
        name: &'static str,
        path: Option<&'static str>,
    },
    /// The entity as it will be after a rename (`UpdateUser`, `UpdateGroup`,
    /// `UpdateServerCertificate`): the name in `new_name` or else the current one (in `param`),
    /// the path in `new_path` or else the current one.
    Renamed {
        kind: ResourceKind,
        param: &'static str,
        new_name: &'static str,
        new_path: &'static str,
    },
    /// A full ARN given in a request parameter, taken as is.
    Arn(&'static str),
    /// The IAM user that owns the access key whose ID is in the parameter.
    AccessKeyOwner(&'static str),
    /// The OIDC provider for the issuer URL in the parameter: `oidc-provider/HOST/PATH`.
    OidcProviderForUrl(&'static str),
    /// The service-linked role that the service in the parameter uses (path
    /// `/aws-service-role/SERVICE/`, name chosen by the service).
    ServiceLinkedRole(&'static str),
    /// The role named in a service-linked-role deletion task ID
    /// (`task/aws-service-role/SERVICE/ROLE/UUID`).
    DeletionTaskRole(&'static str),
    /// The delegation request being created: its ID is generated by the server.
    NewDelegationRequest,
    /// The root user of the account whose ID is in the parameter (`AssumeRoot`).
    AccountRoot(&'static str),
}

impl ResourceRef {
    /// The kind of resource, when it is known without looking at the request.
    pub fn kind(&self) -> Option<ResourceKind> {
        match *self {
            ResourceRef::Any | ResourceRef::Arn(_) => None,
            ResourceRef::Named { kind, .. }
            | ResourceRef::NamedOrCaller { kind, .. }
            | ResourceRef::Caller(kind)
            | ResourceRef::Created { kind, .. }
            | ResourceRef::Renamed { kind, .. } => Some(kind),
            ResourceRef::AccessKeyOwner(_) => Some(ResourceKind::User),
            ResourceRef::OidcProviderForUrl(_) => Some(ResourceKind::OidcProvider),
            ResourceRef::ServiceLinkedRole(_) | ResourceRef::DeletionTaskRole(_) => {
                Some(ResourceKind::Role)
            }
            ResourceRef::NewDelegationRequest => Some(ResourceKind::DelegationRequest),
            ResourceRef::AccountRoot(_) => Some(ResourceKind::Root),
        }
    }

    /// The kind of resource for this request: for [`ResourceRef::Arn`], read from the ARN.
    pub fn kind_in(&self, params: &Params) -> Option<ResourceKind> {
        match *self {
            ResourceRef::Arn(p) => params.str(p).and_then(ResourceKind::of_arn),
            _ => self.kind(),
        }
    }

    /// The resource ARN when the request alone determines it (no path to look up):
    /// `*`, an ARN parameter, a created entity, an OIDC provider's URL, an account's root.
    /// `None` when the store must resolve it, or when a parameter it needs is missing.
    pub fn arn_from_request(&self, account: &str, params: &Params) -> Option<String> {
        match *self {
            ResourceRef::Any => Some("*".to_string()),
            ResourceRef::Arn(p) => params.str(p).map(str::to_string),
            ResourceRef::Created { kind, name, path } => {
                let name = params.str(name)?;
                let path = path.and_then(|p| params.str(p)).unwrap_or("/");
                Some(kind.arn(account, path, name))
            }
            ResourceRef::OidcProviderForUrl(p) => {
                let url = params.str(p)?;
                Some(ResourceKind::OidcProvider.arn(account, "/", &oidc_provider_name(url)))
            }
            ResourceRef::AccountRoot(p) => params
                .str(p)
                .map(|acct| ResourceKind::Root.arn(acct, "/", "")),
            ResourceRef::ServiceLinkedRole(_)
            | ResourceRef::DeletionTaskRole(_)
            | ResourceRef::Named { .. }
            | ResourceRef::NamedOrCaller { .. }
            | ResourceRef::Caller(_)
            | ResourceRef::Renamed { .. }
            | ResourceRef::AccessKeyOwner(_)
            | ResourceRef::NewDelegationRequest => None,
        }
    }
}

/// An OIDC provider's resource name from its issuer URL: the URL without its scheme and
/// without a trailing `/` (`https://example.com/a/` → `example.com/a`).
pub fn oidc_provider_name(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    rest.trim_end_matches('/').to_string()
}

/// Where a condition key's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A scalar request parameter, as a string (integers and booleans in decimal / `true`).
    Param(&'static str),
    /// A list-of-strings request parameter: one value per element.
    ParamList(&'static str),
    /// A member of a structure parameter (`TaskPolicyArn.arn`).
    Member {
        param: &'static str,
        member: &'static str,
    },
    /// A member of each element of a list-of-structures parameter (`ProvidedContexts[].ProviderArn`).
    ListMember {
        param: &'static str,
        member: &'static str,
    },
    /// `aws:RequestTag/${TagKey}`: one key per `Key`/`Value` pair of the tag-list parameter.
    TagValues(&'static str),
    /// `aws:TagKeys`: every `Key` of the tag-list parameter.
    TagKeysOf(&'static str),
    /// A fixed value that AWS sets for this action (`iam:PassedToService` = `ec2.amazonaws.com`
    /// when a role is added to an instance profile).
    Fixed(&'static str),
    /// The resolved resource's tags (`aws:ResourceTag/${TagKey}`, `iam:ResourceTag/${TagKey}`):
    /// one key per tag. An entity the request creates has none yet.
    ResourceTags,
    /// The permissions boundary currently set on the resolved user or role.
    ResourceBoundary,
    /// Stored state the server looks up for this key (a service-specific credential's service,
    /// a delegation request's owner).
    Stored,
    /// The verified SAML assertion or web identity token (`saml:*`, provider claims, and the
    /// session name, tags and source identity they carry).
    Credential,
    /// Documented by AWS for the action but meaningless in iamd (FIDO security keys, role
    /// templates): never present in the request context.
    Unavailable,
}

impl Source {
    /// Whether the value is in the request parameters (so [`request_condition_keys`] fills it).
    pub fn is_request(self) -> bool {
        matches!(
            self,
            Source::Param(_)
                | Source::ParamList(_)
                | Source::Member { .. }
                | Source::ListMember { .. }
                | Source::TagValues(_)
                | Source::TagKeysOf(_)
                | Source::Fixed(_)
        )
    }
}

/// A condition key that AWS documents for an action, and where its value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySource {
    /// The key as written in policies, with `${TagKey}` for tag keys.
    pub key: &'static str,
    pub from: Source,
}

/// When a check applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// The parameter is present (and, for a list, not empty).
    Present(&'static str),
    /// Any of the parameters is present.
    AnyPresent(&'static [&'static str]),
    /// The verified SAML assertion or web identity token carries session tags.
    CredentialHasTags,
    /// The verified SAML assertion or web identity token carries a source identity.
    CredentialHasSourceIdentity,
}

impl When {
    /// Whether the check applies to this request; `None` when it depends on the verified
    /// assertion or token rather than on the parameters.
    pub fn holds(&self, params: &Params) -> Option<bool> {
        match *self {
            When::Always => Some(true),
            When::Present(p) => Some(present(params, p)),
            When::AnyPresent(ps) => Some(ps.iter().any(|p| present(params, p))),
            When::CredentialHasTags | When::CredentialHasSourceIdentity => None,
        }
    }
}

fn present(params: &Params, name: &str) -> bool {
    match params.get(name) {
        None => false,
        Some(Value::List(l)) => !l.is_empty(),
        Some(Value::Str(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// What a check rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The action's own row in the Service Authorization Reference.
    Reference,
    /// A dependent action, or an action the reference's API-operations table maps to the
    /// operation.
    Dependent,
    /// The IAM User Guide or the API reference (tag on create, renames, session tags).
    UserGuide,
    /// Not documented as such: AWS's observed behaviour or iamd's best reading.
    Inferred,
}

/// One authorization check: an action evaluated against a resource with condition keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionCheck {
    /// `service:Action`, e.g. `iam:CreateUser`.
    pub action: &'static str,
    pub resource: ResourceRef,
    /// The condition keys AWS documents for the action, with their sources.
    pub keys: &'static [KeySource],
    pub when: When,
    pub basis: Basis,
}

impl ActionCheck {
    /// The condition keys of this check that the request parameters determine, with their
    /// values: `aws:RequestTag/${TagKey}` expands to one `aws:RequestTag/KEY` per tag. Keys
    /// whose parameter is absent are left out.
    pub fn request_keys(&self, params: &Params) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for k in self.keys {
            push_request_key(&mut out, k, params);
        }
        out
    }
}

/// How the operation is authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enforcement {
    /// The caller's identity-based policies (with its boundary and session policy) must allow
    /// every applicable check. Root is allowed everything.
    Identity,
    /// As `Identity`, and the role's trust policy (a resource-based policy) must also allow the
    /// checks against the role: `AssumeRole`.
    IdentityAndTrust,
    /// The request is not signed: only the target role's trust policy decides, with the
    /// federated principal (`AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`).
    TrustPolicyOnly,
    /// AWS performs no authorization: policies cannot deny the operation
    /// (`GetCallerIdentity`, `GetSessionToken`). The checks are kept for audit and simulation.
    NotAuthorized,
}

/// The authorization of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpAuth {
    /// The operation (the Query protocol's `Action`).
    pub operation: &'static str,
    /// `iam` or `sts`.
    pub service: &'static str,
    pub enforcement: Enforcement,
    /// The checks, the operation's own action first.
    pub checks: &'static [ActionCheck],
}

impl OpAuth {
    /// The operation's own action (the first check's).
    pub fn action(&self) -> &'static str {
        self.checks.first().map_or("", |c| c.action)
    }

    /// The checks that apply to this request. Checks that depend on the verified assertion or
    /// token ([`When::holds`] is `None`) are included: the caller filters those.
    pub fn applicable<'a>(&'a self, params: &'a Params) -> impl Iterator<Item = &'a ActionCheck> {
        self.checks
            .iter()
            .filter(move |c| c.when.holds(params) != Some(false))
    }
}

/// The authorization of an operation, by its name (`CreateUser`, `AssumeRole`, ...).
pub fn authorization(op: &str) -> Option<&'static OpAuth> {
    [
        table::CLOUDTRAIL_OPS,
        table::IAM_OPS,
        table::IAMD_OPS,
        table::STS_OPS,
    ]
    .into_iter()
    .find_map(|ops| {
        ops.binary_search_by(|o| o.operation.cmp(op))
            .ok()
            .and_then(|i| ops.get(i))
    })
}

/// Every operation's authorization: CloudTrail's, IAM's, iamd's own, then STS's, each sorted
/// by operation name.
pub fn all() -> impl Iterator<Item = &'static OpAuth> {
    table::CLOUDTRAIL_OPS
        .iter()
        .chain(table::IAM_OPS)
        .chain(table::IAMD_OPS)
        .chain(table::STS_OPS)
}

/// The request-derived condition keys of an operation, with their values, over all the checks
/// that apply to the request (the first check naming a key wins). Keys that depend on stored
/// state or on a verified credential are not included; see [`Source`].
pub fn request_condition_keys(op: &str, params: &Params) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let Some(auth) = authorization(op) else {
        return out;
    };
    for check in auth.applicable(params) {
        for k in check.keys {
            push_request_key(&mut out, k, params);
        }
    }
    out
}

/// The condition keys AWS documents for an action, beyond the global `aws:` context keys
/// (`iam:CreateUser` → `aws:RequestTag/${TagKey}`, `aws:TagKeys`, `iam:PermissionsBoundary`, ...), as
/// `GetContextKeysForPrincipalPolicy` needs them. Empty for unknown actions. Case-insensitive
/// on the action, as policies are.
pub fn context_keys_for_action(action: &str) -> Vec<&'static str> {
    let found = all()
        .flat_map(|o| o.checks.iter())
        .find(|c| c.action.eq_ignore_ascii_case(action));
    found.map_or_else(Vec::new, |c| c.keys.iter().map(|k| k.key).collect())
}

fn push_request_key(out: &mut Vec<(String, Vec<String>)>, k: &KeySource, params: &Params) {
    let mut add = |key: String, values: Vec<String>| {
        if !values.is_empty() && !out.iter().any(|(n, _)| *n == key) {
            out.push((key, values));
        }
    };
    match k.from {
        Source::Param(p) => {
            if let Some(v) = params.get(p).and_then(scalar) {
                add(k.key.to_string(), vec![v]);
            }
        }
        Source::ParamList(p) => {
            let values = params
                .list(p)
                .map(|l| l.iter().filter_map(scalar).collect())
                .unwrap_or_default();
            add(k.key.to_string(), values);
        }
        Source::Member { param, member } => {
            if let Some(v) = params
                .get(param)
                .and_then(|s| s.get(member))
                .and_then(scalar)
            {
                add(k.key.to_string(), vec![v]);
            }
        }
        Source::ListMember { param, member } => {
            let values = params
                .list(param)
                .map(|l| {
                    l.iter()
                        .filter_map(|e| e.get(member).and_then(scalar))
                        .collect()
                })
                .unwrap_or_default();
            add(k.key.to_string(), values);
        }
        Source::TagValues(p) => {
            let prefix = k.key.strip_suffix("${TagKey}").unwrap_or(k.key);
            for tag in params.list(p).unwrap_or_default() {
                if let (Some(key), Some(value)) = (
                    tag.get("Key").and_then(Value::as_str),
                    tag.get("Value").and_then(Value::as_str),
                ) {
                    add(format!("{prefix}{key}"), vec![value.to_string()]);
                }
            }
        }
        Source::TagKeysOf(p) => {
            let keys = params
                .list(p)
                .map(|l| {
                    l.iter()
                        .filter_map(|t| t.get("Key").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            add(k.key.to_string(), keys);
        }
        Source::Fixed(v) => add(k.key.to_string(), vec![v.to_string()]),
        Source::ResourceTags
        | Source::ResourceBoundary
        | Source::Stored
        | Source::Credential
        | Source::Unavailable => {}
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Double(d) => Some(d.to_string()),
        _ => None,
    }
}
