//! The back-channel: token requests for every grant, as data; token responses and server
//! errors, parsed.

use crate::prelude::*;

use super::authorize::{AppTelemetry, SKU, VERSION};
use super::http::{HttpRequest, HttpResponse, Method};
use super::json::Json;
use super::scopes::ScopeSet;
use super::text::dec;
use super::url::{append_query, build_query, encode};
use crate::error::{codes, AuthError, ErrorKind};
use crate::secret::{AccessToken, Assertion, AuthCode, ClientSecret, DeviceCode, IdToken, PkceVerifier, RefreshToken};

/// How a confidential client proves itself.
#[derive(Debug, Clone)]
pub enum ClientCredential {
    /// A public client (SPA, CLI): no secret.
    None,
    /// `client_secret`.
    Secret(ClientSecret),
    /// A signed JWT (`client_assertion`), made by the caller's signer for each request.
    Assertion(Assertion),
}

/// The grant a token request uses, with its grant-specific fields.
#[derive(Debug)]
pub enum Grant<'a> {
    /// `authorization_code` with its PKCE verifier (public clients) and redirect URI.
    AuthorizationCode {
        /// The code.
        code: &'a AuthCode,
        /// The verifier that matches the challenge sent.
        verifier: Option<&'a PkceVerifier>,
        /// The redirect URI used at the authorize endpoint (empty: not sent, as msal redeems a
        /// code obtained elsewhere).
        redirect_uri: &'a str,
    },
    /// `refresh_token`.
    RefreshToken {
        /// The refresh token.
        refresh_token: &'a RefreshToken,
        /// The redirect URI, sent only when not empty (msal: only when the request names one).
        redirect_uri: &'a str,
    },
    /// `urn:ietf:params:oauth:grant-type:device_code`.
    DeviceCode {
        /// The device code.
        device_code: &'a DeviceCode,
    },
    /// `client_credentials`.
    ClientCredentials,
    /// On-behalf-of: `urn:ietf:params:oauth:grant-type:jwt-bearer` with the user's assertion.
    OnBehalfOf {
        /// The incoming access token.
        assertion: &'a Assertion,
    },
}

/// A token request. `Debug` names the extra body parameters without their values (attribute
/// tokens are assertions).
pub struct TokenRequest<'a> {
    /// Token endpoint.
    pub endpoint: &'a str,
    /// Client id.
    pub client_id: &'a str,
    /// Scopes exactly as sent (callers add OIDC defaults for user flows).
    pub scopes: &'a ScopeSet,
    /// Correlation id, sent as `client-request-id` in the query.
    pub correlation_id: &'a str,
    /// The grant.
    pub grant: Grant<'a>,
    /// Client authentication.
    pub credential: &'a ClientCredential,
    /// Send `client_info=1`.
    pub client_info: bool,
    /// Claims request (already merged with capabilities), may be empty.
    pub claims: &'a str,
    /// `X-AnchorMailbox` value (sent in the body), may be empty.
    pub anchor: &'a str,
    /// Extra body parameters (never override ours).
    pub extra_body: &'a [(String, String)],
    /// The app's name and version.
    pub app: &'a AppTelemetry,
}

impl ::core::fmt::Debug for TokenRequest<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        let extra: Vec<&str> = self.extra_body.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("TokenRequest")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("scopes", self.scopes)
            .field("correlation_id", &self.correlation_id)
            .field("grant", &self.grant)
            .field("credential", self.credential)
            .field("client_info", &self.client_info)
            .field("claims", &self.claims)
            .field("anchor", &self.anchor)
            .field("extra_body", &extra)
            .field("app", self.app)
            .finish()
    }
}

