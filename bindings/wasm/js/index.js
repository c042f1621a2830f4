// Plotline for JavaScript (browsers and Node 18+): the engine of the `plotline` command,
// compiled to WebAssembly, with the same verdicts byte for byte. This module loads a `.wasm`
// beside it (under Node the build optimised for speed, from the file system; in a page the
// one optimised for size, by `fetch`) and turns the engine's JSON answers into objects, and
// its errors into `PlotlineError`s.
import init, { initSync, Catalog as Compiled } from "./plotline_wasm.js";

const fast = new URL("./plotline_wasm_node.wasm", import.meta.url);
if (typeof process !== "undefined" && process.versions?.node && fast.protocol === "file:") {
  const { readFileSync } = await import("node:fs");
  initSync({ module: readFileSync(fast) });
} else {
  await init({ module_or_path: new URL("./plotline_wasm_bg.wasm", import.meta.url) });
}

/** An error of Plotline's: a broken catalog (with its `diagnostics`), a bad option or name. */
export class PlotlineError extends Error {
  constructor(message, diagnostics = []) {
    super(message);
    this.name = "PlotlineError";
    this.diagnostics = diagnostics;
  }
}

/** `work()`, its string errors thrown as `PlotlineError`s. */
function call(work) {
  try {
    return work();
  } catch (error) {
    throw typeof error === "string" ? new PlotlineError(error) : error;
  }
}

/** A catalog compiled by `work()`, or a `PlotlineError` carrying every diagnostic. */
function compiled(work) {
  try {
    return work();
  } catch (error) {
    if (typeof error !== "string") throw error;
    const diagnostics = JSON.parse(error);
    const lines = diagnostics.map((diagnostic) => diagnostic.text).join("\n");
    throw new PlotlineError(`the catalog does not compile:\n${lines}`, diagnostics);
  }
}

const made = Symbol("made here");

/** A compiled catalog of lifecycles. */
export class Catalog {
  #compiled;

  constructor(key, compiled) {
    if (key !== made) throw new TypeError("use Catalog.builtin() or Catalog.fromFiles(files)");
    this.#compiled = compiled;
  }

  /** The catalog built into Plotline. */
  static builtin() {
    return new Catalog(made, compiled(() => Compiled.builtin()));
  }

  /** The catalog of lifecycle files: `{"chat.plot": text, "form.yaml": text, ...}`. */
  static fromFiles(files) {
    const names = Object.keys(files);
    const texts = names.map((name) => String(files[name]));
    return new Catalog(made, compiled(() => Compiled.fromFiles(names, texts)));
  }

  /** Its lifecycles: `[{name, versions}]`, versions oldest first. */
  lifecycles() {
    return JSON.parse(this.#compiled.lifecycles());
  }

  /** A validator: options as `plotline validate` has them (`reorderWindow: "10s"`, `quietEnd`,
   * `showPii`, `allowIncomplete`, `maxLineBytes`); `name` names the stream in violations. */
  validator(options = {}, name = "-") {
    const judging = call(() => this.#compiled.validator(JSON.stringify(options), name));
    return new Validator(made, judging);
  }

  /** JSON Schema of a lifecycle's event records (its latest version unless named). */
  schema(lifecycle, version) {
    return JSON.parse(call(() => this.#compiled.schema(lifecycle, version)));
  }

  /** TypeScript declarations of a lifecycle's event records. */
  types(lifecycle, version) {
    return call(() => this.#compiled.types(lifecycle, version));
  }

  /** A lifecycle's diagram: `mermaid`, `dot`, `svg` or `scxml`. */
  graph(lifecycle, format = "mermaid", version) {
    return call(() => this.#compiled.graph(lifecycle, format, version));
  }

  /** Frees its memory now (otherwise when it is collected). */
  free() {
    this.#compiled.free();
  }
}

/** A stream being judged. */
export class Validator {
  #judging;

  constructor(key, judging) {
    if (key !== made) throw new TypeError("use catalog.validator(options)");
    this.#judging = judging;
  }

  /** Judges one event (an object, or one line of JSON): its verdict. */
  push(event) {
    const line = typeof event === "string" ? event : JSON.stringify(event);
    return JSON.parse(call(() => this.#judging.push(line)));
  }

  /** Judges many lines of JSONL (a string, or bytes as they came): `{lines, violations}`.
   * Line numbers go on from the lines pushed before; a last line without its line end is a
   * line. */
  pushLines(text) {
    const found =
      typeof text === "string"
        ? call(() => this.#judging.pushLines(text))
        : call(() => this.#judging.pushBytes(text));
    return JSON.parse(found);
  }

  /** Ends the stream: `{violations}` found at its end (held lines, incomplete interactions). */
  finish() {
    return JSON.parse(call(() => this.#judging.finish()));
  }

  /** The counts so far. */
  summary() {
    return JSON.parse(this.#judging.summary());
  }

  /** The report, as `plotline validate --format json` writes it (after `finish`). */
  report() {
    return JSON.parse(this.reportJson());
  }

  /** The report's text, byte for byte that of `plotline validate --format json`. */
  reportJson() {
    return call(() => this.#judging.report());
  }

  /** Frees its memory now (otherwise when it is collected). */
  free() {
    this.#judging.free();
  }
}
