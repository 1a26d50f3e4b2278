//! `iamd migrate` and `iamd store copy`: the store's schema, and moving a deployment from one
//! store to another (a single SQLite server to PostgreSQL, typically).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use iamd_store::{PostgresStore, Store, StoreError};

#[derive(Args)]
pub struct MigrateArgs {
    /// The store: `postgres://USER@HOST/DB` or `sqlite:PATH`.
    #[arg(long)]
    store: String,
}

/// Applies the store's pending migrations (`iamd serve` does too at start; this lets an
/// operator do it first, once, before rolling out new servers).
pub fn migrate(args: &MigrateArgs) -> Result<(), String> {
    if crate::serve::is_shared(Some(&args.store)) {
        let s = PostgresStore::connect(&args.store).map_err(|e| e.to_string())?;
        let before = s.schema_version().map_err(|e| e.to_string())?;
        let applied = s.migrate().map_err(|e| e.to_string())?;
        println!(
            "{}: schema version {before} -> {} ({} migration(s) applied)",
            s.describe(),
            s.schema_version().map_err(|e| e.to_string())?,
            applied.len()
        );
        return Ok(());
    }
    // SQLite applies its migrations whenever it is opened.
    let s = crate::serve::open_store(Some(&args.store), &PathBuf::from("."))?;
    println!("{}: schema is current", s.describe());
    Ok(())
}

#[derive(Subcommand)]
pub enum StoreCommand {
    /// Copy every record of one store into another, empty one (stop the servers of the source
    /// first). Both must be used with the same master key.
    Copy(CopyArgs),
}

#[derive(Args)]
pub struct CopyArgs {
    /// The source: `sqlite:PATH` or `postgres://…`.
    #[arg(long)]
    from: String,
    /// The destination, which must be empty: `postgres://…` or `sqlite:PATH`.
    #[arg(long)]
    to: String,
}

const PAGE: usize = 1000;

pub fn run(cmd: StoreCommand) -> Result<(), String> {
    let StoreCommand::Copy(args) = cmd;
    for s in [&args.from, &args.to] {
        if s == "memory" {
            return Err("an in-memory store belongs to its server".to_string());
        }
    }
    let here = PathBuf::from(".");
    let from = crate::serve::open_store(Some(&args.from), &here)?;
    let to = crate::serve::open_store(Some(&args.to), &here)?;
    let (copied, bytes) = copy(from.as_ref(), to.as_ref()).map_err(|e| e.to_string())?;
    println!(
        "copied {copied} records ({bytes} bytes) from {} to {}; verified",
        from.describe(),
        to.describe()
    );
    Ok(())
}

/// Copies every record of `from` into the empty `to`, from one snapshot of `from`, then checks
/// that both hold the same records. Returns the number of records and their total size.
pub fn copy(from: &dyn Store, to: &dyn Store) -> Result<(u64, u64), StoreError> {
    let occupied = iamd_store::read(to, |tx| tx.scan(b"", None, 1))?;
    if !occupied.is_empty() {
        return Err(StoreError::Backend(format!(
            "{} is not empty: copy only into a new store",
            to.describe()
        )));
    }
    // One read transaction: the copy is a single consistent snapshot of the source.
    let (n, bytes) = iamd_store::read(from, |src| {
        let mut after: Option<Vec<u8>> = None;
        let (mut n, mut bytes) = (0u64, 0u64);
        loop {
            let page = src.scan(b"", after.as_deref(), PAGE)?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            iamd_store::write(to, |dst| {
                for (k, v) in &page {
                    dst.put(k, v)?;
                }
                Ok::<_, StoreError>(())
            })?;
            n += page.len() as u64;
            bytes += page
                .iter()
                .map(|(k, v)| (k.len() + v.len()) as u64)
                .sum::<u64>();
        }
        Ok::<_, StoreError>((n, bytes))
    })?;
    verify_same(from, to)?;
    Ok((n, bytes))
}

/// Both stores hold exactly the same records.
fn verify_same(a: &dyn Store, b: &dyn Store) -> Result<(), StoreError> {
    let mut after: Option<Vec<u8>> = None;
    loop {
        let pa = iamd_store::read(a, |tx| tx.scan(b"", after.as_deref(), PAGE))?;
        let pb = iamd_store::read(b, |tx| tx.scan(b"", after.as_deref(), PAGE))?;
        if pa != pb {
            return Err(StoreError::Backend(
                "the copy differs from the source (was the source written to during the copy?)"
                    .into(),
            ));
        }
        match pa.last() {
            Some((k, _)) => after = Some(k.clone()),
            None => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamd_store::{MemoryStore, SqliteStore};

    #[test]
    fn copies_everything_into_an_empty_store_only() {
        let src = MemoryStore::new();
        iamd_store::write(&src, |tx| {
            for i in 0..2500u32 {
                tx.put(format!("k/{i:05}").as_bytes(), &i.to_be_bytes())?;
            }
            tx.put(&[0xff, 0], b"binary")
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dst = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let (n, _) = copy(&src, &dst).unwrap();
        assert_eq!(n, 2501);
        let got = iamd_store::read(&dst, |tx| tx.get(b"k/01234")).unwrap();
        assert_eq!(got, Some(1234u32.to_be_bytes().to_vec()));
        assert!(
            copy(&src, &dst).is_err(),
            "refuses a store that is not empty"
        );
    }
}
