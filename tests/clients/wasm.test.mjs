// The npm package under Node's test runner: for each case of PLOTLINE_CASES (a stream, the
// options, the catalog directory or none for the built-in one, and the file holding the report
// `plotline validate --format json` wrote for it), the package's report is the same text, byte
// for byte, whether the lines are pushed all at once, in pieces or one at a time. Then the
// API's promises: verdicts of single events, errors with diagnostics, the exports.
//
// usage: PLOTLINE_NPM=target/npm/plotline PLOTLINE_CASES=cases.json node --test wasm.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const pkg = resolve(process.env.PLOTLINE_NPM);
const { Catalog, PlotlineError } = await import(join(pkg, "index.js"));
const cases = JSON.parse(readFileSync(process.env.PLOTLINE_CASES, "utf8"));
const builtin = Catalog.builtin();

function catalogOf(dir) {
  if (!dir) return builtin;
  const files = {};
  for (const name of readdirSync(dir).sort()) {
    if (/\.(ya?ml|plot)$/.test(name)) files[join(dir, name)] = readFileSync(join(dir, name), "utf8");
  }
  return Catalog.fromFiles(files);
}

/** The stream's lines, each with its line end, as bytes. */
function linesOf(bytes) {
  const lines = [];
  let start = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, start)) {
    lines.push(bytes.subarray(start, at + 1));
    start = at + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

for (const { stream, options, catalog, expected } of cases) {
  const name = `${stream} ${JSON.stringify(options)}`;
  const want = readFileSync(expected, "utf8");
  const bytes = readFileSync(stream);
  test(`all at once: ${name}`, () => {
    const validator = catalogOf(catalog).validator(options, stream);
    validator.pushLines(bytes);
    validator.finish();
    assert.equal(validator.reportJson(), want);
  });
  test(`in pieces of 1000 lines: ${name}`, () => {
    const validator = catalogOf(catalog).validator(options, stream);
    const lines = linesOf(bytes);
    for (let i = 0; i < lines.length; i += 1000) {
      validator.pushLines(Buffer.concat(lines.slice(i, i + 1000)));
    }
    validator.finish();
    assert.equal(validator.reportJson(), want);
  });
  test(`one line at a time: ${name}`, () => {
    const validator = catalogOf(catalog).validator(options, stream);
    const decoder = new TextDecoder("utf-8", { fatal: true });
    for (const line of linesOf(bytes)) {
      let text;
      try {
        text = decoder.decode(line);
      } catch {
        validator.pushLines(line); // no UTF-8: as bytes
        continue;
      }
      const verdict = validator.push(text);
      assert.equal(typeof verdict.held, "boolean");
    }
    validator.finish();
    assert.equal(validator.reportJson(), want);
  });
}

test("one event's verdict: its state, metadata block and violations", () => {
  const ready = builtin.validator().push({
    lifecycle: "callback", interaction: "c1", event: "ready", ts: 1, version: "9.0.002.06",
  });
  assert.equal(ready.step.state, "ready");
  assert.equal(ready.step.metadata.opened, false);
  assert.deepEqual(ready.violations, []);
  assert.equal(ready.line, 1);
  const bad = builtin.validator().push("{not json");
  assert.equal(bad.violations.length, 1);
  assert.equal(bad.violations[0].kind, "malformed_line");
});

test("a held event comes back when the window has passed", () => {
  const validator = builtin.validator({ reorderWindow: "10s" });
  const event = (name, ts) => ({ lifecycle: "callback", interaction: "c1", event: name, ts, version: "9.0.002.06" });
  const first = validator.push(event("opened", 2000));
  assert.equal(first.held, true);
  const second = validator.push(event("ready", 1000));
  assert.equal(second.held, true);
  const later = validator.push({ ...event("ready", 20000), interaction: "c2" });
  assert.deepEqual(later.released.map((step) => step.event), ["ready", "opened"]);
  assert.deepEqual(later.violations, [], "swapped in transit, put back in order: no violation");
});

test("a catalog that does not compile throws its diagnostics", () => {
  assert.throws(
    () => Catalog.fromFiles({ "chat.yaml": "name: chat\nstates: [a\n" }),
    (error) => {
      assert.ok(error instanceof PlotlineError);
      assert.match(error.message, /^the catalog does not compile:\nchat\.yaml:\d+:\d+: error: /);
      assert.equal(error.diagnostics[0].file, "chat.yaml");
      assert.ok(error.diagnostics[0].line > 0 && error.diagnostics[0].column > 0);
      return true;
    },
  );
  assert.throws(() => builtin.validator({ reorderWindw: "1s" }), /did you mean `reorderWindow`\?/);
  assert.throws(() => builtin.schema("calback"), /no lifecycle `calback` \(did you mean `callback`\?\)/);
  const validator = builtin.validator();
  validator.finish();
  assert.throws(() => validator.push("{}"), /finished/);
});

test("the exports, as the CLI writes them", () => {
  const schema = builtin.schema("callback", "9.0.002.06");
  assert.equal(typeof schema.$schema, "string");
  assert.equal(JSON.stringify(schema, null, 2) + "\n", readFileSync(process.env.PLOTLINE_SCHEMA, "utf8"));
  assert.match(builtin.types("callback"), /export type/);
  assert.match(builtin.graph("callback", "mermaid"), /^stateDiagram-v2/);
  assert.match(builtin.graph("callback", "svg"), /^<svg/);
  assert.throws(() => builtin.graph("callback", "png"), /no graph format `png`/);
});
