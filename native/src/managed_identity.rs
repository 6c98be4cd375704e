//! msal-node's `ManagedIdentityApplication`: tokens for the managed identity of the Azure
//! resource the code runs on, from the endpoint of that environment — App Service and
//! Functions, Azure Arc, Cloud Shell, Service Fabric, Azure Machine Learning, or the instance
//! metadata service (IMDS) of a VM, a scale set or AKS — cached in memory as msal-node caches
//! them. No secret is configured: the environment proves who the code is.
//!
//! ```no_run
//! # async fn run() -> Result<(), msal_wasm::AuthError> {
//! use msal_native::{ManagedIdentityApplication, ManagedIdentityConfig, ManagedIdentityRequest};
//! let app = ManagedIdentityApplication::new(ManagedIdentityConfig::system_assigned())?;
//! let token = app.acquire_token(&ManagedIdentityRequest::new("https://vault.azure.net")).await?;
//! println!("{:?} expires at {} ms", app.source(), token.expires_on_ms);
//! # Ok(()) }
//! ```

use crate::confidential::AppToken;
use crate::http::Http;
use crate::now_s;
use crate::system::{LogLevel, NetworkClient, SystemOptions};
use msal_wasm::core::authorize::{SKU, VERSION};
use msal_wasm::core::cache::unified::UnifiedCache;
use msal_wasm::core::cache::{is_expired, refresh_due, Credential as CacheEntry, CredentialType, DEFAULT_RENEWAL_OFFSET_SECS};
use msal_wasm::core::http::{HttpRequest, HttpResponse, Method};
use msal_wasm::core::json::Json;
use msal_wasm::core::scopes::ScopeSet;
use msal_wasm::core::sha256::sha256;
use msal_wasm::core::token::classify_server_error;
use msal_wasm::core::url;
use msal_wasm::error::{codes, AuthError, ErrorKind};
use msal_wasm::secret::AccessToken;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

/// The client id msal caches a system-assigned identity's tokens under.
pub const SYSTEM_ASSIGNED_ID: &str = "system_assigned_managed_identity";
/// The tenant (realm) of managed identity tokens in the cache (msal-node's fake authority's).
const TENANT: &str = "managed_identity";
/// The cache environment of managed identity tokens (msal-node's fake authority's host).
const ENVIRONMENT: &str = "login.microsoftonline.com";
/// The largest Azure Arc secret file msal reads.
const ARC_SECRET_MAX_BYTES: u64 = 4096;

/// msal-node's managed identity error codes.
pub mod error_codes {
    #![allow(missing_docs)]
    pub const INVALID_FILE_EXTENSION: &str = "invalid_file_extension";
    pub const INVALID_FILE_PATH: &str = "invalid_file_path";
    pub const INVALID_MANAGED_IDENTITY_ID_TYPE: &str = "invalid_managed_identity_id_type";
    pub const INVALID_SECRET: &str = "invalid_secret";
    pub const MISSING_CLIENT_ID: &str = "missing_client_id";
    pub const PLATFORM_NOT_SUPPORTED: &str = "platform_not_supported";
    pub const UNABLE_TO_CREATE_CLOUD_SHELL: &str = "unable_to_create_cloud_shell";
    pub const UNABLE_TO_READ_SECRET_FILE: &str = "unable_to_read_secret_file";
    pub const USER_ASSIGNED_MANAGED_IDENTITY_NOT_CONFIRMED: &str = "user_assigned_managed_identity_not_confirmed";
    pub const WWW_AUTHENTICATE_HEADER_MISSING: &str = "www_authenticate_header_missing";
    pub const WWW_AUTHENTICATE_HEADER_UNSUPPORTED_FORMAT: &str = "www_authenticate_header_unsupported_format";
    pub const AZURE_POD_IDENTITY_AUTHORITY_HOST_URL_MALFORMED: &str = "azure_pod_identity_authority_host_url_malformed";
    pub const IDENTITY_ENDPOINT_URL_MALFORMED: &str = "identity_endpoint_url_malformed";
    pub const IMDS_ENDPOINT_URL_MALFORMED: &str = "imds_endpoint_url_malformed";
    pub const MSI_ENDPOINT_URL_MALFORMED: &str = "msi_endpoint_url_malformed";
    /// A response body that is not JSON (msal-node's `ClientAuthError`).
    pub const TOKEN_PARSING_ERROR: &str = "token_parsing_error";
}
use error_codes as mi;

fn mi_error(code: &'static str, message: &'static str) -> AuthError {
    AuthError::new(ErrorKind::Client, code, message)
}

/// Which managed identity to use: the resource's own (system-assigned), or one assigned to it,
/// named by its client id, its Azure resource id or its object id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ManagedIdentityId {
    /// The resource's own identity.
    #[default]
    SystemAssigned,
    /// A user-assigned identity by client (application) id.
    UserAssignedClientId(String),
    /// A user-assigned identity by Azure resource id (`/subscriptions/…`).
    UserAssignedResourceId(String),
    /// A user-assigned identity by object (principal) id.
    UserAssignedObjectId(String),
}

impl ManagedIdentityId {
    /// msal-node's `managedIdentityIdParams`: at most one of the three (an empty one counts as
    /// none); none is the system-assigned identity. More than one is
    /// `invalid_managed_identity_id_type`.
    pub fn from_params(client_id: Option<&str>, resource_id: Option<&str>, object_id: Option<&str>) -> Result<Self, AuthError> {
        let given = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_owned);
        match (given(client_id), given(resource_id), given(object_id)) {
            (None, None, None) => Ok(ManagedIdentityId::SystemAssigned),
            (Some(id), None, None) => Ok(ManagedIdentityId::UserAssignedClientId(id)),
            (None, Some(id), None) => Ok(ManagedIdentityId::UserAssignedResourceId(id)),
            (None, None, Some(id)) => Ok(ManagedIdentityId::UserAssignedObjectId(id)),
            _ => Err(mi_error(mi::INVALID_MANAGED_IDENTITY_ID_TYPE, "more than one managed identity id was given")),
        }
    }

    /// The id its tokens are cached under (msal's client id of the cache entries).
    pub fn id(&self) -> &str {
        match self {
            ManagedIdentityId::SystemAssigned => SYSTEM_ASSIGNED_ID,
            ManagedIdentityId::UserAssignedClientId(id)
            | ManagedIdentityId::UserAssignedResourceId(id)
            | ManagedIdentityId::UserAssignedObjectId(id) => id,
        }
    }

    /// The query parameter naming a user-assigned identity: `imds` for the IMDS names (IMDS and
    /// Azure Arc), `api_2017` for Machine Learning's older API. `None` for the system-assigned.
    fn query_name(&self, imds: bool, api_2017: bool) -> Option<&'static str> {
        match self {
            ManagedIdentityId::SystemAssigned => None,
            ManagedIdentityId::UserAssignedClientId(_) if api_2017 => Some("clientid"),
            ManagedIdentityId::UserAssignedClientId(_) => Some("client_id"),
            ManagedIdentityId::UserAssignedResourceId(_) if imds => Some("msi_res_id"),
            ManagedIdentityId::UserAssignedResourceId(_) => Some("mi_res_id"),
            ManagedIdentityId::UserAssignedObjectId(_) => Some("object_id"),
        }
    }
}

