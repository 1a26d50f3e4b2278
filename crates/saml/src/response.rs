//! A SAML response for `AssumeRoleWithSAML`: its signature, its structure (see the crate docs on
//! wrapping), the issuer, the time window with skew, the audience, and the bearer subject
//! confirmation with its recipient; then the subject and attributes, for STS to map.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use roxmltree::Node;
use time::{Duration, OffsetDateTime};

use crate::signature::verify_enveloped;
use crate::{SAML, SAMLP, SamlError, parse_time, parse_xml};

const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// What the response must match.
pub struct Expected<'a> {
    /// The provider's entity ID (the assertion's `Issuer`).
    pub issuer: &'a str,
    /// The provider's signing keys (DER PKCS#1 RSA).
    pub keys: &'a [Vec<u8>],
    /// Accepted audiences and recipients (AWS's sign-in endpoints).
    pub audiences: &'a [&'a str],
    pub now: OffsetDateTime,
    /// Allowed clock difference with the identity provider.
    pub skew: Duration,
    /// The provider's private keys for encrypted assertions (PKCS#8 DER RSA).
    pub decryption_keys: &'a [Vec<u8>],
    /// The provider accepts only encrypted assertions (`AssertionEncryptionMode` `Required`).
    pub require_encryption: bool,
}

/// A verified assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub assertion_id: String,
    pub issuer: String,
    pub subject: String,
    /// The `NameID` format URI.
    pub subject_format: String,
    /// The subject confirmation's `Recipient`.
    pub recipient: String,
    /// When the assertion stops being usable (for the replay cache).
    pub not_on_or_after: OffsetDateTime,
    /// Attributes in document order: name and values.
    pub attributes: Vec<(String, Vec<String>)>,
}

fn invalid(m: impl Into<String>) -> SamlError {
    SamlError::Invalid(m.into())
}

fn is(n: Node, ns: &str, name: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name
}

fn children<'a, 'i>(
    n: Node<'a, 'i>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children().filter(move |c| is(*c, ns, name))
}

fn one<'a, 'i>(n: Node<'a, 'i>, ns: &str, name: &str) -> Result<Node<'a, 'i>, SamlError> {
    let mut it = n.children().filter(|c| is(*c, ns, name));
    match (it.next(), it.next()) {
        (Some(c), None) => Ok(c),
        (None, _) => Err(invalid(format!("{name} is missing"))),
        _ => Err(invalid(format!("more than one {name}"))),
    }
}

fn text(n: Node) -> String {
    n.text().unwrap_or("").trim().to_string()
}

fn time_attr(n: Node, name: &str) -> Result<Option<OffsetDateTime>, SamlError> {
    match n.attribute(name) {
        None => Ok(None),
        Some(v) => parse_time(v)
            .map(Some)
            .ok_or_else(|| invalid(format!("{name} is not a date"))),
    }
}

