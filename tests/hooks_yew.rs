//! The Yew provider, hooks and templates in headless Chromium against the local provider.
//! Run through scripts/with-idp.mjs (see scripts/test.sh).
#![cfg(all(target_arch = "wasm32", feature = "yew"))]

mod support;

use msal_wasm::browser::BrowserApp;
use msal_wasm::client::{AccountFilter, InteractiveRequest};
use msal_wasm::frameworks::yew::*;
use msal_wasm::frameworks::{AuthCall, Fallback, Interaction, InteractionStatus};
use std::cell::RefCell;
use wasm_bindgen_test::wasm_bindgen_test as test;
use yew::prelude::*;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static APP: RefCell<Option<BrowserApp>> = const { RefCell::new(None) };
    static TRAIL: RefCell<Vec<InteractionStatus>> = const { RefCell::new(Vec::new()) };
}

#[function_component(Probe)]
fn probe() -> Html {
    let ctx = use_msal();
    if let Some(app) = &ctx.app {
        APP.with(|a| *a.borrow_mut() = Some(app.clone()));
    }
    TRAIL.with(|t| {
        let mut t = t.borrow_mut();
        if t.last() != Some(&ctx.in_progress) {
            t.push(ctx.in_progress);
        }
    });
    let signed_in = use_is_authenticated();
    let account = use_account().map(|a| a.account.username).unwrap_or_default();
    let other = use_is_authenticated_for(AccountFilter { username: Some("nobody".into()), ..AccountFilter::default() });
    let ready = ctx.in_progress == InteractionStatus::None;
    html! { <p id="yew-probe">{ format!("ready={ready} signed_in={signed_in} account={account} nobody={other}") }</p> }
}

#[function_component(Token)]
fn token() -> Html {
    let t = use_access_token(vec!["User.Read".into()], Fallback::None);
    let text = match (&t.result, &t.error) {
        (Some(r), _) => format!("token from_cache={} len>0={}", r.from_cache, !r.access_token.secret().is_empty()),
        (None, Some(e)) => format!("error {}", e.code()),
        (None, None) => "loading".to_owned(),
    };
    html! { <p id="yew-token">{ text }</p> }
}

#[function_component(TestApp)]
fn test_app() -> Html {
    let nobody = AccountFilter { username: Some("nobody".into()), ..AccountFilter::default() };
    html! {
        <MsalProvider config={support::config()}>
            <Probe />
            <AuthenticatedTemplate><p id="yew-auth">{ "authenticated" }</p><Token /></AuthenticatedTemplate>
            <UnauthenticatedTemplate><p id="yew-unauth">{ "unauthenticated" }</p></UnauthenticatedTemplate>
            <AuthenticatedTemplate filter={nobody}><p id="yew-nobody">{ "nobody" }</p></AuthenticatedTemplate>
        </MsalProvider>
    }
}

#[test]
async fn provider_hooks_and_templates_follow_sign_in() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<TestApp>::with_root(root.clone()).render();

    support::wait_for("the provider to initialize", || support::text_of("yew-probe").starts_with("ready=true")).await;
    assert_eq!(support::text_of("yew-probe"), "ready=true signed_in=false account= nobody=false");
    assert_eq!(support::text_of("yew-unauth"), "unauthenticated");
    assert_eq!(support::text_of("yew-auth"), "");

    let app = APP.with(|a| a.borrow().clone()).expect("the provider exposes its client");
    support::sign_in(&app, "yuri").await;

    support::wait_for("the hooks to see the account", || support::text_of("yew-probe").contains("signed_in=true")).await;
    assert_eq!(support::text_of("yew-probe"), "ready=true signed_in=true account=yuri nobody=false");
    assert_eq!(support::text_of("yew-unauth"), "");
    assert_eq!(support::text_of("yew-auth"), "authenticated");
    assert_eq!(support::text_of("yew-nobody"), "", "the template's account filter matches no account");
    support::wait_for("use_access_token", || support::text_of("yew-token").starts_with("token")).await;
    assert_eq!(support::text_of("yew-token"), "token from_cache=true len>0=true");
    assert_eq!(TRAIL.with(|t| t.borrow().clone()), [InteractionStatus::Startup, InteractionStatus::None]);
    root.remove();
}

