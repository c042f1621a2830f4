//! The broker side: streams, buckets, publishing, workers and the report, on NATS JetStream
//! (async-nats; a 2.10+ server).
//!
//! - Input: stream `<PREFIX>_in`, subjects `<prefix>.in.<partition>`, limits retention,
//!   discarding new messages when full (publishers then fail loudly), deduplicated by
//!   `Nats-Msg-Id` (`<hash of the inputs>:<input index>:<first line>`). A message holds up to
//!   100 lines of one partition (joined by line ends), their input and line numbers in
//!   headers; after the last line, a publisher puts an end marker on every
//!   partition with the latest timestamp of the whole input.
//! - Workers lease partitions in the bucket `<prefix>_leases` (create, then renew with
//!   compare-and-swap; a lease not renewed expires with the bucket's age limit), and keep
//!   each partition's checkpoint in `<prefix>_state` (`state.rs`), written after the
//!   partition's outputs are acknowledged. A message delivered again at or below the
//!   sequence already applied is skipped.
//! - Output: stream `<PREFIX>_out`: `<prefix>.out.violation.<p>` (an input message's
//!   violations, one JSON object a line, up to `OUTPUT_BYTES` a message),
//!   `<prefix>.out.bad.<p>` (the same for lines that are no event: `malformed_line`,
//!   `bad_envelope`), `<prefix>.out.event.<p>` (when the layout keeps them, each input
//!   message's events with their computed metadata, as `run` writes them, up to
//!   `OUTPUT_BYTES` a message), `<prefix>.out.summary.<p>` (a partition's
//!   counts at an end marker), each with a message id derived from (partition, input
//!   sequence, part), so a replay republishes the same ids and the stream drops the copies.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::header::HeaderMap;
use async_nats::jetstream::{self, consumer, kv, stream, Context};
use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ledger;
use super::state::{
    PartitionState, Resumed,
    Stop::{self, Failed, Fenced},
};
use crate::compile::Catalog;
use crate::engine::chunks::{jsonl_lines, split_lines};
use crate::engine::envelope;
use crate::engine::stream_clock::StreamClock;
use crate::engine::{Interpreter, Limits, Place, Step, Summary, Violation, ViolationKind};
use crate::report::FORMAT_VERSION;

/// How long a lease lasts without renewal.
const LEASE: Duration = Duration::from_secs(6);
/// Publishes awaiting their acknowledgement at once (back-pressure beyond it).
const IN_FLIGHT: usize = 512;
/// A partition's outputs awaiting their acknowledgement at most: beyond it, the oldest is
/// awaited before the next is sent. Every publish holds one of the connection's permits
/// until its acknowledgement is awaited, so a worker's permits are sized from this and the
/// partition count ([`worker_context`]): partitions that each hold their share can never
/// wait on one another.
const PENDING_OUTPUTS: usize = 256;
/// An output message of violations or events holds lines up to this many bytes (and one more
/// line): far below a server's message size.
const OUTPUT_BYTES: usize = 256 * 1024;
/// Input messages a partition's reader fetches ahead at most: what a worker keeps in memory
/// of its input is this many per partition held (each at most [`Batch::BYTES`], or one line).
const FETCH_AHEAD: i64 = 12;
/// How long a failed partition run waits before it is tried again, first and at most.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MOST: Duration = Duration::from_secs(30);

/// The names of one deployment's streams, subjects and buckets.
#[derive(Debug, Clone)]
pub struct Names {
    prefix: String,
}

impl Names {
    /// Names under `prefix` (letters, digits, `-` and `_`).
    pub fn new(prefix: &str) -> Result<Names, String> {
        let valid = !prefix.is_empty()
            && (prefix.chars()).all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        match valid {
            true => Ok(Names {
                prefix: prefix.to_owned(),
            }),
            false => Err(format!(
                "prefix `{prefix}`: use letters, digits, `-` and `_` only"
            )),
        }
    }
    fn input_stream(&self) -> String {
        format!("{}_in", self.prefix)
    }
    fn output_stream(&self) -> String {
        format!("{}_out", self.prefix)
    }
    fn leases(&self) -> String {
        format!("{}_leases", self.prefix)
    }
    fn state(&self) -> String {
        format!("{}_state", self.prefix)
    }
    fn input(&self, partition: u32) -> String {
        format!("{}.in.{partition}", self.prefix)
    }
    fn violations(&self, partition: u32) -> String {
        format!("{}.out.violation.{partition}", self.prefix)
    }
    fn bad_lines(&self, partition: u32) -> String {
        format!("{}.out.bad.{partition}", self.prefix)
    }
    fn summaries(&self, partition: u32) -> String {
        format!("{}.out.summary.{partition}", self.prefix)
    }
    fn events(&self, partition: u32) -> String {
        format!("{}.out.event.{partition}", self.prefix)
    }
}

/// Connects to `url` and opens JetStream.
pub async fn connect(url: &str) -> Result<Context, String> {
    let client = async_nats::connect(url)
        .await
        .map_err(|error| format!("cannot connect to {url}: {error}"))?;
    Ok(jetstream::new(client))
}

/// What `nats-setup` writes beside the streams: the partition count everyone uses, the
/// groups a partition's checkpoint is kept in, and whether workers keep the events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// Partitions of the input.
    pub partitions: u32,
    /// Groups of a partition's checkpoint.
    pub groups: u32,
    /// Workers publish every event with its computed metadata, for `report --events` (a
    /// layout written before this was asked kept them).
    #[serde(default = "kept")]
    pub events: bool,
}

/// What a layout that does not say keeps: the events, as every deployment once did.
fn kept() -> bool {
    true
}