/// Decodes (base64) and verifies a SAML response.
pub fn verify_response(b64: &str, want: &Expected) -> Result<Verified, SamlError> {
    let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD
        .decode(compact)
        .map_err(|_| invalid("the SAMLAssertion is not base64"))?;
    let xml = String::from_utf8(bytes).map_err(|_| invalid("the response is not UTF-8"))?;
    let doc = parse_xml(&xml)?;
    let response = doc.root_element();
    if !is(response, SAMLP, "Response") {
        return Err(invalid("the root element must be samlp:Response"));
    }
    unique_ids(&doc)?;
    let status = one(one(response, SAMLP, "Status")?, SAMLP, "StatusCode")?;
    if status.attribute("Value") != Some(SUCCESS) {
        return Err(invalid("the response's status is not Success"));
    }
    let found: Vec<Node> = doc
        .descendants()
        .filter(|n| is(*n, SAML, "Assertion") || is(*n, SAML, "EncryptedAssertion"))
        .collect();
    let only = match found.as_slice() {
        [a] if a.parent() == Some(response) => *a,
        [_] => return Err(invalid("the Assertion must be a child of the Response")),
        _ => return Err(invalid("the response must hold exactly one Assertion")),
    };
    let response_signed = verify_enveloped(response, want.keys)?;
    if is(only, SAML, "Assertion") {
        if want.require_encryption {
            return Err(invalid("the provider accepts only encrypted assertions"));
        }
        return claims(only, response, response_signed, want);
    }
    // Decrypted, the assertion is parsed on its own, inside an element that declares the
    // namespaces in scope where it was (its prefixes may be declared on the Response).
    let plain = crate::decrypt::decrypt_assertion(only, want.decryption_keys)?;
    let mut wrapper = String::from("<iamd:decrypted xmlns:iamd=\"urn:iamd:decrypted\"");
    for ns in only.namespaces() {
        match ns.name() {
            Some("xml") | Some("iamd") => {}
            Some(p) => wrapper.push_str(&format!(" xmlns:{p}=\"{}\"", attr_escape(ns.uri()))),
            None => wrapper.push_str(&format!(" xmlns=\"{}\"", attr_escape(ns.uri()))),
        }
    }
    wrapper.push('>');
    wrapper.push_str(&plain);
    wrapper.push_str("</iamd:decrypted>");
    let inner = parse_xml(&wrapper)?;
    unique_ids(&inner)?;
    let elements: Vec<Node> = inner
        .root_element()
        .children()
        .filter(|c| c.is_element())
        .collect();
    let assertion = match elements.as_slice() {
        [a] if is(*a, SAML, "Assertion") => *a,
        _ => return Err(invalid("the encrypted data is not one Assertion")),
    };
    let nested = inner
        .descendants()
        .filter(|n| is(*n, SAML, "Assertion") || is(*n, SAML, "EncryptedAssertion"))
        .count();
    if nested != 1 {
        return Err(invalid("the decrypted assertion holds another assertion"));
    }
    claims(assertion, response, response_signed, want)
}

fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// Refuses a document in which an ID is used twice, so no reference can point at a copy.
fn unique_ids(doc: &roxmltree::Document) -> Result<(), SamlError> {
    let mut ids = BTreeSet::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            if a.namespace().is_none()
                && (a.name() == "ID" || a.name() == "Id" || a.name() == "id")
                && !ids.insert(a.value().to_string())
            {
                return Err(invalid("an ID is used twice"));
            }
        }
    }
    Ok(())
}

