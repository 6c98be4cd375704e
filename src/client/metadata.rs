//! Authorities' endpoints: from configuration, the cached discovery document, or the network;
//! the configured authority's at `initialize`, a request's own authority's when it is first
//! named.

use crate::prelude::*;

use super::*;

impl<P: Platform> PublicClientApplication<P> {
    /// Loads the cache and the authority's endpoints known without the network: from
    /// configuration, msal's for Microsoft's clouds, or the discovery document cached by an
    /// earlier page load. Else, as msal (whose `initialize()` needs no network), the first
    /// request that needs the endpoints fetches the document (a synchronous start,
    /// [`begin_interaction`](Self::begin_interaction) or [`begin_logout`](Self::begin_logout),
    /// needs [`resolve_authority`](Self::resolve_authority) first).
    pub async fn initialize(&self) -> Result<(), AuthError> {
        if self.resolved.borrow().started {
            return Ok(());
        }
        // An encrypted cache reads as empty until it is decrypted; msal-browser 4's entries are
        // copied then.
        self.platform.load_storage().await;
        self.cache.borrow_mut().read_older_schemas_again();
        self.reload_cache();
        let cloud = if self.config.cloud_discovery_metadata.is_empty() {
            self.authority.default_cloud()
        } else {
            CloudMetadata::from_discovery(&self.config.cloud_discovery_metadata, self.authority.host())?
                .unwrap_or_else(|| self.authority.default_cloud())
        };
        // Before the endpoints: a cached or fetched document is judged against this cloud.
        self.resolved.borrow_mut().cloud = cloud;
        let metadata = if !self.config.authority_metadata.is_empty() {
            self.log(LogLevel::Verbose, "", "initialize: the authority's endpoints come from the configuration");
            Some(AuthorityMetadata::parse_configured(&self.config.authority_metadata, &self.authority)?)
        } else if let Some(builtin) = self.builtin_metadata(&self.authority) {
            self.log(LogLevel::Verbose, "", "initialize: the authority's endpoints are msal's for this cloud");
            Some(builtin)
        } else if let Some(cached) = self.cached_metadata(&self.authority) {
            self.log(LogLevel::Verbose, "", "initialize: the authority's endpoints come from the cached discovery document");
            Some(cached)
        } else {
            self.log(LogLevel::Verbose, "", "initialize: the authority's discovery document is fetched by the first request that needs it");
            None
        };
        let mut resolved = self.resolved.borrow_mut();
        resolved.metadata = metadata;
        resolved.started = true;
        Ok(())
    }

    /// With msal 5's `navigatePopups: false` (no popup on `about:blank`), the configured
    /// authority's endpoints are fetched ahead of the first popup, so that it opens at its URL:
    /// the browser client runs this in the background after `initialize` (which waits for no
    /// network). A failure is the first request's to report.
    pub async fn fetch_endpoints_ahead(&self) {
        let unknown = self.resolved.borrow().started && self.resolved.borrow().metadata.is_none();
        if unknown && !self.config.navigate_popups && self.target(None).await.is_err() {
            self.log(LogLevel::Warning, "", "the discovery document could not be fetched ahead of popups (navigatePopups: false)");
        }
    }

    /// The authority a request names, checked, when it is not the configured one. Like msal,
    /// only a trusted authority is used: on the configured authority's host (or one of its
    /// cloud's aliases), in `knownAuthorities`, or on a host of Microsoft's public and
    /// sovereign clouds (msal's bundled cloud discovery metadata).
    pub(super) fn requested_authority(&self, requested: Option<&str>) -> Result<Option<Authority>, AuthError> {
        let Some(url) = requested.filter(|u| !u.trim().is_empty()) else { return Ok(None) };
        let a = Authority::parse(url, self.config.protocol_mode)?;
        if a.canonical().eq_ignore_ascii_case(self.authority.canonical()) {
            return Ok(None);
        }
        if !a.in_known_cloud() && !a.trusted_beside(&self.authority, &self.resolved.borrow().cloud, &self.config.known_authorities) {
            return Err(AuthError::config(
                codes::UNTRUSTED_AUTHORITY,
                "the request's authority is neither on the configured authority's host nor in knownAuthorities",
            ));
        }
        Ok(Some(a))
    }

