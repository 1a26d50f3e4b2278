//! S3's error answers: `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId>
//! <HostId>…</HostId></Error>` with S3's status codes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An S3 error to answer with.
#[derive(Debug, Clone)]
pub struct S3Error {
    pub code: &'static str,
    pub status: u16,
    pub message: String,
}

impl S3Error {
    pub fn new(code: &'static str, status: u16, message: impl Into<String>) -> S3Error {
        S3Error {
            code,
            status,
            message: message.into(),
        }
    }

    pub fn access_denied() -> S3Error {
        S3Error::new("AccessDenied", 403, "Access Denied")
    }

    /// The answer, with the request's id in the body and in `x-amz-request-id`.
    pub fn response(&self, request_id: &str, resource: &str) -> Response {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>\
             <Resource>{}</Resource><RequestId>{}</RequestId><HostId>{}</HostId></Error>",
            self.code,
            xml_escape(&self.message),
            xml_escape(resource),
            request_id,
            host_id(request_id),
        );
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::FORBIDDEN);
        let mut r = (status, body).into_response();
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
        if let Ok(v) = HeaderValue::from_str(request_id) {
            h.insert("x-amz-request-id", v.clone());
            h.insert("x-amz-id-2", v);
        }
        r
    }
}

/// S3's extended request id; here derived from the request id (there is one host).
fn host_id(request_id: &str) -> String {
    format!("iamd-gateway/{request_id}")
}

pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// S3's error for an error iamd gave about the forwarded request (its signature, its key).
pub fn from_iamd(code: &str, message: &str) -> S3Error {
    match code {
        "SignatureDoesNotMatch" => S3Error::new(
            "SignatureDoesNotMatch",
            403,
            "The request signature we calculated does not match the signature you provided. \
             Check your key and signing method.",
        ),
        "InvalidClientTokenId" => S3Error::new(
            "InvalidAccessKeyId",
            403,
            "The AWS Access Key Id you provided does not exist in our records.",
        ),
        "ExpiredToken" => S3Error::new("ExpiredToken", 400, "The provided token has expired."),
        "RequestExpired" => S3Error::new("AccessDenied", 403, "Request has expired"),
        "SignatureExpired" | "SignatureNotYetCurrent" => {
            S3Error::new("RequestTimeTooSkewed", 403, message)
        }
        "IncompleteSignature" | "MissingAuthenticationToken" | "InvalidScope" => {
            S3Error::new("AuthorizationHeaderMalformed", 400, message)
        }
        "XAmzContentSHA256Mismatch" => S3Error::new(
            "XAmzContentSHA256Mismatch",
            400,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ),
        _ => S3Error::access_denied(),
    }
}
