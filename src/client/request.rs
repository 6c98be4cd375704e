//! Request objects (msal's `PopupRequest`, `RedirectRequest`, `SilentRequest`, ...), typed;
//! `js::wire` reads them from msal-browser's camelCase JSON.

use crate::prelude::*;

use crate::core::authorize::Prompt;
pub use crate::core::cache::StoreInCache;
use crate::core::json::Json;
use crate::error::{codes, AuthError};

/// msal's `CacheLookupPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheLookupPolicy {
    /// Access token, then refresh token, then hidden iframe.
    #[default]
    Default = 0,
    /// Cached access token only.
    AccessToken = 1,
    /// Access token, then refresh token.
    AccessTokenAndRefreshToken = 2,
    /// Refresh token only (skips the cached access token).
    RefreshToken = 3,
    /// Refresh token, then iframe (skips the cached access token).
    RefreshTokenAndNetwork = 4,
    /// Hidden iframe only.
    Skip = 5,
    /// Any other value: msal's lookups fall to their `default` case, which fails with
    /// `token_refresh_required` (no cache, no network).
    Unknown = 9,
}

impl CacheLookupPolicy {
    /// From msal's number (anything else is `Unknown`).
    pub fn from_number(n: u64) -> CacheLookupPolicy {
        match n {
            0 => CacheLookupPolicy::Default,
            1 => CacheLookupPolicy::AccessToken,
            2 => CacheLookupPolicy::AccessTokenAndRefreshToken,
            3 => CacheLookupPolicy::RefreshToken,
            4 => CacheLookupPolicy::RefreshTokenAndNetwork,
            5 => CacheLookupPolicy::Skip,
            _ => CacheLookupPolicy::Unknown,
        }
    }
    /// May the cached access token be used?
    pub fn uses_access_token(self) -> bool {
        matches!(self, Self::Default | Self::AccessToken | Self::AccessTokenAndRefreshToken)
    }
    /// May the refresh token be used?
    pub fn uses_refresh_token(self) -> bool {
        matches!(self, Self::Default | Self::AccessTokenAndRefreshToken | Self::RefreshToken | Self::RefreshTokenAndNetwork)
    }
    /// May a hidden iframe be used?
    pub fn uses_iframe(self) -> bool {
        matches!(self, Self::Default | Self::RefreshTokenAndNetwork | Self::Skip)
    }
}

/// Which account a request is for: msal's `AccountInfo` reduced to what identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountRef {
    /// homeAccountId
    pub home_account_id: String,
    /// The tenant profile (`AccountInfo.tenantId`): which tenant's tokens, when the authority
    /// does not name one (`None`: the account's home tenant).
    pub tenant_id: Option<String>,
    /// What the app's `AccountInfo` says of the user, for an account the cache lacks: as msal,
    /// an authorize request (a hidden frame, a popup, a redirect) for an account it was handed
    /// takes its hints from that object. Its `loginHint`, else `idTokenClaims.login_hint` ("" when
    /// none).
    pub login_hint: String,
    /// `idTokenClaims.sid` ("" when none).
    pub sid: String,
    /// `username` ("" when none).
    pub username: String,
    /// `environment`: the host the account was signed in at ("" when none: this client's
    /// cloud, else any).
    pub environment: String,
}

impl AccountRef {
    /// The account with this `homeAccountId`, in its home tenant (or the authority's; a guest
    /// with no profile in its home tenant: its first profile's, as msal-node's
    /// `getAccountByHomeId` gives it).
    pub fn new(home_account_id: impl Into<String>) -> AccountRef {
        AccountRef::in_tenant(home_account_id, None)
    }

    /// The account an active-account key names (`home\ntenant`, see
    /// [`PublicClientApplication::active_account_key`](super::PublicClientApplication::active_account_key)):
    /// the JS facade hands it back with a request that names none, as the call's account.
    pub fn of_key(key: &str) -> AccountRef {
        let (home, tenant) = crate::core::text::split_once(key, "\n").unwrap_or((key, ""));
        AccountRef::in_tenant(home, (!tenant.is_empty()).then(|| tenant.to_owned()))
    }