#[function_component(Guarded)]
fn guarded() -> Html {
    let request =
        InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: support::popup_redirect_uri(), ..Default::default() };
    let ctx = use_msal();
    TRAIL.with(|t| {
        let mut t = t.borrow_mut();
        if t.last() != Some(&ctx.in_progress) {
            t.push(ctx.in_progress);
        }
    });
    html! {
        <MsalAuthenticationTemplate interaction={Interaction::Popup} {request} loading={html! { <p id="yew-guard">{ "signing in" }</p> }}
            error={Callback::from(|(e, _): (msal_wasm::AuthError, MsalAuthenticationResult)| html! { <p id="yew-guard">{ format!("error {}", e.code()) }</p> })}>
            <p id="yew-guard">{ format!("signed in as {}", ctx.account.map(|a| a.account.username).unwrap_or_default()) }</p>
        </MsalAuthenticationTemplate>
    }
}

#[function_component(GuardedApp)]
fn guarded_app() -> Html {
    html! { <MsalProvider config={support::config()}><Guarded /></MsalProvider> }
}

#[test]
async fn msal_authentication_template_signs_in_by_popup_when_nobody_is() {
    TRAIL.with(|t| t.borrow_mut().clear());
    support::set_auto_login(Some("yara")).await;
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<GuardedApp>::with_root(root.clone()).render();
    support::wait_for("the template's popup sign-in", || {
        let t = support::text_of("yew-guard");
        t.starts_with("signed in as") || t.starts_with("error")
    })
    .await;
    support::set_auto_login(None).await;
    assert_eq!(support::text_of("yew-guard"), "signed in as yara");
    assert_eq!(
        TRAIL.with(|t| t.borrow().clone()),
        [InteractionStatus::Startup, InteractionStatus::None, InteractionStatus::AcquireToken, InteractionStatus::None]
    );
    root.remove();
}

thread_local! {
    static MOUNTS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Counts how often it is mounted.
#[function_component(Counted)]
fn counted() -> Html {
    use_effect_with((), |()| MOUNTS.with(|m| m.set(m.get() + 1)));
    let ctx = use_msal();
    if let Some(app) = &ctx.app {
        APP.with(|a| *a.borrow_mut() = Some(app.clone()));
    }
    html! { <p id="yew-counted">{ "protected" }</p> }
}

#[function_component(KeptApp)]
fn kept_app() -> Html {
    let request =
        InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: support::popup_redirect_uri(), ..Default::default() };
    html! {
        <MsalProvider config={support::config()}>
            <MsalAuthenticationTemplate interaction={Interaction::Popup} {request}><Counted /><TokenHolder /><ResultSeen /></MsalAuthenticationTemplate>
        </MsalProvider>
    }
}

/// Whether the template's children find the hook's result (msal-react's function child).
#[function_component(ResultSeen)]
fn result_seen() -> Html {
    let seen = use_context::<MsalAuthenticationResult>().is_some_and(|a| a.result.is_some());
    html! { <p id="yew-result-seen">{ seen.to_string() }</p> }
}

/// A token hook (its renewal most of an hour away when the provider unmounts).
#[function_component(TokenHolder)]
fn token_holder() -> Html {
    let t = use_access_token(vec!["User.Read".into()], Fallback::None);
    html! { <p id="yew-held">{ if t.result.is_some() { "token" } else { "" } }</p> }
}

fn popup_request() -> InteractiveRequest {
    InteractiveRequest {
        scopes: vec!["User.Read".into()],
        redirect_uri: support::popup_redirect_uri(),
        prompt: Some(msal_wasm::core::authorize::Prompt::Login),
        ..Default::default()
    }
}

#[test]
async fn the_templates_children_stay_mounted_through_a_popup_and_an_unmounted_provider_lets_its_client_go() {
    MOUNTS.with(|m| m.set(0));
    APP.with(|a| *a.borrow_mut() = None);
    support::set_auto_login(Some("yves")).await;
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<KeptApp>::with_root(root.clone()).render();
    support::wait_for("the template's sign-in", || support::text_of("yew-counted") == "protected").await;
    support::wait_for("the children to find the hook's result", || support::text_of("yew-result-seen") == "true").await;
    support::wait_for("the token hook's token", || support::text_of("yew-held") == "token").await;
    assert_eq!(MOUNTS.with(|m| m.get()), 1);
    // Another interaction while signed in: the protected children stay (msal-react).
    let app = APP.with(|a| a.borrow_mut().take()).unwrap();
    app.acquire_token_popup(&popup_request()).await.unwrap();
    support::wait_for("the status back to None", || app.interaction_status() == InteractionStatus::None).await;
    support::sleep_ms(200).await;
    support::set_auto_login(None).await;
    assert_eq!(MOUNTS.with(|m| m.get()), 1, "the children were unmounted and mounted again during the popup");
    // Unmounted, the provider keeps nothing of its client alive.
    let client = app.client_rc();
    drop(app);
    handle.destroy();
    support::sleep_ms(200).await;
    APP.with(|a| *a.borrow_mut() = None);
    assert_eq!(std::rc::Rc::strong_count(&client), 1, "the unmounted provider's listener still holds its client");
    root.remove();
}

