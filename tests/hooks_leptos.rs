//! The Leptos provider, hooks and templates in headless Chromium against the local provider.
//! Run through scripts/with-idp.mjs (see scripts/test.sh).
#![cfg(all(target_arch = "wasm32", feature = "leptos"))]

mod support;

use leptos::prelude::*;
use msal_wasm::browser::BrowserApp;
use msal_wasm::client::{AccountFilter, AccountRef, InteractiveRequest};
use msal_wasm::frameworks::leptos::*;
use msal_wasm::frameworks::{AuthCall, Fallback, Interaction, InteractionStatus};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test as test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static APP: RefCell<Option<BrowserApp>> = const { RefCell::new(None) };
    static TRAIL: RefCell<Vec<InteractionStatus>> = const { RefCell::new(Vec::new()) };
}

fn nobody() -> AccountFilter {
    AccountFilter { username: Some("nobody".into()), ..AccountFilter::default() }
}

/// Records every interaction status the context goes through: the one the component is
/// first rendered with, then each change (an effect runs after the first render, by which time
/// a client that needed no network may have started).
fn record_trail(ctx: MsalContext) {
    let record = |status: InteractionStatus| {
        TRAIL.with(|t| {
            let mut t = t.borrow_mut();
            if t.last() != Some(&status) {
                t.push(status);
            }
        })
    };
    record(ctx.in_progress.get_untracked());
    Effect::new(move |_| record(ctx.in_progress.get()));
}

#[component]
fn Probe() -> impl IntoView {
    let ctx = use_msal();
    record_trail(ctx);
    let signed_in = use_is_authenticated();
    let account = use_account();
    let other = use_is_authenticated_for(nobody());
    let text = move || {
        if let Some(app) = ctx.app() {
            APP.with(|a| *a.borrow_mut() = Some(app));
        }
        let user = account.get().map(|a| a.account.username).unwrap_or_default();
        let ready = ctx.in_progress.get() == InteractionStatus::None;
        let accounts = ctx.accounts().len();
        format!("ready={ready} signed_in={} account={user} nobody={} accounts={accounts}", signed_in.get(), other.get())
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
            <AuthenticatedTemplate filter=nobody()><p id="leptos-nobody">"nobody"</p></AuthenticatedTemplate>
        </MsalProvider>
    }
}

fn mount_root() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root.unchecked_into()
}

#[test]
async fn provider_hooks_and_templates_follow_sign_in() {
    TRAIL.with(|t| t.borrow_mut().clear());
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), TestApp);

    support::wait_for("the provider to initialize", || support::text_of("leptos-probe").starts_with("ready=true")).await;
    assert_eq!(support::text_of("leptos-probe"), "ready=true signed_in=false account= nobody=false accounts=0");
    assert_eq!(support::text_of("leptos-unauth"), "unauthenticated");
    assert_eq!(support::text_of("leptos-auth"), "");

    let app = APP.with(|a| a.borrow().clone()).expect("the provider exposes its client");
    support::sign_in(&app, "lena").await;

    support::wait_for("the hooks to see the account", || support::text_of("leptos-probe").contains("signed_in=true")).await;
    assert_eq!(support::text_of("leptos-probe"), "ready=true signed_in=true account=lena nobody=false accounts=1");
    assert_eq!(support::text_of("leptos-unauth"), "");
    assert_eq!(support::text_of("leptos-auth"), "authenticated");
    assert_eq!(support::text_of("leptos-nobody"), "", "the template's account filter matches no account");
    support::wait_for("use_access_token", || support::text_of("leptos-token").starts_with("token")).await;
    assert_eq!(support::text_of("leptos-token"), "token from_cache=true len>0=true");
    assert_eq!(TRAIL.with(|t| t.borrow().clone()), [InteractionStatus::Startup, InteractionStatus::None]);
    // msal-react's account identifiers match the ids without regard to case.
    let home = app.accounts()[0].account.home_account_id.to_uppercase();
    let (upper_root, given) = (mount_root(), app.clone());
    let upper = leptos::mount::mount_to(upper_root.clone(), move || {
        let filter = AccountFilter { home_account_id: Some(home.clone()), ..AccountFilter::default() };
        view! { <MsalProvider instance=given.clone()><FilterProbe filter=filter /></MsalProvider> }
    });
    support::wait_for("the upper-case filter", || support::text_of("leptos-filter") == "lena").await;
    drop(upper);
    upper_root.remove();
    // A filter given as a signal is followed: the hooks and the template look again when it
    // changes (msal-react's next render with other account identifiers).
    let (moving_root, given) = (mount_root(), app.clone());
    let filter = RwSignal::new(nobody());
    let moving = leptos::mount::mount_to(moving_root.clone(), move || {
        view! { <MsalProvider instance=given.clone()><MovingFilterProbe filter=filter /></MsalProvider> }
    });
    support::wait_for("the moving filter's first look", || support::text_of("leptos-moving") == "account= signed_in=false").await;
    assert_eq!(support::text_of("leptos-moving-template"), "", "nobody's template shows nothing");
    filter.set(AccountFilter { username: Some("LENA".into()), ..AccountFilter::default() });
    support::wait_for("the moving filter's new look", || support::text_of("leptos-moving") == "account=lena signed_in=true").await;
    assert_eq!(support::text_of("leptos-moving-template"), "lena's");
    filter.set(nobody());
    support::wait_for("the moving filter back to nobody", || support::text_of("leptos-moving") == "account= signed_in=false").await;
    assert_eq!(support::text_of("leptos-moving-template"), "");
    drop(moving);
    moving_root.remove();
    // use_msal_authentication's result follows its filter too: moved to nobody signed in, the
    // hook drops it (msal-react's `!account && result`), though no event came.
    let (auth_root, given) = (mount_root(), app.clone());
    let filter = RwSignal::new(AccountFilter { username: Some("lena".into()), ..AccountFilter::default() });
    let auth = leptos::mount::mount_to(auth_root.clone(), move || {
        view! { <MsalProvider instance=given.clone()><MovingAuthProbe filter=filter /></MsalProvider> }
    });
    support::wait_for("the hook's token for lena", || support::text_of("leptos-moving-auth") == "result=lena").await;
    filter.set(nobody());
    support::wait_for("the result to go", || support::text_of("leptos-moving-auth") == "result=").await;
    drop(auth);
    auth_root.remove();
    // A silent token from the guest tenant adds that tenant's profile, an account of its own
    // (v5): the hooks see it, though no sign-in happened.
    let guest = [support::idp_origin(), "/", support::GUEST_TENANT_ID].concat();
    let before = app.accounts().len();
    let request = msal_wasm::client::SilentRequest {
        scopes: vec!["User.Read".into()],
        account: Some(app.accounts()[0].to_ref()),
        authority: Some(guest),
        ..Default::default()
    };
    app.acquire_token_silent(&request).await.expect("a guest tenant's token, silently");
    assert_eq!(app.accounts().len(), before + 1, "the guest tenant's profile");
    support::wait_for("the hooks to list the guest profile", || {
        support::text_of("leptos-probe").contains(&format!("accounts={}", before + 1))
    })
    .await;
    drop(handle);
    root.remove();
}

