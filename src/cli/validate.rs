//! `plotline validate` and `plotline run`.

use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::catalog::{load_or_report, CatalogArgs};
use super::output::{self, format_of_output, say, status_after, writing_output, Output};
use super::progress;
use super::style;
use super::{ERROR, OK, VIOLATIONS};
use crate::config::model::DurationDecl;
use crate::engine::parallel;
use crate::engine::stream::{self, Input};
use crate::engine::{Interpreter, Limits, Step, Summary, Violation};
use crate::report;

/// Output format of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A line per violation and a summary, for people.
    Text,
    /// One JSON object: summary and violations (`plotline schema --report` has its schema).
    Json,
    /// SARIF 2.1.0, for code-scanning tools: each violation a result whose rule is its kind.
    Sarif,
    /// JUnit XML, for test-report tools: a test case per interaction, a failure per violation.
    Junit,
    /// One self-contained HTML page: summary, violations by kind with examples, and per
    /// lifecycle version a funnel, the state diagram with counts, top paths, durations and
    /// coverage.
    Html,
}

/// Where violations go while a stream is validated.
enum Sink {
    Text,
    Json(report::JsonReport),
    Sarif(report::sarif::SarifReport),
    Junit(report::junit::JunitReport),
    Html(report::html::Examples),
}

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// JSONL files to validate; `-` or nothing reads stdin.
    pub files: Vec<PathBuf>,
    /// Output format (default: the one the name of `-o`'s file ends with, `.json`,
    /// `.sarif`, `.sarif.json`, `.xml` for JUnit, `.html`; else text).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Do not report interactions left open at the end of the stream.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Threads to shard interactions across (default: every core). The report is the same
    /// for any number.
    #[arg(long, short = 'j', value_parser = jobs)]
    pub jobs: Option<NonZeroUsize>,
    /// Count what the stream covers of each lifecycle version (states, events, transitions,
    /// scenarios, guards, timeouts) and report it.
    #[arg(long)]
    pub coverage: bool,
    /// Exit 1 when fewer than PCT percent of the declared transitions were taken (over every
    /// lifecycle the stream used), or LIFECYCLE=PCT for one lifecycle; repeatable.
    #[arg(long, value_name = "PCT", value_parser = coverage_bar)]
    pub fail_below: Vec<Bar>,
    /// Never show the progress bar (it shows only on a terminal, for text reports).
    #[arg(long)]
    pub no_progress: bool,
    /// Write the report to FILE (complete or not at all) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Memory bounds.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// A duration such as `10s`, `500ms` or `2m`, in milliseconds.
pub fn duration(text: &str) -> Result<i64, String> {
    DurationDecl::Text(text.to_owned()).millis()
}

/// A thread count: a whole number, at least 1.
pub fn jobs(text: &str) -> Result<NonZeroUsize, String> {
    match text.parse::<usize>() {
        Ok(n) => NonZeroUsize::new(n).ok_or_else(|| "must be at least 1".to_owned()),
        Err(_) => Err("must be a whole number, at least 1".to_owned()),
    }
}

/// `--quiet-end`, for every command that judges a stream.
#[derive(Debug, Args)]
pub struct QuietEndArg {
    /// End an interaction resting in a state where it may end, with no timeout or deadline
    /// pending, once the stream's event time is more than DURATION past its last event
    /// (ended as valid, as at the end of the stream; a later event with its key begins
    /// another). Memory then follows the interactions in progress. 0: keep every one until
    /// the end of the stream.
    #[arg(long, value_name = "DURATION", value_parser = duration, default_value = "1h")]
    pub quiet_end: i64,
}

/// Memory bounds of `validate` and `run`.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Lines longer than this are reported as malformed and never held in memory.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
    /// Judge each interaction's events in `ts` order when they arrive within DURATION
    /// (`10s`, `500ms`) of event time of one another; a later one is judged on arrival (0: as
    /// they come). Lines are held until the stream's latest `ts` passes theirs by DURATION.
    #[arg(long, value_name = "DURATION", value_parser = duration, default_value = "0")]
    pub reorder_window: i64,
    /// When quiet interactions end.
    #[command(flatten)]
    pub quiet: QuietEndArg,
    /// Interactions open at once; beyond it the least recently active eighth is evicted and
    /// each reported as incomplete.
    #[arg(long, value_name = "N", default_value_t = Limits::MAX_OPEN)]
    pub max_open: usize,
    /// Show the values of personal data (`pii: true`) in messages; masked by default.
    #[arg(long)]
    pub show_pii: bool,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_open: self.max_open,
            max_line_bytes: self.max_line_bytes,
            show_pii: self.show_pii,
            quiet_end: self.quiet.quiet_end,
            ..Limits::default()
        }
    }
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// JSONL files to run; `-` or nothing reads stdin.
    pub files: Vec<PathBuf>,
    /// Do not report interactions left open at the end of the stream.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Write the events to FILE (complete or not at all) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Memory bounds.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

