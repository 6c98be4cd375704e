//! Cache entities in msal-browser's storage format (camelCase JSON, timestamps as decimal
//! strings). Unknown fields are kept and written back.

use crate::prelude::*;

use crate::core::account::{Account, TenantProfile};
use crate::core::json::Json;
use crate::core::scopes::ScopeSet;
use crate::core::text::dec;

/// `credentialType` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialType {
    /// `IdToken`
    IdToken,
    /// `AccessToken`
    AccessToken,
    /// `AccessToken_With_AuthScheme` (PoP, DPoP, SSH)
    AccessTokenWithAuthScheme,
    /// `RefreshToken`
    RefreshToken,
}

impl CredentialType {
    /// The JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialType::IdToken => "IdToken",
            CredentialType::AccessToken => "AccessToken",
            CredentialType::AccessTokenWithAuthScheme => "AccessToken_With_AuthScheme",
            CredentialType::RefreshToken => "RefreshToken",
        }
    }
    /// Parses the JSON value (case-insensitive, as msal lower-cases keys).
    pub fn parse(s: &str) -> Option<CredentialType> {
        [CredentialType::IdToken, CredentialType::AccessToken, CredentialType::AccessTokenWithAuthScheme, CredentialType::RefreshToken]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
    /// True for the two access-token types.
    pub fn is_access_token(self) -> bool {
        matches!(self, CredentialType::AccessToken | CredentialType::AccessTokenWithAuthScheme)
    }
}

/// A cached ID token, access token or refresh token.
#[derive(Clone, PartialEq)]
pub struct Credential {
    /// `homeAccountId`
    pub home_account_id: String,
    /// `environment`
    pub environment: String,
    /// `credentialType`
    pub credential_type: CredentialType,
    /// `clientId`
    pub client_id: String,
    /// `secret`: the token itself.
    pub secret: String,
    /// `realm` (tenant), may be empty for refresh tokens.
    pub realm: String,
    /// `target`: scopes (access tokens).
    pub target: String,
    /// `cachedAt` (seconds)
    pub cached_at: u64,
    /// `expiresOn` (seconds)
    pub expires_on: u64,
    /// `extendedExpiresOn` (seconds)
    pub extended_expires_on: u64,
    /// `refreshOn` (seconds)
    pub refresh_on: Option<u64>,
    /// `tokenType`
    pub token_type: String,
    /// `keyId`
    pub key_id: String,
    /// `familyId`
    pub family_id: String,
    /// `resource`: the RFC 8707 resource an access token was requested for (msal's MCP apps).
    pub resource: String,
    /// msal's attribute-token partition (`additionalCacheKeyComponents.attribute_tokens`): the
    /// request's sorted `attributeTokens` joined by spaces; `""` for none. Part of the key.
    pub attribute_tokens: String,
    /// `lastUpdatedAt` (milliseconds)
    pub last_updated_at: u64,
    /// Fields we do not model, kept as written.
    pub extra: Vec<(String, Json)>,
    /// The parsed `target` (computed on load, not stored).
    pub scopes: ScopeSet,
}