    /// The account with this `homeAccountId` in tenant profile `tenant_id`.
    pub fn in_tenant(home_account_id: impl Into<String>, tenant_id: Option<String>) -> AccountRef {
        let none = String::new;
        AccountRef {
            home_account_id: home_account_id.into(),
            tenant_id,
            login_hint: none(),
            sid: none(),
            username: none(),
            environment: none(),
        }
    }
}

/// msal's `authenticationScheme`: how the access token is bound.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuthScheme {
    /// A bearer token.
    #[default]
    Bearer,
    /// A DPoP-bound token (RFC 9449): usable only with proofs signed by the app's key. The
    /// result carries a proof for this resource request (msal's `resourceRequestMethod` and
    /// `resourceRequestUri`, normalized).
    Dpop {
        /// `htm`.
        method: String,
        /// `htu`.
        uri: String,
    },
    /// msal's `pop`: the access token is bound to an RSA key of this app (`req_cnf`), and what
    /// the app gets is a signed HTTP request wrapping it (for the resource request below, when
    /// named), to send as `Authorization: PoP <token>`.
    Pop {
        /// `resourceRequestMethod` (`m`; may be empty).
        method: String,
        /// `resourceRequestUri` (`u`, `p`, `q`; may be empty).
        uri: String,
        /// `shrClaims` (`client_claims`).
        shr_claims: String,
        /// `shrNonce` (`nonce`; a new GUID when empty).
        shr_nonce: String,
        /// `shrOptions.header.typ` (the signed request's `typ`; msal's `pop` when empty).
        shr_typ: String,
    },
}

impl AuthScheme {
    /// A DPoP scheme for requests `method` `uri` (msal's `dpop_missing_resource_context`
    /// without them, `invalid_dpop_htm`/`invalid_dpop_htu` when they are not a method and an
    /// https URL). In a browser, give `uri` as its fetch sends it (`web_sys::Url::new(uri)?.href()`,
    /// what msal signs and the JS API hands over): engines differ on a few bytes of a path
    /// (Chromium encodes `|`), which the proof's `htu` must match.
    pub fn dpop(method: &str, uri: &str) -> Result<AuthScheme, AuthError> {
        let (method, uri) = crate::core::dpop::resource_target(method, uri)?;
        Ok(AuthScheme::Dpop { method, uri })
    }

    /// The `token_type` of its tokens.
    pub fn token_type(&self) -> &'static str {
        match self {
            AuthScheme::Bearer => "Bearer",
            AuthScheme::Dpop { .. } => "DPoP",
            AuthScheme::Pop { .. } => "pop",
        }
    }

    /// The resource request it names: `[method, uri, shrClaims, shrNonce]`, `""` where none.
    pub fn resource_request(&self) -> [&str; 4] {
        match self {
            AuthScheme::Bearer => ["", "", "", ""],
            AuthScheme::Dpop { method, uri } => [method, uri, "", ""],
            AuthScheme::Pop { method, uri, shr_claims, shr_nonce, .. } => [method, uri, shr_claims, shr_nonce],
        }
    }

    /// True for a scheme whose tokens are bound to a key.
    pub fn is_bound(&self) -> bool {
        !matches!(self, AuthScheme::Bearer)
    }

    /// A PoP request's `shrOptions.header.typ` (empty: msal's `pop`; always empty otherwise).
    pub fn shr_typ(&self) -> &str {
        match self {
            AuthScheme::Pop { shr_typ, .. } => shr_typ,
            _ => "",
        }
    }

    /// True for DPoP.
    pub fn is_dpop(&self) -> bool {
        matches!(self, AuthScheme::Dpop { .. })
    }
}