/// A managed identity application's configuration (msal-node's `ManagedIdentityConfiguration`).
#[derive(Debug, Clone)]
pub struct ManagedIdentityConfig {
    /// The identity.
    pub id: ManagedIdentityId,
    /// msal-node's `clientCapabilities` (`cp1`: the app handles Continuous Access Evaluation's
    /// claims challenges), sent as the `xms_cc` query parameter.
    pub client_capabilities: Vec<String>,
    /// How long one request to the endpoint may take (default 30 s).
    pub network_timeout: Duration,
    /// msal-node's `disableInternalRetries`: no retry of a 404, 408, 410, 429 or 5xx answer.
    pub disable_internal_retries: bool,
    /// The app's network client and logger (default: reqwest without a proxy, the endpoints
    /// being on this machine or its link-local metadata service; no logger).
    pub system: SystemOptions,
}

impl ManagedIdentityConfig {
    /// The resource's own (system-assigned) identity.
    pub fn system_assigned() -> ManagedIdentityConfig {
        ManagedIdentityConfig::new(ManagedIdentityId::SystemAssigned)
    }

    /// The identity `id`, with the defaults.
    pub fn new(id: ManagedIdentityId) -> ManagedIdentityConfig {
        ManagedIdentityConfig {
            id,
            client_capabilities: Vec::new(),
            network_timeout: Duration::from_secs(30),
            disable_internal_retries: false,
            system: SystemOptions::default(),
        }
    }
}

/// A token request (msal-node's `ManagedIdentityRequestParams`).
#[derive(Debug, Clone, Default)]
pub struct ManagedIdentityRequest {
    /// The resource the token is for (`https://vault.azure.net`; a trailing `/.default` is
    /// dropped).
    pub resource: String,
    /// Ask the endpoint even when the cache has a token.
    pub force_refresh: bool,
    /// A resource's claims challenge: the cache is skipped (Service Fabric is told which cached
    /// token was refused, by its SHA-256).
    pub claims: String,
    /// Correlation id (generated when empty), sent to IMDS as `x-ms-client-request-id`.
    pub correlation_id: String,
}

impl ManagedIdentityRequest {
    /// A request for `resource`.
    pub fn new(resource: impl Into<String>) -> ManagedIdentityRequest {
        ManagedIdentityRequest { resource: resource.into(), ..Default::default() }
    }
}

/// Where the tokens come from (msal-node's `ManagedIdentitySourceNames`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedIdentitySource {
    /// App Service and Azure Functions (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`).
    AppService,
    /// An Azure Arc-enabled server (`IDENTITY_ENDPOINT`, `IMDS_ENDPOINT`, or the agent installed).
    AzureArc,
    /// Cloud Shell (`MSI_ENDPOINT`).
    CloudShell,
    /// No other source found: the instance metadata service, at its fixed address or at
    /// `AZURE_POD_IDENTITY_AUTHORITY_HOST` (msal-node reports either as this).
    DefaultToImds,
    /// msal's name for the instance metadata service, which its `getManagedIdentitySource()`
    /// never reports (see [`DefaultToImds`](Self::DefaultToImds)); nor does this crate.
    Imds,
    /// Azure Machine Learning (`MSI_ENDPOINT`, `MSI_SECRET`).
    MachineLearning,
    /// Service Fabric (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`, `IDENTITY_SERVER_THUMBPRINT`).
    ServiceFabric,
}

impl ManagedIdentitySource {
    /// msal's name of the source.
    pub fn name(self) -> &'static str {
        match self {
            ManagedIdentitySource::AppService => "AppService",
            ManagedIdentitySource::AzureArc => "AzureArc",
            ManagedIdentitySource::CloudShell => "CloudShell",
            ManagedIdentitySource::DefaultToImds => "DefaultToImds",
            ManagedIdentitySource::Imds => "Imds",
            ManagedIdentitySource::MachineLearning => "MachineLearning",
            ManagedIdentitySource::ServiceFabric => "ServiceFabric",
        }
    }
}

/// The environment variables msal reads to find the source (and that
/// [`Environment::from_process`] reads).
pub const VARIABLES: [&str; 8] = [
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    "DEFAULT_IDENTITY_CLIENT_ID",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
];

/// What the source is found from: msal's environment variables, and where the Azure Arc agent
/// keeps its program and its secret files. [`from_process`](Self::from_process) reads this
/// process's; a test or a host that knows better builds its own.
#[derive(Clone)]
pub struct Environment {
    vars: Vec<(String, String)>,
    /// The Azure Arc agent's program (its presence means Azure Arc).
    arc_agent: Option<PathBuf>,
    /// The folder of the Azure Arc agent's secret files (none: not a platform Azure Arc has).
    arc_tokens: Option<PathBuf>,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // IDENTITY_HEADER and MSI_SECRET are secrets: names only.
        let names: Vec<&str> = self.vars.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Environment").field("variables", &names).field("arc_tokens", &self.arc_tokens).finish_non_exhaustive()
    }
}

impl Environment {
    /// This process's variables, and the Azure Arc agent's paths on this platform (Linux and
    /// Windows; none elsewhere).
    pub fn from_process() -> Environment {
        let vars = VARIABLES.iter().filter_map(|k| Some(((*k).to_owned(), std::env::var(k).ok()?))).collect();
        let (agent, tokens) = Self::arc_paths();
        Environment { vars, arc_agent: agent, arc_tokens: tokens }
    }

    /// The variables `vars` (name, value), and this platform's folder of the Azure Arc agent's
    /// secret files; no agent program (so Azure Arc is found by its variables alone).
    pub fn from_vars(vars: &[(&str, &str)]) -> Environment {
        let vars = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Environment { vars, arc_agent: None, arc_tokens: Self::arc_paths().1 }
    }

    /// The Azure Arc agent's program and secret folder on this platform (Linux and Windows).
    fn arc_paths() -> (Option<PathBuf>, Option<PathBuf>) {
        if cfg!(windows) {
            let dir = |k: &str| std::env::var(k).unwrap_or_default();
            (
                Some(PathBuf::from(format!("{}\\AzureConnectedMachineAgent\\himds.exe", dir("ProgramFiles")))),
                Some(PathBuf::from(format!("{}\\AzureConnectedMachineAgent\\Tokens\\", dir("ProgramData")))),
            )
        } else if cfg!(target_os = "linux") {
            (Some(PathBuf::from("/opt/azcmagent/bin/himds")), Some(PathBuf::from("/var/opt/azcmagent/tokens/")))
        } else {
            (None, None)
        }
    }

    /// With the Azure Arc agent's program at `agent` and its secret files in `tokens` (a
    /// folder path ending in its separator, as the agent names it).
    pub fn with_azure_arc_paths(mut self, agent: impl Into<PathBuf>, tokens: impl Into<PathBuf>) -> Environment {
        self.arc_agent = Some(agent.into());
        // The agent's challenge names `<folder><separator><file>`: the separator is added when
        // the folder was given without it.
        let tokens: PathBuf = tokens.into();
        let text = tokens.to_string_lossy();
        let ends = text.ends_with(std::path::MAIN_SEPARATOR) || text.ends_with('/');
        self.arc_tokens = Some(if ends { tokens.clone() } else { PathBuf::from(format!("{text}{}", std::path::MAIN_SEPARATOR)) });
        self
    }

