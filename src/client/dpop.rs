//! Sender-constrained tokens for the client — DPoP (RFC 9449) and msal's `pop` (signed HTTP
//! requests): which key a sign-in or a renewal uses, what token requests carry (a DPoP proof, with
//! the server's nonce asked for once; or msal's `req_cnf`), and what the app gets to call its
//! API with (a DPoP proof; or the signed HTTP request wrapping the token).
//!
//! One key per account and scheme, unlike msal-browser (a new key per authorization and per
//! renewal, which a server binding public clients' refresh tokens to their DPoP key — as RFC 9449
//! §5 asks — refuses): a sign-in for an account that already has a key the platform still holds
//! reuses it, a renewal uses the refresh token's key, and a key no token is bound to any more is
//! removed.

use super::*;
use crate::core::dpop::{self, KeyKind, ProofClaims, PublicJwk, ShrClaims};

/// How many resource servers' nonces a client keeps (msal's `MAX_RESOURCE_SERVER_NONCES`).
const MAX_RESOURCE_NONCES: usize = 50;

/// A request's binding: its key and its scheme (with the resource request of the result's proof).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding {
    /// The key's thumbprint (`dpop_jkt` / `req_cnf`'s `kid`, the tokens' `keyId`).
    pub kid: String,
    /// DPoP or PoP.
    pub scheme: AuthScheme,
    /// The key was made for this request (removed if it fails).
    pub new_key: bool,
}

impl Binding {
    /// As JSON, for a redirect's saved request.
    pub(crate) fn to_json(&self) -> Json {
        let [method, uri, claims, nonce] = self.scheme.resource_request();
        Json::object()
            .with("kid", self.kid.as_str())
            .with("type", self.scheme.token_type())
            .with("method", method)
            .with("uri", uri)
            .with("shrClaims", claims)
            .with("shrNonce", nonce)
            .with_nonempty("shrTyp", self.scheme.shr_typ())
            .with("newKey", self.new_key)
    }

    /// From [`to_json`](Self::to_json).
    pub(crate) fn from_json(d: &Json) -> Option<Binding> {
        let s = |k: &str| d.str_field(k).unwrap_or_default().to_owned();
        let scheme = match d.str_field("type")? {
            "DPoP" => AuthScheme::Dpop { method: s("method"), uri: s("uri") },
            "pop" => AuthScheme::Pop {
                method: s("method"),
                uri: s("uri"),
                shr_claims: s("shrClaims"),
                shr_nonce: s("shrNonce"),
                shr_typ: s("shrTyp"),
            },
            _ => return None,
        };
        Some(Binding { kid: d.str_field("kid")?.to_owned(), scheme, new_key: d.get("newKey").and_then(Json::as_bool).unwrap_or(false) })
    }
}

/// The key id of a binding made for its request (a new key), which a failure leaves unused.
pub(super) fn new_kid(binding: Option<&Binding>) -> Option<String> {
    binding.filter(|b| b.new_key).map(|b| b.kid.clone())
}

impl<P: Platform> PublicClientApplication<P> {
    /// The key of `home_account_id`'s tokens of `token_type`, when the platform still holds it.
    async fn account_key(&self, home_account_id: &str, token_type: &str) -> Option<String> {
        let kid = {
            let cache = self.cache.borrow();
            let bound = cache
                .credentials()
                .find(|c| c.home_account_id == home_account_id && !c.key_id.is_empty() && c.token_type.eq_ignore_ascii_case(token_type));
            bound.map(|c| c.key_id.clone())
        }?;
        self.platform.binding_key(&kid).await.map(|_| kid)
    }

