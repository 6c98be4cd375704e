//! A cache file for one machine (CLIs, desktop tools, a single server): written atomically (a
//! private temporary file, synced, renamed over it) and guarded against other processes by an
//! advisory lock on a lock file (`flock`), held from
//! [`before_cache_access`](CachePlugin::before_cache_access) to
//! [`after_cache_access`](CachePlugin::after_cache_access). The operating system releases the
//! lock of a process that dies, so a crash never leaves it behind. Under it, the lock of
//! msal-node-extensions' persistence is taken too (`<file>.lockfile`, created exclusively with
//! the process id inside, deleted to release), so a Node app sharing the file waits for this
//! one and this one for it; such a file older than a minute was left by a process that died,
//! and is taken over. The lock files and the cache file are opened, locked, read and written
//! on Tokio's blocking threads, so a slow disk or network share holds up no other task of the
//! app.

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
    /// The lock while this plugin holds it.
    held: Mutex<Option<Lock>>,
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

    /// Takes the lock (both files) on Tokio's blocking threads, with its waits: a lock file on
    /// a stalled share holds up no other task. One taken after the caller gave up is let go.
    async fn acquire(&self) -> Result<(), AuthError> {
        let (lock_path, ext_lock_path) = (self.lock_path.clone(), self.ext_lock_path.clone());
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::task::spawn_blocking(move || {
            // (A lock nobody receives is dropped here, which lets it go.)
            let _ = tx.send(take_lock(&lock_path, ext_lock_path));
        });
        let lock = rx.await.unwrap_or_else(|_| Err(storage_error("could not lock the token cache file")))?;
        if let Ok(mut held) = self.held.lock() {
            *held = Some(lock);
        }
        Ok(())
    }

    /// Lets the lock go on a blocking thread, as it was taken, and waits for that: the next
    /// process may take it once the access has returned.
    async fn release_now(&self) {
        if let Some(lock) = self.held.lock().ok().and_then(|mut held| held.take()) {
            let _ = tokio::task::spawn_blocking(move || drop(lock)).await;
        }
    }

    /// Lets the lock go (on a blocking thread, as it was taken), without waiting: for an access
    /// given up, whose future is being dropped.
    fn release(&self) {
        let lock = self.held.lock().ok().and_then(|mut held| held.take());
        if let (Some(lock), Ok(rt)) = (lock, tokio::runtime::Handle::try_current()) {
            rt.spawn_blocking(move || drop(lock));
        }
    }
}

/// The lock while it is held: the locked lock file and msal-node-extensions' lock file, both
/// let go when it is dropped.
#[derive(Debug)]
struct Lock {
    file: File,
    ext_lock_path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ext_lock_path);
        let _ = self.file.unlock();
    }
}

/// Takes the lock, waiting up to [`LOCK_WAIT`] for another process's (blocking).
fn take_lock(lock_path: &Path, ext_lock_path: PathBuf) -> Result<Lock, AuthError> {
    let file = lock_file(lock_path).map_err(|_| storage_error("could not open the token cache lock file"))?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Err(TryLockError::WouldBlock) => return Err(storage_error("the token cache file stayed locked by another process")),
            Err(TryLockError::Error(_)) => return Err(storage_error("could not lock the token cache file")),
        }
    }
    // msal-node-extensions' lock, under ours (so only one process of ours waits for it).
    // (Closing `file` on a failure lets ours go.)
    loop {
        match new_private_file(&ext_lock_path) {
            Ok(mut f) => {
                let _ = write!(f, "{}", std::process::id());
                return Ok(Lock { file, ext_lock_path });
            }
            // (Windows: a lock file being deleted refuses to be opened, as msal-node-extensions
            // retries on EPERM.)
            Err(e)
                if e.kind() == std::io::ErrorKind::AlreadyExists || (cfg!(windows) && e.kind() == std::io::ErrorKind::PermissionDenied) =>
            {
                let age = std::fs::metadata(&ext_lock_path).and_then(|m| m.modified()).map(|t| t.elapsed().unwrap_or_default());
                // (Taken over only once it is gone: one that cannot be removed is waited for.)
                if age.is_ok_and(|a| a > STALE_LOCKFILE) && std::fs::remove_file(&ext_lock_path).is_ok() {
                    continue;
                }
                if Instant::now() >= deadline {
                    return Err(storage_error("the token cache file stayed locked by another process"));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(_) => return Err(storage_error("could not create the token cache lock file")),
        }
    }
}

/// Releases the lock when dropped while it holds the plugin: a `before_cache_access` given up
/// while it reads (its caller timed out) leaves nothing locked.
struct Unlock<'a>(Option<&'a FileCachePlugin>);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        if let Some(plugin) = self.0 {
            plugin.release();
        }
    }
}

