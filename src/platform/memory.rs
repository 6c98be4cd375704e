//! An in-memory platform for native tests and tools: a fixed or stepped clock, deterministic
//! entropy, in-memory stores, and an HTTP handler you supply (a scripted identity provider).

use super::{LogLevel, Platform};
use crate::core::cache::{KeyValueStore, MemoryStore};
use crate::core::http::{HttpRequest, HttpResponse};
use crate::error::AuthError;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

type Handler = dyn Fn(&HttpRequest) -> Result<HttpResponse, AuthError>;

/// An in-memory platform. Clone it to share the same stores, clock and handler.
#[derive(Clone)]
pub struct MemoryPlatform {
    now_ms: Rc<Cell<u64>>,
    counter: Rc<Cell<u64>>,
    cache: Rc<MemoryStore>,
    temp: Rc<MemoryStore>,
    handler: Rc<RefCell<Box<Handler>>>,
    /// Every request sent, in order.
    pub requests: Rc<RefCell<Vec<HttpRequest>>>,
    /// Every log line.
    pub logs: Rc<RefCell<Vec<(LogLevel, String)>>>,
    page_url: Rc<RefCell<String>>,
}

impl std::fmt::Debug for MemoryPlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryPlatform").field("now_ms", &self.now_ms.get()).finish_non_exhaustive()
    }
}

impl MemoryPlatform {
    /// A platform at time `now_ms` whose HTTP requests are answered by `handler`.
    pub fn new(now_ms: u64, handler: impl Fn(&HttpRequest) -> Result<HttpResponse, AuthError> + 'static) -> MemoryPlatform {
        MemoryPlatform {
            now_ms: Rc::new(Cell::new(now_ms)),
            counter: Rc::new(Cell::new(0)),
            cache: Rc::new(MemoryStore::new()),
            temp: Rc::new(MemoryStore::new()),
            handler: Rc::new(RefCell::new(Box::new(handler))),
            requests: Rc::default(),
            logs: Rc::default(),
            page_url: Rc::default(),
        }
    }

    /// Moves the clock forward (or back).
    pub fn set_now_ms(&self, now_ms: u64) {
        self.now_ms.set(now_ms);
    }

    /// Sets the address of the simulated page (empty by default: no page).
    pub fn set_page_url(&self, url: impl Into<String>) {
        *self.page_url.borrow_mut() = url.into();
    }

    /// Replaces the HTTP handler.
    pub fn set_handler(&self, handler: impl Fn(&HttpRequest) -> Result<HttpResponse, AuthError> + 'static) {
        *self.handler.borrow_mut() = Box::new(handler);
    }

    /// The cache store (shared with every clone).
    pub fn cache(&self) -> Rc<MemoryStore> {
        self.cache.clone()
    }

    /// The interaction-state store.
    pub fn temp(&self) -> Rc<MemoryStore> {
        self.temp.clone()
    }

    /// A platform sharing this one's cache store (another "tab"), with its own temp store.
    pub fn new_tab(&self) -> MemoryPlatform {
        let mut p = self.clone();
        p.temp = Rc::new(MemoryStore::new());
        p
    }
}

impl Platform for MemoryPlatform {
    type Store = Rc<MemoryStore>;

    fn now_ms(&self) -> u64 {
        self.now_ms.get()
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), AuthError> {
        // Deterministic but distinct: a counter run through SHA-256.
        for chunk in buf.chunks_mut(32) {
            let n = self.counter.get() + 1;
            self.counter.set(n);
            let h = crate::core::sha256::sha256(&n.to_le_bytes());
            chunk.copy_from_slice(&h[..chunk.len()]);
        }
        Ok(())
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, AuthError> {
        self.requests.borrow_mut().push(request.clone());
        let handler = self.handler.borrow();
        handler(&request)
    }

    fn cache_store(&self) -> Self::Store {
        self.cache.clone()
    }

    fn temp_store(&self) -> &dyn KeyValueStore {
        &*self.temp
    }

    fn log(&self, level: LogLevel, message: &str) {
        self.logs.borrow_mut().push((level, message.to_owned()));
    }

    fn page_url(&self) -> String {
        self.page_url.borrow().clone()
    }
}

/// Runs a future to completion on the current thread. Futures from the memory platform never
/// wait, so this simply polls until ready.
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
