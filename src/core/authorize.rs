//! The front-channel: authorize URL, end-session URL, and the authorize response.

use crate::prelude::*;

use super::json::Json;
use super::scopes::ScopeSet;
use super::url::{self, build_query, parse_query};
use crate::error::{codes, AuthError, ErrorKind, Kept};
use crate::secret::AuthCode;

/// Library name sent as `x-client-SKU`.
pub const SKU: &str = "msal.wasm";
/// Library version sent as `x-client-VER`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the user sees at the authorize endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// `login`: always ask for credentials.
    Login,
    /// `select_account`: show the account picker.
    SelectAccount,
    /// `consent`: ask for consent again.
    Consent,
    /// `none`: no UI at all (silent).
    None,
    /// `create`: sign up.
    Create,
    /// `no_session`: silent, without using the session.
    NoSession,
    /// Any other value, sent as given (as msal does): another provider's (`login consent`
    /// as OpenID Connect allows, a provider's own value).
    Other(String),
}

impl Prompt {
    /// Parses a prompt value: msal's named ones, anything else as [`Prompt::Other`].
    pub fn parse(s: &str) -> Prompt {
        match s {
            "login" => Prompt::Login,
            "select_account" => Prompt::SelectAccount,
            "consent" => Prompt::Consent,
            "none" => Prompt::None,
            "create" => Prompt::Create,
            "no_session" => Prompt::NoSession,
            other => Prompt::Other(other.to_owned()),
        }
    }
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Prompt::Login => "login",
            Prompt::SelectAccount => "select_account",
            Prompt::Consent => "consent",
            Prompt::None => "none",
            Prompt::Create => "create",
            Prompt::NoSession => "no_session",
            Prompt::Other(s) => s,
        }
    }
}

/// msal's `telemetry.application`: the app's name and version, sent as `x-app-name` and
/// `x-app-ver` (each only when set) in token requests, and in authorize requests outside the
/// OIDC protocol mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppTelemetry {
    /// `appName`.
    pub name: String,
    /// `appVersion`.
    pub version: String,
}

impl AppTelemetry {
    /// None: nothing is sent.
    pub const NONE: &'static AppTelemetry = &AppTelemetry { name: String::new(), version: String::new() };

    /// Adds the fields that are set to a query or a form.
    pub(crate) fn push<'a>(&'a self, q: &mut Vec<(&'a str, &'a str)>) {
        if !self.name.is_empty() {
            q.push(("x-app-name", &self.name));
        }
        if !self.version.is_empty() {
            q.push(("x-app-ver", &self.version));
        }
    }
}

/// Login hint sources in msal's order of precedence (spec §4.1).
#[derive(Debug, Clone, Default)]
pub struct HintSource {
    /// `sid` from the request.
    pub request_sid: String,
    /// `loginHint` from the request.
    pub request_login_hint: String,
    /// The account's `login_hint` claim.
    pub account_login_hint: String,
    /// The account's `sid` claim.
    pub account_sid: String,
    /// The account's username.
    pub account_username: String,
    /// `uid@utid` of the account, for the Oid anchor.
    pub account_oid_anchor: String,
}

/// Everything in an authorize URL.
#[derive(Clone)]
pub struct AuthorizeParams<'a> {
    /// The authorization endpoint.
    pub endpoint: &'a str,
    /// Client id.
    pub client_id: &'a str,
    /// Scopes, already including the OIDC defaults.
    pub scopes: &'a ScopeSet,
    /// Redirect URI.
    pub redirect_uri: &'a str,
    /// Correlation id (`client-request-id`).
    pub correlation_id: &'a str,
    /// `fragment` or `query`.
    pub response_mode: &'a str,
    /// Send `client_info=1` (Entra mode).
    pub client_info: bool,
    /// Prompt, if any.
    pub prompt: Option<Prompt>,
    /// Domain hint.
    pub domain_hint: &'a str,
    /// Hint sources.
    pub hints: &'a HintSource,
    /// Nonce.
    pub nonce: &'a str,
    /// Encoded state.
    pub state: &'a str,
    /// Claims request JSON from the app (may be empty).
    pub claims: &'a str,
    /// Client capabilities (`xms_cc`).
    pub client_capabilities: &'a [String],
    /// PKCE challenge.
    pub code_challenge: &'a str,
    /// Extra query parameters; never override ours.
    pub extra: &'a [(String, String)],
    /// The app's name and version (msal sends them outside the OIDC protocol mode:
    /// [`AppTelemetry::NONE`] there).
    pub app: &'a AppTelemetry,
}

