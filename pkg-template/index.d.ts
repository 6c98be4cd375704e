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

export declare const InteractionType: { readonly Redirect: "redirect"; readonly Popup: "popup"; readonly Silent: "silent"; readonly None: "none" };
export type InteractionType = (typeof InteractionType)[keyof typeof InteractionType];

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

export declare const LogLevel: {
  readonly Error: 0; readonly Warning: 1; readonly Info: 2; readonly Verbose: 3; readonly Trace: 4;
  readonly 0: "Error"; readonly 1: "Warning"; readonly 2: "Info"; readonly 3: "Verbose"; readonly 4: "Trace";
};
export type LogLevel = 0 | 1 | 2 | 3 | 4;

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
export declare const AzureCloudInstance: {
  readonly None: "none"; readonly AzurePublic: "https://login.microsoftonline.com"; readonly AzureChina: "https://login.chinacloudapi.cn";
  readonly AzureGermany: "https://login.microsoftonline.de"; readonly AzureUsGovernment: "https://login.microsoftonline.us";
};
export type AzureCloudInstance = (typeof AzureCloudInstance)[keyof typeof AzureCloudInstance];
export declare const OIDC_DEFAULT_SCOPES: readonly string[];
export declare const WrapperSKU: { readonly React: "@azure/msal-react"; readonly Angular: "@azure/msal-angular" };
export type WrapperSKU = (typeof WrapperSKU)[keyof typeof WrapperSKU];
export declare const ApiId: { readonly [name: string]: number };
export declare const DEFAULT_IFRAME_TIMEOUT_MS: number;
export declare const BrowserRootPerformanceEvents: { readonly [name: string]: string };

/** msal's error-code tables: each code under its camelCase name. */
export declare const AuthErrorCodes: { readonly [name: string]: string };
export declare const BrowserAuthErrorCodes: { readonly [name: string]: string };
export declare const BrowserConfigurationAuthErrorCodes: { readonly [name: string]: string };
export declare const ClientAuthErrorCodes: { readonly [name: string]: string };
export declare const ClientConfigurationErrorCodes: { readonly [name: string]: string };
export declare const InteractionRequiredAuthErrorCodes: { readonly [name: string]: string };

export type IdTokenClaims = { [claim: string]: unknown } & {
  aud?: string; iss?: string; iat?: number; nbf?: number; exp?: number; oid?: string; sub?: string; tid?: string;
  name?: string; preferred_username?: string; login_hint?: string; sid?: string; nonce?: string; emails?: string[];
};

export interface TenantProfile { tenantId: string; localAccountId: string; name?: string; isHomeTenant?: boolean; username?: string; loginHint?: string; upn?: string; sid?: string }

export interface AccountInfo {
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
}

export interface AccountFilter {
  homeAccountId?: string; localAccountId?: string; username?: string; environment?: string;
  name?: string; loginHint?: string; sid?: string; tenantId?: string; realm?: string; isHomeTenant?: boolean;
}

export interface AuthenticationResult {
  authority: string;
  uniqueId: string;
  tenantId: string;
  scopes: string[];
  account: AccountInfo;
  idToken: string;
  idTokenClaims: IdTokenClaims;
  accessToken: string;
  fromCache: boolean;
  expiresOn: Date;
  extExpiresOn: Date;
  refreshOn?: Date;
  tokenType: string;
  correlationId: string;
  state: string;
  familyId: string;
}

export type StringDict = { [key: string]: string };

interface BaseRequest {
  scopes?: string[];
  authority?: string;
  correlationId?: string;
  claims?: string;
  redirectUri?: string;
  extraQueryParameters?: StringDict;
}

export interface PopupWindowAttributes {
  popupSize?: { height: number; width: number };
  popupPosition?: { top: number; left: number };
}

/** Fields shared by popup and redirect requests. */
interface InteractiveRequest extends BaseRequest {
  scopes: string[];
  account?: AccountInfo;
  prompt?: PromptValue;
  loginHint?: string;
  sid?: string;
  domainHint?: string;
  state?: string;
  nonce?: string;
}

export interface PopupRequest extends InteractiveRequest {
  popupWindowAttributes?: PopupWindowAttributes;
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
}