#[component]
fn FilterProbe(filter: AccountFilter) -> impl IntoView {
    let account = use_account_for(filter);
    view! { <p id="leptos-filter">{move || account.get().map(|a| a.account.username).unwrap_or_default()}</p> }
}

#[component]
fn MovingAuthProbe(filter: RwSignal<AccountFilter>) -> impl IntoView {
    let request = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let auth = use_msal_authentication(Interaction::Silent, request, Signal::derive(move || Some(filter.get())));
    let text = move || format!("result={}", auth.result.get().map(|r| r.account.account.username).unwrap_or_default());
    view! { <p id="leptos-moving-auth">{text}</p> }
}

#[component]
fn MovingFilterProbe(filter: RwSignal<AccountFilter>) -> impl IntoView {
    let account = use_account_for(filter);
    let signed_in = use_is_authenticated_for(filter);
    let text = move || format!("account={} signed_in={}", account.get().map(|a| a.account.username).unwrap_or_default(), signed_in.get());
    view! {
        <p id="leptos-moving">{text}</p>
        <div id="leptos-moving-template"><AuthenticatedTemplate filter=filter>"lena's"</AuthenticatedTemplate></div>
    }
}

#[component]
fn Guarded() -> impl IntoView {
    let ctx = use_msal();
    record_trail(ctx);
    let request =
        InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: support::popup_redirect_uri(), ..Default::default() };
    let error = Callback::new(|(e, _): (msal_wasm::AuthError, MsalAuthenticationResult)| {
        view! { <p id="leptos-guard">{format!("error {}", e.code())}</p> }.into_any()
    });
    let who = move || ctx.account().map(|a| a.account.username).unwrap_or_default();
    view! {
        <MsalAuthenticationTemplate interaction=Interaction::Popup request=request error=error
            loading=|| view! { <p id="leptos-guard">"signing in"</p> }>
            <p id="leptos-guard">"signed in as "{who}</p>
        </MsalAuthenticationTemplate>
    }
}

#[test]
async fn msal_authentication_template_signs_in_by_popup_when_nobody_is() {
    TRAIL.with(|t| t.borrow_mut().clear());
    support::set_auto_login(Some("lars")).await;
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), || view! { <MsalProvider config=support::config()><Guarded /></MsalProvider> });
    support::wait_for("the template's popup sign-in", || {
        let t = support::text_of("leptos-guard");
        t.starts_with("signed in as") || t.starts_with("error")
    })
    .await;
    support::set_auto_login(None).await;
    assert_eq!(support::text_of("leptos-guard"), "signed in as lars");
    assert_eq!(
        TRAIL.with(|t| t.borrow().clone()),
        [InteractionStatus::Startup, InteractionStatus::None, InteractionStatus::AcquireToken, InteractionStatus::None]
    );
    drop(handle);
    root.remove();
}

thread_local! {
    static MOUNTS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Counts how often it is built.
#[component]
fn Counted() -> impl IntoView {
    MOUNTS.with(|m| m.set(m.get() + 1));
    let ctx = use_msal();
    if let Some(app) = ctx.app() {
        APP.with(|a| *a.borrow_mut() = Some(app));
    }
    view! { <p id="leptos-counted">"protected"</p> }
}

fn popup_request(prompt: Option<msal_wasm::core::authorize::Prompt>) -> InteractiveRequest {
    InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: support::popup_redirect_uri(), prompt, ..Default::default() }
}

#[test]
async fn the_templates_children_stay_mounted_through_a_popup_and_an_unmounted_provider_lets_its_client_go() {
    MOUNTS.with(|m| m.set(0));
    APP.with(|a| *a.borrow_mut() = None);
    support::set_auto_login(Some("lutz")).await;
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), || {
        view! {
            <MsalProvider config=support::config()>
                <MsalAuthenticationTemplate interaction=Interaction::Popup request=popup_request(None)><Counted /><TokenHolder /><ResultSeen /></MsalAuthenticationTemplate>
            </MsalProvider>
        }
    });
    support::wait_for("the template's sign-in", || support::text_of("leptos-counted") == "protected").await;
    support::wait_for("the children to find the hook's result", || support::text_of("leptos-result-seen") == "true").await;
    // (Its token hook waits for its token's renewal, most of an hour away, when it unmounts.)
    support::wait_for("the token hook's token", || support::text_of("leptos-held") == "token").await;
    assert_eq!(MOUNTS.with(|m| m.get()), 1);
    // Another interaction while signed in: the protected children stay (msal-react).
    let app = APP.with(|a| a.borrow_mut().take()).unwrap();
    app.acquire_token_popup(&popup_request(Some(msal_wasm::core::authorize::Prompt::Login))).await.unwrap();
    support::wait_for("the status back to None", || app.interaction_status() == InteractionStatus::None).await;
    support::sleep_ms(200).await;
    support::set_auto_login(None).await;
    assert_eq!(MOUNTS.with(|m| m.get()), 1, "the children were built again during the popup");
    // Unmounted, the provider keeps nothing of its client alive.
    let client = app.client_rc();
    drop(app);
    drop(handle);
    support::sleep_ms(200).await;
    APP.with(|a| *a.borrow_mut() = None);
    assert_eq!(std::rc::Rc::strong_count(&client), 1, "the unmounted provider still holds its client");
    // And once the client goes, so do its listeners: its channel to the other tabs is closed,
    // and the page's wake-up listeners removed (a memory cache has no `storage` listener).
    let stopped = count_stops();
    drop(client);
    assert_eq!(stopped(), "1 online,pageshow,visibilitychange", "the client's channel and listeners stayed");
    root.remove();
}

