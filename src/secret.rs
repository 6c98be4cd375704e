//! Redacted newtypes for secrets: tokens, codes, PKCE verifiers, state, nonce, client secrets.
//!
//! `Debug` prints `Name([redacted])`; there is no `Display`. The value is read only through
//! `secret()`.

use crate::prelude::*;

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Default)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            /// The secret value.
            ///
            /// # Security Warning
            /// Never log or display the returned value.
            pub fn secret(&self) -> &str {
                &self.0
            }
            /// Consumes the wrapper and returns the secret value.
            ///
            /// # Security Warning
            /// Never log or display the returned value.
            pub fn into_secret(self) -> String {
                self.0
            }
            /// Constant-time equality of the two secret values.
            pub fn ct_eq(&self, other: &str) -> bool {
                crate::core::ct_eq(self.0.as_bytes(), other.as_bytes())
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// An OAuth access token.
    AccessToken
);
secret_type!(
    /// An OAuth refresh token.
    RefreshToken
);
secret_type!(
    /// A raw OpenID Connect ID token (JWT).
    IdToken
);
secret_type!(
    /// An authorization code.
    AuthCode
);
secret_type!(
    /// The OAuth `state` parameter.
    State
);
secret_type!(
    /// The OpenID Connect `nonce`.
    Nonce
);
secret_type!(
    /// A confidential client's secret.
    ClientSecret
);
secret_type!(
    /// A signed client assertion or user assertion (JWT).
    Assertion
);
secret_type!(
    /// A device code from the device authorization endpoint.
    DeviceCode
);

/// `Debug` of a secret held as a plain string: whether there is one, never its value.
pub(crate) fn shown(value: &str) -> &'static str {
    if value.is_empty() {
        ""
    } else {
        "[redacted]"
    }
}

/// A PKCE code verifier. Not `Clone`: a verifier is used for one exchange only.
#[derive(PartialEq, Eq)]
pub struct PkceVerifier(String);

impl PkceVerifier {
    /// Wraps a verifier.
    pub fn new(value: impl Into<String>) -> Self {
        PkceVerifier(value.into())
    }
    /// The verifier.
    ///
    /// # Security Warning
    /// Never log or display the returned value.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl ::core::fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn debug_is_redacted() {
        assert_eq!(format!("{:?}", AccessToken::new("eyJsecret")), "AccessToken([redacted])");
        assert_eq!(format!("{:?}", PkceVerifier::new("v")), "PkceVerifier([redacted])");
        assert_eq!(format!("{:?}", ClientSecret::new("s3")), "ClientSecret([redacted])");
    }

    #[test]
    fn ct_eq_compares_values() {
        let s = State::new("abc");
        assert!(s.ct_eq("abc"));
        assert!(!s.ct_eq("abd"));
        assert!(!s.ct_eq("ab"));
    }
}
