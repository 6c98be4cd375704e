//! PKCE (RFC 7636, S256 only), msal's `state` format, nonce and GUIDs.
//!
//! Randomness is an argument: callers pass bytes from `crypto.getRandomValues` (browser) or the
//! OS (native); tests pass fixed bytes.

use crate::prelude::*;

use super::{base64, json::Json, sha256::sha256};
use crate::error::{codes, AuthError};
use crate::secret::PkceVerifier;

/// Number of random bytes behind a verifier: 32 bytes give a 43-character verifier.
pub const VERIFIER_ENTROPY: usize = 32;

/// A PKCE verifier from random bytes (≥ 32 of them; at most 96 so the verifier is ≤ 128 chars).
pub fn verifier_from_entropy(bytes: &[u8]) -> Result<PkceVerifier, AuthError> {
    if !(VERIFIER_ENTROPY..=96).contains(&bytes.len()) {
        return Err(AuthError::browser("pkce_not_created", "PKCE verifier needs 32 to 96 random bytes"));
    }
    Ok(PkceVerifier::new(base64::encode_url(bytes)))
}

/// The S256 challenge of a verifier: base64url(SHA-256(ascii(verifier))).
pub fn challenge(verifier: &PkceVerifier) -> String {
    base64::encode_url(&sha256(verifier.secret().as_bytes()))
}

/// A version-4 GUID (lower-case, hyphenated) from 16 random bytes.
pub fn guid(bytes: [u8; 16]) -> String {
    let mut b = bytes;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(x >> 4)]));
        out.push(char::from(HEX[usize::from(x & 0x0f)]));
    }
    out
}

/// How the authorize response comes back; recorded inside the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InteractionType {
    /// Full-page redirect.
    Redirect,
    /// Popup window.
    Popup,
    /// Hidden iframe.
    Silent,
}

impl InteractionType {
    /// msal's string for this type.
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionType::Redirect => "redirect",
            InteractionType::Popup => "popup",
            InteractionType::Silent => "silent",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "redirect" => InteractionType::Redirect,
            "popup" => InteractionType::Popup,
            "silent" => InteractionType::Silent,
            _ => return None,
        })
    }
}

/// The parsed `state` parameter: msal's library state plus the app's own state.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestState {
    /// The library state id (a GUID; also names the redirect-bridge channel).
    pub id: String,
    /// How the response is delivered.
    pub interaction_type: InteractionType,
    /// The state the app passed in its request, `""` if none.
    pub user_state: String,
}

impl ::core::fmt::Debug for RequestState {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("RequestState").field("interaction_type", &self.interaction_type).finish_non_exhaustive()
    }
}

impl RequestState {
    /// The `state` string: base64url(JSON `{id, meta:{interactionType}}`) then `|` + user state.
    pub fn encode(&self) -> String {
        let lib = Json::object()
            .with("id", self.id.as_str())
            .with("meta", Json::object().with("interactionType", self.interaction_type.as_str()));
        let mut s = base64::encode_url(lib.to_json().as_bytes());
        if !self.user_state.is_empty() {
            s.push('|');
            s.push_str(&self.user_state);
        }
        s
    }

    /// Parses a `state` string; splits on the first `|`.
    pub fn parse(state: &str) -> Result<RequestState, AuthError> {
        let bad = || AuthError::browser(codes::UNABLE_TO_PARSE_STATE, "the state parameter could not be decoded");
        let (lib, user) = match state.split_once('|') {
            Some((l, u)) => (l, u),
            None => (state, ""),
        };
        let bytes = base64::decode(lib).ok_or_else(bad)?;
        let text = ::core::str::from_utf8(&bytes).map_err(|_| bad())?;
        let json = Json::parse(text).map_err(|_| bad())?;
        let id = json.str_field("id").filter(|s| !s.is_empty()).ok_or_else(bad)?.to_owned();
        let it = json.get("meta").and_then(|m| m.str_field("interactionType")).and_then(InteractionType::parse).ok_or_else(bad)?;
        Ok(RequestState { id, interaction_type: it, user_state: user.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn rfc7636_appendix_b() {
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88,
            83, 132, 141, 121,
        ];
        let v = verifier_from_entropy(&octets).unwrap();
        assert_eq!(v.secret(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge(&v), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifier_length_bounds() {
        assert!(verifier_from_entropy(&[0; 31]).is_err());
        assert_eq!(verifier_from_entropy(&[0; 32]).unwrap().secret().len(), 43);
        assert_eq!(verifier_from_entropy(&[0; 96]).unwrap().secret().len(), 128);
        assert!(verifier_from_entropy(&[0; 97]).is_err());
    }

    #[test]
    fn guid_is_v4() {
        let g = guid([0xff; 16]);
        assert_eq!(g, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(guid([0; 16]), "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn state_round_trip_with_pipes_in_user_state() {
        let s = RequestState { id: "abc".into(), interaction_type: InteractionType::Popup, user_state: "a|b".into() };
        let enc = s.encode();
        assert!(!enc.contains('='));
        let lib = enc.split('|').next().unwrap();
        let decoded = String::from_utf8(base64::decode(lib).unwrap()).unwrap();
        assert_eq!(decoded, r#"{"id":"abc","meta":{"interactionType":"popup"}}"#);
        assert_eq!(RequestState::parse(&enc).unwrap(), s);
    }

    #[test]
    fn bad_states() {
        for bad in ["", "|x", "!!!", "e30", "eyJpZCI6IiJ9"] {
            let e = RequestState::parse(bad).unwrap_err();
            assert_eq!(e.code(), codes::UNABLE_TO_PARSE_STATE, "{bad}");
        }
    }
}
