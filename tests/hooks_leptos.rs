//! The Leptos provider, hooks and templates in headless Chromium against the local provider.
//! Run through scripts/with-idp.mjs (see scripts/test.sh).
#![cfg(all(target_arch = "wasm32", feature = "leptos"))]

mod support;

use leptos::prelude::*;
use msal_wasm::browser::BrowserApp;
use msal_wasm::frameworks::leptos::*;
use msal_wasm::frameworks::Fallback;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test as test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static APP: RefCell<Option<BrowserApp>> = const { RefCell::new(None) };
}

#[component]
fn Probe() -> impl IntoView {
    let ctx = use_msal();
    let signed_in = use_is_authenticated();
    let account = use_account();
    let text = move || {
        if let Some(app) = ctx.app() {
            APP.with(|a| *a.borrow_mut() = Some(app));
        }
        let user = account.get().map(|a| a.account.username).unwrap_or_default();
        format!("ready={} signed_in={} account={user}", !ctx.in_progress.get(), signed_in.get())
    };
    view! { <p id="leptos-probe">{text}</p> }
}

#[component]
fn Token() -> impl IntoView {
    let t = use_access_token(vec!["User.Read".into()], Fallback::None);
    let text = move || {
        t.with(|t| match (&t.result, &t.error) {
            (Some(r), _) => format!("token from_cache={} len>0={}", r.from_cache, !r.access_token.secret().is_empty()),
            (None, Some(e)) => format!("error {}", e.code()),
            (None, None) => "loading".to_owned(),
        })
    };
    view! { <p id="leptos-token">{text}</p> }
}

#[component]
fn TestApp() -> impl IntoView {
    view! {
        <MsalProvider config=support::config()>
            <Probe />
            <AuthenticatedTemplate><p id="leptos-auth">"authenticated"</p><Token /></AuthenticatedTemplate>
            <UnauthenticatedTemplate><p id="leptos-unauth">"unauthenticated"</p></UnauthenticatedTemplate>
        </MsalProvider>
    }
}

#[test]
async fn provider_hooks_and_templates_follow_sign_in() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.unchecked_into(), TestApp);

    support::wait_for("the provider to initialize", || support::text_of("leptos-probe").starts_with("ready=true")).await;
    assert_eq!(support::text_of("leptos-probe"), "ready=true signed_in=false account=");
    assert_eq!(support::text_of("leptos-unauth"), "unauthenticated");
    assert_eq!(support::text_of("leptos-auth"), "");

    let app = APP.with(|a| a.borrow().clone()).expect("the provider exposes its client");
    support::sign_in(&app, "lena").await;

    support::wait_for("the hooks to see the account", || support::text_of("leptos-probe").contains("signed_in=true")).await;
    assert_eq!(support::text_of("leptos-probe"), "ready=true signed_in=true account=lena");
    assert_eq!(support::text_of("leptos-unauth"), "");
    assert_eq!(support::text_of("leptos-auth"), "authenticated");
    support::wait_for("use_access_token", || support::text_of("leptos-token").starts_with("token")).await;
    assert_eq!(support::text_of("leptos-token"), "token from_cache=true len>0=true");
    handle.forget();
}
