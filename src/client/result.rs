//! `AuthenticationResult` and `AccountInfo`, and their msal-browser JSON shape.

use crate::core::account::Account;
use crate::core::json::Json;
use crate::secret::{AccessToken, IdToken};

/// An account as apps see it (msal's `AccountInfo`).
#[derive(Clone, PartialEq)]
pub struct AccountInfo {
    /// The cached account.
    pub account: Account,
    /// Its ID token, if cached.
    pub id_token: Option<IdToken>,
    /// The ID token's claims (JSON object), if any.
    pub id_token_claims: Option<Json>,
}

impl std::fmt::Debug for AccountInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountInfo")
            .field("home_account_id", &self.account.home_account_id)
            .field("environment", &self.account.environment)
            .field("id_token", &self.id_token)
            .finish_non_exhaustive()
    }
}

impl AccountInfo {
    /// msal's camelCase `AccountInfo` object.
    pub fn to_json(&self) -> Json {
        let a = &self.account;
        let profiles = a
            .tenant_profiles
            .iter()
            .map(|p| {
                Json::object()
                    .with("tenantId", p.tenant_id.as_str())
                    .with("localAccountId", p.local_account_id.as_str())
                    .with("name", p.name.as_str())
                    .with("isHomeTenant", p.is_home_tenant)
            })
            .collect::<Vec<_>>();
        let mut j = Json::object()
            .with("homeAccountId", a.home_account_id.as_str())
            .with("environment", a.environment.as_str())
            .with("tenantId", a.realm.as_str())
            .with("username", a.username.as_str())
            .with("localAccountId", a.local_account_id.as_str())
            .with("name", a.name.as_str())
            .with("authorityType", a.authority_type.as_str())
            .with("tenantProfiles", profiles);
        if let Some(t) = &self.id_token {
            j = j.with("idToken", t.secret());
        }
        if let Some(c) = &self.id_token_claims {
            j.set("idTokenClaims", c.clone());
        }
        j
    }
}

/// The result of every token acquisition (msal's `AuthenticationResult`).
#[derive(Clone)]
pub struct AuthenticationResult {
    /// Canonical authority.
    pub authority: String,
    /// `oid` or `sub`.
    pub unique_id: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Scopes of the access token.
    pub scopes: Vec<String>,
    /// The account.
    pub account: AccountInfo,
    /// The access token.
    pub access_token: AccessToken,
    /// True when served from the cache.
    pub from_cache: bool,
    /// Expiry, ms since the epoch.
    pub expires_on_ms: u64,
    /// Extended expiry, ms since the epoch.
    pub ext_expires_on_ms: u64,
    /// Proactive refresh time, ms since the epoch.
    pub refresh_on_ms: Option<u64>,
    /// `Bearer` unless PoP.
    pub token_type: String,
    /// Correlation id of the request.
    pub correlation_id: String,
    /// The app state of an interactive request.
    pub state: String,
    /// FOCI family id.
    pub family_id: String,
    /// For a result served from the cache: when (ms since the epoch) this token stops being
    /// served, i.e. its expiry minus the renewal offset; 0 otherwise.
    pub served_until_ms: u64,
}

impl std::fmt::Debug for AuthenticationResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticationResult")
            .field("authority", &self.authority)
            .field("scopes", &self.scopes)
            .field("access_token", &self.access_token)
            .field("from_cache", &self.from_cache)
            .field("expires_on_ms", &self.expires_on_ms)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl AuthenticationResult {
    /// msal's camelCase object; dates are milliseconds (the JS layer makes `Date`s of them).
    pub fn to_json(&self) -> Json {
        let account = self.account.to_json();
        let mut j = Json::object()
            .with("authority", self.authority.as_str())
            .with("uniqueId", self.unique_id.as_str())
            .with("tenantId", self.tenant_id.as_str())
            .with("scopes", Json::Arr(self.scopes.iter().map(|s| Json::from(s.as_str())).collect()))
            .with("idToken", self.account.id_token.as_ref().map(|t| t.secret()).unwrap_or_default())
            .with("accessToken", self.access_token.secret())
            .with("fromCache", self.from_cache)
            .with("expiresOn", self.expires_on_ms)
            .with("extExpiresOn", self.ext_expires_on_ms)
            .with("tokenType", self.token_type.as_str())
            .with("correlationId", self.correlation_id.as_str())
            .with("state", self.state.as_str())
            .with("familyId", self.family_id.as_str());
        j.set("idTokenClaims", self.account.id_token_claims.clone().unwrap_or_else(Json::object));
        if let Some(r) = self.refresh_on_ms {
            j.set("refreshOn", Json::from(r));
        }
        j.set("account", account);
        j
    }
}
