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
    /// Set the root user's web console password, read from standard input (never from the
    /// command line): its first line.
    SetRootPassword(SetRootPasswordArgs),
}

#[derive(Args)]
pub struct SetRootPasswordArgs {
    /// The account (default: the store's default account).
    #[arg(long)]
    account_id: Option<String>,
    #[arg(long, default_value = "./iamd-data")]
    data_dir: PathBuf,
    #[arg(long)]
    store: Option<String>,
}

fn set_root_password(args: SetRootPasswordArgs) -> Result<(), String> {
    if args.store.as_deref() == Some("memory") {
        return Err("an in-memory store belongs to a running server".to_string());
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    let store = crate::serve::open_store(args.store.as_deref(), &args.data_dir)?;
    let account = match args.account_id {
        Some(id) => id,
        None => iamd_store::read(store.as_ref(), |tx| {
            tx.get(&iamd_iam::keys::meta("default-account"))
        })
        .map_err(|e| e.to_string())?
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .ok_or("the store has no default account: start the server once first")?,
    };
    iamd_store::write(store.as_ref(), |tx| {
        iamd_iam::console_login::set_root_password(
            tx,
            &account,
            password,
            OffsetDateTime::now_utc(),
        )
    })
    .map_err(|e: iamd_iam::IamError| e.to_string())?;
    println!("the root user of account {account} has a new console password");
    Ok(())
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
    let args = match cmd {
        AccountCommand::Create(args) => args,
        AccountCommand::SetRootPassword(args) => return set_root_password(args),
    };
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
