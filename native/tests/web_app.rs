//! A web app's sign-in with the confidential client (msal-node's Express tutorial, without the
//! web framework): the auth code URL (PKCE, form_post, state, nonce), the code redeemed with the
//! app's secret, the user's tokens in their Redis partition, silent calls served there on
//! another "machine", renewal with the refresh token; a tampered state and a replayed code.

mod support;

use msal_native::*;
use msal_wasm::client::{AccountInfo, AccountRef, SilentRequest};
use msal_wasm::core::cache::{unified, CredentialType};
use msal_wasm::core::url::{encode, parse_query};
use std::sync::Arc;
use support::*;

const WEB_CLIENT_ID: &str = "msal-wasm-test-web";
const WEB_CERT_CLIENT_ID: &str = "msal-wasm-test-web-cert";
const WEB_SECRET: &str = "web-secret-for-tests-only";
/// The To-Do API: a middle tier that calls the downstream API on behalf of its callers.
const TODO_API: &str = "msal-wasm-test-todo-api";
const TODO_API_SECRET: &str = "todo-api-secret-for-tests-only";
const TODO_READ: &str = "api://msal-wasm-test-todo-api/ToDoList.Read";
const DOWNSTREAM: &str = "api://msal-wasm-test-downstream/Data.Read";
/// The web app's own API: its callers' tokens for it are the assertions it goes on behalf of.
const WEB_API: &str = "api://msal-wasm-test-web/access_as_user";

async fn web_app(redis: &Redis) -> ConfidentialClientApplication {
    let client: Arc<dyn KeyValueClient> = Arc::new(RedisClient::connect(&redis.url).await.unwrap());
    let plugin: Arc<dyn CachePlugin> = Arc::new(DistributedCachePlugin::new(client, Arc::new(DefaultPartitions)));
    let config = ConfidentialClientConfig::new(WEB_CLIENT_ID, authority(), Credential::Secret(WEB_SECRET.into()));
    ConfidentialClientApplication::new(config, Some(plugin)).unwrap()
}

fn redirect_uri() -> String {
    format!("{}/", idp_origin())
}

