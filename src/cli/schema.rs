//! `plotline schema`: JSON Schema of a lifecycle's event records, or of the config format.

use std::path::PathBuf;

use clap::Args;
use serde_json::Value;

use super::catalog::{file_name, load_or_report, select, CatalogArgs, SelectArgs};
use super::output::{write_files, Printer};
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
            Some(dir) => write_files(dir, [(CONFIG_SCHEMA_FILE.to_string(), pretty(&schema))]),
            None => print(&[schema]),
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
        Some(dir) => write_files(dir, schemas.map(|(name, schema)| (name, pretty(&schema)))),
        None => print(&schemas.map(|(_, schema)| schema).collect::<Vec<_>>()),
    }
}

fn print(schemas: &[Value]) -> u8 {
    let mut printer = Printer::default();
    for schema in schemas {
        printer.text(&pretty(schema));
    }
    printer.finish(OK)
}

/// A schema as a file's text: pretty JSON and a final newline.
fn pretty(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}
