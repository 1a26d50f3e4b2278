//! Explaining permissions: the policy simulator (`SimulateCustomPolicy`,
//! `SimulatePrincipalPolicy`), the context keys policies use, and
//! `GetAccountAuthorizationDetails`. The simulator is the policy engine's own
//! (`iamd_policy::simulate`), the same one `iamd policy simulate` runs.

use iamd_policy::simulate::{ContextEntry, SimulateRequest, SimulateResponse, simulate};
use iamd_policy::{CompiledPolicy, DocumentKind, ErrorCode, PolicyError};
use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::authz::{self, PolicySources, Source};
use crate::entities::Kind;
use crate::records::{self, Group, InstanceProfile, ManagedPolicy, Role, User};
use crate::users::required;
use crate::{
    Ctx, EntityKind, IamError, aws_policies, documents, groups, inline, keys, policies, roles,
    tags, users,
};

fn policy_error(e: PolicyError) -> IamError {
    let message = if e.location.path.is_empty() {
        e.message
    } else {
        format!("{} ({})", e.message, e.location.path)
    };
    match e.code {
        ErrorCode::MalformedPolicyDocument => IamError::malformed_policy(message),
        ErrorCode::InvalidInput => IamError::invalid_input(message),
    }
}

fn request_from(p: &Params) -> Result<SimulateRequest, IamError> {
    serde_json::from_value(p.0.to_json())
        .map_err(|e| IamError::invalid_input(format!("Invalid simulation input: {e}")))
}

fn response_value(r: &SimulateResponse) -> Result<Value, IamError> {
    let j = serde_json::to_value(r)
        .map_err(|e| IamError::internal(format!("encoding a simulation result: {e}")))?;
    Ok(Value::from_json(&j))
}

pub fn simulate_custom_policy(_tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let req = request_from(p)?;
    let resp = simulate(&req, ctx.now).map_err(policy_error)?;
    response_value(&resp)
}

/// The principal an ARN names: a user, group or role of this account.
fn principal_sources(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    arn: &str,
) -> Result<(Kind, String, PolicySources), IamError> {
    let not_found = || {
        IamError::no_such_entity(
            EntityKind::Principal,
            arn,
            format!("The entity {arn} cannot be found."),
        )
    };
    let rest = arn
        .strip_prefix(&format!("arn:aws:iam::{}:", ctx.account))
        .ok_or_else(not_found)?;
    let (ty, path_name) = rest.split_once('/').ok_or_else(not_found)?;
    let name = path_name.rsplit('/').next().unwrap_or(path_name);
    match ty {
        "user" => Ok((
            Kind::User,
            name.to_string(),
            authz::user_sources(tx, ctx.account, name)?,
        )),
        "role" => Ok((
            Kind::Role,
            name.to_string(),
            authz::role_sources(tx, ctx.account, name)?,
        )),
        "group" => {
            let g = groups::find(tx, ctx.account, name)?;
            let mut identity = Vec::new();
            for i in inline::all(tx, ctx.account, Kind::Group, &g.id)? {
                identity.push(Source {
                    id: i.name,
                    document: i.document,
                });
            }
            for a in policies::attached_arns(tx, ctx.account, Kind::Group, &g.id)? {
                if let Some(m) = policies::resolve_existing(tx, ctx.account, &a)? {
                    identity.push(Source {
                        document: m.document(tx, ctx.account)?,
                        id: a,
                    });
                }
            }
            Ok((
                Kind::Group,
                name.to_string(),
                PolicySources {
                    identity,
                    ..PolicySources::default()
                },
            ))
        }
        _ => Err(not_found()),
    }
}

/// How AWS labels a source policy in simulation results.
fn source_type(id: &str) -> &'static str {
    if id.starts_with("arn:aws:iam::aws:policy") {
        "aws-managed"
    } else if id.contains(":policy/") {
        "user-managed"
    } else if id.starts_with("group/") {
        "group"
    } else if id.starts_with("role/") {
        "role"
    } else {
        "user"
    }
}

/// AWS names inline policies by their policy name and managed ones by ARN.
fn source_id(id: &str) -> String {
    if id.starts_with("arn:") {
        id.to_string()
    } else {
        id.rsplit('/').next().unwrap_or(id).to_string()
    }
}

