//! `iamd serve`: open the store, bootstrap the default account on first start, listen.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use time::OffsetDateTime;

use iamd_iam::accounts;
use iamd_iam::secrets::MasterKey;
use iamd_server::{AppState, Config, DEV_ACCOUNT};
use iamd_store::{MemoryStore, PostgresStore, SqliteStore, Store};

#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8600")]
    listen: SocketAddr,
    /// Directory for the database, the master key and the root credentials
    /// (default `./iamd-data`; with `--store memory`, nothing is written unless this is given).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Storage: `sqlite:PATH` (default: `sqlite:<data-dir>/iamd.db`), `postgres://USER@HOST/DB`
    /// (a database several servers share; pending migrations are applied at start), or `memory`
    /// (nothing on disk; for tests).
    #[arg(long, env = "IAMD_STORE", hide_env_values = true)]
    store: Option<String>,
    /// The default account's 12-digit ID on first start (random unless given; 123456789012
    /// with --dev).
    #[arg(long, value_parser = parse_account_id)]
    account_id: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Local testing only: access keys the store does not know act as the root of account
    /// 123456789012 without a signature check. Known keys are still verified.
    #[arg(long)]
    dev: bool,
    /// Let --dev listen on a non-loopback address (refused otherwise).
    #[arg(long, requires = "dev")]
    dev_allow_remote: bool,
    /// The master key that seals secrets at rest, as 64 hex digits (default: the file
    /// `<data-dir>/master.key`, created on first start).
    #[arg(long, env = "IAMD_MASTER_KEY", hide_env_values = true)]
    master_key: Option<String>,
    /// A file holding the master key (64 hex digits), e.g. the same secret on every server of
    /// a shared store.
    #[arg(long, env = "IAMD_MASTER_KEY_FILE")]
    master_key_file: Option<PathBuf>,
    /// Seconds to let requests in flight finish after SIGTERM before exiting anyway.
    #[arg(long, default_value_t = 20)]
    drain_seconds: u64,
    /// Days of audit events to keep (0: forever).
    #[arg(long, default_value_t = 90)]
    audit_retention_days: u32,
    /// Record no audit events. Only for measuring what the trail costs.
    #[arg(long)]
    no_audit: bool,
    /// Also serve HTTPS, with this certificate chain (PEM). Needs --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Address of the HTTPS listener (with --tls-cert).
    #[arg(long, default_value = "127.0.0.1:8643")]
    tls_listen: SocketAddr,
    /// Testing only (with --dev): every web console session ends after this many seconds,
    /// so tests can watch a real expiry.
    #[arg(long, requires = "dev")]
    dev_console_session_seconds: Option<i64>,
}

fn parse_account_id(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err("an account ID is 12 digits".to_string())
    }
}

pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("IAMD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Writes `contents` to a new file readable by its owner only.
fn write_private(path: &Path, contents: &[u8]) -> Result<(), String> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    // `mode` applies only when the file is created: make sure of it in every case.
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
    f.write_all(contents).map_err(|e| e.to_string())?;
    f.sync_all().map_err(|e| e.to_string())
}

