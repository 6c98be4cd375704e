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

use crate::browser::BrowserApp;
pub use crate::browser::InteractionStatus;
use crate::client::{AccountFilter, AccountInfo, AccountRef, AuthenticationResult, InteractiveRequest, SilentRequest};
use crate::error::AuthError;

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

/// The signed-in account that matches `filter` (any account without one): the active account
/// first, then the others in order (msal-react's `useAccount`).
pub(crate) fn matching_account(app: &BrowserApp, filter: Option<&AccountFilter>) -> Option<AccountInfo> {
    match filter {
        None => app.account(),
        Some(f) => {
            let active = app.client().active_account().filter(|a| app.client().accounts_matching(f).iter().any(|m| m == a));
            active.or_else(|| app.client().accounts_matching(f).into_iter().next())
        }
    }
}

/// What `use_access_token` runs: a silent request for `scopes` and the account; on
/// `InteractionRequired` with [`Fallback::Redirect`], starts a redirect sign-in.
pub(crate) async fn access_token(
    app: &BrowserApp,
    account: AccountRef,
    scopes: Vec<String>,
    fallback: Fallback,
) -> Result<AuthenticationResult, AuthError> {
    let req = SilentRequest { scopes: scopes.clone(), account: Some(account.clone()), ..SilentRequest::default() };
    let result = app.acquire_token_silent(&req).await;
    if let Err(e) = &result {
        if e.is_interaction_required() && fallback == Fallback::Redirect {
            let _ =
                app.acquire_token_redirect(&InteractiveRequest { scopes, account: Some(account), ..InteractiveRequest::default() }).await;
        }
    }
    result
}

/// What `use_msal_authentication` runs once nothing else is in progress (msal-react's
/// `useMsalAuthentication`): signed in (an account matches), a token for the request's scopes,
/// silently, falling back to `interaction` when the provider needs the user; signed out, a
/// sign-in by `interaction`. `Ok(None)`: a redirect left the page.
pub(crate) async fn authenticate(
    app: &BrowserApp,
    interaction: Interaction,
    request: InteractiveRequest,
    filter: Option<AccountFilter>,
) -> Result<Option<AuthenticationResult>, AuthError> {
    if let Some(account) = matching_account(app, filter.as_ref()) {
        let account = account.to_ref();
        let silent = SilentRequest { scopes: request.scopes.clone(), account: Some(account.clone()), ..SilentRequest::default() };
        match app.acquire_token_silent(&silent).await {
            Err(e) if e.is_interaction_required() => {
                let req = InteractiveRequest { account: Some(account), ..request };
                return match interaction {
                    Interaction::Popup => app.acquire_token_popup(&req).await.map(Some),
                    Interaction::Silent => app.sso_silent(&req).await.map(Some),
                    Interaction::Redirect => app.acquire_token_redirect(&req).await.map(|()| None),
                };
            }
            r => return r.map(Some),
        }
    }
    sign_in(app, interaction, &request).await
}

async fn sign_in(
    app: &BrowserApp,
    interaction: Interaction,
    request: &InteractiveRequest,
) -> Result<Option<AuthenticationResult>, AuthError> {
    match interaction {
        Interaction::Popup => app.login_popup(request).await.map(Some),
        Interaction::Silent => app.sso_silent(request).await.map(Some),
        Interaction::Redirect => app.login_redirect(request).await.map(|()| None),
    }
}
