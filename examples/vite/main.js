// An msal-browser app built with Vite; only the import names msal-wasm.
import { PublicClientApplication, InteractionRequiredAuthError } from "msal-wasm";

const idp = new URLSearchParams(location.search).get("idp") || "";
const pca = new PublicClientApplication({
  auth: { clientId: "msal-wasm-test-client", authority: idp, knownAuthorities: idp ? [new URL(idp).host] : [], redirectUri: location.origin + "/" },
});
const $ = (id) => document.getElementById(id);

await pca.initialize();
await pca.handleRedirectPromise();
const render = () => {
  const a = pca.getAllAccounts()[0];
  $("status").textContent = a ? `signed in as ${a.username}` : "signed out";
  return a;
};
render();
$("login").onclick = async () => {
  const r = await pca.loginPopup({ scopes: ["User.Read"], redirectUri: location.origin + "/redirect.html" });
  pca.setActiveAccount(r.account);
  render();
};
$("token").onclick = async () => {
  const account = render();
  let r;
  try {
    r = await pca.acquireTokenSilent({ scopes: ["User.Read"], account });
  } catch (e) {
    if (!(e instanceof InteractionRequiredAuthError)) throw e;
    r = await pca.acquireTokenPopup({ scopes: ["User.Read"], redirectUri: location.origin + "/redirect.html" });
  }
  $("out").textContent = JSON.stringify({ fromCache: r.fromCache, expiresOn: r.expiresOn.toISOString() });
};
document.body.dataset.ready = "1";