/// Whether `store` names a database shared by several servers.
pub fn is_shared(store: Option<&str>) -> bool {
    store.is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

fn parse_master_key(hex_key: &str, from: &str) -> Result<MasterKey, String> {
    let bytes = hex::decode(hex_key.trim()).map_err(|_| format!("{from} must be 64 hex digits"))?;
    MasterKey::from_bytes(&bytes)
}

/// The master key: `arg` (IAMD_MASTER_KEY) when given; else the file `IAMD_MASTER_KEY_FILE`
/// names; else `<data-dir>/master.key`, created on first use — except for a shared store,
/// whose servers must all use the same key, so none is made up.
pub fn load_master_key(
    arg: Option<&str>,
    data_dir: &Path,
    store: Option<&str>,
) -> Result<MasterKey, String> {
    load_master_key_from(arg, None, data_dir, store)
}

/// As [`load_master_key`], with `file` (`--master-key-file`) before the environment's.
pub fn load_master_key_from(
    arg: Option<&str>,
    file: Option<&Path>,
    data_dir: &Path,
    store: Option<&str>,
) -> Result<MasterKey, String> {
    if let Some(hex_key) = arg {
        return parse_master_key(hex_key, "IAMD_MASTER_KEY");
    }
    let from_env = std::env::var_os("IAMD_MASTER_KEY_FILE")
        .filter(|f| !f.is_empty())
        .map(PathBuf::from);
    if let Some(path) = file.map(Path::to_path_buf).or(from_env) {
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read the master key {}: {e}", path.display()))?;
        return parse_master_key(&text, &path.display().to_string());
    }
    let path = data_dir.join("master.key");
    match fs::read_to_string(&path) {
        Ok(text) => parse_master_key(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && is_shared(store) => Err(format!(
            "no master key: with a shared store every server needs the same key, from \
             --master-key-file / IAMD_MASTER_KEY_FILE or IAMD_MASTER_KEY (make one with \
             `openssl rand -hex 32`), or {}",
            path.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (key, bytes) = MasterKey::generate()?;
            write_private(&path, format!("{}\n", hex::encode(bytes)).as_bytes())?;
            tracing::info!(path = %path.display(), "created the master key");
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

pub fn open_store(arg: Option<&str>, data_dir: &Path) -> Result<Arc<dyn Store>, String> {
    let path = match arg {
        Some("memory") => return Ok(Arc::new(MemoryStore::new())),
        None => data_dir.join("iamd.db"),
        Some(s) if s.starts_with("sqlite:") => PathBuf::from(&s["sqlite:".len()..]),
        Some(s) if is_shared(Some(s)) => {
            let store = PostgresStore::open(s).map_err(|e| format!("cannot open {s}: {e}"))?;
            return Ok(Arc::new(store));
        }
        Some(s) => {
            return Err(format!(
                "unknown store {s:?}: use sqlite:PATH, postgres://USER@HOST/DB or memory"
            ));
        }
    };
    let store =
        SqliteStore::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    Ok(Arc::new(store))
}

pub fn run(args: ServeArgs) -> Result<(), String> {
    init_logging(args.log_format);

    if args.dev && !args.listen.ip().is_loopback() && !args.dev_allow_remote {
        return Err(format!(
            "--dev refuses to listen on {} (not a loopback address): unknown keys act as root without a signature check. Add --dev-allow-remote to insist.",
            args.listen
        ));
    }
    let in_memory = args.store.as_deref() == Some("memory");
    // With the memory store nothing goes to disk unless a data directory is asked for.
    let data_dir = match (&args.data_dir, in_memory) {
        (Some(d), _) => Some(d.clone()),
        (None, false) => Some(PathBuf::from("./iamd-data")),
        (None, true) => None,
    };
    if let Some(dir) = &data_dir {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    }
    if args.dev {
        tracing::warn!(
            "*** DEV MODE: unknown access keys act as root WITHOUT a signature check. Never expose this server. ***"
        );
    }
    let master = Arc::new(match (&data_dir, in_memory) {
        (Some(dir), false) => load_master_key_from(
            args.master_key.as_deref(),
            args.master_key_file.as_deref(),
            dir,
            args.store.as_deref(),
        )?,
        _ => match (args.master_key.as_deref(), &args.master_key_file) {
            (Some(k), _) => parse_master_key(k, "IAMD_MASTER_KEY")?,
            (None, Some(f)) => load_master_key_from(None, Some(f), Path::new("."), None)?,
            (None, None) => MasterKey::generate()?.0,
        },
    });
    let store = open_store(
        args.store.as_deref(),
        data_dir.as_deref().unwrap_or(Path::new(".")),
    )?;
    let requested = args
        .account_id
        .clone()
        .or_else(|| args.dev.then(|| DEV_ACCOUNT.to_string()));
    let boot = accounts::bootstrap(
        store.as_ref(),
        &master,
        requested.as_deref(),
        OffsetDateTime::now_utc(),
    )
    .map_err(|e| format!("cannot initialise the store: {e}"))?;
    match (&boot.new_root_key, &data_dir) {
        (Some((key_id, secret)), Some(dir)) => {
            let creds_path = dir.join("root-credentials");
            let text = format!(
                "[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
            );
            write_private(&creds_path, text.as_bytes())?;
            tracing::info!(account = %boot.account_id, access_key_id = %key_id, path = %creds_path.display(), "created the default account and its root access key");
        }
        (Some((key_id, _)), None) => {
            tracing::info!(account = %boot.account_id, access_key_id = %key_id, "created the default account and its root access key (in memory only)");
        }
        (None, _) => {
            tracing::info!(account = %boot.account_id, "using the existing default account")
        }
    }
    let mut config = Config::new(boot.account_id.clone());
    config.dev = args.dev;
    config.audit = !args.no_audit;
    config.audit_retention_days = args.audit_retention_days;
    if args.dev {
        // Kept in memory so /_iamd/reset can restore the same root key.
        config.dev_root_key = iamd_store::read(store.as_ref(), |tx| {
            accounts::root_key(tx, &master, &boot.account_id)
        })
        .map_err(|e| e.to_string())?;
    }
    let console = iamd_console::Settings {
        session_cap_seconds: args.dev_console_session_seconds,
        ..iamd_console::Settings::default()
    };
    let state = Arc::new(AppState::with_console(
        config,
        store.clone(),
        master,
        console,
    )?);
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let listener = std::net::TcpListener::bind(args.tls_listen)
                .map_err(|e| format!("cannot listen on {}: {e}", args.tls_listen))?;
            Some(iamd_server::Tls {
                listener,
                cert: cert.clone(),
                key: key.clone(),
            })
        }
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        if tls.is_some() {
            tracing::info!(listen = %args.tls_listen, "HTTPS listener");
        }
        tracing::info!(listen = %args.listen, store = %store.describe(), "iamd is ready");
        // After SIGTERM the listener closes and requests in flight finish; past the drain time
        // the process exits anyway.
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            shutdown_signal().await;
            tracing::info!("shutting down: draining requests in flight");
            let _ = stopping_tx.send(());
        };
        let drain = std::time::Duration::from_secs(args.drain_seconds);
        let serving = iamd_server::serve_with_tls(listener, tls, state, signal);
        tokio::pin!(serving);
        tokio::select! {
            r = &mut serving => r.map_err(|e| e.to_string()),
            () = async {
                if stopping_rx.await.is_ok() {
                    tokio::time::sleep(drain).await;
                } else {
                    std::future::pending::<()>().await;
                }
            } => {
                tracing::warn!("requests still in flight after the drain time; exiting");
                Ok(())
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
