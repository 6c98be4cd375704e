//! Requests that name their own authority (msal's per-request `authority`): a guest tenant of
//! the signed-in user, a B2C policy, an untrusted host. Over the memory platform with the
//! scripted provider, which serves any tenant's discovery document and issues each tenant's
//! own ID token.

mod scripted;

use msal_wasm::client::{AccountFilter, AccountRef, Config, InteractiveRequest, PublicClientApplication, SilentRequest};
use msal_wasm::platform::memory::block_on;
use msal_wasm::platform::{Platform, PopupAttributes};
use scripted::*;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn guest_authority() -> String {
    format!("https://login.microsoftonline.com/{GUEST_TENANT}")
}

fn in_guest_tenant() -> InteractiveRequest {
    InteractiveRequest { scopes: vec!["User.Read".into()], authority: Some(guest_authority()), ..Default::default() }
}

/// The guest tenant through a path msal has no hardcoded endpoints for (`…/v2.0`): its
/// discovery document is fetched.
fn fetched_guest_authority() -> String {
    format!("https://login.microsoftonline.com/{GUEST_TENANT}/v2.0")
}

/// The test client at `common`, as multi-tenant apps sign in.
fn at_common() -> Config {
    Config::new("client-1")
        .with_authority("https://login.microsoftonline.com/common")
        .with_redirect_uri("https://app.example/")
        .with_authority_metadata(METADATA)
}

fn token_urls(h: &Harness) -> Vec<String> {
    let requests = h.platform.requests.borrow();
    let urls = requests.iter().map(|r| r.url.split('?').next().unwrap_or_default().to_owned());
    urls.filter(|u| u.ends_with("/token")).collect()
}

/// The verifier of [`code_from_elsewhere`]'s code.
const ELSEWHERE_VERIFIER: &str = "a-verifier-of-the-code-obtained-elsewhere";

/// A code obtained elsewhere (a back end's), as msal's acquireTokenByCode takes it: the
/// scripted provider now expects its verifier.
fn code_from_elsewhere(h: &Harness) -> msal_wasm::client::ByCodeRequest {
    h.idp.borrow_mut().challenge = msal_wasm::core::base64::encode_url(&msal_wasm::core::sha256::sha256(ELSEWHERE_VERIFIER.as_bytes()));
    msal_wasm::client::ByCodeRequest {
        code: msal_wasm::secret::AuthCode::new("the-code"),
        scopes: vec!["User.Read".into()],
        code_verifier: Some(msal_wasm::secret::PkceVerifier::new(ELSEWHERE_VERIFIER)),
        ..Default::default()
    }
}

