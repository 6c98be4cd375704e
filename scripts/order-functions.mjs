// Orders the package wasm's functions so that similar ones sit side by side, which gzip (a
// 32 KB window) and brotli compress better: the bytes the browser downloads, nothing else
// changes (issue 14).
//
//   node scripts/order-functions.mjs <file.wasm>     (last step of scripts/build-pkg.sh)
//
// Each candidate order is a greedy chain: start from the first function, then always take the
// remaining function whose body shares the most byte k-grams with the last one taken (Jaccard
// similarity). How well an order compresses is not smooth in k, so a few k are tried and the
// smallest gzip -9 is kept — the file as it was included, so this never makes it bigger. The
// order is applied by binaryen: each function is named by its rank, then
// `--reorder-functions-by-name` sorts them and `--strip-debug` drops the names again.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { FEATURES } from "./wasm-features.mjs";

const file = process.argv[2];
if (!file) throw new Error("usage: node scripts/order-functions.mjs <file.wasm>");

const wasm = readFileSync(file);
const readLeb = (b, at) => {
  let value = 0, shift = 0, byte;
  do {
    byte = b[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
};
const leb = (n) => {
  const out = [];
  do {
    const low = n % 128;
    n = Math.floor(n / 128);
    out.push(n ? low | 0x80 : low);
  } while (n);
  return out;
};

// The sections; the number of imported functions (they come first in the index space); bodies.
const sections = [];
for (let at = 8; at < wasm.length; ) {
  const id = wasm[at];
  const [size, start] = readLeb(wasm, at + 1);
  sections.push({ id, bytes: wasm.subarray(at, start + size), payload: wasm.subarray(start, start + size) });
  at = start + size;
}
const section = (id) => sections.find((s) => s.id === id)?.payload;
const functionImports = (payload) => {
  if (!payload) return 0;
  let [count, at] = readLeb(payload, 0);
  let functions = 0;
  const skipName = () => {
    const [len, next] = readLeb(payload, at);
    at = next + len;
  };
  const skipLimits = () => {
    const flags = payload[at++];
    [, at] = readLeb(payload, at);
    if (flags & 1) [, at] = readLeb(payload, at);
  };
  while (count--) {
    skipName();
    skipName();
    const kind = payload[at++];
    if (kind === 0) {
      [, at] = readLeb(payload, at);
      functions++;
    } else if (kind === 1) {
      at++; // the table's element type
      skipLimits();
    } else if (kind === 2) skipLimits();
    else if (kind === 3) at += 2; // the global's type and mutability
    else throw new Error(`order-functions: unknown import kind ${kind}`);
  }
  return functions;
};
const imported = functionImports(section(2));
const code = section(10);
if (!code) throw new Error("order-functions: no code section");
const bodies = [];
{
  let [count, at] = readLeb(code, 0);
  while (count--) {
    const [size, start] = readLeb(code, at);
    bodies.push(code.subarray(start, start + size));
    at = start + size;
  }
}

// Each body's set of k-grams (as numbers), then the greedy chain.
const grams = (k) =>
  bodies.map((b) => {
    const set = new Set();
    for (let i = 0; i + k <= b.length; i++) {
      let h = 0;
      for (let j = 0; j < k; j++) h = (h * 256 + b[i + j]) % 4294967311;
      set.add(h);
    }
    return set;
  });
const jaccard = (a, b) => {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const g of small) if (large.has(g)) shared++;
  return shared / (a.size + b.size - shared);
};
const chain = (k) => {
  const sets = grams(k);
  const left = new Set(bodies.keys());
  const order = [0];
  left.delete(0);
  while (left.size) {
    const last = sets[order[order.length - 1]];
    let best = -1, bestScore = -1;
    for (const f of left) {
      const s = jaccard(last, sets[f]);
      if (s > bestScore) [best, bestScore] = [f, s];
    }
    order.push(best);
    left.delete(best);
  }
  return order;
};

// The wasm with `order` applied: a name section naming each function by its rank, sorted.
const apply = (order) => {
  const rank = new Array(bodies.length);
  order.forEach((f, r) => (rank[f] = r));
  const names = [...leb(bodies.length)];
  for (let f = 0; f < bodies.length; f++) {
    const name = Buffer.from(`f${String(rank[f]).padStart(6, "0")}`);
    names.push(...leb(imported + f), ...leb(name.length), ...name);
  }
  const sub = [1, ...leb(names.length), ...names];
  const custom = [...leb(4), ...Buffer.from("name"), ...sub];
  const kept = sections.filter((s) => !(s.id === 0 && s.payload.subarray(1, 5).toString() === "name"));
  const named = Buffer.concat([wasm.subarray(0, 8), ...kept.map((s) => s.bytes), Buffer.from([0, ...leb(custom.length), ...custom])]);
  const tmp = `${file}.order`;
  writeFileSync(tmp, named);
  try {
    execFileSync("node_modules/.bin/wasm-opt", [tmp, "--reorder-functions-by-name", "--strip-debug", ...FEATURES, "-o", tmp]);
    return readFileSync(tmp);
  } finally {
    rmSync(tmp, { force: true });
  }
};

const gzip = (b) => gzipSync(b, { level: 9 }).length;
let best = { bytes: wasm, gzip: gzip(wasm), how: "as built" };
const before = best.gzip;
for (const k of [4, 5, 6, 7]) {
  const bytes = apply(chain(k));
  const size = gzip(bytes);
  if (size < best.gzip) best = { bytes, gzip: size, how: `similar functions side by side (${k}-grams)` };
}
// The reordered module must still be valid wasm with the same imports and exports (binaryen
// sorts the imports too: their order means nothing, the glue hands them over by name).
const shape = (b) => {
  const m = new WebAssembly.Module(b);
  return JSON.stringify([WebAssembly.Module.imports(m), WebAssembly.Module.exports(m)].map((l) => l.map((x) => JSON.stringify(x)).sort()));
};
if (shape(best.bytes) !== shape(wasm)) throw new Error("order-functions: the imports or exports changed");
writeFileSync(file, best.bytes);
console.log(`order-functions: ${bodies.length} functions, ${best.how}: ${before} -> ${best.gzip} B gzip -9`);
