//! The library as the bindings under `bindings/` use it: catalogs from text, a validator fed
//! event lines one at a time or many at once, and the exports of one lifecycle, each answer
//! JSON text. Nothing here but [`from_dir`] and [`report_of`] starts a thread or touches a
//! file or the network, so the rest runs in `wasm32-unknown-unknown` as it does natively.
//! The verdicts are the CLI's: the same interpreter fed the same lines the same way
//! (`engine::stream::take_line`), and the same report, byte for byte.

use serde::Serialize;
use serde_json::Value;

use crate::compile::{compile_sources, load_catalog, Catalog};
use crate::config::model::DurationDecl;
use crate::diagnostic::{closest, Diagnostic, Severity, SourceText};
use crate::engine::chunks::{jsonl_lines, trim_line_end};
use crate::engine::parallel;
use crate::engine::stream::{take_line, Input};
use crate::engine::{Interpreter, Limits, Place, Step, Summary, Violation};
use crate::export::diagram::svg::{svg, Overlay};
use crate::export::diagram::{dot::dot, mermaid::mermaid, scxml::scxml, Diagram};
use crate::export::{record_schema, typescript};
use crate::report::JsonReport;

/// The built-in catalog, or the diagnostics that keep it from compiling.
pub fn builtin() -> Result<Catalog, Vec<Diagnostic>> {
    usable(load_catalog(None, false))
}

/// The catalog of the lifecycle files in `dir`, as `--catalog DIR` loads it (native only: it
/// reads files).
pub fn from_dir(dir: &std::path::Path) -> Result<Catalog, Vec<Diagnostic>> {
    usable(load_catalog(Some(dir), false))
}

/// The catalog of lifecycle files given as `(name, text)` (`.plot` by the name, else YAML).
pub fn from_texts(files: Vec<(String, String)>) -> Result<Catalog, Vec<Diagnostic>> {
    if files.is_empty() {
        return Err(vec![Diagnostic::general("no lifecycle files given")]);
    }
    let sources = (files.into_iter())
        .map(|(name, text)| SourceText { name, text })
        .collect();
    usable(compile_sources(sources))
}

/// The catalog, or its errors (warnings dropped: they do not keep it from working).
fn usable(loaded: (Option<Catalog>, Vec<Diagnostic>)) -> Result<Catalog, Vec<Diagnostic>> {
    match loaded {
        (Some(catalog), _) => Ok(catalog),
        (None, diagnostics) => Err(diagnostics.into_iter().filter(|d| d.is_error()).collect()),
    }
}

/// A diagnostic as the bindings hand it on: file, line, column, message, help, and the line
/// the CLI prints.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticView {
    /// The file, when the problem is in one.
    pub file: Option<String>,
    /// 1-based line (0 when the problem has no place in the file).
    pub line: usize,
    /// 1-based column (0 likewise).
    pub column: usize,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The whole line, as `plotline check` prints it.
    pub text: String,
}

impl From<&Diagnostic> for DiagnosticView {
    fn from(diagnostic: &Diagnostic) -> Self {
        DiagnosticView {
            file: diagnostic.source.as_ref().map(|s| s.name.clone()),
            line: diagnostic.location.line,
            column: diagnostic.location.column,
            severity: match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            message: diagnostic.message.clone(),
            help: diagnostic.help.clone(),
            text: diagnostic.to_string(),
        }
    }
}

/// The diagnostics as a JSON array.
pub fn diagnostics_json(diagnostics: &[Diagnostic]) -> String {
    let views: Vec<DiagnosticView> = diagnostics.iter().map(DiagnosticView::from).collect();
    serde_json::to_string(&views).unwrap_or_else(|_| "[]".to_owned())
}

/// How a validator judges: the options `plotline validate` has for it.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `--reorder-window`, in milliseconds.
    pub reorder_window: i64,
    /// `--quiet-end`, in milliseconds.
    pub quiet_end: i64,
    /// `--show-pii`.
    pub show_pii: bool,
    /// `--allow-incomplete`.
    pub allow_incomplete: bool,
    /// `--max-line-bytes`.
    pub max_line_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reorder_window: 0,
            quiet_end: Limits::QUIET_END,
            show_pii: false,
            allow_incomplete: false,
            max_line_bytes: Limits::MAX_LINE_BYTES,
        }
    }
}

