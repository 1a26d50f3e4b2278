//! `iamd agent`: an EC2-compatible instance metadata endpoint handing out the role credentials
//! of an instance profile, refreshed before they expire.
//!
//! The agent runs as an identity of its own (an access key). It must be allowed
//! `iam:GetInstanceProfile` on the profile and `iam:PassRole` on its role for
//! `ec2.amazonaws.com`, and the role must trust `ec2.amazonaws.com`: what AWS checks when an
//! instance is launched with a profile.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use clap::Args;
use quick_xml::Reader;
use quick_xml::events::Event;

use iamd_agent::{AgentConfig, StaticCredentials, StsAssumeRole};
use iamd_sigv4::{Credentials, RequestParts, SigningParams, sign};

#[derive(Args)]
pub struct AgentArgs {
    /// The iamd endpoint, e.g. http://127.0.0.1:8600
    #[arg(long)]
    endpoint: String,
    /// The instance profile whose role's credentials to serve.
    #[arg(long)]
    instance_profile: String,
    /// Where to serve the metadata endpoint (point AWS_EC2_METADATA_SERVICE_ENDPOINT at it).
    #[arg(long, default_value = "127.0.0.1:8169")]
    listen: SocketAddr,
    /// The instance ID to report (default: a random i-…).
    #[arg(long)]
    instance_id: Option<String>,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Refuse IMDSv1 requests (no session token), as EC2's HttpTokens=required.
    #[arg(long)]
    imdsv2_required: bool,
    /// The agent's own access key (default: AWS_ACCESS_KEY_ID).
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    access_key_id: String,
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    secret_access_key: String,
    /// Session duration requested for the role's credentials, in seconds.
    #[arg(long, default_value_t = 3600)]
    duration_seconds: u32,
}

/// One signed Query-protocol POST over plain HTTP (the agent talks to iamd on a trusted
/// network); returns status and body.
fn post(
    endpoint: &str,
    path: &str,
    service: &str,
    region: &str,
    creds: (&str, &str),
    body: &str,
) -> Result<(u16, String), String> {
    let hostport = endpoint
        .strip_prefix("http://")
        .ok_or("the agent's --endpoint must be an http:// URL")?
        .trim_end_matches('/');
    let headers_owned = [
        ("host".to_string(), hostport.to_string()),
        (
            "content-type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        ),
    ];
    let hs: Vec<(&str, &[u8])> = headers_owned
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let req = RequestParts {
        method: "POST",
        path,
        query: "",
        headers: &hs,
        body: body.as_bytes(),
    };
    let params = SigningParams {
        credentials: Credentials {
            access_key_id: creds.0,
            secret_access_key: creds.1,
            session_token: None,
        },
        region,
        service,
        time: SystemTime::now(),
        unsigned_payload: false,
    };
    let signed = sign(&req, &params).map_err(|e| e.message())?;
    let mut s =
        TcpStream::connect(hostport).map_err(|e| format!("cannot reach {endpoint}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (n, v) in &headers_owned {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    for (n, v) in signed {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())
        .and_then(|_| s.write_all(body.as_bytes()))
        .map_err(|e| e.to_string())?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).map_err(|e| e.to_string())?;
    let (h, b) = raw
        .split_once("\r\n\r\n")
        .ok_or("malformed HTTP response")?;
    let status = h
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .ok_or("malformed HTTP status")?;
    Ok((status, b.to_string()))
}

/// The text of every element whose path (from the root, `/`-joined) ends with `suffix`.
fn texts(xml: &str, suffix: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => path.push(e.name().as_ref().to_string()),
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) if path.join("/").ends_with(suffix) => {
                out.push(t.into_inner().into_owned());
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

fn random_instance_id() -> String {
    let mut b = [0u8; 9];
    let _ = getrandom::fill(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("i-{}", &hex[..17])
}

pub fn run(args: AgentArgs) -> Result<(), String> {
    let creds = (args.access_key_id.as_str(), args.secret_access_key.as_str());
    let body = format!(
        "Action=GetInstanceProfile&Version=2010-05-08&InstanceProfileName={}",
        args.instance_profile
    );
    let (status, xml) = post(&args.endpoint, "/", "iam", &args.region, creds, &body)?;
    if status != 200 {
        let code = texts(&xml, "Error/Code")
            .into_iter()
            .next()
            .unwrap_or_default();
        let message = texts(&xml, "Error/Message")
            .into_iter()
            .next()
            .unwrap_or_default();
        return Err(format!(
            "GetInstanceProfile {}: {code}: {message}",
            args.instance_profile
        ));
    }
    let profile_arn = texts(&xml, "InstanceProfile/Arn")
        .into_iter()
        .next()
        .unwrap_or_default();
    let profile_id = texts(&xml, "InstanceProfile/InstanceProfileId")
        .into_iter()
        .next()
        .unwrap_or_default();
    let role_arn = texts(&xml, "Roles/member/Arn")
        .into_iter()
        .next()
        .ok_or_else(|| format!("the instance profile {} has no role", args.instance_profile))?;
    let role_name = texts(&xml, "Roles/member/RoleName")
        .into_iter()
        .next()
        .unwrap_or_default();
    let instance_id = args.instance_id.clone().unwrap_or_else(random_instance_id);
    let source = StsAssumeRole::new(
        &format!(
            "{}/_iamd/ec2-credentials",
            args.endpoint.trim_end_matches('/')
        ),
        &args.region,
        StaticCredentials::new(args.access_key_id.clone(), args.secret_access_key.clone()),
        role_arn.clone(),
        instance_id.clone(),
    )
    .map_err(|e| e.to_string())?
    .duration_seconds(args.duration_seconds);
    let config = AgentConfig {
        listen: args.listen,
        role_name,
        instance_profile_arn: profile_arn,
        instance_profile_id: profile_id,
        instance_id,
        region: args.region.clone(),
        imdsv2_required: args.imdsv2_required,
        ..AgentConfig::default()
    };
    tracing::info!(listen = %config.listen, role = %role_arn, instance = %config.instance_id, "metadata agent starting");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        iamd_agent::run(config, Arc::new(source), async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
    })
}
