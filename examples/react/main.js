// An @azure/msal-react 5 app, written as msal-react's docs show, running on msal-wasm through
// a bundler alias (vite.config.js). No JSX, so that Vite needs no React plugin.
import { createElement as h, useEffect, useState, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { PublicClientApplication, EventType, InteractionType } from "@azure/msal-browser";
import {
  MsalProvider, useMsal, useIsAuthenticated, useAccount, useMsalAuthentication,
  AuthenticatedTemplate, UnauthenticatedTemplate, MsalAuthenticationTemplate,
} from "@azure/msal-react";

// The test passes the provider's authority (and a mode) once; a redirect's return keeps them.
const q = new URLSearchParams(location.search);
for (const k of ["idp", "mode", "strict"]) if (q.get(k)) sessionStorage.setItem(`app.${k}`, q.get(k));
const idp = sessionStorage.getItem("app.idp") || "";
const mode = sessionStorage.getItem("app.mode") || "buttons";
// strict=1: the setup of msal-react's newer samples, React.StrictMode (every effect runs twice)
// around an MsalProvider rendered after the app's own initialize() and handleRedirectPromise().
const strict = sessionStorage.getItem("app.strict") === "1";
const scopes = ["User.Read"];

const pca = new PublicClientApplication({
  auth: {
    clientId: "msal-wasm-test-client",
    authority: idp,
    knownAuthorities: idp ? [new URL(idp).host] : [],
    redirectUri: "/",
    postLogoutRedirectUri: "/",
  },
  cache: { cacheLocation: "localStorage" },
  system: { loggerOptions: { logLevel: 4, loggerCallback: (level, message) => console.debug(message) } },
});
// The callback msal-browser v5's docs give: a new sign-in becomes the active account.
window.logins = 0;
pca.addEventCallback((event) => {
  if (event.eventType === EventType.LOGIN_SUCCESS && event.payload) {
    window.logins++;
    pca.setActiveAccount(event.payload);
  }
});

window.trail = [];
function Status() {
  const { inProgress, accounts } = useMsal();
  const isAuthenticated = useIsAuthenticated();
  const account = useAccount(accounts[0] || {});
  if (window.trail[window.trail.length - 1] !== inProgress) window.trail.push(inProgress);
  return h("pre", { id: "status" }, JSON.stringify({ inProgress, accounts: accounts.length, isAuthenticated, user: account ? account.username : null }));
}

// A silent token, used on an API (the provider's userinfo endpoint).
function Profile() {
  const { instance, accounts } = useMsal();
  const [profile, setProfile] = useState("loading");
  useEffect(() => {
    const account = instance.getActiveAccount() || accounts[0];
    instance.acquireTokenSilent({ scopes, account })
      .then((r) => fetch(`${idp}/oidc/userinfo`, { headers: { Authorization: `Bearer ${r.accessToken}` } }).then((res) => res.json()).then((me) => ({ user: me.preferred_username, fromCache: r.fromCache })))
      .then((p) => setProfile(JSON.stringify(p)), (e) => setProfile(`error ${e.errorCode || e.message}`));
  }, [instance, accounts]);
  return h("pre", { id: "profile" }, profile);
}

function Buttons() {
  const { instance } = useMsal();
  return h("div", null,
    h("button", { id: "login", onClick: () => instance.loginPopup({ scopes, redirectUri: "/redirect.html" }).catch((e) => (window.loginError = e.errorCode)) }, "Sign in"),
    h("button", { id: "logout", onClick: () => instance.logoutPopup({ account: instance.getActiveAccount(), postLogoutRedirectUri: "/redirect.html" }) }, "Sign out"),
    h(AuthenticatedTemplate, null, h(Profile)),
    h(UnauthenticatedTemplate, null, h("p", { id: "signed-out" }, "signed out")));
}

// useMsalAuthentication signs in when nobody is, by popup or redirect.
function Auto({ interactionType }) {
  const request = interactionType === InteractionType.Popup ? { scopes, redirectUri: "/redirect.html" } : { scopes };
  const { result, error } = useMsalAuthentication(interactionType, request);
  return h("div", null,
    h("pre", { id: "auto" }, result ? `result ${result.account.username}` : error ? `error ${error.errorCode}` : "pending"),
    h(AuthenticatedTemplate, null, h(Profile)));
}

// MsalAuthenticationTemplate renders its children once signed in, signing in first; a sign-in
// that failed renders its errorComponent (B2C's "Forgot your password?", for one).
const SignInError = ({ error }) => h("pre", { id: "template-error" }, `${error.errorCode} ${error.errorMessage.split("\r\n")[0]}`);
function Template({ interactionType }) {
  const request = interactionType === InteractionType.Popup ? { scopes, redirectUri: "/redirect.html" } : { scopes };
  return h(MsalAuthenticationTemplate, { interactionType, authenticationRequest: request, errorComponent: SignInError }, h(Profile));
}

const modes = {
  buttons: () => h(Buttons),
  "auto-popup": () => h(Auto, { interactionType: InteractionType.Popup }),
  "auto-redirect": () => h(Auto, { interactionType: InteractionType.Redirect }),
  "template-popup": () => h(Template, { interactionType: InteractionType.Popup }),
  "template-redirect": () => h(Template, { interactionType: InteractionType.Redirect }),
};

const app = () => h(MsalProvider, { instance: pca }, h(Status), (modes[mode] || modes.buttons)());
if (strict) {
  await pca.initialize();
  window.appRedirect = await pca.handleRedirectPromise().then((r) => (r ? r.account.username : null), (e) => `error ${e.errorCode}`);
  if (!pca.getActiveAccount() && pca.getAllAccounts().length > 0) pca.setActiveAccount(pca.getAllAccounts()[0]);
  createRoot(document.getElementById("root")).render(h(StrictMode, null, app()));
} else {
  createRoot(document.getElementById("root")).render(app());
}
document.body.dataset.ready = "1";
