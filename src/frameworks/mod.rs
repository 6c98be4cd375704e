//! Rust front-end integrations (wasm32), at msal-react's level: a provider component that owns
//! one [`BrowserApp`](crate::browser::BrowserApp) and handles the redirect on mount; hooks
//! (`use_msal` with msal's [`InteractionStatus`], `use_is_authenticated`, `use_account`,
//! `use_msal_authentication`, `use_access_token`), each taking an optional
//! [`AccountFilter`](crate::client::AccountFilter); and the templates
//! (`AuthenticatedTemplate`, `UnauthenticatedTemplate`, `MsalAuthenticationTemplate`).
//! What the hooks decide lives here once, for both frameworks.

#[cfg(feature = "leptos")]
pub mod leptos;
#[cfg(feature = "yew")]
pub mod yew;

pub use crate::browser::InteractionStatus;
use crate::browser::{AppEvent, BrowserApp, WeakApp};
use crate::client::{AccountFilter, AccountInfo, AccountRef, AuthenticationResult, Config, InteractiveRequest, SilentRequest};
use crate::error::{codes, AuthError, ErrorKind};
use ::core::cell::Cell;
use alloc::rc::Rc;

/// The provider's client: the app's `instance` (initialized here, as msal-react's provider
/// does; again is harmless), else one built for `config`.
pub(crate) async fn provided_app(instance: Option<BrowserApp>, config: Option<Config>) -> Result<BrowserApp, AuthError> {
    match (instance, config) {
        (Some(app), _) => {
            app.initialize().await?;
            Ok(app)
        }
        (None, Some(config)) => BrowserApp::new(config).await,
        (None, None) => Err(AuthError::config(codes::INVALID_CONFIGURATION, "MsalProvider needs a config or an instance")),
    }
}

/// A hook's `login` or `acquire_token` called before the provider's client started: the
/// provider's own error when it failed to start, else msal's "call initialize first".
pub(crate) fn not_started(provider_error: Option<AuthError>) -> AuthError {
    provider_error.unwrap_or_else(|| {
        AuthError::browser(
            codes::UNINITIALIZED_PUBLIC_CLIENT_APPLICATION,
            "the provider's client has not started yet: try again once the status leaves Startup",
        )
    })
}

/// What `MsalAuthenticationTemplate`'s error view shows: the hook's error, else the provider's
/// when its client did not start.
pub(crate) fn template_failure(hook: Option<AuthError>, started: bool, provider: impl FnOnce() -> Option<AuthError>) -> Option<AuthError> {
    hook.or_else(|| if started { None } else { provider() })
}

/// What `use_access_token` does when the silent request needs the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fallback {
    /// Report the error (`InteractionRequired`) and let the app decide.
    #[default]
    None,
    /// Redirect to sign in (works without a click; the result arrives on return).
    Redirect,
}

/// How `use_msal_authentication` and `MsalAuthenticationTemplate` sign in (msal's
/// `InteractionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interaction {
    /// In a popup (the browser may block it outside a click).
    #[default]
    Popup,
    /// By redirecting the page; the result arrives on return.
    Redirect,
    /// With the provider's session in a hidden frame (`ssoSilent`).
    Silent,
}

/// The accounts as a provider tells its children they changed: by their ids, tenant and
/// username (msal-react's `accountArraysAreEqual`), and which one is active; not by their ID
/// tokens, which any renewal may replace (see [`same_account`] for `use_account`).
pub(crate) fn account_ids(accounts: &[AccountInfo], active: Option<&AccountInfo>) -> Vec<[String; 4]> {
    let ids = |a: &AccountInfo| {
        let a = &a.account;
        [a.home_account_id.clone(), a.local_account_id.clone(), a.realm.clone(), a.username.clone()]
    };
    accounts.iter().chain(active).map(ids).collect()
}

/// msal-react's `accountInfoIsEqual`, for `use_account`: the same account, ID token and all
/// (its `iat` and `nonce`: an interaction's new ID token may bring new claims, a new name).
pub(crate) fn same_account(a: Option<&AccountInfo>, b: Option<&AccountInfo>) -> bool {
    let claim = |a: &AccountInfo, name: &str| a.id_token_claims.as_ref().and_then(|c| c.get(name)).map(crate::core::json::Json::to_json);
    match (a, b) {
        (Some(a), Some(b)) => {
            account_ids(::core::slice::from_ref(a), None) == account_ids(::core::slice::from_ref(b), None)
                && a.account.environment == b.account.environment
                && ["iat", "nonce"].iter().all(|n| claim(a, n) == claim(b, n))
        }
        (None, None) => true,
        _ => false,
    }
}

