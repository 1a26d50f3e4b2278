//! The `iamd` command: thin glue over the crates.

mod account_cmd;
mod agent_cmd;
mod audit_cmd;
mod gateway_cmd;
mod policy_cmd;
mod serve;
mod sessions_cmd;
mod store_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// glibc's allocator spent about a sixth of a request's CPU under load (perf, the authorization
// API at 32 connections); mimalloc's per-thread free lists avoid most of it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "iamd",
    version,
    about = "An AWS IAM and STS compatible identity server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(serve::ServeArgs),
    /// Serve an instance profile's role credentials on an EC2-compatible metadata endpoint.
    Agent(agent_cmd::AgentArgs),
    /// Manage the accounts of a store.
    #[command(subcommand)]
    Account(account_cmd::AccountCommand),
    /// Manage the key ring that seals session tokens.
    #[command(subcommand)]
    Keyring(account_cmd::KeyringCommand),
    /// The audit trail: verify its chains, export or tail its events.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCommand),
    /// Revoke temporary credentials early, or list the revocations.
    #[command(subcommand)]
    Sessions(sessions_cmd::SessionsCommand),
    /// Apply the store's pending schema migrations.
    Migrate(store_cmd::MigrateArgs),
    /// Move records between stores (`copy --from sqlite:PATH --to postgres://…`).
    #[command(subcommand)]
    Store(store_cmd::StoreCommand),
    /// Gateways that enforce iamd's IAM in front of other services (`gateway s3`).
    #[command(subcommand)]
    Gateway(gateway_cmd::GatewayCommand),
    /// The policy engine, offline.
    #[command(subcommand)]
    Policy(policy_cmd::PolicyCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args).map(|()| true),
        Command::Policy(cmd) => policy_cmd::run(&cmd),
        Command::Migrate(args) => store_cmd::migrate(&args).map(|()| true),
        Command::Store(cmd) => store_cmd::run(cmd).map(|()| true),
        Command::Account(cmd) => account_cmd::run(cmd).map(|()| true),
        Command::Keyring(cmd) => account_cmd::run_keyring(cmd).map(|()| true),
        Command::Audit(cmd) => audit_cmd::run(cmd),
        Command::Sessions(cmd) => sessions_cmd::run(cmd),
        Command::Gateway(gateway_cmd::GatewayCommand::S3(args)) => {
            serve::init_logging(serve::LogFormat::Text);
            gateway_cmd::run(args).map(|()| true)
        }
        Command::Agent(args) => {
            serve::init_logging(serve::LogFormat::Text);
            agent_cmd::run(args).map(|()| true)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("iamd: {e}");
            ExitCode::FAILURE
        }
    }
}
