//! Authorities: parsing, classification, the openid-configuration URL, endpoint metadata and
//! cloud (instance) discovery.

use crate::prelude::*;

use super::json::Json;
use super::text::replace;
use super::url::UrlParts;
use crate::error::{codes, AuthError, Kept};

/// How the library talks to the identity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtocolMode {
    /// Microsoft Entra ID (client_info, instance discovery, `login.windows.net` cache aliases).
    #[default]
    Aad,
    /// Any OpenID Connect provider.
    Oidc,
}

/// The kind of authority, as msal classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorityType {
    /// Entra ID (including B2C hosts listed in `knownAuthorities`) or a generic OIDC issuer.
    Default,
    /// AD FS (`/adfs` path).
    Adfs,
    /// Entra External ID (`*.ciamlogin.com`).
    Ciam,
}

/// A parsed authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    canonical: String,
    host: String,
    tenant: String,
    kind: AuthorityType,
    protocol_mode: ProtocolMode,
}

/// Hosts of Microsoft's public and sovereign clouds, with their aliases and preferred hosts
/// (msal's bundled cloud-discovery metadata).
const KNOWN_CLOUDS: &[(&str, &str, &[&str])] = &[
    (
        "login.microsoftonline.com",
        "login.windows.net",
        &["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
    ),
    (
        "login.partner.microsoftonline.cn",
        "login.partner.microsoftonline.cn",
        &["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
    ),
    ("login.microsoftonline.de", "login.microsoftonline.de", &["login.microsoftonline.de"]),
    ("login.microsoftonline.us", "login.microsoftonline.us", &["login.microsoftonline.us", "login.usgovcloudapi.net"]),
    ("login-us.microsoftonline.com", "login-us.microsoftonline.com", &["login-us.microsoftonline.com"]),
    ("login.sovcloud-identity.fr", "login.sovcloud-identity.fr", &["login.sovcloud-identity.fr"]),
    ("login.sovcloud-identity.de", "login.sovcloud-identity.de", &["login.sovcloud-identity.de"]),
    ("login.sovcloud-identity.sg", "login.sovcloud-identity.sg", &["login.sovcloud-identity.sg"]),
];

/// The host an entry of `knownAuthorities` names: the entry itself, or the host of a URL
/// (msal's `getDomainFromUrl`: configurations list whole policy URLs as often as hosts).
fn known_host(entry: &str) -> &str {
    let rest = super::text::find(entry, "://").and_then(|i| entry.get(i + 3..)).unwrap_or(entry);
    super::text::until(rest, b"/?#")
}

/// True for a tenant written as a GUID (`8-4-4-4-12` hex digits), not as a domain name.
pub fn is_guid(tenant: &str) -> bool {
    let b = tenant.as_bytes();
    b.len() == 36 && b.iter().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

fn is_loopback(host: &str) -> bool {
    let name = match host.find(']') {
        Some(end) => host.get(..=end).unwrap_or(host),
        None => host.split(':').next().unwrap_or(host),
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

impl Authority {
    /// Parses an authority URL such as `https://login.microsoftonline.com/common`.
    ///
    /// https is required, except for loopback hosts (local development and tests).
    pub fn parse(url: &str, protocol_mode: ProtocolMode) -> Result<Authority, AuthError> {
        // A query (`?dc=…`, a slice for testing; a bare `?`) names nothing msal's endpoints
        // keep: its tenant is the path's, its endpoints those of the host or the document.
        let url = super::text::until(url.trim(), b"?");
        if url.is_empty() {
            return Err(AuthError::config(codes::EMPTY_URL_ERROR, "the authority is empty"));
        }
        let parts =
            UrlParts::parse(url).ok_or_else(|| AuthError::config(codes::URL_PARSE_ERROR, "the authority is not an absolute URL"))?;
        if parts.scheme != "https" && !is_loopback(&parts.host) {
            return Err(AuthError::config(codes::AUTHORITY_URI_INSECURE, "the authority must use https"));
        }
        let mut segments = parts.segments.clone();
        let kind = if parts.host.ends_with(".ciamlogin.com") {
            if segments.is_empty() {
                let sub = parts.host.split('.').next().unwrap_or_default();
                segments.push([sub, ".onmicrosoft.com"].concat());
            }
            AuthorityType::Ciam
        } else if segments.first().is_some_and(|s| s.eq_ignore_ascii_case("adfs")) {
            AuthorityType::Adfs
        } else {
            AuthorityType::Default
        };
        if segments.is_empty() && protocol_mode == ProtocolMode::Aad {
            return Err(AuthError::config(codes::URL_EMPTY_PATH, Kept("the authority needs a tenant path segment")));
        }
        let mut canonical = parts.origin();
        canonical.push('/');
        for s in &segments {
            canonical.push_str(s);
            canonical.push('/');
        }
        Ok(Authority { canonical, tenant: segments.first().cloned().unwrap_or_default(), host: parts.host, kind, protocol_mode })
    }

    /// True when `self`, an authority a request names, may be used by a client configured with
    /// `configured`: it is on that host, on an alias of its `cloud`, or in `known_authorities`
    /// (msal's trust of a request's own authority).
    pub fn trusted_beside(&self, configured: &Authority, cloud: &CloudMetadata, known_authorities: &[String]) -> bool {
        self.host.eq_ignore_ascii_case(&configured.host)
            // (msal trusts any External ID host, as a request's authority too.)
            || self.kind == AuthorityType::Ciam
            || known_authorities.iter().any(|k| known_host(k).eq_ignore_ascii_case(&self.host))
            || cloud.has_alias(&self.host)
    }

    /// `https://host/path/` (always ends with `/`).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }
    /// Host (with port when one is given).
    pub fn host(&self) -> &str {
        &self.host
    }
    /// The first path segment: `common`, a GUID, `contoso.onmicrosoft.com`, `adfs`...
    pub fn tenant(&self) -> &str {
        &self.tenant
    }
    /// This authority's URL with its tenant segment replaced by `tenant`, the rest of its path
    /// (a B2C policy, `v2.0`) kept.
    pub fn with_tenant(&self, tenant: &str) -> String {
        // (Built as `parse` builds the canonical form.)
        let Some(parts) = UrlParts::parse(&self.canonical) else { return self.canonical.clone() };
        let mut url = parts.origin();
        for s in [tenant].into_iter().chain(parts.segments.iter().skip(1).map(String::as_str)) {
            url.push('/');
            url.push_str(s);
        }
        url.push('/');
        url
    }
    /// The authority type.
    pub fn kind(&self) -> AuthorityType {
        self.kind
    }
    /// The protocol mode it was parsed for.
    pub fn protocol_mode(&self) -> ProtocolMode {
        self.protocol_mode
    }

    /// True for Microsoft's cloud hosts.
    pub fn is_microsoft_host(&self) -> bool {
        self.in_known_cloud() || self.kind == AuthorityType::Ciam || self.host.ends_with(".b2clogin.com")
    }

    /// True for a host of Microsoft's public or sovereign clouds (msal's bundled cloud
    /// discovery metadata).
    pub fn in_known_cloud(&self) -> bool {
        KNOWN_CLOUDS.iter().any(|(_, _, aliases)| aliases.contains(&self.host.as_str()))
    }

    /// True for the multi-tenant aliases (`common`, `organizations`, `consumers`).
    pub fn is_multi_tenant(&self) -> bool {
        ["common", "organizations", "consumers"].iter().any(|t| t.eq_ignore_ascii_case(&self.tenant))
    }

    /// The one Entra tenant this authority signs in to, when it names one: its only path
    /// segment (`https://login.microsoftonline.com/<tenant>/`), not a multi-tenant alias, not
    /// ADFS, B2C (tenant and policy) or a generic provider. Tokens it issues are cached under
    /// that tenant.
    pub fn single_tenant(&self) -> Option<&str> {
        let path = self.canonical.get(super::text::find(&self.canonical, "://").map_or(0, |i| i + 3)..).unwrap_or_default();
        let segments = path.split('/').skip(1).filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("v2.0")).count();
        let one = segments == 1 && self.protocol_mode == ProtocolMode::Aad && self.kind != AuthorityType::Adfs && !self.is_multi_tenant();
        one.then_some(self.tenant.as_str())
    }

    /// msal's hardcoded endpoints for Microsoft's public and sovereign clouds, so that no
    /// discovery request is needed: for `https://<one of msal's hosts, or an alias of one>/<tenant>/`
    /// only (not ADFS, not a path of more segments). An alias host (`login.windows.net`) gets
    /// its cloud's network host's endpoints, as msal moves such an authority to that host.
    pub fn builtin_metadata(&self) -> Option<AuthorityMetadata> {
        const HOSTS: [&str; 6] = [
            "login.microsoftonline.com",
            "login.partner.microsoftonline.cn",
            "login.microsoftonline.us",
            "login.sovcloud-identity.fr",
            "login.sovcloud-identity.de",
            "login.sovcloud-identity.sg",
        ];
        let own = ["https://", &self.host, "/", &self.tenant].concat();
        let one_segment = self.canonical.len() == own.len() + 1 && self.canonical.starts_with(&own);
        let host = KNOWN_CLOUDS
            .iter()
            .find(|(_, _, aliases)| aliases.contains(&self.host.as_str()))
            .map_or(self.host.as_str(), |(network, _, _)| *network);
        if !HOSTS.contains(&host) || !one_segment || self.kind != AuthorityType::Default || self.tenant.is_empty() {
            return None;
        }
        let base = ["https://", host, "/", &self.tenant].concat();
        let at = |path: &str| [base.as_str(), path].concat();
        Some(AuthorityMetadata {
            authorization_endpoint: at("/oauth2/v2.0/authorize"),
            token_endpoint: at("/oauth2/v2.0/token"),
            end_session_endpoint: Some(at("/oauth2/v2.0/logout")),
            issuer: at("/v2.0"),
            jwks_uri: Some(at("/discovery/v2.0/keys")),
            userinfo_endpoint: None,
            device_authorization_endpoint: None,
        })
    }

    /// Where the OpenID Connect discovery document lives.
    pub fn openid_configuration_url(&self) -> String {
        let direct = self.kind == AuthorityType::Adfs
            || self.canonical.as_bytes().rsplit(|b| *b == b'/').nth(1).is_some_and(|s| s.eq_ignore_ascii_case(b"v2.0"))
            || (self.protocol_mode == ProtocolMode::Oidc && !self.is_microsoft_host());
        if direct {
            [self.canonical.as_str(), ".well-known/openid-configuration"].concat()
        } else {
            [self.canonical.as_str(), "v2.0/.well-known/openid-configuration"].concat()
        }
    }

    /// The cloud-discovery entry for this host from msal's bundled table, or one made of the
    /// host alone.
    pub fn default_cloud(&self) -> CloudMetadata {
        CloudMetadata::of_host(&self.host)
    }
}

/// Endpoints from an OpenID Connect discovery document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthorityMetadata {
    /// `authorization_endpoint`
    pub authorization_endpoint: String,
    /// `token_endpoint`
    pub token_endpoint: String,
    /// `end_session_endpoint`, if any.
    pub end_session_endpoint: Option<String>,
    /// `issuer`
    pub issuer: String,
    /// `jwks_uri`, if any.
    pub jwks_uri: Option<String>,
    /// `userinfo_endpoint`, if any.
    pub userinfo_endpoint: Option<String>,
    /// `device_authorization_endpoint`, if any.
    pub device_authorization_endpoint: Option<String>,
}

impl AuthorityMetadata {
    /// The endpoints in the answer to `authority`'s openid-configuration request, with the
    /// document: msal's `endpoints_resolution_error` when the request failed, the answer is not
    /// a success or the document does not parse (the caller checks that it fits).
    pub fn from_response(
        sent: Result<super::http::HttpResponse, AuthError>,
        authority: &Authority,
    ) -> Result<(AuthorityMetadata, String), AuthError> {
        let resp = sent.map_err(|e| {
            AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "could not fetch the authority's openid-configuration")
                .with_sub_error(e.code().to_owned())
        })?;
        if !(200..300).contains(&resp.status) {
            return Err(AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the authority's openid-configuration request failed")
                .with_status(resp.status));
        }
        let parsed = AuthorityMetadata::parse(&resp.body, authority)
            .map_err(|_| AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the authority's openid-configuration is invalid"))?;
        Ok((parsed, resp.body))
    }

    /// Parses a discovery document and replaces `{tenant}` / `{tenantid}` with the authority's
    /// tenant segment.
    pub fn parse(text: &str, authority: &Authority) -> Result<AuthorityMetadata, AuthError> {
        Self::read(text, authority, true)
    }

    /// The app's `authorityMetadata`: as [`Self::parse`], its `issuer` optional (msal takes
    /// the document as given; an ID token's issuer is then not checked).
    pub fn parse_configured(text: &str, authority: &Authority) -> Result<AuthorityMetadata, AuthError> {
        Self::read(text, authority, false)
    }

    fn read(text: &str, authority: &Authority, issuer_required: bool) -> Result<AuthorityMetadata, AuthError> {
        let bad =
            || AuthError::config(codes::INVALID_AUTHORITY_METADATA, "the authority metadata is not a valid openid-configuration document");
        let json = Json::parse(text).map_err(|_| bad())?;
        let tenant = authority.tenant();
        let endpoint = |key: &str| -> Option<String> {
            let v = json.str_field(key)?;
            let v = replace(&replace(v, "{tenant}", tenant), "{tenantid}", tenant);
            UrlParts::parse(super::text::until(&v, b"?#")).map(|_| v)
        };
        Ok(AuthorityMetadata {
            authorization_endpoint: endpoint("authorization_endpoint").ok_or_else(bad)?,
            token_endpoint: endpoint("token_endpoint").ok_or_else(bad)?,
            end_session_endpoint: endpoint("end_session_endpoint"),
            issuer: match json.str_field("issuer") {
                Some(i) => replace(&replace(i, "{tenant}", tenant), "{tenantid}", tenant),
                None if !issuer_required => String::new(),
                None => return Err(bad()),
            },
            jwks_uri: endpoint("jwks_uri"),
            userinfo_endpoint: endpoint("userinfo_endpoint"),
            device_authorization_endpoint: endpoint("device_authorization_endpoint"),
        })
    }
}

impl AuthorityMetadata {
    /// Whether a discovery document may be used for `authority` (whose cloud is `cloud`):
    /// every endpoint is `https` (loopback `http` aside), and the issuer is on a host that may
    /// serve the authority (its own, its cloud's, a Microsoft cloud's or a known one) — msal's
    /// `issuer_validation_failed` rule.
    pub fn fits(&self, authority: &Authority, cloud: &CloudMetadata, known_authorities: &[String]) -> bool {
        let secure =
            |url: &str| UrlParts::parse(super::text::until(url, b"?#")).is_some_and(|p| p.scheme == "https" || is_loopback(&p.host));
        if !self.endpoints().all(secure) {
            return false;
        }
        UrlParts::parse(&self.issuer)
            .filter(|p| p.scheme == "https" || is_loopback(&p.host))
            .is_some_and(|p| Self::trusted_host(&p.host, authority, cloud, known_authorities))
    }

    /// Whether every endpoint the client sends a user or a secret to (authorize, token, end
    /// session, device authorization) is on a host that may serve the authority, as the issuer
    /// must be. A document read back from storage must be: a page of the origin could have
    /// planted one that sends the codes, verifiers and refresh tokens elsewhere. A fetched one
    /// came from the authority itself and may name other hosts (some providers issue tokens
    /// from another host); it is then used but not kept. (Entra's names Graph's `userinfo`.)
    pub fn endpoints_trusted(&self, authority: &Authority, cloud: &CloudMetadata, known_authorities: &[String]) -> bool {
        let used = [Some(&self.authorization_endpoint), Some(&self.token_endpoint), self.end_session_endpoint.as_ref()];
        used.into_iter().chain([self.device_authorization_endpoint.as_ref()]).flatten().all(|url| {
            UrlParts::parse(super::text::until(url, b"?#"))
                .is_some_and(|p| Self::trusted_host(&p.host, authority, cloud, known_authorities))
        })
    }

    fn endpoints(&self) -> impl Iterator<Item = &str> {
        [Some(&self.authorization_endpoint), Some(&self.token_endpoint), self.end_session_endpoint.as_ref()]
            .into_iter()
            .chain([self.jwks_uri.as_ref(), self.userinfo_endpoint.as_ref(), self.device_authorization_endpoint.as_ref()])
            .flatten()
            .map(String::as_str)
    }

    /// The authority's host, its cloud's, a Microsoft cloud's (regional and External ID hosts
    /// included) or a host of `known_authorities`.
    fn trusted_host(host: &str, authority: &Authority, cloud: &CloudMetadata, known_authorities: &[String]) -> bool {
        // `a` itself or a subdomain of it (regional hosts such as `westus.login.microsoft.com`).
        let under = |a: &str| host.strip_suffix(a).is_some_and(|rest| rest.is_empty() || rest.ends_with('.'));
        let microsoft = KNOWN_CLOUDS.iter().any(|(_, _, aliases)| aliases.iter().any(|a| under(a))) || under("ciamlogin.com");
        host.eq_ignore_ascii_case(authority.host())
            || cloud.has_alias(host)
            || microsoft
            || known_authorities.iter().any(|k| known_host(k).eq_ignore_ascii_case(host))
    }
}

/// One cloud from instance discovery: which hosts are the same cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudMetadata {
    /// Host to send requests to.
    pub preferred_network: String,
    /// Host used as `environment` in the cache.
    pub preferred_cache: String,
    /// Every host of this cloud.
    pub aliases: Vec<String>,
}

impl CloudMetadata {
    /// A cloud made of one host.
    pub fn single(host: &str) -> CloudMetadata {
        CloudMetadata { preferred_network: host.to_owned(), preferred_cache: host.to_owned(), aliases: vec![host.to_owned()] }
    }

    /// The cloud msal's bundled table lists `host` in, or one made of the host alone.
    pub fn of_host(host: &str) -> CloudMetadata {
        KNOWN_CLOUDS
            .iter()
            .find(|(_, _, aliases)| aliases.iter().any(|a| a.eq_ignore_ascii_case(host)))
            .map(|(net, cache, aliases)| CloudMetadata {
                preferred_network: (*net).to_owned(),
                preferred_cache: (*cache).to_owned(),
                aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            })
            .unwrap_or_else(|| CloudMetadata::single(host))
    }

    /// True if `host` is one of this cloud's aliases (ignoring case).
    pub fn has_alias(&self, host: &str) -> bool {
        self.aliases.iter().any(|a| a.eq_ignore_ascii_case(host))
    }

    /// Picks the entry for `host` from an instance-discovery response (or from the
    /// `cloudDiscoveryMetadata` configuration string, which has the same shape).
    /// `Ok(None)` when no entry names the host.
    pub fn from_discovery(text: &str, host: &str) -> Result<Option<CloudMetadata>, AuthError> {
        let bad = || AuthError::config(codes::INVALID_CLOUD_DISCOVERY_METADATA, "the cloud discovery metadata is invalid");
        let json = Json::parse(text).map_err(|_| bad())?;
        if json.str_field("error") == Some("invalid_instance") {
            return Err(AuthError::config(codes::UNTRUSTED_AUTHORITY, "the authority is not a known cloud instance"));
        }
        let entries = json.get("metadata").and_then(Json::as_array).ok_or_else(bad)?;
        for e in entries {
            let aliases = e.get("aliases").map(Json::strings).unwrap_or_default();
            if aliases.iter().any(|a| a.eq_ignore_ascii_case(host)) {
                return Ok(Some(CloudMetadata {
                    preferred_network: e.str_field("preferred_network").unwrap_or(host).to_owned(),
                    preferred_cache: e.str_field("preferred_cache").unwrap_or(host).to_owned(),
                    aliases,
                }));
            }
        }
        Ok(None)
    }

    /// The instance-discovery URL msal queries for `authority`.
    pub fn discovery_url(authority: &Authority) -> String {
        [
            "https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=",
            &super::url::encode(&[authority.canonical(), "oauth2/v2.0/authorize"].concat()),
        ]
        .concat()
    }
}

#[cfg(test)]
mod tests;
