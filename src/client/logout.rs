//! Signing out: the account's cache entries go at once, then the provider's end-session page
//! runs in a popup or by redirect, carrying a library state (so the redirect bridge can bring
//! the response back) and msal's hints.

use crate::prelude::*;

use super::*;

/// A sign-out between its start and the end-session page: see
/// [`begin_logout`](PublicClientApplication::begin_logout).
#[derive(Clone)]
pub struct LogoutStarted {
    /// The end-session URL to navigate to; `None` when the provider has none (the sign-out is
    /// then complete).
    pub url: Option<String>,
    /// Correlation id.
    pub correlation_id: String,
    state_id: String,
    /// What msal's processed sign-out request carries (its `LOGOUT_SUCCESS` payload): the
    /// library state sent (empty without an end-session endpoint), the `logout_hint`, the
    /// absolute post-logout URI (empty: none) and whether `pocd` was sent.
    pub sent: LogoutSent,
}

/// The values a sign-out sent to the end-session endpoint (see [`LogoutStarted::sent`]).
#[derive(Clone, Default)]
pub struct LogoutSent {
    /// The encoded library state.
    pub state: String,
    /// The `logout_hint`.
    pub logout_hint: String,
    /// The absolute `post_logout_redirect_uri`.
    pub post_logout_redirect_uri: String,
    /// Whether `pocd=1` was sent (msal's `popupOriginCheckDone`).
    pub origin_checked: bool,
}

// The URL carries the state, the hints and the ID token; the state is a secret.
impl ::core::fmt::Debug for LogoutStarted {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("LogoutStarted")
            .field("url", &self.url.as_deref().map(super::request::redacted))
            .field("correlation_id", &self.correlation_id)
            .field("state_id", &super::request::redacted(&self.state_id))
            .field("sent", &self.sent)
            .finish()
    }
}

impl ::core::fmt::Debug for LogoutSent {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("LogoutSent")
            .field("state", &super::request::redacted(&self.state))
            .field("logout_hint", &super::request::redacted(&self.logout_hint))
            .field("post_logout_redirect_uri", &self.post_logout_redirect_uri)
            .field("origin_checked", &self.origin_checked)
            .finish()
    }
}

/// A popup sign-out between its opening and its end: see
/// [`open_logout_popup`](PublicClientApplication::open_logout_popup).
pub struct LogoutPopupStarted<P: Platform> {
    stage: LogoutStage,
    popup: Option<P::Popup>,
    /// The client's take-over count when the popup opened: the lock is another request's once
    /// it changed.
    takeovers: u32,
}

impl<P: Platform> LogoutPopupStarted<P> {
    /// The popup window, when one opened (msal's `POPUP_OPENED` event carries it).
    pub fn window(&self) -> Option<&P::Popup> {
        self.popup.as_ref()
    }

    /// What the end-session page was sent, once known (at once unless the request's authority
    /// was still to be resolved).
    pub fn sent(&self) -> Option<&LogoutSent> {
        match &self.stage {
            LogoutStage::Ready(s) => Some(&s.sent),
            _ => None,
        }
    }
}

/// Where a popup sign-out is when its window opened.
#[derive(Debug)]
enum LogoutStage {
    /// The popup shows the end-session page.
    Ready(LogoutStarted),
    /// The request's authority was not resolved yet: the popup shows `about:blank` until its
    /// end-session endpoint is known (the account is already signed out locally). With the
    /// popup origin check's outcome when it opened.
    Unresolved(Box<LogoutRequest>, SignedOut, bool),
    /// Signed out locally, but the popup did not open: the completion fails with this error.
    Failed(AuthError),
}

/// What the local part of a sign-out leaves for the end-session request (see
/// [`PublicClientApplication::sign_out_for_redirect`]).
#[derive(Debug)]
pub struct SignedOut {
    correlation_id: String,
    login_hint: String,
}

impl<P: Platform> ::core::fmt::Debug for LogoutPopupStarted<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("LogoutPopupStarted").field("stage", &self.stage).finish_non_exhaustive()
    }
}

