//! The token cache: msal-browser's v5 storage layout over a [`KeyValueStore`], with every
//! entity held in memory so a lookup never touches storage.
//!
//! Layout (spec §2): entity keys `msal.3|home|env|type|client-or-family|realm|target|scheme`
//! (lower-cased), key lists `msal.3.account.keys` and `msal.3.token.keys.<clientId>`, active
//! account `msal.<clientId>.active-account-filters`. Entries of the v3 (`-` separated) and v4
//! (`msal.2|…`) layouts are read and moved to the current one.

use crate::prelude::*;

pub mod entities;
pub mod store;
pub mod unified;

use ::core::cell::{Cell, RefCell};

use crate::core::account::Account;
use crate::core::id_token::IdTokenClaims;
use crate::core::json::Json;
use crate::core::scopes::ScopeSet;
use crate::core::throttle;
use crate::core::token::TokenResponse;
use crate::core::KeyIndex;
use crate::error::AuthError;
pub use entities::{AccountEntity, Credential, CredentialType};
pub use store::{KeyValueStore, MemoryStore};

/// The schema version of keys we write.
pub const SCHEMA: &str = "msal.3";
/// Default renewal offset: an access token is treated as expired this many seconds early.
pub const DEFAULT_RENEWAL_OFFSET_SECS: u64 = 300;

/// The account key list.
pub fn account_keys_key(schema: &str) -> String {
    if schema.is_empty() {
        "msal.account.keys".to_owned()
    } else {
        [schema, ".account.keys"].concat()
    }
}
/// A token key list with no key (msal removes such a list).
const NO_TOKEN_KEYS: &str = r#"{"idToken":[],"accessToken":[],"refreshToken":[]}"#;

/// The token key list of `client_id`.
pub fn token_keys_key(schema: &str, client_id: &str) -> String {
    if schema.is_empty() {
        ["msal.token.keys.", client_id].concat()
    } else {
        [schema, ".token.keys.", client_id].concat()
    }
}
/// The active-account key of `client_id`.
pub fn active_account_key(client_id: &str) -> String {
    ["msal.", client_id, ".active-account-filters"].concat()
}

// Keys are lower-cased as msal does, but only their ASCII letters, which spares the wasm
// Unicode's case tables. That is exact for ids of Entra (GUIDs), host names in their ASCII form
// and RFC 6749 §3.3 scope tokens; a generic provider's `sub` with capitals outside ASCII gets
// another key than msal's `toLowerCase` gives (README).

/// The storage key of an account.
pub fn account_key(a: &Account) -> String {
    key_of_account_parts(&a.home_account_id, &a.environment, &a.realm)
}

/// The storage key of the account with this home account id, environment and realm (the
/// realm is the key's tenant only when the home account id names none, as
/// [`Account::home_tenant`] takes it).
fn key_of_account_parts(home: &str, environment: &str, realm: &str) -> String {
    [SCHEMA, "|", home, "|", environment, "|", crate::core::account::home_tenant_of(home, realm)].concat().to_ascii_lowercase()
}

/// True when `key` (an [`account_key`] or a [`credential_key`]) is one of the account whose
/// home account id is `home` (which may hold a `|`: in OIDC mode it is the `sub`, Auth0's
/// `auth0|…`).
pub fn key_of_account(key: &str, home: &str) -> bool {
    let rest = key.split_once('|').map_or("", |(_, rest)| rest);
    rest.get(..home.len()).is_some_and(|h| h.eq_ignore_ascii_case(home)) && rest.as_bytes().get(home.len()) == Some(&b'|')
}

/// True for the key of an account or a credential ([`account_key`], [`credential_key`]), as
/// another tab writes them; not for the key lists or the other entries.
pub fn is_entry_key(key: &str) -> bool {
    key.starts_with(SCHEMA) && key.as_bytes().get(SCHEMA.len()) == Some(&b'|')
}

/// The storage key of a credential.
pub fn credential_key(c: &Credential) -> String {
    let client = if c.credential_type == CredentialType::RefreshToken && !c.family_id.is_empty() { &c.family_id } else { &c.client_id };
    let scheme = if c.token_type.is_empty() || c.token_type.eq_ignore_ascii_case("bearer") { "" } else { c.token_type.as_str() };
    [
        SCHEMA,
        "|",
        &c.home_account_id,
        "|",
        &c.environment,
        "|",
        c.credential_type.as_str(),
        "|",
        client,
        "|",
        &c.realm,
        "|",
        &c.target,
        "|",
        scheme,
        if c.attribute_tokens.is_empty() { "" } else { "|" },
        &components_hash(c),
    ]
    .concat()
    .to_ascii_lowercase()
}

/// msal-browser's segment for an access token's `additionalCacheKeyComponents`: base64url of
/// the SHA-256 of their `JSON.stringify` (lower-cased with the rest of the key); `""` without.
fn components_hash(c: &Credential) -> String {
    if c.attribute_tokens.is_empty() {
        return String::new();
    }
    crate::core::base64::encode_url(&crate::core::sha256::sha256(c.key_components().to_json().as_bytes()))
}

/// How far in the future a token's `cachedAt` may be before the clock counts as turned back:
/// msal's JavaScript libraries round seconds (a token cached this second may say the next one),
/// and servers sharing a distributed cache disagree by a few seconds.
pub const CLOCK_SKEW_SECS: u64 = 300;

/// True when an access token must not be served: within `offset` seconds of expiry, or cached
/// more than [`CLOCK_SKEW_SECS`] "in the future" (the clock was turned back).
pub fn is_expired(c: &Credential, now: u64, offset: u64) -> bool {
    now.saturating_add(offset) >= c.expires_on || c.cached_at > now.saturating_add(CLOCK_SKEW_SECS)
}

/// True when the server asked for a proactive refresh that is now due (msal-node's; the
/// browser front ends do none, as msal-browser).
pub fn refresh_due(c: &Credential, now: u64) -> bool {
    c.refresh_on.is_some_and(|r| r <= now)
}

/// Which cached things an access-token lookup must match. `Debug` shows whether there are
/// attribute tokens, not them.
#[derive(Clone)]
pub struct AtQuery<'a> {
    /// The account.
    pub home_account_id: &'a str,
    /// Hosts that count as the same environment.
    pub environments: &'a [String],
    /// Client id.
    pub client_id: &'a str,
    /// Tenant; empty matches any (generic OIDC providers have none).
    pub realm: &'a str,
    /// Requested scopes (already turned into search scopes).
    pub scopes: &'a ScopeSet,
    /// `Bearer` or a PoP scheme.
    pub token_type: &'a str,
    /// The key a bound token must be bound to (`None`: any).
    pub key_id: Option<&'a str>,
    /// The attribute-token partition (`""`: none); only a token of the same one matches.
    pub attribute_tokens: &'a str,
}

impl ::core::fmt::Debug for AtQuery<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("AtQuery")
            .field("home_account_id", &self.home_account_id)
            .field("environments", &self.environments)
            .field("client_id", &self.client_id)
            .field("realm", &self.realm)
            .field("scopes", self.scopes)
            .field("token_type", &self.token_type)
            .field("key_id", &self.key_id)
            .field("attribute_tokens", &crate::secret::shown(self.attribute_tokens))
            .finish()
    }
}

/// A problem met while loading the cache; the entry was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadIssue {
    /// The storage key (keys carry no secrets).
    pub key: String,
    /// What was wrong.
    pub reason: &'static str,
}

