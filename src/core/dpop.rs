//! DPoP (RFC 9449): proofs of possession of the app's key, sent with token requests and with
//! calls to the resource. The key is an ECDSA P-256 pair the platform keeps (unextractable in
//! the browser); this module builds what is signed and what is sent, and names keys by their
//! JWK thumbprint (RFC 7638), which is also the `dpop_jkt` of the authorize request and the
//! `keyId` of the tokens bound to it.

use super::base64::encode_url;
use super::json::Json;
use super::sha256::sha256;
use super::text;
use crate::error::{codes, AuthError};
use crate::prelude::*;

/// The public half of a P-256 key: its coordinates, base64url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicJwk {
    /// `x`.
    pub x: String,
    /// `y`.
    pub y: String,
}

impl PublicJwk {
    /// The JWK members of the key (`kty`, `crv`, `x`, `y`).
    pub fn to_json(&self) -> Json {
        Json::object().with("kty", "EC").with("crv", "P-256").with("x", self.x.as_str()).with("y", self.y.as_str())
    }

    /// The RFC 7638 thumbprint: SHA-256 of the required members in lexical order, base64url.
    pub fn thumbprint(&self) -> String {
        let mut canonical = String::from(r#"{"crv":"P-256","kty":"EC","x":""#);
        canonical.push_str(&self.x);
        canonical.push_str(r#"","y":""#);
        canonical.push_str(&self.y);
        canonical.push_str(r#""}"#);
        encode_url(&sha256(canonical.as_bytes()))
    }
}

fn config_error(code: &'static str, message: &'static str) -> AuthError {
    AuthError::config(code, message)
}

/// The `htm` claim: an HTTP method token, upper-cased (msal's `invalid_dpop_htm` otherwise).
pub fn normalize_htm(method: &str) -> Result<String, AuthError> {
    let token = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
    if method.is_empty() || !method.bytes().all(token) {
        return Err(config_error(codes::INVALID_DPOP_HTM, "resourceRequestMethod is not an HTTP method"));
    }
    Ok(method.to_ascii_uppercase())
}

/// True for a loopback host (with or without port): where plain http is allowed for development.
fn loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    name == "localhost" || name == "::1" || name.starts_with("127.")
}

/// The `htu` claim: the target URI without query and fragment, scheme and host lower-cased
/// (RFC 9449 §4.2). https only (as msal), except loopback hosts over http for local development;
/// user info is refused (`invalid_dpop_htu`).
pub fn normalize_htu(url: &str) -> Result<String, AuthError> {
    let bad = || config_error(codes::INVALID_DPOP_HTU, "the DPoP target must be an absolute https URL without user info");
    let (scheme, rest) = text::split_once(url, "://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let rest = rest.get(..end).unwrap_or_default();
    let slash = rest.find('/').unwrap_or(rest.len());
    let (host, path) = (rest.get(..slash).unwrap_or_default(), rest.get(slash..).unwrap_or_default());
    if host.is_empty() || host.contains(['@', '\\']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let host = host.to_ascii_lowercase();
    let host = match (scheme.as_str(), host.strip_suffix(":443"), host.strip_suffix(":80")) {
        ("https", Some(h), _) => h.to_owned(),
        ("http", _, Some(h)) if loopback(h) => h.to_owned(),
        ("https", None, _) => host,
        ("http", _, _) if loopback(&host) => host,
        _ => return Err(bad()),
    };
    let mut out = scheme;
    out.push_str("://");
    out.push_str(&host);
    out.push_str(if path.is_empty() { "/" } else { path });
    Ok(out)
}

/// What a proof asserts.
#[derive(Debug, Clone, Copy)]
pub struct ProofClaims<'a> {
    /// `htm`, normalized.
    pub htm: &'a str,
    /// `htu`, normalized.
    pub htu: &'a str,
    /// `iat`, seconds.
    pub iat: u64,
    /// `jti`: fresh for every proof.
    pub jti: &'a str,
    /// The server's `DPoP-Nonce`, if it asked for one.
    pub nonce: Option<&'a str>,
    /// The access token the proof goes with (a resource request): its hash is `ath`.
    pub access_token: Option<&'a str>,
}

/// The signing input of a proof (`base64url(header).base64url(claims)`): ES256 with the public
/// key in the header.
pub fn signing_input(jwk: &PublicJwk, c: &ProofClaims<'_>) -> String {
    let header = Json::object().with("typ", "dpop+jwt").with("alg", "ES256").with("jwk", jwk.to_json());
    let mut claims = Json::object().with("jti", c.jti).with("htm", c.htm).with("htu", c.htu).with("iat", c.iat);
    if let Some(n) = c.nonce {
        claims.set("nonce", Json::from(n));
    }
    if let Some(at) = c.access_token {
        claims.set("ath", Json::from(encode_url(&sha256(at.as_bytes())).as_str()));
    }
    let mut out = encode_url(header.to_json().as_bytes());
    out.push('.');
    out.push_str(&encode_url(claims.to_json().as_bytes()));
    out
}

/// The compact proof: the signing input and the raw ES256 signature (`r || s`, 64 bytes).
pub fn proof(signing_input: &str, signature: &[u8]) -> Result<String, AuthError> {
    if signature.len() != 64 {
        return Err(AuthError::client(codes::UNEXPECTED_ERROR, "the DPoP key gave a signature of the wrong size"));
    }
    let mut out = String::with_capacity(signing_input.len() + 87);
    out.push_str(signing_input);
    out.push('.');
    out.push_str(&encode_url(signature));
    Ok(out)
}

/// The server's nonce challenge: a 400/401 whose error is `use_dpop_nonce`, with the nonce in
/// the `DPoP-Nonce` header. `Some(nonce)` then, to retry once with it.
pub fn nonce_challenge(resp: &super::http::HttpResponse) -> Option<&str> {
    if resp.status != 400 && resp.status != 401 {
        return None;
    }
    let nonce = resp.header("dpop-nonce").filter(|n| !n.trim().is_empty())?;
    let asked = Json::parse(&resp.body).ok().is_some_and(|j| j.str_field("error") == Some("use_dpop_nonce"))
        || resp.header("www-authenticate").is_some_and(|w| text::contains(w, "use_dpop_nonce"));
    asked.then_some(nonce)
}

#[cfg(test)]
mod tests;
