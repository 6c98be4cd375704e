//! Account identity (spec §3): client_info, homeAccountId, the account record and the
//! `AccountInfo` apps see.

use crate::prelude::*;

use super::base64;
use super::id_token::IdTokenClaims;
use super::json::Json;

/// Decoded `client_info`: `{uid, utid}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// User object id in the home tenant.
    pub uid: String,
    /// Home tenant id.
    pub utid: String,
    /// msal's data boundary, from `xms_tdbr`: `EU` for `EU`, `None` for any other value, empty
    /// when the provider did not say (or said `""`, `null` or `false`).
    pub data_boundary: &'static str,
}

impl ClientInfo {
    /// Decodes base64url JSON `{"uid":…,"utid":…}`; `None` when missing or malformed.
    pub fn decode(raw: &str) -> Option<ClientInfo> {
        let bytes = base64::decode(raw)?;
        let json = Json::parse_bytes(&bytes).ok()?;
        let uid = json.str_field("uid")?.to_owned();
        let utid = json.str_field("utid")?.to_owned();
        // (msal: any value that is not falsy.)
        let data_boundary = match json.get("xms_tdbr") {
            Some(Json::Str(s)) if s == "EU" => "EU",
            None | Some(Json::Null | Json::Bool(false)) => "",
            Some(Json::Str(s)) if s.is_empty() => "",
            Some(_) => "None",
        };
        (!uid.is_empty() && !utid.is_empty()).then_some(ClientInfo { uid, utid, data_boundary })
    }

    /// `uid.utid`.
    pub fn home_account_id(&self) -> String {
        [self.uid.as_str(), ".", &self.utid].concat()
    }
}

/// msal's `authorityType` of an account.
pub mod authority_type {
    /// Entra ID v2.
    pub const MSSTS: &str = "MSSTS";
    /// AD FS.
    pub const ADFS: &str = "ADFS";
    /// Generic OpenID Connect (OIDC protocol mode).
    pub const GENERIC: &str = "Generic";
}

/// A tenant profile of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantProfile {
    /// Tenant id.
    pub tenant_id: String,
    /// `oid`, else `sub`.
    pub local_account_id: String,
    /// `name`.
    pub name: String,
    /// `preferred_username`, else `upn` (of that tenant's ID token).
    pub username: String,
    /// The ID token's `login_hint` ("" when it has none), kept as msal 5 keeps it.
    pub login_hint: String,
    /// The ID token's `upn` ("" when it has none).
    pub upn: String,
    /// True for the home tenant.
    pub is_home_tenant: bool,
}

/// An account, as cached (msal's AccountEntity) and as shown to apps (AccountInfo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// `uid.utid`, or `sub`.
    pub home_account_id: String,
    /// Cache host of the authority.
    pub environment: String,
    /// Tenant id.
    pub realm: String,
    /// `uid`, `oid` or `sub`.
    pub local_account_id: String,
    /// `preferred_username`/`upn`/`emails[0]`.
    pub username: String,
    /// `name` claim.
    pub name: String,
    /// `MSSTS`, `ADFS` or `Generic`.
    pub authority_type: String,
    /// Raw client_info.
    pub client_info: String,
    /// Tenant profiles (home first).
    pub tenant_profiles: Vec<TenantProfile>,
    /// Seconds since the epoch of the last write (msal's `lastUpdatedAt` is ms; we keep ms).
    pub last_updated_at_ms: u64,
    /// msal's `dataBoundary` (`EU` or `None`, from the client info's `xms_tdbr`), or empty.
    pub data_boundary: String,
    /// msal's `cloudGraphHostName` and `msGraphHost`: the user's cloud's Graph hosts, as an
    /// instance-aware sign-in's authorize response names them (`cloud_graph_host_name`,
    /// `msgraph_host`), or empty.
    pub cloud_graph_host_name: String,
    /// See [`cloud_graph_host_name`](Self::cloud_graph_host_name).
    pub ms_graph_host: String,
}

/// msal's `tenantIdMatchesHomeTenant`: `tenant` is the one `home_account_id` (`uid.utid`) names.
/// An account without client_info (a generic OpenID provider's, AD FS's) has no home tenant.
fn is_home(tenant: &str, home_account_id: &str) -> bool {
    !tenant.is_empty() && home_account_id.split('.').nth(1) == Some(tenant)
}

