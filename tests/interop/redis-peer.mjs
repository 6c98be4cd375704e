// msal-node 7 with its DistributedCachePlugin on the Redis that msal-native uses (see
// native/tests/interop_node.rs):
//   node redis-peer.mjs <redis port> <authority> <client id> <secret> <scope> read|write
// read:  acquireTokenByClientCredential must be served from Redis (any network request fails)
// write: gets a token from the provider and stores it in Redis
// Prints {"accessToken", "fromCache"} on success; exits non-zero on any failure.
import net from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "node_modules", "noop.js"));
const { ConfidentialClientApplication, DistributedCachePlugin } = require("@azure/msal-node");

const [port, authority, clientId, secret, scope, mode] = process.argv.slice(2);

// The few Redis commands the plugin needs, over RESP.
function redis(args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1");
    let buf = Buffer.alloc(0);
    socket.on("error", reject);
    socket.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf("\r\n");
      if (end < 0) return;
      const head = buf.subarray(0, end).toString();
      if (head[0] === "-") { socket.end(); reject(new Error(head)); return; }
      if (head[0] === "+") { socket.end(); resolve(head.slice(1)); return; }
      if (head[0] === "$") {
        const len = Number(head.slice(1));
        if (len < 0) { socket.end(); resolve(null); return; }
        if (buf.length < end + 2 + len + 2) return;
        socket.end();
        resolve(buf.subarray(end + 2, end + 2 + len).toString("utf8"));
      }
    });
    socket.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(""));
  });
}

const tenant = new URL(authority).pathname.split("/")[1];
const partitionKey = `msal.${clientId}.${tenant}`;
const client = { get: (key) => redis(["GET", key]).then((v) => v ?? ""), set: (key, value) => redis(["SET", key, value]) };
const partitions = { getKey: async () => partitionKey, extractKey: async (account) => account.homeAccountId };

// msal-node only talks to https authorities: it is given the provider's address as https, and
// this network module sends its requests to the provider over http (or refuses, when reading).
const httpUrl = (url) => url.replace(/^https:/, "http:");
let requests = 0;
async function send(url, options, method) {
  requests++;
  if (mode === "read") throw new Error(`unexpected network ${method} ${url}`);
  const r = await fetch(httpUrl(url), { method, headers: options && options.headers, body: options && options.body });
  const headers = Object.fromEntries(r.headers.entries());
  return { status: r.status, headers, body: JSON.parse((await r.text()).replace(/http:\/\/127\.0\.0\.1/g, "https://127.0.0.1")) };
}
const networkClient = {
  sendGetRequestAsync: (url, options) => send(url, options, "GET"),
  sendPostRequestAsync: (url, options) => send(url, options, "POST"),
};

const httpsAuthority = authority.replace(/^http:/, "https:");
// The endpoints, given to msal-node so that a cache read needs no network.
const discovery = await (await fetch(`${authority}/v2.0/.well-known/openid-configuration`)).text();
const authorityMetadata = discovery.replace(/http:\/\/127\.0\.0\.1/g, "https://127.0.0.1");
const cca = new ConfidentialClientApplication({
  auth: { clientId, authority: httpsAuthority, clientSecret: secret, knownAuthorities: [new URL(httpsAuthority).host], authorityMetadata },
  cache: { cachePlugin: new DistributedCachePlugin(client, partitions) },
  system: { networkClient },
});
try {
  const r = await cca.acquireTokenByClientCredential({ scopes: [scope] });
  if (mode === "read" && !r.fromCache) throw new Error("not served from the cache");
  console.log(JSON.stringify({ accessToken: r.accessToken, fromCache: r.fromCache }));
} catch (e) {
  console.error(`msal-node redis peer (${mode}): ${e && (e.errorCode || e.message) ? `${e.errorCode || ""} ${e.message}` : e}`);
  process.exit(1);
}
