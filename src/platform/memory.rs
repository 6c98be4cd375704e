//! An in-memory platform for native tests and tools: a stepped clock, the OS's entropy,
//! in-memory stores, an HTTP handler you supply (a scripted identity provider), scripted
//! windows (what the provider's front channel answers in a popup or a hidden frame), and
//! several tabs of one browser profile sharing the cache store, the locks and the clock.
//!
//! [`MemoryPlatform::run`] drives futures on virtual time, quinn-proto's `Pair` habit: tasks
//! are polled in turn, and when none can move, the clock jumps to the next timer. Races
//! between tabs then play out the same way on every run.

use crate::prelude::*;

use super::{LogLevel, Platform, PopupAttributes, Relay, WindowError};
use crate::core::cache::{KeyValueStore, MemoryStore};
use crate::core::http::{HttpRequest, HttpResponse};
use crate::error::AuthError;
use ::core::cell::{Cell, RefCell};
use ::core::future::Future;
use ::core::pin::Pin;
use ::core::task::Poll;
use alloc::rc::Rc;

type Handler = dyn Fn(&HttpRequest) -> Result<HttpResponse, AuthError>;
type WindowScript = dyn Fn(&str) -> Result<String, WindowError>;
type Subscriber = Rc<dyn Fn(&str)>;

/// What the tabs of one simulated browser profile share.
struct Profile {
    now_ms: Cell<u64>,
    cache: Rc<MemoryStore>,
    handler: RefCell<Box<Handler>>,
    windows: RefCell<Box<WindowScript>>,
    /// Held locks: (name, holder).
    locks: RefCell<Vec<(String, u64)>>,
    next_holder: Cell<u64>,
    /// Marks: (name, tab, until_ms, value).
    marks: RefCell<Vec<(String, u32, u64, u64)>>,
    /// Deadlines of pending sleeps.
    timers: RefCell<Vec<u64>>,
    /// The tabs' message subscribers: (tab, subscriber).
    subscribers: RefCell<Vec<(u32, Subscriber)>>,
    /// Messages on their way: (due ms, from tab, text).
    mail: RefCell<Vec<(u64, u32, String)>>,
    /// How long a message takes to reach the other tabs.
    mail_delay_ms: Cell<u64>,
    /// The tabs' storage listeners: (tab, listener of the changed key).
    storage_listeners: RefCell<Vec<(u32, Subscriber)>>,
    /// Storage events on their way: (due ms, from tab, key).
    storage_events: RefCell<Vec<(u64, u32, String)>>,
    /// How long a storage event takes to reach the other tabs.
    storage_delay_ms: Cell<u64>,
    /// How long an HTTP request takes.
    network_delay_ms: Cell<u64>,
    /// How long a hidden frame takes to answer.
    frame_delay_ms: Cell<u64>,
    /// False: a browser without Web Locks (Safari before 15.4), where a lock is held at once,
    /// excluding nothing, and marks are neither shown nor seen (`window.js`).
    web_locks: Cell<bool>,
    /// False: the browser is offline (requests fail, frames show an error page).
    online: Cell<bool>,
    /// Bumped by every change a waiting task may be waiting for.
    progress: Cell<u64>,
    next_tab: Cell<u32>,
}

impl Profile {
    fn moved(&self) {
        self.progress.set(self.progress.get().wrapping_add(1));
    }
}

/// An in-memory platform: one tab. Clone it to share everything; [`new_tab`](Self::new_tab)
/// for another tab of the same profile.
#[derive(Clone)]
pub struct MemoryPlatform {
    profile: Rc<Profile>,
    tab: u32,
    /// The page the tab's client runs in (another client of the same page has its own tab id).
    page: u32,
    /// The tab's own cache store (`sessionStorage`), else the profile's shared one.
    own_cache: Option<Rc<MemoryStore>>,
    temp: Rc<MemoryStore>,
    page_url: Rc<RefCell<String>>,
    in_frame: Rc<Cell<bool>>,
    /// Every request sent (by any tab), in order.
    pub requests: Rc<RefCell<Vec<HttpRequest>>>,
    /// Every log line.
    pub logs: Rc<RefCell<Vec<(LogLevel, String)>>>,
    /// Every message this tab announced to the others, in order.
    pub announcements: Rc<RefCell<Vec<String>>>,
    /// Every window this tab opened (popups and hidden frames): their URLs, in order.
    pub windows: Rc<RefCell<Vec<String>>>,
    /// Every popup wait through a relay page: its protocol and the request handed to it.
    pub relays: Rc<RefCell<Vec<(u8, String)>>>,
}

