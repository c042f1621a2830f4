//! The generic interpreter: catalog plus envelopes to verdicts, one event at a time.
//!
//! Per interaction it keeps the lifecycle version, the state, the last timestamp and the
//! metadata slots; nothing else. An interaction is released when it reaches a final state,
//! leaving only a 64-bit fingerprint in a bounded set so that a late event is still told as
//! `after_end`. Memory therefore grows with the open interactions, not with the stream.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::sync::LazyLock;

use compact_str::CompactString;
use memchr::memmem;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use smallvec::SmallVec;
use thin_vec::ThinVec;

use super::coverage::{Coverage, Trail};

mod checkpoint;
mod duplicates;
mod ended_by_timeout;
mod lost_lines;
mod messages;
mod reorder;
use super::chunks::Line;
use super::envelope::{self, Checked, Envelope, LineError, Resolved};
use super::native;
use super::payload_message;
use super::stream_clock::StreamClock;
use super::verdict::{Summary, Violation, ViolationKind};
use crate::compile::catalog::{
    Event, EventId, Guarded, Lifecycle, Move, Payload, StateId, Version, NO_STATE,
};
use crate::compile::fast_check::{DataReads, FastCheck, Outcome, PayloadSeed};
use crate::compile::Catalog;
use crate::expr::{Doc, Env, Node, Slot, Val};
use crate::prefetch;
use crate::short_eq::Key;
pub use checkpoint::{Checkpoint, SavedInteraction};
use duplicates::{id_hash, SavedIds, SeenIds};
use ended_by_timeout::EndedByTimeout;
use lost_lines::LostLines;
pub use lost_lines::SavedLostLine;
use reorder::Reorder;
pub use reorder::{HeldKey, HeldText, SavedHeld, SavedReorder};

/// Bounds on what a run holds in memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How many finished interactions are remembered for `after_end`.
    pub remember_finished: usize,
    /// How many interactions may be open at once; beyond it the least recently active
    /// eighth is evicted (each reported as `incomplete`).
    pub max_open: usize,
    /// Lines longer than this many bytes are `malformed_line` and never held whole.
    pub max_line_bytes: usize,
    /// Show the values of personal data (`pii: true`) in messages instead of masking them.
    pub show_pii: bool,
    /// An interaction resting in a `may_end` state with nothing due is ended (valid) once
    /// the stream's event time ([`crate::engine::stream_clock`]), or its next event's `ts`
    /// when later, is more than this many milliseconds past its last event (its `ts`, or the
    /// stream's time when it was judged if that was later; 0: kept until the end of the
    /// stream).
    pub quiet_end: i64,
}

impl Limits {
    /// Default `max_open`: about half a gigabyte of open interactions.
    pub const MAX_OPEN: usize = 2_000_000;
    /// Default `max_line_bytes`: 1 MiB.
    pub const MAX_LINE_BYTES: usize = 1 << 20;
    /// Default `quiet_end`: one hour.
    pub const QUIET_END: i64 = 3_600_000;

    /// The share of one of `shards` threads.
    pub fn per_shard(self, shards: usize) -> Limits {
        Limits {
            remember_finished: self.remember_finished.div_ceil(shards),
            max_open: self.max_open.div_ceil(shards),
            ..self
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            remember_finished: 1 << 20,
            max_open: Limits::MAX_OPEN,
            max_line_bytes: Limits::MAX_LINE_BYTES,
            show_pii: false,
            quiet_end: Limits::QUIET_END,
        }
    }
}

/// Where a line is: input file index and 1-based line number. Orders lines across inputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Index of the input file.
    pub file: u32,
    /// 1-based line number.
    pub line: u64,
}

impl Position {
    /// Bits of the line number in a packed position.
    const LINE_BITS: u32 = 48;

    /// Eight bytes, in the same order (files beyond 65,535 and lines beyond 2^48 saturate).
    fn pack(self) -> u64 {
        let file = u64::from(self.file).min(0xffff);
        let line = self.line.min((1 << Self::LINE_BITS) - 1);
        (file << Self::LINE_BITS) | line
    }

    fn unpack(packed: u64) -> Position {
        Position {
            file: u32::try_from(packed >> Self::LINE_BITS).unwrap_or(u32::MAX),
            line: packed & ((1 << Self::LINE_BITS) - 1),
        }
    }
}

/// The state of one open interaction: kept small, since millions may be open at once.
#[derive(Debug, Clone)]
struct Interaction {
    last_ts: i64,
    /// How far the stream's time was past `last_ts` when its latest event was judged, in
    /// milliseconds (0 when behind it; at most about 49 days): quiet is measured from the
    /// later of the two, so a visitor whose clock runs slow is not quiet at once.
    arrived_after: u32,
    /// When it entered its state (timeouts count from here); `DISARMED` once the state's
    /// timeout has fired without leaving it.
    entered: i64,
    /// Where it began (orders the `incomplete` report), packed.
    first: u64,
    /// Where its latest event was, packed.
    last: u64,
    /// Metadata slots; empty (no allocation) until a rule sets one. Its length lives with
    /// the slots, so an open interaction holds one pointer for them.
    meta: ThinVec<Slot>,
    /// Violations found on it (whether any is what counts: it stops at `u16::MAX`).
    violations: u16,
    version: u16,
    state: StateId,
    last_event: EventId,
    /// Whether its state is a guess: a guard whose value was unknown chose it, or a line no
    /// one could judge may have been a step, so the next event that does not keep the state,
    /// if it is not allowed there, resynchronizes without a violation.
    unsure: bool,
    /// The state its latest event resynchronized it from, or `NO_STATE`: if the next event
    /// is not allowed where that event took it but is (unguarded) where it was, that event
    /// was a stray, not a sign of lost ones, and the interaction goes on from there.
    jumped_from: StateId,
    /// Whether a line of it that no one could judge came after an event judged later (a
    /// reorder window's): the line explains the first of its events that came after it
    /// ([`LostLines`]).
    lost_after: bool,
    /// Its part in the coverage, when it is counted.
    trail: Option<Box<Trail>>,
}

impl Interaction {
    /// `count` more violations found on it.
    fn add_violations(&mut self, count: u32) {
        let count = u16::try_from(count).unwrap_or(u16::MAX);
        self.violations = self.violations.saturating_add(count);
    }

    /// Its latest event's time is `ts`, judged when the stream's time was `stream_time`.
    fn stamp(&mut self, ts: i64, stream_time: Option<i64>) {
        self.last_ts = ts;
        let after = stream_time.map_or(0, |time| time.saturating_sub(ts));
        self.arrived_after = u32::try_from(after.max(0)).unwrap_or(u32::MAX);
    }

    /// Where its quiet is measured from: its latest event's time, or the stream's then when
    /// that was later.
    fn quiet_since(&self) -> i64 {
        self.last_ts.saturating_add(i64::from(self.arrived_after))
    }
}

/// A violation found for the event being processed: kind, message, expected.
type Found = (ViolationKind, String, Vec<String>);

/// `Interaction::entered` of a state whose timeout has fired.
const DISARMED: i64 = i64::MAX;

/// The key `"metadata"` as a record spells it plainly (a searcher built once: building one
/// costs more than searching a line).
static METADATA_KEY: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"\"metadata\""));
/// The start of a `\u` escape.
static UNICODE_ESCAPE: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"\\u"));

/// What became of one event, for `run`, scenario traces and `serve`. Its names are short
/// strings kept inline (no allocation for names of up to 24 bytes): one is made per event.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The lifecycle.
    pub lifecycle: CompactString,
    /// The lifecycle version that judged it.
    pub version: CompactString,
    /// The interaction.
    pub interaction: CompactString,
    /// The event.
    pub event: CompactString,
    /// The interaction's state after the event.
    pub state: CompactString,
    /// The metadata block after the event, as JSON text (an object).
    pub metadata: String,
    /// Whether the line's own text takes the block appended ([`Envelope::appendable`]).
    pub appendable: bool,
}

impl Step {
    /// Appends the event's line as `run` writes it to `out`: the record with the computed
    /// `metadata` block in place of any it had (the line as it was when it is no JSON
    /// object). A record without a `metadata` key keeps its own text, the block appended.
    pub fn annotate(&self, line: &[u8], out: &mut Vec<u8>) {
        let record = line.trim_ascii();
        // Unless the reader found its keys, any key could be `metadata`, or be spelled with
        // escapes: those take the long way.
        let plain = record.len() >= 2
            && record.first() == Some(&b'{')
            && record.last() == Some(&b'}')
            && (self.appendable
                || METADATA_KEY.find(record).is_none()
                    // A backslash is rare: one byte's search first.
                    && (memchr::memchr(b'\\', record).is_none()
                        || UNICODE_ESCAPE.find(record).is_none()));
        if plain {
            let open = &record[..record.len() - 1];
            out.reserve(record.len() + self.metadata.len() + 13);
            out.extend_from_slice(open);
            if !open[1..].trim_ascii().is_empty() {
                out.push(b',');
            }
            out.extend_from_slice(b"\"metadata\":");
            out.extend_from_slice(self.metadata.as_bytes());
            out.push(b'}');
            return;
        }
        let block = serde_json::from_str::<Value>(&self.metadata);
        match (serde_json::from_slice::<Map<String, Value>>(line), block) {
            (Ok(mut record), Ok(block)) => {
                record.insert("metadata".into(), block);
                let before = out.len();
                if serde_json::to_writer(&mut *out, &record).is_err() {
                    out.truncate(before);
                    out.extend_from_slice(line);
                }
            }
            _ => out.extend_from_slice(line),
        }
    }
}

/// Where a line came from.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    /// Index of the input file (for ordering).
    pub file_index: usize,
    /// The file's name.
    pub file: &'a str,
    /// 1-based line number.
    pub line: u64,
}

impl Place<'_> {
    fn position(&self) -> Position {
        Position {
            file: u32::try_from(self.file_index).unwrap_or(u32::MAX),
            line: self.line,
        }
    }
}

/// Fingerprints of finished interactions, oldest forgotten first. A fingerprint depends on
/// the lifecycle's name and the key only, so checkpoints carry them across processes.
#[derive(Debug, Default)]
struct Finished {
    set: hashbrown::HashSet<u64>,
    order: VecDeque<u64>,
    capacity: usize,
    /// Fingerprints ever remembered: the ordinal of the next one (the oldest kept is
    /// `inserted - order.len()`).
    inserted: u64,
}

impl Finished {
    fn insert(&mut self, key: u64) {
        if self.capacity == 0 || !self.set.insert(key) {
            return;
        }
        self.order.push_back(key);
        self.inserted += 1;
        if self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
    }

    /// The fingerprint of the interaction, when it is remembered as finished.
    fn find(&self, lifecycle: &str, interaction: &str) -> Option<u64> {
        (!self.set.is_empty())
            .then(|| fingerprint(lifecycle, interaction))
            .filter(|fingerprint| self.set.contains(fingerprint))
    }
}

