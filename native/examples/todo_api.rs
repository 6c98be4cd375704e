//! A protected web API: the To-Do API of msal-node's tutorials. Every call carries an access
//! token for it, checked by [`ApiTokenValidator`] (signature against the authority's keys,
//! issuer, audience, lifetime, scope). `/api/todolist/owner` calls a downstream API on behalf of
//! its caller (on-behalf-of, with the API's own secret); the downstream API, served by the same
//! process for the example at `/downstream/me`, checks its own tokens the same way.
//!
//!     cargo run -p msal-native --example todo_api -- <authority> <api client id> <api secret> \
//!         <downstream client id> <downstream scope> [port]
//!
//! Prints `listening on http://127.0.0.1:<port>`, then one line per refused call; never a token.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use msal_native::{
    ApiTokenValidator, Caller, ConfidentialClientApplication, ConfidentialClientConfig, Credential, OnBehalfOfRequest, Rejection,
};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Api {
    todo: ApiTokenValidator,
    downstream: ApiTokenValidator,
    /// The API as a confidential client, for on-behalf-of (its cache keeps each caller's token).
    client: ConfidentialClientApplication,
    downstream_scope: String,
    base_url: String,
    http: reqwest::Client,
    lists: Mutex<HashMap<String, Vec<String>>>,
}

/// A refused call: the status, and `WWW-Authenticate` when the token was the problem.
struct Refused(StatusCode, Option<String>, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let Refused(status, challenge, message) = self;
        let mut resp = (status, Json(json!({ "error": message }))).into_response();
        if let Some(value) = challenge.and_then(|c| c.parse().ok()) {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        resp
    }
}

impl From<Rejection> for Refused {
    fn from(r: Rejection) -> Refused {
        println!("refused: {r}");
        let status = StatusCode::from_u16(r.status()).unwrap_or(StatusCode::UNAUTHORIZED);
        Refused(status, Some(r.www_authenticate()), r.description().to_owned())
    }
}

fn bearer(headers: &HeaderMap) -> Result<&str, Rejection> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    value.strip_prefix("Bearer ").filter(|t| !t.is_empty()).ok_or(Rejection::Malformed)
}

async fn caller(validator: &ApiTokenValidator, headers: &HeaderMap, scope: &str) -> Result<Caller, Refused> {
    Ok(validator.validate(bearer(headers)?, scope).await?)
}

/// GET /api/todolist (scope `ToDoList.Read`): the caller's list.
async fn todolist(State(api): State<Arc<Api>>, headers: HeaderMap) -> Result<Json<serde_json::Value>, Refused> {
    let caller = caller(&api.todo, &headers, "ToDoList.Read").await?;
    let mut lists = api.lists.lock().map_err(|_| Refused(StatusCode::INTERNAL_SERVER_ERROR, None, "lists unavailable".into()))?;
    let items =
        lists.entry(caller.subject().to_owned()).or_insert_with(|| vec!["Sign in with msal-native".into(), "Call the To-Do API".into()]);
    Ok(Json(json!({ "owner": caller.subject(), "items": items })))
}

/// GET /api/todolist/owner (scope `ToDoList.Read`): asks the downstream API who the caller is,
/// on behalf of the caller.
async fn owner(State(api): State<Arc<Api>>, headers: HeaderMap) -> Result<Json<serde_json::Value>, Refused> {
    let caller = caller(&api.todo, &headers, "ToDoList.Read").await?;
    let assertion = bearer(&headers)?.to_owned();
    let token = api
        .client
        .acquire_token_on_behalf_of(&OnBehalfOfRequest::new(assertion, vec![api.downstream_scope.clone()]))
        .await
        .map_err(|e| Refused(StatusCode::BAD_GATEWAY, None, format!("on-behalf-of failed: {}", e.code())))?;
    let resp = api
        .http
        .get(format!("{}/downstream/me", api.base_url))
        .bearer_auth(token.access_token.secret())
        .send()
        .await
        .map_err(|_| Refused(StatusCode::BAD_GATEWAY, None, "the downstream API is unreachable".into()))?;
    let status = resp.status().as_u16();
    let body: serde_json::Value = serde_json::from_str(&resp.text().await.unwrap_or_default()).unwrap_or_default();
    Ok(Json(json!({ "owner": caller.subject(), "downstream_status": status, "downstream": body, "obo_from_cache": token.from_cache })))
}

/// GET /downstream/me (the downstream API; scope `Data.Read`): who called, and through which app.
async fn downstream_me(State(api): State<Arc<Api>>, headers: HeaderMap) -> Result<Json<serde_json::Value>, Refused> {
    let caller = caller(&api.downstream, &headers, "Data.Read").await?;
    Ok(Json(json!({ "oid": caller.subject(), "azp": caller.claims().str_field("azp") })))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (authority, api_id, secret, downstream_id, downstream_scope, port) = match args.as_slice() {
        [a, b, c, d, e] => (a, b, c, d, e, 0u16),
        [a, b, c, d, e, p] => (a, b, c, d, e, p.parse()?),
        _ => return Err("usage: todo_api <authority> <api client id> <api secret> <downstream client id> <downstream scope> [port]".into()),
    };
    let discovery = format!("{}/v2.0/.well-known/openid-configuration", authority.trim_end_matches('/'));
    let timeout = Duration::from_secs(10);
    let todo = ApiTokenValidator::from_discovery(&discovery, api_id, timeout).await?;
    let downstream = ApiTokenValidator::from_discovery(&discovery, downstream_id, timeout).await?;
    let client = ConfidentialClientApplication::new(
        ConfidentialClientConfig::new(api_id.as_str(), authority.as_str(), Credential::Secret(secret.clone())),
        None,
    )?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let api = Arc::new(Api {
        todo,
        downstream,
        client,
        downstream_scope: downstream_scope.clone(),
        base_url: base_url.clone(),
        http: reqwest::Client::builder().timeout(timeout).build()?,
        lists: Mutex::new(HashMap::new()),
    });
    let app = Router::new()
        .route("/api/todolist", get(todolist))
        .route("/api/todolist/owner", get(owner))
        .route("/downstream/me", get(downstream_me))
        .with_state(api);
    println!("listening on {base_url}");
    axum::serve(listener, app).await?;
    Ok(())
}
