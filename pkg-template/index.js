// msal-wasm: msal-browser's API over a WebAssembly engine.
// This facade is deliberately thin: it loads the wasm module in initialize(), converts
// msal-browser's objects to and from the engine's JSON, raises msal's error classes, fires
// msal's events and shares in-flight silent requests. All protocol and cache work is in Rust.

import init, { WasmClient, setLogSink } from "./msal_wasm.js";

// ---- enums (msal-browser values) ----
export const EventType = Object.freeze({
  INITIALIZE_START: "msal:initializeStart",
  INITIALIZE_END: "msal:initializeEnd",
  ACCOUNT_ADDED: "msal:accountAdded",
  ACCOUNT_REMOVED: "msal:accountRemoved",
  ACTIVE_ACCOUNT_CHANGED: "msal:activeAccountChanged",
  LOGIN_START: "msal:loginStart",
  LOGIN_SUCCESS: "msal:loginSuccess",
  LOGIN_FAILURE: "msal:loginFailure",
  ACQUIRE_TOKEN_START: "msal:acquireTokenStart",
  ACQUIRE_TOKEN_SUCCESS: "msal:acquireTokenSuccess",
  ACQUIRE_TOKEN_FAILURE: "msal:acquireTokenFailure",
  ACQUIRE_TOKEN_NETWORK_START: "msal:acquireTokenFromNetworkStart",
  SSO_SILENT_START: "msal:ssoSilentStart",
  SSO_SILENT_SUCCESS: "msal:ssoSilentSuccess",
  SSO_SILENT_FAILURE: "msal:ssoSilentFailure",
  ACQUIRE_TOKEN_BY_CODE_START: "msal:acquireTokenByCodeStart",
  ACQUIRE_TOKEN_BY_CODE_SUCCESS: "msal:acquireTokenByCodeSuccess",
  ACQUIRE_TOKEN_BY_CODE_FAILURE: "msal:acquireTokenByCodeFailure",
  HANDLE_REDIRECT_START: "msal:handleRedirectStart",
  HANDLE_REDIRECT_END: "msal:handleRedirectEnd",
  POPUP_OPENED: "msal:popupOpened",
  LOGOUT_START: "msal:logoutStart",
  LOGOUT_SUCCESS: "msal:logoutSuccess",
  LOGOUT_FAILURE: "msal:logoutFailure",
  LOGOUT_END: "msal:logoutEnd",
});

const LOCAL_ACCOUNT_EVENTS = new Set([
  "msal:loginSuccess", "msal:logoutEnd", "msal:handleRedirectEnd", "msal:ssoSilentSuccess", "msal:acquireTokenByCodeSuccess",
]);

export const InteractionType = Object.freeze({ Redirect: "redirect", Popup: "popup", Silent: "silent", None: "none" });

export const InteractionStatus = Object.freeze({
  Startup: "startup",
  Login: "login",
  Logout: "logout",
  AcquireToken: "acquireToken",
  SsoSilent: "ssoSilent",
  HandleRedirect: "handleRedirect",
  None: "none",
});

// msal-browser's helper that UI libraries (msal-react, msal-angular) use to track the
// interaction status from events: returns the new status, or null when the event changes
// nothing.
export const EventMessageUtils = Object.freeze({
  getInteractionStatusFromEvent(message, currentStatus) {
    const interactive = message.interactionType === InteractionType.Redirect || message.interactionType === InteractionType.Popup;
    const endsIf = (...from) => (!currentStatus || from.includes(currentStatus) ? InteractionStatus.None : null);
    switch (message.eventType) {
      case EventType.LOGIN_START:
        return InteractionStatus.Login;
      case EventType.SSO_SILENT_START:
        return InteractionStatus.SsoSilent;
      case EventType.ACQUIRE_TOKEN_START:
        return interactive ? InteractionStatus.AcquireToken : null;
      case EventType.HANDLE_REDIRECT_START:
        return InteractionStatus.HandleRedirect;
      case EventType.LOGOUT_START:
        return InteractionStatus.Logout;
      case EventType.SSO_SILENT_SUCCESS:
      case EventType.SSO_SILENT_FAILURE:
        return endsIf(InteractionStatus.SsoSilent);
      case EventType.LOGOUT_END:
        return endsIf(InteractionStatus.Logout);
      case EventType.HANDLE_REDIRECT_END:
        return endsIf(InteractionStatus.HandleRedirect);
      case EventType.LOGIN_SUCCESS:
      case EventType.LOGIN_FAILURE:
      case EventType.ACQUIRE_TOKEN_SUCCESS:
      case EventType.ACQUIRE_TOKEN_FAILURE:
        return interactive ? endsIf(InteractionStatus.Login, InteractionStatus.AcquireToken) : null;
      default:
        return null;
    }
  },
});

