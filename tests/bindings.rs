//! The bindings in the hands of their real users: the Python module, built with maturin into
//! the clients' virtual environment (`tests/clients/setup.sh`), gives the report
//! `plotline validate --format json` gives for the same lines, byte for byte.

mod common;

use std::path::Path;
use std::process::Command;

use common::{plotline, present, succeeded};

#[test]
fn python_validates_a_stream_as_the_cli_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("tests/clients/.venv");
    let maturin = venv.join("bin/maturin");
    if !present("maturin (tests/clients/setup.sh)", maturin.is_file()) {
        return;
    }
    // Its own target directory: the one `cargo test` holds is locked while tests run.
    succeeded(
        Command::new(&maturin)
            .args(["develop", "--quiet", "-m", "bindings/python/Cargo.toml"])
            .env("VIRTUAL_ENV", &venv)
            .env("CARGO_TARGET_DIR", root.join("target/bindings"))
            .current_dir(root),
    );
    let python = venv.join("bin/python");
    let script = root.join("tests/clients/binding.py");
    for stream in [
        "tests/fixtures/streams/every_kind.jsonl",
        "examples/callback.jsonl",
    ] {
        let cli = plotline(&["validate", "--format", "json", stream]);
        let binding = succeeded(
            Command::new(&python)
                .arg(&script)
                .arg(stream)
                .current_dir(root),
        );
        assert!(!binding.stdout.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&binding.stdout),
            String::from_utf8_lossy(&cli.stdout),
            "{stream}"
        );
    }
    // A catalog that does not compile is a ValueError that names the file and the place.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("x.yaml"), "name: x\nstates: [a\n").expect("written");
    let broken = succeeded(
        Command::new(&python)
            .arg(&script)
            .arg("--broken")
            .arg(dir.path())
            .current_dir(root),
    );
    let said = String::from_utf8_lossy(&broken.stdout);
    assert!(
        said.starts_with("ValueError: the catalog does not compile"),
        "{said}"
    );
    assert!(said.contains("x.yaml:"), "{said}");
}