/// What a request sends and keeps beyond its scopes: msal's `resource`, `attributeTokens`,
/// `extraParameters` and `storeInCache`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TokenOptions {
    /// The RFC 8707 resource (msal's MCP `resource`): sent to the authorize and token
    /// endpoints and kept on the cached access token; a request that names one is served only
    /// a cached token for it.
    pub resource: Option<String>,
    /// `attributeTokens` (msal 5.x: assertions of external attribute authorities), in any
    /// order: sent to the token endpoint sorted and space-separated, which is also the cache
    /// partition of the access token (a request is served only a token obtained with the same
    /// ones, or with none when it names none).
    pub attribute_tokens: Vec<String>,
    /// `extraParameters`: added to the authorize URL (over an `extraQueryParameters` entry of
    /// the same name) and to token request bodies; never over the library's own parameters.
    pub extra_parameters: Vec<(String, String)>,
    /// Which credentials of the response are cached.
    pub store: StoreInCache,
}

impl ::core::fmt::Debug for TokenOptions {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        // The attribute tokens are assertions: their number only.
        f.debug_struct("TokenOptions")
            .field("resource", &self.resource)
            .field("attribute_tokens", &self.attribute_tokens.len())
            .field("extra_parameters", &self.extra_parameters)
            .field("store", &self.store)
            .finish()
    }
}

impl TokenOptions {
    /// msal's `enforceResourceParameter`: with `auth.isMcp`, every token request names a
    /// `resource`, and names it only there (not in `extraQueryParameters` or
    /// `extraParameters`).
    pub fn enforce_resource(&self, is_mcp: bool, extra_query_parameters: &[(String, String)]) -> Result<(), AuthError> {
        if !is_mcp {
            return Ok(());
        }
        let named_elsewhere = self.extra_parameters.iter().chain(extra_query_parameters).any(|(k, _)| k == "resource");
        match &self.resource {
            Some(_) if named_elsewhere => Err(AuthError::client(
                codes::MISPLACED_RESOURCE_PARAMETER,
                "the resource is named both in the request and in its extra parameters",
            )),
            Some(_) => Ok(()),
            None => Err(AuthError::client(codes::RESOURCE_PARAMETER_REQUIRED, "auth.isMcp: every token request needs a resource")),
        }
    }

    /// The options as they are kept with a pending redirect (msal's field names).
    pub(crate) fn to_json(&self) -> Json {
        let extra = Json::Obj(self.extra_parameters.iter().map(|(k, v)| (k.clone(), Json::from(v.as_str()))).collect());
        let store = Json::object()
            .with("accessToken", self.store.access_token)
            .with("idToken", self.store.id_token)
            .with("refreshToken", self.store.refresh_token);
        let mut j = Json::object().with_nonempty("resource", self.resource.as_deref().unwrap_or_default());
        if !self.attribute_tokens.is_empty() {
            j = j.with("attributeTokens", Json::str_array(&self.attribute_tokens));
        }
        j.with("extraParameters", extra).with("storeInCache", store)
    }

    /// Options kept by [`to_json`](Self::to_json).
    pub(crate) fn from_json(j: &Json) -> TokenOptions {
        let keep = |k: &str| j.get("storeInCache").and_then(|s| s.get(k)).and_then(Json::as_bool).unwrap_or(true);
        let extra_parameters = j.get("extraParameters").and_then(Json::as_object).unwrap_or_default();
        TokenOptions {
            resource: j.str_field("resource").filter(|r| !r.is_empty()).map(str::to_owned),
            attribute_tokens: j.get("attributeTokens").map(Json::strings).unwrap_or_default(),
            extra_parameters: extra_parameters.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect(),
            store: StoreInCache { access_token: keep("accessToken"), id_token: keep("idToken"), refresh_token: keep("refreshToken") },
        }
    }

