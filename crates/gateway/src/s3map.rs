//! S3 REST requests → IAM actions, resource ARNs and S3 condition keys, following AWS's
//! "Actions, resources, and condition keys for Amazon S3" and S3's operation-to-permission
//! tables. Pure. A request this table does not know is refused by the gateway, never passed.

use std::collections::BTreeMap;

/// The parts of an S3 request the mapping reads.
pub struct S3Request<'a> {
    /// `GET`, `PUT`, …
    pub method: &'a str,
    pub bucket: Option<&'a str>,
    /// The object key, percent-decoded.
    pub key: Option<&'a str>,
    /// Query parameters, percent-decoded, in order.
    pub query: &'a [(String, String)],
    /// Headers, names lowercase.
    pub headers: &'a [(String, String)],
}

impl S3Request<'_> {
    fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One action on one resource, with its condition keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub action: &'static str,
    pub resource: String,
    pub context: BTreeMap<String, Vec<String>>,
}

/// Operations the gateway answers itself (bucket policies live in iamd).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Local {
    PutBucketPolicy,
    GetBucketPolicy,
    DeleteBucketPolicy,
}

/// What in the body the decision depends on (the body is then read first, bounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyNeed {
    None,
    /// `DeleteObjects`: `s3:DeleteObject` on every key listed.
    DeleteKeys,
    /// `PutObjectTagging`: the tags, as `s3:RequestObjectTag/*`.
    Tagging,
    /// The policy document of `PutBucketPolicy`.
    Policy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub name: &'static str,
    pub checks: Vec<Check>,
    pub local: Option<Local>,
    pub body: BodyNeed,
}

pub fn bucket_arn(bucket: &str) -> String {
    format!("arn:aws:s3:::{bucket}")
}

pub fn object_arn(bucket: &str, key: &str) -> String {
    format!("arn:aws:s3:::{bucket}/{key}")
}

fn check(action: &'static str, resource: String) -> Check {
    Check {
        action,
        resource,
        context: BTreeMap::new(),
    }
}

fn op(name: &'static str, checks: Vec<Check>) -> Operation {
    Operation {
        name,
        checks,
        local: None,
        body: BodyNeed::None,
    }
}

/// Condition keys S3 fills from request headers, for the actions whose table lists them.
const HEADER_KEYS: &[(&str, &str)] = &[
    ("x-amz-acl", "s3:x-amz-acl"),
    (
        "x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption",
    ),
    (
        "x-amz-server-side-encryption-aws-kms-key-id",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    ),
    ("x-amz-storage-class", "s3:x-amz-storage-class"),
    ("x-amz-copy-source", "s3:x-amz-copy-source"),
    ("x-amz-metadata-directive", "s3:x-amz-metadata-directive"),
    ("x-amz-grant-read", "s3:x-amz-grant-read"),
    ("x-amz-grant-write", "s3:x-amz-grant-write"),
    ("x-amz-grant-read-acp", "s3:x-amz-grant-read-acp"),
    ("x-amz-grant-write-acp", "s3:x-amz-grant-write-acp"),
    ("x-amz-grant-full-control", "s3:x-amz-grant-full-control"),
    ("x-amz-object-lock-mode", "s3:object-lock-mode"),
    (
        "x-amz-object-lock-retain-until-date",
        "s3:object-lock-retain-until-date",
    ),
    ("x-amz-object-lock-legal-hold", "s3:object-lock-legal-hold"),
];

fn header_context(r: &S3Request<'_>, c: &mut Check) {
    for (h, k) in HEADER_KEYS {
        if let Some(v) = r.header(h) {
            c.context.insert((*k).to_string(), vec![v.to_string()]);
        }
    }
}

/// `s3:RequestObjectTag/<key>` and `s3:RequestObjectTagKeys` for tags given.
pub fn tag_context(tags: &[(String, String)], c: &mut Check) {
    if tags.is_empty() {
        return;
    }
    for (k, v) in tags {
        c.context
            .insert(format!("s3:RequestObjectTag/{k}"), vec![v.clone()]);
    }
    c.context.insert(
        "s3:RequestObjectTagKeys".to_string(),
        tags.iter().map(|(k, _)| k.clone()).collect(),
    );
}

/// The tags of an `x-amz-tagging` header (`k1=v1&k2=v2`, URL-encoded).
pub fn header_tags(value: &str) -> Vec<(String, String)> {
    value
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8_lossy()
        .into_owned()
}