impl ::core::fmt::Debug for Credential {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("Credential")
            .field("credential_type", &self.credential_type)
            .field("environment", &self.environment)
            .field("realm", &self.realm)
            .field("target", &self.target)
            .field("expires_on", &self.expires_on)
            .field("secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

const CREDENTIAL_FIELDS: [&str; 17] = [
    "homeAccountId",
    "environment",
    "credentialType",
    "clientId",
    "secret",
    "realm",
    "target",
    "cachedAt",
    "expiresOn",
    "extendedExpiresOn",
    "refreshOn",
    "tokenType",
    "keyId",
    "familyId",
    "lastUpdatedAt",
    "resource",
    "additionalCacheKeyComponents",
];

/// The field of msal's key components, kept in `extra` when it holds more than attribute_tokens.
const OTHER_KEY_COMPONENTS: &str = "additionalCacheKeyComponents";

/// A stored timestamp. msal reads them with `Number()`, and writes seconds with a fraction
/// for a `Date` with milliseconds (`hydrateCache`): the whole seconds of those.
fn ts(j: &Json, key: &str) -> Option<u64> {
    let v = j.get(key)?;
    v.as_u64().or_else(|| {
        let t = match v {
            Json::Num(n) => n.as_str(),
            Json::Str(s) => s.trim(),
            _ => return None,
        };
        let (whole, fraction) = t.split_once('.')?;
        fraction.bytes().all(|b| b.is_ascii_digit()).then(|| crate::core::text::parse_u64(whole)).flatten()
    })
}

fn extras(j: &Json, known: &[&str]) -> Vec<(String, Json)> {
    j.as_object().unwrap_or_default().iter().filter(|(k, _)| !known.contains(&k.as_str())).cloned().collect()
}

impl Credential {
    /// A credential with the identifying fields set and every other field empty.
    pub fn new(
        credential_type: CredentialType,
        home_account_id: &str,
        environment: &str,
        client_id: &str,
        realm: &str,
        secret: &str,
    ) -> Credential {
        Credential {
            home_account_id: home_account_id.to_owned(),
            environment: environment.to_owned(),
            credential_type,
            client_id: client_id.to_owned(),
            secret: secret.to_owned(),
            realm: realm.to_owned(),
            target: String::new(),
            cached_at: 0,
            expires_on: 0,
            extended_expires_on: 0,
            refresh_on: None,
            token_type: String::new(),
            key_id: String::new(),
            family_id: String::new(),
            resource: String::new(),
            attribute_tokens: String::new(),
            last_updated_at: 0,
            extra: Vec::new(),
            scopes: ScopeSet::default(),
        }
    }

    /// Reads a credential entity; `None` if a required field is missing or of the wrong type.
    pub fn from_json(j: &Json) -> Option<Credential> {
        let s = |k: &str| j.str_field(k).map(str::to_owned);
        let opt = |k: &str| j.str_field(k).unwrap_or_default().to_owned();
        let credential_type = CredentialType::parse(j.str_field("credentialType")?)?;
        let target = opt("target");
        let mut c = Credential {
            home_account_id: s("homeAccountId")?,
            environment: s("environment")?,
            credential_type,
            client_id: s("clientId")?,
            secret: s("secret").filter(|x| !x.is_empty())?,
            realm: opt("realm"),
            scopes: ScopeSet::parse(&target),
            target,
            cached_at: ts(j, "cachedAt").unwrap_or(0),
            expires_on: ts(j, "expiresOn").unwrap_or(0),
            extended_expires_on: ts(j, "extendedExpiresOn").unwrap_or(0),
            refresh_on: ts(j, "refreshOn"),
            token_type: opt("tokenType"),
            key_id: opt("keyId"),
            family_id: opt("familyId"),
            resource: opt("resource"),
            attribute_tokens: j
                .get("additionalCacheKeyComponents")
                .and_then(|c| c.str_field("attribute_tokens"))
                .unwrap_or_default()
                .to_owned(),
            last_updated_at: ts(j, "lastUpdatedAt").unwrap_or(0),
            extra: extras(j, &CREDENTIAL_FIELDS),
        };
        // Key components other than attribute_tokens (msal-node's fmi_path, its claims from
        // the client): kept as written, so the entry keeps them and no lookup takes it for a
        // plain token.
        if let Some(all) =
            j.get("additionalCacheKeyComponents").filter(|k| k.as_object().is_some_and(|o| o.iter().any(|(n, _)| n != "attribute_tokens")))
        {
            c.extra.push((OTHER_KEY_COMPONENTS.to_owned(), all.clone()));
        }
        // msal's isAccessTokenEntity: access tokens need realm, target and an expiry.
        if credential_type.is_access_token() && (c.target.is_empty() || c.expires_on == 0) {
            return None;
        }
        Some(c)
    }

    /// Whether the entry has key components this crate does not request (msal-node's
    /// `fmi_path`, its claims from the client): msal's lookups take such a token only for a
    /// request with the same components, so ours never do.
    pub fn has_other_key_components(&self) -> bool {
        self.extra.iter().any(|(k, _)| k == OTHER_KEY_COMPONENTS)
    }

    /// msal's `additionalCacheKeyComponents` of an access token in an attribute-token partition.
    pub fn key_components(&self) -> Json {
        Json::object().with("attribute_tokens", self.attribute_tokens.as_str())
    }

    /// Writes the entity.
    pub fn to_json(&self) -> Json {
        let mut j = Json::object()
            .with("homeAccountId", self.home_account_id.as_str())
            .with("environment", self.environment.as_str())
            .with("credentialType", self.credential_type.as_str())
            .with("clientId", self.client_id.as_str())
            .with("secret", self.secret.as_str())
            .with("realm", self.realm.as_str());
        if self.credential_type.is_access_token() {
            j = j
                .with("target", self.target.as_str())
                .with("cachedAt", dec(self.cached_at))
                .with("expiresOn", dec(self.expires_on))
                .with("extendedExpiresOn", dec(self.extended_expires_on))
                .with_nonempty("tokenType", &self.token_type)
                .with_nonempty("keyId", &self.key_id);
            if let Some(r) = self.refresh_on {
                j = j.with("refreshOn", dec(r));
            }
            j = j.with_nonempty("resource", &self.resource);
            if !self.attribute_tokens.is_empty() {
                j = j.with("additionalCacheKeyComponents", self.key_components());
            }
        } else if !self.target.is_empty() {
            j = j.with("target", self.target.as_str());
        }
        if self.credential_type == CredentialType::RefreshToken {
            if self.expires_on != 0 {
                j = j.with("expiresOn", dec(self.expires_on));
            }
            // A DPoP-bound refresh token's key (ours: msal binds only access tokens), so a
            // reload or another tab still redeems it with a proof.
            j = j.with_nonempty("keyId", &self.key_id);
        }
        j = j.with_nonempty("familyId", &self.family_id);
        if self.last_updated_at != 0 {
            j = j.with("lastUpdatedAt", dec(self.last_updated_at));
        }
        for (k, v) in &self.extra {
            j.set(k, v.clone());
        }
        j
    }
}

const ACCOUNT_FIELDS: [&str; 13] = [
    "homeAccountId",
    "environment",
    "realm",
    "localAccountId",
    "username",
    "authorityType",
    "name",
    "clientInfo",
    "tenantProfiles",
    "lastUpdatedAt",
    "dataBoundary",
    "cloudGraphHostName",
    "msGraphHost",
];

/// An account entity with the fields we do not model.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountEntity {
    /// The account.
    pub account: Account,
    /// Unknown fields, kept as written.
    pub extra: Vec<(String, Json)>,
    /// Unknown fields of each tenant profile (`username`, `upn`, `loginHint`...), by tenant id.
    pub profile_extra: Vec<(String, Vec<(String, Json)>)>,
}

const TENANT_PROFILE_FIELDS: [&str; 7] = ["tenantId", "localAccountId", "name", "username", "loginHint", "isHomeTenant", "upn"];

impl AccountEntity {
    /// An entity for `account` with no unknown fields.
    pub fn new(account: Account) -> AccountEntity {
        AccountEntity { account, extra: Vec::new(), profile_extra: Vec::new() }
    }

