//! Rust front-end integrations (wasm32): a provider component that owns one
//! [`BrowserApp`](crate::platform::browser::BrowserApp) and handles the redirect on mount,
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
