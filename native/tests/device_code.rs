//! A CLI's device code sign-in against the local provider, then silent calls across "runs"
//! through a cache file, refresh-token renewal, a denied and a cancelled sign-in.

mod support;

use msal_native::*;
use msal_wasm::client::{AccountRef, CacheLookupPolicy, Config, DeviceCodeRequest, SilentRequest};
use std::cell::RefCell;
use std::sync::Arc;
use support::*;

const CLI_CLIENT_ID: &str = "msal-wasm-test-cli";

fn config() -> Config {
    Config::new(CLI_CLIENT_ID).with_authority(authority())
}

fn request() -> DeviceCodeRequest {
    DeviceCodeRequest { scopes: vec!["User.Read".into()], ..Default::default() }
}

/// What the user does on the verification page, a moment after the code is shown.
fn approve_later(user_code: String, login: &'static str, deny: bool) {
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let body = if deny {
            format!(r#"{{"user_code":"{user_code}","deny":true}}"#)
        } else {
            format!(r#"{{"user_code":"{user_code}","login":"{login}"}}"#)
        };
        post_test("/__test/device", &body).await;
    });
}

async fn post_test(path: &str, body: &str) {
    let http = msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
    let mut req = msal_wasm::core::http::HttpRequest::get(format!("{}{path}", idp_origin()));
    req.method = msal_wasm::core::http::Method::Post;
    req.headers.push(("content-type".into(), "application/json".into()));
    req.body = body.to_owned();
    let resp = http.send(&req).await.unwrap();
    assert_eq!(resp.status, 200, "{}", resp.body);
}

fn temp_file() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("msal-native-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("cache.json")
}

