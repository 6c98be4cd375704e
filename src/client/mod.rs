//! The public client: every msal flow, once, over a [`Platform`] — the JavaScript API, the
//! Leptos and Yew hooks and the native tests all drive this one.
//!
//! Every method takes `&self`; state sits in a `RefCell` that is never borrowed across an
//! `.await`, so concurrent calls from JavaScript cannot collide. Interactive flows are split
//! in two: [`begin_interaction`](PublicClientApplication::begin_interaction) builds the
//! authorize URL synchronously (so a popup can open inside the user's click) and
//! [`finish_interaction`](PublicClientApplication::finish_interaction) redeems the response;
//! [`open_popup`](PublicClientApplication::open_popup) and
//! [`complete_popup`](PublicClientApplication::complete_popup) do the same around a popup.
//!
//! The files split the client by concern: `metadata` (the authority's endpoints), `accounts`,
//! `interaction` (the interaction lock, popups, hidden frames, redirects), `token` (the token
//! endpoint), `silent` (cache lookup, cross-tab single-flight renewal) and `logout`.

use crate::prelude::*;

mod accounts;
pub mod config;
mod device;
pub mod dpop;
mod interaction;
mod logout;
mod metadata;
mod relay;
pub mod request;
pub mod result;
mod silent;
mod token;

use crate::core::account::{authority_type, Account, TenantProfile};
use crate::core::authority::{is_guid, Authority, AuthorityMetadata, AuthorityType, CloudMetadata, ProtocolMode};
use crate::core::authorize::{self, AppTelemetry, AuthorizeParams, AuthorizeResponse, HintSource};
use crate::core::base64;
use crate::core::cache::{is_expired, AtQuery, SaveRequest, TokenCache};
use crate::core::http::HttpRequest;
use crate::core::id_token::IdTokenClaims;
use crate::core::json::Json;
use crate::core::pkce::{self, InteractionType, RequestState};
use crate::core::scopes::ScopeSet;
use crate::core::text;
use crate::core::throttle;
use crate::core::token::{ClientCredential, Grant, TokenRequest, TokenResponse};
use crate::error::{codes, AuthError, ErrorKind, Kept};
use crate::platform::{LogLevel, Platform, PopupAttributes, WindowError};
use crate::secret::{IdToken, Nonce, PkceVerifier, RefreshToken, State};
use ::core::cell::{Cell, RefCell};
pub use accounts::{AccountChanges, AccountSnapshot};
pub use config::{CacheLocation, Config, PopupRelay};
pub use device::{DeviceCodeInfo, DeviceCodeRequest};
pub use interaction::{PopupStarted, RedirectStart};
pub use logout::{LogoutPopupStarted, LogoutSent, LogoutStarted, SignedOut};
pub use metadata::{metadata_entry, metadata_key, read_metadata_entry};
pub use request::{
    AccountFilter, AccountRef, AuthScheme, ByCodeRequest, CacheLookupPolicy, InteractiveRequest, LogoutRequest, SilentRequest,
    StoreInCache, TokenOptions,
};
pub use result::{AccountInfo, AuthenticationResult};
pub use token::Hydration;
use token::Saving;

/// Makes a confidential client's credential for the token endpoint given (see
/// [`PublicClientApplication::set_credential_maker`]).
pub type CredentialMaker =
    alloc::rc::Rc<dyn Fn(&str) -> ::core::pin::Pin<Box<dyn ::core::future::Future<Output = Result<ClientCredential, AuthError>>>>>;

