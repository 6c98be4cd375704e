// msal-node 7 reads a cache file msal-native wrote (native/tests/web_app.rs):
//   node obo-peer.mjs <cache file> <authority> <client id> <secret> <scope> <user assertion>
// Deserializes the file into a ConfidentialClientApplication whose network fails every request,
// then asks for the app's own token (client credentials) and for a token on behalf of the user
// whose access token is <user assertion>, both for <scope>. Prints, for each,
// {"accessToken", "fromCache"} or {"error"}: served from the file, or not.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "node_modules", "noop.js"));
const { ConfidentialClientApplication } = require("@azure/msal-node");

const [file, authority, clientId, secret, scope, assertion] = process.argv.slice(2);
const refuse = (url) => Promise.reject(new Error(`no network in this peer (${url})`));
const networkClient = { sendGetRequestAsync: refuse, sendPostRequestAsync: refuse };
// msal-node only talks to https authorities; the endpoints are given, so no request is needed.
const httpsAuthority = authority.replace(/^http:/, "https:");
const discovery = await (await fetch(`${authority}/v2.0/.well-known/openid-configuration`)).text();
const cca = new ConfidentialClientApplication({
  auth: {
    clientId, authority: httpsAuthority, clientSecret: secret, knownAuthorities: [new URL(httpsAuthority).host],
    authorityMetadata: discovery.replace(/http:\/\/127\.0\.0\.1/g, "https://127.0.0.1"),
  },
  system: { networkClient },
});
cca.getTokenCache().deserialize(readFileSync(file, "utf8"));
const outcome = (p) => p.then((r) => ({ accessToken: r.accessToken, fromCache: r.fromCache }), (e) => ({ error: e.errorCode || e.message }));
console.log(JSON.stringify({
  clientCredential: await outcome(cca.acquireTokenByClientCredential({ scopes: [scope] })),
  onBehalfOf: await outcome(cca.acquireTokenOnBehalfOf({ scopes: [scope], oboAssertion: assertion })),
}));