impl Account {
    /// Builds the account from a token response's identity fields (spec §3.1).
    pub fn from_response(
        client_info_raw: &str,
        claims: Option<&IdTokenClaims>,
        environment: &str,
        authority_type: &str,
        now_ms: u64,
    ) -> Option<Account> {
        let ci = if authority_type == authority_type::ADFS { None } else { ClientInfo::decode(client_info_raw) };
        let claim = |f: fn(&IdTokenClaims) -> Option<&str>| claims.and_then(f).unwrap_or_default().to_owned();
        let home_account_id = match &ci {
            Some(ci) => ci.home_account_id(),
            None => claim(IdTokenClaims::sub),
        };
        if home_account_id.is_empty() {
            return None;
        }
        let realm = match &ci {
            Some(ci) => ci.utid.clone(),
            None => claims.and_then(|c| c.tenant()).unwrap_or_default().to_owned(),
        };
        let local_account_id = match &ci {
            Some(ci) => ci.uid.clone(),
            None => claims.and_then(|c| c.unique_id()).unwrap_or_default().to_owned(),
        };
        let name = claim(IdTokenClaims::name);
        // msal's tenant of a profile: `tid`, else B2C's policy (`tfp`, `acr`), as the tokens'.
        let tenant_id = claims.and_then(|c| c.tenant()).map_or_else(|| realm.clone(), str::to_owned);
        let profile_local = claims.and_then(|c| c.unique_id()).unwrap_or(&local_account_id).to_owned();
        let is_home_tenant = is_home(&tenant_id, &home_account_id);
        Some(Account {
            home_account_id,
            environment: environment.to_owned(),
            realm: realm.clone(),
            local_account_id,
            username: claims.map(IdTokenClaims::username).unwrap_or_default(),
            name: name.clone(),
            authority_type: authority_type.to_owned(),
            client_info: client_info_raw.to_owned(),
            tenant_profiles: vec![TenantProfile {
                is_home_tenant,
                tenant_id,
                local_account_id: profile_local,
                name,
                username: claims.and_then(|c| c.preferred_or_upn()).unwrap_or_default().to_owned(),
                login_hint: claims.and_then(|c| c.str("login_hint")).unwrap_or_default().to_owned(),
                upn: claims.and_then(|c| c.str("upn")).unwrap_or_default().to_owned(),
            }],
            last_updated_at_ms: now_ms,
            data_boundary: ci.as_ref().map(|ci| ci.data_boundary).unwrap_or_default().to_owned(),
            cloud_graph_host_name: String::new(),
            ms_graph_host: String::new(),
        })
    }

    /// True when the account has a tenant profile in `tenant` (see [`profiles`](Self::profiles)).
    pub fn has_profile_in(&self, tenant: &str) -> bool {
        match self.tenant_profiles.is_empty() {
            true => self.realm.eq_ignore_ascii_case(tenant),
            false => self.tenant_profiles.iter().any(|p| p.tenant_id.eq_ignore_ascii_case(tenant)),
        }
    }

