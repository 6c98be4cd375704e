// Types of msal-wasm's JavaScript API (msal-browser compatible names and shapes).

export declare const version: string;

export declare const EventType: {
  readonly INITIALIZE_START: "msal:initializeStart";
  readonly INITIALIZE_END: "msal:initializeEnd";
  readonly ACTIVE_ACCOUNT_CHANGED: "msal:activeAccountChanged";
  readonly LOGIN_SUCCESS: "msal:loginSuccess";
  readonly ACQUIRE_TOKEN_START: "msal:acquireTokenStart";
  readonly BROKERED_REQUEST_START: "msal:brokeredRequestStart";
  readonly ACQUIRE_TOKEN_SUCCESS: "msal:acquireTokenSuccess";
  readonly BROKERED_REQUEST_SUCCESS: "msal:brokeredRequestSuccess";
  readonly ACQUIRE_TOKEN_FAILURE: "msal:acquireTokenFailure";
  readonly BROKERED_REQUEST_FAILURE: "msal:brokeredRequestFailure";
  readonly ACQUIRE_TOKEN_NETWORK_START: "msal:acquireTokenFromNetworkStart";
  readonly HANDLE_REDIRECT_START: "msal:handleRedirectStart";
  readonly HANDLE_REDIRECT_END: "msal:handleRedirectEnd";
  readonly POPUP_OPENED: "msal:popupOpened";
  readonly LOGOUT_START: "msal:logoutStart";
  readonly LOGOUT_SUCCESS: "msal:logoutSuccess";
  readonly LOGOUT_FAILURE: "msal:logoutFailure";
  readonly LOGOUT_END: "msal:logoutEnd";
  readonly RESTORE_FROM_BFCACHE: "msal:restoreFromBFCache";
  readonly BROKER_CONNECTION_ESTABLISHED: "msal:brokerConnectionEstablished";
  /** Beyond v5 (as in v3/v4): another tab of the app signed an account in. */
  readonly ACCOUNT_ADDED: "msal:accountAdded";
  /** Beyond v5 (as in v3/v4): another tab of the app signed an account out. */
  readonly ACCOUNT_REMOVED: "msal:accountRemoved";
};
export type EventType = (typeof EventType)[keyof typeof EventType];

export declare enum InteractionType { Redirect = "redirect", Popup = "popup", Silent = "silent", None = "none" }

export declare const InteractionStatus: {
  readonly Startup: "startup"; readonly Logout: "logout"; readonly AcquireToken: "acquireToken";
  readonly HandleRedirect: "handleRedirect"; readonly None: "none";
};
export type InteractionStatus = (typeof InteractionStatus)[keyof typeof InteractionStatus];

export declare const CacheLookupPolicy: {
  readonly Default: 0; readonly AccessToken: 1; readonly AccessTokenAndRefreshToken: 2;
  readonly RefreshToken: 3; readonly RefreshTokenAndNetwork: 4; readonly Skip: 5;
};
export type CacheLookupPolicy = (typeof CacheLookupPolicy)[keyof typeof CacheLookupPolicy];

export declare enum LogLevel { Error = 0, Warning = 1, Info = 2, Verbose = 3, Trace = 4 }

export declare const BrowserCacheLocation: { readonly LocalStorage: "localStorage"; readonly SessionStorage: "sessionStorage"; readonly MemoryStorage: "memoryStorage" };
export type BrowserCacheLocation = (typeof BrowserCacheLocation)[keyof typeof BrowserCacheLocation];
export declare const PromptValue: {
  readonly LOGIN: "login"; readonly SELECT_ACCOUNT: "select_account"; readonly CONSENT: "consent";
  readonly NONE: "none"; readonly CREATE: "create"; readonly NO_SESSION: "no_session";
};
export type PromptValue = (typeof PromptValue)[keyof typeof PromptValue];
export declare const ProtocolMode: { readonly AAD: "AAD"; readonly OIDC: "OIDC"; readonly EAR: "EAR" };
export type ProtocolMode = (typeof ProtocolMode)[keyof typeof ProtocolMode];
export declare const ResponseMode: { readonly QUERY: "query"; readonly FRAGMENT: "fragment"; readonly FORM_POST: "form_post" };
export type ResponseMode = (typeof ResponseMode)[keyof typeof ResponseMode];
export declare const AuthenticationScheme: { readonly BEARER: "Bearer"; readonly POP: "pop"; readonly DPOP: "DPoP"; readonly SSH: "ssh-cert" };
export type AuthenticationScheme = (typeof AuthenticationScheme)[keyof typeof AuthenticationScheme];
export declare const JsonWebTokenTypes: { readonly Jwt: "JWT"; readonly Jwk: "JWK"; readonly Pop: "pop"; readonly Dpop: "dpop+jwt" };
export type JsonWebTokenTypes = (typeof JsonWebTokenTypes)[keyof typeof JsonWebTokenTypes];
export declare const AzureCloudInstance: {
  readonly None: "none"; readonly AzurePublic: "https://login.microsoftonline.com"; readonly AzureChina: "https://login.chinacloudapi.cn";
  readonly AzureGermany: "https://login.microsoftonline.de"; readonly AzureUsGovernment: "https://login.microsoftonline.us";
};
export type AzureCloudInstance = (typeof AzureCloudInstance)[keyof typeof AzureCloudInstance];
export declare const OIDC_DEFAULT_SCOPES: readonly string[];
export declare const WrapperSKU: { readonly React: "@azure/msal-react"; readonly Angular: "@azure/msal-angular" };
export type WrapperSKU = (typeof WrapperSKU)[keyof typeof WrapperSKU];
export declare const ApiId: {
  readonly acquireTokenRedirect: 861; readonly acquireTokenPopup: 862; readonly ssoSilent: 863;
  readonly acquireTokenSilent_authCode: 864; readonly handleRedirectPromise: 865; readonly acquireTokenByCode: 866;
  readonly acquireTokenSilent_silentFlow: 61; readonly logout: 961; readonly logoutPopup: 962;
  readonly hydrateCache: 963; readonly loadExternalTokens: 964;
};
export type ApiId = (typeof ApiId)[keyof typeof ApiId];
export declare const DEFAULT_IFRAME_TIMEOUT_MS: number;
export declare const BrowserRootPerformanceEvents: {
  readonly AcquireTokenByCode: "acquireTokenByCode"; readonly AcquireTokenPopup: "acquireTokenPopup";
  readonly AcquireTokenPreRedirect: "acquireTokenPreRedirect"; readonly AcquireTokenRedirect: "acquireTokenRedirect";
  readonly AcquireTokenSilent: "acquireTokenSilent";
  readonly InitializeClientApplication: "initializeClientApplication";
  readonly LoadExternalTokens: "loadExternalTokens"; readonly LocalStorageUpdated: "localStorageUpdated";
  readonly SsoCapable: "ssoCapable"; readonly SsoSilent: "ssoSilent";
  readonly WaitForBridgeLateResponse: "waitForBridgeLateResponse";
};