export const CacheLookupPolicy = Object.freeze({
  Default: 0,
  AccessToken: 1,
  AccessTokenAndRefreshToken: 2,
  RefreshToken: 3,
  RefreshTokenAndNetwork: 4,
  Skip: 5,
});

export const LogLevel = Object.freeze({ Error: 0, Warning: 1, Info: 2, Verbose: 3, Trace: 4 });

// ---- errors (real Error subclasses, so instanceof and stacks work) ----
export class AuthError extends Error {
  constructor(errorCode, errorMessage, subError) {
    super(errorMessage ? `${errorCode}: ${errorMessage}` : errorCode);
    this.name = "AuthError";
    this.errorCode = errorCode || "";
    this.errorMessage = errorMessage || "";
    this.subError = subError || "";
    this.correlationId = "";
  }
  setCorrelationId(id) { this.correlationId = id; }
}
export class BrowserAuthError extends AuthError {
  constructor(c, m, s) { super(c, m, s); this.name = "BrowserAuthError"; }
}
export class ClientAuthError extends AuthError {
  constructor(c, m, s) { super(c, m, s); this.name = "ClientAuthError"; }
}
export class ClientConfigurationError extends AuthError {
  constructor(c, m, s) { super(c, m, s); this.name = "ClientConfigurationError"; }
}
export class ServerError extends AuthError {
  constructor(c, m, s, errorNo, status) {
    super(c, m, s);
    this.name = "ServerError";
    this.errorNo = errorNo;
    this.status = status;
  }
}
export class InteractionRequiredAuthError extends AuthError {
  constructor(c, m, s, timestamp, traceId, correlationId, claims, errorNo) {
    super(c, m, s);
    this.name = "InteractionRequiredAuthError";
    this.timestamp = timestamp || "";
    this.traceId = traceId || "";
    this.correlationId = correlationId || "";
    this.claims = claims || "";
    this.errorNo = errorNo;
  }
}

const ERROR_CLASSES = {
  AuthError, BrowserAuthError, ClientAuthError, ClientConfigurationError, ServerError, InteractionRequiredAuthError,
};

function toError(raw) {
  if (raw instanceof AuthError) return raw;
  let o = null;
  if (typeof raw === "string") {
    try { o = JSON.parse(raw); } catch (_) { o = null; }
  }
  if (!o || typeof o.errorCode !== "string") {
    const e = new AuthError("unexpected_error", raw && raw.message ? raw.message : String(raw));
    return e;
  }
  const Cls = ERROR_CLASSES[o.name] || AuthError;
  const e = new Cls(o.errorCode, o.errorMessage, o.subError);
  e.correlationId = o.correlationId || "";
  if (o.traceId) e.traceId = o.traceId;
  if (o.timestamp) e.timestamp = o.timestamp;
  if (o.errorNo) e.errorNo = o.errorNo;
  if (o.claims) e.claims = o.claims;
  if (o.status !== undefined) e.status = o.status;
  return e;
}

// ---- conversions ----
function toAccount(a) {
  if (!a) return null;
  if (Array.isArray(a.tenantProfiles)) {
    a.tenantProfiles = new Map(a.tenantProfiles.map((p) => [p.tenantId, p]));
  }
  return a;
}