impl ::core::fmt::Debug for MemoryPlatform {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("MemoryPlatform").field("now_ms", &self.profile.now_ms.get()).field("tab", &self.tab).finish_non_exhaustive()
    }
}

impl MemoryPlatform {
    /// The address a window is sent to, as the front channel reads it: a posted form is
    /// `POST <action with the fields appended to its query>`.
    fn front_url(&self, url: &str, form: Option<&str>) -> String {
        match form {
            Some(fields) => ["POST ", &crate::core::url::append_query(url, fields)].concat(),
            None => url.to_owned(),
        }
    }

    /// A platform at time `now_ms` whose HTTP requests are answered by `handler`. Windows
    /// answer nothing until [`set_windows`](Self::set_windows) says otherwise (they time out).
    pub fn new(now_ms: u64, handler: impl Fn(&HttpRequest) -> Result<HttpResponse, AuthError> + 'static) -> MemoryPlatform {
        let profile = Profile {
            now_ms: Cell::new(now_ms),
            cache: Rc::new(MemoryStore::new()),
            handler: RefCell::new(Box::new(handler)),
            windows: RefCell::new(Box::new(|_| Err(WindowError::TimedOut))),
            locks: RefCell::default(),
            next_holder: Cell::new(0),
            marks: RefCell::default(),
            timers: RefCell::default(),
            subscribers: RefCell::default(),
            mail: RefCell::default(),
            mail_delay_ms: Cell::new(0),
            storage_listeners: RefCell::default(),
            storage_events: RefCell::default(),
            storage_delay_ms: Cell::new(0),
            network_delay_ms: Cell::new(0),
            frame_delay_ms: Cell::new(0),
            web_locks: Cell::new(true),
            online: Cell::new(true),
            progress: Cell::new(0),
            next_tab: Cell::new(1),
        };
        MemoryPlatform {
            profile: Rc::new(profile),
            tab: 0,
            page: 0,
            own_cache: None,
            temp: Rc::new(MemoryStore::new()),
            page_url: Rc::default(),
            in_frame: Rc::default(),
            requests: Rc::default(),
            logs: Rc::default(),
            announcements: Rc::default(),
            windows: Rc::default(),
            relays: Rc::default(),
        }
    }

    /// Moves the clock forward (or back).
    pub fn set_now_ms(&self, now_ms: u64) {
        self.profile.now_ms.set(now_ms);
        self.profile.moved();
    }

    /// Sets the address of the simulated page (empty by default: no page).
    pub fn set_page_url(&self, url: impl Into<String>) {
        *self.page_url.borrow_mut() = url.into();
    }

    /// Says whether the simulated page runs inside a frame (not by default).
    pub fn set_in_frame(&self, in_frame: bool) {
        self.in_frame.set(in_frame);
    }

    /// Replaces the HTTP handler.
    pub fn set_handler(&self, handler: impl Fn(&HttpRequest) -> Result<HttpResponse, AuthError> + 'static) {
        *self.profile.handler.borrow_mut() = Box::new(handler);
    }

    /// Scripts the windows the client opens: `script(url)` is the authorize response the
    /// provider sends back to the app (`#code=…&state=…`), or why the window ended without
    /// one. [`WindowError::Blocked`] and [`WindowError::OpenFailed`] fail the opening itself.
    pub fn set_windows(&self, script: impl Fn(&str) -> Result<String, WindowError> + 'static) {
        *self.profile.windows.borrow_mut() = Box::new(script);
    }

    /// Calls `on_message` with every message another tab announces (a BroadcastChannel's
    /// `onmessage`), when [`run`](Self::run) delivers it.
    pub fn subscribe(&self, on_message: impl Fn(&str) + 'static) {
        self.profile.subscribers.borrow_mut().push((self.tab, Rc::new(on_message)));
    }

    /// How long a message takes to reach the other tabs (0 by default: the next round).
    pub fn set_message_delay_ms(&self, ms: u64) {
        self.profile.mail_delay_ms.set(ms);
    }