/// The option names, each in both spellings (`reorder_window` and `reorderWindow`).
const OPTION_NAMES: [(&str, &str); 5] = [
    ("reorder_window", "reorderWindow"),
    ("quiet_end", "quietEnd"),
    ("show_pii", "showPii"),
    ("allow_incomplete", "allowIncomplete"),
    ("max_line_bytes", "maxLineBytes"),
];

impl Options {
    /// The options of a JSON object: durations as text (`"10s"`) or milliseconds, flags as
    /// booleans. An unknown name or a wrong value is an error that says so.
    pub fn from_json(text: &str) -> Result<Options, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("options are no JSON: {e}"))?;
        let mut options = Options::default();
        let Value::Object(map) = value else {
            return match value {
                Value::Null => Ok(options),
                _ => Err("options must be an object".to_owned()),
            };
        };
        for (key, value) in &map {
            let name = OPTION_NAMES
                .iter()
                .find(|(snake, camel)| key == snake || key == camel)
                .map(|(snake, _)| *snake);
            match name {
                Some("reorder_window") => options.reorder_window = duration(key, value)?,
                Some("quiet_end") => options.quiet_end = duration(key, value)?,
                Some("show_pii") => options.show_pii = flag(key, value)?,
                Some("allow_incomplete") => options.allow_incomplete = flag(key, value)?,
                Some("max_line_bytes") => {
                    options.max_line_bytes = (value.as_u64())
                        .and_then(|n| usize::try_from(n).ok())
                        .filter(|&n| n > 0)
                        .ok_or_else(|| format!("`{key}` must be a whole number of bytes"))?;
                }
                _ => {
                    let names = OPTION_NAMES.iter().flat_map(|(a, b)| [*a, *b]);
                    let help = closest(key, names.clone(), 3)
                        .map(|name| format!("did you mean `{name}`?"))
                        .unwrap_or_else(|| {
                            let camel: Vec<&str> = OPTION_NAMES.iter().map(|(_, b)| *b).collect();
                            format!("options: {}", camel.join(", "))
                        });
                    return Err(format!("unknown option `{key}` ({help})"));
                }
            }
        }
        Ok(options)
    }
}

impl Options {
    /// The interpreter's limits these options give.
    fn limits(&self) -> Limits {
        Limits {
            max_line_bytes: self.max_line_bytes,
            show_pii: self.show_pii,
            quiet_end: self.quiet_end,
            ..Limits::default()
        }
    }
}

/// The JSON report of whole inputs read by Plotline (files opened by the caller), judged on
/// `jobs` threads as `plotline validate -j JOBS --format json` judges them: the same text.
/// Native only: it spills the report to a temporary file and starts threads.
pub fn report_of(
    catalog: &Catalog,
    inputs: Vec<Input>,
    options: Options,
    jobs: usize,
) -> Result<String, String> {
    let run = parallel::Options {
        jobs,
        limits: options.limits(),
        allow_incomplete: options.allow_incomplete,
        reorder_window: options.reorder_window,
    };
    let mut report = JsonReport::new()
        .map_err(|e| format!("cannot create a temporary file for the report: {e}"))?;
    let mut failed = None;
    let mut keep = |violation: Violation| {
        if let Err(error) = report.push(&violation) {
            failed.get_or_insert(error);
        }
    };
    let extras = parallel::Extras::default();
    let done = parallel::validate_with(catalog, inputs, run, extras, &mut keep, &mut |_, _| {})
        .map_err(|e| e.to_string())?;
    if let Some(error) = failed {
        return Err(error.to_string());
    }
    let mut text = Vec::new();
    (report.write(&mut text, &done.summary, None)).map_err(|e| e.to_string())?;
    String::from_utf8(text).map_err(|e| e.to_string())
}