    /// The tenant profiles, never none: an entry cached without any (older schemas) has its
    /// home tenant's. (Its own, not copied, when it has some.)
    pub fn profiles(&self) -> alloc::borrow::Cow<'_, [TenantProfile]> {
        if !self.tenant_profiles.is_empty() {
            return alloc::borrow::Cow::Borrowed(&self.tenant_profiles);
        }
        alloc::borrow::Cow::Owned(vec![TenantProfile {
            tenant_id: self.realm.clone(),
            local_account_id: self.local_account_id.clone(),
            name: self.name.clone(),
            username: self.username.clone(),
            login_hint: String::new(),
            upn: String::new(),
            is_home_tenant: is_home(&self.realm, &self.home_account_id),
        }])
    }

    /// This account as one of its tenant profiles shows it (msal v5's `AccountInfo` per
    /// tenant): the profile's tenant, local id and name, then those of that tenant's ID token
    /// (`claims`) when there is one. The home account id and the profiles list stay.
    pub fn in_tenant(&self, profile: &TenantProfile, claims: Option<&IdTokenClaims>) -> Account {
        let mut a = self.clone();
        let set = |field: &mut String, value: Option<&str>| {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                v.clone_into(field);
            }
        };
        set(&mut a.realm, Some(&profile.tenant_id));
        set(&mut a.local_account_id, Some(&profile.local_account_id));
        set(&mut a.name, Some(&profile.name));
        set(&mut a.username, Some(&profile.username));
        if let Some(c) = claims {
            set(&mut a.realm, c.tenant());
            set(&mut a.local_account_id, c.unique_id());
            set(&mut a.name, c.name());
            set(&mut a.username, c.preferred_or_upn());
        }
        a
    }

    /// The tenant of the home account, as msal keys accounts: the homeAccountId's second
    /// `.`-separated part (`uid.utid`; a generic provider's `sub` may hold more dots: msal
    /// still takes only that part), else the realm.
    pub fn home_tenant(&self) -> &str {
        home_tenant_of(&self.home_account_id, &self.realm)
    }

    /// `uid@utid` for the `X-AnchorMailbox: Oid:` header, when known.
    pub fn oid_anchor(&self) -> String {
        match ClientInfo::decode(&self.client_info) {
            Some(ci) => [ci.uid.as_str(), "@", &ci.utid].concat(),
            None => String::new(),
        }
    }
}