/// `x-amz-copy-source` (`bucket/key[?versionId=…]`, URL-encoded) → (bucket, key, version).
fn copy_source(v: &str) -> Option<(String, String, Option<String>)> {
    let (path, q) = v.split_once('?').unwrap_or((v, ""));
    let decoded = form_decode(path.trim_start_matches('/'));
    let (b, k) = decoded.split_once('/')?;
    let version = q
        .split('&')
        .find_map(|p| p.strip_prefix("versionId="))
        .map(form_decode);
    Some((b.to_string(), k.to_string(), version))
}

/// The checks a copy adds: reading the source.
fn copy_checks(r: &S3Request<'_>) -> Result<Vec<Check>, String> {
    let Some(src) = r.header("x-amz-copy-source") else {
        return Ok(vec![]);
    };
    let (b, k, version) =
        copy_source(src).ok_or_else(|| format!("unreadable x-amz-copy-source {src:?}"))?;
    let action = if version.is_some() {
        "s3:GetObjectVersion"
    } else {
        "s3:GetObject"
    };
    Ok(vec![check(action, object_arn(&b, &k))])
}

/// Bucket sub-resources: (query parameter, GET action, PUT action, DELETE action).
const BUCKET_SUBRESOURCES: &[(&str, &str, &str, &str)] = &[
    ("acl", "s3:GetBucketAcl", "s3:PutBucketAcl", ""),
    ("location", "s3:GetBucketLocation", "", ""),
    (
        "versioning",
        "s3:GetBucketVersioning",
        "s3:PutBucketVersioning",
        "",
    ),
    (
        "tagging",
        "s3:GetBucketTagging",
        "s3:PutBucketTagging",
        "s3:PutBucketTagging",
    ),
    (
        "cors",
        "s3:GetBucketCORS",
        "s3:PutBucketCORS",
        "s3:PutBucketCORS",
    ),
    (
        "lifecycle",
        "s3:GetLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
    ),
    (
        "encryption",
        "s3:GetEncryptionConfiguration",
        "s3:PutEncryptionConfiguration",
        "s3:PutEncryptionConfiguration",
    ),
    (
        "website",
        "s3:GetBucketWebsite",
        "s3:PutBucketWebsite",
        "s3:DeleteBucketWebsite",
    ),
    (
        "notification",
        "s3:GetBucketNotification",
        "s3:PutBucketNotification",
        "",
    ),
    ("logging", "s3:GetBucketLogging", "s3:PutBucketLogging", ""),
    (
        "object-lock",
        "s3:GetBucketObjectLockConfiguration",
        "s3:PutBucketObjectLockConfiguration",
        "",
    ),
    (
        "ownershipControls",
        "s3:GetBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
    ),
    (
        "publicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
    ),
    ("policyStatus", "s3:GetBucketPolicyStatus", "", ""),
    (
        "requestPayment",
        "s3:GetBucketRequestPayment",
        "s3:PutBucketRequestPayment",
        "",
    ),
    (
        "accelerate",
        "s3:GetAccelerateConfiguration",
        "s3:PutAccelerateConfiguration",
        "",
    ),
    (
        "replication",
        "s3:GetReplicationConfiguration",
        "s3:PutReplicationConfiguration",
        "s3:PutReplicationConfiguration",
    ),
    ("uploads", "s3:ListBucketMultipartUploads", "", ""),
    ("versions", "s3:ListBucketVersions", "", ""),
];

/// Query parameters that only shape a response or carry the signature: not sub-resources.
fn is_plain_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("x-amz-")
        || lower.starts_with("response-")
        || matches!(
            name,
            "prefix"
                | "delimiter"
                | "max-keys"
                | "marker"
                | "list-type"
                | "continuation-token"
                | "fetch-owner"
                | "start-after"
                | "encoding-type"
                | "versionId"
                | "partNumber"
                | "key-marker"
                | "upload-id-marker"
                | "version-id-marker"
                | "max-uploads"
                | "max-parts"
                | "part-number-marker"
                | "id"
                | "max-buckets"
                | "bucket-region"
        )
}

