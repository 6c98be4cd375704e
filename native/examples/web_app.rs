//! A web app that signs users in: msal-node's Express tutorial on Axum. The authorization code
//! flow with PKCE and `form_post`, the pending request and the signed-in user in a server-side
//! session kept in Redis, the users' tokens in their Redis partition (so any instance of the app
//! behind the same Redis serves them), and an API called with a silent token — or, when the
//! token needs the user, a sign-in for the API's scopes that comes back to the page.
//!
//!     cargo run -p msal-native --example web_app -- <authority> <client id> <client secret> \
//!         <redis url> <to-do API url> <to-do scope> [port]
//!
//! Routes: `/`, `/auth/signin` (`?next=/path&scopes=a+b`), `/auth/redirect` (the registered
//! redirect URI, form_post), `/auth/signout`, `/users/id` (the ID token's claims), `/todolist`.
//! Prints `listening on http://127.0.0.1:<port>`; never a token.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use msal_native::{AuthCodeUrlRequest, CachePlugin, ConfidentialClientApplication, ConfidentialClientConfig, Credential};
use msal_native::{DefaultPartitions, DistributedCachePlugin, KeyValueClient, RedisClient};
use msal_wasm::client::{AccountRef, SilentRequest};
use msal_wasm::error::{AuthError, ErrorKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::cookie::{time, SameSite};
use tower_sessions::session::{Id, Record};
use tower_sessions::{session_store, Expiry, Session, SessionManagerLayer, SessionStore};

/// Sessions in Redis: one key per session, expiring with it.
#[derive(Clone)]
struct RedisSessions {
    connection: redis::aio::MultiplexedConnection,
}

impl std::fmt::Debug for RedisSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisSessions")
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl RedisSessions {
    fn key(id: &Id) -> String {
        format!("session:{id}")
    }

    /// Writes `record`; with `only_new`, fails (false) when the id is taken.
    async fn write(&self, record: &Record, only_new: bool) -> session_store::Result<bool> {
        let text = serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let mut cmd = redis::cmd("SET");
        cmd.arg(Self::key(&record.id)).arg(text).arg("EXAT").arg(record.expiry_date.unix_timestamp());
        if only_new {
            cmd.arg("NX");
        }
        let done: Option<String> = cmd.query_async(&mut self.connection.clone()).await.map_err(backend)?;
        Ok(done.is_some())
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while !self.write(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, false).await.map(|_| ())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let text: Option<String> = redis::cmd("GET").arg(Self::key(id)).query_async(&mut self.connection.clone()).await.map_err(backend)?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| session_store::Error::Decode(e.to_string()))).transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        redis::cmd("DEL").arg(Self::key(id)).query_async::<()>(&mut self.connection.clone()).await.map_err(backend)
    }
}

#[derive(Clone)]
struct App {
    msal: Arc<ConfidentialClientApplication>,
    base_url: String,
    todo_api: String,
    todo_scope: String,
    http: reqwest::Client,
}

/// The signed-in user, in the session.
#[derive(Serialize, Deserialize)]
struct User {
    home_account_id: String,
    username: String,
    /// The ID token's claims (JSON).
    claims: String,
}

const PENDING: &str = "pending_auth";
const USER: &str = "user";

/// An error page: the status and msal's error code (never a token or the request).
struct Failure(StatusCode, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = format!("<h1>Sign-in failed</h1><p id=\"error\">{}</p><a href=\"/\">Home</a>", escape(&self.1));
        (self.0, Html(body)).into_response()
    }
}

impl From<AuthError> for Failure {
    fn from(e: AuthError) -> Failure {
        Failure(StatusCode::BAD_REQUEST, e.code().to_owned())
    }
}