/// An interaction's fingerprint: FNV-1a over the lifecycle's name and the key, then mixed;
/// the same in every process and version (finished interactions are remembered by it, and
/// checkpoints group interactions by it).
pub fn fingerprint(lifecycle: &str, interaction: &str) -> u64 {
    let hash = super::fnv::fnv1a(&[lifecycle.as_bytes(), interaction.as_bytes()]);
    (hash ^ (hash >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (hash >> 32)
}

/// The checkpoint group, of `groups`, of the interaction whose [`fingerprint`] is
/// `fingerprint`.
pub fn checkpoint_group(fingerprint: u64, groups: usize) -> usize {
    (fingerprint % groups.max(1) as u64) as usize
}

/// What changed since it was last asked ([`Interpreter::track_changes`]): the groups of the
/// interactions events reached ([`checkpoint_group`]), or everything (after an eviction).
#[derive(Debug, Default)]
pub struct Changes {
    /// Whether an event reached (began, changed, ended) an interaction of each group.
    groups: Vec<bool>,
    /// Interactions beyond those reached changed too.
    everything: bool,
}

impl Changes {
    /// Nothing changed yet, in `groups` groups (at least one).
    fn new(groups: usize) -> Changes {
        Changes {
            groups: vec![false; groups.max(1)],
            everything: false,
        }
    }

    /// The interaction of `fingerprint` changed.
    fn note(&mut self, fingerprint: u64) {
        let group = checkpoint_group(fingerprint, self.groups.len());
        if let Some(changed) = self.groups.get_mut(group) {
            *changed = true;
        }
    }

    /// Whether an interaction of `group` changed (or everything did).
    pub fn changed(&self, group: usize) -> bool {
        self.everything || self.groups.get(group).copied().unwrap_or(false)
    }
}

/// Open interactions of one lifecycle, by interaction key.
type OpenMap = hashbrown::HashMap<CompactString, Interaction>;

/// The key of an interaction that [`OpenMap::entry_ref`] opens.
impl From<&Key<'_>> for CompactString {
    fn from(key: &Key<'_>) -> Self {
        CompactString::from(key.0)
    }
}

/// The lifecycle of a line's interaction and the hash of its key ([`key_hint`]).
pub type KeyHint = (u32, u64);

/// The [`KeyHint`] of `line`, its keys hashed with `keys`, when it is text written compactly
/// in the documented order and names a lifecycle of `catalog`: read cheaply, ahead of the
/// thread that judges it.
#[inline]
pub fn key_hint(
    catalog: &Catalog,
    keys: &hashbrown::DefaultHashBuilder,
    line: Line<'_>,
) -> Option<KeyHint> {
    let (lifecycle, key) = line.text.and_then(envelope::compact_key_text)?;
    let lifecycle_id = u32::try_from(catalog.lifecycle_id(lifecycle)?).ok()?;
    Some((lifecycle_id, keys.hash_one(Key(key))))
}

/// Runs events through a catalog.
pub struct Interpreter<'c> {
    catalog: &'c Catalog,
    /// Open interactions, per lifecycle id.
    open: Vec<OpenMap>,
    /// How many interactions are open, over all lifecycles.
    open_count: usize,
    max_open: usize,
    max_line_bytes: usize,
    /// Whether messages show personal values (`pii: true`) instead of masking them.
    show_pii: bool,
    finished: Finished,
    /// Lines no one could judge (malformed, a bad envelope, an unknown event), of
    /// interactions not judged since (see [`LostLines`]).
    lost_lines: LostLines,
    /// Interactions a timeout ended at an event, with when it fell due.
    ended_by_timeout: EndedByTimeout,
    /// Delivery ids seen, so that a line delivered twice is judged once.
    ids: SeenIds,
    /// Interactions evicted while processing the current event, to report before it.
    evicted: Vec<Violation>,
    files: Vec<String>,
    summary: Summary,
    /// The latest timestamp of any event so far (valid or not): where the stream ends, for
    /// timeouts.
    latest_ts: Option<i64>,
    /// Every interaction begun, when asked for (`list_interactions`).
    begun: Option<Vec<Begun>>,
    /// What the stream covered, when asked for (`count_coverage`).
    coverage: Option<Box<Coverage>>,
    /// What changed since last asked, when asked for (`track_changes`).
    changes: Option<Changes>,
    /// Lines held back to be judged in `ts` order, with a reorder window.
    reorder: Option<Box<Reorder>>,
    /// Whether the line being judged came without `ts` while a reorder window holds lines:
    /// events of its interaction that came before it may be judged after it.
    unordered_line: bool,
    /// Whether the line being judged was offered within a reorder window: the stream's time
    /// counted it then.
    counted_when_offered: bool,
    /// See [`Limits::quiet_end`].
    quiet_end: i64,
    /// The stream's event time for `quiet_end`, counted from the [`envelope::ts_of`] of every
    /// line so far (every shard's) so that a few wrong clocks cannot move it.
    clock: StreamClock,
    /// The stream time at which quiet interactions are looked for next.
    next_sweep: i64,
    /// A step's metadata text given back ([`Interpreter::recycle`]), emptied: where the next
    /// step's block is written.
    spare_block: String,
}

/// Hears each violation, with the key of the held line it was found on (`None`: the line
/// just offered).
pub type KeyedReport<'r> = dyn FnMut(Option<HeldKey>, Violation) + 'r;

/// Hears each held line judged that was an event: its key, its text, what became of it.
pub type Judged<'r> = dyn FnMut(HeldKey, &[u8], Option<&Step>) + 'r;

/// An interaction, named where it began (for reports that list every interaction).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Begun {
    /// Where its first event was.
    pub at: Position,
    /// Its lifecycle.
    pub lifecycle: String,
    /// Its key.
    pub interaction: String,
}

impl<'c> Interpreter<'c> {
    /// An interpreter over `catalog`.
    pub fn new(catalog: &'c Catalog, limits: Limits) -> Self {
        Interpreter {
            catalog,
            open: catalog
                .lifecycles
                .iter()
                .map(|_| OpenMap::default())
                .collect(),
            open_count: 0,
            max_open: limits.max_open.max(1),
            max_line_bytes: limits.max_line_bytes,
            show_pii: limits.show_pii,
            finished: Finished {
                capacity: limits.remember_finished,
                ..Finished::default()
            },
            lost_lines: LostLines::new(catalog.lifecycles.len(), limits.remember_finished),
            ended_by_timeout: EndedByTimeout::new(limits.remember_finished),
            ids: SeenIds::new(limits.remember_finished),
            evicted: Vec::new(),
            files: Vec::new(),
            summary: Summary::default(),
            latest_ts: None,
            begun: None,
            coverage: None,
            changes: None,
            reorder: None,
            unordered_line: false,
            counted_when_offered: false,
            quiet_end: limits.quiet_end.max(0),
            clock: StreamClock::default(),
            next_sweep: i64::MIN,
            spare_block: String::new(),
        }
    }

    /// Takes back a step its caller is done with (if the event made one): the next step's
    /// metadata block is written into its text's room, so that a stream's steps are not
    /// allocated one by one.
    #[inline]
    pub fn recycle(&mut self, step: Option<Step>) {
        if let Some(step) = step {
            let mut text = step.metadata;
            text.clear();
            self.spare_block = text;
        }
    }

    /// From now on, messages show personal values (`pii: true`) instead of masking them, or
    /// mask them ([`Limits::show_pii`]).
    pub fn show_personal_values(&mut self, show: bool) {
        self.show_pii = show;
    }

    /// From now on, ends an interaction resting where it may end once the stream's event
    /// time is more than `quiet_end` milliseconds past its last event ([`Limits::quiet_end`];
    /// 0: never).
    pub fn end_quiet_after(&mut self, quiet_end: i64) {
        self.quiet_end = quiet_end.max(0);
    }

    /// From now on, judges each interaction's events in `ts` order as long as they arrive
    /// within `window` milliseconds of event time (0: on arrival, as they come).
    /// Lines already held stay held (and go by the new window).
    pub fn reorder_within(&mut self, window: i64) {
        match self.reorder.as_mut() {
            Some(reorder) if !reorder.is_empty() => reorder.set_window(window),
            _ => self.reorder = (window > 0).then(|| Box::new(Reorder::new(window))),
        }
    }

    /// Whether a reorder window is set.
    pub fn reorders(&self) -> bool {
        self.reorder.is_some()
    }

    /// Whether every line of the stream must reach it ([`Interpreter::advance`]) for its
    /// verdicts to be those of one interpreter over the whole stream: with a reorder window,
    /// or when quiet interactions end ([`Limits::quiet_end`]).
    pub fn follows_stream_time(&self) -> bool {
        self.reorder.is_some() || self.quiet_end > 0
    }

    /// How many lines the reorder window held back so far (each is judged later).
    pub fn lines_held(&self) -> u64 {
        self.reorder.as_ref().map_or(0, |r| r.held_total())
    }

    /// From now on, notes which of `groups` groups of interactions change, for checkpoints
    /// that write only those ([`Interpreter::take_changes`]).
    pub fn track_changes(&mut self, groups: usize) {
        self.changes.get_or_insert_with(|| Changes::new(groups));
    }

    /// What changed since [`Interpreter::track_changes`] or the last call (nothing when not
    /// tracking).
    pub fn take_changes(&mut self) -> Changes {
        match self.changes.as_mut() {
            Some(changes) => std::mem::replace(changes, Changes::new(changes.groups.len())),
            None => Changes::default(),
        }
    }

    /// From now on, counts what the stream covers of each lifecycle version.
    pub fn count_coverage(&mut self) {
        self.coverage.get_or_insert_with(Box::default);
    }

    /// From now on, remembers every interaction begun (memory grows with their number).
    pub fn list_interactions(&mut self) {
        self.begun.get_or_insert_with(Vec::new);
    }

    /// The interactions begun since [`Interpreter::list_interactions`], in the order they
    /// began.
    pub fn take_interactions(&mut self) -> Vec<Begun> {
        self.begun.take().unwrap_or_default()
    }

    /// The latest timestamp of any event so far.
    pub fn latest_ts(&self) -> Option<i64> {
        self.latest_ts
    }

    /// Sets where the stream ends in time, for the timeouts decided at its end (shards agree
    /// on the latest timestamp of the whole stream before they finish).
    pub fn end_at(&mut self, ts: Option<i64>) {
        self.latest_ts = self.latest_ts.max(ts);
    }

    /// How many interactions are open.
    pub fn open_interactions(&self) -> usize {
        self.open_count
    }

    /// Where the open interaction `key` of `lifecycle` stands now: its state and metadata
    /// block (JSON text) once the timeouts and deadlines due before the stream's latest
    /// timestamp have fired, as the end of the stream would fire them. `None` when it is
    /// not open. The interpreter goes on unchanged.
    pub fn standing(&self, lifecycle: &str, key: &str) -> Option<(String, String)> {
        let lifecycle_id = self.catalog.lifecycle_id(lifecycle)?;
        let open = self.open.get(lifecycle_id)?.get(key)?;
        let version = version_of(self.catalog, (lifecycle_id, key, open));
        let mut interaction = open.clone();
        if let Some(now) = self.latest_ts {
            expire(
                version,
                &mut interaction,
                now,
                &mut |_, _, _| {},
                &mut |_, _, _| {},
            );
        }
        let state = version.state_name(interaction.state).to_owned();
        Some((state, version.metadata_json(&interaction.meta)))
    }

    /// The counts so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// What the stream covered so far (when it is counted), the open interactions' paths
    /// counted as if they ended now; the interpreter goes on unchanged.
    pub fn coverage_so_far(&self) -> Option<Coverage> {
        let mut coverage = self.coverage.as_deref()?.clone();
        for (lifecycle_id, map) in self.open.iter().enumerate() {
            for interaction in map.values() {
                count_end(&mut coverage, self.catalog, lifecycle_id, interaction);
            }
        }
        Some(coverage)
    }

