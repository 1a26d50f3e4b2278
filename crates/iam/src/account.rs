//! Account-wide operations: the alias (unique across the server), the summary of counts and
//! quotas, the credential report, and access keys' last use.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value, iso8601};

use crate::records::{self, AccessKey, KeyOwner, User};
use crate::users::required;
use crate::{Ctx, EntityKind, IamError, accounts, certificates, keys, mfa, passwords, policies};

fn alias_key(alias: &str) -> Vec<u8> {
    format!("alias/{alias}").into_bytes()
}

/// AWS's alias rule (`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`; the model's look-ahead is
/// beyond the regex engine, so it is checked here): 3–63 characters, lowercase letters, digits
/// and single hyphens, starting and ending with a letter or digit.
pub fn valid_alias(a: &str) -> bool {
    let b = a.as_bytes();
    let ok_char = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (3..=63).contains(&b.len())
        && b.first().is_some_and(ok_char)
        && b.last().is_some_and(ok_char)
        && b.iter().all(|c| ok_char(c) || *c == b'-')
        && !a.contains("--")
}

pub fn create_account_alias(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let alias = required(p, "AccountAlias")?;
    if !valid_alias(alias) {
        return Err(IamError::validation(
            "1 validation error detected: Value at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
        ));
    }
    if let Some(owner) = tx.get(&alias_key(alias))? {
        if owner != ctx.account.as_bytes() {
            return Err(IamError::already_exists(
                EntityKind::AccountAlias,
                alias,
                format!("The account alias {alias} already exists."),
            ));
        }
        return Ok(Value::object());
    }
    let mut account = accounts::get(tx, ctx.account)?;
    if let Some(old) = account.alias.take() {
        tx.delete(&alias_key(&old))?;
    }
    account.alias = Some(alias.to_string());
    accounts::put(tx, &account)?;
    tx.put(&alias_key(alias), ctx.account.as_bytes())?;
    Ok(Value::object())
}

pub fn list_account_aliases(tx: &mut dyn Tx, ctx: &Ctx, _p: &Params) -> Result<Value, IamError> {
    let account = accounts::get(tx, ctx.account)?;
    let list = account.alias.into_iter().map(Value::Str).collect();
    Ok(Value::object()
        .with("AccountAliases", Value::List(list))
        .with("IsTruncated", false))
}

pub fn delete_account_alias(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let alias = required(p, "AccountAlias")?;
    let mut account = accounts::get(tx, ctx.account)?;
    if account.alias.as_deref() != Some(alias) {
        return Err(IamError::no_such_entity(
            EntityKind::AccountAlias,
            alias,
            format!("The account alias {alias} cannot be found."),
        ));
    }
    account.alias = None;
    accounts::put(tx, &account)?;
    tx.delete(&alias_key(alias))?;
    Ok(Value::object())
}

/// The account whose alias is `alias` (the console's sign-in URL accepts either).
pub fn account_for_alias(tx: &mut dyn Tx, alias: &str) -> Result<Option<String>, IamError> {
    Ok(tx
        .get(&alias_key(alias))?
        .map(|b| String::from_utf8_lossy(&b).into_owned()))
}

fn count(tx: &mut dyn Tx, prefix: &[u8]) -> Result<i64, IamError> {
    Ok(tx.scan(prefix, None, usize::MAX)?.len() as i64)
}