/** msal's error-code tables: each code under its camelCase name. */
export declare const AuthErrorCodes: {
  readonly postRequestFailed: "post_request_failed"; readonly unexpectedError: "unexpected_error";
};
export declare const BrowserAuthErrorCodes: {
  readonly asymmetricEarKeyError: "asymmetric_ear_key_error";
  readonly authCodeOrNativeAccountIdRequired: "auth_code_or_nativeAccountId_required";
  readonly authCodeRequired: "auth_code_required"; readonly authRequestNotSetError: "auth_request_not_set_error";
  readonly blockIframeReload: "block_iframe_reload"; readonly blockNestedPopups: "block_nested_popups";
  readonly cryptoKeyNotFound: "crypto_key_not_found"; readonly cryptoNonExistent: "crypto_nonexistent";
  readonly databaseNotOpen: "database_not_open"; readonly databaseUnavailable: "database_unavailable";
  readonly earJweEmpty: "ear_jwe_empty"; readonly earJwkEmpty: "ear_jwk_empty";
  readonly emptyNavigateUri: "empty_navigate_uri"; readonly emptyResponse: "empty_response";
  readonly emptyWindowError: "empty_window_error"; readonly failedToBuildHeaders: "failed_to_build_headers";
  readonly failedToDecryptEarResponse: "failed_to_decrypt_ear_response";
  readonly failedToParseHeaders: "failed_to_parse_headers";
  readonly failedToParseResponse: "failed_to_parse_response"; readonly getRequestFailed: "get_request_failed";
  readonly hashDoesNotContainKnownProperties: "hash_does_not_contain_known_properties";
  readonly hashEmptyError: "hash_empty_error"; readonly iframeClosedPrematurely: "iframe_closed_prematurely";
  readonly interactionInProgress: "interaction_in_progress";
  readonly interactionInProgressCancelled: "interaction_in_progress_cancelled";
  readonly invalidBase64String: "invalid_base64_string"; readonly invalidCacheType: "invalid_cache_type";
  readonly invalidPopTokenRequest: "invalid_pop_token_request"; readonly invalidPublicJwk: "invalid_public_jwk";
  readonly nativeConnectionNotEstablished: "native_connection_not_established";
  readonly nativeExtensionNotInstalled: "native_extension_not_installed";
  readonly nativeHandshakeTimeout: "native_handshake_timeout";
  readonly nativePromptNotSupported: "native_prompt_not_supported"; readonly noAccountError: "no_account_error";
  readonly noNetworkConnectivity: "no_network_connectivity"; readonly noStateInHash: "no_state_in_hash";
  readonly noTokenRequestCacheError: "no_token_request_cache_error";
  readonly nonBrowserEnvironment: "non_browser_environment"; readonly pkceNotCreated: "pkce_not_created";
  readonly popupRelayUnsupportedFlow: "popup_relay_unsupported_flow";
  readonly popupWindowError: "popup_window_error"; readonly postRequestFailed: "post_request_failed";
  readonly redirectBridgeEmptyResponse: "redirect_bridge_empty_response";
  readonly redirectInIframe: "redirect_in_iframe"; readonly silentLogoutUnsupported: "silent_logout_unsupported";
  readonly silentPromptValueError: "silent_prompt_value_error";
  readonly spaCodeAndNativeAccountIdPresent: "spa_code_and_nativeAccountId_present";
  readonly stateInteractionTypeMismatch: "state_interaction_type_mismatch"; readonly timedOut: "timed_out";
  readonly tokenBindingKeyAlgorithmMismatch: "token_binding_key_algorithm_mismatch";
  readonly tokenBindingKeyJwkThumbprintMismatch: "token_binding_key_jwk_thumbprint_mismatch";
  readonly unableToAcquireTokenFromNativePlatform: "unable_to_acquire_token_from_native_platform";
  readonly unableToLoadToken: "unable_to_load_token"; readonly unableToParseState: "unable_to_parse_state";
  readonly unableToParseTokenRequestCacheError: "unable_to_parse_token_request_cache_error";
  readonly uninitializedPublicClientApplication: "uninitialized_public_client_application";
  readonly unsupportedTokenBindingAlgorithm: "unsupported_token_binding_algorithm";
  readonly userCancelled: "user_cancelled";
};
export declare const BrowserConfigurationAuthErrorCodes: {
  readonly inMemRedirectUnavailable: "in_mem_redirect_unavailable";
  readonly storageNotSupported: "storage_not_supported";
  readonly stubbedPublicClientApplicationCalled: "stubbed_public_client_application_called";
};
export declare const ClientAuthErrorCodes: {
  readonly authorizationCodeMissingFromServerResponse: "authorization_code_missing_from_server_response";
  readonly bindingKeyNotRemoved: "binding_key_not_removed"; readonly cannotAppendScopeSet: "cannot_append_scopeset";
  readonly cannotRemoveEmptyScope: "cannot_remove_empty_scope";
  readonly clientInfoDecodingError: "client_info_decoding_error";
  readonly clientInfoEmptyError: "client_info_empty_error";
  readonly dpopTokenTypeMismatch: "dpop_token_type_mismatch"; readonly emptyInputScopeSet: "empty_input_scopeset";
  readonly endSessionEndpointNotSupported: "end_session_endpoint_not_supported";
  readonly endpointResolutionError: "endpoints_resolution_error";
  readonly hashNotDeserialized: "hash_not_deserialized";
  readonly invalidCacheEnvironment: "invalid_cache_environment"; readonly invalidCacheRecord: "invalid_cache_record";
  readonly invalidState: "invalid_state"; readonly keyIdMissing: "key_id_missing";
  readonly methodNotImplemented: "method_not_implemented";
  readonly misplacedResourceParam: "misplaced_resource_parameter";
  readonly multipleMatchingAppMetadata: "multiple_matching_appMetadata";
  readonly multipleMatchingTokens: "multiple_matching_tokens";
  readonly nestedAppAuthBridgeDisabled: "nested_app_auth_bridge_disabled"; readonly networkError: "network_error";
  readonly noAccountFound: "no_account_found"; readonly noAccountInSilentRequest: "no_account_in_silent_request";
  readonly noCryptoObject: "no_crypto_object"; readonly noNetworkConnectivity: "no_network_connectivity";
  readonly nonceMismatch: "nonce_mismatch"; readonly nullOrEmptyToken: "null_or_empty_token";
  readonly openIdConfigError: "openid_config_error"; readonly platformBrokerError: "platform_broker_error";
  readonly requestCannotBeMade: "request_cannot_be_made";
  readonly resourceParameterRequired: "resource_parameter_required"; readonly stateMismatch: "state_mismatch";
  readonly stateNotFound: "state_not_found";
  readonly tokenClaimsCnfRequiredForSignedJwt: "token_claims_cnf_required_for_signedjwt";
  readonly tokenParsingError: "token_parsing_error"; readonly tokenRefreshRequired: "token_refresh_required";
  readonly unexpectedCredentialType: "unexpected_credential_type"; readonly userCanceled: "user_canceled";
};
export declare const ClientConfigurationErrorCodes: {
  readonly authorityMismatch: "authority_mismatch"; readonly authorityUriInsecure: "authority_uri_insecure";
  readonly cannotAllowPlatformBroker: "cannot_allow_platform_broker";
  readonly cannotSetOIDCOptions: "cannot_set_OIDCOptions";
  readonly claimsRequestParsingError: "claims_request_parsing_error";
  readonly dpopMissingResourceContext: "dpop_missing_resource_context";
  readonly emptyInputScopesError: "empty_input_scopes_error";
  readonly invalidAuthenticationHeader: "invalid_authentication_header";
  readonly invalidAuthorityMetadata: "invalid_authority_metadata"; readonly invalidClaims: "invalid_claims";
  readonly invalidCloudDiscoveryMetadata: "invalid_cloud_discovery_metadata";
  readonly invalidCodeChallengeMethod: "invalid_code_challenge_method"; readonly invalidDpopHtm: "invalid_dpop_htm";
  readonly invalidDpopHtu: "invalid_dpop_htu"; readonly invalidDpopNonce: "invalid_dpop_nonce";
  readonly invalidPlatformBrokerConfiguration: "invalid_platform_broker_configuration";
  readonly invalidRequestMethodForEAR: "invalid_request_method_for_EAR";
  readonly invalidResponseMode: "invalid_response_mode"; readonly issuerValidationFailed: "issuer_validation_failed";
  readonly logoutRequestEmpty: "logout_request_empty";
  readonly missingNonceAuthenticationHeader: "missing_nonce_authentication_header";
  readonly missingSshJwk: "missing_ssh_jwk"; readonly missingSshKid: "missing_ssh_kid";
  readonly pkceParamsMissing: "pkce_params_missing"; readonly redirectUriEmpty: "redirect_uri_empty";
  readonly tokenRequestEmpty: "token_request_empty";
  readonly unsupportedAuthenticationScheme: "unsupported_authentication_scheme";
  readonly untrustedAuthority: "untrusted_authority"; readonly urlEmptyError: "empty_url_error";
  readonly urlParseError: "url_parse_error";
};
export declare const InteractionRequiredAuthErrorCodes: {
  readonly badToken: "bad_token"; readonly consentRequired: "consent_required";
  readonly interactionRequired: "interaction_required"; readonly interruptedUser: "interrupted_user";
  readonly loginRequired: "login_required"; readonly nativeAccountUnavailable: "native_account_unavailable";
  readonly noTokensFound: "no_tokens_found"; readonly refreshTokenExpired: "refresh_token_expired";
  readonly uiNotAllowed: "ui_not_allowed";
};