impl TokenRequest<'_> {
    /// The HTTP request.
    pub fn build(&self) -> HttpRequest {
        let scope = self.scopes.to_space_string();
        let mut f: Vec<(&str, &str)> = vec![("client_id", self.client_id)];
        match &self.grant {
            Grant::AuthorizationCode { code, verifier, redirect_uri } => {
                if !redirect_uri.is_empty() {
                    f.push(("redirect_uri", redirect_uri));
                }
                f.push(("scope", &scope));
                f.push(("code", code.secret()));
                if let Some(v) = verifier {
                    f.push(("code_verifier", v.secret()));
                }
                f.push(("grant_type", "authorization_code"));
            }
            Grant::RefreshToken { refresh_token, redirect_uri } => {
                if !redirect_uri.is_empty() {
                    f.push(("redirect_uri", redirect_uri));
                }
                f.push(("scope", &scope));
                f.push(("grant_type", "refresh_token"));
                f.push(("refresh_token", refresh_token.secret()));
            }
            Grant::DeviceCode { device_code } => {
                f.push(("scope", &scope));
                f.push(("grant_type", "urn:ietf:params:oauth:grant-type:device_code"));
                f.push(("device_code", device_code.secret()));
            }
            Grant::ClientCredentials => {
                f.push(("scope", &scope));
                f.push(("grant_type", "client_credentials"));
            }
            Grant::OnBehalfOf { assertion } => {
                f.push(("scope", &scope));
                f.push(("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"));
                f.push(("requested_token_use", "on_behalf_of"));
                f.push(("assertion", assertion.secret()));
            }
        }
        if self.client_info {
            f.push(("client_info", "1"));
        }
        f.push(("x-client-SKU", SKU));
        f.push(("x-client-VER", VERSION));
        self.app.push(&mut f);
        f.push(("x-ms-lib-capability", "retry-after, h429"));
        match self.credential {
            ClientCredential::None => {}
            ClientCredential::Secret(s) => f.push(("client_secret", s.secret())),
            ClientCredential::Assertion(a) => {
                f.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
                f.push(("client_assertion", a.secret()));
            }
        }
        if !self.claims.is_empty() {
            f.push(("claims", self.claims));
        }
        // A body field, as msal-browser sends it (a header would cost a CORS preflight); Entra
        // reads it there for any client.
        if !self.anchor.is_empty() {
            f.push(("X-AnchorMailbox", self.anchor));
        }
        let ours: Vec<String> = f.iter().map(|(k, _)| (*k).to_owned()).collect();
        for (k, v) in self.extra_body {
            if !ours.iter().any(|o| o == k) {
                f.push((k, v));
            }
        }
        let headers = vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded;charset=utf-8".to_owned())];
        HttpRequest {
            method: Method::Post,
            url: append_query(self.endpoint, &["client-request-id=", &encode(self.correlation_id)].concat()),
            headers,
            body: build_query(f),
        }
    }
}

/// Adds a request's `extraQueryParameters` to a token request's URL, as msal does (never an
/// empty value, never over `client-request-id`).
pub fn add_extra_query(req: &mut HttpRequest, extra: &[(String, String)]) {
    let pairs = extra.iter().filter(|(k, v)| !v.is_empty() && k != "client-request-id").map(|(k, v)| (k.as_str(), v.as_str()));
    let query = build_query(pairs);
    if !query.is_empty() {
        req.url = append_query(&req.url, &query);
    }
}

/// The claims a client-assertion JWT must carry (RFC 7523); the caller signs them.
pub fn client_assertion_claims(client_id: &str, token_endpoint: &str, now: u64, jti: &str) -> String {
    Json::object()
        .with("aud", token_endpoint)
        .with("iss", client_id)
        .with("sub", client_id)
        .with("jti", jti)
        .with("nbf", now)
        .with("iat", now)
        .with("exp", now.saturating_add(600))
        .to_json()
}

/// The device authorization request (RFC 8628 §3.1).
/// msal-node's: the request's extra query parameters go to the URL and, past the library's
/// own, to the body too.
pub fn device_authorization_request(
    endpoint: &str,
    client_id: &str,
    scopes: &ScopeSet,
    claims: &str,
    extra: &[(String, String)],
    correlation_id: &str,
) -> HttpRequest {
    let scope = scopes.to_space_string();
    let mut body = vec![("client_id", client_id), ("scope", scope.as_str())];
    if !claims.is_empty() {
        body.push(("claims", claims));
    }
    for (k, v) in extra {
        if !v.is_empty() && k != "client-request-id" && !body.iter().any(|(o, _)| o == k) {
            body.push((k, v));
        }
    }
    HttpRequest {
        method: Method::Post,
        url: append_query(endpoint, &["client-request-id=", &encode(correlation_id)].concat()),
        headers: vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded;charset=utf-8".to_owned())],
        body: build_query(body),
    }
}

/// What the device authorization endpoint answered: show `message` to the user.
#[derive(Debug, Clone)]
pub struct DeviceCodeInfo {
    /// Code the user types.
    pub user_code: String,
    /// Secret code the client polls with.
    pub device_code: DeviceCode,
    /// Where the user goes.
    pub verification_uri: String,
    /// Seconds until the codes expire.
    pub expires_in: u64,
    /// Seconds between polls.
    pub interval: u64,
    /// Instructions for the user.
    pub message: String,
}

