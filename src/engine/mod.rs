//! Engine: catalog plus event streams to verdicts.
//!
//! `chunks` cuts inputs into whole lines, bounded in length; `envelope` reads a line, and
//! `native` a line in one of the catalog's native record shapes;
//! `interpreter` runs events through the compiled catalog (`payload_message` words what a
//! payload schema found); `stream` drives the interpreter
//! over the chunks on one thread with exact line accounting (`run`);
//! `parallel` does the same for `validate` on sharded threads; `scenario` runs
//! the documented scenarios of the lifecycle files; `verdict` holds the violation kinds and
//! counts that reports print.

pub mod chunks;
pub mod coverage;
pub mod envelope;
pub mod fnv;
pub mod histogram;
pub mod interpreter;
pub mod native;
pub mod parallel;
pub mod payload_message;
pub mod scenario;
pub mod stream;
pub mod stream_clock;
pub mod verdict;

pub use interpreter::{Interpreter, Limits, Place, Step};
pub use verdict::{Summary, Violation, ViolationKind};
