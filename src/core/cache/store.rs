//! The key-value storage the cache persists to.

use crate::prelude::*;

use crate::error::AuthError;
use ::core::cell::RefCell;

/// A string key-value store (Web Storage, memory, a file...). Methods take `&self`: stores
/// use interior mutability, as Web Storage does.
pub trait KeyValueStore {
    /// The value at `key`.
    fn get(&self, key: &str) -> Option<String>;
    /// Stores `value` at `key`. Fails on quota or a broken store.
    fn set(&self, key: &str, value: &str) -> Result<(), AuthError>;
    /// Removes `key` (no error if absent).
    fn remove(&self, key: &str);
    /// Every key in the store.
    fn keys(&self) -> Vec<String>;
    /// Removes every key that holds both `a` and `b` (given in lower case; a key's ASCII case
    /// aside): msal's sweeps of the entries naming an account. Default: over
    /// [`keys`](Self::keys).
    fn remove_keys_naming(&self, a: &str, b: &str) {
        for key in self.keys() {
            let named = key.to_ascii_lowercase();
            if crate::core::text::contains(&named, a) && crate::core::text::contains(&named, b) {
                self.remove(&key);
            }
        }
    }
    /// Last resort when [`set`](Self::set) keeps failing (storage full): keep the value where
    /// reads see it for this session only. Default: try `set` again.
    fn set_in_memory(&self, key: &str, value: &str) -> Result<(), AuthError> {
        self.set(key, value)
    }
    /// Stores `value` at `key` unencrypted where the store encrypts (msal's "keep me signed in"
    /// entries of the `localStorage` cache, which must outlive the session's key). Default:
    /// [`set`](Self::set).
    fn set_in_clear(&self, key: &str, value: &str) -> Result<(), AuthError> {
        self.set(key, value)
    }
    /// True when `key` holds a value, readable or not yet: an encrypted store may hold an
    /// entry another tab just wrote that it has not decrypted yet ([`get`](Self::get) gives
    /// `None` until then). Default: [`get`](Self::get) finds it.
    fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    /// True when `key` is this client's, in the storage ([`contains`](Self::contains)) or
    /// kept in the page's memory only (the storage refused it: no key to encrypt it, full).
    /// Default: [`contains`](Self::contains).
    fn holds(&self, key: &str) -> bool {
        self.contains(key)
    }
    /// True when another store of the page wrote to the storage this one reads since the last
    /// call (another client of the page: no event tells this one), so what the client holds in
    /// memory may be behind. Default: false (writes of others arrive as events).
    fn written_elsewhere(&self) -> bool {
        false
    }
}

/// An in-memory store (the `memoryStorage` cache location, and tests).
#[derive(Default)]
pub struct MemoryStore {
    // Sorted by key (a small map: a sorted vector costs less code than a BTreeMap).
    map: RefCell<Vec<(String, String)>>,
}

impl ::core::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        // The values are tokens: print how many entries there are, nothing else.
        f.debug_struct("MemoryStore").field("entries", &self.len()).finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.borrow().len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.borrow().is_empty()
    }
}

impl KeyValueStore for MemoryStore {
    fn get(&self, key: &str) -> Option<String> {
        let map = self.map.borrow();
        let i = map.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok()?;
        map.get(i).map(|(_, v)| v.clone())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), AuthError> {
        let mut map = self.map.borrow_mut();
        match map.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            Ok(i) => {
                if let Some(slot) = map.get_mut(i) {
                    slot.1 = value.to_owned();
                }
            }
            Err(i) => map.insert(i, (key.to_owned(), value.to_owned())),
        }
        Ok(())
    }
    fn remove(&self, key: &str) {
        let mut map = self.map.borrow_mut();
        if let Ok(i) = map.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            map.remove(i);
        }
    }
    fn keys(&self) -> Vec<String> {
        self.map.borrow().iter().map(|(k, _)| k.clone()).collect()
    }
    fn remove_keys_naming(&self, a: &str, b: &str) {
        crate::core::retain(&mut self.map.borrow_mut(), &mut |(k, _)| {
            let named = k.to_ascii_lowercase();
            !(crate::core::text::contains(&named, a) && crate::core::text::contains(&named, b))
        });
    }
}

impl<T: KeyValueStore + ?Sized> KeyValueStore for alloc::rc::Rc<T> {
    fn get(&self, key: &str) -> Option<String> {
        (**self).get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), AuthError> {
        (**self).set(key, value)
    }
    fn remove(&self, key: &str) {
        (**self).remove(key)
    }
    fn keys(&self) -> Vec<String> {
        (**self).keys()
    }
    fn remove_keys_naming(&self, a: &str, b: &str) {
        (**self).remove_keys_naming(a, b)
    }
    fn set_in_clear(&self, key: &str, value: &str) -> Result<(), AuthError> {
        (**self).set_in_clear(key, value)
    }
    fn set_in_memory(&self, key: &str, value: &str) -> Result<(), AuthError> {
        (**self).set_in_memory(key, value)
    }
    fn contains(&self, key: &str) -> bool {
        (**self).contains(key)
    }
    fn holds(&self, key: &str) -> bool {
        (**self).holds(key)
    }
    fn written_elsewhere(&self) -> bool {
        (**self).written_elsewhere()
    }
}