/// The tenant a home account id names (`uid.utid`: its second part, as msal's
/// `homeAccountId.split(".")[1]`), else `realm`.
pub fn home_tenant_of<'a>(home_account_id: &'a str, realm: &'a str) -> &'a str {
    match home_account_id.split('.').nth(1) {
        Some(t) if !t.is_empty() => t,
        _ => realm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn claims(j: &str) -> IdTokenClaims {
        IdTokenClaims::from_json(Json::parse(j).unwrap())
    }

    #[test]
    fn tenant_profile_keeps_login_hint_and_upn() {
        // msal 5 stores both on the profile: its getAccount({ loginHint }) matches a profile by them.
        let ci = base64::encode_url(br#"{"uid":"u-1","utid":"t-1"}"#);
        let c = claims(r#"{"oid":"o","tid":"t-1","preferred_username":"ada@contoso.com","upn":"ada@corp","login_hint":"O.opaque"}"#);
        let a = Account::from_response(&ci, Some(&c), "login.windows.net", authority_type::MSSTS, 5).unwrap();
        let p = &a.tenant_profiles[0];
        assert_eq!((p.username.as_str(), p.login_hint.as_str(), p.upn.as_str()), ("ada@contoso.com", "O.opaque", "ada@corp"));
        let without =
            Account::from_response(&ci, Some(&claims(r#"{"oid":"o","tid":"t-1"}"#)), "login.windows.net", authority_type::MSSTS, 5)
                .unwrap();
        assert_eq!((without.tenant_profiles[0].login_hint.as_str(), without.tenant_profiles[0].upn.as_str()), ("", ""));
    }

    #[test]
    fn a_b2c_profile_is_the_policy_as_msal_files_it() {
        // B2C issues no `tid`: msal's profile (and the tokens') tenant is the policy, not the
        // home tenant of client_info.
        let ci = base64::encode_url(br#"{"uid":"o-b2c_1_susi","utid":"t-1"}"#);
        let a = Account::from_response(&ci, Some(&claims(r#"{"oid":"o","tfp":"B2C_1_susi"}"#)), "b2c.example", authority_type::MSSTS, 5)
            .unwrap();
        assert_eq!(a.realm, "t-1");
        assert_eq!(a.tenant_profiles.len(), 1);
        assert_eq!((a.tenant_profiles[0].tenant_id.as_str(), a.tenant_profiles[0].is_home_tenant), ("B2C_1_susi", false));
    }

    #[test]
    fn the_data_boundary_comes_from_the_client_infos_xms_tdbr_as_msal() {
        // msal: "EU" for EU, "None" for any other value, none when Entra does not say.
        let c = claims(r#"{"oid":"o","tid":"t-1"}"#);
        let cases = [
            (r#","xms_tdbr":"EU""#, "EU"),
            (r#","xms_tdbr":"US""#, "None"),
            (r#","xms_tdbr":true"#, "None"),
            (r#","xms_tdbr":"""#, ""),
            (r#","xms_tdbr":null"#, ""),
            ("", ""),
        ];
        for (info, boundary) in cases {
            let ci = base64::encode_url(format!(r#"{{"uid":"u-1","utid":"t-1"{info}}}"#).as_bytes());
            let a = Account::from_response(&ci, Some(&c), "login.windows.net", authority_type::MSSTS, 5).unwrap();
            assert_eq!(a.data_boundary, boundary, "{info}");
            // Stored after the tenant profiles, as msal's account entity, and read back as it was.
            let entity = crate::core::cache::AccountEntity::new(a.clone()).to_json();
            assert_eq!(entity.str_field("dataBoundary"), Some(boundary).filter(|b| !b.is_empty()));
            let read = crate::core::cache::AccountEntity::from_json(&entity).unwrap();
            assert_eq!((read.account, read.extra.len()), (a, 0));
        }
    }

    #[test]
    fn an_accounts_graph_hosts_are_stored_and_read_as_msals_entity_fields() {
        let ci = base64::encode_url(br#"{"uid":"u-1","utid":"t-1"}"#);
        let mut a =
            Account::from_response(&ci, Some(&claims(r#"{"oid":"o","tid":"t-1"}"#)), "login.microsoftonline.us", authority_type::MSSTS, 5)
                .unwrap();
        assert_eq!((a.cloud_graph_host_name.as_str(), a.ms_graph_host.as_str()), ("", ""), "none unless the sign-in names them");
        let plain = crate::core::cache::AccountEntity::new(a.clone()).to_json();
        assert!(plain.get("msGraphHost").is_none() && plain.get("cloudGraphHostName").is_none());
        (a.cloud_graph_host_name, a.ms_graph_host) = ("graph.microsoftazure.us".into(), "graph.microsoft.us".into());
        let entity = crate::core::cache::AccountEntity::new(a.clone()).to_json();
        assert_eq!(entity.str_field("cloudGraphHostName"), Some("graph.microsoftazure.us"));
        assert_eq!(entity.str_field("msGraphHost"), Some("graph.microsoft.us"));
        let read = crate::core::cache::AccountEntity::from_json(&entity).unwrap();
        assert_eq!((read.account, read.extra.len()), (a, 0), "modelled, not kept as unknown fields");
    }

    #[test]
    fn entra_account_from_client_info() {
        let ci = base64::encode_url(br#"{"uid":"u-1","utid":"t-1"}"#);
        let c = claims(r#"{"sub":"s","oid":"o","tid":"t-1","preferred_username":"ada@contoso.com","name":"Ada"}"#);
        let a = Account::from_response(&ci, Some(&c), "login.windows.net", authority_type::MSSTS, 5).unwrap();
        assert_eq!(a.home_account_id, "u-1.t-1");
        assert_eq!(a.local_account_id, "u-1");
        assert_eq!(a.realm, "t-1");
        assert_eq!(a.username, "ada@contoso.com");
        assert_eq!(a.home_tenant(), "t-1");
        assert_eq!(a.oid_anchor(), "u-1@t-1");
        assert!(a.tenant_profiles[0].is_home_tenant);
        assert_eq!(a.tenant_profiles[0].local_account_id, "o");
    }

    /// As msal's `tenantIdMatchesHomeTenant`: an account without client_info (its home
    /// account id the `sub`) is in no home tenant, so `isHomeTenant: true` filters it out.
    #[test]
    fn an_account_without_client_info_has_no_home_tenant() {
        let c = claims(r#"{"sub":"s-1","tid":"t-1","preferred_username":"ada@contoso.com"}"#);
        let a = Account::from_response("", Some(&c), "idp.example", authority_type::GENERIC, 5).unwrap();
        assert_eq!((a.home_account_id.as_str(), a.realm.as_str()), ("s-1", "t-1"));
        assert!(!a.tenant_profiles[0].is_home_tenant);
        let cached = Account { tenant_profiles: Vec::new(), ..a };
        assert!(!cached.profiles()[0].is_home_tenant);
    }

    #[test]
    fn an_account_shown_in_a_guest_tenant() {
        let ci = base64::encode_url(br#"{"uid":"u-1","utid":"t-1"}"#);
        let home = claims(r#"{"oid":"u-1","tid":"t-1","preferred_username":"ada@contoso.com","name":"Ada"}"#);
        let mut a = Account::from_response(&ci, Some(&home), "login.windows.net", authority_type::MSSTS, 5).unwrap();
        let guest = TenantProfile {
            tenant_id: "t-2".into(),
            local_account_id: "g-1".into(),
            name: String::new(),
            username: String::new(),
            login_hint: String::new(),
            upn: String::new(),
            is_home_tenant: false,
        };
        a.tenant_profiles.push(guest.clone());
        let without_token = a.in_tenant(&guest, None);
        assert_eq!((without_token.realm.as_str(), without_token.local_account_id.as_str()), ("t-2", "g-1"));
        assert_eq!((without_token.name.as_str(), without_token.username.as_str()), ("Ada", "ada@contoso.com"));
        let guest_claims =
            claims(r#"{"oid":"g-2","tid":"t-2","preferred_username":"ada_contoso.com#EXT#@fabrikam.com","name":"Ada (guest)"}"#);
        let with_token = a.in_tenant(&guest, Some(&guest_claims));
        assert_eq!(with_token.local_account_id, "g-2");
        assert_eq!(with_token.name, "Ada (guest)");
        assert_eq!(with_token.username, "ada_contoso.com#EXT#@fabrikam.com");
        assert_eq!(with_token.home_account_id, "u-1.t-1");
        assert_eq!(with_token.tenant_profiles.len(), 2);
        // An entry cached without profiles has its home tenant's.
        a.tenant_profiles.clear();
        assert_eq!(a.profiles()[0].tenant_id, "t-1");
        assert!(a.profiles()[0].is_home_tenant);
    }

    #[test]
    fn generic_account_from_sub() {
        let c = claims(r#"{"sub":"s-9","upn":"u@x"}"#);
        let a = Account::from_response("", Some(&c), "idp.example", authority_type::GENERIC, 5).unwrap();
        assert_eq!(a.home_account_id, "s-9");
        assert_eq!(a.local_account_id, "s-9");
        assert_eq!(a.realm, "");
        assert_eq!(a.home_tenant(), "");
        // A sub with dots: msal's key takes the part between the first two (split(".")[1]).
        let dotted =
            Account::from_response("", Some(&claims(r#"{"sub":"first.last@example.com"}"#)), "idp", authority_type::GENERIC, 5).unwrap();
        assert_eq!(dotted.home_tenant(), "last@example");
        assert!(Account::from_response("garbage", None, "e", "MSSTS", 0).is_none());
    }

    #[test]
    fn adfs_ignores_client_info() {
        let ci = base64::encode_url(br#"{"uid":"u","utid":"t"}"#);
        let c = claims(r#"{"sub":"adfs-sub"}"#);
        let a = Account::from_response(&ci, Some(&c), "fs", authority_type::ADFS, 0).unwrap();
        assert_eq!(a.home_account_id, "adfs-sub");
    }

    #[test]
    fn empty_claims_fall_back_as_msals_or() {
        let c = claims(r#"{"sub":"s","oid":"","tid":"","tfp":"b2c_1_signin","preferred_username":"","upn":"u@x"}"#);
        let a = Account::from_response("", Some(&c), "idp", authority_type::MSSTS, 0).unwrap();
        assert_eq!((a.local_account_id.as_str(), a.realm.as_str(), a.username.as_str()), ("s", "b2c_1_signin", "u@x"));
        assert_eq!(a.tenant_profiles.first().map(|p| p.username.as_str()), Some("u@x"));
    }

    #[test]
    fn client_info_garbage() {
        for bad in ["", "!!", "e30", &base64::encode_url(br#"{"uid":1,"utid":"t"}"#), &base64::encode_url(br#"{"uid":"","utid":"t"}"#)] {
            assert!(ClientInfo::decode(bad).is_none(), "{bad}");
        }
    }
}