/// The signed-in account that matches `filter`: without one, the active account, else the
/// first; with one, the first account that matches in the accounts' order (msal-react's
/// `getAccountByIdentifiers`: the active account is not preferred; each tenant profile is an
/// account of its own). As msal-react's account identifiers, the home and local account ids
/// match without regard to case (the username already does).
pub(crate) fn matching_account(app: &BrowserApp, filter: Option<&AccountFilter>) -> Option<AccountInfo> {
    // (A filter whose identifiers are all blank is none, as msal-react's `useAccount`.)
    let blank = |f: &AccountFilter| {
        [&f.home_account_id, &f.local_account_id, &f.username].iter().all(|v| v.as_deref().unwrap_or_default().is_empty())
    };
    match filter.filter(|f| !blank(f)) {
        None => app.account(),
        Some(_) => matching_accounts(app, filter).into_iter().next(),
    }
}

fn matching_accounts(app: &BrowserApp, filter: Option<&AccountFilter>) -> Vec<AccountInfo> {
    let f = filter.map(AccountFilter::without_blanks).unwrap_or_default();
    let rest = AccountFilter { home_account_id: None, local_account_id: None, ..f.clone() };
    let same = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(have));
    let mut found = app.client().accounts_matching(&rest);
    found.retain(|a| same(&f.home_account_id, &a.account.home_account_id) && same(&f.local_account_id, &a.account.local_account_id));
    found
}

/// Whether the account (tenant profile) a hook's `result` is for is still signed in and
/// matches `filter`: the result goes when its account signs out, even while another account
/// stays (the other account is no stand-in for the one whose token it holds; msal-react keeps
/// the result while an active account remains, see the README).
pub(crate) fn result_stands(app: &BrowserApp, filter: Option<&AccountFilter>, result: &AuthenticationResult) -> bool {
    let had = &result.account.account;
    matching_accounts(app, filter).iter().any(|a| a.account.home_account_id == had.home_account_id && a.account.realm == had.realm)
}

/// The error a hook reports instead of starting a redirect by itself, when the provider's
/// redirect came back with one (msal-react's hook gets the remembered `handleRedirectPromise`
/// error): redirecting again at every load would send a user who declined consent, or met a
/// provider error, back to the provider forever. `redirect` says whether the hook would redirect.
pub(crate) fn failed_redirect(redirect: bool, provider_error: Option<AuthError>) -> Option<AuthError> {
    provider_error.filter(|_| redirect)
}

/// What `use_access_token` runs: a silent request for `scopes` and the account; on
/// `InteractionRequired` with [`Fallback::Redirect`], starts a redirect sign-in, while the
/// hook's run is `alive` (not for an account signed out meanwhile).
pub(crate) async fn access_token(
    app: &BrowserApp,
    account: AccountRef,
    scopes: Vec<String>,
    fallback: Fallback,
    alive: &impl Fn() -> bool,
) -> Result<AuthenticationResult, AuthError> {
    let req = SilentRequest { scopes: scopes.clone(), account: Some(account.clone()), ..SilentRequest::default() };
    let result = app.acquire_token_silent(&req).await;
    if let Err(e) = &result {
        if e.is_interaction_required() && fallback == Fallback::Redirect && alive() {
            let _ =
                app.acquire_token_redirect(&InteractiveRequest { scopes, account: Some(account), ..InteractiveRequest::default() }).await;
        }
    }
    result
}

/// How long a token hook waits before it asks again after `failures` transient errors in a
/// row (the network, a 5xx): 10 s, doubling up to 5 minutes, so an outage costs a few requests
/// an hour, not one every 10 s (msal's guidance: never retry without end). While the client
/// holds a throttled request back (60 s, or the server's Retry-After), asking fails at once,
/// without a request.
fn retry_ms(failures: u32) -> u64 {
    (10_000u64 << failures.saturating_sub(1).min(5)).min(300_000)
}

