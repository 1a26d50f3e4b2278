//! Wildcard matching (`*` = any run of characters, `?` = exactly one character)
//! and policy-variable templates (`${aws:username}`, `${key, 'default'}`,
//! `${*}`, `${?}`, `${$}`).

use crate::context::Context;
use std::borrow::Cow;

/// One element of a compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// Literal text matched exactly (or ASCII-case-insensitively).
    Lit(Box<str>),
    /// `*`: zero or more characters.
    Star,
    /// `?`: exactly one character.
    One,
    /// `*` inside an ARN part: any run of characters except `:`.
    SegStar,
    /// `?` inside an ARN part: one character other than `:`.
    SegOne,
}

fn char_len_at(text: &[u8], i: usize) -> usize {
    match text.get(i) {
        Some(&b) if b < 0x80 => 1,
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(_) => 2,
        None => 1,
    }
}

#[inline]
fn lit_at(text: &[u8], at: usize, lit: &[u8], ci: bool) -> bool {
    let Some(s) = text.get(at..at + lit.len()) else {
        return false;
    };
    // Cheap first-byte check before the full comparison.
    match (s.first(), lit.first()) {
        (Some(a), Some(b)) if a != b && !(ci && a.eq_ignore_ascii_case(b)) => return false,
        _ => {}
    }
    if ci {
        s.eq_ignore_ascii_case(lit)
    } else {
        s == lit
    }
}

/// Matches `text` against a token list. Runs in O(len(text) × len(tokens))
/// at worst, with no allocation and no recursion.
pub(crate) fn glob(toks: &[Tok], text: &str, ci: bool) -> bool {
    let s = text.as_bytes();
    let (mut t, mut i) = (0usize, 0usize);
    // (token after the star, text position, star stops at ':')
    let mut star: Option<(usize, usize, bool)> = None;
    loop {
        if let Some(tok) = toks.get(t) {
            match tok {
                Tok::Star | Tok::SegStar => {
                    star = Some((t + 1, i, *tok == Tok::SegStar));
                    t += 1;
                    continue;
                }
                Tok::One => {
                    if i < s.len() {
                        i += char_len_at(s, i);
                        t += 1;
                        continue;
                    }
                }
                Tok::SegOne => {
                    if i < s.len() && s[i] != b':' {
                        i += char_len_at(s, i);
                        t += 1;
                        continue;
                    }
                }
                Tok::Lit(l) => {
                    if lit_at(s, i, l.as_bytes(), ci) {
                        i += l.len();
                        t += 1;
                        continue;
                    }
                }
            }
        } else if i >= s.len() {
            return true;
        }
        match star {
            // A star limited to one ARN part cannot take a ':'; the parts
            // before it are then fixed too, so there is nothing to retry.
            Some((_, si, true)) if s.get(si) == Some(&b':') => return false,
            Some((st, si, seg)) if si < s.len() => {
                let mut ni = si + char_len_at(s, si);
                // Skip ahead to where the next literal can start.
                if let Some(Tok::Lit(l)) = toks.get(st)
                    && let Some(&first) = l.as_bytes().first()
                {
                    while ni < s.len() {
                        let b = s[ni];
                        if b == first || (ci && b.eq_ignore_ascii_case(&first)) {
                            break;
                        }
                        if seg && b == b':' {
                            return false;
                        }
                        ni += 1;
                    }
                }
                star = Some((st, ni, seg));
                t = st;
                i = ni;
            }
            _ => return false,
        }
    }
}

/// Splits a wildcard pattern into tokens (`*` and `?` are wildcards).
pub(crate) fn tokenize(pattern: &str, out: &mut Vec<Tok>) {
    let mut lit = String::new();
    for c in pattern.chars() {
        match c {
            '*' | '?' => {
                if !lit.is_empty() {
                    out.push(Tok::Lit(std::mem::take(&mut lit).into()));
                }
                if c == '?' {
                    out.push(Tok::One);
                } else if out.last() != Some(&Tok::Star) {
                    out.push(Tok::Star);
                }
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push(Tok::Lit(lit.into()));
    }
}

/// A compiled wildcard pattern with fast paths for the common shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Matcher {
    /// `*`
    Any,
    /// No wildcard.
    Exact(Box<str>),
    /// `prefix*`
    Prefix(Box<str>),
    /// Anything else.
    Glob(Box<[Tok]>),
}

impl Matcher {
    pub(crate) fn new(pattern: &str) -> Matcher {
        let mut toks = Vec::new();
        tokenize(pattern, &mut toks);
        match toks.as_slice() {
            [] => Matcher::Exact("".into()),
            [Tok::Star] => Matcher::Any,
            [Tok::Lit(l)] => Matcher::Exact(l.clone()),
            [Tok::Lit(l), Tok::Star] => Matcher::Prefix(l.clone()),
            _ => Matcher::Glob(toks.into()),
        }
    }

    pub(crate) fn matches(&self, text: &str, ci: bool) -> bool {
        match self {
            Matcher::Any => true,
            Matcher::Exact(l) => {
                if ci {
                    l.eq_ignore_ascii_case(text)
                } else {
                    **l == *text
                }
            }
            Matcher::Prefix(p) => {
                text.len() >= p.len()
                    && lit_at(text.as_bytes(), 0, p.as_bytes(), ci)
                    && text.is_char_boundary(p.len())
            }
            Matcher::Glob(t) => glob(t, text, ci),
        }
    }
}

/// A piece of a string that may hold policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Policy text (its `*` and `?` are wildcards where the operator allows them).
    Text(Box<str>),
    /// `${*}`, `${?}`, `${$}`: the character itself, never a wildcard.
    Char(char),
    /// `${key}` or `${key, 'default'}`; the key is kept lowercase.
    Var {
        key: Box<str>,
        default: Option<Box<str>>,
    },
}

