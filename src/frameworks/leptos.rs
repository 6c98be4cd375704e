//! Leptos 0.8 integration, at msal-react's level.
//!
//! ```ignore
//! use leptos::prelude::*;
//! use msal_wasm::client::{Config, InteractiveRequest};
//! use msal_wasm::frameworks::{leptos::*, Interaction};
//!
//! #[component]
//! fn App() -> impl IntoView {
//!     let config = Config::new("client-id").with_authority("https://login.microsoftonline.com/common");
//!     let request = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
//!     view! {
//!         <MsalProvider config=config>
//!             <MsalAuthenticationTemplate interaction=Interaction::Popup request=request>
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
use leptos::prelude::*;

/// The provider's state: signals every component below it can read (msal-react's `useMsal()`).
#[derive(Clone, Copy)]
pub struct MsalContext {
    app: StoredValue<Option<BrowserApp>, LocalStorage>,
    /// Bumped when the client is ready and whenever accounts change.
    version: RwSignal<u32>,
    /// What interaction, if any, the app is in (msal-react's `inProgress`).
    pub in_progress: RwSignal<InteractionStatus>,
    /// Why initialization or the redirect failed, if it did.
    pub error: RwSignal<Option<AuthError>>,
}

impl MsalContext {
    /// The client, once initialized (tracks readiness and account changes).
    pub fn app(&self) -> Option<BrowserApp> {
        self.version.track();
        // None once the provider is gone (never a panic from code that outlived it).
        self.app.try_get_value().flatten()
    }
    /// Signed-in accounts (reactive).
    pub fn accounts(&self) -> Vec<AccountInfo> {
        self.app().map(|a| a.accounts()).unwrap_or_default()
    }
    /// The active account, else the first (reactive).
    pub fn account(&self) -> Option<AccountInfo> {
        self.app().and_then(|a| a.account())
    }
    /// The signed-in account matching `filter` (any without one), the active one first
    /// (reactive).
    pub fn account_for(&self, filter: Option<&AccountFilter>) -> Option<AccountInfo> {
        self.app().and_then(|a| matching_account(&a, filter))
    }
}

/// Owns one client: initializes it (or takes the app's, as msal-react's `instance`), handles a
/// redirect response on mount, and makes accounts and the interaction status reactive for its
/// children.
#[component]
pub fn MsalProvider(
    /// Client configuration: the provider builds its client.
    #[prop(optional)]
    config: Option<Config>,
    /// A client the app built (and shares with code outside the components); over `config`.
    #[prop(optional)]
    instance: Option<BrowserApp>,
    /// The app.
    children: Children,
) -> impl IntoView {
    // (The page it is made on: a child's redirect may move the address before the client is built.)
    let config = config.map(|c| c.redirect_uri_or_page(&crate::platform::browser::window::page_url()));
    let ctx = MsalContext {
        app: StoredValue::new_local(None),
        version: RwSignal::new(0),
        in_progress: RwSignal::new(InteractionStatus::Startup),
        error: RwSignal::new(None),
    };
    provide_context(ctx);
    // Unmounted, the provider stops listening to its client (and the client goes with it).
    let listener = StoredValue::new(None::<u32>);
    // The accounts the children were last told of (see `account_ids`); made here, under the
    // component's owner (one made in the task below would have none, and be gone).
    let shown = StoredValue::new_local(Vec::new());
    on_cleanup(move || {
        if let (Some(Some(app)), Some(Some(id))) = (ctx.app.try_get_value(), listener.try_get_value()) {
            app.unsubscribe(id);
        }
    });
    leptos::task::spawn_local(async move {
        match super::provided_app(instance, config).await {
            Ok(app) => {
                // A token from the network may bring a tenant profile, so an account of its
                // own: msal-react reads the accounts again at every event, and tells its
                // children only when they changed (each renewal's new ID token is no change).
                let weak = app.downgrade();
                let id = app.subscribe(move |event| match event {
                    AppEvent::AccountsChanged | AppEvent::TokenAcquired => {
                        let Some(app) = weak.upgrade() else { return };
                        let ids = super::account_ids(&app.accounts(), app.account().as_ref());
                        if shown.try_update_value(|shown| ::core::mem::replace(shown, ids) != *shown) == Some(true) {
                            ctx.version.try_update(|v| *v += 1);
                        }
                    }
                    AppEvent::Status(s) => {
                        ctx.in_progress.try_set(s);
                    }
                    AppEvent::RedirectCancelled => {}
                });
                if ctx.app.try_set_value(Some(app.clone())).is_some() || listener.try_set_value(Some(id)).is_some() {
                    // Unmounted while the client started.
                    return app.unsubscribe(id);
                }
                let error = app.handle_redirect().await.err();
                shown.try_set_value(super::account_ids(&app.accounts(), app.account().as_ref()));
                ctx.error.try_set(error);
                ctx.in_progress.try_set(app.interaction_status());
            }
            Err(e) => {
                ctx.error.try_set(Some(e));
                ctx.in_progress.try_set(InteractionStatus::None);
            }
        }
        ctx.version.try_update(|v| *v += 1);
    });
    children()
}