export interface SsoSilentRequest extends BaseRequest {
  scopes?: string[];
  account?: AccountInfo;
  loginHint?: string;
  sid?: string;
  domainHint?: string;
  prompt?: "none" | "no_session";
  state?: string;
  nonce?: string;
}

export interface AuthorizationCodeRequest extends BaseRequest {
  scopes: string[];
  code: string;
  codeVerifier?: string;
}

export interface EndSessionRequest {
  account?: AccountInfo | null;
  mainWindowRedirectUri?: string;
  popupWindowAttributes?: PopupWindowAttributes;
  postLogoutRedirectUri?: string | null;
  state?: string;
  correlationId?: string;
  logoutHint?: string;
  idTokenHint?: string;
  extraQueryParameters?: StringDict;
  onRedirectNavigate?: (url: string) => boolean | void;
}

export interface NavigationOptions { apiId: number; timeout: number; noHistory: boolean }
export interface INavigationClient {
  navigateInternal(url: string, options: NavigationOptions): Promise<boolean>;
  navigateExternal(url: string, options: NavigationOptions): Promise<boolean>;
}
export declare class NavigationClient implements INavigationClient {
  navigateInternal(url: string, options: NavigationOptions): Promise<boolean>;
  navigateExternal(url: string, options: NavigationOptions): Promise<boolean>;
}

export type LoggerCallback = (level: LogLevel, message: string, containsPii: boolean) => void;
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

export interface Configuration {
  auth: {
    clientId: string;
    authority?: string;
    knownAuthorities?: string[];
    cloudDiscoveryMetadata?: string;
    authorityMetadata?: string;
    redirectUri?: string;
    postLogoutRedirectUri?: string | null;
    navigateToLoginRequestUrl?: boolean;
    onRedirectNavigate?: (url: string) => boolean | void;
    clientCapabilities?: string[];
    protocolMode?: "AAD" | "OIDC";
    OIDCOptions?: { defaultScopes?: string[]; responseMode?: "fragment" | "query" };
  };
  cache?: { cacheLocation?: "sessionStorage" | "localStorage" | "memoryStorage" };
  system?: {
    loggerOptions?: LoggerOptions;
    navigationClient?: INavigationClient;
    tokenRenewalOffsetSeconds?: number;
    popupBridgeTimeout?: number;
    iframeBridgeTimeout?: number;
    windowHashTimeout?: number;
    iframeHashTimeout?: number;
    protocolMode?: "AAD" | "OIDC";
    /** Where to fetch msal_wasm_bg.wasm from (default: next to the package's JS). */
    wasmUrl?: string | URL;
  };
}

export interface PopupEvent { popupWindow: Window }
export type EventPayload = AccountInfo | PopupRequest | RedirectRequest | SilentRequest | SsoSilentRequest | EndSessionRequest | AuthenticationResult | PopupEvent | null;
export interface EventMessage {
  eventType: EventType;
  interactionType: InteractionType | null;
  payload: EventPayload;
  error: AuthError | Error | null;
  correlationId: string;
  timestamp: number;
}
export type EventCallbackFunction = (message: EventMessage) => void;

export declare class EventMessageUtils {
  static getInteractionStatusFromEvent(message: EventMessage, currentStatus?: InteractionStatus): InteractionStatus | null;
}

export declare class EventHandler {
  constructor(logger?: Logger);
  addEventCallback(callback: EventCallbackFunction, eventTypes?: EventType[], callbackId?: string): string | null;
  removeEventCallback(callbackId: string): void;
  emitEvent(eventType: EventType, correlationId: string, interactionType?: InteractionType, payload?: EventPayload, error?: AuthError | Error | null): void;
}

/** A measurement reported to performance callbacks (msal's PerformanceEvent, the fields msal-wasm fills). */
export interface PerformanceEvent {
  eventId: string; name: string; correlationId: string; startTimeMs: number; durationMs?: number;
  status: number; success?: boolean; errorCode?: string; subErrorCode?: string;
  libraryName: string; libraryVersion: string; appName?: string; appVersion?: string;
}
export type PerformanceCallbackFunction = (events: PerformanceEvent[]) => void;

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
export declare class StubPerformanceClient {
  addPerformanceCallback(callback: PerformanceCallbackFunction): string;
  removePerformanceCallback(callbackId: string): boolean;
}

