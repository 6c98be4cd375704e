//! The Leptos example app without msal-wasm: the same components and the same reads of the
//! page's address, with a local signal where `leptos_app` signs in. It is the baseline of
//! `bench/frameworks.sh`, which reports what msal-wasm adds to a Leptos app.

#[cfg(target_arch = "wasm32")]
mod app {
    use leptos::prelude::*;

    fn authority() -> String {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        search.split('&').find_map(|p| p.trim_start_matches('?').strip_prefix("idp=")).unwrap_or_default().to_owned()
    }

    #[component]
    fn SignIn(signed_in: RwSignal<bool>) -> impl IntoView {
        view! { <button id="login" on:click=move |_| signed_in.set(true)>"Sign in"</button> }
    }

    #[component]
    fn Profile() -> impl IntoView {
        let name = RwSignal::new(authority());
        let expires = RwSignal::new(0u64);
        let text = move || format!("{} (token expires {})", name.get(), expires.get());
        view! { <p id="profile">{text}</p> }
    }

    #[component]
    pub fn App() -> impl IntoView {
        let signed_in = RwSignal::new(false);
        view! {
            <Show when=move || signed_in.get() fallback=move || view! { <SignIn signed_in /> }>
                <Profile />
            </Show>
        }
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    leptos::mount::mount_to_body(app::App);
}