#[test]
fn a_popup_for_another_tenant_opens_at_once_and_signs_in_there() {
    let h = harness();
    let home = h.sign_in();
    // The guest tenant's endpoints are msal's hardcoded ones for login.microsoftonline.com: the
    // popup opens on that tenant's authorize page at once, without a discovery request.
    let started = h.pca.open_popup(&in_guest_tenant(), PopupAttributes::default()).unwrap();
    assert!(h.pca.interaction_in_progress(), "the popup holds the interaction lock from the start");
    let guest = block_on(h.pca.complete_popup(started)).unwrap();
    assert!(!h.pca.interaction_in_progress());
    assert!(h.idp.borrow().discoveries.is_empty(), "{:?}", h.idp.borrow().discoveries);
    assert!(h.platform.windows.borrow().iter().all(|w| w != "about:blank"), "no blank popup");
    let authorize = h.platform.windows.borrow().last().cloned().unwrap();
    assert!(authorize.starts_with(&format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/authorize?")), "{authorize}");
    assert_eq!(token_urls(&h).last().cloned().unwrap(), format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/token"));

    // The same account (one home account id), a token of the guest tenant.
    assert_eq!(guest.authority, format!("{}/", guest_authority()));
    assert_eq!(guest.tenant_id, GUEST_TENANT);
    assert_eq!(guest.account.account.home_account_id, home.account.account.home_account_id);
    assert_eq!(guest.unique_id, format!("guest-in-{GUEST_TENANT}"));
    assert_ne!(guest.access_token.secret(), home.access_token.secret());

    // Silent calls: each authority gets its own tenant's token from the cache, without network.
    let requests = h.platform.requests.borrow().len();
    let account = Some(AccountRef::new(home.account.account.home_account_id.clone()));
    let in_home = SilentRequest { scopes: vec!["User.Read".into()], account: account.clone(), ..Default::default() };
    let in_guest = SilentRequest { authority: Some(guest_authority()), ..in_home.clone() };
    let a = block_on(h.pca.acquire_token_silent(&in_home)).unwrap();
    let b = block_on(h.pca.acquire_token_silent(&in_guest)).unwrap();
    assert!(a.from_cache && b.from_cache);
    assert_eq!((a.tenant_id.as_str(), a.access_token.secret()), (TENANT, home.access_token.secret()));
    assert_eq!((b.tenant_id.as_str(), b.access_token.secret()), (GUEST_TENANT, guest.access_token.secret()));
    assert_eq!(b.authority, format!("{}/", guest_authority()));
    // The guest tenant profile's AccountInfo, without an authority, means that tenant too.
    let by_profile = SilentRequest { account: Some(guest.account.to_ref()), ..in_home.clone() };
    let c = block_on(h.pca.acquire_token_silent(&by_profile)).unwrap();
    assert_eq!((c.tenant_id.as_str(), c.access_token.secret(), c.from_cache), (GUEST_TENANT, guest.access_token.secret(), true));
    assert_eq!(h.platform.requests.borrow().len(), requests, "all from the cache");
    let forced = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..by_profile })).unwrap();
    assert_eq!(forced.tenant_id, GUEST_TENANT);
    assert_eq!(token_urls(&h).last().cloned().unwrap(), format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/token"));
    let requests = h.platform.requests.borrow().len();

    // The next popup for that tenant opens on the authorize page too.
    let again = h.pca.open_popup(&in_guest_tenant(), PopupAttributes::default()).unwrap();
    assert!(h.platform.windows.borrow().last().unwrap().contains(&format!("/{GUEST_TENANT}/oauth2/v2.0/authorize?")));
    block_on(h.pca.complete_popup(again)).unwrap();
    assert!(h.idp.borrow().discoveries.is_empty());
    assert_eq!(h.platform.requests.borrow().len(), requests + 1, "only the code redemption");
}

#[test]
fn renewal_for_another_tenant_goes_to_that_tenants_token_endpoint() {
    let h = harness();
    let home = h.sign_in();
    let req = SilentRequest {
        scopes: vec!["User.Read".into()],
        account: Some(AccountRef::new(home.account.account.home_account_id.clone())),
        authority: Some(guest_authority()),
        ..Default::default()
    };
    // Nothing cached for the guest tenant: the (multi-tenant) refresh token gets it there.
    let r = block_on(h.pca.acquire_token_silent(&req)).unwrap();
    assert!(!r.from_cache);
    assert_eq!(r.tenant_id, GUEST_TENANT);
    assert_eq!(token_urls(&h).last().cloned().unwrap(), format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/token"));
    assert_eq!(h.platform.requests.borrow().last().unwrap().form_field("grant_type").as_deref(), Some("refresh_token"));
    // And from the cache afterwards; the home tenant's token is untouched.
    assert!(block_on(h.pca.acquire_token_silent(&req)).unwrap().from_cache);
    let home_again = block_on(h.pca.acquire_token_silent(&SilentRequest { authority: None, ..req.clone() })).unwrap();
    assert_eq!(home_again.tenant_id, TENANT);
}

#[test]
fn a_redirect_to_another_tenant_is_redeemed_there_after_the_page_reloads() {
    let h = harness();
    let pending = block_on(h.pca.begin_redirect(&in_guest_tenant(), "https://app.example/start")).unwrap();
    assert!(pending.url.contains(&format!("/{GUEST_TENANT}/oauth2/v2.0/authorize?")));
    let response = front_channel(&h.idp)(&pending.url).unwrap();
    drop(pending);
    // The page after the redirect: a new client on the same storage, which knows nothing of
    // the guest tenant but what the saved request says.
    let page2 = PublicClientApplication::new(config(), h.platform.clone()).unwrap();
    block_on(page2.initialize()).unwrap();
    let r = block_on(page2.handle_redirect(Some(&response))).unwrap().unwrap();
    assert_eq!(r.tenant_id, GUEST_TENANT);
    assert_eq!(r.authority, format!("{}/", guest_authority()));
    assert_eq!(token_urls(&h), [format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/token")]);
}

#[test]
fn an_untrusted_authority_is_refused_before_anything_starts() {
    let h = harness();
    let evil = InteractiveRequest { authority: Some("https://login.evil.example/common".into()), ..in_guest_tenant() };
    let e = h.pca.open_popup(&evil, PopupAttributes::default()).unwrap_err();
    assert_eq!(e.code(), "untrusted_authority");
    assert!(!h.pca.interaction_in_progress());
    assert!(h.platform.windows.borrow().is_empty());
    let e = block_on(h.pca.begin_redirect(&evil, "")).unwrap_err();
    assert_eq!(e.code(), "untrusted_authority");
    let home = h.sign_in().account.account.home_account_id;
    let silent = SilentRequest {
        scopes: vec!["User.Read".into()],
        account: Some(AccountRef::new(home)),
        authority: evil.authority.clone(),
        ..Default::default()
    };
    let e = block_on(h.pca.acquire_token_silent(&silent)).unwrap_err();
    assert_eq!(e.code(), "untrusted_authority");
    assert!(h.platform.requests.borrow().iter().all(|r| !r.url.contains("evil")));
    // A known authority is trusted on its host.
    let mut known = config();
    known.known_authorities = vec!["login.evil.example".into()];
    let h2 = harness_with(known);
    let started = h2.pca.open_popup(&evil, PopupAttributes::default()).unwrap();
    assert!(block_on(h2.pca.complete_popup(started)).is_ok());
}

#[test]
fn a_discovery_failure_closes_the_blank_popup_and_frees_the_lock() {
    let h = harness();
    h.idp.borrow_mut().fail_next = Some(msal_wasm::core::http::HttpResponse::new(500, "down"));
    let fetched = InteractiveRequest { authority: Some(fetched_guest_authority()), ..in_guest_tenant() };
    // Its endpoints are not known yet: the popup opens (inside the click) on a blank page, to be
    // sent to the authorize page once the discovery document is in.
    let started = h.pca.open_popup(&fetched, PopupAttributes::default()).unwrap();
    assert_eq!(h.platform.windows.borrow().last().map(String::as_str), Some("about:blank"));
    let e = block_on(h.pca.complete_popup(started)).unwrap_err();
    assert_eq!(e.code(), "endpoints_resolution_error");
    assert!(!e.correlation_id().is_empty());
    assert!(!h.pca.interaction_in_progress());
    // The next try fetches it again and works.
    let started = h.pca.open_popup(&fetched, PopupAttributes::default()).unwrap();
    assert_eq!(block_on(h.pca.complete_popup(started)).unwrap().tenant_id, GUEST_TENANT);
    assert_eq!(h.idp.borrow().discoveries, [format!("{}/.well-known/openid-configuration", fetched_guest_authority())]);
}

#[test]
fn a_results_authority_is_msals_canonical_one_on_the_clouds_network_host() {
    // msal moves an alias host's authority to its cloud's network host and lower-cases it.
    let h = harness();
    let alias = format!("https://login.windows.net/{}", GUEST_TENANT.to_ascii_uppercase());
    let req = InteractiveRequest { authority: Some(alias.clone()), ..in_guest_tenant() };
    let started = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    let r = block_on(h.pca.complete_popup(started)).unwrap();
    let expected = format!("{}/", guest_authority());
    assert_eq!(r.authority, expected);
    let silent = SilentRequest {
        scopes: vec!["User.Read".into()],
        account: Some(AccountRef::new(r.account.account.home_account_id.clone())),
        authority: Some(alias),
        ..Default::default()
    };
    let hit = block_on(h.pca.acquire_token_silent(&silent)).unwrap();
    assert!(hit.from_cache);
    assert_eq!(hit.authority, expected);
}

#[test]
fn a_b2c_policy_switch_is_another_authority_on_the_same_host() {
    // B2C: tenant and policy in the path; the policy decides the user flow (password reset).
    let b2c = |policy: &str| format!("https://contoso.b2clogin.com/contoso.onmicrosoft.com/{policy}");
    let metadata = METADATA.replace("login.microsoftonline.com/{tenant}", "contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_signin");
    let config = Config::new("client-1")
        .with_authority(b2c("B2C_1_signin"))
        .with_redirect_uri("https://app.example/")
        .with_authority_metadata(metadata);
    let h = harness_with(config);
    let reset = InteractiveRequest { scopes: vec!["openid".into()], authority: Some(b2c("B2C_1_reset")), ..Default::default() };
    let started = h.pca.open_popup(&reset, PopupAttributes::default()).unwrap();
    let r = block_on(h.pca.complete_popup(started)).unwrap();
    // (msal's canonical authority: lower-cased.)
    assert_eq!(r.authority, format!("{}/", b2c("b2c_1_reset")));
    assert_eq!(
        h.idp.borrow().discoveries,
        ["https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_reset/v2.0/.well-known/openid-configuration"]
    );
    let authorize = h.platform.windows.borrow().last().cloned().unwrap();
    assert!(
        authorize.starts_with("https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_reset/oauth2/v2.0/authorize?"),
        "{authorize}"
    );
    assert_eq!(token_urls(&h), ["https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_reset/oauth2/v2.0/token"]);
}

#[test]
fn each_tenant_profile_is_an_account_as_msal_v5_returns_them() {
    // The app signs in at `common`: the home tenant's token, then a guest tenant's.
    let h = harness_with(at_common());
    let home = h.sign_in();
    assert_eq!(home.tenant_id, TENANT);
    let started = h.pca.open_popup(&in_guest_tenant(), PopupAttributes::default()).unwrap();
    let guest = block_on(h.pca.complete_popup(started)).unwrap();

    // One cached account, two AccountInfos: one per tenant, each with that tenant's ID token.
    let all = h.pca.all_accounts();
    let view: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|a| {
            let tid = a.id_token_claims.as_ref().and_then(|c| c.str_field("tid")).unwrap_or_default();
            (a.account.realm.as_str(), a.account.local_account_id.as_str(), tid)
        })
        .collect();
    let guest_oid = format!("guest-in-{GUEST_TENANT}");
    assert_eq!(view, [(TENANT, "uid-1", TENANT), (GUEST_TENANT, guest_oid.as_str(), GUEST_TENANT)]);
    assert!(all.iter().all(|a| a.account.home_account_id == home.account.account.home_account_id));
    assert_eq!((home.account.account.realm.as_str(), guest.account.account.realm.as_str()), (TENANT, GUEST_TENANT));

    // Filters pick tenant profiles.
    let in_guest = AccountFilter { tenant_id: Some(GUEST_TENANT.into()), ..AccountFilter::default() };
    assert_eq!(h.pca.accounts_matching(&in_guest).len(), 1);
    // msal's `realm` is the cached account's own tenant: every profile of that account.
    let realm = |r: &str| AccountFilter { realm: Some(r.into()), ..AccountFilter::default() };
    assert_eq!(h.pca.accounts_matching(&realm(&TENANT.to_uppercase())).len(), 2);
    assert_eq!(h.pca.accounts_matching(&realm(GUEST_TENANT)).len(), 0);
    let not_home = AccountFilter { is_home_tenant: Some(false), ..AccountFilter::default() };
    assert_eq!(h.pca.account_matching(&not_home).map(|a| a.account.realm), Some(GUEST_TENANT.to_owned()));
    let by_guest_oid = AccountFilter { local_account_id: Some(guest_oid.clone()), ..AccountFilter::default() };
    assert_eq!(h.pca.account_matching(&by_guest_oid).map(|a| a.account.realm), Some(GUEST_TENANT.to_owned()));

    // The active account keeps its tenant profile, and a request without an account (or with
    // the guest AccountInfo) gets the guest tenant's token from the cache.
    h.pca.set_active_account(Some(&guest.account.to_ref())).unwrap();
    assert_eq!(h.pca.active_account().map(|a| a.account.realm), Some(GUEST_TENANT.to_owned()));
    let requests = h.platform.requests.borrow().len();
    let no_account = SilentRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let r = block_on(h.pca.acquire_token_silent(&no_account)).unwrap();
    assert_eq!((r.tenant_id.as_str(), r.access_token.secret(), r.from_cache), (GUEST_TENANT, guest.access_token.secret(), true));
    assert_eq!(r.account.account.realm, GUEST_TENANT);
    let as_home = SilentRequest { account: Some(home.account.to_ref()), ..no_account.clone() };
    let r = block_on(h.pca.acquire_token_silent(&as_home)).unwrap();
    assert_eq!((r.tenant_id.as_str(), r.access_token.secret()), (TENANT, home.access_token.secret()));
    assert_eq!(h.platform.requests.borrow().len(), requests, "both from the cache");

    // Renewing the guest profile's token (under `common`) happens in the guest tenant.
    let forced = SilentRequest { force_refresh: true, ..no_account };
    let r = block_on(h.pca.acquire_token_silent(&forced)).unwrap();
    assert_eq!(r.tenant_id, GUEST_TENANT);
    assert_eq!(token_urls(&h).last().cloned().unwrap(), format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/token"));
}

/// A tenant profile another app of the origin added (another client id signed the user in
/// there; account entities are every client id's) is no tenant this app signs in to: as msal,
/// its silent calls and interactions go to the configured authority. (They went to that tenant,
/// where this app may not be registered: AADSTS700016.)
#[test]
fn a_tenant_profile_another_app_added_is_renewed_at_the_configured_authority() {
    let h = harness_with(at_common());
    let home = h.sign_in();
    let mut config = at_common();
    config.client_id = "client-2".into();
    let other = PublicClientApplication::new(config, h.platform.clone()).unwrap();
    block_on(other.initialize()).unwrap();
    block_on(other.complete_popup(other.open_popup(&in_guest_tenant(), PopupAttributes::default()).unwrap())).unwrap();
    h.pca.mark_stale();
    let profile = h.pca.all_accounts().into_iter().find(|a| a.account.realm == GUEST_TENANT).expect("the other app's profile is listed");
    assert_eq!(profile.account.home_account_id, home.account.account.home_account_id);
    let forced =
        SilentRequest { scopes: vec!["User.Read".into()], account: Some(profile.to_ref()), force_refresh: true, ..Default::default() };
    block_on(h.pca.acquire_token_silent(&forced)).unwrap();
    assert_eq!(token_urls(&h).last().cloned().unwrap(), "https://login.microsoftonline.com/common/oauth2/v2.0/token");
    let popup = InteractiveRequest { scopes: vec!["User.Read".into()], account: Some(profile.to_ref()), ..Default::default() };
    block_on(h.pca.complete_popup(h.pca.open_popup(&popup, PopupAttributes::default()).unwrap())).unwrap();
    let last_window = h.platform.windows.borrow().last().cloned().unwrap_or_default();
    assert!(last_window.starts_with("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?"), "{last_window}");
}

#[test]
fn a_guest_profile_signs_in_in_its_tenant_and_its_calls_are_kept_apart_from_the_home_ones() {
    let h = harness_with(at_common());
    let home = h.sign_in();
    let started = h.pca.open_popup(&in_guest_tenant(), PopupAttributes::default()).unwrap();
    let guest = block_on(h.pca.complete_popup(started)).unwrap();
    let last_window = || h.platform.windows.borrow().last().cloned().unwrap_or_default();

    // An interaction for the guest profile (msal-react's fallback once its silent call for that
    // profile needs the user) signs in in the guest tenant, where the silent call looks; one for
    // the home profile at the configured authority.
    let popup_for = |account: &msal_wasm::client::AccountInfo| InteractiveRequest {
        scopes: vec!["User.Read".into()],
        account: Some(account.to_ref()),
        ..Default::default()
    };
    let r = block_on(h.pca.complete_popup(h.pca.open_popup(&popup_for(&guest.account), PopupAttributes::default()).unwrap())).unwrap();
    assert!(
        last_window().starts_with(&format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/authorize?")),
        "{}",
        last_window()
    );
    assert_eq!(r.tenant_id, GUEST_TENANT);
    let r = block_on(h.pca.complete_popup(h.pca.open_popup(&popup_for(&home.account), PopupAttributes::default()).unwrap())).unwrap();
    assert!(last_window().starts_with("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?"), "{}", last_window());
    assert_eq!(r.tenant_id, TENANT);

    // Two calls without an account, the active profile switched between them: the second is
    // not the first one's request (msal's key has the account's tenant), so each gets its
    // tenant's token.
    h.pca.set_active_account(Some(&home.account.to_ref())).unwrap();
    h.platform.set_network_delay_ms(100);
    let forced = SilentRequest { scopes: vec!["User.Read".into()], force_refresh: true, ..Default::default() };
    let first = async { h.pca.acquire_token_silent(&forced).await.map(|r| r.tenant_id).unwrap_or_default() };
    let second = async {
        h.platform.sleep(10).await;
        h.pca.set_active_account(Some(&guest.account.to_ref())).unwrap();
        h.pca.acquire_token_silent(&forced).await.map(|r| r.tenant_id).unwrap_or_default()
    };
    let tasks: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = String>>>> = vec![Box::pin(first), Box::pin(second)];
    assert_eq!(h.platform.run(tasks), [TENANT, GUEST_TENANT]);

    // Made active in a tenant the account has no profile in: no active account, as msal's
    // (not the home profile, whose tokens a call without an account would then get).
    let elsewhere = "0e1f2a3b-0000-4000-8000-00000000cafe";
    h.pca.set_active_account(Some(&AccountRef::in_tenant(home.account.account.home_account_id.clone(), Some(elsewhere.into())))).unwrap();
    assert!(h.pca.active_account().is_none());
    let e = block_on(h.pca.acquire_token_silent(&SilentRequest { scopes: vec!["User.Read".into()], ..Default::default() })).unwrap_err();
    assert_eq!(e.code(), "no_account_error");
    assert_eq!(h.pca.all_accounts().len(), 2, "both profiles still listed");
}

#[test]
fn a_logout_with_its_own_authority_ends_the_session_there() {
    use msal_wasm::client::LogoutRequest;
    use msal_wasm::core::pkce::InteractionType;
    let logout_at = |authority: &str, home: &str| LogoutRequest {
        account: Some(AccountRef::new(home)),
        authority: Some(authority.to_owned()),
        post_logout_redirect_uri: Some("https://app.example/bye".into()),
        ..Default::default()
    };
    // Redirect: the authority's discovery document is fetched first.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let url = block_on(h.pca.begin_logout_redirect(&logout_at(&guest_authority(), &home))).unwrap().url.unwrap();
    assert!(url.starts_with(&format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/logout?")), "{url}");
    assert!(h.pca.all_accounts().is_empty(), "signed out locally");
    h.pca.abort_logout();

    // Popup, endpoints not known yet: the account goes at once, the popup opens blank and is
    // sent to that authority's end-session page once its discovery document is in.
    let h = harness();
    let home = h.sign_in().account.account.home_account_id;
    let started = h.pca.open_logout_popup(&logout_at(&fetched_guest_authority(), &home), PopupAttributes::default()).unwrap();
    assert!(h.pca.all_accounts().is_empty());
    assert_eq!(h.platform.windows.borrow().last().map(String::as_str), Some("about:blank"));
    h.platform.set_windows(|_| Ok(String::new()));
    block_on(h.pca.complete_logout_popup(started)).unwrap();
    let last = h.platform.windows.borrow().last().cloned().unwrap();
    assert!(last.starts_with(&format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/logout?")), "{last}");
    assert!(!h.pca.interaction_in_progress());
    // Known now: the next popup opens on the end-session page directly.
    let home = h.sign_in().account.account.home_account_id;
    let started = h.pca.open_logout_popup(&logout_at(&guest_authority(), &home), PopupAttributes::default()).unwrap();
    assert!(h.platform.windows.borrow().last().unwrap().contains(&format!("/{GUEST_TENANT}/oauth2/v2.0/logout?")));
    block_on(h.pca.complete_logout_popup(started)).unwrap();

    // An untrusted authority: as msal (which clears the cache before it builds the authority),
    // the user is signed out here, then the call fails; the lock is free. By popup too.
    let home = h.sign_in().account.account.home_account_id;
    let e = h.pca.begin_logout(&logout_at("https://evil.example/tenant", &home), InteractionType::Redirect).unwrap_err();
    assert_eq!(e.code(), "untrusted_authority");
    assert_eq!(h.pca.all_accounts().len(), 0);
    assert!(!h.pca.interaction_in_progress());
    let home = h.sign_in().account.account.home_account_id;
    let e = h.pca.open_logout_popup(&logout_at("https://evil.example/tenant", &home), PopupAttributes::default()).err().unwrap();
    assert_eq!(e.code(), "untrusted_authority");
    assert_eq!(h.pca.all_accounts().len(), 0);
    assert!(!h.pca.interaction_in_progress());
}

#[test]
fn a_code_obtained_elsewhere_is_redeemed_at_the_authority_its_request_names() {
    // msal's acquireTokenByCode with a request authority (the tenant or B2C policy the code
    // was issued by): redeemed there, and the tokens are that tenant's.
    let h = harness();
    let req = msal_wasm::client::ByCodeRequest {
        authority: Some(guest_authority()),
        // A hybrid app's back end names the user's cloud's Graph hosts: kept with the account.
        ms_graph_host: "graph.microsoft.com".into(),
        cloud_graph_host_name: "graph.windows.net".into(),
        ..code_from_elsewhere(&h)
    };
    assert!(!format!("{req:?}").contains(ELSEWHERE_VERIFIER) && !format!("{req:?}").contains("the-code"), "{req:?}");
    let r = block_on(h.pca.acquire_token_by_code(&req)).unwrap();
    assert_eq!(r.tenant_id, GUEST_TENANT);
    assert_eq!(
        (r.account.account.ms_graph_host.as_str(), r.account.account.cloud_graph_host_name.as_str()),
        ("graph.microsoft.com", "graph.windows.net")
    );
    assert_eq!(token_urls(&h), [format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/token")]);
    // An authority the client may not use is refused before any request.
    let req = msal_wasm::client::ByCodeRequest { authority: Some("https://evil.example/tenant".into()), ..req };
    assert_eq!(block_on(h.pca.acquire_token_by_code(&req)).unwrap_err().code(), "untrusted_authority");
    assert_eq!(token_urls(&h).len(), 1);
}

/// msal computes the popup origin check when the popup opens, from the window it opens from
/// (`popupWindowParent`): a popup on a blank page until its authority is resolved sends what
/// that check said, not what the page says when the authorize URL is built.
#[test]
fn a_blank_popup_sends_pocd_as_the_origin_check_said_when_it_opened() {
    let h = harness();
    let fetched = InteractiveRequest { authority: Some(fetched_guest_authority()), ..in_guest_tenant() };
    for (at_open, later, pocd) in [(false, true, false), (true, false, true)] {
        // The memory platform's check fails in a frame.
        h.platform.set_in_frame(!at_open);
        let started = h.pca.open_popup(&fetched, PopupAttributes::default()).unwrap();
        h.platform.set_in_frame(!later);
        block_on(h.pca.complete_popup(started)).unwrap();
        let url = h.platform.windows.borrow().iter().rev().find(|u| u.contains("/authorize?")).cloned().unwrap();
        assert_eq!(url.contains("pocd=1"), pocd, "{url}");
    }
}

#[test]
fn a_sign_in_at_another_clouds_authority_is_cached_and_listed_under_that_cloud() {
    // msal keys an account by the host it signed in at (its cloud's preferred cache host), and
    // lists every cloud's accounts. Here the same user (one homeAccountId) signs in at the
    // configured cloud and at the US government cloud, a known authority.
    let us = format!("https://login.microsoftonline.us/{TENANT}");
    let mut c = config();
    c.known_authorities = vec!["login.microsoftonline.us".into()];
    let h = harness_with(c);
    let public = h.sign_in();
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], authority: Some(us.clone()), ..Default::default() };
    let started = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    let gov = block_on(h.pca.complete_popup(started)).unwrap();
    assert_eq!(public.account.account.environment, "login.windows.net");
    assert_eq!(gov.account.account.environment, "login.microsoftonline.us");
    let home = gov.account.account.home_account_id.clone();
    assert_eq!(home, public.account.account.home_account_id);
    let mut envs: Vec<String> = h.pca.all_accounts().into_iter().map(|a| a.account.environment).collect();
    envs.sort();
    assert_eq!(envs, ["login.microsoftonline.us", "login.windows.net"]);
    let in_gov = AccountFilter { environment: Some("login.usgovcloudapi.net".into()), ..Default::default() };
    let found = h.pca.accounts_matching(&in_gov);
    assert_eq!(found.len(), 1, "an alias of the US cloud finds its account");
    assert_eq!(found[0].account.environment, "login.microsoftonline.us");

    // Each cloud's account is served its own cloud's token.
    let gov_ref = AccountRef { environment: "login.microsoftonline.us".into(), ..AccountRef::new(home.clone()) };
    let in_us = SilentRequest { authority: Some(us.clone()), account: Some(gov_ref.clone()), ..silent(&home) };
    let hit = block_on(h.pca.acquire_token_silent(&in_us)).unwrap();
    assert!(hit.from_cache);
    assert_eq!(hit.access_token.secret(), gov.access_token.secret());
    let hit = block_on(h.pca.acquire_token_silent(&silent(&home))).unwrap();
    assert_eq!(hit.access_token.secret(), public.access_token.secret(), "without an environment: this client's cloud");

    // msal's authority_mismatch: an account's tokens never go to another cloud's authority.
    let before = h.token_requests();
    for mismatched in [
        SilentRequest { account: Some(gov_ref.clone()), ..silent(&home) },
        SilentRequest { account: Some(gov_ref.clone()), force_refresh: true, ..silent(&home) },
        SilentRequest { authority: Some(us.clone()), force_refresh: true, ..silent(&home) },
    ] {
        let e = block_on(h.pca.acquire_token_silent(&mismatched)).unwrap_err();
        assert_eq!(e.code(), "authority_mismatch", "{mismatched:?}");
    }
    let popup = InteractiveRequest { account: Some(gov_ref), ..Default::default() };
    assert_eq!(h.pca.open_popup(&popup, PopupAttributes::default()).unwrap_err().code(), "authority_mismatch");
    assert!(!h.pca.interaction_in_progress());
    assert_eq!(h.token_requests(), before);

    // A renewal redeems that cloud's refresh token at that cloud.
    let renewed = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..in_us })).unwrap();
    assert!(!renewed.from_cache);
    assert_eq!(token_urls(&h).last().cloned().unwrap(), format!("{us}/oauth2/v2.0/token"));
    let sent = h.platform.requests.borrow().last().and_then(|r| r.form_field("refresh_token"));
    assert_eq!(sent.as_deref(), Some("rt-2"), "the US cloud's refresh token, not the public cloud's rt-1");
    assert_eq!(renewed.account.account.environment, "login.microsoftonline.us");
    assert_eq!(h.pca.all_accounts().len(), 2);

    // Without auth.instanceAware, a page that wakes renews this cloud's expired tokens only
    // (the other cloud's need the authority the app names for them).
    h.platform.set_now_ms(NOW_MS + 2 * 3_600_000);
    let due = h.pca.due_renewals();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].account.as_ref().map(|a| a.environment.as_str()), Some("login.windows.net"));
}

#[test]
fn an_account_keeps_the_graph_hosts_it_was_created_with_as_msal_keeps_the_cached_account() {
    // msal builds a new account with the response's Graph hosts, and keeps a cached account as
    // it is: a later code for the same user that names hosts changes nothing.
    let h = harness();
    let first = h.sign_in();
    assert_eq!(first.account.account.ms_graph_host, "");
    let req = msal_wasm::client::ByCodeRequest {
        ms_graph_host: "graph.microsoft.us".into(),
        cloud_graph_host_name: "graph.microsoftazure.us".into(),
        ..code_from_elsewhere(&h)
    };
    let r = block_on(h.pca.acquire_token_by_code(&req)).unwrap();
    assert_eq!(r.account.account.home_account_id, first.account.account.home_account_id);
    assert_eq!((r.account.account.ms_graph_host.as_str(), r.account.account.cloud_graph_host_name.as_str()), ("", ""));
}

/// The scripted provider's front channel, answering as Entra answers an instance-aware request
/// for a user of the cloud `cloud`.
fn answering_from(h: &Harness, cloud: &'static str) {
    let front = front_channel(&h.idp);
    h.platform.set_windows(move |url| {
        front(url).map(|r| format!("{r}&cloud_instance_host_name={cloud}&cloud_graph_host_name=graph.{cloud}&msgraph_host=msgraph.{cloud}"))
    });
}

#[test]
fn an_instance_aware_sign_in_is_redeemed_in_the_users_cloud_and_its_account_stays_there() {
    // msal's auth.instanceAware: the user signs in at the public cloud's authority, Entra says
    // the user is of the US government cloud, and the code is redeemed there.
    let mut c = config();
    c.instance_aware = true;
    let h = harness_with(c);
    answering_from(&h, "login.microsoftonline.us");
    let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
    let started = h.pca.open_popup(&req, PopupAttributes::default()).unwrap();
    let r = block_on(h.pca.complete_popup(started)).unwrap();
    let authorize = h.platform.windows.borrow().last().cloned().unwrap();
    assert!(authorize.starts_with(&format!("{AUTHORITY}/oauth2/v2.0/authorize?")), "{authorize}");
    assert!(authorize.contains("&instance_aware=true"), "{authorize}");
    let us = format!("https://login.microsoftonline.us/{TENANT}/");
    assert_eq!(token_urls(&h), [format!("{us}oauth2/v2.0/token")]);
    assert_eq!(r.authority, us);
    assert_eq!(r.account.account.environment, "login.microsoftonline.us");
    let home = r.account.account.home_account_id.clone();
    // The account keeps its cloud's Graph hosts (msal's cloudGraphHostName and msGraphHost).
    let graph = |r: &msal_wasm::client::AuthenticationResult| {
        (r.account.account.cloud_graph_host_name.clone(), r.account.account.ms_graph_host.clone())
    };
    let hosts = ("graph.login.microsoftonline.us".to_owned(), "msgraph.login.microsoftonline.us".to_owned());
    assert_eq!(graph(&r), hosts);

    // Silent calls for that account go to its cloud: the cached token, then a renewal there
    // (whose response names no Graph hosts: the account keeps its own).
    let hit = block_on(h.pca.acquire_token_silent(&silent(&home))).unwrap();
    assert!(hit.from_cache);
    assert_eq!(hit.access_token.secret(), r.access_token.secret());
    assert_eq!(graph(&hit), hosts);
    let renewed = block_on(h.pca.acquire_token_silent(&SilentRequest { force_refresh: true, ..silent(&home) })).unwrap();
    assert!(!renewed.from_cache);
    assert_eq!(token_urls(&h).last().cloned().unwrap(), format!("{us}oauth2/v2.0/token"));
    assert_eq!(renewed.authority, us);
    assert_eq!(graph(&renewed), hosts);
    // A page that wakes after the token expired renews it there too (its due renewals).
    h.platform.set_now_ms(NOW_MS + 2 * 3_600_000);
    let due = h.pca.due_renewals();
    assert_eq!(due.len(), 1, "{due:?}");
    let sent = token_urls(&h).len();
    let woke = block_on(h.pca.acquire_token_silent(&due[0])).unwrap();
    assert!(!woke.from_cache);
    assert_eq!(token_urls(&h)[sent..], [format!("{us}oauth2/v2.0/token")]);

    // Interactive requests for that account go there too: a popup and a hidden frame.
    let for_account = InteractiveRequest { scopes: vec!["User.Read".into()], account: Some(r.account.to_ref()), ..Default::default() };
    let started = h.pca.open_popup(&for_account, PopupAttributes::default()).unwrap();
    assert!(h.platform.windows.borrow().last().unwrap().starts_with(&format!("{us}oauth2/v2.0/authorize?")));
    assert_eq!(block_on(h.pca.complete_popup(started)).unwrap().authority, us);
    let framed = block_on(h.pca.sso_silent(&for_account)).unwrap();
    assert!(h.platform.windows.borrow().last().unwrap().starts_with(&format!("{us}oauth2/v2.0/authorize?")));
    assert_eq!(framed.authority, us);

    // And the sign-out, to that cloud's end-session page, which is told too (msal).
    let logout = msal_wasm::client::LogoutRequest { account: Some(r.account.to_ref()), ..Default::default() };
    let url = block_on(h.pca.begin_logout_redirect(&logout)).unwrap().url.unwrap();
    assert!(url.starts_with(&format!("{us}oauth2/v2.0/logout?")), "{url}");
    assert!(url.contains("instance_aware=true"), "{url}");
    h.pca.abort_logout();

    // A code obtained elsewhere with the cloud its response named (msal's
    // cloudInstanceHostName) is redeemed in that cloud.
    let by_code =
        msal_wasm::client::ByCodeRequest { cloud_instance_host_name: "login.microsoftonline.us".into(), ..code_from_elsewhere(&h) };
    assert_eq!(block_on(h.pca.acquire_token_by_code(&by_code)).unwrap().authority, us);
    assert_eq!(token_urls(&h).last().cloned().unwrap(), format!("{us}oauth2/v2.0/token"));
}

#[test]
fn without_instance_awareness_the_cloud_the_response_names_is_ignored_and_an_untrusted_one_is_refused() {
    // Off (msal's default), or turned off by the request's extra query parameter: redeemed at
    // the authority the request went to, whatever the response says.
    let h = harness();
    answering_from(&h, "login.microsoftonline.us");
    let r = h.pca.open_popup(&InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() }, PopupAttributes::default());
    let r = block_on(h.pca.complete_popup(r.unwrap())).unwrap();
    assert_eq!(r.account.account.environment, "login.windows.net");
    assert!(!h.platform.windows.borrow().last().unwrap().contains("instance_aware"));
    let mut c = config();
    c.instance_aware = true;
    let h = harness_with(c.clone());
    answering_from(&h, "login.microsoftonline.us");
    let off = InteractiveRequest {
        scopes: vec!["User.Read".into()],
        extra_query_parameters: vec![("instance_aware".into(), "false".into())],
        ..Default::default()
    };
    let r = block_on(h.pca.complete_popup(h.pca.open_popup(&off, PopupAttributes::default()).unwrap())).unwrap();
    assert_eq!(r.authority, format!("{AUTHORITY}/"));
    assert!(h.platform.windows.borrow().last().unwrap().contains("&instance_aware=false"));

    // A cloud that is neither Microsoft's nor a known authority, or that is more than a host
    // name: the code is not redeemed.
    for cloud in ["login.evil.example", "login.microsoftonline.us%2Fevil", "login.microsoftonline.us%40evil.example"] {
        let h = harness_with(c.clone());
        answering_from(&h, cloud);
        let req = InteractiveRequest { scopes: vec!["User.Read".into()], ..Default::default() };
        let started = h.pca.open_popup(&req, PopupAttributes::default());
        let e = block_on(h.pca.complete_popup(started.unwrap())).unwrap_err();
        assert_eq!(e.code(), "untrusted_authority", "{cloud}");
        assert!(token_urls(&h).is_empty());
        assert!(!h.pca.interaction_in_progress());
    }
}

#[test]
fn an_instance_aware_redirect_is_redeemed_in_the_users_cloud_after_the_page_reloads() {
    // The request's extra query parameter turns it on (the client is not configured so); the
    // saved request carries it across the page load.
    let h = harness();
    let req = InteractiveRequest {
        scopes: vec!["User.Read".into()],
        extra_query_parameters: vec![("instance_aware".into(), "true".into())],
        ..Default::default()
    };
    let pending = block_on(h.pca.begin_redirect(&req, "https://app.example/start")).unwrap();
    assert!(pending.url.contains("&instance_aware=true"), "{}", pending.url);
    let response = format!("{}&cloud_instance_host_name=login.microsoftonline.us", front_channel(&h.idp)(&pending.url).unwrap());
    drop(pending);
    let page2 = PublicClientApplication::new(config(), h.platform.clone()).unwrap();
    block_on(page2.initialize()).unwrap();
    let r = block_on(page2.handle_redirect(Some(&response))).unwrap().unwrap();
    let us = format!("https://login.microsoftonline.us/{TENANT}/");
    assert_eq!(r.authority, us);
    assert_eq!(r.account.account.environment, "login.microsoftonline.us");
    assert_eq!(token_urls(&h), [format!("{us}oauth2/v2.0/token")]);
}

/// A silent call for a client configured with a tenant named by its domain: tokens are stored
/// under the GUID the provider answers with (`tid`), so a request naming that authority, or
/// none, finds them; renewal goes to the configured authority, as msal's.
fn a_tenant_named_by_its_domain_is_served_from_the_cache(authority: &str, token_url: &str) {
    let h = harness_with(Config::new("client-1").with_authority(authority).with_redirect_uri("https://app.example/"));
    let home = h.sign_in();
    assert_eq!(home.tenant_id, TENANT);
    let requests = h.platform.requests.borrow().len();
    let named = SilentRequest { authority: Some(authority.to_owned()), ..silent(&home.account.account.home_account_id) };
    let by_profile = SilentRequest { account: Some(home.account.to_ref()), ..silent("") };
    for req in [&named, &by_profile, &silent(&home.account.account.home_account_id)] {
        let r = block_on(h.pca.acquire_token_silent(req)).unwrap();
        assert!(r.from_cache, "{req:?}");
        assert_eq!(r.access_token.secret(), home.access_token.secret());
        assert!(r.authority.starts_with(authority), "{} for {authority}", r.authority);
    }
    assert_eq!(h.platform.requests.borrow().len(), requests, "all from the cache");
    // Expired: renewed at the configured authority (one tenant segment, `v2.0` kept out of it).
    h.platform.set_now_ms(NOW_MS + 2 * 3_600_000);
    let r = block_on(h.pca.acquire_token_silent(&by_profile)).unwrap();
    assert!(!r.from_cache);
    assert_eq!(token_urls(&h).last().cloned().unwrap(), token_url);
    assert!(block_on(h.pca.acquire_token_silent(&named)).unwrap().from_cache);
}

#[test]
fn a_tenant_named_by_its_domain_at_entra_is_served_from_the_cache() {
    a_tenant_named_by_its_domain_is_served_from_the_cache(
        &format!("https://login.microsoftonline.com/{TENANT_DOMAIN}"),
        &format!("https://login.microsoftonline.com/{TENANT_DOMAIN}/oauth2/v2.0/token"),
    );
}

#[test]
fn an_external_id_tenant_is_served_from_the_cache() {
    // `https://contoso.ciamlogin.com` signs in to `contoso.onmicrosoft.com` (fetched discovery).
    a_tenant_named_by_its_domain_is_served_from_the_cache(
        "https://contoso.ciamlogin.com",
        &format!("https://contoso.ciamlogin.com/{TENANT_DOMAIN}/oauth2/v2.0/token"),
    );
}

#[test]
fn an_authority_ending_in_v2_is_renewed_there() {
    a_tenant_named_by_its_domain_is_served_from_the_cache(
        &format!("https://login.microsoftonline.com/{TENANT_DOMAIN}/v2.0"),
        &format!("https://login.microsoftonline.com/{TENANT_DOMAIN}/oauth2/v2.0/token"),
    );
}

/// A guest signed in only to the tenant the app is configured with, named by its domain: the
/// account's home tenant holds none of its tokens, so a request naming the account alone
/// (`AccountRef::new`, a web app's session's homeAccountId) is served the guest tenant's, as
/// msal-node's `getAccountByHomeId` account is, instead of renewing at every call.
#[test]
fn a_guest_of_a_tenant_named_by_its_domain_is_served_from_the_cache() {
    let authority = format!("https://login.microsoftonline.com/{GUEST_TENANT_DOMAIN}");
    let h = harness_with(Config::new("client-1").with_authority(&authority).with_redirect_uri("https://app.example/"));
    let guest = h.sign_in();
    assert_eq!(
        (guest.tenant_id.as_str(), guest.account.account.home_account_id.as_str()),
        (GUEST_TENANT, format!("uid-1.{TENANT}").as_str())
    );
    let requests = h.platform.requests.borrow().len();
    for _ in 0..2 {
        let r = block_on(h.pca.acquire_token_silent(&silent(&guest.account.account.home_account_id))).unwrap();
        assert!(r.from_cache);
        assert_eq!(r.access_token.secret(), guest.access_token.secret());
        assert_eq!((r.account.account.realm.as_str(), r.tenant_id.as_str()), (GUEST_TENANT, GUEST_TENANT));
    }
    assert_eq!(h.platform.requests.borrow().len(), requests, "all from the cache");
}

#[test]
fn a_guest_profile_under_an_authority_ending_in_v2_is_renewed_in_its_tenant() {
    let h = harness_with(Config::new("client-1").with_authority(format!("{AUTHORITY}/v2.0")).with_redirect_uri("https://app.example/"));
    h.sign_in();
    let guest = block_on(h.pca.complete_popup(h.pca.open_popup(&in_guest_tenant(), PopupAttributes::default()).unwrap())).unwrap();
    h.platform.set_now_ms(NOW_MS + 2 * 3_600_000);
    let r = block_on(h.pca.acquire_token_silent(&SilentRequest { account: Some(guest.account.to_ref()), ..silent("") })).unwrap();
    assert_eq!((r.tenant_id.as_str(), r.from_cache), (GUEST_TENANT, false));
    assert_eq!(token_urls(&h).last().cloned().unwrap(), format!("https://login.microsoftonline.com/{GUEST_TENANT}/oauth2/v2.0/token"));
    assert_eq!(r.authority, format!("{}/v2.0/", guest_authority()));
}

#[test]
fn known_authorities_may_be_written_as_urls() {
    let custom = "https://login.contoso.com/contoso.onmicrosoft.com/B2C_1A_signin";
    let mut config = config();
    config.known_authorities = vec![custom.into()];
    let h = harness_with(config);
    let req = InteractiveRequest {
        authority: Some("https://login.contoso.com/tfp/contoso.onmicrosoft.com/B2C_1A_other".into()),
        ..in_guest_tenant()
    };
    h.pca.open_popup(&req, PopupAttributes::default()).expect("a host of knownAuthorities, listed by URL, is trusted");
}

#[test]
fn a_sovereign_cloud_authority_is_trusted_beside_the_public_cloud() {
    let h = harness();
    let req = InteractiveRequest { authority: Some(format!("https://login.sovcloud-identity.fr/{GUEST_TENANT}")), ..in_guest_tenant() };
    h.pca.open_popup(&req, PopupAttributes::default()).expect("msal's cloud list holds the sovereign clouds");
    let opened = h.platform.windows.borrow().last().cloned().unwrap();
    assert!(opened.starts_with(&format!("https://login.sovcloud-identity.fr/{GUEST_TENANT}/oauth2/v2.0/authorize?")), "{opened}");
}