    /// Hashes the keys of open interactions with `keys` (before any line is judged: the
    /// interactions open are kept), so that a reader on another thread can find where a
    /// line's interaction lies ([`key_hint`]) for [`Interpreter::expect`].
    pub fn hash_keys_with(&mut self, keys: &hashbrown::DefaultHashBuilder) {
        for map in &mut self.open {
            let mut rehashed = OpenMap::with_capacity_and_hasher(map.len(), keys.clone());
            rehashed.extend(map.drain());
            *map = rehashed;
        }
    }

    /// A hint that the next line names the interaction of [`key_hint`] `hint`: its entry,
    /// when it is open, is asked for from memory now, so that judging the line does not
    /// wait for it. Changes nothing but timing.
    #[inline]
    pub fn expect(&self, hint: KeyHint) {
        if let Some((key, interaction)) = self.likely_entry(hint) {
            prefetch::soon(key);
            prefetch::soon(interaction);
        }
    }

    /// Where the interaction of `hint` lies, found without reading any entry: the first
    /// whose hash matches in the few bits kept beside the entries. That is the interaction
    /// itself but for a rare collision, or when it is not open (then any entry, or none).
    #[inline]
    fn likely_entry(
        &self,
        (lifecycle_id, hash): KeyHint,
    ) -> Option<(&CompactString, &Interaction)> {
        let map = self.open.get(lifecycle_id as usize)?;
        map.raw_entry().from_hash(hash, |_| true)
    }

