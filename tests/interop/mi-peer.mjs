// msal-node 7's ManagedIdentityApplication against the simulated managed identity endpoints of
// native/tests/managed_identity.rs:
//   node mi-peer.mjs <resource> [userAssignedClientId|userAssignedResourceId|userAssignedObjectId <id>]
// The source comes from the environment variables msal-node reads (the test sets them). Asks
// for a token twice; prints {"source", "calls": [{"accessToken", "fromCache", "scopes"} | {"error"}]}.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "node_modules", "noop.js"));
const { ManagedIdentityApplication } = require("@azure/msal-node");

const [resource, kind, id] = process.argv.slice(2);
const app = new ManagedIdentityApplication(kind ? { managedIdentityIdParams: { [kind]: id } } : {});
const outcome = (p) =>
  p.then((r) => ({ accessToken: r.accessToken, fromCache: r.fromCache, scopes: r.scopes }), (e) => ({ error: e.errorCode || e.message }));
const calls = [await outcome(app.acquireToken({ resource })), await outcome(app.acquireToken({ resource }))];
console.log(JSON.stringify({ source: app.getManagedIdentitySource(), calls }));
