//! The browser client (wasm32): the one [`PublicClientApplication`] over the browser
//! platform, connected to the page — other tabs' announcements over a BroadcastChannel,
//! `storage` events of a localStorage cache, renewal when the page wakes — with events out to
//! Rust listeners. The JavaScript exports and the Leptos/Yew integrations both drive this; it
//! has no flow of its own.

use crate::prelude::*;

use crate::client::{
    AccountInfo, AccountRef, AuthenticationResult, ByCodeRequest, Config, InteractiveRequest, LogoutRequest, PublicClientApplication,
    RedirectStart, SilentRequest,
};
use crate::error::{codes, AuthError, Kept};
use crate::platform::browser::runtime::{TabEvents, TabListener};
use crate::platform::browser::{window, BrowserPlatform};
use crate::platform::{Platform as _, PopupAttributes};
use ::core::cell::RefCell;
use ::core::future::Future;
use alloc::rc::Rc;
use wasm_bindgen::JsValue;

/// The client type on the browser platform.
pub type BrowserClient = PublicClientApplication<BrowserPlatform>;

/// What a Rust listener hears about (the JS facade has msal's full `EventType` set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEvent {
    /// An account signed in, signed out, or the active account changed.
    AccountsChanged,
    /// A token was acquired.
    TokenAcquired,
    /// The interaction status changed (msal-react's `inProgress`).
    Status(InteractionStatus),
    /// The page came back from the back/forward cache while its redirect sign-in was under
    /// way (the user pressed back on the provider's page): the sign-in is over.
    RedirectCancelled,
}

/// msal's `InteractionStatus` (v5): what interaction, if any, the app is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InteractionStatus {
    /// The client is starting: initialization and the redirect response are not done yet.
    #[default]
    Startup,
    /// A redirect response is being handled.
    HandleRedirect,
    /// An interactive sign-in or token request (popup or redirect) runs (v5 has no separate
    /// `Login` or `SsoSilent` status).
    AcquireToken,
    /// A sign-out runs.
    Logout,
    /// Nothing runs.
    None,
}

type Listener = Rc<dyn Fn(AppEvent)>;

/// A [`BrowserApp`] that does not keep it alive (for listeners held by the app itself).
pub(crate) struct WeakApp {
    client: alloc::rc::Weak<BrowserClient>,
    listeners: alloc::rc::Weak<RefCell<Vec<(u32, Listener)>>>,
    state: Rc<AppState>,
}

impl WeakApp {
    /// The app, while something else holds it.
    pub(crate) fn upgrade(&self) -> Option<BrowserApp> {
        Some(BrowserApp { client: self.client.upgrade()?, listeners: self.listeners.upgrade()?, state: self.state.clone() })
    }
}

/// What the page hears from the app's other tabs and from the browser (the platform's
/// `TabEvents` delivers it): another tab's announcement, a storage change, and the page waking up.
impl TabListener for WeakApp {
    fn message(&self, message: &str) {
        if let Some(app) = self.upgrade() {
            if app.client.apply_announcement(message) {
                app.emit(AppEvent::AccountsChanged);
            }
        }
    }

    fn storage(&self, key: String) {
        if let Some(app) = self.upgrade() {
            if key.is_empty() || key.starts_with("msal.") {
                app.client.mark_stale();
                // An encrypted entry is read from memory: decrypt the new value first.
                app.background(Background::StorageChanged(key));
            }
        }
    }

    fn active_heard(&self) {
        if let Some(app) = self.upgrade() {
            if app.client.active_heard() {
                app.emit(AppEvent::AccountsChanged);
            }
        }
    }

    fn wake(&self, restored: bool) {
        if let Some(app) = self.upgrade() {
            // Back from the provider's page by the back button, this page as it was left
            // (msal's RESTORE_FROM_BFCACHE): the redirect will not come back; end it.
            if let Some(pending) = restored.then(|| app.client.pending_redirect()).flatten() {
                app.client.abandon_redirect(&pending);
                app.set_status(InteractionStatus::None);
                app.emit(AppEvent::RedirectCancelled);
            }
            // The same back from the provider's sign-out page: the sign-out here stands, its
            // interaction ends (its call fails with user_cancelled).
            if restored && app.client.signing_out() {
                app.client.abort_logout();
                app.set_status(InteractionStatus::None);
            }
            app.client.mark_stale();
            // Renew what went stale while the page slept (single-flight across tabs).
            app.background(Background::Renew);
        }
    }

