//! Start-up and memory cost of the embedded AWS managed policies, first touch included.
//! `cargo run --release -p iamd-managed-policies --example rss` (compare with `--example
//! rss_baseline`, the same program without this crate). `rss start` prints nothing and stops after
//! the first lookup: for timing whole process runs against `rss_baseline start`.
use std::time::Instant;

#[path = "common/status.rs"]
mod status;

fn main() {
    let quiet = std::env::args().nth(1).is_some_and(|a| a == "start");
    let report = |what: &str, t: Option<Instant>| {
        if !quiet {
            let took = t
                .map(|t| format!(" ({:?})", t.elapsed()))
                .unwrap_or_default();
            println!("{:<44} {}{took}", what, status::memory());
        }
    };
    report("start", None);

    let t = Instant::now();
    let all = iamd_managed_policies::all();
    let n = all.len();
    report(&format!("all(): {n} policies, first call"), Some(t));

    let t = Instant::now();
    let bytes: usize = all.iter().map(|p| p.arn().len() + p.path.len()).sum();
    report(
        &format!("every policy's metadata read ({bytes} B of ARNs)"),
        Some(t),
    );

    let t = Instant::now();
    let lambda = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    let found = iamd_managed_policies::by_arn(lambda).is_some();
    report(
        &format!("by_arn AWSLambdaBasicExecutionRole: {found}"),
        Some(t),
    );
    if quiet {
        std::process::exit(i32::from(!found));
    }

    let t = Instant::now();
    let ro = iamd_managed_policies::by_name("ReadOnlyAccess").map_or(0, |p| p.document().len());
    let sum: u64 = iamd_managed_policies::by_name("ReadOnlyAccess")
        .map_or(0, |p| p.document().bytes().map(u64::from).sum());
    report(
        &format!("document(ReadOnlyAccess) read: {ro} B ({sum})"),
        Some(t),
    );

    let t = Instant::now();
    let total: u64 = all
        .iter()
        .flat_map(|p| p.document().bytes())
        .map(u64::from)
        .sum();
    report(&format!("every document read ({total})"), Some(t));
}