#[tokio::test(flavor = "current_thread")]
async fn device_code_sign_in_then_silent_across_runs_through_a_cache_file() {
    let path = temp_file();
    let plugin = || -> Option<Arc<dyn CachePlugin>> { Some(Arc::new(FileCachePlugin::new(&path))) };
    let app = PublicClientApplication::new(config(), plugin()).await.unwrap();
    let shown = RefCell::new(None);
    let r = app
        .acquire_token_by_device_code(
            &request(),
            |info| {
                assert!(info.verification_uri.ends_with("/devicelogin"), "{}", info.verification_uri);
                *shown.borrow_mut() = Some(info.user_code.clone());
                approve_later(info.user_code.clone(), "dev-cli", false);
            },
            || false,
        )
        .await
        .unwrap();
    assert!(shown.borrow().is_some());
    assert_eq!(r.account.account.username, "dev-cli");
    assert!(!r.from_cache);

    // The next run of the CLI: a new client over the same file.
    reset().await;
    let next = PublicClientApplication::new(config(), plugin()).await.unwrap();
    let accounts = next.get_all_accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    let home = accounts[0].account.home_account_id.clone();
    let silent = SilentRequest { scopes: vec!["User.Read".into()], account: Some(AccountRef::new(home.clone())), ..Default::default() };
    let hit = next.acquire_token_silent(&silent).await.unwrap();
    assert!(hit.from_cache);
    assert_eq!(hit.access_token.secret(), r.access_token.secret());
    assert_eq!(token_requests().await, 0);
    // Renewal with the refresh token, saved for the run after.
    let renewed = next.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent.clone() }).await.unwrap();
    assert!(!renewed.from_cache);
    assert_eq!(token_requests().await, 1);
    let third = PublicClientApplication::new(config(), plugin()).await.unwrap();
    assert_eq!(third.acquire_token_silent(&silent).await.unwrap().access_token.secret(), renewed.access_token.secret());
    // A refused refresh comes back as the provider's own error under every cache policy, as
    // msal-node's: there is no hidden frame to fall back to (and no frame error in its place).
    for policy in [CacheLookupPolicy::RefreshTokenAndNetwork, CacheLookupPolicy::Skip] {
        let refusal = r#"{"status":400,"body":{"error":"invalid_grant","error_description":"AADSTS700082: the refresh token expired"}}"#;
        post_test("/__test/fail-next", refusal).await;
        let e = third.acquire_token_silent(&SilentRequest { cache_lookup_policy: policy, ..silent.clone() }).await.unwrap_err();
        assert_eq!(e.code(), "invalid_grant", "{policy:?}: {e:?}");
        assert!(e.message().contains("AADSTS700082"), "{e:?}");
    }
    // The file is msal's unified format.
    let text = std::fs::read_to_string(&path).unwrap();
    let cache = msal_wasm::core::cache::unified::deserialize(&text).unwrap();
    assert_eq!(cache.accounts().len(), 1);
    // Signing out removes the account from the file.
    third.remove_account(&AccountRef::new(home)).await.unwrap();
    let fourth = PublicClientApplication::new(config(), plugin()).await.unwrap();
    assert!(fourth.get_all_accounts().await.unwrap().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn a_denied_or_cancelled_device_code_sign_in_fails_typed() {
    let app = PublicClientApplication::new(config(), None).await.unwrap();
    let e = app
        .acquire_token_by_device_code(&request(), |info| approve_later(info.user_code.clone(), "nobody", true), || false)
        .await
        .unwrap_err();
    // (Entra's code for it; RFC 8628's is access_denied.)
    assert_eq!(e.code(), "authorization_declined");
    let started = std::time::Instant::now();
    let e = app.acquire_token_by_device_code(&request(), |_| {}, || true).await.unwrap_err();
    assert_eq!(e.code(), "device_code_polling_cancelled");
    assert!(started.elapsed().as_secs() < 2);
    assert!(app.get_all_accounts().await.unwrap().is_empty());
}

/// What the system browser does: the user signs in at the provider (a code minted for the URL's
/// PKCE challenge and nonce), and the provider sends the browser to the loopback redirect URI.
async fn browse(url: String, login: &'static str) {
    let get = authorize_params(&url);
    let redirect = get("redirect_uri");
    // msal-node's loopback redirect URI: localhost, the port, no path; the response posted.
    let port = redirect.strip_prefix("http://localhost:").unwrap_or_else(|| panic!("{redirect}"));
    assert!(!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()), "{redirect}");
    assert_eq!(get("response_mode"), "form_post");
    let code = provider_code(&get, login).await;
    let http = msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
    // A stray request first (browsers ask for a favicon), then the provider's form_post.
    http.send(&msal_wasm::core::http::HttpRequest::get(format!("{redirect}/favicon.ico"))).await.unwrap();
    // A response with another state (a forged request to the port), or with the state twice, or
    // in the URL with another state: refused, the wait goes on. An empty code is no response.
    let forged = http.send(&form_post(&redirect, "code=forged&state=forged")).await.unwrap();
    assert_eq!(forged.status, 400);
    let twice = format!("{}&state=forged", response(&code, &get("state")));
    assert_eq!(http.send(&form_post(&redirect, &twice)).await.unwrap().status, 400);
    let elsewhere = msal_wasm::core::http::HttpRequest::get(format!("{redirect}/?code=forged&state=forged"));
    assert_eq!(http.send(&elsewhere).await.unwrap().status, 400);
    let empty = format!("code=&state={}", msal_wasm::core::url::encode(&get("state")));
    assert_eq!(http.send(&form_post(&redirect, &empty)).await.unwrap().body, "");
    // A connection that sends nothing, and one that sends half a request and stalls, hold up
    // nothing: the response below is taken at once.
    let port: u16 = port.parse().unwrap();
    let _silent = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut stalled = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stalled, b"POST / HTTP/1.1\r\ncontent-length: 100\r\n\r\ncode=").await.unwrap();
    let started = std::time::Instant::now();
    let page = http.send(&form_post(&redirect, &response(&code, &get("state")))).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(page.body, "Auth code was successfully acquired. You can close this window now.");
}

