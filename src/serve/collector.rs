//! What the live collector keeps between requests: one interpreter fed by every POST (the
//! same one `validate` runs), the violations so far, and a short log per interaction. No
//! async code here; `http.rs` wraps it in a lock.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::compile::Catalog;
use crate::engine::chunks::jsonl_lines;
use crate::engine::coverage::Coverage;
use crate::engine::envelope;
use crate::engine::interpreter::{HeldKey, Step};
use crate::engine::{Interpreter, Limits, Place, Summary, Violation};
use crate::report::html::{
    Examples, InteractionRow, Live, Page, UnattachedLine, EXAMPLES_PER_KIND, TOP_PATHS,
};
use crate::report::{html, FORMAT_VERSION};

/// The name violations give as their file.
pub const SOURCE: &str = "POST /events";

/// Events kept per interaction log; later ones are counted, not kept.
const EVENTS_KEPT: usize = 1000;
/// Interactions logged; beyond it the least recently active are forgotten (their counts stay
/// in the report).
const LOGS_KEPT: usize = 10_000;
/// What a personal value (`pii: true`) shows as in verdicts.
pub const MASKED: &str = "(personal: not shown)";
/// Records one POST may hold: more is refused whole.
pub const MAX_RECORDS: usize = 10_000;
/// The default memory budget of what the collector keeps (`--max-memory`).
pub const MAX_MEMORY: usize = 256 << 20;
/// Interactions listed on the live page.
const LISTED: usize = 200;

/// What became of one posted line.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Its number among every line posted since the start (or the last reset).
    pub line: u64,
    /// The lifecycle, when the line named a known one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<String>,
    /// The interaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    /// The event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The interaction's state after the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The metadata block after the event, as the interpreter wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Box<RawValue>>,
    /// What was wrong with it (empty: nothing).
    pub violations: Vec<Violation>,
    /// Whether it was a duplicate delivery (an `id` its interaction already saw): counted,
    /// not judged again.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

/// What a POST says of a line the reorder window held back: `{"line": N, "held": true}`;
/// it is judged later.
#[derive(Debug, Serialize)]
struct HeldLine {
    /// Its number, as [`Verdict::line`].
    line: u64,
    /// Always `true`.
    held: bool,
}

impl Verdict {
    /// The verdict on line `line` judged with this outcome, and the version that judged it
    /// (empty when none did).
    fn of(
        line: u64,
        step: Option<Step>,
        violations: Vec<Violation>,
        duplicate: bool,
    ) -> (String, Verdict) {
        // The step's own texts move into the verdict (its names made strings).
        let (version, lifecycle, interaction, event, state, metadata) = match step {
            Some(step) => (
                step.version.into_string(),
                Some(step.lifecycle.into_string()),
                Some(step.interaction.into_string()),
                Some(step.event.into_string()),
                Some(step.state.into_string()),
                RawValue::from_string(step.metadata).ok(),
            ),
            None => {
                let first = violations.first();
                (
                    String::new(),
                    first.and_then(|v| v.lifecycle.clone()),
                    first.and_then(|v| v.interaction.clone()),
                    first.and_then(|v| v.event.clone()),
                    None,
                    None,
                )
            }
        };
        let verdict = Verdict {
            line,
            lifecycle,
            interaction,
            event,
            state,
            metadata,
            violations,
            duplicate,
        };
        (version, verdict)
    }
}

/// One interaction as the collector saw it.
#[derive(Debug, Clone, Serialize)]
pub struct InteractionLog {
    /// Its lifecycle.
    pub lifecycle: String,
    /// The lifecycle version that judges it.
    pub version: String,
    /// Its id.
    pub interaction: String,
    /// Its state now (after the timeouts due by the latest timestamp posted, and after
    /// `finish`).
    pub state: String,
    /// Its metadata block now, likewise.
    pub metadata: Option<Box<RawValue>>,
    /// Violations found on it.
    pub violations: u64,
    /// Events it had.
    pub event_count: u64,
    /// Its events in order (the first `EVENTS_KEPT`), each with the state and metadata after
    /// it and what was wrong with it.
    pub events: Vec<Verdict>,
    /// When it was last active, by the collector's count of lines.
    #[serde(skip)]
    touched: u64,
    /// What its events take, roughly.
    #[serde(skip)]
    bytes: usize,
}