/// The token cache of one client.
#[derive(Debug)]
pub struct TokenCache<S: KeyValueStore> {
    store: S,
    client_id: String,
    /// Keys written by the save in progress (eviction spares them).
    saving: Vec<String>,
    /// Keys the last save wrote (see [`TokenCache::last_save`]).
    written: Vec<String>,
    /// Keys of credentials removed since the last save began.
    removed: Vec<String>,
    accounts: Vec<(String, AccountEntity)>,
    credentials: Vec<(String, Credential)>,
    /// Bumped by every change (see [`TokenCache::version`]).
    version: Cell<u32>,
    /// Entries of an older schema last updated before this (ms) are removed, not migrated.
    stale_before_ms: u64,
    /// The time of the last load (ms; 0: unknown), given to an older schema's entries that
    /// carry none.
    now_ms: u64,
    /// The save in progress is of a "keep me signed in" sign-in: its entries are stored in
    /// clear (see [`KeyValueStore::set_in_clear`]).
    in_clear: bool,
    /// Keys of entries another tab's snapshot brought that the storage has not shown yet (its
    /// writes reach this tab later): a reload keeps them (see [`TokenCache::apply_snapshot`]).
    ahead: Vec<String>,
    /// The older schemas were read (at the load: msal 5 migrates them when it initializes).
    older_read: bool,
    /// The older schemas' accounts and this client's credentials the load read, by home
    /// account id: they stay (see `reload`) until their account signs out here (removing one
    /// gone already does nothing).
    older_keys: Vec<(String, String)>,
    /// The older schemas' access tokens of this client the load read (a full storage drops
    /// them first).
    older_tokens: Vec<String>,
    /// The stored active-account filter as this cache last knew it (read at the load, written
    /// by its own changes, and by [`active_seen_now`](Self::active_seen_now)).
    active_seen: RefCell<Option<String>>,
}

/// The strings of a stored key list, and whether it also held something else (junk that the
/// next reload prunes).
fn string_items(list: Option<&Json>) -> (Vec<String>, bool) {
    let items = list.and_then(Json::as_array).unwrap_or_default();
    let strings = list.map(Json::strings).unwrap_or_default();
    let junk = strings.len() != items.len();
    (strings, junk)
}

#[derive(Default)]
struct TokenKeys {
    id_token: Vec<String>,
    access_token: Vec<String>,
    refresh_token: Vec<String>,
    junk: bool,
}

impl TokenKeys {
    fn read(store: &impl KeyValueStore, key: &str) -> TokenKeys {
        let Some(j) = store.get(key).and_then(|t| Json::parse(&t).ok()) else { return TokenKeys::default() };
        let (id_token, a) = string_items(j.get("idToken"));
        let (access_token, b) = string_items(j.get("accessToken"));
        let (refresh_token, c) = string_items(j.get("refreshToken"));
        TokenKeys { id_token, access_token, refresh_token, junk: a || b || c }
    }
    fn all(self) -> impl Iterator<Item = String> {
        self.id_token.into_iter().chain(self.access_token).chain(self.refresh_token)
    }
}

/// Whether a stored credential has a type this release does not know: another release's
/// (msal added `AccessToken_With_AuthScheme` in one), left where it is as msal leaves an entry
/// it cannot read, not removed as corrupt.
fn of_unknown_type(text: &str) -> bool {
    Json::parse(text).ok().and_then(|j| j.str_field("credentialType").map(|t| CredentialType::parse(t).is_none())).unwrap_or(false)
}

fn read_string_list(store: &impl KeyValueStore, key: &str) -> (Vec<String>, bool) {
    string_items(store.get(key).and_then(|t| Json::parse(&t).ok()).as_ref())
}

/// Whether an older schema's copy replaces the current entry, as msal 5's migration decides:
/// written later, and for an ID token without losing the "keep me signed in" state (the
/// `signin_state` claim).
fn newer_copy(older: &Credential, current: &Credential) -> bool {
    let has_state = |c: &Credential| IdTokenClaims::decode(&c.secret).is_ok_and(|t| t.json().get("signin_state").is_some());
    older.last_updated_at > current.last_updated_at
        && (older.credential_type != CredentialType::IdToken || has_state(older) || !has_state(current))
}

impl<S: KeyValueStore> TokenCache<S> {
    /// Loads the cache of `client_id` from `store`: current entries, plus v3/v4 entries moved
    /// to the current layout. Corrupt entries are removed and reported.
    pub fn load(store: S, client_id: &str) -> (TokenCache<S>, Vec<LoadIssue>) {
        TokenCache::load_retaining(store, client_id, 0, 0)
    }

    /// [`load`](Self::load) with msal v5's `cacheRetentionDays`: an older schema's account or
    /// credential last updated before `stale_before_ms` is removed instead of migrated, and so
    /// are the older schema's tokens of such an account. An older entry without an update time
    /// is dated `now_ms` (written back where it stays), as msal dates it when it first reads it,
    /// so that the retention reaches it later.
    pub fn load_retaining(store: S, client_id: &str, now_ms: u64, stale_before_ms: u64) -> (TokenCache<S>, Vec<LoadIssue>) {
        let mut cache = TokenCache {
            store,
            client_id: client_id.to_owned(),
            saving: Vec::new(),
            written: Vec::new(),
            removed: Vec::new(),
            accounts: Vec::new(),
            credentials: Vec::new(),
            version: Cell::new(0),
            stale_before_ms,
            now_ms,
            in_clear: false,
            ahead: Vec::new(),
            older_read: false,
            older_keys: Vec::new(),
            older_tokens: Vec::new(),
            active_seen: RefCell::new(None),
        };
        cache.active_seen.replace(cache.store.get(&active_account_key(client_id)));
        let issues = cache.reload();
        (cache, issues)
    }

    /// Moves the clock and the retention cut-off of [`load_retaining`](Self::load_retaining)
    /// (for the next reload: a long-lived page's cut-off follows the clock).
    pub fn set_clock(&mut self, now_ms: u64, stale_before_ms: u64) {
        self.now_ms = now_ms;
        self.stale_before_ms = stale_before_ms;
    }

    /// Has the next [`reload`](Self::reload) read the older schemas again (they are read at the
    /// load only): for a store that read as empty until then (an encrypted one being decrypted).
    pub fn read_older_schemas_again(&mut self) {
        self.older_read = false;
    }

    /// True when another client of the page wrote to this cache's storage since the last call
    /// (see [`KeyValueStore::written_elsewhere`]): re-read it before trusting what it holds.
    pub fn written_elsewhere(&self) -> bool {
        self.store.written_elsewhere()
    }

    /// A number that changes whenever anything this cache returns may have changed: every
    /// save, removal, reload and active-account change. Equal versions mean equal answers, so
    /// a caller may keep a lookup's result until the version moves (or the token expires).
    pub fn version(&self) -> u32 {
        self.version.get()
    }

    fn changed(&self) {
        self.version.set(self.version.get().wrapping_add(1));
    }