fn open_inputs(files: &[PathBuf]) -> Result<Vec<Input>, String> {
    if files.is_empty() {
        return Ok(vec![stdin_input()]);
    }
    files
        .iter()
        .map(|path| {
            if path.as_os_str() == "-" {
                return Ok(stdin_input());
            }
            let file = File::open(path)
                .map_err(|error| format!("cannot open {}: {error}", path.display()))?;
            Ok(Input {
                name: path.display().to_string(),
                // A regular file's length (a pipe or a device has none that holds).
                size: (file.metadata().ok())
                    .filter(std::fs::Metadata::is_file)
                    .map(|metadata| metadata.len()),
                reader: Box::new(BufReader::with_capacity(1 << 20, file)),
            })
        })
        .collect()
}

fn stdin_input() -> Input {
    if io::stdin().is_terminal() && style::quiet() == 0 {
        say!(
            "plotline: reading events from stdin, a terminal: type JSONL lines and end with \
             Ctrl-D, or name a FILE (plotline validate --help)"
        );
    }
    Input {
        name: "-".to_owned(),
        size: None,
        reader: Box::new(BufReader::with_capacity(1 << 20, io::stdin())),
    }
}

/// Loads the catalog and opens the inputs, reporting any failure on stderr.
fn prepare(
    catalog: &CatalogArgs,
    files: &[PathBuf],
) -> Option<(crate::compile::Catalog, Vec<Input>)> {
    let catalog = load_or_report(catalog)?;
    match open_inputs(files) {
        Ok(inputs) => Some((catalog, inputs)),
        Err(message) => {
            say!("error: {message}");
            None
        }
    }
}

fn exit_for(summary: &Summary) -> u8 {
    if summary.violations == 0 {
        OK
    } else {
        VIOLATIONS
    }
}

impl ValidateArgs {
    /// The report's format: `--format`, else the one `-o`'s file name ends with, else text.
    fn report_format(&self) -> Format {
        let named = [
            (".sarif.json", Format::Sarif),
            (".sarif", Format::Sarif),
            (".json", Format::Json),
            (".xml", Format::Junit),
            (".html", Format::Html),
            (".htm", Format::Html),
        ];
        (self.format)
            .or_else(|| format_of_output(self.output.as_deref(), &named))
            .unwrap_or(Format::Text)
    }
}