    fn full(&self, key: String) -> bool {
        self.upgrade().is_some_and(|app| app.client.storage_full(&key))
    }
}

/// A browser client for Rust front ends: shared by cloning (`Rc` inside).
#[derive(Clone)]
pub struct BrowserApp {
    client: Rc<BrowserClient>,
    listeners: Rc<RefCell<Vec<(u32, Listener)>>>,
    state: Rc<AppState>,
}

impl ::core::fmt::Debug for BrowserApp {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("BrowserApp").field("client", &self.client).finish_non_exhaustive()
    }
}

impl PartialEq for BrowserApp {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.client, &other.client)
    }
}

/// What the clones of one [`BrowserApp`] share besides the client and the listeners.
#[derive(Default)]
struct AppState {
    next_id: ::core::cell::Cell<u32>,
    status: ::core::cell::Cell<InteractionStatus>,
    /// Counts the interactions that showed a status: the latest one's ending resets it.
    shown: ::core::cell::Cell<u32>,
    redirected: RefCell<Redirected>,
}

/// [`BrowserApp::handle_redirect`]'s outcome on this page load.
#[derive(Default)]
enum Redirected {
    #[default]
    NotYet,
    /// A call runs it; these wait.
    Running(Vec<::core::task::Waker>),
    Done(Box<Result<Option<AuthenticationResult>, AuthError>>),
}

/// Publishes a `handle_redirect` run's outcome when dropped (`NotYet` again when it was dropped
/// before it had one), and wakes the calls that wait for it.
struct RedirectRun<'a> {
    app: &'a BrowserApp,
    outcome: Option<Result<Option<AuthenticationResult>, AuthError>>,
}

impl Drop for RedirectRun<'_> {
    fn drop(&mut self) {
        let next = self.outcome.take().map_or(Redirected::NotYet, |o| Redirected::Done(Box::new(o)));
        if let Redirected::Running(waiters) = self.app.state.redirected.replace(next) {
            waiters.into_iter().for_each(::core::task::Waker::wake);
        }
    }
}

/// What an interaction undoes when the app drops its future before it ends (a task cancelled
/// with its component, a `select!` timeout): its status back to `None`, and the interaction
/// lock this client still holds released, so the hooks and the next sign-in are not left
/// waiting for a lease to run out. Defused by the flow's own ending.
struct Interaction {
    app: BrowserApp,
    undo: Option<fn(&PublicClientApplication<BrowserPlatform>)>,
    /// The client's interaction generation when it started: once another request took the
    /// interaction over (or `clear_cache` ended it), the lock is no longer this one's.
    generation: u32,
    /// Its number among the interactions that showed a status: a later one's status stays.
    shown: u32,
    /// Whether its end sets the status back to `None` (not for a page leaving with it).
    reset_status: bool,
}

/// Releases the interaction lock of a popup sign-in (or sign-out) this client still holds, and
/// closes its window (ending its wait, or before it, while its authority is resolved).
fn release_sign_in(client: &PublicClientApplication<BrowserPlatform>) {
    if client.own_interaction_in_progress() {
        client.abort_interaction_of(crate::core::pkce::InteractionType::Popup);
        client.platform().cancel_popup_waits();
    }
}

/// As [`release_sign_in`], with a redirect's saved request.
fn release_redirect(client: &PublicClientApplication<BrowserPlatform>) {
    if client.own_interaction_in_progress() {
        client.abort_interaction_of(crate::core::pkce::InteractionType::Redirect);
    }
}

impl Interaction {
    /// Shows `status` until the interaction ends; `undo` releases what it holds.
    fn show(app: &BrowserApp, status: InteractionStatus, undo: fn(&PublicClientApplication<BrowserPlatform>)) -> Interaction {
        app.set_status(status);
        let shown = app.state.shown.get().wrapping_add(1);
        app.state.shown.set(shown);
        Interaction { app: app.clone(), undo: Some(undo), generation: app.client.interaction_generation(), shown, reset_status: true }
    }

    /// The flow ended, or what it holds is no longer the app's to release (a page leaving for
    /// the provider takes the lock with it).
    fn keep_lock(&mut self) {
        self.undo = None;
    }
}

