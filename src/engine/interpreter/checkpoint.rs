//! The interpreter's state as data, for a worker of a partitioned stream: it checkpoints what
//! its interpreter holds, and whoever takes the partition over restores it and replays from
//! the next event, deciding exactly as an uninterrupted run would.
//!
//! Everything is saved by name (lifecycle, version, state, event, field), not by the ids of
//! one compiled catalog, and checked against the catalog it is restored into. Coverage and
//! the list of begun interactions are not part of it.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thin_vec::ThinVec;

use super::{
    Finished, Interaction, Interpreter, Limits, OpenMap, Position, Reorder, SavedIds,
    SavedLostLine, SavedReorder, SeenIds, StreamClock, DISARMED,
};
use crate::compile::catalog::NO_STATE;
use crate::compile::Catalog;
use crate::engine::stream_clock::SavedClock;
use crate::engine::verdict::Summary;
use crate::expr::doc::Doc;
use crate::expr::slot::Slot;

/// Everything an interpreter holds between two lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The counts so far.
    pub summary: Summary,
    /// The latest timestamp of any event so far.
    pub latest_ts: Option<i64>,
    /// The names of the inputs seen, by index.
    pub files: Vec<String>,
    /// Fingerprints of the interactions that ended (for `after_end`), oldest first, each
    /// with its ordinal: `[ordinal, fingerprint]`.
    pub finished: Vec<[u64; 2]>,
    /// The ordinal the next finished interaction gets (those below `finished_total` minus the
    /// memory's capacity are forgotten).
    pub finished_total: u64,
    /// Lines no one could judge, of interactions not judged since.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lost_lines: Vec<SavedLostLine>,
    /// Interactions a timeout ended at an event, oldest first: `[fingerprint, when it fell
    /// due]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ended_by_timeout: Vec<(u64, i64)>,
    /// The open interactions, in the order they began.
    pub open: Vec<SavedInteraction>,
    /// The delivery ids of open interactions seen: `[interaction fingerprint, id hash]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_ids: Vec<[u64; 2]>,
    /// The delivery ids remembered of finished interactions (and of lines that reached
    /// none), each with its ordinal: `[ordinal, interaction fingerprint, id hash]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub past_ids: Vec<[u64; 3]>,
    /// The ordinal the next remembered id gets.
    #[serde(default)]
    pub past_ids_total: u64,
    /// The reorder window's buffer: its window, watermark and the lines it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder: Option<SavedReorder>,
    /// The stream's event time, by which quiet interactions end (`Limits::quiet_end`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_time: Option<i64>,
    /// The `ts` of the lines the stream's time has counted of the block it is filling, in
    /// the order counted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stream_block: Vec<i64>,
    /// The medians of the stream's last full blocks, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stream_recent: Vec<i64>,
    /// What older checkpoints kept of the block being filled, when the time was counted
    /// another way: read and set aside (that block is counted again from its start).
    #[serde(default, skip_serializing)]
    pub stream_counted: usize,
    /// Likewise set aside.
    #[serde(default, skip_serializing)]
    pub stream_lowest: Vec<i64>,
}

/// Whether a count is 0 (left out of a checkpoint).
fn is_zero<N: Copy + Default + PartialEq>(count: &N) -> bool {
    *count == N::default()
}

/// One open interaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedInteraction {
    /// Its lifecycle.
    pub lifecycle: String,
    /// The version judging it.
    pub version: String,
    /// Its key.
    pub interaction: String,
    /// Its state.
    pub state: String,
    /// Its latest event.
    pub last_event: String,
    /// The timestamp of its latest event.
    pub last_ts: i64,
    /// How far the stream's time was past `last_ts` when that event was judged, in
    /// milliseconds: its quiet is measured from the later of the two.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub arrived_after: u32,
    /// When it entered its state; `None` once the state's timeout fired without leaving it.
    pub entered: Option<i64>,
    /// Where it began: input index and line.
    pub first: (u32, u64),
    /// Where its latest event was.
    pub last: (u32, u64),
    /// Violations found on it.
    pub violations: u32,
    /// The metadata fields rules have set, by name.
    pub meta: Map<String, Value>,
    /// The fields whose value the stream could not tell (unknown), by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
    /// Whether its state is a guess (a guard whose value was unknown chose it, or a line no
    /// one could judge may have been a step).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unsure: bool,
    /// The state its latest event resynchronized it from (that event may have been a stray).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jumped_from: Option<String>,
    /// Whether a line of it no one could judge came after an event not judged yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lost_after: bool,
    /// Its deadlines begun, by index: when each started (`None`: it has passed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<(usize, Option<i64>)>,
}

