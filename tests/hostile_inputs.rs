//! Streams written to hurt: huge lines, broken bytes, deep nesting, too many interactions,
//! and outputs that fail. Each gets a clear outcome, every line is counted once, and nothing
//! panics or grows without bound.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use common::plotline;
use serde_json::Value;

const START: &str = r#"{"lifecycle":"callback","interaction":"ok-1","event":"ready","ts":1732435200000,"version":"9.0.002.06"}"#;

fn report(args: &[&str]) -> Value {
    let output = plotline(&[&["validate", "--format", "json"], args].concat());
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON report")
}

fn stream_file(dir: &tempfile::TempDir, bytes: &[u8]) -> String {
    let path = dir.path().join("stream.jsonl");
    std::fs::write(&path, bytes).expect("write stream");
    path.display().to_string()
}

/// `(line, kind, message)` of every violation.
fn violations(report: &Value) -> Vec<(u64, String, String)> {
    report["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| {
            (
                v["line"].as_u64().unwrap_or(0),
                v["kind"].as_str().unwrap_or("").to_owned(),
                v["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn assert_accounting(report: &Value, lines: u64) {
    let s = &report["summary"];
    assert_eq!(s["lines"], lines, "{s}");
    let counted = ["blank", "events", "malformed"]
        .iter()
        .map(|k| s[*k].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(counted, lines, "{s}");
}

#[test]
fn broken_bytes_each_get_a_clear_verdict() {
    // A payload nested 100,000 deep (the envelope skips it without recursing).
    let deep = format!(
        r#"{{"lifecycle":"lp_offers","interaction":"deep","event":"START","ts":1,"data":{{"contexts":{}{}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"\xEF\xBB\xBF"); // a byte-order mark before line 1
    bytes.extend_from_slice(START.as_bytes());
    bytes.extend_from_slice(b"\r\n"); // CRLF
    bytes.extend_from_slice(b"{\"lifecycle\":\"callback\",\"interaction\":\"\xff\xfe\"}\n"); // 2
    bytes.extend_from_slice(b"\0\0\0\n"); // 3
    bytes.extend_from_slice(b"{\"lifecycle\":\"callback\",\"lifecycle\":\"x\",\"interaction\":\"d\",\"event\":\"ready\",\"ts\":1}\n"); // 4
    bytes.extend_from_slice(b"{\"lifecycle\":\"callback\",\"interaction\":\"big\",\"event\":\"ready\",\"ts\":99999999999999999999999}\n"); // 5
    bytes.extend_from_slice(
        b"{\"lifecycle\":\"callback\",\"interaction\":\"fl\",\"event\":\"ready\",\"ts\":1.5e12}\n",
    ); // 6
    bytes.extend_from_slice(deep.as_bytes()); // 7
    bytes.extend_from_slice(b"\n\n"); // 8 is blank
    bytes.extend_from_slice(START.replace("ok-1", "ok-2").as_bytes()); // 9, no final newline
    let dir = tempfile::tempdir().expect("temp dir");
    let report = report(&["-j", "2", "--allow-incomplete", &stream_file(&dir, &bytes)]);
    assert_accounting(&report, 9);
    let found = violations(&report);
    let at = |line: u64| {
        found
            .iter()
            .filter(|(at, _, _)| *at == line)
            .map(|(_, kind, message)| format!("{kind}: {message}"))
            .collect::<Vec<_>>()
    };
    assert!(at(1).is_empty(), "BOM and CRLF are fine: {:?}", at(1));
    assert_eq!(
        at(2),
        ["malformed_line: not JSON: invalid UTF-8 at byte 40"]
    );
    assert_eq!(at(3), ["malformed_line: not a JSON object"]);
    assert_eq!(at(4), ["bad_envelope: duplicate field `lifecycle`"]);
    assert_eq!(
        at(5),
        ["bad_envelope: `ts` must be an integer (milliseconds), not 99999999999999999999999"]
    );
    assert_eq!(
        at(6),
        ["bad_envelope: `ts` must be an integer (milliseconds), not 1.5e12"]
    );
    assert_eq!(
        at(7),
        ["malformed_line: JSON nested deeper than 128 levels"]
    );
    assert!(at(9).is_empty(), "{:?}", at(9));
    assert_eq!(found.len(), 6, "{found:?}");
    assert_eq!(report["summary"]["blank"], 1);
    // ok-1 and ok-2: the too-deep line is no event, so it begins no interaction.
    assert_eq!(report["summary"]["interactions"], 2);
}

#[test]
fn names_over_the_limit_are_bad_envelopes_and_never_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let long = "x".repeat(100_000);
    let lines = [
        START.to_owned(),
        START.replace("ok-1", &long),
        START.replace("\"ready\"", &format!("\"{long}\"")),
        format!(r#"{{"lifecycle":"{long}","interaction":"a","event":"ready","ts":1}}"#),
        START
            .replace("ok-1", "ok-2")
            .replace("\"ts\"", &format!("\"id\":\"{long}\",\"ts\"")),
    ];
    let found = report(&[
        &stream_file(&dir, lines.join("\n").as_bytes()),
        "--allow-incomplete",
    ]);
    assert_accounting(&found, 5);
    let bad: Vec<(u64, String, String)> = violations(&found)
        .into_iter()
        .filter(|(_, kind, _)| kind == "bad_envelope")
        .collect();
    let lines_bad: Vec<u64> = bad.iter().map(|(line, _, _)| *line).collect();
    assert_eq!(lines_bad, [2, 3, 4, 5], "{bad:?}");
    for (_, _, message) in &bad {
        assert!(message.contains("bytes (`xxxx") && message.contains("over the limit of 1024"));
        assert!(message.len() < 200, "the value is not echoed whole");
    }
    assert_eq!(found["summary"]["interactions"], 1);
}

#[test]
fn an_empty_interaction_is_a_bad_envelope_and_begins_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = START.replace("ok-1", "");
    let lines = [START, &empty, &empty.replace("ready", "opened")];
    let found = report(&[
        &stream_file(&dir, lines.join("\n").as_bytes()),
        "--allow-incomplete",
    ]);
    assert_accounting(&found, 3);
    let bad = violations(&found);
    let expected = "`interaction` is empty: it names no interaction";
    assert_eq!(
        bad,
        [2, 3].map(|line| (line, "bad_envelope".to_owned(), expected.to_owned())),
    );
    assert_eq!(found["summary"]["interactions"], 1);
}

#[test]
fn a_utf16_stream_is_named_so_on_every_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = [START, &START.replace("ok-1", "ok-2")].join("\n");
    // Written by a Windows tool: a byte-order mark, then each character in two bytes.
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let found = report(&[&stream_file(&dir, &bytes)]);
    assert_accounting(&found, 2);
    let messages: Vec<String> = violations(&found).into_iter().map(|v| v.2).collect();
    let utf16 = "not JSON: the text looks UTF-16 encoded (a JSONL stream is UTF-8)";
    assert_eq!(messages, [utf16, utf16]);
}

#[test]
fn events_written_as_a_pretty_printed_array_say_so_on_every_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let events: Vec<Value> = [START, &START.replace("ok-1", "ok-2")]
        .iter()
        .map(|line| serde_json::from_str(line).expect("an event"))
        .collect();
    let text = serde_json::to_string_pretty(&events).expect("JSON");
    let lines = text.lines().count() as u64;
    let found = report(&[&stream_file(&dir, text.as_bytes())]);
    assert_accounting(&found, lines);
    assert_eq!(found["summary"]["malformed"], lines);
    let messages: Vec<String> = violations(&found).into_iter().map(|v| v.2).collect();
    assert_eq!(messages.len() as u64, lines);
    for message in &messages {
        assert!(
            message.ends_with("(events are read one JSON object per line)"),
            "{message}"
        );
    }
    assert!(messages[0].starts_with("not a JSON object but an array"));
}

#[test]
fn a_line_over_the_limit_is_malformed_and_never_held() {
    let huge = format!(
        r#"{{"lifecycle":"callback","interaction":"h","event":"ready","ts":1,"data":{{"x":"{}"}}}}"#,
        "a".repeat(3 << 20)
    );
    let bytes = [START, &huge, START.replace("ok-1", "ok-2").as_str(), &huge].join("\n");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream_file(&dir, bytes.as_bytes());
    let report = report(&["--allow-incomplete", &path]);
    assert_accounting(&report, 4);
    let length = huge.len();
    let message =
        format!("the line is {length} bytes, over the limit of 1048576 (--max-line-bytes)");
    let expected = vec![
        (2, "malformed_line".to_owned(), message.clone()),
        (4, "malformed_line".to_owned(), message),
    ];
    assert_eq!(violations(&report), expected);
    // A higher limit reads it (and finds the payload invalid instead).
    let report = self::report(&["--allow-incomplete", "--max-line-bytes", "8000000", &path]);
    assert_eq!(report["summary"]["malformed"], 0);
}

/// Peak resident memory of `plotline validate` reading `chunks` from stdin, taken while the
/// process is still alive.
#[cfg(target_os = "linux")]
fn peak_rss_kib(args: &[&str], chunks: impl Iterator<Item = Vec<u8>>) -> u64 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("plotline starts");
    let mut stdin = child.stdin.take().expect("stdin");
    for chunk in chunks {
        stdin.write_all(&chunk).expect("feed stdin");
    }
    stdin.flush().expect("flush");
    // Everything is written: give the reader time to take it in, then read the peak.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).expect("status");
    drop(stdin);
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("report");
    child.wait().expect("exit");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[cfg(target_os = "linux")]
#[test]
fn memory_stays_bounded_for_a_300_mb_line() {
    let head = br#"{"lifecycle":"callback","interaction":"h","event":"ready","ts":1,"data":{"x":""#;
    let body = vec![b'a'; 1 << 20];
    let chunks = std::iter::once(head.to_vec())
        .chain(std::iter::repeat_n(body, 300))
        .chain(std::iter::once(b"\"}}\n".to_vec()));
    let peak = peak_rss_kib(&["validate", "-j", "2", "--format", "json"], chunks);
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
}

#[test]
fn interactions_beyond_max_open_are_evicted_and_reported() {
    let lines: Vec<String> = (0..3000)
        .map(|i| START.replace("ok-1", &format!("open-{i}")))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream_file(&dir, lines.join("\n").as_bytes());
    let report = report(&["--max-open", "1000", "-j", "1", &path]);
    assert_accounting(&report, 3000);
    let found = violations(&report);
    assert_eq!(found.len(), 3000, "every interaction is reported once");
    assert!(found.iter().all(|(_, kind, _)| kind == "incomplete"));
    let evicted: Vec<_> = found
        .iter()
        .filter(|(_, _, message)| message.starts_with("evicted (more than 1000 interactions open"))
        .collect();
    assert!(evicted.len() >= 2000, "{}", evicted.len());
    // The oldest go first.
    assert_eq!(evicted[0].0, 1);
    // --allow-incomplete still reports evictions: they are losses, not the stream's end.
    let allowed = self::report(&["--max-open", "1000", "-j", "1", "--allow-incomplete", &path]);
    assert_eq!(
        allowed["summary"]["by_kind"]["incomplete"].as_u64(),
        Some(evicted.len() as u64)
    );
}

fn run_to(stdout: Stdio, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(stdout)
        .output()
        .expect("plotline runs")
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_exits_two_with_a_message() {
    let stream = "tests/fixtures/streams/every_kind.jsonl";
    let full = || std::fs::File::create("/dev/full").expect("/dev/full");
    for args in [
        vec!["run", stream],
        vec!["validate", stream],
        vec!["validate", "--format", "json", stream],
        vec!["schema", "lp_offers"],
        vec!["schema", "--config"],
        vec!["types", "lp_offers"],
        vec!["diff", "clicktocall", "9.0", "9.0.002.06"],
        vec!["list"],
        vec!["check"],
    ] {
        let output = run_to(full().into(), &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("error: writing output: No space left on device"),
            "{stderr}"
        );
    }
    let output = run_to(Stdio::null(), &["run", "-o", "/dev/full", stream]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lines: Vec<String> = (0..200_000)
        .map(|i| START.replace("ok-1", &format!("p-{i}")))
        .collect();
    let path = stream_file(&dir, lines.join("\n").as_bytes());
    for command in ["run", "validate"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plotline"))
            .args([command, &path])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("plotline starts");
        let mut first = [0u8; 64];
        let mut stdout = child.stdout.take().expect("stdout");
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let output = child.wait_with_output().expect("exit");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{command}: {stderr}"
        );
        assert!(
            !stderr.contains("error") && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
}

#[test]
fn output_files_appear_whole_or_not_at_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("events.jsonl");
    let out_arg = out.display().to_string();
    let stream = "tests/fixtures/streams/every_kind.jsonl";
    let output = plotline(&["run", "-o", &out_arg, stream]);
    assert_eq!(output.status.code(), Some(1));
    let written = std::fs::read_to_string(&out).expect("output file");
    let input = std::fs::read_to_string(stream).expect("stream");
    let events = report(&[stream])["summary"]["events"].as_u64();
    assert_eq!(Some(written.lines().count() as u64), events);
    assert!(input.lines().count() as u64 >= events.unwrap_or(0));
    // A failing run leaves nothing behind, not even its temporary file.
    let missing = dir.path().join("missing.jsonl").display().to_string();
    let failed = dir.path().join("failed.jsonl");
    let output = plotline(&["run", "-o", &failed.display().to_string(), &missing]);
    assert_eq!(output.status.code(), Some(2));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["events.jsonl"]);
}

#[test]
fn every_command_ends_quietly_on_a_closed_pipe() {
    for args in [
        vec!["schema", "lp_offers"],
        vec!["types", "lp_offers"],
        vec!["diff", "clicktocall", "9.0", "9.0.002.06"],
        vec!["list"],
        vec!["check"],
    ] {
        // The reading end is closed before the command writes anything.
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = run_to(writer.into(), &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
