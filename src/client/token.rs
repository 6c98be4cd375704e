//! The token endpoint: code redemption, refresh, throttling, and saving what comes back.

use crate::prelude::*;

use super::*;

/// msal's `DEFAULT_REFRESH_TOKEN_EXPIRATION_OFFSET_SECONDS`.
const DEFAULT_RT_EXPIRATION_OFFSET_SECS: u64 = 300;

/// What a token response is saved and answered with, beyond the response itself.
#[derive(Clone, Copy)]
pub(super) struct Saving<'a> {
    /// The scopes requested (when the response names none).
    pub scopes: &'a ScopeSet,
    pub correlation_id: &'a str,
    /// The authorize request's nonce, which the ID token must carry.
    pub nonce: Option<&'a Nonce>,
    /// The authorize response's `client_info` (used when the token response has none).
    pub front_client_info: &'a str,
    /// The app's state, returned in the result.
    pub user_state: &'a str,
    /// The account the tokens are for, when the response may not say (a refresh).
    pub known_account: Option<&'a Account>,
    /// The account the app's request names (`loadExternalTokens`): the tokens are stored
    /// under it, as msal's `loadAccount` stores the request's account, also when the response
    /// would name another (an ID token without `client_info` names its per-app `sub`).
    pub given_account: Option<&'a Account>,
    /// The key the tokens are bound to (DPoP), or `""`.
    pub key_id: &'a str,
    pub options: &'a TokenOptions,
    /// A renewal of a cached account (a refresh, or a silent call's hidden frame), by its home
    /// account id: as msal, that account signed out meanwhile, here or in another tab (its
    /// entry left the storage), gets the tokens, which are not stored (the account would come
    /// back). An answer naming another account: a refresh's is not stored (as msal's, which
    /// stores a refresh only for an account it holds); a hidden frame's (B2C: the user at
    /// another user flow) is that account's sign-in, stored as msal stores it.
    pub renewal: Option<&'a str>,
    /// The authorize response's `cloud_graph_host_name` and `msgraph_host`, kept on a new
    /// account (msal).
    pub graph_hosts: (&'a str, &'a str),
}

impl<'a> Saving<'a> {
    pub(super) fn new(scopes: &'a ScopeSet, correlation_id: &'a str, options: &'a TokenOptions) -> Self {
        Saving {
            scopes,
            correlation_id,
            nonce: None,
            front_client_info: "",
            user_state: "",
            known_account: None,
            given_account: None,
            key_id: "",
            options,
            renewal: None,
            graph_hosts: ("", ""),
        }
    }
}

impl<P: Platform> PublicClientApplication<P> {
    /// Whether the account stored under `account_key` is still signed in: a renewal of it may
    /// store its tokens (see [`Saving::renewal`]).
    pub(super) fn still_signed_in(&self, account_key: &str, correlation_id: &str) -> bool {
        let kept = crate::core::cache::KeyValueStore::holds(self.cache.borrow().store(), account_key);
        if !kept {
            self.log(LogLevel::Warning, correlation_id, "renewal: the account was signed out meanwhile; its tokens are not stored");
        }
        kept
    }

    /// Sends a token request (with a DPoP proof by the key `dpop` when bound), minding msal's
    /// throttling, and checks the token type matches the binding.
    pub(super) async fn post_token(
        &self,
        http: HttpRequest,
        thumb_key: &str,
        sent_at: u64,
        binding: Option<&dpop::Binding>,
    ) -> Result<TokenResponse, AuthError> {
        let store_key = thumb_key.to_owned();
        {
            let cache = self.cache.borrow();
            let store = cache.store();
            if let Some(stored) = crate::core::cache::KeyValueStore::get(store, &store_key) {
                match throttle::check(&stored, self.platform.now_ms()) {
                    Some(e) => return Err(e),
                    None => crate::core::cache::KeyValueStore::remove(store, &store_key),
                }
            }
        }
        let endpoint = http.url.clone();
        let resp = self.send_token(http, binding).await?;
        match TokenResponse::parse(&resp, sent_at) {
            Ok(mut t) => {
                dpop::check_response(&t, binding)?;
                // As msal: a bound token's type is the scheme's spelling (`DPoP`), whatever the
                // server's.
                if let Some(b) = binding {
                    b.scheme.token_type().clone_into(&mut t.token_type);
                }
                Ok(t)
            }
            Err(e) => {
                if resp.status == 404 {
                    self.forget_endpoints(&endpoint);
                }
                if let Some(value) = throttle::on_failure(&resp, &e, self.platform.now_ms()) {
                    let cache = self.cache.borrow();
                    let _ = crate::core::cache::KeyValueStore::set(cache.store(), &store_key, &value);
                }
                Err(e)
            }
        }
    }

