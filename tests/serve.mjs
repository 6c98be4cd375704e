// A small static file server for the demo and the tests: serves `roots` (URL prefix -> dir)
// on 127.0.0.1. Optional COOP/COEP headers for cross-origin-isolated pages (`isolate: "coop"`:
// COOP alone), and an optional Content-Security-Policy on every HTML page.
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { ensureCert } from "./idp/cert.mjs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { brotliCompressSync, gzipSync, constants as zlib } from "node:zlib";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".css": "text/css",
  ".map": "application/json",
  ".d.ts": "text/plain",
};

// `roots` maps a URL prefix to a directory, or to a list of directories searched in order.
// `cache`: false sends `no-store` (every load fetches everything); true sends `no-cache` with an
// ETag and answers 304 to a matching revalidation, as a typical static host does for files
// without a hash in their name; "immutable" sends `max-age=31536000, immutable` for every file
// but the HTML pages (which get `true`'s headers), as hosts serve a bundler's hashed assets (it
// can be switched later with `setCache`).
// `compress`: text and wasm bodies go out brotli-compressed (quality 11) when the request accepts
// it, else gzip (level 9), as a CDN serves them (the bench's throttled rows; `setCompress`).
// A strict policy an SPA can ship: no inline script, no eval but WebAssembly's, Trusted Types
// required for every script sink.
export const STRICT_CSP = "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'; require-trusted-types-for 'script'";

// Brotli at quality 11, what a CDN serves to browsers that accept it.
export const brotli11 = (buf) => brotliCompressSync(buf, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: buf.length } });

const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".wasm", ".json", ".css", ".map"]);

// https: serve over TLS with the provider's self-signed certificate (an app on the same site as
// an https provider: its hidden frames get the provider's cookies).
export async function startStatic({ port = 0, roots, isolate = false, cache = false, csp = "", compress = false, https = false }) {
  // file + encoding -> [mtime, body]: each file is compressed once.
  const packed = new Map();
  const mounts = Object.entries(roots)
    .map(([prefix, dirs]) => [prefix.endsWith("/") ? prefix : prefix + "/", [].concat(dirs).map((d) => resolve(d))])
    .sort((a, b) => b[0].length - a[0].length);
  const tls = https ? ensureCert() : null;
  const serve = (handler) => (tls ? createTlsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler));
  const server = serve(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      const mount = mounts.find(([p]) => path.startsWith(p) || path + "/" === p);
      if (!mount) return send(res, 404, "not found");
      const [prefix, dirs] = mount;
      let file = null;
      for (const dir of dirs) {
        let candidate = normalize(join(dir, path.slice(prefix.length)));
        if (!candidate.startsWith(dir)) return send(res, 403, "forbidden");
        let st = await stat(candidate).catch(() => null);
        if (st && st.isDirectory()) {
          candidate = join(candidate, "index.html");
          st = await stat(candidate).catch(() => null);
        }
        if (st) {
          file = candidate;
          break;
        }
      }
      if (!file) return send(res, 404, "not found");
      // "immutable": what a host sends for a bundler's hashed assets (Vite's /assets/), the page
      // itself revalidated as with `true`.
      const immutable = cache === "immutable" && extname(file) !== ".html";
      const headers = {
        "content-type": TYPES[extname(file)] || "application/octet-stream",
        "cache-control": immutable ? "public, max-age=31536000, immutable" : cache ? "no-cache" : "no-store",
      };
      let etag = null;
      if (cache && !immutable) {
        const st = await stat(file);
        etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
        headers.etag = etag;
      }
      if (isolate) {
        headers["cross-origin-opener-policy"] = "same-origin";
        if (isolate !== "coop") {
          headers["cross-origin-embedder-policy"] = "require-corp";
          headers["cross-origin-resource-policy"] = "same-origin";
        }
      }
      if (csp && extname(file) === ".html") headers["content-security-policy"] = csp;
      if (etag && req.headers["if-none-match"] === etag) {
        res.writeHead(304, headers);
        return res.end();
      }
      let body = await readFile(file);
      const accepts = String(req.headers["accept-encoding"] || "");
      const encoding = !compress || !COMPRESSIBLE.has(extname(file)) ? "" : /\bbr\b/.test(accepts) ? "br" : /\bgzip\b/.test(accepts) ? "gzip" : "";
      if (encoding) {
        const mtime = (await stat(file)).mtimeMs;
        const key = `${encoding} ${file}`;
        if (packed.get(key)?.[0] !== mtime) {
          const packedBody = encoding === "br" ? brotli11(body) : gzipSync(body, { level: 9 });
          packed.set(key, [mtime, packedBody]);
        }
        body = packed.get(key)[1];
        headers["content-encoding"] = encoding;
        headers.vary = "accept-encoding";
      }
      res.writeHead(200, headers);
      res.end(body);
    } catch (e) {
      send(res, 500, String(e));
    }
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  const origin = `${tls ? "https" : "http"}://127.0.0.1:${server.address().port}`;
  return {
    origin,
    setCache: (on) => { cache = on; },
    setCompress: (on) => { compress = on; },
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

function send(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(text);
}
