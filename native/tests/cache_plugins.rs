//! Cache plugins with real stores: a Redis server of our own shared by two "machines", and a
//! file shared by two clients and by concurrent writers.

mod support;

use msal_native::*;
use msal_wasm::core::cache::unified::{self, UnifiedCache};
use msal_wasm::core::cache::{Credential as Entry, CredentialType};
use msal_wasm::core::json::Json;
use std::sync::Arc;
use std::time::Instant;
use support::*;

fn request() -> ClientCredentialRequest {
    ClientCredentialRequest { scopes: vec![APP_SCOPE.into()], ..Default::default() }
}

fn app(plugin: Arc<dyn CachePlugin>) -> ConfidentialClientApplication {
    let config = ConfidentialClientConfig::new(DAEMON_CLIENT_ID, authority(), Credential::Secret(DAEMON_SECRET.into()));
    ConfidentialClientApplication::new(config, Some(plugin)).unwrap()
}

#[tokio::test]
async fn an_app_token_of_another_identity_is_not_served_to_a_plain_request() {
    // msal-node files an agent identity's token (fmiPath) or one asked with client claims with
    // key components: another identity's token, kept as written and never served here.
    let store = Arc::new(MemoryClient::default());
    let plugin: Arc<dyn CachePlugin> = Arc::new(DistributedCachePlugin::new(store.clone(), Arc::new(DefaultPartitions)));
    assert!(!app(plugin.clone()).acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
    let mut entries = store.snapshot();
    for (_, text) in &mut entries {
        let mut cache = unified::deserialize(text).unwrap();
        let (key, mut at) = cache.entries(unified::Section::AccessToken)[0].clone();
        at.set("secret", "agent-token".into());
        at.set("additionalCacheKeyComponents", Json::object().with("fmi_path", "agents/a1"));
        cache.remove(unified::Section::AccessToken, &key);
        cache.insert(unified::Section::AccessToken, &format!("{key}-tp5gpvttyf"), at);
        *text = cache.serialize();
    }
    store.replace_all(entries);
    let plain = app(plugin).acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(!plain.from_cache);
    assert_ne!(plain.access_token.secret(), "agent-token");
    let kept: String = store.snapshot().into_iter().map(|(_, t)| t).collect();
    assert!(kept.contains("agents/a1") && kept.contains("agent-token"), "the agent's token stays, with its components");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::test]
async fn two_machines_share_app_tokens_through_redis() {
    let redis = start_redis().await;
    let client: Arc<dyn KeyValueClient> = Arc::new(RedisClient::connect(&redis.url).await.unwrap());
    let plugin = || -> Arc<dyn CachePlugin> { Arc::new(DistributedCachePlugin::new(client.clone(), Arc::new(DefaultPartitions))) };
    let (a, b) = (app(plugin()), app(plugin()));
    reset().await;
    let first = a.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(!first.from_cache);
    // Machine B has never asked: the token comes from Redis.
    let on_b = b.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(on_b.from_cache);
    assert_eq!(on_b.access_token.secret(), first.access_token.secret());
    // 100 more calls on B: all from the shared cache. Latency of a hit through Redis.
    let mut times = Vec::new();
    for _ in 0..100 {
        let t0 = Instant::now();
        assert!(b.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
        times.push(t0.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "redis plugin: silent hit median {:.0} µs, p95 {:.0} µs; {} token request(s) for 102 calls on 2 machines",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        token_requests().await
    );
    assert_eq!(token_requests().await, 1);
    // The partition is msal's unified JSON, under msal-node's app key.
    let key = format!("msal.{DAEMON_CLIENT_ID}.{}", authority().rsplit('/').next().unwrap());
    let stored = client.get(&key).await.unwrap().expect("the app's partition is in Redis");
    let cache = msal_wasm::core::cache::unified::deserialize(&stored).unwrap();
    assert_eq!(cache.credentials().len(), 1);
    // A corrupt entry is an empty partition: the app fetches again and repairs it.
    client.set(&key, "{not json").await.unwrap();
    let c = app(plugin());
    assert!(!c.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
    assert!(msal_wasm::core::cache::unified::deserialize(&client.get(&key).await.unwrap().unwrap()).is_ok());
}

#[tokio::test]
async fn redis_partitions_expire_when_the_client_sets_a_ttl() {
    // A middle-tier API writes a partition per user: without an expiry they stay for good.
    let redis = start_redis().await;
    let client = RedisClient::connect(&redis.url).await.unwrap().with_ttl(std::time::Duration::from_secs(86_400));
    let kv: Arc<dyn KeyValueClient> = Arc::new(client);
    let a = app(Arc::new(DistributedCachePlugin::new(kv.clone(), Arc::new(DefaultPartitions))));
    reset().await;
    a.acquire_token_by_client_credential(&request()).await.unwrap();
    let key = format!("msal.{DAEMON_CLIENT_ID}.{}", authority().rsplit('/').next().unwrap());
    let mut raw = redis::Client::open(redis.url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let ttl: i64 = redis::cmd("TTL").arg(&key).query_async(&mut raw).await.unwrap();
    assert!((86_000..=86_400).contains(&ttl), "the partition expires in a day: TTL {ttl}");
    // Without one (the default), as before: no expiry.
    let plain: Arc<dyn KeyValueClient> = Arc::new(RedisClient::connect(&redis.url).await.unwrap());
    plain.set("other", "{}").await.unwrap();
    let ttl: i64 = redis::cmd("TTL").arg("other").query_async(&mut raw).await.unwrap();
    assert_eq!(ttl, -1);
}

/// An app whose token is cached in Redis, then Redis drops every client's connection.
async fn app_token_cached_then_connections_killed() -> (Redis, ConfidentialClientApplication) {
    let redis = start_redis().await;
    let client: Arc<dyn KeyValueClient> = Arc::new(RedisClient::connect(&redis.url).await.unwrap());
    let a = app(Arc::new(DistributedCachePlugin::new(client, Arc::new(DefaultPartitions))));
    reset().await;
    a.acquire_token_by_client_credential(&request()).await.unwrap();
    let mut raw = redis::Client::open(redis.url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let killed: i64 = redis::cmd("CLIENT").arg(&["KILL", "TYPE", "normal", "SKIPME", "yes"]).query_async(&mut raw).await.unwrap();
    assert!(killed >= 1);
    (redis, a)
}

/// A connection Redis drops (a failover, an idle timeout, a restarted server) is made again:
/// the next call serves its token from the cache, where every call failed until the process
/// restarted.
#[tokio::test]
async fn a_redis_connection_that_drops_is_made_again() {
    let (_redis, a) = app_token_cached_then_connections_killed().await;
    let again = a.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(again.from_cache);
    assert_eq!(token_requests().await, 1);
}

/// The connection made again inside a user flow (which runs on a runtime of its own, driven only
/// while the flow runs) still serves the app's next call at once: it is made on the app's runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_connection_made_again_in_a_user_flow_serves_the_apps_next_call() {
    let (_redis, a) = app_token_cached_then_connections_killed().await;
    // A user flow reads the cache first (the user's partition: nobody is signed in, no matter).
    let nobody = msal_wasm::client::SilentRequest {
        scopes: vec!["User.Read".into()],
        account: Some(msal_wasm::client::AccountRef::new("nobody.tenant")),
        ..Default::default()
    };
    let _ = a.acquire_token_silent(&nobody).await;
    let start = std::time::Instant::now();
    assert!(a.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
    assert!(start.elapsed() < std::time::Duration::from_secs(2), "{:?}", start.elapsed());
}

/// A client connected on a runtime that is gone since (a set-up's, another test's) serves on
/// the one that calls it.
#[tokio::test]
async fn a_redis_client_outlives_the_runtime_it_connected_on() {
    let redis = start_redis().await;
    let url = redis.url.clone();
    let client = std::thread::spawn(move || {
        let setup = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        setup.block_on(RedisClient::connect(&url)).unwrap()
    })
    .join()
    .unwrap();
    let client: Arc<dyn KeyValueClient> = Arc::new(client);
    let a = app(Arc::new(DistributedCachePlugin::new(client, Arc::new(DefaultPartitions))));
    reset().await;
    a.acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(a.acquire_token_by_client_credential(&request()).await.unwrap().from_cache);
}

#[tokio::test]
async fn redis_down_is_a_typed_storage_error() {
    let redis = start_redis().await;
    let client: Arc<dyn KeyValueClient> = Arc::new(RedisClient::connect(&redis.url).await.unwrap());
    drop(redis);
    let plugin: Arc<dyn CachePlugin> = Arc::new(DistributedCachePlugin::new(client, Arc::new(DefaultPartitions)));
    let e = app(plugin).acquire_token_by_client_credential(&request()).await.unwrap_err();
    assert_eq!(e.code(), "storage_unavailable");
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("msal-native-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("cache.json")
}

#[tokio::test]
async fn a_cache_file_serves_the_next_process_and_is_private() {
    let path = temp_path("file");
    let plugin = || -> Arc<dyn CachePlugin> { Arc::new(FileCachePlugin::new(&path)) };
    reset().await;
    let first = app(plugin()).acquire_token_by_client_credential(&request()).await.unwrap();
    // "The next run": a new client over the same file.
    let next = app(plugin()).acquire_token_by_client_credential(&request()).await.unwrap();
    assert!(next.from_cache);
    assert_eq!(next.access_token.secret(), first.access_token.secret());
    assert_eq!(token_requests().await, 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let lock = std::fs::OpenOptions::new().write(true).open(path.with_extension("json.lock")).unwrap();
    assert!(lock.try_lock().is_ok(), "the lock is released after each access");
    drop(lock);
    // A file that is not msal's JSON (another library's, encrypted): refused and left as it
    // is, as msal-node's deserialize() throws, rather than overwritten with this app's entries.
    std::fs::write(&path, "garbage").unwrap();
    let e = app(plugin()).acquire_token_by_client_credential(&request()).await.unwrap_err();
    assert_eq!(e.code(), "invalid_cache_record");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "garbage");
    let lock = std::fs::OpenOptions::new().write(true).open(path.with_extension("json.lock")).unwrap();
    assert!(lock.try_lock().is_ok(), "the lock is released after the refusal");
}

#[tokio::test]
async fn the_file_lock_is_msal_node_extensions_lockfile_too() {
    // A Node app's persistence plugin (msal-node-extensions) holds the file: an access waits for
    // it, then holds the same lock file (its process id inside) while it runs.
    let path = temp_path("lockfile");
    let lockfile = path.with_extension("json.lockfile");
    let access = |plugin: Arc<FileCachePlugin>, lockfile: std::path::PathBuf| {
        tokio::spawn(async move {
            let mut ctx = CacheContext::new(UnifiedCache::new(), Partition::Account(String::new()));
            plugin.before_cache_access(&mut ctx).await.unwrap();
            let held = std::fs::read_to_string(&lockfile).unwrap();
            plugin.after_cache_access(&mut ctx).await.unwrap();
            held
        })
    };
    let plugin = Arc::new(FileCachePlugin::new(&path));
    std::fs::write(&lockfile, "4242").unwrap();
    let waiting = access(plugin.clone(), lockfile.clone());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "the access waits while the Node app holds the file");
    std::fs::remove_file(&lockfile).unwrap();
    assert_eq!(waiting.await.unwrap(), std::process::id().to_string());
    assert!(!lockfile.exists(), "released after the access");
    // One left by a process that died (over a minute old) is taken over.
    let left = std::fs::File::create(&lockfile).unwrap();
    left.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(120)).unwrap();
    drop(left);
    let started = Instant::now();
    assert_eq!(access(plugin, lockfile.clone()).await.unwrap(), std::process::id().to_string());
    assert!(started.elapsed().as_secs() < 2 && !lockfile.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_no_update_under_the_file_lock() {
    let path = temp_path("concurrent");
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let plugin = FileCachePlugin::new(&path);
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                let mut ctx = CacheContext::new(UnifiedCache::new(), Partition::Account(String::new()));
                plugin.before_cache_access(&mut ctx).await.unwrap();
                let mut e = Entry::new(CredentialType::AccessToken, "", "login.example", "client", &format!("w{writer}"), "s");
                e.target = format!("scope.{i}");
                e.scopes = msal_wasm::core::scopes::ScopeSet::parse(&e.target);
                (e.cached_at, e.expires_on, e.extended_expires_on) = (1, 2, 2);
                ctx.cache_mut().add_credential(&e);
                ctx.set_changed();
                // Another writer would read between here and the save without the lock.
                tokio::task::yield_now().await;
                plugin.after_cache_access(&mut ctx).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let cache = msal_wasm::core::cache::unified::deserialize(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(cache.credentials().len(), 80, "every write survived");
}