/** An ID token's claims: msal's `TokenClaims`, and any other claim. */
export type IdTokenClaims = { [claim: string]: unknown } & {
  aud?: string; iss?: string; iat?: number; nbf?: number; exp?: number; oid?: string; sub?: string; tid?: string;
  name?: string; preferred_username?: string; login_hint?: string; sid?: string; nonce?: string; emails?: string[];
  tfp?: string; acr?: string; ver?: string; upn?: string; signin_state?: string[]; home_oid?: string; cloud_instance_host_name?: string;
  cnf?: { kid: string }; x5c_ca?: string[]; ts?: number; at?: string; u?: string; p?: string; m?: string;
  roles?: string[]; amr?: string[]; idp?: string; auth_time?: number; tenant_region_scope?: string; tenant_region_sub_scope?: string;
};

/**
 * An account's details in one tenant (msal's TenantProfile). `username` is that tenant's
 * `preferred_username` (else `upn`); "" for a profile cached before msal-wasm recorded it.
 */
export interface TenantProfile {
  tenantId: string;
  localAccountId: string;
  name?: string;
  isHomeTenant?: boolean;
  username: string;
  loginHint?: string;
  upn?: string;
  nativeAccountId?: string;
}

/** What msal's network client is given (`system.networkClient`). */
export interface NetworkRequestOptions {
  headers?: Record<string, string>;
  body?: string;
  /** A POST's correlation id (window.js send). */
  correlationId?: string;
}
/** What msal's network client answers: the body parsed from JSON (a string is taken as the body text). */
export interface NetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}
/** msal's network client: sends the discovery (GET) and token (POST) requests. */
export interface INetworkModule {
  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>>;
  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>>;
}

export type AccountInfo = {
  homeAccountId: string;
  environment: string;
  tenantId: string;
  username: string;
  localAccountId: string;
  name?: string;
  authorityType?: string;
  idToken?: string;
  idTokenClaims?: IdTokenClaims;
  tenantProfiles?: Map<string, TenantProfile>;
  /** The ID token's `login_hint` claim (msal 5). */
  loginHint?: string;
  /** The ID token's `upn` claim. */
  upn?: string;
  /** "Keep me signed in": the ID token's `signin_state` holds `kmsi` or `dvc_dmjd`. */
  kmsi?: boolean;
  /** A platform broker's id for the account (never set here: no broker). */
  nativeAccountId?: string;
  /** msal's data boundary: "EU" when Entra's `client_info` says `xms_tdbr` "EU", "None" for another value, unset when it says nothing. */
  dataBoundary?: "EU" | "None";
};

export interface AccountFilter {
  homeAccountId?: string; localAccountId?: string; username?: string; environment?: string;
  name?: string; loginHint?: string; sid?: string; tenantId?: string; realm?: string; isHomeTenant?: boolean;
  upn?: string; nativeAccountId?: string; authorityType?: string;
}

/** A token result, typed as msal's (fields msal may leave out are optional here too). */
export type AuthenticationResult = {
  authority: string;
  uniqueId: string;
  tenantId: string;
  scopes: string[];
  account: AccountInfo;
  idToken: string;
  idTokenClaims: IdTokenClaims;
  accessToken: string;
  fromCache: boolean;
  expiresOn: Date | null;
  extExpiresOn?: Date;
  refreshOn?: Date;
  tokenType: string;
  correlationId: string;
  state?: string;
  familyId?: string;
  /** The server's id for the token request (Entra's `x-ms-request-id`, when the browser may read it); "" from the cache. */
  requestId?: string;
  /** The account's cloud's Graph hosts, as an instance-aware sign-in's response or an acquireTokenByCode request named them (else ""). */
  cloudGraphHostName?: string;
  msGraphHost?: string;
  fromPlatformBroker?: boolean;
  /** The authorization code (msal's, for a code requested for a back end; never set here). */
  code?: string;
  /** The request's `resource` (RFC 8707), when it named one. */
  resource?: string;
  /** For a DPoP token (`tokenType` "DPoP"): the proof for the request's resourceRequestMethod and resourceRequestUri; send it as the `DPoP` header with `Authorization: DPoP <accessToken>`. */
  dpopProof?: string;
};

export type StringDict = { [key: string]: string };

/**
 * The type of a request's `prompt` given the type P of the value passed, when only `Allowed`
 * values make sense: a literal or a union of literals outside `Allowed` is a type error, a value
 * typed plain `string` (as in an msal-browser request object) is accepted. A silent request
 * takes "none" or "no_session" (others are sent as "none", with a warning, as msal 5); a popup or
 * redirect request any string (msal's PromptValue values, or a provider's own, sent as given).
 */
export type PromptOf<P extends string, Allowed extends string = PromptValue> = string extends P ? string : [P] extends [Allowed] ? P : Allowed;

