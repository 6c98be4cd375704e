//! How a confidential client proves itself: a secret, a certificate (a client assertion it
//! signs: RS256 or PS256 with the certificate's `x5t#S256`), or an assertion the caller makes.

use msal_wasm::core::base64;
use msal_wasm::core::json::Json;
use msal_wasm::core::sha256::sha256;
use msal_wasm::error::{codes, AuthError};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What an assertion callback is told.
#[derive(Debug, Clone)]
pub struct AssertionContext {
    /// The client id.
    pub client_id: String,
    /// The token endpoint the assertion is for (its audience).
    pub token_endpoint: String,
}

/// A caller's assertion maker (msal-node's `clientAssertion` callback): e.g. a workload
/// identity's federated token.
pub type AssertionCallback = Arc<dyn Fn(AssertionContext) -> Pin<Box<dyn Future<Output = Result<String, AuthError>> + Send>> + Send + Sync>;

/// The signature algorithm of a certificate credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256 (what msal-node uses when asked, and Entra accepts).
    Ps256,
}

/// A confidential client's credential.
#[derive(Clone)]
pub enum Credential {
    /// `client_secret`.
    Secret(String),
    /// A certificate: the client signs a fresh assertion for every request.
    Certificate(Arc<Certificate>),
    /// An assertion made by the caller.
    Assertion(AssertionCallback),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Secret(_) => f.write_str("Credential::Secret([redacted])"),
            Credential::Certificate(c) => f.debug_tuple("Credential::Certificate").field(c).finish(),
            Credential::Assertion(_) => f.write_str("Credential::Assertion(<callback>)"),
        }
    }
}

/// A certificate and its private key.
pub struct Certificate {
    key: ring::signature::RsaKeyPair,
    thumbprint_sha256: String,
    algorithm: SigningAlgorithm,
    /// The PEM's certificates, base64 DER, the key's first: the `x5c` header, when `send_x5c`.
    chain: Vec<String>,
    send_x5c: bool,
    /// The certificate's SHA-1 thumbprint, base64url, sent as `x5t` instead of `x5t#S256`
    /// (see [`Certificate::with_sha1_thumbprint`]).
    thumbprint_sha1: Option<String>,
    /// The key's certificate, DER.
    leaf: Vec<u8>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate").field("x5t#S256", &self.thumbprint_sha256).field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

/// The DER bytes of the first PEM block labelled `label`.
pub(crate) fn pem_block(pem: &str, label: &str) -> Option<Vec<u8>> {
    pem_blocks(pem, label).into_iter().next()
}

/// The RSA key of a PEM: a PKCS#8 `PRIVATE KEY` block, else a PKCS#1 `RSA PRIVATE KEY` one
/// (OpenSSL's traditional format, which msal-node takes too).
pub(crate) fn rsa_key(pem: &str) -> Option<ring::signature::RsaKeyPair> {
    match pem_block(pem, "PRIVATE KEY") {
        Some(der) => ring::signature::RsaKeyPair::from_pkcs8(&der).ok(),
        None => ring::signature::RsaKeyPair::from_der(&pem_block(pem, "RSA PRIVATE KEY")?).ok(),
    }
}

/// The DER bytes of every PEM block labelled `label`, in order (one that does not decode ends
/// the list).
fn pem_blocks(mut pem: &str, label: &str) -> Vec<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    while let Some(at) = pem.find(&begin) {
        let start = at + begin.len();
        let Some(stop) = pem.get(start..).and_then(|rest| rest.find(&end)).map(|n| start + n) else { break };
        let body: String = pem.get(start..stop).unwrap_or_default().chars().filter(|c| !c.is_whitespace()).collect();
        let Some(der) = base64::decode(&body) else { break };
        out.push(der);
        pem = pem.get(stop + end.len()..).unwrap_or_default();
    }
    out
}

/// A certificate's thumbprint as msal-node is given it (`thumbprintSha256` or `thumbprint`), in
/// hex (the Azure portal's form; colons and spaces are ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Thumbprint {
    /// SHA-256 (`x5t#S256`).
    Sha256(String),
    /// SHA-1 (`x5t`; AD FS reads this one).
    Sha1(String),
}

impl Certificate {
    /// From the RSA private key alone (PEM, PKCS#8 or PKCS#1) and the certificate's thumbprint,
    /// as msal-node's `clientCertificate: { privateKey, thumbprintSha256 }` (or `thumbprint`):
    /// the assertion names the certificate by that thumbprint. Without the certificate there is
    /// no `x5c` ([`with_x5c`](Self::with_x5c) then sends none).
    pub fn from_key(key_pem: &str, thumbprint: Thumbprint, algorithm: SigningAlgorithm) -> Result<Certificate, AuthError> {
        let bad = |what: &'static str| AuthError::config(codes::INVALID_CONFIGURATION, what);
        let key = rsa_key(key_pem)
            .ok_or_else(|| bad("no unencrypted RSA private key (PKCS#8 PRIVATE KEY or PKCS#1 RSA PRIVATE KEY) in the PEM"))?;
        let (hex, len) = match &thumbprint {
            Thumbprint::Sha256(h) => (h, 32),
            Thumbprint::Sha1(h) => (h, 20),
        };
        let digits: Vec<u8> = hex.bytes().filter(|b| !matches!(b, b':' | b' ')).collect();
        let nibble = |b: u8| (b as char).to_digit(16);
        let bytes: Option<Vec<u8>> = digits.chunks(2).map(|p| Some((nibble(p[0])? * 16 + nibble(*p.get(1)?)?) as u8)).collect();
        let bytes = bytes
            .filter(|b| b.len() == len)
            .ok_or_else(|| bad("the thumbprint is not the hex of a SHA-256 (64 digits) or SHA-1 (40 digits) digest"))?;
        let digest = base64::encode_url(&bytes);
        let (thumbprint_sha256, thumbprint_sha1) = match thumbprint {
            Thumbprint::Sha256(_) => (digest, None),
            Thumbprint::Sha1(_) => (String::new(), Some(digest)),
        };
        Ok(Certificate { key, thumbprint_sha256, algorithm, chain: Vec::new(), send_x5c: false, thumbprint_sha1, leaf: Vec::new() })
    }

