// Types of the `plotline` npm package: Plotline's engine for browsers and Node 18+.

/** The kinds of violation, as reports name them. */
export type ViolationKind =
  | "malformed_line" | "bad_envelope" | "unknown_lifecycle" | "unknown_event"
  | "illegal_transition" | "after_end" | "time_regression" | "invalid_payload"
  | "rule_violation" | "metadata_mismatch" | "incomplete" | "timeout" | "version_mismatch";

/** One violation, as in the JSON report. */
export interface Violation {
  file: string;
  line: number;
  interaction?: string;
  lifecycle?: string;
  event?: string;
  kind: ViolationKind;
  message: string;
  expected?: string[];
}

/** The counts of a stream, as in the JSON report. */
export interface Summary {
  lines: number;
  blank: number;
  events: number;
  duplicates: number;
  malformed: number;
  interactions: number;
  valid_interactions: number;
  violations: number;
  not_checked: number;
  by_kind: Partial<Record<ViolationKind, number>>;
}

/** The JSON report of `plotline validate --format json`. */
export interface Report {
  format_version: number;
  summary: Summary;
  violations: Violation[];
}

/** What became of one event that reached an interaction. */
export interface Step {
  lifecycle: string;
  version: string;
  interaction: string;
  event: string;
  /** The interaction's state after the event. */
  state: string;
  /** The metadata block after the event. */
  metadata: Record<string, unknown>;
}

/** The verdict on one event pushed. */
export interface Verdict {
  /** Its line number in the stream pushed so far. */
  line: number;
  /** Held back by the reorder window: judged later (see `released`), or at `finish`. */
  held: boolean;
  /** What became of it, when it was judged now and reached an interaction. */
  step: Step | null;
  /** Every violation found while it was taken in (each names its line). */
  violations: Violation[];
  /** Events held before and judged now, in the order judged. */
  released: Step[];
}

/** What many lines, or the end of the stream, brought. */
export interface Found {
  lines: number;
  violations: Violation[];
}

/** How a validator judges: the options of `plotline validate`. */
export interface Options {
  /** `--reorder-window`: `"10s"`, `"500ms"`, or milliseconds. Default 0. */
  reorderWindow?: string | number;
  /** `--quiet-end`. Default `"1h"`. */
  quietEnd?: string | number;
  /** `--show-pii`. */
  showPii?: boolean;
  /** `--allow-incomplete`. */
  allowIncomplete?: boolean;
  /** `--max-line-bytes`. */
  maxLineBytes?: number;
}

/** A config diagnostic: where, what, and how to fix it. */
export interface Diagnostic {
  file: string | null;
  line: number;
  column: number;
  severity: "error" | "warning";
  message: string;
  help: string | null;
  /** The line `plotline check` prints. */
  text: string;
}

/** An error of Plotline's; a catalog that does not compile carries its diagnostics. */
export class PlotlineError extends Error {
  diagnostics: Diagnostic[];
}

/** A compiled catalog of lifecycles. */
export class Catalog {
  private constructor();
  /** The catalog built into Plotline. */
  static builtin(): Catalog;
  /** The catalog of lifecycle files: `{"chat.plot": text, "form.yaml": text}`. */
  static fromFiles(files: Record<string, string>): Catalog;
  lifecycles(): { name: string; versions: string[] }[];
  validator(options?: Options, name?: string): Validator;
  schema(lifecycle: string, version?: string): Record<string, unknown>;
  types(lifecycle: string, version?: string): string;
  graph(lifecycle: string, format?: "mermaid" | "dot" | "svg" | "scxml", version?: string): string;
  free(): void;
}

/** A stream being judged. */
export class Validator {
  private constructor();
  push(event: object | string): Verdict;
  pushLines(text: string | Uint8Array): Found;
  finish(): Found;
  summary(): Summary;
  report(): Report;
  reportJson(): string;
  free(): void;
}