    /// The token request body's additions: `resource`, `attribute_tokens`, then
    /// `extraParameters` (the first of a name wins; the library's own parameters win over all).
    pub(crate) fn token_body(&self) -> Vec<(String, String)> {
        let attributes = (!self.attribute_tokens.is_empty()).then(|| ("attribute_tokens".to_owned(), self.attribute_partition()));
        self.additions(attributes, &[])
    }

    /// msal's attribute-token partition: the tokens sorted and joined by spaces; `""` for none.
    /// Sorted by bytes (msal sorts UTF-16 code units: the same order for the ASCII of
    /// assertions), by insertion: a few items, and no core sort in the wasm (issue 14).
    pub fn attribute_partition(&self) -> String {
        let mut v = self.attribute_tokens.clone();
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && v[j - 1] > v[j] {
                v.swap(j - 1, j);
                j -= 1;
            }
        }
        crate::core::text::join(&v, " ")
    }

    /// The authorize URL's additions: `resource`, then `extraParameters`, then the request's
    /// `extraQueryParameters` (msal merges the two, `extraParameters` winning).
    pub(crate) fn authorize_extra(&self, extra_query_parameters: &[(String, String)]) -> Vec<(String, String)> {
        self.additions(None, extra_query_parameters)
    }

    fn additions(&self, attributes: Option<(String, String)>, extra_query_parameters: &[(String, String)]) -> Vec<(String, String)> {
        let resource = self.resource.as_ref().map(|r| ("resource".to_owned(), r.clone()));
        let mut out: Vec<(String, String)> = Vec::new();
        for (k, v) in resource.iter().chain(&attributes).chain(&self.extra_parameters).chain(extra_query_parameters) {
            if !v.is_empty() && !out.iter().any(|(o, _)| o == k) {
                out.push((k.clone(), v.clone()));
            }
        }
        out
    }
}

/// A popup or redirect request.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct InteractiveRequest {
    /// Scopes.
    pub scopes: Vec<String>,
    /// `extraScopesToConsent`: asked of the user with `scopes` at the authorize endpoint (the
    /// code is redeemed for `scopes` only; tokens for these come silently later).
    pub extra_scopes_to_consent: Vec<String>,
    /// `overrideInteractionInProgress` (popups): take over the tab's interaction lock, ending
    /// the popup that holds it with `interaction_in_progress_cancelled`.
    pub override_interaction_in_progress: bool,
    /// `httpMethod: "POST"`: the authorize request is a form POST (its parameters in the body,
    /// `extraQueryParameters` in the action URL) instead of a GET.
    pub post: bool,
    /// Prompt.
    pub prompt: Option<Prompt>,
    /// `loginHint`
    pub login_hint: String,
    /// `sid`
    pub sid: String,
    /// `domainHint`
    pub domain_hint: String,
    /// The account to sign in again.
    pub account: Option<AccountRef>,
    /// App state, returned in the result.
    pub state: String,
    /// Claims request.
    pub claims: String,
    /// Extra query parameters.
    pub extra_query_parameters: Vec<(String, String)>,
    /// Overrides the configured redirect URI.
    pub redirect_uri: String,
    /// Where to return after a redirect (default: the current page).
    pub redirect_start_page: String,
    /// Correlation id (generated when empty).
    pub correlation_id: String,
    /// Nonce (generated when empty).
    pub nonce: String,
    /// Overrides the configured authority (another tenant, another B2C policy); its host must
    /// be the configured authority's or a known authority.
    pub authority: Option<String>,
    /// Bearer (default) or DPoP.
    pub authentication_scheme: AuthScheme,
    /// `resource`, `extraParameters`, `storeInCache`.
    pub options: TokenOptions,
}

