//! msal-native's managed identity against simulated Azure managed identity endpoints, one per
//! source (IMDS, App Service, Cloud Shell, Service Fabric, Machine Learning, Azure Arc), each as
//! strict as the service it stands for: its API version, its secret header or challenge file,
//! its parameter names. Every source but Azure Arc (whose agent folder msal-node fixes) is also
//! asked by msal-node 7 (`tests/interop/mi-peer.mjs`), and both requests must be the same.

use msal_native::managed_identity::{error_codes as mi, ManagedIdentityId};
use msal_native::{Environment, ManagedIdentityApplication, ManagedIdentityConfig, ManagedIdentityRequest, ManagedIdentitySource};
use msal_wasm::core::json::Json;
use msal_wasm::core::url;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Imds,
    AppService,
    CloudShell,
    ServiceFabric,
    MachineLearning,
    AzureArc,
}

/// A request as the endpoint saw it (header names lower-cased).
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    raw_query: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

type Answer = (u16, String, Vec<(String, String)>);

/// A simulated managed identity endpoint.
struct Sim {
    kind: Kind,
    /// The secret header's value (App Service, Service Fabric, Machine Learning), or the Azure
    /// Arc challenge file's content.
    secret: String,
    /// The file the Azure Arc challenge names.
    arc_file: String,
    /// Azure Arc echoes the user-assigned identity it used (agents that support them do).
    echo_identity: bool,
    /// Answers given before the service's own (failures to script).
    queued: Mutex<VecDeque<Answer>>,
    seen: Mutex<Vec<Seen>>,
    issued: AtomicU32,
    /// How long each answer is held (ms): a burst's callers are all waiting before it comes.
    answer_delay_ms: AtomicU32,
}

const LIFETIME: u64 = 3600;

fn now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn json_error(status: u16, error: &str, description: &str) -> Answer {
    (status, Json::object().with("error", error).with("error_description", description).to_json(), vec![])
}