    /// Processes one input line (without its line end). Violations go to `report`; the
    /// result tells what became of the event when it reached an interaction. With a reorder
    /// window the line may be held back, and lines held before judged now: the result is
    /// then that of this line when it is judged now.
    pub fn line<'l>(
        &mut self,
        place: Place<'_>,
        line: impl Into<Line<'l>>,
        want_step: bool,
        report: &mut dyn FnMut(Violation),
    ) -> Option<Step> {
        let line = line.into();
        if self.reorder.is_none() {
            return self.judge_line(place, line, want_step, report);
        }
        let ts = envelope::ts_of(line.bytes);
        let mut keyed = |_: Option<HeldKey>, violation: Violation| report(violation);
        self.offer(place, line, ts, want_step, &mut keyed, &mut |_, _, _| {})
    }

    /// With a reorder window: raises the watermark to `ts` (the `ts` of a line of the
    /// stream, [`envelope::ts_of`]), judges the held lines now due, then this one unless it
    /// is held back (a line without `ts` is judged at once). `judged` hears the held lines
    /// judged; the result is this line's step when it is judged now. Without a window it is
    /// [`Interpreter::line`].
    pub fn offer<'l>(
        &mut self,
        place: Place<'_>,
        line: impl Into<Line<'l>>,
        ts: Option<i64>,
        want_step: bool,
        report: &mut KeyedReport<'_>,
        judged: &mut Judged<'_>,
    ) -> Option<Step> {
        let line = line.into();
        if self.reorder.is_none() {
            return self.judge_line(place, line, want_step, &mut |v| report(None, v));
        }
        self.advance(ts, want_step, report, judged);
        let hold = match (self.reorder.as_mut(), ts) {
            (Some(reorder), Some(ts)) if !reorder.due(ts) => Some(reorder),
            _ => None,
        };
        if let Some(reorder) = hold {
            reorder.hold((ts.unwrap_or(0), place.position()), place.file, line.bytes);
            return None;
        }
        // Without `ts` while lines are held, its place among its interaction's events is only
        // where it came.
        self.unordered_line = ts.is_none();
        let step = self.judge_offered(place, line, want_step, &mut |violation| {
            report(None, violation)
        });
        self.unordered_line = false;
        step
    }

    /// With a reorder window: raises the watermark to `ts` (the `ts` of a line some other
    /// interpreter judges) and judges the held lines now due.
    pub fn advance(
        &mut self,
        ts: Option<i64>,
        want_step: bool,
        report: &mut KeyedReport<'_>,
        judged: &mut Judged<'_>,
    ) {
        self.observe(ts);
        let Some(reorder) = self.reorder.as_mut() else {
            return;
        };
        if let Some(ts) = ts {
            reorder.advance(ts);
        }
        // Checked here, where it is cheap: most lines release nothing.
        if reorder.any_due() {
            self.release_held(false, want_step, report, judged);
        }
    }

    /// One more line of the stream (this interpreter's or another's), with its `ts` if
    /// [`envelope::ts_of`] finds one: the stream's event time counts it
    /// ([`StreamClock`]). When the time moves, interactions quiet for longer than
    /// `quiet_end` are ended, looked for every eighth of it. Whether one has ended is decided
    /// again when its next event comes, so when they are looked for changes nothing but
    /// memory.
    #[inline]
    fn observe(&mut self, ts: Option<i64>) {
        if self.clock.count(ts) {
            self.sweep_quiet();
        }
    }

    /// The stream's event time ([`StreamClock`]) is `time` from now on, as the reader of the
    /// whole stream counted it (a worker's publisher, which counts every partition's lines):
    /// this interpreter no longer counts the lines it sees.
    pub fn follow_stream_time(&mut self, time: Option<i64>) {
        let before = self.clock.time();
        self.clock.follow(time);
        if self.clock.time() > before {
            self.sweep_quiet();
        }
    }

    /// Ends the quiet interactions, when it is time to look for them again.
    fn sweep_quiet(&mut self) {
        let Some(time) = self.clock.time() else {
            return;
        };
        if self.quiet_end > 0 && time >= self.next_sweep {
            self.end_quiet_interactions(None, Some(time));
            self.next_sweep = time.saturating_add((self.quiet_end / 8).max(1));
        }
    }

    /// The time by which an interaction whose event has `ts` is judged quiet: the stream's,
    /// or the event's own when it is later.
    fn quiet_time(&self, ts: Option<i64>) -> Option<i64> {
        self.clock.time().max(ts)
    }

    /// Whether `open` has ended by quiet when its event `event` with `ts` comes (see
    /// [`Limits::quiet_end`] and [`ended_by_quiet`]).
    fn is_quiet(&self, open: Open<'_>, event: &str, ts: Option<i64>) -> bool {
        let at = (self.clock.time(), ts);
        ended_by_quiet(self.catalog, self.quiet_end, at, open, event)
    }

    /// Ends the open interactions that are quiet at `time`: every one (`only: None`) or the
    /// one named (its next event begins another).
    #[inline(never)]
    fn end_quiet_interactions(&mut self, only: Option<(usize, &str)>, time: Option<i64>) {
        let (catalog, quiet_end) = (self.catalog, self.quiet_end);
        let mut ended = QuietEnded {
            catalog,
            ids: &mut self.ids,
            coverage: self.coverage.as_deref_mut(),
            changes: self.changes.as_mut(),
            interactions: 0,
            valid: 0,
        };
        let only_lifecycle = only.map(|(lifecycle_id, _)| lifecycle_id);
        let maps = self.open.iter_mut().enumerate();
        for (lifecycle_id, map) in maps.filter(|(id, _)| only_lifecycle.is_none_or(|l| l == *id)) {
            let name = (catalog.lifecycles.get(lifecycle_id)).map_or("", |l| l.name.as_str());
            let mut end = |key: &str, interaction: &Interaction| {
                let open = (lifecycle_id, key, interaction);
                let over = quiet(catalog, quiet_end, time, open);
                if over {
                    ended.end(lifecycle_id, fingerprint(name, key), interaction);
                }
                over
            };
            match only {
                None => map.retain(|key, interaction| !end(key, interaction)),
                Some((_, key)) => {
                    if map
                        .get(key)
                        .is_some_and(|interaction| end(key, interaction))
                    {
                        map.remove(key);
                    }
                }
            }
        }
        let (interactions, valid) = (ended.interactions, ended.valid);
        self.open_count -= interactions;
        self.summary.valid_interactions += valid;
    }

    /// Judges every line still held, in `ts` order: the end of the stream.
    pub fn flush(
        &mut self,
        want_step: bool,
        report: &mut KeyedReport<'_>,
        judged: &mut Judged<'_>,
    ) {
        self.release_held(true, want_step, report, judged);
    }

    /// Judges the held lines that are due (or all of them), in `(ts, position)` order.
    fn release_held(
        &mut self,
        all: bool,
        want_step: bool,
        report: &mut KeyedReport<'_>,
        judged: &mut Judged<'_>,
    ) {
        // Out of the way while its lines are judged (judging never reads it).
        let Some(mut reorder) = self.reorder.take() else {
            return;
        };
        while let Some(held) = reorder.next_due(all) {
            let place = Place {
                file_index: usize::try_from(held.key.1.file).unwrap_or(usize::MAX),
                file: reorder.name(held.key.1.file),
                line: held.key.1.line,
            };
            let events = self.summary.events;
            let mut keyed = |violation| report(Some(held.key), violation);
            let bytes = held.bytes.as_slice().into();
            let step = self.judge_offered(place, bytes, want_step, &mut keyed);
            if self.summary.events > events {
                judged(held.key, &held.bytes, step.as_ref());
                self.recycle(step);
            }
            reorder.recycle(held.bytes);
        }
        self.reorder = Some(reorder);
    }

    /// [`Interpreter::judge_line`] for a line offered within a reorder window, which the
    /// stream's time counted when it was offered.
    fn judge_offered(
        &mut self,
        place: Place<'_>,
        input: Line<'_>,
        want_step: bool,
        report: &mut dyn FnMut(Violation),
    ) -> Option<Step> {
        self.counted_when_offered = true;
        let step = self.judge_line(place, input, want_step, report);
        self.counted_when_offered = false;
        step
    }

    /// Judges one input line now (the stream's time counts it, unless it was counted when
    /// offered within a reorder window: `counted_when_offered`).
    fn judge_line(
        &mut self,
        place: Place<'_>,
        input: Line<'_>,
        want_step: bool,
        report: &mut dyn FnMut(Violation),
    ) -> Option<Step> {
        let line = input.bytes;
        self.summary.lines += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            self.summary.blank += 1;
            return None;
        }
        // Counted once read, when it has just come (see below).
        let counted_after = !self.counted_when_offered && self.quiet_end > 0;
        let mut parsed = envelope::parse_checking(input, &|lifecycle, key, event, version, ts| {
            self.payload_check(lifecycle, key, event, version, ts, counted_after)
        });
        // An object without `lifecycle` may be a native record of the catalog's.
        if let Err(LineError::BadEnvelope {
            lifecycle_missing: true,
            message,
            ..
        }) = &mut parsed
        {
            match native::read(self.catalog, line) {
                Some(native) => parsed = native,
                None => native::name_formats(self.catalog, message),
            }
        }
        if let Ok(envelope) = &parsed {
            if let Err(unusable) = envelope.names_usable() {
                parsed = Err(unusable);
            }
        }
        if counted_after {
            // `ts_of` finds a plain line's `ts`: read already.
            let ts = match &parsed {
                Ok(envelope) if envelope.plain => envelope.ts,
                _ => envelope::ts_of(line),
            };
            self.observe(ts);
        }
        if let Ok(envelope) = &parsed {
            self.summary.events += 1;
            return self.judge_event(place, envelope, want_step, report);
        }
        match parsed {
            Err(LineError::Malformed(message)) => {
                self.lost_a_malformed_line(line, place.position());
                self.malformed(place, message, report);
                None
            }
            Err(LineError::BadEnvelope {
                message,
                lifecycle,
                interaction,
                event,
                ..
            }) => {
                self.summary.events += 1;
                self.summary.count(ViolationKind::BadEnvelope);
                if let (Some(lifecycle), Some(key)) = (&lifecycle, &interaction) {
                    self.lost_a_line(lifecycle, key, place.position());
                }
                report(Violation {
                    lifecycle,
                    interaction,
                    event,
                    ..line_violation(place, ViolationKind::BadEnvelope, message)
                });
                None
            }
            // Judged where it was parsed (below).
            Ok(_) => None,
        }
    }

    /// The interaction of the lifecycle named `lifecycle` named `key` had a line at `at` that
    /// could not be judged ([`Interpreter::lost_a_line_of`]).
    #[cold]
    fn lost_a_line(&mut self, lifecycle: &str, key: &str, at: Position) {
        if let Some(id) = self.catalog.lifecycle_id(lifecycle) {
            self.lost_a_line_of(id, key, at);
        }
    }

    /// The interaction of lifecycle `id` named `key` had a line at `at` that could not be
    /// judged: where its next event does not fit, that line explains it (no second
    /// violation), as it explains its resting where it cannot end ([`LostLines`]).
    #[cold]
    fn lost_a_line_of(&mut self, id: usize, key: &str, at: Position) {
        let Some(lifecycle) = self.catalog.lifecycles.get(id) else {
            return;
        };
        // Judged in order, it explains the next event judged, wherever that came.
        let at = if self.unordered_line { at.pack() } else { 0 };
        match self.open.get_mut(id).and_then(|map| map.get_mut(&Key(key))) {
            Some(open) if at == 0 => open.unsure = true,
            Some(open) => open.lost_after |= self.lost_lines.note(id, key, at),
            // After its end: an `after_end` line, not a step.
            None if self.finished.find(&lifecycle.name, key).is_some() => return,
            None => {
                self.lost_lines.note(id, key, at);
            }
        }
        if let Some(changes) = self.changes.as_mut() {
            changes.note(fingerprint(&lifecycle.name, key));
        }
    }

    /// A malformed line whose lifecycle and interaction can still be read (a line cut short
    /// after them) is a line of that interaction no one could judge.
    #[cold]
    fn lost_a_malformed_line(&mut self, line: &[u8], at: Position) {
        let Some((lifecycle, key)) = envelope::key_of(line) else {
            return;
        };
        if let (Ok(lifecycle), Ok(key)) =
            (std::str::from_utf8(&lifecycle), std::str::from_utf8(&key))
        {
            self.lost_a_line(lifecycle, key, at);
        }
    }

    /// Counts a line that was over the length limit (`length` bytes) and not read.
    pub fn overlong_line(
        &mut self,
        place: Place<'_>,
        length: u64,
        report: &mut dyn FnMut(Violation),
    ) {
        self.summary.lines += 1;
        let message = format!(
            "the line is {length} bytes, over the limit of {} (--max-line-bytes)",
            self.max_line_bytes
        );
        self.malformed(place, message, report);
    }

    /// Counts a (counted) line as not an event, and reports it.
    fn malformed(&mut self, place: Place<'_>, message: String, report: &mut dyn FnMut(Violation)) {
        self.summary.malformed += 1;
        self.summary.count(ViolationKind::MalformedLine);
        report(line_violation(place, ViolationKind::MalformedLine, message));
    }

    /// The compiled payload check an event of `lifecycle` for interaction `key` named `event`
    /// (saying `version`, at `ts`) would be judged by, as [`Interpreter::apply`] resolves it,
    /// for the reader to run while it reads the payload.
    fn payload_check(
        &self,
        lifecycle: &str,
        key: &str,
        event: &str,
        version: Option<&str>,
        ts: i64,
        counted_after: bool,
    ) -> Option<(Resolved, PayloadSeed<'c>)> {
        let catalog = self.catalog;
        let lifecycle_id = catalog.lifecycle_id(lifecycle)?;
        let lifecycle = catalog.lifecycles.get(lifecycle_id)?;
        let open = self.open.get(lifecycle_id)?.get(&Key(key));
        if let Some(open) = open {
            // Its metadata block is read once the payload is: asked for now, it has come by
            // then.
            prefetch::soon_block(&open.meta);
        }
        // Whether a quiet interaction has ended, by the stream's time once this line is
        // counted (`counted_after`: the line is counted after this) and its own `ts`.
        let time = match counted_after {
            true => self.clock.time_after(Some(ts)),
            false => self.clock.time(),
        };
        let ended = open.is_some_and(|open| {
            let open = (lifecycle_id, key, open);
            ended_by_quiet(catalog, self.quiet_end, (time, Some(ts)), open, event)
        });
        let existing = open
            .filter(|_| !ended)
            .map(|open| usize::from(open.version));
        let version_index = match existing {
            Some(index) => index,
            None => lifecycle.select(version)?,
        };
        let version = lifecycle.versions.get(version_index)?;
        let event_id = *version.event_ids.get(event)?;
        let event = version.events.get(usize::from(event_id))?;
        let fast = event.payload.as_ref()?.fast.as_ref()?;
        let resolved = Resolved {
            check: check_id(fast),
            lifecycle: lifecycle_id,
            existing,
            quiet: ended,
            version: version_index,
            event: event_id,
        };
        (event.data_reads != DataReads::Everything).then(|| (resolved, fast.seed()))
    }

    /// Processes one parsed event.
    pub fn event(
        &mut self,
        place: Place<'_>,
        envelope: Envelope<'_>,
        want_step: bool,
        report: &mut dyn FnMut(Violation),
    ) -> Option<Step> {
        if self.quiet_end > 0 {
            self.observe(envelope.ts);
        }
        self.judge_event(place, &envelope, want_step, report)
    }

    /// [`Interpreter::event`], on an envelope left where it was parsed (it is large).
    fn judge_event(
        &mut self,
        place: Place<'_>,
        envelope: &Envelope<'_>,
        want_step: bool,
        report: &mut dyn FnMut(Violation),
    ) -> Option<Step> {
        // A line delivered again (an id its interaction already saw) is counted, not judged.
        let delivery = (envelope.id.as_deref()).map(|id| {
            let interaction = fingerprint(&envelope.lifecycle, &envelope.interaction);
            (interaction, id_hash(id))
        });
        if let Some((interaction, id)) = delivery {
            if self.ids.contains(interaction, id) {
                self.summary.duplicates += 1;
                return None;
            }
        }
        let mut found = Vec::new();
        let checked = envelope.checked.as_ref();
        let step = self.apply(place, envelope, checked, want_step, &mut found);
        if let Some((interaction, id)) = delivery {
            let open = (self.catalog.lifecycle_id(&envelope.lifecycle))
                .and_then(|lifecycle_id| self.open.get(lifecycle_id))
                .is_some_and(|map| map.contains_key(&Key(&envelope.interaction)));
            self.ids.insert(interaction, id, open);
            if let Some(changes) = self.changes.as_mut() {
                changes.note(interaction);
            }
        }
        // Most events find nothing: no iterator is built for them.
        if !self.evicted.is_empty() {
            for violation in self.evicted.drain(..) {
                report(violation);
            }
        }
        if found.is_empty() {
            return step;
        }
        for (kind, message, expected) in found {
            self.summary.count(kind);
            report(Violation {
                file: place.file.to_owned(),
                line: place.line,
                interaction: Some(envelope.interaction.to_string()),
                lifecycle: Some(envelope.lifecycle.to_string()),
                event: Some(envelope.event.to_string()),
                kind,
                message,
                expected,
            });
        }
        step
    }

    /// Remembers the name of input `place.file_index` for the end-of-stream report.
    #[inline]
    fn note_file(&mut self, place: &Place<'_>) {
        let index = place.file_index;
        if self.files.len() <= index {
            self.files.resize(index + 1, String::new());
        }
        if let Some(name) = self.files.get_mut(index) {
            if name.is_empty() {
                place.file.clone_into(name);
            }
        }
    }

    /// Applies one event to its interaction, collecting violations into `found`. Inlined into
    /// its one caller, the path of every event.
    #[inline(always)]
    fn apply(
        &mut self,
        place: Place<'_>,
        envelope: &Envelope<'_>,
        checked: Option<&Checked<'_>>,
        want_step: bool,
        found: &mut Vec<Found>,
    ) -> Option<Step> {
        let catalog = self.catalog;
        // The stream's time is that of every event in it, whatever becomes of the event.
        self.latest_ts = self.latest_ts.max(envelope.ts);

        // What the reader resolved when it checked the payload need not be looked up again.
        let resolved = checked.map(|checked| checked.resolved);
        let lifecycle_id = match resolved {
            Some(resolved) => Some(resolved.lifecycle),
            None => catalog.lifecycle_id(&envelope.lifecycle),
        };
        let Some(lifecycle_id) = lifecycle_id else {
            found.push(messages::unknown_lifecycle(catalog, &envelope.lifecycle));
            return None;
        };
        let lifecycle = &catalog.lifecycles[lifecycle_id];
        if let Some(changes) = self.changes.as_mut() {
            changes.note(fingerprint(&lifecycle.name, &envelope.interaction));
        }
        let selected = match resolved {
            // The reader selected it: no open interaction kept its own.
            Some(resolved) if resolved.existing.is_none() => Some(resolved.version),
            _ => lifecycle.select(envelope.version.as_deref()),
        };
        let Some(selected) = selected else {
            found.push(messages::unknown_version(
                lifecycle,
                envelope.version.as_deref(),
            ));
            return None;
        };
        let key: &str = &envelope.interaction;
        let (existing, ended) = match resolved {
            Some(resolved) => (resolved.existing, resolved.quiet),
            None => match self.open[lifecycle_id].get(&Key(key)) {
                Some(open)
                    if self.is_quiet((lifecycle_id, key, open), &envelope.event, envelope.ts) =>
                {
                    (None, true)
                }
                open => (open.map(|open| usize::from(open.version)), false),
            },
        };
        if ended {
            let time = self.quiet_time(envelope.ts);
            self.end_quiet_interactions(Some((lifecycle_id, key)), time);
        }
        let version_index = existing.unwrap_or(selected);
        let version: &Version = &lifecycle.versions[version_index];
        let switched =
            existing.is_some() && envelope.version.is_some() && selected != version_index;

        let event_id = match resolved {
            Some(resolved) if resolved.version == version_index => Some(resolved.event),
            _ => version.event_ids.get(envelope.event.as_ref()).copied(),
        };
        let Some(event_id) = event_id else {
            found.push(messages::unknown_event(lifecycle, version, &envelope.event));
            if let Some(open) = self.open[lifecycle_id].get_mut(&Key(key)) {
                open.add_violations(1);
            }
            // It may have been a step of the interaction under a name the catalog does not
            // know: the next event may not fit without it.
            self.lost_a_line_of(lifecycle_id, key, place.position());
            return None;
        };
        let event = &version.events[usize::from(event_id)];

        let finished = existing
            .is_none()
            .then(|| self.finished.find(&lifecycle.name, key));
        if let Some(ended) = finished.flatten() {
            if self.ended_by_timeout.stamped_before_end(ended, envelope.ts) {
                // By its clock the interaction had not ended: the line whose time ended it
                // may have been stamped late. Not claimed either way.
                self.summary.not_checked += 1;
                return None;
            }
            found.push(messages::after_end());
            return None;
        }

        if existing.is_none() && self.open_count >= self.max_open {
            self.evict();
        }
        let stream_time = self.clock.time();
        let open = &mut self.open[lifecycle_id];
        let begun = &mut self.begun;
        let coverage = &mut self.coverage;
        let interaction = open.entry_ref(&Key(key)).or_insert_with(|| {
            let trail = (coverage.as_mut())
                .map(|coverage| coverage.begin(lifecycle_id, version_index, version));
            if let Some(begun) = begun {
                begun.push(Begun {
                    at: place.position(),
                    lifecycle: lifecycle.name.clone(),
                    interaction: key.to_owned(),
                });
            }
            self.summary.interactions += 1;
            self.open_count += 1;
            Interaction {
                last_ts: envelope.ts.unwrap_or(0),
                arrived_after: 0,
                entered: envelope.ts.unwrap_or(0),
                first: place.position().pack(),
                last: place.position().pack(),
                meta: ThinVec::new(),
                violations: 0,
                version: u16::try_from(version_index).unwrap_or(u16::MAX),
                state: version.initial,
                last_event: event_id,
                unsure: false,
                jumped_from: NO_STATE,
                lost_after: false,
                trail,
            }
        });
        if existing.is_none() || interaction.lost_after {
            let lost = (self.lost_lines).before(lifecycle_id, key, place.position().pack());
            interaction.unsure |= lost == Some(true);
            interaction.lost_after = lost == Some(false);
        }
        interaction.last = place.position().pack();
        interaction.last_event = event_id;
        // Out of the interaction while it changes, so that callbacks can reach it.
        let mut trail = interaction.trail.take();
        if let Some(coverage) = coverage.as_mut() {
            coverage.event(lifecycle_id, version_index, trail.as_deref_mut(), event_id);
        }
        let first_found = found.len();

        if switched {
            let said = envelope.version.as_deref();
            let selected = &lifecycle.versions[selected].name;
            found.push(messages::version_mismatch(said, selected, &version.name));
        }

        let ts = envelope.ts.unwrap_or(interaction.last_ts);
        // Where in `found` the state's timeouts that only report, fired by this event, are.
        let mut waits: SmallVec<[usize; 2]> = SmallVec::new();
        let state_on_arrival = interaction.state;
        let timed = version.timeout(interaction.state).is_some() || !version.deadlines.is_empty();
        if timed {
            let mut fired = |from, to, by_timeout| {
                if let Some(coverage) = coverage.as_mut() {
                    let trail = trail.as_deref_mut();
                    coverage.expired(lifecycle_id, version_index, trail, (from, to), by_timeout);
                }
            };
            expire(
                version,
                interaction,
                ts,
                &mut |kind, message, waited| {
                    if waited {
                        waits.push(found.len());
                    }
                    found.push((kind, message, Vec::new()));
                },
                &mut fired,
            );
        }
        if timed && version.is_final(interaction.state) {
            // A timeout or a deadline ended the interaction before this event.
            found.push(messages::after_end_by_timeout(version, interaction.state));
            let violations = (found.len() - first_found) as u32;
            interaction.add_violations(violations);
            interaction.trail = trail;
            if let Some(coverage) = coverage.as_mut() {
                let state = interaction.state;
                coverage.violated(lifecycle_id, version_index, state, violations);
            }
            // When it ended: what it fell due at (a later event stamped before is not
            // claimed after the end).
            let ended_at = interaction.entered;
            let ended = self.release(lifecycle_id, key);
            self.ended_by_timeout.note(ended, ended_at);
            self.note_file(&place);
            return None;
        }
        // Where the interaction's time goes: to this event's `ts`. But a line that goes back
        // behind its interaction's time and the stream's both is the one stamped wrong (an
        // hour early, say): the interaction keeps its time, and its waits are not measured
        // from an hour before. (Behind its interaction's only, the line before it was the one
        // stamped late, and the interaction goes back to this one's.)
        let mut now = ts;
        if ts < interaction.last_ts {
            found.push(messages::time_regression(ts, interaction.last_ts));
            if stream_time.is_some_and(|time| ts < time) {
                now = interaction.last_ts;
            }
        }
        interaction.stamp(now, self.clock.time_or_first_guess());

        // Guards may read the payload, so it is read first (its problems reported after the
        // transition's). Its valid parts are read as usual, its invalid ones as unknown.
        let payload = read_payload(event, envelope, checked, self.show_pii);
        let data = payload.data.as_deref();
        let invalid = payload.invalid.as_slice();
        let state_before = interaction.state;
        let mut not_checked = 0u64;
        let mut unsure_now = false;
        // What guards (here, or where a resync takes the interaction) see of this event.
        let at_event = || Env {
            ts,
            event: &envelope.event,
            data,
            invalid,
            meta: &interaction.meta,
            state: version.state_name(state_before),
            next_state: version.state_name(state_before),
            locals: &[],
        };
        let next = match version.step(interaction.state, event_id) {
            Move::Illegal => Err(Vec::new()),
            Move::To(next) => Ok(next),
            Move::Guarded(list) => {
                let chosen = choose(list, &at_event(), |index, held| {
                    if let Some(coverage) = coverage.as_mut() {
                        let at = (state_before, event_id, index);
                        coverage.guard(lifecycle_id, version_index, at, held);
                    }
                });
                match chosen {
                    Some(Choice::Held(target)) => Ok(target),
                    Some(Choice::Unknown(target)) => {
                        // The stream cannot tell which way it goes: the interaction goes on
                        // where this transition leads, unsure, and nothing is claimed.
                        not_checked += 1;
                        unsure_now = true;
                        Ok(target)
                    }
                    None => Err(list.iter().map(|g| g.source.as_str()).collect()),
                }
            }
        };
        let was_unsure = std::mem::replace(&mut interaction.unsure, unsure_now);
        let jumped_from = std::mem::replace(&mut interaction.jumped_from, NO_STATE);
        // The step taken (from, to). Not allowed where the event before resynchronized to,
        // but where it was: that event was a stray, and this one goes on from there.
        let next = match next {
            Ok(next) => Ok((state_before, next)),
            Err(failed) => {
                match (jumped_from != NO_STATE).then(|| version.next(jumped_from, event_id)) {
                    Some(Some(back)) => Ok((jumped_from, back)),
                    _ => Err(failed),
                }
            }
        };
        match next {
            Ok((from, next)) => {
                // An event that keeps the state does not show where the interaction is.
                interaction.unsure |= was_unsure && from == state_before && next == state_before;
                if let Some(coverage) = coverage.as_mut() {
                    let step = (from, event_id, next);
                    let at = (version_index, version);
                    coverage.moved(lifecycle_id, at, trail.as_deref_mut(), step);
                }
                if next != interaction.state {
                    interaction.entered = now;
                }
                interaction.state = next;
            }
            Err(failed_guards) => {
                // After a guess the event tells where the interaction really is: no violation.
                if !was_unsure {
                    let state = interaction.state;
                    let event = &envelope.event;
                    found.push(messages::illegal_transition(
                        version,
                        state,
                        event,
                        &failed_guards,
                    ));
                }
                let guards_failed = !failed_guards.is_empty();
                let at = (event_id, event);
                let target = resync_target(version, at, state_before, guards_failed, &at_event());
                if let Some(target) = target {
                    if target != interaction.state {
                        // What the events the stream lost would have set is unknown.
                        let lost = version.fields_set_between(interaction.state, event_id);
                        let unknown = lost.into_iter().map(|slot| (slot, Slot::Unknown));
                        assign(version, &mut interaction.meta, unknown);
                        interaction.entered = now;
                        if let Some(coverage) = coverage.as_mut() {
                            let trail = trail.as_deref_mut();
                            coverage.resynced(lifecycle_id, version_index, trail, target);
                        }
                        // The lost events left the state at a time the stream cannot tell:
                        // whether its wait ran out before they came is unknown.
                        if state_before == state_on_arrival {
                            for &at in waits.iter().rev() {
                                found.remove(at);
                            }
                            not_checked += waits.len() as u64;
                        }
                        interaction.jumped_from = interaction.state;
                    }
                    interaction.state = target;
                }
            }
        }
        if let Some(problem) = payload.problem {
            found.push((ViolationKind::InvalidPayload, problem, Vec::new()));
        }

        let (state_name, next_state_name) = (
            version.state_name(state_before),
            version.state_name(interaction.state),
        );
        for &rule_index in &event.rules {
            let rule = &version.rules[rule_index];
            let env = Env {
                ts,
                event: &envelope.event,
                data,
                invalid,
                meta: &interaction.meta,
                state: state_name,
                next_state: next_state_name,
                locals: &[],
            };
            if let Some(when) = &rule.when {
                match when.eval(&env) {
                    Val::Bool(true) => {}
                    Val::Unknown => {
                        // Whether the rule applies is unknown: its assertion is not checked
                        // and what it would set is unknown.
                        not_checked += u64::from(rule.assert.is_some());
                        let unknown = rule.set.iter().map(|(slot, _)| (*slot, Slot::Unknown));
                        assign(version, &mut interaction.meta, unknown);
                        continue;
                    }
                    _ => continue,
                }
            }
            if let Some(assert) = &rule.assert {
                match assert.eval(&env) {
                    Val::Bool(true) => {}
                    Val::Unknown => not_checked += 1,
                    _ => found.push((
                        ViolationKind::RuleViolation,
                        rule.message.clone(),
                        Vec::new(),
                    )),
                }
            }
            match rule.set.as_slice() {
                [] => {}
                // One field: nothing reads it before it is stored.
                [(slot, node)] => {
                    let value = Slot::from_val(&node.eval(&env));
                    assign(version, &mut interaction.meta, [(*slot, value)]);
                }
                set => {
                    let values = evaluate(set, &env);
                    assign(version, &mut interaction.meta, values);
                }
            }
        }
        if not_checked > 0 {
            self.summary.not_checked += not_checked;
            if let Some(coverage) = coverage.as_mut() {
                coverage.not_checked(lifecycle_id, version_index, not_checked);
            }
        }

        if let Some(reported) = &envelope.metadata {
            let meta = &interaction.meta;
            if let Some(mismatch) = metadata_mismatch(version, meta, reported, self.show_pii) {
                found.push(mismatch);
            }
        }

        let violations = (found.len() - first_found) as u32;
        interaction.add_violations(violations);
        interaction.trail = trail;
        if violations > 0 {
            if let Some(coverage) = coverage.as_mut() {
                coverage.violated(lifecycle_id, version_index, state_before, violations);
            }
        }
        let state = interaction.state;
        // An idle timeout counts from the latest event, whatever it did.
        if version.timeout(state).is_some_and(|timeout| timeout.idle) {
            interaction.entered = now;
        }
        // A deadline starts at the first event it counts from.
        for (k, deadline) in version.deadlines.iter().enumerate() {
            let slot = version.fields.len() + k;
            let unset = interaction.meta.get(slot).is_none_or(|s| *s == Slot::Unset);
            if deadline.from == event_id && unset {
                assign(version, &mut interaction.meta, [(slot, Slot::Int(now))]);
            }
        }
        let step = want_step.then(|| {
            let spare = std::mem::take(&mut self.spare_block);
            step_of(
                spare,
                (lifecycle, version),
                &interaction.meta,
                envelope,
                state,
            )
        });
        if version.is_final(state) {
            self.release(lifecycle_id, key);
        }
        self.note_file(&place);
        step
    }

    /// Ends an interaction that reached a final state: counted, released, and remembered for
    /// `after_end`; its fingerprint.
    #[inline]
    fn release(&mut self, lifecycle_id: usize, key: &str) -> u64 {
        let mut lost_after = false;
        if let Some(done) = self
            .open
            .get_mut(lifecycle_id)
            .and_then(|map| map.remove(&Key(key)))
        {
            lost_after = done.lost_after;
            if let Some(coverage) = self.coverage.as_mut() {
                count_end(coverage, self.catalog, lifecycle_id, &done);
            }
            self.open_count -= 1;
            if done.violations == 0 {
                self.summary.valid_interactions += 1;
            }
        }
        let name = self
            .catalog
            .lifecycles
            .get(lifecycle_id)
            .map_or("", |l| l.name.as_str());
        let interaction = fingerprint(name, key);
        self.finished.insert(interaction);
        self.ids.close(interaction);
        if lost_after {
            // Its lost line came after the event that ended it: no step of it.
            self.lost_lines.forget(lifecycle_id, key);
        }
        interaction
    }

    /// Makes room: the least recently active eighth of the open interactions is evicted,
    /// each reported as `incomplete`, least recently active first.
    #[cold]
    #[inline(never)]
    fn evict(&mut self) {
        let mut lasts: Vec<u64> = self
            .open
            .iter()
            .flat_map(|map| map.values().map(|interaction| interaction.last))
            .collect();
        if lasts.is_empty() {
            return;
        }
        let at = (lasts.len() / 8).max(1) - 1;
        let (_, &mut threshold, _) = lasts.select_nth_unstable(at);
        drop(lasts);
        let why = format!(
            "evicted (more than {} interactions open, --max-open)",
            self.max_open
        );
        let mut evicted = Vec::new();
        let coverage = &mut self.coverage;
        let ids = &mut self.ids;
        for (lifecycle_id, map) in self.open.iter_mut().enumerate() {
            let name = (self.catalog.lifecycles.get(lifecycle_id)).map_or("", |l| l.name.as_str());
            map.retain(|key, interaction| {
                if interaction.last > threshold {
                    return true;
                }
                ids.close(fingerprint(name, key));
                if let Some(coverage) = coverage.as_mut() {
                    let state = interaction.state;
                    let version = usize::from(interaction.version);
                    coverage.violated(lifecycle_id, version, state, 1);
                    count_end(coverage, self.catalog, lifecycle_id, interaction);
                }
                let violation = incomplete(
                    self.catalog,
                    &self.files,
                    (lifecycle_id, key, interaction),
                    &why,
                );
                evicted.push((interaction.last, violation));
                false
            });
        }
        evicted.sort_unstable_by_key(|(last, _)| *last);
        self.open_count -= evicted.len();
        if let Some(changes) = self.changes.as_mut() {
            changes.everything = true;
        }
        for (_, violation) in evicted {
            self.summary.count(ViolationKind::Incomplete);
            self.evicted.push(violation);
        }
    }

    /// Ends the stream: every interaction still open is `incomplete` (unless allowed), in the
    /// order the interactions began.
    pub fn finish(self, allow_incomplete: bool, report: &mut dyn FnMut(Violation)) -> Summary {
        self.finish_ordered(allow_incomplete, &mut |_, violation| report(violation))
    }

    /// Like [`Interpreter::finish`], telling where each interaction began, so that shards
    /// can merge their reports in single-thread order.
    ///
    /// Timeouts whose deadlines lie before the latest timestamp of the stream ([`end_at`])
    /// fire first; then an interaction neither final nor in a `may_end` state is incomplete.
    ///
    /// [`end_at`]: Interpreter::end_at
    pub fn finish_ordered(
        self,
        allow_incomplete: bool,
        report: &mut dyn FnMut(Position, Violation),
    ) -> Summary {
        self.finish_covered(allow_incomplete, report).0
    }

    /// Like [`Interpreter::finish_ordered`], and what the stream covered when it was counted
    /// ([`Interpreter::count_coverage`]), the end's timeouts included.
    pub fn finish_covered(
        mut self,
        allow_incomplete: bool,
        report: &mut dyn FnMut(Position, Violation),
    ) -> (Summary, Option<Coverage>) {
        // Lines still held are judged first, where the stream ends.
        let mut held_found = Vec::new();
        self.flush(
            false,
            &mut |key, violation| held_found.push((key, violation)),
            &mut |_, _, _| {},
        );
        for (key, violation) in held_found {
            let at = key.map_or_else(Position::default, |(_, at)| at);
            report(at, violation);
        }
        let open = std::mem::take(&mut self.open);
        let now = self.latest_ts.unwrap_or(i64::MIN);
        let catalog = self.catalog;
        // Sort references to those with something to report, not the interactions: memory
        // stays that of the open map.
        let mut order: Vec<(u64, usize, &str)> = Vec::new();
        for (lifecycle_id, map) in open.iter().enumerate() {
            for (key, interaction) in map {
                let version = version_of(catalog, (lifecycle_id, key, interaction));
                let expires = next_due(version, interaction).is_some_and(|(due, _)| due < now);
                if expires || !(allow_incomplete || version.may_end(interaction.state)) {
                    order.push((interaction.first, lifecycle_id, &**key));
                    continue;
                }
                if interaction.violations == 0 {
                    self.summary.valid_interactions += 1;
                }
                if let Some(coverage) = self.coverage.as_mut() {
                    count_end(coverage, catalog, lifecycle_id, interaction);
                }
            }
        }
        order.sort_unstable_by_key(|(first, _, _)| *first);
        for (first, lifecycle_id, key) in order {
            let Some(found) = open.get(lifecycle_id).and_then(|map| map.get(key)) else {
                continue;
            };
            let version = version_of(catalog, (lifecycle_id, key, found));
            let mut interaction = found.clone();
            let mut trail = interaction.trail.take();
            let mut timeouts = Vec::new();
            let version_index = usize::from(interaction.version);
            let coverage = &mut self.coverage;
            expire(
                version,
                &mut interaction,
                now,
                &mut |kind, message, _| timeouts.push((kind, message)),
                &mut |from, to, by_timeout| {
                    if let Some(coverage) = coverage.as_mut() {
                        let trail = trail.as_deref_mut();
                        let moved = (from, to);
                        coverage.expired(lifecycle_id, version_index, trail, moved, by_timeout);
                    }
                },
            );
            interaction.trail = trail;
            let at = Position::unpack(first);
            let mut found_here = 0;
            for (kind, message) in timeouts {
                self.summary.count(kind);
                interaction.add_violations(1);
                found_here += 1;
                let open = (lifecycle_id, key, &interaction);
                report(
                    at,
                    at_last_event(catalog, &self.files, open, kind, message, Vec::new()),
                );
            }
            // A timeout that reported its state's wait as a violation already told what
            // never came: the interaction is not also incomplete there.
            let reported_wait = interaction.entered == DISARMED
                && (version.timeout(interaction.state)).is_some_and(|t| t.violation.is_some())
                || reported_deadline(version, &interaction);
            let ends_well = allow_incomplete || reported_wait || version.may_end(interaction.state);
            if ends_well && interaction.violations == 0 {
                self.summary.valid_interactions += 1;
            }
            // Where it rests is a guess (a guard on unknown values chose it, or a line no one
            // could judge may have been its last step): whether it ended is not claimed.
            let guessed = interaction.unsure || interaction.lost_after;
            if !ends_well && guessed {
                self.summary.not_checked += 1;
                if let Some(coverage) = self.coverage.as_mut() {
                    coverage.not_checked(lifecycle_id, version_index, 1);
                }
            }
            if !ends_well && !guessed {
                found_here += 1;
                self.summary.count(ViolationKind::Incomplete);
                let violation = incomplete(
                    catalog,
                    &self.files,
                    (lifecycle_id, key, &interaction),
                    "the stream ended",
                );
                report(at, violation);
            }
            if let Some(coverage) = self.coverage.as_mut() {
                let state = interaction.state;
                if found_here > 0 {
                    coverage.violated(lifecycle_id, version_index, state, found_here);
                }
                count_end(coverage, catalog, lifecycle_id, &interaction);
            }
        }
        let coverage = self.coverage.take().map(|coverage| *coverage);
        (self.summary, coverage)
    }
}