impl<P: Platform> PublicClientApplication<P> {
    /// Starts a sign-out (msal's `logoutRedirect`, and `logoutPopup` before its window opens):
    /// takes the interaction lock, removes the request's account from the cache (every account
    /// when the request names none, as msal) and tells the other tabs, and builds the
    /// end-session URL of the request's authority (the configured one without it). A redirect
    /// keeps the lock until the page it returns to calls
    /// [`begin_handle_redirect`](Self::begin_handle_redirect); call
    /// [`abort_logout`](Self::abort_logout) when the navigation does not happen. When the
    /// endpoints of the request's authority (the configured one without it) are not known yet,
    /// it fails with `endpoints_resolution_error`: use
    /// [`begin_logout_redirect`](Self::begin_logout_redirect), or await
    /// [`resolve_authority`](Self::resolve_authority) first.
    pub fn begin_logout(&self, req: &LogoutRequest, itype: InteractionType) -> Result<LogoutStarted, AuthError> {
        let target =
            self.target_now(self.logout_authority(req).as_deref()).map_err(|e| self.signed_out_anyway(req, itype, e))?.ok_or_else(
                || AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the endpoints of the request's authority are not resolved yet"),
            )?;
        let signed_out = self.sign_out_locally(req, itype)?;
        self.end_session(req, itype, signed_out, &target.metadata)
    }

    /// msal's `logoutRedirect` up to the navigation: [`sign_out_for_redirect`](Self::sign_out_for_redirect),
    /// then [`finish_logout_redirect`](Self::finish_logout_redirect).
    pub async fn begin_logout_redirect(&self, req: &LogoutRequest) -> Result<LogoutStarted, AuthError> {
        let signed_out = self.sign_out_for_redirect(req)?;
        self.finish_logout_redirect(req, signed_out).await
    }

    /// The synchronous start of msal's `logoutRedirect`: the preflight checks, the interaction
    /// lock (so a second sign-out or sign-in started right after is refused, as msal), and the
    /// local sign-out, before the request's authority is resolved (an offline start still signs
    /// out here, as msal clears the cache first).
    pub fn sign_out_for_redirect(&self, req: &LogoutRequest) -> Result<SignedOut, AuthError> {
        self.preflight(true)?;
        self.sign_out_locally(req, InteractionType::Redirect)
    }

    /// The rest of msal's `logoutRedirect` up to the navigation: the request's authority (its
    /// endpoints resolved when first named), then the end-session URL to navigate to.
    pub async fn finish_logout_redirect(&self, req: &LogoutRequest, signed_out: SignedOut) -> Result<LogoutStarted, AuthError> {
        let target = match self.target(self.logout_authority(req).as_deref()).await {
            Ok(t) => t,
            Err(e) => {
                self.release_interaction_lock();
                return Err(e.with_call_correlation_id(&signed_out.correlation_id));
            }
        };
        let started = self.end_session(req, InteractionType::Redirect, signed_out, &target.metadata);
        self.forget_orphan_keys().await;
        started
    }

    /// The authority a sign-out goes to: its own, or, for an instance-aware one for an account
    /// of another cloud, that cloud's (see [`account_authority`](Self::account_authority)).
    fn logout_authority(&self, req: &LogoutRequest) -> Option<String> {
        let environment = req.account.as_ref().map_or("", |a| a.environment.as_str());
        self.account_authority(req.authority.as_deref(), &req.extra_query_parameters, environment)
    }

    /// `e`, the request's authority's failure (untrusted, malformed), after the local sign-out:
    /// msal clears the cache before it builds the authority, so the user is signed out here
    /// whatever the authority (an account named: its own check reports the authority).
    fn signed_out_anyway(&self, req: &LogoutRequest, itype: InteractionType, e: AuthError) -> AuthError {
        match self.sign_out_locally(req, itype) {
            Ok(signed_out) => {
                self.release_interaction_lock();
                e.with_call_correlation_id(&signed_out.correlation_id)
            }
            Err(local) => local,
        }
    }

