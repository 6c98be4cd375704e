// msal-node side of the interop test (see run.sh).
//   node peer.mjs roundtrip <in.json> <out.json> <meta.json>   read, check, serialize()
//   node peer.mjs read <in.json> <meta.json>                    read and check only
// Exits non-zero on any failure. Never touches the network: every request fails.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "node_modules", "noop.js"));
const { PublicClientApplication, LogLevel } = require("@azure/msal-node");

const [mode, input, ...rest] = process.argv.slice(2);
const metaPath = mode === "roundtrip" ? rest[1] : rest[0];
const meta = JSON.parse(readFileSync(metaPath, "utf8"));
const tenant = meta.tenant;

const noNetwork = {
  sendGetRequestAsync: async (url) => { throw new Error(`unexpected network GET ${url}`); },
  sendPostRequestAsync: async (url) => { throw new Error(`unexpected network POST ${url}`); },
};
const authority = `https://login.microsoftonline.com/${tenant}`;
const authorityMetadata = JSON.stringify({
  token_endpoint: `${authority}/oauth2/v2.0/token`,
  authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
  end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
  issuer: `${authority}/v2.0`,
  jwks_uri: `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
});
const cloudDiscoveryMetadata = JSON.stringify({
  tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
  "api-version": "1.1",
  metadata: [{
    preferred_network: "login.microsoftonline.com",
    preferred_cache: "login.windows.net",
    aliases: ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
  }],
});

function fail(msg) {
  console.error(`msal-node: ${input}: ${msg}`);
  process.exit(1);
}

const pca = new PublicClientApplication({
  auth: { clientId: meta.clientId, authority, authorityMetadata, cloudDiscoveryMetadata },
  system: { networkClient: noNetwork, loggerOptions: { logLevel: LogLevel.Error, loggerCallback: () => {} } },
});
const cache = pca.getTokenCache();
cache.deserialize(readFileSync(input, "utf8"));

const accounts = await cache.getAllAccounts();
if (accounts.length !== 1) fail(`expected 1 account, got ${accounts.length}`);
const account = accounts[0];
if (account.homeAccountId !== meta.homeAccountId) fail(`homeAccountId ${account.homeAccountId}`);
if (account.username !== meta.username) fail(`username ${account.username}`);
if (!account.idTokenClaims || account.idTokenClaims.preferred_username !== meta.username) fail("id token claims not read");

let result;
try {
  result = await pca.acquireTokenSilent({ account, scopes: [meta.scope] });
} catch (e) {
  fail(`acquireTokenSilent: ${e.errorCode || e.name}: ${e.message}`);
}
if (result.accessToken !== meta.accessToken) fail("acquireTokenSilent did not return the cached access token");
if (!result.fromCache) fail("the access token did not come from the cache");

if (mode === "roundtrip") {
  writeFileSync(rest[0], cache.serialize());
}
console.log(`msal-node: ${input}: ok (1 account, cached access token served)`);
