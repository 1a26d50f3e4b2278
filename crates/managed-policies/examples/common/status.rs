//! Resident memory from /proc/self/status (Linux).

pub fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().trim_end_matches(" kB").trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    format!(
        "VmRSS {:>6} kB (anon {:>5}, file {:>5})",
        field("VmRSS:"),
        field("RssAnon:"),
        field("RssFile:")
    )
}