/// A duration option: `"10s"`, `"500ms"`, or a number of milliseconds.
fn duration(key: &str, value: &Value) -> Result<i64, String> {
    match value {
        Value::String(text) => DurationDecl::Text(text.clone())
            .millis()
            .map_err(|e| format!("`{key}`: {e}")),
        Value::Number(n) => (n.as_i64())
            .filter(|&ms| ms >= 0)
            .ok_or_else(|| format!("`{key}` must be a whole number of milliseconds, at least 0")),
        _ => Err(format!("`{key}` must be a duration such as \"10s\"")),
    }
}

/// A flag option.
fn flag(key: &str, value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("`{key}` must be true or false"))
}

/// What became of one event, as a binding shows it.
#[derive(Debug, Serialize)]
pub struct StepView {
    /// The lifecycle.
    pub lifecycle: String,
    /// The version that judged it.
    pub version: String,
    /// The interaction.
    pub interaction: String,
    /// The event.
    pub event: String,
    /// The interaction's state after it.
    pub state: String,
    /// The metadata block after it.
    pub metadata: Value,
}

impl From<&Step> for StepView {
    fn from(step: &Step) -> Self {
        // The block is a JSON object the interpreter wrote; `null` if it ever were not.
        let metadata = serde_json::from_str(&step.metadata).unwrap_or_default();
        StepView {
            lifecycle: step.lifecycle.to_string(),
            version: step.version.to_string(),
            interaction: step.interaction.to_string(),
            event: step.event.to_string(),
            state: step.state.to_string(),
            metadata,
        }
    }
}

/// The verdict on one line pushed. Its steps stay as the interpreter gave them until they
/// are shown ([`StepView`]): a binding that reads only some parts pays only for those.
#[derive(Debug)]
pub struct Verdict {
    /// Its line number in the stream pushed so far.
    pub line: u64,
    /// Whether it is held back by the reorder window (judged when the stream's time has
    /// passed it by the window, or at `finish`).
    pub held: bool,
    /// What became of it, when it was judged now and reached an interaction.
    pub step: Option<Step>,
    /// Every violation found while it was taken in: its own, and those of lines held before
    /// and judged now, or of interactions evicted to make room (each names its line).
    pub violations: Vec<Violation>,
    /// Lines held before and judged now, in the order judged.
    pub released: Vec<Step>,
}

impl Verdict {
    /// Its step, shown.
    pub fn step_view(&self) -> Option<StepView> {
        self.step.as_ref().map(StepView::from)
    }

    /// The lines judged now, shown.
    pub fn released_view(&self) -> Vec<StepView> {
        self.released.iter().map(StepView::from).collect()
    }
}

impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The verdict as shown: its steps as [`StepView`]s.
        #[derive(Serialize)]
        struct Shown<'a> {
            line: u64,
            held: bool,
            step: Option<StepView>,
            violations: &'a [Violation],
            released: Vec<StepView>,
        }
        Shown {
            line: self.line,
            held: self.held,
            step: self.step_view(),
            violations: &self.violations,
            released: self.released_view(),
        }
        .serialize(serializer)
    }
}

/// What pushing many lines, or finishing, found.
#[derive(Debug, Serialize)]
pub struct Found {
    /// Lines taken in.
    pub lines: u64,
    /// The violations found, in the order found.
    pub violations: Vec<Violation>,
}

/// A stream being judged, fed by the caller: one line at a time ([`Validator::push`]) or
/// many ([`Validator::push_lines`]), then [`Validator::finish`] and the report.
pub struct Validator<'c> {
    interpreter: Option<Interpreter<'c>>,
    report: JsonReport,
    /// The finished report's text.
    finished: Option<(Summary, String)>,
    /// The input's name in violations and the report.
    name: String,
    /// Lines taken so far.
    lines: u64,
    options: Options,
}