    /// Re-reads everything from storage (after another tab wrote to it).
    pub fn reload(&mut self) -> Vec<LoadIssue> {
        self.changed();
        // Read-only but for genuine migration (entries of an older schema, or under a key that
        // is not the current one, and the date msal gives an older entry that has none) and
        // the removal of corrupt entries. Another tab may be in the middle of a save: a listed
        // entry that is missing is skipped, never "repaired" by writing this tab's possibly
        // older view back over the other tab's.
        let mut issues = Vec::new();
        let previous_accounts = ::core::mem::take(&mut self.accounts);
        // Storage seen from this tab may lag another tab's writes: never replace an entry held
        // in memory with an older copy of it (a rotated refresh token must not come back).
        let previous = ::core::mem::take(&mut self.credentials);
        let previous_index = KeyIndex::of(&previous);
        // `self.credentials` by key, as they are read.
        let mut loaded = KeyIndex::default();
        let mut moved_accounts: Vec<String> = Vec::new();
        let mut moved_credentials: Vec<String> = Vec::new();
        let mut old_lists = false;
        // Older schemas' accounts, newest schema first.
        let mut older: Vec<AccountEntity> = Vec::new();
        // Non-string items in the current key lists (pruned below).
        let mut junk = false;
        // Keys to drop from the current lists: corrupt entries.
        let mut prune: Vec<String> = Vec::new();
        // Older accounts (their keys and places in `older`) dated now where they stay, as
        // msal's `removeStaleAccounts` dates them.
        let mut dated: Vec<(String, usize)> = Vec::new();
        let now = self.now_ms;
        let stale = |current: bool, updated_ms: u64| !current && updated_ms != 0 && updated_ms < self.stale_before_ms;
        // An older access or refresh token past its expiry (msal's 5-minute offset), removed as
        // msal 5's migration removes it.
        let expired = |c: &Credential| {
            now != 0
                && c.credential_type != CredentialType::IdToken
                && c.expires_on != 0
                && c.expires_on.saturating_mul(1000) <= now.saturating_add(DEFAULT_RENEWAL_OFFSET_SECS * 1000)
        };
        // Older schemas are read at the load only: their entries stay where they are (for an
        // app of the origin still on msal-browser 4, or one rolled back to it), and a copy this
        // client dropped since (a refresh token the server refused) must not come back.
        let schemas = [SCHEMA, "msal.2", "msal.1", ""];
        let schemas = if ::core::mem::replace(&mut self.older_read, true) { &schemas[..1] } else { &schemas[..] };
        for &schema in schemas {
            let current = schema == SCHEMA;
            // This older schema's accounts past the retention: its tokens of them go with them.
            let mut stale_accounts: Vec<String> = Vec::new();
            let (mut account_keys, account_junk) = read_string_list(&self.store, &account_keys_key(schema));
            junk |= current && account_junk;
            // A stored list that lists nothing (msal removes an emptied one): garbage a script,
            // an extension or an older release wrote (msal 5 then throws a SyntaxError at every
            // call until the storage is cleared). What it listed is still stored: the accounts
            // this client's ID tokens name are read and listed again (other clients' are not).
            if current && account_keys.is_empty() && self.store.contains(&account_keys_key(schema)) {
                for k in TokenKeys::read(&self.store, &token_keys_key(schema, &self.client_id)).id_token {
                    // (The ID token's own fields: its key's cannot be told apart when a subject
                    // id holds a `|`.)
                    let Some(c) = self.store.get(&k).and_then(|t| Json::parse(&t).ok()).and_then(|j| Credential::from_json(&j)) else {
                        continue;
                    };
                    let k = key_of_account_parts(&c.home_account_id, &c.environment, &c.realm);
                    if self.store.contains(&k) && !account_keys.contains(&k) {
                        account_keys.push(k);
                        old_lists = true;
                    }
                }
            }
            // An older schema's account list and accounts are every client id's on the origin
            // (an app still on msal-browser 4 reads them): copied, never moved, as msal 5 does;
            // only those past the retention leave it.
            let listed = account_keys.len();
            let mut kept: Vec<String> = Vec::new();
            for key in account_keys {
                // Missing, or not readable yet (another tab's entry still being decrypted): left
                // listed. A tab's view of the storage may be behind another tab's writes, so
                // only that tab's own list writes drop a key (see `write_key_lists`).
                let Some(text) = self.store.get(&key) else {
                    kept.push(key);
                    continue;
                };
                match Json::parse(&text).ok().and_then(|j| AccountEntity::from_json(&j)) {
                    Some(e) if stale(current, e.account.last_updated_at_ms) => {
                        self.store.remove(&key);
                        stale_accounts.push(e.account.home_account_id);
                        old_lists = true;
                    }
                    // An older account is copied once the tokens are read, and only with an ID
                    // token of this client (as msal 5 migrates it with its ID token): another
                    // app's account stays its own, and one signed out here does not come back.
                    Some(mut e) if !current => {
                        self.older_keys.push((e.account.home_account_id.clone(), key.clone()));
                        if e.account.last_updated_at_ms == 0 && now != 0 {
                            e.account.last_updated_at_ms = now;
                            dated.push((key.clone(), older.len()));
                        }
                        kept.push(key);
                        older.push(e);
                    }
                    Some(e) => {
                        let new_key = account_key(&e.account);
                        if self.accounts.iter().any(|(k, _)| *k == new_key) {
                            continue;
                        }
                        if new_key != key {
                            self.store.remove(&key);
                            moved_accounts.push(new_key.clone());
                        }
                        self.accounts.push((new_key, e));
                    }
                    // Not an account (or one msal-browser 4 sealed after this page opened it):
                    // an older schema's entry is left where it is.
                    None if !current => kept.push(key),
                    None => {
                        issues.push(LoadIssue { key: key.clone(), reason: "account entry is not a valid account" });
                        self.store.remove(&key);
                        prune.push(key);
                    }
                }
            }
            if !current && kept.len() != listed {
                let list = account_keys_key(schema);
                if kept.is_empty() {
                    self.store.remove(&list);
                } else {
                    let _ = self.store.set(&list, &Json::str_array(&kept).to_json());
                }
            }
            let list_key = token_keys_key(schema, &self.client_id);
            let mut token_keys = TokenKeys::read(&self.store, &list_key);
            junk |= current && token_keys.junk;
            // The same for this client's token list: the listed accounts' ID and refresh tokens.
            if current && token_keys.id_token.is_empty() && token_keys.refresh_token.is_empty() && self.store.contains(&list_key) {
                for (_, e) in &self.accounts {
                    old_lists |= self.token_keys_of(&e.account, &mut token_keys);
                }
            }
            // Entries of the list still stored (an older list listing none goes).
            let mut left = 0;
            for key in token_keys.all() {
                let Some(text) = self.store.get(&key) else { continue };
                left += 1;
                match Json::parse(&text).ok().and_then(|j| Credential::from_json(&j)) {
                    Some(c)
                        if stale(current, c.last_updated_at)
                            || (!current && (stale_accounts.contains(&c.home_account_id) || expired(&c))) =>
                    {
                        self.store.remove(&key);
                        left -= 1;
                    }
                    Some(mut c) if c.client_id == self.client_id || c.credential_type == CredentialType::RefreshToken => {
                        if !current {
                            self.older_keys.push((c.home_account_id.clone(), key.clone()));
                            if c.credential_type.is_access_token() {
                                self.older_tokens.push(key.clone());
                            }
                            if c.last_updated_at == 0 && now != 0 {
                                // Dated where it stays at first sight, as msal 5's
                                // `updateOldEntry` (its envelope, when sealed: see the browser
                                // store): an msal-browser 5 of the origin that meets it later
                                // takes it for no newer than the copies renewed since. (Compared
                                // undated below: never newer than a current copy.)
                                let dated = Credential { last_updated_at: now, ..c.clone() };
                                self.put_entry(&key, &dated.to_json().to_json(), &c.home_account_id);
                            }
                        }
                        let new_key = credential_key(&c);
                        let slot = match loaded.find(&self.credentials, &new_key) {
                            Err(slot) => slot,
                            // An older copy of an entry the current schema holds: taken when it
                            // was written since (by msal-browser 4 on a page of the origin), as
                            // msal 5 takes it.
                            Ok(i) => {
                                if let Some((_, ours)) = self.credentials.get_mut(i).filter(|(_, ours)| !current && newer_copy(&c, ours)) {
                                    *ours = c;
                                    moved_credentials.push(new_key);
                                }
                                continue;
                            }
                        };
                        let held = previous_index.find(&previous, &new_key).ok().and_then(|i| previous.get(i));
                        if let Some((_, newer)) = held.filter(|(_, p)| p.last_updated_at > c.last_updated_at) {
                            c = newer.clone();
                        }
                        if current && new_key != key {
                            self.store.remove(&key);
                        }
                        if !current || new_key != key {
                            moved_credentials.push(new_key.clone());
                        }
                        if !current && c.last_updated_at == 0 {
                            // Dated as msal's `updateOldEntry` dates it.
                            c.last_updated_at = now;
                        }
                        loaded.add(slot, self.credentials.len());
                        self.credentials.push((new_key, c));
                    }
                    Some(_) => {} // another client's entry listed here: not ours to judge
                    None if !current || of_unknown_type(&text) => {}
                    None => {
                        issues.push(LoadIssue { key: key.clone(), reason: "credential entry is not a valid credential" });
                        self.store.remove(&key);
                        prune.push(key);
                    }
                }
            }
            if !current && left == 0 && self.store.get(&list_key).is_some() {
                self.store.remove(&list_key);
                old_lists = true;
            }
        }
        // What this tab holds that the storage it sees does not show yet stays: another tab's
        // entry still being decrypted or not listed yet, or one its snapshot brought ahead of
        // its writes. Dropped, it would make an account vanish and come back while another tab
        // signs in. An entry another tab removed is gone from the storage, and goes.
        let mut ahead = ::core::mem::take(&mut self.ahead);
        let held = |k: &String| ahead.contains(k) || self.store.holds(k);
        let (mut accounts, mut credentials) = (previous_accounts, previous);
        super::retain(&mut accounts, &mut |(k, _)| !self.accounts.iter().any(|(ours, _)| ours == k) && held(k));
        super::retain(&mut credentials, &mut |(k, _)| !loaded.has(&self.credentials, k) && held(k));
        self.accounts.append(&mut accounts);
        self.credentials.append(&mut credentials);
        super::retain(&mut ahead, &mut |k| self.store.get(k).is_none());
        self.ahead = ahead;
        for (k, i) in dated {
            let e = &older[i];
            self.put_entry(&k, &e.to_json().to_json(), &e.account.home_account_id);
        }
        for e in older {
            let new_key = account_key(&e.account);
            let has_id_token = |home: &str| {
                self.credentials.iter().any(|(_, c)| c.credential_type == CredentialType::IdToken && c.home_account_id == home)
            };
            if has_id_token(&e.account.home_account_id) && !self.accounts.iter().any(|(k, _)| *k == new_key) {
                moved_accounts.push(new_key.clone());
                self.accounts.push((new_key, e));
            }
        }
        if !moved_accounts.is_empty() || !moved_credentials.is_empty() || old_lists {
            for (k, e) in self.accounts.iter().filter(|(k, _)| moved_accounts.contains(k)) {
                self.put_entry(k, &e.to_json().to_json(), &e.account.home_account_id);
            }
            for (k, c) in self.credentials.iter().filter(|(k, _)| moved_credentials.contains(k)) {
                self.put_entry(k, &c.to_json().to_json(), &c.home_account_id);
            }
            let _ = self.write_key_lists();
        } else if !prune.is_empty() || junk {
            self.prune_lists(&prune);
        }
        issues
    }