#[function_component(ResultProbe)]
fn result_probe() -> Html {
    let request =
        InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: support::popup_redirect_uri(), ..Default::default() };
    let auth = use_msal_authentication(Interaction::Popup, request, None);
    let ctx = use_msal();
    if let Some(app) = &ctx.app {
        APP.with(|a| *a.borrow_mut() = Some(app.clone()));
    }
    html! { <p id="yew-result">{ format!("result={}", auth.result.is_some()) }</p> }
}

#[function_component(ResultApp)]
fn result_app() -> Html {
    html! { <MsalProvider config={support::config()}><ResultProbe /></MsalProvider> }
}

#[test]
async fn the_hooks_result_is_dropped_when_its_account_signs_out() {
    APP.with(|a| *a.borrow_mut() = None);
    support::set_auto_login(Some("yann")).await;
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<ResultApp>::with_root(root.clone()).render();
    support::wait_for("the hook's sign-in", || support::text_of("yew-result") == "result=true").await;
    support::set_auto_login(None).await;
    let app = APP.with(|a| a.borrow_mut().take()).unwrap();
    // A second account stays signed in: the result is the first one's, and goes with it
    // (msal-react: the hook's account is then none; here the other account is no stand-in).
    let signed_in = app.accounts().into_iter().next().unwrap().to_ref();
    support::sign_in(&app, "yanna").await;
    assert_eq!(app.accounts().len(), 2);
    let logout = msal_wasm::client::LogoutRequest {
        account: Some(signed_in),
        post_logout_redirect_uri: Some(support::popup_redirect_uri()),
        ..Default::default()
    };
    app.logout_popup(&logout).await.unwrap();
    assert_eq!(app.accounts().len(), 1, "the other account stays");
    support::wait_for("the result to go with the account", || support::text_of("yew-result") == "result=false").await;
    drop(app);
    handle.destroy();
    root.remove();
}

#[function_component(RedirectGuardedApp)]
fn redirect_guarded_app() -> Html {
    let request = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let nobody = Some(AccountFilter { username: Some("nobody".into()), ..AccountFilter::default() });
    html! {
        <MsalProvider config={support::redirect_config()}>
            <MsalAuthenticationTemplate interaction={Interaction::Redirect} {request} filter={nobody}
                loading={html! { <p id="yew-redirect">{ "signing in" }</p> }}
                error={Callback::from(|(e, _): (msal_wasm::AuthError, MsalAuthenticationResult)| html! { <p id="yew-redirect">{ format!("error {}", e.code()) }</p> })}>
                <p id="yew-redirect">{ "signed in" }</p>
            </MsalAuthenticationTemplate>
            // Without a filter: the account signed in before is served silently.
            <MsalAuthenticationTemplate interaction={Interaction::Redirect} request={InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() }}
                error={Callback::from(|(e, _): (msal_wasm::AuthError, MsalAuthenticationResult)| html! { <p id="yew-redirect-user">{ format!("error {}", e.code()) }</p> })}>
                <p id="yew-redirect-user">{ "signed in" }</p>
            </MsalAuthenticationTemplate>
        </MsalProvider>
    }
}

// msal-react's hook gets the remembered handleRedirectPromise error: a redirect that came back
// with one (consent declined) is reported, not started again at every load.
#[test]
async fn a_redirect_sign_in_that_came_back_with_an_error_is_reported_not_started_again() {
    support::returned_from_redirect_with("access_denied", Some("rita")).await;
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<RedirectGuardedApp>::with_root(root.clone()).render();
    support::wait_for("the template's error view", || support::text_of("yew-redirect").starts_with("error")).await;
    support::sleep_ms(300).await;
    assert_eq!(support::text_of("yew-redirect"), "error access_denied");
    assert_eq!(support::text_of("yew-redirect-user"), "signed in", "a signed-in account still gets its token silently");
    assert!(!web_sys::window().unwrap().location().href().unwrap().contains("error="), "the response left the address");
    handle.destroy();
    root.remove();
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
}

