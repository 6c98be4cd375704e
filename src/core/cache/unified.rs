//! The unified token cache JSON shared by msal-node (`getTokenCache().serialize()`), MSAL
//! Python (`SerializableTokenCache`) and the other MSALs (spec §1).
//!
//! ```text
//! { "Account": {key: entity}, "IdToken": {…}, "AccessToken": {…}, "RefreshToken": {…},
//!   "AppMetadata": {…}, <sections of other SDKs> }
//! ```
//!
//! Entities use snake_case field names and decimal-string timestamps. The document is held as
//! [`Json`], so everything another SDK wrote — unknown entity fields, unknown top-level
//! sections, field order, number spelling — is written back unchanged. Typed views convert to
//! and from the browser entities ([`Credential`], [`AccountEntity`]) field by field.

use crate::prelude::*;

use super::entities::{AccountEntity, Credential, CredentialType};
use crate::core::account::ClientInfo;
use crate::core::json::Json;
use crate::core::text::dec;
use crate::error::{codes, AuthError, ErrorKind};

/// The five sections of the unified schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `Account`
    Account,
    /// `IdToken`
    IdToken,
    /// `AccessToken`
    AccessToken,
    /// `RefreshToken`
    RefreshToken,
    /// `AppMetadata`
    AppMetadata,
}

impl Section {
    /// Every section, in msal-node's order.
    pub const ALL: [Section; 5] = [Section::Account, Section::IdToken, Section::AccessToken, Section::RefreshToken, Section::AppMetadata];

    /// The top-level JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Section::Account => "Account",
            Section::IdToken => "IdToken",
            Section::AccessToken => "AccessToken",
            Section::RefreshToken => "RefreshToken",
            Section::AppMetadata => "AppMetadata",
        }
    }

    /// The section a credential of type `t` lives in.
    pub fn of(t: CredentialType) -> Section {
        match t {
            CredentialType::IdToken => Section::IdToken,
            CredentialType::AccessToken | CredentialType::AccessTokenWithAuthScheme => Section::AccessToken,
            CredentialType::RefreshToken => Section::RefreshToken,
        }
    }

    fn index(self) -> usize {
        match self {
            Section::Account => 0,
            Section::IdToken => 1,
            Section::AccessToken => 2,
            Section::RefreshToken => 3,
            Section::AppMetadata => 4,
        }
    }
}

/// An `AppMetadata` entity.
#[derive(Debug, Clone, PartialEq)]
pub struct AppMetadata {
    /// `client_id`
    pub client_id: String,
    /// `environment`
    pub environment: String,
    /// `family_id`, `""` when the app is not in a family.
    pub family_id: String,
    /// Fields we do not model, kept as written.
    pub extra: Vec<(String, Json)>,
}

/// A top-level member of the document, in document order.
#[derive(Clone, PartialEq)]
enum Top {
    /// One of the five sections (its entries live in `UnifiedCache::sections`).
    Known(Section),
    /// Another SDK's section, kept as written.
    Unknown(String, Json),
}

/// A unified cache document.
#[derive(Clone, PartialEq)]
pub struct UnifiedCache {
    order: Vec<Top>,
    sections: [Vec<(String, Json)>; 5],
}

impl ::core::fmt::Debug for UnifiedCache {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        // Entities hold tokens: show only how many there are.
        let mut d = f.debug_struct("UnifiedCache");
        for s in Section::ALL {
            d.field(s.name(), &self.entries(s).len());
        }
        d.field("unknown_sections", &self.unknown_sections().count()).finish()
    }
}

impl Default for UnifiedCache {
    fn default() -> Self {
        UnifiedCache::new()
    }
}

fn invalid(msg: &'static str) -> AuthError {
    AuthError::new(ErrorKind::Client, codes::INVALID_CACHE_RECORD, msg)
}

/// Reads a unified cache document; an empty (or blank) text is an empty cache (a cache file or
/// store entry that does not exist yet).
pub fn deserialize_or_empty(text: &str) -> Result<UnifiedCache, AuthError> {
    if text.trim().is_empty() {
        Ok(UnifiedCache::new())
    } else {
        deserialize(text)
    }
}

/// Parses a unified cache. Empty (or all white space) text is an empty cache, as in MSAL
/// Python. Sections that are missing are added empty after the others; unknown sections are
/// kept where they were.
pub fn deserialize(text: &str) -> Result<UnifiedCache, AuthError> {
    if text.trim().is_empty() {
        return Ok(UnifiedCache::new());
    }
    let root = match Json::parse(text) {
        Ok(Json::Obj(fields)) => fields,
        Ok(_) => return Err(invalid("the token cache is not a JSON object")),
        Err(_) => return Err(invalid("the token cache is not valid JSON")),
    };
    let mut cache = UnifiedCache { order: Vec::with_capacity(root.len()), sections: Default::default() };
    for (name, value) in root {
        match Section::ALL.into_iter().find(|s| s.name() == name) {
            Some(s) => match value {
                Json::Obj(entries) => {
                    cache.sections[s.index()] = entries;
                    cache.order.push(Top::Known(s));
                }
                _ => return Err(invalid("a section of the token cache is not a JSON object")),
            },
            None => cache.order.push(Top::Unknown(name, value)),
        }
    }
    for s in Section::ALL {
        if !cache.order.contains(&Top::Known(s)) {
            cache.order.push(Top::Known(s));
        }
    }
    Ok(cache)
}

