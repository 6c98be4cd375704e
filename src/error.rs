//! One opaque error type for the whole crate.
//!
//! [`AuthError`] carries an [`ErrorKind`] (which JavaScript error class it becomes), a stable
//! string code with msal's spelling (`interaction_required`, `user_cancelled`, ...) and the
//! server's error fields. It never holds a URL, a request or response body, or a token.

use crate::prelude::*;

use ::core::fmt;
use alloc::borrow::Cow;

/// What went wrong, coarsely; decides the JavaScript error class.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The configuration or a request option is invalid (`ClientConfigurationError`).
    Configuration,
    /// The network request failed or its response could not be read (`BrowserAuthError`).
    Network,
    /// The server answered with an OAuth error (`ServerError`).
    Server,
    /// The user must interact: sign in, consent, MFA (`InteractionRequiredAuthError`).
    InteractionRequired,
    /// Another interactive request of this app is running (`BrowserAuthError`).
    InteractionInProgress,
    /// The user closed the popup or otherwise cancelled (`BrowserAuthError`).
    UserCancelled,
    /// A popup, iframe or redirect took too long (`BrowserAuthError`).
    Timeout,
    /// The response's `state` is not the one this client sent (`ClientAuthError`).
    StateMismatch,
    /// A token or response failed validation: nonce, claims, format (`ClientAuthError`).
    TokenValidation,
    /// Storage could not be read or written (`BrowserAuthError`).
    Storage,
    /// Another browser-side failure: popup blocked, API missing (`BrowserAuthError`).
    Browser,
    /// Another client-side failure (`ClientAuthError`).
    Client,
    /// The browser configuration cannot serve the call: a redirect with a memory cache
    /// (`BrowserConfigurationAuthError`).
    BrowserConfiguration,
    /// A bug in this library (`AuthError`).
    Internal,
}

impl ErrorKind {
    /// The name of the msal-browser error class for this kind.
    pub fn class_name(self) -> &'static str {
        match self {
            ErrorKind::Configuration => "ClientConfigurationError",
            ErrorKind::Server => "ServerError",
            ErrorKind::InteractionRequired => "InteractionRequiredAuthError",
            ErrorKind::StateMismatch | ErrorKind::TokenValidation | ErrorKind::Client => "ClientAuthError",
            ErrorKind::Network
            | ErrorKind::InteractionInProgress
            | ErrorKind::UserCancelled
            | ErrorKind::Timeout
            | ErrorKind::Storage
            | ErrorKind::Browser => "BrowserAuthError",
            ErrorKind::BrowserConfiguration => "BrowserConfigurationAuthError",
            ErrorKind::Internal => "AuthError",
        }
    }
}

