//! Interactive requests: the interaction lock, the authorize request and its response, redirects.

use crate::prelude::*;

use super::*;

/// What a page load does with a redirect response: see
/// [`begin_handle_redirect`](PublicClientApplication::begin_handle_redirect). Its `Debug`
/// shows no response: that carries the code and the state.
#[derive(Clone, PartialEq, Eq)]
pub enum RedirectStart {
    /// No response of ours.
    None,
    /// A redirect response nobody waits for (a stale address, a sign-in of another tab): as
    /// msal, it leaves the address (replace it with `clean_url`); nothing else to do.
    Stale {
        /// The page address without the response.
        clean_url: String,
    },
    /// Back from a redirect sign-out, which is now over (replace the address with
    /// `clean_url`, when given: it held the end-session page's state).
    SignedOut {
        /// The page address without the state.
        clean_url: Option<String>,
    },
    /// An earlier call of this client is redeeming the response of its redirect sign-in:
    /// nothing to do (the result goes to that call).
    Redeeming,
    /// Redeem `response` here (after replacing the address with `clean_url`, when given).
    Redeem {
        /// The response (`#code=…&state=…`).
        response: String,
        /// The page address without the response.
        clean_url: Option<String>,
    },
    /// The response was stashed; go to `url`, the page the sign-in started from, where it is
    /// redeemed (after replacing the address with `clean_url`).
    Navigate {
        /// The start page.
        url: String,
        /// The page address without the response.
        clean_url: Option<String>,
    },
    /// This client's sign-in lock was held with no redirect request saved (a popup of this
    /// page before it was reloaded): the lock is released and the call fails with
    /// [`no_request_error`](PublicClientApplication::no_request_error), after replacing the
    /// address with `clean_url`, when given (as msal, a redirect response in the fragment goes).
    Refused {
        /// The page address without the response.
        clean_url: Option<String>,
    },
}

impl ::core::fmt::Debug for RedirectStart {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        match self {
            RedirectStart::None => f.write_str("None"),
            RedirectStart::Stale { clean_url } => f.debug_struct("Stale").field("clean_url", clean_url).finish(),
            RedirectStart::SignedOut { clean_url } => f.debug_struct("SignedOut").field("clean_url", clean_url).finish(),
            RedirectStart::Redeeming => f.write_str("Redeeming"),
            RedirectStart::Redeem { clean_url, .. } => {
                f.debug_struct("Redeem").field("response", &"[redacted]").field("clean_url", clean_url).finish()
            }
            RedirectStart::Navigate { url, clean_url } => {
                f.debug_struct("Navigate").field("url", url).field("clean_url", clean_url).finish()
            }
            RedirectStart::Refused { clean_url } => f.debug_struct("Refused").field("clean_url", clean_url).finish(),
        }
    }
}

/// A popup between its opening and its response: see
/// [`open_popup`](PublicClientApplication::open_popup).
pub struct PopupStarted<P: Platform> {
    stage: PopupStage,
    popup: P::Popup,
    /// The client's take-over count when the popup opened.
    takeovers: u32,
}

/// Where a popup's request is when the popup opened.
#[derive(Debug)]
enum PopupStage {
    /// Built: the popup shows the authorize page.
    Ready(PendingAuth),
    /// Waiting for the endpoints of the request's authority: the popup shows `about:blank`
    /// until they are fetched (the interaction lock is already held). With the outcome of the
    /// popup origin check when it opened (its parent window is known then only).
    Unresolved(InteractiveRequest, bool),
}

impl<P: Platform> ::core::fmt::Debug for PopupStarted<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("PopupStarted").field("stage", &self.stage).finish_non_exhaustive()
    }
}

impl<P: Platform> PopupStarted<P> {
    /// The request's correlation id.
    pub fn correlation_id(&self) -> &str {
        match &self.stage {
            PopupStage::Ready(p) => &p.correlation_id,
            PopupStage::Unresolved(r, _) => &r.correlation_id,
        }
    }

    /// The popup window (msal's `POPUP_OPENED` event carries it).
    pub fn window(&self) -> &P::Popup {
        &self.popup
    }
}

impl<P: Platform> PublicClientApplication<P> {
    /// The interaction in progress in this tab, if any (any client).
    pub fn interaction_in_progress(&self) -> bool {
        self.interaction_lock().is_some()
    }

    /// The tab's interaction lock (`{clientId, type, startedAt, leaseUntil}`), if one is held.
    /// msal-browser's `{clientId, type}` of another client (a page of the origin still on
    /// msal-browser, which honours ours) is its lock: it is honoured, given a lease so that one
    /// left behind expires. Anything else under its key — garbage, this client's in another
    /// library's format (an app that switched mid-redirect), msal v3's bare client id — would
    /// block sign-in until the tab closes: it is removed, with a warning.
    fn interaction_lock(&self) -> Option<Json> {
        let temp = self.platform.temp_store();
        let held = temp.get(INTERACTION_STATUS_KEY)?;
        let lock =
            Json::parse(&held).ok().filter(|j| j.str_field("clientId").is_some_and(|c| !c.is_empty()) && j.str_field("type").is_some());
        let lock = match lock {
            Some(j)
                if j.get("leaseUntil").and_then(Json::as_u64).is_none()
                    && j.str_field("clientId") != Some(self.config.client_id.as_str()) =>
            {
                let leased = j.with("leaseUntil", self.platform.now_ms().saturating_add(REDIRECT_LEASE_MS));
                // (A lease the storage refuses would be new at every look: removed then.)
                let kept = temp.set(INTERACTION_STATUS_KEY, &leased.to_json()).is_ok();
                if kept {
                    self.log(
                        LogLevel::Verbose,
                        "",
                        "another client's interaction (msal-browser's format) holds the lock: honoured, with a lease",
                    );
                }
                kept.then_some(leased)
            }
            lock => lock.filter(|j| j.get("leaseUntil").and_then(Json::as_u64).is_some()),
        };
        if lock.is_none() {
            temp.remove(INTERACTION_STATUS_KEY);
            self.log(
                LogLevel::Warning,
                "",
                "removed an interaction status this library did not write (garbage or another library's format)",
            );
        }
        lock
    }

    /// Fails with `interaction_in_progress` while an interaction of the tab (any client's) holds
    /// the lock and its lease runs. msal checks this before an interactive call sends any event.
    pub fn ensure_no_interaction(&self) -> Result<(), AuthError> {
        match self.interaction_lock() {
            Some(held) if !lease_over(&held, self.platform.now_ms()) => Err(interaction_busy()),
            _ => Ok(()),
        }
    }

