//! What the integration tests share: running the built binary.

use std::process::{Command, Output};

/// Runs `plotline ARGS` from the crate root, with the built-in catalog.
pub fn plotline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PLOTLINE_CATALOG")
        .output()
        .expect("plotline runs")
}