/// msal's error codes, as stable string constants.
pub mod codes {
    #![allow(missing_docs)]
    // InteractionRequiredAuthError
    pub const INTERACTION_REQUIRED: &str = "interaction_required";
    pub const LOGIN_REQUIRED: &str = "login_required";
    pub const CONSENT_REQUIRED: &str = "consent_required";
    pub const NO_TOKENS_FOUND: &str = "no_tokens_found";
    pub const REFRESH_TOKEN_EXPIRED: &str = "refresh_token_expired";
    // BrowserAuthError
    pub const INTERACTION_IN_PROGRESS: &str = "interaction_in_progress";
    pub const INTERACTION_IN_PROGRESS_CANCELLED: &str = "interaction_in_progress_cancelled";
    pub const USER_CANCELLED: &str = "user_cancelled";
    // msal-react's ReactAuthError (the Leptos and Yew hooks)
    pub const UNABLE_TO_FALLBACK_TO_INTERACTION: &str = "unable_to_fallback_to_interaction";
    pub const DEVICE_CODE_POLLING_CANCELLED: &str = "device_code_polling_cancelled";
    pub const DEVICE_CODE_EXPIRED: &str = "device_code_expired";
    pub const USER_TIMEOUT_REACHED: &str = "user_timeout_reached";
    pub const UNABLE_TO_LOAD_TOKEN: &str = "unable_to_load_token";
    pub const POPUP_WINDOW_ERROR: &str = "popup_window_error";
    pub const EMPTY_WINDOW_ERROR: &str = "empty_window_error";
    pub const POPUP_RELAY_UNSUPPORTED_FLOW: &str = "popup_relay_unsupported_flow";
    pub const TIMED_OUT: &str = "timed_out";
    /// msal 5's `subError` of a redirect whose page stayed (`timed_out`).
    pub const FAILED_TO_REDIRECT: &str = "failed_to_redirect";
    pub const HASH_EMPTY_ERROR: &str = "hash_empty_error";
    pub const NO_STATE_IN_HASH: &str = "no_state_in_hash";
    pub const AUTHORIZATION_CODE_MISSING_FROM_SERVER_RESPONSE: &str = "authorization_code_missing_from_server_response";
    pub const UNABLE_TO_PARSE_STATE: &str = "unable_to_parse_state";
    pub const STATE_INTERACTION_TYPE_MISMATCH: &str = "state_interaction_type_mismatch";
    pub const NO_TOKEN_REQUEST_CACHE_ERROR: &str = "no_token_request_cache_error";
    pub const NO_ACCOUNT_ERROR: &str = "no_account_error";
    /// msal-node's silent call without an account.
    pub const NO_ACCOUNT_IN_SILENT_REQUEST: &str = "no_account_in_silent_request";
    pub const SILENT_PROMPT_VALUE_ERROR: &str = "silent_prompt_value_error";
    pub const POST_REQUEST_FAILED: &str = "post_request_failed";
    pub const GET_REQUEST_FAILED: &str = "get_request_failed";
    pub const FAILED_TO_PARSE_RESPONSE: &str = "failed_to_parse_response";
    pub const NO_NETWORK_CONNECTIVITY: &str = "no_network_connectivity";
    pub const CRYPTO_NONEXISTENT: &str = "crypto_nonexistent";
    pub const CRYPTO_KEY_NOT_FOUND: &str = "crypto_key_not_found";
    pub const NON_BROWSER_ENVIRONMENT: &str = "non_browser_environment";
    pub const UNINITIALIZED_PUBLIC_CLIENT_APPLICATION: &str = "uninitialized_public_client_application";
    pub const AUTH_CODE_REQUIRED: &str = "auth_code_required";
    /// `acquireTokenByCode` without a code (msal 5's name).
    pub const AUTH_CODE_OR_NATIVE_ACCOUNT_ID_REQUIRED: &str = "auth_code_or_nativeAccountId_required";
    pub const SPA_CODE_AND_NATIVE_ACCOUNT_ID_PRESENT: &str = "spa_code_and_nativeAccountId_present";
    pub const UNABLE_TO_ACQUIRE_TOKEN_FROM_NATIVE_PLATFORM: &str = "unable_to_acquire_token_from_native_platform";
    pub const MISPLACED_RESOURCE_PARAMETER: &str = "misplaced_resource_parameter";
    pub const RESOURCE_PARAMETER_REQUIRED: &str = "resource_parameter_required";
    pub const BLOCK_NESTED_POPUPS: &str = "block_nested_popups";
    pub const REDIRECT_IN_IFRAME: &str = "redirect_in_iframe";
    pub const BLOCK_IFRAME_RELOAD: &str = "block_iframe_reload";
    // BrowserConfigurationAuthError
    pub const IN_MEM_REDIRECT_UNAVAILABLE: &str = "in_mem_redirect_unavailable";
    pub const EMPTY_NAVIGATE_URI: &str = "empty_navigate_uri";
    pub const STORAGE_UNAVAILABLE: &str = "storage_unavailable";
    /// The storage is full (msal's CacheError code).
    pub const CACHE_QUOTA_EXCEEDED: &str = "cache_quota_exceeded";
    // ClientAuthError
    pub const STATE_MISMATCH: &str = "state_mismatch";
    pub const NONCE_MISMATCH: &str = "nonce_mismatch";
    pub const INVALID_STATE: &str = "invalid_state";
    pub const TOKEN_PARSING_ERROR: &str = "token_parsing_error";
    pub const NULL_OR_EMPTY_TOKEN: &str = "null_or_empty_token";
    pub const END_SESSION_ENDPOINT_NOT_SUPPORTED: &str = "end_session_endpoint_not_supported";
    pub const TOKEN_CLAIMS_CNF_REQUIRED_FOR_SIGNEDJWT: &str = "token_claims_cnf_required_for_signedjwt";
    pub const ENDPOINTS_RESOLUTION_ERROR: &str = "endpoints_resolution_error";
    pub const NETWORK_ERROR: &str = "network_error";
    pub const INVALID_CACHE_RECORD: &str = "invalid_cache_record";
    pub const ID_TOKEN_EXPIRED: &str = "id_token_expired";
    pub const ISSUER_MISMATCH: &str = "issuer_mismatch";
    pub const AUDIENCE_MISMATCH: &str = "audience_mismatch";
    pub const AUTH_TIME_NOT_FOUND: &str = "auth_time_not_found";
    pub const TOKEN_REFRESH_REQUIRED: &str = "token_refresh_required";
    // ClientConfigurationError
    pub const URL_PARSE_ERROR: &str = "url_parse_error";
    pub const EMPTY_URL_ERROR: &str = "empty_url_error";
    pub const AUTHORITY_URI_INSECURE: &str = "authority_uri_insecure";
    pub const URL_EMPTY_PATH: &str = "url_empty_path";
    pub const UNTRUSTED_AUTHORITY: &str = "untrusted_authority";
    pub const AUTHORITY_MISMATCH: &str = "authority_mismatch";
    pub const INVALID_AUTHORITY_METADATA: &str = "invalid_authority_metadata";
    pub const ISSUER_VALIDATION_FAILED: &str = "issuer_validation_failed";
    pub const INVALID_CLOUD_DISCOVERY_METADATA: &str = "invalid_cloud_discovery_metadata";
    pub const EMPTY_INPUT_SCOPES_ERROR: &str = "empty_input_scopes_error";
    /// A confidential client without a usable credential (msal-node: an empty secret).
    pub const INVALID_CLIENT_CREDENTIAL: &str = "invalid_client_credential";
    /// Client credentials for `common`, `organizations` or `consumers` (msal-node).
    pub const MISSING_TENANT_ID_ERROR: &str = "missing_tenant_id_error";
    pub const INVALID_PROMPT_VALUE: &str = "invalid_prompt_value";
    pub const UNSUPPORTED_AUTHENTICATION_SCHEME: &str = "unsupported_authentication_scheme";
    /// A signing algorithm that is not the binding key's (msal's `BrowserAuthErrorCodes`).
    pub const UNSUPPORTED_TOKEN_BINDING_ALGORITHM: &str = "unsupported_token_binding_algorithm";
    pub const INVALID_DPOP_HTM: &str = "invalid_dpop_htm";
    pub const INVALID_DPOP_HTU: &str = "invalid_dpop_htu";
    pub const INVALID_DPOP_NONCE: &str = "invalid_dpop_nonce";
    pub const DPOP_MISSING_RESOURCE_CONTEXT: &str = "dpop_missing_resource_context";
    pub const DPOP_TOKEN_TYPE_MISMATCH: &str = "dpop_token_type_mismatch";
    pub const KEY_ID_MISSING: &str = "key_id_missing";
    pub const TOKEN_CLAIMS_CNF_REQUIRED: &str = "token_claims_cnf_required_for_signedjwt";
    pub const INVALID_CLAIMS: &str = "invalid_claims";
    pub const INVALID_CACHE_TYPE: &str = "invalid_cache_type";
    pub const INVALID_CONFIGURATION: &str = "invalid_configuration";
    pub const REDIRECT_URI_EMPTY: &str = "redirect_uri_empty";
    pub const INVALID_REDIRECT_START_PAGE: &str = "invalid_redirect_start_page";
    // Internal
    pub const UNEXPECTED_ERROR: &str = "unexpected_error";
}