    /// Adds to `keys` the keys of an account's ID tokens (one per tenant profile) and refresh
    /// token of this client that are stored: what a token key list that lists nothing held but
    /// its access tokens, whose keys name their scopes (they are renewed). Whether it found any.
    fn token_keys_of(&self, a: &Account, keys: &mut TokenKeys) -> bool {
        let head = [SCHEMA, "|", &a.home_account_id, "|", &a.environment, "|"].concat();
        let mut found = false;
        let mut add = |list: &mut Vec<String>, key: String| {
            let key = key.to_ascii_lowercase();
            if self.store.contains(&key) {
                list.push(key);
                found = true;
            }
        };
        // (Not the family's: whether this client is of the family, only its own list told.)
        add(&mut keys.refresh_token, [&head, "refreshtoken|", &self.client_id, "|||"].concat());
        add(&mut keys.id_token, [&head, "idtoken|", &self.client_id, "|", &a.realm, "||"].concat());
        for p in &a.tenant_profiles {
            add(&mut keys.id_token, [&head, "idtoken|", &self.client_id, "|", &p.tenant_id, "||"].concat());
        }
        found
    }

    /// This client's accounts and credentials in msal's unified format (what msal-node's
    /// `serialize()` writes and MSAL Python and .NET read).
    pub fn to_unified(&self) -> unified::UnifiedCache {
        let mut u = unified::UnifiedCache::new();
        for (_, e) in &self.accounts {
            u.add_account(e);
        }
        for (_, c) in &self.credentials {
            u.add_credential(c);
            // msal's app metadata: the family this app's refresh token says it is in, which
            // msal-node reads before it uses a family token.
            if c.credential_type == CredentialType::RefreshToken && !c.family_id.is_empty() && c.client_id == self.client_id {
                u.add_app_metadata(&unified::AppMetadata {
                    client_id: c.client_id.clone(),
                    environment: c.environment.clone(),
                    family_id: c.family_id.clone(),
                    extra: Vec::new(),
                });
            }
        }
        u
    }

    /// Replaces this client's accounts and credentials with those of `u` (msal-node's
    /// `deserialize()`): entries of other clients in `u` are kept out, except refresh tokens of
    /// a family this client may use.
    pub fn replace_from_unified(&mut self, u: &unified::UnifiedCache) -> Result<(), AuthError> {
        self.changed();
        for (k, _) in ::core::mem::take(&mut self.credentials) {
            self.store.remove(&k);
        }
        for (k, _) in ::core::mem::take(&mut self.accounts) {
            self.store.remove(&k);
        }
        for (_, e) in u.accounts() {
            let key = account_key(&e.account);
            self.write(&key, &e.to_json().to_json())?;
            self.accounts.push((key, e));
        }
        // The families this app is known to be in: its app metadata's, its own refresh tokens'.
        let credentials = u.credentials();
        let mut families: Vec<String> =
            u.app_metadata().into_iter().filter(|(_, m)| m.client_id == self.client_id).map(|(_, m)| m.family_id).collect();
        families.extend(credentials.iter().filter(|(_, c)| c.client_id == self.client_id).map(|(_, c)| c.family_id.clone()));
        families.retain(|f| !f.is_empty());
        let mut named_here: Vec<String> = Vec::new();
        for (stored_key, c) in credentials {
            let family_rt = c.credential_type == CredentialType::RefreshToken && families.contains(&c.family_id);
            if c.client_id != self.client_id && !family_rt {
                continue;
            }
            let key = credential_key(&c);
            let named = stored_key.eq_ignore_ascii_case(&unified::credential_key(&c));
            // Another library's name for the same token (msal-node 3, MSAL Python, MSAL.NET):
            // the one under this library's name is kept (written last), else the later one.
            if let Some(i) = self.credentials.iter().position(|(k, _)| *k == key) {
                if named || (!named_here.contains(&key) && c.cached_at > self.credentials[i].1.cached_at) {
                    self.credentials[i].1 = c;
                }
            } else {
                self.credentials.push((key.clone(), c));
            }
            if named {
                named_here.push(key);
            }
        }
        for (key, c) in &self.credentials {
            self.write(key, &c.to_json().to_json())?;
        }
        self.write_key_lists()
    }

    /// Removes `keys` (and non-string junk) from the stored key lists, re-reading them first
    /// so entries another tab listed meanwhile are kept.
    fn prune_lists(&self, keys: &[String]) {
        let keep = |v: &Json| -> Json {
            Json::Arr(
                v.as_array()
                    .unwrap_or_default()
                    .iter()
                    .filter(|x| x.as_str().is_some_and(|k| !keys.iter().any(|p| p == k)))
                    .cloned()
                    .collect(),
            )
        };
        let tk = token_keys_key(SCHEMA, &self.client_id);
        if let Some(t) = self.store.get(&tk).and_then(|t| Json::parse(&t).ok()) {
            let mut out = Json::object();
            for name in ["idToken", "accessToken", "refreshToken"] {
                out.set(name, keep(t.get(name).unwrap_or(&Json::Null)));
            }
            let _ = self.put_list(&tk, &out.to_json(), NO_TOKEN_KEYS, false);
        }
        let ak = account_keys_key(SCHEMA);
        if let Some(a) = self.store.get(&ak).and_then(|t| Json::parse(&t).ok()) {
            let _ = self.put_list(&ak, &keep(&a).to_json(), "[]", false);
        }
    }

    /// Stores a key list, or removes it when it is `empty` (as msal's `setAccountKeys` and
    /// `setTokenKeys`); `strict`: a refusal is the error, not kept in page memory.
    fn put_list(&self, key: &str, list: &str, empty: &str, strict: bool) -> Result<(), AuthError> {
        if list == empty {
            self.store.remove(key);
            return Ok(());
        }
        if strict {
            self.set(key, list)
        } else {
            self.write(key, list)
        }
    }

    /// Writes the key lists: this tab's keys, and the listed keys of entries this tab does not
    /// hold that are in the storage (another tab's, or another client's accounts: an entry is
    /// written before it is listed, so its tab has not listed it in vain). A tab whose view is
    /// behind so never drops another tab's new token from the lists. A full storage makes room
    /// for them as for an entry ([`with_room`](Self::with_room): the lists are made again after
    /// each drop); still refused, they are kept in page memory.
    fn write_key_lists(&mut self) -> Result<(), AuthError> {
        self.with_room("", 0, &|c| c.put_key_lists(true)).or_else(|_| self.put_key_lists(false))
    }

