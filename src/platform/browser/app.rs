//! The browser flows in Rust: popup, hidden iframe, redirect, and silent acquisition with the
//! iframe fallback. The JavaScript exports and the Leptos/Yew integrations both drive these.

use super::{window, BrowserPlatform};
use crate::client::{
    AccountInfo, AccountRef, AuthenticationResult, Config, InteractiveRequest, PendingAuth, PublicClientApplication, SilentRequest,
};
use crate::core::authorize::AuthorizeResponse;
use crate::core::pkce::{InteractionType, RequestState};
use crate::core::scopes::ScopeSet;
use crate::error::{codes, AuthError, ErrorKind};
use crate::platform::Platform;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The client type on the browser platform.
pub type BrowserClient = PublicClientApplication<BrowserPlatform>;

/// What a Rust listener hears about (the JS facade has msal's full `EventType` set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEvent {
    /// An account signed in, signed out, or the active account changed.
    AccountsChanged,
    /// A token was acquired.
    TokenAcquired,
}

type Listener = Rc<dyn Fn(AppEvent)>;

struct WeakApp {
    client: std::rc::Weak<BrowserClient>,
    listeners: std::rc::Weak<RefCell<Vec<(u32, Listener)>>>,
    next_id: Rc<std::cell::Cell<u32>>,
}

impl WeakApp {
    fn upgrade(&self) -> Option<BrowserApp> {
        Some(BrowserApp { client: self.client.upgrade()?, listeners: self.listeners.upgrade()?, next_id: self.next_id.clone() })
    }
}

/// A browser client for Rust front ends: shared by cloning (`Rc` inside).
#[derive(Clone)]
pub struct BrowserApp {
    client: Rc<BrowserClient>,
    listeners: Rc<RefCell<Vec<(u32, Listener)>>>,
    next_id: Rc<std::cell::Cell<u32>>,
}

impl std::fmt::Debug for BrowserApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserApp").field("client", &self.client).finish_non_exhaustive()
    }
}

impl PartialEq for BrowserApp {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.client, &other.client)
    }
}

/// Maps a rejection of `window.js` to msal's error.
pub fn window_error(reason: JsValue, correlation_id: &str) -> AuthError {
    let e = match reason.as_string().as_deref() {
        Some("user_cancelled") => {
            AuthError::new(ErrorKind::UserCancelled, codes::USER_CANCELLED, "the user closed the popup before signing in")
        }
        Some("timed_out") => {
            AuthError::new(ErrorKind::Timeout, codes::TIMED_OUT, "no response arrived in time").with_sub_error("redirect_bridge_timeout")
        }
        Some("redirect_bridge_empty_response") => {
            AuthError::browser("redirect_bridge_empty_response", "the redirect bridge sent an empty response")
        }
        _ => AuthError::browser(codes::POPUP_WINDOW_ERROR, "the window failed"),
    };
    e.with_correlation_id(correlation_id.to_owned())
}

/// After a hidden iframe got no answer, how long silent iframe attempts fail at once.
pub const IFRAME_BACKOFF_MS: f64 = 5.0 * 60.0 * 1000.0;
/// How long after a foreign page loaded in the iframe without answering we give up.
pub const IFRAME_SETTLE_MS: u32 = 2_000;

thread_local! {
    /// Per client id: until when hidden iframes are known not to answer on this page.
    static IFRAME_BLOCKED: RefCell<Vec<(String, f64)>> = const { RefCell::new(Vec::new()) };
}

fn iframe_blocked_until(client_id: &str) -> f64 {
    IFRAME_BLOCKED.with(|b| b.borrow().iter().find(|(c, _)| c == client_id).map_or(0.0, |(_, t)| *t))
}

fn set_iframe_blocked_until(client_id: &str, until: f64) {
    IFRAME_BLOCKED.with(|b| {
        let mut b = b.borrow_mut();
        b.retain(|(c, _)| c != client_id);
        if until > 0.0 {
            b.push((client_id.to_owned(), until));
        }
    });
}

fn iframe_unavailable(correlation_id: &str) -> AuthError {
    AuthError::new(
        ErrorKind::InteractionRequired,
        codes::INTERACTION_REQUIRED,
        "the silent sign-in frame got no answer from the provider (third-party cookies blocked?); sign in interactively",
    )
    .with_sub_error("iframe_no_response")
    .with_correlation_id(correlation_id.to_owned())
}