pub fn get_account_summary(tx: &mut dyn Tx, ctx: &Ctx, _p: &Params) -> Result<Value, IamError> {
    let a = accounts::get(tx, ctx.account)?;
    let acct = ctx.account;
    let mfa_devices = count(tx, format!("mfa/{acct}/").as_bytes())?;
    let mfa_in_use = count(tx, format!("usermfa/{acct}/").as_bytes())?;
    let root_mfa = count(tx, format!("usermfa/{acct}/root/").as_bytes())?;
    let root_keys = count(tx, &keys::owner_keys(acct, "root"))?;
    let root_certs = certificates::signing_certificates_of(tx, acct, "root")?.len() as i64;
    let server_certs = certificates::server_certificate_count(tx, acct)? as i64;
    let providers = count(tx, format!("oidc/{acct}/").as_bytes())?
        + count(tx, format!("saml/{acct}/").as_bytes())?;
    let versions = count(tx, format!("policyver/{acct}/").as_bytes())?;
    let token_version = crate::sts_preferences::global_endpoint_token_version(tx, acct)?;
    let l = ctx.limits;
    let entries: Vec<(&str, i64)> = vec![
        ("Users", i64::from(a.users)),
        ("UsersQuota", i64::from(l.users_per_account)),
        ("Groups", i64::from(a.groups)),
        ("GroupsQuota", i64::from(l.groups_per_account)),
        ("GroupsPerUserQuota", i64::from(l.groups_per_user)),
        ("Roles", i64::from(a.roles)),
        ("RolesQuota", i64::from(crate::roles::ROLES_PER_ACCOUNT)),
        ("InstanceProfiles", i64::from(a.instance_profiles)),
        (
            "InstanceProfilesQuota",
            i64::from(crate::roles::INSTANCE_PROFILES_PER_ACCOUNT),
        ),
        ("Policies", i64::from(a.policies)),
        ("PoliciesQuota", i64::from(policies::POLICIES_PER_ACCOUNT)),
        ("PolicySizeQuota", policies::MANAGED_POLICY_SIZE as i64),
        ("PolicyVersionsInUse", versions),
        ("PolicyVersionsInUseQuota", 10_000),
        (
            "VersionsPerPolicyQuota",
            policies::VERSIONS_PER_POLICY as i64,
        ),
        (
            "AttachedPoliciesPerUserQuota",
            policies::ATTACHED_PER_ENTITY as i64,
        ),
        (
            "AttachedPoliciesPerGroupQuota",
            policies::ATTACHED_PER_ENTITY as i64,
        ),
        (
            "AttachedPoliciesPerRoleQuota",
            policies::ATTACHED_PER_ENTITY as i64,
        ),
        ("UserPolicySizeQuota", 2048),
        ("GroupPolicySizeQuota", 5120),
        ("RolePolicySizeQuota", 10_240),
        (
            "AssumeRolePolicySizeQuota",
            crate::roles::ROLE_TRUST_POLICY_SIZE as i64,
        ),
        (
            "AccessKeysPerUserQuota",
            crate::access_keys::KEYS_PER_USER as i64,
        ),
        (
            "SigningCertificatesPerUserQuota",
            certificates::SIGNING_CERTIFICATES_PER_USER as i64,
        ),
        ("ServerCertificates", server_certs),
        (
            "ServerCertificatesQuota",
            certificates::SERVER_CERTIFICATES_PER_ACCOUNT as i64,
        ),
        ("MFADevices", mfa_devices),
        ("MFADevicesInUse", mfa_in_use),
        ("AccountMFAEnabled", i64::from(root_mfa > 0)),
        ("AccountAccessKeysPresent", i64::from(root_keys > 0)),
        (
            "AccountSigningCertificatesPresent",
            i64::from(root_certs > 0),
        ),
        ("Providers", providers),
        ("GlobalEndpointTokenVersion", token_version),
    ];
    let map = entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::Int(v)))
        .collect();
    Ok(Value::object().with("SummaryMap", Value::Map(map)))
}

// Access keys' last use.

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LastUsed {
    #[serde(with = "time::serde::rfc3339")]
    pub date: OffsetDateTime,
    pub service: String,
    pub region: String,
}

fn last_used_key(key_id: &str) -> Vec<u8> {
    format!("akeyused/{key_id}").into_bytes()
}