/// sessionStorage key marking an interactive request in progress (shared by all clients of a
/// tab, as in msal-browser).
pub const INTERACTION_STATUS_KEY: &str = "msal.interaction.status";
/// The interaction lock's `type` for a sign-in and a sign-out (msal's `INTERACTION_TYPE`).
const SIGNIN: &str = "signin";
const SIGNOUT: &str = "signout";
/// How long a fetched openid-configuration document is reused (msal: 24 h).
pub const METADATA_LIFETIME_MS: u64 = 24 * 3600 * 1000;
/// How long a redirect's interaction lock holds before it is considered abandoned.
pub const REDIRECT_LEASE_MS: u64 = 10 * 60 * 1000;
/// Added to the popup timeout to get a popup's lease.
pub const POPUP_LEASE_GRACE_MS: u64 = 30_000;
/// The clock skew the optional ID token lifetime check allows (seconds).
pub const ID_TOKEN_SKEW_SECS: u64 = 300;
/// The largest message from another tab that is read (what a save changed is a few KB: see
/// `TokenCache::last_save`); the browser platform drops larger ones before they reach the module.
pub const MAX_ANNOUNCEMENT_BYTES: usize = 256 * 1024;
/// After a hidden frame got no answer, how long silent frame attempts fail at once.
pub const FRAME_BACKOFF_MS: u64 = 5 * 60 * 1000;
/// How long after a page of another origin loaded in a hidden frame without answering the
/// client gives up on it (unless the app gave frames more than msal's default time).
pub const FRAME_SETTLE_MS: u64 = 2_000;
/// msal's default `iframeBridgeTimeout` (ms).
pub const DEFAULT_IFRAME_TIMEOUT_MS: u64 = 10_000;

/// The error for a window that ended without a response.
fn window_error(e: WindowError, correlation_id: &str) -> AuthError {
    let e = match e {
        // msal 5 reports a blocked popup as popup_window_error (its empty_window_error is caught
        // and replaced), which apps test to fall back to a redirect.
        WindowError::Blocked => AuthError::browser(codes::POPUP_WINDOW_ERROR, "window.open returned no window (popup blocked?)"),
        WindowError::OpenFailed => AuthError::browser(codes::POPUP_WINDOW_ERROR, "window.open failed (popup blocked?)"),
        WindowError::UserCancelled => {
            AuthError::new(ErrorKind::UserCancelled, codes::USER_CANCELLED, "the user closed the popup before signing in")
        }
        WindowError::TimedOut => {
            AuthError::new(ErrorKind::Timeout, codes::TIMED_OUT, "no response arrived in time").with_sub_error("redirect_bridge_timeout")
        }
        WindowError::NoResponse => AuthError::new(
            ErrorKind::InteractionRequired,
            codes::INTERACTION_REQUIRED,
            Kept(
                "the silent sign-in frame showed the provider's page and got no answer (third-party cookies blocked, framing refused, or the provider wants the user); sign in interactively",
            ),
        )
        .with_sub_error("iframe_no_response"),
        WindowError::EmptyResponse => AuthError::browser("redirect_bridge_empty_response", "the redirect bridge sent an empty response"),
        WindowError::Failed => AuthError::browser(codes::POPUP_WINDOW_ERROR, "the window failed"),
        WindowError::RelayRefused(sub) => {
            AuthError::browser(codes::POPUP_RELAY_UNSUPPORTED_FLOW, "the popup relay page refused the request").with_sub_error(sub)
        }
        WindowError::Cancelled => AuthError::browser(
            codes::INTERACTION_IN_PROGRESS_CANCELLED,
            "another interactive request took this one's place (overrideInteractionInProgress)",
        ),
    };
    e.with_correlation_id(correlation_id.to_owned())
}