impl CachePlugin for FileCachePlugin {
    fn before_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> PluginFuture<'a> {
        Box::pin(async move {
            self.acquire().await?;
            let mut unlock = Unlock(Some(self));
            let read = async {
                // (Off the runtime's threads: a file on a stalled network file system holds up
                // no other task.)
                let path = self.path.clone();
                let text = match tokio::task::spawn_blocking(move || std::fs::read_to_string(path)).await {
                    Ok(Ok(t)) => t,
                    Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                    _ => return Err(storage_error("could not read the token cache file")),
                };
                // A file that is not msal's JSON (encrypted by an msal-extensions persistence, or
                // another library's) is left as it is: as msal-node's deserialize(), the access
                // fails rather than overwrite it with this client's entries alone.
                ctx.deserialize(&text)
            }
            .await;
            unlock.0 = None;
            // Held until after_cache_access; a failed access lets it go before it returns.
            if read.is_err() {
                self.release_now().await;
            }
            read
        })
    }

    fn after_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> PluginFuture<'a> {
        Box::pin(async move {
            if !ctx.has_changed() {
                self.release_now().await;
                return Ok(());
            }
            let data = ctx.serialize();
            // The lock goes with the write, which finishes and releases it even when this call is
            // given up: the file is never written unlocked.
            let held = self.held.lock().ok().and_then(|mut h| h.take());
            let path = self.path.clone();
            let write = tokio::task::spawn_blocking(move || {
                let result = write_atomic(&path, data.as_bytes());
                drop(held);
                result
            });
            write.await.unwrap_or_else(|_| Err(storage_error("could not write the token cache file")))
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
    use crate::cache::Partition;
    use msal_wasm::core::cache::unified::UnifiedCache;

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

    /// Runs one saving access of a plugin at `path` on a one-thread runtime beside a timer
    /// task, while `pipe` (a named pipe in the place of the cache file or of its lock file)
    /// stalls it, as a file on a stalled network share would; once the timer ran (or 5 s
    /// passed), `open_other_end` lets the access go on. True when the timer ran while the access
    /// waited, and the access's outcome.
    fn an_access_beside_a_stalled_pipe(path: PathBuf, pipe: &Path, open_other_end: impl FnOnce()) -> (bool, Option<bool>) {
        assert!(std::process::Command::new("mkfifo").arg(pipe).status().unwrap().success());
        let (ticked, tick) = std::sync::mpsc::channel();
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let result = rt.block_on(async move {
                let timer = tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    let _ = ticked.send(());
                });
                let plugin = FileCachePlugin::new(&path);
                let mut ctx = CacheContext::new(UnifiedCache::new(), Partition::Account("h".into()));
                let read = plugin.before_cache_access(&mut ctx).await.is_ok();
                ctx.set_changed();
                let saved = plugin.after_cache_access(&mut ctx).await.is_ok();
                let _ = timer.await;
                read && saved
            });
            let _ = done.send(result);
        });
        let ran = tick.recv_timeout(Duration::from_secs(5)).is_ok();
        open_other_end();
        (ran, finished.recv_timeout(Duration::from_secs(10)).ok())
    }

    /// A cache file on a stalled file system: its read waits, and the runtime's other tasks go
    /// on meanwhile (opening a named pipe to read waits until something opens it to write).
    #[test]
    fn a_stalled_cache_file_holds_up_no_other_task() {
        let dir = scratch("stalled");
        let path = dir.join("cache.json");
        let (ran, access) = an_access_beside_a_stalled_pipe(path.clone(), &path, || std::fs::write(&path, "{}").unwrap());
        assert!(ran, "the read of the cache file stalled the runtime");
        assert_eq!(access, Some(true));
        // The save replaced the pipe with the file, and left the lock free.
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("{\"Account\":{}"));
        assert!(!dir.join("cache.json.lockfile").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A caller that gives up (its timeout) while the cache file is read leaves the lock free:
    /// the next access takes it, rather than wait for it and fail.
    #[tokio::test]
    async fn an_access_given_up_while_it_reads_leaves_nothing_locked() {
        let dir = scratch("given-up");
        let path = dir.join("cache.json");
        assert!(std::process::Command::new("mkfifo").arg(&path).status().unwrap().success());
        let plugin = FileCachePlugin::new(&path);
        let mut ctx = CacheContext::new(UnifiedCache::new(), Partition::Account("h".into()));
        let first = tokio::time::timeout(Duration::from_millis(100), plugin.before_cache_access(&mut ctx)).await;
        assert!(first.is_err(), "the read waits for the pipe");
        // Lets the given-up read end, then makes the file an ordinary (missing) one.
        std::fs::write(&path, "{}").unwrap();
        std::fs::remove_file(&path).unwrap();
        plugin.before_cache_access(&mut ctx).await.unwrap();
        plugin.after_cache_access(&mut ctx).await.unwrap();
        assert!(!dir.join("cache.json.lockfile").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The same for the lock file beside it (the first file an access opens; opening a named
    /// pipe to write waits until something opens it to read).
    #[test]
    fn a_stalled_lock_file_holds_up_no_other_task() {
        let dir = scratch("stalled-lock");
        let lock = dir.join("cache.json.lock");
        let mut reader = None;
        let (ran, access) = an_access_beside_a_stalled_pipe(dir.join("cache.json"), &lock, || reader = Some(File::open(&lock).unwrap()));
        assert!(ran, "the lock file's open stalled the runtime");
        assert_eq!(access, Some(true));
        drop(reader);
        assert!(!dir.join("cache.json.lockfile").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
