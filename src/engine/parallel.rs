//! `validate` on several threads: interactions sharded by key, reports merged back into the
//! exact order one thread would give.
//!
//! A reader cuts the inputs into chunks of whole lines, reads each line's key cheaply
//! ([`envelope::key_of`]) to find the shard it hashes to (blank and keyless lines go to shard
//! 0), and hands every chunk with its lines' owners to every shard. Each shard processes only
//! its own lines, so every line is counted by exactly one shard and each interaction's events
//! stay in order on one thread. The violations of a chunk are merged by line number once every
//! shard has handed in its part; those of the end of the stream are merged by where each
//! interaction began. The report is therefore the one a single thread writes.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::collections::{BTreeMap, VecDeque};
use std::hash::BuildHasher;
use std::io;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Barrier};
use std::thread;

use super::chunks::{Chunk, ChunkReader, Line};
use super::coverage::Coverage;
use super::envelope;
use super::interpreter::{key_hint, Begun, HeldKey, Interpreter, KeyHint, Limits, Place, Position};
use super::stream::Input;
use super::verdict::{Summary, Violation};
use crate::compile::Catalog;

/// Chunks in flight per shard.
const IN_FLIGHT: usize = 4;

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Shards (threads that interpret); at least 1.
    pub jobs: usize,
    /// Memory bounds of the whole run (split among the shards).
    pub limits: Limits,
    /// Whether interactions left open at the end are fine.
    pub allow_incomplete: bool,
    /// Milliseconds of event time within which each interaction's events are judged in
    /// `ts` order (0: as they arrive).
    pub reorder_window: i64,
}

/// A chunk, its place in the stream, which shard owns each of its lines (empty with one
/// shard), each line's `ts` (with a reorder window, or more than one shard ending quiet
/// interactions) and where its interaction lies in its shard's memory ([`key_hint`]): found
/// once by the reader, not by every shard.
struct Sequenced {
    seq: u64,
    chunk: Chunk,
    owners: Vec<u16>,
    times: Vec<Option<i64>>,
    hints: Vec<Option<KeyHint>>,
}

/// Where a violation goes in the report: the line at which it was found, then (for a held
/// line judged there) that line's `ts` and place; the line's own come after those.
type Order = (u64, Option<(i64, Position)>);

/// The order of the violations of a line's own judgment.
fn own(line: u64) -> Order {
    (line, Some((i64::MAX, Position::default())))
}

/// One shard's violations for one chunk, in line order.
struct Part {
    seq: u64,
    bytes: u64,
    lines: u64,
    violations: Vec<(Order, Violation)>,
}

/// Validates `inputs` on `options.jobs` shards. `report` sees every violation in input order,
/// then the interactions left open in the order they began; `progress` sees the bytes and
/// lines of each chunk as it completes.
pub fn validate(
    catalog: &Catalog,
    inputs: Vec<Input>,
    options: Options,
    report: &mut dyn FnMut(Violation),
    progress: &mut dyn FnMut(u64, u64),
) -> io::Result<Summary> {
    let extras = Extras::default();
    validate_with(catalog, inputs, options, extras, report, progress).map(|done| done.summary)
}

/// What a run gathers beyond its summary and violations, when asked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    /// Every interaction begun (for reports that list them).
    pub list: bool,
    /// What the stream covers of each lifecycle version.
    pub coverage: bool,
}

/// The outcome of [`validate_with`].
#[derive(Debug, Default)]
pub struct Outcome {
    /// The counts.
    pub summary: Summary,
    /// Every interaction begun, in the order they began (with `Extras::list`).
    pub interactions: Vec<Begun>,
    /// The coverage, every shard's added up (with `Extras::coverage`).
    pub coverage: Option<Coverage>,
    /// The latest `ts` of the stream, whichever shard read it.
    pub latest_ts: Option<i64>,
}

