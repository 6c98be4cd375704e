//! Signing out: the account's cache entries go at once, then the provider's end-session page
//! runs in a popup or by redirect, carrying a library state (so the redirect bridge can bring
//! the response back) and msal's hints.

use super::*;

/// A sign-out between its start and the end-session page: see
/// [`begin_logout`](PublicClientApplication::begin_logout).
#[derive(Debug, Clone)]
pub struct LogoutStarted {
    /// The end-session URL to navigate to; `None` when the provider has none (the sign-out is
    /// then complete).
    pub url: Option<String>,
    /// Correlation id.
    pub correlation_id: String,
    state_id: String,
}

/// A popup sign-out between its opening and its end: see
/// [`open_logout_popup`](PublicClientApplication::open_logout_popup).
pub struct LogoutPopupStarted<P: Platform> {
    started: LogoutStarted,
    popup: Option<P::Popup>,
}

impl<P: Platform> std::fmt::Debug for LogoutPopupStarted<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogoutPopupStarted").field("started", &self.started).finish_non_exhaustive()
    }
}

impl<P: Platform> PublicClientApplication<P> {
    /// Starts a sign-out (msal's `logoutRedirect`, and `logoutPopup` before its window opens):
    /// takes the interaction lock, removes the request's account from the cache (every account
    /// when the request names none, as msal) and tells the other tabs, and builds the
    /// end-session URL. A redirect keeps the lock until the page it returns to calls
    /// [`begin_handle_redirect`](Self::begin_handle_redirect); call
    /// [`abort_logout`](Self::abort_logout) when the navigation does not happen.
    pub fn begin_logout(&self, req: &LogoutRequest, itype: InteractionType) -> Result<LogoutStarted, AuthError> {
        let metadata = self.metadata()?;
        let correlation_id = if req.correlation_id.is_empty() { self.guid()? } else { req.correlation_id.clone() };
        self.take_interaction_lock(SIGNOUT, itype)?;
        self.log(LogLevel::Verbose, "signing out: the account's cache entries are removed");
        let info = req.account.as_ref().and_then(|a| self.account_in(a));
        let cleared = match &info {
            Some(i) => self.cache.borrow_mut().remove_account(&i.account.home_account_id),
            None => self.cache.borrow_mut().clear(),
        };
        if let Err(e) = cleared {
            self.release_interaction_lock();
            return Err(e.with_correlation_id(correlation_id));
        }
        let id = info.as_ref().map(|i| Json::from(i.account.home_account_id.as_str())).unwrap_or(Json::Null);
        self.announce(Json::object().with("t", "signout").with("homeAccountId", id));
        let Some(endpoint) = metadata.end_session_endpoint.as_ref() else {
            self.release_interaction_lock();
            return Ok(LogoutStarted { url: None, correlation_id, state_id: String::new() });
        };
        let logout_hint = if req.logout_hint.is_empty() {
            info.as_ref().and_then(|i| i.id_token_claims.as_ref()?.str_field("login_hint").map(str::to_owned)).unwrap_or_default()
        } else {
            req.logout_hint.clone()
        };
        let configured = self.config.post_logout_redirect_uri.as_deref();
        let post = match req.post_logout_redirect_uri.as_deref().or(configured) {
            Some("") => String::new(),
            Some(uri) => self.absolute_uri(&[uri]),
            None => self.absolute_uri(&[]),
        };
        let rs = RequestState { id: self.guid()?, interaction_type: itype, user_state: req.state.clone() };
        if itype == InteractionType::Redirect {
            // The redirect bridge, used as the post-logout page, brings the browser back here.
            let start = self.redirect_start_page("", "");
            if let Err(e) = self.platform.temp_store().set(&self.temp_key("request.origin"), &start) {
                self.release_interaction_lock();
                return Err(e.with_correlation_id(correlation_id));
            }
        }
        let url = authorize::logout_url(
            endpoint,
            &post,
            &correlation_id,
            &req.id_token_hint,
            &logout_hint,
            &rs.encode(),
            &req.extra_query_parameters,
        );
        Ok(LogoutStarted { url: Some(url), correlation_id, state_id: rs.id })
    }

    /// Ends a redirect sign-out whose navigation will not happen (`onRedirectNavigate`
    /// returned false): releases the interaction lock. The cache stays cleared.
    pub fn abort_logout(&self) {
        self.release_interaction_lock();
        self.clear_redirect_state();
    }

    /// msal's `logoutPopup` up to the window: [`begin_logout`](Self::begin_logout), then the
    /// end-session page opens in a popup, synchronously (call it inside the user's click).
    pub fn open_logout_popup(&self, req: &LogoutRequest, attributes: PopupAttributes) -> Result<LogoutPopupStarted<P>, AuthError> {
        let started = self.begin_logout(req, InteractionType::Popup)?;
        let Some(url) = started.url.as_deref() else { return Ok(LogoutPopupStarted { started, popup: None }) };
        let name = format!("msal.{}.logout.{}", self.config.client_id, started.correlation_id);
        match self.platform.open_popup(url, &name, attributes) {
            Ok(popup) => Ok(LogoutPopupStarted { started, popup: Some(popup) }),
            Err(e) => {
                self.release_interaction_lock();
                Err(window_error(e, &started.correlation_id))
            }
        }
    }

    /// Waits until the end-session page is done (it came back to the app's origin, the redirect
    /// bridge answered, or the user closed the popup) and releases the interaction lock. The
    /// provider's sign-out is best effort, as in msal: a window that ends otherwise is no error.
    pub async fn complete_logout_popup(&self, started: LogoutPopupStarted<P>) -> Result<(), AuthError> {
        let LogoutPopupStarted { started, popup } = started;
        if let Some(popup) = popup {
            let ended = self.platform.wait_for_popup(popup, &started.state_id, self.config.popup_timeout_ms).await;
            if ended.is_err() {
                self.log(LogLevel::Verbose, "the sign-out popup ended without an answer");
            }
        }
        self.release_interaction_lock();
        Ok(())
    }

    /// Removes an account's entries, or every account and token of this client, from the cache
    /// (msal's `clearCache`; no network).
    pub fn clear_cache(&self, account: Option<&AccountRef>) -> Result<(), AuthError> {
        let id = match account {
            Some(a) => {
                self.cache.borrow_mut().remove_account(&a.home_account_id)?;
                Json::from(a.home_account_id.as_str())
            }
            None => {
                self.cache.borrow_mut().clear()?;
                Json::Null
            }
        };
        self.announce(Json::object().with("t", "signout").with("homeAccountId", id));
        Ok(())
    }
}
