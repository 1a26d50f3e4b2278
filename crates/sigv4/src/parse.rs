//! Reading the authentication out of a request: the `Authorization` header or the presigned
//! query parameters.

use std::borrow::Cow;
use std::time::SystemTime;

use crate::canonical::{decode_component, query_pairs, split_ascii, split_once_ascii};
use crate::datetime::{format_amz_date, parse_amz_date, parse_http_date, system_time};
use crate::{AuthError, RequestParts};

/// The only algorithm SigV4 defines.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The credential scope terminator.
pub const TERMINATOR: &str = "aws4_request";
/// The `X-Amz-Content-Sha256` value meaning "the body is not signed".
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest presigned-URL lifetime AWS accepts: 7 days.
pub const MAX_PRESIGN_EXPIRES: u32 = 604_800;

/// Where the signature was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthForm {
    /// `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
    Header,
    /// `?X-Amz-Algorithm=…&X-Amz-Credential=…&…&X-Amz-Signature=…`.
    Presigned {
        /// `X-Amz-Expires` in seconds, when given.
        expires: Option<u32>,
    },
}

/// The authentication claims of a request, before the secret is known. Borrows from the
/// [`RequestParts`] where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuth<'a> {
    pub(crate) form: AuthForm,
    pub(crate) access_key_id: Cow<'a, str>,
    pub(crate) scope_date: Cow<'a, str>,
    pub(crate) region: Cow<'a, str>,
    pub(crate) service: Cow<'a, str>,
    pub(crate) signed_headers: Cow<'a, str>,
    /// `None` when the given signature is not 64 hex digits (it can then never match).
    pub(crate) signature: Option<[u8; 32]>,
    pub(crate) security_token: Option<Cow<'a, str>>,
    pub(crate) request_time: i64,
    pub(crate) amz_date: [u8; 16],
    pub(crate) content_sha256: Option<Cow<'a, str>>,
}

impl<'a> ParsedAuth<'a> {
    /// Header or presigned form.
    pub fn form(&self) -> AuthForm {
        self.form
    }
    /// The access key id (`AKIA…`, `ASIA…`): look its secret up, then call [`crate::verify`].
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
    /// The credential scope date, `YYYYMMDD`.
    pub fn scope_date(&self) -> &str {
        &self.scope_date
    }
    /// The credential scope region (any region is accepted).
    pub fn region(&self) -> &str {
        &self.region
    }
    /// The credential scope service (`iam`, `sts`).
    pub fn service(&self) -> &str {
        &self.service
    }
    /// The signed header names, lowercase as sent, `;`-separated.
    pub fn signed_headers(&self) -> impl Iterator<Item = &str> {
        split_ascii(&self.signed_headers, b';')
    }
    /// `X-Amz-Security-Token` (query parameter in presigned form, else the header), if any.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }
    /// The request time (from `X-Amz-Date`, else the `Date` header), whole seconds.
    pub fn request_time(&self) -> SystemTime {
        system_time(self.request_time)
    }
    /// The request time as signed, `YYYYMMDDTHHMMSSZ`.
    pub fn amz_date(&self) -> &str {
        std::str::from_utf8(&self.amz_date).unwrap_or("")
    }
    /// The `X-Amz-Content-Sha256` value, if the request declared one.
    pub fn content_sha256(&self) -> Option<&str> {
        self.content_sha256.as_deref()
    }
    /// Whether the body is covered by the signature (false for `UNSIGNED-PAYLOAD`).
    pub fn payload_signed(&self) -> bool {
        self.content_sha256.as_deref() != Some(UNSIGNED_PAYLOAD)
    }
    /// The signature given, when it is 64 hex digits (the seed of S3's chunk signatures).
    pub fn signature(&self) -> Option<[u8; 32]> {
        self.signature
    }
    /// The credential scope, `date/region/service/aws4_request`.
    pub fn credential_scope(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.scope_date, self.region, self.service, TERMINATOR
        )
    }
}

fn incomplete(msg: impl Into<String>) -> AuthError {
    AuthError::IncompleteSignature(msg.into())
}

/// The single value of header `name` (case-insensitive). Several → an error message naming it.
fn single_header<'a>(req: &RequestParts<'a>, name: &str) -> Result<Option<&'a [u8]>, AuthError> {
    let mut found = None;
    for (n, v) in req.headers {
        if n.eq_ignore_ascii_case(name) {
            if found.is_some() {
                return Err(incomplete(format!(
                    "Multiple '{name}' headers are not allowed."
                )));
            }
            found = Some(*v);
        }
    }
    Ok(found)
}

fn header_str<'a>(req: &RequestParts<'a>, name: &str) -> Result<Option<&'a str>, AuthError> {
    match single_header(req, name)? {
        None => Ok(None),
        Some(v) => match std::str::from_utf8(v) {
            Ok(s) => Ok(Some(s.trim())),
            Err(_) => Err(incomplete(format!(
                "The '{name}' header is not valid UTF-8."
            ))),
        },
    }
}