    /// The binding of a bound sign-in or renewal (`None` for Bearer): the account's key for the
    /// scheme, else a new one.
    pub(super) async fn bind(&self, scheme: &AuthScheme, account: Option<&AccountRef>) -> Result<Option<Binding>, AuthError> {
        let kind = match scheme {
            AuthScheme::Bearer => return Ok(None),
            AuthScheme::Dpop { .. } => KeyKind::Es256,
            AuthScheme::Pop { .. } => KeyKind::Rs256,
        };
        let known = match account {
            Some(a) => self.account_key(&a.home_account_id, scheme.token_type()).await,
            None => None,
        };
        let (kid, new_key) = match known {
            Some(kid) => (kid, false),
            None => (self.platform.make_binding_key(kind).await?.thumbprint(), true),
        };
        Ok(Some(Binding { kid, scheme: scheme.clone(), new_key }))
    }

    /// Forgets a key made for a request that failed (unless a token it saved before failing is
    /// bound to it).
    pub(super) async fn unbind(&self, binding: Option<&Binding>) {
        if let Some(b) = binding.filter(|b| b.new_key && !self.cache.borrow().credentials().any(|c| c.key_id == b.kid)) {
            self.platform.remove_binding_key(&b.kid).await;
        }
    }

    /// A key made for a request that failed before it was sent goes with the next
    /// [`forget_orphan_keys`](Self::forget_orphan_keys).
    pub(super) fn orphan(&self, kid: Option<String>) {
        self.orphan_keys.borrow_mut().extend(kid);
    }

    /// Removes the keys among `kids` that no cached token is bound to any more (after a
    /// sign-out, an account's removal, a cleared cache).
    pub async fn prune_binding_keys(&self, kids: Vec<String>) {
        for kid in kids {
            let used = self.cache.borrow().credentials().any(|c| c.key_id == kid);
            if !used {
                self.platform.remove_binding_key(&kid).await;
            }
        }
    }

    /// Deletes the DPoP keys of the tokens a sign-out or `clear_cache` removed (unless a token
    /// still uses them).
    pub async fn forget_orphan_keys(&self) {
        let kids = core::mem::take(&mut *self.orphan_keys.borrow_mut());
        self.prune_binding_keys(kids).await;
    }

    /// The keys the cached tokens are bound to (of one account, or all).
    pub fn binding_key_ids(&self, home_account_id: Option<&str>) -> Vec<String> {
        let cache = self.cache.borrow();
        let mut kids: Vec<String> = Vec::new();
        for c in cache.credentials() {
            if !c.key_id.is_empty() && home_account_id.is_none_or(|h| c.home_account_id == h) && !kids.contains(&c.key_id) {
                kids.push(c.key_id.clone());
            }
        }
        kids
    }

    /// The public key `kid` (msal's `crypto_key_not_found` when the platform lost it).
    async fn key(&self, kid: &str) -> Result<PublicJwk, AuthError> {
        self.platform
            .binding_key(kid)
            .await
            .ok_or_else(|| AuthError::browser(codes::CRYPTO_KEY_NOT_FOUND, "the token's key is not in this browser's key store"))
    }

    /// A signed DPoP proof by the key `kid` for `htm` `htu`.
    pub(super) async fn proof(
        &self,
        kid: &str,
        htm: &str,
        htu: &str,
        nonce: Option<&str>,
        access_token: Option<&str>,
    ) -> Result<String, AuthError> {
        let jwk = self.key(kid).await?;
        if nonce.is_some_and(str::is_empty) {
            return Err(AuthError::config(codes::INVALID_DPOP_NONCE, "the DPoP nonce is empty"));
        }
        let jti = self.guid()?;
        let input = dpop::signing_input(&jwk, &ProofClaims { htm, htu, iat: self.now_s(), jti: &jti, nonce, access_token });
        let signature = self.platform.sign_with_binding_key(kid, input.as_bytes()).await?;
        dpop::proof(&input, &signature)
    }

