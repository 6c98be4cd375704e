// Prints the package's size: the .wasm and every .js file the main entry loads, raw and gzip -9.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dir = process.argv[2] || "pkg";
const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(wasm|js)$/.test(f) && !f.startsWith("redirect-bridge")) files.push(p);
  }
};
walk(dir);
let raw = 0, gz = 0;
const rows = files.sort().map((p) => {
  const b = readFileSync(p);
  const g = gzipSync(b, { level: 9 }).length;
  raw += b.length;
  gz += g;
  return `  ${p.padEnd(48)} ${String(b.length).padStart(8)} B raw ${String(g).padStart(8)} B gzip-9`;
});
console.log(`package size (${dir}):`);
console.log(rows.join("\n"));
console.log(`  ${"total".padEnd(48)} ${String(raw).padStart(8)} B raw ${String(gz).padStart(8)} B gzip-9`);
