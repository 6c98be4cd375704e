//! Client configuration (msal's `Configuration`: auth, cache, system options).

use crate::core::authority::ProtocolMode;
use crate::core::cache::DEFAULT_RENEWAL_OFFSET_SECS;
use crate::core::json::Json;
use crate::core::scopes::OIDC_DEFAULT_SCOPES;
use crate::error::{codes, AuthError};
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
    /// Access tokens are renewed this many seconds before they expire.
    pub token_renewal_offset_secs: u64,
    /// Popup timeout.
    pub popup_timeout_ms: u64,
    /// The most detailed log level written (msal's `loggerOptions.logLevel`; default Info):
    /// lines above it are not even formatted.
    pub log_level: crate::platform::LogLevel,
    /// Hidden iframe timeout.
    pub iframe_timeout_ms: u64,
}

impl Config {
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
            token_renewal_offset_secs: DEFAULT_RENEWAL_OFFSET_SECS,
            popup_timeout_ms: 60_000,
            log_level: crate::platform::LogLevel::Info,
            iframe_timeout_ms: 10_000,
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

    /// Reads msal-browser's configuration object (as JSON): `auth`, `cache`, `system`.
    pub fn from_json(j: &Json) -> Result<Config, AuthError> {
        let auth = j.get("auth").ok_or_else(|| AuthError::config(codes::INVALID_CONFIGURATION, "configuration.auth is required"))?;
        let client_id = auth
            .str_field("clientId")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AuthError::config("empty_client_id", "auth.clientId is required"))?;
        let mut c = Config::new(client_id);
        if let Some(a) = auth.str_field("authority") {
            c.authority = a.to_owned();
        }
        c.redirect_uri = auth.string_or_empty("redirectUri");
        c.post_logout_redirect_uri = match auth.get("postLogoutRedirectUri") {
            None => None,
            Some(Json::Null) => Some(String::new()),
            Some(v) => Some(v.as_str().unwrap_or_default().to_owned()),
        };
        c.known_authorities = string_list(auth.get("knownAuthorities"));
        c.client_capabilities = string_list(auth.get("clientCapabilities"));
        c.authority_metadata = auth.string_or_empty("authorityMetadata");
        c.cloud_discovery_metadata = auth.string_or_empty("cloudDiscoveryMetadata");
        if let Some(b) = auth.get("navigateToLoginRequestUrl").and_then(Json::as_bool) {
            c.navigate_to_login_request_url = b;
        }
        let mode = auth.str_field("protocolMode").or_else(|| j.get("system").and_then(|s| s.str_field("protocolMode")));
        if let Some(m) = mode {
            c.protocol_mode = match m.to_ascii_uppercase().as_str() {
                "AAD" => ProtocolMode::Aad,
                "OIDC" => ProtocolMode::Oidc,
                _ => return Err(AuthError::config(codes::INVALID_CONFIGURATION, "protocolMode must be AAD or OIDC")),
            };
        }
        if let Some(oidc) = auth.get("OIDCOptions").or_else(|| j.get("system").and_then(|s| s.get("OIDCOptions"))) {
            if let Some(scopes) = oidc.get("defaultScopes") {
                c.default_scopes = string_list(Some(scopes));
            }
            if let Some(m) = oidc.str_field("responseMode") {
                c.response_mode = match m {
                    "fragment" | "query" => m.to_owned(),
                    _ => return Err(AuthError::config(codes::INVALID_CONFIGURATION, "responseMode must be fragment or query")),
                };
            }
        }
        if let Some(cache) = j.get("cache") {
            if let Some(loc) = cache.str_field("cacheLocation") {
                c.cache_location = CacheLocation::parse(loc)?;
            }
        }
        if let Some(sys) = j.get("system") {
            if let Some(level) = sys.get("loggerOptions").and_then(|l| l.get("logLevel")).and_then(Json::as_u64) {
                c.log_level = crate::platform::LogLevel::from_number(level);
            }
            if let Some(n) = sys.get("tokenRenewalOffsetSeconds").and_then(Json::as_u64) {
                c.token_renewal_offset_secs = n;
            }
            let timeout = |k: &str| sys.get(k).and_then(Json::as_u64);
            if let Some(t) = timeout("popupBridgeTimeout").or_else(|| timeout("windowHashTimeout")) {
                c.popup_timeout_ms = t;
            }
            if let Some(t) = timeout("iframeBridgeTimeout").or_else(|| timeout("iframeHashTimeout")).or_else(|| timeout("loadFrameTimeout"))
            {
                c.iframe_timeout_ms = t;
            }
        }
        Ok(c)
    }
}

/// A list of strings from a JSON array (non-strings skipped).
pub fn string_list(j: Option<&Json>) -> Vec<String> {
    j.and_then(Json::as_array).unwrap_or_default().iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
}
