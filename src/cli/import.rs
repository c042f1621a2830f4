//! `plotline import`: lifecycle files from tracking plans of other tools.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use clap::Args;

use super::convert::LifecycleOutput;
use super::output::say;
use super::{ERROR, OK};
use crate::infer::import::{import, PlanFile, PlanKind};

/// Arguments of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the files are.
    #[arg(long)]
    pub from: PlanKind,
    /// The plan's files (directories are read through).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where the lifecycles go.
    #[command(flatten)]
    pub output: LifecycleOutput,
    /// The lifecycle's name (default: `imported`; for Iglu, each vendor's name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// The largest plan file read: a tracking plan of thousands of events is a few megabytes;
/// this bounds memory whatever a path turns out to be.
const MAX_PLAN_BYTES: u64 = 64 << 20;

/// A plan file's text, at most [`MAX_PLAN_BYTES`] of it.
fn read_plan(path: &Path) -> Result<String, String> {
    let cannot = |error: std::io::Error| format!("cannot read {}: {error}", path.display());
    let mut text = String::new();
    let file = std::fs::File::open(path).map_err(cannot)?;
    (file.take(MAX_PLAN_BYTES + 1))
        .read_to_string(&mut text)
        .map_err(cannot)?;
    match text.len() as u64 > MAX_PLAN_BYTES {
        true => Err(format!(
            "{} is larger than {MAX_PLAN_BYTES} bytes, the most a plan file may have",
            path.display()
        )),
        false => Ok(text),
    }
}

/// Runs `import`.
pub fn import_command(args: ImportArgs) -> u8 {
    let mut paths = Vec::new();
    for path in &args.files {
        if let Err(error) = files_under(path, &mut paths) {
            say!("error: cannot read {}: {error}", path.display());
            return ERROR;
        }
    }
    let mut files = Vec::new();
    for path in paths {
        let text = match read_plan(&path) {
            Ok(text) => text,
            Err(message) => {
                say!("error: {message}");
                return ERROR;
            }
        };
        match serde_json::from_str(&text) {
            Ok(json) => files.push(PlanFile {
                name: path.display().to_string(),
                json,
            }),
            Err(error) => {
                say!("error: {} is not JSON: {error}", path.display());
                return ERROR;
            }
        }
    }
    let kind = args.from;
    let default = if kind == PlanKind::Iglu {
        ""
    } else {
        "imported"
    };
    let imported = match import(kind, &files, args.name.as_deref().unwrap_or(default)) {
        Ok(imported) => imported,
        Err(message) => {
            say!("error: {message}");
            return ERROR;
        }
    };
    let names: Vec<&str> = imported.iter().map(|i| i.name.as_str()).collect();
    if !args.output.ready(&names, "") {
        return ERROR;
    }
    for lifecycle in &imported {
        if args.output.write(&lifecycle.name, &lifecycle.yaml) != OK {
            return ERROR;
        }
        say!(
            "{}: {} events, any order; {} keyword(s) not carried over",
            lifecycle.name,
            lifecycle.events,
            lifecycle.dropped.len()
        );
        for dropped in &lifecycle.dropped {
            say!("  {dropped}");
        }
    }
    OK
}

/// `path`, or the files under it (sorted), added to `found`.
fn files_under(path: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        found.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = (std::fs::read_dir(path)?)
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            !path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for entry in entries {
        files_under(&entry, found)?;
    }
    Ok(())
}
