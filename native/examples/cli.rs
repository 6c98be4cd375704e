//! A command-line tool: the user signs in once with the device code flow (or, with
//! `--browser`, in a browser that comes back to a loopback page); later runs get their token
//! silently from a cache file (and the refresh token when it expires).
//!
//!     cargo run -p msal-native --example cli -- <authority> <client id> <cache file> [--browser]
//!
//! Prints the sign-in instructions when it needs the user, then who is signed in; never a token.

use msal_native::{CachePlugin, FileCachePlugin, PublicClientApplication};
use msal_wasm::client::{AccountRef, Config, DeviceCodeRequest, InteractiveRequest, SilentRequest};
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (browser, args) = match args.split_last() {
        Some((last, rest)) if last == "--browser" => (true, rest),
        _ => (false, args.as_slice()),
    };
    let [authority, client_id, cache] = args else {
        return Err("usage: cli <authority> <client id> <cache file> [--browser]".into());
    };
    let plugin: Arc<dyn CachePlugin> = Arc::new(FileCachePlugin::new(cache));
    let app = PublicClientApplication::new(Config::new(client_id.as_str()).with_authority(authority.as_str()), Some(plugin)).await?;
    let scopes = vec!["User.Read".to_owned()];
    let account = app.get_all_accounts().await?.into_iter().next();
    let silent = match &account {
        Some(a) => {
            let req = SilentRequest {
                scopes: scopes.clone(),
                account: Some(AccountRef::new(a.account.home_account_id.clone())),
                ..Default::default()
            };
            app.acquire_token_silent(&req).await.ok()
        }
        None => None,
    };
    let result = match silent {
        Some(r) => r,
        None if browser => {
            let req = InteractiveRequest { scopes, ..Default::default() };
            // A real tool would start the system browser here (`open`, `xdg-open`, `start`).
            // The sign-in waits for the browser without a limit: a user who closed the tab
            // would wait forever, so the tool gives up after five minutes.
            let signed_in = app.acquire_token_interactive(&req, |url| {
                println!("open: {url}");
                Ok(())
            });
            tokio::time::timeout(std::time::Duration::from_secs(300), signed_in).await.map_err(|_| "no sign-in within 5 minutes")??
        }
        None => {
            let req = DeviceCodeRequest { scopes, ..Default::default() };
            app.acquire_token_by_device_code(
                &req,
                |code| {
                    eprintln!("{}", if code.message.is_empty() { &code.verification_uri } else { &code.message });
                    // One line a script can read.
                    println!("user code: {}", code.user_code);
                },
                || false,
            )
            .await?
        }
    };
    println!("signed in as {}; token from cache: {}", result.account.account.username, result.from_cache);
    Ok(())
}
