//! For web APIs: checks the access token a caller sends — a JWT signed by the authority —
//! against the authority's keys (its JWKS, fetched once and again when a token names a key it
//! does not know), issuer, audience, lifetime and scope, as Entra's APIs must. msal-node leaves
//! this to other libraries; the To-Do API example uses it.
//!
//! ```no_run
//! # async fn run(token: &str) {
//! use msal_native::ApiTokenValidator;
//! let validator = ApiTokenValidator::from_discovery(
//!     "https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration",
//!     "<the API's client id>",
//!     std::time::Duration::from_secs(10),
//! )
//! .await
//! .expect("discovery");
//! match validator.validate(token, "ToDoList.Read").await {
//!     Ok(caller) => println!("called by {}", caller.subject()),
//!     Err(rejected) => println!("401: {}", rejected.www_authenticate()),
//! }
//! # }
//! ```

use crate::http::Http;
use msal_wasm::core::base64;
use msal_wasm::core::http::HttpRequest;
use msal_wasm::core::json::Json;
use msal_wasm::error::{codes, AuthError};
use std::time::{Duration, Instant};

/// Clock skew allowed on `exp` and `nbf` (seconds).
const LEEWAY_S: u64 = 60;
/// The key set is fetched again for an unknown key id at most this often (a caller cannot make
/// the API hammer the authority by sending made-up key ids).
const REFETCH_EVERY: Duration = Duration::from_secs(300);
/// After a failed fetch of the key set, the next waits this long (an outage of the authority
/// must not turn every token with an unknown key id into a request to it).
const RETRY_FAILED_FETCH: Duration = Duration::from_secs(10);

/// Why a token was refused. Says nothing of the token itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// No token, or not a JWS of three base64url parts with JSON header and claims.
    Malformed,
    /// A signature algorithm other than RS256.
    UnsupportedAlgorithm,
    /// Signed with a key the authority does not publish.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// Another issuer.
    WrongIssuer,
    /// For another API.
    WrongAudience,
    /// Expired (or no `exp`).
    Expired,
    /// Not valid yet.
    NotYetValid,
    /// Valid, but without the scope the call needs.
    InsufficientScope,
    /// The authority's keys could not be fetched.
    KeysUnavailable,
}

impl Rejection {
    /// A short description for logs and the `WWW-Authenticate` header.
    pub fn description(self) -> &'static str {
        match self {
            Rejection::Malformed => "the token is not a JWT",
            Rejection::UnsupportedAlgorithm => "the token is not signed with RS256",
            Rejection::UnknownKey => "the token is signed with an unknown key",
            Rejection::BadSignature => "the token's signature is invalid",
            Rejection::WrongIssuer => "the token is from another issuer",
            Rejection::WrongAudience => "the token is for another audience",
            Rejection::Expired => "the token has expired",
            Rejection::NotYetValid => "the token is not valid yet",
            Rejection::InsufficientScope => "the token lacks the scope this call needs",
            Rejection::KeysUnavailable => "the issuer's keys are unavailable",
        }
    }

    /// The HTTP status to answer with: 403 for a missing scope, 503 when the keys could not be
    /// fetched, else 401.
    pub fn status(self) -> u16 {
        match self {
            Rejection::InsufficientScope => 403,
            Rejection::KeysUnavailable => 503,
            _ => 401,
        }
    }

    /// The `WWW-Authenticate` header value (RFC 6750).
    pub fn www_authenticate(self) -> String {
        let error = if self == Rejection::InsufficientScope { "insufficient_scope" } else { "invalid_token" };
        format!("Bearer error=\"{error}\", error_description=\"{}\"", self.description())
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.description())
    }
}

impl std::error::Error for Rejection {}

/// The caller of a validated token: its claims (no signature, no token).
#[derive(Debug, Clone)]
pub struct Caller {
    claims: Json,
}

impl Caller {
    /// The claims.
    pub fn claims(&self) -> &Json {
        &self.claims
    }

    /// The user's object id (`oid`), else `sub`: the key to the user's data.
    pub fn subject(&self) -> &str {
        self.claims.str_field("oid").or_else(|| self.claims.str_field("sub")).unwrap_or_default()
    }

    /// The delegated scopes (`scp`).
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.claims.str_field("scp").unwrap_or_default().split(' ').filter(|s| !s.is_empty())
    }
}

/// An RSA public key of the key set: id, modulus, exponent.
#[derive(Debug, Clone)]
struct Key {
    kid: String,
    n: Vec<u8>,
    e: Vec<u8>,
}

