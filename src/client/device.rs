//! The device code flow (RFC 8628; msal-node's `acquireTokenByDeviceCode`), for devices and
//! CLIs without a browser: the user signs in elsewhere with a code while the client polls.

use crate::prelude::*;

use super::*;
pub use crate::core::token::DeviceCodeInfo;
use crate::core::token::{device_authorization_request, device_poll, DevicePoll};

/// A device code request.
#[derive(Debug, Clone, Default)]
pub struct DeviceCodeRequest {
    /// Scopes (the OIDC scopes are added).
    pub scopes: Vec<String>,
    /// Correlation id (generated when empty).
    pub correlation_id: String,
    /// Stop polling after this many seconds even if the code is still valid (0: until it
    /// expires, as msal).
    pub timeout_secs: u64,
    /// Bearer (default) or DPoP: the tokens bound to the platform's key.
    pub authentication_scheme: AuthScheme,
    /// A claims challenge to meet (JSON), merged with the app's client capabilities.
    pub claims: String,
    /// Another authority than the configured one (a tenant to sign in to).
    pub authority: Option<String>,
    /// Parameters added to the device authorization and token endpoints' URLs.
    pub extra_query_parameters: Vec<(String, String)>,
}

impl<P: Platform> PublicClientApplication<P> {
    /// msal-node's `acquireTokenByDeviceCode`: asks for a device code, hands it to `on_code`
    /// (show its `message` to the user), then polls the token endpoint at the interval the
    /// server asks for until the user signs in (`cancelled()` is looked at before each poll).
    /// Unlike msal-node, which polls at once and fails on `slow_down`, it waits the interval
    /// first and honours `slow_down` (5 s more), as RFC 8628 asks. Ends with msal-node's
    /// `device_code_polling_cancelled`, `user_timeout_reached` (the request's `timeout_secs`),
    /// `device_code_expired`, or the server's error (Entra's `authorization_declined`, RFC 8628's
    /// `access_denied`, `expired_token`).
    pub async fn acquire_token_by_device_code(
        &self,
        req: &DeviceCodeRequest,
        on_code: impl FnOnce(&DeviceCodeInfo),
        cancelled: impl Fn() -> bool,
    ) -> Result<AuthenticationResult, AuthError> {
        let target = self.target(req.authority.as_deref()).await?;
        let correlation_id = if req.correlation_id.is_empty() { self.guid()? } else { req.correlation_id.clone() };
        // As msal-node, a claims parameter only for a challenge or the app's capabilities.
        let claims = if req.claims.is_empty() && self.config.client_capabilities.is_empty() {
            String::new()
        } else {
            authorize::merge_claims(&req.claims, &self.config.client_capabilities)
                .map_err(|e| e.with_correlation_id(correlation_id.clone()))?
        };
        // Entra's discovery documents have no such field: its endpoint sits beside the token endpoint.
        let endpoint =
            match (&target.metadata.device_authorization_endpoint, target.metadata.token_endpoint.strip_suffix("/oauth2/v2.0/token")) {
                (Some(e), _) => e.clone(),
                (None, Some(base)) => [base, "/oauth2/v2.0/devicecode"].concat(),
                (None, None) => {
                    return Err(AuthError::client(codes::ENDPOINTS_RESOLUTION_ERROR, "the authority has no device authorization endpoint")
                        .with_correlation_id(correlation_id))
                }
            };
        let scopes = self.wire_scopes(&req.scopes);
        let mut http =
            device_authorization_request(&endpoint, &self.config.client_id, &scopes, &claims, &req.extra_query_parameters, &correlation_id);
        crate::core::token::add_extra_query(&mut http, &req.extra_query_parameters);
        let resp =
            self.platform.send(http, self.config.network_timeout_ms).await.map_err(|e| e.with_correlation_id(correlation_id.clone()))?;
        let info = DeviceCodeInfo::parse(&resp).map_err(|e| e.with_correlation_id(correlation_id.clone()))?;
        let binding = self.bind(&req.authentication_scheme, None).await?;
        // The code's lifetime runs from the server's answer, however long the callback takes.
        let started = self.now_s();
        on_code(&info);
        let expires = started.saturating_add(info.expires_in);
        let deadline = if req.timeout_secs > 0 { started.saturating_add(req.timeout_secs).min(expires) } else { expires };
        let mut interval = info.interval;
        let polled = async {
            loop {
                // msal-node's codes: cancelled by the app, past the app's timeout, past the code's life.
                let stop = |code, message| AuthError::client(code, message).with_correlation_id(correlation_id.clone());
                if cancelled() {
                    return Err(stop(codes::DEVICE_CODE_POLLING_CANCELLED, Kept("the device code sign-in was cancelled")));
                }
                let now = self.now_s();
                if now >= deadline {
                    return Err(if deadline < expires {
                        stop(codes::USER_TIMEOUT_REACHED, Kept("the user did not sign in within the request's timeout"))
                    } else {
                        stop(codes::DEVICE_CODE_EXPIRED, Kept("the device code expired before the user signed in"))
                    });
                }
                // Never poll after the deadline: sleep to it at most, then look again.
                let wait = interval.min(deadline - now);
                self.platform.sleep(wait.saturating_mul(1000)).await;
                if cancelled() || self.now_s() >= deadline {
                    continue;
                }
                let sent_at = self.now_s();
                let mut http = self
                    .token_request(
                        &target,
                        &scopes,
                        &correlation_id,
                        Grant::DeviceCode { device_code: &info.device_code },
                        &claims,
                        "",
                        &[],
                    )
                    .await?;
                crate::core::token::add_extra_query(&mut http, &req.extra_query_parameters);
                let sent = self.send_token(http, binding.as_ref()).await;
                let resp = sent.map_err(|e| e.with_correlation_id(correlation_id.clone()))?;
                match device_poll(&resp, sent_at).map_err(|e| e.with_correlation_id(correlation_id.clone()))? {
                    DevicePoll::Pending => {}
                    DevicePoll::SlowDown => interval = interval.saturating_add(5),
                    DevicePoll::Token(token) => {
                        dpop::check_response(&token, binding.as_ref())?;
                        let key_id = binding.as_ref().map_or("", |b| b.kid.as_str());
                        let options = TokenOptions::default();
                        let r =
                            self.save_response(&target, *token, &Saving { key_id, ..Saving::new(&scopes, &correlation_id, &options) })?;
                        return self.with_proof(r, binding.as_ref()).await;
                    }
                }
            }
        }
        .await;
        if polled.is_err() {
            self.unbind(binding.as_ref()).await;
        }
        polled
    }
}
