//! The public client: msal's flows over a [`Platform`].
//!
//! Every method takes `&self`; state sits in a `RefCell` that is never borrowed across an
//! `.await`, so concurrent calls from JavaScript cannot collide. Interactive flows are split
//! in two: [`begin_interaction`](PublicClientApplication::begin_interaction) builds the
//! authorize URL synchronously (so a popup can open inside the user's click) and
//! [`finish_interaction`](PublicClientApplication::finish_interaction) redeems the response.

pub mod config;
pub mod request;
pub mod result;

use crate::core::account::{authority_type, Account};
use crate::core::authority::{Authority, AuthorityMetadata, AuthorityType, CloudMetadata, ProtocolMode};
use crate::core::authorize::{self, AuthorizeParams, AuthorizeResponse, HintSource};
use crate::core::base64;
use crate::core::cache::{is_expired, refresh_due, AtQuery, SaveRequest, TokenCache};
use crate::core::http::HttpRequest;
use crate::core::id_token::IdTokenClaims;
use crate::core::json::Json;
use crate::core::pkce::{self, InteractionType, RequestState};
use crate::core::scopes::ScopeSet;
use crate::core::throttle;
use crate::core::token::{ClientCredential, Grant, TokenRequest, TokenResponse};
use crate::error::{codes, AuthError, ErrorKind};
use crate::platform::{LogLevel, Platform};
use crate::secret::{AuthCode, IdToken, Nonce, PkceVerifier, RefreshToken, State};
pub use config::{CacheLocation, Config};
pub use request::{AccountRef, CacheLookupPolicy, InteractiveRequest, SilentRequest};
pub use result::{AccountInfo, AuthenticationResult};
use std::cell::RefCell;

/// sessionStorage key marking an interactive request in progress (shared by all clients of a
/// tab, as in msal-browser).
pub const INTERACTION_STATUS_KEY: &str = "msal.interaction.status";
/// How long a fetched openid-configuration document is reused (msal: 24 h).
pub const METADATA_LIFETIME_MS: u64 = 24 * 3600 * 1000;
/// How long a redirect's interaction lock holds before it is considered abandoned.
pub const REDIRECT_LEASE_MS: u64 = 10 * 60 * 1000;
/// Added to the popup timeout to get a popup's lease.
pub const POPUP_LEASE_GRACE_MS: u64 = 30_000;

/// An interactive request between its authorize URL and its response.
pub struct PendingAuth {
    /// The authorize URL to open.
    pub url: String,
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
}

impl std::fmt::Debug for PendingAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuth")
            .field("interaction_type", &self.interaction_type)
            .field("correlation_id", &self.correlation_id)
            .field("state", &self.state)
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

impl PendingAuth {
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
    }

    fn from_json(j: &Json) -> Option<PendingAuth> {
        let s = |k: &str| j.str_field(k).map(str::to_owned);
        let state = s("state")?;
        Some(PendingAuth {
            url: s("url")?,
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
        })
    }
}

struct Resolved {
    metadata: Option<AuthorityMetadata>,
    cloud: CloudMetadata,
}

/// A public client application (SPA or desktop): msal's `PublicClientApplication`.
pub struct PublicClientApplication<P: Platform> {
    platform: P,
    config: Config,
    authority: Authority,
    resolved: RefCell<Resolved>,
    cache: RefCell<TokenCache<P::Store>>,
    stale: std::cell::Cell<bool>,
}

impl<P: Platform> std::fmt::Debug for PublicClientApplication<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicClientApplication")
            .field("client_id", &self.config.client_id)
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}

