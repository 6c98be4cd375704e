//! msal-browser's JSON wire format, in one place: the configuration, requests, account
//! filters and results cross the JavaScript boundary as msal's camelCase objects, and are
//! read into (or written from) the client's typed Rust here. The client never sees a key
//! name; this module never decides a flow.

use crate::prelude::*;

use crate::client::{
    AccountFilter, AccountInfo, AccountRef, AuthScheme, AuthenticationResult, ByCodeRequest, CacheLocation, CacheLookupPolicy, Config,
    Hydration, InteractiveRequest, LogoutRequest, PopupRelay, SilentRequest, TokenOptions,
};
use crate::core::account::Account;
use crate::core::authority::ProtocolMode;
use crate::core::authorize::{AppTelemetry, Prompt};
use crate::core::cache::AccountEntity;
use crate::core::json::Json;
use crate::error::{codes, AuthError, Kept};
use crate::platform::{LogLevel, PopupAttributes};
use crate::secret::{AuthCode, PkceVerifier};

#[cfg(test)]
mod tests;

/// A list of strings from a JSON array (non-strings skipped).
pub fn string_list(j: Option<&Json>) -> Vec<String> {
    j.map(Json::strings).unwrap_or_default()
}

/// A request's `scopes`: an array of strings (none: empty). Anything else is the app's mistake
/// (a string, a `[process.env.X]` whose variable is missing): a typed error naming the field,
/// not a token for the sign-in's scopes (msal throws a `TypeError`, or sends the string's
/// letters as scopes).
fn scopes_field(j: &Json) -> Result<Vec<String>, AuthError> {
    let given = j.get("scopes").unwrap_or(&Json::Null);
    let scopes = given.strings();
    match given {
        // (msal's `request.scopes || []`: a falsy value is none.)
        _ if !truthy(j, "scopes") => Ok(scopes),
        Json::Arr(items) if items.len() == scopes.len() => Ok(scopes),
        _ => Err(AuthError::config(codes::EMPTY_INPUT_SCOPES_ERROR, "scopes must be an array of strings")),
    }
}