impl UnifiedCache {
    /// An empty cache with the five sections.
    pub fn new() -> UnifiedCache {
        UnifiedCache { order: Section::ALL.into_iter().map(Top::Known).collect(), sections: Default::default() }
    }

    /// The whole document.
    pub fn to_json(&self) -> Json {
        Json::Obj(
            self.order
                .iter()
                .map(|t| match t {
                    Top::Known(s) => (s.name().to_owned(), Json::Obj(self.entries(*s).to_vec())),
                    Top::Unknown(k, v) => (k.clone(), v.clone()),
                })
                .collect(),
        )
    }

    /// Compact JSON text (msal-node's format; MSAL Python reads it too).
    pub fn serialize(&self) -> String {
        self.to_json().to_json()
    }

    fn section_mut(&mut self, s: Section) -> &mut Vec<(String, Json)> {
        &mut self.sections[s.index()]
    }

    /// The entries of a section, `(key, entity)` in document order.
    pub fn entries(&self, s: Section) -> &[(String, Json)] {
        &self.sections[s.index()]
    }

    /// The entity at `key` in section `s`.
    pub fn get(&self, s: Section, key: &str) -> Option<&Json> {
        self.entries(s).iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets the entity at `key` (replacing it whole, or appending).
    pub fn insert(&mut self, s: Section, key: &str, entity: Json) {
        let sec = self.section_mut(s);
        match sec.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = entity,
            None => sec.push((key.to_owned(), entity)),
        }
    }

    /// Writes `entity`'s fields over the entity at `key`, keeping the fields it does not set
    /// (msal-node's `mergeUpdates`), or appends it.
    pub fn merge(&mut self, s: Section, key: &str, entity: Json) {
        let sec = self.section_mut(s);
        match sec.iter_mut().find(|(k, _)| k == key) {
            Some((_, old @ Json::Obj(_))) => {
                if let Json::Obj(fields) = entity {
                    for (k, v) in fields {
                        old.set(&k, v);
                    }
                } else {
                    *old = entity;
                }
            }
            Some(slot) => slot.1 = entity,
            None => sec.push((key.to_owned(), entity)),
        }
    }

    /// Removes the entity at `key`.
    pub fn remove(&mut self, s: Section, key: &str) -> Option<Json> {
        let sec = self.section_mut(s);
        let i = sec.iter().position(|(k, _)| k == key)?;
        Some(sec.remove(i).1)
    }

    /// Removes the entries of `section` stored under another name than `key` whose own key
    /// ([`native_key`]) is `key`: another library's copies of that entry.
    pub fn remove_aliases(&mut self, section: Section, key: &str) {
        crate::core::retain(self.section_mut(section), &mut |(k, v)| k == key || native_key(section, v).as_deref() != Some(key));
    }

    /// Top-level sections other than the five, kept as written.
    pub fn unknown_sections(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.order.iter().filter_map(|t| match t {
            Top::Unknown(k, v) => Some((k.as_str(), v)),
            Top::Known(_) => None,
        })
    }

    /// Every account that converts to an [`AccountEntity`], with its key.
    pub fn accounts(&self) -> Vec<(&str, AccountEntity)> {
        self.entries(Section::Account).iter().filter_map(|(k, v)| Some((k.as_str(), account_from_json(v)?))).collect()
    }

    /// Every ID, access and refresh token that converts to a [`Credential`], with its key.
    pub fn credentials(&self) -> Vec<(&str, Credential)> {
        [Section::IdToken, Section::AccessToken, Section::RefreshToken]
            .into_iter()
            .flat_map(|s| self.entries(s).iter())
            .filter_map(|(k, v)| Some((k.as_str(), credential_from_json(v)?)))
            .collect()
    }

    /// Every app metadata entry, with its key.
    pub fn app_metadata(&self) -> Vec<(&str, AppMetadata)> {
        self.entries(Section::AppMetadata).iter().filter_map(|(k, v)| Some((k.as_str(), app_metadata_from_json(v)?))).collect()
    }

    /// Adds (or updates, keeping fields we don't set) an account; returns its key.
    pub fn add_account(&mut self, a: &AccountEntity) -> String {
        let key = account_key(a);
        self.merge(Section::Account, &key, account_to_json(a));
        key
    }

    /// Adds (or updates) a credential in its section; returns its key. The fields msal-wasm
    /// writes are replaced whole: one the new credential leaves out goes (an older token's
    /// `refresh_on`, or another flow's `userAssertionHash` under the same key: an app token and
    /// an on-behalf-of token for the same scopes share it when the provider sent no
    /// `client_info` for the user). Fields only other
    /// libraries write stay, as msal-node's `mergeUpdates` keeps them.
    pub fn add_credential(&mut self, c: &Credential) -> String {
        let key = credential_key(c);
        let s = Section::of(c.credential_type);
        let mut entity = credential_to_json(c);
        if let Some(Json::Obj(old)) = self.get(s, &key) {
            let ours = |k: &str| {
                FIELD_MAP.iter().any(|(u, _)| *u == k) || matches!(k, "resource" | "additionalCacheKeyComponents" | LEGACY_ASSERTION_HASH)
            };
            for (k, v) in old {
                if !ours(k) && entity.get(k).is_none() {
                    entity.set(k, v.clone());
                }
            }
        }
        self.insert(s, &key, entity);
        key
    }

