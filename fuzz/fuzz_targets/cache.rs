//! Cache deserialization: `Json::parse`, the browser entities (`Credential`, `AccountEntity`),
//! `TokenCache::load` over a `MemoryStore` seeded from the input, and the unified cache.
//!
//! Input: a JSON object `{storage key: value}` seeds the store (string values as is, other
//! values as their JSON text); the same text is also fed to every other parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msal_wasm::core::cache::{unified, AccountEntity, AtQuery, Credential, KeyValueStore, MemoryStore, TokenCache};
use msal_wasm::core::json::Json;
use msal_wasm::core::scopes::ScopeSet;
use std::rc::Rc;

const CLIENT: &str = "client-1";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = Json::parse(&text);
    if let Ok(j) = &parsed {
        // Printing and re-parsing gives the same value.
        let again = Json::parse(&j.to_json()).expect("printed JSON parses");
        assert_eq!(&again, j);
        if let Some(c) = Credential::from_json(j) {
            let _ = format!("{c:?}");
            let back = Credential::from_json(&c.to_json()).expect("a written credential reads back");
            assert_eq!(back.secret, c.secret);
            assert_eq!(back.credential_type, c.credential_type);
        }
        if let Some(a) = AccountEntity::from_json(j) {
            let back = AccountEntity::from_json(&a.to_json()).expect("a written account reads back");
            assert_eq!(back.account.home_account_id, a.account.home_account_id);
        }
    }
    // The store, seeded from the input (or from NUL-separated key/value pairs).
    let store = Rc::new(MemoryStore::new());
    match &parsed {
        Ok(Json::Obj(fields)) => {
            for (k, v) in fields {
                let value = match v {
                    Json::Str(s) => s.clone(),
                    other => other.to_json(),
                };
                let _ = store.set(k, &value);
            }
        }
        _ => {
            let mut parts = text.split('\0');
            while let (Some(k), Some(v)) = (parts.next(), parts.next()) {
                let _ = store.set(k, v);
            }
        }
    }
    let (mut cache, _issues) = TokenCache::load(store.clone(), CLIENT);
    // A second load of what the first one left is clean and finds the same entities.
    let count = cache.credentials().count();
    let accounts = cache.accounts().count();
    let (again, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "second load reported {issues:?}");
    assert_eq!(again.credentials().count(), count);
    assert_eq!(again.accounts().count(), accounts);
    let homes: Vec<String> = cache.accounts().map(|a| a.home_account_id.clone()).collect();
    let envs = vec!["login.microsoftonline.com".to_owned()];
    let scopes = ScopeSet::parse("User.Read");
    for h in &homes {
        let q = AtQuery { home_account_id: h, environments: &envs, client_id: CLIENT, realm: "", scopes: &scopes, token_type: "Bearer" };
        let _ = cache.find_access_token(&q);
        let _ = cache.find_refresh_token(h, &envs, true);
        let _ = cache.find_id_token(h, &envs, "");
    }
    let _ = cache.active_account();
    let _ = format!("{cache:?}");
    if let Some(h) = homes.first() {
        let _ = cache.remove_account(h);
    }
    let _ = cache.clear();
    let _ = cache.reload();

    // The unified cache.
    if let Ok(u) = unified::deserialize(&text) {
        let out = u.serialize();
        let back = unified::deserialize(&out).expect("serialized cache reads back");
        assert_eq!(back, u);
        let mut typed = unified::UnifiedCache::new();
        for (_, a) in u.accounts() {
            typed.add_account(&a);
        }
        for (_, c) in u.credentials() {
            typed.add_credential(&c);
        }
        for (_, m) in u.app_metadata() {
            typed.add_app_metadata(&m);
        }
        let typed_back = unified::deserialize(&typed.serialize()).expect("typed cache reads back");
        assert_eq!(typed_back.credentials().len(), typed.credentials().len());
        let _ = format!("{u:?}");
    }
});