export interface StoreInCache {
  accessToken?: boolean;
  idToken?: boolean;
  refreshToken?: boolean;
}

interface BaseRequest {
  scopes?: string[];
  authority?: string;
  azureCloudOptions?: AzureCloudOptions;
  correlationId?: string;
  claims?: string;
  redirectUri?: string;
  extraQueryParameters?: StringDict;
  /** Added to the authorize URL (over an extraQueryParameters entry of the same name) and to token request bodies; never over the library's own parameters. */
  extraParameters?: StringDict;
  /** The RFC 8707 resource (msal's MCP parameter): sent to the authorize and token endpoints and kept on the cached access token; a request that names one is served only a cached token for it. Required with auth.isMcp. */
  resource?: string;
  /** Assertions of external attribute authorities (msal 5.x): sent sorted to the token endpoint; the cached access token is kept apart with them, so a request is served only a token obtained with the same ones (or with none when it names none). */
  attributeTokens?: string[];
  /** Which credentials of the response are cached (each true unless set false; the account always is). */
  storeInCache?: StoreInCache;
  /** "Bearer" (default), "DPoP" (RFC 9449: the token is bound to a key of this browser) or "pop" (a signed HTTP request); "ssh-cert" fails with unsupported_authentication_scheme. */
  authenticationScheme?: AuthenticationScheme;
  /** DPoP: the method of the resource request the result's dpopProof is for (required with DPoP). */
  resourceRequestMethod?: string;
  /** DPoP: the https URL of the resource request the result's dpopProof is for (required with DPoP). */
  resourceRequestUri?: string;
  /** pop: the signed HTTP request's `nonce` (a new GUID when absent). */
  shrNonce?: string;
  /** pop: the signed HTTP request's `client_claims`. */
  shrClaims?: string;
  /** pop: the signed HTTP request's header; `typ` replaces "pop", `alg` must be "RS256" (the key's) or fails with unsupported_token_binding_algorithm. */
  shrOptions?: { header: { typ?: JsonWebTokenTypes; alg?: string } };
  /** pop with a key of the app's own: refused (msal-wasm binds pop tokens to its own key). */
  popKid?: string;
  /** Carried to the call's performance event. */
  scenarioId?: string;
  /** No effect, as in msal 5 (deprecated there): send `max_age` in extraQueryParameters and check `auth_time`. */
  maxAge?: number;
}

export type PopupSize = { height: number; width: number };
export type PopupPosition = { top: number; left: number };
export interface PopupWindowAttributes {
  popupSize?: PopupSize;
  popupPosition?: PopupPosition;
}

/** Fields shared by popup and redirect requests. */
interface InteractiveRequest extends BaseRequest {
  scopes: string[];
  account?: AccountInfo;
  /** msal's PromptValue values, or a provider's own (OpenID Connect's "login consent"), sent as given. */
  prompt?: string;
  loginHint?: string;
  sid?: string;
  domainHint?: string;
  state?: string;
  nonce?: string;
  /** Scopes of other resources the user consents to now, with `scopes`; the code is redeemed for `scopes` only, and tokens for these come silently later. */
  extraScopesToConsent?: string[];
  /** "POST": the authorize request is a form posted (in the popup, the hidden frame or this page) instead of a URL; extraQueryParameters stay in its URL. */
  httpMethod?: "GET" | "POST";
}

export interface PopupRequest extends InteractiveRequest {
  popupWindowAttributes?: PopupWindowAttributes;
  /** Take the tab's interaction lock over: the popup holding it closes and its request fails with interaction_in_progress_cancelled. */
  overrideInteractionInProgress?: boolean;
  /** The window the popup opens from, centred on it (default: this window). */
  popupWindowParent?: Window;
}

export interface RedirectRequest extends InteractiveRequest {
  redirectStartPage?: string;
  onRedirectNavigate?: (url: string) => boolean | void;
}

export interface SilentRequest extends BaseRequest {
  scopes: string[];
  account?: AccountInfo;
  forceRefresh?: boolean;
  cacheLookupPolicy?: CacheLookupPolicy;
  /** A refresh token that expires within this many seconds is not used (default 300, as msal). */
  refreshTokenExpirationOffsetSeconds?: number;
  /** Returned as the result's state (from the cache too). */
  state?: string;
  /** The hidden frame's prompt if the request comes to one: "none" (default) or "no_session"; other values are sent as "none", with a warning (msal 5). */
  prompt?: string;
}

export interface SsoSilentRequest<P extends string = "none" | "no_session"> extends BaseRequest {
  scopes?: string[];
  account?: AccountInfo;
  loginHint?: string;
  sid?: string;
  domainHint?: string;
  /** A silent request takes "none" or "no_session"; other values are sent as "none", with a warning (msal 5). */
  prompt?: PromptOf<P, "none" | "no_session">;
  state?: string;
  nonce?: string;
  extraScopesToConsent?: string[];
  httpMethod?: "GET" | "POST";
}

export interface AuthorizationCodeRequest extends BaseRequest {
  /** Optional: without scopes the configuration's default (OIDC) scopes are requested. */
  scopes?: string[];
  /**
   * Required at run time (auth_code_or_nativeAccountId_required without it). Optional in the
   * type as in msal's, where a nativeAccountId may replace it.
   */
  code?: string;
  /** The platform broker's account (msal-wasm has no broker: refused with msal's error). */
  nativeAccountId?: string;
  codeVerifier?: string;
  /** The user's cloud's Graph hosts (a hybrid app's, from its back end), kept with a new account as msal keeps them. */
  msGraphHost?: string;
  cloudGraphHostName?: string;
  /** The cloud the code's authorize response named: an instance-aware request redeems the code there (msal). */
  cloudInstanceHostName?: string;
}

/** What both sign-outs take. */
interface BaseEndSessionRequest {
  account?: AccountInfo | null;
  /** The authority whose end-session endpoint signs out (default: the configured one). */
  authority?: string;
  postLogoutRedirectUri?: string | null;
  state?: string;
  correlationId?: string;
  logoutHint?: string;
  idTokenHint?: string;
  extraQueryParameters?: StringDict;
}

/** logoutRedirect's (and logout's) request. */
export interface EndSessionRequest extends BaseEndSessionRequest {
  /** As in msal-browser v3/v4 (v5 takes it in auth configuration only). */
  onRedirectNavigate?: (url: string) => boolean | void;
}

/** logoutPopup's request. */
export interface EndSessionPopupRequest extends BaseEndSessionRequest {
  /** Where the main window goes once the popup has signed out. */
  mainWindowRedirectUri?: string;
  popupWindowAttributes?: PopupWindowAttributes;
  popupWindowParent?: Window;
}

export interface NavigationOptions { apiId: number; timeout: number; noHistory: boolean }
export interface INavigationClient {
  navigateInternal(url: string, options: NavigationOptions): Promise<boolean>;
  navigateExternal(url: string, options: NavigationOptions): Promise<boolean>;
}
export declare class NavigationClient implements INavigationClient {
  navigateInternal(url: string, options: NavigationOptions): Promise<boolean>;
  navigateExternal(url: string, options: NavigationOptions): Promise<boolean>;
  /** Navigates the window; rejects with `timed_out` (`failed_to_redirect`) if the page is still here after `options.timeout`. */
  static defaultNavigateWindow(url: string, options: NavigationOptions): Promise<boolean>;
}