/// Roughly what a violation takes in memory.
fn violation_bytes(violation: &Violation) -> usize {
    let text = |t: &Option<String>| t.as_ref().map_or(0, String::len);
    std::mem::size_of::<Violation>()
        + violation.file.len()
        + violation.message.len()
        + text(&violation.lifecycle)
        + text(&violation.interaction)
        + text(&violation.event)
        + violation
            .expected
            .iter()
            .map(|e| e.len() + 24)
            .sum::<usize>()
}

/// Roughly what a logged verdict takes in memory.
fn verdict_bytes(verdict: &Verdict) -> usize {
    let text = |t: &Option<String>| t.as_ref().map_or(0, String::len);
    std::mem::size_of::<Verdict>()
        + text(&verdict.lifecycle)
        + text(&verdict.interaction)
        + text(&verdict.event)
        + text(&verdict.state)
        + verdict.metadata.as_ref().map_or(0, |m| m.get().len())
        + verdict
            .violations
            .iter()
            .map(violation_bytes)
            .sum::<usize>()
}

/// The violations kept for the report, the oldest forgotten first beyond a budget; each has
/// an ordinal (from 1, since the start or the last reset) that forgetting does not change.
#[derive(Default)]
struct KeptViolations {
    kept: VecDeque<Violation>,
    /// Violations forgotten: the first kept has ordinal `forgotten + 1`.
    forgotten: u64,
    bytes: usize,
    budget: usize,
}

impl KeptViolations {
    fn push(&mut self, violation: Violation) {
        self.bytes += violation_bytes(&violation);
        self.kept.push_back(violation);
        while self.bytes > self.budget {
            let Some(old) = self.kept.pop_front() else {
                break;
            };
            self.bytes = self.bytes.saturating_sub(violation_bytes(&old));
            self.forgotten += 1;
        }
    }

    /// Those with ordinals after `after`, at most `limit`.
    fn page(&self, after: u64, limit: usize) -> impl Iterator<Item = &Violation> {
        let skip = after.saturating_sub(self.forgotten);
        self.kept
            .iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(limit)
    }

    /// The ordinal of the last one (0: none yet).
    fn last(&self) -> u64 {
        self.forgotten + self.kept.len() as u64
    }
}

/// A page of the report's violations: `GET /report?after=K&limit=N`.
#[derive(Debug, Clone, Copy)]
pub struct ReportPage {
    /// Violations with ordinals after this one (0: from the first kept).
    pub after: u64,
    /// At most this many (`usize::MAX`: all).
    pub limit: usize,
}

/// Where a report page stands among the violations: for the response's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSpan {
    /// Violations found since the start (or the last reset).
    pub total: u64,
    /// The oldest of them forgotten beyond the memory budget.
    pub forgotten: u64,
    /// The ordinal of the last violation in the page (ask `after` it for the next).
    pub last: u64,
}

/// How a collector judges and what it keeps.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Each interaction's events in `ts` order when they arrive within this many
    /// milliseconds of event time (0: as they come).
    pub reorder_window: i64,
    /// Interactions resting where they may end are ended after this many milliseconds of
    /// event time without an event ([`Limits::quiet_end`]; 0: never).
    pub quiet_end: i64,
    /// Violations and logs are kept within about this many bytes (half each).
    pub budget: usize,
    /// Show personal values (`pii: true`) in verdicts instead of masking them.
    pub show_pii: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reorder_window: 0,
            quiet_end: Limits::QUIET_END,
            budget: MAX_MEMORY,
            show_pii: false,
        }
    }
}

/// A POST refused whole.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused(pub String);