/// Creates the streams and buckets (or checks that they are there), as `layout` says;
/// `max_bytes` bounds the input and the output stream (`None`: no bound; a full stream
/// refuses new messages, it never drops old ones); the streams drop copies of a message id
/// for `duplicate_window`. Says what it set up, or that it was there already.
pub async fn setup(
    js: &Context,
    names: &Names,
    layout: Layout,
    (max_bytes, max_output_bytes): (Option<i64>, Option<i64>),
    duplicate_window: Duration,
) -> Result<String, String> {
    let Layout {
        partitions, groups, ..
    } = layout;
    if partitions == 0 || groups == 0 {
        return Err("--partitions and --state-groups must be at least 1".to_owned());
    }
    js.get_or_create_stream(stream::Config {
        name: names.input_stream(),
        subjects: vec![format!("{}.in.>", names.prefix)],
        retention: stream::RetentionPolicy::Limits,
        discard: stream::DiscardPolicy::New,
        max_bytes: max_bytes.unwrap_or(-1),
        duplicate_window,
        ..Default::default()
    })
    .await
    .map_err(|error| format!("cannot create stream {}: {error}", names.input_stream()))?;
    js.get_or_create_stream(stream::Config {
        name: names.output_stream(),
        subjects: vec![format!("{}.out.>", names.prefix)],
        discard: stream::DiscardPolicy::New,
        max_bytes: max_output_bytes.unwrap_or(-1),
        duplicate_window,
        ..Default::default()
    })
    .await
    .map_err(|error| format!("cannot create stream {}: {error}", names.output_stream()))?;
    js.create_key_value(kv::Config {
        bucket: names.leases(),
        history: 1,
        max_age: LEASE,
        ..Default::default()
    })
    .await
    .map_err(|error| format!("cannot create bucket {}: {error}", names.leases()))?;
    let state = js
        .create_key_value(kv::Config {
            bucket: names.state(),
            history: 1,
            ..Default::default()
        })
        .await
        .map_err(|error| format!("cannot create bucket {}: {error}", names.state()))?;
    let what = format!(
        "streams {} and {}, buckets {} and {}; {}",
        names.input_stream(),
        names.output_stream(),
        names.leases(),
        names.state(),
        layout.described()
    );
    let written = serde_json::to_vec(&layout).unwrap_or_default();
    match state.create("layout", written.into()).await {
        Ok(_) => Ok(format!("set up `{}`: {what}", names.prefix)),
        Err(_) => match read_layout(js, names).await? {
            there if there == layout => Ok(format!(
                "`{}` was already set up as asked, nothing changed: {what}",
                names.prefix
            )),
            there => Err(format!(
                "the deployment `{}` has {}, not {}",
                names.prefix,
                there.described(),
                layout.described()
            )),
        },
    }
}

impl Layout {
    /// In words, as `nats-setup` says it.
    fn described(&self) -> String {
        let Layout {
            partitions,
            groups,
            events,
        } = self;
        let kept = match events {
            true => "events kept",
            false => "no events kept",
        };
        format!("{partitions} partitions of {groups} state groups, {kept}")
    }
}

async fn read_layout(js: &Context, names: &Names) -> Result<Layout, String> {
    let state = js
        .get_key_value(names.state())
        .await
        .map_err(|error| format!("no deployment `{}` (run nats-setup): {error}", names.prefix))?;
    let bytes = state
        .get("layout")
        .await
        .map_err(|error| format!("cannot read the layout: {error}"))?
        .ok_or_else(|| format!("no deployment `{}` (run nats-setup)", names.prefix))?;
    serde_json::from_slice(&bytes).map_err(|error| format!("a broken layout: {error}"))
}

/// One input: its name and its lines.
pub struct Lines {
    /// The name violations give as their file.
    pub name: String,
    /// Its lines, without line ends.
    pub lines: Vec<Vec<u8>>,
}

/// What `publish` got through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// Lines the server stored.
    pub stored: u64,
    /// Lines it dropped as duplicates (stored by an earlier try of the same publication).
    pub dropped: u64,
}

/// Publishes every line of `inputs` on its partition, then an end marker on each partition;
/// at most `IN_FLIGHT` unacknowledged at once. Lines published before (by content, whatever
/// their names) are refused unless `again`. The publication is recorded in the state bucket
/// ([`ledger`]) before its first line and once it is complete, so that `report` knows what
/// to expect.
pub async fn publish(
    js: &Context,
    names: &Names,
    inputs: &[Lines],
    again: bool,
) -> Result<Published, String> {
    let Layout { partitions, .. } = read_layout(js, names).await?;
    let state = js
        .get_key_value(names.state())
        .await
        .map_err(|error| format!("no bucket {}: {error}", names.state()))?;
    let all: Vec<&[Vec<u8>]> = inputs.iter().map(|input| input.lines.as_slice()).collect();
    let content = ledger::content_id(&all);
    let key = ledger::next_key(&ledger::publications(&state).await?, &content, again)?;
    // Message ids: the content and the how-manieth publication of it (a retry has the
    // same ones, so the stream drops what got through before).
    let run = key.trim_start_matches("published.").replace('.', "-");
    // Each line's partition, found once: counted for the record, then used to send.
    let owners = ledger::owners(&all, partitions);
    let mut publication = ledger::Publication {
        lines: ledger::lines_per_partition(&owners, partitions),
        inputs: inputs.iter().map(|input| input.name.clone()).collect(),
        complete: false,
    };
    ledger::record(&state, &key, &publication).await?;
    let mut sender = Sender {
        js,
        waiting: VecDeque::new(),
        published: Published {
            stored: 0,
            dropped: 0,
        },
    };
    let batch_lines = Batch::lines();
    let mut latest: Option<i64> = None;
    // The stream's greatest `ts` so far, as `validate --reorder-window` reads it.
    let mut watermark: Option<i64> = None;
    // The stream's time, as `validate --quiet-end` counts it.
    let mut clock = StreamClock::default();
    for ((index, input), owners) in inputs.iter().enumerate().zip(&owners) {
        // Lines wait in their partition's batch, in order, until it is full.
        let mut batches: Vec<Batch> = (0..partitions).map(|_| Batch::default()).collect();
        for ((number, line), &partition) in input.lines.iter().enumerate().zip(owners) {
            let number = number as u64 + 1;
            if let Ok(event) = envelope::parse(line) {
                latest = latest.max(event.ts);
            }
            let ts = envelope::ts_of(line);
            watermark = watermark.max(ts);
            clock.count(ts);
            let batch = &mut batches[partition as usize];
            if batch.would_overflow(line) {
                let subject = names.input(partition);
                sender
                    .send(subject, &run, (index, &input.name), batch)
                    .await?;
            }
            batch.add(number, line, (watermark, clock.time()));
            if batch.full(batch_lines) {
                let subject = names.input(partition);
                sender
                    .send(subject, &run, (index, &input.name), batch)
                    .await?;
            }
        }
        for (partition, batch) in batches.iter_mut().enumerate() {
            if !batch.numbers.is_empty() {
                let subject = names.input(partition as u32);
                sender
                    .send(subject, &run, (index, &input.name), batch)
                    .await?;
            }
        }
    }
    while let Some((lines, ack)) = sender.waiting.pop_front() {
        sender.acknowledged(lines, ack).await?;
    }
    let published = sender.published;
    let through = published.stored + published.dropped;
    for partition in 0..partitions {
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("{run}:end:{partition}").as_str());
        headers.insert(
            "Plotline-End",
            latest.map_or(String::new(), |ts| ts.to_string()).as_str(),
        );
        js.publish_with_headers(names.input(partition), headers, Bytes::new())
            .await
            .map_err(|error| lost(through, &error.to_string()))?
            .await
            .map_err(|error| lost(through, &error.to_string()))?;
    }
    publication.complete = true;
    ledger::record(&state, &key, &publication).await?;
    Ok(published)
}