    /// Sends a token request with a DPoP proof by `kid` (with the token endpoint's last nonce);
    /// a `use_dpop_nonce` challenge is answered once with the nonce it brings.
    pub(super) async fn send_bound(&self, http: HttpRequest, kid: &str) -> Result<crate::core::http::HttpResponse, AuthError> {
        let htu = dpop::normalize_htu(&http.url)?;
        let nonce = self.dpop_nonce.borrow().clone();
        let send = |h: HttpRequest| self.platform.send(h, self.config.network_timeout_ms);
        let prove = |n: Option<String>| {
            let htu = htu.clone();
            async move { self.proof(kid, "POST", &htu, n.as_deref(), None).await }
        };
        let (resp, latest) = send_with_proof(http, nonce, send, prove).await?;
        if latest.is_some() {
            *self.dpop_nonce.borrow_mut() = latest;
        }
        Ok(resp)
    }

    /// msal-browser's `result.dpopProof`, and auth0's `generateDpopProof`: a proof for a call
    /// to the resource with `access_token`, signed by the key the token is bound to (`ath` is
    /// its hash); `nonce` is the resource server's `DPoP-Nonce`, when it asked for one (else the
    /// one [`load_dpop_nonce`](Self::load_dpop_nonce) kept for its origin).
    pub async fn generate_dpop_proof(&self, access_token: &str, method: &str, uri: &str, nonce: Option<&str>) -> Result<String, AuthError> {
        let (method, uri) = dpop::resource_target(method, uri)?;
        let kid = self
            .bound_key_id(access_token)
            .ok_or_else(|| AuthError::client(codes::KEY_ID_MISSING, "no cached DPoP-bound access token is this one"))?;
        let kept = if nonce.is_none() { self.resource_nonce(&uri) } else { None };
        self.proof(&kid, &method, &uri, nonce.or(kept.as_deref()), Some(access_token)).await
    }

    /// msal's `loadDpopNonce`: a resource server's `DPoP-Nonce`, put in the next proofs for
    /// resources of its origin. Kept in memory for the latest 50 origins; a sign-out or
    /// `clearCache` forgets them all. True when another origin's nonce was let go to make room
    /// (msal counts it as `ext.dpopNonceCacheEvictionCount`).
    pub fn load_dpop_nonce(&self, resource_uri: &str, nonce: &str) -> Result<bool, AuthError> {
        let origin = dpop::origin(resource_uri)?;
        if nonce.is_empty() {
            return Err(AuthError::config(codes::INVALID_DPOP_NONCE, "the DPoP nonce is empty"));
        }
        let mut nonces = self.resource_nonces.borrow_mut();
        let known = nonces.iter().position(|(o, _)| *o == origin);
        let evict = known.is_none() && nonces.len() == MAX_RESOURCE_NONCES;
        if let Some(i) = known.or(evict.then_some(0)) {
            nonces.remove(i);
        }
        nonces.push((origin, nonce.to_owned()));
        Ok(evict)
    }

    /// The nonce [`load_dpop_nonce`](Self::load_dpop_nonce) kept for `uri`'s origin.
    fn resource_nonce(&self, uri: &str) -> Option<String> {
        let origin = dpop::origin(uri).ok()?;
        self.resource_nonces.borrow().iter().find(|(o, _)| *o == origin).map(|(_, n)| n.clone())
    }

    /// The key id of a cached bound access token.
    fn bound_key_id(&self, access_token: &str) -> Option<String> {
        let cache = self.cache.borrow();
        let token = cache.credentials().find(|c| c.credential_type.is_access_token() && !c.key_id.is_empty() && c.secret == access_token);
        token.map(|c| c.key_id.clone())
    }

    /// The key a cached bound access token is bound to, when the platform still holds it.
    pub(super) async fn key_of(&self, access_token: &str) -> Option<String> {
        let kid = self.bound_key_id(access_token)?;
        self.platform.binding_key(&kid).await.map(|_| kid)
    }

