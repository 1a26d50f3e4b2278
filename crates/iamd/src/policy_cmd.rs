//! `iamd policy validate|simulate`: the policy engine offline.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use iamd_policy::{DocumentKind, Severity, validate_document};

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Check policy documents; exits non-zero when any has an error.
    Validate(ValidateArgs),
    /// Run a SimulateCustomPolicy request (its JSON, as the aws CLI's
    /// `--cli-input-json` shape) and print the response's JSON.
    Simulate(SimulateArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    /// Attached to a user, group or role (no Principal).
    Identity,
    /// Attached to a resource (Principal required).
    Resource,
    /// A role's trust policy.
    Trust,
}

#[derive(Args)]
pub struct ValidateArgs {
    /// Policy files (JSON).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "identity")]
    kind: Kind,
}

#[derive(Args)]
pub struct SimulateArgs {
    /// A file holding the JSON of a SimulateCustomPolicy request (`-` for stdin).
    #[arg(long)]
    input: PathBuf,
}

fn read(path: &PathBuf) -> Result<String, String> {
    if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| e.to_string())
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Returns whether every file is free of errors.
fn validate(args: &ValidateArgs) -> Result<bool, String> {
    let kind = match args.kind {
        Kind::Identity => DocumentKind::Identity,
        Kind::Resource => DocumentKind::Resource,
        Kind::Trust => DocumentKind::RoleTrust,
    };
    let mut ok = true;
    for f in &args.files {
        let text = read(f)?;
        let diagnostics = validate_document(&text, kind);
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        for d in &diagnostics {
            let (label, l) = match d.severity {
                Severity::Error => ("error", &d.error.location),
                Severity::Warning => ("warning", &d.error.location),
            };
            let at = if l.path.is_empty() {
                String::new()
            } else {
                format!(" at {}", l.path)
            };
            let detail = if d.error.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", d.error.detail)
            };
            println!(
                "{}:{}:{}: {label}: {}{detail}{at}",
                f.display(),
                l.line,
                l.column,
                d.error.message
            );
        }
        if errors > 0 {
            ok = false;
        } else {
            println!(
                "{}: ok ({} characters)",
                f.display(),
                iamd_policy::policy_size(&text)
            );
        }
    }
    Ok(ok)
}

fn simulate(args: &SimulateArgs) -> Result<(), String> {
    let text = read(&args.input)?;
    let out = iamd_policy::simulate::simulate_json(&text, time::OffsetDateTime::now_utc())
        .map_err(|e| format!("{}: {}", e.code.as_str(), e))?;
    println!("{out}");
    Ok(())
}

/// Runs the subcommand; `Ok(false)` means "ran, found errors" (exit status 1).
pub fn run(cmd: &PolicyCommand) -> Result<bool, String> {
    match cmd {
        PolicyCommand::Validate(a) => validate(a),
        PolicyCommand::Simulate(a) => simulate(a).map(|()| true),
    }
}