impl Interpreter<'_> {
    /// Its state now, to restore later with [`Interpreter::restore`].
    pub fn checkpoint(&self) -> Checkpoint {
        self.checkpoint_where(&|_| true)
    }

    /// Its state now, with only the interactions (open or finished) whose [`fingerprint`]
    /// `keep` keeps: parts of a checkpoint saved apart, merged again before a restore.
    ///
    /// [`fingerprint`]: super::fingerprint
    pub fn checkpoint_where(&self, keep: &dyn Fn(u64) -> bool) -> Checkpoint {
        let mut open = Vec::new();
        for (lifecycle, map) in self.catalog.lifecycles.iter().zip(&self.open) {
            for (key, interaction) in map {
                if !keep(super::fingerprint(&lifecycle.name, key)) {
                    continue;
                }
                let Some(version) = lifecycle.versions.get(usize::from(interaction.version)) else {
                    continue;
                };
                let event = version.events.get(usize::from(interaction.last_event));
                let slots = || version.fields.iter().zip(interaction.meta.iter());
                let meta = slots()
                    .filter(|(_, slot)| **slot != Slot::Unknown)
                    .filter_map(|(field, slot)| Some((field.name.clone(), slot.to_json()?)))
                    .collect();
                let unknown = slots()
                    .filter(|(_, slot)| **slot == Slot::Unknown)
                    .map(|(field, _)| field.name.clone())
                    .collect();
                let at = |packed| {
                    let position = Position::unpack(packed);
                    (position.file, position.line)
                };
                open.push(SavedInteraction {
                    lifecycle: lifecycle.name.clone(),
                    version: version.name.clone(),
                    interaction: key.to_string(),
                    state: version.state_name(interaction.state).to_owned(),
                    last_event: event.map_or(String::new(), |e| e.name.clone()),
                    last_ts: interaction.last_ts,
                    arrived_after: interaction.arrived_after,
                    entered: (interaction.entered != DISARMED).then_some(interaction.entered),
                    first: at(interaction.first),
                    last: at(interaction.last),
                    violations: u32::from(interaction.violations),
                    meta,
                    unknown,
                    unsure: interaction.unsure,
                    jumped_from: (interaction.jumped_from != NO_STATE)
                        .then(|| version.state_name(interaction.jumped_from).to_owned()),
                    lost_after: interaction.lost_after,
                    deadlines: (0..version.deadlines.len())
                        .filter_map(|k| match interaction.meta.get(version.fields.len() + k) {
                            Some(Slot::Int(start)) => Some((k, Some(*start))),
                            Some(Slot::Bool(true)) => Some((k, None)),
                            _ => None,
                        })
                        .collect(),
                });
            }
        }
        open.sort_by_key(|saved| saved.first);
        let (open_ids, past_ids, past_ids_total) = self.ids.save(keep);
        let names: Vec<&str> = (self.catalog.lifecycles.iter())
            .map(|lifecycle| lifecycle.name.as_str())
            .collect();
        let finished = &self.finished;
        let oldest = finished.inserted - finished.order.len() as u64;
        let clock = self.clock.save();
        Checkpoint {
            summary: self.summary.clone(),
            latest_ts: self.latest_ts,
            files: self.files.clone(),
            finished: (finished.order.iter().zip(oldest..))
                .filter(|(fingerprint, _)| keep(**fingerprint))
                .map(|(fingerprint, ordinal)| [ordinal, *fingerprint])
                .collect(),
            finished_total: finished.inserted,
            lost_lines: self.lost_lines.save(&names, &|lifecycle, key| {
                keep(super::fingerprint(lifecycle, key))
            }),
            ended_by_timeout: self.ended_by_timeout.save(keep),
            open,
            open_ids,
            past_ids,
            past_ids_total,
            reorder: self.reorder.as_deref().map(Reorder::save),
            stream_time: clock.time,
            stream_block: clock.block,
            stream_recent: clock.recent,
            stream_counted: 0,
            stream_lowest: Vec::new(),
        }
    }

    /// An interpreter over `catalog` in the state `checkpoint` saved; an error names what the
    /// catalog lacks (a lifecycle, version, state, event, field or violation kind).
    pub fn restore<'c>(
        catalog: &'c Catalog,
        limits: Limits,
        checkpoint: &Checkpoint,
    ) -> Result<Interpreter<'c>, String> {
        let mut interpreter = Interpreter::new(catalog, limits);
        interpreter.summary = checkpoint.summary.clone();
        interpreter.latest_ts = checkpoint.latest_ts;
        interpreter.clock = StreamClock::restore(&SavedClock {
            time: checkpoint.stream_time,
            block: checkpoint.stream_block.clone(),
            recent: checkpoint.stream_recent.clone(),
        });
        interpreter.files.clone_from(&checkpoint.files);
        let capacity = interpreter.finished.capacity;
        let total = checkpoint.finished_total;
        // Parts saved at different times may hold fingerprints forgotten since.
        let remembered = total.saturating_sub(capacity as u64)..total;
        let mut finished: Vec<[u64; 2]> = (checkpoint.finished.iter())
            .filter(|[ordinal, _]| remembered.contains(ordinal))
            .copied()
            .collect();
        finished.sort_unstable();
        let order: VecDeque<u64> = finished
            .iter()
            .map(|[_, fingerprint]| *fingerprint)
            .collect();
        interpreter.finished = Finished {
            set: order.iter().copied().collect(),
            inserted: total,
            order,
            capacity,
        };
        for lost in &checkpoint.lost_lines {
            let lifecycle_id = lifecycle_named(catalog, &lost.lifecycle)?;
            (interpreter.lost_lines).note(lifecycle_id, &lost.interaction, lost.at);
        }
        (interpreter.ended_by_timeout).restore(&checkpoint.ended_by_timeout);
        for saved in &checkpoint.open {
            let (lifecycle_id, interaction) = restore_interaction(catalog, saved)?;
            let map: &mut OpenMap = &mut interpreter.open[lifecycle_id];
            if map
                .insert(saved.interaction.as_str().into(), interaction)
                .is_none()
            {
                interpreter.open_count += 1;
            }
        }
        let ids: SavedIds = (
            checkpoint.open_ids.clone(),
            checkpoint.past_ids.clone(),
            checkpoint.past_ids_total,
        );
        interpreter.ids = SeenIds::restore(capacity, &ids);
        interpreter.reorder = checkpoint
            .reorder
            .as_ref()
            .map(|saved| Box::new(Reorder::restore(saved)));
        Ok(interpreter)
    }
}

