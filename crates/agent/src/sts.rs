//! `StsAssumeRole`: role credentials from an STS endpoint (iamd's or AWS's) over plain HTTP.

use std::fmt;
use std::io;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::http::{Request, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

use crate::source::{BoxFuture, CredentialSource, RoleCredentials, SourceError};
use crate::timefmt::parse_iso8601;

/// Characters SigV4's query encoding leaves alone: `A-Z a-z 0-9 - _ . ~`.
const QUERY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Largest response body read from STS.
const MAX_RESPONSE: usize = 1 << 20;

/// The agent's own long-term (or temporary) credentials, used to sign `AssumeRole`.
#[derive(Clone)]
pub struct StaticCredentials {
    /// `AKIA…` (or `ASIA…` with a session token).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// A session token, for temporary credentials.
    pub session_token: Option<String>,
}

impl StaticCredentials {
    /// Long-term credentials.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        StaticCredentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"..")
            .field("session_token", &self.session_token.as_ref().map(|_| ".."))
            .finish()
    }
}

/// A signed AWS query-protocol POST client for one endpoint.
#[derive(Clone)]
struct QueryClient {
    endpoint: Uri,
    region: String,
    credentials: StaticCredentials,
    timeout: Duration,
    http: Client<HttpConnector, Full<Bytes>>,
}

fn transport(message: impl Into<String>) -> SourceError {
    SourceError::new("CredentialSourceUnavailable", message)
}

impl QueryClient {
    fn new(endpoint: &str, region: &str, credentials: StaticCredentials) -> io::Result<Self> {
        let endpoint: Uri = endpoint
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("endpoint: {e}")))?;
        if endpoint.scheme_str() != Some("http") || endpoint.authority().is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("endpoint {endpoint} must be an http:// URL with a host"),
            ));
        }
        Ok(QueryClient {
            endpoint,
            region: region.to_owned(),
            credentials,
            timeout: Duration::from_secs(10),
            http: Client::builder(TokioExecutor::new()).build_http(),
        })
    }

    /// POSTs `params` as a form, SigV4-signed for `service`; returns the status and body.
    async fn call(&self, service: &str, params: &[(&str, &str)]) -> Result<String, SourceError> {
        let body = params
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, QUERY_ENCODE),
                    utf8_percent_encode(v, QUERY_ENCODE)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let host = self
            .endpoint
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        let path = self.endpoint.path();
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let unsigned: [(&str, &[u8]); 2] = [
            ("Host", host.as_bytes()),
            ("Content-Type", content_type.as_bytes()),
        ];
        let parts = iamd_sigv4::RequestParts {
            method: "POST",
            path,
            query: self.endpoint.query().unwrap_or(""),
            headers: &unsigned,
            body: body.as_bytes(),
        };
        let signing = iamd_sigv4::SigningParams {
            credentials: iamd_sigv4::Credentials {
                access_key_id: &self.credentials.access_key_id,
                secret_access_key: &self.credentials.secret_access_key,
                session_token: self.credentials.session_token.as_deref(),
            },
            region: &self.region,
            service,
            time: SystemTime::now(),
            unsigned_payload: false,
        };
        let added = iamd_sigv4::sign(&parts, &signing)
            .map_err(|e| transport(format!("signing the request: {e}")))?;
        let mut req = Request::post(self.endpoint.clone())
            .header(header::HOST, host.as_str())
            .header(header::CONTENT_TYPE, content_type);
        for (name, value) in added {
            req = req.header(name, value);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| transport(format!("building the request: {e}")))?;
        let exchange = async {
            let resp = self
                .http
                .request(req)
                .await
                .map_err(|e| transport(format!("{}: {e}", self.endpoint)))?;
            let status = resp.status();
            let bytes = Limited::new(resp.into_body(), MAX_RESPONSE)
                .collect()
                .await
                .map_err(|e| transport(format!("reading the response: {e}")))?
                .to_bytes();
            Ok::<_, SourceError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| transport(format!("{} did not answer in time", self.endpoint)))??;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if status.is_success() {
            return Ok(text);
        }
        let fields = xml_fields(
            &text,
            &["ErrorResponse/Error/Code", "ErrorResponse/Error/Message"],
        )
        .unwrap_or_default();
        match fields.as_slice() {
            [Some(code), message] => Err(SourceError::new(
                code.clone(),
                message.clone().unwrap_or_default(),
            )),
            _ => Err(transport(format!(
                "{} answered HTTP {status}",
                self.endpoint
            ))),
        }
    }
}