    /// The request's authority (the configured one without it) and its endpoints when they are
    /// known without the network: configured, resolved earlier on this page, or cached by an
    /// earlier page load.
    fn known_target(&self, requested: Option<&str>) -> Result<(Authority, Option<AuthorityMetadata>), AuthError> {
        self.ensure_initialized()?;
        let Some(a) = self.requested_authority(requested)? else {
            return Ok((self.authority.clone(), self.resolved.borrow().metadata.clone()));
        };
        let remembered = self.resolved.borrow().others.iter().find(|(k, _)| k == a.canonical()).map(|(_, m)| m.clone());
        let metadata = remembered.or_else(|| self.builtin_metadata(&a)).or_else(|| {
            let cached = self.cached_metadata(&a)?;
            self.resolved.borrow_mut().others.push((a.canonical().to_owned(), cached.clone()));
            Some(cached)
        });
        Ok((a, metadata))
    }

    /// msal's hardcoded endpoints for `authority` (see [`Authority::builtin_metadata`]), unless
    /// ID token claims are checked: their issuer then comes from the discovery document.
    fn builtin_metadata(&self, authority: &Authority) -> Option<AuthorityMetadata> {
        if self.config.validate_id_token_claims {
            return None;
        }
        authority.builtin_metadata()
    }

    /// The request's authority and its endpoints, if known without the network (`Ok(None)`:
    /// call [`target`](Self::target) or [`resolve_authority`](Self::resolve_authority)).
    pub(super) fn target_now(&self, requested: Option<&str>) -> Result<Option<Target>, AuthError> {
        let (authority, metadata) = self.known_target(requested)?;
        Ok(metadata.map(|metadata| Target { authority, metadata }))
    }

    /// The request's authority and its endpoints, fetching its discovery document the first
    /// time (then cached for 24 hours, as the configured authority's).
    pub(super) async fn target(&self, requested: Option<&str>) -> Result<Target, AuthError> {
        let (authority, metadata) = self.known_target(requested)?;
        let metadata = match metadata {
            Some(m) => m,
            None => {
                self.log(LogLevel::Verbose, "", "fetching the discovery document of the request's authority");
                let m = self.fetch_metadata(&authority).await?;
                let mut resolved = self.resolved.borrow_mut();
                if authority.canonical() == self.authority.canonical() {
                    resolved.metadata = Some(m.clone());
                } else {
                    resolved.others.push((authority.canonical().to_owned(), m.clone()));
                }
                m
            }
        };
        Ok(Target { authority, metadata })
    }

    /// Resolves the endpoints of a request's `authority` (`None`: the configured one) ahead of
    /// a synchronous start: afterwards [`begin_interaction`](Self::begin_interaction) and
    /// [`begin_logout`](Self::begin_logout) find them.
    pub async fn resolve_authority(&self, authority: Option<&str>) -> Result<(), AuthError> {
        self.target(authority).await.map(|_| ())
    }

    async fn fetch_metadata(&self, authority: &Authority) -> Result<AuthorityMetadata, AuthError> {
        let url = authority.openid_configuration_url();
        let sent = self.platform.send(HttpRequest::get(url), self.config.network_timeout_ms).await;
        let (parsed, document) = AuthorityMetadata::from_response(sent, authority)?;
        if !parsed.fits(authority, &self.resolved.borrow().cloud, &self.config.known_authorities) {
            // (msal's issuer check fails its endpoint resolution, which it reports as such.)
            return Err(AuthError::client(
                codes::ENDPOINTS_RESOLUTION_ERROR,
                "the authority's openid-configuration names an issuer of another host, or an endpoint that is not https",
            )
            .with_sub_error(codes::ISSUER_VALIDATION_FAILED.to_owned()));
        }
        if parsed.endpoints_trusted(authority, &self.resolved.borrow().cloud, &self.config.known_authorities) {
            self.store_metadata(authority, &document);
        }
        Ok(parsed)
    }

    pub(super) fn metadata_key(&self, authority: &Authority) -> String {
        self.metadata_key_of(authority.canonical())
    }

