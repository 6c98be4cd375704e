//! A Leptos app signing in with msal-wasm. Build:
//! `cargo build --example leptos_app --target wasm32-unknown-unknown --features leptos`, then
//! run wasm-bindgen on the output and open it with `?idp=<authority>`.

#[cfg(target_arch = "wasm32")]
mod app {
    use leptos::prelude::*;
    use msal_wasm::client::{Config, InteractiveRequest};
    use msal_wasm::frameworks::leptos::*;
    use msal_wasm::frameworks::Fallback;

    fn authority() -> String {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        msal_wasm::core::url::parse_query(&search).into_iter().find(|(k, _)| k == "idp").map(|(_, v)| v).unwrap_or_default()
    }

    #[component]
    fn SignIn() -> impl IntoView {
        let ctx = use_msal();
        let login = move |_| {
            if let Some(app) = ctx.app() {
                // The popup opens here, inside the click.
                let done = app.login_popup(&InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() });
                leptos::task::spawn_local(async move {
                    let _ = done.await;
                });
            }
        };
        view! { <button id="login" on:click=login>"Sign in"</button> }
    }

    #[component]
    fn Profile() -> impl IntoView {
        let account = use_account();
        let token = use_access_token(vec!["User.Read".into()], Fallback::None);
        let text = move || {
            let name = account.get().map(|a| a.account.name).unwrap_or_default();
            let expires = token.with(|t| t.result.as_ref().map(|r| r.expires_on_ms.to_string())).unwrap_or_default();
            format!("{name} (token expires {expires})")
        };
        view! { <p id="profile">{text}</p> }
    }

    #[component]
    pub fn App() -> impl IntoView {
        let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        let config = Config::new("msal-wasm-test-client").with_authority(authority()).with_redirect_uri(origin + "/");
        view! {
            <MsalProvider config=config>
                <AuthenticatedTemplate><Profile /></AuthenticatedTemplate>
                <UnauthenticatedTemplate><SignIn /></UnauthenticatedTemplate>
            </MsalProvider>
        }
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    leptos::mount::mount_to_body(app::App);
}