/// Splits a `Cow` on `/` into borrowed or owned parts.
fn split_credential(cred: Cow<'_, str>) -> Option<[Cow<'_, str>; 5]> {
    fn parts(s: &str) -> Option<[&str; 5]> {
        let mut it = split_ascii(s, b'/');
        let out = [it.next()?, it.next()?, it.next()?, it.next()?, it.next()?];
        if it.next().is_some() {
            return None;
        }
        Some(out)
    }
    match cred {
        Cow::Borrowed(s) => parts(s).map(|p| p.map(Cow::Borrowed)),
        Cow::Owned(s) => parts(&s).map(|p| p.map(|x| Cow::Owned(x.to_owned()))),
    }
}

struct Credential<'a> {
    access_key_id: Cow<'a, str>,
    date: Cow<'a, str>,
    region: Cow<'a, str>,
    service: Cow<'a, str>,
}

fn parse_credential(cred: Cow<'_, str>) -> Result<Credential<'_>, AuthError> {
    if split_ascii(&cred, b'/').count() != 5 {
        return Err(incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. \
             keyid/date/region/service/term, got '{cred}'"
        )));
    }
    if cred.starts_with('/') {
        return Err(incomplete(format!(
            "Credential must contain an access key id, got '{cred}'"
        )));
    }
    let Some([akid, date, region, service, term]) = split_credential(cred) else {
        return Err(incomplete(
            "Credential must have exactly 5 slash-delimited elements.",
        ));
    };
    if crate::datetime::parse_scope_date(&date).is_none() {
        return Err(incomplete(format!(
            "Invalid credential date '{date}'. Date is not the required format: yyyyMMdd."
        )));
    }
    if term != TERMINATOR {
        return Err(AuthError::InvalidScope(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{term}'."
        )));
    }
    Ok(Credential {
        access_key_id: akid,
        date,
        region,
        service,
    })
}

fn parse_signature(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

fn validate_signed_headers(list: &str) -> Result<(), AuthError> {
    let valid_name = |n: &str| {
        !n.is_empty()
            && n.bytes()
                .all(|c| c.is_ascii_graphic() && c != b';' && c != b':')
    };
    if !split_ascii(list, b';').all(valid_name) {
        return Err(incomplete(format!(
            "Invalid SignedHeaders list: '{list}'. Header names must be non-empty and \
             separated by ';'."
        )));
    }
    if !split_ascii(list, b';').any(|n| n.eq_ignore_ascii_case("host") || n == ":authority") {
        return Err(incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    Ok(())
}

fn bad_date(value: &str) -> AuthError {
    incomplete(format!(
        "Date must be in ISO-8601 'basic format'. Got '{value}'. See \
         http://en.wikipedia.org/wiki/ISO_8601"
    ))
}

/// The request time from the `X-Amz-Date` header, else the `Date` header.
fn header_time(req: &RequestParts<'_>) -> Result<Option<i64>, AuthError> {
    if let Some(v) = header_str(req, "x-amz-date")? {
        return parse_amz_date(v).map(Some).ok_or_else(|| bad_date(v));
    }
    if let Some(v) = header_str(req, "date")? {
        return parse_http_date(v)
            .map(Some)
            .ok_or_else(|| incomplete(format!("Invalid 'Date' header: '{v}'.")));
    }
    Ok(None)
}

/// Whether a query carries SigV4 query authentication.
fn is_presigned(query: &str) -> bool {
    query_pairs(query).any(|(k, _)| {
        matches!(
            &*decode_component(k),
            "X-Amz-Algorithm" | "X-Amz-Credential" | "X-Amz-Signature"
        )
    })
}

/// Reads the SigV4 authentication of a request, without checking it.
///
/// Errors: [`AuthError::MissingAuthenticationToken`] when the request carries no authentication;
/// [`AuthError::IncompleteSignature`] when it is malformed; [`AuthError::InvalidScope`] for a bad
/// scope terminator.
pub fn parse<'a>(req: &RequestParts<'a>) -> Result<ParsedAuth<'a>, AuthError> {
    let auth = header_str(req, "authorization")?;
    let presigned = is_presigned(req.query);
    match (auth, presigned) {
        (Some(_), true) => Err(incomplete(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the \
             Authorization header should be specified",
        )),
        (Some(a), false) => parse_header_form(req, a),
        (None, true) => parse_query_form(req),
        (None, false) => Err(AuthError::MissingAuthenticationToken),
    }
}

fn parse_header_form<'a>(
    req: &RequestParts<'a>,
    auth: &'a str,
) -> Result<ParsedAuth<'a>, AuthError> {
    let (alg, rest) = split_once_ascii(auth, b' ').unwrap_or((auth, ""));
    if alg != ALGORITHM {
        return Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{alg}'. Only '{ALGORITHM}' is supported."
        )));
    }
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in split_ascii(rest, b',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((k, v)) = split_once_ascii(part, b'=') else {
            return Err(incomplete(format!(
                "'{part}' not a valid key=value pair (missing equal-sign) in Authorization \
                 header: '{auth}'."
            )));
        };
        let slot = match k.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.is_some() {
            return Err(incomplete(format!(
                "Duplicate '{}' parameter in Authorization header: '{auth}'.",
                k.trim()
            )));
        }
        *slot = Some(v.trim());
    }
    let time = header_time(req)?;
    let mut missing = Vec::new();
    if credential.is_none() {
        missing.push("Authorization header requires 'Credential' parameter.");
    }
    if signature.is_none() {
        missing.push("Authorization header requires 'Signature' parameter.");
    }
    if signed_headers.is_none() {
        missing.push("Authorization header requires 'SignedHeaders' parameter.");
    }
    if time.is_none() {
        missing.push(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        );
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(time)) =
        (credential, signed_headers, signature, time)
    else {
        return Err(incomplete(format!(
            "{} Authorization={auth}",
            missing.join(" ")
        )));
    };
    validate_signed_headers(signed_headers)?;
    let cred = parse_credential(Cow::Borrowed(credential))?;
    let token = header_str(req, "x-amz-security-token")?.map(Cow::Borrowed);
    let content_sha256 = header_str(req, "x-amz-content-sha256")?.map(Cow::Borrowed);
    Ok(ParsedAuth {
        form: AuthForm::Header,
        access_key_id: cred.access_key_id,
        scope_date: cred.date,
        region: cred.region,
        service: cred.service,
        signed_headers: Cow::Borrowed(signed_headers),
        signature: parse_signature(signature),
        security_token: token,
        request_time: time,
        amz_date: format_amz_date(time),
        content_sha256,
    })
}

