// msal-wasm: msal-browser's API over a WebAssembly engine.
// This facade only adapts: it loads the wasm module, converts msal-browser's
// objects to and from the engine's JSON, raises msal's error classes, dispatches msal's events
// and performance measurements, and holds the Logger and NavigationClient objects. Every flow
// and every rule is in Rust.

import init, { WasmClient, enforceResourceParameter as checkResource } from "./msal_wasm.js";
import {
  AuthError, BrowserAuthError, BrowserConfigurationAuthError, ClientAuthError, ClientConfigurationError, ServerError, InteractionRequiredAuthError,
} from "./errors.js";
import { parseAuthResponseFromUrl, clearAuthResponseFromUrl, answerWaitingPage, keepRedirectResponse } from "./redirect-bridge.js";

export {
  AuthError, BrowserAuthError, BrowserConfigurationAuthError, ClientAuthError, ClientConfigurationError, ServerError, InteractionRequiredAuthError,
};

// ---- constants (msal-browser v5's names and values) ----
export const version = "{{VERSION}}";

export const EventType = Object.freeze({
  INITIALIZE_START: "msal:initializeStart",
  INITIALIZE_END: "msal:initializeEnd",
  ACTIVE_ACCOUNT_CHANGED: "msal:activeAccountChanged",
  LOGIN_SUCCESS: "msal:loginSuccess",
  ACQUIRE_TOKEN_START: "msal:acquireTokenStart",
  BROKERED_REQUEST_START: "msal:brokeredRequestStart",
  ACQUIRE_TOKEN_SUCCESS: "msal:acquireTokenSuccess",
  BROKERED_REQUEST_SUCCESS: "msal:brokeredRequestSuccess",
  ACQUIRE_TOKEN_FAILURE: "msal:acquireTokenFailure",
  BROKERED_REQUEST_FAILURE: "msal:brokeredRequestFailure",
  ACQUIRE_TOKEN_NETWORK_START: "msal:acquireTokenFromNetworkStart",
  HANDLE_REDIRECT_START: "msal:handleRedirectStart",
  HANDLE_REDIRECT_END: "msal:handleRedirectEnd",
  POPUP_OPENED: "msal:popupOpened",
  LOGOUT_START: "msal:logoutStart",
  LOGOUT_SUCCESS: "msal:logoutSuccess",
  LOGOUT_FAILURE: "msal:logoutFailure",
  LOGOUT_END: "msal:logoutEnd",
  RESTORE_FROM_BFCACHE: "msal:restoreFromBFCache",
  BROKER_CONNECTION_ESTABLISHED: "msal:brokerConnectionEstablished",
  // Beyond v5 (as in v3/v4): another tab of the app signed an account in or out.
  ACCOUNT_ADDED: "msal:accountAdded",
  ACCOUNT_REMOVED: "msal:accountRemoved",
});

export const InteractionType = Object.freeze({ Redirect: "redirect", Popup: "popup", Silent: "silent", None: "none" });

export const InteractionStatus = Object.freeze({
  Startup: "startup",
  Logout: "logout",
  AcquireToken: "acquireToken",
  HandleRedirect: "handleRedirect",
  None: "none",
});

export const CacheLookupPolicy = Object.freeze({
  Default: 0, AccessToken: 1, AccessTokenAndRefreshToken: 2, RefreshToken: 3, RefreshTokenAndNetwork: 4, Skip: 5,
});

export const LogLevel = Object.freeze({
  Error: 0, Warning: 1, Info: 2, Verbose: 3, Trace: 4, 0: "Error", 1: "Warning", 2: "Info", 3: "Verbose", 4: "Trace",
});
export const BrowserCacheLocation = Object.freeze({ LocalStorage: "localStorage", SessionStorage: "sessionStorage", MemoryStorage: "memoryStorage" });
export const PromptValue = Object.freeze({ LOGIN: "login", SELECT_ACCOUNT: "select_account", CONSENT: "consent", NONE: "none", CREATE: "create", NO_SESSION: "no_session" });
export const ProtocolMode = Object.freeze({ AAD: "AAD", OIDC: "OIDC", EAR: "EAR" });
export const ResponseMode = Object.freeze({ QUERY: "query", FRAGMENT: "fragment", FORM_POST: "form_post" });
export const AuthenticationScheme = Object.freeze({ BEARER: "Bearer", POP: "pop", DPOP: "DPoP", SSH: "ssh-cert" });
export const JsonWebTokenTypes = Object.freeze({ Jwt: "JWT", Jwk: "JWK", Pop: "pop", Dpop: "dpop+jwt" });
export const AzureCloudInstance = Object.freeze({
  None: "none",
  AzurePublic: "https://login.microsoftonline.com",
  AzureChina: "https://login.chinacloudapi.cn",
  AzureGermany: "https://login.microsoftonline.de",
  AzureUsGovernment: "https://login.microsoftonline.us",
});
export const OIDC_DEFAULT_SCOPES = Object.freeze(["openid", "profile", "offline_access"]);
export const WrapperSKU = Object.freeze({ React: "@azure/msal-react", Angular: "@azure/msal-angular" });
export const ApiId = Object.freeze({
  acquireTokenRedirect: 861, acquireTokenPopup: 862, ssoSilent: 863, acquireTokenSilent_authCode: 864,
  handleRedirectPromise: 865, acquireTokenByCode: 866, acquireTokenSilent_silentFlow: 61, logout: 961,
  logoutPopup: 962, hydrateCache: 963, loadExternalTokens: 964,
});
export const DEFAULT_IFRAME_TIMEOUT_MS = 10000;
export const BrowserRootPerformanceEvents = Object.freeze({
  AcquireTokenByCode: "acquireTokenByCode", AcquireTokenPopup: "acquireTokenPopup", AcquireTokenPreRedirect: "acquireTokenPreRedirect",
  AcquireTokenRedirect: "acquireTokenRedirect", AcquireTokenSilent: "acquireTokenSilent", InitializeClientApplication: "initializeClientApplication",
  LoadExternalTokens: "loadExternalTokens", LocalStorageUpdated: "localStorageUpdated", SsoCapable: "ssoCapable", SsoSilent: "ssoSilent",
  WaitForBridgeLateResponse: "waitForBridgeLateResponse",
});

// msal's helper that UI libraries (msal-react, msal-angular) use to track the interaction
// status from events: the new status, or null when the event changes nothing (v5's rules).
export class EventMessageUtils {
  static getInteractionStatusFromEvent(message, currentStatus) {
    const interactive = message.interactionType === InteractionType.Redirect || message.interactionType === InteractionType.Popup;
    const endsOnly = (status) => (currentStatus && currentStatus !== status ? null : InteractionStatus.None);
    switch (message.eventType) {
      case EventType.ACQUIRE_TOKEN_START:
        return interactive ? InteractionStatus.AcquireToken : null;
      case EventType.HANDLE_REDIRECT_START:
        return InteractionStatus.HandleRedirect;
      case EventType.LOGOUT_START:
        return InteractionStatus.Logout;
      case EventType.LOGOUT_END:
        return endsOnly(InteractionStatus.Logout);
      case EventType.HANDLE_REDIRECT_END:
        return endsOnly(InteractionStatus.HandleRedirect);
      case EventType.ACQUIRE_TOKEN_SUCCESS:
      case EventType.ACQUIRE_TOKEN_FAILURE:
      case EventType.RESTORE_FROM_BFCACHE:
        return interactive ? endsOnly(InteractionStatus.AcquireToken) : null;
      default:
        return null;
    }
  }
}

// ---- errors: real Error subclasses, so instanceof and stacks work ----
const camel = (code) => code.replace(/_([a-zA-Z])/g, (_, c) => c.toUpperCase());
// A code table: each code under its camelCase name, or under the name given as [name, code].
const codeTable = (list) => Object.freeze(Object.fromEntries(list.map((c) => (Array.isArray(c) ? c : [camel(c), c]))));

export const AuthErrorCodes = codeTable(["post_request_failed", "unexpected_error"]);
export const BrowserAuthErrorCodes = codeTable([
  "asymmetric_ear_key_error", ["authCodeOrNativeAccountIdRequired", "auth_code_or_nativeAccountId_required"], "auth_code_required", "auth_request_not_set_error",
  "block_iframe_reload", "block_nested_popups", "crypto_key_not_found", ["cryptoNonExistent", "crypto_nonexistent"], "database_not_open",
  "database_unavailable", "ear_jwe_empty", "ear_jwk_empty", "empty_navigate_uri", "empty_response", "empty_window_error",
  "failed_to_build_headers", "failed_to_decrypt_ear_response", "failed_to_parse_headers", "failed_to_parse_response", "get_request_failed",
  "hash_does_not_contain_known_properties", "hash_empty_error", "iframe_closed_prematurely", "interaction_in_progress",
  "interaction_in_progress_cancelled", "invalid_base64_string", "invalid_cache_type", "invalid_pop_token_request", "invalid_public_jwk",
  "native_connection_not_established", "native_extension_not_installed", "native_handshake_timeout", "native_prompt_not_supported",
  "no_account_error", "no_network_connectivity", "no_state_in_hash", "no_token_request_cache_error", "non_browser_environment",
  "pkce_not_created", "popup_relay_unsupported_flow", "popup_window_error", "post_request_failed", "redirect_bridge_empty_response",
  "redirect_in_iframe", "silent_logout_unsupported", "silent_prompt_value_error", ["spaCodeAndNativeAccountIdPresent", "spa_code_and_nativeAccountId_present"],
  "state_interaction_type_mismatch", "timed_out", "token_binding_key_algorithm_mismatch", "token_binding_key_jwk_thumbprint_mismatch",
  "unable_to_acquire_token_from_native_platform", "unable_to_load_token", "unable_to_parse_state", "unable_to_parse_token_request_cache_error",
  "uninitialized_public_client_application", "unsupported_token_binding_algorithm", "user_cancelled",
]);
export const BrowserConfigurationAuthErrorCodes = codeTable([
  ["inMemRedirectUnavailable", "in_mem_redirect_unavailable"], "storage_not_supported", "stubbed_public_client_application_called",
]);
export const ClientAuthErrorCodes = codeTable([
  "authorization_code_missing_from_server_response", "binding_key_not_removed", ["cannotAppendScopeSet", "cannot_append_scopeset"],
  "cannot_remove_empty_scope", "client_info_decoding_error", "client_info_empty_error", "dpop_token_type_mismatch",
  ["emptyInputScopeSet", "empty_input_scopeset"], "end_session_endpoint_not_supported", ["endpointResolutionError", "endpoints_resolution_error"],
  "hash_not_deserialized", "invalid_cache_environment", "invalid_cache_record", "invalid_state", "key_id_missing", "method_not_implemented",
  ["misplacedResourceParam", "misplaced_resource_parameter"], ["multipleMatchingAppMetadata", "multiple_matching_appMetadata"],
  "multiple_matching_tokens", "nested_app_auth_bridge_disabled", "network_error", "no_account_found", "no_account_in_silent_request",
  "no_crypto_object", "no_network_connectivity", "nonce_mismatch", "null_or_empty_token", ["openIdConfigError", "openid_config_error"],
  "platform_broker_error", "request_cannot_be_made", "resource_parameter_required", "state_mismatch", "state_not_found",
  ["tokenClaimsCnfRequiredForSignedJwt", "token_claims_cnf_required_for_signedjwt"], "token_parsing_error", "token_refresh_required",
  "unexpected_credential_type", "user_canceled",
]);
export const ClientConfigurationErrorCodes = codeTable([
  "authority_mismatch", "authority_uri_insecure", "cannot_allow_platform_broker", ["cannotSetOIDCOptions", "cannot_set_OIDCOptions"],
  "claims_request_parsing_error", "dpop_missing_resource_context", "empty_input_scopes_error", "invalid_authentication_header",
  "invalid_authority_metadata", "invalid_claims", "invalid_cloud_discovery_metadata", "invalid_code_challenge_method", "invalid_dpop_htm",
  "invalid_dpop_htu", "invalid_dpop_nonce", "invalid_platform_broker_configuration", ["invalidRequestMethodForEAR", "invalid_request_method_for_EAR"],
  "invalid_response_mode", "issuer_validation_failed", "logout_request_empty", "missing_nonce_authentication_header", "missing_ssh_jwk",
  "missing_ssh_kid", "pkce_params_missing", "redirect_uri_empty", "token_request_empty", "unsupported_authentication_scheme",
  "untrusted_authority", ["urlEmptyError", "empty_url_error"], "url_parse_error",
]);
export const InteractionRequiredAuthErrorCodes = codeTable([
  "bad_token", "consent_required", "interaction_required", "interrupted_user", "login_required", "native_account_unavailable",
  "no_tokens_found", "refresh_token_expired", "ui_not_allowed",
]);

