//! ID tokens: decoded, not signature-checked (as msal: the token came straight from the token
//! endpoint over TLS); nonce always checked, issuer/audience/lifetime checks optional.

use crate::prelude::*;

use super::base64;
use super::json::Json;
use crate::error::{codes, AuthError, ErrorKind, Kept};

/// The decoded claims of an ID token.
#[derive(Clone, PartialEq)]
pub struct IdTokenClaims {
    json: Json,
}

impl ::core::fmt::Debug for IdTokenClaims {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        // The nonce is a secret; claims such as names are PII. Print the shape only.
        f.debug_struct("IdTokenClaims").field("iss", &self.iss()).finish_non_exhaustive()
    }
}

fn parse_error(msg: &'static str) -> AuthError {
    AuthError::new(ErrorKind::TokenValidation, codes::TOKEN_PARSING_ERROR, msg)
}

impl IdTokenClaims {
    /// Decodes the payload of a compact JWS (`header.payload.signature`).
    pub fn decode(jwt: &str) -> Result<IdTokenClaims, AuthError> {
        if jwt.is_empty() {
            return Err(AuthError::new(ErrorKind::TokenValidation, codes::NULL_OR_EMPTY_TOKEN, "the ID token is empty"));
        }
        let mut parts = jwt.split('.');
        let (_header, payload, _sig) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(s), None) => (h, p, s),
            _ => return Err(parse_error("the ID token is not a compact JWT")),
        };
        let bytes = base64::decode(payload).ok_or_else(|| parse_error("the ID token payload is not base64url"))?;
        match Json::parse_bytes(&bytes) {
            Ok(json @ Json::Obj(_)) => Ok(IdTokenClaims { json }),
            _ => Err(parse_error("the ID token payload is not a JSON object")),
        }
    }

    /// Claims from a JSON object (e.g. a cached copy).
    pub fn from_json(json: Json) -> IdTokenClaims {
        IdTokenClaims { json }
    }

    /// All claims as JSON.
    pub fn json(&self) -> &Json {
        &self.json
    }

    /// A string claim.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.json.str_field(name)
    }
    /// The first of the string claims `names` that is not empty (msal's `a || b || c`).
    pub fn first(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.str(n).filter(|v| !v.is_empty()))
    }
    /// msal's tenant of these claims: `tid`, else B2C's policy (`tfp`, `acr`), the first not
    /// empty (the account's realm and profile, the tokens' realm).
    pub fn tenant(&self) -> Option<&str> {
        self.first(&["tid", "tfp", "acr"])
    }
    /// The account's username claim: `preferred_username`, else `upn`, the first not empty.
    pub fn preferred_or_upn(&self) -> Option<&str> {
        self.first(&["preferred_username", "upn"])
    }
    /// msal's unique id of the user: `oid`, else `sub`, the first not empty.
    pub fn unique_id(&self) -> Option<&str> {
        self.first(&["oid", "sub"])
    }
    /// `sub`
    pub fn sub(&self) -> Option<&str> {
        self.str("sub")
    }
    /// `oid`
    pub fn oid(&self) -> Option<&str> {
        self.str("oid")
    }
    /// `tid`
    pub fn tid(&self) -> Option<&str> {
        self.str("tid")
    }
    /// `iss`
    pub fn iss(&self) -> Option<&str> {
        self.str("iss")
    }
    /// `name`
    pub fn name(&self) -> Option<&str> {
        self.str("name")
    }
    /// `sid`
    pub fn sid(&self) -> Option<&str> {
        self.str("sid")
    }
    /// `login_hint`
    pub fn login_hint(&self) -> Option<&str> {
        self.str("login_hint")
    }
    /// msal's `isKmsi`: the user chose "keep me signed in" (or the device is domain-joined):
    /// `signin_state` holds `kmsi` or `dvc_dmjd`.
    pub fn kmsi(&self) -> bool {
        is_kmsi(&self.json)
    }
    /// `exp` (a fraction cut off, as PyJWT may write `time.time() + 3600`)
    pub fn exp(&self) -> Option<u64> {
        self.json.get("exp").and_then(crate::core::token::seconds)
    }
    /// `nbf`
    pub fn nbf(&self) -> Option<u64> {
        self.json.get("nbf").and_then(crate::core::token::seconds)
    }
    /// Username: `preferred_username`, else `upn`, else `emails[0]`, else `""`.
    pub fn username(&self) -> String {
        self.preferred_or_upn()
            .or_else(|| self.json.get("emails").and_then(Json::as_array).and_then(|a| a.first()).and_then(Json::as_str))
            .unwrap_or_default()
            .to_owned()
    }

    /// True if `aud` (string or array) contains `client_id`.
    pub fn has_audience(&self, client_id: &str) -> bool {
        match self.json.get("aud") {
            Some(Json::Str(s)) => s == client_id,
            Some(Json::Arr(a)) => a.iter().any(|v| v.as_str() == Some(client_id)),
            _ => false,
        }
    }

    /// msal's nonce rule: when a nonce was sent, the token's `nonce` must be a string equal to
    /// it; a token with a nonce nobody sent is rejected too.
    pub fn check_nonce(&self, expected: Option<&crate::secret::Nonce>) -> Result<(), AuthError> {
        let mismatch =
            || AuthError::new(ErrorKind::TokenValidation, codes::NONCE_MISMATCH, "the ID token nonce does not match the request");
        match (expected, self.json.get("nonce")) {
            (Some(n), Some(Json::Str(got))) if n.ct_eq(got) => Ok(()),
            (None, None) => Ok(()),
            _ => Err(mismatch()),
        }
    }

    /// Optional strict checks: issuer, audience, and `exp`/`nbf` with `skew` seconds.
    pub fn validate(&self, checks: &IdTokenChecks<'_>, now: u64) -> Result<(), AuthError> {
        let fail = |code, msg| AuthError::new(ErrorKind::TokenValidation, code, msg);
        if let Some(iss) = checks.issuer {
            if self.iss() != Some(iss) {
                return Err(fail(codes::ISSUER_MISMATCH, Kept("the ID token issuer is not the authority's issuer")));
            }
        }
        if let Some(aud) = checks.audience {
            if !self.has_audience(aud) {
                return Err(fail(codes::AUDIENCE_MISMATCH, Kept("the ID token audience is not this client")));
            }
        }
        if let Some(skew) = checks.lifetime_skew {
            match self.exp() {
                Some(exp) if exp.saturating_add(skew) > now => {}
                _ => return Err(fail(codes::ID_TOKEN_EXPIRED, Kept("the ID token has expired (or this device's clock is fast)"))),
            }
            // (Against this device's clock, 5 minutes either way: one further off fails here.)
            if self.nbf().is_some_and(|nbf| nbf > now.saturating_add(skew)) {
                return Err(fail(codes::ID_TOKEN_EXPIRED, Kept("the ID token is not valid yet (or this device's clock is slow)")));
            }
        }
        Ok(())
    }
}