/// Whether the template's children find the hook's result (msal-react's function child).
#[component]
fn ResultSeen() -> impl IntoView {
    let auth = use_context::<MsalAuthenticationResult>();
    view! { <p id="leptos-result-seen">{move || auth.is_some_and(|a| a.result.with(Option::is_some)).to_string()}</p> }
}

#[component]
fn TokenHolder() -> impl IntoView {
    let t = use_access_token(vec!["User.Read".into()], Fallback::None);
    view! { <p id="leptos-held">{move || if t.get().result.is_some() { "token" } else { "" }}</p> }
}

/// Counts, from now on, `BroadcastChannel.close()` calls and the removals of page listeners of
/// the types a client listens to; the closure stops counting and says what it saw.
fn count_stops() -> impl Fn() -> String {
    let start = js_sys::Function::new_no_args(
        "const channel = BroadcastChannel.prototype, close = channel.close; \
         const remove = EventTarget.prototype.removeEventListener; \
         const seen = { closes: 0, removed: [] }; \
         channel.close = function () { seen.closes++; return close.call(this); }; \
         EventTarget.prototype.removeEventListener = function (type, f, o) { \
           if (['storage', 'visibilitychange', 'online', 'pageshow'].includes(type)) seen.removed.push(type); \
           return remove.call(this, type, f, o); }; \
         globalThis.__stops = () => { channel.close = close; EventTarget.prototype.removeEventListener = remove; \
           return seen.closes + ' ' + seen.removed.sort().join(','); };",
    );
    start.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    || {
        let read = js_sys::Reflect::get(&js_sys::global(), &"__stops".into()).unwrap();
        js_sys::Function::from(read).call0(&wasm_bindgen::JsValue::NULL).unwrap().as_string().unwrap_or_default()
    }
}

#[component]
fn ResultProbe() -> impl IntoView {
    let auth = use_msal_authentication(Interaction::Popup, popup_request(None), None);
    let ctx = use_msal();
    let text = move || {
        if let Some(app) = ctx.app() {
            APP.with(|a| *a.borrow_mut() = Some(app));
        }
        format!("result={}", auth.result.with(Option::is_some))
    };
    view! { <p id="leptos-result">{text}</p> }
}

#[test]
async fn the_hooks_result_is_dropped_when_its_account_signs_out() {
    APP.with(|a| *a.borrow_mut() = None);
    support::set_auto_login(Some("lotte")).await;
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), || view! { <MsalProvider config=support::config()><ResultProbe /></MsalProvider> });
    support::wait_for("the hook's sign-in", || support::text_of("leptos-result") == "result=true").await;
    support::set_auto_login(None).await;
    let app = APP.with(|a| a.borrow_mut().take()).unwrap();
    // A second account stays signed in: the result is the first one's, and goes with it
    // (msal-react: the hook's account is then none; here the other account is no stand-in).
    let signed_in = app.accounts().into_iter().next().unwrap().to_ref();
    support::sign_in(&app, "lotta").await;
    assert_eq!(app.accounts().len(), 2);
    let logout = msal_wasm::client::LogoutRequest {
        account: Some(signed_in),
        post_logout_redirect_uri: Some(support::popup_redirect_uri()),
        ..Default::default()
    };
    app.logout_popup(&logout).await.unwrap();
    assert_eq!(app.accounts().len(), 1, "the other account stays");
    support::wait_for("the result to go with the account", || support::text_of("leptos-result") == "result=false").await;
    drop(app);
    drop(handle);
    root.remove();
}

#[component]
fn RedirectProbe() -> impl IntoView {
    let ctx = use_msal();
    let text = move || format!("{:?} {:?}", ctx.in_progress.get(), ctx.error.get().map(|e| e.code().to_owned()));
    view! { <p id="leptos-redirect-probe">{text}</p> }
}

#[component]
fn RedirectGuardedBody() -> impl IntoView {
    let request = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let error = Callback::new(|(e, _): (msal_wasm::AuthError, MsalAuthenticationResult)| {
        view! { <p id="leptos-redirect">{format!("error {}", e.code())}</p> }.into_any()
    });
    view! {
        <RedirectProbe />
        <MsalAuthenticationTemplate interaction=Interaction::Redirect request=request filter=nobody() error=error
            loading=|| view! { <p id="leptos-redirect">"signing in"</p> }>
            <p id="leptos-redirect">"signed in"</p>
        </MsalAuthenticationTemplate>
        // Without a filter: the account signed in before is served silently.
        <MsalAuthenticationTemplate interaction=Interaction::Redirect request=InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() }
            error=Callback::new(|(e, _): (msal_wasm::AuthError, MsalAuthenticationResult)| {
                view! { <p id="leptos-redirect-user">{format!("error {}", e.code())}</p> }.into_any()
            })>
            <p id="leptos-redirect-user">"signed in"</p>
        </MsalAuthenticationTemplate>
    }
}

/// The redirect-guarded templates under a provider of its own client, or of the app's.
#[component]
fn RedirectGuarded(#[prop(optional)] instance: Option<BrowserApp>) -> impl IntoView {
    match instance {
        Some(instance) => view! { <MsalProvider instance=instance><RedirectGuardedBody /></MsalProvider> }.into_any(),
        None => view! { <MsalProvider config=support::redirect_config()><RedirectGuardedBody /></MsalProvider> }.into_any(),
    }
}