/// Debug without the secrets (`state`, `nonce` are redacted when set).
impl ::core::fmt::Debug for InteractiveRequest {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("InteractiveRequest")
            .field("scopes", &self.scopes)
            .field("extra_scopes_to_consent", &self.extra_scopes_to_consent)
            .field("override_interaction_in_progress", &self.override_interaction_in_progress)
            .field("post", &self.post)
            .field("prompt", &self.prompt)
            .field("login_hint", &self.login_hint)
            .field("sid", &self.sid)
            .field("domain_hint", &self.domain_hint)
            .field("account", &self.account)
            .field("state", &redacted(&self.state))
            .field("claims", &self.claims)
            .field("extra_query_parameters", &self.extra_query_parameters)
            .field("redirect_uri", &self.redirect_uri)
            .field("redirect_start_page", &self.redirect_start_page)
            .field("correlation_id", &self.correlation_id)
            .field("nonce", &redacted(&self.nonce))
            .field("authority", &self.authority)
            .field("authentication_scheme", &self.authentication_scheme)
            .field("options", &self.options)
            .finish()
    }
}

/// A silent request.
#[derive(Clone, Default)]
pub struct SilentRequest {
    /// Scopes.
    pub scopes: Vec<String>,
    /// The account (default: the active account).
    pub account: Option<AccountRef>,
    /// Skip the cached access token.
    pub force_refresh: bool,
    /// Cache policy.
    pub cache_lookup_policy: CacheLookupPolicy,
    /// Claims request (skips the cache).
    pub claims: String,
    /// Correlation id.
    pub correlation_id: String,
    /// Overrides the configured redirect URI.
    pub redirect_uri: String,
    /// Extra query parameters (for the iframe fallback).
    pub extra_query_parameters: Vec<(String, String)>,
    /// Overrides the configured authority (see [`InteractiveRequest::authority`]).
    pub authority: Option<String>,
    /// Bearer (default) or DPoP.
    pub authentication_scheme: AuthScheme,
    /// `resource`, `extraParameters`, `storeInCache`.
    pub options: TokenOptions,
    /// `refreshTokenExpirationOffsetSeconds`: a refresh token that expires within this many
    /// seconds is not used (0: msal's default, 300).
    pub refresh_token_expiration_offset_secs: u64,
    /// App state, returned in the result (cached or not), as msal.
    pub state: String,
    /// The hidden frame's prompt when it comes to one: `none` (default) or `no_session`.
    pub prompt: Option<Prompt>,
    /// `loginHint`, `sid`, `domainHint`: the hidden frame's, when it comes to one (as msal's
    /// interactive requests use them; the account's hints otherwise).
    pub login_hint: String,
    /// See [`login_hint`](Self::login_hint).
    pub sid: String,
    /// See [`login_hint`](Self::login_hint).
    pub domain_hint: String,
}

impl SilentRequest {
    /// The silent request for what an interactive `request` asks (msal-react's
    /// `acquireTokenSilent({...request, account})`): its scopes, claims, authority, scheme,
    /// extra parameters, redirect URI, correlation id, state and hints.
    pub fn for_interactive(request: &InteractiveRequest, account: Option<AccountRef>) -> SilentRequest {
        SilentRequest {
            scopes: request.scopes.clone(),
            account,
            claims: request.claims.clone(),
            correlation_id: request.correlation_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            extra_query_parameters: request.extra_query_parameters.clone(),
            authority: request.authority.clone(),
            authentication_scheme: request.authentication_scheme.clone(),
            options: request.options.clone(),
            state: request.state.clone(),
            login_hint: request.login_hint.clone(),
            sid: request.sid.clone(),
            domain_hint: request.domain_hint.clone(),
            ..SilentRequest::default()
        }
    }
}

/// Debug without the secrets (`state` are redacted when set).
impl ::core::fmt::Debug for SilentRequest {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("SilentRequest")
            .field("scopes", &self.scopes)
            .field("account", &self.account)
            .field("force_refresh", &self.force_refresh)
            .field("cache_lookup_policy", &self.cache_lookup_policy)
            .field("claims", &self.claims)
            .field("correlation_id", &self.correlation_id)
            .field("redirect_uri", &self.redirect_uri)
            .field("extra_query_parameters", &self.extra_query_parameters)
            .field("authority", &self.authority)
            .field("authentication_scheme", &self.authentication_scheme)
            .field("options", &self.options)
            .field("refresh_token_expiration_offset_secs", &self.refresh_token_expiration_offset_secs)
            .field("state", &redacted(&self.state))
            .field("prompt", &self.prompt)
            .field("login_hint", &self.login_hint)
            .field("sid", &self.sid)
            .field("domain_hint", &self.domain_hint)
            .finish()
    }
}