/// The id of the lifecycle a checkpoint names, or the error that `catalog` has none.
fn lifecycle_named(catalog: &Catalog, name: &str) -> Result<usize, String> {
    catalog
        .lifecycle_id(name)
        .ok_or_else(|| format!("no lifecycle `{name}`"))
}

/// One saved interaction, checked against `catalog`.
fn restore_interaction(
    catalog: &Catalog,
    saved: &SavedInteraction,
) -> Result<(usize, Interaction), String> {
    let lifecycle_id = lifecycle_named(catalog, &saved.lifecycle)?;
    let lifecycle = &catalog.lifecycles[lifecycle_id];
    let version_index = (lifecycle.versions.iter())
        .position(|v| v.name == saved.version)
        .ok_or_else(|| {
            format!(
                "lifecycle `{}` has no version `{}`",
                lifecycle.name, saved.version
            )
        })?;
    let version = &lifecycle.versions[version_index];
    let where_ = || format!("lifecycle `{}` version {}", lifecycle.name, version.name);
    let state = version
        .state_id(&saved.state)
        .ok_or_else(|| format!("{} has no state `{}`", where_(), saved.state))?;
    let jumped_from = match &saved.jumped_from {
        Some(name) => version
            .state_id(name)
            .ok_or_else(|| format!("{} has no state `{name}`", where_()))?,
        None => NO_STATE,
    };
    let last_event = *version
        .event_ids
        .get(saved.last_event.as_str())
        .ok_or_else(|| format!("{} has no event `{}`", where_(), saved.last_event))?;
    let mut meta = vec![Slot::Unset; version.slots()];
    for (name, value) in &saved.meta {
        let slot = (version.fields.iter())
            .position(|f| &f.name == name)
            .ok_or_else(|| format!("{} has no field `{name}`", where_()))?;
        meta[slot] = match value {
            Value::Bool(b) => Slot::Bool(*b),
            Value::Number(n) if n.as_i64().is_some() => Slot::Int(n.as_i64().unwrap_or(0)),
            other => Slot::Json(Box::new(Doc::from(other.clone()))),
        };
    }
    for name in &saved.unknown {
        let slot = (version.fields.iter())
            .position(|f| &f.name == name)
            .ok_or_else(|| format!("{} has no field `{name}`", where_()))?;
        meta[slot] = Slot::Unknown;
    }
    for &(k, start) in &saved.deadlines {
        let slot = (k < version.deadlines.len())
            .then(|| meta.get_mut(version.fields.len() + k))
            .flatten()
            .ok_or_else(|| format!("{} has no deadline {k}", where_()))?;
        *slot = start.map_or(Slot::Bool(true), Slot::Int);
    }
    // An interaction holds no slots until a rule sets one.
    let meta = match meta.iter().all(|slot| *slot == Slot::Unset) {
        true => ThinVec::new(),
        false => ThinVec::from(meta),
    };
    let pack = |(file, line): (u32, u64)| Position { file, line }.pack();
    Ok((
        lifecycle_id,
        Interaction {
            last_ts: saved.last_ts,
            arrived_after: saved.arrived_after,
            entered: saved.entered.unwrap_or(DISARMED),
            first: pack(saved.first),
            last: pack(saved.last),
            meta,
            violations: u16::try_from(saved.violations).unwrap_or(u16::MAX),
            version: u16::try_from(version_index).unwrap_or(u16::MAX),
            state,
            last_event,
            unsure: saved.unsure,
            jumped_from,
            lost_after: saved.lost_after,
            trail: None,
        },
    ))
}
