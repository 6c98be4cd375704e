//! Throttling (spec §8): after a 429, a 5xx or any error with `Retry-After`, the same request
//! fails locally until the server's wait is over.

use crate::prelude::*;

use super::http::HttpResponse;
use super::json::Json;
use crate::error::{AuthError, ErrorKind};

/// Wait when the server gives no usable `Retry-After`.
pub const DEFAULT_THROTTLE_SECS: u64 = 60;
/// Longest wait honoured.
pub const MAX_THROTTLE_SECS: u64 = 3600;

/// What identifies "the same request" (msal's RequestThumbprint, the fields a public client
/// uses).
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbprint<'a> {
    /// Client id.
    pub client_id: &'a str,
    /// Canonical authority.
    pub authority: &'a str,
    /// Scopes as sent.
    pub scopes: &'a [&'a str],
    /// Account, or `""`.
    pub home_account_id: &'a str,
    /// Claims, or `""`.
    pub claims: &'a str,
    /// Authentication scheme (`Bearer`, `DPoP`, `pop`): a 429 for one scheme's token does not
    /// hold back another's.
    pub authentication_scheme: &'a str,
    /// A bound scheme's resource request method, or `""`.
    pub resource_request_method: &'a str,
    /// A bound scheme's resource request URI, or `""`.
    pub resource_request_uri: &'a str,
    /// PoP's `shrClaims`, or `""`.
    pub shr_claims: &'a str,
    /// The request's RFC 8707 `resource`, or `""`.
    pub resource: &'a str,
    /// The request's attribute-token partition (sorted, space-separated), or `""`.
    pub attribute_tokens: &'a str,
}

/// Shows whether there are attribute tokens, not them.
impl ::core::fmt::Debug for Thumbprint<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("Thumbprint")
            .field("client_id", &self.client_id)
            .field("authority", &self.authority)
            .field("scopes", &self.scopes)
            .field("home_account_id", &self.home_account_id)
            .field("claims", &self.claims)
            .field("authentication_scheme", &self.authentication_scheme)
            .field("resource_request_method", &self.resource_request_method)
            .field("resource_request_uri", &self.resource_request_uri)
            .field("shr_claims", &self.shr_claims)
            .field("resource", &self.resource)
            .field("attribute_tokens", &crate::secret::shown(self.attribute_tokens))
            .finish()
    }
}

/// What every throttling entry's key starts with.
pub const PREFIX: &str = "throttling.";

impl Thumbprint<'_> {
    /// The storage key: [`PREFIX`] + JSON of the thumbprint.
    pub fn key(&self) -> String {
        let mut j = Json::object()
            .with("clientId", self.client_id)
            .with("authority", self.authority)
            .with("scopes", Json::str_array(self.scopes))
            .with("homeAccountIdentifier", self.home_account_id);
        if !self.claims.is_empty() {
            j = j.with("claims", self.claims);
        }
        j = j
            .with("authenticationScheme", self.authentication_scheme)
            .with_nonempty("resourceRequestMethod", self.resource_request_method)
            .with_nonempty("resourceRequestUri", self.resource_request_uri)
            .with_nonempty("shrClaims", self.shr_claims)
            .with_nonempty("resource", self.resource)
            .with_nonempty("attributeTokens", self.attribute_tokens);
        [PREFIX, &j.to_json()].concat()
    }
}

/// True if this response must throttle the request.
pub fn should_throttle(resp: &HttpResponse) -> bool {
    resp.status == 429 || (500..600).contains(&resp.status) || (!(200..300).contains(&resp.status) && resp.header("retry-after").is_some())
}

/// The entry to store for a throttling response, `(throttle_until_ms, value JSON)`.
pub fn entry(resp: &HttpResponse, err: &AuthError, now_ms: u64) -> (u64, String) {
    let secs = resp
        .header("retry-after")
        .and_then(|v| crate::core::text::parse_u64(v.trim()))
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_THROTTLE_SECS)
        .min(MAX_THROTTLE_SECS);
    let until = now_ms.saturating_add(secs * 1000);
    let value = Json::object()
        .with("throttleTime", until)
        .with("error", err.code())
        .with("errorCodes", Json::Arr(vec![Json::from(err.error_no())]))
        .with("errorMessage", err.message())
        .with("subError", err.sub_error())
        // (Not msal's: the replayed error keeps the answer's status, so an app's retry rule
        // still sees a 429 or a 5xx.)
        .with("status", u64::from(resp.status));
    (until, value.to_json())
}

/// The entry to store for a token response that failed with `err`, when it throttles the
/// request: as msal, only an answer it could read (a proxy's HTML 502 fails to parse before
/// msal's throttling looks at it, so a transient page blocks nothing).
pub fn on_failure(resp: &HttpResponse, err: &AuthError, now_ms: u64) -> Option<String> {
    (should_throttle(resp) && err.code() != crate::error::codes::FAILED_TO_PARSE_RESPONSE).then(|| entry(resp, err, now_ms).1)
}

