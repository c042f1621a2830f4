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
    let run = |args: &[&str]| {
        let output = succeeded(
            Command::new(&python)
                .arg(&script)
                .args(args)
                .current_dir(root),
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    for stream in [
        "tests/fixtures/streams/every_kind.jsonl",
        "examples/callback.jsonl",
    ] {
        let cli = plotline(&["validate", "--format", "json", stream]);
        let cli = String::from_utf8_lossy(&cli.stdout);
        assert!(!cli.is_empty());
        // Read by Plotline, and handed over as text: the same report.
        assert_eq!(run(&[stream]), cli, "{stream}");
        assert_eq!(run(&["--text", stream]), cli, "{stream} as text");
    }
    // Another catalog, from its directory: as `--catalog` gives it.
    let dir = tempfile::tempdir().expect("temp dir");
    let stream = dir.path().join("chat.jsonl");
    std::fs::write(
        &stream,
        concat!(
            r#"{"lifecycle":"chat","interaction":"c1","event":"opened","ts":1,"version":"1.0"}"#,
            "\n",
            r#"{"lifecycle":"chat","interaction":"c1","event":"nope","ts":2,"version":"1.0"}"#,
            "\n"
        ),
    )
    .expect("written");
    let stream = stream.to_str().expect("UTF-8");
    let general = "tests/fixtures/general";
    let cli = plotline(&["validate", "--format", "json", "--catalog", general, stream]);
    let cli = String::from_utf8_lossy(&cli.stdout);
    assert!(cli.contains("unknown_event"), "{cli}");
    assert_eq!(run(&[stream, general]), cli);
    assert_eq!(
        run(&["--lifecycles"]).trim(),
        "callback clicktocall intercom_messenger lp_offers zendesk_messaging"
    );
    // A catalog that does not compile is a ValueError that names the file and the place.
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).expect("made");
    std::fs::write(broken.join("x.yaml"), "name: x\nstates: [a\n").expect("written");
    let said = run(&["--broken", broken.to_str().expect("UTF-8")]);
    assert!(
        said.starts_with("ValueError: the catalog does not compile"),
        "{said}"
    );
    assert!(said.contains("x.yaml:"), "{said}");
}