/// An interactive request between its authorize URL and its response.
pub struct PendingAuth {
    /// The authorize URL to open (a POST request's form action).
    pub url: String,
    /// A POST request's form fields, URL-encoded (`httpMethod: "POST"`): post them to `url`.
    /// They hold the state and the nonce; not kept with a redirect (posted before it).
    pub form: Option<String>,
    /// Popup, redirect or silent.
    pub interaction_type: InteractionType,
    /// The library state id (names the redirect-bridge channel).
    pub state_id: String,
    /// Correlation id.
    pub correlation_id: String,
    state: State,
    verifier: PkceVerifier,
    nonce: Nonce,
    scopes: ScopeSet,
    redirect_uri: String,
    user_state: String,
    /// The page to return to after a redirect.
    pub origin: String,
    /// The canonical authority the request went to.
    authority: String,
    /// A DPoP request's key and resource request.
    binding: Option<dpop::Binding>,
    /// What the code redemption sends and keeps beyond the scopes.
    options: TokenOptions,
    /// The request's `claims` and `extraQueryParameters`, sent to the token endpoint too (as
    /// msal).
    claims: String,
    extra_query: Vec<(String, String)>,
    /// A silent call's hidden frame renewing a cached account, by its home account id (see
    /// `Saving::renewal`; never kept with a request).
    renewal: Option<String>,
}

impl ::core::fmt::Debug for PendingAuth {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("PendingAuth")
            .field("interaction_type", &self.interaction_type)
            .field("correlation_id", &self.correlation_id)
            .field("state", &self.state)
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

impl PendingAuth {
    /// True when `response` (a query or form body) is an authorize response carrying this
    /// request's state (a native loopback page ignores any other request that comes to it).
    pub fn answers(&self, response: &str) -> bool {
        AuthorizeResponse::parse(response).is_ok_and(|r| self.state.ct_eq(&r.state))
    }

    /// The request as one string to keep until its response comes back (the tab's
    /// sessionStorage, a server's session store): it holds the PKCE verifier, the state and
    /// the nonce, so keep it server-side or in the tab.
    pub fn to_session(&self) -> String {
        base64::encode_url(self.to_json().to_json().as_bytes())
    }

    /// A request kept by [`to_session`](Self::to_session); `None` when `text` is not one.
    pub fn from_session(text: &str) -> Option<PendingAuth> {
        let bytes = base64::decode(text)?;
        PendingAuth::from_json(&Json::parse(::core::str::from_utf8(&bytes).ok()?).ok()?)
    }

