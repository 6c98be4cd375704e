//! Bindings to `window.js`.

use crate::prelude::*;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/platform/browser/window.js")]
extern "C" {
    /// A log line to a client's logger, `sink(level, message)` (none when not a function).
    #[wasm_bindgen(js_name = logTo)]
    pub fn log_to(sink: &JsValue, level: u8, message: &str, correlation_id: &str);
    /// A promise resolved after `ms`.
    pub fn sleep(ms: u32) -> js_sys::Promise;
    /// A promise resolved after `ms`, or sooner on another tab's storage write or message.
    #[wasm_bindgen(js_name = waitForTabs)]
    pub fn wait_for_tabs(ms: u32) -> js_sys::Promise;
    /// Opens a popup; `null` when none was returned. Throws when `window.open` throws.
    #[wasm_bindgen(js_name = openPopup, catch)]
    pub fn open_popup(url: &str, name: &str, width: i32, height: i32, top: i32, left: i32) -> Result<JsValue, JsValue>;
    /// Sends a popup to `url`; false when it is gone.
    #[wasm_bindgen(js_name = navigatePopup)]
    pub fn navigate_popup(popup: &JsValue, url: &str) -> bool;
    /// Posts a form of `fields` (URL-encoded) to `action` in `target` (a popup, or this window
    /// when null); false when it is gone.
    #[wasm_bindgen(js_name = postForm)]
    pub fn post_form(target: &JsValue, action: &str, fields: &str) -> bool;
    /// Closes a popup.
    #[wasm_bindgen(js_name = closePopup)]
    pub fn close_popup(popup: &JsValue);
    /// Waits for the authorize response in a popup.
    #[wasm_bindgen(js_name = waitForPopup)]
    pub fn wait_for_popup(
        popup: &JsValue,
        state_id: &str,
        timeout_ms: u32,
        sink: &JsValue,
        correlation_id: &str,
        relay_version: u8,
        relay_request: &str,
        legacy: bool,
    ) -> js_sys::Promise;
    /// The window the next popup opens from (msal's `popupWindowParent`; undefined: this one).
    #[wasm_bindgen(js_name = popupParent)]
    pub fn popup_parent(parent: &JsValue);
    /// Ends every popup wait with "interaction_in_progress_cancelled".
    #[wasm_bindgen(js_name = cancelPopupWaits)]
    pub fn cancel_popup_waits();
    /// Loads a URL in a hidden iframe (or posts `fields` to it there) and waits for the response.
    #[wasm_bindgen(js_name = loadHiddenIframe)]
    pub fn load_hidden_iframe(url: &str, fields: Option<&str>, state_id: &str, timeout_ms: u32, settle_ms: u32) -> js_sys::Promise;
    /// True inside an iframe.
    #[wasm_bindgen(js_name = inIframe)]
    pub fn in_iframe() -> bool;
    /// msal 5's popup origin check: no window of another origin frames or opened this page.
    #[wasm_bindgen(js_name = originCheck)]
    pub fn origin_check() -> bool;
    /// `sessionStorage` (`session`) or `localStorage`; `null` when the browser refuses it.
    #[wasm_bindgen(js_name = storageArea)]
    pub fn storage_area(session: bool) -> JsValue;
    /// The value of `key` in a storage area.
    #[wasm_bindgen(js_name = storageGet)]
    pub fn storage_get(area: &JsValue, key: &str) -> Option<String>;
    /// Stores `value` under `key`: 0; refused, 1 when the storage is full, 2 otherwise (blocked).
    #[wasm_bindgen(js_name = storageSet)]
    pub fn storage_set(area: &JsValue, key: &str, value: &str) -> u8;
    /// Removes `key`.
    #[wasm_bindgen(js_name = storageRemove)]
    pub fn storage_remove(area: &JsValue, key: &str);
    /// Every key of a storage area.
    #[wasm_bindgen(js_name = storageKeys)]
    pub fn storage_keys(area: &JsValue) -> Vec<String>;
    /// Removes every key of a storage area that holds both `a` and `b` (lower case; the key's
    /// case aside).
    #[wasm_bindgen(js_name = storageRemoveNaming)]
    pub fn storage_remove_naming(area: &JsValue, a: &str, b: &str);
    /// The number of keys in a storage area (-1 when it cannot be read).
    #[wasm_bindgen(js_name = storageLength)]
    pub fn storage_length(area: &JsValue) -> i32;
    /// `location.href`.
    #[wasm_bindgen(js_name = pageUrl)]
    pub fn page_url() -> String;
    /// The page's id, shared by every client of the page (also another copy of the package's).
    #[wasm_bindgen(js_name = pageId)]
    pub fn page_id() -> String;
    /// Replaces the page address without a navigation or a history entry.
    #[wasm_bindgen(js_name = replaceAddress)]
    pub fn replace_address(url: &str);
    /// `crypto.getRandomValues(buf)`; false without WebCrypto.
    #[wasm_bindgen(js_name = randomFill)]
    pub fn random_fill(buf: &mut [u8]) -> bool;
    /// Holds `task` and polls it now and whenever it is woken, until done; the promise settles
    /// with its result (`runtime.rs`).
    pub fn spawn(id: u32, task: super::runtime::Task) -> js_sys::Promise;
    /// Polls the task `id` in a microtask (once, however often it is woken before).
    pub fn wake(id: u32);
    /// Settles `settle` with the promise's outcome.
    pub fn watch(promise: &js_sys::Promise, settle: super::runtime::Settle);
    /// `navigator.onLine` (true when unknown).
    #[wasm_bindgen(js_name = isOnline)]
    pub fn is_online() -> bool;
}

