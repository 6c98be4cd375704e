//! The device code flow (RFC 8628; msal-node's `acquireTokenByDeviceCode`), for devices and
//! CLIs without a browser: the user signs in elsewhere with a code while the client polls.

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
}

impl<P: Platform> PublicClientApplication<P> {
    /// msal-node's `acquireTokenByDeviceCode`: asks for a device code, hands it to `on_code`
    /// (show its `message` to the user), then polls the token endpoint at the interval the
    /// server asks for (5 s more after each `slow_down`) until the user signs in, the code
    /// expires, or `cancelled()` turns true — then `user_cancelled`.
    pub async fn acquire_token_by_device_code(
        &self,
        req: &DeviceCodeRequest,
        on_code: impl FnOnce(&DeviceCodeInfo),
        cancelled: impl Fn() -> bool,
    ) -> Result<AuthenticationResult, AuthError> {
        let target = self.configured_target()?;
        let correlation_id = if req.correlation_id.is_empty() { self.guid()? } else { req.correlation_id.clone() };
        let endpoint = target.metadata.device_authorization_endpoint.clone().unwrap_or_else(|| {
            // Entra's discovery documents have no such field: its endpoint sits beside the token endpoint.
            target.metadata.token_endpoint.replace("/oauth2/v2.0/token", "/oauth2/v2.0/devicecode")
        });
        let scopes = self.wire_scopes(&req.scopes);
        let resp = self
            .platform
            .send(device_authorization_request(&endpoint, &self.config.client_id, &scopes, &correlation_id), self.config.network_timeout_ms)
            .await
            .map_err(|e| e.with_correlation_id(correlation_id.clone()))?;
        let info = DeviceCodeInfo::parse(&resp).map_err(|e| e.with_correlation_id(correlation_id.clone()))?;
        on_code(&info);
        let started = self.now_s();
        let lifetime = if req.timeout_secs > 0 { req.timeout_secs.min(info.expires_in) } else { info.expires_in };
        let mut interval = info.interval;
        loop {
            if cancelled() {
                return Err(AuthError::new(ErrorKind::UserCancelled, codes::USER_CANCELLED, "the device code sign-in was cancelled")
                    .with_correlation_id(correlation_id));
            }
            if self.now_s() >= started.saturating_add(lifetime) {
                return Err(AuthError::new(
                    ErrorKind::InteractionRequired,
                    "expired_token",
                    "the device code expired before the user signed in",
                )
                .with_correlation_id(correlation_id));
            }
            self.platform.sleep(interval.saturating_mul(1000)).await;
            let sent_at = self.now_s();
            let http = TokenRequest {
                endpoint: &target.metadata.token_endpoint,
                client_id: &self.config.client_id,
                scopes: &scopes,
                correlation_id: &correlation_id,
                grant: Grant::DeviceCode { device_code: &info.device_code },
                credential: &ClientCredential::None,
                client_info: self.client_info(),
                claims: "",
                anchor: "",
                extra_body: &[],
            }
            .build();
            let resp = self
                .platform
                .send(http, self.config.network_timeout_ms)
                .await
                .map_err(|e| e.with_correlation_id(correlation_id.clone()))?;
            match device_poll(&resp, sent_at).map_err(|e| e.with_correlation_id(correlation_id.clone()))? {
                DevicePoll::Pending => {}
                DevicePoll::SlowDown => interval = interval.saturating_add(5),
                DevicePoll::Token(token) => {
                    return self.save_response(&target, *token, &scopes, None, "", &correlation_id, "", None);
                }
            }
        }
    }
}