impl From<tower_sessions::session::Error> for Failure {
    fn from(_: tower_sessions::session::Error) -> Failure {
        Failure(StatusCode::SERVICE_UNAVAILABLE, "session_store_unavailable".into())
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A path of this app (an open redirect is refused: anything else goes home).
fn local_path(p: &str) -> &str {
    if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') {
        p
    } else {
        "/"
    }
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><title>{t}</title><nav><a href=\"/\">Home</a> <a href=\"/users/id\">ID</a> \
         <a href=\"/todolist\">To-Do list</a> <a href=\"/auth/signout\">Sign out</a></nav><h1>{t}</h1>{body}",
        t = escape(title)
    ))
}

async fn user(session: &Session) -> Result<Option<User>, Failure> {
    Ok(session.get::<User>(USER).await?)
}

async fn home(session: Session) -> Result<Html<String>, Failure> {
    Ok(match user(&session).await? {
        Some(u) => page("Home", &format!("<p id=\"user\">Signed in as {}</p>", escape(&u.username))),
        None => page("Home", "<p id=\"user\"></p><a id=\"signin\" href=\"/auth/signin\">Sign in</a>"),
    })
}

#[derive(Deserialize)]
struct SignIn {
    next: Option<String>,
    scopes: Option<String>,
}

/// Sends the user to the authority, keeping the pending request (PKCE verifier, state, nonce) in
/// their session.
async fn signin(State(app): State<App>, session: Session, Query(q): Query<SignIn>) -> Result<Redirect, Failure> {
    let req = AuthCodeUrlRequest {
        scopes: q.scopes.unwrap_or_default().split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        redirect_uri: format!("{}/auth/redirect", app.base_url),
        state: local_path(q.next.as_deref().unwrap_or("/")).to_owned(),
        ..Default::default()
    };
    let flow = app.msal.get_auth_code_url(&req).await?;
    session.insert(PENDING, flow.session).await?;
    Ok(Redirect::to(&flow.url))
}

/// The authority's form_post: redeems the code of the pending request (taken out of the
/// session first, so a replay finds none), then remembers the user under a new session id.
async fn redirect(State(app): State<App>, session: Session, body: String) -> Result<Redirect, Failure> {
    let Some(pending) = session.remove::<String>(PENDING).await? else {
        return Err(Failure(StatusCode::BAD_REQUEST, "no_token_request_cache_error".into()));
    };
    let result = app.msal.acquire_token_by_code(&pending, &body).await?;
    session.cycle_id().await?;
    let account = &result.account;
    let claims = account.id_token_claims.as_ref().map(|c| c.to_json()).unwrap_or_default();
    let user = User { home_account_id: account.account.home_account_id.clone(), username: account.account.username.clone(), claims };
    session.insert(USER, user).await?;
    Ok(Redirect::to(local_path(&result.state)))
}

/// Removes the user's tokens, destroys the session, and sends the browser to the authority's
/// end-session endpoint (which comes back home).
async fn signout(State(app): State<App>, session: Session) -> Result<Redirect, Failure> {
    let user = user(&session).await?;
    session.flush().await?;
    let Some(user) = user else { return Ok(Redirect::to("/")) };
    let url = app.msal.sign_out(&AccountRef::new(user.home_account_id), &format!("{}/", app.base_url)).await?;
    Ok(Redirect::to(url.as_deref().unwrap_or("/")))
}

/// The ID token's claims of the signed-in user.
async fn users_id(session: Session) -> Result<Response, Failure> {
    let Some(user) = user(&session).await? else { return Ok(Redirect::to("/auth/signin?next=/users/id").into_response()) };
    let claims = msal_wasm::core::json::Json::parse(&user.claims).unwrap_or_else(|_| msal_wasm::core::json::Json::object());
    let rows: String = claims
        .as_object()
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| {
            let value = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_json());
            format!("<tr><th>{}</th><td data-claim=\"{}\">{}</td></tr>", escape(k), escape(k), escape(&value))
        })
        .collect();
    Ok(page("ID token claims", &format!("<table>{rows}</table>")).into_response())
}