/// Runs a hidden-iframe authorize request (prompt=none) and redeems it. When frames get no
/// answer on this page (third-party cookies blocked), it fails fast with an
/// `InteractionRequired` error instead of waiting out the timeout on every call.
pub async fn iframe_flow(client: &BrowserClient, req: InteractiveRequest) -> Result<AuthenticationResult, AuthError> {
    let cid = client.config().client_id.clone();
    if js_sys::Date::now() < iframe_blocked_until(&cid) {
        return Err(iframe_unavailable(&req.correlation_id));
    }
    let pending = client.begin_interaction(&req, InteractionType::Silent, "")?;
    let timeout = u32::try_from(client.config().iframe_timeout_ms).unwrap_or(u32::MAX);
    let response = JsFuture::from(window::load_hidden_iframe(&pending.url, &pending.state_id, timeout, IFRAME_SETTLE_MS)).await;
    match response.map(|v| v.as_string().unwrap_or_default()) {
        Ok(r) => client.finish_interaction(pending, &r).await,
        Err(reason) => {
            client.abort_interaction(&pending);
            if reason.as_string().as_deref() == Some("iframe_no_response") {
                set_iframe_blocked_until(&cid, js_sys::Date::now() + IFRAME_BACKOFF_MS);
                return Err(iframe_unavailable(&pending.correlation_id));
            }
            Err(window_error(reason, &pending.correlation_id))
        }
    }
}

/// Forgets that hidden iframes failed (after an interactive sign-in, a session may exist).
pub fn clear_iframe_backoff(client: &BrowserClient) {
    set_iframe_blocked_until(&client.config().client_id, 0.0);
}

/// Popup size and position (msal's `popupWindowAttributes`); `None` centres 483×600.
#[derive(Debug, Clone, Copy, Default)]
pub struct PopupAttributes {
    /// `(width, height)`
    pub size: Option<(i32, i32)>,
    /// `(top, left)`
    pub position: Option<(i32, i32)>,
}

/// Opens the popup for `req` synchronously (call it inside the user's click) and returns the
/// future of its result.
pub fn popup_flow(
    client: Rc<BrowserClient>,
    req: &InteractiveRequest,
    attrs: PopupAttributes,
) -> Result<impl Future<Output = Result<AuthenticationResult, AuthError>>, AuthError> {
    let pending = client.begin_interaction(req, InteractionType::Popup, "")?;
    let name = format!(
        "msal.{}.{}.{}.{}",
        client.config().client_id,
        req.scopes.join("-"),
        client.authority().canonical(),
        pending.correlation_id
    );
    let (w, h) = attrs.size.unwrap_or((-1, -1));
    let (top, left) = attrs.position.unwrap_or((-1, -1));
    let popup = match window::open_popup(&pending.url, &name, w, h, top, left) {
        Ok(p) if !p.is_null() && !p.is_undefined() => p,
        Ok(_) => {
            client.abort_interaction(&pending);
            return Err(AuthError::browser(codes::EMPTY_WINDOW_ERROR, "window.open returned no window (popup blocked?)")
                .with_correlation_id(pending.correlation_id.clone()));
        }
        Err(_) => {
            client.abort_interaction(&pending);
            return Err(AuthError::browser(codes::POPUP_WINDOW_ERROR, "window.open failed (popup blocked?)")
                .with_correlation_id(pending.correlation_id.clone()));
        }
    };
    let timeout = u32::try_from(client.config().popup_timeout_ms).unwrap_or(u32::MAX);
    Ok(async move { wait_popup(&client, popup, pending, timeout).await })
}

async fn wait_popup(client: &BrowserClient, popup: JsValue, pending: PendingAuth, timeout: u32) -> Result<AuthenticationResult, AuthError> {
    let response = JsFuture::from(window::wait_for_popup(&popup, &pending.state_id, timeout)).await;
    match response.map(|v| v.as_string().unwrap_or_default()) {
        Ok(r) => {
            let result = client.finish_interaction(pending, &r).await;
            if result.is_ok() {
                clear_iframe_backoff(client);
            }
            result
        }
        Err(reason) => {
            let e = window_error(reason, &pending.correlation_id);
            client.abort_interaction(&pending);
            Err(e)
        }
    }
}