/// Runs `validate`.
pub fn validate(args: ValidateArgs) -> u8 {
    let Some((catalog, inputs)) = prepare(&args.catalog, &args.files) else {
        return ERROR;
    };
    let options = parallel::Options {
        jobs: args.jobs.map_or_else(default_jobs, NonZeroUsize::get),
        limits: args.limits.limits(),
        allow_incomplete: args.allow_incomplete,
        reorder_window: args.limits.reorder_window,
    };
    let Some(mut out) = Output::open_or_say(args.output.as_deref()) else {
        return ERROR;
    };
    let quiet = style::quiet();
    let format = args.report_format();
    let show_progress = format == Format::Text && !args.no_progress && quiet == 0;
    let color = out.is_terminal_or_forced();
    let bar = progress::Bar::new(show_progress, &inputs);
    let to_terminal = out.is_terminal();
    let sink = match format {
        Format::Text => Ok(Sink::Text),
        Format::Json => report::JsonReport::new().map(Sink::Json),
        Format::Sarif => report::sarif::SarifReport::new().map(Sink::Sarif),
        Format::Junit => Ok(Sink::Junit(report::junit::JunitReport::default())),
        Format::Html => Ok(Sink::Html(report::html::Examples::new(
            report::html::EXAMPLES_PER_KIND,
        ))),
    };
    let mut sink = match sink {
        Ok(sink) => sink,
        Err(error) => {
            say!("error: cannot create a temporary file for the report: {error}");
            return ERROR;
        }
    };
    let names: Vec<String> = inputs.iter().map(|input| input.name.clone()).collect();
    let mut write_error: Option<io::Error> = None;
    let mut report = |violation: Violation| {
        if write_error.is_some() {
            return;
        }
        write_error = match &mut sink {
            Sink::Json(json) => json.push(&violation).err(),
            Sink::Sarif(sarif) => sarif.push(&violation).err(),
            Sink::Junit(junit) => {
                junit.push(violation);
                None
            }
            Sink::Html(examples) => {
                examples.push(&violation);
                None
            }
            Sink::Text if quiet > 0 => None,
            Sink::Text => {
                let line = colored_line(&violation, color);
                let written = if to_terminal {
                    bar.suspend(|| writeln!(out, "{line}").and_then(|()| out.flush()))
                } else {
                    writeln!(out, "{line}")
                };
                written.err()
            }
        };
    };
    let extras = parallel::Extras {
        list: format == Format::Junit,
        coverage: args.coverage || !args.fail_below.is_empty() || format == Format::Html,
    };
    let result = parallel::validate_with(
        &catalog,
        inputs,
        options,
        extras,
        &mut report,
        &mut |bytes, lines| bar.advance(bytes, lines),
    );
    bar.finish();
    let done = match result {
        Ok(done) => done,
        Err(error) => {
            say!("error: {error}");
            return ERROR;
        }
    };
    let summary = &done.summary;
    warn_of_seconds(done.latest_ts);
    let coverage = done.coverage.as_ref().map(|c| c.report(&catalog));
    let shown = coverage.as_ref().filter(|_| args.coverage);
    let written = write_error.map_or(Ok(()), Err).and_then(|()| match sink {
        Sink::Json(json) => json.write(&mut out, summary, shown),
        Sink::Sarif(sarif) => sarif.write(&mut out),
        Sink::Junit(junit) => junit.write(&mut out, done.interactions, &names),
        Sink::Html(examples) => {
            let (Some(counts), Some(coverage)) = (&done.coverage, &coverage) else {
                return Err(io::Error::other("the HTML report needs the counts"));
            };
            let pictures = counts.pictures(&catalog, coverage, report::html::TOP_PATHS);
            let page = report::html::Page {
                inputs: &names,
                summary,
                examples: &examples,
                coverage,
                pictures: &pictures,
                catalog: &catalog,
                live: None,
            };
            out.write_all(report::html::page(&page).as_bytes())
        }
        _ if quiet > 1 => Ok(()),
        Sink::Text => {
            writeln!(out, "{}", report::text_summary(summary))?;
            match shown {
                Some(coverage) => write!(out, "{}", report::coverage_text(coverage)),
                None => Ok(()),
            }
        }
    });
    let code = finish_output(out, written.map_err(writing_output), summary);
    if code != ERROR {
        let what = match format {
            Format::Text => "the text report",
            Format::Json => "the JSON report",
            Format::Sarif => "the SARIF report",
            Format::Junit => "the JUnit report",
            Format::Html => "the HTML report",
        };
        output::tell_written(args.output.as_deref(), what);
    }
    match (code, &coverage) {
        (ERROR, _) | (_, None) => code,
        (_, Some(coverage)) => match below(coverage, &args.fail_below) {
            Some(message) => {
                say!("coverage below the bar: {message}");
                VIOLATIONS
            }
            None => code,
        },
    }
}

/// A coverage bar: `PCT` over every lifecycle the stream used, or `LIFECYCLE=PCT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The lifecycle, or every one.
    pub lifecycle: Option<String>,
    /// The least percentage of declared transitions taken.
    pub percent: f64,
}

fn coverage_bar(text: &str) -> Result<Bar, String> {
    let (lifecycle, number) = match text.split_once('=') {
        Some((name, number)) => (Some(name.to_owned()), number),
        None => (None, text),
    };
    match number.trim_end_matches('%').parse::<f64>() {
        Ok(percent) if (0.0..=100.0).contains(&percent) => Ok(Bar { lifecycle, percent }),
        _ => Err(format!(
            "`{text}` is not PCT or LIFECYCLE=PCT, with PCT from 0 to 100"
        )),
    }
}