function toResult(json) {
  return resultFrom(JSON.parse(json));
}

// msal's AuthenticationResult from the wasm's JSON (dates as ms). `r` was just parsed: its
// parts are the result's own, so nothing is copied.
function resultFrom(r) {
  const refreshOn = r.refreshOn === undefined ? undefined : new Date(r.refreshOn);
  return shapeResult(r, toAccount(r.account), r.scopes, new Date(r.expiresOn), new Date(r.extExpiresOn), refreshOn, r.correlationId);
}

// A copy of a result sharing nothing mutable with it (so a memoized result cannot be changed
// through one handed out earlier).
function copyResult(r, correlationId) {
  const refreshOn = r.refreshOn === undefined ? undefined : new Date(r.refreshOn.getTime());
  return shapeResult(r, copyAccount(r.account), r.scopes.slice(), new Date(r.expiresOn.getTime()), new Date(r.extExpiresOn.getTime()), refreshOn, correlationId);
}

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
  };
}

function copyAccount(a) {
  if (!a) return a;
  const c = Object.assign({}, a);
  if (a.tenantProfiles instanceof Map) c.tenantProfiles = new Map(Array.from(a.tenantProfiles, ([k, p]) => [k, Object.assign({}, p)]));
  if (a.idTokenClaims) c.idTokenClaims = copyJson(a.idTokenClaims);
  return c;
}

// A deep copy of JSON data (ID token claims).
function copyJson(v) {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(copyJson);
  const o = {};
  for (const k in v) o[k] = copyJson(v[k]);
  return o;
}

// Requests go to Rust as JSON; the account is reduced to its id (it may carry a whole token).
function requestJson(request, extra) {
  const r = Object.assign({}, request || {}, extra || {});
  if (r.account) r.account = { homeAccountId: r.account.homeAccountId };
  return JSON.stringify(r);
}

function matchesFilter(a, f) {
  if (!f) return true;
  const keys = ["homeAccountId", "localAccountId", "username", "environment", "name", "loginHint", "sid", "tenantId"];
  return keys.every((k) => {
    if (f[k] === undefined) return true;
    if (k === "loginHint") {
      const c = a.idTokenClaims || {};
      return [c.login_hint, a.username, c.upn].some((v) => typeof v === "string" && v.toLowerCase() === f.loginHint.toLowerCase());
    }
    if (k === "sid") return (a.idTokenClaims || {}).sid === f.sid;
    if (k === "username") return (a.username || "").toLowerCase() === String(f.username).toLowerCase();
    return a[k] === f[k];
  });
}

// ---- wasm loading: fetched once per page, inside the first initialize() ----
let wasmReady = null;
function loadWasm(url) {
  if (!wasmReady) {
    wasmReady = init(url ? { module_or_path: url } : undefined).catch((e) => {
      wasmReady = null;
      throw new BrowserAuthError("wasm_load_failed", `could not load the msal-wasm module: ${e && e.message ? e.message : e}`);
    });
  }
  return wasmReady;
}

export class NavigationClient {
  navigateInternal(url, options) { return NavigationClient.defaultNavigate(url, options); }
  navigateExternal(url, options) { return NavigationClient.defaultNavigate(url, options); }
  static defaultNavigate(url, options) {
    if (options && options.noHistory) window.location.replace(url);
    else window.location.assign(url);
    return new Promise((resolve) => setTimeout(() => resolve(true), (options && options.timeout) || 30000));
  }
}

