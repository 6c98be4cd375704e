//! # msal-wasm
//!
//! Sign-in with Microsoft Entra ID or any OpenID Connect provider — the authorization code
//! flow with PKCE, a token cache compatible with msal-browser's, and silent, popup and
//! redirect token acquisition — for WebAssembly single-page apps (with msal-browser's
//! JavaScript API, see the npm package) and for native Rust.
//!
//! ## Layers
//!
//! - [`core`]: pure protocol and cache logic. Time, randomness and responses are arguments;
//!   requests are returned as data ([`core::http::HttpRequest`]). No IO, no browser.
//! - [`platform`]: what the client needs from its environment ([`platform::Platform`]):
//!   HTTP, storage, clock, entropy, windows (popups, hidden frames), cross-tab locks, timers.
//!   `platform::browser` (wasm32) uses fetch, Web Storage, `crypto.getRandomValues`,
//!   `window.open`, iframes and Web Locks; [`platform::memory`] is an in-memory platform with
//!   scripted windows and several tabs, for tests and tools. Platforms serve; they never drive.
//! - [`client`]: [`client::PublicClientApplication`], every msal flow, once, over any platform.
//! - `browser` (wasm32): the client on the browser platform, connected to the page and the
//!   app's other tabs; the JavaScript API and the Leptos/Yew hooks both drive it.
//!
//! Errors are one opaque [`AuthError`] with msal's string codes ([`error::codes`]) and a
//! [`ErrorKind`]. Secrets ([`secret`]) print as `Name([redacted])`.
//!
//! ## A token request as data
//!
//! Every grant is built as plain data and sent with the HTTP client of your choice; the
//! response is parsed into typed tokens or msal's errors.
//!
//! ```
//! use msal_wasm::core::authorize::AppTelemetry;
//! use msal_wasm::core::http::HttpResponse;
//! use msal_wasm::core::scopes::ScopeSet;
//! use msal_wasm::core::token::{ClientCredential, Grant, TokenRequest, TokenResponse};
//! use msal_wasm::secret::ClientSecret;
//!
//! let scopes = ScopeSet::parse("https://graph.microsoft.com/.default");
//! let secret = ClientCredential::Secret(ClientSecret::new("s3cr3t"));
//! let request = TokenRequest {
//!     endpoint: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
//!     client_id: "00000000-0000-0000-0000-000000000001",
//!     scopes: &scopes,
//!     correlation_id: "d5b6c6b2-5f39-4c3f-8a55-8a7a1c0d5c36",
//!     grant: Grant::ClientCredentials,
//!     credential: &secret,
//!     client_info: false,
//!     claims: "",
//!     anchor: "",
//!     extra_body: &[],
//!     app: AppTelemetry::NONE,
//! }
//! .build();
//! assert_eq!(request.form_field("grant_type").as_deref(), Some("client_credentials"));
//! // Secrets never show in Debug output.
//! assert!(!format!("{request:?}").contains("s3cr3t"));
//!
//! // Send `request` with any HTTP client, then:
//! let response = HttpResponse::new(200, r#"{"token_type":"Bearer","expires_in":"3599","access_token":"eyJ0..."}"#);
//! let tokens = TokenResponse::parse(&response, 1_700_000_000)?;
//! assert_eq!(tokens.expires_on, 1_700_003_599);
//!
//! // Server errors become msal's error kinds.
//! let denied = HttpResponse::new(400, r#"{"error":"invalid_grant","suberror":"consent_required"}"#);
//! let e = TokenResponse::parse(&denied, 0).unwrap_err();
//! assert!(e.is_interaction_required());
//! assert_eq!(e.code(), "invalid_grant");
//! # Ok::<(), msal_wasm::AuthError>(())
//! ```
//!
//! ## The public client over a platform
//!
//! [`client::PublicClientApplication`] runs msal-browser's flows. In the browser the npm
//! facade drives it; natively it runs over any [`platform::Platform`] — here the in-memory
//! one, answering the discovery request itself:
//!
//! ```
//! use msal_wasm::client::{Config, InteractiveRequest, PublicClientApplication};
//! use msal_wasm::core::http::HttpResponse;
//! use msal_wasm::core::pkce::InteractionType;
//! use msal_wasm::platform::memory::{block_on, MemoryPlatform};
//!
//! let platform = MemoryPlatform::new(1_700_000_000_000, |req| {
//!     assert!(req.url.ends_with("/v2.0/.well-known/openid-configuration"));
//!     Ok(HttpResponse::new(200, r#"{"issuer":"https://login.microsoftonline.com/{tenant}/v2.0",
//!         "authorization_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
//!         "token_endpoint":"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"}"#))
//! });
//! let config = Config::new("00000000-0000-0000-0000-000000000001")
//!     .with_authority("https://login.microsoftonline.com/common")
//!     .with_redirect_uri("http://localhost:3000/");
//! let pca = PublicClientApplication::new(config, platform)?;
//! block_on(pca.initialize())?;
//!
//! // The authorize URL of a popup sign-in, built synchronously (PKCE S256, state, nonce).
//! let request = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
//! let pending = pca.begin_interaction(&request, InteractionType::Popup, "")?;
//! assert!(pending.url.starts_with("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?"));
//! assert!(pending.url.contains("code_challenge_method=S256"));
//! // ... open it, then `pca.finish_interaction(pending, "#code=...&state=...")` redeems the response.
//! # pca.abort_interaction(&pending);
//! # Ok::<(), msal_wasm::AuthError>(())
//! ```

#![deny(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The npm package's build (wasm32 without the `std` feature) is `no_std` + `alloc`: with the
// panic handler below, core's formatting and std's panic machinery leave the wasm (issue 14).
// Everything else (native, tests, Leptos/Yew apps) keeps std.
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

#[macro_use]
extern crate alloc;

/// The no_std build's panic handler: it never formats (so no message, location or `Debug`
/// impl is kept) and ends in a trap, as a panic did with std under `panic = "abort"` (a wasm
/// panic was already fatal and silent there: wasm32-unknown-unknown has no stderr).
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo<'_>) -> ! {
    ::core::arch::wasm32::unreachable()
}

mod prelude;

// The library's own wasm tests run in the browser too (as the tests/ binaries), not in Node.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

pub mod client;
pub mod core;
pub mod error;
pub mod platform;
pub mod secret;
#[cfg(any(test, all(target_arch = "wasm32", feature = "small-alloc")))]
mod small_alloc;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(feature = "js-api")]
pub mod js;

#[cfg(all(target_arch = "wasm32", any(feature = "leptos", feature = "yew")))]
pub mod frameworks;

pub use error::{AuthError, ErrorKind};