// msal-react's hook gets the remembered handleRedirectPromise error: a redirect that came back
// with one (consent declined) is reported, not started again at every load.
#[test]
async fn a_redirect_sign_in_that_came_back_with_an_error_is_reported_not_started_again() {
    support::returned_from_redirect_with("access_denied", Some("rita")).await;
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), || view! { <RedirectGuarded /> });
    support::wait_for("the template's error view", || support::text_of("leptos-redirect").starts_with("error")).await;
    support::sleep_ms(300).await;
    assert_eq!(support::text_of("leptos-redirect"), "error access_denied");
    assert_eq!(support::text_of("leptos-redirect-probe"), r#"None Some("access_denied")"#, "nothing in progress: no new redirect");
    assert_eq!(support::text_of("leptos-redirect-user"), "signed in", "a signed-in account still gets its token silently");
    assert!(!web_sys::window().unwrap().location().href().unwrap().contains("error="), "the response left the address");
    drop(handle);
    root.remove();
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
}

// The same when the app handles the redirect itself before it mounts the provider with its
// instance (msal-react's samples' order): the provider's hooks get that call's error.
#[test]
async fn a_redirect_error_the_app_handled_itself_is_reported_not_started_again() {
    support::returned_from_redirect_with("access_denied", Some("rina")).await;
    let app = BrowserApp::new(support::redirect_config()).await.unwrap();
    let handled = app.handle_redirect_promise(None, None).await.unwrap_err();
    assert_eq!(handled.code(), "access_denied");
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), move || view! { <RedirectGuarded instance=app.clone() /> });
    support::wait_for("the template's error view", || support::text_of("leptos-redirect").starts_with("error")).await;
    support::sleep_ms(300).await;
    assert_eq!(support::text_of("leptos-redirect"), "error access_denied");
    assert_eq!(support::text_of("leptos-redirect-probe"), r#"None Some("access_denied")"#, "nothing in progress: no new redirect");
    drop(handle);
    root.remove();
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
}

// The same when the app spawns its own call and mounts the provider at once (the provider's
// call waits for the app's while it runs, or takes its outcome).
#[test]
async fn a_redirect_error_the_app_is_still_handling_as_the_provider_mounts_is_reported() {
    support::returned_from_redirect_with("access_denied", Some("rune")).await;
    let app = BrowserApp::new(support::redirect_config()).await.unwrap();
    let handled = std::rc::Rc::new(RefCell::new(None));
    let (given, seen) = (app.clone(), handled.clone());
    wasm_bindgen_futures::spawn_local(async move {
        *seen.borrow_mut() = Some(given.handle_redirect_promise(None, None).await.err().map(|e| e.code().to_owned()));
    });
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), move || view! { <RedirectGuarded instance=app.clone() /> });
    support::wait_for("the template's error view", || support::text_of("leptos-redirect").starts_with("error")).await;
    support::sleep_ms(300).await;
    assert_eq!(*handled.borrow(), Some(Some("access_denied".to_owned())), "the app's own call");
    assert_eq!(support::text_of("leptos-redirect"), "error access_denied");
    assert_eq!(support::text_of("leptos-redirect-probe"), r#"None Some("access_denied")"#, "nothing in progress: no new redirect");
    drop(handle);
    root.remove();
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
}

thread_local! {
    static AUTH: RefCell<Option<MsalAuthenticationResult>> = const { RefCell::new(None) };
}

#[component]
fn CallProbe() -> impl IntoView {
    let request =
        InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: support::popup_redirect_uri(), ..Default::default() };
    // Silent: without a session at the provider, the hook's own interaction cannot sign in.
    let auth = use_msal_authentication(Interaction::Silent, request, None);
    AUTH.with(|a| *a.borrow_mut() = Some(auth));
    let text = move || match (auth.result.get(), auth.error.get()) {
        (Some(r), _) => format!("{} from_cache={}", r.account.account.username, r.from_cache),
        (None, Some(e)) => format!("error {}", e.code()),
        (None, None) => "none".to_owned(),
    };
    view! { <p id="leptos-calls">{text}</p> }
}

// msal-react's MsalProvider takes the app's instance; its hook's login and acquireToken take an
// interaction type and a request of the call's own.
#[test]
async fn the_provider_takes_the_apps_instance_and_the_hooks_calls_take_msal_reacts_arguments() {
    let app = BrowserApp::new(support::config()).await.unwrap();
    support::sign_in(&app, "lia").await;
    let root = mount_root();
    let given = app.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || view! { <MsalProvider instance=given.clone()><CallProbe /></MsalProvider> });
    // The hook's own run: the app's client has an account, so a token silently.
    support::wait_for("the hook's own run", || !matches!(support::text_of("leptos-calls").as_str(), "" | "none")).await;
    assert_eq!(support::text_of("leptos-calls"), "lia from_cache=true");
    let auth = AUTH.with(|a| *a.borrow()).unwrap();
    // login by the call's interaction (a popup) and request.
    support::set_auto_login(Some("liv")).await;
    let popup = InteractiveRequest { prompt: Some(msal_wasm::core::authorize::Prompt::Login), ..popup_request(None) };
    auth.login.run(AuthCall { interaction: Some(Interaction::Popup), request: Some(popup) });
    support::wait_for("login", || support::text_of("leptos-calls").starts_with("liv")).await;
    support::set_auto_login(None).await;
    assert_eq!(support::text_of("leptos-calls"), "liv from_cache=false");
    // acquire_token: the request's account over the hook's (the active account).
    let find = |who: &str| app.accounts().into_iter().find(|a| a.account.username == who).unwrap().to_ref();
    app.set_active_account(Some(&find("liv"))).unwrap();
    let for_lia = InteractiveRequest { scopes: vec!["User.Read".into()], account: Some(find("lia")), ..Default::default() };
    auth.acquire_token.run(AuthCall { interaction: None, request: Some(for_lia) });
    support::wait_for("acquire_token for lia", || support::text_of("leptos-calls").starts_with("lia")).await;
    assert_eq!(support::text_of("leptos-calls"), "lia from_cache=true");
    auth.acquire_token.run(AuthCall::default());
    support::wait_for("acquire_token for the hook's account", || support::text_of("leptos-calls").starts_with("liv")).await;
    assert_eq!(support::text_of("leptos-calls"), "liv from_cache=true");
    // acquire_token's fallback: the provider needs the user (a hidden frame for an account the
    // cache lacks, hinting at someone the provider's session is not: login_required), so a
    // sign-in by the call's interaction with the token request.
    support::set_auto_login(Some("gia")).await;
    let ghost = AccountRef { login_hint: "gia".into(), ..AccountRef::new("ghost.tenant") };
    let for_ghost = InteractiveRequest { account: Some(ghost), ..popup_request(None) };
    auth.acquire_token.run(AuthCall { interaction: Some(Interaction::Popup), request: Some(for_ghost) });
    support::wait_for("the fallback sign-in", || support::text_of("leptos-calls").starts_with("gia")).await;
    support::set_auto_login(None).await;
    assert_eq!(support::text_of("leptos-calls"), "gia from_cache=false");
    drop(handle);
    root.remove();
}