/// The collector's state.
pub struct Collector {
    catalog: &'static Catalog,
    /// How it was set up.
    options: Options,
    /// What the logs take, roughly.
    log_bytes: usize,
    interpreter: Interpreter<'static>,
    /// The counts of interpreters ended by `finish`.
    finished_summary: Summary,
    finished_coverage: Coverage,
    /// Lines posted so far.
    lines: u64,
    violations: KeptViolations,
    examples: Examples,
    logs: HashMap<(String, String), InteractionLog>,
    /// The latest lines that reached no interaction (at most [`LISTED`]).
    unattached: VecDeque<UnattachedLine>,
}

impl Collector {
    /// A collector judging by `catalog` as `options` say.
    pub fn new(catalog: &'static Catalog, options: Options) -> Collector {
        Collector {
            catalog,
            options,
            log_bytes: 0,
            interpreter: fresh(catalog, options),
            finished_summary: Summary::default(),
            finished_coverage: Coverage::default(),
            lines: 0,
            violations: KeptViolations {
                budget: options.budget / 2,
                ..KeptViolations::default()
            },
            examples: Examples::new(EXAMPLES_PER_KIND),
            logs: HashMap::new(),
            unattached: VecDeque::new(),
        }
    }

    /// Judges a posted body: a JSON object, an array of them, or JSONL (each line an envelope
    /// or a native record). Every line is counted, as `validate` counts them; blank lines give
    /// no verdict. Returns `{"verdicts": [...]}` as JSON text; with a reorder window a line
    /// held back has the verdict `{"line": N, "held": true}`, and `"released"` lists the
    /// verdicts of held lines (of this body or earlier ones) judged now. A body of more than
    /// [`MAX_RECORDS`] records is refused whole, nothing judged.
    pub fn post(&mut self, body: &[u8]) -> Result<Vec<u8>, Refused> {
        let records = records(body);
        if records.len() > MAX_RECORDS {
            return Err(Refused(format!(
                "{} records in one POST, over the limit of {MAX_RECORDS}: send smaller batches \
                 (nothing was judged)",
                records.len()
            )));
        }
        let mut verdicts = JsonList::default();
        let mut released = JsonList::default();
        for record in records {
            self.lines += 1;
            let place = Place {
                file_index: 0,
                file: SOURCE,
                line: self.lines,
            };
            let mut found = Vec::new();
            let mut held_found: Vec<(HeldKey, Violation)> = Vec::new();
            let mut held_steps: Vec<(HeldKey, Option<Step>)> = Vec::new();
            let (blank_before, duplicates_before) = {
                let summary = self.interpreter.summary();
                (summary.blank, summary.duplicates)
            };
            let held_before = self.interpreter.lines_held();
            let ts = (self.interpreter.reorders())
                .then(|| envelope::ts_of(&record))
                .flatten();
            let step = self.interpreter.offer(
                place,
                &record,
                ts,
                true,
                &mut |key, violation| match key {
                    Some(key) => held_found.push((key, violation)),
                    None => found.push(violation),
                },
                &mut |key, _, step| held_steps.push((key, step.cloned())),
            );
            self.released(held_found, held_steps, &mut |verdict| {
                released.push(verdict)
            });
            if self.interpreter.lines_held() > held_before {
                verdicts.push(&HeldLine {
                    line: self.lines,
                    held: true,
                });
                continue;
            }
            let after = self.interpreter.summary();
            if after.blank > blank_before {
                continue;
            }
            let duplicate = after.duplicates > duplicates_before;
            let (version, mut verdict) = Verdict::of(self.lines, step, found, duplicate);
            self.mask(&version, &mut verdict);
            verdicts.push(&verdict);
            self.keep(&verdict.violations);
            self.log(&version, verdict);
        }
        let mut out = b"{\"verdicts\":".to_vec();
        out.extend(verdicts.close());
        if !released.is_empty() {
            out.extend_from_slice(b",\"released\":");
            out.extend(released.close());
        }
        out.push(b'}');
        Ok(out)
    }

