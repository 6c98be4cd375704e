//! A cache shared by the machines of an app (msal-node's `DistributedCachePlugin`): each
//! partition — a user's tokens, or an app's own — is one entry of a key-value store, named by a
//! [`PartitionManager`]. Redis is the store that ships ([`RedisClient`], feature `redis`).

use crate::cache::{CacheContext, CachePlugin, Partition, PluginFuture};
use msal_wasm::error::AuthError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed future of a key-value client.
pub type ClientFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, AuthError>> + Send + 'a>>;

/// A key-value store (msal-node's `ICacheClient`).
pub trait KeyValueClient: Send + Sync {
    /// The value at `key`, if any.
    fn get<'a>(&'a self, key: &'a str) -> ClientFuture<'a, Option<String>>;
    /// Stores `value` at `key`.
    fn set<'a>(&'a self, key: &'a str, value: &'a str) -> ClientFuture<'a, ()>;
}

/// Names the store entry of a partition (msal-node's `IPartitionManager`).
pub trait PartitionManager: Send + Sync {
    /// The key of `partition`.
    fn key(&self, partition: &Partition) -> String;
}

/// The default naming: `msal.<client id>.<tenant>` for an app's tokens, the `homeAccountId` for
/// a user's (what msal-node's samples' `extractKey` returns).
#[derive(Debug, Clone, Default)]
pub struct DefaultPartitions;

impl PartitionManager for DefaultPartitions {
    fn key(&self, partition: &Partition) -> String {
        match partition {
            Partition::App { client_id, tenant } => format!("msal.{client_id}.{tenant}"),
            Partition::Account(home) => home.clone(),
        }
    }
}

/// A key-value store in this process's memory: a confidential client without a plugin keeps
/// its users' partitions here (as msal-node keeps its cache in memory), and tests use it. Its
/// `Debug` shows the keys only: the values hold tokens.
#[derive(Default)]
pub struct MemoryClient {
    entries: std::sync::Mutex<Vec<(String, String)>>,
}

impl std::fmt::Debug for MemoryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<String> = self.snapshot().into_iter().map(|(k, _)| k).collect();
        f.debug_struct("MemoryClient").field("keys", &keys).finish_non_exhaustive()
    }
}

impl MemoryClient {
    /// Every `(key, value)`.
    pub fn snapshot(&self) -> Vec<(String, String)> {
        self.entries.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// Replaces every entry.
    pub fn replace_all(&self, entries: Vec<(String, String)>) {
        if let Ok(mut e) = self.entries.lock() {
            *e = entries;
        }
    }
}

impl KeyValueClient for MemoryClient {
    fn get<'a>(&'a self, key: &'a str) -> ClientFuture<'a, Option<String>> {
        let found = self.entries.lock().ok().and_then(|e| e.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()));
        Box::pin(async move { Ok(found) })
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str) -> ClientFuture<'a, ()> {
        if let Ok(mut entries) = self.entries.lock() {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => value.clone_into(&mut slot.1),
                None => entries.push((key.to_owned(), value.to_owned())),
            }
        }
        Box::pin(async { Ok(()) })
    }
}

/// The distributed cache plugin.
pub struct DistributedCachePlugin {
    client: Arc<dyn KeyValueClient>,
    partitions: Arc<dyn PartitionManager>,
}

impl std::fmt::Debug for DistributedCachePlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistributedCachePlugin").finish_non_exhaustive()
    }
}

impl DistributedCachePlugin {
    /// A plugin over `client`, partitioned by `partitions`.
    pub fn new(client: Arc<dyn KeyValueClient>, partitions: Arc<dyn PartitionManager>) -> DistributedCachePlugin {
        DistributedCachePlugin { client, partitions }
    }
}

impl CachePlugin for DistributedCachePlugin {
    fn before_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> PluginFuture<'a> {
        Box::pin(async move {
            let key = self.partitions.key(ctx.partition());
            let text = self.client.get(&key).await?.unwrap_or_default();
            ctx.load_or_empty(&text);
            Ok(())
        })
    }

    fn after_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> PluginFuture<'a> {
        Box::pin(async move {
            if ctx.has_changed() {
                let key = self.partitions.key(ctx.partition());
                self.client.set(&key, &ctx.serialize()).await?;
            }
            Ok(())
        })
    }

    fn partition_entry(&self, partition: &Partition) -> Option<String> {
        Some(self.partitions.key(partition))
    }
}

#[cfg(feature = "redis")]
pub use self::redis_client::RedisClient;

#[cfg(feature = "redis")]
mod redis_client {
    use super::{ClientFuture, KeyValueClient};
    use msal_wasm::error::{codes, AuthError, ErrorKind};
    use std::sync::{Arc, Mutex, PoisonError};
    use std::time::Duration;