    /// Calls `on_key` with the key of every change another tab makes to the shared cache store
    /// (the `storage` event: a write that changes a value, or a removal of one), when
    /// [`run`](Self::run) delivers it. A write while no other tab listens makes no event.
    pub fn listen_to_storage(&self, on_key: impl Fn(&str) + 'static) {
        self.profile.storage_listeners.borrow_mut().push((self.tab, Rc::new(on_key)));
    }

    /// How long a storage event takes to reach the other tabs (0 by default: the next round).
    pub fn set_storage_event_delay_ms(&self, ms: u64) {
        self.profile.storage_delay_ms.set(ms);
    }

    /// How long an HTTP request takes to be answered (0 by default), on virtual time: with a
    /// delay, a tab renewing a token holds its lock while the others try to take it.
    pub fn set_network_delay_ms(&self, ms: u64) {
        self.profile.network_delay_ms.set(ms);
    }

    /// How long a hidden frame takes to answer (0 by default), on virtual time: the provider's
    /// page loads in it.
    pub fn set_frame_delay_ms(&self, ms: u64) {
        self.profile.frame_delay_ms.set(ms);
    }

    /// Without Web Locks (`false`; Safari before 15.4, Firefox before 96): locks exclude
    /// nothing and marks are not seen, as `window.js` falls back there.
    pub fn set_web_locks(&self, available: bool) {
        self.profile.web_locks.set(available);
    }

    /// Offline (`false`): requests fail with `no_network_connectivity` unsent, and hidden
    /// frames get no answer (the browser's error page).
    pub fn set_online(&self, online: bool) {
        self.profile.online.set(online);
    }

    /// Delivers the messages and storage events that are due, each in the order sent; true
    /// when there were any.
    fn deliver_mail(&self) -> bool {
        let p = &self.profile;
        let mail = deliver(p.now_ms.get(), &p.mail, &p.subscribers);
        let storage = deliver(p.now_ms.get(), &p.storage_events, &p.storage_listeners);
        mail || storage
    }

    /// The cache store (shared with every tab).
    pub fn cache(&self) -> Rc<MemoryStore> {
        self.profile.cache.clone()
    }

    /// The interaction-state store of this tab.
    pub fn temp(&self) -> Rc<MemoryStore> {
        self.temp.clone()
    }

    /// Another tab of the same profile: the cache store, the clock, the HTTP handler, the
    /// window script, the locks and the request log are shared; the temp store and the record
    /// of opened windows are its own.
    pub fn new_tab(&self) -> MemoryPlatform {
        let tab = self.profile.next_tab.get();
        self.profile.next_tab.set(tab + 1);
        MemoryPlatform {
            tab,
            page: tab,
            own_cache: None,
            temp: Rc::new(MemoryStore::new()),
            page_url: Rc::new(RefCell::new(self.page_url.borrow().clone())),
            in_frame: Rc::default(),
            announcements: Rc::default(),
            windows: Rc::default(),
            relays: Rc::default(),
            ..self.clone()
        }
    }

    /// Another client of the app in this tab's page (a second micro-frontend): its own
    /// messages and records, but the page's stores (a `sessionStorage` cache and the temp store
    /// are the page's) and the page's id.
    pub fn new_client_in_page(&self) -> MemoryPlatform {
        MemoryPlatform { page: self.page, own_cache: self.own_cache.clone(), temp: self.temp.clone(), ..self.new_tab() }
    }

    /// Another tab of the same profile whose cache store is its own, as a `sessionStorage`
    /// cache is (the other tabs hear of its changes only through its messages).
    pub fn new_session_tab(&self) -> MemoryPlatform {
        MemoryPlatform { own_cache: Some(Rc::new(MemoryStore::new())), ..self.new_tab() }
    }

