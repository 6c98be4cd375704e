//! # msal-wasm
//!
//! Sign-in with Microsoft Entra ID or any OpenID Connect provider — the authorization code
//! flow with PKCE, a token cache compatible with msal-browser's, and silent, popup and
//! redirect token acquisition — for WebAssembly single-page apps (with msal-browser's
//! JavaScript API) and for native Rust.
//!
//! Layers: [`core`] is pure protocol and cache logic; [`platform`] abstracts IO (HTTP,
//! storage, clock, entropy, navigation); [`client`] runs the flows over a platform.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
pub mod core;
pub mod error;
pub mod platform;
pub mod secret;

#[cfg(all(target_arch = "wasm32", feature = "js-api"))]
mod js;

pub use error::{AuthError, ErrorKind};