/// Every bar the coverage is below, said in words (none: it passes them all).
fn below(coverage: &report::CoverageReport, bars: &[Bar]) -> Option<String> {
    let mut failing = Vec::new();
    for bar in bars {
        match &bar.lifecycle {
            // A stream that used no lifecycle covered nothing: it passes no bar.
            None if coverage.transitions_declared == 0 => {
                failing.push(format!(
                    "no transition in the stream, under {}%",
                    bar.percent
                ));
            }
            None if coverage.percent < bar.percent => failing.push(format!(
                "{}% of the transitions taken, under {}%",
                coverage.percent, bar.percent
            )),
            None => {}
            Some(name) => {
                let versions = coverage.versions.iter().filter(|v| &v.lifecycle == name);
                let (declared, taken) = versions.fold((0, 0), |(d, t), v| {
                    (d + v.transitions_declared, t + v.transitions_taken)
                });
                let percent = crate::engine::coverage::percent(taken, declared);
                if declared == 0 {
                    failing.push(format!("{name}: not in the stream, under {}%", bar.percent));
                } else if percent < bar.percent {
                    failing.push(format!(
                        "{name}: {percent}% of the transitions taken, under {}%",
                        bar.percent
                    ));
                }
            }
        }
    }
    (!failing.is_empty()).then(|| failing.join("; "))
}

/// Where a stream's latest `ts` says its timestamps are seconds since the epoch: as
/// milliseconds, the whole stream would fall between 1970-01-12 and 1973-03-03.
const SECONDS_LIKE: std::ops::Range<i64> = 1_000_000_000..100_000_000_000;

/// Warns when the stream's timestamps look like seconds: read as the milliseconds `ts` is,
/// every timeout and deadline would be judged a thousand times too long, silently.
fn warn_of_seconds(latest_ts: Option<i64>) {
    let seconds_like = latest_ts.filter(|ts| SECONDS_LIKE.contains(ts));
    let Some(latest) = seconds_like.filter(|_| style::quiet() < 2) else {
        return;
    };
    let day = jiff::Timestamp::from_millisecond(latest)
        .map(|at| at.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default();
    say!(
        "warning: the stream's latest `ts` is {latest}, which as milliseconds (what `ts` is) \
         falls on {day}: if these are seconds, every timeout and deadline was judged a thousand \
         times too long (multiply them by 1000; a native format takes `ts_format: seconds`)"
    );
}

/// A violation's text line, its place dimmed and its kind in red when `color`.
fn colored_line(violation: &Violation, color: bool) -> String {
    if !color {
        return report::text_line(violation);
    }
    let (place, bad) = (style::codes(style::PLACE), style::codes(style::BAD));
    let marks = report::Marks {
        place: (&place.0, &place.1),
        kind: (&bad.0, &bad.1),
    };
    report::marked_text_line(violation, marks)
}

/// Ends the output: a closed pipe is fine (the reader stopped reading); any other write
/// error exits 2, leaving no partial file behind.
fn finish_output(out: Output, written: io::Result<()>, summary: &Summary) -> u8 {
    let written = written.and_then(|()| out.finish().map_err(writing_output));
    status_after(written, exit_for(summary))
}

/// Every core, or one when that is unknown.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Runs `run`: each event back as JSONL with the computed metadata; violations on stderr.
pub fn run(args: RunArgs) -> u8 {
    let Some((catalog, inputs)) = prepare(&args.catalog, &args.files) else {
        return ERROR;
    };
    let limits = args.limits.limits();
    let mut interpreter = Interpreter::new(&catalog, limits);
    interpreter.reorder_within(args.limits.reorder_window);
    let Some(mut out) = Output::open_or_say(args.output.as_deref()) else {
        return ERROR;
    };
    // Each annotated line is made in one reused buffer.
    let mut annotated = Vec::new();
    let mut write_event = |line: &[u8], step: Option<&Step>| -> io::Result<()> {
        match step {
            Some(step) => {
                annotated.clear();
                step.annotate(line, &mut annotated);
                out.write_all(&annotated)?;
            }
            None => out.write_all(line)?,
        }
        out.write_all(b"\n")
    };
    let mut write_event =
        |line: &[u8], step: Option<&Step>| write_event(line, step).map_err(writing_output);
    let quiet = style::quiet();
    let color = style::color_stderr();
    let mut report = |violation: Violation| {
        if quiet == 0 {
            say!("{}", colored_line(&violation, color));
        }
    };
    let result = stream::run(
        &mut interpreter,
        inputs,
        limits.max_line_bytes,
        Some(&mut write_event),
        &mut report,
    );
    warn_of_seconds(interpreter.latest_ts());
    let summary = interpreter.finish(args.allow_incomplete, &mut report);
    let code = finish_output(out, result, &summary);
    if code != ERROR && quiet < 2 {
        say!("{}", report::text_summary(&summary));
    }
    code
}