    /// Runs `tasks` to completion on virtual time and returns their outputs in order. Tasks
    /// are polled in turn; when a round moves nothing (no task finished, no lock, mark or
    /// clock changed), the clock jumps to the earliest pending timer. Panics on a deadlock:
    /// nothing can move and no timer is pending.
    pub fn run<'a, T>(&self, tasks: Vec<Pin<Box<dyn Future<Output = T> + 'a>>>) -> Vec<T> {
        let mut tasks: Vec<Option<Pin<Box<dyn Future<Output = T> + 'a>>>> = tasks.into_iter().map(Some).collect();
        let mut out: Vec<Option<T>> = tasks.iter().map(|_| None).collect();
        let mut cx = ::core::task::Context::from_waker(::core::task::Waker::noop());
        loop {
            let before = self.profile.progress.get();
            let mut finished = self.deliver_mail();
            for (slot, result) in tasks.iter_mut().zip(out.iter_mut()) {
                if let Some(task) = slot {
                    if let Poll::Ready(v) = task.as_mut().poll(&mut cx) {
                        *result = Some(v);
                        *slot = None;
                        finished = true;
                    }
                }
            }
            if tasks.iter().all(Option::is_none) {
                return out.into_iter().flatten().collect();
            }
            if finished || self.profile.progress.get() != before {
                continue;
            }
            let now = self.profile.now_ms.get();
            let next_timer = self.profile.timers.borrow().iter().copied().filter(|t| *t > now).min();
            let next_mail = self
                .profile
                .mail
                .borrow()
                .iter()
                .chain(self.profile.storage_events.borrow().iter())
                .map(|(at, _, _)| *at)
                .filter(|t| *t > now)
                .min();
            let next = next_timer.into_iter().chain(next_mail).min();
            match next {
                Some(t) => self.set_now_ms(t),
                // The memory platform drives native tests only: a deadlock there is a test bug to report, not input.
                None => panic!("MemoryPlatform::run: the tasks wait for each other and no timer is pending"), // allow-panic: test deadlock
            }
        }
    }

    /// Runs one future to completion on virtual time (see [`run`](Self::run)).
    pub fn block_on<T>(&self, task: impl Future<Output = T>) -> T {
        let mut out = self.run(vec![Box::pin(task)]);
        out.pop().expect("run returns one output per task") // allow-panic: one task in, one out
    }
}

/// Hands what is due in `queue` to the listeners of the other tabs; true when anything was.
fn deliver(now: u64, queue: &RefCell<Vec<(u64, u32, String)>>, listeners: &RefCell<Vec<(u32, Subscriber)>>) -> bool {
    let due: Vec<(u64, u32, String)> = {
        let mut queue = queue.borrow_mut();
        let (due, later) = queue.drain(..).partition(|(at, _, _)| *at <= now);
        *queue = later;
        due
    };
    for (_, from, text) in &due {
        let others: Vec<Subscriber> = listeners.borrow().iter().filter(|(tab, _)| tab != from).map(|(_, s)| s.clone()).collect();
        for s in others {
            s(text);
        }
    }
    !due.is_empty()
}

/// A tab's cache store: the profile's shared one, where a change is also a storage event for
/// the other tabs that listen ([`MemoryPlatform::listen_to_storage`]), or the tab's own
/// (`sessionStorage`).
#[derive(Clone)]
pub struct TabStore {
    profile: Rc<Profile>,
    tab: u32,
    /// This tab's own store (`sessionStorage`: [`MemoryPlatform::new_session_tab`]), which
    /// makes no storage events; `None`: the profile's shared one.
    own: Option<Rc<MemoryStore>>,
}

impl ::core::fmt::Debug for TabStore {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("TabStore").field("tab", &self.tab).finish_non_exhaustive()
    }
}

impl TabStore {
    fn store(&self) -> &MemoryStore {
        self.own.as_deref().unwrap_or(&self.profile.cache)
    }

    fn changed(&self, key: &str) {
        let p = &self.profile;
        if self.own.is_none() && p.storage_listeners.borrow().iter().any(|(tab, _)| *tab != self.tab) {
            let due = p.now_ms.get().saturating_add(p.storage_delay_ms.get());
            p.storage_events.borrow_mut().push((due, self.tab, key.to_owned()));
        }
    }
}

impl KeyValueStore for TabStore {
    fn get(&self, key: &str) -> Option<String> {
        self.store().get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), AuthError> {
        let changed = self.store().get(key).as_deref() != Some(value);
        self.store().set(key, value)?;
        if changed {
            self.changed(key);
        }
        Ok(())
    }
    fn remove(&self, key: &str) {
        let had = self.store().get(key).is_some();
        self.store().remove(key);
        if had {
            self.changed(key);
        }
    }
    fn keys(&self) -> Vec<String> {
        self.store().keys()
    }
}

/// A lock of the simulated profile, released when dropped.
#[derive(Debug)]
pub struct MemoryLock {
    profile: Rc<Profile>,
    holder: u64,
}

impl ::core::fmt::Debug for Profile {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("Profile").field("now_ms", &self.now_ms.get()).finish_non_exhaustive()
    }
}