impl Drop for Interaction {
    fn drop(&mut self) {
        if let Some(undo) = self.undo.take().filter(|_| self.app.client.interaction_generation() == self.generation) {
            undo(&self.app.client);
        }
        if self.reset_status && self.app.state.shown.get() == self.shown {
            self.app.set_status(InteractionStatus::None);
        }
    }
}

/// What [`BrowserApp::handle_redirect_promise`] ended with.
#[derive(Debug)]
pub enum RedirectOutcome {
    /// The result of the redirect sign-in this page load completed, if any.
    Done(Option<Box<AuthenticationResult>>),
    /// Go to this page (where the sign-in started); the response waits for it there.
    Navigate(String),
}

/// Replaces the page address (without a navigation or a history entry).
fn replace_address(url: Option<&str>) {
    if let Some(url) = url {
        crate::platform::browser::window::replace_address(url);
    }
}

fn location() -> Result<web_sys::Location, AuthError> {
    web_sys::window().map(|w| w.location()).ok_or_else(|| AuthError::browser(codes::NON_BROWSER_ENVIRONMENT, "no window"))
}

impl BrowserApp {
    /// Builds and initializes a client for `config`.
    pub async fn new(config: Config) -> Result<BrowserApp, AuthError> {
        let app = BrowserApp::build(config, JsValue::NULL, JsValue::NULL)?;
        app.initialize().await?;
        Ok(app)
    }

    /// Initializes the client ([`BrowserClient::initialize`]); with `navigate_popups` off, its
    /// authority's endpoints are then fetched in the background, ahead of the first popup.
    pub async fn initialize(&self) -> Result<(), AuthError> {
        self.client.initialize().await?;
        if !self.client.config().navigate_popups {
            self.background(Background::Endpoints);
        }
        Ok(())
    }

    /// Builds a client for `config` (call [`BrowserClient::initialize`] before requests) and
    /// connects it to the app's other tabs: account announcements over a BroadcastChannel,
    /// `storage` events for its storage area (other tabs' to localStorage, the tab's frames' to
    /// sessionStorage), and a re-read of the storage when the page
    /// wakes up (visible again, back online). Its log lines go to `log_sink(level, message)`
    /// (none when it is not a function); its HTTP requests through `network`, an msal
    /// `INetworkModule` (`system.networkClient`), when it is an object, else through fetch.
    pub fn build(config: Config, log_sink: JsValue, network: JsValue) -> Result<BrowserApp, AuthError> {
        let channel_name = ["msal.", &config.client_id, ".accounts"].concat();
        // (sessionStorage: the tab's same-origin frames share it, and hear each other's writes.)
        let area = crate::platform::browser::storage_area(config.cache_location);
        let platform =
            BrowserPlatform::new(config.cache_location, &config.client_id, log_sink, network).with_legacy_polling(config.polls_popups());
        let client = Rc::new(PublicClientApplication::new(config, platform)?);
        let app = BrowserApp { client, listeners: Rc::default(), state: Rc::default() };

        let max = u32::try_from(crate::client::MAX_ANNOUNCEMENT_BYTES).unwrap_or(u32::MAX);
        let store = app.client.platform().encrypted_store();
        let channel = window::listen(&channel_name, max, &area, &store, TabEvents::new(app.downgrade()));
        app.client.platform().set_channel(channel);
        Ok(app)
    }

    /// Starts a background task, all of them in one future type (one copy of its glue).
    fn background(&self, task: Background) {
        let app = self.clone();
        let _ = crate::platform::browser::runtime::spawn(Box::pin(async move {
            match task {
                Background::StorageChanged(key) => {
                    app.client.platform().refresh_entry(&key).await;
                    if app.client.storage_shown(&key) {
                        app.emit(AppEvent::AccountsChanged);
                    }
                }
                Background::Endpoints => app.client.fetch_endpoints_ahead().await,
                Background::Renew => {
                    // (A redirect the page came back from by the back button leaves its key.)
                    app.client.forget_orphan_keys().await;
                    app.client.renew_due(|| app.emit(AppEvent::TokenAcquired)).await
                }
            }
            Ok(JsValue::UNDEFINED)
        }));
    }

