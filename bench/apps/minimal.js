// The smallest real app, bundled only to measure size: initialize, sign in by popup, then
// get a token silently. "msal-lib" is @azure/msal-browser or msal-wasm (chosen at bundle time).
import { PublicClientApplication } from "msal-lib";

const authority = new URLSearchParams(location.search).get("authority");
const pca = new PublicClientApplication({
  auth: {
    clientId: "msal-wasm-test-client",
    authority,
    knownAuthorities: [new URL(authority).host],
    redirectUri: location.origin + "/redirect.html",
  },
  cache: { cacheLocation: "localStorage" },
  system: { protocolMode: "OIDC" },
});
await pca.initialize();
document.getElementById("login").onclick = async () => {
  const { account } = await pca.loginPopup({ scopes: ["User.Read"] });
  const { accessToken } = await pca.acquireTokenSilent({ scopes: ["User.Read"], account });
  document.body.dataset.token = accessToken;
};