#[wasm_bindgen(module = "/src/platform/browser/window.js")]
extern "C" {
    /// Waits up to `wait_ms` for the Web Lock `name`; resolves to its release function, or
    /// `null` when the wait ran out.
    #[wasm_bindgen(js_name = acquireLock)]
    pub fn acquire_lock(name: &str, wait_ms: u32) -> js_sys::Promise;
    /// One HTTP exchange (a POST when `post`; `headers` as a JSON object), through the app's
    /// msal network client `client` when it is one, else fetch; given up after `ms`. Resolves
    /// to the JSON of `{s, h, b}` (status, lower-case headers, the body cut after `max_body`
    /// characters) or `{e, c, n, m}` (a failure: "abort", "failed" or "client"; the code and
    /// class of an AuthError the client threw; a message); never rejects. The app's client gets
    /// a POST's `correlation_id` in its options, as msal's.
    pub fn send(
        post: bool,
        url: &str,
        headers: &str,
        body: &str,
        ms: u32,
        max_body: u32,
        correlation_id: &str,
        client: &JsValue,
    ) -> js_sys::Promise;
    /// Takes the Web Lock `name` if free; resolves to its release function or `null`.
    #[wasm_bindgen(js_name = tryLock)]
    pub fn try_lock(name: &str) -> js_sys::Promise;
    /// A new owner for `mark_lock`'s marks (one per client).
    #[wasm_bindgen(js_name = markOwner)]
    pub fn mark_owner() -> u32;
    /// Holds the shared Web Lock `prefix|<this tab>-<owner>|<value>` for `ms`; resolves once held.
    #[wasm_bindgen(js_name = markLock)]
    pub fn mark_lock(prefix: &str, owner: u32, value: f64, ms: u32) -> js_sys::Promise;
    /// Resolves to the largest value of the `mark_lock`s named `prefix` (`under`: whose names
    /// start with it) that other owners hold, or to null when they hold none.
    #[wasm_bindgen(js_name = othersMarked)]
    pub fn others_marked(prefix: &str, owner: u32, under: bool) -> js_sys::Promise;
    /// Calls a release function.
    pub fn release(f: &JsValue);
    /// Delivers to `events` the string messages of at most `max_length` characters on the
    /// BroadcastChannel `name`, localStorage changes when `storage`, and the page's wake-ups
    /// (visible again or online: `false`; back from the back/forward cache: `true`); an
    /// `EncryptedStore` `store` (else null) asks `events` for room when the storage is full.
    /// Returns the handle `post` and `unlisten` take.
    pub fn listen(name: &str, max_length: u32, storage: &JsValue, store: &JsValue, events: super::runtime::TabEvents) -> JsValue;
    /// Posts a string on the channel of a `listen` handle.
    pub fn post(listening: &JsValue, text: &str);
    /// Removes the listeners of a `listen` handle and closes its channel.
    pub fn unlisten(listening: &JsValue);
}