/// Records a key's use (called off the request path, in batches).
pub fn record_key_use(tx: &mut dyn Tx, key_id: &str, used: &LastUsed) -> Result<(), IamError> {
    if tx.get(&keys::access_key(key_id))?.is_some() {
        records::put(tx, &last_used_key(key_id), used)?;
    }
    Ok(())
}

pub fn last_used(tx: &mut dyn Tx, key_id: &str) -> Result<Option<LastUsed>, IamError> {
    records::get(tx, &last_used_key(key_id))
}

pub fn get_access_key_last_used(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let id = required(p, "AccessKeyId")?;
    let key: AccessKey = records::get(tx, &keys::access_key(id))?
        .filter(|k: &AccessKey| k.account == ctx.account)
        .ok_or_else(|| {
            IamError::access_denied(format!("The Access Key with id {id} cannot be found."))
        })?;
    let user_name = match &key.owner {
        KeyOwner::User { id } => crate::users::find_by_id(tx, ctx.account, id)?.map(|u| u.name),
        KeyOwner::Root => None,
    };
    let used = match last_used(tx, id)? {
        Some(u) => Value::object()
            .with("LastUsedDate", u.date)
            .with("ServiceName", u.service)
            .with("Region", u.region),
        None => Value::object()
            .with("ServiceName", "N/A")
            .with("Region", "N/A"),
    };
    Ok(Value::object()
        .with_opt("UserName", user_name)
        .with("AccessKeyLastUsed", used))
}

// The credential report.

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Report {
    csv: String,
    #[serde(with = "time::serde::rfc3339")]
    generated: OffsetDateTime,
}

fn report_key(account: &str) -> Vec<u8> {
    format!("credreport/{account}").into_bytes()
}

/// AWS keeps a report usable for four hours.
const REPORT_HOURS: i64 = 4;

const COLUMNS: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

fn date_or(t: Option<OffsetDateTime>, none: &str) -> String {
    t.map(iso8601).unwrap_or_else(|| none.to_string())
}

fn key_columns(tx: &mut dyn Tx, account: &str, owner: &str) -> Result<Vec<String>, IamError> {
    let mut cols = Vec::new();
    let prefix = keys::owner_keys(account, owner);
    let ids: Vec<String> = tx
        .scan(&prefix, None, 2)?
        .iter()
        .map(|(k, _)| keys::last_segment(k).to_string())
        .collect();
    // access_key_1 is the older key.
    let mut found = Vec::new();
    for id in &ids {
        if let Some(k) = records::get::<AccessKey>(tx, &keys::access_key(id))? {
            found.push(k);
        }
    }
    found.sort_by_key(|k| k.created);
    for i in 0..2 {
        match found.get(i).cloned() {
            Some(k) => {
                let used = last_used(tx, &k.id)?;
                cols.push((k.status == "Active").to_string());
                cols.push(iso8601(k.created));
                cols.push(date_or(used.as_ref().map(|u| u.date), "N/A"));
                cols.push(
                    used.as_ref()
                        .map_or("N/A".to_string(), |u| u.region.clone()),
                );
                cols.push(
                    used.as_ref()
                        .map_or("N/A".to_string(), |u| u.service.clone()),
                );
            }
            None => cols.extend(["false", "N/A", "N/A", "N/A", "N/A"].map(str::to_string)),
        }
    }
    Ok(cols)
}

fn cert_columns(tx: &mut dyn Tx, account: &str, owner: &str) -> Result<Vec<String>, IamError> {
    let mut certs = certificates::signing_certificates_of(tx, account, owner)?;
    certs.sort_by_key(|c| c.1);
    let mut cols = Vec::new();
    for i in 0..2 {
        match certs.get(i) {
            Some((active, date)) => {
                cols.push(active.to_string());
                cols.push(iso8601(*date));
            }
            None => cols.extend(["false", "N/A"].map(str::to_string)),
        }
    }
    Ok(cols)
}

