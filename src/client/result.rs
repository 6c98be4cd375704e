//! `AuthenticationResult` and `AccountInfo`, and their msal-browser JSON shape.

use crate::prelude::*;

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

impl AccountInfo {
    /// What identifies it in a request: the account and this tenant profile.
    pub fn to_ref(&self) -> super::AccountRef {
        let claim = |name: &str| self.id_token_claims.as_ref().and_then(|c| c.str_field(name)).unwrap_or_default().to_owned();
        super::AccountRef {
            login_hint: claim("login_hint"),
            sid: claim("sid"),
            username: self.account.username.clone(),
            environment: self.account.environment.clone(),
            ..super::AccountRef::in_tenant(self.account.home_account_id.clone(), Some(self.account.realm.clone()))
        }
    }
}

impl ::core::fmt::Debug for AccountInfo {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("AccountInfo")
            .field("home_account_id", &self.account.home_account_id)
            .field("environment", &self.account.environment)
            .field("id_token", &self.id_token)
            .finish_non_exhaustive()
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
    /// The server's id for the token request (`x-ms-request-id`); empty from the cache.
    pub request_id: String,
    /// For a result served from the cache: when (ms since the epoch) this token stops being
    /// served, i.e. its expiry minus the renewal offset; 0 otherwise.
    pub served_until_ms: u64,
    /// For a DPoP token: a proof for the request's `resourceRequestMethod` and
    /// `resourceRequestUri` (msal's `dpopProof`; never in `Debug`).
    pub dpop_proof: Option<String>,
    /// The id (thumbprint) of the key a bound (DPoP, PoP) token is bound to, until the result
    /// is finished for its scheme (its proof, or PoP's signed request); empty for Bearer. Kept
    /// with the result, as msal keeps it on the cache record, for a token that is not stored.
    pub key_id: String,
}

impl ::core::fmt::Debug for AuthenticationResult {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
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