    pub(crate) fn downgrade(&self) -> WeakApp {
        WeakApp { client: Rc::downgrade(&self.client), listeners: Rc::downgrade(&self.listeners), state: self.state.clone() }
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
        let id = self.state.next_id.get() + 1;
        self.state.next_id.set(id);
        self.listeners.borrow_mut().push((id, Rc::new(listener)));
        id
    }

    /// Removes a listener.
    pub fn unsubscribe(&self, id: u32) {
        crate::core::retain(&mut self.listeners.borrow_mut(), &mut |(i, _)| *i != id);
    }

    /// msal's `InteractionStatus`: what interaction, if any, the app is in now.
    pub fn interaction_status(&self) -> InteractionStatus {
        self.state.status.get()
    }

    fn set_status(&self, status: InteractionStatus) {
        if self.state.status.replace(status) != status {
            self.emit(AppEvent::Status(status));
        }
    }

    fn emit(&self, event: AppEvent) {
        // Clone the list first: a listener may subscribe or unsubscribe.
        let listeners: Vec<Listener> = self.listeners.borrow().iter().map(|(_, l)| l.clone()).collect();
        for l in listeners {
            l(event);
        }
    }

    /// A result handed out: once what it stored is on disk (as msal's, so a page that reloads
    /// at once keeps it), with the events.
    async fn signed_in(&self, r: Result<AuthenticationResult, AuthError>) -> Result<AuthenticationResult, AuthError> {
        self.client.platform().settle_storage().await;
        if r.is_ok() {
            self.emit(AppEvent::AccountsChanged);
            self.emit(AppEvent::TokenAcquired);
        }
        r
    }

    /// msal's `handleRedirectPromise` on this page: completes a redirect sign-in whose response
    /// this page load carries (removing it from the address bar first), or tells the caller to
    /// go back to the page the sign-in started from (the response waits there). `given` is a
    /// response the app read itself; see [`PublicClientApplication::begin_handle_redirect`].
    /// `navigate_to_login_request_url`: v5's option of the call, over the configuration's (v3/v4).
    ///
    /// Its result or error is also what [`handle_redirect`](Self::handle_redirect) gives on this
    /// page load, waiting for it while it runs (an app that handles the redirect itself and
    /// mounts the provider with its instance: the hooks see the sign-in's error, and do not
    /// sign in again).
    pub async fn handle_redirect_promise(
        &self,
        given: Option<&str>,
        navigate_to_login_request_url: Option<bool>,
    ) -> Result<RedirectOutcome, AuthError> {
        // (Not a call before initialize(): the call after it handles the response.) A
        // provider's call meanwhile waits for this one's outcome.
        let claimed = self.client.is_initialized() && matches!(*self.state.redirected.borrow(), Redirected::NotYet);
        let mut run = None;
        if claimed {
            *self.state.redirected.borrow_mut() = Redirected::Running(Vec::new());
            run = Some(RedirectRun { app: self, outcome: None });
            if self.client.own_interaction_in_progress() {
                self.set_status(InteractionStatus::HandleRedirect);
            }
        }
        let r = self.redirect_outcome(given, navigate_to_login_request_url).await;
        if let Some(mut run) = run {
            run.outcome = match &r {
                Ok(RedirectOutcome::Done(result)) => Some(Ok(result.as_deref().cloned())),
                Ok(RedirectOutcome::Navigate(_)) => None,
                Err(e) => Some(Err(e.clone())),
            };
            drop(run);
            // The redirect is handled (or the app is to go back to its start page): msal's
            // HANDLE_REDIRECT_END.
            self.set_status(InteractionStatus::None);
        }
        r
    }

