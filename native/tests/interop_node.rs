//! msal-node 7's DistributedCachePlugin and msal-native on one Redis: each serves from the cache
//! the app token the other stored (tests/interop/redis-peer.mjs is the msal-node side).

mod support;

use msal_native::*;
use std::process::Command;
use std::sync::Arc;
use support::*;

fn node_peer(redis_port: &str, mode: &str) -> (String, bool) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/interop/redis-peer.mjs");
    let out = Command::new("node")
        .args([script, redis_port, &authority(), DAEMON_CLIENT_ID, DAEMON_SECRET, APP_SCOPE, mode])
        .output()
        .expect("node runs (tests/interop/install-peers.sh installs msal-node)");
    assert!(out.status.success(), "msal-node peer ({mode}) failed: {}", String::from_utf8_lossy(&out.stderr));
    let j = msal_wasm::core::json::Json::parse(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    (j.string_or_empty("accessToken"), j.get("fromCache").and_then(|v| v.as_bool()).unwrap_or(false))
}

async fn rust_app(redis: &Redis) -> ConfidentialClientApplication {
    let client: Arc<dyn KeyValueClient> = Arc::new(RedisClient::connect(&redis.url).await.unwrap());
    let plugin: Arc<dyn CachePlugin> = Arc::new(DistributedCachePlugin::new(client, Arc::new(DefaultPartitions)));
    let config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into()));
    ConfidentialClientApplication::new(config, Some(plugin)).unwrap()
}

fn port_of(redis: &Redis) -> String {
    redis.url.trim_end_matches('/').rsplit(':').next().unwrap().to_owned()
}

#[tokio::test]
async fn msal_node_serves_the_token_msal_native_stored_in_redis() {
    let redis = start_redis().await;
    let ours = rust_app(&redis).await;
    let req = ClientCredentialRequest { scopes: vec![APP_SCOPE.into()], ..Default::default() };
    let t = ours.acquire_token_by_client_credential(&req).await.unwrap();
    let (theirs, from_cache) = node_peer(&port_of(&redis), "read");
    assert!(from_cache);
    assert_eq!(theirs, t.access_token.secret());
}

#[tokio::test]
async fn msal_native_serves_the_token_msal_node_stored_in_redis() {
    let redis = start_redis().await;
    let (written, from_cache) = node_peer(&port_of(&redis), "write");
    assert!(!from_cache);
    reset().await;
    let ours = rust_app(&redis).await;
    let req = ClientCredentialRequest { scopes: vec![APP_SCOPE.into()], ..Default::default() };
    let t = ours.acquire_token_by_client_credential(&req).await.unwrap();
    if !t.from_cache {
        let client = RedisClient::connect(&redis.url).await.unwrap();
        let key = format!("msal.{DAEMON_CLIENT_ID}.{}", authority().rsplit('/').next().unwrap());
        let held = client.get(&key).await.ok().flatten().map(|v| v.len());
        panic!("not served from msal-node's entry; Redis holds {held:?} bytes under {key}");
    }
    assert_eq!(t.access_token.secret(), written);
    assert_eq!(token_requests().await, 0);
}