/// [`validate`], gathering the `extras` asked for.
pub fn validate_with(
    catalog: &Catalog,
    inputs: Vec<Input>,
    options: Options,
    extras: Extras,
    report: &mut dyn FnMut(Violation),
    progress: &mut dyn FnMut(u64, u64),
) -> io::Result<Outcome> {
    let jobs = options.jobs.clamp(1, usize::from(u16::MAX));
    let names: Vec<String> = inputs.iter().map(|input| input.name.clone()).collect();
    let hasher = hashbrown::DefaultHashBuilder::default();
    let limits = options.limits.per_shard(jobs);
    let latest = AtomicI64::new(i64::MIN);
    let ended = Barrier::new(jobs);
    thread::scope(|scope| {
        let (part_tx, part_rx) = mpsc::sync_channel::<Part>(jobs * IN_FLIGHT);
        let mut chunk_txs = Vec::with_capacity(jobs);
        let mut shards = Vec::with_capacity(jobs);
        for shard in 0..jobs {
            let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Arc<Sequenced>>(IN_FLIGHT);
            chunk_txs.push(chunk_tx);
            let part_tx = part_tx.clone();
            let names = &names;
            let (latest, ended, hasher) = (&latest, &ended, &hasher);
            shards.push(scope.spawn(move || {
                let mut interpreter = Interpreter::new(catalog, limits);
                interpreter.hash_keys_with(hasher);
                interpreter.reorder_within(options.reorder_window);
                if extras.list {
                    interpreter.list_interactions();
                }
                if extras.coverage {
                    interpreter.count_coverage();
                }
                run_shard(&mut interpreter, shard, names, &chunk_rx, &part_tx);
                // Lines still held are judged where the stream ends, before its timeouts.
                let mut held = Vec::new();
                let mut keep = |key: Option<HeldKey>, violation| held.push((key, violation));
                interpreter.flush(false, &mut keep, &mut |_, _, _| {});
                // Timeouts at the end are decided by the latest timestamp of the whole
                // stream, whichever shard saw it.
                latest.fetch_max(
                    interpreter.latest_ts().unwrap_or(i64::MIN),
                    Ordering::SeqCst,
                );
                ended.wait();
                let latest = latest.load(Ordering::SeqCst);
                interpreter.end_at((latest != i64::MIN).then_some(latest));
                let mut open = Vec::new();
                let listed = interpreter.take_interactions();
                let (summary, coverage) = interpreter
                    .finish_covered(options.allow_incomplete, &mut |at, v| open.push((at, v)));
                (summary, held, open, listed, coverage)
            }));
        }
        drop(part_tx);
        let chunks = ChunkReader::new(inputs, options.limits.max_line_bytes);
        let hasher = &hasher;
        let owner = |line: &[u8]| owner_of(line, jobs, hasher);
        let hint = |line: Line<'_>| key_hint(catalog, hasher, line);
        // A shard reads the `ts` of its own lines when they are judged on arrival.
        let timed = options.reorder_window > 0 || (options.limits.quiet_end > 0 && jobs > 1);
        let reader = scope.spawn(move || read_chunks(chunks, &owner, &hint, timed, &chunk_txs));

        collect(jobs, &part_rx, report, progress);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("reader failed")));

        let mut summary = Summary::default();
        let mut held = Vec::new();
        let mut open = Vec::new();
        let mut begun = Vec::new();
        let mut coverage: Option<Coverage> = None;
        for shard in shards {
            let (part, flushed, left, listed, covered) = shard
                .join()
                .map_err(|_| io::Error::other("a shard failed"))?;
            summary.absorb(&part);
            gather(&mut held, flushed);
            gather(&mut open, left);
            gather(&mut begun, listed);
            if let Some(covered) = covered {
                coverage
                    .get_or_insert_with(Coverage::default)
                    .absorb(covered);
            }
        }
        begun.sort();
        read?;
        // A shard's held lines come in key order, each line's violations together.
        held.sort_by_key(|(key, _): &(Option<HeldKey>, Violation)| *key);
        for (_, violation) in held {
            report(violation);
        }
        open.sort_by_key(|(at, _): &(Position, Violation)| *at);
        for (_, violation) in open {
            report(violation);
        }
        let latest = latest.load(Ordering::SeqCst);
        Ok(Outcome {
            summary,
            interactions: begun,
            coverage,
            latest_ts: (latest != i64::MIN).then_some(latest),
        })
    })
}

/// Adds a shard's list to `all`, taking it whole (not copied) while `all` is empty.
fn gather<T>(all: &mut Vec<T>, mut shard: Vec<T>) {
    if all.is_empty() {
        *all = shard;
    } else {
        all.append(&mut shard);
    }
}

/// The shard that processes `line` (blank, overlong and keyless lines go to shard 0).
fn owner_of(line: &[u8], jobs: usize, hasher: &hashbrown::DefaultHashBuilder) -> u16 {
    if line.iter().all(u8::is_ascii_whitespace) {
        return 0;
    }
    match envelope::key_of(line) {
        // Below `jobs`, which is at most `u16::MAX`.
        Some(key) => (hasher.hash_one(key) % jobs as u64) as u16,
        None => 0,
    }
}