    /// [`handle_redirect_promise`](Self::handle_redirect_promise) without keeping its outcome
    /// (the JS API's: msal's facade keeps its one promise itself).
    pub(crate) async fn redirect_outcome(
        &self,
        given: Option<&str>,
        navigate_to_login_request_url: Option<bool>,
    ) -> Result<RedirectOutcome, AuthError> {
        let navigate = navigate_to_login_request_url.unwrap_or(self.client.config().navigate_to_login_request_url);
        let (response, clean_url) = match self.client.begin_handle_redirect(given, navigate)? {
            RedirectStart::None => return self.client.handle_redirect(None).await.map(|r| RedirectOutcome::Done(r.map(Box::new))),
            RedirectStart::Redeeming => return Ok(RedirectOutcome::Done(None)),
            RedirectStart::Stale { clean_url } => {
                replace_address(Some(&clean_url));
                return self.client.handle_redirect(None).await.map(|r| RedirectOutcome::Done(r.map(Box::new)));
            }
            RedirectStart::Refused { clean_url } => {
                replace_address(clean_url.as_deref());
                return Err(self.client.no_request_error());
            }
            RedirectStart::SignedOut { clean_url } => {
                replace_address(clean_url.as_deref());
                return Ok(RedirectOutcome::Done(None));
            }
            RedirectStart::Navigate { url, clean_url } => {
                replace_address(clean_url.as_deref());
                return Ok(RedirectOutcome::Navigate(url));
            }
            RedirectStart::Redeem { response, clean_url } => (response, clean_url),
        };
        replace_address(clean_url.as_deref());
        self.client.handle_redirect(Some(&response)).await.map(|r| RedirectOutcome::Done(r.map(Box::new)))
    }

    /// Completes a redirect sign-in if this page load carries its response; goes back to the
    /// page the sign-in started from first, when the response arrived elsewhere (the result
    /// then comes on that page's load). `Ok(None)` when there is none. Every call on this page
    /// load gets the first call's outcome, waiting for it while it runs (msal's one promise per
    /// response): an app that handles the redirect itself and a provider given its instance
    /// see the same result or error.
    pub async fn handle_redirect(&self) -> Result<Option<AuthenticationResult>, AuthError> {
        // Refused before anything is touched, as msal: the call after initialize() redeems it.
        if !self.client.is_initialized() {
            return Err(AuthError::browser(
                codes::UNINITIALIZED_PUBLIC_CLIENT_APPLICATION,
                "call and await initialize() before handling the redirect",
            ));
        }
        // Waits while another call runs it; `None`: nobody has (or a call was dropped half-way).
        let seen = ::core::future::poll_fn(|cx| match &mut *self.state.redirected.borrow_mut() {
            Redirected::Done(r) => ::core::task::Poll::Ready(Some((**r).clone())),
            Redirected::Running(waiters) => {
                waiters.push(cx.waker().clone());
                ::core::task::Poll::Pending
            }
            Redirected::NotYet => ::core::task::Poll::Ready(None),
        })
        .await;
        if let Some(r) = seen {
            return r;
        }
        *self.state.redirected.borrow_mut() = Redirected::Running(Vec::new());
        let mut run = RedirectRun { app: self, outcome: None };
        let r = self.handle_redirect_once().await;
        run.outcome = Some(r.clone());
        r
    }