    /// A token request of this client at `target` (its id, its credential for that endpoint,
    /// `client_info`).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn token_request(
        &self,
        target: &Target,
        scopes: &ScopeSet,
        correlation_id: &str,
        grant: Grant<'_>,
        claims: &str,
        anchor: &str,
        extra: &[(String, String)],
    ) -> Result<HttpRequest, AuthError> {
        // (Only msal-native's confidential client makes one: the browser's build leaves it out.)
        #[cfg(not(target_arch = "wasm32"))]
        let make = self.credential_maker.borrow().clone();
        #[cfg(not(target_arch = "wasm32"))]
        let credential = match make {
            Some(make) => make(&target.metadata.token_endpoint).await.map_err(|e| e.with_call_correlation_id(correlation_id))?,
            None => self.credential.borrow().clone(),
        };
        #[cfg(target_arch = "wasm32")]
        let credential = self.credential.borrow().clone();
        Ok(TokenRequest {
            endpoint: &target.metadata.token_endpoint,
            client_id: &self.config.client_id,
            scopes,
            correlation_id,
            grant,
            credential: &credential,
            // Asked in every protocol mode, as msal 5 (a generic provider ignores it).
            client_info: true,
            claims,
            anchor,
            extra_body: extra,
            app: &self.config.application,
        }
        .build())
    }

    /// The throttling key of a token request (msal's request thumbprint): the scheme and its
    /// resource request come from the binding, Bearer without one.
    pub(super) fn thumbprint(
        &self,
        target: &Target,
        scopes: &ScopeSet,
        home_account_id: &str,
        claims: &str,
        binding: Option<&dpop::Binding>,
        options: &TokenOptions,
    ) -> String {
        let list: Vec<&str> = scopes.iter().collect();
        let attribute_tokens = options.attribute_partition();
        let scheme = binding.map_or(&AuthScheme::Bearer, |b| &b.scheme);
        let [method, uri, shr_claims, _] = scheme.resource_request();
        throttle::Thumbprint {
            client_id: &self.config.client_id,
            authority: target.authority.canonical(),
            scopes: &list,
            home_account_id,
            claims,
            authentication_scheme: scheme.token_type(),
            resource_request_method: method,
            resource_request_uri: uri,
            shr_claims,
            resource: options.resource.as_deref().unwrap_or_default(),
            attribute_tokens: &attribute_tokens,
        }
        .key()
    }

    pub(super) async fn redeem_code(
        &self,
        target: &Target,
        (claims, extra_query): (&str, &[(String, String)]),
        grant: Grant<'_>,
        binding: Option<&dpop::Binding>,
        saving: Saving<'_>,
    ) -> Result<AuthenticationResult, AuthError> {
        self.log(LogLevel::Verbose, saving.correlation_id, "redeeming the authorization code");
        let sent_at = self.now_s();
        let (scopes, options) = (saving.scopes, saving.options);
        // The request's claims with msal's optional ID token claims and the client
        // capabilities, as in every token request; the account's anchor from the response's
        // client_info.
        let claims = authorize::merge_claims(claims, &self.config.client_capabilities)?;
        let anchor = crate::core::account::ClientInfo::decode(saving.front_client_info);
        let anchor = anchor.map_or(String::new(), |ci| ["Oid:", &ci.uid, "@", &ci.utid].concat());
        let mut http = self.token_request(target, scopes, saving.correlation_id, grant, &claims, &anchor, &options.token_body()).await?;
        crate::core::token::add_extra_query(&mut http, extra_query);
        let thumb = self.thumbprint(target, scopes, "", "", binding, options);
        // A new code is the user's doing: as msal (`handleResponseCode`), an earlier redemption's
        // throttling does not hold it back.
        crate::core::cache::KeyValueStore::remove(self.cache.borrow().store(), &thumb);
        let resp = self.post_token(http, &thumb, sent_at, binding).await?;
        let key_id = binding.map_or("", |b| b.kid.as_str());
        // A new key replaces the account's old one where the response's tokens replace its
        // tokens: as msal (saveAccessToken), the keys no token uses any more then go (a key kept
        // until sign-out was kept for good once the page reloaded).
        let before = binding.is_some_and(|b| b.new_key).then(|| self.binding_key_ids(None));
        let result = self.save_response(target, resp, &Saving { key_id, ..saving })?;
        if let Some(before) = before {
            self.prune_binding_keys(before).await;
        }
        Ok(result)
    }

    /// The optional ID token checks (see [`Config::validate_id_token_claims`]): the issuer is
    /// the authority's (a multi-tenant authority's with the token's tenant in place of the
    /// alias), the audience holds this client, and the token is within its lifetime.
    fn check_id_token(&self, target: &Target, claims: &IdTokenClaims) -> Result<(), AuthError> {
        let issuer = &target.metadata.issuer;
        let alias = ["/", target.authority.tenant(), "/"].concat();
        let issuer = match claims.first(&["tid"]) {
            Some(tid) if target.authority.is_multi_tenant() && text::contains(issuer, &alias) => {
                text::replacen(issuer, &alias, &["/", tid, "/"].concat(), 1)
            }
            _ => issuer.clone(),
        };
        let checks = crate::core::id_token::IdTokenChecks {
            // (No issuer: endpoints not resolved yet, for a hydration, which needs no network.)
            issuer: (!issuer.is_empty()).then_some(issuer.as_str()),
            audience: Some(&self.config.client_id),
            lifetime_skew: Some(ID_TOKEN_SKEW_SECS),
        };
        claims.validate(&checks, self.now_s())
    }

    pub(super) fn save_response(&self, target: &Target, resp: TokenResponse, s: &Saving<'_>) -> Result<AuthenticationResult, AuthError> {
        let Saving {
            scopes,
            correlation_id,
            nonce,
            front_client_info,
            user_state,
            known_account,
            given_account,
            key_id,
            options,
            renewal,
            graph_hosts,
        } = *s;
        let claims = match &resp.id_token {
            Some(t) => {
                let c = IdTokenClaims::decode(t.secret())?;
                // The nonce binds the ID token to an authorize request; refreshed ID tokens and
                // codes redeemed for another party's request have none of ours to compare with.
                if let Some(n) = nonce {
                    c.check_nonce(Some(n))?;
                }
                if self.config.validate_id_token_claims {
                    self.check_id_token(target, &c)?;
                }
                Some(c)
            }
            // As msal's ResponseHandler: a sign-in's code redeemed without the ID token that
            // would carry the request's nonce is not bound to that request.
            None if nonce.is_some() => {
                return Err(AuthError::new(
                    ErrorKind::TokenValidation,
                    codes::NONCE_MISMATCH,
                    "the token response has no ID token to carry the request's nonce",
                ))
            }
            None => None,
        };
        let client_info = if resp.client_info.is_empty() { front_client_info } else { &resp.client_info };
        let cloud = self.cloud_of(target.authority.host());
        let env = &cloud.preferred_cache;
        let named = Account::from_response(
            client_info,
            claims.as_ref(),
            env,
            self.account_authority_type(&target.authority),
            self.platform.now_ms(),
        );
        let account =
            match (named.filter(|a| given_account.is_none_or(|g| g.home_account_id == a.home_account_id)), known_account.or(given_account))
            {
                // The cache merges tenant profiles of an account it already has. The data boundary
                // of the account the app handed over when the response does not say (msal stores
                // that account).
                (Some(mut a), other) => {
                    if let (true, Some(o)) = (a.data_boundary.is_empty(), other) {
                        a.data_boundary.clone_from(&o.data_boundary);
                    }
                    // (The cache keeps an account's own, as msal keeps the cached account.)
                    (a.cloud_graph_host_name, a.ms_graph_host) = (graph_hosts.0.to_owned(), graph_hosts.1.to_owned());
                    a
                }
                (None, Some(k)) => k.clone(),
                (None, None) => {
                    return Err(AuthError::new(
                        ErrorKind::TokenValidation,
                        codes::TOKEN_PARSING_ERROR,
                        Kept("the token response identifies no account (no client_info and no id_token)"),
                    ))
                }
            };
        // msal's tenant of the ID token's claims: `tid`, else B2C's `tfp`, else `acr` (a generic
        // provider's, Keycloak's "1"), which is also the account's realm the silent calls look in.
        let claims_tenant = claims.as_ref().and_then(|c| c.tenant());
        let realm = claims_tenant.map_or_else(|| account.realm.clone(), str::to_owned);
        // An ID token naming no tenant at all: msal keys the access token by the authority's
        // tenant segment then (and the ID token by none), so it finds ours and we find its.
        let at_realm = (claims_tenant.is_none() && self.config.protocol_mode == ProtocolMode::Oidc).then(|| target.authority.tenant());
        // (The account as stored: a generic provider's realm, its `acr`, may differ from the
        // response's. A page that keeps it in memory only, the storage full or without
        // WebCrypto, holds it.)
        let stored =
            self.find_account(&self.cache.borrow(), &account.home_account_id, &account.environment).map(crate::core::cache::account_key);
        // A refresh (its account known) stores only for an account the cache holds, as msal's
        // (a response naming another is not stored); a hidden frame's answer for another
        // account is that account's sign-in. (A generic provider's session may be another
        // user's by now: their tokens are never stored for the renewed account's sake, see
        // `renew_or_frame`.)
        let renewed_here = renewal
            .is_some_and(|h| known_account.is_some() || h == account.home_account_id || self.config.protocol_mode == ProtocolMode::Oidc);
        if !renewed_here || self.still_signed_in(stored.as_deref().unwrap_or_default(), correlation_id) {
            // (An account this client did not list, its record stored or not: another client id
            // of the origin, or an earlier visit, may have left the record.)
            let new_here = stored.is_none() || !self.lists(&self.cache.borrow(), &account.home_account_id);
            self.cache.borrow_mut().save(&SaveRequest {
                response: &resp,
                account: &account,
                realm: &realm,
                at_realm,
                requested: scopes,
                key_id,
                resource: options.resource.as_deref().unwrap_or_default(),
                attribute_tokens: &options.attribute_partition(),
                environments: &cloud.aliases,
                store: options.store,
                kmsi: claims.as_ref().is_some_and(IdTokenClaims::kmsi),
                now_ms: self.platform.now_ms(),
            })?;
            if new_here {
                self.own_change(true, &account.home_account_id);
            }
            if self.config.cache_location == CacheLocation::LocalStorage {
                // Tabs sharing this storage may see our writes late: hand them the result directly.
                let snapshot = self.cache.borrow().last_save(&account.home_account_id);
                self.announce(
                    Json::object().with("t", "tokens").with("homeAccountId", account.home_account_id.as_str()).with("snapshot", snapshot),
                );
            } else if known_account.is_none() && self.config.cache_location == CacheLocation::SessionStorage {
                // The account as stored (a generic provider's keeps its first realm). (A memory
                // cache's sign-in stays the page's, as msal's.)
                let cache = self.cache.borrow();
                let stored = self.find_account(&cache, &account.home_account_id, &account.environment).unwrap_or(&account);
                let entity = crate::core::cache::AccountEntity::new(stored.clone());
                drop(cache);
                self.announce(Json::object().with("t", "signin").with("account", entity.to_json()));
            } else if self.config.cache_location == CacheLocation::SessionStorage {
                // For another client of this page only (other tabs' storage is their own).
                self.announce(Json::object().with("t", "tokens").with("homeAccountId", account.home_account_id.as_str()));
            }
        }
        let info = {
            let cache = self.cache.borrow();
            let stored = self.find_account(&cache, &account.home_account_id, &account.environment).cloned().unwrap_or(account);
            self.response_info(&cache, &stored, &realm, resp.id_token.as_ref().zip(claims.as_ref()))
        };
        let granted = match &resp.scope {
            Some(s) if !s.trim().is_empty() => ScopeSet::parse(s),
            // (As stored: the app's scopes, see `TokenCache::save`.)
            _ => scopes.for_cache_search(),
        };
        let mut r = AuthenticationResult {
            authority: self.result_authority(&target.authority),
            unique_id: claims.as_ref().and_then(|c| c.unique_id()).unwrap_or_default().to_owned(),
            // msal: the ID token's tid, else none.
            tenant_id: claims.as_ref().and_then(|c| c.tid()).unwrap_or_default().to_owned(),
            scopes: granted.iter().map(str::to_owned).collect(),
            account: info,
            access_token: resp.access_token,
            from_cache: false,
            expires_on_ms: resp.expires_on.saturating_mul(1000),
            ext_expires_on_ms: resp.extended_expires_on.saturating_mul(1000),
            refresh_on_ms: resp.refresh_on.map(|r| r.saturating_mul(1000)),
            token_type: resp.token_type,
            correlation_id: correlation_id.to_owned(),
            state: user_state.to_owned(),
            family_id: resp.family_id,
            request_id: resp.request_id,
            served_until_ms: 0,
            dpop_proof: None,
            key_id: key_id.to_owned(),
        };
        // msal's result without an access token (B2C's to OpenID scopes alone, a loaded
        // response's): no scopes, no expiry (0 here), no type.
        if r.access_token.secret().is_empty() {
            (r.scopes, r.expires_on_ms, r.ext_expires_on_ms, r.refresh_on_ms, r.token_type) = (Vec::new(), 0, 0, None, String::new());
        }
        Ok(r)
    }

    /// Redeems an authorization code obtained elsewhere (msal's `acquireTokenByCode`).
    pub async fn acquire_token_by_code(&self, req: &ByCodeRequest) -> Result<AuthenticationResult, AuthError> {
        self.preflight(false)?;
        // msal's order of refusals (no platform broker here).
        let (code, native) = (!req.code.secret().is_empty(), !req.native_account_id.is_empty());
        if code && native {
            return Err(AuthError::browser(
                codes::SPA_CODE_AND_NATIVE_ACCOUNT_ID_PRESENT,
                "the request names both a code and a nativeAccountId",
            ));
        } else if native {
            return Err(AuthError::browser(
                codes::UNABLE_TO_ACQUIRE_TOKEN_FROM_NATIVE_PLATFORM,
                "no platform broker: a nativeAccountId cannot be used",
            ));
        } else if !code {
            return Err(AuthError::browser(codes::AUTH_CODE_OR_NATIVE_ACCOUNT_ID_REQUIRED, "acquireTokenByCode needs a code"));
        }
        req.options.enforce_resource(self.config.is_mcp, &req.extra_query_parameters)?;
        let correlation_id = if req.correlation_id.is_empty() { self.guid()? } else { req.correlation_id.clone() };
        let scopes = self.wire_scopes(&req.scopes);
        // The code's own authority (its tenant, its B2C policy): it is redeemed nowhere else but
        // in the cloud its authorize response named, for an instance-aware request (msal).
        let own = req.authority.as_deref().unwrap_or(self.authority.canonical());
        let cloud = self.cloud_authority(own, &req.cloud_instance_host_name, &req.extra_query_parameters)?;
        let target = self.target(cloud.as_deref().or(req.authority.as_deref())).await?;
        // The redirect URI only when the request names one. msal never sends one for a code
        // obtained elsewhere; a provider that checks it (OAuth 2.0 asks for it when the code's
        // authorize request had one) gets the one the app names, never this page's.
        // (Made absolute against the page, as every redirect URI.)
        let redirect_uri = self.named_redirect_uri(&req.redirect_uri);
        let grant = Grant::AuthorizationCode { code: &req.code, verifier: req.code_verifier.as_ref(), redirect_uri: &redirect_uri };
        let extras = (req.claims.as_str(), req.extra_query_parameters.as_slice());
        let saving =
            Saving { graph_hosts: (&req.cloud_graph_host_name, &req.ms_graph_host), ..Saving::new(&scopes, &correlation_id, &req.options) };
        let mut r = self.redeem_code(&target, extras, grant, None, saving).await?;
        r.state.clone_from(&req.state);
        Ok(r)
    }

    /// Redeems the account's refresh token for `req`'s scopes.
    pub async fn refresh(&self, req: &SilentRequest) -> Result<AuthenticationResult, AuthError> {
        self.log(LogLevel::Verbose, &req.correlation_id, "renewal: redeeming the refresh token");
        self.sync();
        let (account, tenant) = self.silent_account(req)?;
        let target = self.target(self.silent_authority(req, &account, tenant.as_deref()).as_deref()).await?;
        self.check_account_cloud(&target.authority, &account.environment)?;
        let envs = self.cloud_of(&account.environment).aliases;
        let correlation_id = if req.correlation_id.is_empty() { self.guid()? } else { req.correlation_id.clone() };
        let rt = {
            let cache = self.cache.borrow();
            cache
                .find_refresh_token(&account.home_account_id, &envs, true)
                .map(|c| (RefreshToken::new(c.secret.clone()), c.expires_on, c.key_id.clone()))
        };
        let Some((rt, rt_expires, rt_key)) = rt else {
            return Err(AuthError::new(ErrorKind::InteractionRequired, codes::NO_TOKENS_FOUND, "no refresh token in the cache")
                .with_correlation_id(correlation_id));
        };
        // msal: a refresh token that expires within the offset (5 minutes unless the request
        // sets one) counts as expired, so the interaction comes before it fails halfway.
        let offset = match req.refresh_token_expiration_offset_secs {
            0 => DEFAULT_RT_EXPIRATION_OFFSET_SECS,
            s => s,
        };
        let now = self.now_s();
        // As msal, the expired token stays (every call says refresh_token_expired).
        if rt_expires != 0 && rt_expires <= now.saturating_add(offset) {
            return Err(AuthError::new(
                ErrorKind::InteractionRequired,
                codes::REFRESH_TOKEN_EXPIRED,
                "the refresh token has expired or expires within refreshTokenExpirationOffsetSeconds",
            )
            .with_correlation_id(correlation_id));
        }
        // A bound refresh token is redeemed with its key (RFC 9449 §5: a public client's refresh
        // token is bound); an unbound one for a DPoP request with the account's key (or a new one).
        let unusable = |why: &'static str| {
            Err(AuthError::new(ErrorKind::InteractionRequired, codes::NO_TOKENS_FOUND, Kept(why))
                .with_correlation_id(correlation_id.clone()))
        };
        // (Before a key is made for the request: a refusal leaves none behind.)
        let claims = authorize::merge_claims(&req.claims, &self.config.client_capabilities)?;
        let binding = match (&req.authentication_scheme, rt_key.is_empty()) {
            (AuthScheme::Bearer, true) => None,
            (AuthScheme::Dpop { .. }, false) => {
                if self.platform.binding_key(&rt_key).await.is_none() {
                    return unusable("the refresh token's DPoP key is no longer in this browser");
                }
                Some(dpop::Binding { kid: rt_key, scheme: req.authentication_scheme.clone(), new_key: false })
            }
            (_, false) => return unusable("the refresh token is bound to a DPoP key: this scheme needs a new sign-in"),
            (_, true) => {
                let who = AccountRef::new(account.home_account_id.clone());
                self.bind(&req.authentication_scheme, Some(&who)).await?
            }
        };
        let scopes = self.wire_scopes(&req.scopes);
        // msal sends a redirect URI with a refresh only when the request names one.
        let redirect_uri = self.named_redirect_uri(&req.redirect_uri);
        let anchor = account.oid_anchor();
        let anchor = if anchor.is_empty() { String::new() } else { ["Oid:", anchor.as_str()].concat() };
        let sent_at = self.now_s();
        let mut http = self
            .token_request(
                &target,
                &scopes,
                &correlation_id,
                Grant::RefreshToken { refresh_token: &rt, redirect_uri: &redirect_uri },
                &claims,
                &anchor,
                &req.options.token_body(),
            )
            .await
            .inspect_err(|_| self.orphan(dpop::new_kid(binding.as_ref())))?;
        crate::core::token::add_extra_query(&mut http, &req.extra_query_parameters);
        let thumb = self.thumbprint(&target, &scopes, &account.home_account_id, &req.claims, binding.as_ref(), &req.options);
        match self.post_token(http, &thumb, sent_at, binding.as_ref()).await {
            Ok(resp) => {
                let key_id = binding.as_ref().map_or("", |b| b.kid.as_str());
                let saving = Saving {
                    known_account: Some(&account),
                    key_id,
                    renewal: Some(&account.home_account_id),
                    ..Saving::new(&scopes, &correlation_id, &req.options)
                };
                self.save_response(&target, resp, &saving).inspect_err(|_| self.orphan(dpop::new_kid(binding.as_ref())))
            }
            Err(e) => {
                // As msal: only a refresh token the server calls bad goes (an interaction-
                // required refusal with suberror `bad_token`, whatever its code). A consent or
                // conditional-access refusal (`consent_required`, `basic_action`) is about this
                // request, and the token still serves the app's other scopes.
                if e.is_interaction_required() && e.sub_error() == "bad_token" {
                    let _ = self.cache.borrow_mut().remove_refresh_token(rt.secret());
                }
                // A key made for this renewal binds nothing: the next clean-up deletes it.
                self.orphan(dpop::new_kid(binding.as_ref()));
                Err(e.with_call_correlation_id(&correlation_id))
            }
        }
    }

    /// msal-node's `acquireTokenByRefreshToken`: redeems a refresh token obtained elsewhere
    /// (another library's cache, a migration) for `scopes`, and caches what comes back as a
    /// sign-in (the account from the response's `client_info` and ID token).
    pub async fn acquire_token_by_refresh_token(
        &self,
        refresh_token: &str,
        scopes: &[String],
        correlation_id: &str,
    ) -> Result<AuthenticationResult, AuthError> {
        let target = self.target(None).await?;
        let correlation_id = if correlation_id.is_empty() { self.guid()? } else { correlation_id.to_owned() };
        if refresh_token.trim().is_empty() {
            return Err(AuthError::client(codes::NULL_OR_EMPTY_TOKEN, "no refresh token given").with_correlation_id(correlation_id));
        }
        let rt = RefreshToken::new(refresh_token);
        let scopes = self.wire_scopes(scopes);
        let redirect_uri = self.redirect_uri("");
        // As every refresh of msal's: the app's client capabilities ride along.
        let claims = authorize::merge_claims("", &self.config.client_capabilities)?;
        let sent_at = self.now_s();
        let http = self
            .token_request(
                &target,
                &scopes,
                &correlation_id,
                Grant::RefreshToken { refresh_token: &rt, redirect_uri: &redirect_uri },
                &claims,
                "",
                &[],
            )
            .await?;
        let options = TokenOptions::default();
        let thumb = self.thumbprint(&target, &scopes, "", "", None, &options);
        let resp = self.post_token(http, &thumb, sent_at, None).await.map_err(|e| e.with_correlation_id(correlation_id.clone()))?;
        self.save_response(&target, resp, &Saving::new(&scopes, &correlation_id, &options))
    }

    /// msal's `hydrateCache`: stores the tokens of a result obtained elsewhere (a server that
    /// redeemed the code, a broker) as if this client had received them, so that silent calls
    /// serve them. `home_account_id` is `uid.utid` (Entra) or the `sub` claim.
    pub fn hydrate_cache(&self, h: &Hydration) -> Result<(), AuthError> {
        self.ensure_initialized()?;
        // msal reads the ID token's claims (its "keep me signed in" state): none is an error.
        if h.id_token.is_empty() {
            return Err(AuthError::client(codes::NULL_OR_EMPTY_TOKEN, "the result to store has no ID token"));
        }
        // Entra's client_info, from the account's home id, so the account keeps its identity.
        let client_info = match h.home_account_id.split_once('.') {
            // Entra's (AAD mode): a generic provider's `sub` may hold a dot too.
            Some((uid, utid)) if self.config.protocol_mode == ProtocolMode::Aad && !uid.is_empty() && !utid.is_empty() => {
                // (With the data boundary as Entra says it there.)
                let info = Json::object().with("uid", uid).with("utid", utid).with_nonempty("xms_tdbr", &h.data_boundary);
                base64::encode_url(info.to_json().as_bytes())
            }
            _ => String::new(),
        };
        let now = self.now_s();
        let expires_on = h.expires_on_ms / 1000;
        let resp = TokenResponse {
            access_token: crate::secret::AccessToken::new(h.access_token.clone()),
            token_type: if h.token_type.is_empty() { "Bearer".to_owned() } else { h.token_type.clone() },
            expires_on,
            extended_expires_on: (h.ext_expires_on_ms / 1000).max(expires_on),
            refresh_on: None,
            refresh_token: None,
            refresh_token_expires_on: None,
            id_token: (!h.id_token.is_empty()).then(|| IdToken::new(h.id_token.clone())),
            scope: Some(text::join(&h.scopes, " ")),
            client_info,
            family_id: String::new(),
            cached_at: now,
            request_id: String::new(),
        };
        let scopes = ScopeSet::new(&h.scopes);
        // As msal, no network: the configured authority, its endpoints if known.
        let metadata = self.resolved.borrow().metadata.clone().unwrap_or_default();
        let target = Target { authority: self.authority.clone(), metadata };
        let options = TokenOptions { resource: h.resource.clone(), ..TokenOptions::default() };
        let saving = Saving { graph_hosts: (&h.graph_hosts.0, &h.graph_hosts.1), ..Saving::new(&scopes, &h.correlation_id, &options) };
        self.save_response(&target, resp, &saving).map(|_| ())
    }
}