    /// Reads an account entity.
    pub fn from_json(j: &Json) -> Option<AccountEntity> {
        let s = |k: &str| j.str_field(k).map(str::to_owned);
        let opt = |k: &str| j.str_field(k).unwrap_or_default().to_owned();
        let mut profile_extra = Vec::new();
        let profiles = j
            .get("tenantProfiles")
            .and_then(Json::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                // v3 stored each profile as a JSON string; v4+ as an object.
                let owned;
                let p = match p {
                    Json::Str(text) => {
                        owned = Json::parse(text).ok()?;
                        &owned
                    }
                    other => other,
                };
                let tenant_id = p.str_field("tenantId")?.to_owned();
                let unknown = extras(p, &TENANT_PROFILE_FIELDS);
                if !unknown.is_empty() {
                    profile_extra.push((tenant_id.clone(), unknown));
                }
                Some(TenantProfile {
                    tenant_id,
                    local_account_id: p.string_or_empty("localAccountId"),
                    name: p.string_or_empty("name"),
                    username: p.string_or_empty("username"),
                    login_hint: p.string_or_empty("loginHint"),
                    upn: p.string_or_empty("upn"),
                    is_home_tenant: p.get("isHomeTenant").and_then(Json::as_bool).unwrap_or(false),
                })
            })
            .collect();
        Some(AccountEntity {
            account: Account {
                home_account_id: s("homeAccountId").filter(|x| !x.is_empty())?,
                environment: s("environment")?,
                realm: opt("realm"),
                local_account_id: opt("localAccountId"),
                username: opt("username"),
                name: opt("name"),
                authority_type: opt("authorityType"),
                client_info: opt("clientInfo"),
                tenant_profiles: profiles,
                last_updated_at_ms: ts(j, "lastUpdatedAt").unwrap_or(0),
                data_boundary: opt("dataBoundary"),
                cloud_graph_host_name: opt("cloudGraphHostName"),
                ms_graph_host: opt("msGraphHost"),
            },
            extra: extras(j, &ACCOUNT_FIELDS),
            profile_extra,
        })
    }

    /// Writes the entity.
    pub fn to_json(&self) -> Json {
        let a = &self.account;
        let profiles = a
            .tenant_profiles
            .iter()
            .map(|p| {
                let mut o = Json::object()
                    .with("tenantId", p.tenant_id.as_str())
                    .with("localAccountId", p.local_account_id.as_str())
                    .with("name", p.name.as_str())
                    .with_nonempty("username", &p.username)
                    .with_nonempty("loginHint", &p.login_hint)
                    .with("isHomeTenant", p.is_home_tenant)
                    .with_nonempty("upn", &p.upn);
                if let Some((_, unknown)) = self.profile_extra.iter().find(|(t, _)| *t == p.tenant_id) {
                    for (k, v) in unknown {
                        o.set(k, v.clone());
                    }
                }
                o
            })
            .collect::<Vec<_>>();
        let mut j = Json::object()
            .with("homeAccountId", a.home_account_id.as_str())
            .with("environment", a.environment.as_str())
            .with("realm", a.realm.as_str())
            .with("localAccountId", a.local_account_id.as_str())
            .with("username", a.username.as_str())
            .with("authorityType", a.authority_type.as_str())
            .with_nonempty("name", &a.name)
            .with_nonempty("clientInfo", &a.client_info)
            .with("tenantProfiles", profiles)
            .with_nonempty("dataBoundary", &a.data_boundary)
            .with_nonempty("cloudGraphHostName", &a.cloud_graph_host_name)
            .with_nonempty("msGraphHost", &a.ms_graph_host);
        if a.last_updated_at_ms != 0 {
            j = j.with("lastUpdatedAt", dec(a.last_updated_at_ms));
        }
        for (k, v) in &self.extra {
            j.set(k, v.clone());
        }
        j
    }
}
