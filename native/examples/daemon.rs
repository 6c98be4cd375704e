//! A daemon: a token for an API with the app's own identity (client credentials with a
//! certificate), cached in a file between runs.
//!
//!     cargo run -p msal-native --example daemon -- <authority> <client id> <key+cert PEM> <scope> <cache file>
//!
//! Prints where the token came from and when it expires; never the token.

use msal_native::{CachePlugin, Certificate, ClientCredentialRequest, ConfidentialClientApplication, ConfidentialClientConfig, Credential};
use msal_native::{FileCachePlugin, SigningAlgorithm};
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [authority, client_id, pem, scope, cache] = args.as_slice() else {
        return Err("usage: daemon <authority> <client id> <key+cert PEM> <scope> <cache file>".into());
    };
    let cert = Certificate::from_pem(&std::fs::read_to_string(pem)?, SigningAlgorithm::Rs256)?;
    let plugin: Arc<dyn CachePlugin> = Arc::new(FileCachePlugin::new(cache));
    let config = ConfidentialClientConfig::new(client_id.as_str(), authority.as_str(), Credential::Certificate(Arc::new(cert)));
    let app = ConfidentialClientApplication::new(config, Some(plugin))?;
    let req = ClientCredentialRequest { scopes: vec![scope.clone()], ..Default::default() };
    let token = app.acquire_token_by_client_credential(&req).await?;
    println!("app token for {scope}: from cache: {}, expires at {} ms", token.from_cache, token.expires_on_ms);
    Ok(())
}