    /// What the app gets for a bound result: a DPoP result with the proof for the request's
    /// resource call; a PoP result's access token replaced by the signed HTTP request wrapping it.
    pub(super) async fn with_proof(
        &self,
        mut result: AuthenticationResult,
        binding: Option<&Binding>,
    ) -> Result<AuthenticationResult, AuthError> {
        let Some(b) = binding else { return Ok(result) };
        match &b.scheme {
            AuthScheme::Dpop { method, uri } => {
                let nonce = self.resource_nonce(uri);
                result.dpop_proof = Some(self.proof(&b.kid, method, uri, nonce.as_deref(), Some(result.access_token.secret())).await?);
            }
            AuthScheme::Pop { method, uri, shr_claims, shr_nonce, shr_typ } => {
                let jwk = self.key(&b.kid).await?;
                let nonce = if shr_nonce.is_empty() { self.guid()? } else { shr_nonce.clone() };
                let claims = ShrClaims {
                    access_token: result.access_token.secret(),
                    ts: self.now_s(),
                    method,
                    url: uri,
                    nonce: &nonce,
                    client_claims: shr_claims,
                    typ: shr_typ,
                };
                let input = dpop::shr_signing_input(&b.kid, &jwk, &claims);
                let signature = self.platform.sign_with_binding_key(&b.kid, input.as_bytes()).await?;
                result.access_token = crate::secret::AccessToken::new(dpop::proof(&input, &signature)?);
            }
            AuthScheme::Bearer => {}
        }
        // Finished: [`finish_bound`](Self::finish_bound) leaves it as it is (a hidden frame's
        // result, finished as a sign-in's, is not signed twice).
        result.key_id.clear();
        Ok(result)
    }

    /// A cached or renewed bound result, finished for the request's scheme with the key its
    /// token is bound to.
    pub(super) async fn finish_bound(&self, result: AuthenticationResult, scheme: &AuthScheme) -> Result<AuthenticationResult, AuthError> {
        // A bound token carries its key's id until it is finished; without one it was finished
        // already (a hidden frame's result).
        if result.key_id.is_empty() {
            return Ok(result);
        }
        let kid = result.key_id.clone();
        self.with_proof(result, Some(&Binding { kid, scheme: scheme.clone(), new_key: false })).await
    }

    /// Sends a token request bound by `binding`: DPoP with its proof (and the nonce retry), PoP
    /// with msal's `token_type=pop` and `req_cnf`.
    pub(super) async fn send_token(
        &self,
        mut http: HttpRequest,
        binding: Option<&Binding>,
    ) -> Result<crate::core::http::HttpResponse, AuthError> {
        match binding.map(|b| (&b.scheme, b.kid.as_str())) {
            Some((AuthScheme::Dpop { .. }, kid)) => return Box::pin(self.send_bound(http, kid)).await,
            Some((AuthScheme::Pop { .. }, kid)) => {
                http.body.push_str("&token_type=pop&req_cnf=");
                http.body.push_str(&dpop::req_cnf(kid));
            }
            _ => {}
        }
        self.platform.send(http, self.config.network_timeout_ms).await
    }
}

/// Checks a token response against its binding: the token type the scheme asks for (msal's
/// `dpop_token_type_mismatch`: never a Bearer token where a bound one was asked for, nor the
/// reverse), and for PoP the access token's `cnf.kid` (msal's
/// `token_claims_cnf_required_for_signedjwt`).
pub(crate) fn check_response(token: &TokenResponse, binding: Option<&Binding>) -> Result<(), AuthError> {
    check_token_type(&token.token_type, binding.map_or("Bearer", |b| b.scheme.token_type()))?;
    // (A response without an access token, B2C's to OpenID scopes alone, binds nothing.)
    if binding.is_some() && token.access_token.secret().is_empty() {
        return Err(AuthError::client(codes::TOKEN_CLAIMS_CNF_REQUIRED, Kept("the response to a bound request has no access token")));
    }
    if let Some(Binding { kid, scheme: AuthScheme::Pop { .. }, .. }) = binding {
        if dpop::access_token_kid(token.access_token.secret()).as_deref() != Some(kid.as_str()) {
            return Err(AuthError::client(
                codes::TOKEN_CLAIMS_CNF_REQUIRED,
                Kept("the PoP access token's cnf.kid is not the request's key"),
            ));
        }
    }
    Ok(())
}