#[derive(Debug, Default)]
struct KeySet {
    keys: Vec<Key>,
    /// The last fetch: when, and whether it brought a key set.
    fetched: Option<(Instant, bool)>,
}

/// Validates access tokens for one API (audience) of one issuer.
#[derive(Debug)]
pub struct ApiTokenValidator {
    issuer: String,
    audience: String,
    jwks_uri: String,
    http: Http,
    keys: tokio::sync::Mutex<KeySet>,
    /// Held while the key set is fetched: one fetch at a time, and validations with a known
    /// key do not wait for it.
    fetching: tokio::sync::Mutex<()>,
}

use crate::now_s;

fn parse_keys(body: &str) -> Vec<Key> {
    let Ok(doc) = Json::parse(body) else { return Vec::new() };
    let keys = doc.get("keys").and_then(Json::as_array).unwrap_or_default();
    keys.iter()
        .filter(|k| k.str_field("kty") == Some("RSA") && k.str_field("use").is_none_or(|u| u == "sig"))
        .filter_map(|k| {
            Some(Key { kid: k.string_or_empty("kid"), n: base64::decode(k.str_field("n")?)?, e: base64::decode(k.str_field("e")?)? })
        })
        .collect()
}

impl ApiTokenValidator {
    /// A validator for tokens of `issuer` (keys at `jwks_uri`) whose audience is `audience` (the
    /// API's client id, or its application id URI).
    pub fn new(
        issuer: impl Into<String>,
        jwks_uri: impl Into<String>,
        audience: impl Into<String>,
        timeout: Duration,
    ) -> Result<Self, AuthError> {
        Ok(ApiTokenValidator {
            issuer: issuer.into(),
            audience: audience.into(),
            jwks_uri: jwks_uri.into(),
            http: Http::new(timeout)?,
            keys: tokio::sync::Mutex::new(KeySet::default()),
            fetching: tokio::sync::Mutex::new(()),
        })
    }

    /// A validator whose issuer and key set come from the authority's discovery document at
    /// `openid_configuration_url`.
    pub async fn from_discovery(openid_configuration_url: &str, audience: &str, timeout: Duration) -> Result<Self, AuthError> {
        let http = Http::new(timeout)?;
        let resp = http.send(&HttpRequest::get(openid_configuration_url)).await?;
        let doc = Json::parse(&resp.body).ok().filter(|_| resp.status == 200);
        let field = |k: &str| doc.as_ref().and_then(|d| d.str_field(k)).filter(|v| !v.is_empty()).map(str::to_owned);
        let (Some(issuer), Some(jwks_uri)) = (field("issuer"), field("jwks_uri")) else {
            return Err(AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the openid-configuration has no issuer or jwks_uri"));
        };
        ApiTokenValidator::new(issuer, jwks_uri, audience, timeout)
    }

    /// The issuer this validator accepts.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Checks `token` (the `Authorization: Bearer` value) and that it carries the delegated
    /// scope `scope` (`scp`; an empty `scope` checks none).
    pub async fn validate(&self, token: &str, scope: &str) -> Result<Caller, Rejection> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(Rejection::Malformed);
        };
        let json = |part: &str| base64::decode(part).and_then(|b| String::from_utf8(b).ok()).and_then(|t| Json::parse(&t).ok());
        let (Some(header), Some(claims), Some(signature)) = (json(h), json(c), base64::decode(s)) else {
            return Err(Rejection::Malformed);
        };
        if header.str_field("alg") != Some("RS256") {
            return Err(Rejection::UnsupportedAlgorithm);
        }
        let key = self.key(header.str_field("kid").unwrap_or_default()).await?;
        let signed = token.get(..h.len() + 1 + c.len()).ok_or(Rejection::Malformed)?;
        ring::signature::RsaPublicKeyComponents { n: &key.n, e: &key.e }
            .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature)
            .map_err(|_| Rejection::BadSignature)?;
        if !issued_by(&self.issuer, &claims) {
            return Err(Rejection::WrongIssuer);
        }
        if !for_audience(&self.audience, &claims) {
            return Err(Rejection::WrongAudience);
        }
        let now = now_s();
        match claims.get("exp").and_then(Json::as_u64) {
            Some(exp) if exp.saturating_add(LEEWAY_S) > now => {}
            _ => return Err(Rejection::Expired),
        }
        if claims.get("nbf").and_then(Json::as_u64).is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_S)) {
            return Err(Rejection::NotYetValid);
        }
        let caller = Caller { claims };
        if !scope.is_empty() && !caller.scopes().any(|s| s == scope) {
            return Err(Rejection::InsufficientScope);
        }
        Ok(caller)
    }

    /// The key `kid`, from the key set (fetched when it is unknown, at most every 5 minutes;
    /// after a failed fetch, at most every 10 seconds).
    async fn key(&self, kid: &str) -> Result<Key, Rejection> {
        let find = |set: &KeySet| set.keys.iter().find(|k| k.kid == kid).cloned();
        if let Some(k) = find(&*self.keys.lock().await) {
            return Ok(k);
        }
        let _one_fetch = self.fetching.lock().await;
        {
            let set = self.keys.lock().await;
            if let Some(k) = find(&set) {
                return Ok(k); // fetched while this call waited
            }
            match set.fetched {
                Some((at, true)) if at.elapsed() < REFETCH_EVERY => return Err(Rejection::UnknownKey),
                Some((at, false)) if at.elapsed() < RETRY_FAILED_FETCH => return Err(Rejection::KeysUnavailable),
                _ => {}
            }
        }
        let resp = self.http.send(&HttpRequest::get(self.jwks_uri.as_str())).await;
        let mut set = self.keys.lock().await;
        match resp {
            Ok(r) if r.status == 200 => {
                set.keys = parse_keys(&r.body);
                set.fetched = Some((Instant::now(), true));
                find(&set).ok_or(Rejection::UnknownKey)
            }
            _ => {
                set.fetched = Some((Instant::now(), false));
                Err(Rejection::KeysUnavailable)
            }
        }
    }
}