    /// The local part of a sign-out: the interaction lock, the account's cache entries, the
    /// other tabs told.
    fn sign_out_locally(&self, req: &LogoutRequest, itype: InteractionType) -> Result<SignedOut, AuthError> {
        let correlation_id = if req.correlation_id.is_empty() { self.guid()? } else { req.correlation_id.clone() };
        self.take_interaction_lock(SIGNOUT, itype)?;
        self.log(LogLevel::Verbose, &correlation_id, "signing out: the account's cache entries are removed");
        let info = req.account.as_ref().and_then(|a| self.account_in(a));
        // As msal: a request naming an account removes that account's entries only, even one
        // the cache no longer holds (another tab signed it out); none names every account.
        let home = req.account.as_ref().map(|a| a.home_account_id.as_str());
        self.orphan_keys.borrow_mut().extend(self.binding_key_ids(home));
        self.resource_nonces.borrow_mut().clear();
        let leaving = self.leaving(home);
        let cleared = match home {
            Some(home) => self.cache.borrow_mut().remove_account(home),
            None => self.cache.borrow_mut().clear(),
        };
        if let Err(e) = cleared {
            self.release_interaction_lock();
            return Err(e.with_correlation_id(correlation_id));
        }
        for id in leaving {
            self.own_change(false, &id);
        }
        // The request's account even when this tab did not hold it: null would sign every
        // account out in the other tabs.
        let id = info.as_ref().map(|i| i.account.home_account_id.as_str()).or(home).map_or(Json::Null, Json::from);
        self.announce(Json::object().with("t", "signout").with("homeAccountId", id));
        // msal: the app's object's loginHint or login_hint claim (the cache is not read).
        let login_hint = req.account.as_ref().map(|a| a.login_hint.clone()).unwrap_or_default();
        // As msal, the authority is checked after the local sign-out: an untrusted one, or one
        // of another cloud than the account's (authority_mismatch; an instance-aware sign-out
        // goes to the account's cloud), ends it here.
        if let Some(account) = &req.account {
            let checked = self
                .requested_authority(self.logout_authority(req).as_deref())
                .and_then(|a| self.check_account_cloud(a.as_ref().unwrap_or(&self.authority), &account.environment));
            if let Err(e) = checked {
                self.release_interaction_lock();
                return Err(e.with_correlation_id(correlation_id));
            }
        }
        Ok(SignedOut { correlation_id, login_hint })
    }

    /// The end-session request at `metadata`'s endpoint (`url: None` when it has none: the
    /// sign-out is then complete and the lock released).
    fn end_session(
        &self,
        req: &LogoutRequest,
        itype: InteractionType,
        signed_out: SignedOut,
        metadata: &AuthorityMetadata,
    ) -> Result<LogoutStarted, AuthError> {
        let SignedOut { correlation_id, login_hint } = signed_out;
        let Some(endpoint) = metadata.end_session_endpoint.as_ref() else {
            self.release_interaction_lock();
            // msal: an Entra-style authority must have one; a generic provider may lack it
            // (the sign-out is then local only).
            if self.config.protocol_mode == ProtocolMode::Aad {
                let e = AuthError::client(codes::END_SESSION_ENDPOINT_NOT_SUPPORTED, "the authority has no end_session_endpoint");
                return Err(e.with_correlation_id(correlation_id));
            }
            return Ok(LogoutStarted { url: None, correlation_id, state_id: String::new(), sent: LogoutSent::default() });
        };
        let logout_hint = if req.logout_hint.is_empty() { login_hint } else { req.logout_hint.clone() };
        let configured = self.config.post_logout_redirect_uri.as_deref();
        let post = match req.post_logout_redirect_uri.as_deref().or(configured) {
            Some("") => String::new(),
            Some(uri) => self.absolute_uri(&[uri]),
            None => self.absolute_uri(&[]),
        };
        let id = match self.guid() {
            Ok(id) => id,
            Err(e) => {
                self.release_interaction_lock();
                return Err(e.with_correlation_id(correlation_id));
            }
        };
        let rs = RequestState { id, interaction_type: itype, user_state: req.state.clone() };
        if itype == InteractionType::Redirect {
            // The redirect bridge, used as the post-logout page, takes the browser to the site's
            // home page, as msal's: no start page is kept (nor a stale one of a sign-in).
            self.platform.temp_store().remove(&self.temp_key("request.origin"));
        }
        let mut extra = self.popup_origin_checked(itype);
        let origin_checked = !extra.is_empty();
        // An OpenID provider (RP-Initiated Logout §2: Keycloak, node-oidc-provider) needs to know
        // whose post_logout_redirect_uri it is: without client_id (or an id_token_hint), it
        // refuses the sign-out. msal sends none; Entra does not need it.
        if self.config.protocol_mode == ProtocolMode::Oidc && !post.is_empty() {
            extra.push(("client_id".to_owned(), self.config.client_id.clone()));
        }
        extra.append(&mut req.extra_query_parameters.clone());
        self.add_instance_aware(&mut extra, &req.extra_query_parameters);
        let state = rs.encode();
        let url = authorize::logout_url(endpoint, &post, &correlation_id, &req.id_token_hint, &logout_hint, &state, &extra);
        let sent = LogoutSent { state, logout_hint, post_logout_redirect_uri: post, origin_checked };
        Ok(LogoutStarted { url: Some(url), correlation_id, state_id: rs.id, sent })
    }

