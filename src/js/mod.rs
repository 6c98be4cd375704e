//! The JavaScript side of the crate: msal-browser's JSON wire format ([`wire`], compiled on
//! every target and tested natively) and the wasm-bindgen exports behind the npm package's
//! facade (`exports`, wasm32 only).

pub mod wire;

#[cfg(target_arch = "wasm32")]
mod exports;
