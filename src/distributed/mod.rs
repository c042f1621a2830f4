//! Scale-out on NATS JetStream (cargo feature `nats`): publishers put each line on the
//! partition of its interaction, workers run the partitions they lease through the same
//! interpreter as `validate`, checkpointing it so that another worker can take a partition
//! over and replay from where it stopped, and `report` reads the outputs into the JSON report.
//! `partition.rs` is the one function every publisher shares; `nats.rs` the broker side;
//! `state.rs` a partition's checkpoint in the state bucket; `ledger.rs` what was published,
//! for complete reports and streams not published twice by mistake.

pub mod ledger;
pub mod metrics;
pub mod nats;
pub mod partition;
pub mod state;
