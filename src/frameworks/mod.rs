//! Rust front-end integrations (wasm32): a provider component that owns one
//! [`BrowserApp`](crate::browser::BrowserApp) and handles the redirect on mount,
//! hooks (`use_msal`, `use_is_authenticated`, `use_account`, `use_access_token`) and
//! `AuthenticatedTemplate` / `UnauthenticatedTemplate`.

#[cfg(feature = "leptos")]
pub mod leptos;
#[cfg(feature = "yew")]
pub mod yew;

/// What `use_access_token` does when the silent request needs the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fallback {
    /// Report the error (`InteractionRequired`) and let the app decide.
    #[default]
    None,
    /// Redirect to sign in (works without a click; the result arrives on return).
    Redirect,
}

/// What `use_access_token` runs: a silent request for `scopes` and the account; on
/// `InteractionRequired` with [`Fallback::Redirect`], starts a redirect sign-in.
pub(crate) async fn access_token(
    app: &crate::browser::BrowserApp,
    home_account_id: String,
    scopes: Vec<String>,
    fallback: Fallback,
) -> Result<crate::client::AuthenticationResult, crate::error::AuthError> {
    use crate::client::{AccountRef, InteractiveRequest, SilentRequest};
    let account = AccountRef { home_account_id };
    let req = SilentRequest { scopes: scopes.clone(), account: Some(account.clone()), ..SilentRequest::default() };
    let result = app.acquire_token_silent(&req).await;
    if let Err(e) = &result {
        if e.is_interaction_required() && fallback == Fallback::Redirect {
            let _ = app.login_redirect(&InteractiveRequest { scopes, account: Some(account), ..InteractiveRequest::default() });
        }
    }
    result
}