    fn put_key_lists(&self, strict: bool) -> Result<(), AuthError> {
        let token_list = token_keys_key(SCHEMA, &self.client_id);
        let stored = TokenKeys::read(&self.store, &token_list);
        let keys = |listed: Vec<String>, pred: fn(CredentialType) -> bool| -> Json {
            let mut list: Vec<String> = self.credentials.iter().filter(|(_, c)| pred(c.credential_type)).map(|(k, _)| k.clone()).collect();
            self.keep_others(&mut list, listed);
            Json::str_array(&list)
        };
        let tokens = Json::object()
            .with("idToken", keys(stored.id_token, |t| t == CredentialType::IdToken))
            .with("accessToken", keys(stored.access_token, CredentialType::is_access_token))
            .with("refreshToken", keys(stored.refresh_token, |t| t == CredentialType::RefreshToken));
        self.put_list(&token_list, &tokens.to_json(), NO_TOKEN_KEYS, strict)?;
        let account_list = account_keys_key(SCHEMA);
        let (listed, _) = read_string_list(&self.store, &account_list);
        let mut list: Vec<String> = self.accounts.iter().map(|(k, _)| k.clone()).collect();
        self.keep_others(&mut list, listed);
        self.put_list(&account_list, &Json::str_array(&list).to_json(), "[]", strict)
    }

    /// Adds to `list` the keys of `listed` it lacks whose entries are in the storage.
    fn keep_others(&self, list: &mut Vec<String>, listed: Vec<String>) {
        let mut index = KeyIndex::of(list);
        for k in listed {
            if let Err(slot) = index.find(list, &k) {
                if self.store.contains(&k) {
                    index.add(slot, list.len());
                    list.push(k);
                }
            }
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Every cached account.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.iter().map(|(_, e)| &e.account)
    }

    /// The account with `home_account_id` (and, when given, an environment alias).
    pub fn account(&self, home_account_id: &str) -> Option<&Account> {
        self.accounts().find(|a| a.home_account_id == home_account_id)
    }

    /// Every cached credential (for inspection and tests).
    pub fn credentials(&self) -> impl Iterator<Item = &Credential> {
        self.credentials.iter().map(|(_, c)| c)
    }

    /// The access token matching `q` (scopes a superset of the request's). With several
    /// matches the one expiring last wins.
    pub fn find_access_token(&self, q: &AtQuery<'_>) -> Option<&Credential> {
        // As msal's containsScopeSet: no scope to look for (a request for `offline_access`
        // alone) matches no token, rather than every token of the account.
        if q.scopes.is_empty() {
            return None;
        }
        self.credentials()
            .filter(|c| {
                c.credential_type.is_access_token()
                    && c.home_account_id == q.home_account_id
                    && c.client_id == q.client_id
                    && q.environments.iter().any(|e| e.eq_ignore_ascii_case(&c.environment))
                    && (q.realm.is_empty() || c.realm.eq_ignore_ascii_case(q.realm))
                    && token_type_matches(&c.token_type, q.token_type)
                    && q.key_id.is_none_or(|k| c.key_id == k)
                    && c.attribute_tokens == q.attribute_tokens
                    && !c.has_other_key_components()
                    && c.scopes.contains_all(q.scopes)
            })
            .max_by_key(|c| c.expires_on)
    }

    /// The ID token of an account for this client and realm.
    /// (The newest: another library may have written one under another host of the cloud.)
    pub fn find_id_token(&self, home_account_id: &str, environments: &[String], realm: &str) -> Option<&Credential> {
        self.newest(&|c| {
            c.credential_type == CredentialType::IdToken
                && c.home_account_id == home_account_id
                && c.client_id == self.client_id
                && environments.iter().any(|e| e.eq_ignore_ascii_case(&c.environment))
                && (realm.is_empty() || c.realm.eq_ignore_ascii_case(realm))
        })
    }

    /// The most recently written credential that `pred` takes (the first of those written at
    /// the same time).
    fn newest(&self, pred: &dyn Fn(&Credential) -> bool) -> Option<&Credential> {
        let mut best: Option<&Credential> = None;
        for c in self.credentials().filter(|c| pred(c)) {
            if best.is_none_or(|b| c.last_updated_at > b.last_updated_at) {
                best = Some(c);
            }
        }
        best
    }

    /// The refresh token of an account: this client's, or the family's when `family` is set.
    pub fn find_refresh_token(&self, home_account_id: &str, environments: &[String], family: bool) -> Option<&Credential> {
        let of_account = |c: &&Credential| {
            c.credential_type == CredentialType::RefreshToken
                && c.home_account_id == home_account_id
                && environments.iter().any(|e| e.eq_ignore_ascii_case(&c.environment))
        };
        // The app's own first: another app's family token is only worth trying without one.
        self.newest(&|c| of_account(&c) && c.client_id == self.client_id)
            .or_else(|| self.newest(&|c| family && of_account(&c) && !c.family_id.is_empty()))
    }

    /// Stores a value; when storage refuses it even so (full), keeps it in memory for this
    /// session rather than lose the sign-in.
    fn write(&self, key: &str, value: &str) -> Result<(), AuthError> {
        match self.set(key, value) {
            Ok(()) => Ok(()),
            Err(_) => self.store.set_in_memory(key, value),
        }
    }

    /// Whether the account `home`'s ID token of this client says "keep me signed in".
    fn kmsi(&self, home: &str) -> bool {
        self.credentials.iter().any(|(_, c)| {
            c.credential_type == CredentialType::IdToken
                && c.home_account_id == home
                && IdTokenClaims::decode(&c.secret).is_ok_and(|claims| claims.kmsi())
        })
    }

    /// Stores an entry of `home`'s that a load moved or dated: in clear for a "keep me signed
    /// in" account, as msal 5 migrates them.
    fn put_entry(&self, key: &str, value: &str, home: &str) {
        let _ = if self.kmsi(home) { self.store.set_in_clear(key, value) } else { self.store.set(key, value) };
    }

    /// Stores a value, in clear for a "keep me signed in" save.
    fn set(&self, key: &str, value: &str) -> Result<(), AuthError> {
        if self.in_clear {
            self.store.set_in_clear(key, value)
        } else {
            self.store.set(key, value)
        }
    }

    fn put(&mut self, mut c: Credential) -> Result<(), AuthError> {
        let key = credential_key(&c);
        // Newer than the entry it replaces, whatever the clock says: a clock that stepped back
        // since (NTP after a laptop's sleep) must not make the other tabs keep the refresh
        // token this one replaces, the newest-stamped copy winning among tabs.
        if let Some((_, old)) = self.credentials.iter().find(|(k, _)| *k == key) {
            c.last_updated_at = c.last_updated_at.max(old.last_updated_at.saturating_add(1));
        }
        self.store_making_room(&key, &c.to_json().to_json(), c.cached_at.max(c.last_updated_at / 1000))?;
        self.saving.push(key.clone());
        match self.credentials.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = c,
            None => self.credentials.push((key, c)),
        }
        Ok(())
    }

    /// Stores an entry, making room when the storage is full ([`with_room`](Self::with_room)).
    /// Still refused (the app's own data fills it): kept in page memory, so the sign-in holds
    /// for this page.
    fn store_making_room(&mut self, key: &str, value: &str, now: u64) -> Result<(), AuthError> {
        self.with_room(key, now, &|c| c.set(key, value)).or_else(|_| self.write(key, value))
    }

    /// Runs a write (`attempt`); while the storage refuses it as full, makes room an access
    /// token at a time, as msal, and tries again, until it fits (or no access token is left to
    /// drop: each round drops one), 20 times at most (msal's bound). A storage that refuses for
    /// another reason keeps the tokens. The last refusal is the error.
    fn with_room(&mut self, keep: &str, now: u64, attempt: &dyn Fn(&Self) -> Result<(), AuthError>) -> Result<(), AuthError> {
        let mut rounds = 0;
        loop {
            match attempt(self) {
                Err(e) if e.code() == crate::error::codes::CACHE_QUOTA_EXCEEDED && rounds < 20 && self.make_room(keep, now) => rounds += 1,
                done => return done,
            }
        }
    }