/// Which accounts `getAllAccounts` and `getAccount` return (msal's `AccountFilter`): every
/// given field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    /// `homeAccountId`, exactly.
    pub home_account_id: Option<String>,
    /// `localAccountId` of the account or of one of its tenant profiles.
    pub local_account_id: Option<String>,
    /// `username` (or the `upn` claim), ignoring case.
    pub username: Option<String>,
    /// `environment`: the account's host or an alias of it in this client's cloud.
    pub environment: Option<String>,
    /// `tenantId`: the tenant profile of that tenant, exactly.
    pub tenant_id: Option<String>,
    /// `realm`: the cached account's own tenant (where it first signed in), ignoring case;
    /// every tenant profile of such an account matches.
    pub realm: Option<String>,
    /// `name`, exactly.
    pub name: Option<String>,
    /// `loginHint`: the `login_hint` claim, the username or the `upn` claim, exactly.
    pub login_hint: Option<String>,
    /// `upn`: the ID token's `upn` claim, exactly.
    pub upn: Option<String>,
    /// `nativeAccountId`: a platform broker's id (no account has one here: none matches).
    pub native_account_id: Option<String>,
    /// `authorityType` (`MSSTS`, `Generic`…), ignoring case.
    pub authority_type: Option<String>,
    /// `sid`: the ID token's session id.
    pub sid: Option<String>,
    /// `isHomeTenant`: whether the account is its home tenant's profile.
    pub is_home_tenant: Option<bool>,
}

impl AccountFilter {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        *self == AccountFilter::default()
    }

    /// The filter as msal applies it: an empty string is no condition (msal tests each field
    /// for truthiness), so `username: Some("")` matches every account.
    pub fn without_blanks(&self) -> AccountFilter {
        let set = |o: &Option<String>| o.clone().filter(|s| !s.is_empty());
        AccountFilter {
            home_account_id: set(&self.home_account_id),
            local_account_id: set(&self.local_account_id),
            username: set(&self.username),
            environment: set(&self.environment),
            tenant_id: set(&self.tenant_id),
            realm: set(&self.realm),
            name: set(&self.name),
            login_hint: set(&self.login_hint),
            upn: set(&self.upn),
            native_account_id: set(&self.native_account_id),
            authority_type: set(&self.authority_type),
            sid: set(&self.sid),
            is_home_tenant: self.is_home_tenant,
        }
    }
}

/// A sign-out (msal's `EndSessionRequest` and `EndSessionPopupRequest`).
#[derive(Clone, Default)]
pub struct LogoutRequest {
    /// The account to sign out; `None` signs every account out of this app's cache.
    pub account: Option<AccountRef>,
    /// Where the end-session page returns to: `None` for the configured one (else the page
    /// that signs out), `Some("")` for nowhere (msal's `null`).
    pub post_logout_redirect_uri: Option<String>,
    /// App state, sent to the end-session endpoint (after the library's own).
    pub state: String,
    /// `logoutHint` (default: the account's `login_hint` claim).
    pub logout_hint: String,
    /// `idTokenHint`: sent only when the app gives one.
    pub id_token_hint: String,
    /// Extra query parameters.
    pub extra_query_parameters: Vec<(String, String)>,
    /// Correlation id (generated when empty).
    pub correlation_id: String,
    /// The authority whose end-session endpoint signs out (a B2C policy, another tenant);
    /// checked as [`InteractiveRequest::authority`].
    pub authority: Option<String>,
}