/// Optional ID-token checks (all off by default, as in msal).
#[derive(Debug, Clone, Copy, Default)]
pub struct IdTokenChecks<'a> {
    /// Required `iss`.
    pub issuer: Option<&'a str>,
    /// Required `aud` member.
    pub audience: Option<&'a str>,
    /// Check `exp`/`nbf`, allowing this many seconds of clock skew.
    pub lifetime_skew: Option<u64>,
}

/// msal's `isKmsi` over ID token claims (see [`IdTokenClaims::kmsi`]).
pub fn is_kmsi(claims: &Json) -> bool {
    let states = claims.get("signin_state").and_then(Json::as_array).unwrap_or_default();
    states.iter().filter_map(Json::as_str).any(|v| {
        let v = v.trim();
        v.eq_ignore_ascii_case("kmsi") || v.eq_ignore_ascii_case("dvc_dmjd")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Nonce;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    pub(crate) fn jwt(claims: &str) -> String {
        format!("eyJhbGciOiJub25lIn0.{}.sig", base64::encode_url(claims.as_bytes()))
    }

    #[test]
    fn decodes_claims() {
        let c = IdTokenClaims::decode(&jwt(r#"{"sub":"s","upn":"u@x","aud":["a","b"],"exp":100}"#)).unwrap();
        assert_eq!(c.sub(), Some("s"));
        assert_eq!(c.username(), "u@x");
        assert!(c.has_audience("b"));
        let e = IdTokenClaims::decode(&jwt(r#"{"emails":["e@x"]}"#)).unwrap();
        assert_eq!(e.username(), "e@x");
    }

    #[test]
    fn malformed_tokens_are_errors() {
        for bad in ["", "a", "a.b", "a.b.c.d", "a.!!!.c", &jwt("[1]"), &jwt("{"), "a.//8.c"] {
            let e = IdTokenClaims::decode(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::TokenValidation, "{bad}");
        }
    }

    #[test]
    fn payloads_are_read_as_msals_text_decoder_reads_them() {
        // A provider's platform charset (Cp1252's é): U+FFFD; a BOM: dropped.
        let latin = format!("h.{}.s", base64::encode_url(b"{\"sub\":\"s\",\"name\":\"Ren\xE9\"}"));
        assert_eq!(IdTokenClaims::decode(&latin).unwrap().name(), Some("Ren\u{FFFD}"));
        let bom = format!("h.{}.s", base64::encode_url(b"\xEF\xBB\xBF{\"sub\":\"s\"}"));
        assert_eq!(IdTokenClaims::decode(&bom).unwrap().sub(), Some("s"));
        // An empty claim falls back to the next, as msal's `||`; a fractional exp is read.
        let c = IdTokenClaims::decode(&jwt(r#"{"preferred_username":"","upn":"u@x","exp":1000.5}"#)).unwrap();
        assert_eq!((c.username().as_str(), c.exp()), ("u@x", Some(1000)));
    }

    #[test]
    fn nonce_rules() {
        let with = IdTokenClaims::decode(&jwt(r#"{"nonce":"n1"}"#)).unwrap();
        let without = IdTokenClaims::decode(&jwt(r#"{}"#)).unwrap();
        let numeric = IdTokenClaims::decode(&jwt(r#"{"nonce":1}"#)).unwrap();
        assert!(with.check_nonce(Some(&Nonce::new("n1"))).is_ok());
        assert_eq!(with.check_nonce(Some(&Nonce::new("n2"))).unwrap_err().code(), codes::NONCE_MISMATCH);
        assert!(without.check_nonce(Some(&Nonce::new("n1"))).is_err());
        assert!(with.check_nonce(None).is_err());
        assert!(without.check_nonce(None).is_ok());
        assert!(numeric.check_nonce(Some(&Nonce::new("1"))).is_err());
    }

    #[test]
    fn optional_checks() {
        let c = IdTokenClaims::decode(&jwt(r#"{"iss":"https://i","aud":"c","exp":1000,"nbf":500}"#)).unwrap();
        let all = IdTokenChecks { issuer: Some("https://i"), audience: Some("c"), lifetime_skew: Some(60) };
        assert!(c.validate(&all, 900).is_ok());
        assert!(c.validate(&all, 1050).is_ok());
        assert_eq!(c.validate(&all, 1100).unwrap_err().code(), codes::ID_TOKEN_EXPIRED);
        assert_eq!(c.validate(&all, 400).unwrap_err().code(), codes::ID_TOKEN_EXPIRED);
        assert_eq!(c.validate(&IdTokenChecks { issuer: Some("x"), ..Default::default() }, 0).unwrap_err().code(), codes::ISSUER_MISMATCH);
        assert_eq!(
            c.validate(&IdTokenChecks { audience: Some("x"), ..Default::default() }, 0).unwrap_err().code(),
            codes::AUDIENCE_MISMATCH
        );
        assert!(c.validate(&IdTokenChecks::default(), 99_999).is_ok());
    }
}
