use super::*;
use crate::core::account::{authority_type, TenantProfile};
use crate::core::base64;
use crate::core::http::HttpResponse;
use crate::core::id_token::IdTokenClaims;
use ::core::cell::RefCell;
use alloc::rc::Rc;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const CLIENT: &str = "client-1";
const ENV: &str = "login.microsoftonline.com";
const HOME: &str = "uid-1.utid-1";
const REALM: &str = "utid-1";
const NOW: u64 = 1_700_000_000;

fn client_info(uid: &str, utid: &str) -> String {
    base64::encode_url(format!(r#"{{"uid":"{uid}","utid":"{utid}"}}"#).as_bytes())
}

fn jwt(claims: &str) -> String {
    format!("eyJhbGciOiJub25lIn0.{}.sig", base64::encode_url(claims.as_bytes()))
}

fn id_token_for(uid: &str, utid: &str) -> String {
    jwt(&format!(r#"{{"sub":"sub-{uid}","oid":"{uid}","tid":"{utid}","preferred_username":"{uid}@contoso.com","name":"User {uid}"}}"#))
}

fn account_for(uid: &str, utid: &str) -> Account {
    let claims = IdTokenClaims::decode(&id_token_for(uid, utid)).unwrap();
    Account::from_response(&client_info(uid, utid), Some(&claims), ENV, authority_type::MSSTS, NOW * 1000).unwrap()
}

fn account() -> Account {
    account_for("uid-1", "utid-1")
}

/// A token response as the server would send it.
fn response(at: &str, scope: &str, extra: &str) -> TokenResponse {
    let body = format!(
        r#"{{"token_type":"Bearer","scope":"{scope}","expires_in":3600,"ext_expires_in":3600,"access_token":"{at}",
        "refresh_token":"rt-{at}","id_token":"{}","client_info":"{}"{extra}}}"#,
        id_token_for("uid-1", "utid-1"),
        client_info("uid-1", "utid-1"),
    );
    TokenResponse::parse(&HttpResponse::new(200, body), NOW).unwrap()
}

fn new_cache() -> TokenCache<Rc<MemoryStore>> {
    let (cache, issues) = TokenCache::load(Rc::new(MemoryStore::new()), CLIENT);
    assert!(issues.is_empty());
    cache
}

fn save(cache: &mut TokenCache<Rc<MemoryStore>>, r: &TokenResponse, a: &Account, realm: &str, requested: &str) {
    save_kmsi(cache, r, a, realm, requested, false);
}

/// [`save`] into any store, "keep me signed in" or not.
fn save_kmsi<S: KeyValueStore>(cache: &mut TokenCache<S>, r: &TokenResponse, a: &Account, realm: &str, requested: &str, kmsi: bool) {
    let requested = ScopeSet::parse(requested);
    cache
        .save(&SaveRequest {
            response: r,
            account: a,
            realm,
            at_realm: None,
            requested: &requested,
            key_id: "",
            resource: "",
            attribute_tokens: "",
            environments: &[],
            store: Default::default(),
            kmsi,
            now_ms: r.cached_at * 1000,
        })
        .unwrap();
}

fn envs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn find<'c>(
    cache: &'c TokenCache<Rc<MemoryStore>>,
    scopes: &str,
    environments: &[&str],
    realm: &str,
    token_type: &str,
) -> Option<&'c Credential> {
    let scopes = ScopeSet::parse(scopes);
    let environments = envs(environments);
    cache.find_access_token(&AtQuery {
        home_account_id: HOME,
        environments: &environments,
        client_id: CLIENT,
        realm,
        scopes: &scopes,
        token_type,
        key_id: None,
        attribute_tokens: "",
    })
}

fn at_secrets(cache: &TokenCache<Rc<MemoryStore>>) -> Vec<String> {
    let mut v: Vec<String> = cache.credentials().filter(|c| c.credential_type.is_access_token()).map(|c| c.secret.clone()).collect();
    v.sort();
    v
}

/// Another tab writes the access token `value` under `key` and lists it.
fn write_listed(store: &MemoryStore, key: &str, value: &str) {
    store.set(key, value).unwrap();
    let mut lists = stored(store, TOKEN_KEYS);
    let mut ats = lists.get("accessToken").and_then(Json::as_array).unwrap().to_vec();
    ats.push(Json::from(key));
    lists.set("accessToken", Json::Arr(ats));
    store.set(TOKEN_KEYS, &lists.to_json()).unwrap();
}

fn stored(store: &MemoryStore, key: &str) -> Json {
    Json::parse(&store.get(key).unwrap_or_else(|| panic!("{key} not stored"))).unwrap()
}

const ACC_KEY: &str = "msal.3|uid-1.utid-1|login.microsoftonline.com|utid-1";
const IDT_KEY: &str = "msal.3|uid-1.utid-1|login.microsoftonline.com|idtoken|client-1|utid-1||";
const RT_KEY: &str = "msal.3|uid-1.utid-1|login.microsoftonline.com|refreshtoken|client-1|||";
const TOKEN_KEYS: &str = "msal.3.token.keys.client-1";
const ACCOUNT_KEYS: &str = "msal.3.account.keys";

// ---------------------------------------------------------------------------------------------
// Save and find
// ---------------------------------------------------------------------------------------------

#[test]
fn save_then_find_the_access_token() {
    let mut cache = new_cache();
    let r = response("at-1", "User.Read Mail.Read openid profile", "");
    save(&mut cache, &r, &account(), REALM, "User.Read Mail.Read");
    let at = find(&cache, "user.read", &[ENV], REALM, "Bearer").expect("found");
    assert_eq!(at.secret, "at-1");
    assert_eq!(at.expires_on, NOW + 3600);
    assert_eq!(at.extended_expires_on, NOW + 7200);
    assert_eq!(at.cached_at, NOW);
    // Superset rule: both scopes, in any case and order.
    assert!(find(&cache, "MAIL.READ User.Read", &[ENV], REALM, "Bearer").is_some());
    // Not a superset.
    assert!(find(&cache, "User.Read Files.Read", &[ENV], REALM, "Bearer").is_none());
    // Search scopes drop OIDC scopes first, as the client does.
    let search = ScopeSet::parse("User.Read openid profile offline_access").for_cache_search();
    assert!(find(&cache, &search.to_space_string(), &[ENV], REALM, "Bearer").is_some());
    // The account and its tokens.
    assert_eq!(cache.accounts().count(), 1);
    assert_eq!(cache.account(HOME).map(|a| a.username.as_str()), Some("uid-1@contoso.com"));
    let idt = cache.find_id_token(HOME, &envs(&[ENV]), REALM).expect("id token");
    assert_eq!(idt.secret, id_token_for("uid-1", "utid-1"));
    let rt = cache.find_refresh_token(HOME, &envs(&[ENV]), false).expect("rt");
    assert_eq!(rt.secret, "rt-at-1");
}

#[test]
fn find_respects_environment_aliases() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    assert!(find(&cache, "User.Read", &["login.windows.net", ENV, "login.microsoft.com"], REALM, "Bearer").is_some());
    assert!(find(&cache, "User.Read", &["LOGIN.MicrosoftOnline.com"], REALM, "Bearer").is_some());
    assert!(find(&cache, "User.Read", &["login.windows.net"], REALM, "Bearer").is_none());
    assert!(find(&cache, "User.Read", &[], REALM, "Bearer").is_none());
    assert!(cache.find_id_token(HOME, &envs(&["login.windows.net", ENV]), REALM).is_some());
    assert!(cache.find_id_token(HOME, &envs(&["login.windows.net"]), REALM).is_none());
    assert!(cache.find_refresh_token(HOME, &envs(&["login.windows.net"]), false).is_none());
}

#[test]
fn find_respects_realm_account_and_client() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    assert!(find(&cache, "User.Read", &[ENV], "UTID-1", "Bearer").is_some());
    assert!(find(&cache, "User.Read", &[ENV], "other-tenant", "Bearer").is_none());
    // An empty realm matches any (generic OIDC providers have no tenant).
    assert!(find(&cache, "User.Read", &[ENV], "", "Bearer").is_some());
    let scopes = ScopeSet::parse("User.Read");
    let e = envs(&[ENV]);
    let q = |home: &'static str, client: &'static str| AtQuery {
        home_account_id: home,
        environments: &e,
        client_id: client,
        realm: REALM,
        scopes: &scopes,
        token_type: "Bearer",
        key_id: None,
        attribute_tokens: "",
    };
    assert!(cache.find_access_token(&q("someone-else", CLIENT)).is_none());
    assert!(cache.find_access_token(&q(HOME, "client-2")).is_none());
    assert!(cache.find_access_token(&q(HOME, CLIENT)).is_some());
}

#[test]
fn find_respects_token_type() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-bearer", "User.Read", ""), &account(), REALM, "User.Read");
    assert!(find(&cache, "User.Read", &[ENV], REALM, "bearer").is_some());
    assert!(find(&cache, "User.Read", &[ENV], REALM, "").is_some());
    assert!(find(&cache, "User.Read", &[ENV], REALM, "pop").is_none());
    // A PoP token is a different entity with its own key.
    let body = format!(
        r#"{{"token_type":"pop","scope":"User.Read","expires_in":3600,"access_token":"at-pop","client_info":"{}"}}"#,
        client_info("uid-1", "utid-1")
    );
    let pop = TokenResponse::parse(&HttpResponse::new(200, body), NOW).unwrap();
    save(&mut cache, &pop, &account(), REALM, "User.Read");
    assert_eq!(find(&cache, "User.Read", &[ENV], REALM, "PoP").map(|c| c.secret.as_str()), Some("at-pop"));
    assert_eq!(find(&cache, "User.Read", &[ENV], REALM, "Bearer").map(|c| c.secret.as_str()), Some("at-bearer"));
    let pop_at = cache.credentials().find(|c| c.secret == "at-pop").unwrap();
    assert_eq!(pop_at.credential_type, CredentialType::AccessTokenWithAuthScheme);
    assert_eq!(
        credential_key(pop_at),
        "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken_with_authscheme|client-1|utid-1|user.read|pop"
    );
}

#[test]
fn dpop_tokens_carry_their_key_and_are_found_only_with_it() {
    let mut cache = new_cache();
    let body = format!(
        r#"{{"token_type":"DPoP","scope":"User.Read","expires_in":3600,"access_token":"at-dpop","refresh_token":"rt-dpop","client_info":"{}"}}"#,
        client_info("uid-1", "utid-1")
    );
    let r = TokenResponse::parse(&HttpResponse::new(200, body), NOW).unwrap();
    let requested = ScopeSet::parse("User.Read");
    cache
        .save(&SaveRequest {
            response: &r,
            account: &account(),
            realm: REALM,
            at_realm: None,
            requested: &requested,
            key_id: "jkt-1",
            resource: "",
            attribute_tokens: "",
            environments: &[],
            store: Default::default(),
            kmsi: false,
            now_ms: NOW * 1000,
        })
        .unwrap();
    let at = cache.credentials().find(|c| c.secret == "at-dpop").unwrap();
    assert_eq!(
        (at.credential_type, at.token_type.as_str(), at.key_id.as_str()),
        (CredentialType::AccessTokenWithAuthScheme, "DPoP", "jkt-1")
    );
    assert!(credential_key(at).ends_with("|dpop"));
    let rt = cache.credentials().find(|c| c.secret == "rt-dpop").unwrap();
    assert_eq!(rt.key_id, "jkt-1", "the refresh token is redeemed with its key");
    let scopes = ScopeSet::parse("User.Read");
    let e = envs(&[ENV]);
    let q = |token_type: &'static str, key_id: Option<&'static str>| AtQuery {
        home_account_id: HOME,
        environments: &e,
        client_id: CLIENT,
        realm: REALM,
        scopes: &scopes,
        token_type,
        key_id,
        attribute_tokens: "",
    };
    assert!(cache.find_access_token(&q("DPoP", None)).is_some());
    assert!(cache.find_access_token(&q("dpop", Some("jkt-1"))).is_some());
    assert!(cache.find_access_token(&q("DPoP", Some("jkt-2"))).is_none());
    assert!(cache.find_access_token(&q("Bearer", None)).is_none(), "a Bearer request never gets it");
}

#[test]
fn a_generic_providers_renewed_access_token_replaces_the_old_one() {
    // A generic provider's access token is kept under the authority's tenant segment (at_realm),
    // not the account's realm: the token a renewal replaces is found there too, or a forced
    // refresh would leave the older, longer-lived token to be served after it.
    let mut cache = new_cache();
    let requested = ScopeSet::parse("User.Read");
    // The sign-in's token names more scopes than the renewal's: another key, same scope.
    for (at, scope) in [("at-old", "openid profile User.Read Mail.Read"), ("at-new", "User.Read")] {
        let r = response(at, scope, "");
        cache
            .save(&SaveRequest {
                response: &r,
                account: &account(),
                realm: "",
                at_realm: Some("oidc"),
                requested: &requested,
                key_id: "",
                resource: "",
                attribute_tokens: "",
                environments: &[],
                store: Default::default(),
                kmsi: false,
                now_ms: NOW * 1000,
            })
            .unwrap();
    }
    assert_eq!(at_secrets(&cache), ["at-new"]);
}

#[test]
fn target_comes_from_the_response_else_the_request() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "Mail.Read", ""), &account(), REALM, "User.Read");
    let at = cache.credentials().find(|c| c.secret == "at-1").unwrap();
    assert_eq!(at.target, "Mail.Read");
    // No scope in the response: the requested scopes are stored.
    let body = format!(r#"{{"access_token":"at-2","expires_in":60,"client_info":"{}"}}"#, client_info("uid-1", "utid-1"));
    let r = TokenResponse::parse(&HttpResponse::new(200, body), NOW).unwrap();
    save(&mut cache, &r, &account(), REALM, "Files.Read Sites.Read");
    let at = cache.credentials().find(|c| c.secret == "at-2").unwrap();
    assert_eq!(at.target, "Files.Read Sites.Read");
    // OIDC-only request: openid and profile are added to the stored target.
    save(&mut cache, &response("at-3", "openid", ""), &account(), REALM, "openid profile offline_access");
    let at = cache.credentials().find(|c| c.secret == "at-3").unwrap();
    assert_eq!(at.target, "openid profile");
    assert!(find(&cache, "openid profile", &[ENV], REALM, "Bearer").is_some());
}

// ---------------------------------------------------------------------------------------------
// Storage layout
// ---------------------------------------------------------------------------------------------

