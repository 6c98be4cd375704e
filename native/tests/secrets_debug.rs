//! No secret of the native types shows in `Debug` output (the browser types are checked in the
//! main crate's tests/secrets_debug.rs).

use msal_native::*;
use msal_wasm::core::cache::unified::UnifiedCache;
use msal_wasm::core::cache::{Credential as Entry, CredentialType};
use std::sync::Arc;

const PEM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/idp/.cert/localhost.pem");

#[test]
fn debug_output_holds_no_secret() {
    let secret = "client-secret-value-1234567890";
    let credential = Credential::Secret(secret.into());
    assert!(!format!("{credential:?}").contains(secret));

    let app = ConfidentialClientApplication::new(
        ConfidentialClientConfig::new("client", "https://login.microsoftonline.com/tenant", credential.clone()),
        None,
    )
    .unwrap();
    assert!(!format!("{app:?}").contains(secret));

    let claims =
        msal_wasm::core::id_token::IdTokenClaims::from_json(msal_wasm::core::json::Json::parse(r#"{"sub":"s","tid":"t"}"#).unwrap());
    let account = msal_wasm::core::account::Account::from_response("", Some(&claims), "e", "MSSTS", 0).unwrap();
    let id_token = Some(msal_wasm::secret::IdToken::new("id-token-value-1234567890"));
    let token = AppToken {
        access_token: msal_wasm::secret::AccessToken::new("access-token-value-1234567890"),
        token_type: "Bearer".into(),
        expires_on_ms: 1,
        refresh_on_ms: None,
        scopes: vec![],
        tenant_id: "t".into(),
        from_cache: false,
        correlation_id: "c".into(),
        dpop_proof: Some("dpop-proof-value-1234567890".into()),
        account: Some(msal_wasm::client::AccountInfo { account, id_token, id_token_claims: None }),
    };
    assert!(!format!("{token:?}").contains("access-token-value"));
    assert!(!format!("{token:?}").contains("id-token-value"));
    assert!(!format!("{token:?}").contains("dpop-proof-value"));

    // A DPoP key shows its thumbprint only.
    let dpop = DpopKey::generate().unwrap();
    let shown = format!("{dpop:?}");
    let x = dpop.public_jwk().to_json().string_or_empty("x");
    assert!(shown.contains(dpop.thumbprint()) && !x.is_empty() && !shown.contains(&x));

    let mut cache = UnifiedCache::new();
    cache.add_credential(&Entry::new(CredentialType::RefreshToken, "h", "e", "client", "", "refresh-token-value-1234567890"));
    let ctx = CacheContext::new(cache, Partition::Account("h".into()));
    assert!(!format!("{ctx:?}").contains("refresh-token-value"));

    // The certificate's private key: only the thumbprint is shown.
    let pem = std::fs::read_to_string(PEM).expect("the test provider writes tests/idp/.cert/localhost.pem (scripts/with-idp.mjs)");
    let cert = Certificate::from_pem(&pem, SigningAlgorithm::Rs256).unwrap();
    let shown = format!("{:?}", Credential::Certificate(Arc::new(cert)));
    let key = pem.split("-----BEGIN PRIVATE KEY-----").nth(1).unwrap();
    for line in key.lines().filter(|l| l.len() > 40) {
        assert!(!shown.contains(line));
    }
    assert!(shown.contains("x5t#S256"));

    // A PoP key shows its thumbprint only; an API's caller and a rejection show no token.
    let pop = PopKey::from_pem(&pem).unwrap();
    let shown = format!("{pop:?}");
    assert!(shown.contains(pop.thumbprint()));
    for line in key.lines().filter(|l| l.len() > 40) {
        assert!(!shown.contains(line));
    }
    assert!(!format!("{:?}", Rejection::BadSignature).contains('.'));

    // A web app's authorize request: its state (the app's CSRF value) is not shown, as the
    // browser's InteractiveRequest does not show it.
    let req = AuthCodeUrlRequest { state: "app-state-value-1234567890".into(), ..Default::default() };
    assert!(!format!("{req:?}").contains("app-state-value"));
    // The in-memory store of users' partitions holds their tokens: only its keys are shown.
    let store = MemoryClient::default();
    store.replace_all(vec![("partition-key".into(), r#"{"RefreshToken":{"x":{"secret":"refresh-token-value-0987654321"}}}"#.into())]);
    let shown = format!("{store:?}");
    assert!(shown.contains("partition-key") && !shown.contains("refresh-token-value"), "{shown}");
}