    /// A variable's value; an empty one counts as unset (as msal tests them).
    fn var(&self, name: &str) -> Option<&str> {
        self.vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    fn arc_agent_installed(&self) -> bool {
        self.arc_agent.as_deref().is_some_and(|p| std::fs::File::open(p).is_ok())
    }

    /// The source this environment offers, in msal's order of preference.
    pub fn source(&self) -> ManagedIdentitySource {
        let all = |names: &[&str]| names.iter().all(|n| self.var(n).is_some());
        if all(&["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT"]) {
            ManagedIdentitySource::ServiceFabric
        } else if all(&["IDENTITY_ENDPOINT", "IDENTITY_HEADER"]) {
            ManagedIdentitySource::AppService
        } else if all(&["MSI_ENDPOINT", "MSI_SECRET"]) {
            ManagedIdentitySource::MachineLearning
        } else if all(&["MSI_ENDPOINT"]) {
            ManagedIdentitySource::CloudShell
        } else if all(&["IDENTITY_ENDPOINT", "IMDS_ENDPOINT"]) || self.arc_agent_installed() {
            ManagedIdentitySource::AzureArc
        } else {
            ManagedIdentitySource::DefaultToImds
        }
    }
}

/// A source with what its requests need.
#[derive(Clone)]
enum Endpoint {
    ServiceFabric { url: String, secret: String },
    AppService { url: String, secret: String },
    MachineLearning { url: String, secret: String, default_client_id: String },
    CloudShell { url: String },
    AzureArc { url: String, tokens: Option<PathBuf> },
    Imds { url: String },
}

/// An endpoint URL from a variable: an absolute http(s) URL, else msal's `<name>_url_malformed`.
fn endpoint_url(value: &str, code: &'static str) -> Result<String, AuthError> {
    match url::origin_of(value) {
        Some(_) if !value.chars().any(|c| c.is_whitespace() || c.is_control()) => Ok(value.to_owned()),
        _ => Err(mi_error(code, "a managed identity endpoint variable is not an absolute http(s) URL")),
    }
}

impl Endpoint {
    /// The endpoint of `env`'s source for `id` (msal's `tryCreate` of each source, in order).
    fn resolve(env: &Environment, id: &ManagedIdentityId) -> Result<(ManagedIdentitySource, Endpoint), AuthError> {
        let source = env.source();
        let var = |k: &str| env.var(k).unwrap_or_default().to_owned();
        let identity_endpoint = || endpoint_url(&var("IDENTITY_ENDPOINT"), mi::IDENTITY_ENDPOINT_URL_MALFORMED);
        let msi_endpoint = || endpoint_url(&var("MSI_ENDPOINT"), mi::MSI_ENDPOINT_URL_MALFORMED);
        let endpoint = match source {
            // A user-assigned identity of Service Fabric is the cluster's configuration; the
            // request names it all the same, as msal's.
            ManagedIdentitySource::ServiceFabric => Endpoint::ServiceFabric { url: identity_endpoint()?, secret: var("IDENTITY_HEADER") },
            ManagedIdentitySource::AppService => Endpoint::AppService { url: identity_endpoint()?, secret: var("IDENTITY_HEADER") },
            ManagedIdentitySource::MachineLearning => Endpoint::MachineLearning {
                url: msi_endpoint()?,
                secret: var("MSI_SECRET"),
                default_client_id: var("DEFAULT_IDENTITY_CLIENT_ID"),
            },
            ManagedIdentitySource::CloudShell => {
                let url = msi_endpoint()?;
                if *id != ManagedIdentityId::SystemAssigned {
                    return Err(mi_error(mi::UNABLE_TO_CREATE_CLOUD_SHELL, "Cloud Shell managed identities can only be system assigned"));
                }
                Endpoint::CloudShell { url }
            }
            ManagedIdentitySource::AzureArc => {
                let url = match (env.var("IDENTITY_ENDPOINT"), env.var("IMDS_ENDPOINT")) {
                    (Some(identity), Some(imds)) => {
                        endpoint_url(imds, mi::IMDS_ENDPOINT_URL_MALFORMED)?;
                        endpoint_url(identity, mi::IDENTITY_ENDPOINT_URL_MALFORMED)?
                    }
                    // Found by the agent's program: its endpoint on this machine.
                    _ => "http://127.0.0.1:40342/metadata/identity/oauth2/token".to_owned(),
                };
                // As msal: the agent answers on the IPv4 loopback.
                Endpoint::AzureArc {
                    url: msal_wasm::core::text::replacen(&url, "localhost", "127.0.0.1", 1),
                    tokens: env.arc_tokens.clone(),
                }
            }
            ManagedIdentitySource::Imds | ManagedIdentitySource::DefaultToImds => {
                let Some(host) = env.var("AZURE_POD_IDENTITY_AUTHORITY_HOST") else {
                    return Ok((source, Endpoint::Imds { url: "http://169.254.169.254/metadata/identity/oauth2/token".to_owned() }));
                };
                // msal reads the pod identity host through its URL type, which lower-cases the
                // URL and ends it with a slash.
                let full =
                    endpoint_url(&[host, "/metadata/identity/oauth2/token"].concat(), mi::AZURE_POD_IDENTITY_AUTHORITY_HOST_URL_MALFORMED)?;
                let mut url = full.to_ascii_lowercase();
                if !url.ends_with('/') {
                    url.push('/');
                }
                Endpoint::Imds { url }
            }
        };
        Ok((source, endpoint))
    }