    async fn handle_redirect_once(&self) -> Result<Option<AuthenticationResult>, AuthError> {
        // Dropped half-way (the app's own timeout while the code is redeemed): the status goes
        // back to `None` and the sign-in's lock and saved request go (while no other
        // interaction took them over), so the next one may start.
        let mut shown =
            self.client.own_interaction_in_progress().then(|| Interaction::show(self, InteractionStatus::HandleRedirect, release_redirect));
        let outcome = self.redirect_outcome(None, None).await;
        let r = match outcome {
            Ok(RedirectOutcome::Done(Some(r))) => self.signed_in(Ok(*r)).await.map(Some),
            Ok(RedirectOutcome::Done(None)) => Ok(None),
            // (A failure falls through to the clean-up below.)
            Ok(RedirectOutcome::Navigate(url)) => match location().and_then(|l| {
                l.replace(&url).map_err(|_| AuthError::browser(codes::EMPTY_NAVIGATE_URI, Kept("the browser refused to navigate")))
            }) {
                Ok(()) => {
                    // (The page leaves for the start page with the sign-in and its status.)
                    if let Some(s) = &mut shown {
                        s.keep_lock();
                        s.reset_status = false;
                    }
                    return Ok(None);
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        if let Some(s) = &mut shown {
            s.keep_lock();
        }
        if r.is_err() {
            // As msal (and the JS facade): a failed redirect leaves no request, stashed
            // response or lock behind, so the next sign-in may start.
            if let Some(p) = self.client.pending_redirect() {
                self.client.abandon_redirect(&p);
                self.client.forget_orphan_keys().await;
            }
        }
        self.set_status(InteractionStatus::None);
        r
    }

    /// Signs in with a popup. Call it directly from a click handler: the popup opens before
    /// the returned future is first polled. The status is `AcquireToken` meanwhile (v5 has no
    /// separate `Login` status).
    pub fn login_popup(&self, req: &InteractiveRequest) -> impl Future<Output = Result<AuthenticationResult, AuthError>> + 'static {
        let started = self.client.open_popup(req, PopupAttributes::default());
        let app = self.clone();
        async move {
            let r = match started {
                Ok(s) => {
                    let mut shown = Interaction::show(&app, InteractionStatus::AcquireToken, release_sign_in);
                    let r = app.client.complete_popup(s).await;
                    shown.keep_lock();
                    r
                }
                Err(e) => Err(e),
            };
            app.signed_in(r).await
        }
    }

    /// msal's `acquireTokenPopup`: the same flow as [`login_popup`](Self::login_popup).
    pub fn acquire_token_popup(&self, req: &InteractiveRequest) -> impl Future<Output = Result<AuthenticationResult, AuthError>> + 'static {
        self.login_popup(req)
    }

    /// Signs in by redirecting this page; the result arrives through
    /// [`handle_redirect`](Self::handle_redirect) on return. The interaction lock is taken
    /// before the returned future is first polled (as msal), so a second sign-in started right
    /// after is refused.
    pub fn login_redirect(&self, req: &InteractiveRequest) -> impl Future<Output = Result<(), AuthError>> + 'static {
        let locked = self.client.lock_redirect(req);
        let (app, req) = (self.clone(), req.clone());
        async move {
            locked?;
            // (From the lock on, as msal: its discovery may take a round trip.)
            let mut shown = Interaction::show(&app, InteractionStatus::AcquireToken, release_redirect);
            let pending = app.client.begin_redirect(&req, "").await?;
            // (From here the page may be leaving: the lock goes with the sign-in to the next.)
            shown.keep_lock();
            let ours = || app.client.pending_redirect().is_some_and(|p| p.state_id == pending.state_id);
            let left = app.leave(&pending.url, pending.form.as_deref(), &ours).await;
            // (Unless the page came back from the back/forward cache, which ended it: a later
            // interaction's lock is not this one's to release.)
            if ours() {
                app.client.abandon_redirect(&pending);
                app.client.forget_orphan_keys().await;
            }
            drop(shown);
            left
        }
    }

    /// Sends this page to `url` (posting `form` there, when given) and waits for it to go, while
    /// the interaction is still `ours()`. As msal 5: a page still here after the navigation
    /// timeout did not leave (a `beforeunload` prompt answered "stay"): `timed_out`
    /// (`failed_to_redirect`), and the caller ends the interaction; one that something else
    /// ended meanwhile (the page back from the back/forward cache): `user_cancelled`.
    async fn leave(&self, url: &str, form: Option<&str>, ours: &dyn Fn() -> bool) -> Result<(), AuthError> {
        let refused = || AuthError::browser(codes::EMPTY_NAVIGATE_URI, Kept("the browser refused to navigate"));
        match form {
            // A POST (httpMethod): the form is posted from this page, which leaves.
            Some(fields) => {
                if !window::post_form(&JsValue::NULL, url, fields) {
                    return Err(refused());
                }
            }
            None => location()?.assign(url).map_err(|_| refused())?,
        }
        let timeout = self.client.config().redirect_navigation_timeout_ms;
        let mut waited = 0;
        while waited < timeout {
            let step = (timeout - waited).min(250);
            crate::platform::Platform::sleep(self.client.platform(), step).await;
            waited += step;
            if !ours() {
                return Err(AuthError::browser(codes::USER_CANCELLED, "the user came back from the provider's page"));
            }
        }
        Err(AuthError::browser(codes::TIMED_OUT, "the page did not navigate").with_sub_error(codes::FAILED_TO_REDIRECT))
    }

