// Negative checks: each of these must be a type error (tsc reports the unused directive
// otherwise).
import { BrowserAuthErrorCodes, BrowserAuthError, PublicClientApplication, type SilentRequest, type Configuration } from "msal-wasm";

// @ts-expect-error clientId is required
const noClient: Configuration = { auth: {} };
// @ts-expect-error scopes must be strings
const badScopes: SilentRequest = { scopes: [1, 2] };
// @ts-expect-error cacheLocation is a string (msal's type: BrowserCacheLocation | string)
const badCache: Configuration = { auth: { clientId: "c" }, cache: { cacheLocation: 1 } };
const pca = new PublicClientApplication({ auth: { clientId: "c" } });
// @ts-expect-error a silent request's prompt is none or no_session
void pca.ssoSilent({ scopes: [], prompt: "login" });
// @ts-expect-error a misspelt code (msal's tables name each code; this one is userCancelled)
const typo = BrowserAuthErrorCodes.userCanceled;
// A code is a string, never undefined (noUncheckedIndexedAccess is on): msal's error classes take it.
const cancelled: "user_cancelled" = BrowserAuthErrorCodes.userCancelled;
void [noClient, badScopes, badCache, typo, new BrowserAuthError(cancelled, "")];