class Logger {
  constructor(options) {
    const o = options || {};
    this.level = o.logLevel === undefined ? LogLevel.Info : o.logLevel;
    this.pii = !!o.piiLoggingEnabled;
    this.callback = typeof o.loggerCallback === "function" ? o.loggerCallback : null;
  }
  log(level, message, containsPii) {
    if (!this.callback || level > this.level || (containsPii && !this.pii)) return;
    this.callback(level, `[${new Date().toUTCString()}] : msal-wasm : ${message}`, !!containsPii);
  }
  error(m) { this.log(LogLevel.Error, m, false); }
  warning(m) { this.log(LogLevel.Warning, m, false); }
  info(m) { this.log(LogLevel.Info, m, false); }
  verbose(m) { this.log(LogLevel.Verbose, m, false); }
  trace(m) { this.log(LogLevel.Trace, m, false); }
  isPiiLoggingEnabled() { return this.pii; }
}

export class PublicClientApplication {
  constructor(configuration) {
    this.config = configuration || {};
    this.client = null;
    this.initPromise = null;
    this.callbacks = new Map();
    this.nextCallbackId = 1;
    this.memo = new Map();
    this.redirectPromise = null;
    this.navigationClient = (this.config.system && this.config.system.navigationClient) || new NavigationClient();
    this.logger = new Logger(this.config.system && this.config.system.loggerOptions);
  }

  static async createPublicClientApplication(configuration) {
    const pca = new PublicClientApplication(configuration);
    await pca.initialize();
    return pca;
  }

  // ---- lifecycle ----
  initialize() {
    if (!this.initPromise) {
      this.initPromise = (async () => {
        this.emit(EventType.INITIALIZE_START);
        await loadWasm(this.config.system && this.config.system.wasmUrl);
        setLogSink((level, message) => this.logger.log(level, message, false));
        const cfg = Object.assign({}, this.config);
        cfg.auth = Object.assign({}, cfg.auth);
        if (cfg.system) {
          cfg.system = Object.assign({}, cfg.system);
          delete cfg.system.navigationClient;
          delete cfg.system.loggerOptions;
        }
        let client;
        try {
          client = new WasmClient(JSON.stringify(cfg));
          await client.initialize();
        } catch (e) {
          this.initPromise = null;
          throw toError(e);
        }
        this.client = client;
        this.knownAccounts = this.accountIds();
        this.knownActive = this.activeId();
        client.onAccountsChanged(() => this.accountsChangedElsewhere());
        this.emit(EventType.INITIALIZE_END);
      })();
    }
    return this.initPromise;
  }

  engine() {
    if (!this.client) {
      throw new BrowserAuthError("uninitialized_public_client_application", "call and await initialize() before using the client");
    }
    return this.client;
  }

  // ---- events ----
  addEventCallback(callback, eventTypes) {
    const id = String(this.nextCallbackId++);
    this.callbacks.set(id, { callback, eventTypes: eventTypes || null });
    return id;
  }
  removeEventCallback(id) { this.callbacks.delete(id); }
  emit(eventType, interactionType, payload, error) {
    if (this.client && LOCAL_ACCOUNT_EVENTS.has(eventType)) {
      // This tab's own sign-ins and sign-outs are not "changes elsewhere".
      this.knownAccounts = this.accountIds();
      this.knownActive = this.activeId();
    }
    if (this.callbacks.size === 0) return;
    const message = { eventType, interactionType: interactionType || null, payload: payload || null, error: error || null, timestamp: Date.now() };
    for (const { callback, eventTypes } of this.callbacks.values()) {
      if (eventTypes && !eventTypes.includes(eventType)) continue;
      try { callback(message); } catch (e) { this.logger.error(`event callback threw: ${e}`); }
    }
  }

  // Runs `work`, firing start/success/failure events, and converting errors.
  async track(kind, interactionType, work) {
    const [start, ok, fail] = kind;
    this.emit(start, interactionType);
    try {
      const result = await work();
      this.emit(ok, interactionType, result);
      return result;
    } catch (raw) {
      const e = toError(raw);
      this.emit(fail, interactionType, null, e);
      throw e;
    }
  }