pub fn generate_credential_report(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    let acct = ctx.account;
    let account = accounts::get(tx, acct)?;
    // AWS answers the first call (no report, or only an expired one) `STARTED` with a
    // description, and later calls `COMPLETE` without one (API reference example at
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateCredentialReport.html;
    // clients such as the aws CLI's and Terraform's wait loops poll until `COMPLETE`). The
    // report itself is ready at once here, so GetCredentialReport works after either answer.
    let fresh = records::get::<Report>(tx, &report_key(acct))?
        .is_some_and(|r| r.generated + time::Duration::hours(REPORT_HOURS) >= ctx.now);
    let mut lines = vec![COLUMNS.to_string()];
    // The root user's row: its password is managed outside IAM.
    let mut root = vec![
        "<root_account>".to_string(),
        format!("arn:aws:iam::{acct}:root"),
        iso8601(account.created),
        "not_supported".to_string(),
        "no_information".to_string(),
        "not_supported".to_string(),
        "not_supported".to_string(),
        (!tx.scan(format!("usermfa/{acct}/root/").as_bytes(), None, 1)?
            .is_empty())
        .to_string(),
    ];
    root.extend(key_columns(tx, acct, "root")?);
    root.extend(cert_columns(tx, acct, "root")?);
    lines.push(root.join(","));
    let users: Vec<User> = tx
        .scan(&keys::users(acct), None, usize::MAX)?
        .iter()
        .map(|(_, v)| serde_json::from_slice(v).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect::<Result<_, _>>()?;
    let max_age = passwords::policy(tx, acct)?.and_then(|p| p.max_age_days);
    for u in users {
        let profile =
            records::get::<passwords::LoginProfile>(tx, &passwords::profile_key(acct, &u.id))?;
        let mut row = vec![
            u.name.clone(),
            crate::principal::user_arn(acct, &u.path, &u.name),
            iso8601(u.created),
            profile.is_some().to_string(),
            match (&profile, u.password_last_used) {
                (None, _) => "N/A".to_string(),
                (Some(_), t) => date_or(t, "no_information"),
            },
            profile
                .as_ref()
                .map_or("N/A".to_string(), |p| iso8601(p.changed)),
            match (&profile, max_age) {
                (Some(p), Some(days)) => iso8601(p.changed + time::Duration::days(days)),
                _ => "N/A".to_string(),
            },
            mfa::user_has_devices(tx, acct, &u.id)?.to_string(),
        ];
        row.extend(key_columns(tx, acct, &u.id)?);
        row.extend(cert_columns(tx, acct, &u.id)?);
        lines.push(row.join(","));
    }
    let report = Report {
        csv: lines.join("\n") + "\n",
        generated: ctx.now,
    };
    records::put(tx, &report_key(acct), &report)?;
    Ok(if fresh {
        Value::object().with("State", "COMPLETE")
    } else {
        Value::object().with("State", "STARTED").with(
            "Description",
            "No report exists. Starting a new report generation task",
        )
    })
}

pub fn get_credential_report(tx: &mut dyn Tx, ctx: &Ctx, _p: &Params) -> Result<Value, IamError> {
    let Some(report) = records::get::<Report>(tx, &report_key(ctx.account))? else {
        return Err(IamError::CredentialReportNotPresent);
    };
    if report.generated + time::Duration::hours(REPORT_HOURS) < ctx.now {
        return Err(IamError::CredentialReportExpired);
    }
    Ok(Value::object()
        .with("Content", Value::Blob(report.csv.into_bytes()))
        .with("ReportFormat", "text/csv")
        .with("GeneratedTime", report.generated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_rule() {
        for ok in ["abc", "my-company", "a1b", "x".repeat(63).as_str()] {
            assert!(valid_alias(ok), "{ok}");
        }
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "a--b",
            "ABC",
            "a_b",
            "x".repeat(64).as_str(),
        ] {
            assert!(!valid_alias(bad), "{bad}");
        }
    }
}