/// Lines of one partition waiting to go as one message.
#[derive(Default)]
struct Batch {
    numbers: Vec<u64>,
    /// The stream's watermark at each line (`-`: none yet).
    watermarks: String,
    /// The stream's time at each line ([`StreamClock`]; `-`: none yet).
    times: String,
    text: Vec<u8>,
}

impl Batch {
    /// Lines in a message at most, and bytes (a line that would take a batch past them
    /// starts the next one). Few large messages cost the server and the workers much less
    /// than many small ones: 500 lines a message against 100 took a quarter off both the
    /// server's and the worker's CPU time on `bench/nats.sh`.
    const LINES: usize = 500;
    const BYTES: usize = 192 * 1024;

    /// One more line, with the stream's watermark and time at it.
    fn add(&mut self, number: u64, line: &[u8], (watermark, time): (Option<i64>, Option<i64>)) {
        if !self.numbers.is_empty() {
            self.text.push(b'\n');
        }
        for (text, ts) in [(&mut self.watermarks, watermark), (&mut self.times, time)] {
            if !text.is_empty() {
                text.push(' ');
            }
            match ts {
                Some(ts) => text.push_str(itoa::Buffer::new().format(ts)),
                None => text.push('-'),
            }
        }
        self.text.extend_from_slice(line);
        self.numbers.push(number);
    }

    /// [`Batch::LINES`], or fewer for the tests that need many messages from a short stream
    /// (`PLOTLINE_PUBLISH_BATCH_LINES=N`).
    fn lines() -> usize {
        std::env::var("PLOTLINE_PUBLISH_BATCH_LINES")
            .ok()
            .and_then(|n| n.parse().ok())
            .map_or(Batch::LINES, |n: usize| n.clamp(1, Batch::LINES))
    }

    fn full(&self, lines: usize) -> bool {
        self.numbers.len() >= lines || self.text.len() >= Batch::BYTES
    }

    /// Whether `line` would take this batch (not empty) past [`Batch::BYTES`]: then the
    /// batch goes first, so that a message is at most that size or a single line.
    fn would_overflow(&self, line: &[u8]) -> bool {
        !self.numbers.is_empty() && self.text.len() + 1 + line.len() > Batch::BYTES
    }
}

/// Publishes batches with at most [`IN_FLIGHT`] unacknowledged.
struct Sender<'a> {
    js: &'a Context,
    waiting: VecDeque<(u64, jetstream::context::PublishAckFuture)>,
    /// Lines acknowledged: stored, or dropped as duplicates.
    published: Published,
}

impl Sender<'_> {
    /// Waits for the acknowledgement of a batch of `lines` lines.
    async fn acknowledged(
        &mut self,
        lines: u64,
        ack: jetstream::context::PublishAckFuture,
    ) -> Result<(), String> {
        let through = self.published.stored + self.published.dropped;
        let ack = ack
            .await
            .map_err(|error| lost(through, &error.to_string()))?;
        match ack.duplicate {
            true => self.published.dropped += lines,
            false => self.published.stored += lines,
        }
        Ok(())
    }

    /// Sends `batch` (and empties it): its lines joined by line ends, their numbers in a
    /// header, its id the publication's and its first line's.
    async fn send(
        &mut self,
        subject: String,
        run: &str,
        (index, name): (usize, &str),
        batch: &mut Batch,
    ) -> Result<(), String> {
        let first = batch.numbers.first().copied().unwrap_or(0);
        let numbers: Vec<String> = batch.numbers.iter().map(u64::to_string).collect();
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("{run}:{index}:{first}").as_str());
        headers.insert("Plotline-Input", index.to_string().as_str());
        headers.insert("Plotline-File", name);
        headers.insert("Plotline-Lines", numbers.join(" ").as_str());
        headers.insert("Plotline-Watermarks", batch.watermarks.as_str());
        headers.insert("Plotline-Stream-Times", batch.times.as_str());
        batch.watermarks.clear();
        batch.times.clear();
        let text = std::mem::take(&mut batch.text);
        let lines = batch.numbers.len() as u64;
        batch.numbers.clear();
        let through = self.published.stored + self.published.dropped;
        let ack = self
            .js
            .publish_with_headers(subject, headers, text.into())
            .await
            .map_err(|error| lost(through, &error.to_string()))?;
        self.waiting.push_back((lines, ack));
        if self.waiting.len() >= IN_FLIGHT {
            if let Some((lines, ack)) = self.waiting.pop_front() {
                self.acknowledged(lines, ack).await?;
            }
        }
        Ok(())
    }
}

/// A publish failure, with what got through.
fn lost(published: u64, error: &str) -> String {
    format!("publishing stopped after {published} acknowledged lines: {error}")
}

/// What a worker did, counted over its partitions.
#[derive(Debug, Default)]
pub struct WorkerStats {
    /// Input lines processed (replayed ones included).
    pub processed: AtomicU64,
    /// When the first and the latest input message were processed, in microseconds since
    /// [`WorkerStats::began`] (0: none yet).
    pub busy: [AtomicU64; 2],
    /// When the worker began.
    pub began: std::sync::OnceLock<std::time::Instant>,
    /// Partitions taken over from a checkpoint another run wrote.
    pub restored: AtomicU64,
    /// Outputs the output stream already had (from a replay): dropped there, not doubled.
    pub duplicates: AtomicU64,
    /// Input messages delivered again at or below the sequence already applied: skipped.
    pub skipped: AtomicU64,
    /// Leases taken or let go.
    pub lease_changes: AtomicU64,
    /// Checkpoints written, and the time spent writing them (outputs' acknowledgements
    /// included), in microseconds.
    pub checkpoints: AtomicU64,
    /// Time spent checkpointing, in microseconds.
    pub checkpoint_micros: AtomicU64,
    /// Per partition held: what the metrics show of it.
    pub partitions: std::sync::Mutex<BTreeMap<u32, PartitionGauges>>,
    /// Runs of a partition that failed (and were tried again).
    pub errors: AtomicU64,
}

