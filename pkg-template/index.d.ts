// Types of msal-wasm's JavaScript API (msal-browser compatible names and shapes).

export declare const EventType: {
  readonly INITIALIZE_START: "msal:initializeStart";
  readonly INITIALIZE_END: "msal:initializeEnd";
  readonly ACCOUNT_ADDED: "msal:accountAdded";
  readonly ACCOUNT_REMOVED: "msal:accountRemoved";
  readonly ACTIVE_ACCOUNT_CHANGED: "msal:activeAccountChanged";
  readonly LOGIN_START: "msal:loginStart";
  readonly LOGIN_SUCCESS: "msal:loginSuccess";
  readonly LOGIN_FAILURE: "msal:loginFailure";
  readonly ACQUIRE_TOKEN_START: "msal:acquireTokenStart";
  readonly ACQUIRE_TOKEN_SUCCESS: "msal:acquireTokenSuccess";
  readonly ACQUIRE_TOKEN_FAILURE: "msal:acquireTokenFailure";
  readonly ACQUIRE_TOKEN_NETWORK_START: "msal:acquireTokenFromNetworkStart";
  readonly SSO_SILENT_START: "msal:ssoSilentStart";
  readonly SSO_SILENT_SUCCESS: "msal:ssoSilentSuccess";
  readonly SSO_SILENT_FAILURE: "msal:ssoSilentFailure";
  readonly ACQUIRE_TOKEN_BY_CODE_START: "msal:acquireTokenByCodeStart";
  readonly ACQUIRE_TOKEN_BY_CODE_SUCCESS: "msal:acquireTokenByCodeSuccess";
  readonly ACQUIRE_TOKEN_BY_CODE_FAILURE: "msal:acquireTokenByCodeFailure";
  readonly HANDLE_REDIRECT_START: "msal:handleRedirectStart";
  readonly HANDLE_REDIRECT_END: "msal:handleRedirectEnd";
  readonly POPUP_OPENED: "msal:popupOpened";
  readonly LOGOUT_START: "msal:logoutStart";
  readonly LOGOUT_SUCCESS: "msal:logoutSuccess";
  readonly LOGOUT_FAILURE: "msal:logoutFailure";
  readonly LOGOUT_END: "msal:logoutEnd";
};
export type EventType = (typeof EventType)[keyof typeof EventType];

export declare const InteractionType: { readonly Redirect: "redirect"; readonly Popup: "popup"; readonly Silent: "silent"; readonly None: "none" };
export type InteractionType = (typeof InteractionType)[keyof typeof InteractionType];

export declare const InteractionStatus: {
  readonly Startup: "startup"; readonly Login: "login"; readonly Logout: "logout"; readonly AcquireToken: "acquireToken";
  readonly SsoSilent: "ssoSilent"; readonly HandleRedirect: "handleRedirect"; readonly None: "none";
};
export type InteractionStatus = (typeof InteractionStatus)[keyof typeof InteractionStatus];

export declare const CacheLookupPolicy: {
  readonly Default: 0; readonly AccessToken: 1; readonly AccessTokenAndRefreshToken: 2;
  readonly RefreshToken: 3; readonly RefreshTokenAndNetwork: 4; readonly Skip: 5;
};
export type CacheLookupPolicy = (typeof CacheLookupPolicy)[keyof typeof CacheLookupPolicy];

export declare const LogLevel: { readonly Error: 0; readonly Warning: 1; readonly Info: 2; readonly Verbose: 3; readonly Trace: 4 };
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export type IdTokenClaims = { [claim: string]: unknown } & {
  aud?: string; iss?: string; iat?: number; nbf?: number; exp?: number; oid?: string; sub?: string; tid?: string;
  name?: string; preferred_username?: string; login_hint?: string; sid?: string; nonce?: string; emails?: string[];
};

export interface TenantProfile { tenantId: string; localAccountId: string; name: string; isHomeTenant: boolean }

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
  name?: string; loginHint?: string; sid?: string; tenantId?: string;
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

export type PromptValue = "login" | "select_account" | "consent" | "none" | "create" | "no_session";
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
export interface LoggerOptions { loggerCallback?: LoggerCallback; piiLoggingEnabled?: boolean; logLevel?: LogLevel }
export interface Logger {
  error(message: string): void; warning(message: string): void; info(message: string): void;
  verbose(message: string): void; trace(message: string): void; isPiiLoggingEnabled(): boolean;
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

export interface EventMessage {
  eventType: EventType;
  interactionType: InteractionType | null;
  payload: AuthenticationResult | PopupRequest | RedirectRequest | SilentRequest | EndSessionRequest | null;
  error: AuthError | null;
  timestamp: number;
}
export type EventCallbackFunction = (message: EventMessage) => void;

export declare const EventMessageUtils: {
  getInteractionStatusFromEvent(message: EventMessage, currentStatus?: InteractionStatus): InteractionStatus | null;
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

export declare class PublicClientApplication {
  constructor(configuration: Configuration);
  static createPublicClientApplication(configuration: Configuration): Promise<PublicClientApplication>;
  initialize(): Promise<void>;
  handleRedirectPromise(hash?: string): Promise<AuthenticationResult | null>;
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
  clearCache(): Promise<void>;
  getAllAccounts(filter?: AccountFilter): AccountInfo[];
  getAccount(filter: AccountFilter): AccountInfo | null;
  getAccountByHomeId(homeAccountId: string): AccountInfo | null;
  getAccountByLocalId(localAccountId: string): AccountInfo | null;
  getAccountByUsername(username: string): AccountInfo | null;
  getActiveAccount(): AccountInfo | null;
  setActiveAccount(account: AccountInfo | null): void;
  addEventCallback(callback: EventCallbackFunction, eventTypes?: EventType[]): string | null;
  removeEventCallback(callbackId: string): void;
  getLogger(): Logger;
  setLogger(logger: Logger): void;
  setNavigationClient(navigationClient: INavigationClient): void;
  getConfiguration(): Configuration;
  enableAccountStorageEvents(): void;
  disableAccountStorageEvents(): void;
}

export { broadcastResponseToMainFrame } from "./redirect-bridge.js";
