//! Runs the agent for a manual check (see the crate docs):
//!
//! ```text
//! AGENT_STS_ENDPOINT=http://127.0.0.1:5000/ AGENT_ROLE_ARN=arn:aws:iam::123456789012:role/web \
//!   AGENT_ACCESS_KEY_ID=AKIA… AGENT_SECRET_ACCESS_KEY=… AGENT_LISTEN=127.0.0.1:1338 \
//!   cargo run -p iamd-agent --example agent
//! ```
//! Stops on Enter or end of input.

use std::io::{self, BufRead};
use std::sync::Arc;

use iamd_agent::{AgentConfig, StaticCredentials, StsAssumeRole, run};

fn var(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> io::Result<()> {
    let role_arn = var("AGENT_ROLE_ARN", "arn:aws:iam::123456789012:role/web-role");
    let role_name = role_arn.rsplit('/').next().unwrap_or("web-role").to_owned();
    let instance_id = var("AGENT_INSTANCE_ID", "i-0123456789abcdef0");
    let source = StsAssumeRole::new(
        &var("AGENT_STS_ENDPOINT", "http://127.0.0.1:5000/"),
        &var("AGENT_REGION", "us-east-1"),
        StaticCredentials::new(
            var("AGENT_ACCESS_KEY_ID", "AKIAAGENTEXAMPLE0001"),
            var("AGENT_SECRET_ACCESS_KEY", "secret"),
        ),
        role_arn,
        instance_id.clone(),
    )?;
    let config = AgentConfig {
        listen: var("AGENT_LISTEN", "127.0.0.1:1338")
            .parse()
            .map_err(io::Error::other)?,
        role_name: role_name.clone(),
        instance_profile_arn: format!("arn:aws:iam::123456789012:instance-profile/{role_name}"),
        instance_profile_id: "AIPAEXAMPLEPROFILE01".to_owned(),
        instance_id,
        imdsv2_required: var("AGENT_IMDSV2_REQUIRED", "false") == "true",
        ..AgentConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = io::stdin().lock().read_line(&mut line);
        let _ = stop.send(());
    });
    eprintln!("agent on {}", config.listen);
    run(config, Arc::new(source), async {
        let _ = stopped.await;
    })
    .await
}
