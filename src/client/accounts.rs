//! Accounts, the active account, and what other tabs announce about them.

use crate::prelude::*;

use super::*;

/// How long after msal's ACTIVE_ACCOUNT_CHANGED was heard the storage event of that same write
/// is taken for it (another tab's write brings both within moments; a change on this page,
/// none).
const HEARD_ACTIVE_MS: u64 = 2_000;

impl<P: Platform> PublicClientApplication<P> {
    /// `account` as each of its tenant profiles shows it (msal v5 returns one `AccountInfo`
    /// per tenant the user signed in to).
    pub(super) fn account_infos(&self, cache: &TokenCache<P::Store>, account: &Account) -> Vec<AccountInfo> {
        account.profiles().iter().map(|p| self.tenant_info(cache, account, p)).collect()
    }

    /// `account` in `tenant` (its first tenant profile when it has none there, or no tenant
    /// is given).
    pub(super) fn account_info(&self, cache: &TokenCache<P::Store>, account: &Account, tenant: Option<&str>) -> AccountInfo {
        let profiles = account.profiles();
        let profile = tenant.and_then(|t| profiles.iter().find(|p| p.tenant_id.eq_ignore_ascii_case(t))).or(profiles.first());
        match profile {
            Some(p) => self.tenant_info(cache, account, p),
            None => AccountInfo { account: account.clone(), id_token: None, id_token_claims: None },
        }
    }

    /// A token response's account: as [`Self::account_info`], with the response's own ID token
    /// and claims when it carried one (msal's result is built from the response; the cache may
    /// not hold it, with `storeInCache.idToken` off or an account signed out during a renewal).
    pub(super) fn response_info(
        &self,
        cache: &TokenCache<P::Store>,
        account: &Account,
        tenant: &str,
        id_token: Option<(&IdToken, &IdTokenClaims)>,
    ) -> AccountInfo {
        let Some((idt, claims)) = id_token else { return self.account_info(cache, account, Some(tenant)) };
        let profiles = account.profiles();
        let profile = profiles.iter().find(|p| p.tenant_id.eq_ignore_ascii_case(tenant)).or(profiles.first());
        AccountInfo {
            account: profile.map_or_else(|| account.clone(), |p| account.in_tenant(p, Some(claims))),
            id_token: Some(idt.clone()),
            id_token_claims: Some(claims.json().clone()),
        }
    }

    fn tenant_info(&self, cache: &TokenCache<P::Store>, account: &Account, profile: &TenantProfile) -> AccountInfo {
        let envs = &self.cloud_of(&account.environment).aliases;
        let idt = cache.find_id_token(&account.home_account_id, envs, &profile.tenant_id).or_else(|| {
            // An entry without its tenant's ID token (older caches): the account's own.
            (profile.tenant_id.is_empty() || account.tenant_profiles.len() <= 1)
                .then(|| cache.find_id_token(&account.home_account_id, envs, ""))
                .flatten()
        });
        let claims = idt.and_then(|c| IdTokenClaims::decode(&c.secret).ok());
        AccountInfo {
            account: account.in_tenant(profile, claims.as_ref()),
            id_token: idt.map(|c| IdToken::new(c.secret.clone())),
            id_token_claims: claims.map(|c| c.json().clone()),
        }
    }