    /// Keeps and logs the verdicts of held lines judged now (each with the violations found
    /// on it), in the order they were judged, `(ts, place)`; `each` sees each first.
    fn released(
        &mut self,
        found: Vec<(HeldKey, Violation)>,
        steps: Vec<(HeldKey, Option<Step>)>,
        each: &mut dyn FnMut(&Verdict),
    ) {
        if found.is_empty() && steps.is_empty() {
            return;
        }
        let mut lines: BTreeMap<HeldKey, (Option<Step>, Vec<Violation>)> = BTreeMap::new();
        for (key, violation) in found {
            lines.entry(key).or_default().1.push(violation);
        }
        for (key, step) in steps {
            lines.entry(key).or_default().0 = step;
        }
        for ((_, at), (step, violations)) in lines {
            let (version, mut verdict) = Verdict::of(at.line, step, violations, false);
            self.mask(&version, &mut verdict);
            each(&verdict);
            self.keep(&verdict.violations);
            self.log(&version, verdict);
        }
    }

    /// Masks the values of personal fields (`pii: true`) in a verdict's metadata block,
    /// unless told to show them.
    fn mask(&self, version: &str, verdict: &mut Verdict) {
        if self.options.show_pii {
            return;
        }
        let Some(lifecycle) = (verdict.lifecycle.as_deref())
            .and_then(|name| self.catalog.lifecycle_id(name))
            .and_then(|id| self.catalog.lifecycles.get(id))
        else {
            return;
        };
        let Some(version) = lifecycle.versions.iter().find(|v| v.name == version) else {
            return;
        };
        if !version.fields.iter().any(|field| field.pii) {
            return;
        }
        let Some(block) = verdict.metadata.as_deref() else {
            return;
        };
        if let Some(masked) = super::mask::masked(block, &version.fields, MASKED) {
            verdict.metadata = Some(masked);
        }
    }

    /// Keeps violations for the report.
    fn keep(&mut self, violations: &[Violation]) {
        for violation in violations {
            self.examples.push(violation);
            self.violations.push(violation.clone());
        }
    }

    /// Forgets the least recently active eighth of the logs (their counts stay in the
    /// report).
    fn forget_logs(&mut self) {
        let mut touched: Vec<u64> = self.logs.values().map(|log| log.touched).collect();
        if touched.is_empty() {
            return;
        }
        let at = touched.len() / 8;
        let (_, &mut threshold, _) = touched.select_nth_unstable(at);
        let mut freed = 0;
        self.logs.retain(|_, log| {
            let keep = log.touched > threshold;
            if !keep {
                freed += log.bytes;
            }
            keep
        });
        self.log_bytes = self.log_bytes.saturating_sub(freed);
    }

    /// Keeps a line that reached no interaction (with what was wrong with it) in its own list.
    fn unattached(&mut self, verdict: &Verdict) {
        if verdict.violations.is_empty() {
            return;
        }
        if self.unattached.len() == LISTED {
            self.unattached.pop_front();
        }
        self.unattached.push_back(UnattachedLine {
            line: verdict.line,
            problems: (verdict.violations.iter())
                .map(|v| (v.kind.name().to_owned(), v.message.clone()))
                .collect(),
        });
    }

