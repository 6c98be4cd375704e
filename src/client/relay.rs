//! msal 5's popup relay (`auth.popupRelayUri`). An app inside another site's frame cannot hear
//! the redirect bridge: the browser partitions the frame's `BroadcastChannel` by the top-level
//! site, and the provider's Cross-Origin-Opener-Policy cuts the popup off. So the popup opens a
//! page of the app's own origin first (it calls `runPopupRelay()` from `msal-wasm/popup-relay`);
//! that page opens the provider's window, hears the bridge there (same partition) and posts the
//! response back to this frame. The PKCE verifier never leaves this frame.
//!
//! Protocol 1 (msal's default, deprecated by msal) puts the request in the relay page's address;
//! protocol 2 puts only its id there and hands the request over by `postMessage` once the relay
//! page asks for it with a nonce of its own.

use super::PublicClientApplication;
use crate::core::{json, text, url};
use crate::error::{codes, AuthError};
use crate::platform::{Platform, Relay};
use crate::prelude::*;

/// A popup request sent through the relay page.
pub(super) struct Relayed {
    /// The relay page's address: the request's id, and with protocol 1 the request itself.
    pub url: String,
    version: u8,
    /// `{"id", "method": "GET", "url"}`, or a POST's `{"id", "method": "POST", "action",
    /// "fields"}`: what the relay page sends the provider's window to.
    request: String,
}

impl Relayed {
    /// What the popup's wait needs.
    pub fn relay(&self) -> Relay<'_> {
        Relay { version: self.version, request: &self.request }
    }
}

impl<P: Platform> PublicClientApplication<P> {
    /// With a relay page configured, the relay for the popup request whose state id is `id`:
    /// the provider's page `url` (with `form`, a POST's URL-encoded fields). Fails as msal with
    /// `popup_relay_unsupported_flow` when the relay page is not on the app's origin or the
    /// protocol is neither 1 nor 2.
    pub(super) fn relayed(&self, id: &str, url: &str, form: Option<&str>, correlation_id: &str) -> Result<Option<Relayed>, AuthError> {
        let Some(relay) = &self.config.popup_relay else { return Ok(None) };
        let refused = |sub: &'static str, message: &'static str| {
            AuthError::browser(codes::POPUP_RELAY_UNSUPPORTED_FLOW, message)
                .with_sub_error(sub)
                .with_correlation_id(correlation_id.to_owned())
        };
        if !matches!(relay.version, 1 | 2) {
            return Err(refused("popup_relay_invalid_protocol", "auth.popupRelayProtocolVersion must be 1 or 2"));
        }
        let page = self.platform.page_url();
        let at = on_origin(&relay.uri, &page)
            .ok_or_else(|| refused("popup_relay_cross_origin", "auth.popupRelayUri must be a page of the app's own origin"))?;
        let mut request = String::from("{\"id\":");
        json::write_str(&mut request, id);
        match form {
            None => {
                request.push_str(",\"method\":\"GET\",\"url\":");
                json::write_str(&mut request, url);
            }
            Some(fields) => {
                request.push_str(",\"method\":\"POST\",\"action\":");
                json::write_str(&mut request, url);
                request.push_str(",\"fields\":{");
                for (i, (k, v)) in url::parse_query(fields).iter().enumerate() {
                    if i > 0 {
                        request.push(',');
                    }
                    json::write_str(&mut request, k);
                    request.push(':');
                    json::write_str(&mut request, v);
                }
                request.push('}');
            }
        }
        request.push('}');
        let carried = if relay.version == 1 { ["req=", &url::encode(&request)].concat() } else { ["id=", &url::encode(id)].concat() };
        Ok(Some(Relayed { url: [text::until(&at, b"#"), "#", &carried].concat(), version: relay.version, request }))
    }
}

/// `uri` made absolute on `page`'s origin as `new URL(uri, origin)` makes it, when it is an
/// http(s) address on that origin.
fn on_origin(uri: &str, page: &str) -> Option<String> {
    let origin = url::origin_of(page)?;
    let scheme = text::until(uri, b":/?#");
    let has_scheme = !scheme.is_empty() && uri.as_bytes().get(scheme.len()) == Some(&b':');
    let at = if has_scheme {
        uri.to_owned()
    } else if uri.starts_with("//") || uri.starts_with("/\\") || uri.starts_with('\\') {
        // Another host (`//evil.example/relay`), as the URL parser reads it.
        return None;
    } else {
        [origin.as_str(), if uri.starts_with('/') { "" } else { "/" }, uri].concat()
    };
    (url::origin_of(&at)? == origin).then_some(at)
}

/// A relayed popup's wait that ran out is msal's `timed_out` with `popup_relay_timeout`.
pub(super) fn relay_timeout(e: AuthError, relayed: bool) -> AuthError {
    if relayed && e.code() == codes::TIMED_OUT {
        e.with_sub_error("popup_relay_timeout")
    } else {
        e
    }
}