fn parse_query_form<'a>(req: &RequestParts<'a>) -> Result<ParsedAuth<'a>, AuthError> {
    let mut algorithm = None;
    let mut credential = None;
    let mut date = None;
    let mut expires = None;
    let mut signed_headers = None;
    let mut signature = None;
    let mut token = None;
    let mut content_sha256 = None;
    for (k, v) in query_pairs(req.query) {
        let name = decode_component(k);
        let slot = match &*name {
            "X-Amz-Algorithm" => &mut algorithm,
            "X-Amz-Credential" => &mut credential,
            "X-Amz-Date" => &mut date,
            "X-Amz-Expires" => &mut expires,
            "X-Amz-SignedHeaders" => &mut signed_headers,
            "X-Amz-Signature" => &mut signature,
            "X-Amz-Security-Token" => &mut token,
            "X-Amz-Content-Sha256" => &mut content_sha256,
            _ => continue,
        };
        if slot.is_some() {
            return Err(incomplete(format!(
                "Duplicate '{name}' query-string parameter. Re-examine the query-string \
                 parameters."
            )));
        }
        *slot = Some(decode_component(v));
    }
    let mut missing = Vec::new();
    for (present, name) in [
        (algorithm.is_some(), "X-Amz-Algorithm"),
        (credential.is_some(), "X-Amz-Credential"),
        (signature.is_some(), "X-Amz-Signature"),
        (signed_headers.is_some(), "X-Amz-SignedHeaders"),
        (date.is_some(), "X-Amz-Date"),
    ] {
        if !present {
            missing.push(format!(
                "AWS query-string parameters must include '{name}'."
            ));
        }
    }
    let (Some(algorithm), Some(credential), Some(signature), Some(signed_headers), Some(date)) =
        (algorithm, credential, signature, signed_headers, date)
    else {
        return Err(incomplete(format!(
            "{} Re-examine the query-string parameters.",
            missing.join(" ")
        )));
    };
    if algorithm != ALGORITHM {
        return Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'. Only '{ALGORITHM}' is supported."
        )));
    }
    let time = parse_amz_date(&date).ok_or_else(|| bad_date(&date))?;
    let expires = match expires {
        None => None,
        Some(e) => {
            let n: i64 = e
                .parse()
                .map_err(|_| incomplete(format!("X-Amz-Expires should be a number, got '{e}'.")))?;
            if n < 0 {
                return Err(incomplete("X-Amz-Expires must be non-negative."));
            }
            match u32::try_from(n) {
                Ok(n) if n <= MAX_PRESIGN_EXPIRES => Some(n),
                _ => {
                    return Err(incomplete(format!(
                        "X-Amz-Expires must be less than a week (in seconds) that is \
                         {MAX_PRESIGN_EXPIRES}."
                    )));
                }
            }
        }
    };
    validate_signed_headers(&signed_headers)?;
    let cred = parse_credential(credential)?;
    let token = match token {
        Some(t) => Some(t),
        None => header_str(req, "x-amz-security-token")?.map(Cow::Borrowed),
    };
    let content_sha256 = match header_str(req, "x-amz-content-sha256")? {
        Some(h) => Some(Cow::Borrowed(h)),
        None => content_sha256,
    };
    Ok(ParsedAuth {
        form: AuthForm::Presigned { expires },
        access_key_id: cred.access_key_id,
        scope_date: cred.date,
        region: cred.region,
        service: cred.service,
        signed_headers,
        signature: parse_signature(&signature),
        security_token: token,
        request_time: time,
        amz_date: format_amz_date(time),
        content_sha256,
    })
}
