//! `plotline schema`: JSON Schema of a lifecycle's event records, or of the config format.

use clap::Args;

use super::catalog::{load_or_report, CatalogArgs};
use super::{ERROR, OK};
use crate::config::LifecycleFile;
use crate::diagnostic::suggestion;
use crate::export::record_schema;

/// Arguments of `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The lifecycle.
    #[arg(required_unless_present = "config")]
    pub lifecycle: Option<String>,
    /// The lifecycle version (default: the newest).
    #[arg(long)]
    pub version: Option<String>,
    /// Print the schema of the lifecycle file format instead (for editors).
    #[arg(long, conflicts_with = "lifecycle")]
    pub config: bool,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Runs `schema`.
pub fn schema(args: SchemaArgs) -> u8 {
    let schema = if args.config {
        serde_json::to_value(schemars::schema_for!(LifecycleFile)).unwrap_or_default()
    } else {
        let Some(catalog) = load_or_report(&args.catalog) else {
            return ERROR;
        };
        let name = args.lifecycle.unwrap_or_default();
        let Some(lifecycle) = catalog.lifecycle(&name) else {
            let help = suggestion(&name, catalog.lifecycles.iter().map(|l| l.name.as_str()));
            eprintln!(
                "error: no lifecycle `{name}`{}",
                help.map(|h| format!(" ({h})")).unwrap_or_default()
            );
            return ERROR;
        };
        let version = match &args.version {
            None => lifecycle.versions.last(),
            Some(wanted) => lifecycle.version_named(wanted),
        };
        let Some(version) = version else {
            let names: Vec<&str> = lifecycle.versions.iter().map(|v| v.name.as_str()).collect();
            eprintln!(
                "error: lifecycle `{name}` has no version `{}` (versions: {})",
                args.version.unwrap_or_default(),
                names.join(", ")
            );
            return ERROR;
        };
        record_schema(lifecycle, version)
    };
    match serde_json::to_string_pretty(&schema) {
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
