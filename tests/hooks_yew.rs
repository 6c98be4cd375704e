//! The Yew provider, hooks and templates in headless Chromium against the local provider.
//! Run through scripts/with-idp.mjs (see scripts/test.sh).
#![cfg(all(target_arch = "wasm32", feature = "yew"))]

mod support;

use msal_wasm::browser::BrowserApp;
use msal_wasm::frameworks::yew::*;
use msal_wasm::frameworks::Fallback;
use std::cell::RefCell;
use wasm_bindgen_test::wasm_bindgen_test as test;
use yew::prelude::*;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static APP: RefCell<Option<BrowserApp>> = const { RefCell::new(None) };
}

#[function_component(Probe)]
fn probe() -> Html {
    let ctx = use_msal();
    if let Some(app) = &ctx.app {
        APP.with(|a| *a.borrow_mut() = Some(app.clone()));
    }
    let signed_in = use_is_authenticated();
    let account = use_account().map(|a| a.account.username).unwrap_or_default();
    html! { <p id="yew-probe">{ format!("ready={} signed_in={signed_in} account={account}", !ctx.in_progress) }</p> }
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
    html! {
        <MsalProvider config={support::config()}>
            <Probe />
            <AuthenticatedTemplate><p id="yew-auth">{ "authenticated" }</p><Token /></AuthenticatedTemplate>
            <UnauthenticatedTemplate><p id="yew-unauth">{ "unauthenticated" }</p></UnauthenticatedTemplate>
        </MsalProvider>
    }
}

#[test]
async fn provider_hooks_and_templates_follow_sign_in() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<TestApp>::with_root(root).render();

    support::wait_for("the provider to initialize", || support::text_of("yew-probe").starts_with("ready=true")).await;
    assert_eq!(support::text_of("yew-probe"), "ready=true signed_in=false account=");
    assert_eq!(support::text_of("yew-unauth"), "unauthenticated");
    assert_eq!(support::text_of("yew-auth"), "");

    let app = APP.with(|a| a.borrow().clone()).expect("the provider exposes its client");
    support::sign_in(&app, "yuri").await;

    support::wait_for("the hooks to see the account", || support::text_of("yew-probe").contains("signed_in=true")).await;
    assert_eq!(support::text_of("yew-probe"), "ready=true signed_in=true account=yuri");
    assert_eq!(support::text_of("yew-unauth"), "");
    assert_eq!(support::text_of("yew-auth"), "authenticated");
    support::wait_for("use_access_token", || support::text_of("yew-token").starts_with("token")).await;
    assert_eq!(support::text_of("yew-token"), "token from_cache=true len>0=true");
}
