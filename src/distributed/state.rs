//! A partition's checkpoint in the state bucket, in parts, so that a checkpoint writes what
//! changed and no value outgrows the server's message size:
//!
//! - groups of interactions, by fingerprint (`groups` per partition, fixed at setup), each
//!   in two slots, `p<N>.g<G>.0` and `p<N>.g<G>.1`: a group's open interactions and the
//!   fingerprints of those that ended, with their ordinals;
//! - the head `p<N>`: the input sequence the checkpoint covers, the interpreter's counts and
//!   latest timestamp, and which slot of each group is current.
//!
//! A checkpoint writes the groups whose interactions changed into their other slots, then the
//! head, which makes them current. Every write is a compare-and-swap on the revision last
//! read or written, so a worker that lost its lease cannot overwrite its successor's state.
//! A worker killed between the two keeps the previous head, whose slots are intact: the state
//! a successor restores is always one of a single moment, and it replays from that moment's
//! next input message. Nothing is ever deleted, so no delete markers pile up.

use std::collections::HashMap;
use std::io::Write as _;

use async_nats::jetstream::kv;
use bytes::Bytes;
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

use crate::compile::Catalog;
use crate::engine::interpreter::{
    checkpoint_group, fingerprint, Checkpoint, SavedInteraction, SavedLostLine,
};
use crate::engine::{Interpreter, Limits};

/// Why a partition's run stopped early.
pub enum Stop {
    /// A write of its checkpoint was refused: another run wrote a newer one.
    Fenced(String),
    /// Anything else.
    Failed(String),
}

impl From<String> for Stop {
    fn from(message: String) -> Stop {
        Stop::Failed(message)
    }
}

/// The head of a partition's checkpoint.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    /// The last input message the checkpoint covers.
    sequence: u64,
    /// The current slot of each group, `0` or `1`.
    slots: String,
    /// The interpreter without its interactions (they are in the groups).
    interpreter: Checkpoint,
}

/// One group of a partition's interactions.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    open: Vec<SavedInteraction>,
    finished: Vec<[u64; 2]>,
    /// Delivery ids of open interactions, as [`Checkpoint::open_ids`] has them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    open_ids: Vec<[u64; 2]>,
    /// Delivery ids remembered, as [`Checkpoint::past_ids`] has them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    past_ids: Vec<[u64; 3]>,
    /// Lines lost of interactions not judged since, as [`Checkpoint::lost_lines`] has them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lost_lines: Vec<SavedLostLine>,
    /// Interactions a timeout ended at an event, as [`Checkpoint::ended_by_timeout`] has them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ended_by_timeout: Vec<(u64, i64)>,
}

/// A partition's checkpoint as its holder knows it: where each part is, at which revision.
pub struct PartitionState {
    store: kv::Store,
    partition: u32,
    /// The current slot of each group.
    slots: Vec<u8>,
    /// The head's revision (0: none yet).
    head: u64,
    /// The revision of each slot written or read (absent: never written).
    revisions: HashMap<String, u64>,
    /// Every group changed (a new interpreter), whatever the interpreter says.
    everything: bool,
    /// For crash tests: stop between the groups and the head of this checkpoint (counted
    /// from 1 over the process), after saying so.
    pause_at: Option<u64>,
}

/// What a partition resumes from: its state, the input sequence covered, the interpreter.
pub struct Resumed<'c> {
    /// The checkpoint's parts.
    pub state: PartitionState,
    /// The last input message covered (0: none).
    pub sequence: u64,
    /// The interpreter as checkpointed, tracking changes.
    pub interpreter: Interpreter<'c>,
    /// Whether a checkpoint was there to restore.
    pub restored: bool,
}

