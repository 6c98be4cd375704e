//! Interoperability of the unified cache (spec §1) with msal-node and MSAL Python.
//!
//! Driven by `tests/interop/run.sh`; every test here is `#[ignore]`d so a plain `cargo test`
//! skips it. The directory to work in is `$INTEROP_DIR`:
//!
//! 1. `write_input` writes `input.json`: a cache built with our unified writer from the spec
//!    (account, ID token, access token, family refresh token, app metadata), plus an unknown
//!    field on every entity and an unknown top-level section.
//! 2. The peers read it and write `node.json` / `python.json`.
//! 3. `check_peers` checks that no field of `input.json` was lost by either peer, re-serializes
//!    each (`rust_from_node.json`, `rust_from_python.json`) and writes `rust_typed.json`, a
//!    cache rebuilt from our typed entities only; the peers then read those back.

use msal_wasm::core::account::{Account, TenantProfile};
use msal_wasm::core::base64;
use msal_wasm::core::cache::entities::{AccountEntity, Credential, CredentialType};
use msal_wasm::core::cache::unified::{self, AppMetadata, Section, UnifiedCache};
use msal_wasm::core::json::Json;
use msal_wasm::core::scopes::ScopeSet;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

const CLIENT_ID: &str = "b1c0ab8e-0a6c-4a8f-9d43-2c5e8a7c1f01";
const TENANT: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
const UID: &str = "5a1e9c4b-7d3f-4f8e-a2b6-0c9d8e7f6a51";
const ENV: &str = "login.microsoftonline.com";
const USERNAME: &str = "ada@contoso.com";
const AT_SECRET: &str = "interop-access-token";
const RT_SECRET: &str = "interop-refresh-token";
const UNKNOWN_FIELD: &str = "x_other_sdk_field";
const UNKNOWN_SECTION: &str = "OtherSdkSection";

fn dir() -> PathBuf {
    PathBuf::from(std::env::var("INTEROP_DIR").expect("INTEROP_DIR must be set (run tests/interop/run.sh)"))
}