/// What a worker knows of one partition it holds.
#[derive(Debug, Clone)]
pub struct PartitionGauges {
    /// Input messages not yet delivered to the worker.
    pub pending: u64,
    /// Interactions open.
    pub open: usize,
    /// When it was last checkpointed.
    pub checkpointed: std::time::Instant,
}

impl WorkerStats {
    /// Notes that a message was just processed.
    fn mark_busy(&self) {
        let began = self.began.get_or_init(std::time::Instant::now);
        let now = u64::try_from(began.elapsed().as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let _ = (self.busy[0]).compare_exchange(0, now, Ordering::SeqCst, Ordering::SeqCst);
        self.busy[1].fetch_max(now, Ordering::SeqCst);
    }

    /// Seconds from the first message processed to the latest.
    pub fn busy_seconds(&self) -> f64 {
        let [first, last] = &self.busy;
        let micros = (last.load(Ordering::SeqCst)).saturating_sub(first.load(Ordering::SeqCst));
        micros as f64 / 1e6
    }

    fn gauges(&self, partition: u32, update: impl FnOnce(&mut PartitionGauges)) {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        let gauges = partitions.entry(partition).or_insert(PartitionGauges {
            pending: 0,
            open: 0,
            checkpointed: std::time::Instant::now(),
        });
        update(gauges);
    }

    fn forget(&self, partition: u32) {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        partitions.remove(&partition);
    }
}

/// Options of a worker.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// Checkpoint after this many input lines of a partition.
    pub checkpoint_every: u64,
    /// Stop after this long without an input message (`None`: never).
    pub idle_exit: Option<Duration>,
    /// The reorder window, in milliseconds (0: each line on arrival).
    pub reorder_window: i64,
    /// Interactions resting where they may end are ended after this many milliseconds of
    /// the stream's event time without an event ([`Limits::quiet_end`]; 0: never).
    pub quiet_end: i64,
    /// Messages show personal values (`pii: true`) instead of masking them.
    pub show_pii: bool,
}

/// Runs a worker: leases free partitions, processes them, checkpoints, renews its leases,
/// until it has been idle for `idle_exit`.
pub async fn worker(
    js: Context,
    names: Names,
    catalog: &'static Catalog,
    id: String,
    options: WorkerOptions,
    stats: Arc<WorkerStats>,
) -> Result<(), String> {
    let layout = read_layout(&js, &names).await?;
    let Layout {
        partitions, groups, ..
    } = layout;
    let js = worker_context(&js, (partitions, groups));
    let limits = partition_limits(partitions);
    let leases = js
        .get_key_value(names.leases())
        .await
        .map_err(|error| format!("no bucket {}: {error}", names.leases()))?;
    let mut owned: BTreeMap<u32, (u64, Arc<AtomicBool>)> = BTreeMap::new();
    let mut tasks = Vec::new();
    let mut last_busy = 0;
    // Workers say they are there (a key that expires with the leases), and wait a moment so
    // that workers started together see each other before they take their shares.
    let member = format!("m.{id}");
    leases
        .put(&member, id.clone().into())
        .await
        .map_err(|error| format!("cannot join: {error}"))?;
    tokio::time::sleep(LEASE / 3).await;
    // Idle time counts from here, and from each partition taken.
    let mut idle_since = tokio::time::Instant::now();
    loop {
        // Renew what is held; a failed renewal means another worker has it now.
        let mut lost_now = Vec::new();
        for (partition, (revision, alive)) in owned.iter_mut() {
            match leases
                .update(format!("p{partition}"), id.clone().into(), *revision)
                .await
            {
                Ok(next) => *revision = next,
                Err(_) => {
                    alive.store(false, Ordering::SeqCst);
                    lost_now.push(*partition);
                }
            }
        }
        for partition in lost_now {
            owned.remove(&partition);
            stats.lease_changes.fetch_add(1, Ordering::SeqCst);
            stats.forget(partition);
        }
        let _ = leases.put(&member, id.clone().into()).await;
        let share = partitions.div_ceil(members(&leases).await.max(1));
        // Beyond its share a worker lets partitions go (their next owner replays from the
        // checkpoint); below it, it takes free ones.
        while owned.len() > share as usize {
            let Some((partition, (revision, alive))) = owned.pop_last() else {
                break;
            };
            alive.store(false, Ordering::SeqCst);
            stats.lease_changes.fetch_add(1, Ordering::SeqCst);
            stats.forget(partition);
            let _ = leases
                .delete_expect_revision(format!("p{partition}"), Some(revision))
                .await;
        }
        for partition in 0..partitions {
            if owned.len() >= share as usize {
                break;
            }
            if owned.contains_key(&partition) {
                continue;
            }
            if let Ok(revision) = leases
                .create(format!("p{partition}"), id.clone().into())
                .await
            {
                let alive = Arc::new(AtomicBool::new(true));
                owned.insert(partition, (revision, alive.clone()));
                stats.lease_changes.fetch_add(1, Ordering::SeqCst);
                idle_since = tokio::time::Instant::now();
                let (js, names, stats) = (js.clone(), names.clone(), stats.clone());
                let worker_id = id.clone();
                tasks.push(tokio::spawn(async move {
                    // A refused checkpoint means a newer one exists (a late write of the
                    // partition's previous owner): start again from it. Anything else (the
                    // server restarting, a full store, a network cut) is said at once and
                    // tried again from the checkpoint, waiting longer each time, as long as
                    // the lease is held.
                    let mut wait = RETRY_FIRST;
                    loop {
                        let (js, names, held, shared) =
                            (js.clone(), names.clone(), alive.clone(), stats.clone());
                        let at = (partition, layout, limits);
                        let pass =
                            run_partition(js, names, catalog, at, options, held, shared).await;
                        if !alive.load(Ordering::SeqCst) {
                            break Ok::<(), String>(());
                        }
                        match pass {
                            Err(Fenced(_)) => continue,
                            Err(Failed(message)) => {
                                stats.errors.fetch_add(1, Ordering::SeqCst);
                                let _ = writeln!(
                                    std::io::stderr(),
                                    "{worker_id}: partition {partition}: {message}; trying again \
                                     from its checkpoint in {} s",
                                    wait.as_secs()
                                );
                                tokio::time::sleep(wait).await;
                                wait = (wait * 2).min(RETRY_MOST);
                            }
                            Ok(()) => break Ok(()),
                        }
                    }
                }));
            }
        }
        let now_busy = stats.processed.load(Ordering::SeqCst);
        if now_busy != last_busy {
            last_busy = now_busy;
            idle_since = tokio::time::Instant::now();
        }
        if let Some(limit) = options.idle_exit {
            if idle_since.elapsed() >= limit {
                break;
            }
        }
        tokio::time::sleep(LEASE / 3).await;
    }
    for (_, (_, alive)) in owned {
        alive.store(false, Ordering::SeqCst);
    }
    let _ = leases.delete(&member).await;
    for task in tasks {
        if let Ok(Err(message)) = task.await {
            return Err(message);
        }
    }
    Ok(())
}