    /// msal's `acquireTokenRedirect`: the same flow as [`login_redirect`](Self::login_redirect).
    pub fn acquire_token_redirect(&self, req: &InteractiveRequest) -> impl Future<Output = Result<(), AuthError>> + 'static {
        self.login_redirect(req)
    }

    /// msal's `acquireTokenSilent`: cache, refresh token, then hidden iframe per policy.
    pub async fn acquire_token_silent(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        let pinned = self.client.for_active_account(req);
        let req = pinned.as_ref().unwrap_or(req);
        // As msal-browser, a cached token past its refreshOn is served without a renewal.
        if let Some(hit) = self.client.acquire_token_silent_cached(req)? {
            return Ok(hit);
        }
        let r = self.client.acquire_token_silent_network(req).await;
        self.client.platform().settle_storage().await;
        if r.is_ok() {
            self.emit(AppEvent::TokenAcquired);
        }
        r
    }

    /// Redeems an authorization code obtained elsewhere (msal's `acquireTokenByCode`).
    pub async fn acquire_token_by_code(&self, req: &ByCodeRequest) -> Result<AuthenticationResult, AuthError> {
        let r = self.client.acquire_token_by_code(req).await;
        self.signed_in(r).await
    }

    /// Signs out (msal's `logoutRedirect`): removes the request's account (every account when
    /// it names none) and navigates to the provider's end-session page.
    pub async fn logout_redirect(&self, req: &LogoutRequest) -> Result<(), AuthError> {
        // Signed out here first (as msal), so listeners hear of it even when the rest fails; the
        // status says so before the accounts go (msal's LOGOUT_START comes before it clears
        // the cache), so a template shows its loading view, and no hook starts a sign-in.
        // (One refused after the local sign-out, an authority not trusted, has signed out.)
        let signed_out = self.client.sign_out_for_redirect(req).inspect_err(|_| self.emit(AppEvent::AccountsChanged))?;
        let mut shown = Interaction::show(self, InteractionStatus::Logout, PublicClientApplication::abort_logout);
        self.emit(AppEvent::AccountsChanged);
        let started = self.client.finish_logout_redirect(req, signed_out).await?;
        match started.url {
            Some(url) => {
                shown.keep_lock();
                let ours = || self.client.signing_out();
                let left = self.leave(&url, None, &ours).await;
                if ours() {
                    self.client.abort_logout();
                }
                left
            }
            None => Ok(()),
        }
    }

    /// Signs out in a popup (msal's `logoutPopup`). Call it directly from a click handler: the
    /// popup opens before the returned future is first polled.
    pub fn logout_popup(&self, req: &LogoutRequest) -> impl Future<Output = Result<(), AuthError>> + 'static {
        let started = self.client.open_logout_popup(req, PopupAttributes::default());
        let app = self.clone();
        async move {
            // (A popup that could not start may have signed out here already.)
            let started = started.inspect_err(|_| app.emit(AppEvent::AccountsChanged))?;
            app.emit(AppEvent::AccountsChanged);
            let mut shown = Interaction::show(&app, InteractionStatus::Logout, release_sign_in);
            let r = app.client.complete_logout_popup(started).await;
            shown.keep_lock();
            drop(shown);
            r
        }
    }

    /// msal's `ssoSilent`: signs in with the provider's session in a hidden frame.
    pub async fn sso_silent(&self, req: &InteractiveRequest) -> Result<AuthenticationResult, AuthError> {
        // Silent: the interaction status does not move (as v5).
        let r = self.client.sso_silent(req).await;
        self.signed_in(r).await
    }

    /// Sets (in the tenant profile `account` names) or clears the active account.
    pub fn set_active_account(&self, account: Option<&AccountRef>) -> Result<(), AuthError> {
        self.client.set_active_account(account)?;
        self.emit(AppEvent::AccountsChanged);
        Ok(())
    }

    /// msal's `clearCache`: removes `account`'s tokens, or every account's, from this browser
    /// (no request to the provider); the hooks and templates hear it. The keys of the removed
    /// bound tokens go too.
    pub async fn clear_cache(&self, account: Option<&AccountRef>) -> Result<(), AuthError> {
        let r = self.client.clear_cache(account);
        self.emit(AppEvent::AccountsChanged);
        r?;
        self.client.forget_orphan_keys().await;
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

/// What [`BrowserApp::background`] runs.
enum Background {
    /// Another tab wrote `key` (empty: it cleared the storage): re-read it.
    StorageChanged(String),
    /// Renew the tokens that went stale while the page slept.
    Renew,
    /// Fetch the authority's endpoints ahead of the first popup (`navigate_popups` off).
    Endpoints,
}