    /// The token request for `resource` (msal's `createRequest` of the source): its method,
    /// URL without the common parameters, headers and query parameters in msal's order.
    fn request(&self, resource: &str, id: &ManagedIdentityId, correlation_id: &str) -> Result<Prepared, AuthError> {
        let mut p =
            Prepared { method: Method::Get, url: String::new(), headers: Vec::new(), query: Vec::new(), body: Vec::new(), imds: false };
        let named = |p: &mut Prepared, version: &str, imds: bool, api_2017: bool| {
            p.query.push(("api-version", version.to_owned()));
            p.query.push(("resource", resource.to_owned()));
            if let Some(name) = id.query_name(imds, api_2017) {
                p.query.push((name, id.id().to_owned()));
            }
        };
        match self {
            Endpoint::Imds { url } => {
                p.url.clone_from(url);
                p.imds = true;
                p.headers = vec![
                    ("Metadata", "true".to_owned()),
                    ("x-client-SKU", SKU.to_owned()),
                    ("x-client-VER", VERSION.to_owned()),
                    ("x-ms-client-request-id", correlation_id.to_owned()),
                ];
                named(&mut p, "2018-02-01", true, false);
            }
            Endpoint::AppService { url, secret } => {
                p.url.clone_from(url);
                p.headers = vec![("X-IDENTITY-HEADER", secret.clone())];
                named(&mut p, "2019-08-01", false, false);
            }
            Endpoint::ServiceFabric { url, secret } => {
                p.url.clone_from(url);
                p.headers = vec![("secret", secret.clone())];
                named(&mut p, "2019-07-01-preview", false, false);
            }
            Endpoint::MachineLearning { url, secret, default_client_id } => {
                p.url.clone_from(url);
                p.headers = vec![("Metadata", "true".to_owned()), ("secret", secret.clone())];
                p.query.push(("api-version", "2017-09-01".to_owned()));
                p.query.push(("resource", resource.to_owned()));
                match id {
                    // The environment's own identity (set in every Machine Learning compute).
                    ManagedIdentityId::SystemAssigned => p.query.push(("clientid", default_client_id.clone())),
                    ManagedIdentityId::UserAssignedClientId(c) => p.query.push(("clientid", c.clone())),
                    _ => {
                        return Err(mi_error(
                            mi::INVALID_MANAGED_IDENTITY_ID_TYPE,
                            "only client id is supported for user-assigned managed identity in MachineLearning",
                        ))
                    }
                }
            }
            Endpoint::CloudShell { url } => {
                p.method = Method::Post;
                p.url.clone_from(url);
                p.headers = vec![("Metadata", "true".to_owned())];
                p.body.push(("resource", resource.to_owned()));
            }
            Endpoint::AzureArc { url, .. } => {
                p.url.clone_from(url);
                p.headers = vec![("Metadata", "true".to_owned())];
                named(&mut p, "2020-06-01", true, false);
            }
        }
        Ok(p)
    }
}

/// A token request being built.
struct Prepared {
    method: Method,
    url: String,
    headers: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    body: Vec<(&'static str, String)>,
    /// IMDS's retry policy (else msal's default one).
    imds: bool,
}

impl Prepared {
    fn http(&self) -> HttpRequest {
        // As msal: parameters without a value are left out.
        let filled =
            |v: &[(&'static str, String)]| url::build_query(v.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (*k, v.as_str())));
        let mut headers: Vec<(String, String)> = self.headers.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        headers.push(("Content-Type".to_owned(), "application/x-www-form-urlencoded;charset=utf-8".to_owned()));
        HttpRequest { method: self.method, url: url::append_query(&self.url, &filled(&self.query)), headers, body: filled(&self.body) }
    }
}

/// How long to wait before retry `attempt` (0-based) after `status`, or `None` to stop:
/// msal-node's retry policies. IMDS: 404, 408, 410, 429 and 5xx, three times with exponential
/// waits (1, 2, 4 s), seven times every 10 s when the first answer was 410 (IMDS updating).
/// The others: 404, 408, 429, 500, 503 and 504, three times, waiting the `Retry-After` (seconds
/// or an HTTP date, at most a minute) or 1 s. (msal-node 7.2.4 means to read `Retry-After` too,
/// but looks it up under a name its HTTP client never stores, so it always waits 1 s.)
fn retry_wait(imds: bool, first_status: u16, status: u16, attempt: u32, retry_after: Option<&str>, now: u64) -> Option<Duration> {
    if imds {
        let max = if first_status == 410 { 7 } else { 3 };
        let retriable = matches!(status, 404 | 408 | 410 | 429) || (500..=599).contains(&status);
        if !retriable || attempt >= max {
            return None;
        }
        let ms = match (status, attempt) {
            (410, _) => 10_000,
            (_, 0) => 1_000,
            _ => (2_000u64 << (attempt - 1).min(8)).min(4_000),
        };
        Some(Duration::from_millis(ms))
    } else {
        if !matches!(status, 404 | 408 | 429 | 500 | 503 | 504) || attempt >= 3 {
            return None;
        }
        let asked_ms = retry_after.map(str::trim).and_then(|v| match v.parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 => Some((s * 1000.0).round().min(60_000.0) as u64),
            Ok(_) => None,
            Err(_) => http_date_seconds(v).map(|at| at.saturating_sub(now).saturating_mul(1000).min(60_000)),
        });
        Some(Duration::from_millis(asked_ms.unwrap_or(0).max(1_000)))
    }
}

/// A managed identity application (msal-node's `ManagedIdentityApplication`). `Send + Sync`:
/// share one per process.
pub struct ManagedIdentityApplication {
    config: ManagedIdentityConfig,
    source: ManagedIdentitySource,
    endpoint: Endpoint,
    net: Arc<dyn NetworkClient>,
    cache: Mutex<UnifiedCache>,
    /// The requests for each resource (IMDS throttles a machine's requests).
    flights: Mutex<Vec<(String, Arc<Flight>)>>,
}

/// How long a token still valid is served after its renewal failed, before it is asked again.
const RENEWAL_BACKOFF_S: u64 = 60;

/// The requests to the endpoint for one resource: one at a time, and the callers that waited
/// for one share its outcome, so a burst costs one request and a failure is not met again by
/// each caller in turn.
#[derive(Default)]
struct Flight {
    /// How many attempts have ended.
    ended: std::sync::atomic::AtomicU64,
    /// When (s) the last renewal of a token still valid failed: for [`RENEWAL_BACKOFF_S`] the
    /// cached token is served without asking again (0: none failed).
    renewal_failed_s: std::sync::atomic::AtomicU64,
    /// The last attempt's number and outcome.
    last: tokio::sync::Mutex<Option<(u64, Result<CacheEntry, AuthError>)>>,
}

impl std::fmt::Debug for ManagedIdentityApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagedIdentityApplication").field("id", &self.config.id).field("source", &self.source).finish_non_exhaustive()
    }
}

impl ManagedIdentityApplication {
    /// An application for `config` in this process's environment.
    pub fn new(config: ManagedIdentityConfig) -> Result<Self, AuthError> {
        ManagedIdentityApplication::in_environment(config, &Environment::from_process())
    }

    /// An application for `config` in `env`. Fails when the source's variables are malformed,
    /// or when the source cannot serve the identity (Cloud Shell has only its own).
    pub fn in_environment(config: ManagedIdentityConfig, env: &Environment) -> Result<Self, AuthError> {
        if config.id.id().is_empty() {
            return Err(mi_error(mi::MISSING_CLIENT_ID, "a user-assigned managed identity needs its id"));
        }
        let (source, endpoint) = Endpoint::resolve(env, &config.id)?;
        // The endpoints are on this machine (or its link-local metadata service): never
        // through a proxy, and retried by msal's policies only.
        let net = config.system.network(|| Http::direct(config.network_timeout))?;
        config.system.log(LogLevel::Info, "", &format!("managed identity source: {}", source.name()));
        Ok(ManagedIdentityApplication {
            config,
            source,
            endpoint,
            net,
            cache: Mutex::new(UnifiedCache::new()),
            flights: Mutex::new(Vec::new()),
        })
    }

    /// msal-node's `getManagedIdentitySource()`.
    pub fn source(&self) -> ManagedIdentitySource {
        self.source
    }