/// Checks a stored entry: `Some(error)` while it is in force, `None` once it has expired (or
/// if it is unreadable; the caller then removes it).
pub fn check(stored: &str, now_ms: u64) -> Option<AuthError> {
    let j = Json::parse(stored).ok()?;
    let until = j.get("throttleTime").and_then(Json::as_u64)?;
    if until <= now_ms {
        return None;
    }
    let code = j.str_field("error").filter(|s| !s.is_empty()).unwrap_or("throttled").to_owned();
    let e = AuthError::from_server_code(ErrorKind::Server, code, j.string_or_empty("errorMessage"))
        .with_sub_error(j.string_or_empty("subError"));
    Some(match j.get("status").and_then(Json::as_u64).and_then(|s| u16::try_from(s).ok()) {
        Some(status) => e.with_status(status),
        None => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::token::classify_server_error;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn resp(status: u16, retry: Option<&str>) -> HttpResponse {
        let mut r = HttpResponse::new(status, "{}");
        if let Some(v) = retry {
            r.headers.push(("Retry-After".into(), v.into()));
        }
        r
    }

    #[test]
    fn which_responses_throttle() {
        assert!(should_throttle(&resp(429, None)));
        assert!(should_throttle(&resp(503, None)));
        assert!(should_throttle(&resp(400, Some("5"))));
        assert!(!should_throttle(&resp(400, None)));
        assert!(!should_throttle(&resp(200, Some("5"))));
    }

    #[test]
    fn wait_rules() {
        let e = classify_server_error("temporarily_unavailable", "busy", "", 429);
        assert_eq!(entry(&resp(429, None), &e, 1_000).0, 61_000);
        assert_eq!(entry(&resp(429, Some("30")), &e, 1_000).0, 31_000);
        assert_eq!(entry(&resp(429, Some("0")), &e, 0).0, 60_000);
        assert_eq!(entry(&resp(429, Some("-5")), &e, 0).0, 60_000);
        assert_eq!(entry(&resp(429, Some("999999")), &e, 0).0, 3_600_000);
    }

    #[test]
    fn stored_entry_blocks_until_expiry() {
        let e = classify_server_error("temporarily_unavailable", "busy", "", 429);
        let (until, v) = entry(&resp(429, Some("10")), &e, 0);
        let blocked = check(&v, until - 1).unwrap();
        assert_eq!(blocked.code(), "temporarily_unavailable");
        assert_eq!(blocked.kind(), ErrorKind::Server);
        assert!(check(&v, until).is_none());
        assert!(check("garbage", 0).is_none());
    }

    #[test]
    fn thumbprint_key() {
        let t = Thumbprint {
            client_id: "c",
            authority: "https://a/t/",
            scopes: &["x", "openid"],
            home_account_id: "",
            claims: "",
            authentication_scheme: "Bearer",
            resource_request_method: "",
            resource_request_uri: "",
            shr_claims: "",
            resource: "",
            attribute_tokens: "",
        };
        assert_eq!(
            t.key(),
            r#"throttling.{"clientId":"c","authority":"https://a/t/","scopes":["x","openid"],"homeAccountIdentifier":"","authenticationScheme":"Bearer"}"#
        );
        // A DPoP request is another request than the Bearer one (msal's field order).
        let dpop = Thumbprint { authentication_scheme: "DPoP", resource_request_method: "GET", resource_request_uri: "https://api/x", ..t };
        assert_eq!(
            dpop.key(),
            r#"throttling.{"clientId":"c","authority":"https://a/t/","scopes":["x","openid"],"homeAccountIdentifier":"","authenticationScheme":"DPoP","resourceRequestMethod":"GET","resourceRequestUri":"https://api/x"}"#
        );
        // So is a request for another RFC 8707 resource (msal puts it after shrClaims).
        let mcp = Thumbprint { resource: "https://mcp/", ..t };
        assert_eq!(
            mcp.key(),
            r#"throttling.{"clientId":"c","authority":"https://a/t/","scopes":["x","openid"],"homeAccountIdentifier":"","authenticationScheme":"Bearer","resource":"https://mcp/"}"#
        );
        // And one with other attribute tokens (msal: their partition, after the resource).
        let attributes = Thumbprint { attribute_tokens: "a.jwt b.jwt", ..mcp };
        assert_eq!(
            attributes.key(),
            r#"throttling.{"clientId":"c","authority":"https://a/t/","scopes":["x","openid"],"homeAccountIdentifier":"","authenticationScheme":"Bearer","resource":"https://mcp/","attributeTokens":"a.jwt b.jwt"}"#
        );
    }
}