/// True when `claims` were issued by `issuer`: its `iss` is the issuer; for a multi-tenant
/// authority's (Entra's `common` and `organizations` documents name `…/{tenantid}/v2.0`), the
/// issuer with the token's own `tid` (a GUID) in it. For Entra's public cloud also the same
/// tenant's v1.0 issuer, `https://sts.windows.net/<tenant>/`: Entra issues v1.0 access tokens
/// to an API whose registration does not ask for v2.0 (`requestedAccessTokenVersion`), the
/// default (Microsoft.Identity.Web takes both).
fn issued_by(issuer: &str, claims: &Json) -> bool {
    let iss = claims.str_field("iss").unwrap_or_default();
    let v1 = |tenant: &str| iss.strip_prefix("https://sts.windows.net/").and_then(|t| t.strip_suffix('/')) == Some(tenant);
    let entra = issuer.strip_prefix("https://login.microsoftonline.com/").and_then(|t| t.strip_suffix("/v2.0"));
    match issuer.split_once("{tenantid}") {
        Some((before, after)) => {
            let tid = claims.str_field("tid").unwrap_or_default();
            msal_wasm::core::authority::is_guid(tid) && (iss == [before, tid, after].concat() || (entra == Some("{tenantid}") && v1(tid)))
        }
        None => !iss.is_empty() && (iss == issuer || entra.is_some_and(|t| !t.is_empty() && !t.contains('/') && v1(t))),
    }
}