// msal-react's MsalProvider initializes the instance it is given, and the redirect response is
// handled once per page load: an app that handled it itself and the provider see the same
// outcome (here the provider's error), so the hooks still do not redirect again by themselves.
#[test]
async fn the_provider_initializes_the_apps_instance_and_shares_its_redirect_outcome() {
    // Built, not initialized.
    let built = BrowserApp::build(support::config(), wasm_bindgen::JsValue::NULL, wasm_bindgen::JsValue::NULL).unwrap();
    let root = mount_root();
    let handle =
        leptos::mount::mount_to(root.clone(), move || view! { <MsalProvider instance=built.clone()><RedirectProbe /></MsalProvider> });
    support::wait_for("the provider to start", || !support::text_of("leptos-redirect-probe").starts_with("Startup")).await;
    assert_eq!(support::text_of("leptos-redirect-probe"), "None None", "the provider initialized the instance");
    drop(handle);
    root.remove();

    support::returned_from_redirect_with("access_denied", None).await;
    let app = BrowserApp::new(support::redirect_config()).await.unwrap();
    // The app handles the response before it mounts the provider.
    assert_eq!(app.handle_redirect().await.unwrap_err().code(), "access_denied");
    let root = mount_root();
    let given = app.clone();
    let handle =
        leptos::mount::mount_to(root.clone(), move || view! { <MsalProvider instance=given.clone()><RedirectProbe /></MsalProvider> });
    support::wait_for("the provider to start", || !support::text_of("leptos-redirect-probe").starts_with("Startup")).await;
    assert_eq!(support::text_of("leptos-redirect-probe"), r#"None Some("access_denied")"#);
    drop(handle);
    root.remove();
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
}

#[component]
fn Retried() -> impl IntoView {
    // ssoSilent for a user the provider has no session of fails at once (login_required).
    let request = InteractiveRequest {
        scopes: vec!["User.Read".into()],
        login_hint: "nobody-signed-in".into(),
        redirect_uri: support::popup_redirect_uri(),
        ..Default::default()
    };
    // msal-react's errorComponent gets the hook's result: its login tries again.
    let error = Callback::new(|(e, auth): (msal_wasm::AuthError, MsalAuthenticationResult)| {
        AUTH.with(|a| *a.borrow_mut() = Some(auth));
        view! { <p id="leptos-retry">{format!("error {}", e.code())}</p> }.into_any()
    });
    let token = use_access_token(vec!["User.Read".into()], Fallback::None);
    let ctx = use_msal();
    let loading = move || {
        if let Some(app) = ctx.app() {
            APP.with(|a| *a.borrow_mut() = Some(app));
        }
        token.with(|t| format!("loading={}", t.loading))
    };
    view! {
        <p id="leptos-retry-token">{loading}</p>
        <MsalAuthenticationTemplate interaction=Interaction::Silent request=request error=error>
            <p id="leptos-retry">"signed in"</p>
        </MsalAuthenticationTemplate>
    }
}

#[test]
async fn signed_out_the_token_hook_stops_loading_and_the_templates_error_view_signs_in_again() {
    AUTH.with(|a| *a.borrow_mut() = None);
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), || view! { <MsalProvider config=support::config()><Retried /></MsalProvider> });
    // Nobody signed in: the token hook has nothing to do once start-up is over (it stayed
    // `loading` for good when the start-up outlasted its first run).
    support::wait_for("the token hook to settle", || support::text_of("leptos-retry-token") == "loading=false").await;
    support::wait_for("the template's error view", || support::text_of("leptos-retry").starts_with("error")).await;
    let auth = AUTH.with(|a| *a.borrow()).expect("the error view got the hook's result");
    support::set_auto_login(Some("rolf")).await;
    auth.login.run(AuthCall { interaction: Some(Interaction::Popup), request: Some(popup_request(None)) });
    support::wait_for("the retried sign-in", || support::text_of("leptos-retry") == "signed in").await;
    support::set_auto_login(None).await;
    // The provider's session ends with it, so the next test's popup signs its own user in.
    let app = APP.with(|a| a.borrow_mut().take()).unwrap();
    let logout = msal_wasm::client::LogoutRequest { post_logout_redirect_uri: Some(support::popup_redirect_uri()), ..Default::default() };
    app.logout_popup(&logout).await.unwrap();
    drop(app);
    drop(handle);
    root.remove();
}

#[component]
fn EarlyProbe() -> impl IntoView {
    let request =
        InteractiveRequest { scopes: vec!["User.Read".into()], redirect_uri: support::popup_redirect_uri(), ..Default::default() };
    let auth = use_msal_authentication(Interaction::Silent, request, None);
    AUTH.with(|a| *a.borrow_mut() = Some(auth));
    // The app's call as it mounts, before the provider's client started.
    auth.login.run(AuthCall { interaction: Some(Interaction::Silent), request: None });
    let ctx = use_msal();
    let text = move || match (auth.result.get(), auth.error.get()) {
        (Some(r), _) => format!("{:?} {} from_cache={}", ctx.in_progress.get(), r.account.account.username, r.from_cache),
        (None, Some(e)) => format!("{:?} error {}", ctx.in_progress.get(), e.code()),
        (None, None) => format!("{:?} none", ctx.in_progress.get()),
    };
    view! { <p id="leptos-early">{text}</p> }
}

