// Negative checks: each of these must be a type error (tsc reports the unused directive
// otherwise).
import { PublicClientApplication, type SilentRequest, type Configuration } from "msal-wasm";

// @ts-expect-error clientId is required
const noClient: Configuration = { auth: {} };
// @ts-expect-error scopes must be strings
const badScopes: SilentRequest = { scopes: [1, 2] };
// @ts-expect-error cacheLocation is one of three names
const badCache: Configuration = { auth: { clientId: "c" }, cache: { cacheLocation: "cookies" } };
const pca = new PublicClientApplication({ auth: { clientId: "c" } });
// @ts-expect-error a silent request's prompt is none or no_session
void pca.ssoSilent({ scopes: [], prompt: "login" });
void [noClient, badScopes, badCache];
