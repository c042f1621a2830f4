//! `plotline infer`: draft lifecycle files from recorded event streams.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use clap::Args;

use super::catalog::{load_or_report, CatalogArgs};
use super::convert::LifecycleOutput;
use super::output::say;
use super::validate::duration;
use super::{ERROR, OK};
use crate::config::convert::to_yaml;
use crate::config::load;
use crate::infer::{planned_payloads, Draft, Options, Recorder};

/// Arguments of `infer`.
#[derive(Debug, Args)]
pub struct InferArgs {
    /// Recorded JSONL envelope streams (stdin when none is given).
    pub files: Vec<PathBuf>,
    /// Where the drafts go.
    #[command(flatten)]
    pub output: LifecycleOutput,
    /// Only the events of this lifecycle.
    #[arg(long, value_name = "NAME")]
    pub lifecycle: Option<String>,
    /// How many events ahead tell two states apart (the k of k-tails): more keeps more
    /// states apart, fewer generalises more.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=8))]
    pub k: u16,
    /// Set aside interactions that take a step fewer than N interactions took (listed, with
    /// the reason).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_support: u64,
    /// Write numeric bounds (`minimum`, `maximum`) from the values seen.
    #[arg(long)]
    pub bounds: bool,
    /// An interaction the stream went on for this long after its last event has ended
    /// (default: longer than any pause seen inside one interaction); the others may still
    /// be open and are not taken as ends.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub ended_after: Option<i64>,
    /// Take each event's payload from the lifecycle files in DIR (a tracking plan `plotline
    /// import` wrote) instead of learning it: the plan's payloads, the recording's order.
    #[arg(long, value_name = "DIR")]
    pub payloads_from: Option<PathBuf>,
    /// An interaction quiet for longer than this (event time) has ended, and a later event
    /// with its key begins another: what `validate --quiet-end` decides (0: never).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = duration)]
    pub quiet_end: i64,
    /// The catalog whose `formats:` read lines that are native records, not envelopes.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Runs `infer`.
pub fn infer(args: InferArgs) -> u8 {
    let payloads = match &args.payloads_from {
        None => HashMap::new(),
        Some(dir) => match plan_files(dir) {
            Ok(files) => planned_payloads(&files),
            Err(message) => {
                say!("error: {message}");
                return ERROR;
            }
        },
    };
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    let mut recorder = Recorder::new(Options {
        payloads,
        lifecycle: args.lifecycle.clone(),
        k: usize::from(args.k),
        min_support: args.min_support.max(1),
        bounds: args.bounds,
        ended_after: args.ended_after,
        quiet_end: args.quiet_end,
    })
    .with_formats_of(&catalog);
    let read = match args.files.is_empty() {
        true => read_into(&mut recorder, BufReader::new(io::stdin()), "-"),
        false => (args.files.iter()).try_for_each(|path| {
            let file = std::fs::File::open(path)
                .map_err(|error| format!("cannot open {}: {error}", path.display()))?;
            read_into(
                &mut recorder,
                BufReader::new(file),
                &path.display().to_string(),
            )
        }),
    };
    if let Err(message) = read {
        say!("error: {message}");
        return ERROR;
    }
    let (lines, not_events) = (recorder.lines, recorder.not_events);
    let drafts = recorder.finish();
    say!("read {lines} lines ({not_events} not event envelopes, skipped)");
    if drafts.is_empty() {
        say!("error: no event envelopes to learn from");
        return ERROR;
    }
    let names: Vec<&str> = drafts.iter().map(|d| d.name.as_str()).collect();
    if !args
        .output
        .ready(&names, ", or choose one with --lifecycle NAME")
    {
        return ERROR;
    }
    for draft in &drafts {
        if write_draft(draft, &args.output) != OK {
            return ERROR;
        }
    }
    OK
}

/// The lifecycle files of `dir` (YAML, or `.plot` read as YAML), as JSON.
fn plan_files(dir: &Path) -> Result<Vec<serde_json::Value>, String> {
    let sources = load::dir_sources(dir).map_err(|diagnostic| diagnostic.message)?;
    let mut files = Vec::new();
    for source in sources {
        let name = source.name.clone();
        let yaml = match load::is_plot(&name) {
            true => to_yaml(source).map_err(|d| format!("{name}: {}", d.message))?,
            false => source.text,
        };
        files.push(serde_yaml::from_str(&yaml).map_err(|e| format!("{name}: {e}"))?);
    }
    Ok(files)
}

/// Reads every line of `reader` into `recorder`.
fn read_into(recorder: &mut Recorder, mut reader: impl BufRead, name: &str) -> Result<(), String> {
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return Ok(()),
            Ok(_) => recorder.line(line.strip_suffix(b"\n").unwrap_or(&line)),
            Err(error) => return Err(format!("reading {name}: {error}")),
        }
    }
}

/// Writes one draft where it goes, and says what it holds.
fn write_draft(draft: &Draft, output: &LifecycleOutput) -> u8 {
    let code = output.write(&draft.name, &draft.yaml);
    say!(
        "{}: {} events of {} interactions: {} states, {} transitions{}",
        draft.name,
        draft.events,
        draft.interactions,
        draft.states,
        draft.transitions,
        match draft.set_aside.len() {
            0 => String::new(),
            n => format!("; {n} interaction(s) set aside as rare:"),
        }
    );
    for reason in &draft.set_aside {
        say!("  {reason}");
    }
    code
}
