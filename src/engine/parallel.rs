//! `validate` on several threads: interactions sharded by key, reports merged back into the
//! exact order one thread would give.
//!
//! A reader cuts the inputs into chunks of whole lines and hands every chunk to every shard.
//! Each shard walks all lines, reads each line's key cheaply ([`envelope::key_of`]) and fully
//! processes only the lines whose key hashes to it (blank and keyless lines go to shard 0),
//! so every line is counted by exactly one shard and each interaction's events stay in order
//! on one thread. The violations of a chunk are merged by line number once every shard has
//! handed in its part; those of the end of the stream are merged by where each interaction
//! began. The report is therefore the one a single thread writes.

use std::collections::{BTreeMap, VecDeque};
use std::hash::BuildHasher;
use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;
use std::thread;

use super::envelope;
use super::interpreter::{Interpreter, Limits, Place, Position};
use super::stream::{trim_line_end, Input};
use super::verdict::{Summary, Violation};
use crate::compile::Catalog;

/// Bytes per chunk (a chunk grows to hold a longer line).
const CHUNK_BYTES: usize = 1 << 20;
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
}

/// Whole lines of one input.
struct Chunk {
    seq: u64,
    file_index: usize,
    /// The line number before the chunk's first line.
    first_line: u64,
    /// How many lines it holds.
    lines: u64,
    bytes: Vec<u8>,
}

/// One shard's violations for one chunk, in line order.
struct Part {
    seq: u64,
    bytes: u64,
    lines: u64,
    violations: Vec<Violation>,
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
    let jobs = options.jobs.max(1);
    let names: Vec<String> = inputs.iter().map(|input| input.name.clone()).collect();
    let hasher = hashbrown::DefaultHashBuilder::default();
    let limits = Limits {
        remember_finished: options.limits.remember_finished.div_ceil(jobs),
    };
    thread::scope(|scope| {
        let (part_tx, part_rx) = mpsc::sync_channel::<Part>(jobs * IN_FLIGHT);
        let mut chunk_txs = Vec::with_capacity(jobs);
        let mut shards = Vec::with_capacity(jobs);
        for shard in 0..jobs {
            let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Arc<Chunk>>(IN_FLIGHT);
            chunk_txs.push(chunk_tx);
            let part_tx = part_tx.clone();
            let names = &names;
            let hasher = &hasher;
            shards.push(scope.spawn(move || {
                let mut interpreter = Interpreter::new(catalog, limits);
                let owner = |line: &[u8]| owner_of(line, jobs, hasher);
                run_shard(&mut interpreter, shard, &owner, names, &chunk_rx, &part_tx);
                let mut open = Vec::new();
                let summary = interpreter
                    .finish_ordered(options.allow_incomplete, &mut |at, v| open.push((at, v)));
                (summary, open)
            }));
        }
        drop(part_tx);
        let reader = scope.spawn(move || read_chunks(inputs, &chunk_txs));

        collect(jobs, &part_rx, report, progress);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("reader failed")));

        let mut summary = Summary::default();
        let mut open = Vec::new();
        for shard in shards {
            let (part, mut left) = shard
                .join()
                .map_err(|_| io::Error::other("a shard failed"))?;
            summary.absorb(&part);
            open.append(&mut left);
        }
        read?;
        open.sort_by_key(|(at, _): &(Position, Violation)| *at);
        for (_, violation) in open {
            report(violation);
        }
        Ok(summary)
    })
}

/// The shard that processes `line`.
fn owner_of(line: &[u8], jobs: usize, hasher: &hashbrown::DefaultHashBuilder) -> usize {
    if jobs == 1 {
        return 0;
    }
    match envelope::key_of(line) {
        Some(key) => (hasher.hash_one(key) % jobs as u64) as usize,
        None => 0,
    }
}

