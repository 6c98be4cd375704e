//! MSAL's server, daemon and CLI side in native Rust: the flows of msal-node over reqwest
//! (rustls), with msal's unified token cache and cache plugins — a file for one machine,
//! Redis for many. The browser client is the `msal-wasm` crate; this crate is never part of its
//! npm build.
//!
//! ```no_run
//! # async fn run() -> Result<(), msal_wasm::AuthError> {
//! use msal_native::{ClientCredentialRequest, ConfidentialClientApplication, ConfidentialClientConfig, Credential};
//! let app = ConfidentialClientApplication::new(
//!     ConfidentialClientConfig::new(
//!         "00000000-0000-0000-0000-000000000000",
//!         "https://login.microsoftonline.com/contoso.onmicrosoft.com",
//!         Credential::Secret(std::env::var("CLIENT_SECRET").unwrap_or_default()),
//!     ),
//!     None,
//! )?;
//! let req = ClientCredentialRequest { scopes: vec!["https://graph.microsoft.com/.default".into()], ..Default::default() };
//! let token = app.acquire_token_by_client_credential(&req).await?;
//! println!("expires at {} ms", token.expires_on_ms);
//! # Ok(()) }
//! ```

pub mod api;
pub mod cache;
pub mod confidential;
pub mod credential;
pub mod dpop;
pub mod http;
pub mod managed_identity;
pub mod plugins;
pub mod public;
pub mod region;
mod sync;
pub mod system;

pub use api::{ApiTokenValidator, Caller, Rejection};
pub use cache::{CacheContext, CachePlugin, Partition};
pub use confidential::{
    AppToken, AuthCodeFlow, AuthCodeUrlRequest, ClientCredentialRequest, ConfidentialClientApplication, ConfidentialClientConfig,
    OnBehalfOfRequest,
};
pub use credential::{AssertionCallback, AssertionContext, Certificate, Credential, SigningAlgorithm, Thumbprint};
pub use dpop::{DpopKey, PopKey};
pub use managed_identity::{
    Environment, ManagedIdentityApplication, ManagedIdentityConfig, ManagedIdentityId, ManagedIdentityRequest, ManagedIdentitySource,
};
/// msal's `protocolMode` (`ConfidentialClientConfig::protocol_mode`, `Config::protocol_mode`).
pub use msal_wasm::core::authority::ProtocolMode;
/// The app's name and version, sent in token requests (`ConfidentialClientConfig::application`, `Config::application`).
pub use msal_wasm::core::authorize::AppTelemetry;
#[cfg(feature = "redis")]
pub use plugins::distributed::RedisClient;
pub use plugins::distributed::{DefaultPartitions, DistributedCachePlugin, KeyValueClient, MemoryClient, PartitionManager};
pub use plugins::file::FileCachePlugin;
pub use public::{LoopbackOptions, NativePlatform, PublicClientApplication};
pub use system::{LogLevel, Logger, NetworkClient, SystemOptions};

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A random GUID from the operating system's generator (ring's `SystemRandom`).
pub(crate) fn random_guid() -> Result<String, msal_wasm::error::AuthError> {
    let mut b = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b).map_err(|_| {
        msal_wasm::error::AuthError::client(msal_wasm::error::codes::CRYPTO_NONEXISTENT, "the operating system's random source failed")
    })?;
    Ok(msal_wasm::core::pkce::guid(b))
}

/// `req` as a server runs it: no hidden frames (as msal-node), so a policy's frame step goes.
/// The default becomes the cache, then the refresh token; the network ones the refresh token,
/// whose refusal then reaches the app as the server gave it.
pub(crate) fn without_frames(req: &msal_wasm::client::SilentRequest) -> msal_wasm::client::SilentRequest {
    use msal_wasm::client::CacheLookupPolicy;
    let mut req = req.clone();
    req.cache_lookup_policy = match req.cache_lookup_policy {
        CacheLookupPolicy::Default => CacheLookupPolicy::AccessTokenAndRefreshToken,
        CacheLookupPolicy::RefreshTokenAndNetwork | CacheLookupPolicy::Skip => CacheLookupPolicy::RefreshToken,
        other => other,
    };
    req
}