    fn to_json(&self) -> Json {
        Json::object()
            .with("url", self.url.as_str())
            .with("interactionType", self.interaction_type.as_str())
            .with("stateId", self.state_id.as_str())
            .with("correlationId", self.correlation_id.as_str())
            .with("state", self.state.secret())
            .with("codeVerifier", self.verifier.secret())
            .with("nonce", self.nonce.secret())
            .with("scopes", self.scopes.to_space_string())
            .with("redirectUri", self.redirect_uri.as_str())
            .with("userState", self.user_state.as_str())
            .with("origin", self.origin.as_str())
            .with("authority", self.authority.as_str())
            .with("binding", self.binding.as_ref().map_or(Json::Null, dpop::Binding::to_json))
            .with("options", self.options.to_json())
            .with("claims", self.claims.as_str())
            .with("extraQuery", crate::core::url::build_query(self.extra_query.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
    }

    fn from_json(j: &Json) -> Option<PendingAuth> {
        let s = |k: &str| j.str_field(k).map(str::to_owned);
        let state = s("state")?;
        Some(PendingAuth {
            url: s("url")?,
            form: None,
            interaction_type: RequestState::parse(&state).ok()?.interaction_type,
            state_id: s("stateId")?,
            correlation_id: s("correlationId")?,
            state: State::new(state),
            verifier: PkceVerifier::new(s("codeVerifier")?),
            nonce: Nonce::new(s("nonce")?),
            scopes: ScopeSet::parse(&s("scopes")?),
            redirect_uri: s("redirectUri")?,
            user_state: s("userState").unwrap_or_default(),
            origin: s("origin").unwrap_or_default(),
            authority: s("authority").unwrap_or_default(),
            binding: j.get("binding").and_then(dpop::Binding::from_json),
            options: j.get("options").map(TokenOptions::from_json).unwrap_or_default(),
            claims: s("claims").unwrap_or_default(),
            extra_query: crate::core::url::parse_query(j.string_or_empty("extraQuery").as_str()),
            renewal: None,
        })
    }
}

struct Resolved {
    /// `initialize` ran (the cache is loaded).
    started: bool,
    /// The configured authority's endpoints; `None` until known (a discovery document that
    /// `initialize` could not fetch is fetched again by the first request that needs it).
    metadata: Option<AuthorityMetadata>,
    cloud: CloudMetadata,
    /// Endpoints of other authorities that requests named, by canonical authority.
    others: Vec<(String, AuthorityMetadata)>,
}

/// An authority and its endpoints: the configured one, or the one a request names.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    authority: Authority,
    metadata: AuthorityMetadata,
}

/// A public client application (SPA or desktop): msal's `PublicClientApplication`.
pub struct PublicClientApplication<P: Platform> {
    platform: P,
    config: Config,
    authority: Authority,
    resolved: RefCell<Resolved>,
    cache: RefCell<TokenCache<P::Store>>,
    stale: Cell<bool>,
    /// Until when hidden frames are known not to answer on this page (ms; 0 = not known).
    frames_blocked_until: Cell<u64>,
    /// Renewal locks held past their bound, by name, and until when (ms) they are waited for
    /// briefly only: their holder (a hung tab, a page of the origin holding the name) is not
    /// renewing. Forgotten once this tab gets the lock.
    locks_given_up: RefCell<Vec<(String, u64)>>,
    /// How many times a popup took the interaction lock over (`overrideInteractionInProgress`):
    /// a popup opened before the last take-over ends without waiting.
    takeovers: Cell<u32>,
    /// The token endpoint's last DPoP nonce (RFC 9449 §8).
    dpop_nonce: RefCell<Option<String>>,
    /// Resource servers' DPoP nonces by origin, oldest first (msal's `loadDpopNonce`).
    resource_nonces: RefCell<Vec<(String, String)>>,
    /// DPoP keys of tokens a sign-out or `clearCache` removed, to delete (asynchronously).
    orphan_keys: RefCell<Vec<String>>,
    /// When [`due_renewals`](Self::due_renewals) last ran (seconds; at first, the page's load):
    /// a token already due then was handed out then.
    woken_s: Cell<u64>,
    /// When the page loaded (seconds).
    loaded_s: u64,
    /// Silent requests in flight in this tab, by what makes them the same.
    flights: RefCell<Vec<(String, alloc::rc::Rc<silent::Flight>)>>,
    /// The accounts whose refresh token is in use in this tab.
    renewing: silent::Renewing,
    /// The hidden frame a silent call runs (msal's `activeIframeRequest`): one at a time.
    frame: RefCell<Option<alloc::rc::Rc<silent::Flight>>>,
    /// The popup origin check's outcome while a popup opened on about:blank builds its request.
    popup_origin: Cell<Option<bool>>,
    /// Accounts another tab of this client announced (they hold no token here yet).
    announced: RefCell<Vec<String>>,
    /// How many of another tab's writes of this client's active account this tab has read
    /// (see [`PublicClientApplication::account_changes`]).
    active_writes: Cell<u32>,
    /// The active account a heard ACTIVE_ACCOUNT_CHANGED was counted for, until its storage
    /// event (see [`PublicClientApplication::active_heard`]).
    heard_active: RefCell<Option<(Option<String>, u64)>>,
    /// Accounts this tab added (true) or removed itself, not yet in a baseline (see
    /// [`PublicClientApplication::account_changes`]).
    own_changes: RefCell<Vec<(bool, String)>>,
    /// When this tab last read the whole cache from the storage, or removed an account from it
    /// (ms): another tab's hand-off older than that does not bring back an account the storage
    /// no longer holds.
    looked_ms: Cell<u64>,
    /// How the client proves itself at the token endpoint: nothing for a public client; a
    /// confidential client (msal-native's) sets a secret, or a maker of its credential for the
    /// endpoint a request goes to (a client assertion names it).
    credential: RefCell<ClientCredential>,
    #[cfg(not(target_arch = "wasm32"))]
    credential_maker: RefCell<Option<CredentialMaker>>,
    /// The most detailed level logged: the configuration's, until the app sets a logger.
    log_level: Cell<LogLevel>,
    /// The interaction lock [`lock_redirect`](Self::lock_redirect) took for the next
    /// [`begin_redirect`](Self::begin_redirect).
    redirect_locked: Cell<bool>,
    /// The state id of the redirect sign-in whose response a call of this client redeems
    /// (`""`: none): a second `handleRedirectPromise` meanwhile redeems nothing.
    redeeming: RefCell<String>,
}

impl<P: Platform> ::core::fmt::Debug for PublicClientApplication<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("PublicClientApplication")
            .field("client_id", &self.config.client_id)
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}

/// The clock and the retention cut-off for the cache's load: now, and now less
/// `cacheRetentionDays` (ms; older-schema entries updated before it are stale).
fn cache_clock(config: &Config, platform: &impl Platform) -> (u64, u64) {
    let now = platform.now_ms();
    (now, now.saturating_sub(config.cache_retention_days.saturating_mul(86_400_000)))
}

impl<P: Platform> PublicClientApplication<P> {
    /// A client for `config` on `platform`. Loads the cache; needs
    /// [`initialize`](Self::initialize) before any token request.
    pub fn new(mut config: Config, platform: P) -> Result<Self, AuthError> {
        let authority = Authority::parse(&config.authority, config.protocol_mode)?;
        config = config.redirect_uri_or_page(&platform.page_url());
        let (now, stale_before) = cache_clock(&config, &platform);
        let now_ms_at_load = platform.now_ms();
        let (cache, issues) = TokenCache::load_retaining(platform.cache_store(), &config.client_id, now, stale_before);
        for i in &issues {
            platform.log(LogLevel::Warning, "", &["removed a corrupt cache entry: ", i.reason].concat());
        }
        let cloud = authority.default_cloud();
        let log_level = Cell::new(config.log_level);
        Ok(PublicClientApplication {
            platform,
            config,
            authority,
            resolved: RefCell::new(Resolved { started: false, metadata: None, cloud, others: Vec::new() }),
            cache: RefCell::new(cache),
            stale: Cell::new(false),
            frames_blocked_until: Cell::new(0),
            locks_given_up: RefCell::new(Vec::new()),
            takeovers: Cell::new(0),
            dpop_nonce: RefCell::new(None),
            resource_nonces: RefCell::default(),
            orphan_keys: RefCell::new(Vec::new()),
            woken_s: Cell::new(now_ms_at_load / 1000),
            loaded_s: now_ms_at_load / 1000,
            flights: RefCell::default(),
            renewing: silent::Renewing::default(),
            frame: RefCell::default(),
            popup_origin: Cell::default(),
            announced: RefCell::default(),
            active_writes: Cell::new(0),
            heard_active: RefCell::new(None),
            own_changes: RefCell::default(),
            looked_ms: Cell::new(now_ms_at_load),
            credential: RefCell::new(ClientCredential::None),
            #[cfg(not(target_arch = "wasm32"))]
            credential_maker: RefCell::new(None),
            log_level,
            redirect_locked: Cell::new(false),
            redeeming: RefCell::new(String::new()),
        })
    }