/// A JavaScript truthiness of `key` (msal reads its flags so: `forceRefresh: "true"` forces).
fn truthy(j: &Json, key: &str) -> bool {
    match j.get(key) {
        None | Some(Json::Null) => false,
        Some(Json::Bool(b)) => *b,
        // (Not zero: a digit other than 0 before any exponent.)
        Some(Json::Num(n)) => n.bytes().take_while(|b| !matches!(b, b'e' | b'E')).any(|b| matches!(b, b'1'..=b'9')),
        Some(Json::Str(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// Options msal-browser 5 has that msal-wasm does not act on: set, each is logged once as a
/// warning when the client is built. `(path, what it means here)`.
const UNSUPPORTED: &[(&str, &str, &str)] = &[
    ("system", "allowPlatformBroker", "platform brokering is not supported; sign-in runs in the browser"),
    ("auth", "verifySSO", "no background SSO check (msal's telemetry) follows an interactive sign-in"),
    ("system", "serverTelemetryEnabled", "server telemetry headers are not sent"),
    ("experimental", "iframeTimeoutTelemetry", "late frame answers are not measured"),
    ("experimental", "enableAsymmetricEar", "EAR is not supported"),
    ("experimental", "allowPlatformBrokerWithDOM", "platform brokering is not supported; sign-in runs in the browser"),
    // v3/v4 names msal 5 no longer reads (its defaults apply).
    ("auth", "supportsNestedAppAuth", "nested app authentication is not supported; the standard client is used"),
    ("auth", "encodeExtraQueryParams", "extra query parameters are always encoded"),
    ("cache", "claimsBasedCachingEnabled", "tokens requested with claims are not cached separately"),
    ("system", "windowHashTimeout", "system.windowHashTimeout is ignored, as msal 5: use popupBridgeTimeout"),
    ("system", "iframeHashTimeout", "system.iframeHashTimeout is ignored, as msal 5: use iframeBridgeTimeout"),
    ("system", "loadFrameTimeout", "system.loadFrameTimeout is ignored, as msal 5: use iframeBridgeTimeout"),
    ("system", "asyncPopups", "system.asyncPopups is ignored, as msal 5: set system.navigatePopups to false instead"),
];

/// Reads msal-browser's configuration object: `auth`, `cache`, `system`. Returns the
/// configuration and the warnings for options set that msal-wasm does not act on.
pub fn config(j: &Json) -> Result<(Config, Vec<&'static str>), AuthError> {
    let auth = j.get("auth").ok_or_else(|| AuthError::config(codes::INVALID_CONFIGURATION, Kept("configuration.auth is required")))?;
    let client_id = auth
        .str_field("clientId")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AuthError::config("empty_client_id", Kept("auth.clientId is required")))?;
    let mut c = Config::new(client_id);
    if let Some(a) = cloud_authority(auth).or_else(|| auth.str_field("authority").map(str::to_owned)) {
        c.authority = a;
    }
    c.redirect_uri = auth.string_or_empty("redirectUri");
    c.post_logout_redirect_uri = optional_uri(auth.get("postLogoutRedirectUri"));
    c.known_authorities = string_list(auth.get("knownAuthorities"));
    c.client_capabilities = string_list(auth.get("clientCapabilities"));
    c.authority_metadata = auth.string_or_empty("authorityMetadata");
    c.cloud_discovery_metadata = auth.string_or_empty("cloudDiscoveryMetadata");
    // Only an explicit false opts out (msal); unset, it is on unless system.enableLegacyPolling
    // (msal's legacy popup polling needs the provider to leave COOP off: pocd=1).
    // (msal's flags are read with JavaScript's truthiness: "true" from an environment variable is on.)
    let legacy_polling = j.get("system").is_some_and(|s| truthy(s, "enableLegacyPolling"));
    c.origin_check = match auth.get("originCheck") {
        None | Some(Json::Null) => !legacy_polling,
        Some(v) => *v != Json::Bool(false),
    };
    c.legacy_polling = legacy_polling;
    c.is_mcp = truthy(auth, "isMcp");
    c.instance_aware = auth.get("instanceAware").and_then(Json::as_bool).unwrap_or(false);
    c.popup_relay = auth.str_field("popupRelayUri").filter(|u| !u.is_empty()).map(|uri| PopupRelay {
        uri: uri.to_owned(),
        // msal: unset is 1; anything but 1 or 2 fails each popup.
        version: match auth.get("popupRelayProtocolVersion") {
            None => 1,
            Some(v @ Json::Num(_)) => v.as_u64().filter(|v| matches!(v, 1 | 2)).map_or(0, |v| v as u8),
            Some(_) => 0,
        },
    });
    let mode = |m: &str| match m.to_ascii_uppercase().as_str() {
        "AAD" => Some(ProtocolMode::Aad),
        "OIDC" => Some(ProtocolMode::Oidc),
        _ => None,
    };
    // msal 5 reads `system.protocolMode`; v4's `auth.protocolMode` is taken without one, and
    // ignored when it is no mode (msal 5 ignores it always).
    let mut stale_mode = false;
    match (j.get("system").and_then(|s| s.str_field("protocolMode")), auth.str_field("protocolMode")) {
        (Some(m), _) => {
            c.protocol_mode = mode(m).ok_or_else(|| {
                AuthError::config(codes::INVALID_CONFIGURATION, Kept("protocolMode must be AAD or OIDC (EAR is not supported)"))
            })?
        }
        (None, Some(m)) => match mode(m) {
            Some(p) => c.protocol_mode = p,
            None => stale_mode = true,
        },
        (None, None) => {}
    }
    if let Some(oidc) = auth.get("OIDCOptions").or_else(|| j.get("system").and_then(|s| s.get("OIDCOptions"))) {
        if let Some(scopes) = oidc.get("defaultScopes") {
            c.default_scopes = string_list(Some(scopes));
        }
        if let Some(m) = oidc.str_field("responseMode") {
            c.response_mode = match m {
                "fragment" | "query" => m.to_owned(),
                _ => return Err(AuthError::config(codes::INVALID_CONFIGURATION, Kept("responseMode must be fragment or query"))),
            };
        }
    }
    let mut cache_warnings: [Option<&'static str>; 2] = [None, None];
    if let Some(cache) = j.get("cache") {
        if let Some(loc) = cache.str_field("cacheLocation") {
            // As msal: a name it does not know keeps the cache in memory.
            c.cache_location = CacheLocation::parse(loc).unwrap_or_else(|| {
                cache_warnings[0] = Some("cache.cacheLocation is unknown: the cache is kept in memory");
                c.unknown_cache_location = true;
                CacheLocation::MemoryStorage
            });
        }
        match cache.get("cacheRetentionDays") {
            None | Some(Json::Null) => {}
            Some(days) => match (days.as_u64(), days.as_i64()) {
                (Some(d), _) => c.cache_retention_days = d,
                // msal's cut-off is then in the future: every dated older entry is stale.
                (None, Some(_)) => c.cache_retention_days = 0,
                _ => cache_warnings[1] = Some("cache.cacheRetentionDays must be a whole number of days; the default (5) is used"),
            },
        }
    }
    if let Some(sys) = j.get("system") {
        if let Some(level) = sys.get("loggerOptions").and_then(|l| l.get("logLevel")).and_then(Json::as_u64) {
            c.log_level = LogLevel::from_number(level);
        }
        if let Some(n) = sys.get("tokenRenewalOffsetSeconds").and_then(Json::as_u64) {
            c.token_renewal_offset_secs = n;
        }
        // (A fractional value, `4.1 * 60 * 1000`, is msal's setTimeout delay: its whole
        // milliseconds; a negative one fires at once.)
        let timeout = |k: &str| sys.get(k).and_then(crate::core::token::seconds);
        // A 0 is kept, as msal's (the app's value overrides).
        if let Some(t) = timeout("popupBridgeTimeout") {
            c.popup_timeout_ms = t;
        }
        if let Some(t) = timeout("iframeBridgeTimeout") {
            c.iframe_timeout_ms = t;
        }
        if let Some(t) = timeout("networkTimeout").filter(|t| *t > 0) {
            c.network_timeout_ms = t;
        }
        if let Some(Json::Bool(on)) = sys.get("validateIdTokenClaims") {
            c.validate_id_token_claims = *on;
        }
        c.allow_redirect_in_iframe = truthy(sys, "allowRedirectInIframe");
        c.navigate_popups = sys.get("navigatePopups").is_none() || truthy(sys, "navigatePopups");
    }
    if let Some(app) = j.get("telemetry").and_then(|t| t.get("application")) {
        c.application = AppTelemetry { name: app.string_or_empty("appName"), version: app.string_or_empty("appVersion") };
    }
    let set = |v: &Json| !matches!(v, Json::Null | Json::Bool(false)) && v.as_str() != Some("");
    let mut warnings: Vec<&'static str> = UNSUPPORTED
        .iter()
        .filter(|(section, key, _)| j.get(section).and_then(|s| s.get(key)).is_some_and(set))
        .map(|(_, _, what)| *what)
        .collect();
    warnings.extend(cache_warnings.into_iter().flatten());
    // v4's opt-out (true is msal 5's behaviour anyway).
    if auth.get("navigateToLoginRequestUrl") == Some(&Json::Bool(false)) {
        warnings.push("auth.navigateToLoginRequestUrl is ignored, as msal 5: pass it to handleRedirectPromise");
    }
    // v4's name for responseMode.
    if auth.get("OIDCOptions").and_then(|o| o.get("serverResponseType")).is_some() {
        warnings.push("auth.OIDCOptions.serverResponseType is ignored, as msal 5: use OIDCOptions.responseMode");
    }
    if stale_mode {
        warnings.push("auth.protocolMode is ignored: it is no protocol mode (msal 5 reads system.protocolMode)");
    }
    // msal's cannot_set_OIDCOptions warning (the options apply all the same).
    if c.protocol_mode != ProtocolMode::Oidc && auth.get("OIDCOptions").is_some() {
        warnings.push("cannot_set_OIDCOptions: auth.OIDCOptions are meant for protocolMode OIDC");
    }
    Ok((c, warnings))
}

/// The configuration with every default filled in, in msal's shape (`getConfiguration()`; the
/// facade adds what is not JSON: callbacks, the navigation client).
pub fn config_json(c: &Config) -> Json {
    let post = match &c.post_logout_redirect_uri {
        None => Json::from(""),
        Some(s) if s.is_empty() => Json::Null,
        Some(s) => Json::from(s.as_str()),
    };
    let strings = |v: &[String]| Json::Arr(v.iter().map(|s| Json::from(s.as_str())).collect());
    let auth = Json::object()
        .with("clientId", c.client_id.as_str())
        .with("authority", c.authority.as_str())
        .with("knownAuthorities", strings(&c.known_authorities))
        .with("cloudDiscoveryMetadata", c.cloud_discovery_metadata.as_str())
        .with("authorityMetadata", c.authority_metadata.as_str())
        .with("redirectUri", c.redirect_uri.as_str())
        .with("postLogoutRedirectUri", post)
        .with("originCheck", c.origin_check)
        .with("clientCapabilities", strings(&c.client_capabilities))
        .with("isMcp", c.is_mcp)
        .with("instanceAware", c.instance_aware)
        .with("popupRelayUri", c.popup_relay.as_ref().map_or("", |r| r.uri.as_str()))
        .with("popupRelayProtocolVersion", c.popup_relay.as_ref().map_or(1, |r| u64::from(r.version)))
        .with(
            "OIDCOptions",
            Json::object().with("responseMode", c.response_mode.as_str()).with("defaultScopes", strings(&c.default_scopes)),
        );
    let location = match c.cache_location {
        CacheLocation::SessionStorage => "sessionStorage",
        CacheLocation::LocalStorage => "localStorage",
        CacheLocation::MemoryStorage => "memoryStorage",
    };
    let system = Json::object()
        .with("tokenRenewalOffsetSeconds", c.token_renewal_offset_secs)
        .with("popupBridgeTimeout", c.popup_timeout_ms)
        .with("iframeBridgeTimeout", c.iframe_timeout_ms)
        .with("networkTimeout", c.network_timeout_ms)
        .with("validateIdTokenClaims", c.validate_id_token_claims)
        .with("protocolMode", if c.protocol_mode == ProtocolMode::Oidc { "OIDC" } else { "AAD" })
        .with("loggerOptions", Json::object().with("logLevel", c.log_level as u64).with("piiLoggingEnabled", false))
        .with("allowPlatformBroker", false)
        .with("allowRedirectInIframe", c.allow_redirect_in_iframe)
        .with("navigatePopups", c.navigate_popups);
    let cache = Json::object().with("cacheLocation", location).with("cacheRetentionDays", c.cache_retention_days);
    Json::object().with("auth", auth).with("cache", cache).with("system", system)
}

/// A redirect URI that may be `null` (msal: not sent) or absent (the default).
/// A post-logout URI as msal reads it: `null` is "send none" (`Some("")`); an empty string or
/// any other falsy value is "not given" (the next default applies).
fn optional_uri(v: Option<&Json>) -> Option<String> {
    match v {
        Some(Json::Null) => Some(String::new()),
        Some(v) => v.as_str().filter(|s| !s.is_empty()).map(str::to_owned),
        None => None,
    }
}

/// The request's `account`: any object counts, as msal's `request.account || active` (one
/// without a `homeAccountId` matches no cached account; its hints still serve a frame).
fn account_ref(j: &Json) -> Option<AccountRef> {
    let a = j.get("account").filter(|a| matches!(a, Json::Obj(_)))?;
    let tenant_id = a.str_field("tenantId").filter(|t| !t.is_empty()).map(str::to_owned);
    let claims = a.get("idTokenClaims").unwrap_or(&Json::Null);
    Some(AccountRef {
        home_account_id: a.string_or_empty("homeAccountId"),
        tenant_id,
        // msal's extractLoginHint: the account's loginHint, else its login_hint claim.
        login_hint: a.str_field("loginHint").filter(|h| !h.is_empty()).map_or_else(|| claims.string_or_empty("login_hint"), str::to_owned),
        sid: claims.string_or_empty("sid"),
        username: a.string_or_empty("username"),
        environment: a.string_or_empty("environment"),
    })
}

/// The request's account as the app handed it (msal's `AccountInfo`), as the cache would
/// store it: msal's `createAccountEntityFromAccountInfo` (for `loadExternalTokens`), read
/// through the cache's own account reader (its unknown fields dropped).
pub fn given_account(a: &Json) -> Option<Account> {
    let (tenant, local) = (a.string_or_empty("tenantId"), a.string_or_empty("localAccountId"));
    let mut e = a.clone();
    if !tenant.is_empty() && !local.is_empty() {
        // msal: at least the profile of the account's tenant (home when it is the one its
        // `homeAccountId` names).
        let home = a.str_field("homeAccountId").and_then(|h| h.split_once('.')).is_some_and(|(_, t)| t == tenant);
        e.set("tenantProfiles", Json::Arr(vec![a.clone().with("isHomeTenant", home)]));
    }
    if a.str_field("authorityType").is_none_or(str::is_empty) {
        e.set("authorityType", crate::core::account::authority_type::GENERIC.into());
    }
    e.set("realm", tenant.into());
    AccountEntity::from_json(&e).map(|e| e.account)
}

/// msal's `generateAuthority`: `azureCloudOptions` with an instance other than `none` name the
/// authority `<instance>/<tenant>/` (tenant `common` without one), over `authority` (of the
/// configuration's `auth`, or of a request).
fn cloud_authority(j: &Json) -> Option<String> {
    let o = j.get("azureCloudOptions")?;
    let instance = o.str_field("azureCloudInstance").filter(|i| !i.is_empty() && *i != "none")?;
    let tenant = o.str_field("tenant").filter(|t| !t.is_empty()).unwrap_or("common");
    Some([instance, "/", tenant, "/"].concat())
}

fn authority_field(j: &Json) -> Option<String> {
    cloud_authority(j).or_else(|| j.str_field("authority").filter(|a| !a.trim().is_empty()).map(str::to_owned))
}

/// An object's entries that are strings, numbers or booleans, as text (`extraQueryParameters`), in order.
pub fn pairs(j: Option<&Json>) -> Vec<(String, String)> {
    j.and_then(Json::as_object)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| match v {
            Json::Str(s) => Some((k.clone(), s.clone())),
            Json::Num(n) => Some((k.clone(), n.clone())),
            Json::Bool(b) => Some((k.clone(), (if *b { "true" } else { "false" }).to_owned())),
            _ => None,
        })
        .collect()
}

fn claims_field(j: &Json) -> Result<String, AuthError> {
    match j.get("claims") {
        None | Some(Json::Null) => Ok(String::new()),
        // An empty object asks for nothing (msal's isEmptyObj): the cache is used as without.
        Some(Json::Str(s)) if Json::parse(s).ok().and_then(|o| o.as_object().map(|o| o.is_empty())) == Some(true) => Ok(String::new()),
        Some(Json::Str(s)) => Ok(s.clone()),
        Some(_) => Err(AuthError::config(codes::INVALID_CLAIMS, "claims must be a JSON string")),
    }
}

/// `authenticationScheme` (msal's exact names): Bearer; DPoP with the resource request its
/// proof is for; msal's `pop` with its signed HTTP request's fields. SSH certificates fail rather
/// than get a Bearer token.
fn scheme(j: &Json) -> Result<AuthScheme, AuthError> {
    match j.str_field("authenticationScheme") {
        // A falsy scheme is Bearer, as msal's `authenticationScheme || BEARER`.
        None | Some("Bearer" | "") => Ok(AuthScheme::Bearer),
        Some("DPoP") => AuthScheme::dpop(
            j.str_field("resourceRequestMethod").unwrap_or_default(),
            j.str_field("resourceRequestUri").unwrap_or_default(),
        ),
        // msal's popKid: the app signs with a key of its own; a token bound to ours would not
        // do, so the request fails.
        Some("pop") if j.str_field("popKid").is_some_and(|k| !k.is_empty()) => Err(AuthError::config(
            codes::UNSUPPORTED_AUTHENTICATION_SCHEME,
            Kept("pop tokens for an app-managed key (popKid) are not supported; msal-wasm binds pop tokens to its own key"),
        )),
        Some("pop") => Ok(AuthScheme::Pop {
            method: j.string_or_empty("resourceRequestMethod"),
            uri: j.string_or_empty("resourceRequestUri"),
            shr_claims: j.string_or_empty("shrClaims"),
            shr_nonce: j.string_or_empty("shrNonce"),
            shr_typ: shr_header_typ(j.get("shrOptions").and_then(|o| o.get("header")))?,
        }),
        Some(_) => Err(AuthError::config(
            codes::UNSUPPORTED_AUTHENTICATION_SCHEME,
            Kept("msal-wasm issues Bearer, DPoP and pop tokens; ssh-cert is not supported"),
        )),
    }
}

/// `shrOptions.header` of a pop request: its `typ` replaces msal's `pop` in the signed request's
/// header; an `alg` other than the key's (RS256) fails as msal's signing does.
fn shr_header_typ(header: Option<&Json>) -> Result<String, AuthError> {
    let Some(h) = header else { return Ok(String::new()) };
    match h.get("alg") {
        // msal: `shrOptions.header.alg || the key's`: a falsy value is no choice.
        None | Some(Json::Null | Json::Bool(false)) => {}
        Some(Json::Str(a)) if a.is_empty() || a == "RS256" => {}
        Some(_) => {
            return Err(AuthError::browser(
                codes::UNSUPPORTED_TOKEN_BINDING_ALGORITHM,
                Kept("shrOptions.header.alg must be RS256: msal-wasm binds pop tokens to an RSA key"),
            ))
        }
    }
    Ok(h.string_or_empty("typ"))
}

/// A request's `resource`, `attributeTokens`, `extraParameters` and `storeInCache` (also
/// `acquireTokenByCode`'s). The fields are those a pending redirect keeps them under:
/// `TokenOptions::from_json` reads them; here a resource that is not a string fails, and so do
/// attribute tokens that are not an array of strings; extra parameters may be numbers or
/// booleans, as in `extraQueryParameters`.
pub fn token_options(j: &Json) -> Result<TokenOptions, AuthError> {
    if j.get("resource").is_some_and(|r| !matches!(r, Json::Null | Json::Str(_))) {
        return Err(AuthError::config(codes::INVALID_CONFIGURATION, Kept("resource must be a string")));
    }
    let tokens = j.get("attributeTokens").unwrap_or(&Json::Null);
    if !matches!(tokens, Json::Null) && !tokens.as_array().is_some_and(|a| a.iter().all(|t| matches!(t, Json::Str(_)))) {
        return Err(AuthError::config(codes::INVALID_CONFIGURATION, Kept("attributeTokens must be an array of strings")));
    }
    Ok(TokenOptions { extra_parameters: pairs(j.get("extraParameters")), ..TokenOptions::from_json(j) })
}

/// msal's `enforceResourceParameter(isMcp, request)` on a request object.
pub fn enforce_resource(is_mcp: bool, j: &Json) -> Result<(), AuthError> {
    let checked = token_options(j)?.enforce_resource(is_mcp, &pairs(j.get("extraQueryParameters")));
    checked.map_err(|e| e.with_correlation_id(j.string_or_empty("correlationId")))
}

/// A popup or redirect request (`PopupRequest`, `RedirectRequest`, `SsoSilentRequest`).
pub fn interactive_request(j: &Json) -> Result<InteractiveRequest, AuthError> {
    let authentication_scheme = scheme(j)?;
    Ok(InteractiveRequest {
        authentication_scheme,
        scopes: scopes_field(j)?,
        extra_scopes_to_consent: string_list(j.get("extraScopesToConsent")),
        override_interaction_in_progress: truthy(j, "overrideInteractionInProgress"),
        post: j.str_field("httpMethod") == Some("POST"),
        // msal sends a prompt only when it is truthy: "" is none.
        prompt: j.str_field("prompt").filter(|p| !p.is_empty()).map(Prompt::parse),
        login_hint: j.string_or_empty("loginHint"),
        sid: j.string_or_empty("sid"),
        domain_hint: j.string_or_empty("domainHint"),
        account: account_ref(j),
        state: j.string_or_empty("state"),
        claims: claims_field(j)?,
        extra_query_parameters: pairs(j.get("extraQueryParameters")),
        redirect_uri: j.string_or_empty("redirectUri"),
        redirect_start_page: j.string_or_empty("redirectStartPage"),
        correlation_id: j.string_or_empty("correlationId"),
        nonce: j.string_or_empty("nonce"),
        authority: authority_field(j),
        options: token_options(j)?,
    })
}

/// A `SilentRequest`.
pub fn silent_request(j: &Json) -> Result<SilentRequest, AuthError> {
    let authentication_scheme = scheme(j)?;
    // msal's `request.cacheLookupPolicy || Default`, then a strict match of the number.
    let policy = match j.get("cacheLookupPolicy") {
        None | Some(Json::Null | Json::Bool(false)) => CacheLookupPolicy::Default,
        Some(Json::Str(s)) if s.is_empty() => CacheLookupPolicy::Default,
        Some(Json::Num(n)) => crate::core::text::parse_u64(n).map_or(CacheLookupPolicy::Unknown, CacheLookupPolicy::from_number),
        Some(_) => CacheLookupPolicy::Unknown,
    };
    Ok(SilentRequest {
        authentication_scheme,
        scopes: scopes_field(j)?,
        // (Else the active account when the call started, as the facade read it.)
        account: account_ref(j).or_else(|| j.str_field("activeAccount").map(AccountRef::of_key)),
        force_refresh: truthy(j, "forceRefresh"),
        cache_lookup_policy: policy,
        claims: claims_field(j)?,
        correlation_id: j.string_or_empty("correlationId"),
        redirect_uri: j.string_or_empty("redirectUri"),
        extra_query_parameters: pairs(j.get("extraQueryParameters")),
        authority: authority_field(j),
        options: token_options(j)?,
        refresh_token_expiration_offset_secs: j.get("refreshTokenExpirationOffsetSeconds").and_then(Json::as_u64).unwrap_or(0),
        state: j.string_or_empty("state"),
        // msal 5: a silent request's prompt other than none/no_session becomes none.
        prompt: j.str_field("prompt").filter(|p| !p.is_empty()).map(Prompt::parse),
        login_hint: j.string_or_empty("loginHint"),
        sid: j.string_or_empty("sid"),
        domain_hint: j.string_or_empty("domainHint"),
    })
}

/// An `EndSessionRequest` / `EndSessionPopupRequest` (also `clearCache`'s request).
pub fn logout_request(j: &Json) -> LogoutRequest {
    LogoutRequest {
        account: account_ref(j),
        post_logout_redirect_uri: optional_uri(j.get("postLogoutRedirectUri")),
        state: j.string_or_empty("state"),
        logout_hint: j.string_or_empty("logoutHint"),
        id_token_hint: j.string_or_empty("idTokenHint"),
        extra_query_parameters: pairs(j.get("extraQueryParameters")),
        correlation_id: j.string_or_empty("correlationId"),
        authority: authority_field(j),
    }
}

/// Whether an object names a value other than null or "" (msal's test of an account filter;
/// keys it does not know count).
pub fn names_a_value(j: &Json) -> bool {
    j.as_object().is_some_and(|o| o.iter().any(|(_, v)| !matches!(v, Json::Null) && v.as_str() != Some("")))
}

/// Whether msal's matching of this account filter can match no account: a field it tests
/// with a truthy value that is not a string (`{ homeAccountId: 123 }`), or an `isHomeTenant`
/// that is there but not a boolean (msal compares it with `===`).
pub fn never_matches(j: &Json) -> bool {
    const TESTED: [&str; 12] = [
        "homeAccountId",
        "localAccountId",
        "username",
        "environment",
        "tenantId",
        "realm",
        "name",
        "loginHint",
        "upn",
        "nativeAccountId",
        "authorityType",
        "sid",
    ];
    let truthy_not_string = |v: &Json| match v {
        Json::Null | Json::Str(_) => false,
        Json::Bool(b) => *b,
        // A number is falsy when it is zero: no digit but 0 before its exponent.
        Json::Num(n) => n.split(['e', 'E']).next().unwrap_or("").bytes().any(|b| (b'1'..=b'9').contains(&b)),
        Json::Arr(_) | Json::Obj(_) => true,
    };
    TESTED.iter().any(|k| j.get(k).is_some_and(truthy_not_string)) || j.get("isHomeTenant").is_some_and(|v| !matches!(v, Json::Bool(_)))
}

/// An `AccountFilter` (empty strings and nulls are "any": [`AccountFilter::without_blanks`]).
pub fn account_filter(j: &Json) -> AccountFilter {
    let s = |k: &str| j.str_field(k).map(str::to_owned);
    AccountFilter {
        home_account_id: s("homeAccountId"),
        local_account_id: s("localAccountId"),
        username: s("username"),
        environment: s("environment"),
        tenant_id: s("tenantId"),
        realm: s("realm"),
        name: s("name"),
        login_hint: s("loginHint"),
        upn: s("upn"),
        native_account_id: s("nativeAccountId"),
        authority_type: s("authorityType"),
        sid: s("sid"),
        is_home_tenant: j.get("isHomeTenant").and_then(Json::as_bool),
    }
    .without_blanks()
}

/// `hydrateCache`'s result (an `AuthenticationResult`, dates as ms) and request (of which msal
/// reads the `resource`).
pub fn hydration(j: &Json, request: &Json) -> Hydration {
    let ms = |k: &str| j.get(k).and_then(Json::as_u64).unwrap_or(0);
    Hydration {
        access_token: j.string_or_empty("accessToken"),
        id_token: j.string_or_empty("idToken"),
        scopes: string_list(j.get("scopes")),
        expires_on_ms: ms("expiresOn"),
        ext_expires_on_ms: ms("extExpiresOn"),
        token_type: j.string_or_empty("tokenType"),
        home_account_id: j.get("account").and_then(|a| a.str_field("homeAccountId")).unwrap_or_default().to_owned(),
        data_boundary: j.get("account").and_then(|a| a.str_field("dataBoundary")).unwrap_or_default().to_owned(),
        graph_hosts: (j.string_or_empty("cloudGraphHostName"), j.string_or_empty("msGraphHost")),
        correlation_id: j.string_or_empty("correlationId"),
        resource: request.str_field("resource").filter(|r| !r.is_empty()).map(str::to_owned),
    }
}

/// A request's `popupWindowAttributes`: each number on its own, as msal takes them (−1 for one
/// not given: its default).
pub fn popup_attributes(request: &Json) -> PopupAttributes {
    let attrs = request.get("popupWindowAttributes");
    let pair = |group: &str, a: &str, b: &str| -> Option<(i32, i32)> {
        let g = attrs?.get(group)?;
        // A computed size (`innerWidth * 0.8`) has a fraction: the browser reads the feature
        // string's number up to it, as its integer part.
        let n = |k: &str| {
            let v = match g.get(k)? {
                Json::Num(v) => v.as_str(),
                Json::Str(v) => v.trim(),
                _ => return None,
            };
            crate::core::text::parse_i64(crate::core::text::until(v, b".")).and_then(|v| i32::try_from(v).ok())
        };
        let (x, y) = (n(a), n(b));
        (x.is_some() || y.is_some()).then(|| (x.unwrap_or(-1), y.unwrap_or(-1)))
    };
    PopupAttributes { size: pair("popupSize", "width", "height"), position: pair("popupPosition", "top", "left") }
}

/// msal's `acquireTokenByCode` request. The token is a Bearer token: a request for a bound one
/// fails (never a Bearer token where the caller asked for something else).
pub fn by_code_request(j: &Json) -> Result<ByCodeRequest, AuthError> {
    if scheme(j)?.is_bound() {
        return Err(AuthError::config(codes::UNSUPPORTED_AUTHENTICATION_SCHEME, Kept("acquireTokenByCode issues Bearer tokens only")));
    }
    Ok(ByCodeRequest {
        code: AuthCode::new(j.string_or_empty("code")),
        scopes: scopes_field(j)?,
        code_verifier: j.str_field("codeVerifier").map(PkceVerifier::new),
        redirect_uri: j.string_or_empty("redirectUri"),
        correlation_id: j.string_or_empty("correlationId"),
        authority: authority_field(j),
        claims: claims_field(j)?,
        extra_query_parameters: pairs(j.get("extraQueryParameters")),
        state: j.string_or_empty("state"),
        native_account_id: j.string_or_empty("nativeAccountId"),
        options: token_options(j)?,
        cloud_instance_host_name: j.string_or_empty("cloudInstanceHostName"),
        cloud_graph_host_name: j.string_or_empty("cloudGraphHostName"),
        ms_graph_host: j.string_or_empty("msGraphHost"),
    })
}

/// msal's camelCase `AccountInfo` object.
pub fn account_json(info: &AccountInfo) -> Json {
    let a = &info.account;
    // (An account stored without profiles, by msal-browser before 3.6: its home profile.)
    let all = a.profiles();
    let profiles = all
        .iter()
        .map(|p| {
            Json::object()
                .with("tenantId", p.tenant_id.as_str())
                .with("localAccountId", p.local_account_id.as_str())
                // (As msal's: none when the ID token has no `name` claim, so an app's
                // `name ?? username` shows the username.)
                .with_nonempty("name", &p.name)
                .with("username", p.username.as_str())
                .with_nonempty("loginHint", &p.login_hint)
                .with("isHomeTenant", p.is_home_tenant)
                .with_nonempty("upn", &p.upn)
        })
        .collect::<Vec<_>>();
    let mut j = Json::object()
        .with("homeAccountId", a.home_account_id.as_str())
        .with("environment", a.environment.as_str())
        .with("tenantId", a.realm.as_str())
        .with("username", a.username.as_str())
        .with("localAccountId", a.local_account_id.as_str())
        .with("authorityType", a.authority_type.as_str())
        .with("tenantProfiles", profiles)
        .with_nonempty("dataBoundary", &a.data_boundary);
    // msal's view: the ID token's `name` claim (none without it), "" for an account without one.
    if !a.name.is_empty() || info.id_token_claims.is_none() {
        j = j.with("name", a.name.as_str());
    }
    if let Some(t) = &info.id_token {
        j = j.with("idToken", t.secret());
    }
    // As msal's `updateAccountTenantProfileData`: the tenant profile's, then the ID token's.
    if info.id_token_claims.is_none() {
        if let Some(p) = all.iter().find(|p| p.tenant_id.eq_ignore_ascii_case(&a.realm)) {
            j = j.with_nonempty("loginHint", &p.login_hint).with_nonempty("upn", &p.upn);
        }
    }
    if let Some(c) = &info.id_token_claims {
        if let Some(v) = c.get("login_hint") {
            j.set("loginHint", v.clone());
        }
        if let Some(v) = c.get("upn") {
            j.set("upn", v.clone());
        }
        j.set("kmsi", Json::Bool(crate::core::id_token::is_kmsi(c)));
        j.set("idTokenClaims", c.clone());
    }
    j
}

/// msal's `AuthenticationResult` for the facade: dates are milliseconds (it makes `Date`s of
/// them), and the ID token and its claims are sent once, in the account (it copies them to the
/// result's top level).
pub fn result_json(r: &AuthenticationResult) -> Json {
    let mut j = Json::object()
        .with("authority", r.authority.as_str())
        .with("uniqueId", r.unique_id.as_str())
        .with("tenantId", r.tenant_id.as_str())
        .with("scopes", Json::Arr(r.scopes.iter().map(|s| Json::from(s.as_str())).collect()))
        .with("accessToken", r.access_token.secret())
        .with("fromCache", r.from_cache)
        // 0: no access token (a load without one): msal's null and undefined.
        .with("expiresOn", if r.expires_on_ms == 0 { Json::Null } else { Json::from(r.expires_on_ms) })
        .with("extExpiresOn", if r.ext_expires_on_ms == 0 { Json::Null } else { Json::from(r.ext_expires_on_ms) })
        .with("tokenType", r.token_type.as_str())
        .with("correlationId", r.correlation_id.as_str())
        .with("state", r.state.as_str())
        .with("familyId", r.family_id.as_str())
        .with_nonempty("requestId", &r.request_id);
    if let Some(on) = r.refresh_on_ms {
        j.set("refreshOn", Json::from(on));
    }
    if let Some(proof) = &r.dpop_proof {
        j.set("dpopProof", Json::from(proof.as_str()));
    }
    // msal's: the account's, set by an instance-aware sign-in.
    let a = &r.account.account;
    j.set("cloudGraphHostName", Json::from(a.cloud_graph_host_name.as_str()));
    j.set("msGraphHost", Json::from(a.ms_graph_host.as_str()));
    j.set("account", account_json(&r.account));
    j
}

/// What msal adds to a sign-out request before its `LOGOUT_SUCCESS` (its processed request):
/// the encoded state, the logout hint, the absolute post-logout URI, `popupOriginCheckDone`.
pub fn logout_sent(s: &crate::client::LogoutSent) -> Json {
    Json::object()
        .with_nonempty("state", &s.state)
        .with_nonempty("logoutHint", &s.logout_hint)
        .with_nonempty("postLogoutRedirectUri", &s.post_logout_redirect_uri)
        .with("popupOriginCheckDone", s.origin_checked)
}

/// msal's error as JSON (`name` picks the error class): codes and messages only, never a URL,
/// a body or a token.
pub fn error_json(e: &AuthError) -> Json {
    let j = Json::object()
        .with("name", e.kind().class_name())
        .with("errorCode", e.code())
        .with("errorMessage", e.message())
        .with("subError", e.sub_error())
        .with("correlationId", e.correlation_id())
        .with_nonempty("traceId", e.trace_id())
        .with_nonempty("timestamp", e.timestamp())
        .with_nonempty("claims", e.claims());
    // A number as the server sent it (msal hands on `error_codes[0]` as it came).
    let j = match e.error_no() {
        "" => j,
        n if e.error_no_is_number() => j.with("errorNo", Json::Num(n.to_owned())),
        n => j.with("errorNo", n),
    };
    match e.status() {
        Some(s) => j.with("status", u64::from(s)),
        None => j,
    }
}