    /// msal-node's `acquireToken`: the cached token for the resource while it is valid (with
    /// msal's 5-minute offset), else a new one from the endpoint. A cached token past its
    /// refresh time (half the lifetime of one valid for more than 2 hours) is renewed, and
    /// served when the renewal fails. A claims challenge or `force_refresh` skips the cache.
    pub async fn acquire_token(&self, req: &ManagedIdentityRequest) -> Result<AppToken, AuthError> {
        let correlation_id = if req.correlation_id.is_empty() { crate::random_guid()? } else { req.correlation_id.clone() };
        if req.resource.is_empty() {
            return Err(
                AuthError::config(codes::EMPTY_URL_ERROR, "a managed identity token needs a resource").with_correlation_id(correlation_id)
            );
        }
        let resource = msal_wasm::core::text::replacen(&req.resource, "/.default", "", 1);
        let skip = req.force_refresh || !req.claims.is_empty();
        let cached = self.cached(&resource);
        let result = |c: &CacheEntry, from_cache: bool| AppToken {
            access_token: AccessToken::new(c.secret.clone()),
            token_type: if c.token_type.is_empty() { "Bearer".to_owned() } else { c.token_type.clone() },
            expires_on_ms: c.expires_on.saturating_mul(1000),
            refresh_on_ms: c.refresh_on.map(|r| r.saturating_mul(1000)),
            // The resource the endpoint said the token is for (msal's scopes).
            scopes: vec![if c.target.is_empty() { resource.clone() } else { c.target.clone() }],
            tenant_id: String::new(),
            from_cache,
            correlation_id: correlation_id.clone(),
            dpop_proof: None,
            account: None,
        };
        let log = |level: LogLevel, message: &str| self.config.system.log(level, &correlation_id, message);
        let flight = self.flight(&resource);
        // A token past its refresh time whose renewal just failed (the endpoint unhealthy, IMDS
        // answering 410 through a platform update) is served for a while without asking again:
        // each call would otherwise wait out the failure first.
        let failed_s = flight.renewal_failed_s.load(std::sync::atomic::Ordering::SeqCst);
        let fresh = |c: &CacheEntry| !refresh_due(c, now_s()) || now_s() < failed_s.saturating_add(RENEWAL_BACKOFF_S);
        if !skip {
            if let Some(c) = cached.as_ref().filter(|c| fresh(c)) {
                log(LogLevel::Verbose, "managed identity token served from the cache");
                return Ok(result(c, true));
            }
        }
        let arrived = flight.ended.load(std::sync::atomic::Ordering::SeqCst);
        let mut last = flight.last.lock().await;
        // Another caller's attempt ended while this one waited: its outcome is this call's
        // too (a claims challenge or a forced refresh asks on its own).
        let cached = if skip { cached } else { self.cached(&resource) };
        let shared = last.as_ref().filter(|(n, _)| !skip && *n > arrived).map(|(_, outcome)| outcome.clone());
        if !skip {
            if let Some(c) = cached.as_ref().filter(|c| !refresh_due(c, now_s())) {
                return Ok(result(c, true));
            }
        }
        let outcome = match shared {
            Some(outcome) => outcome,
            None => {
                // As msal: Service Fabric is told which token the resource refused.
                let revoked = match (&self.endpoint, &cached) {
                    (Endpoint::ServiceFabric { .. }, Some(c)) if !req.claims.is_empty() && !req.force_refresh => {
                        Some(hex(&sha256(c.secret.as_bytes())))
                    }
                    _ => None,
                };
                log(LogLevel::Info, &["requesting a managed identity token from ", self.source.name()].concat());
                let outcome = self.fetch(&resource, &correlation_id, revoked).await;
                let n = flight.ended.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                *last = Some((n, outcome.clone()));
                outcome
            }
        };
        drop(last);
        let failed = if outcome.is_ok() { 0 } else { now_s() };
        flight.renewal_failed_s.store(failed, std::sync::atomic::Ordering::SeqCst);
        match (outcome, cached) {
            (Ok(entry), _) => Ok(result(&entry, false)),
            // A token due for its refresh is still valid: served when the renewal fails.
            (Err(e), Some(c)) if !skip => {
                log(LogLevel::Warning, &["the token due for its refresh was not renewed (", e.code(), "): served from the cache"].concat());
                Ok(result(&c, true))
            }
            (Err(e), _) => {
                log(LogLevel::Error, &["the managed identity token request failed: ", e.code()].concat());
                // (msal-node keeps a managed identity endpoint's own correlation id.)
                Err(if e.correlation_id().is_empty() { e.with_call_correlation_id(&correlation_id) } else { e })
            }
        }
    }

    /// The requests of `resource`.
    fn flight(&self, resource: &str) -> Arc<Flight> {
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, f)) = flights.iter().find(|(r, _)| r == resource) {
            return f.clone();
        }
        let f = Arc::new(Flight::default());
        flights.push((resource.to_owned(), f.clone()));
        f
    }

    /// The cached, unexpired token of this identity for `resource`.
    fn cached(&self, resource: &str) -> Option<CacheEntry> {
        let now = now_s();
        let wanted = ScopeSet::new([resource]);
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.credentials().into_iter().map(|(_, c)| c).find(|c| {
            c.credential_type == CredentialType::AccessToken
                && c.client_id == self.config.id.id()
                && c.realm == TENANT
                && c.environment == ENVIRONMENT
                && c.scopes.contains_all(&wanted)
                && !is_expired(c, now, DEFAULT_RENEWAL_OFFSET_SECS)
        })
    }

    /// Asks the endpoint for a token and caches it.
    async fn fetch(&self, resource: &str, correlation_id: &str, revoked: Option<String>) -> Result<CacheEntry, AuthError> {
        let mut prepared = self.endpoint.request(resource, &self.config.id, correlation_id)?;
        if let Some(hash) = revoked {
            prepared.query.push(("token_sha256_to_refresh", hash));
        }
        if !self.config.client_capabilities.is_empty() {
            prepared.query.push(("xms_cc", self.config.client_capabilities.join(",")));
        }
        let requested_at = now_s();
        let mut response = self.send(&prepared, correlation_id).await?;
        if let Endpoint::AzureArc { tokens, .. } = &self.endpoint {
            if response.status == 401 {
                self.config.system.log(LogLevel::Info, correlation_id, "answering the Azure Arc agent's challenge with its secret file");
                let secret = arc_secret(&response, tokens.as_deref())?;
                prepared.headers.push(("Authorization", ["Basic ", &secret].concat()));
                // Retried as the first request (msal's retrying client sends both).
                response = self.send(&prepared, correlation_id).await?;
            }
        }
        let body = match Json::parse(&response.body) {
            Ok(j @ Json::Obj(_)) => j,
            _ => {
                return Err(mi_error(mi::TOKEN_PARSING_ERROR, "the managed identity endpoint's answer is not a JSON object")
                    .with_status(response.status))
            }
        };
        let token = parse_token(&body, response.status, now_s())?;
        if let Endpoint::AzureArc { .. } = self.endpoint {
            confirm_user_assigned(&prepared, &body)?;
        }
        let mut entry =
            CacheEntry::new(CredentialType::AccessToken, "", ENVIRONMENT, self.config.id.id(), TENANT, token.access_token.secret());
        let target = body.str_field("resource").filter(|r| !r.is_empty()).unwrap_or(resource);
        target.clone_into(&mut entry.target);
        // msal keeps the request's resource on the entry.
        resource.clone_into(&mut entry.resource);
        entry.scopes = ScopeSet::new([target]);
        entry.token_type = token.token_type;
        entry.cached_at = requested_at;
        entry.expires_on = requested_at.saturating_add(token.expires_in);
        entry.extended_expires_on = entry.expires_on;
        entry.refresh_on = token.refresh_in.map(|r| requested_at.saturating_add(r));
        entry.last_updated_at = requested_at.saturating_mul(1000);
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).add_credential(&entry);
        Ok(entry)
    }

    /// Sends the request, retried by msal's policy for the source unless retries are off.
    async fn send(&self, prepared: &Prepared, correlation_id: &str) -> Result<HttpResponse, AuthError> {
        let request = prepared.http();
        let mut response = self.net.send(&request).await?;
        if self.config.disable_internal_retries {
            return Ok(response);
        }
        let first = response.status;
        let mut attempt = 0;
        while let Some(wait) = retry_wait(prepared.imds, first, response.status, attempt, response.header("retry-after"), now_s()) {
            let why = format!("the endpoint answered HTTP {}: retry {} in {} ms", response.status, attempt + 1, wait.as_millis());
            self.config.system.log(LogLevel::Verbose, correlation_id, &why);
            tokio::time::sleep(wait).await;
            response = self.net.send(&request).await?;
            attempt += 1;
        }
        Ok(response)
    }

    /// The cache in msal's unified format (the managed identity's access tokens).
    pub fn serialize(&self) -> String {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).serialize()
    }
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes.iter().flat_map(|b| [char::from(DIGITS[usize::from(b >> 4)]), char::from(DIGITS[usize::from(b & 15)])]).collect()
}