impl Sim {
    fn answer(&self, r: &Seen) -> Answer {
        if let Some(a) = self.queued.lock().unwrap().pop_front() {
            return a;
        }
        let (resource, selectors): (Option<&str>, Vec<&str>) = match self.kind {
            Kind::CloudShell => {
                if r.method != "POST" || r.header("metadata") != Some("true") {
                    return json_error(400, "invalid_request", "Cloud Shell wants a POST with Metadata: true");
                }
                let form = url::parse_query(&r.body);
                let resource = form.iter().find(|(k, _)| k == "resource").map(|(_, v)| v.clone());
                return match resource {
                    Some(res) => self.token(&res, None, r),
                    None => json_error(400, "invalid_request", "Required form field 'resource' is missing"),
                };
            }
            Kind::Imds | Kind::AzureArc => (r.param("resource"), vec!["client_id", "object_id", "msi_res_id"]),
            Kind::MachineLearning => (r.param("resource"), vec!["clientid"]),
            Kind::AppService | Kind::ServiceFabric => (r.param("resource"), vec!["client_id", "object_id", "mi_res_id"]),
        };
        let version = match self.kind {
            Kind::Imds => "2018-02-01",
            Kind::AzureArc => "2020-06-01",
            Kind::MachineLearning => "2017-09-01",
            Kind::AppService => "2019-08-01",
            Kind::ServiceFabric => "2019-07-01-preview",
            Kind::CloudShell => unreachable!(),
        };
        if r.method != "GET" {
            return json_error(405, "invalid_request", "GET only");
        }
        match self.kind {
            Kind::Imds | Kind::AzureArc | Kind::MachineLearning if r.header("metadata") != Some("true") => {
                return json_error(400, "invalid_request", "Required metadata header not specified")
            }
            Kind::AppService if r.header("x-identity-header") != Some(&self.secret) => {
                let body = r#"{"error":{"code":"SecretHeaderNotFound","message":"Secret header not found"}}"#;
                return (400, body.to_owned(), vec![]);
            }
            Kind::ServiceFabric | Kind::MachineLearning if r.header("secret") != Some(&self.secret) => {
                return (401, r#"{"message":"The secret header is missing or wrong"}"#.to_owned(), vec![]);
            }
            _ => {}
        }
        if r.param("api-version") != Some(version) {
            return json_error(400, "invalid_request", "Invalid or missing api-version");
        }
        let Some(resource) = resource else { return json_error(400, "invalid_request", "Required query variable 'resource' is missing") };
        let named: Vec<&str> = selectors.iter().copied().filter(|s| r.param(s).is_some()).collect();
        if named.len() > 1 {
            return json_error(400, "invalid_request", "Multiple user assigned identities requested");
        }
        if self.kind == Kind::MachineLearning && named.is_empty() {
            return json_error(400, "invalid_request", "clientid is required");
        }
        if self.kind == Kind::AzureArc {
            let expected = ["Basic ", &self.secret].concat();
            match r.header("authorization") {
                None => {
                    let challenge = ["Basic realm=", &self.arc_file].concat();
                    return (401, "{}".to_owned(), vec![("WWW-Authenticate".to_owned(), challenge)]);
                }
                Some(a) if a != expected => return json_error(401, "invalid_request", "wrong secret"),
                Some(_) => {}
            }
        }
        let identity = named.first().map(|n| (*n, r.param(n).unwrap_or_default()));
        self.token(resource, identity, r)
    }

    fn token(&self, resource: &str, identity: Option<(&str, &str)>, r: &Seen) -> Answer {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let token = format!("mi-{:?}-{n}", self.kind);
        let on = now_s() + LIFETIME;
        let mut body = Json::object().with("access_token", token.as_str()).with("resource", resource).with("token_type", "Bearer");
        body = match self.kind {
            Kind::ServiceFabric => body.with("expires_on", on),
            Kind::Imds | Kind::CloudShell => body.with("expires_on", on.to_string()).with("expires_in", LIFETIME.to_string()),
            _ => body.with("expires_on", on.to_string()),
        };
        if let (Some((name, id)), true) = (identity, self.kind != Kind::AzureArc || self.echo_identity) {
            body = body.with(name, id);
        }
        let _ = r;
        (200, body.to_json(), vec![])
    }
}

/// Starts a simulated endpoint of `kind`; its address.
async fn start(kind: Kind, secret: &str, arc_file: &str, echo_identity: bool) -> (Arc<Sim>, String) {
    let sim = Arc::new(Sim {
        kind,
        secret: secret.to_owned(),
        arc_file: arc_file.to_owned(),
        echo_identity,
        queued: Mutex::new(VecDeque::new()),
        seen: Mutex::new(Vec::new()),
        issued: AtomicU32::new(0),
        answer_delay_ms: AtomicU32::new(0),
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let serving = sim.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let sim = serving.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let mut head_end = None;
                while head_end.is_none() {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                    head_end = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
                }
                let head_end = head_end.unwrap();
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or_default().split(' ');
                let (method, target) = (first.next().unwrap_or_default().to_owned(), first.next().unwrap_or_default().to_owned());
                let headers: Vec<(String, String)> =
                    lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
                let length = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0);
                while buf.len() < head_end + length {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let (path, raw_query) =
                    target.split_once('?').map_or((target.clone(), String::new()), |(p, q)| (p.to_owned(), q.to_owned()));
                let seen = Seen {
                    method,
                    path,
                    query: url::parse_query(&raw_query),
                    raw_query,
                    headers,
                    body: String::from_utf8_lossy(&buf[head_end..]).into_owned(),
                };
                let (status, body, extra) = sim.answer(&seen);
                sim.seen.lock().unwrap().push(seen);
                let delay = sim.answer_delay_ms.load(Ordering::SeqCst);
                if delay > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(delay.into())).await;
                }
                let mut reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (k, v) in extra {
                    reply.push_str(&format!("{k}: {v}\r\n"));
                }
                reply.push_str("\r\n");
                reply.push_str(&body);
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    (sim, format!("127.0.0.1:{}", addr.port()))
}

const SECRET: &str = "identity-header-secret";
const RESOURCE: &str = "https://vault.azure.net/.default";

/// The variables that make `kind` the source, for an endpoint at `addr`.
fn variables(kind: Kind, addr: &str) -> Vec<(String, String)> {
    let v = |pairs: &[(&str, String)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    match kind {
        Kind::Imds => v(&[("AZURE_POD_IDENTITY_AUTHORITY_HOST", format!("http://{addr}"))]),
        Kind::AppService => v(&[("IDENTITY_ENDPOINT", format!("http://{addr}/msi/token")), ("IDENTITY_HEADER", SECRET.into())]),
        Kind::CloudShell => v(&[("MSI_ENDPOINT", format!("http://{addr}/oauth2/token"))]),
        Kind::ServiceFabric => v(&[
            ("IDENTITY_ENDPOINT", format!("http://{addr}/metadata/identity/oauth2/token")),
            ("IDENTITY_HEADER", SECRET.into()),
            ("IDENTITY_SERVER_THUMBPRINT", "0123456789ABCDEF".into()),
        ]),
        Kind::MachineLearning => v(&[
            ("MSI_ENDPOINT", format!("http://{addr}/msi/token/")),
            ("MSI_SECRET", SECRET.into()),
            ("DEFAULT_IDENTITY_CLIENT_ID", "ml-compute-identity".into()),
        ]),
        Kind::AzureArc => v(&[
            // As the agent names them; the client asks 127.0.0.1 (msal's replacement).
            ("IDENTITY_ENDPOINT", format!("http://localhost:{}/metadata/identity/oauth2/token", addr.rsplit(':').next().unwrap())),
            ("IMDS_ENDPOINT", format!("http://localhost:{}", addr.rsplit(':').next().unwrap())),
        ]),
    }
}

fn environment(vars: &[(String, String)]) -> Environment {
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Environment::from_vars(&pairs)
}

fn app(env: &Environment, id: ManagedIdentityId) -> ManagedIdentityApplication {
    ManagedIdentityApplication::in_environment(ManagedIdentityConfig::new(id), env).unwrap()
}

/// What msal-node does in the same environment: `mi-peer.mjs`'s JSON answer.
fn msal_node(vars: &[(String, String)], id: &ManagedIdentityId) -> Json {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/interop/mi-peer.mjs");
    let mut cmd = std::process::Command::new("node");
    cmd.arg(script).arg(RESOURCE);
    match id {
        ManagedIdentityId::SystemAssigned => {}
        ManagedIdentityId::UserAssignedClientId(v) => drop(cmd.args(["userAssignedClientId", v])),
        ManagedIdentityId::UserAssignedResourceId(v) => drop(cmd.args(["userAssignedResourceId", v])),
        ManagedIdentityId::UserAssignedObjectId(v) => drop(cmd.args(["userAssignedObjectId", v])),
    }
    for k in msal_native::managed_identity::VARIABLES {
        cmd.env_remove(k);
    }
    cmd.envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let out = cmd.output().expect("node runs (tests/interop/install-peers.sh installs msal-node)");
    assert!(out.status.success(), "msal-node peer failed: {}", String::from_utf8_lossy(&out.stderr));
    Json::parse(String::from_utf8_lossy(&out.stdout).trim()).unwrap()
}

/// What of a request must be the same from both libraries: method, path, query (its exact
/// text: names, order, encoding), the headers the services read and the body; and which of the
/// telemetry headers (whose values name each library) are there.
fn wire(s: &Seen) -> Vec<String> {
    let mut lines = vec![format!("{} {}?{}", s.method, s.path, s.raw_query), format!("body: {}", s.body)];
    for h in ["metadata", "x-identity-header", "secret", "content-type", "authorization"] {
        lines.push(format!("{h}: {:?}", s.header(h)));
    }
    for h in ["x-client-sku", "x-client-ver", "x-ms-client-request-id"] {
        lines.push(format!("{h} sent: {}", s.header(h).is_some()));
    }
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_source_gets_its_token_as_msal_node_asks_for_it_and_serves_the_second_from_the_cache() {
    let client = || ManagedIdentityId::UserAssignedClientId("8f5e1b2c-user-assigned".into());
    let resource_id = || ManagedIdentityId::UserAssignedResourceId("/subscriptions/s/resourceGroups/g/providers/x/ids/one".into());
    let object = || ManagedIdentityId::UserAssignedObjectId("0b7c-object".into());
    let cases: Vec<(Kind, ManagedIdentitySource, Vec<ManagedIdentityId>)> = vec![
        // (msal-node names IMDS DefaultToImds, also at the pod identity host.)
        (Kind::Imds, ManagedIdentitySource::DefaultToImds, vec![ManagedIdentityId::SystemAssigned, client(), resource_id(), object()]),
        (Kind::AppService, ManagedIdentitySource::AppService, vec![ManagedIdentityId::SystemAssigned, client(), resource_id(), object()]),
        (Kind::CloudShell, ManagedIdentitySource::CloudShell, vec![ManagedIdentityId::SystemAssigned]),
        (Kind::ServiceFabric, ManagedIdentitySource::ServiceFabric, vec![ManagedIdentityId::SystemAssigned, client()]),
        (Kind::MachineLearning, ManagedIdentitySource::MachineLearning, vec![ManagedIdentityId::SystemAssigned, client()]),
    ];
    for (kind, source, ids) in cases {
        for id in ids {
            let what = format!("{kind:?} {id:?}");
            let (sim, addr) = start(kind, SECRET, "", true).await;
            let vars = variables(kind, &addr);
            let ours = app(&environment(&vars), id.clone());
            assert_eq!(ours.source(), source, "{what}");
            let first = ours.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap_or_else(|e| panic!("{what}: {e:?}"));
            assert!(!first.from_cache, "{what}");
            assert_eq!(first.scopes, vec!["https://vault.azure.net".to_owned()], "{what}: /.default is dropped");
            let expected_expiry = (now_s() + LIFETIME) * 1000;
            assert!(first.expires_on_ms.abs_diff(expected_expiry) <= 5_000, "{what}: {}", first.expires_on_ms);
            let second = ours.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap();
            assert!(second.from_cache && second.access_token.secret() == first.access_token.secret(), "{what}");
            let our_requests = std::mem::take(&mut *sim.seen.lock().unwrap());
            assert_eq!(our_requests.len(), 1, "{what}: {our_requests:?}");

            let theirs = msal_node(&vars, &id);
            assert_eq!(theirs.str_field("source"), Some(source.name()), "{what}: {}", theirs.to_json());
            let calls = theirs.get("calls").and_then(Json::as_array).unwrap();
            assert!(calls[0].str_field("accessToken").is_some(), "{what}: msal-node got no token: {}", theirs.to_json());
            assert_eq!(calls[1].get("fromCache"), Some(&Json::Bool(true)), "{what}: {}", theirs.to_json());
            let their_requests = std::mem::take(&mut *sim.seen.lock().unwrap());
            assert_eq!(their_requests.len(), 1, "{what}: {their_requests:?}");
            assert_eq!(wire(&our_requests[0]), wire(&their_requests[0]), "{what}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_callers_costs_one_request_and_a_forced_refresh_another() {
    let (sim, addr) = start(Kind::AppService, SECRET, "", true).await;
    let ours = Arc::new(app(&environment(&variables(Kind::AppService, &addr)), ManagedIdentityId::SystemAssigned));
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let a = ours.clone();
            tokio::spawn(async move { a.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap() })
        })
        .collect();
    let mut tokens = Vec::new();
    for c in calls {
        tokens.push(c.await.unwrap().access_token.secret().to_owned());
    }
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    assert_eq!(sim.seen.lock().unwrap().len(), 1);
    let forced =
        ours.acquire_token(&ManagedIdentityRequest { force_refresh: true, ..ManagedIdentityRequest::new(RESOURCE) }).await.unwrap();
    assert!(!forced.from_cache && forced.access_token.secret() != tokens[0]);
    assert_eq!(sim.seen.lock().unwrap().len(), 2);
    // Another resource is another token.
    let other = ours.acquire_token(&ManagedIdentityRequest::new("https://storage.azure.com/")).await.unwrap();
    assert!(!other.from_cache);
    assert_eq!(sim.seen.lock().unwrap().len(), 3);
    // The cache holds them in msal's unified format, under the identity's id.
    let cache = Json::parse(&ours.serialize()).unwrap();
    let tokens = cache.get("AccessToken").and_then(Json::as_object).unwrap();
    assert_eq!(tokens.len(), 2, "{}", cache.to_json());
    for (_, t) in tokens {
        assert_eq!(t.str_field("client_id"), Some("system_assigned_managed_identity"));
        assert_eq!(t.str_field("realm"), Some("managed_identity"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_that_meets_a_failing_endpoint_shares_the_one_failure() {
    let (sim, addr) = start(Kind::AppService, SECRET, "", true).await;
    for _ in 0..10 {
        sim.queued.lock().unwrap().push_back(json_error(400, "invalid_resource", "AADSTS500011: the resource was not found"));
    }
    // (Held long enough that every caller is waiting when it comes, on a loaded machine too: a
    // caller that arrives after an attempt ended asks again, by design.)
    sim.answer_delay_ms.store(300, Ordering::SeqCst);
    let ours = Arc::new(app(&environment(&variables(Kind::AppService, &addr)), ManagedIdentityId::SystemAssigned));
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let a = ours.clone();
            tokio::spawn(async move { a.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap().unwrap_err().code(), "invalid_resource");
    }
    assert_eq!(sim.seen.lock().unwrap().len(), 1, "the callers that waited share the answer");
    // A later call asks again.
    assert_eq!(ours.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap_err().code(), "invalid_resource");
    assert_eq!(sim.seen.lock().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_network_client_carries_the_requests_and_its_logger_hears_them() {
    let (sim, addr) = start(Kind::AppService, SECRET, "", true).await;
    let sent = Arc::new(AtomicU32::new(0));
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = lines.clone();
    struct Counting(msal_native::http::Http, Arc<AtomicU32>);
    impl msal_native::NetworkClient for Counting {
        fn send<'a>(
            &'a self,
            request: &'a msal_wasm::core::http::HttpRequest,
        ) -> msal_native::system::BoxFuture<'a, Result<msal_wasm::core::http::HttpResponse, msal_wasm::AuthError>> {
            self.1.fetch_add(1, Ordering::SeqCst);
            Box::pin(self.0.send(request))
        }
    }
    let system = msal_native::SystemOptions {
        network_client: Some(Arc::new(Counting(msal_native::http::Http::new(std::time::Duration::from_secs(5)).unwrap(), sent.clone()))),
        logger: Some(msal_native::Logger::new(msal_native::LogLevel::Verbose, move |_, line, _| {
            sink.lock().unwrap().push(line.to_owned())
        })),
    };
    let config = ManagedIdentityConfig { system, ..ManagedIdentityConfig::system_assigned() };
    let ours = ManagedIdentityApplication::in_environment(config, &environment(&variables(Kind::AppService, &addr))).unwrap();
    let first = ours.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap();
    assert!(ours.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap().from_cache);
    assert_eq!((sent.load(Ordering::SeqCst), sim.seen.lock().unwrap().len()), (1, 1));
    let lines = lines.lock().unwrap().clone();
    let has = |text: &str| lines.iter().any(|l| l.contains(text));
    assert!(has("[] : msal-native@") && has("Info - managed identity source: AppService"), "{lines:?}");
    assert!(
        has(&format!("[{}] : msal-native@", first.correlation_id)) && has("Info - requesting a managed identity token from AppService")
    );
    assert!(has("Verbose - managed identity token served from the cache"), "{lines:?}");
    assert!(lines.iter().all(|l| !l.contains(SECRET) && !l.contains(first.access_token.secret())), "{lines:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_is_retried_as_msal_node_retries_it_unless_retries_are_off() {
    // App Service (msal's default policy): a 503 with Retry-After: 1, then the token.
    let (sim, addr) = start(Kind::AppService, SECRET, "", true).await;
    let env = environment(&variables(Kind::AppService, &addr));
    let unavailable = || (503, r#"{"message":"Service Unavailable"}"#.to_owned(), vec![("Retry-After".to_owned(), "1".to_owned())]);
    sim.queued.lock().unwrap().push_back(unavailable());
    let started = std::time::Instant::now();
    let t = app(&env, ManagedIdentityId::SystemAssigned).acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap();
    assert!(!t.from_cache && started.elapsed() >= std::time::Duration::from_millis(950));
    assert_eq!(sim.seen.lock().unwrap().len(), 2);
    // Off: the 503 is the answer, as a typed server error with the service's message.
    sim.queued.lock().unwrap().push_back(unavailable());
    let config = ManagedIdentityConfig { disable_internal_retries: true, ..ManagedIdentityConfig::system_assigned() };
    let e = ManagedIdentityApplication::in_environment(config, &env).unwrap().acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await;
    let e = e.unwrap_err();
    assert_eq!((e.code(), e.message(), e.status()), ("http_503", "Service Unavailable", Some(503)));
    // A 400 is not retried.
    sim.queued.lock().unwrap().push_back(json_error(400, "invalid_resource", "AADSTS500011: the resource was not found"));
    let before = sim.seen.lock().unwrap().len();
    let e = app(&env, ManagedIdentityId::SystemAssigned).acquire_token(&ManagedIdentityRequest::new("https://nowhere")).await.unwrap_err();
    assert_eq!((e.code(), e.status()), ("invalid_resource", Some(400)));
    assert_eq!(sim.seen.lock().unwrap().len(), before + 1);

    // IMDS: a 500, then (after its 1 s exponential start) the token.
    let (sim, addr) = start(Kind::Imds, SECRET, "", true).await;
    sim.queued.lock().unwrap().push_back(json_error(500, "server_error", "IMDS is restarting"));
    let t = app(&environment(&variables(Kind::Imds, &addr)), ManagedIdentityId::SystemAssigned)
        .acquire_token(&ManagedIdentityRequest::new(RESOURCE))
        .await
        .unwrap();
    assert!(!t.from_cache);
    assert_eq!(sim.seen.lock().unwrap().len(), 2);
}

/// An Azure Arc endpoint whose challenge names `file`, and the environment of its agent.
async fn arc_endpoint(file: String, echo: bool, agent: std::path::PathBuf, tokens: std::path::PathBuf) -> (Arc<Sim>, Environment) {
    let (sim, addr) = start(Kind::AzureArc, "arc-file-secret", &file, echo).await;
    (sim, environment(&variables(Kind::AzureArc, &addr)).with_azure_arc_paths(agent, tokens))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_arc_answers_its_agents_challenge_from_the_agents_folder_and_nothing_else() {
    let dir = std::env::temp_dir().join(format!("msal-mi-arc-{}", std::process::id()));
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let tokens_dir = format!("{}/", tokens.display());
    let key = format!("{tokens_dir}agent-secret.key");
    std::fs::write(&key, "arc-file-secret").unwrap();
    let agent = dir.join("himds");
    // (The folder given without its trailing separator: the agent's challenge has one.)
    let arc = |file: &str, echo: bool| arc_endpoint(file.to_owned(), echo, agent.clone(), tokens.clone());
    let (sim, env) = arc(&key, true).await;
    let ours = app(&env, ManagedIdentityId::SystemAssigned);
    assert_eq!(ours.source(), ManagedIdentitySource::AzureArc);
    let t = ours.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap();
    assert!(!t.from_cache);
    {
        let seen = sim.seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "the challenge, then the answer: {seen:?}");
        assert_eq!(seen[0].header("authorization"), None);
        assert_eq!(seen[1].header("authorization"), Some("Basic arc-file-secret"));
        assert_eq!(seen[1].param("api-version"), Some("2020-06-01"));
    }
    // A user-assigned identity the agent confirms, and one it does not (an agent without them
    // answers with the machine's own).
    let id = ManagedIdentityId::UserAssignedClientId("arc-user".into());
    assert!(app(&env, id.clone()).acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.is_ok());
    let (_, silent) = arc(&key, false).await;
    let e = app(&silent, id).acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap_err();
    assert_eq!(e.code(), mi::USER_ASSIGNED_MANAGED_IDENTITY_NOT_CONFIRMED);

    // A challenge that names another file is refused before anything is read.
    let elsewhere = dir.join("elsewhere.key");
    std::fs::write(&elsewhere, "x").unwrap();
    let big = format!("{tokens_dir}big.key");
    std::fs::write(&big, "x".repeat(4097)).unwrap();
    for (file, code) in [
        ("/etc/passwd".to_owned(), mi::INVALID_FILE_EXTENSION),
        (elsewhere.display().to_string(), mi::INVALID_FILE_PATH),
        (format!("{tokens_dir}../elsewhere.key"), mi::INVALID_FILE_PATH),
        (big.clone(), mi::INVALID_SECRET),
        (format!("{tokens_dir}missing.key"), mi::UNABLE_TO_READ_SECRET_FILE),
    ] {
        let (sim, env) = arc(&file, true).await;
        let e = app(&env, ManagedIdentityId::SystemAssigned).acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap_err();
        assert_eq!(e.code(), code, "{file}");
        assert_eq!(sim.seen.lock().unwrap().len(), 1, "{file}: no second request");
    }
    // A 401 without a challenge, or another scheme's.
    for (headers, code) in [
        (vec![], mi::WWW_AUTHENTICATE_HEADER_MISSING),
        (vec![("WWW-Authenticate".to_owned(), "Bearer realm=x".to_owned())], mi::WWW_AUTHENTICATE_HEADER_UNSUPPORTED_FORMAT),
    ] {
        let (sim, env) = arc(&key, true).await;
        sim.queued.lock().unwrap().push_back((401, "{}".to_owned(), headers));
        let e = app(&env, ManagedIdentityId::SystemAssigned).acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap_err();
        assert_eq!(e.code(), code);
    }
    // A host's own variables (`from_vars`, no agent paths given) on a platform Azure Arc runs
    // on: the agent's folder is this platform's, so its challenge is read there (the file
    // missing here), not refused as an unsupported platform.
    if cfg!(any(windows, target_os = "linux")) {
        let folder = if cfg!(windows) {
            format!("{}\\AzureConnectedMachineAgent\\Tokens\\", std::env::var("ProgramData").unwrap_or_default())
        } else {
            "/var/opt/azcmagent/tokens/".to_owned()
        };
        let (_, addr) = start(Kind::AzureArc, "arc-file-secret", &format!("{folder}msal-test-missing.key"), true).await;
        let env = environment(&variables(Kind::AzureArc, &addr));
        let e = app(&env, ManagedIdentityId::SystemAssigned).acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap_err();
        assert_eq!(e.code(), mi::UNABLE_TO_READ_SECRET_FILE);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claims_challenge_skips_the_cache_and_service_fabric_hears_which_token_was_refused() {
    let (sim, addr) = start(Kind::ServiceFabric, SECRET, "", true).await;
    let config = ManagedIdentityConfig { client_capabilities: vec!["cp1".into()], ..ManagedIdentityConfig::system_assigned() };
    let ours = ManagedIdentityApplication::in_environment(config, &environment(&variables(Kind::ServiceFabric, &addr))).unwrap();
    let first = ours.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap();
    let claims = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;
    let challenged =
        ours.acquire_token(&ManagedIdentityRequest { claims: claims.into(), ..ManagedIdentityRequest::new(RESOURCE) }).await.unwrap();
    assert!(!challenged.from_cache && challenged.access_token.secret() != first.access_token.secret());
    let again = ours.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap();
    assert!(again.from_cache && again.access_token.secret() == challenged.access_token.secret());
    let seen = sim.seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].param("xms_cc"), Some("cp1"));
    assert_eq!(seen[0].param("token_sha256_to_refresh"), None);
    let refused: String =
        msal_wasm::core::sha256::sha256(first.access_token.secret().as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(seen[1].param("token_sha256_to_refresh"), Some(refused.as_str()));
    assert_eq!(seen[1].param("xms_cc"), Some("cp1"));
    // msal's order: the source's parameters, then the refused token's hash, then xms_cc.
    let names: Vec<&str> = seen[1].query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["api-version", "resource", "token_sha256_to_refresh", "xms_cc"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_answers_and_bad_requests_are_typed_errors() {
    let (sim, addr) = start(Kind::Imds, SECRET, "", true).await;
    let env = environment(&variables(Kind::Imds, &addr));
    let ours = ManagedIdentityApplication::in_environment(
        ManagedIdentityConfig { disable_internal_retries: true, ..ManagedIdentityConfig::system_assigned() },
        &env,
    )
    .unwrap();
    let request = ManagedIdentityRequest::new(RESOURCE);
    let ask = || ours.acquire_token(&request);
    for (answer, code) in [
        ((200, "<html>proxy login</html>".to_owned(), vec![]), mi::TOKEN_PARSING_ERROR),
        ((200, r#"{"token_type":"Bearer"}"#.to_owned(), vec![]), mi::TOKEN_PARSING_ERROR),
        ((200, r#"{"access_token":"a","expires_on":"soon"}"#.to_owned(), vec![]), mi::TOKEN_PARSING_ERROR),
        ((502, "Bad Gateway".to_owned(), vec![]), mi::TOKEN_PARSING_ERROR),
        (json_error(400, "invalid_request", "Required metadata header not specified"), "invalid_request"),
    ] {
        sim.queued.lock().unwrap().push_back(answer.clone());
        let e = ask().await.unwrap_err();
        assert_eq!(e.code(), code, "{answer:?}");
        assert!(!e.correlation_id().is_empty(), "{answer:?}");
    }
    let empty = ours.acquire_token(&ManagedIdentityRequest::new("")).await.unwrap_err();
    assert_eq!(empty.code(), "empty_url_error");
    // Nothing listens there.
    let closed = environment(&variables(Kind::Imds, "127.0.0.1:9"));
    let e = app(&closed, ManagedIdentityId::SystemAssigned).acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap_err();
    assert_eq!(e.code(), "network_error");
    // Machine Learning names user-assigned identities by client id only.
    let (_, addr) = start(Kind::MachineLearning, SECRET, "", true).await;
    let ml = app(&environment(&variables(Kind::MachineLearning, &addr)), ManagedIdentityId::UserAssignedObjectId("o".into()));
    assert_eq!(ml.acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await.unwrap_err().code(), mi::INVALID_MANAGED_IDENTITY_ID_TYPE);
    // The strict endpoint refuses a wrong secret header: our requests pass only with the right one.
    let (_, addr) = start(Kind::AppService, SECRET, "", true).await;
    let mut vars = variables(Kind::AppService, &addr);
    vars[1].1 = "stolen-or-stale".into();
    let e = app(&environment(&vars), ManagedIdentityId::SystemAssigned).acquire_token(&ManagedIdentityRequest::new(RESOURCE)).await;
    let e = e.unwrap_err();
    assert_eq!((e.code(), e.message()), ("SecretHeaderNotFound", "Secret header not found"));
}