/// `js`'s connection with a permit for everything a worker may await at once: each
/// partition's pending outputs ([`PENDING_OUTPUTS`]) or, once they are acknowledged, its
/// checkpoint's writes (a head and `groups` groups); and the leases beside them.
fn worker_context(js: &Context, (partitions, groups): (u32, u32)) -> Context {
    let per_partition = PENDING_OUTPUTS.max(groups as usize + 1);
    let permits = (partitions as usize + 1).saturating_mul(per_partition);
    jetstream::context::ContextBuilder::new()
        .max_ack_inflight(permits)
        .build(js.client())
}

/// What a partition's interpreter may hold: `validate`'s bounds (open and finished
/// interactions) shared over the partitions, as `validate -j N` shares them over its threads:
/// a worker holding every partition holds what one `validate` would, and a partition's
/// checkpoint (its remembered finished interactions with the rest) grows no larger than its
/// share.
fn partition_limits(partitions: u32) -> Limits {
    Limits::default().per_shard(partitions.max(1) as usize)
}

/// How many workers say they are there.
async fn members(leases: &kv::Store) -> u32 {
    let Ok(keys) = leases.keys().await else {
        return 1;
    };
    let keys: Vec<_> = keys.collect().await;
    keys.into_iter()
        .filter(|key| key.as_ref().is_ok_and(|k| k.starts_with("m.")))
        .count() as u32
}

/// Processes one leased partition until the lease is lost: from its checkpoint on, each
/// message through the interpreter, outputs published with derived ids, a checkpoint every
/// `checkpoint_every` lines (and whenever the partition is quiet) once the outputs are
/// acknowledged, judged as `options` say.
async fn run_partition(
    js: Context,
    names: Names,
    catalog: &'static Catalog,
    (partition, layout, limits): (u32, Layout, Limits),
    options: WorkerOptions,
    alive: Arc<AtomicBool>,
    stats: Arc<WorkerStats>,
) -> Result<(), Stop> {
    let store = js
        .get_key_value(names.state())
        .await
        .map_err(|error| format!("no bucket {}: {error}", names.state()))?;
    let Resumed {
        state,
        sequence,
        mut interpreter,
        restored,
    } = PartitionState::load(store, (partition, layout.groups), catalog, limits).await?;
    // Lines a checkpoint holds stay held, judged by this worker's window.
    judge_as(&mut interpreter, options);
    if restored {
        stats.restored.fetch_add(1, Ordering::SeqCst);
    }
    let input = js
        .get_stream(names.input_stream())
        .await
        .map_err(|error| format!("no stream {}: {error}", names.input_stream()))?;
    let deliver_policy = match sequence {
        0 => consumer::DeliverPolicy::All,
        n => consumer::DeliverPolicy::ByStartSequence {
            start_sequence: n + 1,
        },
    };
    let mut messages = input
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: names.input(partition),
            deliver_policy,
            max_batch: FETCH_AHEAD,
            ..Default::default()
        })
        .await
        .map_err(|error| format!("cannot read partition {partition}: {error}"))?
        .messages()
        .await
        .map_err(|error| format!("cannot read partition {partition}: {error}"))?;
    let mut run = PartitionRun {
        js: &js,
        names: &names,
        catalog,
        partition,
        limits,
        stats: &stats,
        state,
        sequence,
        interpreter,
        acks: VecDeque::new(),
        since_checkpoint: 0,
        options,
        keep_events: layout.events,
    };
    loop {
        let next = tokio::time::timeout(Duration::from_millis(500), messages.next()).await;
        if !alive.load(Ordering::SeqCst) {
            return Ok(());
        }
        match next {
            // Quiet: a good moment to checkpoint what is pending.
            Err(_) => run.checkpoint().await?,
            Ok(None) => return Ok(()),
            Ok(Some(Err(error))) => return Err(Failed(format!("partition {partition}: {error}"))),
            Ok(Some(Ok(message))) => {
                run.apply(&message).await?;
                if run.since_checkpoint >= options.checkpoint_every {
                    run.checkpoint().await?;
                }
            }
        }
    }
}

/// A partition being processed: its interpreter, its checkpoint, and the outputs not yet
/// acknowledged.
struct PartitionRun<'a> {
    js: &'a Context,
    names: &'a Names,
    catalog: &'static Catalog,
    partition: u32,
    /// What its interpreter may hold.
    limits: Limits,
    stats: &'a WorkerStats,
    state: PartitionState,
    /// The last input message applied.
    sequence: u64,
    interpreter: Interpreter<'static>,
    /// Outputs sent and not yet acknowledged, oldest first (at most [`PENDING_OUTPUTS`]).
    acks: VecDeque<jetstream::context::PublishAckFuture>,
    /// Input lines (or end markers) since the last checkpoint.
    since_checkpoint: u64,
    /// How it judges.
    options: WorkerOptions,
    /// Whether it publishes every event with its computed metadata ([`Layout::events`]).
    keep_events: bool,
}