/// True when `claims` are for `audience`: `aud` (a string, or a list holding it) is it; for an
/// audience given as a client id (no `://`), also its default application id URI
/// `api://<client id>`, the `aud` of Entra's v1.0 tokens (Microsoft.Identity.Web takes both).
fn for_audience(audience: &str, claims: &Json) -> bool {
    let uri = (!audience.contains("://")).then(|| ["api://", audience].concat());
    let ok = |a: &Json| a.as_str().is_some_and(|a| !a.is_empty() && (a == audience || uri.as_deref() == Some(a)));
    match claims.get("aud") {
        Some(Json::Arr(list)) => list.iter().any(ok),
        Some(a) => ok(a),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_tenant_authoritys_issuer_takes_the_tokens_own_tenant() {
        let claims = |j: &str| Json::parse(j).unwrap();
        let tid = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
        let template = "https://login.microsoftonline.com/{tenantid}/v2.0";
        let from = |iss: &str, tid: &str| claims(&format!(r#"{{"iss":"{iss}","tid":"{tid}"}}"#));
        assert!(issued_by(template, &from(&format!("https://login.microsoftonline.com/{tid}/v2.0"), tid)));
        // Another tenant's issuer than the token's tid, a tid that is no GUID, another host: refused.
        let other = "5f1c2d3e-0000-4000-8000-00000000beef";
        assert!(!issued_by(template, &from(&format!("https://login.microsoftonline.com/{other}/v2.0"), tid)));
        assert!(!issued_by(template, &from("https://login.microsoftonline.com/evil/v2.0", "evil")));
        assert!(!issued_by(template, &from(&format!("https://evil.example/{tid}/v2.0"), tid)));
        assert!(!issued_by(template, &claims(&format!(r#"{{"iss":"https://login.microsoftonline.com/{tid}/v2.0"}}"#))));
        // A single tenant's issuer: exactly.
        let single = format!("https://login.microsoftonline.com/{tid}/v2.0");
        assert!(issued_by(&single, &from(&single, tid)));
        assert!(!issued_by(&single, &from(&format!("{single}/"), tid)));
        assert!(!issued_by("", &claims("{}")));
    }

    #[test]
    fn entras_v1_tokens_of_the_same_tenant_are_taken() {
        let claims = |j: &str| Json::parse(j).unwrap();
        let tid = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
        let other = "5f1c2d3e-0000-4000-8000-00000000beef";
        let v1 = |t: &str| claims(&format!(r#"{{"iss":"https://sts.windows.net/{t}/","tid":"{tid}"}}"#));
        let single = format!("https://login.microsoftonline.com/{tid}/v2.0");
        assert!(issued_by(&single, &v1(tid)));
        assert!(!issued_by(&single, &v1(other)), "another tenant's");
        assert!(issued_by("https://login.microsoftonline.com/{tenantid}/v2.0", &v1(tid)));
        assert!(!issued_by("https://login.microsoftonline.com/{tenantid}/v2.0", &v1(other)), "not the token's own tid");
        // Not for another provider's issuer.
        assert!(!issued_by(&format!("https://idp.example/{tid}/v2.0"), &v1(tid)));
        assert!(!issued_by(&format!("https://login.microsoftonline.com/{tid}/v2.0/x"), &v1(tid)));
    }

    #[test]
    fn a_client_id_audience_takes_its_default_application_id_uri() {
        let aud = |a: &str| Json::parse(&format!(r#"{{"aud":{a}}}"#)).unwrap();
        assert!(for_audience("client-1", &aud(r#""client-1""#)));
        assert!(for_audience("client-1", &aud(r#""api://client-1""#)));
        assert!(for_audience("client-1", &aud(r#"["x","api://client-1"]"#)));
        assert!(!for_audience("client-1", &aud(r#""api://client-2""#)));
        assert!(!for_audience("client-1", &aud(r#""client-1/""#)));
        assert!(for_audience("api://client-1", &aud(r#""api://client-1""#)));
        assert!(!for_audience("api://client-1", &aud(r#""client-1""#)), "a URI audience is taken as given");
        assert!(!for_audience("", &aud("\"\"")));
        assert!(!for_audience("client-1", &Json::parse("{}").unwrap()));
    }

    #[tokio::test]
    async fn a_failing_key_set_endpoint_is_not_fetched_for_every_unknown_key_id() {
        // A key set endpoint that answers 500 (an authority outage), counting its requests.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/keys", listener.local_addr().unwrap());
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = hits.clone();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut sock, _)) = listener.accept().await {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
            }
        });
        let v = ApiTokenValidator::new("https://issuer.example/", url, "api://me", Duration::from_secs(5)).unwrap();
        let token = |kid: &str| {
            let part = |j: &str| base64::encode_url(j.as_bytes());
            [part(&["{\"alg\":\"RS256\",\"kid\":\"", kid, "\"}"].concat()), part("{}"), part("sig")].join(".")
        };
        for i in 0..10 {
            let r = v.validate(&token(&["k", &i.to_string()].concat()), "").await;
            assert!(matches!(r, Err(Rejection::KeysUnavailable)), "{r:?}");
        }
        // One fetch (and the client's one retry of a 5xx), not two per token.
        assert!(hits.load(std::sync::atomic::Ordering::SeqCst) <= 2, "{} requests", hits.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[test]
    fn key_sets_keep_rsa_signing_keys_only() {
        let body = r#"{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB","use":"sig"},
            {"kty":"RSA","kid":"enc","n":"AQAB","e":"AQAB","use":"enc"},
            {"kty":"EC","kid":"ec","x":"AA","y":"AA"},{"kty":"RSA","kid":"bad","n":"!!","e":"AQAB"}]}"#;
        let keys = parse_keys(body);
        assert_eq!(keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(), ["a"]);
        assert!(parse_keys("not json").is_empty());
        assert!(parse_keys(r#"{"keys":7}"#).is_empty());
    }

    #[test]
    fn rejections_say_what_and_how_to_answer() {
        assert_eq!(Rejection::InsufficientScope.status(), 403);
        assert_eq!(Rejection::Expired.status(), 401);
        assert!(Rejection::InsufficientScope.www_authenticate().starts_with("Bearer error=\"insufficient_scope\""));
        assert!(Rejection::BadSignature.www_authenticate().contains("invalid_token"));
    }
}