/// Debug without the secrets (`state`, `id_token_hint` are redacted when set).
impl ::core::fmt::Debug for LogoutRequest {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("LogoutRequest")
            .field("account", &self.account)
            .field("post_logout_redirect_uri", &self.post_logout_redirect_uri)
            .field("state", &redacted(&self.state))
            .field("logout_hint", &self.logout_hint)
            .field("id_token_hint", &redacted(&self.id_token_hint))
            .field("extra_query_parameters", &self.extra_query_parameters)
            .field("correlation_id", &self.correlation_id)
            .field("authority", &self.authority)
            .finish()
    }
}

impl ::core::fmt::Debug for ByCodeRequest {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        // (Destructured: a field added later must be shown or left out here on purpose.)
        let ByCodeRequest {
            code,
            scopes,
            code_verifier,
            redirect_uri,
            correlation_id,
            authority,
            claims,
            extra_query_parameters,
            state,
            native_account_id,
            options,
            cloud_instance_host_name,
            cloud_graph_host_name,
            ms_graph_host,
        } = self;
        f.debug_struct("ByCodeRequest")
            .field("code", code)
            .field("scopes", scopes)
            .field("code_verifier", code_verifier)
            .field("redirect_uri", redirect_uri)
            .field("correlation_id", correlation_id)
            .field("authority", authority)
            .field("claims", claims)
            .field("extra_query_parameters", extra_query_parameters)
            .field("state", &redacted(state))
            .field("native_account_id", native_account_id)
            .field("options", options)
            .field("cloud_instance_host_name", cloud_instance_host_name)
            .field("cloud_graph_host_name", cloud_graph_host_name)
            .field("ms_graph_host", ms_graph_host)
            .finish()
    }
}

/// A secret request field in debug output: `[redacted]` when set.
pub(super) fn redacted(value: &str) -> &'static str {
    if value.is_empty() {
        ""
    } else {
        "[redacted]"
    }
}

/// msal's `acquireTokenByCode` request: a code this app obtained elsewhere (the hybrid flow's
/// `spa_code`, a code from a server), redeemed at the token endpoint. Its `Debug` leaves the
/// app's `state` out.
#[derive(Default)]
pub struct ByCodeRequest {
    /// The authorization code.
    pub code: crate::secret::AuthCode,
    /// The scopes.
    pub scopes: Vec<String>,
    /// The PKCE verifier the code was requested with, if any.
    pub code_verifier: Option<crate::secret::PkceVerifier>,
    /// The redirect URI the code was sent to, sent with it when given (`""`: none is sent, as
    /// msal redeems a code obtained elsewhere).
    pub redirect_uri: String,
    /// The correlation id (`""`: a new one).
    pub correlation_id: String,
    /// Overrides the configured authority (the tenant or B2C policy the code was issued by);
    /// checked as [`InteractiveRequest::authority`].
    pub authority: Option<String>,
    /// `claims` (JSON), sent with the code.
    pub claims: String,
    /// `extraQueryParameters`, on the token endpoint's URL.
    pub extra_query_parameters: Vec<(String, String)>,
    /// `state`, returned in the result.
    pub state: String,
    /// `nativeAccountId`: an account of the platform broker, which this library does not use
    /// (msal's errors: with a code, `spa_code_and_nativeAccountId_present`; without,
    /// `unable_to_acquire_token_from_native_platform`).
    pub native_account_id: String,
    /// What is sent and cached with the token.
    pub options: TokenOptions,
    /// `cloudInstanceHostName`: the cloud the code's authorize response named (instance-aware
    /// requests redeem it there; `""`: none).
    pub cloud_instance_host_name: String,
    /// `cloudGraphHostName` and `msGraphHost`: that cloud's Graph hosts, kept on a new account.
    pub cloud_graph_host_name: String,
    /// See [`cloud_graph_host_name`](Self::cloud_graph_host_name).
    pub ms_graph_host: String,
}
