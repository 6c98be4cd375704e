//! Client configuration (msal's `Configuration`: auth, cache, system options).

use crate::prelude::*;

use crate::core::authority::ProtocolMode;
pub use crate::core::authorize::AppTelemetry;
use crate::core::cache::DEFAULT_RENEWAL_OFFSET_SECS;
use crate::core::scopes::OIDC_DEFAULT_SCOPES;

pub use crate::platform::CacheLocation;

/// Client configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Application (client) id.
    pub client_id: String,
    /// Authority URL.
    pub authority: String,
    /// Default redirect URI.
    pub redirect_uri: String,
    /// Where the end-session page returns to: `None` for the page that signs out, `Some("")`
    /// for nowhere (msal's `null`: the parameter is not sent).
    pub post_logout_redirect_uri: Option<String>,
    /// Hosts trusted without instance discovery (B2C, custom domains).
    pub known_authorities: Vec<String>,
    /// AAD or OIDC.
    pub protocol_mode: ProtocolMode,
    /// An openid-configuration document, to skip the network.
    pub authority_metadata: String,
    /// An instance-discovery document, to skip the network.
    pub cloud_discovery_metadata: String,
    /// Client capabilities (`xms_cc`), e.g. `CP1`.
    pub client_capabilities: Vec<String>,
    /// Scopes added to every user request.
    pub default_scopes: Vec<String>,
    /// `fragment` or `query`.
    pub response_mode: String,
    /// After a redirect, go back to the page that started it.
    pub navigate_to_login_request_url: bool,
    /// Where the cache lives.
    pub cache_location: CacheLocation,
    /// `cache.cacheLocation` named a place msal does not know (`"localstorage"`): the cache is
    /// in memory, and redirects still run, as msal refuses them for `memoryStorage` only.
    pub unknown_cache_location: bool,
    /// msal v5's `cacheRetentionDays` (default 5): an older msal's cache entry (v3/v4 schema)
    /// last updated longer ago than this is removed when the client starts, not migrated.
    pub cache_retention_days: u64,
    /// Access tokens are renewed this many seconds before they expire.
    pub token_renewal_offset_secs: u64,
    /// Popup timeout.
    pub popup_timeout_ms: u64,
    /// The most detailed log level written (msal's `loggerOptions.logLevel`; default Info):
    /// lines above it are not even formatted.
    pub log_level: crate::platform::LogLevel,
    /// Hidden iframe timeout (msal's `iframeBridgeTimeout`). Above msal's default, a frame
    /// whose provider page pauses is waited for that long, not only [`FRAME_SETTLE_MS`](super::FRAME_SETTLE_MS).
    pub iframe_timeout_ms: u64,
    /// How long a network request (discovery, token endpoint) may go unanswered before it is
    /// aborted (`system.networkTimeout`; msal-browser has none and waits forever).
    pub network_timeout_ms: u64,
    /// How long a page that navigates to the provider (a redirect sign-in or sign-out of the
    /// Rust front-end API) may stay before the navigation counts as failed (msal 5's
    /// `system.redirectNavigationTimeout`: `timed_out`; the JS facade reads its own).
    pub redirect_navigation_timeout_ms: u64,
    /// Checks every new ID token's `iss` (the authority's issuer, `{tenantid}` resolved),
    /// `aud` (contains the client id) and `exp`/`nbf` (5 minutes' skew) beyond msal's nonce
    /// check (`system.validateIdTokenClaims`; off by default, as msal has no such checks).
    pub validate_id_token_claims: bool,
    /// `auth.isMcp`: every token request must name its `resource` (msal's MCP apps).
    pub is_mcp: bool,
    /// `system.allowRedirectInIframe`: a page inside a frame may sign in and out by redirect
    /// (off by default, as msal: `redirect_in_iframe`).
    pub allow_redirect_in_iframe: bool,
    /// msal 5's `system.navigatePopups` (default true). False: popups are not opened on
    /// `about:blank` to be sent on (PWAs and hosts that refuse it): the browser client fetches
    /// the configured authority's endpoints after `initialize`, so a popup for it opens at its
    /// URL. (One started before they arrive, or whose URL needs more asynchronous work, a POST's
    /// or a bound request's, still opens on `about:blank`.)
    pub navigate_popups: bool,
    /// msal 5's `system.enableLegacyPolling` (off by default): popups are waited for as msal 4
    /// did, by reading their address once back on this origin, with no timeout (the lock is
    /// leased as a redirect's, the popup closed when the page unloads); a popup that reads
    /// closed is the user's cancel (`user_cancelled`,
    /// after 250 ms for a bridge message in flight), and a page of this origin without a
    /// response ends the wait (`hash_empty_error`). For a provider round trip without
    /// Cross-Origin-Opener-Policy, as msal requires. A popup relay wins over it (see
    /// [`polls_popups`](Self::polls_popups)).
    pub legacy_polling: bool,
    /// `auth.originCheck`: send msal's `pocd=1` only when the page passes the popup origin check
    /// (on by default); off, it is always sent.
    pub origin_check: bool,
    /// `auth.popupRelayUri` and `auth.popupRelayProtocolVersion`: popups open this page of the
    /// app's origin, which opens the provider's window and relays its response (for an app
    /// inside another site's frame, where the redirect bridge's channel cannot reach it).
    pub popup_relay: Option<PopupRelay>,
    /// `auth.instanceAware`: the authorize request asks Entra which cloud the user belongs to
    /// (`instance_aware=true`); the code is redeemed at the cloud the response names
    /// (`cloud_instance_host_name`), and a request for an account of another cloud goes to the
    /// same authority on that cloud's host. A request's `instance_aware` extra query parameter
    /// overrides it.
    pub instance_aware: bool,
    /// `telemetry.application`: the app's name and version, sent to the provider as msal sends
    /// them (`x-app-name`, `x-app-ver`).
    pub application: AppTelemetry,
}