    /// Adds a verdict to its interaction's log.
    fn log(&mut self, version: &str, verdict: Verdict) {
        let (Some(lifecycle), Some(interaction)) = (&verdict.lifecycle, &verdict.interaction)
        else {
            self.unattached(&verdict);
            return;
        };
        // A line naming no lifecycle of the catalog has no interaction to log.
        if self.catalog.lifecycle_id(lifecycle).is_none() {
            self.unattached(&verdict);
            return;
        }
        let key = (lifecycle.clone(), interaction.clone());
        // The least recently active eighth goes at once, so that forgetting stays cheap.
        if !self.logs.contains_key(&key) && self.logs.len() >= LOGS_KEPT {
            self.forget_logs();
        }
        while self.log_bytes > self.options.budget / 2 && !self.logs.is_empty() {
            self.forget_logs();
        }
        let log = self.logs.entry(key).or_insert_with(|| InteractionLog {
            lifecycle: lifecycle.clone(),
            version: version.to_owned(),
            interaction: interaction.clone(),
            state: String::new(),
            metadata: None,
            violations: 0,
            event_count: 0,
            events: Vec::new(),
            touched: 0,
            bytes: 0,
        });
        if let Some(state) = &verdict.state {
            log.state.clone_from(state);
        }
        if verdict.metadata.is_some() {
            log.metadata.clone_from(&verdict.metadata);
        }
        if log.version.is_empty() {
            log.version = version.to_owned();
        }
        log.violations += verdict.violations.len() as u64;
        log.event_count += 1;
        log.touched = self.lines;
        if log.events.len() < EVENTS_KEPT {
            let bytes = verdict_bytes(&verdict);
            log.bytes += bytes;
            self.log_bytes += bytes;
            log.events.push(verdict);
        }
    }

    /// Ends every open interaction as the end of a stream would (`incomplete`, timeouts by
    /// the latest timestamp); what they found is returned and kept. Later events start anew.
    pub fn finish(&mut self) -> Vec<Violation> {
        // Lines still held are judged first, and logged like any other.
        let mut held_found = Vec::new();
        let mut held_steps = Vec::new();
        self.interpreter.flush(
            true,
            &mut |key, violation| held_found.extend(key.map(|key| (key, violation))),
            &mut |key, _, step| held_steps.push((key, step.cloned())),
        );
        let mut found: Vec<Violation> = Vec::new();
        self.released(held_found, held_steps, &mut |verdict| {
            found.extend_from_slice(&verdict.violations)
        });
        // Where each interaction ends: after the timeouts the end fires.
        for log in self.logs.values_mut() {
            stand(&self.interpreter, log);
        }
        let ended = std::mem::replace(&mut self.interpreter, fresh(self.catalog, self.options));
        let kept_before = found.len();
        let (summary, coverage) = ended.finish_covered(false, &mut |_, v| found.push(v));
        self.finished_summary.absorb(&summary);
        if let Some(coverage) = coverage {
            self.finished_coverage.absorb(coverage);
        }
        for violation in &found[kept_before..] {
            let key = (
                violation.lifecycle.clone().unwrap_or_default(),
                violation.interaction.clone().unwrap_or_default(),
            );
            if let Some(log) = self.logs.get_mut(&key) {
                log.violations += 1;
            }
        }
        self.keep(&found[kept_before..]);
        found
    }

    /// Forgets everything received.
    pub fn reset(&mut self) {
        *self = Collector::new(self.catalog, self.options);
    }

    fn summary(&self) -> Summary {
        let mut summary = self.finished_summary.clone();
        summary.absorb(self.interpreter.summary());
        summary
    }

    fn coverage(&self) -> Coverage {
        let mut coverage = self.finished_coverage.clone();
        if let Some(live) = self.interpreter.coverage_so_far() {
            coverage.absorb(live);
        }
        coverage
    }

    /// The JSON report of everything so far, as `validate --format json --coverage` writes
    /// it; open interactions are not `incomplete` until [`Collector::finish`]. Its violations
    /// are those kept (the oldest are forgotten beyond the memory budget; the counts stay
    /// exact), the page asked for.
    pub fn report(&self, page: ReportPage) -> (Value, PageSpan) {
        let coverage = self.coverage().report(self.catalog);
        let violations: Vec<&Violation> = self.violations.page(page.after, page.limit).collect();
        let first = page.after.max(self.violations.forgotten);
        let span = PageSpan {
            total: self.violations.last(),
            forgotten: self.violations.forgotten,
            last: first + violations.len() as u64,
        };
        let report = serde_json::json!({
            "format_version": FORMAT_VERSION,
            "summary": self.summary(),
            "violations": violations,
            "coverage": coverage,
        });
        (report, span)
    }