impl<P: Platform> PublicClientApplication<P> {
    /// msal's `loadExternalTokens`: stores a token endpoint response obtained elsewhere (a
    /// server that redeemed the code for this app, refresh token included) for `req`'s
    /// authority, scopes and account, and returns its result. msal's `options`: `client_info`
    /// (`clientInfo`) for a response without one, `extended_expires_on_s`
    /// (`extendedExpiresOn`, seconds) instead of the response's extended expiry. `given`: the
    /// request's account as the app handed it (msal's `AccountInfo`), stored when the cache
    /// lacks it (as msal, which stores the account it was given).
    pub async fn load_external_tokens(
        &self,
        req: &SilentRequest,
        response: &Json,
        client_info: &str,
        expires_on_s: (Option<u64>, Option<u64>),
        given: Option<&Account>,
    ) -> Result<AuthenticationResult, AuthError> {
        self.ensure_initialized()?;
        let mut resp = TokenResponse::external(response, self.now_s())?;
        // msal's order: the options' client_info, else the response's.
        if !client_info.is_empty() {
            resp.client_info = client_info.to_owned();
        }
        // As msal: an access token without scopes (the response's, else the request's) is
        // left out too.
        if resp.scope.as_deref().unwrap_or_default().trim().is_empty() && req.scopes.is_empty() {
            resp.access_token = crate::secret::AccessToken::new("");
        }
        // The options' expiry and extended expiry (seconds) replace the response's.
        let (on, ext) = expires_on_s;
        if let Some(on) = on.filter(|e| *e > 0) {
            resp.expires_on = on;
        }
        if let Some(ext) = ext.filter(|e| *e > 0) {
            resp.extended_expires_on = ext;
        }
        let target = self.target(req.authority.as_deref()).await?;
        let correlation_id = if req.correlation_id.is_empty() { self.guid()? } else { req.correlation_id.clone() };
        let known = req.account.as_ref().and_then(|a| self.find_account(&self.cache.borrow(), &a.home_account_id, &a.environment).cloned());
        let given = given.filter(|g| req.account.as_ref().is_some_and(|a| a.home_account_id == g.home_account_id));
        let scopes = ScopeSet::new(&req.scopes);
        // msal's one refusal of its own: nothing names the account (no account given, no
        // client_info, no ID token).
        if client_info.is_empty() && resp.client_info.is_empty() && resp.id_token.is_none() && known.is_none() && given.is_none() {
            return Err(AuthError::browser(
                codes::UNABLE_TO_LOAD_TOKEN,
                "the response names no account (no client_info, ID token or account in the request)",
            ));
        }
        let mut saving = Saving::new(&scopes, &correlation_id, &req.options);
        saving.front_client_info = client_info;
        saving.known_account = known.as_ref();
        saving.given_account = known.as_ref().or(given);
        // msal's result of a load: from the cache, with the request's correlation id and state
        // as given.
        let mut r = self.save_response(&target, resp, &saving)?;
        r.from_cache = true;
        // msal's load result names the stored account's tenant and id (not the ID token's
        // tenant profile's).
        if let Some(stored) = self.find_account(&self.cache.borrow(), &r.account.account.home_account_id, &r.account.account.environment) {
            r.tenant_id.clone_from(&stored.realm);
            r.unique_id.clone_from(&stored.local_account_id);
        }
        r.correlation_id.clone_from(&req.correlation_id);
        r.state.clone_from(&req.state);
        Ok(r)
    }
}