impl Drop for MemoryLock {
    fn drop(&mut self) {
        self.profile.locks.borrow_mut().retain(|(_, h)| *h != self.holder);
        self.profile.moved();
    }
}

impl MemoryPlatform {
    /// The largest value of the marks other tabs show whose names `matches` accepts.
    fn others_marks(&self, matches: impl Fn(&str) -> bool) -> Option<u64> {
        let now = self.now_ms();
        if !self.profile.web_locks.get() {
            return None;
        }
        self.profile.marks.borrow().iter().filter(|(n, t, until, _)| matches(n) && *t != self.tab && *until > now).map(|m| m.3).max()
    }
}

impl Platform for MemoryPlatform {
    type Store = TabStore;
    type Popup = Result<String, WindowError>;
    type Lock = MemoryLock;

    fn now_ms(&self) -> u64 {
        self.profile.now_ms.get()
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), AuthError> {
        // Real entropy, even here: PKCE verifiers, states and nonces made by a tool that
        // borrowed this platform must not be predictable.
        os_random(buf)
    }

    async fn send(&self, request: HttpRequest, timeout_ms: u64) -> Result<HttpResponse, AuthError> {
        if !self.profile.online.get() {
            return Err(crate::error::offline());
        }
        let delay = self.profile.network_delay_ms.get();
        if delay >= timeout_ms {
            // The request is aborted at its timeout, unanswered; as in a browser, the server got
            // it and may have acted on it (a refresh token used), only its answer is lost.
            self.sleep(timeout_ms).await;
            self.requests.borrow_mut().push(request.clone());
            let _lost = (self.profile.handler.borrow())(&request);
            self.profile.moved();
            return Err(crate::error::network_timeout(request.method == crate::core::http::Method::Post));
        }
        if delay > 0 {
            self.sleep(delay).await;
        }
        self.requests.borrow_mut().push(request.clone());
        let r = (self.profile.handler.borrow())(&request);
        self.profile.moved();
        r
    }

    fn cache_store(&self) -> Self::Store {
        TabStore { profile: self.profile.clone(), tab: self.tab, own: self.own_cache.clone() }
    }

    fn temp_store(&self) -> &dyn KeyValueStore {
        &*self.temp
    }

    fn announce(&self, message: &str) {
        self.announcements.borrow_mut().push(message.to_owned());
        let due = self.now_ms().saturating_add(self.profile.mail_delay_ms.get());
        self.profile.mail.borrow_mut().push((due, self.tab, message.to_owned()));
    }

    fn page_url(&self) -> String {
        self.page_url.borrow().clone()
    }

    fn page_id(&self) -> String {
        ["page-", &crate::core::text::dec(u64::from(self.page))].concat()
    }

    fn in_frame(&self) -> bool {
        self.in_frame.get()
    }

    fn online(&self) -> bool {
        self.profile.online.get()
    }

    fn log(&self, level: LogLevel, _correlation_id: &str, message: &str) {
        self.logs.borrow_mut().push((level, message.to_owned()));
    }

    fn open_popup(&self, url: &str, _name: &str, _attributes: PopupAttributes) -> Result<Self::Popup, WindowError> {
        self.windows.borrow_mut().push(url.to_owned());
        match (self.profile.windows.borrow())(url) {
            Err(e @ (WindowError::Blocked | WindowError::OpenFailed)) => Err(e),
            outcome => Ok(outcome),
        }
    }

    fn navigate_popup(&self, popup: &mut Self::Popup, url: &str, form: Option<&str>) -> Result<(), WindowError> {
        if *popup == Err(WindowError::UserCancelled) {
            return Err(WindowError::UserCancelled);
        }
        let url = self.front_url(url, form);
        self.windows.borrow_mut().push(url.clone());
        *popup = (self.profile.windows.borrow())(&url);
        Ok(())
    }

    fn close_popup(&self, _popup: Self::Popup) {}