/// The authorize URL's form_post, PKCE and client, then the sign-in at the provider.
async fn sign_in(url: &str, login: &str) -> (String, String) {
    let query = parse_query(url.split_once('?').unwrap().1);
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(get("response_mode"), "form_post");
    assert_eq!(get("code_challenge_method"), "S256");
    assert_eq!(get("client_id"), WEB_CLIENT_ID);
    // As msal-node: no `pocd` (msal-browser's popup origin check, which a server cannot make:
    // it would let Entra leave Cross-Origin-Opener-Policy off the page the user signs in on).
    assert!(query.iter().all(|(n, _)| n != "pocd"), "{url}");
    sign_in_at_provider(url, login).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_the_auth_code_flow_then_silent_on_another_machine_through_redis() {
    let redis = start_redis().await;
    let a = web_app(&redis).await;
    let req = AuthCodeUrlRequest {
        scopes: vec!["User.Read".into()],
        redirect_uri: redirect_uri(),
        state: "back-to=/todolist".into(),
        ..Default::default()
    };
    let flow = a.get_auth_code_url(&req).await.unwrap();
    assert!(!format!("{flow:?}").contains(&flow.session), "the session never shows in Debug");
    // msal-node's other authorize parameters reach the URL (a sid as msal sends it: with
    // prompt=none).
    let more = AuthCodeUrlRequest {
        domain_hint: "contoso.com".into(),
        sid: "session-1".into(),
        prompt: Some(msal_wasm::core::authorize::Prompt::None),
        claims: r#"{"access_token":{"nbf":{"essential":true,"value":"1"}}}"#.into(),
        extra_scopes_to_consent: vec!["Mail.Read".into()],
        extra_query_parameters: vec![("dc".into(), "ESTS-PUB-WUS2".into())],
        correlation_id: "corr-1".into(),
        ..req.clone()
    };
    let url = a.get_auth_code_url(&more).await.unwrap().url;
    let query = parse_query(url.split_once('?').unwrap().1);
    let param = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(
        (param("domain_hint"), param("sid"), param("dc"), param("client-request-id")),
        ("contoso.com".into(), "session-1".into(), "ESTS-PUB-WUS2".into(), "corr-1".into())
    );
    assert!(param("scope").split(' ').any(|s| s == "Mail.Read"), "{}", param("scope"));
    assert!(param("claims").contains(r#""nbf""#), "{}", param("claims"));
    // The request's own authority (msal-node's B2C samples pass a policy's): the URL is that
    // authority's, and so is the code's redemption.
    let guest = AuthCodeUrlRequest { authority: Some(format!("{}/{GUEST_TENANT_ID}", idp_origin())), ..req.clone() };
    let guest_flow = a.get_auth_code_url(&guest).await.unwrap();
    assert!(guest_flow.url.starts_with(&format!("{}/{GUEST_TENANT_ID}/", idp_origin())), "{}", guest_flow.url);
    let (code, state) = sign_in(&guest_flow.url, "web-user").await;
    let in_guest = a.acquire_token_by_code(&guest_flow.session, &format!("code={code}&state={}", encode(&state))).await.unwrap();
    assert_eq!(in_guest.tenant_id, GUEST_TENANT_ID);
    let (code, state) = sign_in(&flow.url, "web-user").await;
    reset().await;

    // A tampered state: refused before the token endpoint, nothing stored.
    let forged = a.acquire_token_by_code(&flow.session, &format!("code={code}&state={}x", encode(&state))).await.unwrap_err();
    assert_eq!(forged.code(), "state_mismatch");
    assert_eq!(token_requests().await, 0);

    // The form_post body, redeemed with the secret and the verifier.
    let body = format!("code={code}&state={}", encode(&state));
    let r = a.acquire_token_by_code(&flow.session, &body).await.unwrap();
    assert_eq!(r.account.account.username, "web-user");
    assert_eq!(r.state, "back-to=/todolist");
    assert_eq!(token_requests().await, 1);

    // Machine B, behind the same Redis: the user's token from their partition, no request.
    reset().await;
    let b = web_app(&redis).await;
    let home = r.account.account.home_account_id.clone();
    let silent = SilentRequest { scopes: vec!["User.Read".into()], account: Some(AccountRef::new(home.clone())), ..Default::default() };
    let hit = b.acquire_token_silent(&silent).await.unwrap();
    assert!(hit.from_cache);
    assert_eq!(hit.access_token.secret(), r.access_token.secret());
    assert_eq!(token_requests().await, 0);
    // The user's account, as msal-node's getAccountByHomeId: from their partition, with their
    // ID token's claims; none for an account nobody signed in.
    let found = b.get_account_by_home_id(&home).await.unwrap().expect("the user's account, from Redis");
    assert_eq!(found.account.username, "web-user");
    assert_eq!(found.id_token_claims.as_ref().and_then(|c| c.str_field("aud")), Some(WEB_CLIENT_ID));
    // The user signed in to the guest tenant first: its profile is the account's first, as in
    // msal-node's, with that tenant's ID token.
    assert_eq!(found.account.realm, GUEST_TENANT_ID);
    assert_eq!(found.id_token_claims.as_ref().and_then(|c| c.str_field("tid")), Some(GUEST_TENANT_ID));
    assert!(b.get_account_by_home_id("nobody.tenant").await.unwrap().is_none());
    // A store of partitions cannot be listed: msal-node's getAllAccounts is refused by name.
    assert_eq!(b.get_all_accounts().await.unwrap_err().code(), "method_not_implemented");
    // 100 more silent calls on B: all from Redis. The latency of a user's hit (a client of its
    // own per call, on a blocking thread).
    let mut times = Vec::new();
    for _ in 0..100 {
        let t0 = std::time::Instant::now();
        assert!(b.acquire_token_silent(&silent).await.unwrap().from_cache);
        times.push(t0.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    let requests = token_requests().await;
    println!(
        "web app: {requests} token request(s) for 101 silent calls; user hit through Redis median {:.0} µs, p95 {:.0} µs",
        times[50], times[95]
    );
    assert_eq!(requests, 0);
    // Renewal with the refresh token (and the app's secret), saved for machine A.
    let renewed = b.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent.clone() }).await.unwrap();
    assert!(!renewed.from_cache);
    assert_eq!(token_requests().await, 1);
    assert_eq!(a.acquire_token_silent(&silent).await.unwrap().access_token.secret(), renewed.access_token.secret());
    // The refresh token, taken to an app with a cache of its own (a migration): redeemed there.
    let partition = RedisClient::connect(&redis.url).await.unwrap().get(&home).await.unwrap().unwrap();
    let stored = msal_wasm::core::cache::unified::deserialize(&partition).unwrap();
    // Both sign-ins (the guest tenant's, then the home tenant's, each redeemed from an empty
    // cache) are tenant profiles of the one stored account, as msal-node keeps them.
    let profiles: Vec<String> =
        stored.accounts().into_iter().flat_map(|(_, e)| e.account.tenant_profiles.into_iter().map(|p| p.tenant_id)).collect();
    assert_eq!(profiles, [GUEST_TENANT_ID, r.tenant_id.as_str()]);
    let rt = stored
        .credentials()
        .into_iter()
        .find(|(_, c)| c.credential_type == msal_wasm::core::cache::CredentialType::RefreshToken)
        .unwrap()
        .1
        .secret;
    let elsewhere = start_redis().await;
    let c = web_app(&elsewhere).await;
    let migrated = c.acquire_token_by_refresh_token(&rt, &["User.Read".to_owned()]).await.unwrap();
    assert_eq!(migrated.account.account.home_account_id, home);
    assert!(c.acquire_token_silent(&silent).await.unwrap().from_cache, "cached in the user's partition");
    assert_eq!(c.acquire_token_by_refresh_token(" ", &[]).await.unwrap_err().code(), "null_or_empty_token");

    // Sign-out: the user's tokens leave their partition; the end-session URL to redirect to.
    let url = c.sign_out(&AccountRef::new(home.clone()), &redirect_uri()).await.unwrap().unwrap();
    assert!(url.starts_with(&format!("{}/oauth2/v2.0/logout?", authority())), "{url}");
    assert!(url.contains(&format!("post_logout_redirect_uri={}", encode(&redirect_uri()))));
    assert!(!url.contains("pocd="), "{url}");
    // The end-session URL alone (the cache untouched).
    let only = a.get_logout_url(&redirect_uri(), "hint-1").await.unwrap().unwrap();
    assert!(only.starts_with(&format!("{}/oauth2/v2.0/logout?", authority())), "{only}");
    assert!(only.contains(&format!("post_logout_redirect_uri={}", encode(&redirect_uri()))) && only.contains("logout_hint=hint-1"));
    assert!(!only.contains("state="), "no browser state in a server's logout URL");
    // As msal-node: the account's tokens are gone, the user must sign in (no_tokens_found).
    let gone = c.acquire_token_silent(&silent).await.unwrap_err();
    assert_eq!((gone.code(), gone.kind()), ("no_tokens_found", msal_wasm::error::ErrorKind::InteractionRequired));

    assert!(c.get_account_by_home_id(&home).await.unwrap().is_none(), "signed out of that partition");
    // msal-node's removeAccount, on A's partition (no end-session URL): the account and its
    // tokens leave it, for machine B too.
    assert!(a.get_account_by_home_id(&home).await.unwrap().is_some());
    a.remove_account(&AccountRef::new(home.clone())).await.unwrap();
    assert!(b.get_account_by_home_id(&home).await.unwrap().is_none());
    assert_eq!(b.acquire_token_silent(&silent).await.unwrap_err().code(), "no_tokens_found");

    // The same code again: the provider refuses it (and, as OAuth asks, revokes what it issued).
    assert_eq!(a.acquire_token_by_code(&flow.session, &body).await.unwrap_err().code(), "invalid_grant");
    // An account nobody signed in (or whose partition is gone): interaction required, as msal-node.
    let stranger = SilentRequest { account: Some(AccountRef::new("nobody.tenant")), ..silent };
    assert_eq!(a.acquire_token_silent(&stranger).await.unwrap_err().code(), "no_tokens_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_middle_tier_api_calls_downstream_on_behalf_of_the_user() {
    let redis = start_redis().await;
    let api = web_app(&redis).await;
    // The user's access token, as the API receives it: one for the API itself (Entra refuses
    // any other as an assertion, e.g. a Graph token).
    let req = AuthCodeUrlRequest { scopes: vec![WEB_API.into()], redirect_uri: redirect_uri(), ..Default::default() };
    let flow = api.get_auth_code_url(&req).await.unwrap();
    // A user of an EU data boundary tenant (the provider says so in client_info).
    let (code, state) = sign_in(&flow.url, "eu-obo-user").await;
    let user = api.acquire_token_by_code(&flow.session, &format!("code={code}&state={}", encode(&state))).await.unwrap();
    reset().await;

    let obo = OnBehalfOfRequest::new(user.access_token.secret(), vec!["api.write".into()]);
    assert!(!format!("{obo:?}").contains(user.access_token.secret()), "the user's token never shows in Debug");
    let first = api.acquire_token_on_behalf_of(&obo).await.unwrap();
    assert!(!first.from_cache);
    // (Every consented scope of the resource, as Entra lists them.)
    let mut granted = first.scopes.clone();
    granted.sort();
    assert_eq!(granted, ["User.Read", "api.read", "api.write"]);
    assert_ne!(first.access_token.secret(), user.access_token.secret());
    // As msal-node: the OpenID Connect scopes were asked for too, so the user comes back with
    // their ID token (the account of the user's own sign-in).
    let who = |t: &AppToken| {
        let a = t.account.as_ref().expect("the user's account");
        let claims = a.id_token_claims.as_ref().expect("the ID token's claims");
        let aud = claims.str_field("aud").map(str::to_owned);
        (a.account.home_account_id.clone(), a.account.username.clone(), aud, a.account.data_boundary.clone())
    };
    let home = user.account.account.home_account_id.clone();
    // The data boundary also on a cached result: the unified cache does not write it (as
    // msal-node), and it is read back from the account's client_info.
    let expected = (home, "eu-obo-user".to_owned(), Some(WEB_CLIENT_ID.to_owned()), "EU".to_owned());
    assert_eq!(who(&first), expected);
    // Cached for that assertion, with the user, on this instance and on another behind the same Redis.
    let again = api.acquire_token_on_behalf_of(&obo).await.unwrap();
    assert!(again.from_cache);
    assert_eq!(who(&again), expected);
    let other = web_app(&redis).await;
    let hit = other.acquire_token_on_behalf_of(&obo).await.unwrap();
    assert!(hit.from_cache);
    assert_eq!(hit.access_token.secret(), first.access_token.secret());
    assert_eq!(who(&hit), expected);
    assert_eq!(token_requests().await, 1);
    // skip_cache goes to the provider.
    assert!(!api.acquire_token_on_behalf_of(&OnBehalfOfRequest { skip_cache: true, ..obo.clone() }).await.unwrap().from_cache);
    // As msal-node, an on-behalf-of token past its refresh_in is served until it expires (no
    // new request with a user assertion that may have expired meanwhile), also from a cache
    // deserialized in another process. (The To-Do API as the middle tier: its callers' tokens
    // are JWTs for it, as Entra's are.)
    let for_todo = SilentRequest {
        account: Some(AccountRef::new(user.account.account.home_account_id.clone())),
        scopes: vec![TODO_READ.into()],
        ..Default::default()
    };
    let todo_assertion = api.acquire_token_silent(&for_todo).await.unwrap().access_token.secret().to_owned();
    let todo_obo = OnBehalfOfRequest::new(&todo_assertion, vec![DOWNSTREAM.into()]);
    let plain = || {
        let config = ConfidentialClientConfig::new(TODO_API, authority(), Credential::Secret(TODO_API_SECRET.into()));
        ConfidentialClientApplication::new(config, None).unwrap()
    };
    let a = plain();
    let issued = a.acquire_token_on_behalf_of(&todo_obo).await.unwrap();
    let b = plain();
    b.deserialize(&refresh_due_in(&a.serialize())).unwrap();
    reset().await;
    let served = b.acquire_token_on_behalf_of(&todo_obo).await.unwrap();
    assert!(served.from_cache && served.access_token.secret() == issued.access_token.secret());
    assert_eq!(token_requests().await, 0);
    // A token the provider never issued, or the user's token for another API (Graph's, the
    // mistake Entra refuses with AADSTS50013): refused; nothing cached for it.
    let forged = OnBehalfOfRequest::new("not-a-token-of-this-provider", vec!["api.write".into()]);
    assert_eq!(api.acquire_token_on_behalf_of(&forged).await.unwrap_err().code(), "invalid_grant");
    let graph = SilentRequest { scopes: vec!["User.Read".into()], ..for_todo.clone() };
    let graph_token = api.acquire_token_silent(&graph).await.unwrap().access_token.secret().to_owned();
    let wrong = OnBehalfOfRequest::new(&graph_token, vec!["api.write".into()]);
    assert_eq!(api.acquire_token_on_behalf_of(&wrong).await.unwrap_err().code(), "invalid_grant");
    assert_eq!(
        api.acquire_token_on_behalf_of(&OnBehalfOfRequest::new("", vec!["api.write".into()])).await.unwrap_err().code(),
        "null_or_empty_token"
    );
}

/// A middle-tier API (the To-Do API) calling downstream on behalf of its callers, as Entra's
/// assertions are: JWTs for the API with the user's `oid` and `tid`. As msal-node, the token is
/// kept with the user's: a silent call for the user finds it, their account is there, and the
/// user's next access token (the assertion of their next call) replaces it, since msal-node's
/// cache key has no assertion hash. The API's store holds one partition per user, not one per
/// assertion it ever saw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_middle_tier_keeps_one_partition_per_user_as_their_assertions_change() {
    let plain = ConfidentialClientConfig::new(WEB_CLIENT_ID, authority(), Credential::Secret(WEB_SECRET.into()));
    let web = ConfidentialClientApplication::new(plain, None).unwrap();
    let req = AuthCodeUrlRequest { scopes: vec![TODO_READ.into()], redirect_uri: redirect_uri(), ..Default::default() };
    let flow = web.get_auth_code_url(&req).await.unwrap();
    let (code, state) = sign_in(&flow.url, "obo-rotating").await;
    let user = web.acquire_token_by_code(&flow.session, &format!("code={code}&state={}", encode(&state))).await.unwrap();
    let home = user.account.account.home_account_id.clone();
    let renewed = SilentRequest {
        account: Some(AccountRef::new(home.clone())),
        scopes: vec![TODO_READ.into()],
        force_refresh: true,
        ..Default::default()
    };
    let mut assertions = vec![user.access_token.secret().to_owned()];
    for _ in 0..2 {
        assertions.push(web.acquire_token_silent(&renewed).await.unwrap().access_token.secret().to_owned());
    }

    let store = Arc::new(MemoryClient::default());
    let plugin: Arc<dyn CachePlugin> = Arc::new(DistributedCachePlugin::new(store.clone(), Arc::new(DefaultPartitions)));
    let config = ConfidentialClientConfig::new(TODO_API, authority(), Credential::Secret(TODO_API_SECRET.into()));
    let api = ConfidentialClientApplication::new(config, Some(plugin)).unwrap();
    let obo = |a: &str| OnBehalfOfRequest::new(a, vec![DOWNSTREAM.into()]);
    let first = api.acquire_token_on_behalf_of(&obo(&assertions[0])).await.unwrap();
    assert!(!first.from_cache);
    let for_user = SilentRequest { account: Some(AccountRef::new(home.clone())), scopes: vec![DOWNSTREAM.into()], ..Default::default() };
    let found = api.acquire_token_silent(&for_user).await.unwrap();
    assert_eq!((found.from_cache, found.access_token.secret()), (true, first.access_token.secret()));
    assert!(api.get_account_by_home_id(&home).await.unwrap().is_some());

    let mut issued = vec![first.access_token.secret().to_owned()];
    for a in &assertions[1..] {
        let t = api.acquire_token_on_behalf_of(&obo(a)).await.unwrap();
        assert!(!t.from_cache, "a new assertion is a new request");
        issued.push(t.access_token.secret().to_owned());
    }
    let keys: Vec<String> = store.snapshot().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, std::slice::from_ref(&home), "one partition: the user's");
    // The last assertion's token is served; an earlier assertion's was replaced.
    let served = api.acquire_token_on_behalf_of(&obo(&assertions[2])).await.unwrap();
    assert_eq!((served.from_cache, served.access_token.secret()), (true, issued[2].as_str()));
    assert!(!api.acquire_token_on_behalf_of(&obo(&assertions[0])).await.unwrap().from_cache);
    // At a multi-tenant authority, the result names the user's tenant (their ID token's
    // `tid`), as msal-node's, not the authority's alias.
    let organizations = [idp_origin().as_str(), "/organizations"].concat();
    let config = ConfidentialClientConfig::new(TODO_API, organizations, Credential::Secret(TODO_API_SECRET.into()));
    let shared = Arc::new(MemoryClient::default());
    let plugin: Arc<dyn CachePlugin> = Arc::new(DistributedCachePlugin::new(shared.clone(), Arc::new(DefaultPartitions)));
    let multi = ConfidentialClientApplication::new(config, Some(plugin)).unwrap();
    for from_cache in [false, true] {
        let t = multi.acquire_token_on_behalf_of(&obo(&assertions[2])).await.unwrap();
        assert_eq!((t.from_cache, t.tenant_id.as_str()), (from_cache, first.tenant_id.as_str()));
        assert!(t.account.is_some(), "the user's account, also from the cache");
    }
    // The token is filed under the user's tenant, as msal-node files it (its own lookup then
    // finds one token, not ours beside its own).
    let realms: Vec<String> = shared
        .snapshot()
        .iter()
        .flat_map(|(_, text)| {
            unified::deserialize(text).unwrap().credentials().into_iter().map(|(_, c)| (c.credential_type, c.realm)).collect::<Vec<_>>()
        })
        .filter(|(kind, _)| *kind == CredentialType::AccessToken)
        .map(|(_, realm)| realm)
        .collect();
    assert_eq!(realms, std::slice::from_ref(&first.tenant_id));
}

/// A web app (no plugin) with a user signed in through the provider; `system`: its network
/// client and logger.
async fn signed_in_web(login: &str, system: SystemOptions) -> (ConfidentialClientApplication, msal_wasm::client::AuthenticationResult) {
    let mut config = ConfidentialClientConfig::new(WEB_CLIENT_ID, authority(), Credential::Secret(WEB_SECRET.into()));
    config.system = system;
    let web = ConfidentialClientApplication::new(config, None).unwrap();
    let req = AuthCodeUrlRequest { scopes: vec!["User.Read".into()], redirect_uri: redirect_uri(), ..Default::default() };
    let flow = web.get_auth_code_url(&req).await.unwrap();
    let (code, state) = sign_in(&flow.url, login).await;
    let user = web.acquire_token_by_code(&flow.session, &format!("code={code}&state={}", encode(&state))).await.unwrap();
    (web, user)
}

/// A web app with a certificate (msal-node's `clientCertificate`): each token request's
/// assertion names the endpoint it goes to, as msal-node signs it for the request's authority.
/// Signed for the configured tenant's endpoint, a silent call at a guest tenant was refused
/// (Entra: AADSTS50012, the assertion's audience does not match).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_web_app_signs_each_assertion_for_the_endpoint_it_goes_to() {
    let cert = Certificate::from_pem(&daemon_pem(), SigningAlgorithm::Rs256).unwrap();
    let config = ConfidentialClientConfig::new(WEB_CERT_CLIENT_ID, authority(), Credential::Certificate(Arc::new(cert)));
    let web = ConfidentialClientApplication::new(config, None).unwrap();
    let req = AuthCodeUrlRequest { scopes: vec!["User.Read".into()], redirect_uri: redirect_uri(), ..Default::default() };
    let flow = web.get_auth_code_url(&req).await.unwrap();
    let (code, state) = sign_in_at_provider(&flow.url, "cert-web-user").await;
    let user = web.acquire_token_by_code(&flow.session, &format!("code={code}&state={}", encode(&state))).await.unwrap();
    assert!(!web.acquire_token_silent(&forced(&user, "home", &["User.Read"])).await.unwrap().from_cache);
    let guest = SilentRequest { authority: Some(format!("{}/{GUEST_TENANT_ID}", idp_origin())), ..forced(&user, "guest", &["User.Read"]) };
    let t = web.acquire_token_silent(&guest).await.unwrap();
    assert!(!t.from_cache);
    assert_eq!(t.account.account.realm, GUEST_TENANT_ID);
}

/// A silent call at another authority than the configured one (a guest tenant) fetches its
/// discovery document once: the next call's flow starts with it, as msal-node keeps an
/// authority's metadata for 24 hours. (Each call's flow fetched it again.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_tenants_discovery_document_is_fetched_once() {
    let (web, user) = signed_in_web("guest-document", SystemOptions::default()).await;
    let guest = SilentRequest { authority: Some(format!("{}/{GUEST_TENANT_ID}", idp_origin())), ..forced(&user, "guest", &["User.Read"]) };
    reset().await;
    for _ in 0..2 {
        assert!(!web.acquire_token_silent(&guest).await.unwrap().from_cache);
    }
    let c = counters().await;
    let count = |k: &str| c.get(k).and_then(msal_wasm::core::json::Json::as_u64);
    assert_eq!((count("token"), count("discovery")), (Some(2), Some(1)));
}

