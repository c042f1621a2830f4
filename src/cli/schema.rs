//! `plotline schema`: JSON Schema of a lifecycle's event records, or of the config format.

use std::path::PathBuf;

use clap::Args;
use serde_json::Value;

use super::catalog::{file_name, load_or_report, select, CatalogArgs, SelectArgs};
use super::output::{emit, say};
use super::ERROR;
use crate::config::LifecycleFile;
use crate::export::record_schema;

/// The file `--report --out DIR` writes.
const REPORT_SCHEMA_FILE: &str = "report.schema.json";

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
    /// The schema of the lifecycle file format instead (for editors); takes no LIFECYCLE.
    #[arg(long)]
    pub config: bool,
    /// The schema of the JSON report of `validate --format json` instead.
    #[arg(long, conflicts_with = "config")]
    pub report: bool,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Runs `schema`.
pub fn schema(args: SchemaArgs) -> u8 {
    let out = args.out.as_deref();
    let named = args.select.lifecycle.is_some() || args.select.version.is_some();
    if let (Some(flag), true) = (
        (args.config.then_some("--config")).or(args.report.then_some("--report")),
        named,
    ) {
        say!(
            "error: {flag} writes the schema of a file format, which takes no LIFECYCLE or \
             --version (the schema of a lifecycle's records: plotline schema NAME)"
        );
        return ERROR;
    }
    if args.report {
        let text = pretty(&crate::report::report_schema());
        let file = (REPORT_SCHEMA_FILE.to_owned(), text);
        return emit(out, [file]);
    }
    if args.config {
        let schema = serde_json::to_value(schemars::schema_for!(LifecycleFile));
        let text = pretty(&schema.unwrap_or_default());
        return emit(out, [(CONFIG_SCHEMA_FILE.to_string(), text)]);
    }
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    let Some(selected) = select(&catalog, &args.select, out.is_some()) else {
        return ERROR;
    };
    let schemas = selected.into_iter().map(|(lifecycle, version)| {
        let text = pretty(&record_schema(lifecycle, version));
        (file_name(lifecycle, version, "schema.json"), text)
    });
    emit(out, schemas)
}

/// A schema as a file's text: pretty JSON and a final newline.
fn pretty(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}