    /// The storage refused to store `keep` (full): drops an older schema's access token, else
    /// what is dead anyway (expired access tokens), else the access token that would expire
    /// first (never `keep`, nor what the save under way wrote), as msal drops access tokens to
    /// store a new entry. True when it dropped any: store `keep` again then.
    fn make_room(&mut self, keep: &str, now: u64) -> bool {
        // msal-browser 4's access tokens go first, as msal 5 drops earlier versions' first.
        while let Some(key) = self.older_tokens.pop() {
            if self.store.contains(&key) {
                self.store.remove(&key);
                return true;
            }
        }
        // (Only what the storage holds frees room: not an entry still on its way to the disk.)
        let stored = |k: &String| *k != keep && !self.saving.contains(k) && self.store.contains(k);
        let tokens = || self.credentials.iter().filter(|(k, x)| x.credential_type.is_access_token() && stored(k));
        let mut victims: Vec<String> = tokens().filter(|(_, x)| x.expires_on <= now).map(|(k, _)| k.clone()).collect();
        if victims.is_empty() {
            victims.extend(tokens().min_by_key(|(_, x)| x.expires_on).map(|(k, _)| k.clone()));
        }
        self.remove_where(&|x| victims.contains(&credential_key(x)));
        !victims.is_empty()
    }

    /// The storage refused this tab's write of `key` after the save that made it (an
    /// encrypted entry reaches the disk later): makes room as a save does, with the key lists
    /// updated, for an account, a credential or a key list (a discovery document or a
    /// throttling entry is not worth a token). True when it dropped an entry: store `key` again
    /// then.
    pub fn storage_full(&mut self, key: &str, now: u64) -> bool {
        let list = key == account_keys_key(SCHEMA) || key == token_keys_key(SCHEMA, &self.client_id);
        if !is_entry_key(key) && !list {
            return false;
        }
        let dropped = self.make_room(key, now);
        if dropped {
            self.changed();
            let _ = self.write_key_lists();
        }
        dropped
    }

    fn remove_where(&mut self, pred: &dyn Fn(&Credential) -> bool) {
        let (store, removed) = (&self.store, &mut self.removed);
        super::retain(&mut self.credentials, &mut |(k, c)| {
            let drop = pred(c);
            if drop {
                store.remove(k);
                removed.push(k.clone());
            }
            !drop
        });
    }

    /// Saves a token response: the account, its ID token, the access token (after removing
    /// cached ones whose scopes intersect) and the refresh token.
    pub fn save(&mut self, s: &SaveRequest<'_>) -> Result<(), AuthError> {
        self.changed();
        self.saving.clear();
        self.removed.clear();
        self.in_clear = s.kmsi;
        let result = self.save_entries(s);
        self.in_clear = false;
        self.written = ::core::mem::take(&mut self.saving);
        result
    }

    fn save_entries(&mut self, s: &SaveRequest<'_>) -> Result<(), AuthError> {
        let r = s.response;
        let now_ms = s.now_ms;
        let a = s.account;
        let client_id = self.client_id.clone();
        let base = |t: CredentialType, secret: &str| Credential {
            last_updated_at: now_ms,
            ..Credential::new(t, &a.home_account_id, &a.environment, &client_id, s.realm, secret)
        };
        // Account: keep unknown fields of an existing entry, and its tenant profiles (msal's
        // buildAccountToCache adds a profile only for a tenant not yet listed).
        let mut akey = account_key(a);
        // As msal, the user's one account in this cloud takes the new tenant profile, under
        // its key: a generic provider's realm is the ID token's `acr`, which changes between
        // sign-ins (Keycloak's session sign-in, a step-up), and that account is found by its
        // home account id and environment.
        let same_env = |e: &str| e.eq_ignore_ascii_case(&a.environment) || s.environments.iter().any(|x| x.eq_ignore_ascii_case(e));
        if !self.accounts.iter().any(|(k, _)| *k == akey) {
            let mut same =
                self.accounts.iter().filter(|(_, e)| e.account.home_account_id == a.home_account_id && same_env(&e.account.environment));
            if let (Some((k, _)), None) = (same.next(), same.next()) {
                akey = k.clone();
            }
        }
        let entity = match self.accounts.iter().find(|(k, _)| *k == akey) {
            Some((key, old)) => {
                let mut account = if *key == account_key(a) { a.clone() } else { old.account.clone() };
                let mut profiles = old.account.tenant_profiles.clone();
                for p in &a.tenant_profiles {
                    // An account cached before B2C profiles were the policy's (`tfp`): its
                    // profile of the home tenant gives way to the policy's, one account as msal.
                    let b2c = !crate::core::authority::is_guid(&p.tenant_id);
                    crate::core::retain(&mut profiles, &mut |o| {
                        !(b2c && o.tenant_id == a.realm && crate::core::authority::is_guid(&o.tenant_id))
                    });
                    if !profiles.iter().any(|o| o.tenant_id == p.tenant_id) {
                        profiles.push(p.clone());
                    }
                }
                account.tenant_profiles = profiles;
                // (msal's buildAccountToCache keeps the cached account as it is, but for a new
                // tenant profile.)
                account.data_boundary.clone_from(&old.account.data_boundary);
                account.cloud_graph_host_name.clone_from(&old.account.cloud_graph_host_name);
                account.ms_graph_host.clone_from(&old.account.ms_graph_host);
                AccountEntity { account, extra: old.extra.clone(), profile_extra: old.profile_extra.clone() }
            }
            None => AccountEntity { account: a.clone(), extra: Vec::new(), profile_extra: Vec::new() },
        };
        self.store_making_room(&akey, &entity.to_json().to_json(), s.now_ms / 1000)?;
        match self.accounts.iter_mut().find(|(k, _)| *k == akey) {
            Some(slot) => slot.1 = entity,
            None => self.accounts.push((akey, entity)),
        }
        if let Some(idt) = r.id_token.as_ref().filter(|_| s.store.id_token) {
            let c = base(CredentialType::IdToken, idt.secret());
            let key = credential_key(&c);
            // (The tenant's ID token under another host of the cloud is this one's older copy.)
            self.remove_where(&|o| {
                o.credential_type == CredentialType::IdToken
                    && o.home_account_id == c.home_account_id
                    && o.client_id == c.client_id
                    && o.realm.eq_ignore_ascii_case(&c.realm)
                    && same_env(&o.environment)
                    && credential_key(o) != key
            });
            self.put(c)?;
        }
        // A result stored from elsewhere may carry no access token (an ID or refresh token alone).
        if s.store.access_token && !r.access_token.secret().is_empty() {
            self.save_access_token(s, &base, &client_id, &same_env)?;
        }
        if let Some(rt) = r.refresh_token.as_ref().filter(|_| s.store.refresh_token) {
            let (home, client) = (&a.home_account_id, &client_id);
            // One refresh token per account and client (or family): replace the old one.
            let fam = r.family_id.clone();
            let mut probe = base(CredentialType::RefreshToken, "");
            probe.realm = String::new();
            probe.family_id = fam.clone();
            let new_rt_key = credential_key(&probe);
            self.remove_where(&|c| {
                c.credential_type == CredentialType::RefreshToken
                    && &c.home_account_id == home
                    && same_env(&c.environment)
                    && (&c.client_id == client || (!fam.is_empty() && c.family_id == fam))
                    && credential_key(c) != new_rt_key
            });
            let mut c = base(CredentialType::RefreshToken, rt.secret());
            c.realm = String::new();
            c.family_id = fam;
            c.expires_on = r.refresh_token_expires_on.unwrap_or(0);
            // A sender-constrained refresh token (DPoP, public client) is redeemed with its key.
            if r.token_type.eq_ignore_ascii_case("dpop") {
                s.key_id.clone_into(&mut c.key_id);
            }
            self.put(c)?;
        }
        self.write_key_lists()
    }

