#!/usr/bin/env node
// Minifies the whitespace of the package's JavaScript files, in place, and drops their
// comments: those are for this repository's readers (pkg-template/, src/platform/browser/
// window.js, and the Rust doc comments wasm-bindgen copies into its glue) and were a third of
// the shipped JS's gzip (issue 14). Names and statements stay as written (no renaming, no
// syntax rewriting); each file gets a source map, with its original source and comments, next
// to it (`<file>.map`), so a browser's devtools show the code as written. The .d.ts files keep
// their comments (editors show them).
//   node scripts/strip-comments.mjs <file.js>...
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { transformSync } from "esbuild";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("strip-comments: no files given");
  process.exit(1);
}
for (const file of files) {
  const name = basename(file);
  const { code, map } = transformSync(readFileSync(file, "utf8"), {
    loader: "js",
    format: "esm",
    target: "esnext",
    minifyWhitespace: true,
    legalComments: "inline",
    charset: "utf8",
    sourcemap: "external",
    sourcefile: name,
  });
  writeFileSync(file, `${code}//# sourceMappingURL=${name}.map\n`);
  writeFileSync(`${file}.map`, map);
}
