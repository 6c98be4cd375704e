//! The protocol and cache core: pure functions and data. No browser APIs, no clock, no
//! randomness, no IO — time, entropy and responses are arguments, so everything here is
//! deterministic and tested natively.

use crate::prelude::*;

pub mod account;
pub mod authority;
pub mod authorize;
pub mod base64;
pub mod cache;
pub mod dpop;
pub mod http;
pub mod id_token;
pub mod json;
pub mod pkce;
pub mod scopes;
pub mod sha256;
pub mod text;
pub mod throttle;
pub mod token;
pub mod url;

/// `Vec::retain` through a `dyn` predicate: one copy of the retain loop per element type in
/// the wasm instead of one per call site (issue 14).
pub fn retain<T>(v: &mut Vec<T>, keep: &mut dyn FnMut(&T) -> bool) {
    v.retain(|x| keep(x));
}

/// Sorts `v` by `less` (a strict weak order: positions it finds equal end in any order) in
/// O(n log n) without core's sort, which adds about 4 KB to the wasm (issue 14).
pub(crate) fn heapsort(v: &mut [usize], less: impl Fn(usize, usize) -> bool) {
    let sift = |v: &mut [usize], mut node: usize, end: usize| loop {
        let mut child = 2 * node + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(v[child], v[child + 1]) {
            child += 1;
        }
        if !less(v[node], v[child]) {
            break;
        }
        v.swap(node, child);
        node = child;
    };
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift(v, i, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// An entry list's positions sorted by key, for lookups by key in O(log n): a cache of a
/// thousand entries searched its lists linearly for each entry (a reload took 25 ms natively).
#[derive(Default)]
pub(crate) struct KeyIndex(Vec<usize>);

/// An item of a list searched through a [`KeyIndex`].
pub(crate) trait Keyed {
    fn key(&self) -> &str;
}

impl Keyed for String {
    fn key(&self) -> &str {
        self
    }
}

impl<T> Keyed for (String, T) {
    fn key(&self) -> &str {
        &self.0
    }
}

impl KeyIndex {
    /// The index of `items` as they are.
    pub(crate) fn of<K: Keyed>(items: &[K]) -> KeyIndex {
        let mut order: Vec<usize> = (0..items.len()).collect();
        heapsort(&mut order, |a, b| items[a].key() < items[b].key()); // allow-panic: indices < len
        KeyIndex(order)
    }

    /// The position in `items` of the item with `key` (`items` as indexed), or where the
    /// index would take it ([`KeyIndex::add`]).
    pub(crate) fn find<K: Keyed>(&self, items: &[K], key: &str) -> Result<usize, usize> {
        let at = self.0.binary_search_by(|&i| items.get(i).map_or("", Keyed::key).cmp(key))?;
        Ok(self.0.get(at).copied().unwrap_or_default())
    }

    /// Whether `items` (as indexed) hold `key`.
    pub(crate) fn has<K: Keyed>(&self, items: &[K], key: &str) -> bool {
        self.find(items, key).is_ok()
    }

    /// Records that `items[item]` (pushed since) has the key [`KeyIndex::find`] did not find at
    /// `slot`.
    pub(crate) fn add(&mut self, slot: usize, item: usize) {
        if slot <= self.0.len() {
            self.0.insert(slot, item);
        }
    }
}

/// Constant-time equality of two byte strings (length is not hidden).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