impl PartitionRun<'_> {
    /// Runs one input message through the interpreter and publishes what it gave: its
    /// events with their metadata, its violations, and at an end marker the partition's
    /// counts. A message at or below the sequence already applied is skipped.
    async fn apply(&mut self, message: &jetstream::Message) -> Result<(), Stop> {
        let partition = self.partition;
        let info = message
            .info()
            .map_err(|error| format!("partition {partition}: {error}"))?;
        let seq = info.stream_sequence;
        if seq <= self.sequence {
            // Delivered again, and already applied.
            self.stats.skipped.fetch_add(1, Ordering::SeqCst);
            return Ok(());
        }
        let header = |name: &str| {
            (message.headers.as_ref())
                .and_then(|headers| headers.get(name))
                .map(|value| value.as_str().to_owned())
        };
        let mut found: Vec<Violation> = Vec::new();
        let keep = self.keep_events;
        let mut lines_here = 0u64;
        // Held lines judged now.
        let mut released = 0u64;
        if let Some(latest) = header("Plotline-End") {
            // The end of the input: the lines still held are judged, then open interactions
            // end as at the end of a file.
            let mut events = Vec::new();
            self.interpreter
                .flush(keep, &mut |_, v| found.push(v), &mut |_, line, step| {
                    if keep {
                        annotate(&mut events, line, step);
                    }
                });
            self.output_events(seq, events).await?;
            let mut fresh = Interpreter::new(self.catalog, self.limits);
            judge_as(&mut fresh, self.options);
            let mut ended = std::mem::replace(&mut self.interpreter, fresh);
            self.interpreter.track_changes(self.state.groups());
            self.state.renew();
            ended.end_at(latest.parse().ok());
            let summary = ended.finish(false, &mut |v| found.push(v));
            let body = serde_json::to_vec(&summary).unwrap_or_default();
            let id = format!("{partition}:{seq}:summary");
            self.output(self.names.summaries(partition), &id, body)
                .await?;
        } else {
            let file = header("Plotline-File").unwrap_or_default();
            let file_index = (header("Plotline-Input"))
                .and_then(|i| i.parse().ok())
                .unwrap_or(0);
            let numbers = header("Plotline-Lines").unwrap_or_default();
            let lines = split_lines(&message.payload);
            // The stream's watermark and time at each line (publish reads every line's `ts`),
            // so that held lines are judged, and quiet interactions end, where `validate` has
            // them.
            let watermarks = header("Plotline-Watermarks").unwrap_or_default();
            let mut watermarks = numbers_in(&watermarks);
            let times = header("Plotline-Stream-Times").unwrap_or_default();
            let mut times = numbers_in(&times);
            // Each event as `run` writes it, when the layout keeps them (room made once: with
            // its metadata block, an event takes less than twice its line).
            let mut events = Vec::with_capacity(if keep { 2 * message.payload.len() } else { 0 });
            for (line, number) in lines.zip(numbers_in(&numbers)) {
                let place = Place {
                    file_index,
                    file: &file,
                    line: number.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
                };
                let interpreter = &mut self.interpreter;
                let before = interpreter.summary().events;
                let released_before = released;
                let watermark = watermarks.next().flatten();
                interpreter.follow_stream_time(times.next().flatten());
                let step = match interpreter.reorders() {
                    false => {
                        // The stream's time, for interactions that end by quiet.
                        let mut report = |_, v| found.push(v);
                        interpreter.advance(watermark, keep, &mut report, &mut |_, _, _| {});
                        interpreter.line(place, line, keep, &mut |v| found.push(v))
                    }
                    true => {
                        let mut report = |_, v| found.push(v);
                        let mut judged = |_, line: &[u8], step: Option<&Step>| {
                            released += 1;
                            if keep {
                                annotate(&mut events, line, step);
                            }
                        };
                        interpreter.advance(watermark, keep, &mut report, &mut judged);
                        let ts = envelope::ts_of(line);
                        interpreter.offer(place, line, ts, keep, &mut report, &mut judged)
                    }
                };
                let judged_now =
                    interpreter.summary().events > before + (released - released_before);
                if keep && judged_now {
                    annotate(&mut events, line, step.as_ref());
                }
                interpreter.recycle(step);
                lines_here += 1;
            }
            self.output_events(seq, events).await?;
        }
        // Lines that are no event are accounted apart; they never hold a partition up.
        let (bad, judged): (Vec<_>, Vec<_>) = found.iter().partition(|violation| {
            matches!(
                violation.kind,
                ViolationKind::MalformedLine | ViolationKind::BadEnvelope
            )
        });
        for (kind, subject, list) in [
            ("v", self.names.violations(partition), judged),
            ("b", self.names.bad_lines(partition), bad),
        ] {
            let id = |part: usize| format!("{partition}:{seq}:{kind}{part}");
            self.output_lines(subject, id, json_lines(&list)).await?;
        }
        self.sequence = seq;
        self.since_checkpoint += lines_here.max(1);
        self.stats.processed.fetch_add(lines_here, Ordering::SeqCst);
        self.stats.mark_busy();
        let open = self.interpreter.open_interactions();
        self.stats.gauges(partition, |g| {
            g.pending = info.pending;
            g.open = open;
        });
        Ok(())
    }

    /// Publishes the events (lines) input message `seq` gave, each part under an id of its
    /// own: `p:seq:events`, then `p:seq:events1`, ...
    async fn output_events(&mut self, seq: u64, events: Vec<u8>) -> Result<(), Stop> {
        let partition = self.partition;
        let id = |part: usize| match part {
            0 => format!("{partition}:{seq}:events"),
            n => format!("{partition}:{seq}:events{n}"),
        };
        self.output_lines(self.names.events(partition), id, events)
            .await
    }

    /// Publishes `lines` (each ending in a line end) on `subject` in parts of up to
    /// [`OUTPUT_BYTES`] and one more line, part `n` under the message id `id(n)`; nothing
    /// when there are none.
    async fn output_lines(
        &mut self,
        subject: String,
        id: impl Fn(usize) -> String,
        lines: Vec<u8>,
    ) -> Result<(), Stop> {
        let parts: Vec<std::ops::Range<usize>> = parts_at_lines(&lines, OUTPUT_BYTES).collect();
        if parts.len() == 1 {
            // One part: the whole, sent as it is.
            return self.output(subject, &id(0), lines).await;
        }
        for (part, range) in parts.into_iter().enumerate() {
            let body = lines.get(range).unwrap_or_default().to_vec();
            self.output(subject.clone(), &id(part), body).await?;
        }
        Ok(())
    }

    /// Publishes an output under the message id `id` (so that a replay's copy is dropped);
    /// its acknowledgement is awaited before the next checkpoint, or sooner when
    /// [`PENDING_OUTPUTS`] are pending.
    async fn output(&mut self, subject: String, id: &str, body: Vec<u8>) -> Result<(), Stop> {
        self.settle(PENDING_OUTPUTS - 1).await?;
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", id);
        let ack = (self.js)
            .publish_with_headers(subject, headers, body.into())
            .await
            .map_err(|error| Failed(format!("publishing {id}: {error}")))?;
        self.acks.push_back(ack);
        Ok(())
    }

    /// Awaits the oldest outputs' acknowledgements until at most `pending` are left.
    async fn settle(&mut self, pending: usize) -> Result<(), Stop> {
        while self.acks.len() > pending {
            let Some(ack) = self.acks.pop_front() else {
                break;
            };
            let ack = ack
                .await
                .map_err(|error| format!("an output was not stored: {error}"))?;
            if ack.duplicate {
                self.stats.duplicates.fetch_add(1, Ordering::SeqCst);
            }
        }
        Ok(())
    }

    /// When anything was applied since the last one: waits for the outputs, then writes the
    /// checkpoint covering the input up to the sequence applied; a newer one (another
    /// owner's) makes it fail.
    async fn checkpoint(&mut self) -> Result<(), Stop> {
        if self.since_checkpoint == 0 {
            return Ok(());
        }
        let started = std::time::Instant::now();
        self.settle(0).await?;
        self.state
            .save(self.sequence, &mut self.interpreter)
            .await?;
        self.since_checkpoint = 0;
        let stats = self.stats;
        stats.checkpoints.fetch_add(1, Ordering::SeqCst);
        let spent = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        stats.checkpoint_micros.fetch_add(spent, Ordering::SeqCst);
        stats.gauges(self.partition, |g| {
            g.checkpointed = std::time::Instant::now()
        });
        Ok(())
    }
}

