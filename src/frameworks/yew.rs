//! Yew 0.23 integration, at msal-react's level.
//!
//! ```ignore
//! use msal_wasm::client::{Config, InteractiveRequest};
//! use msal_wasm::frameworks::{yew::*, Interaction};
//! use yew::prelude::*;
//!
//! #[function_component]
//! fn App() -> Html {
//!     let config = Config::new("client-id").with_authority("https://login.microsoftonline.com/common");
//!     let request = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
//!     html! {
//!         <MsalProvider {config}>
//!             <MsalAuthenticationTemplate interaction={Interaction::Popup} {request}>
//!                 <Profile />
//!             </MsalAuthenticationTemplate>
//!         </MsalProvider>
//!     }
//! }
//! ```

use super::{authenticate, matching_account, AuthCall, Fallback, HookRun, Interaction, InteractionStatus, TemplateView};
use crate::browser::{AppEvent, BrowserApp};
use crate::client::{AccountFilter, AccountInfo, AccountRef, AuthenticationResult, Config, InteractiveRequest};
use crate::error::AuthError;
use ::core::cell::RefCell;
use alloc::rc::Rc;
use yew::prelude::*;

/// The provider's state, available to every component below it (msal-react's `useMsal()`).
#[derive(Clone, Default)]
pub struct MsalContext {
    /// The client, once initialized.
    pub app: Option<BrowserApp>,
    /// Signed-in accounts.
    pub accounts: Vec<AccountInfo>,
    /// The active account (else the first).
    pub account: Option<AccountInfo>,
    /// Why initialization or the redirect failed, if it did.
    pub error: Option<AuthError>,
    /// What interaction, if any, the app is in (msal-react's `inProgress`).
    pub in_progress: InteractionStatus,
}

/// Equal contexts render alike: accounts compare as msal-react's provider compares them (by
/// their ids, not their ID tokens, which any renewal replaces).
impl PartialEq for MsalContext {
    fn eq(&self, other: &Self) -> bool {
        self.app == other.app
            && super::account_ids(&self.accounts, self.account.as_ref()) == super::account_ids(&other.accounts, other.account.as_ref())
            && self.in_progress == other.in_progress
            && self.error.as_ref().map(AuthError::code) == other.error.as_ref().map(AuthError::code)
    }
}

/// Props of [`MsalProvider`].
#[derive(Properties, PartialEq)]
pub struct MsalProviderProps {
    /// Client configuration: the provider builds its client.
    #[prop_or_default]
    pub config: Option<Config>,
    /// A client the app built (and shares with code outside the components), as msal-react's
    /// `instance`; over `config`.
    #[prop_or_default]
    pub instance: Option<BrowserApp>,
    /// The app.
    #[prop_or_default]
    pub children: Html,
}

fn snapshot(app: &BrowserApp, error: Option<AuthError>) -> MsalContext {
    MsalContext { app: Some(app.clone()), accounts: app.accounts(), account: app.account(), error, in_progress: app.interaction_status() }
}

/// A provider's client: starting, running with its listener's id, or let go (unmounted).
enum Live {
    Starting,
    Running(BrowserApp, u32),
    Gone,
}