  // ---- other tabs ----
  accountIds() {
    return new Set(JSON.parse(this.client.allAccounts()).map((a) => a.homeAccountId));
  }
  activeId() {
    const a = this.client.activeAccount();
    return a ? JSON.parse(a).homeAccountId : null;
  }
  // Another tab signed in or out, or changed the active account: fire msal's events here too.
  accountsChangedElsewhere() {
    const now = this.accountIds();
    const all = this.getAllAccounts();
    for (const id of now) {
      if (!this.knownAccounts.has(id)) this.emit(EventType.ACCOUNT_ADDED, null, all.find((a) => a.homeAccountId === id) || null);
    }
    for (const id of this.knownAccounts) {
      if (!now.has(id)) this.emit(EventType.ACCOUNT_REMOVED, null, { homeAccountId: id });
    }
    this.knownAccounts = now;
    const active = this.activeId();
    if (active !== this.knownActive) {
      this.knownActive = active;
      this.emit(EventType.ACTIVE_ACCOUNT_CHANGED);
    }
  }

  // ---- redirect ----
  handleRedirectPromise(hashOrOptions) {
    if (!this.redirectPromise) {
      this.redirectPromise = this.handleRedirect(hashOrOptions).finally(() => {
        // A later call (e.g. after another redirect in an SPA router) may run again.
        setTimeout(() => { this.redirectPromise = null; }, 0);
      });
    }
    return this.redirectPromise;
  }

  async handleRedirect(hashOrOptions) {
    const client = this.engine();
    const options = typeof hashOrOptions === "string" ? { hash: hashOrOptions } : hashOrOptions || {};
    // v5 takes navigateToLoginRequestUrl here; v3/v4 took it in auth configuration.
    const auth = this.config.auth || {};
    const navigate = (options.navigateToLoginRequestUrl ?? auth.navigateToLoginRequestUrl) !== false;
    this.emit(EventType.HANDLE_REDIRECT_START, InteractionType.Redirect);
    try {
      const json = await client.handleRedirectPromise(options.hash || undefined, navigate);
      const out = json === null ? null : JSON.parse(json);
      if (out && out.navigateTo) {
        await this.navigationClient.navigateInternal(out.navigateTo, { noHistory: true, apiId: 865, timeout: 30000 });
        return null;
      }
      const result = out && resultFrom(out);
      if (result) {
        this.emit(EventType.LOGIN_SUCCESS, InteractionType.Redirect, result);
        this.emit(EventType.ACQUIRE_TOKEN_SUCCESS, InteractionType.Redirect, result);
      }
      return result;
    } catch (raw) {
      const e = toError(raw);
      this.emit(EventType.ACQUIRE_TOKEN_FAILURE, InteractionType.Redirect, null, e);
      throw e;
    } finally {
      this.emit(EventType.HANDLE_REDIRECT_END, InteractionType.Redirect);
    }
  }

  async redirect(request, startEvent) {
    const client = this.engine();
    this.emit(startEvent, InteractionType.Redirect, request);
    let url;
    try {
      url = client.beginRedirect(requestJson(request));
    } catch (raw) {
      throw toError(raw);
    }
    const proceed = request && typeof request.onRedirectNavigate === "function" ? request.onRedirectNavigate(url) : true;
    if (proceed === false) {
      client.abortRedirect();
      return;
    }
    await this.navigationClient.navigateExternal(url, { noHistory: false, apiId: 861, timeout: 30000 });
  }

  loginRedirect(request) { return this.redirect(request, EventType.LOGIN_START); }
  acquireTokenRedirect(request) { return this.redirect(request, EventType.ACQUIRE_TOKEN_START); }

  // ---- popup ----
  popup(request, kind) {
    // No await before the window opens: it must open inside the user's click.
    let promise;
    try {
      this.emit(kind[0], InteractionType.Popup, request);
      promise = this.engine().popup(requestJson(request));
      this.emit(EventType.POPUP_OPENED, InteractionType.Popup);
    } catch (raw) {
      const e = toError(raw);
      this.emit(kind[2], InteractionType.Popup, null, e);
      return Promise.reject(e);
    }
    return promise.then(
      (json) => {
        const r = toResult(json);
        this.emit(kind[1], InteractionType.Popup, r);
        return r;
      },
      (raw) => {
        const e = toError(raw);
        this.emit(kind[2], InteractionType.Popup, null, e);
        throw e;
      },
    );
  }