    fn metadata_key_of(&self, canonical: &str) -> String {
        metadata_key(&self.config.client_id, canonical)
    }

    /// A token request to `url` got a 404: the provider moved its endpoints since its discovery
    /// document was fetched (kept 24 h). The documents whose token endpoint it is (with the
    /// request's query after it) are dropped, stored and in memory, so the next request fetches
    /// them again. (Endpoints from the configuration are the app's: kept.)
    pub(super) fn forget_endpoints(&self, url: &str) {
        if !self.config.authority_metadata.is_empty() {
            return;
        }
        let mut dropped = Vec::new();
        {
            let mut resolved = self.resolved.borrow_mut();
            let named = |m: &AuthorityMetadata| url.starts_with(m.token_endpoint.as_str());
            if resolved.metadata.as_ref().is_some_and(named) {
                resolved.metadata = None;
                dropped.push(self.authority.canonical().to_owned());
            }
            resolved.others.retain(|(a, m)| {
                let keep = !named(m);
                if !keep {
                    dropped.push(a.clone());
                }
                keep
            });
        }
        let cache = self.cache.borrow();
        for a in &dropped {
            crate::core::cache::KeyValueStore::remove(cache.store(), &self.metadata_key_of(a));
        }
        if !dropped.is_empty() {
            self.log(LogLevel::Warning, "", "the token endpoint answered 404: its discovery document is fetched again");
        }
    }

    /// The discovery document cached by an earlier page load, while fresh (24 h, msal's
    /// authority-metadata lifetime): page loads after the first need no network to initialize.
    /// Anything else found under its key — expired, expiring more than 24 h from now, with an
    /// endpoint that is not `https`, or an issuer or endpoint on a host that is not the
    /// authority's (see [`AuthorityMetadata::fits`] and
    /// [`AuthorityMetadata::endpoints_trusted`]) — is removed, and the document is fetched again.
    pub(super) fn cached_metadata(&self, authority: &Authority) -> Option<AuthorityMetadata> {
        let key = self.metadata_key(authority);
        let cache = self.cache.borrow();
        let text = crate::core::cache::KeyValueStore::get(cache.store(), &key)?;
        let now = self.platform.now_ms();
        let valid = read_metadata_entry(&text, |expires, document| {
            if expires <= now || expires > now.saturating_add(METADATA_LIFETIME_MS) {
                return None;
            }
            let m = AuthorityMetadata::parse(document, authority).ok()?;
            let (cloud, known) = (&self.resolved.borrow().cloud, &self.config.known_authorities);
            (m.fits(authority, cloud, known) && m.endpoints_trusted(authority, cloud, known)).then_some(m)
        });
        if valid.is_none() {
            crate::core::cache::KeyValueStore::remove(cache.store(), &key);
            self.log(
                LogLevel::Warning,
                "",
                "dropped a cached discovery document that was expired or not the authority's; fetching it again",
            );
        }
        valid
    }

    pub(super) fn store_metadata(&self, authority: &Authority, document: &str) {
        let value = metadata_entry(self.platform.now_ms().saturating_add(METADATA_LIFETIME_MS), document);
        let cache = self.cache.borrow();
        // Only an optimisation: a full storage just means the next load fetches it again.
        let _ = crate::core::cache::KeyValueStore::set(cache.store(), &self.metadata_key(authority), &value);
    }
}

/// The cache store's key of an authority's discovery document (`canonical`: its URL as
/// [`Authority::canonical`] writes it).
#[inline]
pub fn metadata_key(client_id: &str, canonical: &str) -> String {
    ["msal.", client_id, ".authority-metadata.", canonical].concat()
}

/// The cache store's entry of a discovery document held until `expires_at_ms`.
#[inline]
pub fn metadata_entry(expires_at_ms: u64, document: &str) -> String {
    Json::object().with("expiresAt", expires_at_ms).with("document", document).to_json()
}

/// `read(expiry, document)` of a [`metadata_entry`].
#[inline]
pub fn read_metadata_entry<R>(text: &str, read: impl FnOnce(u64, &str) -> Option<R>) -> Option<R> {
    let j = Json::parse(text).ok()?;
    read(j.get("expiresAt").and_then(Json::as_u64)?, j.str_field("document")?)
}
