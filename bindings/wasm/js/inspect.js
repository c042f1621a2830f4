// Widget QA in the page, with no server: every event a source hands over is judged as it
// happens; each violation goes to the browser console as a collapsed group holding the
// interaction's events so far, and a small overlay counts events and violations.
import { Catalog } from "./index.js";

/** Events kept per interaction for the console (the latest ones). */
const KEPT = 200;

/**
 * Judges the events `source` hands over. `source` receives a function to call with each event
 * (say, from a widget bus subscription) and may return a function that unsubscribes.
 * Options: `catalog` (default: the built-in one), `validator` (options of
 * `catalog.validator`), `overlay` (default true where there is a document), `console`.
 * Returns `{validator, counts, stop}`; `stop()` unsubscribes, finishes the stream and logs
 * what its end found.
 */
export function inspect(source, options = {}) {
  const catalog = options.catalog ?? Catalog.builtin();
  const validator = catalog.validator(options.validator ?? {}, options.name ?? "page");
  const out = options.console ?? globalThis.console;
  const counts = { events: 0, violations: 0, byKind: {} };
  const history = new Map();
  const wantOverlay = options.overlay ?? typeof document !== "undefined";
  const overlay = wantOverlay ? makeOverlay() : null;

  const keep = (event) => {
    const key = `${event?.lifecycle}\u0000${event?.interaction}`;
    const events = history.get(key) ?? [];
    events.push(event);
    if (events.length > KEPT) events.shift();
    history.set(key, events);
  };
  const tell = (violations) => {
    for (const violation of violations) {
      counts.violations += 1;
      counts.byKind[violation.kind] = (counts.byKind[violation.kind] ?? 0) + 1;
      const who = [violation.lifecycle, violation.interaction].filter(Boolean).join("/");
      out.groupCollapsed(`plotline: ${violation.kind}${who ? ` in ${who}` : ""}: ${violation.message}`);
      out.log("violation", violation);
      const events = history.get(`${violation.lifecycle}\u0000${violation.interaction}`) ?? [];
      out.log(`the interaction's events so far (${events.length})`, events);
      out.groupEnd();
    }
    overlay?.show(counts);
  };
  const take = (event) => {
    const record = typeof event === "string" ? safeParse(event) : event;
    keep(record);
    counts.events += 1;
    tell(validator.push(event).violations);
  };
  const unsubscribe = source(take);
  overlay?.show(counts);
  return {
    validator,
    counts,
    stop() {
      if (typeof unsubscribe === "function") unsubscribe();
      tell(validator.finish().violations);
      return validator.report();
    },
  };
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A small box in a corner of the page with the counts. */
function makeOverlay() {
  const box = document.createElement("div");
  box.setAttribute("data-plotline", "overlay");
  box.style.cssText =
    "position:fixed;right:8px;bottom:8px;z-index:2147483647;font:12px/1.4 system-ui,sans-serif;" +
    "background:#fff;color:#111;border:1px solid #888;border-radius:4px;padding:4px 8px;" +
    "box-shadow:0 1px 4px rgba(0,0,0,.25);pointer-events:none";
  (document.body ?? document.documentElement).appendChild(box);
  return {
    show(counts) {
      const kinds = Object.entries(counts.byKind)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(", ");
      box.style.borderColor = counts.violations > 0 ? "#c00" : "#888";
      box.textContent =
        `Plotline: ${counts.events} events, ${counts.violations} violations` +
        (kinds ? ` (${kinds})` : "");
    },
  };
}