/// One shard: every chunk, its own lines only.
fn run_shard(
    interpreter: &mut Interpreter,
    shard: usize,
    names: &[String],
    chunks: &Receiver<Arc<Sequenced>>,
    parts: &SyncSender<Part>,
) {
    let reorders = interpreter.reorders();
    let timed = interpreter.follows_stream_time();
    for sequenced in chunks {
        let chunk = &sequenced.chunk;
        let mut violations: Vec<(Order, Violation)> = Vec::new();
        let file = names.get(chunk.file_index).map_or("-", String::as_str);
        for (index, (number, line, overlong)) in chunk.lines().enumerate() {
            let owner = sequenced.owners.get(index).copied().unwrap_or(0);
            // The next line's interaction asked for while this one is judged.
            let next_owner = sequenced.owners.get(index + 1).copied().unwrap_or(0);
            if let Some(Some(hint)) = sequenced.hints.get(index + 1) {
                if usize::from(next_owner) == shard {
                    interpreter.expect(*hint);
                }
            }
            let ts = sequenced.times.get(index).copied().flatten();
            let mut keyed = |key: Option<HeldKey>, violation| {
                let order = key.map_or_else(|| own(number), |key| (number, Some(key)));
                violations.push((order, violation));
            };
            // Every line of the stream moves its event time, whichever shard judges it (its
            // own lines move it when offered or judged).
            if timed && usize::from(owner) != shard {
                interpreter.advance(ts, false, &mut keyed, &mut |_, _, _| {});
            }
            if usize::from(owner) != shard {
                continue;
            }
            let place = Place {
                file_index: chunk.file_index,
                file,
                line: number,
            };
            match overlong {
                Some(length) => {
                    interpreter.overlong_line(place, length, &mut |v| keyed(None, v));
                }
                None if reorders => {
                    interpreter.offer(place, line, ts, false, &mut keyed, &mut |_, _, _| {});
                }
                None => {
                    interpreter.line(place, line, false, &mut |v| keyed(None, v));
                }
            }
        }
        let part = Part {
            seq: sequenced.seq,
            bytes: chunk.input_bytes,
            lines: chunk.line_count(),
            violations,
        };
        if parts.send(part).is_err() {
            return;
        }
    }
}

/// Merges the shards' parts chunk by chunk, in order.
fn collect(
    jobs: usize,
    parts: &Receiver<Part>,
    report: &mut dyn FnMut(Violation),
    progress: &mut dyn FnMut(u64, u64),
) {
    let mut pending: BTreeMap<u64, (usize, Part)> = BTreeMap::new();
    let mut next = 0u64;
    for mut part in parts {
        let entry = pending.entry(part.seq).or_insert_with(|| {
            (
                0,
                Part {
                    violations: Vec::new(),
                    ..part
                },
            )
        });
        entry.0 += 1;
        entry.1.violations.append(&mut part.violations);
        while pending.get(&next).is_some_and(|(got, _)| *got == jobs) {
            let Some((
                _,
                Part {
                    bytes,
                    lines,
                    mut violations,
                    ..
                },
            )) = pending.remove(&next)
            else {
                break;
            };
            // Each shard's part is in order and a line has one owner; the held lines judged
            // at a line are ordered by their keys: a stable sort gives single-thread order.
            violations.sort_by_key(|(order, _)| *order);
            violations
                .into_iter()
                .for_each(|(_, violation)| report(violation));
            progress(bytes, lines);
            next += 1;
        }
    }
}

/// Reads every input into chunks, finds the owner of each line (with more than one shard)
/// and its hint, and hands each chunk to every shard. A chunk's buffer is reused once no
/// shard holds it any more.
fn read_chunks(
    mut reader: ChunkReader,
    owner: &dyn Fn(&[u8]) -> u16,
    hint: &dyn Fn(Line<'_>) -> Option<KeyHint>,
    timed: bool,
    shards: &[SyncSender<Arc<Sequenced>>],
) -> io::Result<()> {
    let mut in_flight: VecDeque<Arc<Sequenced>> = VecDeque::new();
    let mut seq = 0u64;
    while let Some(chunk) = reader.next_chunk()? {
        let owners = match shards.len() {
            1 => Vec::new(),
            _ => (chunk.lines())
                .map(|(_, line, overlong)| match overlong {
                    Some(_) => 0,
                    None => owner(line.bytes),
                })
                .collect(),
        };
        let times = match timed {
            false => Vec::new(),
            true => (chunk.lines())
                .map(|(_, line, overlong)| {
                    overlong.map_or_else(|| envelope::ts_of(line.bytes), |_| None)
                })
                .collect(),
        };
        let hints = (chunk.lines())
            .map(|(_, line, overlong)| overlong.map_or_else(|| hint(line), |_| None))
            .collect();
        let chunk = Arc::new(Sequenced {
            seq,
            chunk,
            owners,
            times,
            hints,
        });
        seq += 1;
        for shard in shards {
            if shard.send(Arc::clone(&chunk)).is_err() {
                return Err(io::Error::other("a shard stopped"));
            }
        }
        in_flight.push_back(chunk);
        while in_flight
            .front()
            .is_some_and(|oldest| Arc::strong_count(oldest) == 1)
        {
            if let Some(done) = in_flight.pop_front().and_then(Arc::into_inner) {
                reader.recycle(done.chunk.into_buffer());
            }
        }
        if in_flight.len() > IN_FLIGHT + 2 {
            in_flight.pop_front();
        }
    }
    Ok(())
}
