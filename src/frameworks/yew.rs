//! Yew 0.23 integration.
//!
//! ```ignore
//! use msal_wasm::client::Config;
//! use msal_wasm::frameworks::yew::*;
//! use yew::prelude::*;
//!
//! #[function_component]
//! fn App() -> Html {
//!     let config = Config::new("client-id").with_authority("https://login.microsoftonline.com/common");
//!     html! {
//!         <MsalProvider {config}>
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
use yew::prelude::*;

/// The provider's state, available to every component below it.
#[derive(Clone, PartialEq, Default)]
pub struct MsalContext {
    /// The client, once initialized.
    pub app: Option<BrowserApp>,
    /// Signed-in accounts.
    pub accounts: Vec<AccountInfo>,
    /// The active account (else the first).
    pub account: Option<AccountInfo>,
    /// Why initialization or the redirect failed, if it did (msal's error code).
    pub error: Option<String>,
    /// True until initialization and the redirect are done.
    pub in_progress: bool,
}

/// Props of [`MsalProvider`].
#[derive(Properties, PartialEq)]
pub struct MsalProviderProps {
    /// Client configuration.
    pub config: Config,
    /// The app.
    #[prop_or_default]
    pub children: Html,
}

fn snapshot(app: &BrowserApp, error: Option<String>) -> MsalContext {
    MsalContext { app: Some(app.clone()), accounts: app.accounts(), account: app.account(), error, in_progress: false }
}

/// Owns one client: initializes it, handles a redirect response on mount, and re-renders its
/// children when accounts change.
#[function_component(MsalProvider)]
pub fn msal_provider(props: &MsalProviderProps) -> Html {
    let ctx = use_state(|| MsalContext { in_progress: true, ..MsalContext::default() });
    {
        let ctx = ctx.clone();
        let config = props.config.clone();
        use_effect_with(config, move |config| {
            let config = config.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match BrowserApp::new(config).await {
                    Ok(app) => {
                        let error = app.handle_redirect().await.err().map(|e| e.code().to_owned());
                        let listener_ctx = ctx.clone();
                        let listener_app = app.clone();
                        app.subscribe(move |event| {
                            if event == AppEvent::AccountsChanged {
                                listener_ctx.set(snapshot(&listener_app, None));
                            }
                        });
                        ctx.set(snapshot(&app, error));
                    }
                    Err(e) => ctx.set(MsalContext { error: Some(e.code().to_owned()), ..MsalContext::default() }),
                }
            });
            || ()
        });
    }
    html! {
        <ContextProvider<MsalContext> context={(*ctx).clone()}>
            { props.children.clone() }
        </ContextProvider<MsalContext>>
    }
}

/// The provider's context (an empty one outside a provider).
#[hook]
pub fn use_msal() -> MsalContext {
    use_context::<MsalContext>().unwrap_or_default()
}

/// True when an account is signed in.
#[hook]
pub fn use_is_authenticated() -> bool {
    !use_msal().accounts.is_empty()
}

/// The active account (else the first signed-in one).
#[hook]
pub fn use_account() -> Option<AccountInfo> {
    use_msal().account
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
#[hook]
pub fn use_access_token(scopes: Vec<String>, fallback: Fallback) -> TokenState {
    let ctx = use_msal();
    let state = use_state(|| TokenState { loading: true, ..TokenState::default() });
    let key = (ctx.app.clone(), ctx.account.as_ref().map(|a| a.account.home_account_id.clone()), scopes.clone());
    {
        let state = state.clone();
        use_effect_with(key, move |(app, home, scopes)| {
            if let (Some(app), Some(home)) = (app.clone(), home.clone()) {
                let scopes = scopes.clone();
                state.set(TokenState { loading: true, ..TokenState::default() });
                wasm_bindgen_futures::spawn_local(async move {
                    match super::access_token(&app, home, scopes, fallback).await {
                        Ok(r) => state.set(TokenState { loading: false, result: Some(r), error: None }),
                        Err(e) => state.set(TokenState { loading: false, result: None, error: Some(e) }),
                    }
                });
            } else if app.is_some() {
                state.set(TokenState::default());
            }
            || ()
        });
    }
    (*state).clone()
}

/// Props of the templates.
#[derive(Properties, PartialEq)]
pub struct TemplateProps {
    /// What to show.
    #[prop_or_default]
    pub children: Html,
}

/// Shows its children only when an account is signed in.
#[function_component(AuthenticatedTemplate)]
pub fn authenticated_template(props: &TemplateProps) -> Html {
    if use_is_authenticated() {
        props.children.clone()
    } else {
        Html::default()
    }
}

/// Shows its children only when no account is signed in (and initialization is done).
#[function_component(UnauthenticatedTemplate)]
pub fn unauthenticated_template(props: &TemplateProps) -> Html {
    let ctx = use_msal();
    if ctx.accounts.is_empty() && !ctx.in_progress {
        props.children.clone()
    } else {
        Html::default()
    }
}