impl<'c> Validator<'c> {
    /// A validator of `catalog` judging as `options` say; violations name the input `name`.
    pub fn new(catalog: &'c Catalog, options: Options, name: &str) -> Validator<'c> {
        let mut interpreter = Interpreter::new(catalog, options.limits());
        interpreter.reorder_within(options.reorder_window);
        Validator {
            interpreter: Some(interpreter),
            report: JsonReport::in_memory(),
            finished: None,
            name: name.to_owned(),
            lines: 0,
            options,
        }
    }

    /// Judges one line (a JSON event record; a line end is allowed at its end, none inside).
    pub fn push(&mut self, line: &[u8]) -> Result<Verdict, String> {
        let line = trim_line_end(line);
        if memchr::memchr(b'\n', line).is_some() {
            return Err(
                "push takes one line; several go to push_lines (pushLines in JavaScript)"
                    .to_owned(),
            );
        }
        let line = self.first_line(line);
        let held_before = self.interpreter.as_ref().map_or(0, Interpreter::lines_held);
        let mut violations = Vec::new();
        let mut released = Vec::new();
        let step = self.take(
            line,
            true,
            &mut |violation| violations.push(violation),
            |_, step| released.extend(step.cloned()),
        )?;
        for violation in &violations {
            self.report.push(violation).map_err(|e| e.to_string())?;
        }
        let held_after = self.interpreter.as_ref().map_or(0, Interpreter::lines_held);
        Ok(Verdict {
            line: self.lines,
            held: held_after > held_before,
            step,
            violations,
            released,
        })
    }

    /// Judges every line of `text` (JSONL; a last line without its line end is a line), as
    /// `plotline validate` reads a file: line numbers go on from the lines pushed before.
    pub fn push_lines(&mut self, text: &[u8]) -> Result<Found, String> {
        self.interpreter.as_ref().ok_or_else(finished)?;
        let text = self.first_line(text);
        let mut found = Found {
            lines: 0,
            violations: Vec::new(),
        };
        for line in jsonl_lines(text) {
            let mut keep = |violation| found.violations.push(violation);
            self.take(line, false, &mut keep, |_, _| {})?;
            found.lines += 1;
        }
        for violation in &found.violations {
            self.report.push(violation).map_err(|e| e.to_string())?;
        }
        Ok(found)
    }

    /// Hands the next line (without its line end) to the interpreter, as `stream::run` does.
    fn take(
        &mut self,
        line: &[u8],
        want_step: bool,
        report: &mut dyn FnMut(Violation),
        judged: impl FnMut(&[u8], Option<&Step>),
    ) -> Result<Option<Step>, String> {
        let interpreter = self.interpreter.as_mut().ok_or_else(finished)?;
        self.lines += 1;
        let place = Place {
            file_index: 0,
            file: &self.name,
            line: self.lines,
        };
        let max_line = self.options.max_line_bytes;
        let overlong = (line.len() > max_line).then_some(line.len() as u64);
        Ok(take_line(
            interpreter,
            place,
            (line.into(), overlong),
            want_step,
            report,
            judged,
        ))
    }

    /// The stream without its byte-order mark when it starts here (as files are read).
    fn first_line<'t>(&self, text: &'t [u8]) -> &'t [u8] {
        match self.lines {
            0 => text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text),
            _ => text,
        }
    }

    /// Ends the stream: lines still held are judged, interactions left open reported (unless
    /// `allow_incomplete`). Nothing can be pushed after it.
    pub fn finish(&mut self) -> Result<Found, String> {
        let mut violations = Vec::new();
        // Lines still held are judged first, then the interactions left open.
        let summary = (self.interpreter.take().ok_or_else(finished)?)
            .finish(self.options.allow_incomplete, &mut |v| violations.push(v));
        // The violations found at the end come after those found before, as in the CLI.
        for violation in &violations {
            self.report.push(violation).map_err(|e| e.to_string())?;
        }
        let report = std::mem::replace(&mut self.report, JsonReport::in_memory());
        let mut text = Vec::new();
        (report.write(&mut text, &summary, None)).map_err(|e| e.to_string())?;
        let text = String::from_utf8(text).map_err(|e| e.to_string())?;
        self.finished = Some((summary, text));
        Ok(Found {
            lines: 0,
            violations,
        })
    }

    /// The counts so far (final once finished), as JSON.
    pub fn summary(&self) -> String {
        let summary = match (&self.finished, &self.interpreter) {
            (Some((summary, _)), _) => Some(summary),
            (None, Some(interpreter)) => Some(interpreter.summary()),
            (None, None) => None,
        };
        serde_json::to_string(&summary).unwrap_or_default()
    }

    /// The JSON report, as `plotline validate --format json` writes it; only once finished.
    pub fn report(&self) -> Result<&str, String> {
        match &self.finished {
            Some((_, text)) => Ok(text),
            None => Err("the report is written by finish(): call it first".to_owned()),
        }
    }
}