// A hook's login before the provider's client started is reported (msal's "initialize first"),
// not dropped; as with any hook error in msal-react, no run of the hook's own follows; a call
// kept from then reaches the client once it started.
#[test]
async fn a_hooks_call_before_the_client_started_is_reported_and_a_kept_call_reaches_it_later() {
    AUTH.with(|a| *a.borrow_mut() = None);
    let app = BrowserApp::new(support::config()).await.unwrap();
    support::sign_in(&app, "emil").await;
    let root = mount_root();
    let given = app.clone();
    let handle =
        leptos::mount::mount_to(root.clone(), move || view! { <MsalProvider instance=given.clone()><EarlyProbe /></MsalProvider> });
    support::wait_for("the provider to start", || support::text_of("leptos-early").starts_with("None")).await;
    support::sleep_ms(300).await;
    assert_eq!(
        support::text_of("leptos-early"),
        "None error uninitialized_public_client_application",
        "reported; no run of its own followed"
    );
    let auth = AUTH.with(|a| *a.borrow()).unwrap();
    auth.acquire_token.run(AuthCall::default());
    support::wait_for("the kept call", || support::text_of("leptos-early").contains("emil")).await;
    assert_eq!(support::text_of("leptos-early"), "None emil from_cache=true");
    drop(handle);
    root.remove();
}

// msal's logoutRedirect: LOGOUT_START before the cache is cleared. The status says Logout before
// the listeners hear that the accounts went (so a template shows its loading view and no hook
// signs in again meanwhile), and None again when the sign-out fails after that (here the
// request's authority is not trusted: msal signs out here first, then resolves it).
#[test]
async fn a_redirect_sign_out_says_logout_before_the_accounts_go_and_none_when_it_fails() {
    // (A redirect needs a cache in sessionStorage.)
    let app = BrowserApp::new(support::redirect_config()).await.unwrap();
    support::sign_in(&app, "olaf").await;
    let seen: std::rc::Rc<RefCell<Vec<String>>> = std::rc::Rc::default();
    let (log, listened) = (seen.clone(), app.clone());
    let id = app.subscribe(move |event| {
        let app = &listened;
        log.borrow_mut().push(format!("{event:?} status={:?} accounts={}", app.interaction_status(), app.accounts().len()));
    });
    let req = msal_wasm::client::LogoutRequest { authority: Some("https://evil.example/tenant".into()), ..Default::default() };
    let e = app.logout_redirect(&req).await.unwrap_err();
    assert_eq!(e.code(), "untrusted_authority");
    assert_eq!(
        *seen.borrow(),
        ["Status(Logout) status=Logout accounts=0", "AccountsChanged status=Logout accounts=0", "Status(None) status=None accounts=0"]
    );
    assert!(app.accounts().is_empty(), "signed out here first, as msal");
    app.unsubscribe(id);
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
}

thread_local! {
    static SECRET: RefCell<String> = const { RefCell::new(String::new()) };
}

#[component]
fn Renewing() -> impl IntoView {
    let t = use_access_token(vec!["User.Read".into()], Fallback::None);
    let ctx = use_msal();
    Effect::new(move |_| {
        if let Some(app) = ctx.app() {
            APP.with(|a| *a.borrow_mut() = Some(app));
        }
        t.with(|t| {
            let text = match (&t.result, &t.error) {
                (Some(r), _) => r.access_token.secret().to_owned(),
                (None, Some(e)) => ["error ", e.code()].concat(),
                (None, None) => String::new(),
            };
            SECRET.with(|s| *s.borrow_mut() = text);
        })
    });
    view! { <UnauthenticatedTemplate><p id="leptos-renew-out">"signed out"</p></UnauthenticatedTemplate> }
}

#[test]
async fn the_token_hook_asks_again_when_its_token_is_due_and_hears_a_local_sign_out() {
    let root = mount_root();
    // Tokens of 20 s, shorter than the renewal offset (300 s): always due, asked for again at
    // the floor of the wait (10 s), never in a tight loop.
    support::configure_idp(msal_wasm::core::json::Json::object().with("accessTokenTtl", 20u64)).await;
    let handle = leptos::mount::mount_to(root.clone(), || view! { <MsalProvider config=support::config()><Renewing /></MsalProvider> });
    support::wait_for("the provider", || APP.with(|a| a.borrow().is_some())).await;
    let app = APP.with(|a| a.borrow().clone()).unwrap();
    support::sign_in(&app, "rena").await;
    support::wait_for("the first token", || SECRET.with(|s| !s.borrow().is_empty())).await;
    let first = SECRET.with(|s| s.borrow().clone());
    assert!(!first.starts_with("error"), "{first}");
    // The hook asks again once the token is due (at least 10 s on), and gets a renewed one; the
    // first result stays meanwhile.
    let mut seen = Vec::new();
    for _ in 0..56 {
        let now = SECRET.with(|s| s.borrow().clone());
        if seen.last() != Some(&now) {
            seen.push(now);
        }
        support::sleep_ms(250).await;
    }
    support::configure_idp(msal_wasm::core::json::Json::object().with("accessTokenTtl", 3600u64)).await;
    assert!(seen.len() == 2, "one renewal 10 s on, never a blank result: {} results", seen.len());
    assert_eq!(seen[0], first);
    assert!(seen.iter().all(|s| !s.is_empty() && !s.starts_with("error")));
    // A local sign-out through the Rust API reaches the templates.
    app.clear_cache(None).await.unwrap();
    support::wait_for("the signed-out template", || support::text_of("leptos-renew-out") == "signed out").await;
    drop(handle);
    root.remove();
}

thread_local! {
    static SEEN: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
    static SCOPES: RefCell<Option<RwSignal<Vec<String>>>> = const { RefCell::new(None) };
}