    /// From PEM text holding the certificate and its RSA private key, PKCS#8 or PKCS#1 (one
    /// file or two, concatenated).
    pub fn from_pem(pem: &str, algorithm: SigningAlgorithm) -> Result<Certificate, AuthError> {
        let bad = |what: &'static str| AuthError::config(codes::INVALID_CONFIGURATION, what);
        let mut certs = pem_blocks(pem, "CERTIFICATE");
        if certs.is_empty() {
            return Err(bad("no CERTIFICATE block in the PEM"));
        }
        let key =
            rsa_key(pem).ok_or_else(|| bad("no unencrypted RSA private key (PKCS#8 PRIVATE KEY or PKCS#1 RSA PRIVATE KEY) in the PEM"))?;
        // The key's certificate, wherever it is in the PEM (an issuer first, a renewed
        // certificate beside the old key): its public key (RSAPublicKey, DER) is inside it.
        let public = key.public().as_ref();
        let at = certs
            .iter()
            .position(|c| c.windows(public.len()).any(|w| w == public))
            .ok_or_else(|| bad("the PEM's private key belongs to none of its certificates"))?;
        let leaf = certs.remove(at);
        let chain = std::iter::once(&leaf).chain(&certs).map(|c| base64::encode_std(c)).collect();
        let thumbprint_sha256 = base64::encode_url(&sha256(&leaf));
        Ok(Certificate { key, thumbprint_sha256, algorithm, chain, send_x5c: false, thumbprint_sha1: None, leaf })
    }

    /// Names the certificate by its SHA-1 thumbprint (`x5t`) instead of its SHA-256 one
    /// (`x5t#S256`), as msal-node does for a certificate configured by `thumbprint`: AD FS
    /// reads `x5t` only.
    /// (One made [`from_key`](Self::from_key) keeps the thumbprint it was given.)
    pub fn with_sha1_thumbprint(mut self) -> Certificate {
        if !self.leaf.is_empty() {
            let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.leaf);
            self.thumbprint_sha1 = Some(base64::encode_url(digest.as_ref()));
        }
        self
    }

    /// Sends the PEM's certificates (the first is the client's, then its issuers, in the
    /// PEM's order) in each assertion's `x5c` header, as msal-node does with
    /// `clientCertificate.x5c`: Entra's subject name and issuer authentication needs them.
    pub fn with_x5c(mut self) -> Certificate {
        self.send_x5c = true;
        self
    }

    /// The certificate's SHA-256 thumbprint, base64url (`x5t#S256`; empty for one made
    /// [`from_key`](Self::from_key) with a SHA-1 thumbprint).
    pub fn thumbprint_sha256(&self) -> &str {
        &self.thumbprint_sha256
    }

    /// A signed client assertion (RFC 7523) for `client_id` at `token_endpoint`.
    pub fn assertion(&self, client_id: &str, token_endpoint: &str, now_s: u64, jti: &str) -> Result<String, AuthError> {
        let alg = match self.algorithm {
            SigningAlgorithm::Rs256 => "RS256",
            SigningAlgorithm::Ps256 => "PS256",
        };
        let mut header = Json::object().with("alg", alg).with("typ", "JWT");
        header = match &self.thumbprint_sha1 {
            Some(sha1) => header.with("x5t", sha1.as_str()),
            None => header.with("x5t#S256", self.thumbprint_sha256.as_str()),
        };
        if self.send_x5c && !self.chain.is_empty() {
            header = header.with("x5c", Json::Arr(self.chain.iter().map(|c| Json::from(c.as_str())).collect()));
        }
        let header = header.to_json();
        let claims = msal_wasm::core::token::client_assertion_claims(client_id, token_endpoint, now_s, jti);
        let signing_input = format!("{}.{}", base64::encode_url(header.as_bytes()), base64::encode_url(claims.as_bytes()));
        let padding: &dyn ring::signature::RsaEncoding = match self.algorithm {
            SigningAlgorithm::Rs256 => &ring::signature::RSA_PKCS1_SHA256,
            SigningAlgorithm::Ps256 => &ring::signature::RSA_PSS_SHA256,
        };
        let mut signature = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(padding, &ring::rand::SystemRandom::new(), signing_input.as_bytes(), &mut signature)
            .map_err(|_| AuthError::client(codes::UNEXPECTED_ERROR, "could not sign the client assertion"))?;
        Ok(format!("{signing_input}.{}", base64::encode_url(&signature)))
    }
}
