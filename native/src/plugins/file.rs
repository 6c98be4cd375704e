//! A cache file for one machine (CLIs, desktop tools, a single server): written atomically (a
//! private temporary file, synced, renamed over it) and guarded against other processes by an
//! advisory lock on a lock file (`flock`), held from
//! [`before_cache_access`](CachePlugin::before_cache_access) to
//! [`after_cache_access`](CachePlugin::after_cache_access). The operating system releases the
//! lock of a process that dies, so a crash never leaves it behind.

use crate::cache::{CacheContext, CachePlugin, PluginFuture};
use msal_wasm::error::{codes, AuthError, ErrorKind};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an access waits for another process's lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// The file cache plugin.
#[derive(Debug)]
pub struct FileCachePlugin {
    path: PathBuf,
    lock_path: PathBuf,
    /// The lock file while this plugin holds the lock.
    held: Mutex<Option<File>>,
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
        FileCachePlugin { path, lock_path: PathBuf::from(lock), held: Mutex::new(None) }
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn acquire(&self) -> Result<(), AuthError> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .map_err(|_| storage_error("could not open the token cache lock file"))?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(10)).await,
                Err(TryLockError::WouldBlock) => return Err(storage_error("the token cache file stayed locked by another process")),
                Err(TryLockError::Error(_)) => return Err(storage_error("could not lock the token cache file")),
            }
        }
        if let Ok(mut held) = self.held.lock() {
            *held = Some(file);
        }
        Ok(())
    }

    fn release(&self) {
        // Closing the file releases the lock.
        if let Ok(mut held) = self.held.lock() {
            if let Some(f) = held.take() {
                let _ = f.unlock();
            }
        }
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
            ctx.load_or_empty(&text);
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

/// Writes `data` to a private temporary file beside `path`, syncs it, and renames it over
/// `path`: readers see the old file or the new one, never a part.
fn write_atomic(path: &Path, data: &[u8]) -> Result<(), AuthError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    // A leftover of a crashed write would keep its own permissions: start afresh.
    let _ = std::fs::remove_file(&tmp);
    let written = private_file(&tmp).and_then(|mut f| {
        f.write_all(data)?;
        f.sync_all()
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return Err(storage_error("could not write the token cache file"));
    }
    std::fs::rename(&tmp, path).map_err(|_| {
        let _ = std::fs::remove_file(&tmp);
        storage_error("could not replace the token cache file")
    })
}

/// A new file readable by its owner only (the cache holds refresh tokens).
#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create(true).truncate(true).open(path)
}