/// A token hook whose scopes are a signal; each state it shows is recorded (token, error code).
#[component]
fn Retrying() -> impl IntoView {
    let scopes = RwSignal::new(vec!["User.Read".to_owned()]);
    SCOPES.with(|s| *s.borrow_mut() = Some(scopes));
    let t = use_access_token(scopes, Fallback::None);
    let ctx = use_msal();
    Effect::new(move |_| {
        if let Some(app) = ctx.app() {
            APP.with(|a| *a.borrow_mut() = Some(app));
        }
        t.with(|t| {
            let token = t.result.as_ref().map(|r| r.scopes.join(" ")).unwrap_or_default();
            let error = t.error.as_ref().map(|e| e.code().to_owned()).unwrap_or_default();
            SEEN.with(|s| s.borrow_mut().push((token, error)));
        })
    });
    view! { <p>"retrying"</p> }
}

#[test]
async fn the_token_hook_keeps_a_good_token_through_a_failed_renewal_asks_again_and_follows_its_scopes() {
    let root = mount_root();
    SEEN.with(|s| s.borrow_mut().clear());
    APP.with(|a| *a.borrow_mut() = None);
    support::configure_idp(msal_wasm::core::json::Json::object().with("accessTokenTtl", 20u64)).await;
    let handle = leptos::mount::mount_to(root.clone(), || view! { <MsalProvider config=support::config()><Retrying /></MsalProvider> });
    support::wait_for("the provider", || APP.with(|a| a.borrow().is_some())).await;
    let app = APP.with(|a| a.borrow().clone()).unwrap();
    support::sign_in(&app, "remy").await;
    support::wait_for("the first token", || SEEN.with(|s| s.borrow().iter().any(|(t, _)| t.contains("User.Read")))).await;
    // The renewal 10 s on fails (not an error that needs the user): the token, still good,
    // stays beside the error, and the hook asks again 10 s later.
    let refusal =
        msal_wasm::core::json::Json::parse(r#"{"status":400,"body":{"error":"temporarily_unavailable","error_description":"try later"}}"#)
            .unwrap();
    support::fail_next(refusal).await;
    support::wait_up_to(20_000, "the failed renewal", || SEEN.with(|s| s.borrow().iter().any(|(_, e)| e == "temporarily_unavailable")))
        .await;
    let at_failure = SEEN.with(|s| s.borrow().iter().find(|(_, e)| e == "temporarily_unavailable").cloned());
    let at_failure = at_failure.expect("the renewal 10 s on did not fail");
    assert!(at_failure.0.contains("User.Read"), "the good token was dropped at the failure: {at_failure:?}");
    support::wait_up_to(15_000, "the retry", || SEEN.with(|s| s.borrow().last().is_some_and(|(t, e)| !t.is_empty() && e.is_empty()))).await;
    let after = SEEN.with(|s| s.borrow().last().cloned()).unwrap();
    assert!(after.1.is_empty() && after.0.contains("User.Read"), "no token after the retry: {after:?}");
    // A refusal (the registration no longer allows the client) is the hook's last word: no
    // token beside it, and no request again every 10 s.
    let refusal =
        msal_wasm::core::json::Json::parse(r#"{"status":400,"body":{"error":"invalid_client","error_description":"AADSTS7000112"}}"#)
            .unwrap();
    support::fail_next(refusal).await;
    support::wait_up_to(20_000, "the refusal", || SEEN.with(|s| s.borrow().iter().any(|(_, e)| e == "invalid_client"))).await;
    assert_eq!(SEEN.with(|s| s.borrow().last().cloned()).unwrap(), (String::new(), "invalid_client".to_owned()));
    let asked = support::token_requests().await;
    support::sleep_ms(12_000).await;
    assert_eq!(support::token_requests().await, asked, "a refusal was asked for again");
    support::configure_idp(msal_wasm::core::json::Json::object().with("accessTokenTtl", 3600u64)).await;
    // The app gets a token itself in the same session (its popup met what the provider asked
    // for; here a refresh): the hook asks again and shows its own.
    let account = Some(app.account().unwrap().to_ref());
    let forced = msal_wasm::client::SilentRequest { scopes: vec!["openid".into()], account, force_refresh: true, ..Default::default() };
    app.acquire_token_silent(&forced).await.unwrap();
    support::wait_for("the token after the app's own", || {
        SEEN.with(|s| s.borrow().last().is_some_and(|(t, e)| !t.is_empty() && e.is_empty()))
    })
    .await;
    // New scopes from the signal: a token for them.
    SCOPES.with(|s| s.borrow().unwrap()).set(vec!["api.read".to_owned()]);
    support::wait_for("the new scopes' token", || SEEN.with(|s| s.borrow().last().is_some_and(|(t, _)| t.contains("api.read")))).await;
    drop(handle);
    root.remove();
    // (Nothing of this client for the next test.)
    APP.with(|a| *a.borrow_mut() = None);
    drop(app);
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
}

#[test]
async fn the_token_hook_reports_a_provider_that_could_not_start() {
    let root = mount_root();
    SECRET.with(|s| s.borrow_mut().clear());
    let config = msal_wasm::client::Config::new("msal-wasm-test-client").with_authority("not a url");
    let handle = leptos::mount::mount_to(root.clone(), move || view! { <MsalProvider config=config.clone()><Renewing /></MsalProvider> });
    support::wait_for("the start-up error", || SECRET.with(|s| *s.borrow() == "error url_parse_error")).await;
    drop(handle);
    root.remove();
}

thread_local! {
    /// Runs of the effects of [`Reruns`]: on `use_is_authenticated`, `use_account`, `ctx.app()`.
    static RUNS: RefCell<[u32; 3]> = const { RefCell::new([0; 3]) };
}

#[component]
fn Reruns() -> impl IntoView {
    let ctx = use_msal();
    let (signed_in, account) = (use_is_authenticated(), use_account());
    let count = |i: usize| RUNS.with(|r| r.borrow_mut()[i] += 1);
    // (Read, as an app's effect reads them: a memo nobody reads is never computed.)
    Effect::new(move |_| {
        let _ = signed_in.get();
        count(0);
    });
    Effect::new(move |_| {
        let _ = account.get();
        count(1);
    });
    Effect::new(move |_| {
        if let Some(app) = ctx.app() {
            APP.with(|a| *a.borrow_mut() = Some(app));
        }
        count(2);
    });
    view! { <p id="leptos-reruns">{move || signed_in.get().to_string()}</p> }
}

#[test]
async fn the_hooks_signals_change_when_the_accounts_do_not_at_each_renewal_or_status() {
    // msal-react tells its children of accounts that changed (by their ids), not of each
    // token: an effect that reads the account and renews with forceRefresh would loop.
    APP.with(|a| *a.borrow_mut() = None);
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), || view! { <MsalProvider config=support::config()><Reruns /></MsalProvider> });
    support::wait_for("the provider's client", || APP.with(|a| a.borrow().is_some())).await;
    let app = APP.with(|a| a.borrow().clone()).unwrap();
    support::sign_in(&app, "rhea").await;
    support::wait_for("signed in", || support::text_of("leptos-reruns") == "true").await;
    support::sleep_ms(300).await;
    let before = RUNS.with(|r| *r.borrow());
    // A renewal from the network (a new ID token): nothing to tell.
    let account = Some(app.accounts()[0].to_ref());
    let request = msal_wasm::client::SilentRequest { scopes: vec!["User.Read".into()], account, force_refresh: true, ..Default::default() };
    app.acquire_token_silent(&request).await.expect("a forced renewal");
    support::sleep_ms(300).await;
    assert_eq!(RUNS.with(|r| *r.borrow()), before, "runs of the effects on use_is_authenticated, use_account, ctx.app()");
    // A popup (two status changes): its new ID token is the account's news (msal-react's
    // useAccount compares iat and nonce once the interaction ends), nothing else is.
    support::set_auto_login(Some("rhea")).await;
    app.acquire_token_popup(&popup_request(Some(msal_wasm::core::authorize::Prompt::Login))).await.expect("a popup");
    support::set_auto_login(None).await;
    support::wait_for("the status back to None", || app.interaction_status() == InteractionStatus::None).await;
    support::sleep_ms(300).await;
    // (The forced renewal's ID token is seen at the popup's first status change, as msal-react
    // looks again at each: a second run when its `iat` is another second than the sign-in's.)
    let after = RUNS.with(|r| *r.borrow());
    assert_eq!([after[0], after[2]], [before[0], before[2]], "after the popup: use_is_authenticated and ctx.app()");
    assert!((1..=2).contains(&(after[1] - before[1])), "after the popup: use_account's effect ran {} times", after[1] - before[1]);
    drop(handle);
    root.remove();
}