/// A string with policy variables, as written in a Resource or a condition value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pub pieces: Vec<Piece>,
}

/// The outcome of resolving a template against a context.
pub(crate) enum Resolved<'a> {
    /// No variables: the original text.
    Plain(&'a str),
    /// Variables substituted. `Vec<Tok>` form keeps substituted text literal.
    Tokens(Vec<Tok>),
}

impl Template {
    /// Parses `${...}` variables. With `vars` false (Version 2008-10-17),
    /// everything is literal text.
    pub(crate) fn parse(s: &str, vars: bool) -> Template {
        let mut pieces = Vec::new();
        if !vars || !s.contains("${") {
            pieces.push(Piece::Text(s.into()));
            return Template { pieces };
        }
        let mut text = String::new();
        let mut rest = s;
        while let Some(pos) = rest.find("${") {
            let (before, after) = rest.split_at(pos);
            text.push_str(before);
            match parse_var(&after[2..]) {
                Some((piece, used)) => {
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text).into()));
                    }
                    pieces.push(piece);
                    rest = &after[2 + used..];
                }
                None => {
                    text.push_str("${");
                    rest = &after[2..];
                }
            }
        }
        text.push_str(rest);
        if !text.is_empty() {
            pieces.push(Piece::Text(text.into()));
        }
        Template { pieces }
    }

    pub(crate) fn has_vars(&self) -> bool {
        !matches!(self.pieces.as_slice(), [Piece::Text(_)] | [])
    }

    /// The literal text when the template has no variables.
    pub(crate) fn plain(&self) -> Option<&str> {
        match self.pieces.as_slice() {
            [Piece::Text(t)] => Some(t),
            [] => Some(""),
            _ => None,
        }
    }

    /// Variable keys referenced (lowercase).
    pub(crate) fn var_keys(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var { key, .. } => Some(&**key),
            _ => None,
        })
    }

    /// Resolves variables; `Err(key)` names the first key that has no
    /// single value and no default (AWS: the element then does not match).
    pub(crate) fn resolve<'a>(
        &'a self,
        ctx: &Context,
        wildcards: bool,
    ) -> Result<Resolved<'a>, &'a str> {
        if let Some(p) = self.plain() {
            return Ok(Resolved::Plain(p));
        }
        let mut toks = Vec::with_capacity(self.pieces.len() + 2);
        for p in &self.pieces {
            match p {
                Piece::Text(t) => {
                    if wildcards {
                        tokenize(t, &mut toks);
                    } else {
                        toks.push(Tok::Lit(t.clone()));
                    }
                }
                Piece::Char(c) => toks.push(Tok::Lit(c.to_string().into())),
                Piece::Var { key, default } => match ctx.single_string(key) {
                    Some(v) => toks.push(Tok::Lit(v.as_ref().into())),
                    None => match default {
                        Some(d) => toks.push(Tok::Lit(d.clone())),
                        None => return Err(key),
                    },
                },
            }
        }
        Ok(Resolved::Tokens(toks))
    }
}

impl Resolved<'_> {
    /// Concatenated text (for exact comparisons).
    pub(crate) fn text(&self) -> Cow<'_, str> {
        match self {
            Resolved::Plain(p) => Cow::Borrowed(p),
            Resolved::Tokens(t) => {
                let mut s = String::new();
                for tok in t {
                    match tok {
                        Tok::Lit(l) => s.push_str(l),
                        Tok::Star | Tok::SegStar => s.push('*'),
                        Tok::One | Tok::SegOne => s.push('?'),
                    }
                }
                Cow::Owned(s)
            }
        }
    }

    pub(crate) fn glob(&self, text: &str, ci: bool) -> bool {
        match self {
            Resolved::Plain(p) => {
                let mut t = Vec::new();
                tokenize(p, &mut t);
                glob(&t, text, ci)
            }
            Resolved::Tokens(t) => glob(t, text, ci),
        }
    }
}

