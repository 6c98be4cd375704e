//! The wasm's futures runtime: spawned tasks and awaited promises, in place of
//! wasm-bindgen-futures (its queue, task, waker and per-promise closure glue was ~7 KB of the
//! npm wasm). JS keeps the tasks (`window.js`: `spawn`, `wake`) and polls one in a microtask
//! when it is woken; a promise settles its future through one exported method.

use crate::prelude::*;

use super::window;
use ::core::cell::RefCell;
use ::core::future::Future;
use ::core::pin::Pin;
use ::core::sync::atomic::{AtomicU32, Ordering};
use ::core::task::{Context, Poll, Waker};
use alloc::rc::Rc;
use alloc::sync::Arc;
use alloc::task::Wake;
use wasm_bindgen::prelude::*;

/// A task's future.
pub type Boxed = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

static NEXT_TASK: AtomicU32 = AtomicU32::new(1);

/// Runs `future` to completion; the promise settles with its result.
pub fn spawn(future: Boxed) -> js_sys::Promise {
    let id = NEXT_TASK.fetch_add(1, Ordering::Relaxed);
    let task = Task { future: RefCell::new(Some(future)), result: RefCell::default(), waker: Waker::from(Arc::new(Wakeup(id))) };
    window::spawn(id, task)
}

/// A spawned future, held by JS until it is done. (The exported names are prefixed: a Yew or
/// Leptos app that exports its own `Task` must still link.)
#[wasm_bindgen(js_name = MsalWasmTask)]
pub struct Task {
    future: RefCell<Option<Boxed>>,
    result: RefCell<Option<Result<JsValue, JsValue>>>,
    waker: Waker,
}

#[wasm_bindgen(js_class = MsalWasmTask)]
impl Task {
    /// Polls the future once; true when it is done (its result is then [`take`](Self::take)n).
    pub fn poll(&self) -> bool {
        let mut slot = self.future.borrow_mut();
        let Some(future) = slot.as_mut() else { return false };
        match future.as_mut().poll(&mut Context::from_waker(&self.waker)) {
            Poll::Ready(r) => {
                *slot = None;
                *self.result.borrow_mut() = Some(r);
                true
            }
            Poll::Pending => false,
        }
    }

    /// The result of a finished task (throws its error).
    pub fn take(&self) -> Result<JsValue, JsValue> {
        self.result.borrow_mut().take().unwrap_or(Ok(JsValue::UNDEFINED))
    }
}

/// Wakes the task `id`: JS polls it in a microtask.
struct Wakeup(u32);

impl Wake for Wakeup {
    fn wake(self: Arc<Self>) {
        window::wake(self.0);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        window::wake(self.0);
    }
}

#[derive(Default)]
struct Settled {
    result: Option<Result<JsValue, JsValue>>,
    waker: Option<Waker>,
}

/// The callback a promise settles its [`Promised`] with (`window.js`: `watch`).
#[wasm_bindgen(js_name = MsalWasmSettle)]
pub struct Settle(Rc<RefCell<Settled>>);

#[wasm_bindgen(js_class = MsalWasmSettle)]
impl Settle {
    /// The promise fulfilled (`ok`) or rejected with `value`.
    pub fn settle(&self, ok: bool, value: JsValue) {
        let waker = {
            let mut s = self.0.borrow_mut();
            s.result = Some(if ok { Ok(value) } else { Err(value) });
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// A JS promise as a future, on any executor.
pub struct Promised {
    promise: Option<js_sys::Promise>,
    state: Rc<RefCell<Settled>>,
}

/// Awaits `promise`.
pub fn promised(promise: js_sys::Promise) -> Promised {
    Promised { promise: Some(promise), state: Rc::default() }
}

impl Future for Promised {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(p) = self.promise.take() {
            window::watch(&p, Settle(self.state.clone()));
        }
        let mut s = self.state.borrow_mut();
        match s.result.take() {
            Some(r) => Poll::Ready(r),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// What one app does with the page's news from its other tabs and the browser (see
/// [`TabEvents`]); the browser client implements it, so the platform only delivers.
pub trait TabListener {
    /// A message from another tab.
    fn message(&self, message: &str);
    /// Another tab changed localStorage's `key` (`""`: cleared it).
    fn storage(&self, key: String);
    /// msal's ACTIVE_ACCOUNT_CHANGED on its event channel (another tab's, or another client's
    /// of this page, msal-browser's included).
    fn active_heard(&self);
    /// The page is visible again or back online; `restored` when it came back from the
    /// back/forward cache.
    fn wake(&self, restored: bool);
    /// The storage refused this page's write of `key` (quota exceeded); true when room was
    /// made (the write is tried again).
    fn full(&self, key: String) -> bool;
}

/// What the page hears from the app's other tabs and from the browser, for one app
/// (`window.js`: `listen`), handed on to its [`TabListener`].
#[wasm_bindgen(js_name = MsalWasmTabEvents)]
pub struct TabEvents(Box<dyn TabListener>);

impl TabEvents {
    /// Delivers to `listener`.
    pub fn new(listener: impl TabListener + 'static) -> TabEvents {
        TabEvents(Box::new(listener))
    }
}

#[wasm_bindgen(js_class = MsalWasmTabEvents)]
impl TabEvents {
    /// A message from another tab (at most the `max_length` given to `listen`).
    pub fn message(&self, message: &str) {
        self.0.message(message);
    }

    /// Another tab changed localStorage's `key` (`""`: cleared it).
    pub fn storage(&self, key: String) {
        self.0.storage(key);
    }

    /// msal's ACTIVE_ACCOUNT_CHANGED on its event channel.
    #[wasm_bindgen(js_name = activeHeard)]
    pub fn active_heard(&self) {
        self.0.active_heard();
    }

    /// The page is visible again or back online (`restored`: back from the back/forward cache).
    pub fn wake(&self, restored: bool) {
        self.0.wake(restored);
    }

    /// The storage refused this page's write of `key`: true when room was made.
    pub fn full(&self, key: String) -> bool {
        self.0.full(key)
    }
}
