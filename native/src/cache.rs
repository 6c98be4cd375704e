//! The token cache of the native clients: msal's unified cache (the format msal-node, MSAL
//! Python and MSAL .NET serialize), held in memory and, with a [`CachePlugin`], loaded before
//! and saved after every access (msal-node's `ICachePlugin`).

use msal_wasm::core::cache::unified::{self, UnifiedCache};
use msal_wasm::error::AuthError;
use std::future::Future;
use std::pin::Pin;

/// A boxed future of a plugin.
pub type PluginFuture<'a> = Pin<Box<dyn Future<Output = Result<(), AuthError>> + Send + 'a>>;

/// Which part of a shared cache an access concerns: a distributed plugin stores each in its own
/// entry (msal-node's `IPartitionManager`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Partition {
    /// An app's own tokens (client credentials) in a tenant.
    App {
        /// The client id.
        client_id: String,
        /// The tenant.
        tenant: String,
    },
    /// A user's tokens: their `homeAccountId`.
    Account(String),
}

/// What a plugin sees of an access: the cache to fill before it and to save after it.
#[derive(Debug)]
pub struct CacheContext {
    cache: UnifiedCache,
    changed: bool,
    partition: Partition,
}

impl CacheContext {
    /// A context holding `cache` for an access to `partition`.
    pub fn new(cache: UnifiedCache, partition: Partition) -> CacheContext {
        CacheContext { cache, changed: false, partition }
    }

    /// True after an access that changed the cache (save it then).
    pub fn has_changed(&self) -> bool {
        self.changed
    }

    /// The partition this access concerns.
    pub fn partition(&self) -> &Partition {
        &self.partition
    }

    /// The cache in msal's unified JSON format.
    pub fn serialize(&self) -> String {
        self.cache.serialize()
    }

    /// Replaces the in-memory cache with `text` (unified JSON); an empty text empties it.
    pub fn deserialize(&mut self, text: &str) -> Result<(), AuthError> {
        self.cache = unified::deserialize_or_empty(text)?;
        Ok(())
    }

    /// As [`deserialize`](Self::deserialize), but a corrupt text is an empty cache (the user
    /// signs in again; the next save repairs the store): what plugins read from storage.
    pub fn load_or_empty(&mut self, text: &str) {
        self.cache = unified::deserialize_or_empty(text).unwrap_or_default();
    }

    /// The cache.
    pub fn cache(&self) -> &UnifiedCache {
        &self.cache
    }

    /// The cache, to change (then call [`set_changed`](Self::set_changed)).
    pub fn cache_mut(&mut self) -> &mut UnifiedCache {
        &mut self.cache
    }

    /// Marks the cache as changed: the plugin saves it after the access.
    pub fn set_changed(&mut self) {
        self.changed = true;
    }

    /// The cache, once the access is over.
    pub fn into_cache(self) -> UnifiedCache {
        self.cache
    }
}

/// Persistence of the token cache around each access (msal-node's `ICachePlugin`).
pub trait CachePlugin: Send + Sync {
    /// Loads the stored cache into `ctx` (with [`CacheContext::deserialize`]).
    fn before_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> PluginFuture<'a>;
    /// Stores `ctx`'s cache when [`CacheContext::has_changed`].
    fn after_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> PluginFuture<'a>;
    /// True when every access loads the whole cache, whatever its partition (one file, as
    /// [`FileCachePlugin`](crate::FileCachePlugin)): then every user's account can be listed.
    /// False by default (a partitioned store loads one user's).
    fn whole_cache(&self) -> bool {
        false
    }
    /// The store entry an access of `partition` loads and saves, when it loads and saves that
    /// entry alone (as [`DistributedCachePlugin`](crate::DistributedCachePlugin)): accesses of
    /// other entries then run at once, those of one entry one at a time. `None` by default: one
    /// access at a time (a plugin that stores one blob).
    fn partition_entry(&self, partition: &Partition) -> Option<String> {
        let _ = partition;
        None
    }
}