    /// The logs of interactions with this id (one per lifecycle that has it), each with its
    /// state and metadata now.
    pub fn interaction(&self, id: &str) -> Vec<InteractionLog> {
        let mut found: Vec<InteractionLog> = (self.logs.values())
            .filter(|log| log.interaction == id)
            .map(|log| self.now(log))
            .collect();
        found.sort_by(|a, b| a.lifecycle.cmp(&b.lifecycle));
        found
    }

    /// `log` with its state and metadata now.
    fn now(&self, log: &InteractionLog) -> InteractionLog {
        let mut log = log.clone();
        stand(&self.interpreter, &mut log);
        log
    }

    /// The live page: the HTML report so far, with the most recently active interactions.
    pub fn page(&self) -> String {
        let summary = self.summary();
        let coverage = self.coverage();
        let mut logs: Vec<&InteractionLog> = self.logs.values().collect();
        logs.sort_by_key(|log| std::cmp::Reverse(log.touched));
        let rows: Vec<InteractionRow> = (logs.iter().take(LISTED))
            .map(|log| InteractionRow {
                lifecycle: log.lifecycle.clone(),
                interaction: log.interaction.clone(),
                state: (self.interpreter.standing(&log.lifecycle, &log.interaction))
                    .map_or_else(|| log.state.clone(), |(state, _)| state),
                last_event: (log.events.last())
                    .and_then(|e| e.event.clone())
                    .unwrap_or_default(),
                events: log.event_count,
                violations: log.violations,
            })
            .collect();
        let report = coverage.report(self.catalog);
        let pictures = coverage.pictures(self.catalog, &report, TOP_PATHS);
        let live = Live {
            rows,
            unattached: self.unattached.iter().rev().cloned().collect(),
        };
        html::page(&Page {
            inputs: &[],
            summary: &summary,
            examples: &self.examples,
            coverage: &report,
            pictures: &pictures,
            catalog: self.catalog,
            live: Some(&live),
        })
    }
}

/// Brings `log` to where its interaction stands in `interpreter` now, when it is open there.
fn stand(interpreter: &Interpreter<'_>, log: &mut InteractionLog) {
    if let Some((state, metadata)) = interpreter.standing(&log.lifecycle, &log.interaction) {
        log.state = state;
        log.metadata = RawValue::from_string(metadata).ok();
    }
}

/// A JSON array written item by item.
#[derive(Default)]
struct JsonList {
    text: Vec<u8>,
}

impl JsonList {
    fn push(&mut self, item: &impl Serialize) {
        self.text.push(match self.text.is_empty() {
            true => b'[',
            false => b',',
        });
        // Writing into memory fails only on a value JSON cannot hold; there is none.
        let _ = serde_json::to_writer(&mut self.text, item);
    }

    fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The array's text.
    fn close(mut self) -> Vec<u8> {
        match self.text.is_empty() {
            true => b"[]".to_vec(),
            false => {
                self.text.push(b']');
                self.text
            }
        }
    }
}

