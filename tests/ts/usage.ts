// Written against the package's declarations; `tsc --strict --noEmit` must accept it
// unchanged from an msal-browser app (only the import differs).
import {
  PublicClientApplication,
  InteractionRequiredAuthError,
  BrowserAuthError,
  ServerError,
  EventType,
  InteractionType,
  InteractionStatus,
  CacheLookupPolicy,
  EventMessageUtils,
  LogLevel,
  BrowserCacheLocation,
  PromptValue,
  WrapperSKU,
  BrowserAuthErrorCodes,
  Logger,
  createStandardPublicClientApplication,
  createNestablePublicClientApplication,
  isPlatformBrokerAvailable,
  enforceResourceParameter,
  type PerformanceEvent,
  type AuthenticationResult,
  type AccountInfo,
  type Configuration,
  type EventMessage,
  type PopupRequest,
  type RedirectRequest,
  type SilentRequest,
  type SsoSilentRequest,
  type EndSessionRequest,
  type AuthorizationCodeRequest,
} from "msal-wasm";
import { broadcastResponseToMainFrame } from "msal-wasm/redirect-bridge";
import { runPopupRelay, type PopupRelayOptions } from "msal-wasm/popup-relay";

const config: Configuration = {
  auth: {
    clientId: "00000000-0000-0000-0000-000000000000",
    authority: "https://login.microsoftonline.com/common",
    redirectUri: "http://localhost:3000",
    knownAuthorities: ["login.microsoftonline.com"],
    clientCapabilities: ["CP1"],
  },
  cache: { cacheLocation: BrowserCacheLocation.LocalStorage },
  system: {
    tokenRenewalOffsetSeconds: 300,
    loggerOptions: {
      logLevel: LogLevel.Warning,
      piiLoggingEnabled: false,
      loggerCallback: (level: LogLevel, message: string, containsPii: boolean) => {
        if (!containsPii && level <= LogLevel.Warning) console.warn(message);
      },
    },
  },
};

const pca = new PublicClientApplication(config);

let status: InteractionStatus = InteractionStatus.Startup;
const callbackId: string | null = pca.addEventCallback((message: EventMessage) => {
  // msal-browser v5: LOGIN_SUCCESS carries the new account.
  if (message.eventType === EventType.LOGIN_SUCCESS && message.payload) {
    pca.setActiveAccount(message.payload as AccountInfo);
  }
  status = EventMessageUtils.getInteractionStatusFromEvent(message, status) ?? status;
}, [EventType.LOGIN_SUCCESS, EventType.HANDLE_REDIRECT_END]);

// An MCP app (msal v5): every request names its RFC 8707 resource.
async function mcpToken(account: AccountInfo): Promise<string> {
  const request: SilentRequest = { scopes: ["tools.call"], account, resource: "https://mcp.contoso.com/", extraParameters: { x: "1" }, storeInCache: { refreshToken: true, accessToken: false } };
  enforceResourceParameter(true, request);
  return (await pca.acquireTokenSilent(request)).accessToken;
}
void mcpToken;

async function getToken(scopes: string[]): Promise<string> {
  const account: AccountInfo | null = pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;
  const silent: SilentRequest = { scopes, account: account ?? undefined, cacheLookupPolicy: CacheLookupPolicy.Default };
  try {
    const r: AuthenticationResult = await pca.acquireTokenSilent(silent);
    const expires: Date | null = r.expiresOn;
    console.log(expires?.getTime(), r.fromCache, r.idTokenClaims.tid, r.idTokenClaims.roles?.includes("Admin"));
    return r.accessToken;
  } catch (e) {
    if (e instanceof InteractionRequiredAuthError) {
      const popup: PopupRequest = { scopes, account: account ?? undefined, popupWindowAttributes: { popupSize: { width: 500, height: 640 } } };
      return (await pca.acquireTokenPopup(popup)).accessToken;
    }
    if (e instanceof ServerError) console.error(e.errorCode, e.status, e.subError);
    if (e instanceof BrowserAuthError && e.errorCode === "user_cancelled") return "";
    throw e;
  }
}