#[test]
async fn a_template_without_an_error_view_says_its_error() {
    // msal-react throws it (so it reaches the console at least): not a blank area.
    let root = mount_root();
    let handle = leptos::mount::mount_to(root.clone(), || {
        // ssoSilent for a user the provider has no session of fails at once; no error view given.
        let request = InteractiveRequest { scopes: vec!["User.Read".into()], login_hint: "nobody-signed-in".into(), ..Default::default() };
        view! {
            <MsalProvider config=support::config()>
                <div id="leptos-unviewed"><MsalAuthenticationTemplate interaction=Interaction::Silent request=request><p>"signed in"</p></MsalAuthenticationTemplate></div>
            </MsalProvider>
        }
    });
    support::wait_for("the default error view", || support::text_of("leptos-unviewed").starts_with("Sign-in failed: ")).await;
    drop(handle);
    root.remove();
}

/// Polls `fut` for `ms` milliseconds, then drops it (an app's own timeout): its output if it
/// ended first.
async fn give_up_after<F: std::future::Future>(ms: u32, fut: F) -> Option<F::Output> {
    use std::future::Future as _;
    let mut fut = Box::pin(fut);
    let mut timer = Box::pin(support::sleep_ms(ms));
    std::future::poll_fn(|cx| match fut.as_mut().poll(cx) {
        std::task::Poll::Ready(v) => std::task::Poll::Ready(Some(v)),
        std::task::Poll::Pending => timer.as_mut().poll(cx).map(|_| None),
    })
    .await
}

// The README's promise for an interaction whose future the app drops, for the redirect's
// redemption too: the status is None again, the lock free, and the next sign-in may start.
#[test]
async fn a_redirect_redemption_the_app_gives_up_on_ends_there() {
    support::returned_from_redirect("code=a-code-the-provider-never-answers-for", None).await;
    support::configure_idp(
        msal_wasm::core::json::Json::object().with("stall", msal_wasm::core::json::Json::str_array(&["token".to_owned()])),
    )
    .await;
    let app = BrowserApp::new(support::redirect_config()).await.unwrap();
    let given_up = give_up_after(1500, app.handle_redirect()).await;
    support::configure_idp(msal_wasm::core::json::Json::object().with("stall", msal_wasm::core::json::Json::str_array::<String>(&[])))
        .await;
    assert!(given_up.is_none(), "the redemption stalled");
    assert_eq!(app.interaction_status(), InteractionStatus::None);
    assert!(!app.client().interaction_in_progress(), "the sign-in's lock is free");
    assert!(matches!(app.handle_redirect().await, Ok(None)), "nothing left to redeem");
    drop(app);
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
}

// msal-react's useAccount: account identifiers that are all blank (a filter bound to an input
// still empty) are none, so the active account is the hook's.
#[test]
async fn a_blank_account_filter_is_no_filter_the_active_account_is_taken() {
    let app = BrowserApp::new(support::config()).await.unwrap();
    support::sign_in(&app, "bea").await;
    support::sign_in(&app, "bob").await;
    let bob = app.accounts().into_iter().find(|a| a.account.username == "bob").unwrap().to_ref();
    app.set_active_account(Some(&bob)).unwrap();
    assert_eq!(app.accounts()[0].account.username, "bea", "the active account is not the first");
    let (root, given) = (mount_root(), app.clone());
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let filter = AccountFilter { username: Some(String::new()), ..AccountFilter::default() };
        view! { <MsalProvider instance=given.clone()><FilterProbe filter=filter /></MsalProvider> }
    });
    support::wait_for("the blank filter's account", || !support::text_of("leptos-filter").is_empty()).await;
    assert_eq!(support::text_of("leptos-filter"), "bob");
    drop(handle);
    root.remove();
}