/// An error's message.
///
/// A sentence of the crate's own (`&'static str`) is dropped from the npm package's wasm
/// (feature `terse-errors`): there the error carries msal 5's default message instead, a link
/// to the code's page (`errors.js`), as msal-browser 5's own errors do. Text built at run time
/// (the server's `error_description`, a sentence with a value in it) and a [`Kept`] sentence
/// stay in every build.
pub trait Message {
    /// The error of `kind` and `code` with this message.
    fn error(self, kind: ErrorKind, code: &'static str) -> AuthError;
}
impl Message for &'static str {
    #[inline(always)]
    fn error(self, kind: ErrorKind, code: &'static str) -> AuthError {
        if cfg!(feature = "terse-errors") {
            AuthError::with_code(kind, code)
        } else {
            AuthError::with_message(kind, code, Cow::Borrowed(self))
        }
    }
}
impl Message for String {
    fn error(self, kind: ErrorKind, code: &'static str) -> AuthError {
        AuthError::with_message(kind, code, Cow::Owned(self))
    }
}

/// A sentence kept in every build: one that says where msal-wasm differs from msal, or whose
/// code msal's pages do not list; neither can the link say.
pub struct Kept(pub &'static str);
impl Message for Kept {
    fn error(self, kind: ErrorKind, code: &'static str) -> AuthError {
        AuthError::with_message(kind, code, Cow::Borrowed(self.0))
    }
}

/// The error of every fallible operation in this crate.
///
/// Opaque on purpose: use [`kind`](Self::kind), [`code`](Self::code) and the predicates.
pub struct AuthError(Box<Inner>);

#[derive(Clone, Default)]
struct Inner {
    kind: Option<ErrorKind>,
    code: Cow<'static, str>,
    message: Cow<'static, str>,
    sub_error: String,
    correlation_id: String,
    trace_id: String,
    timestamp: String,
    error_no: String,
    /// The server sent `error_no` as a JSON number (Entra's `error_codes` do).
    error_no_number: bool,
    claims: String,
    status: Option<u16>,
}

impl AuthError {
    /// A new error of `kind` with msal's `code` and a human message (no secrets in it!).
    #[inline(always)]
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Message) -> Self {
        message.error(kind, code)
    }

    /// An error without a message: a sentence of the crate's own in the terse build.
    fn with_code(kind: ErrorKind, code: &'static str) -> Self {
        Self::with_message(kind, code, Cow::Borrowed(""))
    }

    /// [`new`](Self::new) without the generic message (one copy in the wasm).
    fn with_message(kind: ErrorKind, code: &'static str, message: Cow<'static, str>) -> Self {
        AuthError(Box::new(Inner { kind: Some(kind), code: Cow::Borrowed(code), message, ..Inner::default() }))
    }

    /// An error whose code comes from a server response (`invalid_grant`, ...).
    pub fn from_server_code(kind: ErrorKind, code: String, message: String) -> Self {
        AuthError(Box::new(Inner { kind: Some(kind), code: Cow::Owned(code), message: Cow::Owned(message), ..Inner::default() }))
    }

    /// Shorthand for a `ClientConfigurationError`.
    #[inline(always)]
    pub fn config(code: &'static str, message: impl Message) -> Self {
        Self::new(ErrorKind::Configuration, code, message)
    }

    /// Shorthand for a `ClientAuthError`.
    #[inline(always)]
    pub fn client(code: &'static str, message: impl Message) -> Self {
        Self::new(ErrorKind::Client, code, message)
    }

    /// Shorthand for a `BrowserAuthError`.
    #[inline(always)]
    pub fn browser(code: &'static str, message: impl Message) -> Self {
        Self::new(ErrorKind::Browser, code, message)
    }

    /// Sets the sub-error (the server's `suberror`).
    pub fn with_sub_error(mut self, sub_error: impl Into<String>) -> Self {
        self.0.sub_error = sub_error.into();
        self
    }

    /// Sets the correlation id of the request that failed.
    pub fn with_correlation_id(mut self, id: impl Into<String>) -> Self {
        self.0.correlation_id = id.into();
        self
    }

    /// The call's correlation id, as msal sets it on every error a call fails with (over a
    /// server's own `correlation_id` too); an empty one leaves the error's.
    pub fn with_call_correlation_id(self, id: &str) -> Self {
        if id.is_empty() {
            self
        } else {
            self.with_correlation_id(id)
        }
    }

    /// Sets the server diagnostics: trace id, timestamp, error number, claims challenge.
    pub fn with_server_details(mut self, trace_id: String, timestamp: String, error_no: String, claims: String) -> Self {
        self.0.trace_id = trace_id;
        self.0.timestamp = timestamp;
        self.0.error_no = error_no;
        self.0.claims = claims;
        self
    }

    /// Marks the error number as a JSON number in the server's answer (msal hands it on as
    /// it came: a number from Entra's token endpoint).
    pub fn with_numeric_error_no(mut self) -> Self {
        self.0.error_no_number = true;
        self
    }

    /// True when the server sent the error number as a JSON number.
    pub fn error_no_is_number(&self) -> bool {
        self.0.error_no_number
    }

    /// Sets the HTTP status of the failed response.
    pub fn with_status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind.unwrap_or(ErrorKind::Internal)
    }
    /// msal's error code, e.g. `interaction_required`.
    pub fn code(&self) -> &str {
        &self.0.code
    }
    /// A human-readable message.
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// The server's `suberror`, or `""`.
    pub fn sub_error(&self) -> &str {
        &self.0.sub_error
    }
    /// The request's correlation id, or `""`.
    pub fn correlation_id(&self) -> &str {
        &self.0.correlation_id
    }
    /// The server's trace id, or `""`.
    pub fn trace_id(&self) -> &str {
        &self.0.trace_id
    }
    /// The server's timestamp, or `""`.
    pub fn timestamp(&self) -> &str {
        &self.0.timestamp
    }
    /// The first of the server's `error_codes`, or `""`.
    pub fn error_no(&self) -> &str {
        &self.0.error_no
    }
    /// The claims challenge sent by the server, or `""`.
    pub fn claims(&self) -> &str {
        &self.0.claims
    }
    /// The HTTP status of a server error.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }
    /// True when only an interactive request can fix this.
    pub fn is_interaction_required(&self) -> bool {
        self.kind() == ErrorKind::InteractionRequired
    }
    /// True when the server refused the grant (`invalid_grant`: a refresh token revoked,
    /// expired or already used; a code already redeemed).
    pub fn is_invalid_grant(&self) -> bool {
        self.code() == "invalid_grant"
    }
    /// True when the user cancelled (closed the popup).
    pub fn is_user_cancelled(&self) -> bool {
        self.kind() == ErrorKind::UserCancelled
    }
    /// True when asking again later may work without the user: no network or no readable
    /// answer, a 5xx or a 429 (or the throttle replaying one), `temporarily_unavailable`,
    /// `server_error`. A refusal (an unknown scope, a client the registration no longer
    /// allows) is not: asked again, it is refused again.
    pub fn is_transient(&self) -> bool {
        self.kind() == ErrorKind::Network
            || self.code() == codes::NO_NETWORK_CONNECTIVITY
            || self.status().is_some_and(|s| s >= 500 || s == 429)
            || matches!(self.code(), "temporarily_unavailable" | "server_error")
    }
}

