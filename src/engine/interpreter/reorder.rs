//! Bounded out-of-orderness: lines held back so that each interaction's events are judged in
//! `ts` order when they arrive within a window of one another.
//!
//! The watermark is the greatest `ts` of any line so far (of every shard's lines: the reader
//! of `--jobs` hands each line's watermark to every shard). A line is held until the
//! watermark passes its `ts` by the window, then judged, held lines in `(ts, position)`
//! order; a line already that late is judged on arrival. Memory therefore grows with the
//! window, not the stream, and the lines judged at each line of the input are the same
//! whatever the number of shards.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use serde::{Deserialize, Serialize};

use super::Position;

/// What orders held lines: `ts`, then where the line was.
pub type HeldKey = (i64, Position);

/// One line held back.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Held {
    /// Its `ts` and place.
    pub key: HeldKey,
    /// Its text.
    pub bytes: Vec<u8>,
}

/// The lines held back, and the watermark.
#[derive(Debug)]
pub struct Reorder {
    /// The window, in milliseconds (more than 0).
    window: i64,
    /// The greatest `ts` so far.
    watermark: Option<i64>,
    /// Lines held, in order: each lands here when it belongs at most [`NEAR`] places from
    /// the end (nearly every line of a stream whose lines are roughly in `ts` order).
    in_order: VecDeque<Held>,
    /// Lines held that came further out of order.
    held: BinaryHeap<Reverse<Held>>,
    /// Input names by index (a held line is judged with its file's name).
    names: Vec<String>,
    /// Lines held back so far.
    held_total: u64,
    /// Buffers of lines judged, for lines held next (no allocation per line).
    spare: Vec<Vec<u8>>,
}

/// How far from the end of the ordered queue a line may land.
const NEAR: usize = 64;

/// Spare buffers kept at most, and the largest kept: the pool stays small.
const SPARE_BUFFERS: usize = 4096;
const SPARE_BYTES: usize = 4096;

impl Reorder {
    /// A buffer for `window` milliseconds (0 holds nothing new; what it holds goes at the
    /// next line).
    pub fn new(window: i64) -> Reorder {
        Reorder {
            window,
            watermark: None,
            in_order: VecDeque::new(),
            held: BinaryHeap::new(),
            names: Vec::new(),
            held_total: 0,
            spare: Vec::new(),
        }
    }

    /// How many lines were held back so far.
    pub fn held_total(&self) -> u64 {
        self.held_total
    }

    /// Judges by another window from now on, keeping what it holds.
    pub fn set_window(&mut self, window: i64) {
        self.window = window.max(0);
    }

    /// Whether it holds anything.
    pub fn is_empty(&self) -> bool {
        self.in_order.is_empty() && self.held.is_empty()
    }

    /// Its state as data: the window, the watermark and the lines held, in the order they
    /// will be judged.
    pub fn save(&self) -> SavedReorder {
        let mut held: Vec<&Held> = self.in_order.iter().collect();
        held.extend(self.held.iter().map(|Reverse(held)| held));
        held.sort_unstable_by_key(|held| held.key);
        SavedReorder {
            window: self.window,
            watermark: self.watermark,
            held: held
                .into_iter()
                .map(|held| SavedHeld {
                    ts: held.key.0,
                    file: held.key.1.file,
                    line: held.key.1.line,
                    name: self.name(held.key.1.file).to_owned(),
                    text: match std::str::from_utf8(&held.bytes) {
                        Ok(text) => HeldText::Text(text.to_owned()),
                        Err(_) => HeldText::Bytes(held.bytes.to_vec()),
                    },
                })
                .collect(),
        }
    }

    /// The buffer `saved` describes.
    pub fn restore(saved: &SavedReorder) -> Reorder {
        let mut reorder = Reorder::new(saved.window);
        reorder.watermark = saved.watermark;
        for held in &saved.held {
            let bytes = match &held.text {
                HeldText::Text(text) => text.as_bytes(),
                HeldText::Bytes(bytes) => bytes,
            };
            let at = Position {
                file: held.file,
                line: held.line,
            };
            reorder.hold((held.ts, at), &held.name, bytes);
        }
        reorder.held_total = 0;
        reorder
    }

    /// The watermark is at least `ts` now.
    pub fn advance(&mut self, ts: i64) {
        self.watermark = self.watermark.max(Some(ts));
    }

    /// Whether a line with this `ts` is due now: the watermark passed it by the window.
    pub fn due(&self, ts: i64) -> bool {
        self.watermark
            .is_some_and(|watermark| ts <= watermark.saturating_sub(self.window))
    }

    /// Holds a line back.
    pub fn hold(&mut self, key: HeldKey, file: &str, bytes: &[u8]) {
        let index = usize::try_from(key.1.file).unwrap_or(usize::MAX);
        if self.names.get(index).is_none_or(String::is_empty) {
            if self.names.len() <= index && index < u32::MAX as usize {
                self.names.resize(index + 1, String::new());
            }
            if let Some(name) = self.names.get_mut(index) {
                file.clone_into(name);
            }
        }
        self.held_total += 1;
        let mut buffer = self.spare.pop().unwrap_or_default();
        buffer.extend_from_slice(bytes);
        let held = Held { key, bytes: buffer };
        if self.in_order.back().is_none_or(|last| last.key <= key) {
            // Nearly every line of a stream roughly in `ts` order.
            self.in_order.push_back(held);
            return;
        }
        // How many of the last NEAR lines held go after it (at least one).
        let later = (self.in_order.iter().rev().take(NEAR))
            .take_while(|h| h.key > key)
            .count();
        let at = self.in_order.len() - later;
        if at == 0 || self.in_order.get(at - 1).is_some_and(|h| h.key <= key) {
            self.in_order.insert(at, held);
        } else {
            self.held.push(Reverse(held));
        }
    }