/// Sends `http` with a `DPoP` header made by `prove(nonce)` (starting with `nonce`, the
/// server's last one); when the server answers with a `use_dpop_nonce` challenge, once more with
/// the nonce it brings (RFC 9449 §8). Gives the response and the server's latest nonce. The one
/// place of this rule, for the browser client and the native confidential client.
pub async fn send_with_proof<S, SF, V, VF>(
    mut http: HttpRequest,
    mut nonce: Option<String>,
    send: S,
    prove: V,
) -> Result<(crate::core::http::HttpResponse, Option<String>), AuthError>
where
    S: Fn(HttpRequest) -> SF,
    SF: core::future::Future<Output = Result<crate::core::http::HttpResponse, AuthError>>,
    V: Fn(Option<String>) -> VF,
    VF: core::future::Future<Output = Result<String, AuthError>>,
{
    http.headers.push(("DPoP".to_owned(), String::new()));
    let mut latest = None;
    for attempt in 0..2 {
        let proof = prove(nonce.clone()).await?;
        if let Some(h) = http.headers.last_mut() {
            h.1 = proof;
        }
        let resp = send(http.clone()).await?;
        if let Some(n) = resp.header("dpop-nonce").filter(|n| !n.trim().is_empty()) {
            latest = Some(n.to_owned());
        }
        match dpop::nonce_challenge(&resp) {
            Some(n) if attempt == 0 => nonce = Some(n.to_owned()),
            _ => return Ok((resp, latest)),
        }
    }
    Err(AuthError::client(codes::UNEXPECTED_ERROR, "unreachable: the nonce retry ended without a response"))
}

