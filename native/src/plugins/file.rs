//! A cache file for one machine (CLIs, desktop tools, a single server): written atomically (a
//! private temporary file, synced, renamed over it) and guarded against other processes by an
//! advisory lock on a lock file (`flock`), held from
//! [`before_cache_access`](CachePlugin::before_cache_access) to
//! [`after_cache_access`](CachePlugin::after_cache_access). The operating system releases the
//! lock of a process that dies, so a crash never leaves it behind. Under it, the lock of
//! msal-node-extensions' persistence is taken too (`<file>.lockfile`, created exclusively with
//! the process id inside, deleted to release), so a Node app sharing the file waits for this
//! one and this one for it; such a file older than a minute was left by a process that died,
//! and is taken over.

use crate::cache::{CacheContext, CachePlugin, PluginFuture};
use msal_wasm::error::{codes, AuthError, ErrorKind};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an access waits for another process's lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// The age of an msal-node-extensions lock file left by a process that died (theirs retries
/// 500 × 100 ms, then goes ahead or fails, by version, and never takes one over: ours does).
const STALE_LOCKFILE: Duration = Duration::from_secs(60);

/// The file cache plugin.
#[derive(Debug)]
pub struct FileCachePlugin {
    path: PathBuf,
    lock_path: PathBuf,
    /// msal-node-extensions' lock file.
    ext_lock_path: PathBuf,
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
        let with = |ext: &str| {
            let mut p = path.clone().into_os_string();
            p.push(ext);
            PathBuf::from(p)
        };
        FileCachePlugin { lock_path: with(".lock"), ext_lock_path: with(".lockfile"), path, held: Mutex::new(None) }
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn acquire(&self) -> Result<(), AuthError> {
        let file = lock_file(&self.lock_path).map_err(|_| storage_error("could not open the token cache lock file"))?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(10)).await,
                Err(TryLockError::WouldBlock) => return Err(storage_error("the token cache file stayed locked by another process")),
                Err(TryLockError::Error(_)) => return Err(storage_error("could not lock the token cache file")),
            }
        }
        // msal-node-extensions' lock, under ours (so only one process of ours waits for it).
        loop {
            match new_private_file(&self.ext_lock_path) {
                Ok(mut f) => {
                    let _ = write!(f, "{}", std::process::id());
                    break;
                }
                // (Windows: a lock file being deleted refuses to be opened, as msal-node-extensions
                // retries on EPERM.)
                Err(e)
                    if e.kind() == std::io::ErrorKind::AlreadyExists
                        || (cfg!(windows) && e.kind() == std::io::ErrorKind::PermissionDenied) =>
                {
                    let age = std::fs::metadata(&self.ext_lock_path).and_then(|m| m.modified()).map(|t| t.elapsed().unwrap_or_default());
                    // (Taken over only once it is gone: one that cannot be removed is waited for.)
                    if age.is_ok_and(|a| a > STALE_LOCKFILE) && std::fs::remove_file(&self.ext_lock_path).is_ok() {
                        continue;
                    }
                    if Instant::now() < deadline {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    } else {
                        let _ = file.unlock();
                        return Err(storage_error("the token cache file stayed locked by another process"));
                    }
                }
                Err(_) => {
                    let _ = file.unlock();
                    return Err(storage_error("could not create the token cache lock file"));
                }
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
                let _ = std::fs::remove_file(&self.ext_lock_path);
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
            // A file that is not msal's JSON (encrypted by an msal-extensions persistence, or
            // another library's) is left as it is: as msal-node's deserialize(), the access fails
            // rather than overwrite it with this client's entries alone.
            if let Err(e) = ctx.deserialize(&text) {
                self.release();
                return Err(e);
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

    fn whole_cache(&self) -> bool {
        true
    }
}

/// Writes `data` to a new private temporary file beside `path` (a random name, created only if
/// nothing is there: never through a planted file or symlink), syncs it, and renames it over
/// `path`: readers see the old file or the new one, never a part.
fn write_atomic(path: &Path, data: &[u8]) -> Result<(), AuthError> {
    for _ in 0..8 {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".");
        tmp.push(crate::random_guid()?);
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut file = match new_private_file(&tmp) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => return Err(storage_error("could not write the token cache file")),
        };
        if file.write_all(data).and_then(|()| file.sync_all()).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return Err(storage_error("could not write the token cache file"));
        }
        return std::fs::rename(&tmp, path).map_err(|_| {
            let _ = std::fs::remove_file(&tmp);
            storage_error("could not replace the token cache file")
        });
    }
    Err(storage_error("could not create a temporary token cache file"))
}

/// A new file readable by its owner only (the cache holds refresh tokens); fails when anything,
/// a symlink included, is at `path`.
#[cfg(unix)]
fn new_private_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn new_private_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// The lock file, created when missing; a symlink there is refused, not followed.
#[cfg(unix)]
fn lock_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().create(true).truncate(false).write(true).mode(0o600).custom_flags(libc::O_NOFOLLOW).open(path)
}

#[cfg(not(unix))]
fn lock_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().create(true).truncate(false).write(true).open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("msal-native-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_symlink_planted_where_a_file_is_created_is_never_followed() {
        let dir = scratch("symlink");
        let stolen = dir.join("stolen.txt");
        std::fs::write(&stolen, "").unwrap();
        // The temporary file's place: refused, the symlink's target stays empty.
        let tmp = dir.join("cache.json.tmp");
        std::os::unix::fs::symlink(&stolen, &tmp).unwrap();
        let err = new_private_file(&tmp).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        // The lock file's place: refused too.
        let lock = dir.join("cache.json.lock");
        std::os::unix::fs::symlink(&stolen, &lock).unwrap();
        assert!(lock_file(&lock).is_err());
        // A save still works, through a file of its own, and leaves no temporary file behind.
        write_atomic(&dir.join("cache.json"), b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("cache.json")).unwrap(), "{}");
        assert_eq!(std::fs::read_to_string(&stolen).unwrap(), "", "nothing was written through a symlink");
        let names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp") && n != "cache.json.tmp"), "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