impl<P: Platform> PublicClientApplication<P> {
    /// A client for `config` on `platform`. Loads the cache; needs
    /// [`initialize`](Self::initialize) before any token request.
    pub fn new(config: Config, platform: P) -> Result<Self, AuthError> {
        let authority = Authority::parse(&config.authority, config.protocol_mode)?;
        let (cache, issues) = TokenCache::load(platform.cache_store(), &config.client_id);
        for i in &issues {
            platform.log(LogLevel::Warning, &format!("removed a corrupt cache entry: {}", i.reason));
        }
        let cloud = authority.default_cloud();
        Ok(PublicClientApplication {
            platform,
            config,
            authority,
            resolved: RefCell::new(Resolved { metadata: None, cloud }),
            cache: RefCell::new(cache),
            stale: std::cell::Cell::new(false),
        })
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

    /// Resolves the authority's endpoints (from configuration, else the discovery document).
    pub async fn initialize(&self) -> Result<(), AuthError> {
        if self.resolved.borrow().metadata.is_some() {
            return Ok(());
        }
        let cloud = if self.config.cloud_discovery_metadata.is_empty() {
            self.authority.default_cloud()
        } else {
            CloudMetadata::from_discovery(&self.config.cloud_discovery_metadata, self.authority.host())?
                .unwrap_or_else(|| self.authority.default_cloud())
        };
        let metadata = if !self.config.authority_metadata.is_empty() {
            AuthorityMetadata::parse(&self.config.authority_metadata, &self.authority)?
        } else if let Some(cached) = self.cached_metadata() {
            cached
        } else {
            let url = self.authority.openid_configuration_url();
            let resp = self.platform.send(HttpRequest::get(url)).await.map_err(|e| {
                AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "could not fetch the authority's openid-configuration")
                    .with_sub_error(e.code().to_owned())
            })?;
            if !(200..300).contains(&resp.status) {
                return Err(AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the authority's openid-configuration request failed")
                    .with_status(resp.status));
            }
            let parsed = AuthorityMetadata::parse(&resp.body, &self.authority)
                .map_err(|_| AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the authority's openid-configuration is invalid"))?;
            self.store_metadata(&resp.body);
            parsed
        };
        let mut r = self.resolved.borrow_mut();
        r.metadata = Some(metadata);
        r.cloud = cloud;
        Ok(())
    }

    fn metadata_key(&self) -> String {
        format!("msal.{}.authority-metadata.{}", self.config.client_id, self.authority.canonical())
    }

    /// The discovery document cached by an earlier page load, while fresh (24 h, msal's
    /// authority-metadata lifetime): page loads after the first need no network to initialize.
    fn cached_metadata(&self) -> Option<AuthorityMetadata> {
        let cache = self.cache.borrow();
        let text = crate::core::cache::KeyValueStore::get(cache.store(), &self.metadata_key())?;
        let j = Json::parse(&text).ok()?;
        let expires = j.get("expiresAt").and_then(Json::as_u64)?;
        if expires <= self.platform.now_ms() {
            return None;
        }
        AuthorityMetadata::parse(j.str_field("document")?, &self.authority).ok()
    }

    fn store_metadata(&self, document: &str) {
        let value = Json::object()
            .with("expiresAt", self.platform.now_ms().saturating_add(METADATA_LIFETIME_MS))
            .with("document", document)
            .to_json();
        let cache = self.cache.borrow();
        // Only an optimisation: a full storage just means the next load fetches it again.
        let _ = crate::core::cache::KeyValueStore::set(cache.store(), &self.metadata_key(), &value);
    }

    /// True once [`initialize`](Self::initialize) has succeeded.
    pub fn is_initialized(&self) -> bool {
        self.resolved.borrow().metadata.is_some()
    }

    /// The resolved endpoints.
    pub fn metadata(&self) -> Result<AuthorityMetadata, AuthError> {
        self.resolved.borrow().metadata.clone().ok_or_else(|| {
            AuthError::browser(codes::UNINITIALIZED_PUBLIC_CLIENT_APPLICATION, "call and await initialize() before using the client")
        })
    }

    fn guid(&self) -> Result<String, AuthError> {
        let mut b = [0u8; 16];
        self.platform.fill_random(&mut b)?;
        Ok(pkce::guid(b))
    }

    fn now_s(&self) -> u64 {
        self.platform.now_ms() / 1000
    }

    fn environments(&self) -> Vec<String> {
        self.resolved.borrow().cloud.aliases.clone()
    }

    fn account_authority_type(&self) -> &'static str {
        match (self.config.protocol_mode, self.authority.kind()) {
            (ProtocolMode::Oidc, _) => authority_type::GENERIC,
            (_, AuthorityType::Adfs) => authority_type::ADFS,
            _ => authority_type::MSSTS,
        }
    }

    /// The tenant to look tokens up in: the authority's own tenant unless it is a
    /// multi-tenant alias or a generic provider, in which case the account's.
    fn realm_for(&self, account: &Account) -> String {
        if self.config.protocol_mode == ProtocolMode::Oidc
            || self.authority.is_multi_tenant()
            || self.authority.kind() == AuthorityType::Adfs
        {
            account.realm.clone()
        } else {
            self.authority.tenant().to_owned()
        }
    }

    fn client_info(&self) -> bool {
        self.config.protocol_mode == ProtocolMode::Aad
    }

    fn wire_scopes(&self, scopes: &[String]) -> ScopeSet {
        ScopeSet::new(scopes).with_oidc_defaults(&self.config.default_scopes)
    }

    // ---- accounts ----

    fn account_info(&self, cache: &TokenCache<P::Store>, account: &Account) -> AccountInfo {
        let resolved = self.resolved.borrow();
        let envs = &resolved.cloud.aliases;
        let idt = cache
            .find_id_token(&account.home_account_id, envs, &account.realm)
            .or_else(|| cache.find_id_token(&account.home_account_id, envs, ""));
        let claims = idt.and_then(|c| IdTokenClaims::decode(&c.secret).ok()).map(|c| c.json().clone());
        AccountInfo { account: account.clone(), id_token: idt.map(|c| IdToken::new(c.secret.clone())), id_token_claims: claims }
    }

    /// True when `account` belongs to this client's cloud (its host is one of the aliases).
    fn in_cloud(&self, account: &Account) -> bool {
        self.resolved.borrow().cloud.has_alias(&account.environment)
    }

