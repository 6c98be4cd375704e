//! msal-node's regional endpoints for client credentials (`azureRegion`): which region a request
//! uses, and its token endpoint there. A daemon in Azure asks its own region's token service,
//! which keeps serving when the global one is slow or down.

use crate::http::Http;
use crate::system::NetworkClient;
use msal_wasm::core::http::HttpRequest;
use msal_wasm::core::json::Json;
use msal_wasm::error::{codes, AuthError};
use std::time::Duration;

/// `azureRegion`'s value for "find the region this machine runs in".
pub const AUTO_DETECT: &str = "TryAutoDetect";
/// `azureRegion`'s value that ignores `MSAL_FORCE_REGION`.
pub const DISABLE_FORCED: &str = "DisableMsalForceRegion";
/// The instance metadata service of an Azure machine.
const IMDS: &str = "http://169.254.169.254/metadata/instance/compute";
/// The IMDS version asked first (msal-common's).
const IMDS_VERSION: &str = "2021-02-01";
/// How long the instance metadata service may take (msal's 2 s).
const IMDS_TIMEOUT: Duration = Duration::from_secs(2);
/// Hosts of the public cloud: their regional host is `<region>.login.microsoft.com`.
const PUBLIC_CLOUD: [&str; 4] = ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"];

/// A region name that can be a host name's first label (msal's `isValidRegion`).
pub fn is_valid(region: &str) -> bool {
    let b = region.as_bytes();
    b.len() <= 63
        && b.first().is_some_and(u8::is_ascii_alphabetic)
        && b.last() != Some(&b'-')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// The region setting of a request, as msal-node reads it: the request's own, else the
/// `MSAL_FORCE_REGION` environment variable's (`forced`); none with [`DISABLE_FORCED`].
pub fn setting(requested: Option<&str>, forced: Option<String>) -> Option<String> {
    match requested.filter(|r| !r.is_empty()) {
        Some(DISABLE_FORCED) => None,
        Some(r) => Some(r.to_owned()),
        None => forced.filter(|f| !f.is_empty()),
    }
}

/// The region this machine runs in, for [`AUTO_DETECT`]: the `REGION_NAME` environment
/// variable's (`environment`), else the instance metadata service's at `imds` (once more with
/// the newest version it names when it refuses ours); `None` (the global endpoint) when neither
/// says, or says something that is no region. The service is asked through `net` (the app's
/// network client, as msal asks it through the app's) when given, else directly (no proxy), 2 s
/// at most per request either way.
pub async fn detect(environment: Option<String>, imds: &str, net: Option<&dyn NetworkClient>) -> Option<String> {
    let found = match environment.filter(|e| !e.is_empty()) {
        Some(e) => Some(e),
        None => from_imds(imds, net).await,
    };
    found.filter(|r| is_valid(r))
}

async fn from_imds(imds: &str, net: Option<&dyn NetworkClient>) -> Option<String> {
    let direct;
    let net: &dyn NetworkClient = match net {
        Some(n) => n,
        None => {
            direct = Http::direct(IMDS_TIMEOUT).ok()?;
            &direct
        }
    };
    let get = |url: String| {
        let mut req = HttpRequest::get(url);
        req.headers.push(("Metadata".to_owned(), "true".to_owned()));
        async move { tokio::time::timeout(IMDS_TIMEOUT, net.send(&req)).await.ok()?.ok() }
    };
    let location = |body: &str| Json::parse(body).ok().and_then(|j| j.str_field("location").map(str::to_owned));
    let first = get([imds, "?api-version=", IMDS_VERSION].concat()).await?;
    match first.status {
        200 => location(&first.body),
        400 => {
            // Without a version, the service answers 400 naming the versions it has.
            let versions = get([imds, "?format=json"].concat()).await.filter(|v| v.status == 400)?;
            let newest = Json::parse(&versions.body).ok()?;
            let newest = newest.get("newest-versions")?.as_array()?.first()?.as_str()?.to_owned();
            let again = get([imds, "?api-version=", &newest].concat()).await?;
            (again.status == 200).then(|| location(&again.body)).flatten()
        }
        _ => None,
    }
}

/// The region this machine runs in, as [`detect`] finds it with Azure's metadata service
/// (through `net`, the app's network client, when given).
pub async fn detect_here(net: Option<&dyn NetworkClient>) -> Option<String> {
    detect(std::env::var("REGION_NAME").ok(), IMDS, net).await
}

/// A region the app named (msal's `url_parse_error` when it cannot be a host label).
pub fn named(region: &str) -> Result<String, AuthError> {
    if is_valid(region) {
        Ok(region.to_owned())
    } else {
        Err(AuthError::config(codes::URL_PARSE_ERROR, "azureRegion is not a region name"))
    }
}

/// `endpoint` in `region` (msal's `buildRegionalAuthorityString`): the public cloud's hosts
/// become `<region>.login.microsoft.com`, another host `<region>.<host>`; the path stays.
pub fn endpoint(endpoint: &str, region: &str) -> String {
    let Some((scheme, rest)) = endpoint.split_once("://") else { return endpoint.to_owned() };
    let (host, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let regional = if PUBLIC_CLOUD.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        format!("{region}.login.microsoft.com")
    } else {
        format!("{region}.{host}")
    };
    format!("{scheme}://{regional}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_their_endpoints_as_msal_builds_them() {
        for ok in ["westus2", "eastus", "a", "centralus-euap", "x9"] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in ["", "9west", "west us", "westus-", "west.us", "westus2/evil", &"a".repeat(64)] {
            assert!(!is_valid(bad), "{bad}");
        }
        assert_eq!(
            endpoint("https://login.microsoftonline.com/contoso/oauth2/v2.0/token", "westus2"),
            "https://westus2.login.microsoft.com/contoso/oauth2/v2.0/token"
        );
        assert_eq!(
            endpoint("https://login.microsoftonline.us/tenant/oauth2/v2.0/token", "usgovvirginia"),
            "https://usgovvirginia.login.microsoftonline.us/tenant/oauth2/v2.0/token"
        );
        // msal-node's order: the request's setting, else MSAL_FORCE_REGION, unless disabled.
        assert_eq!(setting(Some("westus"), Some("eastus".into())).as_deref(), Some("westus"));
        assert_eq!(setting(None, Some("eastus".into())).as_deref(), Some("eastus"));
        assert_eq!(setting(Some(DISABLE_FORCED), Some("eastus".into())), None);
        assert_eq!(setting(None, None), None);
        assert_eq!(named("westus").unwrap(), "westus");
        assert_eq!(named("west us").unwrap_err().code(), "url_parse_error");
    }

    /// A stand-in for the instance metadata service on 127.0.0.1: answers each request with
    /// the next of `answers` (status, body) and keeps the request heads.
    async fn imds(answers: Vec<(u16, &'static str)>) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let next = std::sync::Mutex::new(answers.into_iter());
        let (addr, seen) =
            crate::http::scripted(move |_| next.lock().unwrap().next().map_or((404, String::new()), |(s, b)| (s, b.to_owned()))).await;
        (format!("http://{addr}/metadata/instance/compute"), seen)
    }

    #[tokio::test]
    async fn the_region_is_the_environments_else_the_instance_metadata_services() {
        // REGION_NAME: no request.
        assert_eq!(detect(Some("westeurope".into()), "http://127.0.0.1:9/none", None).await.as_deref(), Some("westeurope"));
        // The service, asked with its header and msal's version.
        let (url, seen) = imds(vec![(200, r#"{"location":"westus2","name":"vm"}"#)]).await;
        assert_eq!(detect(None, &url, None).await.as_deref(), Some("westus2"));
        let head = seen.lock().unwrap()[0].clone();
        assert!(head.starts_with("get /metadata/instance/compute?api-version=2021-02-01 "), "{head}");
        assert!(head.contains("\r\nmetadata: true\r\n"), "{head}");
        // It refuses our version: once more with the newest it names.
        let (url, seen) =
            imds(vec![(400, "{}"), (400, r#"{"newest-versions":["2023-07-01","2021-02-01"]}"#), (200, r#"{"location":"eastus"}"#)]).await;
        assert_eq!(detect(None, &url, None).await.as_deref(), Some("eastus"));
        assert!(seen.lock().unwrap()[2].contains("api-version=2023-07-01"));
        // Something that is no region, or no answer: the global endpoint.
        let (url, _) = imds(vec![(200, r#"{"location":"evil.example/x"}"#)]).await;
        assert_eq!(detect(None, &url, None).await, None);
        assert_eq!(detect(None, "http://127.0.0.1:9/nothing-listens", None).await, None);
        // Through the app's network client when it has one.
        struct Counting(Http, std::sync::atomic::AtomicU32);
        impl NetworkClient for Counting {
            fn send<'a>(
                &'a self,
                request: &'a HttpRequest,
            ) -> crate::system::BoxFuture<'a, Result<msal_wasm::core::http::HttpResponse, AuthError>> {
                self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Box::pin(self.0.send(request))
            }
        }
        let app = Counting(Http::new(Duration::from_secs(5)).unwrap(), Default::default());
        let (url, seen) = imds(vec![(200, r#"{"location":"northeurope"}"#)]).await;
        assert_eq!(detect(None, &url, Some(&app)).await.as_deref(), Some("northeurope"));
        assert_eq!((app.1.load(std::sync::atomic::Ordering::SeqCst), seen.lock().unwrap().len()), (1, 1));
    }
}