async function main(): Promise<void> {
  await pca.initialize();
  const redirected: AuthenticationResult | null = await pca.handleRedirectPromise();
  if (redirected) pca.setActiveAccount(redirected.account);
  const redirect: RedirectRequest = { scopes: ["User.Read"], prompt: PromptValue.SELECT_ACCOUNT, onRedirectNavigate: (url: string) => url.length > 0 };
  if (!pca.getActiveAccount()) await pca.loginRedirect(redirect);
  // A provider's own prompt value (or OpenID Connect's list) goes as given, as with msal.
  await pca.loginPopup({ scopes: ["User.Read"], prompt: "login consent" });
  const sso: SsoSilentRequest = { loginHint: "ada@contoso.com", scopes: ["User.Read"] };
  await pca.ssoSilent(sso);
  const byCode: AuthorizationCodeRequest = { code: "c", scopes: ["User.Read"], codeVerifier: "v" };
  await pca.acquireTokenByCode(byCode);
  // A hybrid app's broker account (msal's request type has it).
  await pca.acquireTokenByCode({ nativeAccountId: "n", scopes: ["User.Read"] });
  // msal's signatures: the broker check takes its DOM flag; a nestable client's factory
  // passes the controller to the constructor (msal 5.31).
  if (await isPlatformBrokerAvailable(false, { logLevel: LogLevel.Info })) console.log("broker");
  const nestable = await createNestablePublicClientApplication(config, "cid", (c, controller) => new PublicClientApplication(c, controller));
  await nestable.initialize();
  const token = await getToken(["User.Read"]);
  await fetch("https://graph.microsoft.com/v1.0/me", { headers: { Authorization: `Bearer ${token}` } });
  const logout: EndSessionRequest = { account: pca.getActiveAccount(), postLogoutRedirectUri: "/" };
  await pca.logoutPopup(logout);
  if (callbackId) pca.removeEventCallback(callbackId);
  const interaction: InteractionType = InteractionType.Popup;
  console.log(interaction, status);
  await broadcastResponseToMainFrame();
  // What wrapper libraries (msal-react, msal-angular) call on the instance.
  pca.initializeWrapperLibrary(WrapperSKU.React, "5.7.1");
  const logger: Logger = pca.getLogger().clone("@azure/msal-react", "5.7.1");
  logger.verbose("MsalProvider - registered", "");
  const perf = pca.addPerformanceCallback((events: PerformanceEvent[]) => events.forEach((e) => console.log(e.name, e.durationMs)));
  pca.removePerformanceCallback(perf);
  const v5 = await createStandardPublicClientApplication(config);
  await v5.handleRedirectPromise({ navigateToLoginRequestUrl: false });
  await v5.clearCache({ account: v5.getActiveAccount() });
  console.log(BrowserAuthErrorCodes.userCancelled === "user_cancelled");
}

void main();

// An msal 5 configuration as apps and msal-angular's factories write it: every field of v5's
// Configuration type is accepted (those msal-wasm does not act on are warned about at run time).
export const v5Config: Configuration = {
  auth: { clientId: "c", authority: "https://login.microsoftonline.com/common", popupRelayUri: "/relay", instanceAware: false, verifySSO: false, originCheck: true },
  cache: { cacheLocation: BrowserCacheLocation.LocalStorage },
  system: { allowPlatformBroker: false, redirectNavigationTimeout: 10000, navigatePopups: true, enableLegacyPolling: false, serverTelemetryEnabled: false },
  experimental: { enableAsymmetricEar: false },
  telemetry: { application: { appName: "app", appVersion: "1.0" } },
};
export const signOut: EndSessionRequest = { authority: "https://login.microsoftonline.com/other-tenant", postLogoutRedirectUri: "/" };

// The popup relay page (msal 5's `@azure/msal-browser/popup-relay`).
const relayOptions: PopupRelayOptions = { protocolVersion: 2, allowedAuthorityOrigins: ["https://login.microsoftonline.com"], timeoutMs: 60000, popupWindowAttributes: { popupSize: { width: 500, height: 600 } } };
document.getElementById("continue")?.addEventListener("click", () => runPopupRelay(relayOptions));