/// Sets `interpreter` to judge as the worker's `options` say.
fn judge_as(interpreter: &mut Interpreter, options: WorkerOptions) {
    interpreter.reorder_within(options.reorder_window);
    interpreter.end_quiet_after(options.quiet_end);
    interpreter.show_personal_values(options.show_pii);
}

/// The numbers of a header's value written one space apart (`Plotline-Lines`,
/// `Plotline-Watermarks`, `Plotline-Stream-Times`), each `None` where a word is not one. A
/// word of up to 18 digits (no such sum overflows) is summed where it stands: read for every
/// line, they were a worker's costliest reading after the lines themselves.
fn numbers_in(value: &str) -> impl Iterator<Item = Option<i64>> + '_ {
    value.as_bytes().split(|&b| b == b' ').map(|word| {
        if !word.is_empty() && word.len() <= 18 && word.iter().all(u8::is_ascii_digit) {
            return Some(word.iter().fold(0, |n, &d| n * 10 + i64::from(d - b'0')));
        }
        // Written otherwise (`-1`, `+1`, longer): as the standard parser reads it.
        std::str::from_utf8(word).ok()?.parse().ok()
    })
}

/// Where `lines` (each ending in a line end) split in parts that end once they hold `limit`
/// bytes (the last part: whatever is left).
fn parts_at_lines(lines: &[u8], limit: usize) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        let rest = lines.get(start..).filter(|rest| !rest.is_empty())?;
        let end = (rest.get(limit.max(1) - 1..))
            .and_then(|tail| memchr::memchr(b'\n', tail))
            .map_or(rest.len(), |at| limit.max(1) + at);
        let part = start..start + end;
        start += end;
        Some(part)
    })
}

/// `items` as JSON lines.
fn json_lines<T: Serialize>(items: &[T]) -> Vec<u8> {
    let mut lines = Vec::new();
    for item in items {
        // Writing into memory fails only on a value JSON cannot hold; there is none.
        let _ = serde_json::to_writer(&mut lines, item);
        lines.push(b'\n');
    }
    lines
}

/// Appends an event's line as `run` writes it (with its computed metadata block).
fn annotate(events: &mut Vec<u8>, line: &[u8], step: Option<&Step>) {
    match step {
        Some(step) => step.annotate(line, events),
        None => events.extend_from_slice(line),
    }
    events.push(b'\n');
}