impl DeviceCodeInfo {
    /// Parses the device authorization response.
    pub fn parse(resp: &HttpResponse) -> Result<DeviceCodeInfo, AuthError> {
        let json = parse_json_body(resp)?;
        if !(200..300).contains(&resp.status) || reports_error(&json) {
            return Err(server_error_from_json(&json, resp));
        }
        let field = |k: &str| json.str_field(k).map(str::to_owned).ok_or_else(|| malformed(k));
        let uri = json.str_field("verification_uri").or_else(|| json.str_field("verification_url"));
        Ok(DeviceCodeInfo {
            user_code: field("user_code")?,
            device_code: DeviceCode::new(field("device_code")?),
            verification_uri: uri.map(str::to_owned).ok_or_else(|| malformed("verification_uri"))?,
            expires_in: json.get("expires_in").and_then(Json::as_u64).unwrap_or(900),
            interval: json.get("interval").and_then(Json::as_u64).unwrap_or(5).clamp(1, 60),
            message: json.string_or_empty("message"),
        })
    }
}

/// One poll of the device-code token request.
#[derive(Debug)]
pub enum DevicePoll {
    /// The user has not finished yet: wait `interval` and poll again.
    Pending,
    /// Poll less often: add 5 seconds to the interval (RFC 8628 §3.5).
    SlowDown,
    /// Done.
    Token(Box<TokenResponse>),
}

/// Interprets a device-code poll response. `expired_token` and `access_denied` are errors.
pub fn device_poll(resp: &HttpResponse, now: u64) -> Result<DevicePoll, AuthError> {
    let json = parse_json_body(resp)?;
    match json.str_field("error") {
        Some("authorization_pending") => Ok(DevicePoll::Pending),
        Some("slow_down") => Ok(DevicePoll::SlowDown),
        Some(_) => Err(server_error_from_json(&json, resp)),
        None => TokenResponse::from_json(&json, false, now).map(|t| DevicePoll::Token(Box::new(t))),
    }
}

/// A successful token response.
#[derive(Clone)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: AccessToken,
    /// `Bearer` unless the server says otherwise.
    pub token_type: String,
    /// Absolute expiry (seconds since the epoch).
    pub expires_on: u64,
    /// Absolute extended expiry.
    pub extended_expires_on: u64,
    /// When msal should refresh proactively (`refresh_in`).
    pub refresh_on: Option<u64>,
    /// The refresh token, if issued.
    pub refresh_token: Option<RefreshToken>,
    /// Refresh token expiry, if the server says.
    pub refresh_token_expires_on: Option<u64>,
    /// The ID token, if issued.
    pub id_token: Option<IdToken>,
    /// Granted scopes (`scope`), if sent.
    pub scope: Option<String>,
    /// `client_info`, if sent.
    pub client_info: String,
    /// FOCI family id (`foci`), if sent.
    pub family_id: String,
    /// The time of the request, used for the expiry fields.
    pub cached_at: u64,
    /// The server's id for the request (Entra's `x-ms-request-id` header), if it sent one.
    pub request_id: String,
}

impl ::core::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_on", &self.expires_on)
            .field("refresh_token", &self.refresh_token)
            .field("id_token", &self.id_token)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Largest token response body accepted.
pub const MAX_BODY_LEN: usize = 1024 * 1024;

fn malformed(field: &str) -> AuthError {
    AuthError::new(
        ErrorKind::Network,
        codes::FAILED_TO_PARSE_RESPONSE,
        ["the server response is missing or has an invalid `", field, "`"].concat(),
    )
}

fn parse_json_body(resp: &HttpResponse) -> Result<Json, AuthError> {
    if resp.body.len() > MAX_BODY_LEN {
        return Err(AuthError::new(ErrorKind::Network, codes::FAILED_TO_PARSE_RESPONSE, "the server response is too large"));
    }
    // As msal (its fetch client): a body that is not JSON, whatever the status (a proxy's HTML
    // 502 page), is a BrowserAuthError failed_to_parse_response; the status stays on it.
    match Json::parse(&resp.body) {
        Ok(j @ Json::Obj(_)) => Ok(j),
        _ => Err(AuthError::new(
            ErrorKind::Network,
            codes::FAILED_TO_PARSE_RESPONSE,
            ["the server answered HTTP ", &dec(resp.status.into()), " with a body that is not a JSON object"].concat(),
        )
        .with_status(resp.status)),
    }
}