// An error of class `Cls` with msal-wasm's own description of what happened.
function described(Cls, code, message, correlationId, subError) {
  const e = new Cls(code, correlationId || "");
  if (message) {
    e.errorMessage = message;
    e.message = `${code}: ${message}`;
  }
  if (subError) e.subError = subError;
  return e;
}

const ERROR_CLASSES = {
  AuthError, BrowserAuthError, BrowserConfigurationAuthError, ClientAuthError, ClientConfigurationError, ServerError, InteractionRequiredAuthError,
};

function toError(raw) {
  if (raw instanceof AuthError) return raw;
  let o = null;
  if (typeof raw === "string") {
    try { o = JSON.parse(raw); } catch (_) { o = null; }
  }
  if (!o || typeof o.errorCode !== "string") return described(AuthError, "unexpected_error", raw && raw.message ? raw.message : String(raw));
  const e = described(ERROR_CLASSES[o.name] || AuthError, o.errorCode, o.errorMessage, o.correlationId, o.subError);
  if (o.traceId) e.traceId = o.traceId;
  if (o.timestamp) e.timestamp = o.timestamp;
  if (o.errorNo) e.errorNo = o.errorNo;
  if (o.claims) e.claims = o.claims;
  if (o.status !== undefined) e.status = o.status;
  return e;
}

// What a redirect's or sign-out's navigation threw (the app's NavigationClient, or the default
// one's timeout), as msal rethrows it: the value itself (a string too), an AuthError stamped
// with the call's correlation id.
function rethrown(raw, correlationId) {
  if (raw instanceof AuthError) raw.correlationId = correlationId;
  return raw;
}

// ---- Logger (msal's: levels, PII filtering, clone for wrapper libraries) ----
// A Logger's callback when the app gives none (see initialize()'s failure).
const noLog = () => {};

export class Logger {
  constructor(loggerOptions, packageName, packageVersion) {
    const o = loggerOptions || {};
    this.level = typeof o.logLevel === "number" ? o.logLevel : LogLevel.Info;
    this.piiLoggingEnabled = !!o.piiLoggingEnabled;
    this.localCallback = typeof o.loggerCallback === "function" ? o.loggerCallback : noLog;
    this.packageName = packageName || "";
    this.packageVersion = packageVersion || "";
  }
  clone(packageName, packageVersion) {
    return new Logger({ loggerCallback: this.localCallback, piiLoggingEnabled: this.piiLoggingEnabled, logLevel: this.level }, packageName, packageVersion);
  }
  logMessage(message, options) {
    if (options.logLevel > this.level || (!this.piiLoggingEnabled && options.containsPii)) return;
    const line = `[${new Date().toUTCString()}] : [${options.correlationId || ""}] : ${this.packageName}@${this.packageVersion} : ${LogLevel[options.logLevel]} - ${message}`;
    this.executeCallback(options.logLevel, line, !!options.containsPii);
  }
  executeCallback(level, message, containsPii) {
    try { this.localCallback(level, message, containsPii); } catch (_) { /* a broken logger must not break auth */ }
  }
  error(m, c) { this.logMessage(m, { logLevel: LogLevel.Error, containsPii: false, correlationId: c }); }
  errorPii(m, c) { this.logMessage(m, { logLevel: LogLevel.Error, containsPii: true, correlationId: c }); }
  warning(m, c) { this.logMessage(m, { logLevel: LogLevel.Warning, containsPii: false, correlationId: c }); }
  warningPii(m, c) { this.logMessage(m, { logLevel: LogLevel.Warning, containsPii: true, correlationId: c }); }
  info(m, c) { this.logMessage(m, { logLevel: LogLevel.Info, containsPii: false, correlationId: c }); }
  infoPii(m, c) { this.logMessage(m, { logLevel: LogLevel.Info, containsPii: true, correlationId: c }); }
  verbose(m, c) { this.logMessage(m, { logLevel: LogLevel.Verbose, containsPii: false, correlationId: c }); }
  verbosePii(m, c) { this.logMessage(m, { logLevel: LogLevel.Verbose, containsPii: true, correlationId: c }); }
  trace(m, c) { this.logMessage(m, { logLevel: LogLevel.Trace, containsPii: false, correlationId: c }); }
  tracePii(m, c) { this.logMessage(m, { logLevel: LogLevel.Trace, containsPii: true, correlationId: c }); }
  isPiiLoggingEnabled() { return this.piiLoggingEnabled; }
}

// msal's test for a browser (none: server-side rendering, Node).
const inBrowser = () => typeof window !== "undefined";
const uninitialized = () => described(BrowserAuthError, "uninitialized_public_client_application", "call and await initialize() before using the client");

