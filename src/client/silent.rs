//! Silent acquisition: the cache lookup and its policies, renewal.

use crate::prelude::*;

use super::*;
use ::core::task::{Poll, Waker};
use alloc::rc::Rc;

/// A silent request in flight that identical ones join.
#[derive(Default)]
pub(super) struct Flight {
    result: RefCell<Option<Result<AuthenticationResult, AuthError>>>,
    waiters: RefCell<Vec<Waker>>,
}

impl Flight {
    fn land(&self, result: Result<AuthenticationResult, AuthError>) {
        *self.result.borrow_mut() = Some(result);
        for w in self.waiters.borrow_mut().drain(..) {
            w.wake();
        }
    }

    async fn wait(&self) -> Result<AuthenticationResult, AuthError> {
        ::core::future::poll_fn(|cx| match self.result.borrow().clone() {
            Some(r) => Poll::Ready(r),
            None => {
                self.waiters.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// An account's turn to renew in this tab, held until dropped (see `renew_single_flight`).
pub(super) struct Turn<'a> {
    renewing: &'a Renewing,
    account: String,
}

/// The accounts renewing in this tab, and the requests waiting for their turn.
#[derive(Default)]
pub(super) struct Renewing {
    accounts: RefCell<Vec<String>>,
    waiters: RefCell<Vec<Waker>>,
}

impl<'a> Turn<'a> {
    async fn take(renewing: &'a Renewing, account: String) -> Turn<'a> {
        ::core::future::poll_fn(|cx| {
            let mut accounts = renewing.accounts.borrow_mut();
            if accounts.contains(&account) {
                renewing.waiters.borrow_mut().push(cx.waker().clone());
                return Poll::Pending;
            }
            accounts.push(account.clone());
            Poll::Ready(())
        })
        .await;
        Turn { renewing, account }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        crate::core::retain(&mut self.renewing.accounts.borrow_mut(), &mut |a| *a != self.account);
        for w in self.renewing.waiters.borrow_mut().drain(..) {
            w.wake();
        }
    }
}

/// Takes a flight off the list when its leader is done — or dropped before it landed (then
/// the callers that joined it fail instead of waiting forever).
struct Landing<'a> {
    flights: &'a RefCell<Vec<(String, Rc<Flight>)>>,
    key: String,
    flight: &'a Rc<Flight>,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        crate::core::retain(&mut self.flights.borrow_mut(), &mut |(k, _)| *k != self.key);
        if self.flight.result.borrow().is_none() {
            self.flight.land(Err(AuthError::browser(codes::UNEXPECTED_ERROR, "the request these callers shared was abandoned")));
        }
    }
}

/// The hidden frame this client runs for a silent call, until dropped: the calls that wait
/// for it (see `renew_or_frame`) hear its outcome, or a failure if it was abandoned.
struct FrameTurn<'a> {
    slot: &'a RefCell<Option<Rc<Flight>>>,
    flight: Rc<Flight>,
}

impl Drop for FrameTurn<'_> {
    fn drop(&mut self) {
        *self.slot.borrow_mut() = None;
        if self.flight.result.borrow().is_none() {
            self.flight.land(Err(AuthError::browser(codes::UNEXPECTED_ERROR, "the hidden frame was abandoned")));
        }
    }
}

/// How long apart a tab that waited for another tab's renewal looks for its result (sooner when
/// another tab writes to the storage or posts a message: `Platform::wait_for_tabs`).
const RENEWAL_HANDOFF_POLL_MS: u64 = 20;

/// How long a tab that renewed (or failed to) shows the others so (see `renew_single_flight`),
/// and how long a waiting tab looks for the result: long enough for a hand-off that trails the
/// lock on a loaded machine or in a background tab; a failure is shown, so it costs no wait.
const RENEWED_MARK_MS: u64 = 3_000;

/// How long this page waits briefly only (the hand-off's bound, at most half the lock's) for a
/// renewal lock whose holder kept it past its bound.
const LOCK_GIVEN_UP_MS: u64 = 5 * 60_000;

impl<P: Platform> PublicClientApplication<P> {
    /// The account `req` is for (the one it names, else the active one) and the tenant profile
    /// it names, if any (the request's, else the active account's).
    pub(super) fn silent_account(&self, req: &SilentRequest) -> Result<(Account, Option<String>), AuthError> {
        // The account alone: building its AccountInfo would decode its ID token.
        self.sync();
        let who = match &req.account {
            Some(r) => Some((r.home_account_id.clone(), r.tenant_id.clone(), r.environment.as_str())),
            None => self.active_ref().map(|r| (r.home_account_id, r.tenant_id, "")),
        };
        let cache = self.cache.borrow();
        let (home, tenant, environment) =
            who.ok_or_else(|| AuthError::browser(codes::NO_ACCOUNT_ERROR, "no account given and no active account set"))?;
        let account = self.find_account(&cache, &home, environment).cloned().ok_or_else(|| match &req.account {
            // As msal: an account the app names but the cache lacks has no tokens, which needs
            // the user (msal-react then falls back to its interaction).
            Some(_) => AuthError::new(ErrorKind::InteractionRequired, codes::NO_TOKENS_FOUND, "no cached tokens for the request's account"),
            None => AuthError::browser(codes::NO_ACCOUNT_ERROR, "no account given and no active account set"),
        })?;
        Ok((account, tenant.filter(|t| !t.is_empty())))
    }

