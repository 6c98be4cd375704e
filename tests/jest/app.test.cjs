// A Create React App style test, run by Jest in its jsdom environment, as an app's own suite
// runs it: msal-react's MsalProvider over a PublicClientApplication from "@azure/msal-browser"
// (mapped to msal-wasm, or msal-browser itself). It writes what it saw to $JEST_OUT, which
// tests/e2e/jest.test.mjs compares between the two.
const { writeFileSync } = require("node:fs");
const React = require("react");
const { act } = React;
const { createRoot } = require("react-dom/client");
const msal = require("@azure/msal-browser");
const { MsalProvider, useMsal, AuthenticatedTemplate, UnauthenticatedTemplate } = require("@azure/msal-react");

globalThis.IS_REACT_ACT_ENVIRONMENT = true;
const h = React.createElement;

function Status() {
  const { inProgress, accounts } = useMsal();
  return h("p", { id: "status" }, `${inProgress}:${accounts.length}`);
}

test("an app's test renders MsalProvider over a PublicClientApplication, signed out", async () => {
  const seen = { enums: [msal.InteractionStatus.None, msal.EventType.LOGIN_SUCCESS, msal.BrowserCacheLocation.SessionStorage] };
  const pca = new msal.PublicClientApplication({
    auth: { clientId: "00000000-0000-0000-0000-000000000001", authority: "https://login.microsoftonline.com/common", redirectUri: "http://localhost/" },
  });
  // v4 code passes its own callback id, which msal 5 ignores: two callbacks registered under one
  // id both hear the events.
  const heard = [0, 0];
  pca.addEventCallback(() => heard[0]++, undefined, "app-cb");
  pca.addEventCallback(() => heard[1]++, undefined, "app-cb");
  await pca.initialize();
  seen.heard = [...heard];
  seen.redirect = await pca.handleRedirectPromise();
  seen.accounts = pca.getAllAccounts();
  const e = await pca.acquireTokenSilent({ scopes: ["User.Read"] }).catch((x) => x);
  seen.silent = [e instanceof msal.BrowserAuthError, e instanceof msal.AuthError, e.errorCode];
  const root = document.createElement("div");
  document.body.appendChild(root);
  const r = createRoot(root);
  await act(async () => {
    r.render(h(MsalProvider, { instance: pca }, h(Status), h(AuthenticatedTemplate, null, h("p", null, "signed in")), h(UnauthenticatedTemplate, null, h("p", null, "signed out"))));
  });
  seen.rendered = root.textContent;
  await act(async () => r.unmount());
  writeFileSync(process.env.JEST_OUT, JSON.stringify(seen));
  expect(seen.rendered).toBe("none:0signed out");
  expect(heard[1]).toBeGreaterThan(0);
});