thread_local! {
    static CALLS: RefCell<Option<(Callback<AuthCall>, Callback<AuthCall>)>> = const { RefCell::new(None) };
}

#[function_component(CallProbe)]
fn call_probe() -> Html {
    let request =
        InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: support::popup_redirect_uri(), ..Default::default() };
    // Silent: without a session at the provider, the hook's own interaction cannot sign in.
    let auth = use_msal_authentication(Interaction::Silent, request, None);
    CALLS.with(|c| *c.borrow_mut() = Some((auth.login.clone(), auth.acquire_token.clone())));
    let text = match (&auth.result, &auth.error) {
        (Some(r), _) => format!("{} from_cache={}", r.account.account.username, r.from_cache),
        (None, Some(e)) => format!("error {}", e.code()),
        (None, None) => "none".to_owned(),
    };
    html! { <p id="yew-calls">{ text }</p> }
}

#[derive(Properties, PartialEq)]
struct InstanceProps {
    app: BrowserApp,
}

#[function_component(InstanceApp)]
fn instance_app(props: &InstanceProps) -> Html {
    html! { <MsalProvider instance={props.app.clone()}><CallProbe /></MsalProvider> }
}

// msal-react's MsalProvider takes the app's instance; its hook's login and acquireToken take an
// interaction type and a request of the call's own.
#[test]
async fn the_provider_takes_the_apps_instance_and_the_hooks_calls_take_msal_reacts_arguments() {
    let app = BrowserApp::new(support::config()).await.unwrap();
    support::sign_in(&app, "yuri").await;
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<InstanceApp>::with_root_and_props(root.clone(), InstanceProps { app: app.clone() }).render();
    // The hook's own run: the app's client has an account, so a token silently.
    support::wait_for("the hook's own run", || !matches!(support::text_of("yew-calls").as_str(), "" | "none")).await;
    assert_eq!(support::text_of("yew-calls"), "yuri from_cache=true");
    let (login, acquire_token) = CALLS.with(|c| c.borrow().clone()).unwrap();
    // login by the call's interaction (a popup) and request.
    support::set_auto_login(Some("yoko")).await;
    let popup = InteractiveRequest {
        scopes: vec!["User.Read".into()],
        redirect_uri: support::popup_redirect_uri(),
        prompt: Some(msal_wasm::core::authorize::Prompt::Login),
        ..Default::default()
    };
    login.emit(AuthCall { interaction: Some(Interaction::Popup), request: Some(popup) });
    support::wait_for("login", || support::text_of("yew-calls").starts_with("yoko")).await;
    support::set_auto_login(None).await;
    assert_eq!(support::text_of("yew-calls"), "yoko from_cache=false");
    // acquire_token: the request's account over the hook's (the active account).
    let find = |who: &str| app.accounts().into_iter().find(|a| a.account.username == who).unwrap().to_ref();
    app.set_active_account(Some(&find("yoko"))).unwrap();
    let for_yuri = InteractiveRequest { scopes: vec!["User.Read".into()], account: Some(find("yuri")), ..Default::default() };
    acquire_token.emit(AuthCall { interaction: None, request: Some(for_yuri) });
    support::wait_for("acquire_token for yuri", || support::text_of("yew-calls").starts_with("yuri")).await;
    assert_eq!(support::text_of("yew-calls"), "yuri from_cache=true");
    acquire_token.emit(AuthCall::default());
    support::wait_for("acquire_token for the hook's account", || support::text_of("yew-calls").starts_with("yoko")).await;
    assert_eq!(support::text_of("yew-calls"), "yoko from_cache=true");
    handle.destroy();
    root.remove();
}