export type LoggerCallback = (level: LogLevel, message: string, containsPii: boolean) => void;
/** msal's name of LoggerCallback. */
export type ILoggerCallback = LoggerCallback;
export interface LoggerOptions { loggerCallback?: LoggerCallback; piiLoggingEnabled?: boolean; logLevel?: LogLevel; correlationId?: string }
export declare class Logger {
  constructor(loggerOptions: LoggerOptions, packageName?: string, packageVersion?: string);
  clone(packageName: string, packageVersion: string, correlationId?: string): Logger;
  executeCallback(level: LogLevel, message: string, containsPii: boolean): void;
  error(message: string, correlationId: string): void; errorPii(message: string, correlationId: string): void;
  warning(message: string, correlationId: string): void; warningPii(message: string, correlationId: string): void;
  info(message: string, correlationId: string): void; infoPii(message: string, correlationId: string): void;
  verbose(message: string, correlationId: string): void; verbosePii(message: string, correlationId: string): void;
  trace(message: string, correlationId: string): void; tracePii(message: string, correlationId: string): void;
  isPiiLoggingEnabled(): boolean;
}

/** An Azure cloud and tenant: with an instance other than "none", the authority is `${azureCloudInstance}/${tenant ?? "common"}/`, over `authority`. */
export interface AzureCloudOptions {
  azureCloudInstance: AzureCloudInstance;
  tenant?: string;
}

export interface Configuration {
  auth: {
    clientId: string;
    authority?: string;
    azureCloudOptions?: AzureCloudOptions;
    knownAuthorities?: string[];
    cloudDiscoveryMetadata?: string;
    authorityMetadata?: string;
    redirectUri?: string;
    postLogoutRedirectUri?: string | null;
    /** @deprecated v4's option, ignored as in msal 5 (a warning says so): pass it to handleRedirectPromise. */
    navigateToLoginRequestUrl?: boolean;
    onRedirectNavigate?: (url: string) => boolean | void;
    clientCapabilities?: string[];
    /** msal 5's popup relay: popups open this page of the app's origin (which runs `runPopupRelay` from `msal-wasm/popup-relay`), for an app inside another site's frame. */
    popupRelayUri?: string;
    popupRelayProtocolVersion?: 1 | 2;
    /** Asks Entra for the user's cloud (`instance_aware=true`): the code is redeemed there, and that account's requests go there. */
    instanceAware?: boolean;
    /** Accepted for msal 5 configurations; msal-wasm logs a warning and does without (README "Not yet"). */
    verifySSO?: boolean;
    /** false: `pocd=1` goes with every authorize and end-session request, without msal 5's popup origin check (default true: only when the page passes it). */
    originCheck?: boolean;
    protocolMode?: "AAD" | "OIDC" | "EAR";
    OIDCOptions?: { defaultScopes?: string[]; /** "form_post" (a server's mode) fails the calls with invalid_configuration (initialize() resolves, as msal's). */ responseMode?: "fragment" | "query" | "form_post" };
    /** An MCP app: every token request must name its `resource` (resource_parameter_required, misplaced_resource_parameter). */
    isMcp?: boolean;
  };
  cache?: {
    /** `BrowserCacheLocation`: "sessionStorage" (default), "localStorage" or "memoryStorage". */
    cacheLocation?: string;
    /** An older msal's entries (msal-browser 4's cache schemas 0, 1 and 2) not updated for this many days (default 5) are removed when the client starts; the others are copied to the current schema at once (the older accounts stay, for the origin's other apps; this client's older tokens are removed, where msal v5 keeps them until they are stale). */
    cacheRetentionDays?: number;
  };
  system?: {
    loggerOptions?: LoggerOptions;
    navigationClient?: INavigationClient;
    tokenRenewalOffsetSeconds?: number;
    popupBridgeTimeout?: number;
    iframeBridgeTimeout?: number;
    /** @deprecated v3's name, ignored as in msal 5 (a warning says so): use popupBridgeTimeout. */
    windowHashTimeout?: number;
    /** @deprecated v3's name, ignored as in msal 5 (a warning says so): use iframeBridgeTimeout. */
    iframeHashTimeout?: number;
    protocolMode?: "AAD" | "OIDC" | "EAR";
    /** A page inside a frame may sign in and out by redirect (default false: redirect_in_iframe). */
    allowRedirectInIframe?: boolean;
    /** msal-wasm: abort a discovery or token request unanswered after this many ms (default 30000). */
    networkTimeout?: number;
    /** msal-wasm: also check each new ID token's issuer, audience and lifetime (default false). */
    validateIdTokenClaims?: boolean;
    /** Where to fetch msal_wasm_bg.wasm from (default: next to the package's JS); or its bytes, or the compiled module (a `file:` page, where fetch cannot read files). */
    wasmUrl?: string | URL | BufferSource | WebAssembly.Module;
    /** How long the navigation client is told to wait for a redirect's navigation (ms, default 30000). */
    redirectNavigationTimeout?: number;
    /** Sends every discovery and token request instead of fetch (msal's FetchClient); still given up after networkTimeout. */
    networkClient?: INetworkModule;
    /** Accepted for msal 5 configurations; msal-wasm logs a warning and does without (README "Not yet"). */
    allowPlatformBroker?: boolean;
    serverTelemetryEnabled?: boolean;
    /** As msal 5 (default true): false opens a popup at the provider's URL instead of on about:blank first (once the endpoints are known after initialize), for PWAs and hosts that refuse about:blank. */
    navigatePopups?: boolean;
    /** As msal 5: unless auth.originCheck is set, turns the popup origin check off (pocd=1 on every request). msal-wasm watches popups both ways either way. */
    enableLegacyPolling?: boolean;
    nativeBrokerHandshakeTimeout?: number;
    preventCorsPreflight?: boolean;
  };
  /** Accepted for msal 5 configurations; no effect. */
  experimental?: { enableAsymmetricEar?: boolean; iframeTimeoutTelemetry?: boolean; allowPlatformBrokerWithDOM?: boolean };
  /** `client`: the app's performance client (IPerformanceClient), which then measures each call and holds the performance callbacks, as in msal; `application`: the `appName` and `appVersion` of every performance event. */
  telemetry?: { application?: { appName?: string; appVersion?: string }; client?: unknown };
}
/** msal's names of the configuration's sections. */
export type BrowserAuthOptions = Configuration["auth"];
export type CacheOptions = NonNullable<Configuration["cache"]>;
export type BrowserSystemOptions = NonNullable<Configuration["system"]>;
export type BrowserTelemetryOptions = NonNullable<Configuration["telemetry"]>;
export type BrowserExperimentalOptions = NonNullable<Configuration["experimental"]>;
/**
 * What getConfiguration() returns once initialized: every section with its defaults filled in,
 * as msal's (its `InternalAuthOptions` and `Required<…>` sections). Not there: the v4 names
 * msal 5 moved or dropped (`auth.navigateToLoginRequestUrl`, `auth.protocolMode`: see
 * `system.protocolMode`; v3's `windowHashTimeout`, `iframeHashTimeout`); `onRedirectNavigate`,
 * `networkClient` and `wasmUrl` only when the app set them.
 */