#[test]
fn keys_are_exactly_the_v5_layout() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read Mail.Read", ""), &account(), REALM, "User.Read Mail.Read");
    let at_key = "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read mail.read|";
    let mut keys = store.keys();
    keys.sort();
    let mut want = vec![ACC_KEY, IDT_KEY, at_key, RT_KEY, TOKEN_KEYS, ACCOUNT_KEYS];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(
        store.get(TOKEN_KEYS).unwrap(),
        format!(r#"{{"idToken":["{IDT_KEY}"],"accessToken":["{at_key}"],"refreshToken":["{RT_KEY}"]}}"#)
    );
    assert_eq!(store.get(ACCOUNT_KEYS).unwrap(), format!(r#"["{ACC_KEY}"]"#));
}

/// msal's `hydrateCache` with a `Date` that has milliseconds stores seconds with a fraction,
/// which msal reads with `Number()`: such a token is served, not dropped as corrupt.
#[test]
fn timestamps_with_a_fraction_are_read_as_msal_reads_them() {
    let key = "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read|";
    let entity = format!(
        r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"AccessToken","clientId":"client-1","secret":"at-frac","realm":"utid-1","target":"user.read","cachedAt":"{NOW}.25","expiresOn":"{}.417","extendedExpiresOn":{}.5,"tokenType":"Bearer"}}"#,
        NOW + 3600,
        NOW + 3600
    );
    let store = Rc::new(MemoryStore::new());
    store.set(key, &entity).unwrap();
    store.set(TOKEN_KEYS, &format!(r#"{{"idToken":[],"accessToken":["{key}"],"refreshToken":[]}}"#)).unwrap();
    let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "{issues:?}");
    let at = find(&cache, "User.Read", &[ENV], REALM, "Bearer").expect("served");
    assert_eq!((at.cached_at, at.expires_on, at.extended_expires_on), (NOW, NOW + 3600, NOW + 3600));
    // What is no number stays unreadable.
    for bad in ["1.2.3", "12.x", ".5", "x"] {
        let j = Json::parse(&entity.replace(&format!("{}.417", NOW + 3600), bad)).unwrap();
        assert_eq!(Credential::from_json(&j).map_or(0, |c| c.expires_on), 0, "{bad}");
    }
}

/// An access token in an attribute-token partition as msal-browser 5.30 writes it; its key
/// and msal-node 7's were computed by msal's own `generateCredentialKey` for this entity.
#[test]
fn attribute_token_partitions_are_keyed_and_read_as_msal_writes_them() {
    const PARTITION: &str = "eyJhbGciOiJub25lIn0.eyJhIjoiMSJ9. eyJhbGciOiJub25lIn0.eyJiIjoiMiJ9.";
    let msal_key =
        "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read||uzeawpu5srgovt18_xfskcfwgvu7ichthbajcftt-u4";
    let entity = format!(
        r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"AccessToken","clientId":"client-1","secret":"at-attr","realm":"utid-1","target":"user.read","cachedAt":"{NOW}","expiresOn":"{}","extendedExpiresOn":"{}","tokenType":"Bearer","additionalCacheKeyComponents":{{"attribute_tokens":"{PARTITION}"}}}}"#,
        NOW + 3600,
        NOW + 3600
    );
    let c = Credential::from_json(&Json::parse(&entity).unwrap()).unwrap();
    assert_eq!(c.attribute_tokens, PARTITION);
    assert_eq!(credential_key(&c), msal_key);
    assert_eq!(
        crate::core::cache::unified::credential_key(&c),
        "uid-1.utid-1-login.microsoftonline.com-accesstoken-client-1-utid-1-user.read--d-xej1pnihw_e4wv8j8fsdsdhkjs_jjdmj41xinnemw"
    );
    assert_eq!(c.to_json(), Json::parse(&entity).unwrap(), "written back as read");
    // Loaded under msal's key, it is found only by a request of the same partition.
    let store = Rc::new(MemoryStore::new());
    store.set(msal_key, &entity).unwrap();
    store.set(TOKEN_KEYS, &format!(r#"{{"idToken":[],"accessToken":["{msal_key}"],"refreshToken":[]}}"#)).unwrap();
    let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "{issues:?}");
    assert!(find(&cache, "User.Read", &[ENV], REALM, "Bearer").is_none(), "not served to a request without attribute tokens");
    let (environments, scopes) = (envs(&[ENV]), ScopeSet::parse("User.Read"));
    let q = AtQuery {
        home_account_id: HOME,
        environments: &environments,
        client_id: CLIENT,
        realm: REALM,
        scopes: &scopes,
        token_type: "Bearer",
        key_id: None,
        attribute_tokens: PARTITION,
    };
    assert_eq!(cache.find_access_token(&q).map(|c| c.secret.as_str()), Some("at-attr"));
}

#[test]
fn keys_are_lower_cased() {
    let a =
        Account { home_account_id: "UID.UTID".into(), environment: "Login.MicrosoftOnline.com".into(), realm: "UTID".into(), ..account() };
    assert_eq!(account_key(&a), "msal.3|uid.utid|login.microsoftonline.com|utid");
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "User.Read", ""), &a, "UTID", "User.Read");
    let at = cache.credentials().find(|c| c.secret == "at-1").unwrap();
    assert_eq!(credential_key(at), "msal.3|uid.utid|login.microsoftonline.com|accesstoken|client-1|utid|user.read|");
    // The entity keeps the original case.
    assert_eq!(at.home_account_id, "UID.UTID");
    assert_eq!(at.target, "User.Read");
    // Entries' keys read as such (another tab's storage events are told apart by them).
    assert!(is_entry_key(&account_key(&a)) && is_entry_key(&credential_key(at)));
    for other in
        ["msal.3.account.keys", "msal.3.token.keys.client-1", "msal.client-1.active-account-filters", "msal.2|a|b|c", "msal.3x|a|b|c", ""]
    {
        assert!(!is_entry_key(other), "{other}");
    }
}

#[test]
fn family_refresh_token_key_uses_the_family_id() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read", r#","foci":"1""#), &account(), REALM, "User.Read");
    let rt_key = "msal.3|uid-1.utid-1|login.microsoftonline.com|refreshtoken|1|||";
    let rt = stored(&store, rt_key);
    assert_eq!(rt.str_field("familyId"), Some("1"));
    assert_eq!(rt.str_field("clientId"), Some(CLIENT));
    assert!(store.get(RT_KEY).is_none());
}

#[test]
fn entities_are_camel_case_with_string_timestamps() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read", r#","refresh_in":1800"#), &account(), REALM, "User.Read");
    let at_key = "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read|";
    let at = stored(&store, at_key);
    let names: Vec<&str> = at.as_object().unwrap().iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "homeAccountId",
            "environment",
            "credentialType",
            "clientId",
            "secret",
            "realm",
            "target",
            "cachedAt",
            "expiresOn",
            "extendedExpiresOn",
            "tokenType",
            "refreshOn",
            "lastUpdatedAt"
        ]
    );
    assert_eq!(at.str_field("credentialType"), Some("AccessToken"));
    assert_eq!(at.str_field("cachedAt"), Some(NOW.to_string().as_str()));
    assert_eq!(at.str_field("expiresOn"), Some((NOW + 3600).to_string().as_str()));
    assert_eq!(at.str_field("extendedExpiresOn"), Some((NOW + 7200).to_string().as_str()));
    assert_eq!(at.str_field("refreshOn"), Some((NOW + 1800).to_string().as_str()));
    assert_eq!(at.str_field("lastUpdatedAt"), Some((NOW * 1000).to_string().as_str()));
    assert_eq!(at.str_field("tokenType"), Some("Bearer"));
    assert_eq!(at.str_field("secret"), Some("at-1"));
    // No snake_case anywhere.
    for key in store.keys().iter().filter(|k| k.contains('|')) {
        let j = stored(&store, key);
        for (name, v) in j.as_object().unwrap() {
            assert!(!name.contains('_'), "{key}: {name}");
            if ["cachedAt", "expiresOn", "extendedExpiresOn", "refreshOn", "lastUpdatedAt"].contains(&name.as_str()) {
                assert!(matches!(v, Json::Str(_)), "{key}: {name} must be a string");
            }
        }
    }
    let acc = stored(&store, ACC_KEY);
    assert_eq!(acc.str_field("homeAccountId"), Some(HOME));
    assert_eq!(acc.str_field("localAccountId"), Some("uid-1"));
    assert_eq!(acc.str_field("authorityType"), Some("MSSTS"));
    assert_eq!(acc.str_field("clientInfo"), Some(client_info("uid-1", "utid-1").as_str()));
    assert!(matches!(acc.get("tenantProfiles"), Some(Json::Arr(p)) if matches!(p.first(), Some(Json::Obj(_)))));
    let idt = stored(&store, IDT_KEY);
    assert_eq!(idt.str_field("credentialType"), Some("IdToken"));
    assert_eq!(idt.str_field("realm"), Some(REALM));
    let rt = stored(&store, RT_KEY);
    assert_eq!(rt.str_field("credentialType"), Some("RefreshToken"));
    assert_eq!(rt.get("familyId"), None);
}

// ---------------------------------------------------------------------------------------------
// Replacement rules
// ---------------------------------------------------------------------------------------------

#[test]
fn saving_removes_intersecting_access_tokens_and_keeps_disjoint_ones() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-a", "User.Read Mail.Read openid profile", ""), &account(), REALM, "User.Read Mail.Read");
    save(&mut cache, &response("at-b", "Calendars.Read openid profile", ""), &account(), REALM, "Calendars.Read");
    // Only OIDC scopes in common: both kept.
    assert_eq!(at_secrets(&cache), ["at-a", "at-b"]);
    // Intersects at-a (mail.read, case-insensitively) only.
    save(&mut cache, &response("at-c", "MAIL.READ Files.Read", ""), &account(), REALM, "Mail.Read Files.Read");
    assert_eq!(at_secrets(&cache), ["at-b", "at-c"]);
    assert!(!store.keys().iter().any(|k| k.contains("user.read mail.read")));
    // Same scopes again: replaced in place.
    save(&mut cache, &response("at-d", "Calendars.Read openid profile", ""), &account(), REALM, "Calendars.Read");
    assert_eq!(at_secrets(&cache), ["at-c", "at-d"]);
    // The key list follows.
    let keys = stored(&store, TOKEN_KEYS);
    assert_eq!(keys.get("accessToken").and_then(Json::as_array).map(<[Json]>::len), Some(2));
}

#[test]
fn a_token_for_oidc_scopes_alone_replaces_another_such_token_not_an_apis() {
    // A generic provider's access tokens for its OIDC scopes alone (msal's intersectingScopeSets
    // compares OIDC scopes when the new set has nothing else), so they do not pile up.
    let mut cache = new_cache();
    save(&mut cache, &response("at-api", "User.Read openid profile", ""), &account(), REALM, "User.Read");
    save(&mut cache, &response("at-1", "openid profile", ""), &account(), REALM, "openid profile");
    save(&mut cache, &response("at-2", "openid profile email offline_access", ""), &account(), REALM, "openid profile email");
    assert_eq!(at_secrets(&cache), ["at-2", "at-api"]);
}

#[test]
fn a_save_under_one_host_of_the_cloud_takes_over_the_accounts_entries_under_another() {
    // msal-browser with `knownAuthorities: ["login.microsoftonline.com"]` keys the user's
    // entries by that host; this library by the cloud's preferred one. The next save is the
    // same user's: one account, and the new tokens replace the old ones.
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "User.Read openid profile", ""), &account(), REALM, "User.Read");
    let aliases: Vec<String> = ["login.microsoftonline.com", "login.windows.net", "sts.windows.net"].map(String::from).to_vec();
    let claims = IdTokenClaims::decode(&id_token_for("uid-1", "utid-1")).unwrap();
    let moved =
        Account::from_response(&client_info("uid-1", "utid-1"), Some(&claims), "login.windows.net", authority_type::MSSTS, NOW * 1000)
            .unwrap();
    let r = response("at-2", "User.Read openid profile", "");
    let requested = ScopeSet::parse("User.Read");
    cache
        .save(&SaveRequest {
            response: &r,
            account: &moved,
            realm: REALM,
            at_realm: None,
            requested: &requested,
            key_id: "",
            resource: "",
            attribute_tokens: "",
            environments: &aliases,
            store: Default::default(),
            kmsi: false,
            now_ms: NOW * 1000 + 1,
        })
        .unwrap();
    assert_eq!(cache.accounts().count(), 1, "one account");
    assert_eq!(at_secrets(&cache), ["at-2"]);
    let of = |t: CredentialType| cache.credentials().filter(|c| c.credential_type == t).map(|c| c.environment.clone()).collect::<Vec<_>>();
    assert_eq!(of(CredentialType::IdToken), ["login.windows.net"]);
    assert_eq!(of(CredentialType::RefreshToken), ["login.windows.net"]);
    assert_eq!(cache.find_refresh_token(HOME, &aliases, false).map(|c| c.secret.as_str()), Some("rt-at-2"));
}

#[test]
fn the_newest_of_an_accounts_id_or_refresh_tokens_under_two_hosts_is_used() {
    // Written by another library under the other host after ours: its entries are newer.
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    let rt = r#"{"homeAccountId":"uid-1.utid-1","environment":"login.windows.net","credentialType":"RefreshToken","clientId":"client-1","secret":"rt-newer","lastUpdatedAt":"1800000000000"}"#;
    let key = "msal.3|uid-1.utid-1|login.windows.net|refreshtoken|client-1|||";
    store.set(key, rt).unwrap();
    let mut lists = stored(&store, TOKEN_KEYS);
    let mut rts = lists.get("refreshToken").and_then(Json::as_array).unwrap().to_vec();
    rts.push(Json::from(key));
    lists.set("refreshToken", Json::Arr(rts));
    store.set(TOKEN_KEYS, &lists.to_json()).unwrap();
    let (cache, _) = TokenCache::load(store, CLIENT);
    let aliases: Vec<String> = ["login.microsoftonline.com", "login.windows.net"].map(String::from).to_vec();
    assert_eq!(cache.credentials().filter(|c| c.credential_type == CredentialType::RefreshToken).count(), 2);
    assert_eq!(cache.find_refresh_token(HOME, &aliases, false).map(|c| c.secret.as_str()), Some("rt-newer"));
}

#[test]
fn intersecting_tokens_of_other_tenants_accounts_or_types_are_kept() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-home", "User.Read", ""), &account(), REALM, "User.Read");
    save(&mut cache, &response("at-guest", "User.Read", ""), &account(), "guest-tenant", "User.Read");
    assert_eq!(at_secrets(&cache), ["at-guest", "at-home"]);
    let other = account_for("uid-2", "utid-1");
    save(&mut cache, &response("at-other", "User.Read", ""), &other, REALM, "User.Read");
    assert_eq!(at_secrets(&cache), ["at-guest", "at-home", "at-other"]);
    let body = format!(
        r#"{{"token_type":"pop","scope":"User.Read","expires_in":3600,"access_token":"at-pop","client_info":"{}"}}"#,
        client_info("uid-1", "utid-1")
    );
    save(&mut cache, &TokenResponse::parse(&HttpResponse::new(200, body), NOW).unwrap(), &account(), REALM, "User.Read");
    assert_eq!(at_secrets(&cache), ["at-guest", "at-home", "at-other", "at-pop"]);
    assert_eq!(cache.accounts().count(), 2);
}