    /// The most detailed level to log from now on (msal's `setLogger` with a logger of that
    /// level).
    pub fn set_log_level(&self, level: LogLevel) {
        self.log_level.set(level);
    }

    /// Sets how the client proves itself at the token endpoint (a confidential client's secret
    /// or client assertion; [`ClientCredential::None`] for a public client).
    pub fn set_client_credential(&self, credential: ClientCredential) {
        *self.credential.borrow_mut() = credential;
    }

    /// Sets how the client's credential is made for each token request, from the token
    /// endpoint it goes to: a client assertion names its endpoint, which a request's authority
    /// (another tenant) or a guest tenant the client picks itself changes (msal-node signs each
    /// for the endpoint of the request's authority). It replaces
    /// [`set_client_credential`](Self::set_client_credential)'s.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn set_credential_maker(&self, make: CredentialMaker) {
        *self.credential_maker.borrow_mut() = Some(make);
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The platform.
    pub fn platform(&self) -> &P {
        &self.platform
    }

    /// The authority.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// True once [`initialize`](Self::initialize) has succeeded.
    pub fn is_initialized(&self) -> bool {
        self.resolved.borrow().started
    }

    /// The configured authority's endpoints, when known (see [`initialize`](Self::initialize)).
    pub fn metadata(&self) -> Result<AuthorityMetadata, AuthError> {
        self.ensure_initialized()?;
        self.resolved.borrow().metadata.clone().ok_or_else(|| {
            AuthError::client(
                codes::ENDPOINTS_RESOLUTION_ERROR,
                "the authority's endpoints are not resolved yet (its discovery document could not be fetched)",
            )
        })
    }

