//! `iamd account create`: another account in the same store (for cross-account setups), with
//! a root access key printed once.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use time::OffsetDateTime;

use iamd_iam::{accounts, ids};

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Create an account and its root access key (printed in the credentials-file format).
    Create(CreateArgs),
}

#[derive(Args)]
pub struct CreateArgs {
    /// The new account's 12-digit ID (random unless given).
    #[arg(long)]
    account_id: Option<String>,
    /// The server's data directory (its store and master key).
    #[arg(long, default_value = "./iamd-data")]
    data_dir: PathBuf,
    /// The store, as for `iamd serve`.
    #[arg(long)]
    store: Option<String>,
    #[arg(long, env = "IAMD_MASTER_KEY", hide_env_values = true)]
    master_key: Option<String>,
}

pub fn run(cmd: AccountCommand) -> Result<(), String> {
    let AccountCommand::Create(args) = cmd;
    if args.store.as_deref() == Some("memory") {
        return Err("an in-memory store belongs to a running server: create accounts there (with --dev, a 12-digit access key creates its account)".to_string());
    }
    let master = crate::serve::load_master_key(
        args.master_key.as_deref(),
        &args.data_dir,
        args.store.as_deref(),
    )?;
    let store = crate::serve::open_store(args.store.as_deref(), &args.data_dir)?;
    let id = match args.account_id {
        Some(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => id,
        Some(_) => return Err("an account ID is 12 digits".to_string()),
        None => ids::account_id().map_err(|e| e.message)?,
    };
    let now = OffsetDateTime::now_utc();
    let (key_id, secret) = iamd_store::write(store.as_ref(), |tx| {
        accounts::create(tx, &id, now)?;
        accounts::create_root_key(tx, &master, &id, now)
    })
    .map_err(|e: iamd_iam::IamError| e.to_string())?;
    println!("# account {id}: its root access key, shown this once");
    println!("[account-{id}]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}");
    Ok(())
}

/// `iamd keyring rotate`: a new key seals session tokens from now on; tokens sealed with older
/// keys stay valid until they expire (keys older than the longest session are pruned).
#[derive(Args)]
pub struct RotateArgs {
    #[arg(long, default_value = "./iamd-data")]
    data_dir: PathBuf,
    #[arg(long)]
    store: Option<String>,
    #[arg(long, env = "IAMD_MASTER_KEY", hide_env_values = true)]
    master_key: Option<String>,
}

#[derive(Subcommand)]
pub enum KeyringCommand {
    /// Start sealing session tokens with a new key.
    Rotate(RotateArgs),
}

pub fn run_keyring(cmd: KeyringCommand) -> Result<(), String> {
    let KeyringCommand::Rotate(args) = cmd;
    let master = crate::serve::load_master_key(
        args.master_key.as_deref(),
        &args.data_dir,
        args.store.as_deref(),
    )?;
    let store = crate::serve::open_store(args.store.as_deref(), &args.data_dir)?;
    let ring = iamd_iam::keyring::rotate(store.as_ref(), &master, OffsetDateTime::now_utc())
        .map_err(|e| e.to_string())?;
    let ids: Vec<String> = ring
        .keys
        .iter()
        .map(|k| format!("{}{}", k.id, if k.retired { " (retired)" } else { "" }))
        .collect();
    println!("token key ring: {}", ids.join(", "));
    Ok(())
}
