//! DPoP keys for the native clients (RFC 9449): an ECDSA P-256 key, generated in memory or read
//! from a PEM file (PKCS#8), that signs the proofs of token requests and of the app's calls to
//! its APIs. The proofs themselves are built by `msal_wasm::core::dpop`, as in the browser.

use msal_wasm::client::AuthScheme;
use msal_wasm::core::base64;
use msal_wasm::core::dpop::{self, ProofClaims, PublicJwk};
use msal_wasm::error::{codes, AuthError};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

/// A DPoP key: the private key never leaves this value (no accessor; `Debug` shows the
/// thumbprint only).
pub struct DpopKey {
    pair: EcdsaKeyPair,
    public: PublicJwk,
    kid: String,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopKey").field("jkt", &self.kid).finish_non_exhaustive()
    }
}

fn rng() -> ring::rand::SystemRandom {
    ring::rand::SystemRandom::new()
}

impl DpopKey {
    fn from_pkcs8_der(der: &[u8]) -> Result<DpopKey, AuthError> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng())
            .map_err(|_| AuthError::config(codes::INVALID_CONFIGURATION, "the DPoP key is not a PKCS#8 P-256 key"))?;
        // The public key is the uncompressed point: 0x04 || x || y.
        let point = pair.public_key().as_ref();
        let (x, y) = match point.split_first() {
            Some((4, xy)) if xy.len() == 64 => xy.split_at(32),
            _ => return Err(AuthError::config(codes::INVALID_CONFIGURATION, "the DPoP key's public point is not uncompressed P-256")),
        };
        let public = PublicJwk::Ec { x: base64::encode_url(x), y: base64::encode_url(y) };
        let kid = public.thumbprint();
        Ok(DpopKey { pair, public, kid })
    }

    /// A new key, in memory only.
    pub fn generate() -> Result<DpopKey, AuthError> {
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng())
            .map_err(|_| AuthError::client(codes::CRYPTO_NONEXISTENT, "could not generate a P-256 key"))?;
        DpopKey::from_pkcs8_der(der.as_ref())
    }

    /// The key of a PEM `PRIVATE KEY` block (PKCS#8, P-256; `openssl genpkey -algorithm EC
    /// -pkeyopt ec_paramgen_curve:P-256`), so that it lasts across runs.
    pub fn from_pem(pem: &str) -> Result<DpopKey, AuthError> {
        let der = crate::credential::pem_block(pem, "PRIVATE KEY")
            .ok_or_else(|| AuthError::config(codes::INVALID_CONFIGURATION, "no PKCS#8 PRIVATE KEY block in the PEM"))?;
        DpopKey::from_pkcs8_der(&der)
    }

    /// The JWK thumbprint (`jkt`): the key's id, and the `keyId` of the tokens bound to it.
    pub fn thumbprint(&self) -> &str {
        &self.kid
    }

    /// The public key.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// ES256 signature of `data` (`r || s`).
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, AuthError> {
        self.pair
            .sign(&rng(), data)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| AuthError::client(codes::UNEXPECTED_ERROR, "could not sign the DPoP proof"))
    }

    /// A proof for `method` `url` (normalized: msal's `invalid_dpop_htm`/`invalid_dpop_htu`),
    /// with the server's `nonce` when it asked for one and the `access_token` a resource call
    /// carries (its hash is `ath`). `htu` is `url` as reqwest sends it (the url crate's form);
    /// a URL that crate refuses is msal's `url_parse_error`.
    pub fn proof(&self, method: &str, url: &str, nonce: Option<&str>, access_token: Option<&str>) -> Result<String, AuthError> {
        let htm = dpop::normalize_htm(method)?;
        // (A scheme the url crate reads otherwise than a browser, as `ftp:` or `file:`, is
        // refused as given.)
        let sent = match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u.to_string(),
            Ok(_) => url.to_owned(),
            Err(_) => return Err(AuthError::config(codes::URL_PARSE_ERROR, "the DPoP target is not a URL")),
        };
        let htu = dpop::normalize_htu(&sent)?;
        if nonce.is_some_and(|n| n.trim().is_empty()) {
            return Err(AuthError::config(codes::INVALID_DPOP_NONCE, "the DPoP nonce is empty"));
        }
        let jti = crate::random_guid()?;
        let input =
            dpop::signing_input(&self.public, &ProofClaims { htm: &htm, htu: &htu, iat: crate::now_s(), jti: &jti, nonce, access_token });
        dpop::proof(&input, &self.sign(input.as_bytes())?)
    }
}