    /// The authority a silent request goes to: its own; else, for a tenant profile the
    /// configured Entra authority does not sign in to (a guest tenant under `common` or under
    /// another tenant) and this app signed in to, that tenant's, so its tokens come from and
    /// are renewed in that tenant; else the configured one. With `auth.instanceAware`, a request for an account of
    /// another cloud goes to that cloud (see [`account_authority`](Self::account_authority)).
    pub(super) fn silent_authority(&self, req: &SilentRequest, account: &Account, tenant: Option<&str>) -> Option<String> {
        let own = self.tenant_authority(req.authority.as_deref(), account, tenant);
        // (msal's silent clients resolve it from the configuration alone.)
        self.account_authority(own.as_deref(), &[], &account.environment)
    }

    pub(super) fn tenant_authority(&self, authority: Option<&str>, account: &Account, tenant: Option<&str>) -> Option<String> {
        if authority.is_some() {
            return authority.map(str::to_owned);
        }
        let tenant = tenant?;
        let own = match self.authority.single_tenant() {
            Some(t) => t,
            None if self.authority.is_multi_tenant() && self.config.protocol_mode == ProtocolMode::Aad => &account.realm,
            None => return None,
        };
        // A tenant named by its domain (`contoso.onmicrosoft.com`, an External ID subdomain's)
        // cannot be told apart from the profile's GUID: the configured authority, as msal.
        if tenant.eq_ignore_ascii_case(own) || !is_guid(own) {
            return None;
        }
        // Only a tenant this app signed in to: a profile another app of the origin added (account
        // entities are every client id's) is the configured authority's, as in msal.
        let envs = &self.cloud_of(&account.environment).aliases;
        self.cache.borrow().find_id_token(&account.home_account_id, envs, tenant)?;
        Some(self.authority.with_tenant(tenant))
    }

    /// The cached access token for `req`, when the policy allows it and it is fresh. Never
    /// touches the network; `Ok(None)` means "go to the network".
    pub fn acquire_token_silent_cached(&self, req: &SilentRequest) -> Result<Option<AuthenticationResult>, AuthError> {
        self.preflight(false)?;
        self.cached_after_preflight(req)
    }

    /// [`acquire_token_silent_cached`](Self::acquire_token_silent_cached) for a caller that ran
    /// [`preflight`](Self::preflight) itself, before its first event (the JS facade). Its errors
    /// carry the request's correlation id, as msal stamps it on every refusal.
    pub fn cached_after_preflight(&self, req: &SilentRequest) -> Result<Option<AuthenticationResult>, AuthError> {
        self.cached_lookup(req).map_err(|e| e.with_call_correlation_id(&req.correlation_id))
    }

    fn cached_lookup(&self, req: &SilentRequest) -> Result<Option<AuthenticationResult>, AuthError> {
        req.options.enforce_resource(self.config.is_mcp, &req.extra_query_parameters)?;
        // As msal, before anything else: a request naming no account, with no active account,
        // is refused whatever it would skip (a hidden frame without hints would sign in
        // whoever holds the provider's session). (A cache lookup refuses it itself.)
        let skips_cache = || -> Result<(), AuthError> {
            self.ensure_initialized()?;
            match req.account.is_none().then(|| self.silent_account(req)) {
                Some(Err(e)) if e.code() == codes::NO_ACCOUNT_ERROR => Err(e),
                _ => Ok(()),
            }
        };
        if req.authentication_scheme.is_bound() {
            // Every DPoP result carries a fresh proof, signed asynchronously: see
            // acquire_token_silent_network.
            skips_cache()?;
            return Ok(None);
        }
        let hit = if req.force_refresh || !req.claims.is_empty() || !req.cache_lookup_policy.uses_access_token() {
            skips_cache()?;
            self.log(
                LogLevel::Verbose,
                &req.correlation_id,
                "acquireTokenSilent: the request skips the cached access token (forceRefresh, claims or policy)",
            );
            None
        } else {
            self.cached_token(req, 0)?
        };
        match hit {
            Some(r) => {
                self.log(LogLevel::Trace, &req.correlation_id, "acquireTokenSilent: a cached access token is served");
                Ok(Some(for_caller(req, r)))
            }
            // As msal: a request for the cached access token alone fails here, before any
            // network event.
            None if req.cache_lookup_policy == CacheLookupPolicy::AccessToken => Err(refresh_required(req)),
            None => {
                self.log(LogLevel::Verbose, &req.correlation_id, "acquireTokenSilent: no usable cached access token; renewing");
                Ok(None)
            }
        }
    }