  loginPopup(request) {
    return this.popup(request, [EventType.LOGIN_START, EventType.LOGIN_SUCCESS, EventType.LOGIN_FAILURE]);
  }
  acquireTokenPopup(request) {
    return this.popup(request, [EventType.ACQUIRE_TOKEN_START, EventType.ACQUIRE_TOKEN_SUCCESS, EventType.ACQUIRE_TOKEN_FAILURE]);
  }

  // ---- silent ----
  acquireTokenSilent(request) {
    let client;
    try {
      client = this.engine();
    } catch (e) {
      return Promise.reject(e);
    }
    // A request without an account is for the active account, read from the wasm (another tab
    // or the app may change it in storage).
    const req = Object.assign({}, request);
    if (!req.account) {
      const active = client.activeHomeAccountId();
      if (active) req.account = { homeAccountId: active };
    }
    const json = requestJson(req, { correlationId: undefined });
    // The last cache hit for this exact request is served again while the cache is unchanged
    // (its version, one wasm call) and the clock is before the wasm's `servedUntil`.
    const memo = this.memo.get(json);
    if (memo !== undefined) {
      const now = Date.now();
      if (now >= memo.at && now < memo.until && client.cacheVersion() === memo.version) {
        return this.servedFromCache(request, copyResult(memo.result, (request && request.correlationId) || ""));
      }
      this.memo.delete(json);
    }
    const full = requestJson(req);
    let hit;
    try {
      hit = client.silentCached(full);
    } catch (raw) {
      const e = toError(raw);
      this.emit(EventType.ACQUIRE_TOKEN_FAILURE, InteractionType.Silent, null, e);
      return Promise.reject(e);
    }
    if (hit !== undefined) {
      const raw = JSON.parse(hit);
      const result = resultFrom(raw);
      if (this.memo.size >= 64) this.memo.clear();
      this.memo.set(json, { result, until: raw.servedUntil, at: Date.now(), version: client.cacheVersion() });
      return this.servedFromCache(request, copyResult(result, result.correlationId));
    }
    // Identical requests in flight share one network call (in the wasm).
    return this.track([EventType.ACQUIRE_TOKEN_START, EventType.ACQUIRE_TOKEN_SUCCESS, EventType.ACQUIRE_TOKEN_FAILURE], InteractionType.Silent, async () => {
      this.emit(EventType.ACQUIRE_TOKEN_NETWORK_START, InteractionType.Silent);
      return toResult(await client.silent(full));
    });
  }

  servedFromCache(request, result) {
    if (this.callbacks.size) {
      this.emit(EventType.ACQUIRE_TOKEN_START, InteractionType.Silent, request);
      this.emit(EventType.ACQUIRE_TOKEN_SUCCESS, InteractionType.Silent, result);
    }
    return Promise.resolve(result);
  }

  ssoSilent(request) {
    return this.track([EventType.SSO_SILENT_START, EventType.SSO_SILENT_SUCCESS, EventType.SSO_SILENT_FAILURE], InteractionType.Silent, async () =>
      toResult(await this.engine().ssoSilent(requestJson(request))),
    );
  }

  acquireTokenByCode(request) {
    return this.track([EventType.ACQUIRE_TOKEN_BY_CODE_START, EventType.ACQUIRE_TOKEN_BY_CODE_SUCCESS, EventType.ACQUIRE_TOKEN_BY_CODE_FAILURE], InteractionType.Silent, async () =>
      toResult(await this.engine().byCode(requestJson(request))),
    );
  }