    /// The cached account with this `homeAccountId` in the cloud of `environment` (the app's
    /// `AccountInfo.environment`); without one, the one in this client's cloud, else any (the
    /// same id may be cached under two clouds' hosts, as msal keys accounts by host).
    pub(super) fn find_account<'c>(
        &self,
        cache: &'c TokenCache<P::Store>,
        home_account_id: &str,
        environment: &str,
    ) -> Option<&'c Account> {
        let cloud = self.cloud_of(if environment.is_empty() { self.authority.host() } else { environment });
        let same = |a: &&Account| a.home_account_id == home_account_id;
        let found = cache.accounts().filter(same).find(|a| cloud.has_alias(&a.environment));
        if environment.is_empty() {
            found.or_else(|| cache.accounts().find(same))
        } else {
            found
        }
    }

    /// The signed-in accounts, of every cloud, that match `filter` (msal's
    /// `getAllAccounts(filter)`).
    pub fn accounts_matching(&self, filter: &AccountFilter) -> Vec<AccountInfo> {
        let mut all = self.all_accounts();
        let filter = filter.without_blanks();
        crate::core::retain(&mut all, &mut |a| self.account_matches(a, &filter));
        all
    }

    /// The first account matching `filter`, preferring one with an ID token; `None` for an
    /// empty filter (msal's `getAccount(filter)`).
    pub fn account_matching(&self, filter: &AccountFilter) -> Option<AccountInfo> {
        // (As msal: a filter whose every value is empty names nobody.)
        if filter.without_blanks().is_empty() {
            return None;
        }
        self.first_account_matching(filter)
    }

    /// The first account matching `filter` (any account, for an empty one), preferring one
    /// with an ID token.
    pub fn first_account_matching(&self, filter: &AccountFilter) -> Option<AccountInfo> {
        let found = self.accounts_matching(filter);
        let with_id_token = found.iter().position(|a| a.id_token_claims.is_some()).unwrap_or(0);
        found.into_iter().nth(with_id_token)
    }

    fn account_matches(&self, info: &AccountInfo, f: &AccountFilter) -> bool {
        let a = &info.account;
        // `info` is one tenant profile's view: its tenant, local id and name are that tenant's.
        // (An account stored without profiles, by msal-browser before 3.6: its home profile.)
        let profiles = a.profiles();
        let profile = profiles.iter().find(|p| p.tenant_id.eq_ignore_ascii_case(&a.realm));
        let claim = |name: &str| info.id_token_claims.as_ref().and_then(|c| c.str_field(name));
        // The login hint and UPN: the ID token's; without it, the tenant profile's (msal's view).
        let (hint, upn) = match (&info.id_token_claims, profile) {
            (None, Some(p)) => ((!p.login_hint.is_empty()).then_some(p.login_hint.as_str()), (!p.upn.is_empty()).then_some(p.upn.as_str())),
            _ => (claim("login_hint"), claim("upn")),
        };
        let same = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let same_ci = |want: &str, have: Option<&str>| have.is_some_and(|h| h.eq_ignore_ascii_case(want));
        same(&f.home_account_id, &a.home_account_id)
            && same(&f.name, &a.name)
            && same(&f.local_account_id, &a.local_account_id)
            && same(&f.tenant_id, &a.realm)
            && f.realm.as_deref().is_none_or(|r| {
                self.find_account(&self.cache.borrow(), &a.home_account_id, &a.environment)
                    .is_some_and(|e| e.realm.eq_ignore_ascii_case(r))
            })
            && f.environment.as_deref().is_none_or(|e| self.cloud_of(&a.environment).has_alias(e))
            && f.username.as_deref().is_none_or(|u| same_ci(u, Some(&a.username)) || same_ci(u, upn))
            && f.login_hint.as_deref().is_none_or(|h| [hint, Some(a.username.as_str()), upn].contains(&Some(h)))
            && f.upn.as_deref().is_none_or(|u| upn == Some(u))
            && f.native_account_id.is_none()
            && f.authority_type.as_deref().is_none_or(|t| same_ci(t, Some(&a.authority_type)))
            // msal checks the claims-based fields only against an ID token the cache holds.
            && f.sid.as_deref().is_none_or(|s| info.id_token_claims.is_none() || claim("sid") == Some(s))
            && f.is_home_tenant.is_none_or(|home| profiles.iter().any(|p| p.tenant_id == a.realm && p.is_home_tenant == home))
    }

    /// Every signed-in account, of every cloud (msal lists every environment's).
    pub fn all_accounts(&self) -> Vec<AccountInfo> {
        self.sync();
        let cache = self.cache.borrow();
        let mut out = Vec::new();
        for a in cache.accounts().filter(|a| self.lists(&cache, &a.home_account_id)) {
            out.append(&mut self.account_infos(&cache, a));
        }
        out
    }

    /// Whether this client lists the account. Accounts are shared by the clients of an origin,
    /// tokens are not: a client lists the accounts it holds tokens for (and those another tab
    /// of it announced). msal 5 lists every account of the origin (a README difference): doing
    /// so needs each client to see another client's writes on the same page, which no event
    /// tells it today.
    pub(super) fn lists(&self, cache: &TokenCache<P::Store>, home_account_id: &str) -> bool {
        cache.credentials().any(|c| c.home_account_id == home_account_id) || self.announced.borrow().iter().any(|h| h == home_account_id)
    }

    /// What this tab sees of its accounts now: the baseline for [`Self::account_changes`].
    pub fn account_snapshot(&self) -> AccountSnapshot {
        let mut ids: Vec<String> = Vec::new();
        for a in self.all_accounts() {
            if !ids.contains(&a.account.home_account_id) {
                ids.push(a.account.home_account_id.clone());
            }
        }
        AccountSnapshot { ids, active: self.active_account_key(), active_writes: self.active_writes.get() }
    }

    /// How the accounts changed since `known` (another tab signed in or out, or changed the
    /// active account): msal's ACCOUNT_ADDED, ACCOUNT_REMOVED and ACTIVE_ACCOUNT_CHANGED.
    /// `known` becomes the new baseline.
    ///
    /// With a localStorage cache, the active account changed once for each storage event of
    /// its key that this tab has read since (see [`storage_shown`](Self::storage_shown)), as
    /// msal's tabs hear each change once: two quick changes (set, then cleared by a sign-out)
    /// read late leave it where it was but were two changes, and a change this tab sees by
    /// re-reading the storage before its event is read is counted with its event, not twice.
    /// Otherwise (the tabs' messages are applied as they come) it changed when it differs.
    ///
    /// The accounts this tab added or removed itself are no news: they are taken into `known`
    /// first (not the whole view, which may already show another tab's change whose event
    /// has not been read yet).
    pub fn account_changes(&self, known: &mut AccountSnapshot) -> AccountChanges {
        self.settle_own_accounts(known);
        let now = self.account_snapshot();
        let added = missing(&now.ids, &known.ids);
        let removed = missing(&known.ids, &now.ids);
        let active_changes = if self.config.cache_location == CacheLocation::LocalStorage {
            now.active_writes.wrapping_sub(known.active_writes)
        } else {
            u32::from(now.active != known.active)
        };
        *known = now;
        AccountChanges { added, removed, active_changes }
    }

    /// Takes into `known` what this tab changed itself: the accounts it added or removed, and
    /// its active account. Another tab's change, even one this tab's view already shows, is
    /// still news for the next [`account_changes`](Self::account_changes).
    pub fn settle_own_changes(&self, known: &mut AccountSnapshot) {
        self.settle_own_accounts(known);
        known.active = self.active_account_key();
    }

    fn settle_own_accounts(&self, known: &mut AccountSnapshot) {
        for (added, id) in self.own_changes.take() {
            crate::core::retain(&mut known.ids, &mut |k| *k != id);
            if added {
                known.ids.push(id);
            }
        }
    }

    /// This tab added (`true`) or removed the account `home_account_id` itself (one change
    /// each: the list holds what the user did since the last baseline). A removal is also a
    /// look at the storage: a hand-off older than it does not bring the account back.
    pub(super) fn own_change(&self, added: bool, home_account_id: &str) {
        self.own_changes.borrow_mut().push((added, home_account_id.to_owned()));
        if !added {
            self.looked_ms.set(self.platform.now_ms());
        }
    }

    /// The accounts a removal of `home`, or (`None`) of every account, takes away: to give
    /// [`own_change`](Self::own_change) once it is done.
    pub(super) fn leaving(&self, home: Option<&str>) -> Vec<String> {
        match home {
            Some(home) => vec![home.to_owned()],
            None => self.cache.borrow().accounts().map(|a| a.home_account_id.clone()).collect(),
        }
    }

    /// The account with this `homeAccountId` (its first tenant profile).
    pub fn account(&self, home_account_id: &str) -> Option<AccountInfo> {
        self.account_in(&AccountRef::new(home_account_id))
    }

    /// The account `r` names, in its tenant profile.
    pub fn account_in(&self, r: &AccountRef) -> Option<AccountInfo> {
        self.sync();
        let cache = self.cache.borrow();
        self.find_account(&cache, &r.home_account_id, &r.environment).map(|a| self.account_info(&cache, a, r.tenant_id.as_deref()))
    }

    /// The active account (in the tenant profile that was made active), if set and still
    /// cached; none while the account has no profile in that tenant, as msal.
    pub fn active_account(&self) -> Option<AccountInfo> {
        self.account_in(&self.active_ref()?)
    }

    /// The active account as a request names it (in the tenant made active), while it is
    /// cached with a profile there: an account made active in a tenant it has no profile in is
    /// none, as msal's `getActiveAccount` is null then. Builds no account info.
    pub(super) fn active_ref(&self) -> Option<AccountRef> {
        self.sync();
        let cache = self.cache.borrow();
        let f = cache.active_account()?;
        let account = cache.account(&f.home_account_id)?;
        let tenant = Some(f.tenant_id).filter(|t| !t.is_empty());
        if tenant.as_ref().is_some_and(|t| !account.has_profile_in(t)) {
            return None;
        }
        Some(AccountRef::in_tenant(f.home_account_id, tenant))
    }

    /// The active account's `homeAccountId` and the tenant made active (`home\ntenant`), while
    /// it is cached with a profile there: what tells silent calls for it apart, and what a
    /// silent call started now is for.
    pub fn active_account_key(&self) -> Option<String> {
        let r = self.active_ref()?;
        // (Read back by AccountRef::of_key.)
        Some([r.home_account_id.as_str(), "\n", r.tenant_id.as_deref().unwrap_or_default()].concat())
    }

    /// The active account's `homeAccountId`, if set and still cached (no account info built).
    pub fn active_home_account_id(&self) -> Option<String> {
        self.sync();
        let cache = self.cache.borrow();
        let id = cache.active_account()?.home_account_id;
        cache.account(&id).map(|_| id)
    }

    /// Sets (in the tenant profile `account` names) or clears the active account.
    /// An account that is not cached, or not in the tenant named, is kept as msal keeps it: its
    /// filters are stored (it may arrive from another tab), and there is no active account
    /// meanwhile.
    pub fn set_active_account(&self, account: Option<&AccountRef>) -> Result<(), AuthError> {
        let filter = account.map(|r| match self.account_in(r) {
            Some(info) if r.tenant_id.as_ref().is_none_or(|t| t.eq_ignore_ascii_case(&info.account.realm)) => {
                (info.account.home_account_id, info.account.local_account_id, info.account.realm)
            }
            _ => (r.home_account_id.clone(), String::new(), r.tenant_id.clone().unwrap_or_default()),
        });
        if !self.cache.borrow().set_active_filter(filter.as_ref().map(|(h, l, t)| (h.as_str(), l.as_str(), t.as_str())))? {
            // The same again: nothing for the other tabs to read.
            return Ok(());
        }
        let (id, tenant) = match filter {
            Some((home, _, tenant)) => (Json::from(home), Json::from(tenant)),
            None => (Json::Null, Json::Null),
        };
        // (Another client of this page re-reads the storage they share; another tab's
        // sessionStorage keeps its own, as msal's.)
        self.announce(Json::object().with("t", "active").with("homeAccountId", id).with("tenantId", tenant));
        Ok(())
    }

    /// Tells the app's other tabs about `message` (see [`Platform::announce`]), with this
    /// client's id: clients of other apps on the origin share the channel's name space.
    pub(super) fn announce(&self, message: Json) {
        let message = message.with("clientId", self.config.client_id.as_str()).with("page", self.platform.page_id());
        self.platform.announce(&message.to_json());
    }

    /// Applies another tab's announcement (see [`Platform::announce`]); true when this tab's
    /// accounts changed. Any page of the origin can post on the channel: a message that is not
    /// JSON, not of this client, or not of a known shape is ignored, and a token snapshot is
    /// checked entry by entry (see [`TokenCache::apply_snapshot`]).
    pub fn apply_announcement(&self, message: &str) -> bool {
        if message.len() > MAX_ANNOUNCEMENT_BYTES {
            self.log(LogLevel::Warning, "", "ignored an oversized message from another tab");
            return false;
        }
        let Ok(j) = Json::parse(message) else { return false };
        if j.str_field("clientId") != Some(self.config.client_id.as_str()) {
            self.log(LogLevel::Verbose, "", "ignored a message from another tab that is not for this client");
            return false;
        }
        if self.config.cache_location == CacheLocation::LocalStorage {
            if let (Some("tokens"), Some(home), Some(snapshot)) = (j.str_field("t"), j.str_field("homeAccountId"), j.get("snapshot")) {
                let known = self.cache.borrow().account(home).is_some();
                if !self.cache.borrow_mut().apply_snapshot(home, snapshot, self.platform.now_ms(), self.looked_ms.get()) {
                    self.log(LogLevel::Warning, "", "ignored another tab's token snapshot: an entry is not this client's, not under its own key, or dated in the future");
                    return false;
                }
                return !known;
            }
            if !matches!(j.str_field("t"), Some("signin" | "signout" | "active")) {
                return false;
            }
            if j.str_field("t") == Some("signout") {
                self.cache.borrow_mut().forget_ahead(j.str_field("homeAccountId"));
            }
            // The storage is shared: re-read it before the next read.
            self.mark_stale();
            return true;
        }
        // Another client of this page (micro-frontends of one app): its sessionStorage is this
        // one, which it wrote before telling: re-read it before the next read, as a tab re-reads
        // localStorage.
        let page = self.platform.page_id();
        if self.config.cache_location == CacheLocation::SessionStorage && !page.is_empty() && j.str_field("page") == Some(page.as_str()) {
            self.mark_stale();
            return matches!(j.str_field("t"), Some("signin" | "signout" | "active"));
        }
        let mut cache = self.cache.borrow_mut();
        let result = match j.str_field("t") {
            // A memory cache is the page's own, as msal's: no other tab's sign-in enters it.
            Some("signin") if self.config.cache_location == CacheLocation::MemoryStorage => return false,
            Some("signin") => match j.get("account").and_then(crate::core::cache::AccountEntity::from_json) {
                Some(e) => {
                    self.announced.borrow_mut().push(e.account.home_account_id.clone());
                    cache.put_account(e.account)
                }
                None => return false,
            },
            // Every account only when the message says so (`null`): a message of another
            // release that lacks the field, or types it otherwise, signs nobody out.
            Some("signout") => match j.get("homeAccountId") {
                Some(Json::Str(h)) => cache.remove_account(h),
                Some(Json::Null) => cache.clear(),
                _ => return false,
            },
            // Each tab keeps its own active account, as msal's tabs over sessionStorage (its
            // docs: not shared between tabs): a tab signed in as one user must not call APIs
            // as the user another tab made active.
            _ => return false,
        };
        if result.is_err() {
            self.log(LogLevel::Warning, "", "could not apply another tab's account change to storage");
        }
        true
    }

    /// A number that changes whenever the answer of a cache lookup may change (see
    /// [`TokenCache::version`](crate::core::cache::TokenCache::version)); storage written by
    /// another tab is re-read first.
    pub fn cache_version(&self) -> u32 {
        self.sync();
        self.cache.borrow().version()
    }

    /// This client's cache in msal's unified format (msal-node's `getTokenCache().serialize()`;
    /// MSAL Python and MSAL .NET read it too).
    pub fn serialize_cache(&self) -> String {
        self.sync();
        self.cache.borrow().to_unified().serialize()
    }

    /// Replaces this client's accounts and tokens with a cache in msal's unified format
    /// (msal-node's `deserialize()`).
    pub fn deserialize_cache(&self, text: &str) -> Result<(), AuthError> {
        let u = crate::core::cache::unified::deserialize_or_empty(text)?;
        self.cache.borrow_mut().replace_from_unified(&u)
    }

    /// Marks the in-memory cache as out of date (another tab wrote to the shared storage); it
    /// is re-read before the next read.
    pub fn mark_stale(&self) {
        self.stale.set(true);
    }

    /// True when the account of the entry under `key` (an account's or a token's key) is one
    /// this tab already lists, by what it holds now: another tab's write of that entry (a
    /// renewal) adds no account here, and a removal of the account comes with its key list.
    pub fn lists_account_of(&self, key: &str) -> bool {
        let cache = self.cache.borrow();
        let listed = cache.accounts().any(|a| {
            let home = &a.home_account_id;
            crate::core::cache::key_of_account(key, home) && cache.credentials().any(|c| c.home_account_id.eq_ignore_ascii_case(home))
        });
        listed
    }

    /// The storage refused this tab's write of `key` (full, found after the save: an encrypted
    /// entry reaches the disk later): drops an access token to make room, as a save does. True
    /// when it dropped one (the write is tried again).
    pub fn storage_full(&self, key: &str) -> bool {
        let dropped = self.cache.borrow_mut().storage_full(key, self.now_s());
        if dropped {
            self.log(LogLevel::Warning, "", "storage is full (quota exceeded): dropped an access token to make room");
        }
        dropped
    }

    /// Another tab's write or removal of `key` ("": of every key) has reached this tab's
    /// storage, and its entry was read: the cache is re-read before the next read, and an entry
    /// of `key` that a snapshot brought is the storage's to keep or drop from now on. True when
    /// this tab's accounts may have changed (see [`account_changes`](Self::account_changes)):
    /// a key list, the active account, or an entry of an account this tab does not list yet (a
    /// tab lists an account once it reads both its account and a token, and the key list's
    /// event may come while they are still being decrypted).
    pub fn storage_shown(&self, key: &str) -> bool {
        let entry = crate::core::cache::is_entry_key(key) && !self.lists_account_of(key);
        self.cache.borrow_mut().storage_shown(key);
        if key == crate::core::cache::active_account_key(&self.config.client_id) {
            let (now, _) = self.cache.borrow().active_seen_now();
            // (Counted already when msal's event for this very write was heard first, a moment
            // ago: an event heard long before was a change on this page, whose write no storage
            // event follows.)
            let just = self.platform.now_ms().saturating_sub(HEARD_ACTIVE_MS);
            if self.heard_active.take().is_none_or(|(heard, at)| heard != now || at < just) {
                self.active_writes.set(self.active_writes.get().wrapping_add(1));
            }
        }
        self.mark_stale();
        let lists = key.ends_with(".account.keys") || key.ends_with(".active-account-filters");
        key.is_empty() || lists || entry
    }

    /// msal's ACTIVE_ACCOUNT_CHANGED heard on its event channel: from another tab (whose storage
    /// event tells this tab as well) or from another client of this page (msal-browser's, or a
    /// second one of this package), whose write of the active account nothing else reports
    /// here. True once for a change: when the stored active account is not what this tab last
    /// knew, the change is counted (see [`account_changes`](Self::account_changes)) and the
    /// cache is re-read; the storage event of that same write, if one comes, is not counted
    /// again.
    pub fn active_heard(&self) -> bool {
        let (now, known) = self.cache.borrow().active_seen_now();
        if known {
            return false;
        }
        self.active_writes.set(self.active_writes.get().wrapping_add(1));
        self.heard_active.replace(Some((now, self.platform.now_ms())));
        self.mark_stale();
        true
    }

    /// Re-reads the cache when another tab's write reached this one, or another client of the
    /// page wrote to its storage (which msal would see at once: it reads the storage at every
    /// call). Both are asked, so that each forgets what it saw.
    pub(super) fn sync(&self) {
        if self.stale.replace(false) | self.cache.borrow().written_elsewhere() {
            self.reload_cache();
        }
    }

    /// Re-reads the cache from storage (another tab changed it).
    pub fn reload_cache(&self) {
        self.looked_ms.set(self.platform.now_ms());
        let issues = {
            let mut cache = self.cache.borrow_mut();
            let (now, stale_before) = super::cache_clock(&self.config, &self.platform);
            cache.set_clock(now, stale_before);
            cache.reload()
        };
        for i in issues {
            self.log(LogLevel::Warning, "", &["removed a corrupt cache entry: ", i.reason].concat());
        }
    }
}

/// What a tab last saw of its accounts (see [`PublicClientApplication::account_changes`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AccountSnapshot {
    ids: Vec<String>,
    /// The active account and its tenant (see [`PublicClientApplication::active_account_key`]).
    active: Option<String>,
    /// Another tab's writes of the active account read by then.
    active_writes: u32,
}

/// The ids of `ids` that `from` lacks.
fn missing(ids: &[String], from: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        if !from.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

impl AccountSnapshot {
    /// Takes `now`'s active account only: this tab changed it, and any other change is still
    /// news.
    pub fn settle_active(&mut self, now: AccountSnapshot) {
        self.active = now.active;
    }
}

/// How the accounts changed since a [`AccountSnapshot`].
#[derive(Debug, Default)]
pub struct AccountChanges {
    /// The `homeAccountId`s of the accounts that arrived.
    pub added: Vec<String>,
    /// The `homeAccountId`s of the accounts that left.
    pub removed: Vec<String>,
    /// How many times the active account changed (msal's ACTIVE_ACCOUNT_CHANGED, once each).
    pub active_changes: u32,
}