/// Maps a request. `Err` says why it cannot be mapped (the gateway logs it and refuses).
pub fn map(r: &S3Request<'_>) -> Result<Operation, String> {
    let m = r.method;
    let Some(bucket) = r.bucket.filter(|b| !b.is_empty()) else {
        return match m {
            "GET" if r.query.iter().all(|(k, _)| is_plain_param(k)) => Ok(op(
                "ListBuckets",
                vec![check("s3:ListAllMyBuckets", "*".to_string())],
            )),
            _ => Err(format!("{m} on the service endpoint")),
        };
    };
    match r.key.filter(|k| !k.is_empty()) {
        None => map_bucket(r, bucket),
        Some(key) => map_object(r, bucket, key),
    }
}

fn map_bucket(r: &S3Request<'_>, bucket: &str) -> Result<Operation, String> {
    let arn = bucket_arn(bucket);
    let m = r.method;
    let policy_local = |name, local, body| Operation {
        name,
        checks: vec![check(
            match local {
                Local::PutBucketPolicy => "s3:PutBucketPolicy",
                Local::GetBucketPolicy => "s3:GetBucketPolicy",
                Local::DeleteBucketPolicy => "s3:DeleteBucketPolicy",
            },
            arn.clone(),
        )],
        local: Some(local),
        body,
    };
    if r.has("policy") {
        return match m {
            "PUT" => Ok(policy_local(
                "PutBucketPolicy",
                Local::PutBucketPolicy,
                BodyNeed::Policy,
            )),
            "GET" => Ok(policy_local(
                "GetBucketPolicy",
                Local::GetBucketPolicy,
                BodyNeed::None,
            )),
            "DELETE" => Ok(policy_local(
                "DeleteBucketPolicy",
                Local::DeleteBucketPolicy,
                BodyNeed::None,
            )),
            _ => Err(format!("{m} ?policy")),
        };
    }
    for (param, get, put, delete) in BUCKET_SUBRESOURCES {
        if !r.has(param) {
            continue;
        }
        let action = match m {
            "GET" => *get,
            "PUT" => *put,
            "DELETE" => *delete,
            _ => "",
        };
        if action.is_empty() {
            return Err(format!("{m} ?{param} on a bucket"));
        }
        let mut c = check(action, arn.clone());
        if *param == "acl" {
            header_context(r, &mut c);
        }
        if *param == "versions" || *param == "uploads" {
            list_context(r, &mut c);
        }
        return Ok(op(sub_name(m, param), vec![c]));
    }
    if let Some((k, _)) = r.query.iter().find(|(k, _)| !is_plain_param(k)) {
        if m == "POST" && k == "delete" {
            return Ok(Operation {
                name: "DeleteObjects",
                checks: vec![],
                local: None,
                body: BodyNeed::DeleteKeys,
            });
        }
        return Err(format!("{m} ?{k} on a bucket"));
    }
    match m {
        "GET" => {
            let mut c = check("s3:ListBucket", arn);
            list_context(r, &mut c);
            let name = if r.param("list-type") == Some("2") {
                "ListObjectsV2"
            } else {
                "ListObjects"
            };
            Ok(op(name, vec![c]))
        }
        "HEAD" => Ok(op("HeadBucket", vec![check("s3:ListBucket", arn)])),
        "PUT" => {
            let mut c = check("s3:CreateBucket", arn);
            header_context(r, &mut c);
            Ok(op("CreateBucket", vec![c]))
        }
        "DELETE" => Ok(op("DeleteBucket", vec![check("s3:DeleteBucket", arn)])),
        _ => Err(format!("{m} on a bucket")),
    }
}

fn sub_name(method: &str, param: &str) -> &'static str {
    match (method, param) {
        ("GET", "acl") => "GetBucketAcl",
        ("PUT", "acl") => "PutBucketAcl",
        ("GET", "location") => "GetBucketLocation",
        ("GET", "versioning") => "GetBucketVersioning",
        ("PUT", "versioning") => "PutBucketVersioning",
        ("GET", "tagging") => "GetBucketTagging",
        ("PUT", "tagging") => "PutBucketTagging",
        ("DELETE", "tagging") => "DeleteBucketTagging",
        ("GET", "uploads") => "ListMultipartUploads",
        ("GET", "versions") => "ListObjectVersions",
        ("GET", _) => "GetBucketConfiguration",
        ("PUT", _) => "PutBucketConfiguration",
        _ => "DeleteBucketConfiguration",
    }
}

