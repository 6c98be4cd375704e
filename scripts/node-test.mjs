#!/usr/bin/env node
// Runs node:test files and fails unless every file ran at least one test and none failed.
//   node scripts/node-test.mjs [--concurrency N] [--timeout MS] [--label NAME] [--counts FILE] [--same-as LABEL] <file or folder>...
// --label names the run in the summary line (the browser engine, for the e2e matrix); --counts
// appends that line to FILE, and each file's count (test.sh prints the engines' counts together
// at the end of a step); --same-as fails the run unless each file ran as many tests as the run
// LABEL recorded for it in FILE (one engine's matrix against another's).
// --timeout fails a file whose tests have not all ended MS after it started (its tests that
// passed are listed), instead of leaving a hung test to the step's outer `timeout`, which kills
// the run before the reporter prints a suite whose test never ended. With it, a file that
// failed before any of its tests or suites reported (it never got to register them) runs once
// more, and says so. A file that failed because the WebDriver session, or a page it drives,
// stopped answering (the marks below; WebKitGTK) runs once more too, and says so; a second
// failure fails the run.
// A folder stands for its *.test.mjs files (not recursive). `node --test <folder>` passes with
// 0 tests when the folder holds none, and a file whose tests were never registered passes
// too; here a path that names no test file, a file that registers no test, a failure, a
// cancelled test, a todo or a skip ends the run with exit code 1 (no test here skips: a skip
// would hide what one engine lacks), and so does a test that was registered but never ended
// (its process exited under it: node reports nothing for it).
import { appendFileSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";

// The marks of a WebDriver command that was never answered, and of a page that stopped
// answering the driver's scripts (tests/e2e/engines/webdriver.mjs).
const DRIVER_HUNG = "[webdriver: no answer]";
const PAGE_HUNG = "[webdriver: the page gave no answer]";

const { values, positionals } = parseArgs({
  options: {
    concurrency: { type: "string", default: "1" },
    timeout: { type: "string" },
    label: { type: "string" },
    counts: { type: "string" },
    "same-as": { type: "string" },
  },
  allowPositionals: true,
  strict: true,
});
const problems = [];
const files = [];
for (const p of positionals) {
  const abs = resolve(p);
  let st = null;
  try { st = statSync(abs); } catch (_) { /* reported below */ }
  if (!st) problems.push(`${p}: no such file or folder`);
  else if (st.isDirectory()) {
    const found = readdirSync(abs).filter((f) => f.endsWith(".test.mjs")).sort().map((f) => join(abs, f));
    if (found.length === 0) problems.push(`${p}: no *.test.mjs file in this folder`);
    files.push(...found);
  } else files.push(abs);
}
if (positionals.length === 0) problems.push("no test files given");
if (problems.length) {
  for (const p of problems) console.error(`node-test: ${p}`);
  process.exit(1);
}

// One run per file, one after the other: every event of a run belongs to its file (a test's own
// `file` is where it was written, which may be a module the test file imports).
const bad = [];
const counts = [];
// One file's run: its counts, its problems, and whether any of its tests or suites reported.
async function runFile(file) {
  const c = { file: relative(process.cwd(), file), pass: 0, fail: 0, skip: 0 };
  const problems = [];
  let reported = false;
  let driverHung = "";
  // Tests and suites registered (node's test:enqueue), less those that ended: what is left at
  // the end never ran to a result.
  const pending = new Map();
  const id = (d) => `${d.nesting}\u0000${d.name}`;
  const timeout = values.timeout ? Number(values.timeout) : Infinity;
  const stream = run({ files: [file], concurrency: Number(values.concurrency) || 1, timeout });
  const tally = (kind) => (d) => {
    const name = `${c.file}: ${d.name}`;
    const left = (pending.get(id(d)) || 0) - 1;
    if (left > 0) pending.set(id(d), left);
    else pending.delete(id(d));
    if (kind === "fail" && failureText(d).includes(DRIVER_HUNG)) driverHung = "the WebDriver session stopped answering";
    else if (kind === "fail" && failureText(d).includes(PAGE_HUNG) && !driverHung) driverHung = `a page stopped answering WebDriver (${d.name})`;
    // A file that failed to load, or whose hooks failed, is reported as a test named after it.
    if (d.name === file) {
      if (kind === "fail") problems.push(`${name} failed outside its tests`);
      return;
    }
    reported = true;
    if (d.details && d.details.type === "suite") {
      // A suite fails for its tests (counted on their own), or for a hook of its own (an
      // `after` that throws): that is a failure of the run too.
      if (kind === "fail" && d.details.error?.failureType !== "subtestsFailed") problems.push(`${name} (a hook of the suite) failed:\n    ${failureText(d).split("\n").slice(0, 12).join("\n    ")}`);
      return;
    }
    if (kind === "fail") {
      c.fail += 1;
      // The first lines of its message too: CI shows only the end of the output, where these
      // lines are printed again.
      const why = failureText(d).split("\n").slice(0, 12).join("\n    ").slice(0, 1500);
      problems.push(`${name} failed${why ? `:\n    ${why}` : ""}`);
    } else if (d.skip !== undefined) {
      c.skip += 1;
      problems.push(`${name} skipped${typeof d.skip === "string" && d.skip ? ` (${d.skip})` : ""}`);
    } else if (d.todo !== undefined) {
      problems.push(`${name} is a todo`);
    } else c.pass += 1;
  };
  stream.on("test:enqueue", (d) => {
    if (d.name !== file) pending.set(id(d), (pending.get(id(d)) || 0) + 1);
  });
  stream.on("test:pass", tally("pass"));
  stream.on("test:fail", tally("fail"));
  const report = stream.compose(new spec());
  report.pipe(process.stdout, { end: false });
  await finished(report);
  for (const key of pending.keys()) problems.push(`${c.file}: ${key.split("\u0000")[1]} was registered but never ended`);
  return { c, problems, reported, driverHung };
}

// A failure's message and the messages of its causes (node:test wraps a test's error).
function failureText(d) {
  const parts = [];
  for (let e = d.details && d.details.error, n = 0; e && n < 5; e = e.cause, n++) {
    const text = String(e.message || e);
    if (!parts.includes(text)) parts.push(text);
  }
  return parts.join(" | ");
}

for (const file of files) {
  let r = await runFile(file);
  // A file that timed out before any of its tests or suites reported (its module never ran
  // its describe/test calls: seen twice in the provider step, unexplained) runs once more;
  // a second such run fails as any other.
  if (!r.reported && r.problems.length && values.timeout) {
    console.log(`node-test: ${r.c.file}: no test or suite reported within ${values.timeout} ms; running the file once more`);
    r = await runFile(file);
  } else if (r.driverHung) {
    // WebKitGTK's driver stopped answering a command (tests/e2e/engines/webdriver.mjs): the
    // browser's automation, not the test, failed. The file runs once more with a new driver;
    // a second such failure, or any other, fails the run.
    console.log(`node-test: ${r.c.file}: ${r.driverHung}; running the file once more`);
    r = await runFile(file);
  }
  bad.push(...r.problems);
  counts.push(r.c);
}

console.log("");
let pass = 0;
let total = 0;
let skipped = 0;
for (const c of counts) {
  const n = c.pass + c.fail + c.skip;
  pass += c.pass;
  total += n;
  skipped += c.skip;
  console.log(`node-test: ${c.file}: ${c.pass}/${n} passed${c.skip ? ` (${c.skip} skipped)` : ""}`);
  if (n === 0) bad.push(`${c.file}: no test ran`);
}
const summary = `${pass}/${total} passed${skipped ? ` (${skipped} skipped)` : ""} in ${files.length} file(s)`;
console.log(`node-test${values.label ? ` [${values.label}]` : ""}: ${summary}`);
if (values.counts) {
  const label = values.label || "tests";
  appendFileSync(values.counts, `${label}: ${summary}${bad.length ? " (FAILED)" : ""}\n`);
  appendFileSync(values.counts, counts.map((c) => `  ${label} ${c.file}: ${c.pass + c.fail + c.skip}\n`).join(""));
}
if (values["same-as"]) {
  const recorded = values.counts ? readFileSync(values.counts, "utf8") : "";
  for (const c of counts) {
    const line = recorded.split("\n").find((l) => l.startsWith(`  ${values["same-as"]} ${c.file}: `));
    const theirs = line ? Number(line.split(": ").pop()) : null;
    const ours = c.pass + c.fail + c.skip;
    if (theirs !== ours) bad.push(`${c.file}: ${ours} test(s) here, ${theirs ?? "none recorded"} in the ${values["same-as"]} run`);
  }
}
if (bad.length) {
  for (const b of bad) console.error(`node-test: ${b}`);
  process.exit(1);
}