/// The Azure Arc agent's challenge: the secret in the file its `WWW-Authenticate` names, read
/// only from the agent's folder, only a `.key` file of at most 4 KB (msal's checks).
fn arc_secret(response: &HttpResponse, tokens: Option<&Path>) -> Result<String, AuthError> {
    let header = response.header("www-authenticate").ok_or_else(|| {
        mi_error(mi::WWW_AUTHENTICATE_HEADER_MISSING, "a 401 from the Azure Arc managed identity endpoint has no WWW-Authenticate header")
    })?;
    let (_, path) = msal_wasm::core::text::split_once(header, "Basic realm=").ok_or_else(|| {
        mi_error(mi::WWW_AUTHENTICATE_HEADER_UNSUPPORTED_FORMAT, "the Azure Arc WWW-Authenticate header is not Basic realm=<file>")
    })?;
    let tokens = tokens.ok_or_else(|| mi_error(mi::PLATFORM_NOT_SUPPORTED, "Azure Arc only supports Windows and Linux"))?;
    let separators: &[char] = if cfg!(windows) { &['\\', '/'] } else { &['/'] };
    let name = path.rsplit(separators).next().unwrap_or(path);
    if !name.ends_with(".key") {
        return Err(mi_error(mi::INVALID_FILE_EXTENSION, "the file in the WWW-Authenticate header is not a .key file"));
    }
    // The challenge must name a file in the agent's folder: a server that is not the agent
    // cannot make this process read another file.
    if [tokens.to_string_lossy().as_ref(), name].concat() != path {
        return Err(mi_error(mi::INVALID_FILE_PATH, "the file in the WWW-Authenticate header is not in the Azure Arc agent's folder"));
    }
    let unreadable = |_| mi_error(mi::UNABLE_TO_READ_SECRET_FILE, "the Azure Arc secret file could not be read");
    if std::fs::metadata(path).map_err(unreadable)?.len() > ARC_SECRET_MAX_BYTES {
        return Err(mi_error(mi::INVALID_SECRET, "the Azure Arc secret file is larger than 4096 bytes"));
    }
    std::fs::read_to_string(path).map_err(unreadable)
}

/// Azure Arc echoes the user-assigned identity it used; one that did not is refused (an agent
/// without user-assigned identities answers with the machine's own).
fn confirm_user_assigned(prepared: &Prepared, body: &Json) -> Result<(), AuthError> {
    let asked = |name: &str| prepared.query.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
    let (requested, echoed) = if let Some(id) = asked("client_id") {
        (id, body.str_field("client_id"))
    } else if let Some(id) = asked("object_id") {
        (id, body.str_field("object_id"))
    } else if let Some(id) = asked("msi_res_id") {
        (id, body.str_field("msi_res_id").filter(|s| !s.is_empty()).or_else(|| body.str_field("mi_res_id")))
    } else {
        return Ok(());
    };
    match echoed {
        Some(e) if e.eq_ignore_ascii_case(requested) => Ok(()),
        _ => Err(mi_error(
            mi::USER_ASSIGNED_MANAGED_IDENTITY_NOT_CONFIRMED,
            "Azure Arc did not confirm the requested user-assigned managed identity in its answer",
        )),
    }
}

/// A managed identity endpoint's token.
struct MiToken {
    access_token: AccessToken,
    token_type: String,
    expires_in: u64,
    refresh_in: Option<u64>,
}

/// Reads an endpoint's answer (msal's `getServerTokenResponse`): an error in any of the
/// sources' shapes becomes a typed server error; a token's `expires_on` (seconds since the
/// epoch, as a number or a string, or an ISO 8601 time) gives its lifetime, and one valid for
/// more than 2 hours is renewed at half of it.
fn parse_token(body: &Json, status: u16, now: u64) -> Result<MiToken, AuthError> {
    let text = |k: &str| body.str_field(k).filter(|s| !s.is_empty());
    let (error, error_message) = match body.get("error") {
        Some(Json::Str(e)) => (Some(e.as_str()), text("error_description")),
        Some(o @ Json::Obj(_)) => (o.str_field("code"), o.str_field("message")),
        _ => (None, text("error_description")),
    };
    let description = text("message").or(error_message);
    let access_token = text("access_token");
    if error.is_none() && description.is_none() && access_token.is_none() && (200..300).contains(&status) {
        return Err(mi_error(mi::TOKEN_PARSING_ERROR, "the managed identity endpoint's answer has no access_token").with_status(status));
    }
    if error.is_some() || description.is_some() || access_token.is_none() {
        let code = error.map_or_else(|| ["http_", &status.to_string()].concat(), str::to_owned);
        let (error_no, numeric) = match body.get("error_codes").and_then(Json::as_array).and_then(|a| a.first()) {
            Some(Json::Num(n)) => (n.clone(), true),
            Some(Json::Str(s)) => (s.clone(), false),
            _ => (String::new(), false),
        };
        let correlation = text("correlation_id").or_else(|| text("correlationId")).unwrap_or_default();
        let e = classify_server_error(&code, description.unwrap_or("the managed identity endpoint sent no token"), "", status)
            .with_correlation_id(correlation)
            .with_server_details(body.string_or_empty("trace_id"), body.string_or_empty("timestamp"), error_no, String::new());
        return Err(if numeric { e.with_numeric_error_no() } else { e });
    }
    let malformed = || mi_error(mi::TOKEN_PARSING_ERROR, "the managed identity endpoint's token has no valid expires_on");
    let expires_on = match body.get("expires_on") {
        Some(Json::Num(n)) => n.parse::<f64>().ok().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64),
        Some(Json::Str(s)) => s.trim().parse::<u64>().ok().or_else(|| iso8601_seconds(s)),
        _ => None,
    };
    let expires_in = match expires_on {
        Some(on) => on.saturating_sub(now),
        // IMDS also says `expires_in`; msal reads only `expires_on`, this reads either.
        None => match body.get("expires_in") {
            Some(Json::Num(n)) => n.parse::<u64>().ok(),
            Some(Json::Str(s)) => s.trim().parse::<u64>().ok(),
            _ => None,
        }
        .ok_or_else(malformed)?,
    };
    Ok(MiToken {
        access_token: AccessToken::new(access_token.unwrap_or_default().to_owned()),
        token_type: text("token_type").unwrap_or("Bearer").to_owned(),
        expires_in,
        refresh_in: (expires_in > 2 * 3600).then_some(expires_in / 2),
    })
}

