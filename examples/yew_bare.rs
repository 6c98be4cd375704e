//! The Yew example app without msal-wasm: the same components and the same reads of the page's
//! address, with local state where `yew_app` signs in. It is the baseline of
//! `bench/frameworks.sh`, which reports what msal-wasm adds to a Yew app.

#[cfg(target_arch = "wasm32")]
mod app {
    use yew::prelude::*;

    fn authority() -> String {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        search.split('&').find_map(|p| p.trim_start_matches('?').strip_prefix("idp=")).unwrap_or_default().to_owned()
    }

    #[derive(Properties, PartialEq)]
    struct SignInProps {
        signed_in: UseStateHandle<bool>,
    }

    #[function_component(SignIn)]
    fn sign_in(props: &SignInProps) -> Html {
        let signed_in = props.signed_in.clone();
        let onclick = Callback::from(move |_| signed_in.set(true));
        html! { <button id="login" {onclick}>{ "Sign in" }</button> }
    }

    #[function_component(Profile)]
    fn profile() -> Html {
        let name = use_state(authority);
        let expires = use_state(|| 0u64);
        html! { <p id="profile">{ format!("{} (token expires {})", *name, *expires) }</p> }
    }

    #[function_component(App)]
    pub fn app() -> Html {
        let signed_in = use_state(|| false);
        if *signed_in {
            html! { <Profile /> }
        } else {
            html! { <SignIn {signed_in} /> }
        }
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
}