    /// After waiting for another tab's renewal: the cached token if it was obtained at or
    /// after `since_s` (seconds) — good enough even for a `forceRefresh` that started then.
    pub fn token_renewed_since(&self, req: &SilentRequest, since_s: u64) -> Result<Option<AuthenticationResult>, AuthError> {
        if !req.claims.is_empty() {
            return Ok(None);
        }
        self.cached_token(req, since_s)
    }

    /// The Web Lock that makes renewal of `req`'s account single-flight among the clients that
    /// share its cache: a localStorage cache's, across the tabs; a sessionStorage cache's,
    /// across the app's clients of this page (micro-frontends: other tabs have storage of their
    /// own). `None` for a memory cache.
    pub fn renewal_lock_name(&self, req: &SilentRequest) -> Option<String> {
        let page = match self.config.cache_location {
            CacheLocation::LocalStorage => String::new(),
            CacheLocation::SessionStorage => [".page.", &self.platform.page_id()].concat(),
            CacheLocation::MemoryStorage => return None,
        };
        let (account, _) = self.silent_account(req).ok()?;
        Some(["msal.", &self.config.client_id, ".renew.", &account.home_account_id, &page].concat())
    }

    pub(super) fn cached_token(&self, req: &SilentRequest, min_cached_at: u64) -> Result<Option<AuthenticationResult>, AuthError> {
        self.ensure_initialized()?;
        self.sync();
        let (account, tenant) = match self.silent_account(req) {
            // An account the app names and the cache lacks: a miss (msal then tries a hidden
            // frame with the hints of the app's object).
            Err(e) if e.code() == codes::NO_TOKENS_FOUND => return Ok(None),
            r => r?,
        };
        // The authority decides the tenant; its endpoints are not needed to read the cache.
        let own = self.requested_authority(self.silent_authority(req, &account, tenant.as_deref()).as_deref())?;
        let authority = own.as_ref().unwrap_or(&self.authority);
        self.check_account_cloud(authority, &account.environment)?;
        let now = self.now_s();
        let cache = self.cache.borrow();
        let Some(at) = self
            .find_cached_at(&cache, req, &account, self.realm_for(&account, authority, tenant.as_deref()))
            .filter(|c| !is_expired(c, now, self.config.token_renewal_offset_secs) && c.cached_at >= min_cached_at)
            // A request that names a resource is served only a token obtained for it (msal).
            .filter(|c| req.options.resource.as_deref().is_none_or(|r| c.resource == r))
        else {
            return Ok(None);
        };
        let info = self.account_info(&cache, &account, Some(&at.realm));
        // (msal's `oid || sub`: an empty one is none.)
        let claim = |name: &str| info.id_token_claims.as_ref().and_then(|c| c.str_field(name)).filter(|v| !v.is_empty()).map(str::to_owned);
        let unique_id = claim("oid").or_else(|| claim("sub")).unwrap_or_default();
        Ok(Some(AuthenticationResult {
            authority: self.result_authority(authority),
            unique_id,
            // msal: the ID token's tid, else none.
            tenant_id: claim("tid").unwrap_or_default(),
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
            request_id: String::new(),
            // Served as is until it is due for renewal (its expiry less the renewal offset; a
            // proactive refresh, msal-node's, is the caller's: see `background_renewal`).
            served_until_ms: at.expires_on.saturating_sub(self.config.token_renewal_offset_secs).saturating_mul(1000),
            dpop_proof: None,
            key_id: at.key_id.clone(),
        }))
    }

    /// msal-node's proactive refresh (`refresh_in`): when `hit`, a cached token served for
    /// `req`, is due for it, the request that renews it (with the refresh token). msal-browser
    /// does none: the browser front ends serve the hit as is. Identical renewals share one
    /// request.
    pub fn background_renewal(&self, req: &SilentRequest, hit: &AuthenticationResult) -> Option<SilentRequest> {
        let due = hit.from_cache && hit.refresh_on_ms.is_some_and(|r| r <= self.platform.now_ms());
        due.then(|| SilentRequest {
            force_refresh: true,
            cache_lookup_policy: CacheLookupPolicy::RefreshToken,
            correlation_id: String::new(),
            ..req.clone()
        })
    }