  // ---- sign-out ----
  async logoutRedirect(request) {
    const r = request || {};
    const client = this.engine();
    this.emit(EventType.LOGOUT_START, InteractionType.Redirect, r);
    let url;
    try {
      url = client.logoutRedirect(requestJson(r));
    } catch (raw) {
      const e = toError(raw);
      this.emit(EventType.LOGOUT_FAILURE, InteractionType.Redirect, null, e);
      this.emit(EventType.LOGOUT_END, InteractionType.Redirect);
      throw e;
    }
    this.emit(EventType.LOGOUT_SUCCESS, InteractionType.Redirect);
    this.emit(EventType.LOGOUT_END, InteractionType.Redirect);
    if (!url) return;
    // v5 takes onRedirectNavigate in auth configuration; v3/v4 took it in the request.
    const onNavigate = r.onRedirectNavigate || (this.config.auth && this.config.auth.onRedirectNavigate);
    if (typeof onNavigate === "function" && onNavigate(url) === false) {
      client.abortLogout();
      return;
    }
    await this.navigationClient.navigateExternal(url, { noHistory: false, apiId: 961, timeout: 30000 });
  }
  logout(request) { return this.logoutRedirect(request); }

  // Signs out in a popup: the account's tokens are removed at once and the end-session page
  // runs in the popup; the promise settles when it is done (or the user closed it).
  logoutPopup(request) {
    const r = request || {};
    let done;
    try {
      this.emit(EventType.LOGOUT_START, InteractionType.Popup, r);
      done = this.engine().logoutPopup(requestJson(r));
      this.emit(EventType.POPUP_OPENED, InteractionType.Popup);
    } catch (raw) {
      const e = toError(raw);
      this.emit(EventType.LOGOUT_FAILURE, InteractionType.Popup, null, e);
      this.emit(EventType.LOGOUT_END, InteractionType.Popup);
      return Promise.reject(e);
    }
    return done.then(() => {
      this.emit(EventType.LOGOUT_SUCCESS, InteractionType.Popup);
      this.emit(EventType.LOGOUT_END, InteractionType.Popup);
      if (r.mainWindowRedirectUri) {
        return this.navigationClient.navigateInternal(new URL(r.mainWindowRedirectUri, window.location.href).href, { noHistory: false, apiId: 962, timeout: 30000 }).then(() => undefined);
      }
    }, (raw) => {
      const e = toError(raw);
      this.emit(EventType.LOGOUT_FAILURE, InteractionType.Popup, null, e);
      this.emit(EventType.LOGOUT_END, InteractionType.Popup);
      throw e;
    });
  }

  async clearCache(request) {
    try { this.engine().clearCache(requestJson(request)); } catch (raw) { throw toError(raw); }
  }

  // ---- accounts ----
  getAllAccounts(filter) {
    if (!this.client) return [];
    return JSON.parse(this.client.allAccounts()).filter((a) => matchesFilter(a, filter)).map(toAccount);
  }
  getAccount(filter) {
    return this.getAllAccounts(filter)[0] || null;
  }
  getAccountByHomeId(homeAccountId) { return this.getAccount({ homeAccountId }); }
  getAccountByLocalId(localAccountId) { return this.getAccount({ localAccountId }); }
  getAccountByUsername(username) { return this.getAccount({ username }); }
  getActiveAccount() {
    if (!this.client) return null;
    const a = this.client.activeAccount();
    return a ? toAccount(JSON.parse(a)) : null;
  }
  setActiveAccount(account) {
    const before = this.getActiveAccount();
    try {
      this.engine().setActiveAccount(account ? account.homeAccountId : undefined);
    } catch (raw) {
      throw toError(raw);
    }
    this.knownActive = this.activeId();
    if ((before && before.homeAccountId) !== (account && account.homeAccountId)) this.emit(EventType.ACTIVE_ACCOUNT_CHANGED);
  }

  // ---- misc ----
  getLogger() { return this.logger; }
  setLogger(logger) { this.logger = logger; }
  setNavigationClient(navigationClient) { this.navigationClient = navigationClient; }
  getConfiguration() { return this.config; }
  enableAccountStorageEvents() {}
  disableAccountStorageEvents() {}
}

export { broadcastResponseToMainFrame } from "./redirect-bridge.js";
