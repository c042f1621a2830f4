//! `plotline list`: the catalog's lifecycles, versions, events and native record formats.

use clap::Args;

use super::catalog::{load_or_report, CatalogArgs};
use super::output::Printer;
use super::{ERROR, OK};

/// Arguments of `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which catalog to list.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Runs `list`.
pub fn list(args: ListArgs) -> u8 {
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    let mut printer = Printer::default();
    for lifecycle in &catalog.lifecycles {
        printer.line(format!(
            "{}: {}",
            lifecycle.name,
            lifecycle.title.as_deref().unwrap_or(&lifecycle.description)
        ));
        for version in &lifecycle.versions {
            let events: Vec<&str> = version.events.iter().map(|e| e.name.as_str()).collect();
            let fields: Vec<&str> = version.fields.iter().map(|f| f.name.as_str()).collect();
            printer.line(format!("  {}: events {}", version.name, events.join(", ")));
            if !fields.is_empty() {
                printer.line(format!(
                    "  {}  metadata {}",
                    " ".repeat(version.name.len()),
                    fields.join(", ")
                ));
            }
        }
        if !lifecycle.formats.is_empty() {
            let names: Vec<&str> = lifecycle.formats.iter().map(|f| f.name.as_str()).collect();
            printer.line(format!("  native formats: {}", names.join(", ")));
        }
    }
    printer.finish(OK)
}
