//! A cache file for one machine (CLIs, desktop tools, a single server): written atomically
//! (a temporary file renamed over it) and guarded by a lock file against other processes, held
//! from [`before_cache_access`](CachePlugin::before_cache_access) to
//! [`after_cache_access`](CachePlugin::after_cache_access).

use crate::cache::{CacheContext, CachePlugin, PluginFuture};
use msal_wasm::error::{codes, AuthError, ErrorKind};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A lock file older than this was left by a process that died: it is taken over.
const STALE_LOCK: Duration = Duration::from_secs(30);
/// How long an access waits for another process's lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// The file cache plugin.
#[derive(Debug, Clone)]
pub struct FileCachePlugin {
    path: PathBuf,
    lock: PathBuf,
}

fn storage_error(what: &'static str) -> AuthError {
    AuthError::new(ErrorKind::Storage, codes::STORAGE_UNAVAILABLE, what)
}

impl FileCachePlugin {
    /// A plugin storing the cache at `path` (created on the first save).
    pub fn new(path: impl Into<PathBuf>) -> FileCachePlugin {
        let path = path.into();
        let mut lock = path.clone().into_os_string();
        lock.push(".lock");
        FileCachePlugin { path, lock: PathBuf::from(lock) }
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn acquire(&self) -> Result<(), AuthError> {
        let deadline = SystemTime::now() + LOCK_WAIT;
        loop {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&self.lock) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&self.lock)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > STALE_LOCK);
                    if stale {
                        let _ = std::fs::remove_file(&self.lock);
                        continue;
                    }
                    if SystemTime::now() > deadline {
                        return Err(storage_error("the token cache file stayed locked by another process"));
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(_) => return Err(storage_error("could not create the token cache lock file")),
            }
        }
    }

    fn release(&self) {
        let _ = std::fs::remove_file(&self.lock);
    }
}

impl CachePlugin for FileCachePlugin {
    fn before_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> PluginFuture<'a> {
        Box::pin(async move {
            self.acquire().await?;
            let text = match std::fs::read_to_string(&self.path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(_) => {
                    self.release();
                    return Err(storage_error("could not read the token cache file"));
                }
            };
            // A corrupt file is an empty cache (the user signs in again), never a failure.
            if ctx.deserialize(&text).is_err() {
                ctx.deserialize("")?;
            }
            Ok(())
        })
    }

    fn after_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> PluginFuture<'a> {
        Box::pin(async move {
            let result = if ctx.has_changed() { write_atomic(&self.path, ctx.serialize().as_bytes()) } else { Ok(()) };
            self.release();
            result
        })
    }
}

fn write_atomic(path: &Path, data: &[u8]) -> Result<(), AuthError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, data).map_err(|_| storage_error("could not write the token cache file"))?;
    restrict(&tmp);
    std::fs::rename(&tmp, path).map_err(|_| {
        let _ = std::fs::remove_file(&tmp);
        storage_error("could not replace the token cache file")
    })
}

/// The cache holds refresh tokens: readable by its owner only.
#[cfg(unix)]
fn restrict(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict(_path: &Path) {}