    /// msal's checks of the page before a token call (`preflightCheck`) and, with `redirect`,
    /// before a redirect (`redirectPreflightCheck`): a hidden frame whose address holds a
    /// response does not start another request (`block_iframe_reload`), nor does the page a
    /// popup response loaded in the popup (`block_nested_popups`); no redirect from inside a
    /// frame unless the configuration allows it (`redirect_in_iframe`) or with a memory cache, which the redirect would lose
    /// (`in_mem_redirect_unavailable`).
    pub fn preflight(&self, redirect: bool) -> Result<(), AuthError> {
        let page = self.platform.page_url();
        let (hash, query) = crate::core::url::response_parts(&page);
        let in_frame = self.platform.in_frame();
        if in_frame && hash.is_some() {
            return Err(AuthError::browser(codes::BLOCK_IFRAME_RELOAD, "a hidden frame holding a response does not start a request"));
        }
        let popup_response = || {
            let response = AuthorizeResponse::parse(hash.or(query)?).ok()?;
            RequestState::parse(&response.state).ok().filter(|s| s.interaction_type == InteractionType::Popup)
        };
        if !in_frame && popup_response().is_some() {
            return Err(AuthError::browser(codes::BLOCK_NESTED_POPUPS, "the page a popup response loaded does not request tokens"));
        }
        if redirect && in_frame && !self.config.allow_redirect_in_iframe {
            return Err(AuthError::browser(codes::REDIRECT_IN_IFRAME, "redirects are not supported inside a frame"));
        }
        if redirect && self.config.cache_location == CacheLocation::MemoryStorage && !self.config.unknown_cache_location {
            return Err(AuthError::new(
                ErrorKind::BrowserConfiguration,
                codes::IN_MEM_REDIRECT_UNAVAILABLE,
                "a redirect needs sessionStorage or localStorage: the memory cache would not survive it",
            ));
        }
        Ok(())
    }

    pub(super) fn take_interaction_lock(&self, kind: &str, itype: InteractionType) -> Result<(), AuthError> {
        self.take_interaction_lock_over(kind, itype, false)
    }

    /// [`take_interaction_lock`](Self::take_interaction_lock); with `take_over` (msal's
    /// `overrideInteractionInProgress`), a held lock is taken too and the popups waiting under
    /// it end with `interaction_in_progress_cancelled`.
    fn take_interaction_lock_over(&self, kind: &str, itype: InteractionType, take_over: bool) -> Result<(), AuthError> {
        let temp = self.platform.temp_store();
        let now = self.platform.now_ms();
        if let Some(held) = self.interaction_lock() {
            // A lock whose lease ran out was left by an interaction that will never finish
            // (a popup whose page died, a redirect the app never completed): take it over.
            if lease_over(&held, now) {
                self.log(LogLevel::Warning, "", "cleared an interaction lock whose lease had expired");
                // (An interaction of this client still running under it, a popup whose timer
                // slept with the computer, ends and must not release ours.)
                self.takeovers.set(self.takeovers.get().wrapping_add(1));
                self.platform.cancel_popup_waits();
            } else if take_over {
                self.log(
                    LogLevel::Warning,
                    "",
                    "overrideInteractionInProgress: took the interaction lock over; the interaction holding it is cancelled",
                );
                self.takeovers.set(self.takeovers.get().wrapping_add(1));
                self.platform.cancel_popup_waits();
            } else {
                return Err(interaction_busy());
            }
        }
        // (A legacy-polled popup has no timeout: it holds the lock as long as a redirect may.)
        let lease = match itype {
            InteractionType::Redirect => REDIRECT_LEASE_MS,
            _ if self.config.polls_popups() => REDIRECT_LEASE_MS,
            _ => self.config.popup_timeout_ms.saturating_add(POPUP_LEASE_GRACE_MS),
        };
        let v = Json::object()
            .with("clientId", self.config.client_id.as_str())
            .with("type", kind)
            .with("startedAt", now)
            .with("leaseUntil", now.saturating_add(lease));
        temp.set(INTERACTION_STATUS_KEY, &v.to_json())
    }

    /// How many times this client's interaction lock was taken over (`overrideInteractionInProgress`,
    /// an expired lease) or cleared (`clear_cache`): an interaction started before a change no
    /// longer holds it.
    pub fn interaction_generation(&self) -> u32 {
        self.takeovers.get()
    }

    /// True while this client (not another one of the tab) has an interaction in progress.
    pub fn own_interaction_in_progress(&self) -> bool {
        self.interaction_lock_type().is_some()
    }

    /// The `type` of the interaction lock, when this client holds it.
    pub(super) fn interaction_lock_type(&self) -> Option<String> {
        let held = self.interaction_lock()?;
        if held.str_field("clientId") != Some(self.config.client_id.as_str()) {
            return None;
        }
        held.str_field("type").map(str::to_owned)
    }

    pub(super) fn release_interaction_lock(&self) {
        if self.interaction_lock_type().is_some() {
            self.platform.temp_store().remove(INTERACTION_STATUS_KEY);
        }
    }

    /// The redirect URI of a request: the request's, else the configured one, else the page
    /// without query and fragment; a relative one is made absolute on the page's origin (msal's
    /// `getRedirectUri`).
    pub(super) fn redirect_uri(&self, requested: &str) -> String {
        self.absolute_uri(&[requested, &self.config.redirect_uri])
    }

    /// The redirect URI a request names, made absolute against the page; none (`""`) when it
    /// names none (a refresh, a code obtained elsewhere: msal sends one only then).
    pub(super) fn named_redirect_uri(&self, requested: &str) -> String {
        if requested.is_empty() {
            String::new()
        } else {
            self.redirect_uri(requested)
        }
    }

    /// The first non-empty of `candidates`, else the page without query and fragment, made
    /// absolute against the page.
    pub(super) fn absolute_uri(&self, candidates: &[&str]) -> String {
        let page = self.platform.page_url();
        self.absolute_uri_or(candidates, crate::core::url::without_query(&page))
    }

    /// The first non-empty of `candidates`, else `fallback`, made absolute against the page.
    fn absolute_uri_or(&self, candidates: &[&str], fallback: &str) -> String {
        let page = self.platform.page_url();
        let uri = candidates.iter().copied().find(|c| !c.is_empty()).unwrap_or(fallback);
        crate::core::url::absolute_url(uri, crate::core::url::without_query(&page))
    }

    pub(super) fn temp_key(&self, name: &str) -> String {
        ["msal.", &self.config.client_id, ".", name].concat()
    }

    /// The page a redirect returns to: the request's `redirectStartPage`, else `origin`, else
    /// the page (msal's `window.location.href`), made absolute.
    pub(super) fn redirect_start_page(&self, requested: &str, origin: &str) -> String {
        self.absolute_uri_or(&[requested, origin], &self.platform.page_url())
    }