/// Checkpoints written by this process, for `pause_at`.
static WRITTEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl PartitionState {
    /// Reads partition `partition`'s checkpoint (`groups` groups) and restores it over
    /// `catalog` with `limits`; a partition never checkpointed starts empty.
    pub async fn load<'c>(
        store: kv::Store,
        (partition, groups): (u32, u32),
        catalog: &'c Catalog,
        limits: Limits,
    ) -> Result<Resumed<'c>, String> {
        let head_key = format!("p{partition}");
        let slot_keys: Vec<String> = (0..groups)
            .flat_map(|group| [0, 1].map(|slot| slot_key(partition, group, slot)))
            .collect();
        let head = store
            .entry(head_key.clone())
            .await
            .map_err(|error| format!("cannot read checkpoint {head_key}: {error}"))?;
        let entries = join_all(slot_keys.iter().map(|key| store.entry(key.clone()))).await;
        let mut revisions = HashMap::new();
        let mut values = HashMap::new();
        for (key, entry) in slot_keys.into_iter().zip(entries) {
            let entry = entry.map_err(|error| format!("cannot read checkpoint {key}: {error}"))?;
            if let Some(entry) = entry {
                revisions.insert(key.clone(), entry.revision);
                values.insert(key, entry.value);
            }
        }
        let pause_at = std::env::var("PLOTLINE_PAUSE_IN_CHECKPOINT")
            .ok()
            .and_then(|n| n.parse().ok());
        let mut state = PartitionState {
            store,
            partition,
            slots: vec![0; groups as usize],
            head: 0,
            revisions,
            everything: false,
            pause_at,
        };
        let Some(head) = head.filter(|entry| entry.operation == kv::Operation::Put) else {
            let mut interpreter = Interpreter::new(catalog, limits);
            interpreter.track_changes(groups as usize);
            return Ok(Resumed {
                state,
                sequence: 0,
                interpreter,
                restored: false,
            });
        };
        let saved: Head = serde_json::from_slice(&head.value)
            .map_err(|error| format!("a broken checkpoint {head_key}: {error}"))?;
        if saved.slots.len() != groups as usize {
            return Err(format!(
                "checkpoint {head_key} has {} groups, the layout {groups}",
                saved.slots.len()
            ));
        }
        state.head = head.revision;
        state.slots = saved.slots.bytes().map(|b| u8::from(b == b'1')).collect();
        let mut checkpoint = saved.interpreter;
        for (group, slot) in state.slots.iter().enumerate() {
            let key = slot_key(partition, group as u32, *slot);
            let Some(value) = values.get(&key) else {
                // A group never written is empty; one made current must be there.
                if *slot == 1 {
                    return Err(format!(
                        "checkpoint {head_key} names {key}, which is missing"
                    ));
                }
                continue;
            };
            let part: Group = serde_json::from_slice(value)
                .map_err(|error| format!("a broken checkpoint {key}: {error}"))?;
            checkpoint.open.extend(part.open);
            checkpoint.finished.extend(part.finished);
            checkpoint.open_ids.extend(part.open_ids);
            checkpoint.past_ids.extend(part.past_ids);
            checkpoint.lost_lines.extend(part.lost_lines);
            checkpoint.ended_by_timeout.extend(part.ended_by_timeout);
        }
        let mut interpreter = Interpreter::restore(catalog, limits, &checkpoint)
            .map_err(|error| format!("checkpoint {head_key}: {error}"))?;
        interpreter.track_changes(groups as usize);
        Ok(Resumed {
            state,
            sequence: saved.sequence,
            interpreter,
            restored: true,
        })
    }

    /// How many groups its interactions are kept in.
    pub fn groups(&self) -> usize {
        self.slots.len()
    }

    /// From the next checkpoint on, the interpreter is a new one: every group is written.
    pub fn renew(&mut self) {
        self.everything = true;
    }

    /// Writes the checkpoint of `interpreter` covering the input up to `sequence`: the
    /// changed groups into their other slots, then the head. Refused writes mean another
    /// run holds the partition ([`Stop::Fenced`]).
    pub async fn save(
        &mut self,
        sequence: u64,
        interpreter: &mut Interpreter<'_>,
    ) -> Result<(), Stop> {
        let groups = self.slots.len();
        let group_of = |fp: u64| checkpoint_group(fp, groups);
        let changes = interpreter.take_changes();
        let changed: Vec<bool> = (0..groups)
            .map(|group| self.everything || changes.changed(group))
            .collect();
        let mut parts: Vec<Group> = (0..groups).map(|_| Group::default()).collect();
        // The changed groups' interactions go to their groups; the rest is the head's.
        let mut saved = interpreter.checkpoint_where(&|fp| changed[group_of(fp)]);
        for open in std::mem::take(&mut saved.open) {
            parts[group_of(fingerprint(&open.lifecycle, &open.interaction))]
                .open
                .push(open);
        }
        for finished in std::mem::take(&mut saved.finished) {
            parts[group_of(finished[1])].finished.push(finished);
        }
        for id in std::mem::take(&mut saved.open_ids) {
            parts[group_of(id[0])].open_ids.push(id);
        }
        for id in std::mem::take(&mut saved.past_ids) {
            parts[group_of(id[1])].past_ids.push(id);
        }
        for ended in std::mem::take(&mut saved.ended_by_timeout) {
            parts[group_of(ended.0)].ended_by_timeout.push(ended);
        }
        for lost in std::mem::take(&mut saved.lost_lines) {
            parts[group_of(fingerprint(&lost.lifecycle, &lost.interaction))]
                .lost_lines
                .push(lost);
        }
        let mut writes = Vec::new();
        for (group, part) in parts.iter().enumerate() {
            if !changed[group] {
                continue;
            }
            let key = slot_key(self.partition, group as u32, 1 - self.slots[group]);
            let body = serde_json::to_vec(part).unwrap_or_default();
            writes.push((key, body));
        }
        let done = join_all(writes.iter().map(|(key, body)| {
            write(
                &self.store,
                key,
                body.clone().into(),
                self.revisions.get(key).copied(),
            )
        }))
        .await;
        for ((key, _), revision) in writes.iter().zip(done) {
            self.revisions.insert(key.clone(), revision?);
        }
        self.pause_if_asked().await;
        let mut slots = self.slots.clone();
        for (slot, changed) in slots.iter_mut().zip(&changed) {
            *slot ^= u8::from(*changed);
        }
        let head = Head {
            sequence,
            slots: slots
                .iter()
                .map(|s| if *s == 1 { '1' } else { '0' })
                .collect(),
            interpreter: saved,
        };
        let key = format!("p{}", self.partition);
        let body = serde_json::to_vec(&head).unwrap_or_default();
        self.head = write(
            &self.store,
            &key,
            body.into(),
            Some(self.head).filter(|r| *r > 0),
        )
        .await?;
        self.slots = slots;
        self.everything = false;
        Ok(())
    }

    /// For crash tests: says where it is and stops for good at the checkpoint asked for.
    async fn pause_if_asked(&self) {
        let written = WRITTEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if self.pause_at == Some(written) {
            let _ = writeln!(
                std::io::stderr(),
                "paused in checkpoint {written} (partition {}): groups written, head not",
                self.partition
            );
            std::future::pending::<()>().await;
        }
    }
}

/// The key of one slot of one group.
fn slot_key(partition: u32, group: u32, slot: u8) -> String {
    format!("p{partition}.g{group}.{slot}")
}

/// Writes `body` at `key` over `revision` (`None`: a new key); refused when another write
/// came first.
async fn write(
    store: &kv::Store,
    key: &str,
    body: Bytes,
    revision: Option<u64>,
) -> Result<u64, Stop> {
    let size = body.len();
    let written = match revision {
        None => store.create(key, body).await.map_err(|e| e.to_string()),
        Some(n) => store.update(key, body, n).await.map_err(|e| e.to_string()),
    };
    written.map_err(|error| match error.contains("maximum payload") {
        true => Stop::Failed(format!(
            "checkpoint {key} is {size} bytes, over the server's message size: set up more \
             partitions or --state-groups"
        )),
        false => Stop::Fenced(format!(
            "checkpoint {key} refused (the partition has another owner?): {error}"
        )),
    })
}