    /// A new GUID (msal's `createNewGuid`), from the platform's randomness.
    pub fn guid(&self) -> Result<String, AuthError> {
        let mut b = [0u8; 16];
        self.platform.fill_random(&mut b)?;
        Ok(pkce::guid(b))
    }

    fn now_s(&self) -> u64 {
        self.platform.now_ms() / 1000
    }

    /// The cloud `host` is in: this client's (configured, or from `cloudDiscoveryMetadata`)
    /// when it is one of its hosts, else the Microsoft cloud msal's table lists it in, else the
    /// host alone (a `knownAuthorities` host). An account's tokens are looked up under its
    /// cloud's hosts, as msal's `matchEnvironment`.
    pub(super) fn cloud_of(&self, host: &str) -> CloudMetadata {
        let resolved = self.resolved.borrow();
        if resolved.cloud.has_alias(host) {
            resolved.cloud.clone()
        } else {
            CloudMetadata::of_host(host)
        }
    }

    /// A result's `authority`: msal's canonical authority after discovery, lower-cased and on
    /// its cloud's network host (`login.windows.net` answers as `login.microsoftonline.com`).
    pub(super) fn result_authority(&self, a: &Authority) -> String {
        let canonical = a.canonical().to_ascii_lowercase();
        let network = self.cloud_of(a.host()).preferred_network;
        match network.is_empty() || network.eq_ignore_ascii_case(a.host()) {
            true => canonical,
            false => crate::core::text::replacen(&canonical, &a.host().to_ascii_lowercase(), &network, 1),
        }
    }

    /// Whether a request is instance-aware: its `instance_aware` extra query parameter when it
    /// has one, else `auth.instanceAware` (msal).
    pub(super) fn instance_aware(&self, extra: &[(String, String)]) -> bool {
        match extra.iter().find(|(k, v)| k == "instance_aware" && !v.is_empty()) {
            Some((_, v)) => v == "true",
            None => self.config.instance_aware,
        }
    }

    /// msal's `instance_aware=true` on the authorize and end-session pages' addresses, with
    /// `auth.instanceAware`, unless the request's extra query parameters `given` set it.
    pub(super) fn add_instance_aware(&self, extra: &mut Vec<(String, String)>, given: &[(String, String)]) {
        if self.config.instance_aware && !given.iter().any(|(k, _)| k == "instance_aware") {
            extra.push(("instance_aware".to_owned(), "true".to_owned()));
        }
    }

