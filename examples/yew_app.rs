//! A Yew app signing in with msal-wasm. Build:
//! `cargo build --example yew_app --target wasm32-unknown-unknown --features yew`, then run
//! wasm-bindgen on the output and open it with `?idp=<authority>`.

#[cfg(target_arch = "wasm32")]
mod app {
    use msal_wasm::client::{Config, InteractiveRequest};
    use msal_wasm::frameworks::yew::*;
    use msal_wasm::frameworks::Fallback;
    use yew::prelude::*;

    fn authority() -> String {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        msal_wasm::core::url::parse_query(&search).into_iter().find(|(k, _)| k == "idp").map(|(_, v)| v).unwrap_or_default()
    }

    #[function_component(SignIn)]
    fn sign_in() -> Html {
        let ctx = use_msal();
        let onclick = Callback::from(move |_| {
            if let Some(app) = &ctx.app {
                // The popup opens here, inside the click.
                let done = app.login_popup(&InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() });
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = done.await;
                });
            }
        });
        html! { <button id="login" {onclick}>{ "Sign in" }</button> }
    }

    #[function_component(Profile)]
    fn profile() -> Html {
        let account = use_account();
        let token = use_access_token(vec!["User.Read".into()], Fallback::None);
        let name = account.map(|a| a.account.name).unwrap_or_default();
        let expires = token.result.map(|r| r.expires_on_ms.to_string()).unwrap_or_default();
        html! { <p id="profile">{ format!("{name} (token expires {expires})") }</p> }
    }

    #[function_component(App)]
    pub fn app() -> Html {
        let config = Config::new("msal-wasm-test-client")
            .with_authority(authority())
            .with_redirect_uri(web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default() + "/");
        html! {
            <MsalProvider {config}>
                <AuthenticatedTemplate><Profile /></AuthenticatedTemplate>
                <UnauthenticatedTemplate><SignIn /></UnauthenticatedTemplate>
            </MsalProvider>
        }
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
}