export type BrowserConfiguration = {
  auth: Omit<Required<BrowserAuthOptions>, "onRedirectNavigate" | "navigateToLoginRequestUrl" | "protocolMode" | "OIDCOptions"> & {
    OIDCOptions: Required<NonNullable<BrowserAuthOptions["OIDCOptions"]>>;
    onRedirectNavigate?: BrowserAuthOptions["onRedirectNavigate"];
  };
  cache: Required<CacheOptions>;
  system: Omit<Required<BrowserSystemOptions>, "windowHashTimeout" | "iframeHashTimeout" | "wasmUrl" | "networkClient"> &
    Pick<BrowserSystemOptions, "wasmUrl" | "networkClient">;
  telemetry: Required<BrowserTelemetryOptions>;
  experimental: Required<BrowserExperimentalOptions>;
};

export interface PopupEvent { popupWindow: Window }
/** ACCOUNT_REMOVED's payload: the account that another tab signed out. */
export interface AccountRemovedPayload { homeAccountId: string }
/**
 * The payload of one of msal-browser v5's events: the request the app passed (its `prompt` as
 * given, hence `<string>`), the result, the account signed in, the popup opened, or null.
 */
export type V5EventPayload =
  | AccountInfo | PopupRequest | RedirectRequest | SilentRequest | SsoSilentRequest<string> | AuthorizationCodeRequest
  | EndSessionRequest | EndSessionPopupRequest | AuthenticationResult | PopupEvent | null;
/** An event's payload (V5EventPayload, or ACCOUNT_REMOVED's). */
export type EventPayload = V5EventPayload | AccountRemovedPayload;
export interface EventMessage {
  eventType: EventType;
  interactionType: InteractionType | null;
  payload: EventPayload;
  error: EventError;
  correlationId: string;
  timestamp: number;
}
export type EventError = AuthError | Error | null;
/** msal's payload of broker connection events (which a standard client never sends). */
export type BrokerConnectionEvent = { pairwiseBrokerOrigin: string };
export type EventCallbackFunction = (message: EventMessage) => void;

/** msal-browser v5's event types: EventType without ACCOUNT_ADDED and ACCOUNT_REMOVED, which this package adds. */
export type V5EventType = Exclude<EventType, typeof EventType.ACCOUNT_ADDED | typeof EventType.ACCOUNT_REMOVED>;
/**
 * The messages a callback registered for v5 event types only receives: msal-browser v5's
 * EventMessage (a callback written against msal-browser's EventMessage takes them).
 */
export interface V5EventMessage extends EventMessage {
  eventType: V5EventType;
  payload: V5EventPayload;
}
/**
 * The message type the v5-only addEventCallback overload declares for its callback: a
 * V5EventMessage whose interactionType is `never`.
 *
 * COMPROMISE: msal-browser's InteractionType is a string enum, which TypeScript types nominally:
 * no string literal (not even "popup", the value msal's own enum member has at run time) is
 * assignable to it; only `never` and `any` are. A callback written against msal-browser's
 * EventMessage takes one of these messages only if interactionType is typed so, and `never` (not
 * `any`) keeps every other field checked. At run time interactionType is an InteractionType
 * value or null, as in V5EventMessage. This type is what the callback is checked against; a
 * callback annotated with V5EventMessage or EventMessage sees those types, and an unannotated
 * one is typed by the first overload (EventMessage).
 */
export type V5EventMessageForCallbacks = Omit<V5EventMessage, "interactionType"> & { interactionType: never };
export type V5EventCallbackFunction = (message: V5EventMessageForCallbacks) => void;

export declare class EventMessageUtils {
  static getInteractionStatusFromEvent(message: EventMessage, currentStatus?: InteractionStatus): InteractionStatus | null;
}

export declare class EventHandler {
  constructor(logger?: Logger);
  addEventCallback(callback: EventCallbackFunction, eventTypes?: EventType[], callbackId?: string): string | null;
  removeEventCallback(callbackId: string): void;
  emitEvent(eventType: EventType, correlationId: string, interactionType?: InteractionType, payload?: EventPayload, error?: AuthError | Error | null): void;
  /** Hears the sign-ins, sign-outs and active-account changes of the origin's other tabs and instances. */
  subscribeCrossTab(): void;
  unsubscribeCrossTab(): void;
}

/** A measurement reported to performance callbacks (msal's PerformanceEvent, the fields msal-wasm fills). */
export interface PerformanceEvent {
  eventId: string; name: string; correlationId: string; startTimeMs: number; durationMs?: number;
  status: number; errorCode?: string; subErrorCode?: string;
  /** true or false; `| null` as in msal's type (so msal's PerformanceEvent is one), never set so here. */
  success?: boolean | null;
  libraryName: string; libraryVersion: string; appName?: string; appVersion?: string;
  authority: string; clientId: string; serverErrorNo?: string | number;
  /** A call with a token result: where it came from and its tokens' lengths. */
  fromCache?: boolean | null; isNativeBroker?: boolean; accessTokenSize?: number; idTokenSize?: number;
  /** Silent calls: `deduped` when the call joined an identical one in flight. */
  cacheLookupPolicy?: number; scenarioId?: string; deduped?: boolean;
  /** Calls that prepare a token request: the request's scheme ("Bearer" when it names none). */
  authenticationScheme?: string;
  /** A DPoP result: whether its proof carries a nonce the app loaded (`loadDpopNonce`). */
  dpopNonceAppliedToProof?: boolean;
  accountType?: "AAD" | "MSA" | "B2C"; dataBoundary?: "EU" | "None";
  startPageVisibility?: string | null; endPageVisibility?: string | null; startOnlineStatus?: boolean | null;
  networkEffectiveType?: string; networkRtt?: number; incompleteSubsCount?: number;
  /** Measurements started under the root's correlation id: `<name>DurationMs`. */
  ext?: Record<string, string | number>;
}
export type PerformanceCallbackFunction<E extends PerformanceEvent = PerformanceEvent> = (events: E[]) => void;
/** A measurement under way in an app's performance client. */
export type InProgressPerformanceEvent = {
  end: (event?: Partial<PerformanceEvent>, error?: unknown, account?: AccountInfo) => PerformanceEvent | null;
  discard: () => void;
  add: (fields: { [key: string]: {} | undefined }) => void;
  increment: (fields: { [key: string]: number | undefined }) => void;
  event: PerformanceEvent;
};
/** msal's performance client: given as `telemetry.client`, it measures each call instead of msal-wasm and holds the performance callbacks. */
export interface IPerformanceClient {
  startMeasurement(measureName: string, correlationId?: string): InProgressPerformanceEvent;
  endMeasurement(event: PerformanceEvent): PerformanceEvent | null;
  discardMeasurements(correlationId: string): void;
  addFields(fields: { [key: string]: {} | undefined }, correlationId: string): void;
  addGlobalFields(fields: { [key: string]: {} | undefined }): void;
  incrementFields(fields: { [key: string]: number | undefined }, correlationId: string): void;
  removePerformanceCallback(callbackId: string): boolean;
  addPerformanceCallback(callback: PerformanceCallbackFunction): string;
  emitEvents(events: PerformanceEvent[], correlationId: string): void;
  generateId(): string;
}