/// The network part of `acquireTokenSilent`: refresh token, then a hidden iframe when the
/// cache lookup policy allows.
pub async fn silent_flow(client: &BrowserClient, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
    match renew_single_flight(client, req).await {
        Ok(r) => Ok(r),
        Err(e) if req.cache_lookup_policy.uses_iframe() && (e.is_interaction_required() || e.code() == "invalid_grant") => {
            let account =
                req.account.clone().or_else(|| client.active_account().map(|a| AccountRef { home_account_id: a.account.home_account_id }));
            let ir = InteractiveRequest {
                scopes: req.scopes.clone(),
                account,
                claims: req.claims.clone(),
                correlation_id: req.correlation_id.clone(),
                redirect_uri: req.redirect_uri.clone(),
                extra_query_parameters: req.extra_query_parameters.clone(),
                ..InteractiveRequest::default()
            };
            iframe_flow(client, ir).await
        }
        Err(e) => Err(e),
    }
}

/// How many 20 ms polls a tab that waited for another tab's renewal gives its result to
/// arrive (1 s).
const RENEWAL_HANDOFF_POLLS: u32 = 50;

/// How long a tab that renewed tells the others so (see `renew_single_flight`): long enough
/// for a slow tab to notice, short enough that a failed hand-off costs one wait at most.
const RENEWED_MARK_MS: u32 = 3_000;

/// Holds a Web Lock until dropped.
struct LockGuard(JsValue);

impl Drop for LockGuard {
    fn drop(&mut self) {
        window::release(&self.0);
    }
}

/// Renewal that is single-flight across tabs sharing a cache: one tab renews under the
/// account's Web Lock and hands its result to the others (BroadcastChannel snapshot; their
/// view of localStorage may lag); a tab that had to wait serves that result. So a rotating
/// refresh token is never presented twice.
async fn renew_single_flight(client: &BrowserClient, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
    let Some(name) = client.renewal_lock_name(req) else {
        return client.acquire_token_silent(req).await;
    };
    let started_s = client.platform().now_ms() / 1000;
    let since = if req.force_refresh { started_s } else { 0 };
    // The token this tab sees now: after waiting, only a different one counts as "renewed by
    // another tab" (cached_at has only second resolution).
    let seen_before = client.token_renewed_since(req, 0).ok().flatten().map(|r| r.access_token);
    // A tab that renewed these scopes holds this mark for a while after it let go of the lock.
    let renewed_mark = format!("{name}.renewed.{}", ScopeSet::new(&req.scopes).to_lower_string());
    let uncontended = JsFuture::from(window::try_lock(&name)).await.ok().filter(|r| !r.is_null());
    let waited = uncontended.is_none();
    let _guard = match uncontended {
        Some(release) => LockGuard(release),
        None => LockGuard(JsFuture::from(window::acquire_lock(&name)).await.unwrap_or(JsValue::NULL)),
    };
    // Another tab renewed while we waited for the lock, or (unless this is a forceRefresh,
    // which wants a token newer than its own start) just before we took it: its result is on
    // its way (usually already here; on a loaded machine the message can trail the lock by a
    // few hundred ms). When that tab failed nothing comes, and this tab tries itself.
    let renewed_elsewhere = waited
        || (!req.force_refresh
            && JsFuture::from(window::others_marked(&renewed_mark)).await.ok().and_then(|v| v.as_bool()).unwrap_or(false));
    if renewed_elsewhere {
        for _ in 0..RENEWAL_HANDOFF_POLLS {
            let renewed = client.token_renewed_since(req, since)?;
            if let Some(hit) = renewed.filter(|h| !req.force_refresh || seen_before.as_ref() != Some(&h.access_token)) {
                return Ok(hit);
            }
            JsFuture::from(window::sleep(20)).await.ok();
        }
    }
    // Nobody renewed: a forceRefresh refreshes; otherwise the cache (possibly filled by
    // another tab's earlier renewal) is tried first.
    let result = client.acquire_token_silent(req).await;
    if result.as_ref().is_ok_and(|r| !r.from_cache) {
        JsFuture::from(window::mark_lock(&renewed_mark, RENEWED_MARK_MS)).await.ok();
    }
    result
}