/// A lifetime in seconds as msal reads one: a string by `parseInt` (leading blanks, a sign, then
/// its leading digits: "3600s" is 3600), a number by its whole part; a negative one is over
/// already (0), a huge one saturates. No number there (msal's `NaN`): `None`. (A number in
/// exponent form, which no token service writes, is read by its digits before the point: its
/// access token is short-lived, nothing else is lost. Over bytes, without string slicing: no
/// slicing panic path in the wasm.)
pub(crate) fn seconds(v: &Json) -> Option<u64> {
    let t = match v {
        Json::Num(n) => n.as_bytes(),
        Json::Str(s) => s.as_bytes(),
        _ => return None,
    };
    let t = t.get(t.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(t.len())..).unwrap_or_default();
    let negative = t.first() == Some(&b'-');
    let t = t.get(usize::from(negative || t.first() == Some(&b'+'))..).unwrap_or_default();
    let digits = t.iter().take_while(|b| b.is_ascii_digit());
    digits.clone().next()?;
    Some(if negative { 0 } else { digits.fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0'))) })
}

/// Whether a response body says it failed, as msal's `validateServerAuthorizationTokenResponse`
/// reads it: an `error`, `error_description` or `suberror` that is truthy in JavaScript (a
/// back end that writes every field writes `"error": null` in a success).
fn reports_error(json: &Json) -> bool {
    ["error", "error_description", "suberror"].iter().any(|k| match json.get(k) {
        None | Some(Json::Null | Json::Bool(false)) => false,
        Some(Json::Str(s)) => !s.is_empty(),
        // (Zero when its digits before the exponent are: no float parsing in the wasm.)
        Some(Json::Num(n)) => n.bytes().take_while(|b| !matches!(b, b'e' | b'E')).any(|b| matches!(b, b'1'..=b'9')),
        Some(_) => true,
    })
}

impl TokenResponse {
    /// Parses a token endpoint response; `now` is the time the request was sent.
    pub fn parse(resp: &HttpResponse, now: u64) -> Result<TokenResponse, AuthError> {
        let json = parse_json_body(resp)?;
        if !(200..300).contains(&resp.status) || reports_error(&json) {
            return Err(server_error_from_json(&json, resp));
        }
        let mut parsed = TokenResponse::from_json(&json, false, now)?;
        parsed.request_id = resp.header("x-ms-request-id").unwrap_or_default().to_owned();
        Ok(parsed)
    }

    /// A token endpoint's response obtained elsewhere (msal's `loadExternalTokens`: a server
    /// redeemed the code); `now` is when it was issued. As msal: an access token without a
    /// positive `expires_in` is left out (the ID and refresh tokens are stored alone), a loaded
    /// one is a Bearer token, and a response without any token is `unable_to_load_token`.
    pub fn external(json: &Json, now: u64) -> Result<TokenResponse, AuthError> {
        if !matches!(json, Json::Obj(_)) {
            return Err(AuthError::browser(codes::UNABLE_TO_LOAD_TOKEN, "the token response is not an object"));
        }
        let has = |k: &str| json.str_field(k).is_some_and(|s| !s.is_empty());
        let unable = |why: &'static str| Err(AuthError::browser(codes::UNABLE_TO_LOAD_TOKEN, why));
        if reports_error(json) {
            return Err(server_error_from_json(json, &HttpResponse::new(400, "")));
        }
        if !has("access_token") && !has("id_token") && !has("refresh_token") {
            return unable("the response has no access, ID or refresh token");
        }
        let mut r = TokenResponse::from_json(json, true, now)?;
        // (Any JavaScript number, as msal takes it: 3598.62 is 3598 s.)
        if json.get("expires_in").and_then(seconds).unwrap_or(0) == 0 {
            r.access_token = AccessToken::new("");
        }
        "Bearer".clone_into(&mut r.token_type);
        Ok(r)
    }

    /// `external`: the access token may be absent (checked by [`external`](Self::external)).
    fn from_json(json: &Json, external: bool, now: u64) -> Result<TokenResponse, AuthError> {
        // B2C answers a request for OpenID scopes alone with an ID token and no access token
        // (msal then returns an empty `accessToken`); any other response must carry one.
        let oidc_only = || json.str_field("scope").is_some_and(|s| !s.trim().is_empty() && ScopeSet::parse(s).only_oidc());
        let access_token = match json.str_field("access_token").filter(|s| !s.is_empty()) {
            Some(t) => t,
            None if external || oidc_only() => "",
            None => return Err(malformed("access_token")),
        };
        // A lifetime msal cannot read is 0 (`|| 0`): the access token is over, the response's
        // other tokens stay (a redeemed code's, a rotated refresh token).
        let num = |k: &str| -> Option<u64> {
            match json.get(k) {
                None | Some(Json::Null) => None,
                Some(v) => Some(seconds(v).unwrap_or(0)),
            }
        };
        let expires_in = match num("expires_in") {
            Some(v) => v,
            None => num("expires_on").map(|on| on.saturating_sub(now)).unwrap_or(600),
        };
        // As msal: the extended lifetime counts from the expiry (`ext_expires_in` is added to it),
        // except for a loaded response (its own, or the expiry's).
        let ext = match num("ext_expires_in") {
            Some(e) if external && e > 0 => e,
            _ if external => expires_in,
            e => expires_in.saturating_add(e.unwrap_or(0)),
        };
        // As msal: a refresh_in of 0 or below asks for no proactive refresh; a loaded response's
        // is not read.
        let refresh_in = match json.get("refresh_in") {
            None | Some(Json::Null) => None,
            _ if external => None,
            Some(v) => seconds(v).filter(|r| *r > 0),
        };
        let opt_str = |k: &str| -> Result<Option<String>, AuthError> {
            match json.get(k) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::Str(s)) => Ok(Some(s.clone())),
                Some(_) => Err(malformed(k)),
            }
        };
        Ok(TokenResponse {
            access_token: AccessToken::new(access_token),
            token_type: opt_str("token_type")?.filter(|t| !t.is_empty()).unwrap_or_else(|| "Bearer".to_owned()),
            expires_on: now.saturating_add(expires_in),
            extended_expires_on: now.saturating_add(ext),
            refresh_on: refresh_in.map(|r| now.saturating_add(r)),
            refresh_token: opt_str("refresh_token")?.filter(|s| !s.is_empty()).map(RefreshToken::new),
            // 0 states no lifetime (msal tests the value's truthiness).
            refresh_token_expires_on: num("refresh_token_expires_in").filter(|r| *r > 0).map(|r| now.saturating_add(r)),
            id_token: opt_str("id_token")?.filter(|s| !s.is_empty()).map(IdToken::new),
            scope: opt_str("scope")?,
            client_info: opt_str("client_info")?.unwrap_or_default(),
            family_id: match json.get("foci") {
                Some(Json::Str(s)) => s.clone(),
                Some(Json::Num(n)) => n.clone(),
                _ => String::new(),
            },
            cached_at: now,
            request_id: String::new(),
        })
    }
}