export interface IWindowStorage<T> {
  initialize(correlationId?: string): Promise<void>;
  getItem(key: string): T | null; getUserData(key: string): T | null;
  setItem(key: string, value: T): void; setUserData(key: string, value: T, correlationId?: string): Promise<void>;
  removeItem(key: string): void; getKeys(): string[]; containsKey(key: string): boolean;
}
export declare class MemoryStorage<T> implements IWindowStorage<T> {
  initialize(): Promise<void>; getItem(key: string): T | null; getUserData(key: string): T | null;
  setItem(key: string, value: T): void; setUserData(key: string, value: T): Promise<void>; removeItem(key: string): void;
  getKeys(): string[]; containsKey(key: string): boolean; clear(): void;
}
export declare class LocalStorage implements IWindowStorage<string> {
  initialize(): Promise<void>; getItem(key: string): string | null; getUserData(key: string): string | null;
  setItem(key: string, value: string): void; setUserData(key: string, value: string): Promise<void>; removeItem(key: string): void;
  getKeys(): string[]; containsKey(key: string): boolean;
}
export declare class SessionStorage extends LocalStorage {}
/** msal's browser measurement: a performance mark at each end and a measure between them. */
export declare class BrowserPerformanceMeasurement {
  constructor(name: string, correlationId: string);
  static supportsBrowserPerformance(): boolean;
  static flushMeasurements(correlationId: string, measurements: Array<{ name: string }>): void;
  startMeasurement(): void; endMeasurement(): void; flushMeasurement(): number | null;
}
/** msal's performance client: one event per call to the callbacks it holds. */
export interface BrowserPerformanceClient extends IPerformanceClient {}
export declare class BrowserPerformanceClient {
  constructor(configuration: Configuration, intFields?: Set<string>);
}
/** msal's performance client that measures nothing: IPerformanceClient's methods (merged in). */
export interface StubPerformanceClient extends IPerformanceClient {}
export declare class StubPerformanceClient {}

export declare const BrowserUtils: {
  createGuid(): string;
  /** The response in this page's address (the redirect bridge's parsing); msal's errors when there is none. */
  parseAuthResponseFromUrl(): {
    params: URLSearchParams; payload: string; urlHash: string; urlQuery: string; hasResponseInHash: boolean; hasResponseInQuery: boolean;
    libraryState: { id: string; meta: Record<string, string> };
  };
  clearAuthResponseFromUrl(contentWindow?: Window): void; isInIframe(): boolean; isInPopup(): boolean; getCurrentUri(): string; getHomepage(): string;
  clearHash(contentWindow?: Window): void; replaceHash(url: string): void; blockReloadInHiddenIframes(): void;
  blockAcquireTokenInPopups(): void; blockNonBrowserEnvironment(): void; blockRedirectInIframe(allowRedirectInIframe?: boolean): void;
  preconnect(authority: string): void;
};

export declare class AuthError extends Error {
  errorCode: string;
  errorMessage: string;
  subError: string;
  correlationId: string;
  /** msal 5's order: the correlation id second (v3/v4 took the message there). */
  constructor(errorCode?: string, correlationId?: string, errorMessage?: string, subError?: string);
  setCorrelationId(correlationId: string): void;
}
export declare class BrowserAuthError extends AuthError {
  constructor(errorCode: string, correlationId?: string, subError?: string);
}
export declare class BrowserConfigurationAuthError extends AuthError {
  constructor(errorCode: string, correlationId?: string, errorMessage?: string);
}
export declare class ClientAuthError extends AuthError {
  constructor(errorCode: string, correlationId?: string, additionalMessage?: string);
}
export declare class ClientConfigurationError extends AuthError {
  constructor(errorCode: string, correlationId?: string);
}
export declare class ServerError extends AuthError {
  errorNo?: string;
  status?: number;
  constructor(errorCode?: string, correlationId?: string, errorMessage?: string, subError?: string, errorNo?: string, status?: number);
}
export declare class InteractionRequiredAuthError extends AuthError {
  timestamp: string;
  traceId: string;
  claims: string;
  errorNo?: string;
  constructor(errorCode?: string, correlationId?: string, errorMessage?: string, subError?: string, timestamp?: string, traceId?: string, claims?: string, errorNo?: string);
}

export interface HandleRedirectPromiseOptions { hash?: string; navigateToLoginRequestUrl?: boolean }
export interface ClearCacheRequest { account?: AccountInfo | null; correlationId?: string }
/** initialize's request, as msal's. Accepted and not used: initialize's events get their own correlation id. */
export interface InitializeApplicationRequest { correlationId?: string }

/**
 * What hydrateCache reads of a result obtained elsewhere (e.g. from a server that redeemed the
 * code): msal's AuthenticationResult fits, and so does ours. An expiresOn of null stores the
 * access token as already expired.
 */
export interface HydrateCacheResult {
  accessToken: string;
  idToken: string;
  scopes: string[];
  expiresOn: Date | null;
  extExpiresOn?: Date;
  tokenType: string;
  account: AccountInfo | null;
  correlationId: string;
}