pub fn simulate_principal_policy(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let arn = required(p, "PolicySourceArn")?;
    let (kind, name, sources) = principal_sources(tx, ctx, arn)?;
    let mut req = request_from(p)?;
    let extra = std::mem::take(&mut req.policy_input_list);
    let own = sources.identity.len();
    req.policy_input_list = sources
        .identity
        .iter()
        .map(|s| s.document.clone())
        .collect();
    req.policy_input_list.extend(extra);
    let boundary_from_principal =
        req.permissions_boundary_policy_input_list.is_empty() && sources.boundary.is_some();
    if let (true, Some(b)) = (boundary_from_principal, &sources.boundary) {
        req.permissions_boundary_policy_input_list = vec![b.document.clone()];
    }
    if kind == Kind::User {
        if req.caller_arn.is_none() {
            req.caller_arn = Some(arn.to_string());
        }
        let given = |k: &str| {
            req.context_entries
                .iter()
                .any(|e| e.context_key_name.eq_ignore_ascii_case(k))
        };
        if !given("aws:username") {
            req.context_entries.push(ContextEntry {
                context_key_name: "aws:username".to_string(),
                context_key_values: vec![name.clone()],
                context_key_type: "string".to_string(),
            });
        }
    }
    let mut resp = simulate(&req, ctx.now).map_err(policy_error)?;
    // Name the principal's own policies as AWS does.
    let rename = |st: &mut iamd_policy::simulate::SimStatement| {
        if let Some(n) = st.source_policy_id.strip_prefix("PolicyInputList.") {
            if let Ok(i) = n.parse::<usize>() {
                if let Some(s) = sources.identity.get(i - 1).filter(|_| i <= own) {
                    st.source_policy_id = source_id(&s.id);
                    st.source_policy_type = source_type(&s.id).to_string();
                } else {
                    st.source_policy_id = format!("PolicyInputList.{}", i - own);
                }
            }
        } else if boundary_from_principal
            && st
                .source_policy_id
                .starts_with("PermissionsBoundaryPolicyInputList")
            && let Some(b) = &sources.boundary
        {
            st.source_policy_id = source_id(&b.id);
            st.source_policy_type = "permissions-boundary".to_string();
        }
    };
    for r in &mut resp.evaluation_results {
        r.matched_statements.iter_mut().for_each(rename);
        for rs in &mut r.resource_specific_results {
            rs.matched_statements.iter_mut().for_each(rename);
        }
    }
    response_value(&resp)
}

fn context_keys(docs: &[String]) -> Result<Value, IamError> {
    let mut keys: Vec<String> = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let c = CompiledPolicy::from_text(
            d,
            DocumentKind::Identity,
            format!("PolicyInputList.{}", i + 1),
        )
        .map_err(policy_error)?;
        for k in c.context_keys() {
            if !keys.iter().any(|e| e.eq_ignore_ascii_case(&k)) {
                keys.push(k);
            }
        }
    }
    Ok(Value::object().with(
        "ContextKeyNames",
        Value::List(keys.into_iter().map(Value::Str).collect()),
    ))
}