/// Seconds since the epoch of an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110's
/// preferred form).
fn http_date_seconds(s: &str) -> Option<u64> {
    let mut parts = s.strip_suffix(" GMT")?.split(' ').skip(1);
    let (day, month, year, time) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let mut hms = time.split(':').map(|n| n.parse::<u64>().ok());
    let (h, mi, se) = (hms.next()??, hms.next()??, hms.next()??);
    civil_seconds(year.parse().ok()?, month, day.parse().ok()?, h, mi, se)
}

/// Seconds since the epoch of a UTC date and time (`None` when out of range: years 1970 to
/// 9999, as HTTP and ISO 8601 dates write them, so the arithmetic cannot overflow).
fn civil_seconds(y: u64, mo: u64, d: u64, h: u64, mi: u64, se: u64) -> Option<u64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 || !(1970..=9999).contains(&y) {
        return None;
    }
    // Days from 1970-01-01 to the date (the civil-from-days inverse).
    let (y, m) = if mo <= 2 { (y - 1, mo + 9) } else { (y, mo - 3) };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(days * 86_400 + h * 3600 + mi * 60 + se)
}

/// Seconds since the epoch of an ISO 8601 UTC time `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
fn iso8601_seconds(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || *b.last()? != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> { s.get(r)?.parse::<u64>().ok() };
    let (y, mo, d, h, mi, se) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    let fraction = s.get(19..s.len() - 1)?;
    if !(fraction.is_empty() || (fraction.starts_with('.') && fraction.len() > 1 && fraction[1..].bytes().all(|c| c.is_ascii_digit()))) {
        return None;
    }
    civil_seconds(y, mo, d, h, mi, se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_msal_node_takes_them() {
        assert_eq!(ManagedIdentityId::from_params(None, None, None).unwrap(), ManagedIdentityId::SystemAssigned);
        assert_eq!(ManagedIdentityId::from_params(Some(""), None, Some("")).unwrap(), ManagedIdentityId::SystemAssigned);
        assert_eq!(ManagedIdentityId::from_params(None, Some("/r"), None).unwrap(), ManagedIdentityId::UserAssignedResourceId("/r".into()));
        let two = ManagedIdentityId::from_params(Some("c"), None, Some("o")).unwrap_err();
        assert_eq!(two.code(), mi::INVALID_MANAGED_IDENTITY_ID_TYPE);
        assert_eq!(ManagedIdentityId::SystemAssigned.id(), "system_assigned_managed_identity");
        let empty = ManagedIdentityApplication::in_environment(
            ManagedIdentityConfig::new(ManagedIdentityId::UserAssignedClientId(String::new())),
            &Environment::from_vars(&[]),
        );
        assert_eq!(empty.unwrap_err().code(), mi::MISSING_CLIENT_ID);
    }

    #[test]
    fn the_source_is_found_in_msals_order() {
        let source = |vars: &[(&str, &str)]| Environment::from_vars(vars).source();
        let e = ("IDENTITY_ENDPOINT", "http://127.0.0.1:1/token");
        let h = ("IDENTITY_HEADER", "h");
        assert_eq!(source(&[e, h, ("IDENTITY_SERVER_THUMBPRINT", "t")]), ManagedIdentitySource::ServiceFabric);
        assert_eq!(source(&[e, h]), ManagedIdentitySource::AppService);
        assert_eq!(source(&[("MSI_ENDPOINT", "http://x/"), ("MSI_SECRET", "s")]), ManagedIdentitySource::MachineLearning);
        assert_eq!(source(&[("MSI_ENDPOINT", "http://x/")]), ManagedIdentitySource::CloudShell);
        assert_eq!(source(&[e, ("IMDS_ENDPOINT", "http://x/")]), ManagedIdentitySource::AzureArc);
        assert_eq!(source(&[("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://x")]), ManagedIdentitySource::DefaultToImds);
        assert_eq!(source(&[e]), ManagedIdentitySource::DefaultToImds);
        // An empty variable is no variable.
        assert_eq!(source(&[e, ("IDENTITY_HEADER", "")]), ManagedIdentitySource::DefaultToImds);
        // The Azure Arc agent's program, when readable, means Azure Arc.
        let dir = std::env::temp_dir().join(format!("msal-mi-agent-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let agent = dir.join("himds");
        let env = Environment::from_vars(&[]).with_azure_arc_paths(&agent, &dir);
        assert_eq!(env.source(), ManagedIdentitySource::DefaultToImds);
        std::fs::write(&agent, b"").unwrap();
        assert_eq!(env.source(), ManagedIdentitySource::AzureArc);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn malformed_variables_and_unservable_identities_are_typed_errors() {
        let err = |vars: &[(&str, &str)], id: ManagedIdentityId| {
            ManagedIdentityApplication::in_environment(ManagedIdentityConfig::new(id), &Environment::from_vars(vars))
                .unwrap_err()
                .code()
                .to_owned()
        };
        let sys = ManagedIdentityId::SystemAssigned;
        assert_eq!(err(&[("IDENTITY_ENDPOINT", "not a url"), ("IDENTITY_HEADER", "h")], sys.clone()), mi::IDENTITY_ENDPOINT_URL_MALFORMED);
        assert_eq!(err(&[("MSI_ENDPOINT", "ftp://x/")], sys.clone()), mi::MSI_ENDPOINT_URL_MALFORMED);
        assert_eq!(err(&[("IDENTITY_ENDPOINT", "http://x/"), ("IMDS_ENDPOINT", "x")], sys.clone()), mi::IMDS_ENDPOINT_URL_MALFORMED);
        assert_eq!(err(&[("AZURE_POD_IDENTITY_AUTHORITY_HOST", "h o st")], sys), mi::AZURE_POD_IDENTITY_AUTHORITY_HOST_URL_MALFORMED);
        assert_eq!(
            err(&[("MSI_ENDPOINT", "http://x/")], ManagedIdentityId::UserAssignedClientId("c".into())),
            mi::UNABLE_TO_CREATE_CLOUD_SHELL
        );
        // The secrets never show in Debug.
        let env = Environment::from_vars(&[("IDENTITY_ENDPOINT", "http://x/"), ("IDENTITY_HEADER", "s3cret-header")]);
        let app = ManagedIdentityApplication::in_environment(ManagedIdentityConfig::system_assigned(), &env).unwrap();
        assert!(!format!("{env:?} {app:?}").contains("s3cret"), "{env:?} {app:?}");
    }

    #[test]
    fn retry_waits_follow_msal_nodes_policies() {
        let now = 1_445_412_470; // 2015-10-21T07:27:50Z
        let ms = |imds, first, status, attempt, after| retry_wait(imds, first, status, attempt, after, now).map(|d| d.as_millis() as u64);
        // IMDS: exponential 1, 2, 4 s for three retries; 410 every 10 s, seven times.
        assert_eq!([0, 1, 2, 3].map(|a| ms(true, 500, 503, a, None)), [Some(1000), Some(2000), Some(4000), None]);
        assert_eq!(ms(true, 410, 410, 6, None), Some(10_000));
        assert_eq!(ms(true, 410, 410, 7, None), None);
        assert_eq!(ms(true, 400, 400, 0, None), None);
        // The others: Retry-After or 1 s, three times, for their six statuses only.
        assert_eq!(ms(false, 429, 429, 0, Some("3")), Some(3000));
        assert_eq!(ms(false, 429, 429, 0, Some("0.2")), Some(1000));
        assert_eq!(ms(false, 503, 503, 2, Some("Wed, 21 Oct 2015 07:28:00 GMT")), Some(10_000));
        assert_eq!(ms(false, 503, 503, 2, Some("Wed, 21 Oct 2015 08:28:00 GMT")), Some(60_000), "at most a minute");
        assert_eq!(ms(false, 503, 503, 2, Some("Wed, 21 Oct 2015 07:00:00 GMT")), Some(1000), "a date past");
        assert_eq!(ms(false, 503, 503, 2, Some("soon")), Some(1000));
        // A year no HTTP date has (four digits): no arithmetic overflow, the default wait.
        assert_eq!(ms(false, 503, 503, 2, Some("Wed, 21 Oct 999999999999 07:28:00 GMT")), Some(1000));
        assert_eq!(ms(false, 429, 429, 0, Some("3600")), Some(60_000));
        assert_eq!(ms(false, 503, 503, 3, None), None);
        assert_eq!(ms(false, 502, 502, 0, None), None);
    }

    #[test]
    fn token_answers_in_every_sources_shape() {
        let now = 1_700_000_000;
        let parse = |j: &str, status| parse_token(&Json::parse(j).unwrap(), status, now);
        // IMDS and App Service: strings; Service Fabric: a number; ISO 8601.
        let t = parse(r#"{"access_token":"a","expires_on":"1700086400","expires_in":"86400","resource":"r","token_type":"Bearer"}"#, 200)
            .unwrap();
        assert_eq!((t.expires_in, t.refresh_in), (86_400, Some(43_200)));
        assert_eq!(parse(r#"{"access_token":"a","expires_on":1700003600}"#, 200).unwrap().refresh_in, None);
        assert_eq!(parse(r#"{"access_token":"a","expires_on":"2023-11-14T23:13:20.000Z"}"#, 200).unwrap().expires_in, 3600);
        assert_eq!(parse(r#"{"access_token":"a","expires_in":"600"}"#, 200).unwrap().expires_in, 600);
        assert_eq!(
            parse(r#"{"access_token":"a","expires_on":"11/7/2025 5:00:00 PM +00:00"}"#, 200).err().unwrap().code(),
            mi::TOKEN_PARSING_ERROR
        );
        // Errors: a string, an object (App Service), a message (Service Fabric), a bare status.
        let e = parse(r#"{"error":"invalid_resource","error_description":"AADSTS500011: no such resource","error_codes":[500011]}"#, 400)
            .err()
            .unwrap();
        assert_eq!((e.code(), e.error_no(), e.status()), ("invalid_resource", "500011", Some(400)));
        let e = parse(r#"{"error":{"code":"SecretHeaderNotFound","message":"Secret header not found"}}"#, 401).err().unwrap();
        assert_eq!((e.code(), e.message()), ("SecretHeaderNotFound", "Secret header not found"));
        let e = parse(r#"{"message":"throttled","correlationId":"c-9"}"#, 429).err().unwrap();
        assert_eq!((e.code(), e.message(), e.correlation_id()), ("http_429", "throttled", "c-9"));
        assert_eq!(parse(r#"{}"#, 500).err().unwrap().code(), "http_500");
        assert_eq!(parse(r#"{"token_type":"Bearer"}"#, 200).err().unwrap().code(), mi::TOKEN_PARSING_ERROR);
        assert_eq!(parse(r#"{"error":"interaction_required"}"#, 400).err().unwrap().kind(), ErrorKind::InteractionRequired);
    }

    #[tokio::test]
    async fn a_token_due_for_renewal_is_served_when_the_renewal_fails_and_replaced_when_it_works() {
        let now = now_s();
        let seeded = |host: &str| {
            let env = Environment::from_vars(&[("AZURE_POD_IDENTITY_AUTHORITY_HOST", host)]);
            let config = ManagedIdentityConfig { disable_internal_retries: true, ..ManagedIdentityConfig::system_assigned() };
            let app = ManagedIdentityApplication::in_environment(config, &env).unwrap();
            // Valid for 50 more minutes, but past its refresh time.
            let mut e = CacheEntry::new(CredentialType::AccessToken, "", ENVIRONMENT, SYSTEM_ASSIGNED_ID, TENANT, "cached-token");
            e.target = "https://vault.azure.net".into();
            e.scopes = ScopeSet::new(["https://vault.azure.net"]);
            (e.cached_at, e.expires_on, e.refresh_on) = (now - 5000, now + 3000, Some(now - 1));
            app.cache.lock().unwrap().add_credential(&e);
            app
        };
        let request = ManagedIdentityRequest::new("https://vault.azure.net/.default");
        // Nothing listens there: the renewal fails, the cached token is served.
        let app = seeded("http://127.0.0.1:9");
        let t = app.acquire_token(&request).await.unwrap();
        assert!(t.from_cache && t.access_token.secret() == "cached-token");
        // A claims challenge refused the cached token: then the failure is the answer.
        let challenged = ManagedIdentityRequest { claims: "{}".into(), ..request.clone() };
        assert_eq!(app.acquire_token(&challenged).await.unwrap_err().code(), codes::NETWORK_ERROR);
        // An endpoint that fails: asked once, then the cached token is served for a while
        // without asking again (each call would wait out the failure first).
        let (addr, failing) = crate::http::scripted(|_| (500, r#"{"error":"unavailable"}"#.to_owned())).await;
        let app = seeded(&format!("http://{addr}"));
        for _ in 0..3 {
            let t = app.acquire_token(&request).await.unwrap();
            assert!(t.from_cache && t.access_token.secret() == "cached-token");
        }
        assert_eq!(failing.lock().unwrap().len(), 1, "one renewal, then the back-off");
        // The endpoint answers: the renewed token is returned and cached.
        let body = format!(r#"{{"access_token":"renewed","expires_on":"{}","resource":"https://vault.azure.net"}}"#, now + 86_400);
        let (addr, seen) = crate::http::scripted(move |_| (200, body.clone())).await;
        let app = seeded(&format!("http://{addr}"));
        let t = app.acquire_token(&request).await.unwrap();
        assert!(!t.from_cache && t.access_token.secret() == "renewed");
        // msal-node's refreshOn: half of a lifetime over 2 h, for an app's own cache.
        let half = t.refresh_on_ms.unwrap() / 1000 - now;
        assert!((43_190..=43_210).contains(&half), "refresh in {half} s");
        let t = app.acquire_token(&request).await.unwrap();
        assert!(t.from_cache && t.access_token.secret() == "renewed");
        assert!(t.refresh_on_ms.is_some(), "from the cache too");
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[test]
    fn iso8601_as_javascript_writes_it() {
        assert_eq!(iso8601_seconds("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(iso8601_seconds("2000-02-29T12:34:56Z"), Some(951_827_696));
        assert_eq!(iso8601_seconds("2026-12-04T16:00:00.5Z"), Some(1_796_400_000));
        for bad in
            ["2026-13-01T00:00:00Z", "2026-12-04 16:00:00Z", "2026-12-04T16:00:00+01:00", "2026-12-04T16:00:00.Z", "1969-12-31T23:59:59Z"]
        {
            assert_eq!(iso8601_seconds(bad), None, "{bad}");
        }
    }
}