/// `s3:prefix`, `s3:delimiter`, `s3:max-keys` of a listing.
fn list_context(r: &S3Request<'_>, c: &mut Check) {
    for (param, key) in [
        ("prefix", "s3:prefix"),
        ("delimiter", "s3:delimiter"),
        ("max-keys", "s3:max-keys"),
    ] {
        if let Some(v) = r.param(param) {
            c.context.insert(key.to_string(), vec![v.to_string()]);
        }
    }
    // AWS: a listing without a prefix is a listing with the empty prefix.
    c.context
        .entry("s3:prefix".to_string())
        .or_insert_with(|| vec![String::new()]);
}

fn map_object(r: &S3Request<'_>, bucket: &str, key: &str) -> Result<Operation, String> {
    let arn = object_arn(bucket, key);
    let m = r.method;
    let versioned = r.has("versionId");
    let pick = |plain: &'static str, version: &'static str| if versioned { version } else { plain };
    if let Some((k, _)) = r.query.iter().find(|(k, _)| {
        !is_plain_param(k)
            && !matches!(
                k.as_str(),
                "acl"
                    | "tagging"
                    | "uploadId"
                    | "uploads"
                    | "attributes"
                    | "retention"
                    | "legal-hold"
                    | "restore"
            )
    }) {
        return Err(format!("{m} ?{k} on an object"));
    }
    let one = |name, action: &'static str| Ok(op(name, vec![check(action, arn.clone())]));
    if r.has("acl") {
        return match m {
            "GET" => one(
                "GetObjectAcl",
                pick("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
            ),
            "PUT" => {
                let mut c = check(pick("s3:PutObjectAcl", "s3:PutObjectVersionAcl"), arn);
                header_context(r, &mut c);
                Ok(op("PutObjectAcl", vec![c]))
            }
            _ => Err(format!("{m} ?acl on an object")),
        };
    }
    if r.has("tagging") {
        return match m {
            "GET" => one(
                "GetObjectTagging",
                pick("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
            ),
            "PUT" => Ok(Operation {
                name: "PutObjectTagging",
                checks: vec![check(
                    pick("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
                    arn,
                )],
                local: None,
                body: BodyNeed::Tagging,
            }),
            "DELETE" => one(
                "DeleteObjectTagging",
                pick("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
            ),
            _ => Err(format!("{m} ?tagging on an object")),
        };
    }
    if r.has("attributes") && m == "GET" {
        return one(
            "GetObjectAttributes",
            pick("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
        );
    }
    if r.has("retention") {
        return match m {
            "GET" => one("GetObjectRetention", "s3:GetObjectRetention"),
            "PUT" => one("PutObjectRetention", "s3:PutObjectRetention"),
            _ => Err(format!("{m} ?retention on an object")),
        };
    }
    if r.has("legal-hold") {
        return match m {
            "GET" => one("GetObjectLegalHold", "s3:GetObjectLegalHold"),
            "PUT" => one("PutObjectLegalHold", "s3:PutObjectLegalHold"),
            _ => Err(format!("{m} ?legal-hold on an object")),
        };
    }
    if r.has("restore") {
        return match m {
            "POST" => one("RestoreObject", "s3:RestoreObject"),
            _ => Err(format!("{m} ?restore on an object")),
        };
    }
    if r.has("uploads") {
        return match m {
            "POST" => Ok(op("CreateMultipartUpload", vec![put_check(r, arn)])),
            _ => Err(format!("{m} ?uploads on an object")),
        };
    }
    if r.has("uploadId") {
        return match m {
            "PUT" if r.has("partNumber") => {
                let mut checks = vec![check("s3:PutObject", arn)];
                checks.extend(copy_checks(r)?);
                let name = if r.header("x-amz-copy-source").is_some() {
                    "UploadPartCopy"
                } else {
                    "UploadPart"
                };
                Ok(op(name, checks))
            }
            "POST" => one("CompleteMultipartUpload", "s3:PutObject"),
            "DELETE" => one("AbortMultipartUpload", "s3:AbortMultipartUpload"),
            "GET" => one("ListParts", "s3:ListMultipartUploadParts"),
            _ => Err(format!("{m} ?uploadId on an object")),
        };
    }
    match m {
        "GET" => one("GetObject", pick("s3:GetObject", "s3:GetObjectVersion")),
        "HEAD" => one("HeadObject", pick("s3:GetObject", "s3:GetObjectVersion")),
        "PUT" => {
            let mut checks = vec![put_check(r, arn.clone())];
            let copying = r.header("x-amz-copy-source").is_some();
            checks.extend(copy_checks(r)?);
            // Tags set with the object need the tagging permission too.
            if let Some(t) = r.header("x-amz-tagging") {
                let mut c = check("s3:PutObjectTagging", arn);
                tag_context(&header_tags(t), &mut c);
                checks.push(c);
            }
            Ok(op(if copying { "CopyObject" } else { "PutObject" }, checks))
        }
        "DELETE" => one(
            "DeleteObject",
            pick("s3:DeleteObject", "s3:DeleteObjectVersion"),
        ),
        _ => Err(format!("{m} on an object")),
    }
}

/// `s3:PutObject` with its header condition keys and request tags.
fn put_check(r: &S3Request<'_>, arn: String) -> Check {
    let mut c = check("s3:PutObject", arn);
    header_context(r, &mut c);
    if let Some(t) = r.header("x-amz-tagging") {
        tag_context(&header_tags(t), &mut c);
    }
    c
}

/// The keys of a `DeleteObjects` body (`<Delete><Object><Key>…</Key>…`), XML-unescaped.
pub fn delete_keys(body: &str) -> Vec<String> {
    elements(body, "Key")
}

/// The tags of a `Tagging` body (`<Tag><Key>…</Key><Value>…</Value></Tag>`).
pub fn body_tags(body: &str) -> Vec<(String, String)> {
    body.split("<Tag>")
        .skip(1)
        .filter_map(|t| {
            let k = elements(t, "Key").into_iter().next()?;
            let v = elements(t, "Value").into_iter().next().unwrap_or_default();
            Some((k, v))
        })
        .collect()
}

/// The texts of every `<name>…</name>` in `xml`, unescaped (S3's request bodies are flat
/// enough that this is exact for them).
fn elements(xml: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(xml_unescape(&after[..j]));
        rest = &after[j + close.len()..];
    }
    out
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#13;", "\r")
        .replace("&#10;", "\n")
        .replace("&amp;", "&")
}

/// The actions whose condition keys include `s3:ExistingObjectTag/<key>` (Service Authorization
/// Reference: the object's current tags).
pub fn takes_existing_tags(action: &str) -> bool {
    matches!(
        action,
        "s3:GetObject"
            | "s3:GetObjectVersion"
            | "s3:GetObjectAcl"
            | "s3:GetObjectVersionAcl"
            | "s3:GetObjectTagging"
            | "s3:GetObjectVersionTagging"
            | "s3:PutObjectAcl"
            | "s3:PutObjectVersionAcl"
            | "s3:PutObjectTagging"
            | "s3:PutObjectVersionTagging"
            | "s3:DeleteObjectTagging"
            | "s3:DeleteObjectVersionTagging"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(
        method: &'a str,
        bucket: Option<&'a str>,
        key: Option<&'a str>,
        query: &'a [(String, String)],
        headers: &'a [(String, String)],
    ) -> Operation {
        map(&S3Request {
            method,
            bucket,
            key,
            query,
            headers,
        })
        .unwrap()
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn objects() {
        let o = req("GET", Some("b"), Some("a/k"), &[], &[]);
        assert_eq!(o.name, "GetObject");
        assert_eq!(o.checks[0].action, "s3:GetObject");
        assert_eq!(o.checks[0].resource, "arn:aws:s3:::b/a/k");
        let o = req("GET", Some("b"), Some("k"), &q(&[("versionId", "v")]), &[]);
        assert_eq!(o.checks[0].action, "s3:GetObjectVersion");
        let o = req("HEAD", Some("b"), Some("k"), &[], &[]);
        assert_eq!(o.checks[0].action, "s3:GetObject");
        let h = q(&[
            ("x-amz-acl", "public-read"),
            ("x-amz-tagging", "team=a%20b"),
        ]);
        let o = req("PUT", Some("b"), Some("k"), &[], &h);
        assert_eq!(o.name, "PutObject");
        assert_eq!(o.checks[0].context["s3:x-amz-acl"], vec!["public-read"]);
        assert_eq!(o.checks[0].context["s3:RequestObjectTag/team"], vec!["a b"]);
        assert_eq!(o.checks[1].action, "s3:PutObjectTagging");
        let o = req("DELETE", Some("b"), Some("k"), &[], &[]);
        assert_eq!(o.checks[0].action, "s3:DeleteObject");
    }

    #[test]
    fn copies_read_the_source() {
        let h = q(&[("x-amz-copy-source", "/src/a%20b.txt?versionId=3")]);
        let o = req("PUT", Some("b"), Some("k"), &[], &h);
        assert_eq!(o.name, "CopyObject");
        assert_eq!(o.checks[1].action, "s3:GetObjectVersion");
        assert_eq!(o.checks[1].resource, "arn:aws:s3:::src/a b.txt");
    }

    #[test]
    fn multipart() {
        let o = req("POST", Some("b"), Some("k"), &q(&[("uploads", "")]), &[]);
        assert_eq!(
            (o.name, o.checks[0].action),
            ("CreateMultipartUpload", "s3:PutObject")
        );
        let part = q(&[("partNumber", "1"), ("uploadId", "u")]);
        assert_eq!(
            req("PUT", Some("b"), Some("k"), &part, &[]).name,
            "UploadPart"
        );
        let up = q(&[("uploadId", "u")]);
        assert_eq!(
            req("POST", Some("b"), Some("k"), &up, &[]).checks[0].action,
            "s3:PutObject"
        );
        assert_eq!(
            req("DELETE", Some("b"), Some("k"), &up, &[]).checks[0].action,
            "s3:AbortMultipartUpload"
        );
        assert_eq!(
            req("GET", Some("b"), Some("k"), &up, &[]).checks[0].action,
            "s3:ListMultipartUploadParts"
        );
        let o = req("GET", Some("b"), None, &q(&[("uploads", "")]), &[]);
        assert_eq!(o.checks[0].action, "s3:ListBucketMultipartUploads");
    }

    #[test]
    fn buckets() {
        let o = req("GET", None, None, &[], &[]);
        assert_eq!(
            (o.checks[0].action, o.checks[0].resource.as_str()),
            ("s3:ListAllMyBuckets", "*")
        );
        let l = q(&[
            ("list-type", "2"),
            ("prefix", "home/joe/"),
            ("delimiter", "/"),
        ]);
        let o = req("GET", Some("b"), None, &l, &[]);
        assert_eq!(o.name, "ListObjectsV2");
        assert_eq!(o.checks[0].action, "s3:ListBucket");
        assert_eq!(o.checks[0].resource, "arn:aws:s3:::b");
        assert_eq!(o.checks[0].context["s3:prefix"], vec!["home/joe/"]);
        assert_eq!(o.checks[0].context["s3:delimiter"], vec!["/"]);
        let o = req("GET", Some("b"), None, &[], &[]);
        assert_eq!(o.checks[0].context["s3:prefix"], vec![""]);
        assert_eq!(
            req("HEAD", Some("b"), None, &[], &[]).checks[0].action,
            "s3:ListBucket"
        );
        assert_eq!(
            req("PUT", Some("b"), None, &[], &[]).checks[0].action,
            "s3:CreateBucket"
        );
        assert_eq!(
            req("DELETE", Some("b"), None, &[], &[]).checks[0].action,
            "s3:DeleteBucket"
        );
        let o = req("PUT", Some("b"), None, &q(&[("policy", "")]), &[]);
        assert_eq!(o.local, Some(Local::PutBucketPolicy));
        assert_eq!(o.checks[0].action, "s3:PutBucketPolicy");
        let o = req("DELETE", Some("b"), None, &q(&[("tagging", "")]), &[]);
        assert_eq!(o.checks[0].action, "s3:PutBucketTagging");
        let o = req("POST", Some("b"), None, &q(&[("delete", "")]), &[]);
        assert_eq!(o.body, BodyNeed::DeleteKeys);
    }

    #[test]
    fn unknown_requests_are_not_mapped() {
        let r = |m, b, k, query: &[(String, String)]| {
            map(&S3Request {
                method: m,
                bucket: b,
                key: k,
                query,
                headers: &[],
            })
        };
        assert!(r("GET", Some("b"), Some("k"), &q(&[("torrent", "")])).is_err());
        assert!(r("POST", Some("b"), None, &[]).is_err());
        assert!(r("PATCH", Some("b"), Some("k"), &[]).is_err());
        assert!(r("GET", Some("b"), None, &q(&[("analytics", "")])).is_err());
        assert!(r("PUT", None, None, &[]).is_err());
    }

    #[test]
    fn bodies() {
        let d = "<Delete><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key><VersionId>1</VersionId></Object></Delete>";
        assert_eq!(delete_keys(d), vec!["a&b", "c"]);
        let t = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>x</Key><Value></Value></Tag></TagSet></Tagging>";
        assert_eq!(
            body_tags(t),
            vec![("k".into(), "v".into()), ("x".into(), "".into())]
        );
    }
}