#[function_component(EarlyProbe)]
fn early_probe() -> Html {
    let request =
        InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: support::popup_redirect_uri(), ..Default::default() };
    let auth = use_msal_authentication(Interaction::Silent, request, None);
    let ctx = use_msal();
    // The first render's callbacks, kept by the app.
    CALLS.with(|c| {
        c.borrow_mut().get_or_insert_with(|| (auth.login.clone(), auth.acquire_token.clone()));
    });
    // The app's call as it mounts, before the provider's client started.
    let login = auth.login.clone();
    use_effect_with((), move |_| {
        login.emit(AuthCall { interaction: Some(Interaction::Silent), request: None });
        || ()
    });
    let text = match (&auth.result, &auth.error) {
        (Some(r), _) => format!("{:?} {} from_cache={}", ctx.in_progress, r.account.account.username, r.from_cache),
        (None, Some(e)) => format!("{:?} error {}", ctx.in_progress, e.code()),
        (None, None) => format!("{:?} none", ctx.in_progress),
    };
    html! { <p id="yew-early">{ text }</p> }
}

#[function_component(EarlyApp)]
fn early_app(props: &InstanceProps) -> Html {
    html! { <MsalProvider instance={props.app.clone()}><EarlyProbe /></MsalProvider> }
}

// A hook's login before the provider's client started is reported (msal's "initialize first"),
// not dropped; as with any hook error in msal-react, no run of the hook's own follows; a
// callback kept from that first render reaches the client once it started.
#[test]
async fn a_hooks_call_before_the_client_started_is_reported_and_a_kept_callback_reaches_it_later() {
    CALLS.with(|c| *c.borrow_mut() = None);
    let app = BrowserApp::new(support::config()).await.unwrap();
    support::sign_in(&app, "ebba").await;
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<EarlyApp>::with_root_and_props(root.clone(), InstanceProps { app: app.clone() }).render();
    support::wait_for("the provider to start", || support::text_of("yew-early").starts_with("None")).await;
    support::sleep_ms(300).await;
    assert_eq!(support::text_of("yew-early"), "None error uninitialized_public_client_application", "reported; no run of its own followed");
    let (_, acquire_token) = CALLS.with(|c| c.borrow().clone()).unwrap();
    acquire_token.emit(AuthCall::default());
    support::wait_for("the kept callback", || support::text_of("yew-early").contains("ebba")).await;
    assert_eq!(support::text_of("yew-early"), "None ebba from_cache=true");
    handle.destroy();
    root.remove();
}

#[function_component(Unstartable)]
fn unstartable() -> Html {
    let config = msal_wasm::client::Config::new("msal-wasm-test-client").with_authority("not a url");
    html! { <MsalProvider {config}><Token /></MsalProvider> }
}

#[test]
async fn the_token_hook_reports_a_provider_that_could_not_start() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<Unstartable>::with_root(root.clone()).render();
    support::wait_for("the start-up error", || support::text_of("yew-token") == "error url_parse_error").await;
    handle.destroy();
    root.remove();
}

#[function_component(RenewToken)]
fn renew_token() -> Html {
    let t = use_access_token(vec!["User.Read".into()], Fallback::None);
    html! { <p id="yew-renew-token">{ if t.result.is_some() { "token" } else { "none" } }</p> }
}

#[function_component(TokenApp)]
fn token_app() -> Html {
    html! { <MsalProvider config={support::config()}><Probe /><RenewToken /></MsalProvider> }
}

#[test]
async fn an_unmounted_token_hook_stops_renewing() {
    // Tokens of 20 s, always due: a mounted hook asks again every 10 s.
    support::configure_idp(msal_wasm::core::json::Json::object().with("accessTokenTtl", 20u64)).await;
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<TokenApp>::with_root(root.clone()).render();
    APP.with(|a| a.borrow_mut().take());
    support::wait_for("the provider", || APP.with(|a| a.borrow().is_some())).await;
    let app = APP.with(|a| a.borrow().clone()).expect("the provider exposes its client");
    support::sign_in(&app, "yuri").await;
    support::wait_for("the token", || support::text_of("yew-renew-token") == "token").await;
    // Mounted, it renews (the check below could not fail otherwise).
    let mounted = support::token_requests().await;
    let mut renewed = false;
    for _ in 0..30 {
        support::sleep_ms(500).await;
        if support::token_requests().await > mounted {
            renewed = true;
            break;
        }
    }
    assert!(renewed, "the mounted hook renewed its due token within 15 s");
    handle.destroy();
    root.remove();
    let before = support::token_requests().await;
    support::sleep_ms(12_000).await;
    let after = support::token_requests().await;
    support::configure_idp(msal_wasm::core::json::Json::object().with("accessTokenTtl", 3600u64)).await;
    assert_eq!(after, before, "the unmounted hook renewed its token");
}