/// The user's To-Do list from the API, with a token for its scope: from the cache, else by the
/// refresh token; when the user must sign in (again, or to consent), a sign-in for the scope that
/// comes back here.
async fn todolist(State(app): State<App>, session: Session) -> Result<Response, Failure> {
    let Some(user) = user(&session).await? else { return Ok(Redirect::to("/auth/signin?next=/todolist").into_response()) };
    let req = SilentRequest {
        scopes: vec![app.todo_scope.clone()],
        account: Some(AccountRef::new(user.home_account_id.clone())),
        ..Default::default()
    };
    let token = match app.msal.acquire_token_silent(&req).await {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::InteractionRequired => {
            let scopes = msal_wasm::core::url::encode(&app.todo_scope);
            return Ok(Redirect::to(&format!("/auth/signin?next=/todolist&scopes={scopes}")).into_response());
        }
        Err(e) => return Err(Failure(StatusCode::BAD_GATEWAY, e.code().to_owned())),
    };
    let resp = app
        .http
        .get(format!("{}/api/todolist", app.todo_api))
        .bearer_auth(token.access_token.secret())
        .send()
        .await
        .map_err(|_| Failure(StatusCode::BAD_GATEWAY, "todo_api_unreachable".into()))?;
    let status = resp.status().as_u16();
    let body: serde_json::Value = serde_json::from_str(&resp.text().await.unwrap_or_default()).unwrap_or_default();
    if status != 200 {
        return Err(Failure(StatusCode::BAD_GATEWAY, format!("todo_api_status_{status}")));
    }
    let items: String = body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i.as_str()).map(|i| format!("<li>{}</li>", escape(i))).collect())
        .unwrap_or_default();
    let source = format!("<p id=\"token-source\">token from cache: {}</p>", token.from_cache);
    Ok(page("To-Do list", &format!("<ul id=\"items\">{items}</ul>{source}")).into_response())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (authority, client_id, secret, redis_url, todo_api, todo_scope, port) = match args.as_slice() {
        [a, b, c, d, e, f] => (a, b, c, d, e, f, 0u16),
        [a, b, c, d, e, f, p] => (a, b, c, d, e, f, p.parse()?),
        _ => return Err("usage: web_app <authority> <client id> <client secret> <redis url> <to-do API url> <to-do scope> [port]".into()),
    };
    // The users' tokens: one Redis entry per user (their homeAccountId).
    let kv: Arc<dyn KeyValueClient> = Arc::new(RedisClient::connect(redis_url).await?);
    let plugin: Arc<dyn CachePlugin> = Arc::new(DistributedCachePlugin::new(kv, Arc::new(DefaultPartitions)));
    let config = ConfidentialClientConfig::new(client_id.as_str(), authority.as_str(), Credential::Secret(secret.clone()));
    let msal = Arc::new(ConfidentialClientApplication::new(config, Some(plugin))?);
    // The sessions: another prefix of the same Redis.
    let sessions = RedisSessions { connection: redis::Client::open(redis_url.as_str())?.get_multiplexed_async_connection().await? };
    // SameSite=None: the authority's form_post is a cross-site POST in production (Secure is
    // required with it; browsers treat http://127.0.0.1 and localhost as secure).
    let layer = SessionManagerLayer::new(sessions)
        .with_name("webapp.sid")
        .with_secure(true)
        .with_same_site(SameSite::None)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(1)));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let app = App {
        msal,
        base_url: base_url.clone(),
        todo_api: todo_api.trim_end_matches('/').to_owned(),
        todo_scope: todo_scope.clone(),
        http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?,
    };
    let router = Router::new()
        .route("/", get(home))
        .route("/auth/signin", get(signin))
        .route("/auth/redirect", post(redirect))
        .route("/auth/signout", get(signout))
        .route("/users/id", get(users_id))
        .route("/todolist", get(todolist))
        .layer(layer)
        .with_state(app);
    println!("listening on {base_url}");
    axum::serve(listener, router).await?;
    Ok(())
}