    /// The response's access token, replacing the account's tokens for overlapping scopes.
    fn save_access_token(
        &mut self,
        s: &SaveRequest<'_>,
        base: &dyn Fn(CredentialType, &str) -> Credential,
        client_id: &str,
        same_env: &dyn Fn(&str) -> bool,
    ) -> Result<(), AuthError> {
        let (r, a) = (s.response, s.account);
        let bearer = r.token_type.eq_ignore_ascii_case("bearer");
        let ctype = if bearer { CredentialType::AccessToken } else { CredentialType::AccessTokenWithAuthScheme };
        let scopes = match &r.scope {
            Some(sc) if !sc.trim().is_empty() => {
                let mut set = ScopeSet::parse(sc);
                if s.requested.only_oidc() {
                    set.insert(crate::core::scopes::OPENID);
                    set.insert(crate::core::scopes::PROFILE);
                }
                set
            }
            // (msal's request scopes: the app's, not the OpenID ones added to the request.)
            _ => s.requested.for_cache_search(),
        };
        // The access token's realm (a generic provider's: the authority's tenant segment); the
        // tokens it replaces are found there, not under the account's realm.
        let realm = s.at_realm.unwrap_or(s.realm);
        let (home, client) = (&a.home_account_id, client_id);
        let new_at_key = {
            let mut probe = base(ctype, "");
            realm.clone_into(&mut probe.realm);
            probe.target = scopes.to_space_string();
            probe.token_type = r.token_type.clone();
            s.attribute_tokens.clone_into(&mut probe.attribute_tokens);
            credential_key(&probe)
        };
        self.remove_where(&|c| {
            c.credential_type.is_access_token()
                && &c.home_account_id == home
                && same_env(&c.environment)
                && c.client_id == client
                && c.realm.eq_ignore_ascii_case(realm)
                && token_type_matches(&c.token_type, &r.token_type)
                && c.attribute_tokens == s.attribute_tokens
                && !c.has_other_key_components()
                && c.scopes.replaced_by(&scopes)
                && credential_key(c) != new_at_key
        });
        let mut at = base(ctype, r.access_token.secret());
        realm.clone_into(&mut at.realm);
        at.target = scopes.to_space_string();
        at.scopes = scopes;
        at.cached_at = r.cached_at;
        s.resource.clone_into(&mut at.resource);
        s.attribute_tokens.clone_into(&mut at.attribute_tokens);
        at.expires_on = r.expires_on;
        at.extended_expires_on = r.extended_expires_on;
        at.refresh_on = r.refresh_on;
        at.token_type = r.token_type.clone();
        s.key_id.clone_into(&mut at.key_id);
        self.put(at)?;
        Ok(())
    }

    /// What the last save changed of `home_account_id`'s entries, for tabs that share this
    /// cache's storage: `{"accounts": [[key, entity]...], "credentials": [[key, entity]...],
    /// "removed": [key...]}` (the account, the credentials it wrote, tokens included, and the
    /// keys of those it removed). A few KB, however many tokens the account holds.
    pub fn last_save(&self, home_account_id: &str) -> Json {
        let accounts = self
            .accounts
            .iter()
            .filter(|(_, e)| e.account.home_account_id == home_account_id)
            .map(|(k, e)| Json::Arr(vec![Json::from(k.as_str()), e.to_json()]))
            .collect();
        let credentials = self
            .credentials
            .iter()
            .filter(|(k, c)| c.home_account_id == home_account_id && self.written.contains(k))
            .map(|(k, c)| Json::Arr(vec![Json::from(k.as_str()), c.to_json()]))
            .collect();
        Json::object()
            .with("accounts", Json::Arr(accounts))
            .with("credentials", Json::Arr(credentials))
            .with("removed", Json::str_array(&self.removed))
    }

    /// Applies another tab's save ([`last_save`](Self::last_save)) to this tab's in-memory view
    /// of an account (the storage already holds it; nothing is written). A snapshot is a
    /// message any page of the origin can post: only entries of this client and of that
    /// account, stored under the key their content implies, and not written in the future
    /// (`now_ms`, with a minute's skew; or at most 1 ms past this tab's copy) are taken; `false` (and nothing applied) when any entry
    /// fails. A snapshot no newer than this tab's last look at the storage (`looked_ms`), of an
    /// account the storage no longer holds, is of an account signed out since (the hand-off
    /// trails the sign-out's writes): nothing is applied.
    pub fn apply_snapshot(&mut self, home_account_id: &str, snapshot: &Json, now_ms: u64, looked_ms: u64) -> bool {
        let future = |at_ms: u64| at_ms > now_ms.saturating_add(60_000);
        let pairs = |name: &str| -> Vec<(String, Json)> {
            snapshot
                .get(name)
                .and_then(Json::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(|p| match p.as_array() {
                    Some([Json::Str(k), v]) => Some((k.clone(), v.clone())),
                    _ => None,
                })
                .collect()
        };
        let (raw_credentials, raw_accounts) = (pairs("credentials"), pairs("accounts"));
        let credentials: Vec<(String, Credential)> = raw_credentials
            .iter()
            .filter_map(|(k, v)| Credential::from_json(v).map(|c| (k.clone(), c)))
            .filter(|(k, c)| {
                // (A stamp just past our copy's is no date in the future: a credential is stamped
                // newer than the one it replaced, after a clock that stepped back too.)
                let next = self.credentials.iter().any(|(o, ours)| o == k && c.last_updated_at <= ours.last_updated_at.saturating_add(1));
                c.home_account_id == home_account_id
                    && c.client_id == self.client_id
                    && *k == credential_key(c)
                    && (!future(c.last_updated_at) || next)
                    && !future(c.cached_at.saturating_mul(1000))
            })
            .collect();
        let accounts: Vec<(String, AccountEntity)> = raw_accounts
            .iter()
            .filter_map(|(k, v)| AccountEntity::from_json(v).map(|e| (k.clone(), e)))
            .filter(|(k, e)| e.account.home_account_id == home_account_id && *k == account_key(&e.account))
            .collect();
        let complete = credentials.len() == raw_credentials.len() && accounts.len() == raw_accounts.len();
        if !complete || (credentials.is_empty() && accounts.is_empty()) {
            return false;
        }
        let newest = credentials.iter().map(|(_, c)| c.last_updated_at).max().unwrap_or(0);
        if newest <= looked_ms && !accounts.is_empty() && accounts.iter().all(|(k, _)| !self.store.contains(k)) {
            return true;
        }
        self.changed();
        // A snapshot can arrive late (after this tab renewed itself): an entry of ours newer
        // than its copy there stays (a rotated refresh token is never put back), and so does
        // one it removed that this tab wrote since. What it does not name, it did not change.
        let removed = snapshot.get("removed").map(Json::strings).unwrap_or_default();
        super::retain(&mut self.credentials, &mut |(k, c)| {
            c.home_account_id != home_account_id
                || match credentials.iter().find(|(t, _)| t == k) {
                    Some((_, theirs)) => c.last_updated_at > theirs.last_updated_at,
                    None => c.last_updated_at > newest || !removed.contains(k),
                }
        });
        for (k, c) in credentials {
            if !self.credentials.iter().any(|(ours, _)| *ours == k) {
                self.note_ahead(&k);
                self.credentials.push((k, c));
            }
        }
        for (k, e) in accounts {
            self.note_ahead(&k);
            match self.accounts.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = e,
                None => self.accounts.push((k, e)),
            }
        }
        true
    }

    fn note_ahead(&mut self, key: &str) {
        if !self.ahead.iter().any(|k| k == key) {
            self.ahead.push(key.to_owned());
        }
    }

    /// The storage has shown this tab another tab's write or removal of `key` (`""`: of every
    /// key): a reload keeps or drops that entry by the storage from now on.
    pub fn storage_shown(&mut self, key: &str) {
        super::retain(&mut self.ahead, &mut |k| !key.is_empty() && k != key);
    }

    /// Another tab signed `home_account_id` out (`None`: every account): the entries its
    /// snapshots brought and the storage never showed go at the next reload.
    pub fn forget_ahead(&mut self, home_account_id: Option<&str>) {
        let prefix = home_account_id.map(|h| [SCHEMA, "|", h, "|"].concat().to_ascii_lowercase());
        super::retain(&mut self.ahead, &mut |k| prefix.as_ref().is_some_and(|p| !k.starts_with(p.as_str())));
    }

    /// Stores an account record without any token (an account another tab signed in; tokens
    /// are then obtained silently through the provider's session).
    pub fn put_account(&mut self, account: Account) -> Result<(), AuthError> {
        self.changed();
        let key = account_key(&account);
        if self.accounts.iter().any(|(k, _)| *k == key) {
            return Ok(());
        }
        let entity = AccountEntity::new(account);
        self.write(&key, &entity.to_json().to_json())?;
        self.accounts.push((key, entity));
        self.write_key_lists()
    }

