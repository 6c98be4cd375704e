//! One scope-set type: trimmed, de-duplicated case-insensitively, original case kept.

use crate::prelude::*;

/// `openid`.
pub const OPENID: &str = "openid";
/// `profile`.
pub const PROFILE: &str = "profile";
/// `offline_access`.
pub const OFFLINE_ACCESS: &str = "offline_access";
/// `email`.
pub const EMAIL: &str = "email";
/// Scopes msal adds to every authorize and token request.
pub const OIDC_DEFAULT_SCOPES: [&str; 3] = [OPENID, PROFILE, OFFLINE_ACCESS];
/// The OpenID Connect scopes (defaults plus `email`).
pub const OIDC_SCOPES: [&str; 4] = [OPENID, PROFILE, OFFLINE_ACCESS, EMAIL];

/// The most scopes a set holds; more are dropped. Real requests and tokens carry tens; a
/// token response or a planted cache entry listing many thousands would otherwise cost
/// quadratic time to de-duplicate (1,024 cost at most about 0.5 M comparisons).
pub const MAX_SCOPES: usize = 1024;

/// A set of scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet {
    scopes: Vec<String>,
}

impl ScopeSet {
    /// From a list of scopes (each may itself contain spaces).
    pub fn new<S: AsRef<str>>(scopes: impl IntoIterator<Item = S>) -> ScopeSet {
        let mut set = ScopeSet::default();
        for s in scopes {
            set.insert_words(s.as_ref());
        }
        set
    }

    /// Adds each space-separated scope of `s` (not generic: one copy in the wasm).
    fn insert_words(&mut self, s: &str) {
        for part in s.split_whitespace() {
            self.insert(part);
        }
    }

    /// From a space-separated string.
    pub fn parse(s: &str) -> ScopeSet {
        ScopeSet::new([s])
    }

    /// Adds a scope unless an equal one (ignoring case) is present, or the set is full
    /// ([`MAX_SCOPES`]).
    pub fn insert(&mut self, scope: &str) {
        let scope = scope.trim();
        if !scope.is_empty() && self.scopes.len() < MAX_SCOPES && !self.contains(scope) {
            self.scopes.push(scope.to_owned());
        }
    }

    /// Removes a scope (ignoring case).
    pub fn remove(&mut self, scope: &str) {
        super::retain(&mut self.scopes, &mut |s| !s.eq_ignore_ascii_case(scope));
    }