/// Counts the end of `interaction` in `coverage`: its path, the states it reached, where it
/// stopped, its durations.
fn count_end(
    coverage: &mut Coverage,
    catalog: &Catalog,
    lifecycle_id: usize,
    interaction: &Interaction,
) {
    let Some(trail) = &interaction.trail else {
        return;
    };
    let version_index = usize::from(interaction.version);
    let Some(version) = (catalog.lifecycles.get(lifecycle_id))
        .and_then(|lifecycle| lifecycle.versions.get(version_index))
    else {
        return;
    };
    let at = (version_index, version);
    let state = interaction.state;
    let well = interaction.violations == 0 && (version.is_final(state) || version.may_end(state));
    coverage.ended(lifecycle_id, at, trail, (state, well), &interaction.meta);
}

/// Field values to store, by slot: on the stack for the few a rule sets.
type FieldValues = SmallVec<[(usize, Slot); 4]>;

/// The values of `set`'s expressions, all evaluated before any is stored.
#[inline]
fn evaluate(set: &[(usize, Node)], env: &Env<'_>) -> FieldValues {
    set.iter()
        .map(|(slot, node)| (*slot, Slot::from_val(&node.eval(env))))
        .collect()
}

/// Stores computed field values in an interaction's slots (allocated on first use).
#[inline]
fn assign(
    version: &Version,
    meta: &mut ThinVec<Slot>,
    values: impl IntoIterator<Item = (usize, Slot)>,
) {
    if meta.is_empty() {
        *meta = std::iter::repeat_with(|| Slot::Unset)
            .take(version.slots())
            .collect();
    }
    for (slot, value) in values {
        if let Some(target) = meta.get_mut(slot) {
            *target = value;
        }
    }
}