/// A child that moves the address at once (a router's redirect in its effect).
#[function_component(Rerouting)]
fn rerouting() -> Html {
    use_effect_with((), |_| {
        let history = web_sys::window().unwrap().history().unwrap();
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/dashboard")).unwrap();
    });
    if let Some(app) = &use_msal().app {
        APP.with(|a| *a.borrow_mut() = Some(app.clone()));
    }
    html! {}
}

#[function_component(ReroutedApp)]
fn rerouted_app() -> Html {
    let mut config = support::config();
    config.redirect_uri = String::new();
    html! { <MsalProvider config={config}><Rerouting /></MsalProvider> }
}

#[test]
async fn without_a_redirect_uri_the_provider_takes_the_page_it_was_rendered_on_not_the_route_a_child_moved_to() {
    // As msal's client, which fills the default in when it is made: yew runs a child's effect
    // (a router's redirect) before the provider's, which builds the client.
    APP.with(|a| *a.borrow_mut() = None);
    let window = web_sys::window().unwrap();
    let first = window.location().href().unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<ReroutedApp>::with_root(root.clone()).render();
    support::wait_for("the provider's client", || APP.with(|a| a.borrow().is_some())).await;
    let app = APP.with(|a| a.borrow_mut().take()).unwrap();
    let moved = window.location().pathname().unwrap();
    window.history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&first)).unwrap();
    assert_eq!(moved, "/dashboard", "the child moved the address first");
    assert_eq!(app.client().config().redirect_uri, msal_wasm::core::url::without_query(&first));
    drop(app);
    handle.destroy();
    root.remove();
}

thread_local! {
    /// Runs of [`Reruns`]' effect on the context's accounts.
    static RUNS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

#[function_component(Reruns)]
fn reruns() -> Html {
    let ctx = use_msal();
    if let Some(app) = &ctx.app {
        APP.with(|a| *a.borrow_mut() = Some(app.clone()));
    }
    use_effect_with(ctx.accounts.clone(), |_| RUNS.with(|r| r.set(r.get() + 1)));
    html! { <p id="yew-reruns">{ ctx.accounts.len() }</p> }
}

#[function_component(RerunsApp)]
fn reruns_app() -> Html {
    html! { <MsalProvider config={support::config()}><Reruns /></MsalProvider> }
}

#[test]
async fn the_contexts_accounts_change_when_the_accounts_do_not_at_each_renewal() {
    // msal-react tells its children of accounts that changed (by their ids), not of each new
    // ID token: an effect on the accounts that renews with forceRefresh would loop.
    APP.with(|a| *a.borrow_mut() = None);
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<RerunsApp>::with_root(root.clone()).render();
    support::wait_for("the provider's client", || APP.with(|a| a.borrow().is_some())).await;
    let app = APP.with(|a| a.borrow().clone()).unwrap();
    support::sign_in(&app, "remy").await;
    support::wait_for("signed in", || support::text_of("yew-reruns") == "1").await;
    support::sleep_ms(300).await;
    let before = RUNS.with(|r| r.get());
    let account = Some(app.accounts()[0].to_ref());
    let request = msal_wasm::client::SilentRequest { scopes: vec!["User.Read".into()], account, force_refresh: true, ..Default::default() };
    app.acquire_token_silent(&request).await.expect("a forced renewal");
    support::sleep_ms(300).await;
    assert_eq!(RUNS.with(|r| r.get()), before, "the effect on the context's accounts ran again");
    handle.destroy();
    root.remove();
}

#[function_component(Unviewed)]
fn unviewed() -> Html {
    // ssoSilent for a user the provider has no session of fails at once; no error view given.
    let request = InteractiveRequest { scopes: vec!["User.Read".into()], login_hint: "nobody-signed-in".into(), ..Default::default() };
    html! {
        <MsalProvider config={support::config()}>
            <div id="yew-unviewed"><MsalAuthenticationTemplate interaction={Interaction::Silent} {request}><p>{ "signed in" }</p></MsalAuthenticationTemplate></div>
        </MsalProvider>
    }
}

#[test]
async fn a_template_without_an_error_view_says_its_error() {
    // msal-react throws it (so it reaches the console at least): not a blank area.
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<Unviewed>::with_root(root.clone()).render();
    support::wait_for("the default error view", || support::text_of("yew-unviewed").starts_with("Sign-in failed: ")).await;
    handle.destroy();
    root.remove();
}