    /// The cached account of this cloud with this `homeAccountId` (the same id may also be
    /// cached under another cloud's host, hence the cloud filter first).
    fn find_account<'c>(&self, cache: &'c TokenCache<P::Store>, home_account_id: &str) -> Option<&'c Account> {
        cache.accounts().filter(|a| self.in_cloud(a)).find(|a| a.home_account_id == home_account_id)
    }

    /// Every signed-in account of this client's cloud.
    pub fn all_accounts(&self) -> Vec<AccountInfo> {
        self.sync();
        let cache = self.cache.borrow();
        cache.accounts().filter(|a| self.in_cloud(a)).map(|a| self.account_info(&cache, a)).collect()
    }

    /// The account with this `homeAccountId`.
    pub fn account(&self, home_account_id: &str) -> Option<AccountInfo> {
        self.sync();
        let cache = self.cache.borrow();
        self.find_account(&cache, home_account_id).map(|a| self.account_info(&cache, a))
    }

    /// The active account, if set and still cached.
    pub fn active_account(&self) -> Option<AccountInfo> {
        self.sync();
        let filter = self.cache.borrow().active_account()?;
        self.account(&filter.home_account_id)
    }

    /// The active account's `homeAccountId`, if set and still cached (no account info built).
    pub fn active_home_account_id(&self) -> Option<String> {
        self.sync();
        let cache = self.cache.borrow();
        let id = cache.active_account()?.home_account_id;
        cache.account(&id).map(|_| id)
    }

    /// Sets or clears the active account.
    pub fn set_active_account(&self, home_account_id: Option<&str>) -> Result<(), AuthError> {
        let account = match home_account_id {
            Some(h) => {
                self.sync();
                let cache = self.cache.borrow();
                Some(
                    self.find_account(&cache, h)
                        .cloned()
                        .ok_or_else(|| AuthError::browser(codes::NO_ACCOUNT_ERROR, "no cached account has that homeAccountId"))?,
                )
            }
            None => None,
        };
        self.cache.borrow().set_active_account(account.as_ref())?;
        let id = account.map(|a| Json::from(a.home_account_id)).unwrap_or(Json::Null);
        self.platform.announce(&Json::object().with("t", "active").with("homeAccountId", id).to_json());
        Ok(())
    }

    /// Applies another tab's announcement (see [`Platform::announce`]); true when this tab's
    /// accounts changed.
    pub fn apply_announcement(&self, message: &str) -> bool {
        let Ok(j) = Json::parse(message) else { return false };
        if self.config.cache_location == CacheLocation::LocalStorage {
            if let (Some("tokens"), Some(home), Some(snapshot)) = (j.str_field("t"), j.str_field("homeAccountId"), j.get("snapshot")) {
                let known = self.cache.borrow().account(home).is_some();
                self.cache.borrow_mut().apply_snapshot(home, snapshot);
                return !known;
            }
            // The storage is shared: re-read it before the next read.
            self.mark_stale();
            return true;
        }
        let mut cache = self.cache.borrow_mut();
        let result = match j.str_field("t") {
            Some("signin") => match j.get("account").and_then(crate::core::cache::AccountEntity::from_json) {
                Some(e) => cache.put_account(e.account),
                None => return false,
            },
            Some("signout") => match j.str_field("homeAccountId") {
                Some(h) => cache.remove_account(h),
                None => cache.clear(),
            },
            Some("active") => {
                let account = j.str_field("homeAccountId").and_then(|h| cache.account(h).cloned());
                cache.set_active_account(account.as_ref())
            }
            _ => return false,
        };
        if result.is_err() {
            self.platform.log(LogLevel::Warning, "could not apply another tab's account change to storage");
        }
        true
    }

    /// A number that changes whenever the answer of a cache lookup may change (see
    /// [`TokenCache::version`](crate::core::cache::TokenCache::version)); storage written by
    /// another tab is re-read first.
    pub fn cache_version(&self) -> u32 {
        self.sync();
        self.cache.borrow().version()
    }

    /// Marks the in-memory cache as out of date (another tab wrote to the shared storage); it
    /// is re-read before the next read.
    pub fn mark_stale(&self) {
        self.stale.set(true);
    }

    fn sync(&self) {
        if self.stale.replace(false) {
            self.reload_cache();
        }
    }

    /// Re-reads the cache from storage (another tab changed it).
    pub fn reload_cache(&self) {
        let issues = self.cache.borrow_mut().reload();
        for i in issues {
            self.platform.log(LogLevel::Warning, &format!("removed a corrupt cache entry: {}", i.reason));
        }
    }

    // ---- interactive ----

    /// The interaction in progress in this tab, if any (any client).
    pub fn interaction_in_progress(&self) -> bool {
        self.platform.temp_store().get(INTERACTION_STATUS_KEY).is_some()
    }

    fn take_interaction_lock(&self, kind: &str, itype: InteractionType) -> Result<(), AuthError> {
        let temp = self.platform.temp_store();
        let now = self.platform.now_ms();
        if let Some(held) = temp.get(INTERACTION_STATUS_KEY) {
            // A lock whose lease ran out was left by an interaction that will never finish
            // (a popup whose page died, a redirect the app never completed): take it over.
            let lease_end = Json::parse(&held).ok().and_then(|j| j.get("leaseUntil").and_then(Json::as_u64));
            match lease_end {
                Some(until) if until <= now => {
                    self.platform.log(LogLevel::Warning, "cleared an interaction lock whose lease had expired");
                }
                _ => {
                    return Err(AuthError::new(
                        ErrorKind::InteractionInProgress,
                        codes::INTERACTION_IN_PROGRESS,
                        "an interactive request is already in progress; await it (or handleRedirectPromise) first",
                    ));
                }
            }
        }
        let lease = match itype {
            InteractionType::Redirect => REDIRECT_LEASE_MS,
            _ => self.config.popup_timeout_ms.saturating_add(POPUP_LEASE_GRACE_MS),
        };
        let v = Json::object()
            .with("clientId", self.config.client_id.as_str())
            .with("type", kind)
            .with("startedAt", now)
            .with("leaseUntil", now.saturating_add(lease));
        temp.set(INTERACTION_STATUS_KEY, &v.to_json())
    }

    fn release_interaction_lock(&self) {
        let temp = self.platform.temp_store();
        let ours = temp
            .get(INTERACTION_STATUS_KEY)
            .and_then(|v| Json::parse(&v).ok())
            .is_some_and(|j| j.str_field("clientId") == Some(self.config.client_id.as_str()));
        if ours {
            temp.remove(INTERACTION_STATUS_KEY);
        }
    }

    /// The redirect URI of a request: the request's, else the configured one, else the page
    /// without query and fragment; a relative one is made absolute on the page's origin (msal's
    /// `getRedirectUri`).
    fn redirect_uri(&self, requested: &str) -> String {
        self.absolute_uri(&[requested, &self.config.redirect_uri])
    }

    /// The first non-empty of `candidates`, else the page without query and fragment, made
    /// absolute against the page.
    fn absolute_uri(&self, candidates: &[&str]) -> String {
        let page = self.platform.page_url();
        let current = crate::core::url::without_query(&page);
        let uri = candidates.iter().copied().find(|c| !c.is_empty()).unwrap_or(current);
        crate::core::url::absolute_url(uri, current)
    }

    fn temp_key(&self, name: &str) -> String {
        format!("msal.{}.{}", self.config.client_id, name)
    }

    /// Starts an interactive (or hidden-iframe) request: builds PKCE, state, nonce and the
    /// authorize URL. Popup and redirect take the interaction lock; a redirect also persists
    /// the request in the temporary store for [`handle_redirect`](Self::handle_redirect).
    /// Synchronous: a popup can be opened right after, inside the user's click.
    pub fn begin_interaction(&self, req: &InteractiveRequest, itype: InteractionType, origin: &str) -> Result<PendingAuth, AuthError> {
        let metadata = self.metadata()?;
        if itype == InteractionType::Silent {
            if let Some(p) = req.prompt {
                if !matches!(p, authorize::Prompt::None | authorize::Prompt::NoSession) {
                    return Err(AuthError::browser(codes::SILENT_PROMPT_VALUE_ERROR, "silent requests need prompt none or no_session"));
                }
            }
        }
        let redirect_uri = self.redirect_uri(&req.redirect_uri);
        if redirect_uri.is_empty() {
            return Err(AuthError::config(codes::REDIRECT_URI_EMPTY, "a redirectUri is required"));
        }
        let correlation_id = if req.correlation_id.is_empty() { self.guid()? } else { req.correlation_id.clone() };
        let mut entropy = [0u8; pkce::VERIFIER_ENTROPY];
        self.platform.fill_random(&mut entropy)?;
        let verifier = pkce::verifier_from_entropy(&entropy)?;
        let nonce = if req.nonce.is_empty() { self.guid()? } else { req.nonce.clone() };
        let rs = RequestState { id: self.guid()?, interaction_type: itype, user_state: req.state.clone() };
        let state = rs.encode();
        let scopes = self.wire_scopes(&req.scopes);
        let mut hints = HintSource { request_sid: req.sid.clone(), request_login_hint: req.login_hint.clone(), ..HintSource::default() };
        if let Some(acc) = req.account.as_ref().and_then(|r| self.account(&r.home_account_id)) {
            let claims = acc.id_token_claims.clone().map(IdTokenClaims::from_json);
            hints.account_login_hint = claims.as_ref().and_then(|c| c.login_hint()).unwrap_or_default().to_owned();
            hints.account_sid = claims.as_ref().and_then(|c| c.sid()).unwrap_or_default().to_owned();
            hints.account_username = acc.account.username.clone();
            hints.account_oid_anchor = acc.account.oid_anchor();
        }
        let prompt = if itype == InteractionType::Silent { Some(req.prompt.unwrap_or(authorize::Prompt::None)) } else { req.prompt };
        let url = authorize::authorize_url(&AuthorizeParams {
            endpoint: &metadata.authorization_endpoint,
            client_id: &self.config.client_id,
            scopes: &scopes,
            redirect_uri: &redirect_uri,
            correlation_id: &correlation_id,
            response_mode: &self.config.response_mode,
            client_info: self.client_info(),
            prompt,
            domain_hint: &req.domain_hint,
            hints: &hints,
            nonce: &nonce,
            state: &state,
            claims: &req.claims,
            client_capabilities: &self.config.client_capabilities,
            code_challenge: &pkce::challenge(&verifier),
            extra: &req.extra_query_parameters,
        })?;
        let pending = PendingAuth {
            url,
            interaction_type: itype,
            state_id: rs.id,
            correlation_id,
            state: State::new(state),
            verifier,
            nonce: Nonce::new(nonce),
            scopes,
            redirect_uri,
            user_state: req.state.clone(),
            origin: if req.redirect_start_page.is_empty() { origin.to_owned() } else { req.redirect_start_page.clone() },
        };
        if itype != InteractionType::Silent {
            self.take_interaction_lock("signin", itype)?;
        }
        if itype == InteractionType::Redirect {
            let saved = base64::encode_url(pending.to_json().to_json().as_bytes());
            let temp = self.platform.temp_store();
            if let Err(e) =
                temp.set(&self.temp_key("request.params"), &saved).and_then(|_| temp.set(&self.temp_key("request.origin"), &pending.origin))
            {
                self.release_interaction_lock();
                return Err(e);
            }
        }
        Ok(pending)
    }

    /// Ends an interaction that will not complete (popup closed, blocked, timed out).
    pub fn abort_interaction(&self, pending: &PendingAuth) {
        if pending.interaction_type != InteractionType::Silent {
            self.release_interaction_lock();
        }
        if pending.interaction_type == InteractionType::Redirect {
            self.clear_redirect_state();
        }
    }

    fn clear_redirect_state(&self) {
        let temp = self.platform.temp_store();
        for k in ["request.params", "request.origin", "urlHash"] {
            temp.remove(&self.temp_key(k));
        }
    }

    /// Redeems the authorize response (`#code=…&state=…` or `?…`) of `pending`.
    pub async fn finish_interaction(&self, pending: PendingAuth, response: &str) -> Result<AuthenticationResult, AuthError> {
        let result = self.finish_inner(&pending, response).await;
        self.abort_interaction(&pending);
        result.map_err(|e| if e.correlation_id().is_empty() { e.with_correlation_id(pending.correlation_id.clone()) } else { e })
    }

    async fn finish_inner(&self, pending: &PendingAuth, response: &str) -> Result<AuthenticationResult, AuthError> {
        let parsed = AuthorizeResponse::parse(response)?;
        let rs = RequestState::parse(&parsed.state)?;
        if rs.interaction_type != pending.interaction_type {
            return Err(AuthError::browser(codes::STATE_INTERACTION_TYPE_MISMATCH, "the response belongs to another kind of interaction"));
        }
        let (code, client_info) = parsed.into_code(&pending.state)?;
        self.redeem_code(
            &code,
            Some(&pending.verifier),
            &pending.redirect_uri,
            &pending.scopes,
            Some(&pending.nonce),
            &client_info,
            &pending.correlation_id,
            &pending.user_state,
        )
        .await
    }

    /// The redirect request saved in this tab, if any.
    pub fn pending_redirect(&self) -> Option<PendingAuth> {
        let saved = self.platform.temp_store().get(&self.temp_key("request.params"))?;
        let bytes = base64::decode(&saved)?;
        PendingAuth::from_json(&Json::parse(std::str::from_utf8(&bytes).ok()?).ok()?)
    }

    /// Saves a redirect response found on another page, to be redeemed on the start page
    /// (`navigateToLoginRequestUrl`).
    pub fn stash_redirect_response(&self, response: &str) -> Result<(), AuthError> {
        self.platform.temp_store().set(&self.temp_key("urlHash"), response)
    }

    /// A response stashed by [`stash_redirect_response`](Self::stash_redirect_response).
    pub fn take_stashed_response(&self) -> Option<String> {
        let temp = self.platform.temp_store();
        let key = self.temp_key("urlHash");
        let v = temp.get(&key);
        temp.remove(&key);
        v
    }

    /// msal's `handleRedirectPromise`: with no response, clears a stale redirect and returns
    /// `None`; with one, checks it against the saved request and redeems it. A response that
    /// does not belong to this tab's request is an error and leaves nothing behind.
    pub async fn handle_redirect(&self, response: Option<&str>) -> Result<Option<AuthenticationResult>, AuthError> {
        self.ensure_initialized()?;
        let pending = self.pending_redirect();
        let Some(response) = response else {
            if pending.is_some() {
                // The user came back without a response (back button, abandoned sign-in).
                self.clear_redirect_state();
                self.release_interaction_lock();
            }
            return Ok(None);
        };
        let Some(pending) = pending else {
            self.clear_redirect_state();
            return Err(AuthError::browser(
                codes::NO_TOKEN_REQUEST_CACHE_ERROR,
                "no redirect request is saved in this tab for this response",
            ));
        };
        self.finish_interaction(pending, response).await.map(Some)
    }

    // ---- token endpoint ----

    async fn post_token(&self, http: HttpRequest, thumb_key: &str, sent_at: u64) -> Result<TokenResponse, AuthError> {
        let store_key = thumb_key.to_owned();
        {
            let cache = self.cache.borrow();
            let store = cache.store();
            if let Some(stored) = crate::core::cache::KeyValueStore::get(store, &store_key) {
                match throttle::check(&stored, self.platform.now_ms()) {
                    Some(e) => return Err(e),
                    None => crate::core::cache::KeyValueStore::remove(store, &store_key),
                }
            }
        }
        let resp = self.platform.send(http).await?;
        match TokenResponse::parse(&resp, sent_at) {
            Ok(t) => Ok(t),
            Err(e) => {
                if throttle::should_throttle(&resp) {
                    let (_, value) = throttle::entry(&resp, &e, self.platform.now_ms());
                    let cache = self.cache.borrow();
                    let _ = crate::core::cache::KeyValueStore::set(cache.store(), &store_key, &value);
                }
                Err(e)
            }
        }
    }

    fn thumbprint(&self, scopes: &ScopeSet, home_account_id: &str, claims: &str) -> String {
        let list: Vec<&str> = scopes.iter().collect();
        throttle::Thumbprint {
            client_id: &self.config.client_id,
            authority: self.authority.canonical(),
            scopes: &list,
            home_account_id,
            claims,
            authentication_scheme: "Bearer",
        }
        .key()
    }

    #[allow(clippy::too_many_arguments)]
    async fn redeem_code(
        &self,
        code: &AuthCode,
        verifier: Option<&PkceVerifier>,
        redirect_uri: &str,
        scopes: &ScopeSet,
        nonce: Option<&Nonce>,
        client_info: &str,
        correlation_id: &str,
        user_state: &str,
    ) -> Result<AuthenticationResult, AuthError> {
        let metadata = self.metadata()?;
        let sent_at = self.now_s();
        let http = TokenRequest {
            endpoint: &metadata.token_endpoint,
            client_id: &self.config.client_id,
            scopes,
            correlation_id,
            grant: Grant::AuthorizationCode { code, verifier, redirect_uri },
            credential: &ClientCredential::None,
            client_info: self.client_info(),
            claims: "",
            anchor: "",
            extra_body: &[],
        }
        .build();
        let thumb = self.thumbprint(scopes, "", "");
        let resp = self.post_token(http, &thumb, sent_at).await?;
        self.save_response(resp, scopes, nonce, client_info, correlation_id, user_state, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn save_response(
        &self,
        resp: TokenResponse,
        scopes: &ScopeSet,
        nonce: Option<&Nonce>,
        front_client_info: &str,
        correlation_id: &str,
        user_state: &str,
        known_account: Option<&Account>,
    ) -> Result<AuthenticationResult, AuthError> {
        let claims = match &resp.id_token {
            Some(t) => {
                let c = IdTokenClaims::decode(t.secret())?;
                // The nonce binds the ID token to an authorize request; refreshed ID tokens and
                // codes redeemed for another party's request have none of ours to compare with.
                if let Some(n) = nonce {
                    c.check_nonce(Some(n))?;
                }
                Some(c)
            }
            None => None,
        };
        let client_info = if resp.client_info.is_empty() { front_client_info } else { &resp.client_info };
        let env = self.resolved.borrow().cloud.preferred_cache.clone();
        let account = match (
            Account::from_response(client_info, claims.as_ref(), &env, self.account_authority_type(), self.platform.now_ms()),
            known_account,
        ) {
            // The cache merges tenant profiles of an account it already has.
            (Some(a), _) => a,
            (None, Some(k)) => k.clone(),
            (None, None) => {
                return Err(AuthError::new(
                    ErrorKind::TokenValidation,
                    codes::TOKEN_PARSING_ERROR,
                    "the token response identifies no account (no client_info and no id_token)",
                ))
            }
        };
        let realm = claims.as_ref().and_then(|c| c.tid()).map(str::to_owned).unwrap_or_else(|| account.realm.clone());
        self.cache.borrow_mut().save(&SaveRequest { response: &resp, account: &account, realm: &realm, requested: scopes })?;
        if self.config.cache_location == CacheLocation::LocalStorage {
            // Tabs sharing this storage may see our writes late: hand them the result directly.
            let snapshot = self.cache.borrow().account_snapshot(&account.home_account_id);
            self.platform.announce(
                &Json::object()
                    .with("t", "tokens")
                    .with("homeAccountId", account.home_account_id.as_str())
                    .with("snapshot", snapshot)
                    .to_json(),
            );
        } else if known_account.is_none() {
            let entity = crate::core::cache::AccountEntity::new(account.clone());
            self.platform.announce(&Json::object().with("t", "signin").with("account", entity.to_json()).to_json());
        }
        let info = {
            let cache = self.cache.borrow();
            let stored = cache.account(&account.home_account_id).cloned().unwrap_or(account);
            self.account_info(&cache, &stored)
        };
        let granted = match &resp.scope {
            Some(s) if !s.trim().is_empty() => ScopeSet::parse(s),
            _ => scopes.clone(),
        };
        Ok(AuthenticationResult {
            authority: self.authority.canonical().to_owned(),
            unique_id: claims.as_ref().and_then(|c| c.oid().or_else(|| c.sub())).unwrap_or_default().to_owned(),
            tenant_id: realm,
            scopes: granted.iter().map(str::to_owned).collect(),
            account: info,
            access_token: resp.access_token,
            from_cache: false,
            expires_on_ms: resp.expires_on.saturating_mul(1000),
            ext_expires_on_ms: resp.extended_expires_on.saturating_mul(1000),
            refresh_on_ms: resp.refresh_on.map(|r| r.saturating_mul(1000)),
            token_type: resp.token_type,
            correlation_id: correlation_id.to_owned(),
            state: user_state.to_owned(),
            family_id: resp.family_id,
            served_until_ms: 0,
        })
    }

    /// Redeems an authorization code obtained elsewhere (msal's `acquireTokenByCode`).
    pub async fn acquire_token_by_code(
        &self,
        code: &str,
        scopes: &[String],
        code_verifier: Option<&str>,
        redirect_uri: &str,
        correlation_id: &str,
    ) -> Result<AuthenticationResult, AuthError> {
        if code.is_empty() {
            return Err(AuthError::browser(codes::AUTH_CODE_REQUIRED, "acquireTokenByCode needs a code"));
        }
        let correlation_id = if correlation_id.is_empty() { self.guid()? } else { correlation_id.to_owned() };
        let redirect_uri = self.redirect_uri(redirect_uri);
        let verifier = code_verifier.map(PkceVerifier::new);
        let scopes = self.wire_scopes(scopes);
        self.redeem_code(&AuthCode::new(code), verifier.as_ref(), &redirect_uri, &scopes, None, "", &correlation_id, "").await
    }

    // ---- silent ----

    fn silent_account(&self, req: &SilentRequest) -> Result<Account, AuthError> {
        // The account alone: building its AccountInfo would decode its ID token.
        self.sync();
        let cache = self.cache.borrow();
        let id = match &req.account {
            Some(r) => Some(r.home_account_id.clone()),
            None => cache.active_account().map(|f| f.home_account_id),
        };
        id.and_then(|id| self.find_account(&cache, &id).cloned())
            .ok_or_else(|| AuthError::browser(codes::NO_ACCOUNT_ERROR, "no account given and no active account set"))
    }

    /// Fails like [`metadata`](Self::metadata) before initialization, without copying it.
    fn ensure_initialized(&self) -> Result<(), AuthError> {
        if self.is_initialized() {
            Ok(())
        } else {
            self.metadata().map(|_| ())
        }
    }

    /// The cached access token for `req`, when the policy allows it and it is fresh. Never
    /// touches the network; `Ok(None)` means "go to the network".
    pub fn acquire_token_silent_cached(&self, req: &SilentRequest) -> Result<Option<AuthenticationResult>, AuthError> {
        if req.force_refresh || !req.claims.is_empty() || !req.cache_lookup_policy.uses_access_token() {
            self.ensure_initialized()?;
            return Ok(None);
        }
        self.cached_token(req, 0)
    }

    /// After waiting for another tab's renewal: the cached token if it was obtained at or
    /// after `since_s` (seconds) — good enough even for a `forceRefresh` that started then.
    pub fn token_renewed_since(&self, req: &SilentRequest, since_s: u64) -> Result<Option<AuthenticationResult>, AuthError> {
        if !req.claims.is_empty() {
            return Ok(None);
        }
        self.cached_token(req, since_s)
    }

    /// The Web Lock that makes renewal of `req`'s account single-flight across tabs (`None`
    /// for caches that are not shared between tabs).
    pub fn renewal_lock_name(&self, req: &SilentRequest) -> Option<String> {
        if self.config.cache_location != CacheLocation::LocalStorage {
            return None;
        }
        let account = self.silent_account(req).ok()?;
        Some(format!("msal.{}.renew.{}", self.config.client_id, account.home_account_id))
    }

    fn cached_token(&self, req: &SilentRequest, min_cached_at: u64) -> Result<Option<AuthenticationResult>, AuthError> {
        self.ensure_initialized()?;
        self.sync();
        let account = self.silent_account(req)?;
        let now = self.now_s();
        let cache = self.cache.borrow();
        let Some(at) = self
            .find_cached_at(&cache, req, &account)
            .filter(|c| !is_expired(c, now, self.config.token_renewal_offset_secs) && c.cached_at >= min_cached_at)
        else {
            return Ok(None);
        };
        let info = self.account_info(&cache, &account);
        let claim = |name: &str| info.id_token_claims.as_ref().and_then(|c| c.str_field(name)).map(str::to_owned);
        let unique_id = claim("oid").or_else(|| claim("sub")).unwrap_or_default();
        Ok(Some(AuthenticationResult {
            authority: self.authority.canonical().to_owned(),
            unique_id,
            tenant_id: at.realm.clone(),
            scopes: at.scopes.iter().map(str::to_owned).collect(),
            account: info,
            access_token: crate::secret::AccessToken::new(at.secret.clone()),
            from_cache: true,
            expires_on_ms: at.expires_on.saturating_mul(1000),
            ext_expires_on_ms: at.extended_expires_on.saturating_mul(1000),
            refresh_on_ms: at.refresh_on.map(|r| r.saturating_mul(1000)),
            token_type: if at.token_type.is_empty() { "Bearer".to_owned() } else { at.token_type.clone() },
            correlation_id: req.correlation_id.clone(),
            state: String::new(),
            family_id: String::new(),
            served_until_ms: at.expires_on.saturating_sub(self.config.token_renewal_offset_secs).saturating_mul(1000),
        }))
    }

    /// True when a cached token served for `req` is due for msal's proactive refresh
    /// (`refresh_in`).
    pub fn refresh_due(&self, req: &SilentRequest) -> bool {
        let Ok(account) = self.silent_account(req) else { return false };
        let cache = self.cache.borrow();
        self.find_cached_at(&cache, req, &account).is_some_and(|c| refresh_due(c, self.now_s()))
    }

    /// The Bearer access token cached for `req`'s scopes and `account` (expired or not).
    fn find_cached_at<'c>(
        &self,
        cache: &'c TokenCache<P::Store>,
        req: &SilentRequest,
        account: &Account,
    ) -> Option<&'c crate::core::cache::Credential> {
        let resolved = self.resolved.borrow();
        cache.find_access_token(&AtQuery {
            home_account_id: &account.home_account_id,
            environments: &resolved.cloud.aliases,
            client_id: &self.config.client_id,
            realm: &self.realm_for(account),
            scopes: &ScopeSet::new(&req.scopes).for_cache_search(),
            token_type: "Bearer",
        })
    }

    /// msal's silent flow without the iframe: cached access token (per policy), then the
    /// refresh token. Fails with an `InteractionRequired` error when neither works; the
    /// browser layer then tries a hidden iframe if the policy allows.
    pub async fn acquire_token_silent(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        if let Some(hit) = self.acquire_token_silent_cached(req)? {
            return Ok(hit);
        }
        if !req.cache_lookup_policy.uses_refresh_token() {
            return Err(AuthError::new(
                ErrorKind::InteractionRequired,
                codes::NO_TOKENS_FOUND,
                "no valid access token in the cache and the policy forbids the network",
            ));
        }
        self.refresh(req).await
    }

    /// Silent requests for every cached access token that has expired (with the renewal
    /// offset) or is due for msal's proactive refresh, for accounts that have a refresh token.
    /// Timers cannot be trusted after sleep or in background tabs: call this when the page
    /// wakes up.
    pub fn due_renewals(&self) -> Vec<SilentRequest> {
        self.sync();
        let now = self.now_s();
        let envs = self.environments();
        let cache = self.cache.borrow();
        let mut out: Vec<SilentRequest> = Vec::new();
        for c in cache.credentials() {
            let due = c.credential_type.is_access_token()
                && c.client_id == self.config.client_id
                && (is_expired(c, now, self.config.token_renewal_offset_secs) || refresh_due(c, now))
                && cache.find_refresh_token(&c.home_account_id, &envs, true).is_some();
            if due {
                out.push(SilentRequest {
                    scopes: c.scopes.iter().map(str::to_owned).collect(),
                    account: Some(AccountRef { home_account_id: c.home_account_id.clone() }),
                    cache_lookup_policy: CacheLookupPolicy::RefreshToken,
                    ..SilentRequest::default()
                });
            }
        }
        out
    }

    /// Redeems the account's refresh token for `req`'s scopes.
    pub async fn refresh(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        let metadata = self.metadata()?;
        self.sync();
        let account = self.silent_account(req)?;
        let envs = self.environments();
        let correlation_id = if req.correlation_id.is_empty() { self.guid()? } else { req.correlation_id.clone() };
        let rt = {
            let cache = self.cache.borrow();
            cache.find_refresh_token(&account.home_account_id, &envs, true).map(|c| (RefreshToken::new(c.secret.clone()), c.expires_on))
        };
        let Some((rt, rt_expires)) = rt else {
            return Err(AuthError::new(ErrorKind::InteractionRequired, codes::NO_TOKENS_FOUND, "no refresh token in the cache")
                .with_correlation_id(correlation_id));
        };
        if rt_expires != 0 && rt_expires <= self.now_s() {
            let _ = self.cache.borrow_mut().remove_refresh_token(rt.secret());
            return Err(AuthError::new(ErrorKind::InteractionRequired, codes::REFRESH_TOKEN_EXPIRED, "the refresh token has expired")
                .with_correlation_id(correlation_id));
        }
        let scopes = self.wire_scopes(&req.scopes);
        let claims = authorize::merge_claims(&req.claims, &self.config.client_capabilities)?;
        let redirect_uri = self.redirect_uri(&req.redirect_uri);
        let anchor = account.oid_anchor();
        let anchor = if anchor.is_empty() { String::new() } else { format!("Oid:{anchor}") };
        let sent_at = self.now_s();
        let http = TokenRequest {
            endpoint: &metadata.token_endpoint,
            client_id: &self.config.client_id,
            scopes: &scopes,
            correlation_id: &correlation_id,
            grant: Grant::RefreshToken { refresh_token: &rt, redirect_uri: &redirect_uri },
            credential: &ClientCredential::None,
            client_info: self.client_info(),
            claims: &claims,
            anchor: &anchor,
            extra_body: &[],
        }
        .build();
        let thumb = self.thumbprint(&scopes, &account.home_account_id, &req.claims);
        match self.post_token(http, &thumb, sent_at).await {
            Ok(resp) => self.save_response(resp, &scopes, None, "", &correlation_id, "", Some(&account)),
            Err(e) => {
                if e.code() == "invalid_grant" {
                    let _ = self.cache.borrow_mut().remove_refresh_token(rt.secret());
                }
                Err(if e.correlation_id().is_empty() { e.with_correlation_id(correlation_id) } else { e })
            }
        }
    }

    // ---- sign-out ----

    /// Removes the account's tokens and returns the end-session URL to navigate to (`None`
    /// when the provider has no end-session endpoint).
    pub fn logout(&self, home_account_id: Option<&str>, post_logout_redirect_uri: &str, state: &str) -> Result<Option<String>, AuthError> {
        let metadata = self.metadata()?;
        let info = match home_account_id {
            Some(h) => self.account(h),
            None => self.active_account(),
        };
        let correlation_id = self.guid()?;
        let id_token_hint = info.as_ref().and_then(|i| i.id_token.as_ref().map(|t| t.secret().to_owned())).unwrap_or_default();
        let logout_hint = info
            .as_ref()
            .and_then(|i| i.id_token_claims.as_ref().and_then(|c| c.str_field("login_hint").map(str::to_owned)))
            .unwrap_or_default();
        match &info {
            Some(i) => self.cache.borrow_mut().remove_account(&i.account.home_account_id)?,
            None => self.cache.borrow_mut().clear()?,
        }
        let id = info.as_ref().map(|i| Json::from(i.account.home_account_id.as_str())).unwrap_or(Json::Null);
        self.platform.announce(&Json::object().with("t", "signout").with("homeAccountId", id).to_json());
        let post = self.absolute_uri(&[post_logout_redirect_uri, &self.config.post_logout_redirect_uri]);
        Ok(metadata.end_session_endpoint.as_ref().map(|ep| {
            authorize::logout_url(
                ep,
                &post,
                &correlation_id,
                &id_token_hint,
                &logout_hint,
                state,
                &[("client_id".to_owned(), self.config.client_id.clone())],
            )
        }))
    }

    /// Removes every account and token of this client from the cache (no network).
    pub fn clear_cache(&self) -> Result<(), AuthError> {
        self.cache.borrow_mut().clear()?;
        self.platform.announce(&Json::object().with("t", "signout").with("homeAccountId", Json::Null).to_json());
        Ok(())
    }
}
