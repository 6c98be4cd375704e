// The demo SPA: msal-browser code, only the import differs.
import { PublicClientApplication, EventType, InteractionRequiredAuthError } from "./pkg/index.js";

const params = new URLSearchParams(window.location.search);
const idp = params.get("idp") || localStorage.getItem("demo.idp") || "";
if (params.get("idp")) localStorage.setItem("demo.idp", params.get("idp"));
const scopes = ["User.Read", "api.read"];
const $ = (id) => document.getElementById(id);
const show = (id, v) => { $(id).textContent = typeof v === "string" ? v : JSON.stringify(v, null, 2); };

const pca = new PublicClientApplication({
  auth: {
    clientId: "msal-wasm-test-client",
    authority: idp,
    knownAuthorities: idp ? [new URL(idp).host] : [],
    redirectUri: window.location.origin + "/",
    postLogoutRedirectUri: window.location.origin + "/",
  },
  cache: { cacheLocation: "sessionStorage" },
  system: {
    // msal-wasm's own: check each new ID token's issuer, audience and lifetime too.
    validateIdTokenClaims: true,
    loggerOptions: { logLevel: 2, loggerCallback: (_l, m) => console.log(m) },
  },
});

pca.addEventCallback((e) => {
  $("events").textContent += `${new Date(e.timestamp).toISOString().slice(11, 23)} ${e.eventType}${e.error ? " " + e.error.errorCode : ""}\n`;
});

function render() {
  const all = pca.getAllAccounts();
  const active = pca.getActiveAccount();
  const select = $("accounts");
  select.replaceChildren();
  for (const a of all) select.add(new Option(a.username, a.homeAccountId, false, active && a.homeAccountId === active.homeAccountId));
  const account = active || all[0] || null;
  show("account", account ? { name: account.name, username: account.username, homeAccountId: account.homeAccountId, tenantId: account.tenantId } : "none");
  show("claims", account && account.idTokenClaims ? account.idTokenClaims : "none");
  $("status").textContent = account ? `signed in as ${account.name}` : "signed out";
  return account;
}

async function token() {
  const account = render();
  if (!account) throw new Error("sign in first");
  try {
    return await pca.acquireTokenSilent({ scopes, account });
  } catch (e) {
    if (e instanceof InteractionRequiredAuthError) return pca.acquireTokenPopup({ scopes, account, redirectUri: window.location.origin + "/redirect.html" });
    throw e;
  }
}

async function main() {
  if (!idp) {
    $("status").textContent = "no identity provider: open this page with ?idp=<authority URL>";
    return;
  }
  await pca.initialize();
  const redirected = await pca.handleRedirectPromise();
  if (redirected) pca.setActiveAccount(redirected.account);
  render();
  const guard = (fn) => async () => {
    try { await fn(); } catch (e) { $("status").textContent = `error: ${e.errorCode || e.message}`; }
  };
  $("login-popup").onclick = guard(async () => {
    const r = await pca.loginPopup({ scopes, redirectUri: window.location.origin + "/redirect.html" });
    pca.setActiveAccount(r.account);
    render();
  });
  $("login-redirect").onclick = guard(() => pca.loginRedirect({ scopes }));
  $("token").onclick = guard(async () => {
    const r = await token();
    show("token-out", { fromCache: r.fromCache, scopes: r.scopes, expiresOn: r.expiresOn.toISOString(), tokenType: r.tokenType });
    $("token-out").dataset.expires = r.expiresOn.toISOString();
  });
  $("userinfo").onclick = guard(async () => {
    const r = await token();
    const meta = await (await fetch(new URL(".well-known/openid-configuration", idp.endsWith("/") ? idp + "v2.0/" : idp + "/v2.0/"))).json().catch(() => null);
    const url = meta && meta.userinfo_endpoint;
    const res = await fetch(url, { headers: { Authorization: `Bearer ${r.accessToken}` } });
    show("userinfo-out", await res.json());
  });
  $("sso").onclick = guard(async () => {
    const account = render();
    const r = await pca.ssoSilent({ scopes, loginHint: account ? account.username : undefined });
    pca.setActiveAccount(r.account);
    render();
  });
  $("logout").onclick = guard(() => pca.logoutRedirect({ account: pca.getActiveAccount() }));
  $("logout-popup").onclick = guard(async () => {
    await pca.logoutPopup({ account: pca.getActiveAccount(), postLogoutRedirectUri: window.location.origin + "/redirect.html" });
    render();
  });
  $("token-redirect").onclick = guard(() => pca.acquireTokenRedirect({ scopes, account: render() || undefined }));
  $("accounts").onchange = () => { pca.setActiveAccount(pca.getAccount({ homeAccountId: $("accounts").value })); render(); };
  document.body.dataset.ready = "1";
}

main().catch((e) => { $("status").textContent = `error: ${e.errorCode || e.message}`; });