#[test]
fn refresh_token_is_replaced_on_rotation() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    save(&mut cache, &response("at-2", "Mail.Read", ""), &account(), REALM, "Mail.Read");
    let rts: Vec<&str> =
        cache.credentials().filter(|c| c.credential_type == CredentialType::RefreshToken).map(|c| c.secret.as_str()).collect();
    assert_eq!(rts, ["rt-at-2"]);
    assert_eq!(stored(&store, RT_KEY).str_field("secret"), Some("rt-at-2"));
    // Now the server makes it a family token: the client's own RT goes, the family one stays.
    save(&mut cache, &response("at-3", "Files.Read", r#","foci":"1""#), &account(), REALM, "Files.Read");
    let rts: Vec<(&str, &str)> = cache
        .credentials()
        .filter(|c| c.credential_type == CredentialType::RefreshToken)
        .map(|c| (c.secret.as_str(), c.family_id.as_str()))
        .collect();
    assert_eq!(rts, [("rt-at-3", "1")]);
    assert!(store.get(RT_KEY).is_none());
    assert_eq!(stored(&store, TOKEN_KEYS).get("refreshToken").and_then(Json::as_array).map(<[Json]>::len), Some(1));
    // A response without a refresh token keeps the cached one.
    let body =
        format!(r#"{{"scope":"Sites.Read","expires_in":60,"access_token":"at-4","client_info":"{}"}}"#, client_info("uid-1", "utid-1"));
    save(&mut cache, &TokenResponse::parse(&HttpResponse::new(200, body), NOW).unwrap(), &account(), REALM, "Sites.Read");
    assert_eq!(cache.find_refresh_token(HOME, &envs(&[ENV]), true).map(|c| c.secret.as_str()), Some("rt-at-3"));
}

#[test]
fn family_refresh_token_lookup() {
    // Another app of the family (client-2) saved a family RT in the shared storage.
    let store = Rc::new(MemoryStore::new());
    {
        let (mut other, _) = TokenCache::load(store.clone(), "client-2");
        save(&mut other, &response("at-x", "User.Read", r#","foci":"1""#), &account(), REALM, "User.Read");
    }
    let (other, _) = TokenCache::load(store.clone(), "client-2");
    assert_eq!(other.find_refresh_token(HOME, &envs(&[ENV]), false).map(|c| c.secret.as_str()), Some("rt-at-x"));
    // In client-1's cache, a family RT saved by client-1 is found with family=true.
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read", r#","foci":"1""#), &account(), REALM, "User.Read");
    let fam = cache.find_refresh_token(HOME, &envs(&[ENV]), true).unwrap();
    assert_eq!(fam.family_id, "1");
    // A family RT written for client-2 but loaded into client-1's lists is usable only as family.
    let mut rt = fam.clone();
    rt.client_id = "client-2".into();
    rt.secret = "rt-from-client-2".into();
    let (mut cache2, _) = TokenCache::load(Rc::new(MemoryStore::new()), CLIENT);
    cache2.store().set(&credential_key(&rt), &rt.to_json().to_json()).unwrap();
    cache2
        .store()
        .set(&token_keys_key(SCHEMA, CLIENT), &format!(r#"{{"idToken":[],"accessToken":[],"refreshToken":["{}"]}}"#, credential_key(&rt)))
        .unwrap();
    cache2.reload();
    assert!(cache2.find_refresh_token(HOME, &envs(&[ENV]), false).is_none());
    assert_eq!(cache2.find_refresh_token(HOME, &envs(&[ENV]), true).map(|c| c.secret.as_str()), Some("rt-from-client-2"));
}

#[test]
fn remove_refresh_token_by_secret() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    cache.remove_refresh_token("rt-at-1").unwrap();
    assert!(cache.find_refresh_token(HOME, &envs(&[ENV]), true).is_none());
    assert!(cache.store().get(RT_KEY).is_none());
    assert!(find(&cache, "User.Read", &[ENV], REALM, "Bearer").is_some());
}

// ---------------------------------------------------------------------------------------------
// Expiry
// ---------------------------------------------------------------------------------------------

fn at_with(cached_at: u64, expires_on: u64, refresh_on: Option<u64>) -> Credential {
    let mut cache = new_cache();
    save(&mut cache, &response("at", "User.Read", ""), &account(), REALM, "User.Read");
    let mut c = cache.credentials().find(|c| c.credential_type.is_access_token()).unwrap().clone();
    c.cached_at = cached_at;
    c.expires_on = expires_on;
    c.refresh_on = refresh_on;
    c
}

#[test]
fn expiry_uses_the_300_second_offset() {
    assert_eq!(DEFAULT_RENEWAL_OFFSET_SECS, 300);
    let c = at_with(NOW, NOW + 3600, None);
    assert!(!is_expired(&c, NOW, DEFAULT_RENEWAL_OFFSET_SECS));
    assert!(!is_expired(&c, NOW + 3299, DEFAULT_RENEWAL_OFFSET_SECS));
    assert!(is_expired(&c, NOW + 3300, DEFAULT_RENEWAL_OFFSET_SECS));
    assert!(is_expired(&c, NOW + 3600, DEFAULT_RENEWAL_OFFSET_SECS));
    assert!(is_expired(&c, NOW + 100_000, DEFAULT_RENEWAL_OFFSET_SECS));
    // A custom offset.
    assert!(!is_expired(&c, NOW + 3599, 0));
    assert!(is_expired(&c, NOW + 3600, 0));
    // A token shorter than the offset is expired at once.
    let short = at_with(NOW, NOW + 200, None);
    assert!(is_expired(&short, NOW, DEFAULT_RENEWAL_OFFSET_SECS));
    // No overflow at the end of time.
    let c = at_with(0, u64::MAX, None);
    assert!(!is_expired(&c, u64::MAX - 1000, 300));
    assert!(is_expired(&c, u64::MAX, 300));
}

#[test]
fn clock_turned_back_means_expired() {
    let c = at_with(NOW, NOW + 3600, None);
    assert!(is_expired(&c, NOW - CLOCK_SKEW_SECS - 1, DEFAULT_RENEWAL_OFFSET_SECS));
    // Another library rounded the second up, or another server's clock runs a little ahead.
    assert!(!is_expired(&c, NOW - 1, DEFAULT_RENEWAL_OFFSET_SECS));
    assert!(!is_expired(&c, NOW - CLOCK_SKEW_SECS, DEFAULT_RENEWAL_OFFSET_SECS));
    assert!(!is_expired(&c, NOW, DEFAULT_RENEWAL_OFFSET_SECS));
}

#[test]
fn refresh_on_due() {
    let c = at_with(NOW, NOW + 3600, Some(NOW + 1800));
    assert!(!refresh_due(&c, NOW));
    assert!(!refresh_due(&c, NOW + 1799));
    assert!(refresh_due(&c, NOW + 1800));
    assert!(refresh_due(&c, NOW + 2000));
    // Still servable while refresh is due.
    assert!(!is_expired(&c, NOW + 2000, DEFAULT_RENEWAL_OFFSET_SECS));
    assert!(!refresh_due(&at_with(NOW, NOW + 3600, None), NOW + 5000));
}

#[test]
fn with_several_matches_the_longest_lived_wins() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read Mail.Read", ""), &account(), REALM, "User.Read");
    // Another tab wrote an overlapping token under a different target, bypassing our rules.
    let mut c = cache.credentials().find(|c| c.secret == "at-1").unwrap().clone();
    c.secret = "at-2".into();
    c.target = "User.Read Files.Read".into();
    c.expires_on += 100;
    write_listed(&store, &credential_key(&c), &c.to_json().to_json());
    assert!(cache.reload().is_empty());
    assert_eq!(find(&cache, "User.Read", &[ENV], REALM, "Bearer").map(|c| c.secret.as_str()), Some("at-2"));
}

// ---------------------------------------------------------------------------------------------
// Accounts: remove, clear, active
// ---------------------------------------------------------------------------------------------

#[test]
fn setting_the_same_active_account_again_changes_nothing() {
    let cache = new_cache();
    let a = account();
    let filter = Some((a.home_account_id.as_str(), a.local_account_id.as_str(), a.realm.as_str()));
    assert!(cache.set_active_filter(filter).unwrap());
    let version = cache.version();
    // (msal's samples set it again at every ACQUIRE_TOKEN_SUCCESS: the memoized lookups stay.)
    assert!(!cache.set_active_filter(filter).unwrap());
    assert_eq!(cache.version(), version);
    assert!(cache.set_active_filter(None).unwrap());
    assert_ne!(cache.version(), version);
    assert!(!cache.set_active_filter(None).unwrap());
    assert!(cache.active_account().is_none());
}

#[test]
fn remove_account_removes_its_credentials_and_active_account() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    let a1 = account();
    let a2 = account_for("uid-2", "utid-1");
    save(&mut cache, &response("at-1", "User.Read", ""), &a1, REALM, "User.Read");
    save(&mut cache, &response("at-2", "User.Read", ""), &a2, REALM, "User.Read");
    cache.set_active_account(Some(&a1)).unwrap();
    cache.remove_account(HOME).unwrap();
    assert!(cache.account(HOME).is_none());
    assert!(cache.account("uid-2.utid-1").is_some());
    assert!(cache.credentials().all(|c| c.home_account_id == "uid-2.utid-1"));
    assert_eq!(cache.credentials().count(), 3);
    assert!(cache.active_account().is_none());
    assert!(store.get("msal.client-1.active-account-filters").is_none());
    assert!(!store.keys().iter().any(|k| k.contains("uid-1.utid-1")));
    assert_eq!(store.get(ACCOUNT_KEYS).unwrap(), r#"["msal.3|uid-2.utid-1|login.microsoftonline.com|utid-1"]"#);
    let lists = stored(&store, TOKEN_KEYS);
    for list in ["idToken", "accessToken", "refreshToken"] {
        let l = lists.get(list).and_then(Json::as_array).unwrap();
        assert_eq!(l.len(), 1, "{list}");
        assert!(l[0].as_str().unwrap().contains("uid-2.utid-1"));
    }
}

#[test]
fn removing_an_account_whose_id_holds_a_bar_removes_the_entries_other_tabs_listed() {
    // In OIDC mode the home account id is the `sub`: Auth0's is `auth0|…`. An entry of the
    // account another tab wrote and listed, not read here yet, goes with it.
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    let a = Account { home_account_id: "auth0|u1".into(), ..account() };
    save(&mut cache, &response("at-1", "User.Read", ""), &a, REALM, "User.Read");
    let mut c = cache.credentials().find(|c| c.credential_type == CredentialType::AccessToken).unwrap().clone();
    c.target = "api.read".into();
    c.scopes = ScopeSet::parse("api.read");
    let other = credential_key(&c);
    write_listed(&store, &other, &c.to_json().to_json());
    cache.remove_account("auth0|u1").unwrap();
    assert!(store.get(&other).is_none(), "{:?}", store.keys());
    assert_eq!(store.keys(), Vec::<String>::new());
}

#[test]
fn removing_an_account_removes_every_entry_naming_it_another_client_ids_and_throttling_too() {
    // As msal 5's removeAccount: two apps of the origin signed the user in; this one signs the
    // user out, and the other app's tokens of the user and the throttling entries naming the
    // user go too. Another user's entries, and the other app's own lists, stay.
    let store = Rc::new(MemoryStore::new());
    let (mut other, _) = TokenCache::load(store.clone(), "client-2");
    save(&mut other, &response("at-9", "User.Read", ""), &account(), REALM, "User.Read");
    save(&mut other, &response("at-8", "User.Read", ""), &account_for("uid-2", "utid-1"), REALM, "User.Read");
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    let throttled = |client: &str, home: &str| {
        [
            "throttling.{\"clientId\":\"",
            client,
            "\",\"authority\":\"https://login.microsoftonline.com/utid-1/\",\"scopes\":[\"user.read\"],\"homeAccountIdentifier\":\"",
            home,
            "\"}",
        ]
        .concat()
    };
    for (client, home) in [(CLIENT, HOME), ("client-2", HOME), (CLIENT, "uid-2.utid-1")] {
        store.set(&throttled(client, home), "{}").unwrap();
    }
    // An account object without its id (`{}`, an msal.js 1.x object) removes nothing of others'.
    store.set("app.settings", "x").unwrap();
    let before = store.keys().len();
    cache.remove_account("").unwrap();
    assert_eq!(store.keys().len(), before);
    cache.remove_account(HOME).unwrap();
    assert_eq!(store.get("app.settings").as_deref(), Some("x"));
    let mut left: Vec<String> = store.keys().into_iter().filter(|k| k.to_ascii_lowercase().contains("uid-1.utid-1")).collect();
    left.sort();
    assert_eq!(left, Vec::<String>::new());
    assert!(store.keys().iter().filter(|k| k.contains("uid-2.utid-1")).count() >= 4, "{:?}", store.keys());
    assert!(store.get(&throttled(CLIENT, "uid-2.utid-1")).is_some());
    assert!(store.get("msal.3.token.keys.client-2").is_some());
    // clear() removes this client's throttling entries, also those naming no account (a code
    // redemption's), not another client's of no account.
    store.set(&throttled(CLIENT, ""), "{}").unwrap();
    store.set(&throttled("client-2", ""), "{}").unwrap();
    cache.clear().unwrap();
    assert!(store.get(&throttled(CLIENT, "")).is_none());
    assert!(store.get(&throttled(CLIENT, "uid-2.utid-1")).is_none());
    assert!(store.get(&throttled("client-2", "")).is_some());
}

#[test]
fn removing_another_account_keeps_the_active_one() {
    let mut cache = new_cache();
    let a1 = account();
    let a2 = account_for("uid-2", "utid-1");
    save(&mut cache, &response("at-1", "User.Read", ""), &a1, REALM, "User.Read");
    save(&mut cache, &response("at-2", "User.Read", ""), &a2, REALM, "User.Read");
    cache.set_active_account(Some(&a1)).unwrap();
    cache.remove_account("uid-2.utid-1").unwrap();
    assert_eq!(cache.active_account().map(|f| f.home_account_id), Some(HOME.to_owned()));
}

#[test]
fn removing_the_last_account_removes_the_key_lists_as_msal() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    save(&mut cache, &response("at-2", "User.Read", ""), &account_for("uid-2", "utid-2"), "utid-2", "User.Read");
    cache.remove_account(HOME).unwrap();
    let accounts = store.get(ACCOUNT_KEYS).expect("one account is left: its list stays");
    assert_eq!(Json::parse(&accounts).unwrap().strings().len(), 1);
    assert!(store.get(TOKEN_KEYS).is_some());
    cache.remove_account("uid-2.utid-2").unwrap();
    // msal's setAccountKeys and setTokenKeys remove an emptied list instead of writing `[]`.
    assert_eq!((store.get(ACCOUNT_KEYS), store.get(TOKEN_KEYS)), (None, None));
    assert_eq!(store.keys(), Vec::<String>::new());
}

#[test]
fn clear_removes_everything_of_this_client() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    save(&mut cache, &response("at-2", "User.Read", ""), &account_for("uid-2", "utid-2"), "utid-2", "User.Read");
    cache.set_active_account(Some(&account())).unwrap();
    // Unrelated storage stays.
    store.set("unrelated", "x").unwrap();
    cache.clear().unwrap();
    assert_eq!(cache.accounts().count(), 0);
    assert_eq!(cache.credentials().count(), 0);
    assert!(cache.active_account().is_none());
    let mut keys = store.keys();
    keys.sort();
    // As msal, the emptied key lists are removed, not left as `[]`.
    assert_eq!(keys, ["unrelated"]);
    // And a reload finds nothing.
    let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty());
    assert_eq!(cache.accounts().count(), 0);
}

#[test]
fn active_account_filters_are_persisted() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    assert!(cache.active_account().is_none());
    cache.set_active_account(Some(&account())).unwrap();
    assert_eq!(
        store.get("msal.client-1.active-account-filters").unwrap(),
        r#"{"homeAccountId":"uid-1.utid-1","localAccountId":"uid-1","tenantId":"utid-1"}"#
    );
    // Survives a reload (another page load).
    let (cache2, _) = TokenCache::load(store.clone(), CLIENT);
    assert_eq!(
        cache2.active_account(),
        Some(ActiveAccountFilter { home_account_id: HOME.into(), local_account_id: "uid-1".into(), tenant_id: REALM.into() })
    );
    // Another client has its own.
    let (other, _) = TokenCache::load(store.clone(), "client-2");
    assert!(other.active_account().is_none());
    cache.set_active_account(None).unwrap();
    assert!(store.get("msal.client-1.active-account-filters").is_none());
    // Written by msal-browser with only homeAccountId, or garbage.
    store.set("msal.client-1.active-account-filters", r#"{"homeAccountId":"h"}"#).unwrap();
    assert_eq!(cache.active_account().map(|f| (f.home_account_id, f.local_account_id)), Some(("h".into(), String::new())));
    for bad in ["", "{", "[]", r#"{"homeAccountId":1}"#, r#"{"localAccountId":"l"}"#] {
        store.set("msal.client-1.active-account-filters", bad).unwrap();
        assert!(cache.active_account().is_none(), "{bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// Loading what msal-browser wrote
// ---------------------------------------------------------------------------------------------

/// An msal-browser 5.x cache, written by hand from spec §2 (with fields we don't model).
fn v5_cache(store: &MemoryStore) -> Vec<(String, String)> {
    let ci = client_info("uid-1", "utid-1");
    let at_key = "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read mail.read|";
    let frt_key = "msal.3|uid-1.utid-1|login.microsoftonline.com|refreshtoken|1|||";
    let entries = vec![
        (
            ACC_KEY.to_owned(),
            format!(
                r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","realm":"utid-1","localAccountId":"uid-1","username":"ada@contoso.com","authorityType":"MSSTS","name":"Ada","clientInfo":"{ci}","tenantProfiles":[{{"tenantId":"utid-1","localAccountId":"oid-1","name":"Ada","isHomeTenant":true}}],"lastUpdatedAt":"1699999999000","nativeAccountId":"native-1","loginHint":"hint-1","dataBoundary":"EU","futureAccountField":{{"a":[1,2.50]}}}}"#
            ),
        ),
        (
            IDT_KEY.to_owned(),
            format!(
                r#"{{"credentialType":"IdToken","homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","clientId":"client-1","secret":"{}","realm":"utid-1","lastUpdatedAt":"1699999999000","futureIdTokenField":true}}"#,
                id_token_for("uid-1", "utid-1")
            ),
        ),
        (
            at_key.to_owned(),
            format!(
                r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"AccessToken","clientId":"client-1","secret":"at-v5","realm":"utid-1","target":"User.Read Mail.Read","cachedAt":"{NOW}","expiresOn":"{}","extendedExpiresOn":"{}","tokenType":"Bearer","lastUpdatedAt":"1699999999000","requestedClaimsHash":"","futureAtField":1.0e3}}"#,
                NOW + 3600,
                NOW + 7200
            ),
        ),
        (
            frt_key.to_owned(),
            r#"{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"RefreshToken","clientId":"client-1","secret":"rt-v5","familyId":"1","lastUpdatedAt":"1699999999000","expiresOn":"1800000000","futureRtField":null}"#.to_owned(),
        ),
        (
            TOKEN_KEYS.to_owned(),
            format!(r#"{{"idToken":["{IDT_KEY}"],"accessToken":["{at_key}"],"refreshToken":["{frt_key}"]}}"#),
        ),
        (ACCOUNT_KEYS.to_owned(), format!(r#"["{ACC_KEY}"]"#)),
        ("msal.version".to_owned(), "5.29.0".to_owned()),
        ("msal.client-1.active-account-filters".to_owned(), r#"{"homeAccountId":"uid-1.utid-1","localAccountId":"uid-1","tenantId":"utid-1"}"#.to_owned()),
    ];
    for (k, v) in &entries {
        store.set(k, v).unwrap();
    }
    entries
}

#[test]
fn load_reads_an_msal_browser_v5_cache_untouched() {
    let store = Rc::new(MemoryStore::new());
    let entries = v5_cache(&store);
    let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "{issues:?}");
    // Nothing was rewritten.
    for (k, v) in &entries {
        assert_eq!(store.get(k).as_deref(), Some(v.as_str()), "{k}");
    }
    assert_eq!(store.len(), entries.len());
    let a = cache.account(HOME).expect("account");
    assert_eq!(a.username, "ada@contoso.com");
    assert_eq!(a.name, "Ada");
    assert_eq!(a.last_updated_at_ms, 1_699_999_999_000);
    assert_eq!(
        a.tenant_profiles,
        vec![TenantProfile {
            tenant_id: "utid-1".into(),
            local_account_id: "oid-1".into(),
            name: "Ada".into(),
            username: String::new(),
            login_hint: String::new(),
            upn: String::new(),
            is_home_tenant: true
        }]
    );
    let at = find(&cache, "mail.read", &[ENV], REALM, "Bearer").expect("at");
    assert_eq!(at.secret, "at-v5");
    assert_eq!(at.expires_on, NOW + 3600);
    let rt = cache.find_refresh_token(HOME, &envs(&[ENV]), true).expect("rt");
    assert_eq!((rt.secret.as_str(), rt.family_id.as_str(), rt.expires_on), ("rt-v5", "1", 1_800_000_000));
    assert!(cache.find_id_token(HOME, &envs(&[ENV]), REALM).is_some());
    assert_eq!(cache.active_account().map(|f| f.home_account_id), Some(HOME.to_owned()));
}

#[test]
fn unknown_fields_survive_a_save_and_a_rewrite() {
    let store = Rc::new(MemoryStore::new());
    v5_cache(&store);
    let before: Vec<(String, Json)> =
        store.keys().into_iter().filter(|k| k.contains('|')).map(|k| (k.clone(), stored(&store, &k))).collect();
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    // A disjoint save rewrites the account and the id token, keeps the AT.
    save(&mut cache, &response("at-new", "Files.Read", ""), &account(), REALM, "Files.Read");
    let acc = stored(&store, ACC_KEY);
    assert_eq!(acc.str_field("nativeAccountId"), Some("native-1"));
    assert_eq!(acc.str_field("loginHint"), Some("hint-1"));
    assert_eq!(acc.str_field("dataBoundary"), Some("EU"));
    assert_eq!(acc.get("futureAccountField").map(Json::to_json).as_deref(), Some(r#"{"a":[1,2.50]}"#));
    let at_key = "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read mail.read|";
    let at = stored(&store, at_key);
    assert_eq!(at.get("futureAtField").map(Json::to_json).as_deref(), Some("1.0e3"));
    // A forced rewrite of everything (an older token list to remove) keeps every field of every
    // entity we did not replace, with the same value.
    store.set("msal.2.token.keys.client-1", r#"{"idToken":[],"accessToken":[],"refreshToken":[]}"#).unwrap();
    let (_cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "{issues:?}");
    assert!(store.get("msal.2.token.keys.client-1").is_none());
    for (key, old) in before.iter().filter(|(k, _)| k != ACC_KEY && k != IDT_KEY && !k.contains("refreshtoken")) {
        let new = stored(&store, key);
        for (name, v) in old.as_object().unwrap() {
            assert_eq!(new.get(name), Some(v), "{key}: {name}");
        }
    }
    let acc = stored(&store, ACC_KEY);
    for name in ["nativeAccountId", "loginHint", "dataBoundary", "futureAccountField"] {
        assert!(acc.get(name).is_some(), "{name}");
    }
}

#[test]
fn a_forced_rewrite_keeps_every_field_of_a_v5_cache() {
    let store = Rc::new(MemoryStore::new());
    v5_cache(&store);
    let before: Vec<(String, Json)> =
        store.keys().into_iter().filter(|k| k.contains('|')).map(|k| (k.clone(), stored(&store, &k))).collect();
    // An older token list of this client makes load rewrite every current entity; an older
    // schema's entry that is no account (another library's, or one sealed after this page read
    // the storage) is left where it is, unreported.
    store.set("msal.2.token.keys.client-1", r#"{"idToken":[],"accessToken":[],"refreshToken":[]}"#).unwrap();
    store.set("msal.2.account.keys", r#"["gone"]"#).unwrap();
    store.set("gone", r#"{"homeAccountId":5}"#).unwrap();
    let (_cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert_eq!(issues, vec![]);
    assert_eq!(store.get("gone").as_deref(), Some(r#"{"homeAccountId":5}"#));
    assert_eq!(store.get("msal.2.account.keys").as_deref(), Some(r#"["gone"]"#));
    for (key, old) in &before {
        let new = stored(&store, key);
        for (name, v) in old.as_object().unwrap() {
            assert_eq!(new.get(name), Some(v), "{key}: {name}");
        }
    }
    assert!(store.get("msal.2.token.keys.client-1").is_none());
}

#[test]
fn tenant_profile_fields_we_do_not_model_survive() {
    let store = Rc::new(MemoryStore::new());
    v5_cache(&store);
    let mut acc = stored(&store, ACC_KEY);
    acc.set(
        "tenantProfiles",
        Json::parse(r#"[{"tenantId":"utid-1","localAccountId":"oid-1","name":"Ada","username":"ada@contoso.com","loginHint":"lh","isHomeTenant":true,"upn":"ada@contoso.com"},{"tenantId":"guest-1","localAccountId":"oid-g","isHomeTenant":false,"username":"ada_contoso.com#EXT#@fabrikam.com"}]"#).unwrap(),
    );
    store.set(ACC_KEY, &acc.to_json()).unwrap();
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    assert_eq!(cache.account(HOME).map(|a| a.tenant_profiles.len()), Some(2));
    // A new sign-in to the home tenant: the guest profile stays, and so do the fields of both.
    save(&mut cache, &response("at-new", "Files.Read", ""), &account(), REALM, "Files.Read");
    let profiles = stored(&store, ACC_KEY).get("tenantProfiles").and_then(Json::as_array).unwrap().to_vec();
    let by_tenant = |t: &str| profiles.iter().find(|p| p.str_field("tenantId") == Some(t)).cloned();
    let home = by_tenant("utid-1").expect("home profile");
    assert_eq!(home.str_field("username"), Some("ada@contoso.com"));
    assert_eq!(home.str_field("upn"), Some("ada@contoso.com"));
    assert_eq!(home.str_field("loginHint"), Some("lh"));
    assert_eq!(home.get("isHomeTenant").and_then(Json::as_bool), Some(true));
    let guest = by_tenant("guest-1").expect("guest profile kept");
    assert_eq!(guest.str_field("username"), Some("ada_contoso.com#EXT#@fabrikam.com"));
    assert_eq!(cache.account(HOME).map(|a| a.tenant_profiles.len()), Some(2));
}

#[test]
fn load_migrates_a_v3_cache() {
    let store = Rc::new(MemoryStore::new());
    let ci = client_info("uid-1", "utid-1");
    let acc3 = "uid-1.utid-1-login.microsoftonline.com-utid-1";
    let idt3 = "uid-1.utid-1-login.microsoftonline.com-idtoken-client-1-utid-1---";
    let at3 = "uid-1.utid-1-login.microsoftonline.com-accesstoken-client-1-utid-1-user.read mail.read--";
    let rt3 = "uid-1.utid-1-login.microsoftonline.com-refreshtoken-client-1----";
    store.set("msal.account.keys", &format!(r#"["{acc3}"]"#)).unwrap();
    store
        .set(acc3, &format!(r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","realm":"utid-1","localAccountId":"uid-1","username":"ada@contoso.com","authorityType":"MSSTS","name":"Ada","clientInfo":"{ci}","tenantProfiles":["{{\"tenantId\":\"utid-1\",\"localAccountId\":\"oid-1\",\"isHomeTenant\":true}}"],"v3Extra":"keep"}}"#))
        .unwrap();
    store.set(idt3, &format!(r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"IdToken","clientId":"client-1","secret":"{}","realm":"utid-1"}}"#, id_token_for("uid-1", "utid-1"))).unwrap();
    store
        .set(at3, &format!(r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"AccessToken","clientId":"client-1","secret":"at-v3","realm":"utid-1","target":"User.Read Mail.Read","cachedAt":"{NOW}","expiresOn":"{}","extendedExpiresOn":"{}","tokenType":"Bearer","requestedClaimsHash":"h"}}"#, NOW + 3600, NOW + 3600))
        .unwrap();
    store.set(rt3, r#"{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"RefreshToken","clientId":"client-1","secret":"rt-v3"}"#).unwrap();
    store
        .set("msal.token.keys.client-1", &format!(r#"{{"idToken":["{idt3}"],"accessToken":["{at3}"],"refreshToken":["{rt3}"]}}"#))
        .unwrap();
    store.set("msal.client-1.active-account-filters", r#"{"homeAccountId":"uid-1.utid-1","localAccountId":"uid-1"}"#).unwrap();

    let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "{issues:?}");
    let at5 = "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read mail.read|";
    let mut keys = store.keys();
    keys.sort();
    // Copied, as msal 5 copies them: the older entries and lists stay, for an app of the origin
    // still on msal-browser 4 (or one rolled back to it).
    let mut want = vec![
        ACC_KEY,
        IDT_KEY,
        at5,
        RT_KEY,
        TOKEN_KEYS,
        ACCOUNT_KEYS,
        "msal.client-1.active-account-filters",
        acc3,
        "msal.account.keys",
        idt3,
        at3,
        rt3,
        "msal.token.keys.client-1",
    ];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(
        store.get(TOKEN_KEYS).unwrap(),
        format!(r#"{{"idToken":["{IDT_KEY}"],"accessToken":["{at5}"],"refreshToken":["{RT_KEY}"]}}"#)
    );
    assert_eq!(store.get(ACCOUNT_KEYS).unwrap(), format!(r#"["{ACC_KEY}"]"#));
    let acc = stored(&store, ACC_KEY);
    assert_eq!(acc.str_field("v3Extra"), Some("keep"));
    assert_eq!(
        acc.get("tenantProfiles").and_then(Json::as_array).and_then(|p| p.first()).and_then(|p| p.str_field("localAccountId")),
        Some("oid-1")
    );
    let at = stored(&store, at5);
    assert_eq!(at.str_field("secret"), Some("at-v3"));
    assert_eq!(at.str_field("requestedClaimsHash"), Some("h"));
    assert_eq!(find(&cache, "User.Read", &[ENV], REALM, "Bearer").map(|c| c.secret.as_str()), Some("at-v3"));
    assert_eq!(cache.find_refresh_token(HOME, &envs(&[ENV]), false).map(|c| c.secret.as_str()), Some("rt-v3"));
    assert_eq!(cache.account(HOME).map(|a| a.tenant_profiles.len()), Some(1));
    // Loading again changes nothing.
    let snapshot: Vec<(String, Option<String>)> = store.keys().into_iter().map(|k| (k.clone(), store.get(&k))).collect();
    let (_again, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty());
    let after: Vec<(String, Option<String>)> = store.keys().into_iter().map(|k| (k.clone(), store.get(&k))).collect();
    assert_eq!(snapshot, after);
}

#[test]
fn load_migrates_a_v4_cache() {
    // msal-browser 4.26 to 4.30 (schema 2) and 4.19 to 4.25 (schema 1, whose keys join their
    // parts with `-`): the same entities.
    migrates_from("msal.2", "|");
    migrates_from("msal.1", "-");
}

fn migrates_from(schema: &str, sep: &str) {
    let store = Rc::new(MemoryStore::new());
    let acc4 = &format!("{schema}{sep}uid-1.utid-1{sep}login.microsoftonline.com{sep}utid-1");
    let at4 =
        &format!("{schema}{sep}uid-1.utid-1{sep}login.microsoftonline.com{sep}accesstoken{sep}client-1{sep}utid-1{sep}user.read{sep}{sep}");
    let rt4 = &format!("{schema}{sep}uid-1.utid-1{sep}login.microsoftonline.com{sep}refreshtoken{sep}1{sep}{sep}{sep}{sep}");
    store.set(&format!("{schema}.account.keys"), &format!(r#"["{acc4}"]"#)).unwrap();
    store
        .set(acc4, r#"{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","realm":"utid-1","localAccountId":"uid-1","username":"ada@contoso.com","authorityType":"MSSTS","tenantProfiles":[{"tenantId":"utid-1","localAccountId":"uid-1","isHomeTenant":true}],"lastUpdatedAt":"1699999999000"}"#)
        .unwrap();
    store
        .set(at4, &format!(r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"AccessToken","clientId":"client-1","secret":"at-v4","realm":"utid-1","target":"User.Read","cachedAt":"{NOW}","expiresOn":"{}","extendedExpiresOn":"{}","tokenType":"Bearer","lastUpdatedAt":"1699999999000"}}"#, NOW + 60, NOW + 60))
        .unwrap();
    store.set(rt4, r#"{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"RefreshToken","clientId":"client-1","secret":"rt-v4","familyId":"1","lastUpdatedAt":"1699999999000"}"#).unwrap();
    let idt4 = &format!("{schema}{sep}uid-1.utid-1{sep}login.microsoftonline.com{sep}idtoken{sep}client-1{sep}utid-1{sep}{sep}{sep}");
    store.set(idt4, &format!(r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"IdToken","clientId":"client-1","secret":"{}","realm":"utid-1"}}"#, id_token_for("uid-1", "utid-1"))).unwrap();
    store
        .set(
            &format!("{schema}.token.keys.client-1"),
            &format!(r#"{{"idToken":["{idt4}"],"accessToken":["{at4}"],"refreshToken":["{rt4}"]}}"#),
        )
        .unwrap();
    // v4 and v5 side by side (an app that upgraded after msal wrote v5 keys for a second app).
    store.set("msal.3.account.keys", r#"["msal.3|other.home|login.microsoftonline.com|home"]"#).unwrap();
    store
        .set("msal.3|other.home|login.microsoftonline.com|home", r#"{"homeAccountId":"other.home","environment":"login.microsoftonline.com","realm":"home","localAccountId":"other","username":"o@x","authorityType":"MSSTS"}"#)
        .unwrap();

    let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "{issues:?}");
    let at5 = "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read|";
    let rt5 = "msal.3|uid-1.utid-1|login.microsoftonline.com|refreshtoken|1|||";
    // Copied: every older entry and list stays (for msal-browser 4 on a page of the origin).
    let mut left: Vec<String> = store.keys().into_iter().filter(|k| k.starts_with(schema)).collect();
    left.sort();
    let mut want =
        [format!("{schema}.account.keys"), format!("{schema}.token.keys.client-1"), acc4.into(), at4.into(), rt4.into(), idt4.into()];
    want.sort();
    assert_eq!(left, want);
    assert_eq!(stored(&store, at5).str_field("secret"), Some("at-v4"));
    assert_eq!(stored(&store, rt5).str_field("familyId"), Some("1"));
    assert_eq!(stored(&store, ACC_KEY).str_field("username"), Some("ada@contoso.com"));
    let list = stored(&store, ACCOUNT_KEYS);
    let list: Vec<&str> = list.as_array().unwrap().iter().filter_map(Json::as_str).collect();
    assert_eq!(list, ["msal.3|other.home|login.microsoftonline.com|home", ACC_KEY]);
    assert_eq!(store.get(TOKEN_KEYS).unwrap(), format!(r#"{{"idToken":["{IDT_KEY}"],"accessToken":["{at5}"],"refreshToken":["{rt5}"]}}"#));
    assert_eq!(cache.accounts().count(), 2);
    assert_eq!(find(&cache, "User.Read", &[ENV], REALM, "Bearer").map(|c| c.secret.as_str()), Some("at-v4"));
}

#[test]
fn older_schema_entries_past_the_retention_are_removed_not_migrated() {
    // msal v5's cacheRetentionDays: a v4 account last updated before the cut-off goes, with its
    // v4 tokens (even one updated since); a v4 token of a live account past the cut-off goes
    // alone; v4 entries without an update time, and every current entry, are kept.
    let store = Rc::new(MemoryStore::new());
    // After the current (v5) entries' lastUpdatedAt (1699999999000): they are kept all the same.
    let cut = 1_700_500_000_000u64;
    let (old, new) = (cut - 1, cut + 1);
    let account = |home: &str, updated: Option<u64>| {
        let updated = updated.map(|u| format!(r#","lastUpdatedAt":"{u}""#)).unwrap_or_default();
        format!(
            r#"{{"homeAccountId":"{home}","environment":"login.microsoftonline.com","realm":"utid","localAccountId":"l","username":"u@x","authorityType":"MSSTS"{updated}}}"#
        )
    };
    let rt = |home: &str, secret: &str, updated: u64| {
        format!(
            r#"{{"homeAccountId":"{home}","environment":"login.microsoftonline.com","credentialType":"RefreshToken","clientId":"client-1","secret":"{secret}","lastUpdatedAt":"{updated}"}}"#
        )
    };
    let acc = |home: &str| format!("msal.2|{home}|login.microsoftonline.com|utid");
    let rt4 = |home: &str, n: u32| format!("msal.2|{home}|login.microsoftonline.com|refreshtoken|client-{n}||||");
    store.set("msal.2.account.keys", &format!(r#"["{}","{}","{}"]"#, acc("gone.u"), acc("live.u"), acc("undated.u"))).unwrap();
    store.set(&acc("gone.u"), &account("gone.u", Some(old))).unwrap();
    store.set(&acc("live.u"), &account("live.u", Some(new))).unwrap();
    store.set(&acc("undated.u"), &account("undated.u", None)).unwrap();
    store.set(&rt4("gone.u", 1), &rt("gone.u", "rt-of-gone", new)).unwrap();
    store.set(&rt4("live.u", 1), &rt("live.u", "rt-stale", old)).unwrap();
    store.set(&rt4("undated.u", 1), &rt("undated.u", "rt-fresh", new)).unwrap();
    // The live accounts' ID tokens (an older account is migrated with its ID token, as msal 5's).
    let idt4 = |home: &str| format!("msal.2|{home}|login.microsoftonline.com|idtoken|client-1|utid||");
    for home in ["live.u", "undated.u"] {
        let idt = format!(
            r#"{{"homeAccountId":"{home}","environment":"login.microsoftonline.com","credentialType":"IdToken","clientId":"client-1","secret":"{}","realm":"utid"}}"#,
            jwt(r#"{"sub":"s","tid":"utid"}"#)
        );
        store.set(&idt4(home), &idt).unwrap();
    }
    let list = format!(
        r#"{{"idToken":["{}","{}"],"accessToken":[],"refreshToken":["{}","{}","{}"]}}"#,
        idt4("live.u"),
        idt4("undated.u"),
        rt4("gone.u", 1),
        rt4("live.u", 1),
        rt4("undated.u", 1)
    );
    store.set("msal.2.token.keys.client-1", &list).unwrap();
    // A v3 token of the account whose v4 record is stale: not the v4 account's (msal removes an
    // old account's tokens of its own schema), and fresh: migrated.
    let rt3 = "gone.u-login.microsoftonline.com-refreshtoken-client-1----";
    store.set(rt3, &rt("gone.u", "rt-v3-of-gone", new)).unwrap();
    store.set("msal.token.keys.client-1", &format!(r#"{{"idToken":[],"accessToken":[],"refreshToken":["{rt3}"]}}"#)).unwrap();
    v5_cache(&store);

    // The load's clock: an older entry without a date gets this one.
    let now = cut + 60_000;
    let (cache, issues) = TokenCache::load_retaining(store.clone(), CLIENT, now, cut);
    assert!(issues.is_empty(), "{issues:?}");
    let homes: Vec<&str> = cache.accounts().map(|a| a.home_account_id.as_str()).collect();
    assert!(homes.contains(&"live.u") && homes.contains(&"undated.u") && homes.contains(&HOME), "{homes:?}");
    assert!(!homes.contains(&"gone.u"), "{homes:?}");
    let secrets: Vec<&str> = cache.credentials().map(|c| c.secret.as_str()).collect();
    assert!(secrets.contains(&"rt-fresh") && secrets.contains(&"rt-v3-of-gone"), "{secrets:?}");
    assert!(!secrets.contains(&"rt-of-gone") && !secrets.contains(&"rt-stale"), "{secrets:?}");
    assert!(secrets.contains(&"rt-v5") && secrets.contains(&"at-v5"), "the current entries stay: {secrets:?}");
    assert_eq!(
        (cache.accounts().count(), cache.credentials().count()),
        (3, 7),
        "v5's account, ID, access and refresh token; two v4 accounts with their ID tokens, a v4 and a v3 RT"
    );
    // The stale older account left the older list, its tokens and the stale token with it; the
    // others stay, copied (for msal-browser 4 on a page of the origin).
    let mut left: Vec<String> = store.keys().into_iter().filter(|k| k.starts_with("msal.2")).collect();
    left.sort();
    let mut want = vec![
        "msal.2.account.keys".to_string(),
        "msal.2.token.keys.client-1".into(),
        acc("live.u"),
        acc("undated.u"),
        idt4("live.u"),
        idt4("undated.u"),
        rt4("undated.u", 1),
    ];
    want.sort();
    assert_eq!(left, want);
    assert_eq!(store.get("msal.2.account.keys"), Some(format!(r#"["{}","{}"]"#, acc("live.u"), acc("undated.u"))));
    // The undated older account was dated where it stays, and its migrated ID token with it
    // (msal's `updateOldEntry`); the dated ones kept their dates.
    let updated = |key: &str| Json::parse(&store.get(key).unwrap()).unwrap().str_field("lastUpdatedAt").map(str::to_owned);
    assert_eq!(updated(&acc("undated.u")), Some(now.to_string()));
    assert_eq!(updated(&acc("live.u")), Some(new.to_string()));
    let migrated = store.keys().into_iter().find(|k| k.starts_with("msal.3|undated.u|") && k.contains("|idtoken|")).unwrap();
    assert_eq!(updated(&migrated), Some(now.to_string()));
    // The older ID token too, at first sight, where it stays (msal 5 dates it so): an
    // msal-browser 5 on the origin later takes it for no newer than the copies renewed since.
    assert_eq!(updated(&idt4("undated.u")), Some(now.to_string()));
    // So the retention reaches it: once its days have passed, the next load removes it.
    let (later, _) = TokenCache::load_retaining(store.clone(), CLIENT, now + 86_400_000, now + 1);
    assert_eq!(store.get(&acc("undated.u")), None);
    assert!(store.get("msal.2.account.keys").is_none(), "every older account is past the retention");
    assert!(later.accounts().any(|a| a.home_account_id == "undated.u"), "its migrated copy is current: kept");
}

#[test]
fn load_drops_corrupted_entries_and_keeps_the_rest() {
    let store = Rc::new(MemoryStore::new());
    v5_cache(&store);
    let good_at = "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read mail.read|";
    let frt_key = "msal.3|uid-1.utid-1|login.microsoftonline.com|refreshtoken|1|||";
    let valid_at = |secret: &str| {
        format!(
            r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"AccessToken","clientId":"client-1","secret":"{secret}","realm":"utid-1","target":"X.Y","cachedAt":"1","expiresOn":"2","extendedExpiresOn":"2"}}"#
        )
    };
    let full = valid_at("s");
    let bad: Vec<(&str, String)> = vec![
        ("bad|json", "{not json".to_owned()),
        ("bad|truncated", full[..full.len() / 2].to_owned()),
        ("bad|secret-missing", full.replace(r#""secret":"s","#, "")),
        ("bad|secret-empty", valid_at("")),
        ("bad|secret-number", full.replace(r#""secret":"s""#, r#""secret":5"#)),
        ("bad|home-number", full.replace(r#""homeAccountId":"uid-1.utid-1""#, r#""homeAccountId":1"#)),
        ("bad|type-missing", full.replace(r#""credentialType":"AccessToken","#, "")),
        ("bad|at-without-target", full.replace(r#""target":"X.Y","#, "")),
        ("bad|at-without-expiry", full.replace(r#""expiresOn":"2","#, "")),
        ("bad|array", "[1,2]".to_owned()),
        ("bad|empty", String::new()),
        ("bad|binary", "\u{0}\u{1}\u{fffd}".to_owned()),
    ];
    let bad_accounts: Vec<(&str, String)> = vec![
        ("bad-account|json", "{\"homeAccountId\":".to_owned()),
        ("bad-account|no-home", r#"{"environment":"e"}"#.to_owned()),
        ("bad-account|empty-home", r#"{"homeAccountId":"","environment":"e"}"#.to_owned()),
        ("bad-account|env-type", r#"{"homeAccountId":"h","environment":[]}"#.to_owned()),
    ];
    for (k, v) in bad.iter().chain(&bad_accounts) {
        store.set(k, v).unwrap();
    }
    let mut lists = stored(&store, TOKEN_KEYS);
    let mut ats = lists.get("accessToken").and_then(Json::as_array).unwrap().to_vec();
    ats.extend(bad.iter().map(|(k, _)| Json::from(*k)));
    ats.push(Json::from("listed-but-missing"));
    ats.push(Json::Num("42".into()));
    lists.set("accessToken", Json::Arr(ats));
    store.set(TOKEN_KEYS, &lists.to_json()).unwrap();
    let mut accs = vec![Json::from(ACC_KEY)];
    accs.extend(bad_accounts.iter().map(|(k, _)| Json::from(*k)));
    store.set(ACCOUNT_KEYS, &Json::Arr(accs).to_json()).unwrap();

    let (mut cache, issues) = TokenCache::load(store.clone(), CLIENT);
    let mut reported: Vec<&str> = issues.iter().map(|i| i.key.as_str()).collect();
    reported.sort();
    let mut want: Vec<&str> = bad.iter().chain(&bad_accounts).map(|(k, _)| *k).collect();
    want.sort();
    assert_eq!(reported, want);
    for i in &issues {
        assert!(store.get(&i.key).is_none(), "{} still stored", i.key);
        assert!(!i.reason.is_empty());
    }
    // The good entries are intact and listed; the bad ones are no longer listed. The dangling
    // one stays listed (it may be another tab's entry on its way to the disk) until a list
    // write, which keeps only the keys whose entries exist.
    assert_eq!(cache.accounts().count(), 1);
    assert_eq!(cache.credentials().count(), 3);
    assert_eq!(find(&cache, "User.Read", &[ENV], REALM, "Bearer").map(|c| c.secret.as_str()), Some("at-v5"));
    assert_eq!(
        store.get(TOKEN_KEYS).unwrap(),
        format!(r#"{{"idToken":["{IDT_KEY}"],"accessToken":["{good_at}","listed-but-missing"],"refreshToken":["{frt_key}"]}}"#)
    );
    assert_eq!(store.get(ACCOUNT_KEYS).unwrap(), format!(r#"["{ACC_KEY}"]"#));
    cache.write_key_lists().unwrap();
    assert_eq!(
        store.get(TOKEN_KEYS).unwrap(),
        format!(r#"{{"idToken":["{IDT_KEY}"],"accessToken":["{good_at}"],"refreshToken":["{frt_key}"]}}"#)
    );
    // A second load is clean.
    let (_c, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "{issues:?}");
}

/// An entry of a credential type this release does not know (a later release's, or a later
/// msal's) is left stored and listed, as msal leaves what it cannot read.
#[test]
fn entries_of_a_later_release_are_kept() {
    let store = Rc::new(MemoryStore::new());
    v5_cache(&store);
    let future = "msal.3|uid-1.utid-1|login.microsoftonline.com|futuretoken|client-1|utid-1|user.read|";
    let text = r#"{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"FutureToken","clientId":"client-1","secret":"s","realm":"utid-1","target":"User.Read"}"#;
    write_listed(&store, future, text);

    let (mut cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(store.get(future).as_deref(), Some(text));
    assert_eq!(cache.credentials().count(), 3, "not read as one of ours");
    cache.write_key_lists().unwrap();
    let lists = stored(&store, TOKEN_KEYS);
    assert!(lists.get("accessToken").and_then(Json::as_array).unwrap().contains(&Json::from(future)));
    // Its account's sign-out removes it too, by its key (as msal removes every key of the account).
    cache.remove_account("uid-1.utid-1").unwrap();
    assert_eq!(store.get(future), None);
    assert!(store.get(TOKEN_KEYS).is_none_or(|lists| !lists.contains(future)));
}

#[test]
fn load_issues_carry_no_secret() {
    let store = Rc::new(MemoryStore::new());
    store.set(TOKEN_KEYS, r#"{"idToken":[],"accessToken":["k"],"refreshToken":[]}"#).unwrap();
    store.set("k", r#"{"secret":"SECRET-AT-LOAD","credentialType":"AccessToken"}"#).unwrap();
    let (_c, issues) = TokenCache::load(store.clone(), CLIENT);
    assert_eq!(issues.len(), 1);
    assert!(!format!("{issues:?}").contains("SECRET-AT-LOAD"));
}

#[test]
fn corrupted_key_lists_do_not_crash() {
    for (accounts, tokens) in [
        ("{", "{"),
        ("{}", "[]"),
        ("[1,null,{}]", r#"{"idToken":"x","accessToken":{},"refreshToken":[1,null]}"#),
        ("\"str\"", "null"),
        ("", ""),
    ] {
        let store = Rc::new(MemoryStore::new());
        store.set(ACCOUNT_KEYS, accounts).unwrap();
        store.set(TOKEN_KEYS, tokens).unwrap();
        let (mut cache, _issues) = TokenCache::load(store.clone(), CLIENT);
        assert_eq!(cache.accounts().count(), 0);
        // The cache still works and repairs the lists on the next save.
        save(&mut cache, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
        let (again, issues) = TokenCache::load(store.clone(), CLIENT);
        assert!(issues.is_empty(), "{issues:?}");
        assert!(again.account(HOME).is_some());
        assert_eq!(again.credentials().count(), 3);
    }
}

#[test]
fn a_load_that_prunes_the_last_listed_keys_removes_the_lists_as_msal() {
    // Listed entries that are not entries: pruned, and the lists left empty are removed.
    let store = Rc::new(MemoryStore::new());
    let at = "msal.3|uid-1.utid-1|login.microsoftonline.com|accesstoken|client-1|utid-1|user.read|";
    store.set(ACC_KEY, "not json").unwrap();
    store.set(at, "{}").unwrap();
    store.set(ACCOUNT_KEYS, &format!(r#"["{ACC_KEY}"]"#)).unwrap();
    store.set(TOKEN_KEYS, &format!(r#"{{"idToken":[],"accessToken":["{at}"],"refreshToken":[]}}"#)).unwrap();
    let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
    assert_eq!((cache.accounts().count(), issues.len()), (0, 2), "{issues:?}");
    assert_eq!((store.get(ACCOUNT_KEYS), store.get(TOKEN_KEYS)), (None, None));
}

#[test]
fn a_cached_accounts_data_boundary_stays_as_msal_keeps_the_cached_account() {
    let store = Rc::new(MemoryStore::new());
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    let eu = Account { data_boundary: "EU".into(), ..account() };
    save(&mut cache, &response("at-1", "User.Read", ""), &eu, REALM, "User.Read");
    // A later response for the same account that says nothing, or says otherwise.
    for later in ["", "None"] {
        let other = Account { data_boundary: later.into(), ..account() };
        save(&mut cache, &response("at-2", "Mail.Read", ""), &other, REALM, "Mail.Read");
        assert_eq!(cache.account(HOME).unwrap().data_boundary, "EU", "{later:?}");
    }
    assert_eq!(stored(&store, ACC_KEY).str_field("dataBoundary"), Some("EU"));
}

#[test]
fn clear_removes_the_accounts_entries_of_every_client_as_msal() {
    let store = Rc::new(MemoryStore::new());
    let (mut c2, _) = TokenCache::load(store.clone(), "client-2");
    save(&mut c2, &response("at-c2", "User.Read", ""), &account(), REALM, "User.Read");
    let (mut c1, _) = TokenCache::load(store.clone(), CLIENT);
    // client-1 sees the shared account but none of client-2's tokens.
    assert_eq!(c1.accounts().count(), 1);
    assert_eq!(c1.credentials().count(), 0);
    save(&mut c1, &response("at-c1", "User.Read", ""), &account(), REALM, "User.Read");
    // As msal 5's clear (every msal entry of the origin goes): the shared account's tokens of
    // client-2 go with it; client-2's next load finds its listed entries gone.
    c1.clear().unwrap();
    let (c2, _) = TokenCache::load(store.clone(), "client-2");
    assert_eq!((c2.accounts().count(), c2.credentials().count()), (0, 0));
}

#[test]
fn reload_picks_up_another_tabs_writes() {
    let store = Rc::new(MemoryStore::new());
    let (mut tab1, _) = TokenCache::load(store.clone(), CLIENT);
    let (mut tab2, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut tab2, &response("at-tab2", "User.Read", ""), &account(), REALM, "User.Read");
    assert!(find(&tab1, "User.Read", &[ENV], REALM, "Bearer").is_none());
    assert!(tab1.reload().is_empty());
    assert_eq!(find(&tab1, "User.Read", &[ENV], REALM, "Bearer").map(|c| c.secret.as_str()), Some("at-tab2"));
    // And the debug output of the whole cache holds no token.
    save(&mut tab1, &response("SECRET-AT-TAB1", "Mail.Read", ""), &account(), REALM, "Mail.Read");
    let d = format!("{tab1:?}");
    assert!(!d.contains("SECRET-AT-TAB1"));
    assert!(!d.contains("rt-SECRET"));
}

#[test]
fn credential_entity_round_trip() {
    let text = r#"{"homeAccountId":"h","environment":"e","credentialType":"AccessToken","clientId":"c","secret":"s","realm":"r","target":"a b","cachedAt":"1","expiresOn":"2","extendedExpiresOn":"3","tokenType":"Bearer","keyId":"k","refreshOn":"4","lastUpdatedAt":"5","x":{"y":[true,null,1e5]}}"#;
    let c = Credential::from_json(&Json::parse(text).unwrap()).unwrap();
    assert_eq!(c.to_json().to_json(), text);
    // Timestamps written by other libraries as numbers are read too.
    let c = Credential::from_json(&Json::parse(r#"{"homeAccountId":"h","environment":"e","credentialType":"accesstoken","clientId":"c","secret":"s","target":"t","expiresOn":99}"#).unwrap()).unwrap();
    assert_eq!(c.expires_on, 99);
    assert_eq!(c.credential_type, CredentialType::AccessToken);
    let text = r#"{"homeAccountId":"h","environment":"e","realm":"r","localAccountId":"l","username":"u","authorityType":"MSSTS","name":"n","clientInfo":"ci","tenantProfiles":[{"tenantId":"r","localAccountId":"l","name":"n","isHomeTenant":true}],"lastUpdatedAt":"7","z":"keep"}"#;
    let a = AccountEntity::from_json(&Json::parse(text).unwrap()).unwrap();
    assert_eq!(a.to_json().to_json(), text);
}

#[test]
fn version_moves_with_every_change_and_only_then() {
    let mut cache = new_cache();
    let a = account();
    let v0 = cache.version();
    save(&mut cache, &response("at-1", "user.read", ""), &a, REALM, "user.read");
    let v1 = cache.version();
    assert_ne!(v0, v1, "a save changes the version");
    // Reads leave it alone.
    let _ = find(&cache, "user.read", &[ENV], REALM, "Bearer");
    let _ = cache.accounts().count();
    let _ = cache.active_account();
    assert_eq!(cache.version(), v1);
    cache.set_active_account(Some(&a)).unwrap();
    let v2 = cache.version();
    assert_ne!(v1, v2, "an active-account change changes the version");
    cache.reload();
    let v3 = cache.version();
    assert_ne!(v2, v3, "a reload (another tab wrote) changes the version");
    cache.remove_refresh_token("rt-at-1").unwrap();
    let v4 = cache.version();
    assert_ne!(v3, v4);
    cache.remove_account(HOME).unwrap();
    let v5 = cache.version();
    assert_ne!(v4, v5);
    cache.clear().unwrap();
    assert_ne!(v5, cache.version());
}

#[test]
fn the_browser_cache_round_trips_through_the_unified_format() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "User.Read openid profile offline_access", ""), &account(), "utid-1", "User.Read");
    save(&mut cache, &response("at-2", "Mail.Read", ""), &account(), "utid-1", "Mail.Read");
    let u = cache.to_unified();
    assert_eq!((u.accounts().len(), u.credentials().len()), (1, 4), "account, ID token, 2 access tokens, refresh token");
    let text = u.serialize();
    let mut other = new_cache();
    other.replace_from_unified(&unified::deserialize(&text).unwrap()).unwrap();
    assert_eq!(other.to_unified().serialize(), text);
    // What it wrote is what a reload reads back.
    let (reloaded, issues) = TokenCache::load(other.store().clone(), CLIENT);
    assert!(issues.is_empty());
    assert_eq!(reloaded.to_unified().serialize(), text);
    // Replacing drops what the unified cache does not hold.
    other.replace_from_unified(&unified::UnifiedCache::new()).unwrap();
    assert_eq!(other.credentials().count(), 0);
    assert_eq!(other.accounts().count(), 0);
    let (reloaded, _) = TokenCache::load(other.store().clone(), CLIENT);
    assert_eq!(reloaded.credentials().count(), 0);
}

#[test]
fn a_b2c_account_cached_with_its_home_tenants_profile_gets_the_policys_in_its_place() {
    const T: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
    let mut cache = new_cache();
    // As an earlier version stored a B2C account: its profile was the home tenant's.
    let old = account_for("uid-1-b2c_1_susi", T);
    save(&mut cache, &response("at-1", "User.Read", ""), &old, T, "User.Read");
    let claims = IdTokenClaims::decode(&jwt(r#"{"sub":"s","oid":"uid-1","tfp":"B2C_1_susi"}"#)).unwrap();
    let now = Account::from_response(&client_info("uid-1-b2c_1_susi", T), Some(&claims), ENV, authority_type::MSSTS, NOW * 1000).unwrap();
    save(&mut cache, &response("at-2", "User.Read", ""), &now, "B2C_1_susi", "User.Read");
    let stored = cache.accounts().next().unwrap().tenant_profiles.clone();
    assert_eq!(stored.iter().map(|p| p.tenant_id.as_str()).collect::<Vec<_>>(), ["B2C_1_susi"]);
}

#[test]
fn a_bound_refresh_tokens_key_survives_a_reload() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "User.Read", ""), &account(), "utid-1", "User.Read");
    let mut rt = cache.credentials().find(|c| c.credential_type == CredentialType::RefreshToken).unwrap().clone();
    rt.key_id = "kid-1".into();
    let read = Credential::from_json(&rt.to_json()).unwrap();
    assert_eq!(read.key_id, "kid-1");
}

#[test]
fn another_librarys_copy_of_a_token_is_read_after_ours() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "User.Read openid profile offline_access", ""), &account(), "utid-1", "User.Read");
    let mut u = cache.to_unified();
    let (key, rt) = u.entries(unified::Section::RefreshToken)[0].clone();
    let secret = rt.str_field("secret").unwrap().to_owned();
    u.remove(unified::Section::RefreshToken, &key);
    let mut stale = rt.clone();
    stale.set("secret", Json::Str("rt-of-msal-node-3".into()));
    // msal-node 3's name (one more segment), before ours in the document.
    u.insert(unified::Section::RefreshToken, &[key.as_str(), "--"].concat(), stale);
    u.insert(unified::Section::RefreshToken, &key, rt);
    let mut other = new_cache();
    other.replace_from_unified(&u).unwrap();
    let rts: Vec<_> = other.credentials().filter(|c| c.credential_type == CredentialType::RefreshToken).collect();
    assert_eq!(rts.len(), 1);
    assert_eq!(rts[0].secret, secret);
}

#[test]
fn a_family_token_is_written_with_msals_app_metadata_and_another_apps_is_used_only_by_its_family() {
    let mut cache = new_cache();
    save(&mut cache, &response("at-1", "User.Read", r#","foci":"1""#), &account(), "utid-1", "User.Read");
    let u = cache.to_unified();
    let meta = u.app_metadata();
    assert_eq!(meta.len(), 1);
    assert_eq!((meta[0].1.client_id.as_str(), meta[0].1.family_id.as_str()), (CLIENT, "1"));
    // Another app (not of the family) reading that document: the family token is not its.
    let mut outsider = TokenCache::load(Rc::new(MemoryStore::new()), "another-app").0;
    outsider.replace_from_unified(&u).unwrap();
    assert_eq!(outsider.credentials().filter(|c| c.credential_type == CredentialType::RefreshToken).count(), 0);
    // A member (its app metadata says so) takes it.
    let mut u2 = u.clone();
    u2.add_app_metadata(&unified::AppMetadata {
        client_id: "member-app".into(),
        environment: ENV.into(),
        family_id: "1".into(),
        extra: Vec::new(),
    });
    let mut member = TokenCache::load(Rc::new(MemoryStore::new()), "member-app").0;
    member.replace_from_unified(&u2).unwrap();
    assert_eq!(member.credentials().filter(|c| c.credential_type == CredentialType::RefreshToken).count(), 1);
}

/// Two tabs over one storage. A tab whose view is behind (an entry another tab listed but has
/// not written yet, or keys it never read) must not write that view over the shared key lists:
/// the other tab's token would drop out of the lists, and no tab would read it again.
#[test]
fn a_tab_behind_never_drops_another_tabs_keys_from_the_shared_lists() {
    let store = Rc::new(MemoryStore::new());
    let (mut a, _) = TokenCache::load(store.clone(), CLIENT);
    let (mut b, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut a, &response("at-1", "User.Read openid profile", ""), &account(), REALM, "User.Read");
    // A's renewed token under a new key (other scopes), listed while its entry is still on its
    // way to the disk (the encrypted store writes entries asynchronously, in order).
    save(&mut a, &response("at-2", "Mail.Read openid profile", ""), &account(), REALM, "Mail.Read");
    let key = a.credentials().find(|c| c.secret == "at-2").map(credential_key).unwrap();
    let entry = store.get(&key).unwrap();
    store.remove(&key);
    b.reload();
    store.set(&key, &entry).unwrap();
    b.reload();
    assert!(b.credentials().any(|c| c.secret == "at-2"), "B reads A's token once it is on the disk");

    // B saves another account's token from its older view: A's keys stay listed.
    let (mut behind, _) = TokenCache::load(store.clone(), CLIENT);
    save(&mut a, &response("at-3", "Files.Read openid profile", ""), &account(), REALM, "Files.Read");
    save(&mut behind, &response("at-x", "User.Read openid profile", ""), &account_for("uid-2", "utid-1"), REALM, "User.Read");
    let (fresh, _) = TokenCache::load(store.clone(), CLIENT);
    let secrets: Vec<&str> = fresh.credentials().filter(|c| c.credential_type.is_access_token()).map(|c| c.secret.as_str()).collect();
    assert!(secrets.contains(&"at-3") && secrets.contains(&"at-x"), "{secrets:?}");
    // What a tab removes leaves the lists (its entry is gone from the storage).
    a.reload();
    a.remove_account(&account_for("uid-2", "utid-1").home_account_id).unwrap();
    let (fresh, _) = TokenCache::load(store.clone(), CLIENT);
    assert!(!fresh.credentials().any(|c| c.secret == "at-x"));
    let listed = stored(&store, TOKEN_KEYS).to_json();
    assert!(!listed.contains("uid-2"), "{listed}");
}

/// The key lists are searched through an index (a cache of a thousand entries searched them
/// linearly for each entry): a key another tab listed twice is listed once after a save, and
/// a reload holds each entry once, also when many tokens are cached.
#[test]
fn keys_listed_twice_are_kept_once_and_many_tokens_reload_intact() {
    let store = Rc::new(MemoryStore::new());
    let (mut a, _) = TokenCache::load(store.clone(), CLIENT);
    let (mut b, _) = TokenCache::load(store.clone(), CLIENT);
    for i in 0..40 {
        let scope = format!("api://x/s{i:02}");
        save(&mut a, &response(&format!("at-{i}"), &format!("{scope} openid profile"), ""), &account(), REALM, &scope);
    }
    let theirs = a.credentials().find(|c| c.secret == "at-7").map(credential_key).unwrap();
    let mut lists = stored(&store, TOKEN_KEYS);
    let mut ats = lists.get("accessToken").unwrap().strings();
    ats.push(theirs.clone());
    lists.set("accessToken", Json::str_array(&ats));
    store.set(TOKEN_KEYS, &lists.to_json()).unwrap();
    // B saves from a view without A's tokens: they stay listed, the doubled one once.
    save(&mut b, &response("at-b", "User.Read openid profile", ""), &account_for("uid-2", "utid-1"), REALM, "User.Read");
    let listed = stored(&store, TOKEN_KEYS).get("accessToken").unwrap().strings();
    assert_eq!(listed.iter().filter(|k| **k == theirs).count(), 1, "{listed:?}");
    assert_eq!(listed.len(), 41);
    b.reload();
    let mut secrets: Vec<&str> = b.credentials().filter(|c| c.credential_type.is_access_token()).map(|c| c.secret.as_str()).collect();
    secrets.sort_unstable();
    secrets.dedup();
    assert_eq!(secrets.len(), 41, "every token once: {secrets:?}");
    assert_eq!(b.credentials().filter(|c| c.credential_type.is_access_token()).count(), 41);
}

/// A store that records which keys were written in clear.
#[derive(Default)]
struct ClearRecorder {
    inner: MemoryStore,
    clear: RefCell<Vec<String>>,
}

impl KeyValueStore for ClearRecorder {
    fn get(&self, key: &str) -> Option<String> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), AuthError> {
        self.clear.borrow_mut().retain(|k| k != key);
        self.inner.set(key, value)
    }
    fn set_in_clear(&self, key: &str, value: &str) -> Result<(), AuthError> {
        self.clear.borrow_mut().push(key.to_owned());
        self.inner.set(key, value)
    }
    fn remove(&self, key: &str) {
        self.inner.remove(key)
    }
    fn keys(&self) -> Vec<String> {
        self.inner.keys()
    }
}

#[test]
fn a_keep_me_signed_in_save_stores_its_entries_in_clear_and_others_do_not() {
    let (mut cache, _) = TokenCache::load(Rc::new(ClearRecorder::default()), CLIENT);
    let r = response("at-1", "User.Read", "");
    let a = account();
    let save = |cache: &mut TokenCache<Rc<ClearRecorder>>, kmsi: bool| save_kmsi(cache, &r, &a, REALM, "User.Read", kmsi);
    save(&mut cache, true);
    let clear = cache.store.clear.borrow().clone();
    let user_keys: Vec<String> = cache.store.keys().into_iter().filter(|k| k.starts_with("msal.3|")).collect();
    assert_eq!(user_keys.len(), 4, "{user_keys:?}");
    for k in &user_keys {
        assert!(clear.contains(k), "{k} not in clear: {clear:?}");
    }
    // The same sign-in without "keep me signed in": encrypted again (written with `set`).
    save(&mut cache, false);
    assert!(cache.store.clear.borrow().is_empty(), "{:?}", cache.store.clear.borrow());
}

#[test]
fn a_late_snapshot_from_another_tab_never_puts_back_an_older_token() {
    // Tab A renews (refresh token rt-at-1) and announces it; the message reaches tab B after B
    // renewed itself (rt-at-2, later): B keeps its own. A newer snapshot is taken.
    let at_time = |at: &str, secs: u64| {
        let mut r = response(at, "User.Read", "");
        r.cached_at = secs;
        r
    };
    let (mut a, mut b) = (new_cache(), new_cache());
    let account = account();
    save(&mut a, &at_time("at-1", NOW + 1), &account, REALM, "User.Read");
    let late = a.last_save(HOME);
    save(&mut b, &at_time("at-2", NOW + 2), &account, REALM, "User.Read");
    assert!(b.apply_snapshot(HOME, &late, (NOW + 3) * 1000, 0));
    let envs = envs(&[ENV]);
    assert_eq!(b.find_refresh_token(HOME, &envs, false).unwrap().secret, "rt-at-2", "the rotated refresh token came back");
    assert_eq!(find(&b, "User.Read", &[ENV], REALM, "").unwrap().secret, "at-2");
    // A newer snapshot wins.
    save(&mut a, &at_time("at-3", NOW + 4), &account, REALM, "User.Read");
    assert!(b.apply_snapshot(HOME, &a.last_save(HOME), (NOW + 5) * 1000, 0));
    assert_eq!(b.find_refresh_token(HOME, &envs, false).unwrap().secret, "rt-at-3");
    assert_eq!(find(&b, "User.Read", &[ENV], REALM, "").unwrap().secret, "at-3");
}

#[test]
fn a_snapshot_that_lacks_this_tabs_token_for_other_scopes_leaves_it() {
    // Tab B renews Mail.Read; tab A, before B's writes reach it, renews User.Read and announces
    // the account without B's token: B keeps it (dropped, B would renew it again).
    let at_time = |at: &str, scope: &str, secs: u64| {
        let mut r = response(at, scope, "");
        r.cached_at = secs;
        r
    };
    let (mut a, mut b) = (new_cache(), new_cache());
    let account = account();
    save(&mut b, &at_time("at-mail", "Mail.Read", NOW + 1), &account, REALM, "Mail.Read");
    save(&mut a, &at_time("at-user", "User.Read", NOW + 2), &account, REALM, "User.Read");
    assert!(b.apply_snapshot(HOME, &a.last_save(HOME), (NOW + 3) * 1000, 0));
    assert_eq!(find(&b, "Mail.Read", &[ENV], REALM, "").map(|c| c.secret.clone()).as_deref(), Some("at-mail"));
    assert_eq!(find(&b, "User.Read", &[ENV], REALM, "").unwrap().secret, "at-user");
    let envs = envs(&[ENV]);
    assert_eq!(b.find_refresh_token(HOME, &envs, false).unwrap().secret, "rt-at-user", "the newer refresh token");
    // Once the storage no longer holds it (another tab removed it), a reload drops it.
    for k in b.store().keys().into_iter().filter(|k| k.contains("mail.read")) {
        b.store().remove(&k);
    }
    save(&mut a, &at_time("at-user-2", "User.Read", NOW + 4), &account, REALM, "User.Read");
    assert!(b.apply_snapshot(HOME, &a.last_save(HOME), (NOW + 5) * 1000, 0));
    assert!(find(&b, "Mail.Read", &[ENV], REALM, "").is_some());
    b.reload();
    assert!(find(&b, "Mail.Read", &[ENV], REALM, "").is_none());
}

#[test]
fn a_save_announces_what_it_changed_not_the_whole_account() {
    // An account with 40 access tokens renews one: the message other tabs parse is the
    // account, the ID, access and refresh tokens written, and the keys removed (before: every
    // entry of the account, 2-3 KB each, past the channel's limit at ~100 tokens).
    let at_time = |at: &str, scope: &str, secs: u64| {
        let mut r = response(at, scope, "");
        r.cached_at = secs;
        r
    };
    let (mut a, mut b) = (new_cache(), new_cache());
    let account = account();
    for i in 0..40 {
        let scope = format!("api{i}.read");
        save(&mut a, &at_time(&"t".repeat(1500), &scope, NOW), &account, REALM, &scope);
    }
    // Tab B holds what the storage holds (its reload).
    for k in a.store().keys() {
        b.store().set(&k, &a.store().get(&k).unwrap()).unwrap();
    }
    b.reload();
    assert_eq!(b.credentials().count(), 42);
    // A renews api0.read together with Mail.Read: its old api0.read token goes (the scopes
    // intersect), and B learns both the new token and the removal.
    save(&mut a, &at_time("at-new", "api0.read Mail.Read", NOW + 10), &account, REALM, "api0.read Mail.Read");
    let delta = a.last_save(HOME);
    let named = |field: &str| delta.get(field).and_then(Json::as_array).map_or(0, |l| l.len());
    assert_eq!((named("accounts"), named("credentials"), named("removed")), (1, 3, 1));
    assert!(delta.to_json().len() < 4_000, "{} bytes", delta.to_json().len());
    assert!(b.apply_snapshot(HOME, &delta, (NOW + 11) * 1000, 0));
    assert_eq!(find(&b, "Mail.Read", &[ENV], REALM, "").map(|c| c.secret.as_str()), Some("at-new"));
    assert_eq!(b.credentials().count(), 42, "39 untouched tokens, the new one, the ID and refresh tokens");
    assert!(find(&b, "api5.read", &[ENV], REALM, "").is_some());
    // A removal B wrote again since (its copy is newer than the whole save) stays.
    let mut c = new_cache();
    for k in a.store().keys() {
        c.store().set(&k, &a.store().get(&k).unwrap()).unwrap();
    }
    c.reload();
    save(&mut a, &at_time("at-api1", "api1.read Files.Read", NOW + 20), &account, REALM, "api1.read Files.Read");
    save(&mut c, &at_time("at-api1-c", "api1.read", NOW + 30), &account, REALM, "api1.read");
    assert!(c.apply_snapshot(HOME, &a.last_save(HOME), (NOW + 31) * 1000, 0));
    assert!(c.credentials().any(|x| x.secret == "at-api1-c"));
}

#[test]
fn a_reload_keeps_what_another_tabs_snapshot_brought_until_the_storage_shows_it() {
    // Tab A signs in and announces its entries; they reach tab B before A's writes reach B's
    // view of the storage (here: B's storage never had them). B's reload, for any other
    // storage event, keeps them: dropped, the account would vanish and come back.
    let (mut a, mut b) = (new_cache(), new_cache());
    save(&mut a, &response("at-1", "User.Read", ""), &account(), REALM, "User.Read");
    assert!(b.apply_snapshot(HOME, &a.last_save(HOME), NOW * 1000, 0));
    let held = |c: &TokenCache<Rc<MemoryStore>>| (c.accounts().count(), c.credentials().count());
    let all = held(&b);
    assert_eq!(all.0, 1);
    assert!(b.reload().is_empty());
    assert_eq!(held(&b), all, "kept while the storage does not show them");
    // The writes arrive: read from the storage, then gone with it.
    for k in a.store().keys() {
        b.store().set(&k, &a.store().get(&k).unwrap()).unwrap();
    }
    b.reload();
    assert_eq!(held(&b), all);
    for k in b.store().keys() {
        b.store().remove(&k);
    }
    b.reload();
    assert_eq!(held(&b), (0, 0), "removed by another tab: gone");
    // Written and removed by the other tab before a reload read it: once the storage has
    // shown the removal, the entry is the storage's to drop.
    assert!(b.apply_snapshot(HOME, &a.last_save(HOME), NOW * 1000, 0));
    let keys: Vec<String> = a.store().keys().into_iter().filter(|k| k.starts_with("msal.3|")).collect();
    for k in &keys {
        b.storage_shown(k);
    }
    b.reload();
    assert_eq!(held(&b), (0, 0), "kept after the storage showed the removal");
    // Signed out in the other tab before its writes ever showed: gone at the next reload.
    assert!(b.apply_snapshot(HOME, &a.last_save(HOME), NOW * 1000, 0));
    b.forget_ahead(Some(&HOME.to_ascii_uppercase()));
    b.reload();
    assert_eq!(held(&b), (0, 0));
}

#[test]
fn an_older_schemas_keep_me_signed_in_entries_are_migrated_in_clear() {
    // msal 5 decides from the ID token's signin_state: a "keep me signed in" account's migrated
    // entries are stored in clear (they must outlive the browser session's key); others sealed.
    for (signin_state, in_clear) in [(r#","signin_state":["kmsi"]"#, true), ("", false)] {
        let store = Rc::new(ClearRecorder::default());
        let acc = "msal.2|uid-1.utid-1|login.microsoftonline.com|utid-1";
        let idt = "msal.2|uid-1.utid-1|login.microsoftonline.com|idtoken|client-1|utid-1|||";
        let rt = "msal.2|uid-1.utid-1|login.microsoftonline.com|refreshtoken|client-1||||";
        let claims = format!(r#"{{"sub":"s","oid":"uid-1","tid":"utid-1","preferred_username":"ada"{signin_state}}}"#);
        store.set("msal.2.account.keys", &format!(r#"["{acc}"]"#)).unwrap();
        store.set(acc, r#"{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","realm":"utid-1","localAccountId":"uid-1","username":"ada","authorityType":"MSSTS"}"#).unwrap();
        store.set(idt, &format!(r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"IdToken","clientId":"client-1","secret":"{}","realm":"utid-1"}}"#, jwt(&claims))).unwrap();
        store.set(rt, r#"{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"RefreshToken","clientId":"client-1","secret":"rt-1"}"#).unwrap();
        store.set("msal.2.token.keys.client-1", &format!(r#"{{"idToken":["{idt}"],"accessToken":[],"refreshToken":["{rt}"]}}"#)).unwrap();
        store.clear.borrow_mut().clear();
        let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(cache.credentials().count(), 2);
        let migrated: Vec<String> = store.keys().into_iter().filter(|k| k.starts_with("msal.3|")).collect();
        assert_eq!(migrated.len(), 3, "{migrated:?}");
        let clear = store.clear.borrow().clone();
        for k in &migrated {
            assert_eq!(clear.contains(k), in_clear, "{k}: {clear:?}");
        }
    }
}

#[test]
fn an_older_account_signed_out_here_does_not_come_back_and_another_apps_stays_its_own() {
    // The older account and list stay for the origin's other apps; the copy follows this
    // client's ID token: after a sign-out (its tokens gone) a reload does not copy it again, and
    // an account this client has no ID token for is never copied.
    let store = Rc::new(MemoryStore::new());
    let acc = |home: &str| format!("msal.2|{home}|login.microsoftonline.com|utid-1");
    let idt = "msal.2|uid-1.utid-1|login.microsoftonline.com|idtoken|client-1|utid-1||";
    store.set("msal.2.account.keys", &format!(r#"["{}","{}"]"#, acc("uid-1.utid-1"), acc("other.app"))).unwrap();
    for home in ["uid-1.utid-1", "other.app"] {
        store
            .set(&acc(home), &format!(r#"{{"homeAccountId":"{home}","environment":"login.microsoftonline.com","realm":"utid-1","localAccountId":"l","username":"u","authorityType":"MSSTS"}}"#))
            .unwrap();
    }
    store.set(idt, &format!(r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"IdToken","clientId":"client-1","secret":"{}","realm":"utid-1"}}"#, id_token_for("uid-1", "utid-1"))).unwrap();
    store.set("msal.2.token.keys.client-1", &format!(r#"{{"idToken":["{idt}"],"accessToken":[],"refreshToken":[]}}"#)).unwrap();
    let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
    let homes = |c: &TokenCache<Rc<MemoryStore>>| c.accounts().map(|a| a.home_account_id.clone()).collect::<Vec<_>>();
    assert_eq!(homes(&cache), ["uid-1.utid-1"], "another app's account is not copied");
    cache.remove_account("uid-1.utid-1").unwrap();
    assert!(cache.reload().is_empty());
    assert!(homes(&cache).is_empty(), "the signed-out account came back");
    assert!(store.get(ACCOUNT_KEYS).is_none_or(|l| !l.contains("uid-1")));
    // Its older entries go too (msal 5's removeAccount removes every key of the account), so a
    // new load does not copy it back; another app's older account stays.
    assert_eq!((store.get(&acc("uid-1.utid-1")), store.get(idt)), (None, None));
    assert!(store.get(&acc("other.app")).is_some());
    let (again, _) = TokenCache::load(store.clone(), CLIENT);
    assert!(homes(&again).is_empty());
}

#[test]
fn an_older_copy_written_since_replaces_the_current_entry_and_an_earlier_one_does_not() {
    // msal-browser 4 on a page of the origin (or the app rolled back to it) renewed the refresh
    // token after msal-wasm copied it: the next load takes the newer one, as msal 5's migration.
    let frt = |schema: &str| format!("{schema}|uid-1.utid-1|login.microsoftonline.com|refreshtoken|1|||");
    let rt = |secret: &str, updated: u64| {
        format!(
            r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"RefreshToken","clientId":"client-1","secret":"{secret}","familyId":"1","lastUpdatedAt":"{updated}"}}"#
        )
    };
    let idt = |schema: &str| format!("{schema}|uid-1.utid-1|login.microsoftonline.com|idtoken|client-1|utid-1||");
    let id_token = |claims: &str, updated: u64| {
        format!(
            r#"{{"homeAccountId":"uid-1.utid-1","environment":"login.microsoftonline.com","credentialType":"IdToken","clientId":"client-1","secret":"{}","realm":"utid-1","lastUpdatedAt":"{updated}"}}"#,
            jwt(claims)
        )
    };
    let v5 = 1_699_999_999_000u64;
    for (older_at, want) in [(v5 + 1, "rt-v4"), (v5 - 1, "rt-v5")] {
        let store = Rc::new(MemoryStore::new());
        v5_cache(&store);
        // The current ID token keeps "keep me signed in"; the older one, newer, lacks it: the
        // current one stays (its state would be lost). An older one with it replaces it.
        store.set(IDT_KEY, &id_token(r#"{"oid":"uid-1","tid":"utid-1","signin_state":["kmsi"]}"#, v5)).unwrap();
        store.set(&idt("msal.2"), &id_token(r#"{"oid":"uid-1","tid":"utid-1","name":"plain"}"#, v5 + 1)).unwrap();
        store.set(&frt("msal.2"), &rt("rt-v4", older_at)).unwrap();
        store
            .set(
                "msal.2.token.keys.client-1",
                &format!(r#"{{"idToken":["{}"],"accessToken":[],"refreshToken":["{}"]}}"#, idt("msal.2"), frt("msal.2")),
            )
            .unwrap();
        let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(cache.find_refresh_token(HOME, &envs(&[ENV]), true).map(|c| c.secret.as_str()), Some(want));
        assert_eq!(stored(&store, &frt("msal.3")).str_field("secret"), Some(want));
        assert!(IdTokenClaims::decode(&cache.find_id_token(HOME, &envs(&[ENV]), REALM).unwrap().secret).unwrap().kmsi());
        assert!(store.get(&frt("msal.2")).is_some(), "the older copy stays");
    }
    let store = Rc::new(MemoryStore::new());
    v5_cache(&store);
    store.set(&idt("msal.2"), &id_token(r#"{"oid":"uid-1","tid":"utid-1","signin_state":["kmsi"]}"#, v5 + 1)).unwrap();
    store.set("msal.2.token.keys.client-1", &format!(r#"{{"idToken":["{}"],"accessToken":[],"refreshToken":[]}}"#, idt("msal.2"))).unwrap();
    let (cache, _) = TokenCache::load(store.clone(), CLIENT);
    assert!(IdTokenClaims::decode(&cache.find_id_token(HOME, &envs(&[ENV]), REALM).unwrap().secret).unwrap().kmsi());
}

#[test]
fn tenant_profiles_are_written_with_msal_5s_login_hint_and_upn() {
    let claims = IdTokenClaims::decode(&jwt(
        r#"{"oid":"uid-1","tid":"utid-1","preferred_username":"ada@contoso.com","upn":"ada@corp","login_hint":"O.hint"}"#,
    ))
    .unwrap();
    let a = Account::from_response(&client_info("uid-1", "utid-1"), Some(&claims), ENV, authority_type::MSSTS, NOW * 1000).unwrap();
    let j = entities::AccountEntity::new(a).to_json();
    let profiles = j.get("tenantProfiles").and_then(Json::as_array).unwrap();
    assert_eq!(
        profiles[0].to_json(),
        r#"{"tenantId":"utid-1","localAccountId":"uid-1","name":"","username":"ada@contoso.com","loginHint":"O.hint","isHomeTenant":true,"upn":"ada@corp"}"#
    );
    // And read back as fields, not as unknown ones.
    let back = entities::AccountEntity::from_json(&j).unwrap();
    assert!(back.profile_extra.is_empty());
    assert_eq!((back.account.tenant_profiles[0].login_hint.as_str(), back.account.tenant_profiles[0].upn.as_str()), ("O.hint", "ada@corp"));
}

#[test]
fn storage_full_after_the_save_drops_the_access_token_that_expires_first() {
    // An encrypted entry reaches the disk after its save: the refusal comes later, and the
    // cache makes room then, one access token at a time, never the entry being written.
    let mut cache = new_cache();
    save(&mut cache, &response("at-a", "A.Read", ""), &account(), REALM, "A.Read");
    save(&mut cache, &response("at-b", "B.Read", ""), &account(), REALM, "B.Read");
    let key_of = |cache: &TokenCache<Rc<MemoryStore>>, secret: &str| {
        cache.credentials.iter().find(|(_, c)| c.secret == secret).map(|(k, _)| k.clone()).unwrap()
    };
    // at-a expires first (saved with an earlier expiry).
    let a = key_of(&cache, "at-a");
    cache.credentials.iter_mut().find(|(k, _)| *k == a).unwrap().1.expires_on = NOW + 100;
    let b = key_of(&cache, "at-b");
    // Not for an entry that is not worth a token (a discovery document, a throttling entry).
    assert!(!cache.storage_full("msal.client-1.authority-metadata.https://login.example/t/", NOW));
    assert_eq!(at_secrets(&cache), ["at-a", "at-b"]);
    let version = cache.version();
    assert!(cache.storage_full(&b, NOW));
    assert_eq!(at_secrets(&cache), ["at-b"]);
    assert!(cache.store().get(&a).is_none(), "dropped from the storage too");
    assert!(!cache.store().get(&token_keys_key(SCHEMA, CLIENT)).unwrap().contains(&a), "and from the key list");
    assert_ne!(cache.version(), version, "a cache hit is decided again");
    // Only the entry being written is left: no room to make.
    assert!(!cache.storage_full(&b, NOW));
    assert_eq!(at_secrets(&cache), ["at-b"]);
    // An expired access token goes first, whatever the others' expiry.
    save(&mut cache, &response("at-c", "C.Read", ""), &account(), REALM, "C.Read");
    let c = key_of(&cache, "at-c");
    cache.credentials.iter_mut().find(|(k, _)| *k == c).unwrap().1.expires_on = NOW - 1;
    let rt = cache.credentials.iter().find(|(_, x)| x.credential_type == CredentialType::RefreshToken).map(|(k, _)| k.clone()).unwrap();
    assert!(cache.storage_full(&rt, NOW));
    assert_eq!(at_secrets(&cache), ["at-b"]);
}

#[test]
fn a_key_list_that_is_not_a_list_is_rebuilt_from_the_other_list() {
    // A key list a script, an extension or an older release left unreadable: msal 5 throws a
    // SyntaxError at every call until the storage is cleared. The entries it listed are still
    // in the storage: the accounts this client's ID tokens name, or the ID and refresh tokens
    // of the listed accounts, are found and listed again (the access tokens, whose keys name
    // their scopes, are renewed with the refresh token).
    let home = || account();
    // A guest's ID token is its tenant's; its account is keyed by its home tenant.
    let guest = || {
        let mut a = account();
        let profile = a.tenant_profiles[0].clone();
        a.tenant_profiles.push(crate::core::account::TenantProfile { tenant_id: "guest-tid".into(), is_home_tenant: false, ..profile });
        a
    };
    // A generic provider's subject ids: dots (the key's tenant is the part after the first, up
    // to the next), a `|` (Auth0's enterprise connections).
    let subject = |sub: &str| {
        let mut a = account();
        a.home_account_id = sub.into();
        a
    };
    let cases: [(&str, &str, &str, Account); 8] = [
        (TOKEN_KEYS, "[oops", REALM, home()),
        (TOKEN_KEYS, "42", REALM, home()),
        (ACCOUNT_KEYS, "oops", REALM, home()),
        (ACCOUNT_KEYS, r#"{"a":1}"#, REALM, home()),
        (ACCOUNT_KEYS, "oops", "guest-tid", guest()),
        (TOKEN_KEYS, "oops", "guest-tid", guest()),
        (ACCOUNT_KEYS, "oops", REALM, subject("first.last@example.com")),
        (ACCOUNT_KEYS, "oops", REALM, subject("samlp|conn|john.doe@x.com")),
    ];
    for (list, garbage, realm, a) in cases {
        let case = [list, " ", realm, " ", &a.home_account_id].concat();
        let store = Rc::new(MemoryStore::new());
        let (mut cache, _) = TokenCache::load(store.clone(), CLIENT);
        save(&mut cache, &response("at-1", "User.Read", ""), &a, realm, "User.Read");
        let (accounts_listed, tokens_listed) = (stored(&store, ACCOUNT_KEYS), stored(&store, TOKEN_KEYS));
        // Another client's ID token, which the rebuilt list must not take.
        store.set("msal.3|uid-1.utid-1|login.microsoftonline.com|idtoken|client-2|utid-1||", "{}").unwrap();
        store.set(list, garbage).unwrap();
        let (cache, issues) = TokenCache::load(store.clone(), CLIENT);
        assert_eq!(issues.len(), 0, "{case}");
        assert_eq!(cache.accounts().count(), 1, "{case}");
        assert!(cache.find_id_token(&a.home_account_id, &envs(&[ENV]), realm).is_some(), "{case}");
        assert!(cache.find_refresh_token(&a.home_account_id, &envs(&[ENV]), false).is_some(), "{case}");
        let tokens_lost = list == TOKEN_KEYS;
        assert_eq!(at_secrets(&cache).len(), if tokens_lost { 0 } else { 1 }, "{case}");
        // Both lists readable again, as they were, with this client's entries only.
        assert_eq!(stored(&store, ACCOUNT_KEYS), accounts_listed, "{case}");
        let tokens = stored(&store, TOKEN_KEYS);
        assert_eq!(tokens.get("idToken"), tokens_listed.get("idToken"), "{case}");
        assert_eq!(tokens.get("refreshToken"), tokens_listed.get("refreshToken"), "{case}");
        assert_eq!(tokens.get("accessToken").unwrap().strings().len(), if tokens_lost { 0 } else { 1 }, "{case}");
    }
}