/// The token hooks' loop (`use_access_token` of both frameworks): a token for `scopes`, then
/// again when it is due; after a transient error ([`AuthError::is_transient`]), again 10 s
/// later (longer after each one in a row: [`retry_ms`]), the last result kept meanwhile while
/// it has not expired (`set` hears each outcome).
/// After any other error (a refusal, or one that needs the user), again only once the app got
/// a token (its popup or sign-in met what the provider asked for): no token beside the error
/// meanwhile. Ends at a result without an expiry, when `alive()` turns false (the hook re-ran
/// or unmounted; looked at every 30 s at least) or when the client is gone: it holds the client
/// only while it asks, so an unmounted provider's client goes.
pub(crate) async fn token_loop(
    app: WeakApp,
    account: AccountRef,
    scopes: Vec<String>,
    fallback: Fallback,
    alive: impl Fn() -> bool,
    set: impl Fn(Option<AuthenticationResult>, Option<AuthError>),
) {
    let mut last: Option<AuthenticationResult> = None;
    let mut failures = 0;
    loop {
        let Some(strong) = app.upgrade() else { return };
        // Listening from before the request: a token the app gets while it runs counts.
        let mut next = Some(NextToken::new(&strong, &app));
        let r = access_token(&strong, account.clone(), scopes.clone(), fallback, &alive).await;
        if !alive() {
            return;
        }
        let now = js_sys::Date::now() as u64;
        let (until, token) = match r {
            Ok(r) => {
                failures = 0;
                let until = due_at(&strong, &r, now);
                set(Some(r.clone()), None);
                last = Some(r);
                match until {
                    Some(until) => (until, None),
                    None => return,
                }
            }
            // A refusal, or an error that needs the user: no token beside it, and no request
            // until the app has a token. A transient one: the last token while it is good, and
            // again soon.
            Err(e) if !e.is_transient() => {
                last = None;
                set(None, Some(e));
                (u64::MAX, next.take())
            }
            Err(e) => {
                last = last.filter(|l| l.expires_on_ms > now);
                set(last.clone(), Some(e));
                failures += 1;
                // (A token the app gets meanwhile ends the wait: the network is back.)
                (now.saturating_add(retry_ms(failures)), next.take())
            }
        };
        drop((strong, next));
        // One long timer stops counting while the computer sleeps (Chrome and Firefox on Linux):
        // after a night's sleep it would fire an hour late, the token long expired. Steps of at
        // most 30 s, each checked against the clock, end the wait within 30 s of waking.
        loop {
            let now = js_sys::Date::now() as u64;
            if now >= until || token.as_ref().is_some_and(|t| t.came.get()) {
                break;
            }
            let step = crate::platform::browser::window::sleep(until.saturating_sub(now).min(30_000) as u32);
            let step = match &token {
                Some(t) => js_sys::Promise::race(&js_sys::Array::of2(&step, &t.promise)),
                None => step,
            };
            let _ = crate::platform::browser::runtime::promised(step).await;
            if !alive() || app.upgrade().is_none() {
                return;
            }
        }
    }
}

/// The app's next token ([`AppEvent::TokenAcquired`]): `promise` resolves and `came` turns
/// true then. Stops listening when dropped.
struct NextToken<'a> {
    app: &'a WeakApp,
    id: u32,
    promise: js_sys::Promise,
    came: Rc<Cell<bool>>,
}

impl<'a> NextToken<'a> {
    fn new(strong: &BrowserApp, app: &'a WeakApp) -> NextToken<'a> {
        let came = Rc::new(Cell::new(false));
        let mut resolve = None;
        let promise = js_sys::Promise::new(&mut |ok, _| resolve = Some(ok));
        let (flag, resolve) = (came.clone(), resolve.unwrap_or_else(js_sys::Function::default));
        let id = strong.subscribe(move |event| {
            if event == AppEvent::TokenAcquired && !flag.replace(true) {
                let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            }
        });
        NextToken { app, id, promise, came }
    }
}

impl Drop for NextToken<'_> {
    fn drop(&mut self) {
        if let Some(app) = self.app.upgrade() {
            app.unsubscribe(self.id);
        }
    }
}