/// A result obtained elsewhere, for [`hydrate_cache`](PublicClientApplication::hydrate_cache).
#[derive(Clone, Default)]
pub struct Hydration {
    /// The access token (may be empty when only the ID token is stored).
    pub access_token: String,
    /// The ID token.
    pub id_token: String,
    /// The access token's scopes.
    pub scopes: Vec<String>,
    /// Expiry (ms since the epoch).
    pub expires_on_ms: u64,
    /// Extended expiry (ms since the epoch).
    pub ext_expires_on_ms: u64,
    /// Token type (default `Bearer`).
    pub token_type: String,
    /// The account's `homeAccountId`.
    pub home_account_id: String,
    /// Correlation id.
    pub correlation_id: String,
    /// The request's RFC 8707 `resource`, kept on the cached access token as msal does, so a
    /// silent request that names it is served this token.
    pub resource: Option<String>,
    /// The account's `dataBoundary` (`EU`, `None` or empty), kept with it as msal keeps the
    /// result's account.
    pub data_boundary: String,
    /// The result's `cloudGraphHostName` and `msGraphHost`, kept with a new account (msal).
    pub graph_hosts: (String, String),
}

impl ::core::fmt::Debug for Hydration {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("Hydration").field("home_account_id", &self.home_account_id).field("scopes", &self.scopes).finish_non_exhaustive()
    }
}
