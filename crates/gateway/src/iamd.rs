//! iamd, asked over HTTP by the gateway (signed with the gateway's own identity): the
//! authorization API, the resource policy records, and who the gateway is.

use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value as J;

use iamd_authorize_client::{Answer, Query};
use iamd_sigv4::{Credentials, RequestParts, SigningParams, sign};

use crate::creds::Identity;

#[derive(Debug, Clone)]
pub enum IamdError {
    /// iamd's error answer.
    Api { code: String, message: String },
    /// iamd could not be asked.
    Transport(String),
}

impl std::fmt::Display for IamdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IamdError::Api { code, message } => write!(f, "{code}: {message}"),
            IamdError::Transport(m) => write!(f, "iamd unreachable: {m}"),
        }
    }
}

pub struct Iamd {
    endpoint: String,
    host: String,
    identity: Identity,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Iamd {
    /// `endpoint` like `http://127.0.0.1:8600`.
    pub fn new(endpoint: &str, identity: Identity) -> Result<Iamd, String> {
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let host = endpoint
            .strip_prefix("http://")
            .ok_or("--iamd must be an http:// URL")?
            .to_string();
        Ok(Iamd {
            endpoint,
            host,
            identity,
            client: Client::builder(TokioExecutor::new()).build(crate::connector()),
        })
    }

    async fn post(
        &self,
        path: &str,
        content_type: &str,
        service: &str,
        body: Vec<u8>,
    ) -> Result<(u16, Bytes), IamdError> {
        let base = [("host", self.host.as_str()), ("content-type", content_type)];
        let hs: Vec<(&str, &[u8])> = base.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
        let parts = RequestParts {
            method: "POST",
            path,
            query: "",
            headers: &hs,
            body: &body,
        };
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: &self.identity.access_key_id,
                secret_access_key: &self.identity.secret_access_key,
                session_token: self.identity.session_token.as_deref(),
            },
            region: "us-east-1",
            service,
            time: SystemTime::now(),
            unsigned_payload: false,
        };
        let added = sign(&parts, &params).map_err(|e| IamdError::Transport(e.message()))?;
        let mut req = hyper::Request::post(format!("{}{path}", self.endpoint))
            .header("content-type", content_type);
        for (n, v) in added {
            req = req.header(n, v);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| IamdError::Transport(e.to_string()))?;
        let res = self
            .client
            .request(req)
            .await
            .map_err(|e| IamdError::Transport(e.to_string()))?;
        let status = res.status().as_u16();
        let bytes = res
            .into_body()
            .collect()
            .await
            .map_err(|e| IamdError::Transport(e.to_string()))?
            .to_bytes();
        Ok((status, bytes))
    }

    /// One of iamd's JSON operations.
    pub async fn json(&self, path: &str, body: &J) -> Result<J, IamdError> {
        let bytes = serde_json::to_vec(body).map_err(|e| IamdError::Transport(e.to_string()))?;
        let (status, out) = self.post(path, "application/json", "iamd", bytes).await?;
        let v: J = serde_json::from_slice(&out).unwrap_or_default();
        if status != 200 {
            return Err(IamdError::Api {
                code: v["__type"].as_str().unwrap_or("ServiceError").to_string(),
                message: v["message"].as_str().unwrap_or_default().to_string(),
            });
        }
        Ok(v)
    }

    pub async fn authorize(&self, q: &Query) -> Result<Answer, IamdError> {
        let body = serde_json::to_value(q).map_err(|e| IamdError::Transport(e.to_string()))?;
        let v = self.json("/_iamd/authorize", &body).await?;
        serde_json::from_value(v).map_err(|e| IamdError::Transport(e.to_string()))
    }

    /// The gateway's own account (STS `GetCallerIdentity`).
    pub async fn own_account(&self) -> Result<String, IamdError> {
        let body = b"Action=GetCallerIdentity&Version=2011-06-15".to_vec();
        let (status, out) = self
            .post("/", "application/x-www-form-urlencoded", "sts", body)
            .await?;
        let text = String::from_utf8_lossy(&out);
        let account = text
            .split_once("<Account>")
            .and_then(|(_, r)| r.split_once("</Account>"))
            .map(|(a, _)| a.to_string());
        match (status, account) {
            (200, Some(a)) => Ok(a),
            _ => Err(IamdError::Api {
                code: "GetCallerIdentity".into(),
                message: format!("HTTP {status}: {text}"),
            }),
        }
    }
}