/// msal 5's optional ID token claims, asked for in every authorize and token request:
/// `signin_state` ("keep me signed in", see [`crate::core::id_token::is_kmsi`]), `login_hint`
/// and `tenant_region_sub_scope`.
const DEFAULT_ID_TOKEN_CLAIMS: [&str; 3] = ["signin_state", "login_hint", "tenant_region_sub_scope"];

/// The `claims` parameter, as msal's `buildMergedClaims`: the app's claims request, with
/// msal's optional ID token claims the app did not name and the client capabilities
/// (`access_token.xms_cc`).
pub fn merge_claims(claims: &str, capabilities: &[String]) -> Result<String, AuthError> {
    let mut json = if claims.is_empty() {
        Json::object()
    } else {
        match Json::parse(claims) {
            Ok(j @ Json::Obj(_)) => j,
            _ => return Err(AuthError::config(codes::INVALID_CLAIMS, "claims must be a JSON object")),
        }
    };
    let Json::Obj(fields) = &mut json else { return Err(AuthError::config(codes::INVALID_CLAIMS, "claims must be a JSON object")) };
    // As msal: a member added goes last, one present stays in its place.
    let id = member(fields, "id_token");
    for name in DEFAULT_ID_TOKEN_CLAIMS {
        if id.get(name).is_none() {
            id.set(name, Json::object().with("essential", false));
        }
    }
    if !capabilities.is_empty() {
        member(fields, "access_token").set("xms_cc", Json::object().with("values", Json::str_array(capabilities)));
    }
    Ok(json.to_json())
}

/// The object `fields` holds under `name` (one that is not an object is replaced), added when
/// missing.
fn member<'a>(fields: &'a mut Vec<(String, Json)>, name: &str) -> &'a mut Json {
    let at = match fields.iter().position(|(k, _)| k == name) {
        Some(at) => at,
        None => {
            fields.push((name.to_owned(), Json::object()));
            fields.len() - 1
        }
    };
    let slot = &mut fields[at].1;
    if !matches!(slot, Json::Obj(_)) {
        *slot = Json::object();
    }
    slot
}

/// Builds the authorize URL (spec §4.1 order).
pub fn authorize_url(p: &AuthorizeParams<'_>) -> Result<String, AuthError> {
    Ok(url::append_query(p.endpoint, &authorize_query(p, true)?))
}

/// The authorize request as an HTML form POST (msal's `httpMethod: "POST"`): the action URL,
/// with `query` (the request's extraQueryParameters) and `client-request-id`, and the form's
/// fields as a URL-encoded body (every other parameter).
pub fn authorize_form(p: &AuthorizeParams<'_>, query: &[(String, String)]) -> Result<(String, String), AuthError> {
    let body = authorize_query(p, false)?;
    let mut action: Vec<(&str, &str)> = Vec::new();
    for (k, v) in query {
        if !v.is_empty() {
            action.push((k, v));
        }
    }
    action.push(("client-request-id", p.correlation_id));
    Ok((url::append_query(p.endpoint, &build_query(action)), body))
}