/// An RSA key for msal's `pop` scheme (signed HTTP requests), read from a PEM `PRIVATE KEY`
/// block (PKCS#8 RSA, 2048 bits or more; ring makes no RSA keys, so it is the app's).
pub struct PopKey {
    pair: ring::signature::RsaKeyPair,
    public: PublicJwk,
    kid: String,
}

impl std::fmt::Debug for PopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PopKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl PopKey {
    /// The key of a PEM's `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1) block (a
    /// key+certificate file works too).
    pub fn from_pem(pem: &str) -> Result<PopKey, AuthError> {
        let bad = || AuthError::config(codes::INVALID_CONFIGURATION, "the PoP key is not an unencrypted RSA key (PKCS#8 or PKCS#1)");
        let pair = crate::credential::rsa_key(pem).ok_or_else(bad)?;
        let parts = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
        let public = PublicJwk::Rsa { n: base64::encode_url(&parts.n), e: base64::encode_url(&parts.e) };
        let kid = public.thumbprint();
        Ok(PopKey { pair, public, kid })
    }

    /// The JWK thumbprint: `req_cnf`'s `kid`, the tokens' `cnf.kid`.
    pub fn thumbprint(&self) -> &str {
        &self.kid
    }

    /// The public key.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// RS256 signature of `data`.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, AuthError> {
        let mut out = vec![0u8; self.pair.public().modulus_len()];
        self.pair
            .sign(&ring::signature::RSA_PKCS1_SHA256, &rng(), data, &mut out)
            .map_err(|_| AuthError::client(codes::UNEXPECTED_ERROR, "could not sign the PoP request"))?;
        Ok(out)
    }

    /// The signed HTTP request wrapping `access_token` for the resource request of `scheme`'s
    /// pop fields (msal's `signPopToken`: method, URL, `shrNonce` or a new GUID, `shrClaims`,
    /// `shrOptions.header.typ`): send it as `Authorization: PoP <request>`.
    pub fn sign_request(&self, access_token: &str, scheme: &AuthScheme) -> Result<String, AuthError> {
        let [method, url, client_claims, nonce] = scheme.resource_request();
        let typ = scheme.shr_typ();
        let fresh = crate::random_guid()?;
        let ts = crate::now_s();
        let claims =
            dpop::ShrClaims { access_token, ts, method, url, nonce: if nonce.is_empty() { &fresh } else { nonce }, client_claims, typ };
        let input = dpop::shr_signing_input(&self.kid, &self.public, &claims);
        dpop::proof(&input, &self.sign(input.as_bytes())?)
    }
}

/// A binding key of the native platform: DPoP's or PoP's.
#[derive(Debug)]
pub(crate) enum NativeKey {
    Dpop(std::sync::Arc<DpopKey>),
    Pop(std::sync::Arc<PopKey>),
}

impl NativeKey {
    pub(crate) fn thumbprint(&self) -> &str {
        match self {
            NativeKey::Dpop(k) => k.thumbprint(),
            NativeKey::Pop(k) => k.thumbprint(),
        }
    }

    pub(crate) fn public_jwk(&self) -> &PublicJwk {
        match self {
            NativeKey::Dpop(k) => k.public_jwk(),
            NativeKey::Pop(k) => k.public_jwk(),
        }
    }

    pub(crate) fn sign(&self, data: &[u8]) -> Result<Vec<u8>, AuthError> {
        match self {
            NativeKey::Dpop(k) => k.sign(data),
            NativeKey::Pop(k) => k.sign(data),
        }
    }
}