// ---- browser helpers msal exports (the ones apps and wrapper libraries call) ----
// Version-4 GUIDs (correlation ids) from a pool of random bytes refilled 64 GUIDs at a time:
// one crypto call per 64 ids instead of one per id (crypto.randomUUID costs a cache hit ~2 µs).
const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? "0" : "") + i.toString(16));
const guidPool = new Uint8Array(16 * 64);
let guidAt = guidPool.length;
function createGuid() {
  // (No global crypto: a server on Node 18. msal's correlation ids outside a browser are "".)
  if (typeof crypto === "undefined") return "";
  if (guidAt === guidPool.length) {
    crypto.getRandomValues(guidPool);
    guidAt = 0;
  }
  const b = guidPool, i = guidAt;
  guidAt += 16;
  const h = (k) => HEX[b[i + k]];
  return h(0) + h(1) + h(2) + h(3) + "-" + h(4) + h(5) + "-" + HEX[(b[i + 6] & 0x0f) | 0x40] + h(7) + "-"
    + HEX[(b[i + 8] & 0x3f) | 0x80] + h(9) + "-" + h(10) + h(11) + h(12) + h(13) + h(14) + h(15);
}
const isInIframe = () => { try { return window.parent !== window; } catch (_) { return true; } };
// JSON in base64url (msal's state, a JWT's part); throws when it is not.
const base64UrlJson = (text) => JSON.parse(atob(text.replace(/-/g, "+").replace(/_/g, "/")));
// msal 5's test: a page (not a frame) whose address holds the response to a popup sign-in (its
// state says so), whether or not the popup still has its opener (COOP may have cut it).
const isInPopup = () => {
  if (!inBrowser() || isInIframe()) return false;
  let state = null;
  for (const part of [window.location.hash, window.location.search]) {
    state = new URLSearchParams(part.replace(/^[#?]\/?/, "")).get("state") || state;
  }
  try {
    const lib = base64UrlJson(state.split("|")[0]);
    return lib.meta.interactionType === "popup";
  } catch (_) {
    return false;
  }
};
// A compact JWT's payload ({} when it has none that parses).
const jwtPayload = (jwt) => {
  try { return base64UrlJson(jwt.split(".")[1]) || {}; } catch (_) { return {}; }
};
// msal's getDeserializedResponse, for its synchronous BrowserUtils (which apps and msal-angular's
// guard call before the wasm may have loaded; the client's own rule is its Rust twin,
// AuthorizeResponse::looks_like_response): flat parameters after "#/", "#" or "?", not an app
// route (`#/orders?state=open`), with a response's name.
const hasResponse = (s) => {
  const flat = String(s || "").replace(/^#\/|^[#?]/, "");
  if (!/^[^=&?#/]+(?:=|&|$)/.test(flat) || flat.indexOf("=") < 0) return false;
  const p = new URLSearchParams(flat);
  return ["code", "ear_jwe", "error", "error_description", "state"].some((k) => p.get(k));
};
export const BrowserUtils = Object.freeze({
  createGuid,
  parseAuthResponseFromUrl,
  clearAuthResponseFromUrl: (contentWindow) => clearAuthResponseFromUrl(contentWindow),
  isInIframe,
  isInPopup,
  getCurrentUri: () => (inBrowser() ? window.location.href.split("?")[0].split("#")[0] : ""),
  getHomepage: () => `${window.location.origin}/`,
  clearHash(contentWindow) {
    const w = contentWindow || window;
    if (!hasResponse(w.location.hash)) return;
    w.location.hash = ""; // (as msal: Office.js nulls replaceState)
    if (typeof w.history.replaceState == "function") w.history.replaceState(null, "", `${w.location.origin}${w.location.pathname}${w.location.search}`);
  },
  replaceHash(url) { window.location.hash = url.split("#").slice(1).join("#"); },
  blockReloadInHiddenIframes() {
    if (isInIframe() && hasResponse(window.location.hash)) throw described(BrowserAuthError, "block_iframe_reload", "a hidden frame with a response must not load the app");
  },
  blockAcquireTokenInPopups() {
    if (isInPopup()) throw described(BrowserAuthError, "block_nested_popups", "tokens are not acquired inside an msal popup");
  },
  blockNonBrowserEnvironment() {
    if (!inBrowser()) throw described(BrowserAuthError, "non_browser_environment", "not running in a browser");
  },
  blockRedirectInIframe(allowRedirectInIframe) {
    if (isInIframe() && !allowRedirectInIframe) throw described(BrowserAuthError, "redirect_in_iframe", "redirects are not supported in an iframe");
  },
  preconnect(authority) {
    try {
      const link = document.createElement("link");
      link.rel = "preconnect";
      link.href = new URL(authority).origin;
      link.crossOrigin = "anonymous";
      document.head.appendChild(link);
      setTimeout(() => link.remove(), 10000);
    } catch (_) { /* best effort */ }
  },
});

// msal's event dispatcher: callbacks by id, optionally filtered by event type. As msal 5, a
// sign-in, a sign-out and an active-account change also go to the origin's other tabs and
// instances (msal-browser's too), which hear them once subscribed (a localStorage cache). An
// active-account change is not taken from the channel here: the wasm hears it there too and
// tells it once the storage shows it (another tab's also comes as a storage event; another
// client's of this page, msal-browser's included, only so), when getActiveAccount() returns
// the new one.
export class EventHandler {
  constructor(logger) {
    this.eventCallbacks = new Map();
    this.logger = logger || new Logger({}, "msal-wasm", version);
    this.channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("msal.broadcast.event") : null;
    if (this.channel && this.channel.unref) this.channel.unref(); // Node: let the process end
    // (As msal's, the channel's listener keeps the handler, and its callbacks, for the page's
    // life: a localStorage client whose callback holds it hears other tabs even if the app
    // kept no other reference to it.)
    this.invokeCrossTabCallbacks = (e) => {
      if (e.data && e.data.eventType !== EventType.ACTIVE_ACCOUNT_CHANGED) this.invokeCallbacks(e.data);
    };
  }
  subscribeCrossTab() { if (this.channel) this.channel.addEventListener("message", this.invokeCrossTabCallbacks); }
  unsubscribeCrossTab() { if (this.channel) this.channel.removeEventListener("message", this.invokeCrossTabCallbacks); }
  addEventCallback(callback, eventTypes, callbackId) {
    if (!inBrowser()) return null; // as msal: no events outside a browser
    const id = callbackId || createGuid();
    if (this.eventCallbacks.has(id)) {
      this.logger.error(`Event callback with id: '${id}' is already registered`, "");
      return null;
    }
    this.eventCallbacks.set(id, [callback, eventTypes || []]);
    return id;
  }
  removeEventCallback(callbackId) { this.eventCallbacks.delete(callbackId); }
  // (`local`: news of another tab's change, for this instance's callbacks only.)
  emitEvent(eventType, correlationId, interactionType, payload, error, local) {
    const shared = !local && this.channel && (eventType === EventType.LOGIN_SUCCESS || eventType === EventType.LOGOUT_SUCCESS || eventType === EventType.ACTIVE_ACCOUNT_CHANGED);
    if (this.eventCallbacks.size === 0 && !shared) return;
    const message = { eventType, interactionType: interactionType || null, payload: payload || null, error: error || null, correlationId: correlationId || "", timestamp: Date.now() };
    if (shared) {
      // Without what cannot cross (a request's onRedirectNavigate, its popupWindowParent).
      const crossing = payload && Object.fromEntries(Object.entries(payload).filter(([, v]) => typeof v !== "function" && !(v && v.window === v)));
      try { this.channel.postMessage({ ...message, payload: crossing || null }); } catch (e) { this.logger.warning(`event not shared with other tabs: ${e && e.name}`, correlationId); }
    }
    this.invokeCallbacks(message);
  }
  invokeCallbacks(message) {
    for (const [callback, eventTypes] of this.eventCallbacks.values()) {
      if (eventTypes.length && !eventTypes.includes(message.eventType)) continue;
      try { callback(message); } catch (e) { this.logger.error(`event callback threw: ${e}`, message.correlationId); }
    }
  }
}

// msal's storage classes (IWindowStorage): a Map, or a Web Storage area.
export class MemoryStorage {
  constructor() { this.cache = new Map(); }
  async initialize() {}
  getItem(key) { return this.cache.has(key) ? this.cache.get(key) : null; }
  getUserData(key) { return this.getItem(key); }
  setItem(key, value) { this.cache.set(key, value); }
  async setUserData(key, value) { this.setItem(key, value); }
  removeItem(key) { this.cache.delete(key); }
  getKeys() { return Array.from(this.cache.keys()); }
  containsKey(key) { return this.cache.has(key); }
  clear() { this.cache.clear(); }
}
class WebStorage {
  constructor(area) { this.area = area; }
  async initialize() {}
  getItem(key) { return window[this.area].getItem(key); }
  getUserData(key) { return this.getItem(key); }
  setItem(key, value) { window[this.area].setItem(key, value); }
  async setUserData(key, value) { this.setItem(key, value); }
  removeItem(key) { window[this.area].removeItem(key); }
  getKeys() { return Object.keys(window[this.area]); }
  containsKey(key) { return window[this.area].getItem(key) !== null; }
}
export class LocalStorage extends WebStorage {
  constructor() { super("localStorage"); }
}
export class SessionStorage extends WebStorage {
  constructor() { super("sessionStorage"); }
}

// msal's browser measurement: performance marks and a measure per call.
export class BrowserPerformanceMeasurement {
  constructor(name, correlationId) {
    this.correlationId = correlationId;
    this.measureName = BrowserPerformanceMeasurement.makeMeasureName(name, correlationId);
    this.startMark = BrowserPerformanceMeasurement.makeStartMark(name, correlationId);
    this.endMark = BrowserPerformanceMeasurement.makeEndMark(name, correlationId);
  }
  static makeMeasureName(name, correlationId) { return `msal.measure.${name}.${correlationId}`; }
  static makeStartMark(name, correlationId) { return `msal.start.${name}.${correlationId}`; }
  static makeEndMark(name, correlationId) { return `msal.end.${name}.${correlationId}`; }
  static supportsBrowserPerformance() {
    const p = inBrowser() && window.performance;
    return !!p && ["mark", "measure", "clearMarks", "clearMeasures", "getEntriesByName"].every((f) => typeof p[f] === "function");
  }
  static flushMeasurements(correlationId, measurements) {
    for (const m of measurements || []) new BrowserPerformanceMeasurement(m.name, correlationId).flushMeasurement();
  }
  startMeasurement() { this.perf(() => performance.mark(this.startMark)); }
  endMeasurement() { this.perf(() => { performance.mark(this.endMark); performance.measure(this.measureName, this.startMark, this.endMark); }); }
  flushMeasurement() {
    return this.perf(() => {
      const [entry] = performance.getEntriesByName(this.measureName, "measure");
      if (!entry) return null;
      performance.clearMeasures(this.measureName);
      performance.clearMarks(this.startMark);
      performance.clearMarks(this.endMark);
      return entry.duration;
    });
  }
  perf(f) {
    if (!BrowserPerformanceMeasurement.supportsBrowserPerformance()) return null;
    try { return f(); } catch (_) { return null; }
  }
}

// msal's performance client: one root event per correlation id, which measurements started
// while it runs add to (as `ext.<name>DurationMs`), sent to the callbacks when it ends. The
// default client of PublicClientApplication when the app registers a performance callback.
export class BrowserPerformanceClient {
  constructor(configuration, intFields) {
    const c = configuration || {};
    const app = (c.telemetry && c.telemetry.application) || {};
    this.base = {
      authority: (c.auth && c.auth.authority) || "https://login.microsoftonline.com/common/", libraryName: "msal-wasm", libraryVersion: version,
      clientId: (c.auth && c.auth.clientId) || "", appName: app.appName || "", appVersion: app.appVersion || "",
    };
    this.intFields = intFields || [];
    this.callbacks = new Map();
    this.roots = new Map();
    this.globalFields = {};
    this.logger = new Logger((c.system && c.system.loggerOptions) || {}, "msal-wasm", version);
  }
  generateId() { return createGuid(); }
  startMeasurement(name, correlationId) {
    const cid = correlationId || this.generateId();
    const page = () => (typeof document !== "undefined" && document.visibilityState) || null;
    const start = performance.now();
    const event = { eventId: this.generateId(), status: 1, ...this.base, name, startTimeMs: Date.now(), correlationId: cid };
    if (!this.roots.has(cid)) this.roots.set(cid, { ...event });
    const first = { startPageVisibility: page(), startOnlineStatus: typeof navigator !== "undefined" ? navigator.onLine : null };
    return {
      event,
      add: (fields) => this.addFields(fields, cid),
      increment: (fields) => this.incrementFields(fields, cid),
      discard: () => this.discardMeasurements(cid),
      end: (fields, error, account) => {
        const net = (typeof navigator !== "undefined" && navigator.connection) || {};
        return this.endMeasurement({
          ...event, ...fields, ...first, endPageVisibility: page(), durationMs: performance.now() - start, networkEffectiveType: net.effectiveType, networkRtt: net.rtt,
        }, error, account);
      },
    };
  }
  endMeasurement(event, error, account) {
    const root = this.roots.get(event.correlationId);
    if (!root) return null;
    event.durationMs = Math.round(event.durationMs || Date.now() - event.startTimeMs);
    if (error instanceof AuthError) {
      Object.assign(root, { errorCode: error.errorCode, subErrorCode: error.subError });
      root.serverErrorNo = root.serverErrorNo || error.errorNo;
    }
    if (event.eventId !== root.eventId) {
      root.ext = { ...root.ext, [`${event.name}DurationMs`]: Math.floor(event.durationMs) };
      return { ...root };
    }
    this.roots.delete(event.correlationId);
    // A root that succeeded drops the codes of the steps whose errors it handled.
    if (!error) root.errorCode = root.subErrorCode = undefined;
    const done = { ...root, ...event, errorCode: root.errorCode, subErrorCode: root.subErrorCode, serverErrorNo: root.serverErrorNo, status: 2, incompleteSubsCount: 0, ...this.globalFields };
    if (account) {
      const c = account.idTokenClaims || {};
      done.accountType = c.tfp || c.acr ? "B2C" : !c.tid ? undefined : c.tid === "9188040d-6c67-4c5b-b112-36a304b66dad" ? "MSA" : "AAD";
      done.dataBoundary = account.dataBoundary;
    }
    for (const k of this.intFields) if (typeof done[k] === "number") done[k] = Math.trunc(done[k]);
    this.emitEvents([done], done.correlationId);
    return done;
  }
  discardMeasurements(correlationId) { this.roots.delete(correlationId); }
  // Fields named `ext.<name>` go to the root's `ext` (strings and numbers only).
  addFields(fields, correlationId, add = (_, v) => v) {
    const root = this.roots.get(correlationId);
    for (const [k, v] of Object.entries((root && fields) || {})) {
      const ext = k.startsWith("ext.");
      if (ext && typeof v !== "string" && typeof v !== "number") continue;
      const [into, name] = ext ? [(root.ext = root.ext || {}), k.slice(4)] : [root, k];
      into[name] = add(into[name], v);
    }
  }
  addGlobalFields(fields) { Object.assign(this.globalFields, fields); }
  incrementFields(fields, correlationId) { this.addFields(fields, correlationId, (was, v) => (was || 0) + (typeof v === "number" ? v : 0)); }
  addPerformanceCallback(callback) {
    // As msal: a callback registered again (a component's effect run twice) keeps its id.
    for (const [id, cb] of this.callbacks) if (String(cb) === String(callback)) return id;
    const id = this.generateId();
    this.callbacks.set(id, callback);
    return id;
  }
  removePerformanceCallback(callbackId) { return this.callbacks.delete(callbackId); }
  emitEvents(events, correlationId) {
    for (const cb of this.callbacks.values()) {
      try { cb(events); } catch (e) { this.logger.error(`performance callback threw: ${e}`, correlationId || ""); }
    }
  }
}

// msal's performance client that measures nothing (for tests and wrapper libraries).
export class StubPerformanceClient {
  generateId() { return "callback-id"; }
  startMeasurement(measureName, correlationId) {
    return {
      end: () => null, discard: () => {}, add: () => {}, increment: () => {},
      event: { eventId: this.generateId(), status: 1, name: measureName, correlationId: correlationId || "", authority: "", libraryName: "", libraryVersion: "", clientId: "", startTimeMs: Date.now() },
      measurement: { startMeasurement: () => {}, endMeasurement: () => {}, flushMeasurement: () => null },
    };
  }
  startPerformanceMeasurement() { return { startMeasurement: () => {}, endMeasurement: () => {}, flushMeasurement: () => null }; }
  calculateQueuedTime() { return 0; }
  addQueueMeasurement() {}
  setPreQueueTime() {}
  endMeasurement() { return null; }
  discardMeasurements() {}
  removePerformanceCallback() { return true; }
  addPerformanceCallback() { return ""; }
  emitEvents() {}
  addFields() {}
  addGlobalFields() {}
  incrementFields() {}
  cacheEventByCorrelationId() {}
}

export class NavigationClient {
  navigateInternal(url, options) { return NavigationClient.defaultNavigateWindow(url, options); }
  navigateExternal(url, options) { return NavigationClient.defaultNavigateWindow(url, options); }
  // As msal 5: a page still here after the timeout did not navigate (a beforeunload prompt
  // the user answered "stay", a same-document URL): timed_out, failed_to_redirect.
  static defaultNavigateWindow(url, options) {
    if (options && options.noHistory) window.location.replace(url);
    else window.location.assign(url);
    return stayed(options && options.timeout);
  }
}

// A promise rejected with `error()` when this page comes back from the back/forward cache (the
// user pressed back on the provider's page: the navigation awaited is over), and a function
// that stops listening.
function backFromCache(error) {
  let stop;
  const back = new Promise((_, reject) => {
    const onShow = (e) => { if (e.persisted) { stop(); reject(error()); } };
    stop = () => window.removeEventListener("pageshow", onShow);
    window.addEventListener("pageshow", onShow);
  });
  return [back, stop];
}

// Rejects once `timeout` ms have passed: the page that should have left is still here.
const stayed = (timeout) => new Promise((_, reject) => setTimeout(() => reject(described(BrowserAuthError, "timed_out", "the page did not navigate", "", "failed_to_redirect")), timeout || 30000));

// ---- conversions ----
function toAccount(a) {
  if (!a) return null;
  if (Array.isArray(a.tenantProfiles)) a.tenantProfiles = new Map(a.tenantProfiles.map((p) => [p.tenantId, p]));
  return a;
}

const loginRequest = (request) => Object.assign({ correlationId: (request && request.correlationId) || createGuid() }, request || { scopes: [...OIDC_DEFAULT_SCOPES] });

function toResult(json) {
  return resultFrom(JSON.parse(json));
}

// msal's AuthenticationResult from the wasm's JSON (dates as ms). `r` was just parsed: its
// parts are the result's own, so nothing is copied.
function resultFrom(r) {
  const refreshOn = r.refreshOn === undefined ? undefined : new Date(r.refreshOn);
  return shapeResult(r, toAccount(r.account), r.scopes, date(r.expiresOn, null), date(r.extExpiresOn), refreshOn, r.correlationId);
}

// A copy of a result sharing nothing mutable with it (so a memoized result cannot be changed
// through one handed out earlier).
function copyResult(r, correlationId) {
  const refreshOn = r.refreshOn === undefined ? undefined : new Date(r.refreshOn.getTime());
  return shapeResult(r, copyAccount(r.account), r.scopes.slice(), date(r.expiresOn && r.expiresOn.getTime(), null), date(r.extExpiresOn && r.extExpiresOn.getTime()), refreshOn, correlationId);
}

// A Date of ms, or `none` (a load without an access token has no expiry).
const date = (ms, none) => (ms == null ? none : new Date(ms));

// Every result has this one fixed shape (copying a generic object costs ~2 µs; building this
// literal, a fraction of that). The wasm sends the ID token and its claims in the account
// only; idTokenClaims is the account's object, as msal-browser hands out.
function shapeResult(r, account, scopes, expiresOn, extExpiresOn, refreshOn, correlationId) {
  return {
    authority: r.authority,
    uniqueId: r.uniqueId,
    tenantId: r.tenantId,
    scopes,
    account,
    idToken: (account && account.idToken) || "",
    idTokenClaims: (account && account.idTokenClaims) || {},
    accessToken: r.accessToken,
    fromCache: r.fromCache,
    expiresOn,
    extExpiresOn,
    refreshOn,
    tokenType: r.tokenType,
    correlationId,
    state: r.state,
    familyId: r.familyId,
    requestId: r.requestId || "",
    // The account's, set by an instance-aware sign-in.
    cloudGraphHostName: r.cloudGraphHostName || "",
    msGraphHost: r.msGraphHost || "",
    fromPlatformBroker: false,
    dpopProof: r.dpopProof,
  };
}

// Accounts come from the wasm with these fields (a literal of one shape copies several times
// faster than Object.assign).
function copyAccount(a) {
  if (!a) return a;
  let profiles = a.tenantProfiles;
  if (profiles instanceof Map) {
    profiles = new Map();
    for (const [k, p] of a.tenantProfiles) profiles.set(k, { ...p });
  }
  const c = {
    homeAccountId: a.homeAccountId,
    environment: a.environment,
    tenantId: a.tenantId,
    username: a.username,
    localAccountId: a.localAccountId,
    name: a.name,
    authorityType: a.authorityType,
    tenantProfiles: profiles,
  };
  if (a.idToken !== undefined) c.idToken = a.idToken;
  if (a.idTokenClaims !== undefined) c.idTokenClaims = copyJson(a.idTokenClaims);
  if (a.loginHint !== undefined) c.loginHint = a.loginHint;
  if (a.upn !== undefined) c.upn = a.upn;
  if (a.kmsi !== undefined) c.kmsi = a.kmsi;
  if (a.dataBoundary !== undefined) c.dataBoundary = a.dataBoundary;
  return c;
}

// A deep copy of JSON data (ID token claims).
function copyJson(v) {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(copyJson);
  const o = {};
  for (const k in v) {
    // A claim named "__proto__" stays a claim: assigning it would set the copy's prototype.
    if (k === "__proto__") Object.defineProperty(o, k, { value: copyJson(v[k]), enumerable: true, writable: true, configurable: true });
    else o[k] = copyJson(v[k]);
  }
  return o;
}

// A resource URL in the form this browser's fetch sends it, which msal signs (`new URL(url).href`):
// the wasm checks and trims that form. One that is not http(s) from its first character, or that
// does not parse, goes as given, for the wasm to refuse with msal's code.
const asSent = (u) => { try { return typeof u === "string" && /^https?:\/\//i.test(u) ? new URL(u).href : u; } catch (_) { return u; } };

// Requests go to Rust as JSON; the account is reduced to what identifies it (it may carry a
// whole token): the account and its tenant profile.
function requestJson(request, extra) {
  const r = Object.assign({}, request || {}, extra || {});
  // (Only where a request names one: every silent call, cache hits too, builds its key here.)
  if (r.resourceRequestUri) r.resourceRequestUri = asSent(r.resourceRequestUri);
  // Any iterable of scopes, as msal spreads them (a Set); the wasm names anything else.
  if (r.scopes && typeof r.scopes === "object" && !Array.isArray(r.scopes) && typeof r.scopes[Symbol.iterator] === "function") r.scopes = Array.from(r.scopes);
  // The account as the wasm reads it: what names it, and its hints (for one the cache lacks).
  const a = r.account, c = a && a.idTokenClaims || {};
  if (a) r.account = { homeAccountId: a.homeAccountId, environment: a.environment, tenantId: a.tenantId, username: a.username, loginHint: a.loginHint, idTokenClaims: { login_hint: c.login_hint, sid: c.sid } };
  r.popupWindowParent = undefined; // a Window: passed to the wasm beside the JSON
  return JSON.stringify(r);
}

// A response in the address when the package is evaluated, before the app's router can rewrite
// the address (the wasm, and so handleRedirectPromise, comes later). A redirect's is kept for
// its client, as the redirect bridge keeps it: handleRedirectPromise redeems it from there once
// the address has lost it. A popup's or a hidden frame's, landed on a page of the app (its
// redirect URI is not the bridge), goes to the waiting page now, as the bridge sends it: COOP
// may have cut the popup off from that page, whose poll cannot read it then. A popup then
// closes itself, as the bridge's does (the waiting page removes a frame).
if (inBrowser() && (hasResponse(window.location.hash) || hasResponse(window.location.search))) {
  try {
    const response = parseAuthResponseFromUrl();
    const type = response.libraryState.meta.interactionType;
    if (type === "redirect") keepRedirectResponse(response);
    else if (typeof BroadcastChannel === "function") {
      if (answerWaitingPage(response) && type === "popup") window.close();
    }
  } catch (_) { /* no response of this library here */ }
}

// The `state` of a response in a fragment or query (`""`: none).
const stateOf = (h) => { try { return new URLSearchParams(String(h).replace(/^[#?]/, "")).get("state") || ""; } catch (_) { return ""; } };

// ---- wasm loading: fetched once per page, from the first PublicClientApplication's
// constructor (a failure there is initialize()'s to report: it loads again) ----
// As an ES module, the wasm is found next to this file. In a classic-script bundle (IIFE) there
// is no module URL: it is looked for next to the bundle's script instead.
const moduleUrl = (() => { try { return import.meta.url; } catch (_) { return undefined; } })();
const scriptUrl = typeof document !== "undefined" && document.currentScript && document.currentScript.src ? document.currentScript.src : undefined;
let wasmReady = null, wasmLoaded = false;
// Loaded from disk under Node (a test runner's jsdom or happy-dom page): fetch takes no file
// URL there, so the bytes are read from the file (Node 20.16+, 22.3+).
function fromDisk() {
  const fs = moduleUrl && moduleUrl.startsWith("file:") && globalThis.process && typeof process.getBuiltinModule === "function" && process.getBuiltinModule("node:fs");
  try {
    return fs ? fs.readFileSync(new URL("msal_wasm_bg.wasm", moduleUrl)) : undefined;
  } catch (_) {
    return undefined; // (a bundler's build-time file URL, in an Electron page: the glue's own path)
  }
}
const offline = () => (globalThis.navigator || {}).onLine === false;
const validWasm = (bytes) => { try { return WebAssembly.validate(new Uint8Array(bytes)); } catch (_) { return true; } };
function loadWasm(url) {
  if (!wasmReady) {
    // (A fetch the page's policy refuses fails as any network error: the policy's report, a
    // task of its own that the failure waits for, says which directive.)
    let refused = false;
    const page = globalThis.addEventListener ? globalThis : null;
    const watch = (e) => { refused ||= e.effectiveDirective === "connect-src"; };
    const listen = (on) => page && page[on]("securitypolicyviolation", watch);
    listen("addEventListener");
    // Requested now (a promise's executor runs at once), in the constructor's task: a microtask
    // would wait for the rest of the app's top-level code (a router's and a framework's set-up)
    // before the request leaves.
    wasmReady = new Promise((resolve) => {
      const where = url || (moduleUrl ? fromDisk() : scriptUrl && new URL("msal_wasm_bg.wasm", scriptUrl));
      // A download that failed on the way (the network, or a server's 408, 429 or 5xx) is tried
      // twice more, 0.3 s and 1 s later: msal's initialize() downloads nothing, and
      // msal-react's MsalProvider stays in "startup" for good after a failed one. (Not when
      // offline, nor when the page's policy refused it: neither changes in a second; only an
      // http(s) download in a browser, not bytes given, a file: URL, or Node's fetch under a
      // test runner, whose fake timers would hold the wait.)
      let fetched = false;
      try {
        fetched = !(globalThis.process && process.versions && process.versions.node) && (!where || typeof where === "string" || where instanceof URL)
          && /^https?:$/.test(new URL(String(where || "msal_wasm_bg.wasm"), where ? location.href : moduleUrl || scriptUrl).protocol);
      } catch (_) { /* not a URL: not fetched again */ }
      const load = (retries) => init(where ? { module_or_path: where } : undefined).catch(async (e) => {
        const transient = e instanceof TypeError || / (408|429|5\d\d) /.test(e && e.message);
        if (!transient || !fetched || offline()) throw e;
        if (!retries) throw Object.assign(e, { tries: 3 });
        await new Promise((r) => setTimeout(r, retries > 1 ? 300 : 1000));
        if (refused) throw e;
        return load(retries - 1);
      });
      resolve(load(2));
    }).then((m) => { listen("removeEventListener"); wasmLoaded = true; return m; }, async (e) => {
      // (After a fetch's failure, one task later: a message, which no test runner's fake timers hold.)
      if (page && e instanceof TypeError && typeof MessageChannel === "function") {
        await new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = () => { c.port1.close(); r(); }; c.port2.postMessage(0); });
      }
      listen("removeEventListener");
      wasmReady = null;
      // A dev server that pre-bundled the package serves it from its cache, away from the .wasm.
      const cached = !url && /\/(\.vite|vite\/client)\/deps\/|\/\.angular\/cache\//.test(String(moduleUrl));
      // (A CSP refusal by its message: engines throw it in other classes. An engine without
      // reference types by a probe, a one-table externref module. A page served for the .wasm,
      // an index.html fallback, fails to compile too: a matter of where the file is.)
      const message = String(e && e.message);
      // (A browser extension's page: its policy is the manifest's, which a page cannot loosen.)
      const scheme = typeof location === "object" && location ? String(location.protocol) : "";
      const hint = typeof WebAssembly !== "object" ? " (this browser has WebAssembly turned off)"
        : refused ? " (the page's CSP needs the .wasm's origin in connect-src)"
        : /unsafe-eval|Content.Security|\bCSP\b/i.test(message) ? (/^(chrome|moz|safari-web)-extension:$/.test(scheme)
          ? " (an extension's pages need 'wasm-unsafe-eval' in the manifest's content_security_policy.extension_pages script-src)"
          : " (the page's CSP needs 'wasm-unsafe-eval' in script-src)")
        : !validWasm([0, 97, 115, 109, 1, 0, 0, 0, 4, 4, 1, 111, 0, 0]) ? " (it needs Chrome or Edge 96, Firefox 79, Safari 15.1 or later)"
        : (e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError) && !/magic|\\0asm/i.test(message) ? " (msal_wasm_bg.wasm is damaged or from another msal-wasm version: a cached copy?)"
        : e instanceof TypeError && offline() ? " (offline, and no cache holds msal_wasm_bg.wasm: a service worker must precache it)"
        : e && e.tries ? " (3 tries failed on the network or at the server; the next initialize() tries again)"
        : url ? ""
        : scheme === "file:" ? " (a file: page cannot fetch it: give system.wasmUrl the file's bytes or a WebAssembly.Module)"
        : moduleUrl && moduleUrl.startsWith("file:") && globalThis.process && typeof process.getBuiltinModule !== "function" ? " (under Node, msal-wasm reads it from disk with process.getBuiltinModule: Node 20.16, 22.3 or later)"
        : cached ? " (a dev server pre-bundled msal-wasm away from msal_wasm_bg.wasm: exclude it and @azure/msal-browser, Vite's optimizeDeps.exclude, or set system.wasmUrl)"
        : " (serve msal_wasm_bg.wasm next to the script that contains msal-wasm, or set system.wasmUrl to where it is)";
      throw described(BrowserAuthError, "wasm_load_failed", `could not load the msal-wasm module: ${e && e.message ? e.message : e}${hint}`);
    });
  }
  return wasmReady;
}

// The page's clients (weakly): the standalone loadExternalTokens stores through the app's own
// client of the same app and cache, which then serves the tokens at once.
const pageClients = [];

// msal's switch for support: sessionStorage "msal.browser.log.level" (a LogLevel name but
// Error, as msal reads it) logs at that level to the console instead of the app's callback;
// "msal.browser.log.pii" "true" or "false" turns PII lines on or off.
function supportLogging(options) {
  const o = Object.assign({}, options);
  try {
    const level = LogLevel[sessionStorage.getItem("msal.browser.log.level")];
    const pii = String(sessionStorage.getItem("msal.browser.log.pii")).toLowerCase();
    if (typeof level === "number" && level) {
      o.logLevel = level;
      o.loggerCallback = (l, m) => console[["error", "warn", "info", "debug"][l] || "log"](m);
    }
    if (pii === "true" || pii === "false") o.piiLoggingEnabled = pii === "true";
  } catch (_) { /* no sessionStorage here */ }
  return o;
}

// The fields msal adds to a token call's measurement as it starts (a joined silent call's:
// no scheme, since msal prepares only the call it joins).
const requestFields = (request) => ({ scenarioId: request && request.scenarioId, authenticationScheme: (request && request.authenticationScheme) || AuthenticationScheme.BEARER });
const silentFields = (request, deduped) => {
  const fields = Object.assign(requestFields(request), { cacheLookupPolicy: request && request.cacheLookupPolicy, deduped });
  if (deduped) delete fields.authenticationScheme;
  return fields;
};

// The callbacks the wasm keeps for good (its log lines, other tabs' account changes): they
// reach the client through `me`, a weak reference, so that a client the app drops is collected
// (and its wasm client freed, with its page listeners). Made here, not in a method, whose scope
// (`this`) a closure would keep.
function wasmCallbacks(me) {
  return [
    // (A promise's reaction, not queueMicrotask, which test runners' fake timers fake.)
    (level, message, cid) => Promise.resolve().then(() => { const c = me.deref(); if (c) c.logger.logMessage(message, { logLevel: level, containsPii: false, correlationId: cid || "" }); }),
    () => { const c = me.deref(); if (c) c.accountsChangedElsewhere(); },
  ];
}

export class PublicClientApplication {
  constructor(configuration) {
    this.config = configuration || {};
    // The engine first: its request leaves before the rest (the support switch's storage read).
    if (inBrowser()) loadWasm(this.config.system && this.config.system.wasmUrl).catch(() => {});
    // The page the client is made on (the default redirect URI is its address, as msal's).
    this.madeOn = inBrowser() ? location.href : "";
    if (typeof WeakRef === "function" && inBrowser()) {
      // (Without the clients the app dropped.)
      for (let i = pageClients.length - 1; i >= 0; i--) if (!pageClients[i].deref()) pageClients.splice(i, 1);
      pageClients.push(new WeakRef(this));
    }
    this.client = null;
    this.initPromise = null;
    this.ownPerformance = null;
    // The app's own performance client (msal's telemetry.client): it measures instead.
    const t = this.config.telemetry;
    this.telemetry = t && t.client && typeof t.client.startMeasurement === "function" && !(t.client instanceof StubPerformanceClient) ? t.client : null;
    this.nextCallbackId = 1;
    this.memo = new Map();
    this.redirectResponses = new Map();
    this.redemptions = new Map();
    this.flights = new Map();
    this.wrapper = { sku: "", version: "" };
    this.navigationClient = (this.config.system && this.config.system.navigationClient) || new NavigationClient();
    // What the navigation client is told to wait for (msal 5's system.redirectNavigationTimeout).
    this.navigationTimeout = (this.config.system && this.config.system.redirectNavigationTimeout) || 30000;
    this.logger = new Logger(supportLogging(this.config.system && this.config.system.loggerOptions), "msal-wasm", version);
    this.events = new EventHandler(this.logger);
  }

  static async createPublicClientApplication(configuration) {
    const pca = new PublicClientApplication(configuration);
    await pca.initialize();
    return pca;
  }

  // ---- lifecycle ----
  initialize(request) {
    if (!this.initPromise) {
      const correlationId = (request && request.correlationId) || createGuid();
      // As msal outside a browser (server-side rendering): nothing to load; the token calls
      // then fail with non_browser_environment, and the accounts are none.
      if (!inBrowser()) {
        this.offBrowser = true;
        return (this.initPromise = Promise.resolve().then(() => this.emit(EventType.INITIALIZE_END, null, null, null, correlationId)));
      }
      this.initPromise = this.measure(BrowserRootPerformanceEvents.InitializeClientApplication, correlationId, async () => {
        this.emit(EventType.INITIALIZE_START, null, null, null, correlationId);
        const [log, changed] = wasmCallbacks(typeof WeakRef === "function" ? new WeakRef(this) : { deref: () => this });
        let client;
        try {
          await loadWasm(this.config.system && this.config.system.wasmUrl);
          // After the wasm call: the app's logger may call back into the client.
          // The app's clients may be circular: the wasm only learns that they are set. (The
          // wasm's own bytes, given as wasmUrl, are not the wasm's business.)
          const json = JSON.stringify(this.config, (k, v) => (k === "wasmUrl" ? undefined : /^(network|navigation)Client$|^client$/.test(k) && v ? true : v));
          client = new WasmClient(json, log, this.config.system && this.config.system.networkClient, this.madeOn);
          this.logLevelTo(client);
          await client.initialize();
        } catch (e) {
          if (client) client.free();
          // Logged too, and to the console when no callback hears it (none given, no support
          // switch, no setLogger): msal-react's MsalProvider drops initialize()'s rejection.
          const err = toError(e);
          const line = `initialize failed: ${err.errorCode}: ${err.errorMessage}`;
          this.logger.error(line, correlationId);
          if (this.logger.localCallback === noLog && typeof console === "object") console.error(`msal-wasm: ${line}`);
          // As msal, a configuration it accepts at initialize() fails the calls that use it:
          // initialize() resolves (msal-react's MsalProvider leaves "startup" only then, and
          // shows the sign-in the app offers, whose call names the error).
          if (err instanceof ClientConfigurationError || err instanceof BrowserConfigurationAuthError) {
            this.refusedConfig = err;
            this.emit(EventType.INITIALIZE_END, null, null, null, correlationId);
            return;
          }
          this.initPromise = null; // the next initialize() tries again (the wasm's download too)
          throw err;
        }
        this.client = client;
        client.accountChanges(3);
        client.onAccountsChanged(changed);
        if (this.config.cache && this.config.cache.cacheLocation === BrowserCacheLocation.LocalStorage) this.events.subscribeCrossTab();
        this.emit(EventType.INITIALIZE_END, null, null, null, correlationId);
      });
    }
    return this.initPromise;
  }

  // `correlationId`: the call's, on a refused configuration's error (msal's call fails with it).
  engine(correlationId) {
    if (!this.client) {
      BrowserUtils.blockNonBrowserEnvironment();
      const e = this.refusedConfig;
      throw e ? described(e.constructor, e.errorCode, e.errorMessage, correlationId) : uninitialized();
    }
    return this.client;
  }

  // ---- events ----
  // (msal 5 takes no id here: v4 code's own id is kept while it is free, so its removal works;
  // taken, the callback gets a new one, as msal 5 registers every callback.)
  addEventCallback(callback, eventTypes, callbackId) {
    return this.events.addEventCallback(callback, eventTypes, this.events.eventCallbacks.has(callbackId) ? undefined : callbackId);
  }
  removeEventCallback(id) { this.events.removeEventCallback(id); }
  emit(eventType, interactionType, payload, error, correlationId) {
    this.events.emitEvent(eventType, correlationId, interactionType, payload, error);
  }

  // ---- performance measurements (msal's PerformanceEvent, for performance callbacks) ----
  // The app's telemetry.client measures; without one, a BrowserPerformanceClient of ours once a
  // callback is registered (msal's default client measures nothing).
  addPerformanceCallback(callback) {
    BrowserUtils.blockNonBrowserEnvironment();
    // (Ours logs through this client's logger, as before it: setLogger and msal's support switch apply.)
    if (!this.telemetry) this.ownPerformance = this.ownPerformance || Object.defineProperty(new BrowserPerformanceClient(this.config), "logger", { get: () => this.logger });
    return (this.telemetry || this.ownPerformance).addPerformanceCallback(callback);
  }
  removePerformanceCallback(id) { return (this.telemetry || this.ownPerformance || new StubPerformanceClient()).removePerformanceCallback(id); }
  performanceClient() { return this.telemetry || (this.ownPerformance && this.ownPerformance.callbacks.size > 0 ? this.ownPerformance : null); }
  measuring() { return this.performanceClient() !== null; }
  // Runs `work` (a function returning a promise) as the root measurement `name`.
  // `keep(result)`: false discards the measurement of a success; an error object reports it
  // failed with that error. `fields`: added when it starts (msal's `add`). `account`: the
  // request's, for the account type of a call that failed or has no result account.
  // `settled.ok(result)` / `settled.fail(error)` (returning the error to throw): the call's
  // events, raised before the measurement is reported, as msal's.
  measure(name, correlationId, work, keep = () => true, fields = undefined, account = undefined, settled = {}) {
    const client = this.performanceClient();
    const ok = settled.ok || ((r) => r), fail = settled.fail || ((e) => e);
    let m = null;
    if (client) {
      try {
        m = client.startMeasurement(name, correlationId);
        if (fields) m.add(fields);
      } catch (e) { this.logger.error(`telemetry.client threw: ${e}`, correlationId); }
    }
    // success undefined: a measurement to drop. `thrown`: what the client is given.
    const report = (success, thrown, result) => {
      if (!m) return;
      try {
        if (success === undefined) return m.discard();
        // msal's root fields of a call with a token result (`fromCache` a silent call's; no
        // sizes for a redirect's second half).
        const r = result && typeof result === "object" && "accessToken" in result ? {
          isNativeBroker: false,
          ...(name === BrowserRootPerformanceEvents.AcquireTokenSilent ? { fromCache: result.fromCache } : {}),
          ...(name === BrowserRootPerformanceEvents.AcquireTokenRedirect ? {} : { accessTokenSize: (result.accessToken || "").length, idTokenSize: (result.idToken || "").length }),
          ...(result.dpopProof ? { dpopNonceAppliedToProof: "nonce" in jwtPayload(result.dpopProof) } : {}),
        } : {};
        m.end({ success, ...r }, thrown, (result && result.account) || account);
      } catch (e) { this.logger.error(`telemetry.client threw: ${e}`, correlationId); }
    };
    let running;
    try { running = Promise.resolve(work()); } catch (e) { running = Promise.reject(e); }
    // (msal records the code of its own errors only: an app's Error has none.)
    const kept = (r) => { try { return keep(r); } catch (e) { return toError(e); } };
    return running.then((r) => {
      ok(r);
      const k = m && kept(r);
      report(k === true ? true : k ? false : undefined, k === true ? undefined : k, r);
      return r;
    }, (raw) => {
      const e = fail(toError(raw));
      report(false, raw instanceof Error && !(raw instanceof AuthError) ? raw : e);
      throw e;
    });
  }

  // The account a call's measurement names when it has no result (msal: the request's; for a
  // silent call naming none, the active account).
  measuredAccount(request, silent) { return (request && request.account) || (silent && this.client ? this.getActiveAccount() : undefined); }

  // A call refused before its work starts, measured as msal's preflightCheck ends the root
  // measurement (msal throws no_account_error and a second interaction's
  // interaction_in_progress after it, leaving those unmeasured).
  refused(apiName, correlationId, e, request) {
    if (!this.measuring() || ["no_account_error", "interaction_in_progress"].includes(e.errorCode)) return Promise.reject(e);
    return this.measure(apiName, correlationId, () => Promise.reject(e), ...this.rootFields(apiName, request));
  }

  // A root measurement's `keep`, start fields and account (looked up only while measuring: a
  // silent call naming no account would otherwise read the active account for nothing).
  rootFields(apiName, request) {
    const silent = apiName === BrowserRootPerformanceEvents.AcquireTokenSilent;
    const account = this.measuring() ? this.measuredAccount(request, silent) : undefined;
    return [undefined, silent ? silentFields(request, false) : requestFields(request), account];
  }

  // Runs an acquire-token `work` with v5's events: ACQUIRE_TOKEN_START, then SUCCESS (and
  // LOGIN_SUCCESS with the new account when the call signed one in) or FAILURE.
  track(interactionType, request, correlationId, work, apiName) {
    const before = this.client ? this.accountCount() : 0;
    this.emit(EventType.ACQUIRE_TOKEN_START, interactionType, request, null, correlationId);
    return this.measure(apiName, correlationId, work, ...this.rootFields(apiName, request), {
      ok: (result) => {
        this.emit(EventType.ACQUIRE_TOKEN_SUCCESS, interactionType, result, null, correlationId);
        // Only a popup or ssoSilent signs in (msal's silent and byCode calls send none).
        const signIn = apiName === BrowserRootPerformanceEvents.AcquireTokenPopup || apiName === BrowserRootPerformanceEvents.SsoSilent;
        if (result && signIn && this.accountCount() > before) this.emit(EventType.LOGIN_SUCCESS, interactionType, result.account, null, correlationId);
        // A sign-in (a silent renewal adds no account; another tab's change it raced stays news).
        if (apiName !== BrowserRootPerformanceEvents.AcquireTokenSilent) this.accountsChangedHere();
      },
      fail: (e) => {
        this.emit(EventType.ACQUIRE_TOKEN_FAILURE, interactionType, null, e, correlationId);
        return e;
      },
    });
  }

  // msal's checks before a call's first event (the page; with `redirect`, a redirect's; with
  // `r`, a second interaction's interaction_in_progress), in the wasm.
  // With `resourceOf`, a request whose MCP resource rule is checked first (msal's preflight).
  preflight(redirect, r, resourceOf) {
    try { this.engine().preflight(!!redirect, !!r && !r.overrideInteractionInProgress, undefined, resourceOf && requestJson(resourceOf)); } catch (raw) { throw toError(raw); }
  }

  // ---- other tabs ----
  accountCount() { return this.getAllAccounts().length; }
  // This tab changed the accounts itself: the baseline for the next change made elsewhere.
  accountsChangedHere() { this.client.accountChanges(1); }
  // Another tab signed in or out, or changed the active account: tell this tab's listeners
  // what the wasm found changed.
  accountsChangedElsewhere() {
    const c = JSON.parse(this.client.accountChanges(0));
    const all = c.added.length ? this.getAllAccounts() : [];
    for (const id of c.added) this.emit(EventType.ACCOUNT_ADDED, null, all.find((a) => a.homeAccountId === id) || null);
    for (const homeAccountId of c.removed) this.emit(EventType.ACCOUNT_REMOVED, null, { homeAccountId });
    for (let i = 0; i < c.activeChanged; i++) this.events.emitEvent(EventType.ACTIVE_ACCOUNT_CHANGED, createGuid(), null, null, null, true);
  }

  // ---- redirect ----
  // As msal 5: every later call (for the same `hash`) gets the first call's promise.
  handleRedirectPromise(hashOrOptions) {
    // As msal outside a browser: null once initialized (before, uninitialized).
    if (!inBrowser()) return this.offBrowser ? Promise.resolve(null) : Promise.reject(uninitialized());
    // A refused configuration started nothing to come back from: null, as msal's with no
    // interaction in progress, with its events (msal-angular's status leaves startup on them).
    if (this.refusedConfig && !this.client) {
      const cid = createGuid();
      this.emit(EventType.HANDLE_REDIRECT_START, InteractionType.Redirect, null, null, cid);
      this.emit(EventType.HANDLE_REDIRECT_END, InteractionType.Redirect, null, null, cid);
      return Promise.resolve(null);
    }
    let client;
    try { client = this.engine(); } catch (e) { return Promise.reject(e); }
    const options = typeof hashOrOptions === "string" ? { hash: hashOrOptions } : hashOrOptions || {};
    const key = options.hash || "";
    // A call with another hash while one runs (an app's own call beside msal-angular's) gets
    // the running call's outcome: one redemption, one set of events.
    if (!this.redirectResponses.has(key)) {
      // (Not a call whose hash holds another response: that one is redeemed on its own.)
      const state = stateOf(options.hash || location.hash || location.search);
      let run = this.redirectRunning && (!options.hash || stateOf(options.hash) === this.redirectState) ? this.redirectRunning : null;
      if (!run) {
        run = this.redirectRunning = this.handleRedirect(client, options);
        this.redirectState = state;
        const done = () => { if (this.redirectRunning === run) this.redirectRunning = null; };
        run.then(done, done);
      }
      this.redirectResponses.set(key, run);
    }
    return this.redirectResponses.get(key);
  }

  async handleRedirect(client, options) {
    // v5's option (absent: true).
    const navigate = options.navigateToLoginRequestUrl;
    const before = this.accountCount();
    // As v5: the events only when this client has a redirect sign-in to finish, with its id.
    const correlationId = client.redirectInProgress();
    const emit = correlationId !== undefined ? (type, p, e, cid) => this.emit(type, InteractionType.Redirect, p, e, cid || correlationId) : () => {};
    emit(EventType.HANDLE_REDIRECT_START);
    let noResponse = false, appError;
    const work = async () => {
      const json = await client.handleRedirectPromise(options.hash || undefined, navigate);
      noResponse = json === null;
      let out = json === null ? null : JSON.parse(json);
      if (out && out.navigateTo) {
        // A client that stayed on the page (a falsy answer): completed here, as msal; what it
        // throws is rethrown as it is.
        let left;
        try {
          left = await this.navigationClient.navigateInternal(out.navigateTo, { noHistory: true, apiId: ApiId.handleRedirectPromise, timeout: this.navigationTimeout });
        } catch (e) { appError = { e }; throw e; }
        if (left) return null;
        const done = await client.handleRedirectPromise(undefined, false);
        out = done === null ? null : JSON.parse(done);
      }
      return out && resultFrom(out);
    };
    // As msal: the events, then the measurement; a failure's after HANDLE_REDIRECT_END.
    const ok = (result) => {
      if (!result) return;
      this.emit(EventType.ACQUIRE_TOKEN_SUCCESS, InteractionType.Redirect, result, null, result.correlationId);
      if (this.accountCount() > before) this.emit(EventType.LOGIN_SUCCESS, InteractionType.Redirect, result.account, null, result.correlationId);
      this.accountsChangedHere();
    };
    let ended = false;
    const fail = (raw) => {
      // As msal: a failed redirect leaves no request, stashed response or lock behind.
      client.abortRedirect();
      const e = appError ? rethrown(appError.e, correlationId) : toError(raw);
      emit(EventType.ACQUIRE_TOKEN_FAILURE, null, e, e && e.correlationId);
      emit(EventType.HANDLE_REDIRECT_END);
      ended = true;
      return e;
    };
    try {
      if (correlationId === undefined) {
        const result = await work().catch((raw) => { throw fail(raw); });
        ok(result);
        return result;
      }
      // msal measures the redirect's second half where it ends: with a result, or failed (no
      // response, but for the back button).
      // (msal records the code alone: no sub-error.)
      const lost = () => noResponse && (performance.getEntriesByType("navigation")[0] || {}).type !== "back_forward" && Object.assign(new BrowserAuthError("no_server_response", correlationId), { subError: undefined });
      return await this.measure(BrowserRootPerformanceEvents.AcquireTokenRedirect, correlationId, work, (r) => r !== null || lost(), undefined, undefined, { ok, fail });
    } finally {
      if (!ended) emit(EventType.HANDLE_REDIRECT_END);
    }
  }

  async redirect(request) {
    const client = this.engine();
    const r = Object.assign({}, request, { correlationId: (request && request.correlationId) || createGuid() });
    // As msal: the lock is taken now, before any await (no event when refused).
    try { client.preflight(true, true, requestJson(r)); } catch (raw) { throw toError(raw); }
    this.emit(EventType.ACQUIRE_TOKEN_START, InteractionType.Redirect, request, null, r.correlationId);
    // As msal: onRedirectNavigate's false stops the navigation and keeps the sign-in under
    // way (its request, its lock), for the app to take the URL elsewhere and finish with
    // handleRedirectPromise(hash); a callback that throws ends it, its error rethrown. Both
    // are inside the first half's measurement.
    let url, go = true, appError;
    try {
      url = await this.measure(BrowserRootPerformanceEvents.AcquireTokenPreRedirect, r.correlationId, async () => {
        const u = await client.beginRedirect(requestJson(r));
        if (u !== null) {
          try { go = this.mayNavigate(r, u); } catch (e) { appError = { e }; client.abortRedirect(); throw e; }
        }
        return u;
      }, undefined, requestFields(r), r.account);
    } catch (raw) {
      const e = appError ? appError.e : toError(raw);
      this.emit(EventType.ACQUIRE_TOKEN_FAILURE, InteractionType.Redirect, null, e, r.correlationId);
      throw e;
    }
    if (!go) return this.logger.verbose("onRedirectNavigate returned false", r.correlationId);
    // As msal: back from the provider's page to this page as it was (back/forward cache), the
    // redirect is over (the wasm ends it) and this call fails with user_cancelled after
    // RESTORE_FROM_BFCACHE; a navigation that fails ends it too.
    const [cancelled, stop] = backFromCache(() => {
      client.abortRedirect();
      this.emit(EventType.RESTORE_FROM_BFCACHE, InteractionType.Redirect, null, null, r.correlationId);
      return described(BrowserAuthError, "user_cancelled", "the user came back from the sign-in page", r.correlationId);
    });
    try {
      // httpMethod POST (url null): the wasm posted the authorize form; as msal, a page still
      // here after the timeout did not leave (a CSP form-action, say).
      const leaving = url === null ? stayed(this.navigationTimeout)
        : this.navigationClient.navigateExternal(url, { noHistory: false, apiId: ApiId.acquireTokenRedirect, timeout: this.navigationTimeout });
      await Promise.race([leaving, cancelled]);
    } catch (raw) {
      stop();
      client.abortRedirect();
      const e = rethrown(raw, r.correlationId);
      // msal measures a redirect that failed after its first half as a failed second half.
      this.measure(BrowserRootPerformanceEvents.AcquireTokenRedirect, r.correlationId, () => Promise.reject(e), undefined, undefined, r.account).catch(() => {});
      this.emit(EventType.ACQUIRE_TOKEN_FAILURE, InteractionType.Redirect, null, e, r.correlationId);
      throw e;
    }
  }

  // onRedirectNavigate (v5: configuration; v3/v4: request); false stops the navigation.
  mayNavigate(r, url) {
    const onNavigate = r.onRedirectNavigate || (this.config.auth && this.config.auth.onRedirectNavigate);
    return typeof onNavigate !== "function" || onNavigate(url) !== false;
  }

  // As msal: a sign-in's request (its events' payload) has its correlation id, and the OIDC
  // scopes when the app gives none.
  loginRedirect(request) { return this.redirect(loginRequest(request)); }
  acquireTokenRedirect(request) { return this.redirect(request); }

  // ---- popup ----
  popup(request) {
    const r = Object.assign({}, request, { correlationId: (request && request.correlationId) || createGuid() });
    try { this.preflight(false, r, r); } catch (e) { return this.refused(BrowserRootPerformanceEvents.AcquireTokenPopup, r.correlationId, e, r); }
    return this.track(InteractionType.Popup, request, r.correlationId, () => {
      // Synchronous up to here: the window opens inside the user's click.
      const [done, popupWindow] = this.engine().popup(requestJson(r), r.popupWindowParent);
      // (msal 5 sends none for a POST's popup.)
      if (r.httpMethod !== "POST") this.emit(EventType.POPUP_OPENED, InteractionType.Popup, { popupWindow }, null, r.correlationId);
      return done.then(toResult);
    }, BrowserRootPerformanceEvents.AcquireTokenPopup);
  }
  loginPopup(request) { return this.popup(loginRequest(request)); }
  acquireTokenPopup(request) { return this.popup(request); }

  // ---- silent ----
  acquireTokenSilent(request) {
    let client;
    const correlationId = (request && request.correlationId) || createGuid();
    try {
      client = this.engine(correlationId);
    } catch (e) {
      // As msal: a configuration refused at initialize() fails the call where it goes to the
      // network, with its events (for a request that names its account: one that names none
      // has no active account to go on with here).
      if (this.refusedConfig && request && request.account) {
        const r = Object.assign({}, request, { correlationId });
        for (const type of [EventType.ACQUIRE_TOKEN_START, EventType.ACQUIRE_TOKEN_NETWORK_START]) this.emit(type, InteractionType.Silent, r, null, correlationId);
        this.emit(EventType.ACQUIRE_TOKEN_FAILURE, InteractionType.Silent, null, e, correlationId);
      }
      return this.refused(BrowserRootPerformanceEvents.AcquireTokenSilent, correlationId, e, request);
    }
    // A request without an account is for the active account as it is now, in its tenant
    // profile (msal reads it once, at the call's start; the app or another tab may change it
    // while the call waits). Its memo and flight entries are that account's, and changing
    // the active account moves the cache version.
    const req = Object.assign({}, request);
    const active = req.account ? undefined : client.activeAccountKey();
    const key = requestJson(req, { correlationId: undefined, account: req.account || { homeAccountId: active } });
    req.correlationId = correlationId;
    // As msal (activeSilentTokenRequests): a call identical to one in flight (a network call,
    // or a cache hit in the same tick) gets its outcome, with its own correlation id and state,
    // and sends no events; a DPoP one with a proof of its own (msal 5.31).
    const joined = this.flights.get(key);
    if (joined) {
      const own = async (r) => {
        const copy = Object.assign(copyResult(r, req.correlationId), { state: req.state });
        if (r.dpopProof) copy.dpopProof = await this.generateDpopProof({ accessToken: r.accessToken, method: req.resourceRequestMethod, url: req.resourceRequestUri });
        return copy;
      };
      // (The error, the call's or its proof's, as a copy with this call's correlation id.)
      const share = () => joined.then(own).catch((e) => {
        // (A real Error, as msal's shared one: its own fields over a fresh one's.)
        const copy = Object.setPrototypeOf(Object.defineProperties(new Error(), Object.getOwnPropertyDescriptors(e)), Object.getPrototypeOf(e));
        copy.correlationId = req.correlationId;
        throw copy;
      });
      // (Measured as its own call, as msal's.)
      return this.measuring() ? this.measure(BrowserRootPerformanceEvents.AcquireTokenSilent, req.correlationId, share, undefined, silentFields(req, true), this.measuredAccount(req, true)) : share();
    }
    // The last cache hit for this exact request is served again while the cache is unchanged
    // (its version, one wasm call) and the clock is before the wasm's `servedUntil`.
    const memo = this.memo.get(key);
    if (memo !== undefined) {
      const now = Date.now();
      if (now >= memo.at && now < memo.until && client.cacheVersion() === memo.version) {
        return this.servedFromCache(key, req, copyResult(memo.result, req.correlationId));
      }
      this.memo.delete(key);
    }
    // (The active account handed back with the request, so the call stays its own.)
    const json = requestJson(req, { activeAccount: active });
    let hit;
    const refused = (e) => this.refused(BrowserRootPerformanceEvents.AcquireTokenSilent, req.correlationId, e, req);
    try { this.preflight(false); } catch (e) { return refused(e); }
    try {
      hit = client.silentCached(json);
    } catch (raw) {
      const e = toError(raw);
      // (msal refuses a request naming no account, with no active one, and an MCP app's
      // request without its resource, before any event.)
      if (!["no_account_error", "resource_parameter_required", "misplaced_resource_parameter"].includes(e.errorCode)) {
        this.emit(EventType.ACQUIRE_TOKEN_START, InteractionType.Silent, req, null, req.correlationId);
        this.emit(EventType.ACQUIRE_TOKEN_FAILURE, InteractionType.Silent, null, e, req.correlationId);
      }
      return refused(e);
    }
    if (hit !== undefined) {
      const raw = JSON.parse(hit);
      const result = resultFrom(raw);
      if (this.memo.size >= 64) this.memo.clear();
      this.memo.set(key, { result, until: raw.servedUntil, at: Date.now(), version: client.cacheVersion() });
      return this.servedFromCache(key, req, copyResult(result, result.correlationId));
    }
    // (The network start is told once the call is in flight, as msal tells it after its first
    // await: a callback asking for the same token again joins it.)
    const done = this.track(InteractionType.Silent, req, req.correlationId, () => Promise.resolve().then(() => {
      this.emit(EventType.ACQUIRE_TOKEN_NETWORK_START, InteractionType.Silent, req, null, req.correlationId);
      return client.silent(json).then((raw) => Object.assign(toResult(raw), { state: req.state }));
    }), BrowserRootPerformanceEvents.AcquireTokenSilent);
    return this.inFlight(key, done);
  }

  // `done` is the outcome of identical calls until it settles (see acquireTokenSilent).
  inFlight(key, done) {
    this.flights.set(key, done);
    const landed = () => { if (this.flights.get(key) === done) this.flights.delete(key); };
    done.then(landed, landed);
    return done;
  }

  // A cache hit. Its events (msal's payloads: the request with its correlation id, and a copy
  // of the result); with event or performance callbacks (which tell a joined call apart: no
  // events, `deduped`), a call identical to it in the same tick joins it, a callback's own too
  // (it is in flight before its events, as msal's).
  // (As msal, the result's state is the request's: undefined when it names none.)
  servedFromCache(key, req, result) {
    result.state = req.state;
    const events = this.events.eventCallbacks.size > 0, measuring = this.measuring();
    const done = measuring ? this.measure(BrowserRootPerformanceEvents.AcquireTokenSilent, result.correlationId, () => result, undefined, silentFields(req, false)) : Promise.resolve(result);
    if (!events && !measuring) return done;
    this.inFlight(key, done);
    this.emit(EventType.ACQUIRE_TOKEN_START, InteractionType.Silent, req, null, result.correlationId);
    this.emit(EventType.ACQUIRE_TOKEN_SUCCESS, InteractionType.Silent, copyResult(result, result.correlationId), null, result.correlationId);
    return done;
  }

  // A DPoP proof for a call to the resource with a DPoP-bound access token of this app (as
  // @auth0/auth0-spa-js's generateDpopProof; msal-browser returns one in `dpopProof` per
  // acquireTokenSilent): `nonce` is the resource server's DPoP-Nonce when it asked for one.
  async generateDpopProof({ accessToken, method, url, nonce } = {}) {
    try {
      return await this.engine().dpopProof(String(accessToken ?? ""), String(method ?? ""), asSent(String(url ?? "")), nonce == null ? undefined : String(nonce));
    } catch (e) {
      throw toError(e);
    }
  }

  // msal 5.31: a resource server's DPoP-Nonce, which the next proofs for its origin carry
  // (the wasm keeps it; a sign-out or clearCache forgets it). As msal, before initialize() too.
  async loadDpopNonce(resourceRequestUri, dpopNonce) {
    BrowserUtils.blockNonBrowserEnvironment();
    if (!this.client) await this.initialize();
    const correlationId = createGuid();
    const text = (v) => (typeof v === "string" ? v : "");
    let evicted = false, failed = null;
    try { evicted = this.engine().loadDpopNonce(asSent(text(resourceRequestUri)), text(dpopNonce)); } catch (raw) { failed = Object.assign(toError(raw), { correlationId }); }
    await this.measure("standardControllerLoadDpopNonce", correlationId, () => { if (failed) throw failed; }, undefined, evicted ? { "ext.dpopNonceCacheEvictionCount": 1 } : undefined);
  }

  ssoSilent(request) {
    const r = Object.assign({}, request, { correlationId: (request && request.correlationId) || createGuid() });
    try { this.preflight(false, undefined, r); } catch (e) { return this.refused(BrowserRootPerformanceEvents.SsoSilent, r.correlationId, e, r); }
    return this.track(InteractionType.Silent, r, r.correlationId, () => this.engine().ssoSilent(requestJson(r)).then(toResult), BrowserRootPerformanceEvents.SsoSilent);
  }

  acquireTokenByCode(request) {
    const r = Object.assign({}, request, { correlationId: (request && request.correlationId) || createGuid() });
    try { this.preflight(false, undefined, r); } catch (e) { return this.refused(BrowserRootPerformanceEvents.AcquireTokenByCode, r.correlationId, e, r); }
    // As msal: calls for the same code while it is being redeemed share that redemption (a
    // code is good once).
    const shared = r.code && !r.nativeAccountId && this.redemptions.get(r.code);
    if (shared) {
      // Its own START, and its own FAILURE when the shared redemption fails (msal).
      this.emit(EventType.ACQUIRE_TOKEN_START, InteractionType.Silent, request, null, r.correlationId);
      return shared.catch((e) => {
        this.emit(EventType.ACQUIRE_TOKEN_FAILURE, InteractionType.Silent, null, e, r.correlationId);
        throw e;
      });
    }
    const done = this.track(InteractionType.Silent, request, r.correlationId, () => this.engine().byCode(requestJson(r)).then(toResult), BrowserRootPerformanceEvents.AcquireTokenByCode)
      .finally(() => this.redemptions.delete(r.code));
    if (r.code) this.redemptions.set(r.code, done);
    return done;
  }

  // ---- sign-out ----
  async logoutRedirect(request) {
    const r = Object.assign({}, request, { correlationId: (request && request.correlationId) || createGuid() });
    const client = this.engine();
    this.preflight(true, r);
    const active = client.activeAccountKey();
    // As msal: START once the interaction may start (checked above), before the local sign-out;
    // a failure of the lock or the sign-out after it.
    this.emit(EventType.LOGOUT_START, InteractionType.Redirect, request || null, null, r.correlationId);
    let pending, sent;
    try { pending = client.logoutRedirect(requestJson(r)); } catch (raw) { pending = Promise.reject(raw); }
    let url;
    try {
      ({ url, ...sent } = JSON.parse(await pending));
    } catch (raw) {
      // (A sign-out whose authority is refused has removed the account already, as msal's.)
      this.signedOutHere(active, r.correlationId);
      const e = toError(raw);
      this.emit(EventType.LOGOUT_FAILURE, InteractionType.Redirect, null, e, r.correlationId);
      this.emit(EventType.LOGOUT_END, InteractionType.Redirect, null, null, r.correlationId);
      throw e;
    }
    this.signedOutHere(active, r.correlationId);
    // As msal: only for a request that names its account, with msal's processed request.
    if (r.account && r.account.homeAccountId) this.emit(EventType.LOGOUT_SUCCESS, InteractionType.Redirect, Object.assign(r, sent), null, r.correlationId);
    if (!url) {
      this.emit(EventType.LOGOUT_END, InteractionType.Redirect, null, null, r.correlationId);
      return;
    }
    let go;
    try {
      go = this.mayNavigate(r, url);
    } catch (e) {
      client.abortLogout();
      this.emit(EventType.LOGOUT_FAILURE, InteractionType.Redirect, null, e, r.correlationId);
      this.emit(EventType.LOGOUT_END, InteractionType.Redirect, null, null, r.correlationId);
      throw e;
    }
    if (!go) {
      client.abortLogout();
      this.emit(EventType.LOGOUT_END, InteractionType.Redirect, null, null, r.correlationId);
      return;
    }
    // Back from the provider's page to this page as it was (back/forward cache): the sign-out
    // here stands and its interaction ends now, not at the navigation's timeout (msal's stays
    // in progress until a reload).
    const [back, stop] = backFromCache(() => described(BrowserAuthError, "user_cancelled", "the user came back from the sign-out page", r.correlationId));
    try {
      await Promise.race([this.navigationClient.navigateExternal(url, { noHistory: false, apiId: ApiId.logout, timeout: this.navigationTimeout }), back]);
    } catch (raw) {
      // Not navigated: the sign-out here stands, its interaction ends.
      stop();
      client.abortLogout();
      const e = rethrown(raw, r.correlationId);
      this.emit(EventType.LOGOUT_FAILURE, InteractionType.Redirect, null, e, r.correlationId);
      this.emit(EventType.LOGOUT_END, InteractionType.Redirect, null, null, r.correlationId);
      throw e;
    }
  }
  logout(request) { return this.logoutRedirect(request); }

  // Signs out in a popup: the account's tokens are removed at once and the end-session page
  // runs in the popup; the promise settles when it is done (or the user closed it).
  logoutPopup(request) {
    const r = Object.assign({}, request, { correlationId: (request && request.correlationId) || createGuid() });
    let done, popupWindow, sent, active;
    try { this.preflight(false, r); active = this.engine().activeAccountKey(); } catch (e) { return Promise.reject(e); }
    try {
      // As msal: one payload object for START and SUCCESS, completed with what was sent.
      this.emit(EventType.LOGOUT_START, InteractionType.Popup, r, null, r.correlationId);
      [done, popupWindow, sent] = this.engine().logoutPopup(requestJson(r), r.popupWindowParent);
    } catch (raw) {
      this.signedOutHere(active, r.correlationId);
      const e = toError(raw);
      this.emit(EventType.LOGOUT_FAILURE, InteractionType.Popup, null, e, r.correlationId);
      this.emit(EventType.LOGOUT_END, InteractionType.Popup, null, null, r.correlationId);
      return Promise.reject(e);
    }
    this.signedOutHere(active, r.correlationId);
    if (sent) Object.assign(r, JSON.parse(sent));
    // As msal: a local-only sign-out (an end-session page sent nowhere: what was sent, no
    // popup) succeeds for a request that names its account, as logoutRedirect's; a blocked
    // popup's (nothing sent) succeeds before its failure.
    if (popupWindow || !sent || (r.account && r.account.homeAccountId)) this.emit(EventType.LOGOUT_SUCCESS, InteractionType.Popup, r, null, r.correlationId);
    if (popupWindow) this.emit(EventType.POPUP_OPENED, InteractionType.Popup, { popupWindow }, null, r.correlationId);
    const end = () => this.emit(EventType.LOGOUT_END, InteractionType.Popup, null, null, r.correlationId);
    const failed = (raw) => {
      const e = rethrown(raw, r.correlationId);
      this.emit(EventType.LOGOUT_FAILURE, InteractionType.Popup, null, e, r.correlationId);
      end();
      throw e;
    };
    // As msal: the main window navigates before LOGOUT_END (nothing signs in in between), and
    // an app's navigation client may answer a plain value or throw (msal awaits it in its try).
    return done.catch((raw) => { throw toError(raw); }).then(() => r.mainWindowRedirectUri && this.navigationClient.navigateInternal(new URL(r.mainWindowRedirectUri, window.location.href).href, { noHistory: false, apiId: ApiId.logoutPopup, timeout: this.navigationTimeout })).then(() => end(), failed);
  }

  async clearCache(request) {
    // As msal, this works before initialize(): the wasm that reads the cache is loaded first
    // (outside a browser there is no cache).
    if (!inBrowser()) return;
    if (!this.client) await this.initialize();
    const active = this.engine().activeAccountKey();
    let keys;
    try { keys = this.engine().clearCache(requestJson(request)); } catch (raw) { throw toError(raw); }
    this.signedOutHere(active, (request && request.correlationId) || createGuid());
    await keys.catch(() => {});
  }
  // As msal: removing the active account makes it null, with ACTIVE_ACCOUNT_CHANGED.
  signedOutHere(active, correlationId) {
    this.accountsChangedHere();
    if (active && !this.client.activeAccountKey()) this.emit(EventType.ACTIVE_ACCOUNT_CHANGED, null, null, null, correlationId);
  }

  // ---- accounts ----
  // The accounts as msal objects, built again only when the wasm's cache version moved (every
  // sign-in, sign-out, active-account change and other tab's write moves it); each caller
  // gets its own copies.
  accountsView() {
    const version = this.client.cacheVersion();
    if (!this.view || this.view.version !== version) this.view = { version, all: null, active: undefined };
    return this.view;
  }
  getAllAccounts(filter) {
    if (!this.client) return [];
    if (filter) return JSON.parse(this.client.allAccounts(JSON.stringify(filter))).map(toAccount);
    const view = this.accountsView();
    if (!view.all) view.all = JSON.parse(this.client.allAccounts()).map(toAccount);
    return view.all.map(copyAccount);
  }
  getAccount(filter) {
    if (!this.client || !filter) return null;
    const a = this.client.account(JSON.stringify(filter));
    return a ? toAccount(JSON.parse(a)) : null;
  }
  getAccountByHomeId(homeAccountId) { return this.getAccount({ homeAccountId }); }
  getAccountByLocalId(localAccountId) { return this.getAccount({ localAccountId }); }
  getAccountByUsername(username) { return this.getAccount({ username }); }
  getActiveAccount() {
    if (!this.client) return null;
    const view = this.accountsView();
    if (view.active === undefined) {
      const a = this.client.activeAccount();
      view.active = a ? toAccount(JSON.parse(a)) : null;
    }
    return view.active && copyAccount(view.active);
  }
  // As msal 5: ACTIVE_ACCOUNT_CHANGED on every call, also when the account stays the same.
  setActiveAccount(account) {
    if (!inBrowser()) return; // as msal's client outside a browser (its cache in memory, unread)
    try {
      this.engine().setActiveAccount(account ? account.homeAccountId : undefined, account ? account.tenantId : undefined);
    } catch (raw) {
      throw toError(raw);
    }
    this.client.accountChanges(2);
    this.emit(EventType.ACTIVE_ACCOUNT_CHANGED, null, null, null, createGuid());
  }

  // Stores a result obtained elsewhere (a server that redeemed the code) for silent calls.
  async hydrateCache(result, request) {
    if (!inBrowser()) return; // as msal's client outside a browser (its cache in memory, unread)
    // The dates as ms: a Date, or an ISO string (a server's result through res.json(), on which
    // msal throws a TypeError; stored as none, it would go to the network unseen).
    // (A number is ms, as Date.getTime(): one under 1e11, before 1973, is seconds by mistake.)
    const ms = (k) => {
      const v = result && result[k], t = v && new Date(v).getTime();
      if (v && !(t > 1e11)) throw new TypeError(k + " is not a date");
      return t;
    };
    const r = Object.assign({}, result, { expiresOn: ms("expiresOn"), extExpiresOn: ms("extExpiresOn") });
    // Before initialize() (a server-rendered page hydrating at once): msal writes its
    // sessionStorage then; here the call starts initialize(), whose promise the app's own
    // initialize() call then shares.
    if (!this.client) await this.initialize();
    // (The result whole: its account's dataBoundary too.)
    try { this.engine().hydrateCache(JSON.stringify(r), requestJson(request || {})); } catch (raw) { throw toError(raw); }
    await this.engine().settled();
    this.accountsChangedHere();
  }

  // ---- misc ----
  initializeWrapperLibrary(sku, wrapperVersion) { this.wrapper = { sku: sku || "", version: wrapperVersion || "" }; }
  getLogger() { return this.logger; }
  setLogger(logger) {
    this.logger = logger;
    if (this.client) this.logLevelTo(this.client);
  }
  // The wasm writes the lines the logger's level wants (msal's Logger keeps it in `level`).
  logLevelTo(client) {
    if (this.logger && typeof this.logger.level === "number") client.setLogLevel(Math.max(0, this.logger.level | 0));
  }
  setNavigationClient(navigationClient) { this.navigationClient = navigationClient; }
  // The configuration with every default filled in (read back from the wasm once it runs),
  // the JS objects the facade holds (navigation client, logger callback), and the app's own
  // objects where it gave them. Before initialize() every section exists, as in msal 5.
  // One object per state of the client (before and after initialize()), as msal returns its own.
  getConfiguration() {
    if (this.shownConfig && this.shownConfig[0] === this.client) return this.shownConfig[1];
    const plain = (v) => v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;
    const over = (base, app) => {
      if (!plain(app) || !plain(base)) return app === undefined ? base : app;
      const out = Object.assign({}, base);
      for (const k of Object.keys(app)) out[k] = over(base[k], app[k]);
      return out;
    };
    // (With msal's defaults of the options msal-wasm does not act on, and of navigatePopups,
    // which the wasm reports once it is loaded.)
    const js = {
      auth: { verifySSO: false, azureCloudOptions: { azureCloudInstance: "none", tenant: "" } },
      cache: {},
      experimental: { enableAsymmetricEar: false, iframeTimeoutTelemetry: false, allowPlatformBrokerWithDOM: false },
      telemetry: { application: { appName: "", appVersion: "" }, client: new StubPerformanceClient() },
      system: {
        navigationClient: this.navigationClient, redirectNavigationTimeout: this.navigationTimeout, loggerOptions: { loggerCallback: () => {} },
        preventCorsPreflight: false, navigatePopups: true, enableLegacyPolling: false, serverTelemetryEnabled: false, nativeBrokerHandshakeTimeout: 2000,
      },
    };
    const shown = over(this.client ? over(js, JSON.parse(this.client.configuration())) : js, this.config);
    this.shownConfig = [this.client, shown];
    return shown;
  }
  enableAccountStorageEvents() {}
  disableAccountStorageEvents() {}
}

// ---- factories and stand-ins (msal-browser v5's) ----
export async function createStandardPublicClientApplication(configuration) {
  return PublicClientApplication.createPublicClientApplication(configuration);
}
// Nested app authentication needs a host (Teams, Outlook): outside one, msal falls back to
// the standard client, and so do we.
export async function createNestablePublicClientApplication(configuration, correlationId, pcaFactory, standardPcaFactory) {
  // msal's fallback, with the app's own factory when it gives one.
  let pca;
  if (typeof standardPcaFactory !== "function") pca = await PublicClientApplication.createPublicClientApplication(configuration);
  else await (pca = standardPcaFactory(configuration)).initialize(correlationId ? { correlationId } : undefined);
  // In a host that offers nested app auth (Teams, Outlook) the app gets a standard client:
  // say so, since its calls may then fail in ways the host explains nowhere.
  if (inBrowser() && (window.nestedAppAuthBridge || typeof window.__initializeNestedAppAuth === "function")) pca.getLogger().warning("no nested app authentication in msal-wasm: a standard client", correlationId || "");
  return pca;
}
export function isPlatformBrokerAvailable() { return Promise.resolve(false); }
// msal's standalone loader: the page's client of the same app and cache stores the token
// response (a server redeemed the code), the newest of them (an older one may be an instance
// the app no longer uses: a hot reload's); without one, a client of its own, let go after.
export async function loadExternalTokens(config, request, response, options) {
  const where = (c) => [c.auth && c.auth.clientId, (c.cache && c.cache.cacheLocation) || "sessionStorage"].join(" ");
  const own = pageClients.map((w) => w.deref()).reverse().find((p) => p && !p.disposed && where(p.config) === where(config || {}));
  // (msal measures nothing of it through the config's telemetry.client.)
  const pca = own || Object.assign(new PublicClientApplication(Object.assign({}, config, { telemetry: undefined })), { loads: 0 });
  // A client of its own serves the loads under way at once and goes after the last.
  if (pca.loads !== undefined) pca.loads++;
  try {
    await pca.initialize();
    const result = toResult(await pca.engine().loadExternalTokens(requestJson(request, { externalResponse: response, externalOptions: options, externalAccount: request && request.account })));
    pca.accountsChangedHere();
    return result;
  } catch (raw) {
    throw toError(raw);
  } finally {
    if (pca.loads !== undefined && --pca.loads === 0) {
      pca.disposed = true;
      if (pca.client) pca.client.free();
      pca.events.unsubscribeCrossTab(); // (a localStorage cache's: the channel would keep it)
    }
  }
}
// msal's MCP check of a request; the rule is in the wasm, so it needs the module loaded.
export function enforceResourceParameter(isMcp, request) {
  if (!wasmLoaded) throw described(BrowserAuthError, "uninitialized_public_client_application", "enforceResourceParameter needs the msal-wasm module: await initialize() first");
  try { checkResource(!!isMcp, JSON.stringify(request || {})); } catch (e) { throw toError(e); }
}

const stubbed = () => { throw described(BrowserConfigurationAuthError, "stubbed_public_client_application_called", "the app used msal before a PublicClientApplication was given"); };
const stubbedAsync = () => Promise.reject(described(BrowserConfigurationAuthError, "stubbed_public_client_application_called", "the app used msal before a PublicClientApplication was given"));
export const stubbedPublicClientApplication = Object.freeze({
  initialize: stubbedAsync, acquireTokenPopup: stubbedAsync, acquireTokenRedirect: stubbedAsync, acquireTokenSilent: stubbedAsync,
  acquireTokenByCode: stubbedAsync, getAllAccounts: () => [], getAccount: () => null, handleRedirectPromise: stubbedAsync,
  loginPopup: stubbedAsync, loginRedirect: stubbedAsync, logoutRedirect: stubbedAsync, logoutPopup: stubbedAsync, ssoSilent: stubbedAsync,
  addEventCallback: () => null, removeEventCallback: () => {}, addPerformanceCallback: () => "", removePerformanceCallback: () => false,
  getLogger: stubbed, setLogger: () => {}, setActiveAccount: () => {}, getActiveAccount: () => null, initializeWrapperLibrary: () => {},
  setNavigationClient: () => {}, getConfiguration: stubbed, hydrateCache: stubbedAsync, clearCache: stubbedAsync, loadDpopNonce: stubbedAsync,
});

export { broadcastResponseToMainFrame } from "./redirect-bridge.js";
