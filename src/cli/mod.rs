//! The command line: one file per subcommand, each a thin layer over the library.

pub mod catalog;
pub mod check;
pub mod convert;
pub mod diff;
pub mod docs;
pub mod graph;
pub mod import;
pub mod infer;
pub mod list;
#[cfg(feature = "nats")]
pub mod nats;
pub mod output;
pub mod progress;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod simulate;
pub mod style;
pub mod types;
pub mod validate;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use catalog::CatalogArgs;

/// Plotline: validate event streams of web engagement widgets against their lifecycles.
#[derive(Debug, Parser)]
#[command(name = "plotline", version, about)]
pub struct Cli {
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = style::ColorChoice::Auto)]
    pub color: style::ColorChoice,
    /// Say less: -q only summaries, -qq nothing but data and errors (the exit status says the
    /// rest).
    #[arg(long, short = 'q', global = true, action = clap::ArgAction::Count)]
    pub quiet: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The exit statuses of commands that judge a stream.
const EXIT_JUDGE: &str =
    "Exit status: 0 no violation, 1 violations found, 2 usage, config or I/O error.";
/// The exit statuses of commands that write what they are asked for.
const EXIT_WRITE: &str = "Exit status: 0 done, 2 usage, config or I/O error.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate JSONL event streams (stdin when no file is given).
    #[command(after_help = EXIT_JUDGE)]
    Validate(validate::ValidateArgs),
    /// Write each event back with the computed `metadata` block.
    #[command(after_help = EXIT_JUDGE)]
    Run(validate::RunArgs),
    /// Load, compile and lint the catalog, and run every documented scenario.
    #[command(
        after_help = "Exit status: 0 the catalog is sound and every scenario runs as documented, \
                      2 otherwise (or on a usage or I/O error)."
    )]
    Check(check::CheckArgs),
    /// Print the JSON Schema of a lifecycle's event records, or of the config format.
    #[command(after_help = EXIT_WRITE)]
    Schema(schema::SchemaArgs),
    /// What changed between two versions of a lifecycle (or two catalogs), and whether
    /// records of one are still valid for the other.
    #[command(
        after_help = "Exit status: 0 done (and no change of the --fail-on class), 1 a change of \
                      the --fail-on class, 2 usage, config or I/O error."
    )]
    Diff(diff::DiffArgs),
    /// Write typed client code (TypeScript) for a lifecycle's event records.
    #[command(after_help = EXIT_WRITE)]
    Types(types::TypesArgs),
    /// List the catalog's lifecycles, versions and events.
    #[command(after_help = EXIT_WRITE)]
    List(list::ListArgs),
    /// Write a realistic JSONL event stream made from the catalog (load tests, demos).
    #[command(after_help = EXIT_WRITE)]
    Simulate(simulate::SimulateArgs),
    /// Draw a lifecycle version's state diagram: Mermaid, Graphviz DOT, SVG (laid out by
    /// Plotline, no Graphviz needed) or SCXML.
    #[command(after_help = EXIT_WRITE)]
    Graph(graph::GraphArgs),
    /// Lifecycle files from tracking plans of other tools (JSON Schema files, a Segment
    /// tracking plan, Iglu schemas): their events' payloads, in any order.
    #[command(after_help = EXIT_WRITE)]
    Import(import::ImportArgs),
    /// Draft lifecycle files from recorded event streams: payloads with their types, the
    /// order of events learned by state merging (k-tails), versions.
    #[command(after_help = EXIT_WRITE)]
    Infer(infer::InferArgs),
    /// Convert a lifecycle file between YAML and the `.plot` language.
    #[command(after_help = EXIT_WRITE)]
    Convert(convert::ConvertArgs),
    /// Write `.plot` files in their canonical layout (or, with --check, list those that differ).
    #[command(
        after_help = "Exit status: 0 done (with --check: every file is formatted), 1 with --check: \
                      some file is not, 2 usage, config or I/O error."
    )]
    Fmt(convert::FmtArgs),
    /// Collect events over HTTP and judge each as it comes: a live page, verdicts, the JSON
    /// report so far (a local collector for widget development and tests).
    #[cfg(feature = "serve")]
    #[command(after_help = "Exit status: 0 stopped by Ctrl-C, 2 usage, config or I/O error.")]
    Serve(serve::ServeArgs),
    /// Create the streams and buckets of a partitioned deployment on NATS JetStream.
    #[cfg(feature = "nats")]
    #[command(name = "nats-setup", after_help = EXIT_WRITE)]
    NatsSetup(nats::SetupArgs),
    /// Publish JSONL lines into the deployment, each on its interaction's partition.
    #[cfg(feature = "nats")]
    #[command(after_help = EXIT_WRITE)]
    Publish(nats::PublishArgs),
    /// Lease partitions and judge their events, checkpointing as it goes.
    #[cfg(feature = "nats")]
    #[command(
        after_help = "Exit status: 0 stopped (--idle-exit), 2 usage, config or broker error."
    )]
    Worker(nats::WorkerArgs),
    /// The JSON report of what the workers found so far.
    #[cfg(feature = "nats")]
    #[command(
        after_help = "Exit status: 0 no violation, 1 violations found, 2 usage, config or broker \
                      error, 3 incomplete: lines published are not all judged yet (--wait waits)."
    )]
    Report(nats::ReportArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = EXIT_WRITE)]
    Completions(docs::CompletionsArgs),
    /// Print the manual page, or write one per command with --out DIR.
    #[command(after_help = EXIT_WRITE)]
    Man(docs::ManArgs),
}