    /// True while this client's redirect sign-out holds the interaction lock (its page has not
    /// left yet).
    pub fn signing_out(&self) -> bool {
        self.interaction_lock_type().as_deref() == Some(SIGNOUT)
    }

    /// Ends a redirect sign-out whose navigation will not happen (`onRedirectNavigate`
    /// returned false): releases the interaction lock. The cache stays cleared.
    /// Nothing when no sign-out holds the lock (ended already: a sign-in started since keeps
    /// it).
    pub fn abort_logout(&self) {
        if self.signing_out() {
            self.release_interaction_lock();
            self.clear_redirect_state();
        }
    }

    /// msal's `logoutPopup` up to the window: [`begin_logout`](Self::begin_logout), then the
    /// end-session page opens in a popup, synchronously (call it inside the user's click). When
    /// the request names an authority whose endpoints are not known yet, the account is signed
    /// out locally at once and the popup opens on `about:blank`, to be sent to the end-session
    /// page once they are.
    pub fn open_logout_popup(&self, req: &LogoutRequest, attributes: PopupAttributes) -> Result<LogoutPopupStarted<P>, AuthError> {
        self.preflight(false)?;
        let target =
            self.target_now(self.logout_authority(req).as_deref()).map_err(|e| self.signed_out_anyway(req, InteractionType::Popup, e))?;
        let (stage, url) = match target {
            Some(target) => {
                let signed_out = self.sign_out_locally(req, InteractionType::Popup)?;
                let started = self.end_session(req, InteractionType::Popup, signed_out, &target.metadata)?;
                let Some(url) = started.url.as_deref() else {
                    return Ok(LogoutPopupStarted { stage: LogoutStage::Ready(started), popup: None, takeovers: self.takeovers.get() });
                };
                match self.relayed(&started.state_id, url, None, &started.correlation_id) {
                    Ok(relayed) => {
                        let url = relayed.map_or_else(|| url.to_owned(), |r| r.url);
                        (LogoutStage::Ready(started), url)
                    }
                    // As a window that does not open: the local sign-out stands.
                    Err(e) => {
                        self.release_interaction_lock();
                        return Ok(LogoutPopupStarted { stage: LogoutStage::Failed(e), popup: None, takeovers: 0 });
                    }
                }
            }
            None => {
                let signed_out = self.sign_out_locally(req, InteractionType::Popup)?;
                (LogoutStage::Unresolved(Box::new(req.clone()), signed_out, self.platform.origin_check()), "about:blank".to_owned())
            }
        };
        let correlation_id = match &stage {
            LogoutStage::Ready(s) => s.correlation_id.clone(),
            LogoutStage::Unresolved(_, s, _) => s.correlation_id.clone(),
            LogoutStage::Failed(_) => String::new(),
        };
        // msal's name: the account's home id (`undefined` without one) and the correlation id.
        let home = req.account.as_ref().map_or("undefined", |a| a.home_account_id.as_str());
        let name = ["msal.", &self.config.client_id, ".", home, ".", &correlation_id].concat();
        // As msal: a popup that does not open fails the sign-out after its local part (the
        // account is gone and the app hears so), from the completion.
        match self.platform.open_popup(&url, &name, attributes) {
            Ok(popup) => Ok(LogoutPopupStarted { stage, popup: Some(popup), takeovers: self.takeovers.get() }),
            Err(e) => {
                self.release_interaction_lock();
                Ok(LogoutPopupStarted { stage: LogoutStage::Failed(window_error(e, &correlation_id)), popup: None, takeovers: 0 })
            }
        }
    }