    /// Adds (or updates) app metadata; returns its key.
    pub fn add_app_metadata(&mut self, m: &AppMetadata) -> String {
        let key = app_metadata_key(m);
        self.merge(Section::AppMetadata, &key, app_metadata_to_json(m));
        key
    }

    /// Removes an account and every credential of it (`home_account_id` and `environment`).
    pub fn remove_account(&mut self, home_account_id: &str, environment: &str) {
        let matches = |v: &Json| {
            v.str_field("home_account_id") == Some(home_account_id)
                && v.str_field("environment").is_some_and(|e| e.eq_ignore_ascii_case(environment))
        };
        for s in [Section::Account, Section::IdToken, Section::AccessToken, Section::RefreshToken] {
            crate::core::retain(self.section_mut(s), &mut |(_, v)| !matches(v));
        }
    }
}

/// `(unified name, browser name)` of every field that maps one to one.
const FIELD_MAP: [(&str, &str); 21] = [
    ("home_account_id", "homeAccountId"),
    ("environment", "environment"),
    ("credential_type", "credentialType"),
    ("client_id", "clientId"),
    ("secret", "secret"),
    ("realm", "realm"),
    ("target", "target"),
    ("cached_at", "cachedAt"),
    ("expires_on", "expiresOn"),
    ("extended_expires_on", "extendedExpiresOn"),
    ("refresh_on", "refreshOn"),
    ("token_type", "tokenType"),
    ("key_id", "keyId"),
    ("family_id", "familyId"),
    ("local_account_id", "localAccountId"),
    ("username", "username"),
    ("authority_type", "authorityType"),
    ("name", "name"),
    ("client_info", "clientInfo"),
    ("tenantProfiles", "tenantProfiles"),
    // On-behalf-of tokens: the SHA-256 of the user assertion they were obtained with. msal-node
    // writes it camelCase in its serialized cache, and reads only that name.
    ("userAssertionHash", "userAssertionHash"),
];

/// The on-behalf-of assertion hash as earlier msal-wasm releases wrote it (read, never written).
const LEGACY_ASSERTION_HASH: &str = "user_assertion_hash";

/// Browser-only fields with no unified counterpart (msal-node writes neither).
const BROWSER_ONLY: [&str; 2] = ["lastUpdatedAt", "dataBoundary"];

/// Renames the fields of an object from one naming to the other; unknown fields pass through.
/// A unified `null` (MSAL Python writes `home_account_id: null` for app tokens) becomes `""`.
fn rename(j: &Json, to_browser: bool) -> Option<Json> {
    let fields = j.as_object()?;
    let mut out = Vec::with_capacity(fields.len());
    for (k, v) in fields {
        // Earlier msal-wasm releases wrote the assertion hash snake_case.
        let k = if to_browser && k == LEGACY_ASSERTION_HASH { "userAssertionHash" } else { k.as_str() };
        let mapped = FIELD_MAP.iter().find(|(u, b)| if to_browser { *u == k } else { *b == k });
        match mapped {
            Some((u, b)) => {
                let name = if to_browser { *b } else { *u };
                let v = if to_browser && matches!(v, Json::Null) && *u != "tenantProfiles" { Json::from("") } else { v.clone() };
                out.push((name.to_owned(), v));
            }
            None if !to_browser && BROWSER_ONLY.contains(&k) => {}
            None => out.push((k.to_owned(), v.clone())),
        }
    }
    Some(Json::Obj(out))
}

/// A unified credential entity as a browser [`Credential`] (unknown fields go to `extra`).
pub fn credential_from_json(j: &Json) -> Option<Credential> {
    Credential::from_json(&rename(j, true)?)
}

/// A [`Credential`] as a unified entity (snake_case, string timestamps; `lastUpdatedAt` has no
/// unified counterpart and is left out).
pub fn credential_to_json(c: &Credential) -> Json {
    rename(&c.to_json(), false).unwrap_or_default()
}

/// A unified account entity as an [`AccountEntity`]. `tenantProfiles` may hold JSON strings
/// (msal-node) or objects.
pub fn account_from_json(j: &Json) -> Option<AccountEntity> {
    let mut e = AccountEntity::from_json(&rename(j, true)?)?;
    // msal-node writes no data boundary: the account's client_info says it (msal's source).
    if e.account.data_boundary.is_empty() {
        let boundary = ClientInfo::decode(&e.account.client_info).map_or("", |ci| ci.data_boundary);
        boundary.clone_into(&mut e.account.data_boundary);
    }
    Some(e)
}

/// An [`AccountEntity`] as a unified account entity; tenant profiles are written as JSON
/// strings, as msal-node does, and left out when there are none.
pub fn account_to_json(a: &AccountEntity) -> Json {
    let mut j = rename(&a.to_json(), false).unwrap_or_default();
    match j.remove("tenantProfiles") {
        Some(Json::Arr(profiles)) if !profiles.is_empty() => {
            let strings = profiles.into_iter().map(|p| if let Json::Str(_) = p { p } else { Json::from(p.to_json()) }).collect();
            // Put it back where msal-node has it: after client_info, before unknown fields.
            let Json::Obj(mut fields) = j else { return Json::object() };
            let at = fields.iter().position(|(k, _)| !FIELD_MAP.iter().any(|(u, _)| u == k)).unwrap_or(fields.len());
            fields.insert(at, ("tenantProfiles".to_owned(), Json::Arr(strings)));
            Json::Obj(fields)
        }
        _ => j,
    }
}