/// The provider's context. Outside a provider: a context that never becomes ready.
pub fn use_msal() -> MsalContext {
    use_context::<MsalContext>().unwrap_or_else(|| MsalContext {
        app: StoredValue::new_local(None),
        version: RwSignal::new(0),
        in_progress: RwSignal::new(InteractionStatus::Startup),
        error: RwSignal::new(None),
    })
}

/// True when an account is signed in (false during start-up, as msal-react's).
pub fn use_is_authenticated() -> Signal<bool> {
    let ctx = use_msal();
    Memo::new(move |_| super::authenticated_shown(ctx.account_for(None).is_some(), ctx.in_progress.get())).into()
}

/// True when an account matching `filter` is signed in (msal-react's
/// `useIsAuthenticated(accountIdentifiers)`; false during start-up). The filter may be a
/// signal: a new filter is looked at, as msal-react's next render does.
pub fn use_is_authenticated_for(filter: impl Into<Signal<AccountFilter>>) -> Signal<bool> {
    let ctx = use_msal();
    let filter = filter.into();
    Memo::new(move |_| {
        let signed_in = filter.with(|f| ctx.account_for(Some(f)).is_some());
        super::authenticated_shown(signed_in, ctx.in_progress.get())
    })
    .into()
}

/// The active account (else the first signed-in one). As msal-react's `useAccount`, looked at
/// again when the accounts or the interaction status change, and changed when another account
/// or a new ID token (an interaction's) is there; a silent renewal's ID token is not told.
pub fn use_account() -> Signal<Option<AccountInfo>> {
    let ctx = use_msal();
    account_memo(move || ctx.account_for(None), ctx)
}

fn account_memo(find: impl Fn() -> Option<AccountInfo> + Send + Sync + 'static, ctx: MsalContext) -> Signal<Option<AccountInfo>> {
    // (The first value, with no previous one, is a change.)
    let changed = |prev: Option<&Option<AccountInfo>>, new: Option<&Option<AccountInfo>>| {
        prev.is_none() || !super::same_account(prev.and_then(Option::as_ref), new.and_then(Option::as_ref))
    };
    Memo::new_with_compare(
        move |_| {
            ctx.in_progress.track();
            find()
        },
        changed,
    )
    .into()
}

