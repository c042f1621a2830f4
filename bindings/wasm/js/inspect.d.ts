import type { Catalog, Options, Report, Validator, ViolationKind } from "./index.js";

export interface InspectOptions {
  /** The catalog to judge by (default: the built-in one). */
  catalog?: Catalog;
  /** Options of `catalog.validator`. */
  validator?: Options;
  /** The stream's name in violations (default `page`). */
  name?: string;
  /** Show the counts in a corner of the page (default: where there is a document). */
  overlay?: boolean;
  /** Where violations go (default: the global console). */
  console?: Pick<Console, "groupCollapsed" | "groupEnd" | "log">;
}

export interface Counts {
  events: number;
  violations: number;
  byKind: Partial<Record<ViolationKind, number>>;
}

/** Judges each event `source` hands over; violations go to the console as they happen. */
export function inspect(
  source: (take: (event: object | string) => void) => void | (() => void),
  options?: InspectOptions,
): { validator: Validator; counts: Counts; stop(): Report };
