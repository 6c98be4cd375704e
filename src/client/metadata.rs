//! The authority's endpoints: from configuration, the cached discovery document, or the network.

use super::*;

impl<P: Platform> PublicClientApplication<P> {
    /// Resolves the authority's endpoints (from configuration, else the discovery document).
    pub async fn initialize(&self) -> Result<(), AuthError> {
        if self.resolved.borrow().metadata.is_some() {
            return Ok(());
        }
        let cloud = if self.config.cloud_discovery_metadata.is_empty() {
            self.authority.default_cloud()
        } else {
            CloudMetadata::from_discovery(&self.config.cloud_discovery_metadata, self.authority.host())?
                .unwrap_or_else(|| self.authority.default_cloud())
        };
        let metadata = if !self.config.authority_metadata.is_empty() {
            self.log(LogLevel::Verbose, "initialize: the authority's endpoints come from the configuration");
            AuthorityMetadata::parse(&self.config.authority_metadata, &self.authority)?
        } else if let Some(cached) = self.cached_metadata() {
            self.log(LogLevel::Verbose, "initialize: the authority's endpoints come from the cached discovery document");
            cached
        } else {
            self.log(LogLevel::Verbose, "initialize: fetching the authority's discovery document");
            let url = self.authority.openid_configuration_url();
            let resp = self.platform.send(HttpRequest::get(url)).await.map_err(|e| {
                AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "could not fetch the authority's openid-configuration")
                    .with_sub_error(e.code().to_owned())
            })?;
            if !(200..300).contains(&resp.status) {
                return Err(AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the authority's openid-configuration request failed")
                    .with_status(resp.status));
            }
            let parsed = AuthorityMetadata::parse(&resp.body, &self.authority)
                .map_err(|_| AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the authority's openid-configuration is invalid"))?;
            self.store_metadata(&resp.body);
            parsed
        };
        let mut r = self.resolved.borrow_mut();
        r.metadata = Some(metadata);
        r.cloud = cloud;
        Ok(())
    }

    pub(super) fn metadata_key(&self) -> String {
        format!("msal.{}.authority-metadata.{}", self.config.client_id, self.authority.canonical())
    }

    /// The discovery document cached by an earlier page load, while fresh (24 h, msal's
    /// authority-metadata lifetime): page loads after the first need no network to initialize.
    pub(super) fn cached_metadata(&self) -> Option<AuthorityMetadata> {
        let cache = self.cache.borrow();
        let text = crate::core::cache::KeyValueStore::get(cache.store(), &self.metadata_key())?;
        let j = Json::parse(&text).ok()?;
        let expires = j.get("expiresAt").and_then(Json::as_u64)?;
        if expires <= self.platform.now_ms() {
            return None;
        }
        AuthorityMetadata::parse(j.str_field("document")?, &self.authority).ok()
    }

    pub(super) fn store_metadata(&self, document: &str) {
        let value = Json::object()
            .with("expiresAt", self.platform.now_ms().saturating_add(METADATA_LIFETIME_MS))
            .with("document", document)
            .to_json();
        let cache = self.cache.borrow();
        // Only an optimisation: a full storage just means the next load fetches it again.
        let _ = crate::core::cache::KeyValueStore::set(cache.store(), &self.metadata_key(), &value);
    }
}