/// Owns one client: initializes it (or takes the app's `instance`), handles a redirect response
/// on mount, and re-renders its children when accounts or the interaction status change.
/// Unmounted (or given another configuration), it stops listening to its client and lets it go.
#[function_component(MsalProvider)]
pub fn msal_provider(props: &MsalProviderProps) -> Html {
    // (Set again only when something changed: the listener takes a snapshot at every event.)
    let ctx = use_state_eq(MsalContext::default);
    // The page it is first rendered on: children's effects (a router's redirect) run before
    // this one's, which builds the client.
    let made_on = use_state(crate::platform::browser::window::page_url);
    {
        let ctx = ctx.clone();
        let deps = (props.config.clone(), props.instance.clone());
        let made_on = (*made_on).clone();
        use_effect_with(deps, move |(config, instance)| {
            let (config, instance) = (config.as_ref().map(|c| c.clone().redirect_uri_or_page(&made_on)), instance.clone());
            let live = Rc::new(RefCell::new(Live::Starting));
            let task_live = live.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match super::provided_app(instance, config).await {
                    Ok(app) => {
                        // The redirect's error stays in the context until the next one.
                        let error: Rc<RefCell<Option<AuthError>>> = Rc::default();
                        let (listener_ctx, listener_error) = (ctx.clone(), error.clone());
                        // Weak: the listener lives in the client's own list.
                        let weak = app.downgrade();
                        let id = app.subscribe(move |event| {
                            // (A token from the network may bring a tenant profile: msal-react
                            // reads the accounts again at every event.)
                            let news = matches!(event, AppEvent::AccountsChanged | AppEvent::Status(_) | AppEvent::TokenAcquired);
                            if let (true, Some(app)) = (news, weak.upgrade()) {
                                listener_ctx.set(snapshot(&app, listener_error.borrow().clone()));
                            }
                        });
                        if matches!(*task_live.borrow(), Live::Gone) {
                            // Unmounted while the client started.
                            return app.unsubscribe(id);
                        }
                        *task_live.borrow_mut() = Live::Running(app.clone(), id);
                        let e = app.handle_redirect().await.err();
                        *error.borrow_mut() = e.clone();
                        if !matches!(*task_live.borrow(), Live::Gone) {
                            ctx.set(snapshot(&app, e));
                        }
                    }
                    // (Not when unmounted or replaced by a new configuration's client meanwhile.)
                    Err(e) if !matches!(*task_live.borrow(), Live::Gone) => {
                        ctx.set(MsalContext { error: Some(e), in_progress: InteractionStatus::None, ..MsalContext::default() })
                    }
                    Err(_) => {}
                }
            });
            move || {
                if let Live::Running(app, id) = live.replace(Live::Gone) {
                    app.unsubscribe(id);
                }
            }
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

/// True when an account is signed in (false during start-up, as msal-react's).
#[hook]
pub fn use_is_authenticated() -> bool {
    let ctx = use_msal();
    super::authenticated_shown(ctx.account.is_some(), ctx.in_progress)
}

/// True when an account matching `filter` is signed in (msal-react's
/// `useIsAuthenticated(accountIdentifiers)`; false during start-up).
#[hook]
pub fn use_is_authenticated_for(filter: AccountFilter) -> bool {
    let ctx = use_msal();
    super::authenticated_shown(use_account_for(filter).is_some(), ctx.in_progress)
}

/// The active account (else the first signed-in one).
#[hook]
pub fn use_account() -> Option<AccountInfo> {
    use_msal().account
}

/// The signed-in account matching `filter`, the active one first (msal-react's
/// `useAccount(accountIdentifiers)`).
#[hook]
pub fn use_account_for(filter: AccountFilter) -> Option<AccountInfo> {
    let ctx = use_msal();
    // The context changes with every account change: the lookup follows it.
    ctx.app.as_ref().and_then(|app| matching_account(app, Some(&filter)))
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
/// changes, once nothing is in progress (not while a redirect response is redeemed); with
/// [`Fallback::Redirect`] an `InteractionRequired` error starts a redirect. A result that
/// arrives after the account changed again is dropped.
#[hook]
pub fn use_access_token(scopes: Vec<String>, fallback: Fallback) -> TokenState {
    let ctx = use_msal();
    let state = use_state(|| TokenState { loading: true, ..TokenState::default() });
    let had = use_mut_ref(|| None::<Option<AccountRef>>);
    let target = super::token_target(ctx.in_progress, ctx.account.as_ref().map(AccountInfo::to_ref), had.borrow().as_ref());
    *had.borrow_mut() = Some(target.clone());
    let generation = use_mut_ref(|| 0u32);
    // (With the start-up's end: signed out, nothing else in the key changes when it ends.)
    let started = ctx.in_progress != InteractionStatus::Startup;
    // A provider that could not start: its error is the hook's (it never gets a client).
    let failed = if ctx.app.is_none() { ctx.error.clone() } else { None };
    let key = (ctx.app.clone(), target, scopes.clone(), started, failed.as_ref().map(|e| e.code().to_owned()));
    // No redirect by itself after one that came back with an error.
    let fallback =
        if super::failed_redirect(fallback == Fallback::Redirect, ctx.error.clone()).is_some() { Fallback::None } else { fallback };
    {
        let state = state.clone();
        let generation_at_end = generation.clone();
        use_effect_with(key, move |(app, account, scopes, started, _)| {
            let run = generation.borrow().wrapping_add(1);
            *generation.borrow_mut() = run;
            if let (Some(app), Some(account)) = (app.clone(), account.clone()) {
                let scopes = scopes.clone();
                state.set(TokenState { loading: true, ..TokenState::default() });
                let alive = generation.clone();
                wasm_bindgen_futures::spawn_local(super::token_loop(
                    app.downgrade(),
                    account,
                    scopes,
                    fallback,
                    move || *alive.borrow() == run,
                    move |result, error| state.set(TokenState { loading: false, result, error }),
                ));
            } else if let Some(e) = failed {
                state.set(TokenState { loading: false, result: None, error: Some(e) });
            } else if app.is_some() && *started {
                state.set(TokenState::default());
            }
            // Unmounted or re-run: the renewal loop of this run stops.
            move || {
                let next = generation_at_end.borrow().wrapping_add(1);
                *generation_at_end.borrow_mut() = next;
            }
        });
    }
    (*state).clone()
}

/// What [`use_msal_authentication`] gives; [`MsalAuthenticationTemplate`]'s children find it
/// with `use_context::<MsalAuthenticationResult>()`.
#[derive(Clone, Default)]
pub struct MsalAuthenticationResult {
    /// The sign-in's or the token request's result.
    pub result: Option<AuthenticationResult>,
    /// Its error (the hook then waits for the app: call `login` or `acquire_token` to try
    /// again).
    pub error: Option<AuthError>,
    /// msal-react's `login`: signs in by the call's interaction and request (the hook's own
    /// for `None`).
    pub login: Callback<AuthCall>,
    /// msal-react's `acquireToken`: a token for the call's request (the hook's own for `None`),
    /// silently for its account (else the hook's), signing in by the call's interaction when
    /// the provider needs the user.
    pub acquire_token: Callback<AuthCall>,
}

/// Equal when they hold the same token and error (its children render again for another).
impl PartialEq for MsalAuthenticationResult {
    fn eq(&self, other: &Self) -> bool {
        let token = |r: &Self| r.result.as_ref().map(|t| (t.access_token.secret().to_owned(), t.expires_on_ms));
        let error = |r: &Self| r.error.as_ref().map(|e| (e.code().to_owned(), e.message().to_owned()));
        token(self) == token(other) && error(self) == error(other) && self.login == other.login && self.acquire_token == other.acquire_token
    }
}

/// msal-react's `useMsalAuthentication`: once nothing else is in progress, signs in by
/// `interaction` when no account (matching `filter`) is, or acquires a token for the request's
/// scopes silently (by `interaction` when the provider needs the user).
#[hook]
pub fn use_msal_authentication(
    interaction: Interaction,
    request: InteractiveRequest,
    filter: Option<AccountFilter>,
) -> MsalAuthenticationResult {
    let ctx = use_msal();
    let state = use_state(|| (None::<AuthenticationResult>, None::<AuthError>));
    let started = use_mut_ref(|| false);
    // The provider's client as of the latest render: a callback the app kept from an earlier
    // render (before start-up ended) still reaches it.
    let current = use_mut_ref(|| None::<(Option<BrowserApp>, Option<AuthError>)>);
    *current.borrow_mut() = Some((ctx.app.clone(), ctx.error.clone()));
    let start = {
        let state = state.clone();
        let started = started.clone();
        let (request, filter) = (request.clone(), filter.clone());
        Callback::from(move |run: HookRun| {
            let (app, provider_error) = current.borrow().clone().unwrap_or_default();
            let Some(app) = app else {
                // The app's call before the provider's client started: said, not dropped.
                return state.set((None, Some(super::not_started(provider_error))));
            };
            *started.borrow_mut() = true;
            let (state, request, filter) = (state.clone(), request.clone(), filter.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match authenticate(&app, interaction, request, filter, run).await {
                    Ok(Some(r)) => state.set((Some(r), None)),
                    Ok(None) => {}
                    Err(e) => state.set((None, Some(e))),
                }
            });
        })
    };
    let login = start.reform(HookRun::Login);
    let acquire_token = start.reform(HookRun::AcquireToken);
    {
        let start = start.clone();
        let ready = ctx.app.is_some() && ctx.in_progress == InteractionStatus::None;
        let done = state.0.is_some() || state.1.is_some();
        // Whether the result (if any) is still for a signed-in account matching the filter.
        let stands = state.0.as_ref().is_none_or(|r| ctx.app.as_ref().is_some_and(|app| super::result_stands(app, filter.as_ref(), r)));
        let state = state.clone();
        let redirect_failed = ctx.error.clone();
        use_effect_with((ready, done, stands), move |(ready, done, stands)| {
            if *ready && !*done && !*started.borrow() {
                // The provider's redirect error goes to the hook's own first run only.
                start.emit(HookRun::Auto(redirect_failed));
            } else if !*stands && state.0.is_some() {
                // Signed out: no result for an account that is gone (msal-react).
                state.set((None, None));
            }
            || ()
        });
    }
    MsalAuthenticationResult { result: state.0.clone(), error: state.1.clone(), login, acquire_token }
}

/// Props of the account templates.
#[derive(Properties, PartialEq)]
pub struct TemplateProps {
    /// Only an account matching this counts (msal-react's account identifiers).
    #[prop_or_default]
    pub filter: Option<AccountFilter>,
    /// What to show.
    #[prop_or_default]
    pub children: Html,
}

/// Shows its children only when an account (matching the filter) is signed in.
#[function_component(AuthenticatedTemplate)]
pub fn authenticated_template(props: &TemplateProps) -> Html {
    let ctx = use_msal();
    let signed_in = ctx.app.as_ref().and_then(|app| matching_account(app, props.filter.as_ref())).is_some();
    if super::authenticated_shown(signed_in, ctx.in_progress) {
        props.children.clone()
    } else {
        Html::default()
    }
}

/// Shows its children only when no account (matching the filter) is signed in, once
/// initialization and the redirect are done.
#[function_component(UnauthenticatedTemplate)]
pub fn unauthenticated_template(props: &TemplateProps) -> Html {
    let ctx = use_msal();
    let signed_in = ctx.app.as_ref().and_then(|app| matching_account(app, props.filter.as_ref())).is_some();
    if super::unauthenticated_shown(signed_in, ctx.in_progress) {
        props.children.clone()
    } else {
        Html::default()
    }
}

/// Props of [`MsalAuthenticationTemplate`].
#[derive(Properties, PartialEq)]
pub struct MsalAuthenticationTemplateProps {
    /// How to sign in.
    #[prop_or_default]
    pub interaction: Interaction,
    /// The sign-in request (its scopes are also the token request's).
    #[prop_or_default]
    pub request: InteractiveRequest,
    /// Only an account matching this counts.
    #[prop_or_default]
    pub filter: Option<AccountFilter>,
    /// Shown while signing in.
    #[prop_or_default]
    pub loading: Html,
    /// Shown when the sign-in failed (or the provider's client did not start), with the hook's
    /// result (as msal-react's `errorComponent` gets it): its `login` and `acquire_token` try
    /// again. Without it, a paragraph (`role="alert"`) says the error's code and message.
    #[prop_or_default]
    pub error: Option<Callback<(AuthError, MsalAuthenticationResult), Html>>,
    /// Shown once signed in.
    #[prop_or_default]
    pub children: Html,
}

/// msal-react's `MsalAuthenticationTemplate`: signs in (by its interaction) when no account is,
/// and shows its children once one is.
#[function_component(MsalAuthenticationTemplate)]
pub fn msal_authentication_template(props: &MsalAuthenticationTemplateProps) -> Html {
    let auth = use_msal_authentication(props.interaction, props.request.clone(), props.filter.clone());
    let ctx = use_msal();
    let signed_in = ctx.app.as_ref().and_then(|app| matching_account(app, props.filter.as_ref())).is_some();
    let failed = super::template_failure(auth.error.clone(), ctx.app.is_some(), || ctx.error.clone());
    match super::template_view(failed.is_some(), signed_in, ctx.in_progress) {
        // The children find the hook's result (msal-react hands it to a function child).
        TemplateView::Children => html! {
            <ContextProvider<MsalAuthenticationResult> context={auth}>{ props.children.clone() }</ContextProvider<MsalAuthenticationResult>>
        },
        TemplateView::Error => match (failed, &props.error) {
            (Some(e), Some(view)) => view.emit((e, auth)),
            (Some(e), None) => html! { <p role="alert">{ super::error_text(&e) }</p> },
            (None, _) => Html::default(),
        },
        TemplateView::Loading => props.loading.clone(),
        TemplateView::Nothing => Html::default(),
    }
}