/// An interpreter that counts coverage, for the report, set up as `options` say.
fn fresh(catalog: &'static Catalog, options: Options) -> Interpreter<'static> {
    let limits = Limits {
        show_pii: options.show_pii,
        quiet_end: options.quiet_end,
        ..Limits::default()
    };
    let mut interpreter = Interpreter::new(catalog, limits);
    interpreter.count_coverage();
    interpreter.reorder_within(options.reorder_window);
    interpreter
}

/// The records of a body: the elements of a JSON array; one JSON object (even across lines);
/// or else its lines. A body that starts with `[` but is no array is one (malformed) record.
fn records(body: &[u8]) -> Vec<Vec<u8>> {
    let trimmed = body.trim_ascii();
    match trimmed.first() {
        Some(b'[') => match serde_json::from_slice::<Vec<&RawValue>>(trimmed) {
            Ok(items) => items
                .iter()
                .map(|item| item.get().as_bytes().to_vec())
                .collect(),
            Err(_) => vec![trimmed.to_vec()],
        },
        Some(b'{') if serde_json::from_slice::<&RawValue>(trimmed).is_ok() => {
            vec![trimmed.to_vec()]
        }
        None => Vec::new(),
        _ => jsonl_lines(body).map(<[u8]>::to_vec).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::{records, Collector, Options, Refused, ReportPage, MAX_RECORDS};

    const ALL: ReportPage = ReportPage {
        after: 0,
        limit: usize::MAX,
    };

    fn builtin() -> &'static crate::compile::Catalog {
        let (files, _) = crate::config::load::load_builtin();
        let catalog = crate::compile::compile(&files)
            .0
            .expect("the built-in catalog");
        Box::leak(Box::new(catalog))
    }

    #[test]
    fn beyond_its_budget_the_oldest_violations_and_logs_go_and_the_counts_stay() {
        let options = Options {
            budget: 200_000,
            ..Options::default()
        };
        let catalog = builtin();
        let lifecycle = &catalog.lifecycles[0].name;
        let mut collector = Collector::new(catalog, options);
        // Each line an unknown event of its own interaction: one violation, one log each.
        for batch in 0..20 {
            let body: Vec<String> = (0..500)
                .map(|i| {
                    format!(
                        r#"{{"lifecycle":"{lifecycle}","interaction":"i{batch}-{i}","event":"nope","ts":1}}"#
                    )
                })
                .collect();
            collector.post(body.join("\n").as_bytes()).expect("judged");
        }
        let (report, span) = collector.report(ALL);
        assert_eq!(report["summary"]["lines"], 10_000);
        assert_eq!(report["summary"]["violations"], 10_000, "counts stay exact");
        let kept = report["violations"].as_array().map_or(0, Vec::len) as u64;
        assert!(kept > 100 && kept < 10_000, "{kept} kept");
        assert_eq!(span.total, 10_000);
        assert_eq!(span.forgotten + kept, 10_000);
        // The newest are kept.
        let last = &report["violations"][kept as usize - 1];
        assert_eq!(last["interaction"], "i19-499");
        assert!(collector.log_bytes <= 100_000, "{}", collector.log_bytes);
        assert!(!collector.interaction("i19-499").is_empty());
        assert!(
            collector.interaction("i0-0").is_empty(),
            "the oldest log went"
        );
        // Pages: after the last one forgotten, ten at a time.
        let page = ReportPage {
            after: span.forgotten,
            limit: 10,
        };
        let (first, first_span) = collector.report(page);
        assert_eq!(first["violations"].as_array().map_or(0, Vec::len), 10);
        assert_eq!(first_span.last, span.forgotten + 10);
        assert_eq!(first["violations"][0], report["violations"][0]);
    }

    #[test]
    fn a_post_of_too_many_records_is_refused_whole() {
        let mut collector = Collector::new(builtin(), Options::default());
        let body = "{}\n".repeat(MAX_RECORDS + 1);
        let refused = collector.post(body.as_bytes());
        assert!(matches!(&refused, Err(Refused(m)) if m.contains("over the limit of 10000")));
        assert_eq!(
            collector.report(ALL).0["summary"]["lines"],
            0,
            "nothing judged"
        );
    }

    #[test]
    fn bodies_split_into_records() {
        assert_eq!(records(b"[{\"a\":1}, {\"b\":2}]").len(), 2);
        assert_eq!(
            records(b"{\n  \"a\": 1\n}\n").len(),
            1,
            "one object across lines"
        );
        assert_eq!(records(b"{\"a\":1}\n{\"b\":2}\n").len(), 2, "JSONL");
        assert_eq!(
            records(b"{\"a\":1}\r\n\r\n{\"b\":2}").len(),
            3,
            "a blank line counts"
        );
        assert_eq!(records(b"[1, 2").len(), 1, "a broken array is one record");
        assert!(records(b" \n").is_empty(), "nothing posted");
    }
}
