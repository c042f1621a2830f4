//! Embeds the built-in catalog: writes `$OUT_DIR/builtin.rs`, the lifecycle files of
//! `lifecycles/` as `(name, text)` pairs sorted by name, each read by `include_str!`. Only
//! lifecycle files: the editor schema beside them stays out of the binary (40 kB, read by
//! no one there).

use std::path::Path;

/// The file name extensions of lifecycle files (`config::load::LIFECYCLE_EXTENSIONS`, which
/// a test holds equal to what is embedded).
const LIFECYCLE_EXTENSIONS: &[&str] = &["yaml", "yml", "plot"];

fn main() -> std::io::Result<()> {
    println!("cargo:rerun-if-changed=lifecycles");
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let dir = Path::new(&manifest).join("lifecycles");
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            let extension = name.rsplit_once('.').map(|(_, extension)| extension);
            extension.is_some_and(|extension| LIFECYCLE_EXTENSIONS.contains(&extension))
        })
        .collect();
    files.sort();
    let entries: String = files
        .iter()
        .map(|name| format!("    ({name:?}, include_str!({:?})),\n", dir.join(name)))
        .collect();
    let out = std::env::var_os("OUT_DIR").unwrap_or_default();
    std::fs::write(
        Path::new(&out).join("builtin.rs"),
        format!("&[\n{entries}]\n"),
    )
}