/// What comes due on an interaction: its state's timeout, or a deadline (by index).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Due {
    Timeout,
    Deadline(usize),
}

/// The earliest of the interaction's state timeout and pending deadlines, and when (the
/// state's timeout first on a tie).
fn next_due(version: &Version, interaction: &Interaction) -> Option<(i64, Due)> {
    let timeout = version
        .timeout(interaction.state)
        .filter(|_| interaction.entered != DISARMED)
        .map(|timeout| {
            (
                interaction.entered.saturating_add(timeout.after),
                Due::Timeout,
            )
        });
    let fields = version.fields.len();
    let deadlines = version
        .deadlines
        .iter()
        .enumerate()
        .filter_map(|(k, deadline)| match interaction.meta.get(fields + k) {
            Some(Slot::Int(start)) => {
                Some((start.saturating_add(deadline.within), Due::Deadline(k)))
            }
            _ => None,
        });
    timeout
        .into_iter()
        .chain(deadlines)
        .min_by_key(|(at, _)| *at)
}

/// A deadline's slot once it has passed.
const PASSED: Slot = Slot::Bool(true);

/// Fires, in time order, the state timeouts and deadlines of `interaction` that lie before
/// `now`: each reports its violation (`found` hears whether it is a state's timeout that
/// only reports, the interaction staying), sets its fields (with `ts` when it came due) and
/// moves the interaction on; `fired` hears each move (from, to, whether a state's timeout
/// made it). Timeouts form no cycle (the compiler checks) and a deadline passes once, so
/// this ends.
fn expire(
    version: &Version,
    interaction: &mut Interaction,
    now: i64,
    found: &mut dyn FnMut(ViolationKind, String, bool),
    fired: &mut dyn FnMut(StateId, StateId, bool),
) {
    for _ in 0..=version.states.len() + version.deadlines.len() {
        let Some((due, what)) = next_due(version, interaction).filter(|(due, _)| *due < now) else {
            return;
        };
        let from = version.state_name(interaction.state);
        let (to, violation, set, what_passed) = match what {
            Due::Timeout => {
                let Some(timeout) = version.timeout(interaction.state) else {
                    return;
                };
                let what = format!(
                    "state `{from}` timed out at ts {due}, {} ms after it was entered",
                    timeout.after
                );
                (timeout.to, &timeout.violation, &timeout.set, what)
            }
            Due::Deadline(k) => {
                let Some(deadline) = version.deadlines.get(k) else {
                    return;
                };
                let event = version
                    .events
                    .get(usize::from(deadline.from))
                    .map_or("", |e| e.name.as_str());
                let what = format!(
                    "deadline at ts {due}, {} ms after `{event}`",
                    deadline.within
                );
                (deadline.to, &deadline.violation, &deadline.set, what)
            }
        };
        // A deadline that only reports, passing while the state's own timeout has already
        // reported this wait, tells of the same absence: it is said once.
        let said_already = what != Due::Timeout && to.is_none() && interaction.entered == DISARMED;
        if let Some(message) = violation.as_ref().filter(|_| !said_already) {
            let waited = what == Due::Timeout && to.is_none();
            found(
                ViolationKind::Timeout,
                format!("{message} ({what_passed})"),
                waited,
            );
        }
        let target = to.unwrap_or(interaction.state);
        if !set.is_empty() {
            let env = Env {
                ts: due,
                event: "",
                data: None,
                invalid: &[],
                meta: &interaction.meta,
                state: from,
                next_state: version.state_name(target),
                locals: &[],
            };
            let values = evaluate(set, &env);
            assign(version, &mut interaction.meta, values);
        }
        fired(interaction.state, target, what == Due::Timeout);
        if let Due::Deadline(k) = what {
            let slot = version.fields.len() + k;
            assign(version, &mut interaction.meta, [(slot, PASSED)]);
        }
        match (to, what) {
            (Some(to), _) => {
                interaction.state = to;
                interaction.entered = due;
            }
            // A timeout that stays fires once, until the interaction moves.
            (None, Due::Timeout) => interaction.entered = DISARMED,
            (None, Due::Deadline(_)) => {}
        }
    }
}

