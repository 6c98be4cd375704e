// Empties the function-table slots of wasm-bindgen's closure invoke shims, which nothing can
// call in the package's module, so that `wasm-opt` then removes the shims (issue 14: −2.1 KB raw,
// −0.5 KB gzip of wasm).
//
//   node scripts/drop-dead-slots.mjs <file.wasm>     (scripts/build-pkg.sh, after wasm-bindgen)
//
// Why they are dead: wasm-bindgen takes a shim's address in one place only, the descriptor
// function of a closure type (`describe_invoke`, which `inform`s the CLI of the table index).
// Every `#[wasm_bindgen]` import's descriptor is linked in, also for js-sys imports the crate
// never calls, so the table keeps a shim for each closure type they name. The CLI runs the
// descriptors and removes them; after that the only readers of those indices would be the JS glue
// (through an exported table) or Rust code holding the index, and there is neither: the table
// must be neither exported nor imported (checked below), and the crate passes no closures to JS.
// Each such slot is pointed at one function that traps.
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";
import { FEATURES } from "./wasm-features.mjs";

const file = process.argv[2];
if (!file) throw new Error("usage: node scripts/drop-dead-slots.mjs <file.wasm>");

const SHIM = /^wasm_bindgen::convert::closures::_::invoke::/;
// A formatting trait's `fmt` (`<u32 as core::fmt::Display>::fmt`…), and what calls one through a
// pointer: core's `fmt::write`, the only reader of the pointers that panic sites store in their
// `fmt::Arguments`, and the only maker of a `Formatter`. LTO may inline `fmt::write` into its one
// caller, so any function that formats counts: `write_fmt` of a `Formatter` or of any
// `fmt::Write`, `alloc::fmt::format`, `Arguments`' own `Display`/`Debug`.
const FMT = /^<.* as core(\[[0-9a-f]+\])?::fmt::[A-Za-z]+>::fmt(::|$)/;
const C = "core(\\[[0-9a-f]+\\])?";
const FMT_WRITE = new RegExp(
  `(^${C}::fmt::write(::|$))|(::fmt::Formatter>?::write_fmt)|(as ${C}::fmt::Write>::write_fmt)|(^alloc(\\[[0-9a-f]+\\])?::fmt::format)` +
    `|(^<${C}::fmt::Arguments as )`,
);
// wasm-opt's flags as binaryen.js's feature bits (each flag implies its -opt/-overlong part, as
// in the CLI).
const FLAGS = {
  "--enable-bulk-memory": ["BulkMemory", "BulkMemoryOpt"], "--enable-sign-ext": ["SignExt"],
  "--enable-mutable-globals": ["MutableGlobals"], "--enable-nontrapping-float-to-int": ["NontrappingFPToInt"],
  "--enable-reference-types": ["ReferenceTypes", "CallIndirectOverlong"], "--enable-multivalue": ["Multivalue"],
};

const m = binaryen.readBinary(readFileSync(file));
const features = FEATURES.flatMap((flag) => FLAGS[flag] ?? [flag]);
const unknown = features.filter((f) => binaryen.Features[f] === undefined);
if (unknown.length) throw new Error(`drop-dead-slots: no binaryen.js feature for ${unknown.join(", ")}`);
m.setFeatures(features.reduce((mask, f) => mask | binaryen.Features[f], binaryen.Features.MVP));
const funcs = m.getNumFunctions();
let named = 0;
let formats = false;
for (let i = 0; i < funcs; i++) {
  const name = binaryen.getFunctionInfo(m.getFunctionByIndex(i)).name;
  if (SHIM.test(name)) named++;
  if (FMT_WRITE.test(name)) formats = true;
}
// Without fmt::write nothing formats (the npm build's panic handler traps without formatting):
// the formatting functions' slots are dead too.
const dead = (f) => SHIM.test(f) || (!formats && FMT.test(f));
if (named === 0 && !binaryen.getFunctionInfo(m.getFunctionByIndex(funcs - 1)).name.includes("::")) {
  throw new Error(`${file}: the functions carry no names (keep the name section until this step)`);
}
const reachable = new Set();
for (let i = 0; i < m.getNumExports(); i++) {
  const e = binaryen.getExportInfo(m.getExportByIndex(i));
  if (e.kind === binaryen.ExternalTable) reachable.add(e.value);
}
for (let i = 0; i < m.getNumTables(); i++) {
  const t = binaryen.getTableInfo(m.getTableByIndex(i));
  if (t.module) reachable.add(t.name);
}
const DEAD = "msal_wasm_dead_slot";
let emptied = 0;
const segments = [];
for (let i = 0; i < m.getNumElementSegments(); i++) segments.push(binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i)));
for (const seg of segments) {
  if (!seg.table || reachable.has(seg.table) || !seg.data.some(dead)) continue;
  if (!m.getFunction(DEAD)) m.addFunction(DEAD, binaryen.none, binaryen.none, [], m.unreachable());
  const data = seg.data.map((f) => (dead(f) ? (emptied++, DEAD) : f));
  m.removeElementSegment(seg.name);
  m.addActiveElementSegment(seg.table, seg.name, data, seg.offset);
}
if (!m.validate()) throw new Error(`${file}: invalid after emptying the table slots`);
writeFileSync(file, m.emitBinary());
console.log(`drop-dead-slots: ${emptied} table slots emptied (closure invoke shims${formats ? "" : ", formatting functions"})`);
