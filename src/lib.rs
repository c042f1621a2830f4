//! Plotline: interaction lifecycles of web engagement widgets, written as config, compiled at
//! load time, and run over event streams by one generic interpreter.
//!
//! The pipeline is the layout: [`config`] (text to model) -> [`compile`] (model to
//! [`compile::Catalog`]) -> [`engine`] (catalog and events to verdicts) -> [`report`].
//! [`expr`] is the rule language used by `compile`. See `ARCHITECTURE.md`.

// One `unsafe` block, allowed where it is: the prefetch hint at an address (`prefetch.rs`; its
// test reads back the header the hint addresses).
#![deny(unsafe_code)]
#![warn(clippy::print_stderr)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod compile;
pub mod config;
pub mod cores;
pub mod diagnostic;
pub mod diff;
#[cfg(feature = "nats")]
pub mod distributed;
pub mod embed;
pub mod engine;
pub mod export;
pub mod expr;
pub mod infer;
pub mod plain_json;
pub mod prefetch;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod short_eq;
pub mod simulate;