fn input_list(p: &Params) -> Vec<String> {
    p.list("PolicyInputList")
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

pub fn get_context_keys_for_custom_policy(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    context_keys(&input_list(p))
}

pub fn get_context_keys_for_principal_policy(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let (_, _, sources) = principal_sources(tx, ctx, required(p, "PolicySourceArn")?)?;
    let mut docs: Vec<String> = sources.identity.into_iter().map(|s| s.document).collect();
    docs.extend(input_list(p));
    context_keys(&docs)
}

// GetAccountAuthorizationDetails.

fn inline_list(tx: &mut dyn Tx, account: &str, kind: Kind, id: &str) -> Result<Value, IamError> {
    Ok(Value::List(
        inline::all(tx, account, kind, id)?
            .into_iter()
            .map(|i| {
                Value::object()
                    .with("PolicyName", i.name)
                    .with("PolicyDocument", documents::url_encode(&i.document))
            })
            .collect(),
    ))
}

fn attached_list(tx: &mut dyn Tx, account: &str, kind: Kind, id: &str) -> Result<Value, IamError> {
    Ok(Value::List(
        policies::attached_arns(tx, account, kind, id)?
            .into_iter()
            .map(|arn| {
                let name = arn.rsplit('/').next().unwrap_or_default().to_string();
                Value::object()
                    .with("PolicyName", name)
                    .with("PolicyArn", arn)
            })
            .collect(),
    ))
}

fn all_records<T: serde::de::DeserializeOwned>(
    tx: &mut dyn Tx,
    prefix: &[u8],
) -> Result<Vec<T>, IamError> {
    let mut out = Vec::new();
    for (_, v) in tx.scan(prefix, None, usize::MAX)? {
        out.push(serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?);
    }
    Ok(out)
}

pub fn get_account_authorization_details(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let filter: Vec<&str> = p
        .list("Filter")
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let wants = |f: &str| filter.is_empty() || filter.contains(&f);
    let acct = ctx.account;
    let mut result = Value::object();
    if wants("User") {
        let mut list = Vec::new();
        for u in all_records::<User>(tx, &keys::users(acct))? {
            let mut group_names = Vec::new();
            for (k, _) in tx.scan(&keys::user_groups(acct, &u.id), None, usize::MAX)? {
                let gid = keys::last_segment(&k).to_string();
                if let Some(e) = crate::entities::by_id(tx, acct, Kind::Group, &gid)? {
                    group_names.push(Value::Str(e.name));
                }
            }
            let mut v = users::to_value(acct, &u, false)
                .with("UserPolicyList", inline_list(tx, acct, Kind::User, &u.id)?)
                .with("GroupList", Value::List(group_names))
                .with(
                    "AttachedManagedPolicies",
                    attached_list(tx, acct, Kind::User, &u.id)?,
                );
            if let Some(b) = &u.permissions_boundary {
                v = v.with("PermissionsBoundary", policies::boundary_value(b));
            }
            if !u.tags.is_empty() {
                v = v.with("Tags", tags::to_value(&u.tags));
            }
            list.push(v);
        }
        result = result.with("UserDetailList", Value::List(list));
    }
    if wants("Group") {
        let mut list = Vec::new();
        for g in all_records::<Group>(tx, &keys::groups(acct))? {
            list.push(
                groups::to_value(acct, &g)
                    .with(
                        "GroupPolicyList",
                        inline_list(tx, acct, Kind::Group, &g.id)?,
                    )
                    .with(
                        "AttachedManagedPolicies",
                        attached_list(tx, acct, Kind::Group, &g.id)?,
                    ),
            );
        }
        result = result.with("GroupDetailList", Value::List(list));
    }
    if wants("Role") {
        let mut list = Vec::new();
        for r in all_records::<Role>(tx, &keys::roles(acct))? {
            let mut profiles = Vec::new();
            for (k, _) in tx.scan(&keys::role_profiles(acct, &r.id), None, usize::MAX)? {
                let name = keys::last_segment(&k).to_string();
                if let Some(ip) =
                    records::get::<InstanceProfile>(tx, &keys::instance_profile(acct, &name))?
                {
                    profiles.push(
                        Value::object()
                            .with("Path", ip.path.as_str())
                            .with("InstanceProfileName", ip.name.as_str())
                            .with("InstanceProfileId", ip.id.as_str())
                            .with("Arn", roles::instance_profile_arn(acct, &ip.path, &ip.name))
                            .with("CreateDate", ip.created)
                            .with("Roles", Value::List(vec![roles::to_value(acct, &r, false)])),
                    );
                }
            }
            list.push(
                roles::to_value(acct, &r, true)
                    .with("InstanceProfileList", Value::List(profiles))
                    .with("RolePolicyList", inline_list(tx, acct, Kind::Role, &r.id)?)
                    .with(
                        "AttachedManagedPolicies",
                        attached_list(tx, acct, Kind::Role, &r.id)?,
                    ),
            );
        }
        result = result.with("RoleDetailList", Value::List(list));
    }
    let mut policy_list = Vec::new();
    if wants("LocalManagedPolicy") {
        for mp in all_records::<ManagedPolicy>(tx, &keys::policies(acct))? {
            let arn = policies::policy_arn(acct, &mp.path, &mp.name);
            policy_list.push(policy_detail(tx, acct, &arn)?);
        }
    }
    if wants("AWSManagedPolicy") {
        // The AWS policies in use, from the usage indexes: not a scan per AWS policy.
        let mut used: Vec<&aws_policies::AwsPolicy> = policies::usage(tx, acct)?
            .keys()
            .filter_map(|arn| aws_policies::by_arn(arn))
            .collect();
        used.sort_by_key(|a| a.name);
        for a in used {
            policy_list.push(policy_detail(tx, acct, &a.arn())?);
        }
    }
    if wants("LocalManagedPolicy") || wants("AWSManagedPolicy") {
        result = result.with("Policies", Value::List(policy_list));
    }
    Ok(result.with("IsTruncated", false))
}

fn policy_detail(tx: &mut dyn Tx, account: &str, arn: &str) -> Result<Value, IamError> {
    let params = Params(Value::object().with("PolicyArn", arn));
    let versions = policies::list_policy_versions_for(tx, account, arn)?;
    let policy = policies::policy_json(tx, account, &params)?;
    Ok(policy.with("PolicyVersionList", versions))
}