#[wasm_bindgen(module = "/src/platform/browser/window.js")]
extern "C" {
    /// The localStorage token cache, encrypted at rest as msal-browser v4/v5 do it (see
    /// `window.js`): reads from memory once [`load`](EncryptedStore::load) has decrypted it.
    /// Its synchronous methods never throw (a throw would leave the client's cache borrowed
    /// for good: every later call would trap); like every import called under a borrow.
    #[derive(Debug, Clone)]
    pub type EncryptedStore;
    /// A store for the client `client_id`, logging to `sink`.
    #[wasm_bindgen(js_name = encryptedStore)]
    pub fn encrypted_store(client_id: &str, sink: &JsValue) -> EncryptedStore;
    /// Reads or makes the key and decrypts the entries (once).
    #[wasm_bindgen(method)]
    pub fn load(this: &EncryptedStore) -> js_sys::Promise;
    /// Takes another tab's change of `key` into memory.
    #[wasm_bindgen(method)]
    pub fn refresh(this: &EncryptedStore, key: &str) -> js_sys::Promise;
    /// The value of `key`.
    #[wasm_bindgen(method)]
    pub fn get(this: &EncryptedStore, key: &str) -> Option<String>;
    /// Stores `value`: encrypted for account and credential keys unless `clear` (msal's "keep
    /// me signed in" entries); false when refused.
    #[wasm_bindgen(method)]
    pub fn set(this: &EncryptedStore, key: &str, value: &str, clear: bool) -> bool;
    /// Removes `key`.
    #[wasm_bindgen(method)]
    pub fn remove(this: &EncryptedStore, key: &str);
    /// Every key.
    #[wasm_bindgen(method)]
    pub fn keys(this: &EncryptedStore) -> Vec<String>;
    /// Removes every key that holds both `a` and `b` (see `storage_remove_naming`).
    #[wasm_bindgen(method, js_name = removeNaming)]
    pub fn remove_naming(this: &EncryptedStore, a: &str, b: &str);
    /// The number of keys in `localStorage` (-1 when it cannot be read).
    #[wasm_bindgen(method)]
    pub fn length(this: &EncryptedStore) -> i32;
    /// True when the storage holds `key`, decrypted yet or not (not this page's copy of it).
    #[wasm_bindgen(method)]
    pub fn contains(this: &EncryptedStore, key: &str) -> bool;
    /// `contains`, or an entry this page keeps in memory only (the storage refused it).
    #[wasm_bindgen(method)]
    pub fn holds(this: &EncryptedStore, key: &str) -> bool;
    /// Resolves once every write made so far is on disk.
    #[wasm_bindgen(method)]
    pub fn flush(this: &EncryptedStore) -> js_sys::Promise;
}

#[wasm_bindgen(module = "/src/platform/browser/window.js")]
extern "C" {
    /// Makes an unextractable pair, ECDSA P-256 (`[x, y, pair]`) or RSA 2048 (`[n, e, pair]`).
    #[wasm_bindgen(js_name = makeKeyPair)]
    pub fn make_key_pair(rsa: bool) -> js_sys::Promise;
    /// Keeps `pair` in IndexedDB under `kid`.
    #[wasm_bindgen(js_name = storeKeyPair)]
    pub fn store_key_pair(kid: &str, pair: &JsValue) -> js_sys::Promise;
    /// False for a key kept in this page's memory only (no IndexedDB).
    #[wasm_bindgen(js_name = keyLasts)]
    pub fn key_lasts(kid: &str) -> bool;
    /// The public members `[x, y, false]` or `[n, e, true]` of the pair `kid`, or `null`.
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(kid: &str) -> js_sys::Promise;
    /// The ES256 signature of `data` with the pair `kid` (base64url), or `null`.
    #[wasm_bindgen(js_name = signWithKey)]
    pub fn sign_with_key(kid: &str, data: &[u8]) -> js_sys::Promise;
    /// Removes the pair `kid`.
    #[wasm_bindgen(js_name = removeKeyPair)]
    pub fn remove_key_pair(kid: &str) -> js_sys::Promise;
}