    async fn wait_for_popup(
        &self,
        popup: Self::Popup,
        _state_id: &str,
        _timeout_ms: u64,
        _correlation_id: &str,
        relay: Option<Relay<'_>>,
    ) -> Result<String, WindowError> {
        let Some(relay) = relay else { return popup };
        // The relay page sends its own popup to the request's page: the window script answers
        // for that page. (A relay window the script refused stays refused.)
        self.relays.borrow_mut().push((relay.version, relay.request.to_owned()));
        popup?;
        let request = crate::core::json::Json::parse(relay.request).map_err(|_| WindowError::Failed)?;
        let url = match request.str_field("method") {
            Some("POST") => {
                let fields = request.get("fields").and_then(|f| f.as_object()).unwrap_or_default();
                let pairs = fields.iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default()));
                self.front_url(request.str_field("action").unwrap_or_default(), Some(&crate::core::url::build_query(pairs)))
            }
            _ => request.str_field("url").unwrap_or_default().to_owned(),
        };
        self.windows.borrow_mut().push(url.clone());
        (self.profile.windows.borrow())(&url)
    }

    async fn load_hidden_frame(
        &self,
        url: &str,
        form: Option<&str>,
        _state_id: &str,
        timeout_ms: u64,
        _settle_ms: u64,
    ) -> Result<String, WindowError> {
        let url = self.front_url(url, form);
        self.windows.borrow_mut().push(url.clone());
        if !self.profile.online.get() {
            return Err(WindowError::NoResponse);
        }
        let delay = self.profile.frame_delay_ms.get();
        if delay > 0 && delay >= timeout_ms {
            // The frame is given up at its timeout, as the browser's.
            self.sleep(timeout_ms).await;
            return Err(WindowError::TimedOut);
        }
        if delay > 0 {
            self.sleep(delay).await;
        }
        (self.profile.windows.borrow())(&url)
    }

    async fn lock(&self, name: &str, wait_ms: u64) -> Option<Self::Lock> {
        if !self.profile.web_locks.get() {
            return Some(MemoryLock { profile: self.profile.clone(), holder: 0 });
        }
        let deadline = self.now_ms().saturating_add(wait_ms);
        if wait_ms > 0 {
            self.profile.timers.borrow_mut().push(deadline);
        }
        let got = ::core::future::poll_fn(|_| {
            let mut locks = self.profile.locks.borrow_mut();
            if locks.iter().any(|(n, _)| n == name) {
                return if self.now_ms() < deadline { Poll::Pending } else { Poll::Ready(None) };
            }
            let holder = self.profile.next_holder.get() + 1;
            self.profile.next_holder.set(holder);
            locks.push((name.to_owned(), holder));
            self.profile.moved();
            Poll::Ready(Some(MemoryLock { profile: self.profile.clone(), holder }))
        })
        .await;
        if wait_ms > 0 {
            let mut timers = self.profile.timers.borrow_mut();
            if let Some(i) = timers.iter().position(|t| *t == deadline) {
                timers.remove(i);
            }
        }
        got
    }

    async fn mark(&self, name: &str, value: u64, ms: u64) {
        let until = self.now_ms().saturating_add(ms);
        let mut marks = self.profile.marks.borrow_mut();
        marks.retain(|(n, t, _, _)| !(n == name && *t == self.tab));
        marks.push((name.to_owned(), self.tab, until, value));
        self.profile.moved();
    }

    async fn marked_elsewhere(&self, name: &str) -> Option<u64> {
        self.others_marks(|n| n == name)
    }

    async fn marked_elsewhere_under(&self, prefix: &str) -> Option<u64> {
        self.others_marks(|n| n.starts_with(prefix))
    }

    async fn sleep(&self, ms: u64) {
        let deadline = self.now_ms().saturating_add(ms);
        self.profile.timers.borrow_mut().push(deadline);
        ::core::future::poll_fn(|_| if self.now_ms() >= deadline { Poll::Ready(()) } else { Poll::Pending }).await;
        self.profile.timers.borrow_mut().retain(|t| *t != deadline);
    }
}

/// Fills `buf` from the operating system's random source (the browser's `crypto` on wasm32).
#[cfg(not(target_arch = "wasm32"))]
fn os_random(buf: &mut [u8]) -> Result<(), AuthError> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .map_err(|_| AuthError::client(crate::error::codes::CRYPTO_NONEXISTENT, "no operating-system random source (/dev/urandom)"))
}

#[cfg(target_arch = "wasm32")]
fn os_random(buf: &mut [u8]) -> Result<(), AuthError> {
    super::browser::random(buf)
}

/// Runs a future that never waits (no lock held elsewhere, no timer) to completion on the
/// current thread. For futures that may wait, use [`MemoryPlatform::block_on`].
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = ::core::pin::pin!(fut);
    let mut cx = ::core::task::Context::from_waker(::core::task::Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