/// Parses the inside of `${...}` (the text after `${`); returns the piece and
/// how many bytes were used including the closing brace.
fn parse_var(s: &str) -> Option<(Piece, usize)> {
    let close = s.find('}')?;
    let mut inner = &s[..close];
    let mut used = close + 1;
    match inner {
        "*" => return Some((Piece::Char('*'), used)),
        "?" => return Some((Piece::Char('?'), used)),
        "$" => return Some((Piece::Char('$'), used)),
        _ => {}
    }
    let mut default = None;
    if let Some(comma) = inner.find(',') {
        // Default value: single-quoted, '' stands for one quote; it may
        // contain '}' so re-scan from the comma.
        let key = inner[..comma].trim();
        let after = s[comma + 1..].trim_start();
        let skipped = s.len() - (comma + 1) - after.len();
        let mut chars = after.char_indices();
        if chars.next().map(|(_, c)| c) != Some('\'') {
            return None;
        }
        let mut val = String::new();
        let mut end = None;
        let b = after.as_bytes();
        let mut j = 1;
        while j < b.len() {
            if b[j] == b'\'' {
                if b.get(j + 1) == Some(&b'\'') {
                    val.push('\'');
                    j += 2;
                    continue;
                }
                end = Some(j);
                break;
            }
            let l = char_len_at(b, j);
            val.push_str(after.get(j..j + l)?);
            j += l;
        }
        let end = end?;
        let tail = &after[end + 1..];
        let tail_trim = tail.trim_start();
        if !tail_trim.starts_with('}') {
            return None;
        }
        used = comma + 1 + skipped + end + 1 + (tail.len() - tail_trim.len()) + 1;
        inner = key;
        default = Some(val.into_boxed_str());
    }
    let key = inner.trim();
    if key.is_empty()
        || key
            .chars()
            .any(|c| c.is_whitespace() || c == '$' || c == '{')
    {
        return None;
    }
    Some((
        Piece::Var {
            key: key.to_ascii_lowercase().into(),
            default,
        },
        used,
    ))
}

/// Compiles an ARN pattern for Resource matching: `*` and `?` stay inside
/// their colon-separated part, except in the last part (the resource part,
/// or the last part written when the pattern has fewer than six), which may
/// span colons.
pub(crate) fn arn_matcher(pattern: &str) -> Matcher {
    if pattern == "*" {
        return Matcher::Any;
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let mut toks = Vec::new();
    let last = parts.len().saturating_sub(1);
    for (i, p) in parts.iter().enumerate() {
        let mut t = Vec::new();
        tokenize(p, &mut t);
        if i < last {
            for tok in &mut t {
                match tok {
                    Tok::Star => *tok = Tok::SegStar,
                    Tok::One => *tok = Tok::SegOne,
                    _ => {}
                }
            }
            t.push(Tok::Lit(":".into()));
        }
        for tok in t {
            // merge adjacent literals
            if let (Some(Tok::Lit(prev)), Tok::Lit(l)) = (toks.last_mut(), &tok) {
                let mut m = prev.to_string();
                m.push_str(l);
                *prev = m.into();
            } else {
                toks.push(tok);
            }
        }
    }
    match toks.as_slice() {
        [] => Matcher::Exact("".into()),
        [Tok::Lit(l)] => Matcher::Exact(l.clone()),
        [Tok::Lit(l), Tok::Star] => Matcher::Prefix(l.clone()),
        _ => Matcher::Glob(toks.into()),
    }
}

/// ARN matching as ArnLike / Resource do it: the six colon-separated parts
/// are matched one by one (the last part may itself contain colons).
pub(crate) fn arn_parts(s: &str) -> [&str; 6] {
    let mut out = [""; 6];
    let mut it = s.splitn(6, ':');
    for slot in out.iter_mut() {
        *slot = it.next().unwrap_or("");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_basics() {
        let m = |p: &str, t: &str| Matcher::new(p).matches(t, false);
        assert!(m("*", ""));
        assert!(m("a*c", "abbbc"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("a?c", "aéc"));
        assert!(m("*a*a*", "banana"));
        assert!(!m("abc", "ABC"));
        assert!(Matcher::new("iam:Get*").matches("IAM:getuser", true));
    }

    #[test]
    fn var_parse() {
        let t = Template::parse("home/${aws:username}/${*}${ aws:x , 'a''b}' }", true);
        assert_eq!(
            t.pieces,
            vec![
                Piece::Text("home/".into()),
                Piece::Var {
                    key: "aws:username".into(),
                    default: None
                },
                Piece::Text("/".into()),
                Piece::Char('*'),
                Piece::Var {
                    key: "aws:x".into(),
                    default: Some("a'b}".into())
                },
            ]
        );
        assert_eq!(
            Template::parse("${aws:username}", false).plain(),
            Some("${aws:username}")
        );
        assert_eq!(Template::parse("a${b", true).plain(), Some("a${b"));
    }
}
