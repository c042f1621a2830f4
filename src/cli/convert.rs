//! `plotline convert` (YAML to `.plot` and back) and `plotline fmt` (`.plot` files in their
//! canonical layout).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::catalog::print_diagnostics;
use super::output::{say, write_text, Printer};
use super::{CatalogArgs, ERROR, OK, VIOLATIONS};
use crate::config::convert::{to_plot, to_yaml};
use crate::config::load::is_plot;
use crate::diagnostic::SourceText;

/// The surfaces of a lifecycle file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Surface {
    /// The `.plot` language.
    Plot,
    /// YAML.
    Yaml,
}

/// Arguments of `convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The lifecycle file (`.yaml`, `.yml` or `.plot`).
    pub file: PathBuf,
    /// What to write it as (default: the surface `-o` names by its extension, else the one
    /// FILE is not written in).
    #[arg(long)]
    pub to: Option<Surface>,
    /// Write to OUT (complete or not at all) instead of stdout.
    #[arg(long, short = 'o', value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// Arguments of `fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The `.plot` files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Rewrite nothing: list the files whose layout would change, and exit 1 if any.
    #[arg(long)]
    pub check: bool,
}

/// Reads `path` as a source, or says why not.
fn source(path: &Path) -> Option<SourceText> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(SourceText {
            name: path.display().to_string(),
            text,
        }),
        Err(error) => {
            say!("error: cannot read {}: {error}", path.display());
            None
        }
    }
}

/// Runs `convert`.
pub fn convert(args: ConvertArgs) -> u8 {
    let Some(source) = source(&args.file) else {
        return ERROR;
    };
    let converted = match args.to.unwrap_or_else(|| surface_by_default(&args)) {
        Surface::Plot => to_plot(source),
        Surface::Yaml => to_yaml(source),
    };
    match converted {
        Ok(text) => write_text(args.output.as_deref(), &text),
        Err(diagnostic) => {
            print_diagnostics(&CatalogArgs::default(), &[diagnostic]);
            ERROR
        }
    }
}

/// The surface `convert` writes without `--to`: the one the output file's extension names,
/// else the other one than the input's.
fn surface_by_default(args: &ConvertArgs) -> Surface {
    let named = |path: &Path| match path.extension()?.to_str()? {
        "plot" => Some(Surface::Plot),
        "yaml" | "yml" => Some(Surface::Yaml),
        _ => None,
    };
    let other = match named(&args.file) {
        Some(Surface::Plot) => Surface::Yaml,
        _ => Surface::Plot,
    };
    args.output.as_deref().and_then(named).unwrap_or(other)
}

/// Runs `fmt`.
pub fn fmt(args: FmtArgs) -> u8 {
    let mut printer = Printer::default();
    let mut changed = 0usize;
    for path in &args.files {
        if !is_plot(&path.display().to_string()) {
            say!(
                "error: {} is not a .plot file (plotline convert FILE --to plot)",
                path.display()
            );
            return ERROR;
        }
        let Some(source) = source(path) else {
            return ERROR;
        };
        let original = source.text.clone();
        let formatted = match to_plot(source) {
            Ok(text) => text,
            Err(diagnostic) => {
                print_diagnostics(&CatalogArgs::default(), &[diagnostic]);
                return ERROR;
            }
        };
        if formatted == original {
            continue;
        }
        changed += 1;
        if args.check {
            printer.line(path.display());
        } else if write_text(Some(path), &formatted) != OK {
            return ERROR;
        }
    }
    printer.finish(if args.check && changed > 0 {
        VIOLATIONS
    } else {
        OK
    })
}

/// Where `infer` and `import` write the lifecycle files they make.
#[derive(Debug, Args)]
pub struct LifecycleOutput {
    /// Write one file per lifecycle into DIR (NAME.yaml or NAME.plot); without it, the one
    /// lifecycle goes to stdout.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// What to write the lifecycles as.
    #[arg(long, default_value = "yaml")]
    pub to: Surface,
}

impl LifecycleOutput {
    /// Whether lifecycles `names` can be written: one, or any number into the directory
    /// (made here); says why not, with `choose` as another way out.
    pub fn ready(&self, names: &[&str], choose: &str) -> bool {
        let Some(dir) = &self.output else {
            if names.len() > 1 {
                say!(
                    "error: {} lifecycles ({}): write them with -o DIR{choose}",
                    names.len(),
                    names.join(", ")
                );
            }
            return names.len() <= 1;
        };
        match std::fs::create_dir_all(dir) {
            Ok(()) => true,
            Err(error) => {
                say!("error: cannot create {}: {error}", dir.display());
                false
            }
        }
    }

    /// Writes lifecycle `name` (its file as YAML) in the language and place asked for.
    pub fn write(&self, name: &str, yaml: &str) -> u8 {
        let (text, extension) = match self.to {
            Surface::Yaml => (yaml.to_owned(), "yaml"),
            Surface::Plot => match to_plot(SourceText {
                name: format!("{name}.yaml"),
                text: yaml.to_owned(),
            }) {
                Ok(text) => (text, "plot"),
                Err(diagnostic) => {
                    say!("error: {name} does not convert: {}", diagnostic.message);
                    return ERROR;
                }
            },
        };
        let path = (self.output.as_ref()).map(|dir| dir.join(format!("{name}.{extension}")));
        write_text(path.as_deref(), &text)
    }
}
