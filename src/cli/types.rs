//! `plotline types`: typed client code for a lifecycle's event records.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::catalog::{file_name, load_or_report, select, CatalogArgs, SelectArgs};
use super::output::emit;
use super::ERROR;
use crate::export::{record_schema, typescript};

/// The languages `types` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// TypeScript declarations (`.d.ts`).
    Typescript,
}

/// Arguments of `types`.
#[derive(Debug, Args)]
pub struct TypesArgs {
    /// Which lifecycle and version.
    #[command(flatten)]
    pub select: SelectArgs,
    /// The language.
    #[arg(long, value_enum, default_value_t = Lang::Typescript)]
    pub lang: Lang,
    /// Write one file per lifecycle and version into DIR (`NAME-VERSION.d.ts`) instead of
    /// printing one.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Runs `types`.
pub fn types(args: TypesArgs) -> u8 {
    let out = args.out.as_deref();
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    let Some(selected) = select(&catalog, &args.select, out.is_some()) else {
        return ERROR;
    };
    let files = selected.into_iter().map(|(lifecycle, version)| {
        let command = format!(
            "plotline types {} --version {} --lang typescript",
            lifecycle.name, version.name
        );
        let text = typescript::declarations(&record_schema(lifecycle, version), &command);
        (file_name(lifecycle, version, "d.ts"), text)
    });
    emit(out, files)
}