fn read(name: &str) -> String {
    let p = dir().join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

fn write(name: &str, text: &str) {
    let p = dir().join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("writing {}: {e}", p.display()));
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn home() -> String {
    format!("{UID}.{TENANT}")
}

fn client_info() -> String {
    base64::encode_url(format!(r#"{{"uid":"{UID}","utid":"{TENANT}"}}"#).as_bytes())
}

fn id_token(now: u64) -> String {
    let header = base64::encode_url(br#"{"typ":"JWT","alg":"RS256","kid":"interop"}"#);
    let claims = format!(
        r#"{{"aud":"{CLIENT_ID}","iss":"https://login.microsoftonline.com/{TENANT}/v2.0","iat":{now},"nbf":{now},"exp":{},"name":"Ada Lovelace","oid":"{UID}","preferred_username":"{USERNAME}","sub":"sub-{UID}","tid":"{TENANT}","ver":"2.0"}}"#,
        now + 3600
    );
    format!("{header}.{}.c2lnbmF0dXJl", base64::encode_url(claims.as_bytes()))
}

/// An unknown field value with numbers, nesting and null, as another SDK might write.
fn unknown_value(tag: &str) -> Json {
    Json::parse(&format!(r#"{{"tag":"{tag}","n":42,"list":[1,"two",null,true],"nested":{{"deep":"yes"}}}}"#)).unwrap()
}

fn credential(t: CredentialType, secret: &str, now: u64) -> Credential {
    Credential { last_updated_at: now * 1000, ..Credential::new(t, &home(), ENV, CLIENT_ID, TENANT, secret) }
}

/// The cache of step 1, built with our typed writer.
fn build_input(now: u64) -> Json {
    let mut cache = UnifiedCache::new();
    let account = AccountEntity {
        account: Account {
            home_account_id: home(),
            environment: ENV.into(),
            realm: TENANT.into(),
            local_account_id: UID.into(),
            username: USERNAME.into(),
            name: "Ada Lovelace".into(),
            authority_type: "MSSTS".into(),
            client_info: client_info(),
            tenant_profiles: vec![TenantProfile {
                tenant_id: TENANT.into(),
                local_account_id: UID.into(),
                name: "Ada Lovelace".into(),
                username: USERNAME.into(),
                login_hint: String::new(),
                upn: String::new(),
                is_home_tenant: true,
            }],
            last_updated_at_ms: now * 1000,
            data_boundary: String::new(),
            cloud_graph_host_name: String::new(),
            ms_graph_host: String::new(),
        },
        extra: vec![(UNKNOWN_FIELD.into(), unknown_value("account"))],
        profile_extra: Vec::new(),
    };
    cache.add_account(&account);
    let mut idt = credential(CredentialType::IdToken, &id_token(now), now);
    idt.extra.push((UNKNOWN_FIELD.into(), unknown_value("idtoken")));
    cache.add_credential(&idt);
    let mut at = credential(CredentialType::AccessToken, AT_SECRET, now);
    at.target = "User.Read Mail.Read".into();
    at.scopes = ScopeSet::parse(&at.target);
    at.cached_at = now;
    at.expires_on = now + 3600;
    at.extended_expires_on = now + 7200;
    at.token_type = "Bearer".into();
    at.extra.push((UNKNOWN_FIELD.into(), unknown_value("accesstoken")));
    cache.add_credential(&at);
    let mut rt = credential(CredentialType::RefreshToken, RT_SECRET, now);
    rt.realm = String::new();
    rt.family_id = "1".into();
    rt.extra.push((UNKNOWN_FIELD.into(), unknown_value("refreshtoken")));
    cache.add_credential(&rt);
    cache.add_app_metadata(&AppMetadata {
        client_id: CLIENT_ID.into(),
        environment: ENV.into(),
        family_id: "1".into(),
        extra: vec![(UNKNOWN_FIELD.into(), unknown_value("appmetadata"))],
    });
    let mut doc = cache.to_json();
    doc.set(UNKNOWN_SECTION, Json::parse(r#"{"some-key":{"kept":true,"n":1.5,"s":"x"}}"#).unwrap());
    doc
}

#[test]
#[ignore = "run by tests/interop/run.sh"]
fn write_input() {
    let doc = build_input(now());
    // Sanity: our own reader accepts it and sees every entity.
    let c = unified::deserialize(&doc.to_json()).unwrap();
    assert_eq!(c.accounts().len(), 1);
    assert_eq!(c.credentials().len(), 3);
    assert_eq!(c.app_metadata().len(), 1);
    write("input.json", &doc.to_json());
    // Also a meta file the peer scripts read.
    let meta = Json::object()
        .with("clientId", CLIENT_ID)
        .with("tenant", TENANT)
        .with("homeAccountId", home().as_str())
        .with("username", USERNAME)
        .with("accessToken", AT_SECRET)
        .with("scope", "User.Read");
    write("meta.json", &meta.to_json());
}

/// Same JSON value, numbers compared by value (peers re-print `1.50` as `1.5`). Objects: every
/// field of `want` must be in `got` with the same value (peers may add fields).
fn same(want: &Json, got: &Json) -> bool {
    match (want, got) {
        (Json::Num(a), Json::Num(b)) => a == b || a.parse::<f64>().ok() == b.parse::<f64>().ok(),
        (Json::Arr(a), Json::Arr(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (Json::Obj(a), Json::Obj(_)) => a.iter().all(|(k, v)| got.get(k).is_some_and(|g| same(v, g))),
        (a, b) => a == b,
    }
}

/// Finds `want` in the peer's section: by key, else by the fields that identify an entity.
fn find_entity<'a>(peer: &'a Json, section: &str, key: &str, want: &Json) -> Option<(&'a str, &'a Json)> {
    let sec = peer.get(section)?.as_object()?;
    if let Some((k, v)) = sec.iter().find(|(k, _)| k == key) {
        return Some((k.as_str(), v));
    }
    let id = ["home_account_id", "environment", "credential_type", "client_id", "realm", "target"];
    sec.iter().find(|(_, v)| id.iter().all(|f| want.get(f) == v.get(f))).map(|(k, v)| (k.as_str(), v))
}

/// Every failure of a peer to keep our data.
fn lost_fields(input: &Json, peer_name: &str, peer: &Json) -> Vec<String> {
    let mut problems = Vec::new();
    for s in Section::ALL {
        for (key, want) in input.get(s.name()).and_then(Json::as_object).unwrap_or_default() {
            match find_entity(peer, s.name(), key, want) {
                None => problems.push(format!("{peer_name}: {}/{key} is gone", s.name())),
                Some((got_key, got)) => {
                    if got_key != key {
                        println!("note: {peer_name} re-keyed {}/{key} as {got_key}", s.name());
                    }
                    for (field, v) in want.as_object().unwrap_or_default() {
                        match got.get(field) {
                            None => problems.push(format!("{peer_name}: {}/{key}: field {field} lost", s.name())),
                            Some(g) if !same(v, g) => problems.push(format!(
                                "{peer_name}: {}/{key}: field {field} changed from {} to {}",
                                s.name(),
                                v.to_json(),
                                g.to_json()
                            )),
                            Some(_) => {}
                        }
                    }
                }
            }
        }
    }
    match (input.get(UNKNOWN_SECTION), peer.get(UNKNOWN_SECTION)) {
        (Some(w), Some(g)) if same(w, g) => {}
        (Some(_), Some(g)) => problems.push(format!("{peer_name}: section {UNKNOWN_SECTION} changed to {}", g.to_json())),
        _ => problems.push(format!("{peer_name}: section {UNKNOWN_SECTION} lost")),
    }
    problems
}

#[test]
#[ignore = "run by tests/interop/run.sh"]
fn check_peers() {
    let input_text = read("input.json");
    let input = Json::parse(&input_text).unwrap();
    let mut problems = Vec::new();
    for (peer, file) in [("msal-node", "node"), ("msal-python", "python")] {
        let text = read(&format!("{file}.json"));
        let json = Json::parse(&text).unwrap_or_else(|e| panic!("{peer} wrote invalid JSON at {}", e.offset));
        problems.extend(lost_fields(&input, peer, &json));
        // Our reader takes the peer's output, typed views included, and writes it back exactly.
        let ours = unified::deserialize(&text).unwrap_or_else(|e| panic!("{peer}'s cache: {e}"));
        if ours.accounts().len() != 1 || ours.credentials().len() != 3 || ours.app_metadata().len() != 1 {
            problems.push(format!("{peer}: typed views see {:?}", ours));
        }
        let again = ours.serialize();
        if Json::parse(&again).ok() != Some(json.clone()) {
            problems.push(format!("{peer}: our re-serialization differs from what it wrote"));
        }
        write(&format!("rust_from_{file}.json"), &again);
    }
    // A cache rebuilt only from our typed entities (keys from our key functions).
    let input_cache = unified::deserialize(&input_text).unwrap();
    let mut typed = UnifiedCache::new();
    for (_, a) in input_cache.accounts() {
        typed.add_account(&a);
    }
    for (_, c) in input_cache.credentials() {
        typed.add_credential(&c);
    }
    for (_, m) in input_cache.app_metadata() {
        typed.add_app_metadata(&m);
    }
    // The typed rebuild has exactly the input's entities and keys (the unknown section aside).
    let mut input_wo_section = input.clone();
    input_wo_section.remove(UNKNOWN_SECTION);
    if typed.to_json() != input_wo_section {
        problems.push(format!("typed rebuild differs from the input:\n{}\n{}", typed.serialize(), input_wo_section.to_json()));
    }
    write("rust_typed.json", &typed.serialize());
    assert!(problems.is_empty(), "interop problems:\n{}", problems.join("\n"));
}
