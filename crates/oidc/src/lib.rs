//! OIDC ID token verification.
