// An Azure SDK browser app's sign-in, as @azure/identity's docs show it: InteractiveBrowserCredential
// over msal-wasm (the test bundles it with @azure/msal-browser aliased to the package). The
// credential is what every Azure SDK client calls getToken on.
import { InteractiveBrowserCredential, serializeAuthenticationRecord, deserializeAuthenticationRecord } from "@azure/identity";

// The test passes the provider (origin and tenant) and the login style once; a redirect's return keeps them.
const q = new URLSearchParams(location.search);
for (const k of ["origin", "tenant", "style"]) if (q.get(k)) sessionStorage.setItem(`app.${k}`, q.get(k));
const origin = sessionStorage.getItem("app.origin");
const tenant = sessionStorage.getItem("app.tenant");
const style = sessionStorage.getItem("app.style") || "popup";
const base = location.pathname.replace(/[^/]*$/, "");

function credential(extra = {}) {
  return new InteractiveBrowserCredential({
    clientId: "msal-wasm-test-client",
    tenantId: tenant,
    authorityHost: origin,
    // Not login.microsoftonline.com: no instance discovery, the authority is known as given.
    disableInstanceDiscovery: true,
    // The app's folder (/msal/ or /wasm/: the test serves the same app on both libraries).
    redirectUri: `${location.origin}${base}${style === "popup" ? "redirect.html" : ""}`,
    loginStyle: style,
    additionallyAllowedTenants: ["*"],
    ...extra,
  });
}

// What an SDK client gets from the credential, or the error it would see.
async function token(cred, scopes, options) {
  try {
    const t = await cred.getToken(scopes, options);
    return { token: t.token, tokenType: t.tokenType, expiresIn: Math.round((t.expiresOnTimestamp - Date.now()) / 1000), refreshAfter: typeof t.refreshAfterTimestamp };
  } catch (e) {
    return { error: e.name, message: e.message };
  }
}

let cred = credential();
window.getToken = (scopes, options) => token(cred, scopes, options);
// From a click (a popup must open inside one): the result lands in window.result.
document.getElementById("get").onclick = () => {
  window.result = null;
  const [scopes, options] = JSON.parse(document.getElementById("get").dataset.args);
  token(cred, scopes, options).then((r) => { window.result = r; });
};
window.authenticate = async (scopes) => serializeAuthenticationRecord(await cred.authenticate(scopes));
// A new credential, as after a reload, started from a saved AuthenticationRecord.
window.withRecord = (record, extra) => { cred = credential({ authenticationRecord: deserializeAuthenticationRecord(record), ...extra }); };
window.fresh = (extra) => { cred = credential(extra); };
window.ready = true;
