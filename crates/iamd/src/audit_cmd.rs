//! `iamd audit verify|export|tail`: the audit trail, read straight from the store (beside a
//! running server too).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use iamd_engine::audit::{ChainKey, chain};
use iamd_store::Store;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every account's chain; fails on the first edited, deleted or reordered event.
    Verify(StoreArgs),
    /// Print events as JSON lines, oldest first.
    Export(ExportArgs),
    /// Print the latest events as JSON lines, and with --follow the new ones as they come.
    Tail(TailArgs),
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
    /// Only this account (all accounts by default).
    #[arg(long)]
    account_id: Option<String>,
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
pub struct TailArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// How many of the latest events to print first.
    #[arg(short = 'n', long, default_value_t = 20)]
    lines: usize,
    /// Keep printing new events.
    #[arg(short, long)]
    follow: bool,
}

fn open(args: &StoreArgs) -> Result<(Box<dyn Store>, Vec<String>), String> {
    if args.store.as_deref() == Some("memory") {
        return Err("an in-memory store belongs to its server".to_string());
    }
    let store = crate::serve::open_store(args.store.as_deref(), &args.data_dir)?;
    let accounts = match &args.account_id {
        Some(a) => vec![a.clone()],
        None => chain::accounts(store.as_ref()).map_err(|e| e.to_string())?,
    };
    let store: Box<dyn Store> = Box::new(ArcStore(store));
    Ok((store, accounts))
}

/// `Arc<dyn Store>` as a `Store`.
struct ArcStore(std::sync::Arc<dyn Store>);

impl Store for ArcStore {
    fn read(
        &self,
        f: &mut dyn FnMut(&mut dyn iamd_store::Tx) -> Result<(), iamd_store::StoreError>,
    ) -> Result<(), iamd_store::StoreError> {
        self.0.read(f)
    }
    fn write(
        &self,
        f: &mut dyn FnMut(&mut dyn iamd_store::Tx) -> Result<(), iamd_store::StoreError>,
    ) -> Result<(), iamd_store::StoreError> {
        self.0.write(f)
    }
    fn generation(&self) -> u64 {
        self.0.generation()
    }
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn wipe(&self) -> Result<(), iamd_store::StoreError> {
        self.0.wipe()
    }
    fn subscribe(&self, l: iamd_store::Listener) {
        self.0.subscribe(l)
    }
}

pub fn run(cmd: AuditCommand) -> Result<bool, String> {
    match cmd {
        AuditCommand::Verify(args) => verify(&args),
        AuditCommand::Export(args) => {
            let (store, accounts) = open(&args.store)?;
            for a in accounts {
                for r in events_after(store.as_ref(), &a, 0, usize::MAX)? {
                    println!("{}", r.event);
                }
            }
            Ok(true)
        }
        AuditCommand::Tail(args) => tail(&args),
    }
}

fn verify(args: &StoreArgs) -> Result<bool, String> {
    let master = crate::serve::load_master_key(
        args.master_key.as_deref(),
        &args.data_dir,
        args.store.as_deref(),
    )?;
    let key = ChainKey::from_master(&master);
    let (store, accounts) = open(args)?;
    let mut ok = true;
    for a in accounts {
        match chain::verify(store.as_ref(), &key, &a).map_err(|e| e.to_string())? {
            Ok(n) => println!("{a}: {n} events verified"),
            Err(p) => {
                println!("{a}: TAMPERED: {p}");
                ok = false;
            }
        }
    }
    Ok(ok)
}

fn events_after(
    store: &dyn Store,
    account: &str,
    after_seq: u64,
    limit: usize,
) -> Result<Vec<chain::Record>, String> {
    iamd_store::read(store, |tx| {
        chain::records_after(tx, account, after_seq, limit)
    })
    .map_err(|e: iamd_store::StoreError| e.to_string())
}

fn tail(args: &TailArgs) -> Result<bool, String> {
    let (store, accounts) = open(&args.store)?;
    let mut last: Vec<(String, u64)> = Vec::new();
    for a in accounts {
        let prefix = chain::events_prefix(&a);
        let mut latest =
            iamd_store::read(store.as_ref(), |tx| tx.scan_rev(&prefix, None, args.lines))
                .map_err(|e| e.to_string())?;
        latest.reverse();
        let mut events = Vec::new();
        for (_, v) in latest {
            events.extend(chain::records(&v).map_err(|e| e.to_string())?);
        }
        // The newest `lines` events: the values read may hold more (segments).
        let skip = events.len().saturating_sub(args.lines);
        let mut seq = 0;
        for r in events.into_iter().skip(skip) {
            println!("{}", r.event);
            seq = r.seq;
        }
        last.push((a, seq));
    }
    if !args.follow {
        return Ok(true);
    }
    loop {
        std::thread::sleep(std::time::Duration::from_millis(500));
        if args.store.account_id.is_none() {
            for a in chain::accounts(store.as_ref()).map_err(|e| e.to_string())? {
                if !last.iter().any(|(x, _)| *x == a) {
                    last.push((a, 0));
                }
            }
        }
        for (a, seq) in last.iter_mut() {
            for r in events_after(store.as_ref(), a, *seq, 1000)? {
                println!("{}", r.event);
                *seq = r.seq;
            }
        }
    }
}