impl Command {
    /// The catalog arguments of the command.
    fn catalog_mut(&mut self) -> Option<&mut catalog::CatalogArgs> {
        Some(match self {
            Command::Validate(args) => &mut args.catalog,
            Command::Run(args) => &mut args.catalog,
            Command::Check(args) => &mut args.catalog,
            Command::Schema(args) => &mut args.catalog,
            Command::Diff(args) => &mut args.catalog,
            Command::Types(args) => &mut args.catalog,
            Command::List(args) => &mut args.catalog,
            Command::Simulate(args) => &mut args.catalog,
            Command::Graph(args) => &mut args.catalog,
            Command::Infer(args) => &mut args.catalog,
            #[cfg(feature = "serve")]
            Command::Serve(args) => &mut args.catalog,
            #[cfg(feature = "nats")]
            Command::Worker(args) => &mut args.catalog,
            #[cfg(feature = "nats")]
            Command::NatsSetup(_) | Command::Publish(_) | Command::Report(_) => return None,
            Command::Completions(_)
            | Command::Man(_)
            | Command::Convert(_)
            | Command::Fmt(_)
            | Command::Import(_) => return None,
        })
    }
}

/// Exit status: no violation.
pub const OK: u8 = 0;
/// Exit status: violations found.
pub const VIOLATIONS: u8 = 1;
/// Exit status: usage, config or I/O error.
pub const ERROR: u8 = 2;
/// Exit status of `report --nats`: lines published are not all judged yet.
pub const INCOMPLETE: u8 = 3;

/// Runs the command line.
pub fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { ERROR } else { OK });
        }
    };
    style::init(cli.color, cli.quiet);
    if let (Some(catalog), Some((_, sub))) = (cli.command.catalog_mut(), matches.subcommand()) {
        let source = sub
            .try_get_raw("catalog")
            .ok()
            .and_then(|_| sub.value_source("catalog"));
        catalog.from_env = source == Some(ValueSource::EnvVariable);
    }
    ExitCode::from(match cli.command {
        Command::Validate(args) => validate::validate(args),
        Command::Run(args) => validate::run(args),
        Command::Check(args) => check::check(args),
        Command::Schema(args) => schema::schema(args),
        Command::Types(args) => types::types(args),
        Command::Diff(args) => diff::diff_command(args),
        Command::List(args) => list::list(args),
        Command::Simulate(args) => simulate::simulate(args),
        Command::Graph(args) => graph::graph(args),
        Command::Infer(args) => infer::infer(args),
        Command::Import(args) => import::import_command(args),
        Command::Convert(args) => convert::convert(args),
        Command::Fmt(args) => convert::fmt(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::serve(args),
        #[cfg(feature = "nats")]
        Command::NatsSetup(args) => nats::setup(args),
        #[cfg(feature = "nats")]
        Command::Publish(args) => nats::publish(args),
        #[cfg(feature = "nats")]
        Command::Worker(args) => nats::worker(args),
        #[cfg(feature = "nats")]
        Command::Report(args) => nats::report(args),
        Command::Completions(args) => docs::completions(args),
        Command::Man(args) => docs::man(args),
    })
}