/// A getter of the authorize URL's parameters (`""` for one it lacks).
fn authorize_params(url: &str) -> impl Fn(&str) -> String {
    let query = msal_wasm::core::url::parse_query(url.split_once('?').unwrap().1);
    move |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// A code the provider issued for the authorize request's PKCE challenge and nonce.
async fn provider_code(get: &impl Fn(&str) -> String, login: &str) -> String {
    let body = format!(
        r#"{{"mode":"entra","client_id":"{CLI_CLIENT_ID}","login":"{login}","redirect_uri":"{}","code_challenge":"{}","nonce":"{}","scope":"openid profile offline_access User.Read"}}"#,
        get("redirect_uri"),
        get("code_challenge"),
        get("nonce")
    );
    post_json("/__test/code", &body).await.string_or_empty("code")
}

fn response(code: &str, state: &str) -> String {
    format!("code={}&state={}", msal_wasm::core::url::encode(code), msal_wasm::core::url::encode(state))
}

/// The browser posting the provider's `form_post` page to the loopback redirect URI.
fn form_post(redirect: &str, body: &str) -> msal_wasm::core::http::HttpRequest {
    let mut req = msal_wasm::core::http::HttpRequest::get(format!("{redirect}/"));
    req.method = msal_wasm::core::http::Method::Post;
    req.headers.push(("content-type".into(), "application/x-www-form-urlencoded".into()));
    req.body = body.to_owned();
    req
}

#[tokio::test(flavor = "current_thread")]
async fn interactive_sign_in_through_the_system_browser_and_a_loopback_redirect() {
    // The popup timeout is the browser's: a person signing in from a CLI may take minutes, and
    // msal-node waits without a limit.
    let mut c = config();
    c.popup_timeout_ms = 100;
    let app = PublicClientApplication::new(c, None).await.unwrap();
    let req = msal_wasm::client::InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let waiting = tokio::time::timeout(std::time::Duration::from_millis(400), app.acquire_token_interactive(&req, |_| Ok(()))).await;
    assert!(waiting.is_err(), "still waiting for the browser: {waiting:?}");
    // The app gave up (the future dropped): the interaction ended, so the next sign-in starts.
    // Also when it gives up while the code is being redeemed (the token endpoint stalls).
    configure(r#"{"stall":["token"]}"#).await;
    let stalled = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        app.acquire_token_interactive(&req, |url| {
            tokio::spawn(browse(url.to_owned(), "browser-user"));
            Ok(())
        }),
    )
    .await;
    configure(r#"{"stall":[]}"#).await;
    assert!(stalled.is_err(), "the redemption stalled: {stalled:?}");
    // (The system browser: a user signs in at the URL the app opens.)
    let opened = |url: &str| {
        // As msal-node: no `pocd` (msal-browser's popup origin check; no browser window here).
        assert!(!url.contains("pocd="), "{url}");
        tokio::spawn(browse(url.to_owned(), "browser-user"));
        Ok(())
    };
    let r = app.acquire_token_interactive(&req, opened).await.unwrap();
    assert_eq!(r.account.account.username, "browser-user");
    assert_eq!(app.get_all_accounts().await.unwrap().len(), 1);
    // The browser could not be opened: the error is the app's, nothing waits.
    let e =
        app.acquire_token_interactive(&req, |_| Err(msal_wasm::AuthError::client("browser_unavailable", "no browser"))).await.unwrap_err();
    assert_eq!(e.code(), "browser_unavailable");
    // A browser's storage choice means nothing natively: a memory cache signs in the same way
    // (a browser's would refuse the redirect, in_mem_redirect_unavailable).
    let mut memory = config();
    memory.cache_location = msal_wasm::client::CacheLocation::MemoryStorage;
    let app = PublicClientApplication::new(memory, None).await.unwrap();
    let r = app.acquire_token_interactive(&req, opened).await.unwrap();
    assert_eq!(r.account.account.username, "browser-user");
}

/// A second sign-in while the first still waits for its browser (the user closed the tab and
/// clicked "Sign in" again, or signs in to another tenant) runs at once, as msal-node's; the
/// first one's response, when it comes, still completes it.
#[tokio::test(flavor = "current_thread")]
async fn a_second_interactive_sign_in_runs_while_the_first_waits() {
    let app = PublicClientApplication::new(config(), None).await.unwrap();
    let req = msal_wasm::client::InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let first_url = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen = first_url.clone();
    let first = app.acquire_token_interactive(&req, move |url| {
        *seen.lock().unwrap() = url.to_owned();
        Ok(())
    });
    let second = async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let r = app
            .acquire_token_interactive(&req, |url| {
                tokio::spawn(browse(url.to_owned(), "second-user"));
                Ok(())
            })
            .await;
        // Then the first one's browser comes back.
        let url = first_url.lock().unwrap().clone();
        tokio::spawn(browse(url, "first-user"));
        r
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(second.unwrap().account.account.username, "second-user");
    assert_eq!(first.unwrap().account.account.username, "first-user");
    assert_eq!(app.get_all_accounts().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn the_loopback_takes_only_a_posted_response_and_shows_the_apps_pages_on_its_preferred_port() {
    let app = PublicClientApplication::new(config(), None).await.unwrap();
    let req = msal_wasm::client::InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let options = LoopbackOptions {
        success_template: Some("<h1>Signed in to the CLI</h1>".into()),
        error_template: Some("<h1>Sign-in failed</h1>".into()),
        preferred_port: Some(free),
    };
    type Browser = fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = (u16, String)>>>;
    // Runs a sign-in whose browser does `browser` with the authorize URL; the sign-in's outcome,
    // the redirect URI and what the loopback answered the browser.
    async fn sign_in(
        app: &PublicClientApplication,
        req: &msal_wasm::client::InteractiveRequest,
        options: &LoopbackOptions,
        browser: Browser,
    ) -> (Result<msal_wasm::client::AuthenticationResult, msal_wasm::AuthError>, String, (u16, String)) {
        let seen = std::rc::Rc::new(RefCell::new((String::new(), (0, String::new()))));
        let keep = seen.clone();
        let r = app
            .acquire_token_interactive_with(req, options, |url| {
                let url = url.to_owned();
                keep.borrow_mut().0 = authorize_params(&url)("redirect_uri");
                let keep = keep.clone();
                tokio::task::spawn_local(async move {
                    let answer = browser(url).await;
                    keep.borrow_mut().1 = answer;
                });
                Ok(())
            })
            .await;
        // The browser's task reads the loopback's page once the sign-in has it.
        for _ in 0..500 {
            if seen.borrow().1 .0 != 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let (redirect, answer) = seen.borrow().clone();
        (r, redirect, answer)
    }
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            // The provider answers with an error: the app's error page, and the sign-in fails
            // with the provider's error.
            let denied: Browser = |url| {
                Box::pin(async move {
                    let get = authorize_params(&url);
                    let body = format!(
                        "error=access_denied&error_description=the+user+declined&state={}",
                        msal_wasm::core::url::encode(&get("state"))
                    );
                    let http = msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
                    let page = http.send(&form_post(&get("redirect_uri"), &body)).await.unwrap();
                    (page.status, page.body)
                })
            };
            let (r, redirect, answer) = sign_in(&app, &req, &options, denied).await;
            assert_eq!(redirect, format!("http://localhost:{free}"), "the preferred port");
            assert_eq!(r.unwrap_err().code(), "access_denied");
            assert_eq!(answer, (200, "<h1>Sign-in failed</h1>".to_owned()));

            // The code in the URL (a provider told another response mode): refused, and the
            // sign-in fails (msal-node 7's rule: codes in URLs end up in histories and logs).
            let in_url: Browser = |url| {
                Box::pin(async move {
                    let get = authorize_params(&url);
                    let code = provider_code(&get, "url-user").await;
                    let http = msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
                    let back = format!("{}/?{}", get("redirect_uri"), response(&code, &get("state")));
                    let page = http.send(&msal_wasm::core::http::HttpRequest::get(back)).await.unwrap();
                    (page.status, page.body)
                })
            };
            let (r, _, answer) = sign_in(&app, &req, &options, in_url).await;
            assert_eq!(r.unwrap_err().code(), "loopback_server_query_response_not_supported");
            assert_eq!(answer.0, 400);

            // The default error page names the provider's error, escaped.
            let markup: Browser = |url| {
                Box::pin(async move {
                    let get = authorize_params(&url);
                    let body = format!("error=%3Cb%3Ebad%3C%2Fb%3E&state={}", msal_wasm::core::url::encode(&get("state")));
                    let http = msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
                    let page = http.send(&form_post(&get("redirect_uri"), &body)).await.unwrap();
                    (page.status, page.body)
                })
            };
            let (r, _, answer) = sign_in(&app, &req, &LoopbackOptions::default(), markup).await;
            assert!(r.is_err());
            assert_eq!(answer, (200, "Error occurred: &lt;b&gt;bad&lt;/b&gt;".to_owned()));
            // A request's own redirect URI is refused, as msal-node refuses it.
            let own = msal_wasm::client::InteractiveRequest { redirect_uri: "http://localhost:1".into(), ..req.clone() };
            let e = app.acquire_token_interactive(&own, |_| Ok(())).await.unwrap_err();
            assert_eq!(e.code(), "redirect_uri_not_supported");

            // The preferred port is taken: another one, and the app's success page.
            let _taken = std::net::TcpListener::bind(("127.0.0.1", free)).unwrap();
            let posted: Browser = |url| {
                Box::pin(async move {
                    let get = authorize_params(&url);
                    let code = provider_code(&get, "posted-user").await;
                    let http = msal_native::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
                    // A form that is not one: 415, the wait goes on.
                    let mut json = form_post(&get("redirect_uri"), "{}");
                    json.headers = vec![("content-type".into(), "application/json".into())];
                    assert_eq!(http.send(&json).await.unwrap().status, 415);
                    let page = http.send(&form_post(&get("redirect_uri"), &response(&code, &get("state")))).await.unwrap();
                    (page.status, page.body)
                })
            };
            let (r, redirect, answer) = sign_in(&app, &req, &options, posted).await;
            assert_ne!(redirect, format!("http://localhost:{free}"));
            assert_eq!(r.unwrap().account.account.username, "posted-user");
            assert_eq!(answer, (200, "<h1>Signed in to the CLI</h1>".to_owned()));
        })
        .await;
}

/// The entries of `section` in the cache file at `path`.
fn file_entries(path: &std::path::Path, section: msal_wasm::core::cache::unified::Section) -> Vec<(String, String)> {
    let cache = msal_wasm::core::cache::unified::deserialize(&std::fs::read_to_string(path).unwrap()).unwrap();
    cache.entries(section).iter().map(|(k, v)| (k.clone(), v.str_field("secret").unwrap_or_default().to_owned())).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn a_cache_file_another_library_wrote_is_read_and_its_copies_replaced() {
    use msal_wasm::core::cache::unified::{self, Section};
    use msal_wasm::core::json::Json;
    let path = temp_file();
    let plugin = || -> Option<Arc<dyn CachePlugin>> { Some(Arc::new(FileCachePlugin::new(&path))) };
    let app = PublicClientApplication::new(config(), plugin()).await.unwrap();
    let r = app
        .acquire_token_by_device_code(&request(), |info| approve_later(info.user_code.clone(), "dev-cli", false), || false)
        .await
        .unwrap();
    let home = r.account.account.home_account_id.clone();
    // The file as msal-node 3 left it beside ours: its copy of the refresh token (an older one)
    // under its own name, first; another app's token and another SDK's section.
    let mut cache = unified::deserialize(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (rt_key, rt) = cache.entries(Section::RefreshToken)[0].clone();
    let (at_key, at) = cache.entries(Section::AccessToken)[0].clone();
    cache.remove(Section::RefreshToken, &rt_key);
    let mut stale = rt.clone();
    stale.set("secret", Json::Str("rt-from-msal-node-3".into()));
    cache.insert(Section::RefreshToken, &format!("{rt_key}--"), stale);
    cache.insert(Section::RefreshToken, &rt_key, rt);
    let mut other = at.clone();
    other.set("client_id", Json::Str("another-app".into()));
    cache.insert(Section::AccessToken, &at_key.replace(CLI_CLIENT_ID, "another-app"), other);
    let text = cache.serialize().replacen('{', r#"{"OtherSdkSection":{"kept":true},"#, 1);
    std::fs::write(&path, text).unwrap();

    // The next run renews with the token under our name, and the copy goes.
    let next = PublicClientApplication::new(config(), plugin()).await.unwrap();
    let silent = SilentRequest {
        scopes: vec!["User.Read".into()],
        account: Some(AccountRef::new(home.clone())),
        force_refresh: true,
        ..Default::default()
    };
    next.acquire_token_silent(&silent).await.expect("renewed with this library's refresh token, not the older copy");
    let rts = file_entries(&path, Section::RefreshToken);
    assert_eq!(rts.len(), 1, "{rts:?}");
    assert_eq!(rts[0].0, rt_key);
    assert_ne!(rts[0].1, "rt-from-msal-node-3");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("OtherSdkSection") && text.contains("another-app"), "other apps' entries stay");

    // Sign-out leaves none of the user's entries under any name, another app's included (as
    // msal-node's removeAccount); that app's entries for other users stay.
    let mut cache = unified::deserialize(&text).unwrap();
    let (key, entity) = cache.entries(Section::IdToken)[0].clone();
    cache.insert(Section::IdToken, &format!("{key}-python"), entity);
    let (key, mut someone) = cache.entries(Section::AccessToken).iter().find(|(k, _)| k.contains("another-app")).cloned().unwrap();
    someone.set("home_account_id", Json::Str("someone.else".into()));
    cache.insert(Section::AccessToken, &key.replace(&home, "someone.else"), someone);
    std::fs::write(&path, cache.serialize()).unwrap();
    next.remove_account(&AccountRef::new(home.clone())).await.unwrap();
    let cache = unified::deserialize(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for s in [Section::Account, Section::IdToken, Section::AccessToken, Section::RefreshToken] {
        assert!(cache.entries(s).iter().all(|(_, v)| v.str_field("home_account_id") != Some(home.as_str())), "{s:?} left");
    }
    let left: Vec<_> = cache
        .entries(Section::AccessToken)
        .iter()
        .map(|(_, v)| (v.string_or_empty("client_id"), v.string_or_empty("home_account_id")))
        .collect();
    assert_eq!(left, [("another-app".to_owned(), "someone.else".to_owned())], "another user's stays");

    // A file that is not msal's JSON (an msal-extensions persistence encrypts it): an error,
    // and the file as it was.
    std::fs::write(&path, b"\x01\x02encrypted").unwrap();
    let e = next.get_all_accounts().await.unwrap_err();
    assert_eq!(e.code(), "invalid_cache_record");
    assert_eq!(std::fs::read(&path).unwrap(), b"\x01\x02encrypted");
}

#[tokio::test(flavor = "current_thread")]
async fn a_refresh_token_from_elsewhere_is_redeemed_and_serialize_keeps_what_it_did_not_write() {
    use msal_wasm::core::cache::unified::{self, Section};
    let app = PublicClientApplication::new(config(), None).await.unwrap();
    let r = app
        .acquire_token_by_device_code(&request(), |info| approve_later(info.user_code.clone(), "dev-cli", false), || false)
        .await
        .unwrap();
    let doc = unified::deserialize(&app.serialize()).unwrap();
    let (_, rt) = doc.entries(Section::RefreshToken)[0].clone();
    let rt = rt.str_field("secret").unwrap().to_owned();
    // Another client (a migration): msal-node's acquireTokenByRefreshToken.
    let migrated = PublicClientApplication::new(config(), None).await.unwrap();
    let other = r#"{"Account":{},"IdToken":{},"AccessToken":{"x-login.microsoftonline.com-accesstoken-another-app-t-user.read--":{"home_account_id":"x","environment":"login.microsoftonline.com","credential_type":"AccessToken","client_id":"another-app","secret":"theirs","realm":"t","target":"user.read","cached_at":"1","expires_on":"9999999999","extended_expires_on":"9999999999"}},"RefreshToken":{},"AppMetadata":{"appmetadata-login.microsoftonline.com-another-app":{"client_id":"another-app","environment":"login.microsoftonline.com","family_id":""}},"OtherSdkSection":{"kept":true}}"#;
    migrated.deserialize(other).unwrap();
    let got = migrated.acquire_token_by_refresh_token(&rt, &["User.Read".to_owned()]).await.unwrap();
    assert_eq!(got.account.account.home_account_id, r.account.account.home_account_id);
    let out = migrated.serialize();
    assert!(
        out.contains("theirs") && out.contains("appmetadata-login.microsoftonline.com-another-app") && out.contains("OtherSdkSection"),
        "{}",
        out.len()
    );
    let out = unified::deserialize(&out).unwrap();
    assert_eq!(out.accounts().len(), 1, "the migrated user's account is written beside them");
    // An empty document (a cache file not written yet, read as "") changes nothing, as msal-node's.
    migrated.deserialize("").unwrap();
    assert_eq!(migrated.get_all_accounts().await.unwrap().len(), 1);
    assert!(migrated.serialize().contains("theirs"));
    // Signing a user out removes their tokens of every client id from the document, as
    // msal-node's removeAccount (here another app's only); the rest of it stays.
    migrated.remove_account(&AccountRef::new("x")).await.unwrap();
    let out = migrated.serialize();
    assert!(!out.contains("theirs"), "another app's token for the user");
    assert!(out.contains("OtherSdkSection") && out.contains(&r.account.account.home_account_id));
}
