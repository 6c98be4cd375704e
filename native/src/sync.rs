//! Keeping a shared client's cache in step with a [`CachePlugin`]'s store: load a partition
//! before a call (the plugin's lock held only while it reads), and after it merge what the call
//! changed — the entries it added, changed or removed, nothing else — into the partition as it
//! is then, under the lock: what other processes wrote meanwhile stays (an account another
//! process removed is not brought back, a refresh token it rotated is not reverted). Network
//! calls never run under the lock.

use crate::cache::{CacheContext, CachePlugin, Partition};
use msal_wasm::client::PublicClientApplication as Core;
use msal_wasm::core::cache::unified::{self, Section, UnifiedCache};
use msal_wasm::core::json::Json;
use msal_wasm::error::AuthError;
use msal_wasm::platform::Platform;

/// What a call loaded: the client's entries then (to tell what it added, changed or removed),
/// and the cache version (to tell whether it changed anything).
#[derive(Debug)]
pub(crate) struct Loaded {
    entries: UnifiedCache,
    version: u32,
}

fn ours<P: Platform>(core: &Core<P>) -> Result<UnifiedCache, AuthError> {
    unified::deserialize_or_empty(&core.serialize_cache())
}

/// Loads `partition` into `core` (nothing without a plugin).
pub(crate) async fn load<P: Platform>(
    core: &Core<P>,
    plugin: Option<&dyn CachePlugin>,
    partition: &Partition,
) -> Result<Option<Loaded>, AuthError> {
    let Some(plugin) = plugin else { return Ok(None) };
    let mut ctx = CacheContext::new(UnifiedCache::new(), partition.clone());
    plugin.before_cache_access(&mut ctx).await?;
    let taken = core.deserialize_cache(&ctx.serialize());
    plugin.after_cache_access(&mut ctx).await?;
    taken?;
    Ok(Some(Loaded { entries: ours(core)?, version: core.cache_version() }))
}

/// Starts from an empty cache (a sign-in whose account is not known before it ends).
pub(crate) fn fresh<P: Platform>(core: &Core<P>) -> Result<Loaded, AuthError> {
    core.deserialize_cache("")?;
    Ok(Loaded { entries: UnifiedCache::new(), version: core.cache_version() })
}

/// Saves what changed in `core` since `loaded` into `partition`.
pub(crate) async fn save<P: Platform>(
    core: &Core<P>,
    plugin: Option<&dyn CachePlugin>,
    partition: &Partition,
    loaded: Option<Loaded>,
) -> Result<(), AuthError> {
    let (Some(plugin), Some(loaded)) = (plugin, loaded) else { return Ok(()) };
    if core.cache_version() == loaded.version {
        return Ok(());
    }
    let ours = ours(core)?;
    let mut ctx = CacheContext::new(UnifiedCache::new(), partition.clone());
    plugin.before_cache_access(&mut ctx).await?;
    merge(ctx.cache_mut(), &loaded.entries, &ours);
    ctx.set_changed();
    plugin.after_cache_access(&mut ctx).await
}

/// Applies to `stored` what changed from `loaded` to `ours`: removed entries go, added or
/// changed ones are written. Another library's copy of such an entry (the same token under
/// msal-node 3's, MSAL Python's or MSAL.NET's name) goes with it, so an older refresh token
/// is not read back before the new one, and a removed account leaves none of its tokens.
pub(crate) fn merge(stored: &mut UnifiedCache, loaded: &UnifiedCache, ours: &UnifiedCache) {
    for section in Section::ALL {
        // App metadata stays (msal-node keeps it at sign-out) and is written where it is missing.
        let metadata = section == Section::AppMetadata;
        for (key, _) in loaded.entries(section).iter().filter(|_| !metadata) {
            if ours.get(section, key).is_none() {
                stored.remove(section, key);
                stored.remove_aliases(section, key);
            }
        }
        for (key, entity) in ours.entries(section) {
            if loaded.get(section, key) != Some(entity) || (metadata && stored.get(section, key).is_none()) {
                let entity = match section {
                    Section::Account => with_stored_profiles(entity, stored.get(section, key)),
                    _ => entity.clone(),
                };
                stored.remove_aliases(section, key);
                stored.insert(section, key, entity);
            }
        }
    }
}

/// An account entity as a call wrote it, with the tenant profiles the stored one lists first:
/// a sign-in that started from an empty cache knows only its own tenant's, where msal-node
/// adds a new tenant after the cached account's.
fn with_stored_profiles(ours: &Json, stored: Option<&Json>) -> Json {
    let tenant = |p: &Json| match p {
        Json::Str(s) => Json::parse(s).ok().and_then(|j| j.str_field("tenantId").map(str::to_ascii_lowercase)),
        p => p.str_field("tenantId").map(str::to_ascii_lowercase),
    };
    let (Some(Json::Arr(old)), Json::Obj(fields)) = (stored.and_then(|s| s.get("tenantProfiles")), ours) else { return ours.clone() };
    let mut fields = fields.clone();
    if let Some((_, Json::Arr(profiles))) = fields.iter_mut().find(|(k, _)| k == "tenantProfiles") {
        let kept: Vec<Option<String>> = old.iter().map(tenant).collect();
        let added = profiles.drain(..).filter(|p| !kept.contains(&tenant(p)));
        *profiles = old.iter().cloned().chain(added).collect();
    }
    Json::Obj(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use msal_wasm::core::cache::unified::AppMetadata;

    fn with_metadata() -> UnifiedCache {
        let mut u = UnifiedCache::new();
        u.add_app_metadata(&AppMetadata { client_id: "c".into(), environment: "e".into(), family_id: "1".into(), extra: Vec::new() });
        u
    }

    #[test]
    fn app_metadata_is_written_where_missing_and_kept_at_sign_out() {
        // Loaded and ours both hold it (derived from the family token), the file does not yet.
        let mut stored = UnifiedCache::new();
        merge(&mut stored, &with_metadata(), &with_metadata());
        assert_eq!(stored.app_metadata().len(), 1);
        // The app's last family token went (a sign-out): msal-node keeps the metadata.
        merge(&mut stored, &with_metadata(), &UnifiedCache::new());
        assert_eq!(stored.app_metadata().len(), 1);
    }
}