/// A unified app metadata entity.
pub fn app_metadata_from_json(j: &Json) -> Option<AppMetadata> {
    let known = ["client_id", "environment", "family_id"];
    Some(AppMetadata {
        client_id: j.str_field("client_id")?.to_owned(),
        environment: j.str_field("environment")?.to_owned(),
        family_id: j.string_or_empty("family_id"),
        extra: j.as_object()?.iter().filter(|(k, _)| !known.contains(&k.as_str())).cloned().collect(),
    })
}

/// App metadata as a unified entity.
pub fn app_metadata_to_json(m: &AppMetadata) -> Json {
    let mut j = Json::object()
        .with("client_id", m.client_id.as_str())
        .with("environment", m.environment.as_str())
        .with_nonempty("family_id", &m.family_id);
    for (k, v) in &m.extra {
        j.set(k, v.clone());
    }
    j
}

/// msal-node 7's account key: `homeAccountId-environment-homeTenant`, lower-cased.
pub fn account_key(a: &AccountEntity) -> String {
    let a = &a.account;
    [&a.home_account_id, "-", &a.environment, "-", a.home_tenant()].concat().to_ascii_lowercase()
}

/// msal-node 7's credential key: `home-env-type-(familyId|clientId)-realm-target-scheme`,
/// lower-cased (the scheme is empty for Bearer; ID tokens have empty target and scheme).
pub fn credential_key(c: &Credential) -> String {
    let client = if c.credential_type == CredentialType::RefreshToken && !c.family_id.is_empty() { &c.family_id } else { &c.client_id };
    let scheme = if c.credential_type.is_access_token() && !c.token_type.is_empty() && !c.token_type.eq_ignore_ascii_case("bearer") {
        c.token_type.as_str()
    } else {
        ""
    };
    let target = if c.credential_type == CredentialType::IdToken { "" } else { c.target.as_str() };
    let mut key =
        [&c.home_account_id, "-", &c.environment, "-", c.credential_type.as_str(), "-", client, "-", &c.realm, "-", target, "-", scheme]
            .concat();
    if !c.attribute_tokens.is_empty() {
        // msal-node's hash of the additional cache key components, the other MSALs' encoding:
        // each sorted key and its value as `<UTF-8 length>:<text>`.
        let (name, value) = ("attribute_tokens", c.attribute_tokens.as_str());
        let input = [&dec(name.len() as u64), ":", name, &dec(value.len() as u64), ":", value].concat();
        key.push('-');
        key.push_str(&crate::core::base64::encode_url(&crate::core::sha256::sha256(input.as_bytes())));
    }
    key.to_ascii_lowercase()
}

/// The key msal-node 7 and this library give `entity` of `section`, whatever key it is stored
/// under (msal-node 3, MSAL Python and MSAL.NET name some entries otherwise); `None` for an
/// entity that does not convert.
pub fn native_key(section: Section, entity: &Json) -> Option<String> {
    match section {
        Section::Account => account_from_json(entity).map(|a| account_key(&a)),
        Section::AppMetadata => app_metadata_from_json(entity).map(|m| app_metadata_key(&m)),
        _ => credential_from_json(entity).map(|c| credential_key(&c)),
    }
}