/// When `r`'s token is due for renewal (when a silent call would renew it: its expiry less the
/// renewal offset), and at least half its remaining life and 10 s from `now` (a token that
/// lives no longer than the offset is always due); `None` for a result without an expiry (no
/// access token): nothing to renew.
fn due_at(app: &BrowserApp, r: &AuthenticationResult, now: u64) -> Option<u64> {
    if r.expires_on_ms == 0 {
        return None;
    }
    let offset_ms = app.client().config().token_renewal_offset_secs.saturating_mul(1000);
    let due = if r.served_until_ms > 0 { r.served_until_ms } else { r.expires_on_ms.saturating_sub(offset_ms) };
    Some(now.saturating_add(due.saturating_sub(now).max(r.expires_on_ms.saturating_sub(now) / 2).max(10_000)))
}

/// What `login` and `acquire_token` of `use_msal_authentication` are called with: msal-react's
/// optional `callbackInteractionType` and `callbackRequest` (`None`: the hook's own).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthCall {
    /// How to sign in (for `acquire_token`: when the provider needs the user).
    pub interaction: Option<Interaction>,
    /// The request.
    pub request: Option<InteractiveRequest>,
}

/// What a `use_msal_authentication` hook runs.
pub(crate) enum HookRun {
    /// Its own run, once nothing else is in progress; with the provider's redirect error, if
    /// any (see [`failed_redirect`]).
    Auto(Option<AuthError>),
    /// The app's `login`.
    Login(AuthCall),
    /// The app's `acquire_token`.
    AcquireToken(AuthCall),
}

/// What `use_msal_authentication` runs (msal-react's `useMsalAuthentication`). Its own run:
/// signed in (an account matches `filter`), `acquire_token`; signed out, `login`. `login`: a
/// sign-in by the interaction. `acquire_token`: a token for the request's scopes, silently, for
/// the request's account, else the hook's; when the provider needs the user, a sign-in by the
/// interaction with the token request, unless an interaction is already in progress
/// (msal-react's `unable_to_fallback_to_interaction`). `Ok(None)`: a redirect left the page.
pub(crate) async fn authenticate(
    app: &BrowserApp,
    interaction: Interaction,
    request: InteractiveRequest,
    filter: Option<AccountFilter>,
    run: HookRun,
) -> Result<Option<AuthenticationResult>, AuthError> {
    let account = || matching_account(app, filter.as_ref()).map(|a| a.to_ref());
    let (interaction, request, redirect_failed, silent_first) = match run {
        HookRun::Auto(error) => {
            let account = account();
            let signed_in = account.is_some();
            let failed = failed_redirect(interaction == Interaction::Redirect, error);
            (interaction, InteractiveRequest { account: request.account.or(account), ..request }, failed, signed_in)
        }
        HookRun::Login(call) => (call.interaction.unwrap_or(interaction), call.request.unwrap_or(request), None, false),
        HookRun::AcquireToken(call) => {
            let request = call.request.unwrap_or(request);
            (
                call.interaction.unwrap_or(interaction),
                InteractiveRequest { account: request.account.or_else(account), ..request },
                None,
                true,
            )
        }
    };
    // One correlation id for the silent call and its fallback (msal-react).
    let mut request = request;
    if silent_first && request.correlation_id.is_empty() {
        request.correlation_id = app.client().guid()?;
    }
    if silent_first {
        match app.acquire_token_silent(&SilentRequest::for_interactive(&request, request.account.clone())).await {
            Err(e) if e.is_interaction_required() => {
                if redirect_failed.is_none() && app.interaction_status() != InteractionStatus::None {
                    return Err(AuthError::new(
                        ErrorKind::InteractionInProgress,
                        codes::UNABLE_TO_FALLBACK_TO_INTERACTION,
                        "the provider needs the user, but an interaction is already in progress: try again once it is done",
                    ));
                }
            }
            r => return r.map(Some),
        }
    }
    if let Some(failed) = redirect_failed {
        return Err(failed);
    }
    match interaction {
        Interaction::Popup => app.login_popup(&request).await.map(Some),
        Interaction::Silent => app.sso_silent(&request).await.map(Some),
        Interaction::Redirect => {
            // As msal-react: the redirect response of this page load is handled first (the
            // provider's outcome, shared).
            let _ = app.handle_redirect().await;
            app.login_redirect(&request).await.map(|()| None)
        }
    }
}

/// What `MsalAuthenticationTemplate` shows, as msal-react decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TemplateView {
    /// The hook's error (the app's error view), once nothing is in progress.
    Error,
    /// The children: an account (matching the filter) is signed in. They stay mounted while an
    /// interaction runs (a popup for another token, a sign-out).
    Children,
    /// The loading view: an interaction runs and nobody is signed in yet.
    Loading,
    /// Nothing.
    Nothing,
}

