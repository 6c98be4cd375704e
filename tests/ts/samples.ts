// Patterns from msal-browser 5's own samples and from apps built on them (vue3-sample-app's
// authConfig.ts, msal-angular's b2c sample, unit tests' result mocks): each compiles against
// msal-browser's types, so it must against ours.
import { PublicClientApplication, type AuthenticationResult, type AccountInfo } from "msal-wasm";

// An unannotated configuration: its cacheLocation widens to string (msal types it
// `BrowserCacheLocation | string`).
const msalConfig = {
  auth: { clientId: "c", authority: "https://login.microsoftonline.com/common", redirectUri: "/" },
  cache: { cacheLocation: "localStorage" },
};
export const fromSample = new PublicClientApplication(msalConfig);
// getConfiguration() has every section, as msal's BrowserConfiguration.
export const location: string = fromSample.getConfiguration().cache.cacheLocation;
// Its fields filled in (msal's Required<…> sections, InternalAuthOptions): under --strict, as
// apps read them.
const filled = fromSample.getConfiguration();
export const redirectUri: string = filled.auth.redirectUri;
export const authorityUrl = new URL(filled.auth.authority);
export const scopes: string[] = filled.auth.OIDCOptions.defaultScopes;
export const renewal: number = filled.system.tokenRenewalOffsetSeconds + filled.system.popupBridgeTimeout;
export const logLevel = filled.system.loggerOptions.logLevel;
// Role checks on the ID token's claims, and B2C's policy claims.
export const isAdmin = (a: AccountInfo): boolean => a.idTokenClaims?.roles?.includes("Admin") ?? false;
export const policy = (a: AccountInfo): string => a.idTokenClaims?.tfp ?? a.idTokenClaims?.acr ?? "";
// A test's mock result with only the fields msal requires.
export const mock: AuthenticationResult = {
  authority: "https://login.microsoftonline.com/common", uniqueId: "u", tenantId: "t", scopes: ["User.Read"],
  account: { homeAccountId: "h", environment: "login.microsoftonline.com", tenantId: "t", username: "ada", localAccountId: "l" },
  idToken: "", idTokenClaims: {}, accessToken: "at", fromCache: false, expiresOn: null, tokenType: "Bearer", correlationId: "c",
};
// msal 5's EAR mode is a valid configuration (msal-wasm's calls refuse it at run time).
export const ear = new PublicClientApplication({ auth: { clientId: "c" }, system: { protocolMode: "EAR" } });
// Request fields msal 5 types: a scenario id for telemetry, the deprecated maxAge.
export const silent = () => fromSample.acquireTokenSilent({ scopes: ["User.Read"], scenarioId: "checkout", maxAge: 3600 });