    /// Redis as the distributed cache's store: one multiplexed connection, shared, made again
    /// when it drops (a failover, an idle timeout, a restarted server); each command and
    /// connection attempt is bounded by 5 s. Connections and commands run on the runtime that
    /// connected (the app's): a connection's task made on a user flow's own runtime, which runs
    /// only while that flow does, would stall the app's next command.
    #[derive(Clone)]
    pub struct RedisClient {
        client: redis::Client,
        runtime: Arc<Mutex<tokio::runtime::Handle>>,
        connection: Arc<Mutex<Option<redis::aio::MultiplexedConnection>>>,
        /// Each write's expiry (`SET … EX`); none: the entries stay until deleted.
        ttl_secs: Option<u64>,
    }

    impl std::fmt::Debug for RedisClient {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("RedisClient").finish_non_exhaustive()
        }
    }

    /// Redis's reason is kept (it names no key, value or password).
    fn failed(e: redis::RedisError) -> AuthError {
        AuthError::new(ErrorKind::Storage, codes::STORAGE_UNAVAILABLE, format!("the Redis token cache is unavailable: {e}"))
    }

    const TIMEOUT: Duration = Duration::from_secs(5);

    impl RedisClient {
        /// Connects to `url` (`redis://127.0.0.1:6379/`).
        pub async fn connect(url: &str) -> Result<RedisClient, AuthError> {
            let client = RedisClient {
                client: redis::Client::open(url).map_err(failed)?,
                runtime: Arc::new(Mutex::new(tokio::runtime::Handle::current())),
                connection: Arc::default(),
                ttl_secs: None,
            };
            client.connection().await?;
            Ok(client)
        }

        /// The shared connection, made when there is none.
        async fn connection(&self) -> Result<redis::aio::MultiplexedConnection, AuthError> {
            if let Some(c) = self.connection.lock().unwrap_or_else(PoisonError::into_inner).clone() {
                return Ok(c);
            }
            let config = redis::AsyncConnectionConfig::new().set_connection_timeout(TIMEOUT).set_response_timeout(TIMEOUT);
            let c = self.client.get_multiplexed_async_connection_with_config(&config).await.map_err(failed)?;
            *self.connection.lock().unwrap_or_else(PoisonError::into_inner) = Some(c.clone());
            Ok(c)
        }

        /// Runs `cmd` on the app's runtime.
        async fn run<T: redis::FromRedisValue + Send + 'static>(&self, cmd: &redis::Cmd) -> Result<T, AuthError> {
            let (this, copy) = (self.clone(), cmd.clone());
            let runtime = self.runtime.lock().unwrap_or_else(PoisonError::into_inner).clone();
            match runtime.spawn(async move { this.run_here(&copy).await }).await {
                Ok(r) => r,
                // That runtime is gone (a test's, a set-up's): this one takes over, with a new
                // connection.
                Err(_) => {
                    *self.runtime.lock().unwrap_or_else(PoisonError::into_inner) = tokio::runtime::Handle::current();
                    *self.connection.lock().unwrap_or_else(PoisonError::into_inner) = None;
                    self.run_here(cmd).await
                }
            }
        }

        /// Runs `cmd`; on a connection that dropped or stalled, once more on a new one.
        async fn run_here<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, AuthError> {
            let mut again = true;
            loop {
                let mut c = self.connection().await?;
                match cmd.query_async::<T>(&mut c).await {
                    Ok(v) => return Ok(v),
                    Err(e) if e.is_connection_dropped() || e.is_io_error() || e.is_timeout() => {
                        *self.connection.lock().unwrap_or_else(PoisonError::into_inner) = None;
                        if !std::mem::take(&mut again) {
                            return Err(failed(e));
                        }
                    }
                    Err(e) => return Err(failed(e)),
                }
            }
        }

        /// Each partition written expires `ttl` after its last write (`SET … EX`): a
        /// middle-tier API's per-user partitions (on-behalf-of, signed-in users) otherwise stay
        /// in Redis for good. Choose it longer than the refresh tokens should live (a day or
        /// more): an expired partition is a user who signs in again. Under a second: one second.
        pub fn with_ttl(mut self, ttl: std::time::Duration) -> RedisClient {
            self.ttl_secs = Some(ttl.as_secs().max(1));
            self
        }
    }

    impl KeyValueClient for RedisClient {
        fn get<'a>(&'a self, key: &'a str) -> ClientFuture<'a, Option<String>> {
            Box::pin(async move { self.run(redis::cmd("GET").arg(key)).await })
        }
        fn set<'a>(&'a self, key: &'a str, value: &'a str) -> ClientFuture<'a, ()> {
            Box::pin(async move {
                let mut set = redis::cmd("SET");
                set.arg(key).arg(value);
                if let Some(secs) = self.ttl_secs {
                    set.arg("EX").arg(secs);
                }
                self.run(&set).await
            })
        }
    }
}
