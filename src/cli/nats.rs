//! `plotline nats-setup`, `publish`, `worker` and `report --nats`: the partitioned mode on NATS
//! JetStream.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::catalog::{load_or_report, CatalogArgs};
use super::output::say;
use super::{ERROR, INCOMPLETE, OK, VIOLATIONS};
use crate::distributed::nats::{self, Lines, Names, WorkerOptions};

/// Where the deployment is.
#[derive(Debug, Args)]
pub struct Broker {
    /// The NATS server.
    #[arg(
        long = "nats",
        value_name = "URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    pub url: String,
    /// The names of the deployment's streams, subjects and buckets begin with it.
    #[arg(long, default_value = "plotline")]
    pub prefix: String,
}

/// Arguments of `nats-setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Where.
    #[command(flatten)]
    pub broker: Broker,
    /// Partitions of the input (fixed for the deployment's life).
    #[arg(long, default_value_t = 12)]
    pub partitions: u32,
    /// Groups each partition's checkpoint is kept in (fixed for the deployment's life): a
    /// checkpoint writes the groups whose interactions changed, and one group (its open
    /// interactions, about 300 bytes each, and its share of the remembered finished ones,
    /// about 30 bytes each) must fit in a NATS message (1 MiB by default).
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub state_groups: u32,
    /// Bound the input stream to this many bytes (publishers fail when it is full).
    #[arg(long, value_name = "BYTES")]
    pub max_bytes: Option<i64>,
    /// Bound the output stream to this many bytes (workers say so and retry when it is full;
    /// `report` says it is incomplete).
    #[arg(long, value_name = "BYTES")]
    pub max_output_bytes: Option<i64>,
    /// How long the streams drop a message whose id they already have (a retry's copy); a
    /// later copy is stored, and `report` still counts each output once.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub duplicate_window: u64,
    /// Keep every event with its computed metadata in the output stream, for `report
    /// --events` (as `run` writes them: about twice the input's bytes, which the server
    /// stores and the workers send). Without it workers publish the verdicts only.
    #[arg(long)]
    pub events: bool,
}

/// Arguments of `publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// JSONL files; `-` or nothing reads stdin.
    pub files: Vec<PathBuf>,
    /// Publish lines already published (by content) once more: each is judged again.
    #[arg(long)]
    pub again: bool,
    /// Where.
    #[command(flatten)]
    pub broker: Broker,
}

/// Arguments of `worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Where.
    #[command(flatten)]
    pub broker: Broker,
    /// This worker's name in the leases (default: host and process id).
    #[arg(long)]
    pub id: Option<String>,
    /// Checkpoint a partition after this many input lines (and whenever it is quiet); a
    /// worker that takes the partition over replays at most this many.
    #[arg(long, value_name = "N", default_value_t = 50_000)]
    pub checkpoint_every: u64,
    /// Exit after this many seconds without an input message (default: run until stopped).
    #[arg(long, value_name = "SECONDS")]
    pub idle_exit: Option<u64>,
    /// Judge each interaction's events in `ts` order when they arrive within DURATION (`10s`)
    /// of event time of one another, as `validate --reorder-window` does (0: on arrival).
    /// Held lines are part of the partition's checkpoint.
    #[arg(long, value_name = "DURATION", value_parser = super::validate::duration, default_value = "0")]
    pub reorder_window: i64,
    /// When quiet interactions end.
    #[command(flatten)]
    pub quiet: super::validate::QuietEndArg,
    /// Show the values of personal data (`pii: true`) in the violations it publishes;
    /// masked by default.
    #[arg(long)]
    pub show_pii: bool,
    /// Serve Prometheus metrics here (port 0: any free port, said on start).
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:0")]
    pub metrics: std::net::SocketAddr,
    /// Threads that judge the partitions this worker holds, each partition on one at a
    /// time (default: one per core).
    #[arg(long, short = 'j', value_parser = super::validate::jobs)]
    pub jobs: Option<std::num::NonZeroUsize>,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where.
    #[command(flatten)]
    pub broker: Broker,
    /// Write the events with their computed metadata (as `run` writes them) instead of the
    /// report: a deployment set up with `nats-setup --events` keeps them.
    #[arg(long)]
    pub events: bool,
    /// Wait until every line published is judged, at most SECONDS (default 600), before
    /// writing the report.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "600")]
    pub wait: Option<u64>,
}