    /// True if `scope` is in the set (ignoring case).
    pub fn contains(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s.eq_ignore_ascii_case(scope))
    }

    /// True if every scope of `other` is in this set.
    pub fn contains_all(&self, other: &ScopeSet) -> bool {
        other.scopes.iter().all(|s| self.contains(s))
    }

    /// True if a new token for `new` replaces a cached one for these scopes (msal's
    /// `intersectingScopeSets` on save): they share a scope other than the OIDC ones, or both are
    /// OIDC scopes alone and share one. (msal also lets a token for OIDC scopes alone replace an
    /// API's token that lists `openid`; that one is kept here.)
    pub fn replaced_by(&self, new: &ScopeSet) -> bool {
        let oidc = |s: &str| OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(s));
        let both_oidc = new.only_oidc() && self.only_oidc();
        self.scopes.iter().any(|s| new.contains(s) && (both_oidc || !oidc(s)))
    }

    /// Number of scopes.
    pub fn len(&self) -> usize {
        self.scopes.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    /// The scopes in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().map(String::as_str)
    }

    /// True if every scope is an OIDC scope.
    pub fn only_oidc(&self) -> bool {
        self.scopes.iter().all(|s| OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(s)))
    }

    /// The scopes sent on the wire: these plus the OIDC defaults (`openid` always).
    pub fn with_oidc_defaults(&self, defaults: &[String]) -> ScopeSet {
        let mut s = self.clone();
        for d in defaults {
            s.insert(d);
        }
        s.insert(OPENID);
        s
    }

    /// The scopes used to search the cache (msal's `createSearchScopes`): the OIDC defaults
    /// when empty; all OIDC scopes removed unless only OIDC scopes were asked for, in which
    /// case only `offline_access` is removed.
    pub fn for_cache_search(&self) -> ScopeSet {
        let mut s = if self.is_empty() { ScopeSet::new(OIDC_DEFAULT_SCOPES) } else { self.clone() };
        if s.only_oidc() {
            s.remove(OFFLINE_ACCESS);
        } else {
            for o in OIDC_SCOPES {
                s.remove(o);
            }
        }
        s
    }

    /// Space-joined.
    pub fn to_space_string(&self) -> String {
        super::text::join(&self.scopes, " ")
    }

    /// Lower-cased, space-joined (for cache keys).
    pub fn to_lower_string(&self) -> String {
        self.to_space_string().to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn trims_dedups_keeps_case() {
        let s = ScopeSet::new([" User.Read ", "user.read", "", "Mail.Send  openid"]);
        assert_eq!(s.to_space_string(), "User.Read Mail.Send openid");
        assert!(s.contains("USER.READ"));
    }

    #[test]
    fn a_set_holds_at_most_max_scopes() {
        // 100k scopes (a 1 MB token response, or a planted cache entry) take about as long as
        // 1,024: the first ones are kept, in order, de-duplicated; the rest are dropped.
        let words: Vec<String> = (0..100_000).map(|i| ["s", &(i % 50_000).to_string()].concat()).collect();
        let s = ScopeSet::parse(&["User.Read user.read S0 ", &words.join(" ")].concat());
        assert_eq!(s.len(), MAX_SCOPES);
        let first: Vec<&str> = s.iter().take(3).collect();
        assert_eq!(first, ["User.Read", "S0", "s1"]);
        assert_eq!(s.iter().last(), Some("s1022"));
        assert!(!s.contains("s1023"));
    }

    #[test]
    fn superset_match_is_case_insensitive() {
        let cached = ScopeSet::parse("User.Read Mail.Read openid profile");
        assert!(cached.contains_all(&ScopeSet::parse("mail.read")));
        assert!(!cached.contains_all(&ScopeSet::parse("mail.read mail.send")));
    }

    #[test]
    fn search_scopes_follow_msal() {
        assert_eq!(ScopeSet::default().for_cache_search().to_space_string(), "openid profile");
        assert_eq!(ScopeSet::parse("openid offline_access email").for_cache_search().to_space_string(), "openid email");
        assert_eq!(ScopeSet::parse("User.Read openid profile").for_cache_search().to_space_string(), "User.Read");
    }

    #[test]
    fn wire_scopes_add_defaults() {
        let d: Vec<String> = OIDC_DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect();
        assert_eq!(ScopeSet::parse("User.Read").with_oidc_defaults(&d).to_space_string(), "User.Read openid profile offline_access");
        assert_eq!(ScopeSet::parse("x").with_oidc_defaults(&[]).to_space_string(), "x openid");
    }

    #[test]
    fn replacement_ignores_oidc_scopes_unless_both_have_only_those() {
        let a = ScopeSet::parse("openid profile User.Read");
        assert!(!a.replaced_by(&ScopeSet::parse("openid profile Mail.Read")));
        assert!(a.replaced_by(&ScopeSet::parse("user.read")));
        // A generic provider's tokens for OIDC scopes alone replace each other.
        let oidc = ScopeSet::parse("openid profile");
        assert!(oidc.replaced_by(&ScopeSet::parse("openid profile email offline_access")));
        assert!(!oidc.replaced_by(&ScopeSet::parse("email")));
        // But not an API's token.
        assert!(!a.replaced_by(&ScopeSet::parse("openid profile")));
        assert!(!oidc.replaced_by(&ScopeSet::parse("openid User.Read")));
    }
}