/// The error of a validator used after `finish`.
fn finished() -> String {
    "this validator is finished: make another to judge another stream".to_owned()
}

/// The formats `graph` writes.
pub const GRAPH_FORMATS: [&str; 4] = ["mermaid", "dot", "svg", "scxml"];

/// JSON Schema of the event records of `lifecycle` (`version`, else its latest), pretty, as
/// `plotline schema` writes it.
pub fn schema(catalog: &Catalog, lifecycle: &str, version: Option<&str>) -> Result<String, String> {
    let (lifecycle, version) = catalog.find_version(lifecycle, version)?;
    let mut text = serde_json::to_string_pretty(&record_schema(lifecycle, version))
        .map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// TypeScript declarations of the event records, as `plotline types` writes them.
pub fn types(catalog: &Catalog, lifecycle: &str, version: Option<&str>) -> Result<String, String> {
    let (lifecycle, version) = catalog.find_version(lifecycle, version)?;
    let command = format!(
        "plotline types {} --version {} --lang typescript",
        lifecycle.name, version.name
    );
    Ok(typescript::declarations(
        &record_schema(lifecycle, version),
        &command,
    ))
}

/// The diagram of a lifecycle version in `format` (one of [`GRAPH_FORMATS`]), as
/// `plotline graph` writes it.
pub fn graph(
    catalog: &Catalog,
    lifecycle: &str,
    version: Option<&str>,
    format: &str,
) -> Result<String, String> {
    let (lifecycle, version) = catalog.find_version(lifecycle, version)?;
    let diagram = || Diagram::of(&lifecycle.name, version);
    match format {
        "mermaid" => Ok(mermaid(&diagram())),
        "dot" => Ok(dot(&diagram())),
        "svg" => Ok(svg(&diagram(), &Overlay::default())),
        "scxml" => Ok(scxml(&lifecycle.name, version).text),
        _ => Err(format!(
            "no graph format `{format}` (formats: {})",
            GRAPH_FORMATS.join(", ")
        )),
    }
}

/// The names of the catalog's lifecycles with their versions, oldest first, as JSON.
pub fn lifecycles(catalog: &Catalog) -> String {
    let list: Vec<Value> = (catalog.lifecycles.iter())
        .map(|lifecycle| {
            let versions: Vec<&str> = lifecycle.versions.iter().map(|v| v.name.as_str()).collect();
            serde_json::json!({"name": lifecycle.name, "versions": versions})
        })
        .collect();
    serde_json::to_string(&list).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_cut_into_lines_at_line_ends_only() {
        let catalog = builtin().expect("the built-in catalog");
        let count = |pieces: &[&str]| {
            let mut validator = Validator::new(&catalog, Options::default(), "-");
            let lines: u64 = (pieces.iter())
                .map(|piece| validator.push_lines(piece.as_bytes()).expect("taken").lines)
                .sum();
            validator.finish().expect("finished");
            let summary: serde_json::Value = serde_json::from_str(&validator.summary()).unwrap();
            (lines, summary["lines"].as_u64())
        };
        // A last line without its end is a line; a blank line is one too; nothing is none.
        assert_eq!(count(&["a\nb\n"]), (2, Some(2)));
        assert_eq!(count(&["a\nb"]), (2, Some(2)));
        assert_eq!(count(&["\n", "\r\n", ""]), (2, Some(2)));
        assert_eq!(count(&[""]), (0, Some(0)));
    }
}