/// msal 5's popup relay page (`auth.popupRelayUri`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopupRelay {
    /// The page's address, absolute or relative to the app's origin (it must be on that origin).
    pub uri: String,
    /// `auth.popupRelayProtocolVersion`: 1 (msal's default) or 2; any other fails each popup
    /// with `popup_relay_unsupported_flow` (as msal).
    pub version: u8,
}

impl Config {
    /// Whether popups are waited for by legacy polling: `legacy_polling` without a popup relay
    /// (msal's relay client wins over polling, and its wait ends at `popup_timeout_ms`).
    pub fn polls_popups(&self) -> bool {
        self.legacy_polling && self.popup_relay.is_none()
    }

    /// How long a tab waits for another tab's renewal of the same account (the cross-tab renewal
    /// lock) before it renews alone: the holder's work is at most two network requests.
    pub fn renewal_lock_wait_ms(&self) -> u64 {
        self.network_timeout_ms.saturating_mul(2).saturating_add(2_000)
    }

    /// A configuration with msal's defaults.
    pub fn new(client_id: impl Into<String>) -> Config {
        Config {
            client_id: client_id.into(),
            authority: "https://login.microsoftonline.com/common/".to_owned(),
            redirect_uri: String::new(),
            post_logout_redirect_uri: None,
            known_authorities: Vec::new(),
            protocol_mode: ProtocolMode::Aad,
            authority_metadata: String::new(),
            cloud_discovery_metadata: String::new(),
            client_capabilities: Vec::new(),
            default_scopes: OIDC_DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            response_mode: "fragment".to_owned(),
            navigate_to_login_request_url: true,
            cache_location: CacheLocation::SessionStorage,
            unknown_cache_location: false,
            cache_retention_days: 5,
            token_renewal_offset_secs: DEFAULT_RENEWAL_OFFSET_SECS,
            popup_timeout_ms: 60_000,
            log_level: crate::platform::LogLevel::Info,
            iframe_timeout_ms: super::DEFAULT_IFRAME_TIMEOUT_MS,
            network_timeout_ms: 30_000,
            redirect_navigation_timeout_ms: 30_000,
            validate_id_token_claims: false,
            is_mcp: false,
            allow_redirect_in_iframe: false,
            navigate_popups: true,
            legacy_polling: false,
            origin_check: true,
            popup_relay: None,
            instance_aware: false,
            application: AppTelemetry::default(),
        }
    }

    /// Sets the authority.
    pub fn with_authority(mut self, authority: impl Into<String>) -> Self {
        self.authority = authority.into();
        self
    }
    /// Sets the redirect URI.
    pub fn with_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = uri.into();
        self
    }
    /// Without a configured redirect URI, `page`'s address (without query and fragment), as
    /// msal fills the default in when the client is made: the page the app made its client on,
    /// not the route a router moved to before the client was built, nor whichever page a later
    /// call is made from.
    pub fn redirect_uri_or_page(mut self, page: &str) -> Self {
        if self.redirect_uri.is_empty() {
            self.redirect_uri = crate::core::url::without_query(page).to_owned();
        }
        self
    }
    /// Sets the protocol mode.
    pub fn with_protocol_mode(mut self, mode: ProtocolMode) -> Self {
        self.protocol_mode = mode;
        self
    }
    /// Supplies the openid-configuration document.
    pub fn with_authority_metadata(mut self, json: impl Into<String>) -> Self {
        self.authority_metadata = json.into();
        self
    }
}
