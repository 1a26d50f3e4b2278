//! Exclusive XML Canonicalization 1.0 without comments (W3C `xml-exc-c14n`), of one element's
//! subtree, optionally leaving out one descendant (the enveloped-signature transform) and with
//! an `InclusiveNamespaces` prefix list.
//!
//! The input is a parsed [`roxmltree`] tree: entities are already expanded, line ends and
//! attribute values already normalized, as the XPath data model that c14n starts from wants.
//! Element and attribute prefixes are read from the source text (the tree keeps only URIs), so
//! the output carries the prefixes the signer saw.

use std::collections::BTreeMap;

use roxmltree::{Node, NodeId};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// What to canonicalize.
pub struct Options<'p> {
    /// A node left out with its subtree (the `Signature` being verified).
    pub exclude: Option<NodeId>,
    /// `InclusiveNamespaces/@PrefixList`: prefixes treated as in inclusive c14n (`#default` for
    /// the default namespace).
    pub inclusive_prefixes: &'p [String],
}

/// The canonical form of `root`'s subtree.
pub fn canonicalize(root: Node, opts: &Options) -> String {
    let mut out = String::new();
    // The namespaces rendered on the output ancestors: prefix ("" for default) → URI.
    let rendered: BTreeMap<String, String> = BTreeMap::new();
    element(root, opts, &rendered, &mut out);
    out
}

/// The prefix of a qualified name in the source (`saml:Assertion` → `saml`).
fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

fn element_qname<'a>(n: Node<'a, '_>) -> &'a str {
    let text = n.document().input_text();
    let start = n.range().start + 1;
    let rest = text.get(start..).unwrap_or("");
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or("")
}

/// The namespace bound to `prefix` at `n` ("" for the default namespace).
fn in_scope(n: Node, prefix: &str) -> Option<String> {
    n.namespaces()
        .find(|ns| ns.name().unwrap_or("") == prefix)
        .map(|ns| ns.uri().to_string())
}

fn element(n: Node, opts: &Options, rendered: &BTreeMap<String, String>, out: &mut String) {
    let qname = element_qname(n);
    let text = n.document().input_text();
    // Attributes with their qualified names as written.
    let mut attrs: Vec<(String, String, String, String)> = n
        .attributes()
        .map(|a| {
            let q = text.get(a.range_qname()).unwrap_or(a.name()).to_string();
            (
                a.namespace().unwrap_or("").to_string(),
                a.name().to_string(),
                q,
                a.value().to_string(),
            )
        })
        .collect();
    // Visibly utilized prefixes: the element's and its attributes' (not `xml`).
    let mut used: Vec<String> = vec![prefix_of(qname).to_string()];
    for (_, _, q, _) in &attrs {
        let p = prefix_of(q);
        if !p.is_empty() && p != "xml" {
            used.push(p.to_string());
        }
    }
    for p in opts.inclusive_prefixes {
        let p = if p == "#default" { "" } else { p.as_str() };
        if in_scope(n, p).is_some() {
            used.push(p.to_string());
        }
    }
    used.sort();
    used.dedup();
    let mut mine = rendered.clone();
    let mut decls: Vec<(String, String)> = Vec::new();
    for p in used {
        let uri = in_scope(n, &p).unwrap_or_default();
        if uri == XML_NS {
            continue;
        }
        let current = rendered.get(&p).map(String::as_str).unwrap_or("");
        // The default namespace is undeclared (`xmlns=""`) only where an output ancestor
        // declared a non-empty one.
        if current != uri {
            decls.push((p.clone(), uri.clone()));
            mine.insert(p, uri);
        }
    }
    out.push('<');
    out.push_str(qname);
    for (p, uri) in &decls {
        if p.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(p);
            out.push_str("=\"");
        }
        escape_attr(uri, out);
        out.push('"');
    }
    attrs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (_, _, q, v) in &attrs {
        out.push(' ');
        out.push_str(q);
        out.push_str("=\"");
        escape_attr(v, out);
        out.push('"');
    }
    out.push('>');
    for c in n.children() {
        if Some(c.id()) == opts.exclude {
            continue;
        }
        if c.is_element() {
            element(c, opts, &mine, out);
        } else if c.is_text() {
            escape_text(c.text().unwrap_or(""), out);
        } else if c.is_pi()
            && let Some(pi) = c.pi()
        {
            out.push_str("<?");
            out.push_str(pi.target);
            if let Some(v) = pi.value {
                out.push(' ');
                out.push_str(v);
            }
            out.push_str("?>");
        }
        // Comments are dropped (c14n without comments).
    }
    out.push_str("</");
    out.push_str(qname);
    out.push('>');
}

fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn c14n(xml: &str, inclusive: &[String]) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        canonicalize(
            doc.root_element(),
            &Options {
                exclude: None,
                inclusive_prefixes: inclusive,
            },
        )
    }

    #[test]
    fn the_specs_example_of_unused_namespaces() {
        // xml-exc-c14n §2.2: n1 is not visibly utilized by n2:pdu, so it is not rendered.
        let xml = r#"<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let elem2 = doc.descendants().find(|n| n.has_tag_name("elem2")).unwrap();
        let out = canonicalize(
            elem2,
            &Options {
                exclude: None,
                inclusive_prefixes: &[],
            },
        );
        assert_eq!(
            out,
            r#"<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>"#
        );
    }

    #[test]
    fn attributes_sort_and_escape_and_empty_elements_expand() {
        let xml = "<a xmlns=\"urn:d\" xmlns:x=\"urn:x\" z=\"1\" x:b=\"&quot;q&quot;\" a=\"&lt;&amp;\"><b/>t &amp; &lt; &gt;<!-- c --></a>";
        assert_eq!(
            c14n(xml, &[]),
            "<a xmlns=\"urn:d\" xmlns:x=\"urn:x\" a=\"&lt;&amp;\" z=\"1\" x:b=\"&quot;q&quot;\"><b></b>t &amp; &lt; &gt;</a>"
        );
    }

    #[test]
    fn default_namespace_is_undeclared_under_a_declared_one() {
        let xml = r#"<a xmlns="urn:d"><b xmlns=""><c/></b></a>"#;
        assert_eq!(
            c14n(xml, &[]),
            r#"<a xmlns="urn:d"><b xmlns=""><c></c></b></a>"#
        );
    }

    #[test]
    fn inclusive_prefixes_are_rendered_when_in_scope() {
        let xml = r#"<s:a xmlns:s="urn:s" xmlns:xs="urn:xs"><s:b/></s:a>"#;
        assert_eq!(
            c14n(xml, &["xs".to_string()]),
            r#"<s:a xmlns:s="urn:s" xmlns:xs="urn:xs"><s:b></s:b></s:a>"#
        );
        assert_eq!(c14n(xml, &[]), r#"<s:a xmlns:s="urn:s"><s:b></s:b></s:a>"#);
    }
}