    /// Starts an interactive (or hidden-iframe) request: builds PKCE, state, nonce and the
    /// authorize URL. Popup and redirect take the interaction lock; a redirect also persists
    /// the request in the temporary store for [`handle_redirect`](Self::handle_redirect).
    /// Synchronous: a popup can be opened right after, inside the user's click. When the
    /// endpoints of the request's authority (the configured one without it) are not known yet
    /// (no built-in, configured or stored discovery document), it fails with
    /// `endpoints_resolution_error`: await [`resolve_authority`](Self::resolve_authority) first.
    pub fn begin_interaction(&self, req: &InteractiveRequest, itype: InteractionType, origin: &str) -> Result<PendingAuth, AuthError> {
        if req.authentication_scheme.is_bound() {
            return Err(AuthError::config(
                codes::UNSUPPORTED_AUTHENTICATION_SCHEME,
                "a DPoP sign-in starts with begin_redirect, open_popup or sso_silent (its key is made asynchronously)",
            ));
        }
        self.begin_bound(req, itype, origin, None, false)
    }

    fn begin_bound(
        &self,
        req: &InteractiveRequest,
        itype: InteractionType,
        origin: &str,
        binding: Option<dpop::Binding>,
        locked: bool,
    ) -> Result<PendingAuth, AuthError> {
        let target = self.target_now(self.interactive_authority(req).as_deref())?.ok_or_else(|| {
            AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the endpoints of the request's authority are not resolved yet")
        })?;
        let pending = self.build_pending(req, "", itype, origin, &target, binding)?;
        if itype != InteractionType::Silent && !locked {
            self.take_interaction_lock(SIGNIN, itype)?;
        }
        if itype == InteractionType::Redirect {
            let saved = pending.to_session();
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

    /// Starts a redirect (msal's `loginRedirect`/`acquireTokenRedirect` up to the navigation):
    /// resolves the request's authority, then as [`begin_interaction`](Self::begin_interaction).
    /// Navigate to the returned request's `url`.
    /// After [`lock_redirect`](Self::lock_redirect), it uses the lock that call took, and
    /// releases it when it fails.
    pub async fn begin_redirect(&self, req: &InteractiveRequest, origin: &str) -> Result<PendingAuth, AuthError> {
        let locked = self.redirect_locked.replace(false);
        let begun = self.begin_redirect_under(req, origin, locked).await;
        if locked && begun.is_err() {
            self.release_interaction_lock();
        }
        begun
    }

    async fn begin_redirect_under(&self, req: &InteractiveRequest, origin: &str, locked: bool) -> Result<PendingAuth, AuthError> {
        self.preflight(true)?;
        self.resolve_authority(self.interactive_authority(req).as_deref()).await?;
        let binding = self.bind(&req.authentication_scheme, req.account.as_ref()).await?;
        // As msal: a key the next page will not find (this page's memory only: no IndexedDB)
        // fails the redirect before the page leaves, not once the user has signed in.
        if binding.as_ref().is_some_and(|b| !self.platform.binding_key_lasts(&b.kid)) {
            self.unbind(binding.as_ref()).await;
            return Err(AuthError::browser(
                codes::CRYPTO_KEY_NOT_FOUND,
                "the DPoP key cannot be kept for the redirect's next page (no IndexedDB)",
            ));
        }
        let begun = self.begin_bound(req, InteractionType::Redirect, origin, binding.clone(), locked);
        match &begun {
            Ok(p) => self.log(LogLevel::Verbose, &p.correlation_id, "redirect: leaving for the authorize request"),
            Err(_) => self.unbind(binding.as_ref()).await,
        }
        begun
    }

    /// The synchronous start of msal's `acquireTokenRedirect`: the page's preflight checks, the
    /// MCP resource rule, then the interaction lock, so that a second sign-in or sign-out
    /// started right after is refused at once, before it sends any event (as msal, which takes
    /// the lock before its first `await`). The next [`begin_redirect`](Self::begin_redirect)
    /// goes on under this lock.
    pub fn lock_redirect(&self, req: &InteractiveRequest) -> Result<(), AuthError> {
        self.preflight(true)?;
        self.check_resource(&req.options, &req.extra_query_parameters)?;
        self.take_interaction_lock(SIGNIN, InteractionType::Redirect)?;
        self.redirect_locked.set(true);
        Ok(())
    }

    /// msal's `enforceResourceParameter` (with `auth.isMcp`, every token request names its
    /// `resource`), as its calls check it before their first event.
    pub fn check_resource(&self, options: &TokenOptions, extra_query_parameters: &[(String, String)]) -> Result<(), AuthError> {
        options.enforce_resource(self.config.is_mcp, extra_query_parameters)
    }

    /// Runs `build` (synchronous: nothing else runs meanwhile) with the popup origin check's
    /// outcome taken when the popup opened, from its parent window.
    pub(super) fn with_origin_check<T>(&self, origin_ok: bool, build: impl FnOnce() -> T) -> T {
        self.popup_origin.set(Some(origin_ok));
        let built = build();
        self.popup_origin.set(None);
        built
    }

    /// msal 5's `pocd=1` for authorize and end-session requests: sent when the page passes the
    /// popup origin check (no window of another origin can reach its popups, so Entra may leave
    /// Cross-Origin-Opener-Policy off its pages), or always with `auth.originCheck: false`.
    /// Through a relay page, a popup always sends it (msal): the provider's window is then the
    /// relay page's own popup, which no other window can reach.
    pub(super) fn popup_origin_checked(&self, itype: InteractionType) -> Vec<(String, String)> {
        let relayed = itype == InteractionType::Popup && self.config.popup_relay.is_some();
        if !relayed && self.config.origin_check && !self.popup_origin.get().unwrap_or_else(|| self.platform.origin_check()) {
            return Vec::new();
        }
        alloc::vec![("pocd".to_owned(), "1".to_owned())]
    }

    /// The authority `req` goes to: its own; else, for a cached account's guest tenant profile,
    /// that tenant's, as a silent call for it goes there (see `tenant_authority`), so the user
    /// signs in where the silent call needs them; else the configured one. For an
    /// instance-aware request for an account of another cloud, that cloud's (see
    /// [`account_authority`](Self::account_authority)).
    fn interactive_authority(&self, req: &InteractiveRequest) -> Option<String> {
        let environment = req.account.as_ref().map_or("", |a| a.environment.as_str());
        let own = match (&req.authority, &req.account) {
            (None, Some(r)) => {
                self.sync();
                let cache = self.cache.borrow();
                let account = self.find_account(&cache, &r.home_account_id, &r.environment);
                account.and_then(|a| self.tenant_authority(None, a, r.tenant_id.as_deref()))
            }
            (own, _) => own.clone(),
        };
        self.account_authority(own.as_deref(), &req.extra_query_parameters, environment)
    }

    /// The authorize request for `req` at `target`: PKCE, state, nonce and the URL, under
    /// `correlation_id` (the request's, else a new one, when empty).
    fn build_pending(
        &self,
        req: &InteractiveRequest,
        correlation_id: &str,
        itype: InteractionType,
        origin: &str,
        target: &Target,
        binding: Option<dpop::Binding>,
    ) -> Result<PendingAuth, AuthError> {
        let metadata = &target.metadata;
        req.options.enforce_resource(self.config.is_mcp, &req.extra_query_parameters)?;
        let redirect_uri = self.redirect_uri(&req.redirect_uri);
        if redirect_uri.is_empty() {
            return Err(AuthError::config(codes::REDIRECT_URI_EMPTY, "a redirectUri is required"));
        }
        let start_page = self.redirect_start_page(&req.redirect_start_page, origin);
        // A start page the app names must be a page of this origin (msal-angular's guard and
        // interceptor name one); the page itself (the default) is taken as it is, as msal
        // takes `window.location.href`. A browser extension's or a hybrid app's page
        // (`chrome-extension://`, `capacitor://`) signs in by redirect through
        // `onRedirectNavigate`; its origin is its scheme and authority (the saved start page
        // is followed only when it is on this origin, see begin_handle_redirect).
        let named = !req.redirect_start_page.is_empty() || !origin.is_empty();
        if itype == InteractionType::Redirect
            && named
            && !start_page.is_empty()
            && !crate::core::url::on_start_origin(&start_page, &self.platform.page_url())
        {
            return Err(AuthError::config(codes::INVALID_REDIRECT_START_PAGE, Kept("redirectStartPage must be a page of this origin")));
        }
        let correlation_id = [correlation_id, &req.correlation_id].into_iter().find(|c| !c.is_empty());
        let correlation_id = match correlation_id {
            Some(c) => c.to_owned(),
            None => self.guid()?,
        };
        let mut entropy = [0u8; pkce::VERIFIER_ENTROPY];
        self.platform.fill_random(&mut entropy)?;
        let verifier = pkce::verifier_from_entropy(&entropy)?;
        let nonce = if req.nonce.is_empty() { self.guid()? } else { req.nonce.clone() };
        let rs = RequestState { id: self.guid()?, interaction_type: itype, user_state: req.state.clone() };
        let state = rs.encode();
        let scopes = self.wire_scopes(&req.scopes);
        // msal asks consent for extraScopesToConsent with the request's scopes, and redeems the
        // code for the request's scopes only.
        let mut consent = ScopeSet::new(&req.scopes);
        for s in &req.extra_scopes_to_consent {
            consent.insert(s);
        }
        let consent = consent.with_oidc_defaults(&self.config.default_scopes);
        let mut hints = HintSource { request_sid: req.sid.clone(), request_login_hint: req.login_hint.clone(), ..HintSource::default() };
        // As msal: the request's account, else (unless it names a login hint or a session) the
        // active account gives the hints.
        let account = match &req.account {
            Some(r) => {
                self.check_account_cloud(&target.authority, &r.environment)?;
                // What the app's object says (msal takes the hints from it), also for an account
                // the cache lacks; the anchor is its homeAccountId's uid@utid.
                hints.account_login_hint.clone_from(&r.login_hint);
                hints.account_sid.clone_from(&r.sid);
                hints.account_username.clone_from(&r.username);
                if !r.home_account_id.is_empty() {
                    let (uid, utid) = r.home_account_id.split_once('.').unwrap_or((&r.home_account_id, ""));
                    hints.account_oid_anchor = [uid, "@", utid].concat();
                }
                self.account_in(r)
            }
            None if req.login_hint.is_empty() && req.sid.is_empty() => self.active_account(),
            None => None,
        };
        if let Some(acc) = account {
            // The cached account's where the app's object has none (msal reads the object).
            let claims = acc.id_token_claims.clone().map(IdTokenClaims::from_json);
            let claim = |c: Option<&str>| c.unwrap_or_default().to_owned();
            fill_empty(&mut hints.account_login_hint, claim(claims.as_ref().and_then(|c| c.login_hint())));
            fill_empty(&mut hints.account_sid, claim(claims.as_ref().and_then(|c| c.sid())));
            fill_empty(&mut hints.account_username, acc.account.username.clone());
            fill_empty(&mut hints.account_oid_anchor, acc.account.oid_anchor());
        }
        let prompt = match req.prompt.clone() {
            Some(p @ (authorize::Prompt::None | authorize::Prompt::NoSession)) if itype == InteractionType::Silent => Some(p),
            Some(_) if itype == InteractionType::Silent => {
                // msal 5 (no longer silent_prompt_value_error).
                self.log(LogLevel::Warning, &correlation_id, "a silent request takes prompt none or no_session only; none is sent");
                Some(authorize::Prompt::None)
            }
            None if itype == InteractionType::Silent => Some(authorize::Prompt::None),
            p => p,
        };
        // A POST keeps extraQueryParameters in its action URL (msal).
        let mut extra = Vec::new();
        self.add_instance_aware(&mut extra, &req.extra_query_parameters);
        extra.append(&mut self.popup_origin_checked(itype));
        extra.append(&mut req.options.authorize_extra(if req.post { &[] } else { &req.extra_query_parameters }));
        if let Some(b) = binding.as_ref().filter(|b| matches!(b.scheme, AuthScheme::Dpop { .. })) {
            // The key the code will be redeemed with (RFC 9449 §10).
            extra.push(("dpop_jkt".to_owned(), b.kid.clone()));
        }
        let params = AuthorizeParams {
            endpoint: &metadata.authorization_endpoint,
            client_id: &self.config.client_id,
            scopes: &consent,
            redirect_uri: &redirect_uri,
            correlation_id: &correlation_id,
            response_mode: &self.config.response_mode,
            client_info: true,
            prompt,
            domain_hint: &req.domain_hint,
            hints: &hints,
            nonce: &nonce,
            state: &state,
            claims: &req.claims,
            client_capabilities: &self.config.client_capabilities,
            code_challenge: &pkce::challenge(&verifier),
            extra: &extra,
            // (As msal: not to a generic OpenID provider.)
            app: if self.config.protocol_mode == ProtocolMode::Oidc { AppTelemetry::NONE } else { &self.config.application },
        };
        let (url, form) = if req.post {
            let (action, fields) = authorize::authorize_form(&params, &req.extra_query_parameters)?;
            (action, Some(fields))
        } else {
            (authorize::authorize_url(&params)?, None)
        };
        Ok(PendingAuth {
            url,
            form,
            interaction_type: itype,
            state_id: rs.id,
            correlation_id,
            state: State::new(state),
            verifier,
            nonce: Nonce::new(nonce),
            scopes,
            redirect_uri,
            user_state: req.state.clone(),
            origin: start_page,
            authority: target.authority.canonical().to_owned(),
            binding,
            options: req.options.clone(),
            claims: req.claims.clone(),
            extra_query: req.extra_query_parameters.clone(),
            renewal: None,
        })
    }

    /// Ends an interaction that will not complete (popup closed, blocked, timed out).
    pub fn abort_interaction(&self, pending: &PendingAuth) {
        self.abort_interaction_of(pending.interaction_type);
    }

    /// Ends a redirect that will not come back (the user went back from the provider's page, the
    /// navigation failed): as [`abort_interaction`](Self::abort_interaction), and a DPoP key
    /// made for it goes with the next [`forget_orphan_keys`](Self::forget_orphan_keys), as
    /// msal removes it.
    pub fn abandon_redirect(&self, pending: &PendingAuth) {
        self.abort_interaction(pending);
        if let Some(b) = pending.binding.as_ref().filter(|b| b.new_key) {
            self.orphan_keys.borrow_mut().push(b.kid.clone());
        }
    }

    /// [`abort_interaction`](Self::abort_interaction) for a request of `interaction_type` whose
    /// [`PendingAuth`] was handed on (a native sign-in given up while it redeems its code).
    pub fn abort_interaction_of(&self, interaction_type: InteractionType) {
        if interaction_type != InteractionType::Silent {
            self.release_interaction_lock();
        }
        if interaction_type == InteractionType::Redirect {
            self.clear_redirect_state();
            // (A redemption given up half-way marks none any more.)
            self.redeeming.borrow_mut().clear();
        }
    }

    /// msal's storage `clear` for the tab's temporary entries: the interaction status (whoever
    /// holds it) and this client's saved redirect. An interaction still running under that
    /// lock ends without releasing the next one's.
    pub(super) fn clear_interaction_state(&self) {
        let temp = self.platform.temp_store();
        if temp.contains(INTERACTION_STATUS_KEY) {
            self.takeovers.set(self.takeovers.get().wrapping_add(1));
            temp.remove(INTERACTION_STATUS_KEY);
        }
        self.clear_redirect_state();
    }

    pub(super) fn clear_redirect_state(&self) {
        let temp = self.platform.temp_store();
        for k in ["request.params", "request.origin", "urlHash"] {
            temp.remove(&self.temp_key(k));
        }
    }

    /// Redeems the authorize response (`#code=…&state=…` or `?…`) of `pending`.
    pub async fn finish_interaction(&self, pending: PendingAuth, response: &str) -> Result<AuthenticationResult, AuthError> {
        self.finish_under(pending, response, self.takeovers.get()).await
    }

    /// [`finish_interaction`](Self::finish_interaction) of an interaction that began when the
    /// client's take-over count was `takeovers` (a popup's, when it opened).
    async fn finish_under(&self, pending: PendingAuth, response: &str, takeovers: u32) -> Result<AuthenticationResult, AuthError> {
        let result = self.finish_inner(&pending, response).await;
        // The lock (and a redirect's saved request) is another request's once one took the
        // interaction over meanwhile (overrideInteractionInProgress).
        if self.takeovers.get() == takeovers {
            self.abort_interaction(&pending);
        }
        if result.is_err() {
            self.unbind(pending.binding.as_ref()).await;
        }
        result.map_err(|e| e.with_call_correlation_id(&pending.correlation_id))
    }

    pub(super) async fn finish_inner(&self, pending: &PendingAuth, response: &str) -> Result<AuthenticationResult, AuthError> {
        let mut parsed = AuthorizeResponse::parse(response)?;
        let rs = RequestState::parse(&parsed.state)?;
        if rs.interaction_type != pending.interaction_type {
            return Err(AuthError::browser(codes::STATE_INTERACTION_TYPE_MISMATCH, "the response belongs to another kind of interaction"));
        }
        let cloud = core::mem::take(&mut parsed.cloud_instance_host_name);
        let graph = core::mem::take(&mut parsed.graph_hosts);
        let (code, client_info) = parsed.into_code(&pending.state)?;
        // msal: an instance-aware request's code is redeemed in the cloud the response names.
        let authority = self.cloud_authority(&pending.authority, &cloud, &pending.extra_query)?;
        let target = self.target(Some(authority.as_deref().unwrap_or(&pending.authority))).await?;
        let result = self
            .redeem_code(
                &target,
                (&pending.claims, &pending.extra_query),
                Grant::AuthorizationCode { code: &code, verifier: Some(&pending.verifier), redirect_uri: &pending.redirect_uri },
                pending.binding.as_ref(),
                Saving {
                    nonce: Some(&pending.nonce),
                    front_client_info: &client_info,
                    user_state: &pending.user_state,
                    graph_hosts: (&graph.0, &graph.1),
                    renewal: pending.renewal.as_deref(),
                    ..Saving::new(&pending.scopes, &pending.correlation_id, &pending.options)
                },
            )
            .await?;
        // A hidden frame's bound result is finished by its caller (each caller of a shared
        // silent call gets a proof of its own).
        if pending.interaction_type == InteractionType::Silent {
            return Ok(result);
        }
        self.with_proof(result, pending.binding.as_ref()).await
    }

    /// The correlation id of this client's redirect sign-in under way in this tab, if any (it
    /// holds the interaction lock and its request is saved).
    pub fn redirect_in_progress(&self) -> Option<String> {
        let signing_in = self.interaction_lock_type().is_some_and(|t| t == SIGNIN);
        signing_in.then(|| self.pending_redirect()).flatten().map(|p| p.correlation_id)
    }

    /// The redirect request saved in this tab, if any.
    pub fn pending_redirect(&self) -> Option<PendingAuth> {
        PendingAuth::from_session(&self.platform.temp_store().get(&self.temp_key("request.params"))?)
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

    /// The first, synchronous half of msal's `handleRedirectPromise` on a page load: finds this
    /// tab's redirect response — `given` (the app's hash, which msal-angular always passes),
    /// else the page address, else one stashed by an earlier page — and says what to do with
    /// it. A response of a popup or a hidden frame is not ours here (its opener reads it) and
    /// the page is left alone. As msal, a response in the address is cleaned from it whatever
    /// the app passed. With `navigate_to_login_request_url`, a response that arrived on another
    /// page than the one the sign-in started from is stashed and the browser goes back there
    /// (msal's default).
    /// Then [`handle_redirect`](Self::handle_redirect) redeems [`RedirectStart::Redeem`]'s
    /// response (or clears a stale redirect for [`RedirectStart::None`]).
    pub fn begin_handle_redirect(&self, given: Option<&str>, navigate_to_login_request_url: bool) -> Result<RedirectStart, AuthError> {
        // (Before anything is touched: the response stays for the call after initialize().)
        self.ensure_initialized()?;
        let page = self.platform.page_url();
        let (hash, query) = crate::core::url::response_parts(&page);
        // As msal: the query is read in query mode only (in fragment mode it may hold a redirect
        // sign-out's state, which the page keeps for the app).
        let query = query.filter(|_| self.config.response_mode == "query");
        let in_address = hash.is_some() || query.is_some();
        // This client's interaction lock, read once (nothing below takes or releases it before
        // it is read again).
        let own = self.interaction_lock_type();
        // (A sign-in's answer has a code or an error, its description alone too: a state alone
        // is a sign-out's return.)
        let redirect_response = |r: &str| {
            AuthorizeResponse::parse(r)
                .ok()
                .filter(|p| p.code.is_some() || p.is_error())
                .and_then(|p| RequestState::parse(&p.state).ok())
                .is_some_and(|s| s.interaction_type == InteractionType::Redirect)
        };
        // The address without the response: in fragment mode its fragment only (the query is
        // the app's, as msal's clearHash leaves it).
        let cleaned = || match query {
            Some(_) => crate::core::url::without_response(&page),
            None => text::until(&page, b"#").to_owned(),
        };
        if own.as_deref() == Some(SIGNOUT) {
            self.log(LogLevel::Verbose, "", "handleRedirectPromise: back from a redirect sign-out");
            // Back from a redirect sign-out (directly, or through the redirect bridge, which
            // stashed the end-session page's state): the sign-out is over.
            self.release_interaction_lock();
            self.clear_redirect_state();
            // As msal's clearHash: a response fragment goes, the query stays (the provider
            // returns the sign-out's `state` there, for the app to read; the app's own
            // parameters on its post-logout page too).
            let clean_url = hash.is_some().then(|| text::until(&page, b"#").to_owned());
            return Ok(RedirectStart::SignedOut { clean_url });
        }
        // (A hash the app gives that is a route, not a response: msal-angular gives its path,
        // `#/auth/callback?code=...` in query mode; the address then has the response.)
        let given = given.filter(|g| AuthorizeResponse::looks_like_response(g));
        let found = given.map(str::to_owned).or_else(|| hash.or(query).map(str::to_owned));
        // A response is consumed only while this client has a redirect in progress (as msal:
        // otherwise the address is left alone for whoever it belongs to — another client of
        // the page, or nobody). While it has one, a response that is not its own fails the
        // state check and is removed.
        let pending = self.pending_redirect().filter(|_| own.as_deref() == Some(SIGNIN));
        // (Its own state alone is its answer without a code, as msal takes it.)
        let ours = found.filter(|r| redirect_response(r) || pending.as_ref().is_some_and(|p| p.answers(r)));
        // A second call while the first redeems (an app's own call beside its framework's,
        // each with its own hash): the code is redeemed once.
        if pending.as_ref().is_some_and(|p| !p.state_id.is_empty() && *self.redeeming.borrow() == p.state_id) {
            self.log(LogLevel::Verbose, "", "handleRedirectPromise: an earlier call is redeeming this redirect's response");
            return Ok(RedirectStart::Redeeming);
        }
        let has_ours = ours.is_some();
        let Some(response) = ours.filter(|_| pending.is_some()) else {
            self.log(LogLevel::Trace, "", "handleRedirectPromise: no response to a redirect of this client in the address");
            // (A response kept without the saved request is dropped: there is nothing to redeem
            // it with, as msal, which then finds no request.)
            if let Some((response, p)) = self.take_stashed_response().zip(pending.as_ref()) {
                self.redeeming.borrow_mut().clone_from(&p.state_id);
                // The app's router moved the address before this call (a hash router's catch-all
                // took `#code=...` for a route): the start page's hash route is put back.
                let start = Some(p.origin.as_str()).filter(|_| navigate_to_login_request_url);
                let clean_url = start.and_then(|start| hash_route_back(start, &page));
                return Ok(RedirectStart::Redeem { response, clean_url });
            }
            // As msal: this client's sign-in lock with no redirect request saved is an
            // interaction that cannot finish (a popup of this page before it was reloaded):
            // the lock is released and the call fails. Not in a popup's or a frame's page
            // (their storage is a copy of the opener's).
            let elsewhere = self.platform.in_frame() || (!has_ours && in_address);
            // As msal 5's clearHash: a response in the fragment that nobody waits for leaves
            // the address, whatever its state (another app's, none: a bookmark, a stale link),
            // unless another client of the page has an interaction under way. Not a popup's or
            // a hidden frame's own answer: the bridge of its page reads it (msal does not clear
            // in those windows).
            let callback = |r: &str| {
                AuthorizeResponse::parse(r)
                    .ok()
                    .and_then(|p| RequestState::parse(&p.state).ok())
                    .is_some_and(|s| s.interaction_type != InteractionType::Redirect)
            };
            let stray = |r: &str| AuthorizeResponse::looks_like_response(r) && !callback(r);
            // (In a frame, as msal: left alone unless the app allows redirects in frames.)
            let framed = self.platform.in_frame() && !self.config.allow_redirect_in_iframe;
            let stale = !framed && hash.is_some_and(stray) && (own.is_some() || self.interaction_lock().is_none());
            // (Under a sign-in lock, `pending` is the saved redirect request.)
            if own.as_deref() == Some(SIGNIN) && pending.is_none() && !elsewhere {
                self.release_interaction_lock();
                return Ok(RedirectStart::Refused { clean_url: stale.then(cleaned) });
            }
            return Ok(if stale { RedirectStart::Stale { clean_url: cleaned() } } else { RedirectStart::None });
        };
        // Remove the code and state from the address bar before anything else, and the copy the
        // package kept when it was evaluated: another client of the page (same app) must find
        // no response to redeem again (as msal's, which finds the address clean).
        let mut clean_url = in_address.then(cleaned);
        let _ = self.take_stashed_response();
        let state_id = pending.as_ref().map(|p| p.state_id.clone()).unwrap_or_default();
        let start = pending.map(|p| p.origin).filter(|o| !o.is_empty());
        if let Some(start) = start.filter(|_| navigate_to_login_request_url) {
            let here = clean_url.as_deref().unwrap_or(&page);
            // (This page, with or without its response: never a navigation to itself.)
            let start_page = crate::core::url::comparable(&start);
            if start_page == crate::core::url::comparable(here) || start_page == crate::core::url::comparable(&page) {
                if let Some(back) = hash_route_back(&start, here) {
                    clean_url = Some(back);
                }
            } else if crate::core::url::on_start_origin(&start, &page) {
                // The saved start page is where the browser goes next: only ever a page of this
                // origin (sessionStorage is writable by any script of the origin).
                self.stash_redirect_response(&response)?;
                return Ok(RedirectStart::Navigate { url: start, clean_url });
            } else {
                self.log(LogLevel::Warning, "", "handleRedirectPromise: the saved start page is not on this origin; completing here");
            }
        }
        *self.redeeming.borrow_mut() = state_id;
        Ok(RedirectStart::Redeem { response, clean_url })
    }

    /// The error of [`RedirectStart::Refused`]: `no_token_request_cache_error`, as msal.
    pub fn no_request_error(&self) -> AuthError {
        AuthError::browser(
            codes::NO_TOKEN_REQUEST_CACHE_ERROR,
            "this client's interaction lock was held with no redirect request saved (a popup before the page was reloaded); it is released",
        )
    }

    /// msal's `handleRedirectPromise`: with no response, clears a stale redirect and returns
    /// `None`; with one, checks it against the saved request and redeems it. A response that
    /// does not belong to this tab's request is an error and leaves nothing behind.
    pub async fn handle_redirect(&self, response: Option<&str>) -> Result<Option<AuthenticationResult>, AuthError> {
        self.ensure_initialized()?;
        let pending = self.pending_redirect();
        let Some(response) = response else {
            if let Some(pending) = &pending {
                // The user came back without a response (back button, abandoned sign-in); as
                // msal, a DPoP key made for it goes (unless a token uses it: a redemption taken
                // over left its request behind).
                self.abandon_redirect(pending);
                self.forget_orphan_keys().await;
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
        let r = self.finish_interaction(pending, response).await;
        self.redeeming.borrow_mut().clear();
        r.map(Some)
    }

    /// Opens the popup for `req`, synchronously: call it inside the user's click, then await
    /// [`complete_popup`](Self::complete_popup). Takes the interaction lock; a popup the browser
    /// blocked fails at once (`popup_window_error`, as msal 5) and releases it. When
    /// the request names an authority whose endpoints are not known yet, the popup opens on
    /// `about:blank` and is sent to the authorize page once they are (as msal does).
    pub fn open_popup(&self, req: &InteractiveRequest, attributes: PopupAttributes) -> Result<PopupStarted<P>, AuthError> {
        self.preflight(false)?;
        let mut req = req.clone();
        if req.correlation_id.is_empty() {
            req.correlation_id = self.guid()?;
        }
        let name = [
            "msal.",
            &self.config.client_id,
            ".",
            &text::join(&req.scopes, "-"),
            ".",
            // msal: the request's authority, else the configuration's, as written.
            req.authority.as_deref().unwrap_or(&self.config.authority),
            ".",
            &req.correlation_id,
        ]
        .concat();
        req.authority = self.interactive_authority(&req);
        // Framed under another site, a popup's answer reaches this page only through a relay
        // page (msal's advice; msal says nothing here, and the call times out). The check sees
        // origins, not sites: the warning says "if".
        if self.config.popup_relay.is_none() && self.config.origin_check && self.platform.in_frame() && !self.platform.origin_check() {
            self.log(
                LogLevel::Warning,
                &req.correlation_id,
                "popup: this page is framed (the popup origin check failed): if the top page is another site's, the popup's answer may not reach this frame: set auth.popupRelayUri",
            );
        }
        // A DPoP request's key is made asynchronously: the popup waits on about:blank for it.
        let ready = if req.authentication_scheme.is_bound() { None } else { self.target_now(req.authority.as_deref())? };
        let (stage, url) = match ready {
            Some(target) => {
                let pending = self.begin_interaction_at(&req, &target)?;
                let url = match self.relayed(&pending.state_id, &pending.url, pending.form.as_deref(), &pending.correlation_id) {
                    Ok(Some(relayed)) => relayed.url,
                    // A POST's form is posted into the popup once it is open on about:blank.
                    Ok(None) if pending.form.is_some() => "about:blank".to_owned(),
                    Ok(None) => pending.url.clone(),
                    Err(e) => {
                        self.abort_interaction(&pending);
                        return Err(e);
                    }
                };
                (PopupStage::Ready(pending), url)
            }
            None => {
                self.take_interaction_lock_over(SIGNIN, InteractionType::Popup, req.override_interaction_in_progress)?;
                (PopupStage::Unresolved(req.clone(), self.platform.origin_check()), "about:blank".to_owned())
            }
        };
        let opened = self.platform.open_popup(&url, &name, attributes).and_then(|mut popup| {
            if let PopupStage::Ready(PendingAuth { url, form: form @ Some(_), .. }) = &stage {
                if self.config.popup_relay.is_none() {
                    self.platform.navigate_popup(&mut popup, url, form.as_deref())?;
                }
            }
            Ok(popup)
        });
        match opened {
            Ok(popup) => Ok(PopupStarted { stage, popup, takeovers: self.takeovers.get() }),
            Err(e) => {
                self.release_interaction_lock();
                Err(window_error(e, &req.correlation_id))
            }
        }
    }

    fn begin_interaction_at(&self, req: &InteractiveRequest, target: &Target) -> Result<PendingAuth, AuthError> {
        let pending = self.build_pending(req, "", InteractionType::Popup, "", target, None)?;
        self.take_interaction_lock_over(SIGNIN, InteractionType::Popup, req.override_interaction_in_progress)?;
        Ok(pending)
    }

    /// Waits for the popup's response and redeems it (msal's `loginPopup` and
    /// `acquireTokenPopup` after the window opened). A popup closed by the user fails with
    /// `user_cancelled`; every ending releases the interaction lock.
    pub async fn complete_popup(&self, started: PopupStarted<P>) -> Result<AuthenticationResult, AuthError> {
        let PopupStarted { stage, mut popup, takeovers } = started;
        // False once a request took the interaction over since this popup opened: the lock is
        // that request's then.
        let ours = || self.takeovers.get() == takeovers;
        let (pending, navigate) = match stage {
            PopupStage::Ready(pending) => (pending, false),
            PopupStage::Unresolved(req, origin_ok) => {
                let built = match self.target(req.authority.as_deref()).await {
                    Ok(target) => match self.bind(&req.authentication_scheme, req.account.as_ref()).await {
                        Ok(binding) => {
                            self.with_origin_check(origin_ok, || self.build_pending(&req, "", InteractionType::Popup, "", &target, binding))
                        }
                        Err(e) => Err(e),
                    },
                    Err(e) => Err(e),
                };
                match built {
                    Ok(p) => (p, true),
                    Err(e) => {
                        self.platform.close_popup(popup);
                        if ours() {
                            self.release_interaction_lock();
                        }
                        return Err(e.with_correlation_id(req.correlation_id));
                    }
                }
            }
        };
        // (A ready request's relay was built as the popup opened: the same again.) A popup opened
        // on about:blank is sent to the request's page, or its relay page, now.
        let sent = match self.relayed(&pending.state_id, &pending.url, pending.form.as_deref(), &pending.correlation_id) {
            Ok(r) if navigate => {
                let (url, form) = r.as_ref().map_or((pending.url.as_str(), pending.form.as_deref()), |r| (r.url.as_str(), None));
                match self.platform.navigate_popup(&mut popup, url, form) {
                    Ok(()) => Ok(r),
                    Err(e) => Err(window_error(e, &pending.correlation_id)),
                }
            }
            other => other,
        };
        let relayed = match sent {
            Ok(r) => r,
            Err(e) => {
                self.platform.close_popup(popup);
                if ours() {
                    self.abort_interaction(&pending);
                }
                self.unbind(pending.binding.as_ref()).await;
                return Err(e);
            }
        };
        let waited = if ours() {
            self.log(LogLevel::Verbose, &pending.correlation_id, "popup: waiting for the provider's response");
            let relay = relayed.as_ref().map(|r| r.relay());
            self.platform.wait_for_popup(popup, &pending.state_id, self.config.popup_timeout_ms, &pending.correlation_id, relay).await
        } else {
            self.platform.close_popup(popup);
            Err(WindowError::Cancelled)
        };
        match waited {
            Ok(response) => {
                let result = self.finish_under(pending, &response, takeovers).await;
                if result.is_ok() {
                    // The provider has a session now: hidden frames may answer again.
                    self.frames_blocked_until.set(0);
                }
                result
            }
            Err(e) => {
                if ours() {
                    self.abort_interaction(&pending);
                }
                self.unbind(pending.binding.as_ref()).await;
                Err(relay::relay_timeout(window_error(e, &pending.correlation_id), relayed.is_some()))
            }
        }
    }

    /// msal's `ssoSilent` (and the last step of `acquireTokenSilent`): an authorize request with
    /// `prompt=none` in a hidden frame, redeemed. When frames get no answer on this page
    /// (third-party cookies blocked), it fails at once with an `InteractionRequired` error for
    /// [`FRAME_BACKOFF_MS`] instead of waiting out the timeout on every call.
    pub async fn sso_silent(&self, req: &InteractiveRequest) -> Result<AuthenticationResult, AuthError> {
        let r = self.sso_silent_unfinished(req, None).await?;
        self.finish_bound(r, &req.authentication_scheme).await
    }

    /// [`sso_silent`](Self::sso_silent) with a bound result not finished yet (see
    /// [`finish_bound`](Self::finish_bound)).
    /// `renewal`: a silent call's frame renewing a cached account, by its home account id (see
    /// `Saving::renewal`).
    pub(super) async fn sso_silent_unfinished(
        &self,
        req: &InteractiveRequest,
        renewal: Option<String>,
    ) -> Result<AuthenticationResult, AuthError> {
        self.preflight(false)?;
        if self.platform.now_ms() < self.frames_blocked_until.get() {
            self.log(LogLevel::Warning, &req.correlation_id, "no hidden frame tried: one got no answer less than 5 minutes ago");
            // (Offline meanwhile: that, not a sign-in the browser cannot show.)
            return Err(if self.platform.online() {
                window_error(WindowError::NoResponse, &req.correlation_id)
            } else {
                crate::error::offline()
            });
        }
        let target = self.target(self.interactive_authority(req).as_deref()).await?;
        // As msal: a code the token endpoint refuses (`invalid_grant`) is asked for once more,
        // under the same correlation id.
        let mut retry_id: Option<String> = None;
        loop {
            let binding = self.bind(&req.authentication_scheme, req.account.as_ref()).await?;
            let made = dpop::new_kid(binding.as_ref());
            let mut pending = self
                .build_pending(req, retry_id.as_deref().unwrap_or_default(), InteractionType::Silent, "", &target, binding)
                .inspect_err(|_| self.orphan(made))?;
            pending.renewal.clone_from(&renewal);
            self.log(LogLevel::Verbose, &pending.correlation_id, "ssoSilent: loading the authorize request in a hidden frame");
            // An app that gave frames more than msal's default time (msal's advice for slow
            // federated sign-ins, whose hops can pause longer than the settle bound) waits that
            // long for any frame.
            let timeout = self.config.iframe_timeout_ms;
            let settle = if timeout > DEFAULT_IFRAME_TIMEOUT_MS { 0 } else { FRAME_SETTLE_MS };
            let frame = self.platform.load_hidden_frame(&pending.url, pending.form.as_deref(), &pending.state_id, timeout, settle);
            match frame.await {
                Ok(response) => match (pending.correlation_id.clone(), self.finish_interaction(pending, &response).await) {
                    (id, Err(e)) if e.code() == "invalid_grant" && retry_id.is_none() => {
                        self.log(LogLevel::Warning, &id, "ssoSilent: the code was refused (invalid_grant); asking for another once");
                        retry_id = Some(id);
                    }
                    (_, done) => return done,
                },
                Err(e) => {
                    self.abort_interaction(&pending);
                    self.unbind(pending.binding.as_ref()).await;
                    // Offline, the frame showed the browser's error page: no sign that frames get no
                    // answer here, so no back-off. (Tried all the same, as msal: an intranet
                    // provider may answer while the browser says it is offline.)
                    if matches!(e, WindowError::NoResponse | WindowError::TimedOut) && !self.platform.online() {
                        return Err(crate::error::offline());
                    }
                    // (With the app's raised timeout, the provider may only be slower than it:
                    // the next call tries a frame again.)
                    if e == WindowError::NoResponse && settle > 0 {
                        self.log(LogLevel::Warning, &pending.correlation_id, "hidden frames get no answer on this page (third-party cookies blocked?); silent frame requests fail at once for 5 minutes");
                        self.frames_blocked_until.set(self.platform.now_ms().saturating_add(FRAME_BACKOFF_MS));
                    }
                    return Err(window_error(e, &pending.correlation_id));
                }
            }
        }
    }
}

/// True when the lock `held` was left by an interaction that will never finish: its lease ran
/// out by `now` (ms).
fn lease_over(held: &Json, now: u64) -> bool {
    held.get("leaseUntil").and_then(Json::as_u64).is_some_and(|until| until <= now)
}

/// msal's `interaction_in_progress`.
fn interaction_busy() -> AuthError {
    AuthError::new(
        ErrorKind::InteractionInProgress,
        codes::INTERACTION_IN_PROGRESS,
        "an interactive request is already in progress; await it (or handleRedirectPromise) first",
    )
}

/// `*to = v` when `to` is empty.
fn fill_empty(to: &mut String, v: String) {
    if to.is_empty() {
        *to = v;
    }
}

/// On the start page (msal's rule for the same page: its address without the fragment, an empty
/// `?`, percent-escapes or a trailing `/` of the path), the address with the start page's
/// fragment (a hash route) put back, as msal; `None` elsewhere or without one.
fn hash_route_back(start: &str, here: &str) -> Option<String> {
    let i = text::find(start, "#")?;
    (crate::core::url::comparable(start) == crate::core::url::comparable(here))
        .then(|| [text::until(here, b"#"), start.get(i..).unwrap_or_default()].concat())
}
