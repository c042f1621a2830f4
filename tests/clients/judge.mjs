// Checks exported schemas with ajv (draft 2020-12, strict mode) and judges a corpus of records.
//
//   node judge.mjs SCHEMA_DIR [CORPUS]
//
// Every `*.schema.json` in SCHEMA_DIR must pass the 2020-12 meta-schema and compile in strict
// mode without a warning. CORPUS holds one `{"schema": FILE, "record": {...}}` per line; for
// each, one line is printed: 1 when the record is valid against FILE, 0 when not.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [dir, corpus] = process.argv.slice(2);
const warnings = [];
const collect = (...args) => warnings.push(args.join(" "));
const ajv = new Ajv2020({ strict: true, logger: { log: () => {}, warn: collect, error: collect } });
// A declared `format` is a check in Plotline, so here too.
addFormats(ajv);

const validators = new Map();
for (const file of readdirSync(dir).filter((name) => name.endsWith(".schema.json")).sort()) {
  const schema = JSON.parse(readFileSync(join(dir, file), "utf8"));
  if (!ajv.validateSchema(schema)) {
    console.error(`${file}: not a valid 2020-12 schema: ${ajv.errorsText(ajv.errors)}`);
    process.exit(1);
  }
  try {
    validators.set(file, ajv.compile(schema));
  } catch (error) {
    console.error(`${file}: ajv (strict) refuses it: ${error.message}`);
    process.exit(1);
  }
  if (warnings.length > 0) {
    console.error(`${file}: ajv (strict) warns: ${warnings.join("; ")}`);
    process.exit(1);
  }
}
console.error(`ajv: ${validators.size} schemas compiled in strict mode`);

if (corpus) {
  const out = [];
  for (const line of readFileSync(corpus, "utf8").split("\n")) {
    if (line === "") continue;
    const { schema, record } = JSON.parse(line);
    const validate = validators.get(schema);
    if (!validate) {
      console.error(`no schema ${schema}`);
      process.exit(1);
    }
    out.push(validate(record) ? "1" : "0");
  }
  process.stdout.write(out.join("\n") + "\n");
}
