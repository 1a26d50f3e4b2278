//! The `rss` example's start without the managed policies linked in, for comparison:
//! `cargo run --release -p iamd-managed-policies --example rss_baseline`.

#[path = "common/status.rs"]
mod status;

fn main() {
    if std::env::args().nth(1).is_none_or(|a| a != "start") {
        println!("{:<44} {}", "start (no managed policies)", status::memory());
    }
}
