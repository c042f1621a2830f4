//! `plotline schema`: JSON Schema of a lifecycle's event records, or of the config format.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::Value;

use super::catalog::{file_name, load_or_report, select, CatalogArgs, SelectArgs};
use super::output::Output;
use super::{ERROR, OK};
use crate::config::LifecycleFile;
use crate::export::record_schema;

/// The file `--config --out DIR` writes.
const CONFIG_SCHEMA_FILE: &str = "lifecycle-file.schema.json";

/// Arguments of `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which lifecycle and version.
    #[command(flatten)]
    pub select: SelectArgs,
    /// Write one file per lifecycle and version into DIR (`NAME-VERSION.schema.json`) instead
    /// of printing one schema.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The schema of the lifecycle file format instead (for editors).
    #[arg(long, conflicts_with_all = ["lifecycle", "version"])]
    pub config: bool,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Runs `schema`.
pub fn schema(args: SchemaArgs) -> u8 {
    if args.config {
        let schema = serde_json::to_value(schemars::schema_for!(LifecycleFile));
        let schema = schema.unwrap_or_default();
        return match &args.out {
            Some(dir) => write_files(dir, [(CONFIG_SCHEMA_FILE.to_string(), schema)]),
            None => print(&schema),
        };
    }
    if args.out.is_none() && args.select.lifecycle.is_none() {
        eprintln!("error: name a lifecycle, or write every schema with --out DIR");
        return ERROR;
    }
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    let Some(selected) = select(&catalog, &args.select, args.out.is_some()) else {
        return ERROR;
    };
    let schemas = selected.into_iter().map(|(lifecycle, version)| {
        (
            file_name(lifecycle, version, "schema.json"),
            record_schema(lifecycle, version),
        )
    });
    match &args.out {
        Some(dir) => write_files(dir, schemas),
        None => schemas
            .map(|(_, schema)| print(&schema))
            .max()
            .unwrap_or(OK),
    }
}

fn print(schema: &Value) -> u8 {
    match serde_json::to_string_pretty(schema) {
        Ok(text) => {
            println!("{text}");
            OK
        }
        Err(error) => {
            eprintln!("error: {error}");
            ERROR
        }
    }
}

/// Writes each `(file name, schema)` into `dir` (created if needed), each file whole or not at
/// all, and prints the path of each.
fn write_files(dir: &Path, schemas: impl IntoIterator<Item = (String, Value)>) -> u8 {
    if let Err(error) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {error}", dir.display());
        return ERROR;
    }
    for (name, schema) in schemas {
        let path = dir.join(name);
        let written = Output::open(Some(&path)).and_then(|mut out| {
            serde_json::to_writer_pretty(&mut out, &schema)?;
            out.write_all(b"\n")?;
            out.finish()
        });
        if let Err(error) = written {
            eprintln!("error: cannot write {}: {error}", path.display());
            return ERROR;
        }
        println!("{}", path.display());
    }
    OK
}