/// Reads the text of the first element at each of `paths` (element local names from the root,
/// joined by `/`; namespaces ignored).
fn xml_fields(xml: &str, paths: &[&str]) -> Result<Vec<Option<String>>, SourceError> {
    let bad = |e: &dyn fmt::Display| {
        SourceError::new("InvalidCredentialResponse", format!("malformed XML: {e}"))
    };
    let mut out: Vec<Option<String>> = vec![None; paths.len()];
    let mut stack: Vec<String> = Vec::new();
    let mut path = String::new();
    let mut text = String::new();
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event().map_err(|e| bad(&e))? {
            Event::Start(e) => {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(e.local_name().as_ref());
                stack.push(e.local_name().as_ref().to_owned());
                text.clear();
            }
            Event::End(_) => {
                if let Some(i) = paths.iter().position(|p| *p == path)
                    && let Some(slot) = out.get_mut(i)
                    && slot.is_none()
                {
                    *slot = Some(std::mem::take(&mut text));
                }
                text.clear();
                if let Some(last) = stack.pop() {
                    let keep = path.len().saturating_sub(last.len() + 1);
                    path.truncate(keep);
                }
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t),
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref().map_err(|e| bad(&e))? {
                    text.push(c);
                } else if let Some(s) = resolve_predefined_entity(&r) {
                    text.push_str(s);
                } else {
                    return Err(bad(&format!("unknown entity &{};", &*r)));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Parses an `AssumeRoleResponse` into credentials.
pub(crate) fn parse_assume_role_response(xml: &str) -> Result<RoleCredentials, SourceError> {
    const BASE: &str = "AssumeRoleResponse/AssumeRoleResult/Credentials/";
    let paths = [
        "AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId",
        "AssumeRoleResponse/AssumeRoleResult/Credentials/SecretAccessKey",
        "AssumeRoleResponse/AssumeRoleResult/Credentials/SessionToken",
        "AssumeRoleResponse/AssumeRoleResult/Credentials/Expiration",
    ];
    let fields = xml_fields(xml, &paths)?;
    let get = |i: usize| -> Result<String, SourceError> {
        fields
            .get(i)
            .cloned()
            .flatten()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                let name = paths
                    .get(i)
                    .and_then(|p| p.strip_prefix(BASE))
                    .unwrap_or("?");
                SourceError::new(
                    "InvalidCredentialResponse",
                    format!("AssumeRole response without Credentials/{name}"),
                )
            })
    };
    let expiration = get(3)?;
    let expiration = parse_iso8601(&expiration).ok_or_else(|| {
        SourceError::new(
            "InvalidCredentialResponse",
            format!("AssumeRole response with a bad Expiration {expiration:?}"),
        )
    })?;
    Ok(RoleCredentials {
        access_key_id: get(0)?,
        secret_access_key: get(1)?,
        token: get(2)?,
        expiration,
    })
}

/// Role credentials from `sts:AssumeRole`, signed with the agent's own credentials.
#[derive(Clone)]
pub struct StsAssumeRole {
    client: QueryClient,
    role_arn: String,
    session_name: String,
    duration_seconds: Option<u32>,
    external_id: Option<String>,
}

impl fmt::Debug for StsAssumeRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsAssumeRole")
            .field("endpoint", &self.client.endpoint)
            .field("region", &self.client.region)
            .field("credentials", &self.client.credentials)
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("duration_seconds", &self.duration_seconds)
            .finish_non_exhaustive()
    }
}

