//! Leptos 0.8 integration.
//!
//! ```ignore
//! use leptos::prelude::*;
//! use msal_wasm::client::Config;
//! use msal_wasm::frameworks::leptos::*;
//!
//! #[component]
//! fn App() -> impl IntoView {
//!     let config = Config::new("client-id").with_authority("https://login.microsoftonline.com/common");
//!     view! {
//!         <MsalProvider config=config>
//!             <AuthenticatedTemplate><Profile /></AuthenticatedTemplate>
//!             <UnauthenticatedTemplate><SignIn /></UnauthenticatedTemplate>
//!         </MsalProvider>
//!     }
//! }
//! ```

use super::Fallback;
use crate::browser::{AppEvent, BrowserApp};
use crate::client::{AccountInfo, AuthenticationResult, Config};
use crate::error::AuthError;
use leptos::prelude::*;

/// The provider's state: signals every component below it can read.
#[derive(Clone, Copy)]
pub struct MsalContext {
    app: StoredValue<Option<BrowserApp>, LocalStorage>,
    /// Bumped when the client is ready and whenever accounts change.
    version: RwSignal<u32>,
    /// True until initialization and the redirect are done.
    pub in_progress: RwSignal<bool>,
    /// Why initialization or the redirect failed, if it did (msal's error code).
    pub error: RwSignal<Option<String>>,
}

impl MsalContext {
    /// The client, once initialized (tracks readiness and account changes).
    pub fn app(&self) -> Option<BrowserApp> {
        self.version.track();
        self.app.get_value()
    }
    /// Signed-in accounts (reactive).
    pub fn accounts(&self) -> Vec<AccountInfo> {
        self.app().map(|a| a.accounts()).unwrap_or_default()
    }
    /// The active account, else the first (reactive).
    pub fn account(&self) -> Option<AccountInfo> {
        self.app().and_then(|a| a.account())
    }
}

/// Owns one client: initializes it, handles a redirect response on mount, and makes accounts
/// reactive for its children.
#[component]
pub fn MsalProvider(
    /// Client configuration.
    config: Config,
    /// The app.
    children: Children,
) -> impl IntoView {
    let ctx = MsalContext {
        app: StoredValue::new_local(None),
        version: RwSignal::new(0),
        in_progress: RwSignal::new(true),
        error: RwSignal::new(None),
    };
    provide_context(ctx);
    leptos::task::spawn_local(async move {
        match BrowserApp::new(config).await {
            Ok(app) => {
                let error = app.handle_redirect().await.err().map(|e| e.code().to_owned());
                app.subscribe(move |event| {
                    if event == AppEvent::AccountsChanged {
                        ctx.version.update(|v| *v += 1);
                    }
                });
                ctx.app.set_value(Some(app));
                ctx.error.set(error);
            }
            Err(e) => ctx.error.set(Some(e.code().to_owned())),
        }
        ctx.in_progress.set(false);
        ctx.version.update(|v| *v += 1);
    });
    children()
}

/// The provider's context. Outside a provider: a context that never becomes ready.
pub fn use_msal() -> MsalContext {
    use_context::<MsalContext>().unwrap_or_else(|| MsalContext {
        app: StoredValue::new_local(None),
        version: RwSignal::new(0),
        in_progress: RwSignal::new(false),
        error: RwSignal::new(Some("no_msal_provider".to_owned())),
    })
}

/// True when an account is signed in.
pub fn use_is_authenticated() -> Signal<bool> {
    let ctx = use_msal();
    Signal::derive(move || !ctx.accounts().is_empty())
}

/// The active account (else the first signed-in one).
pub fn use_account() -> Signal<Option<AccountInfo>> {
    let ctx = use_msal();
    Signal::derive(move || ctx.account())
}

/// State of [`use_access_token`].
#[derive(Clone, Default)]
pub struct TokenState {
    /// True while a request runs.
    pub loading: bool,
    /// The last result.
    pub result: Option<AuthenticationResult>,
    /// The last error.
    pub error: Option<AuthError>,
}

/// Acquires a token silently for `scopes` and the current account, again whenever the account
/// changes; with [`Fallback::Redirect`] an `InteractionRequired` error starts a redirect.
pub fn use_access_token(scopes: Vec<String>, fallback: Fallback) -> ReadSignal<TokenState, LocalStorage> {
    let ctx = use_msal();
    let (state, set_state) = signal_local(TokenState { loading: true, ..TokenState::default() });
    Effect::new(move |_| {
        let (Some(app), Some(account)) = (ctx.app(), ctx.account()) else {
            if !ctx.in_progress.get() {
                set_state.set(TokenState::default());
            }
            return;
        };
        let home = account.account.home_account_id;
        let scopes = scopes.clone();
        set_state.set(TokenState { loading: true, ..TokenState::default() });
        leptos::task::spawn_local(async move {
            match super::access_token(&app, home, scopes, fallback).await {
                Ok(r) => set_state.set(TokenState { loading: false, result: Some(r), error: None }),
                Err(e) => set_state.set(TokenState { loading: false, result: None, error: Some(e) }),
            }
        });
    });
    state
}

/// Shows its children only when an account is signed in.
#[component]
pub fn AuthenticatedTemplate(
    /// What to show.
    children: ChildrenFn,
) -> impl IntoView {
    let signed_in = use_is_authenticated();
    move || signed_in.get().then(|| children())
}

/// Shows its children only when no account is signed in (and initialization is done).
#[component]
pub fn UnauthenticatedTemplate(
    /// What to show.
    children: ChildrenFn,
) -> impl IntoView {
    let ctx = use_msal();
    move || (!ctx.in_progress.get() && ctx.accounts().is_empty()).then(|| children())
}
