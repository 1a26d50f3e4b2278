//! An OIDC identity provider as IAM stores it: a URL (whose text after the scheme is the
//! provider's IAM name, the last part of its ARN and the prefix of its condition keys) and the
//! list of client IDs (audiences) it accepts.

/// The well-known web identity providers that need no IAM provider object and have their own
/// condition-key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WellKnown {
    /// `accounts.google.com`: keys `:sub`, `:aud` (the token's `azp` when present, else its
    /// `aud`) and `:oaud` (the token's `aud`, when `azp` is present).
    Google,
    /// `graph.facebook.com`: keys `:id` (the user) and `:app_id`.
    Facebook,
    /// `www.amazon.com`: keys `:user_id` and `:app_id`.
    Amazon,
}

impl WellKnown {
    /// The well-known provider with this IAM name, if any.
    pub fn from_name(name: &str) -> Option<WellKnown> {
        match name {
            "accounts.google.com" => Some(WellKnown::Google),
            "graph.facebook.com" => Some(WellKnown::Facebook),
            "www.amazon.com" => Some(WellKnown::Amazon),
            _ => None,
        }
    }
}

/// What verification needs to know of an IAM OIDC provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    url: String,
    name_start: usize,
    client_ids: Vec<String>,
}

impl ProviderConfig {
    /// A provider from its URL as given to `CreateOpenIDConnectProvider`. A URL without a
    /// scheme is taken as `https://`. The text is kept as is: IAM does not normalise it, and a
    /// trailing slash stays part of the name (`host/` matches only `iss` `https://host/`).
    pub fn new<I, S>(url: &str, client_ids: I) -> ProviderConfig
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let (url, name_start) = if let Some(rest) = url.strip_prefix("https://") {
            (url.to_owned(), url.len() - rest.len())
        } else if let Some(rest) = url.strip_prefix("http://") {
            (url.to_owned(), url.len() - rest.len())
        } else {
            (format!("https://{url}"), "https://".len())
        };
        ProviderConfig {
            url,
            name_start,
            client_ids: client_ids.into_iter().map(Into::into).collect(),
        }
    }

    /// A provider from its IAM name (the URL without `https://`, as in its ARN).
    pub fn from_iam_name<I, S>(name: &str, client_ids: I) -> ProviderConfig
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ProviderConfig::new(&format!("https://{name}"), client_ids)
    }

    /// The URL with its scheme: the issuer (`iss`) tokens must carry.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The IAM name: the URL without its scheme, e.g. `token.actions.githubusercontent.com`.
    pub fn name(&self) -> &str {
        self.url.get(self.name_start..).unwrap_or_default()
    }

    /// The accepted audiences (IAM's `ClientIDList`).
    pub fn client_ids(&self) -> &[String] {
        &self.client_ids
    }

    /// The well-known provider this is, if any.
    pub fn well_known(&self) -> Option<WellKnown> {
        WellKnown::from_name(self.name())
    }

    /// Whether a token's `iss` names this provider: the same text as the URL (so trailing
    /// slashes must agree, as in AWS); Google's tokens may also carry `accounts.google.com`
    /// without a scheme, as Google documents.
    pub fn accepts_issuer(&self, iss: &str) -> bool {
        iss == self.url || (self.well_known() == Some(WellKnown::Google) && iss == self.name())
    }
}

/// The IAM name of the provider a token's `iss` refers to: the text after `https://` (or
/// `http://`), or the whole `iss` when it has no scheme (`accounts.google.com`). Use it to look
/// up the provider before verifying; when none exists, answer [`crate::OidcError::NoProvider`].
pub fn provider_name_for_issuer(iss: &str) -> &str {
    iss.strip_prefix("https://")
        .or_else(|| iss.strip_prefix("http://"))
        .unwrap_or(iss)
}