/// Runs `future` on a single-threaded runtime; errors are said and exit 2.
fn run<T>(future: impl std::future::Future<Output = Result<T, String>>) -> Result<T, u8> {
    run_on(1, future)
}

/// Runs `future` on a runtime of `threads` threads (the one calling it when 1); errors are
/// said and exit 2.
fn run_on<T>(
    threads: usize,
    future: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, u8> {
    let mut builder = match threads {
        1 => tokio::runtime::Builder::new_current_thread(),
        _ => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(threads);
            builder
        }
    };
    let runtime = builder.enable_all().build().map_err(|error| {
        say!("error: cannot start the runtime: {error}");
        ERROR
    })?;
    runtime.block_on(future).map_err(|message| {
        say!("error: {message}");
        ERROR
    })
}

fn names(broker: &Broker) -> Result<Names, u8> {
    Names::new(&broker.prefix).map_err(|message| {
        say!("error: {message}");
        ERROR
    })
}

/// Runs `nats-setup`.
pub fn setup(args: SetupArgs) -> u8 {
    let Ok(names) = names(&args.broker) else {
        return ERROR;
    };
    let done = run(async {
        let js = nats::connect(&args.broker.url).await?;
        nats::setup(
            &js,
            &names,
            nats::Layout {
                partitions: args.partitions,
                groups: args.state_groups,
                events: args.events,
            },
            (args.max_bytes, args.max_output_bytes),
            Duration::from_secs(args.duplicate_window.max(1)),
        )
        .await
    });
    match done {
        Ok(what) => {
            say!("{what} (on {})", args.broker.url);
            OK
        }
        Err(code) => code,
    }
}

/// Runs `publish`.
pub fn publish(args: PublishArgs) -> u8 {
    let Ok(names) = names(&args.broker) else {
        return ERROR;
    };
    let mut inputs = Vec::new();
    let files = match args.files.is_empty() {
        true => vec![PathBuf::from("-")],
        false => args.files,
    };
    for path in files {
        let (name, reader): (String, Box<dyn Read>) = match path.as_os_str() == "-" {
            true => ("-".to_owned(), Box::new(std::io::stdin())),
            false => match std::fs::File::open(&path) {
                Ok(file) => (path.display().to_string(), Box::new(file)),
                Err(error) => {
                    say!("error: cannot open {}: {error}", path.display());
                    return ERROR;
                }
            },
        };
        let mut lines = Vec::new();
        for line in BufReader::new(reader).split(b'\n') {
            match line {
                Ok(mut line) => {
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    lines.push(line);
                }
                Err(error) => {
                    say!("error: cannot read {name}: {error}");
                    return ERROR;
                }
            }
        }
        inputs.push(Lines { name, lines });
    }
    let done = run(async {
        let js = nats::connect(&args.broker.url).await?;
        nats::publish(&js, &names, &inputs, args.again).await
    });
    match done {
        Ok(published) => {
            let total = published.stored + published.dropped;
            match (published.stored, published.dropped) {
                (_, 0) => say!("sent {total} lines: all stored"),
                (0, dropped) => say!(
                    "sent {total} lines: none stored, all {dropped} dropped by the server as \
                     duplicates (stored by an earlier try of this publication; --again \
                     publishes them once more)"
                ),
                (stored, dropped) => say!(
                    "sent {total} lines: {stored} stored, {dropped} dropped by the server as \
                     duplicates (stored by an earlier try of this publication)"
                ),
            }
            OK
        }
        Err(code) => code,
    }
}

