//! Config: lifecycle files from text to model, with source locations kept for diagnostics.
//!
//! `model` is the file format; `source_map` finds where each value stands in its file;
//! `load` reads a directory (or the embedded built-in catalog) into source texts
//! ([`crate::diagnostic::SourceText`]) and [`LifecycleFile`]s.

pub mod convert;
pub mod load;
pub mod model;
pub mod plain_errors;
pub mod plot;
pub mod source_map;

pub use load::{load_builtin, load_dir, LoadedFile};
pub use model::LifecycleFile;
pub use source_map::SourceMap;
