//! The protocol and cache core: pure functions and data. No browser APIs, no clock, no
//! randomness, no IO — time, entropy and responses are arguments, so everything here is
//! deterministic and tested natively.

use crate::prelude::*;

pub mod account;
pub mod authority;
pub mod authorize;
pub mod base64;
pub mod cache;
pub mod dpop;
pub mod http;
pub mod id_token;
pub mod json;
pub mod pkce;
pub mod scopes;
pub mod sha256;
pub mod text;
pub mod throttle;
pub mod token;
pub mod url;

/// `Vec::retain` through a `dyn` predicate: one copy of the retain loop per element type in
/// the wasm instead of one per call site (issue 14).
pub fn retain<T>(v: &mut Vec<T>, keep: &mut dyn FnMut(&T) -> bool) {
    v.retain(|x| keep(x));
}

/// Constant-time equality of two byte strings (length is not hidden).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
