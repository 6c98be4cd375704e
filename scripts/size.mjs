// Prints the package's size — the .wasm and every .js file the main entry loads, raw, gzip -9
// and brotli (what CDNs serve), and apart the popup relay page's entry and the script-tag build
// (`*.min.js`, the same code again) — and, with --budget FILE, fails (exit 1) when the wasm, the JS of the main entry
// together or the script-tag build grows past the budget committed there. Lower the budget, in its own commit with
// its figure, whenever the package shrinks.
//   node scripts/size.mjs [dir] [--budget size-budget.json]
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const budgetAt = args.indexOf("--budget");
const budgetFile = budgetAt >= 0 ? args[budgetAt + 1] : null;
const dir = args.find((a, i) => !a.startsWith("--") && (budgetAt < 0 || i !== budgetAt + 1)) || "pkg";

const files = [];
const scripts = [];
// Entries of pages of their own, which the app's bundle never loads (the popup relay page).
const PAGES = ["popup-relay.js"];
const pages = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (f.endsWith(".min.js")) scripts.push(p);
    else if (PAGES.includes(f)) pages.push(p);
    else if (/\.(wasm|js)$/.test(f)) files.push(p);
  }
};
walk(dir);
const brotli = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const sums = { wasm: { raw: 0, gzip: 0, brotli: 0 }, js: { raw: 0, gzip: 0, brotli: 0 } };
const col = (n) => String(n).padStart(8);
const rows = files.sort().map((p) => {
  const b = readFileSync(p);
  const s = { raw: b.length, gzip: gzipSync(b, { level: 9 }).length, brotli: brotli(b) };
  const kind = p.endsWith(".wasm") ? "wasm" : "js";
  for (const k of ["raw", "gzip", "brotli"]) sums[kind][k] += s[k];
  return `  ${p.padEnd(48)} ${col(s.raw)} B raw ${col(s.gzip)} B gzip-9 ${col(s.brotli)} B brotli`;
});
console.log(`package size (${dir}):`);
console.log(rows.join("\n"));
for (const kind of ["wasm", "js"]) {
  const s = sums[kind];
  console.log(`  ${`all ${kind}`.padEnd(48)} ${col(s.raw)} B raw ${col(s.gzip)} B gzip-9 ${col(s.brotli)} B brotli`);
}
const total = { raw: sums.wasm.raw + sums.js.raw, gzip: sums.wasm.gzip + sums.js.gzip, brotli: sums.wasm.brotli + sums.js.brotli };
console.log(`  ${"total".padEnd(48)} ${col(total.raw)} B raw ${col(total.gzip)} B gzip-9 ${col(total.brotli)} B brotli`);
for (const p of pages) {
  const b = readFileSync(p);
  console.log(`  ${`${p} (a page's own entry; not in the total)`.padEnd(48)} ${col(b.length)} B raw ${col(gzipSync(b, { level: 9 }).length)} B gzip-9 ${col(brotli(b))} B brotli`);
}
sums.script = { raw: 0, gzip: 0, brotli: 0 };
for (const p of scripts.sort()) {
  const b = readFileSync(p);
  const s = { raw: b.length, gzip: gzipSync(b, { level: 9 }).length, brotli: brotli(b) };
  for (const k of ["raw", "gzip", "brotli"]) sums.script[k] += s[k];
  console.log(`  ${`${p} (script tag; not in the total)`.padEnd(48)} ${col(s.raw)} B raw ${col(s.gzip)} B gzip-9 ${col(s.brotli)} B brotli`);
}

if (budgetFile) {
  const budget = JSON.parse(readFileSync(budgetFile, "utf8"));
  const over = [];
  // (`script`: the script-tag build's files together, when the package has them.)
  for (const kind of scripts.length ? ["wasm", "js", "script"] : ["wasm", "js"]) {
    for (const k of ["gzip", "brotli"]) {
      const limit = budget[kind] && budget[kind][k];
      if (typeof limit !== "number") over.push(`${budgetFile} has no ${kind}.${k}`);
      else if (sums[kind][k] > limit) over.push(`${kind} ${k}: ${sums[kind][k]} B, over the budget of ${limit} B by ${sums[kind][k] - limit} B`);
    }
  }
  if (over.length) {
    console.error(`size budget exceeded:\n  ${over.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`size budget (${budgetFile}): within it`);
}