/// The checks on the assertion whose claims are used, and the claims.
fn claims(
    assertion: Node,
    response: Node,
    response_signed: bool,
    want: &Expected,
) -> Result<Verified, SamlError> {
    let assertion_signed = verify_enveloped(assertion, want.keys)?;
    if !response_signed && !assertion_signed {
        return Err(SamlError::Signature(
            "neither the response nor the assertion is signed".into(),
        ));
    }

    let issuer = text(one(assertion, SAML, "Issuer")?);
    if issuer != want.issuer {
        return Err(invalid(format!(
            "the issuer {issuer} is not the provider's"
        )));
    }
    if let Some(i) = children(response, SAML, "Issuer").next()
        && text(i) != want.issuer
    {
        return Err(invalid("the response's issuer is not the provider's"));
    }
    let now = want.now;
    let early = |t: Option<OffsetDateTime>| t.is_some_and(|t| now + want.skew < t);
    let late = |t: Option<OffsetDateTime>| t.is_some_and(|t| now - want.skew >= t);

    let conditions = one(assertion, SAML, "Conditions")?;
    let not_before = time_attr(conditions, "NotBefore")?;
    let mut not_on_or_after = time_attr(conditions, "NotOnOrAfter")?;
    if early(not_before) {
        return Err(SamlError::NotYetValid);
    }
    if late(not_on_or_after) {
        return Err(SamlError::Expired);
    }
    let restrictions: Vec<Node> = children(conditions, SAML, "AudienceRestriction").collect();
    if restrictions.is_empty() {
        return Err(invalid("the assertion has no AudienceRestriction"));
    }
    // Every restriction must name one of our audiences (each is a separate condition).
    for r in &restrictions {
        if !children(*r, SAML, "Audience").any(|a| want.audiences.contains(&text(a).as_str())) {
            return Err(invalid("the assertion is not meant for this audience"));
        }
    }

    let subject = one(assertion, SAML, "Subject")?;
    let name_id = one(subject, SAML, "NameID")?;
    let mut recipient = None;
    for sc in children(subject, SAML, "SubjectConfirmation") {
        if sc.attribute("Method") != Some(BEARER) {
            continue;
        }
        let Some(data) = children(sc, SAML, "SubjectConfirmationData").next() else {
            continue;
        };
        let r = data.attribute("Recipient").unwrap_or("");
        if !want.audiences.contains(&r) {
            continue;
        }
        let until = time_attr(data, "NotOnOrAfter")?;
        if until.is_none() || late(until) || early(time_attr(data, "NotBefore")?) {
            continue;
        }
        // The replay cache keeps the ID until the later of the two limits has passed.
        not_on_or_after = match (not_on_or_after, until) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        recipient = Some(r.to_string());
        break;
    }
    let recipient = recipient
        .ok_or_else(|| invalid("no valid bearer SubjectConfirmation for this recipient"))?;

    let mut attributes = Vec::new();
    for st in children(assertion, SAML, "AttributeStatement") {
        for a in children(st, SAML, "Attribute") {
            let name = a.attribute("Name").unwrap_or("").to_string();
            let values = children(a, SAML, "AttributeValue").map(text).collect();
            attributes.push((name, values));
        }
    }
    Ok(Verified {
        assertion_id: assertion
            .attribute("ID")
            .ok_or_else(|| invalid("the Assertion has no ID"))?
            .to_string(),
        issuer,
        subject: text(name_id),
        subject_format: name_id
            .attribute("Format")
            .unwrap_or("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
            .to_string(),
        recipient,
        not_on_or_after: not_on_or_after.unwrap_or(now + Duration::minutes(5)),
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xml: &str) -> Result<Verified, SamlError> {
        verify_response(
            &STANDARD.encode(xml),
            &Expected {
                issuer: "https://idp",
                keys: &[],
                audiences: &["https://signin.aws.amazon.com/saml"],
                now: OffsetDateTime::now_utc(),
                skew: Duration::minutes(5),
                decryption_keys: &[],
                require_encryption: false,
            },
        )
    }

    const OK: &str = r#"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>"#;

    fn response(inner: &str) -> String {
        format!(
            r#"<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="r1">{OK}{inner}</samlp:Response>"#
        )
    }

    #[test]
    fn structure_is_checked_before_any_signature() {
        let a = |id: &str| {
            format!(
                r#"<saml:Assertion ID="{id}"><saml:Issuer>https://idp</saml:Issuer></saml:Assertion>"#
            )
        };
        let e = check(&response(&format!("{}{}", a("a1"), a("a1")))).unwrap_err();
        assert_eq!(e, invalid("an ID is used twice"));
        let e = check(&response(&format!("{}{}", a("a1"), a("a2")))).unwrap_err();
        assert_eq!(e, invalid("the response must hold exactly one Assertion"));
        let nested = response(&format!("<samlp:Extensions>{}</samlp:Extensions>", a("a1")));
        assert_eq!(
            check(&nested).unwrap_err(),
            invalid("the Assertion must be a child of the Response")
        );
        // No signature at all.
        assert!(matches!(
            check(&response(&a("a1"))).unwrap_err(),
            SamlError::Signature(_)
        ));
        // DTDs (entity expansion) are refused outright.
        let dtd = format!(r#"<!DOCTYPE x [<!ENTITY e "e">]>{}"#, response(&a("a1")));
        assert!(matches!(check(&dtd).unwrap_err(), SamlError::Xml(_)));
        assert!(matches!(check("not xml").unwrap_err(), SamlError::Xml(_)));
    }
}