export declare class PublicClientApplication {
  /** `controller`: msal's, for its factories' signature; not used. */
  constructor(configuration: Configuration, controller?: IController);
  static createPublicClientApplication(configuration: Configuration): Promise<PublicClientApplication>;
  initialize(request?: InitializeApplicationRequest): Promise<void>;
  handleRedirectPromise(hashOrOptions?: string | HandleRedirectPromiseOptions): Promise<AuthenticationResult | null>;
  loginPopup(request?: PopupRequest): Promise<AuthenticationResult>;
  loginRedirect(request?: RedirectRequest): Promise<void>;
  acquireTokenSilent(request: SilentRequest): Promise<AuthenticationResult>;
  acquireTokenPopup(request: PopupRequest): Promise<AuthenticationResult>;
  acquireTokenRedirect(request: RedirectRequest): Promise<void>;
  // P: the type of the request's prompt (see PromptOf), inferred from the argument.
  ssoSilent<P extends string = "none" | "no_session">(request: SsoSilentRequest<P>): Promise<AuthenticationResult>;
  acquireTokenByCode(request: AuthorizationCodeRequest): Promise<AuthenticationResult>;
  /** A DPoP proof (ath included) for a call to a resource with a DPoP-bound access token of this app; nonce: the resource server's DPoP-Nonce. */
  generateDpopProof(options: { accessToken: string; method: string; url: string; nonce?: string }): Promise<string>;
  /** msal 5.31: a resource server's DPoP-Nonce, carried by the next proofs (`dpopProof`, generateDpopProof without a nonce) for resources of the URL's origin; kept in memory for the 50 latest origins, forgotten by a sign-out or clearCache. Rejects with invalid_dpop_htu or invalid_dpop_nonce. */
  loadDpopNonce(resourceRequestUri: string, dpopNonce: string): Promise<void>;
  logoutRedirect(request?: EndSessionRequest): Promise<void>;
  logout(request?: EndSessionRequest): Promise<void>;
  logoutPopup(request?: EndSessionPopupRequest): Promise<void>;
  clearCache(request?: ClearCacheRequest): Promise<void>;
  /** Stores a result obtained elsewhere for silent calls. The request is accepted, as msal's is, and not used. */
  hydrateCache(result: HydrateCacheResult, request?: SilentRequest | SsoSilentRequest<string> | RedirectRequest | PopupRequest): Promise<void>;
  getAllAccounts(filter?: AccountFilter): AccountInfo[];
  getAccount(filter: AccountFilter): AccountInfo | null;
  getAccountByHomeId(homeAccountId: string): AccountInfo | null;
  getAccountByLocalId(localAccountId: string): AccountInfo | null;
  getAccountByUsername(username: string): AccountInfo | null;
  getActiveAccount(): AccountInfo | null;
  setActiveAccount(account: AccountInfo | null): void;
  addEventCallback(callback: EventCallbackFunction, eventTypes?: EventType[], callbackId?: string): string | null;
  /**
   * A callback for msal-browser v5's events only (e.g. one written against msal-browser's
   * EventMessage): the filter is required, because without one the callback would also receive
   * ACCOUNT_ADDED and ACCOUNT_REMOVED. (This overload is also what makes the client msal's
   * IPublicClientApplication, whose callbacks take msal's EventMessage.)
   */
  addEventCallback(callback: V5EventCallbackFunction, eventTypes: V5EventType[], callbackId?: string): string | null;
  removeEventCallback(callbackId: string): void;
  /**
   * E: the event type the callback is written against; by default this package's
   * PerformanceEvent. COMPROMISE: E may be a richer type, so that a callback written against
   * msal's PerformanceEvent is accepted (and the client is msal's IPublicClientApplication); the
   * fields E adds are not filled in by msal-wasm (msal's `authority` and `clientId` are undefined
   * at run time).
   */
  addPerformanceCallback<E extends PerformanceEvent = PerformanceEvent>(callback: PerformanceCallbackFunction<E>): string;
  removePerformanceCallback(callbackId: string): boolean;
  initializeWrapperLibrary(sku: WrapperSKU, version: string): void;
  /**
   * The client's Logger (this package's).
   *
   * COMPROMISE: msal-common's Logger class has private members, so TypeScript types it
   * nominally: nothing but msal's own class is assignable to it, and a plain `getLogger(): Logger`
   * would keep this client from being msal's IPublicClientApplication. The return type is
   * therefore a type parameter, constrained to this package's Logger and defaulting to it: calls
   * get this package's Logger, and where msal's Logger is expected (the interface, or
   * `const l: msal.Logger = pca.getLogger()`) it is inferred as msal's, whose public methods
   * this Logger has (msal's private fields and methods it does not). Not `any`: what callers get
   * is still checked as a Logger.
   */
  getLogger<L extends Logger = Logger>(): L;
  setLogger(logger: Logger): void;
  setNavigationClient(navigationClient: INavigationClient): void;
  /**
   * The configuration with msal-wasm's defaults filled in (after initialize; before it, the
   * configuration given).
   *
   * COMPROMISE: msal's IPublicClientApplication returns its internal BrowserConfiguration, with
   * every option of msal-browser required (network client, performance client, ...) that
   * msal-wasm does not have. The return type is therefore a type parameter, defaulting to this
   * package's Configuration and constrained only to have auth.clientId, so that the client is
   * msal's IPublicClientApplication. A caller that names another type gets the object above.
   */
  getConfiguration<C extends { auth: { clientId: string } } = BrowserConfiguration>(): C;
  enableAccountStorageEvents(): void;
  disableAccountStorageEvents(): void;
}

export declare function createStandardPublicClientApplication(configuration: Configuration): Promise<PublicClientApplication>;
/** No nested-app host here: the standard client, made by `standardPcaFactory` when given (msal 5.31), else as createStandardPublicClientApplication. */
export declare function createNestablePublicClientApplication(configuration: Configuration, correlationId?: string, pcaFactory?: (configuration: Configuration, controller: IController) => IPublicClientApplication, standardPcaFactory?: (configuration: Configuration) => IPublicClientApplication): Promise<IPublicClientApplication>;
/** No platform broker here: false (the arguments, msal's, are not used). */
export declare function isPlatformBrokerAvailable(domConfig?: boolean, loggerOptions?: LoggerOptions, perfClient?: IPerformanceClient, correlationId?: string): Promise<boolean>;
/** A token endpoint's response obtained elsewhere (msal's ExternalTokenResponse). */
export interface ExternalTokenResponse {
  token_type?: string;
  scope?: string;
  expires_in?: number;
  ext_expires_in?: number;
  refresh_in?: number;
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  client_info?: string;
  foci?: string;
}
/** msal's loadExternalTokens: stores a token response obtained elsewhere (a server that redeemed the code: access, ID and refresh tokens) in the cache of `config`'s client, for its silent calls, and returns its result. */
export declare function loadExternalTokens(config: Configuration, request: SilentRequest, response: ExternalTokenResponse, options?: LoadTokenOptions): Promise<AuthenticationResult>;
export type LoadTokenOptions = { clientInfo?: string; expiresOn?: number; extendedExpiresOn?: number };
/** msal's check of a request for an MCP app (`auth.isMcp`): throws a ClientAuthError when the request names no `resource`, or names it in its extra parameters too. The rule runs in the wasm: call it once the module is loaded (after any initialize()). */
export declare function enforceResourceParameter(isMcp: boolean | undefined, request: { resource?: string; extraParameters?: StringDict; extraQueryParameters?: StringDict; correlationId?: string }): void;
/**
 * msal-browser's IPublicClientApplication: the client's methods that msal-react and
 * msal-angular use (and that stubbedPublicClientApplication has).
 */
export interface IPublicClientApplication extends Pick<PublicClientApplication,
  | "initialize" | "acquireTokenPopup" | "acquireTokenRedirect" | "acquireTokenSilent" | "acquireTokenByCode"
  | "addEventCallback" | "removeEventCallback" | "addPerformanceCallback" | "removePerformanceCallback"
  | "getAccount" | "getAllAccounts" | "handleRedirectPromise" | "loginPopup" | "loginRedirect" | "logoutRedirect"
  | "logoutPopup" | "ssoSilent" | "setLogger" | "setActiveAccount" | "getActiveAccount"
  | "initializeWrapperLibrary" | "setNavigationClient" | "hydrateCache" | "clearCache" | "loadDpopNonce"> {
  getLogger(): Logger;
  getConfiguration(): BrowserConfiguration;
}
type StubbedClient = Pick<PublicClientApplication, keyof IPublicClientApplication>;
/** msal's controller interface; here the client is its own controller. */
export type IController = IPublicClientApplication;

/** The stand-in msal-react uses before it is given a client: each call fails (or returns nothing). */
export declare const stubbedPublicClientApplication: StubbedClient;

export { broadcastResponseToMainFrame } from "./redirect-bridge.js";