/// msal-node's `acquireTokenByCode` for a code another app of the user got (a mobile app's,
/// with its own PKCE verifier), handed to the back end: redeemed with the web app's secret, and
/// the user's next silent call is served from the cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_from_elsewhere_is_redeemed_and_served_silently_after() {
    let web = ConfidentialClientApplication::new(
        ConfidentialClientConfig::new(WEB_CLIENT_ID, authority(), Credential::Secret(WEB_SECRET.into())),
        None,
    )
    .unwrap();
    let verifier = msal_wasm::core::pkce::verifier_from_entropy(&[7u8; 32]).unwrap();
    let body = msal_wasm::core::json::Json::object()
        .with("mode", "entra")
        .with("client_id", WEB_CLIENT_ID)
        .with("login", "handed-over")
        .with("redirect_uri", redirect_uri().as_str())
        .with("code_challenge", msal_wasm::core::pkce::challenge(&verifier).as_str())
        .with("scope", "openid profile offline_access User.Read")
        .to_json();
    let code = post_json("/__test/code", &body).await.string_or_empty("code");
    assert!(!code.is_empty());
    let req = msal_wasm::client::ByCodeRequest {
        code: msal_wasm::secret::AuthCode::new(code),
        code_verifier: Some(verifier),
        redirect_uri: redirect_uri(),
        scopes: vec!["User.Read".into()],
        ..Default::default()
    };
    let r = web.acquire_token_by_code_request(req).await.unwrap();
    assert_eq!(r.account.account.username, "handed-over");
    reset().await;
    let silent = SilentRequest {
        account: Some(AccountRef::new(r.account.account.home_account_id.clone())),
        scopes: vec!["User.Read".into()],
        ..Default::default()
    };
    let hit = web.acquire_token_silent(&silent).await.unwrap();
    assert!(hit.from_cache && hit.access_token.secret() == r.access_token.secret());
    assert_eq!(token_requests().await, 0);
}