/// Whether a deadline that only reports has passed on the interaction: it told what never
/// came.
fn reported_deadline(version: &Version, interaction: &Interaction) -> bool {
    let fields = version.fields.len();
    (version.deadlines.iter().enumerate()).any(|(k, deadline)| {
        deadline.to.is_none() && interaction.meta.get(fields + k) == Some(&PASSED)
    })
}

/// What a guarded cell decided.
enum Choice {
    /// This guard held (or it is the fallback).
    Held(StateId),
    /// This guard's value was unknown before any held: a guess.
    Unknown(StateId),
}

/// The step an event of `lifecycle`'s `version` took: its state, its metadata block (written
/// into `spare`) and its names. Out of line: `validate` asks for none.
#[inline(never)]
fn step_of(
    mut spare: String,
    (lifecycle, version): (&Lifecycle, &Version),
    meta: &[Slot],
    envelope: &Envelope<'_>,
    state: StateId,
) -> Step {
    version.write_metadata(meta, &mut spare);
    Step {
        lifecycle: CompactString::from(lifecycle.name.as_str()),
        version: CompactString::from(version.name.as_str()),
        interaction: CompactString::from(envelope.interaction.as_ref()),
        event: CompactString::from(envelope.event.as_ref()),
        state: CompactString::from(version.state_name(state)),
        metadata: spare,
        appendable: envelope.appendable,
    }
}

/// The first guarded transition whose guard holds, or whose guard's value is unknown;
/// `tried` hears each guard decided (its index, whether it held).
fn choose(list: &[Guarded], env: &Env<'_>, mut tried: impl FnMut(usize, bool)) -> Option<Choice> {
    for (index, guarded) in list.iter().enumerate() {
        let value = match &guarded.when {
            None => return Some(Choice::Held(guarded.target)),
            Some(when) => when.eval(env),
        };
        if matches!(value, Val::Unknown) {
            return Some(Choice::Unknown(guarded.target));
        }
        let held = matches!(value, Val::Bool(true));
        tried(index, held);
        if held {
            return Some(Choice::Held(guarded.target));
        }
    }
    None
}

/// Where an interaction in `from` goes when `event` arrives and is not allowed there
/// (resync): as if the events the stream lost had come, to where `event` leads from the
/// nearest state ahead that allows it (its guards decided there, the first one's target when
/// none holds). When none ahead does, or when `event` is allowed in `from` and only its guards
/// failed, to the event's one target if it has one; else it stays.
fn resync_target(
    version: &Version,
    (event_id, event): (EventId, &Event),
    from: StateId,
    guards_failed: bool,
    env: &Env<'_>,
) -> Option<StateId> {
    let nearest = match guards_failed {
        true => None,
        false => version.nearest_allowing(from, event_id),
    };
    let Some(state) = nearest else {
        return event.resync;
    };
    match version.step(state, event_id) {
        Move::Illegal => event.resync,
        Move::To(next) => Some(next),
        Move::Guarded(list) => {
            let name = version.state_name(state);
            let there = Env {
                state: name,
                next_state: name,
                ..*env
            };
            match choose(list, &there, |_, _| {}) {
                Some(Choice::Held(target) | Choice::Unknown(target)) => Some(target),
                None => list.first().map(|guarded| guarded.target),
            }
        }
    }
}

/// A violation of a line that names no interaction.
fn line_violation(place: Place<'_>, kind: ViolationKind, message: String) -> Violation {
    Violation {
        file: place.file.to_owned(),
        line: place.line,
        interaction: None,
        lifecycle: None,
        event: None,
        kind,
        message,
        expected: Vec::new(),
    }
}

/// An open interaction (lifecycle id, key, state) and where its names are.
type Open<'a> = (usize, &'a str, &'a Interaction);

/// An `incomplete` violation for an open interaction, located at its latest event; `why`
/// says what ended it.
fn incomplete(catalog: &Catalog, files: &[String], open: Open<'_>, why: &str) -> Violation {
    let version = version_of(catalog, open);
    let state = open.2.state;
    let message = format!(
        "{why} with the interaction in state `{}`",
        version.state_name(state)
    );
    let expected = version
        .allowed(state)
        .into_iter()
        .map(str::to_owned)
        .collect();
    at_last_event(
        catalog,
        files,
        open,
        ViolationKind::Incomplete,
        message,
        expected,
    )
}

/// Whether an open interaction has ended by quiet at stream time `time`: it rests where it
/// may end, nothing is due on it, and its last event lies more than `quiet_end` before.
fn quiet(catalog: &Catalog, quiet_end: i64, time: Option<i64>, open: Open<'_>) -> bool {
    let interaction = open.2;
    let long = |time: i64| time.saturating_sub(interaction.quiet_since()) > quiet_end;
    quiet_end > 0 && time.is_some_and(long) && {
        let version = version_of(catalog, open);
        version.may_end(interaction.state) && next_due(version, interaction).is_none()
    }
}

/// Whether `open` has ended by quiet when its event `event` comes, `(time, ts)` the stream's
/// time and the event's: by the stream's time, or by the event's own `ts` when that is later,
/// unless the event could not begin an interaction but goes on from where the open one
/// rests. Its `ts` alone cannot tell the first line after an hour's quiet from a line stamped
/// an hour late; a line that only fits where its interaction stands is taken as the latter.
fn ended_by_quiet(
    catalog: &Catalog,
    quiet_end: i64,
    (time, ts): (Option<i64>, Option<i64>),
    open: Open<'_>,
    event: &str,
) -> bool {
    if quiet(catalog, quiet_end, time, open) {
        return true;
    }
    if !quiet(catalog, quiet_end, time.max(ts), open) {
        return false;
    }
    let version = version_of(catalog, open);
    let Some(&event) = version.event_ids.get(event) else {
        return true;
    };
    let goes_on = version.step(open.2.state, event) != Move::Illegal;
    let begins = version.step(version.initial, event) != Move::Illegal;
    begins || !goes_on
}

/// Interactions ended by quiet, counted, and what else hears of their end.
struct QuietEnded<'a> {
    catalog: &'a Catalog,
    ids: &'a mut SeenIds,
    coverage: Option<&'a mut Coverage>,
    changes: Option<&'a mut Changes>,
    interactions: usize,
    valid: u64,
}

impl QuietEnded<'_> {
    /// One more ended: its ids remembered as a finished interaction's, its path covered.
    fn end(&mut self, lifecycle_id: usize, fingerprint: u64, interaction: &Interaction) {
        self.ids.close(fingerprint);
        if let Some(changes) = self.changes.as_deref_mut() {
            changes.note(fingerprint);
        }
        if let Some(coverage) = self.coverage.as_deref_mut() {
            count_end(coverage, self.catalog, lifecycle_id, interaction);
        }
        self.interactions += 1;
        self.valid += u64::from(interaction.violations == 0);
    }
}

/// The version an open interaction runs on.
fn version_of<'c>(catalog: &'c Catalog, (lifecycle_id, _, interaction): Open<'_>) -> &'c Version {
    &catalog.lifecycles[lifecycle_id].versions[usize::from(interaction.version)]
}

/// A violation of an open interaction found at the end, located at its latest event.
fn at_last_event(
    catalog: &Catalog,
    files: &[String],
    open: Open<'_>,
    kind: ViolationKind,
    message: String,
    expected: Vec<String>,
) -> Violation {
    let (lifecycle_id, key, interaction) = open;
    let version = version_of(catalog, open);
    let last = Position::unpack(interaction.last);
    let file = usize::try_from(last.file).unwrap_or(usize::MAX);
    Violation {
        file: files.get(file).cloned().unwrap_or_default(),
        line: last.line,
        interaction: Some(key.to_owned()),
        lifecycle: Some(catalog.lifecycles[lifecycle_id].name.clone()),
        event: version
            .events
            .get(usize::from(interaction.last_event))
            .map(|event| event.name.clone()),
        kind,
        message,
        expected,
    }
}

/// What an event's payload gives its rules and guards.
struct PayloadRead<'a> {
    /// The payload, as far as they read it (the whole payload when it is invalid): borrowed
    /// from the envelope when the reader checked it, read here otherwise.
    data: Option<Cow<'a, Doc<'a>>>,
    /// What is wrong with it, when it fails its schema.
    problem: Option<String>,
    /// Where it fails its schema (reads there are unknown).
    invalid: Vec<Vec<String>>,
}

impl<'a> PayloadRead<'a> {
    fn valid(data: Option<Doc<'a>>) -> Self {
        PayloadRead {
            data: data.map(Cow::Owned),
            problem: None,
            invalid: Vec::new(),
        }
    }