/// msal's `no_network_connectivity`: the browser is offline (`navigator.onLine` false).
pub fn offline() -> AuthError {
    AuthError::browser(codes::NO_NETWORK_CONNECTIVITY, "the browser is offline")
}

/// The error of a request the platform aborted at its timeout without an answer: msal's
/// failed-request code for the method (`post_request_failed`, `get_request_failed`), with the
/// sub-error `timed_out`.
pub fn network_timeout(post: bool) -> AuthError {
    let (code, message) = if post {
        (codes::POST_REQUEST_FAILED, "the network request got no answer in time (system.networkTimeout) and was aborted")
    } else {
        (codes::GET_REQUEST_FAILED, "the network request got no answer in time (system.networkTimeout) and was aborted")
    };
    AuthError::new(ErrorKind::Network, code, message).with_sub_error(codes::TIMED_OUT)
}

impl Clone for AuthError {
    fn clone(&self) -> Self {
        AuthError(self.0.clone())
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("AuthError");
        d.field("kind", &self.kind()).field("code", &self.code());
        d.field("message", &self.message());
        if !self.0.sub_error.is_empty() {
            d.field("sub_error", &self.0.sub_error);
        }
        if !self.0.correlation_id.is_empty() {
            d.field("correlation_id", &self.0.correlation_id);
        }
        if let Some(s) = self.0.status {
            d.field("status", &s);
        }
        d.finish()
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl ::core::error::Error for AuthError {}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn transient_errors_are_the_networks_and_the_servers_own_not_its_refusals() {
        let server =
            |code: &str, status: u16| AuthError::from_server_code(ErrorKind::Server, code.to_owned(), String::new()).with_status(status);
        assert!(network_timeout(true).is_transient());
        assert!(server("server_error", 500).is_transient() && server("whatever", 503).is_transient());
        assert!(server("temporarily_unavailable", 400).is_transient() && server("slow_down", 429).is_transient());
        for refused in ["invalid_scope", "invalid_client", "unauthorized_client", "invalid_resource", "invalid_request"] {
            assert!(!server(refused, 400).is_transient(), "{refused}");
        }
        assert!(!AuthError::new(ErrorKind::InteractionRequired, "login_required", "").is_transient());
        assert!(!AuthError::config(codes::INVALID_CONFIGURATION, "").is_transient());
    }

    #[test]
    fn display_and_accessors() {
        let e = AuthError::new(ErrorKind::UserCancelled, codes::USER_CANCELLED, "closed").with_correlation_id("c-1");
        assert_eq!(e.to_string(), "user_cancelled: closed");
        assert!(e.is_user_cancelled());
        assert_eq!(e.kind().class_name(), "BrowserAuthError");
        assert_eq!(e.correlation_id(), "c-1");
    }
}