/// Codes that mean "only the user can fix this" (spec §7.1 a/b).
const INTERACTION_REQUIRED_CODES: [&str; 6] =
    ["interaction_required", "consent_required", "login_required", "bad_token", "ui_not_allowed", "interrupted_user"];
/// Sub-errors that mean the same (spec §7.1 c).
const INTERACTION_REQUIRED_SUB_ERRORS: [&str; 8] = [
    "message_only",
    "additional_action",
    "basic_action",
    "user_password_expired",
    "consent_required",
    "bad_token",
    "ui_not_allowed",
    "interrupted_user",
];

/// Turns an OAuth error into `InteractionRequired` or `Server`, exactly as msal does.
pub fn classify_server_error(error: &str, description: &str, suberror: &str, status: u16) -> AuthError {
    let ir = INTERACTION_REQUIRED_CODES.contains(&error)
        || INTERACTION_REQUIRED_CODES.iter().any(|c| super::text::contains(description, c))
        || INTERACTION_REQUIRED_SUB_ERRORS.contains(&suberror);
    let kind = if ir { ErrorKind::InteractionRequired } else { ErrorKind::Server };
    let code = if error.is_empty() { "server_error" } else { error };
    let mut e = AuthError::from_server_code(kind, truncate(code, 128), truncate(description, 2048)).with_sub_error(truncate(suberror, 128));
    if status != 0 {
        e = e.with_status(status);
    }
    e
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s).to_owned(),
        None => s.to_owned(),
    }
}

/// A server error from a parsed error body.
pub fn server_error_from_json(json: &Json, resp: &HttpResponse) -> AuthError {
    let error = json.str_field("error").unwrap_or_default();
    let error = if error.is_empty() { ["http_", &dec(resp.status.into())].concat() } else { error.to_owned() };
    let (error_no, numeric) = match json.get("error_codes").and_then(Json::as_array).and_then(|a| a.first()) {
        Some(Json::Num(n)) => (n.clone(), true),
        Some(Json::Str(s)) => (s.clone(), false),
        _ => (String::new(), false),
    };
    let e = classify_server_error(
        &error,
        json.str_field("error_description").unwrap_or_default(),
        json.str_field("suberror").unwrap_or_default(),
        resp.status,
    )
    .with_correlation_id(json.string_or_empty("correlation_id"))
    .with_server_details(json.string_or_empty("trace_id"), json.string_or_empty("timestamp"), error_no, json.string_or_empty("claims"));
    if numeric {
        e.with_numeric_error_no()
    } else {
        e
    }
}

#[cfg(test)]
mod tests;