/// Reads the outputs into the JSON report of `validate --format json`: the counts of every
/// partition's end, and every violation (ordered by input and line, `incomplete` last); and,
/// into `events` when given, every event with its computed metadata, as `run` writes them
/// (grouped by partition; an error when the deployment keeps no events). With it, how much
/// of what was published it covers.
pub async fn report(
    js: &Context,
    names: &Names,
    mut events: Option<&mut Vec<u8>>,
) -> Result<(Value, ledger::Coverage), String> {
    let output = js
        .get_stream(names.output_stream())
        .await
        .map_err(|error| format!("no stream {}: {error}", names.output_stream()))?;
    let mut messages = output
        .create_consumer(consumer::pull::OrderedConfig::default())
        .await
        .map_err(|error| format!("cannot read {}: {error}", names.output_stream()))?
        .messages()
        .await
        .map_err(|error| format!("cannot read {}: {error}", names.output_stream()))?;
    let mut violations: Vec<Value> = Vec::new();
    let mut summary = Summary::default();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let Layout {
        partitions,
        events: kept,
        ..
    } = read_layout(js, names).await?;
    if events.is_some() && !kept {
        return Err(format!(
            "the deployment `{}` keeps no events (it was set up without `nats-setup --events`): \
             its report is there, without `--events`",
            names.prefix
        ));
    }
    let mut coverage = ledger::Coverage {
        published: vec![0; partitions as usize],
        judged: vec![0; partitions as usize],
    };
    let mut pending = output.cached_info().state.messages;
    while pending > 0 {
        let Some(message) = messages.next().await else {
            break;
        };
        let message = message.map_err(|error| format!("reading outputs: {error}"))?;
        pending = message.info().map(|info| info.pending).unwrap_or(0);
        // Each output once, by its id, however late a copy came (past the stream's window of
        // duplicates: a worker paused for long, a replay much later).
        let id = (message.headers.as_ref())
            .and_then(|headers| headers.get("Nats-Msg-Id"))
            .map(|id| id.as_str().to_owned());
        if let Some(id) = id {
            if !seen.insert(id) {
                continue;
            }
        }
        if message.subject.as_str().contains(".out.event.") {
            if let Some(out) = events.as_deref_mut() {
                out.extend_from_slice(&message.payload);
            }
            continue;
        }
        let broken = |error: serde_json::Error| format!("a broken output: {error}");
        if message.subject.as_str().contains(".out.summary.") {
            let part: Summary = serde_json::from_slice(&message.payload).map_err(broken)?;
            let partition =
                (message.subject.as_str().rsplit('.').next()).and_then(|p| p.parse::<usize>().ok());
            if let Some(judged) = partition.and_then(|p| coverage.judged.get_mut(p)) {
                *judged += part.lines;
            }
            summary.absorb(&part);
        } else {
            // One violation a line (a single object, as earlier workers wrote, is one line).
            for line in jsonl_lines(&message.payload) {
                violations.push(serde_json::from_slice(line).map_err(broken)?);
            }
        }
    }
    violations.sort_by_key(|v| {
        (
            v["kind"] == "incomplete",
            v["line"].as_u64().unwrap_or(0),
            v["message"].as_str().unwrap_or("").to_owned(),
        )
    });
    let state = js
        .get_key_value(names.state())
        .await
        .map_err(|error| format!("no bucket {}: {error}", names.state()))?;
    for (_, publication) in ledger::publications(&state).await? {
        for (total, lines) in coverage.published.iter_mut().zip(&publication.lines) {
            *total += lines;
        }
    }
    let report = serde_json::json!({
        "format_version": FORMAT_VERSION,
        "summary": summary,
        "violations": violations,
    });
    Ok((report, coverage))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_share_what_one_interpreter_may_hold() {
        let whole = Limits::default();
        for partitions in [1, 12, 1000] {
            let share = partition_limits(partitions);
            let n = partitions as usize;
            assert!(share.remember_finished * n >= whole.remember_finished);
            assert!(share.remember_finished * n < whole.remember_finished + n);
            assert!(share.max_open * n < whole.max_open + n);
        }
        assert_eq!(partition_limits(0).max_open, whole.max_open);
    }

    #[test]
    fn a_message_holds_at_most_its_bytes_or_one_line() {
        let (short, long) = (vec![b'x'; 100 * 1024], vec![b'x'; 300 * 1024]);
        let mut batch = Batch::default();
        // An empty batch takes any line; one past the bytes is sent alone.
        assert!(!batch.would_overflow(&long));
        batch.add(1, &long, (None, None));
        assert!(batch.full(Batch::LINES));
        let mut batch = Batch::default();
        batch.add(1, &short, (Some(5), Some(5)));
        assert!(!batch.full(Batch::LINES));
        // A second line of 100 kB would take it past 192 kB: the batch goes first.
        assert!(batch.would_overflow(&short));
        assert!(!batch.would_overflow(&short[..Batch::BYTES - short.len() - 1]));
        assert!(batch.would_overflow(&short[..Batch::BYTES - short.len()]));
        // Lines count too.
        let mut batch = Batch::default();
        (1..=Batch::LINES as u64).for_each(|n| batch.add(n, b"{}", (None, None)));
        assert!(batch.full(Batch::LINES) && !batch.full(Batch::LINES + 1));
    }

    #[test]
    fn header_numbers_read_as_the_standard_parser_reads_them() {
        let words = [
            "1",
            "0",
            "007",
            "1732435200000",
            "999999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "-5",
            "+3",
            "-",
            "",
            "1a",
            "١",
            "12345678901234567890",
        ];
        let header = words.join(" ");
        let read: Vec<Option<i64>> = numbers_in(&header).collect();
        let expected: Vec<Option<i64>> = words.iter().map(|w| w.parse().ok()).collect();
        assert_eq!(read, expected);
        assert_eq!(read[3], Some(1_732_435_200_000));
    }

    #[test]
    fn a_layout_written_before_events_were_a_choice_keeps_them() {
        let old: Layout = serde_json::from_str(r#"{"partitions":12,"groups":64}"#).expect("JSON");
        assert!(old.events);
        let chosen = Layout {
            partitions: 3,
            groups: 4,
            events: false,
        };
        let written = serde_json::to_string(&chosen).expect("JSON");
        assert_eq!(serde_json::from_str::<Layout>(&written).ok(), Some(chosen));
        assert_eq!(
            chosen.described(),
            "3 partitions of 4 state groups, no events kept"
        );
    }

    #[test]
    fn events_split_where_a_part_reaches_its_limit_and_lose_nothing() {
        let lines = b"ab\ncdef\ng\nhij\n";
        let parts = |limit| -> Vec<&[u8]> {
            parts_at_lines(lines, limit)
                .map(|range| &lines[range])
                .collect()
        };
        // A part ends at the first line end once it holds the limit.
        assert_eq!(parts(4), [&b"ab\ncdef\n"[..], b"g\nhij\n"]);
        assert_eq!(parts(3), [&b"ab\n"[..], b"cdef\n", b"g\nhij\n"]);
        assert_eq!(parts(1), [&b"ab\n"[..], b"cdef\n", b"g\n", b"hij\n"]);
        assert_eq!(parts(100), [&lines[..]]);
        assert_eq!(parts(0), parts(1));
        for limit in 0..20 {
            assert_eq!(parts(limit).concat(), lines);
            assert!(parts(limit).iter().all(|part| part.ends_with(b"\n")));
        }
        assert_eq!(parts_at_lines(b"", 4).count(), 0);
    }

    #[test]
    fn json_lines_split_where_a_body_reaches_its_limit_and_lose_nothing() {
        let items: Vec<u32> = (0..25).collect();
        // "0\n" .. "9\n" are 2 bytes, "10\n" .. "24\n" 3: a body ends once it holds 10.
        let lines = json_lines(&items);
        let bodies: Vec<&[u8]> = parts_at_lines(&lines, 10).map(|r| &lines[r]).collect();
        let texts: Vec<String> = bodies
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        assert_eq!(texts[0], "0\n1\n2\n3\n4\n");
        assert_eq!(texts[2], "10\n11\n12\n13\n");
        assert!(bodies.iter().all(|b| b.len() < 10 + 3));
        let back: Vec<u32> = (texts.concat().lines())
            .map(|l| l.parse().expect("a number"))
            .collect();
        assert_eq!(back, items);
        assert_eq!(parts_at_lines(&json_lines::<u32>(&[]), 10).count(), 0);
    }
}