/// One shard: every chunk, its own lines only.
fn run_shard(
    interpreter: &mut Interpreter,
    shard: usize,
    owner: &dyn Fn(&[u8]) -> usize,
    names: &[String],
    chunks: &Receiver<Arc<Chunk>>,
    parts: &SyncSender<Part>,
) {
    for chunk in chunks {
        let mut violations = Vec::new();
        let mut report = |violation| violations.push(violation);
        let file = names.get(chunk.file_index).map_or("-", String::as_str);
        for (i, line) in lines(&chunk.bytes).enumerate() {
            let line = trim_line_end(line);
            let mine = if line.iter().all(u8::is_ascii_whitespace) {
                shard == 0
            } else {
                owner(line) == shard
            };
            if mine {
                let place = Place {
                    file_index: chunk.file_index,
                    file,
                    line: chunk.first_line + i as u64 + 1,
                };
                interpreter.line(place, line, false, &mut report);
            }
        }
        let part = Part {
            seq: chunk.seq,
            bytes: chunk.bytes.len() as u64,
            lines: chunk.lines,
            violations,
        };
        if parts.send(part).is_err() {
            return;
        }
    }
}

/// The lines of a chunk, each with its line end (the last may lack one).
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |at| at + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
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
            // Each shard's part is in line order and a line has one owner: a stable sort by
            // line gives single-thread order.
            violations.sort_by_key(|violation| violation.line);
            violations.into_iter().for_each(&mut *report);
            progress(bytes, lines);
            next += 1;
        }
    }
}

/// Reads every input into chunks of whole lines and hands each to every shard. Chunk buffers
/// are reused once every shard is done with them, so memory stays warm and bounded.
fn read_chunks(inputs: Vec<Input>, shards: &[SyncSender<Arc<Chunk>>]) -> io::Result<()> {
    let mut seq = 0u64;
    let mut in_flight: VecDeque<Arc<Chunk>> = VecDeque::new();
    for (file_index, input) in inputs.into_iter().enumerate() {
        let mut reader = input.reader;
        let mut carry: Vec<u8> = Vec::new();
        let mut line = 0u64;
        loop {
            let mut bytes = if carry.len() >= CHUNK_BYTES {
                // The start of a line longer than a chunk: keep growing it.
                std::mem::take(&mut carry)
            } else {
                let mut bytes = reusable_buffer(&mut in_flight);
                bytes.extend_from_slice(&carry);
                carry.clear();
                bytes
            };
            bytes.reserve(CHUNK_BYTES);
            let filled = fill(&mut reader, &mut bytes, CHUNK_BYTES)?;
            let cut = if filled {
                match memchr::memrchr(b'\n', &bytes) {
                    Some(at) => at + 1,
                    // One line longer than a chunk: keep reading it.
                    None => {
                        carry = bytes;
                        continue;
                    }
                }
            } else {
                bytes.len()
            };
            carry.extend_from_slice(&bytes[cut..]);
            bytes.truncate(cut);
            if bytes.is_empty() {
                break;
            }
            let ends_open = bytes.last() != Some(&b'\n');
            let lines = memchr::memchr_iter(b'\n', &bytes).count() as u64 + u64::from(ends_open);
            let chunk = Arc::new(Chunk {
                seq,
                file_index,
                first_line: line,
                lines,
                bytes,
            });
            line += lines;
            seq += 1;
            for shard in shards {
                if shard.send(Arc::clone(&chunk)).is_err() {
                    return Err(io::Error::other("a shard stopped"));
                }
            }
            in_flight.push_back(chunk);
            if !filled {
                break;
            }
        }
    }
    Ok(())
}

/// An empty buffer: the oldest chunk's when no shard holds it any more, else a new one.
fn reusable_buffer(in_flight: &mut VecDeque<Arc<Chunk>>) -> Vec<u8> {
    let oldest_done = in_flight
        .front()
        .is_some_and(|chunk| Arc::strong_count(chunk) == 1);
    let reused = if oldest_done || in_flight.len() > IN_FLIGHT + 2 {
        in_flight
            .pop_front()
            .and_then(|chunk| Arc::try_unwrap(chunk).ok())
    } else {
        None
    };
    let mut bytes = reused.map(|chunk| chunk.bytes).unwrap_or_default();
    bytes.clear();
    bytes
}

/// Reads until `bytes` has grown by `want` bytes; `false` at end of input.
fn fill(reader: &mut dyn Read, bytes: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let mut filled = bytes.len();
    bytes.resize(filled + want, 0);
    let result = loop {
        if filled == bytes.len() {
            break Ok(true);
        }
        match reader.read(&mut bytes[filled..]) {
            Ok(0) => break Ok(false),
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => break Err(error),
        }
    };
    bytes.truncate(filled);
    result
}
