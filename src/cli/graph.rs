//! `plotline graph`: the state diagram of a lifecycle version.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::catalog::{find_lifecycle, find_version, load_or_report, CatalogArgs};
use super::output::{format_of_output, say, write_text};
use super::ERROR;
use crate::export::diagram::svg::{svg, Overlay};
use crate::export::diagram::{dot::dot, mermaid::mermaid, scxml::scxml, Diagram};

/// Diagram formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Mermaid `stateDiagram-v2` (renders in Markdown on code hosts).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// W3C SCXML 1.0 (ECMAScript data model), executable by SCXML interpreters.
    Scxml,
    /// SVG, laid out by Plotline itself (no Graphviz needed).
    Svg,
}

/// Arguments of `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The lifecycle.
    pub lifecycle: String,
    /// The lifecycle version (default: the newest).
    #[arg(long)]
    pub version: Option<String>,
    /// The diagram format (SCXML: the machine as an executable statechart; default: the one
    /// the name of `-o`'s file ends with, `.svg`, `.dot` or `.gv`, `.scxml`; else Mermaid).
    #[arg(long, value_enum)]
    pub format: Option<GraphFormat>,
    /// Write the diagram to FILE (complete or not at all) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Runs `graph`.
pub fn graph(args: GraphArgs) -> u8 {
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    let Some(lifecycle) = find_lifecycle(&catalog, &args.lifecycle) else {
        return ERROR;
    };
    let version = match &args.version {
        Some(wanted) => find_version(lifecycle, wanted),
        None => lifecycle.versions.last(),
    };
    let Some(version) = version else {
        return ERROR;
    };
    let diagram = Diagram::of(&lifecycle.name, version);
    let named = [
        (".svg", GraphFormat::Svg),
        (".dot", GraphFormat::Dot),
        (".gv", GraphFormat::Dot),
        (".scxml", GraphFormat::Scxml),
    ];
    let format = (args.format)
        .or_else(|| format_of_output(args.output.as_deref(), &named))
        .unwrap_or(GraphFormat::Mermaid);
    let text = match format {
        GraphFormat::Mermaid => mermaid(&diagram),
        GraphFormat::Dot => dot(&diagram),
        GraphFormat::Svg => svg(&diagram, &Overlay::default()),
        GraphFormat::Scxml => {
            let exported = scxml(&lifecycle.name, version);
            if exported.untranslated > 0 {
                say!(
                    "note: {} read what SCXML events do not carry (metadata, the timestamp) or \
                     use aggregates; kept with cond=\"false\" and the guard in a comment",
                    crate::report::plural(exported.untranslated as u64, "guard")
                );
            }
            exported.text
        }
    };
    write_text(args.output.as_deref(), &text)
}