/// A forced silent call for `user`'s `scopes`, with the correlation id `id`.
fn forced(user: &msal_wasm::client::AuthenticationResult, id: &str, scopes: &[&str]) -> SilentRequest {
    SilentRequest {
        account: Some(AccountRef::new(user.account.account.home_account_id.clone())),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        force_refresh: true,
        correlation_id: id.into(),
        ..Default::default()
    }
}

/// As msal-node (msal-common's ThrottlingUtils, its entries kept by the application): a user's
/// renewal the provider answered 503 with Retry-After fails at once on the next call, with
/// the same error, until then. Each call runs on a client of its own, which lost them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_throttled_renewal_is_held_back_across_calls() {
    let (web, user) = signed_in_web("throttled", SystemOptions::default()).await;
    reset().await;
    post_json("/__test/fail-next", r#"{"status":503,"headers":{"retry-after":"60"},"body":{"error":"temporarily_unavailable"}}"#).await;
    let first = web.acquire_token_silent(&forced(&user, "t-1", &["User.Read"])).await.unwrap_err();
    let second = web.acquire_token_silent(&forced(&user, "t-2", &["User.Read"])).await.unwrap_err();
    assert_eq!(token_requests().await, 1, "the second call was held back");
    assert_eq!((first.code(), second.code()), ("temporarily_unavailable", "temporarily_unavailable"));
}