/// The token type a response must have: `expected` for a bound scheme; for `Bearer`, any type
/// but a bound one (msal checks a DPoP request's only: a provider's own type, `N_A`, comes back
/// as given and is cached under it, as msal's).
pub fn check_token_type(token_type: &str, expected: &str) -> Result<(), AuthError> {
    let bearer = |t: &str| t.is_empty() || t.eq_ignore_ascii_case("bearer");
    let bound = |t: &str| t.eq_ignore_ascii_case("dpop") || t.eq_ignore_ascii_case("pop");
    if token_type.eq_ignore_ascii_case(expected) || (bearer(expected) && !bound(token_type)) {
        Ok(())
    } else {
        Err(AuthError::client(codes::DPOP_TOKEN_TYPE_MISMATCH, "the token endpoint returned another token type than the request's scheme"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_request_takes_any_type_but_a_bound_one_and_a_bound_request_only_its_own() {
        for t in ["Bearer", "bearer", "", "N_A", "mac"] {
            assert!(check_token_type(t, "Bearer").is_ok(), "{t:?}");
        }
        for t in ["DPoP", "dpop", "pop"] {
            assert_eq!(check_token_type(t, "Bearer").unwrap_err().code(), codes::DPOP_TOKEN_TYPE_MISMATCH, "{t:?}");
        }
        assert!(check_token_type("dpop", "DPoP").is_ok());
        for t in ["Bearer", "", "N_A", "pop"] {
            assert_eq!(check_token_type(t, "DPoP").unwrap_err().code(), codes::DPOP_TOKEN_TYPE_MISMATCH, "{t:?}");
        }
    }

    #[test]
    fn resource_nonces_are_kept_by_origin_for_the_latest_50_and_a_clear_forgets_them() {
        let platform = crate::platform::memory::MemoryPlatform::new(0, |_| Err(AuthError::client(codes::UNEXPECTED_ERROR, "no network")));
        let config = Config::new("c").with_authority("https://login.example/t").with_redirect_uri("https://app.example/");
        let pca = PublicClientApplication::new(config, platform).unwrap();
        // msal's errors: the origin is checked before the nonce.
        for (uri, nonce, code) in [
            ("http://api.example/x", "n", codes::INVALID_DPOP_HTU),
            ("https://user@api.example/x", "n", codes::INVALID_DPOP_HTU),
            ("api.example/x", "", codes::INVALID_DPOP_HTU),
            ("https://api.example/x", "", codes::INVALID_DPOP_NONCE),
        ] {
            assert_eq!(pca.load_dpop_nonce(uri, nonce).unwrap_err().code(), code, "{uri} {nonce:?}");
        }
        pca.load_dpop_nonce("https://API.example:443/a?q#f", "n1").unwrap();
        pca.load_dpop_nonce("https://api.example:8443/a", "other port").unwrap();
        // A nonce of blanks is the server's to judge (msal 5.31 refuses only an empty one).
        pca.load_dpop_nonce("https://blank.example/", " ").unwrap();
        assert_eq!(pca.resource_nonce("https://api.example/b/c").as_deref(), Some("n1"));
        assert_eq!(pca.resource_nonce("https://api.example:8443/").as_deref(), Some("other port"));
        assert_eq!(pca.resource_nonce("https://blank.example/x").as_deref(), Some(" "));
        assert_eq!(pca.resource_nonce("https://api2.example/"), None);
        assert!(!pca.load_dpop_nonce("https://api.example/", "n2").unwrap());
        assert_eq!(pca.resource_nonce("https://api.example/b").as_deref(), Some("n2"), "the latest nonce replaces the last");
        // 50 origins at most: the one written longest ago goes first.
        for i in 0..48 {
            let evicted = pca.load_dpop_nonce(&["https://r", &i.to_string(), ".example/"].concat(), "n").unwrap();
            assert_eq!(evicted, i == 47, "only the 51st origin makes room");
        }
        assert_eq!(pca.resource_nonces.borrow().len(), 50);
        assert_eq!(pca.resource_nonce("https://api.example:8443/"), None, "the oldest write was evicted");
        assert_eq!(pca.resource_nonce("https://api.example/").as_deref(), Some("n2"), "a rewrite counts as new");
        pca.clear_cache(None).unwrap();
        assert!(pca.resource_nonces.borrow().is_empty());
    }

    #[test]
    fn a_bound_request_answered_without_an_access_token_fails() {
        // B2C's answer to OpenID scopes alone has no access token: nothing is bound to the key.
        let resp = crate::core::http::HttpResponse::new(200, r#"{"token_type":"DPoP","scope":"openid","id_token":"h.p.s"}"#);
        let token = TokenResponse::parse(&resp, 0).unwrap();
        let dpop = Binding {
            kid: "kid-1".into(),
            scheme: AuthScheme::Dpop { method: "GET".into(), uri: "https://api.example/".into() },
            new_key: false,
        };
        assert_eq!(check_response(&token, Some(&dpop)).unwrap_err().code(), codes::TOKEN_CLAIMS_CNF_REQUIRED);
        let bearer = crate::core::http::HttpResponse::new(200, r#"{"scope":"openid","id_token":"h.p.s"}"#);
        assert!(check_response(&TokenResponse::parse(&bearer, 0).unwrap(), None).is_ok(), "unbound, it is msal's empty result");
    }

    #[test]
    fn a_redirects_saved_binding_keeps_every_field_of_its_scheme() {
        let pop = AuthScheme::Pop {
            method: "POST".into(),
            uri: "https://api.example/x".into(),
            shr_claims: r#"{"c":1}"#.into(),
            shr_nonce: "n".into(),
            shr_typ: "pop+app".into(),
        };
        for scheme in [pop, AuthScheme::Dpop { method: "GET".into(), uri: "https://api.example/".into() }] {
            let b = Binding { kid: "kid-1".into(), scheme, new_key: true };
            assert_eq!(Binding::from_json(&Json::parse(&b.to_json().to_json()).unwrap()), Some(b));
        }
    }
}
