// node scripts/wasm-test-counts.mjs LOG [NATIVE_ONLY...]: reads a `cargo test --target
// wasm32-unknown-unknown` (or `wasm-pack test`) log and fails unless every test binary in it ran
// at least one test and passed, but the native-only ones named (their tests are
// `cfg(not(target_arch = "wasm32"))`), which must run none. wasm-bindgen-test-runner exits 0 on
// "no tests to run!", so a binary whose tests a cfg or a missing configure dropped would pass
// unseen.
import { readFileSync } from "node:fs";

const [log, ...nativeOnly] = process.argv.slice(2);
const bad = [];
const seen = [];
let current = null;
const close = () => {
  if (!current) return;
  const { name, passed, empty } = current;
  if (nativeOnly.includes(name)) {
    if (!empty) bad.push(`${name}: listed as native-only, but it ran tests in wasm`);
  } else if (!(passed > 0)) {
    bad.push(`${name}: ${empty ? "no tests to run" : "no passing test result"}`);
  }
  seen.push(`${name} ${nativeOnly.includes(name) ? "(native-only)" : passed}`);
};
// (Without terminal colours, should a caller's configuration turn them on.)
for (const line of readFileSync(log, "utf8").replace(/\x1b\[[0-9;]*m/g, "").split("\n")) {
  const running = /^\s+Running .*\/deps\/([A-Za-z0-9_]+)-[0-9a-f]+\.wasm\)\s*$/.exec(line);
  if (running) {
    close();
    current = { name: running[1], passed: 0, empty: false };
    continue;
  }
  if (/^\s+Doc-tests /.test(line)) {
    close();
    current = null;
  }
  if (!current) continue;
  const result = /^test result: ok\. (\d+) passed; 0 failed/.exec(line);
  if (result) current.passed = Number(result[1]);
  if (/^no tests to run!/.test(line)) current.empty = true;
}
close();
for (const name of nativeOnly) if (!seen.some((s) => s.startsWith(`${name} `))) bad.push(`${name}: listed as native-only, but no such test binary ran`);
if (!seen.length) bad.push("no test binary ran");
console.log(`wasm test binaries: ${seen.join(", ")}`);
if (bad.length) {
  for (const b of bad) console.error(`wasm-test-counts: ${b}`);
  process.exit(1);
}