/// As msal-node 7.2.4 (its SilentRequestCoalescer): identical silent calls made while one is in
/// flight share its token request, each with its own correlation id; a call after it makes its
/// own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_silent_calls_in_flight_share_one_token_request() {
    let (web, user) = signed_in_web("coalesced", SystemOptions::default()).await;
    reset().await;
    let (a, b, c) =
        (forced(&user, "c-1", &["User.Read"]), forced(&user, "c-2", &[" User.Read", "User.Read"]), forced(&user, "c-3", &["User.Read"]));
    let (ra, rb, rc) = tokio::join!(web.acquire_token_silent(&a), web.acquire_token_silent(&b), web.acquire_token_silent(&c));
    let (ra, rb, rc) = (ra.unwrap(), rb.unwrap(), rc.unwrap());
    assert_eq!(token_requests().await, 1, "one token request for the three");
    assert_eq!([rb.access_token.secret(), rc.access_token.secret()], [ra.access_token.secret(); 2]);
    assert_eq!([ra.correlation_id, rb.correlation_id, rc.correlation_id], ["c-1", "c-2", "c-3"]);
    // A call after the flight landed makes its own request.
    let rd = web.acquire_token_silent(&forced(&user, "c-4", &["User.Read"])).await.unwrap();
    assert_ne!(rd.access_token.secret(), ra.access_token.secret());
    assert_eq!(token_requests().await, 2);
}