/// The authorize request's parameters, URL-encoded (`client-request-id` among them when
/// `request_id`).
fn authorize_query(p: &AuthorizeParams<'_>, request_id: bool) -> Result<String, AuthError> {
    let scope = p.scopes.to_space_string();
    let claims = merge_claims(p.claims, p.client_capabilities)?;
    let mut q: Vec<(&str, &str)> = vec![("client_id", p.client_id), ("scope", &scope), ("redirect_uri", p.redirect_uri)];
    if request_id {
        q.push(("client-request-id", p.correlation_id));
    }
    q.push(("response_mode", p.response_mode));
    q.push(("response_type", "code"));
    if p.client_info {
        q.push(("client_info", "1"));
    }
    // msal's marker on every authorize request.
    q.push(("clidata", "1"));
    if let Some(prompt) = &p.prompt {
        q.push(("prompt", prompt.as_str()));
    }
    if !p.domain_hint.is_empty() {
        q.push(("domain_hint", p.domain_hint));
    }
    let anchor;
    let h = p.hints;
    if p.prompt != Some(Prompt::SelectAccount) {
        let silent = p.prompt == Some(Prompt::None);
        let oid = (!h.account_oid_anchor.is_empty()).then(|| ["Oid:", h.account_oid_anchor.as_str()].concat());
        let chosen: Option<(&str, &str, Option<String>)> = if silent && !h.request_sid.is_empty() {
            Some(("sid", &h.request_sid, None))
        } else if !h.account_login_hint.is_empty() && p.domain_hint.is_empty() {
            Some(("login_hint", &h.account_login_hint, oid))
        } else if silent && !h.account_sid.is_empty() {
            Some(("sid", &h.account_sid, oid))
        } else if !h.request_login_hint.is_empty() {
            Some(("login_hint", &h.request_login_hint, Some(["UPN:", h.request_login_hint.as_str()].concat())))
        } else if !h.account_username.is_empty() {
            Some(("login_hint", &h.account_username, oid))
        } else {
            None
        };
        if let Some((k, v, a)) = chosen {
            q.push((k, v));
            anchor = a;
            if let Some(a) = &anchor {
                q.push(("X-AnchorMailbox", a));
            }
        }
    }
    q.push(("nonce", p.nonce));
    q.push(("state", p.state));
    if !claims.is_empty() {
        q.push(("claims", &claims));
    }
    q.push(("x-client-SKU", SKU));
    q.push(("x-client-VER", VERSION));
    p.app.push(&mut q);
    q.push(("code_challenge", p.code_challenge));
    q.push(("code_challenge_method", "S256"));
    let ours: Vec<&str> = q.iter().map(|(k, _)| *k).collect();
    for (k, v) in p.extra {
        if !v.is_empty() && !ours.iter().any(|o| o.eq_ignore_ascii_case(k)) {
            q.push((k, v));
        }
    }
    Ok(build_query(q))
}

/// The end-session (logout) URL.
pub fn logout_url(
    endpoint: &str,
    post_logout_redirect_uri: &str,
    correlation_id: &str,
    id_token_hint: &str,
    logout_hint: &str,
    state: &str,
    extra: &[(String, String)],
) -> String {
    let mut q: Vec<(&str, &str)> = Vec::new();
    if !post_logout_redirect_uri.is_empty() {
        q.push(("post_logout_redirect_uri", post_logout_redirect_uri));
    }
    q.push(("client-request-id", correlation_id));
    if !id_token_hint.is_empty() {
        q.push(("id_token_hint", id_token_hint));
    }
    // msal-common's order: state, then logout_hint.
    if !state.is_empty() {
        q.push(("state", state));
    }
    if !logout_hint.is_empty() {
        q.push(("logout_hint", logout_hint));
    }
    for (k, v) in extra {
        if !v.is_empty() && !q.iter().any(|(o, _)| o.eq_ignore_ascii_case(k)) {
            q.push((k, v));
        }
    }
    url::append_query(endpoint, &build_query(q))
}

/// A parsed authorize response (from the fragment or the query).
#[derive(Clone, Default)]
pub struct AuthorizeResponse {
    /// The authorization code.
    pub code: Option<AuthCode>,
    /// The raw state.
    pub state: String,
    /// `client_info`, if sent.
    pub client_info: String,
    /// `error`
    pub error: String,
    /// `error_description`
    pub error_description: String,
    /// `suberror`
    pub suberror: String,
    /// `error_uri`
    pub error_uri: String,
    /// `trace_id`
    pub trace_id: String,
    /// `correlation_id`
    pub correlation_id: String,
    /// `timestamp`
    pub timestamp: String,
    /// `claims`
    pub claims: String,
    /// `cloud_instance_host_name`: the cloud of the user, for an instance-aware request.
    pub cloud_instance_host_name: String,
    /// `cloud_graph_host_name` and `msgraph_host`: that cloud's Graph hosts.
    pub graph_hosts: (String, String),
}

impl ::core::fmt::Debug for AuthorizeResponse {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("AuthorizeResponse")
            .field("code", &self.code)
            .field("error", &self.error)
            .field("suberror", &self.suberror)
            .finish_non_exhaustive()
    }
}

/// `s` without its leading `#` or `?`, and the `/` of a hash route's `#/` (msal's
/// `stripLeadingHashOrQuery`).
fn flat_params(s: &str) -> &str {
    let s = s.strip_prefix('#').or_else(|| s.strip_prefix('?')).unwrap_or(s);
    s.strip_prefix('/').unwrap_or(s)
}

/// Maximum length of a response we parse (a real one is a few KB).
pub const MAX_RESPONSE_LEN: usize = 64 * 1024;

