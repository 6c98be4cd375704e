//! Signing out.

use super::*;

impl<P: Platform> PublicClientApplication<P> {
    /// Removes the account's tokens and returns the end-session URL to navigate to (`None`
    /// when the provider has no end-session endpoint).
    pub fn logout(&self, home_account_id: Option<&str>, post_logout_redirect_uri: &str, state: &str) -> Result<Option<String>, AuthError> {
        let metadata = self.metadata()?;
        let info = match home_account_id {
            Some(h) => self.account(h),
            None => self.active_account(),
        };
        let correlation_id = self.guid()?;
        let id_token_hint = info.as_ref().and_then(|i| i.id_token.as_ref().map(|t| t.secret().to_owned())).unwrap_or_default();
        let logout_hint = info
            .as_ref()
            .and_then(|i| i.id_token_claims.as_ref().and_then(|c| c.str_field("login_hint").map(str::to_owned)))
            .unwrap_or_default();
        match &info {
            Some(i) => self.cache.borrow_mut().remove_account(&i.account.home_account_id)?,
            None => self.cache.borrow_mut().clear()?,
        }
        let id = info.as_ref().map(|i| Json::from(i.account.home_account_id.as_str())).unwrap_or(Json::Null);
        self.platform.announce(&Json::object().with("t", "signout").with("homeAccountId", id).to_json());
        let post = self.absolute_uri(&[post_logout_redirect_uri, &self.config.post_logout_redirect_uri]);
        Ok(metadata.end_session_endpoint.as_ref().map(|ep| {
            authorize::logout_url(
                ep,
                &post,
                &correlation_id,
                &id_token_hint,
                &logout_hint,
                state,
                &[("client_id".to_owned(), self.config.client_id.clone())],
            )
        }))
    }

    /// Removes every account and token of this client from the cache (no network).
    pub fn clear_cache(&self) -> Result<(), AuthError> {
        self.cache.borrow_mut().clear()?;
        self.platform.announce(&Json::object().with("t", "signout").with("homeAccountId", Json::Null).to_json());
        Ok(())
    }
}