/// The call that runs a shared flight goes away once its request is out (a web request whose
/// client disconnected): the calls that joined it get its outcome, and do not redeem the
/// refresh token again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_call_dropped_in_flight_still_serves_the_calls_that_joined_it() {
    /// The provider's token endpoint answers 300 ms late.
    struct Slow(msal_native::http::Http);
    impl NetworkClient for Slow {
        fn send<'a>(
            &'a self,
            request: &'a msal_wasm::core::http::HttpRequest,
        ) -> msal_native::system::BoxFuture<'a, Result<msal_wasm::core::http::HttpResponse, msal_wasm::AuthError>> {
            Box::pin(async move {
                if request.url.contains("/token") {
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                }
                self.0.send(request).await
            })
        }
    }
    let slow = Slow(msal_native::http::Http::new(std::time::Duration::from_secs(5)).unwrap());
    let (web, user) = signed_in_web("dropped", SystemOptions { network_client: Some(Arc::new(slow)), logger: None }).await;
    reset().await;
    let (a, b) = (forced(&user, "c-1", &["User.Read"]), forced(&user, "c-2", &["User.Read"]));
    let mut first = Box::pin(web.acquire_token_silent(&a));
    let mut second = Box::pin(web.acquire_token_silent(&b));
    let both = async { tokio::join!(&mut first, &mut second) };
    assert!(tokio::time::timeout(std::time::Duration::from_millis(100), both).await.is_err(), "still in flight");
    drop(first);
    let r = second.await.unwrap();
    assert_eq!(r.correlation_id, "c-2");
    assert_eq!(token_requests().await, 1, "the flight's one request");
    // Nothing of it is left to join.
    web.acquire_token_silent(&forced(&user, "c-3", &["User.Read"])).await.unwrap();
    assert_eq!(token_requests().await, 2);
}