fn location() -> Result<web_sys::Location, AuthError> {
    web_sys::window().map(|w| w.location()).ok_or_else(|| AuthError::browser(codes::NON_BROWSER_ENVIRONMENT, "no window"))
}

impl BrowserApp {
    /// Builds and initializes a client for `config`.
    pub async fn new(config: Config) -> Result<BrowserApp, AuthError> {
        let app = BrowserApp::build(config)?;
        app.client.initialize().await?;
        Ok(app)
    }

    /// Builds a client for `config` (call [`BrowserClient::initialize`] before requests) and
    /// connects it to the app's other tabs: account announcements over a BroadcastChannel,
    /// `storage` events for a localStorage cache, and a re-read of the storage when the page
    /// wakes up (visible again, back online).
    pub fn build(config: Config) -> Result<BrowserApp, AuthError> {
        let channel_name = format!("msal.{}.accounts", config.client_id);
        let shared = config.cache_location == crate::client::CacheLocation::LocalStorage;
        let platform = BrowserPlatform::new(config.cache_location);
        let client = Rc::new(PublicClientApplication::new(config, platform)?);
        let app = BrowserApp { client, listeners: Rc::default(), next_id: Rc::default() };

        let weak = app.downgrade();
        let on_message = Closure::<dyn Fn(String)>::new(move |message: String| {
            if let Some(app) = weak.upgrade() {
                if app.client.apply_announcement(&message) {
                    app.emit(AppEvent::AccountsChanged);
                }
            }
        });
        let channel = window::open_channel(&channel_name, on_message.as_ref().unchecked_ref());
        on_message.forget();
        app.client.platform().set_channel(channel);

        if shared {
            let weak = app.downgrade();
            let on_key = Closure::<dyn Fn(String)>::new(move |key: String| {
                if let Some(app) = weak.upgrade() {
                    if key.is_empty() || key.starts_with("msal.") {
                        app.client.mark_stale();
                    }
                    if key.is_empty() || key.ends_with(".account.keys") || key.ends_with(".active-account-filters") {
                        app.emit(AppEvent::AccountsChanged);
                    }
                }
            });
            window::on_storage(on_key.as_ref().unchecked_ref());
            on_key.forget();
        }
        let weak = app.downgrade();
        let on_wake = Closure::<dyn Fn()>::new(move || {
            if let Some(app) = weak.upgrade() {
                app.client.mark_stale();
                // Renew what went stale while the page slept (single-flight across tabs).
                for req in app.client.due_renewals() {
                    let app = app.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if silent_flow(&app.client, &req).await.is_ok() {
                            app.emit(AppEvent::TokenAcquired);
                        }
                    });
                }
            }
        });
        window::on_wake(on_wake.as_ref().unchecked_ref());
        on_wake.forget();
        Ok(app)
    }

    fn downgrade(&self) -> WeakApp {
        WeakApp { client: Rc::downgrade(&self.client), listeners: Rc::downgrade(&self.listeners), next_id: self.next_id.clone() }
    }

    /// The underlying client (accounts, cache, configuration).
    pub fn client(&self) -> &BrowserClient {
        &self.client
    }

    /// A shared handle to the underlying client.
    pub fn client_rc(&self) -> Rc<BrowserClient> {
        self.client.clone()
    }

    /// Calls `listener` on every [`AppEvent`]; returns an id for [`unsubscribe`](Self::unsubscribe).
    pub fn subscribe(&self, listener: impl Fn(AppEvent) + 'static) -> u32 {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        self.listeners.borrow_mut().push((id, Rc::new(listener)));
        id
    }

    /// Removes a listener.
    pub fn unsubscribe(&self, id: u32) {
        self.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }

    fn emit(&self, event: AppEvent) {
        // Clone the list first: a listener may subscribe or unsubscribe.
        let listeners: Vec<Listener> = self.listeners.borrow().iter().map(|(_, l)| l.clone()).collect();
        for l in listeners {
            l(event);
        }
    }

    fn signed_in(&self, r: Result<AuthenticationResult, AuthError>) -> Result<AuthenticationResult, AuthError> {
        if let Ok(r) = &r {
            if self.client.active_account().is_none() {
                let _ = self.client.set_active_account(Some(&r.account.account.home_account_id));
            }
            self.emit(AppEvent::AccountsChanged);
            self.emit(AppEvent::TokenAcquired);
        }
        r
    }

    /// Completes a redirect sign-in if this page load carries its response (and removes the
    /// response from the address bar). `Ok(None)` when there is none.
    pub async fn handle_redirect(&self) -> Result<Option<AuthenticationResult>, AuthError> {
        let loc = location()?;
        let hash = loc.hash().unwrap_or_default();
        let response = if hash.len() > 1 { hash } else { loc.search().unwrap_or_default() };
        let ours = AuthorizeResponse::parse(&response)
            .ok()
            .and_then(|r| RequestState::parse(&r.state).ok())
            .is_some_and(|s| s.interaction_type == InteractionType::Redirect);
        if !ours {
            return self.client.handle_redirect(None).await;
        }
        if let Ok(history) = web_sys::window().ok_or(()).and_then(|w| w.history().map_err(|_| ())) {
            let path = loc.pathname().unwrap_or_default();
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
        }
        let r = self
            .client
            .handle_redirect(Some(&response))
            .await
            .map(|o| o.ok_or_else(|| AuthError::browser(codes::NO_TOKEN_REQUEST_CACHE_ERROR, "no redirect request")));
        match r {
            Ok(inner) => self.signed_in(inner).map(Some),
            Err(e) => Err(e),
        }
    }

    /// Signs in with a popup. Call it directly from a click handler: the popup opens before
    /// the returned future is first polled.
    pub fn login_popup(&self, req: &InteractiveRequest) -> impl Future<Output = Result<AuthenticationResult, AuthError>> + 'static {
        let started = popup_flow(self.client.clone(), req, PopupAttributes::default());
        let app = self.clone();
        async move {
            let r = match started {
                Ok(f) => f.await,
                Err(e) => Err(e),
            };
            app.signed_in(r)
        }
    }

    /// Signs in by redirecting this page; the result arrives through
    /// [`handle_redirect`](Self::handle_redirect) on return.
    pub fn login_redirect(&self, req: &InteractiveRequest) -> Result<(), AuthError> {
        let here = location()?.href().unwrap_or_default();
        let pending = self.client.begin_interaction(req, InteractionType::Redirect, &here)?;
        location()?.assign(&pending.url).map_err(|_| {
            self.client.abort_interaction(&pending);
            AuthError::browser(codes::EMPTY_NAVIGATE_URI, "the browser refused to navigate")
        })
    }

    /// msal's `acquireTokenSilent`: cache, refresh token, then hidden iframe per policy.
    pub async fn acquire_token_silent(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        if let Some(hit) = self.client.acquire_token_silent_cached(req)? {
            return Ok(hit);
        }
        let r = silent_flow(&self.client, req).await;
        if r.is_ok() {
            self.emit(AppEvent::TokenAcquired);
        }
        r
    }

    /// Redeems an authorization code obtained elsewhere (msal's `acquireTokenByCode`).
    pub async fn acquire_token_by_code(
        &self,
        code: &str,
        scopes: &[String],
        code_verifier: Option<&str>,
        redirect_uri: &str,
    ) -> Result<AuthenticationResult, AuthError> {
        let r = self.client.acquire_token_by_code(code, scopes, code_verifier, redirect_uri, "").await;
        self.signed_in(r)
    }

    /// Signs the account out: removes its tokens and navigates to the end-session page.
    pub fn logout_redirect(&self, home_account_id: Option<&str>) -> Result<(), AuthError> {
        let url = self.client.logout(home_account_id, "", "")?;
        self.emit(AppEvent::AccountsChanged);
        if let Some(url) = url {
            location()?.assign(&url).map_err(|_| AuthError::browser(codes::EMPTY_NAVIGATE_URI, "the browser refused to navigate"))?;
        }
        Ok(())
    }

    /// Every signed-in account.
    pub fn accounts(&self) -> Vec<AccountInfo> {
        self.client.all_accounts()
    }

    /// The active account, else the first one.
    pub fn account(&self) -> Option<AccountInfo> {
        self.client.active_account().or_else(|| self.client.all_accounts().into_iter().next())
    }
}