    /// msal's instance-aware code redemption: at the cloud the authorize response named
    /// (`cloud_instance_host_name`, a bare host), in the same tenant as `authority`. `None` when
    /// the request is not instance-aware or no cloud is named; the host must then be trusted
    /// as a request's authority is.
    pub(super) fn cloud_authority(&self, authority: &str, cloud: &str, extra: &[(String, String)]) -> Result<Option<String>, AuthError> {
        if cloud.is_empty() || !self.instance_aware(extra) {
            return Ok(None);
        }
        if !cloud.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':')) {
            return Err(AuthError::config(codes::UNTRUSTED_AUTHORITY, "cloud_instance_host_name is not a host name"));
        }
        let tenant = Authority::parse(authority, self.config.protocol_mode)?.tenant().to_owned();
        Ok(Some(["https://", cloud, "/", &tenant, "/"].concat()))
    }

    /// Where a request for an account signed in at `environment` goes: an instance-aware one
    /// to its authority (the configured one without one) on the account's host, when that
    /// host is of another cloud (msal's `getDiscoveredAuthority`); else to its own.
    pub(super) fn account_authority(&self, authority: Option<&str>, extra: &[(String, String)], environment: &str) -> Option<String> {
        let url = authority.unwrap_or(self.authority.canonical());
        let (host, path) = url.strip_prefix("https://").and_then(|r| r.split_once('/')).unwrap_or_default();
        if environment.is_empty() || host.is_empty() || !self.instance_aware(extra) || self.cloud_of(host).has_alias(environment) {
            return authority.map(str::to_owned);
        }
        Some(["https://", environment, "/", path].concat())
    }

    /// msal's `authority_mismatch`: a request for an account goes to an authority of the
    /// account's cloud, so its refresh token is never sent to another cloud.
    pub(super) fn check_account_cloud(&self, authority: &Authority, environment: &str) -> Result<(), AuthError> {
        if environment.is_empty() || self.cloud_of(authority.host()).has_alias(environment) {
            return Ok(());
        }
        Err(AuthError::config(codes::AUTHORITY_MISMATCH, "the request's authority is not in its account's cloud"))
    }

    /// The account type of a sign-in at `authority` (msal's: AD FS first, in either mode).
    fn account_authority_type(&self, authority: &Authority) -> &'static str {
        match (authority.kind(), self.config.protocol_mode) {
            (AuthorityType::Adfs, _) => authority_type::ADFS,
            (_, ProtocolMode::Oidc) => authority_type::GENERIC,
            _ => authority_type::MSSTS,
        }
    }

    /// The tenant to look `account`'s tokens up in for a request to `target`: the tenant the
    /// authority names by GUID, else the tenant profile the request gives, else the account's
    /// home tenant, or its first profile's when it has none there (a guest signed in only to
    /// another tenant, as msal-node's `getAccountByHomeId` gives it). For multi-tenant aliases,
    /// B2C, ADFS, generic providers, and a tenant named by its domain: tokens are stored under
    /// the GUID the provider answers with, as msal's.
    fn realm_for(&self, account: &Account, authority: &Authority, profile: Option<&str>) -> String {
        match (authority.single_tenant().filter(|t| is_guid(t)), profile) {
            (Some(t), _) | (None, Some(t)) => t.to_owned(),
            (None, None) => match account.tenant_profiles.first() {
                Some(first) if !account.has_profile_in(&account.realm) => first.tenant_id.clone(),
                _ => account.realm.clone(),
            },
        }
    }

    fn wire_scopes(&self, scopes: &[String]) -> ScopeSet {
        ScopeSet::new(scopes).with_oidc_defaults(&self.config.default_scopes)
    }

    /// Writes a log line when the configured level wants it.
    fn log(&self, level: LogLevel, correlation_id: &str, message: &str) {
        if level <= self.log_level.get() {
            self.platform.log(level, correlation_id, message);
        }
    }

    /// Fails like [`metadata`](Self::metadata) before initialization, without copying it.
    fn ensure_initialized(&self) -> Result<(), AuthError> {
        if self.is_initialized() {
            Ok(())
        } else {
            Err(AuthError::browser(codes::UNINITIALIZED_PUBLIC_CLIENT_APPLICATION, "call and await initialize() before using the client"))
        }
    }
}