    /// The payload of `event`, which is not even JSON the rules can read (`error`): wholly
    /// unknown.
    fn unreadable(event: &str, error: &serde_json::Error) -> Self {
        PayloadRead {
            data: None,
            problem: Some(payload_problem(event, error)),
            invalid: vec![Vec::new()],
        }
    }
}

/// The payload as far as the event's rules and guards read it, and what is wrong with it.
/// The payload is parsed only when its schema or a rule reads it, and valid payloads take
/// the compiled fast check.
fn read_payload<'a>(
    event: &Event,
    envelope: &'a Envelope<'_>,
    checked: Option<&'a Checked<'a>>,
    show_pii: bool,
) -> PayloadRead<'a> {
    let raw = envelope.data.as_deref();
    let Some(payload) = &event.payload else {
        if !event.data_reads.any() {
            return PayloadRead::valid(None);
        }
        return match raw.map(|raw| serde_json::from_str(raw.get())).transpose() {
            Ok(data) => PayloadRead::valid(data),
            Err(error) => PayloadRead::unreadable(&envelope.event, &error),
        };
    };
    let text = raw.map_or("{}", RawValue::get);
    if let (Some(fast), false) = (&payload.fast, event.data_reads == DataReads::Everything) {
        // Checked by the reader with this very check: valid.
        if let Some(checked) = checked.filter(|checked| checked.resolved.check == check_id(fast)) {
            // Read where the reader left it: moved, a kept value is copied word by word
            // just after it was written, and the copy waits for the writes.
            return PayloadRead {
                data: Some(Cow::Borrowed(&checked.kept)),
                ..PayloadRead::valid(None)
            };
        }
        if let Outcome::Valid(kept) = fast.check(text) {
            return PayloadRead::valid(raw.and(Some(kept)));
        }
    }
    judged_by_schema(payload, &envelope.event, raw.map(RawValue::get), show_pii)
}

/// The payload of `event` (`raw`, as the line has it; none: `{}`) read and judged by its JSON
/// Schema validator: what the compiled check left to it (faults, escapes, fractions). Out of
/// line: the common payload never gets here.
#[inline(never)]
fn judged_by_schema<'a>(
    payload: &Payload,
    event: &str,
    raw: Option<&str>,
    show_pii: bool,
) -> PayloadRead<'a> {
    let present = raw.is_some();
    let instance: Value = match serde_json::from_str(raw.unwrap_or("{}")) {
        Ok(instance) => instance,
        Err(error) => return PayloadRead::unreadable(event, &error),
    };
    if payload.validator.is_valid(&instance) {
        return PayloadRead::valid(present.then(|| Doc::from(instance)));
    }
    let errors: Vec<_> = payload.validator.iter_errors(&instance).collect();
    let personal = |at: &[String]| !show_pii && payload_message::is_personal(&payload.schema, at);
    let problems = payload_message::problems(&errors, &personal);
    let invalid = payload_message::invalid_places(&errors);
    drop(errors);
    PayloadRead {
        data: present.then(|| Cow::Owned(Doc::from(instance))),
        problem: Some(payload_problem(event, problems.join("; "))),
        invalid,
    }
}

/// What is wrong with the payload of `event`, as an `invalid_payload` violation says it.
fn payload_problem(event: &str, problem: impl std::fmt::Display) -> String {
    format!("payload of `{event}`: {problem}")
}

/// What tells one compiled payload check from another: its address.
fn check_id(check: &FastCheck) -> usize {
    std::ptr::from_ref(check) as usize
}

/// The metadata block a line reported against the one computed for its event (`meta`):
/// a violation when they differ. Out of line: only lines that carry a block get here.
#[inline(never)]
fn metadata_mismatch(
    version: &Version,
    meta: &[Slot],
    reported: &RawValue,
    show_pii: bool,
) -> Option<Found> {
    let block = version.metadata_block(meta);
    let unknown = |name: &str| {
        (version.fields.iter().zip(meta.iter()))
            .any(|(field, slot)| field.name == name && *slot == Slot::Unknown)
    };
    let personal =
        |name: &str| !show_pii && (version.fields.iter()).any(|f| f.name == name && f.pii);
    let differences = compare(&block, reported, &unknown, &personal);
    (!differences.is_empty()).then(|| {
        (
            ViolationKind::MetadataMismatch,
            format!("reported metadata differs: {}", differences.join("; ")),
            Vec::new(),
        )
    })
}

/// The differences between the computed block and a reported one; a field whose value is
/// unknown is not compared.
fn compare(
    computed: &Map<String, Value>,
    reported: &RawValue,
    unknown: &dyn Fn(&str) -> bool,
    personal: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let Ok(reported) = serde_json::from_str::<Map<String, Value>>(reported.get()) else {
        return vec!["not an object".to_owned()];
    };
    let mut differences = Vec::new();
    for (name, value) in computed {
        if unknown(name) {
            continue;
        }
        match reported.get(name) {
            None if personal(name) => {
                differences.push(format!("`{name}` missing (personal: values not shown)"))
            }
            None => differences.push(format!("`{name}` missing (computed {value})")),
            Some(got) if !same(got, value) && personal(name) => differences.push(format!(
                "`{name}` differs from the computed value (personal: values not shown)"
            )),
            Some(got) if !same(got, value) => {
                differences.push(format!("`{name}` is {got}, computed {value}"))
            }
            Some(_) => {}
        }
    }
    for name in reported.keys() {
        if !computed.contains_key(name) {
            differences.push(format!("`{name}` is not a field of this lifecycle version"));
        }
    }
    differences
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::{envelope, key_hint, CompactString, Interpreter, Key, Limits, Line, Place, Step};

    fn step() -> Step {
        let metadata = json!({"opened": 5, "form": {"a": "b"}, "closed": false}).to_string();
        Step {
            lifecycle: CompactString::default(),
            version: CompactString::default(),
            interaction: CompactString::default(),
            event: CompactString::default(),
            state: CompactString::default(),
            metadata,
            appendable: false,
        }
    }

    #[test]
    fn the_entry_a_line_is_expected_at_is_its_open_interactions() {
        let (files, _) = crate::config::load::load_builtin();
        let catalog = crate::compile::compile(&files)
            .0
            .expect("the built-in catalog");
        let options = crate::simulate::Options {
            events: 4_000,
            open: 500,
            violations: 0.0,
            seed: 3,
            lifecycles: Vec::new(),
            start_ts: 1_700_000_000_000,
            cut: true,
        };
        let mut stream = Vec::new();
        crate::simulate::simulate(&catalog, &options, &mut stream).expect("simulated");
        let text = String::from_utf8(stream).expect("UTF-8");
        let keys = hashbrown::DefaultHashBuilder::default();
        let mut interpreter = Interpreter::new(&catalog, Limits::default());
        let (mut open, mut found) = (0, 0);
        for (number, line) in (1..).zip(text.lines()) {
            if number == 1_000 {
                // Rehashed with interactions open: they are found all the same.
                interpreter.hash_keys_with(&keys);
            }
            let line = Line {
                bytes: line.as_bytes(),
                text: Some(line),
            };
            let (lifecycle, key) = envelope::compact_key_text(line.text.unwrap_or_default())
                .expect("written compactly");
            let id = catalog.lifecycle_id(lifecycle).expect("a known lifecycle");
            if number >= 1_000 && interpreter.open[id].contains_key(&Key(key)) {
                open += 1;
                let hint = key_hint(&catalog, &keys, line).expect("a hint");
                let entry = interpreter.likely_entry(hint);
                found += usize::from(entry.is_some_and(|(at, _)| at == key));
                interpreter.expect(hint);
            }
            let place = Place {
                file_index: 0,
                file: "-",
                line: number,
            };
            interpreter.line(place, line, false, &mut |_| {});
        }
        // Every line but the first of its interaction, but for a rare collision.
        assert!(open > 1_500, "{open}");
        assert!(found * 100 >= open * 95, "{found} of {open}");
        // Lines it cannot read, or that name no lifecycle, have none; a lifecycle out of range
        // names no entry.
        for text in [
            "",
            "{",
            r#"{"lifecycle":"#,
            r#"{"lifecycle":"nowhere","interaction":"x"}"#,
        ] {
            let line = Line {
                bytes: text.as_bytes(),
                text: Some(text),
            };
            assert_eq!(key_hint(&catalog, &keys, line), None, "{text}");
        }
        assert!(interpreter.likely_entry((u32::MAX, 0)).is_none());
    }

    #[test]
    fn an_open_interaction_fits_in_64_bytes_beside_its_key() {
        // The memory budget per open interaction (300 B, table overhead included) rests on it.
        assert!(std::mem::size_of::<super::Interaction>() <= 64);
    }

    #[test]
    fn an_annotated_record_is_the_record_with_the_computed_block_in_place_of_its_own() {
        let lines: [&[u8]; 6] = [
            br#"{"lifecycle":"w","event":"e","data":{"x":1.0}}"#,
            br#"  { "lifecycle" : "w", "event":"e" }  "#,
            br#"{"lifecycle":"w","metadata":{"opened":1},"event":"e"}"#,
            br#"{"lifecycle":"w","meta\u0064ata":{"opened":1},"event":"e"}"#,
            br#"{"data":{"metadata":true},"lifecycle":"w"}"#,
            br#"{}"#,
        ];
        // As the reader marks a line that has no `metadata` key.
        let appendable = |line: &[u8]| {
            serde_json::from_slice::<Map<String, Value>>(line)
                .is_ok_and(|record| !record.contains_key("metadata"))
        };
        let steps = lines.iter().flat_map(|line| {
            [false, appendable(line)].map(|appendable| {
                (
                    line,
                    Step {
                        appendable,
                        ..step()
                    },
                )
            })
        });
        for (line, step) in steps {
            let mut annotated = Vec::new();
            step.annotate(line, &mut annotated);
            let mut expected: Map<String, Value> = serde_json::from_slice(line).expect("JSON");
            let block = serde_json::from_str(&step.metadata).expect("JSON");
            expected.insert("metadata".into(), block);
            let found: Map<String, Value> = serde_json::from_slice(&annotated).expect("JSON");
            assert_eq!(found, expected, "{}", String::from_utf8_lossy(line));
            // No second `metadata` key: the block replaced the record's own, or was added.
            let count = |text: &[u8]| text.windows(10).filter(|w| w == b"\"metadata\"").count();
            let own = serde_json::from_slice::<Map<String, Value>>(line)
                .is_ok_and(|record| record.contains_key("metadata"));
            let plain_own = usize::from(own && count(line) > 0);
            assert_eq!(count(&annotated), count(line) + 1 - plain_own);
        }
        // A record without a block keeps its own text (`1.0` stays `1.0`).
        let mut kept = b"kept: ".to_vec();
        step().annotate(lines[0], &mut kept);
        // Appended to what was there.
        assert!(kept
            .starts_with(br#"kept: {"lifecycle":"w","event":"e","data":{"x":1.0},"metadata":{"#));
        // One the reader found no `metadata` key in keeps its text, whatever its payload holds.
        let mut kept = Vec::new();
        let step = Step {
            appendable: true,
            ..step()
        };
        step.annotate(lines[4], &mut kept);
        assert!(kept.starts_with(br#"{"data":{"metadata":true},"lifecycle":"w","metadata":{"#));
    }
}