/// The signed-in account matching `filter`, the active one first (msal-react's
/// `useAccount(accountIdentifiers)`). The filter may be a signal.
pub fn use_account_for(filter: impl Into<Signal<AccountFilter>>) -> Signal<Option<AccountInfo>> {
    let ctx = use_msal();
    let filter = filter.into();
    account_memo(move || filter.with(|f| ctx.account_for(Some(f))), ctx)
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
pub fn use_access_token(scopes: impl Into<Signal<Vec<String>>>, fallback: Fallback) -> ReadSignal<TokenState, LocalStorage> {
    // (A memo: scopes set again to the same value do not start the hook over.)
    let scopes: Signal<Vec<String>> = scopes.into();
    let scopes = Memo::new(move |_| scopes.get());
    let ctx = use_msal();
    let (state, set_state) = signal_local(TokenState { loading: true, ..TokenState::default() });
    let target = Memo::new(move |had: Option<&Option<AccountRef>>| {
        super::token_target(ctx.in_progress.get(), ctx.account().map(|a| a.to_ref()), had)
    });
    let generation = StoredValue::new(0u32);
    Effect::new(move |_| {
        let run = generation.get_value().wrapping_add(1);
        generation.set_value(run);
        let app = ctx.app.try_get_value().flatten();
        // A provider that could not start: its error is the hook's (it never gets a client).
        if let (None, Some(e)) = (&app, ctx.error.get()) {
            set_state.set(TokenState { loading: false, result: None, error: Some(e) });
            return;
        }
        let (Some(app), Some(account)) = (app, target.get()) else {
            // Tracked here: signed out, the target stays `None` when start-up ends, and only
            // the status tells this effect to leave `loading`.
            let settled = state.with_untracked(|s| !s.loading && s.result.is_none() && s.error.is_none());
            if ctx.in_progress.get() != InteractionStatus::Startup && !settled {
                set_state.set(TokenState::default());
            }
            return;
        };
        let scopes = scopes.get();
        // No redirect by itself after one that came back with an error.
        let redirect = fallback == Fallback::Redirect;
        let fallback = if super::failed_redirect(redirect, ctx.error.get_untracked()).is_some() { Fallback::None } else { fallback };
        set_state.set(TokenState { loading: true, ..TokenState::default() });
        leptos::task::spawn_local(super::token_loop(
            app.downgrade(),
            account,
            scopes,
            fallback,
            move || generation.try_get_value() == Some(run),
            move |result, error| set_state.set(TokenState { loading: false, result, error }),
        ));
    });
    state
}

/// What [`use_msal_authentication`] gives.
#[derive(Clone, Copy)]
pub struct MsalAuthenticationResult {
    /// The sign-in's or the token request's result.
    pub result: ReadSignal<Option<AuthenticationResult>, LocalStorage>,
    /// Its error (the hook then waits for the app: call `login` or `acquire_token` to try
    /// again).
    pub error: ReadSignal<Option<AuthError>, LocalStorage>,
    /// msal-react's `login`: signs in by the call's interaction and request (the hook's own
    /// for `None`). From async code that may outlive the component, call it with `try_run`
    /// (`run` panics once it is disposed).
    pub login: Callback<AuthCall>,
    /// msal-react's `acquireToken`: a token for the call's request (the hook's own for `None`),
    /// silently for its account (else the hook's), signing in by the call's interaction when
    /// the provider needs the user.
    pub acquire_token: Callback<AuthCall>,
}

/// msal-react's `useMsalAuthentication`: once nothing else is in progress, signs in by
/// `interaction` when no account (matching `filter`) is, or acquires a token for the request's
/// scopes silently (by `interaction` when the provider needs the user). The filter may be a
/// signal: each run uses its value then.
pub fn use_msal_authentication(
    interaction: Interaction,
    request: InteractiveRequest,
    filter: impl Into<Signal<Option<AccountFilter>>>,
) -> MsalAuthenticationResult {
    let filter: Signal<Option<AccountFilter>> = filter.into();
    let ctx = use_msal();
    let (result, set_result) = signal_local(None::<AuthenticationResult>);
    let (error, set_error) = signal_local(None::<AuthError>);
    let started = StoredValue::new(false);
    let start = StoredValue::new_local(move |run: HookRun| {
        let Some(app) = ctx.app.try_get_value().flatten() else {
            // The app's call before the provider's client started: said, not dropped. As any
            // error of the hook in msal-react, it is the app's to handle: no run of its own follows.
            started.set_value(true);
            set_error.set(Some(super::not_started(ctx.error.get_untracked())));
            return;
        };
        started.set_value(true);
        let (request, filter) = (request.clone(), filter.get_untracked());
        leptos::task::spawn_local(async move {
            match authenticate(&app, interaction, request, filter, run).await {
                Ok(Some(r)) => {
                    set_error.set(None);
                    set_result.set(Some(r));
                }
                Ok(None) => {}
                Err(e) => {
                    // An error replaces the result (msal-react).
                    set_result.set(None);
                    set_error.set(Some(e));
                }
            }
        });
    });
    let login = Callback::new(move |call| {
        start.try_with_value(|start| start(HookRun::Login(call)));
    });
    let acquire_token = Callback::new(move |call| {
        start.try_with_value(|start| start(HookRun::AcquireToken(call)));
    });
    // Whether the result (if any) is still for a signed-in account matching the filter.
    let stands = Memo::new(move |_| {
        let app = ctx.app();
        filter
            .with(|f| result.with(|r| r.as_ref().is_none_or(|r| app.as_ref().is_some_and(|app| super::result_stands(app, f.as_ref(), r)))))
    });
    Effect::new(move |_| {
        // (Read at every run, so an account that signs out reruns it.)
        let stands = stands.get();
        let ready = ctx.app().is_some() && ctx.in_progress.get() == InteractionStatus::None;
        if ready && !started.get_value() {
            // The provider's redirect error goes to the hook's own first run only.
            start.try_with_value(|start| start(HookRun::Auto(ctx.error.get_untracked())));
        } else if !stands {
            // Signed out: no result for an account that is gone (msal-react).
            set_result.set(None);
        }
    });
    MsalAuthenticationResult { result, error, login, acquire_token }
}

/// Shows its children only when an account (matching `filter`) is signed in.
#[component]
pub fn AuthenticatedTemplate(
    /// Only an account matching this counts (msal-react's account identifiers); may be a
    /// signal.
    #[prop(optional, into)]
    filter: MaybeProp<AccountFilter>,
    /// What to show.
    children: ChildrenFn,
) -> impl IntoView {
    let ctx = use_msal();
    // A memo: the children are built once when shown, not again at every status change.
    let shown =
        Memo::new(move |_| super::authenticated_shown(filter.with(|f| ctx.account_for(f.as_ref()).is_some()), ctx.in_progress.get()));
    move || shown.get().then(|| children())
}

/// Shows its children only when no account (matching `filter`) is signed in, once
/// initialization and the redirect are done.
#[component]
pub fn UnauthenticatedTemplate(
    /// Only an account matching this counts; may be a signal.
    #[prop(optional, into)]
    filter: MaybeProp<AccountFilter>,
    /// What to show.
    children: ChildrenFn,
) -> impl IntoView {
    let ctx = use_msal();
    let shown =
        Memo::new(move |_| super::unauthenticated_shown(filter.with(|f| ctx.account_for(f.as_ref()).is_some()), ctx.in_progress.get()));
    move || shown.get().then(|| children())
}

/// msal-react's `MsalAuthenticationTemplate`: signs in (by `interaction`) when no account is,
/// and shows its children once one is; `loading` meanwhile, `error` if the sign-in failed.
#[component]
pub fn MsalAuthenticationTemplate(
    /// How to sign in.
    #[prop(optional)]
    interaction: Interaction,
    /// The sign-in request (its scopes are also the token request's).
    #[prop(optional)]
    request: InteractiveRequest,
    /// Only an account matching this counts; may be a signal.
    #[prop(optional, into)]
    filter: MaybeProp<AccountFilter>,
    /// Shown while signing in.
    #[prop(optional, into)]
    loading: ViewFn,
    /// Shown when the sign-in failed (or the provider's client did not start), with the hook's
    /// result (as msal-react's `errorComponent` gets it): its `login` and `acquire_token` try
    /// again. The children and views also find it with `use_context::<MsalAuthenticationResult>()`.
    /// Without it, a paragraph (`role="alert"`) says the error's code and message.
    #[prop(optional)]
    error: Option<Callback<(AuthError, MsalAuthenticationResult), AnyView>>,
    /// Shown once signed in.
    children: ChildrenFn,
) -> impl IntoView {
    let ctx = use_msal();
    let auth = use_msal_authentication(interaction, request, Signal::derive(move || filter.get()));
    provide_context(auth);
    // The hook's error, else the provider's when its client did not start; a memo, so the
    // error view is built again only for another error (not at every change of the accounts).
    let failed = Memo::new_with_compare(
        move |_| super::template_failure(auth.error.get(), ctx.app().is_some(), || ctx.error.get()),
        |a, b| a.flatten().map(|e| (e.code(), e.message())) != b.flatten().map(|e| (e.code(), e.message())),
    );
    // A memo: the children stay mounted while the status changes (a popup for another token).
    let shown = Memo::new(move |_| {
        let signed_in = filter.with(|f| ctx.account_for(f.as_ref()).is_some());
        super::template_view(failed.with(Option::is_some), signed_in, ctx.in_progress.get())
    });
    move || match shown.get() {
        TemplateView::Children => children().into_any(),
        TemplateView::Error => match (failed.get(), error) {
            (Some(e), Some(view)) => view.run((e, auth)),
            (Some(e), None) => view! { <p role="alert">{super::error_text(&e)}</p> }.into_any(),
            (None, _) => ().into_any(),
        },
        TemplateView::Loading => loading.run().into_any(),
        TemplateView::Nothing => ().into_any(),
    }
}