/// msal-node reading a cache file: `node tests/interop/obo-peer.mjs`, its JSON answer.
fn msal_node_reads(file: &std::path::Path, assertion: &str) -> msal_wasm::core::json::Json {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/interop/obo-peer.mjs");
    let out = std::process::Command::new("node")
        .args([script, file.to_str().unwrap(), &authority(), WEB_CLIENT_ID, WEB_SECRET, APP_SCOPE, assertion])
        .output()
        .expect("node runs (tests/interop/install-peers.sh installs msal-node)");
    assert!(out.status.success(), "msal-node peer failed: {}", String::from_utf8_lossy(&out.stderr));
    msal_wasm::core::json::Json::parse(String::from_utf8_lossy(&out.stdout).trim()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_own_token_and_a_users_on_behalf_of_token_for_the_same_scope_live_side_by_side() {
    // One cache file, as a middle tier with FileCachePlugin keeps it.
    let dir = fresh_dir("obo-side-by-side");
    let file = dir.join("cache.json");
    let plugin: Arc<dyn CachePlugin> = Arc::new(FileCachePlugin::new(&file));
    let config = ConfidentialClientConfig::new(WEB_CLIENT_ID, authority(), Credential::Secret(WEB_SECRET.into()));
    let api = ConfidentialClientApplication::new(config, Some(plugin)).unwrap();
    let req = AuthCodeUrlRequest { scopes: vec![WEB_API.into()], redirect_uri: redirect_uri(), ..Default::default() };
    let flow = api.get_auth_code_url(&req).await.unwrap();
    let (code, state) = sign_in(&flow.url, "side-by-side").await;
    let user = api.acquire_token_by_code(&flow.session, &format!("code={code}&state={}", encode(&state))).await.unwrap();
    reset().await;
    // The file holds the whole cache: its accounts can be listed (as msal-node's
    // getTokenCache().getAllAccounts() through its plugin); a second app reads them from it.
    let listed = |accounts: Vec<AccountInfo>| accounts.into_iter().map(|a| a.account.username).collect::<Vec<_>>();
    assert_eq!(listed(api.get_all_accounts().await.unwrap()), ["side-by-side"]);
    let config = ConfidentialClientConfig::new(WEB_CLIENT_ID, authority(), Credential::Secret(WEB_SECRET.into()));
    let reader = ConfidentialClientApplication::new(config, Some(Arc::new(FileCachePlugin::new(&file)))).unwrap();
    assert_eq!(listed(reader.get_all_accounts().await.unwrap()), ["side-by-side"]);
    let local = user.account.account.local_account_id.clone();
    assert!(reader.get_account_by_local_id(&local).await.unwrap().is_some());

    let own = ClientCredentialRequest { scopes: vec![APP_SCOPE.into()], ..Default::default() };
    let obo = OnBehalfOfRequest::new(user.access_token.secret(), vec![APP_SCOPE.into()]);
    let app_token = api.acquire_token_by_client_credential(&own).await.unwrap();
    let user_token = api.acquire_token_on_behalf_of(&obo).await.unwrap();
    assert_ne!(app_token.access_token.secret(), user_token.access_token.secret());
    // Each is served from the file, and neither stands in for the other.
    let again = api.acquire_token_by_client_credential(&own).await.unwrap();
    assert!(again.from_cache, "the on-behalf-of token replaced the app's own");
    assert_eq!(again.access_token.secret(), app_token.access_token.secret());
    let again = api.acquire_token_on_behalf_of(&obo).await.unwrap();
    assert!(again.from_cache);
    assert_eq!(again.access_token.secret(), user_token.access_token.secret());
    assert_eq!(token_requests().await, 2);

    // msal-node over the same file: the app's token for its own call (never the user's), the
    // user's for the same assertion.
    let j = msal_node_reads(&file, user.access_token.secret());
    let (cc, ob) = (j.get("clientCredential").unwrap(), j.get("onBehalfOf").unwrap());
    assert_eq!(cc.str_field("accessToken"), Some(app_token.access_token.secret()), "msal-node's client credentials: {cc:?}");
    assert_eq!(ob.str_field("accessToken"), Some(user_token.access_token.secret()), "msal-node's on-behalf-of: {ob:?}");
    assert_eq!(ob.get("fromCache").and_then(|v| v.as_bool()), Some(true));
    // The refresh token that came with it is kept, under the assertion's hash (as msal-node's).
    let file_json = msal_wasm::core::json::Json::parse(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let rts = file_json.get("RefreshToken").and_then(|r| r.as_object()).map(|o| o.to_vec()).unwrap_or_default();
    assert!(rts.iter().any(|(_, rt)| rt.get("userAssertionHash").is_some()), "{rts:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_token_due_for_its_proactive_refresh_is_renewed_and_served_when_the_renewal_fails() {
    let dir = fresh_dir("refresh-in");
    let file = dir.join("cache.json");
    let app = || {
        let plugin: Arc<dyn CachePlugin> = Arc::new(FileCachePlugin::new(&file));
        let config = ConfidentialClientConfig::new(WEB_CLIENT_ID, authority(), Credential::Secret(WEB_SECRET.into()));
        ConfidentialClientApplication::new(config, Some(plugin)).unwrap()
    };
    let a = app();
    let req = AuthCodeUrlRequest { scopes: vec!["User.Read".into()], redirect_uri: redirect_uri(), ..Default::default() };
    let flow = a.get_auth_code_url(&req).await.unwrap();
    let (code, state) = sign_in(&flow.url, "refresh-in").await;
    let first = a.acquire_token_by_code(&flow.session, &format!("code={code}&state={}", encode(&state))).await.unwrap();
    let silent = SilentRequest {
        scopes: vec!["User.Read".into()],
        account: Some(AccountRef::new(first.account.account.home_account_id.clone())),
        ..Default::default()
    };
    // Due (the provider said refresh_in, and that time has come): renewed before the call returns.
    std::fs::write(&file, refresh_due_in(&std::fs::read_to_string(&file).unwrap())).unwrap();
    reset().await;
    let renewed = app().acquire_token_silent(&silent).await.unwrap();
    assert!(!renewed.from_cache);
    assert_ne!(renewed.access_token.secret(), first.access_token.secret());
    assert_eq!(token_requests().await, 1);
    // Due again, and the provider refuses: the cached token, valid for a while more, is served.
    std::fs::write(&file, refresh_due_in(&std::fs::read_to_string(&file).unwrap())).unwrap();
    reset().await;
    post_json("/__test/fail-next", r#"{"status":400}"#).await;
    let served = app().acquire_token_silent(&silent).await.unwrap();
    assert!(served.from_cache);
    assert_eq!(served.access_token.secret(), renewed.access_token.secret());
    assert_eq!(token_requests().await, 1, "the renewal was tried");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A file cache whose second access (a call's save, after its network request) first lets
/// `meanwhile` run: another process's change between the call's load and its save.
struct Meanwhile {
    file: FileCachePlugin,
    accesses: std::sync::atomic::AtomicUsize,
    meanwhile: std::sync::Mutex<Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>>>,
}

impl CachePlugin for Meanwhile {
    fn before_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> msal_native::cache::PluginFuture<'a> {
        Box::pin(async move {
            if self.accesses.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1 {
                let other = self.meanwhile.lock().unwrap().take();
                if let Some(other) = other {
                    other.await;
                }
            }
            self.file.before_cache_access(ctx).await
        })
    }
    fn after_cache_access<'a>(&'a self, ctx: &'a mut CacheContext) -> msal_native::cache::PluginFuture<'a> {
        self.file.after_cache_access(ctx)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_merges_only_what_its_call_changed_and_never_brings_back_what_another_process_removed() {
    let dir = fresh_dir("merge");
    let file = dir.join("cache.json");
    let config = || ConfidentialClientConfig::new(WEB_CLIENT_ID, authority(), Credential::Secret(WEB_SECRET.into()));
    let on_file = || -> Arc<dyn CachePlugin> { Arc::new(FileCachePlugin::new(&file)) };
    let first = ConfidentialClientApplication::new(config(), Some(on_file())).unwrap();
    let mut homes = Vec::new();
    for login in ["merge-x", "merge-y"] {
        let req = AuthCodeUrlRequest { scopes: vec!["User.Read".into()], redirect_uri: redirect_uri(), ..Default::default() };
        let flow = first.get_auth_code_url(&req).await.unwrap();
        let (code, state) = sign_in(&flow.url, login).await;
        let r = first.acquire_token_by_code(&flow.session, &format!("code={code}&state={}", encode(&state))).await.unwrap();
        homes.push(r.account.account.home_account_id.clone());
    }
    let (x, y) = (AccountRef::new(homes[0].clone()), AccountRef::new(homes[1].clone()));

    // Process A renews Y's token; while its request is out, process B signs X out.
    let b = ConfidentialClientApplication::new(config(), Some(on_file())).unwrap();
    let x_out = x.clone();
    let plugin = Meanwhile {
        file: FileCachePlugin::new(&file),
        accesses: Default::default(),
        meanwhile: std::sync::Mutex::new(Some(Box::pin(async move {
            b.sign_out(&x_out, "").await.unwrap();
        }))),
    };
    let a = ConfidentialClientApplication::new(config(), Some(Arc::new(plugin))).unwrap();
    let silent = SilentRequest { scopes: vec!["User.Read".into()], account: Some(y.clone()), force_refresh: true, ..Default::default() };
    let renewed = a.acquire_token_silent(&silent).await.unwrap();
    assert!(!renewed.from_cache);

    // X stays signed out; Y's renewed token is what the file serves.
    let c = ConfidentialClientApplication::new(config(), Some(on_file())).unwrap();
    let stored = msal_wasm::core::cache::unified::deserialize(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(
        !stored.accounts().iter().any(|(_, acc)| acc.account.home_account_id == homes[0]),
        "process A brought back the account B removed"
    );
    let x_silent = SilentRequest { scopes: vec!["User.Read".into()], account: Some(x), ..Default::default() };
    assert!(c.acquire_token_silent(&x_silent).await.is_err());
    let y_silent = SilentRequest { force_refresh: false, ..silent };
    let hit = c.acquire_token_silent(&y_silent).await.unwrap();
    assert!(hit.from_cache);
    assert_eq!(hit.access_token.secret(), renewed.access_token.secret());
    std::fs::remove_dir_all(&dir).unwrap();
}