/// The app metadata key: `appmetadata-environment-clientId`, lower-cased.
pub fn app_metadata_key(m: &AppMetadata) -> String {
    ["appmetadata-", &m.environment, "-", &m.client_id].concat().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::account::TenantProfile;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A cache as MSAL Python writes it (indented, its own key formats, `null`s, Python-only
    /// fields), plus an unknown section and unknown entity fields.
    const PYTHON: &str = r#"{
    "AccessToken": {
        "uid.utid-login.microsoftonline.com-accesstoken-client-1-utid-mail.read user.read": {
            "credential_type": "AccessToken",
            "secret": "at-secret",
            "home_account_id": "uid.utid",
            "environment": "login.microsoftonline.com",
            "client_id": "client-1",
            "target": "Mail.Read User.Read",
            "realm": "utid",
            "token_type": "Bearer",
            "cached_at": "1700000000",
            "expires_on": "1700003600",
            "extended_expires_on": "1700007200",
            "refresh_on": "1700001800",
            "x_future": [1, 2.50, {"deep": null}]
        },
        "-login.microsoftonline.com-accesstoken-client-1-utid-api://x/.default": {
            "credential_type": "AccessToken",
            "secret": "app-secret",
            "home_account_id": null,
            "environment": "login.microsoftonline.com",
            "client_id": "client-1",
            "target": "api://x/.default",
            "realm": "utid",
            "cached_at": 1700000000,
            "expires_on": 1700003600
        }
    },
    "RefreshToken": {
        "uid.utid-login.microsoftonline.com-refreshtoken-client-1--mail.read user.read": {
            "credential_type": "RefreshToken",
            "secret": "rt-secret",
            "home_account_id": "uid.utid",
            "environment": "login.microsoftonline.com",
            "client_id": "client-1",
            "target": "Mail.Read User.Read",
            "last_modification_time": "1700000000",
            "family_id": "1"
        }
    },
    "IdToken": {
        "uid.utid-login.microsoftonline.com-idtoken-client-1-utid-": {
            "credential_type": "IdToken",
            "secret": "h.p.s",
            "home_account_id": "uid.utid",
            "environment": "login.microsoftonline.com",
            "realm": "utid",
            "client_id": "client-1"
        }
    },
    "Account": {
        "uid.utid-login.microsoftonline.com-utid": {
            "home_account_id": "uid.utid",
            "environment": "login.microsoftonline.com",
            "realm": "utid",
            "local_account_id": "uid",
            "username": "ada@contoso.com",
            "authority_type": "MSSTS",
            "account_source": "authorization_code"
        }
    },
    "AppMetadata": {
        "appmetadata-login.microsoftonline.com-client-1": {
            "client_id": "client-1",
            "environment": "login.microsoftonline.com",
            "family_id": "1"
        }
    },
    "OtherSdkSection": {"k": {"v": 1e10}}
}"#;

    #[test]
    fn round_trip_is_exact() {
        let c = deserialize(PYTHON).unwrap();
        let compact = Json::parse(PYTHON).unwrap().to_json();
        assert_eq!(c.serialize(), compact);
        assert_eq!(deserialize(&c.serialize()).unwrap(), c);
        assert!(c.serialize().contains("2.50"));
        assert!(c.serialize().contains("1e10"));
    }

    #[test]
    fn sections_and_unknowns() {
        let c = deserialize(PYTHON).unwrap();
        assert_eq!(c.entries(Section::AccessToken).len(), 2);
        assert_eq!(c.entries(Section::RefreshToken).len(), 1);
        assert_eq!(c.entries(Section::IdToken).len(), 1);
        assert_eq!(c.entries(Section::Account).len(), 1);
        assert_eq!(c.entries(Section::AppMetadata).len(), 1);
        let unknown: Vec<(&str, String)> = c.unknown_sections().map(|(k, v)| (k, v.to_json())).collect();
        assert_eq!(unknown, [("OtherSdkSection", r#"{"k":{"v":1e10}}"#.to_owned())]);
    }

    #[test]
    fn typed_views() {
        let c = deserialize(PYTHON).unwrap();
        let creds = c.credentials();
        assert_eq!(creds.len(), 4);
        let at = &creds.iter().find(|(_, c)| c.secret == "at-secret").unwrap().1;
        assert_eq!(at.credential_type, CredentialType::AccessToken);
        assert_eq!(at.home_account_id, "uid.utid");
        assert_eq!(at.environment, "login.microsoftonline.com");
        assert_eq!(at.client_id, "client-1");
        assert_eq!(at.realm, "utid");
        assert_eq!(at.target, "Mail.Read User.Read");
        assert!(at.scopes.contains("mail.read"));
        assert_eq!(
            (at.cached_at, at.expires_on, at.extended_expires_on, at.refresh_on),
            (1_700_000_000, 1_700_003_600, 1_700_007_200, Some(1_700_001_800))
        );
        assert_eq!(at.token_type, "Bearer");
        assert_eq!(at.extra, vec![("x_future".to_owned(), Json::parse(r#"[1, 2.50, {"deep": null}]"#).unwrap())]);
        let app = &creds.iter().find(|(_, c)| c.secret == "app-secret").unwrap().1;
        assert_eq!(app.home_account_id, "");
        assert_eq!(app.expires_on, 1_700_003_600);
        let rt = &creds.iter().find(|(_, c)| c.secret == "rt-secret").unwrap().1;
        assert_eq!(rt.family_id, "1");
        assert_eq!(rt.extra, vec![("last_modification_time".to_owned(), Json::from("1700000000"))]);
        let accounts = c.accounts();
        assert_eq!(accounts.len(), 1);
        let a = &accounts[0].1;
        assert_eq!(a.account.home_account_id, "uid.utid");
        assert_eq!(a.account.local_account_id, "uid");
        assert_eq!(a.account.username, "ada@contoso.com");
        assert_eq!(a.account.authority_type, "MSSTS");
        assert_eq!(a.extra, vec![("account_source".to_owned(), Json::from("authorization_code"))]);
        let m = c.app_metadata();
        assert_eq!(m[0].1.family_id, "1");
        assert_eq!(m[0].0, "appmetadata-login.microsoftonline.com-client-1");
    }

    #[test]
    fn credential_conversion_both_ways() {
        let c = deserialize(PYTHON).unwrap();
        for (key, cred) in c.credentials() {
            let section = Section::of(cred.credential_type);
            let original = c.get(section, key).unwrap();
            let back = credential_to_json(&cred);
            // Every field we read comes back with the same value (nulls become "").
            for (name, v) in original.as_object().unwrap() {
                match (v, back.get(name)) {
                    (Json::Null, Some(Json::Str(s))) if s.is_empty() => {}
                    (Json::Num(n), Some(Json::Str(s))) => assert_eq!(n, s, "{key}: {name}"),
                    (v, got) => assert_eq!(got, Some(v), "{key}: {name}"),
                }
            }
            // And no browser-only or camelCase field leaks in.
            assert!(back.get("lastUpdatedAt").is_none());
            assert!(back.get("homeAccountId").is_none());
        }
    }

    #[test]
    fn browser_entities_to_unified() {
        let cred = Credential::from_json(
            &Json::parse(r#"{"homeAccountId":"U.T","environment":"login.microsoftonline.com","credentialType":"AccessToken","clientId":"C","secret":"s","realm":"T","target":"User.Read","cachedAt":"1","expiresOn":"2","extendedExpiresOn":"3","tokenType":"Bearer","lastUpdatedAt":"1000","requestedClaimsHash":"h"}"#).unwrap(),
        )
        .unwrap();
        let mut cache = UnifiedCache::new();
        let key = cache.add_credential(&cred);
        assert_eq!(key, "u.t-login.microsoftonline.com-accesstoken-c-t-user.read-");
        assert_eq!(
            cache.get(Section::AccessToken, &key).unwrap().to_json(),
            r#"{"home_account_id":"U.T","environment":"login.microsoftonline.com","credential_type":"AccessToken","client_id":"C","secret":"s","realm":"T","target":"User.Read","cached_at":"1","expires_on":"2","extended_expires_on":"3","token_type":"Bearer","requestedClaimsHash":"h"}"#
        );
        let acc = AccountEntity::from_json(
            &Json::parse(r#"{"homeAccountId":"U.T","environment":"login.microsoftonline.com","realm":"T","localAccountId":"U","username":"u@x","authorityType":"MSSTS","name":"N","clientInfo":"ci","tenantProfiles":[{"tenantId":"T","localAccountId":"O","name":"N","isHomeTenant":true,"upn":"u@x"}],"dataBoundary":"EU","lastUpdatedAt":"5","nativeAccountId":"n"}"#).unwrap(),
        )
        .unwrap();
        let key = cache.add_account(&acc);
        assert_eq!(key, "u.t-login.microsoftonline.com-t");
        // Neither lastUpdatedAt nor dataBoundary: msal-node writes neither.
        let j = cache.get(Section::Account, &key).unwrap();
        assert_eq!(
            j.to_json(),
            r#"{"home_account_id":"U.T","environment":"login.microsoftonline.com","realm":"T","local_account_id":"U","username":"u@x","authority_type":"MSSTS","name":"N","client_info":"ci","tenantProfiles":["{\"tenantId\":\"T\",\"localAccountId\":\"O\",\"name\":\"N\",\"isHomeTenant\":true,\"upn\":\"u@x\"}"],"nativeAccountId":"n"}"#
        );
        // And back.
        let (_, again) = cache.accounts().into_iter().next().unwrap();
        assert_eq!(
            again.account.tenant_profiles,
            vec![TenantProfile {
                tenant_id: "T".into(),
                local_account_id: "O".into(),
                name: "N".into(),
                username: String::new(),
                login_hint: String::new(),
                upn: "u@x".into(),
                is_home_tenant: true
            }]
        );
        assert_eq!(again.account.client_info, "ci");
        assert_eq!(again.account.name, "N");
        assert_eq!(again.account.data_boundary, "", "a client_info that says nothing (here: not one at all)");
        // Its profile's extra field survives the trip.
        assert_eq!(account_to_json(&again), *j);
    }

    #[test]
    fn an_accounts_data_boundary_is_read_back_from_its_client_info() {
        // Not written (msal-node writes none), but the client_info it came from is.
        let info = |json: &str| crate::core::base64::encode_url(json.as_bytes());
        let mut cache = UnifiedCache::new();
        for (home, client_info, stored) in [
            ("eu.t", info(r#"{"uid":"eu","utid":"t","xms_tdbr":"EU"}"#), ""),
            ("us.t", info(r#"{"uid":"us","utid":"t","xms_tdbr":"US"}"#), ""),
            ("plain.t", info(r#"{"uid":"plain","utid":"t"}"#), ""),
            // A value another writer stored wins over the client_info's.
            ("kept.t", info(r#"{"uid":"kept","utid":"t","xms_tdbr":"US"}"#), "EU"),
        ] {
            let j = format!(
                r#"{{"home_account_id":"{home}","environment":"login.microsoftonline.com","realm":"t","local_account_id":"l","username":"u","authority_type":"MSSTS","client_info":"{client_info}","dataBoundary":"{stored}"}}"#
            );
            cache.insert(Section::Account, &format!("{home}-login.microsoftonline.com-t"), Json::parse(&j).unwrap());
        }
        let mut got: Vec<(String, String)> =
            cache.accounts().into_iter().map(|(_, e)| (e.account.home_account_id, e.account.data_boundary)).collect();
        got.sort();
        let want = [("eu.t", "EU"), ("kept.t", "EU"), ("plain.t", ""), ("us.t", "None")];
        assert_eq!(got, want.map(|(a, b)| (a.to_owned(), b.to_owned())));
    }

    #[test]
    fn keys_follow_msal_node_7() {
        let base = r#""homeAccountId":"Home.Tid","environment":"Login.Windows.Net","clientId":"Cid","secret":"s","realm":"Tid""#;
        let cred = |extra: &str| Credential::from_json(&Json::parse(&format!("{{{base},{extra}}}")).unwrap()).unwrap();
        assert_eq!(credential_key(&cred(r#""credentialType":"IdToken""#)), "home.tid-login.windows.net-idtoken-cid-tid--");
        assert_eq!(
            credential_key(&cred(r#""credentialType":"AccessToken_With_AuthScheme","target":"A B","expiresOn":"1","tokenType":"pop""#)),
            "home.tid-login.windows.net-accesstoken_with_authscheme-cid-tid-a b-pop"
        );
        assert_eq!(
            credential_key(&cred(r#""credentialType":"RefreshToken","familyId":"1""#)),
            "home.tid-login.windows.net-refreshtoken-1-tid--"
        );
        let m = AppMetadata { client_id: "Cid".into(), environment: "Login.Windows.Net".into(), family_id: String::new(), extra: vec![] };
        assert_eq!(app_metadata_key(&m), "appmetadata-login.windows.net-cid");
    }

    #[test]
    fn add_merges_into_an_existing_entity() {
        let mut c = deserialize(PYTHON).unwrap();
        let (key, mut at) = c.credentials().into_iter().map(|(k, v)| (k.to_owned(), v)).find(|(_, v)| v.secret == "at-secret").unwrap();
        at.secret = "rotated".into();
        at.extra.clear();
        let new_key = c.add_credential(&at);
        // Our key format differs from Python's, so this is a new entry; the old stays until removed.
        assert_ne!(new_key, key);
        c.remove(Section::AccessToken, &key).unwrap();
        // Merging under the same key keeps unknown fields.
        c.insert(Section::AccessToken, &new_key, Json::object().with("x_keep", "1").with("secret", "old"));
        c.add_credential(&at);
        let j = c.get(Section::AccessToken, &new_key).unwrap();
        assert_eq!(j.str_field("x_keep"), Some("1"));
        assert_eq!(j.str_field("secret"), Some("rotated"));
    }

    #[test]
    fn a_credential_under_the_same_key_replaces_the_fields_we_write() {
        // A user's on-behalf-of token (with its assertion hash and a refresh_on), then the app's
        // own token for the same scopes: same key (no home account in either).
        let base = r#""homeAccountId":"","environment":"login.microsoftonline.com","credentialType":"AccessToken","clientId":"C","realm":"T","target":"api://d/.default","cachedAt":"1","expiresOn":"9","extendedExpiresOn":"9","tokenType":"Bearer""#;
        let obo = Credential::from_json(
            &Json::parse(&format!(r#"{{{base},"secret":"obo-a","refreshOn":"5","userAssertionHash":"hash-a"}}"#)).unwrap(),
        )
        .unwrap();
        let app = Credential::from_json(&Json::parse(&format!(r#"{{{base},"secret":"app"}}"#)).unwrap()).unwrap();
        let mut c = UnifiedCache::new();
        let key = c.add_credential(&obo);
        let mut with_foreign = c.get(Section::AccessToken, &key).unwrap().clone();
        with_foreign.set("x_other_library", Json::from("kept"));
        c.insert(Section::AccessToken, &key, with_foreign);
        assert_eq!(c.add_credential(&app), key);
        let j = c.get(Section::AccessToken, &key).unwrap();
        assert_eq!(j.str_field("secret"), Some("app"));
        assert_eq!(j.get("userAssertionHash"), None, "the app token is nobody's on-behalf-of token");
        assert_eq!(j.get("refresh_on"), None, "an older token's refresh_on does not stick");
        assert_eq!(j.str_field("x_other_library"), Some("kept"));
    }

    #[test]
    fn the_assertion_hash_is_written_as_msal_node_names_it_and_read_under_both_names() {
        let entity = |hash_field: &str| {
            format!(
                r#"{{"home_account_id":"u.t","environment":"login.microsoftonline.com","credential_type":"AccessToken","client_id":"C","secret":"s","realm":"T","target":"a","cached_at":"1","expires_on":"9","{hash_field}":"h"}}"#
            )
        };
        for field in ["userAssertionHash", LEGACY_ASSERTION_HASH] {
            let c = credential_from_json(&Json::parse(&entity(field)).unwrap()).unwrap();
            assert_eq!(c.extra.iter().find(|(k, _)| k == "userAssertionHash").map(|(_, v)| v), Some(&Json::from("h")), "{field}");
            let back = credential_to_json(&c);
            assert_eq!(back.str_field("userAssertionHash"), Some("h"));
            assert_eq!(back.get(LEGACY_ASSERTION_HASH), None);
        }
    }

    #[test]
    fn list_add_remove() {
        let mut c = UnifiedCache::new();
        assert_eq!(c.serialize(), r#"{"Account":{},"IdToken":{},"AccessToken":{},"RefreshToken":{},"AppMetadata":{}}"#);
        let k = c.add_app_metadata(&AppMetadata { client_id: "c".into(), environment: "e".into(), family_id: "1".into(), extra: vec![] });
        assert_eq!(c.get(Section::AppMetadata, &k).unwrap().to_json(), r#"{"client_id":"c","environment":"e","family_id":"1"}"#);
        c.insert(Section::IdToken, "k1", Json::object().with("home_account_id", "h").with("environment", "E"));
        c.insert(Section::AccessToken, "k2", Json::object().with("home_account_id", "h").with("environment", "e"));
        c.insert(Section::AccessToken, "k3", Json::object().with("home_account_id", "other").with("environment", "e"));
        c.insert(Section::Account, "k4", Json::object().with("home_account_id", "h").with("environment", "e"));
        c.remove_account("h", "e");
        assert!(c.entries(Section::IdToken).is_empty());
        assert_eq!(c.entries(Section::AccessToken).len(), 1);
        assert!(c.entries(Section::Account).is_empty());
        assert_eq!(c.entries(Section::AppMetadata).len(), 1);
        assert!(c.remove(Section::AccessToken, "nope").is_none());
        assert_eq!(
            c.remove(Section::AccessToken, "k3").map(|j| j.str_field("home_account_id").map(str::to_owned)),
            Some(Some("other".into()))
        );
    }

    #[test]
    fn empty_and_partial_documents() {
        assert_eq!(deserialize("").unwrap(), UnifiedCache::new());
        assert_eq!(deserialize("  \n").unwrap(), UnifiedCache::new());
        assert_eq!(deserialize("{}").unwrap().serialize(), UnifiedCache::new().serialize());
        // Missing sections are added after what was there.
        let c = deserialize(r#"{"X":1,"AccessToken":{}}"#).unwrap();
        assert_eq!(c.serialize(), r#"{"X":1,"AccessToken":{},"Account":{},"IdToken":{},"RefreshToken":{},"AppMetadata":{}}"#);
    }

    #[test]
    fn malformed_documents_are_errors() {
        for bad in ["[]", "1", "null", "\"x\"", "{", r#"{"Account":[]}"#, r#"{"AccessToken":null}"#, r#"{"IdToken":"x"}"#, "{} x"] {
            let e = deserialize(bad).unwrap_err();
            assert_eq!(e.code(), codes::INVALID_CACHE_RECORD, "{bad}");
        }
    }

    #[test]
    fn malformed_entities_are_kept_but_not_typed() {
        let text = r#"{"AccessToken":{"a":1,"b":{"secret":"s"},"c":{"home_account_id":"h","environment":"e","credential_type":"AccessToken","client_id":"c","secret":"s","target":"t"}},"Account":{"x":[],"y":{"home_account_id":7}},"AppMetadata":{"m":{"client_id":1}}}"#;
        let c = deserialize(text).unwrap();
        assert!(c.credentials().is_empty(), "an AT without expires_on is not usable");
        assert!(c.accounts().is_empty());
        assert!(c.app_metadata().is_empty());
        let again = c.serialize();
        assert!(again.contains(r#""a":1"#));
        assert!(again.contains(r#""x":[]"#));
    }

    #[test]
    fn debug_shows_no_secret() {
        let c = deserialize(PYTHON).unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("secret"), "{d}");
        assert!(d.contains("AccessToken: 2"), "{d}");
    }

    #[test]
    fn hostile_inputs_never_panic() {
        let deep = format!(r#"{{"Account":{{"k":{}{}}}}}"#, "[".repeat(200), "]".repeat(200));
        let many: String = (0..50_000).map(|i| format!(r#""k{i}":{{"home_account_id":"h"}}"#)).collect::<Vec<_>>().join(",");
        let many = format!(r#"{{"AccessToken":{{{many}}}}}"#);
        let dup = r#"{"Account":{},"Account":{"k":{"home_account_id":"h","environment":"e"}}}"#;
        let weird = r#"{"AccessToken":{"k":{"home_account_id":"h","environment":"e","credential_type":"AccessToken","client_id":"c","secret":"s","target":"t","expires_on":"-1","cached_at":1e400,"realm":null,"tenantProfiles":7}}}"#;
        let inputs = [
            deep.as_str(),
            many.as_str(),
            dup,
            weird,
            "\u{0}",
            "{\"\\ud800\":1}",
            "{\"Account\":{\"\":{}}}",
            r#"{"Account":{"k":{"home_account_id":"h","environment":"e","tenantProfiles":["{","[]",1,null,"{\"tenantId\":5}"]}}}"#,
            r#"{"RefreshToken":{"k":{"home_account_id":"h","environment":"e","credential_type":"RefreshToken","client_id":"c","secret":"s","homeAccountId":"camel"}}}"#,
        ];
        for text in inputs {
            if let Ok(mut c) = deserialize(text) {
                let _ = c.serialize();
                let _ = format!("{c:?}");
                for (_, cred) in c.credentials() {
                    let _ = credential_key(&cred);
                    let _ = credential_to_json(&cred);
                }
                let accts: Vec<AccountEntity> = c.accounts().into_iter().map(|(_, a)| a).collect();
                for a in &accts {
                    let _ = account_to_json(a);
                    c.add_account(a);
                }
                c.remove_account("h", "e");
                let _ = deserialize(&c.serialize()).unwrap();
            }
        }
        // Binary garbage.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..2000 {
            let n = (x % 64) as usize;
            let bytes: Vec<u8> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    b"{}[]\",:0123456789-.eE \\u\"Account\"AccessToken\"secret\"nulltruefalse\x00\xff"[(x % 66) as usize]
                })
                .collect();
            let _ = deserialize(&String::from_utf8_lossy(&bytes));
        }
    }
}