/// What a template without an error view shows of its error (msal-react throws it, so it
/// reaches the console at least; a blank area would hide a blocked popup or a declined
/// consent).
pub(crate) fn error_text(e: &AuthError) -> String {
    ["Sign-in failed: ", e.code(), ": ", e.message()].concat()
}

/// msal-react's order: the error first (once nothing is in progress), then the signed-in
/// children (outside start-up), then loading while anything is in progress.
pub(crate) fn template_view(error: bool, signed_in: bool, status: InteractionStatus) -> TemplateView {
    if error && status == InteractionStatus::None {
        TemplateView::Error
    } else if authenticated_shown(signed_in, status) {
        TemplateView::Children
    } else if status != InteractionStatus::None {
        TemplateView::Loading
    } else {
        TemplateView::Nothing
    }
}

/// `AuthenticatedTemplate`: an account (matching the filter) is signed in, and the client has
/// started (msal-react's `useIsAuthenticated` is false during start-up).
pub(crate) fn authenticated_shown(signed_in: bool, status: InteractionStatus) -> bool {
    signed_in && status != InteractionStatus::Startup
}

/// `UnauthenticatedTemplate`: nobody (matching the filter) is signed in, once start-up and the
/// redirect response are done.
pub(crate) fn unauthenticated_shown(signed_in: bool, status: InteractionStatus) -> bool {
    !signed_in && !matches!(status, InteractionStatus::Startup | InteractionStatus::HandleRedirect)
}

/// The account `use_access_token` gets a token for: the current one once nothing is in
/// progress (no request while a redirect response is redeemed or a popup runs: msal-react's
/// hooks wait for `None`); meanwhile the one it had.
pub(crate) fn token_target(status: InteractionStatus, current: Option<AccountRef>, had: Option<&Option<AccountRef>>) -> Option<AccountRef> {
    match (status, had) {
        (InteractionStatus::None, _) => current,
        (_, Some(had)) => had.clone(),
        (_, None) => None,
    }
}

// Run in headless Chromium with the leptos feature (scripts/test.sh).
#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use InteractionStatus::*;

    #[test]
    fn a_token_hook_asks_less_often_while_an_outage_lasts() {
        let waits: Vec<u64> = (1..=8).map(retry_ms).collect();
        assert_eq!(waits, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    }

    #[test]
    fn a_call_before_the_client_started_says_why() {
        assert_eq!(not_started(Option::None).code(), codes::UNINITIALIZED_PUBLIC_CLIENT_APPLICATION);
        let failed = AuthError::config(codes::INVALID_CONFIGURATION, "bad");
        assert_eq!(not_started(Some(failed)).code(), codes::INVALID_CONFIGURATION, "the start-up's own error");
    }

    #[test]
    fn the_authentication_template_decides_as_msal_react() {
        // Signed in: the children stay through any interaction (a popup for another token).
        for status in [None, AcquireToken, Logout, HandleRedirect] {
            assert_eq!(template_view(false, true, status), TemplateView::Children, "{status:?}");
        }
        assert_eq!(template_view(false, true, Startup), TemplateView::Loading);
        // The error wins once nothing runs, signed in or not.
        assert_eq!(template_view(true, true, None), TemplateView::Error);
        assert_eq!(template_view(true, false, None), TemplateView::Error);
        assert_eq!(template_view(true, false, AcquireToken), TemplateView::Loading);
        assert_eq!(template_view(false, false, AcquireToken), TemplateView::Loading);
        assert_eq!(template_view(false, false, None), TemplateView::Nothing);
    }

    #[test]
    fn tokens_are_requested_only_once_nothing_is_in_progress() {
        let a = Some(AccountRef::new("a"));
        assert_eq!(token_target(HandleRedirect, a.clone(), Option::None), Option::None);
        assert_eq!(token_target(Startup, a.clone(), Option::None), Option::None);
        assert_eq!(token_target(None, a.clone(), Option::None), a);
        // An interaction keeps the account it had (no new request, no reset).
        let b = Some(AccountRef::new("b"));
        assert_eq!(token_target(AcquireToken, b, Some(&a)), a);
        assert_eq!(token_target(None, Option::None, Some(&a)), Option::None);
    }
}