export declare const BrowserUtils: {
  createGuid(): string; isInIframe(): boolean; isInPopup(): boolean; getCurrentUri(): string; getHomepage(): string;
  clearHash(contentWindow?: Window): void; replaceHash(url: string): void; blockReloadInHiddenIframes(): void;
  blockAcquireTokenInPopups(): void; blockNonBrowserEnvironment(): void; blockRedirectInIframe(allowRedirectInIframe?: boolean): void;
  preconnect(authority: string): void;
};

export declare class AuthError extends Error {
  errorCode: string;
  errorMessage: string;
  subError: string;
  correlationId: string;
  constructor(errorCode?: string, errorMessage?: string, subError?: string);
  setCorrelationId(correlationId: string): void;
}
export declare class BrowserAuthError extends AuthError {}
export declare class BrowserConfigurationAuthError extends AuthError {}
export declare class ClientAuthError extends AuthError {}
export declare class ClientConfigurationError extends AuthError {}
export declare class ServerError extends AuthError {
  errorNo?: string;
  status?: number;
}
export declare class InteractionRequiredAuthError extends AuthError {
  timestamp: string;
  traceId: string;
  claims: string;
  errorNo?: string;
}

export interface HandleRedirectPromiseOptions { hash?: string; navigateToLoginRequestUrl?: boolean }
export interface ClearCacheRequest { account?: AccountInfo | null; correlationId?: string }

export declare class PublicClientApplication {
  constructor(configuration: Configuration);
  static createPublicClientApplication(configuration: Configuration): Promise<PublicClientApplication>;
  initialize(): Promise<void>;
  handleRedirectPromise(hashOrOptions?: string | HandleRedirectPromiseOptions): Promise<AuthenticationResult | null>;
  loginPopup(request?: PopupRequest): Promise<AuthenticationResult>;
  loginRedirect(request?: RedirectRequest): Promise<void>;
  acquireTokenSilent(request: SilentRequest): Promise<AuthenticationResult>;
  acquireTokenPopup(request: PopupRequest): Promise<AuthenticationResult>;
  acquireTokenRedirect(request: RedirectRequest): Promise<void>;
  ssoSilent(request: SsoSilentRequest): Promise<AuthenticationResult>;
  acquireTokenByCode(request: AuthorizationCodeRequest): Promise<AuthenticationResult>;
  logoutRedirect(request?: EndSessionRequest): Promise<void>;
  logout(request?: EndSessionRequest): Promise<void>;
  logoutPopup(request?: EndSessionRequest): Promise<void>;
  clearCache(request?: ClearCacheRequest): Promise<void>;
  hydrateCache(result: AuthenticationResult, request?: SilentRequest | SsoSilentRequest | RedirectRequest | PopupRequest): Promise<void>;
  getAllAccounts(filter?: AccountFilter): AccountInfo[];
  getAccount(filter: AccountFilter): AccountInfo | null;
  getAccountByHomeId(homeAccountId: string): AccountInfo | null;
  getAccountByLocalId(localAccountId: string): AccountInfo | null;
  getAccountByUsername(username: string): AccountInfo | null;
  getActiveAccount(): AccountInfo | null;
  setActiveAccount(account: AccountInfo | null): void;
  addEventCallback(callback: EventCallbackFunction, eventTypes?: EventType[], callbackId?: string): string | null;
  removeEventCallback(callbackId: string): void;
  addPerformanceCallback(callback: PerformanceCallbackFunction): string;
  removePerformanceCallback(callbackId: string): boolean;
  initializeWrapperLibrary(sku: WrapperSKU, version: string): void;
  getLogger(): Logger;
  setLogger(logger: Logger): void;
  setNavigationClient(navigationClient: INavigationClient): void;
  getConfiguration(): Configuration;
  enableAccountStorageEvents(): void;
  disableAccountStorageEvents(): void;
}

export declare function createStandardPublicClientApplication(configuration: Configuration): Promise<PublicClientApplication>;
export declare function createNestablePublicClientApplication(configuration: Configuration): Promise<PublicClientApplication>;
export declare function isPlatformBrokerAvailable(): Promise<boolean>;
export declare const stubbedPublicClientApplication: PublicClientApplication;

export { broadcastResponseToMainFrame } from "./redirect-bridge.js";