    /// Removes one refresh token (after the server rejected it with `invalid_grant`).
    pub fn remove_refresh_token(&mut self, secret: &str) -> Result<(), AuthError> {
        self.changed();
        self.remove_where(&|c| c.credential_type == CredentialType::RefreshToken && c.secret == secret);
        self.write_key_lists()
    }

    /// Removes an account and every credential of it.
    pub fn remove_account(&mut self, home_account_id: &str) -> Result<(), AuthError> {
        self.changed();
        let client = self.client_id.clone();
        self.remove_where(&|c| {
            c.home_account_id == home_account_id && (c.client_id == client || c.credential_type == CredentialType::RefreshToken)
        });
        // Its older entries too, as msal 5's `removeAccount` removes every key of the account:
        // a user signed out here is not copied back at the next load. So do its listed entries
        // this release could not read (another release's type), by their key.
        let mut gone: Vec<String> = Vec::new();
        for (home, key) in &self.older_keys {
            if home == home_account_id {
                gone.push(key.clone());
            }
        }
        let listed = TokenKeys::read(&self.store, &token_keys_key(SCHEMA, &self.client_id));
        for key in listed.all() {
            if key_of_account(&key, home_account_id) {
                gone.push(key);
            }
        }
        for key in &gone {
            self.store.remove(key);
        }
        // As msal 5's `removeAccount`: every entry whose key names the account in its cloud
        // goes, another client id's tokens of the origin and throttling entries too (keys are
        // lower-cased: so are both names here).
        let home = home_account_id.to_ascii_lowercase();
        let mut clouds: Vec<String> = self
            .accounts
            .iter()
            .filter(|(_, e)| e.account.home_account_id == home_account_id)
            .map(|(_, e)| e.account.environment.to_ascii_lowercase())
            .collect();
        if clouds.is_empty() {
            clouds.push(String::new());
        }
        // (An account object without its id names no key: msal's looks for "undefined".)
        for cloud in clouds.iter().filter(|_| !home.is_empty()) {
            self.store.remove_keys_naming(&home, cloud);
        }
        let store = &self.store;
        super::retain(&mut self.accounts, &mut |(k, e)| {
            let drop = e.account.home_account_id == home_account_id;
            if drop {
                store.remove(k);
            }
            !drop
        });
        if self.active_account().is_some_and(|f| f.home_account_id == home_account_id) {
            self.store.remove(&active_account_key(&self.client_id));
            self.active_seen.replace(None);
        }
        self.write_key_lists()
    }

    /// Removes every account and credential of this client.
    pub fn clear(&mut self) -> Result<(), AuthError> {
        self.changed();
        let ids: Vec<String> = self.accounts().map(|a| a.home_account_id.clone()).collect();
        for id in ids {
            self.remove_account(&id)?;
        }
        let client = self.client_id.clone();
        self.remove_where(&|c| c.client_id == client);
        self.store.remove(&active_account_key(&self.client_id));
        self.active_seen.replace(None);
        // This client's throttling entries (msal's `clear` removes every key naming the client).
        self.store.remove_keys_naming(throttle::PREFIX, &client.to_ascii_lowercase());
        self.write_key_lists()
    }

    /// The stored active-account filter as it is now, and whether this cache knew it so (else
    /// it does from now on): false when a write this cache did not make changed it.
    pub fn active_seen_now(&self) -> (Option<String>, bool) {
        let now = self.store.get(&active_account_key(&self.client_id));
        let known = *self.active_seen.borrow() == now;
        if !known {
            self.active_seen.replace(now.clone());
        }
        (now, known)
    }

    /// The persisted active-account filter.
    pub fn active_account(&self) -> Option<ActiveAccountFilter> {
        let j = Json::parse(&self.store.get(&active_account_key(&self.client_id))?).ok()?;
        Some(ActiveAccountFilter {
            home_account_id: j.str_field("homeAccountId")?.to_owned(),
            local_account_id: j.string_or_empty("localAccountId"),
            tenant_id: j.string_or_empty("tenantId"),
        })
    }

    /// Sets (or with `None` clears) the active account.
    pub fn set_active_account(&self, account: Option<&Account>) -> Result<(), AuthError> {
        self.set_active_filter(account.map(|a| (a.home_account_id.as_str(), a.local_account_id.as_str(), a.realm.as_str()))).map(drop)
    }

    /// Sets (or with `None` clears) the active account by msal's filters: `homeAccountId`,
    /// `localAccountId`, `tenantId`. True when that changed the stored filter: setting it again
    /// (apps do at every `ACQUIRE_TOKEN_SUCCESS`) writes nothing and keeps the cache's version,
    /// so the lookups memoized on it stay.
    pub fn set_active_filter(&self, filter: Option<(&str, &str, &str)>) -> Result<bool, AuthError> {
        let key = active_account_key(&self.client_id);
        let value = filter.map(|(home, local, tenant)| {
            Json::object().with("homeAccountId", home).with("localAccountId", local).with("tenantId", tenant).to_json()
        });
        if self.store.get(&key) == value {
            return Ok(false);
        }
        self.changed();
        match &value {
            Some(v) => self.write(&key, v)?,
            None => self.store.remove(&key),
        }
        self.active_seen.replace(value);
        Ok(true)
    }
}

fn token_type_matches(cached: &str, wanted: &str) -> bool {
    // No allocation: this runs for every cached access token of a lookup.
    fn norm(t: &str) -> &str {
        if t.is_empty() {
            "bearer"
        } else {
            t
        }
    }
    norm(cached).eq_ignore_ascii_case(norm(wanted))
}

/// The persisted active account (`msal.<clientId>.active-account-filters`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAccountFilter {
    /// homeAccountId
    pub home_account_id: String,
    /// localAccountId
    pub local_account_id: String,
    /// tenantId
    pub tenant_id: String,
}

/// What [`TokenCache::save`] stores. `Debug` shows whether there are attribute tokens, not them.
pub struct SaveRequest<'a> {
    /// The token response.
    pub response: &'a TokenResponse,
    /// The account built from it.
    pub account: &'a Account,
    /// The tenant the tokens were issued for.
    pub realm: &'a str,
    /// The access token's realm when it differs (msal keys a generic provider's access token
    /// by the authority's first path segment when the ID token names no tenant).
    pub at_realm: Option<&'a str>,
    /// The scopes that were requested (used when the response has no `scope`).
    pub requested: &'a ScopeSet,
    /// The key the tokens are bound to (DPoP: its thumbprint); empty for Bearer.
    pub key_id: &'a str,
    /// The request's RFC 8707 resource, kept on the access token; empty for none.
    pub resource: &'a str,
    /// The request's attribute-token partition; empty for none.
    pub attribute_tokens: &'a str,
    /// The hosts of the account's cloud (its aliases; empty: its own host alone). The
    /// account's entries under another of them are its own, as msal looks them up: msal with a
    /// Microsoft host in `knownAuthorities` keys them by that host.
    pub environments: &'a [String],
    /// Which credentials to store.
    pub store: StoreInCache,
    /// The user chose "keep me signed in" (the ID token's `signin_state`): as msal, the entries
    /// are stored in clear, so that they outlive the browser session's encryption key.
    pub kmsi: bool,
    /// When the entries are written (ms): their `lastUpdatedAt`, as msal's `Date.now()`.
    pub now_ms: u64,
}

impl ::core::fmt::Debug for SaveRequest<'_> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("SaveRequest")
            .field("response", self.response)
            .field("account", self.account)
            .field("realm", &self.realm)
            .field("at_realm", &self.at_realm)
            .field("requested", self.requested)
            .field("key_id", &self.key_id)
            .field("resource", &self.resource)
            .field("attribute_tokens", &crate::secret::shown(self.attribute_tokens))
            .field("store", &self.store)
            .field("kmsi", &self.kmsi)
            .field("now_ms", &self.now_ms)
            .finish()
    }
}

/// msal's `storeInCache`: which credentials of a token response are cached (all by default;
/// the account always is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreInCache {
    /// `accessToken`
    pub access_token: bool,
    /// `idToken`
    pub id_token: bool,
    /// `refreshToken`
    pub refresh_token: bool,
}

impl Default for StoreInCache {
    fn default() -> Self {
        StoreInCache { access_token: true, id_token: true, refresh_token: true }
    }
}

#[cfg(test)]
mod tests;