/// Runs `worker`.
pub fn worker(args: WorkerArgs) -> u8 {
    let Ok(names) = names(&args.broker) else {
        return ERROR;
    };
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    let catalog = Box::leak(Box::new(catalog));
    let id = args
        .id
        .unwrap_or_else(|| format!("worker-{}", std::process::id()));
    let options = WorkerOptions {
        checkpoint_every: args.checkpoint_every.max(1),
        idle_exit: args.idle_exit.map(Duration::from_secs),
        reorder_window: args.reorder_window,
        quiet_end: args.quiet.quiet_end,
        show_pii: args.show_pii,
    };
    let stats = std::sync::Arc::new(nats::WorkerStats::default());
    let threads = args
        .jobs
        .map_or_else(super::validate::default_jobs, std::num::NonZeroUsize::get);
    let done = run_on(threads, async {
        let listener = tokio::net::TcpListener::bind(args.metrics)
            .await
            .map_err(|error| format!("cannot serve metrics on {}: {error}", args.metrics))?;
        if let Ok(address) = listener.local_addr() {
            say!("{id}: metrics on http://{address}/metrics");
        }
        tokio::spawn(crate::distributed::metrics::serve(listener, stats.clone()));
        let js = nats::connect(&args.broker.url).await?;
        nats::worker(js, names, catalog, id.clone(), options, stats.clone()).await
    });
    let count = |n: &std::sync::atomic::AtomicU64| n.load(std::sync::atomic::Ordering::SeqCst);
    say!(
        "{id}: {} input lines processed in {:.2} s, {} partitions taken over from a checkpoint, {} \
         replayed outputs dropped as duplicates, {} messages delivered again skipped, {} \
         checkpoints in {} ms",
        count(&stats.processed),
        stats.busy_seconds(),
        count(&stats.restored),
        count(&stats.duplicates),
        count(&stats.skipped),
        count(&stats.checkpoints),
        count(&stats.checkpoint_micros) / 1000
    );
    done.err().unwrap_or(OK)
}

/// Runs `report --nats`: the JSON report of the outputs so far, and whether it covers every
/// line published (exit 3, and stderr says which partitions lag, when it does not).
pub fn report(args: ReportArgs) -> u8 {
    let Ok(names) = names(&args.broker) else {
        return ERROR;
    };
    let mut events = Vec::new();
    let done = run(async {
        let js = nats::connect(&args.broker.url).await?;
        let deadline =
            (args.wait).map(|seconds| tokio::time::Instant::now() + Duration::from_secs(seconds));
        loop {
            events.clear();
            let wanted = args.events.then_some(&mut events);
            let (report, coverage) = nats::report(&js, &names, wanted).await?;
            let waiting = deadline.is_some_and(|at| tokio::time::Instant::now() < at);
            if coverage.complete() || !waiting {
                return Ok((report, coverage));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    let (report, coverage) = match done {
        Ok(done) => done,
        Err(code) => return code,
    };
    let mut stdout = std::io::stdout();
    let written = match args.events {
        true => stdout.write_all(&events),
        false => writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    };
    if written.is_err() {
        return ERROR;
    }
    let lagging = coverage.lagging();
    if !lagging.is_empty() {
        let published: u64 = coverage.published.iter().sum();
        let judged: u64 = coverage.judged.iter().sum();
        let behind: Vec<String> = (lagging.iter().take(8))
            .map(|(p, judged, published)| format!("partition {p}: {judged} of {published}"))
            .collect();
        say!(
            "report incomplete: {judged} of {published} lines published are judged ({}{}); \
             workers may still be at it (report --wait waits)",
            behind.join(", "),
            if lagging.len() > 8 { ", ..." } else { "" }
        );
        return INCOMPLETE;
    }
    let violations = report["summary"]["violations"].as_u64().unwrap_or(0);
    match (args.events, violations) {
        (true, _) | (false, 0) => OK,
        (false, _) => VIOLATIONS,
    }
}