    /// The Bearer access token cached for `req`'s scopes and `account` in `realm` (expired or
    /// not).
    pub(super) fn find_cached_at<'c>(
        &self,
        cache: &'c TokenCache<P::Store>,
        req: &SilentRequest,
        account: &Account,
        realm: String,
    ) -> Option<&'c crate::core::cache::Credential> {
        cache.find_access_token(&AtQuery {
            home_account_id: &account.home_account_id,
            environments: &self.cloud_of(&account.environment).aliases,
            client_id: &self.config.client_id,
            realm: &realm,
            scopes: &ScopeSet::new(&req.scopes).for_cache_search(),
            token_type: req.authentication_scheme.token_type(),
            key_id: None,
            attribute_tokens: &req.options.attribute_partition(),
        })
    }

    /// msal's `acquireTokenSilent`: the cached access token (per the cache lookup policy),
    /// then the refresh token (single-flight across tabs), then a hidden frame when the policy
    /// allows it and the refresh token could not do it.
    pub async fn acquire_token_silent(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        let pinned = self.for_active_account(req);
        let req = pinned.as_ref().unwrap_or(req);
        if let Some(hit) = self.acquire_token_silent_cached(req)? {
            return Ok(hit);
        }
        self.acquire_token_silent_network(req).await
    }

    /// msal-node's `acquireTokenSilent` (servers and CLIs, no page to renew in the background):
    /// as [`acquire_token_silent`](Self::acquire_token_silent), but a cached token due for its
    /// proactive refresh (`refresh_in`) is renewed before the call returns; when the renewal
    /// fails, the cached token, still valid, is served.
    pub async fn acquire_token_silent_refreshing(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        let pinned = self.for_active_account(req);
        let req = pinned.as_ref().unwrap_or(req);
        let Some(hit) = self.acquire_token_silent_cached(req)? else {
            return self.acquire_token_silent_network(req).await;
        };
        match self.background_renewal(req, &hit) {
            Some(renew) => match self.acquire_token_silent_network(&renew).await {
                Ok(renewed) => Ok(for_caller(req, renewed)),
                Err(_) => {
                    self.log(
                        LogLevel::Warning,
                        &req.correlation_id,
                        "the proactive refresh failed; the cached token is served until it expires",
                    );
                    Ok(hit)
                }
            },
            None => Ok(hit),
        }
    }

    /// The network part of [`acquire_token_silent`](Self::acquire_token_silent), for callers
    /// that looked in the cache themselves: the refresh token (single-flight across tabs),
    /// then a hidden frame when the policy allows it. Identical requests in flight in this tab
    /// share one (msal's `activeSilentTokenRequests`); each caller gets its correlation id.
    pub async fn acquire_token_silent_network(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        req.options.enforce_resource(self.config.is_mcp, &req.extra_query_parameters)?;
        if !req.authentication_scheme.is_bound() {
            return self.silent_flight(req).await;
        }
        // Bound (DPoP, PoP): the cached token bound to a key this browser still holds, else a
        // renewal (forced when the key of the cached one went away: site data cleared); the
        // result finished for the scheme (a new DPoP proof, or a new signed HTTP request).
        let cacheable = !req.force_refresh && req.claims.is_empty() && req.cache_lookup_policy.uses_access_token();
        let cached = if cacheable { self.cached_token(req, 0)? } else { None };
        let result = match cached {
            Some(hit) if self.key_of(hit.access_token.secret()).await.is_some() => hit,
            Some(_) => Box::pin(self.silent_flight(&SilentRequest { force_refresh: true, ..req.clone() })).await?,
            None => Box::pin(self.silent_flight(req)).await?,
        };
        self.finish_bound(result, &req.authentication_scheme).await.map(|r| for_caller(req, r))
    }

    /// The refresh token (single-flight), then a hidden frame.
    async fn silent_flight(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        let key = self.flight_key(req);
        let joined = self.flights.borrow().iter().find(|(k, _)| *k == key).map(|(_, f)| f.clone());
        let result = match joined {
            Some(flight) => flight.wait().await,
            None => {
                let flight = Rc::new(Flight::default());
                self.flights.borrow_mut().push((key.clone(), flight.clone()));
                let _landing = Landing { flights: &self.flights, key, flight: &flight };
                let r = self.renew_or_frame(req).await;
                flight.land(r.clone());
                r
            }
        };
        result.map(|r| for_caller(req, r))
    }

    /// `req` naming the active account as it is now, when it names none (`None` when it names
    /// one, or there is no active account): msal reads the active account once, at the call's
    /// start, and the call is for that one, not whichever the app makes active while it waits.
    /// (The JS facade names it in the request itself.)
    pub fn for_active_account(&self, req: &SilentRequest) -> Option<SilentRequest> {
        if req.account.is_some() {
            return None;
        }
        Some(SilentRequest { account: Some(self.active_ref()?), ..req.clone() })
    }

    /// What makes two silent requests the same one.
    fn flight_key(&self, req: &SilentRequest) -> String {
        // (Without an account: the active one, in the tenant profile made active.)
        let account = req.account.as_ref().map(|a| a.home_account_id.clone()).or_else(|| self.active_account_key()).unwrap_or_default();
        let mut key = ScopeSet::new(&req.scopes).to_lower_string();
        let tenant = req.account.as_ref().and_then(|a| a.tenant_id.as_deref()).unwrap_or_default();
        let authority = req.authority.as_deref().unwrap_or_default();
        for part in [account.as_str(), tenant, authority, &req.claims, &req.redirect_uri] {
            key.push('\n');
            key.push_str(part);
        }
        key.push('\n');
        key.push_str(req.authentication_scheme.token_type());
        key.push(if req.force_refresh { '1' } else { '0' });
        key.push(char::from(b'0' + req.cache_lookup_policy as u8));
        let store = req.options.store;
        for on in [store.access_token, store.id_token, store.refresh_token] {
            key.push(if on { '1' } else { '0' });
        }
        key.push('\n');
        key.push_str(req.options.resource.as_deref().unwrap_or_default());
        key.push('\n');
        key.push_str(&req.options.attribute_partition());
        let query = req.extra_query_parameters.iter().map(|p| ('q', p));
        for (to, (k, v)) in query.chain(req.options.extra_parameters.iter().map(|p| ('b', p))) {
            key.push('\n');
            key.push(to);
            key.push_str(k);
            key.push('=');
            key.push_str(v);
        }
        key
    }

    /// The refresh token (single-flight across tabs), then a hidden frame when the policy
    /// allows it and the refresh token could not do it. As msal, one hidden frame at a time: a
    /// call that needs one meanwhile waits for its outcome, then tries the cache and refresh
    /// token once more (it succeeded) or fails with its own error (it failed); a Skip request
    /// runs its own.
    async fn renew_or_frame(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        let mut waited = false;
        // A cached account this call renews: signed out meanwhile, it gets no frame, and a
        // frame's tokens that land after its sign-out are not stored.
        let cached = self.silent_account(req).is_ok();
        // Skip: the hidden frame only, as msal (no cached token, no refresh token, and so
        // nothing to hand off between tabs).
        if req.cache_lookup_policy != CacheLookupPolicy::Skip {
            loop {
                match self.renew_single_flight(req).await {
                    Err(e)
                        if !waited
                            && req.cache_lookup_policy.uses_iframe()
                            && frame_may_resolve(&e, self.config.protocol_mode == ProtocolMode::Oidc) =>
                    {
                        let active = self.frame.borrow().clone();
                        match active {
                            Some(flight) => {
                                self.log(LogLevel::Verbose, &req.correlation_id, "silent: waiting for the hidden frame in flight");
                                if flight.wait().await.is_err() {
                                    return Err(e);
                                }
                                waited = true;
                            }
                            None if cached && !self.silent_account_kept(req) => return Err(e),
                            None => break,
                        }
                    }
                    r => return r,
                }
            }
        }
        let who = self.silent_account(req).ok();
        let renewal = who.as_ref().filter(|_| cached).map(|(a, _)| a.home_account_id.clone());
        let authority = who.as_ref().and_then(|(a, t)| self.silent_authority(req, a, t.as_deref())).or_else(|| req.authority.clone());
        // An account the cache lacks keeps what the app's object says (its hints).
        let account = match who {
            Some((a, tenant_id)) => Some(AccountRef { environment: a.environment, ..AccountRef::in_tenant(a.home_account_id, tenant_id) }),
            None => req.account.clone(),
        };
        let frame = InteractiveRequest {
            scopes: req.scopes.clone(),
            account,
            claims: req.claims.clone(),
            correlation_id: req.correlation_id.clone(),
            redirect_uri: req.redirect_uri.clone(),
            extra_query_parameters: req.extra_query_parameters.clone(),
            authority,
            authentication_scheme: req.authentication_scheme.clone(),
            options: req.options.clone(),
            prompt: req.prompt.clone(),
            state: req.state.clone(),
            login_hint: req.login_hint.clone(),
            sid: req.sid.clone(),
            domain_hint: req.domain_hint.clone(),
            ..InteractiveRequest::default()
        };
        // The frame the others wait for (a Skip request's alongside one runs unannounced).
        let idle = self.frame.borrow().is_none();
        let turn = idle.then(|| {
            let flight = Rc::new(Flight::default());
            *self.frame.borrow_mut() = Some(flight.clone());
            FrameTurn { slot: &self.frame, flight }
        });
        let r = self.sso_silent_unfinished(&frame, renewal).await;
        // A generic provider knows none of the checks Entra makes of msal's `sid` and
        // `login_hint`: its session may be another user's by now, whose tokens came back. They
        // are that user's (stored when it is signed in here, or, as msal stores them, when the
        // cache did not hold this account), never this account's.
        let r = match (r, &frame.account) {
            (Ok(got), Some(asked))
                if self.config.protocol_mode == ProtocolMode::Oidc
                    && !asked.home_account_id.is_empty()
                    && got.account.account.home_account_id != asked.home_account_id =>
            {
                Err(AuthError::new(ErrorKind::InteractionRequired, codes::LOGIN_REQUIRED, "the provider's session is another account's")
                    .with_correlation_id(req.correlation_id.clone()))
            }
            (r, _) => r,
        };
        if let Some(turn) = turn {
            turn.flight.land(r.clone());
        }
        r
    }

    /// Whether the request's account is still signed in (see
    /// [`still_signed_in`](Self::still_signed_in)).
    fn silent_account_kept(&self, req: &SilentRequest) -> bool {
        self.silent_account(req).is_ok_and(|(a, _)| self.still_signed_in(&crate::core::cache::account_key(&a), &req.correlation_id))
    }

    /// Renewal that is single-flight across the tabs sharing a cache: one tab renews under the
    /// account's lock and hands its result to the others (the snapshot it announces; their
    /// view of the storage may lag); a tab that had to wait serves that result. So a rotating
    /// refresh token is never presented twice.
    async fn renew_single_flight(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        // In this tab, one renewal per account at a time: a refresh token may rotate, so two
        // different requests for one account must not present the same one. The next one then
        // finds the rotated token (or its own result) in the cache.
        let _turn = match self.silent_account(req) {
            Ok((account, _)) => Some(Turn::take(&self.renewing, account.home_account_id).await),
            Err(_) => None,
        };
        let Some(name) = self.renewal_lock_name(req) else {
            return self.cache_or_refresh(req).await;
        };
        // A forceRefresh, and a policy that skips the cached access token (msal redeems the
        // refresh token for those whatever the cache holds), want a token newer than their start:
        // another tab's renewal counts only if it ended after that.
        // A claims challenge is never served another tab's token (see token_renewed_since).
        let fresh_only = req.force_refresh || !req.claims.is_empty() || !req.cache_lookup_policy.uses_access_token();
        let started_s = self.now_s();
        let since = if fresh_only { started_s } else { 0 };
        // The token this tab sees now: after waiting, only a different one counts as "renewed by
        // another tab" (cached_at has only second resolution).
        let seen_before = self.token_renewed_since(req, 0).ok().flatten().map(|r| r.access_token);
        // A tab that renewed a token this call could be served shows this mark for a while after
        // it let go of the lock (its value: when that renewal began if it rotated the account's
        // refresh token, else 0).
        let renewed_any = [name.as_str(), ".renewed."].concat();
        let renewed_mark = [renewed_any.as_str(), &self.renewal_of(req)].concat();
        let uncontended = self.platform.lock(&name, 0).await;
        let waited = uncontended.is_none();
        // A holder that kept this lock past its bound a while ago is waited for briefly only:
        // long enough for a tab that renews as usual, which then hands its result over.
        let now = self.platform.now_ms();
        let given_up = self.locks_given_up.borrow().iter().any(|(n, until)| *n == name && now < *until);
        let bound = self.config.renewal_lock_wait_ms();
        let _lock = match uncontended {
            Some(lock) => Some(lock),
            None => self.platform.lock(&name, if given_up { bound.min(RENEWED_MARK_MS).min(bound / 2) } else { bound }).await,
        };
        if _lock.is_some() {
            // (Its holder let go: waited for in full again.)
            crate::core::retain(&mut self.locks_given_up.borrow_mut(), &mut |(n, until)| *n != name && now < *until);
            // Another client of this page may have renewed in the sessionStorage we share (its
            // message may still be on its way): read what it wrote before renewing.
            if self.config.cache_location == CacheLocation::SessionStorage {
                self.mark_stale();
            }
        } else if waited {
            // The holder never let go (a hung tab, or a page of the origin holding our lock
            // name): renew alone rather than wait forever; for the next 5 minutes, after a
            // short wait only.
            if !given_up {
                self.locks_given_up.borrow_mut().push((name.clone(), now.saturating_add(LOCK_GIVEN_UP_MS)));
            }
            self.log(
                LogLevel::Warning,
                &req.correlation_id,
                "renewal: another holder kept this account's renewal lock past its bound; renewing without it",
            );
            return self.cache_or_refresh(req).await;
        }
        // Another tab renewed these scopes while we waited for the lock, or (unless this is a
        // forceRefresh, which wants a token newer than its own start) just before we took it: its
        // result is on its way (usually already here; on a loaded machine the message can trail
        // the lock by a few hundred ms). A mark is held before its lock is let go, so without
        // one nothing comes (the holder failed, or renewed other scopes of the account) and this
        // tab renews at once. (Both waits below share one bound.)
        let until = self.platform.now_ms().saturating_add(RENEWED_MARK_MS);
        let rotated_elsewhere = self.platform.marked_elsewhere_under(&renewed_any).await;
        let mut renewed_mark_value = None;
        if rotated_elsewhere.is_some() && (waited || !fresh_only) {
            while self.platform.now_ms() < until {
                let first = renewed_mark_value.is_none();
                renewed_mark_value = self.platform.marked_elsewhere(&renewed_mark).await;
                let Some(ms) = renewed_mark_value else { break };
                if first {
                    self.log(LogLevel::Verbose, &req.correlation_id, "renewal: another tab renewed these scopes; waiting for its result");
                }
                let renewed = self.token_renewed_since(req, since)?;
                if let Some(hit) = renewed.filter(|h| !fresh_only || seen_before.as_ref() != Some(&h.access_token)) {
                    return Ok(hit);
                }
                // A forceRefresh that already holds that renewal's result (seen before it began,
                // so not new enough) renews itself.
                if fresh_only && self.holds_refresh_token_of(req, ms) {
                    break;
                }
                self.platform.wait_for_tabs(RENEWAL_HANDOFF_POLL_MS).await;
            }
        }
        // A tab that renewed just before, these scopes or others of the account, rotated the
        // refresh token (its mark's value: when its renewal began); this tab may not see the
        // new one yet and must not present the one that tab spent (a forceRefresh renews again
        // right after another tab's renewal).
        if let Some(rotated_ms) = rotated_elsewhere.max(renewed_mark_value) {
            while !self.holds_refresh_token_of(req, rotated_ms) && self.platform.now_ms() < until {
                self.platform.wait_for_tabs(RENEWAL_HANDOFF_POLL_MS).await;
            }
        }
        // Nobody renewed: a forceRefresh refreshes; otherwise the cache (possibly filled by
        // another tab's earlier renewal) is tried first. The mark then tells the others whether
        // this renewal rotated the refresh token, and from when.
        let before_ms = self.platform.now_ms().max(1);
        let result = self.cache_or_refresh(req).await;
        if let Some(r) = result.as_ref().ok().filter(|r| !r.from_cache) {
            // (The mark's value: when the renewal began, or just before its token's stamp when
            // that is later, the clock having stepped back since the token it replaced.)
            let rotated = self.refresh_token_written_ms(req).filter(|ms| *ms > before_ms).map(|ms| before_ms.max(ms - 1));
            // A result the others could not be served (without an access token, as B2C's to
            // OpenID scopes alone; or granted fewer scopes than asked): only the account's
            // mark, for the rotation.
            let serves = !r.access_token.secret().is_empty()
                && req.options.store.access_token
                && ScopeSet::new(&r.scopes).contains_all(&ScopeSet::new(&req.scopes).for_cache_search());
            let mark = if serves { &renewed_mark } else { &renewed_any };
            self.platform.mark(mark, rotated.unwrap_or(0), RENEWED_MARK_MS).await;
        }
        result
    }

    /// What a renewal's access token is looked up by besides its account, for its mark: a tab
    /// waits only for another's renewal it could be served (the same scopes, as a cached token
    /// is looked up by them, ["User.Read", "openid"] being ["User.Read"]; the same authority
    /// and tenant profile asked for, resource, scheme and attribute tokens).
    fn renewal_of(&self, req: &SilentRequest) -> String {
        let scopes = ScopeSet::new(&req.scopes).for_cache_search().to_lower_string();
        let authority = req.authority.as_deref().unwrap_or_default();
        let tenant = req.account.as_ref().and_then(|a| a.tenant_id.as_deref()).unwrap_or_default();
        let resource = req.options.resource.as_deref().unwrap_or_default();
        let scheme = req.authentication_scheme.token_type();
        [scopes.as_str(), "|", authority, "|", tenant, "|", resource, "|", scheme, "|", &req.options.attribute_partition()].concat()
    }

    /// Whether this tab may present its refresh token after a renewal that began at
    /// `rotated_ms` and rotated it (`0`: it did not rotate it): it holds one written after that
    /// (a renewal writes after its request; the one before it may have written as it began),
    /// or none at all.
    fn holds_refresh_token_of(&self, req: &SilentRequest, rotated_ms: u64) -> bool {
        rotated_ms == 0 || self.refresh_token_written_ms(req).is_none_or(|ms| ms > rotated_ms)
    }

    /// When this tab's refresh token for the request's account was written (ms), if it has one.
    fn refresh_token_written_ms(&self, req: &SilentRequest) -> Option<u64> {
        self.sync();
        let (account, _) = self.silent_account(req).ok()?;
        let envs = &self.cloud_of(&account.environment).aliases;
        self.cache.borrow().find_refresh_token(&account.home_account_id, envs, true).map(|c| c.last_updated_at)
    }

    /// The cached access token (per policy), then the refresh token. Fails with an
    /// `InteractionRequired` error when neither works.
    async fn cache_or_refresh(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        if let Some(hit) = self.acquire_token_silent_cached(req)? {
            return Ok(hit);
        }
        if matches!(req.cache_lookup_policy, CacheLookupPolicy::AccessToken | CacheLookupPolicy::Unknown) {
            return Err(refresh_required(req));
        }
        if !req.cache_lookup_policy.uses_refresh_token() {
            return Err(AuthError::new(ErrorKind::InteractionRequired, codes::NO_TOKENS_FOUND, "the policy skips the cached tokens"));
        }
        self.refresh(req).await
    }

    /// Silent requests for every cached Bearer access token that has expired (with the renewal
    /// offset) or is due for msal's proactive refresh, for accounts that have a refresh token.
    /// Timers cannot be trusted after sleep or in background tabs: call this when the page
    /// wakes up. Each token is handed out once: one whose renewal failed (a refused scope, a
    /// provider session that ended) is left to the app's next call for it, not asked for again
    /// at every wake. (A bound token's renewal needs its scheme and key: the app's call.)
    pub fn due_renewals(&self) -> Vec<SilentRequest> {
        self.sync();
        let now = self.now_s();
        // Another cloud's tokens are renewed at the authority the app names for them, by its
        // own next call (with `auth.instanceAware`, at that cloud: see `silent_authority`).
        let own = self.cloud_of(self.authority.host());
        let cache = self.cache.borrow();
        // A token due at the last wake was handed out then (a renewal replaces it); one due
        // before the page loaded is left to the app's call for it (a resource it may no longer
        // use; renewed here, it would delay the app's first call after the wake).
        let last = self.woken_s.replace(now);
        let offset = self.config.token_renewal_offset_secs;
        let mut out: Vec<SilentRequest> = Vec::new();
        for c in cache.credentials() {
            let due = c.credential_type == crate::core::cache::CredentialType::AccessToken
                && last.saturating_add(offset) < c.expires_on
                && c.client_id == self.config.client_id
                && (self.config.instance_aware || own.has_alias(&c.environment))
                && is_expired(c, now, offset)
                && cache.find_refresh_token(&c.home_account_id, &self.cloud_of(&c.environment).aliases, true).is_some();
            if due {
                let account = AccountRef {
                    environment: c.environment.clone(),
                    ..AccountRef::in_tenant(c.home_account_id.clone(), Some(c.realm.clone()))
                };
                // (The cache first: one the app renewed meanwhile is not renewed again.)
                out.push(SilentRequest {
                    scopes: c.scopes.iter().map(str::to_owned).collect(),
                    account: Some(account),
                    cache_lookup_policy: CacheLookupPolicy::AccessTokenAndRefreshToken,
                    ..SilentRequest::default()
                });
            }
        }
        out
    }

    /// The next [`due_renewals`](Self::due_renewals) hands out every due token again (a wake's
    /// renewal got no answer: the page was offline).
    pub fn wake_again(&self) {
        self.woken_s.set(self.loaded_s);
    }

    /// A wake's renewals ([`due_renewals`](Self::due_renewals)), one at a time, each after the
    /// calls the app made meanwhile: the app's first call after a wake waits for one renewal
    /// of its account at most, not for all of them. One that failed for a while only
    /// ([`AuthError::is_transient`]: offline, a gateway's page, a 5xx) is handed out again at
    /// the next wake; the others go on (a failure of
    /// one token's host holds up no other). `renewed` hears of each token renewed.
    pub async fn renew_due(&self, renewed: impl Fn()) {
        for req in self.due_renewals() {
            match self.acquire_token_silent_network(&req).await {
                Ok(r) if !r.from_cache => renewed(),
                Err(e) if e.is_transient() => self.wake_again(),
                _ => {}
            }
            // The calls this renewal held up (woken before this task) take the account's turn
            // before the next one.
            let mut yielded = false;
            ::core::future::poll_fn(|cx| {
                if ::core::mem::replace(&mut yielded, true) {
                    return Poll::Ready(());
                }
                cx.waker().wake_by_ref();
                Poll::Pending
            })
            .await;
        }
    }
}