    /// Waits until the end-session page is done (it came back to the app's origin, the redirect
    /// bridge answered, or the user closed the popup) and releases the interaction lock. The
    /// provider's sign-out is best effort, as in msal: a window that ends otherwise is no error.
    pub async fn complete_logout_popup(&self, started: LogoutPopupStarted<P>) -> Result<(), AuthError> {
        let LogoutPopupStarted { stage, popup, takeovers } = started;
        let release = || {
            if self.takeovers.get() == takeovers {
                self.release_interaction_lock();
            }
        };
        self.forget_orphan_keys().await;
        // A popup opened on about:blank is sent to the end-session page once it is known.
        let (started, mut popup, navigate) = match stage {
            LogoutStage::Failed(e) => return Err(e),
            LogoutStage::Ready(s) => (s, popup, false),
            LogoutStage::Unresolved(req, signed_out, origin_ok) => {
                let correlation_id = signed_out.correlation_id.clone();
                let built = match self.target(self.logout_authority(&req).as_deref()).await {
                    Ok(target) => {
                        self.with_origin_check(origin_ok, || self.end_session(&req, InteractionType::Popup, signed_out, &target.metadata))
                    }
                    Err(e) => Err(e),
                };
                match built {
                    Ok(s) => (s, popup, true),
                    Err(e) => {
                        if let Some(p) = popup {
                            self.platform.close_popup(p);
                        }
                        release();
                        return Err(e.with_correlation_id(correlation_id));
                    }
                }
            }
        };
        let relayed = match started.url.as_deref() {
            Some(url) => match self.relayed(&started.state_id, url, None, &started.correlation_id) {
                Ok(r) => r,
                Err(e) => {
                    if let Some(p) = popup {
                        self.platform.close_popup(p);
                    }
                    release();
                    return Err(e);
                }
            },
            None => None,
        };
        if navigate {
            match (popup.take(), started.url.as_deref()) {
                (Some(mut p), Some(url)) => {
                    let url = relayed.as_ref().map_or(url, |r| r.url.as_str());
                    if self.platform.navigate_popup(&mut p, url, None).is_ok() {
                        popup = Some(p);
                    } else {
                        self.log(LogLevel::Verbose, &started.correlation_id, "the sign-out popup was closed before the end-session page");
                    }
                }
                // No end-session endpoint after all: nothing to show.
                (Some(p), None) => self.platform.close_popup(p),
                (None, _) => {}
            }
        }
        if let Some(popup) = popup {
            let relay = relayed.as_ref().map(|r| r.relay());
            let ended =
                self.platform.wait_for_popup(popup, &started.state_id, self.config.popup_timeout_ms, &started.correlation_id, relay).await;
            if ended.is_err() {
                self.log(LogLevel::Verbose, &started.correlation_id, "the sign-out popup ended without an answer");
            }
        }
        release();
        Ok(())
    }

    /// Removes an account's entries, or every account and token of this client with the tab's
    /// interaction status and this client's saved redirect, from the cache (msal's
    /// `clearCache`; no network). The DPoP keys of its tokens go with
    /// [`forget_orphan_keys`](Self::forget_orphan_keys).
    pub fn clear_cache(&self, account: Option<&AccountRef>) -> Result<(), AuthError> {
        self.orphan_keys.borrow_mut().extend(self.binding_key_ids(account.map(|a| a.home_account_id.as_str())));
        self.resource_nonces.borrow_mut().clear();
        let leaving = self.leaving(account.map(|a| a.home_account_id.as_str()));
        let id = match account {
            Some(a) => {
                self.cache.borrow_mut().remove_account(&a.home_account_id)?;
                Json::from(a.home_account_id.as_str())
            }
            None => {
                self.cache.borrow_mut().clear()?;
                // As msal's: an app that recovers from interaction_in_progress this way signs
                // in again at once.
                self.clear_interaction_state();
                Json::Null
            }
        };
        for id in leaving {
            self.own_change(false, &id);
        }
        self.announce(Json::object().with("t", "signout").with("homeAccountId", id));
        Ok(())
    }
}