    /// The earliest held line's key, and whether it heads the ordered queue (else the heap).
    fn earliest(&self) -> Option<(HeldKey, bool)> {
        let queued = self.in_order.front().map(|held| held.key);
        let heaped = self.held.peek().map(|Reverse(held)| held.key);
        match (queued, heaped) {
            (Some(a), Some(b)) if b < a => Some((b, false)),
            (Some(a), _) => Some((a, true)),
            (None, b) => b.map(|b| (b, false)),
        }
    }

    /// Whether the earliest held line is due now.
    pub fn any_due(&self) -> bool {
        self.earliest().is_some_and(|(key, _)| self.due(key.0))
    }

    /// The earliest held line, when it is due (or every one, with `all`).
    pub fn next_due(&mut self, all: bool) -> Option<Held> {
        let (key, queued) = self.earliest()?;
        if !all && !self.due(key.0) {
            return None;
        }
        match queued {
            true => self.in_order.pop_front(),
            false => self.held.pop().map(|Reverse(held)| held),
        }
    }

    /// A judged line's buffer back, for a line held later.
    pub fn recycle(&mut self, mut buffer: Vec<u8>) {
        if self.spare.len() < SPARE_BUFFERS && buffer.capacity() <= SPARE_BYTES {
            buffer.clear();
            self.spare.push(buffer);
        }
    }

    /// The name of input `file`.
    pub fn name(&self, file: u32) -> &str {
        let index = usize::try_from(file).unwrap_or(usize::MAX);
        self.names.get(index).map_or("", |name| name)
    }
}

/// A reorder buffer as data, for checkpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedReorder {
    /// The window, in milliseconds.
    pub window: i64,
    /// The greatest `ts` so far.
    pub watermark: Option<i64>,
    /// The lines held, in the order they will be judged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<SavedHeld>,
}

/// One line held back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedHeld {
    /// Its `ts`.
    pub ts: i64,
    /// Its input, by index.
    pub file: u32,
    /// Its line number.
    pub line: u64,
    /// Its input's name.
    pub name: String,
    /// Its text.
    pub text: HeldText,
}

/// A held line's text: a string, or its bytes when they are no UTF-8 (judged as they came).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HeldText {
    /// UTF-8 text.
    Text(String),
    /// Anything else.
    Bytes(Vec<u8>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64) -> Position {
        Position { file: 0, line }
    }

    #[test]
    fn lines_come_out_in_ts_order_once_the_watermark_passes_them_by_the_window() {
        let mut reorder = Reorder::new(10);
        for (ts, line) in [(105, 1), (100, 2), (100, 3), (107, 4), (101, 5)] {
            reorder.advance(ts);
            reorder.hold((ts, at(line)), "s", b"x");
        }
        assert!(reorder.next_due(false).is_none());
        reorder.advance(110);
        let due: Vec<HeldKey> = std::iter::from_fn(|| reorder.next_due(false))
            .map(|held| held.key)
            .collect();
        assert_eq!(due, [(100, at(2)), (100, at(3))]);
        reorder.advance(200);
        let due: Vec<HeldKey> = std::iter::from_fn(|| reorder.next_due(false))
            .map(|held| held.key)
            .collect();
        assert_eq!(due, [(101, at(5)), (105, at(1)), (107, at(4))]);
        reorder.hold((150, at(6)), "s", b"x");
        assert_eq!(
            reorder.next_due(true).map(|held| held.key),
            Some((150, at(6)))
        );
        assert_eq!(reorder.name(0), "s");
    }

    #[test]
    fn a_saved_buffer_restores_to_the_same_order_and_watermark() {
        let mut reorder = Reorder::new(10);
        for (ts, line, text) in [(105, 1, &b"a"[..]), (100, 2, b"b"), (103, 3, b"\xff")] {
            reorder.advance(ts);
            reorder.hold((ts, at(line)), "s", text);
        }
        let saved = reorder.save();
        let json = serde_json::to_string(&saved).expect("JSON");
        let back: SavedReorder = serde_json::from_str(&json).expect("read back");
        assert_eq!(back, saved);
        let mut restored = Reorder::restore(&back);
        assert!(
            restored.next_due(false).is_none(),
            "the watermark came along"
        );
        let order: Vec<(HeldKey, Vec<u8>)> = std::iter::from_fn(|| restored.next_due(true))
            .map(|held| (held.key, held.bytes.to_vec()))
            .collect();
        assert_eq!(
            order,
            [
                ((100, at(2)), b"b".to_vec()),
                ((103, at(3)), b"\xff".to_vec()),
                ((105, at(1)), b"a".to_vec())
            ]
        );
        assert_eq!(restored.name(0), "s");
    }
}