/// msal's `checkIfRefreshTokenErrorCanBeResolvedSilently`: a hidden frame may help when the
/// refresh token is missing, expired or refused (`invalid_grant` the server does not say needs
/// the user, or says so only with `bad_token`); an error that needs the user (a claims
/// challenge, `interaction_required`, a `basic_action`) goes to the app as it came. With a
/// generic provider (`oidc`), also its `invalid_scope`: a refresh token holds only the scopes
/// it was granted for (RFC 6749 §6), where Entra's serves any resource; msal's dead end.
fn frame_may_resolve(e: &AuthError, oidc: bool) -> bool {
    let replace_token = (!e.is_interaction_required() || e.sub_error() == "bad_token") && e.is_invalid_grant();
    replace_token || matches!(e.code(), codes::NO_TOKENS_FOUND | codes::REFRESH_TOKEN_EXPIRED) || (oidc && e.code() == "invalid_scope")
}

/// msal's answer to a request for the cached access token alone (`CacheLookupPolicy.AccessToken`)
/// when there is none to serve: `token_refresh_required`, a `ClientAuthError`.
fn refresh_required(req: &SilentRequest) -> AuthError {
    AuthError::client(codes::TOKEN_REFRESH_REQUIRED, "no valid access token in the cache and the policy forbids the network")
        .with_correlation_id(req.correlation_id.clone())
}

/// A silent result as its caller gets it (one flight may serve several): the caller's
/// correlation id (when it named one) and state, as msal's `acquireTokenSilent`.
fn for_caller(req: &SilentRequest, mut r: AuthenticationResult) -> AuthenticationResult {
    if !req.correlation_id.is_empty() {
        r.correlation_id.clone_from(&req.correlation_id);
    }
    r.state.clone_from(&req.state);
    r
}