impl AuthorizeResponse {
    /// True if `s` (a hash or query) looks like an authorize response, as msal's
    /// `getDeserializedResponse` decides: after a leading `#`, `?` or `#/`, flat parameters —
    /// not an app route (`#/orders?tab=1&code=…`, `#/a/b&state=…`: a `?`, `#` or `/` before
    /// the first `=` or `&`) — with a `code`, `error`, `error_description` or `state` that is
    /// not empty (an app's `#/error` or `#state=` is no response).
    pub fn looks_like_response(s: &str) -> bool {
        let flat = flat_params(s);
        let flat_start = match flat.bytes().position(|b| matches!(b, b'=' | b'&' | b'?' | b'#' | b'/')) {
            None => !flat.is_empty(),
            Some(i) => i > 0 && matches!(flat.as_bytes()[i], b'=' | b'&'),
        };
        s.len() <= MAX_RESPONSE_LEN
            && flat_start
            && parse_query(flat)
                .iter()
                .any(|(k, v)| !v.is_empty() && matches!(k.as_str(), "code" | "error" | "state" | "error_description"))
    }

    /// Parses a fragment or query string (leading `#`, `?` or `#/` allowed).
    pub fn parse(s: &str) -> Result<AuthorizeResponse, AuthError> {
        let s = flat_params(s);
        if s.bytes().all(|b| b == b'#' || b == b'?') {
            return Err(AuthError::browser(codes::HASH_EMPTY_ERROR, "the response hash or query is empty"));
        }
        if s.len() > MAX_RESPONSE_LEN {
            return Err(AuthError::browser(codes::HASH_EMPTY_ERROR, Kept("the response is too long to be an authorize response")));
        }
        let mut r = AuthorizeResponse::default();
        for (k, v) in parse_query(s) {
            match k.as_str() {
                "code" if !v.is_empty() => r.code = Some(AuthCode::new(v)),
                "state" => r.state = v,
                "client_info" => r.client_info = v,
                "error" => r.error = v,
                "error_description" => r.error_description = v,
                "suberror" => r.suberror = v,
                "error_uri" => r.error_uri = v,
                "trace_id" => r.trace_id = v,
                "correlation_id" => r.correlation_id = v,
                "timestamp" => r.timestamp = v,
                "claims" => r.claims = v,
                "cloud_instance_host_name" => r.cloud_instance_host_name = v,
                "cloud_graph_host_name" => r.graph_hosts.0 = v,
                "msgraph_host" => r.graph_hosts.1 = v,
                _ => {}
            }
        }
        if r.code.is_none() && r.error.is_empty() && r.state.is_empty() {
            return Err(AuthError::browser("hash_does_not_contain_known_properties", "the response has no code, error or state"));
        }
        if r.state.is_empty() {
            return Err(AuthError::browser(codes::NO_STATE_IN_HASH, "the response has no state"));
        }
        Ok(r)
    }

    /// True when the provider answered with an error: as msal, an error description or a
    /// sub-error without an `error` is one too.
    pub fn is_error(&self) -> bool {
        !self.error.is_empty() || !self.error_description.is_empty() || !self.suberror.is_empty()
    }

    /// Checks the state against the one sent (constant time), then turns a server error into
    /// an `AuthError` and otherwise returns the code.
    pub fn into_code(self, expected_state: &crate::secret::State) -> Result<(AuthCode, String), AuthError> {
        if !expected_state.ct_eq(&self.state) {
            return Err(AuthError::new(
                ErrorKind::StateMismatch,
                codes::STATE_MISMATCH,
                "the response state does not match the request state",
            ));
        }
        if self.is_error() {
            let error_no = super::text::split_once(&self.error_uri, "code=")
                .map(|(_, s)| s.split('&').next().unwrap_or(s).to_owned())
                .unwrap_or_default();
            let e = super::token::classify_server_error(&self.error, &self.error_description, &self.suberror, 0);
            // As msal: a server error the user caused by closing the provider's prompt is its
            // first-class `user_cancelled`.
            if e.kind() == ErrorKind::Server && self.suberror == codes::USER_CANCELLED {
                return Err(AuthError::new(ErrorKind::UserCancelled, codes::USER_CANCELLED, "the user cancelled the sign-in")
                    .with_correlation_id(self.correlation_id));
            }
            return Err(e.with_correlation_id(self.correlation_id).with_server_details(
                self.trace_id,
                self.timestamp,
                error_no,
                self.claims,
            ));
        }
        match self.code {
            Some(code) => Ok((code, self.client_info)),
            None => Err(AuthError::client(
                codes::AUTHORIZATION_CODE_MISSING_FROM_SERVER_RESPONSE,
                "the response has neither a code nor an error",
            )),
        }
    }
}

#[cfg(test)]
mod tests;