impl StsAssumeRole {
    /// A source assuming `role_arn` as session `session_name` (e.g. the instance ID) through the
    /// STS endpoint `endpoint` (`http://127.0.0.1:8080/`; plain HTTP only), signing for `region`
    /// with `credentials`. One hour sessions unless [`StsAssumeRole::duration_seconds`] says
    /// otherwise.
    pub fn new(
        endpoint: &str,
        region: &str,
        credentials: StaticCredentials,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> io::Result<StsAssumeRole> {
        Ok(StsAssumeRole {
            client: QueryClient::new(endpoint, region, credentials)?,
            role_arn: role_arn.into(),
            session_name: session_name.into(),
            duration_seconds: None,
            external_id: None,
        })
    }

    /// Sets `DurationSeconds` (900 up to the role's `MaxSessionDuration`).
    pub fn duration_seconds(mut self, seconds: u32) -> StsAssumeRole {
        self.duration_seconds = Some(seconds);
        self
    }

    /// Sets `ExternalId`.
    pub fn external_id(mut self, external_id: impl Into<String>) -> StsAssumeRole {
        self.external_id = Some(external_id.into());
        self
    }

    /// Sets the timeout of one `AssumeRole` call (default 10 seconds).
    pub fn timeout(mut self, timeout: Duration) -> StsAssumeRole {
        self.client.timeout = timeout;
        self
    }

    /// Calls `AssumeRole` once.
    pub async fn assume_role(&self) -> Result<RoleCredentials, SourceError> {
        let duration = self.duration_seconds.map(|d| d.to_string());
        let mut params: Vec<(&str, &str)> = vec![
            ("Action", "AssumeRole"),
            ("Version", "2011-06-15"),
            ("RoleArn", &self.role_arn),
            ("RoleSessionName", &self.session_name),
        ];
        if let Some(d) = &duration {
            params.push(("DurationSeconds", d));
        }
        if let Some(x) = &self.external_id {
            params.push(("ExternalId", x));
        }
        let xml = self.client.call("sts", &params).await?;
        parse_assume_role_response(&xml)
    }
}

impl CredentialSource for StsAssumeRole {
    fn fetch(&self) -> BoxFuture<'_, Result<RoleCredentials, SourceError>> {
        Box::pin(self.assume_role())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn parses_assume_role_response() {
        let xml = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/web/i-1</Arn><AssumedRoleId>AROA:i-1</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>se/cr+et</SecretAccessKey>
      <SessionToken>to&amp;ken&#61;</SessionToken>
      <Expiration>2025-01-01T01:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#;
        let c = parse_assume_role_response(xml).unwrap();
        assert_eq!(c.access_key_id, "ASIAEXAMPLE");
        assert_eq!(c.secret_access_key, "se/cr+et");
        assert_eq!(c.token, "to&ken=");
        assert_eq!(
            c.expiration,
            UNIX_EPOCH + Duration::from_secs(1_735_693_200)
        );
    }

    #[test]
    fn missing_or_bad_fields_are_errors() {
        let xml = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>";
        let e = parse_assume_role_response(xml).unwrap_err();
        assert_eq!(e.code, "InvalidCredentialResponse");
        let xml = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>soon</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
        assert!(
            parse_assume_role_response(xml)
                .unwrap_err()
                .message
                .contains("Expiration")
        );
        assert!(parse_assume_role_response("<a><b></a>").is_err());
        // Credentials elsewhere in the document do not count.
        let xml = "<Other><Credentials><AccessKeyId>A</AccessKeyId></Credentials></Other>";
        assert!(parse_assume_role_response(xml).is_err());
    }

    #[test]
    fn rejects_non_http_endpoints() {
        let c = StaticCredentials::new("AKID", "s");
        assert!(
            StsAssumeRole::new(
                "https://sts.amazonaws.com/",
                "us-east-1",
                c.clone(),
                "r",
                "s"
            )
            .is_err()
        );
        assert!(StsAssumeRole::new("not a url", "us-east-1", c.clone(), "r", "s").is_err());
        assert!(StsAssumeRole::new("http://127.0.0.1:1/", "us-east-1", c, "r", "s").is_ok());
    }
}
