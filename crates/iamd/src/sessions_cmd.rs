//! `iamd sessions revoke|list`: early revocation of temporary credentials, through the engine
//! as the account's root (so it is validated and audited like the API's `RevokeSessions`).
//! A running server sees it on its next request (SQLite: within a quarter second).

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};

use iamd_engine::{Call, Config, Engine, FrontEnd, Input, Principal, RequestFacts};
use iamd_wire::{Params, Value};

#[derive(Subcommand)]
pub enum SessionsCommand {
    /// Revoke one session by its access key ID, or a principal's sessions issued before a time.
    Revoke(RevokeArgs),
    /// List an account's revocations.
    List(StoreArgs),
}

#[derive(Args)]
pub struct StoreArgs {
    /// The server's data directory (its store and master key).
    #[arg(long, default_value = "./iamd-data")]
    data_dir: PathBuf,
    /// The store, as for `iamd serve`.
    #[arg(long)]
    store: Option<String>,
    #[arg(long, env = "IAMD_MASTER_KEY", hide_env_values = true)]
    master_key: Option<String>,
    /// The account (taken from --principal-arn when that is given).
    #[arg(long)]
    account_id: Option<String>,
}

#[derive(Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// One session: its temporary access key ID (ASIA…).
    #[arg(long, conflicts_with = "principal_arn")]
    access_key_id: Option<String>,
    /// Every session of this role, user or role session…
    #[arg(long)]
    principal_arn: Option<String>,
    /// …issued before this time (RFC 3339; now by default).
    #[arg(long, requires = "principal_arn")]
    issued_before: Option<String>,
}

fn call(args: &StoreArgs, account: &str, op: &str, input: Value) -> Result<Value, String> {
    if args.store.as_deref() == Some("memory") {
        return Err("an in-memory store belongs to its server".to_string());
    }
    let master = crate::serve::load_master_key(
        args.master_key.as_deref(),
        &args.data_dir,
        args.store.as_deref(),
    )?;
    let store = crate::serve::open_store(args.store.as_deref(), &args.data_dir)?;
    let engine = Engine::new(Config::new(account.to_string()), store, Arc::new(master))?;
    let answer = engine.call_blocking(Call {
        caller: Some(Principal::root(account, None)),
        operation: op.to_string(),
        subject: None,
        input: Input::Typed(Params(input)),
        facts: RequestFacts::new(uuid_like(), FrontEnd::Cli),
    });
    engine.audit.flush();
    answer.result.map_err(|e| e.to_api().to_string())
}

fn uuid_like() -> String {
    format!("cli-{}", std::process::id())
}

pub fn run(cmd: SessionsCommand) -> Result<bool, String> {
    let (args, account, op, input) = match &cmd {
        SessionsCommand::Revoke(r) => {
            let account = r
                .principal_arn
                .as_deref()
                .and_then(|a| a.split(':').nth(4))
                .map(str::to_string)
                .or_else(|| r.store.account_id.clone())
                .ok_or("give --account-id (or --principal-arn)")?;
            let mut v = Value::object()
                .with_opt("AccessKeyId", r.access_key_id.clone())
                .with_opt("PrincipalArn", r.principal_arn.clone());
            if let Some(t) = &r.issued_before {
                v = v.with("IssuedBefore", t.as_str());
            }
            (&r.store, account, "RevokeSessions", v)
        }
        SessionsCommand::List(s) => {
            let account = s.account_id.clone().ok_or("give --account-id")?;
            (s, account, "ListSessionRevocations", Value::object())
        }
    };
    let out = call(args, &account, op, input)?;
    println!("{}", out.to_json());
    Ok(true)
}
